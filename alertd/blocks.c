/*
 * blocks: the Slack messages, in the seed's Block Kit layouts
 * (doc/compat.md#s6-8) for a single change, a batch, an aggregated
 * upstream, poller health and SLO burn, plus the message update after an
 * ack. Every payload passes bk_enforce() before it is stored, which applies
 * Slack's limits (doc/field.md#slack-limits) by truncating with "…" or dropping what
 * cannot fit: a message that Slack rejects for size is a lost alert, so
 * nothing we send may be over a limit.
 *
 * Differences from the seed, all deliberate: vendor and service text is
 * escaped for mrkdwn (a vendor title containing "<!channel>" must not ping a
 * channel); the ack button has its own actions block, so removing it after
 * an ack leaves "View Status Page" in place (doc/compat.md#bug-21); a batch keeps
 * <!here> when any of its changes is critical and carries an ack button
 * (doc/compat.md#bug-4); the footer shows when the change happened, not when the
 * message was rendered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "alertd.h"
#include "buf.h"
#include "xalloc.h"

#define ELLIPSIS "\xe2\x80\xa6" /* … */
/* Any one text built here: Slack cuts at BK_MAX_TOTAL long before this; the
 * cap only stops a hostile vendor title from growing a buffer unbounded. */
#define BK_TEXT_CAP (4 * 1024 * 1024)

size_t bk_len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		n += *p >= 0xF0 ? 2 : 1; /* astral code points are two UTF-16 units */
	}
	return n;
}

char *bk_trunc(const char *s, size_t limit)
{
	if (!s)
		return xstrdup("");
	if (bk_len(s) <= limit)
		return xstrdup(s);
	if (limit == 0)
		return xstrdup("");
	size_t budget = limit - 1, used = 0, cut = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i];) {
		size_t clen = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC0 ? 2 : 1;
		size_t units = p[i] >= 0xF0 ? 2 : 1;
		if (used + units > budget)
			break;
		used += units;
		/* never step past the terminator on malformed UTF-8 */
		size_t k = 1;
		while (k < clen && p[i + k] && (p[i + k] & 0xC0) == 0x80)
			k++;
		i += k;
		cut = i;
	}
	/* Do not leave half an entity (&amp;) or half a <link|label> / <!here>
	 * behind: Slack would show the debris, or misparse the rest. */
	for (size_t i = cut; i > 0 && cut - i < 10; i--) {
		char c = s[i - 1];
		if (c == ';' || c == ' ')
			break;
		if (c == '&') {
			cut = i - 1;
			break;
		}
	}
	for (size_t i = cut; i > 0; i--) {
		if (s[i - 1] == '>')
			break;
		if (s[i - 1] == '<') {
			cut = i - 1;
			break;
		}
	}
	struct buf b;
	buf_init(&b, BK_TEXT_CAP);
	buf_append(&b, s, cut);
	buf_puts(&b, ELLIPSIS);
	return buf_steal_text(&b, "Slack text");
}

char *bk_escape(const char *s)
{
	struct buf b;
	buf_init(&b, BK_TEXT_CAP);
	for (; s && *s; s++) {
		if (*s == '&')
			buf_puts(&b, "&amp;");
		else if (*s == '<')
			buf_puts(&b, "&lt;");
		else if (*s == '>')
			buf_puts(&b, "&gt;");
		else
			buf_putc(&b, *s);
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal_text(&b, "Slack text");
}

char *bk_footer_ts(const char *iso, char out[21])
{
	/* "2026-11-23T20:31:05.123Z" -> "2026-11-23 20:31 UTC" */
	if (!iso || strlen(iso) < 16) {
		snprintf(out, 21, "unknown time");
		return out;
	}
	snprintf(out, 21, "%.10s %.5s UTC", iso, iso + 11);
	return out;
}

static const char *row_label(const char *row)
{
	if (!strcmp(row, "fast"))
		return "Fast";
	if (!strcmp(row, "slow"))
		return "Slow";
	return "Ticket";
}

char *bk_title(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	if (!strcmp(m->kind, "poller_health"))
		return xasprintf("Poller %s: %s", e->hnext == ST_BROKEN ? "BROKEN" : "RECOVERED",
				 e->name);
	if (!strcmp(m->kind, "slo_burn_rate"))
		return xasprintf(
		    "\xf0\x9f\x94\xa5 SLO %s burn-rate alert: %s \xe2\x80\x94 %.1f\xc3\x97 over %s",
		    row_label(m->burn->row), e->name, m->burn->long_burn, m->burn->long_label);
	if (!strcmp(m->kind, "aggregated_upstream"))
		return xasprintf("%s %s: %s \xe2\x86\x92 %s (%zu dependents impacted)",
				 st_status_emoji(e->next), e->name, st_status_label(e->prev),
				 st_status_label(e->next), m->ndeps);
	return xasprintf("%s %s: %s \xe2\x86\x92 %s", st_status_emoji(e->next), e->name,
			 st_status_label(e->prev), st_status_label(e->next));
}

/* ---- block helpers (each adds to blocks, which owns the result) ---------- */

/* o[key] as a string, "" when absent or not a string (borrowed). */
static const char *strv(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

/* A Block Kit text object; the caller adds it to a block (which then owns it). */
static cJSON *text_obj(const char *type, const char *text)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", type);
	cJSON_AddStringToObject(t, "text", text);
	if (!strcmp(type, "plain_text"))
		cJSON_AddBoolToObject(t, "emoji", 1);
	return t;
}

static void add_header(cJSON *blocks, const char *text)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "header");
	cJSON_AddItemToObject(b, "text", text_obj("plain_text", text));
	cJSON_AddItemToArray(blocks, b);
}

