/*
 * burn: multi-window, multi-burn-rate SLO alerts (SLO_BURN_RATE_ENABLED),
 * following the Google SRE Workbook's table for a 30-day SLO
 * (doc/field.md#burn-rate) instead of the seed's arithmetic (doc/compat.md#bug-22):
 *
 *   row     long  short  burn rate (setting)                 action
 *   fast    1h    5m     SLO_BURN_RATE_FAST_THRESHOLD  14.4   page: <!here>, critical
 *   slow    6h    30m    SLO_BURN_RATE_SLOW_THRESHOLD   6     no mention, important
 *   ticket  3d    6h     SLO_BURN_RATE_TICKET_THRESHOLD 1     no mention, important
 *
 * A row breaches only when both of its windows exceed the threshold. When
 * fast and slow both breach, both are recorded and one message names both
 * (the slow row is logged 'batched' under the fast one); the ticket row is
 * only considered when neither breaches (it would repeat them).
 *
 * burn = (bad time / tracked time) / (1 - SLO target). Bad time weighs major
 * and partial outages 1 and degraded DEGRADED_SLA_WEIGHT. The coverage rule
 * (doc/alerting.md#coverage), shared with the dashboard: tracked time starts
 * when monitoring started (the service's first baseline event) and excludes
 * blind time -- the poller broken, the status unknown, maintenance, pollerd
 * stalled (doc/faults.md#stalled) -- and an
 * episode already open at a baseline (it started before we could see it) is
 * not tracked at all. A window has a burn rate only when tracked time covers
 * BURN_MIN_COVERAGE_PERCENT of it. Informational and manual services are
 * skipped: nobody is paged for a tier that sends no messages, and a manual
 * service's status is an operator's statement.
 *
 * Burn alerts are for budget burned without a status page (flapping inside
 * one vendor incident, relapses, recoveries that do not hold): a breach that
 * would not happen without the bad time of episodes a status alert already
 * announced is logged 'covered_by_status_alert' and sends nothing. A less
 * severe row is 'covered_by_burn_alert' while a more severe one was announced
 * inside ALERT_DEDUP_WINDOW_SECONDS, so one problem pages once.
 *
 * Each key (slo_burn:{service}:{row}) gets at most one announced row per
 * ALERT_DEDUP_WINDOW_SECONDS, and a suppressed decision is logged again only
 * when it changes: re-evaluating the same burn every few minutes is not a new
 * decision, only a metric.
 */
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

static const int64_t win_len[BURN_NWIN] = {5 * 60000LL,	  30 * 60000LL,	  3600000LL,
					   6 * 3600000LL, 3 * 86400000LL, 30 * 86400000LL};

static const struct {
	const char *row, *long_label, *short_label;
	int long_w, short_w, page;
} rows[BURN_NROWS] = {
    {"fast", "1h", "5m", BURN_1H, BURN_5M, 1},
    {"slow", "6h", "30m", BURN_6H, BURN_30M, 0},
    {"ticket", "3d", "6h", BURN_3D, BURN_6H, 0},
};

static double weight(enum st_status s, double degraded_weight)
{
	switch (s) {
	case ST_OPERATIONAL:
		return 0;
	case ST_DEGRADED:
		return degraded_weight;
	default:
		return 1;
	}
}

void burn_windows(const struct burn_step *steps, size_t n, int64_t now_ms, double degraded_weight,
		  struct burn_window w[BURN_NWIN])
{
	for (int k = 0; k < BURN_NWIN; k++)
		w[k] = (struct burn_window){.len_ms = win_len[k]};
	for (size_t i = 0; i < n; i++) {
		const struct burn_step *s = &steps[i];
		if (s->blind || s->broken || s->maintenance || s->status == ST_UNKNOWN)
			continue;
		int64_t a = s->at_ms, b = i + 1 < n ? steps[i + 1].at_ms : now_ms;
		for (int k = 0; k < BURN_NWIN; k++) {
			int64_t lo = a > now_ms - win_len[k] ? a : now_ms - win_len[k];
			int64_t hi = b < now_ms ? b : now_ms;
			if (hi <= lo)
				continue;
			double bad = (double)(hi - lo) * weight(s->status, degraded_weight);
			w[k].tracked_ms += (double)(hi - lo);
			w[k].bad_ms += bad;
			if (!s->paged)
				w[k].unpaged_bad_ms += bad;
		}
	}
}

