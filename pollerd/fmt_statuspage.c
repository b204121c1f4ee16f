/*
 * fmt_statuspage: Atlassian Statuspage public API v2 (and compatible pages
 * such as incident.io's) -- /api/v2/summary.json, status.json, and
 * components.json when a component is selected.
 *
 * Whole page (no component configured): status.indicator decides, detail is
 * status.description, the first unresolved incident is attached:
 *
 *   indicator    status           in_maintenance
 *   none         operational      0
 *   minor        degraded         0
 *   major        partial_outage   0
 *   critical     major_outage     0
 *   maintenance  see below        1
 *
 * "maintenance" only says that a maintenance is on, not how bad things are,
 * so the status is the worst of the components (under_maintenance counting
 * as degraded) and of the unresolved incidents' impact (none/maintenance
 * operational, minor degraded, major partial_outage, critical major_outage):
 * indicator maintenance alone is operational + in_maintenance, never unknown
 * (seed bug doc/compat.md#bug-8).
 *
 * One component (component_id, else component_name -- see
 * fmt_component_matches; a bare name may match several components, e.g.
 * SendGrid's group "Marketing Campaigns" and its child of the same name, and
 * then the worst of them counts):
 *
 *   components[].status    status           in_maintenance
 *   operational            operational      0
 *   degraded_performance   degraded         0
 *   partial_outage         partial_outage   0
 *   major_outage           major_outage     0
 *   under_maintenance      degraded         1
 *
 * A status word outside that table falls back to the page indicator, as in
 * the seed, with a drift note (doc/drift.md); without a readable indicator
 * it is unmapped_value.
 *
 * Only what concerns that component counts (seed bug doc/compat.md#bug-11): the attached
 * incident is the first unresolved one whose components[] lists the
 * component (or, for a group, one of its children), else none; the page
 * indicator is not read; a component that is not in the payload is a failure
 * ("component_not_found: ...") rather than the page's status. Maintenances
 * are those listing the component or listing no component at all; an
 * in_progress one listing the component sets in_maintenance.
 *
 * scheduled_maintenances[] (every status) go to maints, dates normalised.
 * Payload shapes that carry no status -- incidents.json, scheduled-
 * maintenances.json, components.json without a selected component -- are
 * parse errors: polling them cannot tell whether the service is up.
 */
#include "format.h"

#include <cJSON.h>
#include <string.h>

/* Page indicator and incident impact share one vocabulary; webhook.c reads
 * the same tables for inbound payloads. */
const struct fmt_enum fmt_statuspage_indicator[] = {
    {"none", ST_OPERATIONAL, 0, NULL},	      {"minor", ST_DEGRADED, 0, NULL},
    {"major", ST_PARTIAL_OUTAGE, 0, NULL},    {"critical", ST_MAJOR_OUTAGE, 0, NULL},
    {"maintenance", ST_OPERATIONAL, 1, NULL}, {NULL, ST_UNKNOWN, 0, NULL},
};

