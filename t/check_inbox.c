/*
 * check_inbox: pollerd's inbox commands on a scratch database -- manual
 * status (change, same-status detail update, audit fields, rejections), the
 * three real Statuspage webhook deliveries for whole-page and component
 * services (meta.unsubscribe is not an unsubscribe, resolved means
 * operational, other components are ignored), local maintenance windows
 * (create, cancel, in_maintenance), and the data_version gate that makes an
 * idle look nearly free. Rows are inserted from a second connection, as apid
 * does.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "tpollerd.h"
#include "tsupport.h"
#include "xalloc.h"

static const char *SERVICES =
    "services:\n"
    "  - {id: idp, display_name: Okta, category: identity, poll_type: manual}\n"
    "  - {id: app, display_name: App, category: other, poll_type: manual}\n"
    "  - {id: page, display_name: Zulip, category: collaboration, poll_type: statuspage_json,"
    " poll_url: 'http://127.0.0.1:1/summary.json'}\n"
    "  - {id: dbc, display_name: Zulip DB, category: collaboration, poll_type: statuspage_json,"
    " poll_url: 'http://127.0.0.1:1/summary.json', component_name: Database component}\n"
    "  - {id: portal, display_name: Zulip Portal, category: collaboration,"
    " poll_type: statuspage_json, poll_url: 'http://127.0.0.1:1/summary.json',"
    " component_id: zvdm6f7gf76j}\n";
static const char *DEPS = "dependencies:\n  idp:\n    - {service: app, impact: login}\n";

static struct pollerd *p;
static sqlite3 *other; /* "apid" */

static void setup(void)
{
	p = tp_start(SERVICES, DEPS);
	other = db_open(p->conf.cfg.database_path, 0);
	ck_assert_ptr_nonnull(other);
}

static void teardown(void)
{
	db_close(other);
	tp_stop(p);
}

/* Insert an inbox row from the other connection; returns its id. */
static int64_t put(const char *kind, const char *service_id, const char *payload)
{
	sqlite3_stmt *st =
	    db_prepare(other, "INSERT INTO inbox (kind, consumer, service_id, payload,"
			      " client_ip) VALUES (?1, 'pollerd', ?2, ?3, '10.0.0.7')");
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, service_id);
	db_bind_text(st, 3, payload);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(other);
}

static int64_t put_fixture(const char *service_id, const char *name)
{
	char *rel = xasprintf("statuspage-webhook/%s", name);
	char *path = ts_fixture(rel);
	char *body = ts_read(path, NULL);
	ck_assert_msg(body != NULL, "fixture %s missing", path);
	int64_t id = put("webhook_statuspage", service_id, body);
	free(body);
	free(path);
	free(rel);
	return id;
}

static char *q(const char *sql)
{
	return tp_q(p, sql);
}

#define ck_q(want, ...)                                                                            \
	do {                                                                                       \
		char *sql_ = xasprintf(__VA_ARGS__);                                               \
		char *got_ = q(sql_);                                                              \
		ck_assert_msg(strcmp(got_, want) == 0, "%s\n  got  '%s'\n  want '%s'", sql_, got_, \
			      want);                                                               \
		free(got_);                                                                        \
		free(sql_);                                                                        \
	} while (0)

