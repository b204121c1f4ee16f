/*
 * pollerd: polls every vendor status page, normalises each reading to the
 * five-state status, commits only confirmed changes as status_events, keeps
 * poller health, and applies inbox commands (manual status, webhooks, local
 * maintenance). This file is the process: command line, start-up, the main
 * loop and clean shutdown; the work lives in the subsystem files.
 *
 * The main loop is single-threaded and never blocks for long: a running
 * cycle is driven in steps of at most 100 ms (cycle_step), and between steps
 * the loop looks at the inbox (every 250 ms), the heartbeat, the metrics
 * flush and the maintenance sweep. Signals arrive through the self-pipe,
 * which also wakes the transfer loop, so SIGTERM aborts a cycle's transfers
 * and exits well inside a second. A SIGHUP during a cycle waits for its end:
 * the cycle holds pointers into the registry a reload replaces.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "pollerd.h"
#include "sig.h"

#define INBOX_EVERY_MS 250
#define SWEEP_EVERY_MS 5000
#define STEP_MS 100

static void beat(struct pollerd *p)
{
	if (db_heartbeat(p->db, "pollerd", p->started_at,
			 p->last_cycle_at[0] ? p->last_cycle_at : NULL, NULL) < 0)
		log_warn("heartbeat write failed");
}

static void reload(struct pollerd *p)
{
	if (daemon_reload(&p->opts, &p->conf)) {
		sync_registry(p->db, &p->conf.reg);
		cycle_reconfigure(p);
	}
}

static void flush_metrics(struct pollerd *p)
{
	if (met_flush(p->db, "pollerd") < 0)
		log_warn("metrics flush failed");
}

/* Periodic chores, each on its own clock. */
struct timers {
	int64_t inbox, beat, flush, sweep, retention;
};

/* Retention runs a couple of minutes after start (not one interval later:
 * the old tool's first run came 168 h after start, so a host restarted
 * weekly never pruned, doc/compat.md#bug-5), then every RETENTION_INTERVAL_HOURS. */
#define RETENTION_FIRST_MS (120 * 1000LL)

static void chores(struct pollerd *p, struct timers *t)
{
	int64_t now = ts_mono_ms();
	if (now >= t->inbox) {
		inbox_poll(p, 0);
		t->inbox = now + INBOX_EVERY_MS;
	}
	if (now >= t->sweep) {
		cycle_maint_sweep(p);
		t->sweep = now + SWEEP_EVERY_MS;
	}
	if (now >= t->beat) {
		beat(p);
		t->beat = now + p->conf.cfg.heartbeat_interval_seconds * 1000LL;
	}
	if (now >= t->flush) {
		flush_metrics(p);
		t->flush = now + p->conf.cfg.metrics_flush_seconds * 1000LL;
	}
	if (now >= t->retention) {
		retention_run(p->db, &p->conf.cfg, ts_now_ms());
		t->retention = now + p->conf.cfg.retention_interval_hours * 3600000LL;
	}
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* --once: one cycle over every service, then the inbox, then exit. */
static int run_once(struct pollerd *p, struct timers *t)
{
	if (cycle_begin(p, 1)) {
		while (cycle_step(p, STEP_MS)) {
			sig_wait(0);
			if (sig_stop_requested()) {
				cycle_abort(p);
				return 1;
			}
			chores(p, t);
		}
	}
	inbox_poll(p, 1);
	cycle_maint_sweep(p);
	return 0;
}

static void run(struct pollerd *p, struct timers *t)
{
	while (!sig_stop_requested()) {
		if (cycle_running(p)) {
			if (!cycle_step(p, STEP_MS))
				beat(p); /* last_cycle_at moved */
			/* Drain the signal pipe so the transfer loop does not spin
			 * on it; the flags stay set for the checks below. */
			sig_wait(0);
		} else {
			if (sig_take_reload())
				reload(p);
			int64_t now = ts_mono_ms();
			int64_t due = cycle_next_due(p, now);
			if (due <= now) {
				if (cycle_begin(p, 0))
					continue;
				beat(p); /* an empty cycle moved last_cycle_at */
				due = cycle_next_due(p, now);
			}
			int64_t wake = min64(due, min64(t->inbox, min64(t->beat, t->flush)));
			int64_t w = wake - now;
			sig_wait(w < 0 ? 0 : (int)min64(w, INBOX_EVERY_MS));
		}
		if (sig_stop_requested())
			break;
		chores(p, t);
	}
	cycle_abort(p);
}

int main(int argc, char **argv)
{
	struct pollerd p;
	memset(&p, 0, sizeof p);
	p.inbox_data_version = -1;
	int rc = daemon_start("pollerd", 1, argc, argv, &p.opts, &p.conf);
	if (rc >= 0)
		return rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ts_now_iso(p.started_at);
	p.db = db_open(p.conf.cfg.database_path, 0);
	if (!p.db || sync_registry(p.db, &p.conf.reg) < 0 ||
	    (p.conf.cfg.seed_demo_data && demo_seed(p.db, ts_now_ms()) < 0) || cycle_init(&p) < 0) {
		db_close(p.db);
		daemon_conf_free(&p.conf);
		curl_global_cleanup();
		return 1;
	}
	log_info("pollerd %s started: %zu services, database %s%s", ITSTATUS_VERSION,
		 p.conf.reg.nservices, p.conf.cfg.database_path, p.opts.once ? " (--once)" : "");
	beat(&p);
	int64_t now = ts_mono_ms();
	struct timers t = {
	    .inbox = now,
	    .beat = now + p.conf.cfg.heartbeat_interval_seconds * 1000LL,
	    .flush = now + p.conf.cfg.metrics_flush_seconds * 1000LL,
	    .sweep = now,
	    .retention = now + RETENTION_FIRST_MS,
	};
	rc = 0;
	if (p.opts.once)
		rc = run_once(&p, &t);
	else
		run(&p, &t);
	log_info("pollerd stopping");
	if (!rc)
		beat(&p);
	flush_metrics(&p);
	cycle_fini(&p);
	stmt_forget(p.db);
	db_close(p.db);
	daemon_conf_free(&p.conf);
	curl_global_cleanup();
	return rc;
}
