/*
 * apid private header: the daemon's state shared by the HTTP handlers and the
 * declarations of every apid module. apid only reads the bus, except inbox
 * rows it inserts and its own heartbeat and metrics rows (doc/design.md#table-ownership).
 *
 * Layout: server.c (civetweb set-up, the route table, dispatch), http.c (the
 * request object, envelope, errors, bodies, query parameters, headers, CORS),
 * pool.c (pooled read/write connections with a per-connection response
 * cache), conf.c (settings swapped on SIGHUP), and one file per resource. The
 * JSON of every resource is built by a function taking a sqlite3 * so the
 * unit tests call it directly.
 */
#ifndef ITSTATUS_APID_H
#define ITSTATUS_APID_H

#include <cJSON.h>
#include <civetweb.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "daemon.h"
#include "timeutil.h"

/* Each /api/stream client holds a civetweb worker thread for as long as it is
 * connected, so the server runs apid_threads + this many workers and refuses
 * clients beyond it (503): the stream can never starve ordinary requests. */
#define APID_SSE_MAX_CLIENTS 256
#define APID_ADMIN_BODY_MAX (64 * 1024)
#define APID_INBOUND_BODY_MAX (1024 * 1024)
/* What a webhook signature or replay key is computed over: an inbound body
 * behind a short prefix (a timestamp, a service id). */
#define APID_SIGNED_BASE_MAX (APID_INBOUND_BODY_MAX + 256)
/* Bodies of GET/DELETE requests are read and dropped up to this size so the
 * connection can stay alive; larger ones close it. */
#define APID_DISCARD_BODY_MAX (64 * 1024)
#define APID_SSE_HEARTBEAT_MS 15000
#define APID_SSE_POLL_MS 200
/* How often a waiting stream client looks whether its peer hung up. */
#define APID_SSE_PEER_CHECK_MS 250
#define APID_SIGNATURE_WINDOW_S 300
/* Request bodies: at most this many are read at once, server-wide (their
 * workers are reserved on top of apid_threads), and each must arrive whole
 * within APID_BODY_DEADLINE_MS. Headers get the same total deadline
 * (civetweb's request_timeout_ms, also the longest one read may wait). */
#define APID_BODY_READERS_MAX 64
#define APID_BODY_DEADLINE_MS 10000
/* An answer this big or bigger is "large": kept gzipped only in the
 * response cache, and its route's builds take turns (doc/scale.md#memory). */
#define APID_LARGE_BODY (256 * 1024)

/* ---- conf.c: the configuration handlers see ----------------------------- */

/* One loaded configuration. Handlers hold a reference for the length of a
 * request, so a SIGHUP can swap in a new one without freeing strings a
 * handler is still reading. */
struct conf_ref {
	int refs;
	struct daemon_conf dc;
};

struct pool;
struct stream;

struct apid {
	struct daemon_opts opts;
	pthread_mutex_t conf_lock;
	struct conf_ref *conf; /* current; guarded by conf_lock */
	char *db_path;	       /* fixed at start (a reload cannot move the database) */
	sqlite3 *db;	       /* the main thread's connection (heartbeat, metrics) */
	struct mg_context *mg;
	int port;
	char started_at[TS_ISO_LEN + 1];
	struct pool *pool;
	struct stream *stream;
	struct rcache *rcache;
	/* SQLite code of the main thread's last failed heartbeat write, 0 when
	 * it succeeded: a full disk or an unwritable file turns /healthz 503
	 * with the reason (busy locks do not count: they pass). */
	_Atomic int write_failure;
};

/* Take ownership of a loaded configuration as the current one. */
void conf_init(struct apid *a, struct daemon_conf *dc);
/* A reference to the current configuration; release with conf_put(). */
struct conf_ref *conf_get(struct apid *a);
void conf_put(struct apid *a, struct conf_ref *c);
/* SIGHUP: load anew; swap in when valid (1), else keep the old one (0). */
int conf_reload(struct apid *a);
void conf_free_all(struct apid *a);

/* ---- pool.c: database connections for the worker threads ---------------- */

struct pconn {
	sqlite3 *db;
	int busy;
};
/* A pool of at most max connections to path, opened on demand. NULL on error. */
struct pool *pool_new(const char *path, int max);
void pool_free(struct pool *p);
/* Borrow a connection (waits while all are busy); NULL if none can be opened. */
struct pconn *pool_get(struct pool *p);
void pool_put(struct pool *p, struct pconn *c);

/* ---- rcache.c: the shared response cache and HTTP representations -------- */

