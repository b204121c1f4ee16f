/*
 * alertd private header: the daemon's state and every subsystem's entry
 * points. alertd is the only writer of alert_sent_log, outbox,
 * incident_reports, status_rollups and its own cursors row
 * (doc/design.md#table-ownership).
 *
 * The flow: cursor.c loads the status_events after the cursor; pass.c routes
 * them (route.c), records one alert_sent_log row per decision, renders the
 * messages (blocks.c for Slack, dest.c for the other destinations), queues
 * them in the outbox, builds incident reports (report.c) and rollups
 * (rollup.c), and advances the cursor -- all in one transaction. deliver.c
 * then posts outbox rows (outbox.c keeps their state) with libcurl multi.
 * ack.c applies Slack acks from the inbox; burn.c runs the SLO burn-rate
 * table on a timer. selfmon.c watches the other daemons' heartbeats and pings
 * HEALTHCHECK_PING_URL.
 *
 * Memory: every function returning char * or a struct pointer says who frees
 * it; "caller frees" means free() (cJSON output included, since main installs
 * xmalloc/free as cJSON's hooks).
 */
#ifndef ITSTATUS_ALERTD_H
#define ITSTATUS_ALERTD_H

#include <cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "status.h"
#include "timeutil.h"
#include "vocab.h"

struct deliver;
struct selmon;

struct alertd {
	struct daemon_opts opts;
	struct daemon_conf conf;
	sqlite3 *db;
	char started_at[TS_ISO_LEN + 1];
	char last_cycle_at[TS_ISO_LEN + 1];
	int64_t data_version; /* PRAGMA data_version seen by the last pass; -1 = none */
	int outbox_dirty;     /* the outbox changed: rescan the destination queues */
	struct deliver *dl;   /* NULL until deliver_init() */
	struct selmon *sm;    /* NULL until selmon_init() (never with --once) */
	int failed_passes;    /* consecutive failed passes: "alive but not working" */
	char failing[256];    /* why, once failed_passes is high enough; "" if working */
	int64_t
	    hold_until_ms; /* ALERT_GROUP_WAIT_SECONDS: run a pass again at this time; 0 = none */
};

/* ---- events (cursor.c) ------------------------------------------------ */

enum ad_event_kind { AD_EV_STATUS, AD_EV_HEALTH };

/* Destination kinds, as a bit set (a service may restrict its destinations). */
enum {
	AD_DK_SLACK = 1u << 0,
	AD_DK_WEBHOOK = 1u << 1,
	AD_DK_TEAMS = 1u << 2,
	AD_DK_PAGERDUTY = 1u << 3,
	AD_DK_ALL = 0xfu,
};

/*
 * One status_events row joined with its service's registry columns as the
 * database holds them now. Also used for a service without an event (burn
 * alerts): id 0, kind AD_EV_STATUS.
 */
struct ad_event {
	int64_t id;
	enum ad_event_kind kind;
	char *service_id;
	enum st_status prev, next;   /* status events */
	enum st_health hprev, hnext; /* health events */
	int is_baseline;
	int ev_maintenance;  /* status_events.in_maintenance: the snapshot at commit */
	int svc_maintenance; /* services.in_maintenance now */
	char *vendor_title, *vendor_detail, *vendor_incident_id;
	char *impact; /* stored by pollerd; NULL = build the fallback sentence */
	char *failure_reason;
	char *source;
	char created_at[TS_ISO_LEN + 1];
	int64_t created_ms;
	/* the service */
	char *name, *category, *status_page_url, *override, *poll_type;
	enum st_tier tier;
	unsigned dest_kinds; /* AD_DK_* allowed by services.config_json.destinations */
};

/* Last processed status_events.id for consumer 'alertd' (0 when none). */
int64_t cursor_get(sqlite3 *db);
/* Set it, inside the caller's transaction. 0 or -1. */
int cursor_set(sqlite3 *db, int64_t id);
/* Load up to max events with id > after, oldest first, into *out (caller
 * frees with events_free); status events without a stored impact statement
 * get one built (common/impact). Returns the count, or -1. */
