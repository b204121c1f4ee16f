/*
 * store: the database side of the one state machine every status transition
 * passes (doc/design.md#one-state-machine): a poll result (health trail, flap buffer, maintenance,
 * committed change) or a pushed status (manual update, webhook). Each call
 * reads the service's row, lets detect.c decide, and writes back the row and
 * at most one status event plus one health event -- all inside the caller's
 * BEGIN IMMEDIATE transaction, so a crash never leaves a changed status
 * without its event or the other way round.
 *
 * Events: kind 'status' for committed changes (baselines flagged, never
 * alerted); kind 'health' for the poller-health transitions that alertd
 * announces ({healthy,degraded} -> broken, broken -> healthy). Putting both
 * on the one append-only stream gives alertd a single cursor and keeps their
 * relative order; healthy <-> degraded stays silent, as in the seed.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "impact.h"
#include "log.h"
#include "metrics.h"
#include "pollerd.h"
#include "xalloc.h"

/* The live columns of one services row. */
struct svc_row {
	char *display_name;
	enum st_status status;
	char *detail, *incident_id, *incident_title;
	int in_maintenance;
	char *source;
	enum st_status pending;
	int pending_count;
	char *pending_since;
	int failures;
	enum st_health health;
	char *last_success_at;
	char *last_failure_reason;
	int retired;
	int had_baseline; /* baseline_at is set */
};

static void row_release(struct svc_row *r)
{
	free(r->display_name);
	free(r->detail);
	free(r->incident_id);
	free(r->incident_title);
	free(r->source);
	free(r->pending_since);
	free(r->last_success_at);
	free(r->last_failure_reason);
	memset(r, 0, sizeof *r);
}

/* 1 loaded, 0 no such service, -1 error. */
static int row_load(sqlite3 *db, const char *id, struct svc_row *r)
{
	static const char *sql =
	    "SELECT display_name, current_status, current_status_detail, current_incident_id,"
	    " current_incident_title, in_maintenance, status_source, pending_status,"
	    " pending_status_count, pending_status_since, consecutive_failures, poller_health,"
	    " last_success_at, last_failure_reason, retired_at IS NOT NULL, baseline_at IS NOT NULL"
	    " FROM services WHERE id = ?1";
	memset(r, 0, sizeof *r);
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	r->display_name = db_col_dup(st, 0);
	if (st_status_parse((const char *)sqlite3_column_text(st, 1), &r->status) < 0)
		r->status = ST_UNKNOWN;
	r->detail = db_col_dup(st, 2);
	r->incident_id = db_col_dup(st, 3);
	r->incident_title = db_col_dup(st, 4);
	r->in_maintenance = sqlite3_column_int(st, 5);
	r->source = db_col_dup(st, 6);
	if (st_status_parse((const char *)sqlite3_column_text(st, 7), &r->pending) < 0)
		r->pending = ST_UNKNOWN;
	r->pending_count = sqlite3_column_int(st, 8);
	r->pending_since = db_col_dup(st, 9);
	r->failures = sqlite3_column_int(st, 10);
	if (st_health_parse((const char *)sqlite3_column_text(st, 11), &r->health) < 0)
		r->health = ST_HEALTHY;
	r->last_success_at = db_col_dup(st, 12);
	r->last_failure_reason = db_col_dup(st, 13);
	r->retired = sqlite3_column_int(st, 14);
	r->had_baseline = sqlite3_column_int(st, 15);
	sqlite3_reset(st);
	return 1;
}

static int row_save(sqlite3 *db, const char *id, const struct svc_row *r, const char *polled_at,
		    const char *changed_at, const char *baseline_at)
{
	static const char *sql =
	    "UPDATE services SET current_status = ?2, current_status_detail = ?3,"
	    " current_incident_id = ?4, current_incident_title = ?5, in_maintenance = ?6,"
	    " status_source = ?7, pending_status = ?8, pending_status_count = ?9,"
	    " pending_status_since = ?10, consecutive_failures = ?11, poller_health = ?12,"
	    " last_success_at = ?13, last_failure_reason = ?14,"
	    " last_polled_at = COALESCE(?15, last_polled_at),"
	    " last_status_change_at = COALESCE(?16, last_status_change_at),"
	    " baseline_at = COALESCE(baseline_at, ?17) WHERE id = ?1";
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, st_status_str(r->status));
	db_bind_text(st, 3, r->detail);
	db_bind_text(st, 4, r->incident_id);
	db_bind_text(st, 5, r->incident_title);
	sqlite3_bind_int(st, 6, r->in_maintenance ? 1 : 0);
	db_bind_text(st, 7, r->source ? r->source : "poll");
	db_bind_text(st, 8, r->pending == ST_UNKNOWN ? NULL : st_status_str(r->pending));
	sqlite3_bind_int(st, 9, r->pending_count);
	db_bind_text(st, 10, r->pending_since);
	sqlite3_bind_int(st, 11, r->failures);
	db_bind_text(st, 12, st_health_str(r->health));
	db_bind_text(st, 13, r->last_success_at);
	db_bind_text(st, 14, r->last_failure_reason);
	db_bind_text(st, 15, polled_at);
	db_bind_text(st, 16, changed_at);
	db_bind_text(st, 17, baseline_at);
	return db_step_done(st);
}

