/*
 * check_selfmon: alertd's self-monitoring. Mostly the pure staleness
 * decision (selmon_plan: heartbeat rows + the last recorded state -> what
 * to announce and which ping to send), including its boundaries, missing
 * rows and alertd's own row; then the ping URL forms, the message, and
 * selmon_run on a real database: one decision per state change, recorded
 * with its outbox row, surviving a new alertd (restart) without a repeat.
 */
#include <stdio.h>

#include "check_alert.h"

#define NOW 1800000000000LL /* any fixed instant */
#define STALE_S 120

static struct sm_plan plan3(int64_t pollerd_age_s, int64_t alertd_age_s, int64_t apid_age_s,
			    int pollerd_was, int apid_was)
{
	struct sm_beat rows[3] = {
	    {"pollerd", NOW - pollerd_age_s * 1000},
	    {"alertd", NOW - alertd_age_s * 1000},
	    {"apid", NOW - apid_age_s * 1000},
	};
	int was[SM_NWATCHED] = {pollerd_was, apid_was};
	struct sm_plan p;
	selmon_plan(rows, 3, was, NOW, STALE_S, &p);
	return p;
}

START_TEST(test_watched_are_pollerd_and_apid)
{
	ck_assert_str_eq(selmon_watched[0], "pollerd");
	ck_assert_str_eq(selmon_watched[1], "apid");
}
END_TEST

START_TEST(test_all_fresh)
{
	struct sm_plan p = plan3(5, 1, 30, 0, 0);
	ck_assert_int_eq(p.ping_ok, 1);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
	ck_assert_int_eq(p.act[1], SM_NOTHING);
	ck_assert_int_eq(p.present[0], 1);
	ck_assert_int_eq(p.age_ms[0], 5000);
	ck_assert_int_eq(p.age_ms[1], 30000);
}
END_TEST

START_TEST(test_goes_stale_once)
{
	struct sm_plan p = plan3(600, 1, 10, 0, 0);
	ck_assert_int_eq(p.ping_ok, 0);
	ck_assert_int_eq(p.act[0], SM_ALERT_STALE);
	ck_assert_int_eq(p.act[1], SM_NOTHING);
	ck_assert_int_eq(p.age_ms[0], 600000);
	/* the decision is recorded: the next check says nothing more */
	p = plan3(630, 1, 10, 1, 0);
	ck_assert_int_eq(p.ping_ok, 0);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
}
END_TEST

START_TEST(test_recovers_once)
{
	struct sm_plan p = plan3(2, 1, 10, 1, 0);
	ck_assert_int_eq(p.ping_ok, 1);
	ck_assert_int_eq(p.act[0], SM_ALERT_RECOVERED);
	p = plan3(3, 1, 10, 0, 0);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
}
END_TEST

START_TEST(test_both_at_once)
{
	struct sm_plan p = plan3(500, 1, 500, 0, 0);
	ck_assert_int_eq(p.act[0], SM_ALERT_STALE);
	ck_assert_int_eq(p.act[1], SM_ALERT_STALE);
	p = plan3(1, 1, 500, 1, 1);
	ck_assert_int_eq(p.act[0], SM_ALERT_RECOVERED);
	ck_assert_int_eq(p.act[1], SM_NOTHING);
	ck_assert_int_eq(p.ping_ok, 0);
}
END_TEST

/* "Fresh" means younger than the limit: exactly the limit is stale. */
START_TEST(test_boundary)
{
	struct sm_beat rows[3] = {
	    {"pollerd", NOW - STALE_S * 1000 + 1}, {"alertd", NOW}, {"apid", NOW - STALE_S * 1000}};
	int was[SM_NWATCHED] = {0, 0};
	struct sm_plan p;
	selmon_plan(rows, 3, was, NOW, STALE_S, &p);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
	ck_assert_int_eq(p.act[1], SM_ALERT_STALE);
	ck_assert_int_eq(p.ping_ok, 0);
}
END_TEST

/* A daemon that never wrote a heartbeat is not announced (nothing went
 * stale), but the ping says fail, as /healthz answers 503. */
START_TEST(test_missing_row)
{
	struct sm_beat rows[2] = {{"alertd", NOW}, {"pollerd", NOW - 1000}};
	int was[SM_NWATCHED] = {0, 1};
	struct sm_plan p;
	selmon_plan(rows, 2, was, NOW, STALE_S, &p);
	ck_assert_int_eq(p.ping_ok, 0);
	ck_assert_int_eq(p.present[1], 0);
	ck_assert_int_eq(p.act[1], SM_NOTHING); /* even after a recorded stale */
	ck_assert_int_eq(p.act[0], SM_NOTHING);
	selmon_plan(NULL, 0, was, NOW, STALE_S, &p);
	ck_assert_int_eq(p.ping_ok, 0);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
	ck_assert_int_eq(p.act[1], SM_NOTHING);
}
END_TEST

/* alertd's own row only decides the ping: it never alerts about itself. */
START_TEST(test_alertd_row_only_pings)
{
	struct sm_plan p = plan3(1, 900, 1, 0, 0);
	ck_assert_int_eq(p.ping_ok, 0);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
	ck_assert_int_eq(p.act[1], SM_NOTHING);
}
END_TEST

/* Rows in any order; unknown names ignored; a future beat (clock step) is fresh. */
START_TEST(test_order_unknown_and_future)
{
	struct sm_beat rows[4] = {{"apid", NOW + 60000},
				  {"someone", NOW - 999999},
				  {"pollerd", NOW - 1000},
				  {"alertd", NOW}};
	int was[SM_NWATCHED] = {0, 1};
	struct sm_plan p;
	selmon_plan(rows, 4, was, NOW, STALE_S, &p);
	ck_assert_int_eq(p.ping_ok, 1);
	ck_assert_int_eq(p.age_ms[1], 0);
	ck_assert_int_eq(p.act[1], SM_ALERT_RECOVERED);
	ck_assert_int_eq(p.act[0], SM_NOTHING);
}
END_TEST

