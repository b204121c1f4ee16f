/*
 * fetch: every vendor GET, on one libcurl multi handle that lives as long as
 * the process, so connections stay alive from one cycle to the next.
 *
 * pollerd does its own admission instead of handing curl 10,000 easy handles
 * at once: each easy handle costs tens of kilobytes, and curl's own per-host
 * queue cannot consult a circuit breaker. Requests wait in a FIFO per host;
 * a round-robin over the hosts with work starts transfers while the host has
 * fewer than max_host_conns in flight and the engine fewer than max_active.
 * So memory is bounded by max_active, one slow vendor cannot starve the
 * others, and a host whose breaker is open fails its whole queue at once.
 *
 * Each request is one "operation": up to max_attempts attempts with backoff
 * (retry.c) inside a time budget, waiting on a timer list rather than holding
 * a slot. The operation's end is reported to the host's breaker (breaker.c).
 * Bodies are capped (buf limit + CURLOPT_MAXFILESIZE): an oversized one
 * aborts the transfer and fails as "too_large". Conditional requests carry
 * the validators the caller supplies; a 304 to them is a result of its own.
 *
 * Redirects are followed, but not from a public address into the private
 * network: a vendor page (or whoever took over its DNS) answering with a
 * redirect to http://127.0.0.1/... or 169.254.169.254 would otherwise have
 * pollerd fetch an internal URL and commit what it says. Each request the
 * transfer makes is checked once its connection is up (CURLOPT_PREREQFUNCTION,
 * so reused connections are checked too); a service configured with an
 * internal URL is internal from the start and may go anywhere.
 *
 * Single-threaded: the caller drives everything with fetch_step(), which
 * never blocks longer than asked and returns early when wake_fd (the signal
 * pipe) becomes readable, so SIGTERM stops a cycle mid-transfer.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "pollerd.h"
#include "xalloc.h"

/* A pooled easy handle and what belongs to its current transfer. */
struct fetch_xfer {
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct fetch_req *req; /* NULL when idle */
	struct fetch_xfer *next_free;
};

struct fetch_host {
	char *name;
	struct breaker brk;
	int unreachable; /* its last attempt failed on DNS or connect */
	int active;
	struct fetch_req *qhead, *qtail;
	int in_ring;
};

struct fetcher {
	struct fetch_cfg cfg;
	char *user_agent;
	CURLM *multi;
	int wake_fd;
	struct hmap hosts;
	/* hosts with queued requests, visited round-robin */
	struct fetch_host **ring;
	size_t nring, capring, rr;
	/* every easy handle ever made; idle ones are also on free_xfers */
	struct fetch_xfer **xfers;
	size_t nxfers;
	struct fetch_xfer *free_xfers;
	int active;
	/* operations waiting for their next attempt */
	struct fetch_req **waiting;
	size_t nwaiting, capwaiting;
	struct fetch_req *done_head, *done_tail;
	size_t unfinished;
	uint64_t rng;
};

static const char *const BRK_HELP = "Per-host circuit breaker: 0 closed, 1 open, 2 half-open.";

void fetch_req_init(struct fetch_req *r, const char *url)
{
	memset(r, 0, sizeof *r);
	r->url = xstrdup(url);
	r->retry_after_ms = -1;
}

void fetch_req_clear(struct fetch_req *r)
{
	free(r->url);
	free(r->if_none_match);
	free(r->if_modified_since);
	buf_free(&r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->reason);
	memset(r, 0, sizeof *r);
}

