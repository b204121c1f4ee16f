/*
 * pollerd private header: the daemon's state and the subsystems its main loop
 * drives. pollerd is the only writer of services, service_dependencies,
 * status_events and scheduled_maintenances (doc/design.md#table-ownership).
 *
 * Layers, bottom up: hmap (string-keyed table), retry and breaker (pure
 * policies), fetch (libcurl multi engine), detect (pure flap / health
 * decisions), maint and store (the database side of one reading or one
 * pushed status), queue (readings waiting for the database, committed in
 * order), webhook (Statuspage webhook body -> a pushed reading), cycle
 * (per-service scheduling, URL de-duplication, fan-out, parsing), inbox
 * (commands from apid). pollerd.c is the process around them.
 */
#ifndef ITSTATUS_POLLERD_H
#define ITSTATUS_POLLERD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "daemon.h"
#include "db.h"
#include "format.h"
#include "status.h"
#include "timeutil.h"
#include "vocab.h"

/* ---- hmap.c: string -> pointer hash table --------------------------------- */

struct hmap_ent {
	char *key; /* owned copy; NULL = empty slot */
	uint64_t hash;
	void *val;
};
struct hmap {
	struct hmap_ent *v;
	size_t cap; /* power of two, 0 before the first put */
	size_t n;
};
void hmap_init(struct hmap *m);
/* Borrowed value or NULL. */
void *hmap_get(const struct hmap *m, const char *key);
/* Insert or replace (key copied); returns the value replaced (the caller's to
 * free) or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *val);
/* Free the table and its keys; free_val (may be NULL) is called on each value. */
void hmap_free(struct hmap *m, void (*free_val)(void *));
uint64_t hmap_hash(const char *s);

/* ---- stmt.c: prepared statement cache ----------------------------------- */

/* A cached statement for sql on db; sql must be a string with static storage
 * (its address is the key). Returned reset with no bindings; never finalize
 * it, and reset it after a SELECT. NULL on error (logged). */
sqlite3_stmt *stmt_get(sqlite3 *db, const char *sql);
/* Finalize every cached statement of db: call before closing it. */
void stmt_forget(sqlite3 *db);

/* ---- retry.c: which attempts are retried, and how long to wait ------------ */

/* The seed's policy (doc/compat.md#s7-1): exponential from 0.5 s, doubling, capped at 5 s, plus
 * 0-1 s of jitter; no new attempt once the budget since the first attempt
 * is spent. */
#define RETRY_BASE_MS 500
#define RETRY_CAP_MS 5000
#define RETRY_JITTER_MS 1000
#define RETRY_BUDGET_MS 30000

/* How one attempt ended. */
enum att_class {
	ATT_OK,		    /* 2xx */
	ATT_NOT_MODIFIED,   /* 304 to a conditional request */
	ATT_HTTP,	    /* any other HTTP answer that is not transient (404, 401...) */
	ATT_HTTP_TRANSIENT, /* 408, 429, 5xx */
	ATT_TIMEOUT,
	ATT_TRANSPORT, /* connect, DNS, reset, protocol... */
	ATT_REQUEST,   /* cannot work as asked (bad URL, redirect loop): not retried */
	ATT_TOO_LARGE, /* body over the cap: aborted, never retried */
};
/* 1 for 408, 429 and 5xx. */
int retry_is_transient_code(long code);
/* The failure kind of a final HTTP answer that is not a reading: http_5xx,
 * http_4xx, or other (a 3xx left after the redirects). */
enum vc_failure_kind retry_http_kind(long code);
/* Classify an attempt from its curl result (a CURLcode) and HTTP status. */
enum att_class retry_classify(int curl_code, long http_code, int too_large, int conditional);
/* Backoff before the attempt after attempt n (1-based) failed; jitter01 in [0,1). */
int64_t retry_backoff_ms(int attempt, double jitter01);
/*
 * After attempt number `attempts` ended with c: delay in ms before the next
 * attempt, or -1 to stop. elapsed_ms counts from the first attempt's start;
 * retry_after_ms is the server's Retry-After (-1 when absent): honoured when it
 * fits the budget, and when it does not the fetch stops instead of hammering.
 */
