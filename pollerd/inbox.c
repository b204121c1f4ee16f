/*
 * inbox: commands for pollerd that arrive through the database
 * (doc/design.md#inbox):
 * manual status updates and Statuspage webhooks (both through the one state
 * machine in store.c, bypassing the flap buffer), and local maintenance
 * windows. apid inserts a row and waits ~3 s for its result, so the inbox is
 * looked at every 250 ms even in the middle of a cycle; PRAGMA data_version
 * tells whether any other connection committed since the last look, which
 * makes an idle look one pragma.
 *
 * Each row is applied in its own transaction together with its state change
 * ('applied' with a result, or 'rejected' with an error), so a crash never
 * applies a command twice or loses it. A rejected command leaves no trace
 * but its error.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "xalloc.h"

#define INBOX_BATCH 64

/* A string member, or NULL when absent / not a string. */
static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Outcome of one command: result JSON (applied) or error (rejected). */
struct verdict {
	char *result;
	char *error;
	int64_t event_id;
};

/* The result JSON apid answers with. Caller frees. */
static char *status_result(const char *service_id, enum st_status status, enum st_status previous,
			   int changed, int64_t event_id, const char *ignored)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "service_id", service_id);
	cJSON_AddStringToObject(o, "status", st_status_str(status));
	cJSON_AddStringToObject(o, "previous_status", st_status_str(previous));
	cJSON_AddBoolToObject(o, "status_changed", changed);
	if (event_id > 0)
		cJSON_AddNumberToObject(o, "event_id", (double)event_id);
	else
		cJSON_AddNullToObject(o, "event_id");
	if (ignored)
		cJSON_AddStringToObject(o, "ignored", ignored);
	char *txt = cJSON_PrintUnformatted(o);
	char *s = xstrdup(txt);
	cJSON_free(txt);
	cJSON_Delete(o);
	return s;
}

static void apply_manual(struct pollerd *p, int64_t id, const char *sid, const cJSON *pl,
			 const char *client_ip, struct verdict *v)
{
	const char *status = jstr(pl, "status");
	enum st_status st;
	if (!status || st_status_parse(status, &st) < 0) {
		v->error = xasprintf("invalid status '%s'", status ? status : "(missing)");
		return;
	}
	const char *reason = jstr(pl, "reason");
	if (!reason || !*reason) {
		v->error = xstrdup("reason is required");
		return;
	}
	const char *who = jstr(pl, "updated_by");
	struct push ps = {
	    .service_id = sid,
	    .source = "manual",
	    .status = st,
	    .vendor_maint = -1,
	    .detail = jstr(pl, "detail"),
	    .updated_by = who ? who : "admin",
	    .reason = reason,
	    .client_ip = client_ip,
	    .inbox_id = id,
	    .now_ms = ts_now_ms(),
	};
	struct push_out out;
	if (store_apply_push(p->db, &p->scfg, &ps, &out, &v->error) < 0)
		return;
	v->event_id = out.event_id;
	v->result = status_result(sid, st, out.previous, out.changed, out.event_id, NULL);
}

/* The committed status of a service (unknown when absent). */
static enum st_status current_status(sqlite3 *db, const char *sid)
{
	static const char *sql = "SELECT current_status FROM services WHERE id = ?1";
	enum st_status st = ST_UNKNOWN;
	sqlite3_stmt *q = stmt_get(db, sql);
	if (!q)
		return st;
	db_bind_text(q, 1, sid);
	if (sqlite3_step(q) != SQLITE_ROW ||
	    st_status_parse((const char *)sqlite3_column_text(q, 0), &st) < 0)
		st = ST_UNKNOWN;
	sqlite3_reset(q);
	return st;
}

static void apply_webhook(struct pollerd *p, int64_t id, const char *sid, const char *payload,
			  struct verdict *v)
{
	const struct reg_service *s = reg_find(&p->conf.reg, sid);
	if (!s) {
		v->error = xasprintf("service %s not found", sid);
		return;
	}
	struct fmt_opts o;
	int64_t now = ts_now_ms();
	cycle_fmt_opts(p, s, now, &o);
	struct fmt_reading rd;
	int rc = webhook_statuspage(payload, strlen(payload), &o, &rd);
	if (rc < 0) {
		v->error = xstrdup(rd.reason ? rd.reason : "parse_error: unusable webhook payload");
	} else if (rc == 0) {
		/* Nothing for this service: a successful no-op, as the seed's
		 * 200 for an unrecognised shape. */
		enum st_status cur = current_status(p->db, sid);
		v->result =
		    status_result(sid, cur, cur, 0, 0, rd.reason ? rd.reason : "not applicable");
	} else {
		struct push ps = {
		    .service_id = sid,
		    .source = "webhook",
		    .status = rd.status,
		    .vendor_maint = rd.in_maintenance,
		    .detail = rd.detail,
		    .incident_id = rd.incident_id,
		    .incident_title = rd.incident_title,
		    .inbox_id = id,
		    .now_ms = now,
		};
		struct push_out out;
		if (store_apply_push(p->db, &p->scfg, &ps, &out, &v->error) == 0) {
			cycle_set_vendor_maint(p, sid, rd.in_maintenance);
			v->event_id = out.event_id;
			v->result = status_result(sid, rd.status, out.previous, out.changed,
						  out.event_id, NULL);
		}
	}
	fmt_reading_release(&rd);
}

