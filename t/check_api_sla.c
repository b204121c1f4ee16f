/*
 * check_api_sla: apid's uptime math (doc/compat.md#s6-14 with the fixes of
 * doc/compat.md#bug-6) on a
 * real database: tracking starts at the baseline, broken-poller time is
 * unknown, today ends now, degraded is weighted; plus the 7-day strip, the
 * history and the SLO burn rates built from the same timelines; ?worst=N
 * on the history and the SLO list, cut while they are built, against the
 * full answers; and the full history made while it is printed against the
 * one built whole.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../apid/apid.h"
#include "db.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

/* 2026-11-23T12:00:00.000Z */
#define NOW 1795435200000LL
#define H 3600000LL
#define D (24 * H)

static sqlite3 *db;

static void setup(void)
{
	char *dir = ts_tmpdir();
	char *p = xasprintf("%s/sla.db", dir);
	db = db_open(p, 0);
	ck_assert_ptr_nonnull(db);
	free(p);
	free(dir);
	ck_assert_int_eq(db_exec(db,
				 "INSERT INTO services (id, display_name, category) VALUES"
				 " ('a', 'A', 'other'), ('b', 'B', 'other'), ('c', 'C', 'other')"),
			 0);
}

static void teardown(void)
{
	db_close(db);
}

/* A status event at NOW + offset. */
static void status_at(const char *svc, const char *prev, const char *next, int64_t off,
		      int baseline)
{
	char ts[TS_ISO_LEN + 1];
	sqlite3_stmt *st =
	    db_prepare(db, "INSERT INTO status_events (service_id, previous_status, new_status,"
			   " is_baseline, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text(st, 1, svc);
	db_bind_text(st, 2, prev);
	db_bind_text(st, 3, next);
	sqlite3_bind_int(st, 4, baseline);
	db_bind_text(st, 5, ts_format(NOW + off, ts));
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
}

static void health_at(const char *svc, const char *prev, const char *next, int64_t off)
{
	char ts[TS_ISO_LEN + 1];
	sqlite3_stmt *st =
	    db_prepare(db, "INSERT INTO status_events (service_id, kind, previous_health,"
			   " new_health, created_at) VALUES (?1, 'health', ?2, ?3, ?4)");
	db_bind_text(st, 1, svc);
	db_bind_text(st, 2, prev);
	db_bind_text(st, 3, next);
	db_bind_text(st, 4, ts_format(NOW + off, ts));
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
}

/* Options as the defaults: maintenance left out, 10 % / 90 % coverage. */
static struct sla_opts opts(double w)
{
	return (struct sla_opts){.degraded_weight = w,
				 .count_maintenance = 0,
				 .min_coverage_pct = 10,
				 .burn_min_coverage_pct = 90};
}

/* The raw uptime of svc over [start, end), whatever its coverage; the
 * coverage goes to *cov when not NULL. */
static double uptime_cov(const char *svc, int64_t start, int64_t end, const struct sla_opts *o,
			 struct sla_cov *cov)
{
	struct sla_set set;
	ck_assert_int_eq(sla_load(db, start, NOW, o, &set), 0);
	double v = NAN;
	for (size_t i = 0; i < set.n; i++)
		if (!strcmp(set.v[i].service_id, svc))
			v = sla_uptime(&set.v[i], start, end, o, cov);
	sla_set_release(&set);
	return v;
}

static double uptime(const char *svc, int64_t start, int64_t end, double w)
{
	struct sla_opts o = opts(w);
	return uptime_cov(svc, start, end, &o, NULL);
}

START_TEST(test_no_events_is_null)
{
	ck_assert(isnan(uptime("a", NOW - 30 * D, NOW, 1.0)));
}
END_TEST

/* doc/compat.md#bug-6: operational for 29 days with a 1 h outage that ended 1 h ago is
 * ~99.86 %, not the seed's ~50 %. */
START_TEST(test_baseline_starts_tracking)
{
	status_at("a", "unknown", "operational", -29 * D, 1);
	status_at("a", "operational", "major_outage", -2 * H, 0);
	status_at("a", "major_outage", "operational", -1 * H, 0);
	ck_assert_double_eq_tol(round2(uptime("a", NOW - 30 * D, NOW, 1.0)), 99.86, 0.001);
	ck_assert_double_eq_tol(round2(uptime("a", NOW - D, NOW, 1.0)), 95.83, 0.001);
	/* A window entirely before the baseline has nothing tracked. */
	ck_assert(isnan(uptime("a", NOW - 30 * D, NOW - 29 * D - H, 1.0)));
}
END_TEST

START_TEST(test_operational_since_before_window)
{
	status_at("a", "unknown", "operational", -60 * D, 1);
	ck_assert_double_eq(uptime("a", NOW - D, NOW, 1.0), 100.0);
	ck_assert_double_eq(uptime("a", NOW - 30 * D, NOW, 1.0), 100.0);
}
END_TEST

/* Poller broken 2 h ago to 1 h ago: that hour is neither up nor down; a
 * degraded reading committed during it counts once the poller sees again. */
START_TEST(test_broken_poller_is_unknown)
{
	status_at("a", "unknown", "operational", -10 * D, 1);
	health_at("a", "degraded", "broken", -2 * H);
	status_at("a", "operational", "degraded", -90 * 60000LL, 0);
	health_at("a", "broken", "healthy", -1 * H);
	/* tracked 23 h, down 1 h */
	ck_assert_double_eq_tol(round2(uptime("a", NOW - D, NOW, 1.0)), 95.65, 0.001);
	/* only the broken hour: nothing tracked */
	ck_assert(isnan(uptime("a", NOW - 2 * H + 1000, NOW - H - 1000, 1.0)));
}
END_TEST

START_TEST(test_degraded_weight)
{
	status_at("a", "unknown", "operational", -2 * D, 1);
	status_at("a", "operational", "degraded", -12 * H, 0);
	ck_assert_double_eq_tol(uptime("a", NOW - D, NOW, 1.0), 50.0, 1e-9);
	ck_assert_double_eq_tol(uptime("a", NOW - D, NOW, 0.5), 75.0, 1e-9);
	ck_assert_double_eq_tol(uptime("a", NOW - D, NOW, 0.0), 100.0, 1e-9);
	status_at("a", "degraded", "partial_outage", -6 * H, 0);
	/* 12 h up, 6 h degraded at half weight, 6 h down */
	ck_assert_double_eq_tol(uptime("a", NOW - D, NOW, 0.5), 62.5, 1e-9);
}
END_TEST

/* A committed unknown (a manual service set to unknown) is not counted. */
START_TEST(test_committed_unknown_ignored)
{
	status_at("a", "unknown", "operational", -4 * H, 1);
	status_at("a", "operational", "unknown", -2 * H, 0);
	ck_assert_double_eq(uptime("a", NOW - D, NOW, 1.0), 100.0);
}
END_TEST

/* Only the last event before the window is read, whatever the history. */
START_TEST(test_history_before_window)
{
	status_at("a", "unknown", "operational", -90 * D, 1);
	for (int i = 80; i >= 40; i--)
		status_at("a", i % 2 ? "operational" : "degraded",
			  i % 2 ? "degraded" : "operational", -(int64_t)i * D, 0);
	/* last event before the window (40 days ago) -> operational */
	ck_assert_double_eq(uptime("a", NOW - 30 * D, NOW, 1.0), 100.0);
}
END_TEST

/* Today's bucket ends now: 6 h degraded out of the 12 h so far is 50 %. */
START_TEST(test_history_today_ends_now)
{
	status_at("a", "unknown", "operational", -3 * D, 1);
	status_at("a", "operational", "degraded", -6 * H, 0);
	struct sla_opts o = opts(1.0);
	cJSON *h = sla_history_build(db, NOW, 2, &o);
	ck_assert_ptr_nonnull(h);
	cJSON *days = cJSON_GetObjectItem(h, "days");
	ck_assert_int_eq(cJSON_GetArraySize(days), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(days, 1)->valuestring, "2026-11-23");
	cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(h, "services"), "a");
	ck_assert_int_eq(cJSON_GetArraySize(a), 2);
	ck_assert_double_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "uptime")->valuedouble,
			    100.0);
	ck_assert_double_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 1), "uptime")->valuedouble,
			    50.0);
	/* services without tracked time in the range are left out */
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(h, "services"), "b"));
	cJSON_Delete(h);
}
END_TEST

