/*
 * fmt_statusio: status.io public status API
 * (https://api.status.io/1.0/status/<page id>): {result: {status_overall:
 * {status, status_code}, status: [components {id, name, status,
 * status_code, containers[]}], incidents: [...], maintenance: {active: [...],
 * upcoming: [...]}}}.
 *
 * The numeric status_code decides (the Title-Case word beside it is for
 * people):
 *
 *   code   status.io wording           status           in_maintenance
 *   100    Operational                 operational      0
 *   200    Planned Maintenance         operational      1
 *   300    Degraded Performance        degraded         0
 *   400    Partial Service Disruption  partial_outage   0
 *   500    Service Disruption          major_outage     0
 *   600    Security Event              major_outage     0
 *   other                              unmapped_value
 *
 * No component configured: status_overall, detail its wording, the first
 * incident attached. One component (id or name; containers -- the
 * infrastructure behind a component -- are already folded into the
 * component's code by status.io): its code, detail "<name>: <wording>", only
 * incidents whose components_affected lists it, and the maintenances that
 * list it or list no component (page-wide); an active one listing it sets
 * in_maintenance.
 *
 * maintenance.active -> maints "in_progress", maintenance.upcoming ->
 * "scheduled" (datetime_planned_start / _end). The captured page had no
 * incident or maintenance; their member names (_id, name,
 * components_affected, datetime_planned_*) follow status.io's API
 * documentation, and an id may be spelled "_id" or "id".
 */
#include "format.h"

#include <cJSON.h>

static const struct fmt_enum code_tab[] = {
    {"100", ST_OPERATIONAL, 0, "Operational"},
    {"200", ST_OPERATIONAL, 1, "Planned Maintenance"},
    {"300", ST_DEGRADED, 0, "Degraded Performance"},
    {"400", ST_PARTIAL_OUTAGE, 0, "Partial Service Disruption"},
    {"500", ST_MAJOR_OUTAGE, 0, "Service Disruption"},
    {"600", ST_MAJOR_OUTAGE, 0, "Security Event"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* The id of an incident / maintenance / affected component: "_id", else "id". */
static int any_id(struct fmt_reading *r, const cJSON *o, const char *where, char buf[FMT_ID_BUF],
		  const char **id)
{
	if (fmt_json_id(r, o, where, "_id", FMT_OPTIONAL, buf, id))
		return -1;
	if (*id)
		return 0;
	return fmt_json_id(r, o, where, "id", FMT_REQUIRED, buf, id);
}

/* The tolerant any_id: "_id", else "id", else NULL with a drift note. */
static const char *soft_any_id(struct fmt_reading *r, const cJSON *o, const char *where,
			       char buf[FMT_ID_BUF])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "_id");
	return fmt_soft_id(r, o, where, v ? "_id" : "id", 0, buf);
}

/*
 * Does components_affected list one of sel? 1, 0, or -1 after fmt_fail;
 * *listed says whether it names any component at all.
 */
static int concerns(struct fmt_reading *r, const cJSON *o, const char *where,
		    const struct fmt_idset *sel, int *listed)
{
	const cJSON *arr, *c;
	if (fmt_json_array(r, o, where, "components_affected", FMT_OPTIONAL, &arr))
		return -1;
	*listed = cJSON_GetArraySize(arr) > 0;
	int hit = 0;
	cJSON_ArrayForEach(c, arr)
	{
		char buf[FMT_ID_BUF];
		const char *id;
		if (fmt_json_elem_object(r, c, "components_affected[]") ||
		    any_id(r, c, "components_affected[]", buf, &id))
			return -1;
		if (fmt_idset_has(sel, id))
			hit = 1;
	}
	return hit;
}

/* selecting: a component is configured (sel may still be empty: a selected
 * component without id concerns no window or incident). */
