/*
 * check_db: opening applies pragmas and migrations exactly once, even when
 * several processes race on a new file; CHECK constraints hold; heartbeats;
 * data_version sees other connections' commits; 0006 keeps every service.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

static char *new_db_path(void)
{
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/t.db", d);
	free(d);
	return p;
}

START_TEST(test_open_migrates)
{
	char *p = new_db_path();
	sqlite3 *db = db_open(p, 0);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(db_schema_version(db), db_migrations[db_migration_count - 1].version);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'v_status'", 0), 1);
	sqlite3_stmt *st = db_prepare(db, "PRAGMA journal_mode");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	ck_assert_int_eq(db_query_int(db, "PRAGMA foreign_keys", 0), 1);
	ck_assert_int_eq(db_migrate(db), 0); /* idempotent */
	/* a database from a newer build is refused, not written to */
	ck_assert_int_eq(db_exec(db, "PRAGMA user_version = 9999"), 0);
	log_set_level(LOG_LVL_CRITICAL);
	ck_assert_int_eq(db_migrate(db), -1);
	log_set_level(LOG_LVL_WARNING);
	/* back to this build's version, which a read-only open requires */
	char pv[64];
	snprintf(pv, sizeof pv, "PRAGMA user_version = %d",
		 db_migrations[db_migration_count - 1].version);
	ck_assert_int_eq(db_exec(db, pv), 0);
	db_close(db);
	db = db_open(p, 1);
	ck_assert_ptr_nonnull(db);
	db_close(db);
	free(p);
}
END_TEST

START_TEST(test_concurrent_first_open)
{
	char *p = new_db_path();
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			sqlite3 *db = db_open(p, 0);
			int ok = db && db_heartbeat(db, i == 0 ? "pollerd" : i == 1 ? "alertd" : "apid",
						     "2026-01-01T00:00:00.000Z", NULL, NULL) == 0;
			db_close(db);
			/* Success is reported through a marker file, not the exit
			 * status: under valgrind a forked child's exit status counts
			 * the parent's inherited heap as leaks. */
			if (ok) {
				char *m = xasprintf("%s.ok%d", p, i);
				FILE *f = fopen(m, "w");
				if (f)
					fclose(f);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 3; i++) {
		int status;
		waitpid(kids[i], &status, 0);
		char *m = xasprintf("%s.ok%d", p, i);
		ck_assert_msg(access(m, F_OK) == 0, "child %d failed to open and write", i);
		free(m);
	}
	sqlite3 *db = db_open(p, 0);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM heartbeats", 0), 3);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'services'", 0), 1);
	db_close(db);
	free(p);
}
END_TEST

START_TEST(test_checks_reject_bad_enums)
{
	char *p = new_db_path();
	sqlite3 *db = db_open(p, 0);
	log_set_level(LOG_LVL_CRITICAL); /* the failures below are expected */
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category, tier)"
				     " VALUES ('x', 'X', 'other', 'standard')"), -1);
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category)"
				     " VALUES ('x', 'X', 'galaxy')"), -1);
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category)"
				     " VALUES ('x', 'X', 'other')"), 0);
	ck_assert_int_eq(db_exec(db, "INSERT INTO status_events (service_id, previous_status, new_status)"
				     " VALUES ('x', 'unknown', 'down')"), -1);
	ck_assert_int_eq(db_exec(db, "INSERT INTO status_events (service_id, kind, previous_status, new_status)"
				     " VALUES ('x', 'health', 'unknown', 'operational')"), -1);
	ck_assert_int_eq(db_exec(db, "INSERT INTO status_events (service_id, previous_status, new_status)"
				     " VALUES ('nope', 'unknown', 'operational')"), -1); /* foreign key */
	ck_assert_int_eq(db_exec(db, "INSERT INTO status_events (service_id, previous_status, new_status)"
				     " VALUES ('x', 'unknown', 'operational')"), 0);
	/* default timestamps use the one fixed-width format */
	sqlite3_stmt *st = db_prepare(db, "SELECT created_at FROM status_events");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	const char *ts = (const char *)sqlite3_column_text(st, 0);
	ck_assert_int_eq((int)strlen(ts), 24);
	ck_assert_int_eq(ts[23], 'Z');
	ck_assert_int_eq(ts[19], '.');
	sqlite3_finalize(st);
	db_close(db);
	free(p);
}
END_TEST

