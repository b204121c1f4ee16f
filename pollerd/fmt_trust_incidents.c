/*
 * fmt_trust_incidents: the Salesforce-Trust-style incident list
 * (trust_incidents_api, https://api.status.salesforce.com/v1/incidents) -- a
 * JSON array of incidents {id, isResolved, message: {subject,
 * maintenanceType}}.
 *
 * Active = isResolved false. None active -> operational. Each active
 * incident is degraded unless its words say more (seed rules):
 *
 *   message.maintenanceType contains "major" or subject "critical" -> major_outage
 *   subject contains "disruption" or "outage"                       -> partial_outage
 *   otherwise                                                       -> degraded
 *
 * The worst incident decides and gives detail (subject) and incident
 * id/title. As the seed did, an incident without isResolved counts as
 * resolved -- with a drift note (doc/drift.md), so the operator sees the
 * vendor dropped the field; a missing message/subject/id only leaves the
 * words out (note too). Fixed seed bugs (doc/compat.md#bug-9): a body that is not an
 * array is a parse_error, not operational; an isResolved that is null or
 * not a boolean is a parse_error (it carries the status).
 */
#include "format.h"

#include <cJSON.h>

void fmt_trust_incidents(const struct fmt_input *in, const struct fmt_opts *opts,
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
	int any = 0;
	const cJSON *inc;
	cJSON_ArrayForEach(inc, root)
	{
		int resolved, present;
		if (fmt_json_elem_object(out, inc, "[]") ||
		    fmt_json_bool(out, inc, "[]", "isResolved", FMT_OPTIONAL, &resolved, &present))
			goto done;
		if (!present) {
			/* The seed's rule: only a present, false isResolved is active. */
			fmt_drift_note(out, "[].isResolved",
				       "[].isResolved missing, read as resolved");
			continue;
		}
		if (resolved)
			continue;
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(inc, "message");
		const char *subject = NULL, *mtype = NULL, *id;
		char buf[FMT_ID_BUF];
		if (cJSON_IsObject(msg)) {
			subject = fmt_soft_string(out, msg, "[].message", "subject", 0);
			mtype = fmt_soft_string(out, msg, "[].message", "maintenanceType", 1);
		} else {
			fmt_drift_note(out, "[].message", "[].message: expected object, got %s",
				       fmt_json_type(msg));
		}
		id = fmt_soft_id(out, inc, "[]", "id", 0, buf);
		enum st_status st = ST_DEGRADED;
		if (fmt_contains_ci(mtype, "major") || fmt_contains_ci(subject, "critical"))
			st = ST_MAJOR_OUTAGE;
		else if (fmt_contains_ci(subject, "disruption") ||
			 fmt_contains_ci(subject, "outage"))
			st = ST_PARTIAL_OUTAGE;
		if (!any || fmt_worse(worst, st) != worst) {
			worst = st;
			fmt_set_incident(out, id, subject);
			fmt_set_detail(out, subject);
		}
		any = 1;
	}
	fmt_set_ok(out, worst, 0);
done:
	cJSON_Delete(root);
}

const struct fmt_entry fmt_trust_incidents_entry = {
    .name = "trust_incidents_api",
    .parse = fmt_trust_incidents,
    .required = FMT_KEYS("poll_url"),
    .metric_label = "trust_incidents_api",
};