static void add_section(cJSON *blocks, const char *mrkdwn)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "section");
	cJSON_AddItemToObject(b, "text", text_obj("mrkdwn", mrkdwn));
	cJSON_AddItemToArray(blocks, b);
}

static void add_fields(cJSON *blocks, const char *const *fields, size_t n)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "section");
	cJSON *f = cJSON_AddArrayToObject(b, "fields");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(f, text_obj("mrkdwn", fields[i]));
	cJSON_AddItemToArray(blocks, b);
}

static void add_context(cJSON *blocks, const char *mrkdwn)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "context");
	cJSON *el = cJSON_AddArrayToObject(b, "elements");
	cJSON_AddItemToArray(el, text_obj("mrkdwn", mrkdwn));
	cJSON_AddItemToArray(blocks, b);
}

static void add_divider(cJSON *blocks)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "divider");
	cJSON_AddItemToArray(blocks, b);
}

static void add_button(cJSON *blocks, const char *text, const char *action_id, const char *url,
		       const char *value, const char *style)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "actions");
	cJSON *el = cJSON_AddArrayToObject(b, "elements");
	cJSON *btn = cJSON_CreateObject();
	cJSON_AddStringToObject(btn, "type", "button");
	cJSON_AddItemToObject(btn, "text", text_obj("plain_text", text));
	cJSON_AddStringToObject(btn, "action_id", action_id);
	if (url)
		cJSON_AddStringToObject(btn, "url", url);
	if (value)
		cJSON_AddStringToObject(btn, "value", value);
	if (style)
		cJSON_AddStringToObject(btn, "style", style);
	cJSON_AddItemToArray(el, btn);
	cJSON_AddItemToArray(blocks, b);
}

static void add_ack(cJSON *blocks, const char *key)
{
	add_button(blocks, "Acknowledge", "ack_alert", NULL, key, "primary");
}

/* A URL usable inside <url|label>: no characters that end the link early. */
static int link_ok(const char *url)
{
	return url && *url && !strpbrk(url, "<>| \t\r\n");
}

static void add_footer(cJSON *blocks, const char *what, const char *iso)
{
	char ts[21];
	bk_footer_ts(iso, ts);
	char *t = what ? xasprintf("IT Service Health Dashboard \xe2\x80\xa2 %s \xe2\x80\xa2 %s",
				   what, ts)
		       : xasprintf("IT Service Health Dashboard \xe2\x80\xa2 %s", ts);
	add_divider(blocks);
	add_context(blocks, t);
	free(t);
}

/* Wrap blocks into {text, blocks}, enforce the limits, print. Caller frees. */
static char *finish(const char *fallback, cJSON *blocks)
{
	cJSON *p = cJSON_CreateObject();
	char *esc = bk_escape(fallback);
	cJSON_AddStringToObject(p, "text", esc);
	free(esc);
	cJSON_AddItemToObject(p, "blocks", blocks);
	bk_enforce(p);
	char *s = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return s;
}

/* ---- the layouts ---------------------------------------------------------- */

/* The layouts below each return the payload; the caller frees it. */

