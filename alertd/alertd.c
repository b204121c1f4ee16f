/*
 * alertd: follows status_events through its cursor, decides every alert
 * (routing, dedup, maintenance, dependency correlation, tiers), queues
 * messages in the outbox and delivers them to Slack and the other
 * destinations. This file is the process: command line, start-up, main loop
 * and shutdown; the work lives in the subsystem files (see alertd.h).
 *
 * The loop wakes at least every 100 ms. PRAGMA data_version tells whether
 * another process committed since the last look, which makes an idle check
 * one cheap statement; only then are events and acks read. Deliveries run
 * on curl's multi interface in the same loop, which also waits on the signal
 * pipe, so SIGTERM is noticed at once and the process exits within a second
 * (in-flight POSTs get 700 ms, then stay 'sending' for the next start).
 *
 * Self-monitoring (selfmon.c) runs with the heartbeat: the other daemons'
 * heartbeats are checked and HEALTHCHECK_PING_URL pinged on its own curl
 * multi handle, polled every turn, so it never waits either.
 *
 * --once processes every pending event and ack, runs the burn-rate table if
 * enabled, attempts every delivery that is due (waiting out pacing, not
 * backoff), and exits.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"
#include "xalloc.h"

#define TICK_MS 100
#define PASS_MAX 5000 /* events per transaction: one pollerd cycle fits */
#define STOP_GRACE_MS 700
/* Data lifecycle (lifecycle.c): retention two minutes after start (a host
 * restarted often must still prune, doc/compat.md#bug-5) then every
 * RETENTION_INTERVAL_HOURS; the snapshot check every minute (it is a stat
 * until BACKUP_TIME_HOUR, then one VACUUM INTO a day); a PASSIVE checkpoint
 * every WAL_CHECKPOINT_INTERVAL_HOURS. */
#define RETENTION_FIRST_MS (120 * 1000LL)
#define BACKUP_CHECK_MS (60 * 1000LL)

struct chores {
	int64_t retention, backup, checkpoint;
};

/* Run the lifecycle chores that are due -- never while a POST is in flight:
 * a snapshot of a large database takes a while, and the loop must keep
 * driving the transfer. */
static void chores(struct alertd *a, struct chores *c, int64_t now)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	if (a->opts.once || deliver_busy(a))
		return;
	if (now >= c->retention) {
		if (lifecycle_retention(a->db, cfg, ts_now_ms()) < 0)
			log_warn("retention failed; trying again next interval");
		c->retention = now + cfg->retention_interval_hours * 3600000LL;
	}
	if (now >= c->backup) {
		lifecycle_backup(a->db, cfg, ts_now_ms(), 0);
		c->backup = now + BACKUP_CHECK_MS;
	}
	if (now >= c->checkpoint) {
		lifecycle_checkpoint(a->db);
		c->checkpoint = now + cfg->wal_checkpoint_interval_hours * 3600000LL;
	}
}

/* Failed passes in a row after which alertd reports itself alive but not
 * working (/healthz 503), and after which --once gives up. */
#define FAILING_AFTER 3
/* How often the database path is checked against the file opened. */
#define IDENT_EVERY_MS 1000

static void beat(struct alertd *a)
{
	int rc = db_heartbeat_health(
	    a->db, "alertd", a->started_at, a->last_cycle_at[0] ? a->last_cycle_at : NULL,
	    a->conf.cfg.heartbeat_stale_after_seconds, a->failing[0] ? a->failing : NULL);
	if (rc < 0)
		log_warn("heartbeat write failed");
	selmon_db_write(a, rc < 0 ? db_last_failure() : 0);
}

/* Keep count of failed passes; FAILING_AFTER in a row make alertd say, in
 * its heartbeat, that it is alive but not working. */
static void note_pass(struct alertd *a, int ok)
{
	if (ok) {
		if (a->failing[0])
			log_info("alert passes work again");
		a->failed_passes = 0;
		a->failing[0] = '\0';
		return;
	}
	if (++a->failed_passes == FAILING_AFTER) {
		snprintf(a->failing, sizeof a->failing, "%d alert passes failed in a row: %s (%s)",
			 a->failed_passes, db_failure_phrase(db_last_failure()),
			 db_last_failure_msg());
		log_error("alertd is not working: %s", a->failing);
		beat(a);
	}
}

static void flush_metrics(struct alertd *a)
{
	outbox_gauges(a->db);
	if (met_flush(a->db, "alertd") < 0)
		log_warn("metrics flush failed");
}

/* Consume every pending event and ack. 0, or -1 when a pass failed (the
 * caller retries after a pause instead of spinning on the error). */
