/*
 * deliver: posts outbox rows with libcurl's multi interface, inside the main
 * loop, so a slow or hanging destination never delays signal handling (the
 * loop waits on curl's sockets and the signal pipe together).
 *
 * Rules: one transfer in flight at a time (MAX_IN_FLIGHT), so a crash
 * between a POST and its mark can repeat that one message and nothing else
 * (doc/design.md#delivery); a row left 'sending' by a crash is settled before anything
 * else is posted; otherwise the oldest due row of any destination goes
 * next, so no destination starves. Each destination's queue is FIFO, so its
 * order is kept across retries. A POST to a URL starts at least
 * slack_min_interval_ms after the previous one to it was answered (Slack
 * allows ~1/s per webhook), and after a 429 nothing goes to that URL until
 * Retry-After has passed. A row is claimed ('sending', committed) before its
 * POST and finished after the answer (outbox.c has the policy). Rows whose
 * destination is no longer configured fail at once; so do rows older than
 * ALERT_DELIVERY_MAX_AGE_SECONDS, which are stale news.
 *
 * When more than AD_BATCH_OVER individual status messages wait at the front
 * of a Slack destination's queue, they are merged into one batch before the
 * head is posted (burst.c).
 *
 * Each handle is set up by common/httpc.c (alertd's user agent and
 * timeouts, no redirects, a fresh connection per POST, Retry-After parsed
 * with the one cap). Each POST carries X-Itstatus-Outbox-Id and X-Itstatus-Attempt headers, so
 * a receiver (and our tests) can recognise the one repeat a crash between
 * POST and mark may cause.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "buf.h"
#include "db.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"
#include "xalloc.h"

#define RESP_CAP (64 * 1024)
/* Raising this delivers to several destinations at once (a hanging Teams
 * would then not delay Slack), at the price of up to that many repeats per
 * crash. One keeps the promise the README makes. */
#define MAX_IN_FLIGHT 1

struct xfer {
	CURL *h;
	struct curl_slist *hdrs;
	int64_t id, created_ms, event_ms;
	int attempts;
	char *kind, *dest, *url, *body;
	struct buf resp_body;	/* its start, for the log */
	struct httpc_resp resp; /* status aside, what came back */
};

struct pace {
	char *url;
	int64_t not_before; /* monotonic ms */
};

/* An outcome not yet written: the database was locked past busy_timeout.
 * Kept until it is written, so a sqlite3 user holding a lock delays the mark
 * instead of turning a delivered message into an "in doubt" one. */
struct mark {
	int64_t id;
	enum ob_verdict v; /* OB_SENT, OB_FAILED, or OB_RETRY (with next_ms) */
	long code;
	char *err;
	int64_t next_ms;
};

struct deliver {
	CURLM *multi;
	struct xfer **x;
	size_t nx;
	struct mark *marks;
	size_t nmarks;
	struct pace *pace;
	size_t npace;
	int64_t next_scan; /* monotonic ms; rescan the queues no later than this */
	int due_blocked;   /* heads due now but waiting on pacing or a busy URL */
};

static int settle_pending(struct alertd *a);

int deliver_init(struct alertd *a)
{
	struct deliver *d = xcalloc(1, sizeof *d);
	d->multi = curl_multi_init();
	if (!d->multi) {
		free(d);
		return -1;
	}
	a->dl = d;
	a->outbox_dirty = 1;
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->h)
		curl_easy_cleanup(x->h);
	curl_slist_free_all(x->hdrs);
	free(x->kind);
	free(x->dest);
	free(x->url);
	free(x->body);
	buf_release(&x->resp_body);
	httpc_resp_release(&x->resp);
	free(x);
}

