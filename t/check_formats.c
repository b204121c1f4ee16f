/*
 * check_formats: unit tests for the vendor-format parsers (pollerd/format.h)
 * except RSS, which has its own suite.
 *
 * 1. Goldens: every status payload captured from a real vendor
 *    (ITSTATUS_FIXTURES, default t/fixtures/vendors from the repo
 *    root) that one of these formats reads has t/golden/formats/<file>.expected
 *    -- written from what PROVENANCE.md says the payload shows, not captured
 *    from the parser -- with one case per set of options (whole page, a
 *    component by name / "Group/Name" / id, products). An inventory test
 *    fails when a fixture appears that is neither golden-tested nor listed as
 *    another format's.
 * 2. Hostile bodies for every JSON format: empty, blank, HTML, a real fixture
 *    cut in half, 6 MB, invalid UTF-8, NUL bytes, trailing garbage, wrong
 *    document types, deep nesting.
 * 3. Mutations of real fixtures (or, for the three seed formats no real
 *    capture exists for, of small payloads shaped like the seed's): null,
 *    wrong type or missing in each field a parser reads, and unknown enum
 *    values -- each must give ok = 0 with the right reason prefix.
 * 4. Semantics the goldens cannot show because no capture is in that state
 *    (open GCP incident, maintenance-only indicator, in-progress maintenance
 *    on a selected component, ...), built by editing real fixtures.
 */
#include <check.h>
#include <cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../pollerd/format.h"
#include "buf.h"
#include "timeutil.h"
#include "tsupport.h"
#include "xalloc.h"

/* ---- files ------------------------------------------------------------------- */

/* The repository root: ITSTATUS_ROOT (set by t/run), else the working directory. */
static const char *root_dir(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	return r && *r ? r : ".";
}

/* A fixture's bytes; fails the test when missing. Caller frees. */
static char *load_fixture(const char *rel, size_t *len)
{
	char *p = ts_fixture(rel);
	char *s = ts_read(p, len);
	ck_assert_msg(s != NULL, "cannot read fixture %s (set ITSTATUS_FIXTURES)", p);
	free(p);
	return s;
}

/* ---- running a parser -------------------------------------------------------- */

static void run(const char *format, const char *body, size_t len, const struct fmt_opts *opts,
		struct fmt_reading *r)
{
	fmt_parse_fn fn = fmt_lookup(format);
	ck_assert_msg(fn != NULL, "no parser for %s", format);
	struct fmt_input in = {.body = body, .len = len, .http_code = 200, .latency_ms = 10};
	struct fmt_opts none;
	memset(&none, 0, sizeof none);
	fn(&in, opts ? opts : &none, r);
}

static void run_str(const char *format, const char *body, const struct fmt_opts *opts,
		    struct fmt_reading *r)
{
	run(format, body, strlen(body), opts, r);
}

static void put_kv(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s=", key);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\\')
			buf_puts(b, "\\\\");
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '\n');
}

/* The reading as golden text. Caller frees. */
static char *render(const struct fmt_reading *r)
{
	struct buf b;
	buf_init(&b, 0);
	if (!r->ok) {
		buf_puts(&b, "ok=0\n");
		put_kv(&b, "reason", r->reason);
		return buf_steal(&b);
	}
	put_kv(&b, "status", st_status_str(r->status));
	buf_printf(&b, "in_maintenance=%d\n", r->in_maintenance);
	put_kv(&b, "detail", r->detail);
	put_kv(&b, "incident_id", r->incident_id);
	put_kv(&b, "incident_title", r->incident_title);
	buf_puts(&b, "ok=1\n");
	buf_printf(&b, "maints=%zu\n", r->nmaints);
	for (size_t i = 0; i < r->nmaints; i++) {
		const struct fmt_maint *m = &r->maints[i];
		char *line =
		    xasprintf("%s | %s | %s | %s | %s", m->vendor_id, m->status, m->scheduled_for,
			      m->scheduled_until ? m->scheduled_until : "-", m->title);
		put_kv(&b, "maint", line);
		free(line);
	}
	/* Real payloads read as they are carry no drift note (doc/drift.md). */
	for (size_t i = 0; i < r->ndrift; i++)
		put_kv(&b, "drift", r->drift[i].note);
	return buf_steal(&b);
}

/* ---- goldens ----------------------------------------------------------------- */

/* Every fixture with a golden file (t/golden/formats/<basename>.expected). */
static const char *const golden_fixtures[] = {
    "statuspage/airbrake-summary-operational-la-timezone.json",
    "statuspage/anydesk-summary-maintenance-indicator-via-incident.json",
    "statuspage/claude-scheduled-maintenances-completed-verifying.json",
    "statuspage/cloudflare-summary-major-incident-and-maintenances.json",
    "statuspage/cursor-summary-minor-degraded-component.json",
    "statuspage/dropbox-summary-all-operational.json",
    "statuspage/github-components-operational-2items.json",
    "statuspage/github-incidents-5-critical-major-minor-resolved.json",
    "statuspage/github-incidents-resolved-major-minor.json",
    "statuspage/github-summary-major-outage-2020.json",
    "statuspage/github-summary-operational-2019-no-start-date.json",
    "statuspage/github-summary-partial-outage.json",
    "statuspage/hashicorp-components-groups-degraded-maintenance.json",
    "statuspage/linear-incidentio-compat-summary-operational.json",
    "statuspage/sendgrid-summary-operational-groups-duplicate-names.json",
    "slack/slack-current-active-incident.json",
    "slack/slack-current-ok.json",
    "slack/slack-history-5-one-active.json",
    "gcp/gcp-incidents-2-with-postmortem.json",
    "gcp/gcp-incidents-json-first20-resolved.json",
    "instatus/gcore-summary-up-with-scheduled-maintenances.json",
    "instatus/gcore-v3-components-nested-groups.json",
    "instatus/instatus-demo-summary-hasissues-two-open-incidents.json",
    "betterstack/betterstack-index-json-operational-resolved-reports.json",
    "cachet/cachet-demo-v1-components-operational.json",
    "cachet/cachet-demo-v1-incidents-resolved-and-unresolved.json",
    "cachet/cachet-demo-v1-schedules-upcoming.json",
    "statusio/gitlab-statusio-status-operational.json",
};
#define NGOLDEN (sizeof golden_fixtures / sizeof golden_fixtures[0])

/*
 * Fixtures that are not a poll payload of these formats (prefix match), and
 * why: they are tested elsewhere or no poll type reads them.
 */
static const struct {
	const char *prefix;
	const char *why;
} other_formats[] = {
    {"statuspage-webhook/", "inbound webhook POST bodies (apid), never polled"},
    {"statuspage-feed/", "Statuspage history.atom: poll type rss (fmt_rss, own tests)"},
    {"aws/aws-all-rss-", "AWS all.rss: poll type rss"},
    {"azure/", "Azure status RSS: poll type rss"},
    {"aws/aws-health-", "AWS Health JSON (current events, legacy data.json): no poll type; AWS "
			"is polled through its RSS"},
    {"github-legacy/", "retired GitHub Status API v1 (endpoint gone since 2018): no poll type"},
    {"uptimecom/", "Uptime.com status page JSON: no poll type (http_check covers such pages)"},
    {"uptimekuma/", "Uptime Kuma status-page API: no poll type; content typed by the capturer"},
};

struct gcase {
	char *format;
	struct fmt_opts opts;
	char *name, *id;
	char **products;
	size_t nproducts;
	struct buf expect;
	int line;
};

static void gcase_release(struct gcase *c)
{
	free(c->format);
	free(c->name);
	free(c->id);
	for (size_t i = 0; i < c->nproducts; i++)
		free(c->products[i]);
	free(c->products);
	buf_release(&c->expect);
}

/*
 * Split a golden file into cases (see the header of any .expected file); text
 * is cut up in place. The caller frees each case with gcase_release, then *out.
 */
static size_t parse_golden(char *text, struct gcase **out)
{
	struct gcase *cs = NULL;
	size_t n = 0;
	int lineno = 0;
	for (char *line = text, *next; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "@ ", 2) == 0) {
			cs = xreallocarray(cs, n + 1, sizeof *cs);
			struct gcase *c = &cs[n++];
			memset(c, 0, sizeof *c);
			c->format = xstrdup(line + 2);
			c->line = lineno;
			buf_init(&c->expect, 0);
			continue;
		}
		ck_assert_msg(n > 0, "golden line %d outside a case", lineno);
		struct gcase *c = &cs[n - 1];
		if (strncmp(line, "@component_name=", 16) == 0) {
			c->name = xstrdup(line + 16);
		} else if (strncmp(line, "@component_id=", 14) == 0) {
			c->id = xstrdup(line + 14);
		} else if (strncmp(line, "@product=", 9) == 0) {
			c->products =
			    xreallocarray(c->products, c->nproducts + 1, sizeof *c->products);
			c->products[c->nproducts++] = xstrdup(line + 9);
		} else if (strncmp(line, "@now=", 5) == 0) {
			ck_assert_int_eq(ts_parse(line + 5, &c->opts.now_ms), 0);
		} else {
			ck_assert_msg(line[0] != '@', "unknown golden option line %d: %s", lineno,
				      line);
			buf_puts(&c->expect, line);
			buf_putc(&c->expect, '\n');
		}
	}
	for (size_t i = 0; i < n; i++) {
		cs[i].opts.component_name = cs[i].name;
		cs[i].opts.component_id = cs[i].id;
		cs[i].opts.products = (const char *const *)cs[i].products;
		cs[i].opts.nproducts = cs[i].nproducts;
	}
	*out = cs;
	return n;
}

START_TEST(test_golden)
{
	const char *rel = golden_fixtures[_i];
	size_t len;
	char *body = load_fixture(rel, &len);
	const char *base = strrchr(rel, '/') + 1;
	char *gpath = xasprintf("%s/t/golden/formats/%s.expected", root_dir(), base);
	char *text = ts_read(gpath, NULL);
	ck_assert_msg(text != NULL, "missing golden %s", gpath);
	struct gcase *cs;
	size_t n = parse_golden(text, &cs);
	ck_assert_msg(n > 0, "golden %s has no case", gpath);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct fmt_reading r;
		run(cs[i].format, body, len, &cs[i].opts, &r);
		char *got = render(&r);
		const char *want = cs[i].expect.data ? cs[i].expect.data : "";
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "%s:%d: %s case differs\n--- expected\n%s--- got\n%s",
				gpath, cs[i].line, cs[i].format, want, got);
			bad++;
		}
		free(got);
		fmt_reading_release(&r);
		gcase_release(&cs[i]);
	}
	free(cs);
	free(text);
	free(gpath);
	free(body);
	ck_assert_msg(bad == 0, "%d golden case(s) of %s differ (see stderr)", bad, base);
}
END_TEST