/* One status_events row; NULL fields are SQL NULL. */
struct ev {
	const char *service_id, *kind;
	const char *prev_status, *new_status, *prev_health, *new_health;
	int is_baseline, in_maintenance;
	const char *vendor_title, *vendor_detail, *vendor_incident_id, *impact, *failure_reason;
	const char *source, *updated_by, *reason, *client_ip;
	int64_t inbox_id;
	const char *created_at;
};

static int64_t insert_event(sqlite3 *db, const struct ev *e)
{
	static const char *sql =
	    "INSERT INTO status_events (service_id, kind, previous_status, new_status,"
	    " previous_health, new_health, is_baseline, in_maintenance, vendor_title,"
	    " vendor_detail, vendor_incident_id, impact_statement, failure_reason, source,"
	    " updated_by, reason, client_ip, inbox_id, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18, ?19)";
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, e->service_id);
	db_bind_text(st, 2, e->kind);
	db_bind_text(st, 3, e->prev_status);
	db_bind_text(st, 4, e->new_status);
	db_bind_text(st, 5, e->prev_health);
	db_bind_text(st, 6, e->new_health);
	sqlite3_bind_int(st, 7, e->is_baseline);
	sqlite3_bind_int(st, 8, e->in_maintenance);
	db_bind_text(st, 9, e->vendor_title);
	db_bind_text(st, 10, e->vendor_detail);
	db_bind_text(st, 11, e->vendor_incident_id);
	db_bind_text(st, 12, e->impact);
	db_bind_text(st, 13, e->failure_reason);
	db_bind_text(st, 14, e->source);
	db_bind_text(st, 15, e->updated_by);
	db_bind_text(st, 16, e->reason);
	db_bind_text(st, 17, e->client_ip);
	if (e->inbox_id > 0)
		sqlite3_bind_int64(st, 18, e->inbox_id);
	else
		sqlite3_bind_null(st, 18);
	db_bind_text(st, 19, e->created_at);
	if (db_step_done(st) < 0)
		return -1;
	return sqlite3_last_insert_rowid(db);
}

/* Replace *dst by a copy of src. */
static void set_str(char **dst, const char *src)
{
	if (*dst == src)
		return;
	free(*dst);
	*dst = xstrdup_or_null(src);
}

static int64_t since_ms(const char *s)
{
	if (!s)
		return FLAP_SINCE_NONE;
	int64_t ms;
	return ts_parse(s, &ms) == 0 ? ms : FLAP_SINCE_BAD;
}

static int commit_event(sqlite3 *db, const struct store_cfg *c, const char *service_id,
			enum st_status prev, enum st_status next, int baseline,
			const struct svc_row *row, const char *source, const struct push *p,
			const char *now_iso, int64_t *event_id)
{
	char *impact;
	if (baseline)
		impact = xasprintf("Monitoring started: %s is %s.",
				   row->display_name ? row->display_name : service_id,
				   st_status_label(next));
	else
		impact = impact_for_service(db, service_id, next, row->detail, c->sso_broker_id);
	struct ev e = {
	    .service_id = service_id,
	    .kind = "status",
	    .prev_status = st_status_str(prev),
	    .new_status = st_status_str(next),
	    .is_baseline = baseline,
	    .in_maintenance = row->in_maintenance,
	    .vendor_title = row->incident_title,
	    .vendor_detail = row->detail,
	    .vendor_incident_id = row->incident_id,
	    .impact = impact,
	    .source = source,
	    .updated_by = p ? p->updated_by : NULL,
	    .reason = p ? p->reason : NULL,
	    .client_ip = p ? p->client_ip : NULL,
	    .inbox_id = p ? p->inbox_id : 0,
	    .created_at = now_iso,
	};
	*event_id = insert_event(db, &e);
	free(impact);
	if (*event_id < 0)
		return -1;
	met_set(MET_SERVICE_STATUS, st_status_gauge(next), service_id);
	const char *kv[] = {"service", service_id,	    "from",   st_status_str(prev),
			    "to",      st_status_str(next), "source", source,
			    NULL};
	log_kv(LOG_LVL_INFO, kv, "%s %s: %s -> %s", baseline ? "baseline" : "status change",
	       service_id, st_status_str(prev), st_status_str(next));
	return 0;
}

