/*
 * fmt_rss: status from an RSS 2.0 or Atom feed -- Statuspage history.atom,
 * AWS Health Dashboard all.rss, Azure status RSS and look-alikes. Feeds carry
 * no machine-readable state, so the state is read from words: the Statuspage
 * update label (first <strong> of the HTML content) or the title.
 *
 * Rules:
 *  - A feed with no items is operational (AWS and Azure publish an empty
 *    channel when nothing is wrong).
 *  - Entries are grouped per incident and only the newest entry of a group
 *    (by updated/pubDate; on a tie the one earlier in the document, feeds
 *    being newest-first) decides that incident, and only when its date is
 *    within opts->rss_active_hours (default 24) of opts->now_ms, either side
 *    (a small future skew counts, a date years ahead does not).
 *  - Resolved ("resolved", "completed", "postmortem" label; "[RESOLVED]",
 *    "operating normally", whole word "resolved"/"completed" in an RSS title)
 *    -> operational. Otherwise the seed's title keyword table
 *    (fmt_rss_title_status, doc/drift.md#rss: "major outage", "service
 *    outage", "completely unavailable" -> major_outage; "partial outage",
 *    "partial disruption", "some users" -> partial_outage; "degraded",
 *    "performance issue", "intermittent", "delays", "investigating" ->
 *    degraded; "operational", "recovered", "fix implemented" -> resolved),
 *    raised by "service disruption" (major_outage) and "service impact"
 *    (partial_outage) in the title or label; anything else still open
 *    (identified, monitoring, update, informational, ...) -> degraded.
 *  - Maintenances (Statuspage "THIS IS A SCHEDULED EVENT" banner or a
 *    Scheduled / In progress / Verifying label; "maintenance" in an RSS title)
 *    never change the status: they set in_maintenance while current and are
 *    listed in maints while upcoming or current. Their window comes from the
 *    schedule (Atom <published> is the scheduled start, the banner gives the
 *    end), not from the update date, because the notice is often posted days
 *    before the work.
 *  - Overall status = worst of the active incidents; detail, incident_id and
 *    incident_title come from the deciding (worst, then newest) incident.
 *
 * Grouping "per incident":
 *  - Atom: one entry per incident (Statuspage rewrites the entry on every
 *    update), key = <id>, else the alternate link, else the title.
 *  - RSS: key = <guid> with a trailing "_<digits>" removed: AWS guids are
 *    "<base>#<service>-<region>_<epoch of the update>", so the key is the
 *    service+region, whose newest item is its current state. Without a guid,
 *    the title with its "Prefix:" and "[RESOLVED]" stripped, lower-cased.
 *    A feed that gives every update a fresh guid without that suffix is taken
 *    as one incident per item (a stale open item then counts until it ages
 *    out of the window) -- guessing merges by title would risk hiding one
 *    open incident behind another's resolution, which is worse.
 *  - incident_id is the group key (stable across updates, which alert
 *    de-duplication needs); for Atom that is the entry id as written.
 *
 * Failures (ok = 0, "parse_error: ..."): empty body, body over FMT_MAX_BODY, an HTML
 * page, anything the XML reader rejects (truncation, invalid UTF-8, entities
 * other than the predefined ones, nesting over XML_MAX_DEPTH), a root other
 * than rss/RDF/feed, an entry without a parseable date.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "format.h"
#include "status.h"
#include "timeutil.h"
#include "xalloc.h"
#include "xml.h"

enum rss_kind { K_RESOLVED, K_MAINT, K_INCIDENT };
enum rss_mstate { M_SCHEDULED, M_IN_PROGRESS, M_VERIFYING, M_COMPLETED };

static const char *const mstate_names[] = {"scheduled", "in_progress", "verifying", "completed"};

/* One parsed entry/item, already classified. All strings owned by the entry. */
struct rss_entry {
	char *key;     /* grouping key (also the reported incident id) */
	char *title;   /* white space collapsed, truncated for display */
	char *desc;    /* maintenance: latest update text, may be NULL */
	int64_t when;  /* updated / pubDate */
	int64_t start; /* maintenance scheduled start, -1 unknown */
	int64_t until; /* maintenance scheduled end, -1 unknown */
	enum rss_kind kind;
	enum rss_mstate mstate;
	enum st_status sev; /* K_INCIDENT only */
	size_t seq;	    /* document order */
};

