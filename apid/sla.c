/*
 * sla: uptime from the event history -- GET /api/services/sla
 * (doc/compat.md#s5-7), /sla/history (doc/compat.md#s5-8), /uptime
 * (doc/compat.md#s5-6) and /slo (doc/compat.md#s5-10, doc/compat.md#s6-11).
 *
 * Each service's history becomes a timeline of segments, each in one state,
 * and every figure is a sum over the segments clamped to a window. The seed's
 * math (doc/compat.md#s6-14) is kept with its bugs fixed (doc/compat.md#bug-6):
 *  - tracking starts at the service's first status event, the baseline
 *    (the seed dropped it, so weeks of "operational" before the first
 *    incident went uncounted);
 *  - while the poller is broken (health events, kind 'health') the state is
 *    unknown: neither up nor down, like a committed unknown;
 *  - today's bucket ends now, not at tomorrow's midnight;
 *  - degraded counts as down times degraded_sla_weight (1.0 = the seed).
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

static void seg_add(struct sla_tl *t, int64_t start, int64_t end, int state)
{
	if (end <= start)
		return;
	if (t->n && t->v[t->n - 1].state == state && t->v[t->n - 1].end == start) {
		t->v[t->n - 1].end = end; /* merge with the previous segment */
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = (struct sla_seg){start, end, state};
}

/* Walk state for one service while its events stream past. */
struct walk {
	int have_status, broken;
	enum st_status status;
	int64_t since;
};

static void walk_close(struct sla_tl *t, struct walk *w, int64_t at)
{
	if (w->have_status)
		seg_add(t, w->since, at, w->broken ? ST_UNKNOWN : (int)w->status);
	w->since = at;
}

int sla_load(sqlite3 *db, int64_t since_ms, int64_t now_ms, struct sla_set *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *svc =
	    db_prepare(db, "SELECT id FROM services WHERE retired_at IS NULL ORDER BY id");
	/* The events inside the window plus, per service and kind, the last one
	 * before it (SQLite takes the bare columns from the max() row). */
	sqlite3_stmt *ev = db_prepare(
	    db,
	    "SELECT e.service_id, e.kind, e.new_status, e.new_health, e.created_at, e.id"
	    " FROM status_events e JOIN services s ON s.id = e.service_id AND s.retired_at IS NULL"
	    " WHERE e.created_at >= ?1"
	    " UNION ALL"
	    " SELECT e.service_id, e.kind, e.new_status, e.new_health, max(e.created_at), e.id"
	    " FROM status_events e JOIN services s ON s.id = e.service_id AND s.retired_at IS NULL"
	    " WHERE e.created_at < ?1 GROUP BY e.service_id, e.kind"
	    " ORDER BY 1, 5, 6");
	if (!svc || !ev) {
		sqlite3_finalize(svc);
		sqlite3_finalize(ev);
		return -1;
	}
	size_t cap = 0;
	while (sqlite3_step(svc) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		memset(&out->v[out->n], 0, sizeof out->v[out->n]);
		out->v[out->n++].service_id = db_col_dup(svc, 0);
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
		const char *at = (const char *)sqlite3_column_text(ev, 4);
		if (!at || ts_parse(at, &t) < 0)
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
		} else {
			const char *h = (const char *)sqlite3_column_text(ev, 3);
			w.broken = h && !strcmp(h, "broken");
		}
	}
	if (i < out->n)
		walk_close(&out->v[i], &w, now_ms);
	sqlite3_finalize(ev);
	if (rc != SQLITE_DONE) {
		sla_set_free(out);
		return -1;
	}
	return 0;
}

void sla_set_free(struct sla_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].service_id);
		free(s->v[i].v);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

double sla_uptime(const struct sla_tl *t, int64_t start, int64_t end, double degraded_weight)
{
	double tracked = 0, up = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct sla_seg *s = &t->v[i];
		int64_t lo = s->start > start ? s->start : start;
		int64_t hi = s->end < end ? s->end : end;
		if (hi <= lo || s->state == ST_UNKNOWN)
			continue;
		double d = (double)(hi - lo);
		tracked += d;
		if (s->state == ST_OPERATIONAL)
			up += d;
		else if (s->state == ST_DEGRADED)
			up += d * (1.0 - degraded_weight);
	}
	if (tracked <= 0)
		return NAN;
	double pct = up / tracked * 100.0;
	return pct > 100.0 ? 100.0 : pct;
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

