/*
 * fmt_cachet: Cachet 2.x API v1 ({meta, data: [...]}). The poll URL may be
 * /api/v1/components or /api/v1/incidents; which one it is, is told by the
 * elements (incidents carry is_resolved / latest_status, schedules
 * scheduled_at). Enums are numeric.
 *
 * components -- the selected component (id, or name; Cachet groups are a
 * separate endpoint, so no "Group/Name"), or the worst enabled component:
 *
 *   status   Cachet wording       status
 *   1        Operational          operational
 *   2        Performance Issues   degraded
 *   3        Partial Outage       partial_outage
 *   4        Major Outage         major_outage
 *   other (0 = Cachet "Unknown")  unmapped_value
 *
 * incidents -- an incident is open while is_resolved is false (or, without
 * is_resolved, latest_status is not 4 Fixed); the top-level status /
 * human_status stay at the value the incident was opened with ("Investigating"
 * on a fixed incident) and are never read. Cachet incidents carry no
 * severity, so any open incident is degraded; none is operational. The first
 * open incident is attached. latest_status 0 (Scheduled) is a maintenance
 * notice, not an open problem. With a component selected only incidents whose
 * component_id is that component count, which needs component_id (an
 * incident names no component by name).
 *
 * schedules (/api/v1/schedules) carry maintenances but no status, so they
 * are refused like any body that cannot tell whether the service is up.
 */
#include "format.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