static char *render_change(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	cJSON *blocks = cJSON_CreateArray();
	char *h = xasprintf("%s %s Status Change", st_status_emoji(e->next), e->name);
	add_header(blocks, h);
	free(h);
	char *f0 = xasprintf("*Previous:*\n%s", st_status_label(e->prev));
	char *f1 = xasprintf("*Current:*\n%s", st_status_label(e->next));
	const char *f[2] = {f0, f1};
	add_fields(blocks, f, 2);
	free(f0);
	free(f1);
	char *impact = event_impact(e), *ei = bk_escape(impact);
	char *s = xasprintf("*Impact:*\n%s%s", m->dec->mention ? "<!here> " : "", ei);
	add_section(blocks, s);
	free(s);
	free(ei);
	free(impact);
	char *names = m->folded ? report_folded_names(m->folded, 20) : NULL;
	if (names) {
		char *en = bk_escape(names);
		s = xasprintf("*Dependents folded into its alert:* %s", en);
		add_section(blocks, s);
		free(s);
		free(en);
		free(names);
	}
	if (e->status_page_url)
		add_button(blocks, "View Status Page", "view_status_page", e->status_page_url, NULL,
			   NULL);
	if (m->ack)
		add_ack(blocks, m->dec->dedup_key);
	add_footer(blocks, NULL, e->created_at);
	char *t = bk_title(m), *out = finish(t, blocks);
	free(t);
	return out;
}

static char *render_aggregated(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	cJSON *blocks = cJSON_CreateArray();
	char *h = xasprintf("%s %s %s \xe2\x80\x94 %zu dependent service(s) affected",
			    st_status_emoji(e->next), e->name, st_status_label(e->next), m->ndeps);
	add_header(blocks, h);
	free(h);
	char *impact = event_impact(e), *ei = bk_escape(impact);
	char *s = xasprintf("*Impact:*\n%s%s", m->dec->mention ? "<!here> " : "", ei);
	add_section(blocks, s);
	free(s);
	free(ei);
	free(impact);
	struct buf b;
	buf_init(&b, BK_TEXT_CAP);
	buf_puts(&b, "*Dependent services affected:*");
	for (size_t i = 0; i < m->ndeps && i < 20; i++) {
		char *n = bk_escape(m->deps[i]->name);
		buf_printf(&b, "\n\xe2\x80\xa2 %s", n);
		free(n);
	}
	if (m->ndeps > 20)
		buf_printf(&b, "\n_" ELLIPSIS "and %zu more_", m->ndeps - 20);
	buf_check(&b, "Slack dependents section");
	add_section(blocks, b.data);
	buf_release(&b);
	if (e->status_page_url)
		add_button(blocks, "View Status Page", "view_upstream_status_page",
			   e->status_page_url, NULL, NULL);
	if (m->ack)
		add_ack(blocks, m->dec->dedup_key);
	add_footer(blocks, "Aggregated upstream alert", e->created_at);
	char *t = bk_title(m), *out = finish(t, blocks);
	free(t);
	return out;
}

static char *render_health(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	int broken = e->hnext == ST_BROKEN;
	cJSON *blocks = cJSON_CreateArray();
	char *h = broken ? xasprintf("\xf0\x9f\x94\xa7 Poller BROKEN \xe2\x80\x94 %s", e->name)
			 : xasprintf("\xe2\x9c\x85 Poller RECOVERED \xe2\x80\x94 %s", e->name);
	add_header(blocks, h);
	free(h);
	char *n = bk_escape(e->name);
	char *s = broken
		      ? xasprintf("%sThe poller for *%s* has failed %d times in a row and is now"
				  " reported *broken*. The dashboard shows the service as"
				  " *unknown* until it recovers.",
				  m->dec->mention ? "<!here> " : "", n, m->failure_threshold)
		      : xasprintf("%sThe poller for *%s* is back to *healthy*. Its readings can be"
				  " trusted again.",
				  m->dec->mention ? "<!here> " : "", n);
	add_section(blocks, s);
	free(s);
	free(n);
	if (broken) {
		/* Inside an inline-code span a backtick would end it early. */
		char *r = bk_escape(e->failure_reason && *e->failure_reason ? e->failure_reason
									    : "unknown");
		for (char *p = r; *p; p++)
			if (*p == '`')
				*p = '\'';
		s = xasprintf("*Failure reason:*\n`%s`", r);
		add_section(blocks, s);
		free(s);
		free(r);
	}
	if (m->dec->routed_to_main)
		add_context(blocks, ":information_source: Routed to the main alerting channel. Set"
				    " `POLLER_HEALTH_SLACK_WEBHOOK_URL` for a dedicated channel.");
	if (m->ack)
		add_ack(blocks, m->dec->dedup_key);
	add_footer(blocks, "Poller Health", e->created_at);
	char *t = bk_title(m), *out = finish(t, blocks);
	free(t);
	return out;
}

