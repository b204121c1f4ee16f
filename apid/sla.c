/*
 * sla: uptime from the event history -- GET /api/services/sla
 * (doc/compat.md#s5-7), /sla/history (doc/compat.md#s5-8), /uptime
 * (doc/compat.md#s5-6) and /slo (doc/compat.md#s5-10, doc/compat.md#s6-11)
 * -- and the coverage that says how much of each window a figure stands on
 * (doc/coverage.md).
 *
 * Each service's history becomes a timeline of segments, each in one state,
 * and every figure is a sum over the segments clamped to a window. The seed's
 * math (doc/compat.md#s6-14) is kept with its bugs fixed (doc/compat.md#bug-6):
 *  - tracking starts at the service's first status event, the baseline
 *    (the seed dropped it, so weeks of "operational" before the first
 *    incident went uncounted);
 *  - blind time is unknown, neither up nor down: while the poller of the
 *    service is broken (health events), and while pollerd itself was stale
 *    (daemon_health_log, and its heartbeat now);
 *  - maintenance (the event's in_maintenance flag, or a maintenance window
 *    that has started) is tracked but, unless SLA_COUNT_MAINTENANCE, left out
 *    of the figure: a planned window is not downtime;
 *  - today's bucket ends now, not at tomorrow's midnight;
 *  - degraded counts as down times degraded_sla_weight (1.0 = the seed).
 * A figure over a window is given only when the tracked time covers at least
 * UPTIME_MIN_COVERAGE_PERCENT of it (burn rates: BURN_MIN_COVERAGE_PERCENT of
 * the burn window); otherwise it is null and the coverage object says why.
 * Only the last event before a window is read, plus the events inside it,
 * so a long history costs nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "status.h"
#include "xalloc.h"

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MIN_MS 60000LL

static void seg_add(struct sla_tl *t, int64_t start, int64_t end, int state, int maint)
{
	if (end <= start)
		return;
	if (state == ST_UNKNOWN)
		maint = 0; /* blind time is blind, whatever was planned */
	struct sla_seg *last = t->n ? &t->v[t->n - 1] : NULL;
	if (last && last->state == state && last->maint == maint && last->end == start) {
		last->end = end; /* merge with the previous segment */
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = (struct sla_seg){start, end, state, maint};
}

/* Walk state for one service while its events stream past. */
struct walk {
	int have_status, broken, maint;
	enum st_status status;
	int64_t since;
};

static void walk_close(struct sla_tl *t, struct walk *w, int64_t at)
{
	if (w->have_status)
		seg_add(t, w->since, at, w->broken ? ST_UNKNOWN : (int)w->status, w->maint);
	w->since = at;
}

/* An interval [start, end) in ms. */
struct iv {
	int64_t start, end;
};
struct ivs {
	struct iv *v;
	size_t n, cap;
};

static void iv_add(struct ivs *s, int64_t start, int64_t end)
{
	if (end <= start)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = (struct iv){start, end};
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Re-cut t where the intervals start and end; each piece inside one of them
 * becomes unknown (what = 0: blind time) or maintenance (what = 1). */
static void overlay(struct sla_tl *t, const struct iv *iv, size_t niv, int what)
{
	if (!niv || !t->n)
		return;
	struct sla_tl out = {0};
	int64_t *cut = xreallocarray(NULL, 2 * niv + 2, sizeof *cut);
	for (size_t i = 0; i < t->n; i++) {
		const struct sla_seg s = t->v[i];
		size_t nc = 0;
		cut[nc++] = s.start;
		cut[nc++] = s.end;
		for (size_t k = 0; k < niv; k++) {
			if (iv[k].start > s.start && iv[k].start < s.end)
				cut[nc++] = iv[k].start;
			if (iv[k].end > s.start && iv[k].end < s.end)
				cut[nc++] = iv[k].end;
		}
		qsort(cut, nc, sizeof *cut, cmp_i64);
		for (size_t c = 0; c + 1 < nc; c++) {
			int64_t a = cut[c], b = cut[c + 1];
			int in = 0;
			for (size_t k = 0; k < niv && !in; k++)
				in = iv[k].start <= a && iv[k].end >= b;
			if (!in)
				seg_add(&out, a, b, s.state, s.maint);
			else if (what == 0)
				seg_add(&out, a, b, ST_UNKNOWN, 0);
			else
				seg_add(&out, a, b, s.state, 1);
		}
	}
	free(cut);
	free(t->v);
	t->v = out.v;
	t->n = out.n;
	t->cap = out.cap;
}

static int col_time(sqlite3_stmt *st, int col, int64_t *out)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	return s && ts_parse(s, out) == 0 ? 0 : -1;
}

/* pollerd's stale periods: from the last heartbeat before it was found stale
 * to the heartbeat it recovered with (alertd's daemon_health_log), and, when
 * it is stalled at now_ms by v_poller_sight's rule (db_poller_stalled_at: its
 * own fresh_until, not this daemon's setting), from that heartbeat to now.
 * -1 on error. */