const struct fmt_enum fmt_statuspage_component[] = {
    {"operational", ST_OPERATIONAL, 0, "Operational"},
    {"degraded_performance", ST_DEGRADED, 0, "Degraded Performance"},
    {"partial_outage", ST_PARTIAL_OUTAGE, 0, "Partial Outage"},
    {"major_outage", ST_MAJOR_OUTAGE, 0, "Major Outage"},
    {"under_maintenance", ST_DEGRADED, 1, "Under Maintenance"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* Incident lifecycle; here status only says open (degraded) or closed (operational). */
static const struct fmt_enum incident_status_tab[] = {
    {"investigating", ST_DEGRADED, 0, NULL}, {"identified", ST_DEGRADED, 0, NULL},
    {"monitoring", ST_DEGRADED, 0, NULL},    {"scheduled", ST_DEGRADED, 0, NULL},
    {"in_progress", ST_DEGRADED, 0, NULL},   {"verifying", ST_DEGRADED, 0, NULL},
    {"resolved", ST_OPERATIONAL, 0, NULL},   {"postmortem", ST_OPERATIONAL, 0, NULL},
    {"completed", ST_OPERATIONAL, 0, NULL},  {NULL, ST_UNKNOWN, 0, NULL},
};

/* Maintenance lifecycle; label is our spelling, maint marks "happening now". */
static const struct fmt_enum maint_status_tab[] = {
    {"scheduled", ST_OPERATIONAL, 0, "scheduled"},
    {"in_progress", ST_OPERATIONAL, 1, "in_progress"},
    {"verifying", ST_OPERATIONAL, 0, "verifying"},
    {"completed", ST_OPERATIONAL, 0, "completed"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

#define W_INC "incidents[]"
#define W_COMP "components[]"
#define W_MAINT "scheduled_maintenances[]"

/*
 * The fields of one incident; *open is 1 unless it is resolved. id and name
 * only label the attached incident, so they are read softly (a numeric id
 * becomes its digits, as the seed's str() did); a status outside the
 * lifecycle table is read as open -- summary.json lists unresolved incidents
 * -- with a drift note. 0 or -1 (a non-object element is skipped: *open 0).
 */
static int incident_fields(struct fmt_reading *r, const cJSON *inc, char idbuf[FMT_ID_BUF],
			   const char **id, const char **name, int *open)
{
	*id = *name = NULL;
	*open = 0;
	if (fmt_soft_elem_skip(r, inc, W_INC))
		return 0;
	*id = fmt_soft_id(r, inc, W_INC, "id", 1, idbuf);
	*name = fmt_soft_string(r, inc, W_INC, "name", 0);
	const char *st = fmt_soft_string(r, inc, W_INC, "status", 0);
	static const struct fmt_enum open_row = {"", ST_DEGRADED, 0, NULL};
	*open = fmt_enum_or(r, incident_status_tab, W_INC ".status", st, "incident status",
			    &open_row, "open")
		    ->status != ST_OPERATIONAL;
	return 0;
}

/*
 * Copy scheduled_maintenances[] into r. With sel (a component is selected)
 * only those listing one of sel's ids or no component at all are kept, and
 * *maint is set when a kept in_progress one lists the component. 0 or -1.
 */
static int collect_maints(struct fmt_reading *r, const cJSON *root, const struct fmt_idset *sel,
			  int *maint)
{
	const cJSON *arr, *m;
	if (fmt_json_array(r, root, NULL, "scheduled_maintenances", FMT_OPTIONAL, &arr))
		return -1;
	cJSON_ArrayForEach(m, arr)
	{
		const char *id, *name, *st, *from, *until, *body = NULL;
		const cJSON *updates, *comps;
		char idbuf[FMT_ID_BUF];
		/* Windows are extras of the reading: an odd one is skipped or
		 * defaulted (the seed skipped those without id or scheduled_for,
		 * and defaulted name and status). */
		if (fmt_soft_elem_skip(r, m, W_MAINT))
			continue;
		id = fmt_soft_id(r, m, W_MAINT, "id", 1, idbuf);
		name = fmt_soft_string(r, m, W_MAINT, "name", 0);
		st = fmt_soft_string(r, m, W_MAINT, "status", 0);
		from = fmt_soft_string(r, m, W_MAINT, "scheduled_for", 1);
		until = fmt_soft_string(r, m, W_MAINT, "scheduled_until", 1);
		updates = cJSON_GetObjectItemCaseSensitive(m, "incident_updates");
		comps = cJSON_GetObjectItemCaseSensitive(m, "components");
		if (updates && !cJSON_IsArray(updates)) {
			fmt_drift_note(r, W_MAINT ".incident_updates",
				       W_MAINT ".incident_updates: expected array, got %s",
				       fmt_json_type(updates));
			updates = NULL;
		}
		if (comps && !cJSON_IsArray(comps) && !cJSON_IsNull(comps)) {
			fmt_drift_note(r, W_MAINT ".components",
				       W_MAINT ".components: expected array, got %s: "
					       "maintenance skipped",
				       fmt_json_type(comps));
			continue;
		}
		const struct fmt_enum *e =
		    fmt_enum_or(r, maint_status_tab, W_MAINT ".status", st, "maintenance status",
				&maint_status_tab[0], "scheduled");
		/* Updates are newest first; the newest says what is going on now. */
		const cJSON *first = updates ? updates->child : NULL;
		if (first && !cJSON_IsObject(first))
			fmt_drift_note(r, W_MAINT ".incident_updates[]",
				       W_MAINT ".incident_updates[]: %s element ignored",
				       fmt_json_type(first));
		else if (first)
			body = fmt_soft_string(r, first, W_MAINT ".incident_updates[]", "body", 1);
		/* A component list we cannot read makes the window unplaceable:
		 * skipped with a note, the reading still counts. */
		struct fmt_reading scratch;
		fmt_reading_init(&scratch);
		int hit = fmt_refs_hit(&scratch, comps, W_MAINT ".components[]", "id", sel);
		if (hit < 0) {
			const char *why = scratch.reason ? scratch.reason : "unreadable";
			if (strncmp(why, "parse_error: ", 13) == 0)
				why += 13;
			fmt_drift_note(r, W_MAINT ".components[]", "%s: maintenance skipped", why);
			fmt_reading_free(&scratch);
			continue;
		}
		if (sel->n && !hit && cJSON_GetArraySize(comps) > 0)
			continue;
		if (!from) {
			/* Without a start there is no window to show. */
			fmt_drift_note(r, W_MAINT ".scheduled_for",
				       W_MAINT ".scheduled_for missing: maintenance skipped");
			continue;
		}
		if (sel->n && hit && e->maint)
			*maint = 1;
		if (fmt_maint_push(r, W_MAINT, "scheduled_for", "scheduled_until", id, name, body,
				   from, until, e->label))
			return -1;
	}
	return 0;
}

/* Worst status over every component (for the "maintenance" indicator). 0 or -1. */
static int components_worst(struct fmt_reading *r, const cJSON *root, enum st_status *worst)
{
	const cJSON *comps, *c;
	if (fmt_json_array(r, root, NULL, "components", FMT_OPTIONAL, &comps))
		return -1;
	cJSON_ArrayForEach(c, comps)
	{
		const char *st;
		if (fmt_json_elem_object(r, c, W_COMP) ||
		    fmt_json_string(r, c, W_COMP, "status", FMT_REQUIRED, &st))
			return -1;
		const struct fmt_enum *e =
		    fmt_enum_map(r, fmt_statuspage_component, W_COMP ".status", st);
		if (!e)
			return -1;
		*worst = fmt_worse(*worst, e->status);
	}
	return 0;
}

static void page_reading(const cJSON *root, const cJSON *status, struct fmt_reading *r)
{
	const char *ind;
	if (fmt_json_string(r, status, "status", "indicator", FMT_REQUIRED, &ind))
		return;
	/* The indicator carries the status; the description only words it. */
	const char *desc = fmt_soft_string(r, status, "status", "description", 0);
	const struct fmt_enum *e =
	    fmt_enum_map(r, fmt_statuspage_indicator, "status.indicator", ind);
	if (!e)
		return;
	enum st_status st = e->status;

	/* incident.io-compatible pages omit the key altogether (Linear). */
	const cJSON *incs, *inc;
	if (fmt_json_array(r, root, NULL, "incidents", FMT_OPTIONAL, &incs))
		return;
	int attached = 0;
	cJSON_ArrayForEach(inc, incs)
	{
		const char *id, *name, *impact;
		char idbuf[FMT_ID_BUF];
		int open;
		if (incident_fields(r, inc, idbuf, &id, &name, &open))
			return;
		if (!open)
			continue;
		if (!attached) {
			fmt_set_incident(r, id, name);
			attached = 1;
		}
		if (e->maint) {
			if (fmt_json_string(r, inc, W_INC, "impact", FMT_REQUIRED, &impact))
				return;
			const struct fmt_enum *ie =
			    fmt_enum_map(r, fmt_statuspage_indicator, W_INC ".impact", impact);
			if (!ie)
				return;
			st = fmt_worse(st, ie->status);
		}
	}
	if (e->maint && components_worst(r, root, &st))
		return;
	struct fmt_idset none = {0};
	int unused = 0;
	if (collect_maints(r, root, &none, &unused))
		return;
	fmt_set_detail(r, desc);
	fmt_set_ok(r, st, e->maint);
}

/* Name of the group component with this id, NULL when it is not in the payload. */
static const char *group_name(const cJSON *comps, const char *gid)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, comps)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (cJSON_IsString(id) && strcmp(id->valuestring, gid) == 0 && cJSON_IsString(name))
			return name->valuestring;
	}
	return NULL;
}

/*
 * Add the children of every selected group to sel: the ids a group lists in
 * its components[] (which may point at components absent from a trimmed
 * payload -- Cloudflare) and the components whose group_id is selected.
 */
static void add_children(struct fmt_reading *r, const cJSON *comps, struct fmt_idset *sel)
{
	const cJSON *c;
	size_t nsel = sel->n;
	cJSON_ArrayForEach(c, comps)
	{
		/* The caller's pass noted odd ids and group ids already. */
		const char *id = fmt_soft_string(r, c, W_COMP, "id", 1);
		const char *gid = fmt_soft_string(r, c, W_COMP, "group_id", 1);
		const cJSON *kids = cJSON_GetObjectItemCaseSensitive(c, "components"), *k;
		for (size_t i = 0; id && gid && i < nsel; i++)
			if (strcmp(sel->ids[i], gid) == 0)
				fmt_idset_add(sel, id);
		if (!fmt_idset_has(sel, id))
			continue;
		if (kids && !cJSON_IsArray(kids)) {
			if (!cJSON_IsNull(kids))
				fmt_drift_note(r, W_COMP ".components",
					       W_COMP ".components: expected array, got %s",
					       fmt_json_type(kids));
			kids = NULL;
		}
		cJSON_ArrayForEach(k, kids)
		{
			if (cJSON_IsString(k))
				fmt_idset_add(sel, k->valuestring);
			else
				fmt_drift_note(r, W_COMP ".components[]",
					       W_COMP ".components[]: %s child id ignored",
					       fmt_json_type(k));
		}
	}
}

/*
 * The seed's fallback for a selected component whose status word is not in
 * the table: the page indicator's status, as the component row of the same
 * status (for its label), with a drift note. NULL after
 * fmt_fail("unmapped_value: ...") when the page has no readable indicator.
 */
static const struct fmt_enum *page_fallback(const cJSON *root, struct fmt_reading *r,
					    const char *word)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
	const cJSON *ind =
	    cJSON_IsObject(status) ? cJSON_GetObjectItemCaseSensitive(status, "indicator") : NULL;
	const struct fmt_enum *pe =
	    cJSON_IsString(ind) ? fmt_enum_find(fmt_statuspage_indicator, ind->valuestring) : NULL;
	for (const struct fmt_enum *e = fmt_statuspage_component; pe && e->vendor; e++)
		if (e->status == pe->status && !e->maint) {
			char qw[FMT_QUOTE_BUF], qi[FMT_QUOTE_BUF];
			fmt_quote(word, qw);
			fmt_quote(ind->valuestring, qi);
			fmt_drift_note(
			    r, W_COMP ".status",
			    "unknown component status \"%s\" read as the page indicator (%s)", qw,
			    qi);
			return e;
		}
	return fmt_enum_map(r, fmt_statuspage_component, W_COMP ".status", word);
}

