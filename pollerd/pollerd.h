/*
 * pollerd private header: the daemon's state and the subsystems its main loop
 * drives. pollerd is the only writer of services, service_dependencies,
 * status_events and scheduled_maintenances (DESIGN §2).
 */
#ifndef ITSTATUS_POLLERD_H
#define ITSTATUS_POLLERD_H

#include <sqlite3.h>
#include <stdint.h>

#include "daemon.h"
#include "timeutil.h"

struct pollerd {
	struct daemon_opts opts;
	struct daemon_conf conf;
	sqlite3 *db;
	char started_at[TS_ISO_LEN + 1];
	char last_cycle_at[TS_ISO_LEN + 1];
};

/* sync.c: write the registry (services + dependency edges) to the database in
 * one transaction: upsert every service's registry columns, retire services
 * no longer listed (never delete: their history stays), bring back retired
 * ones that reappear, and replace the edge set. 0 or -1. */
int sync_registry(sqlite3 *db, const struct reg_registry *reg);

#endif
