/*
 * lifecycle: alertd's half of the data lifecycle -- retention of the tables
 * alertd writes, the nightly snapshot, and the WAL checkpoint policy.
 *
 * Retention order is foreign-key safe: outbox rows go before the alert rows
 * they reference, and alert rows whose status event is past the event
 * retention go too, so that pollerd's next run can delete the event.
 *
 * Snapshots: VACUUM INTO BACKUP_DIR/itstatus-YYYY-MM-DD.db (UTC date) once a
 * day at or after BACKUP_TIME_HOUR UTC; a consistent copy while the other
 * daemons keep writing. Files older than BACKUP_RETENTION_DAYS are removed.
 *
 * Checkpoints: only PASSIVE, every WAL_CHECKPOINT_INTERVAL_HOURS, on top of
 * SQLite's automatic PASSIVE checkpoints. A PASSIVE checkpoint never blocks
 * writers or readers and never truncates the WAL, so it cannot fight
 * Litestream, which needs to read every WAL frame before it is reused
 * (the old tool's TRUNCATE checkpoints could, doc/compat.md#bug-28).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

static int prune(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, a);
	db_bind_text(st, 2, b);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : sqlite3_changes(db);
}

int lifecycle_retention(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms)
{
	/* A day count of 0 keeps that table forever: use a cutoff before any row. */
	char alerts_cut[TS_ISO_LEN + 1], events_cut[TS_ISO_LEN + 1];
	const char *never = "0000";
	int ad = cfg->retention_days_alert_sent_log, ed = cfg->retention_days_status_events;
	ts_format(now_ms - (int64_t)ad * 86400000LL, alerts_cut);
	ts_format(now_ms - (int64_t)ed * 86400000LL, events_cut);
	const char *ac = ad ? alerts_cut : never, *ec = ed ? events_cut : never;
	if (!ad && !ed)
		return 0;
	if (db_begin(db) < 0)
		return -1;
	/* The alert rows to drop: old by their own age, or pointing at an event
	 * old enough for pollerd to delete. */
	static const char *doomed =
	    "SELECT a.id FROM alert_sent_log a LEFT JOIN status_events e ON e.id = "
	    "a.status_event_id"
	    " WHERE a.first_sent_at < ?1 OR (e.id IS NOT NULL AND e.created_at < ?2)";
	char *outbox_sql = xasprintf("DELETE FROM outbox WHERE alert_id IN (%s)"
				     " AND state IN ('sent', 'failed')",
				     doomed);
	char *alerts_sql =
	    xasprintf("DELETE FROM alert_sent_log WHERE id IN (%s) AND NOT EXISTS"
		      " (SELECT 1 FROM outbox o WHERE o.alert_id = alert_sent_log.id)",
		      doomed);
	int ob = prune(db, outbox_sql, ac, ec);
	int al = prune(db, alerts_sql, ac, ec);
	/* Messages with no alert row (ack updates) and finished long ago. */
	int ob2 = prune(db,
			"DELETE FROM outbox WHERE alert_id IS NULL AND state IN ('sent', 'failed')"
			" AND created_at < ?1 AND ?2 IS NOT NULL",
			ac, ac);
	int rp = prune(db, "DELETE FROM incident_reports WHERE resolved_at < ?1 AND ?2 IS NOT NULL",
		       ec, ec);
	int ib = prune(db,
		       "DELETE FROM inbox WHERE consumer = 'alertd' AND state <> 'pending'"
		       " AND created_at < ?1 AND ?2 IS NOT NULL",
		       ac, ac);
	free(outbox_sql);
	free(alerts_sql);
	if (ob < 0 || al < 0 || ob2 < 0 || rp < 0 || ib < 0) {
		db_rollback(db);
		log_error("retention failed; nothing was deleted");
		return -1;
	}
	if (db_commit(db) < 0)
		return -1;
	log_info(
	    "retention: deleted %d alert rows, %d outbox rows, %d incident reports, %d inbox rows",
	    al, ob + ob2, rp, ib);
	return al + ob + ob2 + rp + ib;
}

/* "itstatus-2026-11-24.db" for the UTC date of ms. */
static void snapshot_name(int64_t ms, char *out, size_t n)
{
	char iso[TS_ISO_LEN + 1];
	ts_format(ms, iso);
	snprintf(out, n, "itstatus-%.10s.db", iso);
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0750) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* Remove itstatus-YYYY-MM-DD.db files older than the retention. */
static void rotate(const char *dir, int keep_days, int64_t now_ms)
{
	char oldest[64];
	snapshot_name(now_ms - (int64_t)keep_days * 86400000LL, oldest, sizeof oldest);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		/* Only our own names; anything else in the folder is not ours to delete. */
		if (strlen(n) != strlen("itstatus-YYYY-MM-DD.db") || strncmp(n, "itstatus-", 9) ||
		    strcmp(n + 19, ".db"))
			continue;
		int64_t t;
		char date[11];
		memcpy(date, n + 9, 10);
		date[10] = '\0';
		if (ts_parse(date, &t) < 0 || strcmp(n, oldest) >= 0)
			continue;
		char *path = xasprintf("%s/%s", dir, n);
		if (unlink(path) == 0)
			log_info("backup: removed old snapshot %s", path);
		free(path);
	}
	closedir(d);
}

int lifecycle_backup(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms, int force)
{
	char iso[TS_ISO_LEN + 1];
	ts_format(now_ms, iso);
	int hour = (iso[11] - '0') * 10 + (iso[12] - '0');
	if (!force && hour < cfg->backup_time_hour)
		return 0;
	char name[64];
	snapshot_name(now_ms, name, sizeof name);
	char *path = xasprintf("%s/%s", cfg->backup_dir, name);
	struct stat sb;
	if (stat(path, &sb) == 0) { /* today's snapshot exists */
		free(path);
		return 0;
	}
	if (mkdirs(cfg->backup_dir) < 0) {
		log_error("backup: cannot create %s: %s", cfg->backup_dir, strerror(errno));
		free(path);
		return -1;
	}
	char *tmp = xasprintf("%s.partial", path);
	unlink(tmp);
	sqlite3_stmt *st = db_prepare(db, "VACUUM INTO ?1");
	int rc = -1;
	if (st) {
		db_bind_text(st, 1, tmp);
		rc = db_step_done(st);
		sqlite3_finalize(st);
	}
	/* Written under a temporary name and renamed: a crash mid-copy never
	 * leaves a truncated file that looks like a good snapshot. */
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0) {
		log_error("backup: snapshot %s failed", path);
		unlink(tmp);
	} else if (stat(path, &sb) == 0) {
		log_info("backup: wrote %s (%lld bytes)", path, (long long)sb.st_size);
	}
	free(tmp);
	free(path);
	rotate(cfg->backup_dir, cfg->backup_retention_days, now_ms);
	return rc < 0 ? -1 : 1;
}

void lifecycle_checkpoint(sqlite3 *db)
{
	int log_frames = 0, ckpt = 0;
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &ckpt);
	if (rc != SQLITE_OK)
		log_warn("checkpoint: %s", sqlite3_errmsg(db));
	else
		log_info("checkpoint (passive): %d of %d WAL frames copied", ckpt, log_frames);
}
