/*
 * cycle: the poll cycle. A cycle takes every service that is due (each has
 * its own poll_interval_seconds, default the global one), groups them by URL
 * so each distinct URL costs one GET however many services read it, hands
 * the GETs to fetch.c all at once, and as each GET finishes parses the body
 * once per service (each with its own component / product options) and
 * queues the readings for the database (queue.c). Results are applied as
 * they arrive, so one slow vendor does not delay everyone else's changes to
 * the end of the cycle, and cycles overlap: while one service still waits on
 * a slow page, the others start their next cycle when they are due. A
 * service is never fetched twice at once -- a slow or timing-out page delays
 * only itself (doc/faults.md#slow). Each cycle (the services due at one
 * moment) is logged and counted when its last fetch is over.
 *
 * Conditional requests: the validators (ETag, Last-Modified) of each URL and
 * the last good reading of each service are remembered; a URL is asked
 * conditionally only when every service reading it has such a reading, so a
 * 304 always has something to reuse. A 304 costs no parse and counts as a
 * successful, unchanged reading. URLs of a format that judges every answer
 * (FMT_ANY_HTTP_CODE: http_check) are never conditional: the check is the
 * answer itself.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "pollerd.h"
#include "sig.h"
#include "xalloc.h"

/* Transfers in flight over all hosts: bounds memory (each costs an easy
 * handle and a body buffer) while keeping 10,000 pages inside a cycle. */
#define FETCH_MAX_ACTIVE 256
/* Services due within this much of the cycle start ride along. */
#define DUE_SLACK_MS 250
/* Nothing can be due while every service is in flight: look again then. */
#define POLL_IDLE_MS 1000

static const double poll_buckets[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30};

/* What pollerd remembers about a service between cycles. */
struct svc_mem {
	int64_t next_due; /* monotonic ms; 0 = now */
	int in_flight;	  /* its fetch is running: not due again until it ends */
	int has_reading;
	struct fmt_reading last; /* last good reading, for 304s */
	int vendor_maint;	 /* the vendor's own maintenance flag, last seen */
};

struct url_mem {
	char *etag, *last_modified;
	/* The last body, kept only for clock-dependent formats (see below). */
	char *body, *content_type;
	size_t len;
	long http_code;
};

/*
 * For formats whose reading depends on the clock (fmt_clock_dependent) a 304
 * means "same body", not "same reading", so the body is kept and parsed
 * again. Bodies over KEEP_BODY_MAX are not kept and such URLs are simply
 * fetched whole.
 */
#define KEEP_BODY_MAX (256 * 1024)

/* One cycle: the services that were due at one moment. It ends (logged,
 * counted, last_cycle_at) when the last of its fetches is over. */
struct batch {
	struct batch *next;
	char id[13];
	int64_t start_mono;
	size_t ngroups, pending; /* distinct URLs; those not finished yet */
	size_t polled, nok, nfail, changes, not_modified;
	int64_t bytes;
	int errored;
	size_t nunreachable; /* URLs of this cycle that failed on DNS or connect */
};

/* One distinct URL of a cycle, in flight. Allocated alone: the fetch
 * engine holds a pointer to req while cycles come and go around it. */
struct group {
	struct fetch_req req;
	const struct reg_service **svcs;
	size_t n;
	int has_any_code; /* a service's format judges every answer (http_check) */
	struct batch *b;
	size_t slot; /* index in cycle_state.inflight */
};

struct cycle_state {
	struct fetcher *fetch;
	struct hmap svcs; /* id -> svc_mem */
	struct hmap urls; /* url -> url_mem */
	struct group **inflight;
	size_t ninflight, capflight;
	struct batch *batches; /* running cycles, newest first */
	int first_done;	       /* the first complete cycle is behind us */
	int64_t empty_due;     /* no pollable service: when the next empty cycle is due */
};

static void svc_mem_free(void *v)
{
	struct svc_mem *m = v;
	fmt_reading_free(&m->last);
	free(m);
}

static void url_mem_free(void *v)
{
	struct url_mem *u = v;
	free(u->etag);
	free(u->last_modified);
	free(u->body);
	free(u->content_type);
	free(u);
}

