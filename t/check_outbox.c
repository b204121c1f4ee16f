/*
 * check_outbox: the delivery side -- the retry policy (classification,
 * exponential backoff with jitter and its cap, Retry-After in seconds or as
 * an HTTP date), the per-destination FIFO and its states, the pending gauge,
 * destination names resolved to URLs at delivery time, the response_url
 * allow-list, and the generic webhook, Teams and PagerDuty payloads.
 */
#include <stdio.h>

#include "check_alert.h"
#include "registry.h"

static struct tfx F;

static void setup(void)
{
	tfx_open(&F);
}

static void teardown(void)
{
	tfx_close(&F);
}

START_TEST(test_classify)
{
	ck_assert_int_eq(outbox_classify(1, 200), OB_SENT);
	ck_assert_int_eq(outbox_classify(1, 202), OB_SENT); /* PagerDuty */
	ck_assert_int_eq(outbox_classify(1, 204), OB_SENT);
	ck_assert_int_eq(outbox_classify(1, 429), OB_RATE_LIMITED);
	ck_assert_int_eq(outbox_classify(1, 500), OB_RETRY);
	ck_assert_int_eq(outbox_classify(1, 503), OB_RETRY);
	ck_assert_int_eq(outbox_classify(1, 408), OB_RETRY);
	ck_assert_int_eq(outbox_classify(0, 0), OB_RETRY); /* timeout, refused, reset */
	ck_assert_int_eq(outbox_classify(1, 400), OB_FAILED);
	ck_assert_int_eq(outbox_classify(1, 403), OB_FAILED);
	ck_assert_int_eq(outbox_classify(1, 404), OB_FAILED);
	ck_assert_int_eq(outbox_classify(1, 410), OB_FAILED);
	ck_assert_int_eq(outbox_classify(1, 302), OB_FAILED); /* redirects are not followed */
}
END_TEST

START_TEST(test_backoff)
{
	ck_assert_int_eq(outbox_backoff_ms(1, 0), 500);
	ck_assert_int_eq(outbox_backoff_ms(1, 0.999), 999);
	ck_assert_int_eq(outbox_backoff_ms(2, 0), 1000);
	ck_assert_int_eq(outbox_backoff_ms(4, 0.5), 6000);
	for (int a = 1; a < 200; a++) {
		int64_t lo = outbox_backoff_ms(a, 0), hi = outbox_backoff_ms(a, 0.9999);
		ck_assert_int_le(hi, 15000);
		ck_assert_int_ge(lo, hi / 2 - 1);
		if (a > 1)
			ck_assert_int_ge(hi, outbox_backoff_ms(a - 1, 0.9999));
	}
	ck_assert_int_eq(outbox_backoff_ms(30, 0), 7500); /* capped at 15 s (issue 18 item 8) */
	ck_assert_int_eq(outbox_backoff_ms(0, 0), 500);
}
END_TEST

START_TEST(test_retry_after)
{
	int64_t now;
	ck_assert_int_eq(ts_parse("2026-11-23T20:00:00Z", &now), 0);
	ck_assert_int_eq(ts_retry_after_ms("5", now), 5000);
	ck_assert_int_eq(ts_retry_after_ms(" 120 ", now), 120000);
	ck_assert_int_eq(ts_retry_after_ms("0", now), 0);
	ck_assert_int_eq(ts_retry_after_ms("100000", now), 600000); /* capped */
	ck_assert_int_eq(ts_retry_after_ms("Mon, 23 Nov 2026 20:00:30 GMT", now), 30000);
	ck_assert_int_eq(ts_retry_after_ms("Mon, 23 Nov 2026 19:00:00 GMT", now), 0);
	ck_assert_int_eq(ts_retry_after_ms("Tue, 24 Nov 2026 20:00:00 GMT", now), 600000);
	ck_assert_int_eq(ts_retry_after_ms("soon", now), -1);
	ck_assert_int_eq(ts_retry_after_ms("-3", now), -1);
	ck_assert_int_eq(ts_retry_after_ms("5s", now), -1);
	ck_assert_int_eq(ts_retry_after_ms("", now), -1);
	ck_assert_int_eq(ts_retry_after_ms(NULL, now), -1);
}
END_TEST

static int heads(struct ob_row **v)
{
	int n = outbox_heads(F.a.db, v);
	ck_assert_int_ge(n, 0);
	return n;
}

