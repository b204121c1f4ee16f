/*
 * fmt_service_array: the RingCentral-style per-service level array
 * (service_array_json, https://status.ringcentral.com/status.json): a JSON
 * array of {category, service, region, level, alerts[]}.
 *
 *   level           status
 *   Good            operational
 *   Informational   operational
 *   Minor           degraded
 *   Major           partial_outage
 *   Critical        major_outage
 *   other           ignored, drift note (the seed ranked it below operational)
 *   missing         Good, drift note (the seed's default)
 *
 * The worst entry decides; detail "<service> (<region>): <level>" of the
 * first entry at that level, only when it is not operational. Alerts carry
 * no id the pipeline can key on, so no incident is attached; they must still
 * be an array when present (else a drift note). Fixed seed bug (doc/compat.md#bug-9): a
 * body that is not an array is a parse_error (the seed reported
 * operational); so is a level that is null or not a string.
 */
#include "format.h"

#include <cJSON.h>

static const struct fmt_enum level_tab[] = {
    {"Good", ST_OPERATIONAL, 0, NULL},	    {"Informational", ST_OPERATIONAL, 0, NULL},
    {"Minor", ST_DEGRADED, 0, NULL},	    {"Major", ST_PARTIAL_OUTAGE, 0, NULL},
    {"Critical", ST_MAJOR_OUTAGE, 0, NULL}, {NULL, ST_UNKNOWN, 0, NULL},
};

void fmt_service_array(const struct fmt_input *in, const struct fmt_opts *opts,
		       struct fmt_reading *out)
{
	(void)opts;
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	if (!cJSON_IsArray(root)) {
		fmt_fail(out, "parse_error: expected array, got %s", fmt_json_type(root));
		goto done;
	}
	enum st_status worst = ST_OPERATIONAL;
	const cJSON *e;
	cJSON_ArrayForEach(e, root)
	{
		const char *service, *region, *level;
		if (fmt_json_elem_object(out, e, "[]") ||
		    fmt_json_string(out, e, "[]", "level", FMT_OPTIONAL, &level))
			goto done;
		service = fmt_soft_string(out, e, "[]", "service", 0);
		region = fmt_soft_string(out, e, "[]", "region", 1);
		const cJSON *alerts = cJSON_GetObjectItemCaseSensitive(e, "alerts");
		if (alerts && !cJSON_IsArray(alerts))
			fmt_drift_note(out, "[].alerts", "[].alerts: expected array, got %s",
				       fmt_json_type(alerts));
		if (!level) {
			/* The seed read a missing level as "Good". */
			fmt_drift_note(out, "[].level", "[].level missing, read as Good");
			continue;
		}
		const struct fmt_enum *le = fmt_enum_find(level_tab, level);
		if (!le) {
			/* The seed ranked unknown levels below operational: ignored. */
			char q[FMT_QUOTE_BUF];
			fmt_quote(level, q);
			fmt_drift_note(out, "[].level", "unknown level \"%s\" ignored", q);
			continue;
		}
		if (fmt_worse(worst, le->status) != worst) {
			worst = le->status;
			if (!service)
				service = "(unnamed service)";
			if (region)
				fmt_set_detailf(out, "%s (%s): %s", service, region, level);
			else
				fmt_set_detailf(out, "%s: %s", service, level);
		}
	}
	fmt_set_ok(out, worst, 0);
done:
	cJSON_Delete(root);
}

const struct fmt_entry fmt_service_array_entry = {
    .name = "service_array_json",
    .parse = fmt_service_array,
    .required = FMT_KEYS("poll_url"),
    .metric_label = "service_array_json",
};