/* The memory of a service, created on first use; owned by cs->svcs. */
static struct svc_mem *mem_get(struct cycle_state *cs, const char *id)
{
	struct svc_mem *m = hmap_get(&cs->svcs, id);
	if (!m) {
		m = xcalloc(1, sizeof *m);
		fmt_reading_init(&m->last);
		hmap_put(&cs->svcs, id, m);
	}
	return m;
}

void cycle_fetch_cfg(const struct cfg_settings *c, struct fetch_cfg *out)
{
	memset(out, 0, sizeof *out);
	out->connect_timeout_ms = c->http_connect_timeout_seconds * 1000L;
	out->timeout_ms = c->http_timeout_seconds * 1000L;
	out->max_body = (size_t)c->http_max_body_bytes;
	out->max_host_conns = c->http_max_host_connections;
	out->max_active = FETCH_MAX_ACTIVE;
	out->max_attempts = c->http_retry_attempts;
	out->retry_budget_ms = RETRY_BUDGET_MS;
	out->breaker_threshold = c->breaker_threshold;
	out->breaker_ttl_ms = (int64_t)(c->breaker_ttl_seconds * 1000.0);
	out->user_agent = "itstatus/" ITSTATUS_VERSION;
}

void cycle_store_cfg(const struct cfg_settings *c, struct store_cfg *out)
{
	out->flap.confirm = c->alert_confirm_threshold_polls;
	out->flap.recovery = c->alert_recovery_threshold_polls;
	out->flap.dwell_ms = c->alert_min_state_duration_seconds * 1000LL;
	out->failure_threshold = c->poller_failure_threshold;
	out->sso_broker_id = c->sso_broker_service_id;
}

void cycle_fmt_opts(const struct pollerd *p, const struct reg_service *s, int64_t now_ms,
		    struct fmt_opts *o)
{
	memset(o, 0, sizeof *o);
	o->component_name = s->component_name;
	o->component_id = s->component_id;
	o->products = (const char *const *)s->products;
	o->nproducts = s->nproducts;
	o->rss_active_hours = p->conf.cfg.rss_active_hours;
	o->expect_codes = s->expect_codes;
	o->nexpect_codes = s->nexpect_codes;
	o->keyword = s->keyword;
	o->latency_threshold_ms = s->latency_threshold_ms;
	o->now_ms = now_ms;
}

/*
 * What a restart must not forget: the gauges (so /metrics is whole at once)
 * and the vendor's own maintenance flag -- a service in maintenance without
 * an active window got the flag from its vendor, and the maintenance sweep
 * must not clear it before the next reading says so.
 */
static void seed_from_db(struct pollerd *p)
{
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	sqlite3_stmt *st = db_prepare(
	    p->db, "SELECT id, current_status, poller_health, in_maintenance FROM services"
		   " WHERE retired_at IS NULL");
	if (!st)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (sqlite3_column_int(st, 3) && maint_window_active(p->db, id, now) == 0)
			mem_get(p->cs, id)->vendor_maint = 1;
		enum st_status s;
		enum st_health h;
		if (st_status_parse((const char *)sqlite3_column_text(st, 1), &s) < 0)
			s = ST_UNKNOWN;
		if (st_health_parse((const char *)sqlite3_column_text(st, 2), &h) < 0)
			h = ST_HEALTHY;
		char *l =
		    met_labels("service", (const char *)sqlite3_column_text(st, 0), (char *)NULL);
		met_gauge_set("service_status", l,
			      "Committed status: 0 operational, 1 degraded, 2 partial_outage, "
			      "3 major_outage, 4 unknown.",
			      s == ST_UNKNOWN ? 4 : (double)s);
		met_gauge_set("poller_health_state", l,
			      "Poller health: 0 healthy, 1 degraded, 2 broken.", (double)h);
		free(l);
	}
	sqlite3_finalize(st);
}

int cycle_init(struct pollerd *p)
{
	struct cycle_state *cs = xcalloc(1, sizeof *cs);
	struct fetch_cfg fc;
	cycle_fetch_cfg(&p->conf.cfg, &fc);
	cs->fetch = fetch_new(&fc, sig_fd());
	if (!cs->fetch) {
		free(cs);
		return -1;
	}
	cycle_store_cfg(&p->conf.cfg, &p->scfg);
	hmap_init(&cs->svcs);
	hmap_init(&cs->urls);
	p->cs = cs;
	seed_from_db(p);
	return 0;
}