START_TEST(test_fifo_per_destination)
{
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	ck_assert_int_eq(outbox_add(F.a.db, 0, "slack", "slack:main", "{\"n\":1}", NULL, now), 0);
	ck_assert_int_eq(outbox_add(F.a.db, 0, "webhook", "webhook:main", "{\"n\":2}", now, now),
			 0);
	ck_assert_int_eq(outbox_add(F.a.db, 0, "slack", "slack:main", "{\"n\":3}", NULL, now), 0);
	struct ob_row *v;
	int n = heads(&v);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(v[0].id, 1);
	ck_assert_str_eq(v[0].destination, "slack:main");
	ck_assert_str_eq(v[0].state, "pending");
	ck_assert_int_eq(v[1].id, 2);
	ck_assert_int_eq(v[0].event_ms, v[0].created_ms); /* no event time: queueing time */
	ob_rows_free(v, (size_t)n);
	/* a claimed row stays the head until it is finished */
	ck_assert_int_eq(outbox_claim(F.a.db, 1), 0);
	n = heads(&v);
	ck_assert_int_eq(v[0].id, 1);
	ck_assert_str_eq(v[0].state, "sending");
	ck_assert_int_eq(v[0].attempts, 1);
	ob_rows_free(v, (size_t)n);
	ck_assert_int_eq(outbox_mark_retry(F.a.db, 1, 503, "HTTP 503", ts_now_ms() + 60000), 0);
	n = heads(&v);
	ck_assert_int_eq(v[0].id, 1); /* order kept: 3 waits behind 1's retry */
	ck_assert_str_eq(v[0].state, "pending");
	ck_assert_int_gt(v[0].next_attempt_ms, ts_now_ms() + 50000);
	ob_rows_free(v, (size_t)n);
	ck_assert_int_eq(tfx_int(&F, "SELECT last_http_status FROM outbox WHERE id = 1"), 503);
	ck_assert_int_eq(outbox_claim(F.a.db, 1), 0);
	ck_assert_int_eq(outbox_mark_sent(F.a.db, 1, 200), 0);
	n = heads(&v);
	ck_assert_int_eq(v[0].id, 2);
	ck_assert_int_eq(v[1].id, 3);
	ob_rows_free(v, (size_t)n);
	ck_assert_int_eq(tfx_int(&F, "SELECT attempts FROM outbox WHERE id = 1"), 2);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox WHERE id = 1 AND state = 'sent'"
				     " AND sent_at IS NOT NULL AND last_error IS NULL"),
			 1);
	ck_assert_int_eq(outbox_mark_failed(F.a.db, 3, 404, "HTTP 404: no_service"), 0);
	n = heads(&v);
	ck_assert_int_eq(n, 1);
	ob_rows_free(v, (size_t)n);
}
END_TEST

START_TEST(test_pending_gauge)
{
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	outbox_add(F.a.db, 0, "slack", "slack:main", "{}", NULL, now);
	outbox_add(F.a.db, 0, "slack", "slack:main", "{}", NULL, now);
	outbox_add(F.a.db, 0, "teams", "teams:main", "{}", NULL, now);
	ck_assert_int_eq(outbox_gauges(F.a.db), 0);
	ck_assert(met_value("outbox_pending", "{destination=\"slack:main\"}") == 2);
	ck_assert(met_value("outbox_pending", "{destination=\"teams:main\"}") == 1);
	tfx_exec(&F, "UPDATE outbox SET state = 'sent'");
	ck_assert_int_eq(outbox_gauges(F.a.db), 0);
	ck_assert(met_value("outbox_pending", "{destination=\"slack:main\"}") == 0);
	ck_assert(met_value("outbox_pending", "{destination=\"teams:main\"}") == 0);
}
END_TEST