int events_load(sqlite3 *db, int64_t after, int max, const char *sso_broker_id,
		struct ad_event **out);
/* Load one service as an event-less ad_event (burn alerts); 0 or -1.
 * Release with event_clear(). */
int service_load(sqlite3 *db, const char *service_id, struct ad_event *out);
void event_clear(struct ad_event *e);
void events_free(struct ad_event *v, size_t n);
/* The impact sentence to show: the stored statement, else a fallback.
 * Caller frees. */
char *event_impact(const struct ad_event *e);

/* ---- routing (route.c) -------------------------------------------------- */

/* Whether a logged decision counts as announced (named in a message that was
 * sent): fired, folded into a batch, or named by a fired aggregated alert. */
#define AD_ANNOUNCED_SQL                                                                           \
	"(suppressed_by IS NULL OR suppressed_by IN ('batched', 'aggregated_under_upstream'))"

/*
 * One decision about one alert. Fired, or suppressed for a reason of the
 * vocabulary (common/vocab.def's suppression set): the reason is an enum here
 * and becomes a word only at the edge -- the alert_sent_log row, the metric
 * label, the log line -- through ad_why_str. A zeroed decision is fired.
 */
struct ad_decision {
	const char *alert_kind; /* status_change, aggregated_upstream, poller_health */
	int suppressed;		/* 0 = fired; else see why (set both with ad_suppress) */
	enum vc_suppression why;
	char *dedup_key;
	char *incident_key; /* the outage episode, without status: PagerDuty's dedup_key */
	int64_t episode;    /* id of the episode's first event */
	char *slack_dest;   /* Slack destination name, NULL = no Slack */
	int routed_to_main; /* poller health sent to the main webhook */
	unsigned dests;	    /* AD_DK_* that receive the message */
	int mention;	    /* <!here> */
	int recovery;
	char *aggregated_under; /* upstream service id, or the batch row's dedup key */
	int64_t alert_id;	/* after the row is written */
	int group;		/* index of the aggregation group this event leads, or -1 */
};

struct ad_route_ctx {
	sqlite3 *db;
	const struct cfg_settings *cfg;
	const struct reg_registry *reg;
	int64_t now_ms;
};

/* An upstream that broke together with enough of its declared dependents. */
struct ad_group {
	size_t upstream; /* index into the pass's events */
	size_t *members; /* indexes of the dependents' events */
	size_t nmembers;
};

/* Is there anything to say about this event at all (an alertable health
 * transition, or any status event)? healthy <-> degraded is silent. */
int route_relevant(const struct ad_event *e);
/* Decide one event (aggregated-under handled by the caller). Fills *d (free
 * with decision_clear). 0 or -1 on a database error. */
int route_event(const struct ad_route_ctx *c, const struct ad_event *e, struct ad_decision *d);
void decision_clear(struct ad_decision *d);
/*
 * Find the aggregation groups among n events and decide their upstreams
 * (the aggregated alert forms only when the upstream itself would fire, so a
 * dependent is never silenced under a message nobody received). On return
 * dec[i] holds the upstreams' decisions (kind aggregated_upstream, group set)
 * and member[i] is the group index of each silenced dependent, else -1.
 * *groups is caller-freed with groups_free. Returns the number of groups or -1.
 */
int route_groups(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
		 struct ad_decision *dec, int *member, struct ad_group **groups);
void groups_free(struct ad_group *g, size_t n);
/* The upstream whose open alert a dependent's change e folds into (see
 * route.c): *upstream caller frees. episode: e's episode (route_episode).
 * 1 found, 0 none (or correlation off), -1 on error. */
int route_correlated(const struct ad_route_ctx *c, const struct ad_event *e, int64_t episode,
		     char **upstream);
