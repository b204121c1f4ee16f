/*
 * slack: the two endpoints Slack calls (doc/compat.md#s5-18, doc/compat.md#s5-19),
 * each behind its flag and the signing secret. Requests carry Slack's v0
 * signature over "v0:{timestamp}:{body}"; a timestamp outside the 5-minute
 * window, a wrong signature and a replay of an accepted request are refused.
 *
 * The ack button only queues the ack for alertd (inbox kind slack_ack), which
 * owns alert_sent_log and rewrites the Slack message through its outbox; the
 * response_url goes along only when it points at an allowed Slack host, so a
 * forged payload cannot make alertd POST anywhere else (SSRF). /itstatus is
 * answered here from the database with the effective status.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apid.h"
#include "buf.h"
#include "db.h"
#include "jsonck.h"
#include "log.h"
#include "status.h"
#include "xalloc.h"

int slack_verify(const char *secret, const char *ts, const char *sig, const char *body, size_t len,
		 int64_t now_ms)
{
	if (!ts || !*ts || !sig || !*sig)
		return SLACK_SIG_MISSING;
	char *end = NULL;
	errno = 0;
	long long t = strtoll(ts, &end, 10);
	if (*end || errno || end == ts || !sig_ts_fresh(t, now_ms))
		return SLACK_SIG_STALE;
	struct buf base;
	buf_init(&base, APID_SIGNED_BASE_MAX);
	buf_printf(&base, "v0:%s:", ts);
	buf_append(&base, body, len);
	if (buf_check(&base, "Slack signed base") < 0) {
		buf_release(&base);
		return SLACK_SIG_BAD; /* a body past the cap was never signed by Slack */
	}
	unsigned char mac[32];
	hmac_sha256(secret, strlen(secret), base.data, base.len, mac);
	buf_release(&base);
	char want[3 + 65] = "v0=";
	hex_lower(mac, 32, want + 3);
	if (!ct_equal(sig, want))
		return SLACK_SIG_BAD;
	if (replay_seen(sig, strlen(sig), now_ms))
		return SLACK_SIG_REPLAY;
	return SLACK_SIG_OK;
}

static const char *sig_message(int why)
{
	switch (why) {
	case SLACK_SIG_MISSING:
		return "Missing Slack signature headers";
	case SLACK_SIG_STALE:
		return "Stale or invalid Slack request timestamp";
	case SLACK_SIG_REPLAY:
		return "Replayed Slack request";
	default:
		return "Invalid Slack signature";
	}
}

static const char *sig_code(int why)
{
	switch (why) {
	case SLACK_SIG_MISSING:
		return "MISSING_SLACK_SIGNATURE";
	case SLACK_SIG_STALE:
		return "STALE_SLACK_TIMESTAMP";
	case SLACK_SIG_REPLAY:
		return "REPLAYED_SLACK_REQUEST";
	default:
		return "INVALID_SLACK_SIGNATURE";
	}
}

int response_url_allowed(const char *url, const char *hosts_csv)
{
	if (!url || !hosts_csv || strncmp(url, "https://", 8))
		return 0;
	const char *host = url + 8, *slash = strchr(host, '/');
	if (!slash || slash == host)
		return 0;
	size_t hlen = (size_t)(slash - host);
	int ok = 0;
	for (const char *p = hosts_csv; *p && !ok;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (*e && *e != ',' && !isspace((unsigned char)*e))
			e++;
		ok = (size_t)(e - p) == hlen && !strncasecmp(p, host, hlen);
		p = e;
	}
	if (!ok || strncmp(slash, "/actions/", 9) || !slash[9])
		return 0;
	for (const char *p = slash + 9; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '/' && *p != '_' && *p != '-')
			return 0; /* also refuses any query or fragment */
	return 1;
}

/* Any one reply text: Slack refuses far shorter ones; the cap only stops a
 * hostile command or vendor text from growing a buffer unbounded. */
#define SLACK_REPLY_CAP (4 * 1024 * 1024)

/* Slack mrkdwn: user text echoed back must not become a link or mention. */
static void put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_putc(b, *s);
	}
}

/* An ephemeral reply with text; caller deletes. */
static cJSON *ephemeral(const char *text)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "response_type", "ephemeral");
	cJSON_AddStringToObject(o, "text", text);
	return o;
}

