/*
 * admin: the bearer-token endpoints. POST /api/admin/status keeps the seed's
 * contract exactly (doc/compat.md#s5-16, doc/operations.md#manual-status): token unset 503,
 * header missing 401 with WWW-Authenticate, wrong token 403 (constant-time
 * compare), bad body 422, unknown service 404, else 200 with the full service
 * row and {status_changed, previous_status}. What changed is the path: the
 * command goes through the inbox so pollerd's one state machine applies it
 * (doc/design.md#inbox); apid waits up to admin_wait_ms and answers 202 with the inbox
 * id if pollerd has not answered by then (the command stays queued).
 *
 * Also local maintenance windows (create/cancel) through the same inbox, and
 * GET /api/admin/inbox/{id} to follow a 202.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "jsonck.h"
#include "log.h"
#include "status.h"
#include "xalloc.h"

int admin_auth(struct req *r)
{
	const char *token = r->cfg->secrets.admin_api_token;
	if (!token) {
		http_error(r, 503, "ADMIN_NOT_CONFIGURED",
			   "Admin API is disabled: ADMIN_API_TOKEN is not configured");
		return -1;
	}
	const char *h = req_header(r, "Authorization");
	if (!h || strncmp(h, "Bearer ", 7)) {
		http_error(r, 401, "MISSING_BEARER_TOKEN", "Missing bearer token");
		return -1;
	}
	if (!ct_equal(h + 7, token)) {
		log_warn("admin request from %s with a wrong token", req_client_ip(r));
		http_error(r, 403, "INVALID_BEARER_TOKEN", "Invalid bearer token");
		return -1;
	}
	return 0;
}

/* Characters (UTF-8 code points), as the seed's length limits count them. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A string field: required or optional (null allowed), length in [min, max].
 * The value (or NULL) goes to *out. 0 valid, -1 after adding a 422 item. */
static int str_field(const cJSON *body, const char *name, int required, size_t min, size_t max,
		     const char **out, cJSON *errs)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		verr_add(errs, "body", name, "missing", "Field required");
		return -1;
	}
	if (!cJSON_IsString(v)) {
		verr_add(errs, "body", name, "string_type", "Input should be a valid string");
		return -1;
	}
	size_t n = utf8_len(v->valuestring);
	char msg[96];
	if (n < min) {
		snprintf(msg, sizeof msg, "String should have at least %zu character%s", min,
			 min == 1 ? "" : "s");
		verr_add(errs, "body", name, "string_too_short", msg);
		return -1;
	}
	if (n > max) {
		snprintf(msg, sizeof msg, "String should have at most %zu characters", max);
		verr_add(errs, "body", name, "string_too_long", msg);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

int admin_status_validate(const cJSON *body, cJSON *errs)
{
	const char *v;
	int bad = str_field(body, "service_id", 1, 1, 128, &v, errs) < 0;
	if (str_field(body, "new_status", 1, 1, 64, &v, errs) < 0) {
		bad = 1;
	} else {
		enum st_status s;
		if (st_status_parse(v, &s) < 0) {
			verr_add(errs, "body", "new_status", "enum",
				 "Input should be 'operational', 'degraded', 'partial_outage', "
				 "'major_outage' or 'unknown'");
			bad = 1;
		}
	}
	bad |= str_field(body, "detail", 0, 0, 2000, &v, errs) < 0;
	bad |= str_field(body, "reason", 1, 3, 500, &v, errs) < 0;
	return bad ? -1 : 0;
}

/* Authenticate, then read and parse a JSON object body (caller deletes);
 * NULL after answering 401/403/503/413/400/422 itself. The token is checked
 * before a byte of the body is read: an anonymous client never gets a
 * worker to wait on its body, nor the parser to chew on it. */
static cJSON *json_body(struct req *r)
{
	if (admin_auth(r) < 0)
		return NULL;
	if (http_read_body(r, APID_ADMIN_BODY_MAX) < 0)
		return NULL;
	const char *why;
	cJSON *body = jsonck_parse(r->body.data, r->body.len, JSONCK_STRICT, &why);
	if (!body || !cJSON_IsObject(body)) {
		cJSON *errs = cJSON_CreateArray();
		if (!body && !strcmp(why, "JSON decode error"))
			verr_add(errs, "body", NULL, "json_invalid", why);
		else if (!body)
			verr_add(errs, "body", NULL, "parse_error", why);
		else
			verr_add(
			    errs, "body", NULL, "model_attributes_type",
			    "Input should be a valid dictionary or object to extract fields from");
		cJSON_Delete(body);
		http_validation(r, errs);
		return NULL;
	}
	return body;
}

static int service_exists(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT 1 FROM services WHERE id = ?1 AND retired_at IS NULL");
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The 202 answer: pollerd has not applied the command yet; it stays queued. */
static void answer_queued(struct req *r, int64_t id, const char *kind)
{
	cJSON *data = cJSON_CreateObject();
	cJSON_AddNumberToObject(data, "inbox_id", (double)id);
	cJSON_AddStringToObject(data, "kind", kind);
	cJSON_AddStringToObject(data, "state", "pending");
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "data", data);
	cJSON_AddNullToObject(root, "error");
	cJSON *meta = cJSON_AddObjectToObject(root, "meta");
	cJSON_AddBoolToObject(meta, "queued", 1);
	char loc[96];
	snprintf(loc, sizeof loc, "Location: /api/admin/inbox/%lld\r\n", (long long)id);
	http_json(r, 202, root, loc);
}

static void answer_rejected(struct req *r, const char *error)
{
	http_error(r, 409, "COMMAND_REJECTED", "The command was rejected: %s",
		   error ? error : "no reason given");
}

/* Every column of the services row (the seed's answer), plus
 * effective_status; caller deletes. NULL when absent. */
static cJSON *service_row(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT s.*, " SQL_EFFECTIVE(
			       "s") " AS effective_status FROM services s WHERE s.id = ?1");
	if (!st)
		return NULL;
	db_bind_text(st, 1, id);
	cJSON *row = sqlite3_step(st) == SQLITE_ROW ? json_row(st) : NULL;
	sqlite3_finalize(st);
	if (row) { /* the same boolean the service objects carry */
		cJSON *m = cJSON_GetObjectItem(row, "in_maintenance");
		if (cJSON_IsNumber(m))
			cJSON_ReplaceItemInObject(row, "in_maintenance",
						  cJSON_CreateBool(m->valuedouble != 0));
	}
	return row;
}