START_TEST(test_sla_build_lists_every_service)
{
	status_at("a", "unknown", "operational", -3 * D, 1);
	struct sla_opts o = opts(1.0);
	cJSON *s = sla_build(db, NOW, &o);
	cJSON *svcs = cJSON_GetObjectItem(s, "services");
	ck_assert_int_eq(cJSON_GetArraySize(svcs), 3);
	cJSON *a = cJSON_GetObjectItem(svcs, "a");
	ck_assert_double_eq(cJSON_GetObjectItem(a, "uptime_30d")->valuedouble, 100.0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(svcs, "b"), "uptime_24h")));
	/* retired services are gone */
	db_exec(db, "UPDATE services SET retired_at = '2026-11-01T00:00:00.000Z' WHERE id = 'c'");
	cJSON_Delete(s);
	s = sla_build(db, NOW, &o);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "services")), 2);
	cJSON_Delete(s);
}
END_TEST

/* An outage lasting three days marks each of them, not only its first. */
START_TEST(test_uptime_strip_multi_day)
{
	status_at("a", "unknown", "operational", -10 * D, 1);
	status_at("a", "operational", "major_outage", -3 * D, 0);
	status_at("b", "unknown", "operational", -10 * D, 1);
	status_at("b", "operational", "degraded", -5 * D, 0);
	status_at("b", "degraded", "operational", -5 * D + H, 0);
	struct sla_opts o = opts(1.0);
	cJSON *u = uptime_build(db, NOW, &o);
	cJSON *days = cJSON_GetObjectItem(u, "days");
	ck_assert_int_eq(cJSON_GetArraySize(days), 7);
	ck_assert_str_eq(cJSON_GetArrayItem(days, 0)->valuestring, "2026-11-17");
	cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(u, "services"), "a");
	ck_assert_str_eq(cJSON_GetObjectItem(a, "2026-11-19")->valuestring, "operational");
	ck_assert_str_eq(cJSON_GetObjectItem(a, "2026-11-20")->valuestring, "major_outage");
	ck_assert_str_eq(cJSON_GetObjectItem(a, "2026-11-21")->valuestring, "major_outage");
	ck_assert_str_eq(cJSON_GetObjectItem(a, "2026-11-23")->valuestring, "major_outage");
	cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(u, "services"), "b");
	ck_assert_str_eq(cJSON_GetObjectItem(b, "2026-11-18")->valuestring, "degraded");
	ck_assert_str_eq(cJSON_GetObjectItem(b, "2026-11-19")->valuestring, "operational");
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(u, "services"), "c"));
	cJSON_Delete(u);
}
END_TEST

