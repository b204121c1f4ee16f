/*
 * health: /healthz (doc/compat.md#s5-2, doc/compat.md#s8-2) and /api/health
 * (doc/compat.md#s5-1). With three
 * daemons the dead-man's switch must cover all of them: /healthz answers 200
 * only while the heartbeat row of each of pollerd, alertd and apid is younger
 * than HEARTBEAT_STALE_AFTER_SECONDS, else 503 naming the stale ones. A
 * heartbeat proves a loop is alive, not that it does its work (doc/compat.md#bug-27), so
 * pollerd also counts as stale when it has not completed a poll cycle for
 * three of its shortest poll intervals (when it has anything to poll), and any
 * daemon whose heartbeat says it is failing (heartbeats.failing: its passes or
 * commits keep failing, doc/faults.md) is not fresh. /api/health always answers
 * 200 with the detail, and no longer reports "healthy" when nothing was ever polled.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "apid.h"
#include "db.h"

static const char *const daemons[] = {"pollerd", "alertd", "apid"};
#define NDAEMONS 3

static double age_s(const char *iso, int64_t now_ms)
{
	int64_t t;
	if (!iso || ts_parse(iso, &t) < 0)
		return NAN;
	return (double)(now_ms - t) / 1000.0;
}

/* A number with one decimal, or null for NAN; caller owns the item. */
static cJSON *num1(double v)
{
	return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(round(v * 10.0) / 10.0);
}

/* The shortest poll interval of a live polled service (s), -1 when nothing
 * is polled or the table cannot be read. */
static double min_poll_interval(sqlite3 *db, const struct cfg_settings *cfg)
{
	sqlite3_stmt *iv =
	    db_prepare(db, "SELECT min(COALESCE(poll_interval_seconds, ?1)) FROM services"
			   " WHERE retired_at IS NULL AND poll_type != 'manual'");
	double v = -1;
	if (iv) {
		sqlite3_bind_int(iv, 1, cfg->poll_interval_seconds);
		if (sqlite3_step(iv) == SQLITE_ROW && sqlite3_column_type(iv, 0) != SQLITE_NULL)
			v = sqlite3_column_double(iv, 0);
		sqlite3_finalize(iv);
	}
	return v;
}

/* Per-daemon detail; the names of stale daemons go to stale, the oldest
 * heartbeat age to *max_age. -1 when the table cannot be read. */
static int daemon_detail(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms, cJSON *out,
			 cJSON *stale, double *max_age)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT pid, version, started_at, beat_at, last_cycle_at,"
					  " last_error, failing FROM heartbeats WHERE daemon = ?1");
	if (!st)
		return -1;
	double threshold = cfg->heartbeat_stale_after_seconds;
	/* pollerd is expected to finish a cycle at least every (shortest poll
	 * interval of a live polled service); with nothing to poll, never. */
	double cycle_limit = min_poll_interval(db, cfg);
	if (cycle_limit > 0)
		cycle_limit *= 3.0;
	if (cycle_limit >= 0 && cycle_limit < threshold)
		cycle_limit = threshold;
	*max_age = NAN;
	for (int i = 0; i < NDAEMONS; i++) {
		cJSON *d = cJSON_AddObjectToObject(out, daemons[i]);
		db_bind_text(st, 1, daemons[i]);
		int fresh = 0;
		if (sqlite3_step(st) == SQLITE_ROW) {
			json_add_row(d, st, 0, 7);
			const char *beat = (const char *)sqlite3_column_text(st, 3);
			double age = age_s(beat, now_ms);
			cJSON_AddItemToObject(d, "age_seconds", num1(age));
			fresh = !isnan(age) && age < threshold;
			if (!isnan(age) && (isnan(*max_age) || age > *max_age))
				*max_age = age;
			if (fresh && i == 0) {
				const char *cyc = (const char *)sqlite3_column_text(st, 4);
				double cage = age_s(
				    cyc ? cyc : (const char *)sqlite3_column_text(st, 2), now_ms);
				cJSON_AddItemToObject(d, "cycle_age_seconds", num1(cage));
				if (cycle_limit >= 0 && !isnan(cage) && cage > cycle_limit)
					fresh = 0; /* alive but not polling */
			}
			/* Alive but not working: its passes or commits keep failing. */
			if (sqlite3_column_type(st, 6) != SQLITE_NULL)
				fresh = 0;
		} else {
			cJSON_AddNullToObject(d, "beat_at");
			cJSON_AddNullToObject(d, "age_seconds");
		}
		cJSON_AddBoolToObject(d, "fresh", fresh);
		if (!fresh)
			cJSON_AddItemToArray(stale, cJSON_CreateString(daemons[i]));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

cJSON *healthz_build(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms, int *ok)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *stale = cJSON_CreateArray();
	cJSON *d = cJSON_CreateObject();
	double max_age;
	int rc = db ? daemon_detail(db, cfg, now_ms, d, stale, &max_age) : -1;
	*ok = rc == 0 && cJSON_GetArraySize(stale) == 0;
	cJSON_AddStringToObject(o, "status", *ok ? "ok" : rc < 0 ? "error" : "stale");
	cJSON_AddItemToObject(o, "heartbeat_age_seconds",
			      rc < 0 ? cJSON_CreateNull() : num1(max_age));
	cJSON_AddNumberToObject(o, "threshold_seconds", cfg->heartbeat_stale_after_seconds);
	cJSON_AddItemToObject(o, "stale", stale);
	cJSON_AddItemToObject(o, "daemons", d);
	return o;
}