/* Fields of the entry being read. */
enum rss_field { F_NONE, F_TITLE, F_ID, F_LINK, F_UPDATED, F_PUBLISHED, F_CONTENT, F_OTHERDATE };

struct rss_cur {
	struct buf title, id, link, updated, published, content, otherdate;
	int have_alt_link; /* Atom: the alternate link (rel absent or "alternate") is taken */
};

/* ---- small string helpers -------------------------------------------------- */

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive (ASCII) substring search; returns the match or NULL. */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] &&
		       ascii_lower((unsigned char)p[i]) == ascii_lower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return p;
	}
	return NULL;
}

static int is_alnum_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Whole-word, case-insensitive: "resolved" matches "[RESOLVED]" but not "unresolved". */
static int has_word_ci(const char *hay, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = hay; (p = find_ci(p, word)) != NULL; p++) {
		int left_ok = p == hay || !is_alnum_byte((unsigned char)p[-1]);
		int right_ok = !is_alnum_byte((unsigned char)p[n]);
		if (left_ok && right_ok)
			return 1;
	}
	return 0;
}

/*
 * Copy s[0..n) with every run of white space turned into one space and the
 * ends trimmed. Caller frees.
 */
static char *collapse_ws(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	int space = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/*
 * Cut s in place to at most max bytes on a UTF-8 character boundary, marking
 * the cut with "..." so the UI shows that text is missing.
 */
static void truncate_utf8(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max || max < 4)
		return;
	size_t cut = max - 3;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(s + cut, "...", 4);
}

/*
 * HTML fragment -> plain text: tags dropped, the common entities decoded,
 * white space collapsed. Unknown entities are kept literally (this is for
 * display and keyword matching, not for re-parsing). Caller frees.
 */
