/*
 * check_httpc: the shared HTTP client set-up against the real fakevendor
 * (build/t/fakevendor, spawned per test on a free loopback port): a 200 with
 * its body and validators captured; a body over the cap aborts the transfer
 * (too_large) or, in truncate mode, keeps exactly the cap and completes; a
 * server slower than the timeout fails as a timeout; every Retry-After form
 * (delta seconds, HTTP date, garbage, huge, absent) comes back in ms with the
 * one cap; a refused connection is a request_error. Then the pure parts: the
 * failure-kind table and the bounds of the backoff with jitter for both
 * callers' shapes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpc.h"
#include "timeutil.h"
#include "tsupport.h"
#include "xalloc.h"

static char *dir;
static int fake, port;

static void setup(void)
{
	dir = ts_tmpdir();
	fake = ts_fake_start("fakevendor", dir, NULL, &port);
}

static void teardown(void)
{
	ts_fake_stop(fake);
	free(dir);
	unsetenv("ITSTATUS_FAKE_NOW_MS");
}

/* POST a JSON body to the fake's /_control/what. */
static void control(const char *what, const char *json)
{
	char *url = xasprintf("http://127.0.0.1:%d/_control/%s", port, what);
	ts_post(url, json);
	free(url);
}

/* One answer: its curl code, status and captured parts. */
struct got {
	CURLcode rc;
	long status;
	struct buf body;
	struct httpc_resp r;
};

/* GET path with options o into g (release with got_free). */
static void get(const char *path, const struct httpc_opts *o, struct got *g)
{
	memset(g, 0, sizeof *g);
	buf_init(&g->body, 0);
	CURL *e = curl_easy_init();
	ck_assert_ptr_nonnull(e);
	httpc_setup(e, o, &g->r, &g->body);
	char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	g->rc = curl_easy_perform(e);
	g->status = httpc_status(e);
	curl_easy_cleanup(e);
	free(url);
}

static void got_free(struct got *g)
{
	buf_release(&g->body);
	httpc_resp_release(&g->r);
}

static const struct httpc_opts plain = {.connect_timeout_ms = 2000, .timeout_ms = 5000};

START_TEST(test_ok_captures_body_and_headers)
{
	control("payload", "{\"path\":\"/p.json\",\"body\":\"{\\\"ok\\\":true}\","
			   "\"content_type\":\"application/json\"}");
	struct got g;
	get("/p.json", &plain, &g);
	ck_assert_int_eq(g.rc, CURLE_OK);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body.data, "{\"ok\":true}");
	ck_assert_ptr_nonnull(g.r.etag);
	ck_assert_ptr_nonnull(g.r.last_modified);
	ck_assert_ptr_nonnull(g.r.content_type);
	ck_assert(strncmp(g.r.content_type, "application/json", 16) == 0);
	ck_assert_int_eq(g.r.retry_after_ms, -1);
	ck_assert_int_eq(g.r.too_large, 0);
	got_free(&g);
}
END_TEST

START_TEST(test_oversize_aborts)
{
	control("fault", "{\"path\":\"/big\",\"fault\":\"oversize\",\"mb\":2}");
	struct httpc_opts o = plain;
	o.max_body = 64 * 1024;
	struct got g;
	get("/big", &o, &g);
	ck_assert_int_ne(g.rc, CURLE_OK);
	ck_assert_uint_le(g.body.len, o.max_body);
	ck_assert_int_eq(httpc_failure_kind(g.rc, g.status, g.r.too_large), VC_FAIL_TOO_LARGE);
	got_free(&g);
}
END_TEST

START_TEST(test_oversize_truncates_when_asked)
{
	control("fault", "{\"path\":\"/big\",\"fault\":\"oversize\",\"mb\":1}");
	struct httpc_opts o = plain;
	o.max_body = 1000;
	o.overflow = HTTPC_OVERFLOW_TRUNCATE;
	struct got g;
	get("/big", &o, &g);
	ck_assert_int_eq(g.rc, CURLE_OK);
	ck_assert_int_eq(g.status, 200);
	ck_assert_uint_eq(g.body.len, 1000);
	ck_assert(strncmp(g.body.data, "{\"pad\":\"xxx", 11) == 0);
	ck_assert_int_eq(g.r.too_large, 0);
	got_free(&g);
}
END_TEST

