/*
 * queue: readings that are not in the database yet. Polling must go on while
 * the database cannot be written -- a sqlite3 user holding BEGIN IMMEDIATE,
 * a backup tool, a full disk -- so every reading is queued here first and
 * committed from here, in the order it was taken, as soon as a transaction
 * can begin. Each reading carries its own time, so a reading committed 40 s
 * late decides exactly what it would have decided on time (flap buffer,
 * dwell, event created_at).
 *
 * The queue is bounded (POLLER_QUEUE_MAX_READINGS): beyond it the oldest
 * reading is dropped, counted (poll_readings_dropped_total) and logged once
 * per outage. A reading the database refuses for its own sake (not for a
 * busy, full, read-only or damaged file) is dropped alone and logged, so one
 * bad row never holds the others back. See doc/faults.md#lock.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "pollerd.h"
#include "xalloc.h"

/* Readings per transaction: a long backlog is committed in short steps so
 * other writers (alertd, apid) get the lock in between. */
#define RQ_BATCH 2000
/* Consecutive failed flushes (other than a busy lock) before pollerd says it
 * is alive but not working. */
#define RQ_FAILING_AFTER 3

void rq_init(struct rqueue *q, size_t max)
{
	memset(q, 0, sizeof *q);
	q->max = max ? max : 1;
}

static struct rq_item *at(struct rqueue *q, size_t i)
{
	return &q->v[(q->head + i) % q->cap];
}

static void item_release(struct rq_item *it)
{
	free(it->service_id);
	free(it->source);
	it->service_id = it->source = NULL;
	fmt_reading_release(&it->r);
}

static void pop_front(struct rqueue *q)
{
	item_release(at(q, 0));
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

void rq_release(struct rqueue *q)
{
	while (q->n)
		pop_front(q);
	free(q->v);
	memset(q, 0, sizeof *q);
}

static void gauge(const struct rqueue *q)
{
	met_set(MET_POLL_QUEUE_READINGS, (double)q->n);
}

static void count_drop(struct rqueue *q)
{
	q->dropped++;
	met_add(MET_POLL_READINGS_DROPPED_TOTAL, 1);
}

static void drop_oldest(struct rqueue *q)
{
	pop_front(q);
	count_drop(q);
	if (!q->dropping)
		log_error(
		    "reading queue full (%zu readings waiting for the database): dropping the "
		    "oldest; raise POLLER_QUEUE_MAX_READINGS or free the database",
		    q->max);
	q->dropping = 1;
}

void rq_set_max(struct rqueue *q, size_t max)
{
	q->max = max ? max : 1;
	while (q->n > q->max)
		drop_oldest(q);
}

void rq_push(struct rqueue *q, const char *service_id, const char *source,
	     const struct fmt_reading *r, int64_t now_ms)
{
	if (q->n >= q->max)
		drop_oldest(q);
	if (q->n == q->cap) { /* grow, unrolling the ring */
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct rq_item *v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < q->n; i++)
			v[i] = *at(q, i);
		free(q->v);
		q->v = v;
		q->cap = cap;
		q->head = 0;
	}
	struct rq_item *it = at(q, q->n);
	it->service_id = xstrdup(service_id);
	it->source = xstrdup(source);
	fmt_reading_copy(&it->r, r);
	it->now_ms = now_ms;
	q->n++;
	gauge(q);
}

/* Drop the reading at index i alone (the database refused it), keeping the
 * order of the others. */
static void drop_at(struct rqueue *q, size_t i)
{
	struct rq_item bad = *at(q, i);
	for (size_t j = i; j > 0; j--)
		*at(q, j) = *at(q, j - 1);
	*at(q, 0) = bad;
	pop_front(q);
	count_drop(q);
}

/* The database could not be written: say so once per outage. */
static void blocked(struct rqueue *q, int rc, const char *msg)
{
	if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		q->failures++;
	q->fail_rc = rc;
	snprintf(q->fail_msg, sizeof q->fail_msg, "%s (%s)", db_failure_phrase(rc),
		 msg ? msg : "?");
	if (q->blocked)
		return;
	q->blocked = 1;
	q->blocked_since = ts_mono_ms();
	q->dropping = 0;
	q->committed_in_outage = 0;
	q->dropped_at_block = q->dropped;
	log_warn("cannot write to the database: %s; polling goes on and readings are kept in "
		 "memory (%zu waiting, room for %zu)",
		 q->fail_msg, q->n, q->max);
}

const char *rq_failing(const struct rqueue *q)
{
	return q->failures >= RQ_FAILING_AFTER ? q->fail_msg : NULL;
}

int rq_flush(struct pollerd *p, struct rqueue *q)
{
	if (!q->n)
		return 0;
	int rc = db_begin_once(p->db);
	if (rc) {
		blocked(q, rc, sqlite3_errmsg(p->db));
		return -1;
	}
	size_t done = 0;
	int events = 0, bad = 0;
	while (done < q->n && done < RQ_BATCH) {
		struct rq_item *it = at(q, done);
		struct poll_result pr = {it->service_id, it->source, &it->r, it->now_ms};
		struct apply_out out;
		if (store_apply_poll(p->db, &p->scfg, &pr, &out) < 0) {
			bad = 1;
			break;
		}
		if (out.event_id)
			events++;
		done++;
	}
	if (!bad && db_commit(p->db) == 0) {
		for (size_t i = 0; i < done; i++)
			pop_front(q);
		gauge(q);
		q->failures = 0;
		q->committed_in_outage += done;
		if (q->blocked && !q->n) {
			log_info(
			    "database writable again after %.1f s: %zu readings kept in memory "
			    "committed in order, %llu dropped",
			    (double)(ts_mono_ms() - q->blocked_since) / 1000.0,
			    q->committed_in_outage,
			    (unsigned long long)(q->dropped - q->dropped_at_block));
			q->blocked = 0;
		}
		return events;
	}
	rc = db_last_failure();
	char msg[200];
	snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(p->db));
	db_rollback(p->db);
	if (bad && !db_failure_transient(rc)) {
		struct rq_item *it = at(q, done);
		log_error("reading of %s taken at %lld cannot be stored (%s): dropped",
			  it->service_id, (long long)it->now_ms, rc ? msg : "refused by the store");
		drop_at(q, done);
		gauge(q);
		return 0;
	}
	blocked(q, rc, msg);
	return -1;
}