struct rcache;
struct rc_ent;
struct req;
/* A cache over the database at db_path (its own connection); NULL on error. */
struct rcache *rcache_new(const char *db_path);
void rcache_free(struct rcache *rc);
/* The entry for key at the current data version, held for the caller (let
 * go with rcache_unhold). *build = 1: nobody has it yet, the caller builds
 * it and hands the body to rcache_fill (let go unfilled, the next asker
 * builds). *build = 0: ready (rc_ready), possibly after waiting for another
 * worker's build. max_age_ms > 0: an entry built longer ago is rebuilt. */
struct rc_ent *rcache_lookup(struct rcache *rc, const char *key, int64_t max_age_ms, int *build);
/* Store a copy of the built body (and its ETag) in e. */
void rcache_fill(struct rcache *rc, struct rc_ent *e, const char *body, size_t len);
/* Print root into e as its body (json_print_consume; root is deleted): an
 * answer of APID_LARGE_BODY or more is compressed while it is printed and
 * kept gzipped only, never whole. 0, or -1 (e left unfilled). */
int rcache_fill_json(struct rcache *rc, struct rc_ent *e, cJSON *root);
/* A build of a route whose answers are large waits here for its turn
 * (server-wide, doc/scale.md#memory) until deadline_ms (ts_mono_ms); e's
 * clock age starts when it gets it. 0 (then r->large is set by the caller),
 * or -1 when the deadline passed. */
int rcache_large_enter(struct rcache *rc, struct rc_ent *e, int64_t deadline_ms);
/* Give back r's turn, if it holds one (once its body is in the cache). */
void rcache_large_leave(struct req *r);
void rcache_unhold(struct rcache *rc, struct rc_ent *e);
int rc_ready(const struct rc_ent *e);
/* A ready entry's identity body (valid while held); NULL when it is kept
 * gzipped only (sent inflated, see struct repr); *len is the identity length. */
const char *rc_body(const struct rc_ent *e, size_t *len);
/* A ready entry's gzip form (NULL when not made yet or not worth it; valid
 * while held), its length in *gzlen and its ETag into etag. */
const char *rc_gz_form(const struct rc_ent *e, size_t *gzlen, char *etag, size_t etaglen);
/* The ETag of a body: "<length hex>-<64-bit FNV-1a hex>" with the quotes. */
void rc_etag(const char *body, size_t len, char *out, size_t outlen);
/* gzip (RFC 1952) of in at level 1..9 into *out (caller frees). 0 or -1. */
int rc_gzip(const char *in, size_t len, int level, char **out, size_t *outlen);
/* Inflate gzip in, which must give exactly outlen bytes, a slice at a time
 * into out (which returns 0, or -1 to stop). 0, or -1 when it is not that. */
int rc_gunzip_each(const char *in, size_t len, size_t outlen,
		   int (*out)(void *ctx, const char *p, size_t n), void *ctx);
/* apid.c: keep the allocator from holding on to freed memory (glibc). */
void apid_malloc_setup(void);
void apid_trim_memory(void);
/* How one API 200 goes out: body/len in, then the body to send (gzip when
 * accepted, NULL for a 304), status 200 or 304, the caching headers, and a
 * buffer the caller frees afterwards (owned, may be NULL). gz set: the body
 * is len bytes to inflate from gz while sending (rc_gunzip_each). */
struct repr {
	int status;
	const char *body;
	size_t len;
	char *owned;
	const char *gz;
	size_t gzlen;
	int own_cache_control; /* the handler set its own Cache-Control */
	char headers[192];
};
void rc_represent(struct req *r, struct repr *o);
/* Does an Accept-Encoding value accept gzip (listed, and not with q=0)? */
int http_accepts_gzip(const char *accept_encoding);

/* ---- guard.c: client address and per-client limits ---------------------- */

#define GUARD_ADDR_LEN 64
enum guard_kind { GUARD_REQUESTS, GUARD_STREAMS, GUARD_NKINDS };
/* The client's address into out: peer, or the forwarded address when peer
 * is listed in trusted (addresses and CIDR blocks, comma separated). */
void guard_client_addr(const char *peer, const char *xff, const char *trusted, char *out,
		       size_t outlen);
/* 1 when every entry of the trusted_proxies list parses; else 0, *bad at it. */
int guard_proxies_valid(const char *list, const char **bad);
/* Count one more kind for addr: 0, or -1 when it already holds max. */
int guard_enter(const char *addr, enum guard_kind kind, int max);
void guard_leave(const char *addr, enum guard_kind kind);
/* One more body reader server-wide, reading from socket fd (-1: unknown)
 * until deadline_ms (ts_mono_ms): its slot, or -1 when APID_BODY_READERS_MAX
 * are reading. */
