/*
 * fmt_product_feed: the Google status-dashboard incident feed --
 * product_feed_json (Google Workspace appsstatus/dashboard/incidents.json)
 * and, through fmt_google_feed, gcp_incidents (status.cloud.google.com
 * incidents.json); both are a JSON array of incidents with affected_products,
 * begin/end, most_recent_update, external_desc.
 *
 * The walk (fmt_google_feed): an incident counts when it has no end (null or
 * absent -- a resolved incident always carries one) and one of its
 * affected_products[] matches the service's products (opts->products, by
 * title, current_title or id; none configured = the whole feed counts, for a
 * service that stands for the vendor as a whole). The worst counting
 * incident decides -- the seed let the first one decide, which hides an
 * outage listed after a notice -- and gives detail (external_desc) and the
 * incident id/title; no counting incident = operational.
 *
 * product_feed_json classifies by most_recent_update.status (seed table,
 * substring, case-insensitive):
 *
 *   contains "outage"       major_outage     (SERVICE_OUTAGE)
 *   contains "disruption"   partial_outage   (SERVICE_DISRUPTION)
 *   SERVICE_INFORMATION, AVAILABLE, degraded -> degraded
 *   anything else           degraded, drift note (the seed's "otherwise")
 *
 * id, external_desc and product titles only label: missing ones are
 * defaulted with a drift note (doc/drift.md); end, affected_products and
 * most_recent_update.status decide the status and still fail when unreadable.
 *
 * A body that is not an array is "parse_error: expected array, got ..."
 * for every service of the feed (seed: "expected list, got dict").
 */
#include "format.h"

#include <cJSON.h>

#define W_INC "[]"

/* Does the incident affect a configured product? 1, 0, or -1 after fmt_fail. */
static int affects(struct fmt_reading *r, const cJSON *inc, const struct fmt_opts *opts)
{
	const cJSON *prods, *p;
	if (fmt_json_array(r, inc, W_INC, "affected_products", FMT_REQUIRED, &prods))
		return -1;
	int hit = 0;
	cJSON_ArrayForEach(p, prods)
	{
		/* A product entry only names a product: an odd one names none. */
		if (!cJSON_IsObject(p)) {
			fmt_drift_note(r, W_INC ".affected_products[]",
				       W_INC ".affected_products[]: %s element skipped",
				       fmt_json_type(p));
			continue;
		}
		const char *title = fmt_soft_string(r, p, W_INC ".affected_products[]", "title", 0);
		const char *current =
		    fmt_soft_string(r, p, W_INC ".affected_products[]", "current_title", 1);
		const char *id = fmt_soft_string(r, p, W_INC ".affected_products[]", "id", 1);
		if (!title && !current && !id)
			continue;
		/* Products get renamed (current_title, 2026); either name is the product. */
		if (fmt_product_matches(opts, title, id) ||
		    (current && fmt_product_matches(opts, current, NULL)))
			hit = 1;
	}
	return hit;
}

void fmt_google_feed(const struct fmt_input *in, const struct fmt_opts *opts,
		     struct fmt_reading *out, fmt_feed_classify_fn classify)
{
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
		const char *end;
		if (fmt_json_elem_object(out, inc, W_INC) ||
		    fmt_json_string(out, inc, W_INC, "end", FMT_NULLABLE, &end))
			goto done;
		int hit = affects(out, inc, opts);
		if (hit < 0)
			goto done;
		if ((end && *end) || !hit)
			continue;
		enum st_status st;
		char buf[FMT_ID_BUF];
		const char *id = fmt_soft_id(out, inc, W_INC, "id", 0, buf);
		const char *desc = fmt_soft_string(out, inc, W_INC, "external_desc", 0);
		if (classify(out, inc, &st))
			goto done;
		if (!any || fmt_worse(worst, st) != worst) {
			worst = st;
			fmt_set_incident(out, id, desc);
			fmt_set_detail(out, desc);
		}
		any = 1;
	}
	fmt_set_ok(out, worst, 0);
done:
	cJSON_Delete(root);
}

static int classify_update(struct fmt_reading *r, const cJSON *inc, enum st_status *status)
{
	static const struct fmt_enum known[] = {
	    {"SERVICE_INFORMATION", ST_DEGRADED, 0, NULL},
	    {"AVAILABLE", ST_DEGRADED, 0, NULL},
	    {"degraded", ST_DEGRADED, 0, NULL},
	    {NULL, ST_UNKNOWN, 0, NULL},
	};
	const cJSON *upd;
	const char *st;
	if (fmt_json_object(r, inc, W_INC, "most_recent_update", FMT_REQUIRED, &upd) ||
	    fmt_json_string(r, upd, W_INC ".most_recent_update", "status", FMT_REQUIRED, &st))
		return -1;
	if (fmt_contains_ci(st, "outage")) {
		*status = ST_MAJOR_OUTAGE;
		return 0;
	}
	if (fmt_contains_ci(st, "disruption")) {
		*status = ST_PARTIAL_OUTAGE;
		return 0;
	}
	/* The seed: anything that is neither an outage nor a disruption is degraded. */
	*status = fmt_enum_or(r, known, W_INC ".most_recent_update.status", st, "update status",
			      &known[0], "degraded")
		      ->status;
	return 0;
}

void fmt_product_feed(const struct fmt_input *in, const struct fmt_opts *opts,
		      struct fmt_reading *out)
{
	fmt_google_feed(in, opts, out, classify_update);
}

const struct fmt_entry fmt_product_feed_entry = {
    .name = "product_feed_json",
    .parse = fmt_product_feed,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("products"),
    .metric_label = "product_feed_json",
    .flags = FMT_PRODUCTS_FROM_NAME,
};
