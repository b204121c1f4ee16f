/*
 * check_route: every routing path of alertd, driven through the real pass
 * (pass_run) on a real database: each suppression reason, escalation inside
 * one vendor incident, repeats inside and after the dedup window, recovery
 * after an announced and an unannounced outage, aggregation at and below the
 * threshold, batches with and without a critical change, each tier, channel
 * overrides on every path, poller-health alerts, destinations, the cursor
 * and its all-or-nothing transaction.
 */
#include <stdio.h>

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

static int64_t outbox_rows(const char *where)
{
	char *sql = xasprintf("SELECT count(*) FROM outbox WHERE %s", where);
	int64_t n = tfx_int(&F, sql);
	free(sql);
	return n;
}

START_TEST(test_baseline_and_unannounced_recovery)
{
	tfx_service(&F, "a", NULL);
	tfx_service(&F, "b", NULL);
	int64_t e1 = tfx_event_x(&F, "a", "unknown", "operational", "is_baseline = 1");
	int64_t e2 = tfx_event_x(&F, "b", "unknown", "degraded", "is_baseline = 1");
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_decision(&F, e1, "baseline");
	ck_decision(&F, e2, "baseline");
	/* b was never announced as down: its recovery is not announced either */
	int64_t e3 = tfx_event(&F, "b", "degraded", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e3, "recovery_not_announced");
	ck_assert_int_eq(outbox_rows("1"), 0);
	ck_assert_int_eq(tfx_int(&F, "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'"),
			 e3);
	ck_assert_int_eq(tfx_pass(&F), 0);
	ck_assert(met_value("alerts_suppressed_total",
			    "{kind=\"status_change\",reason=\"baseline\"}") == 2);
}
END_TEST

START_TEST(test_fire_and_recover)
{
	tfx_service(&F, "a", NULL);
	int64_t e1 =
	    tfx_event_x(&F, "a", "operational", "major_outage", "impact_statement = 'A is down.'");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e1, "fired");
	ck_assert_int_eq(outbox_rows("destination = 'slack:main' AND state = 'pending'"), 1);
	char *p = tfx_payload(&F, tfx_alert_of(&F, e1), "slack");
	ck_assert(tfx_contains(p, "A is down."));
	ck_assert(!tfx_contains(p, "<!here>")); /* important tier */
	free(p);
	int64_t e2 = tfx_event(&F, "a", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e2, "fired");
	/* the recovery closes the outage's alert row at the recovery's time */
	char *sql =
	    xasprintf("SELECT count(*) FROM alert_sent_log WHERE status_event_id = %lld"
		      " AND resolved_at = (SELECT created_at FROM status_events WHERE id = %lld)",
		      (long long)e1, (long long)e2);
	ck_assert_int_eq(tfx_int(&F, sql), 1);
	free(sql);
	ck_assert(
	    met_value("alerts_sent_total", "{kind=\"status_change\",severity=\"important\"}") == 2);
}
END_TEST

START_TEST(test_escalation_in_vendor_incident)
{
	tfx_service(&F, "a", NULL);
	int64_t e1 = tfx_event_x(&F, "a", "operational", "degraded", "vendor_incident_id = 'inc1'");
	int64_t e2 =
	    tfx_event_x(&F, "a", "degraded", "major_outage", "vendor_incident_id = 'inc1'");
	int64_t e3 =
	    tfx_event_x(&F, "a", "major_outage", "degraded", "vendor_incident_id = 'inc1'");
	int64_t e4 = tfx_event(&F, "a", "degraded", "operational");
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, e1, "fired");
	ck_decision(&F, e2, "fired"); /* escalation: the seed suppressed it (doc/compat.md#bug-2) */
	ck_decision(&F, e3, "dedup");
	ck_decision(&F, e4, "fired");
	char *k = tfx_text(&F, "SELECT dedup_key FROM alert_sent_log ORDER BY id LIMIT 1 OFFSET 1");
	ck_assert_str_eq(k, "vendor:a:inc1:major_outage");
	free(k);
}
END_TEST