/* Every file under the fixture directory is golden-tested or another format's. */
START_TEST(test_fixture_inventory)
{
	char *top = ts_fixture("");
	DIR *d = opendir(top);
	ck_assert_msg(d != NULL, "cannot open %s", top);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s%s", top, de->d_name);
		struct stat st;
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d2 = opendir(sub);
			struct dirent *f;
			while (d2 && (f = readdir(d2)) != NULL) {
				if (f->d_name[0] == '.')
					continue;
				char *rel = xasprintf("%s/%s", de->d_name, f->d_name);
				int known = 0;
				for (size_t i = 0; i < NGOLDEN; i++)
					known |= strcmp(golden_fixtures[i], rel) == 0;
				for (size_t i = 0;
				     i < sizeof other_formats / sizeof other_formats[0]; i++)
					known |= strncmp(rel, other_formats[i].prefix,
							 strlen(other_formats[i].prefix)) == 0;
				ck_assert_msg(known,
					      "fixture %s has no golden and is not listed as "
					      "another format's",
					      rel);
				files++;
				free(rel);
			}
			if (d2)
				closedir(d2);
		}
		free(sub);
	}
	closedir(d);
	free(top);
	ck_assert_int_ge(files, (int)NGOLDEN);
}
END_TEST

/* ---- hostile bodies ---------------------------------------------------------- */

/* A base payload per JSON format: a real fixture, or "inline:" for seed formats without one. */
static const char trust_inline[] =
    "[{\"id\":101,\"isResolved\":false,\"message\":{\"subject\":\"Login disruption on NA14\","
    "\"maintenanceType\":null}},{\"id\":100,\"isResolved\":true,\"message\":{\"subject\":"
    "\"Old\",\"maintenanceType\":null}}]";
static const char active_inline[] =
    "{\"data\":[{\"id\":\"77\",\"type\":\"incident\",\"attributes\":{\"title\":"
    "\"Ticket views slow\",\"impact\":\"minor\"}}],\"included\":[]}";
static const char array_inline[] =
    "[{\"category\":\"Voice\",\"service\":\"Calling\",\"region\":\"US\",\"level\":\"Good\","
    "\"alerts\":[]},{\"category\":\"Video\",\"service\":\"Meetings\",\"region\":\"EU\","
    "\"level\":\"Minor\",\"alerts\":[]}]";

static const struct base {
	const char *format;
	const char *src; /* fixture path, or inline payload */
	int is_inline;
} bases[] = {
    {"statuspage_json", "statuspage/cursor-summary-minor-degraded-component.json", 0},
    {"current_status_api", "slack/slack-current-active-incident.json", 0},
    {"product_feed_json", "gcp/gcp-incidents-2-with-postmortem.json", 0},
    {"gcp_incidents", "gcp/gcp-incidents-2-with-postmortem.json", 0},
    {"trust_incidents_api", trust_inline, 1},
    {"active_incidents_api", active_inline, 1},
    {"service_array_json", array_inline, 1},
    {"instatus", "instatus/instatus-demo-summary-hasissues-two-open-incidents.json", 0},
    {"statusio", "statusio/gitlab-statusio-status-operational.json", 0},
    {"cachet", "cachet/cachet-demo-v1-components-operational.json", 0},
    {"betterstack", "betterstack/betterstack-index-json-operational-resolved-reports.json", 0},
};
#define NBASES (sizeof bases / sizeof bases[0])

/* The base payload of a format (length in *len). Caller frees. */
static char *base_body(const struct base *b, size_t *len)
{
	if (b->is_inline) {
		*len = strlen(b->src);
		return xstrdup(b->src);
	}
	return load_fixture(b->src, len);
}

enum variant {
	V_EMPTY,
	V_BLANK,
	V_HTML,
	V_HALF,
	V_HUGE,
	V_BAD_UTF8,
	V_OVERLONG,
	V_SURROGATE,
	V_NUL,
	V_TRAILING,
	V_STRING,
	V_NUMBER,
	V_NULL_DOC,
	V_DEEP,
	NVARIANTS
};

static const char *const variant_want[NVARIANTS] = {
    [V_EMPTY] = "parse_error: empty body",
    [V_BLANK] = "parse_error: empty body",
    [V_HTML] = "parse_error: not JSON (HTML?)",
    [V_HALF] = "parse_error: invalid JSON at offset ",
    [V_HUGE] = "parse_error: body too large",
    [V_BAD_UTF8] = "parse_error: invalid UTF-8",
    [V_OVERLONG] = "parse_error: invalid UTF-8",
    [V_SURROGATE] = "parse_error: invalid UTF-8",
    [V_NUL] = "parse_error: NUL byte",
    [V_TRAILING] = "parse_error: invalid JSON at offset ",
    [V_STRING] = "parse_error: expected ",
    [V_NUMBER] = "parse_error: expected ",
    [V_NULL_DOC] = "parse_error: expected ",
    [V_DEEP] = "parse_error: JSON nested deeper than 64 levels",
};

/* Insert bytes ins (n) right after the first '"' of body. Caller frees. */
static char *insert_in_string(const char *body, size_t len, const char *ins, size_t n,
			      size_t *outlen)
{
	const char *q = memchr(body, '"', len);
	ck_assert(q != NULL);
	size_t at = (size_t)(q - body) + 1;
	char *out = xmalloc(len + n + 1);
	memcpy(out, body, at);
	memcpy(out + at, ins, n);
	memcpy(out + at + n, body + at, len - at);
	out[len + n] = '\0';
	*outlen = len + n;
	return out;
}

/* The hostile body; *len its length (may contain NULs). Caller frees. */
static char *hostile_body(const struct base *b, enum variant v, size_t *len)
{
	size_t blen;
	char *body = base_body(b, &blen);
	char *out = NULL;
	switch (v) {
	case V_EMPTY:
		out = xstrdup("");
		break;
	case V_BLANK:
		out = xstrdup(" \r\n\t \n");
		break;
	case V_HTML:
		out = xstrdup("\n<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>"
			      "<body>Access denied</body></html>\n");
		break;
	case V_HALF: {
		/* A transfer cut mid-document, on a character boundary. */
		size_t cut = blen / 2;
		while (cut > 0 && ((unsigned char)body[cut] & 0xC0) == 0x80)
			cut--;
		out = xstrndup(body, cut);
		break;
	}
	case V_HUGE: {
		size_t n = 6u * 1024 * 1024;
		out = xmalloc(n + 1);
		memset(out, 'a', n);
		out[0] = '"';
		out[n - 1] = '"';
		out[n] = '\0';
		break;
	}
	case V_BAD_UTF8:
		out = insert_in_string(body, blen, "\xff", 1, len);
		break;
	case V_OVERLONG:
		out = insert_in_string(body, blen, "\xc0\xaf", 2, len);
		break;
	case V_SURROGATE:
		out = insert_in_string(body, blen, "\xed\xa0\x80", 3, len);
		break;
	case V_NUL:
		out = insert_in_string(body, blen, "\0", 1, len);
		break;
	case V_TRAILING:
		out = xasprintf("%s\n{\"again\":1}", body);
		break;
	case V_STRING:
		out = xstrdup("\"all good\"");
		break;
	case V_NUMBER:
		out = xstrdup("200");
		break;
	case V_NULL_DOC:
		out = xstrdup("null");
		break;
	case V_DEEP: {
		size_t depth = 5000;
		out = xmalloc(2 * depth + 1);
		memset(out, '[', depth);
		memset(out + depth, ']', depth);
		out[2 * depth] = '\0';
		break;
	}
	case NVARIANTS:
		break;
	}
	if (v != V_BAD_UTF8 && v != V_OVERLONG && v != V_SURROGATE && v != V_NUL)
		*len = strlen(out);
	free(body);
	return out;
}

START_TEST(test_hostile_body)
{
	const struct base *b = &bases[_i / NVARIANTS];
	enum variant v = (enum variant)(_i % NVARIANTS);
	size_t len;
	char *body = hostile_body(b, v, &len);
	struct fmt_reading r;
	run(b->format, body, len, NULL, &r);
	const char *want = variant_want[v];
	ck_assert_msg(!r.ok && r.reason && strncmp(r.reason, want, strlen(want)) == 0,
		      "%s variant %d: ok=%d reason=%s, want prefix \"%s\"", b->format, (int)v, r.ok,
		      r.reason ? r.reason : "(null)", want);
	ck_assert_int_eq(r.status, ST_UNKNOWN);
	ck_assert_ptr_null(r.detail);
	ck_assert_uint_eq(r.nmaints, 0);
	fmt_reading_release(&r);
	free(body);
}
END_TEST

/* ---- mutations of real payloads ------------------------------------------- */

/* One edit: set the member at a dotted path ("components.7.status") to a JSON value, or delete it.
 */
struct edit {
	const char *path;
	const char *json; /* NULL: delete */
};

/* A non-negative array index; fails the test on anything else. */
static int parse_index(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	ck_assert_msg(*s && !*end && v >= 0 && v < 100000, "bad index %s", s);
	return (int)v;
}

static void apply_edit(cJSON *root, const struct edit *e)
{
	char *path = xstrdup(e->path);
	cJSON *parent = root;
	char *seg = path;
	for (char *dot; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
		*dot = '\0';
		parent = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, parse_index(seg))
					       : cJSON_GetObjectItemCaseSensitive(parent, seg);
		ck_assert_msg(parent != NULL, "edit path %s: no %s", e->path, seg);
	}
	if (!e->json) {
		if (cJSON_IsArray(parent))
			cJSON_DeleteItemFromArray(parent, parse_index(seg));
		else
			cJSON_DeleteItemFromObjectCaseSensitive(parent, seg);
	} else {
		cJSON *v = cJSON_Parse(e->json);
		ck_assert_msg(v != NULL, "bad edit value %s", e->json);
		if (cJSON_IsArray(parent))
			cJSON_ReplaceItemInArray(parent, parse_index(seg), v);
		else if (cJSON_GetObjectItemCaseSensitive(parent, seg))
			cJSON_ReplaceItemInObjectCaseSensitive(parent, seg, v);
		else
			cJSON_AddItemToObject(parent, seg, v);
	}
	free(path);
}

/* body with the edits applied (up to two; path NULL ends). Caller frees. */
static char *edited(const char *body, const struct edit *edits, size_t n)
{
	cJSON *root = cJSON_Parse(body);
	ck_assert_msg(root != NULL, "base payload does not parse");
	for (size_t i = 0; i < n && edits[i].path; i++)
		apply_edit(root, &edits[i]);
	char *printed = cJSON_PrintUnformatted(root);
	ck_assert(printed != NULL);
	char *out = xstrdup(printed);
	cJSON_free(printed);
	cJSON_Delete(root);
	return out;
}

/* A fixture (or an inline payload when src starts with '[' or '{') with edits applied.
 * Caller frees. */
static char *edited_src(const char *src, const struct edit *edits, size_t n)
{
	size_t len;
	char *body = src[0] == '[' || src[0] == '{' ? xstrdup(src) : load_fixture(src, &len);
	char *out = edited(body, edits, n);
	free(body);
	return out;
}

#define SP "statuspage/cursor-summary-minor-degraded-component.json"
#define AD "statuspage/anydesk-summary-maintenance-indicator-via-incident.json"
#define CF "statuspage/cloudflare-summary-major-incident-and-maintenances.json"
#define SG "statuspage/sendgrid-summary-operational-groups-duplicate-names.json"
#define DB "statuspage/dropbox-summary-all-operational.json"
#define SL "slack/slack-current-active-incident.json"
#define SH "slack/slack-history-5-one-active.json"
#define G2 "gcp/gcp-incidents-2-with-postmortem.json"
#define ID "instatus/instatus-demo-summary-hasissues-two-open-incidents.json"
#define GS "instatus/gcore-summary-up-with-scheduled-maintenances.json"
#define GV "instatus/gcore-v3-components-nested-groups.json"
#define SI "statusio/gitlab-statusio-status-operational.json"
#define CC "cachet/cachet-demo-v1-components-operational.json"
#define CI "cachet/cachet-demo-v1-incidents-resolved-and-unresolved.json"
#define BS "betterstack/betterstack-index-json-operational-resolved-reports.json"
#define OPEN0                                                                                      \
	{                                                                                          \
		"0.end", NULL                                                                      \
	} /* GCP: make the first incident open */

