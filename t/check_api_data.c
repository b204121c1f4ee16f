/*
 * check_api_data: apid's resource builders called directly on a seeded
 * database -- summary (effective status everywhere), services, detail,
 * graph, timeline and clusters, maintenance, reports, the alert log with its
 * cursor, /itstatus replies, health, the inbox hand-off and /metrics text;
 * and how answers reach the response cache: printed as cJSON prints them,
 * parts made while printed (json_lazy), large ones compressed while
 * printed, large builds taking turns.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../apid/apid.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "tsupport.h"
#include "xalloc.h"

/* 2026-11-23T12:00:00.000Z */
#define NOW 1795435200000LL

static sqlite3 *db;
static char *db_path;

static const char seed[] =
    "INSERT INTO services (id, display_name, category, poll_type, current_status, poller_health,"
    " last_failure_reason, last_polled_at, last_status_change_at, status_page_url, tier, "
    "retired_at) VALUES"
    " ('a', 'Alpha', 'engineering', 'statuspage_json', 'operational', 'healthy', NULL,"
    "  '2026-11-23T11:59:50.000Z', '2026-11-01T00:00:00.000Z', 'https://alpha.example', "
    "'important', NULL),"
    " ('b', 'Beta', 'engineering', 'statuspage_json', 'degraded', 'healthy', NULL,"
    "  '2026-11-23T11:59:40.000Z', '2026-11-23T10:00:00.000Z', NULL, 'important', NULL),"
    " ('c', 'Gamma', 'networking', 'statuspage_json', 'major_outage', 'healthy', NULL,"
    "  '2026-11-23T11:59:55.000Z', '2026-11-23T11:00:00.000Z', NULL, 'critical', NULL),"
    " ('d', 'Delta', 'other', 'statuspage_json', 'major_outage', 'broken', 'transient_http_503',"
    "  '2026-11-23T11:59:00.000Z', '2026-11-20T00:00:00.000Z', NULL, 'important', NULL),"
    " ('e', 'Epsilon', 'identity', 'manual', 'unknown', 'healthy', NULL, NULL, NULL, NULL, "
    "'critical', NULL),"
    " ('f', 'Phi', 'support', 'manual', 'partial_outage', 'healthy', NULL, NULL,"
    "  '2026-11-22T00:00:00.000Z', NULL, 'important', '2026-11-23T00:00:00.000Z'),"
    " ('g', 'Gamma Ray', 'other', 'statuspage_json', 'operational', 'healthy', NULL,"
    "  '2026-11-23T11:59:30.000Z', NULL, NULL, 'informational', NULL);"
    "INSERT INTO service_dependencies (upstream_service_id, downstream_service_id, "
    "impact_description, severity) VALUES"
    " ('c', 'b', 'b is slow', 'low'), ('c', 'a', 'a is down', 'critical'), ('c', 'f', 'retired', "
    "'high'),"
    " ('e', 'a', 'sso', 'high');"
    "INSERT INTO status_events (service_id, previous_status, new_status, is_baseline, "
    "impact_statement, created_at) VALUES"
    " ('a', 'unknown', 'operational', 1, NULL, '2026-11-01T00:00:00.000Z'),"
    " ('b', 'unknown', 'operational', 1, NULL, '2026-11-01T00:00:00.000Z'),"
    " ('c', 'unknown', 'operational', 1, NULL, '2026-11-01T00:00:00.000Z'),"
    " ('b', 'operational', 'degraded', 0, 'Beta is reporting degraded performance.', "
    "'2026-11-23T10:00:00.000Z'),"
    " ('c', 'operational', 'major_outage', 0, NULL, '2026-11-23T11:00:00.000Z'),"
    " ('a', 'operational', 'degraded', 0, NULL, '2026-11-23T11:01:00.000Z'),"
    " ('a', 'degraded', 'operational', 0, NULL, '2026-11-23T11:02:00.000Z');"
    "INSERT INTO status_events (service_id, kind, previous_health, new_health, created_at) VALUES"
    " ('d', 'health', 'degraded', 'broken', '2026-11-23T11:30:00.000Z');"
    "INSERT INTO scheduled_maintenances (service_id, vendor_maintenance_id, source, title, "
    "scheduled_for, status) VALUES"
    " ('a', 'm1', 'vendor', 'Later', '2026-11-25T00:00:00.000Z', 'scheduled'),"
    " ('b', 'm2', 'vendor', 'Now', '2026-11-23T11:00:00.000Z', 'in_progress'),"
    " ('b', 'm3', 'vendor', 'Done', '2026-11-20T11:00:00.000Z', 'completed'),"
    " ('f', 'm4', 'vendor', 'Retired', '2026-11-24T11:00:00.000Z', 'scheduled');"
    "INSERT INTO incident_reports (service_id, started_at, resolved_at, duration_seconds, "
    "peak_severity,"
    " affected_downstream, event_count, events_json, impact_summary) VALUES"
    " ('a', '2026-11-23T11:01:00.000Z', '2026-11-23T11:02:00.000Z', 3725, 'degraded', "
    "'[\"Beta\"]', 2, '[]', 'x'),"
    " ('b', '2026-11-20T11:01:00.000Z', '2026-11-20T11:02:00.000Z', 59, 'degraded', 'not json', 2, "
    "'[]', 'y');"
    "INSERT INTO alert_sent_log (dedup_key, service_id, severity, new_status, alert_kind, "
    "suppressed_by, first_sent_at) VALUES"
    " ('k1', 'a', 'important', 'degraded', 'status_change', NULL, '2026-11-23T11:01:00.000Z'),"
    " ('k2', 'b', 'important', 'degraded', 'status_change', 'dedup', '2026-11-23T11:02:00.000Z'),"
    " ('k3', 'c', 'critical', 'major_outage', 'status_change', NULL, '2026-11-23T11:03:00.000Z'),"
    " ('k4', 'd', 'important', 'unknown', 'poller_health', NULL, '2026-11-23T11:04:00.000Z'),"
    " ('k5', 'a', 'important', 'operational', 'status_change', 'maintenance_window', "
    "'2026-11-23T11:05:00.000Z');"
    "INSERT INTO outbox (alert_id, destination_kind, destination, payload, state, attempts) VALUES"
    " (1, 'slack', 'slack:main', '{}', 'sent', 1), (1, 'webhook', 'webhook:main', '{}', 'failed', "
    "3),"
    " (3, 'slack', 'slack:main', '{}', 'pending', 0);";

