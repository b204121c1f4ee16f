/*
 * timeutil: clocks, the canonical ISO-8601 writer and the one lenient-but-
 * strict reader for every date form vendors send (see timeutil.h).
 *
 * Parsing is done by hand rather than with strptime/timegm: strptime's
 * acceptance differs between libcs (and silently ignores many errors), and
 * timegm is not in POSIX. Calendar arithmetic uses the proleptic Gregorian
 * days-from-civil algorithm (H. Hinnant), which is exact for all years.
 *
 * Range decision: accepted instants are 1970-01-01T00:00:00.000Z up to
 * 9999-12-31T23:59:59.999Z. Nothing a status page reports predates the epoch
 * (such a value is a vendor bug or a misread field), and the canonical form is
 * fixed-width four-digit-year text whose string order must equal time order;
 * values outside that window are rejected by ts_parse and clamped by
 * ts_format so the width contract can never be broken.
 */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* 10000-01-01T00:00:00Z in ms, minus one: the last instant with a 4-digit year. */
#define TS_MAX_MS INT64_C(253402300799999)

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Strict decimal int64 (optional leading '-'), whole string. Used for the
 * fake-clock variable, which may legitimately hold any ms value a test wants.
 */
static int parse_i64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -1;
	const char *p = s;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return -1;
	errno = 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int64_t ts_now_ms(void)
{
	/*
	 * Tests pin "now" through the environment so that age windows (RSS active
	 * hours, staleness) are deterministic. Accept a plain ms integer or any
	 * form ts_parse understands; an unusable value falls back to the real
	 * clock rather than freezing time at 0.
	 */
	const char *fake = getenv("ITSTATUS_FAKE_NOW_MS");
	if (fake && *fake) {
		int64_t v;
		if (parse_i64(fake, &v) == 0 || ts_parse(fake, &v) == 0)
			return v;
	}
	return clock_ms(CLOCK_REALTIME);
}

int64_t ts_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* Write v as exactly width zero-padded decimal digits (v must fit); returns the end. */
static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

char *ts_format(int64_t ms, char out[TS_ISO_LEN + 1])
{
	/* Clamp instead of failing: callers rely on the fixed 24-char width. */
	if (ms < 0)
		ms = 0;
	if (ms > TS_MAX_MS)
		ms = TS_MAX_MS;
	time_t secs = (time_t)(ms / 1000);
	unsigned milli = (unsigned)(ms % 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		/* Cannot happen inside the clamped range on a 64-bit time_t. */
		memcpy(out, "1970-01-01T00:00:00.000Z", TS_ISO_LEN + 1);
		return out;
	}
	char *p = out;
	p = put_digits(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)(tm.tm_mon + 1), 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, milli, 3);
	*p++ = 'Z';
	*p = '\0';
	return out;
}

char *ts_now_iso(char out[TS_ISO_LEN + 1])
{
	return ts_format(ts_now_ms(), out);
}

/* ---- parsing ------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* The broken-down fields collected by either grammar. */
struct civil {
	int year, mon, day, hour, min, sec, msec;
	int off_min; /* zone offset east of UTC, minutes */
};

/* Validate fields and convert to ms; -1 when out of range. */
static int civil_to_ms(const struct civil *c, int64_t *out)
{
	if (c->year < 1 || c->year > 9999 || c->mon < 1 || c->mon > 12)
		return -1;
	if (c->day < 1 || c->day > days_in_month(c->year, c->mon))
		return -1;
	/* sec 60 is a leap second (RFC 3339 allows it); it rolls into the next minute. */
	if (c->hour > 23 || c->min > 59 || c->sec > 60 || c->msec > 999)
		return -1;
	int64_t days = days_from_civil(c->year, (unsigned)c->mon, (unsigned)c->day);
	int64_t secs =
	    days * 86400 + c->hour * 3600 + c->min * 60 + c->sec - (int64_t)c->off_min * 60;
	int64_t ms = secs * 1000 + c->msec;
	if (ms < 0 || ms > TS_MAX_MS)
		return -1;
	*out = ms;
	return 0;
}

/* Read exactly n digits at *pp into *v; advances. */
static int digits(const char **pp, int n, int *v)
{
	const char *p = *pp;
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	*pp = p + n;
	return 0;
}

/* Count the run of digits at p. */
static size_t digit_run(const char *p)
{
	size_t n = 0;
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/*
 * Numeric offset "+hh", "+hhmm" or "+hh:mm" (also '-'). Offsets beyond 23:59
 * are rejected as malformed rather than trusted.
 */
static int parse_num_offset(const char **pp, int *off_min)
{
	const char *p = *pp;
	int sign = *p == '-' ? -1 : 1;
	if (*p != '+' && *p != '-')
		return -1;
	p++;
	int hh, mm = 0;
	if (digits(&p, 2, &hh) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &mm) < 0)
			return -1;
	} else if (isdigit((unsigned char)*p)) {
		if (digits(&p, 2, &mm) < 0)
			return -1;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*off_min = sign * (hh * 60 + mm);
	*pp = p;
	return 0;
}

