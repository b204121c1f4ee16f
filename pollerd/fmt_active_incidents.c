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
 *   any other impact (or none given)              -> degraded, drift note
 *
 * The worst incident decides and gives detail (title) and incident id/title.
 * Tolerated as the seed did, each with a drift note (doc/drift.md): "{}"
 * without data is no open incident; missing id/attributes/title/impact are
 * defaulted (an open incident is at least degraded). Fixed seed bugs: an
 * array body, a data that is null or not an array, or a non-object incident
 * is a parse_error (the seed crashed its poller group), never a crash.
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
	if (fmt_json_array(out, root, NULL, "data", FMT_OPTIONAL, &data))
		goto done;
	if (!data)
		/* The seed: missing data is no open incident. */
		fmt_drift_note(out, "data", "data missing, read as no open incident");
	enum st_status worst = ST_OPERATIONAL;
	int any = 0;
	cJSON_ArrayForEach(inc, data)
	{
		const char *id, *title = NULL, *impact = NULL;
		char buf[FMT_ID_BUF];
		if (fmt_json_elem_object(out, inc, "data[]"))
			goto done;
		id = fmt_soft_id(out, inc, "data[]", "id", 0, buf);
		const cJSON *attr = cJSON_GetObjectItemCaseSensitive(inc, "attributes");
		if (cJSON_IsObject(attr)) {
			title = fmt_soft_string(out, attr, "data[].attributes", "title", 0);
			impact = fmt_soft_string(out, attr, "data[].attributes", "impact", 0);
		} else {
			fmt_drift_note(out, "data[].attributes",
				       "data[].attributes: expected object, got %s",
				       fmt_json_type(attr));
		}
		/* An open incident is at least degraded (seed); impact and title
		 * can only raise it, so an unknown impact stays degraded. */
		static const struct fmt_enum open_row = {"", ST_DEGRADED, 0, NULL};
		enum st_status st = fmt_enum_or(out, impact_tab, "data[].attributes.impact", impact,
						"impact", &open_row, "degraded")
					->status;
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

const struct fmt_entry fmt_active_incidents_entry = {
    .name = "active_incidents_api",
    .parse = fmt_active_incidents,
    .required = FMT_KEYS("poll_url"),
    .metric_label = "active_incidents_api",
};