/* services.in_maintenance after a window changed. */
static int refresh_maintenance(struct pollerd *p, const char *sid)
{
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	int win = maint_window_active(p->db, sid, now);
	if (win < 0)
		return -1;
	return store_set_maintenance(p->db, sid, cycle_vendor_maint(p, sid) || win) < 0 ? -1 : 0;
}

/* A registered service id is a slug of at most 64 bytes: the result is
 * tiny, and the cap only makes that explicit. */
#define MAINT_RESULT_CAP 1024

/* The inbox result of a maintenance command: {"id":..,"service_id":..,
 * "status":..}. Caller frees. */
static char *maint_result(int64_t mid, const char *sid, const char *status)
{
	struct buf b;
	buf_init(&b, MAINT_RESULT_CAP);
	buf_printf(&b, "{\"id\":%lld,\"service_id\":", (long long)mid);
	buf_put_json_str(&b, sid);
	buf_printf(&b, ",\"status\":\"%s\"}", status);
	if (buf_check(&b, "maintenance result") < 0) { /* the command did apply: say so */
		buf_release(&b);
		return xasprintf("{\"id\":%lld,\"status\":\"%s\"}", (long long)mid, status);
	}
	return buf_steal(&b);
}

static void apply_maint_create(struct pollerd *p, const char *col_sid, const cJSON *pl,
			       struct verdict *v)
{
	const char *sid = jstr(pl, "service_id");
	if (!sid)
		sid = col_sid;
	const char *title = jstr(pl, "title"), *from = jstr(pl, "scheduled_for"),
		   *until = jstr(pl, "scheduled_until");
	char for_iso[TS_ISO_LEN + 1], until_iso[TS_ISO_LEN + 1];
	if (!sid || !reg_find(&p->conf.reg, sid)) {
		v->error = xasprintf("service %s not found", sid ? sid : "(missing)");
		return;
	}
	if (!title || !*title) {
		v->error = xstrdup("title is required");
		return;
	}
	if (!from || ts_normalize(from, for_iso) < 0) {
		v->error = xasprintf("scheduled_for '%s' is not a date", from ? from : "(missing)");
		return;
	}
	if (until && ts_normalize(until, until_iso) < 0) {
		v->error = xasprintf("scheduled_until '%s' is not a date", until);
		return;
	}
	if (until && strcmp(until_iso, for_iso) < 0) {
		v->error = xstrdup("scheduled_until is before scheduled_for");
		return;
	}
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	int64_t mid =
	    maint_create_local(p->db, sid, title, jstr(pl, "description"), for_iso,
			       until ? until_iso : NULL, jstr(pl, "created_by"), now, &v->error);
	if (mid < 0)
		return;
	if (refresh_maintenance(p, sid) < 0) {
		v->error = xstrdup("database error");
		return;
	}
	v->result = maint_result(mid, sid, "scheduled");
}

static void apply_maint_cancel(struct pollerd *p, const cJSON *pl, struct verdict *v)
{
	const cJSON *idv = cJSON_GetObjectItemCaseSensitive(pl, "id");
	if (!cJSON_IsNumber(idv) || idv->valuedouble < 1 ||
	    idv->valuedouble != (double)(int64_t)idv->valuedouble) {
		v->error = xstrdup("id must be a maintenance id");
		return;
	}
	int64_t mid = (int64_t)idv->valuedouble;
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	char *sid = NULL;
	if (maint_cancel_local(p->db, mid, now, &sid, &v->error) < 0)
		return;
	if (refresh_maintenance(p, sid) < 0) {
		v->error = xstrdup("database error");
		free(sid);
		return;
	}
	v->result = maint_result(mid, sid, "cancelled");
	free(sid);
}

