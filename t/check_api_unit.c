/*
 * check_api_unit: apid's pure pieces -- SHA-256/HMAC against the FIPS and
 * RFC 4231 vectors, constant-time compare, Slack v0 verification (stale,
 * forged, replayed), the response_url allow-list, static path resolution
 * (traversal, hidden files, symlinks out of the root), content types, CORS,
 * form decoding, routing, admin body validation, and the OpenAPI document
 * covering exactly the routes the server has.
 */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../apid/apid.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

static void hex_of(const unsigned char *d, char out[65])
{
	hex_lower(d, 32, out);
}

START_TEST(test_sha256_vectors)
{
	unsigned char d[32];
	char h[65];
	sha256("", 0, d);
	hex_of(d, h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, d);
	hex_of(d, h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256(m, strlen(m), d);
	hex_of(d, h);
	ck_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_hmac_rfc4231)
{
	unsigned char k[131], d[32];
	char h[65];
	memset(k, 0x0b, 20);
	hmac_sha256(k, 20, "Hi There", 8, d);
	hex_of(d, h);
	ck_assert_str_eq(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	const char *m2 = "what do ya want for nothing?";
	hmac_sha256("Jefe", 4, m2, strlen(m2), d);
	hex_of(d, h);
	ck_assert_str_eq(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_sha256(k, 131, m6, strlen(m6), d);
	hex_of(d, h);
	ck_assert_str_eq(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

START_TEST(test_ct_equal)
{
	ck_assert(ct_equal("secret", "secret"));
	ck_assert(!ct_equal("secreT", "secret"));
	ck_assert(!ct_equal("secret1", "secret"));
	ck_assert(!ct_equal("secre", "secret"));
	ck_assert(!ct_equal("", "secret"));
	ck_assert(ct_equal("", ""));
}
END_TEST

/* A valid v0 signature for body at ts. */
static char *slack_sig(const char *secret, const char *ts, const char *body)
{
	char *base = xasprintf("v0:%s:%s", ts, body);
	unsigned char d[32];
	hmac_sha256(secret, strlen(secret), base, strlen(base), d);
	free(base);
	char *sig = xmalloc(3 + 65);
	memcpy(sig, "v0=", 3);
	hex_lower(d, 32, sig + 3);
	return sig;
}

START_TEST(test_slack_verify)
{
	const char *body = "command=%2Fitstatus&text=github";
	int64_t now = 1795435200000LL;
	char ts[32], old[32], future[32];
	snprintf(ts, sizeof ts, "%lld", (long long)(now / 1000 - 10));
	snprintf(old, sizeof old, "%lld", (long long)(now / 1000 - 301));
	snprintf(future, sizeof future, "%lld", (long long)(now / 1000 + 301));
	char *sig = slack_sig("s3cr3t", ts, body);
	ck_assert_int_eq(slack_verify("s3cr3t", ts, sig, body, strlen(body), now), SLACK_SIG_OK);
	/* the same request again is a replay */
	ck_assert_int_eq(slack_verify("s3cr3t", ts, sig, body, strlen(body), now),
			 SLACK_SIG_REPLAY);
	free(sig);
	ck_assert_int_eq(slack_verify("s3cr3t", NULL, "v0=00", body, strlen(body), now),
			 SLACK_SIG_MISSING);
	ck_assert_int_eq(slack_verify("s3cr3t", ts, NULL, body, strlen(body), now),
			 SLACK_SIG_MISSING);
	ck_assert_int_eq(slack_verify("s3cr3t", ts, "", body, strlen(body), now),
			 SLACK_SIG_MISSING);
	sig = slack_sig("s3cr3t", old, body);
	ck_assert_int_eq(slack_verify("s3cr3t", old, sig, body, strlen(body), now),
			 SLACK_SIG_STALE);
	free(sig);
	sig = slack_sig("s3cr3t", future, body);
	ck_assert_int_eq(slack_verify("s3cr3t", future, sig, body, strlen(body), now),
			 SLACK_SIG_STALE);
	free(sig);
	ck_assert_int_eq(slack_verify("s3cr3t", "yesterday", "v0=00", body, strlen(body), now),
			 SLACK_SIG_STALE);
	/* timestamps at the ends of int64: refused without overflowing (UBSan) */
	ck_assert_int_eq(slack_verify("s3cr3t", "-9223372036854775808", "v0=00", body,
				      strlen(body), now),
			 SLACK_SIG_STALE);
	ck_assert_int_eq(
	    slack_verify("s3cr3t", "9223372036854775807", "v0=00", body, strlen(body), now),
	    SLACK_SIG_STALE);
	/* forged: signed with another secret, or the body changed */
	snprintf(ts, sizeof ts, "%lld", (long long)(now / 1000 - 20));
	sig = slack_sig("guess", ts, body);
	ck_assert_int_eq(slack_verify("s3cr3t", ts, sig, body, strlen(body), now), SLACK_SIG_BAD);
	free(sig);
	sig = slack_sig("s3cr3t", ts, body);
	ck_assert_int_eq(slack_verify("s3cr3t", ts, sig, "command=%2Fitstatus&text=npm", 28, now),
			 SLACK_SIG_BAD);
	/* a refused request did not poison the replay cache */
	ck_assert_int_eq(slack_verify("s3cr3t", ts, sig, body, strlen(body), now), SLACK_SIG_OK);
	free(sig);
}
END_TEST

/* hex HMAC of "<ts>.<body>" (or of the body alone when ts is NULL) */
static char *sp_sig(const char *secret, const char *ts, const char *body)
{
	char *base = ts ? xasprintf("%s.%s", ts, body) : xstrdup(body);
	unsigned char mac[32];
	hmac_sha256(secret, strlen(secret), base, strlen(base), mac);
	free(base);
	char *hex = xmalloc(65);
	hex_lower(mac, 32, hex);
	return hex;
}

START_TEST(test_statuspage_verify)
{
	const char *body = "{\"component_update\":{}}";
	size_t n = strlen(body);
	int64_t now = 1795435200000LL;
	char ts[32], old[32], future[32];
	snprintf(ts, sizeof ts, "%lld", (long long)(now / 1000 - 10));
	snprintf(old, sizeof old, "%lld", (long long)(now / 1000 - 301));
	snprintf(future, sizeof future, "%lld", (long long)(now / 1000 + 301));
	char *sig = sp_sig("k", ts, body);
	ck_assert_int_eq(statuspage_verify("k", ts, sig, body, n, now, 0), SP_SIG_OK);
	for (char *p = sig; *p; p++) /* hex in either case */
		*p = (char)toupper((unsigned char)*p);
	ck_assert_int_eq(statuspage_verify("k", ts, sig, body, n, now, 0), SP_SIG_OK);
	ck_assert_int_eq(statuspage_verify("k", ts, sig, "{}", 2, now, 0), SP_SIG_BAD);
	ck_assert_int_eq(statuspage_verify("other", ts, sig, body, n, now, 0), SP_SIG_BAD);
	ck_assert_int_eq(statuspage_verify("k", ts, NULL, body, n, now, 0), SP_SIG_MISSING);
	ck_assert_int_eq(statuspage_verify("k", ts, "abc", body, n, now, 0), SP_SIG_BAD);
	free(sig);
	const char *stale[] = {old, future, "9999999999", "-9223372036854775808",
			       "9223372036854775807"};
	for (size_t i = 0; i < 5; i++) {
		sig = sp_sig("k", stale[i], body);
		ck_assert_int_eq(statuspage_verify("k", stale[i], sig, body, n, now, 0),
				 SP_SIG_STALE);
		free(sig);
	}
	/* the seed's body-only signature: only in compatibility mode */
	sig = sp_sig("k", NULL, body);
	ck_assert_int_eq(statuspage_verify("k", NULL, sig, body, n, now, 0), SP_SIG_MISSING_TS);
	ck_assert_int_eq(statuspage_verify("k", ts, sig, body, n, now, 0), SP_SIG_BAD);
	ck_assert_int_eq(statuspage_verify("k", NULL, sig, body, n, now, 1), SP_SIG_OK);
	ck_assert_int_eq(statuspage_verify("k", ts, sig, body, n, now, 1), SP_SIG_OK);
	ck_assert_int_eq(statuspage_verify("k", old, sig, body, n, now, 1), SP_SIG_STALE);
	ck_assert_int_eq(statuspage_verify("k", "-9223372036854775808", sig, body, n, now, 1),
			 SP_SIG_STALE);
	free(sig);
}
END_TEST

START_TEST(test_client_addr)
{
	char out[GUARD_ADDR_LEN];
	const char *trusted = "10.0.0.0/8, 127.0.0.5 ::1";
	/* no trusted proxies, or an untrusted peer: the header is ignored */
	guard_client_addr("127.0.0.1", "203.0.113.9", NULL, out, sizeof out);
	ck_assert_str_eq(out, "127.0.0.1");
	guard_client_addr("192.0.2.1", "203.0.113.9", trusted, out, sizeof out);
	ck_assert_str_eq(out, "192.0.2.1");
	/* trusted: the right-most entry that is not a proxy of ours */
	guard_client_addr("127.0.0.5", "198.51.100.1, 203.0.113.9", trusted, out, sizeof out);
	ck_assert_str_eq(out, "203.0.113.9");
	guard_client_addr("10.1.2.3", "198.51.100.1, 203.0.113.9 , 10.4.4.4", trusted, out,
			  sizeof out);
	ck_assert_str_eq(out, "203.0.113.9");
	guard_client_addr("::1", "2001:db8::1", trusted, out, sizeof out);
	ck_assert_str_eq(out, "2001:db8::1");
	/* every hop a proxy: the left-most one */
	guard_client_addr("10.1.2.3", "10.9.9.9,10.8.8.8", trusted, out, sizeof out);
	ck_assert_str_eq(out, "10.9.9.9");
	/* garbage stops the walk at the last address believed */
	guard_client_addr("10.1.2.3", "203.0.113.9, evil\nline", trusted, out, sizeof out);
	ck_assert_str_eq(out, "10.1.2.3");
	guard_client_addr("10.1.2.3", "203.0.113.9, 10.0.0.0/8", trusted, out, sizeof out);
	ck_assert_str_eq(out, "10.1.2.3");
	guard_client_addr("10.1.2.3", "", trusted, out, sizeof out);
	ck_assert_str_eq(out, "10.1.2.3");
	ck_assert_int_eq(guard_proxies_valid(trusted, NULL), 1);
	ck_assert_int_eq(guard_proxies_valid(NULL, NULL), 1);
	const char *bad = NULL;
	ck_assert_int_eq(guard_proxies_valid("10.0.0.0/8, proxy.local", &bad), 0);
	ck_assert_str_eq(bad, "proxy.local");
	ck_assert_int_eq(guard_proxies_valid("10.0.0.0/33", NULL), 0);
}
END_TEST

START_TEST(test_guard_counts)
{
	ck_assert_int_eq(guard_enter("192.0.2.7", GUARD_STREAMS, 2), 0);
	ck_assert_int_eq(guard_enter("192.0.2.7", GUARD_STREAMS, 2), 0);
	ck_assert_int_eq(guard_enter("192.0.2.7", GUARD_STREAMS, 2), -1);
	/* kinds and addresses are counted apart */
	ck_assert_int_eq(guard_enter("192.0.2.7", GUARD_REQUESTS, 1), 0);
	ck_assert_int_eq(guard_enter("192.0.2.8", GUARD_STREAMS, 2), 0);
	guard_leave("192.0.2.7", GUARD_STREAMS);
	ck_assert_int_eq(guard_enter("192.0.2.7", GUARD_STREAMS, 2), 0);
	guard_leave("192.0.2.7", GUARD_STREAMS);
	guard_leave("192.0.2.7", GUARD_STREAMS);
	guard_leave("192.0.2.7", GUARD_REQUESTS);
	guard_leave("192.0.2.8", GUARD_STREAMS);
	/* body readers, server-wide */
	int slots[APID_BODY_READERS_MAX], n = 0;
	while ((slots[n % APID_BODY_READERS_MAX] = guard_body_enter(-1, INT64_MAX)) >= 0)
		n++;
	ck_assert_int_eq(n, APID_BODY_READERS_MAX);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(guard_body_leave(slots[i]), 0);
	/* a reader past its deadline has its socket's read side shut: a
	 * blocked read returns at once */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int late = guard_body_enter(sv[0], 1000);
	int fine = guard_body_enter(sv[1], INT64_MAX);
	ck_assert_int_eq(guard_watch(999), 0);
	ck_assert_int_eq(guard_watch(1000), 1);
	ck_assert_int_eq(guard_watch(2000), 0); /* once */
	char c;
	ck_assert_int_eq((int)recv(sv[0], &c, 1, 0), 0);
	ck_assert_int_eq(guard_body_leave(late), 1);
	ck_assert_int_eq(guard_body_leave(fine), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_response_url_allow_list)
{
	const char *hosts = "hooks.slack.com, hooks.example.test";
	ck_assert(response_url_allowed("https://hooks.slack.com/actions/T1/B2/xyz_-9", hosts));
	ck_assert(response_url_allowed("https://HOOKS.slack.com/actions/T/B/X", hosts));
	ck_assert(response_url_allowed("https://hooks.example.test/actions/a", hosts));
	ck_assert(!response_url_allowed("http://hooks.slack.com/actions/T/B/X", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com.evil.test/actions/T", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com@evil.test/actions/T", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com:8443/actions/T", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com/services/T/B/X", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com/actions/", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com/actions/T?x=1", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com/actions/T#f", hosts));
	ck_assert(!response_url_allowed("https://hooks.slack.com/actions/../../x", hosts));
	ck_assert(!response_url_allowed(NULL, hosts));
}
END_TEST

START_TEST(test_static_resolve)
{
	char *dir = ts_tmpdir();
	char *root = xasprintf("%s/dist", dir);
	char *assets = xasprintf("%s/assets", root);
	mkdir(root, 0755);
	mkdir(assets, 0755);
	free(ts_write(root, "index.html", "<html>"));
	free(ts_write(assets, "app-1.js", "x"));
	free(ts_write(root, ".env", "SECRET=1"));
	free(ts_write(dir, "secret.txt", "outside"));
	char *link = xasprintf("%s/escape.txt", root);
	char *target = xasprintf("%s/secret.txt", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	char *out;
	ck_assert_int_eq(static_resolve(root, "/", &out), 0);
	ck_assert_int_eq(static_resolve(root, "/assets/app-1.js", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "/assets/app-1.js"));
	free(out);
	ck_assert_int_eq(static_resolve(root, "/index.html", &out), 1);
	free(out);
	ck_assert_int_eq(static_resolve(root, "/services/github", &out), 0); /* an app route */
	ck_assert_int_eq(static_resolve(root, "/assets/missing.js", &out), -1);
	ck_assert_int_eq(static_resolve(root, "/favicon.ico", &out),
			 -1); /* a file name: no app page */
	ck_assert_int_eq(static_resolve(root, "/assets/", &out), -1);
	ck_assert_int_eq(static_resolve(root, "/../secret.txt", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/assets/../../secret.txt", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/assets/..", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/.env", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/a//b", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/x\\..\\y", &out), -2);
	ck_assert_int_eq(static_resolve(root, "/escape.txt", &out),
			 -2); /* symlink out of the root */
	ck_assert_int_eq(static_resolve(root, "relative", &out), -2);
	free(link);
	free(target);
	free(assets);
	free(root);
	free(dir);
}
END_TEST

START_TEST(test_mime_types)
{
	ck_assert_str_eq(mime_type("/assets/a.js"), "text/javascript; charset=utf-8");
	ck_assert_str_eq(mime_type("/x/index.HTML"), "text/html; charset=utf-8");
	ck_assert_str_eq(mime_type("/manifest.webmanifest"), "application/manifest+json");
	ck_assert_str_eq(mime_type("/icons/i.png"), "image/png");
	ck_assert_str_eq(mime_type("/f.woff2"), "font/woff2");
	ck_assert_str_eq(mime_type("/f.svg"), "image/svg+xml");
	ck_assert_str_eq(mime_type("/README"), "application/octet-stream");
	ck_assert_str_eq(mime_type("/dir.js/file"), "application/octet-stream");
}
END_TEST

START_TEST(test_cors)
{
	struct cfg_settings c;
	memset(&c, 0, sizeof c);
	c.cors_origins = "http://localhost:5173, http://127.0.0.1:5173";
	ck_assert_str_eq(cors_allowed(&c, "http://localhost:5173"), "http://localhost:5173");
	ck_assert_str_eq(cors_allowed(&c, "http://127.0.0.1:5173"), "http://127.0.0.1:5173");
	ck_assert_ptr_null(cors_allowed(&c, "http://localhost:5174"));
	ck_assert_ptr_null(cors_allowed(&c, "http://localhost"));
	ck_assert_ptr_null(cors_allowed(&c, "https://evil.test"));
	ck_assert_ptr_null(cors_allowed(&c, NULL));
	c.cors_origins = "*";
	ck_assert_str_eq(cors_allowed(&c, "https://any.test"), "https://any.test");
	c.cors_origins = "";
	ck_assert_ptr_null(cors_allowed(&c, "http://localhost:5173"));
}
END_TEST

START_TEST(test_form_field)
{
	const char *b = "command=%2Fitstatus&text=hello+world%21&payload=%7B%22a%22%3A1%7D";
	char *v = form_field(b, strlen(b), "command");
	ck_assert_str_eq(v, "/itstatus");
	free(v);
	v = form_field(b, strlen(b), "text");
	ck_assert_str_eq(v, "hello world!");
	free(v);
	v = form_field(b, strlen(b), "payload");
	ck_assert_str_eq(v, "{\"a\":1}");
	free(v);
	ck_assert_ptr_null(form_field(b, strlen(b), "missing"));
	ck_assert_ptr_null(form_field(NULL, 0, "text"));
}
END_TEST

static const struct route *match(const char *m, const char *path, const char **params, char *allow)
{
	static char copy[256];
	snprintf(copy, sizeof copy, "%s", path);
	return route_match(m, copy, params, allow, 64);
}

START_TEST(test_routing)
{
	const char *p[2];
	char allow[64];
	const struct route *r = match("GET", "/api/services/sla", p, allow);
	ck_assert_ptr_eq(r->fn, h_sla_worst); /* static sub-routes win over {service_id} */
	r = match("GET", "/api/services/sla/history", p, allow);
	ck_assert_ptr_eq(r->fn, h_sla_history_worst);
	r = match("GET", "/api/services/github", p, allow);
	ck_assert_ptr_eq(r->fn, h_service);
	ck_assert_str_eq(p[0], "github");
	r = match("POST", "/api/webhooks/statuspage/github/t0k", p, allow);
	ck_assert_ptr_eq(r->fn, h_webhook_token);
	ck_assert_str_eq(p[0], "github");
	ck_assert_str_eq(p[1], "t0k");
	r = match("POST", "/api/webhooks/statuspage/github", p, allow);
	ck_assert_ptr_eq(r->fn, h_webhook_hmac);
	ck_assert_ptr_null(match("GET", "/api/admin/status", p, allow));
	ck_assert_str_eq(allow, "POST");
	ck_assert_ptr_null(match("POST", "/api/summary", p, allow));
	ck_assert_str_eq(allow, "GET, HEAD");
	ck_assert_ptr_null(match("GET", "/api/services/", p, allow));
	ck_assert_str_eq(allow, "");
	ck_assert_ptr_null(match("GET", "/api/nope", p, allow));
	ck_assert_ptr_null(match("GET", "/api/services/a/b/c", p, allow));
	r = match("DELETE", "/api/admin/maintenance/7", p, allow);
	ck_assert_ptr_eq(r->fn, h_admin_maintenance_cancel);
	ck_assert_str_eq(p[0], "7");
}
END_TEST

START_TEST(test_admin_validation)
{
	const char *good[] = {
	    "{\"service_id\":\"hr-system\",\"new_status\":\"degraded\",\"detail\":\"Slow login "
	    "page\",\"reason\":\"Reported by user in the help channel\"}",
	    "{\"service_id\":\"x\",\"new_status\":\"operational\",\"reason\":\"abc\"}",
	    "{\"service_id\":\"x\",\"new_status\":\"unknown\",\"detail\":null,\"reason\":"
	    "\"\xc3\xa9\xc3\xa9\xc3\xa9\"}",
	};
	const char *bad[] = {
	    "{}",
	    "{\"service_id\":\"x\",\"new_status\":\"down\",\"reason\":\"abc\"}",
	    "{\"service_id\":\"x\",\"new_status\":\"degraded\",\"reason\":\"ab\"}",
	    "{\"service_id\":\"\",\"new_status\":\"degraded\",\"reason\":\"abc\"}",
	    "{\"service_id\":1,\"new_status\":\"degraded\",\"reason\":\"abc\"}",
	    "{\"service_id\":\"x\",\"new_status\":\"degraded\"}",
	    "{\"service_id\":\"x\",\"new_status\":\"DEGRADED\",\"reason\":\"abc\"}",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		cJSON *b = cJSON_Parse(good[i]), *errs = cJSON_CreateArray();
		ck_assert_msg(admin_status_validate(b, errs) == 0, "good body %zu refused", i);
		ck_assert_int_eq(cJSON_GetArraySize(errs), 0);
		cJSON_Delete(b);
		cJSON_Delete(errs);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *b = cJSON_Parse(bad[i]), *errs = cJSON_CreateArray();
		ck_assert_msg(admin_status_validate(b, errs) < 0, "bad body %zu accepted", i);
		ck_assert_int_gt(cJSON_GetArraySize(errs), 0);
		cJSON_Delete(b);
		cJSON_Delete(errs);
	}
	/* 2001 characters of detail, 501 of reason */
	char *longd = xmalloc(2002);
	memset(longd, 'd', 2001);
	longd[2001] = '\0';
	cJSON *b = cJSON_CreateObject(), *errs = cJSON_CreateArray();
	cJSON_AddStringToObject(b, "service_id", "x");
	cJSON_AddStringToObject(b, "new_status", "degraded");
	cJSON_AddStringToObject(b, "detail", longd);
	longd[501] = '\0';
	cJSON_AddStringToObject(b, "reason", longd);
	ck_assert_int_lt(admin_status_validate(b, errs), 0);
	ck_assert_int_eq(cJSON_GetArraySize(errs), 2);
	cJSON_Delete(b);
	cJSON_Delete(errs);
	free(longd);
}
END_TEST

START_TEST(test_webhook_token_env)
{
	char *e = webhook_token_env("identity-provider");
	ck_assert_str_eq(e, "WEBHOOK_TOKEN_IDENTITY_PROVIDER");
	free(e);
}
END_TEST

/* Every route is in the document, every documented path is a route, and
 * every $ref points at something that exists. */
static void check_refs(const cJSON *doc, const cJSON *node)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, node)
	{
		if (c->string && !strcmp(c->string, "$ref")) {
			ck_assert(cJSON_IsString(c));
			const char *ref = c->valuestring;
			ck_assert_msg(!strncmp(ref, "#/components/", 13), "odd $ref %s", ref);
			char *copy = xstrdup(ref + 13);
			char *slash = strchr(copy, '/');
			ck_assert_ptr_nonnull(slash);
			*slash = '\0';
			const cJSON *group =
			    cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), copy);
			ck_assert_msg(cJSON_GetObjectItem(group, slash + 1) != NULL,
				      "dangling $ref %s", ref);
			free(copy);
		}
		check_refs(doc, c);
	}
}

START_TEST(test_openapi_covers_routes)
{
	cJSON *doc = cJSON_Parse(openapi_json());
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "openapi")->valuestring, "3.1.0");
	const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
	for (size_t i = 0; i < api_nroutes; i++) {
		const cJSON *p = cJSON_GetObjectItem(paths, api_routes[i].pattern);
		ck_assert_msg(p != NULL, "route %s is not documented", api_routes[i].pattern);
		char m[16];
		size_t n = strlen(api_routes[i].method);
		for (size_t k = 0; k <= n; k++)
			m[k] = (char)(api_routes[i].method[k] | (k < n ? 0x20 : 0));
		ck_assert_msg(cJSON_GetObjectItem(p, m) != NULL, "%s %s is not documented",
			      api_routes[i].method, api_routes[i].pattern);
	}
	const cJSON *p;
	int documented = 0;
	cJSON_ArrayForEach(p, paths)
	{
		int found = 0;
		for (size_t i = 0; i < api_nroutes; i++)
			found |= !strcmp(api_routes[i].pattern, p->string);
		ck_assert_msg(found, "documented path %s has no route", p->string);
		documented += cJSON_GetArraySize(p);
	}
	ck_assert_int_eq(documented, (int)api_nroutes);
	check_refs(doc, doc);
	cJSON_Delete(doc);
}
END_TEST

int main(void)
{
	log_init("check_api_unit", LOG_LVL_CRITICAL, 0);
	Suite *s = suite_create("api_unit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_hmac_rfc4231);
	tcase_add_test(tc, test_ct_equal);
	tcase_add_test(tc, test_slack_verify);
	tcase_add_test(tc, test_statuspage_verify);
	tcase_add_test(tc, test_client_addr);
	tcase_add_test(tc, test_guard_counts);
	tcase_add_test(tc, test_response_url_allow_list);
	tcase_add_test(tc, test_static_resolve);
	tcase_add_test(tc, test_mime_types);
	tcase_add_test(tc, test_cors);
	tcase_add_test(tc, test_form_field);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_admin_validation);
	tcase_add_test(tc, test_webhook_token_env);
	tcase_add_test(tc, test_openapi_covers_routes);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