/* Take a finished (or aborted) group out of flight and free it; its
 * services may be due again. */
static void group_done(struct cycle_state *cs, struct group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct svc_mem *m = hmap_get(&cs->svcs, g->svcs[i]->id);
		if (m)
			m->in_flight = 0;
	}
	cs->inflight[g->slot] = cs->inflight[--cs->ninflight];
	cs->inflight[g->slot]->slot = g->slot;
	g->b->pending--;
	fetch_req_clear(&g->req);
	free(g->svcs);
	free(g);
}

void cycle_fini(struct pollerd *p)
{
	struct cycle_state *cs = p->cs;
	if (!cs)
		return;
	cycle_abort(p);
	free(cs->inflight);
	fetch_free(cs->fetch);
	hmap_free(&cs->svcs, svc_mem_free);
	hmap_free(&cs->urls, url_mem_free);
	free(cs);
	p->cs = NULL;
}

void cycle_reconfigure(struct pollerd *p)
{
	struct fetch_cfg fc;
	cycle_fetch_cfg(&p->conf.cfg, &fc);
	fetch_set_cfg(p->cs->fetch, &fc);
	cycle_store_cfg(&p->conf.cfg, &p->scfg);
	/* A new interval takes effect from the next cycle: re-plan everyone.
	 * A remembered reading was parsed with the old component / product
	 * options, so a 304 must not bring it back: forget them. */
	for (size_t i = 0; i < p->cs->svcs.cap; i++) {
		struct svc_mem *m = p->cs->svcs.v[i].key ? p->cs->svcs.v[i].val : NULL;
		if (m) {
			m->next_due = 0;
			fmt_reading_free(&m->last);
			m->has_reading = 0;
		}
	}
	p->cs->empty_due = 0;
}

int cycle_running(const struct pollerd *p)
{
	return p->cs && p->cs->ninflight > 0;
}

/* A service is polled when its format has a parser (not manual) and it has a URL. */
static int pollable(const struct reg_service *s)
{
	return fmt_lookup(s->poll_type) && s->poll_url && *s->poll_url;
}

/* The format wants every HTTP answer, not only 2xx (http_check). */
static int any_code(const struct reg_service *s)
{
	const struct fmt_entry *e = fmt_find(s->poll_type);
	return e && (e->flags & FMT_ANY_HTTP_CODE);
}

int64_t cycle_next_due(struct pollerd *p, int64_t now_mono)
{
	int64_t best = p->cs->empty_due > now_mono ? p->cs->empty_due : now_mono;
	int any = 0;
	for (size_t i = 0; i < p->conf.reg.nservices; i++) {
		const struct reg_service *s = &p->conf.reg.services[i];
		if (!pollable(s))
			continue;
		struct svc_mem *m = hmap_get(&p->cs->svcs, s->id);
		if (m && m->in_flight)
			continue; /* due again once its fetch is over */
		int64_t due = m ? m->next_due : 0;
		if (due <= now_mono)
			return now_mono;
		if (!any || due < best)
			best = due;
		any = 1;
	}
	if (!any && p->cs->ninflight)
		return now_mono + POLL_IDLE_MS; /* all in flight: their ends wake us */
	return best;
}

int cycle_vendor_maint(struct pollerd *p, const char *service_id)
{
	struct svc_mem *m = hmap_get(&p->cs->svcs, service_id);
	return m ? m->vendor_maint : 0;
}

void cycle_set_vendor_maint(struct pollerd *p, const char *service_id, int flag)
{
	mem_get(p->cs, service_id)->vendor_maint = flag ? 1 : 0;
}

