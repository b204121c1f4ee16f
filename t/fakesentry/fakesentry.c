/*
 * fakesentry: a loopback stand-in for Sentry's ingestion endpoint,
 * POST /api/<project>/envelope/, that checks what the daemons send the way
 * Sentry would and records it. Each request becomes one JSON line in --log:
 * the parsed envelope header, every item (type, header, parsed payload), the
 * answer, and "problems" -- every way the request differs from Sentry's
 * envelope format (auth header, content type, line structure, item length,
 * event fields). A request with problems is answered 400, as Sentry does,
 * so a test that sends malformed envelopes fails loudly.
 *
 * For the "Sentry is slow" and "Sentry rate-limits us" cases it can hold
 * every request until released, or answer a fixed status (429 with
 * Retry-After) -- see usage().
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeweb.h"
#include "buf.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

#define CONTROL_PREFIX "/_control/"
#define BODY_LIMIT ((size_t)1 << 20)
#define THREADS 16

struct sentry {
	pthread_mutex_t mu;
	FILE *log;
	const char *key;
	long project;
	long long seq;
	int hold;		/* requests wait while set */
	int held;		/* requests waiting now */
	int code;		/* 0: judge the envelope; else answer this */
	char retry_after[32];	/* with code */
	long long received;	/* envelopes seen */
	long long valid;	/* ... without problems */
};

static void problem(cJSON *probs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(cJSON *probs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(probs, cJSON_CreateString(m));
	free(m);
}

static int is_hex32(const cJSON *v)
{
	if (!cJSON_IsString(v) || strlen(v->valuestring) != 32)
		return 0;
	for (const char *p = v->valuestring; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static int is_string_map(const cJSON *o)
{
	if (!cJSON_IsObject(o))
		return 0;
	for (const cJSON *c = o->child; c; c = c->next)
		if (!cJSON_IsString(c))
			return 0;
	return 1;
}

/* What Sentry requires of an event payload (and what itstatus promises). */
static void check_event(const cJSON *ev, const char *env_id, cJSON *probs)
{
	static const char *const levels[] = {"fatal", "error", "warning", "info", "debug"};
	if (!cJSON_IsObject(ev)) {
		problem(probs, "event payload is not a JSON object");
		return;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "event_id");
	if (!is_hex32(id))
		problem(probs, "event.event_id is not 32 lower-case hex digits");
	else if (env_id && strcmp(id->valuestring, env_id))
		problem(probs, "event.event_id differs from the envelope's");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
	int64_t ms;
	if (!(cJSON_IsNumber(ts) || (cJSON_IsString(ts) && ts_parse(ts->valuestring, &ms) == 0)))
		problem(probs, "event.timestamp is neither an RFC 3339 string nor a number");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(ev, "level");
	int ok = 0;
	for (size_t i = 0; cJSON_IsString(lvl) && i < 5; i++)
		ok |= !strcmp(lvl->valuestring, levels[i]);
	if (!ok)
		problem(probs, "event.level is not one of fatal, error, warning, info, debug");
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(ev, "platform");
	if (!cJSON_IsString(pl) || !*pl->valuestring)
		problem(probs, "event.platform missing");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ev, "message");
	const cJSON *mf = cJSON_GetObjectItemCaseSensitive(m, "formatted");
	if (!(cJSON_IsString(m) || cJSON_IsString(mf)))
		problem(probs, "event.message is neither a string nor {\"formatted\": string}");
	static const char *const strs[] = {"release", "environment", "logger", "server_name"};
	for (size_t i = 0; i < 4; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, strs[i]);
		if (v && !cJSON_IsString(v))
			problem(probs, "event.%s is not a string", strs[i]);
	}
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(ev, "tags");
	if (tags && !is_string_map(tags))
		problem(probs, "event.tags is not an object of strings");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(ev, "extra");
	if (extra && !cJSON_IsObject(extra))
		problem(probs, "event.extra is not an object");
}

/*
 * Parse an envelope: a header line, then items, each an item-header line
 * and a payload of "length" bytes (or up to the next newline without one).
 * Fills rec's "header" and "items"; every deviation goes to probs.
 */
static void parse_envelope(const char *b, size_t n, cJSON *rec, cJSON *probs)
{
	const char *end = b + n, *nl = memchr(b, '\n', n);
	size_t hl = nl ? (size_t)(nl - b) : n;
	cJSON *h = cJSON_ParseWithLength(b, hl);
	if (!cJSON_IsObject(h)) {
		problem(probs, "envelope header line is not a JSON object");
		cJSON_Delete(h);
		return;
	}
	cJSON_AddItemToObject(rec, "header", h);
	const cJSON *hid = cJSON_GetObjectItemCaseSensitive(h, "event_id");
	if (hid && !is_hex32(hid))
		problem(probs, "envelope header event_id is not 32 lower-case hex digits");
	cJSON *items = cJSON_AddArrayToObject(rec, "items");
	const char *p = nl ? nl + 1 : end;
	while (p < end) {
		if (*p == '\n') { /* blank lines between items are tolerated */
			p++;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			problem(probs, "item header without a payload");
			break;
		}
		cJSON *ih = cJSON_ParseWithLength(p, (size_t)(nl - p));
		if (!cJSON_IsObject(ih) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ih, "type"))) {
			problem(probs, "item header is not a JSON object with a \"type\"");
			cJSON_Delete(ih);
			break;
		}
		const char *pl = nl + 1;
		size_t plen;
		const cJSON *len = cJSON_GetObjectItemCaseSensitive(ih, "length");
		if (len) {
			if (!cJSON_IsNumber(len) || len->valuedouble < 0 ||
			    len->valuedouble > (double)(end - pl)) {
				problem(probs, "item length %g does not fit the %zu bytes left",
					cJSON_IsNumber(len) ? len->valuedouble : -1.0,
					(size_t)(end - pl));
				cJSON_Delete(ih);
				break;
			}
			plen = (size_t)len->valuedouble;
			if (pl + plen < end && pl[plen] != '\n')
				problem(probs, "item payload is not followed by a newline");
		} else {
			const char *e = memchr(pl, '\n', (size_t)(end - pl));
			plen = e ? (size_t)(e - pl) : (size_t)(end - pl);
		}
		cJSON *it = cJSON_CreateObject();
		const char *type = cJSON_GetObjectItemCaseSensitive(ih, "type")->valuestring;
		cJSON_AddStringToObject(it, "type", type);
		cJSON_AddItemToObject(it, "item_header", ih);
		cJSON *payload = cJSON_ParseWithLength(pl, plen);
		if (!strcmp(type, "event"))
			check_event(payload, cJSON_IsString(hid) ? hid->valuestring : NULL, probs);
		cJSON_AddItemToObject(it, "payload", payload ? payload : cJSON_CreateNull());
		cJSON_AddItemToArray(items, it);
		p = pl + plen;
		if (p < end && *p == '\n')
			p++;
	}
	if (cJSON_GetArraySize(items) == 0)
		problem(probs, "envelope has no items");
}

