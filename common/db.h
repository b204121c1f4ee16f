/*
 * db: the shared database. Opening applies the pragmas every connection must
 * have (WAL, synchronous=NORMAL, foreign_keys, busy_timeout) and the embedded
 * migrations (schema/NNNN_*.sql, compiled in by schema/embed.sh). Migrations
 * run under BEGIN EXCLUSIVE and PRAGMA user_version, so three daemons starting
 * at the same instant on a new file apply each version exactly once.
 *
 * Write transactions are BEGIN IMMEDIATE and short: a sqlite3 CLI user holding
 * a lock costs latency (busy_timeout, then retry), never data.
 */
#ifndef ITSTATUS_DB_H
#define ITSTATUS_DB_H

#include <sqlite3.h>
#include <stdint.h>

struct db_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const int db_migration_count;

#define DB_BUSY_TIMEOUT_MS 5000

/* Open (creating if needed) and migrate. readonly: open read-only, no migration
 * (the schema must already be current). Returns NULL after logging on error;
 * close with db_close(). */
sqlite3 *db_open(const char *path, int readonly);
void db_close(sqlite3 *db);
/* Apply pending migrations; 0 or -1. Idempotent and safe under concurrency. */
int db_migrate(sqlite3 *db);
/* Current schema version (PRAGMA user_version), -1 on error. */
int db_schema_version(sqlite3 *db);
/* Run SQL with no results; logs and returns -1 on error. */
int db_exec(sqlite3 *db, const char *sql);
/* BEGIN IMMEDIATE, retrying while another writer holds the lock (up to ~30 s). */
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);
/* Prepare; logs and returns NULL on error. Finalize with sqlite3_finalize. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql);
/* Step a statement that returns no rows; resets it. 0 or -1 (logged). */
int db_step_done(sqlite3_stmt *st);
/* Bind helpers: NULL pointer binds SQL NULL. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Column text copied (caller frees), NULL for SQL NULL. */
char *db_col_dup(sqlite3_stmt *st, int col);
/* PRAGMA data_version: changes when another connection commits. */
int64_t db_data_version(sqlite3 *db);
/* Single integer from a query with no parameters; dflt if no row. */
int64_t db_query_int(sqlite3 *db, const char *sql, int64_t dflt);

/*
 * Restore target from snapshot (a VACUUM INTO file): checks the snapshot
 * (integrity_check, schema not newer than this build), refuses while any
 * daemon's heartbeat on target is younger than stale_after_s (stop them
 * first), then copies it page by page with SQLite's backup API and applies
 * newer migrations. 0 or -1 (logged).
 */
int db_restore(const char *snapshot, const char *target, int stale_after_s);

/* Heartbeat row for daemon (insert or refresh beat_at). last_cycle_at and
 * last_error may be NULL (kept as they are when NULL). 0 or -1. */
int db_heartbeat(sqlite3 *db, const char *daemon, const char *started_at, const char *last_cycle_at,
		 const char *last_error);

#endif