START_TEST(test_repeat_inside_and_after_window)
{
	int64_t t0 = 1795000000000LL;
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)t0);
	setenv("ITSTATUS_FAKE_NOW_MS", buf, 1);
	tfx_service(&F, "a", NULL);
	int64_t e1 = tfx_event(&F, "a", "operational", "degraded");
	int64_t e2 = tfx_event(&F, "a", "degraded", "partial_outage");
	int64_t e3 = tfx_event(&F, "a", "partial_outage", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_decision(&F, e1, "fired");
	ck_decision(&F, e2, "fired");
	ck_decision(&F, e3, "dedup");
	/* still the same outage a day and a second later: the window has passed */
	snprintf(buf, sizeof buf, "%lld", (long long)(t0 + 86401000LL));
	setenv("ITSTATUS_FAKE_NOW_MS", buf, 1);
	int64_t e4 = tfx_event(&F, "a", "degraded", "partial_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e4, "fired");
}
END_TEST

START_TEST(test_second_outage_same_day_alerts)
{
	tfx_service(&F, "a", NULL);
	int64_t e1 = tfx_event(&F, "a", "operational", "degraded");
	int64_t e2 = tfx_event(&F, "a", "degraded", "operational");
	int64_t e3 = tfx_event(&F, "a", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_decision(&F, e1, "fired");
	ck_decision(&F, e2, "fired");
	ck_decision(&F, e3, "fired"); /* a new episode; the seed's day key hid it */
}
END_TEST

START_TEST(test_vendor_incident_flap_is_deduped)
{
	tfx_service(&F, "a", NULL);
	int64_t e1 = tfx_event_x(&F, "a", "operational", "degraded", "vendor_incident_id = 'i9'");
	int64_t e2 = tfx_event(&F, "a", "degraded", "operational");
	int64_t e3 = tfx_event_x(&F, "a", "operational", "degraded", "vendor_incident_id = 'i9'");
	int64_t e4 = tfx_event(&F, "a", "degraded", "operational");
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, e1, "fired");
	ck_decision(&F, e2, "fired");
	ck_decision(&F, e3, "dedup");
	ck_decision(&F, e4, "recovery_not_announced");
}
END_TEST

START_TEST(test_maintenance_sources)
{
	char now[TS_ISO_LEN + 1], past[TS_ISO_LEN + 1], future[TS_ISO_LEN + 1];
	int64_t t = ts_now_ms();
	ts_format(t, now);
	ts_format(t - 3600000, past);
	ts_format(t + 3600000, future);
	const char *ids[] = {"vend", "local", "flag", "snap", "verif", "over", "open"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		tfx_service(&F, ids[i], NULL);
	char *sql = xasprintf(
	    "INSERT INTO scheduled_maintenances (service_id, source, title, scheduled_for,"
	    " scheduled_until, status) VALUES"
	    " ('vend', 'vendor', 'm', '%s', '%s', 'in_progress'),"
	    " ('local', 'local', 'm', '%s', '%s', 'scheduled'),"
	    " ('verif', 'vendor', 'm', '%s', '%s', 'verifying'),"
	    " ('over', 'vendor', 'm', '%s', '%s', 'in_progress'),"
	    " ('open', 'vendor', 'm', '%s', NULL, 'in_progress')",
	    past, future, past, future, past, future, past, past, past);
	tfx_exec(&F, sql);
	free(sql);
	tfx_exec(&F, "UPDATE services SET in_maintenance = 1 WHERE id = 'flag'");
	int64_t ev[7];
	for (size_t i = 0; i < 7; i++)
		ev[i] = tfx_event_x(&F, ids[i], "operational", "degraded",
				    !strcmp(ids[i], "snap") ? "in_maintenance = 1" : NULL);
	ck_assert_int_eq(tfx_pass(&F), 7);
	ck_decision(&F, ev[0], "maintenance_window");
	ck_decision(&F, ev[1], "maintenance_window");
	ck_decision(&F, ev[2], "maintenance_window");
	ck_decision(&F, ev[3], "maintenance_window");
	ck_decision(&F, ev[4], "fired"); /* verifying: no longer suppresses */
	ck_decision(&F, ev[5], "fired"); /* the window has ended */
	ck_decision(&F, ev[6], "maintenance_window");
	/* recovery of an outage suppressed by maintenance: not announced */
	int64_t r = tfx_event(&F, "vend", "degraded", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r, "recovery_not_announced");
}
END_TEST

START_TEST(test_recovery_during_maintenance_still_alerts)
{
	tfx_service(&F, "a", NULL);
	tfx_event(&F, "a", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	tfx_exec(&F, "UPDATE services SET in_maintenance = 1 WHERE id = 'a'");
	int64_t r = tfx_event(&F, "a", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r, "fired");
}
END_TEST

START_TEST(test_tiers)
{
	tfx_service(&F, "crit", "critical");
	tfx_service(&F, "imp", "important");
	tfx_service(&F, "info", "informational");
	int64_t c = tfx_event(&F, "crit", "operational", "major_outage");
	int64_t i = tfx_event(&F, "imp", "operational", "major_outage");
	int64_t n = tfx_event(&F, "info", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_decision(&F, c, "fired");
	ck_decision(&F, i, "fired");
	ck_decision(&F, n, "tier_informational");
	char *pc = tfx_payload(&F, tfx_alert_of(&F, c), "slack");
	char *pi = tfx_payload(&F, tfx_alert_of(&F, i), "slack");
	ck_assert(tfx_contains(pc, "<!here>"));
	ck_assert(!tfx_contains(pi, "<!here>"));
	free(pc);
	free(pi);
	ck_assert_int_eq(outbox_rows("1"), 2);
	char *sev = tfx_text(&F, "SELECT group_concat(severity, ',') FROM"
				 " (SELECT severity FROM alert_sent_log ORDER BY id)");
	ck_assert_str_eq(sev, "critical,important,informational");
	free(sev);
	/* the informational outage was never announced, so neither is its end */
	int64_t r = tfx_event(&F, "info", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r, "recovery_not_announced");
}
END_TEST

START_TEST(test_webhook_not_configured)
{
	tfx_secret(&F.a.conf.cfg.secrets.slack_webhook_url, NULL);
	tfx_service(&F, "a", NULL);
	int64_t e = tfx_event(&F, "a", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e, "webhook_not_configured");
	ck_assert_int_eq(outbox_rows("1"), 0);
}
END_TEST

START_TEST(test_override_individual_and_unset)
{
	setenv("T_OVERRIDE_ROUTE", "http://127.0.0.1:9/override", 1);
	unsetenv("T_OVERRIDE_UNSET");
	tfx_service(&F, "a", NULL);
	tfx_service(&F, "b", NULL);
	tfx_exec(&F, "UPDATE services SET slack_channel_override = '${T_OVERRIDE_ROUTE}'"
		     " WHERE id = 'a'");
	tfx_exec(&F, "UPDATE services SET slack_channel_override = '${T_OVERRIDE_UNSET}'"
		     " WHERE id = 'b'");
	tfx_event(&F, "a", "operational", "degraded");
	tfx_event(&F, "b", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_assert_int_eq(outbox_rows("destination = 'slack:env:T_OVERRIDE_ROUTE'"), 1);
	ck_assert_int_eq(outbox_rows("destination = 'slack:main'"), 1);
	/* the override holds even without a main webhook */
	tfx_secret(&F.a.conf.cfg.secrets.slack_webhook_url, NULL);
	int64_t e = tfx_event(&F, "a", "degraded", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, e, "fired");
	unsetenv("T_OVERRIDE_ROUTE");
}
END_TEST

START_TEST(test_batch_with_and_without_critical)
{
	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		tfx_event(&F, id, "operational", "degraded");
	}
	ck_assert_int_eq(tfx_pass(&F), 5);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE suppressed_by = 'batched'"), 5);
	ck_assert_int_eq(tfx_int(&F,
				 "SELECT count(*) FROM alert_sent_log WHERE alert_kind = 'batch'"
				 " AND suppressed_by IS NULL AND severity = 'important'"),
			 1);
	ck_assert_int_eq(outbox_rows("destination_kind = 'slack'"), 1);
	char *p = tfx_text(&F, "SELECT payload FROM outbox");
	ck_assert(tfx_contains(p, "5 Service Status Changes"));
	ck_assert(!tfx_contains(p, "<!here>"));
	free(p);
	/* members point at the batch that carried them */
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log m JOIN alert_sent_log b"
			" ON b.dedup_key = m.aggregated_under WHERE b.alert_kind = 'batch'"),
	    5);
	/* batched outages count as announced: their recoveries alert */
	for (int i = 0; i < 4; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_event(&F, id, "degraded", "operational");
	}
	tfx_service(&F, "crit", "critical");
	tfx_event(&F, "crit", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 5);
	ck_assert_int_eq(tfx_int(&F,
				 "SELECT count(*) FROM alert_sent_log WHERE alert_kind = 'batch'"
				 " AND severity = 'critical'"),
			 1);
	p = tfx_text(&F, "SELECT payload FROM outbox ORDER BY id DESC LIMIT 1");
	ck_assert(tfx_contains(p, "<!here>"));
	ck_assert(tfx_contains(p, "5 Service Status Changes"));
	free(p);
}
END_TEST

START_TEST(test_three_changes_are_not_a_batch)
{
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		tfx_event(&F, id, "operational", "degraded");
	}
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE suppressed_by IS NULL"), 3);
	ck_assert_int_eq(outbox_rows("destination_kind = 'slack'"), 3);
}
END_TEST

START_TEST(test_batch_per_override_destination)
{
	setenv("T_OVERRIDE_BATCH", "http://127.0.0.1:9/ov", 1);
	for (int i = 0; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof id, "s%d", i);
		tfx_service(&F, id, NULL);
		if (i < 4) {
			char *sql = xasprintf("UPDATE services SET slack_channel_override ="
					      " '${T_OVERRIDE_BATCH}' WHERE id = '%s'",
					      id);
			tfx_exec(&F, sql);
			free(sql);
		}
		tfx_event(&F, id, "operational", "degraded");
	}
	ck_assert_int_eq(tfx_pass(&F), 6);
	/* four for the override channel: one batch there; two individual to main */
	ck_assert_int_eq(outbox_rows("destination = 'slack:env:T_OVERRIDE_BATCH'"), 1);
	ck_assert_int_eq(outbox_rows("destination = 'slack:main'"), 2);
	unsetenv("T_OVERRIDE_BATCH");
}
END_TEST

