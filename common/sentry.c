/*
 * sentry: envelopes to Sentry from a sender thread (see sentry.h).
 *
 * Locking: one mutex guards the queue, the counters, the rate limiter and
 * the current endpoint; it is never held across I/O. sentry_capture() runs
 * in whatever thread logged, so it does the least it can: check, format,
 * enqueue. The sender thread marks itself so that its own log lines (it
 * only ever logs warnings, but a failing allocation logs an error) can
 * never come back into the queue.
 */
#include "sentry.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "httpc.h"
#include "metrics.h"
#include "timeutil.h"
#include "xalloc.h"

/* Longest wait for Sentry's answer; the sender is the only one waiting. */
#define SENTRY_HTTP_TIMEOUT_S 10
/* Sentry's default when a 429 carries no Retry-After. */
#define SENTRY_DEFAULT_RETRY_S 60
/* At most one "events dropped" warning this often. */
#define SENTRY_DROP_WARN_S 60
/* The longest text scrubbed; a longer one is sent as a note, never part of
 * it unscrubbed. Far above SENTRY_EVENT_MAX, which clips what is sent. */
#define SENTRY_SCRUB_CAP (16 * 1024 * 1024)
#define SENTRY_SCRUB_TOO_LONG "[REDACTED: longer than SENTRY_SCRUB_CAP]"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static atomic_int enabled;
static _Thread_local int on_sender; /* this thread must not report */

/* Guarded by mu. */
static char *env_url;  /* https://host/api/PROJECT/envelope/ */
static char *env_auth; /* X-Sentry-Auth: ... */
static char *env_dsn;
static char *ev_daemon;
static char *ev_environment;
static char host[256];
static char *queue[SENTRY_QUEUE_MAX];
static size_t q_head, q_len;
static struct sentry_stats st;
static int burst = SENTRY_BURST, per_minute = SENTRY_PER_MINUTE;
static double tokens = SENTRY_BURST;
static int64_t tokens_at_ms;
static int64_t retry_until_ms; /* Sentry said 429 until then */
static int thread_started, stopping;
static int in_flight;		  /* the sender is POSTing */
static atomic_int abort_transfer; /* shutdown deadline passed: give up the POST */
static pthread_t sender;
static unsigned long drops_reported;
static int64_t drop_warned_ms;
static unsigned long published[6]; /* counters already added to the metric */
static char **secret_v;		   /* strings never to leave the host (sentry_set_secrets) */
static size_t secret_n;

/* The crash marker path, ready for the signal handler (no allocation there). */
static char marker[4096];
static int handlers_installed;
static char *altstack;

static const char *const level_names[] = {"debug", "info", "warning", "error", "fatal"};

/* ---- DSN ------------------------------------------------------------------ */

/*
 * {PROTOCOL}://{PUBLIC_KEY}[:{SECRET}]@{HOST}[:{PORT}]{PATH}/{PROJECT_ID}
 * -> envelope URL and auth header. 0, or -1 with *err.
 */
static int parse_dsn(const char *dsn, char **url, char **auth, char **err)
{
	*url = *auth = NULL;
	const char *scheme_end = strstr(dsn, "://");
	if (!scheme_end || (strncasecmp(dsn, "http://", 7) && strncasecmp(dsn, "https://", 8))) {
		*err = xstrdup("not an http(s) URL");
		return -1;
	}
	const char *p = scheme_end + 3;
	const char *at = strchr(p, '@');
	const char *slash = strchr(p, '/');
	if (!at || (slash && at > slash) || at == p) {
		*err = xstrdup("no public key (expected https://KEY@HOST/PROJECT_ID)");
		return -1;
	}
	size_t keylen = strcspn(p, ":@");
	const char *hostp = at + 1;
	const char *last = strrchr(hostp, '/');
	if (!slash || !last || !last[1]) {
		*err = xstrdup("no project id (expected https://KEY@HOST/PROJECT_ID)");
		return -1;
	}
	for (const char *c = last + 1; *c; c++) {
		if (*c < '0' || *c > '9') {
			*err =
			    xstrdup("the project id (the last part of the path) is not a number");
			return -1;
		}
	}
	if (last == hostp || strpbrk(dsn, " \t\r\n\"")) {
		*err = xstrdup("malformed");
		return -1;
	}
	/* host[:port][/path] is hostp .. last; the project id follows. */
	*url = xasprintf("%.*s%.*s/api/%s/envelope/", (int)(scheme_end + 3 - dsn), dsn,
			 (int)(last - hostp), hostp, last + 1);
	*auth = xasprintf("X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%.*s, "
			  "sentry_client=itstatus/%s",
			  (int)keylen, p, ITSTATUS_VERSION);
	return 0;
}

