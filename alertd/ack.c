/*
 * ack: Slack "Acknowledge" clicks, which apid verifies (signature, replay
 * window, response_url host) and hands over as inbox rows of kind
 * 'slack_ack' for consumer 'alertd'. For each one, in one transaction:
 *  - find the alert: the payload's alert_id, else the newest fired,
 *    unacknowledged row with its dedup_key (the button's value, as in the
 *    seed, doc/compat.md#s6-10);
 *  - set acknowledged_at / acknowledged_by on it and on the decisions that
 *    message carried (batch members, dependents named by an aggregated alert);
 *  - queue the message update (the original blocks without the ack button,
 *    plus "✓ Acknowledged by @user at HH:MM UTC") for the response_url, as an
 *    outbox row of kind 'slack_response' named 'slack_response:<inbox id>' --
 *    the URL stays in the inbox row and is checked against
 *    SLACK_RESPONSE_URL_HOSTS again here and at delivery;
 *  - mark the inbox row applied (result: which alert, by whom) or rejected
 *    (no such alert, already acknowledged, unreadable payload).
 *
 * Payload keys read: response_url, user (a name, or Slack's user object:
 * username, else id, else name), user_name / username / user_id, alert_id,
 * dedup_key (or value / action_value).
 */
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "alertd.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Who clicked, as the seed names them. Borrowed from p. */
static const char *principal(const cJSON *p)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(p, "user");
	if (cJSON_IsString(u) && *u->valuestring)
		return u->valuestring;
	if (cJSON_IsObject(u)) {
		const char *keys[] = {"username", "id", "name"};
		for (size_t i = 0; i < 3; i++)
			if (str(u, keys[i]) && *str(u, keys[i]))
				return str(u, keys[i]);
	}
	const char *keys[] = {"user_name", "username", "user_id"};
	for (size_t i = 0; i < 3; i++)
		if (str(p, keys[i]) && *str(p, keys[i]))
			return str(p, keys[i]);
	return "unknown";
}