START_TEST(test_response_url_allow_list)
{
	const char *dflt = "hooks.slack.com";
	ck_assert(dest_response_url_ok("https://hooks.slack.com/actions/T01/123/abc-DEF_9", dflt));
	ck_assert(dest_response_url_ok("https://HOOKS.slack.com/actions/T/1/x", dflt));
	ck_assert(!dest_response_url_ok("http://hooks.slack.com/actions/T/1/x", dflt));
	ck_assert(!dest_response_url_ok("https://evil.example/actions/T/1/x", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com.evil.example/actions/x", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com@evil.example/actions/x", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com/actions/x?redirect=evil", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com/actions/x#f", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com/actions/%2e%2e/x", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com", dflt));
	ck_assert(!dest_response_url_ok("ftp://hooks.slack.com/actions/x", dflt));
	ck_assert(!dest_response_url_ok("https://hooks.slack.com/actions/x", NULL));
	/* loopback fakes in tests: plain http allowed, port matched when given */
	ck_assert(dest_response_url_ok("http://127.0.0.1:8080/actions/x", "127.0.0.1:8080"));
	ck_assert(dest_response_url_ok("http://127.0.0.1:8080/actions/x", "a.example, 127.0.0.1"));
	ck_assert(!dest_response_url_ok("http://127.0.0.1:8080/actions/x", "127.0.0.1:9"));
	ck_assert(!dest_response_url_ok("http://10.0.0.1/actions/x", "10.0.0.1"));
	ck_assert(dest_response_url_ok("https://10.0.0.1/actions/x", "10.0.0.1"));
}
END_TEST

START_TEST(test_resolve)
{
	struct cfg_settings *c = &F.a.conf.cfg;
	tfx_secret(&c->secrets.poller_health_slack_webhook_url, "https://h.example/ph");
	tfx_secret(&c->secrets.generic_webhook_url, "https://h.example/gw");
	tfx_secret(&c->secrets.teams_webhook_url, "https://h.example/teams");
	char *u;
#define RESOLVES(kind, name, want)                                                                 \
	do {                                                                                       \
		u = dest_resolve(F.a.db, c, &F.a.conf.reg, kind, name);                            \
		if (want)                                                                          \
			ck_assert_str_eq(u ? u : "(null)", (const char *)(want));                  \
		else                                                                               \
			ck_assert_msg(u == NULL, "%s resolved to %s", name, u);                    \
		free(u);                                                                           \
	} while (0)
	RESOLVES("slack", "slack:main", "http://127.0.0.1:9/main");
	RESOLVES("slack", "slack:poller_health", "https://h.example/ph");
	RESOLVES("webhook", "webhook:main", "https://h.example/gw");
	RESOLVES("teams", "teams:main", "https://h.example/teams");
	setenv("T_RESOLVE_OV", "https://h.example/ov", 1);
	RESOLVES("slack", "slack:env:T_RESOLVE_OV", "https://h.example/ov");
	setenv("T_RESOLVE_OV", "not a url", 1);
	RESOLVES("slack", "slack:env:T_RESOLVE_OV", NULL);
	unsetenv("T_RESOLVE_OV");
	RESOLVES("slack", "slack:env:T_RESOLVE_OV", NULL);
	/* PagerDuty: only with a routing key; the events URL can be overridden */
	RESOLVES("pagerduty", "pagerduty:main", NULL);
	tfx_secret(&c->secrets.pagerduty_routing_key, "rk");
	unsetenv("PAGERDUTY_EVENTS_URL");
	RESOLVES("pagerduty", "pagerduty:main", "https://events.pagerduty.com/v2/enqueue");
	setenv("PAGERDUTY_EVENTS_URL", "http://127.0.0.1:9/pd", 1);
	RESOLVES("pagerduty", "pagerduty:main", "http://127.0.0.1:9/pd");
	unsetenv("PAGERDUTY_EVENTS_URL");
	/* a rotated secret applies to rows already queued */
	tfx_secret(&c->secrets.slack_webhook_url, "https://h.example/rotated");
	RESOLVES("slack", "slack:main", "https://h.example/rotated");
	tfx_secret(&c->secrets.slack_webhook_url, NULL);
	RESOLVES("slack", "slack:main", NULL);
	RESOLVES("slack", "slack:nonsense", NULL);
	/* a literal override URL lives only in the loaded registry */
	struct reg_service rs;
	memset(&rs, 0, sizeof rs);
	rs.id = (char *)"svc";
	rs.slack_override_url = (char *)"https://h.example/literal";
	F.a.conf.reg.services = &rs;
	F.a.conf.reg.nservices = 1;
	RESOLVES("slack", "slack:service:svc", "https://h.example/literal");
	RESOLVES("slack", "slack:service:other", NULL);
	F.a.conf.reg.services = NULL;
	F.a.conf.reg.nservices = 0;
	/* a response_url comes from its inbox row, checked again */
	tfx_exec(
	    &F,
	    "INSERT INTO inbox (kind, consumer, payload) VALUES ('slack_ack', 'alertd',"
	    " '{\"response_url\":\"https://hooks.slack.com/actions/T/1/x\"}'),"
	    " ('slack_ack', 'alertd', '{\"response_url\":\"https://evil.example/actions/x\"}')");
	RESOLVES("slack_response", "slack_response:1", "https://hooks.slack.com/actions/T/1/x");
	RESOLVES("slack_response", "slack_response:2", NULL);
	RESOLVES("slack_response", "slack_response:99", NULL);
	RESOLVES("slack_response", "slack_response:1x", NULL);
#undef RESOLVES
}
END_TEST