int sentry_dsn_check(const char *dsn, char **err)
{
	char *u, *a;
	*err = NULL;
	if (parse_dsn(dsn, &u, &a, err) < 0)
		return -1;
	free(u);
	free(a);
	return 0;
}

/* ---- events --------------------------------------------------------------- */

static void event_id(char out[33])
{
	static atomic_uint_fast64_t seq;
	static uint64_t seed;
	if (!seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed =
		    ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			uint64_t r = 0;
			if (read(fd, &r, sizeof r) == (ssize_t)sizeof r)
				seed ^= r;
			close(fd);
		}
	}
	/* splitmix64 of seed + a counter: unique per process, random enough
	 * across processes for an id Sentry only uses to deduplicate. */
	uint64_t x[2];
	for (int i = 0; i < 2; i++) {
		uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (atomic_fetch_add(&seq, 1) + 1);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		x[i] = z ^ (z >> 31);
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)x[0], (unsigned long long)x[1]);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one
 * (bad lead byte, truncated, overlong, surrogate, above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
	if (!n || p[0] > 0xF4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
	    (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
		return 0;
	return n;
}

/*
 * s cut to at most max bytes on a character boundary, every byte that is not
 * part of valid UTF-8 replaced by U+FFFD: Sentry refuses an envelope whose
 * JSON is not UTF-8, and log lines can quote what a vendor sent. Caller frees.
 */
static char *clip(const char *s, size_t max)
{
	struct buf b;
	buf_init(&b, max); /* the loop stops before the cap: no append can fail */
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_seq(p);
		const char *put = n ? (const char *)p : "\xEF\xBF\xBD";
		size_t len = n ? n : 3;
		if (b.len + len > max)
			break;
		buf_append(&b, put, len);
		p += n ? n : 1;
	}
	if (!b.data)
		buf_append(&b, "", 0);
	return buf_steal(&b);
}

/*
 * The old tool's scrubbing, kept for secrets itstatus does not know about:
 * whatever follows "hooks.slack.com/services/", "Bearer " or "authorization:"
 * up to a blank or quote becomes [REDACTED]. Takes s; returns it or a new
 * string (caller frees).
 */
static char *scrub_patterns(char *s)
{
	static const char *const pats[] = {"hooks.slack.com/services/", "bearer ",
					   "authorization:"};
	for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
		size_t pl = strlen(pats[k]);
		struct buf b;
		buf_init(&b, SENTRY_SCRUB_CAP);
		const char *p = s;
		int hit = 0;
		for (const char *q = s; *q; q++) {
			if (strncasecmp(q, pats[k], pl))
				continue;
			const char *v = q + pl;
			while (*v == ' ')
				v++;
			size_t vl = strcspn(v, " \t\r\n\"',;");
			if (!vl)
				continue;
			/* "Authorization: Basic xyz": the credential follows the scheme. */
			if (k == 2 && v[vl] == ' ' &&
			    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz") == vl)
				vl += 1 + strcspn(v + vl + 1, " \t\r\n\"',;");
			buf_append(&b, p, (size_t)(v - p));
			buf_puts(&b, "[REDACTED]");
			p = v + vl;
			q = p - 1;
			hit = 1;
		}
		if (!hit) {
			buf_release(&b);
			continue;
		}
		buf_puts(&b, p);
		free(s);
		/* Not buf_check: logging here would report to Sentry under mu. */
		if (b.overflowed) {
			buf_release(&b);
			return xstrdup(SENTRY_SCRUB_TOO_LONG);
		}
		s = buf_steal(&b);
	}
	return s;
}

/* s with every configured secret replaced by [REDACTED], then scrub_patterns
 * (caller frees). mu held. */
static char *scrub(const char *s)
{
	char *out = xstrdup(s);
	for (size_t i = 0; i < secret_n; i++) {
		const char *needle = secret_v[i];
		size_t nl = strlen(needle);
		char *hit = strstr(out, needle);
		if (!hit)
			continue;
		struct buf b;
		buf_init(&b, SENTRY_SCRUB_CAP);
		const char *p = out;
		for (; hit; p = hit + nl, hit = strstr(p, needle)) {
			buf_append(&b, p, (size_t)(hit - p));
			buf_puts(&b, "[REDACTED]");
		}
		buf_puts(&b, p);
		free(out);
		if (b.overflowed) { /* not buf_check: see scrub_patterns */
			buf_release(&b);
			return xstrdup(SENTRY_SCRUB_TOO_LONG);
		}
		out = buf_steal(&b);
	}
	return scrub_patterns(out);
}

/*
 * One envelope holding one event (caller frees):
 *   {"event_id":..,"sent_at":..}\n{"type":"event","length":N}\n{event}\n
 * Called with mu held (reads ev_daemon, ev_environment).
 */
static char *envelope(const char *level, const char *msg, const char *const *kv,
		      const char *const *tags)
{
	char id[33], ts[TS_ISO_LEN + 1];
	event_id(id);
	ts_now_iso(ts);
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "event_id", id);
	cJSON_AddStringToObject(ev, "timestamp", ts);
	cJSON_AddStringToObject(ev, "platform", "c");
	cJSON_AddStringToObject(ev, "level", level);
	cJSON_AddStringToObject(ev, "logger", ev_daemon);
	cJSON_AddStringToObject(ev, "server_name", host);
	char *rel = xasprintf("itstatus@%s", ITSTATUS_VERSION);
	cJSON_AddStringToObject(ev, "release", rel);
	free(rel);
	cJSON_AddStringToObject(ev, "environment", ev_environment);
	cJSON *m = cJSON_AddObjectToObject(ev, "message");
	char *sm = scrub(msg);
	char *cm = clip(sm, SENTRY_EVENT_MAX / 2);
	cJSON_AddStringToObject(m, "formatted", cm);
	free(cm);
	free(sm);
	cJSON *t = cJSON_AddObjectToObject(ev, "tags");
	cJSON_AddStringToObject(t, "daemon", ev_daemon);
	for (size_t i = 0; tags && tags[i]; i += 2)
		cJSON_AddStringToObject(t, tags[i], tags[i + 1]);
	cJSON *x = cJSON_AddObjectToObject(ev, "extra");
	size_t budget = SENTRY_EVENT_MAX / 2;
	for (size_t i = 0; kv && kv[i]; i += 2) {
		if (cJSON_GetObjectItemCaseSensitive(x, kv[i]))
			continue; /* a repeated key keeps its first value */
		if (!kv[i + 1]) {
			cJSON_AddNullToObject(x, kv[i]);
			continue;
		}
		char *sv = scrub(kv[i + 1]);
		char *v = clip(sv, budget);
		budget -= strlen(v);
		cJSON_AddStringToObject(x, kv[i], v);
		free(v);
		free(sv);
	}
	cJSON *sdk = cJSON_AddObjectToObject(ev, "sdk");
	cJSON_AddStringToObject(sdk, "name", "itstatus.sentry");
	cJSON_AddStringToObject(sdk, "version", ITSTATUS_VERSION);
	char *payload = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	char *out = xasprintf("{\"event_id\":\"%s\",\"sent_at\":\"%s\"}\n"
			      "{\"type\":\"event\",\"length\":%zu}\n%s\n",
			      id, ts, strlen(payload), payload);
	cJSON_free(payload);
	return out;
}

