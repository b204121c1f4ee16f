/*
 * selfmon: alertd's self-monitoring (issue 7); its names keep the short
 * prefix selmon_ / sm_. Every HEARTBEAT_INTERVAL_SECONDS
 * it reads the heartbeats table and
 *
 *  - announces once when pollerd's or apid's heartbeat goes stale (beat_at
 *    older than HEARTBEAT_STALE_AFTER_SECONDS) and once when it is fresh
 *    again. Each decision is a daemon_health_log row written in the same
 *    transaction as its outbox row, and the latest row per daemon is the
 *    state the next check compares against: nothing repeats while a state
 *    holds, across alertd restarts too. The message goes to the poller-health
 *    Slack webhook when configured (it is the operators' channel), else the
 *    main one; without either the decision is still recorded, suppressed
 *    'webhook_not_configured', so configuring one later does not replay it.
 *  - pings HEALTHCHECK_PING_URL (the Healthchecks.io API): <url>/start once
 *    at start, then <url> while all three heartbeats are fresh and
 *    <url>/fail otherwise. alertd cannot announce its own death; the pings
 *    stopping is how an external monitor learns of it.
 *
 * The ping has its own curl multi handle, driven from the main loop without
 * waiting (selmon_poll), so a slow healthcheck server never holds up
 * deliveries or signal handling; one ping at a time, 2 s to connect and 5 s
 * in all (the handle is set up by common/httpc.c). Ping failures are logged, never fatal. The ping
 * URL is a secret (its path is the check's credential), so it is never logged.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "httpc.h"
#include "log.h"
#include "xalloc.h"

#define PING_CONNECT_MS 2000L
#define PING_TIMEOUT_MS 5000L

const char *const selmon_watched[SM_NWATCHED] = {"pollerd", "apid"};

/* The ping's verdict covers all three, alertd included: its own beat is the
 * proof that its loop (the one sending this ping) is writing to the database. */
static const char *const all_daemons[] = {"pollerd", "alertd", "apid"};
#define N_ALL (sizeof all_daemons / sizeof all_daemons[0])

struct selmon {
	CURLM *multi;
	CURL *h;		/* the ping in flight, or NULL */
	const char *what;	/* its kind, for the log: "start", "success", "fail" */
	struct httpc_resp resp; /* its answer: only the error text is read */
	/* alertd's own heartbeat cannot be written (full disk, unwritable
	 * file): the SQLite code, 0 when it can; since when. */
	int db_rc;
	int64_t db_since_ms;
};

static const struct sm_beat *find_beat(const struct sm_beat *rows, size_t n, const char *daemon)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].daemon && !strcmp(rows[i].daemon, daemon))
			return &rows[i];
	return NULL;
}

void selmon_plan(const struct sm_beat *rows, size_t n, const int was_stale[SM_NWATCHED],
		 int64_t now_ms, int stale_after_s, struct sm_plan *out)
{
	int64_t limit = (int64_t)stale_after_s * 1000;
	memset(out, 0, sizeof *out);
	out->ping_ok = 1;
	for (size_t d = 0; d < N_ALL; d++) {
		const struct sm_beat *b = find_beat(rows, n, all_daemons[d]);
		if (!b || now_ms - b->beat_ms >= limit)
			out->ping_ok = 0;
	}
	for (int i = 0; i < SM_NWATCHED; i++) {
		const struct sm_beat *b = find_beat(rows, n, selmon_watched[i]);
		out->act[i] = SM_NOTHING;
		if (!b)
			continue; /* never ran here: nothing went stale */
		out->present[i] = 1;
		/* A beat from the future (clock step) counts as fresh. */
		out->age_ms[i] = now_ms > b->beat_ms ? now_ms - b->beat_ms : 0;
		int stale = out->age_ms[i] >= limit;
		if (stale && !was_stale[i])
			out->act[i] = SM_ALERT_STALE;
		else if (!stale && was_stale[i])
			out->act[i] = SM_ALERT_RECOVERED;
	}
}

char *selmon_ping_url(const char *base, const char *suffix)
{
	size_t q = strcspn(base, "?#");
	size_t end = q;
	while (end > 0 && base[end - 1] == '/')
		end--;
	return xasprintf("%.*s%s%s", (int)end, base, suffix, base + q);
}

