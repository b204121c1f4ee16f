/*
 * check_alert_report: what alertd builds besides messages -- incident
 * reports on recovery (walk-back bounded by the last operational event,
 * resolved_at = the recovery's time, the manual-flip rule) and postmortem
 * drafts; no status rollups; the SRE burn-rate table, row by row, and the
 * burn-rate job; Slack acks from the inbox.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "check_alert.h"

static struct tfx F;

static void setup(void)
{
	tfx_open(&F);
}

static void teardown(void)
{
	tfx_close(&F);
}

static int64_t at(const char *iso)
{
	int64_t ms;
	ck_assert_int_eq(ts_parse(iso, &ms), 0);
	return ms;
}

/* An event at a given time. */
static int64_t ev_at(const char *svc, const char *prev, const char *next, const char *iso,
		     const char *more)
{
	char *x = xasprintf("created_at = '%s'%s%s", iso, more ? ", " : "", more ? more : "");
	int64_t id = tfx_event_x(&F, svc, prev, next, x);
	free(x);
	return id;
}

/* ---- incident reports ------------------------------------------------------ */

START_TEST(test_report_walk_back_and_times)
{
	tfx_service(&F, "a", "critical");
	tfx_service(&F, "d1", NULL);
	tfx_service(&F, "d2", NULL);
	tfx_dep(&F, "a", "d2");
	tfx_dep(&F, "a", "d1");
	tfx_exec(&F, "UPDATE service_dependencies SET severity = 'critical' WHERE "
		     "downstream_service_id = 'd2'");
	ev_at("a", "unknown", "degraded", "2026-11-20T00:00:00.000Z", "is_baseline = 1");
	ev_at("a", "degraded", "operational", "2026-11-20T01:00:00.000Z", NULL);
	int64_t s = ev_at("a", "operational", "degraded", "2026-11-20T10:00:00.000Z",
			  "vendor_title = 'Slow pushes'");
	ev_at("a", "degraded", "major_outage", "2026-11-20T10:10:00.000Z", NULL);
	int64_t r = ev_at("a", "major_outage", "operational", "2026-11-20T11:05:00.000Z", NULL);
	ck_assert_int_eq(tfx_pass(&F), 5);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM incident_reports"), 2);
	/* the baseline episode: starts at the first (already bad) reading */
	char *v = tfx_text(&F, "SELECT started_at || '|' || resolved_at || '|' || event_count"
			       " FROM incident_reports ORDER BY id LIMIT 1");
	ck_assert_str_eq(v, "2026-11-20T00:00:00.000Z|2026-11-20T01:00:00.000Z|2");
	free(v);
	v = tfx_text(&F, "SELECT started_at || '|' || resolved_at || '|' || duration_seconds || '|'"
			 " || peak_severity || '|' || event_count || '|' || affected_downstream"
			 " || '|' || first_event_id || '|' || last_event_id"
			 " FROM incident_reports ORDER BY id DESC LIMIT 1");
	char *want = xasprintf("2026-11-20T10:00:00.000Z|2026-11-20T11:05:00.000Z|3900|major_outage"
			       "|3|[\"Svc d2\",\"Svc d1\"]|%lld|%lld",
			       (long long)s, (long long)r);
	ck_assert_str_eq(v, want);
	free(v);
	free(want);
	v = tfx_text(&F, "SELECT impact_summary FROM incident_reports ORDER BY id DESC LIMIT 1");
	ck_assert_str_eq(
	    v, "Svc a experienced major outage for 1h 5m. Potentially affected: Svc d2, Svc d1.");
	free(v);
	ck_assert_int_eq(tfx_int(&F, "SELECT json_array_length(events_json) FROM incident_reports"
				     " ORDER BY id DESC LIMIT 1"),
			 3);
	v = tfx_text(&F,
		     "SELECT json_extract(events_json, '$[0].vendor_title') FROM incident_reports"
		     " ORDER BY id DESC LIMIT 1");
	ck_assert_str_eq(v, "Slow pushes");
	free(v);
}
END_TEST

