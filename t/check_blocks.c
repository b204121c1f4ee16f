/*
 * check_blocks: the Slack Block Kit layouts (single change, batch,
 * aggregated upstream, poller health, SLO burn, ack update) and the
 * enforcement of every Slack limit by truncation: 50 blocks, header 150,
 * section 3,000, field 2,000, 10 fields, context 10 elements, actions 25
 * elements, button text 75, fallback text, the undocumented total -- cutting
 * on code-point, entity and link boundaries.
 */
#include <stdio.h>

#include "check_alert.h"

static struct ad_event mkev(const char *id, const char *name, enum st_status prev,
			    enum st_status next)
{
	struct ad_event e;
	memset(&e, 0, sizeof e);
	e.id = 7;
	e.kind = AD_EV_STATUS;
	e.service_id = (char *)id;
	e.name = (char *)name;
	e.prev = prev;
	e.next = next;
	e.tier = ST_TIER_IMPORTANT;
	e.status_page_url = (char *)"https://status.example.com";
	e.impact = (char *)"GitHub is experiencing a MAJOR OUTAGE.";
	snprintf(e.created_at, sizeof e.created_at, "2026-11-23T20:31:05.123Z");
	return e;
}

static struct ad_decision mkdec(const char *kind, int mention)
{
	struct ad_decision d;
	memset(&d, 0, sizeof d);
	d.alert_kind = kind;
	d.dedup_key = (char *)"episode:github:7:major_outage";
	d.mention = mention;
	d.group = -1;
	return d;
}

static void setup(void)
{
	static cJSON_Hooks hooks = {xmalloc, free};
	cJSON_InitHooks(&hooks);
}

static cJSON *blocks_of(cJSON *p)
{
	return cJSON_GetObjectItem(p, "blocks");
}

static const char *block_text(cJSON *p, int i)
{
	cJSON *b = cJSON_GetArrayItem(blocks_of(p), i);
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "text"), "text"));
}

START_TEST(test_single_golden)
{
	struct ad_event e = mkev("github", "GitHub", ST_OPERATIONAL, ST_MAJOR_OUTAGE);
	struct ad_decision d = mkdec("status_change", 1);
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d, .ack = 1};
	char *s = bk_render(&m);
	const char *want =
		"{\"text\":\"\xf0\x9f\x94\xb4 GitHub: Operational \xe2\x86\x92 Major Outage\","
		"\"blocks\":["
		"{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":"
		"\"\xf0\x9f\x94\xb4 GitHub Status Change\",\"emoji\":true}},"
		"{\"type\":\"section\",\"fields\":[{\"type\":\"mrkdwn\",\"text\":\"*Previous:*\\nOperational\"},"
		"{\"type\":\"mrkdwn\",\"text\":\"*Current:*\\nMajor Outage\"}]},"
		"{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"
		"\"*Impact:*\\n<!here> GitHub is experiencing a MAJOR OUTAGE.\"}},"
		"{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
		"\"text\":\"View Status Page\",\"emoji\":true},\"action_id\":\"view_status_page\","
		"\"url\":\"https://status.example.com\"}]},"
		"{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
		"\"text\":\"Acknowledge\",\"emoji\":true},\"action_id\":\"ack_alert\","
		"\"value\":\"episode:github:7:major_outage\",\"style\":\"primary\"}]},"
		"{\"type\":\"divider\"},"
		"{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":"
		"\"IT Service Health Dashboard \xe2\x80\xa2 2026-11-23 20:31 UTC\"}]}]}";
	ck_assert_str_eq(s, want);
	free(s);
	/* no URL, no ack, no mention: those blocks go */
	e.status_page_url = NULL;
	d.mention = 0;
	m.ack = 0;
	s = bk_render(&m);
	ck_assert(!strstr(s, "actions") && !strstr(s, "<!here>"));
	free(s);
}
END_TEST