static void setup(void)
{
	char *dir = ts_tmpdir();
	db_path = xasprintf("%s/data.db", dir);
	free(dir);
	db = db_open(db_path, 0);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(db_exec(db, seed), 0);
}

static void teardown(void)
{
	db_close(db);
	free(db_path);
}

/* Lists of rows hold printed (raw) items; parse the whole thing back. */
static cJSON *reparse(cJSON *d)
{
	char *t = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	cJSON *r = cJSON_Parse(t);
	cJSON_free(t);
	return r;
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

START_TEST(test_summary_effective_status)
{
	cJSON *s = summary_build(db);
	ck_assert_ptr_nonnull(s);
	/* d is major_outage but its poller is broken: unknown, not an incident */
	ck_assert_str_eq(str(s, "overall_status"), "major_outage");
	ck_assert_int_eq((int)num(s, "total_services"), 6); /* f is retired */
	ck_assert_int_eq((int)num(s, "healthy_count"), 2);
	ck_assert_int_eq((int)num(s, "degraded_count"), 1);
	ck_assert_int_eq((int)num(s, "outage_count"), 1);
	ck_assert_int_eq((int)num(s, "unknown_count"), 2);
	ck_assert_str_eq(str(s, "last_poll_at"), "2026-11-23T11:59:55.000Z");
	ck_assert_str_eq(str(s, "status_text"),
			 "2 active incidents across 6 monitored services. Gamma, Beta");
	cJSON *inc = cJSON_GetObjectItem(s, "active_incidents");
	ck_assert_int_eq(cJSON_GetArraySize(inc), 2);
	cJSON *first = cJSON_GetArrayItem(inc, 0);
	ck_assert_str_eq(str(cJSON_GetObjectItem(first, "service"), "id"), "c");
	ck_assert_str_eq(str(first, "impact_statement"), "Gamma status: major_outage");
	ck_assert_str_eq(str(first, "started_at"), "2026-11-23T11:00:00.000Z");
	cJSON *aff = cJSON_GetObjectItem(first, "affected_services");
	ck_assert_int_eq(cJSON_GetArraySize(aff), 2); /* critical first, retired f left out */
	ck_assert_str_eq(cJSON_GetArrayItem(aff, 0)->valuestring, "Alpha");
	ck_assert_str_eq(cJSON_GetArrayItem(aff, 1)->valuestring, "Beta");
	ck_assert_str_eq(str(cJSON_GetArrayItem(inc, 1), "impact_statement"),
			 "Beta is reporting degraded performance.");
	cJSON *m = cJSON_GetObjectItem(s, "upcoming_maintenances");
	ck_assert_int_eq(cJSON_GetArraySize(m), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(m, 0), "title"), "Now");
	cJSON_Delete(s);
}
END_TEST

/* ?worst=N and the stream's frames build only the N worst incidents: the
 * full summary cut to its first N (worst first) with the total added, text
 * for text, the status text still naming every incident. */
START_TEST(test_summary_worst_is_full_cut)
{
	db_exec(db, "UPDATE services SET poller_health = 'healthy'");
	cJSON *full = summary_build(db);
	int total = cJSON_GetArraySize(cJSON_GetObjectItem(full, "active_incidents"));
	ck_assert_int_eq(total, 3);
	for (long n = 1; n <= total + 1; n++) {
		cJSON *want = cJSON_Duplicate(full, 1);
		cJSON *inc = cJSON_GetObjectItem(want, "active_incidents");
		while (cJSON_GetArraySize(inc) > n)
			cJSON_DeleteItemFromArray(inc, cJSON_GetArraySize(inc) - 1);
		cJSON_AddNumberToObject(want, "active_incidents_total", total);
		cJSON *cut = summary_build_worst(db, n);
		char *w = cJSON_PrintUnformatted(want), *g = cJSON_PrintUnformatted(cut);
		ck_assert_str_eq(g, w);
		cJSON_free(w);
		cJSON_free(g);
		cJSON_Delete(want);
		cJSON_Delete(cut);
	}
	cJSON_Delete(full);
}
END_TEST

/* The whole services list of an HTTP answer is made while it is printed
 * (json_lazy), its counts first in the same read transaction: the same text
 * as the list built whole, filtered or not, and the transaction ends
 * whether the list was printed or not. */
START_TEST(test_services_printed_as_built)
{
	static const struct svc_query qs[] = {
	    {0}, {.category = "identity,other"}, {.status = "major_outage,degraded"},
	    {.fields = "display_name,current_status"}, {.q = "ET"}, {.category = "none"}};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		cJSON *meta_t = NULL, *meta_l = NULL;
		cJSON *errs = cJSON_CreateArray();
		cJSON *tree = services_query(db, &qs[i], &meta_t, errs);
		ck_assert_ptr_nonnull(tree);
		char *want = cJSON_PrintUnformatted(tree);
		json_compact_lists(1);
		cJSON *lazy = services_query(db, &qs[i], &meta_l, errs);
		json_compact_lists(0);
		ck_assert_ptr_nonnull(lazy);
		ck_assert_int_eq(cJSON_GetArraySize(errs), 0);
		ck_assert(cJSON_IsRaw(cJSON_GetObjectItem(lazy, "services")));
		ck_assert_int_eq(sqlite3_get_autocommit(db), 0); /* counts and rows: one read */
		char *got = json_print_text(lazy);
		ck_assert_str_eq(got, want);
		ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
		if (i == 0)
			ck_assert_ptr_nonnull(strstr(got, "\"id\":\"e\""));
		free(got);
		cJSON_free(want);
		cJSON_Delete(lazy);
		cJSON_Delete(tree);
		cJSON_Delete(meta_t);
		cJSON_Delete(meta_l);
		cJSON_Delete(errs);
	}
	json_compact_lists(1);
	cJSON *lazy = services_list(db, NULL, NULL);
	json_compact_lists(0);
	cJSON_Delete(lazy);
	json_lazy_drop(); /* never printed: its read ends all the same */
	ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
}
END_TEST

