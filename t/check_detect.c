/*
 * check_detect: the flap buffer decision table (doc/compat.md#s6-3 with the
 * fixes of doc/design.md#change-detection: baseline, improvement without
 * dwell, pushed statuses that a stale poll cannot undo) and the poller-health
 * state machine (doc/compat.md#s7-5), as pure functions; then the same rules
 * end to end through store_apply_poll on a scratch database (rows written,
 * events emitted, buffer kept across failed polls, health events).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "../pollerd/pollerd.h"
#include "tsupport.h"
#include "xalloc.h"

static const struct flap_cfg CFG = {.confirm = 3, .recovery = 2, .dwell_ms = 600000};

static struct flap_state st(enum st_status committed)
{
	struct flap_state s = {committed, ST_UNKNOWN, 0, FLAP_SINCE_NONE, 0};
	return s;
}

START_TEST(test_same_clears_buffer)
{
	struct flap_state s = st(ST_OPERATIONAL);
	s.pending = ST_DEGRADED;
	s.count = 2;
	s.since_ms = 1000;
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 5000), FLAP_SAME);
	ck_assert_int_eq(s.pending, ST_UNKNOWN);
	ck_assert_int_eq(s.count, 0);
	ck_assert(s.since_ms == FLAP_SINCE_NONE);
	ck_assert_int_eq(s.committed, ST_OPERATIONAL);
}
END_TEST

START_TEST(test_baseline_from_unknown)
{
	/* Every status, operational included, is committed at once. */
	enum st_status all[] = {ST_OPERATIONAL, ST_DEGRADED, ST_PARTIAL_OUTAGE, ST_MAJOR_OUTAGE};
	for (size_t i = 0; i < 4; i++) {
		struct flap_state s = st(ST_UNKNOWN);
		s.pending = ST_MAJOR_OUTAGE; /* leftovers do not matter */
		s.count = 7;
		ck_assert_int_eq(flap_decide(&CFG, &s, all[i], 1000), FLAP_BASELINE);
		ck_assert_int_eq(s.committed, all[i]);
		ck_assert_int_eq(s.pending, ST_UNKNOWN);
		ck_assert_int_eq(s.count, 0);
	}
}
END_TEST

START_TEST(test_worsening_needs_count_and_dwell)
{
	struct flap_state s = st(ST_OPERATIONAL);
	int64_t t = 1000000;
	/* 60 s polls: 3 readings are not enough, the 11th (600 s) is. */
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, t + i * 60000), FLAP_WAIT);
		ck_assert_int_eq(s.count, i + 1);
		ck_assert(s.since_ms == t);
	}
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, t + 600000), FLAP_COMMIT);
	ck_assert_int_eq(s.committed, ST_MAJOR_OUTAGE);
	ck_assert_int_eq(s.pending, ST_UNKNOWN);
}
END_TEST

START_TEST(test_worsening_dwell_met_count_short)
{
	struct flap_state s = st(ST_OPERATIONAL);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 900000), FLAP_WAIT); /* n=2 */
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 900001), FLAP_COMMIT); /* n=3 */
}
END_TEST

START_TEST(test_no_dwell)
{
	struct flap_cfg c = CFG;
	c.dwell_ms = 0;
	struct flap_state s = st(ST_OPERATIONAL);
	ck_assert_int_eq(flap_decide(&c, &s, ST_PARTIAL_OUTAGE, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&c, &s, ST_PARTIAL_OUTAGE, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&c, &s, ST_PARTIAL_OUTAGE, 0), FLAP_COMMIT);
}
END_TEST

START_TEST(test_recovery_two_polls_no_dwell)
{
	struct flap_state s = st(ST_MAJOR_OUTAGE);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 1), FLAP_COMMIT);
	ck_assert_int_eq(s.committed, ST_OPERATIONAL);
}
END_TEST

START_TEST(test_improvement_uses_recovery_path)
{
	/* major -> degraded is an improvement: recovery count, no dwell. */
	struct flap_state s = st(ST_MAJOR_OUTAGE);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 10), FLAP_COMMIT);
	ck_assert_int_eq(s.committed, ST_DEGRADED);
	/* partial -> degraded likewise */
	s = st(ST_PARTIAL_OUTAGE);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 0), FLAP_COMMIT);
}
END_TEST