START_TEST(test_data_version_and_heartbeat)
{
	char *p = new_db_path();
	sqlite3 *a = db_open(p, 0), *b = db_open(p, 0);
	int64_t v0 = db_data_version(a);
	ck_assert_int_eq(db_heartbeat(b, "apid", "2026-01-01T00:00:00.000Z", NULL, NULL), 0);
	ck_assert_int_ne(db_data_version(a), v0);
	ck_assert_int_eq(db_heartbeat(b, "apid", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.000Z", "boom"), 0);
	ck_assert_int_eq(db_heartbeat(b, "apid", "2026-01-01T00:00:00.000Z", NULL, NULL), 0);
	sqlite3_stmt *st = db_prepare(a, "SELECT last_cycle_at, last_error, pid FROM heartbeats WHERE daemon = 'apid'");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "2026-01-01T00:00:01.000Z");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "boom");
	ck_assert_int_eq(sqlite3_column_int(st, 2), (int)getpid());
	sqlite3_finalize(st);
	/* a transaction held by another connection delays BEGIN IMMEDIATE, then it proceeds */
	ck_assert_int_eq(db_begin(a), 0);
	ck_assert_int_eq(db_commit(a), 0);
	db_close(a);
	db_close(b);
	free(p);
}
END_TEST

/*
 * 0006 rebuilds services without the poll_type CHECK: a database made by the
 * migrations before it keeps every service row, every row that references
 * one, the indexes and the views, and then takes any poll type.
 */
START_TEST(test_0006_keeps_services)
{
	char *p = new_db_path();
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(db_exec(db, "PRAGMA foreign_keys = ON"), 0);
	int i = 0;
	for (; i < db_migration_count && db_migrations[i].version < 6; i++) {
		ck_assert_int_eq(db_exec(db, "BEGIN"), 0);
		ck_assert_int_eq(db_exec(db, db_migrations[i].sql), 0);
		ck_assert_int_eq(db_exec(db, "COMMIT"), 0);
	}
	ck_assert_int_eq(db_migrations[i].version, 6);
	ck_assert_int_eq(db_exec(db, "PRAGMA user_version = 5"), 0);
	ck_assert_int_eq(
	    db_exec(db,
		    "INSERT INTO services (id, display_name, category, poll_type, poll_url,"
		    " current_status, drift_note) VALUES"
		    " ('a', 'A', 'other', 'statuspage_json', 'https://a.example/s.json',"
		    " 'degraded', 'incidents[].id missing'), ('b', 'B', 'hr', 'manual', NULL,"
		    " 'operational', NULL);"
		    "INSERT INTO service_dependencies (upstream_service_id, downstream_service_id,"
		    " impact_description) VALUES ('a', 'b', 'SSO');"
		    "INSERT INTO status_events (service_id, previous_status, new_status)"
		    " VALUES ('a', 'operational', 'degraded');"
		    "INSERT INTO alert_sent_log (dedup_key, service_id, status_event_id, severity,"
		    " new_status, alert_kind) VALUES ('k', 'a', 1, 'high', 'degraded',"
		    " 'status_change');"
		    "INSERT INTO outbox (alert_id, destination, destination_kind, payload)"
		    " VALUES (1, 'slack', 'slack', '{}')"),
	    0);
	sqlite3_close(db);
	db = db_open(p, 0); /* applies 0006 and on */
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(db_schema_version(db), db_migrations[db_migration_count - 1].version);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM services", 0), 2);
	ck_assert_int_eq(db_query_int(db,
				      "SELECT count(*) FROM services WHERE id = 'a' AND"
				      " current_status = 'degraded' AND drift_note ="
				      " 'incidents[].id missing' AND poll_url LIKE 'https://a.%'",
				      0),
			 1);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM status_events", 0), 1);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM service_dependencies", 0), 1);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM outbox", 0), 1);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM pragma_foreign_key_check", 0), 0);
	ck_assert_int_eq(db_query_int(db,
				      "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				      " AND tbl_name = 'services' AND name LIKE 'idx_services_%'",
				      0),
			 2);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM v_status", 0), 2);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM v_recent_events", 0), 1);
	ck_assert_int_eq(db_exec(db, "UPDATE services SET poll_type = 'brand_new' WHERE id = 'b'"),
			 0);
	log_set_level(LOG_LVL_CRITICAL); /* the failure below is expected */
	ck_assert_int_eq(db_exec(db, "INSERT INTO status_events (service_id, previous_status,"
				     " new_status) VALUES ('nope', 'unknown', 'operational')"),
			 -1); /* foreign keys still enforced */
	log_set_level(LOG_LVL_WARNING);
	db_close(db);
	free(p);
}
END_TEST

int main(void)
{
	log_init("check_db", LOG_LVL_WARNING, 0);
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_migrates);
	tcase_add_test(tc, test_concurrent_first_open);
	tcase_add_test(tc, test_checks_reject_bad_enums);
	tcase_add_test(tc, test_data_version_and_heartbeat);
	tcase_add_test(tc, test_0006_keeps_services);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
