/*
 * summary: GET /api/summary (doc/compat.md#s5-13) and GET /api/maintenance
 * (doc/compat.md#s5-14).
 * The summary is what the banner, the incident cards and the staleness chip
 * show, so it is computed over the effective status (a broken poller counts
 * as unknown, never as operational or as an incident, doc/compat.md#bug-19)
 * and carries last_poll_at, the server's newest poll, for the staleness chip
 * (doc/compat.md#bug-20).
 * The SSE reader builds the same object for its `summary` messages.
 * Planned maintenance is its own state (doc/coverage.md#maintenance): a
 * service in maintenance is never an active incident and does not make the
 * overall status; maintenance_count says how many there are, and
 * recent_maintenances lists the windows finished in the last 7 days so the
 * panel can show past ones beside upcoming and running ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "buf.h"
#include "db.h"

/* The maintenance rows of live services matching where/order (SQL after
 * the join), as an array the caller deletes; NULL on error. */
static cJSON *maint_rows(sqlite3 *db, const char *where_order)
{
	char *sql =
	    sqlite3_mprintf("SELECT " SQL_MAINT_COLS " FROM scheduled_maintenances m"
			    " JOIN services s ON s.id = m.service_id AND s.retired_at IS NULL"
			    " %s",
			    where_order);
	sqlite3_stmt *st = db_prepare(db, sql);
	sqlite3_free(sql);
	if (!st)
		return NULL;
	cJSON *arr = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, json_row(st));
	sqlite3_finalize(st);
	return arr;
}

cJSON *maintenances_list(sqlite3 *db)
{
	return maint_rows(db, "WHERE m.status IN ('scheduled', 'in_progress', 'verifying')"
			      " ORDER BY m.scheduled_for, m.id");
}

/* Maintenance windows finished in the last 7 days, newest first (caller
 * deletes; NULL on error). */
static cJSON *recent_maintenances(sqlite3 *db)
{
	return maint_rows(db, "WHERE m.status = 'completed' AND COALESCE(m.scheduled_until,"
			      " m.updated_at) >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')"
			      " ORDER BY COALESCE(m.scheduled_until, m.updated_at) DESC, m.id DESC"
			      " LIMIT 20");
}

/* Effective-status counts and the newest poll over live services; services
 * in maintenance (and seen) are counted apart in *maint, outside c_active. */
static int counts(sqlite3 *db, int c[5], int c_active[5], int *maint, int *total, cJSON *data)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT " SQL_EFFECTIVE(
			       "s") ", count(*), max(s.last_polled_at),"
				    " s.in_maintenance AND s.poller_health != 'broken'"
				    " FROM services s WHERE s.retired_at IS NULL GROUP BY 1, 4");
	if (!st)
		return -1;
	char last[64] = "";
	memset(c, 0, 5 * sizeof *c);
	memset(c_active, 0, 5 * sizeof *c_active);
	*total = 0;
	*maint = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 1);
		int r = status_rank5((const char *)sqlite3_column_text(st, 0));
		c[r] += n;
		if (sqlite3_column_int(st, 3))
			*maint += n;
		else
			c_active[r] += n;
		*total += n;
		const char *lp = (const char *)sqlite3_column_text(st, 2);
		if (lp && strcmp(lp, last) > 0) /* fixed-width ISO: text order is time order */
			snprintf(last, sizeof last, "%s", lp);
	}
	sqlite3_finalize(st);
	if (last[0])
		cJSON_AddStringToObject(data, "last_poll_at", last);
	else
		cJSON_AddNullToObject(data, "last_poll_at");
	return 0;
}

/* The incident names for the status text, which shows its first few hundred
 * bytes: the cap is far above that, so a cut list reads the same. */
#define SUMMARY_NAMES_CAP (1024 * 1024)

/* The active incidents (caller deletes; NULL on a database error); their
 * names are appended to names and counted in *n for the status text.
 * keep > 0: only the first keep (the worst) are built, the others only
 * counted and named. */
static cJSON *incidents(sqlite3 *db, struct buf *names, int *n, long keep)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT " SQL_SERVICE_COLS ", (SELECT e.impact_statement FROM status_events e"
	    "  WHERE e.service_id = s.id AND e.kind = 'status'"
	    "  ORDER BY e.created_at DESC, e.id DESC LIMIT 1)"
	    " FROM services s WHERE s.retired_at IS NULL AND s.in_maintenance = 0"
	    " AND " SQL_EFFECTIVE("s") " IN ('degraded', 'partial_outage', 'major_outage')"
				       " ORDER BY CASE s.current_status WHEN 'major_outage' THEN 0"
				       " WHEN 'partial_outage' THEN 1 ELSE 2 END, "
				       "s.last_status_change_at DESC, s.id");
	if (!st)
		return NULL;
	sqlite3_stmt *down = NULL;
	cJSON *arr = cJSON_CreateArray();
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 3);
		const char *impact = (const char *)sqlite3_column_text(st, SQL_SERVICE_NCOLS);
		if (keep > 0 && *n >= keep) {
			buf_puts(names, ", ");
			buf_puts(names, name);
			(*n)++;
			continue;
		}
		cJSON *inc = cJSON_CreateObject();
		cJSON *svc = cJSON_AddObjectToObject(inc, "service");
		json_add_row(svc, st, 0, SQL_SERVICE_NCOLS);
		if (impact && *impact) {
			cJSON_AddStringToObject(inc, "impact_statement", impact);
		} else {
			char fallback[512];
			snprintf(fallback, sizeof fallback, "%s status: %s", name, status);
			cJSON_AddStringToObject(inc, "impact_statement", fallback);
		}
		cJSON_AddItemToObject(inc, "affected_services", downstream_names(db, &down, id));
		cJSON_AddItemToObject(
		    inc, "started_at",
		    cJSON_Duplicate(cJSON_GetObjectItem(svc, "last_status_change_at"), 1));
		cJSON_AddItemToArray(arr,
				     json_list_item(inc)); /* 10,000 incidents: text, not a tree */
		buf_puts(names, (*n)++ ? ", " : "");
		buf_puts(names, name);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(down);
	return arr;
}