/* One row per case reads best; keep clang-format from folding the table. */
// clang-format off
static const struct mutation {
	const char *format;
	const char *src;
	const char *comp; /* component_name, or NULL */
	struct edit e[2];
	const char *want; /* reason prefix */
} mutations[] = {
	/* statuspage_json, whole page */
	{"statuspage_json", SP, NULL, {{"status", "null"}}, "parse_error: status: expected object, got null"},
	{"statuspage_json", SP, NULL, {{"status", "\"ok\""}}, "parse_error: status: expected object, got string"},
	{"statuspage_json", SP, NULL, {{"status.indicator", "null"}}, "parse_error: status.indicator: expected string, got null"},
	{"statuspage_json", SP, NULL, {{"status.indicator", NULL}}, "parse_error: status.indicator: expected string, got missing"},
	{"statuspage_json", SP, NULL, {{"status.indicator", "3"}}, "parse_error: status.indicator: expected string, got number"},
	{"statuspage_json", SP, NULL, {{"status.indicator", "\"catastrophic\""}}, "unmapped_value: status.indicator=catastrophic"},
	{"statuspage_json", SP, NULL, {{"incidents", "null"}}, "parse_error: incidents: expected array, got null"},
	{"statuspage_json", SP, NULL, {{"incidents", "{}"}}, "parse_error: incidents: expected array, got object"},
	{"statuspage_json", SP, NULL, {{"scheduled_maintenances", "null"}}, "parse_error: scheduled_maintenances: expected array"},
	/* statuspage_json, one component */
	{"statuspage_json", SP, "Grok Bot", {{"components", NULL}}, "parse_error: no components[] in the payload"},
	{"statuspage_json", SP, "Grok Bot", {{"components", "null"}}, "parse_error: components: expected array, got null"},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "null"}}, "parse_error: components[].status: expected string, got null"},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "1"}}, "parse_error: components[].status: expected string, got number"},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "\"on_fire\""}, {"status", NULL}}, "unmapped_value: components[].status=on_fire"},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "\"on_fire\""}, {"status.indicator", "\"wobbly\""}}, "unmapped_value: components[].status=on_fire"},
	{"statuspage_json", SP, "Grok Bot", {{"incidents.0.components", "\"Grok Bot\""}}, "parse_error: incidents[].components: expected array"},
	{"statuspage_json", SP, "Grok Bot", {{"incidents.0.components.0.id", "null"}}, "parse_error: incidents[].components[].id"},
	{"statuspage_json", SP, "Grok Bot", {{"status", "[]"}}, "parse_error: status: expected object, got array"},
	/* statuspage_json, "maintenance" indicator reads impacts and components */
	{"statuspage_json", AD, NULL, {{"incidents.0.impact", "null"}}, "parse_error: incidents[].impact"},
	{"statuspage_json", AD, NULL, {{"incidents.0.impact", "\"cosmic\""}}, "unmapped_value: incidents[].impact=cosmic"},
	{"statuspage_json", AD, NULL, {{"components.3.status", "null"}}, "parse_error: components[].status"},
	{"statuspage_json", AD, NULL, {{"components.3.status", "\"under_maintenence\""}}, "unmapped_value: components[].status=under_maintenence"},
	/* statuspage_json, maintenances */
	/* current_status_api */
	{"current_status_api", SL, NULL, {{"status", "null"}}, "parse_error: status: expected string, got null"},
	{"current_status_api", SL, NULL, {{"status", "true"}}, "parse_error: status: expected string, got bool"},
	{"current_status_api", SL, NULL, {{"active_incidents", "null"}}, "parse_error: active_incidents: expected array, got null"},
	{"current_status_api", SL, NULL, {{"active_incidents", "\"none\""}}, "parse_error: active_incidents: expected array"},
	{"current_status_api", SL, NULL, {{"active_incidents.0.type", "null"}}, "parse_error: active_incidents[].type"},
	{"current_status_api", SH, NULL, {{"0.status", "null"}}, "parse_error: [].status"},
	{"current_status_api", SH, NULL, {{"0.type", "null"}}, "parse_error: [].type"},
	/* gcp_incidents (first incident opened by deleting its end) */
	{"gcp_incidents", G2, NULL, {OPEN0, {"0.severity", "null"}}, "parse_error: [].severity"},
	{"gcp_incidents", G2, NULL, {OPEN0, {"0.severity", "\"apocalyptic\""}}, "unmapped_value: severity=apocalyptic"},
	{"gcp_incidents", G2, NULL, {{"0.end", "7"}}, "parse_error: [].end: expected string"},
	{"gcp_incidents", G2, NULL, {{"0.affected_products", "null"}}, "parse_error: [].affected_products: expected array, got null"},
	{"gcp_incidents", G2, NULL, {{"0.affected_products", NULL}}, "parse_error: [].affected_products: expected array, got missing"},
	{"gcp_incidents", G2, NULL, {{"1", "[]"}}, "parse_error: []: expected object, got array"},
	/* product_feed_json */
	{"product_feed_json", G2, NULL, {OPEN0, {"0.most_recent_update", "null"}}, "parse_error: [].most_recent_update"},
	{"product_feed_json", G2, NULL, {OPEN0, {"0.most_recent_update.status", "null"}}, "parse_error: [].most_recent_update.status"},
	/* trust_incidents_api */
	{"trust_incidents_api", trust_inline, NULL, {{"0.isResolved", "null"}}, "parse_error: [].isResolved: expected bool, got null"},
	{"trust_incidents_api", trust_inline, NULL, {{"0.isResolved", "\"no\""}}, "parse_error: [].isResolved: expected bool"},
	{"trust_incidents_api", trust_inline, NULL, {{"0", "\"incident\""}}, "parse_error: []: expected object"},
	/* active_incidents_api */
	{"active_incidents_api", active_inline, NULL, {{"data", "null"}}, "parse_error: data: expected array, got null"},
	{"active_incidents_api", active_inline, NULL, {{"data", "{}"}}, "parse_error: data: expected array, got object"},
	{"active_incidents_api", active_inline, NULL, {{"data.0", "1"}}, "parse_error: data[]: expected object"},
	/* service_array_json */
	{"service_array_json", array_inline, NULL, {{"1.level", "null"}}, "parse_error: [].level: expected string, got null"},
	{"service_array_json", array_inline, NULL, {{"0", "[]"}}, "parse_error: []: expected object"},
	/* instatus summary */
	{"instatus", ID, NULL, {{"page", "null"}}, "parse_error: page: expected object, got null"},
	{"instatus", ID, NULL, {{"page", "\"UP\""}}, "parse_error: page: expected object, got string"},
	{"instatus", ID, NULL, {{"page.status", "null"}}, "parse_error: page.status"},
	{"instatus", ID, NULL, {{"page.status", "\"MOSTLYUP\""}}, "unmapped_value: page.status=MOSTLYUP"},
	{"instatus", ID, NULL, {{"activeIncidents", "null"}}, "parse_error: activeIncidents: expected array"},
	{"instatus", ID, NULL, {{"activeIncidents.0", "\"x\""}}, "parse_error: activeIncidents[]: expected object"},
	{"instatus", ID, NULL, {{"activeIncidents.0.status", "null"}}, "parse_error: activeIncidents[].status"},
	{"instatus", ID, NULL, {{"activeIncidents.0.status", "\"PONDERING\""}}, "unmapped_value: activeIncidents[].status=PONDERING"},
	{"instatus", ID, NULL, {{"activeIncidents.0.impact", "null"}}, "parse_error: activeIncidents[].impact"},
	{"instatus", ID, NULL, {{"activeIncidents.0.impact", "\"TOTALOUTAGE\""}}, "unmapped_value: activeIncidents[].impact=TOTALOUTAGE"},
	{"instatus", GS, NULL, {{"activeMaintenances", "{}"}}, "parse_error: activeMaintenances: expected array"},
	{"instatus", GS, NULL, {{"activeMaintenances.0.duration", "\"15\""}}, "parse_error: activeMaintenances[].duration: expected integer"},
	/* instatus components */
	{"instatus", GV, NULL, {{"components", "null"}}, "parse_error: components: expected array, got null"},
	{"instatus", GV, NULL, {{"components.0.status", "null"}}, "parse_error: components[].status"},
	{"instatus", GV, NULL, {{"components.0.status", "\"GREEN\""}}, "unmapped_value: components[].status=GREEN"},
	{"instatus", GV, "CDN", {{"components.5.status", "\"GREEN\""}}, "unmapped_value: components[].status=GREEN"},
	{"instatus", GV, NULL, {{"components", "[7, null]"}}, "parse_error: components[]: no element is a component"},
	{"instatus", GV, "CDN", {{"components.5.status", NULL}}, "parse_error: components[].status"},
	/* statusio */
	{"statusio", SI, NULL, {{"result", "null"}}, "parse_error: result: expected object, got null"},
	{"statusio", SI, NULL, {{"result", NULL}}, "parse_error: result: expected object, got missing"},
	{"statusio", SI, NULL, {{"result.status_overall", "null"}}, "parse_error: result.status_overall"},
	{"statusio", SI, NULL, {{"result.status_overall.status_code", "null"}}, "parse_error: status_overall.status_code: expected integer"},
	{"statusio", SI, NULL, {{"result.status_overall.status_code", "\"100\""}}, "parse_error: status_overall.status_code: expected integer, got string"},
	{"statusio", SI, NULL, {{"result.status_overall.status_code", "100.5"}}, "parse_error: status_overall.status_code: expected integer, got number"},
	{"statusio", SI, NULL, {{"result.status_overall.status_code", "700"}}, "unmapped_value: status_overall.status_code=700"},
	{"statusio", SI, NULL, {{"result.incidents", "{}"}}, "parse_error: result.incidents: expected array"},
	{"statusio", SI, NULL, {{"result.incidents", "[5]"}}, "parse_error: incidents[]: expected object"},
	{"statusio", SI, NULL, {{"result.maintenance", "[]"}}, "parse_error: result.maintenance: expected object"},
	{"statusio", SI, NULL, {{"result.maintenance.active", "null"}}, "parse_error: maintenance.active: expected array"},
	{"statusio", SI, "Git Operations", {{"result.status", "null"}}, "parse_error: result.status"},
	{"statusio", SI, "Git Operations", {{"result.status.2.status_code", "700"}}, "unmapped_value: status[].status_code=700"},
	{"statusio", SI, "Git Operations", {{"result.status.2.status_code", NULL}}, "parse_error: status[].status_code"},
	/* cachet components */
	{"cachet", CC, NULL, {{"data", "null"}}, "parse_error: data: expected array, got null"},
	{"cachet", CC, NULL, {{"data", NULL}}, "parse_error: data: expected array, got missing"},
	{"cachet", CC, NULL, {{"data", "{}"}}, "parse_error: data: expected array, got object"},
	{"cachet", CC, NULL, {{"data.0", "\"API\""}}, "parse_error: data[]: expected object"},
	{"cachet", CC, NULL, {{"data.0.status", "null"}}, "parse_error: data[].status"},
	{"cachet", CC, NULL, {{"data.0.status", "\"1\""}}, "parse_error: data[].status: expected integer"},
	{"cachet", CC, NULL, {{"data.0.status", "0"}}, "unmapped_value: data[].status=0"},
	{"cachet", CC, NULL, {{"data.0.status", "7"}}, "unmapped_value: data[].status=7"},
	{"cachet", "{\"data\":[{\"id\":1,\"name\":\"API\",\"status\":1,\"enabled\":false},{}]}", NULL, {{"data.1", "\"Docs\""}}, "parse_error: data[]: no element is a component"},
	{"cachet", CC, "Website", {{"data.2.status", "null"}}, "parse_error: data[].status"},
	/* cachet incidents */
	{"cachet", CI, NULL, {{"data.1.is_resolved", "\"no\""}}, "parse_error: data[].is_resolved"},
	{"cachet", CI, NULL, {{"data.1.latest_status", "9"}}, "unmapped_value: data[].latest_status=9"},
	{"cachet", CI, NULL, {{"data.1.is_resolved", NULL}, {"data.1.latest_status", NULL}}, "parse_error: data[]: neither is_resolved nor latest_status"},
	{"cachet", CI, NULL, {{"data.1.component_id", "\"\""}}, "parse_error: data[].component_id"},
	/* betterstack */
	{"betterstack", BS, NULL, {{"data", "null"}}, "parse_error: data: expected object, got null"},
	{"betterstack", BS, NULL, {{"data", "[]"}}, "parse_error: data: expected object, got array"},
	{"betterstack", BS, NULL, {{"data.attributes", "null"}}, "parse_error: data.attributes"},
	{"betterstack", BS, NULL, {{"data.attributes.aggregate_state", "null"}}, "parse_error: data.attributes.aggregate_state"},
	{"betterstack", BS, NULL, {{"data.attributes.aggregate_state", "\"exploded\""}}, "unmapped_value: data.attributes.aggregate_state=exploded"},
	{"betterstack", BS, NULL, {{"data.attributes.aggregate_state", "\"not_monitored\""}}, "unmapped_value: data.attributes.aggregate_state=not_monitored"},
	{"betterstack", BS, NULL, {{"included", "null"}}, "parse_error: included: expected array"},
	{"betterstack", BS, NULL, {{"included.5.attributes.report_type", "null"}}, "parse_error: included[].attributes.report_type"},
	{"betterstack", BS, NULL, {{"included.5.attributes.aggregate_state", "\"bogus\""}}, "unmapped_value: included[].attributes.aggregate_state=bogus"},
	{"betterstack", BS, NULL, {{"included.5.attributes.starts_at", "null"}}, "parse_error: included[].attributes.starts_at"},
	{"betterstack", BS, NULL, {{"included.7.attributes.ends_at", "5"}}, "parse_error: included[].attributes.ends_at"},
	{"betterstack", BS, NULL, {{"included.5.attributes.affected_resources", "\"4188758\""}}, "parse_error: included[].attributes.affected_resources"},
	{"betterstack", BS, NULL, {{"included.5.attributes.affected_resources.0.status_page_resource_id", "null"}}, "parse_error: included[].attributes.affected_resources[].status_page_resource_id"},
	{"betterstack", BS, "Uptime", {{"included.3.attributes.status", "null"}}, "parse_error: included[].attributes.status"},
	{"betterstack", BS, "Uptime", {{"included.3.attributes.status", "\"exploded\""}}, "unmapped_value: included[].attributes.status=exploded"},
};
// clang-format on
#define NMUTATIONS (sizeof mutations / sizeof mutations[0])