START_TEST(test_mrkdwn_is_escaped)
{
	struct ad_event e = mkev("x", "A<b>&c", ST_OPERATIONAL, ST_DEGRADED);
	e.impact = (char *)"<!channel> vendor says <http://evil|click> & more";
	struct ad_decision d = mkdec("status_change", 0);
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d};
	char *s = bk_render(&m);
	cJSON *p = cJSON_Parse(s);
	ck_assert_str_eq(block_text(p, 2),
			 "*Impact:*\n&lt;!channel&gt; vendor says &lt;http://evil|click&gt; &amp; more");
	/* plain_text headers show text as is */
	ck_assert_str_eq(block_text(p, 0), "\xf0\x9f\x9f\xa1 A<b>&c Status Change");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
			 "\xf0\x9f\x9f\xa1 A&lt;b&gt;&amp;c: Operational \xe2\x86\x92 Degraded");
	cJSON_Delete(p);
	free(s);
	/* no stored statement: the fallback sentence */
	e.impact = NULL;
	e.name = (char *)"Zoom";
	e.next = ST_OPERATIONAL;
	e.prev = ST_DEGRADED;
	s = bk_render(&m);
	ck_assert(strstr(s, "Zoom has recovered and is now operational."));
	free(s);
}
END_TEST

START_TEST(test_batch_layout)
{
	struct ad_event ev[4];
	const struct ad_event *pev[4];
	const struct ad_decision *pd[4];
	struct ad_decision d = mkdec("status_change", 0);
	const char *names[] = {"A", "B", "C", "D"};
	for (int i = 0; i < 4; i++) {
		ev[i] = mkev(names[i], names[i], ST_OPERATIONAL, ST_DEGRADED);
		ev[i].impact = (char *)"impact.";
		pev[i] = &ev[i];
		pd[i] = &d;
	}
	ev[2].tier = ST_TIER_CRITICAL;
	snprintf(ev[3].created_at, sizeof ev[3].created_at, "2026-11-23T21:00:00.000Z");
	char *s = bk_batch(pev, pd, 4, 1, "batch:slack:main:1");
	cJSON *p = cJSON_Parse(s);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
			 "\xf0\x9f\x9a\xa8 4 status changes: A: Operational \xe2\x86\x92 Degraded, B:"
			 " Operational \xe2\x86\x92 Degraded, C: Operational \xe2\x86\x92 Degraded, D:"
			 " Operational \xe2\x86\x92 Degraded");
	ck_assert_str_eq(block_text(p, 0), "\xf0\x9f\x9a\xa8 4 Service Status Changes");
	ck_assert_str_eq(block_text(p, 1), "<!here> Includes critical services: *C*");
	ck_assert_str_eq(block_text(p, 2), "\xf0\x9f\x9f\xa1 *A*: Operational \xe2\x86\x92 Degraded\n"
					   "impact.\n<https://status.example.com|View Status Page>");
	int n = cJSON_GetArraySize(blocks_of(p));
	ck_assert_int_eq(n, 1 + 1 + 4 + 1 + 2);
	ck_assert(strstr(s, "\"value\":\"batch:slack:main:1\""));
	/* the footer shows the latest change */
	ck_assert(strstr(s, "2026-11-23 21:00 UTC"));
	cJSON_Delete(p);
	free(s);
	s = bk_batch(pev, pd, 4, 0, NULL);
	ck_assert(!strstr(s, "<!here>") && !strstr(s, "ack_alert"));
	free(s);
}
END_TEST

static size_t total_text(cJSON *p)
{
	size_t t = 0;
	cJSON *b;
	cJSON_ArrayForEach(b, blocks_of(p))
	{
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "text"), "text"));
		if (s)
			t += bk_len(s);
		cJSON *f;
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(b, "fields"))
		t += bk_len(cJSON_GetStringValue(cJSON_GetObjectItem(f, "text")));
	}
	return t;
}

