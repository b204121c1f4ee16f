/*
 * outbox: the delivery state of every message, one row per message per
 * destination (pending -> sending -> sent | failed). Rows are written by the
 * pass in the same transaction as the decisions; the delivery loop only moves
 * their state. A row is marked 'sending' and committed before its POST and
 * 'sent' only after a 2xx, so a crash between the two repeats that one
 * message at most once (the 'sending' row is retried at the next start) and
 * nothing else is ever lost or repeated.
 *
 * Each destination is a FIFO: only its oldest unfinished row (its head) may
 * be posted, so a destination's messages arrive in order even across
 * retries. This file also holds the retry policy: 5xx, timeouts and
 * connection errors back off exponentially with jitter (cap 15 s) until
 * ALERT_DELIVERY_MAX_AGE_SECONDS; 429 waits Retry-After; other 4xx fail.
 */
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

#define BACKOFF_BASE_MS 1000
/* Low on purpose (issue 18 item 8): the cap is also how late the first
 * message goes out once a destination is back. A 10-minute cap made Slack's
 * recovery wait up to 10 minutes; 15 s costs at most 240 attempts an hour
 * against a destination that is down, and the backlog behind the head is
 * merged into batches (burst.c) when it finally goes. */
#define BACKOFF_CAP_MS (15 * 1000)

int outbox_add(sqlite3 *db, int64_t alert_id, const char *kind, const char *destination,
	       const char *payload, const char *event_created_at, const char *now_iso)
{
	sqlite3_stmt *st = db_prepare(
	    db, "INSERT INTO outbox (alert_id, destination_kind, destination, payload, state,"
		" next_attempt_at, event_created_at, created_at)"
		" VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?5)");
	if (!st)
		return -1;
	if (alert_id > 0)
		sqlite3_bind_int64(st, 1, alert_id);
	else
		sqlite3_bind_null(st, 1);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, destination);
	db_bind_text(st, 4, payload);
	db_bind_text(st, 5, now_iso);
	db_bind_text(st, 6, event_created_at);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

static int64_t col_ms(sqlite3_stmt *st, int col)
{
	int64_t ms = 0;
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (!t || ts_parse(t, &ms) < 0)
		return 0;
	return ms;
}

int outbox_heads(sqlite3 *db, struct ob_row **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT o.id, o.alert_id, o.destination_kind, o.destination, o.payload, o.state,"
		" o.attempts, o.next_attempt_at, o.created_at, o.event_created_at FROM outbox o"
		" JOIN (SELECT MIN(id) AS id FROM outbox WHERE state IN ('pending', 'sending')"
		" GROUP BY destination) h ON h.id = o.id ORDER BY o.id");
	if (!st)
		return -1;
	struct ob_row *v = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		struct ob_row *r = &v[n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(st, 0);
		r->alert_id = sqlite3_column_int64(st, 1);
		r->kind = db_col_dup(st, 2);
		r->destination = db_col_dup(st, 3);
		r->payload = db_col_dup(st, 4);
		r->state = db_col_dup(st, 5);
		r->attempts = sqlite3_column_int(st, 6);
		r->next_attempt_ms = col_ms(st, 7);
		r->created_ms = col_ms(st, 8);
		r->event_ms = col_ms(st, 9);
		if (!r->event_ms)
			r->event_ms = r->created_ms;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ob_rows_free(v, n);
		return -1;
	}
	*out = v;
	return (int)n;
}

void ob_rows_free(struct ob_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].destination);
		free(v[i].payload);
		free(v[i].state);
	}
	free(v);
}

/* One UPDATE in autocommit mode is its own short write transaction. The
 * parameters a statement does not use are simply not bound (SQLITE_RANGE). */
static int update(sqlite3 *db, const char *sql, int64_t id, long http_status, const char *text,
		  const char *iso)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (http_status > 0)
		sqlite3_bind_int64(st, 2, http_status);
	else
		sqlite3_bind_null(st, 2);
	db_bind_text(st, 3, text);
	db_bind_text(st, 4, iso);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

int outbox_claim(sqlite3 *db, int64_t id)
{
	return update(db,
		      "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?1",
		      id, 0, NULL, NULL);
}

int outbox_mark_sent(sqlite3 *db, int64_t id, long http_status)
{
	char now[TS_ISO_LEN + 1];
	return update(db,
		      "UPDATE outbox SET state = 'sent', last_http_status = ?2, last_error = ?3,"
		      " sent_at = ?4 WHERE id = ?1",
		      id, http_status, NULL, ts_now_iso(now));
}

int outbox_mark_retry(sqlite3 *db, int64_t id, long http_status, const char *error, int64_t next_ms)
{
	char next[TS_ISO_LEN + 1];
	return update(db,
		      "UPDATE outbox SET state = 'pending', last_http_status = ?2, last_error = ?3,"
		      " next_attempt_at = ?4 WHERE id = ?1",
		      id, http_status, error, ts_format(next_ms, next));
}

int outbox_mark_failed(sqlite3 *db, int64_t id, long http_status, const char *error)
{
	return update(db,
		      "UPDATE outbox SET state = 'failed', last_http_status = ?2, last_error = ?3"
		      " WHERE id = ?1",
		      id, http_status, error, NULL);
}

/* Destinations seen by earlier calls, so a queue that drained reports 0
 * instead of keeping its last value. */
static char **known;
static size_t nknown;

int outbox_gauges(sqlite3 *db)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT destination, count(*) FROM outbox"
			   " WHERE state IN ('pending', 'sending') GROUP BY destination");
	if (!st)
		return -1;
	char *seen = xcalloc(nknown + 1, 1);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		size_t i;
		for (i = 0; i < nknown && strcmp(known[i], d); i++)
			;
		if (i == nknown) {
			known = xreallocarray(known, nknown + 1, sizeof *known);
			known[nknown++] = xstrdup(d);
			seen = xrealloc(seen, nknown + 1);
		}
		seen[i] = 1;
		met_set(MET_OUTBOX_PENDING, (double)sqlite3_column_int64(st, 1), d);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < nknown; i++) {
		if (seen[i])
			continue;
		met_set(MET_OUTBOX_PENDING, 0, known[i]);
	}
	free(seen);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum ob_verdict outbox_classify(int curl_ok, long http_status)
{
	if (!curl_ok)
		return OB_RETRY;
	if (http_status >= 200 && http_status < 300)
		return OB_SENT;
	if (http_status == 429)
		return OB_RATE_LIMITED;
	if (http_status == 408 || http_status >= 500)
		return OB_RETRY;
	return OB_FAILED;
}

int64_t outbox_backoff_ms(int attempts, double rnd)
{
	static const struct httpc_backoff p = {
	    .base_ms = BACKOFF_BASE_MS, .cap_ms = BACKOFF_CAP_MS, .spread_pct = 50};
	return httpc_backoff_ms(&p, attempts, rnd);
}
