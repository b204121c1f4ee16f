/*
 * metrics: in-memory series flushed to the metrics table (see metrics.h);
 * the declarations of common/metrics.def become met_defs[] here.
 *
 * A series is one metric with one set of label values. An hmap keyed by
 * "name\x1flabels" holds them all; a series points at its metric's
 * declaration, so the help text and buckets exist once however many
 * series there are. Histograms keep their bucket counts in the series
 * itself and are expanded into _bucket/_sum/_count rows only at flush time,
 * so observing is cheap.
 *
 * Each update stamps its series with a new generation number; a flush writes
 * only series stamped after the last successful flush. At 10,000 services
 * most series do not move between two flushes, and rewriting all of them
 * (about 30,000 upserts every few seconds) was most of an idle daemon's CPU.
 */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "hmap.h"
#include "log.h"
#include "xalloc.h"

/* Label names and bucket bounds of each declaration, then the table. */
#define MET_NAMES_(id, type, name, buckets, labels, help)                                          \
	static const char *const id##_names_[] = MET_LIST_ labels;
MET_METRICS(MET_NAMES_)
#undef MET_NAMES_

/* Bounds of each bucket set: NAME_bounds_, NAME_n_ (MET_B_NONE: NULL, 0). */
#define MET_BOUNDS_(id, ...)                                                                       \
	static const double id##_bounds_[] = {__VA_ARGS__};                                        \
	enum { id##_n_ = sizeof id##_bounds_ / sizeof id##_bounds_[0] };
MET_BUCKET_SETS(MET_BOUNDS_)
#undef MET_BOUNDS_
#define MET_B_NONE_bounds_ NULL
#define MET_B_NONE_n_ 0

#define MET_DEF_(id, type, name, buckets, labels, help)                                            \
	[id] = {name,	      type, id##_names_ + 1, MET_NLIST_(labels), buckets##_bounds_,        \
		buckets##_n_, help},
const struct met_def met_defs[MET_COUNT] = {MET_METRICS(MET_DEF_)};
#undef MET_DEF_

struct series {
	const struct met_def *def; /* name, type, help, buckets */
	char *labels;		   /* rendered label set */
	double value;		   /* counter/gauge value; histogram sum */
	/* histogram only: count per bucket (made cumulative at flush) */
	uint64_t *counts;
	uint64_t count;
	uint64_t gen; /* generation of the last update */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hmap tab;	     /* "name\x1flabels" -> struct series (owned) */
static uint64_t gen_now;     /* bumped by every update */
static uint64_t gen_flushed; /* everything up to this is in the database */

static void series_free(void *p)
{
	struct series *s = p;
	free(s->labels);
	free(s->counts);
	free(s);
}

static void put_escaped(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *v);
	}
}

/* Labels name a service, a destination or an outcome: a few hundred bytes.
 * A longer set is counted under one error label rather than cut. */
#define MET_LABELS_CAP 16384

/* Append k="v" to a label set being built, opening it or adding a comma. */
static void put_label(struct buf *b, int first, const char *k, const char *v)
{
	buf_puts(b, first ? "{" : ",");
	buf_printf(b, "%s=\"", k);
	put_escaped(b, v ? v : "");
	buf_putc(b, '"');
}

char *met_labels(const char *key, ...)
{
	struct buf b;
	buf_init(&b, MET_LABELS_CAP);
	va_list ap;
	va_start(ap, key);
	int first = 1;
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		put_label(&b, first, k, va_arg(ap, const char *));
		first = 0;
	}
	va_end(ap);
	if (!first)
		buf_putc(&b, '}');
	if (buf_check(&b, "metric labels") < 0) {
		buf_release(&b);
		return xstrdup("{error=\"labels_too_long\"}");
	}
	return buf_steal(&b);
}

/* Whether a call matches d's declaration; logs when not (before any lock:
 * an error log reaches sentry.c, which updates a metric). */
static int matches(const struct met_def *d, enum vc_metric_type type, size_t n)
{
	if (d->type == type && n == d->nlabels)
		return 1;
	const struct vocab_set *types = vocab_set("metric_type");
	log_error("metrics: %s updated as a %s with %zu labels; it is declared a %s with %zu",
		  d->name, vocab_str(types, (int)type), n, vocab_str(types, (int)d->type),
		  d->nlabels);
	return 0;
}

/*
 * The series of d with these label values (d->nlabels of them), created on
 * first use; NULL when the name already belongs to another declaration.
 * Lock held. Borrowed.
 */
static struct series *get(const struct met_def *d, const char *const *values)
{
	struct buf key;
	buf_init(&key, MET_LABELS_CAP);
	buf_printf(&key, "%s\x1f", d->name);
	size_t at = key.len;
	for (size_t i = 0; i < d->nlabels; i++)
		put_label(&key, i == 0, d->labels[i], values[i]);
	if (d->nlabels)
		buf_putc(&key, '}');
	if (buf_check(&key, "metric labels") < 0) {
		buf_reset(&key);
		buf_printf(&key, "%s\x1f{error=\"labels_too_long\"}", d->name);
	}
	struct series *s = hmap_get(&tab, key.data);
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->def = d;
		s->labels = xstrdup(key.data + at);
		if (d->type == VC_MT_HISTOGRAM && d->nbuckets)
			s->counts = xcalloc(d->nbuckets, sizeof *s->counts);
		hmap_put(&tab, key.data, s);
	} else if (s->def != d) {
		s = NULL;
	}
	buf_release(&key);
	return s;
}

