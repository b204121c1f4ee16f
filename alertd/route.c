/*
 * route: what to do about one event -- fire, or which suppression -- in the
 * seed's order (doc/compat.md#s6-4) with our fixes (doc/design.md#alert-routing):
 *
 *   status events:  baseline -> [aggregated under an upstream, decided in
 *                   route_groups] -> recovery: announced? -> maintenance ->
 *                   dedup -> tier -> destination -> fire
 *   health events:  the same from "recovery" on (BROKEN is the outage,
 *                   RECOVERED the recovery); healthy <-> degraded is silent.
 *
 * Dedup keys carry the status, so an escalation inside one vendor incident
 * alerts while a repeat of the same status inside the window does not:
 *   vendor:{service}:{vendor incident}:{status}    polled change with an incident id
 *   episode:{service}:{episode}:{status}           otherwise
 *   poller_health:{service}:{broken|healthy}       poller health
 * An episode is the run of events since the service was last operational
 * (its first event's id), so a second genuine outage the same day is a new
 * key -- the seed's per-UTC-day fallback key hid it (doc/compat.md#bug-2). The episode
 * also names the incident for PagerDuty (itstatus:{service}:{episode}), so an
 * escalation updates the same PagerDuty incident and the recovery resolves it.
 *
 * Recoveries skip maintenance and dedup but alert only when the outage was
 * announced (some decision in the episode was fired, batched or named in a
 * fired aggregated alert); otherwise 'recovery_not_announced'.
 *
 * Correlation across passes (doc/alerting.md#correlation): a dependent
 * whose change would fire is folded into its upstream's alert -- suppressed
 * 'aggregated_under_upstream', aggregated_under = the upstream -- when a
 * declared upstream has an announced, unresolved outage alert whose event
 * lies from DEPENDENCY_CORRELATION_WINDOW_SECONDS before the dependent's
 * break to ALERT_GROUP_WAIT_SECONDS after it. Later changes inside a folded
 * episode stay folded while that upstream alert is open. A dependent that
 * broke earlier than that is sent: nothing explained it when it broke.
 *
 * Baseline events (the first reading of a new service) are logged as
 * suppressed 'baseline' rather than skipped: every status event then has
 * exactly one decision row, which is what makes a lost or repeated decision
 * visible (t/sh/alertd_crash.sh checks it).
 */
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "registry.h"
#include "xalloc.h"

int route_relevant(const struct ad_event *e)
{
	if (e->kind == AD_EV_STATUS)
		return 1;
	return (e->hnext == ST_BROKEN && e->hprev != ST_BROKEN) ||
	       (e->hprev == ST_BROKEN && e->hnext == ST_HEALTHY);
}

void decision_clear(struct ad_decision *d)
{
	free(d->dedup_key);
	free(d->incident_key);
	free(d->slack_dest);
	free(d->aggregated_under);
	memset(d, 0, sizeof *d);
	d->group = -1;
}

int64_t route_episode(sqlite3 *db, const struct ad_event *e)
{
	const char *sql =
	    e->kind == AD_EV_STATUS
		? "SELECT COALESCE(MIN(id), ?2) FROM status_events WHERE service_id = ?1"
		  " AND kind = 'status' AND id <= ?2 AND id > (SELECT COALESCE(MAX(id), 0)"
		  " FROM status_events WHERE service_id = ?1 AND kind = 'status' AND id < ?2"
		  " AND new_status = 'operational')"
		: "SELECT COALESCE(MIN(id), ?2) FROM status_events WHERE service_id = ?1"
		  " AND kind = 'health' AND id <= ?2 AND id > (SELECT COALESCE(MAX(id), 0)"
		  " FROM status_events WHERE service_id = ?1 AND kind = 'health' AND id < ?2"
		  " AND new_health = 'healthy')";
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, e->service_id);
	sqlite3_bind_int64(st, 2, e->id);
	int64_t v = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Was the outage this recovery ends announced? 1, 0, or -1. */
