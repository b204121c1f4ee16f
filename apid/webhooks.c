/*
 * webhooks: inbound Statuspage subscriber webhooks (WEBHOOKS_ENABLED).
 *
 * Atlassian signs nothing (doc/compat.md#bug-12), so the primary form authenticates
 * by a per-service secret in the URL, /api/webhooks/statuspage/{id}/{token},
 * compared in constant time with WEBHOOK_TOKEN_<ID> (or its _FILE). The
 * seed's form, /api/webhooks/statuspage/{id} with an HMAC-SHA256 header, is
 * kept for senders that sign (only when STATUSPAGE_WEBHOOK_SECRET is set; an
 * empty secret is unset, doc/compat.md#bug-15). A signature covers "<timestamp>.<body>"
 * with X-Statuspage-Timestamp in Unix seconds, within 5 minutes either way,
 * and a body accepted once is refused for 10 minutes (replay cache, hmac.c);
 * the seed's signature over the body alone is accepted only when
 * statuspage_body_only_signature is set (doc/security.md#webhook-signatures).
 * Either way the payload is only queued for pollerd (inbox, kind
 * webhook_statuspage), which interprets it with the same state machine as
 * polls; the sender gets its 2xx at once.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "jsonck.h"
#include "log.h"
#include "xalloc.h"

char *webhook_token_env(const char *service_id)
{
	char *name = xasprintf("WEBHOOK_TOKEN_%s", service_id);
	for (char *p = name + 14; *p; p++)
		*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	return name;
}

/* The service's token (caller frees), or NULL when not configured. Read per
 * request, so a rotated token applies without a restart; one from the
 * Keychain (NAME_KEYCHAIN) was read at load and changes on SIGHUP. */
static char *webhook_token(const struct cfg_settings *cfg, const char *service_id)
{
	char *env = webhook_token_env(service_id);
	const char *kc = cfg_env_secret(cfg, env);
	char *tok = kc ? (*kc ? xstrdup(kc) : NULL) : cfg_secret_env(env);
	free(env);
	return tok;
}

