/*
 * burn: multi-window, multi-burn-rate SLO alerts (SLO_BURN_RATE_ENABLED),
 * following the Google SRE Workbook's table for a 30-day SLO
 * (doc/field.md#burn-rate) instead of the seed's arithmetic (doc/compat.md#bug-22):
 *
 *   row     long  short  burn rate (setting)                 action
 *   fast    1h    5m     SLO_BURN_RATE_FAST_THRESHOLD  14.4   page (<!here>)
 *   slow    6h    30m    SLO_BURN_RATE_SLOW_THRESHOLD   6     page (<!here>)
 *   ticket  3d    6h     SLO_BURN_RATE_TICKET_THRESHOLD 1     ticket (no mention)
 *
 * A row fires only when both of its windows exceed the threshold; when
 * several rows do, only the most severe is sent (the others would repeat it).
 * burn = (bad time / tracked time) / (1 - SLO target). Bad time weighs
 * major and partial outages 1 and degraded DEGRADED_SLA_WEIGHT; time while
 * the poller was broken, the status unknown, or the service in maintenance is
 * not tracked at all. A window less than half tracked gives no burn rate, so
 * a service added ten minutes ago cannot page on its 3-day row. Informational
 * and manual services are skipped: nobody is paged for a tier that sends no
 * messages, and a manual service's status is an operator's statement.
 *
 * Each key (slo_burn:{service}:{row}) gets at most one alert_sent_log row per
 * ALERT_DEDUP_WINDOW_SECONDS, whatever its decision: re-evaluating the same
 * burn every few minutes is not a new decision, only a metric.
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
} rows[3] = {
    {"fast", "1h", "5m", BURN_1H, BURN_5M, 1},
    {"slow", "6h", "30m", BURN_6H, BURN_30M, 1},
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
		if (s->broken || s->maintenance || s->status == ST_UNKNOWN)
			continue;
		int64_t a = s->at_ms, b = i + 1 < n ? steps[i + 1].at_ms : now_ms;
		for (int k = 0; k < BURN_NWIN; k++) {
			int64_t lo = a > now_ms - win_len[k] ? a : now_ms - win_len[k];
			int64_t hi = b < now_ms ? b : now_ms;
			if (hi <= lo)
				continue;
			w[k].tracked_ms += (double)(hi - lo);
			w[k].bad_ms += (double)(hi - lo) * weight(s->status, degraded_weight);
		}
	}
}

double burn_rate(const struct burn_window *w, double target_percent)
{
	if (w->tracked_ms <= 0 || w->tracked_ms * 2 < (double)w->len_ms)
		return -1;
	double allowed = 1.0 - target_percent / 100.0;
	if (allowed <= 0)
		return -1;
	return (w->bad_ms / w->tracked_ms) / allowed;
}

int burn_evaluate(const struct cfg_settings *cfg, const struct burn_window w[BURN_NWIN],
		  struct ad_burn *out)
{
	const double thr[3] = {cfg->slo_burn_rate_fast_threshold, cfg->slo_burn_rate_slow_threshold,
			       cfg->slo_burn_rate_ticket_threshold};
	for (int r = 0; r < 3; r++) {
		double lb = burn_rate(&w[rows[r].long_w], cfg->slo_target_percent);
		double sb = burn_rate(&w[rows[r].short_w], cfg->slo_target_percent);
		if (lb < 0 || sb < 0 || !(lb > thr[r]) || !(sb > thr[r]))
			continue;
		memset(out, 0, sizeof *out);
		out->row = rows[r].row;
		out->long_label = rows[r].long_label;
		out->short_label = rows[r].short_label;
		out->long_burn = lb;
		out->short_burn = sb;
		out->threshold = thr[r];
		out->target = cfg->slo_target_percent;
		out->page = rows[r].page;
		const struct burn_window *m = &w[BURN_30D];
		double rem = 100;
		if (m->tracked_ms > 0)
			rem = 100 - 100 * (m->bad_ms / m->tracked_ms) /
					(1 - cfg->slo_target_percent / 100.0);
		out->budget_remaining = rem < 0 ? 0 : rem > 100 ? 100 : rem;
		return r;
	}
	return -1;
}

/* The service's timeline over the last 30 days. *out caller frees. */
static int load_steps(sqlite3 *db, const char *service, int64_t now_ms, struct burn_step **out)
{
	*out = NULL;
	char start[TS_ISO_LEN + 1];
	ts_format(now_ms - win_len[BURN_30D], start);
	sqlite3_stmt *st = db_prepare(
	    db,
	    "SELECT (SELECT new_status FROM status_events WHERE service_id = ?1 AND kind = 'status'"
	    "  AND created_at <= ?2 ORDER BY id DESC LIMIT 1),"
	    " (SELECT in_maintenance FROM status_events WHERE service_id = ?1 AND kind = 'status'"
	    "  AND created_at <= ?2 ORDER BY id DESC LIMIT 1),"
	    " (SELECT new_health FROM status_events WHERE service_id = ?1 AND kind = 'health'"
	    "  AND created_at <= ?2 ORDER BY id DESC LIMIT 1)");
	if (!st)
		return -1;
	db_bind_text(st, 1, service);
	db_bind_text(st, 2, start);
	struct burn_step cur = {.at_ms = now_ms - win_len[BURN_30D], .status = ST_UNKNOWN};
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (s)
			st_status_parse(s, &cur.status);
		cur.maintenance = sqlite3_column_int(st, 1);
		const char *h = (const char *)sqlite3_column_text(st, 2);
		cur.broken = h && !strcmp(h, "broken");
	}
	sqlite3_finalize(st);
	struct burn_step *v = xmalloc(sizeof *v);
	size_t n = 0;
	v[n++] = cur;
	st = db_prepare(
	    db, "SELECT kind, new_status, new_health, in_maintenance, created_at"
		" FROM status_events WHERE service_id = ?1 AND created_at > ?2 ORDER BY id");
	if (!st) {
		free(v);
		return -1;
	}
	db_bind_text(st, 1, service);
	db_bind_text(st, 2, start);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t at;
		if (ts_parse((const char *)sqlite3_column_text(st, 4), &at) < 0)
			continue;
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		if (kind && !strcmp(kind, "health")) {
			const char *h = (const char *)sqlite3_column_text(st, 2);
			cur.broken = h && !strcmp(h, "broken");
		} else {
			const char *s = (const char *)sqlite3_column_text(st, 1);
			cur.status = ST_UNKNOWN;
			if (s)
				st_status_parse(s, &cur.status);
			cur.maintenance = sqlite3_column_int(st, 3);
		}
		cur.at_ms = at;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = cur;
	}
	sqlite3_finalize(st);
	*out = v;
	return (int)n;
}

