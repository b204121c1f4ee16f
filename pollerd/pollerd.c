/*
 * pollerd: polls every vendor status page, normalises each reading to the
 * five-state status, commits only confirmed changes as status_events, keeps
 * poller health, and applies inbox commands (manual status, webhooks, local
 * maintenance). This file is the process: command line, start-up, the main
 * loop and clean shutdown; the work lives in the subsystem files.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pollerd.h"
#include "sig.h"

static void beat(struct pollerd *p)
{
	if (db_heartbeat(p->db, "pollerd", p->started_at,
			 p->last_cycle_at[0] ? p->last_cycle_at : NULL, NULL) < 0)
		log_warn("heartbeat write failed");
}

static void reload(struct pollerd *p)
{
	if (daemon_reload(&p->opts, &p->conf))
		sync_registry(p->db, &p->conf.reg);
}

int main(int argc, char **argv)
{
	struct pollerd p;
	memset(&p, 0, sizeof p);
	int rc = daemon_start("pollerd", 1, argc, argv, &p.opts, &p.conf);
	if (rc >= 0)
		return rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ts_now_iso(p.started_at);
	p.db = db_open(p.conf.cfg.database_path, 0);
	if (!p.db || sync_registry(p.db, &p.conf.reg) < 0) {
		db_close(p.db);
		daemon_conf_free(&p.conf);
		curl_global_cleanup();
		return 1;
	}
	log_info("pollerd %s started: %zu services, database %s", ITSTATUS_VERSION,
		 p.conf.reg.nservices, p.conf.cfg.database_path);
	beat(&p);
	int64_t next_beat = ts_mono_ms() + p.conf.cfg.heartbeat_interval_seconds * 1000LL;
	while (!p.opts.once && !sig_stop_requested()) {
		int64_t now = ts_mono_ms();
		int wait = next_beat > now ? (int)(next_beat - now) : 0;
		sig_wait(wait > 250 ? 250 : wait);
		if (sig_stop_requested())
			break;
		if (sig_take_reload())
			reload(&p);
		if (ts_mono_ms() >= next_beat) {
			beat(&p);
			next_beat = ts_mono_ms() + p.conf.cfg.heartbeat_interval_seconds * 1000LL;
		}
	}
	log_info("pollerd stopping");
	db_close(p.db);
	daemon_conf_free(&p.conf);
	curl_global_cleanup();
	return 0;
}