static char *html_to_text(const char *s, size_t n)
{
	static const struct {
		const char *ent;
		const char *rep;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},   {"&quot;", "\""},
		    {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}, {"&#x27;", "'"}};
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0;
	while (i < n) {
		if (s[i] == '<') {
			const char *gt = memchr(s + i, '>', n - i);
			if (!gt)
				break;
			i = (size_t)(gt - s) + 1;
			/* Tags separate words ("<br>Update" must not glue to the date). */
			buf_putc(&b, ' ');
			continue;
		}
		if (s[i] == '&') {
			size_t k;
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
				size_t el = strlen(ents[k].ent);
				if (n - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
					buf_puts(&b, ents[k].rep);
					i += el;
					break;
				}
			}
			if (k < sizeof ents / sizeof ents[0])
				continue;
		}
		buf_putc(&b, s[i]);
		i++;
	}
	char *out = collapse_ws(b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/*
 * Statuspage content: find the n-th (0-based) <strong>...</strong> in html and
 * return its text; *after is set to where the closing tag ends. Returns NULL
 * when there is none. Caller frees.
 */
static char *nth_strong(const char *html, int nth, const char **after)
{
	const char *p = html;
	for (int k = 0;; k++) {
		const char *o = find_ci(p, "<strong");
		if (!o)
			return NULL;
		const char *gt = strchr(o, '>');
		if (!gt)
			return NULL;
		const char *c = find_ci(gt + 1, "</strong");
		if (!c)
			return NULL;
		if (k == nth) {
			const char *end = strchr(c, '>');
			*after = end ? end + 1 : c + strlen(c);
			return html_to_text(gt + 1, (size_t)(c - (gt + 1)));
		}
		p = c + 1;
	}
}

/*
 * The update text that follows a label: up to the end of its paragraph, " - "
 * trimmed. NULL when there is none; otherwise the caller frees.
 */
static char *text_after_label(const char *after)
{
	const char *end = find_ci(after, "</p");
	size_t n = end ? (size_t)(end - after) : strlen(after);
	char *t = html_to_text(after, n);
	const char *s = t;
	while (*s == ' ' || *s == '-')
		s++;
	char *out = xstrdup(s);
	free(t);
	if (!*out) {
		free(out);
		return NULL;
	}
	return out; /* fmt_maint_push cuts it to the banner length */
}

/* ---- classification -------------------------------------------------------- */

/*
 * The seed's title keyword table (doc/drift.md#rss),
 * most severe first; the first row with a keyword in the title decides.
 */
static const struct {
	enum st_status status;
	const char *words[6];
} title_keywords[] = {
    {ST_MAJOR_OUTAGE, {"major outage", "service outage", "completely unavailable", NULL}},
    {ST_PARTIAL_OUTAGE, {"partial outage", "partial disruption", "some users", NULL}},
    {ST_DEGRADED,
     {"degraded", "performance issue", "intermittent", "delays", "investigating", NULL}},
    {ST_OPERATIONAL, {"resolved", "operational", "recovered", "fix implemented", NULL}},
};

/* needle occurs in hay at the start of a word ("recovered" in "Recovered:",
 * "performance issue" in "performance issues", but not "resolved" in
 * "Unresolved", which the seed's bare substring test took for good news). */
static int word_start_ci(const char *hay, const char *needle)
{
	for (const char *p = hay; (p = find_ci(p, needle)) != NULL; p++)
		if (p == hay || !is_alnum_byte((unsigned char)p[-1]))
			return 1;
	return 0;
}

enum st_status fmt_rss_title_status(const char *title)
{
	for (size_t i = 0; title && i < sizeof title_keywords / sizeof title_keywords[0]; i++)
		for (const char *const *w = title_keywords[i].words; *w; w++)
			if (word_start_ci(title, *w))
				return title_keywords[i].status;
	return ST_UNKNOWN;
}

/*
 * Severity of an unresolved incident: the keyword table on the title, raised
 * by the vendor wordings the table does not know (AWS "Service disruption" /
 * "Service impact" prefixes, Statuspage labels); at least degraded.
 */
static enum st_status severity_of(const char *title, const char *label)
{
	enum st_status k = fmt_rss_title_status(title);
	enum st_status sev = k == ST_UNKNOWN || k == ST_OPERATIONAL ? ST_DEGRADED : k;
	const char *texts[2] = {title, label};
	for (int i = 0; i < 2; i++)
		if (texts[i] &&
		    (find_ci(texts[i], "major outage") || find_ci(texts[i], "service disruption")))
			return ST_MAJOR_OUTAGE;
	for (int i = 0; i < 2; i++)
		if (texts[i] &&
		    (find_ci(texts[i], "partial outage") || find_ci(texts[i], "service impact")))
			return fmt_worse(sev, ST_PARTIAL_OUTAGE);
	return sev;
}

/*
 * RSS-style: everything is in the title ("Service impact: ...", "[RESOLVED]").
 * The reader's resolution markers and maintenance word come first (they are
 * what AWS and Azure write); then the keyword table, whose operational row
 * ("recovered", "fix implemented", ...) also closes an incident.
 */
static void classify_by_title(struct rss_entry *e)
{
	const char *t = e->title;
	if (find_ci(t, "operating normally") || has_word_ci(t, "resolved") ||
	    has_word_ci(t, "completed")) {
		e->kind = K_RESOLVED;
		return;
	}
	if (has_word_ci(t, "maintenance")) {
		e->kind = K_MAINT;
		e->mstate = find_ci(t, "in progress") ? M_IN_PROGRESS : M_SCHEDULED;
		return;
	}
	if (fmt_rss_title_status(t) == ST_OPERATIONAL) {
		e->kind = K_RESOLVED;
		return;
	}
	/* The label of an RSS title is its "Prefix:" (AWS severity wording). */
	char label[64] = "";
	const char *colon = strchr(t, ':');
	if (colon && (size_t)(colon - t) < sizeof label) {
		memcpy(label, t, (size_t)(colon - t));
		label[colon - t] = '\0';
	}
	e->kind = K_INCIDENT;
	e->sev = severity_of(t, label);
}

static int label_is(const char *label, const char *word)
{
	return label && strlen(label) == strlen(word) && find_ci(label, word) == label;
}

/* Skip ASCII spaces. */
static const char *skip_sp(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* Read 1..digits decimal digits; -1 if none (or too many). */
static int read_uint(const char **pp, int maxdigits)
{
	const char *p = *pp;
	int v = 0, n = 0;
	while (isdigit((unsigned char)*p) && n < maxdigits) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || isdigit((unsigned char)*p))
		return -1;
	*pp = p;
	return v;
}

/* "Oct 5," (month word, day, optional comma); fills mon (3 letters) and *day. */
static int read_month_day(const char **pp, char mon[4], int *day)
{
	const char *p = *pp;
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	if (n < 3)
		return -1;
	memcpy(mon, p, 3);
	mon[3] = '\0';
	p = skip_sp(p + n);
	int d = read_uint(&p, 2);
	if (d < 0)
		return -1;
	/* Tags were turned into spaces: "<var>5</var>," reads "5 ,". */
	p = skip_sp(p);
	if (*p == ',')
		p++;
	*day = d;
	*pp = skip_sp(p);
	return 0;
}

/* "04:00" into "HH:MM" text (validated later by ts_parse). */
static int read_hhmm(const char **pp, char hhmm[6])
{
	const char *p = *pp;
	int h = read_uint(&p, 2);
	if (h < 0 || *p != ':')
		return -1;
	p++;
	int m = read_uint(&p, 2);
	if (m < 0)
		return -1;
	snprintf(hhmm, 6, "%02d:%02d", h % 100, m % 100);
	*pp = skip_sp(p);
	return 0;
}

/*
 * End of a Statuspage maintenance from its banner, "THIS IS A SCHEDULED EVENT
 * Oct 5, 04:00 - 05:00 UTC" or "... Oct 5, 22:00 - Oct 6, 02:00 UTC". The
 * banner has no year: it is taken from the start, and a result before the
 * start means the window crosses New Year. Returns ms or -1.
 */
static int64_t banner_end(const char *banner, int64_t start)
{
	const char *p = skip_sp(banner + strlen("this is a scheduled event"));
	char mon[4], mon2[4], hhmm[6], hhmm2[6], zone[16];
	int day, day2;
	if (read_month_day(&p, mon, &day) < 0 || read_hhmm(&p, hhmm) < 0 || *p != '-')
		return -1;
	p = skip_sp(p + 1);
	if (isalpha((unsigned char)*p)) {
		if (read_month_day(&p, mon2, &day2) < 0)
			return -1;
	} else {
		memcpy(mon2, mon, sizeof mon2);
		day2 = day;
	}
	if (read_hhmm(&p, hhmm2) < 0)
		return -1;
	size_t zl = strlen(p);
	if (zl == 0)
		snprintf(zone, sizeof zone, "UTC");
	else if (zl < sizeof zone)
		memcpy(zone, p, zl + 1);
	else
		return -1;
	time_t secs = (time_t)(start / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm))
		return -1;
	for (int extra = 0; extra < 2; extra++) {
		char text[64];
		int64_t ms;
		snprintf(text, sizeof text, "%d %s %d %s %s", day2 % 100, mon2,
			 tm.tm_year + 1900 + extra, hhmm2, zone);
		if (ts_parse(text, &ms) < 0)
			return -1;
		if (ms >= start)
			return ms;
	}
	return -1;
}

