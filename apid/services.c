/*
 * services: GET /api/services (doc/compat.md#s5-4), /api/services/{id}
 * (doc/compat.md#s5-5) and /api/services/graph (doc/compat.md#s5-9).
 * Retired services (gone from services.yaml) are left out of every list.
 * Every service object carries the effective status (unknown while its
 * poller is broken) next to the committed one, and the
 * counts are over the effective status: the API never calls a service
 * operational when it cannot see it (doc/compat.md#bug-19).
 */
#include <string.h>

#include "apid.h"
#include "db.h"

#define DEP_ORDER                                                                                  \
	" ORDER BY CASE d.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN "  \
	"2 "                                                                                       \
	"ELSE 3 END, s.display_name"

cJSON *services_list(sqlite3 *db, const char *category, cJSON **meta)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_SERVICE_COLS " FROM services s"
			   " WHERE s.retired_at IS NULL AND (?1 IS NULL OR s.category = ?1)"
			   " ORDER BY s.category, s.display_name");
	if (!st)
		return NULL;
	db_bind_text(st, 1, category);
	cJSON *data = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(data, "services");
	int total = 0, healthy = 0, degraded = 0, outage = 0, unknown = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddItemToArray(arr, json_row_raw(st));
		const char *eff = (const char *)sqlite3_column_text(st, SQL_SERVICE_NCOLS - 2);
		int rank = status_rank5(eff);
		total++;
		healthy += rank == 1;
		degraded += rank == 2;
		outage += rank >= 3;
		unknown += rank == 0;
	}
	sqlite3_finalize(st);
	cJSON_AddNumberToObject(data, "total", total);
	cJSON_AddNumberToObject(data, "healthy_count", healthy);
	cJSON_AddNumberToObject(data, "degraded_count", degraded);
	cJSON_AddNumberToObject(data, "outage_count", outage);
	cJSON_AddNumberToObject(data, "unknown_count", unknown);
	if (meta) {
		*meta = cJSON_CreateObject();
		if (category)
			cJSON_AddStringToObject(*meta, "category_filter", category);
		else
			cJSON_AddNullToObject(*meta, "category_filter");
	}
	return data;
}

/* Edges of id in one direction, as the seed's Dep objects; caller deletes. */
static cJSON *deps(sqlite3 *db, const char *id, int downstream)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    downstream
		? "SELECT d.downstream_service_id AS service_id, s.display_name AS service_name,"
		  " d.impact_description, d.severity, s.current_status, " SQL_EFFECTIVE(
		      "s") " AS effective_status FROM service_dependencies d JOIN services s"
			   " ON s.id = d.downstream_service_id AND s.retired_at IS NULL"
			   " WHERE d.upstream_service_id = ?1" DEP_ORDER
		: "SELECT d.upstream_service_id AS service_id, s.display_name AS service_name,"
		  " d.impact_description, d.severity, s.current_status, " SQL_EFFECTIVE(
		      "s") " AS effective_status FROM service_dependencies d JOIN services s"
			   " ON s.id = d.upstream_service_id AND s.retired_at IS NULL"
			   " WHERE d.downstream_service_id = ?1" DEP_ORDER);
	cJSON *arr = cJSON_CreateArray();
	if (!st)
		return arr;
	db_bind_text(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, json_row(st));
	sqlite3_finalize(st);
	return arr;
}

cJSON *service_detail(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_SERVICE_COLS
			   " FROM services s WHERE s.id = ?1 AND s.retired_at IS NULL");
	if (!st)
		return NULL;
	db_bind_text(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "service", json_row(st));
	sqlite3_finalize(st);
	cJSON_AddItemToObject(data, "downstream_impacts", deps(db, id, 1));
	cJSON_AddItemToObject(data, "upstream_dependencies", deps(db, id, 0));
	cJSON *ev = cJSON_AddArrayToObject(data, "recent_events");
	st = db_prepare(db, "SELECT " SQL_EVENT_COLS " FROM status_events e"
			    " JOIN services s ON s.id = e.service_id"
			    " WHERE e.service_id = ?1 AND e.kind = 'status'"
			    " ORDER BY e.created_at DESC, e.id DESC LIMIT 10");
	if (st) {
		db_bind_text(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddItemToArray(ev, json_row(st));
		sqlite3_finalize(st);
	}
	return data;
}

cJSON *downstream_names(sqlite3 *db, sqlite3_stmt **cache, const char *id)
{
	cJSON *arr = cJSON_CreateArray();
	if (!*cache)
		*cache = db_prepare(db, "SELECT s.display_name FROM service_dependencies d"
					" JOIN services s ON s.id = d.downstream_service_id"
					" AND s.retired_at IS NULL"
					" WHERE d.upstream_service_id = ?1" DEP_ORDER);
	if (!*cache)
		return arr;
	sqlite3_reset(*cache);
	db_bind_text(*cache, 1, id);
	while (sqlite3_step(*cache) == SQLITE_ROW)
		cJSON_AddItemToArray(
		    arr, cJSON_CreateString((const char *)sqlite3_column_text(*cache, 0)));
	sqlite3_reset(*cache);
	return arr;
}

cJSON *services_graph(sqlite3 *db)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT s.id, s.display_name AS name, s.category, " SQL_EFFECTIVE(
		    "s") " AS status,"
			 " s.current_status, s.poller_health,"
			 " (SELECT count(*) FROM service_dependencies d JOIN services x"
			 "  ON x.id = d.downstream_service_id AND x.retired_at IS NULL"
			 "  WHERE d.upstream_service_id = s.id) AS downstream_count"
			 " FROM services s WHERE s.retired_at IS NULL ORDER BY s.display_name");
	if (!st)
		return NULL;
	cJSON *data = cJSON_CreateObject();
	cJSON *nodes = cJSON_AddArrayToObject(data, "nodes");
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(nodes, json_row_raw(st));
	sqlite3_finalize(st);
	cJSON *links = cJSON_AddArrayToObject(data, "links");
	st = db_prepare(
	    db, "SELECT d.upstream_service_id AS source, d.downstream_service_id AS target,"
		" d.severity, d.impact_description AS impact FROM service_dependencies d"
		" JOIN services u ON u.id = d.upstream_service_id AND u.retired_at IS NULL"
		" JOIN services w ON w.id = d.downstream_service_id AND w.retired_at IS NULL"
		" ORDER BY d.id");
	if (st) {
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddItemToArray(links, json_row_raw(st));
		sqlite3_finalize(st);
	}
	return data;
}

void h_services(struct req *r)
{
	char cat[256];
	const char *filter = q_filter(r, "category", cat, sizeof cat);
	sqlite3 *db = req_db(r);
	cJSON *meta = NULL;
	cJSON *data = db ? services_list(db, filter, &meta) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, meta);
}

void h_service(struct req *r)
{
	sqlite3 *db = req_db(r);
	if (!db) {
		http_db_error(r);
		return;
	}
	cJSON *data = service_detail(db, r->params[0]);
	if (!data) {
		http_error(r, 404, "SERVICE_NOT_FOUND", "Service '%s' not found", r->params[0]);
		return;
	}
	http_envelope(r, 200, data, NULL);
}

void h_graph(struct req *r)
{
	sqlite3 *db = req_db(r);
	cJSON *data = db ? services_graph(db) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}