static int announced(sqlite3 *db, const struct ad_event *e)
{
	const char *sql =
	    e->kind == AD_EV_STATUS
		? "SELECT 1 FROM alert_sent_log WHERE service_id = ?1"
		  " AND alert_kind IN ('status_change', 'aggregated_upstream')"
		  " AND new_status <> 'operational' AND status_event_id < ?2"
		  " AND status_event_id > (SELECT COALESCE(MAX(id), 0) FROM status_events"
		  " WHERE service_id = ?1 AND kind = 'status' AND id < ?2"
		  " AND new_status = 'operational') AND " AD_ANNOUNCED_SQL " LIMIT 1"
		: "SELECT 1 FROM alert_sent_log WHERE service_id = ?1"
		  " AND alert_kind = 'poller_health' AND new_status = 'broken'"
		  " AND status_event_id < ?2 AND status_event_id > (SELECT COALESCE(MAX(id), 0)"
		  " FROM status_events WHERE service_id = ?1 AND kind = 'health' AND id < ?2"
		  " AND new_health = 'healthy') AND " AD_ANNOUNCED_SQL " LIMIT 1";
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, e->service_id);
	sqlite3_bind_int64(st, 2, e->id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int route_dedup_hit(sqlite3 *db, const char *key, const char *since_iso)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT 1 FROM alert_sent_log WHERE dedup_key = ?1"
			   " AND first_sent_at >= ?2 AND " AD_ANNOUNCED_SQL " LIMIT 1");
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, since_iso);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int route_in_maintenance(sqlite3 *db, const struct ad_event *e, int64_t now_ms)
{
	if (e->ev_maintenance || e->svc_maintenance)
		return 1;
	/* Vendor and local windows alike; 'verifying' no longer suppresses (the
	 * vendor thinks the work is done). Timestamps are canonical ISO text. */
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT 1 FROM scheduled_maintenances WHERE service_id = ?1"
			   " AND status IN ('scheduled', 'in_progress') AND scheduled_for <= ?2"
			   " AND (scheduled_until IS NULL OR scheduled_until >= ?2) LIMIT 1");
	if (!st)
		return -1;
	char now[TS_ISO_LEN + 1];
	db_bind_text(st, 1, e->service_id);
	db_bind_text(st, 2, ts_format(now_ms, now));
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The Slack destination for a service: its override when that resolves,
 * else the main webhook. NULL when neither is configured. Caller frees. */
static char *slack_for_service(const struct cfg_settings *cfg, const struct reg_registry *reg,
			       const struct ad_event *e)
{
	const char *ov = e->override;
	if (ov && *ov) {
		size_t n = strlen(ov);
		if (n > 3 && ov[0] == '$' && ov[1] == '{' && ov[n - 1] == '}') {
			char *var = xstrndup(ov + 2, n - 3);
			const char *val = getenv(var);
			if (val && *val) {
				char *d = xasprintf("slack:env:%s", var);
				free(var);
				return d;
			}
			free(var);
		} else {
			/* A literal URL stays in services.yaml (pollerd stores only a
			 * placeholder); the loaded registry has it. */
			const struct reg_service *rs = reg ? reg_find(reg, e->service_id) : NULL;
			if (rs && rs->slack_override_url)
				return xasprintf("slack:service:%s", e->service_id);
		}
	}
	return cfg->secrets.slack_webhook_url ? xstrdup("slack:main") : NULL;
}

unsigned route_destinations(const struct cfg_settings *cfg, const struct reg_registry *reg,
			    const struct ad_event *e, int health, char **slack_dest,
			    int *routed_to_main)
{
	unsigned k = 0;
	*slack_dest = NULL;
	if (routed_to_main)
		*routed_to_main = 0;
	if (e->dest_kinds & AD_DK_SLACK) {
		if (health && cfg->secrets.poller_health_slack_webhook_url) {
			*slack_dest = xstrdup("slack:poller_health");
		} else {
			*slack_dest = slack_for_service(cfg, reg, e);
			if (health && routed_to_main && *slack_dest &&
			    !strcmp(*slack_dest, "slack:main"))
				*routed_to_main = 1;
		}
		if (*slack_dest)
			k |= AD_DK_SLACK;
	}
	if ((e->dest_kinds & AD_DK_WEBHOOK) && cfg->secrets.generic_webhook_url)
		k |= AD_DK_WEBHOOK;
	if ((e->dest_kinds & AD_DK_TEAMS) && cfg->secrets.teams_webhook_url)
		k |= AD_DK_TEAMS;
	/* PagerDuty pages on vendor outages; our own poller trouble is not one. */
	if (!health && (e->dest_kinds & AD_DK_PAGERDUTY) && cfg->secrets.pagerduty_routing_key)
		k |= AD_DK_PAGERDUTY;
	return k;
}