/* What the silence means for the people reading the channel. */
static const char *consequence(const char *daemon)
{
	if (!strcmp(daemon, "pollerd"))
		return "Vendor status pages are not being polled: outages go unannounced until "
		       "pollerd beats again.";
	return "The dashboard and the API (manual updates, Slack acknowledgements) are down "
	       "or hung.";
}

/* A self-monitoring Slack message: title (the notification text), an
 * optional detail line, the footer. Caller frees. */
static char *payload_of(const char *title, const char *detail, const char *at_iso)
{
	char ts[21];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "text", title);
	cJSON *blocks = cJSON_AddArrayToObject(o, "blocks");
	cJSON *sec = cJSON_CreateObject();
	cJSON_AddStringToObject(sec, "type", "section");
	cJSON *txt = cJSON_AddObjectToObject(sec, "text");
	cJSON_AddStringToObject(txt, "type", "mrkdwn");
	char *body = detail ? xasprintf("*%s*\n%s", title, detail) : xasprintf("*%s*", title);
	cJSON_AddStringToObject(txt, "text", body);
	free(body);
	cJSON_AddItemToArray(blocks, sec);
	cJSON *ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "type", "context");
	cJSON *els = cJSON_AddArrayToObject(ctx, "elements");
	cJSON *el = cJSON_CreateObject();
	cJSON_AddStringToObject(el, "type", "mrkdwn");
	char *foot = xasprintf("itstatus self-monitoring \xc2\xb7 %s", bk_footer_ts(at_iso, ts));
	cJSON_AddStringToObject(el, "text", foot);
	free(foot);
	cJSON_AddItemToArray(els, el);
	cJSON_AddItemToArray(blocks, ctx);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

char *selmon_payload(const char *daemon, enum sm_action act, int64_t age_s, int64_t silent_s,
		     const char *at_iso)
{
	char dur[32];
	char *title;
	const char *detail = NULL;
	if (act == SM_ALERT_STALE) {
		title = xasprintf("\xf0\x9f\x94\xb4 %s heartbeat is stale (last beat %s ago)",
				  daemon, ts_duration_human(age_s, dur, sizeof dur));
		detail = consequence(daemon);
	} else if (silent_s >= 0) {
		title = xasprintf("\xe2\x9c\x85 %s heartbeat recovered (silent for %s)", daemon,
				  ts_duration_human(silent_s, dur, sizeof dur));
	} else {
		title = xasprintf("\xe2\x9c\x85 %s heartbeat recovered", daemon);
	}
	char *s = payload_of(title, detail, at_iso);
	free(title);
	return s;
}

/* ---- the ping ------------------------------------------------------------- */

static void ping(struct alertd *a, const char *suffix)
{
	struct selmon *s = a->sm;
	const char *base = a->conf.cfg.secrets.healthcheck_ping_url;
	const char *what = *suffix ? suffix + 1 : "success";
	if (!base || !*base)
		return;
	if (s->h) {
		/* Overlapping pings would only pile up on a slow server; the
		 * next interval says the same thing. */
		log_warn("healthcheck ping (%s) skipped: the previous one (%s) is still running",
			 what, s->what);
		return;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		log_warn("healthcheck ping (%s): cannot create a transfer", what);
		return;
	}
	const struct httpc_opts o = {.user_agent = ALERTD_USER_AGENT,
				     .connect_timeout_ms = PING_CONNECT_MS,
				     .timeout_ms = PING_TIMEOUT_MS};
	httpc_setup(h, &o, &s->resp, NULL); /* a GET; the body is discarded */
	char *url = selmon_ping_url(base, suffix);
	curl_easy_setopt(h, CURLOPT_URL, url); /* curl keeps its own copy */
	free(url);
	if (curl_multi_add_handle(s->multi, h) != CURLM_OK) {
		curl_easy_cleanup(h);
		log_warn("healthcheck ping (%s): cannot start the transfer", what);
		return;
	}
	s->h = h;
	s->what = what;
	selmon_poll(a); /* send the request now rather than a loop turn later */
}