START_TEST(test_escalation_restarts_count)
{
	/* degraded x2 then major x2: the target changed, no commit (seed). */
	struct flap_cfg c = CFG;
	c.dwell_ms = 0;
	struct flap_state s = st(ST_OPERATIONAL);
	ck_assert_int_eq(flap_decide(&c, &s, ST_DEGRADED, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&c, &s, ST_DEGRADED, 1), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&c, &s, ST_MAJOR_OUTAGE, 2), FLAP_WAIT);
	ck_assert_int_eq(s.count, 1);
	ck_assert(s.since_ms == 2);
	ck_assert_int_eq(flap_decide(&c, &s, ST_MAJOR_OUTAGE, 3), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&c, &s, ST_MAJOR_OUTAGE, 4), FLAP_COMMIT);
	ck_assert_int_eq(s.committed, ST_MAJOR_OUTAGE);
}
END_TEST

START_TEST(test_blip_is_forgotten)
{
	struct flap_state s = st(ST_OPERATIONAL);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 60000), FLAP_SAME);
	ck_assert_int_eq(s.count, 0);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 120000), FLAP_WAIT);
	ck_assert_int_eq(s.count, 1);
}
END_TEST

START_TEST(test_unparseable_since_counts_as_dwelt)
{
	struct flap_state s = st(ST_OPERATIONAL);
	s.pending = ST_DEGRADED;
	s.count = 2;
	s.since_ms = FLAP_SINCE_BAD;
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 5), FLAP_COMMIT);
}
END_TEST

START_TEST(test_pushed_needs_confirmation)
{
	/* A webhook said major; the stale page still says operational. The
	 * improvement needs the confirmation count (3), not recovery (2). */
	struct flap_state s = st(ST_MAJOR_OUTAGE);
	s.pushed = 1;
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 1), FLAP_WAIT);
	ck_assert_int_eq(s.pushed, 1);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 2), FLAP_COMMIT);
	ck_assert_int_eq(s.pushed, 0);
	/* The page agreeing with the pushed status ends the pushed state. */
	s = st(ST_DEGRADED);
	s.pushed = 1;
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_DEGRADED, 0), FLAP_SAME);
	ck_assert_int_eq(s.pushed, 0);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_OPERATIONAL, 0), FLAP_COMMIT);
	/* A pushed worsening is still gated by dwell as usual. */
	s = st(ST_OPERATIONAL);
	s.pushed = 1;
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 0), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 1), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 2), FLAP_WAIT);
	ck_assert_int_eq(flap_decide(&CFG, &s, ST_MAJOR_OUTAGE, 600000), FLAP_COMMIT);
}
END_TEST

START_TEST(test_health_machine)
{
	struct health_state h = {ST_HEALTHY, 0};
	ck_assert_int_eq(health_next(&h, 0, 3), 0);
	ck_assert_int_eq(h.health, ST_HEALTH_DEGRADED);
	ck_assert_int_eq(h.failures, 1);
	ck_assert_int_eq(health_next(&h, 0, 3), 0);
	ck_assert_int_eq(h.health, ST_HEALTH_DEGRADED);
	ck_assert_int_eq(health_next(&h, 0, 3), 1); /* -> broken: recorded */
	ck_assert_int_eq(h.health, ST_BROKEN);
	ck_assert_int_eq(health_next(&h, 0, 3), 0); /* broken stays silent */
	ck_assert_int_eq(h.failures, 4);
	ck_assert_int_eq(health_next(&h, 1, 3), 1); /* broken -> healthy: recorded */
	ck_assert_int_eq(h.health, ST_HEALTHY);
	ck_assert_int_eq(h.failures, 0);
	/* degraded -> healthy is silent */
	ck_assert_int_eq(health_next(&h, 0, 3), 0);
	ck_assert_int_eq(health_next(&h, 1, 3), 0);
	/* threshold 1: the first failure breaks */
	h = (struct health_state){ST_HEALTHY, 0};
	ck_assert_int_eq(health_next(&h, 0, 1), 1);
	ck_assert_int_eq(h.health, ST_BROKEN);
}
END_TEST

/* ---- through the database ---------------------------------------------------- */

