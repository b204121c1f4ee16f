/*
 * fuzz_xml: libFuzzer target for the XML pull reader (pollerd/xml.c). Walks
 * every event of the input and touches every accessor, checking the reader's
 * own promises (depth within the cap and never negative, text length equal to
 * its strlen, decoded strings valid UTF-8, errors sticky) so a broken
 * invariant is a crash, not just a silent mis-read. Built by t/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_xml invariant broken: %s\n", what);
		abort();
	}
}

static void check_utf8(const char *s, size_t n, const char *what)
{
	size_t bad;
	check(xml_utf8_valid(s, n, &bad) == 0, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reader must not need a terminator: hand it an exact-size copy. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct xml_reader *r = xml_reader_new(buf, size);
	int open = 0;
	for (size_t guard = 0; guard <= size + 2; guard++) {
		enum xml_event ev = xml_next(r);
		if (ev == XML_EV_EOF) {
			check(open == 0, "EOF with open elements");
			check(xml_next(r) == XML_EV_EOF, "EOF not repeated");
			break;
		}
		if (ev == XML_EV_ERROR) {
			check(strlen(xml_error(r)) > 0, "empty error message");
			check(xml_next(r) == XML_EV_ERROR, "error not sticky");
			break;
		}
		int d = xml_depth(r);
		check(d >= 1 && d <= XML_MAX_DEPTH, "depth out of range");
		if (ev == XML_EV_START) {
			open++;
			check(d == open, "START depth");
			const char *name = xml_name(r);
			check(*name != '\0', "empty name");
			check_utf8(name, strlen(name), "name not UTF-8");
			(void)xml_local_name(name);
			check(xml_nattrs(r) <= XML_MAX_ATTRS, "attribute cap");
			for (size_t i = 0; i < xml_nattrs(r); i++) {
				const char *an = xml_attr_name(r, i);
				const char *av = xml_attr_value(r, i);
				check(an && av, "NULL attribute");
				check(xml_attr(r, an) == av, "attribute lookup");
				check_utf8(av, strlen(av), "attribute value not UTF-8");
			}
		} else if (ev == XML_EV_END) {
			check(d == open, "END depth");
			open--;
		} else {
			size_t tl;
			const char *t = xml_text(r, &tl);
			check(strlen(t) == tl, "text contains NUL or wrong length");
			check(tl <= size * 4 + 4, "text longer than possible");
			check_utf8(t, tl, "text not UTF-8");
			check(d == open, "TEXT depth");
		}
		check(guard < size + 2, "reader does not advance");
	}
	xml_reader_free(r);
	free(buf);
	return 0;
}