int guard_body_enter(int fd, int64_t deadline_ms);
/* Done reading; 1 when guard_watch() had to cut the read short. */
int guard_body_leave(int slot);
/* Shut the read side of every reader past its deadline (the main loop calls
 * this a few times a second); how many were cut. */
int guard_watch(int64_t now_ms);
/* The socket of the connection between peer:peer_port and our local_port,
 * or -1 (civetweb does not expose it). */
int guard_conn_fd(const char *peer, int peer_port, int local_port);

/* ---- http.c: requests and responses -------------------------------------- */

struct req;
typedef void (*route_fn)(struct req *r);

enum route_flags {
	R_CACHE = 1,  /* 200 bodies depend only on the database: cache them */
	R_STREAM = 2, /* long-lived (SSE): no duration histogram */
	R_CLOCK = 4,  /* with R_CACHE: the body also depends on the clock (uptime
		       * windows ending now), so a cached one lives at most
		       * APID_CLOCK_CACHE_MS */
};
#define APID_CLOCK_CACHE_MS 10000

struct route {
	const char *method;
	const char *pattern; /* segments; "{name}" matches one non-empty segment */
	route_fn fn;
	unsigned flags;
};

struct req {
	struct apid *a;
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	const char *method; /* as sent; HEAD is served as GET without a body */
	int head;
	const char *path;  /* URL-decoded path */
	const char *query; /* raw query string, "" when none */
	const char *params[2];
	char *path_copy; /* owns the strings params point into */
	const struct route *route;
	const char *route_label; /* pattern, or "static"/"other" for metrics */
	struct conf_ref *confref;
	const struct cfg_settings *cfg;
	struct pconn *pc; /* borrowed lazily by req_db() */
	struct buf body;
	int body_read;		     /* the whole request body was consumed */
	int must_close;		     /* the connection cannot be reused */
	const char *cors_origin;     /* request Origin when allowed */
	char client[GUARD_ADDR_LEN]; /* the client's address (see guard.c) */
	int status;		     /* set once a response was sent */
	struct rc_ent *rc;	     /* the cache entry served or being built */
	int large;		     /* holds a large build's turn (rcache_large_enter) */
	size_t rows_bytes;	     /* text of the rows built, before ?worst= cut them */
	int64_t start_ms;	     /* when the request began (ts_mono_ms) */
	int represent;		     /* an API GET: 200s get ETag, 304, gzip (rcache.c) */
	/* Applied by http_envelope to a 200's data before printing (lists.c). */
	void (*post)(struct req *r, cJSON *data, cJSON *meta);
	long post_n;
};

/* The database connection for this request (borrowed from the pool on first
 * use, returned by the dispatcher). NULL only if no connection can be opened. */
sqlite3 *req_db(struct req *r);
const char *req_header(const struct req *r, const char *name);
/* The client's address (the seed's client_ip): the socket peer, or the
 * forwarded address behind a trusted proxy (guard.c). */
const char *req_client_ip(const struct req *r);

/* Send a complete response in one write. extra: preformatted header lines
 * ("Name: value\r\n"...) or NULL. The body is not sent for HEAD. */
void http_send(struct req *r, int status, const char *ctype, const char *extra, const char *body,
	       size_t len);
/* civetweb's http_error hook: the errors civetweb answers itself (400, 411,
 * 413, 505... before any handler runs) go out as a short JSON body with the
 * same security headers as every other response. Returns 0 (handled). */
int http_civet_error(struct mg_connection *conn, int status, const char *errmsg);
/* "Not Found" for 404 and so on. */
const char *http_status_text(int status);
/* Send the status line and headers only; the caller writes the body with
 * mg_write. len < 0: no Content-Length, the body runs until the connection
 * closes (SSE). 0, or -1 when the client is gone. */
int http_send_headers(struct req *r, int status, const char *ctype, const char *extra,
		      long long len);
/* Print root as JSON and send it; root is deleted. */
void http_json(struct req *r, int status, cJSON *root, const char *extra);
/* {"data": data, "error": null, "meta": meta}; meta NULL means JSON null. Takes both. */
void http_envelope(struct req *r, int status, cJSON *data, cJSON *meta);
/* The seed's application error: {"detail": {"data": null, "error": {"code",
 * "message"}, "meta": null}}. */
