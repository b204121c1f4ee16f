/*
 * fakeslack: a loopback stand-in for Slack incoming webhooks -- and for Teams,
 * PagerDuty and generic webhooks, since it records a request on any path. It
 * writes one JSON line per request to --log (and keeps them for GET
 * /_control/requests), answers from per-path scripts or an outage window, and
 * checks Block Kit bodies against Slack's limits: violations are listed on the
 * record and, like real Slack, answered 400 invalid_blocks unless --lenient,
 * so a test whose alert would be rejected in production fails loudly.
 *
 * Answer precedence for a request: limit violation (400, unless --lenient;
 * does not consume a script) > script for the path > script for "*" > outage
 * mode for the path > mode for "*" > 200 "ok".
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeweb.h"
#include "buf.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

#define CONTROL_PREFIX "/_control/"
#define BODY_LIMIT ((size_t)16 << 20)
#define DEFAULT_THREADS 16

struct answer {
	int code;
	char retry_after[64]; /* "" = no Retry-After header */
	long delay_ms;
	int drop;   /* close the connection without answering */
	char *body; /* NULL = the default text for code */
};

/* A FIFO of scripted answers for one path ("*" = any path). */
struct script {
	struct script *next;
	char *path;
	struct answer *a;
	size_t n, head;
};

/* An outage window: every request on path answers code until until_ms. */
struct mode {
	struct mode *next;
	char *path;
	struct answer a;
	long long until_ms; /* 0 = until cleared */
};

struct rec {
	long long seq;
	char *path;
	char *line; /* the JSON line, without newline; cJSON_free'd */
};

struct slack {
	pthread_mutex_t mu; /* guards everything below */
	FILE *log;
	long long seq;
	struct rec *recs;
	size_t nrecs;
	struct script *scripts;
	struct mode *modes;
	int lenient;
	int port;
};

/* ---- Slack limits -------------------------------------------------------- */

/* Slack counts characters, not bytes. */
static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void add_violation(cJSON *viol, const char *what)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, viol)
	{
		if (strcmp(v->valuestring, what) == 0)
			return;
	}
	cJSON_AddItemToArray(viol, cJSON_CreateString(what));
}

/* A text object's "text" ({"type":"plain_text","text":...}), or NULL. */
static const char *text_of(const cJSON *obj)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "text");

	return cJSON_IsString(t) ? t->valuestring : NULL;
}

static int longer(const char *s, size_t max)
{
	return s && strlen(s) > max && u8len(s) > max;
}

/*
 * The Block Kit limits Slack rejects rather than truncates
 * (doc/field.md#slack-limits), plus our own rule that every message carries a top-level text
 * fallback for notifications and screen readers.
 */
static void check_limits(const cJSON *msg, cJSON *viol)
{
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(msg, "blocks");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "text");
	const cJSON *b;

	if (!cJSON_IsArray(blocks))
		return;
	if (!cJSON_IsString(text) || !text->valuestring[0])
		add_violation(viol, "missing_text_fallback");
	if (cJSON_GetArraySize(blocks) > 50)
		add_violation(viol, "blocks>50");
	cJSON_ArrayForEach(b, blocks)
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "block_id");
		const char *t = cJSON_IsString(type) ? type->valuestring : "";

		if (cJSON_IsString(id) && longer(id->valuestring, 255))
			add_violation(viol, "block_id>255");
		if (strcmp(t, "header") == 0) {
			if (longer(text_of(cJSON_GetObjectItemCaseSensitive(b, "text")), 150))
				add_violation(viol, "header_text>150");
		} else if (strcmp(t, "section") == 0) {
			const cJSON *fields = cJSON_GetObjectItemCaseSensitive(b, "fields");
			const cJSON *f;
			if (longer(text_of(cJSON_GetObjectItemCaseSensitive(b, "text")), 3000))
				add_violation(viol, "section_text>3000");
			if (cJSON_IsArray(fields) && cJSON_GetArraySize(fields) > 10)
				add_violation(viol, "section_fields>10");
			cJSON_ArrayForEach(f, fields)
			{
				if (longer(text_of(f), 2000))
					add_violation(viol, "field_text>2000");
			}
		} else if (strcmp(t, "context") == 0 || strcmp(t, "actions") == 0) {
			const cJSON *el = cJSON_GetObjectItemCaseSensitive(b, "elements");
			int max = t[0] == 'c' ? 10 : 25;
			if (cJSON_IsArray(el) && cJSON_GetArraySize(el) > max)
				add_violation(viol, t[0] == 'c' ? "context_elements>10"
								: "actions_elements>25");
		}
	}
}

