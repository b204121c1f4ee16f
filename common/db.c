/*
 * db: connection set-up, migrations and small statement helpers shared by the
 * three daemons (see db.h).
 */
#include "db.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("sqlite: %s (in: %.80s)", err ? err : sqlite3_errmsg(db), sql);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Pragma statements may answer SQLITE_BUSY while another process migrates or
 * switches the journal mode; the busy handler does not cover every case, so
 * retry here. */
static int exec_retry(sqlite3 *db, const char *sql)
{
	for (int i = 0; i < 300; i++) {
		int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sleep_ms(100);
	}
	log_error("sqlite: %s (in: %s)", sqlite3_errmsg(db), sql);
	return -1;
}

int db_schema_version(sqlite3 *db)
{
	return (int)db_query_int(db, "PRAGMA user_version", -1);
}

int db_migrate(sqlite3 *db)
{
	int latest = db_migrations[db_migration_count - 1].version;
	int found = db_schema_version(db);
	if (found > latest) {
		/* An older binary must not write to a schema it does not know. */
		log_error("database schema %d is newer than this build's %d: install the matching "
			  "binaries, or restore a snapshot taken before the upgrade",
			  found, latest);
		return -1;
	}
	if (found == latest)
		return 0;
	if (exec_retry(db, "BEGIN EXCLUSIVE") < 0)
		return -1;
	/* Re-read under the lock: another daemon may have migrated meanwhile. */
	int cur = db_schema_version(db);
	for (int i = 0; i < db_migration_count; i++) {
		const struct db_migration *m = &db_migrations[i];
		if (m->version <= cur)
			continue;
		log_info("applying migration %s", m->name);
		char *err = NULL;
		if (sqlite3_exec(db, m->sql, NULL, NULL, &err) != SQLITE_OK) {
			log_error("migration %s failed: %s", m->name, err ? err : "?");
			sqlite3_free(err);
			db_rollback(db);
			return -1;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
		if (db_exec(db, pragma) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_exec(db, "COMMIT");
}

sqlite3 *db_open(const char *path, int readonly)
{
	sqlite3 *db = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	flags |= SQLITE_OPEN_NOMUTEX; /* one connection per thread */
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		log_error("cannot open database %s: %s", path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db, 0);
	if ((!readonly && exec_retry(db, "PRAGMA journal_mode=WAL") < 0) ||
	    exec_retry(db, "PRAGMA synchronous=NORMAL") < 0 ||
	    exec_retry(db, "PRAGMA foreign_keys=ON") < 0 ||
	    exec_retry(db, "PRAGMA temp_store=MEMORY") < 0 || (!readonly && db_migrate(db) < 0)) {
		sqlite3_close(db);
		return NULL;
	}
	if (readonly && db_schema_version(db) < db_migrations[db_migration_count - 1].version) {
		log_error("database %s has schema version %d, expected %d", path,
			  db_schema_version(db), db_migrations[db_migration_count - 1].version);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void db_close(sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}

int db_begin(sqlite3 *db)
{
	/* busy_timeout already waits 5 s per attempt; retry a few times so a
	 * long-held CLI lock delays us instead of losing the write. */
	for (int i = 0; i < 6; i++) {
		int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		log_warn("database busy, retrying BEGIN IMMEDIATE");
	}
	log_error("cannot begin transaction: %s", sqlite3_errmsg(db));
	return -1;
}

int db_commit(sqlite3 *db)
{
	for (int i = 0; i < 6; i++) {
		int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (rc != SQLITE_BUSY)
			break;
	}
	log_error("commit failed: %s", sqlite3_errmsg(db));
	db_rollback(db);
	return -1;
}

void db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("sqlite prepare: %s (in: %.120s)", sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("sqlite step: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

char *db_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? xstrdup((const char *)t) : NULL;
}

int64_t db_query_int(sqlite3 *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return dflt;
	int64_t v = dflt;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int64_t db_data_version(sqlite3 *db)
{
	return db_query_int(db, "PRAGMA data_version", -1);
}

int db_heartbeat(sqlite3 *db, const char *daemon, const char *started_at, const char *last_cycle_at,
		 const char *last_error)
{
	static const char *sql =
	    "INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at, last_cycle_at, "
	    "last_error)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (daemon) DO UPDATE SET pid = excluded.pid, version = excluded.version,"
	    " started_at = excluded.started_at, beat_at = excluded.beat_at,"
	    " last_cycle_at = COALESCE(excluded.last_cycle_at, heartbeats.last_cycle_at),"
	    " last_error = COALESCE(excluded.last_error, heartbeats.last_error)";
	char now[TS_ISO_LEN + 1];
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	ts_now_iso(now);
	db_bind_text(st, 1, daemon);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
	db_bind_text(st, 3, ITSTATUS_VERSION);
	db_bind_text(st, 4, started_at);
	db_bind_text(st, 5, now);
	db_bind_text(st, 6, last_cycle_at);
	db_bind_text(st, 7, last_error);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

int db_restore(const char *snapshot, const char *target, int stale_after_s)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;
	if (sqlite3_open_v2(snapshot, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		log_error("restore: cannot open %s: %s", snapshot, sqlite3_errmsg(src));
		goto out;
	}
	sqlite3_stmt *st = db_prepare(src, "PRAGMA integrity_check");
	int ok = st && sqlite3_step(st) == SQLITE_ROW &&
		 !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	int ver = db_schema_version(src);
	if (!ok || ver < 1) {
		log_error("restore: %s is not a good itstatus snapshot", snapshot);
		goto out;
	}
	if (ver > db_migrations[db_migration_count - 1].version) {
		log_error("restore: %s has schema %d, newer than this build", snapshot, ver);
		goto out;
	}
	if (sqlite3_open_v2(target, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		log_error("restore: cannot open %s: %s", target, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_busy_timeout(dst, DB_BUSY_TIMEOUT_MS);
	/* Running daemons would keep writing to the file we replace. A fresh
	 * heartbeat alone is not proof: a daemon stopped a second ago left a
	 * fresh last beat, so its recorded pid must also still be alive (the
	 * database is local -- WAL does not work across hosts). */
	char *q = sqlite3_mprintf("SELECT daemon, pid FROM heartbeats WHERE"
				  " (julianday('now') - julianday(beat_at)) * 86400 < %d",
				  stale_after_s);
	st = NULL;
	int busy = 0;
	if (sqlite3_prepare_v2(dst, q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			pid_t pid = (pid_t)sqlite3_column_int64(st, 1);
			if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)) {
				log_error("restore: %s is in use (%s is running, pid %d); stop the "
					  "daemons first",
					  target, (const char *)sqlite3_column_text(st, 0),
					  (int)pid);
				busy = 1;
			}
		}
	}
	sqlite3_finalize(st);
	sqlite3_free(q);
	if (busy)
		goto out;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		log_error("restore: copy failed: %s", sqlite3_errmsg(dst));
		sqlite3_backup_finish(b);
		goto out;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK) {
		log_error("restore: copy failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_close(dst);
	dst = db_open(target, 0); /* WAL, pragmas and newer migrations */
	if (!dst)
		goto out;
	log_info("restore: %s restored from %s (schema %d)", target, snapshot, ver);
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}
