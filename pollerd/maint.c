/*
 * maint: scheduled_maintenances, pollerd's side. Vendor windows come from
 * readings (fmt_reading.maints): upserted by (service, vendor id), and --
 * fixing doc/compat.md#bug-13 -- marked completed when they vanish from the feed, so
 * a window the vendor dropped cannot suppress alerts forever. Local windows
 * come from the inbox (maintenance_create / maintenance_cancel).
 *
 * A window is active while its status is scheduled or in_progress and now
 * lies in [scheduled_for, scheduled_until] (open-ended when until is NULL);
 * `verifying` does not count (doc/compat.md#s6-6). All times are canonical ISO-8601,
 * so SQL compares them as text.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "xalloc.h"

static int upsert_one(sqlite3 *db, const char *service_id, const struct fmt_maint *m,
		      const char *now_iso)
{
	static const char *sql =
	    "INSERT INTO scheduled_maintenances (service_id, vendor_maintenance_id, source, title,"
	    " description, scheduled_for, scheduled_until, status, created_at, updated_at)"
	    " VALUES (?1, ?2, 'vendor', ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
	    " ON CONFLICT (service_id, vendor_maintenance_id) DO UPDATE SET title = excluded.title,"
	    " description = excluded.description, scheduled_for = excluded.scheduled_for,"
	    " scheduled_until = excluded.scheduled_until, status = excluded.status,"
	    " updated_at = excluded.updated_at"
	    " WHERE title IS NOT excluded.title OR description IS NOT excluded.description"
	    " OR scheduled_for IS NOT excluded.scheduled_for"
	    " OR scheduled_until IS NOT excluded.scheduled_until OR status IS NOT excluded.status";
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	const char *status = m->status;
	/* The schema knows the four vendor words; anything else is upcoming. */
	if (!status || (strcmp(status, "scheduled") && strcmp(status, "in_progress") &&
			strcmp(status, "verifying") && strcmp(status, "completed")))
		status = "scheduled";
	db_bind_text(st, 1, service_id);
	db_bind_text(st, 2, m->vendor_id);
	db_bind_text(st, 3, m->title ? m->title : "Scheduled maintenance");
	db_bind_text(st, 4, m->description);
	db_bind_text(st, 5, m->scheduled_for);
	db_bind_text(st, 6, m->scheduled_until);
	db_bind_text(st, 7, status);
	db_bind_text(st, 8, now_iso);
	return db_step_done(st);
}

int maint_sync_vendor(sqlite3 *db, const char *service_id, const struct fmt_maint *m, size_t n,
		      const char *now_iso)
{
	for (size_t i = 0; i < n; i++) {
		/* Without an id or a start a window cannot be tracked or tested. */
		if (!m[i].vendor_id || !m[i].scheduled_for)
			continue;
		if (upsert_one(db, service_id, &m[i], now_iso) < 0)
			return -1;
	}
	/* Open vendor windows the feed no longer lists are over. */
	static const char *sel_sql =
	    "SELECT id, vendor_maintenance_id FROM scheduled_maintenances WHERE service_id = ?1"
	    " AND source = 'vendor' AND status NOT IN ('completed', 'cancelled')";
	static const char *done_sql =
	    "UPDATE scheduled_maintenances SET status = 'completed', updated_at = ?2 WHERE id = ?1";
	sqlite3_stmt *sel = stmt_get(db, sel_sql);
	if (!sel)
		return -1;
	db_bind_text(sel, 1, service_id);
	int rc = 0, step;
	int64_t *gone = NULL;
	size_t ngone = 0;
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *vid = (const char *)sqlite3_column_text(sel, 1);
		int listed = 0;
		for (size_t i = 0; vid && i < n && !listed; i++)
			listed = m[i].vendor_id && strcmp(m[i].vendor_id, vid) == 0;
		if (!listed) {
			gone = xreallocarray(gone, ngone + 1, sizeof *gone);
			gone[ngone++] = sqlite3_column_int64(sel, 0);
		}
	}
	if (step != SQLITE_DONE)
		rc = -1;
	sqlite3_reset(sel);
	sqlite3_stmt *done = ngone ? stmt_get(db, done_sql) : NULL;
	if (ngone && !done)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < ngone; i++) {
		sqlite3_bind_int64(done, 1, gone[i]);
		db_bind_text(done, 2, now_iso);
		rc = db_step_done(done);
	}
	if (ngone && rc == 0)
		log_info(
		    "service %s: %zu vendor maintenance window(s) left the feed, marked completed",
		    service_id, ngone);
	free(gone);
	return rc;
}

int maint_window_active(sqlite3 *db, const char *service_id, const char *now_iso)
{
	static const char *sql =
	    "SELECT EXISTS (SELECT 1 FROM scheduled_maintenances WHERE service_id = ?1"
	    " AND status IN ('scheduled', 'in_progress') AND scheduled_for <= ?2"
	    " AND (scheduled_until IS NULL OR scheduled_until >= ?2))";
	sqlite3_stmt *st = stmt_get(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, service_id);
	db_bind_text(st, 2, now_iso);
	int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
	sqlite3_reset(st);
	return rc;
}

int64_t maint_create_local(sqlite3 *db, const char *service_id, const char *title,
			   const char *description, const char *for_iso, const char *until_iso,
			   const char *created_by, const char *now_iso, char **err)
{
	sqlite3_stmt *st = db_prepare(
	    db, "INSERT INTO scheduled_maintenances (service_id, source, title, description,"
		" scheduled_for, scheduled_until, status, created_by, created_at, updated_at)"
		" VALUES (?1, 'local', ?2, ?3, ?4, ?5, 'scheduled', ?6, ?7, ?7)");
	if (!st) {
		*err = xstrdup("database error");
		return -1;
	}
	db_bind_text(st, 1, service_id);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, description);
	db_bind_text(st, 4, for_iso);
	db_bind_text(st, 5, until_iso);
	db_bind_text(st, 6, created_by);
	db_bind_text(st, 7, now_iso);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	if (rc < 0) {
		*err = xstrdup("database error");
		return -1;
	}
	return sqlite3_last_insert_rowid(db);
}

int maint_cancel_local(sqlite3 *db, int64_t id, const char *now_iso, char **service_id_out,
		       char **err)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT service_id, source, status FROM scheduled_maintenances WHERE id = ?1");
	if (!st) {
		*err = xstrdup("database error");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		*err = xasprintf("maintenance %lld not found", (long long)id);
		return -1;
	}
	const char *src = (const char *)sqlite3_column_text(st, 1);
	const char *status = (const char *)sqlite3_column_text(st, 2);
	/* Vendor windows belong to the vendor's feed; cancelling one here would
	 * be undone by the next poll. */
	if (!src || strcmp(src, "local") != 0) {
		*err =
		    xasprintf("maintenance %lld comes from the vendor feed and cannot be cancelled",
			      (long long)id);
		sqlite3_finalize(st);
		return -1;
	}
	if (status && (strcmp(status, "completed") == 0 || strcmp(status, "cancelled") == 0)) {
		*err = xasprintf("maintenance %lld is already %s", (long long)id, status);
		sqlite3_finalize(st);
		return -1;
	}
	*service_id_out = db_col_dup(st, 0);
	sqlite3_finalize(st);
	st =
	    db_prepare(db, "UPDATE scheduled_maintenances SET status = 'cancelled', updated_at = ?2"
			   " WHERE id = ?1");
	if (!st) {
		free(*service_id_out);
		*service_id_out = NULL;
		*err = xstrdup("database error");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, now_iso);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*service_id_out);
		*service_id_out = NULL;
		*err = xstrdup("database error");
	}
	return rc;
}
