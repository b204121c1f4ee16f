/*
 * pollerd: polls every vendor status page, normalises each reading to the
 * five-state status, commits only confirmed changes as status_events, keeps
 * poller health, and applies inbox commands (manual status, webhooks, local
 * maintenance). This file is the process: command line, start-up, the main
 * loop and clean shutdown; the work lives in the subsystem files.
 *
 * The main loop is single-threaded and never blocks for long: running
 * cycles are driven in steps of at most 100 ms (cycle_step), services that
 * fall due meanwhile start their next cycle at once, and between steps
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
/* How often the database path is checked against the file opened. */
#define IDENT_EVERY_MS 1000
/* Once running, a write waits at most this long for another process's lock:
 * the loop must keep polling (readings wait in the queue, doc/faults.md#lock). */
#define POLLERD_BUSY_MS 100
/* At stop and after --once: how long the queue may wait for the database. */
#define DRAIN_MS 10000

static void beat(struct pollerd *p)
{
	/* A write that fails while another process holds the lock is expected;
	 * say it once per run of failures, not every beat. */
	static int failing;
	if (db_heartbeat_health(
		p->db, "pollerd", p->started_at, p->last_cycle_at[0] ? p->last_cycle_at : NULL,
		p->conf.cfg.heartbeat_stale_after_seconds, rq_failing(&p->rq)) < 0) {
		if (!failing)
			log_warn("heartbeat write failed (%s); retrying every beat",
				 db_failure_phrase(db_last_failure()));
		failing = 1;
	} else {
		failing = 0;
	}
}

static void reload(struct pollerd *p)
{
	if (daemon_reload(&p->opts, &p->conf)) {
		sync_registry(p->db, &p->conf.reg);
		cycle_reconfigure(p);
		rq_set_max(&p->rq, (size_t)p->conf.cfg.poller_queue_max_readings);
	}
}

static void flush_metrics(struct pollerd *p)
{
	static int failing;
	if (met_flush(p->db, "pollerd") < 0) {
		if (!failing)
			log_warn("metrics flush failed; retrying every flush");
		failing = 1;
	} else {
		failing = 0;
	}
}

/* Periodic chores, each on its own clock. */
struct timers {
	int64_t inbox, beat, flush, sweep, retention, ident, checkpoint;
};

/* 0, or -1 when the database file was deleted or replaced (logged): the
 * process must stop, non-zero, so that its supervisor restarts it on the
 * file the path names now. */
static int gone;

/* Retention runs a couple of minutes after start (not one interval later:
 * the old tool's first run came 168 h after start, so a host restarted
 * weekly never pruned, doc/compat.md#bug-5), then every RETENTION_INTERVAL_HOURS. */
#define RETENTION_FIRST_MS (120 * 1000LL)

static void chores(struct pollerd *p, struct timers *t)
{
	int64_t now = ts_mono_ms();
	if (now >= t->ident) {
		if (db_ident_check(p->conf.cfg.database_path, &p->ident) < 0)
			gone = 1;
		else /* pollerd writes the most: it keeps the WAL short */
			db_wal_tend(p->db, p->conf.cfg.database_path, now, &t->checkpoint);
		t->ident = now + IDENT_EVERY_MS;
	}
	if (now >= t->inbox) {
		if (p->rq.n && !cycle_running(p))
			rq_flush(p, &p->rq); /* readings kept while the database was busy */
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

/* Commit what the queue holds, waiting up to DRAIN_MS for the database.
 * 0 when it is empty, else -1 (what is left is logged as lost). */
static int drain(struct pollerd *p)
{
	int64_t until = ts_mono_ms() + DRAIN_MS;
	while (p->rq.n && rq_flush(p, &p->rq) >= 0)
		;
	while (p->rq.n && ts_mono_ms() < until && !sig_stop_requested()) {
		sig_wait(STEP_MS);
		rq_flush(p, &p->rq);
	}
	if (!p->rq.n)
		return 0;
	log_error("stopping with %zu readings not committed (%s): they are lost", p->rq.n,
		  p->rq.fail_msg);
	return -1;
}

/* --once: one cycle over every service, then the inbox, then exit; non-zero
 * when the readings could not all be committed. */
static int run_once(struct pollerd *p, struct timers *t)
{
	if (cycle_begin(p, 1)) {
		while (cycle_step(p, STEP_MS)) {
			sig_wait(0);
			if (sig_stop_requested() || gone) {
				cycle_abort(p);
				return 1;
			}
			chores(p, t);
		}
	}
	if (drain(p) < 0)
		return 1;
	if (inbox_poll(p, 1) < 0 || cycle_maint_sweep(p) < 0)
		return 1;
	return 0;
}

static void run(struct pollerd *p, struct timers *t)
{
	int reload_pending = 0;
	while (!sig_stop_requested() && !gone) {
		if (cycle_running(p)) {
			char before[sizeof p->last_cycle_at];
			memcpy(before, p->last_cycle_at, sizeof before);
			cycle_step(p, STEP_MS);
			if (strcmp(before, p->last_cycle_at))
				beat(p); /* a cycle ended: last_cycle_at moved */
			/* Drain the signal pipe so the transfer loop does not spin
			 * on it; the flags stay set for the checks below. */
			sig_wait(0);
			/* Each service keeps its own schedule: those that are due
			 * start while another still waits on a slow page. A reload
			 * lets the running fetches end first (they point into the
			 * registry it replaces). */
			reload_pending |= sig_take_reload();
			int64_t now = ts_mono_ms();
			if (!reload_pending && cycle_next_due(p, now) <= now)
				cycle_begin(p, 0);
		} else {
			if (reload_pending || sig_take_reload())
				reload(p);
			reload_pending = 0;
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
	if (!gone)
		drain(p);
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
	rq_init(&p.rq, (size_t)p.conf.cfg.poller_queue_max_readings);
	/* pollerd alone creates the database (apid and alertd wait for it). */
	p.db = db_open_mode(p.conf.cfg.database_path, DB_CREATE);
	if (!p.db || db_quick_check(p.db, p.conf.cfg.database_path, "pollerd") < 0 ||
	    db_ident_get(p.conf.cfg.database_path, &p.ident) < 0 ||
	    sync_registry(p.db, &p.conf.reg) < 0 ||
	    (p.conf.cfg.seed_demo_data && demo_seed(p.db, ts_now_ms()) < 0) || cycle_init(&p) < 0) {
		db_close(p.db);
		daemon_conf_release(&p.conf);
		curl_global_cleanup();
		return 1;
	}
	log_info("pollerd %s started: %zu services, database %s%s", ITSTATUS_VERSION,
		 p.conf.reg.nservices, p.conf.cfg.database_path, p.opts.once ? " (--once)" : "");
	sqlite3_busy_timeout(p.db, POLLERD_BUSY_MS);
	beat(&p);
	int64_t now = ts_mono_ms();
	struct timers t = {
	    .ident = now + IDENT_EVERY_MS,
	    .checkpoint = now,
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
	if (gone)
		rc = 3;
	log_info("pollerd stopping%s", gone ? ": the database file is gone" : "");
	if (!rc)
		beat(&p);
	if (!gone)
		flush_metrics(&p);
	rq_release(&p.rq);
	cycle_free(&p);
	stmt_forget(p.db);
	db_close(p.db);
	daemon_conf_release(&p.conf);
	curl_global_cleanup();
	return rc;
}
