/*
 * sentry: error reports to Sentry (or a self-hosted GlitchTip / Sentry) when
 * SENTRY_DSN is set. Every log line at error level or above becomes one
 * Sentry event -- message, level, daemon, version (release itstatus@VERSION),
 * SENTRY_ENVIRONMENT, host name and the line's key/value fields -- sent in
 * Sentry's envelope format over libcurl (no Sentry C SDK is packaged for
 * Debian).
 *
 * Logging must never wait for Sentry: sentry_capture() only builds the
 * envelope and puts it on a bounded queue for one sender thread. It drops
 * the event instead when the queue is full (Sentry slow or unreachable), when
 * the rate limit is spent (SENTRY_BURST events at once, then
 * SENTRY_PER_MINUTE a minute) or while Sentry's own 429 Retry-After runs.
 * Drops are counted (sentry_get_stats, the metric
 * itstatus_sentry_events_total{outcome=...}) and reported as a warning.
 *
 * Events leave the host, so every configured secret (and a webhook URL's
 * path on its own) is replaced by [REDACTED] in the message and fields
 * before sending (sentry_set_secrets; daemon.c passes all of them), and so
 * is, as the old tool did, whatever follows "hooks.slack.com/services/",
 * "Bearer " or "Authorization:".
 *
 * A fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) leaves a marker
 * file <crash_dir>/<daemon>.crash, written from the signal handler with
 * async-signal-safe calls only; the next start sends it as a "fatal" event
 * and removes it. The handlers are installed only while a DSN is set (they
 * would hide sanitizer reports in tests otherwise).
 */
#ifndef ITSTATUS_SENTRY_H
#define ITSTATUS_SENTRY_H

#include <stddef.h>

#include "log.h"

#define SENTRY_QUEUE_MAX 64   /* envelopes waiting for the sender */
#define SENTRY_BURST 20	      /* events allowed at once ... */
#define SENTRY_PER_MINUTE 60  /* ... then this many a minute */
#define SENTRY_EVENT_MAX 8192 /* bytes of message + fields kept per event */

struct sentry_stats {
	unsigned long captured;	    /* error lines seen while enabled */
	unsigned long queued;	    /* put on the queue */
	unsigned long sent;	    /* accepted by Sentry (2xx) */
	unsigned long failed;	    /* refused or not delivered */
	unsigned long dropped_full; /* queue full */
	unsigned long dropped_rate; /* over the rate limit or in Sentry's Retry-After */
	unsigned long queue_len;    /* waiting now */
};

/*
 * Enable, change or (dsn NULL/empty) disable reporting; call at start and
 * after every reload, from the main thread. daemon names the events;
 * environment is SENTRY_ENVIRONMENT; crash_dir holds the crash marker (NULL:
 * the working directory). At the first call with a DSN a marker left by a
 * crash is reported. Returns 0, or -1 when the DSN is not a valid Sentry DSN
 * (*err says why; caller frees); reporting is then off.
 */
int sentry_configure(const char *daemon, const char *dsn, const char *environment,
		     const char *crash_dir, char **err);
/* Check a DSN without using it: 0, or -1 with *err (caller frees). */
int sentry_dsn_check(const char *dsn, char **err);
/*
 * Report one log line (log.c calls this for error and critical). Never
 * blocks on the network; a no-op when disabled or on the sender thread.
 * kv: NULL-terminated key, value pairs (values may be NULL).
 */
void sentry_capture(enum log_level lvl, const char *msg, const char *const *kv);
/* Give the queue up to wait_ms to drain, then stop the sender (at exit). */
void sentry_shutdown(int wait_ms);
void sentry_get_stats(struct sentry_stats *out);
/* The strings to redact from events (copied; replaces the previous list;
 * NULL entries and strings shorter than 6 bytes are skipped). */
void sentry_set_secrets(const char *const *v, size_t n);
/* Change the rate limit and refill the bucket (tests; <= 0 restores the default). */
void sentry_set_limits(int burst, int per_minute);

#endif