START_TEST(test_manual_status)
{
	int64_t id = put("manual_status", "idp",
			 "{\"status\":\"major_outage\",\"detail\":\"SSO down\",\"reason\":\"vendor "
			 "call\",\"updated_by\":\"admin\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("applied", "SELECT state FROM inbox WHERE id = %lld", (long long)id);
	ck_q("{\"service_id\":\"idp\",\"status\":\"major_outage\",\"previous_status\":\"unknown\","
	     "\"status_changed\":true,\"event_id\":1}",
	     "SELECT result FROM inbox WHERE id = %lld", (long long)id);
	ck_q("1", "SELECT event_id FROM inbox WHERE id = %lld", (long long)id);
	ck_q("manual|unknown|major_outage|0|admin|vendor call|10.0.0.7|1|SSO down",
	     "SELECT source || '|' || previous_status || '|' || new_status || '|' || is_baseline ||"
	     " '|' || updated_by || '|' || reason || '|' || client_ip || '|' || inbox_id || '|' ||"
	     " vendor_detail FROM status_events WHERE id = 1");
	ck_q("\u26a0\ufe0f Okta is experiencing a MAJOR OUTAGE. SSO down. This may impact: App.",
	     "SELECT impact_statement FROM status_events WHERE id = 1");
	ck_q("major_outage|manual|SSO down",
	     "SELECT current_status || '|' || status_source || '|' || current_status_detail FROM"
	     " services WHERE id = 'idp'");
	/* same status, new detail: detail only, no event */
	id = put("manual_status", "idp",
		 "{\"status\":\"major_outage\",\"detail\":\"still down\",\"reason\":\"update\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("{\"service_id\":\"idp\",\"status\":\"major_outage\",\"previous_status\":\"major_"
	     "outage\","
	     "\"status_changed\":false,\"event_id\":null}",
	     "SELECT result FROM inbox WHERE id = %lld", (long long)id);
	ck_q("(null)", "SELECT event_id FROM inbox WHERE id = %lld", (long long)id);
	ck_q("1", "SELECT count(*) FROM status_events");
	ck_q("still down", "SELECT current_status_detail FROM services WHERE id = 'idp'");
	/* rejections leave no trace */
	int64_t bad1 = put("manual_status", "idp", "{\"status\":\"sideways\",\"reason\":\"x\"}");
	int64_t bad2 = put("manual_status", "nope", "{\"status\":\"degraded\",\"reason\":\"x\"}");
	int64_t bad3 = put("manual_status", "idp", "{\"status\":\"degraded\"}");
	int64_t bad4 = put("manual_status", "idp", "[1,2]");
	ck_assert_int_eq(inbox_poll(p, 0), 4);
	ck_q("rejected|invalid status 'sideways'",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)bad1);
	ck_q("rejected|service nope not found",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)bad2);
	ck_q("rejected|reason is required",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)bad3);
	ck_q("rejected|payload is not a JSON object",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)bad4);
	ck_q("1", "SELECT count(*) FROM status_events");
	/* recovery */
	put("manual_status", "idp", "{\"status\":\"operational\",\"reason\":\"fixed\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("Okta has recovered and is now operational.",
	     "SELECT impact_statement FROM status_events WHERE id = 2");
}
END_TEST