START_TEST(test_summary_quiet_texts)
{
	db_exec(db,
		"UPDATE services SET current_status = 'operational', poller_health = 'healthy'");
	cJSON *s = summary_build(db);
	ck_assert_str_eq(str(s, "overall_status"), "operational");
	ck_assert_str_eq(str(s, "status_text"), "All 6 monitored services are operational.");
	cJSON_Delete(s);
	db_exec(db, "UPDATE services SET poller_health = 'broken' WHERE id = 'a'");
	s = summary_build(db);
	ck_assert_str_eq(str(s, "status_text"),
			 "No active incidents across 6 monitored services; 1 is unknown.");
	/* One unknown of six: the others are seen, so the overall stands. */
	ck_assert_str_eq(str(s, "overall_status"), "operational");
	ck_assert_ptr_null(cJSON_GetObjectItem(s, "status_reason"));
	cJSON_Delete(s);
	/* None seen: never "operational" about services nobody can see. */
	db_exec(db, "UPDATE services SET poller_health = 'broken'");
	s = summary_build(db);
	ck_assert_str_eq(str(s, "overall_status"), "unknown");
	ck_assert_ptr_nonnull(strstr(str(s, "status_reason"), "no service's status is known"));
	ck_assert_str_eq(str(s, "status_text"),
			 "No active incidents across 6 monitored services; 6 are unknown.");
	cJSON_Delete(s);
}
END_TEST

/* Maintenance is its own state: a degraded service in maintenance is not an
 * active incident and does not make the overall status (issue 15). */
START_TEST(test_summary_maintenance_not_incident)
{
	db_exec(db,
		"UPDATE services SET current_status = 'operational', poller_health = 'healthy'");
	db_exec(db, "UPDATE services SET current_status = 'degraded', in_maintenance = 1"
		    " WHERE id IN ('a', 'b')");
	cJSON *s = summary_build(db);
	ck_assert_str_eq(str(s, "overall_status"), "operational");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "active_incidents")), 0);
	ck_assert_int_eq((int)num(s, "maintenance_count"), 2);
	ck_assert_str_eq(
	    str(s, "status_text"),
	    "No active incidents across 6 monitored services; 2 in planned maintenance.");
	cJSON_Delete(s);
	/* an outage elsewhere is still an incident */
	db_exec(db, "UPDATE services SET current_status = 'major_outage' WHERE id = 'c'");
	s = summary_build(db);
	ck_assert_str_eq(str(s, "overall_status"), "major_outage");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "active_incidents")), 1);
	cJSON_Delete(s);
}
END_TEST

START_TEST(test_services_list)
{
	cJSON *meta = NULL;
	cJSON *d = reparse(services_list(db, NULL, &meta));
	ck_assert_int_eq((int)num(d, "total"), 6);
	ck_assert_int_eq((int)num(d, "unknown_count"), 2);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(meta, "category_filter")));
	cJSON *arr = cJSON_GetObjectItem(d, "services");
	ck_assert_str_eq(str(cJSON_GetArrayItem(arr, 0), "id"), "a"); /* engineering, Alpha */
	cJSON *svc;
	cJSON_ArrayForEach(svc, arr)
	{
		ck_assert(cJSON_IsBool(cJSON_GetObjectItem(svc, "in_maintenance")));
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(svc, "pending_status_count")));
		if (!strcmp(str(svc, "id"), "d")) {
			ck_assert_str_eq(str(svc, "effective_status"), "unknown");
			ck_assert_str_eq(str(svc, "current_status"), "major_outage");
			ck_assert_str_eq(str(svc, "last_failure_reason"), "transient_http_503");
		}
		ck_assert_str_ne(str(svc, "id"), "f");
	}
	cJSON_Delete(d);
	cJSON_Delete(meta);
	d = services_list(db, "networking", &meta);
	ck_assert_int_eq((int)num(d, "total"), 1);
	ck_assert_str_eq(str(meta, "category_filter"), "networking");
	cJSON_Delete(d);
	cJSON_Delete(meta);
	d = services_list(db, "x' OR 1=1 --", NULL);
	ck_assert_int_eq((int)num(d, "total"), 0);
	cJSON_Delete(d);
}
END_TEST

START_TEST(test_service_detail)
{
	cJSON *d = service_detail(db, "c");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(str(cJSON_GetObjectItem(d, "service"), "poller_health"), "healthy");
	cJSON *down = cJSON_GetObjectItem(d, "downstream_impacts");
	ck_assert_int_eq(cJSON_GetArraySize(down), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(down, 0), "severity"), "critical");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "upstream_dependencies")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "recent_events")), 2);
	cJSON_Delete(d);
	d = service_detail(db, "a");
	cJSON *ev = cJSON_GetObjectItem(d, "recent_events");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 3);
	ck_assert_str_eq(str(cJSON_GetArrayItem(ev, 0), "created_at"), "2026-11-23T11:02:00.000Z");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "upstream_dependencies")), 2);
	cJSON_Delete(d);
	/* Format drift (doc/drift.md): null until pollerd stores a note, then the three fields. */
	d = service_detail(db, "a");
	cJSON *svc = cJSON_GetObjectItem(d, "service");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(svc, "drift_note")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(svc, "drift_first_seen_at")));
	cJSON_Delete(d);
	db_exec(db, "UPDATE services SET drift_note = 'incidents[].id missing',"
		    " drift_first_seen_at = '2026-11-23T10:00:00.000Z',"
		    " drift_last_seen_at = '2026-11-23T11:00:00.000Z' WHERE id = 'a'");
	d = service_detail(db, "a");
	svc = cJSON_GetObjectItem(d, "service");
	ck_assert_str_eq(str(svc, "drift_note"), "incidents[].id missing");
	ck_assert_str_eq(str(svc, "drift_first_seen_at"), "2026-11-23T10:00:00.000Z");
	ck_assert_str_eq(str(svc, "drift_last_seen_at"), "2026-11-23T11:00:00.000Z");
	/* the old-tool fields are still there */
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(svc, "poll_type"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(svc, "effective_status"));
	cJSON_Delete(d);
	ck_assert_ptr_null(service_detail(db, "f")); /* retired */
	ck_assert_ptr_null(service_detail(db, "nope"));
	ck_assert_ptr_null(service_detail(db, "a'; DROP TABLE services; --"));
	ck_assert_int_eq((int)db_query_int(db, "SELECT count(*) FROM services", 0), 7);
}
END_TEST

START_TEST(test_graph)
{
	cJSON *g = reparse(services_graph(db));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g, "nodes")), 6);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g, "links")), 3);
	cJSON *n;
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(g, "nodes"))
	{
		if (!strcmp(str(n, "id"), "c"))
			ck_assert_int_eq((int)num(n, "downstream_count"), 2);
		if (!strcmp(str(n, "id"), "d"))
			ck_assert_str_eq(str(n, "status"), "unknown");
	}
	cJSON_Delete(g);
}
END_TEST