static int ingest(struct sentry *s, struct mg_connection *conn, const char *path)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct buf body;
	buf_init(&body, BODY_LIMIT);
	int too_large = fw_read_body(conn, &body) != 0;
	cJSON *rec = cJSON_CreateObject(), *probs = cJSON_CreateArray();

	char want_path[64];
	snprintf(want_path, sizeof want_path, "/api/%ld/envelope/", s->project);
	if (strcmp(ri->request_method, "POST"))
		problem(probs, "method %s, not POST", ri->request_method);
	if (strcmp(path, want_path))
		problem(probs, "path %s, not %s", path, want_path);
	const char *auth = mg_get_header(conn, "X-Sentry-Auth");
	char *want_key = xasprintf("sentry_key=%s", s->key);
	if (!auth || strncmp(auth, "Sentry ", 7) || !strstr(auth, "sentry_version=7") ||
	    !strstr(auth, want_key))
		problem(probs, "X-Sentry-Auth missing or without sentry_version=7, %s", want_key);
	free(want_key);
	const char *ct = mg_get_header(conn, "Content-Type");
	if (!ct || strcmp(ct, "application/x-sentry-envelope"))
		problem(probs, "Content-Type is %s, not application/x-sentry-envelope",
			ct ? ct : "missing");
	if (too_large)
		problem(probs, "body larger than %zu bytes", BODY_LIMIT);
	else
		parse_envelope(body.data ? body.data : "", body.len, rec, probs);

	pthread_mutex_lock(&s->mu);
	long long seq = ++s->seq;
	s->received++;
	s->held++;
	while (s->hold && !atomic_load(&fw_stopping)) {
		pthread_mutex_unlock(&s->mu);
		fw_sleep_ms(20);
		pthread_mutex_lock(&s->mu);
	}
	s->held--;
	int valid = cJSON_GetArraySize(probs) == 0;
	s->valid += valid;
	int code = s->code ? s->code : valid ? 200 : 400;
	char extra[96] = "";
	if (s->code && s->retry_after[0])
		snprintf(extra, sizeof extra, "Retry-After: %s\r\n", s->retry_after);
	cJSON_AddNumberToObject(rec, "seq", (double)seq);
	cJSON_AddNumberToObject(rec, "ts_ms", (double)fw_now_ms());
	cJSON_AddStringToObject(rec, "path", path);
	cJSON_AddNumberToObject(rec, "bytes", (double)body.len);
	cJSON_AddBoolToObject(rec, "valid", valid);
	cJSON_AddItemToObject(rec, "problems", probs);
	cJSON_AddNumberToObject(rec, "answered", code);
	char *line = cJSON_PrintUnformatted(rec);
	fputs(line, s->log);
	fputc('\n', s->log);
	fflush(s->log);
	pthread_mutex_unlock(&s->mu);
	cJSON_free(line);
	cJSON_Delete(rec);
	buf_release(&body);

	char answer[96];
	if (code == 200)
		snprintf(answer, sizeof answer, "{\"id\":\"%lld\"}", seq);
	else
		snprintf(answer, sizeof answer, "{\"detail\":\"answered %d\"}", code);
	fw_send(conn, code, "application/json", extra, answer, strlen(answer));
	return code;
}

