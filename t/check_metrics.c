/*
 * check_metrics: counters, gauges and histograms flushed to the metrics table
 * in the form /metrics renders; label escaping.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "tsupport.h"
#include "xalloc.h"

START_TEST(test_labels_escape)
{
	char *l = met_labels("service", "a\"b\\c\nd", "outcome", "ok", NULL);
	ck_assert_str_eq(l, "{service=\"a\\\"b\\\\c\\nd\",outcome=\"ok\"}");
	free(l);
	l = met_labels(NULL, NULL);
	ck_assert_str_eq(l, "");
	free(l);
}
END_TEST

/* A label set past MET_LABELS_CAP is counted under one error label, never
 * cut into a malformed one. */
START_TEST(test_labels_too_long)
{
	char *v = xmalloc(20001);
	memset(v, 'x', 20000);
	v[20000] = '\0';
	char *l = met_labels("service", v, NULL);
	ck_assert_str_eq(l, "{error=\"labels_too_long\"}");
	free(l);
	free(v);
}
END_TEST

static double row(sqlite3 *db, const char *name, const char *labels)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT value FROM metrics WHERE daemon = 'pollerd' AND name = ?1 AND labels = ?2");
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, labels);
	double v = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

START_TEST(test_flush_rows)
{
	met_reset();
	char *lab = met_labels("service", "github", NULL);
	met_counter_add("poll_total", lab, "Polls", 1);
	met_counter_add("poll_total", lab, "Polls", 2);
	met_gauge_set("service_status", lab, "Status", 3);
	met_gauge_set("service_status", lab, "Status", 1);
	const double b[] = {0.1, 1};
	met_histogram_observe("poll_duration_seconds", "", "Duration", b, 2, 0.05);
	met_histogram_observe("poll_duration_seconds", "", "Duration", b, 2, 0.5);
	met_histogram_observe("poll_duration_seconds", "", "Duration", b, 2, 5);
	ck_assert(met_value("poll_total", lab) == 3);
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/m.db", d);
	sqlite3 *db = db_open(p, 0);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert(row(db, "poll_total", lab) == 3);
	ck_assert(row(db, "service_status", lab) == 1);
	ck_assert(row(db, "poll_duration_seconds_bucket", "{le=\"0.1\"}") == 1);
	ck_assert(row(db, "poll_duration_seconds_bucket", "{le=\"1\"}") == 2);
	ck_assert(row(db, "poll_duration_seconds_bucket", "{le=\"+Inf\"}") == 3);
	ck_assert(row(db, "poll_duration_seconds_count", "") == 3);
	ck_assert(row(db, "poll_duration_seconds_sum", "") == 5.55);
	/* a second flush updates in place */
	met_counter_add("poll_total", lab, "Polls", 1);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert(row(db, "poll_total", lab) == 4);
	ck_assert_int_eq(
	    db_query_int(db, "SELECT count(*) FROM metrics WHERE name = 'poll_total'", 0), 1);
	/* only changed series are written: a row removed behind the flusher's
	 * back stays gone until its series moves again */
	ck_assert_int_eq(db_exec(db, "DELETE FROM metrics WHERE name = 'service_status'"), 0);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0); /* nothing changed: no write at all */
	ck_assert_int_eq(
	    db_query_int(db, "SELECT count(*) FROM metrics WHERE name = 'service_status'", 0), 0);
	met_counter_add("poll_total", lab, "Polls", 1);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert(row(db, "poll_total", lab) == 5);
	ck_assert_int_eq(
	    db_query_int(db, "SELECT count(*) FROM metrics WHERE name = 'service_status'", 0), 0);
	met_gauge_set("service_status", lab, "Status", 2);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert(row(db, "service_status", lab) == 2);
	db_close(db);
	met_reset();
	free(lab);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_many_series)
{
	met_reset();
	for (int i = 0; i < 5000; i++) {
		char svc[16];
		snprintf(svc, sizeof svc, "s%d", i);
		char *l = met_labels("service", svc, NULL);
		met_gauge_set("g", l, "", i);
		free(l);
	}
	char *l = met_labels("service", "s4321", NULL);
	ck_assert(met_value("g", l) == 4321);
	free(l);
	met_reset();
}
END_TEST

int main(void)
{
	log_init("check_metrics", LOG_LVL_WARNING, 0);
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_labels_escape);
	tcase_add_test(tc, test_labels_too_long);
	tcase_add_test(tc, test_flush_rows);
	tcase_add_test(tc, test_many_series);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