START_TEST(test_report_skips)
{
	tfx_service(&F, "short", NULL);
	tfx_service(&F, "poll", NULL);
	tfx_service(&F, "man", NULL);
	tfx_exec(&F, "UPDATE services SET poll_type = 'manual' WHERE id = 'man'");
	ev_at("short", "operational", "degraded", "2026-11-20T10:00:00.000Z", NULL);
	ev_at("short", "degraded", "operational", "2026-11-20T10:00:59.000Z", NULL);
	/* an operator override on a polled service: no report */
	ev_at("poll", "operational", "major_outage", "2026-11-20T10:00:00.000Z",
	      "source = 'manual'");
	ev_at("poll", "major_outage", "operational", "2026-11-20T11:00:00.000Z",
	      "source = 'manual'");
	/* a manual service has nothing but manual flips: they are its incidents */
	ev_at("man", "operational", "partial_outage", "2026-11-20T10:00:00.000Z",
	      "source = 'manual'");
	ev_at("man", "partial_outage", "operational", "2026-11-20T10:02:00.000Z",
	      "source = 'manual'");
	ck_assert_int_eq(tfx_pass(&F), 6);
	char *v = tfx_text(&F, "SELECT group_concat(service_id) FROM incident_reports");
	ck_assert_str_eq(v, "man");
	free(v);
}
END_TEST

START_TEST(test_postmortem_draft)
{
	F.a.conf.cfg.postmortems_enabled = 1;
	char *dir = xasprintf("%s/pm/drafts", F.dir);
	free(F.a.conf.cfg.postmortems_dir);
	F.a.conf.cfg.postmortems_dir = dir;
	tfx_service(&F, "a", NULL);
	tfx_service(&F, "d", NULL);
	tfx_dep(&F, "a", "d");
	ev_at("a", "operational", "degraded", "2026-11-20T10:00:00.000Z",
	      "vendor_title = 'Slow \"API\"'");
	ev_at("a", "degraded", "operational", "2026-11-20T11:05:00.000Z", NULL);
	ck_assert_int_eq(tfx_pass(&F), 2);
	char *path = xasprintf("%s/a-20261120T100000Z-64234a.md", dir);
	char *text = ts_read(path, NULL);
	ck_assert_msg(text != NULL, "no draft at %s", path);
	ck_assert(strncmp(text,
			  "---\nservice: \"a\"\nservice_name: \"Svc a\"\n"
			  "started_at: \"2026-11-20T10:00:00.000Z\"\n"
			  "resolved_at: \"2026-11-20T11:05:00.000Z\"\nduration: \"1h 5m\"\n"
			  "peak_severity: \"degraded\"\naffected_downstream:\n  - \"Svc d\"\n"
			  "event_count: 2\nstatus: draft\n---\n",
			  200) == 0);
	const char *sections[] = {"## Summary",	       "## Impact",	    "## Root Cause",
				  "## Timeline",       "## What Went Well", "## What Went Poorly",
				  "## What Got Lucky", "## Action Items",   "### Prevent",
				  "### Mitigate",      "### Detect",	    "### Repair"};
	const char *last = text;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		const char *p = strstr(last, sections[i]);
		ck_assert_msg(p != NULL, "missing or out of order: %s", sections[i]);
		last = p;
	}
	ck_assert(strstr(
	    text, "- 10:00:00 UTC \xe2\x80\x94 operational \xe2\x86\x92 degraded: Slow \"API\"\n"));
	ck_assert(strstr(text, "- **Affected downstream services:**\n  - Svc d\n"));
	/* a replay of the same recovery keeps the first draft */
	free(ts_write(F.dir, "pm/drafts/a-20261120T100000Z-64234a.md", "edited by a human"));
	struct ad_event *v;
	ck_assert_int_eq(events_load(F.a.db, 1, 1, NULL, &v), 1);
	ck_assert_int_eq(report_on_recovery(&F.a, &v[0]), 0);
	events_free(v, 1);
	free(text);
	text = ts_read(path, NULL);
	ck_assert_str_eq(text, "edited by a human");
	free(text);
	free(path);
}
END_TEST

START_TEST(test_duration_human)
{
	char b[32];
	ck_assert_str_eq(ts_duration_human(45, b, sizeof b), "45s");
	ck_assert_str_eq(ts_duration_human(60, b, sizeof b), "1m");
	ck_assert_str_eq(ts_duration_human(3599, b, sizeof b), "59m");
	ck_assert_str_eq(ts_duration_human(3600, b, sizeof b), "1h");
	ck_assert_str_eq(ts_duration_human(3900, b, sizeof b), "1h 5m");
	ck_assert_str_eq(ts_duration_human(90000, b, sizeof b), "25h");
	ck_assert_str_eq(ts_duration_human(-5, b, sizeof b), "0s");
}
END_TEST

/* ---- no rollups ----------------------------------------------------------------- */

/* status_rollups was written on every event and read by nothing; migration
 * 0008 drops it (doc/design.md#data-lifecycle). A pass over the events that
 * used to fill it must still commit. */