/* Named zones RSS feeds use (RFC 822 §5 plus UTC); case-insensitive. */
static int parse_zone_name(const char **pp, int *off_min)
{
	static const struct {
		const char *name;
		int off;
	} zones[] = {
	    {"UTC", 0},	      {"GMT", 0},	{"UT", 0},	  {"Z", 0},
	    {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
	    {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
	};
	const char *p = *pp;
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		if (strlen(zones[i].name) == n && strncasecmp(p, zones[i].name, n) == 0) {
			*off_min = zones[i].off;
			*pp = p + n;
			return 0;
		}
	}
	return -1;
}

/* Any zone: numeric offset or a known name. */
static int parse_zone(const char **pp, int *off_min)
{
	if (**pp == '+' || **pp == '-')
		return parse_num_offset(pp, off_min);
	return parse_zone_name(pp, off_min);
}

/*
 * Fractional seconds of any length: the first three digits give ms, the rest
 * are truncated (not rounded, so a value never moves into the next second).
 */
static int parse_fraction(const char **pp, int *msec)
{
	const char *p = *pp;
	size_t n = digit_run(p);
	if (n == 0)
		return -1;
	int ms = 0;
	for (size_t i = 0; i < 3; i++)
		ms = ms * 10 + (i < n ? p[i] - '0' : 0);
	*msec = ms;
	*pp = p + n;
	return 0;
}

/* "hh:mm[:ss[.frac]]" shared by both grammars. */
static int parse_clock(const char **pp, struct civil *c, int allow_frac)
{
	const char *p = *pp;
	if (digit_run(p) != 2 || digits(&p, 2, &c->hour) < 0 || *p != ':')
		return -1;
	p++;
	if (digit_run(p) != 2 || digits(&p, 2, &c->min) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (digit_run(p) != 2 || digits(&p, 2, &c->sec) < 0)
			return -1;
		if (allow_frac && (*p == '.' || *p == ',')) {
			p++;
			if (parse_fraction(&p, &c->msec) < 0)
				return -1;
		}
	}
	*pp = p;
	return 0;
}

/*
 * ISO-8601 / RFC 3339 and the common relaxations: YYYY-MM-DD, then optional
 * ('T' | 't' | ' ') time, then optional zone (Z, offset, or a name after an
 * optional space, as in "2026-11-23 20:31:05 UTC"). No zone means UTC.
 */
static int parse_iso(const char *p, const char *end, int64_t *out)
{
	struct civil c = {0};
	if (digit_run(p) != 4 || digits(&p, 4, &c.year) < 0 || *p != '-')
		return -1;
	p++;
	if (digit_run(p) != 2 || digits(&p, 2, &c.mon) < 0 || *p != '-')
		return -1;
	p++;
	if (digit_run(p) != 2 || digits(&p, 2, &c.day) < 0)
		return -1;
	if (p < end) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (parse_clock(&p, &c, 1) < 0)
			return -1;
		if (p < end) {
			if (*p == ' ')
				p++;
			if (p >= end || parse_zone(&p, &c.off_min) < 0)
				return -1;
		}
	}
	if (p != end)
		return -1;
	return civil_to_ms(&c, out);
}

/* Month name: three-letter abbreviation or full English name, any case. */
static int parse_month(const char **pp, int *mon)
{
	static const char *const names[12] = {"january",   "february", "march",	   "april",
					      "may",	   "june",     "july",	   "august",
					      "september", "october",  "november", "december"};
	const char *p = *pp;
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	for (int i = 0; i < 12; i++) {
		if ((n == 3 || n == strlen(names[i])) && strncasecmp(p, names[i], n) == 0) {
			*mon = i + 1;
			*pp = p + n;
			return 0;
		}
	}
	return -1;
}

/* Skip an optional weekday name ("Tue", "Tuesday") and its comma. */
static void skip_weekday(const char **pp)
{
	/*
	 * The weekday is not checked against the date: feeds in the wild carry
	 * wrong weekdays and the date itself is the authoritative part.
	 */
	static const char *const days[7] = {"monday", "tuesday",  "wednesday", "thursday",
					    "friday", "saturday", "sunday"};
	const char *p = *pp;
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	if (n == 0)
		return;
	for (int i = 0; i < 7; i++) {
		if ((n == 3 || n == strlen(days[i])) && strncasecmp(p, days[i], n) == 0) {
			p += n;
			if (*p == ',')
				p++;
			while (*p == ' ')
				p++;
			*pp = p;
			return;
		}
	}
}