static int consume(struct alertd *a)
{
	int n;
	while ((n = pass_run(a, PASS_MAX)) > 0 && !sig_stop_requested())
		deliver_poll(a);
	deliver_poll(a);
	if (ack_run(a) < 0)
		n = -1;
	deliver_poll(a);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct alertd a;
	memset(&a, 0, sizeof a);
	int rc = daemon_start("alertd", 1, argc, argv, &a.opts, &a.conf);
	if (rc >= 0)
		return rc;
	/* cJSON allocates through xalloc too, so its strings are free()d like ours. */
	cJSON_Hooks hooks = {xmalloc, free};
	cJSON_InitHooks(&hooks);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	srand48((long)(ts_now_ms() ^ (int64_t)getpid()));
	ts_now_iso(a.started_at);
	a.data_version = -1;
	/* pollerd creates the database; alertd waits for it (not with --once,
	 * which must always end). */
	a.db = a.opts.once ? db_open_mode(a.conf.cfg.database_path, DB_EXISTING)
			   : db_open_wait(a.conf.cfg.database_path, sig_stop_requested);
	struct db_ident ident;
	if (!a.db || db_quick_check(a.db, a.conf.cfg.database_path, "alertd") < 0 ||
	    db_ident_get(a.conf.cfg.database_path, &ident) < 0 || deliver_init(&a) < 0) {
		db_close(a.db);
		daemon_conf_release(&a.conf);
		curl_global_cleanup();
		return 1;
	}
	int64_t sending =
	    db_query_int(a.db, "SELECT count(*) FROM outbox WHERE state = 'sending'", 0);
	log_info("alertd %s started, database %s, cursor at event %lld", ITSTATUS_VERSION,
		 a.conf.cfg.database_path, (long long)cursor_get(a.db));
	if (sending > 0)
		log_warn("%lld deliveries were in flight when alertd last stopped; retrying them"
			 " (the destination may see them twice)",
			 (long long)sending);
	/* Not with --once: a run that exits at once is not a service to watch. */
	if (!a.opts.once && selmon_init(&a) < 0)
		log_warn("self-monitoring unavailable: cannot set up curl; alerting continues");
	beat(&a);
	int64_t now = ts_mono_ms();
	int64_t next_beat = now + a.conf.cfg.heartbeat_interval_seconds * 1000LL;
	int64_t next_flush = now + a.conf.cfg.metrics_flush_seconds * 1000LL;
	int64_t next_burn = now; /* first evaluation at start, as in the seed */
	int64_t retry_at = 0;	 /* after a failed pass */
	struct chores c = {.retention = now + RETENTION_FIRST_MS,
			   .backup = now + BACKUP_CHECK_MS,
			   .checkpoint =
			       now + a.conf.cfg.wal_checkpoint_interval_hours * 3600000LL};
	int consumed_once = 0;
	rc = 0;
	int64_t next_ident = now + IDENT_EVERY_MS;
	while (!sig_stop_requested()) {
		/* While a POST is in flight nothing may block the loop for long:
		 * libcurl only notices its answer when driven, and a transfer
		 * left alone past its timeout is retried -- a repeat. So loop work
		 * (passes, acks, heartbeat, metrics) gives up quickly on a locked
		 * database then, and is retried on a later turn. */
		db_busy_short(&a);
		if (sig_take_reload())
			daemon_reload(&a.opts, &a.conf);
		now = ts_mono_ms();
		int64_t dv = db_data_version(a.db);
		/* another process committed (or a failed pass is due again) */
		/* ALERT_GROUP_WAIT_SECONDS held an event back: look again when due */
		int held = a.hold_until_ms && ts_now_ms() >= a.hold_until_ms;
		if (retry_at ? now >= retry_at : dv != a.data_version || held) {
			a.data_version = dv;
			retry_at = 0;
			int failed = consume(&a) < 0;
			note_pass(&a, !failed);
			if (failed)
				retry_at = now + 1000;
		}
		if (a.opts.once && a.failed_passes >= FAILING_AFTER) {
			rc = 1; /* --once always ends: non-zero when it could not work */
			break;
		}
		if (now >= next_ident) {
			if (db_ident_check(a.conf.cfg.database_path, &ident) < 0) {
				rc = 3; /* deleted or replaced: a supervisor restarts us */
				break;
			}
			next_ident = now + IDENT_EVERY_MS;
		}
		if (a.conf.cfg.slo_burn_rate_enabled && now >= next_burn) {
			if (burn_run(&a) < 0)
				log_warn("burn-rate evaluation failed; trying again next interval");
			deliver_poll(&a);
			next_burn = now + a.conf.cfg.slo_burn_rate_check_interval_seconds * 1000LL;
		}
		deliver_start(&a);
		if (a.opts.once && consumed_once && !retry_at && !deliver_pending_now(&a))
			break;
		consumed_once = 1;
		if (now >= next_beat) {
			beat(&a);
			deliver_poll(&a);
			selmon_run(&a);
			deliver_poll(&a);
			next_beat = now + a.conf.cfg.heartbeat_interval_seconds * 1000LL;
		}
		if (now >= next_flush) {
			flush_metrics(&a);
			deliver_poll(&a);
			next_flush = now + a.conf.cfg.metrics_flush_seconds * 1000LL;
		}
		chores(&a, &c, now);
		selmon_poll(&a);
		deliver_wait(&a, TICK_MS);
	}
	log_info("alertd stopping%s", rc == 3 ? ": the database file is gone" : "");
	deliver_stop(&a, STOP_GRACE_MS);
	db_busy_short(&a);
	if (rc != 3) {
		flush_metrics(&a);
		beat(&a);
	}
	selmon_free(&a);
	deliver_free(&a);
	db_close(a.db);
	daemon_conf_release(&a.conf);
	curl_global_cleanup();
	return rc;
}