START_TEST(test_mutation)
{
	const struct mutation *m = &mutations[_i];
	char *body = edited_src(m->src, m->e, 2);
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	o.component_name = m->comp;
	struct fmt_reading r;
	run_str(m->format, body, &o, &r);
	ck_assert_msg(!r.ok && r.reason && strncmp(r.reason, m->want, strlen(m->want)) == 0,
		      "%s %s [%s := %s]: ok=%d reason=%s, want prefix \"%s\"", m->format, m->src,
		      m->e[0].path, m->e[0].json ? m->e[0].json : "(deleted)", r.ok,
		      r.reason ? r.reason : "(null)", m->want);
	ck_assert_int_eq(r.status, ST_UNKNOWN);
	ck_assert_ptr_null(r.incident_id);
	ck_assert_uint_eq(r.nmaints, 0);
	fmt_reading_release(&r);
	free(body);
}
END_TEST

/*
 * The tolerance rule (doc/drift.md): edits of real payloads that touch only
 * optional fields, or use a vendor word the seed tool had a fallback for.
 * Each reads -- with the seed's status -- and carries its drift note.
 * incident: NULL = not checked, "" = none attached.
 */
// clang-format off
static const struct tolerated {
	const char *format;
	const char *src;
	const char *comp;
	struct edit e[2];
	enum st_status status;
	const char *note; /* substring of the drift notes */
	const char *incident;
} tolerated[] = {
	/* issue 13's table, row by row */
	{"statuspage_json", SP, NULL, {{"incidents.0.id", NULL}}, ST_DEGRADED, "incidents[].id missing", ""},
	{"statuspage_json", SP, NULL, {{"incidents.0.id", "99"}}, ST_DEGRADED, "incidents[].id is a number (99)", "99"},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.id", NULL}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].id missing", NULL},
	{"statuspage_json", SP, NULL, {{"status.description", NULL}}, ST_DEGRADED, "status.description missing", "bfcck6qks18q"},
	{"current_status_api", SL, NULL, {{"active_incidents.0.type", "\"degradation\""}}, ST_DEGRADED, "unknown incident type \"degradation\" read as degraded", NULL},
	{"trust_incidents_api", trust_inline, NULL, {{"0.isResolved", NULL}}, ST_OPERATIONAL, "[].isResolved missing, read as resolved", ""},
	{"active_incidents_api", "{}", NULL, {{NULL, NULL}}, ST_OPERATIONAL, "data missing, read as no open incident", ""},
	{"service_array_json", array_inline, NULL, {{"1.level", NULL}}, ST_OPERATIONAL, "[].level missing, read as Good", ""},
	{"service_array_json", array_inline, NULL, {{"1.level", "\"Meh\""}}, ST_OPERATIONAL, "unknown level \"Meh\" ignored", ""},
	{"product_feed_json", G2, NULL, {OPEN0, {"0.most_recent_update.status", "\"SERVICE_OTHERTHING\""}}, ST_DEGRADED, "unknown update status \"SERVICE_OTHERTHING\" read as degraded", NULL},
	/* statuspage_json, whole page */
	{"statuspage_json", SP, NULL, {{"status.description", "null"}}, ST_DEGRADED, "status.description missing", NULL},
	{"statuspage_json", SP, NULL, {{"incidents.0", "\"x\""}}, ST_DEGRADED, "incidents[]: string element skipped", ""},
	{"statuspage_json", SP, NULL, {{"incidents.0.id", "null"}}, ST_DEGRADED, "incidents[].id missing", ""},
	{"statuspage_json", SP, NULL, {{"incidents.0.name", "null"}}, ST_DEGRADED, "incidents[].name missing", "bfcck6qks18q"},
	{"statuspage_json", SP, NULL, {{"incidents.0.status", "null"}}, ST_DEGRADED, "incidents[].status missing", "bfcck6qks18q"},
	{"statuspage_json", SP, NULL, {{"incidents.0.status", "\"exploded\""}}, ST_DEGRADED, "unknown incident status \"exploded\" read as open", "bfcck6qks18q"},
	{"statuspage_json", SP, NULL, {{"scheduled_maintenances", "[7]"}}, ST_DEGRADED, "scheduled_maintenances[]: number element skipped", NULL},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "\"on_fire\""}}, ST_DEGRADED, "unknown component status \"on_fire\" read as the page indicator (minor)", "bfcck6qks18q"},
	{"statuspage_json", SP, "Grok Bot", {{"components.7.status", "\"on_fire\""}, {"status.indicator", "\"critical\""}}, ST_MAJOR_OUTAGE, "unknown component status \"on_fire\" read as the page indicator (critical)", NULL},
	{"statuspage_json", SP, "Grok Bot", {{"incidents.0.status", "\"exploded\""}}, ST_DEGRADED, "unknown incident status \"exploded\" read as open", "bfcck6qks18q"},
	/* statuspage_json, one component: ids and names only select */
	{"statuspage_json", SP, "Grok Bot", {{"components.0.id", "null"}}, ST_DEGRADED, "components[].id missing", NULL},
	{"statuspage_json", SP, "Grok Bot", {{"components.0.name", "5"}}, ST_DEGRADED, "components[].name: expected string, got number", NULL},
	{"statuspage_json", SP, "Grok Bot", {{"components.0.group_id", "5"}}, ST_DEGRADED, "components[].group_id: expected string, got number", NULL},
	{"statuspage_json", SP, "Grok Bot", {{"components.3", "[]"}}, ST_DEGRADED, "components[]: array element skipped", NULL},
	{"statuspage_json", SG, "Mail Sending", {{"components.0.components", "\"s0rtr2pvxgzq\""}}, ST_OPERATIONAL, "components[].components: expected array, got string", NULL},
	{"statuspage_json", SG, "Mail Sending", {{"components.0.components.0", "7"}}, ST_OPERATIONAL, "components[].components[]: number child id ignored", NULL},
	/* statuspage_json, maintenances */
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.id", "null"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].id missing", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.name", "null"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].name missing", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.status", "null"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].status missing", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.status", "\"postponed\""}}, ST_PARTIAL_OUTAGE, "unknown maintenance status \"postponed\" read as scheduled", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.scheduled_for", "null"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].scheduled_for missing: maintenance skipped", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.scheduled_for", "\"tomorrow-ish\""}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].scheduled_for not a date (tomorrow-ish): maintenance skipped", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.scheduled_until", "\"soon\""}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].scheduled_until not a date (soon): read as open-ended", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.scheduled_until", "17"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].scheduled_until: expected string, got number", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.incident_updates", "{}"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].incident_updates: expected array, got object", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.incident_updates.0", "\"x\""}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].incident_updates[]: string element ignored", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.incident_updates.0.body", "[]"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].incident_updates[].body: expected string, got array", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.components.0.id", "null"}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].components[].id: expected id, got null: maintenance skipped", NULL},
	{"statuspage_json", CF, NULL, {{"scheduled_maintenances.0.components", "\"HKG\""}}, ST_PARTIAL_OUTAGE, "scheduled_maintenances[].components: expected array, got string: maintenance skipped", NULL},
	/* current_status_api: the seed's fallbacks */
	{"current_status_api", SL, NULL, {{"status", "\"degraded\""}}, ST_PARTIAL_OUTAGE, "unknown status \"degraded\" read as degraded", NULL},
	{"current_status_api", SL, NULL, {{"status", "\"degraded\""}, {"active_incidents", "[]"}}, ST_DEGRADED, "unknown status \"degraded\" read as degraded", ""},
	{"current_status_api", SL, NULL, {{"active_incidents.0", "\"x\""}}, ST_DEGRADED, "active_incidents[]: string element skipped", ""},
	{"current_status_api", SL, NULL, {{"active_incidents.0.type", "\"catastrophe\""}}, ST_DEGRADED, "unknown incident type \"catastrophe\" read as degraded", NULL},
	{"current_status_api", SL, NULL, {{"active_incidents.0.title", "null"}}, ST_PARTIAL_OUTAGE, "active_incidents[].title missing", NULL},
	{"current_status_api", SL, NULL, {{"active_incidents.0.id", "null"}}, ST_PARTIAL_OUTAGE, "active_incidents[].id missing", ""},
	{"current_status_api", SL, NULL, {{"active_incidents.0.id", "1576.5"}}, ST_PARTIAL_OUTAGE, "active_incidents[].id: expected string or integer id, got number", ""},
	{"current_status_api", SL, NULL, {{"active_incidents.0.id", "\"\""}}, ST_PARTIAL_OUTAGE, "active_incidents[].id missing", ""},
	{"current_status_api", SH, NULL, {{"0.status", "\"ongoing\""}}, ST_OPERATIONAL, "unknown history status \"ongoing\" read as not active", ""},
	{"current_status_api", SH, NULL, {{"0.type", "\"weird\""}}, ST_DEGRADED, "unknown incident type \"weird\" read as degraded", NULL},
	{"current_status_api", SH, NULL, {{"2", "null"}}, ST_PARTIAL_OUTAGE, "[]: null element skipped", NULL},
	/* the Google feed: labels only */
	{"gcp_incidents", G2, NULL, {OPEN0, {"0.external_desc", "null"}}, ST_PARTIAL_OUTAGE, "[].external_desc missing", NULL},
	{"gcp_incidents", G2, NULL, {OPEN0, {"0.id", "null"}}, ST_PARTIAL_OUTAGE, "[].id missing", ""},
	{"gcp_incidents", G2, NULL, {{"1.affected_products.0", "\"VMWare engine\""}}, ST_OPERATIONAL, "[].affected_products[]: string element skipped", ""},
	{"gcp_incidents", G2, NULL, {{"1.affected_products.0.title", "null"}}, ST_OPERATIONAL, "[].affected_products[].title missing", ""},
	{"gcp_incidents", G2, NULL, {{"1.affected_products.0.id", "5"}}, ST_OPERATIONAL, "[].affected_products[].id: expected string, got number", ""},
	{"product_feed_json", G2, NULL, {OPEN0, {"0.most_recent_update.status", "\"SERVICE_WOBBLY\""}}, ST_DEGRADED, "unknown update status \"SERVICE_WOBBLY\" read as degraded", NULL},
	{"product_feed_json", G2, NULL, {OPEN0, {"0.external_desc", "{}"}}, ST_DEGRADED, "[].external_desc: expected string, got object", NULL},
	/* trust_incidents_api */
	{"trust_incidents_api", trust_inline, NULL, {{"0.message", "null"}}, ST_DEGRADED, "[].message: expected object, got null", "101"},
	{"trust_incidents_api", trust_inline, NULL, {{"0.message.subject", "null"}}, ST_DEGRADED, "[].message.subject missing", "101"},
	{"trust_incidents_api", trust_inline, NULL, {{"0.message.maintenanceType", "5"}}, ST_PARTIAL_OUTAGE, "[].message.maintenanceType: expected string, got number", "101"},
	{"trust_incidents_api", trust_inline, NULL, {{"0.id", "1.5"}}, ST_PARTIAL_OUTAGE, "[].id: expected string or integer id, got number", ""},
	/* active_incidents_api */
	{"active_incidents_api", active_inline, NULL, {{"data", NULL}}, ST_OPERATIONAL, "data missing, read as no open incident", ""},
	{"active_incidents_api", active_inline, NULL, {{"data.0.id", "null"}}, ST_DEGRADED, "data[].id missing", ""},
	{"active_incidents_api", active_inline, NULL, {{"data.0.attributes", "null"}}, ST_DEGRADED, "data[].attributes: expected object, got null", "77"},
	{"active_incidents_api", active_inline, NULL, {{"data.0.attributes.title", "null"}}, ST_DEGRADED, "data[].attributes.title missing", "77"},
	{"active_incidents_api", active_inline, NULL, {{"data.0.attributes.impact", "null"}}, ST_DEGRADED, "data[].attributes.impact missing", "77"},
	{"active_incidents_api", active_inline, NULL, {{"data.0.attributes.impact", "\"apocalyptic\""}}, ST_DEGRADED, "unknown impact \"apocalyptic\" read as degraded", "77"},
	/* service_array_json */
	{"service_array_json", array_inline, NULL, {{"1.service", "null"}}, ST_DEGRADED, "[].service missing", ""},
	{"service_array_json", array_inline, NULL, {{"0.region", "5"}}, ST_DEGRADED, "[].region: expected string, got number", ""},
	{"service_array_json", array_inline, NULL, {{"0.alerts", "\"none\""}}, ST_DEGRADED, "[].alerts: expected array, got string", ""},
	/* instatus */
	{"instatus", ID, NULL, {{"activeIncidents.0.id", "null"}}, ST_PARTIAL_OUTAGE, "activeIncidents[].id missing", NULL},
	{"instatus", ID, NULL, {{"activeIncidents.0.name", "null"}}, ST_PARTIAL_OUTAGE, "activeIncidents[].name missing", NULL},
	{"instatus", GS, NULL, {{"activeMaintenances.0.id", "null"}}, ST_OPERATIONAL, "activeMaintenances[].id missing", NULL},
	{"instatus", GS, NULL, {{"activeMaintenances.0.name", "null"}}, ST_OPERATIONAL, "activeMaintenances[].name missing", NULL},
	{"instatus", GS, NULL, {{"activeMaintenances.0.start", "null"}}, ST_OPERATIONAL, "activeMaintenances[].start missing", NULL},
	{"instatus", GS, NULL, {{"activeMaintenances.0.start", "\"next week\""}}, ST_OPERATIONAL, "activeMaintenances[].start not a date (next week): maintenance skipped", NULL},
	{"instatus", GS, NULL, {{"activeMaintenances.0.status", "\"DELAYED\""}}, ST_OPERATIONAL, "unknown maintenance status \"DELAYED\" read as scheduled", NULL},
	/* statusio */
	{"statusio", SI, NULL, {{"result.incidents", "[{\"name\":\"x\"}]"}}, ST_OPERATIONAL, "incidents[].id missing", ""},
	{"statusio", SI, NULL, {{"result.incidents", "[{\"_id\":\"a\",\"name\":null}]"}}, ST_OPERATIONAL, "incidents[].name missing", "a"},
	{"statusio", SI, NULL, {{"result.maintenance.upcoming", "[{\"_id\":\"m1\",\"name\":\"DB\",\"datetime_planned_start\":\"whenever\"}]"}}, ST_OPERATIONAL, "maintenance.upcoming[].datetime_planned_start not a date (whenever): maintenance skipped", NULL},
	/* cachet, betterstack */
	{"cachet", CI, NULL, {{"data.1.name", "null"}}, ST_DEGRADED, "data[].name missing", NULL},
	{"betterstack", BS, NULL, {{"included.5.attributes.title", "null"}}, ST_OPERATIONAL, "included[].attributes.title missing", NULL},
	{"betterstack", BS, NULL, {{"included.7.attributes.starts_at", "\"sometime\""}}, ST_OPERATIONAL, "included[].attributes.starts_at not a date (sometime): maintenance skipped", NULL},
	/* instatus, statusio, cachet, betterstack components: ids and names only
	 * select and label; a component without them is passed over when one is
	 * selected, and its status still counts in the worst of all */
	{"instatus", GV, NULL, {{"components.0", "7"}}, ST_OPERATIONAL, "components[]: number element skipped", NULL},
	{"instatus", GV, NULL, {{"components.0.id", "null"}}, ST_OPERATIONAL, "components[].id missing", NULL},
	{"instatus", GV, NULL, {{"components.0.name", "null"}, {"components.0.status", "\"MAJOROUTAGE\""}}, ST_MAJOR_OUTAGE, "components[].name missing", NULL},
	{"instatus", GV, NULL, {{"components.0.group", "\"Gcore Systems\""}}, ST_OPERATIONAL, "components[].group: expected object, got string", NULL},
	{"instatus", GV, "CDN", {{"components.0.group.name", "5"}}, ST_OPERATIONAL, "components[].group.name: expected string, got number", NULL},
	{"instatus", GV, "CDN", {{"components.0.id", "5"}, {"components.5.status", "\"PARTIALOUTAGE\""}}, ST_PARTIAL_OUTAGE, "components[].id: expected string, got number", NULL},
	{"statusio", SI, "Git Operations", {{"result.status.0.name", "null"}}, ST_OPERATIONAL, "status[].name missing", NULL},
	{"statusio", SI, "Git Operations", {{"result.status.0.id", "5"}}, ST_OPERATIONAL, "status[].id: expected string, got number", NULL},
	{"statusio", SI, "Git Operations", {{"result.status.1", "\"API\""}, {"result.status.2.status_code", "300"}}, ST_DEGRADED, "status[]: string element skipped", NULL},
	{"statusio", SI, "Git Operations", {{"result.status.2.id", NULL}, {"result.status.2.status_code", "400"}}, ST_PARTIAL_OUTAGE, "status[].id missing", NULL},
	{"cachet", CC, NULL, {{"data.0.id", "null"}}, ST_OPERATIONAL, "data[].id missing", NULL},
	{"cachet", CC, NULL, {{"data.0.name", "null"}, {"data.0.status", "4"}}, ST_MAJOR_OUTAGE, "data[].name missing", NULL},
	{"cachet", CC, NULL, {{"data.0.enabled", "\"yes\""}, {"data.0.status", "3"}}, ST_PARTIAL_OUTAGE, "data[].enabled: expected bool, got string, read as enabled", NULL},
	{"cachet", CC, "Website", {{"data.2", "\"API\""}, {"data.3.name", "\"Website\""}}, ST_OPERATIONAL, "data[]: string element skipped", NULL},
	{"cachet", CC, "Website", {{"data.0.name", "7"}}, ST_OPERATIONAL, "data[].name: expected string, got number", NULL},
	{"betterstack", BS, NULL, {{"included.0", "1"}}, ST_OPERATIONAL, "included[]: number element skipped", NULL},
	{"betterstack", BS, NULL, {{"included.5.type", "null"}}, ST_OPERATIONAL, "included[].type missing", NULL},
	{"betterstack", BS, NULL, {{"included.5.id", "null"}}, ST_OPERATIONAL, "included[].id missing", NULL},
	{"betterstack", BS, NULL, {{"included.5.attributes", "null"}}, ST_OPERATIONAL, "included[].attributes: expected object, got null: status_report skipped", NULL},
	{"betterstack", BS, "Better Stack", {{"included.3.attributes.public_name", "null"}}, ST_OPERATIONAL, "included[].attributes.public_name missing", NULL},
	{"betterstack", BS, "Uptime", {{"included.3.attributes.status_page_section_id", "\"\""}}, ST_OPERATIONAL, "included[].attributes.status_page_section_id missing", NULL},
	{"betterstack", BS, "Uptime", {{"included.3.id", NULL}, {"included.3.attributes.status", "\"degraded\""}}, ST_DEGRADED, "included[].id missing", NULL},
	{"betterstack", BS, "Uptime", {{"included.2.attributes", "[]"}}, ST_OPERATIONAL, "included[].attributes: expected object, got array: status_page_resource skipped", NULL},
};
// clang-format on
#define NTOLERATED (sizeof tolerated / sizeof tolerated[0])