static void component_reading(const cJSON *root, const struct fmt_opts *opts, struct fmt_reading *r,
			      struct fmt_idset *sel)
{
	const cJSON *comps, *c;
	if (fmt_json_array(r, root, NULL, "components", FMT_OPTIONAL, &comps))
		return;
	if (!comps) {
		fmt_fail(r, "parse_error: no components[] in the payload (a component is selected: "
			    "poll summary.json or components.json)");
		return;
	}
	/* Group names are only needed for a "Group/Name" selector. */
	int qualified = !(opts->component_id && *opts->component_id) && opts->component_name &&
			strchr(opts->component_name, '/');
	const struct fmt_enum *worst = NULL;
	const char *worst_name = NULL, *worst_id = NULL;
	int maint = 0;
	cJSON_ArrayForEach(c, comps)
	{
		const char *id, *name, *gid, *st;
		/* Ids and names select; a component without them cannot be the
		 * selected one and is passed over with a drift note. */
		if (fmt_soft_elem_skip(r, c, W_COMP))
			continue;
		id = fmt_soft_string(r, c, W_COMP, "id", 0);
		name = fmt_soft_string(r, c, W_COMP, "name", 0);
		gid = fmt_soft_string(r, c, W_COMP, "group_id", 1);
		const char *group = qualified && gid ? group_name(comps, gid) : NULL;
		if (!fmt_component_matches(opts, id, name, group))
			continue;
		if (fmt_json_string(r, c, W_COMP, "status", FMT_REQUIRED, &st))
			return;
		const struct fmt_enum *e = fmt_enum_find(fmt_statuspage_component, st);
		if (!e)
			e = page_fallback(root, r, st);
		if (!e)
			return;
		if (!worst || fmt_worse(worst->status, e->status) != worst->status) {
			worst = e;
			worst_name = name;
			worst_id = id;
		}
		maint |= e->maint;
		fmt_idset_add(sel, id);
	}
	if (!worst) {
		fmt_fail(r, "component_not_found: %s", fmt_selector(opts));
		return;
	}
	add_children(r, comps, sel);

