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
 *   other           unmapped_value: [].level=...
 *
 * The worst entry decides; detail "<service> (<region>): <level>" of the
 * first entry at that level, only when it is not operational. Alerts carry
 * no id the pipeline can key on, so no incident is attached; they must still
 * be an array when present. Fixed seed bugs (doc/compat.md#bug-9): a body that is not an
 * array, or an entry without a level, is a parse_error (the seed reported
 * operational / "Good"), and an unknown level is no longer ranked below
 * operational and ignored.
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
		const cJSON *alerts;
		if (fmt_json_elem_object(out, e, "[]") ||
		    fmt_json_string(out, e, "[]", "service", FMT_REQUIRED, &service) ||
		    fmt_json_string(out, e, "[]", "region", FMT_NULLABLE, &region) ||
		    fmt_json_string(out, e, "[]", "level", FMT_REQUIRED, &level) ||
		    fmt_json_array(out, e, "[]", "alerts", FMT_OPTIONAL, &alerts))
			goto done;
		const struct fmt_enum *le = fmt_enum_map(out, level_tab, "[].level", level);
		if (!le)
			goto done;
		if (fmt_worse(worst, le->status) != worst) {
			worst = le->status;
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