/* The settings slo_build reads, at their defaults. */
static struct cfg_settings slo_cfg(void)
{
	struct cfg_settings cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.degraded_sla_weight = 1.0;
	cfg.slo_target_percent = 99.9;
	cfg.slo_burn_rate_fast_threshold = 14.4;
	cfg.slo_burn_rate_slow_threshold = 6.0;
	cfg.uptime_min_coverage_percent = 10;
	cfg.burn_min_coverage_percent = 90;
	cfg.heartbeat_stale_after_seconds = 120;
	return cfg;
}

static cJSON *slo_row(cJSON *slo, const char *id)
{
	cJSON *row;
	cJSON_ArrayForEach(
	    row, cJSON_GetObjectItem(
		     slo, "services")) if (!strcmp(cJSON_GetObjectItem(row, "id")->valuestring,
						   id)) return row;
	return NULL;
}

START_TEST(test_slo_burn_and_budget)
{
	struct cfg_settings cfg = slo_cfg();
	/* a: down for the last 10 minutes -> fast burn (5 m and 1 h both over 14.4) */
	status_at("a", "unknown", "operational", -40 * D, 1);
	status_at("a", "operational", "major_outage", -10 * 60000LL, 0);
	/* b: 99.95 % over 30 days -> half the budget left, no burn now */
	status_at("b", "unknown", "operational", -40 * D, 1);
	status_at("b", "operational", "major_outage", -10 * D, 0);
	status_at("b", "major_outage", "operational", -10 * D + 1296000LL, 0);
	cJSON *slo = slo_build(db, NOW, &cfg);
	cJSON *a = slo_row(slo, "a"), *b = slo_row(slo, "b"), *c = slo_row(slo, "c");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(a, "fast_burning")));
	cJSON *fb = cJSON_GetObjectItem(a, "fast_breach");
	ck_assert_str_eq(cJSON_GetObjectItem(fb, "long_window_label")->valuestring, "1h");
	ck_assert_double_eq(cJSON_GetObjectItem(fb, "short_window_burn_rate")->valuedouble, 1000.0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(b, "fast_burning")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(b, "fast_breach")));
	ck_assert_double_eq_tol(cJSON_GetObjectItem(b, "uptime_30d_pct")->valuedouble, 99.95,
				0.001);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(b, "error_budget_remaining_pct")->valuedouble,
				50.0, 0.01);
	/* no data: no budget figure (not "100 % left"), never burning */
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "uptime_30d_pct")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "error_budget_remaining_pct")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "monitoring_since")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(c, "slow_burning")));
	ck_assert_double_eq(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(slo, "thresholds"), "target_percent")
		->valuedouble,
	    99.9);
	cJSON_Delete(slo);
}
END_TEST

static double num(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItem(o, k);
	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", k);
	return v->valuedouble;
}

/* A window partly covered: 2 h of 30 days is below the 10 % rule (null plus
 * the coverage), 5 days of 30 is above it (a figure over the 5 days). */
