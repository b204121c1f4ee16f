/*
 * db: connection set-up, migrations and small statement helpers shared by the
 * three daemons (see db.h).
 */
#include "db.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

/* The last failure of this thread (db_last_failure). */
static _Thread_local int last_failure;
static _Thread_local char last_failure_msg[200];

static void note_failure(sqlite3 *db)
{
	last_failure = sqlite3_errcode(db);
	snprintf(last_failure_msg, sizeof last_failure_msg, "%s", sqlite3_errmsg(db));
}

int db_last_failure(void)
{
	return last_failure;
}

const char *db_last_failure_msg(void)
{
	return last_failure_msg;
}

int db_failure_transient(int rc)
{
	switch (rc) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_NOMEM:
		return 1;
	default:
		return 0;
	}
}

const char *db_failure_phrase(int rc)
{
	switch (rc) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "the database is locked by another process";
	case SQLITE_FULL:
		return "the disk holding the database is full";
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return "the database file is not writable by this process";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the database file is damaged";
	case SQLITE_IOERR:
		return "the disk reported an I/O error";
	default:
		return "the database refused the write";
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		note_failure(db);
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

static const char restore_hint[] =
    "stop every daemon, then restore the newest good snapshot with "
    "`pollerd -f <your itstatus.yaml> -R SNAPSHOT` (snapshots are written to BACKUP_DIR)";

/* A name for uid (or its number), in buf. */
static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &res) == 0 && res)
		snprintf(buf, len, "%s (uid %u)", res->pw_name, (unsigned)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t len)
{
	struct group gr, *res = NULL;
	char tmp[1024];
	if (getgrgid_r(gid, &gr, tmp, sizeof tmp, &res) == 0 && res)
		snprintf(buf, len, "%s", res->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned)gid);
	return buf;
}

/* One file or directory the daemon must write: say who owns it and how. */
static int explain_one(const char *what, const char *p, const char *me)
{
	struct stat sb;
	if (stat(p, &sb) < 0 || access(p, W_OK) == 0)
		return 0;
	char owner[160], grp[96];
	log_error("%s %s is not writable by %s: it belongs to %s, group %s, mode %04o. Make it "
		  "writable for %s (chown or chmod it), or run the daemon as its owner",
		  what, p, me, user_name(sb.st_uid, owner, sizeof owner),
		  group_name(sb.st_gid, grp, sizeof grp), (unsigned)(sb.st_mode & 07777), me);
	return 1;
}

void db_explain_not_writable(const char *path)
{
	char me[160];
	user_name(geteuid(), me, sizeof me);
	int n = explain_one("database file", path, me);
	char *side = xasprintf("%s-wal", path);
	n += explain_one("WAL file", side, me);
	free(side);
	side = xasprintf("%s-shm", path);
	n += explain_one("shared-memory file", side, me);
	free(side);
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	if (explain_one("directory", dir, me))
		n++, log_error("SQLite creates %s-wal and %s-shm next to the database: the "
			       "directory must be writable too",
			       path, path);
	free(copy);
	if (!n)
		log_error("database %s cannot be written by %s, though its permissions allow it "
			  "(read-only mount? full disk?)",
			  path, me);
}

/* Why an open failed, in terms an operator can act on. */
static void explain_open_failure(sqlite3 *db, const char *path)
{
	int rc = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		log_error("database %s is damaged (%s): %s", path, sqlite3_errmsg(db),
			  restore_hint);
	else if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM)
		db_explain_not_writable(path);
}

/* absent: set when the file is missing, empty or has no schema yet (a
 * DB_EXISTING open may wait for pollerd); quiet: log nothing about that. */