START_TEST(test_batch_of_hundreds_fits)
{
	enum { N = 300 };
	struct ad_event *ev = xcalloc(N, sizeof *ev);
	const struct ad_event **pev = xcalloc(N, sizeof *pev);
	const struct ad_decision **pd = xcalloc(N, sizeof *pd);
	struct ad_decision d = mkdec("status_change", 0);
	char *big = xcalloc(2500, 1);
	memset(big, 'x', 2499);
	for (int i = 0; i < N; i++) {
		ev[i] = mkev("s", "Service", ST_OPERATIONAL, ST_MAJOR_OUTAGE);
		ev[i].impact = i % 2 ? big : (char *)"short.";
		pev[i] = &ev[i];
		pd[i] = &d;
	}
	char *s = bk_batch(pev, pd, N, 0, "k");
	cJSON *p = cJSON_Parse(s);
	int nb = cJSON_GetArraySize(blocks_of(p));
	ck_assert_int_le(nb, BK_MAX_BLOCKS);
	ck_assert_int_le(total_text(p), BK_MAX_TOTAL);
	ck_assert_int_le(bk_len(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text"))), BK_MAX_TEXT);
	/* the count of what was left out adds up */
	int shown = 0;
	cJSON *b;
	cJSON_ArrayForEach(b, blocks_of(p))
	{
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "text"), "text"));
		if (t && strstr(t, "*Service*"))
			shown++;
	}
	char more[64];
	snprintf(more, sizeof more, "and %d more_", N - shown);
	ck_assert_msg(strstr(s, more), "missing '%s'", more);
	ck_assert(strstr(s, "ack_alert"));
	cJSON_Delete(p);
	free(s);
	free(big);
	free(ev);
	free(pev);
	free(pd);
}
END_TEST

START_TEST(test_aggregated_layout)
{
	struct ad_event up = mkev("idp", "IdP", ST_OPERATIONAL, ST_MAJOR_OUTAGE);
	struct ad_event deps[25];
	const struct ad_event *pdeps[25];
	char names[25][8];
	for (int i = 0; i < 25; i++) {
		snprintf(names[i], sizeof names[i], "D%02d", i);
		deps[i] = mkev(names[i], names[i], ST_OPERATIONAL, ST_DEGRADED);
		pdeps[i] = &deps[i];
	}
	struct ad_decision d = mkdec("aggregated_upstream", 1);
	struct ad_msg m = {.kind = "aggregated_upstream", .ev = &up, .dec = &d, .deps = pdeps, .ndeps = 25,
			   .ack = 1};
	char *s = bk_render(&m);
	cJSON *p = cJSON_Parse(s);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
			 "\xf0\x9f\x94\xb4 IdP: Operational \xe2\x86\x92 Major Outage (25 dependents impacted)");
	ck_assert_str_eq(block_text(p, 0),
			 "\xf0\x9f\x94\xb4 IdP Major Outage \xe2\x80\x94 25 dependent service(s) affected");
	ck_assert_str_eq(block_text(p, 1), "*Impact:*\n<!here> GitHub is experiencing a MAJOR OUTAGE.");
	const char *list = block_text(p, 2);
	ck_assert(strncmp(list, "*Dependent services affected:*\n\xe2\x80\xa2 D00\n", 38) == 0);
	ck_assert(strstr(list, "D19") && !strstr(list, "D20"));
	ck_assert(strstr(list, "_\xe2\x80\xa6" "and 5 more_"));
	ck_assert(strstr(s, "view_upstream_status_page") && strstr(s, "ack_alert"));
	ck_assert(strstr(s, "Aggregated upstream alert \xe2\x80\xa2 2026-11-23 20:31 UTC"));
	cJSON_Delete(p);
	free(s);
}
END_TEST

START_TEST(test_health_layouts)
{
	struct ad_event e = mkev("zoom", "Zoom", ST_OPERATIONAL, ST_OPERATIONAL);
	e.kind = AD_EV_HEALTH;
	e.hprev = ST_HEALTHY;
	e.hnext = ST_BROKEN;
	e.failure_reason = (char *)"http_404 `x`";
	struct ad_decision d = mkdec("poller_health", 0);
	d.routed_to_main = 1;
	struct ad_msg m = {.kind = "poller_health", .ev = &e, .dec = &d, .failure_threshold = 3};
	char *s = bk_render(&m);
	cJSON *p = cJSON_Parse(s);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")), "Poller BROKEN: Zoom");
	ck_assert_str_eq(block_text(p, 0), "\xf0\x9f\x94\xa7 Poller BROKEN \xe2\x80\x94 Zoom");
	ck_assert(strstr(block_text(p, 1), "has failed 3 times in a row"));
	ck_assert_str_eq(block_text(p, 2), "*Failure reason:*\n`http_404 'x'`");
	ck_assert(strstr(s, "POLLER_HEALTH_SLACK_WEBHOOK_URL"));
	ck_assert(strstr(s, "Poller Health \xe2\x80\xa2 2026-11-23 20:31 UTC"));
	cJSON_Delete(p);
	free(s);
	e.hprev = ST_BROKEN;
	e.hnext = ST_HEALTHY;
	d.routed_to_main = 0;
	d.mention = 1;
	s = bk_render(&m);
	p = cJSON_Parse(s);
	ck_assert_str_eq(block_text(p, 0), "\xe2\x9c\x85 Poller RECOVERED \xe2\x80\x94 Zoom");
	ck_assert(strncmp(block_text(p, 1), "<!here> The poller for *Zoom* is back", 37) == 0);
	ck_assert(!strstr(s, "Failure reason") && !strstr(s, "POLLER_HEALTH_SLACK"));
	cJSON_Delete(p);
	free(s);
}
END_TEST