START_TEST(test_tolerated)
{
	const struct tolerated *t = &tolerated[_i];
	char *body = edited_src(t->src, t->e, 2);
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	o.component_name = t->comp;
	struct fmt_reading r;
	run_str(t->format, body, &o, &r);
	char *notes = fmt_drift_text(&r);
	ck_assert_msg(r.ok && r.status == t->status && notes && strstr(notes, t->note),
		      "%s %s [%s := %s]: ok=%d reason=%s status=%s notes=%s; want %s with \"%s\"",
		      t->format, t->src, t->e[0].path ? t->e[0].path : "-",
		      t->e[0].json ? t->e[0].json : "(deleted)", r.ok, r.reason ? r.reason : "-",
		      st_status_str(r.status), notes ? notes : "(none)", st_status_str(t->status),
		      t->note);
	if (t->incident)
		ck_assert_str_eq(r.incident_id ? r.incident_id : "", t->incident);
	/* The unedited payload carries no note: the note is the edit's doing. */
	if (!t->e[0].path)
		goto done;
	struct fmt_reading base;
	static const struct edit none[1] = {{NULL, NULL}};
	char *orig = edited_src(t->src, none, 1);
	run_str(t->format, orig, &o, &base);
	ck_assert_msg(base.ok && base.ndrift == 0, "%s base carries drift", t->src);
	fmt_reading_release(&base);
	free(orig);
done:
	free(notes);
	fmt_reading_release(&r);
	free(body);
}
END_TEST

