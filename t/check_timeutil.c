/*
 * check_timeutil: unit tests for common/timeutil -- the canonical formatter,
 * every vendor date form the parser accepts, the forms it must reject, round
 * trips and calendar edges (checked against the C library's timegm), the
 * 1970..9999 range decision, and the ITSTATUS_FAKE_NOW_MS test clock.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"
#include "tsupport.h"

/* 2026-11-23T20:31:05Z in ms: the example date of the header. */
#define T0 INT64_C(1795465865000)

static void assert_norm(const char *in, const char *want)
{
	char out[TS_ISO_LEN + 1];
	int rc = ts_normalize(in, out);
	ck_assert_msg(rc == 0, "ts_normalize(\"%s\") rejected, want %s", in, want);
	ck_assert_msg(strcmp(out, want) == 0, "ts_normalize(\"%s\") = %s, want %s", in, out, want);
}

static void assert_reject(const char *in)
{
	int64_t ms = -42;
	int rc = ts_parse(in, &ms);
	ck_assert_msg(rc == -1, "ts_parse(\"%s\") accepted as %lld", in, (long long)ms);
	ck_assert_msg(ms == -42, "ts_parse(\"%s\") wrote *out on failure", in);
}

/* ---- ts_format -------------------------------------------------------------- */

START_TEST(format_fixed_width)
{
	char out[TS_ISO_LEN + 1];
	ck_assert_str_eq(ts_format(0, out), "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(ts_format(T0 + 123, out), "2026-11-23T20:31:05.123Z");
	ck_assert_str_eq(ts_format(T0 + 7, out), "2026-11-23T20:31:05.007Z");
	ck_assert_str_eq(ts_format(INT64_C(951782400000), out), "2000-02-29T00:00:00.000Z");
	ck_assert_int_eq(strlen(ts_format(T0, out)), TS_ISO_LEN);
	/* returns its argument */
	ck_assert_ptr_eq(ts_format(T0, out), out);
}
END_TEST

START_TEST(format_clamps_out_of_range)
{
	char out[TS_ISO_LEN + 1];
	ck_assert_str_eq(ts_format(-1, out), "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(ts_format(INT64_MIN, out), "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(ts_format(INT64_MAX, out), "9999-12-31T23:59:59.999Z");
	ck_assert_str_eq(ts_format(INT64_C(253402300799999), out), "9999-12-31T23:59:59.999Z");
	ck_assert_int_eq(strlen(out), TS_ISO_LEN);
}
END_TEST

/* ---- accepted forms --------------------------------------------------------- */

static const struct {
	const char *in, *want;
} good[] = {
    /* ISO-8601 / RFC 3339 */
    {"2026-11-23T20:31:05Z", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23T20:31:05.123Z", "2026-11-23T20:31:05.123Z"},
    {"2026-11-23t20:31:05z", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23T20:31:05.1Z", "2026-11-23T20:31:05.100Z"},
    {"2026-11-23T20:31:05.12Z", "2026-11-23T20:31:05.120Z"},
    {"2026-11-23T20:31:05.123456Z", "2026-11-23T20:31:05.123Z"},
    {"2026-11-23T20:31:05.999999999Z", "2026-11-23T20:31:05.999Z"}, /* truncated, not rounded */
    {"2026-11-23T20:31:05,5Z", "2026-11-23T20:31:05.500Z"},
    {"2026-11-23T20:31:05+00:00", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23T20:31:05-00:00", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23T20:31:05+01:00", "2026-11-23T19:31:05.000Z"},
    {"2026-11-23T20:31:05+0530", "2026-11-23T15:01:05.000Z"},
    {"2026-11-23T20:31:05-08:00", "2026-11-24T04:31:05.000Z"},
    {"2026-11-23T20:31:05-0800", "2026-11-24T04:31:05.000Z"},
    {"2026-11-23T20:31:05+09", "2026-11-23T11:31:05.000Z"},
    {"2024-01-31T16:12:38.491-08:00", "2024-02-01T00:12:38.491Z"}, /* Airbrake */
    {"2026-11-23T20:31:05", "2026-11-23T20:31:05.000Z"},	   /* no zone = UTC */
    {"2026-11-23 20:31:05", "2026-11-23T20:31:05.000Z"},	   /* Cachet */
    {"2026-11-23 20:31", "2026-11-23T20:31:00.000Z"},		   /* Uptime Kuma */
    {"2026-11-23T20:31Z", "2026-11-23T20:31:00.000Z"},
    {"2026-11-23 20:31:05 UTC", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23 20:31:05 +0000", "2026-11-23T20:31:05.000Z"},
    {"2026-11-23", "2026-11-23T00:00:00.000Z"}, /* date only */
    {"2021-01-15", "2021-01-15T00:00:00.000Z"},
    {"  2026-11-23T20:31:05Z\n", "2026-11-23T20:31:05.000Z"}, /* surrounding white space */
    {"\t2026-11-23\r\n", "2026-11-23T00:00:00.000Z"},
    {"2026-11-23T20:31:60Z", "2026-11-23T20:32:00.000Z"}, /* leap second rolls over */
    /* RFC 822 / 1123 / 2822 */
    {"Mon, 23 Nov 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},
    {"Tue, 23 Nov 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"}, /* wrong weekday tolerated */
    {"23 Nov 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},	   /* no weekday */
    {"Monday, 23 Nov 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},
    {"Mon 23 Nov 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 +0000", "2026-11-23T20:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 -0800", "2026-11-24T04:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 +0100", "2026-11-23T19:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 +01:00", "2026-11-23T19:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 UT", "2026-11-23T20:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 UTC", "2026-11-23T20:31:05.000Z"},
    {"Mon, 07 Sep 2026 06:52:00 Z", "2026-09-07T06:52:00.000Z"}, /* Azure */
    {"Mon, 23 Nov 2026 20:31:05 EST", "2026-11-24T01:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 EDT", "2026-11-24T00:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 CST", "2026-11-24T02:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 CDT", "2026-11-24T01:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 MST", "2026-11-24T03:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 MDT", "2026-11-24T02:31:05.000Z"},
    {"Mon, 23 Nov 2026 20:31:05 PST", "2026-11-24T04:31:05.000Z"},
    {"Mon, 17 Aug 2026 21:01:19 PDT", "2026-08-18T04:01:19.000Z"}, /* AWS */
    {"mon, 23 nov 2026 20:31:05 gmt", "2026-11-23T20:31:05.000Z"},
    {"Mon, 3 Nov 2026 20:31:05 GMT", "2026-11-03T20:31:05.000Z"}, /* one-digit day */
    {"Mon, 23 Nov 26 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},  /* two-digit year */
    {"Thu, 01 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00.000Z"},  /* 70 -> 1970 */
    {"Mon, 23 Nov 2026 20:31 GMT", "2026-11-23T20:31:00.000Z"},	  /* no seconds */
    {"Mon, 23 Nov 2026 20:31:05", "2026-11-23T20:31:05.000Z"},	  /* no zone = UTC */
    {"Mon, 23 Nov 2026", "2026-11-23T00:00:00.000Z"},
    {"Mon, 23 November 2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"},
    {"Mon, 23-Nov-2026 20:31:05 GMT", "2026-11-23T20:31:05.000Z"}, /* RFC 850-ish */
    {"  Mon, 23 Nov 2026 20:31:05 GMT  ", "2026-11-23T20:31:05.000Z"},
    /* epoch digits */
    {"0", "1970-01-01T00:00:00.000Z"},
    {"1700000000", "2023-11-14T22:13:20.000Z"},
    {"1700000000123", "2023-11-14T22:13:20.123Z"},
    {"99999999999", "5138-11-16T09:46:39.000Z"}, /* 11 digits: still seconds */
    {" 1795465865 ", "2026-11-23T20:31:05.000Z"},
    {"2026", "1970-01-01T00:33:46.000Z"}, /* all digits is always an epoch, never a year */
};

START_TEST(parse_accepts)
{
	assert_norm(good[_i].in, good[_i].want);
}
END_TEST

/* ---- rejected forms --------------------------------------------------------- */

static const char *const bad[] = {
    "",
    "   ",
    "garbage",
    "now",
    "2026-11",
    "2026-13-01",		/* month 13 */
    "2026-00-10",		/* month 0 */
    "2026-11-00",		/* day 0 */
    "2026-11-31",		/* November has 30 days */
    "2026-02-29",		/* not a leap year */
    "2100-02-29",		/* century, not leap */
    "2026-11-23T25:00:00Z",	/* hour 25 */
    "2026-11-23T24:00:00Z",	/* hour 24 refused too */
    "2026-11-23T20:60:00Z",	/* minute 60 */
    "2026-11-23T20:31:61Z",	/* second 61 */
    "2026-11-23T20:31:05Zjunk", /* trailing junk */
    "2026-11-23T20:31:05Z 1",
    "2026-11-23T20:31:05+25:00", /* offset hour */
    "2026-11-23T20:31:05+01:60", /* offset minute */
    "2026-11-23T20:31:05+1",	 /* offset too short */
    "2026-11-23T20:31:05.Z",	 /* empty fraction */
    "2026-11-23T20:31:05 XYZ",	 /* unknown zone */
    "2026-11-23T",		 /* T and nothing */
    "2026-11-23T20",		 /* hour only */
    "2026-11-23T2:31:05Z",	 /* one-digit hour */
    "2026-1-23",		 /* one-digit month */
    "26-11-23",
    "2026/11/23",
    "+2026-11-23",
    "-1",
    "1700000000.5",
    "123456789012",		       /* 12 digits: neither s nor ms */
    "12345678901234",		       /* 14 digits */
    "Mon, 32 Nov 2026 20:31:05 GMT",   /* day 32 */
    "Mon, 23 Foo 2026 20:31:05 GMT",   /* bad month */
    "Mon, 23 Nov 2026 25:31:05 GMT",   /* hour 25 */
    "Mon, 23 Nov 2026 20:31:05 XYZ",   /* unknown zone */
    "Mon, 23 Nov 2026 20:31:05 A",     /* military zones other than Z */
    "Mon, 23 Nov 2026 20:31:05 GMT x", /* trailing junk */
    "Mon, 23 Nov 226 20:31:05 GMT",    /* three-digit year */
    "Mon,",
    "Mon, ",
    "Foo, 23 Nov 2026 20:31:05 GMT",
    "Mon, 123 Nov 2026 20:31:05 GMT",
    "Mon, 23 Nov 2026 20:31:05.5 GMT", /* no fractions in RFC 822 */
    "23 Nov 2026T20:31:05",
    /* pre-1970 (range decision) */
    "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:30:00+01:00", /* before the epoch once the offset is applied */
    "1900-01-01",
    "0001-01-01",
    "Wed, 31 Dec 69 23:59:59 GMT", /* 69 -> 1969 */
    /* past 9999 */
    "9999-12-31T23:59:59-01:00",
};

START_TEST(parse_rejects)
{
	assert_reject(bad[_i]);
}
END_TEST

START_TEST(parse_null_and_out)
{
	int64_t ms = 5;
	char out[TS_ISO_LEN + 1] = "untouched";
	ck_assert_int_eq(ts_parse(NULL, &ms), -1);
	ck_assert_int_eq(ts_parse("2026-11-23", NULL), -1);
	ck_assert_int_eq(ts_normalize("nope", out), -1);
	ck_assert_str_eq(out, "untouched");
	ck_assert_int_eq(ms, 5);
}
END_TEST

START_TEST(parse_hour_only_offsets)
{
	/* ISO 8601 allows "+hh"; the shared zone reader accepts it in both grammars. */
	assert_norm("2026-11-23T20:31:05+00", "2026-11-23T20:31:05.000Z");
	assert_norm("2026-11-23T20:31:05-03", "2026-11-23T23:31:05.000Z");
	assert_norm("Mon, 23 Nov 2026 20:31:05 +02", "2026-11-23T18:31:05.000Z");
}
END_TEST

/* ---- edges, round trips ----------------------------------------------------- */

START_TEST(range_edges)
{
	int64_t ms;
	ck_assert_int_eq(ts_parse("1970-01-01T00:00:00Z", &ms), 0);
	ck_assert_int_eq(ms, 0);
	ck_assert_int_eq(ts_parse("1970-01-01T00:00:00.001Z", &ms), 0);
	ck_assert_int_eq(ms, 1);
	ck_assert_int_eq(ts_parse("9999-12-31T23:59:59.999Z", &ms), 0);
	ck_assert_int_eq(ms, INT64_C(253402300799999));
	ck_assert_int_eq(ts_parse("9999999999999", &ms), 0); /* 13 digits, year 2286 */
	ck_assert_int_eq(ms, INT64_C(9999999999999));
}
END_TEST

START_TEST(leap_years)
{
	assert_norm("2000-02-29", "2000-02-29T00:00:00.000Z"); /* 400-year rule */
	assert_norm("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z");
	assert_norm("1972-02-29", "1972-02-29T00:00:00.000Z");
	assert_norm("2400-02-29", "2400-02-29T00:00:00.000Z");
	assert_reject("2023-02-29");
	assert_reject("2100-02-29");
	assert_reject("2200-02-29");
	/* the day after Feb 28 in a leap year is Feb 29, then Mar 1 */
	int64_t ms;
	char out[TS_ISO_LEN + 1];
	ck_assert_int_eq(ts_parse("2024-02-28T23:59:59.999Z", &ms), 0);
	ck_assert_str_eq(ts_format(ms + 1, out), "2024-02-29T00:00:00.000Z");
	ck_assert_str_eq(ts_format(ms + 1 + 86400000, out), "2024-03-01T00:00:00.000Z");
	ck_assert_int_eq(ts_parse("2023-02-28T23:59:59.999Z", &ms), 0);
	ck_assert_str_eq(ts_format(ms + 1, out), "2023-03-01T00:00:00.000Z");
	/* year end */
	assert_norm("2026-12-31T23:59:59.999-00:01", "2027-01-01T00:00:59.999Z");
}
END_TEST

/* Tiny deterministic generator so the round trip covers the range reproducibly. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *s >> 11;
}

START_TEST(round_trip_format_parse)
{
	uint64_t seed = 12345;
	char out[TS_ISO_LEN + 1];
	for (int i = 0; i < 200000; i++) {
		int64_t ms = (int64_t)(lcg(&seed) % UINT64_C(253402300800000));
		int64_t back = -1;
		ts_format(ms, out);
		ck_assert_int_eq(strlen(out), TS_ISO_LEN);
		ck_assert_msg(ts_parse(out, &back) == 0, "cannot parse own output %s", out);
		ck_assert_msg(back == ms, "%s parsed back as %lld, want %lld", out, (long long)back,
			      (long long)ms);
	}
}
END_TEST

START_TEST(text_order_is_time_order)
{
	uint64_t seed = 99;
	char a[TS_ISO_LEN + 1], b[TS_ISO_LEN + 1];
	for (int i = 0; i < 20000; i++) {
		int64_t x = (int64_t)(lcg(&seed) % UINT64_C(253402300800000));
		int64_t y = (int64_t)(lcg(&seed) % UINT64_C(253402300800000));
		ts_format(x, a);
		ts_format(y, b);
		int c = strcmp(a, b);
		ck_assert_int_eq(c < 0, x < y);
		ck_assert_int_eq(c == 0, x == y);
	}
}
END_TEST

START_TEST(matches_timegm)
{
	/* Our days-from-civil arithmetic against the C library, every day 1970..2100 at noon. */
	char text[64];
	for (int y = 1970; y <= 2100; y++) {
		for (int m = 1; m <= 12; m++) {
			static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
			int nd =
			    dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
			for (int d = 1; d <= nd; d++) {
				struct tm tm = {.tm_year = y - 1900,
						.tm_mon = m - 1,
						.tm_mday = d,
						.tm_hour = 12,
						.tm_min = 34,
						.tm_sec = 56};
				int64_t want = (int64_t)timegm(&tm) * 1000;
				int64_t got;
				snprintf(text, sizeof text, "%04d-%02d-%02dT12:34:56Z", y, m, d);
				ck_assert_msg(ts_parse(text, &got) == 0, "rejected %s", text);
				ck_assert_msg(got == want, "%s: %lld != timegm %lld", text,
					      (long long)got, (long long)want);
			}
		}
	}
}
END_TEST

START_TEST(rfc822_and_iso_agree)
{
	int64_t a, b, c;
	ck_assert_int_eq(ts_parse("Mon, 17 Aug 2026 21:01:19 PDT", &a), 0);
	ck_assert_int_eq(ts_parse("2026-08-17T21:01:19-07:00", &b), 0);
	ck_assert_int_eq(ts_parse("1787025679", &c), 0); /* the AWS guid's epoch for that item */
	ck_assert_int_eq(a, b);
	ck_assert_int_eq(a, c);
}
END_TEST

/* ---- clocks ----------------------------------------------------------------- */

START_TEST(fake_now)
{
	char out[TS_ISO_LEN + 1];
	setenv("ITSTATUS_FAKE_NOW_MS", "1787025679123", 1);
	ck_assert_int_eq(ts_now_ms(), INT64_C(1787025679123));
	ck_assert_str_eq(ts_now_iso(out), "2026-08-18T04:01:19.123Z");
	/* any ms value a test wants, including the epoch */
	setenv("ITSTATUS_FAKE_NOW_MS", "0", 1);
	ck_assert_int_eq(ts_now_ms(), 0);
	/* an ISO date is accepted as a convenience */
	setenv("ITSTATUS_FAKE_NOW_MS", "2026-11-23T20:31:05Z", 1);
	ck_assert_int_eq(ts_now_ms(), T0);
	/* unusable or empty -> the real clock */
	int64_t real = (int64_t)time(NULL) * 1000;
	setenv("ITSTATUS_FAKE_NOW_MS", "soon", 1);
	ck_assert(llabs(ts_now_ms() - real) < 5000);
	setenv("ITSTATUS_FAKE_NOW_MS", "", 1);
	ck_assert(llabs(ts_now_ms() - real) < 5000);
	unsetenv("ITSTATUS_FAKE_NOW_MS");
	ck_assert(llabs(ts_now_ms() - real) < 5000);
}
END_TEST

START_TEST(mono_clock)
{
	int64_t a = ts_mono_ms();
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
	int64_t b = ts_mono_ms();
	ck_assert(a > 0);
	ck_assert(b >= a + 15);
	/* the fake wall clock does not move the monotonic one */
	setenv("ITSTATUS_FAKE_NOW_MS", "0", 1);
	ck_assert(ts_mono_ms() >= b);
	unsetenv("ITSTATUS_FAKE_NOW_MS");
}
END_TEST

/* One Retry-After parser and one cap for pollerd and alertd. */
START_TEST(retry_after_one_cap)
{
	int64_t now;
	ck_assert_int_eq(ts_parse("2026-11-23T20:00:00Z", &now), 0);
	ck_assert_int_eq(ts_retry_after_ms("600", now), 600000);
	ck_assert_int_eq(ts_retry_after_ms("601", now), TS_RETRY_AFTER_CAP_MS);
	/* pollerd used to drop values above a day: now every caller gets the cap */
	ck_assert_int_eq(ts_retry_after_ms("86401", now), TS_RETRY_AFTER_CAP_MS);
	ck_assert_int_eq(ts_retry_after_ms("99999999999999999999", now), TS_RETRY_AFTER_CAP_MS);
	ck_assert_int_eq(ts_retry_after_ms("Mon, 23 Nov 2026 20:00:30 GMT", now), 30000);
	ck_assert_int_eq(ts_retry_after_ms("Mon, 30 Nov 2026 20:00:00 GMT", now), TS_RETRY_AFTER_CAP_MS);
	ck_assert_int_eq(ts_retry_after_ms("Mon, 23 Nov 2026 19:00:00 GMT", now), 0);
	ck_assert_int_eq(ts_retry_after_ms("\t", now), -1);
}
END_TEST

START_TEST(duration_human_forms)
{
	char b[32], small[4];
	ck_assert_str_eq(ts_duration_human(-1, b, sizeof b), "0s");
	ck_assert_str_eq(ts_duration_human(59, b, sizeof b), "59s");
	ck_assert_str_eq(ts_duration_human(3660, b, sizeof b), "1h 1m");
	ck_assert_str_eq(ts_duration_human(7200, b, sizeof b), "2h");
	/* a short buffer is cut, never overrun */
	ck_assert_str_eq(ts_duration_human(3660, small, sizeof small), "1h ");
}
END_TEST

static Suite *timeutil_suite(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, format_fixed_width);
	tcase_add_test(tc, format_clamps_out_of_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_accepts, 0, (int)(sizeof good / sizeof good[0]));
	tcase_add_loop_test(tc, parse_rejects, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, parse_null_and_out);
	tcase_add_test(tc, parse_hour_only_offsets);
	tcase_add_test(tc, range_edges);
	tcase_add_test(tc, leap_years);
	tcase_add_test(tc, rfc822_and_iso_agree);
	tcase_add_test(tc, retry_after_one_cap);
	tcase_add_test(tc, duration_human_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, round_trip_format_parse);
	tcase_add_test(tc, text_order_is_time_order);
	tcase_add_test(tc, matches_timegm);
	suite_add_tcase(s, tc);

	tc = tcase_create("clock");
	tcase_add_test(tc, fake_now);
	tcase_add_test(tc, mono_clock);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(timeutil_suite());
}