static int load_blind(sqlite3 *db, int64_t now_ms, struct ivs *out)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT state, beat_at, decided_at FROM daemon_health_log"
					  " WHERE daemon = 'pollerd' ORDER BY id");
	if (!st)
		return -1;
	int open = 0;
	int64_t from = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		int64_t beat, decided;
		int have_beat = col_time(st, 1, &beat) == 0;
		if (col_time(st, 2, &decided) < 0)
			continue;
		if (state && !strcmp(state, "stale")) {
			if (!open)
				from = have_beat && beat < decided ? beat : decided;
			open = 1;
		} else if (open) {
			iv_add(out, from, have_beat && beat < decided ? beat : decided);
			open = 0;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (open)
		iv_add(out, from, now_ms);
	int64_t beat;
	int stalled = db_poller_stalled_at(db, now_ms, &beat);
	if (stalled < 0)
		return -1;
	if (stalled)
		iv_add(out, beat, now_ms);
	return 0;
}

/* The timeline of service id in set (ordered by id, see sla_load), or NULL. */
static struct sla_tl *tl_find(const struct sla_set *set, const char *id)
{
	size_t lo = 0, hi = set->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->v[mid].service_id, id);
		if (!c)
			return &set->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The loader's queries. F is "" for every live service, or a condition on
 * ?2 for one (a statement of its own, so SQLite can use the service_id
 * indexes instead of scanning every event).
 *
 * When monitoring started: the baseline pollerd recorded, else the first
 * status event (older databases, services set by hand). */
#define SQL_TL_SERVICES(F)                                                                         \
	"SELECT s.id, COALESCE(s.baseline_at, (SELECT min(e.created_at) FROM status_events e"      \
	" WHERE e.service_id = s.id AND e.kind = 'status'))"                                       \
	" FROM services s WHERE s.retired_at IS NULL" F " ORDER BY s.id"
/* The events inside the window plus, per service and kind, the last one
 * before it (SQLite takes the bare columns from the max() row). */
#define SQL_TL_EVENTS(F)                                                                           \
	"SELECT e.service_id, e.kind, e.new_status, e.new_health, e.created_at, e.id,"             \
	" e.in_maintenance"                                                                        \
	" FROM status_events e JOIN services s ON s.id = e.service_id AND s.retired_at IS NULL"    \
	" WHERE e.created_at >= ?1" F " UNION ALL"                                                 \
	" SELECT e.service_id, e.kind, e.new_status, e.new_health, max(e.created_at), e.id,"       \
	" e.in_maintenance"                                                                        \
	" FROM status_events e JOIN services s ON s.id = e.service_id AND s.retired_at IS NULL"    \
	" WHERE e.created_at < ?1" F " GROUP BY e.service_id, e.kind"                              \
	" ORDER BY 1, 5, 6"
/* Maintenance windows that have begun, each to its end (or now while it runs;
 * a finished one without an end closes when it was last updated). */
#define SQL_TL_MAINT(F)                                                                            \
	"SELECT m.service_id, m.scheduled_for, m.scheduled_until, m.status, m.updated_at"          \
	" FROM scheduled_maintenances m JOIN services s ON s.id = m.service_id"                    \
	" AND s.retired_at IS NULL WHERE m.status != 'cancelled'" F " ORDER BY m.service_id"

