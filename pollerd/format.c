/*
 * format: the table of registered formats (pollerd/formats.def: poll_type ->
 * entry, format.h) and the helpers
 * every parser shares -- the one JSON entry point with its body checks, typed
 * member accessors that turn a wrong shape into a parse_error instead of a
 * crash, vendor-word tables, component and product matching, and the
 * reading's setters. Keeping these here means each fmt_<type>.c is only its
 * vendor's rules, and every format fails the same way on the same hostile
 * input (format.h has the contract).
 */
#include "format.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonck.h"
#include "timeutil.h"
#include "xalloc.h"

/* ---- the registered formats ------------------------------------------------- */

#define FMT(id) &fmt_##id##_entry,
const struct fmt_entry *const fmt_entries[] = {
#include "formats.def"
};
#undef FMT
const size_t fmt_nentries = sizeof fmt_entries / sizeof fmt_entries[0];

const struct fmt_entry *fmt_find(const char *poll_type)
{
	for (size_t i = 0; poll_type && i < fmt_nentries; i++)
		if (strcmp(fmt_entries[i]->name, poll_type) == 0)
			return fmt_entries[i];
	return NULL;
}

fmt_parse_fn fmt_lookup(const char *poll_type)
{
	const struct fmt_entry *e = fmt_find(poll_type);
	return e ? e->parse : NULL;
}

int fmt_clock_dependent(const char *poll_type)
{
	const struct fmt_entry *e = fmt_find(poll_type);
	return e ? e->clock : 0;
}

/* ---- the reading ------------------------------------------------------------ */

void fmt_reading_init(struct fmt_reading *r)
{
	memset(r, 0, sizeof *r);
	r->status = ST_UNKNOWN;
}

/* Drop everything a parser may have collected before it hit a problem. */
static void clear_content(struct fmt_reading *r)
{
	free(r->detail);
	free(r->incident_id);
	free(r->incident_title);
	for (size_t i = 0; i < r->nmaints; i++) {
		struct fmt_maint *m = &r->maints[i];
		free(m->vendor_id);
		free(m->title);
		free(m->description);
		free(m->scheduled_for);
		free(m->scheduled_until);
		free(m->status);
	}
	free(r->maints);
	for (size_t i = 0; i < r->ndrift; i++) {
		free(r->drift[i].field);
		free(r->drift[i].note);
	}
	free(r->drift);
	r->detail = r->incident_id = r->incident_title = NULL;
	r->maints = NULL;
	r->nmaints = 0;
	r->drift = NULL;
	r->ndrift = 0;
}

void fmt_reading_free(struct fmt_reading *r)
{
	if (!r)
		return;
	clear_content(r);
	free(r->reason);
	fmt_reading_init(r);
}

void fmt_reading_copy(struct fmt_reading *dst, const struct fmt_reading *src)
{
	fmt_reading_init(dst);
	dst->ok = src->ok;
	dst->status = src->status;
	dst->in_maintenance = src->in_maintenance;
	dst->detail = xstrdup_or_null(src->detail);
	dst->incident_id = xstrdup_or_null(src->incident_id);
	dst->incident_title = xstrdup_or_null(src->incident_title);
	dst->reason = xstrdup_or_null(src->reason);
	dst->fail_kind = src->fail_kind;
	if (src->ndrift) {
		dst->drift = xcalloc(src->ndrift, sizeof *dst->drift);
		dst->ndrift = src->ndrift;
		for (size_t i = 0; i < src->ndrift; i++) {
			dst->drift[i].field = xstrdup(src->drift[i].field);
			dst->drift[i].note = xstrdup(src->drift[i].note);
		}
	}
	if (src->nmaints) {
		dst->maints = xcalloc(src->nmaints, sizeof *dst->maints);
		dst->nmaints = src->nmaints;
		for (size_t i = 0; i < src->nmaints; i++) {
			const struct fmt_maint *a = &src->maints[i];
			struct fmt_maint *b = &dst->maints[i];
			b->vendor_id = xstrdup_or_null(a->vendor_id);
			b->title = xstrdup_or_null(a->title);
			b->description = xstrdup_or_null(a->description);
			b->scheduled_for = xstrdup_or_null(a->scheduled_for);
			b->scheduled_until = xstrdup_or_null(a->scheduled_until);
			b->status = xstrdup_or_null(a->status);
		}
	}
}

