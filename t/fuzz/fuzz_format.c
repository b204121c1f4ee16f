/*
 * fuzz_format: libFuzzer target for every body parser of the format table
 * (fmt_entries, pollerd/formats.def), so a new format is fuzzed unasked.
 * FUZZ_POLL_TYPE=<poll_type> restricts it to one parser; otherwise each input
 * goes through all of them, with one of three option sets (none, selection
 * by name/products/keyword, selection by id) picked by the input length, so
 * one corpus of vendor payloads exercises every format. Each reading is
 * checked against the format.h contract (fuzz_common.h). Built by
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
	static const char *only;
	static int inited;
	if (!inited) {
		only = getenv("FUZZ_POLL_TYPE");
		if (only && !*only)
			only = NULL;
		if (only && !fmt_lookup(only)) {
			fprintf(stderr, "fuzz_format: FUZZ_POLL_TYPE=%s has no parser\n", only);
			abort();
		}
		inited = 1;
	}
	char *body = malloc(size + 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';

	static const char *const products[] = {"Cloud Run", "Google Compute Engine"};
	static const int codes[] = {200, 204};
	struct fmt_opts plain = {.now_ms = INT64_C(1787029279000)};
	struct fmt_opts picky = {
	    .component_name = "Git Operations",
	    .products = products,
	    .nproducts = 2,
	    .rss_active_hours = 48,
	    .expect_codes = codes,
	    .nexpect_codes = 2,
	    .keyword = "operational",
	    .latency_threshold_ms = 500,
	    .now_ms = INT64_C(1655441659000),
	};
	struct fmt_opts by_id = {.component_id = "8l4ygp009s5s", .now_ms = INT64_C(1787029279000)};
	const struct fmt_opts *optsets[] = {&plain, &picky, &by_id};

	const struct fmt_opts *opts = optsets[size % (sizeof optsets / sizeof optsets[0])];
	for (size_t t = 0; t < fmt_nentries; t++) {
		const char *type = only ? only : fmt_entries[t]->name;
		fmt_parse_fn fn = fmt_lookup(type); /* NULL for manual */
		if (fn) {
			struct fmt_input in = {.body = body,
					       .len = size,
					       .http_code = 200,
					       .latency_ms = 120,
					       .content_type = "application/json"};
			struct fmt_reading r;
			fn(&in, opts, &r);
			fz_check_reading(&r, type);
			fmt_reading_free(&r);
		}
		if (only)
			break;
	}
	free(body);
	return 0;
}
