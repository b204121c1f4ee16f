/*
 * http: the request object and every way apid answers. Responses are
 * assembled here in full -- status line, the security headers every response
 * carries, CORS, caching, keep-alive -- and written in one call, so no
 * handler can forget a header and no response goes out in several small
 * packets. Also: the seed's error shapes (FastAPI's "detail" wrapper and 422
 * lists), request bodies with hard caps (413), query parameters, form fields
 * and CORS.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"

/* A body this small travels in the same write as the headers. */
#define HTTP_INLINE_BODY_MAX 65536
/* The status line and headers (a few hundred bytes, the code's own), plus
 * an inline body. */
#define HTTP_HEAD_CAP (HTTP_INLINE_BODY_MAX + 64 * 1024)

/* Sent with every response. The CSP matches the dashboard (doc/compat.md#s10-10) and
 * forbids framing; it is harmless on JSON. */
static const char security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'\r\n";

sqlite3 *req_db(struct req *r)
{
	if (!r->pc)
		r->pc = pool_get(r->a->pool);
	return r->pc ? r->pc->db : NULL;
}

const char *req_header(const struct req *r, const char *name)
{
	return mg_get_header(r->conn, name);
}

const char *req_client_ip(const struct req *r)
{
	return r->client[0] ? r->client : r->ri->remote_addr;
}

const char *http_status_text(int s)
{
	switch (s) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Status";
	}
}

/* The Date header, formatted once per second per thread. */
static const char *http_date(void)
{
	static _Thread_local time_t last;
	static _Thread_local char text[40];
	time_t now = time(NULL);
	if (now != last || !text[0]) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return text;
}

/* Does the request still have body bytes on the wire? */
static int body_pending(const struct req *r)
{
	if (r->body_read)
		return 0;
	if (r->ri->content_length > 0)
		return 1;
	const char *te = req_header(r, "Transfer-Encoding");
	return te && *te;
}

/* 1 when the comma-separated header value lists tok (any case). */
static int has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok);
	while (*v) {
		while (*v == ',' || isspace((unsigned char)*v))
			v++;
		if (!strncasecmp(v, tok, n) &&
		    (!v[n] || v[n] == ',' || isspace((unsigned char)v[n])))
			return 1;
		while (*v && *v != ',')
			v++;
	}
	return 0;
}

/* Whether civetweb will read another request from this connection; the
 * header must say the same thing (civetweb's own rule, plus our reasons). */
static int keep_alive(const struct req *r)
{
	if (r->must_close || r->status == 401 || body_pending(r))
		return 0;
	const char *c = req_header(r, "Connection");
	if (c)
		return has_token(c, "keep-alive");
	return r->ri->http_version && !strcmp(r->ri->http_version, "1.1");
}

/* Status line and headers (no blank line). len < 0: no Content-Length. */
static void put_headers(struct buf *h, struct req *r, int status, const char *ctype,
			const char *extra, long long len)
{
	buf_printf(h, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, http_status_text(status),
		   http_date());
	if (ctype && status != 304) /* a 304 has no body to type */
		buf_printf(h, "Content-Type: %s\r\n", ctype);
	if (len >= 0 && status != 204 && status != 304)
		buf_printf(h, "Content-Length: %lld\r\n", len);
	int ka = keep_alive(r);
	if (!ka)
		r->must_close = 1; /* the dispatcher tells civetweb the same */
	buf_printf(h, "Connection: %s\r\n", ka ? "keep-alive" : "close");
	if (!extra || !strstr(extra, "Cache-Control:"))
		buf_puts(h, "Cache-Control: no-store\r\n");
	if (r->cors_origin)
		buf_printf(h, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n",
			   r->cors_origin);
	buf_puts(h, security_headers);
	if (extra)
		buf_puts(h, extra);
}

/* rc_gunzip_each's writer: the slice to the client. */
static int conn_write(void *conn, const char *p, size_t n)
{
	return mg_write(conn, p, n) > 0 ? 0 : -1;
}