static void relative(const char *iso, int64_t now_ms, char *out, size_t n)
{
	int64_t t;
	if (!iso || ts_parse(iso, &t) < 0) {
		snprintf(out, n, "\xe2\x80\x94"); /* — */
		return;
	}
	int64_t s = (now_ms - t) / 1000;
	const char *unit;
	int64_t v;
	if (s < 60) {
		snprintf(out, n, "just now");
		return;
	} else if (s < 3600) {
		v = s / 60;
		unit = "minute";
	} else if (s < 86400) {
		v = s / 3600;
		unit = "hour";
	} else {
		v = s / 86400;
		unit = "day";
	}
	snprintf(out, n, "%lld %s%s ago", (long long)v, unit, v == 1 ? "" : "s");
}

/* Case-insensitive (ASCII) substring test. */
static int strcasestr_ascii(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return !*needle;
}

/* s without surrounding white space, copied; caller frees. */
static char *trim_dup(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The reply for the service in the current row of st; caller deletes. */
static cJSON *found_reply(sqlite3_stmt *st, int64_t now_ms)
{
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *category = (const char *)sqlite3_column_text(st, 2);
	const char *tier = (const char *)sqlite3_column_text(st, 3);
	const char *changed = (const char *)sqlite3_column_text(st, 4);
	const char *url = (const char *)sqlite3_column_text(st, 5);
	enum st_status eff = ST_UNKNOWN;
	st_status_parse((const char *)sqlite3_column_text(st, 6), &eff);
	const char *reason = (const char *)sqlite3_column_text(st, 7);
	int broken = sqlite3_column_int(st, 8);
	char rel[64];
	relative(changed, now_ms, rel, sizeof rel);
	/* Every string below came from a vendor page or the configuration:
	 * escaped wherever Slack reads mrkdwn (the fallback text included), so
	 * "<!channel>" or "<https://evil|Reset SSO>" shows as typed. The
	 * header is plain_text, which Slack never turns into links. */
	struct buf t;
	buf_init(&t, SLACK_REPLY_CAP);
	put_escaped(&t, name ? name : "");
	buf_printf(&t, ": %s", st_status_label(eff));
	cJSON *o = ephemeral(buf_text(&t, "Slack reply"));
	cJSON *blocks = cJSON_AddArrayToObject(o, "blocks");
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "type", "header");
	cJSON *ht = cJSON_AddObjectToObject(h, "text");
	cJSON_AddStringToObject(ht, "type", "plain_text");
	buf_reset(&t);
	buf_printf(&t, "%s %s", st_status_emoji(eff), name ? name : "");
	cJSON_AddStringToObject(ht, "text", buf_text(&t, "Slack reply header"));
	cJSON_AddBoolToObject(ht, "emoji", 1);
	cJSON_AddItemToArray(blocks, h);
	cJSON *sec = cJSON_CreateObject();
	cJSON_AddStringToObject(sec, "type", "section");
	cJSON *fields = cJSON_AddArrayToObject(sec, "fields");
	const char *labels[4] = {"*Status:*\n", "*Category:*\n", "*Last change:*\n", "*Tier:*\n"};
	char status[96];
	snprintf(status, sizeof status, "%s %s", st_status_emoji(eff), st_status_label(eff));
	const char *values[4] = {status, category ? category : "", rel, tier ? tier : ""};
	for (int i = 0; i < 4; i++) {
		buf_reset(&t);
		buf_puts(&t, labels[i]);
		put_escaped(&t, values[i]);
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", "mrkdwn");
		cJSON_AddStringToObject(m, "text", buf_text(&t, "Slack reply field"));
		cJSON_AddItemToArray(fields, m);
	}
	buf_release(&t);
	cJSON_AddItemToArray(blocks, sec);
	struct buf ctx;
	buf_init(&ctx, SLACK_REPLY_CAP);
	/* say why the status is unknown rather than guess */
	if (broken == 2) { /* pollerd itself is stalled */
		buf_puts(&ctx, "Status unknown: ");
		put_escaped(&ctx, reason ? reason : "the poller is stalled");
	} else if (broken) {
		buf_puts(&ctx, "Poller broken: ");
		put_escaped(&ctx, reason ? reason : "unknown reason");
	}
	if (url && !strpbrk(url, "|<> \t\r\n")) {
		buf_puts(&ctx, broken ? " \xc2\xb7 <" : "<");
		put_escaped(&ctx, url);
		buf_puts(&ctx, "|View Status Page>");
	}
	if (ctx.len) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", "context");
		cJSON *els = cJSON_AddArrayToObject(c, "elements");
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", "mrkdwn");
		cJSON_AddStringToObject(m, "text", buf_text(&ctx, "Slack reply context"));
		cJSON_AddItemToArray(els, m);
		cJSON_AddItemToArray(blocks, c);
	}
	buf_release(&ctx);
	return o;
}