/* Mark in defer[n] the dependents' breaks to decide after the rest of the
 * pass, because a declared upstream breaks later in it (same time, or within
 * ALERT_GROUP_WAIT_SECONDS). member: route_groups' output. 0 or -1. */
int route_defer(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
		const int *member, char *defer);
/* ALERT_GROUP_WAIT_SECONDS: the index of the first event to hold back (a
 * dependent's break younger than the wait that nothing can absorb yet), or n
 * when none; *until_ms = when to look again. -1 on error. */
int route_hold(const struct ad_route_ctx *c, const struct ad_event *ev, size_t n,
	       int64_t *until_ms);
/* The episode an event belongs to: id of the first event after the service's
 * last operational one (status) or last healthy one (health). */
int64_t route_episode(sqlite3 *db, const struct ad_event *e);
/* Resolve the service's Slack destination name (override, else main) and the
 * destination kinds active for it; health alerts use the poller-health
 * webhook first. *slack_dest caller-frees (NULL = no Slack). */
unsigned route_destinations(const struct cfg_settings *cfg, const struct reg_registry *reg,
			    const struct ad_event *e, int health, char **slack_dest,
			    int *routed_to_main);
/* Active maintenance for the service at now (windows, flag or event snapshot). */
int route_in_maintenance(sqlite3 *db, const struct ad_event *e, int64_t now_ms);
/* A row with this key announced since since_iso. 1, 0, or -1. */
int route_dedup_hit(sqlite3 *db, const char *key, const char *since_iso);

/* ---- messages (blocks.c: Slack; dest.c: the others) ---------------------- */

struct ad_burn {
	const char *row; /* "fast", "slow", "ticket" */
	const char *long_label, *short_label;
	double long_burn, short_burn, threshold;
	double budget_remaining; /* percent */
	double target;		 /* percent */
	int page;		 /* page rows mention <!here>; tickets do not */
	char at[TS_ISO_LEN + 1];
};

/* Everything a message about one alert needs; the builders only read it. */
struct ad_msg {
	const char *kind; /* status_change, aggregated_upstream, poller_health, slo_burn_rate */
	const struct ad_event *ev;
	const struct ad_decision *dec;
	const struct ad_event *const *deps; /* aggregated: the dependents */
	size_t ndeps;
	const struct ad_burn *burn;
	const struct ad_burn *burn_also; /* a second row breached, named in the same message */
	const cJSON *folded;   /* an upstream's recovery: the dependents folded under it */
	int ack;	       /* SLACK_ACK_ENABLED: add the Acknowledge button */
	int failure_threshold; /* POLLER_FAILURE_THRESHOLD, for the broken text */
};

/* Slack limits (doc/field.md#slack-limits); lengths are UTF-16 code units, which is
 * never less than what Slack counts. */
#define BK_MAX_BLOCKS 50
#define BK_MAX_HEADER 150
#define BK_MAX_SECTION 3000
#define BK_MAX_FIELD 2000
#define BK_MAX_FIELDS 10
#define BK_MAX_CONTEXT_ELEMENTS 10
#define BK_MAX_ACTIONS 25
#define BK_MAX_BUTTON_TEXT 75
#define BK_MAX_TEXT 3000
/* Slack rejects messages whose blocks total about 13.2 k characters even when
 * each block is within its limit (bolt-js #2509); stay under this. */
#define BK_MAX_TOTAL 12000
/* Changes listed one section each in a batch message before "…and N more". */
#define BK_BATCH_MAX 40

/* Text helpers. Caller frees each result. */
char *bk_trunc(const char *s, size_t limit); /* cut with "…" at a code-point boundary */
size_t bk_len(const char *s);		     /* UTF-16 code units */
char *bk_escape(const char *s);		     /* mrkdwn: & < > as entities */
/* "2026-11-23 20:31 UTC" from an ISO timestamp (out needs 21 bytes). */
char *bk_footer_ts(const char *iso, char out[21]);
/* Notification text for one alert ("🔴 GitHub: Operational → Major Outage"). */
char *bk_title(const struct ad_msg *m);