cJSON *sla_build(sqlite3 *db, int64_t now_ms, double degraded_weight)
{
	struct sla_set set;
	if (sla_load(db, now_ms - 30 * DAY_MS, now_ms, &set) < 0)
		return NULL;
	cJSON *data = cJSON_CreateObject();
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	for (size_t i = 0; i < set.n; i++) {
		const struct sla_tl *t = &set.v[i];
		cJSON *o = cJSON_AddObjectToObject(svcs, t->service_id);
		cJSON_AddItemToObject(
		    o, "uptime_24h",
		    json_pct(sla_uptime(t, now_ms - DAY_MS, now_ms, degraded_weight)));
		cJSON_AddItemToObject(
		    o, "uptime_7d",
		    json_pct(sla_uptime(t, now_ms - 7 * DAY_MS, now_ms, degraded_weight)));
		cJSON_AddItemToObject(
		    o, "uptime_30d",
		    json_pct(sla_uptime(t, now_ms - 30 * DAY_MS, now_ms, degraded_weight)));
	}
	sla_set_free(&set);
	return data;
}

/* The days array (oldest first) for n days ending today, caller deletes;
 * the first day's start goes to *first. */
static cJSON *days_array(int64_t now_ms, long n, int64_t *first)
{
	cJSON *days = cJSON_CreateArray();
	int64_t today = day_start(now_ms);
	*first = today - (n - 1) * DAY_MS;
	for (long i = 0; i < n; i++) {
		char d[11];
		day_text(*first + i * DAY_MS, d);
		cJSON_AddItemToArray(days, cJSON_CreateString(d));
	}
	return days;
}

cJSON *sla_history_build(sqlite3 *db, int64_t now_ms, long days, double degraded_weight)
{
	int64_t first;
	cJSON *darr = days_array(now_ms, days, &first);
	struct sla_set set;
	if (sla_load(db, first, now_ms, &set) < 0) {
		cJSON_Delete(darr);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "days", darr);
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	for (size_t i = 0; i < set.n; i++) {
		const struct sla_tl *t = &set.v[i];
		if (isnan(sla_uptime(t, first, now_ms, degraded_weight)))
			continue; /* nothing tracked in the range */
		cJSON *arr = cJSON_CreateArray();
		for (long d = 0; d < days; d++) {
			int64_t s = first + d * DAY_MS, e = s + DAY_MS;
			if (e > now_ms)
				e = now_ms; /* today ends now (doc/compat.md#bug-6) */
			cJSON *o = cJSON_CreateObject();
			char dt[11];
			day_text(s, dt);
			cJSON_AddStringToObject(o, "date", dt);
			cJSON_AddItemToObject(o, "uptime",
					      json_pct(sla_uptime(t, s, e, degraded_weight)));
			cJSON_AddItemToArray(arr, o);
		}
		/* Printed per service: 10,000 x 30 day objects as a tree were most
		 * of apid's peak memory (doc/scale.md#memory). */
		cJSON_AddItemToObject(svcs, t->service_id, json_list_item(arr));
	}
	sla_set_free(&set);
	return data;
}