START_TEST(test_timeline)
{
	cJSON *t = timeline_build(db, 2, NULL);
	ck_assert_int_eq((int)num(t, "total"), 7); /* health events are not timeline entries */
	cJSON *ev = cJSON_GetObjectItem(t, "events");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(ev, 0), "created_at"), "2026-11-23T11:02:00.000Z");
	cJSON_Delete(t);
	t = timeline_build(db, 50, "a");
	ck_assert_int_eq((int)num(t, "total"), 3);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(t, "events"), 2), "is_baseline")));
	cJSON_Delete(t);
	cJSON *after = events_after(db, 4, 0, 10);
	ck_assert_int_eq(cJSON_GetArraySize(after), 3); /* 5, 6, 7; the health event 8 is skipped */
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(after, 0), "id"), 5);
	cJSON_Delete(after);
	after = events_after(db, 4, 6, 10);
	ck_assert_int_eq(cJSON_GetArraySize(after), 2);
	cJSON_Delete(after);
}
END_TEST

START_TEST(test_clusters_root_cause)
{
	cJSON *c = clustered_build(db, 300, 100);
	/* baselines and the poller-health change are entries too (issue 15) */
	ck_assert_int_eq((int)num(c, "total_events"), 8);
	cJSON *cl = cJSON_GetObjectItem(c, "clusters");
	ck_assert_int_eq(cJSON_GetArraySize(cl), 4);
	/* newest: d's poller broke (a health entry, alone) */
	cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cl, 0), "events"), 0);
	ck_assert_str_eq(str(h, "kind"), "health");
	ck_assert_str_eq(str(h, "new_health"), "broken");
	cJSON *root = cJSON_GetArrayItem(cl, 1);
	ck_assert_int_eq((int)num(root, "event_count"), 3); /* c, a down, a's recovery */
	ck_assert_int_eq((int)num(root, "service_count"), 2);
	ck_assert_str_eq(str(cJSON_GetObjectItem(root, "root_cause"), "id"), "c");
	ck_assert_str_eq(str(root, "severity"), "major_outage");
	ck_assert_str_eq(str(root, "started_at"), "2026-11-23T11:00:00.000Z");
	ck_assert_str_eq(str(root, "ended_at"), "2026-11-23T11:02:00.000Z");
	ck_assert_str_eq(
	    str(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0), "created_at"),
	    "2026-11-23T11:02:00.000Z");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(cl, 2), "root_cause")));
	/* oldest: the three baselines, "monitoring started" */
	cJSON *base = cJSON_GetArrayItem(cl, 3);
	ck_assert_int_eq((int)num(base, "event_count"), 3);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(base, "events"), 0), "is_baseline")));
	cJSON_Delete(c);
	/* One hour joins 10:00 to 11:30 in time, but b went degraded at 10:00
	 * while its upstream c was still operational: c is not b's root, and
	 * b stands apart from c's cluster (with d's poller entry). */
	c = clustered_build(db, 3600, 100);
	cl = cJSON_GetObjectItem(c, "clusters");
	ck_assert_int_eq((int)num(c, "total_clusters"), 3);
	cJSON *cc = NULL, *rest = NULL;
	for (int i = 0; i < 3; i++) {
		cJSON *x = cJSON_GetArrayItem(cl, i);
		if (cJSON_IsObject(cJSON_GetObjectItem(x, "root_cause")))
			cc = x;
		else if ((int)num(x, "event_count") == 2)
			rest = x;
	}
	ck_assert_ptr_nonnull(cc);
	ck_assert_ptr_nonnull(rest);
	ck_assert_str_eq(str(cJSON_GetObjectItem(cc, "root_cause"), "id"), "c");
	ck_assert_int_eq((int)num(cc, "event_count"), 3);
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(cc, "events"))
	    ck_assert_str_ne(str(e, "service_id"), "b");
	cJSON_Delete(c);
}
END_TEST

/* A dependent that changed after its upstream recovered, or in maintenance,
 * is not put under that upstream. */
START_TEST(test_cluster_root_needs_upstream_down)
{
	db_exec(db, "DELETE FROM status_events");
	db_exec(db, "INSERT INTO status_events (service_id, previous_status, new_status,"
		    " in_maintenance, created_at) VALUES"
		    " ('c', 'operational', 'major_outage', 0, '2026-11-23T11:00:00.000Z'),"
		    " ('a', 'operational', 'degraded', 0, '2026-11-23T11:01:00.000Z'),"
		    " ('c', 'major_outage', 'operational', 0, '2026-11-23T11:02:00.000Z'),"
		    " ('b', 'operational', 'degraded', 0, '2026-11-23T11:03:00.000Z'),"
		    " ('b', 'degraded', 'partial_outage', 1, '2026-11-23T11:03:30.000Z')");
	/* a service first seen meanwhile: "monitoring started", apart from b */
	db_exec(db, "INSERT INTO status_events (service_id, previous_status, new_status,"
		    " is_baseline, created_at) VALUES"
		    " ('e', 'unknown', 'operational', 1, '2026-11-23T11:03:10.000Z')");
	cJSON *c = clustered_build(db, 300, 100);
	cJSON *cl = cJSON_GetObjectItem(c, "clusters");
	ck_assert_int_eq(cJSON_GetArraySize(cl), 3);
	int baseline_alone = 0;
	cJSON *y;
	cJSON_ArrayForEach(y, cl) baseline_alone |=
	    (int)num(y, "event_count") == 1 &&
	    cJSON_IsTrue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(y, "events"), 0), "is_baseline"));
	ck_assert(baseline_alone);
	cJSON *x;
	int roots = 0;
	cJSON_ArrayForEach(x, cl)
	{
		cJSON *e;
		if (!cJSON_IsObject(cJSON_GetObjectItem(x, "root_cause")))
			continue;
		roots++;
		ck_assert_str_eq(str(cJSON_GetObjectItem(x, "root_cause"), "id"), "c");
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(x, "events"))
		    ck_assert_str_ne(str(e, "service_id"), "b"); /* b came after c recovered */
	}
	ck_assert_int_eq(roots, 1);
	cJSON_Delete(c);
}
END_TEST

