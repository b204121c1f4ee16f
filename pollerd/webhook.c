/*
 * webhook: what a Statuspage subscriber webhook says about one service. apid
 * stores the raw body in the inbox; pollerd interprets it here and pushes the
 * result through the one state machine (store_apply_push).
 *
 * Real deliveries (fixtures in statuspage-webhook/) carry meta.unsubscribe as
 * a URL on every message: it is not an unsubscribe (doc/compat.md#bug-12) and is
 * ignored. What is read:
 *  - a service watching one component: component_update for that component
 *    (new_status), or an incident whose components[] (else the latest
 *    update's affected_components[]) lists it; anything about other
 *    components is not this service's business (seed bug doc/compat.md#bug-11);
 *  - a whole-page service: page.status_indicator (the page's own summary,
 *    so one component's outage does not read as the whole page's), else the
 *    incident -- resolved/postmortem/completed mean operational whatever its
 *    impact (doc/compat.md#bug-12), otherwise its impact -- else a
 *    component_update's new_status through the component table (the seed's
 *    rule, and the only status such a payload then carries; doc/drift.md).
 * The word tables are those of fmt_statuspage.c (same vendor, same words):
 * indicator "maintenance" is "maintenance on" and the status is the worst of
 * what else the payload shows, under_maintenance is degraded + maintenance.
 */
#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pollerd.h"

/* Incident statuses that mean "over". */
static int incident_closed(const char *status)
{
	return status && (!strcasecmp(status, "resolved") || !strcasecmp(status, "postmortem") ||
			  !strcasecmp(status, "completed"));
}

/* The incident's id and name, attached to the pushed status. -1 on a wrong type. */
static int take_incident(struct fmt_reading *out, const cJSON *incident)
{
	if (!incident)
		return 0;
	char idbuf[FMT_ID_BUF];
	const char *id = NULL, *name = NULL;
	if (fmt_json_id(out, incident, "incident", "id", FMT_OPTIONAL, idbuf, &id) < 0 ||
	    fmt_json_string(out, incident, "incident", "name", FMT_OPTIONAL, &name) < 0)
		return -1;
	fmt_set_incident(out, id, name);
	return 0;
}

/*
 * Find the selected component in an array of component objects; idkey and
 * statuskey name the members ("id"/"status" in components[],
 * "code"/"new_status" in affected_components[]). Returns 1 and sets *status
 * (the vendor word) when found, 0 when not, -1 on a wrong type.
 */
static int find_component(struct fmt_reading *out, const struct fmt_opts *opts, const cJSON *arr,
			  const char *where, const char *idkey, const char *statuskey,
			  const char **status, const char **name_out)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, arr)
	{
		if (fmt_json_elem_object(out, c, where) < 0)
			return -1;
		const char *id = NULL, *name = NULL, *st = NULL;
		if (fmt_json_string(out, c, where, idkey, FMT_OPTIONAL, &id) < 0 ||
		    fmt_json_string(out, c, where, "name", FMT_OPTIONAL, &name) < 0 ||
		    fmt_json_string(out, c, where, statuskey, FMT_OPTIONAL, &st) < 0)
			return -1;
		if (st && fmt_component_matches(opts, id, name, NULL)) {
			*status = st;
			*name_out = name;
			return 1;
		}
	}
	return 0;
}

static int ignore(struct fmt_reading *out, const char *why)
{
	fmt_reading_release(out);
	out->reason = fmt_text(why, FMT_TEXT_MAX);
	return 0;
}

static int component_service(struct fmt_reading *out, const struct fmt_opts *opts,
			     const cJSON *component, const cJSON *cu, const cJSON *incident)
{
	const char *word = NULL, *name = NULL;
	if (cu) {
		const char *id = NULL;
		if (fmt_json_string(out, cu, "component_update", "new_status", FMT_REQUIRED,
				    &word) < 0 ||
		    fmt_json_string(out, cu, "component_update", "component_id", FMT_OPTIONAL,
				    &id) < 0)
			return -1;
		const char *cid = NULL;
		if (component &&
		    (fmt_json_string(out, component, "component", "name", FMT_OPTIONAL, &name) <
			 0 ||
		     fmt_json_string(out, component, "component", "id", FMT_OPTIONAL, &cid) < 0))
			return -1;
		if (!fmt_component_matches(opts, id ? id : cid, name, NULL)) {
			char buf[160];
			snprintf(buf, sizeof buf, "component_update for another component (%s)",
				 name ? name
				 : id ? id
				      : "unnamed");
			return ignore(out, buf);
		}
	} else if (incident) {
		const cJSON *comps = NULL, *updates = NULL;
		if (fmt_json_array(out, incident, "incident", "components", FMT_OPTIONAL, &comps) <
			0 ||
		    fmt_json_array(out, incident, "incident", "incident_updates", FMT_OPTIONAL,
				   &updates) < 0)
			return -1;
		int found = comps ? find_component(out, opts, comps, "incident.components[]", "id",
						   "status", &word, &name)
				  : 0;
		if (found == 0 && updates && cJSON_GetArraySize(updates) > 0) {
			/* The newest update comes first. */
			const cJSON *u = cJSON_GetArrayItem(updates, 0), *aff = NULL;
			if (fmt_json_elem_object(out, u, "incident.incident_updates[]") < 0 ||
			    fmt_json_array(out, u, "incident.incident_updates[]",
					   "affected_components", FMT_OPTIONAL, &aff) < 0)
				return -1;
			if (aff)
				found = find_component(out, opts, aff, "affected_components[]",
						       "code", "new_status", &word, &name);
		}
		if (found < 0)
			return -1;
		if (!found) {
			char buf[160];
			snprintf(buf, sizeof buf, "incident does not list component %s",
				 fmt_selector(opts));
			return ignore(out, buf);
		}
		if (take_incident(out, incident) < 0)
			return -1;
	} else {
		return ignore(out, "no component_update or incident in the payload");
	}
	const struct fmt_enum *e =
	    fmt_enum_map(out, fmt_statuspage_component, "component.status", word);
	if (!e)
		return -1;
	fmt_set_ok(out, e->status, e->maint);
	fmt_set_detailf(out, "%s: %s", name ? name : fmt_selector(opts), e->label);
	return 1;
}

