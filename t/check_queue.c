/*
 * check_queue: pollerd's queue of readings not yet committed (pollerd/queue.c,
 * doc/faults.md#queue) on a scratch database. While another connection holds
 * the write lock nothing is committed and nothing is lost; once it is
 * released the readings are committed in order, each deciding as of its own
 * time. Past POLLER_QUEUE_MAX_READINGS the oldest are dropped and counted.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tpollerd.h"
#include "xalloc.h"

static const char *SERVICES =
    "services:\n"
    "  - {id: s1, display_name: S1, category: other, poll_type: statuspage_json,"
    " poll_url: 'http://127.0.0.1:1/s1.json'}\n";

#define T0 1790000000000LL /* 2026-09-21: reading times, 10 s apart */

static void push(struct rqueue *q, enum st_status s, int64_t at)
{
	struct fmt_reading r;
	fmt_reading_init(&r);
	fmt_set_ok(&r, s, 0);
	rq_push(q, "s1", "statuspage_json", &r, at);
	fmt_reading_release(&r);
}

START_TEST(test_lock_then_order)
{
	struct pollerd *p = tp_start(SERVICES, NULL);
	p->scfg.flap.confirm = 1;
	p->scfg.flap.recovery = 1;
	p->scfg.flap.dwell_ms = 0;
	sqlite3 *other = db_open(p->conf.cfg.database_path, 0);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(db_exec(other, "BEGIN IMMEDIATE"), 0);
	sqlite3_busy_timeout(p->db, 10);

	push(&p->rq, ST_OPERATIONAL, T0);
	push(&p->rq, ST_MAJOR_OUTAGE, T0 + 10000);
	push(&p->rq, ST_OPERATIONAL, T0 + 20000);
	ck_assert_int_eq(rq_flush(p, &p->rq), -1); /* locked: kept */
	ck_assert_uint_eq(p->rq.n, 3);
	ck_assert_int_eq(p->rq.blocked, 1);
	ck_assert_ptr_null(rq_failing(&p->rq)); /* a lock is waiting, not failing */
	char *n = tp_q(p, "SELECT count(*) FROM status_events");
	ck_assert_str_eq(n, "0");
	free(n);

	ck_assert_int_eq(db_exec(other, "COMMIT"), 0);
	ck_assert_int_eq(rq_flush(p, &p->rq), 3); /* status events, the baseline too */
	ck_assert_uint_eq(p->rq.n, 0);
	ck_assert_int_eq(p->rq.blocked, 0);
	char *seq = tp_q(p, "SELECT group_concat(new_status || '@' || created_at, ' ') FROM"
			    " (SELECT * FROM status_events WHERE kind = 'status' ORDER BY id)");
	ck_assert_str_eq(seq, "operational@2026-09-21T14:13:20.000Z "
			      "major_outage@2026-09-21T14:13:30.000Z "
			      "operational@2026-09-21T14:13:40.000Z");
	free(seq);
	db_close(other);
	tp_stop(p);
}
END_TEST

START_TEST(test_overflow_drops_oldest)
{
	struct rqueue q;
	rq_init(&q, 3);
	for (int i = 0; i < 5; i++)
		push(&q, i % 2 ? ST_MAJOR_OUTAGE : ST_OPERATIONAL, T0 + i * 1000LL);
	ck_assert_uint_eq(q.n, 3);
	ck_assert_uint_eq(q.dropped, 2);
	/* the oldest went; the order of the rest holds, across the ring's wrap */
	for (size_t i = 0; i < q.n; i++)
		ck_assert_int_eq(q.v[(q.head + i) % q.cap].now_ms, T0 + (int64_t)(i + 2) * 1000);
	rq_set_max(&q, 1);
	ck_assert_uint_eq(q.n, 1);
	ck_assert_uint_eq(q.dropped, 4);
	ck_assert_int_eq(q.v[q.head].now_ms, T0 + 4000);
	rq_release(&q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lock_then_order);
	tcase_add_test(tc, test_overflow_drops_oldest);
	suite_add_tcase(s, tc);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