static const struct fmt_enum component_tab[] = {
    {"1", ST_OPERATIONAL, 0, "Operational"},
    {"2", ST_DEGRADED, 0, "Performance Issues"},
    {"3", ST_PARTIAL_OUTAGE, 0, "Partial Outage"},
    {"4", ST_MAJOR_OUTAGE, 0, "Major Outage"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* Incident lifecycle: degraded = open, operational = fixed or merely scheduled. */
static const struct fmt_enum incident_tab[] = {
    {"0", ST_OPERATIONAL, 0, "Scheduled"}, {"1", ST_DEGRADED, 0, "Investigating"},
    {"2", ST_DEGRADED, 0, "Identified"},   {"3", ST_DEGRADED, 0, "Watching"},
    {"4", ST_OPERATIONAL, 0, "Fixed"},	   {NULL, ST_UNKNOWN, 0, NULL},
};

#define W "data[]"

static void components(const cJSON *data, const struct fmt_opts *opts, struct fmt_reading *r)
{
	int selecting = fmt_selecting(opts);
	const struct fmt_enum *worst = NULL;
	const char *worst_name = NULL;
	char worst_id[128] = ""; /* the id outlives its loop buffer */
	int skipped = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, data)
	{
		char buf[FMT_ID_BUF];
		long long code;
		/* Ids and names only select and label: a component without them
		 * cannot be the selected one and is passed over, with a drift note
		 * (doc/drift.md); its status still counts in the worst of all. */
		if (fmt_soft_elem_skip(r, c, W)) {
			skipped = 1;
			continue;
		}
		const char *id = fmt_soft_id(r, c, W, "id", 0, buf);
		const char *name = fmt_soft_string(r, c, W, "name", 0);
		/* enabled only hides a component; an odd one hides nothing. */
		const cJSON *en = cJSON_GetObjectItemCaseSensitive(c, "enabled");
		int disabled = cJSON_IsFalse(en);
		if (en && !cJSON_IsBool(en) && !cJSON_IsNull(en))
			fmt_drift_note(r, W ".enabled",
				       W ".enabled: expected bool, got %s, read as enabled",
				       fmt_json_type(en));
		if (selecting ? !fmt_component_matches(opts, id, name, NULL) : disabled)
			continue; /* a disabled component is not shown on the page */
		if (fmt_json_int(r, c, W, "status", FMT_REQUIRED, &code, NULL))
			return;
		const struct fmt_enum *e = fmt_enum_map_int(r, component_tab, W ".status", code);
		if (!e)
			return;
		if (!worst || fmt_worse(worst->status, e->status) != worst->status) {
			worst = e;
			worst_name = name;
			snprintf(worst_id, sizeof worst_id, "%s", id ? id : "");
		}
	}
	if (selecting && !worst) {
		fmt_fail(r, "component_not_found: %s", fmt_selector(opts));
		return;
	}
	/* Only an empty list means "nothing to report": one of skipped elements
	 * says nothing. */
	if (!worst && skipped) {
		fmt_fail(r, "parse_error: " W ": no element is a component");
		return;
	}
	if (selecting || (worst && worst->status != ST_OPERATIONAL))
		fmt_set_detailf(r, "%s: %s",
				fmt_comp_label(worst_name, worst_id[0] ? worst_id : NULL),
				worst->label);
	fmt_set_ok(r, worst ? worst->status : ST_OPERATIONAL, 0);
}

static void incidents(const cJSON *data, const struct fmt_opts *opts, struct fmt_reading *r)
{
	if (fmt_selecting(opts) && !(opts->component_id && *opts->component_id)) {
		fmt_fail(r,
			 "component_not_found: %s (Cachet incidents name components by id only; "
			 "configure component_id)",
			 fmt_selector(opts));
		return;
	}
	int open_any = 0;
	const cJSON *inc;
	cJSON_ArrayForEach(inc, data)
	{
		char buf[FMT_ID_BUF], cbuf[FMT_ID_BUF];
		const char *id, *name, *comp;
		long long latest;
		int resolved, has_resolved, has_latest;
		if (fmt_json_elem_object(r, inc, W))
			return;
		/* id and name only label the incident (doc/drift.md). */
		id = fmt_soft_id(r, inc, W, "id", 0, buf);
		name = fmt_soft_string(r, inc, W, "name", 0);
		if (fmt_json_bool(r, inc, W, "is_resolved", FMT_OPTIONAL, &resolved,
				  &has_resolved) ||
		    fmt_json_int(r, inc, W, "latest_status", FMT_OPTIONAL, &latest, &has_latest) ||
		    fmt_json_id(r, inc, W, "component_id", FMT_NULLABLE, cbuf, &comp))
			return;
		if (!has_resolved && !has_latest) {
			fmt_fail(r, "parse_error: " W ": neither is_resolved nor latest_status");
			return;
		}
		int open = !resolved;
		if (has_latest) {
			const struct fmt_enum *e =
			    fmt_enum_map_int(r, incident_tab, W ".latest_status", latest);
			if (!e)
				return;
			if (!has_resolved)
				open = e->status != ST_OPERATIONAL;
			else if (latest == 0)
				open = 0;
		}
		if (!open)
			continue;
		if (fmt_selecting(opts) && (!comp || strcmp(comp, opts->component_id) != 0))
			continue;
		if (!open_any) {
			fmt_set_incident(r, id, name);
			fmt_set_detail(r, name);
		}
		open_any = 1;
	}
	fmt_set_ok(r, open_any ? ST_DEGRADED : ST_OPERATIONAL, 0);
}

void fmt_cachet(const struct fmt_input *in, const struct fmt_opts *opts, struct fmt_reading *out)
{
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	const cJSON *data, *first;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
		goto done;
	}
	if (fmt_json_array(out, root, NULL, "data", FMT_REQUIRED, &data))
		goto done;
	/* The shape is told by the first element; each function checks every one. */
	first = data->child;
	if (first && !cJSON_IsObject(first))
		fmt_json_elem_object(out, first, W);
	else if (first && cJSON_GetObjectItemCaseSensitive(first, "scheduled_at"))
		fmt_fail(out, "parse_error: schedules list is not a status payload");
	else if (first && (cJSON_GetObjectItemCaseSensitive(first, "is_resolved") ||
			   cJSON_GetObjectItemCaseSensitive(first, "latest_status")))
		incidents(data, opts, out);
	else
		components(data, opts, out);
done:
	cJSON_Delete(root);
}

const struct fmt_entry fmt_cachet_entry = {
    .name = "cachet",
    .parse = fmt_cachet,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("component_name", "component_id"),
    .metric_label = "cachet",
};