/* sla_load for every live service (only NULL) or for the one named only. */
static int load(sqlite3 *db, const char *only, int64_t since_ms, int64_t now_ms,
		struct sla_set *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *svc =
	    db_prepare(db, only ? SQL_TL_SERVICES(" AND s.id = ?2") : SQL_TL_SERVICES(""));
	sqlite3_stmt *ev =
	    db_prepare(db, only ? SQL_TL_EVENTS(" AND e.service_id = ?2") : SQL_TL_EVENTS(""));
	sqlite3_stmt *mw =
	    db_prepare(db, only ? SQL_TL_MAINT(" AND m.service_id = ?2") : SQL_TL_MAINT(""));
	if (only && svc && ev && mw) {
		db_bind_text(svc, 2, only);
		db_bind_text(ev, 2, only);
		db_bind_text(mw, 2, only);
	}
	struct ivs blind = {0};
	if (!svc || !ev || !mw || load_blind(db, now_ms, &blind) < 0) {
		sqlite3_finalize(svc);
		sqlite3_finalize(ev);
		sqlite3_finalize(mw);
		free(blind.v);
		return -1;
	}
	size_t cap = 0;
	while (sqlite3_step(svc) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		struct sla_tl *t = &out->v[out->n++];
		memset(t, 0, sizeof *t);
		t->service_id = db_col_dup(svc, 0);
		if (col_time(svc, 1, &t->monitoring_since) < 0)
			t->monitoring_since = -1;
	}
	sqlite3_finalize(svc);
	char since_iso[TS_ISO_LEN + 1];
	db_bind_text(ev, 1, ts_format(since_ms, since_iso));
	/* Both lists are ordered by service id: merge them. */
	size_t i = 0;
	struct walk w = {0};
	int rc;
	while ((rc = sqlite3_step(ev)) == SQLITE_ROW) {
		const char *sid = (const char *)sqlite3_column_text(ev, 0);
		int c = -1;
		while (i < out->n && (c = strcmp(out->v[i].service_id, sid)) < 0) {
			walk_close(&out->v[i], &w, now_ms);
			memset(&w, 0, sizeof w);
			i++;
		}
		if (i == out->n || c != 0)
			continue; /* cannot happen: events are joined to live services */
		int64_t t;
		if (col_time(ev, 4, &t) < 0)
			continue;
		if (t > now_ms)
			t = now_ms;
		if (t < w.since)
			t = w.since; /* out-of-order timestamps never run time backwards */
		walk_close(&out->v[i], &w, t);
		const char *kind = (const char *)sqlite3_column_text(ev, 1);
		if (!strcmp(kind, "status")) {
			enum st_status s = ST_UNKNOWN;
			st_status_parse((const char *)sqlite3_column_text(ev, 2), &s);
			w.status = s;
			w.have_status = 1;
			w.maint = sqlite3_column_int(ev, 6);
		} else {
			const char *h = (const char *)sqlite3_column_text(ev, 3);
			w.broken = h && !strcmp(h, "broken");
		}
	}
	if (i < out->n)
		walk_close(&out->v[i], &w, now_ms);
	sqlite3_finalize(ev);
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(mw);
		free(blind.v);
		sla_set_release(out);
		return -1;
	}
	/* Maintenance windows, per service (both lists ordered by id). */
	struct ivs maint = {0};
	struct sla_tl *cur = NULL;
	while ((rc = sqlite3_step(mw)) == SQLITE_ROW) {
		const char *sid = (const char *)sqlite3_column_text(mw, 0);
		if (!cur || strcmp(cur->service_id, sid)) {
			if (cur)
				overlay(cur, maint.v, maint.n, 1);
			maint.n = 0;
			cur = tl_find(out, sid);
		}
		int64_t from, until;
		if (!cur || col_time(mw, 1, &from) < 0 || from > now_ms)
			continue;
		const char *st = (const char *)sqlite3_column_text(mw, 3);
		int running = st && (!strcmp(st, "scheduled") || !strcmp(st, "in_progress"));
		if (col_time(mw, 2, &until) < 0 && (running || col_time(mw, 4, &until) < 0))
			until = now_ms;
		iv_add(&maint, from, until > now_ms ? now_ms : until);
	}
	if (cur)
		overlay(cur, maint.v, maint.n, 1);
	free(maint.v);
	sqlite3_finalize(mw);
	for (size_t k = 0; k < out->n; k++)
		overlay(&out->v[k], blind.v, blind.n, 0);
	free(blind.v);
	if (rc != SQLITE_DONE) {
		sla_set_release(out);
		return -1;
	}
	return 0;
}

int sla_load(sqlite3 *db, int64_t since_ms, int64_t now_ms, const struct sla_opts *o,
	     struct sla_set *out)
{
	/* The options shape figures, not timelines: when pollerd was blind is
	 * its own fresh_until (db_poller_stalled_at), not an apid setting. o
	 * stays in the signature for the callers that hold one. */
	(void)o;
	return load(db, NULL, since_ms, now_ms, out);
}

void sla_set_release(struct sla_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].service_id);
		free(s->v[i].v);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

void sla_opts_from(struct sla_opts *o, const struct cfg_settings *cfg)
{
	o->degraded_weight = cfg->degraded_sla_weight;
	o->count_maintenance = cfg->sla_count_maintenance;
	o->min_coverage_pct = cfg->uptime_min_coverage_percent;
	o->burn_min_coverage_pct = cfg->burn_min_coverage_percent;
}

double sla_uptime(const struct sla_tl *t, int64_t start, int64_t end, const struct sla_opts *o,
		  struct sla_cov *cov)
{
	double counted = 0, up = 0;
	struct sla_cov c = {0, 0, end > start ? end - start : 0};
	for (size_t i = 0; i < t->n; i++) {
		const struct sla_seg *s = &t->v[i];
		int64_t lo = s->start > start ? s->start : start;
		int64_t hi = s->end < end ? s->end : end;
		if (hi <= lo || s->state == ST_UNKNOWN)
			continue;
		c.tracked_ms += hi - lo;
		if (s->maint) {
			c.maint_ms += hi - lo;
			if (!o->count_maintenance)
				continue;
		}
		double d = (double)(hi - lo);
		counted += d;
		if (s->state == ST_OPERATIONAL)
			up += d;
		else if (s->state == ST_DEGRADED)
			up += d * (1.0 - o->degraded_weight);
	}
	if (cov)
		*cov = c;
	if (counted <= 0)
		return NAN;
	double pct = up / counted * 100.0;
	return pct > 100.0 ? 100.0 : pct;
}

int sla_covered(const struct sla_cov *c, double min_pct)
{
	return c->window_ms > 0 && c->tracked_ms > 0 &&
	       (double)c->tracked_ms * 100.0 >= min_pct * (double)c->window_ms;
}