size_t cycle_begin(struct pollerd *p, int all)
{
	struct cycle_state *cs = p->cs;
	int64_t now = ts_mono_ms();
	struct hmap byurl; /* url -> group of this cycle */
	hmap_init(&byurl);
	struct group **news = NULL;
	size_t nnew = 0, polled = 0;
	struct batch *b = NULL;
	for (size_t i = 0; i < p->conf.reg.nservices; i++) {
		const struct reg_service *s = &p->conf.reg.services[i];
		if (!pollable(s))
			continue;
		struct svc_mem *m = mem_get(cs, s->id);
		if (m->in_flight || (!all && m->next_due > now + DUE_SLACK_MS))
			continue;
		int interval = s->poll_interval_seconds ? s->poll_interval_seconds
							: p->conf.cfg.poll_interval_seconds;
		m->next_due = now + interval * 1000LL;
		m->in_flight = 1;
		if (!b)
			b = xcalloc(1, sizeof *b);
		struct group *g = hmap_get(&byurl, s->poll_url);
		if (!g) {
			g = xcalloc(1, sizeof *g);
			fetch_req_init(&g->req, s->poll_url);
			g->b = b;
			hmap_put(&byurl, s->poll_url, g);
			news = xreallocarray(news, nnew + 1, sizeof *news);
			news[nnew++] = g;
		}
		g->svcs = xreallocarray(g->svcs, g->n + 1, sizeof *g->svcs);
		g->svcs[g->n++] = s;
		if (any_code(s))
			g->has_any_code = 1;
		polled++;
	}
	hmap_free(&byurl, NULL);
	if (!polled) {
		/* Only manual services (or none): an empty cycle still counts
		 * as one (doc/compat.md#s8-1), so last_cycle_at shows the loop is alive. */
		int any = 0;
		for (size_t i = 0; i < p->conf.reg.nservices && !any; i++)
			any = pollable(&p->conf.reg.services[i]);
		if (!any && (all || cs->empty_due <= now)) {
			cs->empty_due = now + p->conf.cfg.poll_interval_seconds * 1000LL;
			char *l = met_labels("outcome", "completed", (char *)NULL);
			met_counter_add("poll_cycles_total", l, "Poll cycles by outcome.", 1);
			free(l);
			ts_now_iso(p->last_cycle_at);
		}
		return 0;
	}
	for (size_t i = 0; i < nnew; i++) {
		struct group *g = news[i];
		if (cs->ninflight == cs->capflight) {
			cs->capflight = cs->capflight ? cs->capflight * 2 : 64;
			cs->inflight =
			    xreallocarray(cs->inflight, cs->capflight, sizeof *cs->inflight);
		}
		g->slot = cs->ninflight;
		cs->inflight[cs->ninflight++] = g;
		g->req.user = g;
		g->req.any_code = g->has_any_code;
		struct url_mem *u = hmap_get(&cs->urls, g->req.url);
		int all_remembered = !g->has_any_code && u && (u->etag || u->last_modified);
		for (size_t j = 0; all_remembered && j < g->n; j++) {
			struct svc_mem *m = hmap_get(&cs->svcs, g->svcs[j]->id);
			all_remembered = m && m->has_reading &&
					 (!fmt_clock_dependent(g->svcs[j]->poll_type) || u->body);
		}
		if (all_remembered) {
			g->req.if_none_match = xstrdup_or_null(u->etag);
			g->req.if_modified_since = xstrdup_or_null(u->last_modified);
		}
		fetch_submit(cs->fetch, &g->req);
	}
	free(news);
	b->ngroups = b->pending = nnew;
	b->start_mono = now;
	b->polled = polled;
	b->next = cs->batches;
	cs->batches = b;
	uint64_t r = hmap_hash(p->started_at) ^ (uint64_t)ts_now_ms() * 0x9E3779B97F4A7C15ULL ^
		     (uint64_t)getpid() ^ (uint64_t)(uintptr_t)b;
	snprintf(b->id, sizeof b->id, "%012llx", (unsigned long long)(r & 0xffffffffffffULL));
	const char *kv[] = {"poll_cycle_id", b->id, NULL};
	log_kv(LOG_LVL_DEBUG, kv, "poll cycle started: %zu services, %zu distinct URLs", polled,
	       nnew);
	return polled;
}

/* poll_total outcome of a reading: "ok" or its failure kind, spelled here,
 * at the edge. */
static const char *outcome_of(const struct fmt_reading *r)
{
	return r->ok ? "ok" : vocab_str(VC_SET(failure_kind), (int)r->fail_kind);
}

