/*
 * rcache: how API answers travel (doc/scale.md#http). One response cache
 * shared by every worker holds the 200 bodies of the routes whose answer
 * depends only on the database (R_CACHE), each with its ETag and, made the
 * first time a client asks for it, its gzip form: a body is built, hashed
 * and compressed once per data version however many clients read it, and a
 * registry of 10,000 services costs one copy of its list, not one per worker
 * or per request.
 *
 * The data version is an epoch bumped whenever PRAGMA data_version on the
 * cache's own connection moves, i.e. whenever any connection committed. It
 * is read (under the lock, so in order) before a handler's queries start: a
 * body built after a concurrent commit is stored under the older epoch and
 * merely misses on the next request, it is never served stale. While one
 * worker builds a key for an epoch, others asking for it wait for that body
 * instead of building their own (no herd of 32 identical 6 MB builds).
 *
 * Every API 200 gets an ETag (a hash of its bytes, so an unchanged answer
 * keeps its tag across commits that did not change it, such as heartbeats),
 * Cache-Control: no-cache (store, but revalidate), a 304 when If-None-Match
 * names it, and gzip when the client accepts it and the body is worth it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "apid.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"

/* Bytes of bodies (identity + gzip) the cache may hold; entries in use by a
 * sender are freed when it lets go. Bigger than the largest list at 10,000
 * services (about 6 MB) plus its gzip form, well under the RSS target. */
#define RC_MAX_BYTES (24u * 1024 * 1024)
/* Bodies at least this big are kept gzipped only. */
#define RC_KEEP_IDENTITY_MAX ((size_t)APID_LARGE_BODY)
/* Builds of routes whose answers run to RC_KEEP_IDENTITY_MAX or more that
 * may run at once: each holds its rows (tens of MB at 10,000 services) while
 * it runs, so several different ones at once were apid's peak. */
#define RC_LARGE_BUILDS 1
/* Smaller bodies are sent as they are: gzip would save less than a packet. */
#define GZIP_MIN 1024

enum { RC_BUILDING, RC_READY, RC_FAILED };

struct rc_ent {
	char *key;
	int64_t epoch;
	int state;
	int refs;
	int linked; /* still in the cache's list */
	char *body;
	size_t len;
	char *gz;
	size_t gzlen;
	int gz_state; /* 0 not made, 1 being made, 2 made (gz NULL: not worth it) */
	char etag[48];
	int64_t born_ms; /* monotonic */
	uint64_t used;
	struct rc_ent *next;
};

struct rcache {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* an entry finished building or compressing */
	sqlite3 *db;
	sqlite3_stmt *dv;
	int64_t last_dv, epoch;
	struct rc_ent *head;
	size_t bytes;
	uint64_t tick;
	/* Large builds running now (at most RC_LARGE_BUILDS) and the signal
	 * that one finished (doc/scale.md#memory). */
	int large;
	pthread_cond_t large_cv;
};

struct rcache *rcache_new(const char *db_path)
{
	struct rcache *rc = xcalloc(1, sizeof *rc);
	pthread_mutex_init(&rc->mu, NULL);
	pthread_cond_init(&rc->cv, NULL);
	pthread_cond_init(&rc->large_cv, NULL);
	rc->db = db_open(db_path, 0);
	rc->dv = rc->db ? db_prepare(rc->db, "PRAGMA data_version") : NULL;
	if (!rc->dv) {
		log_error("response cache: cannot open %s", db_path);
		rcache_free(rc);
		return NULL;
	}
	rc->last_dv = -1;
	return rc;
}

static void ent_free(struct rc_ent *e)
{
	free(e->key);
	free(e->body);
	free(e->gz);
	free(e);
}