cJSON *slash_reply(sqlite3 *db, const char *command, const char *text, int64_t now_ms)
{
	struct buf b;
	buf_init(&b, SLACK_REPLY_CAP);
	if (!command || strcmp(command, "/itstatus")) {
		buf_puts(&b, "Unknown slash command `");
		put_escaped(&b, command ? command : "");
		buf_puts(&b, "`. This endpoint handles `/itstatus`.");
		cJSON *o = ephemeral(buf_text(&b, "Slack reply"));
		buf_release(&b);
		return o;
	}
	char *q = trim_dup(text ? text : "");
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT s.id, s.display_name, s.category, s.tier, s.last_status_change_at,"
		" s.status_page_url, " SQL_EFFECTIVE(
		    "s") ","
			 " COALESCE((SELECT reason FROM v_poller_sight WHERE stalled), "
			 "s.last_failure_reason),"
			 " CASE WHEN " SQL_POLLER_STALLED
			 " THEN 2 WHEN s.poller_health = 'broken' THEN 1"
			 " ELSE 0 END FROM services s WHERE s.retired_at IS NULL"
			 " ORDER BY s.display_name, s.id");
	if (!st) {
		free(q);
		return NULL;
	}
	cJSON *reply = NULL;
	if (!*q) {
		buf_puts(&b, "Usage: `/itstatus <service>`. Known services: ");
		for (int i = 0; i < 10 && sqlite3_step(st) == SQLITE_ROW; i++) {
			buf_puts(&b, i ? ", " : "");
			put_escaped(&b, (const char *)sqlite3_column_text(st, 0));
		}
		buf_puts(&b, ".");
		reply = ephemeral(buf_text(&b, "Slack reply"));
	} else {
		/* Exact id, then exact name, then a unique name substring. */
		struct buf names;
		buf_init(&names, SLACK_REPLY_CAP);
		int nsub = 0, exact = 0, rc;
		while (!exact && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			const char *name = (const char *)sqlite3_column_text(st, 1);
			if (!strcasecmp(id, q) || !strcasecmp(name, q)) {
				exact = 1;
				reply = found_reply(st, now_ms);
			} else if (strcasestr_ascii(name, q)) {
				buf_puts(&names, nsub ? ", " : "");
				put_escaped(&names, name);
				nsub++;
			}
		}
		if (!exact && nsub == 1) {
			/* Find the one match again to build its reply. */
			sqlite3_reset(st);
			while (sqlite3_step(st) == SQLITE_ROW)
				if (strcasestr_ascii((const char *)sqlite3_column_text(st, 1), q)) {
					reply = found_reply(st, now_ms);
					break;
				}
		} else if (!exact) {
			buf_puts(&b, nsub ? "Multiple services match `" : "No service matches `");
			put_escaped(&b, q);
			if (nsub)
				buf_printf(&b, "`: %s. Please be more specific.",
					   buf_text(&names, "Slack matching names"));
			else
				buf_puts(&b, "`. See the dashboard for the full list.");
			reply = ephemeral(buf_text(&b, "Slack reply"));
		}
		buf_release(&names);
	}
	sqlite3_finalize(st);
	buf_release(&b);
	free(q);
	return reply;
}

void h_slack_slash(struct req *r)
{
	if (!r->cfg->slack_slash_enabled) {
		http_discard_body(r);
		http_error(r, 503, "SLASH_NOT_ENABLED", "The /itstatus command is not enabled");
		return;
	}
	const char *secret = r->cfg->secrets.slack_signing_secret;
	if (!secret) {
		http_discard_body(r);
		http_error(r, 503, "SLASH_NOT_CONFIGURED",
			   "SLACK_SIGNING_SECRET is not configured");
		return;
	}
	if (http_read_body(r, APID_INBOUND_BODY_MAX) < 0)
		return;
	int why = slack_verify(secret, req_header(r, "X-Slack-Request-Timestamp"),
			       req_header(r, "X-Slack-Signature"), r->body.data, r->body.len,
			       ts_now_ms());
	if (why) {
		log_warn("slash command from %s refused: %s", req_client_ip(r), sig_message(why));
		http_error(r, 401, sig_code(why), "%s", sig_message(why));
		return;
	}
	char *command = form_field(r->body.data, r->body.len, "command");
	char *text = form_field(r->body.data, r->body.len, "text");
	sqlite3 *db = req_db(r);
	cJSON *reply = db ? slash_reply(db, command, text, ts_now_ms()) : NULL;
	free(command);
	free(text);
	if (!reply) {
		http_db_error(r);
		return;
	}
	http_json(r, 200, reply, NULL);
}

