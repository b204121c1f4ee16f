/*
 * fmt_current_status: the Slack Status API v2.0.0 shape (current_status_api),
 * https://slack-status.com/api/v2.0.0/current, and the history array the
 * endpoint is sometimes redirected to.
 *
 * Object (current):   {status: "ok"|"active", active_incidents: [...]}
 *   - "ok" with no active incident           -> operational
 *   - no active incident but status "active" -> degraded (Slack says something
 *     is on without listing it)
 *   - otherwise the worst incident type:
 *
 *       type          status           in_maintenance
 *       outage        major_outage     0
 *       incident      partial_outage   0
 *       notice        degraded         0
 *       maintenance   degraded         1
 *
 * Array (history): the entries whose status is "active" count the same way;
 * resolved / scheduled / completed / cancelled entries are history.
 *
 * detail, incident_id and incident_title come from the first incident of the
 * worst type (ids are integers in live data, strings in Slack's docs; both
 * are accepted). The seed's fallbacks hold, each with a drift note
 * (doc/drift.md): an unknown incident type is degraded, an unknown top-level
 * status with no incident is degraded, an unknown history status is not
 * active, a non-object incident is skipped, a missing id/title is NULL. A
 * missing or non-string status/type, or a body that is neither object nor
 * array, is "parse_error" -- never a crash (doc/compat.md#bug-9).
 */
#include "format.h"

#include <cJSON.h>

static const struct fmt_enum page_tab[] = {
    {"ok", ST_OPERATIONAL, 0, NULL},
    {"active", ST_DEGRADED, 0, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

static const struct fmt_enum type_tab[] = {
    {"outage", ST_MAJOR_OUTAGE, 0, NULL}, {"incident", ST_PARTIAL_OUTAGE, 0, NULL},
    {"notice", ST_DEGRADED, 0, NULL},	  {"maintenance", ST_DEGRADED, 1, NULL},
    {NULL, ST_UNKNOWN, 0, NULL},
};

/* History entry lifecycle: degraded = still active, operational = over. */
static const struct fmt_enum history_tab[] = {
    {"active", ST_DEGRADED, 0, NULL},	    {"resolved", ST_OPERATIONAL, 0, NULL},
    {"scheduled", ST_OPERATIONAL, 0, NULL}, {"completed", ST_OPERATIONAL, 0, NULL},
    {"cancelled", ST_OPERATIONAL, 0, NULL}, {NULL, ST_UNKNOWN, 0, NULL},
};

/* What the incidents seen so far add up to. */
struct worst {
	enum st_status status;
	int maint;
	int any;
};

/*
 * Fold one active incident into w; the first incident of a new worst type
 * becomes the attached one. type carries the status: missing, null or of
 * another type it fails; a word outside the table is degraded (the seed's
 * "unknown types count as degraded") with a drift note. id and title only
 * label the incident and are read softly. 0 or -1.
 */
static int fold(struct fmt_reading *r, const cJSON *inc, const char *where, const char *type_field,
		struct worst *w)
{
	char buf[FMT_ID_BUF];
	const char *type;
	if (fmt_json_string(r, inc, where, "type", FMT_REQUIRED, &type))
		return -1;
	const char *title = fmt_soft_string(r, inc, where, "title", 0);
	const char *id = fmt_soft_id(r, inc, where, "id", 0, buf);
	static const struct fmt_enum fallback = {"", ST_DEGRADED, 0, NULL};
	const struct fmt_enum *e =
	    fmt_enum_or(r, type_tab, type_field, type, "incident type", &fallback, "degraded");
	w->maint |= e->maint;
	if (!w->any || fmt_worse(w->status, e->status) != w->status) {
		w->status = e->status;
		fmt_set_incident(r, id, title);
		fmt_set_detail(r, title);
	}
	w->any = 1;
	return 0;
}

static void current(const cJSON *root, struct fmt_reading *r)
{
	const char *st;
	const cJSON *arr, *inc;
	if (fmt_json_string(r, root, NULL, "status", FMT_REQUIRED, &st) ||
	    fmt_json_array(r, root, NULL, "active_incidents", FMT_OPTIONAL, &arr))
		return;
	/* The seed: anything but "ok" with no incident listed is degraded. */
	static const struct fmt_enum not_ok = {"", ST_DEGRADED, 0, NULL};
	const struct fmt_enum *pe =
	    fmt_enum_or(r, page_tab, "status", st, "status", &not_ok, "degraded");
	struct worst w = {ST_OPERATIONAL, 0, 0};
	cJSON_ArrayForEach(inc, arr)
	{
		/* The seed skipped entries that are not objects. */
		if (!cJSON_IsObject(inc)) {
			fmt_drift_note(r, "active_incidents[]",
				       "active_incidents[]: %s element skipped",
				       fmt_json_type(inc));
			continue;
		}
		if (fold(r, inc, "active_incidents[]", "active_incidents[].type", &w))
			return;
	}
	fmt_set_ok(r, w.any ? w.status : pe->status, w.maint);
}

static void history(const cJSON *root, struct fmt_reading *r)
{
	const cJSON *inc;
	struct worst w = {ST_OPERATIONAL, 0, 0};
	cJSON_ArrayForEach(inc, root)
	{
		const char *st;
		if (!cJSON_IsObject(inc)) {
			fmt_drift_note(r, "[]", "[]: %s element skipped", fmt_json_type(inc));
			continue;
		}
		if (fmt_json_string(r, inc, "[]", "status", FMT_REQUIRED, &st))
			return;
		/* Only "active" entries count (seed); another word is history. */
		static const struct fmt_enum inactive = {"", ST_OPERATIONAL, 0, NULL};
		const struct fmt_enum *e = fmt_enum_or(r, history_tab, "[].status", st,
						       "history status", &inactive, "not active");
		if (e->status == ST_OPERATIONAL)
			continue;
		if (fold(r, inc, "[]", "[].type", &w))
			return;
	}
	fmt_set_ok(r, w.status, w.maint);
}

void fmt_current_status(const struct fmt_input *in, const struct fmt_opts *opts,
			struct fmt_reading *out)
{
	(void)opts;
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	if (!root)
		return;
	if (cJSON_IsObject(root))
		current(root, out);
	else if (cJSON_IsArray(root))
		history(root, out);
	else
		fmt_fail(out, "parse_error: expected object or array, got %s", fmt_json_type(root));
	cJSON_Delete(root);
}

const struct fmt_entry fmt_current_status_entry = {
    .name = "current_status_api",
    .parse = fmt_current_status,
    .required = FMT_KEYS("poll_url"),
    .metric_label = "current_status_api",
};