void http_error(struct req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* FastAPI's plain form: {"detail": "<msg>"}. */
void http_detail(struct req *r, int status, const char *msg, const char *extra);
/* 422 {"detail": [items]} built with verr_add(); takes errs. */
void http_validation(struct req *r, cJSON *errs);
/* Add one FastAPI-style validation item {type, loc: [where, field], msg}. */
void verr_add(cJSON *errs, const char *where, const char *field, const char *type, const char *msg);
/* The unknown-route answers: JSON 404 under /api, 405 with Allow. */
void http_not_found(struct req *r);
void http_method_not_allowed(struct req *r, const char *allow);
/* 503 DATABASE_ERROR: no connection, or a query failed. */
void http_db_error(struct req *r);
/* 503 for a write that failed, saying why in an operator's terms (locked,
 * full, not writable, damaged). */
void http_db_write_error(struct req *r);

/* Read the body (at most cap bytes) into r->body. 0 on success; -1 after
 * answering 413 (too large) or 400 (unreadable). */
int http_read_body(struct req *r, size_t cap);
/* Drop an unused body so keep-alive stays safe (sets must_close if it cannot). */
void http_discard_body(struct req *r);

/* Query parameter name (decoded) into out. 1 found, 0 absent, -1 too long. */
int q_str(const struct req *r, const char *name, char *out, size_t outlen);
/* A filter parameter: NULL when absent, else out; a value longer than any
 * key becomes "", which matches nothing. */
const char *q_filter(const struct req *r, const char *name, char *out, size_t outlen);
/* Integer parameter clamped to [min, max] (the seed clamps, never rejects);
 * absent gives dflt; not a number adds a 422 item to errs and returns -1. */
int q_int(const struct req *r, const char *name, long dflt, long min, long max, long *out,
	  cJSON *errs);

/* Decode application/x-www-form-urlencoded field name from body into a fresh
 * string (caller frees); NULL when absent. */
char *form_field(const char *body, size_t len, const char *name);

/* CORS: the Origin when it is on the cors_origins allow-list, else NULL. */
const char *cors_allowed(const struct cfg_settings *cfg, const char *origin);
/* Answer an OPTIONS preflight. */
void http_preflight(struct req *r);

/* ---- json.c: rows to JSON ------------------------------------------------- */

/* Add columns [from, to) of the current row of st to obj, keyed by column
 * name. Column names may carry a type prefix: "bool:x" renders 0/1 as a
 * boolean, "json:x" parses stored JSON text (null when invalid). */
void json_add_row(cJSON *obj, sqlite3_stmt *st, int from, int to);
/* A new object holding every column of the current row. Caller deletes. */
cJSON *json_row(sqlite3_stmt *st);
/* The same row already printed, as a raw item (caller deletes): for lists
 * that can have thousands of rows, where a full tree per request costs tens
 * of MB. */
cJSON *json_row_raw(sqlite3_stmt *st);
/* The same for the columns whose bit is set in cols (bit i = column i). */
cJSON *json_row_raw_cols(sqlite3_stmt *st, uint64_t cols);
/* item printed, as a raw item (item is deleted; caller owns the result): a
 * list of thousands keeps one string per row, not a tree of nodes. */
cJSON *json_compact(cJSON *item);
/* An item of a list that can have thousands of rows: json_compact(item)
 * while this thread builds an HTTP answer (json_compact_lists(1), set by
 * the dispatcher), item itself otherwise (unit tests, the stream), so
 * callers that inspect the tree still can. */
cJSON *json_list_item(cJSON *item);
void json_compact_lists(int on);
/* Where json_print_consume writes, piece by piece. */
struct jsink {
	void (*put)(struct jsink *s, const char *text, size_t len);
	/* Set when a part made while printed could not be read whole (a
	 * database error mid-list): the text is valid JSON but short a part,
	 * so it must not be served or cached. */
	int failed;
};
/* Print item exactly as cJSON_PrintUnformatted would, into s, freeing the
 * text of each raw item (the rows) once it is written: a large answer is
 * never held as rows and as one printed copy at once (doc/scale.md#memory).
 * The caller still deletes item, and must not print it again. */
void json_print_consume(cJSON *item, struct jsink *s);
/* A part of an answer that is made while the answer is printed, not held
 * whole before (doc/scale.md#memory): print writes its JSON text into s,
 * exactly what the tree it stands for would print; release frees ctx and is
 * called once, after print or unprinted. The item (caller owns, placed in a
 * tree like any other) is printed only by json_print_consume, on this
 * thread; cJSON's own printers fail on it. Parts this thread did not print
 * are released by json_lazy_drop (the dispatcher, after each request). */
cJSON *json_lazy(void (*print)(void *ctx, struct jsink *s), void (*release)(void *ctx), void *ctx);
void json_lazy_drop(void);
/* 1 while this thread builds an HTTP answer (json_compact_lists): a list
 * may then be made as it is printed (json_lazy). */
int json_lists_compact(void);
/* Print "key":value into s (a ',' first unless first), as a member of an
 * object printed by cJSON; value is consumed and deleted. */
void json_put_member(struct jsink *s, int first, const char *key, cJSON *value);
/* Print a JSON array into s of one item per row st steps to: row(st, ctx)
 * makes it (a new item, consumed and deleted here). A step that fails ends
 * the array and sets s->failed. */
void json_put_rows(struct jsink *s, sqlite3_stmt *st, cJSON *(*row)(sqlite3_stmt *, void *),
		   void *ctx);
/* item printed into a new string (json_print_consume, so json_lazy parts
 * too; item is consumed but the caller still deletes it). Caller frees;
 * NULL when a part could not be read whole (jsink.failed). */
char *json_print_text(cJSON *item);
/* Bytes of raw (printed row) text under item: what a build holds. */
size_t json_raw_bytes(const cJSON *item);
/* Column i's wire name (without a type prefix). */
const char *json_col_name(sqlite3_stmt *st, int i);
/* Number with 2 decimals, or null for NAN; a new item the caller owns. */
cJSON *json_pct(double v);
double round2(double v);

/* 1 while pollerd's heartbeat is past its fresh_until (schema 0007's
 * v_poller_sight): nothing it committed can be taken as current. */
#define SQL_POLLER_STALLED "EXISTS (SELECT 1 FROM v_poller_sight WHERE stalled)"
/* The effective status of service alias s: unknown while its poller is
 * broken or pollerd itself is stalled (doc/design.md#effective-status,
 * doc/faults.md#stalled). The rule is the v_effective view's
 * (doc/vocabulary.md#effective-status-rule); this only reads it. */
#define SQL_EFFECTIVE(s) "(SELECT ve.effective_status FROM v_effective ve WHERE ve.id = " s ".id)"
/* Why the effective status is unknown (NULL when it is not for the poller). */
#define SQL_EFFECTIVE_REASON(s)                                                                    \
	"(SELECT ve.effective_reason FROM v_effective ve WHERE ve.id = " s ".id)"
#define SQL_SERVICE_COLS                                                                           \
	"s.id, s.display_name, s.category, s.current_status, s.current_status_detail, "            \
	"s.poll_type, "                                                                            \
	"s.status_page_url, s.last_polled_at, s.last_status_change_at, s.consecutive_failures, "   \
	"s.last_success_at, s.last_failure_reason, s.poller_health, s.tier, s.pending_status, "    \
	"s.pending_status_count, s.pending_status_since, s.in_maintenance AS "                     \
	"\"bool:in_maintenance\", "                                                                \
	"s.status_source, s.current_incident_title, s.drift_note, s.drift_first_seen_at, "         \
	"s.drift_last_seen_at, " SQL_EFFECTIVE("s") " AS effective_status, " SQL_EFFECTIVE_REASON( \
	    "s") " AS effective_reason"
#define SQL_SERVICE_NCOLS 25
/* Fields of an event object (alias e, services alias s). */
#define SQL_EVENT_COLS                                                                             \
	"e.id, e.service_id, s.display_name AS service_name, e.previous_status, e.new_status, "    \
	"e.vendor_title, e.vendor_detail, e.impact_statement, e.source, e.created_at, "            \
	"e.is_baseline AS \"bool:is_baseline\", e.in_maintenance AS \"bool:in_maintenance\", "     \
	"e.vendor_incident_id"
#define SQL_EVENT_NCOLS 13
/* Fields of a maintenance object (alias m, services alias s). */
#define SQL_MAINT_COLS                                                                             \
	"m.id, m.service_id, s.display_name AS service_name, m.title, m.description, "             \
	"m.scheduled_for, m.scheduled_until, m.status, m.source, m.created_by"
/* st_status_rank() of a database spelling (0 unknown ... 4 major; NULL or a word
 * that is not a status ranks as unknown): the order and array index of the API. */
int status_rank5(const char *s);

/* ---- resources: each builds its JSON from a connection -------------------- */
/* Every *_build / *_list function returns a new cJSON tree that the caller
 * deletes, or NULL when the database could not be read. */

/* services.c */
/* What GET /api/services may ask for (doc/scale.md#lists); NULL / 0 = any. */
struct svc_query {
	const char *category; /* comma-separated */
	const char *status;   /* comma-separated effective statuses */
	const char *tier;     /* comma-separated */
	const char *q;	      /* case-insensitive substring of the name or id */
	const char *fields;   /* comma-separated fields; id always */
	const char *cursor;   /* the id of the last service of the previous page */
	long limit;	      /* 0: all */
};
/* NULL on a database error; a bad fields/status/cursor adds 422 items to
 * errs (then NULL too). */
cJSON *services_query(sqlite3 *db, const struct svc_query *q, cJSON **meta, cJSON *errs);
cJSON *services_list(sqlite3 *db, const char *category, cJSON **meta);
/* NULL when the service does not exist (or is retired). */
cJSON *service_detail(sqlite3 *db, const char *id);
cJSON *services_graph(sqlite3 *db);
/* Display names of the direct downstreams of id, critical first then name;
 * caller deletes. *cache keeps the prepared statement between calls (the
 * caller finalizes it). */
cJSON *downstream_names(sqlite3 *db, sqlite3_stmt **cache, const char *id);
void h_services(struct req *r);
void h_service(struct req *r);
void h_graph(struct req *r);

/* summary.c */
cJSON *summary_build(sqlite3 *db);
/* worst > 0: active_incidents holds only the worst incidents (they come
 * worst first), each other one counted and named in status_text but never
 * built, plus active_incidents_total: the full answer cut, as ?worst=N and
 * the stream's summary frames want (doc/scale.md#lists). Caller deletes. */
cJSON *summary_build_worst(sqlite3 *db, long worst);
cJSON *maintenances_list(sqlite3 *db);
void h_summary(struct req *r);
void h_maintenance(struct req *r);

/* timeline.c */
cJSON *timeline_build(sqlite3 *db, long limit, const char *service_id);
cJSON *clustered_build(sqlite3 *db, long window_s, long limit);
/* Status events with after < id <= upto (upto <= 0: no bound), oldest
 * first, at most limit: what the stream sends and replays. Caller deletes;
 * NULL on error. */
cJSON *events_after(sqlite3 *db, int64_t after, int64_t upto, int limit);
void h_timeline(struct req *r);
void h_clustered(struct req *r);

/* sla.c: uptime from the event history (doc/compat.md#s6-14 with the fixes of
 * doc/compat.md#bug-6) and the coverage each figure stands on
 * (doc/coverage.md). */
struct sla_seg {
	int64_t start, end; /* ms */
	int state;	    /* enum st_status; ST_UNKNOWN while untracked/blind */
	int maint;	    /* in a maintenance window */
};
struct sla_tl {
	char *service_id;
	int64_t monitoring_since; /* ms of the baseline; -1 when never seen */
	struct sla_seg *v;
	size_t n, cap;
};
struct sla_set {
	struct sla_tl *v;
	size_t n;
};
/* How figures are computed, from the settings (sla_opts_from). */
struct sla_opts {
	double degraded_weight;	      /* DEGRADED_SLA_WEIGHT: share of degraded counted down */
	int count_maintenance;	      /* SLA_COUNT_MAINTENANCE */
	double min_coverage_pct;      /* UPTIME_MIN_COVERAGE_PERCENT */
	double burn_min_coverage_pct; /* BURN_MIN_COVERAGE_PERCENT */
};
/* What a window's figure stands on (ms). */
struct sla_cov {
	int64_t tracked_ms; /* known status (maintenance included) */
	int64_t maint_ms;   /* of which in maintenance */
	int64_t window_ms;
};
void sla_opts_from(struct sla_opts *o, const struct cfg_settings *cfg);
/* Timelines of every live service from since_ms to now_ms, blind time
 * (broken poller, stale pollerd) unknown and maintenance marked. 0 or -1.
 * Release with sla_set_release. */
int sla_load(sqlite3 *db, int64_t since_ms, int64_t now_ms, const struct sla_opts *o,
	     struct sla_set *out);
void sla_set_release(struct sla_set *s);
/* Uptime % over [start, end) (capped at 100, not rounded) whatever the
 * coverage, NAN when nothing counted; *cov (may be NULL) gets the coverage. */
double sla_uptime(const struct sla_tl *t, int64_t start, int64_t end, const struct sla_opts *o,
		  struct sla_cov *cov);
/* 1 when the tracked time covers at least min_pct of the window. */
int sla_covered(const struct sla_cov *c, double min_pct);
/* sla_uptime held to the coverage rule: NAN below min_coverage_pct. */
double sla_figure(const struct sla_tl *t, int64_t start, int64_t end, const struct sla_opts *o,
		  struct sla_cov *cov);
/* {tracked_seconds, window_seconds, maintenance_seconds, monitoring_since};
 * caller deletes. monitoring_since < 0: null. */
cJSON *sla_cov_json(const struct sla_cov *c, int64_t monitoring_since);
/* Worst status seen in [start, end) (rank5), 0 when nothing tracked. */
int sla_worst(const struct sla_tl *t, int64_t start, int64_t end);
cJSON *sla_build(sqlite3 *db, int64_t now_ms, const struct sla_opts *o);
cJSON *sla_history_build(sqlite3 *db, int64_t now_ms, long days, const struct sla_opts *o);
/* sla_history_build for the one live service only (NULL: every one); an
 * unknown id gives no service. worst > 0: only the worst services, by
 * their mean daily uptime, plus "aggregate" (each day's mean over every
 * service) and "services_total" (doc/scale.md#lists). Caller deletes. */
cJSON *sla_history_only(sqlite3 *db, const char *only, int64_t now_ms, long days,
			const struct sla_opts *o, long worst);
cJSON *uptime_build(sqlite3 *db, int64_t now_ms, const struct sla_opts *o);
/* What the dashboard's tile of service id shows, for its row in a stream
 * delta (doc/scale.md#sse): {"uptime": its entry of /api/services/uptime,
 * "tracked_seconds": its tracked seconds there, "sla": its entry of
 * /api/services/sla}. NULL on a database error or when id is not live;
 * else the caller deletes it. */
cJSON *sla_row_figures(sqlite3 *db, const char *id, int64_t now_ms, const struct sla_opts *o);
cJSON *slo_build(sqlite3 *db, int64_t now_ms, const struct cfg_settings *cfg);
/* slo_build with worst > 0: only the rows with the least error budget
 * left, plus services_total and the burning counts over every row
 * (doc/scale.md#lists). Caller deletes. */
cJSON *slo_build_worst(sqlite3 *db, int64_t now_ms, const struct cfg_settings *cfg, long worst);
void h_sla(struct req *r);
void h_sla_history(struct req *r);
void h_uptime(struct req *r);
void h_slo(struct req *r);

/* lists.c: ?worst=N on the summary and history routes (doc/scale.md#lists):
 * each parses it and calls the plain handler. */
void h_summary_worst(struct req *r);
void h_sla_history_worst(struct req *r);
void h_sla_worst(struct req *r);
void h_uptime_worst(struct req *r);
void h_slo_worst(struct req *r);
/* The n worst rows of a list while it is built, so a build holds n rows,
 * not every one: offer each row (it is owned from then on: kept, or
 * deleted at once) with its score, lower is worse; key names it in an
 * object (copied; NULL in an array). worst_keep_finish puts the kept rows,
 * worst first and ties in the order offered, into container (an object or
 * an array), frees k and returns how many rows were offered. */
struct worst_keep;
struct worst_keep *worst_keep_new(long n);
void worst_keep_offer(struct worst_keep *k, double score, const char *key, cJSON *item);
int worst_keep_finish(struct worst_keep *k, cJSON *container);

/* reports.c */
cJSON *reports_build(sqlite3 *db, const char *service_id, long limit);
void h_reports(struct req *r);

/* alerts.c */
struct alerts_query {
	const char *service_id, *kind, *since; /* NULL = any */
	int suppressed;			       /* -1 any, 0 fired, 1 suppressed */
	int64_t cursor;			       /* rows with id < cursor; 0 = newest */
	long limit;
};
cJSON *alerts_build(sqlite3 *db, const struct alerts_query *q, cJSON **meta);
void h_alerts(struct req *r);

/* inbox.c: commands for the other daemons (doc/design.md#inbox). */
/* Insert; the new row id, or -1. payload is JSON text. */
int64_t inbox_insert(sqlite3 *db, const char *kind, const char *consumer, const char *service_id,
		     const char *payload, const char *client_ip);
/* Wait up to wait_ms for the consumer to apply or reject row id. Returns 1
 * applied, 0 rejected, -1 still pending (or gone). *result (parsed) and
 * *error (copied) are set when present; caller frees both. */
int inbox_wait(sqlite3 *db, int64_t id, int wait_ms, cJSON **result, char **error);
/* The row as JSON (state, result, error ...), caller deletes; NULL when absent. */
cJSON *inbox_row(sqlite3 *db, int64_t id);

/* admin.c */
/* Bearer check in the seed's order; 0 when authorised, else answered. */
int admin_auth(struct req *r);
/* Validate a manual status body; 422 items go to errs. */
int admin_status_validate(const cJSON *body, cJSON *errs);
/* A maintenance window body, validated: strings point into the body. */
struct maint_fields {
	const char *sid, *title, *desc, *by; /* desc, by: NULL when absent */
	char from[TS_ISO_LEN + 1], until[TS_ISO_LEN + 1];
	int has_until;
};
/* Validate a maintenance body into *m; 422 items go to errs. 0 or -1. */
int admin_maint_validate(const cJSON *body, struct maint_fields *m, cJSON *errs);
void h_admin_status(struct req *r);
void h_admin_maintenance_create(struct req *r);
void h_admin_maintenance_cancel(struct req *r);
void h_admin_inbox(struct req *r);

/* hmac.c */
void sha256(const void *data, size_t len, unsigned char out[32]);
void hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32]);
/* Lower-case hex of n bytes into out (2n+1). */
void hex_lower(const unsigned char *in, size_t n, char *out);
/* Constant time in the length of b (the secret side). 1 when equal. */
int ct_equal(const char *a, const char *b);
/* 1 when the len bytes were seen before within the replay window (then they
 * are not recorded again); records them otherwise. For signed requests. */
