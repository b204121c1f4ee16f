/*
 * check_metrics: counters, gauges and histograms flushed to the metrics table
 * in the form /metrics renders; label escaping; the declarations of
 * common/metrics.def (each name once, names and labels Prometheus accepts,
 * help text, buckets), and updates that do not match their declaration.
 *
 * The core tests use metrics of their own (struct met_def built here), so
 * that the registry can change without touching them.
 */
#include <check.h>
#include <ctype.h>
#include <math.h>
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

static const char *const by_service[] = {"service"};
static const double bounds[] = {0.1, 1};
static const struct met_def polls = {"poll_total", VC_MT_COUNTER, by_service, 1, NULL, 0, "Polls"};
static const struct met_def status = {"service_status", VC_MT_GAUGE, by_service, 1, NULL, 0,
				      "Status"};
static const struct met_def duration = {"poll_duration_seconds", VC_MT_HISTOGRAM, NULL, 0, bounds, 2,
					"Duration"};
static const char *const github[] = {"github"};

START_TEST(test_flush_rows)
{
	met_reset();
	char *lab = met_labels("service", "github", NULL);
	met_def_add(&polls, 1, github, 1);
	met_def_add(&polls, 2, github, 1);
	met_def_set(&status, 3, github, 1);
	met_def_set(&status, 1, github, 1);
	met_def_observe(&duration, 0.05, NULL, 0);
	met_def_observe(&duration, 0.5, NULL, 0);
	met_def_observe(&duration, 5, NULL, 0);
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
	met_def_add(&polls, 1, github, 1);
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
	met_def_add(&polls, 1, github, 1);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert(row(db, "poll_total", lab) == 5);
	ck_assert_int_eq(
	    db_query_int(db, "SELECT count(*) FROM metrics WHERE name = 'service_status'", 0), 0);
	met_def_set(&status, 2, github, 1);
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
	static const struct met_def g = {"g", VC_MT_GAUGE, by_service, 1, NULL, 0, ""};
	met_reset();
	for (int i = 0; i < 5000; i++) {
		char svc[16];
		snprintf(svc, sizeof svc, "s%d", i);
		met_def_set(&g, i, (const char *const[]){svc}, 1);
	}
	char *l = met_labels("service", "s4321", NULL);
	ck_assert(met_value("g", l) == 4321);
	free(l);
	met_reset();
}
END_TEST

/* [a-zA-Z_:][a-zA-Z0-9_:]* for names; labels also refuse ':' and a leading "__". */
static int prom_name(const char *s, int label)
{
	if (!*s || isdigit((unsigned char)*s) || (label && !strncmp(s, "__", 2)))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && (label || *s != ':'))
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* Each metric of metrics.def declared once, in a form /metrics can render:
 * a mistake here is a family promtool refuses or two declarations fighting
 * over one series. */
START_TEST(test_registry_declarations)
{
	ck_assert_int_gt(MET_COUNT, 0);
	for (size_t i = 0; i < MET_COUNT; i++) {
		const struct met_def *d = &met_defs[i];
		ck_assert_msg(d->name && prom_name(d->name, 0), "metric %zu: bad name", i);
		ck_assert_msg(d->help && *d->help && !strchr(d->help, '\n'), "%s: help", d->name);
		ck_assert_msg(vocab_str(vocab_set("metric_type"), (int)d->type), "%s: type",
			      d->name);
		for (size_t j = 0; j < d->nlabels; j++) {
			const char *l = d->labels[j];
			ck_assert_msg(l && prom_name(l, 1), "%s: label %zu", d->name, j);
			/* apid adds daemon; histogram rows add le */
			ck_assert_msg(strcmp(l, "daemon") && strcmp(l, "le"), "%s: label %s is reserved",
				      d->name, l);
			for (size_t k = 0; k < j; k++)
				ck_assert_msg(strcmp(l, d->labels[k]), "%s: label %s twice", d->name,
					      l);
		}
		if (d->type == VC_MT_HISTOGRAM) {
			ck_assert_msg(d->buckets && d->nbuckets, "%s: histogram without buckets",
				      d->name);
			for (size_t j = 0; j < d->nbuckets; j++)
				ck_assert_msg(isfinite(d->buckets[j]) &&
						  (j == 0 || d->buckets[j] > d->buckets[j - 1]),
					      "%s: buckets not ascending", d->name);
		} else {
			ck_assert_msg(!d->buckets && !d->nbuckets, "%s: buckets on a %s", d->name,
				      vocab_str(vocab_set("metric_type"), (int)d->type));
		}
		for (size_t k = 0; k < i; k++) {
			const struct met_def *o = &met_defs[k];
			ck_assert_msg(strcmp(d->name, o->name), "%s declared twice", d->name);
			/* a histogram's rows are name_bucket, name_sum, name_count */
			static const char *const sfx[] = {"_bucket", "_sum", "_count"};
			for (int x = 0; x < 3; x++) {
				char *h = xasprintf("%s%s", o->name, sfx[x]);
				char *g = xasprintf("%s%s", d->name, sfx[x]);
				ck_assert_msg(!(o->type == VC_MT_HISTOGRAM && !strcmp(d->name, h)) &&
						  !(d->type == VC_MT_HISTOGRAM && !strcmp(o->name, g)),
					      "%s and %s share rows", d->name, o->name);
				free(h);
				free(g);
			}
		}
		ck_assert_msg(!ends_with(d->name, "_total") || d->type == VC_MT_COUNTER,
			      "%s: _total on a %s", d->name,
			      vocab_str(vocab_set("metric_type"), (int)d->type));
	}
}
END_TEST