/*
 * Keep the reading's drift notes on the service (doc/drift.md): the latest
 * text, when that text was first seen -- logged then, once, not on every
 * poll -- and when it was last seen; one count per reading and vendor field
 * in format_drift_total. 0 or -1.
 */
static int record_drift(sqlite3 *db, const char *service_id, const struct fmt_reading *r,
			const char *now)
{
	if (!r->ndrift)
		return 0;
	for (size_t i = 0; i < r->ndrift; i++) {
		met_add(MET_FORMAT_DRIFT_TOTAL, 1, service_id, r->drift[i].field);
	}
	char *text = fmt_drift_text(r);
	sqlite3_stmt *st = stmt_get(db, "SELECT drift_note FROM services WHERE id = ?1");
	if (!st) {
		free(text);
		return -1;
	}
	db_bind_text(st, 1, service_id);
	int rc = sqlite3_step(st);
	const unsigned char *old = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	int fresh = !old || strcmp((const char *)old, text) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(text);
		return -1;
	}
	st = stmt_get(db, "UPDATE services SET drift_note = ?2, drift_last_seen_at = ?3,"
			  " drift_first_seen_at = CASE WHEN ?4 THEN ?3 ELSE drift_first_seen_at END"
			  " WHERE id = ?1");
	if (!st) {
		free(text);
		return -1;
	}
	db_bind_text(st, 1, service_id);
	db_bind_text(st, 2, text);
	db_bind_text(st, 3, now);
	sqlite3_bind_int(st, 4, fresh);
	int done = db_step_done(st);
	if (done == 0 && fresh) {
		const char *kv[] = {"service", service_id, "drift", text, NULL};
		log_kv(LOG_LVL_WARNING, kv, "vendor format drift for %s: %s", service_id, text);
	}
	free(text);
	return done;
}

int store_apply_poll(sqlite3 *db, const struct store_cfg *c, const struct poll_result *pr,
		     struct apply_out *out)
{
	const struct fmt_reading *r = pr->r;
	char now[TS_ISO_LEN + 1];
	ts_format(pr->now_ms, now);
	memset(out, 0, sizeof *out);
	struct svc_row row;
	int found = row_load(db, pr->service_id, &row);
	if (found <= 0) {
		if (found == 0)
			log_warn("poll result for unknown service %s dropped", pr->service_id);
		return found == 0 ? 0 : -1;
	}
	int ok = r->ok && r->status != ST_UNKNOWN;
	const char *reason = ok		 ? NULL
			     : r->reason ? r->reason
					 : "parse_error: reading without a status";