/*
 * A failure carries only its reason: half-collected incidents or maintenances
 * of a body we could not fully interpret must not reach the database.
 */
static void fail_v(struct fmt_reading *r, enum vc_failure_kind kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void fail_v(struct fmt_reading *r, enum vc_failure_kind kind, const char *fmt, va_list ap)
{
	char *reason = xvasprintf(fmt, ap);
	clear_content(r);
	free(r->reason);
	r->reason = reason;
	r->fail_kind = kind;
	r->ok = 0;
	r->status = ST_UNKNOWN;
	r->in_maintenance = 0;
}

void fmt_fail(struct fmt_reading *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(r, VC_FAIL_PARSE_ERROR, fmt, ap);
	va_end(ap);
}

void fmt_fail_kind(struct fmt_reading *r, enum vc_failure_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(r, kind, fmt, ap);
	va_end(ap);
}

void fmt_set_ok(struct fmt_reading *r, enum st_status status, int in_maintenance)
{
	free(r->reason);
	r->reason = NULL;
	r->ok = 1;
	r->status = status;
	r->in_maintenance = in_maintenance ? 1 : 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Longest prefix of s[0..n) of at most max bytes that ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

/* Caller frees the result (format.h). */
char *fmt_text(const char *s, size_t max)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *out = xmalloc(n + 1);
	size_t o = 0;
	int space = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_space(c)) {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		/* Other control characters have no place in one-line UI text. */
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return NULL;
	}
	if (o > max && max >= 4) {
		size_t cut = utf8_cut(out, o, max - 3);
		memcpy(out + cut, "...", 4);
	}
	return out;
}

void fmt_set_detail(struct fmt_reading *r, const char *s)
{
	free(r->detail);
	r->detail = fmt_text(s, FMT_TEXT_MAX);
}

void fmt_set_detailf(struct fmt_reading *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	fmt_set_detail(r, s);
	free(s);
}

void fmt_set_incident(struct fmt_reading *r, const char *id, const char *title)
{
	free(r->incident_id);
	free(r->incident_title);
	/* Ids are keys (dedup), never cut; a hostile 1 MB id is still bounded by the body cap. */
	r->incident_id = id && *id ? xstrdup(id) : NULL;
	r->incident_title = fmt_text(title, FMT_TEXT_MAX);
}

struct fmt_maint *fmt_maint_add(struct fmt_reading *r)
{
	r->maints = xreallocarray(r->maints, r->nmaints + 1, sizeof *r->maints);
	struct fmt_maint *m = &r->maints[r->nmaints++];
	memset(m, 0, sizeof *m);
	return m;
}

int fmt_contains_ci(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return 0;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return n == 0;
}

enum st_status fmt_worse(enum st_status a, enum st_status b)
{
	/* unknown is not produced by a successful parser; it folds above all. */
	return st_status_fold_rank(b) > st_status_fold_rank(a) ? b : a;
}

static const char *field_name(char *buf, size_t n, const char *where, const char *key);

/* ---- drift notes ---------------------------------------------------------------- */

void fmt_drift_note(struct fmt_reading *r, const char *field, const char *fmt, ...)
{
	if (r->ndrift >= FMT_DRIFT_MAX)
		return;
	for (size_t i = 0; i < r->ndrift; i++)
		if (strcmp(r->drift[i].field, field) == 0)
			return;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	r->drift = xreallocarray(r->drift, r->ndrift + 1, sizeof *r->drift);
	struct fmt_drift *d = &r->drift[r->ndrift++];
	d->field = xstrdup(field);
	/* Notes quote vendor words: one clean line, bounded. */
	d->note = fmt_text(s, FMT_TEXT_MAX);
	if (!d->note)
		d->note = xstrdup(field);
	free(s);
}

/* Caller frees (format.h). */
char *fmt_drift_text(const struct fmt_reading *r)
{
	if (!r->ndrift)
		return NULL;
	size_t n = 1;
	for (size_t i = 0; i < r->ndrift; i++)
		n += strlen(r->drift[i].note) + 2;
	char *out = xmalloc(n);
	size_t o = 0;
	for (size_t i = 0; i < r->ndrift; i++) {
		size_t l = strlen(r->drift[i].note);
		if (i) {
			memcpy(out + o, "; ", 2);
			o += 2;
		}
		memcpy(out + o, r->drift[i].note, l);
		o += l;
	}
	out[o] = '\0';
	return out;
}

