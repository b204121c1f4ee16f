/*
 * services: GET /api/services (doc/compat.md#s5-4), /api/services/{id}
 * (doc/compat.md#s5-5) and /api/services/graph (doc/compat.md#s5-9).
 * Retired services (gone from services.yaml) are left out of every list.
 * Every service object carries the effective status (unknown while its
 * poller is broken) next to the committed one, and the
 * counts are over the effective status: the API never calls a service
 * operational when it cannot see it (doc/compat.md#bug-19).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "xalloc.h"

#define DEP_ORDER                                                                                  \
	" ORDER BY CASE d.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN "  \
	"2 "                                                                                       \
	"ELSE 3 END, s.display_name"

/* Effective statuses a status= filter may name. */
static const char *const STATUSES[] = {"operational", "degraded", "partial_outage", "major_outage",
				       "unknown"};

/* Each comma-separated item of list is one of the n words (else a 422 item). */
static int check_words(const char *list, const char *const *words, size_t n, const char *field,
		       cJSON *errs)
{
	for (const char *p = list;;) { /* every item, an empty one too */
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t i = 0;
		while (i < n && (strlen(words[i]) != len || strncmp(words[i], p, len)))
			i++;
		if (i == n) {
			verr_add(errs, "query", field, "enum", "Input should name known values");
			return -1;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* The column mask for fields= over the statement's columns; 0 and a 422
 * item when a field is unknown. id is always included. */
static uint64_t field_mask(sqlite3_stmt *st, const char *fields, cJSON *errs)
{
	int n = sqlite3_column_count(st);
	uint64_t mask = 1; /* id */
	for (const char *p = fields; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int i = 0;
		while (i < n && (strlen(json_col_name(st, i)) != len ||
				 strncmp(json_col_name(st, i), p, len)))
			i++;
		if (i == n && len) {
			verr_add(errs, "query", "fields", "enum",
				 "Input should name service fields");
			return 0;
		}
		if (len)
			mask |= (uint64_t)1 << i;
		p = e ? e + 1 : p + len;
	}
	return mask;
}

/* Matches "," list "," against "," value "," in SQL: a comma-separated filter. */
#define SQL_IN_LIST(param, value) "instr(',' || " param " || ',', ',' || " value " || ',') > 0"
#define SVC_WHERE                                                                                  \
	" FROM services s WHERE s.retired_at IS NULL"                                              \
	" AND (?1 IS NULL OR " SQL_IN_LIST(                                                        \
	    "?1",                                                                                  \
	    "s.category") ")"                                                                      \
			  " AND (?2 IS NULL OR " SQL_IN_LIST(                                      \
			      "?2",                                                                \
			      SQL_EFFECTIVE(                                                       \
				  "s")) ")"                                                        \
					" AND (?3 IS NULL OR " SQL_IN_LIST(                        \
					    "?3",                                                  \
					    "s.tier") ")"                                          \
						      " AND (?4 IS NULL OR "                       \
						      "instr(lower(s.display_name), lower(?4)) > " \
						      "0"                                          \
						      "  OR instr(lower(s.id), lower(?4)) > 0)"

static void bind_filters(sqlite3_stmt *st, const struct svc_query *q)
{
	db_bind_text(st, 1, q->category);
	db_bind_text(st, 2, q->status);
	db_bind_text(st, 3, q->tier);
	db_bind_text(st, 4, q->q);
}

/* The whole list of an HTTP answer, made while it is printed (json_lazy):
 * the statement is kept and each row printed in turn, so the build never
 * holds 10,000 rows of text (7 MB). Its counts come first, from the same
 * read transaction, which the release ends. */
struct svc_lazy {
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t mask;
};

static cJSON *svc_lazy_row(sqlite3_stmt *st, void *ctx)
{
	return json_row_raw_cols(st, ((const struct svc_lazy *)ctx)->mask);
}

static void svc_lazy_print(void *ctx, struct jsink *s)
{
	struct svc_lazy *l = ctx;
	json_put_rows(s, l->st, svc_lazy_row, l);
}

static void svc_lazy_release(void *ctx)
{
	struct svc_lazy *l = ctx;
	sqlite3_finalize(l->st);
	db_exec(l->db, "COMMIT"); /* a read: nothing to lose */
	free(l);
}

cJSON *services_query(sqlite3 *db, const struct svc_query *q, cJSON **meta, cJSON *errs)
{
	if (q->status && check_words(q->status, STATUSES, 5, "status", errs) < 0)
		return NULL;
	/* Keyset paging: rows after the cursor's row in the list's order, so a
	 * page is as cheap as the first however deep, and a service added or
	 * removed between pages shifts nothing. */
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT " SQL_SERVICE_COLS SVC_WHERE
		" AND (?5 IS NULL OR (s.category, s.display_name, s.id) >"
		"  (SELECT c.category, c.display_name, c.id FROM services c WHERE c.id = ?5))"
		" ORDER BY s.category, s.display_name, s.id LIMIT ?6");
	if (!st)
		return NULL;
	bind_filters(st, q);
	db_bind_text(st, 5, q->cursor);
	sqlite3_bind_int64(st, 6,
			   q->limit > 0 ? q->limit + 1 : -1); /* one more: is there a next page? */
	uint64_t mask = ~(uint64_t)0;
	if (q->fields && !(mask = field_mask(st, q->fields, errs))) {
		sqlite3_finalize(st);
		return NULL;
	}
	if (q->cursor) {
		sqlite3_stmt *c = db_prepare(db, "SELECT 1 FROM services WHERE id = ?1");
		int found = 0;
		if (c) {
			db_bind_text(c, 1, q->cursor);
			found = sqlite3_step(c) == SQLITE_ROW;
			sqlite3_finalize(c);
		}
		if (!found) {
			verr_add(errs, "query", "cursor", "value_error",
				 "Input should be a cursor from a previous page");
			sqlite3_finalize(st);
			return NULL;
		}
	}
	cJSON *data = cJSON_CreateObject();
	int total = 0, c[5] = {0, 0, 0, 0, 0};
	long rows = 0;
	char last[256] = "";
	int more = 0;
	int lazy = q->limit <= 0 && !q->cursor && json_lists_compact();
	if (lazy && db_exec(db, "BEGIN") < 0) {
		sqlite3_finalize(st);
		cJSON_Delete(data);
		return NULL;
	}
	cJSON *arr = lazy ? NULL : cJSON_AddArrayToObject(data, "services");
	while (!lazy && sqlite3_step(st) == SQLITE_ROW) {
		if (q->limit > 0 && rows == q->limit) {
			more = 1;
			break;
		}
		rows++;
		cJSON_AddItemToArray(arr, json_row_raw_cols(st, mask));
		snprintf(last, sizeof last, "%s", (const char *)sqlite3_column_text(st, 0));
		c[status_rank5((const char *)sqlite3_column_text(st, SQL_SERVICE_NCOLS - 2))]++;
		total++;
	}
	sqlite3_stmt *rows_st = st;
	if (!lazy)
		sqlite3_finalize(st);
	if (q->limit > 0 || q->cursor || lazy) {
		/* The counts are over every matching service, not the page. */
		st = db_prepare(db,
				"SELECT " SQL_EFFECTIVE("s") ", count(*)" SVC_WHERE " GROUP BY 1");
		if (!st) {
			if (lazy) {
				sqlite3_finalize(rows_st);
				db_exec(db, "COMMIT");
			}
			cJSON_Delete(data);
			return NULL;
		}
		bind_filters(st, q);
		total = 0;
		memset(c, 0, sizeof c);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int k = sqlite3_column_int(st, 1);
			c[status_rank5((const char *)sqlite3_column_text(st, 0))] += k;
			total += k;
		}
		sqlite3_finalize(st);
	}
	if (lazy) {
		struct svc_lazy *l = xmalloc(sizeof *l);
		*l = (struct svc_lazy){db, rows_st, mask};
		cJSON_AddItemToObject(data, "services",
				      json_lazy(svc_lazy_print, svc_lazy_release, l));
	}
	cJSON_AddNumberToObject(data, "total", total);
	cJSON_AddNumberToObject(data, "healthy_count", c[1]);
	cJSON_AddNumberToObject(data, "degraded_count", c[2]);
	cJSON_AddNumberToObject(data, "outage_count", c[3] + c[4]);
	cJSON_AddNumberToObject(data, "unknown_count", c[0]);
	if (meta) {
		*meta = cJSON_CreateObject();
		if (q->category)
			cJSON_AddStringToObject(*meta, "category_filter", q->category);
		else
			cJSON_AddNullToObject(*meta, "category_filter");
		if (q->limit > 0 || q->cursor) {
			cJSON_AddNumberToObject(*meta, "limit", (double)q->limit);
			if (more)
				cJSON_AddStringToObject(*meta, "next_cursor", last);
			else
				cJSON_AddNullToObject(*meta, "next_cursor");
		}
	}
	return data;
}

cJSON *services_list(sqlite3 *db, const char *category, cJSON **meta)
{
	struct svc_query q = {.category = category};
	return services_query(db, &q, meta, NULL);
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
	char cat[256], status[256], tier[256], q[256], fields[1024], cursor[256];
	struct svc_query sq = {
	    .category = q_filter(r, "category", cat, sizeof cat),
	    .status = q_filter(r, "status", status, sizeof status),
	    .tier = q_filter(r, "tier", tier, sizeof tier),
	    .q = q_filter(r, "q", q, sizeof q),
	    .fields = q_filter(r, "fields", fields, sizeof fields),
	    .cursor = q_filter(r, "cursor", cursor, sizeof cursor),
	};
	cJSON *errs = cJSON_CreateArray();
	if (q_int(r, "limit", 0, 1, 10000, &sq.limit, errs) < 0) {
		http_validation(r, errs);
		return;
	}
	if (sq.q && !*sq.q)
		sq.q = NULL; /* an empty search matches everything */
	sqlite3 *db = req_db(r);
	cJSON *meta = NULL;
	cJSON *data = db ? services_query(db, &sq, &meta, errs) : NULL;
	if (!data && cJSON_GetArraySize(errs)) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
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