START_TEST(test_no_rollups)
{
	tfx_service(&F, "a", NULL);
	ev_at("a", "unknown", "operational", "2026-11-20T10:30:00.000Z", "is_baseline = 1");
	ev_at("a", "operational", "degraded", "2026-11-20T11:15:00.000Z", NULL);
	ev_at("a", "degraded", "operational", "2026-11-20T13:00:00.000Z", "in_maintenance = 1");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM sqlite_master WHERE name = 'status_rollups'"),
			 0);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"), 3);
}
END_TEST

/* ---- burn rate ----------------------------------------------------------------- */

#define MIN 60000LL
#define HOUR 3600000LL
#define DAY 86400000LL

/* The most severe breaching row (its index, *b filled), or -1. */
static int eval(const struct burn_step *s, size_t n, int64_t now, double dw, struct ad_burn *b)
{
	struct burn_window w[BURN_NWIN];
	burn_windows(s, n, now, dw, w);
	struct ad_burn all[BURN_NROWS];
	unsigned mask = burn_evaluate(&F.a.conf.cfg, w, all);
	for (int r = 0; r < BURN_NROWS; r++) {
		if (mask & (1u << r)) {
			*b = all[r];
			return r;
		}
	}
	return -1;
}

START_TEST(test_burn_table_rows)
{
	int64_t N = at("2026-11-23T12:00:00Z");
	struct ad_burn b;
	/* fast: the last 10 minutes down */
	struct burn_step fast[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				   {N - 10 * MIN, ST_MAJOR_OUTAGE, 0, 0}};
	ck_assert_int_eq(eval(fast, 2, N, 1, &b), 0);
	ck_assert_str_eq(b.row, "fast");
	ck_assert(b.page);
	ck_assert(b.long_burn > 166 && b.long_burn < 167);
	ck_assert(b.short_burn > 999 && b.short_burn < 1001);
	/* 1h exceeds 14.4 but 5m does not (it ended 10 min ago): fast must not
	 * fire; 6h and 30m both exceed 6, so slow does */
	struct burn_step slow[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				   {N - 20 * MIN, ST_MAJOR_OUTAGE, 0, 0},
				   {N - 10 * MIN, ST_OPERATIONAL, 0, 0}};
	ck_assert_int_eq(eval(slow, 3, N, 1, &b), 1);
	ck_assert_str_eq(b.row, "slow");
	ck_assert_str_eq(b.long_label, "6h");
	ck_assert_str_eq(b.short_label, "30m");
	ck_assert(!b.page); /* a slow burn mentions nobody (issue 14) */
	/* ticket: 3d over 1x and 6h over 1x, nothing faster */
	struct burn_step ticket[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				     {N - 2 * DAY, ST_MAJOR_OUTAGE, 0, 0},
				     {N - 2 * DAY + 5 * MIN, ST_OPERATIONAL, 0, 0},
				     {N - 3 * HOUR, ST_MAJOR_OUTAGE, 0, 0},
				     {N - 3 * HOUR + MIN, ST_OPERATIONAL, 0, 0}};
	ck_assert_int_eq(eval(ticket, 5, N, 1, &b), 2);
	ck_assert_str_eq(b.row, "ticket");
	ck_assert(!b.page);
	ck_assert_str_eq(b.long_label, "3d");
	/* a 30-second blip an hour ago pages nobody (the seed paged on it) */
	struct burn_step blip[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				   {N - 50 * MIN, ST_DEGRADED, 0, 0},
				   {N - 50 * MIN + 30000, ST_OPERATIONAL, 0, 0}};
	ck_assert_int_eq(eval(blip, 3, N, 1, &b), -1);
	/* the 3d window exceeds but its 6h window does not: no ticket */
	struct burn_step old[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				  {N - 2 * DAY, ST_MAJOR_OUTAGE, 0, 0},
				  {N - 2 * DAY + 30 * MIN, ST_OPERATIONAL, 0, 0}};
	ck_assert_int_eq(eval(old, 3, N, 1, &b), -1);
	/* degraded weighted 0 burns nothing */
	struct burn_step deg[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				  {N - 10 * MIN, ST_DEGRADED, 0, 0}};
	ck_assert_int_eq(eval(deg, 2, N, 0, &b), -1);
	ck_assert_int_eq(eval(deg, 2, N, 1, &b), 0);
	/* broken poller, maintenance, unknown: not tracked at all */
	struct burn_step blind[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				    {N - 10 * MIN, ST_MAJOR_OUTAGE, 1, 0}};
	ck_assert_int_eq(eval(blind, 2, N, 1, &b), -1);
	blind[1].broken = 0;
	blind[1].maintenance = 1;
	ck_assert_int_eq(eval(blind, 2, N, 1, &b), -1);
	/* the coverage rule: a window has a rate only when tracked time covers
	 * BURN_MIN_COVERAGE_PERCENT (90) of it -- 20 of 30 minutes is not enough */
	struct burn_step young[] = {{N - 20 * MIN, ST_MAJOR_OUTAGE, 0, 0}};
	ck_assert_int_eq(eval(young, 1, N, 1, &b), -1);
	struct burn_window w[BURN_NWIN];
	burn_windows(young, 1, N, 1, w);
	ck_assert(burn_rate(&w[BURN_1H], 99.9, 90) < 0);
	ck_assert(burn_rate(&w[BURN_30M], 99.9, 90) < 0);
	ck_assert(burn_rate(&w[BURN_5M], 99.9, 90) > 999);
	/* both sides of 90 %: 27 of 30 minutes tracked has a rate, a second less not */
	struct burn_step edge[] = {{N - 30 * DAY, ST_UNKNOWN, 0, 0},
				   {N - 27 * MIN, ST_MAJOR_OUTAGE, 0, 0}};
	burn_windows(edge, 2, N, 1, w);
	ck_assert(burn_rate(&w[BURN_30M], 99.9, 90) > 999);
	edge[1].at_ms += 1000;
	burn_windows(edge, 2, N, 1, w);
	ck_assert(burn_rate(&w[BURN_30M], 99.9, 90) < 0);
	/* blind steps (before monitoring, or an inherited episode) are not tracked */
	struct burn_step inh[] = {{N - 30 * DAY, ST_MAJOR_OUTAGE, 0, 0, 1, 0}};
	burn_windows(inh, 1, N, 1, w);
	ck_assert(w[BURN_30D].tracked_ms == 0);
	ck_assert_int_eq(eval(inh, 1, N, 1, &b), -1);
	/* paged steps burn, but not as unpaged time */
	struct burn_step pg[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				 {N - 10 * MIN, ST_MAJOR_OUTAGE, 0, 0, 0, 1}};
	burn_windows(pg, 2, N, 1, w);
	ck_assert(w[BURN_1H].bad_ms == 10 * MIN && w[BURN_1H].unpaged_bad_ms == 0);
	struct burn_window wu[BURN_NWIN];
	burn_unpaged(w, wu);
	struct ad_burn all[BURN_NROWS];
	ck_assert_uint_eq(burn_evaluate(&F.a.conf.cfg, w, all), 7u);
	ck_assert_uint_eq(burn_evaluate(&F.a.conf.cfg, wu, all), 0);
}
END_TEST