static int collect_maints(struct fmt_reading *r, const cJSON *result, const struct fmt_idset *sel,
			  int selecting, int *maint)
{
	static const struct {
		const char *key, *where, *status;
	} lists[] = {
	    {"active", "maintenance.active[]", "in_progress"},
	    {"upcoming", "maintenance.upcoming[]", "scheduled"},
	};
	const cJSON *mobj;
	if (fmt_json_object(r, result, "result", "maintenance", FMT_OPTIONAL, &mobj))
		return -1;
	for (size_t i = 0; mobj && i < sizeof lists / sizeof lists[0]; i++) {
		const cJSON *arr, *m;
		if (fmt_json_array(r, mobj, "maintenance", lists[i].key, FMT_OPTIONAL, &arr))
			return -1;
		cJSON_ArrayForEach(m, arr)
		{
			char buf[FMT_ID_BUF];
			const char *id, *name, *from, *until, *w = lists[i].where;
			if (fmt_json_elem_object(r, m, w))
				return -1;
			/* Windows are extras: odd ones are defaulted or skipped with a
			 * drift note (doc/drift.md). */
			id = soft_any_id(r, m, w, buf);
			name = fmt_soft_string(r, m, w, "name", 0);
			from = fmt_soft_string(r, m, w, "datetime_planned_start", 0);
			until = fmt_soft_string(r, m, w, "datetime_planned_end", 1);
			int listed, hit = concerns(r, m, w, sel, &listed);
			if (hit < 0)
				return -1;
			/* A window naming no component is page-wide: listed for everyone. */
			if (selecting && !hit && listed)
				continue;
			/* An active window that names the component is maintenance on it. */
			if (selecting && hit && i == 0)
				*maint = 1;
			if (fmt_maint_push(r, w, "datetime_planned_start", "datetime_planned_end",
					   id, name, NULL, from, until, lists[i].status))
				return -1;
		}
	}
	return 0;
}

static void reading(const cJSON *result, const struct fmt_opts *opts, struct fmt_reading *r,
		    struct fmt_idset *sel)
{
	const struct fmt_enum *e = NULL;
	const char *name = NULL;
	long long code;
	int selecting = fmt_selecting(opts);
	if (selecting) {
		const cJSON *comps, *c;
		if (fmt_json_array(r, result, "result", "status", FMT_REQUIRED, &comps))
			return;
		cJSON_ArrayForEach(c, comps)
		{
			/* Ids and names only select: a component without them cannot be
			 * the selected one and is passed over (doc/drift.md). */
			if (fmt_soft_elem_skip(r, c, "status[]"))
				continue;
			const char *id = fmt_soft_string(r, c, "status[]", "id", 0);
			const char *cname = fmt_soft_string(r, c, "status[]", "name", 0);
			if (!fmt_component_matches(opts, id, cname, NULL))
				continue;
			if (fmt_json_int(r, c, "status[]", "status_code", FMT_REQUIRED, &code,
					 NULL))
				return;
			const struct fmt_enum *ce =
			    fmt_enum_map_int(r, code_tab, "status[].status_code", code);
			if (!ce)
				return;
			if (!e || fmt_worse(e->status, ce->status) != e->status) {
				e = ce;
				name = fmt_comp_label(cname, id);
			}
			fmt_idset_add(sel, id);
		}
		if (!e) {
			fmt_fail(r, "component_not_found: %s", fmt_selector(opts));
			return;
		}
	} else {
		const cJSON *overall;
		if (fmt_json_object(r, result, "result", "status_overall", FMT_REQUIRED,
				    &overall) ||
		    fmt_json_int(r, overall, "status_overall", "status_code", FMT_REQUIRED, &code,
				 NULL))
			return;
		e = fmt_enum_map_int(r, code_tab, "status_overall.status_code", code);
		if (!e)
			return;
	}
	int maint = e->maint;
	const cJSON *incs, *inc;
	if (fmt_json_array(r, result, "result", "incidents", FMT_OPTIONAL, &incs))
		return;
	int attached = 0;
	cJSON_ArrayForEach(inc, incs)
	{
		char buf[FMT_ID_BUF];
		const char *id, *iname;
		if (fmt_json_elem_object(r, inc, "incidents[]"))
			return;
		/* id and name only label the incident (doc/drift.md). */
		id = soft_any_id(r, inc, "incidents[]", buf);
		iname = fmt_soft_string(r, inc, "incidents[]", "name", 0);
		int listed, hit = concerns(r, inc, "incidents[]", sel, &listed);
		if (hit < 0)
			return;
		if ((!selecting || hit) && !attached) {
			fmt_set_incident(r, id, iname);
			attached = 1;
		}
	}
	if (collect_maints(r, result, sel, selecting, &maint))
		return;
	if (name)
		fmt_set_detailf(r, "%s: %s", name, e->label);
	else
		fmt_set_detail(r, e->label);
	fmt_set_ok(r, e->status, maint);
}

void fmt_statusio(const struct fmt_input *in, const struct fmt_opts *opts, struct fmt_reading *out)
{
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	const cJSON *result;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
	} else if (fmt_json_object(out, root, NULL, "result", FMT_REQUIRED, &result) == 0) {
		struct fmt_idset sel = {0};
		reading(result, opts, out, &sel);
		fmt_idset_free(&sel);
	}
	cJSON_Delete(root);
}

const struct fmt_entry fmt_statusio_entry = {
    .name = "statusio",
    .parse = fmt_statusio,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("component_name", "component_id"),
    .metric_label = "statusio",
};