int64_t retry_next_delay(enum att_class c, int attempts, int max_attempts, int64_t elapsed_ms,
			 int64_t budget_ms, int64_t retry_after_ms, double jitter01);

/* ---- breaker.c: per-host circuit breaker ---------------------------------- */

enum brk_state { BRK_CLOSED = 0, BRK_OPEN = 1, BRK_HALF_OPEN = 2 }; /* = gauge values */
/* What a finished fetch operation (a whole retry sequence) says about a host. */
enum brk_result {
	BRK_SUCCESS, /* the host answered properly */
	BRK_FAILURE, /* transport error, timeout, 429 or 5xx */
	BRK_NEUTRAL, /* the host answered but the page is wrong (404, 401): no vote */
};
enum brk_verdict {
	BRK_ALLOW, /* go */
	BRK_PROBE, /* go, as the one half-open probe */
	BRK_HOLD,  /* a probe is in flight: wait for its verdict */
	BRK_DENY,  /* open: fail fast without network I/O */
};
struct breaker {
	enum brk_state state;
	int failures; /* consecutive failed operations */
	int64_t opened_at_ms;
	int probing; /* the half-open probe is in flight */
};
/* May a request go to this host now? Moves open -> half-open once ttl passed. */
enum brk_verdict brk_check(struct breaker *b, int64_t now_ms, int64_t ttl_ms);
/* Record a finished operation (was_probe: it was the half-open probe).
 * Returns 1 when the state changed. */
int brk_record(struct breaker *b, enum brk_result r, int was_probe, int64_t now_ms, int threshold);
const char *brk_state_str(enum brk_state s);

/* ---- fetch.c: the libcurl multi engine ------------------------------------ */

struct fetch_cfg {
	long connect_timeout_ms;
	long timeout_ms; /* whole attempt */
	size_t max_body;
	int max_host_conns;
	int max_active; /* transfers in flight over all hosts */
	int max_attempts;
	int64_t retry_budget_ms;
	int breaker_threshold;
	int64_t breaker_ttl_ms;
	const char *user_agent; /* copied */
	/* Is this address loopback, link-local or private? NULL means
	 * fetch_addr_internal; tests put their own to play a public host. */
	int (*addr_internal)(const char *ip);
};

enum fetch_outcome {
	FETCH_PENDING = 0,
	FETCH_BODY,	    /* 2xx (any HTTP status when any_code), body in req->body */
	FETCH_NOT_MODIFIED, /* 304 to our validators */
	FETCH_FAILED,	    /* see reason */
	FETCH_ABORTED,	    /* stopped by fetch_abort: no result */
};

struct fetch_xfer;
struct fetch_host;

/*
 * One GET. The caller fills the request part (fetch_req_init zeroes it; the
 * strings are owned by the request and freed by fetch_req_clear) and keeps it
 * alive until it comes back from fetch_next_done (or fetch_abort).
 */
struct fetch_req {
	/* request */
	char *url;
	char *if_none_match;	 /* validators to send, may be NULL */
	char *if_modified_since; /* may be NULL */
	int any_code;		 /* http_check: every HTTP answer is a reading, not a failure */
	void *user;
	/* result */
	enum fetch_outcome outcome;
	long http_code;
	struct buf body;
	char *etag, *last_modified, *content_type; /* of the final response, may be NULL */
	char *reason; /* FETCH_FAILED: the detail text ("timeout", "http_404", ...) */
	enum vc_failure_kind fail_kind; /* FETCH_FAILED: its kind (poll_total's outcome) */
	int64_t latency_ms;		/* total time of the last attempt */
	int64_t duration_ms;		/* first attempt start -> result */
	int attempts;
	int64_t bytes; /* body bytes received over all attempts */
	/* FETCH_FAILED because the name did not resolve or nothing took the
	 * connection (its last attempt, or the host's when a breaker opened on
	 * those stopped it): what a machine without network sees. */
	int unreachable;
	/* engine private */
	struct fetch_host *host;
	struct fetch_xfer *xfer;
	struct fetch_req *next; /* host queue / done list */
	int64_t first_start_mono, due_mono, retry_after_ms;
	int was_probe, too_large, conditional;
	enum att_class last_class;
	/* redirect guard: class of the attempt's first address (-1 before it),
	 * and the address a refused redirect led to */
	int origin_internal;
	int (*addr_internal)(const char *ip);
	char refused_ip[48];
};
void fetch_req_init(struct fetch_req *r, const char *url);
void fetch_req_clear(struct fetch_req *r);

