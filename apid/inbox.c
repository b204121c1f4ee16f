/*
 * inbox: how apid hands commands to the daemons that own the tables they
 * change (doc/design.md#inbox). apid inserts a row (manual status, a webhook payload, a
 * Slack ack, a maintenance window); the consumer applies or rejects it and
 * writes the outcome into the same row. Waiting is polling that row: the
 * daemons share nothing but the database, and a short poll costs less than
 * any notification scheme would.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonck.h"
#include "apid.h"
#include "db.h"
#include "log.h"

#define INBOX_POLL_MS 10

int64_t inbox_insert(sqlite3 *db, const char *kind, const char *consumer, const char *service_id,
		     const char *payload, const char *client_ip)
{
	if (db_begin(db) < 0)
		return -1;
	sqlite3_stmt *st =
	    db_prepare(db, "INSERT INTO inbox (kind, consumer, service_id, payload, client_ip)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st) {
		db_rollback(db);
		return -1;
	}
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, consumer);
	db_bind_text(st, 3, service_id);
	db_bind_text(st, 4, payload);
	db_bind_text(st, 5, client_ip);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	int64_t id = (int64_t)sqlite3_last_insert_rowid(db);
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) < 0)
		return -1;
	log_info("inbox %lld: %s for %s queued for %s", (long long)id, kind,
		 service_id ? service_id : "-", consumer);
	return id;
}

int inbox_wait(sqlite3 *db, int64_t id, int wait_ms, cJSON **result, char **error)
{
	*result = NULL;
	*error = NULL;
	sqlite3_stmt *st = db_prepare(db, "SELECT state, result, error FROM inbox WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int64_t deadline = ts_mono_ms() + wait_ms;
	int outcome = -1;
	for (;;) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *state = (const char *)sqlite3_column_text(st, 0);
			if (state && strcmp(state, "pending")) {
				outcome = !strcmp(state, "applied");
				const char *res = (const char *)sqlite3_column_text(st, 1);
				*result = res ? jsonck_parse_str(res, JSONCK_LENIENT) : NULL;
				*error = db_col_dup(st, 2);
			}
		}
		sqlite3_reset(st);
		if (outcome >= 0 || ts_mono_ms() >= deadline)
			break;
		struct timespec d = {0, INBOX_POLL_MS * 1000000L};
		nanosleep(&d, NULL);
	}
	sqlite3_finalize(st);
	return outcome;
}

cJSON *inbox_row(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, kind, consumer, service_id, state,"
					  " result AS \"json:result\", error, event_id, "
					  "created_at, applied_at FROM inbox WHERE id = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	cJSON *row = sqlite3_step(st) == SQLITE_ROW ? json_row(st) : NULL;
	sqlite3_finalize(st);
	return row;
}
