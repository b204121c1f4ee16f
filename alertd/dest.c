/*
 * dest: the destinations other than Slack's Block Kit -- a generic JSON
 * webhook, Microsoft Teams and PagerDuty Events API v2 -- and the resolution
 * of a destination name to its URL at delivery time.
 *
 * Outbox rows name their destination ('slack:main', 'slack:poller_health',
 * 'slack:env:<VAR>' for a ${VAR} override, 'slack:service:<id>' for a
 * literal URL kept in services.yaml, 'webhook:main', 'teams:main',
 * 'pagerduty:main', 'slack_response:<inbox id>'); the URL is looked up only
 * when the row is posted. Secrets therefore never reach the database, and a
 * rotated webhook applies to messages already queued. PagerDuty's routing
 * key is a secret too: it is added to the body at delivery time.
 *
 * Generic webhook payload (version 1), one POST per alert:
 *
 *   {"source": "itstatus", "version": 1,
 *    "kind": "status_change" | "aggregated_upstream" | "poller_health" | "slo_burn_rate",
 *    "alert_id": 12, "dedup_key": "...", "incident_key": "...",
 *    "severity": "critical" | "important",   (the service's tier; burn: fast critical)
 *    "mention": true,                         (critical: Slack says <!here>)
 *    "recovery": false,
 *    "text": "🔴 GitHub: Operational → Major Outage",
 *    "occurred_at": "2026-11-23T20:31:05.123Z", "event_id": 42,   (null for burn)
 *    "service": {"id", "name", "category", "tier", "status_page_url"},
 *    "previous_status": "operational", "new_status": "major_outage",
 *    "impact": "...",
 *    "vendor": {"title", "incident_id", "detail"},                 (status kinds)
 *    "dependents": [{"id", "name", "previous_status", "new_status"}],  (aggregated)
 *    "poller_health": {"previous", "new", "failure_reason"},       (poller_health)
 *    "burn": {"row", "long_window", "short_window", "long_burn", "short_burn",
 *             "threshold", "budget_remaining_percent", "slo_target_percent"},
 *    "also_burn": {...},    (the slow row, when it breaches together with the fast one)
 *    "folded_dependents": [{"service_id", "name", "status", "event_id"}]}
 *                           (an upstream's recovery: dependents folded under its alert)
 *
 * Absent facts are null. Batches are a Slack presentation only: the webhook,
 * Teams and PagerDuty get one message per change.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonck.h"
#include "alertd.h"
#include "buf.h"
#include "db.h"
#include "registry.h"
#include "xalloc.h"

#define PAGERDUTY_DEFAULT_URL "https://events.pagerduty.com/v2/enqueue"
/* Any one text built here (an escaped vendor title, a list of dependents):
 * the cap only stops hostile input from growing a buffer unbounded. */