/* Slack payload {text, blocks} for one alert; caller frees. */
char *bk_render(const struct ad_msg *m);
/* Batch payload for n fired changes (more than 3 in one pass for one Slack
 * destination); ack_key = the batch row's dedup key or NULL. Caller frees. */
char *bk_batch(const struct ad_event *const *ev, const struct ad_decision *const *dec, size_t n,
	       int mention, const char *ack_key);
/* The response_url update after an ack: the original payload without its
 * ack button, plus who acknowledged. Caller frees; NULL if original is bad. */
char *bk_ack_update(const char *original, const char *user, int64_t at_ms);
/* Enforce every Slack limit on a payload object in place (truncating with
 * "…" and dropping what cannot fit): nothing sent is ever rejected for size. */
void bk_enforce(cJSON *payload);

/* Destination payloads (dest.c); caller frees. PagerDuty's routing key is not
 * in the stored payload: it is a secret, added at delivery time. */
char *dest_webhook_payload(const struct ad_msg *m);
char *dest_teams_payload(const struct ad_msg *m);
/* s with Teams Markdown's specials ([ ] ( ) * _ ~ ` and backslash) escaped
 * by a backslash; caller frees. */
char *dest_md_escape(const char *s);
char *dest_pagerduty_payload(const struct ad_msg *m);
/* PagerDuty takes status outages and recoveries only. */
int dest_pagerduty_wants(const struct ad_msg *m);
/*
 * Resolve a destination name to its URL from the environment/configuration
 * now (secrets never reach the database). For slack_response rows the name
 * is "slack_response:<inbox id>" and the URL comes from that inbox row.
 * Caller frees; NULL when the destination is not configured any more.
 */
char *dest_resolve(sqlite3 *db, const struct cfg_settings *cfg, const struct reg_registry *reg,
		   const char *kind, const char *name);
/* The body to POST: the stored payload, plus the PagerDuty routing key.
 * Caller frees; NULL when it cannot be built. */
char *dest_body(const struct cfg_settings *cfg, const char *kind, const char *payload);
/* Is url allowed as a Slack response_url under the allow-list (comma list
 * of hosts, optionally host:port)? https only, except loopback hosts. */
int dest_response_url_ok(const char *url, const char *hosts);

/* ---- the pass (pass.c) ----------------------------------------------------- */

/* Process up to max pending events in one transaction. Returns the number
 * of events consumed (0 = none pending), or -1 (rolled back; retried later). */
int pass_run(struct alertd *a, int max);
/* Queue one rendered alert to every destination in d->dests (Slack via
 * d->slack_dest). Inside the caller's transaction. 0 or -1. */
int pass_enqueue(struct alertd *a, const struct ad_msg *m, const char *event_created_at);
/* Write one alert_sent_log row; sets d->alert_id. 0 or -1. */
int pass_log(sqlite3 *db, const struct ad_event *e, struct ad_decision *d, const char *prev,
	     const char *next, const char *severity, const char *at);
/* Write a batch row (kind 'batch', dedup key key -- taken over, freed with
 * *bd -- Slack destination dest) for the members whose alert rows are
 * ids[n], and mark those 'batched' under it; first is the first member's
 * event. Inside the caller's transaction. Fills *bd (decision_clear). 0/-1. */
int pass_batch_row(sqlite3 *db, const struct ad_event *first, const char *dest, char *key,
		   int mention, enum st_status worst, const int64_t *ids, size_t n, const char *now,
		   struct ad_decision *bd);
/* Acknowledge buttons go on messages only when a click can be verified:
 * SLACK_ACK_ENABLED and SLACK_SIGNING_SECRET both set (as in the seed). */