START_TEST(test_burn_budget_remaining)
{
	int64_t N = at("2026-11-23T12:00:00Z");
	/* 30 days tracked; 21.6 min down (half of a 99.9 % budget of 43.2 min)
	 * and the last 5 min down again */
	struct burn_step t[] = {{N - 30 * DAY, ST_OPERATIONAL, 0, 0},
				{N - 11 * MIN - 1296000, ST_MAJOR_OUTAGE, 0, 0},
				{N - 11 * MIN, ST_OPERATIONAL, 0, 0},
				{N - 5 * MIN, ST_MAJOR_OUTAGE, 0, 0}};
	/* bad: 21.6 min + 5 min = 26.6 min of 43.2 -> about 38 % left */
	struct ad_burn b;
	ck_assert_int_eq(eval(t, 4, N, 1, &b), 0);
	ck_assert_msg(b.budget_remaining > 38 && b.budget_remaining < 39, "%f", b.budget_remaining);
	ck_assert(b.target == 99.9);
}
END_TEST

START_TEST(test_burn_job)
{
	int64_t now = ts_now_ms();
	char t0[TS_ISO_LEN + 1], t1[TS_ISO_LEN + 1];
	ts_format(now - 2 * DAY, t0);
	ts_format(now - 10 * MIN, t1);
	const char *ids[] = {"p", "info", "man", "maint"};
	for (int i = 0; i < 4; i++) {
		tfx_service(&F, ids[i], i == 1 ? "informational" : NULL);
		ev_at(ids[i], "unknown", "operational", t0, "is_baseline = 1");
		ev_at(ids[i], "operational", "major_outage", t1, NULL);
	}
	tfx_exec(&F, "UPDATE services SET poll_type = 'manual' WHERE id = 'man'");
	tfx_exec(&F, "UPDATE services SET in_maintenance = 1 WHERE id = 'maint'");
	F.a.conf.cfg.slo_burn_rate_enabled = 1;
	ck_assert_int_eq(burn_run(&F.a), 1);
	char *v =
	    tfx_text(&F, "SELECT group_concat(service_id || ':' || new_status || ':' || severity"
			 " || ':' || COALESCE(suppressed_by, 'fired'), ' ') FROM alert_sent_log"
			 " WHERE alert_kind = 'slo_burn_rate'");
	/* fast and slow both breach: both recorded, one message names both */
	ck_assert_str_eq(v, "maint:slo_fast_burn:critical:maintenance_window"
			    " maint:slo_slow_burn:important:maintenance_window"
			    " p:slo_fast_burn:critical:fired p:slo_slow_burn:important:batched");
	free(v);
	ck_assert_int_eq(
	    tfx_int(&F,
		    "SELECT count(*) FROM alert_sent_log WHERE service_id = 'p'"
		    " AND new_status = 'slo_slow_burn' AND aggregated_under = 'slo_burn:p:fast'"),
	    1);
	v = tfx_text(&F, "SELECT payload FROM outbox WHERE destination_kind = 'slack'");
	ck_assert(tfx_contains(v, "SLO burn-rate alert: Svc p") && tfx_contains(v, "<!here>"));
	ck_assert(tfx_contains(v, "The slow row breaches too"));
	free(v);
	/* the next evaluation finds the same burn: no new row, no new message */
	ck_assert_int_eq(burn_run(&F.a), 0);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE alert_kind = 'slo_burn_rate'"),
	    4);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox"), 1);
}
END_TEST