void deliver_free(struct alertd *a)
{
	struct deliver *d = a->dl;
	if (!d)
		return;
	for (size_t i = 0; i < d->nx; i++) {
		curl_multi_remove_handle(d->multi, d->x[i]->h);
		xfer_free(d->x[i]);
	}
	free(d->x);
	for (size_t i = 0; i < d->npace; i++)
		free(d->pace[i].url);
	free(d->pace);
	for (size_t i = 0; i < d->nmarks; i++)
		free(d->marks[i].err);
	free(d->marks);
	curl_multi_cleanup(d->multi);
	free(d);
	a->dl = NULL;
}

int deliver_busy(const struct alertd *a)
{
	return a->dl ? (int)a->dl->nx : 0;
}

void db_busy_short(struct alertd *a)
{
	sqlite3_busy_timeout(a->db, deliver_busy(a) ? BUSY_IN_FLIGHT_MS : DB_BUSY_TIMEOUT_MS);
}

static struct pace *pace_for(struct deliver *d, const char *url)
{
	for (size_t i = 0; i < d->npace; i++)
		if (!strcmp(d->pace[i].url, url))
			return &d->pace[i];
	d->pace = xreallocarray(d->pace, d->npace + 1, sizeof *d->pace);
	d->pace[d->npace] = (struct pace){.url = xstrdup(url), .not_before = 0};
	return &d->pace[d->npace++];
}

static int start_xfer(struct alertd *a, const struct ob_row *r, char *url, char *body)
{
	struct deliver *d = a->dl;
	const struct cfg_settings *cfg = &a->conf.cfg;
	struct xfer *x = xcalloc(1, sizeof *x);
	x->id = r->id;
	x->created_ms = r->created_ms;
	x->event_ms = r->event_ms;
	x->attempts = r->attempts + 1;
	x->kind = xstrdup(r->kind);
	x->dest = xstrdup(r->destination);
	x->url = url;
	x->body = body;
	buf_init(&x->resp_body, RESP_CAP); /* httpc truncates at max_body: never overflows */
	x->h = curl_easy_init();
	if (!x->h) {
		xfer_free(x);
		return -1;
	}
	const struct httpc_opts o = {
	    .user_agent = ALERTD_USER_AGENT,
	    .connect_timeout_ms = cfg->http_connect_timeout_seconds * 1000L,
	    .timeout_ms = cfg->http_timeout_seconds * 1000L,
	    /* Bodies only feed log lines: keep the start, swallow the rest. */
	    .max_body = RESP_CAP,
	    .overflow = HTTPC_OVERFLOW_TRUNCATE,
	    /* A fresh connection per POST: on a reused connection that the peer
	     * closes without answering, libcurl silently sends the request again,
	     * a repeat nobody accounts for. At about one message per second per
	     * webhook the extra handshake costs nothing that matters. */
	    .fresh_connection = 1,
	};
	httpc_setup(x->h, &o, &x->resp, &x->resp_body);
	char *h;
	x->hdrs = curl_slist_append(x->hdrs, "Content-Type: application/json; charset=utf-8");
	h = xasprintf("X-Itstatus-Outbox-Id: %lld", (long long)r->id);
	x->hdrs = curl_slist_append(x->hdrs, h);
	free(h);
	h = xasprintf("X-Itstatus-Attempt: %d", x->attempts);
	x->hdrs = curl_slist_append(x->hdrs, h);
	free(h);
	x->hdrs = curl_slist_append(x->hdrs, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(x->h, CURLOPT_URL, x->url);
	curl_easy_setopt(x->h, CURLOPT_POST, 1L);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(d->multi, x->h) != CURLM_OK) {
		xfer_free(x);
		return -1;
	}
	d->x = xreallocarray(d->x, d->nx + 1, sizeof *d->x);
	d->x[d->nx++] = x;
	/* From now on nothing may block the loop for long (see the main loop
	 * in alertd.c): the rest of this turn -- more claims, a burst merge,
	 * the heartbeat, the metrics flush -- would otherwise still wait up
	 * to DB_BUSY_TIMEOUT_MS per try on a locked database, and a POST
	 * answered meanwhile is seen only after its timeout: a repeat. */
	db_busy_short(a);
	return 0;
}

