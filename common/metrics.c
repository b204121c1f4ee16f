/*
 * metrics: in-memory series flushed to the metrics table (see metrics.h).
 *
 * A small open-addressing hash keyed by "name\x1flabels" holds every series.
 * Histograms keep their bucket counts in the series itself and are expanded
 * into _bucket/_sum/_count rows only at flush time, so observing is cheap.
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
#include "log.h"
#include "xalloc.h"

const double met_default_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
				      1,     2.5,  5,	  10,	30,  60};
const size_t met_default_nbuckets = sizeof met_default_buckets / sizeof met_default_buckets[0];

enum met_type { MET_COUNTER, MET_GAUGE, MET_HISTOGRAM };

struct series {
	char *key; /* name \x1f labels; NULL = empty slot */
	char *name;
	char *labels;
	char *help;
	enum met_type type;
	double value; /* counter/gauge value; histogram sum */
	/* histogram only */
	double *bounds;
	uint64_t *counts; /* cumulative per bound is computed at flush */
	size_t nbounds;
	uint64_t count;
	uint64_t gen; /* generation of the last update */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series *tab;
static size_t cap, used;
static uint64_t gen_now;     /* bumped by every update */
static uint64_t gen_flushed; /* everything up to this is in the database */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void grow(void);

/* Find or create the series; called with lock held. */
static struct series *get(const char *name, const char *labels, const char *help,
			  enum met_type type)
{
	if (!labels)
		labels = "";
	if (used * 2 >= cap)
		grow();
	char *key = xasprintf("%s\x1f%s", name, labels);
	size_t i = hash(key) & (cap - 1);
	while (tab[i].key) {
		if (!strcmp(tab[i].key, key)) {
			free(key);
			return &tab[i];
		}
		i = (i + 1) & (cap - 1);
	}
	struct series *s = &tab[i];
	memset(s, 0, sizeof *s);
	s->key = key;
	s->name = xstrdup(name);
	s->labels = xstrdup(labels);
	s->help = xstrdup(help ? help : "");
	s->type = type;
	used++;
	return s;
}

static void grow(void)
{
	size_t ncap = cap ? cap * 2 : 64;
	struct series *old = tab;
	size_t ocap = cap;
	tab = xcalloc(ncap, sizeof *tab);
	cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].key)
			continue;
		size_t j = hash(old[i].key) & (cap - 1);
		while (tab[j].key)
			j = (j + 1) & (cap - 1);
		tab[j] = old[i];
	}
	free(old);
}

void met_counter_add(const char *name, const char *labels, const char *help, double v)
{
	pthread_mutex_lock(&lock);
	struct series *s = get(name, labels, help, MET_COUNTER);
	s->value += v;
	s->gen = ++gen_now;
	pthread_mutex_unlock(&lock);
}

void met_gauge_set(const char *name, const char *labels, const char *help, double v)
{
	pthread_mutex_lock(&lock);
	struct series *s = get(name, labels, help, MET_GAUGE);
	s->value = v;
	s->gen = ++gen_now;
	pthread_mutex_unlock(&lock);
}

void met_histogram_observe(const char *name, const char *labels, const char *help,
			   const double *buckets, size_t nbuckets, double v)
{
	if (!buckets) {
		buckets = met_default_buckets;
		nbuckets = met_default_nbuckets;
	}
	pthread_mutex_lock(&lock);
	struct series *s = get(name, labels, help, MET_HISTOGRAM);
	if (!s->bounds) {
		s->bounds = xcalloc(nbuckets, sizeof *s->bounds);
		memcpy(s->bounds, buckets, nbuckets * sizeof *buckets);
		s->counts = xcalloc(nbuckets, sizeof *s->counts);
		s->nbounds = nbuckets;
	}
	for (size_t i = 0; i < s->nbounds; i++) {
		if (v <= s->bounds[i]) {
			s->counts[i]++;
			break;
		}
	}
	s->count++;
	s->value += v;
	s->gen = ++gen_now;
	pthread_mutex_unlock(&lock);
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

char *met_labels(const char *key, ...)
{
	struct buf b;
	buf_init(&b, MET_LABELS_CAP);
	va_list ap;
	va_start(ap, key);
	int first = 1;
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		buf_puts(&b, first ? "{" : ",");
		buf_printf(&b, "%s=\"", k);
		put_escaped(&b, v ? v : "");
		buf_putc(&b, '"');
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
	for (size_t i = 0; i < cap && rc == 0; i++) {
		struct series *s = &tab[i];
		if (!s->key || s->gen <= gen_flushed)
			continue;
		if (s->type != MET_HISTOGRAM) {
			rc = put_row(st, daemon, s->name, "", s->labels,
				     s->type == MET_COUNTER ? "counter" : "gauge", s->help,
				     s->value);
			continue;
		}
		uint64_t cum = 0;
		for (size_t j = 0; j <= s->nbounds && rc == 0; j++) {
			cum += j < s->nbounds ? s->counts[j] : 0;
			double le = j < s->nbounds ? s->bounds[j] : INFINITY;
			char *l = with_le(s->labels, le);
			rc = put_row(st, daemon, s->name, "_bucket", l, "histogram", s->help,
				     (double)(j < s->nbounds ? cum : s->count));
			free(l);
		}
		if (rc == 0)
			rc = put_row(st, daemon, s->name, "_sum", s->labels, "histogram", s->help,
				     s->value);
		if (rc == 0)
			rc = put_row(st, daemon, s->name, "_count", s->labels, "histogram", s->help,
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
	for (size_t i = 0; i < cap; i++) {
		if (!tab[i].key)
			continue;
		free(tab[i].key);
		free(tab[i].name);
		free(tab[i].labels);
		free(tab[i].help);
		free(tab[i].bounds);
		free(tab[i].counts);
	}
	free(tab);
	tab = NULL;
	cap = used = 0;
	gen_now = gen_flushed = 0;
	pthread_mutex_unlock(&lock);
}

double met_value(const char *name, const char *labels)
{
	double v = -1;
	pthread_mutex_lock(&lock);
	char *key = xasprintf("%s\x1f%s", name, labels ? labels : "");
	for (size_t i = 0; cap && i < cap; i++) {
		if (tab[i].key && !strcmp(tab[i].key, key)) {
			v = tab[i].type == MET_HISTOGRAM ? (double)tab[i].count : tab[i].value;
			break;
		}
	}
	free(key);
	pthread_mutex_unlock(&lock);
	return v;
}