/* ---- burn routing (issue 14) -------------------------------------------------- */

static void fake_now(int64_t ms)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", (long long)ms);
	setenv("ITSTATUS_FAKE_NOW_MS", v, 1);
}

static int64_t ev_ms(const char *svc, const char *prev, const char *next, int64_t ms,
		     const char *more)
{
	char iso[TS_ISO_LEN + 1];
	return ev_at(svc, prev, next, ts_format(ms, iso), more);
}

/* "fast:fired slow:batched" for a service's burn rows, in order. Caller frees. */
static char *burn_rows(const char *svc)
{
	char *sql =
	    xasprintf("SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT"
		      " substr(new_status, 5, length(new_status) - 9) || ':' ||"
		      " COALESCE(suppressed_by, 'fired') AS r FROM alert_sent_log"
		      " WHERE service_id = '%s' AND alert_kind = 'slo_burn_rate' ORDER BY id)",
		      svc);
	char *v = tfx_text(&F, sql);
	free(sql);
	return v;
}

#define ck_burn_rows(svc, want)                                                                    \
	do {                                                                                       \
		char *got_ = burn_rows(svc);                                                       \
		ck_assert_msg(!strcmp(got_, (want)), "%s: got '%s', want '%s'", (svc), got_,       \
			      (want));                                                             \
		free(got_);                                                                        \
	} while (0)

static int64_t burn_messages(const char *svc)
{
	char *sql =
	    xasprintf("SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id"
		      " WHERE a.service_id = '%s' AND a.alert_kind = 'slo_burn_rate'"
		      " AND o.destination_kind = 'slack'",
		      svc);
	int64_t n = tfx_int(&F, sql);
	free(sql);
	return n;
}

START_TEST(test_burn_slow_alone_no_mention)
{
	int64_t N = at("2026-11-23T12:00:00Z");
	fake_now(N);
	tfx_secret(&F.a.conf.cfg.secrets.generic_webhook_url, "http://127.0.0.1:9/generic");
	tfx_service(&F, "s", "critical");
	ev_ms("s", "unknown", "operational", N - 2 * DAY, "is_baseline = 1");
	ev_ms("s", "operational", "major_outage", N - 20 * MIN, NULL);
	ev_ms("s", "major_outage", "operational", N - 10 * MIN, NULL);
	/* 6h and 30m breach, the last 5 minutes are clean: slow only */
	ck_assert_int_eq(burn_run(&F.a), 1);
	ck_burn_rows("s", "slow:fired");
	char *sev =
	    tfx_text(&F, "SELECT severity FROM alert_sent_log WHERE alert_kind = 'slo_burn_rate'");
	ck_assert_str_eq(sev, "important");
	free(sev);
	char *v = tfx_text(&F, "SELECT payload FROM outbox WHERE destination_kind = 'slack'");
	ck_assert(tfx_contains(v, "SLO Slow burn-rate alert: Svc s"));
	ck_assert(!tfx_contains(v, "<!here>"));
	free(v);
	v = tfx_text(&F, "SELECT payload FROM outbox WHERE destination_kind = 'webhook'");
	cJSON *o = cJSON_Parse(v);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "severity")->valuestring, "important");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "mention")));
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "also_burn"));
	cJSON_Delete(o);
	free(v);
}
END_TEST