int pass_ack_buttons(const struct cfg_settings *cfg);
/* Count a decision in the alerts_* metrics (call after commit): suppressed
 * 0 for a fired one, else why. */
void pass_count(const char *kind, const char *severity, int suppressed, enum vc_suppression why);
/* Mark d suppressed for why. */
void ad_suppress(struct ad_decision *d, enum vc_suppression why);
/* 1 when d is suppressed for why. */
int ad_is(const struct ad_decision *d, enum vc_suppression why);
/* The database, metric and log word of d's reason; NULL when d fired.
 * Static storage. */
const char *ad_why_str(const struct ad_decision *d);

/* ---- outbox (outbox.c) ---------------------------------------------------- */

struct ob_row {
	int64_t id;
	int64_t alert_id;
	char *kind, *destination, *payload, *state;
	int attempts;
	int64_t next_attempt_ms, created_ms, event_ms;
};

/* Insert a pending row (inside the caller's transaction). 0 or -1. */
int outbox_add(sqlite3 *db, int64_t alert_id, const char *kind, const char *destination,
	       const char *payload, const char *event_created_at, const char *now_iso);
/* The head (oldest unfinished row) of every destination queue. *out caller
 * frees with ob_rows_free. Returns the count or -1. */
int outbox_heads(sqlite3 *db, struct ob_row **out);
void ob_rows_free(struct ob_row *v, size_t n);
/* Mark 'sending' and count the attempt, committed before the POST. 0 / -1. */
int outbox_claim(sqlite3 *db, int64_t id);
int outbox_mark_sent(sqlite3 *db, int64_t id, long http_status);
/* Back to pending with a next attempt time, or failed. 0 / -1. */
int outbox_mark_retry(sqlite3 *db, int64_t id, long http_status, const char *error,
		      int64_t next_ms);
int outbox_mark_failed(sqlite3 *db, int64_t id, long http_status, const char *error);
/* Publish outbox_pending{destination}; 0 or -1. */
int outbox_gauges(sqlite3 *db);

enum ob_verdict { OB_SENT, OB_RETRY, OB_RATE_LIMITED, OB_FAILED };
/* Classify an HTTP answer: curl_ok = the transfer completed (else a timeout
 * or connection error, retried). */
enum ob_verdict outbox_classify(int curl_ok, long http_status);
/* Backoff before attempt number attempts+1: exponential from 1 s, capped at
 * 15 s, with jitter (rnd in [0,1): the delay is between half and all of the
 * step). Milliseconds. */
int64_t outbox_backoff_ms(int attempts, double rnd);

/* ---- burst merging (burst.c) -------------------------------------------------- */

/* More than this many individual Slack messages for one destination become
 * one batch: in one pass (doc/compat.md#s6-1), or waiting at the front of its queue. */
#define AD_BATCH_OVER 3
/* Before posting head (the front row of a Slack destination): merge the run
 * of more than AD_BATCH_OVER individual status messages waiting at the front
 * of its queue into one batch carried by head's row. 1 merged (rescan the
 * queue), 0 nothing to merge, -1 on error (nothing changed; post as is). */
int burst_merge(struct alertd *a, const struct ob_row *head);

/* ---- delivery (deliver.c) -------------------------------------------------- */

int deliver_init(struct alertd *a);
void deliver_free(struct alertd *a);
/* Start every due transfer (pacing and per-destination order permitting). */
void deliver_start(struct alertd *a);
/* Wait up to timeout_ms for transfers or a signal, then finish what completed. */
void deliver_wait(struct alertd *a, int timeout_ms);
/* Transfers in flight. */
int deliver_busy(const struct alertd *a);
/* Let curl read what has arrived and finish completed transfers, without
 * waiting: called between the loop's database work, so an answer is picked
 * up before its transfer's timeout even when that work is slow. */
