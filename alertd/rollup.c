/*
 * rollup: status_rollups, the seconds each service spent in each status per
 * hour and per day, so a year of uptime history answers without replaying
 * every event. alertd keeps them because it already reads every event once,
 * in order, inside a transaction that also moves its cursor: each interval
 * is added exactly once, even across crashes.
 *
 * When an event passes, the interval from the service's previous event (of
 * either kind) to this one is credited to the state that held during it:
 * unknown while the poller was broken (the dashboard cannot see the service
 * then), else the committed status; maintenance_s additionally counts the
 * interval when the previous status event was committed during maintenance.
 * The interval still open (last event -> now) is not in the table; readers
 * add it from v_status. Maintenance that began or ended between two events
 * is only seen at event granularity.
 */
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "xalloc.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
/* Longest interval credited at once: a service silent for years must not
 * make one event write tens of thousands of buckets. */
#define MAX_SPAN_MS (400 * DAY_MS)

static const char *column(enum st_status s)
{
	switch (s) {
	case ST_OPERATIONAL:
		return "operational_s";
	case ST_DEGRADED:
		return "degraded_s";
	case ST_PARTIAL_OUTAGE:
		return "partial_outage_s";
	case ST_MAJOR_OUTAGE:
		return "major_outage_s";
	default:
		return "unknown_s";
	}
}

static int add_span(sqlite3 *db, const char *service, const char *col, int64_t from, int64_t to)
{
	char *sql =
	    xasprintf("INSERT INTO status_rollups (service_id, bucket, bucket_start, %s)"
		      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (service_id, bucket, bucket_start)"
		      " DO UPDATE SET %s = %s + excluded.%s",
		      col, col, col, col);
	sqlite3_stmt *st = db_prepare(db, sql);
	free(sql);
	if (!st)
		return -1;
	int rc = 0;
	static const struct {
		const char *name;
		int64_t len;
	} buckets[] = {{"hour", HOUR_MS}, {"day", DAY_MS}};
	for (size_t b = 0; b < 2 && rc == 0; b++) {
		for (int64_t t = from; t < to && rc == 0;) {
			int64_t start =
			    t - ((t % buckets[b].len) + buckets[b].len) % buckets[b].len;
			int64_t end = start + buckets[b].len < to ? start + buckets[b].len : to;
			char iso[TS_ISO_LEN + 1];
			db_bind_text(st, 1, service);
			db_bind_text(st, 2, buckets[b].name);
			db_bind_text(st, 3, ts_format(start, iso));
			sqlite3_bind_double(st, 4, (double)(end - t) / 1000.0);
			rc = db_step_done(st);
			t = end;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int rollup_event(sqlite3 *db, const struct ad_event *e)
{
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT (SELECT new_status FROM status_events WHERE service_id = ?1 AND kind = 'status'"
	    "  AND id < ?2 ORDER BY id DESC LIMIT 1),"
	    " (SELECT in_maintenance FROM status_events WHERE service_id = ?1 AND kind = 'status'"
	    "  AND id < ?2 ORDER BY id DESC LIMIT 1),"
	    " (SELECT new_health FROM status_events WHERE service_id = ?1 AND kind = 'health'"
	    "  AND id < ?2 ORDER BY id DESC LIMIT 1),"
	    " (SELECT MAX(created_at) FROM status_events WHERE service_id = ?1 AND id < ?2)");
	if (!st)
		return -1;
	db_bind_text(st, 1, e->service_id);
	sqlite3_bind_int64(st, 2, e->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	const char *status = (const char *)sqlite3_column_text(st, 0);
	int maint = sqlite3_column_int(st, 1);
	const char *health = (const char *)sqlite3_column_text(st, 2);
	const char *last = (const char *)sqlite3_column_text(st, 3);
	enum st_status s = ST_UNKNOWN;
	int64_t from;
	if (!last || ts_parse(last, &from) < 0) {
		sqlite3_finalize(st);
		return 0; /* the service's first event: nothing before it to credit */
	}
	if (status)
		st_status_parse(status, &s);
	if (health && !strcmp(health, "broken"))
		s = ST_UNKNOWN;
	sqlite3_finalize(st);
	int64_t to = e->created_ms;
	if (to <= from)
		return 0;
	if (to - from > MAX_SPAN_MS)
		from = to - MAX_SPAN_MS;
	if (add_span(db, e->service_id, column(s), from, to) < 0)
		return -1;
	if (maint && add_span(db, e->service_id, "maintenance_s", from, to) < 0)
		return -1;
	return 0;
}