static sqlite3 *open_impl(const char *path, enum db_mode mode, int *absent, int quiet)
{
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	*absent = 0;
	if (mode == DB_EXISTING && (!exists || sb.st_size == 0)) {
		*absent = 1;
		if (!quiet)
			log_error("database %s %s: only pollerd creates it", path,
				  exists ? "is empty (0 bytes)" : "does not exist");
		return NULL;
	}
	if (mode == DB_CREATE && !exists)
		log_warn("NEW DATABASE: %s does not exist, creating an empty one -- if a database "
			 "was expected there, stop and restore it (-R SNAPSHOT)",
			 path);
	else if (mode == DB_CREATE && sb.st_size == 0)
		log_warn("database file %s is empty (0 bytes): treating it as a NEW database",
			 path);
	sqlite3 *db = NULL;
	int flags = mode == DB_READONLY	  ? SQLITE_OPEN_READONLY
		    : mode == DB_EXISTING ? SQLITE_OPEN_READWRITE
					  : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	flags |= SQLITE_OPEN_NOMUTEX; /* one connection per thread */
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		log_error("cannot open database %s: %s", path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		explain_open_failure(db, path);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db, 0);
	if (mode != DB_READONLY && sqlite3_db_readonly(db, "main") == 1) {
		/* SQLite falls back to read-only without a word when the file
		 * is not writable; every write would then fail later. */
		log_error("database %s could only be opened read-only", path);
		db_explain_not_writable(path);
		sqlite3_close(db);
		return NULL;
	}
	if ((mode != DB_READONLY && exec_retry(db, "PRAGMA journal_mode=WAL") < 0) ||
	    (mode != DB_READONLY &&
	     exec_retry(db, "PRAGMA journal_size_limit=" DB_STR(DB_JOURNAL_SIZE_LIMIT)) < 0) ||
	    exec_retry(db, "PRAGMA synchronous=NORMAL") < 0 ||
	    exec_retry(db, "PRAGMA foreign_keys=ON") < 0 ||
	    exec_retry(db, "PRAGMA temp_store=MEMORY") < 0) {
		explain_open_failure(db, path);
		sqlite3_close(db);
		return NULL;
	}
	if (mode == DB_EXISTING && db_schema_version(db) == 0) {
		*absent = 1;
		if (!quiet)
			log_error("database %s has no schema yet: only pollerd creates it", path);
		sqlite3_close(db);
		return NULL;
	}
	if (mode != DB_READONLY && db_migrate(db) < 0) {
		explain_open_failure(db, path);
		sqlite3_close(db);
		return NULL;
	}
	if (mode == DB_READONLY &&
	    db_schema_version(db) < db_migrations[db_migration_count - 1].version) {
		log_error("database %s has schema version %d, expected %d", path,
			  db_schema_version(db), db_migrations[db_migration_count - 1].version);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *db_open_mode(const char *path, enum db_mode mode)
{
	int absent;
	return open_impl(path, mode, &absent, 0);
}

sqlite3 *db_open(const char *path, int readonly)
{
	return db_open_mode(path, readonly ? DB_READONLY : DB_CREATE);
}

sqlite3 *db_open_wait(const char *path, int (*stop)(void))
{
	int said = 0;
	for (;;) {
		int absent;
		sqlite3 *db = open_impl(path, DB_EXISTING, &absent, 1);
		if (db) {
			if (said)
				log_info("database %s is there now", path);
			return db;
		}
		if (!absent)
			return NULL;
		if (!said)
			log_warn(
			    "waiting for pollerd to create the database %s (checking every second)",
			    path);
		said = 1;
		for (int i = 0; i < 10; i++) {
			if (stop && stop())
				return NULL;
			sleep_ms(100);
		}
	}
}

int db_quick_check(sqlite3 *db, const char *path, const char *daemon)
{
	sqlite3_stmt *st = NULL;
	char found[512] = "";
	size_t used = 0;
	int ok = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(5)", -1, &st, NULL) == SQLITE_OK) {
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);
			if (t && !strcmp(t, "ok")) {
				ok = 1;
				break;
			}
			int w = snprintf(found + used, sizeof found - used, "%s%s",
					 used ? "; " : "", t ? t : "?");
			if (w > 0 && (size_t)w < sizeof found - used)
				used += (size_t)w;
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			snprintf(found, sizeof found, "%s", sqlite3_errmsg(db));
	} else {
		snprintf(found, sizeof found, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	if (ok)
		return 0;
	log_msg(LOG_LVL_CRITICAL,
		"%s refuses to start: database %s fails its integrity check: %s. %s", daemon, path,
		found[0] ? found : "no answer", restore_hint);
	return -1;
}

/* Litestream keeps its state in .NAME-litestream next to the database; while
 * it is there Litestream owns the WAL's checkpoints (it must copy every
 * frame before the WAL restarts). */
static int litestream_runs(const char *path)
{
	char *copy = xstrdup(path), *copy2 = xstrdup(path);
	char *state = xasprintf("%s/.%s-litestream", dirname(copy), basename(copy2));
	struct stat sb;
	int yes = stat(state, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(state);
	free(copy);
	free(copy2);
	return yes;
}

int db_wal_tend(sqlite3 *db, const char *path, int64_t now_mono, int64_t *last_mono)
{
	if (litestream_runs(path))
		return 0;
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	int big = stat(wal, &sb) == 0 && sb.st_size >= DB_WAL_CHECKPOINT_BYTES;
	free(wal);
	if (!big && now_mono - *last_mono < DB_WAL_CHECKPOINT_EVERY_MS)
		return 0;
	*last_mono = now_mono;
	int frames = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
	if (rc != SQLITE_OK) {
		log_debug("checkpoint (passive): %s", sqlite3_errmsg(db));
		return -1;
	}
	log_debug("checkpoint (passive): %d of %d WAL frames copied", copied, frames);
	return 1;
}

int db_ident_get(const char *path, struct db_ident *id)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		log_error("cannot stat database %s: %s", path, strerror(errno));
		return -1;
	}
	id->dev = (unsigned long long)sb.st_dev;
	id->ino = (unsigned long long)sb.st_ino;
	return 0;
}

int db_ident_check(const char *path, const struct db_ident *id)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		log_msg(LOG_LVL_CRITICAL,
			"database %s is gone (%s): it was deleted or moved while in use; this "
			"daemon stops rather than write to a file nobody reads. Restore it "
			"(-R SNAPSHOT) or let pollerd create a new one",
			path, strerror(errno));
		return -1;
	}
	if ((unsigned long long)sb.st_dev != id->dev || (unsigned long long)sb.st_ino != id->ino) {
		log_msg(LOG_LVL_CRITICAL,
			"database %s was replaced by another file while in use (device/inode "
			"%llu/%llu, now %llu/%llu); this daemon stops and must be restarted on the "
			"new file",
			path, id->dev, id->ino, (unsigned long long)sb.st_dev,
			(unsigned long long)sb.st_ino);
		return -1;
	}
	return 0;
}

