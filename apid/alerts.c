/*
 * alerts: GET /api/alerts, the alert log the seed never exposed (doc/compat.md#gaps):
 * every routing decision alertd made, fired or suppressed with its reason,
 * the delivery state of each message per destination (outbox), and acks.
 * Newest first; paging by an opaque cursor (the last row's id), so a page
 * never shifts while alertd keeps appending.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apid.h"
#include "db.h"

/* The outbox rows of one alert (st prepared by the caller); caller deletes. */
static cJSON *deliveries(sqlite3_stmt *st, int64_t alert_id)
{
	cJSON *arr = cJSON_CreateArray();
	if (!st)
		return arr;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, alert_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, json_row(st));
	sqlite3_reset(st);
	return arr;
}

cJSON *alerts_build(sqlite3 *db, const struct alerts_query *q, cJSON **meta)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT a.id, a.dedup_key, a.service_id, s.display_name AS service_name,"
	    " a.status_event_id, a.alert_kind, a.severity, a.previous_status, a.new_status,"
	    " a.aggregated_under, a.suppressed_by, COALESCE(a.suppressed_by, 'fired') AS decision,"
	    " a.slack_channel, a.first_sent_at, a.last_updated_at, a.acknowledged_at,"
	    " a.acknowledged_by, a.resolved_at"
	    " FROM alert_sent_log a LEFT JOIN services s ON s.id = a.service_id"
	    " WHERE (?1 IS NULL OR a.service_id = ?1) AND (?2 IS NULL OR a.alert_kind = ?2)"
	    " AND (?3 < 0 OR (?3 = 1) = (a.suppressed_by IS NOT NULL))"
	    " AND (?4 IS NULL OR a.first_sent_at >= ?4) AND (?5 <= 0 OR a.id < ?5)"
	    " ORDER BY a.id DESC LIMIT ?6");
	sqlite3_stmt *out = db_prepare(
	    db, "SELECT o.id, o.destination_kind, o.destination, o.state, o.attempts,"
		" o.next_attempt_at, o.last_http_status, o.last_error, o.created_at, o.sent_at"
		" FROM outbox o WHERE o.alert_id = ?1 ORDER BY o.id");
	if (!st || !out) {
		sqlite3_finalize(st);
		sqlite3_finalize(out);
		return NULL;
	}
	db_bind_text(st, 1, q->service_id);
	db_bind_text(st, 2, q->kind);
	sqlite3_bind_int(st, 3, q->suppressed);
	db_bind_text(st, 4, q->since);
	sqlite3_bind_int64(st, 5, q->cursor);
	sqlite3_bind_int64(st, 6, q->limit + 1); /* one more tells whether a next page exists */
	cJSON *data = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(data, "alerts");
	long n = 0;
	int64_t last = 0;
	int more = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		cJSON *row = json_row(st);
		last = sqlite3_column_int64(st, 0);
		cJSON_AddItemToObject(row, "deliveries", deliveries(out, last));
		cJSON_AddItemToArray(arr, row);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(out);
	if (more) {
		char c[32];
		snprintf(c, sizeof c, "%lld", (long long)last);
		cJSON_AddStringToObject(data, "next_cursor", c);
	} else {
		cJSON_AddNullToObject(data, "next_cursor");
	}
	if (meta) {
		*meta = cJSON_CreateObject();
		cJSON_AddNumberToObject(*meta, "limit", q->limit);
		cJSON_AddItemToObject(*meta, "service_id_filter",
				      q->service_id ? cJSON_CreateString(q->service_id)
						    : cJSON_CreateNull());
		cJSON_AddItemToObject(*meta, "kind_filter",
				      q->kind ? cJSON_CreateString(q->kind) : cJSON_CreateNull());
		cJSON_AddItemToObject(*meta, "suppressed_filter",
				      q->suppressed < 0 ? cJSON_CreateNull()
							: cJSON_CreateBool(q->suppressed));
		cJSON_AddItemToObject(*meta, "since",
				      q->since ? cJSON_CreateString(q->since) : cJSON_CreateNull());
	}
	return data;
}

void h_alerts(struct req *r)
{
	struct alerts_query q = {.suppressed = -1};
	char sid[256], kind[64], sup[16], since[64], cursor[32];
	char since_iso[TS_ISO_LEN + 1];
	cJSON *errs = cJSON_CreateArray();
	q.service_id = q_filter(r, "service_id", sid, sizeof sid);
	q.kind = q_filter(r, "kind", kind, sizeof kind);
	int bad = q_int(r, "limit", 50, 1, 200, &q.limit, errs) < 0;
	if (q_filter(r, "suppressed", sup, sizeof sup)) {
		if (!strcasecmp(sup, "true") || !strcmp(sup, "1"))
			q.suppressed = 1;
		else if (!strcasecmp(sup, "false") || !strcmp(sup, "0"))
			q.suppressed = 0;
		else {
			verr_add(errs, "query", "suppressed", "bool_parsing",
				 "Input should be a valid boolean");
			bad = 1;
		}
	}
	if (q_filter(r, "since", since, sizeof since)) {
		/* Canonical form, so the text comparison with first_sent_at is a
		 * time comparison. */
		if (ts_normalize(since, since_iso) < 0) {
			verr_add(errs, "query", "since", "datetime_parsing",
				 "Input should be a valid datetime");
			bad = 1;
		} else {
			q.since = since_iso;
		}
	}
	if (q_filter(r, "cursor", cursor, sizeof cursor)) {
		char *end = NULL;
		errno = 0;
		long long c = strtoll(cursor, &end, 10);
		if (!*cursor || *end || errno || c <= 0) {
			verr_add(errs, "query", "cursor", "cursor_invalid",
				 "Input should be a cursor returned as next_cursor");
			bad = 1;
		}
		q.cursor = c;
	}
	if (bad) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	sqlite3 *db = req_db(r);
	cJSON *meta = NULL;
	cJSON *data = db ? alerts_build(db, &q, &meta) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, meta);
}