static sqlite3 *db;
static struct store_cfg SC;

static void db_setup(void)
{
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/t.db", d);
	db = db_open(p, 0);
	ck_assert_ptr_nonnull(db);
	free(p);
	free(d);
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category, poll_type,"
				     " poll_url) VALUES ('svc', 'Svc', 'other', 'statuspage_json',"
				     " 'http://x/'), ('down', 'Down', 'other', 'manual', NULL);"
				     "INSERT INTO service_dependencies (upstream_service_id,"
				     " downstream_service_id, impact_description) VALUES"
				     " ('svc', 'down', 'x')"),
			 0);
	SC.flap = (struct flap_cfg){.confirm = 3, .recovery = 2, .dwell_ms = 0};
	SC.failure_threshold = 3;
	SC.sso_broker_id = NULL;
}

static void db_teardown(void)
{
	stmt_forget(db);
	db_close(db);
	db = NULL;
}

/* Apply one reading (ok with status, or a failure with reason). */
static struct apply_out poll(enum st_status s, const char *fail_reason, int64_t t)
{
	struct fmt_reading r;
	fmt_reading_init(&r);
	if (fail_reason) {
		fmt_fail(&r, "%s", fail_reason);
	} else {
		fmt_set_ok(&r, s, 0);
		fmt_set_detail(&r, "vendor words");
		fmt_set_incident(&r, "inc-1", "Something broke");
	}
	struct poll_result pr = {"svc", "statuspage_json", &r, t};
	struct apply_out out;
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_poll(db, &SC, &pr, &out), 0);
	ck_assert_int_eq(db_commit(db), 0);
	fmt_reading_release(&r);
	return out;
}

static char *q(const char *sql)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	ck_assert_ptr_nonnull(st);
	char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		s = db_col_dup(st, 0);
	sqlite3_finalize(st);
	return s ? s : xstrdup("(null)");
}