struct fetcher;
/* A new engine (persistent: it keeps connections alive between cycles and
 * the per-host breakers). wake_fd (or -1): readable means "return early".
 * NULL if curl cannot start; release with fetch_free(). */
struct fetcher *fetch_new(const struct fetch_cfg *cfg, int wake_fd);
void fetch_free(struct fetcher *f);
/* New settings (reload); transfers in flight keep theirs. */
void fetch_set_cfg(struct fetcher *f, const struct fetch_cfg *cfg);
/* Queue a request. */
void fetch_submit(struct fetcher *f, struct fetch_req *r);
/* Run transfers for up to wait_ms. Returns the number of requests not yet
 * finished (queued, in flight or waiting to retry). */
size_t fetch_step(struct fetcher *f, int wait_ms);
/* Next finished request, or NULL. */
struct fetch_req *fetch_next_done(struct fetcher *f);
/* Stop everything: unfinished requests come back FETCH_ABORTED. */
void fetch_abort(struct fetcher *f);
/* Breaker of a host (created closed when new). Tests. */
struct breaker *fetch_breaker(struct fetcher *f, const char *host);
/* 1 when ip (text, v4 or v6) is loopback, link-local, private (RFC 1918,
 * unique local, shared 100.64/10) or unspecified; 0 otherwise. */
int fetch_addr_internal(const char *ip);
/* Host part of a URL, lower-cased, with ":port" when the URL names one: the
 * key of breakers and connection slots. The whole URL when it has no host.
 * Caller frees. */
char *fetch_url_host(const char *url);

/* ---- detect.c: flap buffer and poller health (pure) ----------------------- */

struct flap_cfg {
	int confirm;	  /* ALERT_CONFIRM_THRESHOLD_POLLS */
	int recovery;	  /* ALERT_RECOVERY_THRESHOLD_POLLS */
	int64_t dwell_ms; /* ALERT_MIN_STATE_DURATION_SECONDS */
};
#define FLAP_SINCE_NONE INT64_MIN
#define FLAP_SINCE_BAD (INT64_MIN + 1) /* stored but unparseable: counts as dwelt */
struct flap_state {
	enum st_status committed;
	enum st_status pending; /* ST_UNKNOWN = empty buffer */
	int count;
	int64_t since_ms; /* FLAP_SINCE_NONE when empty */
	int pushed;	  /* committed status came from a webhook or manual update */
};
enum flap_verdict {
	FLAP_SAME,     /* reading equals committed: buffer cleared */
	FLAP_WAIT,     /* buffered, not confirmed yet */
	FLAP_COMMIT,   /* confirmed change */
	FLAP_BASELINE, /* first reading after unknown: committed at once, never alerted */
};
/* Decide on one successful reading; updates *s (buffer, committed, pushed). */
enum flap_verdict flap_decide(const struct flap_cfg *c, struct flap_state *s,
			      enum st_status reading, int64_t now_ms);
const char *flap_verdict_str(enum flap_verdict v);

struct health_state {
	enum st_health health;
	int failures;
};
/* Apply one poll result (ok = success). Returns 1 when the transition is one
 * that is recorded and alerted: {healthy,degraded} -> broken, broken -> healthy. */
int health_next(struct health_state *h, int ok, int threshold);

/* ---- maint.c: scheduled maintenances and the in_maintenance flag ---------- */

/* Upsert the vendor windows a reading reported and mark completed the open
 * vendor windows that vanished from the feed. In the caller's transaction. 0/-1. */
int maint_sync_vendor(sqlite3 *db, const char *service_id, const struct fmt_maint *m, size_t n,
		      const char *now_iso);
/* 1 when a local or vendor window is active for the service at now, 0 if not,
 * -1 on error. */