double sla_figure(const struct sla_tl *t, int64_t start, int64_t end, const struct sla_opts *o,
		  struct sla_cov *cov)
{
	struct sla_cov c;
	double v = sla_uptime(t, start, end, o, &c);
	if (cov)
		*cov = c;
	return sla_covered(&c, o->min_coverage_pct) ? v : NAN;
}

cJSON *sla_cov_json(const struct sla_cov *c, int64_t monitoring_since)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tracked_seconds", (double)(c->tracked_ms / 1000));
	cJSON_AddNumberToObject(o, "window_seconds", (double)(c->window_ms / 1000));
	cJSON_AddNumberToObject(o, "maintenance_seconds", (double)(c->maint_ms / 1000));
	char iso[TS_ISO_LEN + 1];
	cJSON_AddItemToObject(o, "monitoring_since",
			      monitoring_since >= 0
				  ? cJSON_CreateString(ts_format(monitoring_since, iso))
				  : cJSON_CreateNull());
	return o;
}

int sla_worst(const struct sla_tl *t, int64_t start, int64_t end)
{
	int worst = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct sla_seg *s = &t->v[i];
		int64_t lo = s->start > start ? s->start : start;
		int64_t hi = s->end < end ? s->end : end;
		if (hi <= lo || s->state == ST_UNKNOWN)
			continue;
		int r = status_rank5(st_status_str((enum st_status)s->state));
		if (r > worst)
			worst = r;
	}
	return worst;
}

static int64_t day_start(int64_t ms)
{
	int64_t d = ms / DAY_MS * DAY_MS;
	return d > ms ? d - DAY_MS : d; /* floor for times before 1970 */
}

static void day_text(int64_t ms, char out[11])
{
	char iso[TS_ISO_LEN + 1];
	ts_format(ms, iso);
	memcpy(out, iso, 10);
	out[10] = '\0';
}

/* The coverage rule the figures were held to, for clients that word
 * "collecting data" themselves. */
static void add_rule(cJSON *data, const struct sla_opts *o)
{
	cJSON *r = cJSON_AddObjectToObject(data, "coverage_rule");
	cJSON_AddNumberToObject(r, "min_coverage_percent", o->min_coverage_pct);
	cJSON_AddNumberToObject(r, "burn_min_coverage_percent", o->burn_min_coverage_pct);
	cJSON_AddBoolToObject(r, "count_maintenance", o->count_maintenance);
}

/* When monitoring of t started, as an ISO string or null; caller owns it. */
static cJSON *since_json(const struct sla_tl *t)
{
	char iso[TS_ISO_LEN + 1];
	return t->monitoring_since >= 0 ? cJSON_CreateString(ts_format(t->monitoring_since, iso))
					: cJSON_CreateNull();
}

static void add_since(cJSON *o, const struct sla_tl *t)
{
	cJSON_AddItemToObject(o, "monitoring_since", since_json(t));
}

/* One service's entry of /api/services/sla; caller deletes. */
static cJSON *sla_entry(const struct sla_tl *t, int64_t now_ms, const struct sla_opts *o)
{
	static const struct {
		const char *field, *label;
		int64_t len;
	} win[] = {{"uptime_24h", "24h", DAY_MS},
		   {"uptime_7d", "7d", 7 * DAY_MS},
		   {"uptime_30d", "30d", 30 * DAY_MS}};
	cJSON *s = cJSON_CreateObject();
	cJSON *cov = cJSON_CreateObject();
	for (size_t k = 0; k < sizeof win / sizeof win[0]; k++) {
		struct sla_cov c;
		double v = sla_figure(t, now_ms - win[k].len, now_ms, o, &c);
		cJSON_AddItemToObject(s, win[k].field, json_pct(v));
		cJSON_AddItemToObject(cov, win[k].label, sla_cov_json(&c, t->monitoring_since));
	}
	add_since(s, t);
	cJSON_AddItemToObject(s, "coverage", cov);
	return s;
}

cJSON *sla_build(sqlite3 *db, int64_t now_ms, const struct sla_opts *o)
{
	struct sla_set set;
	if (sla_load(db, now_ms - 30 * DAY_MS, now_ms, o, &set) < 0)
		return NULL;
	cJSON *data = cJSON_CreateObject();
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	for (size_t i = 0; i < set.n; i++) /* text, not a tree */
		cJSON_AddItemToObject(svcs, set.v[i].service_id,
				      json_list_item(sla_entry(&set.v[i], now_ms, o)));
	sla_set_release(&set);
	add_rule(data, o);
	return data;
}

/* The uptime grid's days: the last UPTIME_DAYS, today included. */
#define UPTIME_DAYS 7

/* The start of the first of the n days that end with today. */
static int64_t days_first(int64_t now_ms, long n)
{
	return day_start(now_ms) - (n - 1) * DAY_MS;
}

/* The days array (oldest first) for n days ending today, caller deletes;
 * the first day's start goes to *first. */
static cJSON *days_array(int64_t now_ms, long n, int64_t *first)
{
	cJSON *days = cJSON_CreateArray();
	*first = days_first(now_ms, n);
	for (long i = 0; i < n; i++) {
		char d[11];
		day_text(*first + i * DAY_MS, d);
		cJSON_AddItemToArray(days, cJSON_CreateString(d));
	}
	return days;
}