static char *render_burn(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	const struct ad_burn *u = m->burn;
	cJSON *blocks = cJSON_CreateArray();
	char *h = xasprintf("\xf0\x9f\x94\xa5 SLO burn-rate alert: %s", e->name);
	add_header(blocks, h);
	free(h);
	if (u->page && m->dec->mention)
		add_context(blocks, "<!here>");
	char *f0 = xasprintf("*Severity:*\n%s burn", row_label(u->row));
	char *f1 = xasprintf("*Error budget remaining:*\n%.1f%%", u->budget_remaining);
	char *f2 = xasprintf("*SLO target:*\n%g%%", u->target);
	char *f3 = xasprintf("*Window:*\n%s / %s", u->long_label, u->short_label);
	const char *f[4] = {f0, f1, f2, f3};
	add_fields(blocks, f, 4);
	free(f0);
	free(f1);
	free(f2);
	free(f3);
	char *s = xasprintf("Consuming error budget at *%.1f\xc3\x97* the allowable rate over %s,"
			    " and *%.1f\xc3\x97* over %s.",
			    u->long_burn, u->long_label, u->short_burn, u->short_label);
	add_section(blocks, s);
	free(s);
	const struct ad_burn *v = m->burn_also;
	if (v) {
		s = xasprintf(
		    "The %s row breaches too: *%.1f\xc3\x97* over %s and *%.1f\xc3\x97* over %s.",
		    v->row, v->long_burn, v->long_label, v->short_burn, v->short_label);
		add_section(blocks, s);
		free(s);
	}
	if (e->status_page_url)
		add_button(blocks, "View Status Page", "view_status_page", e->status_page_url, NULL,
			   NULL);
	if (m->ack)
		add_ack(blocks, m->dec->dedup_key);
	add_footer(blocks, "SLO Burn Rate", u->at);
	char *t = bk_title(m), *out = finish(t, blocks);
	free(t);
	return out;
}

char *bk_render(const struct ad_msg *m)
{
	if (!strcmp(m->kind, "poller_health"))
		return render_health(m);
	if (!strcmp(m->kind, "slo_burn_rate"))
		return render_burn(m);
	if (!strcmp(m->kind, "aggregated_upstream"))
		return render_aggregated(m);
	return render_change(m);
}

char *bk_batch(const struct ad_event *const *ev, const struct ad_decision *const *dec, size_t n,
	       int mention, const char *ack_key)
{
	(void)dec;
	cJSON *blocks = cJSON_CreateArray();
	char *h = xasprintf("\xf0\x9f\x9a\xa8 %zu Service Status Changes", n);
	add_header(blocks, h);
	free(h);
	struct buf fb;
	buf_init(&fb, BK_TEXT_CAP);
	buf_printf(&fb, "\xf0\x9f\x9a\xa8 %zu status changes: ", n);
	if (mention) {
		struct buf b;
		buf_init(&b, BK_TEXT_CAP);
		buf_puts(&b, "<!here> Includes critical services:");
		int first = 1;
		for (size_t i = 0; i < n; i++) {
			if (ev[i]->tier != ST_TIER_CRITICAL)
				continue;
			char *nm = bk_escape(ev[i]->name);
			buf_printf(&b, "%s *%s*", first ? "" : ",", nm);
			free(nm);
			first = 0;
		}
		buf_check(&b, "Slack critical services section");
		add_section(blocks, b.data);
		buf_release(&b);
	}
	/* One section per change, within the block count and the total size
	 * Slack accepts; the rest are counted in "…and N more". */
	size_t shown = 0, total = 0;
	const char *latest = ev[0]->created_at;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ev[i]->created_at, latest) > 0)
			latest = ev[i]->created_at;
		buf_printf(&fb, "%s%s: %s \xe2\x86\x92 %s", i ? ", " : "", ev[i]->name,
			   st_status_label(ev[i]->prev), st_status_label(ev[i]->next));
		if (shown < i || shown >= BK_BATCH_MAX)
			continue;
		char *nm = bk_escape(ev[i]->name);
		char *imp = event_impact(ev[i]), *ei = bk_escape(imp);
		char *s =
		    xasprintf("%s *%s*: %s \xe2\x86\x92 %s\n%s", st_status_emoji(ev[i]->next), nm,
			      st_status_label(ev[i]->prev), st_status_label(ev[i]->next), ei);
		free(nm);
		free(imp);
		free(ei);
		if (link_ok(ev[i]->status_page_url)) {
			char *l = xasprintf("%s\n<%s|View Status Page>", s, ev[i]->status_page_url);
			free(s);
			s = l;
		}
		char *cut = bk_trunc(s, BK_MAX_SECTION);
		free(s);
		size_t len = bk_len(cut);
		if (shown > 0 && total + len > BK_MAX_TOTAL - 1500) {
			free(cut);
			continue;
		}
		total += len;
		add_section(blocks, cut);
		free(cut);
		shown++;
	}
	if (shown < n) {
		char *s = xasprintf("_" ELLIPSIS "and %zu more_", n - shown);
		add_section(blocks, s);
		free(s);
	}
	if (ack_key)
		add_ack(blocks, ack_key);
	add_footer(blocks, NULL, latest);
	buf_check(&fb, "Slack batch fallback text");
	char *out = finish(fb.data, blocks);
	buf_release(&fb);
	return out;
}