/* The reading of one service of a finished group. */
static void parse_body(struct pollerd *p, const struct reg_service *s, const char *body, size_t len,
		       long code, int64_t latency_ms, const char *ctype, int64_t now_ms,
		       struct fmt_reading *rd)
{
	fmt_parse_fn fn = fmt_lookup(s->poll_type);
	if (!fn) {
		fmt_fail(rd, "parse_error: no parser for poll_type %s", s->poll_type);
		return;
	}
	struct fmt_opts o;
	cycle_fmt_opts(p, s, now_ms, &o);
	struct fmt_input in = {
	    .body = body ? body : "",
	    .len = len,
	    .http_code = code,
	    .latency_ms = latency_ms,
	    .content_type = ctype,
	};
	fn(&in, &o, rd);
}

static void read_one(struct pollerd *p, const struct group *g, const struct url_mem *u,
		     const struct reg_service *s, struct svc_mem *m, int64_t now_ms,
		     struct fmt_reading *rd)
{
	const struct fetch_req *req = &g->req;
	fmt_reading_init(rd);
	switch (req->outcome) {
	case FETCH_NOT_MODIFIED:
		if (fmt_clock_dependent(s->poll_type) && u && u->body)
			parse_body(p, s, u->body, u->len, u->http_code, req->latency_ms,
				   u->content_type, now_ms, rd);
		else if (m->has_reading)
			fmt_reading_copy(rd, &m->last);
		else
			fmt_fail_kind(rd, VC_FAIL_REQUEST_ERROR,
				      "request_error: 304 without a stored reading");
		return;
	case FETCH_FAILED:
		fmt_fail_kind(rd, req->fail_kind, "%s",
			      req->reason ? req->reason : "request_error: unknown");
		return;
	case FETCH_BODY:
		break;
	default:
		fmt_fail_kind(rd, VC_FAIL_REQUEST_ERROR, "request_error: aborted");
		return;
	}
	if (!any_code(s) && (req->http_code < 200 || req->http_code > 299)) {
		/* The URL is shared with a format that wanted every answer
		 * (http_check); for this one a non-2xx is still a failure. */
		fmt_fail_kind(rd, retry_http_kind(req->http_code),
			      retry_is_transient_code(req->http_code) ? "transient_http_%ld"
								      : "http_%ld",
			      req->http_code);
		return;
	}
	parse_body(p, s, req->body.data, req->body.len, req->http_code, req->latency_ms,
		   req->content_type, now_ms, rd);
}

static void remember_validators(struct cycle_state *cs, const struct group *g)
{
	const struct fetch_req *req = &g->req;
	if (req->outcome != FETCH_BODY || req->http_code < 200 || req->http_code > 299)
		return;
	struct url_mem *u = hmap_get(&cs->urls, req->url);
	if (!u) {
		if (!req->etag && !req->last_modified)
			return;
		u = xcalloc(1, sizeof *u);
		hmap_put(&cs->urls, req->url, u);
	}
	free(u->etag);
	free(u->last_modified);
	free(u->body);
	free(u->content_type);
	u->etag = xstrdup_or_null(req->etag);
	u->last_modified = xstrdup_or_null(req->last_modified);
	u->body = u->content_type = NULL;
	u->len = 0;
	int keep = 0;
	for (size_t i = 0; i < g->n && !keep; i++)
		keep = fmt_clock_dependent(g->svcs[i]->poll_type);
	if (keep && (u->etag || u->last_modified) && req->body.len <= KEEP_BODY_MAX) {
		/* Bytes, not a string: a body may hold NULs (the parser decides). */
		u->body = xmalloc(req->body.len + 1);
		if (req->body.len)
			memcpy(u->body, req->body.data, req->body.len);
		u->body[req->body.len] = '\0';
		u->len = req->body.len;
		u->content_type = xstrdup_or_null(req->content_type);
		u->http_code = req->http_code;
	}
}

static void group_metrics(const struct group *g)
{
	const struct fetch_req *req = &g->req;
	met_counter_add("http_bytes_total", "", "Response body bytes received from vendors.",
			(double)req->bytes);
	if (req->outcome == FETCH_NOT_MODIFIED)
		met_counter_add("http_not_modified_total", "",
				"Conditional requests answered 304 Not Modified.", 1);
	/* One observation per poll type reading this URL. */
	for (size_t i = 0; i < g->n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(g->svcs[j]->poll_type, g->svcs[i]->poll_type);
		if (seen)
			continue;
		const struct fmt_entry *e = fmt_find(g->svcs[i]->poll_type);
		char *l = met_labels("poll_type", e ? e->metric_label : g->svcs[i]->poll_type,
				     (char *)NULL);
		met_histogram_observe(
		    "poll_duration_seconds", l,
		    "Wall time of one fetch operation (all attempts), by poll type.", poll_buckets,
		    sizeof poll_buckets / sizeof poll_buckets[0],
		    (double)req->duration_ms / 1000.0);
		free(l);
	}
}

