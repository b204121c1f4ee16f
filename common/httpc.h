/*
 * httpc: the one HTTP client set-up of itstatus. pollerd's vendor GETs,
 * alertd's deliveries and healthcheck pings, and the Sentry sender all make
 * their libcurl easy handles with httpc_setup, so the user agent, timeouts,
 * TLS verification, redirect policy, body cap, accept-encoding and proxy
 * behaviour are decided here once; what differs between callers (timeouts,
 * body caps, redirects, connection reuse) is a field of struct httpc_opts,
 * not a copy. Each caller still owns its handle and how it is driven (a multi
 * handle in pollerd's cycle and alertd's loop, curl_easy_perform on Sentry's
 * thread): httpc only configures a handle and captures its answer.
 *
 * The answer is captured into a struct httpc_resp: the body into the caller's
 * buffer up to a cap (past it the transfer aborts, or the rest is swallowed),
 * the headers the callers use (Retry-After already parsed with the one cap of
 * common/timeutil.h, ETag, Last-Modified, Content-Type) of the final response
 * only, and curl's error text. httpc_failure_kind says what a failed transfer
 * was in the vocabulary's failure kinds, and httpc_backoff_ms is the one
 * exponential backoff with jitter.
 */
#ifndef ITSTATUS_HTTPC_H
#define ITSTATUS_HTTPC_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "vocab.h"

/* What the daemons say they are when the caller names nothing else. */
#define HTTPC_USER_AGENT "itstatus/" ITSTATUS_VERSION

/* What happens to a body past max_body. */
enum httpc_overflow {
	HTTPC_OVERFLOW_ABORT,	 /* the transfer fails (too_large): a reading we cannot trust */
	HTTPC_OVERFLOW_TRUNCATE, /* the start is kept, the rest read and dropped (log text) */
};

struct httpc_opts {
	const char *user_agent;	 /* NULL: HTTPC_USER_AGENT (curl copies it) */
	long connect_timeout_ms; /* 0: curl's default */
	long timeout_ms;	 /* the whole transfer; 0: none */
	long max_redirs;	 /* 0: a redirect is the answer; else followed, http(s) only */
	size_t max_body;	 /* bytes of body kept; 0: no cap */
	enum httpc_overflow overflow;
	int accept_encoding;  /* offer every encoding curl can decode */
	int fresh_connection; /* never reuse a connection, nor keep this one */
	int quick_exit;	      /* do not wait for a resolver thread when the handle goes */
};

/* One transfer's answer; zero it before its first httpc_setup. */
struct httpc_resp {
	struct buf *body; /* the caller's buffer, or NULL: bodies are discarded */
	int too_large;	  /* the body passed max_body and the transfer was aborted */
	/* of the final response (a redirect or a 1xx starts them afresh) */
	int64_t retry_after_ms; /* ms to wait (capped), -1 when absent or unreadable */
	char *etag, *last_modified, *content_type; /* owned; NULL when absent */
	char errbuf[CURL_ERROR_SIZE];
	/* set by httpc_setup */
	size_t max_body;
	enum httpc_overflow overflow;
};

/*
 * Reset e and configure it per o, with its answer captured into r and its
 * body appended to body (may be NULL). r and body must outlive the transfer;
 * r's previous header strings are freed. The caller adds the URL, its request
 * headers and body, and anything of its own (CURLOPT_PRIVATE, callbacks).
 */
void httpc_setup(CURL *e, const struct httpc_opts *o, struct httpc_resp *r, struct buf *body);
/* Free r's header strings (r stays reusable); the body buffer is the caller's. */
void httpc_resp_release(struct httpc_resp *r);
/* The final response's status, 0 when none came. */
long httpc_status(CURL *e);
/* Text of a failed transfer: curl's detailed message, else its code's text.
 * Points into r or at a static string. */
const char *httpc_error(const struct httpc_resp *r, int curl_code);

/*
 * What a transfer that did not bring a usable answer was, in the vocabulary's
 * words: too_large (over the cap, whatever else happened), timeout, any other
 * curl error is request_error (DNS, connect, reset, TLS, a refused redirect),
 * then by status http_5xx, http_4xx, and other (a 3xx, a 304 nobody asked
 * for). curl_code is a CURLcode; a 2xx with CURLE_OK is not a failure and
 * comes back as other.
 */
enum vc_failure_kind httpc_failure_kind(int curl_code, long status, int too_large);

/*
 * Exponential backoff with jitter. After attempt n (1-based) the step is
 * base_ms doubled n-1 times, at most cap_ms. spread_pct of the step is random
 * (the wait is between step - spread and step), and jitter_ms more is added
 * at random on top: pollerd spreads nothing and adds up to a second, alertd
 * waits between half and all of the step.
 */
struct httpc_backoff {
	int64_t base_ms, cap_ms;
	int spread_pct;	   /* 0..100 */
	int64_t jitter_ms; /* added on top, times rnd */
};
/* The wait after attempt n; rnd in [0,1) (clamped). Milliseconds. */
int64_t httpc_backoff_ms(const struct httpc_backoff *p, int attempt, double rnd);

#endif
