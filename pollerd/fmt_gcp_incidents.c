/*
 * fmt_gcp_incidents: Google Cloud status incidents.json
 * (https://status.cloud.google.com/incidents.json). The feed walk -- open
 * incidents (no end) that affect the service's configured products, worst
 * one decides, none = operational -- is fmt_google_feed's
 * (fmt_product_feed.c); this file only says how bad one incident is, from
 * its severity:
 *
 *   severity   status
 *   high       major_outage     (status_impact SERVICE_OUTAGE)
 *   medium     partial_outage   (SERVICE_DISRUPTION)
 *   low        degraded         (SERVICE_INFORMATION)
 *   other      unmapped_value: severity=...
 */
#include "format.h"

#include <cJSON.h>

static const struct fmt_enum severity_tab[] = {
    {"high", ST_MAJOR_OUTAGE, 0, NULL},
    {"medium", ST_PARTIAL_OUTAGE, 0, NULL},
    {"low", ST_DEGRADED, 0, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

static int classify_severity(struct fmt_reading *r, const cJSON *inc, enum st_status *status)
{
	const char *sev;
	if (fmt_json_string(r, inc, "[]", "severity", FMT_REQUIRED, &sev))
		return -1;
	const struct fmt_enum *e = fmt_enum_map(r, severity_tab, "severity", sev);
	if (!e)
		return -1;
	*status = e->status;
	return 0;
}

void fmt_gcp_incidents(const struct fmt_input *in, const struct fmt_opts *opts,
		       struct fmt_reading *out)
{
	fmt_google_feed(in, opts, out, classify_severity);
}

const struct fmt_entry fmt_gcp_incidents_entry = {
    .name = "gcp_incidents",
    .parse = fmt_gcp_incidents,
    .required = FMT_KEYS("poll_url", "products"),
    .metric_label = "gcp_incidents",
};
