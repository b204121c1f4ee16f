/*
 * fmt_active_incidents: the Zendesk-style JSON:API list of open incidents
 * (active_incidents_api, https://status.zendesk.com/api/incidents/active):
 * {data: [{id, attributes: {title, impact, ...}}], included: [...]}.
 *
 * Empty data -> operational. Each incident (seed rules, the title can raise
 * what the impact says):
 *
 *   impact critical, or title contains "outage"   -> major_outage
 *   impact major, or title contains "partial"     -> partial_outage
 *   impact minor / none                           -> degraded
 *   any other impact                              -> unmapped_value
 *
 * The worst incident decides and gives detail (title) and incident id/title.
 * Fixed seed bugs: an array body or one without a data array is a
 * parse_error (the seed crashed its poller group, or read "{}" as all
 * clear); null attributes/title/impact are parse errors, not crashes.
 */
#include "format.h"

#include <cJSON.h>

static const struct fmt_enum impact_tab[] = {
    {"critical", ST_MAJOR_OUTAGE, 0, NULL},
    {"major", ST_PARTIAL_OUTAGE, 0, NULL},
    {"minor", ST_DEGRADED, 0, NULL},
    {"none", ST_DEGRADED, 0, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

void fmt_active_incidents(const struct fmt_input *in, const struct fmt_opts *opts,
			  struct fmt_reading *out)
{
	(void)opts;
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	const cJSON *data, *inc;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
		goto done;
	}
	if (fmt_json_array(out, root, NULL, "data", FMT_REQUIRED, &data))
		goto done;
	enum st_status worst = ST_OPERATIONAL;
	int any = 0;
	cJSON_ArrayForEach(inc, data)
	{
		const cJSON *attr;
		const char *id, *title, *impact;
		char buf[FMT_ID_BUF];
		if (fmt_json_elem_object(out, inc, "data[]") ||
		    fmt_json_id(out, inc, "data[]", "id", FMT_REQUIRED, buf, &id) ||
		    fmt_json_object(out, inc, "data[]", "attributes", FMT_REQUIRED, &attr) ||
		    fmt_json_string(out, attr, "data[].attributes", "title", FMT_REQUIRED,
				    &title) ||
		    fmt_json_string(out, attr, "data[].attributes", "impact", FMT_REQUIRED,
				    &impact))
			goto done;
		const struct fmt_enum *e =
		    fmt_enum_map(out, impact_tab, "data[].attributes.impact", impact);
		if (!e)
			goto done;
		enum st_status st = e->status;
		if (fmt_contains_ci(title, "outage"))
			st = ST_MAJOR_OUTAGE;
		else if (fmt_contains_ci(title, "partial"))
			st = fmt_worse(st, ST_PARTIAL_OUTAGE);
		if (!any || fmt_worse(worst, st) != worst) {
			worst = st;
			fmt_set_incident(out, id, title);
			fmt_set_detail(out, title);
		}
		any = 1;
	}
	fmt_set_ok(out, worst, 0);
done:
	cJSON_Delete(root);
}