cJSON *sla_history_build(sqlite3 *db, int64_t now_ms, long days, const struct sla_opts *o)
{
	return sla_history_only(db, NULL, now_ms, days, o, 0);
}

/* One service's days of /api/services/sla/history from first (caller
 * deletes); each day's uptime, as printed (rounded), is added to sum[d] and
 * counted in cnt[d] when it has one, and their mean goes to *mean (+inf:
 * none). */
static cJSON *history_days(const struct sla_tl *t, int64_t first, int64_t now_ms, long days,
			   const struct sla_opts *o, double *sum, int *cnt, double *mean)
{
	cJSON *arr = cJSON_CreateArray();
	double all = 0;
	int n = 0;
	for (long d = 0; d < days; d++) {
		int64_t s = first + d * DAY_MS, e = s + DAY_MS;
		if (e > now_ms)
			e = now_ms; /* today ends now (doc/compat.md#bug-6) */
		struct sla_cov c;
		double v = sla_figure(t, s, e, o, &c);
		cJSON *day = cJSON_CreateObject();
		char dt[11];
		day_text(s, dt);
		cJSON_AddStringToObject(day, "date", dt);
		cJSON_AddItemToObject(day, "uptime", json_pct(v));
		cJSON_AddNumberToObject(day, "tracked_seconds", (double)(c.tracked_ms / 1000));
		cJSON_AddNumberToObject(day, "window_seconds", (double)(c.window_ms / 1000));
		cJSON_AddNumberToObject(day, "maintenance_seconds", (double)(c.maint_ms / 1000));
		cJSON_AddItemToArray(arr, day);
		if (!isnan(v)) {
			sum[d] += round2(v);
			cnt[d]++;
			all += round2(v);
			n++;
		}
	}
	*mean = n ? all / n : INFINITY;
	return arr;
}

/* ?worst=: each day's mean uptime over every service (null: none had one). */
static cJSON *history_aggregate(const cJSON *darr, const double *sum, const int *cnt)
{
	cJSON *agg = cJSON_CreateArray();
	int i = 0;
	const cJSON *day;
	cJSON_ArrayForEach(day, darr)
	{
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "date", cJSON_Duplicate(day, 1));
		cJSON_AddItemToObject(o, "mean_uptime",
				      cnt[i] ? json_pct(sum[i] / cnt[i]) : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "services", cnt[i]);
		cJSON_AddItemToArray(agg, o);
		i++;
	}
	return agg;
}

/* The full history's services, made while the answer is printed
 * (json_lazy): the timelines are kept, and each service's days are built,
 * printed and freed in turn, so the build never holds the day rows of
 * every service at once (31 MB of text at 10,000 services x 30 days). */
struct history_lazy {
	struct sla_set set;
	int64_t first, now_ms;
	long days;
	struct sla_opts o;
};

static void history_lazy_print(void *ctx, struct jsink *s)
{
	struct history_lazy *h = ctx;
	/* Only ?worst=N reads the day sums: here they are scratch. */
	double *sum = xcalloc((size_t)h->days, sizeof *sum);
	int *cnt = xcalloc((size_t)h->days, sizeof *cnt);
	int first = 1;
	s->put(s, "{", 1);
	for (size_t i = 0; i < h->set.n; i++) {
		const struct sla_tl *t = &h->set.v[i];
		struct sla_cov all;
		sla_uptime(t, h->first, h->now_ms, &h->o, &all);
		if (!all.tracked_ms)
			continue; /* as in sla_history_only */
		double mean;
		json_put_member(
		    s, first, t->service_id,
		    history_days(t, h->first, h->now_ms, h->days, &h->o, sum, cnt, &mean));
		first = 0;
	}
	s->put(s, "}", 1);
	free(sum);
	free(cnt);
}

static void history_lazy_release(void *ctx)
{
	struct history_lazy *h = ctx;
	sla_set_release(&h->set);
	free(h);
}