double burn_rate(const struct burn_window *w, double target_percent, double min_coverage_percent)
{
	if (w->tracked_ms <= 0 || w->tracked_ms < (double)w->len_ms * min_coverage_percent / 100.0)
		return -1;
	double allowed = 1.0 - target_percent / 100.0;
	if (allowed <= 0)
		return -1;
	return (w->bad_ms / w->tracked_ms) / allowed;
}

unsigned burn_evaluate(const struct cfg_settings *cfg, const struct burn_window w[BURN_NWIN],
		       struct ad_burn out[BURN_NROWS])
{
	const double thr[BURN_NROWS] = {cfg->slo_burn_rate_fast_threshold,
					cfg->slo_burn_rate_slow_threshold,
					cfg->slo_burn_rate_ticket_threshold};
	double cov = cfg->burn_min_coverage_percent;
	unsigned mask = 0;
	for (int r = 0; r < BURN_NROWS; r++) {
		double lb = burn_rate(&w[rows[r].long_w], cfg->slo_target_percent, cov);
		double sb = burn_rate(&w[rows[r].short_w], cfg->slo_target_percent, cov);
		if (lb < 0 || sb < 0 || !(lb > thr[r]) || !(sb > thr[r]))
			continue;
		mask |= 1u << r;
		struct ad_burn *o = &out[r];
		memset(o, 0, sizeof *o);
		o->row = rows[r].row;
		o->long_label = rows[r].long_label;
		o->short_label = rows[r].short_label;
		o->long_burn = lb;
		o->short_burn = sb;
		o->threshold = thr[r];
		o->target = cfg->slo_target_percent;
		o->page = rows[r].page;
		const struct burn_window *m = &w[BURN_30D];
		double rem = 100;
		if (m->tracked_ms > 0)
			rem = 100 - 100 * (m->bad_ms / m->tracked_ms) /
					(1 - cfg->slo_target_percent / 100.0);
		o->budget_remaining = rem < 0 ? 0 : rem > 100 ? 100 : rem;
	}
	return mask;
}

void burn_unpaged(const struct burn_window w[BURN_NWIN], struct burn_window out[BURN_NWIN])
{
	for (int k = 0; k < BURN_NWIN; k++) {
		out[k] = w[k];
		out[k].bad_ms = w[k].unpaged_bad_ms;
	}
}

/* Ids of the service's status events whose decision announced an outage
 * (fired, batched, or named under a fired upstream), ascending. *out caller
 * frees. Returns the count or -1. */
static int announced_events(sqlite3 *db, const char *service, int64_t **out)
{
	*out = NULL;
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT status_event_id FROM alert_sent_log WHERE service_id = ?1"
			   " AND status_event_id IS NOT NULL"
			   " AND alert_kind IN ('status_change', 'aggregated_upstream')"
			   " AND new_status <> 'operational' AND " AD_ANNOUNCED_SQL
			   " ORDER BY status_event_id");
	if (!st)
		return -1;
	db_bind_text(st, 1, service);
	int64_t *v = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*out = v;
	return (int)n;
}

static int has_id(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == id;
}

/*
 * The service's timeline, read from its whole event history (monitoring
 * start and episodes may lie before the 30-day window); steps wholly before
 * the window are folded into one. Each step carries the episode it belongs
 * to, so steps of an episode some status alert announced are marked paged.
 * *out caller frees. Returns the count or -1.
 */
/* When pollerd stalled (its last heartbeat), or -1 while it is not stalled
 * at now_ms by v_poller_sight's rule (db_poller_stalled_at): from then on
 * every status is unknown (doc/faults.md#stalled), so that time is blind. */
