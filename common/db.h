/*
 * db: the shared database. Opening applies the pragmas every connection must
 * have (WAL, synchronous=NORMAL, foreign_keys, busy_timeout,
 * journal_size_limit) and the embedded migrations (schema/NNNN_*.sql,
 * compiled in by schema/embed.sh). Only pollerd creates the file; migrations
 * run under BEGIN EXCLUSIVE and PRAGMA user_version, so daemons opening a file
 * at the same instant apply each version exactly once.
 *
 * Write transactions are BEGIN IMMEDIATE and short: a sqlite3 CLI user holding
 * a lock costs latency (busy_timeout, then retry), never data. What each fault
 * of the file (locked, full, deleted, damaged, read-only) does is in
 * doc/faults.md; the checks for it live here (identity, quick_check, the
 * read-only explanation, the failure code of the last write).
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
/* The WAL is truncated back to this size when it restarts, and checkpointed
 * (PASSIVE) whenever it grows past DB_WAL_CHECKPOINT_BYTES or a minute went
 * by: a WAL left to grow to the automatic 1000-page checkpoints between the
 * 24-hourly ones took the whole disk (doc/faults.md#full). */
#define DB_JOURNAL_SIZE_LIMIT 16777216
#define DB_WAL_CHECKPOINT_BYTES (4 << 20)
#define DB_WAL_CHECKPOINT_EVERY_MS 60000
#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x)

/* How a connection opens the file. Only pollerd creates the database: a
 * daemon that found no file and made one would hide a deleted database
 * behind a fresh empty one (doc/faults.md#deleted). */
enum db_mode {
	DB_CREATE,   /* read-write, the file created (loudly) when absent or empty */
	DB_EXISTING, /* read-write, the file must exist and hold a schema */
	DB_READONLY, /* read-only, no migration (the schema must be current) */
};
/* Open and migrate (not DB_READONLY). A file SQLite could only open read-only
 * where writing was asked for is refused, with who cannot write what and what
 * to change. Returns NULL after logging on error; close with db_close(). */
sqlite3 *db_open_mode(const char *path, enum db_mode mode);
/* db_open_mode(path, readonly ? DB_READONLY : DB_CREATE). */
sqlite3 *db_open(const char *path, int readonly);
/* DB_EXISTING, waiting (one check a second, said once in the log) while the
 * file is absent or has no schema yet, until stop() says to give up (NULL).
 * Other open errors end the wait at once (NULL). */
sqlite3 *db_open_wait(const char *path, int (*stop)(void));
/* PRAGMA quick_check; on damage logs SQLite's findings and how to restore a
 * snapshot (-R SNAPSHOT), and returns -1. */
int db_quick_check(sqlite3 *db, const char *path, const char *daemon);

/* PASSIVE checkpoint when the WAL is past DB_WAL_CHECKPOINT_BYTES or
 * DB_WAL_CHECKPOINT_EVERY_MS passed since *last_mono (updated); never while
 * Litestream runs beside the database (it checkpoints itself). 1 when a
 * checkpoint ran, 0 when none was due, -1 when it failed (logged at debug:
 * a busy database simply waits for the next one). */
int db_wal_tend(sqlite3 *db, const char *path, int64_t now_mono, int64_t *last_mono);

/* Which file a path named when the daemon opened it. A database deleted or
 * replaced under a running daemon must be noticed: its writes would go to an
 * unlinked file nobody reads. */
struct db_ident {
	unsigned long long dev, ino;
};
/* Take the identity of path; 0 or -1 (logged). */
int db_ident_get(const char *path, struct db_ident *id);
/* 0 while path still names the same file; -1 (logged critical, saying what
 * happened) when it was deleted or replaced. */
int db_ident_check(const char *path, const struct db_ident *id);
/* Explain in the log why path cannot be written by this process: who runs
 * it, who owns the file and its directory, and what to change. */
void db_explain_not_writable(const char *path);
void db_close(sqlite3 *db);
/* Apply pending migrations; 0 or -1. Idempotent and safe under concurrency. */
int db_migrate(sqlite3 *db);
/* Current schema version (PRAGMA user_version), -1 on error. */
int db_schema_version(sqlite3 *db);
/* Run SQL with no results; logs and returns -1 on error. */
int db_exec(sqlite3 *db, const char *sql);
/* BEGIN IMMEDIATE, retrying while another writer holds the lock (up to ~30 s). */
int db_begin(sqlite3 *db);
/* One BEGIN IMMEDIATE, waiting only the connection's busy timeout (a
 * daemon that must not stall sets a short one). 0, or the SQLite result
 * code: SQLITE_BUSY is not logged (the caller keeps its work for later),
 * others are. */
int db_begin_once(sqlite3 *db);
/* SQLite result code of this thread's last failed begin, commit, step or
 * exec (0 if none yet): lets a caller tell "busy" from "full" from
 * "read-only" after the transaction was rolled back. */
int db_last_failure(void);
/* SQLite's message for that failure ("" if none); thread-local storage. */
const char *db_last_failure_msg(void);
/* 1 for failures that say nothing about the data being written (busy,
 * locked, full, I/O, read-only, damaged file): work is kept and retried. */
int db_failure_transient(int rc);
/* A short phrase for a write failure code ("the database is locked by
 * another process", "the disk is full", ...); static storage. */
const char *db_failure_phrase(int rc);
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
/* Heartbeat plus health (schema 0004): fresh_until = now + fresh_for_s (the
 * moment after which readers treat the daemon as stalled), failing = NULL
 * while the daemon does its work, else why it does not ("alive but not
 * working"; /healthz answers 503). 0 or -1. */
int db_heartbeat_health(sqlite3 *db, const char *daemon, const char *started_at,
			const char *last_cycle_at, int fresh_for_s, const char *failing);
/*
 * Whether pollerd was stalled at now_ms by the rule of schema 0007's
 * v_poller_sight (its heartbeat's fresh_until is past): 1 and *beat_ms = its
 * last heartbeat (blind from then on), 0 when it was not or has never beaten,
 * -1 on a database error. For code that evaluates at an instant of its own
 * (tests pin the clock); SQL reads the view's stalled column instead.
 */
int db_poller_stalled_at(sqlite3 *db, int64_t now_ms, int64_t *beat_ms);

#endif