/* ---- body checks and JSON ---------------------------------------------------- */

/*
 * Offset of the first byte that is not valid UTF-8 (overlongs, surrogates and
 * code points past U+10FFFF included), or n when all is well.
 */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += len;
	}
	return n;
}

/* The caller frees the tree with cJSON_Delete (format.h). */
struct cJSON *fmt_json_parse(const struct fmt_input *in, struct fmt_reading *r)
{
	const char *b = in ? in->body : NULL;
	size_t n = b ? in->len : 0;
	size_t i = 0;
	if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && is_space((unsigned char)b[i]))
		i++;
	if (i == n) {
		fmt_fail(r, "parse_error: empty body");
		return NULL;
	}
	if (n > FMT_MAX_BODY) {
		fmt_fail(r, "parse_error: body too large (%zu bytes, limit %zu)", n, FMT_MAX_BODY);
		return NULL;
	}
	/* Error pages from CDNs and login walls come back as 200 text/html. */
	if (b[i] == '<') {
		fmt_fail(r, "parse_error: not JSON (HTML?)");
		return NULL;
	}
	const void *nul = memchr(b, '\0', n);
	if (nul) {
		fmt_fail(r, "parse_error: NUL byte at offset %zu", (size_t)((const char *)nul - b));
		return NULL;
	}
	size_t bad = utf8_invalid_at((const unsigned char *)b, n);
	if (bad < n) {
		fmt_fail(r, "parse_error: invalid UTF-8 at offset %zu", bad);
		return NULL;
	}
	/* cJSON recurses once per level; refuse deep nesting before it does. */
	if (!jsonck_depth_ok(b, n, JSONCK_MAX_DEPTH)) {
		fmt_fail(r, "parse_error: JSON nested deeper than %d levels", JSONCK_MAX_DEPTH);
		return NULL;
	}
	/*
	 * cJSON's require_null_terminated wants the terminator inside the given
	 * length, hence n + 1 (the contract guarantees body[len] == '\0'). With no
	 * NUL before n this accepts exactly one document and trailing white space.
	 */
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(b, n + 1, &end, 1);
	if (!root) {
		size_t off = end && end >= b && end <= b + n ? (size_t)(end - b) : 0;
		fmt_fail(r, "parse_error: invalid JSON at offset %zu", off);
		return NULL;
	}
	return root;
}

const char *fmt_json_type(const struct cJSON *v)
{
	if (!v)
		return "missing";
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsNull(v))
		return "null";
	return "invalid";
}

static int wrong_type(struct fmt_reading *r, const char *where, const char *key, const char *want,
		      const cJSON *v)
{
	fmt_fail(r, "parse_error: %s%s%s: expected %s, got %s", where ? where : "",
		 where ? "." : "", key, want, fmt_json_type(v));
	return -1;
}

/*
 * Fetch obj[key] for a typed accessor. Returns 1 with *v set when present and
 * not null, 0 when missing in a way need allows, -1 after fmt_fail otherwise.
 */
static int member(struct fmt_reading *r, const cJSON *obj, const char *where, const char *key,
		  enum fmt_need need, const char *want, const cJSON **v)
{
	*v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (*v && !cJSON_IsNull(*v))
		return 1;
	if ((!*v && need != FMT_REQUIRED) || (*v && need == FMT_NULLABLE))
		return 0;
	return wrong_type(r, where, key, want, *v);
}

int fmt_json_object(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		    const char *key, enum fmt_need need, const struct cJSON **out)
{
	const cJSON *v;
	*out = NULL;
	int rc = member(r, obj, where, key, need, "object", &v);
	if (rc <= 0)
		return rc;
	if (!cJSON_IsObject(v))
		return wrong_type(r, where, key, "object", v);
	*out = v;
	return 0;
}

int fmt_json_array(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		   const char *key, enum fmt_need need, const struct cJSON **out)
{
	const cJSON *v;
	*out = NULL;
	int rc = member(r, obj, where, key, need, "array", &v);
	if (rc <= 0)
		return rc;
	if (!cJSON_IsArray(v))
		return wrong_type(r, where, key, "array", v);
	*out = v;
	return 0;
}