static void make_upstream(int ndeps)
{
	tfx_service(&F, "up", "critical");
	for (int i = 0; i < ndeps; i++) {
		char id[8];
		snprintf(id, sizeof id, "d%d", i);
		tfx_service(&F, id, NULL);
		tfx_dep(&F, "up", id);
	}
}

START_TEST(test_aggregation_at_threshold)
{
	make_upstream(3);
	setenv("T_OVERRIDE_AGG", "http://127.0.0.1:9/agg", 1);
	tfx_exec(
	    &F, "UPDATE services SET slack_channel_override = '${T_OVERRIDE_AGG}' WHERE id = 'up'");
	int64_t d0 = tfx_event(&F, "d0", "operational", "major_outage");
	int64_t u = tfx_event_x(&F, "up", "operational", "major_outage",
				"impact_statement = 'Upstream is down.'");
	int64_t d1 = tfx_event(&F, "d1", "operational", "degraded");
	int64_t d2 = tfx_event(&F, "d2", "operational", "partial_outage");
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, u, "fired");
	ck_decision(&F, d0, "aggregated_under_upstream");
	ck_decision(&F, d1, "aggregated_under_upstream");
	ck_decision(&F, d2, "aggregated_under_upstream");
	char *sql = xasprintf("SELECT alert_kind FROM alert_sent_log WHERE status_event_id = %lld",
			      (long long)u);
	char *kind = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(kind, "aggregated_upstream");
	free(kind);
	ck_assert_int_eq(
	    tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE aggregated_under = 'up'"), 3);
	/* one message, to the upstream's override, naming every dependent */
	ck_assert_int_eq(outbox_rows("1"), 1);
	ck_assert_int_eq(outbox_rows("destination = 'slack:env:T_OVERRIDE_AGG'"), 1);
	char *p = tfx_payload(&F, tfx_alert_of(&F, u), "slack");
	ck_assert(tfx_contains(p, "3 dependent service(s) affected"));
	ck_assert(tfx_contains(p, "Svc d0") && tfx_contains(p, "Svc d1") &&
		  tfx_contains(p, "Svc d2"));
	ck_assert(tfx_contains(p, "<!here>"));
	free(p);
	/* the dependents were named, so their recoveries are announced */
	int64_t r = tfx_event(&F, "d1", "degraded", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r, "fired");
	unsetenv("T_OVERRIDE_AGG");
}
END_TEST

