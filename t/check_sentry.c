/*
 * check_sentry: error reports against the real fakesentry (build/t/fakesentry,
 * spawned per test on a free loopback port), which checks every envelope the
 * way Sentry does. An error line with fields arrives as one well-formed event
 * carrying the daemon, version, environment and fields; warnings are not
 * sent; a burst of 1,000 errors while Sentry does not answer returns at once
 * (logging never waits), is cut by the rate limit, and with the limit lifted
 * the queue stays at its bound and the rest is dropped and counted; Sentry's
 * 429 + Retry-After stops sending; bad DSNs are refused with a reason.
 */
#include <check.h>
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sentry.h"
#include "tsupport.h"
#include "xalloc.h"

static char *dir, *log_path, *dsn;
static int fake;
static int port;
static FILE *sink;
static struct sentry_stats base; /* CK_FORK=no (valgrind): counters carry over */

/* The counters since setup(). */
static void stats(struct sentry_stats *st)
{
	sentry_get_stats(st);
	st->captured -= base.captured;
	st->queued -= base.queued;
	st->sent -= base.sent;
	st->failed -= base.failed;
	st->dropped_full -= base.dropped_full;
	st->dropped_rate -= base.dropped_rate;
}

static void setup(void)
{
	dir = ts_tmpdir();
	log_path = xasprintf("%s/fakesentry.jsonl", dir);
	const char *extra[] = {"--log", log_path, NULL};
	fake = ts_fake_start("fakesentry", dir, extra, &port);
	dsn = xasprintf("http://public@127.0.0.1:%d/42", port);
	sink = fopen("/dev/null", "w");
	log_init("testd", LOG_LVL_INFO, 1);
	log_set_stream(sink);
	sentry_set_limits(0, 0);
	sentry_get_stats(&base);
}

static void teardown(void)
{
	sentry_shutdown(0);
	log_set_stream(NULL);
	fclose(sink);
	ts_fake_stop(fake);
	free(dsn);
	free(log_path);
	free(dir);
}

/* POST body to the fake's control path. */
static void control(const char *what, const char *body)
{
	char *url = xasprintf("http://127.0.0.1:%d/_control/%s", port, what);
	ts_post(url, body);
	free(url);
}

/* The records of the fake's log once it holds at least n (waits up to 10 s). */
static cJSON *records(int n)
{
	cJSON *arr = NULL;
	for (int i = 0; i < 400; i++) {
		cJSON_Delete(arr);
		arr = cJSON_CreateArray();
		size_t len;
		char *text = ts_read(log_path, &len);
		for (char *line = text, *nl; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				break;
			*nl = '\0';
			cJSON_AddItemToArray(arr, cJSON_Parse(line));
		}
		free(text);
		if (cJSON_GetArraySize(arr) >= n)
			return arr;
		usleep(25000);
	}
	return arr;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* The event of the i-th record (its first item's payload). */
static cJSON *event_of(const cJSON *recs, int i)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(recs, i), "items");
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "payload");
}

START_TEST(test_error_arrives_as_envelope)
{
	char *err;
	ck_assert_int_eq(sentry_configure("testd", dsn, "unit-env", dir, &err), 0);
	const char *kv[] = {"service_id", "github", "attempt", "3", "nothing", NULL, NULL};
	log_kv(LOG_LVL_ERROR, kv, "poll of %s failed %d times", "github", 3);
	cJSON *recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1);
	cJSON *r = cJSON_GetArrayItem(recs, 0);
	char *txt = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "problems"));
	ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "valid")),
		      "fakesentry found problems: %s", txt);
	cJSON_free(txt);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(r, "answered")->valueint, 200);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(r, "items");
	ck_assert_int_eq(cJSON_GetArraySize(items), 1);
	cJSON *it = cJSON_GetArrayItem(items, 0);
	ck_assert_str_eq(str_at(it, "type", NULL), "event");
	cJSON *ev = cJSON_GetObjectItemCaseSensitive(it, "payload");
	ck_assert_str_eq(str_at(ev, "event_id", NULL), str_at(r, "header", "event_id"));
	ck_assert_str_eq(str_at(ev, "level", NULL), "error");
	ck_assert_str_eq(str_at(ev, "logger", NULL), "testd");
	ck_assert_str_eq(str_at(ev, "tags", "daemon"), "testd");
	ck_assert_str_eq(str_at(ev, "environment", NULL), "unit-env");
	ck_assert_str_eq(str_at(ev, "release", NULL), "itstatus@" ITSTATUS_VERSION);
	ck_assert_str_eq(str_at(ev, "message", "formatted"), "poll of github failed 3 times");
	ck_assert_str_eq(str_at(ev, "extra", "service_id"), "github");
	ck_assert_str_eq(str_at(ev, "extra", "attempt"), "3");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ev, "extra"), "nothing")));
	cJSON_Delete(recs);
	sentry_shutdown(5000);
	struct sentry_stats st;
	stats(&st);
	ck_assert_uint_eq(st.sent, 1);
}
END_TEST

