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

static void beat(struct apid *a)
{
	if (db_heartbeat(a->db, "apid", a->started_at, NULL, NULL) < 0)
		log_warn("heartbeat write failed");
}

/* Intervals from the current configuration (they may change on reload). */
static void intervals(struct apid *a, int *beat_s, int *flush_s)
{
	struct conf_ref *c = conf_get(a);
	*beat_s = c->dc.cfg.heartbeat_interval_seconds;
	*flush_s = c->dc.cfg.metrics_flush_seconds;
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
		daemon_conf_free(&dc);
		return 1;
	}
	conf_init(&a, &dc);
	mg_init_library(0); /* returns 0 with no features requested: not an error */
	ts_now_iso(a.started_at);
	a.db_path = xstrdup(dc.cfg.database_path);
	a.db = db_open(a.db_path, 0);
	if (a.db) {
		a.pool = pool_new(a.db_path, dc.cfg.apid_threads);
		a.stream = stream_start(&a);
		a.rcache = rcache_new(a.db_path);
	}
	if (!a.db || !a.stream || !a.rcache || server_start(&a) < 0) {
		shutdown_all(&a);
		return 1;
	}
	beat(&a);
	int beat_s, flush_s;
	intervals(&a, &beat_s, &flush_s);
	int64_t next_beat = ts_mono_ms() + beat_s * 1000LL;
	int64_t next_flush = ts_mono_ms() + flush_s * 1000LL;
	while (!sig_stop_requested()) {
		sig_wait(250);
		if (sig_stop_requested())
			break;
		if (sig_take_reload()) {
			conf_reload(&a);
			intervals(&a, &beat_s, &flush_s);
		}
		int64_t now = ts_mono_ms();
		guard_watch(now); /* cut request bodies past their deadline */
		if (now >= next_beat) {
			beat(&a);
			next_beat = now + beat_s * 1000LL;
		}
		if (now >= next_flush) {
			if (met_flush(a.db, "apid") < 0)
				log_warn("metrics flush failed");
			next_flush = now + flush_s * 1000LL;
		}
	}
	log_info("apid stopping");
	shutdown_all(&a);
	return 0;
}
