/*
 * fmt_instatus: Instatus public pages -- /summary.json ({page: {status},
 * activeIncidents, activeMaintenances}; both lists are omitted, not [], when
 * empty) and /v3/components.json ({components: [{id, name, status, group:
 * {id, name} | null}]}, groups being components themselves, nested).
 *
 * Tables (SCREAMING_CASE, matched case-insensitively):
 *
 *   page.status        status           in_maintenance
 *   UP                 operational      0
 *   HASISSUES          degraded         0  (raised by the incidents below)
 *   UNDERMAINTENANCE   operational      1
 *
 *   component status / incident impact   status           in_maintenance
 *   OPERATIONAL                          operational      0
 *   DEGRADEDPERFORMANCE                  degraded         0
 *   PARTIALOUTAGE                        partial_outage   0
 *   MAJOROUTAGE                          major_outage     0
 *   UNDERMAINTENANCE                     degraded         1
 *
 *   incident status: INVESTIGATING, IDENTIFIED, MONITORING open; RESOLVED not.
 *   maintenance status: NOTSTARTEDYET scheduled, INPROGRESS in_progress,
 *   COMPLETED completed; its end is start + duration (minutes).
 *
 * summary.json, no component configured: the worse of page.status and the
 * open incidents' impacts; the worst incident is attached and is the detail.
 * components.json: the selected component (id, name, or "Group/Name" with
 * the group's name), or the worst of all components when none is selected;
 * detail "<name>: <status>". Instatus incidents and maintenances in
 * summary.json do not say which component they concern, so with a component
 * selected none is attached to it and none sets in_maintenance; the page's
 * maintenances are still listed in maints.
 */
#include "format.h"

#include <cJSON.h>
#include <stdint.h>

#include "timeutil.h"

