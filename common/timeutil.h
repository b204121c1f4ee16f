/*
 * timeutil: the one timestamp format of itstatus and the parsers that bring
 * every vendor's dates to it. Inside the program time is int64 milliseconds
 * since the Unix epoch (UTC); in the database and on the wire it is ISO-8601
 * UTC with milliseconds and Z, fixed width ("2026-11-23T20:31:05.123Z"), so
 * text order is time order.
 */
#ifndef ITSTATUS_TIMEUTIL_H
#define ITSTATUS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TS_ISO_LEN 24 /* strlen("2026-11-23T20:31:05.123Z") */

/* Wall clock now, ms since epoch. Honours ITSTATUS_FAKE_NOW_MS (tests only) when set. */
int64_t ts_now_ms(void);
/* Monotonic clock in ms, for intervals and timeouts. */
int64_t ts_mono_ms(void);
/* Format ms as ISO-8601 UTC into out (needs TS_ISO_LEN + 1 bytes). Returns out. */
char *ts_format(int64_t ms, char out[TS_ISO_LEN + 1]);
/* Format now; same contract as ts_format. */
char *ts_now_iso(char out[TS_ISO_LEN + 1]);
/*
 * Parse any vendor form into ms: ISO-8601 with Z, offsets (+hh:mm, +hhmm,
 * -08:00), no zone (taken as UTC), fractional seconds of any length, a space
 * instead of T, date only; RFC-822/1123 dates from RSS ("Tue, 23 Nov 2026
 * 20:31:05 GMT", "+0000", "PST", two-digit years); epoch seconds or
 * milliseconds given as digits. Surrounding whitespace is ignored. Returns 0 and
 * sets *out, or -1 when s is not a date.
 */
int ts_parse(const char *s, int64_t *out);
/* Parse then format: vendor string -> canonical ISO. Returns 0, or -1. */
int ts_normalize(const char *s, char out[TS_ISO_LEN + 1]);

/*
 * The one cap on a peer's Retry-After: a vendor or a Slack destination that
 * asks for more than 10 minutes of quiet is waited on for 10 minutes (pollerd
 * gives up its poll long before; alertd retries then).
 */
#define TS_RETRY_AFTER_CAP_MS (10 * 60 * 1000)
/*
 * An HTTP Retry-After value (delta seconds, or an HTTP date) as ms from
 * now_ms, at most TS_RETRY_AFTER_CAP_MS; a date in the past is 0. Returns -1
 * when v is NULL, empty, negative or not a number or date ("5s", "soon").
 */
int64_t ts_retry_after_ms(const char *v, int64_t now_ms);

/* "45s", "12m", "1h 5m", "25h" (negative counts as 0) into out; returns out. */
char *ts_duration_human(int64_t seconds, char *out, size_t outlen);

#endif