/* Take one rate-limit token; 1 if allowed. mu held. */
static int take_token(void)
{
	int64_t now = ts_mono_ms();
	if (now < retry_until_ms)
		return 0;
	if (tokens_at_ms)
		tokens += (double)(now - tokens_at_ms) * per_minute / 60000.0;
	tokens_at_ms = now;
	if (tokens > burst)
		tokens = burst;
	if (tokens < 1.0)
		return 0;
	tokens -= 1.0;
	return 1;
}

/* Queue an envelope (mu held); takes ownership. */
static void push(char *env)
{
	if (q_len == SENTRY_QUEUE_MAX) {
		st.dropped_full++;
		free(env);
		return;
	}
	queue[(q_head + q_len) % SENTRY_QUEUE_MAX] = env;
	q_len++;
	st.queued++;
	pthread_cond_broadcast(&cv); /* the sender, not only a waiting shutdown */
}

void sentry_capture(enum log_level lvl, const char *msg, const char *const *kv)
{
	if (!atomic_load_explicit(&enabled, memory_order_relaxed) || on_sender ||
	    lvl < LOG_LVL_ERROR)
		return;
	on_sender = 1; /* nothing below may report itself */
	pthread_mutex_lock(&mu);
	if (env_url) {
		st.captured++;
		if (!take_token())
			st.dropped_rate++;
		else if (q_len == SENTRY_QUEUE_MAX)
			st.dropped_full++; /* do not even format it */
		else
			push(envelope(level_names[lvl], msg, kv, NULL));
	}
	pthread_mutex_unlock(&mu);
	on_sender = 0;
}