START_TEST(test_body)
{
	struct cfg_settings *c = &F.a.conf.cfg;
	char *b = dest_body(c, "slack", "{\"text\":\"x\"}");
	ck_assert_str_eq(b, "{\"text\":\"x\"}");
	free(b);
	ck_assert_ptr_null(dest_body(c, "pagerduty", "{\"event_action\":\"trigger\"}"));
	tfx_secret(&c->secrets.pagerduty_routing_key, "R0UTING");
	b = dest_body(c, "pagerduty", "{\"event_action\":\"trigger\"}");
	ck_assert_str_eq(b, "{\"event_action\":\"trigger\",\"routing_key\":\"R0UTING\"}");
	free(b);
	ck_assert_ptr_null(dest_body(c, "pagerduty", "[1]"));
}
END_TEST

static struct ad_event mkev(void)
{
	struct ad_event e;
	memset(&e, 0, sizeof e);
	e.id = 42;
	e.kind = AD_EV_STATUS;
	e.service_id = (char *)"github";
	e.name = (char *)"GitHub";
	e.category = (char *)"engineering";
	e.prev = ST_OPERATIONAL;
	e.next = ST_MAJOR_OUTAGE;
	e.tier = ST_TIER_CRITICAL;
	e.status_page_url = (char *)"https://www.githubstatus.com";
	e.vendor_title = (char *)"Git operations degraded";
	e.vendor_incident_id = (char *)"inc1";
	e.impact = (char *)"GitHub is down.";
	snprintf(e.created_at, sizeof e.created_at, "2026-11-23T20:31:05.123Z");
	return e;
}

/* The string at a dotted path ("a.0.b"; numbers index arrays), "(none)". */
static const char *jstr(const cJSON *o, const char *path)
{
	const cJSON *cur = o;
	while (cur && *path) {
		size_t n = strcspn(path, ".");
		char *k = xstrndup(path, n);
		cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)strtol(k, NULL, 10))
					 : cJSON_GetObjectItemCaseSensitive(cur, k);
		free(k);
		path += n + (path[n] == '.');
	}
	return cJSON_GetStringValue(cur) ? cJSON_GetStringValue(cur) : "(none)";
}