	const cJSON *incs, *inc;
	if (fmt_json_array(r, root, NULL, "incidents", FMT_OPTIONAL, &incs))
		return;
	int attached = 0;
	cJSON_ArrayForEach(inc, incs)
	{
		const char *id, *name;
		const cJSON *affected;
		char idbuf[FMT_ID_BUF];
		int open;
		if (incident_fields(r, inc, idbuf, &id, &name, &open))
			return;
		if (!open)
			continue;
		if (fmt_json_array(r, inc, W_INC, "components", FMT_OPTIONAL, &affected))
			return;
		int hit = fmt_refs_hit(r, affected, W_INC ".components[]", "id", sel);
		if (hit < 0)
			return;
		if (open && hit && !attached) {
			fmt_set_incident(r, id, name);
			attached = 1;
		}
	}
	if (collect_maints(r, root, sel, &maint))
		return;
	fmt_set_detailf(r, "%s: %s", fmt_comp_label(worst_name, worst_id), worst->label);
	fmt_set_ok(r, worst->status, maint);
}

/* The body is an object without a status: say which Statuspage document it is. */
static void not_a_status(const cJSON *root, struct fmt_reading *r)
{
	if (cJSON_GetObjectItemCaseSensitive(root, "components"))
		fmt_fail(
		    r, "parse_error: components.json carries no page status (select a component)");
	else if (cJSON_GetObjectItemCaseSensitive(root, "incidents"))
		fmt_fail(r, "parse_error: incidents list is not a status payload");
	else if (cJSON_GetObjectItemCaseSensitive(root, "scheduled_maintenances"))
		fmt_fail(r, "parse_error: scheduled maintenances list is not a status payload");
	else
		fmt_fail(r, "parse_error: no status object");
}

void fmt_statuspage(const struct fmt_input *in, const struct fmt_opts *opts,
		    struct fmt_reading *out)
{
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	const cJSON *status;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
	} else if (fmt_json_object(out, root, NULL, "status", FMT_OPTIONAL, &status)) {
		/* failed */
	} else if (fmt_selecting(opts)) {
		struct fmt_idset sel = {0};
		component_reading(root, opts, out, &sel);
		fmt_idset_free(&sel);
	} else if (status) {
		page_reading(root, status, out);
	} else {
		not_a_status(root, out);
	}
	cJSON_Delete(root);
}

const struct fmt_entry fmt_statuspage_entry = {
    .name = "statuspage_json",
    .parse = fmt_statuspage,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("component_name", "component_id"),
    .metric_label = "statuspage_json",
};