/* A whole-page service is moved by a component_update (doc/drift.md#webhooks). */
START_TEST(test_webhook_component_update_whole_page)
{
	static const char cu[] =
	    "\"component\":{\"status\":\"major_outage\",\"name\":\"Database component\","
	    "\"id\":\"sqm6pl84wzjc\"},\"component_update\":{\"old_status\":\"operational\","
	    "\"new_status\":\"major_outage\",\"id\":\"nd963wv4j30b\",\"component_id\":"
	    "\"sqm6pl84wzjc\"}";
	/* no page summary: the component's new status, through the component table */
	char *body = xasprintf("{\"meta\":{\"unsubscribe\":\"http://x/?u=1\"},%s}", cu);
	int64_t a = put("webhook_statuspage", "page", body);
	free(body);
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("applied|1", "SELECT state || '|' || event_id FROM inbox WHERE id = %lld",
	     (long long)a);
	ck_q("major_outage|webhook|Database component: Major Outage",
	     "SELECT current_status || '|' || status_source || '|' || current_status_detail FROM"
	     " services WHERE id = 'page'");
	/* the page's summary wins when the payload carries it */
	body = xasprintf("{\"page\":{\"id\":\"jb7j80lkgqvb\",\"status_indicator\":\"minor\","
			 "\"status_description\":\"Minor Service Outage\"},%s}",
			 cu);
	put("webhook_statuspage", "page", body);
	free(body);
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("degraded|Minor Service Outage",
	     "SELECT current_status || '|' || current_status_detail FROM services WHERE id = "
	     "'page'");
	/* a word outside the table is refused, nothing moves */
	int64_t c = put("webhook_statuspage", "page",
			"{\"component_update\":{\"new_status\":\"on_fire\"}}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("rejected|unmapped_value: component_update.new_status=on_fire",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)c);
	ck_q("degraded", "SELECT current_status FROM services WHERE id = 'page'");
}
END_TEST

START_TEST(test_webhook_fixtures)
{
	/* 1. component_update: Database component under_maintenance */
	int64_t a = put_fixture("dbc", "zulip-component-update-under-maintenance.json");
	int64_t b = put_fixture("page", "zulip-component-update-under-maintenance.json");
	int64_t c = put_fixture("portal", "zulip-component-update-under-maintenance.json");
	ck_assert_int_eq(inbox_poll(p, 0), 3);
	ck_q("applied|1", "SELECT state || '|' || event_id FROM inbox WHERE id = %lld",
	     (long long)a);
	ck_q("dbc|webhook|unknown|degraded|1|Database component: Under Maintenance",
	     "SELECT service_id || '|' || source || '|' || previous_status || '|' || new_status ||"
	     " '|' || in_maintenance || '|' || vendor_detail FROM status_events WHERE id = 1");
	ck_q("degraded|1|webhook",
	     "SELECT current_status || '|' || in_maintenance || '|' || status_source FROM services"
	     " WHERE id = 'dbc'");
	/* whole page: indicator maintenance + the component's state -> degraded, in maintenance */
	ck_q("page|degraded|1|Service Under Maintenance",
	     "SELECT service_id || '|' || new_status || '|' || in_maintenance || '|' || "
	     "vendor_detail"
	     " FROM status_events WHERE id = 2");
	/* another component's update is not the portal's business */
	ck_q("applied|(null)",
	     "SELECT state || '|' || coalesce(event_id, '(null)') FROM inbox WHERE"
	     " id = %lld",
	     (long long)c);
	ck_q("component_update for another component (Database component)",
	     "SELECT json_extract(result, '$.ignored') FROM inbox WHERE id = %lld", (long long)c);
	ck_q("0", "SELECT json_extract(result, '$.status_changed') FROM inbox WHERE id = %lld",
	     (long long)c);
	(void)b;

	/* 2. incident identified, impact none, page none */
	int64_t d = put_fixture("page", "zulip-incident-created-identified.json");
	int64_t e = put_fixture("portal", "zulip-incident-created-identified.json");
	int64_t f = put_fixture("dbc", "zulip-incident-created-identified.json");
	ck_assert_int_eq(inbox_poll(p, 0), 3);
	ck_q(
	    "page|degraded|operational|z3lct0r596n4|Database query delays|0",
	    "SELECT service_id || '|' || previous_status || '|' || new_status || '|' ||"
	    " vendor_incident_id || '|' || vendor_title || '|' || in_maintenance FROM status_events"
	    " WHERE inbox_id = %lld",
	    (long long)d);
	ck_q("portal|unknown|operational",
	     "SELECT service_id || '|' || previous_status || '|' || new_status FROM status_events"
	     " WHERE inbox_id = %lld",
	     (long long)e);
	ck_q("incident does not list component Database component",
	     "SELECT json_extract(result, '$.ignored') FROM inbox WHERE id = %lld", (long long)f);

	/* 3. resolved: operational whatever the impact; same status -> no event */
	put("manual_status", "page",
	    "{\"status\":\"partial_outage\",\"reason\":\"seen on twitter\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	int64_t g = put_fixture("page", "zulip-incident-update-resolved.json");
	int64_t h = put_fixture("portal", "zulip-incident-update-resolved.json");
	ck_assert_int_eq(inbox_poll(p, 0), 2);
	ck_q("partial_outage|operational|z3lct0r596n4|Database query delays",
	     "SELECT previous_status || '|' || new_status || '|' || vendor_incident_id || '|' ||"
	     " vendor_title FROM status_events WHERE inbox_id = %lld",
	     (long long)g);
	ck_q("applied|0",
	     "SELECT state || '|' || json_extract(result, '$.status_changed') FROM inbox"
	     " WHERE id = %lld",
	     (long long)h);
	ck_q("0", "SELECT count(*) FROM status_events WHERE inbox_id = %lld", (long long)h);

	/* meta.unsubscribe alone is not an unsubscribe, and says nothing */
	int64_t i = put("webhook_statuspage", "page",
			"{\"meta\":{\"unsubscribe\":\"http://x.statuspage.io/?unsubscribe=abc\"}}");
	int64_t j = put("webhook_statuspage", "page", "[1]");
	int64_t k =
	    put("webhook_statuspage", "page", "{\"page\":{\"status_indicator\":\"sideways\"}}");
	int64_t l = put("webhook_statuspage", "nope", "{}");
	ck_assert_int_eq(inbox_poll(p, 0), 4);
	ck_q("applied", "SELECT state FROM inbox WHERE id = %lld", (long long)i);
	ck_q("rejected|parse_error: expected object, got array",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)j);
	ck_q("rejected|unmapped_value: page.status_indicator=sideways",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)k);
	ck_q("rejected|service nope not found",
	     "SELECT state || '|' || error FROM inbox WHERE id = %lld", (long long)l);
	ck_q("operational|webhook",
	     "SELECT current_status || '|' || status_source FROM services WHERE id = 'page'");
}
END_TEST