void h_admin_status(struct req *r)
{
	cJSON *body = json_body(r);
	if (!body)
		return;
	cJSON *errs = cJSON_CreateArray();
	if (admin_status_validate(body, errs) < 0) {
		cJSON_Delete(body);
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	const char *sid = cJSON_GetObjectItem(body, "service_id")->valuestring;
	sqlite3 *db = req_db(r);
	int exists = db ? service_exists(db, sid) : -1;
	if (exists <= 0) {
		if (exists < 0)
			http_db_error(r);
		else
			http_error(r, 404, "SERVICE_NOT_FOUND", "Service '%s' not found", sid);
		cJSON_Delete(body);
		return;
	}
	cJSON *payload = cJSON_CreateObject();
	cJSON_AddStringToObject(payload, "status",
				cJSON_GetObjectItem(body, "new_status")->valuestring);
	const cJSON *detail = cJSON_GetObjectItem(body, "detail");
	cJSON_AddItemToObject(payload, "detail",
			      cJSON_IsString(detail) ? cJSON_CreateString(detail->valuestring)
						     : cJSON_CreateNull());
	cJSON_AddStringToObject(payload, "reason",
				cJSON_GetObjectItem(body, "reason")->valuestring);
	cJSON_AddStringToObject(payload, "updated_by", "admin");
	char *text = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	int64_t id = inbox_insert(db, "manual_status", "pollerd", sid, text, req_client_ip(r));
	cJSON_free(text);
	if (id < 0) {
		cJSON_Delete(body);
		http_db_write_error(r);
		return;
	}
	cJSON *result;
	char *error;
	int outcome = inbox_wait(db, id, r->cfg->admin_wait_ms, &result, &error);
	if (outcome < 0) {
		answer_queued(r, id, "manual_status");
	} else if (outcome == 0) {
		answer_rejected(r, error);
	} else {
		cJSON *row = service_row(db, sid);
		cJSON *meta = cJSON_CreateObject();
		const cJSON *changed = cJSON_GetObjectItem(result, "status_changed");
		const cJSON *prev = cJSON_GetObjectItem(result, "previous_status");
		const cJSON *ev = cJSON_GetObjectItem(result, "event_id");
		cJSON_AddBoolToObject(meta, "status_changed", cJSON_IsTrue(changed));
		cJSON_AddItemToObject(meta, "previous_status",
				      cJSON_IsString(prev) ? cJSON_CreateString(prev->valuestring)
							   : cJSON_CreateNull());
		cJSON_AddItemToObject(meta, "event_id",
				      cJSON_IsNumber(ev) ? cJSON_CreateNumber(ev->valuedouble)
							 : cJSON_CreateNull());
		cJSON_AddNumberToObject(meta, "inbox_id", (double)id);
		log_info("manual status %s -> %s by admin from %s (inbox %lld)", sid,
			 cJSON_GetObjectItem(body, "new_status")->valuestring, req_client_ip(r),
			 (long long)id);
		http_envelope(r, 200, row, meta);
	}
	cJSON_Delete(result);
	free(error);
	cJSON_Delete(body);
}

/* A timestamp field normalised to the one ISO form; 422 item when invalid. */
static int time_field(const cJSON *body, const char *name, int required, char out[TS_ISO_LEN + 1],
		      int *present, cJSON *errs)
{
	const char *v;
	*present = 0;
	if (str_field(body, name, required, 1, 64, &v, errs) < 0)
		return -1;
	if (!v)
		return 0;
	if (ts_normalize(v, out) < 0) {
		verr_add(errs, "body", name, "datetime_parsing",
			 "Input should be a valid datetime");
		return -1;
	}
	*present = 1;
	return 0;
}

/* One maintenance window as the API shows it; caller deletes. NULL when absent. */
static cJSON *maintenance_row(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_MAINT_COLS " FROM scheduled_maintenances m"
			   " JOIN services s ON s.id = m.service_id WHERE m.id = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	cJSON *row = sqlite3_step(st) == SQLITE_ROW ? json_row(st) : NULL;
	sqlite3_finalize(st);
	return row;
}

/* The id pollerd reports for a maintenance command; 0 when absent. */
static int64_t result_id(const cJSON *result)
{
	static const char *const keys[] = {"maintenance_id", "id"};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItem(result, keys[i]);
		if (cJSON_IsNumber(v))
			return (int64_t)v->valuedouble;
	}
	return 0;
}