#define DEST_TEXT_CAP (4 * 1024 * 1024)

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* Print o and delete it; the caller frees the text. */
static char *print_free(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static const char *prev_str(const struct ad_msg *m)
{
	if (!strcmp(m->kind, "poller_health"))
		return st_health_str(m->ev->hprev);
	if (!strcmp(m->kind, "slo_burn_rate"))
		return NULL;
	return st_status_str(m->ev->prev);
}

static const char *next_str(const struct ad_msg *m)
{
	if (!strcmp(m->kind, "poller_health"))
		return st_health_str(m->ev->hnext);
	if (!strcmp(m->kind, "slo_burn_rate"))
		return NULL;
	return st_status_str(m->ev->next);
}

static void add_burn(cJSON *o, const char *name, const struct ad_burn *u)
{
	cJSON *b = cJSON_AddObjectToObject(o, name);
	cJSON_AddStringToObject(b, "row", u->row);
	cJSON_AddStringToObject(b, "long_window", u->long_label);
	cJSON_AddStringToObject(b, "short_window", u->short_label);
	cJSON_AddNumberToObject(b, "long_burn", u->long_burn);
	cJSON_AddNumberToObject(b, "short_burn", u->short_burn);
	cJSON_AddNumberToObject(b, "threshold", u->threshold);
	cJSON_AddNumberToObject(b, "budget_remaining_percent", u->budget_remaining);
	cJSON_AddNumberToObject(b, "slo_target_percent", u->target);
}

char *dest_webhook_payload(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "source", "itstatus");
	cJSON_AddNumberToObject(o, "version", 1);
	cJSON_AddStringToObject(o, "kind", m->kind);
	cJSON_AddNumberToObject(o, "alert_id", (double)m->dec->alert_id);
	add_str(o, "dedup_key", m->dec->dedup_key);
	add_str(o, "incident_key", m->dec->incident_key);
	/* a burn's severity is its row's: only the fast row pages */
	cJSON_AddStringToObject(o, "severity",
				m->burn ? (m->burn->page ? "critical" : "important")
					: st_tier_str(e->tier));
	cJSON_AddBoolToObject(o, "mention", m->dec->mention);
	cJSON_AddBoolToObject(o, "recovery", m->dec->recovery);
	char *t = bk_title(m);
	cJSON_AddStringToObject(o, "text", t);
	free(t);
	cJSON_AddStringToObject(o, "occurred_at", m->burn ? m->burn->at : e->created_at);
	if (e->id)
		cJSON_AddNumberToObject(o, "event_id", (double)e->id);
	else
		cJSON_AddNullToObject(o, "event_id");
	cJSON *s = cJSON_AddObjectToObject(o, "service");
	add_str(s, "id", e->service_id);
	add_str(s, "name", e->name);
	add_str(s, "category", e->category);
	cJSON_AddStringToObject(s, "tier", st_tier_str(e->tier));
	add_str(s, "status_page_url", e->status_page_url);
	add_str(o, "previous_status", prev_str(m));
	add_str(o, "new_status", next_str(m));
	if (!strcmp(m->kind, "status_change") || !strcmp(m->kind, "aggregated_upstream")) {
		char *imp = event_impact(e);
		cJSON_AddStringToObject(o, "impact", imp);
		free(imp);
		cJSON *v = cJSON_AddObjectToObject(o, "vendor");
		add_str(v, "title", e->vendor_title);
		add_str(v, "incident_id", e->vendor_incident_id);
		add_str(v, "detail", e->vendor_detail);
	} else {
		cJSON_AddNullToObject(o, "impact");
	}
	if (!strcmp(m->kind, "aggregated_upstream")) {
		cJSON *a = cJSON_AddArrayToObject(o, "dependents");
		for (size_t i = 0; i < m->ndeps; i++) {
			cJSON *d = cJSON_CreateObject();
			add_str(d, "id", m->deps[i]->service_id);
			add_str(d, "name", m->deps[i]->name);
			cJSON_AddStringToObject(d, "previous_status",
						st_status_str(m->deps[i]->prev));
			cJSON_AddStringToObject(d, "new_status", st_status_str(m->deps[i]->next));
			cJSON_AddItemToArray(a, d);
		}
	}
	if (m->folded && cJSON_GetArraySize(m->folded) > 0)
		cJSON_AddItemToObject(o, "folded_dependents", cJSON_Duplicate(m->folded, 1));
	if (!strcmp(m->kind, "poller_health")) {
		cJSON *h = cJSON_AddObjectToObject(o, "poller_health");
		cJSON_AddStringToObject(h, "previous", st_health_str(e->hprev));
		cJSON_AddStringToObject(h, "new", st_health_str(e->hnext));
		add_str(h, "failure_reason", e->failure_reason);
	}
	if (m->burn)
		add_burn(o, "burn", m->burn);
	if (m->burn_also)
		add_burn(o, "also_burn", m->burn_also);
	return print_free(o);
}