START_TEST(test_aggregation_below_threshold)
{
	/* Two dependents are too few for an aggregated message, but they broke
	 * with their upstream, whose alert fired first in the pass: they fold
	 * into it (issue 14) instead of paging on their own. */
	make_upstream(3);
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	int64_t d0 = tfx_event(&F, "d0", "operational", "major_outage");
	int64_t d1 = tfx_event(&F, "d1", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_decision(&F, u, "fired");
	ck_decision(&F, d0, "aggregated_under_upstream");
	ck_decision(&F, d1, "aggregated_under_upstream");
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"
				     " WHERE alert_kind = 'aggregated_upstream'"),
			 0);
	ck_assert_int_eq(outbox_rows("1"), 1);
	/* with correlation off, the seed's rule: each pages */
	F.a.conf.cfg.dependency_correlation_window_seconds = 0;
	int64_t d2 = tfx_event(&F, "d2", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d2, "fired");
}
END_TEST

START_TEST(test_aggregation_needs_upstream_to_fire)
{
	make_upstream(3);
	tfx_exec(&F, "UPDATE services SET tier = 'informational' WHERE id = 'up'");
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	int64_t d0 = tfx_event(&F, "d0", "operational", "major_outage");
	tfx_event(&F, "d1", "operational", "major_outage");
	tfx_event(&F, "d2", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, u, "tier_informational");
	ck_decision(&F, d0, "fired"); /* nobody would have told them otherwise */
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"
				     " WHERE suppressed_by = 'aggregated_under_upstream'"),
			 0);
}
END_TEST

START_TEST(test_aggregation_upstream_recovering_is_not_a_group)
{
	make_upstream(3);
	tfx_event(&F, "up", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	int64_t u = tfx_event(&F, "up", "major_outage", "operational");
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof id, "d%d", i);
		tfx_event(&F, id, "operational", "degraded");
	}
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, u, "batched"); /* four individual messages: one batch */
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"
				     " WHERE suppressed_by = 'aggregated_under_upstream'"),
			 0);
}
END_TEST

static void fake_now(int64_t ms)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", (long long)ms);
	setenv("ITSTATUS_FAKE_NOW_MS", v, 1);
}

static char *aggregated_under(int64_t event_id)
{
	char *sql = xasprintf("SELECT COALESCE(aggregated_under, '-') FROM alert_sent_log"
			      " WHERE status_event_id = %lld",
			      (long long)event_id);
	char *v = tfx_text(&F, sql);
	free(sql);
	return v;
}

