/*
 * check_alert.h: the fixture shared by alertd's unit tests (check_route,
 * check_blocks, check_outbox, check_alert_report): a fresh migrated database
 * and default settings per test, plus one-line helpers to insert services,
 * dependencies and events the way pollerd would, and to read back what
 * alertd decided. Helpers are static inline so each test file uses only what
 * it needs without unused-function warnings.
 */
#ifndef ITSTATUS_CHECK_ALERT_H
#define ITSTATUS_CHECK_ALERT_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../alertd/alertd.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "tsupport.h"
#include "xalloc.h"

struct tfx {
	char *dir;
	struct alertd a;
};

static inline void tfx_secret(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* A fresh fixture: settings at their defaults with a main Slack webhook. */
static inline void tfx_open(struct tfx *f)
{
	static cJSON_Hooks hooks = {xmalloc, free};
	cJSON_InitHooks(&hooks);
	log_init("alertd", LOG_LVL_ERROR, 0);
	met_reset();
	memset(f, 0, sizeof *f);
	f->dir = ts_tmpdir();
	char *yaml = ts_write(f->dir, "itstatus.yaml", "database_path: alert.db\n");
	struct cfg_errors errs = {0};
	ck_assert_int_eq(cfg_load(yaml, &f->a.conf.cfg, &errs), 0);
	free(yaml);
	tfx_secret(&f->a.conf.cfg.secrets.slack_webhook_url, "http://127.0.0.1:9/main");
	f->a.db = db_open(f->a.conf.cfg.database_path, 0);
	ck_assert_ptr_nonnull(f->a.db);
	f->a.data_version = -1;
}

static inline void tfx_close(struct tfx *f)
{
	deliver_free(&f->a);
	db_close(f->a.db);
	daemon_conf_release(&f->a.conf);
	free(f->dir);
	unsetenv("ITSTATUS_FAKE_NOW_MS");
}

static inline void tfx_exec(struct tfx *f, const char *sql)
{
	ck_assert_msg(db_exec(f->a.db, sql) == 0, "sql failed: %s", sql);
}

static inline int64_t tfx_int(struct tfx *f, const char *sql)
{
	return db_query_int(f->a.db, sql, -1);
}

/* One text value (caller frees), NULL when no row. */
static inline char *tfx_text(struct tfx *f, const char *sql)
{
	sqlite3_stmt *st = db_prepare(f->a.db, sql);
	ck_assert_ptr_nonnull(st);
	char *v = sqlite3_step(st) == SQLITE_ROW ? db_col_dup(st, 0) : NULL;
	sqlite3_finalize(st);
	return v;
}

/* A service; tier NULL = important. */
static inline void tfx_service(struct tfx *f, const char *id, const char *tier)
{
	char *sql = xasprintf("INSERT INTO services (id, display_name, category, poll_type, tier,"
			      " status_page_url) VALUES ('%s', 'Svc %s', 'engineering', 'statuspage_json',"
			      " '%s', 'https://status.example.com/%s')",
			      id, id, tier ? tier : "important", id);
	tfx_exec(f, sql);
	free(sql);
}

static inline void tfx_dep(struct tfx *f, const char *up, const char *down)
{
	char *sql = xasprintf("INSERT INTO service_dependencies (upstream_service_id,"
			      " downstream_service_id, impact_description) VALUES ('%s', '%s', 'x')",
			      up, down);
	tfx_exec(f, sql);
	free(sql);
}

/* The time events get unless told otherwise (the fake clock when set). */
static inline void tfx_now_iso(char out[TS_ISO_LEN + 1])
{
	ts_format(ts_now_ms(), out);
}

/* A status event as pollerd writes it; extra = more "col = value" pairs as
 * SQL (", vendor_incident_id = 'x'") applied with an UPDATE. Returns its id. */
static inline int64_t tfx_event_x(struct tfx *f, const char *svc, const char *prev,
				  const char *next, const char *extra)
{
	char now[TS_ISO_LEN + 1];
	tfx_now_iso(now);
	char *sql = xasprintf("INSERT INTO status_events (service_id, kind, previous_status,"
			      " new_status, created_at) VALUES ('%s', 'status', '%s', '%s', '%s')",
			      svc, prev, next, now);
	tfx_exec(f, sql);
	free(sql);
	int64_t id = sqlite3_last_insert_rowid(f->a.db);
	if (extra && *extra) {
		sql = xasprintf("UPDATE status_events SET %s WHERE id = %lld", extra, (long long)id);
		tfx_exec(f, sql);
		free(sql);
	}
	return id;
}

static inline int64_t tfx_event(struct tfx *f, const char *svc, const char *prev, const char *next)
{
	return tfx_event_x(f, svc, prev, next, NULL);
}

static inline int64_t tfx_health(struct tfx *f, const char *svc, const char *prev, const char *next)
{
	char now[TS_ISO_LEN + 1];
	tfx_now_iso(now);
	char *sql = xasprintf("INSERT INTO status_events (service_id, kind, previous_health,"
			      " new_health, failure_reason, created_at)"
			      " VALUES ('%s', 'health', '%s', '%s', 'transient_http_503', '%s')",
			      svc, prev, next, now);
	tfx_exec(f, sql);
	free(sql);
	return sqlite3_last_insert_rowid(f->a.db);
}

static inline int tfx_pass(struct tfx *f)
{
	return pass_run(&f->a, 500);
}

/* The decision logged for an event: "fired", the suppression reason, or
 * "none". Caller frees. */
static inline char *tfx_decision(struct tfx *f, int64_t event_id)
{
	char *sql = xasprintf("SELECT COALESCE(suppressed_by, 'fired') FROM alert_sent_log"
			      " WHERE status_event_id = %lld",
			      (long long)event_id);
	char *v = tfx_text(f, sql);
	free(sql);
	return v ? v : xstrdup("none");
}

#define ck_decision(f, id, want)                                                \
	do {                                                                    \
		char *got_ = tfx_decision((f), (id));                           \
		ck_assert_msg(!strcmp(got_, (want)), "event %lld: got %s, want %s", \
			      (long long)(id), got_, (want));                   \
		free(got_);                                                     \
	} while (0)

/* The alert row id for an event (-1 when none). */
static inline int64_t tfx_alert_of(struct tfx *f, int64_t event_id)
{
	char *sql = xasprintf("SELECT id FROM alert_sent_log WHERE status_event_id = %lld",
			      (long long)event_id);
	int64_t v = tfx_int(f, sql);
	free(sql);
	return v;
}

/* The payload queued for an alert to a destination kind; caller frees. */
static inline char *tfx_payload(struct tfx *f, int64_t alert_id, const char *kind)
{
	char *sql = xasprintf("SELECT payload FROM outbox WHERE alert_id = %lld"
			      " AND destination_kind = '%s' ORDER BY id LIMIT 1",
			      (long long)alert_id, kind);
	char *v = tfx_text(f, sql);
	free(sql);
	return v;
}

static inline int tfx_contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

#endif