void db_close(sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}

int db_begin_once(sqlite3 *db)
{
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		note_failure(db);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			log_error("cannot begin transaction: %s", sqlite3_errmsg(db));
	}
	return rc;
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
	note_failure(db);
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
	note_failure(db);
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
		note_failure(db);
		log_error("sqlite prepare: %s (in: %.120s)", sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		note_failure(sqlite3_db_handle(st));
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

/* One heartbeat row: last_cycle_at and last_error kept when NULL;
 * fresh_for_s < 0 leaves fresh_until NULL (readers then judge by beat_at). */
static int write_beat(sqlite3 *db, const char *daemon, const char *started_at,
		      const char *last_cycle_at, const char *last_error, int fresh_for_s,
		      const char *failing)
{
	static const char *sql =
	    "INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at, last_cycle_at, "
	    "last_error, fresh_until, failing)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (daemon) DO UPDATE SET pid = excluded.pid, version = excluded.version,"
	    " started_at = excluded.started_at, beat_at = excluded.beat_at,"
	    " last_cycle_at = COALESCE(excluded.last_cycle_at, heartbeats.last_cycle_at),"
	    " last_error = COALESCE(excluded.last_error, heartbeats.last_error),"
	    " fresh_until = excluded.fresh_until, failing = excluded.failing";
	char now[TS_ISO_LEN + 1], until[TS_ISO_LEN + 1];
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	int64_t ms = ts_now_ms();
	ts_format(ms, now);
	ts_format(ms + fresh_for_s * 1000LL, until);
	db_bind_text(st, 1, daemon);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
	db_bind_text(st, 3, ITSTATUS_VERSION);
	db_bind_text(st, 4, started_at);
	db_bind_text(st, 5, now);
	db_bind_text(st, 6, last_cycle_at);
	db_bind_text(st, 7, last_error);
	db_bind_text(st, 8, fresh_for_s < 0 ? NULL : until);
	db_bind_text(st, 9, failing);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

int db_heartbeat(sqlite3 *db, const char *daemon, const char *started_at, const char *last_cycle_at,
		 const char *last_error)
{
	return write_beat(db, daemon, started_at, last_cycle_at, last_error, -1, NULL);
}

int db_heartbeat_health(sqlite3 *db, const char *daemon, const char *started_at,
			const char *last_cycle_at, int fresh_for_s, const char *failing)
{
	/* A failing reason is also the last error an operator sees. */
	return write_beat(db, daemon, started_at, last_cycle_at, failing,
			  fresh_for_s < 0 ? 0 : fresh_for_s, failing);
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

int db_poller_stalled_at(sqlite3 *db, int64_t now_ms, int64_t *beat_ms)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT beat_at, fresh_until FROM v_poller_sight");
	if (!st)
		return -1;
	int rc = sqlite3_step(st), stalled = 0;
	int64_t beat, until;
	if (rc == SQLITE_ROW) {
		rc = SQLITE_DONE;
		/* A heartbeat whose times do not parse proves nothing: not
		 * judged stalled here, as the view's NULL comparison is not. */
		if (ts_parse((const char *)sqlite3_column_text(st, 0), &beat) == 0 &&
		    ts_parse((const char *)sqlite3_column_text(st, 1), &until) == 0 &&
		    until < now_ms) {
			*beat_ms = beat;
			stalled = 1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("reading v_poller_sight: %s", sqlite3_errmsg(db));
		return -1;
	}
	return stalled;
}