START_TEST(test_secrets_are_redacted)
{
	char *err;
	const char *secrets[] = {"tok-SECRET-123", "https://hooks.example.test/services/T0/B0/xyz",
				 NULL, "short"};
	sentry_set_secrets(secrets, 4);
	ck_assert_int_eq(sentry_configure("testd", dsn, NULL, dir, &err), 0);
	const char *kv[] = {"url", "https://hooks.example.test/services/T0/B0/xyz", "path",
			    "POST /services/T0/B0/xyz failed", NULL};
	log_kv(LOG_LVL_ERROR, kv, "token tok-SECRET-123 refused twice: tok-SECRET-123; short");
	cJSON *recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1);
	cJSON *ev = event_of(recs, 0);
	ck_assert_str_eq(str_at(ev, "message", "formatted"),
			 "token [REDACTED] refused twice: [REDACTED]; short");
	ck_assert_str_eq(str_at(ev, "extra", "url"), "[REDACTED]");
	ck_assert_str_eq(str_at(ev, "extra", "path"), "POST [REDACTED] failed");
	cJSON_Delete(recs);
	sentry_set_secrets(NULL, 0);
	/* Not configured, still scrubbed: the old tool's patterns. */
	log_error("POST https://hooks.slack.com/services/T1/B2/c3 failed; sent Authorization: "
		  "Basic dXNlcjpw, \"bearer xyz\" and AUTHORIZATION:q1");
	recs = records(2);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 2);
	ev = event_of(recs, 1);
	ck_assert_str_eq(str_at(ev, "message", "formatted"),
			 "POST https://hooks.slack.com/services/[REDACTED] failed; sent "
			 "Authorization: [REDACTED], \"bearer [REDACTED]\" and "
			 "AUTHORIZATION:[REDACTED]");
	cJSON_Delete(recs);
}
END_TEST

/* Sentry refuses JSON that is not UTF-8: bad bytes become U+FFFD. */
START_TEST(test_invalid_utf8_replaced)
{
	char *err;
	ck_assert_int_eq(sentry_configure("testd", dsn, NULL, dir, &err), 0);
	const char *kv[] = {"title", "caf\xc3\xa9 \xff\xfe ok", NULL};
	log_kv(LOG_LVL_ERROR, kv, "bad \xc3 and \xe2\x82 and overlong \xc0\xaf, good \xe2\x82\xac");
	cJSON *recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1);
	cJSON *ev = event_of(recs, 0);
	ck_assert_str_eq(str_at(ev, "message", "formatted"),
			 "bad \xef\xbf\xbd and \xef\xbf\xbd\xef\xbf\xbd and overlong "
			 "\xef\xbf\xbd\xef\xbf\xbd, good \xe2\x82\xac");
	ck_assert_str_eq(str_at(ev, "extra", "title"), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd ok");
	cJSON_Delete(recs);
}
END_TEST

START_TEST(test_only_errors_are_sent)
{
	char *err;
	ck_assert_int_eq(sentry_configure("testd", dsn, NULL, dir, &err), 0);
	log_warn("a warning");
	log_info("some info");
	log_msg(LOG_LVL_CRITICAL, "critical %s", "thing");
	sentry_shutdown(5000);
	struct sentry_stats st;
	stats(&st);
	ck_assert_uint_eq(st.captured, 1);
	cJSON *recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1);
	cJSON *ev = event_of(recs, 0);
	ck_assert_str_eq(str_at(ev, "level", NULL), "fatal"); /* critical */
	ck_assert_str_eq(str_at(ev, "environment", NULL), "production");
	cJSON_Delete(recs);
}
END_TEST