char *dest_md_escape(const char *s)
{
	struct buf b;
	buf_init(&b, DEST_TEXT_CAP);
	for (; s && *s; s++) {
		if (strchr("\\[]()*_~`", *s))
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	return buf_steal_text(&b, "Teams text");
}

/* Teams renders Markdown in TextBlocks and fact values: every string put
 * there is escaped, so a vendor title such as "[Reset SSO](https://evil)"
 * shows as typed instead of becoming a link. */
static void add_md(cJSON *obj, const char *key, const char *text)
{
	char *e = dest_md_escape(text);
	cJSON_AddStringToObject(obj, key, e);
	free(e);
}

static void fact(cJSON *facts, const char *title, const char *value)
{
	if (!value || !*value)
		return;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "title", title);
	add_md(f, "value", value);
	cJSON_AddItemToArray(facts, f);
}

/* A TextBlock; text is escaped unless it is already safe (the title, built
 * from an escaped name and our own words). */
static void text_block(cJSON *body, const char *text, int heading, int escape)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", "TextBlock");
	if (escape)
		add_md(t, "text", text);
	else
		cJSON_AddStringToObject(t, "text", text);
	cJSON_AddBoolToObject(t, "wrap", 1);
	if (heading) {
		cJSON_AddStringToObject(t, "size", "Medium");
		cJSON_AddStringToObject(t, "weight", "Bolder");
	}
	cJSON_AddItemToArray(body, t);
}

/* An Adaptive Card in the message envelope that both Teams Workflows and the
 * older Office 365 connectors accept; the same facts as the Slack message. */
char *dest_teams_payload(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "message");
	cJSON *att = cJSON_AddArrayToObject(o, "attachments");
	cJSON *a = cJSON_CreateObject();
	cJSON_AddItemToArray(att, a);
	cJSON_AddStringToObject(a, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON *card = cJSON_AddObjectToObject(a, "content");
	cJSON_AddStringToObject(card, "$schema",
				"http://adaptivecards.io/schemas/adaptive-card.json");
	cJSON_AddStringToObject(card, "type", "AdaptiveCard");
	cJSON_AddStringToObject(card, "version", "1.4");
	cJSON *body = cJSON_AddArrayToObject(card, "body");
	/* The title is the Slack one with the service name escaped. */
	struct ad_event ev = *e;
	ev.name = dest_md_escape(e->name);
	struct ad_msg mm = *m;
	mm.ev = &ev;
	char *t = bk_title(&mm);
	text_block(body, t, 1, 0);
	free(t);
	free(ev.name);
	cJSON *fs = cJSON_CreateObject();
	cJSON_AddStringToObject(fs, "type", "FactSet");
	cJSON *facts = cJSON_AddArrayToObject(fs, "facts");
	fact(facts, "Service", e->name);
	fact(facts, "Tier", st_tier_str(e->tier));
	char ts[21];
	if (!strcmp(m->kind, "poller_health")) {
		fact(facts, "Poller", st_health_str(e->hnext));
		if (e->hnext == ST_BROKEN)
			fact(facts, "Failure reason",
			     e->failure_reason ? e->failure_reason : "unknown");
		fact(facts, "Time", bk_footer_ts(e->created_at, ts));
	} else if (m->burn) {
		char buf[64];
		fact(facts, "Severity", m->burn->row);
		snprintf(buf, sizeof buf, "%s / %s", m->burn->long_label, m->burn->short_label);
		fact(facts, "Window", buf);
		snprintf(buf, sizeof buf, "%.1fx / %.1fx", m->burn->long_burn, m->burn->short_burn);
		fact(facts, "Burn rate", buf);
		if (m->burn_also) {
			snprintf(buf, sizeof buf, "%s: %.1fx / %.1fx", m->burn_also->row,
				 m->burn_also->long_burn, m->burn_also->short_burn);
			fact(facts, "Also breaching", buf);
		}
		snprintf(buf, sizeof buf, "%.1f%%", m->burn->budget_remaining);
		fact(facts, "Error budget remaining", buf);
		fact(facts, "Time", bk_footer_ts(m->burn->at, ts));
	} else {
		fact(facts, "Previous", st_status_label(e->prev));
		fact(facts, "Current", st_status_label(e->next));
		fact(facts, "Vendor incident", e->vendor_title);
		fact(facts, "Time", bk_footer_ts(e->created_at, ts));
	}
	cJSON_AddItemToArray(body, fs);
	if (!strcmp(m->kind, "status_change") || !strcmp(m->kind, "aggregated_upstream")) {
		char *imp = event_impact(e);
		text_block(body, imp, 0, 1);
		free(imp);
	}
	char *names = m->folded ? report_folded_names(m->folded, 20) : NULL;
	if (names) {
		char *line = xasprintf("Dependents folded into its alert: %s", names);
		text_block(body, line, 0, 1);
		free(line);
		free(names);
	}
	if (m->ndeps) {
		struct buf b;
		buf_init(&b, DEST_TEXT_CAP);
		buf_puts(&b, "Dependent services affected: ");
		for (size_t i = 0; i < m->ndeps; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", m->deps[i]->name);
		buf_check(&b, "Teams dependents line");
		text_block(body, b.data, 0, 1);
		buf_release(&b);
	}
	if (e->status_page_url) {
		cJSON *acts = cJSON_AddArrayToObject(card, "actions");
		cJSON *u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "type", "Action.OpenUrl");
		cJSON_AddStringToObject(u, "title", "View Status Page");
		cJSON_AddStringToObject(u, "url", e->status_page_url);
		cJSON_AddItemToArray(acts, u);
	}
	return print_free(o);
}