static int control(struct sentry *s, struct mg_connection *conn, const char *what)
{
	struct buf b;
	cJSON *j = NULL;
	if (!strcmp(what, "stats")) {
		cJSON *o = cJSON_CreateObject();
		pthread_mutex_lock(&s->mu);
		cJSON_AddNumberToObject(o, "received", (double)s->received);
		cJSON_AddNumberToObject(o, "valid", (double)s->valid);
		cJSON_AddNumberToObject(o, "held", s->held);
		cJSON_AddBoolToObject(o, "hold", s->hold);
		pthread_mutex_unlock(&s->mu);
		fw_send_json(conn, 200, o);
		cJSON_Delete(o);
		return 200;
	}
	buf_init(&b, 4096);
	if (fw_read_body(conn, &b) != 0 || !(j = cJSON_ParseWithLength(b.data ? b.data : "", b.len)) ||
	    !cJSON_IsObject(j)) {
		fw_send_error(conn, 400, "a JSON object is required");
	} else if (!strcmp(what, "hold")) {
		pthread_mutex_lock(&s->mu);
		s->hold = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "hold"));
		pthread_mutex_unlock(&s->mu);
		fw_send_ok(conn);
	} else if (!strcmp(what, "answer")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
		const cJSON *ra = cJSON_GetObjectItemCaseSensitive(j, "retry_after");
		if (!cJSON_IsNumber(c) || c->valueint < 0 || c->valueint > 599 ||
		    (ra && (!cJSON_IsString(ra) || strlen(ra->valuestring) > 16))) {
			fw_send_error(conn, 400, "need \"code\": 0 or 100..599, \"retry_after\"?: str");
		} else {
			pthread_mutex_lock(&s->mu);
			s->code = c->valueint;
			snprintf(s->retry_after, sizeof s->retry_after, "%s",
				 ra ? ra->valuestring : "");
			pthread_mutex_unlock(&s->mu);
			fw_send_ok(conn);
		}
	} else {
		fw_send_error(conn, 404, "unknown control");
	}
	cJSON_Delete(j);
	buf_release(&b);
	return 200;
}

static int on_request(struct mg_connection *conn)
{
	struct sentry *s = mg_get_request_info(conn)->user_data;
	const char *path = fw_path(conn);
	if (!strncmp(path, CONTROL_PREFIX, strlen(CONTROL_PREFIX)))
		return control(s, conn, path + strlen(CONTROL_PREFIX));
	return ingest(s, conn, path);
}

static void usage(FILE *f)
{
	fputs("usage: fakesentry --log FILE [--port N|0] [--port-file F] [--key KEY] "
	      "[--project N]\n"
	      "  Takes envelopes at POST /api/N/envelope/ (default N 42) with sentry_key KEY\n"
	      "  (default public): DSN http://KEY@127.0.0.1:PORT/N. One JSON line per request\n"
	      "  in FILE: header, items, problems, answered (200 valid, 400 with problems).\n"
	      "control:\n"
	      "  POST /_control/hold   {\"hold\": true|false}  requests wait while true\n"
	      "  POST /_control/answer {\"code\": 429, \"retry_after\": \"2\"}  (code 0: judge)\n"
	      "  GET  /_control/stats  {received, valid, held, hold}\n",
	      f);
}

int main(int argc, char **argv)
{
	struct sentry s;
	struct fw_server srv = {0};
	struct mg_callbacks cbs;
	const char *port_file = NULL, *log_path = NULL, *key = "public";
	long port = 0, project = 42;

	fw_block_signals();
	log_init("fakesentry", LOG_LVL_INFO, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!val) {
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--port") && fw_parse_long(val, 0, 65535, &port) == 0)
			continue;
		if (!strcmp(a, "--project") && fw_parse_long(val, 1, 1000000000, &project) == 0)
			continue;
		if (!strcmp(a, "--port-file"))
			port_file = val;
		else if (!strcmp(a, "--log"))
			log_path = val;
		else if (!strcmp(a, "--key"))
			key = val;
		else {
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
	s.key = key;
	s.project = project;
	if (!(s.log = fopen(log_path, "w"))) {
		log_error("cannot open %s: %s", log_path, strerror(errno));
		return 1;
	}
	memset(&cbs, 0, sizeof cbs);
	cbs.begin_request = on_request;
	if (fw_start(&srv, &cbs, &s, (int)port, THREADS) != 0)
		return 1;
	if (fw_announce_port(port_file, srv.port) != 0) {
		fw_stop(&srv);
		return 1;
	}
	log_info("listening on 127.0.0.1:%d, DSN http://%s@127.0.0.1:%d/%ld", srv.port, key,
		 srv.port, project);
	int sig = fw_wait_signal();
	log_info("signal %d: stopping", sig);
	fw_stop(&srv);
	mg_exit_library();
	fclose(s.log);
	pthread_mutex_destroy(&s.mu);
	return 0;
}