START_TEST(test_webhook_payload)
{
	struct ad_event e = mkev(), d1 = mkev();
	d1.service_id = (char *)"npm";
	d1.name = (char *)"npm";
	const struct ad_event *deps[] = {&d1};
	struct ad_decision d = {.alert_kind = "aggregated_upstream",
				.dedup_key = (char *)"k",
				.incident_key = (char *)"itstatus:github:42",
				.mention = 1,
				.alert_id = 9,
				.group = 0};
	struct ad_msg m = {
	    .kind = "aggregated_upstream", .ev = &e, .dec = &d, .deps = deps, .ndeps = 1};
	char *s = dest_webhook_payload(&m);
	cJSON *j = cJSON_Parse(s);
	ck_assert_str_eq(jstr(j, "source"), "itstatus");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "version")->valueint, 1);
	ck_assert_str_eq(jstr(j, "kind"), "aggregated_upstream");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "alert_id")->valueint, 9);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "event_id")->valueint, 42);
	ck_assert_str_eq(jstr(j, "severity"), "critical");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "mention")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "recovery")));
	ck_assert_str_eq(jstr(j, "service.id"), "github");
	ck_assert_str_eq(jstr(j, "service.status_page_url"), "https://www.githubstatus.com");
	ck_assert_str_eq(jstr(j, "previous_status"), "operational");
	ck_assert_str_eq(jstr(j, "new_status"), "major_outage");
	ck_assert_str_eq(jstr(j, "impact"), "GitHub is down.");
	ck_assert_str_eq(jstr(j, "vendor.incident_id"), "inc1");
	ck_assert_str_eq(jstr(j, "dependents.0.id"), "npm");
	ck_assert_str_eq(jstr(j, "occurred_at"), "2026-11-23T20:31:05.123Z");
	ck_assert_str_eq(jstr(j, "incident_key"), "itstatus:github:42");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(test_teams_payload)
{
	struct ad_event e = mkev();
	struct ad_decision d = {
	    .alert_kind = "status_change", .dedup_key = (char *)"k", .group = -1};
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d};
	char *s = dest_teams_payload(&m);
	cJSON *j = cJSON_Parse(s);
	ck_assert_str_eq(jstr(j, "type"), "message");
	ck_assert_str_eq(jstr(j, "attachments.0.contentType"),
			 "application/vnd.microsoft.card.adaptive");
	ck_assert_str_eq(jstr(j, "attachments.0.content.type"), "AdaptiveCard");
	ck_assert_str_eq(jstr(j, "attachments.0.content.body.0.text"),
			 "\xf0\x9f\x94\xb4 GitHub: Operational \xe2\x86\x92 Major Outage");
	ck_assert_str_eq(jstr(j, "attachments.0.content.body.1.facts.0.value"), "GitHub");
	ck_assert(strstr(s, "\"title\":\"Current\",\"value\":\"Major Outage\""));
	ck_assert_str_eq(jstr(j, "attachments.0.content.body.2.text"), "GitHub is down.");
	ck_assert_str_eq(jstr(j, "attachments.0.content.actions.0.url"),
			 "https://www.githubstatus.com");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(test_pagerduty_payload)
{
	struct ad_event e = mkev();
	struct ad_decision d = {.alert_kind = "status_change",
				.dedup_key = (char *)"k",
				.incident_key = (char *)"itstatus:github:42",
				.group = -1};
	struct ad_msg m = {.kind = "status_change", .ev = &e, .dec = &d};
	ck_assert(dest_pagerduty_wants(&m));
	char *s = dest_pagerduty_payload(&m);
	cJSON *j = cJSON_Parse(s);
	ck_assert_str_eq(jstr(j, "event_action"), "trigger");
	ck_assert_str_eq(jstr(j, "dedup_key"), "itstatus:github:42");
	ck_assert_str_eq(jstr(j, "payload.severity"), "critical");
	ck_assert_str_eq(jstr(j, "payload.source"), "itstatus");
	ck_assert_str_eq(jstr(j, "payload.component"), "github");
	ck_assert_str_eq(jstr(j, "payload.class"), "major_outage");
	ck_assert_str_eq(jstr(j, "payload.timestamp"), "2026-11-23T20:31:05.123Z");
	ck_assert_str_eq(jstr(j, "payload.custom_details.impact"), "GitHub is down.");
	ck_assert_str_eq(jstr(j, "links.0.href"), "https://www.githubstatus.com");
	cJSON_Delete(j);
	free(s);
	e.tier = ST_TIER_IMPORTANT;
	s = dest_pagerduty_payload(&m);
	ck_assert(strstr(s, "\"severity\":\"error\""));
	free(s);
	d.recovery = 1;
	s = dest_pagerduty_payload(&m);
	ck_assert_str_eq(s, "{\"event_action\":\"resolve\",\"dedup_key\":\"itstatus:github:42\","
			    "\"client\":\"itstatus\"}");
	free(s);
	m.kind = "poller_health";
	ck_assert(!dest_pagerduty_wants(&m));
}
END_TEST

/* The head row of slack:main, for burst_merge. Caller frees with ob_rows_free. */
static struct ob_row *main_head(int *n)
{
	struct ob_row *h = NULL;
	*n = outbox_heads(F.a.db, &h);
	ck_assert_int_ge(*n, 1);
	for (int i = 0; i < *n; i++)
		if (!strcmp(h[i].destination, "slack:main"))
			return h;
	ck_abort_msg("no slack:main head");
	return NULL;
}

static struct ob_row *find_main(struct ob_row *h, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(h[i].destination, "slack:main"))
			return &h[i];
	return NULL;
}