/* ---- sender --------------------------------------------------------------- */

static int progress_cb(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)ud;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&abort_transfer);
}

/* POST one envelope; returns the HTTP status (0 when none) and, when a
 * Retry-After came (the shared parser and cap of common/timeutil.h), its
 * seconds rounded up in *retry_s (a zero or unreadable value leaves it). */
static long post(CURL *c, const char *url, const char *auth, const char *body, long *retry_s)
{
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/x-sentry-envelope");
	h = curl_slist_append(h, auth);
	const struct httpc_opts o = {.connect_timeout_ms = 5000,
				     .timeout_ms = SENTRY_HTTP_TIMEOUT_S * 1000L};
	struct httpc_resp r = {0};
	httpc_setup(c, &o, &r, NULL); /* Sentry's answer body is not read */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	long code = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		code = httpc_status(c);
	if (r.retry_after_ms > 0)
		*retry_s = (long)((r.retry_after_ms + 999) / 1000);
	httpc_resp_release(&r);
	curl_slist_free_all(h);
	return code;
}

/* Add counter changes since the last call to the metric. mu held; it is
 * released around the metrics calls, which take the metrics lock. */
static void publish_locked(void)
{
	static const char *const outcomes[] = {"queued",       "sent",	       "failed",
					       "dropped_full", "dropped_rate", "captured"};
	unsigned long now[6] = {st.queued,	 st.sent,	  st.failed,
				st.dropped_full, st.dropped_rate, st.captured};
	unsigned long delta[6];
	int any = 0;
	for (int i = 0; i < 6; i++) {
		delta[i] = now[i] - published[i];
		published[i] = now[i];
		any |= delta[i] != 0;
	}
	if (!any)
		return;
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 6; i++) {
		if (!delta[i])
			continue;
		met_add(MET_SENTRY_EVENTS_TOTAL, (double)delta[i], outcomes[i]);
	}
	pthread_mutex_lock(&mu);
}

/* Warn about drops at most every SENTRY_DROP_WARN_S (mu held; unlocks to log). */
static void warn_drops_locked(void)
{
	unsigned long drops = st.dropped_full + st.dropped_rate;
	int64_t now = ts_mono_ms();
	if (drops == drops_reported ||
	    (drop_warned_ms && now - drop_warned_ms < SENTRY_DROP_WARN_S * 1000LL))
		return;
	unsigned long full = st.dropped_full, rate = st.dropped_rate;
	drops_reported = drops;
	drop_warned_ms = now;
	pthread_mutex_unlock(&mu);
	log_warn("sentry: %lu error events not sent so far (%lu queue full, %lu rate limit)", drops,
		 full, rate);
	pthread_mutex_lock(&mu);
}