/*
 * Statuspage content: the first <strong> is the latest update's label, unless
 * it is the maintenance banner, in which case the next one is. Falls back to
 * the title rules when the content has no label at all (other Atom feeds).
 */
static void classify_statuspage(struct rss_entry *e, const char *html, int64_t published)
{
	const char *after = NULL;
	char *first = nth_strong(html, 0, &after);
	if (!first) {
		classify_by_title(e);
		return;
	}
	char *banner = NULL;
	char *label = first;
	if (find_ci(first, "this is a scheduled event") == first) {
		banner = first;
		label = nth_strong(html, 1, &after);
	}
	if (label_is(label, "resolved") || label_is(label, "completed") ||
	    label_is(label, "postmortem")) {
		e->kind = K_RESOLVED;
	} else if (banner || label_is(label, "scheduled") || label_is(label, "in progress") ||
		   label_is(label, "verifying")) {
		e->kind = K_MAINT;
		e->mstate = label_is(label, "in progress") ? M_IN_PROGRESS
			    : label_is(label, "verifying") ? M_VERIFYING
							   : M_SCHEDULED;
		e->start = published;
		e->desc = label && after ? text_after_label(after) : NULL;
		/* Only the end is read from the banner; <published> is the scheduled start. */
		if (banner && published >= 0)
			e->until = banner_end(banner, published);
	} else {
		e->kind = K_INCIDENT;
		e->sev = severity_of(e->title, label);
	}
	if (label != first)
		free(label);
	free(first);
}