cJSON *uptime_build(sqlite3 *db, int64_t now_ms)
{
	static const char *const worst_name[] = {NULL, "operational", "degraded", "partial_outage",
						 "major_outage"};
	int64_t first;
	cJSON *darr = days_array(now_ms, 7, &first);
	struct sla_set set;
	if (sla_load(db, first, now_ms, &set) < 0) {
		cJSON_Delete(darr);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "days", darr);
	cJSON *svcs = cJSON_AddObjectToObject(data, "services");
	for (size_t i = 0; i < set.n; i++) {
		const struct sla_tl *t = &set.v[i];
		cJSON *o = NULL;
		/* A state lasting several days marks each of them (the seed only
		 * marked the day of the event). */
		for (int d = 0; d < 7; d++) {
			int64_t s = first + d * DAY_MS;
			int w = sla_worst(t, s, s + DAY_MS);
			if (!w)
				continue;
			if (!o)
				o = cJSON_AddObjectToObject(svcs, t->service_id);
			char dt[11];
			day_text(s, dt);
			cJSON_AddStringToObject(o, dt, worst_name[w]);
		}
	}
	sla_set_free(&set);
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

static const struct sla_tl *find_tl(const struct sla_set *set, const char *id)
{
	size_t lo = 0, hi = set->n;
	while (lo < hi) { /* set is ordered by id (sla_load) */
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

cJSON *slo_build(sqlite3 *db, int64_t now_ms, const struct cfg_settings *cfg)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT s.id, s.display_name, s.category, s.tier,"
			   " s.current_status, s.poller_health, " SQL_EFFECTIVE(
			       "s") " AS effective_status FROM services s"
				    " WHERE s.retired_at IS NULL ORDER BY s.display_name, s.id");
	if (!st)
		return NULL;
	struct sla_set set;
	if (sla_load(db, now_ms - 30 * DAY_MS, now_ms, &set) < 0) {
		sqlite3_finalize(st);
		return NULL;
	}
	double w = cfg->degraded_sla_weight, target = cfg->slo_target_percent;
	double allowable = (100.0 - target) / 100.0;
	double fast_t = cfg->slo_burn_rate_fast_threshold,
	       slow_t = cfg->slo_burn_rate_slow_threshold;
	cJSON *data = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(data, "services");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *row = json_row(st);
		const struct sla_tl *t = find_tl(&set, (const char *)sqlite3_column_text(st, 0));
		struct sla_tl empty = {0};
		if (!t)
			t = &empty;
		double u30 = sla_uptime(t, now_ms - 30 * DAY_MS, now_ms, w);
		double b5m = burn(sla_uptime(t, now_ms - 5 * MIN_MS, now_ms, w), allowable);
		double b30m = burn(sla_uptime(t, now_ms - 30 * MIN_MS, now_ms, w), allowable);
		double b1h = burn(sla_uptime(t, now_ms - HOUR_MS, now_ms, w), allowable);
		double b6h = burn(sla_uptime(t, now_ms - 6 * HOUR_MS, now_ms, w), allowable);
		/* NAN compares false: a window without data never breaches. */
		int fast = b5m >= fast_t && b1h >= fast_t;
		int slow = b30m >= slow_t && b6h >= slow_t;
		double budget = 100.0;
		if (!isnan(u30) && target < 100.0) {
			double spent = 100.0 - u30;
			budget = 100.0 - 100.0 * (spent > 0 ? spent : 0) / (100.0 - target);
			budget = budget < 0 ? 0 : budget > 100 ? 100 : budget;
		}
		cJSON_AddItemToObject(row, "uptime_30d_pct", json_pct(u30));
		cJSON_AddNumberToObject(row, "error_budget_remaining_pct", round2(budget));
		cJSON_AddBoolToObject(row, "fast_burning", fast);
		cJSON_AddBoolToObject(row, "slow_burning", slow);
		cJSON_AddItemToObject(row, "fast_breach",
				      fast ? breach(b1h, b5m, "1h", "5m") : cJSON_CreateNull());
		cJSON_AddItemToObject(row, "slow_breach",
				      slow ? breach(b6h, b30m, "6h", "30m") : cJSON_CreateNull());
		cJSON_AddItemToArray(arr, row);
	}
	sqlite3_finalize(st);
	sla_set_free(&set);
	cJSON *th = cJSON_AddObjectToObject(data, "thresholds");
	cJSON_AddNumberToObject(th, "target_percent", target);
	cJSON_AddNumberToObject(th, "fast_threshold", fast_t);
	cJSON_AddNumberToObject(th, "slow_threshold", slow_t);
	return data;
}

void h_sla(struct req *r)
{
	sqlite3 *db = req_db(r);
	cJSON *data = db ? sla_build(db, ts_now_ms(), r->cfg->degraded_sla_weight) : NULL;
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
	sqlite3 *db = req_db(r);
	cJSON *data =
	    db ? sla_history_build(db, ts_now_ms(), days, r->cfg->degraded_sla_weight) : NULL;
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
	cJSON *data = db ? uptime_build(db, ts_now_ms()) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}

void h_slo(struct req *r)
{
	sqlite3 *db = req_db(r);
	cJSON *data = db ? slo_build(db, ts_now_ms(), r->cfg) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}