static void *sender_main(void *arg)
{
	(void)arg;
	on_sender = 1;
	CURL *c = curl_easy_init();
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!q_len && !stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 5;
			pthread_cond_timedwait(&cv, &mu, &ts);
			publish_locked();
			warn_drops_locked();
		}
		if (!q_len && stopping)
			break;
		char *body = queue[q_head];
		q_head = (q_head + 1) % SENTRY_QUEUE_MAX;
		q_len--;
		pthread_cond_broadcast(&cv); /* sentry_shutdown waits for an empty queue */
		if (!env_url || ts_mono_ms() < retry_until_ms) {
			st.dropped_rate += env_url != NULL;
			free(body);
			continue;
		}
		char *url = xstrdup(env_url), *auth = xstrdup(env_auth);
		in_flight = 1;
		pthread_mutex_unlock(&mu);
		long retry_s = 0;
		long code = c ? post(c, url, auth, body, &retry_s) : 0;
		free(url);
		free(auth);
		free(body);
		pthread_mutex_lock(&mu);
		in_flight = 0;
		pthread_cond_broadcast(&cv);
		if (code >= 200 && code < 300) {
			st.sent++;
		} else {
			st.failed++;
			if (code == 429)
				retry_until_ms =
				    ts_mono_ms() +
				    1000LL * (retry_s ? retry_s : SENTRY_DEFAULT_RETRY_S);
			if (st.failed == 1 || st.failed % 100 == 0) {
				unsigned long failed = st.failed;
				pthread_mutex_unlock(&mu);
				log_warn("sentry: an event was not accepted (HTTP %ld; %lu so far)",
					 code, failed);
				pthread_mutex_lock(&mu);
			}
		}
		publish_locked();
		warn_drops_locked();
	}
	publish_locked();
	pthread_mutex_unlock(&mu);
	if (c)
		curl_easy_cleanup(c);
	return NULL;
}

/* ---- crash marker ---------------------------------------------------------- */