START_TEST(test_maintenance_and_reports)
{
	cJSON *m = maintenances_list(db);
	ck_assert_int_eq(cJSON_GetArraySize(m), 2); /* completed and retired left out */
	ck_assert_str_eq(str(cJSON_GetArrayItem(m, 1), "source"), "vendor");
	cJSON_Delete(m);
	cJSON *r = reports_build(db, NULL, 20);
	ck_assert_int_eq((int)num(r, "total"), 2);
	/* same created_at: the newer row first */
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "reports"), 0);
	ck_assert_str_eq(str(first, "duration_human"), "59s");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(first, "affected_downstream")), 0);
	cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "reports"), 1);
	ck_assert_str_eq(str(second, "duration_human"), "1h 2m");
	ck_assert_str_eq(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(second, "affected_downstream"), 0)->valuestring,
	    "Beta");
	cJSON_Delete(r);
	r = reports_build(db, "b", 20);
	ck_assert_int_eq((int)num(r, "total"), 1);
	cJSON_Delete(r);
	char dh[32];
	ts_duration_human(7200, dh, sizeof dh);
	ck_assert_str_eq(dh, "2h");
	ts_duration_human(600, dh, sizeof dh);
	ck_assert_str_eq(dh, "10m");
}
END_TEST

START_TEST(test_alerts_filters_and_cursor)
{
	struct alerts_query q = {.suppressed = -1, .limit = 2};
	cJSON *meta = NULL;
	cJSON *a = alerts_build(db, &q, &meta);
	cJSON *rows = cJSON_GetObjectItem(a, "alerts");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(rows, 0), "id"), 5);
	ck_assert_str_eq(str(cJSON_GetArrayItem(rows, 0), "decision"), "maintenance_window");
	ck_assert_str_eq(str(a, "next_cursor"), "4");
	ck_assert_int_eq((int)num(meta, "limit"), 2);
	cJSON_Delete(a);
	cJSON_Delete(meta);
	q.cursor = 4;
	a = alerts_build(db, &q, NULL);
	rows = cJSON_GetObjectItem(a, "alerts");
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(rows, 0), "id"), 3);
	ck_assert_int_eq(
	    cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "deliveries")), 1);
	cJSON_Delete(a);
	q.cursor = 2;
	a = alerts_build(db, &q, NULL);
	rows = cJSON_GetObjectItem(a, "alerts");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "next_cursor")));
	cJSON *deliv = cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "deliveries");
	ck_assert_int_eq(cJSON_GetArraySize(deliv), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(deliv, 1), "state"), "failed");
	ck_assert_str_eq(str(cJSON_GetArrayItem(rows, 0), "decision"), "fired");
	cJSON_Delete(a);
	struct alerts_query f = {.suppressed = 1, .limit = 50};
	a = alerts_build(db, &f, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "alerts")), 2);
	cJSON_Delete(a);
	struct alerts_query k = {
	    .suppressed = 0, .kind = "status_change", .service_id = "a", .limit = 50};
	a = alerts_build(db, &k, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "alerts")), 1);
	cJSON_Delete(a);
	struct alerts_query s = {
	    .suppressed = -1, .since = "2026-11-23T11:03:00.000Z", .limit = 50};
	a = alerts_build(db, &s, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "alerts")), 3);
	cJSON_Delete(a);
}
END_TEST

static const char *reply_text(cJSON *r)
{
	return str(r, "text");
}

START_TEST(test_slash_replies)
{
	cJSON *r = slash_reply(db, "/other", "x", NOW);
	ck_assert_str_eq(reply_text(r),
			 "Unknown slash command `/other`. This endpoint handles `/itstatus`.");
	ck_assert_str_eq(str(r, "response_type"), "ephemeral");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "  ", NOW);
	ck_assert_str_eq(reply_text(r),
			 "Usage: `/itstatus <service>`. Known services: a, b, d, e, c, g.");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "GAMMA",
			NOW); /* exact name beats the substring of Gamma Ray */
	ck_assert_str_eq(reply_text(r), "Gamma: Major Outage");
	cJSON *blocks = cJSON_GetObjectItem(r, "blocks");
	ck_assert_str_eq(str(cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 0), "text"), "text"),
			 "\xf0\x9f\x94\xb4 Gamma");
	cJSON *fields = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 1), "fields");
	ck_assert_str_eq(str(cJSON_GetArrayItem(fields, 2), "text"), "*Last change:*\n1 hour ago");
	ck_assert_str_eq(str(cJSON_GetArrayItem(fields, 3), "text"), "*Tier:*\ncritical");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "d", NOW); /* exact id; broken poller: Unknown */
	ck_assert_str_eq(reply_text(r), "Delta: Unknown");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "alp", NOW);
	ck_assert_str_eq(reply_text(r), "Alpha: Operational");
	cJSON *ctx = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "blocks"), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(cJSON_GetObjectItem(ctx, "elements"), 0), "text"),
			 "<https://alpha.example|View Status Page>");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "ta", NOW);
	ck_assert_str_eq(reply_text(r),
			 "Multiple services match `ta`: Beta, Delta. Please be more specific.");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "<!here>", NOW);
	ck_assert_str_eq(
	    reply_text(r),
	    "No service matches `&lt;!here&gt;`. See the dashboard for the full list.");
	cJSON_Delete(r);
	r = slash_reply(db, "/itstatus", "phi", NOW); /* retired */
	ck_assert_str_eq(reply_text(r),
			 "No service matches `phi`. See the dashboard for the full list.");
	cJSON_Delete(r);
}
END_TEST

static struct cfg_settings health_cfg(void)
{
	struct cfg_settings c;
	memset(&c, 0, sizeof c);
	c.heartbeat_stale_after_seconds = 120;
	c.poll_interval_seconds = 60;
	return c;
}