START_TEST(test_correlation_across_passes)
{
	/* the upstream pages; its dependents break one and two polls later */
	int64_t t = 1795000000000LL;
	make_upstream(3);
	fake_now(t);
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, u, "fired");
	fake_now(t + 60000);
	int64_t d0 = tfx_event(&F, "d0", "operational", "degraded");
	int64_t d1 = tfx_event(&F, "d1", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 2);
	fake_now(t + 120000);
	int64_t d2 = tfx_event(&F, "d2", "operational", "partial_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	int64_t ids[] = {d0, d1, d2};
	for (int i = 0; i < 3; i++) {
		ck_decision(&F, ids[i], "aggregated_under_upstream");
		char *up = aggregated_under(ids[i]);
		ck_assert_str_eq(up, "up");
		free(up);
	}
	ck_assert_int_eq(outbox_rows("1"), 1); /* the upstream's message, nothing else */
	/* an escalation inside a folded episode stays folded while the upstream is out */
	fake_now(t + 180000);
	int64_t d0b = tfx_event(&F, "d0", "degraded", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d0b, "aggregated_under_upstream");
	ck_assert_int_eq(outbox_rows("1"), 1);
	/* a dependent's recovery is announced: it was named under the upstream */
	fake_now(t + 240000);
	int64_t r1 = tfx_event(&F, "d1", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r1, "fired");
	/* the upstream recovers: its report lists the folded dependents */
	fake_now(t + 300000);
	tfx_secret(&F.a.conf.cfg.secrets.generic_webhook_url, "http://127.0.0.1:9/generic");
	int64_t ru = tfx_event(&F, "up", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, ru, "fired");
	/* ... and so does its recovery message, on every destination */
	char *p = tfx_payload(&F, tfx_alert_of(&F, ru), "slack");
	ck_assert_msg(tfx_contains(p, "Dependents folded into its alert:* Svc d0, Svc d1, Svc d2"),
		      "%s", p);
	free(p);
	p = tfx_payload(&F, tfx_alert_of(&F, ru), "webhook");
	cJSON *o = cJSON_Parse(p);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "folded_dependents")), 3);
	cJSON_Delete(o);
	free(p);
	/* a dependent's own recovery names nothing */
	p = tfx_payload(&F, tfx_alert_of(&F, r1), "slack");
	ck_assert(!tfx_contains(p, "folded"));
	free(p);
	char *v = tfx_text(&F, "SELECT json_group_array(json_extract(j.value, '$.service_id'))"
			       " FROM incident_reports r, json_each(r.correlated_dependents) j"
			       " WHERE r.service_id = 'up'");
	ck_assert_str_eq(v, "[\"d0\",\"d1\",\"d2\"]");
	free(v);
	v = tfx_text(&F, "SELECT impact_summary FROM incident_reports WHERE service_id = 'up'");
	ck_assert_msg(tfx_contains(v, "Dependents folded into its alert: Svc d0, Svc d1, Svc d2."),
		      "%s", v);
	free(v);
	/* the upstream's alert is resolved: a dependent breaking again now is news */
	fake_now(t + 330000);
	int64_t again = tfx_event(&F, "d1", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, again, "fired");
}
END_TEST

START_TEST(test_correlation_window_edges)
{
	int64_t t = 1795000000000LL;
	make_upstream(3);
	/* d0 broke before the upstream: nothing explained it, it is sent */
	fake_now(t - 1000);
	int64_t d0 = tfx_event(&F, "d0", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	fake_now(t);
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d0, "fired");
	ck_decision(&F, u, "fired");
	/* exactly the window (300 s) after the upstream: folded; a second later: sent */
	fake_now(t + 300000);
	int64_t d1 = tfx_event(&F, "d1", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d1, "aggregated_under_upstream");
	fake_now(t + 301000);
	int64_t d2 = tfx_event(&F, "d2", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d2, "fired");
}
END_TEST

START_TEST(test_correlation_needs_an_announced_upstream)
{
	int64_t t = 1795000000000LL;
	make_upstream(3);
	/* the upstream's break was suppressed (maintenance): nobody heard of it */
	tfx_exec(&F, "UPDATE services SET in_maintenance = 1 WHERE id = 'up'");
	fake_now(t);
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, u, "maintenance_window");
	fake_now(t + 60000);
	int64_t d0 = tfx_event(&F, "d0", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, d0, "fired");
}
END_TEST