void selmon_poll(struct alertd *a)
{
	struct selmon *s = a->sm;
	if (!s || !s->h)
		return;
	int running;
	curl_multi_perform(s->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(s->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *h = m->easy_handle;
		CURLcode res = m->data.result; /* m dies with remove_handle */
		long code = httpc_status(h);
		curl_multi_remove_handle(s->multi, h);
		curl_easy_cleanup(h);
		s->h = NULL;
		if (res != CURLE_OK)
			log_warn("healthcheck ping (%s) failed: %s", s->what,
				 httpc_error(&s->resp, res));
		else if (code < 200 || code > 299)
			log_warn("healthcheck ping (%s) answered HTTP %ld", s->what, code);
		else
			log_debug("healthcheck ping (%s) answered HTTP %ld", s->what, code);
	}
}

/* ---- the check ------------------------------------------------------------ */

/* Read the heartbeats rows. Returns the count (at most N_ALL) or -1. */
static int load_beats(sqlite3 *db, struct sm_beat rows[N_ALL])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT daemon, beat_at FROM heartbeats");
	if (!st)
		return -1;
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 1);
		int64_t ms;
		if (!d || !at || ts_parse(at, &ms) < 0)
			continue; /* an unreadable row counts as no row */
		for (size_t i = 0; i < N_ALL && n < (int)N_ALL; i++)
			if (!strcmp(d, all_daemons[i]))
				rows[n++] =
				    (struct sm_beat){.daemon = all_daemons[i], .beat_ms = ms};
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* The latest decision about daemon: *stale, and the beat it was made on
 * (*beat_ms, -1 when none). 0 or -1. */
static int last_decision(sqlite3 *db, const char *daemon, int *stale, int64_t *beat_ms)
{
	*stale = 0;
	*beat_ms = -1;
	sqlite3_stmt *st = db_prepare(db, "SELECT state, beat_at FROM daemon_health_log"
					  " WHERE daemon = ?1 ORDER BY id DESC LIMIT 1");
	if (!st)
		return -1;
	db_bind_text(st, 1, daemon);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 1);
		*stale = state && !strcmp(state, "stale");
		if (!at || ts_parse(at, beat_ms) < 0)
			*beat_ms = -1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Where self-monitoring messages go: the poller-health webhook when
 * configured (the operators' channel), else the main one, else nowhere. */
static const char *sm_dest(const struct alertd *a)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	return cfg->secrets.poller_health_slack_webhook_url ? "slack:poller_health"
	       : cfg->secrets.slack_webhook_url		    ? "slack:main"
							    : NULL;
}

