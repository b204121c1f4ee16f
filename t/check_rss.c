/*
 * check_rss: tests for the RSS/Atom parser (pollerd/fmt_rss.c) and the XML
 * pull reader under it (pollerd/xml.c).
 *
 * Golden part: every *.rss / *.xml / *.atom fixture under aws/, azure/ and
 * statuspage-feed/ of $ITSTATUS_FIXTURES must have t/golden/rss/<file>.expected
 * (hand-written from what the payload shows; see the comments in each file).
 * A golden file is a list of blocks: "now=<ISO>" and optional "hours=<n>" are
 * the input, the lines up to the next blank line the expected reading, in the
 * fixed form render() prints.
 *
 * The rest: the grouping and classification rules on small synthetic feeds,
 * hostile bodies (truncated, HTML, invalid UTF-8, NUL, oversized, deep
 * nesting, entity bombs, missing dates) which must fail with the right
 * "parse_error: ..." reason and never crash, and the XML reader's events and
 * error cases directly.
 */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "../pollerd/format.h"
#include "status.h"
#include "timeutil.h"
#include "tsupport.h"
#include "xalloc.h"
#include "../pollerd/xml.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Run fmt_rss on len bytes of body at now (ISO) with the given window. */
static void run_rss(const char *body, size_t len, const char *now_iso, int hours,
		    struct fmt_reading *r)
{
	struct fmt_input in = {.body = body, .len = len, .http_code = 200};
	struct fmt_opts o = {.rss_active_hours = hours};
	if (now_iso)
		ck_assert_msg(ts_parse(now_iso, &o.now_ms) == 0, "bad now %s", now_iso);
	fmt_rss(&in, &o, r);
}

static void run_str(const char *body, const char *now_iso, struct fmt_reading *r)
{
	run_rss(body, strlen(body), now_iso, 0, r);
}

/* The reading as golden text (see the file comment). */
static void render(const struct fmt_reading *r, struct buf *b)
{
	buf_printf(b, "ok=%d\n", r->ok);
	if (!r->ok) {
		buf_printf(b, "reason=%s\n", r->reason ? r->reason : "");
		return;
	}
	buf_printf(b, "status=%s\n", st_status_str(r->status));
	buf_printf(b, "in_maintenance=%d\n", r->in_maintenance);
	buf_printf(b, "detail=%s\n", r->detail ? r->detail : "");
	buf_printf(b, "incident_id=%s\n", r->incident_id ? r->incident_id : "");
	buf_printf(b, "incident_title=%s\n", r->incident_title ? r->incident_title : "");
	buf_printf(b, "nmaints=%zu\n", r->nmaints);
	for (size_t i = 0; i < r->nmaints; i++) {
		const struct fmt_maint *m = &r->maints[i];
		buf_printf(b, "maint=%s | %s | %s | %s | %s\n", m->vendor_id, m->status,
			   m->scheduled_for, m->scheduled_until ? m->scheduled_until : "-",
			   m->title);
	}
}

/* Expect a failure whose reason starts with prefix. */
static void expect_fail(const char *body, size_t len, const char *prefix)
{
	struct fmt_reading r;
	run_rss(body, len, "2026-08-18T05:01:19Z", 0, &r);
	ck_assert_msg(r.ok == 0, "accepted a hostile body (prefix wanted: %s)", prefix);
	ck_assert_int_eq(r.status, ST_UNKNOWN);
	ck_assert_ptr_nonnull(r.reason);
	ck_assert_msg(strncmp(r.reason, prefix, strlen(prefix)) == 0,
		      "reason \"%s\", want \"%s...\"", r.reason, prefix);
	ck_assert_ptr_null(r.detail);
	ck_assert_int_eq(r.nmaints, 0);
	fmt_reading_release(&r);
}

static void expect_fail_str(const char *body, const char *prefix)
{
	expect_fail(body, strlen(body), prefix);
}

/* A fixture's bytes (NUL-terminated); the caller frees. */
static char *load_fixture(const char *rel, size_t *len)
{
	char *path = ts_fixture(rel);
	char *d = ts_read(path, len);
	ck_assert_msg(d != NULL, "cannot read fixture %s", path);
	free(path);
	return d;
}

static const char *root_dir(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	return r && *r ? r : ".";
}

/* ---- golden fixtures ------------------------------------------------------- */

/* The feed fixtures found at start-up (relative to the fixture root), sorted. */
static char **feeds;
static int nfeeds;