void http_send(struct req *r, int status, const char *ctype, const char *extra, const char *body,
	       size_t len)
{
	if (r->status) { /* a handler bug; never send two responses */
		log_error("second response for %s %s ignored", r->method, r->path);
		return;
	}
	/* A route's first 200 at this data version fills the shared cache. */
	if (status == 200 && r->rc && !rc_ready(r->rc) && body)
		rcache_fill(r->a->rcache, r->rc, body, len);
	struct repr rp = {.owned = NULL};
	char *ex = NULL;
	if (status == 200 && r->represent && (body || (r->rc && rc_ready(r->rc)))) {
		rp.body = body;
		rp.len = len;
		rp.own_cache_control = extra && strstr(extra, "Cache-Control:");
		rc_represent(r, &rp);
		status = rp.status;
		body = rp.body;
		len = rp.len;
		ex = xasprintf("%s%s", rp.headers, extra ? extra : "");
		extra = ex;
	}
	r->status = status;
	if (body_pending(r))
		r->must_close = 1;
	struct buf h;
	buf_init(&h, HTTP_HEAD_CAP);
	put_headers(&h, r, status, ctype, extra, (long long)len);
	buf_puts(&h, "\r\n");
	int with_body = body && len && !r->head && status != 204 && status != 304;
	/* Small bodies travel in the same write as the headers. */
	if (with_body && len <= HTTP_INLINE_BODY_MAX) {
		buf_append(&h, body, len);
		with_body = 0;
	}
	if (buf_check(&h, "response head") < 0) /* a cut head is no answer: hang up */
		r->must_close = 1;
	else if (mg_write(r->conn, h.data, h.len) <= 0 ||
		 (with_body && mg_write(r->conn, body, len) <= 0))
		r->must_close = 1;
	else if (rp.gz && !r->head && status == 200 &&
		 rc_gunzip_each(rp.gz, rp.gzlen, len, conn_write, r->conn) < 0) {
		log_error("%s %s: the cached body could not be inflated", r->method, r->path);
		r->must_close = 1; /* the client sees a short body, never a wrong one */
	}
	buf_release(&h);
	free(rp.owned);
	free(ex);
}

int http_civet_error(struct mg_connection *conn, int status, const char *errmsg)
{
	(void)errmsg; /* civetweb's text can echo the request; say only the status */
	char *body = xasprintf("{\"detail\":\"%s\"}", http_status_text(status));
	struct buf h;
	buf_init(&h, HTTP_HEAD_CAP); /* a fixed text: never near it */
	buf_printf(&h,
		   "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: application/json\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n",
		   status, http_status_text(status), http_date(), strlen(body));
	buf_puts(&h, security_headers);
	buf_puts(&h, "\r\n");
	buf_puts(&h, body);
	mg_write(conn, h.data, h.len);
	buf_release(&h);
	free(body);
	return 0; /* answered: civetweb sends nothing more */
}

int http_send_headers(struct req *r, int status, const char *ctype, const char *extra,
		      long long len)
{
	if (r->status) {
		log_error("second response for %s %s ignored", r->method, r->path);
		return -1;
	}
	r->status = status;
	if (len < 0 || body_pending(r))
		r->must_close = 1; /* without a length the body ends with the connection */
	struct buf h;
	buf_init(&h, HTTP_HEAD_CAP);
	put_headers(&h, r, status, ctype, extra, len);
	buf_puts(&h, "\r\n");
	int rc =
	    buf_check(&h, "response head") == 0 && mg_write(r->conn, h.data, h.len) > 0 ? 0 : -1;
	buf_release(&h);
	if (rc < 0)
		r->must_close = 1;
	return rc;
}

void http_json(struct req *r, int status, cJSON *root, const char *extra)
{
	if (status == 200 && r->rc && !rc_ready(r->rc)) {
		/* A cached route's first 200 at this version is printed straight
		 * into the cache: a large one is never whole in memory. */
		int rc = rcache_fill_json(r->a->rcache, r->rc, root);
		rcache_large_leave(r);
		if (rc == 0)
			http_send(r, 200, "application/json", extra, NULL, 0);
		else
			http_send(r, 500, "application/json", NULL,
				  "{\"detail\":\"Internal Server Error\"}", 34);
		return;
	}
	/* The same printer as the cache's: a part made while printed
	 * (json_lazy) is printed here too. */
	char *s = json_print_text(root);
	cJSON_Delete(root);
	if (!s) {
		http_db_error(r);
		return;
	}
	http_send(r, status, "application/json", extra, s, strlen(s));
	free(s);
}