START_TEST(test_ping_url)
{
	const char *cases[][3] = {
	    {"https://hc-ping.com/abc", "", "https://hc-ping.com/abc"},
	    {"https://hc-ping.com/abc", "/fail", "https://hc-ping.com/abc/fail"},
	    {"https://hc-ping.com/abc/", "/start", "https://hc-ping.com/abc/start"},
	    {"https://hc.example/ping/k/slug?create=1", "/fail",
	     "https://hc.example/ping/k/slug/fail?create=1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *u = selmon_ping_url(cases[i][0], cases[i][1]);
		ck_assert_str_eq(u, cases[i][2]);
		free(u);
	}
}
END_TEST

START_TEST(test_payload)
{
	char *s = selmon_payload("pollerd", SM_ALERT_STALE, 300, -1, "2026-11-23T20:31:05.000Z");
	cJSON *o = cJSON_Parse(s);
	ck_assert_ptr_nonnull(o);
	const char *text = cJSON_GetObjectItem(o, "text")->valuestring;
	ck_assert_ptr_nonnull(strstr(text, "pollerd heartbeat is stale (last beat 5m ago)"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "blocks")), 2);
	cJSON_Delete(o);
	free(s);
	s = selmon_payload("apid", SM_ALERT_RECOVERED, 0, 3700, "2026-11-23T20:31:05.000Z");
	ck_assert_ptr_nonnull(strstr(s, "apid heartbeat recovered (silent for 1h 1m)"));
	free(s);
}
END_TEST

/* ---- selmon_run on a database -------------------------------------------- */

static struct tfx F;

static void setup(void)
{
	tfx_open(&F);
	ck_assert_int_eq(selmon_init(&F.a), 0); /* no ping URL: no transfer */
	F.a.conf.cfg.heartbeat_stale_after_seconds = STALE_S;
}

static void teardown(void)
{
	selmon_free(&F.a);
	tfx_close(&F);
}

static void beat_ago(const char *daemon, int64_t secs)
{
	char at[TS_ISO_LEN + 1];
	ts_format(ts_now_ms() - secs * 1000, at);
	char *sql = xasprintf("INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at)"
			      " VALUES ('%s', 1, 'x', '%s', '%s') ON CONFLICT (daemon)"
			      " DO UPDATE SET beat_at = excluded.beat_at",
			      daemon, at, at);
	tfx_exec(&F, sql);
	free(sql);
}

START_TEST(test_run_records_each_change_once)
{
	beat_ago("alertd", 0);
	beat_ago("apid", 0);
	beat_ago("pollerd", 600);
	selmon_run(&F.a);
	selmon_run(&F.a);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM daemon_health_log"), 1);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM daemon_health_log WHERE daemon ="
				     " 'pollerd' AND state = 'stale' AND suppressed_by IS NULL"),
			 1);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination = 'slack:main'"
				     " AND alert_id IS NULL AND payload LIKE '%pollerd heartbeat"
				     " is stale (last beat 10m ago)%'"),
			 1);
	/* a new alertd (restart) reads the state back: no repeat */
	selmon_free(&F.a);
	ck_assert_int_eq(selmon_init(&F.a), 0);
	selmon_run(&F.a);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox"), 1);
	beat_ago("pollerd", 0);
	selmon_run(&F.a);
	selmon_run(&F.a);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM daemon_health_log"), 2);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox WHERE payload LIKE"
				     " '%pollerd heartbeat recovered (silent for 10m)%'"),
			 1);
}
END_TEST

START_TEST(test_run_poller_health_channel_and_no_webhook)
{
	tfx_secret(&F.a.conf.cfg.secrets.poller_health_slack_webhook_url, "http://127.0.0.1:9/h");
	beat_ago("apid", 900);
	selmon_run(&F.a);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox WHERE destination ="
				     " 'slack:poller_health' AND payload LIKE '%apid heartbeat%'"),
			 1);
	/* no Slack at all: the decision is still recorded, so it is not replayed later */
	tfx_secret(&F.a.conf.cfg.secrets.poller_health_slack_webhook_url, NULL);
	tfx_secret(&F.a.conf.cfg.secrets.slack_webhook_url, NULL);
	beat_ago("apid", 0);
	selmon_run(&F.a);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM daemon_health_log WHERE state ="
				     " 'recovered' AND suppressed_by = 'webhook_not_configured'"),
			 1);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox"), 1);
}
END_TEST

static Suite *selmon_suite(void)
{
	Suite *s = suite_create("selmon");
	TCase *tc = tcase_create("plan");
	tcase_add_test(tc, test_watched_are_pollerd_and_apid);
	tcase_add_test(tc, test_all_fresh);
	tcase_add_test(tc, test_goes_stale_once);
	tcase_add_test(tc, test_recovers_once);
	tcase_add_test(tc, test_both_at_once);
	tcase_add_test(tc, test_boundary);
	tcase_add_test(tc, test_missing_row);
	tcase_add_test(tc, test_alertd_row_only_pings);
	tcase_add_test(tc, test_order_unknown_and_future);
	tcase_add_test(tc, test_ping_url);
	tcase_add_test(tc, test_payload);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_run_records_each_change_once);
	tcase_add_test(tc, test_run_poller_health_channel_and_no_webhook);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(selmon_suite());
}