static int is_feed_name(const char *n)
{
	static const char *const exts[] = {".rss", ".xml", ".atom"};
	size_t l = strlen(n);
	for (size_t i = 0; i < 3; i++) {
		size_t e = strlen(exts[i]);
		if (l > e && strcmp(n + l - e, exts[i]) == 0)
			return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_feeds(void)
{
	static const char *const dirs[] = {"aws", "azure", "statuspage-feed"};
	for (size_t i = 0; i < 3; i++) {
		char *path = ts_fixture(dirs[i]);
		DIR *d = opendir(path);
		free(path);
		if (!d)
			continue; /* reported by the golden_found test */
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (!is_feed_name(de->d_name))
				continue;
			feeds = xreallocarray(feeds, (size_t)nfeeds + 1, sizeof *feeds);
			feeds[nfeeds++] = xasprintf("%s/%s", dirs[i], de->d_name);
		}
		closedir(d);
	}
	if (nfeeds > 1)
		qsort(feeds, (size_t)nfeeds, sizeof *feeds, cmp_str);
}

START_TEST(golden_found)
{
	/* 2 AWS RSS + 1 Azure + 3 history.atom at the time of writing */
	ck_assert_msg(nfeeds >= 6, "found only %d feed fixtures; is ITSTATUS_FIXTURES right?",
		      nfeeds);
}
END_TEST

START_TEST(golden)
{
	const char *rel = feeds[_i];
	const char *base = strrchr(rel, '/') + 1;
	size_t blen;
	char *body = load_fixture(rel, &blen);
	char *gpath = xasprintf("%s/t/golden/rss/%s.expected", root_dir(), base);
	char *gold = ts_read(gpath, NULL);
	ck_assert_msg(gold != NULL, "no golden file %s for fixture %s", gpath, rel);

	int blocks = 0;
	char *save = NULL;
	struct buf want, got;
	buf_init(&want, 0);
	buf_init(&got, 0);
	char now[64] = "";
	int hours = 0, in_block = 0;
	/* Line by line; a trailing sentinel blank line closes the last block. */
	size_t glen = strlen(gold);
	gold = xrealloc(gold, glen + 3);
	memcpy(gold + glen, "\n\n", 3);
	for (char *line = gold; line && *line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (line[0] == '#')
			continue;
		if (strncmp(line, "now=", 4) == 0) {
			snprintf(now, sizeof now, "%s", line + 4);
			hours = 0;
			in_block = 1;
			buf_reset(&want);
			continue;
		}
		if (in_block && strncmp(line, "hours=", 6) == 0) {
			hours = (int)strtol(line + 6, NULL, 10);
			continue;
		}
		if (in_block && line[0] != '\0') {
			buf_puts(&want, line);
			buf_putc(&want, '\n');
			continue;
		}
		if (in_block && line[0] == '\0') {
			struct fmt_reading r;
			run_rss(body, blen, now, hours, &r);
			buf_reset(&got);
			render(&r, &got);
			fmt_reading_release(&r);
			ck_assert_msg(strcmp(want.data ? want.data : "", got.data) == 0,
				      "%s at now=%s hours=%d:\n--- want\n%s--- got\n%s", rel, now,
				      hours, want.data ? want.data : "", got.data);
			blocks++;
			in_block = 0;
		}
	}
	ck_assert_msg(blocks >= 2, "%s: golden file needs an active and a +30 days block", gpath);
	buf_release(&want);
	buf_release(&got);
	free(gold);
	free(gpath);
	free(body);
}
END_TEST

/* ---- rules on synthetic feeds ----------------------------------------------- */

/* An AWS-shaped item. */
static void aws_item(struct buf *b, const char *title, const char *pubdate, const char *guid)
{
	buf_printf(b,
		   "<item><title><![CDATA[%s]]></title><link>https://status.aws.amazon.com/</link>"
		   "<pubDate>%s</pubDate><guid "
		   "isPermaLink=\"false\">https://status.aws.amazon.com/#%s</guid>"
		   "<description><![CDATA[text]]></description></item>\n",
		   title, pubdate, guid);
}

/* An RSS document around the items; the caller frees. */
static char *aws_feed(const char *items)
{
	return xasprintf(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>AWS</title><link>https://status.aws.amazon.com/</link>%s</channel></rss>\n",
	    items);
}

START_TEST(aws_newest_of_group_decides)
{
	struct buf b;
	buf_init(&b, 0);
	aws_item(&b, "Service is operating normally: [RESOLVED] Elevated errors",
		 "Mon, 17 Aug 2026 21:00:00 PDT", "ec2-us-east-1_1787025600");
	aws_item(&b, "Service disruption: Elevated errors", "Mon, 17 Aug 2026 20:00:00 PDT",
		 "ec2-us-east-1_1787022000");
	char *feed = aws_feed(b.data);
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	ck_assert_ptr_null(r.incident_id);
	fmt_reading_release(&r);
	free(feed);

	/* order in the document does not matter, the dates do */
	buf_reset(&b);
	aws_item(&b, "Service disruption: Elevated errors", "Mon, 17 Aug 2026 20:00:00 PDT",
		 "ec2-us-east-1_1787022000");
	aws_item(&b, "Service impact: Elevated errors", "Mon, 17 Aug 2026 21:00:00 PDT",
		 "ec2-us-east-1_1787025600");
	feed = aws_feed(b.data);
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	ck_assert_str_eq(r.incident_id, "https://status.aws.amazon.com/#ec2-us-east-1");
	ck_assert_str_eq(r.detail, "Service impact: Elevated errors");
	fmt_reading_release(&r);
	free(feed);
	buf_release(&b);
}
END_TEST

START_TEST(aws_worst_of_groups)
{
	struct buf b;
	buf_init(&b, 0);
	aws_item(&b, "Informational message: Delays", "Mon, 17 Aug 2026 21:30:00 PDT",
		 "s3-eu-west-1_1");
	aws_item(&b, "Service impact: Errors", "Mon, 17 Aug 2026 20:50:00 PDT",
		 "lambda-us-east-1_2");
	aws_item(&b, "Service disruption: Outage", "Mon, 17 Aug 2026 20:00:00 PDT",
		 "ec2-us-east-1_3");
	aws_item(&b, "Service impact: Old", "Mon, 10 Aug 2026 20:00:00 PDT", "rds-us-east-1_4");
	char *feed = aws_feed(b.data);
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.status, ST_MAJOR_OUTAGE);
	ck_assert_str_eq(r.incident_id, "https://status.aws.amazon.com/#ec2-us-east-1");
	ck_assert_str_eq(r.incident_title, "Service disruption: Outage");
	fmt_reading_release(&r);

	/* an hour-long window leaves only the informational message -> degraded */
	struct fmt_input in = {.body = feed, .len = strlen(feed)};
	struct fmt_opts o = {.rss_active_hours = 1};
	ts_parse("2026-08-18T05:00:00Z", &o.now_ms);
	fmt_rss(&in, &o, &r);
	ck_assert_int_eq(r.status, ST_DEGRADED);
	ck_assert_str_eq(r.incident_id, "https://status.aws.amazon.com/#s3-eu-west-1");
	fmt_reading_release(&r);
	free(feed);
	buf_release(&b);
}
END_TEST

