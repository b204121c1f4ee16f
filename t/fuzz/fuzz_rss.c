/*
 * fuzz_rss: libFuzzer target for fmt_rss (pollerd/fmt_rss.c). The input is
 * the body; it is parsed at one of a few fixed poll times (the fixtures' era,
 * the epoch, far future) and window sizes, picked by the input length so
 * mutations reach all of them while each run stays one parse, and the
 * reading is checked against the format.h contract (fuzz_common.h). Built by
 * t/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL-terminated as the transport delivers it, exact size so ASan sees over-reads. */
	char *body = malloc(size + 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	static const struct {
		int64_t now;
		int hours;
	} runs[] = {
	    {INT64_C(1787029279000), 0}, /* 2026-08-18T05:01:19Z */
	    {INT64_C(1655441659000), 1}, /* 2022-06-17T04:54:19Z */
	    {0, 24},
	    {INT64_C(253402300799999), 1000000},
	};
	size_t i = size % (sizeof runs / sizeof runs[0]);
	struct fmt_input in = {.body = body, .len = size, .http_code = 200};
	struct fmt_opts o = {.now_ms = runs[i].now, .rss_active_hours = runs[i].hours};
	struct fmt_reading r;
	fmt_rss(&in, &o, &r);
	fz_check_reading(&r, "rss");
	fmt_reading_release(&r);
	free(body);
	return 0;
}