static int64_t poller_stalled_at(sqlite3 *db, int64_t now_ms)
{
	int64_t at;
	return db_poller_stalled_at(db, now_ms, &at) == 1 ? at : -1;
}

static int load_steps(sqlite3 *db, const char *service, int64_t now_ms, int64_t stalled_at,
		      struct burn_step **out)
{
	*out = NULL;
	int64_t start = now_ms - win_len[BURN_30D];
	int64_t *ann = NULL;
	int nann = announced_events(db, service, &ann);
	if (nann < 0)
		return -1;
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT id, kind, new_status, new_health, in_maintenance, is_baseline, created_at"
		" FROM status_events WHERE service_id = ?1 ORDER BY id");
	if (!st) {
		free(ann);
		return -1;
	}
	db_bind_text(st, 1, service);
	struct burn_step cur = {.at_ms = start, .status = ST_UNKNOWN, .blind = 1};
	struct burn_step *v = xmalloc(sizeof *v);
	int *ep_of = xmalloc(sizeof *ep_of); /* per step: episode index, -1 = none */
	char *ep_paged = NULL;
	size_t n = 0, nep = 0;
	int monitoring = 0, inherited = 0, ep = -1, rc;
	v[n] = cur;
	ep_of[n++] = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at;
		if (ts_parse((const char *)sqlite3_column_text(st, 6), &at) < 0)
			continue;
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		if (kind && !strcmp(kind, "health")) {
			const char *h = (const char *)sqlite3_column_text(st, 3);
			cur.broken = h && !strcmp(h, "broken");
		} else {
			const char *s = (const char *)sqlite3_column_text(st, 2);
			cur.status = ST_UNKNOWN;
			if (s)
				st_status_parse(s, &cur.status);
			cur.maintenance = sqlite3_column_int(st, 4);
			int baseline = sqlite3_column_int(st, 5);
			if (baseline) {
				/* monitoring starts; an outage already under way
				 * at a baseline began before we could see it */
				monitoring = 1;
				inherited = cur.status != ST_OPERATIONAL;
			} else if (cur.status == ST_OPERATIONAL) {
				inherited = 0;
			}
			if (cur.status == ST_OPERATIONAL) {
				ep = -1;
			} else if (ep < 0) {
				ep_paged = xrealloc(ep_paged, nep + 1);
				ep_paged[nep] = 0;
				ep = (int)nep++;
			}
			if (ep >= 0 && has_id(ann, (size_t)nann, sqlite3_column_int64(st, 0)))
				ep_paged[ep] = 1;
		}
		cur.blind = !monitoring || inherited;
		cur.at_ms = at;
		/* a step followed by one that also starts before the window
		 * never reaches it: overwrite instead of growing */
		if (n > 0 && v[n - 1].at_ms <= start && at <= start) {
			n--;
		} else {
			v = xreallocarray(v, n + 1, sizeof *v);
			ep_of = xreallocarray(ep_of, n + 1, sizeof *ep_of);
		}
		v[n] = cur;
		ep_of[n++] = cur.status == ST_OPERATIONAL ? -1 : ep;
	}
	sqlite3_finalize(st);
	if (stalled_at >= 0 && stalled_at >= v[n - 1].at_ms && stalled_at <= now_ms) {
		cur.at_ms = stalled_at; /* pollerd stalled: blind from then on */
		cur.status = ST_UNKNOWN;
		cur.blind = 1;
		v = xreallocarray(v, n + 1, sizeof *v);
		ep_of = xreallocarray(ep_of, n + 1, sizeof *ep_of);
		v[n] = cur;
		ep_of[n++] = -1;
	}
	for (size_t i = 0; i < n; i++)
		v[i].paged = ep_of[i] >= 0 && ep_paged[ep_of[i]];
	free(ep_of);
	free(ep_paged);
	free(ann);
	if (rc != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*out = v;
	return (int)n;
}