int fmt_json_string(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		    const char *key, enum fmt_need need, const char **out)
{
	const cJSON *v;
	*out = NULL;
	int rc = member(r, obj, where, key, need, "string", &v);
	if (rc <= 0)
		return rc;
	if (!cJSON_IsString(v) || !v->valuestring)
		return wrong_type(r, where, key, "string", v);
	*out = v->valuestring;
	return 0;
}

int fmt_json_bool(struct fmt_reading *r, const struct cJSON *obj, const char *where,
		  const char *key, enum fmt_need need, int *out, int *present)
{
	const cJSON *v;
	*out = 0;
	if (present)
		*present = 0;
	int rc = member(r, obj, where, key, need, "bool", &v);
	if (rc <= 0)
		return rc;
	if (!cJSON_IsBool(v))
		return wrong_type(r, where, key, "bool", v);
	*out = cJSON_IsTrue(v) ? 1 : 0;
	if (present)
		*present = 1;
	return 0;
}

/* 2^53: above it a double no longer holds every integer. */
#define FMT_INT_LIMIT 9007199254740992.0

static int integral(const cJSON *v)
{
	double d = v->valuedouble;
	return cJSON_IsNumber(v) && isfinite(d) && d == floor(d) && fabs(d) <= FMT_INT_LIMIT;
}

int fmt_json_int(struct fmt_reading *r, const struct cJSON *obj, const char *where, const char *key,
		 enum fmt_need need, long long *out, int *present)
{
	const cJSON *v;
	*out = 0;
	if (present)
		*present = 0;
	int rc = member(r, obj, where, key, need, "integer", &v);
	if (rc <= 0)
		return rc;
	if (!integral(v))
		return wrong_type(r, where, key, "integer", v);
	*out = (long long)v->valuedouble;
	if (present)
		*present = 1;
	return 0;
}

/* v (present) as an id: a non-empty string or an integral number. */
static int id_value(struct fmt_reading *r, const cJSON *v, const char *where, const char *key,
		    char buf[FMT_ID_BUF], const char **out)
{
	if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
		*out = v->valuestring;
		return 0;
	}
	if (cJSON_IsNumber(v) && integral(v)) {
		snprintf(buf, FMT_ID_BUF, "%lld", (long long)v->valuedouble);
		*out = buf;
		return 0;
	}
	return wrong_type(r, where, key, "string or integer id", v);
}

int fmt_json_id(struct fmt_reading *r, const struct cJSON *obj, const char *where, const char *key,
		enum fmt_need need, char buf[FMT_ID_BUF], const char **out)
{
	const cJSON *v;
	*out = NULL;
	int rc = member(r, obj, where, key, need, "id", &v);
	if (rc <= 0)
		return rc;
	return id_value(r, v, where, key, buf, out);
}

/* "<where>.<key>" for drift notes and metric labels; fits the fixed buffer or is cut. */
static const char *field_name(char *buf, size_t n, const char *where, const char *key)
{
	snprintf(buf, n, "%s%s%s", where ? where : "", where ? "." : "", key);
	return buf;
}

/* Soft reads: tree pointers, never a failure (format.h). */
const char *fmt_soft_string(struct fmt_reading *r, const struct cJSON *obj, const char *where,
			    const char *key, int quiet)
{
	char f[128];
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (cJSON_IsString(v) && v->valuestring)
		return v->valuestring;
	if (!v || cJSON_IsNull(v)) {
		if (!quiet)
			fmt_drift_note(r, field_name(f, sizeof f, where, key), "%s missing", f);
		return NULL;
	}
	fmt_drift_note(r, field_name(f, sizeof f, where, key), "%s: expected string, got %s", f,
		       fmt_json_type(v));
	return NULL;
}

const char *fmt_soft_id(struct fmt_reading *r, const struct cJSON *obj, const char *where,
			const char *key, int numbers_odd, char buf[FMT_ID_BUF])
{
	char f[128];
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (cJSON_IsString(v) && v->valuestring && v->valuestring[0])
		return v->valuestring;
	if (cJSON_IsNumber(v) && integral(v)) {
		snprintf(buf, FMT_ID_BUF, "%lld", (long long)v->valuedouble);
		if (numbers_odd)
			fmt_drift_note(r, field_name(f, sizeof f, where, key),
				       "%s is a number (%s), read as a string", f, buf);
		return buf;
	}
	field_name(f, sizeof f, where, key);
	if (!v || cJSON_IsNull(v) || cJSON_IsString(v))
		fmt_drift_note(r, f, "%s missing", f);
	else
		fmt_drift_note(r, f, "%s: expected string or integer id, got %s", f,
			       fmt_json_type(v));
	return NULL;
}