START_TEST(test_healthz)
{
	struct cfg_settings cfg = health_cfg();
	int ok;
	cJSON *h = healthz_build(db, &cfg, NOW, &ok);
	ck_assert_int_eq(ok, 0); /* no heartbeats at all */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "stale")), 3);
	cJSON_Delete(h);
	db_exec(db,
		"INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at, last_cycle_at) "
		"VALUES"
		" ('pollerd', 1, 'x', '2026-11-23T10:00:00.000Z', '2026-11-23T11:59:30.000Z', "
		"'2026-11-23T11:59:00.000Z'),"
		" ('alertd', 2, 'x', '2026-11-23T10:00:00.000Z', '2026-11-23T11:59:59.000Z', NULL),"
		" ('apid', 3, 'x', '2026-11-23T10:00:00.000Z', '2026-11-23T11:57:00.000Z', NULL)");
	h = healthz_build(db, &cfg, NOW, &ok);
	ck_assert_int_eq(ok, 0); /* apid's beat is 180 s old */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "stale")), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "stale"), 0)->valuestring,
			 "apid");
	ck_assert_double_eq(num(h, "heartbeat_age_seconds"), 180.0);
	cJSON_Delete(h);
	db_exec(db,
		"UPDATE heartbeats SET beat_at = '2026-11-23T11:59:58.000Z' WHERE daemon = 'apid'");
	h = healthz_build(db, &cfg, NOW, &ok);
	ck_assert_int_eq(ok, 1);
	ck_assert_str_eq(str(h, "status"), "ok");
	cJSON_Delete(h);
	/* pollerd alive but no cycle for 3 intervals: stale */
	db_exec(db, "UPDATE heartbeats SET last_cycle_at = '2026-11-23T11:55:00.000Z' WHERE daemon "
		    "= 'pollerd'");
	h = healthz_build(db, &cfg, NOW, &ok);
	ck_assert_int_eq(ok, 0);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "stale"), 0)->valuestring,
			 "pollerd");
	cJSON_Delete(h);
	h = health_build(db, &cfg, NOW);
	ck_assert_str_eq(str(h, "status"), "unhealthy");
	ck_assert_str_eq(str(h, "database"), "connected");
	ck_assert_int_eq((int)num(h, "services_total"), 6);
	ck_assert_int_eq((int)num(h, "services_polled"), 5);
	ck_assert_int_eq((int)num(h, "poll_age_seconds"), 5);
	cJSON_Delete(h);
	db_exec(db, "UPDATE heartbeats SET last_cycle_at = '2026-11-23T11:59:00.000Z' WHERE daemon "
		    "= 'pollerd'");
	h = health_build(db, &cfg, NOW);
	ck_assert_str_eq(str(h, "status"), "healthy");
	cJSON_Delete(h);
	h = health_build(NULL, &cfg, NOW);
	ck_assert_str_eq(str(h, "status"), "unhealthy");
	ck_assert_str_eq(str(h, "database"), "error");
	cJSON_Delete(h);
}
END_TEST

/* A stand-in for pollerd: apply (or reject) the first pending row after a delay. */
static void *consumer(void *arg)
{
	int reject = *(int *)arg;
	struct timespec d = {0, 150000000L};
	nanosleep(&d, NULL);
	sqlite3 *c = db_open(db_path, 0);
	db_exec(c, reject
		       ? "UPDATE inbox SET state = 'rejected', error = 'service retired' WHERE "
			 "state = 'pending'"
		       : "UPDATE inbox SET state = 'applied', result = '{\"status_changed\":true}'"
			 " WHERE state = 'pending'");
	db_close(c);
	return NULL;
}

START_TEST(test_inbox_handoff)
{
	int64_t id = inbox_insert(db, "manual_status", "pollerd", "a", "{\"status\":\"degraded\"}",
				  "127.0.0.1");
	ck_assert_int_gt(id, 0);
	cJSON *res;
	char *err;
	ck_assert_int_eq(inbox_wait(db, id, 50, &res, &err), -1); /* nobody answered */
	ck_assert_ptr_null(res);
	int reject = 0;
	pthread_t th;
	pthread_create(&th, NULL, consumer, &reject);
	ck_assert_int_eq(inbox_wait(db, id, 3000, &res, &err), 1);
	pthread_join(th, NULL);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(res, "status_changed")));
	cJSON_Delete(res);
	free(err);
	id = inbox_insert(db, "maintenance_cancel", "pollerd", "a", "{\"id\":1}", NULL);
	reject = 1;
	pthread_create(&th, NULL, consumer, &reject);
	ck_assert_int_eq(inbox_wait(db, id, 3000, &res, &err), 0);
	pthread_join(th, NULL);
	ck_assert_str_eq(err, "service retired");
	cJSON_Delete(res);
	free(err);
	cJSON *row = inbox_row(db, id);
	ck_assert_str_eq(str(row, "state"), "rejected");
	ck_assert_str_eq(str(row, "kind"), "maintenance_cancel");
	cJSON_Delete(row);
	ck_assert_ptr_null(inbox_row(db, 999));
	/* the table's CHECK refuses a payload that is not JSON */
	ck_assert_int_lt(inbox_insert(db, "manual_status", "pollerd", "a", "{nope", NULL), 0);
}
END_TEST

START_TEST(test_metrics_text)
{
	db_exec(db, "INSERT INTO metrics (daemon, name, labels, type, help, value) VALUES"
		    " ('pollerd', 'up_total', '', 'counter', 'Ups', 3),"
		    " ('alertd', 'up_total', '{x=\"1\"}', 'counter', '', 4),"
		    " ('alertd', 'x_seconds_bucket', '{le=\"+Inf\"}', 'histogram', 'X', 2),"
		    " ('alertd', 'x_seconds_bucket', '{le=\"0.5\"}', 'histogram', 'X', 1),"
		    " ('alertd', 'x_seconds_count', '', 'histogram', 'X', 2),"
		    " ('alertd', 'x_seconds_sum', '', 'histogram', 'X', 0.75),"
		    " ('apid', 'up_total', '{y=\"2\"}', 'gauge', 'conflicting type', 5),"
		    " ('apid', 'bad name', '', 'gauge', 'skipped', 1),"
		    " ('apid', 'bad_labels', '{unterminated=\"}', 'gauge', 'skipped', 1),"
		    " ('apid', 'no_help', '', 'gauge', '', 1)");
	char *t = metrics_render(db);
	ck_assert_ptr_nonnull(t);
	const char *want = "# HELP no_help no_help reported by itstatus\n"
			   "# TYPE no_help gauge\n"
			   "no_help{daemon=\"apid\"} 1\n"
			   "# HELP up_total Ups\n"
			   "# TYPE up_total counter\n"
			   "up_total{daemon=\"alertd\",x=\"1\"} 4\n"
			   "up_total{daemon=\"pollerd\"} 3\n"
			   "# HELP x_seconds X\n"
			   "# TYPE x_seconds histogram\n"
			   "x_seconds_bucket{daemon=\"alertd\",le=\"0.5\"} 1\n"
			   "x_seconds_bucket{daemon=\"alertd\",le=\"+Inf\"} 2\n"
			   "x_seconds_sum{daemon=\"alertd\"} 0.75\n"
			   "x_seconds_count{daemon=\"alertd\"} 2\n";
	ck_assert_str_eq(t, want);
	free(t);
}
END_TEST