/* Sentry holds every request: logging must go on regardless. */
START_TEST(test_burst_does_not_block_and_stays_bounded)
{
	char *err;
	control("hold", "{\"hold\":true}");
	ck_assert_int_eq(sentry_configure("testd", dsn, NULL, dir, &err), 0);
	for (int i = 0; i < 1000; i++)
		log_error("burst error %d", i);
	struct sentry_stats st;
	stats(&st);
	ck_assert_uint_eq(st.captured, 1000);
	ck_assert_uint_eq(st.queued, SENTRY_BURST);
	ck_assert_uint_eq(st.dropped_rate, 1000 - SENTRY_BURST);
	/* Without the rate limit the queue is what bounds it. */
	sentry_set_limits(100000, 100000);
	for (int i = 0; i < 1000; i++)
		log_error("second burst %d", i);
	stats(&st);
	ck_assert_uint_eq(st.captured, 2000);
	ck_assert_uint_le(st.queue_len, SENTRY_QUEUE_MAX);
	ck_assert_uint_ge(st.dropped_full, 1000 - SENTRY_QUEUE_MAX);
	ck_assert_uint_eq(st.queued + st.dropped_full + st.dropped_rate, 2000);
	fprintf(stderr, "burst: captured %lu, queued %lu, dropped %lu (queue full) + %lu (rate)\n",
		st.captured, st.queued, st.dropped_full, st.dropped_rate);
	control("hold", "{\"hold\":false}");
	sentry_shutdown(10000);
	stats(&st);
	ck_assert_uint_ge(st.sent, 1);
}
END_TEST

START_TEST(test_429_pauses_sending)
{
	char *err;
	control("answer", "{\"code\":429,\"retry_after\":\"60\"}");
	ck_assert_int_eq(sentry_configure("testd", dsn, NULL, dir, &err), 0);
	log_error("first");
	cJSON *recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1);
	cJSON_Delete(recs);
	struct sentry_stats st;
	for (int i = 0; i < 200; i++) {
		stats(&st);
		if (st.failed)
			break;
		usleep(25000);
	}
	ck_assert_uint_eq(st.failed, 1);
	log_error("second, within Retry-After");
	stats(&st);
	ck_assert_uint_eq(st.dropped_rate, 1);
	sentry_shutdown(2000);
	recs = records(1);
	ck_assert_int_eq(cJSON_GetArraySize(recs), 1); /* nothing more was sent */
	cJSON_Delete(recs);
}
END_TEST

START_TEST(test_bad_dsn)
{
	static const struct {
		const char *dsn, *why;
	} bad[] = {
	    {"ftp://k@host/1", "not an http(s) URL"}, {"https://host/1", "no public key"},
	    {"https://k@host", "no project id"},      {"https://k@host/", "no project id"},
	    {"https://k@host/abc", "not a number"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err;
		ck_assert_int_eq(sentry_dsn_check(bad[i].dsn, &err), -1);
		ck_assert_msg(strstr(err, bad[i].why), "%s: %s", bad[i].dsn, err);
		free(err);
	}
	char *err;
	ck_assert_int_eq(sentry_dsn_check("https://abc123@o1.ingest.sentry.io/4505", &err), 0);
	ck_assert_int_eq(sentry_dsn_check("http://k:secret@127.0.0.1:9000/sentry/7", &err), 0);
	/* A bad DSN leaves reporting off. */
	ck_assert_int_eq(sentry_configure("testd", "https://host/1", NULL, dir, &err), -1);
	free(err);
	log_error("not sent");
	struct sentry_stats st;
	stats(&st);
	ck_assert_uint_eq(st.captured, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sentry");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_error_arrives_as_envelope);
	tcase_add_test(tc, test_secrets_are_redacted);
	tcase_add_test(tc, test_invalid_utf8_replaced);
	tcase_add_test(tc, test_only_errors_are_sent);
	tcase_add_test(tc, test_burst_does_not_block_and_stays_bounded);
	tcase_add_test(tc, test_429_pauses_sending);
	tcase_add_test(tc, test_bad_dsn);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