int dest_pagerduty_wants(const struct ad_msg *m)
{
	return !strcmp(m->kind, "status_change") || !strcmp(m->kind, "aggregated_upstream");
}

char *dest_pagerduty_payload(const struct ad_msg *m)
{
	const struct ad_event *e = m->ev;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event_action", m->dec->recovery ? "resolve" : "trigger");
	cJSON_AddStringToObject(o, "dedup_key", m->dec->incident_key);
	cJSON_AddStringToObject(o, "client", "itstatus");
	if (m->dec->recovery)
		return print_free(o);
	cJSON *p = cJSON_AddObjectToObject(o, "payload");
	char *t = bk_title(m), *ts = bk_trunc(t, 1024); /* PagerDuty's summary limit */
	cJSON_AddStringToObject(p, "summary", ts);
	free(t);
	free(ts);
	cJSON_AddStringToObject(p, "source", "itstatus");
	cJSON_AddStringToObject(p, "severity", e->tier == ST_TIER_CRITICAL ? "critical" : "error");
	cJSON_AddStringToObject(p, "timestamp", e->created_at);
	add_str(p, "component", e->service_id);
	add_str(p, "group", e->category);
	cJSON_AddStringToObject(p, "class", st_status_str(e->next));
	cJSON *d = cJSON_AddObjectToObject(p, "custom_details");
	add_str(d, "service", e->name);
	cJSON_AddStringToObject(d, "previous_status", st_status_str(e->prev));
	cJSON_AddStringToObject(d, "new_status", st_status_str(e->next));
	char *imp = event_impact(e);
	cJSON_AddStringToObject(d, "impact", imp);
	free(imp);
	add_str(d, "vendor_title", e->vendor_title);
	add_str(d, "vendor_incident_id", e->vendor_incident_id);
	if (m->ndeps) {
		cJSON *a = cJSON_AddArrayToObject(d, "dependents");
		for (size_t i = 0; i < m->ndeps; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(m->deps[i]->name));
	}
	if (e->status_page_url) {
		cJSON *links = cJSON_AddArrayToObject(o, "links");
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "href", e->status_page_url);
		cJSON_AddStringToObject(l, "text", "Status page");
		cJSON_AddItemToArray(links, l);
	}
	return print_free(o);
}

static int http_url(const char *u)
{
	return u && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8));
}

/* The response_url stored with an ack, re-checked against the allow-list
 * now (the list may have been narrowed since). Caller frees. */
