/*
 * retention: pollerd's half of the data lifecycle. Each daemon prunes only
 * the tables it writes (doc/design.md#data-lifecycle): pollerd deletes old status_events,
 * finished maintenance windows and its handled inbox rows. An event still
 * referenced by an alert_sent_log row is kept; alertd drops those alert rows
 * in its own retention run (they follow the event age too), so the event goes
 * on the next run. That order is what the old tool got wrong (doc/compat.md#bug-5): its
 * single DELETE hit the foreign key and the whole run failed, forever.
 */
#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "timeutil.h"

/* Run one statement binding ?1 to cutoff; returns rows changed or -1. */
static int prune(sqlite3 *db, const char *sql, const char *cutoff)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, cutoff);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : sqlite3_changes(db);
}

int retention_run(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms)
{
	if (cfg->retention_days_status_events == 0)
		return 0; /* 0 = keep everything */
	char cutoff[TS_ISO_LEN + 1];
	ts_format(now_ms - (int64_t)cfg->retention_days_status_events * 86400000LL, cutoff);
	if (db_begin(db) < 0)
		return -1;
	/* Strictly older than the cutoff, as the seed (a row exactly N days old stays). */
	int ev =
	    prune(db,
		  "DELETE FROM status_events WHERE created_at < ?1 AND NOT EXISTS"
		  " (SELECT 1 FROM alert_sent_log a WHERE a.status_event_id = status_events.id)",
		  cutoff);
	int mt =
	    prune(db,
		  "DELETE FROM scheduled_maintenances WHERE status IN ('completed', 'cancelled')"
		  " AND COALESCE(scheduled_until, updated_at) < ?1",
		  cutoff);
	int ib = prune(db,
		       "DELETE FROM inbox WHERE consumer = 'pollerd' AND state <> 'pending'"
		       " AND created_at < ?1",
		       cutoff);
	if (ev < 0 || mt < 0 || ib < 0) {
		db_rollback(db);
		log_error("retention failed; nothing was deleted");
		return -1;
	}
	if (db_commit(db) < 0)
		return -1;
	log_info("retention: deleted %d status events, %d maintenance windows, %d inbox rows"
		 " older than %s",
		 ev, mt, ib, cutoff);
	return ev + mt + ib;
}
