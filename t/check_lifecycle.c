/*
 * check_lifecycle: retention is foreign-key safe across the two daemons that
 * own the tables (the old tool's run failed forever once an alert referenced
 * an old event, doc/compat.md#bug-5); snapshots are consistent, rotated, and restorable.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../alertd/alertd.h"
#include "db.h"
#include "log.h"
#include "../pollerd/pollerd.h"
#include "timeutil.h"
#include "tsupport.h"
#include "xalloc.h"

static const int64_t DAY = 86400000LL;
static int64_t now_ms;

static void at(int64_t ms, char out[TS_ISO_LEN + 1])
{
	ts_format(ms, out);
}

static sqlite3 *fixture_db(char **path_out)
{
	char *d = ts_tmpdir();
	*path_out = xasprintf("%s/life.db", d);
	free(d);
	sqlite3 *db = db_open(*path_out, 0);
	ck_assert_ptr_nonnull(db);
	char old[TS_ISO_LEN + 1], recent[TS_ISO_LEN + 1];
	at(now_ms - 100 * DAY, old);
	at(now_ms - 10 * DAY, recent);
	char *sql = xasprintf(
	    "INSERT INTO services (id, display_name, category) VALUES ('a', 'A', 'other');"
	    "INSERT INTO status_events (id, service_id, previous_status, new_status, created_at) "
	    "VALUES"
	    " (1, 'a', 'unknown', 'operational', '%1$s'), (2, 'a', 'operational', 'degraded', "
	    "'%1$s'),"
	    " (3, 'a', 'degraded', 'operational', '%2$s'), (4, 'a', 'operational', 'major_outage', "
	    "'%1$s');"
	    /* a1: old alert on old event 2; a2: RECENT alert on old event 4; a3: recent alert on
	       event 3 */
	    "INSERT INTO alert_sent_log (id, dedup_key, service_id, status_event_id, severity, "
	    "new_status,"
	    " alert_kind, first_sent_at) VALUES"
	    " (1, 'k1', 'a', 2, 'important', 'degraded', 'status_change', '%1$s'),"
	    " (2, 'k2', 'a', 4, 'important', 'major_outage', 'status_change', '%2$s'),"
	    " (3, 'k3', 'a', 3, 'important', 'operational', 'status_change', '%2$s');"
	    "INSERT INTO outbox (id, alert_id, destination_kind, destination, payload, state, "
	    "created_at) VALUES"
	    " (1, 1, 'slack', 'slack:main', '{}', 'sent', '%1$s'), (2, 3, 'slack', 'slack:main', "
	    "'{}', 'pending', '%2$s');"
	    "INSERT INTO incident_reports (service_id, started_at, resolved_at, duration_seconds, "
	    "peak_severity,"
	    " event_count, events_json) VALUES ('a', '%1$s', '%1$s', 60, 'degraded', 2, '[]'),"
	    " ('a', '%2$s', '%2$s', 60, 'degraded', 2, '[]');"
	    "INSERT INTO scheduled_maintenances (service_id, title, scheduled_for, "
	    "scheduled_until, status) VALUES"
	    " ('a', 'old', '%1$s', '%1$s', 'completed'), ('a', 'future', '%2$s', NULL, "
	    "'scheduled');"
	    "INSERT INTO inbox (kind, consumer, service_id, payload, state, created_at) VALUES"
	    " ('manual_status', 'pollerd', 'a', '{}', 'applied', '%1$s'),"
	    " ('manual_status', 'pollerd', 'a', '{}', 'pending', '%1$s');",
	    old, recent);
	ck_assert_int_eq(db_exec(db, sql), 0);
	free(sql);
	return db;
}

static struct cfg_settings settings(const char *backup_dir)
{
	struct cfg_settings c;
	memset(&c, 0, sizeof c);
	c.retention_days_status_events = 90;
	c.retention_days_alert_sent_log = 90;
	c.backup_dir = (char *)backup_dir;
	c.backup_retention_days = 7;
	c.backup_time_hour = 2;
	return c;
}

static int64_t count(sqlite3 *db, const char *sql)
{
	return db_query_int(db, sql, -1);
}