void http_envelope(struct req *r, int status, cJSON *data, cJSON *meta)
{
	if (r->post && status == 200 && data) {
		r->rows_bytes = json_raw_bytes(data); /* what the build held (server.c) */
		r->post(r, data, meta);
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "data", data ? data : cJSON_CreateNull());
	cJSON_AddNullToObject(root, "error");
	cJSON_AddItemToObject(root, "meta", meta ? meta : cJSON_CreateNull());
	http_json(r, status, root, NULL);
}

void http_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON *root = cJSON_CreateObject();
	cJSON *detail = cJSON_AddObjectToObject(root, "detail");
	cJSON_AddNullToObject(detail, "data");
	cJSON *err = cJSON_AddObjectToObject(detail, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	cJSON_AddNullToObject(detail, "meta");
	free(msg);
	http_json(r, status, root, status == 401 ? "WWW-Authenticate: Bearer\r\n" : NULL);
}

void http_detail(struct req *r, int status, const char *msg, const char *extra)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "detail", msg);
	http_json(r, status, root, extra);
}

void verr_add(cJSON *errs, const char *where, const char *field, const char *type, const char *msg)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "type", type);
	cJSON *loc = cJSON_AddArrayToObject(e, "loc");
	cJSON_AddItemToArray(loc, cJSON_CreateString(where));
	if (field)
		cJSON_AddItemToArray(loc, cJSON_CreateString(field));
	cJSON_AddStringToObject(e, "msg", msg);
	cJSON_AddItemToArray(errs, e);
}

void http_validation(struct req *r, cJSON *errs)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "detail", errs);
	http_json(r, 422, root, NULL);
}

void http_not_found(struct req *r)
{
	http_detail(r, 404, "Not Found", NULL);
}

void http_db_error(struct req *r)
{
	http_error(r, 503, "DATABASE_ERROR", "The database could not be read");
}

void http_db_write_error(struct req *r)
{
	/* db_last_failure is this thread's: the write just attempted. */
	http_error(r, 503, "DATABASE_WRITE_FAILED",
		   "The change could not be written: %s. Nothing was changed; try again",
		   db_failure_phrase(db_last_failure()));
}

void http_method_not_allowed(struct req *r, const char *allow)
{
	char *extra = xasprintf("Allow: %s\r\n", allow);
	http_detail(r, 405, "Method Not Allowed", extra);
	free(extra);
}

/* Read what is left of the body into out (NULL: drop it), at most cap bytes,
 * all of it before APID_BODY_DEADLINE_MS from now (guard_watch() cuts a read
 * that is still going then). 0 done, 1 too large, -1 unreadable, -2 too
 * slow, -3 no reader slot free (nothing read). */
static int read_body(struct req *r, struct buf *out, size_t cap)
{
	int64_t deadline = ts_mono_ms() + APID_BODY_DEADLINE_MS;
	int fd = guard_conn_fd(r->ri->remote_addr, r->ri->remote_port, r->ri->server_port);
	int slot = guard_body_enter(fd, deadline);
	if (slot < 0)
		return -3;
	long long cl = r->ri->content_length;
	size_t chunk = cl > 0 && (size_t)cl <= cap ? (size_t)cl + 1 : 16384;
	char *tmp = xmalloc(chunk); /* on the heap: worker stacks are small */
	size_t total = 0;
	int rc = 0;
	for (;;) {
		int n = mg_read(r->conn, tmp, chunk);
		if (n == 0)
			break;
		if (n < 0) {
			rc = -1;
			break;
		}
		total += (size_t)n;
		if (total > cap || (out && buf_append(out, tmp, (size_t)n) < 0)) {
			rc = 1;
			break;
		}
		if (ts_mono_ms() > deadline) {
			rc = -2;
			break;
		}
	}
	free(tmp);
	/* Cut by guard_watch(): the read ended early, not the body. */
	if (guard_body_leave(slot))
		rc = -2;
	return rc;
}