/* Record one decision and queue its message, in one transaction. 0 or -1. */
static int record(struct alertd *a, const char *daemon, enum sm_action act, int64_t beat_ms,
		  int64_t age_ms, int64_t silent_s)
{
	const char *dest = sm_dest(a);
	char now[TS_ISO_LEN + 1], beat[TS_ISO_LEN + 1];
	ts_now_iso(now);
	ts_format(beat_ms, beat);
	if (db_begin(a->db) < 0)
		return -1;
	sqlite3_stmt *st =
	    db_prepare(a->db, "INSERT INTO daemon_health_log (daemon, state, beat_at,"
			      " decided_at, suppressed_by) VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc = -1;
	if (st) {
		db_bind_text(st, 1, daemon);
		db_bind_text(st, 2, act == SM_ALERT_STALE ? "stale" : "recovered");
		db_bind_text(st, 3, beat);
		db_bind_text(st, 4, now);
		db_bind_text(st, 5, dest ? NULL : "webhook_not_configured");
		rc = db_step_done(st);
		sqlite3_finalize(st);
	}
	if (rc == 0 && dest) {
		char *payload = selmon_payload(daemon, act, age_ms / 1000, silent_s, now);
		rc = outbox_add(a->db, 0, "slack", dest, payload, now, now);
		free(payload);
	}
	if (rc < 0 || db_commit(a->db) < 0) {
		db_rollback(a->db);
		return -1;
	}
	if (dest)
		a->outbox_dirty = 1; /* deliver_start rescans the queues */
	char dur[32];
	ts_duration_human(age_ms / 1000, dur, sizeof dur);
	if (act == SM_ALERT_STALE)
		log_warn("%s heartbeat is stale: last beat %s ago%s", daemon, dur,
			 dest ? "" : " (no Slack webhook configured: not announced)");
	else
		log_info("%s heartbeat recovered%s", daemon,
			 dest ? "" : " (no Slack webhook configured: not announced)");
	return 0;
}

void selmon_run(struct alertd *a)
{
	if (!a->sm)
		return;
	struct sm_beat rows[N_ALL];
	int was_stale[SM_NWATCHED];
	int64_t stale_beat[SM_NWATCHED];
	int n = load_beats(a->db, rows);
	for (int i = 0; n >= 0 && i < SM_NWATCHED; i++)
		if (last_decision(a->db, selmon_watched[i], &was_stale[i], &stale_beat[i]) < 0)
			n = -1;
	if (n < 0) {
		/* Deciding on an unknown previous state could repeat a message,
		 * and a /fail for a busy database would be a false alarm. */
		log_warn("self-monitoring check skipped: cannot read heartbeats (database busy?)");
		return;
	}
	struct sm_plan p;
	int64_t now = ts_now_ms();
	selmon_plan(rows, (size_t)n, was_stale, now, a->conf.cfg.heartbeat_stale_after_seconds, &p);
	for (int i = 0; i < SM_NWATCHED; i++) {
		if (p.act[i] == SM_NOTHING)
			continue;
		int64_t beat_ms = now - p.age_ms[i];
		int64_t silent_s = p.act[i] == SM_ALERT_RECOVERED && stale_beat[i] >= 0
				       ? (beat_ms - stale_beat[i]) / 1000
				       : -1;
		if (record(a, selmon_watched[i], p.act[i], beat_ms, p.age_ms[i], silent_s) < 0)
			log_warn("cannot record the %s heartbeat decision; trying again next "
				 "interval",
				 selmon_watched[i]);
	}
	/* A database nobody can write is a failure even while the heartbeats
	 * written before it still look fresh. */
	ping(a, p.ping_ok && !a->sm->db_rc ? "" : "/fail");
}

void selmon_db_write(struct alertd *a, int rc)
{
	struct selmon *s = a->sm;
	if (!s || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return; /* a held lock passes; pollerd keeps its readings meanwhile */
	if (rc) {
		if (!s->db_rc) {
			s->db_since_ms = ts_now_ms();
			log_error("self-monitoring: the database cannot be written (%s); pinging "
				  "/fail now, a Slack message follows once it can be written",
				  db_failure_phrase(rc));
			s->db_rc = rc;
			ping(a, "/fail");
		}
		return;
	}
	if (!s->db_rc)
		return;
	/* Writable again: the message could not be queued before (the outbox
	 * is in the database), so say now how long it lasted and why. */
	const char *dest = sm_dest(a);
	char now[TS_ISO_LEN + 1], dur[32];
	ts_now_iso(now);
	int64_t secs = (ts_now_ms() - s->db_since_ms) / 1000;
	ts_duration_human(secs, dur, sizeof dur);
	char *title = xasprintf("\xe2\x9a\xa0\xef\xb8\x8f The status database could not be "
				"written for %s: %s",
				dur, db_failure_phrase(s->db_rc));
	char *payload = payload_of(title,
				   "pollerd kept its readings in memory and has committed them; "
				   "alerts decided meanwhile went out late. Check the disk or the "
				   "file's permissions before it happens again.",
				   now);
	int rc2 = dest ? db_begin(a->db) : 0;
	if (dest && rc2 == 0) {
		rc2 = outbox_add(a->db, 0, "slack", dest, payload, now, now);
		if (rc2 == 0)
			rc2 = db_commit(a->db);
		else
			db_rollback(a->db);
	}
	if (rc2 == 0) {
		log_info("self-monitoring: the database is writable again after %s%s", dur,
			 dest ? "" : " (no Slack webhook configured: not announced)");
		s->db_rc = 0;
		if (dest)
			a->outbox_dirty = 1;
	}
	free(title);
	free(payload);
}

int selmon_init(struct alertd *a)
{
	struct selmon *s = xcalloc(1, sizeof *s);
	s->multi = curl_multi_init();
	if (!s->multi) {
		free(s);
		return -1;
	}
	a->sm = s;
	ping(a, "/start");
	return 0;
}

void selmon_free(struct alertd *a)
{
	struct selmon *s = a->sm;
	if (!s)
		return;
	if (s->h) {
		curl_multi_remove_handle(s->multi, s->h);
		curl_easy_cleanup(s->h);
	}
	httpc_resp_release(&s->resp);
	curl_multi_cleanup(s->multi);
	free(s);
	a->sm = NULL;
}