/* The unedited bases all parse: a mutation failing is the mutation's doing. */
START_TEST(test_bases_parse)
{
	for (size_t i = 0; i < NBASES; i++) {
		size_t len;
		char *body = base_body(&bases[i], &len);
		struct fmt_reading r;
		run(bases[i].format, body, len, NULL, &r);
		ck_assert_msg(r.ok, "%s base: %s", bases[i].format, r.reason);
		fmt_reading_release(&r);
		free(body);
	}
}
END_TEST

/* ---- semantics on edited real payloads -------------------------------------- */

/* Parse src (fixture or inline) after edits (n may be 0) with opts. */
static void reading_of(const char *format, const char *src, const struct edit *e, size_t n,
		       const struct fmt_opts *o, struct fmt_reading *r)
{
	static const struct edit none[1] = {{NULL, NULL}};
	char *body = edited_src(src, n ? e : none, n ? n : 1);
	run_str(format, body, o, r);
	free(body);
}

static struct fmt_opts by_name(const char *name)
{
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	o.component_name = name;
	return o;
}

static void assert_reading(const struct fmt_reading *r, enum st_status st, int maint,
			   const char *incident)
{
	ck_assert_msg(r->ok, "not ok: %s", r->reason ? r->reason : "");
	ck_assert_str_eq(st_status_str(r->status), st_status_str(st));
	ck_assert_int_eq(r->in_maintenance, maint);
	if (incident)
		ck_assert_str_eq(r->incident_id ? r->incident_id : "(none)", incident);
	else
		ck_assert_msg(r->incident_id == NULL, "unexpected incident %s", r->incident_id);
}