/* The last decision logged for key since since_iso: 2 when it was
 * announced, 1 when suppressed with the same reason as why (NULL = fired),
 * 0 otherwise; -1 on error. */
static int last_decision(sqlite3 *db, const char *key, const char *since_iso, const char *why)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT " AD_ANNOUNCED_SQL ", suppressed_by FROM alert_sent_log"
		" WHERE dedup_key = ?1 AND first_sent_at >= ?2 ORDER BY " AD_ANNOUNCED_SQL " DESC,"
		" id DESC LIMIT 1");
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, since_iso);
	int rc = sqlite3_step(st), v = 0;
	if (rc == SQLITE_ROW) {
		const char *by = (const char *)sqlite3_column_text(st, 1);
		if (sqlite3_column_int(st, 0))
			v = 2;
		else if (why && by && !strcmp(by, why))
			v = 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? v : -1;
}

static const char *severity_of(int r)
{
	return r == BURN_FAST ? "critical" : "important";
}

/*
 * Decide, log and queue the breaching rows (bits of rows) of one service in
 * one transaction; umask: the rows that still breach on unpaged bad time.
 * Returns 1 when a message was queued, 0 when not, -1 on error.
 */
static int decide(struct alertd *a, const struct ad_event *svc, const struct ad_burn b[BURN_NROWS],
		  unsigned mask, unsigned umask, int64_t now_ms)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	struct ad_decision d[BURN_NROWS];
	/* rows not logged again: dedup, or the reason they repeat */
	enum vc_suppression skip[BURN_NROWS] = {0};
	int logged[BURN_NROWS] = {0};
	char since[TS_ISO_LEN + 1], now[TS_ISO_LEN + 1];
	ts_format(now_ms - (int64_t)cfg->alert_dedup_window_seconds * 1000, since);
	ts_format(now_ms, now);
	for (int r = 0; r < BURN_NROWS; r++) {
		memset(&d[r], 0, sizeof d[r]);
		d[r].group = -1;
	}
	int rc = -1, lead = -1, queued = 0;
	if (db_begin(a->db) < 0)
		goto out;
	int m = route_in_maintenance(a->db, svc, now_ms);
	if (m < 0)
		goto rollback;
	int louder = 0; /* a more severe row was announced before: this one adds nothing */
	for (int r = 0; r < BURN_NROWS; r++) {
		struct ad_decision *x = &d[r];
		x->alert_kind = "slo_burn_rate";
		x->dedup_key = xasprintf("slo_burn:%s:%s", svc->service_id, rows[r].row);
		if (!(mask & (1u << r))) {
			/* not breaching now, but announced lately: it still
			 * covers the rows below it */
			int last = last_decision(a->db, x->dedup_key, since, NULL);
			if (last < 0)
				goto rollback;
			louder |= last == 2;
			continue;
		}
		if (m) {
			ad_suppress(x, VC_SUP_MAINTENANCE_WINDOW);
		} else if (louder) {
			ad_suppress(x, VC_SUP_COVERED_BY_BURN_ALERT);
		} else if (!(umask & (1u << r))) {
			ad_suppress(x, VC_SUP_COVERED_BY_STATUS_ALERT);
		} else {
			x->dests =
			    route_destinations(cfg, &a->conf.reg, svc, 0, &x->slack_dest, NULL);
			if (!x->dests)
				ad_suppress(x, VC_SUP_WEBHOOK_NOT_CONFIGURED);
		}
		int last = last_decision(a->db, x->dedup_key, since, ad_why_str(x));
		if (last < 0)
			goto rollback;
		if (last) {
			louder |= last == 2;
			skip[r] = last == 2 ? VC_SUP_DEDUP : x->why;
			continue;
		}
		if (!x->suppressed) {
			if (lead < 0) {
				lead = r;
				x->mention = b[r].page;
			} else {
				/* named in the lead row's message */
				ad_suppress(x, VC_SUP_BATCHED);
				x->aggregated_under = xstrdup(d[lead].dedup_key);
				x->dests = d[lead].dests;
				free(x->slack_dest);
				x->slack_dest = xstrdup_or_null(d[lead].slack_dest);
			}
		}
		char *next = xasprintf("slo_%s_burn", rows[r].row);
		int lr = pass_log(a->db, svc, x, NULL, next, severity_of(r), now);
		free(next);
		if (lr < 0)
			goto rollback;
		logged[r] = 1;
	}
	if (lead >= 0) {
		const struct ad_burn *also = NULL;
		for (int r = lead + 1; r < BURN_NROWS && !also; r++)
			if (logged[r] && ad_is(&d[r], VC_SUP_BATCHED))
				also = &b[r];
		struct ad_msg msg = {.kind = "slo_burn_rate",
				     .ev = svc,
				     .dec = &d[lead],
				     .burn = &b[lead],
				     .burn_also = also,
				     .ack = pass_ack_buttons(cfg)};
		if (pass_enqueue(a, &msg, NULL) < 0)
			goto rollback;
		queued = 1;
	}
	if (db_commit(a->db) < 0)
		goto rollback;
	for (int r = 0; r < BURN_NROWS; r++) {
		if (!(mask & (1u << r)))
			continue;
		/* a row not logged now was skipped, always for a reason */
		int suppressed = logged[r] ? d[r].suppressed : 1;
		enum vc_suppression sup = logged[r] ? d[r].why : skip[r];
		pass_count("slo_burn_rate", severity_of(r), suppressed, sup);
		const char *why = suppressed ? vocab_str(VC_SET(suppression), (int)sup) : NULL;
		if (logged[r])
			log_info("SLO %s burn on %s: %.1fx over %s, %.1fx over %s: %s", rows[r].row,
				 svc->service_id, b[r].long_burn, b[r].long_label, b[r].short_burn,
				 b[r].short_label, why ? why : "alert");
	}
	if (queued)
		a->outbox_dirty = 1;
	rc = queued;
	goto out;