char *fetch_url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	char *out;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host) {
		/* An explicit port is another server: host:port is the key. */
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
			out = xasprintf("%s:%s", host, port);
		else
			out = xstrdup(host);
		for (char *c = out; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	} else {
		out = xstrdup(url);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* xorshift64*: jitter needs no quality beyond "not in lockstep". */
static double rand01(struct fetcher *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return (double)((f->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void gauge_breaker(const struct fetch_host *h)
{
	char *l = met_labels("host", h->name, (char *)NULL);
	met_gauge_set("circuit_breaker_state", l, BRK_HELP, (double)h->brk.state);
	free(l);
}

/* The host record, created (closed breaker) on first use; owned by f->hosts. */
static struct fetch_host *host_get(struct fetcher *f, const char *name)
{
	struct fetch_host *h = hmap_get(&f->hosts, name);
	if (!h) {
		h = xcalloc(1, sizeof *h);
		h->name = xstrdup(name);
		hmap_put(&f->hosts, name, h);
		gauge_breaker(h);
	}
	return h;
}

static void host_free(void *v)
{
	struct fetch_host *h = v;
	free(h->name);
	free(h);
}

struct breaker *fetch_breaker(struct fetcher *f, const char *host)
{
	return &host_get(f, host)->brk;
}

static void apply_multi_cfg(struct fetcher *f)
{
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->cfg.max_host_conns);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->cfg.max_active);
	/* Idle connections kept for reuse: one per active slot is plenty. */
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)f->cfg.max_active);
}

void fetch_set_cfg(struct fetcher *f, const struct fetch_cfg *cfg)
{
	free(f->user_agent);
	f->cfg = *cfg;
	if (f->cfg.max_active < 1)
		f->cfg.max_active = 1;
	if (f->cfg.max_host_conns < 1)
		f->cfg.max_host_conns = 1;
	f->user_agent = xstrdup(cfg->user_agent ? cfg->user_agent : "itstatus");
	f->cfg.user_agent = f->user_agent;
	apply_multi_cfg(f);
}

struct fetcher *fetch_new(const struct fetch_cfg *cfg, int wake_fd)
{
	struct fetcher *f = xcalloc(1, sizeof *f);
	f->multi = curl_multi_init();
	if (!f->multi) {
		free(f);
		log_error("curl_multi_init failed");
		return NULL;
	}
	f->wake_fd = wake_fd;
	f->rng = (uint64_t)ts_mono_ms() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
	if (!f->rng)
		f->rng = 1;
	hmap_init(&f->hosts);
	fetch_set_cfg(f, cfg);
	return f;
}

/* ---- queues ----------------------------------------------------------------- */

static void ring_add(struct fetcher *f, struct fetch_host *h)
{
	if (h->in_ring)
		return;
	if (f->nring == f->capring) {
		f->capring = f->capring ? f->capring * 2 : 64;
		f->ring = xreallocarray(f->ring, f->capring, sizeof *f->ring);
	}
	f->ring[f->nring++] = h;
	h->in_ring = 1;
}

static void push_back(struct fetcher *f, struct fetch_host *h, struct fetch_req *r)
{
	r->next = NULL;
	if (h->qtail)
		h->qtail->next = r;
	else
		h->qhead = r;
	h->qtail = r;
	ring_add(f, h);
}

/* Retries go first: they have waited already. */
static void push_front(struct fetcher *f, struct fetch_host *h, struct fetch_req *r)
{
	r->next = h->qhead;
	h->qhead = r;
	if (!h->qtail)
		h->qtail = r;
	ring_add(f, h);
}

static struct fetch_req *pop(struct fetch_host *h)
{
	struct fetch_req *r = h->qhead;
	if (r) {
		h->qhead = r->next;
		if (!h->qhead)
			h->qtail = NULL;
		r->next = NULL;
	}
	return r;
}

static void to_done(struct fetcher *f, struct fetch_req *r)
{
	r->next = NULL;
	if (f->done_tail)
		f->done_tail->next = r;
	else
		f->done_head = r;
	f->done_tail = r;
	f->unfinished--;
}

struct fetch_req *fetch_next_done(struct fetcher *f)
{
	struct fetch_req *r = f->done_head;
	if (r) {
		f->done_head = r->next;
		if (!f->done_head)
			f->done_tail = NULL;
		r->next = NULL;
	}
	return r;
}

void fetch_submit(struct fetcher *f, struct fetch_req *r)
{
	char *hn = fetch_url_host(r->url);
	r->host = host_get(f, hn);
	free(hn);
	r->outcome = FETCH_PENDING;
	r->attempts = 0;
	buf_free(&r->body);
	buf_init(&r->body, f->cfg.max_body);
	f->unfinished++;
	push_back(f, r->host, r);
}

/* ---- one attempt -------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct fetch_req *r = ud;
	size_t len = size * n;
	if (buf_append(&r->body, p, len) < 0) {
		/* Returning short aborts the transfer: the cap is a hard one. */
		r->too_large = 1;
		return 0;
	}
	return len;
}

