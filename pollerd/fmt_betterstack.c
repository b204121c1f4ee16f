/*
 * fmt_betterstack: Better Stack (ex Better Uptime) status page /index.json, a
 * JSON:API document: data = the status page (attributes.aggregate_state),
 * included = its sections, resources (monitors shown on the page), status
 * reports and their updates. Relationships may point at ids that are not
 * included (trimmed documents); those are simply not found.
 *
 *   aggregate_state / resource status   status         in_maintenance
 *   operational                         operational    0
 *   degraded                            degraded       0
 *   downtime                            major_outage   0
 *   maintenance                         operational    1
 *   not_monitored (resources only)      the resource is ignored
 *
 * No component configured: aggregate_state. One component: the status page
 * resource with that id or public_name ("Section/Name" with its section's
 * name); a resource that is not monitored cannot tell anything, so it is
 * ignored and, if nothing else matches, the component is not found.
 *
 * status_report: not resolved and not a maintenance -> the first one is the
 * attached incident (with a component: the first whose affected_resources
 * lists it). report_type "maintenance" -> maints (resolved = completed,
 * starting after opts->now_ms = scheduled, else in_progress); with a
 * component, those listing it or listing no resource (page-wide); an
 * in_progress one listing the selected resource sets in_maintenance.
 */
#include "format.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"

static const struct fmt_enum state_tab[] = {
    {"operational", ST_OPERATIONAL, 0, "Operational"},
    {"degraded", ST_DEGRADED, 0, "Degraded"},
    {"downtime", ST_MAJOR_OUTAGE, 0, "Downtime"},
    {"maintenance", ST_OPERATIONAL, 1, "Maintenance"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* Resource states that say nothing about the service: the resource is ignored. */
static const struct fmt_enum ignored_tab[] = {
    {"not_monitored", ST_UNKNOWN, 0, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* status_report aggregate_state: "resolved" closes a report, the rest are open. */
static const struct fmt_enum report_tab[] = {
    {"resolved", ST_OPERATIONAL, 0, NULL},    {"operational", ST_OPERATIONAL, 0, NULL},
    {"degraded", ST_DEGRADED, 0, NULL},	      {"downtime", ST_MAJOR_OUTAGE, 0, NULL},
    {"maintenance", ST_OPERATIONAL, 1, NULL}, {NULL, ST_UNKNOWN, 0, NULL},
};

#define W "included[]"
#define W_RES "included[].attributes"

static int is_type(const char *type, const char *want)
{
	return strcasecmp(type, want) == 0;
}

/*
 * Is e an included element of type want? 1 with its id (NULL when missing:
 * ids only select and label) and attributes, else 0. type and attributes
 * only classify, so an element without them -- or not an object -- is
 * passed over with a drift note (doc/drift.md).
 */
static int element(struct fmt_reading *r, const cJSON *e, const char *want, const char **id,
		   char buf[FMT_ID_BUF], const cJSON **attr)
{
	*id = NULL;
	*attr = NULL;
	if (fmt_soft_elem_skip(r, e, W))
		return 0;
	const char *type = fmt_soft_string(r, e, W, "type", 0);
	if (!type || !is_type(type, want))
		return 0;
	*id = fmt_soft_id(r, e, W, "id", 0, buf);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "attributes");
	if (!cJSON_IsObject(a)) {
		fmt_drift_note(r, W ".attributes",
			       W ".attributes: expected object, got %s: %s skipped",
			       fmt_json_type(a), want);
		return 0;
	}
	*attr = a;
	return 1;
}

/* Name of the included section with this id, or NULL. */
static const char *section_name(const cJSON *included, const char *sid)
{
	const cJSON *e;
	char buf[FMT_ID_BUF];
	cJSON_ArrayForEach(e, included)
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		const cJSON *attr = cJSON_GetObjectItemCaseSensitive(e, "attributes");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(attr, "name");
		if (!cJSON_IsString(type) || !is_type(type->valuestring, "status_page_section") ||
		    !cJSON_IsString(name))
			continue;
		const char *s = NULL;
		if (cJSON_IsString(id))
			s = id->valuestring;
		else if (cJSON_IsNumber(id)) {
			snprintf(buf, sizeof buf, "%.0f", id->valuedouble);
			s = buf;
		}
		if (s && strcmp(s, sid) == 0)
			return name->valuestring;
	}
	return NULL;
}

/* The selected resource(s): status into *res, its name into *res_name (or
 * NULL and its id into res_id), ids into sel. 0 or -1. */
static int select_resources(struct fmt_reading *r, const cJSON *included,
			    const struct fmt_opts *opts, struct fmt_idset *sel,
			    const struct fmt_enum **res, const char **res_name, char res_id[128])
{
	int unmonitored = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, included)
	{
		const char *id, *st, *sid = NULL;
		char buf[FMT_ID_BUF], sbuf[FMT_ID_BUF];
		const cJSON *attr;
		if (!element(r, e, "status_page_resource", &id, buf, &attr))
			continue;
		/* Names and sections only select: a resource without them cannot be
		 * the selected one and is passed over (doc/drift.md). */
		const char *name = fmt_soft_string(r, attr, W_RES, "public_name", 0);
		const cJSON *sv = cJSON_GetObjectItemCaseSensitive(attr, "status_page_section_id");
		if (sv && !cJSON_IsNull(sv))
			sid = fmt_soft_id(r, attr, W_RES, "status_page_section_id", 0, sbuf);
		const char *section = sid ? section_name(included, sid) : NULL;
		if (!fmt_component_matches(opts, id, name, section))
			continue;
		if (fmt_json_string(r, attr, W_RES, "status", FMT_REQUIRED, &st))
			return -1;
		if (fmt_enum_find(ignored_tab, st)) {
			unmonitored = 1;
			continue;
		}
		const struct fmt_enum *se = fmt_enum_map(r, state_tab, W_RES ".status", st);
		if (!se)
			return -1;
		if (!*res || fmt_worse((*res)->status, se->status) != (*res)->status) {
			*res = se;
			*res_name = name;
			snprintf(res_id, 128, "%s", id ? id : "");
		}
		fmt_idset_add(sel, id);
	}
	if (!*res) {
		fmt_fail(r, "component_not_found: %s%s", fmt_selector(opts),
			 unmonitored ? " (not_monitored)" : "");
		return -1;
	}
	return 0;
}

/* Incidents and maintenances from the included status reports. 0 or -1. */
static int reports(struct fmt_reading *r, const cJSON *included, const struct fmt_idset *sel,
		   int selecting, int64_t now_ms, int *maint)
{
	int attached = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, included)
	{
		const char *id, *title, *rtype, *state, *starts, *ends;
		char buf[FMT_ID_BUF];
		const cJSON *attr, *affected;
		if (!element(r, e, "status_report", &id, buf, &attr))
			continue;
		/* The title only labels the report (doc/drift.md). */
		title = fmt_soft_string(r, attr, W_RES, "title", 0);
		if (fmt_json_string(r, attr, W_RES, "report_type", FMT_REQUIRED, &rtype) ||
		    fmt_json_string(r, attr, W_RES, "aggregate_state", FMT_REQUIRED, &state) ||
		    fmt_json_string(r, attr, W_RES, "starts_at", FMT_REQUIRED, &starts) ||
		    fmt_json_string(r, attr, W_RES, "ends_at", FMT_NULLABLE, &ends) ||
		    fmt_json_array(r, attr, W_RES, "affected_resources", FMT_OPTIONAL, &affected))
			return -1;
		const struct fmt_enum *se =
		    fmt_enum_map(r, report_tab, W_RES ".aggregate_state", state);
		if (!se)
			return -1;
		int hit = fmt_refs_hit(r, affected, W_RES ".affected_resources[]",
				       "status_page_resource_id", sel);
		if (hit < 0)
			return -1;
		/* A report naming no resource is page-wide: its maintenance is listed for all. */
		int listed = cJSON_GetArraySize(affected) > 0;
		int open = se != &report_tab[0];
		if (is_type(rtype, "maintenance")) {
			if (selecting && !hit && listed)
				continue;
			int64_t start_ms;
			const char *ms = "in_progress";
			if (!open)
				ms = "completed";
			else if (now_ms > 0 && ts_parse(starts, &start_ms) == 0 &&
				 start_ms > now_ms)
				ms = "scheduled";
			else if (selecting && hit)
				*maint = 1;
			if (fmt_maint_push(r, W_RES, "starts_at", "ends_at", id, title, NULL,
					   starts, ends, ms))
				return -1;
		} else if (open && !attached && (!selecting || hit)) {
			fmt_set_incident(r, id, title);
			attached = 1;
		}
	}
	return 0;
}

