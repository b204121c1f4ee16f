/*
 * cursor: alertd's position in status_events and the loading of the events
 * after it. The cursor row ('alertd' in cursors) is only ever written inside
 * the transaction that records what was decided about the events up to it
 * (pass.c), so a crash at any instant either keeps both or neither.
 *
 * Events are joined with their service's registry columns as the database
 * holds them now (tier, override, destinations): routing follows the current
 * registry, which is what an operator who just changed a tier expects.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "alertd.h"
#include "db.h"
#include "impact.h"
#include "log.h"
#include "xalloc.h"

int64_t cursor_get(sqlite3 *db)
{
	return db_query_int(db, "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'", 0);
}

int cursor_set(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "INSERT INTO cursors (consumer, last_event_id, updated_at) VALUES ('alertd', ?1, ?2)"
	    " ON CONFLICT (consumer) DO UPDATE SET last_event_id = excluded.last_event_id,"
	    " updated_at = excluded.updated_at");
	if (!st)
		return -1;
	char now[TS_ISO_LEN + 1];
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, ts_now_iso(now));
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

/* services.config_json "destinations": ["slack", "pagerduty"] restricts the
 * kinds; absent means every configured destination. */
static unsigned parse_dest_kinds(const char *json)
{
	if (!json)
		return AD_DK_ALL;
	cJSON *o = jsonck_parse_str(json, JSONCK_LENIENT);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "destinations");
	unsigned k = AD_DK_ALL;
	if (cJSON_IsArray(a)) {
		k = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, a)
		{
			const char *s = cJSON_GetStringValue(it);
			if (!s)
				continue;
			if (!strcmp(s, "slack"))
				k |= AD_DK_SLACK;
			else if (!strcmp(s, "webhook"))
				k |= AD_DK_WEBHOOK;
			else if (!strcmp(s, "teams"))
				k |= AD_DK_TEAMS;
			else if (!strcmp(s, "pagerduty"))
				k |= AD_DK_PAGERDUTY;
		}
	}
	cJSON_Delete(o);
	return k;
}

static enum st_status col_status(sqlite3_stmt *st, int col)
{
	enum st_status s = ST_UNKNOWN;
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (t)
		st_status_parse(t, &s);
	return s;
}

static enum st_health col_health(sqlite3_stmt *st, int col)
{
	enum st_health h = ST_HEALTHY;
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (t)
		st_health_parse(t, &h);
	return h;
}

/* The service columns shared by both loaders, starting at column base. */
#define SERVICE_COLS                                                                               \
	"s.display_name, s.category, s.status_page_url, s.slack_channel_override,"                 \
	" s.poll_type, s.tier, s.config_json, s.in_maintenance"

static void fill_service(sqlite3_stmt *st, int base, struct ad_event *e)
{
	e->name = db_col_dup(st, base);
	if (!e->name)
		e->name = xstrdup(e->service_id);
	e->category = db_col_dup(st, base + 1);
	e->status_page_url = db_col_dup(st, base + 2);
	e->override = db_col_dup(st, base + 3);
	e->poll_type = db_col_dup(st, base + 4);
	const char *tier = (const char *)sqlite3_column_text(st, base + 5);
	/* A missing or unknown tier behaves as important, as in the seed. */
	if (!tier || st_tier_parse(tier, &e->tier) < 0)
		e->tier = ST_TIER_IMPORTANT;
	e->dest_kinds = parse_dest_kinds((const char *)sqlite3_column_text(st, base + 6));
	e->svc_maintenance = sqlite3_column_int(st, base + 7);
}

static void set_created(struct ad_event *e, const char *t)
{
	int64_t ms = 0;
	if (t && ts_parse(t, &ms) == 0) {
		e->created_ms = ms;
		ts_format(ms, e->created_at);
	} else {
		e->created_ms = ts_now_ms();
		ts_format(e->created_ms, e->created_at);
	}
}

int events_load(sqlite3 *db, int64_t after, int max, const char *sso_broker_id,
		struct ad_event **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT e.id, e.service_id, e.kind, e.previous_status, e.new_status,"
		" e.previous_health, e.new_health, e.is_baseline, e.in_maintenance, e.vendor_title,"
		" e.vendor_detail, e.vendor_incident_id, e.impact_statement, e.failure_reason,"
		" e.source, e.created_at, " SERVICE_COLS
		" FROM status_events e JOIN services s ON s.id = e.service_id"
		" WHERE e.id > ?1 ORDER BY e.id LIMIT ?2");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, max);
	struct ad_event *v = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		struct ad_event *e = &v[n++];
		memset(e, 0, sizeof *e);
		e->id = sqlite3_column_int64(st, 0);
		e->service_id = db_col_dup(st, 1);
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		e->kind = kind && !strcmp(kind, "health") ? AD_EV_HEALTH : AD_EV_STATUS;
		e->prev = col_status(st, 3);
		e->next = col_status(st, 4);
		e->hprev = col_health(st, 5);
		e->hnext = col_health(st, 6);
		e->is_baseline = sqlite3_column_int(st, 7);
		e->ev_maintenance = sqlite3_column_int(st, 8);
		e->vendor_title = db_col_dup(st, 9);
		e->vendor_detail = db_col_dup(st, 10);
		e->vendor_incident_id = db_col_dup(st, 11);
		e->impact = db_col_dup(st, 12);
		e->failure_reason = db_col_dup(st, 13);
		e->source = db_col_dup(st, 14);
		/* SEED_DEMO_DATA history (source 'demo') is decided like a
		 * baseline: logged, never sent -- it describes the past. */
		if (e->source && !strcmp(e->source, "demo"))
			e->is_baseline = 1;
		set_created(e, (const char *)sqlite3_column_text(st, 15));
		fill_service(st, 16, e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("loading events: %s", sqlite3_errmsg(db));
		events_free(v, n);
		return -1;
	}
	/* pollerd stores each status event's impact statement; a row without
	 * one (inserted by hand, or by an older pollerd) gets it built the same
	 * way now. */
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != AD_EV_STATUS || (v[i].impact && *v[i].impact))
			continue;
		free(v[i].impact);
		v[i].impact = impact_for_service(db, v[i].service_id, v[i].next, v[i].vendor_detail,
						 sso_broker_id);
	}
	*out = v;
	return (int)n;
}

int service_load(sqlite3 *db, const char *service_id, struct ad_event *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SERVICE_COLS " FROM services s WHERE s.id = ?1");
	if (!st)
		return -1;
	db_bind_text(st, 1, service_id);
	int rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->service_id = xstrdup(service_id);
		out->kind = AD_EV_STATUS;
		out->prev = out->next = ST_UNKNOWN;
		set_created(out, NULL);
		fill_service(st, 0, out);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void event_release(struct ad_event *e)
{
	free(e->service_id);
	free(e->vendor_title);
	free(e->vendor_detail);
	free(e->vendor_incident_id);
	free(e->impact);
	free(e->failure_reason);
	free(e->source);
	free(e->name);
	free(e->category);
	free(e->status_page_url);
	free(e->override);
	free(e->poll_type);
	memset(e, 0, sizeof *e);
}

void events_free(struct ad_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_release(&v[i]);
	free(v);
}

/* The statement for a message. Status events always have one (events_load
 * fills any gap); this covers a message about a service without one. */
char *event_impact(const struct ad_event *e)
{
	if (e->impact && *e->impact)
		return xstrdup(e->impact);
	if (e->kind == AD_EV_STATUS && e->next == ST_OPERATIONAL)
		return xasprintf("%s has recovered and is now operational.", e->name);
	return xasprintf("%s status changed.", e->name);
}