/* ---- reading the feed ------------------------------------------------------ */

enum feed_type { FEED_NONE, FEED_RSS, FEED_ATOM };

struct rss_state {
	enum feed_type type;
	int saw_channel;
	int entry_depth; /* 0 = not inside an entry */
	enum rss_field field;
	int field_depth;
	struct rss_cur cur;
	struct rss_entry *v;
	size_t n, cap;
	char *err; /* first failure, "parse_error: ..." */
};

static void cur_init(struct rss_cur *c)
{
	struct buf *bs[] = {&c->title,	   &c->id,	&c->link,     &c->updated,
			    &c->published, &c->content, &c->otherdate};
	for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
		buf_init(bs[i], 0);
	c->have_alt_link = 0;
}

static void cur_free(struct rss_cur *c)
{
	struct buf *bs[] = {&c->title,	   &c->id,	&c->link,     &c->updated,
			    &c->published, &c->content, &c->otherdate};
	for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
		buf_free(bs[i]);
}

static const char *bstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* Trimmed copy of a buffer's text; caller frees. */
static char *btrim(const struct buf *b)
{
	return collapse_ws(bstr(b), b->len);
}

/*
 * Which entry field an element is. Names count unprefixed, or with a prefix
 * that is conventionally bound to Atom ("atom:", Azure's "a10:"), plus
 * Dublin Core's dc:date; other namespaces' look-alikes (media:title,
 * content:encoded, ...) are ignored rather than mixed into the fields.
 */
static enum rss_field field_of(enum feed_type t, const char *name, const struct rss_cur *c)
{
	const char *local = xml_local_name(name);
	if (local != name) {
		size_t pl = (size_t)(local - name) - 1;
		int atom_alias = (pl == 4 && strncmp(name, "atom", 4) == 0) ||
				 (pl == 3 && strncmp(name, "a10", 3) == 0);
		if (strcmp(local, "date") == 0)
			return F_OTHERDATE; /* dc:date */
		if (!atom_alias)
			return F_NONE;
	}
	if (strcmp(local, "title") == 0)
		return F_TITLE;
	if (strcmp(local, "updated") == 0)
		return F_UPDATED;
	if (strcmp(local, "date") == 0)
		return F_OTHERDATE;
	if (t == FEED_ATOM) {
		if (strcmp(local, "id") == 0)
			return F_ID;
		if (strcmp(local, "published") == 0)
			return F_PUBLISHED;
		if (strcmp(local, "content") == 0 ||
		    (strcmp(local, "summary") == 0 && c->content.len == 0))
			return F_CONTENT;
		return F_NONE;
	}
	if (strcmp(local, "guid") == 0)
		return F_ID;
	if (strcmp(local, "link") == 0)
		return F_LINK;
	if (strcmp(local, "pubDate") == 0)
		return F_PUBLISHED;
	if (strcmp(local, "description") == 0)
		return F_CONTENT;
	return F_NONE;
}

static struct buf *field_buf(struct rss_cur *c, enum rss_field f)
{
	switch (f) {
	case F_TITLE:
		return &c->title;
	case F_ID:
		return &c->id;
	case F_LINK:
		return &c->link;
	case F_UPDATED:
		return &c->updated;
	case F_PUBLISHED:
		return &c->published;
	case F_CONTENT:
		return &c->content;
	case F_OTHERDATE:
		return &c->otherdate;
	case F_NONE:
		break;
	}
	return NULL;
}

/* Parse a date field if present: 1 = parsed, 0 = absent, -1 = present but not a date. */
static int date_field(const struct buf *b, int64_t *out)
{
	char *t = btrim(b);
	int rc = 0;
	if (*t)
		rc = ts_parse(t, out) == 0 ? 1 : -1;
	free(t);
	return rc;
}

