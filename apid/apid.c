/*
 * apid: the REST API, admin and inbound endpoints, the live stream, health,
 * metrics and the dashboard's static files, on civetweb. This file is the
 * process: command line, start-up, main loop (heartbeat, reload) and clean
 * shutdown; handlers live one resource per file.
 */
#include <civetweb.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "sig.h"

static void beat(struct apid *a)
{
	if (db_heartbeat(a->db, "apid", a->started_at, NULL, NULL) < 0)
		log_warn("heartbeat write failed");
}

int main(int argc, char **argv)
{
	struct apid a;
	memset(&a, 0, sizeof a);
	int rc = daemon_start("apid", 0, argc, argv, &a.opts, &a.conf);
	if (rc >= 0)
		return rc;
	mg_init_library(0); /* returns 0 with no features requested: not an error */
	ts_now_iso(a.started_at);
	a.db = db_open(a.conf.cfg.database_path, 0);
	if (!a.db || server_start(&a) < 0) {
		db_close(a.db);
		daemon_conf_free(&a.conf);
		mg_exit_library();
		return 1;
	}
	beat(&a);
	int64_t next_beat = ts_mono_ms() + a.conf.cfg.heartbeat_interval_seconds * 1000LL;
	while (!sig_stop_requested()) {
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
	log_info("apid stopping");
	server_stop(&a);
	db_close(a.db);
	daemon_conf_free(&a.conf);
	mg_exit_library();
	return 0;
}