int replay_seen(const void *data, size_t len, int64_t now_ms);
/* 1 when the signed timestamp t (Unix seconds, any value) is within
 * APID_SIGNATURE_WINDOW_S of now, either way. */
int sig_ts_fresh(long long t, int64_t now_ms);

/* webhooks.c */
/* Environment name of a service's webhook token: WEBHOOK_TOKEN_<ID upper, - -> _>. Caller frees. */
char *webhook_token_env(const char *service_id);
/* Statuspage signature check (webhooks.c header): 0 ok, else SP_SIG_*. The
 * signature is hex HMAC-SHA256 of "<ts>.<body>", or of the body alone when
 * body_only_ok (the seed's form). The replay cache is the caller's. */
enum { SP_SIG_OK = 0, SP_SIG_MISSING, SP_SIG_MISSING_TS, SP_SIG_STALE, SP_SIG_BAD, SP_SIG_REPLAY };
int statuspage_verify(const char *secret, const char *ts, const char *sig, const char *body,
		      size_t len, int64_t now_ms, int body_only_ok);
void h_webhook_token(struct req *r);
void h_webhook_hmac(struct req *r);

/* slack.c */
/* v0 signature check: 0 ok, else one of the SLACK_SIG_* reasons. */
enum { SLACK_SIG_OK = 0, SLACK_SIG_MISSING, SLACK_SIG_STALE, SLACK_SIG_BAD, SLACK_SIG_REPLAY };
int slack_verify(const char *secret, const char *ts, const char *sig, const char *body, size_t len,
		 int64_t now_ms);