char *bk_ack_update(const char *original, const char *user, int64_t at_ms)
{
	cJSON *p = jsonck_parse_str(original, JSONCK_LENIENT);
	cJSON *blocks = cJSON_GetObjectItemCaseSensitive(p, "blocks");
	if (!cJSON_IsArray(blocks)) {
		cJSON_Delete(p);
		return NULL;
	}
	/* Drop the actions blocks holding the ack button (ours hold nothing else). */
	for (int i = cJSON_GetArraySize(blocks) - 1; i >= 0; i--) {
		cJSON *b = cJSON_GetArrayItem(blocks, i);
		if (strcmp(strv(b, "type"), "actions"))
			continue;
		const cJSON *el;
		int ack = 0;
		cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(b, "elements"))
		{
			if (!strcmp(strv(el, "action_id"), "ack_alert"))
				ack = 1;
		}
		if (ack)
			cJSON_DeleteItemFromArray(blocks, i);
	}
	char at[TS_ISO_LEN + 1];
	ts_format(at_ms, at);
	char *u = bk_escape(user && *user ? user : "unknown");
	char *line = xasprintf("\xe2\x9c\x93 Acknowledged by @%s at %.5s UTC", u, at + 11);
	free(u);
	add_context(blocks, line);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "text");
	cJSON_AddStringToObject(p, "text", line);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "replace_original");
	cJSON_AddBoolToObject(p, "replace_original", 1);
	free(line);
	bk_enforce(p);
	char *s = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return s;
}

/* ---- limits ---------------------------------------------------------------- */

/* Replace o[key] (a string) by its truncation to limit. */
static void trunc_item(cJSON *o, const char *key, size_t limit)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	if (!v || bk_len(v) <= limit)
		return;
	char *t = bk_trunc(v, limit);
	cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(t));
	free(t);
}

static void trunc_text_obj(cJSON *t, size_t limit)
{
	if (cJSON_IsObject(t))
		trunc_item(t, "text", limit);
}

static void drop_beyond(cJSON *arr, int max)
{
	while (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > max)
		cJSON_DeleteItemFromArray(arr, cJSON_GetArraySize(arr) - 1);
}

/* Every text object of a block, for the total-size pass. */
static size_t texts_of(cJSON *b, cJSON **out, size_t max)
{
	size_t n = 0;
	cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
	if (cJSON_IsObject(t) && n < max)
		out[n++] = t;
	cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(b, "fields"))
	{
		if (n < max)
			out[n++] = f;
	}
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(b, "elements"))
	{
		if (n < max && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f, "text")))
			out[n++] = f;
	}
	return n;
}