START_TEST(test_window_partly_covered)
{
	status_at("a", "unknown", "operational", -2 * H, 1);
	status_at("b", "unknown", "operational", -5 * D, 1);
	status_at("b", "operational", "major_outage", -2 * H, 0);
	status_at("b", "major_outage", "operational", -1 * H, 0);
	struct sla_opts o = opts(1.0);
	cJSON *s = sla_build(db, NOW, &o);
	cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "services"), "a");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "uptime_30d")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "uptime_7d")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "uptime_24h"))); /* 8.3 % of a day */
	cJSON *c30 = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "coverage"), "30d");
	ck_assert_double_eq(num(c30, "tracked_seconds"), 7200);
	ck_assert_double_eq(num(c30, "window_seconds"), 2592000);
	ck_assert_str_eq(cJSON_GetObjectItem(c30, "monitoring_since")->valuestring,
			 "2026-11-23T10:00:00.000Z");
	ck_assert_str_eq(cJSON_GetObjectItem(a, "monitoring_since")->valuestring,
			 "2026-11-23T10:00:00.000Z");
	cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "services"), "b");
	/* 1 h down out of the 5 days seen */
	ck_assert_double_eq_tol(num(b, "uptime_30d"), 99.17, 0.001);
	ck_assert_double_eq_tol(num(b, "uptime_24h"), 95.83, 0.001);
	ck_assert_double_eq(
	    num(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "coverage"), "30d"), "tracked_seconds"),
	    5 * 86400);
	/* never seen: null, coverage 0, monitoring_since null */
	cJSON *c = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "services"), "c");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "uptime_24h")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "monitoring_since")));
	ck_assert_double_eq(
	    num(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "coverage"), "24h"), "tracked_seconds"),
	    0);
	ck_assert_double_eq(num(cJSON_GetObjectItem(s, "coverage_rule"), "min_coverage_percent"),
			    10);
	cJSON_Delete(s);
	/* the threshold is a setting: at 0 % the 2 hours give a figure */
	o.min_coverage_pct = 0;
	s = sla_build(db, NOW, &o);
	a = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "services"), "a");
	ck_assert_double_eq(num(a, "uptime_30d"), 100.0);
	cJSON_Delete(s);
}
END_TEST

static void pollerd_health(const char *state, int64_t beat_off, int64_t decided_off)
{
	char b[TS_ISO_LEN + 1], d[TS_ISO_LEN + 1];
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO daemon_health_log (daemon, state, beat_at,"
					  " decided_at) VALUES ('pollerd', ?1, ?2, ?3)");
	db_bind_text(st, 1, state);
	db_bind_text(st, 2, ts_format(NOW + beat_off, b));
	db_bind_text(st, 3, ts_format(NOW + decided_off, d));
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
}

static void pollerd_beat(int64_t off)
{
	char b[TS_ISO_LEN + 1];
	sqlite3_stmt *st = db_prepare(
	    db, "INSERT OR REPLACE INTO heartbeats (daemon, pid, version, started_at, beat_at)"
		" VALUES ('pollerd', 1, 'test', ?1, ?1)");
	db_bind_text(st, 1, ts_format(NOW + off, b));
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
}

/* Blind periods: pollerd stale from its last beat 6 h ago until it beat
 * again 4 h ago is unknown for every service, as is the time since its
 * last heartbeat when that is stale now. */
START_TEST(test_blind_pollerd_stale)
{
	status_at("a", "unknown", "operational", -10 * D, 1);
	status_at("a", "operational", "major_outage", -5 * H, 0); /* seen during blindness */
	status_at("a", "major_outage", "operational", -3 * H, 0);
	pollerd_health("stale", -6 * H, -6 * H + 120000);
	pollerd_health("recovered", -4 * H, -4 * H + 1000);
	struct sla_opts o = opts(1.0);
	struct sla_cov c;
	/* of the last day: 2 h blind; 1 h of outage seen (-4 h .. -3 h) */
	double v = uptime_cov("a", NOW - D, NOW, &o, &c);
	ck_assert_int_eq(c.tracked_ms, 22 * H);
	ck_assert_double_eq_tol(v, 100.0 * 21 / 22, 1e-9);
	/* the blind hours alone: nothing tracked, no figure */
	ck_assert(isnan(uptime_cov("a", NOW - 6 * H, NOW - 4 * H, &o, &c)));
	ck_assert_int_eq(c.tracked_ms, 0);
	/* pollerd's heartbeat is 30 min old now (stale after 120 s): blind since */
	pollerd_beat(-30 * 60000LL);
	uptime_cov("a", NOW - D, NOW, &o, &c);
	ck_assert_int_eq(c.tracked_ms, 22 * H - 30 * 60000LL);
	/* a fresh heartbeat: nothing more is blind */
	pollerd_beat(-10000);
	uptime_cov("a", NOW - D, NOW, &o, &c);
	ck_assert_int_eq(c.tracked_ms, 22 * H);
}
END_TEST

/* A stale period still open (no recovery yet) runs to now. */
START_TEST(test_blind_open_until_now)
{
	status_at("a", "unknown", "operational", -2 * D, 1);
	pollerd_health("stale", -3 * H, -3 * H + 120000);
	struct sla_opts o = opts(1.0);
	struct sla_cov c;
	uptime_cov("a", NOW - D, NOW, &o, &c);
	ck_assert_int_eq(c.tracked_ms, 21 * H);
}
END_TEST

static void status_maint_at(const char *svc, const char *prev, const char *next, int64_t off,
			    int maint)
{
	status_at(svc, prev, next, off, 0);
	if (maint)
		db_exec(db, "UPDATE status_events SET in_maintenance = 1"
			    " WHERE id = (SELECT max(id) FROM status_events)");
}