/* ---- answers ------------------------------------------------------------- */

static const char *default_body(int code)
{
	switch (code) {
	case 400:
		return "invalid_payload";
	case 403:
		return "action_prohibited";
	case 404:
		return "no_service";
	case 410:
		return "channel_is_archived";
	case 413:
		return "payload_too_large";
	case 429:
		return "rate_limited";
	default:
		break;
	}
	if (code >= 200 && code < 300)
		return "ok";
	return code >= 500 ? "internal_error" : "error";
}

/* Parse one answer object; 0, or -1 with *err set (a static string). */
static int answer_from_json(const cJSON *j, struct answer *a, const char **err)
{
	long code = 200, delay = 0;
	const cJSON *drop = cJSON_GetObjectItemCaseSensitive(j, "drop");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");

	memset(a, 0, sizeof *a);
	if (!cJSON_IsObject(j)) {
		*err = "each answer must be an object";
		return -1;
	}
	if (fw_json_long(j, "code", 100, 599, &code) < 0) {
		*err = "code must be 100..599";
		return -1;
	}
	if (fw_json_long(j, "delay_ms", 0, 3600000, &delay) < 0) {
		*err = "delay_ms must be 0..3600000";
		return -1;
	}
	fw_json_str(j, "retry_after", a->retry_after, sizeof a->retry_after);
	if (strpbrk(a->retry_after, "\r\n")) { /* no header smuggling */
		*err = "retry_after must be one line";
		return -1;
	}
	if (body && !cJSON_IsString(body)) {
		*err = "body must be a string";
		return -1;
	}
	a->code = (int)code;
	a->delay_ms = delay;
	a->drop = cJSON_IsTrue(drop);
	a->body = body ? xstrdup(body->valuestring) : NULL;
	return 0;
}

/* A deep copy for the request being answered (its body is the caller's). */
static struct answer answer_copy(const struct answer *a)
{
	struct answer c = *a;

	c.body = xstrdup_or_null(a->body);
	return c;
}

static struct script *script_find(struct slack *s, const char *path)
{
	for (struct script *sc = s->scripts; sc; sc = sc->next)
		if (strcmp(sc->path, path) == 0)
			return sc;
	return NULL;
}

static void script_free_answers(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->a[i].body);
	free(sc->a);
	sc->a = NULL;
	sc->n = sc->head = 0;
}

/* Pop the next scripted answer for path into *out; 0, or -1 if none. */
static int script_pop(struct slack *s, const char *path, struct answer *out)
{
	struct script *sc = script_find(s, path);

	if (!sc || sc->head >= sc->n)
		return -1;
	*out = sc->a[sc->head];
	sc->a[sc->head].body = NULL; /* ownership moves to out */
	sc->head++;
	return 0;
}

/* The active mode for path, dropping it once its window has ended. */
static struct mode *mode_active(struct slack *s, const char *path, long long now)
{
	for (struct mode **pp = &s->modes; *pp; pp = &(*pp)->next) {
		struct mode *m = *pp;
		if (strcmp(m->path, path) != 0)
			continue;
		if (m->until_ms && now >= m->until_ms) {
			*pp = m->next;
			free(m->a.body);
			free(m->path);
			free(m);
			return NULL;
		}
		return m;
	}
	return NULL;
}

