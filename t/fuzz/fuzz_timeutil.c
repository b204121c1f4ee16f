/*
 * fuzz_timeutil: libFuzzer target for ts_parse / ts_format / ts_normalize
 * (common/timeutil.c). Any accepted input must land inside the documented
 * 1970..9999 range and survive a format -> parse round trip unchanged;
 * ts_normalize must be idempotent. Built by t/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what, const char *input)
{
	if (!cond) {
		fprintf(stderr, "fuzz_timeutil invariant broken: %s (input \"%s\")\n", what, input);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0; /* dates are short; long inputs only slow the search */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t ms = -1;
	char iso[TS_ISO_LEN + 1], again[TS_ISO_LEN + 1];
	if (ts_parse(s, &ms) == 0) {
		check(ms >= 0 && ms <= INT64_C(253402300799999), "accepted value out of range", s);
		ts_format(ms, iso);
		check(strlen(iso) == TS_ISO_LEN, "format width", s);
		int64_t back = -1;
		check(ts_parse(iso, &back) == 0 && back == ms, "round trip", s);
		check(ts_normalize(s, again) == 0 && strcmp(again, iso) == 0, "normalize", s);
		check(ts_normalize(iso, again) == 0 && strcmp(again, iso) == 0, "idempotent", s);
	} else {
		check(ms == -1, "wrote *out on failure", s);
		check(ts_normalize(s, iso) == -1, "normalize accepted what parse refused", s);
	}
	/* Any int64 (from the first 8 bytes) formats to 24 characters. */
	if (size >= 8) {
		int64_t v;
		memcpy(&v, data, sizeof v);
		check(strlen(ts_format(v, iso)) == TS_ISO_LEN, "format width for any int64", s);
	}
	free(s);
	return 0;
}