/* Log and queue one breach for svc. 1 fired, 0 suppressed or skipped, -1. */
static int decide(struct alertd *a, const struct ad_event *svc, const struct ad_burn *b,
		  int64_t now_ms)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	struct ad_decision d;
	memset(&d, 0, sizeof d);
	d.group = -1;
	d.alert_kind = "slo_burn_rate";
	d.dedup_key = xasprintf("slo_burn:%s:%s", svc->service_id, b->row);
	char since[TS_ISO_LEN + 1], now[TS_ISO_LEN + 1];
	ts_format(now_ms - (int64_t)cfg->alert_dedup_window_seconds * 1000, since);
	ts_format(now_ms, now);
	int rc = -1;
	if (db_begin(a->db) < 0)
		goto out;
	sqlite3_stmt *st = db_prepare(a->db, "SELECT 1 FROM alert_sent_log WHERE dedup_key = ?1"
					     " AND first_sent_at >= ?2 LIMIT 1");
	if (!st)
		goto rollback;
	db_bind_text(st, 1, d.dedup_key);
	db_bind_text(st, 2, since);
	int seen = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (seen) {
		db_rollback(a->db);
		pass_count(d.alert_kind, b->page ? "critical" : "important", "dedup");
		rc = 0;
		goto out;
	}
	int m = route_in_maintenance(a->db, svc, now_ms);
	if (m < 0)
		goto rollback;
	if (m) {
		d.suppressed_by = "maintenance_window";
	} else {
		d.dests = route_destinations(cfg, &a->conf.reg, svc, 0, &d.slack_dest, NULL);
		if (!d.dests)
			d.suppressed_by = "webhook_not_configured";
	}
	d.mention = b->page;
	char *next = xasprintf("slo_%s_burn", b->row);
	const char *sev = b->page ? "critical" : "important";
	rc = pass_log(a->db, svc, &d, NULL, next, sev, now);
	free(next);
	if (rc == 0 && !d.suppressed_by) {
		struct ad_msg msg = {.kind = d.alert_kind,
				     .ev = svc,
				     .dec = &d,
				     .burn = b,
				     .ack = pass_ack_buttons(cfg)};
		rc = pass_enqueue(a, &msg, NULL);
	}
	if (rc < 0 || db_commit(a->db) < 0)
		goto rollback;
	pass_count(d.alert_kind, sev, d.suppressed_by);
	log_info("SLO %s burn on %s: %.1fx over %s, %.1fx over %s: %s", b->row, svc->service_id,
		 b->long_burn, b->long_label, b->short_burn, b->short_label,
		 d.suppressed_by ? d.suppressed_by : "alert");
	a->outbox_dirty = 1;
	rc = d.suppressed_by ? 0 : 1;
	goto out;
rollback:
	db_rollback(a->db);
	rc = -1;
out:
	decision_clear(&d);
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
	int fired = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		struct burn_step *steps;
		int ns = load_steps(a->db, ids[i], now_ms, &steps);
		if (ns < 0) {
			err = 1;
			continue;
		}
		struct burn_window w[BURN_NWIN];
		burn_windows(steps, (size_t)ns, now_ms, cfg->degraded_sla_weight, w);
		free(steps);
		struct ad_burn b;
		if (burn_evaluate(cfg, w, &b) < 0)
			continue;
		ts_format(now_ms, b.at);
		struct ad_event svc;
		if (service_load(a->db, ids[i], &svc) < 0) {
			err = 1;
			continue;
		}
		int rc = decide(a, &svc, &b, now_ms);
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