/* Decide how to answer; caller holds the lock. *out is the caller's to free. */
static void decide(struct slack *s, const char *path, const cJSON *viol, struct answer *out)
{
	long long now = fw_now_ms();
	struct mode *m;

	memset(out, 0, sizeof *out);
	if (cJSON_GetArraySize(viol) > 0 && !s->lenient) {
		const char *only = cJSON_GetArrayItem(viol, 0)->valuestring;
		out->code = 400;
		/* Slack's own word for a message with blocks but nothing else usable. */
		out->body = xstrdup(cJSON_GetArraySize(viol) == 1 &&
					    strcmp(only, "missing_text_fallback") == 0
					? "no_text"
					: "invalid_blocks");
		return;
	}
	if (script_pop(s, path, out) == 0 || script_pop(s, "*", out) == 0)
		return;
	if ((m = mode_active(s, path, now)) != NULL || (m = mode_active(s, "*", now)) != NULL) {
		*out = answer_copy(&m->a);
		return;
	}
	out->code = 200;
}

/* ---- recording ----------------------------------------------------------- */

/* The request headers as a new object; the caller frees it (or attaches it). */
static cJSON *headers_json(const struct mg_request_info *ri)
{
	cJSON *h = cJSON_CreateObject();

	for (int i = 0; i < ri->num_headers; i++) {
		const char *name = ri->http_headers[i].name, *val = ri->http_headers[i].value;
		if (!name)
			continue;
		/* A repeated header keeps its last value; JSON keys must be unique. */
		cJSON_DeleteItemFromObjectCaseSensitive(h, name);
		cJSON_AddStringToObject(h, name, val ? val : "");
	}
	return h;
}

static int hook(struct slack *s, struct mg_connection *conn, const char *path)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	long long now = fw_now_ms();
	char ts[TS_ISO_LEN + 1], extra[128] = "";
	struct buf body;
	int too_large;
	cJSON *json = NULL, *viol = cJSON_CreateArray(), *rec;
	struct answer a;
	const char *abody;
	char *line;

	buf_init(&body, BODY_LIMIT);
	too_large = fw_read_body(conn, &body) != 0;
	if (!too_large && body.len > 0)
		json = cJSON_ParseWithLength(body.data, body.len);
	if (cJSON_IsObject(json))
		check_limits(json, viol);

	rec = cJSON_CreateObject();
	pthread_mutex_lock(&s->mu);
	if (too_large) {
		memset(&a, 0, sizeof a);
		a.code = 413;
	} else {
		decide(s, path, viol, &a);
	}
	cJSON_AddNumberToObject(rec, "seq", (double)++s->seq);
	cJSON_AddStringToObject(rec, "ts", ts_format(now, ts));
	cJSON_AddNumberToObject(rec, "ts_ms", (double)now);
	cJSON_AddStringToObject(rec, "method", ri->request_method);
	cJSON_AddStringToObject(rec, "path", path);
	if (ri->query_string)
		cJSON_AddStringToObject(rec, "query", ri->query_string);
	cJSON_AddItemToObject(rec, "headers", headers_json(ri));
	cJSON_AddStringToObject(rec, "body", too_large ? "" : body.data ? body.data : "");
	cJSON_AddItemToObject(rec, "json", json ? json : cJSON_CreateNull());
	json = NULL; /* now owned by rec */
	cJSON_AddNumberToObject(rec, "answered", a.drop ? 0 : a.code);
	if (a.drop)
		cJSON_AddTrueToObject(rec, "dropped");
	if (a.delay_ms)
		cJSON_AddNumberToObject(rec, "delay_ms", (double)a.delay_ms);
	if (too_large)
		cJSON_AddStringToObject(rec, "error", "body_too_large");
	cJSON_AddItemToObject(rec, "limit_violations", viol);
	line = cJSON_PrintUnformatted(rec);
	if (line) {
		fputs(line, s->log);
		fputc('\n', s->log);
		fflush(s->log); /* tests tail the file while we run */
		s->recs = xreallocarray(s->recs, s->nrecs + 1, sizeof *s->recs);
		s->recs[s->nrecs].seq = s->seq;
		s->recs[s->nrecs].path = xstrdup(path);
		s->recs[s->nrecs].line = line;
		s->nrecs++;
	}
	pthread_mutex_unlock(&s->mu);
	cJSON_Delete(rec);
	buf_release(&body);

	if (a.delay_ms)
		fw_sleep_ms(a.delay_ms);
	if (a.drop) {
		fw_drop(conn, 1);
		free(a.body);
		return 444; /* "no response", for civetweb's access log only */
	}
	if (a.retry_after[0])
		snprintf(extra, sizeof extra, "Retry-After: %s\r\n", a.retry_after);
	abody = a.body ? a.body : default_body(a.code);
	fw_send(conn, a.code, "text/plain; charset=utf-8", extra, abody, strlen(abody));
	free(a.body);
	return a.code;
}