/* Unix seconds, digits only (an optional sign); 0 or -1. */
static int parse_unix_s(const char *s, long long *out)
{
	if (!s || !*s)
		return -1;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

int statuspage_verify(const char *secret, const char *ts, const char *sig, const char *body,
		      size_t len, int64_t now_ms, int body_only_ok)
{
	if (!sig || !*sig)
		return SP_SIG_MISSING;
	char got[65];
	if (strlen(sig) != 64)
		return SP_SIG_BAD;
	for (int i = 0; i < 64; i++)
		got[i] = (char)tolower((unsigned char)sig[i]);
	got[64] = '\0';
	unsigned char mac[32];
	char want[65];
	long long t = 0;
	int ts_ok = parse_unix_s(ts, &t) == 0;
	if (ts_ok) {
		struct buf base;
		buf_init(&base, APID_SIGNED_BASE_MAX);
		buf_printf(&base, "%lld.", t);
		buf_append(&base, body, len);
		if (buf_check(&base, "statuspage signed base") < 0) {
			buf_release(&base);
			return SP_SIG_BAD; /* a body past the cap was never signed by us */
		}
		hmac_sha256(secret, strlen(secret), base.data, base.len, mac);
		buf_release(&base);
		hex_lower(mac, 32, want);
		if (ct_equal(got, want))
			return sig_ts_fresh(t, now_ms) ? SP_SIG_OK : SP_SIG_STALE;
	}
	if (body_only_ok) { /* the seed's form: the body alone */
		hmac_sha256(secret, strlen(secret), body, len, mac);
		hex_lower(mac, 32, want);
		if (ct_equal(got, want))
			/* as the seed: only a timestamp that is given and old */
			return ts_ok && t < now_ms / 1000 - APID_SIGNATURE_WINDOW_S ? SP_SIG_STALE
										    : SP_SIG_OK;
	}
	if (!ts_ok && !body_only_ok)
		return ts && *ts ? SP_SIG_STALE : SP_SIG_MISSING_TS;
	return SP_SIG_BAD;
}

static const char *sp_message(int why)
{
	switch (why) {
	case SP_SIG_MISSING:
		return "Missing signature";
	case SP_SIG_MISSING_TS:
		return "Missing webhook timestamp";
	case SP_SIG_STALE:
		return "Stale webhook timestamp";
	case SP_SIG_REPLAY:
		return "Replayed webhook";
	default:
		return "Invalid signature";
	}
}

static int service_live(struct req *r, const char *id)
{
	sqlite3 *db = req_db(r);
	if (!db)
		return -1;
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT 1 FROM services WHERE id = ?1 AND retired_at IS NULL");
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Queue the (already read and authenticated) body for pollerd. */
static void queue(struct req *r, const char *sid, const char *via)
{
	const char *why;
	cJSON *payload = jsonck_parse(r->body.data, r->body.len, JSONCK_STRICT, &why);
	if (!payload) {
		/* The seed answered 200 to unparseable bodies: a sender retrying
		 * garbage helps nobody. */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddBoolToObject(o, "queued", 0);
		cJSON_AddStringToObject(o, "reason", "invalid_json");
		cJSON_AddStringToObject(o, "message", why);
		http_json(r, 200, o, NULL);
		return;
	}
	/* Re-printed so the stored text is exactly what SQLite's json_valid accepts. */
	char *text = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	int64_t id =
	    inbox_insert(req_db(r), "webhook_statuspage", "pollerd", sid, text, req_client_ip(r));
	cJSON_free(text);
	if (id < 0) {
		http_db_write_error(r);
		return;
	}
	log_info("statuspage webhook for %s (%s) queued as inbox %lld", sid, via, (long long)id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddBoolToObject(o, "queued", 1);
	cJSON_AddNumberToObject(o, "inbox_id", (double)id);
	http_json(r, 200, o, NULL);
}

void h_webhook_token(struct req *r)
{
	const char *sid = r->params[0];
	if (!r->cfg->webhooks_enabled) {
		http_discard_body(r);
		http_not_found(r);
		return;
	}
	int live = service_live(r, sid);
	if (live <= 0) {
		http_discard_body(r);
		if (live < 0)
			http_db_error(r);
		else
			http_detail(r, 404, "Service not found", NULL);
		return;
	}
	/* No token configured and a wrong token get the same answer, so the
	 * route does not tell strangers which services accept webhooks; the
	 * log says which it was. The body is never read before this. */
	char *token = webhook_token(r->cfg, sid);
	int ok = token && ct_equal(r->params[1], token);
	if (!ok) {
		log_warn("statuspage webhook for %s from %s refused: %s", sid, req_client_ip(r),
			 token ? "wrong token" : "no WEBHOOK_TOKEN configured for it");
		free(token);
		http_detail(r, 403, "Invalid token", NULL);
		return;
	}
	free(token);
	if (http_read_body(r, APID_INBOUND_BODY_MAX) < 0)
		return;
	queue(r, sid, "token");
}

void h_webhook_hmac(struct req *r)
{
	const char *sid = r->params[0];
	if (!r->cfg->webhooks_enabled) {
		http_discard_body(r);
		http_not_found(r);
		return;
	}
	const char *secret = r->cfg->secrets.statuspage_webhook_secret;
	if (!secret) {
		http_discard_body(r);
		http_detail(r, 503, "Webhook secret not configured", NULL);
		return;
	}
	const char *tsh = req_header(r, "X-Statuspage-Timestamp");
	const char *sig = req_header(r, "X-Statuspage-Signature");
	int legacy = r->cfg->statuspage_body_only_signature;
	long long t;
	/* What can be refused from the headers alone is refused before
	 * reading the body. */
	int why = !sig || !*sig						       ? SP_SIG_MISSING
		  : legacy						       ? SP_SIG_OK
		  : !tsh || !*tsh					       ? SP_SIG_MISSING_TS
		  : parse_unix_s(tsh, &t) < 0 || !sig_ts_fresh(t, ts_now_ms()) ? SP_SIG_STALE
									       : SP_SIG_OK;
	if (!why && http_read_body(r, APID_INBOUND_BODY_MAX) < 0)
		return;
	if (!why)
		why = statuspage_verify(secret, tsh, sig, r->body.data, r->body.len, ts_now_ms(),
					legacy);
	if (!why) {
		/* Replays are keyed on the service and the body: the same body
		 * signed again with a newer timestamp is still a replay. */
		struct buf key;
		buf_init(&key, APID_SIGNED_BASE_MAX);
		buf_printf(&key, "statuspage\n%s\n", sid);
		buf_append(&key, r->body.data, r->body.len);
		if (buf_check(&key, "statuspage replay key") < 0)
			why = SP_SIG_BAD; /* cannot be told from a replay: refused */
		else if (replay_seen(key.data, key.len, ts_now_ms()))
			why = SP_SIG_REPLAY;
		buf_release(&key);
	}
	if (why) {
		log_warn("statuspage webhook for %s from %s refused: %s", sid, req_client_ip(r),
			 sp_message(why));
		http_detail(r, 403, sp_message(why), NULL);
		return;
	}
	int live = service_live(r, sid);
	if (live <= 0) {
		if (live < 0)
			http_db_error(r);
		else
			http_detail(r, 404, "Service not found", NULL);
		return;
	}
	queue(r, sid, "hmac");
}