static int mark(sqlite3 *db, int64_t id, const struct verdict *v)
{
	static const char *sql =
	    "UPDATE inbox SET state = ?2, result = ?3, error = ?4, event_id = ?5, applied_at = ?6"
	    " WHERE id = ?1 AND state = 'pending'";
	char now[TS_ISO_LEN + 1];
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, v->error ? "rejected" : "applied");
	db_bind_text(st, 3, v->error ? NULL : v->result);
	db_bind_text(st, 4, v->error);
	if (v->event_id > 0 && !v->error)
		sqlite3_bind_int64(st, 5, v->event_id);
	else
		sqlite3_bind_null(st, 5);
	db_bind_text(st, 6, ts_now_iso(now));
	return db_step_done(st);
}

int inbox_apply_one(struct pollerd *p, int64_t id, const char *kind, const char *service_id,
		    const char *payload, const char *client_ip)
{
	struct verdict v = {0};
	/* One try with pollerd's short busy timeout: while another process
	 * holds the lock the row stays pending and is applied later. */
	if (db_begin_once(p->db) != 0)
		return -1;
	cJSON *pl = jsonck_parse_str(payload ? payload : "", JSONCK_LENIENT);
	if (!kind) {
		v.error = xstrdup("missing kind");
	} else if (!strcmp(kind, "webhook_statuspage")) {
		if (!service_id)
			v.error = xstrdup("service_id is required");
		else
			apply_webhook(p, id, service_id, payload ? payload : "", &v);
	} else if (!cJSON_IsObject(pl)) {
		v.error = xstrdup("payload is not a JSON object");
	} else if (!strcmp(kind, "manual_status")) {
		const char *sid = service_id ? service_id : jstr(pl, "service_id");
		if (!sid)
			v.error = xstrdup("service_id is required");
		else
			apply_manual(p, id, sid, pl, client_ip, &v);
	} else if (!strcmp(kind, "maintenance_create")) {
		apply_maint_create(p, service_id, pl, &v);
	} else if (!strcmp(kind, "maintenance_cancel")) {
		apply_maint_cancel(p, pl, &v);
	} else {
		v.error = xasprintf("pollerd does not handle inbox kind %s", kind);
	}
	cJSON_Delete(pl);
	int rc = 0;
	if (v.error) {
		/* Nothing of a rejected command may stay: undo, then record
		 * only the rejection. */
		db_rollback(p->db);
		rc = db_begin(p->db);
	}
	if (rc == 0 && mark(p->db, id, &v) == 0)
		rc = db_commit(p->db);
	else
		rc = -1;
	if (rc < 0)
		db_rollback(p->db);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *kv[] = {"inbox_id", ids,	 "kind",  kind, "service",
			    service_id, "error", v.error, NULL};
	log_kv(v.error ? LOG_LVL_WARNING : LOG_LVL_INFO, kv, "inbox command %s %s", ids,
	       rc < 0	 ? "failed"
	       : v.error ? "rejected"
			 : "applied");
	free(v.result);
	free(v.error);
	return rc;
}

struct row {
	int64_t id;
	char *kind, *service_id, *payload, *client_ip;
};

int inbox_poll(struct pollerd *p, int force)
{
	static const char *sql =
	    "SELECT id, kind, service_id, payload, client_ip FROM inbox"
	    " WHERE consumer = 'pollerd' AND state = 'pending' ORDER BY id LIMIT 64";
	int64_t dv = db_data_version(p->db);
	if (!force && dv == p->inbox_data_version)
		return 0;
	p->inbox_data_version = dv;
	int handled = 0;
	for (;;) {
		sqlite3_stmt *st = stmt_get(p->db, sql);
		if (!st)
			return -1;
		struct row rows[INBOX_BATCH];
		size_t n = 0;
		while (n < INBOX_BATCH && sqlite3_step(st) == SQLITE_ROW) {
			rows[n].id = sqlite3_column_int64(st, 0);
			rows[n].kind = db_col_dup(st, 1);
			rows[n].service_id = db_col_dup(st, 2);
			rows[n].payload = db_col_dup(st, 3);
			rows[n].client_ip = db_col_dup(st, 4);
			n++;
		}
		sqlite3_reset(st);
		int rc = 0;
		for (size_t i = 0; i < n; i++) {
			if (rc == 0 &&
			    inbox_apply_one(p, rows[i].id, rows[i].kind, rows[i].service_id,
					    rows[i].payload, rows[i].client_ip) < 0)
				rc = -1;
			free(rows[i].kind);
			free(rows[i].service_id);
			free(rows[i].payload);
			free(rows[i].client_ip);
		}
		if (rc < 0) {
			/* Look again next time even if nothing else changes. */
			p->inbox_data_version = -1;
			return -1;
		}
		handled += (int)n;
		if (n < INBOX_BATCH)
			break;
	}
	return handled;
}
