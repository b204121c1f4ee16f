/*
 * reports: GET /api/reports (doc/compat.md#s5-15) -- the incident reports alertd
 * writes on recovery, newest first, without the stored events_json (the
 * timeline has the events) and with the seed's duration_human.
 */
#include <stdio.h>

#include "apid.h"
#include "db.h"

cJSON *reports_build(sqlite3 *db, const char *service_id, long limit)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT r.id, r.service_id, s.display_name AS service_name, r.started_at,"
	    " r.resolved_at, r.duration_seconds, r.peak_severity,"
	    " CASE WHEN json_valid(r.affected_downstream) THEN r.affected_downstream ELSE '[]' END"
	    " AS \"json:affected_downstream\", r.event_count, r.impact_summary, r.created_at"
	    " FROM incident_reports r JOIN services s ON s.id = r.service_id"
	    " WHERE (?1 IS NULL OR r.service_id = ?1)"
	    " ORDER BY r.created_at DESC, r.id DESC LIMIT ?2");
	if (!st)
		return NULL;
	db_bind_text(st, 1, service_id);
	sqlite3_bind_int64(st, 2, limit);
	cJSON *data = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(data, "reports");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *row = json_row(st);
		char dh[32];
		ts_duration_human(sqlite3_column_int64(st, 5), dh, sizeof dh);
		cJSON_AddStringToObject(row, "duration_human", dh);
		cJSON_AddItemToArray(arr, row);
	}
	sqlite3_finalize(st);
	st = db_prepare(
	    db, "SELECT count(*) FROM incident_reports WHERE (?1 IS NULL OR service_id = ?1)");
	int64_t total = 0;
	if (st) {
		db_bind_text(st, 1, service_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	cJSON_AddNumberToObject(data, "total", (double)total);
	return data;
}

void h_reports(struct req *r)
{
	cJSON *errs = cJSON_CreateArray();
	long limit;
	char sid[256];
	const char *filter = q_filter(r, "service_id", sid, sizeof sid);
	if (q_int(r, "limit", 20, 1, 100, &limit, errs) < 0) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	sqlite3 *db = req_db(r);
	cJSON *data = db ? reports_build(db, filter, limit) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddItemToObject(meta, "service_id_filter",
			      filter ? cJSON_CreateString(filter) : cJSON_CreateNull());
	http_envelope(r, 200, data, meta);
}