/* The /itstatus reply for command/text (doc/compat.md#s6-9). Caller deletes. */
cJSON *slash_reply(sqlite3 *db, const char *command, const char *text, int64_t now_ms);
/* 1 when url is https://<allowed host>/actions/<[A-Za-z0-9/_-]+> with no query or fragment. */
int response_url_allowed(const char *url, const char *hosts_csv);
void h_slack_interactivity(struct req *r);
void h_slack_slash(struct req *r);

/* stream.c: GET /api/stream (Server-Sent Events). */
struct stream *stream_start(struct apid *a);
/* Wake every client and stop the reader (before the server stops). */
void stream_stop(struct stream *s);
/* Free it once the server has stopped (no handler can touch it any more). */
void stream_free(struct stream *s);
void h_stream(struct req *r);
/* One SSE frame: "id: <id>\nevent: <ev>\ndata: <json>\n\n" (id < 0: none). */
void sse_frame(struct buf *b, int64_t id, const char *event, const char *data);

/* health.c */
cJSON *health_build(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms);
/* /healthz body (caller deletes); *ok = 1 when every daemon's heartbeat is fresh. */
cJSON *healthz_build(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms, int *ok);
void h_health(struct req *r);
void h_healthz(struct req *r);

/* metrics_route.c */
/* Prometheus text (format 0.0.4) of every daemon's rows; caller frees. */
char *metrics_render(sqlite3 *db);
void h_metrics(struct req *r);
/* Count one finished request (http_requests_total, duration histogram). */
void metrics_observe(const char *route, int code, double secs, int histogram);