int route_event(const struct ad_route_ctx *c, const struct ad_event *e, struct ad_decision *d)
{
	memset(d, 0, sizeof *d);
	d->group = -1;
	int health = e->kind == AD_EV_HEALTH;
	d->alert_kind = health ? "poller_health" : "status_change";
	int64_t episode = route_episode(c->db, e);
	if (episode < 0)
		return -1;
	d->episode = episode;
	if (health) {
		d->recovery = e->hnext == ST_HEALTHY;
		d->dedup_key =
		    xasprintf("poller_health:%s:%s", e->service_id, st_health_str(e->hnext));
		d->incident_key =
		    xasprintf("itstatus-poller:%s:%lld", e->service_id, (long long)episode);
	} else {
		d->recovery = e->next == ST_OPERATIONAL;
		if (e->vendor_incident_id && *e->vendor_incident_id)
			d->dedup_key = xasprintf("vendor:%s:%s:%s", e->service_id,
						 e->vendor_incident_id, st_status_str(e->next));
		else
			d->dedup_key = xasprintf("episode:%s:%lld:%s", e->service_id,
						 (long long)episode, st_status_str(e->next));
		d->incident_key = xasprintf("itstatus:%s:%lld", e->service_id, (long long)episode);
	}

	if (!health && e->is_baseline) {
		ad_suppress(d, VC_SUP_BASELINE);
		return 0;
	}
	if (d->recovery) {
		int a = announced(c->db, e);
		if (a < 0)
			return -1;
		if (!a) {
			ad_suppress(d, VC_SUP_RECOVERY_NOT_ANNOUNCED);
			return 0;
		}
	} else {
		int m = route_in_maintenance(c->db, e, c->now_ms);
		if (m < 0)
			return -1;
		if (m) {
			ad_suppress(d, VC_SUP_MAINTENANCE_WINDOW);
			return 0;
		}
		char since[TS_ISO_LEN + 1];
		ts_format(c->now_ms - (int64_t)c->cfg->alert_dedup_window_seconds * 1000, since);
		int h = route_dedup_hit(c->db, d->dedup_key, since);
		if (h < 0)
			return -1;
		if (h) {
			ad_suppress(d, VC_SUP_DEDUP);
			return 0;
		}
	}
	if (e->tier == ST_TIER_INFORMATIONAL) {
		ad_suppress(d, VC_SUP_TIER_INFORMATIONAL);
		return 0;
	}
	d->dests =
	    route_destinations(c->cfg, c->reg, e, health, &d->slack_dest, &d->routed_to_main);
	if (!d->dests) {
		ad_suppress(d, VC_SUP_WEBHOOK_NOT_CONFIGURED);
		return 0;
	}
	d->mention = e->tier == ST_TIER_CRITICAL;
	return 0;
}

void groups_free(struct ad_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].members);
	free(g);
}

/* op -> not op, a real reading: the only changes that aggregate. */
static int breaks(const struct ad_event *e)
{
	return e->kind == AD_EV_STATUS && !e->is_baseline && e->prev == ST_OPERATIONAL &&
	       e->next != ST_OPERATIONAL;
}

static int cmp_groups(const void *a, const void *b)
{
	const struct ad_group *x = a, *y = b;
	if (x->nmembers != y->nmembers)
		return x->nmembers > y->nmembers ? -1 : 1;
	return x->upstream < y->upstream ? -1 : x->upstream > y->upstream;
}

/* The breaking events of a pass, first per service, sorted by service id,
 * so each upstream's dependents are found by lookup: a pass of thousands of
 * outages costs one query per upstream, not one per pair. */
struct brk {
	const char *service;
	size_t idx;
};

