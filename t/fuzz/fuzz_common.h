/*
 * fuzz_common: the checks the format fuzz targets apply to every reading --
 * the parts of the format.h contract that can be verified mechanically
 * (reason iff failure, failure reasons are classified, texts are valid UTF-8
 * and cut to FMT_TEXT_MAX, maintenances carry canonical dates and a known
 * status). Header-only so each target stays one translation unit.
 */
#ifndef ITSTATUS_FUZZ_COMMON_H
#define ITSTATUS_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "timeutil.h"
#include "xml.h"

static void fz_check(int cond, const char *parser, const char *what)
{
	if (!cond) {
		fprintf(stderr, "%s: reading breaks the format.h contract: %s\n", parser, what);
		abort();
	}
}

static void fz_text(const char *s, size_t max, const char *parser, const char *what)
{
	if (!s)
		return;
	size_t bad, n = strlen(s);
	fz_check(xml_utf8_valid(s, n, &bad) == 0, parser, what);
	if (max)
		fz_check(n <= max, parser, what);
}

static int fz_is_canonical(const char *s)
{
	int64_t ms;
	char iso[TS_ISO_LEN + 1];
	return s && strlen(s) == TS_ISO_LEN && ts_parse(s, &ms) == 0 &&
	       strcmp(ts_format(ms, iso), s) == 0;
}

static void fz_check_reading(const struct fmt_reading *r, const char *parser)
{
	fz_check(r->ok == 0 || r->ok == 1, parser, "ok not 0/1");
	if (!r->ok) {
		fz_check(r->reason != NULL && *r->reason, parser, "failure without reason");
		fz_check(r->status == ST_UNKNOWN, parser, "failure with a status");
		fz_check(r->nmaints == 0, parser, "failure carries maintenances");
		fz_text(r->reason, 0, parser, "reason not UTF-8");
		return;
	}
	fz_check(r->reason == NULL, parser, "success with a reason");
	fz_check(r->status >= ST_UNKNOWN && r->status <= ST_MAJOR_OUTAGE, parser,
		 "status out of range");
	fz_check(r->in_maintenance == 0 || r->in_maintenance == 1, parser,
		 "in_maintenance not 0/1");
	fz_text(r->detail, FMT_TEXT_MAX, parser, "detail not UTF-8 or too long");
	fz_text(r->incident_title, FMT_TEXT_MAX, parser, "incident_title not UTF-8 or too long");
	fz_text(r->incident_id, 0, parser, "incident_id not UTF-8");
	fz_check((r->maints == NULL) == (r->nmaints == 0), parser, "maints/nmaints disagree");
	for (size_t i = 0; i < r->nmaints; i++) {
		const struct fmt_maint *m = &r->maints[i];
		fz_check(m->vendor_id && m->title && m->status, parser, "maintenance field NULL");
		fz_check(fz_is_canonical(m->scheduled_for), parser, "scheduled_for not canonical");
		fz_check(!m->scheduled_until || fz_is_canonical(m->scheduled_until), parser,
			 "scheduled_until not canonical");
		fz_check(
		    strcmp(m->status, "scheduled") == 0 || strcmp(m->status, "in_progress") == 0 ||
			strcmp(m->status, "verifying") == 0 || strcmp(m->status, "completed") == 0,
		    parser, "maintenance status not one of the four");
		fz_text(m->title, 0, parser, "maintenance title not UTF-8");
		fz_text(m->description, 0, parser, "maintenance description not UTF-8");
	}
}

#endif