static int in_flight(const struct deliver *d, const char *dest, const char *url)
{
	for (size_t i = 0; i < d->nx; i++)
		if (!strcmp(d->x[i]->dest, dest) || (url && !strcmp(d->x[i]->url, url)))
			return 1;
	return 0;
}

static void count_attempt(const char *dest, const char *result)
{
	met_add(MET_DELIVERY_ATTEMPTS_TOTAL, 1, dest, result);
}

static void fail_row(struct alertd *a, const struct ob_row *r, const char *why)
{
	const char *kv[] = {"destination", r->destination, NULL};
	log_kv(LOG_LVL_ERROR, kv, "outbox %lld to %s failed: %s", (long long)r->id, r->destination,
	       why);
	outbox_mark_failed(a->db, r->id, 0, why);
	count_attempt(r->destination, "failed");
	a->outbox_dirty = 1;
}

void deliver_start(struct alertd *a)
{
	struct deliver *d = a->dl;
	int64_t mono = ts_mono_ms();
	if (!a->outbox_dirty && mono < d->next_scan)
		return;
	/* Nothing new goes out while an outcome is unrecorded: its row still
	 * says 'sending' and would look like one left by a crash. */
	if (d->nmarks && settle_pending(a)) {
		d->next_scan = mono + 500;
		a->outbox_dirty = 0;
		return;
	}
	struct ob_row *heads;
	int n = outbox_heads(a->db, &heads);
	a->outbox_dirty = 0;
	d->next_scan = mono + 60000; /* a safety net; completions rescan at once */
	d->due_blocked = 0;
	if (n < 0) {
		d->next_scan = mono + 1000;
		return;
	}
	const struct cfg_settings *cfg = &a->conf.cfg;
	int64_t now = ts_now_ms();
	/* A 'sending' row not in flight was left by a crash: it may or may not
	 * have arrived. Settle it before posting anything else, so there is
	 * never more than one message in doubt. */
	int in_doubt = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(heads[i].state, "sending") && !in_flight(d, heads[i].destination, NULL))
			in_doubt = 1;
	for (int i = 0; i < n; i++) {
		const struct ob_row *r = &heads[i];
		if (in_flight(d, r->destination, NULL))
			continue;
		if (in_doubt && strcmp(r->state, "sending")) {
			d->due_blocked++;
			continue;
		}
		if (r->next_attempt_ms > now) {
			int64_t at = mono + (r->next_attempt_ms - now);
			if (at < d->next_scan)
				d->next_scan = at;
			continue;
		}
		if (d->nx >= MAX_IN_FLIGHT) {
			d->due_blocked++; /* its turn comes when the transfer ends */
			continue;
		}
		if (now - r->created_ms > (int64_t)cfg->alert_delivery_max_age_seconds * 1000) {
			fail_row(a, r, "expired: older than ALERT_DELIVERY_MAX_AGE_SECONDS");
			continue;
		}
		char *url = dest_resolve(a->db, cfg, &a->conf.reg, r->kind, r->destination);
		if (!url) {
			fail_row(a, r, "destination not configured");
			continue;
		}
		struct pace *p = pace_for(d, url);
		if (mono < p->not_before || in_flight(d, r->destination, url)) {
			d->due_blocked++;
			if (mono < p->not_before && p->not_before < d->next_scan)
				d->next_scan = p->not_before;
			free(url);
			continue;
		}
		/* a burst waiting for this destination goes as one batch */
		if (burst_merge(a, r) > 0) {
			free(url);
			a->outbox_dirty = 1;
			d->next_scan = mono;
			continue;
		}
		char *body = dest_body(cfg, r->kind, r->payload);
		if (!body) {
			free(url);
			fail_row(a, r, "cannot build the request body");
			continue;
		}
		if (outbox_claim(a->db, r->id) < 0) {
			free(url);
			free(body);
			d->next_scan = mono + 1000;
			continue;
		}
		p->not_before = mono + cfg->slack_min_interval_ms;
		if (start_xfer(a, r, url, body) < 0) {
			outbox_mark_retry(a->db, r->id, 0, "cannot start transfer", now + 1000);
			d->next_scan = mono + 1000;
		}
	}
	ob_rows_free(heads, (size_t)n);
}