/* A header value without surrounding blanks and CRLF. Caller frees. */
static char *header_value(const char *p, size_t len)
{
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' ' ||
		       p[len - 1] == '\t'))
		len--;
	return xstrndup(p, len);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct fetch_req *r = ud;
	size_t len = size * n;
	/* A status line starts a new response (after a redirect or a 100):
	 * only the final response's validators count. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		free(r->etag);
		free(r->last_modified);
		free(r->content_type);
		r->etag = r->last_modified = r->content_type = NULL;
		r->retry_after_ms = -1;
		return len;
	}
	static const struct {
		const char *name;
		size_t len;
	} names[] = {
	    {"etag:", 5}, {"last-modified:", 14}, {"content-type:", 13}, {"retry-after:", 12}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (len < names[i].len || strncasecmp(p, names[i].name, names[i].len) != 0)
			continue;
		char *v = header_value(p + names[i].len, len - names[i].len);
		switch (i) {
		case 0:
			free(r->etag);
			r->etag = v;
			break;
		case 1:
			free(r->last_modified);
			r->last_modified = v;
			break;
		case 2:
			free(r->content_type);
			r->content_type = v;
			break;
		default:
			r->retry_after_ms = ts_retry_after_ms(v, ts_now_ms());
			free(v);
			break;
		}
		break;
	}
	return len;
}

/* An idle pooled easy handle (or a new one, owned by f->xfers); NULL if curl
 * cannot make one. Give it back with xfer_put. */
static struct fetch_xfer *xfer_get(struct fetcher *f)
{
	struct fetch_xfer *x = f->free_xfers;
	if (x) {
		f->free_xfers = x->next_free;
		curl_easy_reset(x->easy);
		return x;
	}
	x = xcalloc(1, sizeof *x);
	x->easy = curl_easy_init();
	if (!x->easy) {
		free(x);
		return NULL;
	}
	f->xfers = xreallocarray(f->xfers, f->nxfers + 1, sizeof *f->xfers);
	f->xfers[f->nxfers++] = x;
	return x;
}

static void xfer_put(struct fetcher *f, struct fetch_xfer *x)
{
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->req = NULL;
	x->next_free = f->free_xfers;
	f->free_xfers = x;
}

static void fail_now(struct fetcher *f, struct fetch_req *r, const char *reason,
		     enum vc_failure_kind kind);