int http_read_body(struct req *r, size_t cap)
{
	buf_init(&r->body, cap);
	long long cl = r->ri->content_length;
	if (cl > (long long)cap) {
		/* Refuse without reading: the connection is closed afterwards. */
		http_detail(r, 413, "Request body too large", NULL);
		return -1;
	}
	int rc = read_body(r, &r->body, cap);
	if (rc == -3) {
		r->must_close = 1;
		log_warn("%s %s from %s: %d request bodies already being read, refused", r->method,
			 r->route_label, req_client_ip(r), APID_BODY_READERS_MAX);
		http_detail(r, 503, "Server busy reading other requests", "Retry-After: 5\r\n");
		return -1;
	}
	if (rc) {
		r->must_close = 1;
		if (rc == 1)
			http_detail(r, 413, "Request body too large", NULL);
		else if (rc == -2)
			http_detail(r, 408, "Request body not received in time", NULL);
		else
			http_detail(r, 400, "Request body could not be read", NULL);
		return -1;
	}
	r->body_read = 1;
	if (cl >= 0 && (long long)r->body.len != cl) {
		r->must_close = 1;
		http_detail(r, 400, "Request body incomplete", NULL);
		return -1;
	}
	if (!r->body.data) /* empty body: still a valid string */
		buf_append(&r->body, "", 0);
	return 0;
}

void http_discard_body(struct req *r)
{
	if (!body_pending(r))
		return;
	/* Not worth a worker's time: too large, or the body readers are all
	 * busy. Closing the connection after the answer drops it as well. */
	if (r->ri->content_length > APID_DISCARD_BODY_MAX) {
		r->must_close = 1;
		return;
	}
	if (read_body(r, NULL, APID_DISCARD_BODY_MAX))
		r->must_close = 1;
	else
		r->body_read = 1;
}

int q_str(const struct req *r, const char *name, char *out, size_t outlen)
{
	if (!r->query || !*r->query)
		return 0;
	int n = mg_get_var(r->query, strlen(r->query), name, out, outlen);
	if (n == -1)
		return 0;
	if (n < 0)
		return -1;
	return 1;
}

const char *q_filter(const struct req *r, const char *name, char *out, size_t outlen)
{
	int f = q_str(r, name, out, outlen);
	if (f < 0)
		out[0] = '\0'; /* longer than any id: matches nothing */
	return f ? out : NULL;
}

int q_int(const struct req *r, const char *name, long dflt, long min, long max, long *out,
	  cJSON *errs)
{
	char v[64];
	int f = q_str(r, name, v, sizeof v);
	if (f == 0) {
		*out = dflt;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	long n = f > 0 ? strtol(v, &end, 10) : 0;
	if (f < 0 || end == v || *end || errno == EINVAL) {
		verr_add(errs, "query", name, "int_parsing",
			 "Input should be a valid integer, unable to parse string as an integer");
		return -1;
	}
	/* Out-of-range numbers (ERANGE included) clamp like the seed. */
	*out = n < min ? min : n > max ? max : n;
	return 0;
}

char *form_field(const char *body, size_t len, const char *name)
{
	if (!body)
		return NULL;
	/* A decoded value is never longer than its encoding. */
	char *out = xmalloc(len + 1);
	int n = mg_get_var(body, len, name, out, len + 1);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return out;
}

const char *cors_allowed(const struct cfg_settings *cfg, const char *origin)
{
	if (!origin || !*origin || !cfg->cors_origins)
		return NULL;
	size_t olen = strlen(origin);
	const char *p = cfg->cors_origins;
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && isspace((unsigned char)t[-1]))
			t--;
		size_t n = (size_t)(t - p);
		if ((n == 1 && *p == '*') || (n == olen && !strncmp(p, origin, n)))
			return origin;
		p = e;
	}
	return NULL;
}

void http_preflight(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *method = req_header(r, "Access-Control-Request-Method");
	if (!origin || !method) {
		http_send(r, 204, NULL, "Allow: GET, HEAD, POST, DELETE, OPTIONS\r\n", NULL, 0);
		return;
	}
	if (!r->cors_origin || (strcmp(method, "GET") && strcmp(method, "POST") &&
				strcmp(method, "DELETE") && strcmp(method, "HEAD"))) {
		/* What Starlette's CORS middleware answers. */
		http_send(r, 400, "text/plain; charset=utf-8", NULL, "Disallowed CORS origin", 22);
		return;
	}
	http_send(
	    r, 204, NULL,
	    "Access-Control-Allow-Methods: GET, HEAD, POST, DELETE\r\n"
	    "Access-Control-Allow-Headers: Accept, Authorization, Content-Type, Last-Event-ID\r\n"
	    "Access-Control-Max-Age: 600\r\n",
	    NULL, 0);
}