/* RSS key: the guid without AWS's "_<epoch>" tail, else the bare title. Caller frees. */
static char *rss_key(const struct rss_cur *c, const char *title, size_t seq)
{
	char *g = btrim(&c->id);
	if (*g) {
		size_t n = strlen(g), k = n;
		while (k > 0 && isdigit((unsigned char)g[k - 1]))
			k--;
		if (k < n && k > 1 && g[k - 1] == '_')
			g[k - 1] = '\0';
		return g;
	}
	free(g);
	if (*title) {
		/* "Service impact: [RESOLVED] Increased Errors" -> "increased errors" */
		const char *t = title;
		const char *colon = strchr(t, ':');
		if (colon && colon[1])
			t = colon + 1;
		t = skip_sp(t);
		if (find_ci(t, "[resolved]") == t)
			t = skip_sp(t + strlen("[resolved]"));
		char *k = xstrdup(t);
		for (char *p = k; *p; p++)
			*p = (char)ascii_lower((unsigned char)*p);
		return k;
	}
	char *l = btrim(&c->link);
	if (*l)
		return l;
	free(l);
	return xasprintf("item-%zu", seq);
}

/* Atom key: <id>, else the alternate link, else the title. Caller frees. */
static char *atom_key(const struct rss_cur *c, const char *title, size_t seq)
{
	char *k = btrim(&c->id);
	if (*k)
		return k;
	free(k);
	k = btrim(&c->link);
	if (*k)
		return k;
	free(k);
	if (*title)
		return xstrdup(title);
	return xasprintf("entry-%zu", seq);
}

/* An entry/item has ended: date it, key it, classify it, keep it. 0 or -1 (st->err set). */
static int finish_entry(struct rss_state *st)
{
	struct rss_cur *c = &st->cur;
	size_t seq = st->n;
	int64_t when = -1, published = -1, v;
	const struct buf *order[3];
	if (st->type == FEED_ATOM) {
		order[0] = &c->updated;
		order[1] = &c->published;
	} else {
		order[0] = &c->published;
		order[1] = &c->updated;
	}
	order[2] = &c->otherdate;
	for (int i = 0; i < 3; i++) {
		int rc = date_field(order[i], &v);
		if (rc < 0) {
			st->err =
			    xasprintf("parse_error: entry %zu has an unreadable date", seq + 1);
			return -1;
		}
		if (rc > 0 && when < 0)
			when = v;
	}
	if (when < 0) {
		st->err = xasprintf("parse_error: entry %zu has no date", seq + 1);
		return -1;
	}
	if (st->type == FEED_ATOM && date_field(&c->published, &v) > 0)
		published = v;

	struct rss_entry e = {0};
	e.when = when;
	e.start = -1;
	e.until = -1;
	e.seq = seq;
	e.title = btrim(&c->title);
	if (!*e.title) {
		free(e.title);
		e.title = xstrdup("(untitled entry)");
	}
	truncate_utf8(e.title, FMT_TEXT_MAX);
	e.key = st->type == FEED_ATOM ? atom_key(c, e.title, seq) : rss_key(c, e.title, seq);
	if (find_ci(bstr(&c->content), "<strong"))
		classify_statuspage(&e, bstr(&c->content), published);
	else
		classify_by_title(&e);

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 32;
		st->v = xreallocarray(st->v, st->cap, sizeof *st->v);
	}
	st->v[st->n++] = e;
	return 0;
}

static void entry_free(struct rss_entry *e)
{
	free(e->key);
	free(e->title);
	free(e->desc);
}

/* Entries by key, newest first within a key, then document order. */
static int entry_cmp(const void *a, const void *b)
{
	const struct rss_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->when != y->when)
		return x->when > y->when ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* a + b clamped to the int64 range: now_ms and the window come from configuration. */
static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* Is a the better pick than b for "newest"? (later date, then earlier in the document) */
static int newer(const struct rss_entry *a, const struct rss_entry *b)
{
	if (!b)
		return 1;
	if (a->when != b->when)
		return a->when > b->when;
	return a->seq < b->seq;
}

