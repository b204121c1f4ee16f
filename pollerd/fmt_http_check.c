/*
 * fmt_http_check: a plain HTTP check for services without a status page --
 * the answer itself is the status. Reads in->http_code, in->latency_ms and
 * the body (bytes, which may contain NULs; never parsed):
 *
 *   code not expected (opts->expect_codes, default any 2xx)  major_outage
 *   opts->keyword set and not in the body                    major_outage
 *   slower than opts->latency_threshold_ms (when > 0)        degraded
 *   otherwise                                                operational
 *
 * These are readings (ok = 1): the check worked and found the service down
 * or slow, which is different from a poll that could not be interpreted;
 * detail says why. Only a response without an HTTP status code at all is a
 * failure ("parse_error: no HTTP status code").
 */
#include "format.h"

#include <stdio.h>
#include <string.h>

/* Binary-safe substring search (memmem is a GNU extension). */
static int body_contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m == 0)
		return 1;
	if (!hay || n < m)
		return 0;
	const char *end = hay + (n - m);
	for (const char *p = hay; p <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (!p)
			return 0;
		if (memcmp(p, needle, m) == 0)
			return 1;
	}
	return 0;
}

/* Is code one of the expected ones? The list, else any 2xx. */
static int code_expected(const struct fmt_opts *o, long code)
{
	if (!o || !o->expect_codes || o->nexpect_codes == 0)
		return code >= 200 && code <= 299;
	for (size_t i = 0; i < o->nexpect_codes; i++)
		if (o->expect_codes[i] == code)
			return 1;
	return 0;
}

/* "2xx" or "200, 204" for the detail text. */
static void expected_text(const struct fmt_opts *o, char *out, size_t outsz)
{
	if (!o || !o->expect_codes || o->nexpect_codes == 0) {
		snprintf(out, outsz, "2xx");
		return;
	}
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < o->nexpect_codes && used < outsz; i++) {
		int n =
		    snprintf(out + used, outsz - used, "%s%d", i ? ", " : "", o->expect_codes[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void fmt_http_check(const struct fmt_input *in, const struct fmt_opts *opts,
		    struct fmt_reading *out)
{
	fmt_reading_init(out);
	if (!in || in->http_code < 100 || in->http_code > 999) {
		fmt_fail(out, "parse_error: no HTTP status code");
		return;
	}
	long code = in->http_code;
	long long ms = (long long)in->latency_ms;
	if (!code_expected(opts, code)) {
		char want[128];
		expected_text(opts, want, sizeof want);
		fmt_set_detailf(out, "HTTP %ld, expected %s", code, want);
		fmt_set_ok(out, ST_MAJOR_OUTAGE, 0);
		return;
	}
	const char *kw = opts ? opts->keyword : NULL;
	if (kw && *kw && !body_contains(in->body, in->body ? in->len : 0, kw)) {
		fmt_set_detailf(out, "HTTP %ld but the body lacks \"%s\"", code, kw);
		fmt_set_ok(out, ST_MAJOR_OUTAGE, 0);
		return;
	}
	int limit = opts ? opts->latency_threshold_ms : 0;
	if (limit > 0 && ms > limit) {
		fmt_set_detailf(out, "HTTP %ld in %lld ms (threshold %d ms)", code, ms, limit);
		fmt_set_ok(out, ST_DEGRADED, 0);
		return;
	}
	fmt_set_detailf(out, "HTTP %ld in %lld ms", code, ms);
	fmt_set_ok(out, ST_OPERATIONAL, 0);
}

const struct fmt_entry fmt_http_check_entry = {
    .name = "http_check",
    .parse = fmt_http_check,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("expect_status", "keyword", "latency_threshold_ms"),
    .metric_label = "http_check",
    .flags = FMT_ANY_HTTP_CODE,
};
