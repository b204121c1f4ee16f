/*
 * apid: the REST API, admin and inbound endpoints, the live stream, health,
 * metrics and the dashboard's static files, on civetweb. This file is the
 * process: command line, start-up, main loop (heartbeat, metrics flush,
 * reload) and clean shutdown; handlers live one resource per file.
 */
#include <civetweb.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"
#include "xalloc.h"

/* How often the database path is checked against the file opened. */
#define IDENT_EVERY_MS 1000

static void beat(struct apid *a, int stale_after_s)
{
	if (db_heartbeat_health(a->db, "apid", a->started_at, NULL, stale_after_s, NULL) < 0) {
		int rc = db_last_failure();
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
			if (a->write_failure != rc)
				log_error("the database cannot be written: %s (%s); /healthz "
					  "answers 503 until it can",
					  db_failure_phrase(rc), db_last_failure_msg());
			a->write_failure = rc;
		}
		log_warn("heartbeat write failed");
	} else {
		if (a->write_failure)
			log_info("the database can be written again");
		a->write_failure = 0;
	}
}

/* Intervals from the current configuration (they may change on reload). */
static void intervals(struct apid *a, int *beat_s, int *flush_s, int *stale_s)
{
	struct conf_ref *c = conf_get(a);
	*beat_s = c->dc.cfg.heartbeat_interval_seconds;
	*flush_s = c->dc.cfg.metrics_flush_seconds;
	*stale_s = c->dc.cfg.heartbeat_stale_after_seconds;
	conf_put(a, c);
}

static void shutdown_all(struct apid *a)
{
	stream_stop(a->stream); /* wakes every stream client so the workers can end */
	server_stop(a);
	stream_free(a->stream);
	rcache_free(a->rcache);
	pool_free(a->pool);
	db_close(a->db);
	free(a->db_path);
	conf_free_all(a);
	mg_exit_library();
}

int main(int argc, char **argv)
{
	apid_malloc_setup();
	struct apid a;
	memset(&a, 0, sizeof a);
	struct daemon_conf dc;
	int rc = daemon_start("apid", 0, argc, argv, &a.opts, &dc);
	if (rc >= 0)
		return rc;
	if (!guard_proxies_valid(dc.cfg.trusted_proxies, NULL)) {
		log_error("trusted_proxies: \"%s\" is not a list of addresses and CIDR blocks",
			  dc.cfg.trusted_proxies);
		daemon_conf_release(&dc);
		return 1;
	}
	conf_init(&a, &dc);
	mg_init_library(0); /* returns 0 with no features requested: not an error */
	ts_now_iso(a.started_at);
	a.db_path = xstrdup(dc.cfg.database_path);
	/* pollerd creates the database; apid waits for it, and its pooled
	 * connections never create one (a fresh empty file would answer "0
	 * services" as if it were the truth). */
	a.db = db_open_wait(a.db_path, sig_stop_requested);
	struct db_ident ident;
	if (a.db &&
	    (db_quick_check(a.db, a.db_path, "apid") < 0 || db_ident_get(a.db_path, &ident) < 0)) {
		db_close(a.db);
		a.db = NULL;
	}
	if (a.db) {
		a.pool = pool_new(a.db_path, dc.cfg.apid_threads);
		a.stream = stream_start(&a);
		a.rcache = rcache_new(a.db_path);
	}
	if (!a.db || !a.stream || !a.rcache || server_start(&a) < 0) {
		shutdown_all(&a);
		return 1;
	}
	int beat_s, flush_s, stale_s;
	intervals(&a, &beat_s, &flush_s, &stale_s);
	beat(&a, stale_s);
	int64_t next_beat = ts_mono_ms() + beat_s * 1000LL;
	int64_t next_flush = ts_mono_ms() + flush_s * 1000LL;
	int64_t next_ident = ts_mono_ms() + IDENT_EVERY_MS;
	rc = 0;
	while (!sig_stop_requested()) {
		sig_wait(250);
		if (sig_stop_requested())
			break;
		if (sig_take_reload()) {
			conf_reload(&a);
			intervals(&a, &beat_s, &flush_s, &stale_s);
		}
		int64_t now = ts_mono_ms();
		if (now >= next_ident) {
			if (db_ident_check(a.db_path, &ident) < 0) {
				rc = 3; /* deleted or replaced: a supervisor restarts us */
				break;
			}
			next_ident = now + IDENT_EVERY_MS;
		}
		guard_watch(now); /* cut request bodies past their deadline */
		if (now >= next_beat) {
			beat(&a, stale_s);
			next_beat = now + beat_s * 1000LL;
		}
		if (now >= next_flush) {
			if (met_flush(a.db, "apid") < 0)
				log_warn("metrics flush failed");
			next_flush = now + flush_s * 1000LL;
		}
	}
	log_info("apid stopping%s", rc == 3 ? ": the database file is gone" : "");
	shutdown_all(&a);
	return rc;
}