cJSON *summary_build(sqlite3 *db)
{
	return summary_build_worst(db, 0);
}

cJSON *summary_build_worst(sqlite3 *db, long worst)
{
	cJSON *data = cJSON_CreateObject();
	int c[5], ca[5], total, n = 0, nmaint;
	struct buf names;
	buf_init(&names, SUMMARY_NAMES_CAP);
	if (counts(db, c, ca, &nmaint, &total, data) < 0) {
		cJSON_Delete(data);
		return NULL;
	}
	cJSON *inc = incidents(db, &names, &n, worst);
	cJSON *maint = maintenances_list(db);
	cJSON *recent = recent_maintenances(db);
	if (!inc || !maint || !recent) {
		cJSON_Delete(inc);
		cJSON_Delete(maint);
		cJSON_Delete(recent);
		cJSON_Delete(data);
		buf_release(&names);
		return NULL;
	}
	const char *overall = ca[4]   ? "major_outage"
			      : ca[3] ? "partial_outage"
			      : ca[2] ? "degraded"
				      : "operational";
	char text[1024];
	sqlite3_stmt *sight = db_prepare(db, "SELECT reason FROM v_poller_sight WHERE stalled");
	char *stalled = sight && sqlite3_step(sight) == SQLITE_ROW ? db_col_dup(sight, 0) : NULL;
	sqlite3_finalize(sight);
	/* No service's status known (no poll read yet, every poller broken):
	 * "operational" would be a claim about services nobody can see, so the
	 * overall is unknown, as the dashboard's banner says ("Status Unknown"). */
	int none_seen = !stalled && total > 0 && c[0] == total;
	cJSON_AddStringToObject(data, "overall_status", stalled || none_seen ? "unknown" : overall);
	if (none_seen)
		cJSON_AddStringToObject(data, "status_reason",
					"no service's status is known: no vendor page has been read"
					" successfully yet, or every poller is broken");
	if (stalled) {
		/* Nothing pollerd committed can be taken as current (doc/faults.md#stalled). */
		snprintf(text, sizeof text, "Status unknown for all %d monitored services: %s.",
			 total, stalled);
		cJSON_AddStringToObject(data, "status_reason", stalled);
		free(stalled);
	} else if (n > 0)
		snprintf(text, sizeof text, "%d active incident%s across %d monitored services. %s",
			 n, n == 1 ? "" : "s", total, buf_text(&names, "incident names"));
	else if (c[0] > 0)
		/* The seed said "all operational" here even when it could not
		 * see some services; say what we know. */
		snprintf(text, sizeof text,
			 "No active incidents across %d monitored services; %d %s unknown.", total,
			 c[0], c[0] == 1 ? "is" : "are");
	else if (nmaint > 0)
		snprintf(
		    text, sizeof text,
		    "No active incidents across %d monitored services; %d in planned maintenance.",
		    total, nmaint);
	else
		snprintf(text, sizeof text, "All %d monitored services are operational.", total);
	buf_release(&names);
	cJSON_AddStringToObject(data, "status_text", text);
	cJSON_AddItemToObject(data, "active_incidents", inc);
	cJSON_AddItemToObject(data, "upcoming_maintenances", maint);
	cJSON_AddNumberToObject(data, "total_services", total);
	cJSON_AddNumberToObject(data, "healthy_count", c[1]);
	cJSON_AddNumberToObject(data, "degraded_count", c[2]);
	cJSON_AddNumberToObject(data, "outage_count", c[3] + c[4]);
	cJSON_AddNumberToObject(data, "unknown_count", c[0]);
	cJSON_AddNumberToObject(data, "maintenance_count", nmaint);
	cJSON_AddItemToObject(data, "recent_maintenances", recent);
	/* last_poll_at was added first by counts(); move it after the seed's fields. */
	cJSON_AddItemToObject(data, "last_poll_at",
			      cJSON_DetachItemFromObject(data, "last_poll_at"));
	if (worst > 0)
		cJSON_AddNumberToObject(data, "active_incidents_total", n);
	return data;
}

void h_summary(struct req *r)
{
	sqlite3 *db = req_db(r);
	/* ?worst=N (lists.c): the N worst incidents built, not 10,000. */
	cJSON *data = db ? summary_build_worst(db, r->post_n) : NULL;
	if (!data) {
		http_db_error(r);
		return;
	}
	http_envelope(r, 200, data, NULL);
}

void h_maintenance(struct req *r)
{
	sqlite3 *db = req_db(r);
	cJSON *arr = db ? maintenances_list(db) : NULL;
	if (!arr) {
		http_db_error(r);
		return;
	}
	cJSON *data = cJSON_CreateObject();
	int n = cJSON_GetArraySize(arr);
	cJSON_AddItemToObject(data, "maintenances", arr);
	cJSON_AddNumberToObject(data, "total", n);
	http_envelope(r, 200, data, NULL);
}