/* ---- control API --------------------------------------------------------- */

/* The "path" member ("/..." or "*"), pointing into j; NULL after answering 400. */
static const char *ctl_path(struct mg_connection *conn, const cJSON *j)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");

	if (!cJSON_IsString(p) || (strcmp(p->valuestring, "*") != 0 && p->valuestring[0] != '/')) {
		fw_send_error(conn, 400, "need \"path\": \"/...\" or \"*\"");
		return NULL;
	}
	return p->valuestring;
}

static void ctl_script(struct slack *s, struct mg_connection *conn, const cJSON *j)
{
	const char *path = ctl_path(conn, j);
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(j, "answers"), *it;
	int append = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "append"));
	struct answer *parsed;
	size_t n = 0, queued;
	const char *err = NULL;
	struct script *sc;
	char reply[64];

	if (!path)
		return;
	if (!cJSON_IsArray(answers)) {
		fw_send_error(conn, 400, "need \"answers\": [...]");
		return;
	}
	parsed = xcalloc((size_t)cJSON_GetArraySize(answers) + 1, sizeof *parsed);
	cJSON_ArrayForEach(it, answers)
	{
		if (answer_from_json(it, &parsed[n], &err) != 0)
			break;
		n++;
	}
	if (err) {
		for (size_t i = 0; i < n; i++)
			free(parsed[i].body);
		free(parsed);
		fw_send_error(conn, 400, err);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (!(sc = script_find(s, path))) {
		sc = xcalloc(1, sizeof *sc);
		sc->path = xstrdup(path);
		sc->next = s->scripts;
		s->scripts = sc;
	}
	if (!append)
		script_free_answers(sc);
	/* Compact the consumed head away, then append the new answers. */
	if (sc->head > 0) {
		memmove(sc->a, sc->a + sc->head, (sc->n - sc->head) * sizeof *sc->a);
		sc->n -= sc->head;
		sc->head = 0;
	}
	sc->a = xreallocarray(sc->a, sc->n + n + 1, sizeof *sc->a);
	memcpy(sc->a + sc->n, parsed, n * sizeof *parsed);
	sc->n += n;
	queued = sc->n;
	pthread_mutex_unlock(&s->mu);
	free(parsed);
	snprintf(reply, sizeof reply, "{\"ok\":true,\"queued\":%zu}", queued);
	fw_send(conn, 200, "application/json", NULL, reply, strlen(reply));
}

static void ctl_mode(struct slack *s, struct mg_connection *conn, const cJSON *j)
{
	const char *path = ctl_path(conn, j);
	long until = 0, for_ms = 0;
	struct answer a;
	const char *err = NULL;
	struct mode *m;

	if (!path)
		return;
	if (fw_json_long(j, "until_ms", 0, LONG_MAX, &until) < 0 ||
	    fw_json_long(j, "for_ms", 0, LONG_MAX / 2, &for_ms) < 0) {
		fw_send_error(conn, 400, "until_ms (epoch ms) / for_ms must be integers >= 0");
		return;
	}
	if (for_ms > 0)
		until = (long)(fw_now_ms() + for_ms);
	/* Absent or 0 code clears the mode; otherwise it is an answer object. */
	{
		long code = 0;
		if (fw_json_long(j, "code", 0, 599, &code) < 0) {
			fw_send_error(conn, 400, "code must be 100..599 (0 clears)");
			return;
		}
		if (code == 0) {
			pthread_mutex_lock(&s->mu);
			for (struct mode **pp = &s->modes; *pp;) {
				if (strcmp((*pp)->path, path) == 0) {
					m = *pp;
					*pp = m->next;
					free(m->a.body);
					free(m->path);
					free(m);
				} else {
					pp = &(*pp)->next;
				}
			}
			pthread_mutex_unlock(&s->mu);
			fw_send_ok(conn);
			return;
		}
	}
	if (answer_from_json(j, &a, &err) != 0) {
		fw_send_error(conn, 400, err);
		return;
	}
	pthread_mutex_lock(&s->mu);
	for (m = s->modes; m && strcmp(m->path, path) != 0; m = m->next)
		;
	if (!m) {
		m = xcalloc(1, sizeof *m);
		m->path = xstrdup(path);
		m->next = s->modes;
		s->modes = m;
	}
	free(m->a.body);
	m->a = a;
	m->until_ms = until;
	pthread_mutex_unlock(&s->mu);
	fw_send_ok(conn);
}