/* static.c: the dashboard. */
/* Map a request path to a file under root: 1 file (path in out), 0 serve the
 * app page, -1 not found, -2 refused (traversal). out: caller frees. */
int static_resolve(const char *root, const char *path, char **out);
const char *mime_type(const char *path);
void h_static(struct req *r);

/* openapi.c */
/* The OpenAPI 3.1 document: apid/openapi.json compiled in (mk/cstring.sh),
 * static, NUL-terminated, openapi_doc_len bytes. */
extern const char openapi_doc[];
extern const size_t openapi_doc_len;
const char *openapi_json(void);
void h_openapi(struct req *r);

/* server.c */
extern const struct route api_routes[];
extern const size_t api_nroutes;
/* Find the route for method + path (a copy: it is split in place and the
 * params point into it). NULL with allow set to the methods the path
 * accepts ("" when the path is unknown). */
const struct route *route_match(const char *method, char *path, const char **params, char *allow,
				size_t allowlen);
/* start civetweb on HOST:PORT with the routes; 0 or -1. */
int server_start(struct apid *a);
/* Stop without waiting for civetweb's shutdown poll: mg_stop alone can take up to
 * 2 s, because its master thread polls the listening socket with a 2 s timeout
 * before it looks at the stop flag. */
void server_stop(struct apid *a);

#endif