/* Maintenance: tracked, but left out of the figure unless counted. */
START_TEST(test_maintenance_excluded)
{
	status_at("a", "unknown", "operational", -2 * D, 1);
	status_maint_at("a", "operational", "degraded", -6 * H, 1); /* vendor: maintenance */
	status_maint_at("a", "degraded", "operational", -2 * H, 0);
	struct sla_opts o = opts(1.0);
	struct sla_cov c;
	ck_assert_double_eq(uptime_cov("a", NOW - D, NOW, &o, &c), 100.0);
	ck_assert_int_eq(c.tracked_ms, D);
	ck_assert_int_eq(c.maint_ms, 4 * H);
	o.count_maintenance = 1;
	ck_assert_double_eq_tol(uptime_cov("a", NOW - D, NOW, &o, &c), 100.0 * 20 / 24, 1e-9);
	/* counted, degraded weighs DEGRADED_SLA_WEIGHT as before */
	o.degraded_weight = 0.5;
	ck_assert_double_eq_tol(uptime_cov("a", NOW - D, NOW, &o, &c), 100.0 * 22 / 24, 1e-9);
}
END_TEST

/* A maintenance window from scheduled_maintenances covers an outage that
 * came without the in_maintenance flag; a cancelled or future one does not. */
START_TEST(test_maintenance_window)
{
	status_at("a", "unknown", "operational", -2 * D, 1);
	status_at("a", "operational", "major_outage", -4 * H, 0);
	status_at("a", "major_outage", "operational", -3 * H, 0);
	status_at("a", "operational", "major_outage", -2 * H, 0);
	status_at("a", "major_outage", "operational", -1 * H, 0);
	char f[TS_ISO_LEN + 1], u[TS_ISO_LEN + 1], f2[TS_ISO_LEN + 1], u2[TS_ISO_LEN + 1];
	ts_format(NOW - 5 * H, f);
	ts_format(NOW - 3 * H, u);
	ts_format(NOW - 2 * H, f2);
	ts_format(NOW - 1 * H, u2);
	char *sql = xasprintf(
	    "INSERT INTO scheduled_maintenances (service_id, title, scheduled_for,"
	    " scheduled_until, status) VALUES ('a', 'm', '%s', '%s', 'completed'),"
	    " ('a', 'x', '%s', '%s', 'cancelled'), ('a', 'later', '2026-12-01T00:00:00Z', NULL,"
	    " 'scheduled')",
	    f, u, f2, u2);
	ck_assert_int_eq(db_exec(db, sql), 0);
	free(sql);
	struct sla_opts o = opts(1.0);
	struct sla_cov c;
	/* the first hour of outage is in the window: 1 h down of 22 h counted */
	ck_assert_double_eq_tol(uptime_cov("a", NOW - D, NOW, &o, &c), 100.0 * 21 / 22, 1e-9);
	ck_assert_int_eq(c.maint_ms, 2 * H);
	ck_assert_int_eq(c.tracked_ms, D);
}
END_TEST

/* The fresh-install lie: a vendor first seen 15 s ago in a partial outage
 * is not "0.00 % uptime, burning 1000x over 1 h". */
START_TEST(test_burn_needs_coverage)
{
	struct cfg_settings cfg = slo_cfg();
	status_at("a", "unknown", "partial_outage", -15000, 1);
	/* b: seen 58 min in partial outage -- 96.7 % of the hour, under 5 % of 6 h */
	status_at("b", "unknown", "partial_outage", -58 * 60000LL, 1);
	cJSON *slo = slo_build(db, NOW, &cfg);
	cJSON *a = slo_row(slo, "a"), *b = slo_row(slo, "b");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "uptime_30d_pct")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "error_budget_remaining_pct")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a, "fast_burning")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "burn_rates"), "1h")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "burn_rates"), "5m")));
	ck_assert_double_eq(num(cJSON_GetObjectItem(a, "coverage_30d"), "tracked_seconds"), 15);
	/* b: 5 m and 1 h covered -> fast burn; 6 h is not -> no slow burn */
	ck_assert_double_eq(num(cJSON_GetObjectItem(b, "burn_rates"), "1h"), 1000.0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "burn_rates"), "6h")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(b, "fast_burning")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(b, "slow_burning")));
	cJSON_Delete(slo);
}
END_TEST

/* In maintenance, the SLO view does not burn. */
START_TEST(test_slo_maintenance_not_burning)
{
	struct cfg_settings cfg = slo_cfg();
	status_at("a", "unknown", "operational", -40 * D, 1);
	status_maint_at("a", "operational", "degraded", -2 * H, 1);
	cJSON *slo = slo_build(db, NOW, &cfg);
	cJSON *a = slo_row(slo, "a");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a, "fast_burning")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a, "slow_burning")));
	ck_assert_double_eq(num(a, "uptime_30d_pct"), 100.0);
	cJSON_Delete(slo);
	cfg.sla_count_maintenance = 1;
	slo = slo_build(db, NOW, &cfg);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(slo_row(slo, "a"), "fast_burning")));
	cJSON_Delete(slo);
}
END_TEST