START_TEST(test_group_wait)
{
	int64_t t = 1795000000000LL;
	make_upstream(3);
	F.a.conf.cfg.alert_group_wait_seconds = 30;
	/* d0 breaks first: held back, the cursor stays before it */
	fake_now(t);
	int64_t d0 = tfx_event(&F, "d0", "operational", "major_outage");
	fake_now(t + 5000);
	ck_assert_int_eq(tfx_pass(&F), 0);
	ck_assert_int_eq(F.a.hold_until_ms, t + 30000);
	ck_decision(&F, d0, "none");
	/* its upstream breaks 10 s later: one pass decides both, the
	 * upstream first, and d0 folds into it */
	fake_now(t + 10000);
	int64_t u = tfx_event(&F, "up", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_decision(&F, u, "fired");
	ck_decision(&F, d0, "aggregated_under_upstream");
	ck_assert_int_lt(tfx_alert_of(&F, u), tfx_alert_of(&F, d0));
	ck_assert_int_eq(F.a.hold_until_ms, 0);
	/* an unrelated event behind a held one waits too (order is kept) */
	tfx_service(&F, "x", NULL);
	tfx_service(&F, "up2", NULL);
	tfx_dep(&F, "up2", "x");
	fake_now(t + 100000);
	int64_t x = tfx_event(&F, "x", "operational", "degraded");
	int64_t other = tfx_event(&F, "d1", "operational", "degraded"); /* folds under up */
	ck_assert_int_eq(tfx_pass(&F), 0);
	ck_decision(&F, x, "none");
	/* nothing came: after the wait x is sent as it is */
	fake_now(t + 130000);
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_decision(&F, x, "fired");
	ck_decision(&F, other, "aggregated_under_upstream");
	/* --once never waits */
	fake_now(t + 200000);
	int64_t x2 = tfx_event(&F, "x", "degraded", "operational");
	int64_t x3 = tfx_event(&F, "x", "operational", "degraded");
	F.a.opts.once = 1;
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_decision(&F, x2, "fired");
	ck_decision(&F, x3, "fired");
}
END_TEST

START_TEST(test_poller_health)
{
	tfx_service(&F, "a", NULL);
	tfx_service(&F, "c", "critical");
	tfx_service(&F, "i", "informational");
	int64_t silent = tfx_health(&F, "a", "healthy", "degraded");
	int64_t b = tfx_health(&F, "a", "degraded", "broken");
	int64_t bc = tfx_health(&F, "c", "healthy", "broken");
	int64_t bi = tfx_health(&F, "i", "healthy", "broken");
	ck_assert_int_eq(tfx_pass(&F), 4);
	ck_decision(&F, silent, "none");
	ck_decision(&F, b, "fired");
	ck_decision(&F, bc, "fired");
	ck_decision(&F, bi, "tier_informational");
	/* no dedicated webhook: the main one, saying so */
	char *p = tfx_payload(&F, tfx_alert_of(&F, b), "slack");
	ck_assert(tfx_contains(p, "Poller BROKEN"));
	ck_assert(tfx_contains(p, "Routed to the main alerting channel"));
	ck_assert(tfx_contains(p, "transient_http_503"));
	ck_assert(!tfx_contains(p, "<!here>"));
	free(p);
	p = tfx_payload(&F, tfx_alert_of(&F, bc), "slack");
	ck_assert(tfx_contains(p, "<!here>"));
	free(p);
	/* recovery announced; then a flap inside the window is deduped, and so
	 * is the recovery of what was never announced */
	tfx_secret(&F.a.conf.cfg.secrets.poller_health_slack_webhook_url, "http://127.0.0.1:9/ph");
	int64_t r = tfx_health(&F, "a", "broken", "healthy");
	int64_t b2 = tfx_health(&F, "a", "healthy", "broken");
	int64_t r2 = tfx_health(&F, "a", "broken", "healthy");
	ck_assert_int_eq(tfx_pass(&F), 3);
	ck_decision(&F, r, "fired");
	ck_decision(&F, b2, "dedup");
	ck_decision(&F, r2, "recovery_not_announced");
	char *sql = xasprintf("SELECT destination FROM outbox WHERE alert_id = %lld",
			      (long long)tfx_alert_of(&F, r));
	char *d = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(d, "slack:poller_health");
	free(d);
	p = tfx_payload(&F, tfx_alert_of(&F, r), "slack");
	ck_assert(tfx_contains(p, "Poller RECOVERED"));
	ck_assert(!tfx_contains(p, "Routed to the main"));
	free(p);
	/* each recovery closes its episode's BROKEN rows, announced or not */
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log WHERE service_id = 'a'"
				     " AND alert_kind = 'poller_health' AND new_status = 'broken'"
				     " AND resolved_at IS NOT NULL"),
			 2);
}
END_TEST

START_TEST(test_poller_health_maintenance)
{
	tfx_service(&F, "a", NULL);
	tfx_exec(&F, "UPDATE services SET in_maintenance = 1 WHERE id = 'a'");
	int64_t b = tfx_health(&F, "a", "healthy", "broken");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, b, "maintenance_window");
}
END_TEST