/* Decimal of v into p (async-signal-safe); returns the length. */
static size_t put_ulong(char *p, unsigned long v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static void on_fatal(int sig)
{
	/* Only async-signal-safe calls: open, write, close, time, getpid, raise. */
	int saved = errno;
	int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		char b[128];
		size_t n = 0;
		memcpy(b + n, "signal=", 7);
		n += 7;
		n += put_ulong(b + n, (unsigned long)sig);
		memcpy(b + n, "\ntime=", 6);
		n += 6;
		n += put_ulong(b + n, (unsigned long)time(NULL));
		memcpy(b + n, "\npid=", 5);
		n += 5;
		n += put_ulong(b + n, (unsigned long)getpid());
		b[n++] = '\n';
		ssize_t w = write(fd, b, n);
		(void)w;
		close(fd);
	}
	errno = saved;
	/* SA_RESETHAND restored the default action: die of the same signal. */
	raise(sig);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void install_handlers(void)
{
	if (handlers_installed)
		return;
	if (!altstack) { /* so a stack overflow can still write the marker */
		size_t sz = 64 * 1024;
		altstack = xmalloc(sz);
		stack_t ss = {.ss_sp = altstack, .ss_size = sz, .ss_flags = 0};
		sigaltstack(&ss, NULL);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		sigaction(fatal_signals[i], &sa, NULL);
	handlers_installed = 1;
}

static void remove_handlers(void)
{
	if (!handlers_installed)
		return;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		signal(fatal_signals[i], SIG_DFL);
	handlers_installed = 0;
}

/* A marker from the previous run: report it (mu held) and remove it. */
static void report_marker_locked(void)
{
	FILE *f = fopen(marker, "r");
	if (!f)
		return;
	long sig = 0, when = 0, pid = 0;
	char line[128];
	while (fgets(line, sizeof line, f)) {
		char *end;
		if (!strncmp(line, "signal=", 7))
			sig = strtol(line + 7, &end, 10);
		else if (!strncmp(line, "time=", 5))
			when = strtol(line + 5, &end, 10);
		else if (!strncmp(line, "pid=", 4))
			pid = strtol(line + 4, &end, 10);
	}
	fclose(f);
	char at[TS_ISO_LEN + 1], sigs[16], pids[24];
	ts_format((int64_t)when * 1000, at);
	snprintf(sigs, sizeof sigs, "%ld", sig);
	snprintf(pids, sizeof pids, "%ld", pid);
	const char *name = sig > 0 && sig < NSIG ? strsignal((int)sig) : "unknown signal";
	char *msg = xasprintf("%s ended by signal %ld (%s) at %s", ev_daemon, sig, name, at);
	const char *kv[] = {"signal", sigs, "crashed_at", at, "pid", pids, "marker", marker, NULL};
	const char *tags[] = {"crash", "true", NULL};
	/* Outside the rate limit: it is one event, and the most important one. */
	st.captured++;
	push(envelope("fatal", msg, kv, tags));
	unlink(marker);
	pthread_mutex_unlock(&mu);
	log_warn("%s; reported to Sentry", msg);
	pthread_mutex_lock(&mu);
	free(msg);
}

/* ---- set-up ---------------------------------------------------------------- */

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* Leaving: up to 2 s for what is queued, then stop the sender. */
static void sentry_at_exit(void)
{
	sentry_shutdown(2000);
}

int sentry_configure(const char *daemon, const char *dsn, const char *environment,
		     const char *crash_dir, char **err)
{
	*err = NULL;
	char *url = NULL, *auth = NULL;
	if (dsn && *dsn && parse_dsn(dsn, &url, &auth, err) < 0)
		dsn = NULL;
	pthread_mutex_lock(&mu);
	int first = !env_dsn && url;
	set_str(&env_dsn, url ? dsn : NULL);
	free(env_url);
	free(env_auth);
	env_url = url;
	env_auth = auth;
	set_str(&ev_daemon, daemon ? daemon : "itstatus");
	set_str(&ev_environment, environment && *environment ? environment : "production");
	if (!host[0] && gethostname(host, sizeof host - 1) < 0)
		snprintf(host, sizeof host, "unknown");
	snprintf(marker, sizeof marker, "%s/%s.crash", crash_dir && *crash_dir ? crash_dir : ".",
		 ev_daemon);
	if (url) {
		install_handlers();
		if (!thread_started) {
			static int at_exit;
			if (!at_exit && atexit(sentry_at_exit) == 0)
				at_exit = 1;
			curl_global_init(CURL_GLOBAL_DEFAULT);
			stopping = 0;
			if (pthread_create(&sender, NULL, sender_main, NULL) == 0)
				thread_started = 1;
		}
		if (first)
			report_marker_locked();
	} else {
		remove_handlers();
	}
	atomic_store(&enabled, url != NULL && thread_started);
	pthread_mutex_unlock(&mu);
	return *err ? -1 : 0;
}

void sentry_shutdown(int wait_ms)
{
	atomic_store(&enabled, 0);
	pthread_mutex_lock(&mu);
	if (!thread_started) {
		pthread_mutex_unlock(&mu);
		return;
	}
	int64_t deadline = ts_mono_ms() + wait_ms;
	while ((q_len || in_flight) && ts_mono_ms() < deadline) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	/* What is still queued is dropped: the process is leaving. */
	while (q_len) {
		free(queue[q_head]);
		q_head = (q_head + 1) % SENTRY_QUEUE_MAX;
		q_len--;
		st.dropped_full++;
	}
	stopping = 1;
	atomic_store(&abort_transfer, 1); /* a POST in progress ends now */
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(sender, NULL);
	atomic_store(&abort_transfer, 0);
	pthread_mutex_lock(&mu);
	thread_started = 0;
	remove_handlers();
	free(env_url);
	free(env_auth);
	free(env_dsn);
	env_url = env_auth = env_dsn = NULL;
	pthread_mutex_unlock(&mu);
}

void sentry_set_secrets(const char *const *v, size_t n)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < secret_n; i++)
		free(secret_v[i]);
	free(secret_v);
	secret_v = NULL;
	secret_n = 0;
	for (size_t i = 0; i < n; i++) {
		/* Short strings would redact ordinary words; secrets are longer. */
		if (!v[i] || strlen(v[i]) < 6)
			continue;
		secret_v = xreallocarray(secret_v, secret_n + 2, sizeof *secret_v);
		secret_v[secret_n++] = xstrdup(v[i]);
		/* A URL secret (a webhook) is also secret without its scheme and
		 * host: a log line may show only its path. */
		const char *sep = strstr(v[i], "://");
		const char *path = sep ? strchr(sep + 3, '/') : NULL;
		if (path && strlen(path) >= 6)
			secret_v[secret_n++] = xstrdup(path);
	}
	pthread_mutex_unlock(&mu);
}

void sentry_set_limits(int b, int pm)
{
	pthread_mutex_lock(&mu);
	burst = b > 0 ? b : SENTRY_BURST;
	per_minute = pm > 0 ? pm : SENTRY_PER_MINUTE;
	tokens = burst;
	tokens_at_ms = 0;
	pthread_mutex_unlock(&mu);
}

void sentry_get_stats(struct sentry_stats *out)
{
	pthread_mutex_lock(&mu);
	*out = st;
	out->queue_len = q_len;
	pthread_mutex_unlock(&mu);
}
