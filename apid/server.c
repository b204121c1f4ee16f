/*
 * server: civetweb set-up and shutdown for apid, the route table and the
 * dispatcher. Every request enters through civetweb's begin_request hook, so
 * civetweb never serves a file, lists a folder, runs CGI or answers a CORS
 * preflight by itself; the dispatcher matches the route, applies CORS, the
 * response cache and the metrics, and hands over to the resource's handler.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "log.h"
#include "xalloc.h"

/* Static paths before parameterised ones: the first match wins, so
 * /api/services/sla is never taken for a service called "sla"
 * (doc/compat.md#s5-5). */
const struct route api_routes[] = {
    {"GET", "/healthz", h_healthz, 0},
    {"GET", "/metrics", h_metrics, 0},
    {"GET", "/api/health", h_health, 0},
    {"GET", "/api/summary", h_summary_worst, R_CACHE},
    {"GET", "/api/services", h_services, R_CACHE},
    {"GET", "/api/services/uptime", h_uptime_worst, R_CACHE | R_CLOCK},
    {"GET", "/api/services/sla", h_sla_worst, R_CACHE | R_CLOCK},
    {"GET", "/api/services/sla/history", h_sla_history_worst, R_CACHE | R_CLOCK},
    {"GET", "/api/services/graph", h_graph, R_CACHE},
    {"GET", "/api/services/slo", h_slo_worst, R_CACHE | R_CLOCK},
    {"GET", "/api/services/{service_id}", h_service, R_CACHE},
    {"GET", "/api/timeline", h_timeline, R_CACHE},
    {"GET", "/api/timeline/clustered", h_clustered, R_CACHE},
    {"GET", "/api/maintenance", h_maintenance, R_CACHE},
    {"GET", "/api/reports", h_reports, R_CACHE},
    {"GET", "/api/alerts", h_alerts, R_CACHE},
    {"GET", "/api/stream", h_stream, R_STREAM},
    {"GET", "/api/openapi.json", h_openapi, 0},
    {"POST", "/api/admin/status", h_admin_status, 0},
    {"POST", "/api/admin/maintenance", h_admin_maintenance_create, 0},
    {"DELETE", "/api/admin/maintenance/{id}", h_admin_maintenance_cancel, 0},
    {"GET", "/api/admin/inbox/{id}", h_admin_inbox, 0},
    {"POST", "/api/webhooks/statuspage/{service_id}", h_webhook_hmac, 0},
    {"POST", "/api/webhooks/statuspage/{service_id}/{token}", h_webhook_token, 0},
    {"POST", "/api/slack/interactivity", h_slack_interactivity, 0},
    {"POST", "/api/slack/slash", h_slack_slash, 0},
};
const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];

#define MAX_SEGS 16

/* Does pattern match the path segments? Parameters go to params. */
static int match(const char *pattern, char *const *segs, int nsegs, const char **params)
{
	int i = 0, np = 0;
	for (const char *p = pattern + 1; *p; i++) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (i >= nsegs)
			return 0;
		if (p[0] == '{') {
			if (!*segs[i])
				return 0;
			if (np < 2)
				params[np++] = segs[i];
		} else if (strlen(segs[i]) != n || strncmp(segs[i], p, n)) {
			return 0;
		}
		p = e ? e + 1 : p + n;
	}
	return i == nsegs;
}

const struct route *route_match(const char *method, char *path, const char **params, char *allow,
				size_t allowlen)
{
	char *segs[MAX_SEGS];
	int n = 0;
	allow[0] = '\0';
	if (path[0] != '/')
		return NULL;
	for (char *p = path + 1; n < MAX_SEGS;) {
		segs[n++] = p;
		char *e = strchr(p, '/');
		if (!e)
			break;
		*e = '\0';
		p = e + 1;
	}
	const struct route *found = NULL;
	for (size_t i = 0; i < api_nroutes && !found; i++) {
		const char *pp[2] = {NULL, NULL};
		if (!match(api_routes[i].pattern, segs, n, pp))
			continue;
		if (!strcmp(api_routes[i].method, method)) {
			found = &api_routes[i];
			params[0] = pp[0];
			params[1] = pp[1];
		} else if (!strstr(allow, api_routes[i].method)) {
			size_t l = strlen(allow);
			snprintf(allow + l, allowlen - l, "%s%s%s", l ? ", " : "",
				 api_routes[i].method,
				 strcmp(api_routes[i].method, "GET") ? "" : ", HEAD");
		}
	}
	return found; /* path stays split: params point into it */
}