START_TEST(test_other_destinations)
{
	tfx_secret(&F.a.conf.cfg.secrets.generic_webhook_url, "http://127.0.0.1:9/gw");
	tfx_secret(&F.a.conf.cfg.secrets.teams_webhook_url, "http://127.0.0.1:9/teams");
	tfx_secret(&F.a.conf.cfg.secrets.pagerduty_routing_key, "rk");
	tfx_service(&F, "a", NULL);
	tfx_service(&F, "b", NULL);
	tfx_exec(&F, "UPDATE services SET config_json = '{\"destinations\":[\"pagerduty\"]}'"
		     " WHERE id = 'b'");
	int64_t e1 = tfx_event(&F, "a", "operational", "degraded");
	int64_t e2 = tfx_event(&F, "a", "degraded", "major_outage");
	int64_t e3 = tfx_event(&F, "a", "major_outage", "operational");
	int64_t e4 = tfx_event(&F, "b", "operational", "degraded");
	int64_t h = tfx_health(&F, "a", "healthy", "broken");
	ck_assert_int_eq(tfx_pass(&F), 5);
	char *sql = xasprintf("SELECT group_concat(destination_kind, ',') FROM (SELECT"
			      " destination_kind FROM outbox WHERE alert_id = %lld ORDER BY id)",
			      (long long)tfx_alert_of(&F, e1));
	char *k = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(k, "slack,webhook,teams,pagerduty");
	free(k);
	/* escalation and recovery: the same PagerDuty incident */
	char *p1 = tfx_payload(&F, tfx_alert_of(&F, e1), "pagerduty");
	char *p2 = tfx_payload(&F, tfx_alert_of(&F, e2), "pagerduty");
	char *p3 = tfx_payload(&F, tfx_alert_of(&F, e3), "pagerduty");
	cJSON *j1 = cJSON_Parse(p1), *j2 = cJSON_Parse(p2), *j3 = cJSON_Parse(p3);
	const char *k1 = cJSON_GetStringValue(cJSON_GetObjectItem(j1, "dedup_key"));
	ck_assert_str_eq(k1, cJSON_GetStringValue(cJSON_GetObjectItem(j2, "dedup_key")));
	ck_assert_str_eq(k1, cJSON_GetStringValue(cJSON_GetObjectItem(j3, "dedup_key")));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j1, "event_action")), "trigger");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j3, "event_action")), "resolve");
	ck_assert_ptr_null(cJSON_GetObjectItem(j1, "routing_key")); /* a secret: added at send */
	cJSON_Delete(j1);
	cJSON_Delete(j2);
	cJSON_Delete(j3);
	free(p1);
	free(p2);
	free(p3);
	/* b only pages */
	sql = xasprintf(
	    "SELECT group_concat(destination_kind, ',') FROM outbox WHERE alert_id = %lld",
	    (long long)tfx_alert_of(&F, e4));
	k = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(k, "pagerduty");
	free(k);
	/* a recovery resolves only what was paged: d's outage was silenced
	 * under its upstream, so its recovery sends no resolve */
	tfx_service(&F, "up", NULL);
	tfx_service(&F, "d0", NULL);
	tfx_service(&F, "d1", NULL);
	tfx_service(&F, "d2", NULL);
	tfx_dep(&F, "up", "d0");
	tfx_dep(&F, "up", "d1");
	tfx_dep(&F, "up", "d2");
	tfx_event(&F, "up", "operational", "major_outage");
	tfx_event(&F, "d0", "operational", "major_outage");
	tfx_event(&F, "d1", "operational", "major_outage");
	tfx_event(&F, "d2", "operational", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 4);
	int64_t r0 = tfx_event(&F, "d0", "major_outage", "operational");
	ck_assert_int_eq(tfx_pass(&F), 1);
	ck_decision(&F, r0, "fired");
	sql = xasprintf(
	    "SELECT group_concat(destination_kind, ',') FROM outbox WHERE alert_id = %lld",
	    (long long)tfx_alert_of(&F, r0));
	k = tfx_text(&F, sql);
	free(sql);
	ck_assert_str_eq(k, "slack,webhook,teams");
	free(k);
	/* poller health never pages */
	sql = xasprintf("SELECT count(*) FROM outbox WHERE alert_id = %lld AND"
			" destination_kind = 'pagerduty'",
			(long long)tfx_alert_of(&F, h));
	ck_assert_int_eq(tfx_int(&F, sql), 0);
	free(sql);
}
END_TEST

/* The Markdown Teams renders in a card: vendor text must show as typed. */
START_TEST(test_teams_escapes_markdown)
{
	char *e = dest_md_escape("[Reset SSO](https://evil.example) *now* _x_ ~y~ `z` \\");
	ck_assert_str_eq(e, "\\[Reset SSO\\]\\(https://evil.example\\) \\*now\\* \\_x\\_ \\~y\\~ "
			    "\\`z\\` \\\\");
	free(e);
	tfx_secret(&F.a.conf.cfg.secrets.teams_webhook_url, "http://127.0.0.1:9/teams");
	tfx_service(&F, "a", NULL);
	int64_t ev = tfx_event(&F, "a", "operational", "major_outage");
	tfx_exec(&F, "UPDATE status_events SET vendor_title = '[Reset SSO](https://evil.example)'"
		     " WHERE service_id = 'a'");
	ck_assert_int_eq(tfx_pass(&F), 1);
	char *p = tfx_payload(&F, tfx_alert_of(&F, ev), "teams");
	ck_assert_ptr_nonnull(p);
	cJSON *j = cJSON_Parse(p);
	const cJSON *facts = NULL;
	const cJSON *body = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "attachments"), 0),
				"content"),
	    "body");
	for (const cJSON *b = body ? body->child : NULL; b; b = b->next)
		if (cJSON_GetObjectItem(b, "facts"))
			facts = cJSON_GetObjectItem(b, "facts");
	ck_assert_ptr_nonnull(facts);
	const char *shown = NULL;
	for (const cJSON *f = facts->child; f; f = f->next)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(f, "title")), "Vendor incident"))
			shown = cJSON_GetStringValue(cJSON_GetObjectItem(f, "value"));
	ck_assert_ptr_nonnull(shown);
	ck_assert_str_eq(shown, "\\[Reset SSO\\]\\(https://evil.example\\)");
	cJSON_Delete(j);
	free(p);
}
END_TEST