rollback:
	db_rollback(a->db);
	rc = -1;
out:
	for (int r = 0; r < BURN_NROWS; r++)
		decision_clear(&d[r]);
	return rc;
}

int burn_run(struct alertd *a)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	sqlite3_stmt *st =
	    db_prepare(a->db, "SELECT id FROM services WHERE retired_at IS NULL"
			      " AND tier <> 'informational' AND poll_type <> 'manual'"
			      " ORDER BY id");
	if (!st)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = db_col_dup(st, 0);
	}
	sqlite3_finalize(st);
	int64_t now_ms = ts_now_ms();
	int64_t stalled_at = poller_stalled_at(a->db, now_ms);
	int fired = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		struct burn_step *steps;
		int ns = load_steps(a->db, ids[i], now_ms, stalled_at, &steps);
		if (ns < 0) {
			err = 1;
			continue;
		}
		struct burn_window w[BURN_NWIN], wu[BURN_NWIN];
		burn_windows(steps, (size_t)ns, now_ms, cfg->degraded_sla_weight, w);
		free(steps);
		struct ad_burn b[BURN_NROWS], bu[BURN_NROWS];
		unsigned mask = burn_evaluate(cfg, w, b);
		/* the ticket row only when no paging row breaches */
		if (mask & ((1u << BURN_FAST) | (1u << BURN_SLOW)))
			mask &= ~(1u << BURN_TICKET);
		if (!mask)
			continue;
		burn_unpaged(w, wu);
		unsigned umask = burn_evaluate(cfg, wu, bu);
		for (int r = 0; r < BURN_NROWS; r++)
			if (mask & (1u << r))
				ts_format(now_ms, b[r].at);
		struct ad_event svc;
		if (service_load(a->db, ids[i], &svc) < 0) {
			err = 1;
			continue;
		}
		int rc = decide(a, &svc, b, mask, umask, now_ms);
		event_clear(&svc);
		if (rc < 0)
			err = 1;
		else
			fired += rc;
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return err && !fired ? -1 : fired;
}