static void reading(const cJSON *root, const struct fmt_opts *opts, struct fmt_reading *r,
		    struct fmt_idset *sel)
{
	const cJSON *data, *attr, *included;
	const char *agg;
	if (fmt_json_object(r, root, NULL, "data", FMT_REQUIRED, &data) ||
	    fmt_json_object(r, data, "data", "attributes", FMT_REQUIRED, &attr) ||
	    fmt_json_string(r, attr, "data.attributes", "aggregate_state", FMT_REQUIRED, &agg) ||
	    fmt_json_array(r, root, NULL, "included", FMT_OPTIONAL, &included))
		return;
	const struct fmt_enum *page =
	    fmt_enum_map(r, state_tab, "data.attributes.aggregate_state", agg);
	if (!page)
		return;
	const struct fmt_enum *res = NULL;
	const char *res_name = NULL;
	char res_id[128] = ""; /* the id outlives its loop buffer */
	int selecting = fmt_selecting(opts);
	if (selecting && select_resources(r, included, opts, sel, &res, &res_name, res_id))
		return;
	int maint = res ? res->maint : page->maint;
	if (reports(r, included, sel, selecting, opts ? opts->now_ms : 0, &maint))
		return;
	if (res)
		fmt_set_detailf(r, "%s: %s", fmt_comp_label(res_name, res_id[0] ? res_id : NULL),
				res->label);
	else if (r->incident_title)
		fmt_set_detail(r, r->incident_title);
	fmt_set_ok(r, res ? res->status : page->status, maint);
}

void fmt_betterstack(const struct fmt_input *in, const struct fmt_opts *opts,
		     struct fmt_reading *out)
{
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
	} else {
		struct fmt_idset sel = {0};
		reading(root, opts, out, &sel);
		fmt_idset_free(&sel);
	}
	cJSON_Delete(root);
}

const struct fmt_entry fmt_betterstack_entry = {
    .name = "betterstack",
    .parse = fmt_betterstack,
    .clock = 1,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("component_name", "component_id"),
    .metric_label = "betterstack",
};