int fetch_addr_internal(const char *ip)
{
	unsigned char a[16];
	if (!ip)
		return 0;
	if (inet_pton(AF_INET, ip, a) == 1) {
		return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
		       (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64);
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return 0;
	static const unsigned char zero[16];
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	if (!memcmp(a, v4mapped, 12)) {
		char v4[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, a + 12, v4, sizeof v4);
		return fetch_addr_internal(v4);
	}
	return !memcmp(a, zero, 15) ||			  /* :: and ::1 */
	       (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) || /* fe80::/10 link-local */
	       (a[0] & 0xFE) == 0xFC;			  /* fc00::/7 unique local */
}

/* Before each request of a transfer (the first and every redirect). */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	struct fetch_req *r = clientp;
	int internal = r->addr_internal(primary_ip);
	if (r->origin_internal < 0) {
		r->origin_internal = internal;
		return CURL_PREREQFUNC_OK;
	}
	if (!r->origin_internal && internal) {
		snprintf(r->refused_ip, sizeof r->refused_ip, "%s", primary_ip ? primary_ip : "?");
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static void start(struct fetcher *f, struct fetch_req *r, int probe)
{
	struct fetch_xfer *x = xfer_get(f);
	if (!x) {
		fail_now(f, r, "request_error: cannot create a transfer", VC_FAIL_REQUEST_ERROR);
		return;
	}
	CURL *e = x->easy;
	x->req = r;
	r->xfer = x;
	r->was_probe = probe;
	r->too_large = 0;
	r->retry_after_ms = -1;
	buf_reset(&r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	r->etag = r->last_modified = r->content_type = NULL;
	x->errbuf[0] = '\0';

	x->hdrs =
	    curl_slist_append(NULL, "Accept: application/json, application/xml;q=0.9, */*;q=0.8");
	r->conditional = 0;
	if (r->if_none_match) {
		char *h = xasprintf("If-None-Match: %s", r->if_none_match);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
		r->conditional = 1;
	}
	if (r->if_modified_since) {
		char *h = xasprintf("If-Modified-Since: %s", r->if_modified_since);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
		r->conditional = 1;
	}
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	/* A vendor redirect must not lead pollerd to file:// or gopher://. */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	r->origin_internal = -1;
	r->refused_ip[0] = '\0';
	r->addr_internal = f->cfg.addr_internal ? f->cfg.addr_internal : fetch_addr_internal;
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, r);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->cfg.max_body);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* Aborting a transfer still resolving a name would otherwise wait for
	 * the resolver thread: SIGTERM must stop us within a second. */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	if (r->attempts == 0)
		r->first_start_mono = ts_mono_ms();
	r->attempts++;
	r->host->active++;
	f->active++;
	CURLMcode mc = curl_multi_add_handle(f->multi, e);
	if (mc != CURLM_OK) {
		r->host->active--;
		f->active--;
		r->xfer = NULL;
		xfer_put(f, x);
		char *why = xasprintf("request_error: %s", curl_multi_strerror(mc));
		fail_now(f, r, why, VC_FAIL_REQUEST_ERROR);
		free(why);
	}
}

/* ---- results ------------------------------------------------------------------ */

static void set_reason(struct fetch_req *r, char *reason, enum vc_failure_kind kind)
{
	free(r->reason);
	r->reason = reason;
	r->fail_kind = kind;
}

/* Reason and failure kind of a failed attempt (kept for the final report). */
static void describe(struct fetch_req *r, enum att_class c, int curl_code, const char *errbuf)
{
	switch (c) {
	case ATT_HTTP_TRANSIENT:
		set_reason(r, xasprintf("transient_http_%ld", r->http_code),
			   retry_http_kind(r->http_code));
		break;
	case ATT_HTTP:
		set_reason(r, xasprintf("http_%ld", r->http_code), retry_http_kind(r->http_code));
		break;
	case ATT_TIMEOUT:
		set_reason(r, xstrdup("timeout"), VC_FAIL_TIMEOUT);
		break;
	case ATT_TOO_LARGE:
		set_reason(r, xstrdup("too_large"), VC_FAIL_TOO_LARGE);
		break;
	case ATT_TRANSPORT:
	case ATT_REQUEST:
		set_reason(
		    r,
		    xasprintf("request_error: %s",
			      errbuf && *errbuf ? errbuf : curl_easy_strerror((CURLcode)curl_code)),
		    VC_FAIL_REQUEST_ERROR);
		break;
	default:
		set_reason(r, NULL, VC_FAIL_OTHER);
		break;
	}
}

static enum brk_result brk_vote(const struct fetch_req *r)
{
	switch (r->last_class) {
	case ATT_OK:
	case ATT_NOT_MODIFIED:
	case ATT_TOO_LARGE:
		return BRK_SUCCESS;
	case ATT_HTTP:
		return r->any_code ? BRK_SUCCESS : BRK_NEUTRAL;
	case ATT_HTTP_TRANSIENT:
		if (r->http_code == 408)
			return BRK_NEUTRAL;
		/* For an http_check a 5xx is the reading itself: the host answered. */
		if (r->any_code && r->http_code != 429)
			return BRK_SUCCESS;
		return BRK_FAILURE;
	case ATT_TIMEOUT:
	case ATT_TRANSPORT:
		return BRK_FAILURE;
	case ATT_REQUEST:
		return BRK_NEUTRAL;
	}
	return BRK_NEUTRAL;
}

/* Mirror a state change into the gauge and the log. */
static void breaker_moved(const struct fetch_host *h, enum brk_state before)
{
	gauge_breaker(h);
	const char *kv[] = {
	    "host", h->name, "from", brk_state_str(before), "to", brk_state_str(h->brk.state),
	    NULL};
	log_kv(h->brk.state == BRK_OPEN ? LOG_LVL_WARNING : LOG_LVL_INFO, kv,
	       "circuit breaker %s for host %s", brk_state_str(h->brk.state), h->name);
}

static void record_breaker(struct fetcher *f, struct fetch_req *r)
{
	struct fetch_host *h = r->host;
	enum brk_state before = h->brk.state;
	if (brk_record(&h->brk, brk_vote(r), r->was_probe, ts_mono_ms(), f->cfg.breaker_threshold))
		breaker_moved(h, before);
	r->was_probe = 0;
}

/* Set the outcome from the last attempt and hand the request back. */
static void complete(struct fetcher *f, struct fetch_req *r)
{
	r->duration_ms = ts_mono_ms() - r->first_start_mono;
	switch (r->last_class) {
	case ATT_OK:
		r->outcome = FETCH_BODY;
		break;
	case ATT_NOT_MODIFIED:
		r->outcome = FETCH_NOT_MODIFIED;
		break;
	case ATT_HTTP:
	case ATT_HTTP_TRANSIENT:
		r->outcome = r->any_code ? FETCH_BODY : FETCH_FAILED;
		break;
	default:
		r->outcome = FETCH_FAILED;
		break;
	}
	if (r->outcome != FETCH_FAILED) {
		set_reason(r, NULL, VC_FAIL_OTHER);
		r->unreachable = 0;
	}
	to_done(f, r);
}

/* The operation is over: report to the breaker, then complete. */
static void finalize(struct fetcher *f, struct fetch_req *r)
{
	record_breaker(f, r);
	complete(f, r);
}

/* Fail before (or instead of) any network I/O. */
static void fail_now(struct fetcher *f, struct fetch_req *r, const char *reason,
		     enum vc_failure_kind kind)
{
	set_reason(r, xstrdup(reason), kind);
	r->outcome = FETCH_FAILED;
	r->duration_ms = r->attempts ? ts_mono_ms() - r->first_start_mono : 0;
	to_done(f, r);
}

static void add_waiting(struct fetcher *f, struct fetch_req *r)
{
	if (f->nwaiting == f->capwaiting) {
		f->capwaiting = f->capwaiting ? f->capwaiting * 2 : 32;
		f->waiting = xreallocarray(f->waiting, f->capwaiting, sizeof *f->waiting);
	}
	f->waiting[f->nwaiting++] = r;
}

static void attempt_done(struct fetcher *f, struct fetch_xfer *x, CURLcode rc)
{
	struct fetch_req *r = x->req;
	long code = 0;
	curl_off_t total_us = 0, dl = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	r->http_code = code;
	r->latency_ms = (int64_t)(total_us / 1000);
	r->bytes += (int64_t)dl;
	enum att_class c = retry_classify((int)rc, code, r->too_large, r->conditional);
	if (rc == CURLE_ABORTED_BY_CALLBACK && r->refused_ip[0])
		c = ATT_REQUEST; /* the same redirect next time: no retry */
	r->last_class = c;
	r->unreachable = rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
			 rc == CURLE_COULDNT_CONNECT;
	r->host->unreachable = r->unreachable;
	describe(r, c, (int)rc, x->errbuf);
	if (rc == CURLE_ABORTED_BY_CALLBACK && r->refused_ip[0])
		set_reason(r,
			   xasprintf("request_error: redirect from a public address to %s refused",
				     r->refused_ip),
			   VC_FAIL_REQUEST_ERROR);
	curl_multi_remove_handle(f->multi, x->easy);
	r->xfer = NULL;
	xfer_put(f, x);
	r->host->active--;
	f->active--;

	int64_t now = ts_mono_ms();
	int64_t delay =
	    retry_next_delay(c, r->attempts, f->cfg.max_attempts, now - r->first_start_mono,
			     f->cfg.retry_budget_ms, r->retry_after_ms, rand01(f));
	if (delay >= 0 && r->was_probe) {
		/* A probe's failed attempt settles the half-open question now:
		 * waiting out the backoff would hold the host's whole queue. */
		record_breaker(f, r);
		if (r->host->brk.state == BRK_OPEN) {
			complete(f, r);
			return;
		}
	}
	if (delay >= 0) {
		r->due_mono = now + delay;
		add_waiting(f, r);
		return;
	}
	finalize(f, r);
}

/* ---- the pump ----------------------------------------------------------------- */

static void pump(struct fetcher *f)
{
	int64_t now = ts_mono_ms();
	for (size_t i = 0; i < f->nwaiting;) {
		struct fetch_req *r = f->waiting[i];
		if (r->due_mono <= now) {
			f->waiting[i] = f->waiting[--f->nwaiting];
			push_front(f, r->host, r);
		} else {
			i++;
		}
	}
	size_t visited = 0;
	while (f->active < f->cfg.max_active && f->nring && visited < f->nring) {
		size_t idx = f->rr % f->nring;
		struct fetch_host *h = f->ring[idx];
		while (h->qhead && h->active < f->cfg.max_host_conns &&
		       f->active < f->cfg.max_active) {
			enum brk_state before = h->brk.state;
			enum brk_verdict v = brk_check(&h->brk, now, f->cfg.breaker_ttl_ms);
			if (h->brk.state != before)
				breaker_moved(h, before);
			if (v == BRK_HOLD)
				break;
			if (v == BRK_DENY) {
				char *why = xasprintf(
				    "circuit_breaker_open: Circuit breaker open for host '%s'",
				    h->name);
				for (struct fetch_req *r; (r = pop(h));) {
					if (r->attempts) {
						/* A retry the breaker stopped: report what its
						 * last attempt saw; the operation failed. */
						finalize(f, r);
					} else {
						r->unreachable = h->unreachable;
						fail_now(f, r, why, VC_FAIL_CIRCUIT_OPEN);
					}
				}
				free(why);
				break;
			}
			start(f, pop(h), v == BRK_PROBE);
		}
		if (!h->qhead) {
			h->in_ring = 0;
			f->ring[idx] = f->ring[--f->nring];
		} else {
			f->rr++;
			visited++;
		}
	}
}

static void drain(struct fetcher *f)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(f->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct fetch_xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x && x->req)
			attempt_done(f, x, m->data.result);
	}
}