START_TEST(test_maintenance)
{
	char now[TS_ISO_LEN + 1], past[TS_ISO_LEN + 1], future[TS_ISO_LEN + 1];
	int64_t t = ts_now_ms();
	ts_format(t, now);
	ts_format(t - 3600000, past);
	ts_format(t + 3600000, future);
	char *pl =
	    xasprintf("{\"service_id\":\"app\",\"title\":\"Upgrade\",\"scheduled_for\":\"%s\","
		      "\"scheduled_until\":\"%s\",\"description\":\"d\",\"created_by\":\"ops\"}",
		      past, future);
	int64_t a = put("maintenance_create", NULL, pl);
	free(pl);
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("applied|{\"id\":1,\"service_id\":\"app\",\"status\":\"scheduled\"}",
	     "SELECT state || '|' || result FROM inbox WHERE id = %lld", (long long)a);
	ck_q("local|scheduled|Upgrade|ops|d",
	     "SELECT source || '|' || status || '|' || title || '|' || created_by || '|' ||"
	     " description FROM scheduled_maintenances WHERE id = 1");
	ck_q("1", "SELECT in_maintenance FROM services WHERE id = 'app'");
	/* a future window does not set the flag */
	pl = xasprintf("{\"service_id\":\"idp\",\"title\":\"Later\",\"scheduled_for\":\"%s\"}",
		       future);
	put("maintenance_create", NULL, pl);
	free(pl);
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("0", "SELECT in_maintenance FROM services WHERE id = 'idp'");
	/* manual changes inside the window carry the flag */
	put("manual_status", "app", "{\"status\":\"degraded\",\"reason\":\"deploy\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("1", "SELECT in_maintenance FROM status_events WHERE service_id = 'app'");
	/* cancel */
	int64_t c = put("maintenance_cancel", NULL, "{\"id\":1}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("applied|{\"id\":1,\"service_id\":\"app\",\"status\":\"cancelled\"}",
	     "SELECT state || '|' || result FROM inbox WHERE id = %lld", (long long)c);
	ck_q("cancelled", "SELECT status FROM scheduled_maintenances WHERE id = 1");
	ck_q("0", "SELECT in_maintenance FROM services WHERE id = 'app'");
	/* rejections */
	int64_t r1 = put("maintenance_cancel", NULL, "{\"id\":1}");
	int64_t r2 = put("maintenance_cancel", NULL, "{\"id\":99}");
	int64_t r3 = put("maintenance_create", NULL,
			 "{\"service_id\":\"app\",\"title\":\"x\",\"scheduled_for\":\"soon\"}");
	pl = xasprintf("{\"service_id\":\"app\",\"title\":\"x\",\"scheduled_for\":\"%s\","
		       "\"scheduled_until\":\"%s\"}",
		       future, past);
	int64_t r4 = put("maintenance_create", NULL, pl);
	free(pl);
	int64_t r5 =
	    put("maintenance_create", NULL,
		"{\"service_id\":\"nope\",\"title\":\"x\",\"scheduled_for\":\"2026-01-01\"}");
	int64_t r6 = put("maintenance_create", NULL,
			 "{\"service_id\":\"app\",\"scheduled_for\":\"2026-01-01\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 6);
	ck_q("maintenance 1 is already cancelled", "SELECT error FROM inbox WHERE id = %lld",
	     (long long)r1);
	ck_q("maintenance 99 not found", "SELECT error FROM inbox WHERE id = %lld", (long long)r2);
	ck_q("scheduled_for 'soon' is not a date", "SELECT error FROM inbox WHERE id = %lld",
	     (long long)r3);
	ck_q("scheduled_until is before scheduled_for", "SELECT error FROM inbox WHERE id = %lld",
	     (long long)r4);
	ck_q("service nope not found", "SELECT error FROM inbox WHERE id = %lld", (long long)r5);
	ck_q("title is required", "SELECT error FROM inbox WHERE id = %lld", (long long)r6);
	ck_q("2", "SELECT count(*) FROM scheduled_maintenances");
	/* vendor windows cannot be cancelled here */
	ck_assert_int_eq(db_exec(other,
				 "INSERT INTO scheduled_maintenances (service_id, source, title,"
				 " scheduled_for, vendor_maintenance_id) VALUES ('page', 'vendor',"
				 " 'v', '2026-01-01T00:00:00.000Z', 'v1')"),
			 0);
	int64_t r7 = put("maintenance_cancel", NULL, "{\"id\":3}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("maintenance 3 comes from the vendor feed and cannot be cancelled",
	     "SELECT error FROM inbox WHERE id = %lld", (long long)r7);
	(void)now;
}
END_TEST

START_TEST(test_sweep)
{
	/* A window that started after it was created is picked up by the sweep. */
	char soon[TS_ISO_LEN + 1];
	ts_format(ts_now_ms() + 300, soon);
	char *pl =
	    xasprintf("{\"service_id\":\"app\",\"title\":\"Soon\",\"scheduled_for\":\"%s\"}", soon);
	put("maintenance_create", NULL, pl);
	free(pl);
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("0", "SELECT in_maintenance FROM services WHERE id = 'app'");
	usleep(400 * 1000);
	ck_assert_int_eq(cycle_maint_sweep(p), 0);
	ck_q("1", "SELECT in_maintenance FROM services WHERE id = 'app'");
	/* A vendor flag (from a webhook) survives a restart of the cycle state:
	 * the sweep does not clear it before the next reading. */
	put_fixture("dbc", "zulip-component-update-under-maintenance.json");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_q("1", "SELECT in_maintenance FROM services WHERE id = 'dbc'");
	cycle_free(p);
	ck_assert_int_eq(cycle_init(p), 0);
	ck_assert_int_eq(cycle_maint_sweep(p), 0);
	ck_q("1", "SELECT in_maintenance FROM services WHERE id = 'dbc'");
}
END_TEST

START_TEST(test_data_version_gate)
{
	ck_assert_int_eq(inbox_poll(p, 0), 0); /* first look */
	ck_assert_int_eq(inbox_poll(p, 0), 0); /* nothing changed: no query */
	put("manual_status", "app", "{\"status\":\"degraded\",\"reason\":\"x\"}");
	ck_assert_int_eq(inbox_poll(p, 0), 1);
	ck_assert_int_eq(inbox_poll(p, 0), 0);
	/* rows for alertd are not ours */
	put("slack_ack", NULL, "{}");
	ck_assert_int_eq(
	    db_exec(other, "UPDATE inbox SET consumer = 'alertd' WHERE kind = 'slack_ack'"), 0);
	ck_assert_int_eq(inbox_poll(p, 1), 0);
	ck_q("pending", "SELECT state FROM inbox WHERE kind = 'slack_ack'");
}
END_TEST

int main(void)
{
	log_init("check_inbox", LOG_LVL_CRITICAL, 0);
	Suite *s = suite_create("inbox");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_manual_status);
	tcase_add_test(tc, test_webhook_fixtures);
	tcase_add_test(tc, test_webhook_component_update_whole_page);
	tcase_add_test(tc, test_maintenance);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_data_version_gate);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