cJSON *sla_history_only(sqlite3 *db, const char *only, int64_t now_ms, long days,
			const struct sla_opts *o, long worst)
{
	int64_t first;
	cJSON *darr = days_array(now_ms, days, &first);
	struct sla_set set;
	if (load(db, only, first, now_ms, &set) < 0) {
		cJSON_Delete(darr);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "days", darr);
	if (worst <= 0 && json_lists_compact()) {
		/* An HTTP answer of every service: its days are made as it is
		 * printed (doc/scale.md#memory); the timelines go with them. */
		cJSON *since = cJSON_CreateObject();
		for (size_t i = 0; i < set.n; i++)
			cJSON_AddItemToObject(since, set.v[i].service_id, since_json(&set.v[i]));
		struct history_lazy *h = xmalloc(sizeof *h);
		*h = (struct history_lazy){set, first, now_ms, days, *o};
		cJSON_AddItemToObject(data, "services",
				      json_lazy(history_lazy_print, history_lazy_release, h));
		cJSON_AddItemToObject(data, "monitoring_since", since);
		add_rule(data, o);
		return data;
	}
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	cJSON *since = cJSON_CreateObject();
	double *sum = xcalloc((size_t)days, sizeof *sum);
	int *cnt = xcalloc((size_t)days, sizeof *cnt);
	/* ?worst=N keeps N services while it goes, not 10,000. */
	struct worst_keep *keep = worst > 0 ? worst_keep_new(worst) : NULL;
	for (size_t i = 0; i < set.n; i++) {
		const struct sla_tl *t = &set.v[i];
		cJSON_AddItemToObject(since, t->service_id, since_json(t));
		struct sla_cov all;
		sla_uptime(t, first, now_ms, o, &all);
		if (!all.tracked_ms)
			continue; /* nothing tracked in the range */
		double mean;
		/* Printed per service: 10,000 x 30 day objects as a tree were
		 * most of apid's peak memory (doc/scale.md#memory). */
		cJSON *arr =
		    json_list_item(history_days(t, first, now_ms, days, o, sum, cnt, &mean));
		if (keep)
			worst_keep_offer(keep, mean, t->service_id, arr);
		else
			cJSON_AddItemToObject(svcs, t->service_id, arr);
	}
	int total = keep ? worst_keep_finish(keep, svcs) : 0;
	cJSON_AddItemToObject(data, "monitoring_since", since);
	sla_set_release(&set);
	add_rule(data, o);
	if (worst > 0) {
		cJSON_AddItemToObject(data, "aggregate", history_aggregate(darr, sum, cnt));
		cJSON_AddNumberToObject(data, "services_total", total);
	}
	free(sum);
	free(cnt);
	return data;
}

/* One service's entries of /api/services/uptime for the 7 days from first:
 * the worst status (*so) and the seconds seen (*to) of each day seen. 0 and
 * both NULL when no day was seen (the service is then absent there), else 1
 * and the caller deletes both. */
static int uptime_days(const struct sla_tl *t, int64_t first, int64_t now_ms,
		       const struct sla_opts *o, cJSON **so, cJSON **to)
{
	static const char *const worst_name[] = {NULL, "operational", "degraded", "partial_outage",
						 "major_outage"};
	*so = *to = NULL;
	/* A state lasting several days marks each of them (the seed only
	 * marked the day of the event). */
	for (int d = 0; d < UPTIME_DAYS; d++) {
		int64_t s = first + d * DAY_MS;
		int w = sla_worst(t, s, s + DAY_MS);
		if (!w)
			continue;
		char dt[11];
		day_text(s, dt);
		if (!*so) {
			*so = cJSON_CreateObject();
			*to = cJSON_CreateObject();
		}
		cJSON_AddStringToObject(*so, dt, worst_name[w]);
		struct sla_cov c;
		sla_uptime(t, s, s + DAY_MS > now_ms ? now_ms : s + DAY_MS, o, &c);
		cJSON_AddNumberToObject(*to, dt, (double)(c.tracked_ms / 1000));
	}
	return *so != NULL;
}

cJSON *sla_row_figures(sqlite3 *db, const char *id, int64_t now_ms, const struct sla_opts *o)
{
	struct sla_set set;
	if (load(db, id, now_ms - 30 * DAY_MS, now_ms, &set) < 0)
		return NULL;
	cJSON *f = NULL;
	if (set.n == 1) {
		f = cJSON_CreateObject();
		cJSON *so, *to;
		int64_t first = days_first(now_ms, UPTIME_DAYS);
		if (!uptime_days(&set.v[0], first, now_ms, o, &so, &to)) {
			so = cJSON_CreateObject();
			to = cJSON_CreateObject();
		}
		cJSON_AddItemToObject(f, "uptime", so);
		cJSON_AddItemToObject(f, "tracked_seconds", to);
		cJSON_AddItemToObject(f, "sla", sla_entry(&set.v[0], now_ms, o));
	}
	sla_set_release(&set);
	return f;
}

cJSON *uptime_build(sqlite3 *db, int64_t now_ms, const struct sla_opts *o)
{
	int64_t first;
	cJSON *darr = days_array(now_ms, UPTIME_DAYS, &first);
	struct sla_set set;
	if (sla_load(db, first, now_ms, o, &set) < 0) {
		cJSON_Delete(darr);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "days", darr);
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	/* Per service and day, the seconds with a known status: a day absent
	 * from services (or tracked below the whole day) was not, or not
	 * wholly, seen -- "no data", never "operational". */
	cJSON *tracked = cJSON_CreateObject();
	cJSON *since = cJSON_CreateObject();
	for (size_t i = 0; i < set.n; i++) {
		const struct sla_tl *t = &set.v[i];
		cJSON_AddItemToObject(since, t->service_id, since_json(t));
		cJSON *so, *to;
		/* text, not trees: 10,000 services x 7 days x 2 */
		if (uptime_days(t, first, now_ms, o, &so, &to)) {
			cJSON_AddItemToObject(svcs, t->service_id, json_list_item(so));
			cJSON_AddItemToObject(tracked, t->service_id, json_list_item(to));
		}
	}
	cJSON_AddItemToObject(data, "tracked_seconds", tracked);
	cJSON_AddItemToObject(data, "monitoring_since", since);
	sla_set_release(&set);
	return data;
}