static int is_api(const char *path)
{
	return !strncmp(path, "/api", 4) && (path[4] == '\0' || path[4] == '/');
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Per route (index in api_routes), what its last build held plus one (0:
 * never built): the larger of its body and its rows before a ?worst= cut.
 * A route whose last build was large, or that was never built yet, takes
 * turns for the next (rcache_large_enter); routes known to be small never
 * wait. */
#define ROUTE_SIZES 64
static _Atomic size_t route_size[ROUTE_SIZES];

static _Atomic size_t *route_size_of(const struct route *rt)
{
	size_t i = (size_t)(rt - api_routes);
	return i < ROUTE_SIZES ? &route_size[i] : NULL;
}

/* Run a route: from the shared response cache when the route allows
 * (rcache.c); every API GET answer gets its ETag, 304 and gzip there. */
static void run_route(struct req *r)
{
	r->represent = !strcmp(r->route->method, "GET") && !(r->route->flags & R_STREAM);
	_Atomic size_t *size = route_size_of(r->route);
	/* HEAD too: it costs the same build as GET, so it shares GET's
	 * entry and takes the same turns. */
	if ((r->route->flags & R_CACHE) && r->a->rcache) {
		int build;
		char *key = xasprintf("%s?%s", r->path, r->query);
		r->rc =
		    rcache_lookup(r->a->rcache, key,
				  (r->route->flags & R_CLOCK) ? APID_CLOCK_CACHE_MS : 0, &build);
		free(key);
		if (!build) {
			size_t len;
			const char *body = rc_body(r->rc, &len);
			http_send(r, 200, "application/json", NULL, body,
				  len); /* body may be NULL */
			return;
		}
		/* Several different large builds at once were apid's peak
		 * memory: they take turns, each waiting no longer than a
		 * request body may take to arrive. */
		size_t last = size ? atomic_load(size) : 0;
		if (!last || last > APID_LARGE_BODY) {
			if (rcache_large_enter(r->a->rcache, r->rc,
					       r->start_ms + APID_BODY_DEADLINE_MS) < 0) {
				log_warn("%s: other large answers are being built, refused",
					 r->route_label);
				http_detail(r, 503, "Server busy building other large answers",
					    "Retry-After: 2\r\n");
				return;
			}
			r->large = 1;
		}
	}
	json_compact_lists(1); /* rows as text, not trees (doc/scale.md#memory) */
	r->route->fn(r);
	json_lazy_drop(); /* parts of an answer that was never printed */
	json_compact_lists(0);
	rcache_large_leave(r); /* an answer that never reached the cache */
	if (size && r->rc && rc_ready(r->rc)) {
		size_t len;
		rc_body(r->rc, &len);
		atomic_store(size, (len > r->rows_bytes ? len : r->rows_bytes) + 1);
	}
}

/* Several Content-Length headers that disagree, or Content-Length with
 * Transfer-Encoding (RFC 9112 §6.3: a request smuggling vector). */
static int framing_bad(const struct mg_request_info *ri)
{
	const char *cl = NULL;
	int te = 0;
	for (int i = 0; i < ri->num_headers; i++) {
		const char *n = ri->http_headers[i].name, *v = ri->http_headers[i].value;
		if (!n || !v)
			continue;
		if (!strcasecmp(n, "Transfer-Encoding")) {
			te = 1;
		} else if (!strcasecmp(n, "Content-Length")) {
			if (cl && strcmp(cl, v))
				return 1;
			cl = v;
		}
	}
	return cl && te;
}

/* GET /api/stream is counted against the stream limit (stream.c), not
 * the request one: it holds its worker for as long as the client stays. */
static int is_stream_request(const struct req *r)
{
	const char *m = r->method;
	return (!strcmp(m, "GET") || !strcmp(m, "HEAD")) && !strcmp(r->path, "/api/stream");
}

/* Route the request (the path is known to be ours to answer). */
static void route_request(struct req *r)
{
	if (!strcmp(r->method, "OPTIONS")) {
		http_discard_body(r);
		r->route_label = "preflight";
		http_preflight(r);
	} else {
		r->head = !strcmp(r->method, "HEAD");
		const char *m = r->head ? "GET" : r->method;
		char allow[64];
		r->path_copy = xstrdup(r->path);
		r->route = route_match(m, r->path_copy, r->params, allow, sizeof allow);
		if (r->route) {
			r->route_label = r->route->pattern;
			if (!strcmp(m, "GET"))
				http_discard_body(r);
			run_route(r);
		} else if (allow[0]) {
			http_discard_body(r);
			http_method_not_allowed(r, allow);
		} else if (is_api(r->path)) {
			http_discard_body(r);
			http_not_found(r); /* never the app page (doc/compat.md#bug-18) */
		} else if (!strcmp(m, "GET")) {
			http_discard_body(r);
			r->route_label = "static";
			h_static(r);
		} else {
			http_discard_body(r);
			http_method_not_allowed(r, "GET, HEAD");
		}
	}
}

static int dispatch(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct apid *a = ri->user_data;
	double t0 = mono_s();
	struct req r;
	memset(&r, 0, sizeof r);
	r.a = a;
	r.conn = conn;
	r.ri = ri;
	r.method = ri->request_method ? ri->request_method : "";
	r.path = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri ? ri->local_uri : "/";
	r.query = ri->query_string ? ri->query_string : "";
	r.confref = conf_get(a);
	r.cfg = &r.confref->dc.cfg;
	guard_client_addr(ri->remote_addr, req_header(&r, "X-Forwarded-For"),
			  r.cfg->trusted_proxies, r.client, sizeof r.client);
	r.cors_origin = cors_allowed(r.cfg, req_header(&r, "Origin"));
	r.route_label = "other";
	r.start_ms = ts_mono_ms();
	int counted = 0;
	if (framing_bad(ri)) {
		/* Two lengths, or a length and chunking: the body's end is
		 * ambiguous, and a proxy may have read it the other way. */
		r.must_close = 1;
		http_detail(&r, 400, "Conflicting Content-Length or Transfer-Encoding headers",
			    NULL);
	} else if (!is_stream_request(&r) &&
		   guard_enter(r.client, GUARD_REQUESTS, r.cfg->apid_client_max_requests) < 0) {
		r.must_close = 1;
		log_warn("%s from %s: more than %d requests in progress from this address, refused",
			 r.method, r.client, r.cfg->apid_client_max_requests);
		http_detail(&r, 429, "Too many requests in progress from this address",
			    "Retry-After: 5\r\n");
	} else {
		counted = !is_stream_request(&r);
		route_request(&r);
	}
	if (!r.status) {
		log_error("%s %s: handler sent no response", r.method, r.route_label);
		http_detail(&r, 500, "Internal Server Error", NULL);
	}
	if (counted)
		guard_leave(r.client, GUARD_REQUESTS);
	/* Tell civetweb too: otherwise it reads (and drops) whatever body is
	 * left before closing, at the client's pace -- the worker a slow body
	 * must not keep once it has its answer. */
	if (r.must_close)
		mg_disable_connection_keep_alive(conn);
	int stream = r.route && (r.route->flags & R_STREAM);
	metrics_observe(r.route_label, r.status, mono_s() - t0, !stream);
	if (log_enabled(LOG_LVL_DEBUG))
		log_debug("%s %s -> %d (%.1f ms)", r.method, r.route_label, r.status,
			  (mono_s() - t0) * 1000.0);
	pool_put(a->pool, r.pc);
	conf_put(a, r.confref);
	buf_release(&r.body);
	free(r.path_copy);
	if (r.rc)
		rcache_unhold(a->rcache, r.rc);
	return r.status;
}

static int log_message(const struct mg_connection *conn, const char *msg)
{
	(void)conn;
	log_warn("civetweb: %s", msg);
	return 1;
}

int server_start(struct apid *a)
{
	struct conf_ref *c = conf_get(a);
	const struct cfg_settings *cfg = &c->dc.cfg;
	char ports[128], threads[16];
	snprintf(ports, sizeof ports, "%s:%d", cfg->host, cfg->port);
	/* Stream clients and body readers each have workers reserved, so
	 * neither can take the apid_threads that answer ordinary requests. */
	snprintf(threads, sizeof threads, "%d",
		 cfg->apid_threads + APID_SSE_MAX_CLIENTS + APID_BODY_READERS_MAX);
	conf_put(a, c);
	char req_timeout[16];
	snprintf(req_timeout, sizeof req_timeout, "%d", APID_BODY_DEADLINE_MS);
	const char *opts[] = {"listening_ports", ports, "num_threads", threads, "enable_keep_alive",
			      "yes", "keep_alive_timeout_ms", "2000", "request_timeout_ms",
			      req_timeout, "tcp_nodelay", "1", "connection_queue", "256",
			      "listen_backlog", "1024", "enable_directory_listing", "no",
			      /* CORS is ours (allow-list); civetweb's default is "*". */
			      "access_control_allow_origin", "", "access_control_allow_methods", "",
			      "access_control_allow_headers", "", NULL};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.log_message = log_message;
	cb.begin_request = dispatch;
	cb.http_error = http_civet_error;
	a->mg = mg_start(&cb, a, opts);
	if (!a->mg) {
		log_error("cannot listen on %s", ports);
		return -1;
	}
	struct mg_server_port sp[2];
	if (mg_get_server_ports(a->mg, 2, sp) > 0)
		a->port = sp[0].port;
	log_info("listening on http://%s:%d", cfg->host, a->port);
	return 0;
}

struct stopper {
	struct mg_context *mg;
	atomic_int done;
};

static void *stop_thread(void *arg)
{
	struct stopper *s = arg;
	mg_stop(s->mg);
	atomic_store(&s->done, 1);
	return NULL;
}

void server_stop(struct apid *a)
{
	if (!a->mg)
		return;
	/* civetweb's master thread only notices the stop flag when its 2 s poll
	 * on the listening socket returns; connecting to the port wakes it. */
	struct stopper s = {.mg = a->mg};
	atomic_init(&s.done, 0);
	pthread_t th;
	pthread_create(&th, NULL, stop_thread, &s);
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((unsigned short)a->port)};
	struct conf_ref *c = conf_get(a);
	if (inet_pton(AF_INET, c->dc.cfg.host, &addr.sin_addr) != 1 || addr.sin_addr.s_addr == 0)
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	conf_put(a, c);
	struct timespec d = {0, 2000000};
	while (!atomic_load(&s.done)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0) {
			connect(fd, (struct sockaddr *)&addr, sizeof addr);
			close(fd);
		}
		nanosleep(&d, NULL);
	}
	pthread_join(th, NULL);
	a->mg = NULL;
}
