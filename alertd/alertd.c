/*
 * alertd: follows status_events through its cursor, decides every alert
 * (routing, dedup, maintenance, dependency correlation, tiers), queues
 * messages in the outbox and delivers them to Slack and the other
 * destinations. This file is the process: command line, start-up, main loop
 * and shutdown; the work lives in the subsystem files.
 */
#include <curl/curl.h>
#include <string.h>

#include "alertd.h"
#include "db.h"
#include "log.h"
#include "sig.h"

static void beat(struct alertd *a)
{
	if (db_heartbeat(a->db, "alertd", a->started_at,
			 a->last_cycle_at[0] ? a->last_cycle_at : NULL, NULL) < 0)
		log_warn("heartbeat write failed");
}

int main(int argc, char **argv)
{
	struct alertd a;
	memset(&a, 0, sizeof a);
	int rc = daemon_start("alertd", 1, argc, argv, &a.opts, &a.conf);
	if (rc >= 0)
		return rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ts_now_iso(a.started_at);
	a.db = db_open(a.conf.cfg.database_path, 0);
	if (!a.db) {
		daemon_conf_free(&a.conf);
		curl_global_cleanup();
		return 1;
	}
	log_info("alertd %s started, database %s", ITSTATUS_VERSION, a.conf.cfg.database_path);
	beat(&a);
	int64_t next_beat = ts_mono_ms() + a.conf.cfg.heartbeat_interval_seconds * 1000LL;
	while (!a.opts.once && !sig_stop_requested()) {
		sig_wait(250);
		if (sig_stop_requested())
			break;
		if (sig_take_reload())
			daemon_reload(&a.opts, &a.conf);
		if (ts_mono_ms() >= next_beat) {
			beat(&a);
			next_beat = ts_mono_ms() + a.conf.cfg.heartbeat_interval_seconds * 1000LL;
		}
	}
	log_info("alertd stopping");
	db_close(a.db);
	daemon_conf_free(&a.conf);
	curl_global_cleanup();
	return 0;
}