/* Burn rate for an uptime (doc/compat.md#s6-11); NAN when the window has no data. */
static double burn(double uptime, double allowable)
{
	if (isnan(uptime))
		return NAN;
	if (uptime >= 100.0)
		return 0;
	return (100.0 - uptime) / 100.0 / allowable;
}

/* A Breach object (doc/compat.md#s5-10); caller owns it. */
static cJSON *breach(double lng, double shrt, const char *ll, const char *sl)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddNumberToObject(b, "long_window_burn_rate", round2(lng));
	cJSON_AddNumberToObject(b, "short_window_burn_rate", round2(shrt));
	cJSON_AddStringToObject(b, "long_window_label", ll);
	cJSON_AddStringToObject(b, "short_window_label", sl);
	return b;
}

cJSON *slo_build(sqlite3 *db, int64_t now_ms, const struct cfg_settings *cfg)
{
	return slo_build_worst(db, now_ms, cfg, 0);
}

/* What an SLO row is figured against. */
struct slo_ctx {
	struct sla_set set;
	struct sla_opts o;
	int64_t now_ms;
	double target, allowable, fast_t, slow_t;
};

/* The SLO row of st's current service (caller deletes); whether it burns
 * fast or slow is added to *fast_n and *slow_n, its budget (NAN: none) goes
 * to *budget_out. */
static cJSON *slo_row(sqlite3_stmt *st, const struct slo_ctx *x, int *fast_n, int *slow_n,
		      double *budget_out)
{
	static const struct {
		const char *label;
		int64_t len;
	} bw[] = {{"5m", 5 * MIN_MS}, {"30m", 30 * MIN_MS}, {"1h", HOUR_MS}, {"6h", 6 * HOUR_MS}};
	int64_t now_ms = x->now_ms;
	const struct sla_opts *o = &x->o;
	cJSON *row = json_row(st);
	const struct sla_tl *t = tl_find(&x->set, (const char *)sqlite3_column_text(st, 0));
	struct sla_tl empty = {.monitoring_since = -1};
	if (!t)
		t = &empty;
	struct sla_cov c30;
	double u30 = sla_figure(t, now_ms - 30 * DAY_MS, now_ms, o, &c30);
	/* A burn rate needs its window nearly all seen: a 12-second
	 * outage in a 1-hour window seen for 15 s is not "1000x". */
	double b[4];
	cJSON *rates = cJSON_CreateObject(), *bcov = cJSON_CreateObject();
	for (int k = 0; k < 4; k++) {
		struct sla_cov c;
		double u = sla_uptime(t, now_ms - bw[k].len, now_ms, o, &c);
		b[k] = sla_covered(&c, o->burn_min_coverage_pct) ? burn(u, x->allowable) : NAN;
		cJSON_AddItemToObject(rates, bw[k].label, json_pct(b[k]));
		cJSON_AddItemToObject(bcov, bw[k].label, sla_cov_json(&c, t->monitoring_since));
	}
	/* NAN compares false: a window without data never breaches. */
	int fast = b[0] >= x->fast_t && b[2] >= x->fast_t;
	int slow = b[1] >= x->slow_t && b[3] >= x->slow_t;
	double budget = NAN;
	if (!isnan(u30)) {
		budget = 100.0;
		if (x->target < 100.0) {
			double spent = 100.0 - u30;
			budget = 100.0 - 100.0 * (spent > 0 ? spent : 0) / (100.0 - x->target);
			budget = budget < 0 ? 0 : budget > 100 ? 100 : budget;
		}
	}
	cJSON_AddItemToObject(row, "uptime_30d_pct", json_pct(u30));
	cJSON_AddItemToObject(row, "error_budget_remaining_pct", json_pct(budget));
	cJSON_AddBoolToObject(row, "fast_burning", fast);
	cJSON_AddBoolToObject(row, "slow_burning", slow);
	cJSON_AddItemToObject(row, "fast_breach",
			      fast ? breach(b[2], b[0], "1h", "5m") : cJSON_CreateNull());
	cJSON_AddItemToObject(row, "slow_breach",
			      slow ? breach(b[3], b[1], "6h", "30m") : cJSON_CreateNull());
	add_since(row, t);
	cJSON_AddItemToObject(row, "coverage_30d", sla_cov_json(&c30, t->monitoring_since));
	cJSON_AddItemToObject(row, "burn_rates", rates);
	cJSON_AddItemToObject(row, "burn_coverage", bcov);
	*fast_n += fast;
	*slow_n += slow;
	*budget_out = budget;
	return row;
}

/* The full SLO list of an HTTP answer, made while it is printed
 * (json_lazy): the statement and the timelines are kept, and each row is
 * built, printed and freed in turn (10,000 rows are 10.7 MB of text). */
struct slo_lazy {
	sqlite3_stmt *st;
	struct slo_ctx x;
};