/* The recorded lines as one JSON array; ?path=P and ?since=SEQ filter. */
static void ctl_requests(struct slack *s, struct mg_connection *conn)
{
	char path[4096], since_s[32];
	int by_path = fw_query(conn, "path", path, sizeof path) == 0;
	long since = 0;
	struct buf b;
	int first = 1;

	if (fw_query(conn, "since", since_s, sizeof since_s) == 0 &&
	    fw_parse_long(since_s, 0, LONG_MAX, &since) != 0) {
		fw_send_error(conn, 400, "since must be a sequence number");
		return;
	}
	buf_init(&b, 0);
	buf_putc(&b, '[');
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nrecs; i++) {
		if (s->recs[i].seq <= since || (by_path && strcmp(s->recs[i].path, path) != 0))
			continue;
		if (!first)
			buf_putc(&b, ',');
		first = 0;
		buf_puts(&b, s->recs[i].line);
	}
	pthread_mutex_unlock(&s->mu);
	buf_putc(&b, ']');
	fw_send(conn, 200, "application/json", NULL, b.data, b.len);
	buf_release(&b);
}

static void clear_all_locked(struct slack *s)
{
	for (size_t i = 0; i < s->nrecs; i++) {
		free(s->recs[i].path);
		cJSON_free(s->recs[i].line);
	}
	free(s->recs);
	s->recs = NULL;
	s->nrecs = 0;
	while (s->scripts) {
		struct script *sc = s->scripts;
		s->scripts = sc->next;
		script_free_answers(sc);
		free(sc->path);
		free(sc);
	}
	while (s->modes) {
		struct mode *m = s->modes;
		s->modes = m->next;
		free(m->a.body);
		free(m->path);
		free(m);
	}
	s->seq = 0;
}

static void ctl_reset(struct slack *s, struct mg_connection *conn)
{
	pthread_mutex_lock(&s->mu);
	clear_all_locked(s);
	/* The file restarts too, so it always equals GET /_control/requests. */
	fflush(s->log);
	if (ftruncate(fileno(s->log), 0) != 0)
		log_warn("cannot truncate the request log: %s", strerror(errno));
	rewind(s->log);
	pthread_mutex_unlock(&s->mu);
	fw_send_ok(conn);
}

static int control(struct slack *s, struct mg_connection *conn, const char *what)
{
	const char *method = mg_get_request_info(conn)->request_method;
	cJSON *j;

	if (strcmp(what, "requests") == 0 || strcmp(what, "health") == 0) {
		if (strcmp(method, "GET") != 0) {
			fw_send_error(conn, 405, "use GET");
			return 405;
		}
		if (what[0] == 'r') {
			ctl_requests(s, conn);
		} else {
			char h[128];
			long long n;
			pthread_mutex_lock(&s->mu);
			n = s->seq;
			pthread_mutex_unlock(&s->mu);
			snprintf(h, sizeof h, "{\"ok\":true,\"port\":%d,\"requests\":%lld}",
				 s->port, n);
			fw_send(conn, 200, "application/json", NULL, h, strlen(h));
		}
		return 200;
	}
	if (strcmp(method, "POST") != 0) {
		fw_send_error(conn, 405, "use POST");
		return 405;
	}
	if (strcmp(what, "reset") == 0) {
		ctl_reset(s, conn);
		return 200;
	}
	if (strcmp(what, "script") != 0 && strcmp(what, "mode") != 0) {
		fw_send_error(conn, 404, "unknown control endpoint");
		return 404;
	}
	if (!(j = fw_read_json_object(conn, BODY_LIMIT)))
		return 400;
	if (what[0] == 's')
		ctl_script(s, conn, j);
	else
		ctl_mode(s, conn, j);
	cJSON_Delete(j);
	return 200;
}