START_TEST(test_burn_covered_by_status_alert)
{
	/* the case: two days operational, then degraded for 95 s */
	int64_t N = at("2026-11-23T12:00:00Z");
	tfx_service(&F, "paged", NULL);
	tfx_service(&F, "quiet", NULL);
	for (int i = 0; i < 2; i++) {
		const char *s = i ? "quiet" : "paged";
		fake_now(N - 2 * DAY);
		ev_ms(s, "unknown", "operational", N - 2 * DAY, "is_baseline = 1");
		if (!i)
			ck_assert_int_eq(tfx_pass(&F), 1);
		fake_now(N - 100000);
		int64_t e = ev_ms(s, "operational", "degraded", N - 100000, NULL);
		if (!i) {
			ck_assert_int_eq(tfx_pass(&F), 1);
			ck_decision(&F, e, "fired");
		}
		fake_now(N - 5000);
		ev_ms(s, "degraded", "operational", N - 5000, NULL);
		if (!i)
			ck_assert_int_eq(tfx_pass(&F), 1);
	}
	/* 'quiet' never went through a pass: nobody was told, the burn pages */
	fake_now(N);
	ck_assert_int_eq(burn_run(&F.a), 1);
	ck_burn_rows("paged", "fast:covered_by_status_alert");
	ck_burn_rows("quiet", "fast:fired");
	ck_assert_int_eq(burn_messages("paged"), 0);
	ck_assert_int_eq(burn_messages("quiet"), 1);
	/* evaluated again: the same decision is not logged twice */
	fake_now(N + 60000);
	ck_assert_int_eq(burn_run(&F.a), 0);
	ck_burn_rows("paged", "fast:covered_by_status_alert");
	ck_assert(met_value("alerts_suppressed_total",
			    "{kind=\"slo_burn_rate\",reason=\"covered_by_status_alert\"}") == 2);
}
END_TEST

START_TEST(test_burn_coverage_and_monitoring_start)
{
	int64_t N = at("2026-11-23T12:00:00Z");
	fake_now(N);
	/* monitoring started 54 min ago (90 % of the 1h window): fast pages;
	 * 53 min ago: the 1h window is not covered, nothing */
	tfx_service(&F, "c90", NULL);
	ev_ms("c90", "unknown", "operational", N - 54 * MIN, "is_baseline = 1");
	ev_ms("c90", "operational", "major_outage", N - 10 * MIN, NULL);
	tfx_service(&F, "c88", NULL);
	ev_ms("c88", "unknown", "operational", N - 53 * MIN, "is_baseline = 1");
	ev_ms("c88", "operational", "major_outage", N - 10 * MIN, NULL);
	/* already down at the baseline 7 h ago: the episode started before
	 * monitoring did and never counts; the same outage starting one minute
	 * after the baseline does */
	tfx_service(&F, "inherited", NULL);
	ev_ms("inherited", "unknown", "major_outage", N - 7 * HOUR, "is_baseline = 1");
	tfx_service(&F, "seen", NULL);
	ev_ms("seen", "unknown", "operational", N - 7 * HOUR, "is_baseline = 1");
	ev_ms("seen", "operational", "major_outage", N - 7 * HOUR + MIN, NULL);
	/* events but no baseline at all: monitoring never started */
	tfx_service(&F, "nobase", NULL);
	ev_ms("nobase", "unknown", "operational", N - 2 * DAY, NULL);
	ev_ms("nobase", "operational", "major_outage", N - 10 * MIN, NULL);
	ck_assert_int_eq(burn_run(&F.a), 2);
	ck_burn_rows("c90", "fast:fired");
	ck_burn_rows("c88", "");
	ck_burn_rows("inherited", "");
	ck_burn_rows("seen", "fast:fired slow:batched");
	ck_burn_rows("nobase", "");
	/* the inherited episode ends; tracking starts there, and an outage once
	 * the hour after it is covered pages */
	ev_ms("inherited", "major_outage", "operational", N + 10 * MIN, NULL);
	ev_ms("inherited", "operational", "major_outage", N + 60 * MIN, NULL);
	fake_now(N + 63 * MIN);
	ck_assert_int_ge(burn_run(&F.a), 0); /* 53 min tracked in the 1h window */
	ck_burn_rows("inherited", "");
	fake_now(N + 70 * MIN);
	ck_assert_int_ge(burn_run(&F.a), 1);
	ck_burn_rows("inherited", "fast:fired");
}
END_TEST