static int64_t next_wait(const struct fetcher *f, int64_t now, int wait_ms)
{
	int64_t w = wait_ms;
	for (size_t i = 0; i < f->nwaiting; i++) {
		int64_t d = f->waiting[i]->due_mono - now;
		if (d < w)
			w = d;
	}
	return w < 0 ? 0 : w;
}

size_t fetch_step(struct fetcher *f, int wait_ms)
{
	int running = 0;
	pump(f);
	if (f->done_head)
		wait_ms = 0;
	if (f->active == 0) {
		if (f->unfinished == 0)
			return 0;
		/* Only timers: sleep until the first is due (or a wake-up). */
		int64_t w = next_wait(f, ts_mono_ms(), wait_ms);
		if (w > 0) {
			struct pollfd p = {.fd = f->wake_fd, .events = POLLIN};
			poll(&p, f->wake_fd >= 0 ? 1 : 0, (int)w);
		}
		pump(f);
		return f->unfinished;
	}
	curl_multi_perform(f->multi, &running);
	drain(f);
	pump(f);
	if (!f->done_head && f->active) {
		struct curl_waitfd extra = {.fd = f->wake_fd, .events = CURL_WAIT_POLLIN};
		int64_t w = next_wait(f, ts_mono_ms(), wait_ms);
		curl_multi_poll(f->multi, f->wake_fd >= 0 ? &extra : NULL, f->wake_fd >= 0 ? 1 : 0,
				(int)w, NULL);
		curl_multi_perform(f->multi, &running);
		drain(f);
		pump(f);
	}
	return f->unfinished;
}

