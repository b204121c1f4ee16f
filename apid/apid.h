/*
 * apid private header: the daemon's state shared by the HTTP handlers. apid
 * only reads the bus, except inbox rows it inserts and its own heartbeat and
 * metrics rows (DESIGN §2).
 */
#ifndef ITSTATUS_APID_H
#define ITSTATUS_APID_H

#include <civetweb.h>
#include <sqlite3.h>

#include "daemon.h"
#include "timeutil.h"

struct apid {
	struct daemon_opts opts;
	struct daemon_conf conf;
	sqlite3 *db; /* the main thread's connection (heartbeat) */
	struct mg_context *mg;
	int port;
	char started_at[TS_ISO_LEN + 1];
};

/* server.c: start civetweb on HOST:PORT with the routes; 0 or -1. */
int server_start(struct apid *a);
/* Stop without civetweb's up-to-2-s shutdown poll (TOOLCHAIN §2). */
void server_stop(struct apid *a);

#endif
