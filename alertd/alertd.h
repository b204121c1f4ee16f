/*
 * alertd private header: the daemon's state. alertd is the only writer of
 * alert_sent_log, outbox, incident_reports and status_rollups (DESIGN §2).
 */
#ifndef ITSTATUS_ALERTD_H
#define ITSTATUS_ALERTD_H

#include <sqlite3.h>

#include "daemon.h"
#include "timeutil.h"

struct alertd {
	struct daemon_opts opts;
	struct daemon_conf conf;
	sqlite3 *db;
	char started_at[TS_ISO_LEN + 1];
	char last_cycle_at[TS_ISO_LEN + 1];
};

#endif