static cJSON *slo_lazy_row(sqlite3_stmt *st, void *ctx)
{
	const struct slo_lazy *l = ctx;
	int fast_n = 0, slow_n = 0; /* only ?worst=N reports them */
	double budget;
	return slo_row(st, &l->x, &fast_n, &slow_n, &budget);
}

static void slo_lazy_print(void *ctx, struct jsink *s)
{
	struct slo_lazy *l = ctx;
	json_put_rows(s, l->st, slo_lazy_row, l);
}

static void slo_lazy_release(void *ctx)
{
	struct slo_lazy *l = ctx;
	sqlite3_finalize(l->st);
	sla_set_release(&l->x.set);
	free(l);
}

cJSON *slo_build_worst(sqlite3 *db, int64_t now_ms, const struct cfg_settings *cfg, long worst)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT s.id, s.display_name, s.category, s.tier,"
		" s.current_status, s.poller_health, " SQL_EFFECTIVE(
		    "s") " AS effective_status, s.in_maintenance AS \"bool:in_maintenance\""
			 " FROM services s"
			 " WHERE s.retired_at IS NULL ORDER BY s.display_name, s.id");
	if (!st)
		return NULL;
	struct slo_ctx x = {.now_ms = now_ms};
	sla_opts_from(&x.o, cfg);
	if (sla_load(db, now_ms - 30 * DAY_MS, now_ms, &x.o, &x.set) < 0) {
		sqlite3_finalize(st);
		return NULL;
	}
	x.target = cfg->slo_target_percent;
	x.allowable = (100.0 - x.target) / 100.0;
	x.fast_t = cfg->slo_burn_rate_fast_threshold;
	x.slow_t = cfg->slo_burn_rate_slow_threshold;
	cJSON *data = cJSON_CreateObject();
	int fast_n = 0, slow_n = 0, total = 0;
	if (worst <= 0 && json_lists_compact()) {
		/* An HTTP answer of every service: rows made as it is printed
		 * (doc/scale.md#memory). */
		struct slo_lazy *l = xmalloc(sizeof *l);
		*l = (struct slo_lazy){st, x};
		cJSON_AddItemToObject(data, "services",
				      json_lazy(slo_lazy_print, slo_lazy_release, l));
	} else {
		cJSON *arr = cJSON_AddArrayToObject(data, "services");
		/* ?worst=N keeps N rows while it goes, not 10,000. */
		struct worst_keep *keep = worst > 0 ? worst_keep_new(worst) : NULL;
		while (sqlite3_step(st) == SQLITE_ROW) {
			double budget;
			/* Printed per row: 10,000 SLO rows as a tree were 10 MB
			 * of JSON in tens of MB of nodes (doc/scale.md#memory). */
			cJSON *row = json_list_item(slo_row(st, &x, &fast_n, &slow_n, &budget));
			if (keep) /* no budget figure yet: ranks last */
				worst_keep_offer(keep, isnan(budget) ? INFINITY : round2(budget),
						 NULL, row);
			else
				cJSON_AddItemToArray(arr, row);
		}
		sqlite3_finalize(st);
		sla_set_release(&x.set);
		total = keep ? worst_keep_finish(keep, arr) : 0;
	}
	cJSON *th = cJSON_AddObjectToObject(data, "thresholds");
	cJSON_AddNumberToObject(th, "target_percent", x.target);
	cJSON_AddNumberToObject(th, "fast_threshold", x.fast_t);
	cJSON_AddNumberToObject(th, "slow_threshold", x.slow_t);
	add_rule(data, &x.o);
	if (worst > 0) {
		cJSON_AddNumberToObject(data, "services_total", total);
		cJSON_AddNumberToObject(data, "fast_burning_count", fast_n);
		cJSON_AddNumberToObject(data, "slow_burning_count", slow_n);
	}
	return data;
}

void h_sla(struct req *r)
{
	sqlite3 *db = req_db(r);
	struct sla_opts o;
	sla_opts_from(&o, r->cfg);
	cJSON *data = db ? sla_build(db, ts_now_ms(), &o) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}

void h_sla_history(struct req *r)
{
	cJSON *errs = cJSON_CreateArray();
	long days;
	if (q_int(r, "days", 30, 1, 90, &days, errs) < 0) {
		http_validation(r, errs);
		return;
	}
	cJSON_Delete(errs);
	/* ?service_id=: that service only (the dashboard's drawer), not 10,000. */
	char sid[256];
	const char *only = q_filter(r, "service_id", sid, sizeof sid);
	sqlite3 *db = req_db(r);
	struct sla_opts o;
	sla_opts_from(&o, r->cfg);
	cJSON *data = db ? sla_history_only(db, only, ts_now_ms(), days, &o, r->post_n) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "days_requested", days);
	http_envelope(r, 200, data, meta);
}

void h_uptime(struct req *r)
{
	sqlite3 *db = req_db(r);
	struct sla_opts o;
	sla_opts_from(&o, r->cfg);
	cJSON *data = db ? uptime_build(db, ts_now_ms(), &o) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}

void h_slo(struct req *r)
{
	sqlite3 *db = req_db(r);
	cJSON *data = db ? slo_build_worst(db, ts_now_ms(), r->cfg, r->post_n) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}