START_TEST(rss_without_guid_groups_by_title)
{
	const char *feed =
	    "<rss version=\"2.0\"><channel><title>x</title>"
	    "<item><title>Service is operating normally: [RESOLVED] Increased latency</title>"
	    "<pubDate>Tue, 18 Aug 2026 04:30:00 GMT</pubDate></item>"
	    "<item><title>Service impact: Increased latency</title>"
	    "<pubDate>Tue, 18 Aug 2026 04:00:00 GMT</pubDate></item>"
	    "<item><title>Investigating: Login failures</title>"
	    "<pubDate>Tue, 18 Aug 2026 03:00:00 GMT</pubDate></item>"
	    "</channel></rss>";
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_DEGRADED);
	ck_assert_str_eq(r.incident_id, "login failures");
	fmt_reading_release(&r);
}
END_TEST

/* The status the reader gives a one-item RSS feed with this title, an hour old. */
static enum st_status one_item_status(const char *title)
{
	char *feed = xasprintf("<rss><channel><item><title>%s</title><guid>g</guid>"
			       "<pubDate>Tue, 18 Aug 2026 04:00:00 GMT</pubDate></item>"
			       "</channel></rss>",
			       title);
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_msg(r.ok, "\"%s\": %s", title, r.reason ? r.reason : "");
	enum st_status st = r.status;
	fmt_reading_release(&r);
	free(feed);
	return st;
}