START_TEST(test_burn_layout)
{
	struct ad_event e = mkev("gh", "GitHub", ST_UNKNOWN, ST_UNKNOWN);
	e.id = 0;
	struct ad_burn b = {.row = "fast", .long_label = "1h", .short_label = "5m", .long_burn = 28.8,
			    .short_burn = 1000, .threshold = 14.4, .budget_remaining = 42.25,
			    .target = 99.9, .page = 1};
	snprintf(b.at, sizeof b.at, "2026-11-23T20:31:05.123Z");
	struct ad_decision d = mkdec("slo_burn_rate", 1);
	struct ad_msg m = {.kind = "slo_burn_rate", .ev = &e, .dec = &d, .burn = &b, .ack = 1};
	char *s = bk_render(&m);
	cJSON *p = cJSON_Parse(s);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
			 "\xf0\x9f\x94\xa5 SLO Fast burn-rate alert: GitHub \xe2\x80\x94 28.8\xc3\x97 over 1h");
	ck_assert_str_eq(block_text(p, 0), "\xf0\x9f\x94\xa5 SLO burn-rate alert: GitHub");
	ck_assert(strstr(s, "\"<!here>\""));
	ck_assert(strstr(s, "*Severity:*\\nFast burn") && strstr(s, "*Error budget remaining:*\\n42.2%") &&
		  strstr(s, "*SLO target:*\\n99.9%") && strstr(s, "*Window:*\\n1h / 5m"));
	ck_assert(strstr(s, "Consuming error budget at *28.8\xc3\x97* the allowable rate over 1h, and"
			    " *1000.0\xc3\x97* over 5m."));
	/* View Status Page and Acknowledge in separate actions blocks */
	int actions = 0;
	cJSON *blk;
	cJSON_ArrayForEach(blk, blocks_of(p))
	{
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(blk, "type")), "actions"))
			actions++;
	}
	ck_assert_int_eq(actions, 2);
	cJSON_Delete(p);
	free(s);
	b.row = "ticket";
	b.page = 0;
	d.mention = 0;
	s = bk_render(&m);
	ck_assert(!strstr(s, "<!here>") && strstr(s, "Ticket burn"));
	free(s);
}
END_TEST

static char *repeat(const char *unit, size_t n)
{
	size_t l = strlen(unit);
	char *s = xmalloc(l * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * l, unit, l);
	s[l * n] = 0;
	return s;
}

static int ends_with_ellipsis(const char *s)
{
	size_t n = strlen(s);
	return n >= 3 && !strcmp(s + n - 3, "\xe2\x80\xa6");
}