/* The seed's scheduler_last_heartbeat_seconds: one series per daemon, from heartbeats. */
START_TEST(test_metrics_heartbeat_age)
{
	db_exec(db, "INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at) VALUES"
		    " ('pollerd', 1, 'x', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z'),"
		    " ('alertd', 2, 'x', '2000-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')");
	char *t = metrics_render(db);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE scheduler_last_heartbeat_seconds gauge\n"));
	/* a clock-skewed beat in the future is 0, not negative */
	ck_assert_ptr_nonnull(strstr(t, "scheduler_last_heartbeat_seconds{daemon=\"alertd\"} 0\n"));
	const char *p = strstr(t, "scheduler_last_heartbeat_seconds{daemon=\"pollerd\"} ");
	ck_assert_ptr_nonnull(p);
	double age = strtod(strchr(p, '}') + 2, NULL);
	ck_assert_msg(age > 26.0 * 365 * 86400, "age %f", age); /* since 2000 */
	ck_assert_ptr_null(strstr(t, "daemon=\"apid\"} "));	/* no row, no series */
	free(t);
}
END_TEST

/* An answer with every kind of value, rows as raw text (as builders make
 * them for HTTP); n rows of about 100 bytes each. Caller deletes. */
static cJSON *answer(int n)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "odd \"key\"\n\x01", "tab\there \b\f \\ \x7f é");
	cJSON_AddNumberToObject(d, "int", 86400);
	cJSON_AddNumberToObject(d, "real", 99.95);
	cJSON_AddNumberToObject(d, "big", 1e300);
	cJSON_AddItemToObject(d, "nan", json_pct(NAN));
	cJSON_AddTrueToObject(d, "t");
	cJSON_AddNullToObject(d, "z");
	cJSON_AddObjectToObject(d, "empty_obj");
	cJSON_AddArrayToObject(d, "empty_arr");
	char *longs = xmalloc(1000);
	memset(longs, 'x', 999);
	longs[999] = '\0';
	cJSON_AddStringToObject(d, "long", longs); /* longer than put_leaf's stack */
	free(longs);
	cJSON *rows = cJSON_AddObjectToObject(d, "services");
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "svc-%d", i);
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "date", "2026-11-23");
		cJSON_AddNumberToObject(row, "uptime", 100 - i % 7);
		cJSON_AddNumberToObject(row, "tracked_seconds", 86400 - i);
		cJSON_AddItemToObject(rows, id, json_compact(row));
	}
	cJSON *nested = cJSON_AddArrayToObject(d, "nested");
	cJSON_AddItemToArray(nested, cJSON_CreateIntArray((const int[]){1, 2, 3}, 3));
	cJSON_AddItemToArray(nested, cJSON_CreateRaw("{\"raw\":[true]}"));
	return d;
}

struct text_sink {
	struct jsink base;
	struct buf b;
};

static void text_put(struct jsink *s, const char *p, size_t n)
{
	buf_append(&((struct text_sink *)s)->b, p, n);
}

START_TEST(test_print_consume_is_cjson_print)
{
	cJSON *d = answer(50);
	char *want = cJSON_PrintUnformatted(d);
	ck_assert_ptr_nonnull(want);
	struct text_sink t = {.base = {text_put}};
	buf_init(&t.b, 0);
	json_print_consume(d, &t.base);
	ck_assert_str_eq(t.b.data, want);
	/* Each row's text went once it was written. */
	cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(d, "services"))
	{
		ck_assert(cJSON_IsRaw(row));
		ck_assert_ptr_null(row->valuestring);
	}
	ck_assert_int_eq((int)json_raw_bytes(d), 0);
	cJSON_Delete(d);
	cJSON_free(want);
	buf_release(&t.b);
}
END_TEST

/* A part made while printed (json_lazy): what it printed and released. */
struct lazy_probe {
	int printed, released;
};

static void probe_print(void *ctx, struct jsink *s)
{
	((struct lazy_probe *)ctx)->printed++;
	s->put(s, "{\"made\":[1,2]}", 14);
}

static void probe_release(void *ctx)
{
	((struct lazy_probe *)ctx)->released++;
}

static cJSON *probe_row(sqlite3_stmt *st, void *ctx)
{
	(void)ctx;
	return cJSON_CreateNumber(sqlite3_column_double(st, 0));
}

/* A lazy part prints its text where it stands, once, and is released once
 * whether it was printed or not; cJSON's printer refuses it rather than
 * print something else. */
START_TEST(test_lazy_part)
{
	struct lazy_probe a = {0}, b = {0}, c = {0};
	cJSON *d = answer(3);
	cJSON_AddItemToObject(d, "lazy", json_lazy(probe_print, probe_release, &a));
	cJSON_AddItemToObject(d, "after", cJSON_CreateString("x"));
	ck_assert_ptr_null(cJSON_PrintUnformatted(d));
	/* what it stands for, as cJSON prints it */
	cJSON *want_tree = answer(3);
	cJSON_AddItemToObject(want_tree, "lazy", cJSON_Parse("{\"made\":[1,2]}"));
	cJSON_AddItemToObject(want_tree, "after", cJSON_CreateString("x"));
	char *want = cJSON_PrintUnformatted(want_tree);
	char *got = json_print_text(d);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(a.printed, 1);
	ck_assert_int_eq(a.released, 1);
	json_lazy_drop(); /* already released: not again */
	ck_assert_int_eq(a.released, 1);
	cJSON_Delete(d);
	free(got);
	cJSON_free(want);
	cJSON_Delete(want_tree);
	/* never printed: released by the drop, not before */
	cJSON *e = cJSON_CreateArray();
	cJSON_AddItemToArray(e, json_lazy(probe_print, probe_release, &b));
	cJSON_AddItemToArray(e, json_lazy(probe_print, probe_release, &c));
	cJSON_Delete(e);
	ck_assert_int_eq(b.released + c.released, 0);
	json_lazy_drop();
	ck_assert_int_eq(b.released, 1);
	ck_assert_int_eq(c.released, 1);
	ck_assert_int_eq(b.printed + c.printed, 0);
}
END_TEST