static int looks_like_html(const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	static const char *const heads[] = {"<!doctype html", "<html"};
	for (size_t k = 0; k < 2; k++) {
		size_t hl = strlen(heads[k]);
		if (n - i < hl)
			continue;
		size_t j = 0;
		while (j < hl && ascii_lower((unsigned char)s[i + j]) == heads[k][j])
			j++;
		if (j == hl)
			return 1;
	}
	return 0;
}

/* Walk the document, collecting entries into st. 0, or -1 with st->err set. */
static int read_feed(struct rss_state *st, const char *body, size_t len)
{
	struct xml_reader *r = xml_reader_new(body, len);
	int rc = -1;
	for (;;) {
		enum xml_event ev = xml_next(r);
		if (ev == XML_EV_ERROR) {
			st->err = xasprintf("parse_error: malformed XML: %s", xml_error(r));
			goto out;
		}
		if (ev == XML_EV_EOF)
			break;
		int d = xml_depth(r);
		if (ev == XML_EV_START) {
			const char *local = xml_local_name(xml_name(r));
			if (d == 1) {
				if (strcmp(local, "rss") == 0 || strcmp(local, "RDF") == 0) {
					st->type = FEED_RSS;
					st->saw_channel = strcmp(local, "RDF") == 0;
				} else if (strcmp(local, "feed") == 0) {
					st->type = FEED_ATOM;
				} else if (strcmp(local, "html") == 0) {
					st->err =
					    xstrdup("parse_error: HTML page instead of a feed");
					goto out;
				} else {
					char *shown = xstrdup(local);
					truncate_utf8(shown,
						      40); /* a reason must stay valid UTF-8 */
					st->err = xasprintf(
					    "parse_error: not an RSS or Atom feed (root <%s>)",
					    shown);
					free(shown);
					goto out;
				}
			} else if (!st->entry_depth) {
				if (st->type == FEED_RSS && d == 2 && strcmp(local, "channel") == 0)
					st->saw_channel = 1;
				if ((st->type == FEED_RSS && d <= 3 &&
				     strcmp(local, "item") == 0) ||
				    (st->type == FEED_ATOM && d == 2 &&
				     strcmp(local, "entry") == 0)) {
					st->entry_depth = d;
					cur_free(&st->cur);
					cur_init(&st->cur);
				}
			} else if (st->field == F_NONE && d == st->entry_depth + 1) {
				if (st->type == FEED_ATOM && strcmp(local, "link") == 0) {
					/* Atom links are attributes; prefer rel="alternate", else
					 * the first. */
					const char *rel = xml_attr(r, "rel");
					const char *href = xml_attr(r, "href");
					int alt = !rel || strcmp(rel, "alternate") == 0;
					if (href && alt && !st->cur.have_alt_link) {
						buf_reset(&st->cur.link);
						buf_puts(&st->cur.link, href);
						st->cur.have_alt_link = 1;
					}
				} else {
					/* The first occurrence of a field wins; repeats are
					 * ignored. */
					enum rss_field f =
					    field_of(st->type, xml_name(r), &st->cur);
					struct buf *fb = field_buf(&st->cur, f);
					st->field = fb && fb->len == 0 ? f : F_NONE;
					st->field_depth = d;
				}
			} else if (st->field == F_CONTENT) {
				/* Inline XHTML content: keep the tags so labels stay findable. */
				buf_printf(&st->cur.content, "<%s>", local);
			}
		} else if (ev == XML_EV_END) {
			if (st->field != F_NONE && d == st->field_depth) {
				st->field = F_NONE;
			} else if (st->field == F_CONTENT) {
				buf_printf(&st->cur.content, "</%s>", xml_local_name(xml_name(r)));
			} else if (st->entry_depth && d == st->entry_depth) {
				st->entry_depth = 0;
				st->field = F_NONE;
				if (finish_entry(st) < 0)
					goto out;
			}
		} else if (ev == XML_EV_TEXT && st->field != F_NONE) {
			size_t tl;
			const char *t = xml_text(r, &tl);
			buf_append(field_buf(&st->cur, st->field), t, tl);
		}
	}
	if (st->type == FEED_RSS && !st->saw_channel) {
		st->err = xstrdup("parse_error: RSS document without a channel");
		goto out;
	}
	rc = 0;
out:
	xml_reader_free(r);
	return rc;
}

