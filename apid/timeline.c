/*
 * timeline: GET /api/timeline (doc/compat.md#s5-11) and
 * /api/timeline/clustered (doc/compat.md#s5-12), plus the event reads behind
 * /api/stream. /api/timeline lists status events (kind 'status') as the
 * seed did. The clustered timeline the dashboard shows tells the whole story
 * (doc/coverage.md#timeline): the baselines ("monitoring started: X is Y")
 * and the poller-health transitions into and out of broken (a poller broken,
 * its recovery) are entries too, and a cluster names a root cause only when
 * that upstream was itself down when a dependent changed -- everything else
 * in the time window stands on its own. Events of retired services stay:
 * history is not rewritten by a registry edit.
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
	const char *service_id, *name, *status, *prev, *created; /* borrowed from json */
	int64_t ms;
	int change; /* a status change that is not a baseline */
	int maint;  /* reported in maintenance: never caused by an upstream */
	int taken;  /* moved into a cluster already */
};

struct edge {
	char *up, *down;
};

static int is_down(const char *status)
{
	return status_rank5(status) >= 2; /* degraded, partial or major */
}

/* The status svc had just before event k of idx[0..n) (oldest first): its
 * latest change before k in the group, else the previous status of its
 * first event in the group, else NULL (no event of svc in the group). */
static const char *status_before(const struct cev *ev, const size_t *idx, size_t n, size_t k,
				 const char *svc)
{
	const char *st = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct cev *e = &ev[idx[i]];
		if (!e->status || strcmp(e->service_id, svc))
			continue;
		if (i >= k)
			return st ? st : e->prev;
		st = e->status;
	}
	return st;
}

/* The events of idx[0..n) that upstream up explains: changes of its
 * declared downstreams to a down status, outside maintenance, while up was
 * itself down. Marks them in expl (when not NULL); returns how many. */
static int explained(const struct cev *ev, const size_t *idx, size_t n, const char *up,
		     const struct edge *edges, size_t nedges, char *expl)
{
	int count = 0;
	for (size_t k = 0; k < n; k++) {
		const struct cev *d = &ev[idx[k]];
		if (!d->change || d->maint || !is_down(d->status) || !strcmp(d->service_id, up))
			continue;
		int dep = 0;
		for (size_t e = 0; e < nedges && !dep; e++)
			dep = !strcmp(edges[e].up, up) && !strcmp(edges[e].down, d->service_id);
		if (!dep || !is_down(status_before(ev, idx, n, k, up)))
			continue;
		/* the upstream is down now: did it go down no later than this? */
		count++;
		if (expl)
			expl[k] = 1;
	}
	return count;
}

/* Cluster of the events idx[0..n) (oldest first), with root (an index into
 * idx) or none (root >= n). The events' objects move into it; caller
 * deletes the cluster. */
static cJSON *make_cluster(struct cev *ev, const size_t *idx, size_t n, size_t root)
{
	cJSON *c = cJSON_CreateObject();
	int services = 0, worst = -1, worst_any = -1;
	const char *worst_status = NULL, *worst_any_status = "unknown";
	for (size_t i = 0; i < n; i++) {
		const struct cev *e = &ev[idx[i]];
		int r = status_rank5(e->status);
		if (e->status && r > worst_any) {
			worst_any = r;
			worst_any_status = e->status;
		}
		if (e->change && r > worst) {
			worst = r;
			worst_status = e->status;
		}
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(ev[idx[k]].service_id, e->service_id);
		services += !seen;
	}
	if (root < n) {
		cJSON *rc = cJSON_AddObjectToObject(c, "root_cause");
		cJSON_AddStringToObject(rc, "id", ev[idx[root]].service_id);
		cJSON_AddStringToObject(rc, "name", ev[idx[root]].name);
	} else {
		cJSON_AddNullToObject(c, "root_cause");
	}
	/* Severity from real changes; a group of baselines or poller-health
	 * entries only takes the worst status it mentions. */
	cJSON_AddStringToObject(c, "severity", worst_status ? worst_status : worst_any_status);
	cJSON_AddStringToObject(c, "started_at", ev[idx[0]].created);
	cJSON_AddStringToObject(c, "ended_at", ev[idx[n - 1]].created);
	cJSON_AddNumberToObject(c, "service_count", services);
	cJSON_AddNumberToObject(c, "event_count", (double)n);
	cJSON *arr = cJSON_AddArrayToObject(c, "events");
	for (size_t i = n; i-- > 0;) { /* newest first */
		cJSON_AddItemToArray(arr, ev[idx[i]].json);
		ev[idx[i]].json = NULL;
		ev[idx[i]].taken = 1;
	}
	return c;
}

/* Split the time group ev[from, to) into clusters, oldest first, appended
 * to out (newest first overall is restored by the caller): the upstream
 * explaining the most dependents' changes (ties: the earliest) takes them
 * and its own events; the rest is split again, and what no upstream
 * explains becomes one cluster without a root. */