void fetch_abort(struct fetcher *f)
{
	for (size_t i = 0; i < f->nxfers; i++) {
		struct fetch_xfer *x = f->xfers[i];
		struct fetch_req *r = x->req;
		if (!r)
			continue;
		curl_multi_remove_handle(f->multi, x->easy);
		r->xfer = NULL;
		r->host->active--;
		f->active--;
		xfer_put(f, x);
		r->outcome = FETCH_ABORTED;
		to_done(f, r);
	}
	for (size_t i = 0; i < f->nwaiting; i++) {
		f->waiting[i]->outcome = FETCH_ABORTED;
		to_done(f, f->waiting[i]);
	}
	f->nwaiting = 0;
	for (size_t i = 0; i < f->nring; i++) {
		struct fetch_host *h = f->ring[i];
		for (struct fetch_req *r; (r = pop(h));) {
			r->outcome = FETCH_ABORTED;
			to_done(f, r);
		}
		h->in_ring = 0;
	}
	f->nring = 0;
	/* An aborted probe gave no verdict: the next request probes again. */
	for (size_t i = 0; i < f->hosts.cap; i++) {
		struct fetch_host *h = f->hosts.v[i].key ? f->hosts.v[i].val : NULL;
		if (h)
			h->brk.probing = 0;
	}
}

void fetch_free(struct fetcher *f)
{
	if (!f)
		return;
	fetch_abort(f);
	for (size_t i = 0; i < f->nxfers; i++) {
		curl_easy_cleanup(f->xfers[i]->easy);
		curl_slist_free_all(f->xfers[i]->hdrs);
		free(f->xfers[i]);
	}
	free(f->xfers);
	curl_multi_cleanup(f->multi);
	hmap_free(&f->hosts, host_free);
	free(f->ring);
	free(f->waiting);
	free(f->user_agent);
	free(f);
}