static int cmp_brk(const void *a, const void *b)
{
	const struct brk *x = a, *y = b;
	int c = strcmp(x->service, y->service);
	return c ? c : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Indexes (in event order) of the breaking events whose service is a
 * declared downstream of ev[u]. *out caller frees. Returns count or -1. */
static int dependents(sqlite3 *db, const struct ad_event *ev, const struct brk *b, size_t nb,
		      size_t u, size_t **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_prepare(db, "SELECT DISTINCT downstream_service_id FROM"
					  " service_dependencies WHERE upstream_service_id = ?1");
	if (!st)
		return -1;
	db_bind_text(st, 1, ev[u].service_id);
	size_t *m = NULL, nm = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *down = (const char *)sqlite3_column_text(st, 0);
		if (!down || !strcmp(down, ev[u].service_id))
			continue;
		struct brk key = {down, 0};
		/* lower bound: the first (earliest) event of that service */
		size_t lo = 0, hi = nb;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (cmp_brk(&b[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nb && !strcmp(b[lo].service, down)) {
			m = xreallocarray(m, nm + 1, sizeof *m);
			m[nm++] = b[lo].idx;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(m);
		return -1;
	}
	if (nm > 1)
		qsort(m, nm, sizeof *m, cmp_size);
	*out = m;
	return (int)nm;
}

int route_groups(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
		 struct ad_decision *dec, int *member, struct ad_group **groups)
{
	*groups = NULL;
	for (size_t i = 0; i < n; i++)
		member[i] = -1;
	size_t thr = (size_t)c->cfg->dependency_correlation_threshold;
	struct ad_group *cand = NULL;
	size_t ncand = 0, nb = 0;
	struct brk *b = xcalloc(n + 1, sizeof *b);
	for (size_t i = 0; i < n; i++)
		if (breaks(&ev[i]))
			b[nb++] = (struct brk){ev[i].service_id, i};
	qsort(b, nb, sizeof *b, cmp_brk);
	for (size_t i = 0; i < n; i++) {
		if (!breaks(&ev[i]))
			continue;
		size_t *m = NULL;
		int nm = nb > thr ? dependents(c->db, ev, b, nb, i, &m) : 0;
		if (nm < 0) {
			free(b);
			groups_free(cand, ncand);
			return -1;
		}
		if ((size_t)nm < thr) {
			free(m);
			continue;
		}
		cand = xreallocarray(cand, ncand + 1, sizeof *cand);
		cand[ncand++] =
		    (struct ad_group){.upstream = i, .members = m, .nmembers = (size_t)nm};
	}
	free(b);
	if (!ncand)
		return 0;
	/* Largest groups first, so when groups overlap (a chain of upstreams)
	 * the widest explanation wins; each event belongs to one group at most. */
	qsort(cand, ncand, sizeof *cand, cmp_groups);
	char *upstream_of = xcalloc(n, 1);
	struct ad_group *acc = NULL;
	size_t nacc = 0;
	for (size_t g = 0; g < ncand; g++) {
		size_t u = cand[g].upstream;
		if (member[u] >= 0)
			continue;
		size_t keep = 0;
		for (size_t k = 0; k < cand[g].nmembers; k++) {
			size_t j = cand[g].members[k];
			if (member[j] < 0 && !upstream_of[j])
				cand[g].members[keep++] = j;
		}
		cand[g].nmembers = keep;
		if (keep < thr)
			continue;
		struct ad_decision d;
		if (route_event(c, &ev[u], &d) < 0) {
			free(upstream_of);
			groups_free(acc, nacc);
			groups_free(cand, ncand);
			return -1;
		}
		if (d.suppressed) {
			/* The upstream stays quiet (maintenance, tier...): its
			 * dependents must then speak for themselves. */
			decision_clear(&d);
			continue;
		}
		d.alert_kind = "aggregated_upstream";
		d.group = (int)nacc;
		decision_clear(&dec[u]);
		dec[u] = d;
		upstream_of[u] = 1;
		for (size_t k = 0; k < keep; k++)
			member[cand[g].members[k]] = (int)nacc;
		acc = xreallocarray(acc, nacc + 1, sizeof *acc);
		acc[nacc++] = cand[g];
		cand[g].members = NULL;
	}
	free(upstream_of);
	groups_free(cand, ncand);
	*groups = acc;
	return (int)nacc;
}

/* [from, to] as ISO text: the times an upstream's alert event may have to
 * explain a dependent's break at e (to = e's time plus the group wait). */
static void corr_range(const struct cfg_settings *cfg, const struct ad_event *e,
		       char from[TS_ISO_LEN + 1], char to[TS_ISO_LEN + 1])
{
	ts_format(e->created_ms - (int64_t)cfg->dependency_correlation_window_seconds * 1000, from);
	ts_format(e->created_ms + (int64_t)cfg->alert_group_wait_seconds * 1000, to);
}

int route_correlated(const struct ad_route_ctx *c, const struct ad_event *e, int64_t episode,
		     char **upstream)
{
	*upstream = NULL;
	if (c->cfg->dependency_correlation_window_seconds <= 0 || e->kind != AD_EV_STATUS ||
	    e->is_baseline || e->next == ST_OPERATIONAL)
		return 0;
	sqlite3_stmt *st;
	if (e->prev == ST_OPERATIONAL) {
		char from[TS_ISO_LEN + 1], to[TS_ISO_LEN + 1];
		corr_range(c->cfg, e, from, to);
		st = db_prepare(
		    c->db, "SELECT a.service_id FROM service_dependencies d"
			   " JOIN alert_sent_log a ON a.service_id = d.upstream_service_id"
			   " JOIN status_events u ON u.id = a.status_event_id"
			   " WHERE d.downstream_service_id = ?1 AND d.upstream_service_id <> ?1"
			   " AND a.alert_kind IN ('status_change', 'aggregated_upstream')"
			   " AND a.new_status <> 'operational' AND a.resolved_at IS NULL"
			   " AND " AD_ANNOUNCED_SQL " AND u.created_at >= ?2 AND u.created_at <= ?3"
			   " ORDER BY u.created_at, a.id LIMIT 1");
		if (!st)
			return -1;
		db_bind_text(st, 2, from);
		db_bind_text(st, 3, to);
	} else {
		/* a change inside an episode already folded: the same upstream,
		 * while its alert is open */
		st = db_prepare(
		    c->db,
		    "SELECT f.aggregated_under FROM alert_sent_log f"
		    " WHERE f.service_id = ?1 AND f.suppressed_by = 'aggregated_under_upstream'"
		    " AND f.status_event_id >= ?2 AND f.status_event_id < ?3"
		    " AND EXISTS (SELECT 1 FROM alert_sent_log a"
		    " WHERE a.service_id = f.aggregated_under"
		    " AND a.alert_kind IN ('status_change', 'aggregated_upstream')"
		    " AND a.new_status <> 'operational' AND a.resolved_at IS NULL"
		    " AND " AD_ANNOUNCED_SQL ") ORDER BY f.id DESC LIMIT 1");
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 2, episode);
		sqlite3_bind_int64(st, 3, e->id);
	}
	db_bind_text(st, 1, e->service_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*upstream = db_col_dup(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Does a declared upstream of ev[i]'s service break later in this pass, at
 * a time that could explain ev[i]? */
static int upstream_breaks_later(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
				 size_t i)
{
	int64_t gw = (int64_t)c->cfg->alert_group_wait_seconds * 1000;
	sqlite3_stmt *st = db_prepare(c->db, "SELECT 1 FROM service_dependencies"
					     " WHERE downstream_service_id = ?1"
					     " AND upstream_service_id = ?2 LIMIT 1");
	if (!st)
		return -1;
	int found = 0;
	for (size_t j = i + 1; j < n && !found; j++) {
		if (!breaks(&ev[j]) || !strcmp(ev[j].service_id, ev[i].service_id) ||
		    ev[j].created_ms - gw > ev[i].created_ms)
			continue;
		sqlite3_reset(st);
		db_bind_text(st, 1, ev[i].service_id);
		db_bind_text(st, 2, ev[j].service_id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			found = 1;
		else if (rc != SQLITE_DONE)
			found = -1;
	}
	sqlite3_finalize(st);
	return found;
}

int route_defer(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
		const int *member, char *defer)
{
	memset(defer, 0, n);
	if (c->cfg->dependency_correlation_window_seconds <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!breaks(&ev[i]) || member[i] >= 0)
			continue;
		int later = 0; /* the service changes again in this pass: keep its order */
		for (size_t j = i + 1; j < n && !later; j++)
			later = !strcmp(ev[j].service_id, ev[i].service_id);
		if (later)
			continue;
		int u = upstream_breaks_later(c, ev, n, i);
		if (u < 0)
			return -1;
		defer[i] = (char)u;
	}
	return 0;
}

int route_hold(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n, int64_t *until_ms)
{
	*until_ms = 0;
	int64_t gw = (int64_t)c->cfg->alert_group_wait_seconds * 1000;
	if (gw <= 0 || c->cfg->dependency_correlation_window_seconds <= 0)
		return (int)n;
	sqlite3_stmt *st = db_prepare(c->db, "SELECT 1 FROM service_dependencies"
					     " WHERE downstream_service_id = ?1"
					     " AND upstream_service_id <> ?1 LIMIT 1");
	if (!st)
		return -1;
	int hold = (int)n;
	for (size_t i = 0; i < n && hold == (int)n; i++) {
		if (!breaks(&ev[i]) || c->now_ms - ev[i].created_ms >= gw)
			continue;
		sqlite3_reset(st);
		db_bind_text(st, 1, ev[i].service_id);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			if (rc != SQLITE_DONE)
				hold = -1;
			continue; /* nothing upstream could absorb it */
		}
		char *up = NULL;
		int k = route_correlated(c, &ev[i], 0, &up);
		free(up);
		int later = k == 0 ? upstream_breaks_later(c, ev, n, i) : 0;
		if (k < 0 || later < 0) {
			hold = -1;
		} else if (!k && !later) {
			hold = (int)i;
			int64_t until = ev[i].created_ms + gw;
			*until_ms = until < c->now_ms + gw ? until : c->now_ms + gw;
		}
	}
	sqlite3_finalize(st);
	return hold;
}