/* The service an ack is about (for the inbox row), or NULL. Caller frees. */
static char *ack_service(sqlite3 *db, const char *dedup_key)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT service_id FROM alert_sent_log WHERE dedup_key = ?1"
			   " ORDER BY id DESC LIMIT 1");
	if (!st)
		return NULL;
	db_bind_text(st, 1, dedup_key);
	char *sid = sqlite3_step(st) == SQLITE_ROW ? db_col_dup(st, 0) : NULL;
	sqlite3_finalize(st);
	return sid;
}

/* Queue the ack in a valid block_actions payload; anything else is a no-op. */
static void queue_ack(struct req *r, const cJSON *p)
{
	const cJSON *type = cJSON_GetObjectItem(p, "type");
	const cJSON *action = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "actions"), 0);
	const char *aid = cJSON_GetStringValue(cJSON_GetObjectItem(action, "action_id"));
	const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(action, "value"));
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "block_actions") || !aid ||
	    strcmp(aid, "ack_alert") || !key || !*key)
		return;
	const cJSON *user = cJSON_GetObjectItem(p, "user");
	const char *uname = cJSON_GetStringValue(cJSON_GetObjectItem(user, "username"));
	const char *uid = cJSON_GetStringValue(cJSON_GetObjectItem(user, "id"));
	const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(p, "response_url"));
	int url_ok = response_url_allowed(url, r->cfg->slack_response_url_hosts);
	if (url && !url_ok)
		log_warn("slack ack from %s: response_url not on the allow-list, dropped",
			 req_client_ip(r));
	const cJSON *msg = cJSON_GetObjectItem(p, "message");
	cJSON *q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "dedup_key", key);
	cJSON_AddStringToObject(q, "user", uname && *uname ? uname : uid && *uid ? uid : "unknown");
	cJSON_AddItemToObject(q, "user_id", uid ? cJSON_CreateString(uid) : cJSON_CreateNull());
	cJSON_AddItemToObject(q, "response_url",
			      url_ok ? cJSON_CreateString(url) : cJSON_CreateNull());
	const cJSON *blocks = cJSON_GetObjectItem(msg, "blocks");
	cJSON_AddItemToObject(q, "message_blocks",
			      cJSON_IsArray(blocks) ? cJSON_Duplicate(blocks, 1)
						    : cJSON_CreateNull());
	const char *mts = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "ts"));
	cJSON_AddItemToObject(q, "message_ts", mts ? cJSON_CreateString(mts) : cJSON_CreateNull());
	const char *ch =
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "channel"), "id"));
	cJSON_AddItemToObject(q, "channel_id", ch ? cJSON_CreateString(ch) : cJSON_CreateNull());
	char *text = cJSON_PrintUnformatted(q);
	cJSON_Delete(q);
	sqlite3 *db = req_db(r);
	char *sid = db ? ack_service(db, key) : NULL;
	if (db)
		inbox_insert(db, "slack_ack", "alertd", sid, text, req_client_ip(r));
	free(sid);
	cJSON_free(text);
}

void h_slack_interactivity(struct req *r)
{
	if (!r->cfg->slack_ack_enabled) {
		http_discard_body(r);
		http_not_found(r);
		return;
	}
	const char *secret = r->cfg->secrets.slack_signing_secret;
	if (!secret) {
		http_discard_body(r);
		http_detail(r, 503, "Slack signing secret not configured", NULL);
		return;
	}
	if (http_read_body(r, APID_INBOUND_BODY_MAX) < 0)
		return;
	int why = slack_verify(secret, req_header(r, "X-Slack-Request-Timestamp"),
			       req_header(r, "X-Slack-Signature"), r->body.data, r->body.len,
			       ts_now_ms());
	if (why) {
		log_warn("slack interaction from %s refused: %s", req_client_ip(r),
			 sig_message(why));
		http_detail(r, 403, sig_message(why), NULL);
		return;
	}
	char *raw = form_field(r->body.data, r->body.len, "payload");
	cJSON *p = raw ? jsonck_parse_str(raw, JSONCK_STRICT) : NULL;
	free(raw);
	if (p)
		queue_ack(r, p);
	cJSON_Delete(p);
	http_send(r, 200, "application/json", NULL, "{}", 2);
}