START_TEST(title_words)
{
	static const struct {
		const char *title;
		enum st_status want;
	} cases[] = {
	    {"Major outage of the API", ST_MAJOR_OUTAGE},
	    {"Service disruption: x", ST_MAJOR_OUTAGE},
	    {"Partial Outage in EU", ST_PARTIAL_OUTAGE},
	    {"Service impact: x", ST_PARTIAL_OUTAGE},
	    {"Informational message: x", ST_DEGRADED},
	    {"Performance issues", ST_DEGRADED},
	    {"Unresolved DNS lookups", ST_DEGRADED}, /* "unresolved" is not "resolved" */
	    {"Resolved: DNS lookups", ST_OPERATIONAL},
	    {"Informational message: [RESOLVED] x", ST_OPERATIONAL},
	    {"Service is operating normally: x", ST_OPERATIONAL},
	    {"Maintenance completed", ST_OPERATIONAL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum st_status got = one_item_status(cases[i].title);
		ck_assert_msg(got == cases[i].want, "\"%s\" -> %s, want %s", cases[i].title,
			      st_status_str(got), st_status_str(cases[i].want));
	}
}
END_TEST

/* The seed's title keyword table (doc/drift.md#rss), one golden row per keyword. */
START_TEST(seed_keyword_table)
{
	static const struct {
		const char *title;
		enum st_status want; /* of the table; ST_UNKNOWN = no keyword */
	} cases[] = {
	    {"Major outage of the API", ST_MAJOR_OUTAGE},
	    {"Service outage in progress", ST_MAJOR_OUTAGE},
	    {"Dashboard COMPLETELY UNAVAILABLE", ST_MAJOR_OUTAGE},
	    {"Partial outage: EU", ST_PARTIAL_OUTAGE},
	    {"Partial disruption of email", ST_PARTIAL_OUTAGE},
	    {"Some users cannot log in", ST_PARTIAL_OUTAGE},
	    {"Degraded search", ST_DEGRADED},
	    {"Performance issue on uploads", ST_DEGRADED},
	    {"Intermittent errors", ST_DEGRADED},
	    {"Delays in notifications", ST_DEGRADED},
	    {"Investigating elevated errors", ST_DEGRADED},
	    {"Resolved - login errors", ST_OPERATIONAL},
	    {"All systems operational", ST_OPERATIONAL},
	    {"Email delivery recovered", ST_OPERATIONAL},
	    {"Fix implemented for sync", ST_OPERATIONAL},
	    /* most severe first */
	    {"Investigating a major outage", ST_MAJOR_OUTAGE},
	    {"Some users see delays", ST_PARTIAL_OUTAGE},
	    {"Recovered from intermittent errors", ST_DEGRADED},
	    /* a keyword counts at the start of a word only */
	    {"Unresolved DNS lookups", ST_UNKNOWN},
	    {"Update on billing", ST_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum st_status got = fmt_rss_title_status(cases[i].title);
		ck_assert_msg(got == cases[i].want, "table: \"%s\" -> %s, want %s", cases[i].title,
			      st_status_str(got), st_status_str(cases[i].want));
		/* Through the reader: an open item without a keyword is degraded,
		 * the operational row closes it. */
		enum st_status want = cases[i].want == ST_UNKNOWN ? ST_DEGRADED : cases[i].want;
		got = one_item_status(cases[i].title);
		ck_assert_msg(got == want, "feed: \"%s\" -> %s, want %s", cases[i].title,
			      st_status_str(got), st_status_str(want));
	}
	/* An old keyword item has aged out: recency still rules. */
	struct fmt_reading r;
	run_str("<rss><channel><item><title>Major outage of the API</title><guid>g</guid>"
		"<pubDate>Tue, 11 Aug 2026 04:00:00 GMT</pubDate></item></channel></rss>",
		"2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(rss_maintenance_item)
{
	const char *feed =
	    "<rss><channel><item><title>Scheduled maintenance: database upgrade</title>"
	    "<guid>m1</guid><pubDate>Tue, 18 Aug 2026 04:00:00 GMT</pubDate></item>"
	    "</channel></rss>";
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	ck_assert_int_eq(r.in_maintenance, 1);
	ck_assert_int_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].status, "scheduled");
	ck_assert_str_eq(r.maints[0].scheduled_for, "2026-08-18T04:00:00.000Z");
	fmt_reading_release(&r);
}
END_TEST

/* A Statuspage-shaped Atom entry; content is HTML-escaped as in history.atom. Caller frees. */
static char *atom_entry(const char *id, const char *published, const char *updated,
			const char *title, const char *escaped_html)
{
	return xasprintf(
	    "<entry><id>%s</id><published>%s</published><updated>%s</updated>"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"https://x.example/i/%s\"/>"
	    "<title>%s</title><content type=\"html\">%s</content></entry>",
	    id, published, updated, id, title, escaped_html);
}

/* An Atom document around the entries; the caller frees. */
static char *atom_feed(const char *entries)
{
	return xasprintf(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xml:lang=\"en-US\" xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<id>tag:x,2005:/history</id><title>X</title><updated>2026-08-18T00:00:00Z</updated>"
	    "%s</feed>",
	    entries);
}

static enum st_status atom_one(const char *title, const char *label, struct fmt_reading *r)
{
	char *html =
	    xasprintf("&lt;p&gt;&lt;small&gt;Aug &lt;var data-var='date'&gt;18&lt;/var&gt;"
		      "&lt;/small&gt;&lt;br&gt;&lt;strong&gt;%s&lt;/strong&gt; - text&lt;/p&gt;",
		      label);
	char *e = atom_entry("1", "2026-08-18T04:00:00Z", "2026-08-18T04:00:00Z", title, html);
	char *feed = atom_feed(e);
	run_str(feed, "2026-08-18T05:00:00Z", r);
	ck_assert_int_eq(r->ok, 1);
	free(feed);
	free(e);
	free(html);
	return r->status;
}

START_TEST(atom_labels)
{
	static const struct {
		const char *title, *label;
		enum st_status want;
		int maint;
	} cases[] = {
	    {"Incident with Actions", "Investigating", ST_DEGRADED, 0},
	    {"Incident with Actions", "Identified", ST_DEGRADED, 0},
	    {"Incident with Actions", "Monitoring", ST_DEGRADED, 0},
	    {"Incident with Actions", "Update", ST_DEGRADED, 0},
	    {"Incident with Actions", "Resolved", ST_OPERATIONAL, 0},
	    {"Incident with Actions", "Postmortem", ST_OPERATIONAL, 0},
	    {"Major outage for Git", "Investigating", ST_MAJOR_OUTAGE, 0},
	    {"Partial outage for Git", "Identified", ST_PARTIAL_OUTAGE, 0},
	    {"Major outage for Git", "Resolved", ST_OPERATIONAL,
	     0}, /* label wins over title words */
	    {"Resolved issue with Pages", "Investigating", ST_DEGRADED,
	     0}, /* Atom: label, not title */
	    {"Database maintenance", "In progress", ST_OPERATIONAL, 1},
	    {"Database maintenance", "Verifying", ST_OPERATIONAL, 1},
	    {"Database maintenance", "Completed", ST_OPERATIONAL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fmt_reading r;
		enum st_status got = atom_one(cases[i].title, cases[i].label, &r);
		ck_assert_msg(got == cases[i].want, "%s / %s -> %s", cases[i].title, cases[i].label,
			      st_status_str(got));
		ck_assert_msg(r.in_maintenance == cases[i].maint, "%s / %s: in_maintenance %d",
			      cases[i].title, cases[i].label, r.in_maintenance);
		if (got != ST_OPERATIONAL) {
			ck_assert_str_eq(r.incident_id, "1");
			ck_assert_str_eq(r.detail, cases[i].title);
		}
		fmt_reading_release(&r);
	}
}
END_TEST

START_TEST(atom_maintenance_banner)
{
	/* A window across New Year, given with both dates; the year comes from <published>. */
	const char *html =
	    "&lt;p&gt;&lt;strong&gt;THIS IS A SCHEDULED EVENT Dec &lt;var data-var='date'&gt;31"
	    "&lt;/var&gt;, &lt;var data-var='time'&gt;23:00&lt;/var&gt; - Jan &lt;var "
	    "data-var='date'&gt; 1&lt;/var&gt;, &lt;var data-var='time'&gt;01:30&lt;/var&gt; "
	    "UTC&lt;/strong&gt;&lt;/p&gt;&lt;p&gt;&lt;small&gt;Dec 20&lt;/small&gt;&lt;br&gt;"
	    "&lt;strong&gt;Scheduled&lt;/strong&gt; - We will upgrade &amp;amp; restart."
	    "&lt;/p&gt;";
	char *e = atom_entry("m", "2026-12-31T23:00:00Z", "2026-12-20T10:00:00Z", "Upgrade", html);
	char *feed = atom_feed(e);
	struct fmt_reading r;
	run_str(feed, "2026-12-20T11:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.in_maintenance, 0);
	ck_assert_int_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].scheduled_for, "2026-12-31T23:00:00.000Z");
	ck_assert_str_eq(r.maints[0].scheduled_until, "2027-01-01T01:30:00.000Z");
	ck_assert_str_eq(r.maints[0].description, "We will upgrade & restart.");
	ck_assert_str_eq(r.maints[0].status, "scheduled");
	fmt_reading_release(&r);

	run_str(feed, "2027-01-01T00:00:00Z", &r);
	ck_assert_int_eq(r.in_maintenance, 1);
	ck_assert_str_eq(r.detail, "Upgrade");
	fmt_reading_release(&r);

	run_str(feed, "2027-01-01T02:00:00Z", &r);
	ck_assert_int_eq(r.in_maintenance, 0);
	ck_assert_int_eq(r.nmaints, 0);
	fmt_reading_release(&r);
	free(feed);
	free(e);
}
END_TEST

START_TEST(atom_maintenance_does_not_mask_incident)
{
	char *m = atom_entry("m", "2026-08-18T04:00:00Z", "2026-08-18T04:00:00Z", "Maintenance",
			     "&lt;strong&gt;In progress&lt;/strong&gt; - working");
	char *i =
	    atom_entry("i", "2026-08-18T04:10:00Z", "2026-08-18T04:10:00Z", "Partial outage of Git",
		       "&lt;strong&gt;Investigating&lt;/strong&gt; - looking");
	char *both = xasprintf("%s%s", m, i);
	char *feed = atom_feed(both);
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	ck_assert_int_eq(r.in_maintenance, 1);
	ck_assert_str_eq(r.incident_id, "i");
	ck_assert_int_eq(r.nmaints, 1);
	ck_assert_str_eq(r.maints[0].status, "in_progress");
	fmt_reading_release(&r);
	free(feed);
	free(both);
	free(i);
	free(m);
}
END_TEST

START_TEST(atom_xhtml_and_no_id)
{
	/* Inline XHTML content keeps its <strong>; without <id> the link is the key. */
	const char *feed =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<updated>2026-08-18T04:00:00Z</updated><title>Slow pages</title>"
	    "<link href=\"https://x.example/a\" rel=\"self\"/>"
	    "<link href=\"https://x.example/b\" rel=\"alternate\"/>"
	    "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>"
	    "<strong>Monitoring</strong> - better</p></div></content></entry></feed>";
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_DEGRADED);
	ck_assert_str_eq(r.incident_id, "https://x.example/b");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(statuspage_rss_variant)
{
	/* Statuspage's history.rss puts the same HTML in <description>. */
	const char *feed =
	    "<rss version=\"2.0\"><channel><title>x</title><item><title>Incident with API</title>"
	    "<description>&lt;p&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - done&lt;/p&gt;"
	    "</description><pubDate>Tue, 18 Aug 2026 04:00:00 +0000</pubDate>"
	    "<guid>https://x.example/incidents/abc</guid></item></channel></rss>";
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	ck_assert_str_eq(r.detail, "Incident with API");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(namespaced_fields)
{
	/* media:title and a repeated title are ignored; a10:updated (Azure) and dc:date date items
	 */
	const char *feed =
	    "<rss xmlns:a10=\"http://www.w3.org/2005/Atom\"><channel>"
	    "<item><title>Service impact: real</title><media:title>Resolved fake</media:title>"
	    "<title>Resolved too</title><guid>a</guid>"
	    "<a10:updated>2026-08-18T04:00:00Z</a10:updated></item>"
	    "<item><title>Partial outage: second</title><guid>b</guid>"
	    "<dc:date>2026-08-18T04:10:00Z</dc:date></item>"
	    "</channel></rss>";
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_msg(r.ok == 1, "%s", r.reason);
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	ck_assert_str_eq(r.incident_id, "b"); /* both partial; b is newer */
	fmt_reading_release(&r);
	run_str(feed, "2026-08-19T04:05:00Z", &r); /* b is 23h55m old, a 24h05m */
	ck_assert_str_eq(r.incident_id, "b");
	fmt_reading_release(&r);
	/* a foreign prefix does not count as the date */
	expect_fail_str(
	    "<rss><channel><item><title>x</title><foo:pubDate>2026-08-18T04:00:00Z</foo:pubDate>"
	    "</item></channel></rss>",
	    "parse_error: entry 1 has no date");
}
END_TEST

START_TEST(reason_is_valid_utf8)
{
	/* a long non-ASCII root name is quoted cut on a character boundary */
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<");
	for (int i = 0; i < 30; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "/>");
	struct fmt_reading r;
	run_rss(b.data, b.len, "2026-08-18T05:00:00Z", 0, &r);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_msg(strncmp(r.reason, "parse_error: not an RSS or Atom feed (root <", 44) == 0,
		      "%s", r.reason);
	size_t bad;
	ck_assert_int_eq(xml_utf8_valid(r.reason, strlen(r.reason), &bad), 0);
	fmt_reading_release(&r);
	buf_release(&b);
}
END_TEST

START_TEST(window_edges)
{
	const char *feed = "<rss><channel><item><title>Service impact: x</title><guid>g</guid>"
			   "<pubDate>2026-08-18T00:00:00Z</pubDate></item></channel></rss>";
	struct fmt_reading r;
	run_str(feed, "2026-08-19T00:00:00Z", &r); /* exactly 24 h: still active */
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	fmt_reading_release(&r);
	run_str(feed, "2026-08-19T00:00:00.001Z", &r);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	fmt_reading_release(&r);
	run_str(feed, "2026-08-17T01:00:00Z", &r); /* 23 h in the future: clock skew, counts */
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	fmt_reading_release(&r);
	run_str(feed, "2020-01-01T00:00:00Z", &r); /* years ahead: does not */
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	fmt_reading_release(&r);

	/* extreme options must not overflow */
	struct fmt_input in = {.body = feed, .len = strlen(feed)};
	struct fmt_opts o = {.rss_active_hours = 2147483647, .now_ms = INT64_MAX};
	fmt_rss(&in, &o, &r);
	ck_assert_int_eq(r.ok, 1);
	fmt_reading_release(&r);
	o.now_ms = INT64_MIN;
	fmt_rss(&in, &o, &r);
	ck_assert_int_eq(r.ok, 1);
	fmt_reading_release(&r);
	fmt_rss(&in, NULL, &r); /* no options at all */
	ck_assert_int_eq(r.ok, 1);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(detail_truncated)
{
	struct buf t;
	buf_init(&t, 0);
	buf_puts(&t, "Service impact: ");
	for (int i = 0; i < 100; i++)
		buf_puts(&t,
			 "\xc3\xa9t\xc3\xa9 "); /* multi-byte text, so the cut must respect UTF-8 */
	char *feed = xasprintf("<rss><channel><item><title>%s</title><guid>g</guid>"
			       "<pubDate>2026-08-18T04:00:00Z</pubDate></item></channel></rss>",
			       t.data);
	struct fmt_reading r;
	run_str(feed, "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.status, ST_PARTIAL_OUTAGE);
	ck_assert_uint_le(strlen(r.detail), FMT_TEXT_MAX);
	ck_assert_uint_ge(strlen(r.detail), FMT_TEXT_MAX - 8);
	size_t bad;
	ck_assert_int_eq(xml_utf8_valid(r.detail, strlen(r.detail), &bad), 0);
	ck_assert_int_eq(xml_utf8_valid(r.incident_title, strlen(r.incident_title), &bad), 0);
	fmt_reading_release(&r);
	free(feed);
	buf_release(&t);
}
END_TEST

START_TEST(reading_reused_after_free)
{
	/* fmt_rss initialises its reading; a freed reading can be passed again. */
	struct fmt_reading r;
	run_str("", NULL, &r);
	ck_assert_int_eq(r.ok, 0);
	fmt_reading_release(&r);
	run_str("<rss><channel/></rss>", "2026-08-18T05:00:00Z", &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_OPERATIONAL);
	ck_assert_ptr_null(r.reason);
	fmt_reading_release(&r);
}
END_TEST

/* ---- hostile bodies ----------------------------------------------------------- */

START_TEST(hostile_empty)
{
	expect_fail("", 0, "parse_error: empty body");
	expect_fail_str(" \r\n\t ", "parse_error: empty body");
	struct fmt_input in = {.body = NULL, .len = 0};
	struct fmt_opts o = {0};
	struct fmt_reading r;
	fmt_rss(&in, &o, &r);
	ck_assert_int_eq(r.ok, 0);
	fmt_reading_release(&r);
}
END_TEST

START_TEST(hostile_truncated_fixtures)
{
	for (int f = 0; f < nfeeds; f++) {
		size_t len;
		char *body = load_fixture(feeds[f], &len);
		/* cut anywhere before the root's end tag is complete */
		size_t last = len;
		while (last > 0 && !(body[last - 1] == '<' && body[last] == '/'))
			last--;
		ck_assert(last > 0);
		size_t cuts[] = {1,	   10,	    len / 7, len / 3, len / 2, (len * 9) / 10,
				 last - 1, last + 2};
		for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
			if (cuts[c] == 0 || cuts[c] >= len)
				continue;
			/* own copy of exactly the prefix, so ASan sees any over-read */
			char *p = xstrndup(body, cuts[c]);
			struct fmt_reading r;
			run_rss(p, cuts[c], "2026-08-18T05:01:19Z", 0, &r);
			ck_assert_msg(r.ok == 0, "%s cut at %zu accepted", feeds[f], cuts[c]);
			ck_assert_msg(strncmp(r.reason, "parse_error: ", 13) == 0, "%s", r.reason);
			fmt_reading_release(&r);
			free(p);
		}
		free(body);
	}
}
END_TEST

START_TEST(hostile_html)
{
	expect_fail_str("<!DOCTYPE html>\n<html><head><title>503</title></head><body><p>Service "
			"Unavailable<br></body></html>",
			"parse_error: HTML page instead of a feed");
	expect_fail_str("\xEF\xBB\xBF  <HTML><body>Access denied</body></HTML>",
			"parse_error: HTML page instead of a feed");
	/* well-formed XHTML gets past the sniffing, and is refused by its root */
	expect_fail_str(
	    "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
	    "parse_error: HTML page instead of a feed");
	expect_fail_str("<?xml version=\"1.0\"?><status><ok/></status>",
			"parse_error: not an RSS or Atom feed (root <status>)");
	expect_fail_str("{\"status\":\"ok\"}",
			"parse_error: malformed XML: text before the root element");
	expect_fail_str("<rss version=\"2.0\"></rss>",
			"parse_error: RSS document without a channel");
}
END_TEST

START_TEST(hostile_encoding)
{
	size_t len;
	char *body = load_fixture("aws/aws-all-rss-50-items-resolved-chain.rss", &len);
	char *p = strstr(body, "Increased Packet loss");
	ck_assert_ptr_nonnull(p);
	static const char *const bads[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
					   "\xe2\x82"};
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		char *copy = xmalloc(len + 1);
		memcpy(copy, body, len + 1);
		memcpy(copy + (p - body), bads[i], strlen(bads[i]));
		expect_fail(copy, len, "parse_error: malformed XML: invalid UTF-8 at byte");
		free(copy);
	}
	/* a NUL inside the body (len counts past it) */
	char *copy = xmalloc(len + 1);
	memcpy(copy, body, len + 1);
	copy[p - body] = '\0';
	expect_fail(copy, len, "parse_error: malformed XML: control character 0x00");
	free(copy);
	/* UTF-16 with BOM (AWS reportedly served some JSON like that) */
	expect_fail("\xff\xfe<\0r\0s\0s\0>\0", 10, "parse_error: malformed XML: invalid UTF-8");
	free(body);
}
END_TEST

START_TEST(hostile_too_large)
{
	/* a well-formed 6 MB feed: refused on size before any parsing */
	size_t n = 6u * 1024 * 1024;
	char *big = xmalloc(n + 1);
	const char *head = "<rss><channel><item><title>x</title><description>";
	const char *tail =
	    "</description><pubDate>2026-08-18T04:00:00Z</pubDate></item></channel></rss>";
	size_t hl = strlen(head), tl = strlen(tail);
	memcpy(big, head, hl);
	memset(big + hl, 'a', n - hl - tl);
	memcpy(big + n - tl, tail, tl + 1);
	expect_fail(big, n, "parse_error: body too large");
	/* just under the cap is fine */
	size_t m = FMT_MAX_BODY;
	memcpy(big + m - tl, tail, tl + 1);
	struct fmt_reading r;
	run_rss(big, m, "2026-08-18T05:00:00Z", 0, &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.status, ST_DEGRADED);
	fmt_reading_release(&r);
	free(big);
}
END_TEST

START_TEST(hostile_deep_nesting)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<rss><channel>");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "<a>");
	expect_fail(b.data, b.len, "parse_error: malformed XML: elements nested too deeply");
	buf_reset(&b);
	/* exactly the cap is allowed (and ignored: not an item) */
	buf_puts(&b, "<rss><channel>");
	for (int i = 2; i < XML_MAX_DEPTH; i++)
		buf_puts(&b, "<a>");
	for (int i = 2; i < XML_MAX_DEPTH; i++)
		buf_puts(&b, "</a>");
	buf_puts(&b, "</channel></rss>");
	struct fmt_reading r;
	run_rss(b.data, b.len, "2026-08-18T05:00:00Z", 0, &r);
	ck_assert_msg(r.ok == 1, "%s", r.reason);
	fmt_reading_release(&r);
	buf_release(&b);
}
END_TEST

START_TEST(hostile_entities)
{
	/* billion laughs: the DOCTYPE is skipped, the reference is unknown */
	expect_fail_str("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
			"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
			"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
			"<rss><channel><item><title>&lol3;</title></item></channel></rss>",
			"parse_error: malformed XML: unknown entity");
	/* external entity (XXE) */
	expect_fail_str("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			"<rss><channel><title>&x;</title></channel></rss>",
			"parse_error: malformed XML: unknown entity");
	/* a '>' and ']' inside quoted DOCTYPE text do not end it early */
	const char *ok =
	    "<!DOCTYPE rss [<!ENTITY a \"]>\"><!-- ]> -->]><rss><channel><title>&amp;&#65;&#x42;"
	    "</title></channel></rss>";
	struct fmt_reading r;
	run_str(ok, "2026-08-18T05:00:00Z", &r);
	ck_assert_msg(r.ok == 1, "%s", r.reason);
	fmt_reading_release(&r);
	expect_fail_str("<rss><channel><title>a & b</title></channel></rss>",
			"parse_error: malformed XML: bad '&'");
	expect_fail_str("<rss><channel><title>&#0;</title></channel></rss>",
			"parse_error: malformed XML: character reference to a non-XML character");
	expect_fail_str("<rss><channel><title>&#xD800;</title></channel></rss>",
			"parse_error: malformed XML: character reference to a non-XML character");
	expect_fail_str("<rss><channel><title>&#x110000;</title></channel></rss>",
			"parse_error: malformed XML: character reference out of range");
	expect_fail_str("<rss><channel><title>&#xZZ;</title></channel></rss>",
			"parse_error: malformed XML: bad character reference");
}
END_TEST

START_TEST(hostile_dates)
{
	expect_fail_str("<rss><channel><item><title>Service impact: x</title><guid>g</guid></item>"
			"</channel></rss>",
			"parse_error: entry 1 has no date");
	expect_fail_str("<rss><channel><item><title>a</title><pubDate>Tue, 18 Aug 2026 04:00:00 GMT"
			"</pubDate></item><item><title>b</title><pubDate>yesterday</pubDate></item>"
			"</channel></rss>",
			"parse_error: entry 2 has an unreadable date");
	expect_fail_str(
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id><title>t</title>"
	    "<updated>   </updated></entry></feed>",
	    "parse_error: entry 1 has no date");
	expect_fail_str(
	    "<feed><entry><id>1</id><updated>2026-02-30T00:00:00Z</updated></entry></feed>",
	    "parse_error: entry 1 has an unreadable date");
}
END_TEST

START_TEST(hostile_malformed)
{
	static const struct {
		const char *body, *reason;
	} cases[] = {
	    {"<rss><channel></rss>", "mismatched end tag"},
	    {"<rss><channel>", "unexpected end of document inside an element"},
	    {"<rss><channel><title><![CDATA[x</title></channel></rss>",
	     "unterminated CDATA section"},
	    {"<rss><!-- x </rss>", "unterminated comment"},
	    {"<rss><?pi x </rss>", "unterminated processing instruction"},
	    {"<rss a=b></rss>", "attribute value not quoted"},
	    {"<rss a=\"1\" a=\"2\"></rss>", "duplicate attribute"},
	    {"<rss a=\"1\"b=\"2\"></rss>", "missing space between attributes"},
	    {"<rss a=\"<\"></rss>", "'<' in attribute value"},
	    {"<rss></rss><rss></rss>", "second root element"},
	    {"<rss></rss>text", "content after the root element"},
	    {"</rss>", "end tag without start tag"},
	    {"<1rss></1rss>", "bad element name"},
	    {"<rss><channel/><!ELEMENT x></rss>", "unsupported markup declaration"},
	    {"<rss><!DOCTYPE x></rss>", "misplaced DOCTYPE"},
	    {"<!DOCTYPE x [", "unterminated DOCTYPE"},
	    {"<?xml version=\"1.0\"?>", "no root element"},
	    {"<rss", "unterminated start tag"},
	    {"<rss/", "bad empty-element tag"},
	    {"<rss></rss", "unterminated end tag"},
	    {"<rss a></rss>", "attribute without '='"},
	    {"<rss \x01></rss>", "control character 0x01"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *want = xasprintf("parse_error: malformed XML: %s", cases[i].reason);
		expect_fail_str(cases[i].body, want);
		free(want);
	}
}
END_TEST

/* ---- the XML reader itself ------------------------------------------------------ */

/* Events of a document as one line of text, for compact assertions. Caller frees. */
static char *events(const char *doc, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	struct xml_reader *r = xml_reader_new(doc, len);
	for (int guard = 0; guard < 10000; guard++) {
		enum xml_event ev = xml_next(r);
		if (ev == XML_EV_EOF) {
			buf_puts(&b, "EOF");
			break;
		}
		if (ev == XML_EV_ERROR) {
			buf_printf(&b, "ERROR(%s)", xml_error(r));
			/* sticky */
			ck_assert_int_eq(xml_next(r), XML_EV_ERROR);
			break;
		}
		if (ev == XML_EV_START) {
			buf_printf(&b, "<%s@%d", xml_name(r), xml_depth(r));
			for (size_t i = 0; i < xml_nattrs(r); i++)
				buf_printf(&b, " %s=[%s]", xml_attr_name(r, i),
					   xml_attr_value(r, i));
			buf_puts(&b, ">");
		} else if (ev == XML_EV_END) {
			buf_printf(&b, "</%s@%d>", xml_name(r), xml_depth(r));
		} else {
			size_t tl;
			const char *t = xml_text(r, &tl);
			ck_assert_uint_eq(strlen(t), tl);
			buf_printf(&b, "[%s@%d]", t, xml_depth(r));
		}
	}
	xml_reader_free(r);
	return buf_steal(&b);
}

static void assert_events(const char *doc, const char *want)
{
	char *got = events(doc, strlen(doc));
	ck_assert_msg(strcmp(got, want) == 0, "doc %s\n got  %s\n want %s", doc, got, want);
	free(got);
}

START_TEST(xml_events)
{
	assert_events("<a>x</a>", "<a@1>[x@1]</a@1>EOF");
	assert_events("\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- c -->\n<a/>\n<!-- d -->\n",
		      "<a@1></a@1>EOF");
	assert_events("<a><b k=\"v\" atom:x='1 &amp; 2'/></a>",
		      "<a@1><b@2 k=[v] atom:x=[1 & 2]></b@2></a@1>EOF");
	/* text, CDATA, references and a comment in between coalesce into one event */
	assert_events("<a>1 &lt; 2<![CDATA[ <b>&amp; ]]><!-- c -->&#x263A;&#65;</a>",
		      "<a@1>[1 < 2 <b>&amp; \xe2\x98\xba"
		      "A@1]</a@1>EOF");
	assert_events("<a:feed><a:entry>t</a:entry>\n</a:feed>",
		      "<a:feed@1><a:entry@2>[t@2]</a:entry@2>[\n@1]</a:feed@1>EOF");
	/* attribute white space normalised */
	assert_events("<a k=\"x\ty\nz\"/>", "<a@1 k=[x y z]></a@1>EOF");
	/* DOCTYPE with internal subset skipped */
	assert_events("<!DOCTYPE a [<!ENTITY e 'v'>]><a>&quot;&apos;</a>", "<a@1>[\"'@1]</a@1>EOF");
	/* end tag with space before '>' */
	assert_events("<a></a  >", "<a@1></a@1>EOF");
	/* empty CDATA yields an empty text event, not nothing weird */
	assert_events("<a><![CDATA[]]></a>", "<a@1>[@1]</a@1>EOF");
}
END_TEST

START_TEST(xml_errors_have_offsets)
{
	char *got = events("<a><b></a>", 10);
	ck_assert_str_eq(got, "<a@1><b@2>ERROR(mismatched end tag at byte 8)");
	free(got);
	got = events("<a>\xc3</a>", 8);
	ck_assert_str_eq(got, "ERROR(invalid UTF-8 at byte 3)"); /* checked before any event */
	free(got);
	got = events(NULL, 0);
	ck_assert_str_eq(got, "ERROR(no root element at byte 0)");
	free(got);
	/* text before an unexpected end is still reported, then the error */
	got = events("<a>tail", 7);
	ck_assert_str_eq(
	    got, "<a@1>[tail@1]ERROR(unexpected end of document inside an element at byte 7)");
	free(got);
}
END_TEST

START_TEST(xml_helpers)
{
	ck_assert_str_eq(xml_local_name("atom:link"), "link");
	ck_assert_str_eq(xml_local_name("link"), "link");
	ck_assert_str_eq(xml_local_name("a:b:c"), "c");
	size_t off = 99;
	ck_assert_int_eq(xml_utf8_valid("ok \xe2\x98\xba \xf0\x9f\x98\x80", 11, &off), 0);
	ck_assert_int_eq(xml_utf8_valid("ab\xe0\x80\x80", 5, &off), -1); /* overlong */
	ck_assert_uint_eq(off, 2);
	ck_assert_int_eq(xml_utf8_valid("\xf0\x9f\x98", 3, &off), -1); /* cut */
	ck_assert_uint_eq(off, 0);
	struct xml_reader *r = xml_reader_new("<a x='1' y='2'/>", 16);
	ck_assert_int_eq(xml_next(r), XML_EV_START);
	ck_assert_str_eq(xml_attr(r, "y"), "2");
	ck_assert_ptr_null(xml_attr(r, "z"));
	ck_assert_ptr_null(xml_attr_name(r, 5));
	ck_assert_str_eq(xml_error(r), "");
	xml_reader_free(r);
	xml_reader_free(NULL);
}
END_TEST

static Suite *rss_suite(void)
{
	Suite *s = suite_create("rss");
	TCase *tc = tcase_create("golden");
	tcase_add_test(tc, golden_found);
	tcase_add_loop_test(tc, golden, 0, nfeeds);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, aws_newest_of_group_decides);
	tcase_add_test(tc, aws_worst_of_groups);
	tcase_add_test(tc, rss_without_guid_groups_by_title);
	tcase_add_test(tc, title_words);
	tcase_add_test(tc, seed_keyword_table);
	tcase_add_test(tc, rss_maintenance_item);
	tcase_add_test(tc, atom_labels);
	tcase_add_test(tc, atom_maintenance_banner);
	tcase_add_test(tc, atom_maintenance_does_not_mask_incident);
	tcase_add_test(tc, atom_xhtml_and_no_id);
	tcase_add_test(tc, statuspage_rss_variant);
	tcase_add_test(tc, namespaced_fields);
	tcase_add_test(tc, reason_is_valid_utf8);
	tcase_add_test(tc, window_edges);
	tcase_add_test(tc, detail_truncated);
	tcase_add_test(tc, reading_reused_after_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hostile_empty);
	tcase_add_test(tc, hostile_truncated_fixtures);
	tcase_add_test(tc, hostile_html);
	tcase_add_test(tc, hostile_encoding);
	tcase_add_test(tc, hostile_too_large);
	tcase_add_test(tc, hostile_deep_nesting);
	tcase_add_test(tc, hostile_entities);
	tcase_add_test(tc, hostile_dates);
	tcase_add_test(tc, hostile_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("xml");
	tcase_add_test(tc, xml_events);
	tcase_add_test(tc, xml_errors_have_offsets);
	tcase_add_test(tc, xml_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	find_feeds();
	int rc = ts_run(rss_suite());
	for (int i = 0; i < nfeeds; i++)
		free(feeds[i]);
	free(feeds);
	return rc;
}