/* Read every service of a finished group and queue the readings for the
 * database (queue.c commits them). */
static void apply_group(struct pollerd *p, struct group *g, int64_t now_ms)
{
	struct cycle_state *cs = p->cs;
	struct batch *b = g->b;
	if (g->req.outcome == FETCH_ABORTED)
		return;
	group_metrics(g);
	b->bytes += g->req.bytes;
	if (g->req.outcome == FETCH_FAILED && g->req.unreachable)
		b->nunreachable++;
	if (g->req.outcome == FETCH_NOT_MODIFIED)
		b->not_modified++;
	remember_validators(cs, g);
	const struct url_mem *u = hmap_get(&cs->urls, g->req.url);
	for (size_t i = 0; i < g->n; i++) {
		const struct reg_service *s = g->svcs[i];
		struct svc_mem *m = mem_get(cs, s->id);
		struct fmt_reading rd;
		read_one(p, g, u, s, m, now_ms, &rd);
		rq_push(&p->rq, s->id, s->poll_type, &rd, now_ms);
		const char *outcome = outcome_of(&rd);
		char *l = met_labels("service", s->id, "outcome", outcome, (char *)NULL);
		met_counter_add("poll_total", l, "Poll results by service and outcome.", 1);
		free(l);
		if (rd.ok) {
			b->nok++;
			m->vendor_maint = rd.in_maintenance;
			if (g->req.outcome == FETCH_BODY) {
				fmt_reading_free(&m->last);
				m->last = rd; /* moved */
				m->has_reading = 1;
				continue;
			}
		} else {
			b->nfail++;
			const char *kv[] = {"poll_cycle_id", b->id,	"service", s->id,
					    "reason",	     rd.reason, NULL};
			log_kv(LOG_LVL_DEBUG, kv, "poll of %s failed: %s", s->id, rd.reason);
			/* A body we could not read leaves nothing a 304 may reuse;
			 * a failed fetch leaves the last reading valid. */
			if (g->req.outcome != FETCH_FAILED) {
				fmt_reading_free(&m->last);
				m->has_reading = 0;
			}
		}
		fmt_reading_free(&rd);
	}
}

static void finish(struct pollerd *p, struct batch *b)
{
	int64_t ms = ts_mono_ms() - b->start_mono;
	char *l = met_labels("outcome", b->errored ? "errored" : "completed", (char *)NULL);
	met_counter_add("poll_cycles_total", l, "Poll cycles by outcome.", 1);
	free(l);
	ts_now_iso(p->last_cycle_at);
	char dur[32], nsvc[24], nurl[24], ok[24], fail[24], chg[24], nm[24], bytes[24];
	snprintf(dur, sizeof dur, "%.3f", (double)ms / 1000.0);
	snprintf(nsvc, sizeof nsvc, "%zu", b->polled);
	snprintf(nurl, sizeof nurl, "%zu", b->ngroups);
	snprintf(ok, sizeof ok, "%zu", b->nok);
	snprintf(fail, sizeof fail, "%zu", b->nfail);
	snprintf(chg, sizeof chg, "%zu", b->changes);
	snprintf(nm, sizeof nm, "%zu", b->not_modified);
	snprintf(bytes, sizeof bytes, "%lld", (long long)b->bytes);
	const char *kv[] = {"poll_cycle_id",
			    b->id,
			    "duration_s",
			    dur,
			    "services",
			    nsvc,
			    "urls",
			    nurl,
			    "ok",
			    ok,
			    "failed",
			    fail,
			    "changes",
			    chg,
			    "not_modified",
			    nm,
			    "bytes",
			    bytes,
			    NULL};
	log_kv(b->errored ? LOG_LVL_WARNING : LOG_LVL_INFO, kv, "poll cycle %s",
	       b->errored ? "errored" : "done");
	/* Someone trying `make run` without internet sees every service go
	 * unknown with a wall of errors; one line says why and what to try.
	 * Only the first cycle: later, an outage of our own network is for the
	 * health alerts, not for advice. */
	if (!p->cs->first_done && b->ngroups && b->nunreachable == b->ngroups)
		log_kv(LOG_LVL_WARNING, (const char *[]){"poll_cycle_id", b->id, NULL},
		       "every status page failed with a DNS or connect error: this machine "
		       "looks offline (`make demo` runs itstatus without internet)");
	p->cs->first_done = 1;
}

