/*
 * fakeweb: the plumbing the two loopback fakes (fakevendor, fakeslack) share:
 * starting civetweb on 127.0.0.1 with a port file, waiting for SIGTERM/SIGINT
 * and stopping quickly, reading request bodies with a cap, sending complete
 * responses, and the one thing civetweb has no API for -- closing a server
 * connection abruptly, which the "reset", "truncate" and "drop" faults need.
 *
 * The Makefile builds each fake from the .c files of its own directory, so
 * the code lives here and t/fakeslack/fakeweb.c is a one-line shim that
 * includes this file's fakeweb.c.
 */
#ifndef ITSTATUS_FAKEWEB_H
#define ITSTATUS_FAKEWEB_H

#include <stdatomic.h>
#include <stddef.h>

#include <cJSON.h>
#include <civetweb.h>

#include "buf.h"

/* Set once shutdown begins; long sleeps in handlers poll it so stop is quick. */
extern atomic_int fw_stopping;

struct fw_server {
	struct mg_context *ctx;
	int port; /* the port actually bound */
};

/* Parse a whole decimal string into [min, max]; 0, or -1 if it is not one. */
int fw_parse_long(const char *s, long min, long max, long *out);
/* Block SIGTERM/SIGINT and ignore SIGPIPE; call before fw_start so that
 * civetweb's threads inherit the mask and only fw_wait_signal sees them. */
void fw_block_signals(void);
/* Listen on 127.0.0.1:port (0 = any free port) with threads workers and
 * keep-alive on; begin_request in cbs sees every request. 0, or -1. */
int fw_start(struct fw_server *srv, const struct mg_callbacks *cbs, void *ud, int port,
	     int threads);
/* Print the port on stdout and, when path is set, write it there atomically
 * (temp file + rename) so a waiting script never reads half a number. */
int fw_announce_port(const char *path, int port);
/* Wait for SIGTERM or SIGINT; returns the signal number. */
int fw_wait_signal(void);
/* mg_stop without its up-to-2 s delay (civetweb's master thread polls the listening
 * socket with a 2 s timeout before it sees the stop flag); sets fw_stopping. */
void fw_stop(struct fw_server *srv);

/* Read the request body into b (initialised by the caller with its cap).
 * 0, or -1 when the cap was hit or the client went away. */
int fw_read_body(struct mg_connection *conn, struct buf *b);
/* Sleep ms, in slices, returning early once fw_stopping is set. */
void fw_sleep_ms(long ms);
/* Wall clock, ms since the epoch (real time: fakes ignore test clock overrides). */
long long fw_now_ms(void);
/* The decoded request path without the query string. */
const char *fw_path(const struct mg_connection *conn);
/* Query parameter name, copied into out (truncated); 0 if found, else -1. */
int fw_query(const struct mg_connection *conn, const char *name, char *out, size_t outlen);
/* Close the client's connection now, whatever was sent so far: shut the
 * socket down so the peer sees EOF (and, with rst, a RST when civetweb closes
 * it) and civetweb's next read ends the connection. 0, or -1 if the socket
 * could not be found. */
int fw_drop(struct mg_connection *conn, int rst);

/* Send the status line and headers: Content-Type (if ctype), Content-Length
 * (if clen >= 0) and extra ("Name: value\r\n" lines, may be NULL). 0 or -1. */
int fw_send_head(struct mg_connection *conn, int status, const char *ctype, long long clen,
		 const char *extra);
/* Write all of p; 0, or -1 if the client went away. */
int fw_write_all(struct mg_connection *conn, const void *p, size_t n);
/* A complete response: head plus body (body skipped for HEAD requests). */
int fw_send(struct mg_connection *conn, int status, const char *ctype, const char *extra,
	    const void *body, size_t len);
/* A JSON response of j (not freed; the caller keeps it). */
int fw_send_json(struct mg_connection *conn, int status, const cJSON *j);
/* {"error": msg} with status. */
int fw_send_error(struct mg_connection *conn, int status, const char *msg);
/* {"ok": true}. */
int fw_send_ok(struct mg_connection *conn);

/* Read the body and parse it as a JSON object. Returns the object (caller
 * frees with cJSON_Delete), or NULL after answering 400 itself. */
cJSON *fw_read_json_object(struct mg_connection *conn, size_t limit);
/* Member name of o as a string: the string itself, a number printed as an
 * integer, or NULL if absent or of another type. Copied into out. */
const char *fw_json_str(const cJSON *o, const char *name, char *out, size_t outlen);
/* Integer member: 0 with *v set; 1 if absent/null (v untouched); -1 if not
 * an integer in [min, max]. */
int fw_json_long(const cJSON *o, const char *name, long min, long max, long *v);

#endif