/* The call-site macros: label values in declaration order, the declared help
 * and type in the rows. */
START_TEST(test_registry_updates)
{
	met_reset();
	met_add(MET_POLL_TOTAL, 2, "git\"hub", "ok");
	met_set(MET_POLL_QUEUE_READINGS, 7);
	met_observe(MET_POLL_DURATION_SECONDS, 0.3, "statuspage");
	met_set(MET_SERVICE_STATUS, 1, NULL);
	ck_assert(met_value("poll_total", "{service=\"git\\\"hub\",outcome=\"ok\"}") == 2);
	ck_assert(met_value("poll_queue_readings", "") == 7);
	ck_assert(met_value("poll_duration_seconds", "{poll_type=\"statuspage\"}") == 1);
	ck_assert(met_value("service_status", "{service=\"\"}") == 1);
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/m.db", d);
	sqlite3 *db = db_open(p, 0);
	ck_assert_int_eq(met_flush(db, "pollerd"), 0);
	ck_assert_int_eq(db_query_int(db,
				      "SELECT count(*) FROM metrics WHERE name = 'poll_total' AND"
				      " type = 'counter' AND help = 'Poll results by service and outcome.'",
				      0),
			 1);
	/* MET_B_POLL: 8 bounds and +Inf */
	ck_assert_int_eq(db_query_int(db,
				      "SELECT count(*) FROM metrics WHERE"
				      " name = 'poll_duration_seconds_bucket' AND type = 'histogram'",
				      0),
			 9);
	ck_assert(row(db, "poll_duration_seconds_bucket",
		      "{poll_type=\"statuspage\",le=\"0.25\"}") == 0);
	ck_assert(row(db, "poll_duration_seconds_bucket",
		      "{poll_type=\"statuspage\",le=\"0.5\"}") == 1);
	db_close(db);
	met_reset();
	free(p);
	free(d);
}
END_TEST

/* An update that does not match its declaration (only met_def_* can make
 * one: the macros do not compile) changes nothing, nor does a second
 * declaration of a name already in use. */
START_TEST(test_mismatch_ignored)
{
	static const struct met_def twin = {"poll_total", VC_MT_COUNTER, by_service, 1, NULL, 0,
					    "Another poll_total"};
	met_reset();
	met_def_set(&polls, 1, github, 1); /* a counter set as a gauge */
	met_def_add(&polls, 1, NULL, 0);   /* no label value for service */
	met_def_observe(&status, 1, github, 1);
	ck_assert(met_value("poll_total", "{service=\"github\"}") < 0);
	ck_assert(met_value("poll_total", "") < 0);
	ck_assert(met_value("service_status", "{service=\"github\"}") < 0);
	met_def_add(&polls, 1, github, 1);
	met_def_add(&twin, 5, github, 1);
	ck_assert(met_value("poll_total", "{service=\"github\"}") == 1);
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
	tcase_add_test(tc, test_registry_declarations);
	tcase_add_test(tc, test_registry_updates);
	tcase_add_test(tc, test_mismatch_ignored);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
