/*
 * pass: one step of alertd's consumption of status_events. In a single
 * BEGIN IMMEDIATE transaction it loads the events after the cursor, decides
 * each one (route.c), writes one alert_sent_log row per decision, folds more
 * than three individual Slack messages for one destination into a batch,
 * renders and queues every message in the outbox, builds incident reports
 * and rollups for the events, and advances the cursor. Either all of that
 * commits or none of it does, so a crash at any instant neither loses nor
 * repeats a decision (doc/design.md#cursors).
 *
 * Rows per pass, in event order: every status event gets one row (baseline
 * events too, suppressed 'baseline'); health events get one when they are an
 * alertable transition (into broken, or broken -> healthy). A batch adds one
 * row of kind 'batch' carrying the Slack message; its members keep their own
 * rows, marked 'batched' with aggregated_under = the batch's dedup key, and
 * their webhook/Teams/PagerDuty messages stay individual.
 *
 * Metrics mirror the log: a fired or batched row counts in
 * alerts_sent_total{kind,severity}, any other suppression in
 * alerts_suppressed_total{kind,reason}; the batch container row is not
 * counted (its members are). Counting happens after the commit, so a rolled
 * back pass counts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

int pass_ack_buttons(const struct cfg_settings *cfg)
{
	return cfg->slack_ack_enabled && cfg->secrets.slack_signing_secret;
}

void ad_suppress(struct ad_decision *d, enum vc_suppression why)
{
	d->suppressed = 1;
	d->why = why;
}

int ad_is(const struct ad_decision *d, enum vc_suppression why)
{
	return d->suppressed && d->why == why;
}

const char *ad_why_str(const struct ad_decision *d)
{
	return d->suppressed ? vocab_str(VC_SET(suppression), (int)d->why) : NULL;
}

void pass_count(const char *kind, const char *severity, int suppressed, enum vc_suppression why)
{
	char *l;
	if (!suppressed || why == VC_SUP_BATCHED) {
		l = met_labels("kind", kind, "severity", severity, (char *)NULL);
		met_counter_add("alerts_sent_total", l, "Alerts announced, by kind and severity.",
				1);
	} else {
		l = met_labels("kind", kind, "reason", vocab_str(VC_SET(suppression), (int)why),
			       (char *)NULL);
		met_counter_add("alerts_suppressed_total", l,
				"Alert decisions suppressed, by kind and reason.", 1);
	}
	free(l);
}

int pass_log(sqlite3 *db, const struct ad_event *e, struct ad_decision *d, const char *prev,
	     const char *next, const char *severity, const char *at)
{
	sqlite3_stmt *st = db_prepare(
	    db, "INSERT INTO alert_sent_log (dedup_key, service_id, status_event_id, severity,"
		" previous_status, new_status, alert_kind, aggregated_under, slack_channel,"
		" suppressed_by, first_sent_at, last_updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)");
	if (!st)
		return -1;
	db_bind_text(st, 1, d->dedup_key);
	db_bind_text(st, 2, e->service_id);
	if (e->id > 0)
		sqlite3_bind_int64(st, 3, e->id);
	else
		sqlite3_bind_null(st, 3);
	db_bind_text(st, 4, severity);
	db_bind_text(st, 5, prev);
	db_bind_text(st, 6, next);
	db_bind_text(st, 7, d->alert_kind);
	db_bind_text(st, 8, d->aggregated_under);
	db_bind_text(st, 9, d->suppressed && d->why != VC_SUP_BATCHED ? NULL : d->slack_dest);
	db_bind_text(st, 10, ad_why_str(d));
	db_bind_text(st, 11, at);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	if (rc == 0)
		d->alert_id = sqlite3_last_insert_rowid(db);
	return rc;
}

static int batched(const struct ad_decision *d)
{
	return ad_is(d, VC_SUP_BATCHED);
}

static int add(sqlite3 *db, const struct ad_decision *d, const char *kind, const char *dest,
	       char *payload, const char *event_at, const char *now)
{
	if (!payload) {
		log_error("could not render the %s message for alert %lld", kind,
			  (long long)d->alert_id);
		return -1;
	}
	int rc = outbox_add(db, d->alert_id, kind, dest, payload, event_at, now);
	free(payload);
	return rc;
}

/* Resolve a PagerDuty incident only if we triggered one in this episode:
 * dependents silenced under an aggregated alert never paged, and a resolve
 * for an unknown key would only be noise in PagerDuty. 1, 0 or -1. */