	/* Poller health, on every result (doc/compat.md#s7-5). */
	struct health_state hs = {row.health, row.failures};
	enum st_health hbefore = row.health;
	int htrans = health_next(&hs, ok, c->failure_threshold);
	row.health = hs.health;
	row.failures = hs.failures;
	if (ok) {
		set_str(&row.last_success_at, now);
		set_str(&row.last_failure_reason, NULL);
	} else {
		set_str(&row.last_failure_reason, reason);
	}
	const char *changed_at = NULL, *baseline_at = NULL;
	int rc = 0;
	if (ok) {
		if (maint_sync_vendor(db, pr->service_id, r->maints, r->nmaints, now) < 0)
			goto fail;
		int win = maint_window_active(db, pr->service_id, now);
		if (win < 0)
			goto fail;
		row.in_maintenance = r->in_maintenance || win;

		struct flap_cfg fc = c->flap;
		struct flap_state fs = {
		    .committed = row.status,
		    .pending = row.pending,
		    .count = row.pending_count,
		    .since_ms = since_ms(row.pending_since),
		    .pushed = row.source && strcmp(row.source, "poll") != 0,
		};
		enum st_status prev = row.status;
		out->verdict = flap_decide(&fc, &fs, r->status, pr->now_ms);
		row.pending = fs.pending;
		row.pending_count = fs.count;
		if (fs.pending == ST_UNKNOWN)
			set_str(&row.pending_since, NULL);
		else if (fs.since_ms != FLAP_SINCE_BAD &&
			 (out->verdict == FLAP_WAIT && fs.count == 1)) {
			char since[TS_ISO_LEN + 1];
			set_str(&row.pending_since, ts_format(fs.since_ms, since));
		}
		if (out->verdict != FLAP_WAIT) {
			/* Stable or committed: the vendor's latest words describe
			 * the committed status. While a change is only pending,
			 * the committed status keeps its own detail. */
			set_str(&row.detail, r->detail);
			set_str(&row.incident_id, r->incident_id);
			set_str(&row.incident_title, r->incident_title);
			if (!fs.pushed)
				set_str(&row.source, "poll");
		}
		if (out->verdict == FLAP_COMMIT || out->verdict == FLAP_BASELINE) {
			row.status = fs.committed;
			changed_at = now;
			if (out->verdict == FLAP_BASELINE)
				baseline_at = now;
			/* Only the very first reading is a silent baseline; an operator
			 * who set "unknown" gets the next reading as a real change. */
			int baseline = out->verdict == FLAP_BASELINE && !row.had_baseline;
			if (commit_event(db, c, pr->service_id, prev, row.status, baseline, &row,
					 pr->source, NULL, now, &out->event_id) < 0)
				goto fail;
		}
	}
	if (row_save(db, pr->service_id, &row, now, changed_at, baseline_at) < 0)
		goto fail;
	if (ok && record_drift(db, pr->service_id, r, now) < 0)
		goto fail;
	if (htrans) {
		struct ev e = {
		    .service_id = pr->service_id,
		    .kind = "health",
		    .prev_health = st_health_str(hbefore),
		    .new_health = st_health_str(row.health),
		    .in_maintenance = row.in_maintenance,
		    .failure_reason = ok ? NULL : reason,
		    .source = pr->source,
		    .created_at = now,
		};
		out->health_event_id = insert_event(db, &e);
		if (out->health_event_id < 0)
			goto fail;
		const char *kv[] = {"service", pr->service_id,
				    "from",    st_health_str(hbefore),
				    "to",      st_health_str(row.health),
				    "reason",  ok ? NULL : reason,
				    NULL};
		log_kv(row.health == ST_BROKEN ? LOG_LVL_WARNING : LOG_LVL_INFO, kv,
		       "poller for %s is %s", pr->service_id, st_health_str(row.health));
	}
	met_set(MET_POLLER_HEALTH_STATE, (double)row.health, pr->service_id);
	out->status = row.status;
	out->health = row.health;
	out->in_maintenance = row.in_maintenance;
	row_release(&row);
	return 0;
fail:
	rc = -1;
	row_release(&row);
	return rc;
}

int store_apply_push(sqlite3 *db, const struct store_cfg *c, const struct push *p,
		     struct push_out *out, char **err)
{
	char now[TS_ISO_LEN + 1];
	ts_format(p->now_ms, now);
	memset(out, 0, sizeof *out);
	*err = NULL;
	struct svc_row row;
	int found = row_load(db, p->service_id, &row);
	if (found <= 0) {
		*err = found == 0 ? xasprintf("service %s not found", p->service_id)
				  : xstrdup("database error");
		return -1;
	}
	if (row.retired) {
		*err = xasprintf("service %s is retired", p->service_id);
		row_release(&row);
		return -1;
	}
	out->previous = row.status;
	if (p->vendor_maint >= 0) {
		int win = maint_window_active(db, p->service_id, now);
		if (win < 0)
			goto fail;
		row.in_maintenance = p->vendor_maint || win;
	}
	/* Pushed statuses bypass the buffer and clear it (doc/compat.md#s6-3), and
	 * mark the status as pushed so one stale poll cannot undo it. */
	row.pending = ST_UNKNOWN;
	row.pending_count = 0;
	set_str(&row.pending_since, NULL);
	set_str(&row.source, p->source);
	const char *changed_at = NULL;
	if (p->status == row.status) {
		/* Same status: only the words change (seed: a non-null detail). */
		if (p->detail)
			set_str(&row.detail, p->detail);
		if (p->incident_id || p->incident_title) {
			set_str(&row.incident_id, p->incident_id);
			set_str(&row.incident_title, p->incident_title);
		}
	} else {
		set_str(&row.detail, p->detail);
		set_str(&row.incident_id, p->incident_id);
		set_str(&row.incident_title, p->incident_title);
		enum st_status prev = row.status;
		row.status = p->status;
		changed_at = now;
		out->changed = 1;
		if (commit_event(db, c, p->service_id, prev, row.status, 0, &row, p->source, p, now,
				 &out->event_id) < 0)
			goto fail;
	}
	if (row_save(db, p->service_id, &row, NULL, changed_at, NULL) < 0)
		goto fail;
	row_release(&row);
	return 0;
fail:
	*err = xstrdup("database error");
	row_release(&row);
	return -1;
}

int store_set_maintenance(sqlite3 *db, const char *service_id, int flag)
{
	static const char *sql = "UPDATE services SET in_maintenance = ?2 WHERE id = ?1"
				 " AND in_maintenance != ?2";
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, service_id);
	sqlite3_bind_int(st, 2, flag ? 1 : 0);
	if (db_step_done(st) < 0)
		return -1;
	return sqlite3_changes(db) > 0;
}