static int on_request(struct mg_connection *conn)
{
	struct slack *s = mg_get_request_info(conn)->user_data;
	const char *path = fw_path(conn);

	if (strncmp(path, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0)
		return control(s, conn, path + strlen(CONTROL_PREFIX));
	return hook(s, conn, path);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: fakeslack --log FILE [--port N|0] [--port-file F] [--lenient] [--threads N]\n"
	      "  Records every request on any path as a JSON line in FILE (truncated at start).\n"
	      "  --lenient  flag Block Kit limit violations but still answer normally\n"
	      "control (JSON over HTTP):\n"
	      "  POST /_control/script "
	      "{\"path\":\"/hook\"|\"*\",\"answers\":[{\"code\",\"retry_after\",\n"
	      "                         \"delay_ms\",\"drop\",\"body\"},...],\"append\"?:bool}\n"
	      "  POST /_control/mode   "
	      "{\"path\",\"code\",\"until_ms\"|\"for_ms\",\"retry_after\"?,\"delay_ms\"?}\n"
	      "                        (code 0 clears)\n"
	      "  GET  /_control/requests[?path=P&since=SEQ]   GET /_control/health\n"
	      "  POST /_control/reset\n",
	      f);
}

int main(int argc, char **argv)
{
	struct slack s;
	struct fw_server srv = {0};
	struct mg_callbacks cbs;
	const char *port_file = NULL, *log_path = NULL;
	long port = 0, threads = DEFAULT_THREADS;
	int lenient = 0, sig;

	/* First, so a SIGTERM that races start-up still ends in a clean exit. */
	fw_block_signals();
	log_init("fakeslack", LOG_LVL_INFO, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--lenient") == 0) {
			lenient = 1;
			continue;
		}
		if (!val) {
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--port") == 0) {
			if (fw_parse_long(val, 0, 65535, &port) != 0) {
				fprintf(stderr, "fakeslack: bad --port %s\n", val);
				return 2;
			}
		} else if (strcmp(a, "--threads") == 0) {
			if (fw_parse_long(val, 8, 1024, &threads) != 0) {
				fprintf(stderr, "fakeslack: --threads wants 8..1024\n");
				return 2;
			}
		} else if (strcmp(a, "--port-file") == 0) {
			port_file = val;
		} else if (strcmp(a, "--log") == 0) {
			log_path = val;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!log_path) {
		usage(stderr);
		return 2;
	}

	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.mu, NULL);
	s.lenient = lenient;
	if (!(s.log = fopen(log_path, "w"))) {
		log_error("cannot open %s: %s", log_path, strerror(errno));
		return 1;
	}

	memset(&cbs, 0, sizeof cbs);
	cbs.begin_request = on_request;
	if (fw_start(&srv, &cbs, &s, (int)port, (int)threads) != 0)
		return 1;
	pthread_mutex_lock(&s.mu);
	s.port = srv.port;
	pthread_mutex_unlock(&s.mu);
	if (fw_announce_port(port_file, srv.port) != 0) {
		fw_stop(&srv);
		return 1;
	}
	log_info("listening on 127.0.0.1:%d, recording to %s%s", srv.port, log_path,
		 lenient ? " (lenient)" : "");
	sig = fw_wait_signal();
	log_info("signal %d: stopping", sig);
	fw_stop(&srv);
	mg_exit_library();

	clear_all_locked(&s);
	fclose(s.log);
	pthread_mutex_destroy(&s.mu);
	return 0;
}