/* List a maintenance in the reading (canonical dates, so the push cannot fail). */
static void add_maint(struct fmt_reading *out, const struct rss_entry *e, int64_t start,
		      int64_t until)
{
	char s_iso[TS_ISO_LEN + 1], u_iso[TS_ISO_LEN + 1];
	ts_format(start, s_iso);
	if (until >= 0)
		ts_format(until, u_iso);
	fmt_maint_push(out, "entry", "published", "banner", e->key, e->title, e->desc, s_iso,
		       until >= 0 ? u_iso : NULL, mstate_names[e->mstate]);
}

void fmt_rss(const struct fmt_input *in, const struct fmt_opts *opts, struct fmt_reading *out)
{
	fmt_reading_init(out);
	if (!in || !in->body || in->len == 0) {
		fmt_fail(out, "parse_error: empty body");
		return;
	}
	if (in->len > FMT_MAX_BODY) {
		fmt_fail(out, "parse_error: body too large (%zu bytes)", in->len);
		return;
	}
	size_t i = 0;
	while (i < in->len && in->body[i] && strchr(" \t\r\n", in->body[i]))
		i++;
	if (i == in->len) {
		fmt_fail(out, "parse_error: empty body");
		return;
	}
	if (looks_like_html(in->body, in->len)) {
		fmt_fail(out, "parse_error: HTML page instead of a feed");
		return;
	}

	struct rss_state st = {0};
	cur_init(&st.cur);
	if (read_feed(&st, in->body, in->len) < 0) {
		fmt_fail(out, "%s", st.err);
		goto done;
	}

	int64_t now = opts ? opts->now_ms : 0;
	int hours = opts && opts->rss_active_hours > 0 ? opts->rss_active_hours : 24;
	int64_t window = (int64_t)hours * 3600 * 1000;

	if (st.n > 1)
		qsort(st.v, st.n, sizeof *st.v, entry_cmp);
	const struct rss_entry *worst = NULL, *newest = NULL, *maint = NULL;
	for (size_t k = 0; k < st.n; k++) {
		const struct rss_entry *e = &st.v[k];
		if (k > 0 && strcmp(e->key, st.v[k - 1].key) == 0)
			continue; /* not the newest of its incident */
		if (e->kind == K_MAINT) {
			int64_t s = e->start >= 0 ? e->start : e->when;
			int64_t f = e->until >= 0 ? e->until : sat_add(s, window);
			int current, listed;
			if (e->mstate == M_IN_PROGRESS || e->mstate == M_VERIFYING) {
				/* Running by the vendor's word: trust it until a window past
				 * both its planned end and its last update. */
				int64_t last = f > e->when ? f : e->when;
				current =
				    now <= sat_add(last, window) && now >= sat_add(s, -window);
				listed = current;
			} else {
				current = s <= now && now <= f;
				listed = now <= f;
			}
			if (listed)
				add_maint(out, e, s, e->until);
			if (current && newer(e, maint))
				maint = e;
			continue;
		}
		if (e->when < sat_add(now, -window) || e->when > sat_add(now, window))
			continue;
		if (newer(e, newest))
			newest = e;
		if (e->kind != K_INCIDENT)
			continue;
		if (!worst || st_status_rank(e->sev) > st_status_rank(worst->sev) ||
		    (e->sev == worst->sev && newer(e, worst)))
			worst = e;
	}

	fmt_set_ok(out, worst ? worst->sev : ST_OPERATIONAL, maint != NULL);
	if (worst) {
		fmt_set_detail(out, worst->title);
		fmt_set_incident(out, worst->key, worst->title);
	} else if (maint) {
		fmt_set_detail(out, maint->title);
	} else if (newest) {
		fmt_set_detail(out, newest->title);
	} else {
		fmt_set_detail(out, "No active incidents");
	}
done:
	for (size_t k = 0; k < st.n; k++)
		entry_free(&st.v[k]);
	free(st.v);
	free(st.err);
	cur_free(&st.cur);
}

const struct fmt_entry fmt_rss_entry = {
    .name = "rss",
    .parse = fmt_rss,
    .clock = 1,
    .required = FMT_KEYS("poll_url"),
    .metric_label = "rss",
};