static int write_mark(sqlite3 *db, const struct mark *m)
{
	if (m->v == OB_SENT)
		return outbox_mark_sent(db, m->id, m->code);
	if (m->v == OB_FAILED)
		return outbox_mark_failed(db, m->id, m->code, m->err);
	return outbox_mark_retry(db, m->id, m->code, m->err, m->next_ms);
}

/* Record an outcome now, or keep it for later if the database refuses. */
static void settle(struct alertd *a, int64_t id, enum ob_verdict v, long code, const char *err,
		   int64_t next_ms)
{
	struct mark m = {.id = id, .v = v, .code = code, .err = (char *)err, .next_ms = next_ms};
	db_busy_short(a); /* this transfer is no longer counted as in flight */
	if (write_mark(a->db, &m) == 0)
		return;
	struct deliver *d = a->dl;
	m.err = xstrdup_or_null(err);
	d->marks = xreallocarray(d->marks, d->nmarks + 1, sizeof *d->marks);
	d->marks[d->nmarks++] = m;
	log_warn("outbox %lld: cannot record the outcome yet (database busy); will retry",
		 (long long)id);
}

/* Write the kept outcomes; 1 when some are still waiting. */
static int settle_pending(struct alertd *a)
{
	struct deliver *d = a->dl;
	size_t keep = 0;
	db_busy_short(a);
	for (size_t i = 0; i < d->nmarks; i++) {
		if (write_mark(a->db, &d->marks[i]) == 0)
			free(d->marks[i].err);
		else
			d->marks[keep++] = d->marks[i];
	}
	d->nmarks = keep;
	return keep > 0;
}

static void finish(struct alertd *a, struct xfer *x, CURLcode res)
{
	const struct cfg_settings *cfg = &a->conf.cfg;
	long code = httpc_status(x->h);
	int64_t now = ts_now_ms(), mono = ts_mono_ms();
	enum ob_verdict v = outbox_classify(res == CURLE_OK, code);
	const char *kv[] = {"destination", x->dest, NULL};
	char err[256];
	if (res != CURLE_OK)
		snprintf(err, sizeof err, "%s", httpc_error(&x->resp, res));
	else
		snprintf(err, sizeof err, "HTTP %ld: %.200s", code,
			 x->resp_body.data ? x->resp_body.data : "");
	int64_t deadline = x->created_ms + (int64_t)cfg->alert_delivery_max_age_seconds * 1000;
	/* Pace from the answer, not the request: then the next POST reaches
	 * the webhook at least the interval after this one did, whatever the
	 * connection set-up times were. */
	struct pace *p = pace_for(a->dl, x->url);
	if (p->not_before < mono + cfg->slack_min_interval_ms)
		p->not_before = mono + cfg->slack_min_interval_ms;
	if (v == OB_SENT) {
		settle(a, x->id, OB_SENT, code, NULL, 0);
		count_attempt(x->dest, "sent");
		double secs = (double)(now - x->event_ms) / 1000.0;
		met_observe(MET_ALERT_DELIVERY_SECONDS, secs < 0 ? 0 : secs, x->dest);
		log_kv(LOG_LVL_DEBUG, kv, "outbox %lld delivered to %s (HTTP %ld, attempt %d)",
		       (long long)x->id, x->dest, code, x->attempts);
		return;
	}
	if (v == OB_FAILED) {
		settle(a, x->id, OB_FAILED, code, err, 0);
		count_attempt(x->dest, "failed");
		log_kv(LOG_LVL_ERROR, kv, "outbox %lld to %s rejected, not retried: %s",
		       (long long)x->id, x->dest, err);
		return;
	}
	int64_t wait = -1;
	if (v == OB_RATE_LIMITED) {
		wait = x->resp.retry_after_ms;
		if (wait < 0)
			wait = outbox_backoff_ms(x->attempts, drand48());
		/* the whole URL is rate limited, not only this row */
		if (p->not_before < mono + wait)
			p->not_before = mono + wait;
	} else {
		wait = outbox_backoff_ms(x->attempts, drand48());
	}
	count_attempt(x->dest, v == OB_RATE_LIMITED ? "rate_limited" : "retry");
	if (now + wait > deadline) {
		char *why = xasprintf("gave up after %d attempts: %s", x->attempts, err);
		settle(a, x->id, OB_FAILED, code, why, 0);
		log_kv(LOG_LVL_ERROR, kv, "outbox %lld to %s failed: %s", (long long)x->id, x->dest,
		       why);
		free(why);
		return;
	}
	settle(a, x->id, OB_RETRY, code, v == OB_RATE_LIMITED ? "rate_limited" : err, now + wait);
	log_kv(LOG_LVL_WARNING, kv, "outbox %lld to %s: %s; retry in %lld ms", (long long)x->id,
	       x->dest, v == OB_RATE_LIMITED ? "HTTP 429" : err, (long long)wait);
}