static int paged_in_episode(sqlite3 *db, const struct ad_msg *m)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT 1 FROM alert_sent_log a JOIN outbox o ON o.alert_id = a.id"
		" WHERE a.service_id = ?1 AND a.status_event_id >= ?2 AND a.status_event_id < ?3"
		" AND o.destination_kind = 'pagerduty' LIMIT 1");
	if (!st)
		return -1;
	db_bind_text(st, 1, m->ev->service_id);
	sqlite3_bind_int64(st, 2, m->dec->episode);
	sqlite3_bind_int64(st, 3, m->ev->id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int pass_enqueue(struct alertd *a, const struct ad_msg *m, const char *event_created_at)
{
	const struct ad_decision *d = m->dec;
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	if ((d->dests & AD_DK_SLACK) && d->slack_dest && !batched(d) &&
	    add(a->db, d, "slack", d->slack_dest, bk_render(m), event_created_at, now) < 0)
		return -1;
	if ((d->dests & AD_DK_WEBHOOK) && add(a->db, d, "webhook", "webhook:main",
					      dest_webhook_payload(m), event_created_at, now) < 0)
		return -1;
	if ((d->dests & AD_DK_TEAMS) &&
	    add(a->db, d, "teams", "teams:main", dest_teams_payload(m), event_created_at, now) < 0)
		return -1;
	if ((d->dests & AD_DK_PAGERDUTY) && dest_pagerduty_wants(m)) {
		int paged = d->recovery ? paged_in_episode(a->db, m) : 1;
		if (paged < 0)
			return -1;
		if (paged && add(a->db, d, "pagerduty", "pagerduty:main", dest_pagerduty_payload(m),
				 event_created_at, now) < 0)
			return -1;
	}
	return 0;
}

static const char *prev_of(const struct ad_event *e)
{
	return e->kind == AD_EV_HEALTH ? st_health_str(e->hprev) : st_status_str(e->prev);
}

static const char *next_of(const struct ad_event *e)
{
	return e->kind == AD_EV_HEALTH ? st_health_str(e->hnext) : st_status_str(e->next);
}

/* A recovery closes the alerts of its episode: resolved_at = its time. */
static int resolve_episode(sqlite3 *db, const struct ad_event *e, const char *now)
{
	const char *sql =
	    e->kind == AD_EV_STATUS
		? "UPDATE alert_sent_log SET resolved_at = ?3, last_updated_at = ?4"
		  " WHERE service_id = ?1 AND resolved_at IS NULL AND status_event_id < ?2"
		  " AND alert_kind IN ('status_change', 'aggregated_upstream')"
		  " AND new_status <> 'operational'"
		: "UPDATE alert_sent_log SET resolved_at = ?3, last_updated_at = ?4"
		  " WHERE service_id = ?1 AND resolved_at IS NULL AND status_event_id < ?2"
		  " AND alert_kind = 'poller_health' AND new_status = 'broken'";
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, e->service_id);
	sqlite3_bind_int64(st, 2, e->id);
	db_bind_text(st, 3, e->created_at);
	db_bind_text(st, 4, now);
	int rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

static int is_recovery(const struct ad_event *e)
{
	if (e->kind == AD_EV_HEALTH)
		return e->hprev == ST_BROKEN && e->hnext == ST_HEALTHY;
	return !e->is_baseline && e->next == ST_OPERATIONAL && e->prev != ST_OPERATIONAL;
}

int pass_batch_row(sqlite3 *db, const struct ad_event *first, const char *dest, char *key,
		   int mention, enum st_status worst, const int64_t *ids, size_t n, const char *now,
		   struct ad_decision *bd)
{
	memset(bd, 0, sizeof *bd);
	bd->group = -1;
	bd->alert_kind = "batch";
	bd->dedup_key = key;
	bd->slack_dest = xstrdup(dest);
	bd->mention = mention;
	struct ad_event head = *first;
	head.id = 0; /* the batch row names no single event */
	if (pass_log(db, &head, bd, NULL, st_status_str(worst), mention ? "critical" : "important",
		     now) < 0)
		return -1;
	sqlite3_stmt *up =
	    db_prepare(db, "UPDATE alert_sent_log SET suppressed_by = 'batched',"
			   " aggregated_under = ?2, last_updated_at = ?3 WHERE id = ?1");
	if (!up)
		return -1;
	int rc = 0;
	for (size_t q = 0; q < n && rc == 0; q++) {
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, ids[q]);
		db_bind_text(up, 2, key);
		db_bind_text(up, 3, now);
		rc = db_step_done(up);
	}
	sqlite3_finalize(up);
	return rc;
}

/* Fold the fired individual Slack messages of one destination into a batch
 * when there are more than AD_BATCH_OVER of them. */
