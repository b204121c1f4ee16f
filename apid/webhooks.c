/*
 * webhooks: inbound Statuspage subscriber webhooks (WEBHOOKS_ENABLED).
 *
 * Atlassian signs nothing (doc/compat.md#bug-12), so the primary form authenticates
 * by a per-service secret in the URL, /api/webhooks/statuspage/{id}/{token},
 * compared in constant time with WEBHOOK_TOKEN_<ID> (or its _FILE). The
 * seed's form, /api/webhooks/statuspage/{id} with an HMAC-SHA256 header, is
 * kept for senders that sign (only when STATUSPAGE_WEBHOOK_SECRET is set; an
 * empty secret is unset, doc/compat.md#bug-15). Either way the payload is only queued for
 * pollerd (inbox, kind webhook_statuspage), which interprets it with the same
 * state machine as polls; the sender gets its 2xx at once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
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
	char *fenv = xasprintf("%s_FILE", env);
	const char *path = getenv(fenv);
	const char *kc = cfg_env_secret(cfg, env);
	char *tok = NULL;
	if (kc) {
		tok = xstrdup(kc);
	} else if (path && *path) {
		FILE *f = fopen(path, "rb");
		if (f) {
			char b[512];
			size_t n = fread(b, 1, sizeof b - 1, f);
			fclose(f);
			while (n && isspace((unsigned char)b[n - 1]))
				n--;
			b[n] = '\0';
			tok = xstrdup(b);
		} else {
			log_warn("%s: cannot read %s", fenv, path);
		}
	} else if (getenv(env)) {
		tok = xstrdup(getenv(env));
	}
	free(env);
	free(fenv);
	if (tok && !*tok) { /* empty counts as unset (doc/compat.md#bug-15) */
		free(tok);
		tok = NULL;
	}
	return tok;
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
	cJSON *payload = cJSON_ParseWithLength(r->body.data, r->body.len);
	if (!payload) {
		/* The seed answered 200 to unparseable bodies: a sender retrying
		 * garbage helps nobody. */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddBoolToObject(o, "queued", 0);
		cJSON_AddStringToObject(o, "reason", "invalid_json");
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
		http_db_error(r);
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
	char *token = webhook_token(r->cfg, sid);
	if (!token) {
		http_discard_body(r);
		http_detail(r, 503, "Webhook token not configured for this service", NULL);
		return;
	}
	int ok = ct_equal(r->params[1], token);
	free(token);
	if (!ok) {
		http_discard_body(r);
		log_warn("statuspage webhook for %s from %s with a wrong token", sid,
			 req_client_ip(r));
		http_detail(r, 403, "Invalid token", NULL);
		return;
	}
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
	if (http_read_body(r, APID_INBOUND_BODY_MAX) < 0)
		return;
	const char *sig = req_header(r, "X-Statuspage-Signature");
	if (!sig || !*sig) {
		http_detail(r, 403, "Missing signature", NULL);
		return;
	}
	unsigned char mac[32];
	char want[65], got[65];
	hmac_sha256(secret, strlen(secret), r->body.data, r->body.len, mac);
	hex_lower(mac, 32, want);
	snprintf(got, sizeof got, "%s", sig);
	for (char *p = got; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strlen(sig) != 64 || !ct_equal(got, want)) {
		log_warn("statuspage webhook for %s from %s with an invalid signature", sid,
			 req_client_ip(r));
		http_detail(r, 403, "Invalid signature", NULL);
		return;
	}
	/* Optional timestamp (Unix seconds or ISO-8601): older than the window
	 * is refused; future or unparseable ones pass, as in the seed. */
	const char *tsh = req_header(r, "X-Statuspage-Timestamp");
	int64_t ts;
	if (tsh && ts_parse(tsh, &ts) == 0 && ts_now_ms() - ts > APID_SIGNATURE_WINDOW_S * 1000LL) {
		http_detail(r, 403, "Stale webhook timestamp", NULL);
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