/*
 * RFC 822 / 1123 / 2822: [Wkd[,]] D Mon YY[YY] hh:mm[:ss] [zone]. Two-digit
 * years follow RFC 2822 §4.3 (00-49 -> 20xx, 50-99 -> 19xx). A missing zone is
 * taken as UTC, the same rule as for ISO.
 */
static int parse_rfc822(const char *p, const char *end, int64_t *out)
{
	struct civil c = {0};
	skip_weekday(&p);
	size_t n = digit_run(p);
	if (n < 1 || n > 2 || digits(&p, (int)n, &c.day) < 0)
		return -1;
	if (*p != ' ' && *p != '-')
		return -1;
	char sep = *p++;
	while (sep == ' ' && *p == ' ')
		p++;
	if (parse_month(&p, &c.mon) < 0 || *p != sep)
		return -1;
	p++;
	while (sep == ' ' && *p == ' ')
		p++;
	n = digit_run(p);
	if (n == 4) {
		if (digits(&p, 4, &c.year) < 0)
			return -1;
	} else if (n == 2) {
		if (digits(&p, 2, &c.year) < 0)
			return -1;
		c.year += c.year < 50 ? 2000 : 1900;
	} else {
		return -1;
	}
	if (p < end) {
		if (*p != ' ')
			return -1;
		while (*p == ' ')
			p++;
		if (parse_clock(&p, &c, 0) < 0)
			return -1;
		if (p < end) {
			if (*p != ' ')
				return -1;
			while (*p == ' ')
				p++;
			if (parse_zone(&p, &c.off_min) < 0)
				return -1;
		}
	}
	if (p != end)
		return -1;
	return civil_to_ms(&c, out);
}

/* All digits: epoch seconds (1..11 digits) or milliseconds (13 digits). */
static int parse_epoch(const char *p, const char *end, int64_t *out)
{
	size_t n = (size_t)(end - p);
	if (n == 0 || digit_run(p) != n || (n > 11 && n != 13))
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	if (n <= 11)
		v *= 1000;
	if (v > TS_MAX_MS)
		return -1;
	*out = v;
	return 0;
}

int ts_parse(const char *s, int64_t *out)
{
	if (!s || !out)
		return -1;
	const char *p = s;
	while (*p && isspace((unsigned char)*p))
		p++;
	const char *end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end)
		return -1;
	/*
	 * Dispatch on shape: the grammars do not overlap (ISO has '-' after four
	 * digits, epoch is digits only, RFC 822 starts with a weekday or 1-2 digit
	 * day followed by a space or '-' and a month name). Each parser stops at
	 * end, so the interior NUL from trimming is never needed.
	 */
	int64_t v;
	size_t lead = digit_run(p);
	int rc;
	if (lead == (size_t)(end - p))
		rc = parse_epoch(p, end, &v);
	else if (lead == 4 && p[4] == '-')
		rc = parse_iso(p, end, &v);
	else
		rc = parse_rfc822(p, end, &v);
	if (rc < 0)
		return -1;
	*out = v;
	return 0;
}

int ts_normalize(const char *s, char out[TS_ISO_LEN + 1])
{
	int64_t ms;
	if (ts_parse(s, &ms) < 0)
		return -1;
	ts_format(ms, out);
	return 0;
}

int64_t ts_retry_after_ms(const char *v, int64_t now_ms)
{
	if (!v)
		return -1;
	while (isspace((unsigned char)*v))
		v++;
	if (!*v)
		return -1;
	int64_t ms;
	if (isdigit((unsigned char)*v)) {
		char *end;
		long long s = strtoll(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end || s < 0)
			return -1;
		ms = s > TS_RETRY_AFTER_CAP_MS / 1000 ? TS_RETRY_AFTER_CAP_MS : (int64_t)s * 1000;
	} else {
		int64_t at;
		if (ts_parse(v, &at) < 0)
			return -1;
		ms = at > now_ms ? at - now_ms : 0;
	}
	return ms > TS_RETRY_AFTER_CAP_MS ? TS_RETRY_AFTER_CAP_MS : ms;
}

char *ts_duration_human(int64_t s, char *out, size_t outlen)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outlen, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, outlen, "%lldm", (long long)(s / 60));
	else if ((s % 3600) / 60)
		snprintf(out, outlen, "%lldh %lldm", (long long)(s / 3600),
			 (long long)((s % 3600) / 60));
	else
		snprintf(out, outlen, "%lldh", (long long)(s / 3600));
	return out;
}