static int make_batches(struct alertd *a, struct ad_event *ev, struct ad_decision *dec, size_t n,
			const char *now)
{
	char *done = xcalloc(n + 1, 1);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct ad_decision *di = &dec[i];
		if (done[i] || !di->alert_kind || strcmp(di->alert_kind, "status_change") ||
		    di->suppressed || !di->slack_dest)
			continue;
		size_t *idx = NULL, k = 0;
		for (size_t j = i; j < n; j++) {
			const struct ad_decision *dj = &dec[j];
			if (done[j] || !dj->alert_kind || strcmp(dj->alert_kind, "status_change") ||
			    dj->suppressed || !dj->slack_dest ||
			    strcmp(dj->slack_dest, di->slack_dest))
				continue;
			idx = xreallocarray(idx, k + 1, sizeof *idx);
			idx[k++] = j;
			done[j] = 1;
		}
		if (k <= AD_BATCH_OVER) {
			free(idx);
			continue;
		}
		const struct ad_event **bev = xcalloc(k, sizeof *bev);
		const struct ad_decision **bdec = xcalloc(k, sizeof *bdec);
		int mention = 0;
		enum st_status worst = ST_OPERATIONAL;
		const char *earliest = ev[idx[0]].created_at;
		for (size_t q = 0; q < k; q++) {
			bev[q] = &ev[idx[q]];
			bdec[q] = &dec[idx[q]];
			mention |= dec[idx[q]].mention;
			if (st_status_rank(ev[idx[q]].next) > st_status_rank(worst))
				worst = ev[idx[q]].next;
			if (strcmp(ev[idx[q]].created_at, earliest) < 0)
				earliest = ev[idx[q]].created_at;
		}
		struct ad_decision bd;
		int64_t *ids = xcalloc(k, sizeof *ids);
		for (size_t q = 0; q < k; q++)
			ids[q] = dec[idx[q]].alert_id;
		rc = pass_batch_row(
		    a->db, &ev[idx[0]], di->slack_dest,
		    xasprintf("batch:%s:%lld", di->slack_dest, (long long)ev[idx[0]].id), mention,
		    worst, ids, k, now, &bd);
		free(ids);
		for (size_t q = 0; q < k && rc == 0; q++) {
			ad_suppress(&dec[idx[q]], VC_SUP_BATCHED);
			free(dec[idx[q]].aggregated_under);
			dec[idx[q]].aggregated_under = xstrdup(bd.dedup_key);
		}
		if (rc == 0)
			rc = add(a->db, &bd, "slack", bd.slack_dest,
				 bk_batch(bev, bdec, k, mention,
					  pass_ack_buttons(&a->conf.cfg) ? bd.dedup_key : NULL),
				 earliest, now);
		if (rc == 0)
			log_info("batched %zu changes into one message to %s", k, bd.slack_dest);
		decision_clear(&bd);
		free(bev);
		free(bdec);
		free(idx);
	}
	free(done);
	return rc;
}

static void fold(struct ad_decision *d, const char *upstream)
{
	ad_suppress(d, VC_SUP_AGGREGATED_UNDER_UPSTREAM);
	free(d->aggregated_under);
	d->aggregated_under = xstrdup(upstream);
	d->dests = 0;
	d->mention = 0;
}

/* Decide one event outside the upstreams route_groups decided: members of a
 * group fold under its upstream (group_upstream), and a change that would
 * fire folds under an upstream's open alert when correlation says so. */
static int decide(const struct ad_route_ctx *c, const struct ad_event *e, struct ad_decision *d,
		  const char *group_upstream)
{
	if (route_event(c, e, d) < 0)
		return -1;
	if (group_upstream) {
		fold(d, group_upstream);
		return 0;
	}
	if (d->suppressed)
		return 0;
	char *up = NULL;
	int k = route_correlated(c, e, d->episode, &up);
	if (k > 0)
		fold(d, up);
	free(up);
	return k < 0 ? -1 : 0;
}

static void log_decision(const struct ad_event *e, const struct ad_decision *d)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)e->id);
	const char *why = ad_why_str(d);
	const char *kv[] = {"service",	 e->service_id, "event_id", id,
			    "kind",	 d->alert_kind, "decision", why ? why : "fired",
			    "dedup_key", d->dedup_key,	NULL};
	log_kv(LOG_LVL_INFO, kv, "%s %s -> %s: %s", e->service_id, prev_of(e), next_of(e),
	       why ? why : "alert");
}