START_TEST(test_selected_component_ignores_other_incidents)
{
	struct fmt_reading r;
	struct fmt_opts o = by_name("CLI");
	/* Cursor: the page has an open incident, but it lists Grok Bot only. */
	reading_of("statuspage_json", SP, NULL, 0, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, "bfcck6qks18q");
	fmt_reading_release(&r);
	reading_of("statuspage_json", SP, NULL, 0, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_ptr_null(r.incident_title);
	fmt_reading_release(&r);
	/* GitHub 2020: Git Operations is down, yet the incident lists only the placeholder. */
	o = by_name("Git Operations");
	reading_of("statuspage_json", "statuspage/github-summary-major-outage-2020.json", NULL, 0,
		   &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	/* Cloudflare: neither the Workers AI incident nor the PoP maintenances are AMS's. */
	o = by_name("Amsterdam, Netherlands - (AMS)");
	reading_of("statuspage_json", CF, NULL, 0, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_uint_eq(r.nmaints, 0);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_statuspage_maintenance)
{
	struct fmt_reading r;
	/* Indicator "maintenance" with nothing else wrong: operational + in_maintenance
	 * (doc/compat.md#bug-8). */
	struct edit ind = {"status.indicator", "\"maintenance\""};
	reading_of("statuspage_json", DB, &ind, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, NULL);
	fmt_reading_release(&r);
	/* A component under_maintenance alone: degraded + in_maintenance; the page stays as it
	 * says. */
	struct edit um = {"components.0.status", "\"under_maintenance\""};
	struct fmt_opts o = by_name("Website");
	reading_of("statuspage_json", DB, &um, 1, &o, &r);
	assert_reading(&r, ST_DEGRADED, 1, NULL);
	ck_assert_str_eq(r.detail, "Website: Under Maintenance");
	fmt_reading_release(&r);
	reading_of("statuspage_json", DB, &um, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	/* Maintenance indicator with a critical incident: the incident's impact counts. */
	struct edit crit = {"incidents.0.impact", "\"critical\""};
	reading_of("statuspage_json", AD, &crit, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 1, "j6yts7sfdrsw");
	fmt_reading_release(&r);
	/* An in-progress maintenance listing the selected component. */
	struct edit ip[2] = {{"scheduled_maintenances.0.status", "\"in_progress\""},
			     {"scheduled_maintenances.0.components.0.id", "\"57ctn3f2qsyj\""}};
	o = by_name("Amsterdam, Netherlands - (AMS)");
	reading_of("statuspage_json", CF, ip, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, NULL);
	ck_assert_uint_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].vendor_id, "my45g1324mkk");
	ck_assert_str_eq(r.maints[0].status, "in_progress");
	ck_assert_str_eq(r.maints[0].description,
			 "Maintenance will begin as scheduled in 60 minutes.");
	fmt_reading_release(&r);
	/* ... which on the page as a whole changes nothing but the list (the indicator rules). */
	reading_of("statuspage_json", CF, ip, 2, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "46j9vvprj159");
	ck_assert_uint_eq(r.nmaints, 2);
	fmt_reading_release(&r);
	/* A maintenance listing no component is page-wide: listed for a selected one too. */
	struct edit wide[2] = {{"scheduled_maintenances.0.status", "\"in_progress\""},
			       {"scheduled_maintenances.0.components", "[]"}};
	reading_of("statuspage_json", CF, wide, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_uint_eq(r.nmaints, 1);
	fmt_reading_release(&r);
	/* Offsets are normalised to UTC. */
	struct edit tz = {"scheduled_maintenances.1.scheduled_for",
			  "\"2026-08-19T11:00:00-07:00\""};
	reading_of("statuspage_json", CF, &tz, 1, NULL, &r);
	ck_assert_str_eq(r.maints[1].scheduled_for, "2026-08-19T18:00:00.000Z");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_google_feed_open_incident)
{
	struct fmt_reading r;
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	const char *vmware[] = {"vmware ENGINE"};
	const char *bms[] = {"Bare Metal Solution"};
	const char *byid[] = {"9H6gWUHvb2ZubeoxzQ1Y"};
	struct edit open1 = {"1.end", NULL};
	o.products = vmware;
	o.nproducts = 1;
	reading_of("gcp_incidents", G2, &open1, 1, &o, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "T8gmtofFSTGT5tbhyciF");
	ck_assert_msg(strncmp(r.detail, "Google Cloud VMware Engine (GCVE) Stretched", 43) == 0,
		      "detail %s", r.detail);
	ck_assert_int_le(strlen(r.detail), FMT_TEXT_MAX);
	fmt_reading_release(&r);
	/* Incident 0 lists Bare Metal Solution but has ended; 1 does not list it. */
	o.products = bms;
	reading_of("gcp_incidents", G2, &open1, 1, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	o.products = byid;
	reading_of("gcp_incidents", G2, &open1, 1, &o, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	/* Two open: the worse one decides even though it comes second. */
	struct edit both[2] = {{"0.end", "null"}, {"1.end", NULL}};
	struct edit high[2] = {{"1.end", NULL}, {"1.severity", "\"high\""}};
	reading_of("gcp_incidents", G2, high, 2, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	struct edit low[2] = {{"1.end", NULL}, {"1.severity", "\"low\""}};
	reading_of("gcp_incidents", G2, low, 2, &o, &r);
	assert_reading(&r, ST_DEGRADED, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	o.products = NULL;
	o.nproducts = 0;
	reading_of("gcp_incidents", G2, both, 2, &o, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "3BvH3LVGcupoYqV6F4Nw");
	fmt_reading_release(&r);
	/* product_feed_json reads most_recent_update.status (AVAILABLE: degraded, seed table). */
	o.products = vmware;
	o.nproducts = 1;
	reading_of("product_feed_json", G2, &open1, 1, &o, &r);
	assert_reading(&r, ST_DEGRADED, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	struct edit outage[2] = {{"1.end", NULL},
				 {"1.most_recent_update.status", "\"SERVICE_OUTAGE\""}};
	reading_of("product_feed_json", G2, outage, 2, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	struct edit disr[2] = {{"1.end", NULL},
			       {"1.most_recent_update.status", "\"SERVICE_DISRUPTION\""}};
	reading_of("product_feed_json", G2, disr, 2, &o, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "T8gmtofFSTGT5tbhyciF");
	fmt_reading_release(&r);
	/* Seed's reason for a non-list feed, in our words. */
	run_str("product_feed_json", "{\"incidents\":[]}", &o, &r);
	ck_assert_str_eq(r.reason, "parse_error: expected array, got object");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_current_status_table)
{
	struct fmt_reading r;
	run_str(
	    "current_status_api",
	    "{\"status\":\"active\",\"active_incidents\":[{\"id\":\"546\",\"type\":\"maintenance\","
	    "\"title\":\"Planned DB work\"}]}",
	    NULL, &r);
	assert_reading(&r, ST_DEGRADED, 1, "546");
	fmt_reading_release(&r);
	run_str(
	    "current_status_api",
	    "{\"status\":\"active\",\"active_incidents\":[{\"id\":1,\"type\":\"notice\",\"title\":"
	    "\"n\"},{\"id\":2,\"type\":\"outage\",\"title\":\"o\"},{\"id\":3,\"type\":\"outage\","
	    "\"title\":\"o2\"}]}",
	    NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "2");
	ck_assert_str_eq(r.detail, "o");
	fmt_reading_release(&r);
	run_str("current_status_api", "{\"status\":\"active\",\"active_incidents\":[]}", NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	fmt_reading_release(&r);
	run_str("current_status_api", "{\"status\":\"ok\"}", NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	run_str("current_status_api",
		"[{\"id\":1,\"status\":\"resolved\",\"type\":\"incident\","
		"\"title\":\"old\"}]",
		NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	run_str("current_status_api", "\"Unexpected\"", NULL, &r);
	ck_assert_str_eq(r.reason, "parse_error: expected object or array, got string");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_trust_table)
{
	struct fmt_reading r;
	run_str("trust_incidents_api", trust_inline, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "101");
	ck_assert_str_eq(r.detail, "Login disruption on NA14");
	fmt_reading_release(&r);
	struct edit crit = {"0.message.subject", "\"CRITICAL: pods down\""};
	reading_of("trust_incidents_api", trust_inline, &crit, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "101");
	fmt_reading_release(&r);
	struct edit mt[2] = {{"0.message.subject", "\"Slow reports\""},
			     {"0.message.maintenanceType", "\"majorRelease\""}};
	reading_of("trust_incidents_api", trust_inline, mt, 2, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "101");
	fmt_reading_release(&r);
	struct edit slow = {"0.message.subject", "\"Slow reports\""};
	reading_of("trust_incidents_api", trust_inline, &slow, 1, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, "101");
	fmt_reading_release(&r);
	struct edit done = {"0.isResolved", "true"};
	reading_of("trust_incidents_api", trust_inline, &done, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	run_str("trust_incidents_api", "[]", NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	/* The seed read a non-array as operational. */
	run_str("trust_incidents_api", "{\"incidents\":[]}", NULL, &r);
	ck_assert_str_eq(r.reason, "parse_error: expected array, got object");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_active_incidents_table)
{
	struct fmt_reading r;
	run_str("active_incidents_api", active_inline, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, "77");
	ck_assert_str_eq(r.detail, "Ticket views slow");
	fmt_reading_release(&r);
	struct edit crit = {"data.0.attributes.impact", "\"critical\""};
	reading_of("active_incidents_api", active_inline, &crit, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "77");
	fmt_reading_release(&r);
	struct edit maj = {"data.0.attributes.impact", "\"Major\""};
	reading_of("active_incidents_api", active_inline, &maj, 1, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "77");
	fmt_reading_release(&r);
	struct edit title = {"data.0.attributes.title", "\"Chat outage in EU\""};
	reading_of("active_incidents_api", active_inline, &title, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "77");
	fmt_reading_release(&r);
	struct edit partial = {"data.0.attributes.title", "\"Partial delays\""};
	reading_of("active_incidents_api", active_inline, &partial, 1, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, "77");
	fmt_reading_release(&r);
	run_str("active_incidents_api", "{\"data\":[]}", NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	/* The seed crashed its poller group on an array body. */
	run_str("active_incidents_api", "[]", NULL, &r);
	ck_assert_str_eq(r.reason, "parse_error: expected object, got array");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_service_array_table)
{
	struct fmt_reading r;
	run_str("service_array_json", array_inline, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	ck_assert_str_eq(r.detail, "Meetings (EU): Minor");
	fmt_reading_release(&r);
	struct edit info = {"1.level", "\"Informational\""};
	reading_of("service_array_json", array_inline, &info, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_ptr_null(r.detail);
	fmt_reading_release(&r);
	struct edit crit[2] = {{"0.level", "\"Critical\""}, {"0.region", "null"}};
	reading_of("service_array_json", array_inline, crit, 2, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "Calling: Critical");
	fmt_reading_release(&r);
	struct edit major = {"1.level", "\"Major\""};
	reading_of("service_array_json", array_inline, &major, 1, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	/* The seed read a non-array as operational. */
	run_str("service_array_json", "{\"services\":[]}", NULL, &r);
	ck_assert_str_eq(r.reason, "parse_error: expected array, got object");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_instatus_states)
{
	struct fmt_reading r;
	struct edit maint[2] = {{"page.status", "\"UNDERMAINTENANCE\""}, {"activeIncidents", NULL}};
	reading_of("instatus", ID, maint, 2, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, NULL);
	fmt_reading_release(&r);
	struct edit issues = {"activeIncidents", NULL};
	reading_of("instatus", ID, &issues, 1, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	fmt_reading_release(&r);
	struct edit major = {"activeIncidents.1.impact", "\"MAJOROUTAGE\""};
	reading_of("instatus", ID, &major, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, "clq3wa0jh18301b7ogv9747apy");
	fmt_reading_release(&r);
	struct edit resolved[2] = {{"activeIncidents.0.status", "\"RESOLVED\""},
				   {"activeIncidents.1.status", "\"RESOLVED\""}};
	reading_of("instatus", ID, resolved, 2, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	fmt_reading_release(&r);
	struct edit down = {"components.0.status", "\"MAJOROUTAGE\""};
	reading_of("instatus", GV, &down, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "API: Major Outage");
	fmt_reading_release(&r);
	struct fmt_opts o = by_name("Gcore Systems/API");
	reading_of("instatus", GV, &down, 1, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	o = by_name("API Documentation");
	reading_of("instatus", GV, &down, 1, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	struct edit um = {"components.0.status", "\"UNDERMAINTENANCE\""};
	o = by_name("API");
	reading_of("instatus", GV, &um, 1, &o, &r);
	assert_reading(&r, ST_DEGRADED, 1, NULL);
	fmt_reading_release(&r);
	struct edit ip = {"activeMaintenances.0.status", "\"INPROGRESS\""};
	reading_of("instatus", GS, &ip, 1, NULL, &r);
	ck_assert_str_eq(r.maints[0].status, "in_progress");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_statusio_codes)
{
	static const struct {
		const char *code;
		enum st_status st;
		int maint;
	} codes[] = {{"100", ST_OPERATIONAL, 0},  {"200", ST_OPERATIONAL, 1},
		     {"300", ST_DEGRADED, 0},	  {"400", ST_PARTIAL_OUTAGE, 0},
		     {"500", ST_MAJOR_OUTAGE, 0}, {"600", ST_MAJOR_OUTAGE, 0}};
	struct fmt_reading r;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		struct edit e = {"result.status_overall.status_code", codes[i].code};
		reading_of("statusio", SI, &e, 1, NULL, &r);
		assert_reading(&r, codes[i].st, codes[i].maint, NULL);
		fmt_reading_release(&r);
	}
	struct edit comp = {"result.status.2.status_code", "400"};
	struct fmt_opts o = by_name("git operations");
	reading_of("statusio", SI, &comp, 1, &o, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "Git Operations: Partial Service Disruption");
	fmt_reading_release(&r);
	/* Incidents and maintenances concern the components they list. */
	struct edit ev[2] = {
	    {"result.incidents",
	     "[{\"_id\":\"i1\",\"name\":\"CI slow\",\"components_affected\":"
	     "[{\"_id\":\"5d2f74932676bc45e4927ead\",\"name\":\"Git Operations\"}]}]"},
	    {"result.maintenance",
	     "{\"active\":[{\"_id\":\"m1\",\"name\":\"DB upgrade\","
	     "\"datetime_planned_start\":\"2026-10-01T10:00:00.000Z\","
	     "\"datetime_planned_end\":\"2026-10-01T12:00:00.000Z\","
	     "\"components_affected\":[{\"_id\":\"5d2f74932676bc45e4927ead\"}]}],"
	     "\"upcoming\":[]}"}};
	reading_of("statusio", SI, ev, 2, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, "i1");
	ck_assert_uint_eq(r.nmaints, 1);
	fmt_reading_release(&r);
	reading_of("statusio", SI, ev, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, "i1");
	ck_assert_str_eq(r.maints[0].status, "in_progress");
	ck_assert_str_eq(r.maints[0].scheduled_until, "2026-10-01T12:00:00.000Z");
	fmt_reading_release(&r);
	o = by_name("Website");
	reading_of("statusio", SI, ev, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_uint_eq(r.nmaints, 0);
	fmt_reading_release(&r);
	/* A window naming no component is page-wide: listed, but not maintenance on Website. */
	struct edit wide = {"result.maintenance",
			    "{\"active\":[],\"upcoming\":[{\"id\":\"m2\",\"name\":\"Network\","
			    "\"datetime_planned_start\":\"2026-10-02 01:00:00\"}]}"};
	reading_of("statusio", SI, &wide, 1, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_uint_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].status, "scheduled");
	ck_assert_str_eq(r.maints[0].scheduled_for, "2026-10-02T01:00:00.000Z");
	fmt_reading_release(&r);
}
END_TEST

/*
 * A tolerated component without a name is labelled by its id, and a selected
 * component without an id concerns no incident or window of another
 * component (it is not read as the whole page).
 */
START_TEST(test_nameless_component)
{
	struct fmt_reading r;
	struct edit gv[2] = {{"components.0.name", "null"},
			     {"components.0.status", "\"MAJOROUTAGE\""}};
	reading_of("instatus", GV, gv, 2, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "cm7vpd2v800iesfcpnskdkma4: Major Outage");
	fmt_reading_release(&r);
	struct edit cc[2] = {{"data.0.name", "null"}, {"data.0.status", "4"}};
	reading_of("cachet", CC, cc, 2, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "1: Major Outage");
	fmt_reading_release(&r);
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	o.component_id = "4188755";
	struct edit bs[2] = {{"included.3.attributes.public_name", NULL},
			     {"included.3.attributes.status", "\"downtime\""}};
	reading_of("betterstack", BS, bs, 2, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "4188755: Downtime");
	fmt_reading_release(&r);
	o.component_id = "sm5wkcnqkvr9";
	struct edit sp = {"components.7.name", NULL};
	reading_of("statuspage_json", SP, &sp, 1, &o, &r);
	ck_assert_str_eq(r.detail, "sm5wkcnqkvr9: Degraded Performance");
	fmt_reading_release(&r);
	/* Git Operations without its id: the incident and the window that list
	 * another component are not its own. */
	struct edit ev[2] = {{"result.status.2.id", NULL},
			     {"result.incidents",
			      "[{\"_id\":\"i1\",\"name\":\"API slow\",\"components_affected\":"
			      "[{\"_id\":\"5b36e05f02d06804c0834a09\"}]}]"}};
	struct fmt_opts byname = by_name("Git Operations");
	reading_of("statusio", SI, ev, 2, &byname, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_cachet_states)
{
	struct fmt_reading r;
	struct edit partial = {"data.2.status", "3"};
	reading_of("cachet", CC, &partial, 1, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "Website: Partial Outage");
	fmt_reading_release(&r);
	/* A disabled component is not on the page -- unless it is the one selected. */
	struct edit off[2] = {{"data.2.status", "4"}, {"data.2.enabled", "false"}};
	reading_of("cachet", CC, off, 2, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	struct fmt_opts o = by_name("Website");
	reading_of("cachet", CC, off, 2, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	struct edit perf = {"data.0.status", "2"};
	reading_of("cachet", CC, &perf, 1, NULL, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	fmt_reading_release(&r);
	/* Incidents: by component id; the fixed one never counts. */
	struct edit comp[2] = {{"data.1.component_id", "3"}, {"data.0.component_id", "3"}};
	memset(&o, 0, sizeof o);
	o.component_id = "3";
	reading_of("cachet", CI, comp, 2, &o, &r);
	assert_reading(&r, ST_DEGRADED, 0, "2");
	fmt_reading_release(&r);
	/* Without is_resolved, latest_status 4 (Fixed) closes an incident. */
	struct edit latest[2] = {{"data.1.is_resolved", NULL}, {"data.1.latest_status", "4"}};
	reading_of("cachet", CI, latest, 2, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_betterstack_states)
{
	struct fmt_reading r;
	struct edit open = {"included.5.attributes.aggregate_state", "\"degraded\""};
	reading_of("betterstack", BS, &open, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, "1050825");
	ck_assert_str_eq(r.detail, "Delayed data processing in the Europe region");
	fmt_reading_release(&r);
	struct edit down = {"data.attributes.aggregate_state", "\"downtime\""};
	reading_of("betterstack", BS, &down, 1, NULL, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	struct edit mnt = {"data.attributes.aggregate_state", "\"maintenance\""};
	reading_of("betterstack", BS, &mnt, 1, NULL, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, NULL);
	fmt_reading_release(&r);
	struct edit res = {"included.3.attributes.status", "\"degraded\""};
	struct fmt_opts o = by_name("Uptime/Uptime");
	reading_of("betterstack", BS, &res, 1, &o, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	ck_assert_str_eq(r.detail, "Uptime: Degraded");
	fmt_reading_release(&r);
	/* An open maintenance report on the selected resource: scheduled, then in progress. */
	struct edit m[2] = {
	    {"included.7.attributes.aggregate_state", "\"maintenance\""},
	    {"included.7.attributes.affected_resources.0.status_page_resource_id", "4188755"}};
	ck_assert_int_eq(ts_parse("2026-09-02T12:00:00Z", &o.now_ms), 0);
	reading_of("betterstack", BS, m, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_uint_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].status, "scheduled");
	fmt_reading_release(&r);
	ck_assert_int_eq(ts_parse("2026-09-03T12:00:00Z", &o.now_ms), 0);
	reading_of("betterstack", BS, m, 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 1, NULL);
	ck_assert_str_eq(r.maints[0].status, "in_progress");
	fmt_reading_release(&r);
}
END_TEST

/* ---- http_check --------------------------------------------------------------- */

static void http(long code, int64_t ms, const char *body, size_t len, const struct fmt_opts *o,
		 struct fmt_reading *r)
{
	struct fmt_input in = {.body = body, .len = len, .http_code = code, .latency_ms = ms};
	fmt_http_check(&in, o, r);
}

START_TEST(test_http_check)
{
	struct fmt_reading r;
	struct fmt_opts o;
	memset(&o, 0, sizeof o);
	http(200, 120, "ok", 2, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	ck_assert_str_eq(r.detail, "HTTP 200 in 120 ms");
	fmt_reading_release(&r);
	http(204, 5, "", 0, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	http(503, 20, "down", 4, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "HTTP 503, expected 2xx");
	fmt_reading_release(&r);
	http(301, 20, "", 0, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	const int codes[] = {200, 401};
	o.expect_codes = codes;
	o.nexpect_codes = 2;
	http(401, 20, "", 0, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	http(204, 20, "", 0, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "HTTP 204, expected 200, 401");
	fmt_reading_release(&r);
	o.expect_codes = NULL;
	o.nexpect_codes = 0;
	/* Keyword: searched in the bytes, NULs included. */
	o.keyword = "\"healthy\"";
	static const char bin[] = "\0\0{\"state\":\"healthy\"}";
	http(200, 20, bin, sizeof bin - 1, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	http(200, 20, "{\"state\":\"sick\"}", 16, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	ck_assert_str_eq(r.detail, "HTTP 200 but the body lacks \"\"healthy\"\"");
	fmt_reading_release(&r);
	http(200, 20, NULL, 0, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	o.keyword = NULL;
	/* Latency */
	o.latency_threshold_ms = 1000;
	http(200, 1000, "", 0, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	http(200, 2300, "", 0, &o, &r);
	assert_reading(&r, ST_DEGRADED, 0, NULL);
	ck_assert_str_eq(r.detail, "HTTP 200 in 2300 ms (threshold 1000 ms)");
	fmt_reading_release(&r);
	/* A wrong code beats slowness. */
	http(500, 2300, "", 0, &o, &r);
	assert_reading(&r, ST_MAJOR_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
	http(0, 0, NULL, 0, &o, &r);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.reason, "parse_error: no HTTP status code");
	fmt_reading_release(&r);
	/* A 6 MB HTML body is just bytes to a plain check. */
	size_t n = 6u * 1024 * 1024;
	char *big = xmalloc(n + 1);
	memset(big, '<', n);
	big[n] = '\0';
	http(200, 20, big, n, &o, &r);
	assert_reading(&r, ST_OPERATIONAL, 0, NULL);
	fmt_reading_release(&r);
	free(big);
}
END_TEST

/* ---- registry and helpers ---------------------------------------------------- */

START_TEST(test_lookup)
{
	static const struct {
		const char *name;
		fmt_parse_fn fn;
	} want[] = {
	    {"statuspage_json", fmt_statuspage},
	    {"current_status_api", fmt_current_status},
	    {"product_feed_json", fmt_product_feed},
	    {"trust_incidents_api", fmt_trust_incidents},
	    {"active_incidents_api", fmt_active_incidents},
	    {"service_array_json", fmt_service_array},
	    {"rss", fmt_rss},
	    {"instatus", fmt_instatus},
	    {"statusio", fmt_statusio},
	    {"cachet", fmt_cachet},
	    {"betterstack", fmt_betterstack},
	    {"gcp_incidents", fmt_gcp_incidents},
	    {"http_check", fmt_http_check},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(fmt_lookup(want[i].name) == want[i].fn, "%s", want[i].name);
	ck_assert_ptr_null(fmt_lookup("manual"));
	ck_assert_ptr_null(fmt_lookup("Statuspage_JSON"));
	ck_assert_ptr_null(fmt_lookup("slack_api"));
	ck_assert_ptr_null(fmt_lookup(""));
	ck_assert_ptr_null(fmt_lookup(NULL));
}
END_TEST

START_TEST(test_unmapped_value_quoting)
{
	struct fmt_reading r;
	char long_status[256];
	memset(long_status, 'x', 200);
	long_status[200] = '\0';
	char *body = xasprintf("{\"status\":{\"indicator\":\"%s\"}}", long_status);
	run_str("statuspage_json", body, NULL, &r);
	char *want = xasprintf("unmapped_value: status.indicator=%.60s...", long_status);
	ck_assert_str_eq(r.reason, want);
	fmt_reading_release(&r);
	free(want);
	free(body);
	/* A cut never splits a character; control characters do not reach the reason. */
	run_str(
	    "statuspage_json",
	    "{\"status\":{\"indicator\":"
	    "\"\\n\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}}",
	    NULL, &r);
	ck_assert_str_eq(r.reason,
			 "unmapped_value: status.indicator=?ééééééééééééééééééééééééééééé...");
	fmt_reading_release(&r);
	/* Drift notes quote vendor words the same way: cut on a character boundary. */
	struct buf word;
	buf_init(&word, 0);
	for (int i = 0; i < 40; i++)
		buf_puts(&word, "\u00e9");
	char *slack = xasprintf("{\"status\":\"active\",\"active_incidents\":[{\"id\":1,"
				"\"title\":\"t\",\"type\":\"\\n%s\"}]}",
				word.data);
	run_str("current_status_api", slack, NULL, &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_uint_eq(r.ndrift, 1);
	ck_assert_str_eq(r.drift[0].field, "active_incidents[].type");
	ck_assert_str_eq(r.drift[0].note,
			 "unknown incident type \"?ééééééééééééééééééééééééééééé...\" "
			 "read as degraded");
	fmt_reading_release(&r);
	free(slack);
	buf_release(&word);
	/* Vendor words are matched trimmed and case-insensitively (seed behaviour). */
	struct edit e = {"status.indicator", "\"  MAJOR \""};
	reading_of("statuspage_json", DB, &e, 1, NULL, &r);
	assert_reading(&r, ST_PARTIAL_OUTAGE, 0, NULL);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_reading_helpers)
{
	struct fmt_reading r;
	fmt_reading_init(&r);
	ck_assert_int_eq(r.status, ST_UNKNOWN);
	fmt_set_detail(&r, "  two\n\tlines  ");
	ck_assert_str_eq(r.detail, "two lines");
	fmt_set_incident(&r, "id1", "t");
	struct fmt_maint *m = fmt_maint_add(&r);
	m->vendor_id = xstrdup("m");
	ck_assert_int_eq(fmt_maint_push(&r, "x[]", "from", "until", "m2", NULL, NULL,
					"2026-01-01 10:00:00", NULL, "scheduled"),
			 0);
	ck_assert_str_eq(r.maints[1].title, "Scheduled Maintenance");
	ck_assert_str_eq(r.maints[1].scheduled_for, "2026-01-01T10:00:00.000Z");
	ck_assert_ptr_null(r.maints[1].scheduled_until);
	/* A failure drops whatever was collected. */
	fmt_fail(&r, "parse_error: %s", "x");
	ck_assert(!r.ok);
	ck_assert_ptr_null(r.detail);
	ck_assert_ptr_null(r.incident_id);
	ck_assert_ptr_null(r.maints);
	ck_assert_uint_eq(r.nmaints, 0);
	ck_assert_str_eq(r.reason, "parse_error: x");
	fmt_set_ok(&r, ST_DEGRADED, 1);
	ck_assert_ptr_null(r.reason);
	fmt_reading_release(&r);
	fmt_reading_release(&r);
	fmt_reading_release(NULL);
	/* Long text: cut on a character boundary, marked. */
	char s[400];
	memset(s, 'a', 196);
	memcpy(s + 196, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	s[202] = '\0';
	char *t = fmt_text(s, FMT_TEXT_MAX);
	/* 197 bytes would end inside the first e-acute: back to 196, then "...". */
	ck_assert_uint_eq(strlen(t), 199);
	ck_assert_str_eq(t + 196, "...");
	free(t);
	ck_assert_ptr_null(fmt_text(" \n ", 10));
	ck_assert_ptr_null(fmt_text(NULL, 10));
	/* Component matching. */
	struct fmt_opts o = by_name(" Group / Login/SSO ");
	ck_assert(fmt_component_matches(&o, "x", "Login/SSO", "group"));
	ck_assert(!fmt_component_matches(&o, "x", "Login/SSO", "Other"));
	ck_assert(!fmt_component_matches(&o, "x", "Login/SSO", NULL));
	o = by_name("login/sso");
	ck_assert(fmt_component_matches(&o, "x", "Login/SSO", "Group"));
	o.component_id = "abc";
	ck_assert(!fmt_component_matches(&o, "x", "Login/SSO", NULL));
	ck_assert(fmt_component_matches(&o, "abc", "Other", NULL));
}
END_TEST

static Suite *formats_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("goldens");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fixture_inventory);
	tcase_add_loop_test(tc, test_golden, 0, (int)NGOLDEN);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bases_parse);
	tcase_add_loop_test(tc, test_hostile_body, 0, (int)(NBASES * NVARIANTS));
	tcase_add_loop_test(tc, test_mutation, 0, (int)NMUTATIONS);
	tcase_add_loop_test(tc, test_tolerated, 0, (int)NTOLERATED);
	suite_add_tcase(s, tc);

	tc = tcase_create("semantics");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_selected_component_ignores_other_incidents);
	tcase_add_test(tc, test_statuspage_maintenance);
	tcase_add_test(tc, test_google_feed_open_incident);
	tcase_add_test(tc, test_current_status_table);
	tcase_add_test(tc, test_trust_table);
	tcase_add_test(tc, test_active_incidents_table);
	tcase_add_test(tc, test_service_array_table);
	tcase_add_test(tc, test_instatus_states);
	tcase_add_test(tc, test_statusio_codes);
	tcase_add_test(tc, test_cachet_states);
	tcase_add_test(tc, test_nameless_component);
	tcase_add_test(tc, test_betterstack_states);
	tcase_add_test(tc, test_http_check);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_unmapped_value_quoting);
	tcase_add_test(tc, test_reading_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(formats_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
