/*
 * format: the contract between fetching and normalisation in pollerd. Each
 * vendor format is one source file (fmt_<type>.c) exporting one parse function
 * that turns a response body into a fmt_reading. Parsers are pure -- no I/O,
 * no globals, no clock -- so they are unit-tested against the captured vendor
 * payloads and fuzzed directly.
 *
 * Hostile input rule: a parser never crashes and never returns an all-clear it
 * cannot justify. Anything it cannot interpret (wrong JSON type anywhere, null
 * where an object is expected, unmapped enum value, truncated/HTML/invalid
 * UTF-8 body) is a failure: ok = 0 with reason "parse_error: ..." or
 * "unmapped_value: ...".
 */
#ifndef ITSTATUS_FORMAT_H
#define ITSTATUS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* What the service's configuration tells a parser (all optional). */
struct fmt_opts {
	const char *component_name; /* statuspage/statusio/cachet/instatus/betterstack: select one component by name */
	const char *component_id;   /* ... or by id (wins over name) */
	const char *const *products; /* product_feed_json / gcp_incidents: accepted product titles or ids */
	size_t nproducts;
	int rss_active_hours; /* rss: entries older than this do not count (default 24) */
	/* http_check */
	const int *expect_codes; /* NULL/0 = any 2xx */
	size_t nexpect_codes;
	const char *keyword;	 /* body must contain it, when set */
	int latency_threshold_ms; /* slower => degraded, 0 = no threshold */
	int64_t now_ms;		 /* the poll time (parsers never read the clock) */
};

/* What the transport saw; parsers other than http_check only read body/len. */
struct fmt_input {
	const char *body; /* NUL-terminated; may contain NULs before len */
	size_t len;
	long http_code;
	int64_t latency_ms;
	const char *content_type; /* may be NULL */
};

struct fmt_maint {
	char *vendor_id;
	char *title;
	char *description;     /* may be NULL */
	char *scheduled_for;   /* canonical ISO-8601 ms Z */
	char *scheduled_until; /* may be NULL */
	char *status;	       /* scheduled | in_progress | verifying | completed */
};

struct fmt_reading {
	int ok;			/* 1 = interpreted; 0 = poll failure, see reason */
	enum st_status status;	/* meaningful when ok */
	int in_maintenance;	/* a vendor maintenance is active for this service */
	char *detail;		/* human text for the UI, may be NULL */
	char *incident_id;	/* vendor id of an incident affecting this service, may be NULL */
	char *incident_title;	/* its title, may be NULL */
	char *reason;		/* when !ok: "parse_error: ...", "unmapped_value: ...", "http_404", ... */
	struct fmt_maint *maints; /* scheduled maintenances reported by the feed */
	size_t nmaints;
};

typedef void (*fmt_parse_fn)(const struct fmt_input *in, const struct fmt_opts *opts,
			     struct fmt_reading *out);

/* Look up a parser by poll_type name ("statuspage_json", "rss", ...); NULL if none. */
fmt_parse_fn fmt_lookup(const char *poll_type);

/* Helpers for parsers: set a failure (takes printf args) / free everything in r. */
void fmt_fail(struct fmt_reading *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fmt_reading_free(struct fmt_reading *r);

/* The parsers. */
void fmt_statuspage(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_current_status(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_product_feed(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_trust_incidents(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_active_incidents(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_service_array(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_rss(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_instatus(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_statusio(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_cachet(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_betterstack(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_gcp_incidents(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
void fmt_http_check(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);

#endif