/* Take e out of the list (lock held); freed now if nobody holds it. */
static void unlink_ent(struct rcache *rc, struct rc_ent *e)
{
	for (struct rc_ent **p = &rc->head; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	e->linked = 0;
	rc->bytes -= (e->body ? e->len : 0) + e->gzlen;
	if (!e->refs)
		ent_free(e);
}

void rcache_free(struct rcache *rc)
{
	if (!rc)
		return;
	while (rc->head)
		unlink_ent(rc, rc->head);
	sqlite3_finalize(rc->dv);
	db_close(rc->db);
	pthread_cond_destroy(&rc->cv);
	pthread_cond_destroy(&rc->large_cv);
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}

/* The current epoch (lock held). */
static int64_t epoch_now(struct rcache *rc)
{
	int64_t v = -1;
	if (sqlite3_step(rc->dv) == SQLITE_ROW)
		v = sqlite3_column_int64(rc->dv, 0);
	sqlite3_reset(rc->dv);
	if (v < 0 || v != rc->last_dv) {
		rc->epoch++; /* unreadable counts as changed: never serve stale */
		rc->last_dv = v;
	}
	return rc->epoch;
}

struct rc_ent *rcache_lookup(struct rcache *rc, const char *key, int64_t max_age_ms, int *build)
{
	pthread_mutex_lock(&rc->mu);
	int64_t epoch = epoch_now(rc);
	int64_t now = ts_mono_ms();
	struct rc_ent *e;
	for (;;) {
		for (e = rc->head; e && strcmp(e->key, key); e = e->next)
			;
		int stale = e && (e->epoch != epoch || (max_age_ms > 0 && e->state == RC_READY &&
							now - e->born_ms > max_age_ms));
		if (stale && e->state != RC_BUILDING) {
			/* an older version, or too old a clock reading */
			unlink_ent(rc, e);
			e = NULL;
		}
		if (!e || (e->state == RC_READY && !stale))
			break;
		/* Being built (for this version, or an older one: then wait for it
		 * and build anew), so one key never has two builds at once: at
		 * 10,000 services a build is tens of MB while it runs. */
		if (e->state == RC_FAILED) {
			unlink_ent(rc, e);
			e = NULL;
			break;
		}
		e->refs++;
		pthread_cond_wait(&rc->cv, &rc->mu);
		e->refs--;
		if (!e->linked) { /* dropped meanwhile: look again */
			if (!e->refs)
				ent_free(e);
			continue;
		}
	}
	*build = !e;
	if (!e) {
		e = xcalloc(1, sizeof *e);
		e->key = xstrdup(key);
		e->epoch = epoch;
		e->born_ms = now;
		e->state = RC_BUILDING;
		e->linked = 1;
		e->next = rc->head;
		rc->head = e;
	}
	e->refs++;
	e->used = ++rc->tick;
	pthread_mutex_unlock(&rc->mu);
	return e;
}

#define FNV_OFFSET 1469598103934665603ull

/* FNV-1a of n more bytes, continuing from h (FNV_OFFSET to start). */
static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void etag_text(size_t len, uint64_t h, char *out, size_t outlen)
{
	snprintf(out, outlen, "\"%zx-%016llx\"", len, (unsigned long long)h);
}

void rc_etag(const char *body, size_t len, char *out, size_t outlen)
{
	etag_text(len, fnv1a(FNV_OFFSET, body, len), out, outlen);
}

/* Make e ready with its body: copy (identity, may be NULL) and/or gz, both
 * taken; len is the identity length. */
static void ent_store(struct rcache *rc, struct rc_ent *e, char *copy, size_t len, char *gz,
		      size_t gzlen, const char *etag)
{
	pthread_mutex_lock(&rc->mu);
	if (e->state == RC_BUILDING) {
		e->body = copy;
		e->len = len;
		e->gz = gz;
		e->gzlen = gzlen;
		e->gz_state = gz ? 2 : 0;
		snprintf(e->etag, sizeof e->etag, "%s", etag);
		e->state = RC_READY;
		copy = gz = NULL;
		if (e->linked)
			rc->bytes += (e->body ? len : 0) + e->gzlen;
		/* Make room, least recently used first (never the new one). */
		while (rc->bytes > RC_MAX_BYTES) {
			struct rc_ent *old = NULL;
			for (struct rc_ent *x = rc->head; x; x = x->next)
				if (x != e && x->state == RC_READY && (!old || x->used < old->used))
					old = x;
			if (!old)
				break;
			unlink_ent(rc, old);
		}
		pthread_cond_broadcast(&rc->cv);
	}
	pthread_mutex_unlock(&rc->mu);
	free(copy);
	free(gz);
}

void rcache_fill(struct rcache *rc, struct rc_ent *e, const char *body, size_t len)
{
	char etag[sizeof e->etag];
	rc_etag(body, len, etag, sizeof etag);
	/* A large body is kept in its gzip form only (a 6 MB list is 0.2 MB
	 * gzipped): browsers take that; the rare client without gzip gets it
	 * inflated. A small one is kept as it is and compressed when asked. */
	char *copy = NULL, *gz = NULL;
	size_t gzlen = 0;
	if (len >= RC_KEEP_IDENTITY_MAX && rc_gzip(body, len, 6, &gz, &gzlen) == 0 && gzlen < len) {
		/* gz it is */
	} else {
		free(gz);
		gz = NULL;
		copy = xmalloc(len + 1);
		memcpy(copy, body, len);
		copy[len] = '\0';
	}
	ent_store(rc, e, copy, len, gz, gzlen, etag);
	if (len >= RC_KEEP_IDENTITY_MAX)
		apid_trim_memory(); /* the build's tree and text are gone: give the pages back */
}

/* The text of an answer as it is printed (json_print_consume): its length
 * and hash as it goes, the text itself while it is small, and from
 * RC_KEEP_IDENTITY_MAX on its gzip form only, compressed a slice at a time
 * so a 30 MB answer is never whole in memory. */
struct fill_sink {
	struct jsink base;
	size_t len;
	uint64_t hash;
	struct buf text; /* the identity body; once compressing, the slice not yet fed */
	int zon;	 /* compressing */
	int zfail;
	z_stream z;
	char *gz;
	size_t gzcap;
};

#define FILL_SLICE (64u * 1024)

/* Feed n bytes to the compressor (finish: and end the stream). */
static void gz_feed(struct fill_sink *f, const char *p, size_t n, int finish)
{
	f->z.next_in = (Bytef *)(uintptr_t)p;
	f->z.avail_in = (uInt)n;
	for (;;) {
		if (!f->z.avail_out) {
			size_t used = f->gzcap;
			f->gzcap *= 2;
			f->gz = xrealloc(f->gz, f->gzcap);
			f->z.next_out = (Bytef *)f->gz + used;
			f->z.avail_out = (uInt)(f->gzcap - used);
		}
		int rc = deflate(&f->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR) {
			f->zfail = 1;
			return;
		}
		if (finish ? rc == Z_STREAM_END : !f->z.avail_in)
			return;
	}
}

static void fill_put(struct jsink *s, const char *p, size_t n)
{
	struct fill_sink *f = (struct fill_sink *)s;
	f->len += n;
	f->hash = fnv1a(f->hash, p, n);
	if (f->zfail)
		return; /* only the length and hash still matter: the build fails */
	buf_append(&f->text, p, n);
	if (!f->zon && f->text.len >= RC_KEEP_IDENTITY_MAX) {
		/* Large: compress from here on and keep no identity copy. */
		if (deflateInit2(&f->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			f->zfail = 1;
			return;
		}
		f->zon = 1;
		f->gzcap = FILL_SLICE;
		f->gz = xmalloc(f->gzcap);
		f->z.next_out = (Bytef *)f->gz;
		f->z.avail_out = (uInt)f->gzcap;
	}
	if (f->zon && !f->zfail && f->text.len >= FILL_SLICE) {
		gz_feed(f, f->text.data, f->text.len, 0);
		buf_reset(&f->text);
	}
}

int rcache_fill_json(struct rcache *rc, struct rc_ent *e, cJSON *root)
{
	struct fill_sink f = {.base = {fill_put}, .hash = FNV_OFFSET};
	buf_init(&f.text,
		 0); /* no cap: fill_put compresses and empties it past RC_KEEP_IDENTITY_MAX */
	json_print_consume(root, &f.base);
	cJSON_Delete(root);
	if (f.zon && !f.zfail)
		gz_feed(&f, f.text.data ? f.text.data : "", f.text.len, 1);
	if (f.zon)
		deflateEnd(&f.z);
	int ok = !f.zfail && !f.base.failed;
	if (ok) {
		char etag[sizeof e->etag];
		etag_text(f.len, f.hash, etag, sizeof etag);
		if (f.zon) {
			buf_release(&f.text);
			size_t gzlen = f.gzcap - f.z.avail_out;
			ent_store(rc, e, NULL, f.len, xrealloc(f.gz, gzlen), gzlen, etag);
		} else {
			if (!f.text.data)
				buf_append(&f.text, "", 0);
			ent_store(rc, e, buf_steal(&f.text), f.len, NULL, 0, etag);
		}
	} else {
		log_error("response cache: %s %s",
			  f.base.failed ? "cannot read the rows of" : "cannot compress", e->key);
		free(f.gz);
		buf_release(&f.text);
	}
	if (f.len >= RC_KEEP_IDENTITY_MAX)
		apid_trim_memory(); /* the build's tree and text are gone: give the pages back */
	return ok ? 0 : -1;
}

int rcache_large_enter(struct rcache *rc, struct rc_ent *e, int64_t deadline_ms)
{
	pthread_mutex_lock(&rc->mu);
	int got = 1;
	while (rc->large >= RC_LARGE_BUILDS) {
		int64_t left = deadline_ms - ts_mono_ms();
		if (left <= 0) {
			got = 0;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(left / 1000);
		ts.tv_nsec += (long)(left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&rc->large_cv, &rc->mu, &ts);
	}
	if (got) {
		rc->large++;
		/* A clock route's answer is as old as its build, not as its
		 * wait: count its age from now. */
		e->born_ms = ts_mono_ms();
	}
	pthread_mutex_unlock(&rc->mu);
	return got ? 0 : -1;
}

void rcache_large_leave(struct req *r)
{
	if (!r->large)
		return;
	struct rcache *rc = r->a->rcache;
	r->large = 0;
	pthread_mutex_lock(&rc->mu);
	rc->large--;
	pthread_cond_signal(&rc->large_cv);
	pthread_mutex_unlock(&rc->mu);
}

void rcache_unhold(struct rcache *rc, struct rc_ent *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&rc->mu);
	if (e->state == RC_BUILDING) { /* no 200 came of it: let a waiter try */
		e->state = RC_FAILED;
		pthread_cond_broadcast(&rc->cv);
	}
	if (!--e->refs && !e->linked)
		ent_free(e);
	pthread_mutex_unlock(&rc->mu);
}

int rc_gzip(const char *in, size_t len, int level, char **out, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip wrapper, which is what "Content-Encoding: gzip" names. */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len);
	char *buf = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = cap - z.avail_out;
	return 0;
}

/* The entry's gzip form, made once (lock not held). NULL when not worth it. */
static const char *ent_gzip(struct rcache *rc, struct rc_ent *e, size_t *len)
{
	pthread_mutex_lock(&rc->mu);
	while (e->gz_state == 1)
		pthread_cond_wait(&rc->cv, &rc->mu);
	if (e->gz_state == 0) {
		e->gz_state = 1;
		pthread_mutex_unlock(&rc->mu);
		char *gz = NULL;
		size_t n = 0;
		/* The body is compressed once per version, so spend the CPU on
		 * the smaller result. */
		if (rc_gzip(e->body, e->len, 6, &gz, &n) == 0 && n >= e->len) {
			free(gz);
			gz = NULL;
		}
		pthread_mutex_lock(&rc->mu);
		e->gz = gz;
		e->gzlen = gz ? n : 0;
		e->gz_state = 2;
		if (e->linked)
			rc->bytes += e->gzlen;
		pthread_cond_broadcast(&rc->cv);
	}
	pthread_mutex_unlock(&rc->mu);
	*len = e->gzlen;
	return e->gz;
}

int rc_gunzip_each(const char *in, size_t len, size_t outlen,
		   int (*out)(void *ctx, const char *p, size_t n), void *ctx)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	/* A slice at a time: a client without gzip must not cost a whole
	 * identity copy of a 30 MB answer. */
	enum { SLICE = 64 * 1024 };
	char *buf = xmalloc(SLICE);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	size_t done = 0;
	int rc;
	do {
		z.next_out = (Bytef *)buf;
		z.avail_out = SLICE;
		rc = inflate(&z, Z_NO_FLUSH);
		size_t n = SLICE - z.avail_out;
		done += n;
		if ((rc != Z_OK && rc != Z_STREAM_END) || done > outlen ||
		    (n && out(ctx, buf, n) < 0))
			rc = Z_DATA_ERROR;
	} while (rc == Z_OK);
	inflateEnd(&z);
	free(buf);
	return rc == Z_STREAM_END && done == outlen ? 0 : -1;
}