#define ck_q(sql, want)                                                                            \
	do {                                                                                       \
		char *got_ = q(sql);                                                               \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

START_TEST(test_store_baseline_then_confirmed)
{
	int64_t t = 1800000000000LL;
	struct apply_out o = poll(ST_OPERATIONAL, NULL, t);
	ck_assert_int_eq(o.verdict, FLAP_BASELINE);
	ck_assert_int_gt(o.event_id, 0);
	ck_q("SELECT previous_status || '>' || new_status || ' b=' || is_baseline || ' ' || source"
	     " FROM status_events WHERE kind = 'status'",
	     "unknown>operational b=1 statuspage_json");
	ck_q("SELECT baseline_at IS NOT NULL FROM services WHERE id = 'svc'", "1");
	o = poll(ST_MAJOR_OUTAGE, NULL, t + 1000);
	ck_assert_int_eq(o.verdict, FLAP_WAIT);
	ck_q("SELECT pending_status || ' ' || pending_status_count FROM services WHERE id = 'svc'",
	     "major_outage 1");
	/* A failed poll in between leaves the buffer alone. */
	o = poll(ST_UNKNOWN, "timeout", t + 2000);
	ck_assert_int_eq(o.health, ST_HEALTH_DEGRADED);
	ck_q("SELECT pending_status || ' ' || pending_status_count || ' ' || last_failure_reason"
	     " FROM services WHERE id = 'svc'",
	     "major_outage 1 timeout");
	o = poll(ST_MAJOR_OUTAGE, NULL, t + 3000);
	ck_assert_int_eq(o.verdict, FLAP_WAIT);
	ck_assert_int_eq(o.health, ST_HEALTHY);
	o = poll(ST_MAJOR_OUTAGE, NULL, t + 4000);
	ck_assert_int_eq(o.verdict, FLAP_COMMIT);
	ck_q("SELECT previous_status || '>' || new_status || ' b=' || is_baseline || ' ' ||"
	     " vendor_incident_id || ' ' || vendor_title || ' ' || vendor_detail FROM status_events"
	     " WHERE id = (SELECT max(id) FROM status_events)",
	     "operational>major_outage b=0 inc-1 Something broke vendor words");
	ck_q("SELECT impact_statement FROM status_events WHERE id = (SELECT max(id) FROM status_events)",
	     "\u26a0\ufe0f Svc is experiencing a MAJOR OUTAGE. vendor words. This may impact: Down.");
	ck_q("SELECT current_status || ' ' || pending_status_count || ' ' || last_status_change_at"
	     " FROM services WHERE id = 'svc'",
	     "major_outage 0 2027-01-15T08:00:04.000Z");
	ck_q("SELECT count(*) FROM status_events WHERE kind = 'health'", "0");
}
END_TEST

START_TEST(test_store_health_events)
{
	int64_t t = 1800000000000LL;
	poll(ST_OPERATIONAL, NULL, t);
	poll(ST_UNKNOWN, "transient_http_503", t + 1);
	poll(ST_UNKNOWN, "transient_http_503", t + 2);
	struct apply_out o = poll(ST_UNKNOWN, "circuit_breaker_open: x", t + 3);
	ck_assert_int_eq(o.health, ST_BROKEN);
	ck_assert_int_gt(o.health_event_id, 0);
	o = poll(ST_UNKNOWN, "circuit_breaker_open: x", t + 4);
	ck_assert_int_eq(o.health_event_id, 0);
	ck_q("SELECT poller_health || ' ' || consecutive_failures FROM services WHERE id = 'svc'",
	     "broken 4");
	o = poll(ST_OPERATIONAL, NULL, t + 5);
	ck_assert_int_gt(o.health_event_id, 0);
	ck_assert_int_eq(o.verdict, FLAP_SAME);
	ck_q("SELECT group_concat(previous_health || '>' || new_health || ':' ||"
	     " coalesce(failure_reason, '-'), ',') FROM status_events WHERE kind = 'health'",
	     "degraded>broken:circuit_breaker_open: x,broken>healthy:-");
	ck_q("SELECT poller_health || ' ' || consecutive_failures || ' ' ||"
	     " coalesce(last_failure_reason, '-') FROM services WHERE id = 'svc'",
	     "healthy 0 -");
	/* failures never produce status events; the committed status stayed */
	ck_q("SELECT count(*) FROM status_events WHERE kind = 'status'", "1");
}
END_TEST

START_TEST(test_store_maintenance_is_not_failure)
{
	struct fmt_reading r;
	fmt_reading_init(&r);
	fmt_set_ok(&r, ST_OPERATIONAL, 1);
	struct fmt_maint *m = fmt_maint_add(&r);
	m->vendor_id = xstrdup("mw1");
	m->title = xstrdup("DB upgrade");
	m->scheduled_for = xstrdup("2020-01-01T00:00:00.000Z");
	m->status = xstrdup("in_progress");
	struct poll_result pr = {"svc", "statuspage_json", &r, ts_now_ms()};
	struct apply_out out;
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_poll(db, &SC, &pr, &out), 0);
	ck_assert_int_eq(db_commit(db), 0);
	ck_assert_int_eq(out.health, ST_HEALTHY);
	ck_assert_int_eq(out.in_maintenance, 1);
	ck_q("SELECT in_maintenance || ' ' || poller_health FROM services WHERE id = 'svc'",
	     "1 healthy");
	ck_q("SELECT in_maintenance FROM status_events", "1");
	ck_q("SELECT source || ' ' || status || ' ' || title FROM scheduled_maintenances",
	     "vendor in_progress DB upgrade");
	/* The window vanishes from the feed: completed, flag follows the vendor. */
	fmt_reading_release(&r);
	fmt_set_ok(&r, ST_OPERATIONAL, 0);
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_poll(db, &SC, &pr, &out), 0);
	ck_assert_int_eq(db_commit(db), 0);
	ck_assert_int_eq(out.in_maintenance, 0);
	ck_q("SELECT status FROM scheduled_maintenances", "completed");
	fmt_reading_release(&r);
}
END_TEST

