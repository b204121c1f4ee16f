/*
 * check_api_sla: apid's uptime math (doc/compat.md#s6-14 with the fixes of
 * doc/compat.md#bug-6) on a
 * real database: tracking starts at the baseline, broken-poller time is
 * unknown, today ends now, degraded is weighted; plus the 7-day strip, the
 * history and the SLO burn rates built from the same timelines.
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

static double uptime(const char *svc, int64_t start, int64_t end, double w)
{
	struct sla_set set;
	ck_assert_int_eq(sla_load(db, start, NOW, &set), 0);
	double v = NAN;
	for (size_t i = 0; i < set.n; i++)
		if (!strcmp(set.v[i].service_id, svc))
			v = sla_uptime(&set.v[i], start, end, w);
	sla_set_free(&set);
	return v;
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
	cJSON *h = sla_history_build(db, NOW, 2, 1.0);
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
	cJSON *s = sla_build(db, NOW, 1.0);
	cJSON *svcs = cJSON_GetObjectItem(s, "services");
	ck_assert_int_eq(cJSON_GetArraySize(svcs), 3);
	cJSON *a = cJSON_GetObjectItem(svcs, "a");
	ck_assert_double_eq(cJSON_GetObjectItem(a, "uptime_30d")->valuedouble, 100.0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(svcs, "b"), "uptime_24h")));
	/* retired services are gone */
	db_exec(db, "UPDATE services SET retired_at = '2026-11-01T00:00:00.000Z' WHERE id = 'c'");
	cJSON_Delete(s);
	s = sla_build(db, NOW, 1.0);
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
	cJSON *u = uptime_build(db, NOW);
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
	struct cfg_settings cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.degraded_sla_weight = 1.0;
	cfg.slo_target_percent = 99.9;
	cfg.slo_burn_rate_fast_threshold = 14.4;
	cfg.slo_burn_rate_slow_threshold = 6.0;
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
	/* no data: full budget, never burning */
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "uptime_30d_pct")));
	ck_assert_double_eq(cJSON_GetObjectItem(c, "error_budget_remaining_pct")->valuedouble,
			    100.0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(c, "slow_burning")));
	ck_assert_double_eq(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(slo, "thresholds"), "target_percent")
		->valuedouble,
	    99.9);
	cJSON_Delete(slo);
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
	suite_add_tcase(s, tc);
	return ts_run(s);
}