int pass_run(struct alertd *a, int max)
{
	sqlite3 *db = a->db;
	const struct cfg_settings *cfg = &a->conf.cfg;
	char why[256];
	if (db_begin(db) < 0)
		return -1;
	struct ad_event *ev = NULL;
	int n = events_load(db, cursor_get(db), max, cfg->sso_broker_service_id, &ev);
	if (n <= 0) {
		db_rollback(db);
		return n;
	}
	int64_t now_ms = ts_now_ms();
	char now[TS_ISO_LEN + 1];
	ts_format(now_ms, now);
	struct ad_route_ctx c = {db, cfg, &a->conf.reg, now_ms};
	/* ALERT_GROUP_WAIT_SECONDS: stop before a dependent's fresh break that
	 * a later upstream alert may still absorb (--once never waits) */
	a->hold_until_ms = 0;
	if (!a->opts.once) {
		int h = route_hold(&c, ev, (size_t)n, &a->hold_until_ms);
		if (h < 0) {
			db_rollback(db);
			events_free(ev, (size_t)n);
			log_error("alert pass failed (group wait); rolled back, will retry");
			return -1;
		}
		if (h < n) {
			for (int i = h; i < n; i++)
				event_clear(&ev[i]);
			n = h;
		}
		if (n == 0) {
			db_rollback(db);
			free(ev);
			return 0;
		}
	}
	struct ad_decision *dec = xcalloc((size_t)n, sizeof *dec);
	int *member = xcalloc((size_t)n, sizeof *member);
	char *defer = xcalloc((size_t)n, 1);
	struct ad_group *groups = NULL;
	for (int i = 0; i < n; i++)
		dec[i].group = -1;
	int ng = route_groups(&c, ev, (size_t)n, dec, member, &groups);
	if (ng < 0 || route_defer(&c, ev, (size_t)n, member, defer) < 0)
		goto fail;

	/* Two rounds: the deferred dependents' breaks go last, so an upstream
	 * later in this pass is decided (and logged) before them. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < n; i++) {
			struct ad_event *e = &ev[i];
			struct ad_decision *d = &dec[i];
			if (!route_relevant(e) || defer[i] != round)
				continue;
			if (!d->dedup_key &&
			    decide(&c, e, d,
				   member[i] >= 0 ? ev[groups[member[i]].upstream].service_id
						  : NULL) < 0)
				goto fail;
			if (pass_log(db, e, d, prev_of(e), next_of(e), st_tier_str(e->tier), now) <
			    0)
				goto fail;
			if (is_recovery(e)) {
				if (resolve_episode(db, e, now) < 0)
					goto fail;
				if (e->kind == AD_EV_STATUS && report_on_recovery(a, e) < 0)
					goto fail;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (rollup_event(db, &ev[i]) < 0)
			goto fail;
	if (make_batches(a, ev, dec, (size_t)n, now) < 0)
		goto fail;

	for (int i = 0; i < n; i++) {
		struct ad_decision *d = &dec[i];
		if (!d->alert_kind || (d->suppressed && !batched(d)))
			continue;
		const struct ad_event **deps = NULL;
		size_t nd = 0;
		if (d->group >= 0) {
			const struct ad_group *g = &groups[d->group];
			deps = xcalloc(g->nmembers, sizeof *deps);
			for (size_t k = 0; k < g->nmembers; k++)
				deps[nd++] = &ev[g->members[k]];
		}
		/* an upstream's recovery names the dependents folded under it */
		cJSON *folded = NULL;
		if (d->recovery && ev[i].kind == AD_EV_STATUS &&
		    !(folded = report_folded(db, ev[i].service_id, d->episode, ev[i].id))) {
			free(deps);
			goto fail;
		}
		struct ad_msg m = {.kind = d->alert_kind,
				   .ev = &ev[i],
				   .dec = d,
				   .deps = deps,
				   .ndeps = nd,
				   .folded = folded,
				   .ack = pass_ack_buttons(cfg),
				   .failure_threshold = cfg->poller_failure_threshold};
		int rc = pass_enqueue(a, &m, ev[i].created_at);
		cJSON_Delete(folded);
		free(deps);
		if (rc < 0)
			goto fail;
	}
	if (cursor_set(db, ev[n - 1].id) < 0 || db_commit(db) < 0)
		goto fail_committed;

	for (int i = 0; i < n; i++) {
		if (!dec[i].alert_kind)
			continue;
		log_decision(&ev[i], &dec[i]);
		pass_count(dec[i].alert_kind, st_tier_str(ev[i].tier), dec[i].suppressed,
			   dec[i].why);
	}
	a->outbox_dirty = 1;
	ts_format(now_ms, a->last_cycle_at);
	for (int i = 0; i < n; i++)
		decision_clear(&dec[i]);
	free(dec);
	free(member);
	free(defer);
	groups_free(groups, ng > 0 ? (size_t)ng : 0);
	events_free(ev, (size_t)n);
	return n;

fail:
	/* SQLite's own words, taken before the rollback replaces them. */
	snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
	db_rollback(db);
	goto failed;
fail_committed:
	snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
failed:
	log_error("alert pass over %d events failed (sqlite: %s); rolled back, will retry", n, why);
	for (int i = 0; i < n; i++)
		decision_clear(&dec[i]);
	free(dec);
	free(member);
	free(defer);
	groups_free(groups, ng > 0 ? (size_t)ng : 0);
	events_free(ev, (size_t)n);
	return -1;
}