void deliver_poll(struct alertd *a);
/* Is a row due now (not counting pacing waits), or a transfer running? */
int deliver_pending_now(struct alertd *a);
/* Give in-flight transfers up to grace_ms, then abort them (rows stay
 * 'sending' and are retried at the next start). */
void deliver_stop(struct alertd *a, int grace_ms);
/* How long a database write may wait for a lock while a POST is in flight
 * (db_begin tries six times, so a locked database stalls the loop ~300 ms). */
#define BUSY_IN_FLIGHT_MS 50
/* Set the connection's busy timeout: short while a POST is in flight, the
 * full DB_BUSY_TIMEOUT_MS otherwise. */
void db_busy_short(struct alertd *a);

/* ---- acks (ack.c) ---------------------------------------------------------- */

/* Apply pending slack_ack inbox rows. Returns the number applied/rejected, -1. */
int ack_run(struct alertd *a);

/* ---- reports (report.c) ---------------------------------------------------- */

/* On a recovery event, build its incident report (and postmortem draft when
 * enabled). Inside the pass's transaction. 0 (also when skipped) or -1. */
int report_on_recovery(struct alertd *a, const struct ad_event *e);
/* The dependents folded under service's alerts (decisions
 * 'aggregated_under_upstream' naming it) for events first_id <= id < until_id,
 * first decision per service: [{service_id, name, status, event_id}].
 * Caller frees (cJSON_Delete); NULL on a database error. */
cJSON *report_folded(sqlite3 *db, const char *service, int64_t first_id, int64_t until_id);
/* "npm, Chat, Jira" from report_folded's array, at most max names then
 * " (+N more)"; NULL when empty. Caller frees. */
char *report_folded_names(const cJSON *folded, int max);

/* ---- status rollups (rollup.c) -------------------------------------------- */

/* Add the interval that ends at event e to the service's hour/day buckets.
 * Inside the pass's transaction. 0 or -1. */
int rollup_event(sqlite3 *db, const struct ad_event *e);

/* ---- SLO burn rate (burn.c) ----------------------------------------------- */

/* Per-window figures for one service. unpaged_bad_ms is the bad time of
 * episodes no status alert announced: the budget burned without a page. */
struct burn_window {
	int64_t len_ms;
	double bad_ms, tracked_ms, unpaged_bad_ms;
};
enum { BURN_5M, BURN_30M, BURN_1H, BURN_6H, BURN_3D, BURN_30D, BURN_NWIN };
/* The table's rows, as bits of burn_evaluate's answer. */
enum { BURN_FAST, BURN_SLOW, BURN_TICKET, BURN_NROWS };
/* One timeline step: the effective state from at_ms on. blind: not tracked
 * (before monitoring started, or inside an episode that was already open
 * when it started); paged: inside an episode a status alert announced. */
struct burn_step {
	int64_t at_ms;
	enum st_status status;
	int broken, maintenance;
	int blind, paged;
};
/* Fill w[BURN_NWIN] from a service's timeline (steps oldest first; the
 * first step holds the state at or before the 30-day window start). */
void burn_windows(const struct burn_step *steps, size_t n, int64_t now_ms, double degraded_weight,
		  struct burn_window w[BURN_NWIN]);
/* Burn rate of a window, or -1 when its tracked time covers less than
 * min_coverage_percent of it (the coverage rule, doc/alerting.md#coverage). */
double burn_rate(const struct burn_window *w, double target_percent, double min_coverage_percent);
/* Evaluate the SRE table on w: a bit (1u << BURN_FAST...) for every row whose
 * long and short windows both exceed its threshold; out[r] is filled for
 * each such row. 0 when none. */
unsigned burn_evaluate(const struct cfg_settings *cfg, const struct burn_window w[BURN_NWIN],
		       struct ad_burn out[BURN_NROWS]);
/* The same windows with only the unpaged bad time counted as bad. */
void burn_unpaged(const struct burn_window w[BURN_NWIN], struct burn_window out[BURN_NWIN]);
/* Run the evaluation for every eligible service; logs and queues alerts in
 * one transaction per service. Returns messages queued, or -1. */