int maint_window_active(sqlite3 *db, const char *service_id, const char *now_iso);
/* Insert a local window; returns its id or -1 (err set, caller frees). */
int64_t maint_create_local(sqlite3 *db, const char *service_id, const char *title,
			   const char *description, const char *for_iso, const char *until_iso,
			   const char *created_by, const char *now_iso, char **err);
/* Cancel a local window; 0, or -1 with err set (caller frees). */
int maint_cancel_local(sqlite3 *db, int64_t id, const char *now_iso, char **service_id_out,
		       char **err);

/* ---- store.c: one reading or one pushed status -> the database ------------ */

struct store_cfg {
	struct flap_cfg flap;
	int failure_threshold; /* POLLER_FAILURE_THRESHOLD */
	const char *sso_broker_id;
};

/* A poll result of one service (ok or failed reading). */
struct poll_result {
	const char *service_id;
	const char *source; /* the poll_type */
	const struct fmt_reading *r;
	int64_t now_ms;
};
struct apply_out {
	enum flap_verdict verdict; /* meaningful when the reading was ok */
	enum st_status status;	   /* committed status afterwards */
	enum st_health health;
	int64_t event_id;	 /* status event, 0 if none */
	int64_t health_event_id; /* 0 if none */
	int in_maintenance;
};
/* Apply in the caller's transaction. 0, or -1 (the transaction should be
 * rolled back). */
int store_apply_poll(sqlite3 *db, const struct store_cfg *c, const struct poll_result *pr,
		     struct apply_out *out);

/* A manual or webhook status: bypasses the flap buffer. */
struct push {
	const char *service_id;
	const char *source; /* "manual" or "webhook" */
	enum st_status status;
	int vendor_maint; /* -1: keep services.in_maintenance; else the vendor flag */
	const char *detail, *incident_id, *incident_title;
	const char *updated_by, *reason, *client_ip;
	int64_t inbox_id;
	int64_t now_ms;
};
struct push_out {
	enum st_status previous;
	int changed;
	int64_t event_id; /* 0 when unchanged */
};
/* In the caller's transaction; 0, or -1 (err set when the service is
 * unknown; caller frees). */
int store_apply_push(sqlite3 *db, const struct store_cfg *c, const struct push *p,
		     struct push_out *out, char **err);
/* Set services.in_maintenance; 1 when it changed, 0 if not, -1 on error. */
int store_set_maintenance(sqlite3 *db, const char *service_id, int flag);

/* ---- webhook.c: Statuspage webhook body -> pushed reading ------------------ */

/*
 * Interpret a Statuspage subscriber webhook for a service with opts (its
 * component selection). Returns 1 with out->ok and status set when the
 * payload says something about this service; 0 when it does not (out->reason
 * says why: another component, an unrecognised shape); -1 when the body is
 * not a usable payload (out->reason). out is a fmt_reading (free it with
 * fmt_reading_free); maintenance windows are not produced.
 */
int webhook_statuspage(const char *body, size_t len, const struct fmt_opts *opts,
		       struct fmt_reading *out);

/* ---- cycle.c: the poll cycle --------------------------------------------- */

struct pollerd;
/* Prepare the poll state (fetch engine, metrics). 0/-1. */
int cycle_init(struct pollerd *p);
void cycle_fini(struct pollerd *p);
/* Settings changed (reload): new fetch settings and intervals. */
void cycle_reconfigure(struct pollerd *p);
/* Monotonic ms at which the next cycle is due (now when something is due). */
int64_t cycle_next_due(struct pollerd *p, int64_t now_mono);
/* Start a cycle with every due service (all of them when all != 0). Returns
 * the number of services polled (0: nothing due, no cycle started). */
size_t cycle_begin(struct pollerd *p, int all);
/* Drive the running cycle for up to wait_ms and apply finished results.
 * Returns 1 while the cycle runs, 0 once it has ended. */
int cycle_step(struct pollerd *p, int wait_ms);
/* Abort the running cycle (stop requested): no results are applied. */
void cycle_abort(struct pollerd *p);
int cycle_running(const struct pollerd *p);
/* Recompute services.in_maintenance for services whose windows may have
 * started or ended. 0/-1. */