START_TEST(test_header_and_section_limits)
{
	char *name = repeat("N", 300), *impact = repeat("i", 5000);
	struct ad_event e = mkev("x", name, ST_OPERATIONAL, ST_DEGRADED);
	e.impact = impact;
	struct ad_decision d = mkdec("status_change", 0);
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d};
	char *s = bk_render(&m);
	cJSON *p = cJSON_Parse(s);
	ck_assert_int_eq(bk_len(block_text(p, 0)), BK_MAX_HEADER);
	ck_assert(ends_with_ellipsis(block_text(p, 0)));
	ck_assert_int_eq(bk_len(block_text(p, 2)), BK_MAX_SECTION);
	ck_assert(ends_with_ellipsis(block_text(p, 2)));
	ck_assert_int_le(bk_len(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text"))), BK_MAX_TEXT);
	cJSON_Delete(p);
	free(s);
	free(name);
	free(impact);
}
END_TEST

START_TEST(test_enforce_fields_context_actions_blocks)
{
	cJSON *p = cJSON_CreateObject();
	char *longtext = repeat("t", 5000);
	cJSON_AddStringToObject(p, "text", longtext);
	cJSON *blocks = cJSON_AddArrayToObject(p, "blocks");
	/* a section with 12 fields, one too long */
	cJSON *sec = cJSON_CreateObject();
	cJSON_AddStringToObject(sec, "type", "section");
	cJSON *f = cJSON_AddArrayToObject(sec, "fields");
	for (int i = 0; i < 12; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "type", "mrkdwn");
		cJSON_AddStringToObject(t, "text", i == 0 ? longtext : "f");
		cJSON_AddItemToArray(f, t);
	}
	cJSON_AddItemToArray(blocks, sec);
	/* a context with 12 elements, an actions block with 30 buttons */
	cJSON *ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "type", "context");
	cJSON *el = cJSON_AddArrayToObject(ctx, "elements");
	for (int i = 0; i < 12; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "type", "mrkdwn");
		cJSON_AddStringToObject(t, "text", "c");
		cJSON_AddItemToArray(el, t);
	}
	cJSON_AddItemToArray(blocks, ctx);
	cJSON *act = cJSON_CreateObject();
	cJSON_AddStringToObject(act, "type", "actions");
	el = cJSON_AddArrayToObject(act, "elements");
	char *label = repeat("b", 100);
	for (int i = 0; i < 30; i++) {
		cJSON *btn = cJSON_CreateObject();
		cJSON_AddStringToObject(btn, "type", "button");
		cJSON *t = cJSON_AddObjectToObject(btn, "text");
		cJSON_AddStringToObject(t, "type", "plain_text");
		cJSON_AddStringToObject(t, "text", label);
		cJSON_AddStringToObject(btn, "action_id", "a");
		cJSON_AddItemToArray(el, btn);
	}
	cJSON_AddItemToArray(blocks, act);
	/* 80 more blocks, the last one a footer that must survive */
	for (int i = 0; i < 80; i++) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "divider");
		cJSON_AddItemToArray(blocks, b);
	}
	cJSON *foot = cJSON_CreateObject();
	cJSON_AddStringToObject(foot, "type", "context");
	cJSON *fe = cJSON_AddArrayToObject(foot, "elements");
	cJSON *ft = cJSON_CreateObject();
	cJSON_AddStringToObject(ft, "type", "mrkdwn");
	cJSON_AddStringToObject(ft, "text", "footer");
	cJSON_AddItemToArray(fe, ft);
	cJSON_AddItemToArray(blocks, foot);

	bk_enforce(p);
	ck_assert_int_eq(bk_len(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text"))), BK_MAX_TEXT);
	ck_assert_int_eq(cJSON_GetArraySize(blocks), BK_MAX_BLOCKS);
	cJSON *fields = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 0), "fields");
	ck_assert_int_eq(cJSON_GetArraySize(fields), BK_MAX_FIELDS);
	const char *f0 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 0), "text"));
	ck_assert_int_eq(bk_len(f0), BK_MAX_FIELD);
	ck_assert(ends_with_ellipsis(f0));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 1), "elements")),
			 BK_MAX_CONTEXT_ELEMENTS);
	cJSON *acts = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 2), "elements");
	ck_assert_int_eq(cJSON_GetArraySize(acts), BK_MAX_ACTIONS);
	const char *bt = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(acts, 0), "text"), "text"));
	ck_assert_int_eq(bk_len(bt), BK_MAX_BUTTON_TEXT);
	cJSON *last = cJSON_GetArrayItem(blocks, BK_MAX_BLOCKS - 1);
	const char *lt = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(last, "elements"), 0), "text"));
	ck_assert_str_eq(lt, "footer");
	ck_assert(strstr(block_text(p, BK_MAX_BLOCKS - 2), "more not shown"));
	cJSON_Delete(p);
	free(longtext);
	free(label);
}
END_TEST