START_TEST(test_store_push_then_stale_poll)
{
	int64_t t = 1800000000000LL;
	poll(ST_OPERATIONAL, NULL, t);
	struct push ps = {
		.service_id = "svc",
		.source = "webhook",
		.status = ST_MAJOR_OUTAGE,
		.vendor_maint = 0,
		.detail = "from webhook",
		.incident_id = "wh-inc",
		.now_ms = t + 10,
	};
	struct push_out po;
	char *err = NULL;
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_push(db, &SC, &ps, &po, &err), 0);
	ck_assert_int_eq(db_commit(db), 0);
	ck_assert_int_eq(po.changed, 1);
	ck_assert_int_eq(po.previous, ST_OPERATIONAL);
	ck_q("SELECT status_source || ' ' || current_status FROM services WHERE id = 'svc'",
	     "webhook major_outage");
	/* Two stale polls (recovery threshold) do not undo it; the third does. */
	ck_assert_int_eq(poll(ST_OPERATIONAL, NULL, t + 20).verdict, FLAP_WAIT);
	ck_assert_int_eq(poll(ST_OPERATIONAL, NULL, t + 30).verdict, FLAP_WAIT);
	ck_q("SELECT current_status FROM services WHERE id = 'svc'", "major_outage");
	ck_assert_int_eq(poll(ST_OPERATIONAL, NULL, t + 40).verdict, FLAP_COMMIT);
	ck_q("SELECT status_source || ' ' || current_status FROM services WHERE id = 'svc'",
	     "poll operational");
	ck_q("SELECT group_concat(source || ':' || previous_status || '>' || new_status, ',')"
	     " FROM status_events",
	     "statuspage_json:unknown>operational,webhook:operational>major_outage,"
	     "statuspage_json:major_outage>operational");
	/* Unknown service */
	ps.service_id = "nope";
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_push(db, &SC, &ps, &po, &err), -1);
	db_rollback(db);
	ck_assert_str_eq(err, "service nope not found");
	free(err);
}
END_TEST

START_TEST(test_store_unknown_after_baseline)
{
	/* An operator sets "unknown": the next reading is committed at once
	 * (nothing to confirm against) but it is a real change, not a silent
	 * baseline -- only the very first reading of a service is. */
	int64_t t = 1800000000000LL;
	poll(ST_OPERATIONAL, NULL, t);
	struct push ps = {.service_id = "svc", .source = "manual", .status = ST_UNKNOWN,
			  .vendor_maint = -1, .reason = "unsure", .now_ms = t + 1};
	struct push_out po;
	char *err = NULL;
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(store_apply_push(db, &SC, &ps, &po, &err), 0);
	ck_assert_int_eq(db_commit(db), 0);
	struct apply_out o = poll(ST_MAJOR_OUTAGE, NULL, t + 2);
	ck_assert_int_eq(o.verdict, FLAP_BASELINE);
	ck_q("SELECT group_concat(previous_status || '>' || new_status || ':' || is_baseline, ',')"
	     " FROM status_events",
	     "unknown>operational:1,operational>unknown:0,unknown>major_outage:0");
}
END_TEST

int main(void)
{
	log_init("check_detect", LOG_LVL_ERROR, 0);
	Suite *s = suite_create("detect");
	TCase *tc = tcase_create("flap");
	tcase_add_test(tc, test_same_clears_buffer);
	tcase_add_test(tc, test_baseline_from_unknown);
	tcase_add_test(tc, test_worsening_needs_count_and_dwell);
	tcase_add_test(tc, test_worsening_dwell_met_count_short);
	tcase_add_test(tc, test_no_dwell);
	tcase_add_test(tc, test_recovery_two_polls_no_dwell);
	tcase_add_test(tc, test_improvement_uses_recovery_path);
	tcase_add_test(tc, test_escalation_restarts_count);
	tcase_add_test(tc, test_blip_is_forgotten);
	tcase_add_test(tc, test_unparseable_since_counts_as_dwelt);
	tcase_add_test(tc, test_pushed_needs_confirmation);
	tcase_add_test(tc, test_health_machine);
	suite_add_tcase(s, tc);
	TCase *tdb = tcase_create("store");
	tcase_add_checked_fixture(tdb, db_setup, db_teardown);
	tcase_set_timeout(tdb, 30);
	tcase_add_test(tdb, test_store_baseline_then_confirmed);
	tcase_add_test(tdb, test_store_health_events);
	tcase_add_test(tdb, test_store_maintenance_is_not_failure);
	tcase_add_test(tdb, test_store_push_then_stale_poll);
	tcase_add_test(tdb, test_store_unknown_after_baseline);
	suite_add_tcase(s, tdb);
	return ts_run(s);
}