int cycle_maint_sweep(struct pollerd *p);
/* The vendor maintenance flag pollerd last saw for a service (0 if none). */
int cycle_vendor_maint(struct pollerd *p, const char *service_id);
void cycle_set_vendor_maint(struct pollerd *p, const char *service_id, int flag);
/* Parser options of a registry service at now_ms (borrowed pointers). */
void cycle_fmt_opts(const struct pollerd *p, const struct reg_service *s, int64_t now_ms,
		    struct fmt_opts *o);
/* Settings -> fetch / store configuration. */
void cycle_fetch_cfg(const struct cfg_settings *c, struct fetch_cfg *out);
void cycle_store_cfg(const struct cfg_settings *c, struct store_cfg *out);

/* ---- inbox.c: commands from apid ------------------------------------------ */

/* Apply pending pollerd inbox rows if the database changed since the last
 * look (PRAGMA data_version), or always when force. Returns the number of
 * rows handled, -1 on a database error. */
int inbox_poll(struct pollerd *p, int force);
/* Apply one inbox row (tests call this directly). In its own transaction. */
int inbox_apply_one(struct pollerd *p, int64_t id, const char *kind, const char *service_id,
		    const char *payload, const char *client_ip);

/* ---- queue.c: readings waiting for the database --------------------------- */

struct rq_item {
	char *service_id, *source;
	struct fmt_reading r;
	int64_t now_ms; /* when it was taken: it decides as of then */
};
struct rqueue {
	struct rq_item *v; /* ring of cap slots */
	size_t cap, head, n, max;
	unsigned long long dropped; /* since start */
	/* the current outage (blocked = the last flush could not commit) */
	int blocked, dropping, failures, fail_rc;
	int64_t blocked_since;
	size_t committed_in_outage;
	unsigned long long dropped_at_block;
	char fail_msg[256];
};
void rq_init(struct rqueue *q, size_t max);
void rq_free(struct rqueue *q);
/* A new bound (reload); the oldest beyond it are dropped. */
void rq_set_max(struct rqueue *q, size_t max);
/* Queue a copy of reading r of a service; when full the oldest is dropped
 * (counted, logged once per outage). */
void rq_push(struct rqueue *q, const char *service_id, const char *source,
	     const struct fmt_reading *r, int64_t now_ms);
/* Commit queued readings in order (one BEGIN IMMEDIATE with the connection's
 * short busy timeout, up to a batch). Returns the status events committed
 * (>= 0), or -1 when the database could not be written (all kept). */
int rq_flush(struct pollerd *p, struct rqueue *q);
/* Why pollerd is alive but not working (commits keep failing for a reason
 * other than a busy lock), or NULL. Points into q. */
const char *rq_failing(const struct rqueue *q);

/* ---- the daemon ---------------------------------------------------------- */

struct cycle_state;

struct pollerd {
	struct daemon_opts opts;
	struct daemon_conf conf;
	sqlite3 *db;
	char started_at[TS_ISO_LEN + 1];
	char last_cycle_at[TS_ISO_LEN + 1];
	struct cycle_state *cs; /* cycle.c's state */
	struct store_cfg scfg;	/* from conf.cfg (cycle_init / cycle_reconfigure) */
	int64_t inbox_data_version;
	struct rqueue rq;      /* readings not yet committed */
	struct db_ident ident; /* the database file opened (deleted-file check) */
};

/* retention.c: prune pollerd's own old rows (see the file); rows deleted or -1. */
int retention_run(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms);

/* demo.c: with SEED_DEMO_DATA, pre-fill an empty timeline with 30 days of
 * deterministic history (source 'demo'). Returns events written (0 when the
 * timeline already has rows), or -1. */
int demo_seed(sqlite3 *db, int64_t now_ms);

/* sync.c: write the registry (services + dependency edges) to the database in
 * one transaction: upsert every service's registry columns, retire services
 * no longer listed (never delete: their history stays), bring back retired
 * ones that reappear, and replace the edge set. 0 or -1. */
int sync_registry(sqlite3 *db, const struct reg_registry *reg);

#endif
