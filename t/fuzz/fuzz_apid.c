/*
 * fuzz_apid: libFuzzer target over what apid makes of a request before any
 * database work: the strict JSON reader (common/jsonck.c) and the admin
 * status and maintenance validators behind it, the Statuspage and Slack
 * signature checks (timestamps included), form fields and the Slack
 * interaction payload, query-string parameters, the X-Forwarded-For walk
 * and the CORS and response_url allow-lists. The first byte picks the
 * surface; the rest is split at newlines into the header values and the
 * body. Invariants: an accepted tree nests at most JSONCK_MAX_DEPTH deep and
 * prints back to JSON that the strict reader accepts again; validators either
 * accept or add at least one 422 item; a client address is the peer or one
 * of the X-Forwarded-For entries. Built by t/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "jsonck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_apid invariant broken: %s\n", what);
		abort();
	}
}

/* Depth of an accepted tree (recursion is fine here: it is bounded by what
 * was accepted, which is what this checks). */
static int tree_depth(const cJSON *n)
{
	int max = 0;
	for (const cJSON *c = n->child; c; c = c->next) {
		int d = tree_depth(c);
		if (d > max)
			max = d;
	}
	return max + (cJSON_IsArray(n) || cJSON_IsObject(n));
}

/* Parse strictly; when accepted, check the depth and the round trip. */
static cJSON *strict(const char *s, size_t n)
{
	const char *why = NULL;
	cJSON *v = jsonck_parse(s, n, JSONCK_STRICT, &why);
	check((v == NULL) == (why != NULL), "verdict and message disagree");
	if (!v)
		return NULL;
	check(tree_depth(v) <= JSONCK_MAX_DEPTH, "accepted tree deeper than the limit");
	char *out = cJSON_PrintUnformatted(v);
	if (out) {
		cJSON *again = jsonck_parse(out, strlen(out), JSONCK_STRICT, &why);
		check(again != NULL, "printed tree refused on the way back");
		cJSON_Delete(again);
		cJSON_free(out);
	}
	return v;
}

/* The next line of [*p, end) as a fresh string (caller frees). */
static char *line(const char **p, const char *end)
{
	const char *s = *p, *e = memchr(s, '\n', (size_t)(end - s));
	if (!e)
		e = end;
	*p = e < end ? e + 1 : end;
	char *out = malloc((size_t)(e - s) + 1);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return out;
}

static void validators(const char *s, size_t n, int which)
{
	cJSON *body = strict(s, n);
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		return;
	}
	cJSON *errs = cJSON_CreateArray();
	int rc;
	if (which == 0) {
		rc = admin_status_validate(body, errs);
	} else {
		struct maint_fields m;
		rc = admin_maint_validate(body, &m, errs);
		if (rc == 0) {
			int64_t ms;
			check(ts_parse(m.from, &ms) == 0, "scheduled_for not a date");
			check(!m.has_until || strcmp(m.until, m.from) > 0, "window ends first");
		}
	}
	check(rc == 0 ? cJSON_GetArraySize(errs) == 0 : cJSON_GetArraySize(errs) > 0,
	      "validator verdict and 422 items disagree");
	cJSON_Delete(errs);
	cJSON_Delete(body);
}

static const int64_t NOW_MS = INT64_C(1764000000000);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 256 * 1024)
		return 0;
	int mode = data[0] % 8;
	/* NUL-terminated copy: handlers always see terminated bodies. */
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	const char *p = buf, *end = buf + size - 1;
	switch (mode) {
	case 0:
	case 1:
		validators(buf, size - 1, mode);
		break;
	case 2: { /* Statuspage webhook: timestamp, signature, body */
		char *ts = line(&p, end), *sig = line(&p, end);
		int why = statuspage_verify("hook-secret", ts, sig, p, (size_t)(end - p), NOW_MS,
					    (int)(size & 1));
		check(why >= SP_SIG_OK && why <= SP_SIG_REPLAY, "unknown verdict");
		cJSON_Delete(strict(p, (size_t)(end - p)));
		free(ts);
		free(sig);
		break;
	}
	case 3: { /* Slack: timestamp, signature, form body */
		char *ts = line(&p, end), *sig = line(&p, end);
		size_t n = (size_t)(end - p);
		int why = slack_verify("slack-secret", ts, sig, p, n, NOW_MS);
		check(why >= SLACK_SIG_OK && why <= SLACK_SIG_REPLAY, "unknown verdict");
		static const char *const fields[] = {"payload", "command", "text"};
		for (size_t i = 0; i < 3; i++) {
			char *v = form_field(p, n, fields[i]);
			if (v) {
				check(strlen(v) <= n, "decoded field longer than the body");
				cJSON_Delete(strict(v, strlen(v)));
			}
			free(v);
		}
		free(ts);
		free(sig);
		break;
	}
	case 4: { /* query strings, as every list endpoint reads them */
		struct req r;
		memset(&r, 0, sizeof r);
		r.query = buf;
		char small[8], big[300];
		long v;
		cJSON *errs = cJSON_CreateArray();
		static const char *const names[] = {"limit", "service_id", "window", "cursor",
						    "days", "since"};
		for (size_t i = 0; i < 6; i++) {
			const char *f = q_filter(&r, names[i], big, sizeof big);
			check(!f || strlen(f) < sizeof big, "filter overflow");
			q_filter(&r, names[i], small, sizeof small);
			if (q_int(&r, names[i], 50, 1, 500, &v, errs) == 0)
				check(v >= 1 && v <= 500, "q_int out of its clamp");
		}
		cJSON_Delete(errs);
		break;
	}
	case 5: { /* X-Forwarded-For from a trusted or untrusted peer */
		char *peer = line(&p, end), *trusted = line(&p, end);
		char out[GUARD_ADDR_LEN];
		guard_client_addr(peer, p, trusted, out, sizeof out);
		/* (a real peer is at most INET6_ADDRSTRLEN; a longer one is cut) */
		check(!strncmp(out, peer, sizeof out - 1) || strstr(p, out) != NULL,
		      "client address neither the peer nor forwarded");
		guard_proxies_valid(trusted, NULL);
		free(peer);
		free(trusted);
		break;
	}
	case 6: { /* allow-lists: CORS origins, Slack response_url hosts */
		char *list = line(&p, end);
		struct cfg_settings cfg;
		memset(&cfg, 0, sizeof cfg);
		cfg.cors_origins = list;
		const char *o = cors_allowed(&cfg, p);
		check(!o || o == p, "CORS answered another origin");
		if (response_url_allowed(p, list))
			check(!strncmp(p, "https://", 8) && !strpbrk(p, "?#% "),
			      "response_url allowed with a query or escapes");
		free(list);
		break;
	}
	default: /* the lenient reader every daemon uses on stored rows */
		cJSON_Delete(jsonck_parse(buf, size - 1, JSONCK_LENIENT, NULL));
		check(jsonck_depth_ok(buf, size - 1, JSONCK_MAX_DEPTH) ||
			  !jsonck_parse(buf, size - 1, JSONCK_LENIENT, NULL),
		      "deep text accepted");
		break;
	}
	free(buf);
	return 0;
}