static int finish_inbox(sqlite3 *db, int64_t id, const char *state, const char *result,
			const char *error, const char *now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE inbox SET state = ?2, result = ?3, error = ?4,"
					  " applied_at = ?5 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, state);
	db_bind_text(st, 3, result);
	db_bind_text(st, 4, error);
	db_bind_text(st, 5, now);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

struct carrier {
	int64_t id;
	char *key, *service, *kind, *first_sent_at, *acked_by;
};

static void carrier_release(struct carrier *c)
{
	free(c->key);
	free(c->service);
	free(c->kind);
	free(c->first_sent_at);
	free(c->acked_by);
	memset(c, 0, sizeof *c);
}

/* The acknowledged message's row. 1 found, 0 none, -1 error. */
static int find_carrier(sqlite3 *db, const cJSON *p, struct carrier *c)
{
	memset(c, 0, sizeof *c);
	const cJSON *idv = cJSON_GetObjectItemCaseSensitive(p, "alert_id");
	const char *key = str(p, "dedup_key");
	if (!key)
		key = str(p, "value");
	if (!key)
		key = str(p, "action_value");
	sqlite3_stmt *st;
	if (cJSON_IsNumber(idv) || (cJSON_IsString(idv) && *idv->valuestring)) {
		st = db_prepare(db, "SELECT id, dedup_key, service_id, alert_kind, first_sent_at,"
				    " acknowledged_by FROM alert_sent_log WHERE id = ?1"
				    " AND suppressed_by IS NULL");
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1,
				   cJSON_IsNumber(idv) ? (sqlite3_int64)idv->valuedouble
						       : strtoll(idv->valuestring, NULL, 10));
	} else if (key) {
		st = db_prepare(db, "SELECT id, dedup_key, service_id, alert_kind, first_sent_at,"
				    " acknowledged_by FROM alert_sent_log WHERE dedup_key = ?1"
				    " AND suppressed_by IS NULL AND acknowledged_at IS NULL"
				    " ORDER BY id DESC LIMIT 1");
		if (!st)
			return -1;
		db_bind_text(st, 1, key);
	} else {
		return 0;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st, 0);
		c->key = db_col_dup(st, 1);
		c->service = db_col_dup(st, 2);
		c->kind = db_col_dup(st, 3);
		c->first_sent_at = db_col_dup(st, 4);
		c->acked_by = db_col_dup(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int mark_acked(sqlite3 *db, const struct carrier *c, const char *user, const char *now)
{
	sqlite3_stmt *st = db_prepare(
	    db, "UPDATE alert_sent_log SET acknowledged_at = ?2, acknowledged_by = ?3,"
		" last_updated_at = ?2 WHERE acknowledged_at IS NULL AND (id = ?1"
		" OR (suppressed_by = 'batched' AND aggregated_under = ?4)"
		" OR (?5 = 'aggregated_upstream' AND suppressed_by = 'aggregated_under_upstream'"
		"     AND aggregated_under = ?6 AND first_sent_at = ?7))");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	db_bind_text(st, 2, now);
	db_bind_text(st, 3, user);
	db_bind_text(st, 4, c->key);
	db_bind_text(st, 5, c->kind);
	db_bind_text(st, 6, c->service);
	db_bind_text(st, 7, c->first_sent_at);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

/* Queue the message update; 1 queued, 0 nothing to update, -1 error. */
static int queue_update(struct alertd *a, int64_t inbox_id, const struct carrier *c,
			const char *url, const char *user, int64_t now_ms, const char *now)
{
	if (!url)
		return 0;
	if (!dest_response_url_ok(url, a->conf.cfg.slack_response_url_hosts)) {
		log_warn(
		    "ack %lld: response_url not on SLACK_RESPONSE_URL_HOSTS; message not updated",
		    (long long)inbox_id);
		return 0;
	}
	sqlite3_stmt *st = db_prepare(a->db, "SELECT payload FROM outbox WHERE alert_id = ?1"
					     " AND destination_kind = 'slack' ORDER BY id LIMIT 1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	char *orig = sqlite3_step(st) == SQLITE_ROW ? db_col_dup(st, 0) : NULL;
	sqlite3_finalize(st);
	if (!orig)
		return 0;
	char *body = bk_ack_update(orig, user, now_ms);
	free(orig);
	if (!body)
		return 0;
	char *dest = xasprintf("slack_response:%lld", (long long)inbox_id);
	int rc = outbox_add(a->db, c->id, "slack_response", dest, body, NULL, now);
	free(dest);
	free(body);
	return rc < 0 ? -1 : 1;
}

static int apply_one(struct alertd *a, int64_t id, const char *payload)
{
	int64_t now_ms = ts_now_ms();
	char now[TS_ISO_LEN + 1];
	ts_format(now_ms, now);
	if (db_begin(a->db) < 0)
		return -1;
	cJSON *p = jsonck_parse_str(payload, JSONCK_LENIENT);
	struct carrier c;
	memset(&c, 0, sizeof c);
	int rc = 0;
	if (!cJSON_IsObject(p)) {
		rc = finish_inbox(a->db, id, "rejected", NULL, "payload is not a JSON object", now);
		goto commit;
	}
	int found = find_carrier(a->db, p, &c);
	if (found < 0) {
		rc = -1;
		goto commit;
	}
	const char *user = principal(p);
	if (!found) {
		rc = finish_inbox(a->db, id, "rejected", NULL,
				  "no fired, unacknowledged alert matches", now);
		goto commit;
	}
	if (c.acked_by) {
		char *err = xasprintf("already acknowledged by %s", c.acked_by);
		rc = finish_inbox(a->db, id, "rejected", NULL, err, now);
		free(err);
		goto commit;
	}
	rc = mark_acked(a->db, &c, user, now);
	int queued =
	    rc == 0 ? queue_update(a, id, &c, str(p, "response_url"), user, now_ms, now) : -1;
	if (queued < 0) {
		rc = -1;
		goto commit;
	}
	cJSON *res = cJSON_CreateObject();
	cJSON_AddNumberToObject(res, "alert_id", (double)c.id);
	cJSON_AddStringToObject(res, "dedup_key", c.key);
	cJSON_AddStringToObject(res, "acknowledged_by", user);
	cJSON_AddStringToObject(res, "acknowledged_at", now);
	cJSON_AddBoolToObject(res, "message_update_queued", queued > 0);
	char *rs = cJSON_PrintUnformatted(res);
	cJSON_Delete(res);
	rc = finish_inbox(a->db, id, "applied", rs, NULL, now);
	free(rs);
	if (rc == 0) {
		log_info("alert %lld (%s) acknowledged by %s", (long long)c.id, c.key, user);
		if (queued > 0)
			a->outbox_dirty = 1;
	}
commit:
	cJSON_Delete(p);
	carrier_release(&c);
	if (rc < 0) {
		db_rollback(a->db);
		return -1;
	}
	return db_commit(a->db);
}

int ack_run(struct alertd *a)
{
	sqlite3_stmt *st =
	    db_prepare(a->db, "SELECT id, payload FROM inbox WHERE consumer = 'alertd'"
			      " AND kind = 'slack_ack' AND state = 'pending'"
			      " ORDER BY id LIMIT 100");
	if (!st)
		return -1;
	int64_t *ids = NULL;
	char **payloads = NULL;
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		payloads = xreallocarray(payloads, n + 1, sizeof *payloads);
		ids[n] = sqlite3_column_int64(st, 0);
		payloads[n++] = db_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	int done = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		if (apply_one(a, ids[i], payloads[i] ? payloads[i] : "") < 0)
			err = 1;
		else
			done++;
		free(payloads[i]);
	}
	free(ids);
	free(payloads);
	return err && !done ? -1 : done;
}
