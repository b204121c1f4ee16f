/*
 * demo: SEED_DEMO_DATA=true pre-fills a fresh timeline with 30 days of
 * history so a newcomer's dashboard has uptime strips, SLA charts and
 * incident reports to look at (the old tool's seed_demo_data idea). pollerd
 * writes it because it is the one writer of status_events.
 *
 * Every row has source 'demo' and a vendor_incident_id starting with
 * "demo-"; alertd never alerts on them, and they only go into an empty
 * timeline, so a real deployment that turns the flag on by mistake gets
 * nothing added once it has history. The history is deterministic (seeded by
 * each service id) so screenshots and tests are stable. services.baseline_at
 * stays empty: the first real reading is still the service's real baseline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "status.h"
#include "timeutil.h"

static uint32_t seed_of(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h ? h : 1;
}

static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int add_event(sqlite3_stmt *st, const char *svc, enum st_status from, enum st_status to,
		     int baseline, int64_t at_ms, const char *incident, const char *title)
{
	char at[TS_ISO_LEN + 1];
	ts_format(at_ms, at);
	db_bind_text(st, 1, svc);
	db_bind_text(st, 2, st_status_str(from));
	db_bind_text(st, 3, st_status_str(to));
	sqlite3_bind_int(st, 4, baseline);
	db_bind_text(st, 5, incident);
	db_bind_text(st, 6, title);
	db_bind_text(st, 7, at);
	return db_step_done(st);
}

int demo_seed(sqlite3 *db, int64_t now_ms)
{
	if (db_query_int(db, "SELECT count(*) FROM status_events", 1) > 0)
		return 0; /* history exists: never mix demo rows into it */
	static const char *titles[] = {
	    "Elevated error rates", "Degraded performance for some users", "Login failures",
	    "Increased latency in EU regions", "Partial outage of the web interface"};
	static const enum st_status worse[] = {ST_DEGRADED, ST_DEGRADED, ST_PARTIAL_OUTAGE,
					       ST_MAJOR_OUTAGE};
	if (db_begin(db) < 0)
		return -1;
	sqlite3_stmt *svcs =
	    db_prepare(db, "SELECT id FROM services WHERE retired_at IS NULL ORDER BY id");
	sqlite3_stmt *ins = db_prepare(
	    db,
	    "INSERT INTO status_events (service_id, kind, previous_status, new_status, is_baseline,"
	    " source, vendor_incident_id, vendor_title, impact_statement, created_at)"
	    " VALUES (?1, 'status', ?2, ?3, ?4, 'demo', ?5, ?6, NULL, ?7)");
	int n = 0, rc = 0;
	const int64_t day = 86400000LL, start = now_ms - 30 * day;
	while (svcs && ins && rc == 0 && sqlite3_step(svcs) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(svcs, 0);
		uint32_t r = seed_of(id);
		rc = add_event(ins, id, ST_UNKNOWN, ST_OPERATIONAL, 1, start, NULL, NULL);
		n++;
		int incidents = (int)(next_rand(&r) % 4); /* 0..3 over the month */
		int64_t t = start;
		for (int i = 0; i < incidents && rc == 0; i++) {
			t += (int64_t)(1 + next_rand(&r) % 8) * day +
			     (int64_t)(next_rand(&r) % 86400) * 1000;
			if (t > now_ms - day)
				break;
			int64_t len =
			    (int64_t)(15 + next_rand(&r) % 165) * 60000; /* 15 min .. 3 h */
			enum st_status s = worse[next_rand(&r) % 4];
			char inc[64];
			snprintf(inc, sizeof inc, "demo-%s-%d", id, i + 1);
			const char *title = titles[next_rand(&r) % 5];
			rc = add_event(ins, id, ST_OPERATIONAL, s, 0, t, inc, title);
			if (rc == 0)
				rc = add_event(ins, id, s, ST_OPERATIONAL, 0, t + len, inc, title);
			n += 2;
			t += len;
		}
	}
	sqlite3_finalize(svcs);
	sqlite3_finalize(ins);
	if (!svcs || !ins || rc < 0) {
		db_rollback(db);
		log_error("demo history: could not be written");
		return -1;
	}
	if (db_commit(db) < 0)
		return -1;
	log_info("demo history: %d events over the last 30 days (SEED_DEMO_DATA)", n);
	return n;
}