/* History days before monitoring started carry no figure and no tracked time. */
START_TEST(test_history_days_before_monitoring)
{
	status_at("a", "unknown", "operational", -D - 6 * H, 1); /* yesterday 06:00 */
	struct sla_opts o = opts(1.0);
	cJSON *h = sla_history_build(db, NOW, 3, &o);
	cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(h, "services"), "a");
	cJSON *d0 = cJSON_GetArrayItem(a, 0), *d1 = cJSON_GetArrayItem(a, 1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d0, "uptime")));
	ck_assert_double_eq(num(d0, "tracked_seconds"), 0);
	ck_assert_double_eq(num(d1, "uptime"), 100.0);
	ck_assert_double_eq(num(d1, "tracked_seconds"), 18 * 3600);
	ck_assert_str_eq(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(h, "monitoring_since"), "a")->valuestring,
	    "2026-11-22T06:00:00.000Z");
	cJSON_Delete(h);
	/* the 7-day strip: tracked seconds per seen day, nothing before */
	cJSON *u = uptime_build(db, NOW, &o);
	cJSON *tr = cJSON_GetObjectItem(cJSON_GetObjectItem(u, "tracked_seconds"), "a");
	ck_assert_int_eq(cJSON_GetArraySize(tr), 2);
	ck_assert_double_eq(num(tr, "2026-11-23"), 12 * 3600);
	cJSON_Delete(u);
}
END_TEST

/* Services d..h beside a..c, with outages of several lengths over the last
 * days: two of them (d, e) have the same mean, so ties are exercised; c has
 * no events at all. */
static void worst_fixture(void)
{
	ck_assert_int_eq(db_exec(db,
				 "INSERT INTO services (id, display_name, category) VALUES"
				 " ('d', 'D', 'other'), ('e', 'E', 'other'), ('f', 'F', 'other'),"
				 " ('g', 'G', 'other'), ('h', 'H', 'other')"),
			 0);
	static const struct {
		const char *id;
		int64_t down_at, down_for;
	} w[] = {{"a", -2 * D, 3 * H}, {"b", -1 * D, 1 * H}, {"d", -3 * D, 2 * H},
		 {"e", -2 * D, 2 * H}, {"f", -40 * D, 0},    {"g", -4 * D, 20 * H},
		 {"h", -5 * H, 5 * H}};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		status_at(w[i].id, "unknown", "operational", -40 * D, 1);
		if (!w[i].down_for)
			continue;
		status_at(w[i].id, "operational", "major_outage", w[i].down_at, 0);
		if (w[i].down_at + w[i].down_for < 0)
			status_at(w[i].id, "major_outage", "operational",
				  w[i].down_at + w[i].down_for, 0);
	}
}

/* A history day array's mean uptime over the days that have one (+inf: none). */
static double hist_mean(const cJSON *arr)
{
	double sum = 0;
	int n = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, arr)
	{
		const cJSON *u = cJSON_GetObjectItem(d, "uptime");
		if (cJSON_IsNumber(u)) {
			sum += u->valuedouble;
			n++;
		}
	}
	return n ? sum / n : INFINITY;
}

/* The indexes of the n children of list with the lowest score, worst first,
 * ties in the list's order (a stable selection); how many went to out. */
static int n_worst(const cJSON *list, double (*score)(const cJSON *), int n, int *out)
{
	int total = cJSON_GetArraySize(list), k = 0;
	char *taken = xcalloc((size_t)total + 1, 1);
	for (; k < n && k < total; k++) {
		int best = -1;
		double bs = 0;
		for (int i = 0; i < total; i++) {
			double sc = score(cJSON_GetArrayItem(list, i));
			if (!taken[i] && (best < 0 || sc < bs)) {
				best = i;
				bs = sc;
			}
		}
		taken[best] = 1;
		out[k] = best;
	}
	free(taken);
	return k;
}

static void same_json(const cJSON *a, const cJSON *b)
{
	char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
	ck_assert_str_eq(x, y);
	cJSON_free(x);
	cJSON_free(y);
}

/* ?worst=N on the history, cut while it is built, is the full answer's N
 * services with the lowest mean daily uptime (ties in the list's order),
 * with each day's mean over every service and the count of them. */