START_TEST(test_ack_button_needs_signing_secret)
{
	tfx_service(&F, "a", NULL);
	F.a.conf.cfg.slack_ack_enabled = 1;
	int64_t e1 = tfx_event(&F, "a", "operational", "degraded");
	ck_assert_int_eq(tfx_pass(&F), 1);
	char *p = tfx_payload(&F, tfx_alert_of(&F, e1), "slack");
	ck_assert(!tfx_contains(p, "ack_alert")); /* a click apid cannot verify */
	free(p);
	tfx_secret(&F.a.conf.cfg.secrets.slack_signing_secret, "s3cret");
	int64_t e2 = tfx_event(&F, "a", "degraded", "major_outage");
	ck_assert_int_eq(tfx_pass(&F), 1);
	p = tfx_payload(&F, tfx_alert_of(&F, e2), "slack");
	ck_assert(
	    tfx_contains(p, "\"action_id\":\"ack_alert\",\"value\":\"episode:a:1:major_outage\""));
	free(p);
}
END_TEST

START_TEST(test_pass_is_all_or_nothing)
{
	tfx_service(&F, "a", NULL);
	int64_t e1 = tfx_event(&F, "a", "operational", "degraded");
	tfx_event(&F, "a", "degraded", "operational");
	/* a failure in the middle of the pass (here: the outbox insert) */
	tfx_exec(&F, "CREATE TEMP TRIGGER boom BEFORE INSERT ON outbox"
		     " BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_assert_int_eq(tfx_pass(&F), -1);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"), 0);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM cursors"), 0);
	ck_assert(
	    met_value("alerts_sent_total", "{kind=\"status_change\",severity=\"important\"}") < 0);
	tfx_exec(&F, "DROP TRIGGER boom");
	ck_assert_int_eq(tfx_pass(&F), 2);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"), 2);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM outbox"), 2);
	ck_decision(&F, e1, "fired");
	ck_assert_int_eq(tfx_pass(&F), 0);
}
END_TEST

START_TEST(test_pass_limit_and_cursor)
{
	tfx_service(&F, "a", NULL);
	const char *st[] = {"operational", "degraded"};
	int64_t last = 0;
	for (int i = 0; i < 7; i++)
		last = tfx_event(&F, "a", st[i % 2], st[(i + 1) % 2]);
	ck_assert_int_eq(pass_run(&F.a, 3), 3);
	ck_assert_int_eq(pass_run(&F.a, 3), 3);
	ck_assert_int_eq(pass_run(&F.a, 3), 1);
	ck_assert_int_eq(pass_run(&F.a, 3), 0);
	ck_assert_int_eq(tfx_int(&F, "SELECT last_event_id FROM cursors"), last);
	ck_assert_int_eq(tfx_int(&F, "SELECT count(*) FROM alert_sent_log"), 7);
}
END_TEST

static Suite *route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_baseline_and_unannounced_recovery);
	tcase_add_test(tc, test_fire_and_recover);
	tcase_add_test(tc, test_escalation_in_vendor_incident);
	tcase_add_test(tc, test_repeat_inside_and_after_window);
	tcase_add_test(tc, test_second_outage_same_day_alerts);
	tcase_add_test(tc, test_vendor_incident_flap_is_deduped);
	tcase_add_test(tc, test_maintenance_sources);
	tcase_add_test(tc, test_recovery_during_maintenance_still_alerts);
	tcase_add_test(tc, test_tiers);
	tcase_add_test(tc, test_webhook_not_configured);
	tcase_add_test(tc, test_override_individual_and_unset);
	tcase_add_test(tc, test_batch_with_and_without_critical);
	tcase_add_test(tc, test_three_changes_are_not_a_batch);
	tcase_add_test(tc, test_batch_per_override_destination);
	tcase_add_test(tc, test_aggregation_at_threshold);
	tcase_add_test(tc, test_aggregation_below_threshold);
	tcase_add_test(tc, test_aggregation_needs_upstream_to_fire);
	tcase_add_test(tc, test_aggregation_upstream_recovering_is_not_a_group);
	tcase_add_test(tc, test_correlation_across_passes);
	tcase_add_test(tc, test_correlation_window_edges);
	tcase_add_test(tc, test_correlation_needs_an_announced_upstream);
	tcase_add_test(tc, test_group_wait);
	tcase_add_test(tc, test_poller_health);
	tcase_add_test(tc, test_poller_health_maintenance);
	tcase_add_test(tc, test_other_destinations);
	tcase_add_test(tc, test_ack_button_needs_signing_secret);
	tcase_add_test(tc, test_teams_escapes_markdown);
	tcase_add_test(tc, test_pass_is_all_or_nothing);
	tcase_add_test(tc, test_pass_limit_and_cursor);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ts_run(route_suite());
}