START_TEST(test_timeout)
{
	control("payload", "{\"path\":\"/slow\",\"body\":\"{}\"}");
	control("fault", "{\"path\":\"/slow\",\"fault\":\"delay\",\"ms\":3000}");
	struct httpc_opts o = plain;
	o.timeout_ms = 200;
	struct got g;
	get("/slow", &o, &g);
	ck_assert_int_eq(g.rc, CURLE_OPERATION_TIMEDOUT);
	ck_assert_int_eq(httpc_failure_kind(g.rc, g.status, g.r.too_large), VC_FAIL_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(httpc_error(&g.r, g.rc), "timed out"));
	got_free(&g);
}
END_TEST

/* The Retry-After of a 429 that says value; ms as httpc parsed it. */
static int64_t retry_after_of(const char *value)
{
	char *json = xasprintf(
	    "{\"path\":\"/ra\",\"fault\":\"status\",\"code\":429,\"retry_after\":\"%s\"}", value);
	control("fault", json);
	free(json);
	struct got g;
	get("/ra", &plain, &g);
	ck_assert_int_eq(g.rc, CURLE_OK);
	ck_assert_int_eq(g.status, 429);
	ck_assert_int_eq(httpc_failure_kind(g.rc, g.status, 0), VC_FAIL_HTTP_4XX);
	int64_t ms = g.r.retry_after_ms;
	got_free(&g);
	return ms;
}

START_TEST(test_retry_after_forms)
{
	/* A fixed "now", so the HTTP-date forms have exact answers. */
	setenv("ITSTATUS_FAKE_NOW_MS", "2026-11-23T20:00:00.000Z", 1);
	ck_assert_int_eq(retry_after_of("120"), 120000);
	ck_assert_int_eq(retry_after_of("0"), 0);
	ck_assert_int_eq(retry_after_of("Mon, 23 Nov 2026 20:00:30 GMT"), 30000);
	ck_assert_int_eq(retry_after_of("Mon, 23 Nov 2026 19:00:00 GMT"), 0); /* past */
	/* one cap for every caller, whatever the form */
	ck_assert_int_eq(retry_after_of("100000"), TS_RETRY_AFTER_CAP_MS);
	ck_assert_int_eq(retry_after_of("99999999999999999999999"), TS_RETRY_AFTER_CAP_MS);
	ck_assert_int_eq(retry_after_of("Tue, 24 Nov 2026 20:00:00 GMT"), TS_RETRY_AFTER_CAP_MS);
	/* garbage is no Retry-After at all */
	ck_assert_int_eq(retry_after_of("soon"), -1);
	ck_assert_int_eq(retry_after_of("5s"), -1);
	ck_assert_int_eq(retry_after_of("-5"), -1);
	/* absent */
	control("fault", "{\"path\":\"/ra\",\"fault\":\"status\",\"code\":503}");
	struct got g;
	get("/ra", &plain, &g);
	ck_assert_int_eq(g.status, 503);
	ck_assert_int_eq(g.r.retry_after_ms, -1);
	ck_assert_int_eq(httpc_failure_kind(g.rc, g.status, 0), VC_FAIL_HTTP_5XX);
	got_free(&g);
}
END_TEST

START_TEST(test_refused_connection)
{
	/* A port bound but not listening refuses every connection. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t l = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &l);
	CURL *e = curl_easy_init();
	struct httpc_resp r = {0};
	httpc_setup(e, &plain, &r, NULL);
	char *url = xasprintf("http://127.0.0.1:%d/", ntohs(a.sin_port));
	curl_easy_setopt(e, CURLOPT_URL, url);
	CURLcode rc = curl_easy_perform(e);
	ck_assert_int_eq(rc, CURLE_COULDNT_CONNECT);
	ck_assert_int_eq(httpc_failure_kind(rc, httpc_status(e), r.too_large),
			 VC_FAIL_REQUEST_ERROR);
	ck_assert_str_ne(httpc_error(&r, rc), "");
	curl_easy_cleanup(e);
	httpc_resp_release(&r);
	free(url);
	close(fd);
}
END_TEST

START_TEST(test_failure_kinds)
{
	ck_assert_int_eq(httpc_failure_kind(CURLE_WRITE_ERROR, 200, 1), VC_FAIL_TOO_LARGE);
	ck_assert_int_eq(httpc_failure_kind(CURLE_FILESIZE_EXCEEDED, 0, 0), VC_FAIL_TOO_LARGE);
	/* over the cap wins over what else went wrong */
	ck_assert_int_eq(httpc_failure_kind(CURLE_OPERATION_TIMEDOUT, 0, 1), VC_FAIL_TOO_LARGE);
	ck_assert_int_eq(httpc_failure_kind(CURLE_OPERATION_TIMEDOUT, 0, 0), VC_FAIL_TIMEOUT);
	ck_assert_int_eq(httpc_failure_kind(CURLE_COULDNT_RESOLVE_HOST, 0, 0),
			 VC_FAIL_REQUEST_ERROR);
	ck_assert_int_eq(httpc_failure_kind(CURLE_TOO_MANY_REDIRECTS, 302, 0),
			 VC_FAIL_REQUEST_ERROR);
	ck_assert_int_eq(httpc_failure_kind(CURLE_OK, 503, 0), VC_FAIL_HTTP_5XX);
	ck_assert_int_eq(httpc_failure_kind(CURLE_OK, 404, 0), VC_FAIL_HTTP_4XX);
	ck_assert_int_eq(httpc_failure_kind(CURLE_OK, 408, 0), VC_FAIL_HTTP_4XX);
	ck_assert_int_eq(httpc_failure_kind(CURLE_OK, 304, 0), VC_FAIL_OTHER);
}
END_TEST