/* Log and free the cycles whose fetches are all over. */
static void finish_done(struct pollerd *p)
{
	struct batch **pb = &p->cs->batches;
	while (*pb) {
		struct batch *b = *pb;
		if (b->pending) {
			pb = &b->next;
			continue;
		}
		finish(p, b);
		*pb = b->next;
		free(b);
	}
}

int cycle_step(struct pollerd *p, int wait_ms)
{
	struct cycle_state *cs = p->cs;
	if (!cs->ninflight)
		return 0;
	fetch_step(cs->fetch, wait_ms);
	struct fetch_req *r = fetch_next_done(cs->fetch);
	if (r) {
		int64_t now_ms = ts_now_ms();
		struct batch *last = NULL;
		for (; r; r = fetch_next_done(cs->fetch)) {
			struct group *g = r->user;
			apply_group(p, g, now_ms);
			last = g->b;
			group_done(cs, g); /* frees the body now, not at the end of the cycle */
		}
		/* Commit what can be committed now; while the database is
		 * busy the readings wait in the queue and polling goes on. */
		int ev = rq_flush(p, &p->rq);
		if (ev > 0)
			last->changes += (size_t)ev;
		else if (ev < 0)
			last->errored = 1;
		finish_done(p);
	}
	return cs->ninflight > 0;
}

void cycle_abort(struct pollerd *p)
{
	struct cycle_state *cs = p->cs;
	if (!cs || !cs->ninflight)
		return;
	fetch_abort(cs->fetch);
	while (fetch_next_done(cs->fetch))
		;
	while (cs->ninflight)
		group_done(cs, cs->inflight[cs->ninflight - 1]);
	while (cs->batches) {
		struct batch *b = cs->batches;
		const char *kv[] = {"poll_cycle_id", b->id, NULL};
		log_kv(LOG_LVL_INFO, kv, "poll cycle aborted");
		cs->batches = b->next;
		free(b);
	}
}

int cycle_maint_sweep(struct pollerd *p)
{
	static const char *sql = "SELECT id, in_maintenance FROM services WHERE retired_at IS NULL "
				 "AND (in_maintenance = 1"
				 " OR id IN (SELECT service_id FROM scheduled_maintenances"
				 " WHERE status IN ('scheduled', 'in_progress')))";
	char now[TS_ISO_LEN + 1];
	ts_now_iso(now);
	sqlite3_stmt *st = stmt_get(p->db, sql);
	if (!st)
		return -1;
	char **ids = NULL;
	int *want = NULL;
	size_t n = 0;
	int rc = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		int cur = sqlite3_column_int(st, 1);
		int win = maint_window_active(p->db, id, now);
		if (win < 0) {
			rc = -1;
			break;
		}
		int flag = cycle_vendor_maint(p, id) || win;
		if (flag != cur) {
			ids = xreallocarray(ids, n + 1, sizeof *ids);
			want = xreallocarray(want, n + 1, sizeof *want);
			ids[n] = xstrdup(id);
			want[n++] = flag;
		}
	}
	sqlite3_reset(st);
	if (rc == 0 && n) {
		if (db_begin_once(p->db) != 0) {
			rc = -1; /* busy: the next sweep tries again */
		} else {
			for (size_t i = 0; i < n && rc == 0; i++)
				if (store_set_maintenance(p->db, ids[i], want[i]) < 0)
					rc = -1;
			if (rc == 0)
				rc = db_commit(p->db);
			else
				db_rollback(p->db);
		}
		for (size_t i = 0; rc == 0 && i < n; i++)
			log_info("service %s maintenance %s", ids[i],
				 want[i] ? "started" : "ended");
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(want);
	return rc;
}