/* Apply one update of the given kind (counter add, gauge set, histogram
 * observation) to the series of d with these label values. */
static void update(const struct met_def *d, enum vc_metric_type type, double v,
		   const char *const *values, size_t n)
{
	if (!matches(d, type, n))
		return;
	pthread_mutex_lock(&lock);
	struct series *s = get(d, values);
	if (s && type == VC_MT_COUNTER) {
		s->value += v;
	} else if (s && type == VC_MT_GAUGE) {
		s->value = v;
	} else if (s) {
		for (size_t i = 0; i < d->nbuckets; i++) {
			if (v <= d->buckets[i]) {
				s->counts[i]++;
				break;
			}
		}
		s->count++;
		s->value += v;
	}
	if (s)
		s->gen = ++gen_now;
	pthread_mutex_unlock(&lock);
	if (!s)
		log_error("metrics: %s is declared twice; an update was ignored", d->name);
}

void met_def_add(const struct met_def *d, double v, const char *const *values, size_t n)
{
	update(d, VC_MT_COUNTER, v, values, n);
}

void met_def_set(const struct met_def *d, double v, const char *const *values, size_t n)
{
	update(d, VC_MT_GAUGE, v, values, n);
}

void met_def_observe(const struct met_def *d, double v, const char *const *values, size_t n)
{
	update(d, VC_MT_HISTOGRAM, v, values, n);
}

/* labels + le="x": insert before the closing brace. Caller frees. */
static char *with_le(const char *labels, double le)
{
	char lev[32];
	if (isinf(le))
		snprintf(lev, sizeof lev, "+Inf");
	else
		snprintf(lev, sizeof lev, "%g", le);
	if (!*labels)
		return xasprintf("{le=\"%s\"}", lev);
	return xasprintf("%.*s,le=\"%s\"}", (int)strlen(labels) - 1, labels, lev);
}

static int put_row(sqlite3_stmt *st, const char *daemon, const char *name, const char *suffix,
		   const char *labels, const char *type, const char *help, double v)
{
	char *full = xasprintf("%s%s", name, suffix);
	db_bind_text(st, 1, daemon);
	db_bind_text(st, 2, full);
	db_bind_text(st, 3, labels);
	db_bind_text(st, 4, type);
	db_bind_text(st, 5, help);
	sqlite3_bind_double(st, 6, v);
	int rc = db_step_done(st);
	free(full);
	return rc;
}

int met_flush(sqlite3 *db, const char *daemon)
{
	static const char *sql =
	    "INSERT INTO metrics (daemon, name, labels, type, help, value, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
	    " ON CONFLICT (daemon, name, labels) DO UPDATE SET type = excluded.type,"
	    " help = excluded.help, value = excluded.value, updated_at = excluded.updated_at";
	pthread_mutex_lock(&lock);
	int idle = gen_now == gen_flushed;
	pthread_mutex_unlock(&lock);
	if (idle) /* nothing changed: no write transaction at all */
		return 0;
	if (db_begin(db) < 0)
		return -1;
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st) {
		db_rollback(db);
		return -1;
	}
	int rc = 0;
	pthread_mutex_lock(&lock);
	/* Updates wait on the lock while we write, so this is exactly what the
	 * transaction will hold once committed. */
	uint64_t upto = gen_now;
	const struct vocab_set *types = vocab_set("metric_type");
	const struct hmap_ent *e;
	for (size_t pos = 0; rc == 0 && (e = hmap_next(&tab, &pos));) {
		const struct series *s = e->val;
		const struct met_def *d = s->def;
		if (s->gen <= gen_flushed)
			continue;
		const char *type = vocab_str(types, (int)d->type);
		if (d->type != VC_MT_HISTOGRAM) {
			rc = put_row(st, daemon, d->name, "", s->labels, type, d->help, s->value);
			continue;
		}
		uint64_t cum = 0;
		for (size_t j = 0; j <= d->nbuckets && rc == 0; j++) {
			cum += j < d->nbuckets ? s->counts[j] : 0;
			double le = j < d->nbuckets ? d->buckets[j] : INFINITY;
			char *l = with_le(s->labels, le);
			rc = put_row(st, daemon, d->name, "_bucket", l, type, d->help,
				     (double)(j < d->nbuckets ? cum : s->count));
			free(l);
		}
		if (rc == 0)
			rc = put_row(st, daemon, d->name, "_sum", s->labels, type, d->help,
				     s->value);
		if (rc == 0)
			rc = put_row(st, daemon, d->name, "_count", s->labels, type, d->help,
				     (double)s->count);
	}
	pthread_mutex_unlock(&lock);
	sqlite3_finalize(st);
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) < 0)
		return -1; /* gen_flushed stays: the next flush writes these again */
	pthread_mutex_lock(&lock);
	if (upto > gen_flushed)
		gen_flushed = upto;
	pthread_mutex_unlock(&lock);
	return 0;
}

void met_reset(void)
{
	pthread_mutex_lock(&lock);
	hmap_release(&tab, series_free);
	gen_now = gen_flushed = 0;
	pthread_mutex_unlock(&lock);
}

double met_value(const char *name, const char *labels)
{
	double v = -1;
	char *key = xasprintf("%s\x1f%s", name, labels ? labels : "");
	pthread_mutex_lock(&lock);
	const struct series *s = hmap_get(&tab, key);
	if (s)
		v = s->def->type == VC_MT_HISTOGRAM ? (double)s->count : s->value;
	pthread_mutex_unlock(&lock);
	free(key);
	return v;
}