static void split_group(struct cev *ev, size_t from, size_t to, const struct edge *edges,
			size_t nedges, cJSON *out)
{
	size_t n = to - from;
	size_t *idx = xreallocarray(NULL, n, sizeof *idx);
	char *expl = xcalloc(n ? n : 1, 1);
	for (;;) {
		size_t m = 0;
		for (size_t i = from; i < to; i++)
			if (!ev[i].taken)
				idx[m++] = i;
		if (!m)
			break;
		size_t best = m;
		int best_n = 0;
		for (size_t i = 0; i < m; i++) {
			const struct cev *u = &ev[idx[i]];
			int seen = 0;
			for (size_t k = 0; k < i && !seen; k++)
				seen = !strcmp(ev[idx[k]].service_id, u->service_id);
			if (seen || !u->change)
				continue;
			int c = explained(ev, idx, m, u->service_id, edges, nedges, NULL);
			if (c > best_n) {
				best_n = c;
				best = i;
			}
		}
		if (best == m) {
			/* Nothing explains anything: no root. Baselines ("monitoring
			 * started") are not something that happened to a service:
			 * they stand apart from the changes. */
			size_t nb = 0, nc = 0;
			size_t *rest = xreallocarray(NULL, m, sizeof *rest);
			for (size_t i = 0; i < m; i++) {
				const cJSON *b =
				    cJSON_GetObjectItem(ev[idx[i]].json, "is_baseline");
				if (cJSON_IsTrue(b))
					idx[nb++] = idx[i];
				else
					rest[nc++] = idx[i];
			}
			if (nb)
				cJSON_AddItemToArray(out, make_cluster(ev, idx, nb, nb));
			if (nc)
				cJSON_AddItemToArray(out, make_cluster(ev, rest, nc, nc));
			free(rest);
			break;
		}
		const char *root = ev[idx[best]].service_id;
		memset(expl, 0, m);
		explained(ev, idx, m, root, edges, nedges, expl);
		/* A dependent's later events (its recovery) follow it into the
		 * root's cluster. */
		for (size_t i = 0; i < m; i++)
			for (size_t k = 0; k < i && !expl[i]; k++)
				if (expl[k] == 1 && ev[idx[k]].change &&
				    !strcmp(ev[idx[k]].service_id, ev[idx[i]].service_id))
					expl[i] = 2;
		size_t *sel = xreallocarray(NULL, m, sizeof *sel);
		size_t ns = 0, rootpos = m;
		for (size_t i = 0; i < m; i++) {
			if (expl[i] || !strcmp(ev[idx[i]].service_id, root)) {
				if (rootpos == m && !strcmp(ev[idx[i]].service_id, root))
					rootpos = ns;
				sel[ns++] = idx[i];
			}
		}
		cJSON_AddItemToArray(out, make_cluster(ev, sel, ns, rootpos));
		free(sel);
	}
	free(expl);
	free(idx);
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

/* Newest ended_at first (fixed-width ISO text sorts as time). */
static int cmp_cluster_newest(const void *a, const void *b)
{
	const char *x = cJSON_GetStringValue(cJSON_GetObjectItem(*(cJSON *const *)a, "ended_at"));
	const char *y = cJSON_GetStringValue(cJSON_GetObjectItem(*(cJSON *const *)b, "ended_at"));
	int c = strcmp(y ? y : "", x ? x : "");
	if (c)
		return c;
	x = cJSON_GetStringValue(cJSON_GetObjectItem(*(cJSON *const *)a, "started_at"));
	y = cJSON_GetStringValue(cJSON_GetObjectItem(*(cJSON *const *)b, "started_at"));
	return strcmp(y ? y : "", x ? x : "");
}

cJSON *clustered_build(sqlite3 *db, long window_s, long limit)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SQL_EVENT_COLS ", e.kind, e.previous_health,"
					  " e.new_health FROM status_events e"
					  " JOIN services s ON s.id = e.service_id"
					  " WHERE e.kind = 'status' OR e.new_health = 'broken'"
					  " OR e.previous_health = 'broken'"
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
		e->prev = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "previous_status"));
		e->created = cJSON_GetStringValue(cJSON_GetObjectItem(e->json, "created_at"));
		e->change = e->status && !cJSON_IsTrue(cJSON_GetObjectItem(e->json, "is_baseline"));
		e->maint = cJSON_IsTrue(cJSON_GetObjectItem(e->json, "in_maintenance"));
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
	cJSON *old_first = cJSON_CreateArray(); /* oldest first while building */
	size_t start = 0;
	for (size_t i = 1; i <= n; i++) {
		if (i == n || ev[i].ms - ev[i - 1].ms > window_s * 1000) {
			split_group(ev, start, i, edges, nedges, old_first);
			start = i;
		}
	}
	/* Listed newest first (by their newest event). */
	cJSON *clusters = cJSON_AddArrayToObject(data, "clusters");
	int nc = cJSON_GetArraySize(old_first);
	cJSON **cv = xreallocarray(NULL, nc ? (size_t)nc : 1, sizeof *cv);
	for (int k = 0; k < nc; k++)
		cv[k] = cJSON_DetachItemFromArray(old_first, 0);
	cJSON_Delete(old_first);
	qsort(cv, (size_t)nc, sizeof *cv, cmp_cluster_newest);
	for (int k = 0; k < nc; k++)
		cJSON_AddItemToArray(clusters, cv[k]);
	free(cv);
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
