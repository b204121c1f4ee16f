/*
 * format: the contract between fetching and normalisation in pollerd. Each
 * vendor format is one source file (fmt_<type>.c) exporting one parse function
 * that turns a response body into a fmt_reading. Parsers are pure -- no I/O,
 * no globals, no clock -- so they are unit-tested against the captured vendor
 * payloads and fuzzed directly.
 *
 * Hostile input rule: a parser never crashes and never returns an all-clear it
 * cannot justify. A body it cannot interpret (truncated/HTML/invalid UTF-8,
 * oversized, wrong top-level type) or whose status-carrying field is missing,
 * null, of the wrong type, or a word outside every mapping with no fallback
 * is a failure: ok = 0 with reason "parse_error: ..." or "unmapped_value: ...".
 *
 * Tolerance rule (doc/drift.md): a missing or odd *optional* field (ids,
 * names, descriptions, maintenance entries) gets a default, and an unknown
 * vendor word the seed tool had a fallback for gets that fallback; the
 * reading counts, and carries a drift note saying what was defaulted, so an
 * operator sees the vendor's format change before anything goes blind.
 */
#ifndef ITSTATUS_FORMAT_H
#define ITSTATUS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "vocab.h"

/* What the service's configuration tells a parser (all optional). */
struct fmt_opts {
	const char *component_name; /* statuspage/statusio/cachet/instatus/betterstack: select one
				       component by name */
	const char *component_id;   /* ... or by id (wins over name) */
	const char *const
	    *products; /* product_feed_json / gcp_incidents: accepted product titles or ids */
	size_t nproducts;
	int rss_active_hours; /* rss: entries older than this do not count (default 24) */
	/* http_check */
	const int *expect_codes; /* NULL/0 = any 2xx */
	size_t nexpect_codes;
	const char *keyword;	  /* body must contain it, when set */
	int latency_threshold_ms; /* slower => degraded, 0 = no threshold */
	int64_t now_ms;		  /* the poll time (parsers never read the clock) */
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

/* One default or fallback a tolerant parser used (see fmt_drift_note). */
struct fmt_drift {
	char *field; /* the vendor field, e.g. "incidents[].id" (metric label) */
	char *note;  /* what was done, e.g. "incidents[].id missing" */
};

struct fmt_reading {
	int ok;		       /* 1 = interpreted; 0 = poll failure, see reason */
	enum st_status status; /* meaningful when ok */
	int in_maintenance;    /* a vendor maintenance is active for this service */
	char *detail;	       /* human text for the UI, may be NULL */
	char *incident_id;     /* vendor id of an incident affecting this service, may be NULL */
	char *incident_title;  /* its title, may be NULL */
	char *reason; /* when !ok: "parse_error: ...", "unmapped_value: ...", "http_404", ... */
	enum vc_failure_kind fail_kind; /* when !ok: the kind of failure (poll_total's outcome) */
	struct fmt_maint *maints;	/* scheduled maintenances reported by the feed */
	size_t nmaints;
	struct fmt_drift *drift; /* defaults and fallbacks used (ok readings only) */
	size_t ndrift;
};

typedef void (*fmt_parse_fn)(const struct fmt_input *in, const struct fmt_opts *opts,
			     struct fmt_reading *out);

/*
 * Record that a default or fallback was used for field. The note is printf
 * text, cut to FMT_TEXT_MAX; one note per field per reading (the first one
 * wins), at most FMT_DRIFT_MAX notes. A failure (fmt_fail) drops the notes.
 */
#define FMT_DRIFT_MAX 8
void fmt_drift_note(struct fmt_reading *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The notes of r joined with "; " (NULL when there are none). Caller frees. */
char *fmt_drift_text(const struct fmt_reading *r);

/*
 * ---- The vendor formats ------------------------------------------------------
 *
 * Each format is one file, pollerd/fmt_<id>.c, that ends with its entry:
 *
 *   const struct fmt_entry fmt_<id>_entry = {
 *       .name = "<poll_type>", .parse = fmt_<id>, .clock = 0,
 *       .required = FMT_KEYS("poll_url"), .optional = FMT_KEYS("component_name"),
 *       .metric_label = "<poll_type>",
 *   };
 *
 * and is registered by one line FMT(<id>) in pollerd/formats.def. The
 * registry in common/ (which apid and alertd also load) cannot link a parser,
 * so `make` prints the names and keys of these entries into a generated
 * header (mk/poll_types.c); doc/formats.md#adding-a-format walks through it.
 */

/* A NULL-terminated list of registry keys (services.yaml spellings). */
#define FMT_KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Flags of an entry (the registry's generated copy keeps FMT_PRODUCTS_FROM_NAME). */
#define FMT_PRODUCTS_FROM_NAME 1 /* no products: the display name is the product title */
#define FMT_ANY_HTTP_CODE 2	 /* the parser judges every HTTP answer, not only 2xx */

struct fmt_entry {
	const char *name;   /* the poll_type word of services.yaml and the database */
	fmt_parse_fn parse; /* NULL: nothing to poll (manual) */
	/* The reading depends on the poll time as well as the body (an RSS entry
	 * stops counting after rss_active_hours; a Better Stack maintenance
	 * starts at its time), so a 304 means "same body", not "same reading". */
	int clock;
	const char *const *required; /* registry keys a service of this type must set */
	const char *const *optional; /* registry keys the parser reads when set */
	const char *metric_label;    /* poll_type label of poll_duration_seconds */
	unsigned flags;		     /* FMT_* above */
};

/* Every entry parses as "void fmt_<id>(...)"; pollerd/formats.def lists them. */
#define FMT(id)                                                                                    \
	extern const struct fmt_entry fmt_##id##_entry;                                            \
	void fmt_##id(const struct fmt_input *, const struct fmt_opts *, struct fmt_reading *);
#include "formats.def"
#undef FMT

/* The registered entries, in the order of pollerd/formats.def. */
extern const struct fmt_entry *const fmt_entries[];
extern const size_t fmt_nentries;

/* The entry of a poll_type ("statuspage_json", "manual", ...); NULL if none. */
const struct fmt_entry *fmt_find(const char *poll_type);
/* Its parser; NULL for an unknown poll type and for manual. */
fmt_parse_fn fmt_lookup(const char *poll_type);
/* 1 when the format's reading depends on the poll time as well as the body. */
int fmt_clock_dependent(const char *poll_type);

/*
 * The seed's RSS title keyword table (most severe first, case-insensitive
 * substring): the status a title's words say, ST_UNKNOWN when none matches.
 */
enum st_status fmt_rss_title_status(const char *title);

/* Helpers for parsers: set a failure (takes printf args; its kind is
 * parse_error) / free everything in r. */
void fmt_fail(struct fmt_reading *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure of another kind (a fetch that failed, an HTTP answer that is not
 * a reading): the same as fmt_fail with the kind given. */
void fmt_fail_kind(struct fmt_reading *r, enum vc_failure_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fmt_reading_free(struct fmt_reading *r);
/* Deep copy of src into dst (dst need not be initialised; free it with
 * fmt_reading_free): for 304 reuse and the queue of uncommitted readings. */
void fmt_reading_copy(struct fmt_reading *dst, const struct fmt_reading *src);

/*
 * ---- Helpers shared by the parsers (format.c) -------------------------------
 *
 * Every parser starts with fmt_reading_init(out) (so out need not be
 * initialised by the caller -- but a previous reading must have been freed),
 * reads the body through fmt_json_parse (or its own reader), reads fields
 * through the fmt_json_* accessors, which turn every wrong type into a
 * "parse_error: <where>.<key>: expected X, got Y" failure, and maps vendor
 * words through fmt_enum_map, which turns a word the table does not know
 * into "unmapped_value: <field>=<value>". On any failure the accessor has
 * already called fmt_fail; the parser just returns.
 */

/* Bodies larger than this are refused ("parse_error: body too large"). */
#define FMT_MAX_BODY ((size_t)4 * 1024 * 1024)
/* detail / incident_title / maintenance texts are cut to this many bytes. */
#define FMT_TEXT_MAX 200
/* Vendor values quoted in failure reasons are cut to this many bytes. */
#define FMT_VALUE_MAX 60
/* A vendor value made fit for a reason or a drift note: at most FMT_VALUE_MAX
 * bytes cut on a character boundary ("..." when cut), control characters
 * replaced. out must hold FMT_QUOTE_BUF bytes. */
#define FMT_QUOTE_BUF (FMT_VALUE_MAX + 4)
void fmt_quote(const char *v, char out[FMT_QUOTE_BUF]);

struct cJSON;

/* Empty reading: ok = 0, status unknown, nothing allocated. Frees nothing. */
void fmt_reading_init(struct fmt_reading *r);
/* Mark r interpreted: ok = 1 with this status and maintenance flag. */
void fmt_set_ok(struct fmt_reading *r, enum st_status status, int in_maintenance);
/* Replace r->detail by a cleaned copy of s (NULL/blank = none); printf form. */
void fmt_set_detail(struct fmt_reading *r, const char *s);
void fmt_set_detailf(struct fmt_reading *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Replace r->incident_id / incident_title by cleaned copies (either may be NULL). */
void fmt_set_incident(struct fmt_reading *r, const char *id, const char *title);
/* Append a zeroed maintenance to r->maints and return it (owned by r; fill every
 * string field with memory the reading may free). */
struct fmt_maint *fmt_maint_add(struct fmt_reading *r);
/*
 * Append a maintenance to r->maints (copies everything). start and end are
 * vendor date strings brought to canonical ISO with ts_normalize; end may be
 * NULL. Maintenances are optional to a reading, so nothing here fails: a
 * window without id or with a start that is missing or not a date is
 * skipped, an end that is not a date is dropped, each with a drift note.
 * title NULL -> "Scheduled Maintenance"; status must already be one of
 * scheduled | in_progress | verifying | completed. Returns 0.
 */
int fmt_maint_push(struct fmt_reading *r, const char *where, const char *start_key,
		   const char *end_key, const char *id, const char *title, const char *description,
		   const char *start, const char *end, const char *status);

/* A small set of ids (the selected components plus their group children). */
struct fmt_idset {
	char **ids; /* owned */
	size_t n;
};
void fmt_idset_add(struct fmt_idset *s, const char *id); /* copies; NULL/empty/duplicate ignored */
int fmt_idset_has(const struct fmt_idset *s, const char *id);
void fmt_idset_free(struct fmt_idset *s);
/*
 * Does a list of component references name one of set? arr may be NULL (no
 * references). Elements are objects whose member key holds the id, or, with
 * key NULL, ids themselves (string or integer). 1 yes, 0 no, -1 after fmt_fail.
 */
int fmt_refs_hit(struct fmt_reading *r, const struct cJSON *arr, const char *where, const char *key,
		 const struct fmt_idset *set);
/*
 * Vendor text -> display text: white space runs collapsed to one space, ends
 * trimmed, cut to max bytes on a character boundary with "..." marking the
 * cut. NULL or blank -> NULL. Caller frees.
 */
char *fmt_text(const char *s, size_t max);

/* Case-insensitive (ASCII) substring test for keyword tables: 1 when hay contains needle. */
int fmt_contains_ci(const char *hay, const char *needle);

/* The worse of two statuses (unknown counts as worse than operational). */
enum st_status fmt_worse(enum st_status a, enum st_status b);

/*
 * Parse in->body as one JSON document. Refuses (fmt_fail, returns NULL) an
 * empty body, one over FMT_MAX_BODY, an HTML page, invalid UTF-8 or a NUL
 * byte, and anything cJSON rejects ("invalid JSON at offset N"). The caller
 * frees the tree with cJSON_Delete.
 */
struct cJSON *fmt_json_parse(const struct fmt_input *in, struct fmt_reading *r);
/* "object", "array", "string", "number", "bool", "null" or "missing" (v NULL). */
const char *fmt_json_type(const struct cJSON *v);

/*
 * How much a member may be missing. FMT_OPTIONAL: the key may be absent, but
 * a null is a wrong type (vendors omit lists, they do not null them);
 * FMT_NULLABLE: absent or null (fields real payloads do send as null:
 * group_id, scheduled_until, end, ...); FMT_REQUIRED: must be there.
 */
enum fmt_need { FMT_OPTIONAL = 0, FMT_NULLABLE = 1, FMT_REQUIRED = 2 };

/*
 * Typed member access: obj[key] must have the type, or be missing as need
 * allows (then *out is NULL / *present is 0). where names obj in the
 * failure message ("components[]"; NULL for the document root). Return 0, or
 * -1 after fmt_fail. Pointers point into the tree.
 */
int fmt_json_object(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		    const char *key, enum fmt_need need, const struct cJSON **out);
int fmt_json_array(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		   const char *key, enum fmt_need need, const struct cJSON **out);
int fmt_json_string(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		    const char *key, enum fmt_need need, const char **out);
int fmt_json_bool(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		  const char *key, enum fmt_need need, int *out, int *present);
/* An integral number (|v| <= 2^53). */
int fmt_json_int(struct fmt_reading *r, const struct cJSON *obj, const char *where, const char *key,
		 enum fmt_need need, long long *out, int *present);
/*
 * An id: a non-empty string or an integral number (Slack, Cachet). *out points
 * into the tree for a string, or to buf holding the decimal digits.
 */
#define FMT_ID_BUF 24
int fmt_json_id(struct fmt_reading *r, const struct cJSON *obj, const char *where, const char *key,
		enum fmt_need need, char buf[FMT_ID_BUF], const char **out);
/*
 * Tolerant reads of an optional field, one the status does not depend on
 * (ids, names, titles, descriptions). They never fail: a value of the
 * wrong type, or a missing one when the vendor normally sends it (quiet 0),
 * yields NULL and a drift note "<where>.<key> missing" / "<where>.<key>:
 * expected string, got T". fmt_soft_id also takes an integral number,
 * written into buf; with numbers_odd it notes that (Statuspage ids are
 * strings, so a number means the format changed). Pointers point into the
 * tree or into buf.
 */
const char *fmt_soft_string(struct fmt_reading *r, const struct cJSON *obj, const char *where,
			    const char *key, int quiet);
const char *fmt_soft_id(struct fmt_reading *r, const struct cJSON *obj, const char *where,
			const char *key, int numbers_odd, char buf[FMT_ID_BUF]);

/* Array elements must be objects: check one ("where" names the array). */
int fmt_json_elem_object(struct fmt_reading *r, const struct cJSON *elem, const char *where);
/*
 * The tolerant fmt_json_elem_object, for lists whose elements are extras or
 * only selectable (components, incidents, windows): 1 with the drift note
 * "<where>: <type> element skipped" when elem is not an object, else 0.
 */
int fmt_soft_elem_skip(struct fmt_reading *r, const struct cJSON *elem, const char *where);
/* A component's words for a detail: its name, else its id, else "unnamed
 * component" (a tolerated component may lack both). Never NULL. */
const char *fmt_comp_label(const char *name, const char *id);

/* One row of a vendor-word -> status table; tables end with vendor == NULL. */
struct fmt_enum {
	const char *vendor; /* matched case-insensitively, vendor value trimmed */
	enum st_status status;
	int maint;	   /* the word means "under maintenance" */
	const char *label; /* human wording for detail, may be NULL */
};

/* Statuspage's vocabularies (fmt_statuspage.c), shared with the inbound
 * webhook reader: page indicator / incident impact, and component status. */
extern const struct fmt_enum fmt_statuspage_indicator[];
extern const struct fmt_enum fmt_statuspage_component[];

/* Look value up; NULL after fmt_fail(r, "unmapped_value: <field>=<value>"). */
const struct fmt_enum *fmt_enum_map(struct fmt_reading *r, const struct fmt_enum *tab,
				    const char *field, const char *value);
/*
 * Look value up with a fallback (the seed's rule for words it did not know):
 * the row, or fallback with the drift note "unknown <what> "<value>" read as
 * <as>" on field. A NULL value gives fallback without a note (a missing
 * field is noted where it is read). Never NULL.
 */
const struct fmt_enum *fmt_enum_or(struct fmt_reading *r, const struct fmt_enum *tab,
				   const char *field, const char *value, const char *what,
				   const struct fmt_enum *fallback, const char *as);
/* Look value up without failing: the row, or NULL. */
const struct fmt_enum *fmt_enum_find(const struct fmt_enum *tab, const char *value);
/* Same as fmt_enum_map for a numeric vendor code (the table spells codes in decimal). */
const struct fmt_enum *fmt_enum_map_int(struct fmt_reading *r, const struct fmt_enum *tab,
					const char *field, long long value);

/* A component is configured (component_id or component_name non-empty). */
int fmt_selecting(const struct fmt_opts *o);
/* The configured selector for messages: the id when set, else the name. */
const char *fmt_selector(const struct fmt_opts *o);
/*
 * Does a component match the configured selector? By id when component_id is
 * set (exact), else by name: case-insensitive with white space at the ends
 * ignored, either the bare name or "Group/Name" where group is the name of
 * the component's group (NULL when it has none). Names may contain '/'.
 */
int fmt_component_matches(const struct fmt_opts *o, const char *id, const char *name,
			  const char *group);
/* Is the product (title and/or id, either may be NULL) one of opts->products?
 * Titles compare like names, ids exactly. No products configured -> 1. */
int fmt_product_matches(const struct fmt_opts *o, const char *title, const char *id);

/*
 * The Google status-dashboard incident feed (product_feed_json and
 * gcp_incidents share it, fmt_product_feed.c): an array of incidents with
 * affected_products[], end, id, external_desc. classify() gives the status of
 * one active incident that affects the configured products (0, or -1 after
 * fmt_fail); the worst one decides.
 */
typedef int (*fmt_feed_classify_fn)(struct fmt_reading *r, const struct cJSON *incident,
				    enum st_status *status);
void fmt_google_feed(const struct fmt_input *in, const struct fmt_opts *opts,
		     struct fmt_reading *out, fmt_feed_classify_fn classify);

#endif