/* A list whose rows stop on a database error is not an answer: the
 * printed text would be valid JSON one part short. */
static void failing_rows_print(void *ctx, struct jsink *s)
{
	json_put_rows(s, ctx, probe_row, NULL);
}

static void failing_rows_release(void *ctx)
{
	sqlite3_finalize(ctx);
}

START_TEST(test_lazy_rows_read_error)
{
	/* the second row fails: abs() of the smallest integer overflows */
	sqlite3_stmt *st = db_prepare(db, "SELECT CASE WHEN x = 1 THEN 1 ELSE"
					  " abs(-9223372036854775807 - 1) END FROM"
					  " (SELECT 1 AS x UNION ALL SELECT 2)");
	ck_assert_ptr_nonnull(st);
	cJSON *d = answer(1);
	cJSON_AddItemToObject(d, "rows", json_lazy(failing_rows_print, failing_rows_release, st));
	ck_assert_ptr_null(json_print_text(d));
	cJSON_Delete(d);
	json_lazy_drop();
}
END_TEST

static int collect(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static int refuse(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return -1;
}

START_TEST(test_cache_fill_json)
{
	struct rcache *rc = rcache_new(db_path);
	ck_assert_ptr_nonnull(rc);
	/* Small: kept as it is. Large: compressed while printed, kept gzipped
	 * only, and it inflates to exactly what cJSON prints. */
	const int sizes[] = {3, 6000};
	for (int k = 0; k < 2; k++) {
		cJSON *d = answer(sizes[k]);
		char *want = cJSON_PrintUnformatted(d);
		size_t wlen = strlen(want);
		ck_assert(k == 0 ? wlen < APID_LARGE_BODY : wlen > APID_LARGE_BODY);
		int build;
		struct rc_ent *e = rcache_lookup(rc, sizes[k] == 3 ? "small" : "large", 0, &build);
		ck_assert_int_eq(build, 1);
		ck_assert_int_eq(rcache_fill_json(rc, e, d), 0);
		ck_assert(rc_ready(e));
		size_t len;
		const char *body = rc_body(e, &len);
		ck_assert_uint_eq(len, wlen);
		char etag[48], want_tag[48];
		rc_etag(want, wlen, want_tag, sizeof want_tag);
		if (k == 0) {
			ck_assert_str_eq(body, want);
		} else {
			ck_assert_ptr_null(body);
			const char *gz = rc_gz_form(e, &len, etag, sizeof etag);
			ck_assert_ptr_nonnull(gz);
			ck_assert_uint_lt(len, wlen / 4);
			ck_assert_str_eq(etag, want_tag);
			struct buf out;
			buf_init(&out, 0);
			ck_assert_int_eq(rc_gunzip_each(gz, len, wlen, collect, &out), 0);
			ck_assert_uint_eq(out.len, wlen);
			ck_assert_int_eq(memcmp(out.data, want, wlen), 0);
			buf_reset(&out);
			/* Not what it claims to be, or a writer that gives up: -1. */
			ck_assert_int_eq(rc_gunzip_each(gz, len, wlen - 1, collect, &out), -1);
			ck_assert_int_eq(rc_gunzip_each(gz, len, wlen + 1, collect, &out), -1);
			ck_assert_int_eq(rc_gunzip_each(gz, len / 2, wlen, collect, &out), -1);
			ck_assert_int_eq(rc_gunzip_each(want, 100, wlen, collect, &out), -1);
			ck_assert_int_eq(rc_gunzip_each(gz, len, wlen, refuse, NULL), -1);
			buf_release(&out);
		}
		rcache_unhold(rc, e);
		cJSON_free(want);
	}
	rcache_free(rc);
}
END_TEST

/* Large builds take turns: a second one waits, and gives up at its deadline. */
START_TEST(test_cache_large_builds_take_turns)
{
	struct rcache *rc = rcache_new(db_path);
	ck_assert_ptr_nonnull(rc);
	int build;
	struct rc_ent *a = rcache_lookup(rc, "a", 0, &build);
	struct rc_ent *b = rcache_lookup(rc, "b", 0, &build);
	struct req ra = {.rc = a}, rb = {.rc = b};
	struct apid ap = {.rcache = rc};
	ra.a = rb.a = &ap;
	ck_assert_int_eq(rcache_large_enter(rc, a, ts_mono_ms() + 1000), 0);
	ra.large = 1;
	int64_t t0 = ts_mono_ms();
	ck_assert_int_eq(rcache_large_enter(rc, b, t0 + 150), -1);
	ck_assert_int_ge(ts_mono_ms() - t0, 150);
	rcache_large_leave(&ra);
	ck_assert_int_eq(ra.large, 0);
	rcache_large_leave(&ra); /* twice is once */
	ck_assert_int_eq(rcache_large_enter(rc, b, ts_mono_ms() + 1000), 0);
	rb.large = 1;
	rcache_large_leave(&rb);
	rcache_unhold(rc, a);
	rcache_unhold(rc, b);
	rcache_free(rc);
}
END_TEST

int main(void)
{
	log_init("check_api_data", LOG_LVL_CRITICAL, 0);
	Suite *s = suite_create("api_data");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_summary_effective_status);
	tcase_add_test(tc, test_summary_worst_is_full_cut);
	tcase_add_test(tc, test_services_printed_as_built);
	tcase_add_test(tc, test_lazy_rows_read_error);
	tcase_add_test(tc, test_summary_quiet_texts);
	tcase_add_test(tc, test_summary_maintenance_not_incident);
	tcase_add_test(tc, test_cluster_root_needs_upstream_down);
	tcase_add_test(tc, test_services_list);
	tcase_add_test(tc, test_service_detail);
	tcase_add_test(tc, test_graph);
	tcase_add_test(tc, test_timeline);
	tcase_add_test(tc, test_clusters_root_cause);
	tcase_add_test(tc, test_maintenance_and_reports);
	tcase_add_test(tc, test_alerts_filters_and_cursor);
	tcase_add_test(tc, test_slash_replies);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_inbox_handoff);
	tcase_add_test(tc, test_metrics_text);
	tcase_add_test(tc, test_metrics_heartbeat_age);
	tcase_add_test(tc, test_print_consume_is_cjson_print);
	tcase_add_test(tc, test_lazy_part);
	tcase_add_test(tc, test_cache_fill_json);
	tcase_add_test(tc, test_cache_large_builds_take_turns);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