int burn_run(struct alertd *a);

/* ---- data lifecycle (lifecycle.c) -------------------------------------------- */

/* Delete rows of alertd's tables past their retention (outbox before the
 * alert rows it references). Returns rows deleted, or -1. */
int lifecycle_retention(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms);
/* Today's VACUUM INTO snapshot once BACKUP_TIME_HOUR has passed (or now when
 * force), then rotation. 1 written, 0 nothing to do, -1 error. */
int lifecycle_backup(sqlite3 *db, const struct cfg_settings *cfg, int64_t now_ms, int force);
/* A PASSIVE WAL checkpoint (never blocks, never truncates). */
void lifecycle_checkpoint(sqlite3 *db);

/* ---- self-monitoring (selfmon.c) ------------------------------------------- */

/* The daemons alertd alerts about: not itself (a dead alertd cannot send;
 * /healthz and the healthcheck ping's silence cover it). */
#define SM_NWATCHED 2
extern const char *const selmon_watched[SM_NWATCHED]; /* "pollerd", "apid" */

/* One heartbeats row: which daemon, and its beat_at in ms since the epoch. */
struct sm_beat {
	const char *daemon;
	int64_t beat_ms;
};

enum sm_action {
	SM_NOTHING,	    /* state unchanged (or the daemon never ran) */
	SM_ALERT_STALE,	    /* fresh -> stale: record and announce */
	SM_ALERT_RECOVERED, /* stale -> fresh: record and announce */
};

/* What to do on one check, decided by selmon_plan. */
struct sm_plan {
	int ping_ok;			 /* all three daemons fresh: success ping, else /fail */
	enum sm_action act[SM_NWATCHED]; /* per selmon_watched[i] */
	int present[SM_NWATCHED];	 /* a heartbeats row exists */
	int64_t age_ms[SM_NWATCHED];	 /* now - beat_at (0 when absent) */
};

/*
 * The staleness decision, a pure function: rows are the heartbeats table (n
 * rows, any order; unknown daemons ignored), was_stale[i] whether the last
 * recorded decision for selmon_watched[i] is 'stale'. A daemon is fresh while
 * now - beat_at < stale_after_s. A daemon without a row has never run here:
 * no alert (nothing went stale), but the ping reports failure, as /healthz
 * answers 503.
 */
void selmon_plan(const struct sm_beat *rows, size_t n, const int was_stale[SM_NWATCHED],
		 int64_t now_ms, int stale_after_s, struct sm_plan *out);
/* The ping URL for suffix "" (success), "/start" or "/fail": inserted before
 * any query string, without doubling a trailing slash. Caller frees. */
char *selmon_ping_url(const char *base, const char *suffix);
/* Slack payload for a daemon_health decision; silent_s: for recovered, how
 * long the daemon was silent (-1 unknown). Caller frees. */
char *selmon_payload(const char *daemon, enum sm_action act, int64_t age_s, int64_t silent_s,
		     const char *at_iso);

/* Set up (and send the /start ping when HEALTHCHECK_PING_URL is set). 0/-1. */
int selmon_init(struct alertd *a);
/* One check, every heartbeat interval: decide, record and queue the
 * daemon_health messages (one transaction), then ping. Errors are logged. */
void selmon_run(struct alertd *a);
/* Drive the ping transfer without waiting; called every loop turn. */
void selmon_poll(struct alertd *a);
/* The result of alertd's own heartbeat write (0, or the SQLite code): a
 * database that cannot be written (full disk, unwritable file) pings /fail at
 * once and, when it can be written again, queues one Slack message saying
 * for how long and why. Busy locks are ignored. */
void selmon_db_write(struct alertd *a, int rc);
/* Abort a ping in flight and release everything. */
void selmon_free(struct alertd *a);

#endif