START_TEST(test_burn_vendor_flap_pages_once)
{
	/* A vendor flaps inside one incident for an hour: degraded for 2 min
	 * every 6 min. The first degradation pages as a status change; the
	 * repeats are deduplicated (same vendor incident), so nobody hears of
	 * them -- except the burn alert, exactly once. */
	int64_t N0 = at("2026-11-23T12:00:00Z");
	tfx_service(&F, "v", NULL);
	fake_now(N0 - 2 * DAY);
	ev_ms("v", "unknown", "operational", N0 - 2 * DAY, "is_baseline = 1");
	ck_assert_int_eq(tfx_pass(&F), 1);
	int64_t next_burn = N0;
	for (int c = 0; c < 10; c++) {
		int64_t t = N0 + c * 6 * MIN;
		for (int k = 0; k < 2; k++) {
			int64_t et = t + k * 2 * MIN;
			while (next_burn <= et) {
				fake_now(next_burn);
				ck_assert_int_ge(burn_run(&F.a), 0);
				next_burn += 5 * MIN;
			}
			fake_now(et);
			int64_t e = k ? ev_ms("v", "degraded", "operational", et,
					      "vendor_incident_id = 'vi'")
				      : ev_ms("v", "operational", "degraded", et,
					      "vendor_incident_id = 'vi'");
			ck_assert_int_eq(tfx_pass(&F), 1);
			if (c == 0)
				ck_decision(&F, e, "fired");
			else
				ck_decision(&F, e, k ? "recovery_not_announced" : "dedup");
		}
	}
	while (next_burn <= N0 + HOUR) {
		fake_now(next_burn);
		ck_assert_int_ge(burn_run(&F.a), 0);
		next_burn += 5 * MIN;
	}
	/* the slow row breached first on the paged outage alone, then while the
	 * fast page stood: two suppressed decisions, no message */
	ck_burn_rows("v", "fast:covered_by_status_alert fast:fired slow:covered_by_status_alert"
			  " slow:covered_by_burn_alert");
	ck_assert_int_eq(burn_messages("v"), 1);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE alert_kind = 'slo_burn_rate'"
			" AND " AD_ANNOUNCED_SQL),
	    1);
}
END_TEST

/* ---- acks ----------------------------------------------------------------------- */

static int64_t inbox(const char *payload)
{
	sqlite3_stmt *st = db_prepare(F.a.db, "INSERT INTO inbox (kind, consumer, payload)"
					      " VALUES ('slack_ack', 'alertd', ?1)");
	db_bind_text(st, 1, payload);
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(F.a.db);
}

static char *inbox_state(int64_t id)
{
	char *sql = xasprintf(
	    "SELECT state || '|' || COALESCE(error, '') FROM inbox WHERE id = %lld", (long long)id);
	char *v = tfx_text(&F, sql);
	free(sql);
	return v;
}

