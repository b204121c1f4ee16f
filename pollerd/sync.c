/*
 * sync: registry (YAML) -> services / service_dependencies. Runs at start and
 * after every accepted SIGHUP reload. Only registry columns are written; the
 * live status columns (current_status, flap buffer, poller health) belong to
 * the change detector and are never touched here, so a reload cannot reset a
 * service's state.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "timeutil.h"

static const char *UPSERT_SQL =
    "INSERT INTO services (id, display_name, category, poll_type, poll_url,"
    " statuspage_component_name, component_id, status_page_url, tier, slack_channel_override,"
    " poll_interval_seconds, config_json, retired_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13)"
    " ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,"
    " category = excluded.category, poll_type = excluded.poll_type,"
    " poll_url = excluded.poll_url, statuspage_component_name = excluded.statuspage_component_name,"
    " component_id = excluded.component_id, status_page_url = excluded.status_page_url,"
    " tier = excluded.tier, slack_channel_override = excluded.slack_channel_override,"
    " poll_interval_seconds = excluded.poll_interval_seconds, config_json = excluded.config_json,"
    " retired_at = NULL, updated_at = excluded.updated_at";

/* What the database keeps of slack_channel_override: the ${VAR} reference,
 * never a literal webhook URL (that is a secret). */
static const char *override_ref(const struct reg_service *s)
{
	if (!s->slack_channel_override)
		return NULL;
	return s->slack_channel_override[0] == '$' ? s->slack_channel_override
						   : "(url in services.yaml)";
}

int sync_registry(sqlite3 *db, const struct reg_registry *reg)
{
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	if (db_begin(db) < 0)
		return -1;
	sqlite3_stmt *up = db_prepare(db, UPSERT_SQL);
	sqlite3_stmt *edge =
	    db_prepare(db, "INSERT OR IGNORE INTO service_dependencies (upstream_service_id, "
			   "downstream_service_id,"
			   " impact_description, severity) VALUES (?1, ?2, ?3, ?4)");
	if (!up || !edge)
		goto fail;
	/* Mark everything retired, then un-retire what the registry lists: one
	 * pass, and services gone from the YAML end up retired. */
	sqlite3_stmt *ret =
	    db_prepare(db, "UPDATE services SET retired_at = ?1 WHERE retired_at IS NULL");
	if (!ret)
		goto fail;
	db_bind_text(ret, 1, now);
	int rc = db_step_done(ret);
	sqlite3_finalize(ret);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; i < reg->nservices; i++) {
		const struct reg_service *s = &reg->services[i];
		db_bind_text(up, 1, s->id);
		db_bind_text(up, 2, s->display_name);
		db_bind_text(up, 3, s->category);
		db_bind_text(up, 4, s->poll_type);
		db_bind_text(up, 5, s->poll_url);
		db_bind_text(up, 6, s->component_name);
		db_bind_text(up, 7, s->component_id);
		db_bind_text(up, 8, s->status_page_url);
		db_bind_text(up, 9, s->tier);
		db_bind_text(up, 10, override_ref(s));
		if (s->poll_interval_seconds)
			sqlite3_bind_int(up, 11, s->poll_interval_seconds);
		else
			sqlite3_bind_null(up, 11);
		db_bind_text(up, 12, s->config_json);
		db_bind_text(up, 13, now);
		if (db_step_done(up) < 0)
			goto fail;
	}
	if (db_exec(db, "DELETE FROM service_dependencies") < 0)
		goto fail;
	for (size_t i = 0; i < reg->nedges; i++) {
		const struct reg_edge *e = &reg->edges[i];
		db_bind_text(edge, 1, e->upstream);
		db_bind_text(edge, 2, e->downstream);
		db_bind_text(edge, 3, e->impact);
		db_bind_text(edge, 4, e->severity);
		if (db_step_done(edge) < 0)
			goto fail;
	}
	sqlite3_finalize(up);
	sqlite3_finalize(edge);
	if (db_commit(db) < 0)
		return -1;
	int64_t retired =
	    db_query_int(db, "SELECT count(*) FROM services WHERE retired_at IS NOT NULL", 0);
	log_info("registry synced: %zu services (%lld retired), %zu dependency edges",
		 reg->nservices, (long long)retired, reg->nedges);
	return 0;
fail:
	sqlite3_finalize(up);
	sqlite3_finalize(edge);
	db_rollback(db);
	log_error("registry sync failed; the database keeps the previous registry");
	return -1;
}