void bk_enforce(cJSON *payload)
{
	trunc_item(payload, "text", BK_MAX_TEXT);
	cJSON *blocks = cJSON_GetObjectItemCaseSensitive(payload, "blocks");
	if (!cJSON_IsArray(blocks))
		return;
	cJSON *b;
	cJSON_ArrayForEach(b, blocks)
	{
		const char *type = strv(b, "type");
		if (!strcmp(type, "header")) {
			trunc_text_obj(cJSON_GetObjectItemCaseSensitive(b, "text"), BK_MAX_HEADER);
		} else if (!strcmp(type, "section")) {
			trunc_text_obj(cJSON_GetObjectItemCaseSensitive(b, "text"), BK_MAX_SECTION);
			cJSON *fields = cJSON_GetObjectItemCaseSensitive(b, "fields");
			drop_beyond(fields, BK_MAX_FIELDS);
			cJSON *f;
			cJSON_ArrayForEach(f, fields)
			{
				trunc_text_obj(f, BK_MAX_FIELD);
			}
		} else if (!strcmp(type, "context")) {
			cJSON *el = cJSON_GetObjectItemCaseSensitive(b, "elements");
			drop_beyond(el, BK_MAX_CONTEXT_ELEMENTS);
			cJSON *f;
			cJSON_ArrayForEach(f, el)
			{
				trunc_text_obj(f, BK_MAX_FIELD);
			}
		} else if (!strcmp(type, "actions")) {
			cJSON *el = cJSON_GetObjectItemCaseSensitive(b, "elements");
			drop_beyond(el, BK_MAX_ACTIONS);
			for (int i = cJSON_GetArraySize(el) - 1; i >= 0; i--) {
				cJSON *btn = cJSON_GetArrayItem(el, i);
				const char *url = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(btn, "url"));
				if (url && bk_len(url) > 3000) {
					/* a cut URL is a wrong link: leave the button out */
					cJSON_DeleteItemFromArray(el, i);
					continue;
				}
				trunc_text_obj(cJSON_GetObjectItemCaseSensitive(btn, "text"),
					       BK_MAX_BUTTON_TEXT);
				trunc_item(btn, "value", 2000);
			}
		}
	}
	/* Drop actions blocks emptied above: Slack rejects empty ones. */
	for (int i = cJSON_GetArraySize(blocks) - 1; i >= 0; i--) {
		cJSON *bb = cJSON_GetArrayItem(blocks, i);
		cJSON *el = cJSON_GetObjectItemCaseSensitive(bb, "elements");
		if (cJSON_IsArray(el) && cJSON_GetArraySize(el) == 0)
			cJSON_DeleteItemFromArray(blocks, i);
	}
	/* Too many blocks: keep the head, say how many were left out, keep the
	 * last block (the footer, or the ack line of an update). */
	int nb = cJSON_GetArraySize(blocks);
	if (nb > BK_MAX_BLOCKS) {
		cJSON *last = cJSON_DetachItemFromArray(blocks, nb - 1);
		int dropped = 0;
		while (cJSON_GetArraySize(blocks) > BK_MAX_BLOCKS - 2) {
			cJSON_DeleteItemFromArray(blocks, cJSON_GetArraySize(blocks) - 1);
			dropped++;
		}
		char *s = xasprintf("_" ELLIPSIS "%d more not shown_", dropped);
		add_section(blocks, s);
		free(s);
		cJSON_AddItemToArray(blocks, last);
	}
	/* The undocumented total: cap every text at the largest length that
	 * makes the sum fit (long texts shrink, short ones stay whole). */
	cJSON *texts[BK_MAX_BLOCKS * (BK_MAX_FIELDS + 1)];
	size_t lens[sizeof texts / sizeof texts[0]];
	size_t nt = 0, total = 0, lmax = 0;
	cJSON_ArrayForEach(b, blocks)
	{
		nt += texts_of(b, texts + nt, sizeof texts / sizeof texts[0] - nt);
	}
	for (size_t i = 0; i < nt; i++) {
		lens[i] = bk_len(strv(texts[i], "text"));
		total += lens[i];
		if (lens[i] > lmax)
			lmax = lens[i];
	}
	if (total <= BK_MAX_TOTAL)
		return;
	size_t lo = 100, hi = lmax; /* find the largest cap whose sum fits */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2, sum = 0;
		for (size_t i = 0; i < nt; i++)
			sum += lens[i] < mid ? lens[i] : mid;
		if (sum <= BK_MAX_TOTAL)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (size_t i = 0; i < nt; i++)
		if (lens[i] > lo)
			trunc_text_obj(texts[i], lo);
}