int rc_ready(const struct rc_ent *e)
{
	return e->state == RC_READY;
}

const char *rc_gz_form(const struct rc_ent *e, size_t *gzlen, char *etag, size_t etaglen)
{
	snprintf(etag, etaglen, "%s", e->etag);
	*gzlen = e->gzlen;
	return e->gz;
}

const char *rc_body(const struct rc_ent *e, size_t *len)
{
	*len = e->len;
	return e->body;
}

/* 1 when the If-None-Match header names etag (or is "*"). */
static int inm_matches(const char *inm, const char *etag)
{
	if (!inm)
		return 0;
	size_t n = strlen(etag);
	for (const char *p = inm; *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2; /* weak comparison (RFC 9110 13.1.2) */
		if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

int http_accepts_gzip(const char *ae)
{
	if (!ae)
		return 0;
	for (const char *p = ae; *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!strncasecmp(p, "gzip", 4) && (!p[4] || strchr(" ,;\t", p[4]))) {
			const char *e = p + 4;
			while (*e && *e != ',' && *e != ';')
				e++;
			if (*e == ';') {
				const char *q = strstr(e, "q=");
				const char *end = strchr(e, ',');
				if (q && (!end || q < end) && strtod(q + 2, NULL) <= 0.0)
					return 0;
			}
			return 1;
		}
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

void rc_represent(struct req *r, struct repr *o)
{
	o->status = 200;
	o->owned = NULL;
	o->gz = NULL;
	struct rc_ent *e = r->rc && r->rc->state == RC_READY ? r->rc : NULL;
	char etag[48];
	const char *tag = etag;
	if (e)
		tag = e->etag;
	else
		rc_etag(o->body, o->len, etag, sizeof etag);
	snprintf(o->headers, sizeof o->headers, "%sETag: %s\r\nVary: Accept-Encoding\r\n",
		 o->own_cache_control ? "" : "Cache-Control: no-cache\r\n", tag);
	if (inm_matches(req_header(r, "If-None-Match"), tag)) {
		o->status = 304;
		o->body = NULL;
		o->len = 0;
		return;
	}
	size_t len = e ? e->len : o->len;
	int gzip = len >= GZIP_MIN && http_accepts_gzip(req_header(r, "Accept-Encoding"));
	const char *gz = NULL;
	size_t gzlen = 0;
	if (e) {
		if (gzip)
			gz = ent_gzip(r->a->rcache, e, &gzlen);
		if (!gz) { /* identity: kept, just built, or inflated from the gzip form */
			o->len = e->len;
			if (e->body) {
				o->body = e->body;
			} else if (!o->body) { /* inflated while it is sent */
				o->gz = e->gz;
				o->gzlen = e->gzlen;
			}
			return;
		}
	} else if (gzip) {
		/* Built for this request only: the fastest level, paid every time. */
		char *tmp = NULL;
		if (rc_gzip(o->body, o->len, 1, &tmp, &gzlen) == 0 && gzlen < o->len)
			gz = o->owned = tmp;
		else
			free(tmp);
	}
	if (!gz)
		return;
	o->body = gz;
	o->len = gzlen;
	size_t l = strlen(o->headers);
	snprintf(o->headers + l, sizeof o->headers - l, "Content-Encoding: gzip\r\n");
}

/* glibc gives every thread that allocates its own arena and raises the
 * mmap threshold after large frees, so the multi-megabyte trees and texts of
 * a 10,000-service answer would stay resident after use. Few arenas, a fixed
 * threshold (large blocks are mapped and returned on free) and a trim after
 * each large build keep RSS near what is live (doc/scale.md#memory). */
void apid_malloc_setup(void)
{
#ifdef __GLIBC__
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

void apid_trim_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