START_TEST(test_history_worst_is_full_cut)
{
	worst_fixture();
	struct sla_opts o = opts(1.0);
	cJSON *full = sla_history_only(db, NULL, NOW, 7, &o, 0);
	cJSON *fs = cJSON_GetObjectItem(full, "services");
	int total = cJSON_GetArraySize(fs);
	ck_assert_int_eq(total, 7); /* c has no tracked time */
	ck_assert_ptr_null(cJSON_GetObjectItem(full, "aggregate"));
	for (int n = 1; n <= total + 1; n++) {
		cJSON *cut = sla_history_only(db, NULL, NOW, 7, &o, n);
		int want[16];
		int k = n_worst(fs, hist_mean, n, want);
		cJSON *cs = cJSON_GetObjectItem(cut, "services");
		ck_assert_int_eq(cJSON_GetArraySize(cs), k);
		for (int i = 0; i < k; i++) {
			cJSON *got = cJSON_GetArrayItem(cs, i),
			      *exp = cJSON_GetArrayItem(fs, want[i]);
			ck_assert_str_eq(got->string, exp->string);
			same_json(got, exp);
		}
		ck_assert_int_eq((int)num(cut, "services_total"), total);
		same_json(cJSON_GetObjectItem(cut, "days"), cJSON_GetObjectItem(full, "days"));
		same_json(cJSON_GetObjectItem(cut, "monitoring_since"),
			  cJSON_GetObjectItem(full, "monitoring_since"));
		cJSON *agg = cJSON_GetObjectItem(cut, "aggregate");
		ck_assert_int_eq(cJSON_GetArraySize(agg), 7);
		for (int d = 0; d < 7; d++) {
			double sum = 0;
			int cnt = 0;
			const cJSON *s;
			cJSON_ArrayForEach(s, fs)
			{
				const cJSON *u =
				    cJSON_GetObjectItem(cJSON_GetArrayItem(s, d), "uptime");
				if (cJSON_IsNumber(u)) {
					sum += u->valuedouble;
					cnt++;
				}
			}
			cJSON *a = cJSON_GetArrayItem(agg, d);
			ck_assert_str_eq(
			    cJSON_GetObjectItem(a, "date")->valuestring,
			    cJSON_GetArrayItem(cJSON_GetObjectItem(full, "days"), d)->valuestring);
			ck_assert_int_eq((int)num(a, "services"), cnt);
			if (cnt)
				ck_assert_double_eq_tol(num(a, "mean_uptime"), sum / cnt, 0.005);
			else
				ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "mean_uptime")));
		}
		cJSON_Delete(cut);
	}
	/* d and e tie: d, first in the list, comes first */
	cJSON *two = sla_history_only(db, NULL, NOW, 7, &o, 7);
	ck_assert_double_eq(hist_mean(cJSON_GetObjectItem(fs, "d")),
			    hist_mean(cJSON_GetObjectItem(fs, "e")));
	int di = -1, ei = -1, i = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(two, "services"))
	{
		if (!strcmp(s->string, "d"))
			di = i;
		if (!strcmp(s->string, "e"))
			ei = i;
		i++;
	}
	ck_assert_int_ge(di, 0);
	ck_assert_int_eq(ei, di + 1);
	cJSON_Delete(two);
	cJSON_Delete(full);
}
END_TEST

static double budget_score(const cJSON *row)
{
	const cJSON *b = cJSON_GetObjectItem(row, "error_budget_remaining_pct");
	return cJSON_IsNumber(b) ? b->valuedouble : INFINITY;
}

/* The full history of an HTTP answer is made while it is printed
 * (json_lazy): the same text as the tree built for a caller that reads it,
 * for every service (c, without tracked time, absent from both), for one
 * service and for none; a build that is never printed is released. */
START_TEST(test_history_printed_as_built)
{
	worst_fixture();
	/* maintenance and blind time shape the days too */
	ck_assert_int_eq(db_exec(db, "INSERT INTO scheduled_maintenances (service_id, title,"
				     " scheduled_for, scheduled_until, status) VALUES ('a', 'm',"
				     " '2026-11-21T01:00:00.000Z', '2026-11-21T03:00:00.000Z',"
				     " 'completed')"),
			 0);
	struct sla_opts o = opts(0.5);
	static const char *const only[] = {NULL, "a", "c", "nope"};
	for (size_t k = 0; k < sizeof only / sizeof only[0]; k++)
		for (long days = 1; days <= 31; days += 30) {
			cJSON *tree = sla_history_only(db, only[k], NOW, days, &o, 0);
			ck_assert_ptr_nonnull(tree);
			char *want = cJSON_PrintUnformatted(tree);
			json_compact_lists(1);
			cJSON *lazy = sla_history_only(db, only[k], NOW, days, &o, 0);
			json_compact_lists(0);
			ck_assert_ptr_nonnull(lazy);
			/* made while printed: nothing held as rows, and cJSON's
			 * own printer cannot print it */
			ck_assert(cJSON_IsRaw(cJSON_GetObjectItem(lazy, "services")));
			ck_assert_ptr_null(cJSON_PrintUnformatted(lazy));
			char *got = json_print_text(lazy);
			ck_assert_str_eq(got, want);
			if (!only[k] && days > 1)
				ck_assert_ptr_nonnull(strstr(got, "\"h\":[{\"date\""));
			cJSON_Delete(lazy);
			free(got);
			cJSON_free(want);
			cJSON_Delete(tree);
		}
	/* not printed: released at the end of the request */
	json_compact_lists(1);
	cJSON *lazy = sla_history_only(db, NULL, NOW, 7, &o, 0);
	json_compact_lists(0);
	cJSON_Delete(lazy);
	json_lazy_drop();
}
END_TEST

