/*
 * timeline: GET /api/timeline (doc/compat.md#s5-11) and /api/timeline/clustered
 * (doc/compat.md#s5-12), plus the event reads behind /api/stream. Only status events
 * (kind 'status') are timeline entries; poller-health transitions live in the
 * same table for alertd's cursor but are not status changes. Events of
 * retired services stay: history is not rewritten by a registry edit.
 */
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "xalloc.h"

cJSON *timeline_build(sqlite3 *db, long limit, const char *service_id)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_EVENT_COLS " FROM status_events e"
			   " JOIN services s ON s.id = e.service_id"
			   " WHERE e.kind = 'status' AND (?1 IS NULL OR e.service_id = ?1)"
			   " ORDER BY e.created_at DESC, e.id DESC LIMIT ?2");
	if (!st)
		return NULL;
	db_bind_text(st, 1, service_id);
	sqlite3_bind_int64(st, 2, limit);
	cJSON *data = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(data, "events");
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, json_row(st));
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT count(*) FROM status_events e"
			    " WHERE e.kind = 'status' AND (?1 IS NULL OR e.service_id = ?1)");
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

cJSON *events_after(sqlite3 *db, int64_t after, int64_t upto, int limit)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_EVENT_COLS " FROM status_events e"
			   " JOIN services s ON s.id = e.service_id"
			   " WHERE e.id > ?1 AND (?2 <= 0 OR e.id <= ?2) AND e.kind = 'status'"
			   " ORDER BY e.id LIMIT ?3");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_int(st, 3, limit);
	cJSON *arr = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, json_row(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

struct cev {
	cJSON *json; /* the event object (owned until moved into a cluster) */
	const char *service_id, *name, *status, *created; /* borrowed from json */
	int64_t ms;
};

struct edge {
	char *up, *down;
};

static int in_cluster(const struct cev *ev, size_t from, size_t to, const char *svc)
{
	for (size_t i = from; i < to; i++)
		if (!strcmp(ev[i].service_id, svc))
			return 1;
	return 0;
}

/* Cluster = events [from, to) of ev (oldest first). The events' objects
 * move into it; caller deletes the cluster. */
static cJSON *make_cluster(struct cev *ev, size_t from, size_t to, const struct edge *edges,
			   size_t nedges)
{
	cJSON *c = cJSON_CreateObject();
	/* Root cause: the service with the most of its declared downstreams in
	 * the same cluster (at least one); ties go to the earliest. */
	size_t best = to;
	int best_n = 0, services = 0, worst = -1;
	const char *worst_status = "unknown";
	for (size_t i = from; i < to; i++) {
		int r = status_rank5(ev[i].status);
		if (r > worst) {
			worst = r;
			worst_status = ev[i].status;
		}
		if (in_cluster(ev, from, i, ev[i].service_id))
			continue; /* seen earlier in this cluster */
		services++;
		int n = 0;
		for (size_t k = 0; k < nedges; k++)
			if (!strcmp(edges[k].up, ev[i].service_id) &&
			    strcmp(edges[k].down, ev[i].service_id) &&
			    in_cluster(ev, from, to, edges[k].down))
				n++;
		if (n > best_n) {
			best_n = n;
			best = i;
		}
	}
	if (best < to) {
		cJSON *rc = cJSON_AddObjectToObject(c, "root_cause");
		cJSON_AddStringToObject(rc, "id", ev[best].service_id);
		cJSON_AddStringToObject(rc, "name", ev[best].name);
	} else {
		cJSON_AddNullToObject(c, "root_cause");
	}
	cJSON_AddStringToObject(c, "severity", worst_status);
	cJSON_AddStringToObject(c, "started_at", ev[from].created);
	cJSON_AddStringToObject(c, "ended_at", ev[to - 1].created);
	cJSON_AddNumberToObject(c, "service_count", services);
	cJSON_AddNumberToObject(c, "event_count", (double)(to - from));
	cJSON *arr = cJSON_AddArrayToObject(c, "events");
	for (size_t i = to; i-- > from;) { /* newest first */
		cJSON_AddItemToArray(arr, ev[i].json);
		ev[i].json = NULL;
	}
	return c;
}

/* Every dependency edge; the caller frees each string and the array. */
static struct edge *load_edges(sqlite3 *db, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = db_prepare(db, "SELECT upstream_service_id, downstream_service_id"
					  " FROM service_dependencies");
	if (!st)
		return NULL;
	struct edge *v = NULL;
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[*n].up = db_col_dup(st, 0);
		v[*n].down = db_col_dup(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return v;
}

cJSON *clustered_build(sqlite3 *db, long window_s, long limit)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SQL_EVENT_COLS " FROM status_events e"
					  " JOIN services s ON s.id = e.service_id"
					  " WHERE e.kind = 'status' AND e.is_baseline = 0"
					  " ORDER BY e.created_at DESC, e.id DESC LIMIT ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, limit);
	struct cev *ev = xcalloc((size_t)limit + 1, sizeof *ev);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cev *e = &ev[n++];
		e->json = json_row(st);
		e->service_id = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "service_id"));
		e->name = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "service_name"));
		e->status = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "new_status"));
		e->created = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "created_at"));
		if (!e->created || ts_parse(e->created, &e->ms) < 0)
			e->ms = 0;
	}
	sqlite3_finalize(st);
	/* Oldest first for the gap walk. */
	for (size_t i = 0; i < n / 2; i++) {
		struct cev t = ev[i];
		ev[i] = ev[n - 1 - i];
		ev[n - 1 - i] = t;
	}
	size_t nedges;
	struct edge *edges = load_edges(db, &nedges);
	cJSON *data = cJSON_CreateObject();
	cJSON *clusters = cJSON_AddArrayToObject(data, "clusters");
	size_t start = 0;
	for (size_t i = 1; i <= n; i++) {
		if (i == n || ev[i].ms - ev[i - 1].ms > window_s * 1000) {
			/* Insert at the front: clusters are listed newest first. */
			cJSON *c = make_cluster(ev, start, i, edges, nedges);
			if (cJSON_GetArraySize(clusters) > 0)
				cJSON_InsertItemInArray(clusters, 0, c);
			else
				cJSON_AddItemToArray(clusters, c);
			start = i;
		}
	}
	cJSON_AddNumberToObject(data, "total_clusters", cJSON_GetArraySize(clusters));
	cJSON_AddNumberToObject(data, "total_events", (double)n);
	for (size_t k = 0; k < nedges; k++) {
		free(edges[k].up);
		free(edges[k].down);
	}
	free(edges);
	free(ev);
	return data;
}

void h_timeline(struct req *r)
{
	cJSON *errs = cJSON_CreateArray();
	long limit;
	char sid[256];
	const char *filter = q_filter(r, "service_id", sid, sizeof sid);
	if (q_int(r, "limit", 50, 1, 200, &limit, errs) < 0) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	sqlite3 *db = req_db(r);
	cJSON *data = db ? timeline_build(db, limit, filter) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "limit", limit);
	cJSON_AddItemToObject(meta, "service_id_filter",
			      filter ? cJSON_CreateString(filter) : cJSON_CreateNull());
	http_envelope(r, 200, data, meta);
}

void h_clustered(struct req *r)
{
	cJSON *errs = cJSON_CreateArray();
	long window, limit;
	int bad = q_int(r, "window", 300, 60, 3600, &window, errs) < 0;
	bad |= q_int(r, "limit", 100, 1, 500, &limit, errs) < 0;
	if (bad) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	sqlite3 *db = req_db(r);
	cJSON *data = db ? clustered_build(db, window, limit) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "window", window);
	http_envelope(r, 200, data, meta);
}