/* Wait for a maintenance command and answer with the window's row. */
static void maintenance_answer(struct req *r, sqlite3 *db, int64_t inbox_id, const char *kind,
			       int64_t known_id, int ok_status)
{
	cJSON *result;
	char *error;
	int outcome = inbox_wait(db, inbox_id, r->cfg->admin_wait_ms, &result, &error);
	if (outcome < 0) {
		answer_queued(r, inbox_id, kind);
	} else if (outcome == 0) {
		answer_rejected(r, error);
	} else {
		int64_t mid = known_id ? known_id : result_id(result);
		cJSON *row = mid ? maintenance_row(db, mid) : NULL;
		cJSON *meta = cJSON_CreateObject();
		cJSON_AddNumberToObject(meta, "inbox_id", (double)inbox_id);
		/* Without a row to show, show what pollerd said. */
		http_envelope(r, ok_status, row ? row : cJSON_Duplicate(result, 1), meta);
	}
	cJSON_Delete(result);
	free(error);
}

int admin_maint_validate(const cJSON *body, struct maint_fields *m, cJSON *errs)
{
	int has_from;
	int bad = str_field(body, "service_id", 1, 1, 128, &m->sid, errs) < 0;
	bad |= str_field(body, "title", 1, 1, 200, &m->title, errs) < 0;
	bad |= str_field(body, "description", 0, 0, 2000, &m->desc, errs) < 0;
	bad |= str_field(body, "created_by", 0, 1, 128, &m->by, errs) < 0;
	bad |= time_field(body, "scheduled_for", 1, m->from, &has_from, errs) < 0;
	bad |= time_field(body, "scheduled_until", 0, m->until, &m->has_until, errs) < 0;
	if (!bad && m->has_until && strcmp(m->until, m->from) <= 0) {
		verr_add(errs, "body", "scheduled_until", "value_error",
			 "scheduled_until must be after scheduled_for");
		bad = 1;
	}
	return bad ? -1 : 0;
}