/* The full SLO list of an HTTP answer is made while it is printed
 * (json_lazy): the same text as the list built whole, burning rows
 * included; one never printed is released with its statement. */
START_TEST(test_slo_printed_as_built)
{
	worst_fixture();
	struct cfg_settings cfg = slo_cfg();
	cJSON *tree = slo_build(db, NOW, &cfg);
	ck_assert_ptr_nonnull(tree);
	char *want = cJSON_PrintUnformatted(tree);
	ck_assert_ptr_nonnull(strstr(want, "\"fast_burning\":true"));
	json_compact_lists(1);
	cJSON *lazy = slo_build(db, NOW, &cfg);
	json_compact_lists(0);
	ck_assert_ptr_nonnull(lazy);
	ck_assert(cJSON_IsRaw(cJSON_GetObjectItem(lazy, "services")));
	char *got = json_print_text(lazy);
	ck_assert_str_eq(got, want);
	cJSON_Delete(lazy);
	free(got);
	cJSON_free(want);
	cJSON_Delete(tree);
	json_compact_lists(1);
	lazy = slo_build(db, NOW, &cfg);
	json_compact_lists(0);
	cJSON_Delete(lazy);
	json_lazy_drop(); /* finalizes its statement: the database closes cleanly */
}
END_TEST

/* ?worst=N on the SLO list, cut while it is built: the full list's N rows
 * with the least budget left (no figure last, ties in the list's order),
 * and the totals over every row. */
START_TEST(test_slo_worst_is_full_cut)
{
	worst_fixture();
	status_at("h", "major_outage", "operational", -1, 0);
	struct cfg_settings cfg = slo_cfg();
	cJSON *full = slo_build(db, NOW, &cfg);
	cJSON *fs = cJSON_GetObjectItem(full, "services");
	int total = cJSON_GetArraySize(fs), fast = 0, slow = 0;
	ck_assert_int_eq(total, 8);
	const cJSON *row;
	cJSON_ArrayForEach(row, fs)
	{
		fast += cJSON_IsTrue(cJSON_GetObjectItem(row, "fast_burning"));
		slow += cJSON_IsTrue(cJSON_GetObjectItem(row, "slow_burning"));
	}
	for (int n = 1; n <= total + 1; n++) {
		cJSON *cut = slo_build_worst(db, NOW, &cfg, n);
		int want[16];
		int k = n_worst(fs, budget_score, n, want);
		cJSON *cs = cJSON_GetObjectItem(cut, "services");
		ck_assert_int_eq(cJSON_GetArraySize(cs), k);
		for (int i = 0; i < k; i++)
			same_json(cJSON_GetArrayItem(cs, i), cJSON_GetArrayItem(fs, want[i]));
		ck_assert_int_eq((int)num(cut, "services_total"), total);
		ck_assert_int_eq((int)num(cut, "fast_burning_count"), fast);
		ck_assert_int_eq((int)num(cut, "slow_burning_count"), slow);
		same_json(cJSON_GetObjectItem(cut, "thresholds"),
			  cJSON_GetObjectItem(full, "thresholds"));
		cJSON_Delete(cut);
	}
	cJSON_Delete(full);
}
END_TEST

int main(void)
{
	log_init("check_api_sla", LOG_LVL_WARNING, 0);
	Suite *s = suite_create("api_sla");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_no_events_is_null);
	tcase_add_test(tc, test_baseline_starts_tracking);
	tcase_add_test(tc, test_operational_since_before_window);
	tcase_add_test(tc, test_broken_poller_is_unknown);
	tcase_add_test(tc, test_degraded_weight);
	tcase_add_test(tc, test_committed_unknown_ignored);
	tcase_add_test(tc, test_history_before_window);
	tcase_add_test(tc, test_history_today_ends_now);
	tcase_add_test(tc, test_sla_build_lists_every_service);
	tcase_add_test(tc, test_uptime_strip_multi_day);
	tcase_add_test(tc, test_slo_burn_and_budget);
	tcase_add_test(tc, test_window_partly_covered);
	tcase_add_test(tc, test_blind_pollerd_stale);
	tcase_add_test(tc, test_blind_open_until_now);
	tcase_add_test(tc, test_maintenance_excluded);
	tcase_add_test(tc, test_maintenance_window);
	tcase_add_test(tc, test_burn_needs_coverage);
	tcase_add_test(tc, test_slo_maintenance_not_burning);
	tcase_add_test(tc, test_history_days_before_monitoring);
	tcase_add_test(tc, test_history_worst_is_full_cut);
	tcase_add_test(tc, test_slo_worst_is_full_cut);
	tcase_add_test(tc, test_history_printed_as_built);
	tcase_add_test(tc, test_slo_printed_as_built);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