/* Every wait of shape p for attempts 1..12 and a spread of rnd values lies in
 * [step - spread, step + jitter_ms) where step is the capped doubling. */
static void check_bounds(const struct httpc_backoff *p)
{
	static const double rnds[] = {-1, 0, 0.001, 0.25, 0.5, 0.75, 0.999, 0.9999999, 1, 7};
	int64_t step = p->base_ms;
	for (int attempt = 1; attempt <= 12; attempt++) {
		if (attempt > 1)
			step = step * 2 > p->cap_ms ? p->cap_ms : step * 2;
		int64_t spread = step * p->spread_pct / 100;
		int64_t lo = step - spread, hi = step + p->jitter_ms;
		int64_t prev = -1;
		for (size_t i = 0; i < sizeof rnds / sizeof rnds[0]; i++) {
			int64_t d = httpc_backoff_ms(p, attempt, rnds[i]);
			ck_assert_int_ge(d, lo);
			ck_assert_int_lt(d, hi == lo ? hi + 1 : hi);
			if (rnds[i] >= 0 && rnds[i] < 1) {
				ck_assert_int_ge(d, prev); /* more rnd never waits less */
				prev = d;
			}
		}
		/* rnd 0 is the floor; the top of the range is reached (within 0.1%) */
		ck_assert_int_eq(httpc_backoff_ms(p, attempt, 0), lo);
		ck_assert_int_ge(httpc_backoff_ms(p, attempt, 0.999), lo + (hi - lo) * 998 / 1000);
	}
	ck_assert_int_le(httpc_backoff_ms(p, 1000, 0.999), p->cap_ms + p->jitter_ms);
}

START_TEST(test_backoff_jitter_bounds)
{
	/* pollerd's shape: the step, plus up to a second */
	const struct httpc_backoff poll = {.base_ms = 500, .cap_ms = 5000, .jitter_ms = 1000};
	check_bounds(&poll);
	/* alertd's: between half and all of the step */
	const struct httpc_backoff post = {.base_ms = 1000, .cap_ms = 15000, .spread_pct = 50};
	check_bounds(&post);
	ck_assert_int_eq(httpc_backoff_ms(&post, 1, 0), 500);
	ck_assert_int_eq(httpc_backoff_ms(&post, 5, 0), 7500);
	ck_assert_int_eq(httpc_backoff_ms(&post, 6, 0), 7500); /* capped at 15 s */
	/* no jitter at all: exactly the step */
	const struct httpc_backoff none = {.base_ms = 100, .cap_ms = 800};
	check_bounds(&none);
	ck_assert_int_eq(httpc_backoff_ms(&none, 3, 0.7), 400);
	/* a spread out of range is clamped to all of the step */
	const struct httpc_backoff wide = {.base_ms = 100, .cap_ms = 800, .spread_pct = 250};
	ck_assert_int_eq(httpc_backoff_ms(&wide, 1, 0), 0);
	ck_assert_int_le(httpc_backoff_ms(&wide, 1, 0.999), 100);
}
END_TEST

static Suite *httpc_suite(void)
{
	Suite *s = suite_create("httpc");
	TCase *net = tcase_create("fakevendor");
	tcase_add_checked_fixture(net, setup, teardown);
	tcase_set_timeout(net, 30);
	tcase_add_test(net, test_ok_captures_body_and_headers);
	tcase_add_test(net, test_oversize_aborts);
	tcase_add_test(net, test_oversize_truncates_when_asked);
	tcase_add_test(net, test_timeout);
	tcase_add_test(net, test_retry_after_forms);
	tcase_add_test(net, test_refused_connection);
	suite_add_tcase(s, net);
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, test_failure_kinds);
	tcase_add_test(pure, test_backoff_jitter_bounds);
	suite_add_tcase(s, pure);
	return s;
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = ts_run(httpc_suite());
	curl_global_cleanup();
	return rc;
}