void h_admin_maintenance_create(struct req *r)
{
	cJSON *body = json_body(r);
	if (!body)
		return;
	cJSON *errs = cJSON_CreateArray();
	struct maint_fields m;
	if (admin_maint_validate(body, &m, errs) < 0) {
		cJSON_Delete(body);
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	sqlite3 *db = req_db(r);
	int exists = db ? service_exists(db, m.sid) : -1;
	if (exists <= 0) {
		if (exists < 0)
			http_db_error(r);
		else
			http_error(r, 404, "SERVICE_NOT_FOUND", "Service '%s' not found", m.sid);
		cJSON_Delete(body);
		return;
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "service_id", m.sid);
	cJSON_AddStringToObject(p, "title", m.title);
	cJSON_AddStringToObject(p, "scheduled_for", m.from);
	cJSON_AddItemToObject(p, "scheduled_until",
			      m.has_until ? cJSON_CreateString(m.until) : cJSON_CreateNull());
	cJSON_AddItemToObject(p, "description",
			      m.desc ? cJSON_CreateString(m.desc) : cJSON_CreateNull());
	cJSON_AddStringToObject(p, "created_by", m.by ? m.by : "admin");
	char *text = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	int64_t id =
	    inbox_insert(db, "maintenance_create", "pollerd", m.sid, text, req_client_ip(r));
	cJSON_free(text);
	cJSON_Delete(body);
	if (id < 0) {
		http_db_write_error(r);
		return;
	}
	maintenance_answer(r, db, id, "maintenance_create", 0, 201);
}

/* A positive integer path parameter, or -1 after answering 422. */
static int64_t id_param(struct req *r, const char *name)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(r->params[0], &end, 10);
	if (*end || errno || v <= 0) {
		cJSON *errs = cJSON_CreateArray();
		verr_add(errs, "path", name, "int_parsing", "Input should be a positive integer");
		http_validation(r, errs);
		return -1;
	}
	return v;
}

void h_admin_maintenance_cancel(struct req *r)
{
	http_discard_body(r);
	if (admin_auth(r) < 0)
		return;
	int64_t mid = id_param(r, "id");
	if (mid < 0)
		return;
	sqlite3 *db = req_db(r);
	cJSON *row = db ? maintenance_row(db, mid) : NULL;
	if (!row) {
		if (!db)
			http_db_error(r);
		else
			http_error(r, 404, "MAINTENANCE_NOT_FOUND", "Maintenance %lld not found",
				   (long long)mid);
		return;
	}
	const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(row, "source"));
	if (!source || strcmp(source, "local")) {
		/* The vendor's feed would bring it back on the next poll. */
		http_error(r, 409, "MAINTENANCE_NOT_LOCAL",
			   "Maintenance %lld comes from the vendor's feed; only local windows can "
			   "be cancelled",
			   (long long)mid);
		cJSON_Delete(row);
		return;
	}
	char payload[64];
	snprintf(payload, sizeof payload, "{\"id\":%lld}", (long long)mid);
	int64_t id = inbox_insert(db, "maintenance_cancel", "pollerd",
				  cJSON_GetStringValue(cJSON_GetObjectItem(row, "service_id")),
				  payload, req_client_ip(r));
	cJSON_Delete(row);
	if (id < 0) {
		http_db_write_error(r);
		return;
	}
	maintenance_answer(r, db, id, "maintenance_cancel", mid, 200);
}

void h_admin_inbox(struct req *r)
{
	if (admin_auth(r) < 0)
		return;
	int64_t id = id_param(r, "id");
	if (id < 0)
		return;
	sqlite3 *db = req_db(r);
	cJSON *row = db ? inbox_row(db, id) : NULL;
	if (!row) {
		if (!db)
			http_db_error(r);
		else
			http_error(r, 404, "INBOX_NOT_FOUND", "Inbox entry %lld not found",
				   (long long)id);
		return;
	}
	http_envelope(r, 200, row, NULL);
}