cJSON *health_build(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms)
{
	cJSON *o = cJSON_CreateObject();
	int db_ok = 0, total = 0, polled = 0, pollable = 0;
	char last[64] = "";
	sqlite3_stmt *st = db ? db_prepare(db, "SELECT count(*), count(last_polled_at),"
					       " max(last_polled_at), sum(poll_type != 'manual')"
					       " FROM services WHERE retired_at IS NULL")
			      : NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		db_ok = 1;
		total = sqlite3_column_int(st, 0);
		polled = sqlite3_column_int(st, 1);
		const char *lp = (const char *)sqlite3_column_text(st, 2);
		if (lp)
			snprintf(last, sizeof last, "%s", lp);
		pollable = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	double poll_age = last[0] ? age_s(last, now_ms) : NAN;
	cJSON *stale = cJSON_CreateArray();
	cJSON *d = cJSON_CreateObject();
	double max_age;
	if (db_ok && daemon_detail(db, cfg, now_ms, d, stale, &max_age) < 0)
		db_ok = 0;
	/* The seed's 120/300 s assumed 60-s polls; scale with the interval. */
	double warn = 2.0 * cfg->poll_interval_seconds, crit = 5.0 * cfg->poll_interval_seconds;
	warn = warn < 120 ? 120 : warn;
	crit = crit < 300 ? 300 : crit;
	int pollerd_stale = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, stale) pollerd_stale |= !strcmp(s->valuestring, "pollerd");
	const char *status = "healthy";
	if (!db_ok || pollerd_stale || (!isnan(poll_age) && poll_age > crit))
		status = "unhealthy";
	else if (cJSON_GetArraySize(stale) > 0 || (!isnan(poll_age) && poll_age > warn) ||
		 (pollable > 0 && polled == 0))
		status = "degraded";
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "database", db_ok ? "connected" : "error");
	cJSON_AddItemToObject(o, "last_poll_at",
			      last[0] ? cJSON_CreateString(last) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "poll_age_seconds",
			      isnan(poll_age) ? cJSON_CreateNull()
					      : cJSON_CreateNumber(floor(poll_age)));
	cJSON_AddNumberToObject(o, "services_total", total);
	cJSON_AddNumberToObject(o, "services_polled", polled);
	cJSON_AddStringToObject(o, "version", ITSTATUS_VERSION);
	cJSON_AddItemToObject(o, "stale_daemons", stale);
	cJSON_AddItemToObject(o, "daemons", d);
	/* For the page's staleness chip (doc/coverage.md#staleness): the last
	 * poll is late once older than two poll intervals plus the time one
	 * cycle may take (a fetch's timeout). */
	double iv = db_ok ? min_poll_interval(db, cfg) : -1;
	if (iv <= 0)
		iv = cfg->poll_interval_seconds;
	cJSON_AddNumberToObject(o, "poll_interval_seconds", iv);
	cJSON_AddNumberToObject(o, "poll_late_after_seconds", 2.0 * iv + cfg->http_timeout_seconds);
	cJSON_AddBoolToObject(o, "pollerd_stale", !db_ok || pollerd_stale);
	return o;
}

void h_health(struct req *r)
{
	/* Always 200 (doc/compat.md#s5-1): the body says what is wrong. */
	http_json(r, 200, health_build(req_db(r), r->cfg, ts_now_ms()), NULL);
}

void h_healthz(struct req *r)
{
	int ok;
	cJSON *o = healthz_build(req_db(r), r->cfg, ts_now_ms(), &ok);
	int wf = r->a->write_failure;
	if (wf) {
		/* Nothing can be recorded (full disk, unwritable file): the
		 * heartbeats above may still look fresh for a while. */
		ok = 0;
		cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString("error"));
		char reason[160];
		snprintf(reason, sizeof reason, "the database cannot be written: %s",
			 db_failure_phrase(wf));
		cJSON_AddStringToObject(o, "reason", reason);
	}
	http_json(r, ok ? 200 : 503, o, NULL);
}