static char *response_url(sqlite3 *db, const struct cfg_settings *cfg, const char *inbox_id)
{
	char *end;
	long long id = strtoll(inbox_id, &end, 10);
	if (*end || id <= 0)
		return NULL;
	sqlite3_stmt *st = db_prepare(db, "SELECT payload FROM inbox WHERE id = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	char *url = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *p =
		    jsonck_parse_str((const char *)sqlite3_column_text(st, 0), JSONCK_LENIENT);
		const char *u =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "response_url"));
		if (u && dest_response_url_ok(u, cfg->slack_response_url_hosts))
			url = xstrdup(u);
		cJSON_Delete(p);
	}
	sqlite3_finalize(st);
	return url;
}

char *dest_resolve(sqlite3 *db, const struct cfg_settings *cfg, const struct reg_registry *reg,
		   const char *kind, const char *name)
{
	const struct cfg_secrets *s = &cfg->secrets;
	const char *u = NULL;
	if (!strcmp(kind, "slack_response")) {
		if (strncmp(name, "slack_response:", 15))
			return NULL;
		return response_url(db, cfg, name + 15);
	}
	if (!strcmp(name, "slack:main"))
		u = s->slack_webhook_url;
	else if (!strcmp(name, "slack:poller_health"))
		u = s->poller_health_slack_webhook_url;
	else if (!strncmp(name, "slack:env:", 10))
		u = getenv(name + 10);
	else if (!strncmp(name, "slack:service:", 14)) {
		const struct reg_service *rs = reg ? reg_find(reg, name + 14) : NULL;
		u = rs ? rs->slack_override_url : NULL;
	} else if (!strcmp(name, "webhook:main"))
		u = s->generic_webhook_url;
	else if (!strcmp(name, "teams:main"))
		u = s->teams_webhook_url;
	else if (!strcmp(name, "pagerduty:main")) {
		if (!s->pagerduty_routing_key)
			return NULL;
		u = getenv("PAGERDUTY_EVENTS_URL");
		if (!u || !*u)
			u = PAGERDUTY_DEFAULT_URL;
	}
	return http_url(u) ? xstrdup(u) : NULL;
}

char *dest_body(const struct cfg_settings *cfg, const char *kind, const char *payload)
{
	if (strcmp(kind, "pagerduty"))
		return xstrdup(payload);
	if (!cfg->secrets.pagerduty_routing_key)
		return NULL;
	cJSON *o = jsonck_parse_str(payload, JSONCK_LENIENT);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "routing_key", cfg->secrets.pagerduty_routing_key);
	return print_free(o);
}

static int loopback(const char *host, size_t n)
{
	return (n == 9 && !strncasecmp(host, "127.0.0.1", 9)) ||
	       (n == 9 && !strncasecmp(host, "localhost", 9)) ||
	       (n == 5 && !strncmp(host, "[::1]", 5));
}

int dest_response_url_ok(const char *url, const char *hosts)
{
	const char *p;
	int https = !strncmp(url, "https://", 8);
	if (https)
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	else
		return 0;
	size_t hl = strcspn(p, "/?#");
	const char *path = p + hl;
	if (hl == 0 || memchr(p, '@', hl) || *path != '/')
		return 0;
	/* Slack's response URLs are plain paths: no query, fragment or escapes. */
	for (const char *c = path; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/_-.", *c))
			return 0;
	size_t host_only = hl;
	const char *colon = memchr(p, ':', hl);
	if (colon && p[0] != '[')
		host_only = (size_t)(colon - p);
	if (!https && !loopback(p, host_only))
		return 0;
	if (!hosts)
		return 0;
	/* Each entry is "host" (any port) or "host:port" (exactly). */
	const char *h = hosts;
	while (*h) {
		while (*h == ',' || isspace((unsigned char)*h))
			h++;
		size_t el = strcspn(h, ",");
		size_t tl = el;
		while (tl && isspace((unsigned char)h[tl - 1]))
			tl--;
		if (tl) {
			int with_port = memchr(h, ':', tl) != NULL && h[0] != '[';
			if ((with_port && tl == hl && !strncasecmp(h, p, hl)) ||
			    (!with_port && tl == host_only && !strncasecmp(h, p, host_only)))
				return 1;
		}
		h += el;
	}
	return 0;
}
