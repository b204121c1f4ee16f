/*
 * burst: merging a sustained burst to one Slack destination (issue 14 item
 * 3, issue 18 item 8). A pass folds more than AD_BATCH_OVER changes of one
 * pass into a batch, but passes that each bring a few changes -- a wave of
 * vendor trouble over several polls, or the backlog left by a Slack outage --
 * used to queue one message each, drained at one per SLACK_MIN_INTERVAL_MS.
 *
 * So, when a Slack destination's head row is about to be posted and more
 * than AD_BATCH_OVER individual status messages wait in a row at the front
 * of that queue (the head included), up to BK_BATCH_MAX of them become one
 * batch message, in one transaction:
 *  - a 'batch' alert_sent_log row is written (key burst:{destination}:{head
 *    outbox id}); the members' decisions become 'batched' under it, as in a
 *    pass's batch, so they stay announced;
 *  - the head row keeps its place in the FIFO and now carries the batch
 *    payload and the batch row's id; the other members' rows are deleted
 *    (their content is in the batch; their decisions stay logged).
 * Only unsent rows ('pending', never a 'sending' row that may have arrived)
 * of kind status_change that fired on their own are merged, and only a
 * contiguous run from the head, so the destination's order is kept.
 * Aggregated, poller-health, burn and daemon messages are never merged, and
 * neither are the other destination kinds (their receivers expect one
 * payload per change, dest.c).
 */
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

/* The run of mergeable rows at the front of dest's queue: outbox, alert and
 * event ids into ob/al/evid (room for BK_BATCH_MAX). Returns its length or -1. */
static int front_run(sqlite3 *db, const char *dest, int64_t *ob, int64_t *al, int64_t *evid)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT o.id, o.state, o.destination_kind, a.alert_kind, a.suppressed_by,"
	    " a.status_event_id, a.id FROM outbox o LEFT JOIN alert_sent_log a ON a.id = o.alert_id"
	    " WHERE o.destination = ?1 AND o.state IN ('pending', 'sending') ORDER BY o.id"
	    " LIMIT ?2");
	if (!st)
		return -1;
	db_bind_text(st, 1, dest);
	sqlite3_bind_int(st, 2, BK_BATCH_MAX);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 1);
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		const char *ak = (const char *)sqlite3_column_text(st, 3);
		if (!state || strcmp(state, "pending") || !kind || strcmp(kind, "slack") || !ak ||
		    strcmp(ak, "status_change") || sqlite3_column_type(st, 4) != SQLITE_NULL ||
		    sqlite3_column_type(st, 5) == SQLITE_NULL)
			break;
		ob[n] = sqlite3_column_int64(st, 0);
		evid[n] = sqlite3_column_int64(st, 5);
		al[n] = sqlite3_column_int64(st, 6);
		n++;
	}
	int err = rc != SQLITE_ROW && rc != SQLITE_DONE;
	sqlite3_finalize(st);
	return err ? -1 : n;
}

/* Load the events of the run (the order of evid). 0, or -1 when one is gone
 * or unreadable (then nothing is merged). */
static int load_run(struct alertd *a, const int64_t *evid, int n, struct ad_event *ev)
{
	for (int i = 0; i < n; i++) {
		struct ad_event *one = NULL;
		int k = events_load(a->db, evid[i] - 1, 1, a->conf.cfg.sso_broker_service_id, &one);
		if (k != 1 || one[0].id != evid[i]) {
			events_free(one, k > 0 ? (size_t)k : 0);
			for (int j = 0; j < i; j++)
				event_release(&ev[j]);
			return -1;
		}
		ev[i] = one[0];
		free(one);
	}
	return 0;
}

int burst_merge(struct alertd *a, const struct ob_row *head)
{
	if (strcmp(head->kind, "slack") || strcmp(head->state, "pending"))
		return 0;
	int64_t ob[BK_BATCH_MAX], al[BK_BATCH_MAX], evid[BK_BATCH_MAX];
	int n = front_run(a->db, head->destination, ob, al, evid);
	if (n <= AD_BATCH_OVER || ob[0] != head->id)
		return n < 0 ? -1 : 0;
	struct ad_event ev[BK_BATCH_MAX];
	if (load_run(a, evid, n, ev) < 0)
		return 0;
	const struct ad_event *pev[BK_BATCH_MAX];
	const struct ad_decision *pdec[BK_BATCH_MAX] = {0};
	int mention = 0;
	enum st_status worst = ST_OPERATIONAL;
	for (int i = 0; i < n; i++) {
		pev[i] = &ev[i];
		mention |= ev[i].tier == ST_TIER_CRITICAL;
		if (st_status_rank(ev[i].next) > st_status_rank(worst))
			worst = ev[i].next;
	}
	/* the batch row's key is known before the row: the payload's ack button needs it */
	char *key = xasprintf("burst:%s:%lld", head->destination, (long long)head->id);
	char *payload =
	    bk_batch(pev, pdec, (size_t)n, mention, pass_ack_buttons(&a->conf.cfg) ? key : NULL);
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	struct ad_decision bd;
	memset(&bd, 0, sizeof bd);
	int begun = payload && db_begin(a->db) == 0;
	int rc = begun ? pass_batch_row(a->db, &ev[0], head->destination, key, mention, worst, al,
					(size_t)n, now, &bd)
		       : -1;
	if (!begun)
		free(key);
	sqlite3_stmt *del = rc == 0 ? db_prepare(a->db, "DELETE FROM outbox WHERE id = ?1") : NULL;
	for (int i = 1; i < n && del && rc == 0; i++) {
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, ob[i]);
		rc = db_step_done(del);
	}
	if (rc == 0 && !del)
		rc = -1;
	sqlite3_finalize(del);
	if (rc == 0) {
		sqlite3_stmt *up = db_prepare(a->db, "UPDATE outbox SET payload = ?2, alert_id = ?3"
						     " WHERE id = ?1 AND state = 'pending'");
		if (up) {
			sqlite3_bind_int64(up, 1, head->id);
			db_bind_text(up, 2, payload);
			sqlite3_bind_int64(up, 3, bd.alert_id);
			rc = db_step_done(up) == 0 && sqlite3_changes(a->db) == 1 ? 0 : -1;
			sqlite3_finalize(up);
		} else {
			rc = -1;
		}
	}
	if (rc == 0 && db_commit(a->db) == 0) {
		const char *kv[] = {"destination", head->destination, NULL};
		log_kv(LOG_LVL_INFO, kv, "merged %d waiting messages to %s into one batch", n,
		       head->destination);
		met_add(MET_OUTBOX_MERGED_TOTAL, n, head->destination);
	} else {
		if (begun)
			db_rollback(a->db);
		log_warn("could not merge the messages waiting for %s; sending them one by one",
			 head->destination);
		rc = -1;
	}
	free(payload);
	decision_release(&bd);
	for (int i = 0; i < n; i++)
		event_release(&ev[i]);
	return rc == 0 ? 1 : -1;
}