static int page_service(struct fmt_reading *out, const cJSON *page, const cJSON *component,
			const cJSON *cu, const cJSON *incident)
{
	const char *indicator = NULL, *desc = NULL, *istatus = NULL, *impact = NULL, *iname = NULL;
	if (page &&
	    (fmt_json_string(out, page, "page", "status_indicator", FMT_OPTIONAL, &indicator) < 0 ||
	     fmt_json_string(out, page, "page", "status_description", FMT_OPTIONAL, &desc) < 0))
		return -1;
	if (incident &&
	    (fmt_json_string(out, incident, "incident", "status", FMT_OPTIONAL, &istatus) < 0 ||
	     fmt_json_string(out, incident, "incident", "impact", FMT_OPTIONAL, &impact) < 0 ||
	     fmt_json_string(out, incident, "incident", "name", FMT_OPTIONAL, &iname) < 0))
		return -1;
	enum st_status status;
	int maint = 0;
	if (indicator) {
		const struct fmt_enum *e =
		    fmt_enum_map(out, fmt_statuspage_indicator, "page.status_indicator", indicator);
		if (!e)
			return -1;
		status = e->status;
		maint = e->maint;
		if (maint) {
			/* "maintenance" says nothing about health: take the worst of
			 * what the payload shows besides it. */
			const char *word = NULL;
			if (cu && fmt_json_string(out, cu, "component_update", "new_status",
						  FMT_OPTIONAL, &word) < 0)
				return -1;
			if (word) {
				const struct fmt_enum *c = fmt_enum_map(
				    out, fmt_statuspage_component, "component.status", word);
				if (!c)
					return -1;
				status = fmt_worse(status, c->status);
			}
			if (impact && !incident_closed(istatus)) {
				const struct fmt_enum *c = fmt_enum_map(
				    out, fmt_statuspage_indicator, "incident.impact", impact);
				if (!c)
					return -1;
				status = fmt_worse(status, c->status);
			}
		}
	} else if (incident) {
		if (incident_closed(istatus)) {
			status = ST_OPERATIONAL;
		} else {
			if (!impact) {
				fmt_fail(
				    out,
				    "parse_error: incident.impact: expected string, got missing");
				return -1;
			}
			const struct fmt_enum *e =
			    fmt_enum_map(out, fmt_statuspage_indicator, "incident.impact", impact);
			if (!e)
				return -1;
			status = e->status;
			maint = e->maint;
		}
		desc = iname;
	} else if (cu) {
		/* No page summary: the component's new status is the only status
		 * the payload carries, and the seed moved the service with it. */
		const char *word = NULL, *name = NULL;
		if (fmt_json_string(out, cu, "component_update", "new_status", FMT_REQUIRED,
				    &word) < 0 ||
		    (component &&
		     fmt_json_string(out, component, "component", "name", FMT_OPTIONAL, &name) < 0))
			return -1;
		const struct fmt_enum *c = fmt_enum_map(out, fmt_statuspage_component,
							"component_update.new_status", word);
		if (!c)
			return -1;
		fmt_set_ok(out, c->status, c->maint);
		fmt_set_detailf(out, "%s: %s", name ? name : "component", c->label);
		return 1;
	} else {
		return ignore(out, "no page status, component_update or incident in the payload");
	}
	if (take_incident(out, incident) < 0)
		return -1;
	fmt_set_ok(out, status, maint);
	fmt_set_detail(out, desc);
	return 1;
}

int webhook_statuspage(const char *body, size_t len, const struct fmt_opts *opts,
		       struct fmt_reading *out)
{
	fmt_reading_init(out);
	struct fmt_input in = {.body = body, .len = len, .http_code = 200};
	cJSON *root = fmt_json_parse(&in, out);
	if (!root)
		return -1;
	int rc = -1;
	const cJSON *page = NULL, *component = NULL, *cu = NULL, *incident = NULL;
	if (!cJSON_IsObject(root)) {
		fmt_fail(out, "parse_error: expected object, got %s", fmt_json_type(root));
		goto done;
	}
	if (fmt_json_object(out, root, NULL, "page", FMT_OPTIONAL, &page) < 0 ||
	    fmt_json_object(out, root, NULL, "component", FMT_OPTIONAL, &component) < 0 ||
	    fmt_json_object(out, root, NULL, "component_update", FMT_OPTIONAL, &cu) < 0 ||
	    fmt_json_object(out, root, NULL, "incident", FMT_OPTIONAL, &incident) < 0)
		goto done;
	if (fmt_selecting(opts))
		rc = component_service(out, opts, component, cu, incident);
	else
		rc = page_service(out, page, component, cu, incident);
done:
	cJSON_Delete(root);
	if (rc < 0 && !out->reason)
		fmt_fail(out, "parse_error: unusable webhook payload");
	return rc;
}