START_TEST(test_burst_merge)
{
	tfx_secret(&F.a.conf.cfg.secrets.generic_webhook_url, "http://127.0.0.1:9/generic");
	/* five passes of one change each: five individual messages wait */
	int64_t ev[5];
	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, i == 2 ? "critical" : NULL);
		ev[i] = tfx_event(&F, id, "operational", "degraded");
		ck_assert_int_eq(tfx_pass(&F), 1);
	}
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination = 'slack:main'"), 5);
	int n;
	struct ob_row *h = main_head(&n);
	struct ob_row *m = find_main(h, n);
	int64_t head_id = m->id;
	ck_assert_int_eq(burst_merge(&F.a, m), 1);
	ob_rows_free(h, (size_t)n);
	/* one Slack row left, in the head's place, carrying a batch of all five */
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination = 'slack:main'"), 1);
	char *sql = xasprintf("SELECT payload FROM outbox WHERE id = %lld", (long long)head_id);
	char *p = tfx_text(&F, sql);
	free(sql);
	ck_assert_msg(tfx_contains(p, "5 status changes: Svc s0: Operational"), "%s", p);
	ck_assert(tfx_contains(p, "Svc s4"));
	ck_assert(tfx_contains(p, "<!here>")); /* s2 is critical */
	free(p);
	char *key = tfx_text(
	    &F, "SELECT dedup_key || '|' || alert_kind || '|' || severity FROM alert_sent_log"
		" WHERE id = (SELECT alert_id FROM outbox WHERE destination = 'slack:main')");
	sql = xasprintf("burst:slack:main:%lld|batch|critical", (long long)head_id);
	ck_assert_str_eq(key, sql);
	free(sql);
	free(key);
	for (int i = 0; i < 5; i++)
		ck_decision(&F, ev[i], "batched");
	ck_assert_int_eq(
	    tfx_int(&F,
		    "SELECT count(*) FROM alert_sent_log WHERE aggregated_under LIKE 'burst:%'"),
	    5);
	/* the generic webhook still gets one message per change */
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination = 'webhook:main'"), 5);
	/* the merged row is a batch now: nothing more to merge */
	h = main_head(&n);
	ck_assert_int_eq(burst_merge(&F.a, find_main(h, n)), 0);
	ob_rows_free(h, (size_t)n);
	ck_assert(met_value("outbox_merged_total", "{destination=\"slack:main\"}") == 5);
}
END_TEST

START_TEST(test_burst_merge_limits)
{
	/* three waiting: not a burst */
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		tfx_event(&F, id, "operational", "degraded");
		ck_assert_int_eq(tfx_pass(&F), 1);
	}
	int n;
	struct ob_row *h = main_head(&n);
	ck_assert_int_eq(burst_merge(&F.a, find_main(h, n)), 0);
	ob_rows_free(h, (size_t)n);
	/* a poller-health message (to main: no health channel) breaks the run:
	 * only what is in front of it could merge, and that is three */
	tfx_health(&F, "s0", "healthy", "broken");
	ck_assert_int_eq(tfx_pass(&F), 1);
	for (int i = 3; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		tfx_event(&F, id, "operational", "degraded");
		ck_assert_int_eq(tfx_pass(&F), 1);
	}
	h = main_head(&n);
	ck_assert_int_eq(burst_merge(&F.a, find_main(h, n)), 0);
	ob_rows_free(h, (size_t)n);
	/* a row already posted once ('sending': it may have arrived) is never merged */
	tfx_service(&F, "s6", NULL);
	tfx_event(&F, "s6", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	tfx_exec(&F, "UPDATE outbox SET state = 'sent' WHERE id IN (SELECT id FROM outbox"
		     " WHERE destination = 'slack:main' ORDER BY id LIMIT 4)");
	h = main_head(&n);
	struct ob_row *m = find_main(h, n);
	ck_assert_int_eq(outbox_claim(F.a.db, m->id), 0);
	free(m->state);
	m->state = xstrdup("sending");
	ck_assert_int_eq(burst_merge(&F.a, m), 0);
	ob_rows_free(h, (size_t)n);
	/* back to pending after a failed attempt: the head and the three behind it merge */
	tfx_exec(&F, "UPDATE outbox SET state = 'pending' WHERE state = 'sending'");
	h = main_head(&n);
	ck_assert_int_eq(burst_merge(&F.a, find_main(h, n)), 1);
	ob_rows_free(h, (size_t)n);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination = 'slack:main'"
				     " AND state = 'pending'"),
			 1);
}
END_TEST

static Suite *outbox_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_retry_after);
	tcase_add_test(tc, test_response_url_allow_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("db");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_per_destination);
	tcase_add_test(tc, test_pending_gauge);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_body);
	tcase_add_test(tc, test_webhook_payload);
	tcase_add_test(tc, test_teams_payload);
	tcase_add_test(tc, test_pagerduty_payload);
	tcase_add_test(tc, test_burst_merge);
	tcase_add_test(tc, test_burst_merge_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(outbox_suite());
}