static const struct fmt_enum page_tab[] = {
    {"UP", ST_OPERATIONAL, 0, NULL},
    {"HASISSUES", ST_DEGRADED, 0, NULL},
    {"UNDERMAINTENANCE", ST_OPERATIONAL, 1, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

static const struct fmt_enum component_tab[] = {
    {"OPERATIONAL", ST_OPERATIONAL, 0, "Operational"},
    {"DEGRADEDPERFORMANCE", ST_DEGRADED, 0, "Degraded Performance"},
    {"PARTIALOUTAGE", ST_PARTIAL_OUTAGE, 0, "Partial Outage"},
    {"MAJOROUTAGE", ST_MAJOR_OUTAGE, 0, "Major Outage"},
    {"UNDERMAINTENANCE", ST_DEGRADED, 1, "Under Maintenance"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* Incident lifecycle: degraded = open, operational = over. */
static const struct fmt_enum incident_status_tab[] = {
    {"INVESTIGATING", ST_DEGRADED, 0, NULL},
    {"IDENTIFIED", ST_DEGRADED, 0, NULL},
    {"MONITORING", ST_DEGRADED, 0, NULL},
    {"RESOLVED", ST_OPERATIONAL, 0, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

static const struct fmt_enum maint_status_tab[] = {
    {"NOTSTARTEDYET", ST_OPERATIONAL, 0, "scheduled"},
    {"INPROGRESS", ST_OPERATIONAL, 1, "in_progress"},
    {"COMPLETED", ST_OPERATIONAL, 0, "completed"},
    {NULL, ST_UNKNOWN, 0, NULL},
};

#define W_MAINT "activeMaintenances[]"
#define W_INC "activeIncidents[]"
#define W_COMP "components[]"

static int collect_maints(struct fmt_reading *r, const cJSON *root)
{
	const cJSON *arr, *m;
	if (fmt_json_array(r, root, NULL, "activeMaintenances", FMT_OPTIONAL, &arr))
		return -1;
	cJSON_ArrayForEach(m, arr)
	{
		const char *id, *name, *start, *st;
		char idbuf[FMT_ID_BUF];
		long long minutes;
		int has_duration;
		/* Windows are extras of the reading: odd fields are defaulted or the
		 * window skipped, with a drift note (doc/drift.md). */
		if (fmt_json_elem_object(r, m, W_MAINT) ||
		    fmt_json_int(r, m, W_MAINT, "duration", FMT_OPTIONAL, &minutes, &has_duration))
			return -1;
		id = fmt_soft_id(r, m, W_MAINT, "id", 1, idbuf);
		name = fmt_soft_string(r, m, W_MAINT, "name", 0);
		start = fmt_soft_string(r, m, W_MAINT, "start", 0);
		st = fmt_soft_string(r, m, W_MAINT, "status", 0);
		const struct fmt_enum *e =
		    fmt_enum_or(r, maint_status_tab, W_MAINT ".status", st, "maintenance status",
				&maint_status_tab[0], "scheduled");
		/* Instatus gives no end, only a duration in minutes. */
		char until[TS_ISO_LEN + 1] = "";
		int64_t ms;
		int have_until = 0;
		if (has_duration && minutes >= 0 && minutes <= 366LL * 24 * 60 && start &&
		    ts_parse(start, &ms) == 0) {
			ts_format(ms + (int64_t)minutes * 60000, until);
			have_until = 1;
		}
		if (fmt_maint_push(r, W_MAINT, "start", "duration", id, name, NULL, start,
				   have_until ? until : NULL, e->label))
			return -1;
	}
	return 0;
}

/* summary.json without a selected component. */
static void page_reading(const cJSON *root, const cJSON *page, struct fmt_reading *r)
{
	const char *ps;
	if (fmt_json_string(r, page, "page", "status", FMT_REQUIRED, &ps))
		return;
	const struct fmt_enum *pe = fmt_enum_map(r, page_tab, "page.status", ps);
	if (!pe)
		return;
	enum st_status st = pe->status;
	int maint = pe->maint;
	const cJSON *arr, *inc;
	if (fmt_json_array(r, root, NULL, "activeIncidents", FMT_OPTIONAL, &arr))
		return;
	const struct fmt_enum *worst = NULL;
	cJSON_ArrayForEach(inc, arr)
	{
		const char *id, *name, *ist, *impact;
		char idbuf[FMT_ID_BUF];
		if (fmt_json_elem_object(r, inc, W_INC))
			return;
		/* id and name only label the incident (doc/drift.md). */
		id = fmt_soft_id(r, inc, W_INC, "id", 1, idbuf);
		name = fmt_soft_string(r, inc, W_INC, "name", 0);
		if (fmt_json_string(r, inc, W_INC, "status", FMT_REQUIRED, &ist) ||
		    fmt_json_string(r, inc, W_INC, "impact", FMT_REQUIRED, &impact))
			return;
		const struct fmt_enum *se =
		    fmt_enum_map(r, incident_status_tab, W_INC ".status", ist);
		if (!se)
			return;
		const struct fmt_enum *ie = fmt_enum_map(r, component_tab, W_INC ".impact", impact);
		if (!ie)
			return;
		if (se->status == ST_OPERATIONAL)
			continue;
		maint |= ie->maint;
		if (!worst || fmt_worse(worst->status, ie->status) != worst->status) {
			worst = ie;
			fmt_set_incident(r, id, name);
			fmt_set_detail(r, name);
		}
	}
	if (worst)
		st = fmt_worse(st, worst->status);
	if (collect_maints(r, root))
		return;
	fmt_set_ok(r, st, maint);
}

/* components[] (v3, or a summary that carries them): selected one or worst of all. */
static void component_reading(const cJSON *root, const cJSON *comps, const struct fmt_opts *opts,
			      struct fmt_reading *r)
{
	int selecting = fmt_selecting(opts);
	const struct fmt_enum *worst = NULL;
	const char *worst_name = NULL;
	int maint = 0, skipped = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, comps)
	{
		const char *id, *name, *st, *gname = NULL;
		/* Ids, names and groups only select and label: a component without
		 * them cannot be the selected one and is passed over, with a drift
		 * note (doc/drift.md); its status still counts in the worst of all. */
		if (fmt_soft_elem_skip(r, c, W_COMP)) {
			skipped = 1;
			continue;
		}
		id = fmt_soft_string(r, c, W_COMP, "id", 0);
		name = fmt_soft_string(r, c, W_COMP, "name", 0);
		const cJSON *group = cJSON_GetObjectItemCaseSensitive(c, "group");
		if (cJSON_IsObject(group))
			gname = fmt_soft_string(r, group, W_COMP ".group", "name", 1);
		else if (group && !cJSON_IsNull(group))
			fmt_drift_note(r, W_COMP ".group", W_COMP ".group: expected object, got %s",
				       fmt_json_type(group));
		if (selecting && !fmt_component_matches(opts, id, name, gname))
			continue;
		if (fmt_json_string(r, c, W_COMP, "status", FMT_REQUIRED, &st))
			return;
		const struct fmt_enum *e = fmt_enum_map(r, component_tab, W_COMP ".status", st);
		if (!e)
			return;
		if (!worst || fmt_worse(worst->status, e->status) != worst->status) {
			worst = e;
			worst_name = fmt_comp_label(name, id);
		}
		maint |= e->maint;
	}
	if (selecting && !worst) {
		fmt_fail(r, "component_not_found: %s", fmt_selector(opts));
		return;
	}
	/* Only an empty list means "nothing to report": one of skipped elements
	 * says nothing. */
	if (!worst && skipped) {
		fmt_fail(r, "parse_error: " W_COMP ": no element is a component");
		return;
	}
	if (collect_maints(r, root))
		return;
	if (selecting || (worst && worst->status != ST_OPERATIONAL))
		fmt_set_detailf(r, "%s: %s", worst_name, worst->label);
	/* An empty component list is a page with nothing to report, i.e. up. */
	fmt_set_ok(r, worst ? worst->status : ST_OPERATIONAL, maint);
}

void fmt_instatus(const struct fmt_input *in, const struct fmt_opts *opts, struct fmt_reading *out)
{
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	const cJSON *page, *comps;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
	} else if (fmt_json_object(out, root, NULL, "page", FMT_OPTIONAL, &page) ||
		   fmt_json_array(out, root, NULL, "components", FMT_OPTIONAL, &comps)) {
		/* failed */
	} else if (comps && (fmt_selecting(opts) || !page)) {
		component_reading(root, comps, opts, out);
	} else if (fmt_selecting(opts)) {
		fmt_fail(out, "component_not_found: %s (summary.json lists no components)",
			 fmt_selector(opts));
	} else if (page) {
		page_reading(root, page, out);
	} else {
		fmt_fail(out, "parse_error: neither page nor components[]");
	}
	cJSON_Delete(root);
}

const struct fmt_entry fmt_instatus_entry = {
    .name = "instatus",
    .parse = fmt_instatus,
    .required = FMT_KEYS("poll_url"),
    .optional = FMT_KEYS("component_name", "component_id"),
    .metric_label = "instatus",
};