START_TEST(test_enforce_total)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "text", "t");
	cJSON *blocks = cJSON_AddArrayToObject(p, "blocks");
	char *t = repeat("s", 2900);
	for (int i = 0; i < 10; i++) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "section");
		cJSON *o = cJSON_AddObjectToObject(b, "text");
		cJSON_AddStringToObject(o, "type", "mrkdwn");
		cJSON_AddStringToObject(o, "text", t);
		cJSON_AddItemToArray(blocks, b);
	}
	bk_enforce(p);
	ck_assert_int_le(total_text(p), BK_MAX_TOTAL);
	ck_assert_int_eq(cJSON_GetArraySize(blocks), 10);
	cJSON_Delete(p);
	free(t);
}
END_TEST

START_TEST(test_trunc_boundaries)
{
	ck_assert_int_eq(bk_len("abc"), 3);
	ck_assert_int_eq(bk_len("\xf0\x9f\x94\xb4"), 2); /* astral: two UTF-16 units */
	ck_assert_int_eq(bk_len("\xc3\xa9\xe2\x80\xa6"), 2);
	char *s = bk_trunc("hello", 5);
	ck_assert_str_eq(s, "hello");
	free(s);
	s = bk_trunc("hello world", 6);
	ck_assert_str_eq(s, "hello\xe2\x80\xa6");
	free(s);
	/* never half an emoji */
	char *emo = repeat("\xf0\x9f\x94\xb4", 100);
	s = bk_trunc(emo, 150);
	ck_assert_int_le(bk_len(s), 150);
	ck_assert_int_eq(strlen(s), 74 * 4 + 3);
	free(s);
	free(emo);
	/* never half an entity or half a link */
	s = bk_trunc("abcdef &amp; tail", 10);
	ck_assert_str_eq(s, "abcdef \xe2\x80\xa6");
	free(s);
	s = bk_trunc("see <https://example.com/x|View Status Page> now", 20);
	ck_assert_str_eq(s, "see \xe2\x80\xa6");
	free(s);
	s = bk_trunc("x <!here> y", 6);
	ck_assert_str_eq(s, "x \xe2\x80\xa6");
	free(s);
	s = bk_escape("a<b>&c");
	ck_assert_str_eq(s, "a&lt;b&gt;&amp;c");
	free(s);
	char ts[21];
	ck_assert_str_eq(bk_footer_ts("2026-11-23T20:31:05.123Z", ts), "2026-11-23 20:31 UTC");
}
END_TEST

START_TEST(test_ack_update)
{
	struct ad_event e = mkev("gh", "GitHub", ST_OPERATIONAL, ST_MAJOR_OUTAGE);
	struct ad_decision d = mkdec("status_change", 0);
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d, .ack = 1};
	char *orig = bk_render(&m);
	int64_t at;
	ck_assert_int_eq(ts_parse("2026-11-23T20:45:10Z", &at), 0);
	char *s = bk_ack_update(orig, "alice", at);
	cJSON *p = cJSON_Parse(s);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "replace_original")));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
			 "\xe2\x9c\x93 Acknowledged by @alice at 20:45 UTC");
	ck_assert(!strstr(s, "ack_alert"));
	ck_assert(strstr(s, "view_status_page")); /* the seed lost it (doc/compat.md#bug-21) */
	cJSON *blocks = blocks_of(p);
	cJSON *last = cJSON_GetArrayItem(blocks, cJSON_GetArraySize(blocks) - 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(last, "type")), "context");
	cJSON_Delete(p);
	free(s);
	free(orig);
	ck_assert_ptr_null(bk_ack_update("not json", "x", at));
}
END_TEST

static Suite *blocks_suite(void)
{
	Suite *s = suite_create("blocks");
	TCase *tc = tcase_create("layouts");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_single_golden);
	tcase_add_test(tc, test_mrkdwn_is_escaped);
	tcase_add_test(tc, test_batch_layout);
	tcase_add_test(tc, test_batch_of_hundreds_fits);
	tcase_add_test(tc, test_aggregated_layout);
	tcase_add_test(tc, test_health_layouts);
	tcase_add_test(tc, test_burn_layout);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_header_and_section_limits);
	tcase_add_test(tc, test_enforce_fields_context_actions_blocks);
	tcase_add_test(tc, test_enforce_total);
	tcase_add_test(tc, test_trunc_boundaries);
	tcase_add_test(tc, test_ack_update);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(blocks_suite());
}