int fmt_json_elem_object(struct fmt_reading *r, const struct cJSON *elem, const char *where)
{
	if (cJSON_IsObject(elem))
		return 0;
	fmt_fail(r, "parse_error: %s: expected object, got %s", where, fmt_json_type(elem));
	return -1;
}

int fmt_soft_elem_skip(struct fmt_reading *r, const struct cJSON *elem, const char *where)
{
	if (cJSON_IsObject(elem))
		return 0;
	fmt_drift_note(r, where, "%s: %s element skipped", where, fmt_json_type(elem));
	return 1;
}

const char *fmt_comp_label(const char *name, const char *id)
{
	return name ? name : id ? id : "unnamed component";
}

/* ---- vendor words ------------------------------------------------------------ */

/* s[0..n) with ASCII white space trimmed at both ends. */
static void trim(const char **s, size_t *n)
{
	while (*n && is_space((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Case-insensitive equality of two byte ranges, both trimmed first. */
static int eq_trim(const char *a, size_t an, const char *b, size_t bn)
{
	trim(&a, &an);
	trim(&b, &bn);
	return an == bn && strncasecmp(a, b, an) == 0;
}

/* out holds FMT_QUOTE_BUF bytes (format.h). */
void fmt_quote(const char *v, char out[FMT_QUOTE_BUF])
{
	size_t n = strlen(v);
	size_t cut = utf8_cut(v, n, FMT_VALUE_MAX);
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)v[i];
		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (cut < n) {
		memcpy(out + cut, "...", 4);
		return;
	}
	out[cut] = '\0';
}

const struct fmt_enum *fmt_enum_find(const struct fmt_enum *tab, const char *value)
{
	if (!value)
		return NULL;
	for (const struct fmt_enum *e = tab; e->vendor; e++)
		if (eq_trim(value, strlen(value), e->vendor, strlen(e->vendor)))
			return e;
	return NULL;
}

const struct fmt_enum *fmt_enum_or(struct fmt_reading *r, const struct fmt_enum *tab,
				   const char *field, const char *value, const char *what,
				   const struct fmt_enum *fallback, const char *as)
{
	const struct fmt_enum *e = fmt_enum_find(tab, value);
	if (e)
		return e;
	if (value) {
		char q[FMT_VALUE_MAX + 4];
		fmt_quote(value, q);
		fmt_drift_note(r, field, "unknown %s \"%s\" read as %s", what, q, as);
	}
	return fallback;
}

const struct fmt_enum *fmt_enum_map(struct fmt_reading *r, const struct fmt_enum *tab,
				    const char *field, const char *value)
{
	const struct fmt_enum *e = fmt_enum_find(tab, value);
	if (e)
		return e;
	char q[FMT_VALUE_MAX + 4];
	fmt_quote(value ? value : "", q);
	fmt_fail(r, "unmapped_value: %s=%s", field, q);
	return NULL;
}

const struct fmt_enum *fmt_enum_map_int(struct fmt_reading *r, const struct fmt_enum *tab,
					const char *field, long long value)
{
	char s[32];
	snprintf(s, sizeof s, "%lld", value);
	return fmt_enum_map(r, tab, field, s);
}

/* ---- selection --------------------------------------------------------------- */

static int nonempty(const char *s)
{
	return s && *s;
}

int fmt_selecting(const struct fmt_opts *o)
{
	return o && (nonempty(o->component_id) || nonempty(o->component_name));
}

const char *fmt_selector(const struct fmt_opts *o)
{
	if (!o)
		return "";
	return nonempty(o->component_id)     ? o->component_id
	       : nonempty(o->component_name) ? o->component_name
					     : "";
}

/* sel equals name, or "group/name" for some '/' in sel (either part may contain '/'). */
static int name_matches(const char *sel, const char *name, const char *group)
{
	if (!name)
		return 0;
	size_t sn = strlen(sel);
	if (eq_trim(sel, sn, name, strlen(name)))
		return 1;
	if (!group)
		return 0;
	for (const char *slash = strchr(sel, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t gl = (size_t)(slash - sel);
		if (eq_trim(sel, gl, group, strlen(group)) &&
		    eq_trim(slash + 1, sn - gl - 1, name, strlen(name)))
			return 1;
	}
	return 0;
}

int fmt_component_matches(const struct fmt_opts *o, const char *id, const char *name,
			  const char *group)
{
	if (!o)
		return 0;
	if (nonempty(o->component_id))
		return id && strcmp(id, o->component_id) == 0;
	if (nonempty(o->component_name))
		return name_matches(o->component_name, name, group);
	return 0;
}

int fmt_product_matches(const struct fmt_opts *o, const char *title, const char *id)
{
	if (!o || !o->products || o->nproducts == 0)
		return 1;
	for (size_t i = 0; i < o->nproducts; i++) {
		const char *p = o->products[i];
		if (!nonempty(p))
			continue;
		if (id && strcmp(id, p) == 0)
			return 1;
		if (title && eq_trim(title, strlen(title), p, strlen(p)))
			return 1;
	}
	return 0;
}

/* ---- maintenances and id sets --------------------------------------------------- */

int fmt_maint_push(struct fmt_reading *r, const char *where, const char *start_key,
		   const char *end_key, const char *id, const char *title, const char *description,
		   const char *start, const char *end, const char *status)
{
	char for_iso[TS_ISO_LEN + 1], until_iso[TS_ISO_LEN + 1];
	char q[FMT_VALUE_MAX + 4], f[128];
	/* A window is an optional extra of the reading: one we cannot place is
	 * skipped (the seed skipped those without id or scheduled_for). */
	if (!id || !*id) {
		fmt_drift_note(r, field_name(f, sizeof f, where, "id"),
			       "%s missing: maintenance skipped", f);
		return 0;
	}
	if (!start || ts_normalize(start, for_iso) < 0) {
		fmt_quote(start ? start : "", q);
		field_name(f, sizeof f, where, start_key);
		if (start)
			fmt_drift_note(r, f, "%s not a date (%s): maintenance skipped", f, q);
		else
			fmt_drift_note(r, f, "%s missing: maintenance skipped", f);
		return 0;
	}
	if (end && ts_normalize(end, until_iso) < 0) {
		fmt_quote(end, q);
		field_name(f, sizeof f, where, end_key);
		fmt_drift_note(r, f, "%s not a date (%s): read as open-ended", f, q);
		end = NULL;
	}
	struct fmt_maint *m = fmt_maint_add(r);
	m->vendor_id = xstrdup(id);
	m->title = fmt_text(title, FMT_TEXT_MAX);
	if (!m->title)
		m->title = xstrdup("Scheduled Maintenance");
	/* Descriptions are shown in a banner, so they may be longer than a detail. */
	m->description = fmt_text(description, 4 * FMT_TEXT_MAX);
	m->scheduled_for = xstrdup(for_iso);
	m->scheduled_until = end ? xstrdup(until_iso) : NULL;
	m->status = xstrdup(status);
	return 0;
}

void fmt_idset_add(struct fmt_idset *s, const char *id)
{
	if (!nonempty(id) || fmt_idset_has(s, id))
		return;
	s->ids = xreallocarray(s->ids, s->n + 1, sizeof *s->ids);
	s->ids[s->n++] = xstrdup(id);
}

int fmt_idset_has(const struct fmt_idset *s, const char *id)
{
	if (!id)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return 1;
	return 0;
}

void fmt_idset_free(struct fmt_idset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->ids[i]);
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
}

int fmt_refs_hit(struct fmt_reading *r, const struct cJSON *arr, const char *where, const char *key,
		 const struct fmt_idset *set)
{
	const cJSON *e;
	char buf[FMT_ID_BUF];
	int hit = 0;
	/* Every element is checked even after a hit: a malformed list is a malformed body. */
	cJSON_ArrayForEach(e, arr)
	{
		const char *id;
		if (key) {
			if (fmt_json_elem_object(r, e, where) ||
			    fmt_json_id(r, e, where, key, FMT_REQUIRED, buf, &id))
				return -1;
		} else if (id_value(r, e, where, "[]", buf, &id)) {
			return -1;
		}
		if (fmt_idset_has(set, id))
			hit = 1;
	}
	return hit;
}