START_TEST(test_ack_flow)
{
	F.a.conf.cfg.slack_ack_enabled = 1;
	tfx_secret(&F.a.conf.cfg.secrets.slack_signing_secret, "s3cret");
	tfx_service(&F, "a", NULL);
	int64_t e = tfx_event(&F, "a", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	int64_t alert = tfx_alert_of(&F, e);
	char *key = tfx_text(&F, "SELECT dedup_key FROM alert_sent_log");
	char *p = xasprintf("{\"response_url\":\"https://hooks.slack.com/actions/T1/2/abc\","
			    "\"user\":{\"id\":\"U1\",\"username\":\"alice\"},\"dedup_key\":\"%s\"}",
			    key);
	int64_t i1 = inbox(p);
	free(p);
	ck_assert_int_eq(ack_run(&F.a), 1);
	char *s = inbox_state(i1);
	ck_assert_str_eq(s, "applied|");
	free(s);
	char *sql = xasprintf("SELECT acknowledged_by FROM alert_sent_log WHERE id = %lld",
			      (long long)alert);
	s = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(s, "alice");
	free(s);
	s = tfx_text(&F, "SELECT json_extract(result, '$.message_update_queued') || '|' ||"
			 " json_extract(result, '$.acknowledged_by') FROM inbox WHERE id = 1");
	ck_assert_str_eq(s, "1|alice");
	free(s);
	s = tfx_text(&F, "SELECT destination || '|' || payload FROM outbox WHERE destination_kind "
			 "= 'slack_response'");
	ck_assert(tfx_contains(s, "slack_response:1|"));
	ck_assert(tfx_contains(s, "Acknowledged by @alice at ") && !tfx_contains(s, "ack_alert"));
	ck_assert(tfx_contains(s, "\"replace_original\":true"));
	free(s);
	ck_assert(F.a.outbox_dirty);
	/* again by key: nothing left to acknowledge; by id: already done */
	p = xasprintf("{\"user\":\"bob\",\"dedup_key\":\"%s\"}", key);
	int64_t i2 = inbox(p);
	free(p);
	p = xasprintf("{\"user\":\"bob\",\"alert_id\":%lld}", (long long)alert);
	int64_t i3 = inbox(p);
	free(p);
	int64_t i4 = inbox("[1,2]");
	ck_assert_int_eq(ack_run(&F.a), 3);
	s = inbox_state(i2);
	ck_assert_str_eq(s, "rejected|no fired, unacknowledged alert matches");
	free(s);
	s = inbox_state(i3);
	ck_assert_str_eq(s, "rejected|already acknowledged by alice");
	free(s);
	s = inbox_state(i4);
	ck_assert_str_eq(s, "rejected|payload is not a JSON object");
	free(s);
	ck_assert_int_eq(ack_run(&F.a), 0);
	free(key);
}
END_TEST

START_TEST(test_ack_bad_response_url_still_acks)
{
	tfx_service(&F, "a", NULL);
	int64_t e = tfx_event(&F, "a", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	char *p = xasprintf("{\"response_url\":\"https://evil.example/actions/x\",\"user\":\"eve\","
			    "\"alert_id\":%lld}",
			    (long long)tfx_alert_of(&F, e));
	inbox(p);
	free(p);
	ck_assert_int_eq(ack_run(&F.a), 1);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE acknowledged_by = 'eve'"), 1);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination_kind = 'slack_response'"),
	    0);
}
END_TEST

START_TEST(test_ack_cascades)
{
	/* a batch: the batch row and its four members */
	for (int i = 0; i < 4; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		tfx_event(&F, id, "operational", "degraded");
	}
	/* an aggregated alert: the upstream and its three dependents */
	tfx_service(&F, "up", NULL);
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof id, "d%d", i);
		tfx_service(&F, id, NULL);
		tfx_dep(&F, "up", id);
	}
	ck_assert_int_eq(tfx_pass(&F), 4);
	tfx_event(&F, "up", "operational", "major_outage");
	tfx_event(&F, "d0", "operational", "major_outage");
	tfx_event(&F, "d1", "operational", "major_outage");
	tfx_event(&F, "d2", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 4);
	char *bk = tfx_text(&F, "SELECT dedup_key FROM alert_sent_log WHERE alert_kind = 'batch'");
	char *uk = tfx_text(
	    &F, "SELECT dedup_key FROM alert_sent_log WHERE alert_kind = 'aggregated_upstream'");
	char *p = xasprintf("{\"user\":\"ops\",\"dedup_key\":\"%s\"}", bk);
	inbox(p);
	free(p);
	p = xasprintf("{\"user\":\"ops2\",\"value\":\"%s\"}", uk);
	inbox(p);
	free(p);
	ck_assert_int_eq(ack_run(&F.a), 2);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE acknowledged_by = 'ops'"), 5);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE acknowledged_by = 'ops2'"), 4);
	free(bk);
	free(uk);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("alert_report");
	TCase *tc = tcase_create("reports");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_report_walk_back_and_times);
	tcase_add_test(tc, test_report_skips);
	tcase_add_test(tc, test_postmortem_draft);
	tcase_add_test(tc, test_duration_human);
	tcase_add_test(tc, test_no_rollups);
	suite_add_tcase(s, tc);
	tc = tcase_create("burn");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_burn_table_rows);
	tcase_add_test(tc, test_burn_budget_remaining);
	tcase_add_test(tc, test_burn_job);
	tcase_add_test(tc, test_burn_slow_alone_no_mention);
	tcase_add_test(tc, test_burn_covered_by_status_alert);
	tcase_add_test(tc, test_burn_coverage_and_monitoring_start);
	tcase_add_test(tc, test_burn_vendor_flap_pages_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("acks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ack_flow);
	tcase_add_test(tc, test_ack_bad_response_url_still_acks);
	tcase_add_test(tc, test_ack_cascades);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(report_suite());
}