START_TEST(test_retention_fk_safe_order)
{
	char *p;
	sqlite3 *db = fixture_db(&p);
	struct cfg_settings c = settings(NULL);
	/* pollerd first: events 2 and 4 are still referenced -> kept, and the run succeeds */
	ck_assert_int_ge(retention_run(db, &c, now_ms), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM status_events"),
			 3); /* 1 went; 2, 3, 4 stay */
	ck_assert_int_eq(count(db, "SELECT count(*) FROM status_events WHERE id = 1"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM scheduled_maintenances"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM inbox"), 1); /* the pending one stays */
	/* alertd: old alert 1 and its sent outbox row; alert 2 because its event is old */
	ck_assert_int_ge(lifecycle_retention(db, &c, now_ms), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM alert_sent_log"), 1);
	ck_assert_int_eq(count(db, "SELECT id FROM alert_sent_log"), 3);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM outbox"), 1); /* pending delivery kept */
	ck_assert_int_eq(count(db, "SELECT count(*) FROM incident_reports"), 1);
	/* pollerd again: now the old events can go */
	ck_assert_int_ge(retention_run(db, &c, now_ms), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM status_events"), 1);
	ck_assert_int_eq(count(db, "SELECT id FROM status_events"), 3);
	ck_assert_int_eq(count(db, "PRAGMA foreign_key_check"), -1); /* no violations: no rows */
	db_close(db);
	free(p);
}
END_TEST

START_TEST(test_retention_zero_keeps)
{
	char *p;
	sqlite3 *db = fixture_db(&p);
	struct cfg_settings c = settings(NULL);
	c.retention_days_status_events = 0;
	c.retention_days_alert_sent_log = 0;
	ck_assert_int_eq(retention_run(db, &c, now_ms), 0);
	ck_assert_int_eq(lifecycle_retention(db, &c, now_ms), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM status_events"), 4);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM alert_sent_log"), 3);
	db_close(db);
	free(p);
}
END_TEST

START_TEST(test_backup_rotation_and_restore)
{
	char *p;
	sqlite3 *db = fixture_db(&p);
	char *dir = ts_tmpdir();
	char *bdir = xasprintf("%s/backups/nested", dir);
	struct cfg_settings c = settings(bdir);
	/* before BACKUP_TIME_HOUR nothing happens unless forced */
	char iso[TS_ISO_LEN + 1];
	int64_t day_start = now_ms - now_ms % DAY;
	ck_assert_int_eq(lifecycle_backup(db, &c, day_start + 3600000, 0), 0);
	ck_assert_int_eq(lifecycle_backup(db, &c, day_start + 3 * 3600000, 0), 1);
	ck_assert_int_eq(lifecycle_backup(db, &c, day_start + 4 * 3600000, 0), 0); /* once a day */
	ts_format(day_start, iso);
	char *snap = xasprintf("%s/itstatus-%.10s.db", bdir, iso);
	ck_assert_int_eq(access(snap, R_OK), 0);
	/* rotation: our old names go, other files stay */
	char *old = ts_write(bdir, "itstatus-2001-01-01.db", "x");
	char *other = ts_write(bdir, "notes.txt", "keep me");
	ck_assert_int_eq(lifecycle_backup(db, &c, day_start + DAY + 3 * 3600000, 0), 1);
	ck_assert_int_ne(access(old, F_OK), 0);
	ck_assert_int_eq(access(other, F_OK), 0);
	ck_assert_int_eq(access(snap, F_OK), 0); /* 1 day old: inside the 7-day retention */
	/* restore refuses while a daemon is alive on the target */
	char *target = xasprintf("%s/restored.db", dir);
	sqlite3 *t = db_open(target, 0);
	ck_assert_int_eq(db_heartbeat(t, "alertd", "2026-01-01T00:00:00.000Z", NULL, NULL), 0);
	db_close(t);
	log_set_level(LOG_LVL_CRITICAL);
	/* the heartbeat row carries this test's pid: alive and fresh -> refused */
	ck_assert_int_eq(db_restore(snap, target, 120), -1);
	/* a fresh last beat from a process that has exited (a daemon stopped a
	 * second ago) does not block the restore */
	t = db_open(target, 0);
	ck_assert_int_eq(db_exec(t, "UPDATE heartbeats SET pid = 2147483000"), 0);
	db_close(t);
	ck_assert_int_eq(db_restore(snap, target, 120), 0);
	t = db_open(target, 0);
	ck_assert_int_eq(count(t, "SELECT count(*) FROM status_events"), 4);
	ck_assert_int_eq(count(t, "SELECT count(*) FROM alert_sent_log"), 3);
	ck_assert_int_eq(count(t, "SELECT count(*) FROM heartbeats"),
			 0); /* the snapshot's, not the old file's */
	db_close(t);
	/* a file that is not a snapshot is refused */
	ck_assert_int_eq(db_restore(other, target, 0), -1);
	db_close(db);
	free(target);
	free(old);
	free(other);
	free(snap);
	free(bdir);
	free(dir);
	free(p);
}
END_TEST

int main(void)
{
	log_init("check_lifecycle", LOG_LVL_WARNING, 0);
	now_ms = ts_now_ms();
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_retention_fk_safe_order);
	tcase_add_test(tc, test_retention_zero_keeps);
	tcase_add_test(tc, test_backup_rotation_and_restore);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