/* Finish every transfer curl reports done. */
static void reap(struct alertd *a)
{
	struct deliver *d = a->dl;
	int running;
	curl_multi_perform(d->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(d->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *h = msg->easy_handle;
		CURLcode res = msg->data.result; /* msg dies with remove_handle */
		struct xfer *x = NULL;
		curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(d->multi, h);
		for (size_t i = 0; i < d->nx; i++) {
			if (d->x[i] == x) {
				d->x[i] = d->x[--d->nx];
				break;
			}
		}
		if (x) {
			finish(a, x, res);
			xfer_free(x);
		}
		a->outbox_dirty = 1;
	}
}

void deliver_poll(struct alertd *a)
{
	if (a->dl && a->dl->nx)
		reap(a);
}

void deliver_wait(struct alertd *a, int timeout_ms)
{
	struct deliver *d = a->dl;
	int64_t mono = ts_mono_ms();
	if (!a->outbox_dirty && d->next_scan - mono < timeout_ms)
		timeout_ms = d->next_scan > mono ? (int)(d->next_scan - mono) : 0;
	if (a->outbox_dirty && d->nx == 0)
		timeout_ms = 0;
	struct curl_waitfd extra = {.fd = sig_fd(), .events = CURL_WAIT_POLLIN};
	int numfds = 0;
	curl_multi_poll(d->multi, &extra, extra.fd >= 0 ? 1 : 0, timeout_ms, &numfds);
	if (extra.revents)
		sig_wait(0); /* drain the pipe; the flags say what arrived */
	reap(a);
}

int deliver_pending_now(struct alertd *a)
{
	struct deliver *d = a->dl;
	return d->nx > 0 || d->nmarks > 0 || d->due_blocked > 0 || a->outbox_dirty;
}

void deliver_stop(struct alertd *a, int grace_ms)
{
	struct deliver *d = a->dl;
	if (!d)
		return;
	int64_t end = ts_mono_ms() + grace_ms;
	while (d->nx > 0 && ts_mono_ms() < end) {
		int64_t left = end - ts_mono_ms();
		curl_multi_poll(d->multi, NULL, 0, left > 50 ? 50 : (int)left, NULL);
		reap(a);
	}
	if (d->nx)
		log_warn(
		    "stopping with %zu deliveries in flight; they stay 'sending' and are retried"
		    " at the next start",
		    d->nx);
	for (size_t i = 0; i < d->nx; i++) {
		curl_multi_remove_handle(d->multi, d->x[i]->h);
		xfer_free(d->x[i]);
	}
	d->nx = 0;
	if (d->nmarks && settle_pending(a))
		log_warn("stopping with %zu outcomes unrecorded (database busy); those rows stay"
			 " 'sending' and are posted again at the next start",
			 d->nmarks);
}
