/*
 * pool: database connections for civetweb's worker threads. apid runs many
 * more workers than it needs connections (each /api/stream client holds a
 * worker), so connections are pooled rather than per thread: at most
 * apid_threads are open, each borrowed for the database part of one request.
 *
 * Each connection also keeps a small cache of response bodies. A body is
 * reused only while PRAGMA data_version (which moves when any other
 * connection commits) and this connection's own change count are unchanged,
 * so a cached answer is always what the query would return now; this is what
 * lets /api/summary serve at loopback speed.
 */
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pconn *v;
	int n, max;
	char *path;
};

struct pool *pool_new(const char *path, int max)
{
	struct pool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->max = max < 1 ? 1 : max;
	p->v = xcalloc((size_t)p->max, sizeof *p->v);
	p->path = xstrdup(path);
	return p;
}

static void cache_drop(struct cache_ent *e);

static void cache_clear(struct pconn *c)
{
	for (int i = 0; i < PCONN_CACHE_SLOTS; i++)
		cache_drop(&c->cache[i]);
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
		cache_clear(&p->v[i]);
		sqlite3_finalize(p->v[i].dv);
		db_close(p->v[i].db);
	}
	free(p->v);
	free(p->path);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

struct pconn *pool_get(struct pool *p)
{
	struct pconn *c = NULL;
	pthread_mutex_lock(&p->mu);
	while (!c) {
		for (int i = 0; i < p->n && !c; i++)
			if (!p->v[i].busy)
				c = &p->v[i];
		if (!c && p->n < p->max) {
			c = &p->v[p->n++];
			memset(c, 0, sizeof *c);
		}
		if (!c)
			pthread_cond_wait(&p->cv, &p->mu);
	}
	c->busy = 1;
	pthread_mutex_unlock(&p->mu);
	/* Open outside the lock (opening may wait on a busy database); a slot
	 * whose open failed stays closed and is retried on its next borrow. */
	if (!c->db) {
		c->db = db_open_mode(p->path, DB_EXISTING);
		if (c->db)
			c->dv = db_prepare(c->db, "PRAGMA data_version");
		if (!c->db || !c->dv) {
			log_error("cannot open a database connection for a request");
			sqlite3_finalize(c->dv);
			db_close(c->db);
			c->db = NULL;
			c->dv = NULL;
			pool_put(p, c);
			return NULL;
		}
	}
	return c;
}

void pool_put(struct pool *p, struct pconn *c)
{
	if (!c)
		return;
	/* A statement left open would pin a read snapshot. */
	if (c->db && !sqlite3_get_autocommit(c->db))
		db_rollback(c->db);
	pthread_mutex_lock(&p->mu);
	c->busy = 0;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static int version_now(struct pconn *c, int64_t *dv, int64_t *changes)
{
	if (!c->db || !c->dv)
		return -1;
	int rc = sqlite3_step(c->dv);
	*dv = rc == SQLITE_ROW ? sqlite3_column_int64(c->dv, 0) : -1;
	sqlite3_reset(c->dv);
	*changes = sqlite3_total_changes(c->db);
	return rc == SQLITE_ROW ? 0 : -1;
}

const char *pconn_cache_get(struct pconn *c, const char *key, size_t *len)
{
	int64_t dv, ch;
	c->captured = 0;
	if (version_now(c, &dv, &ch) < 0)
		return NULL;
	/* Remember the version seen before the handler's queries: a body built
	 * after a concurrent commit is then stored under the older version and
	 * merely misses next time, never served stale. */
	c->cap_dv = dv;
	c->cap_changes = ch;
	c->captured = 1;
	for (int i = 0; i < PCONN_CACHE_SLOTS; i++) {
		struct cache_ent *e = &c->cache[i];
		if (e->key && !strcmp(e->key, key)) {
			if (e->data_version != dv || e->changes != ch)
				return NULL;
			e->used = ++c->tick;
			*len = e->len;
			return e->body;
		}
	}
	return NULL;
}

/* Bytes held by one connection's cache; bodies bigger than a slot's share
 * are not kept, so the cache stays small however large the registry. */
#define CACHE_MAX_BYTES (2 * 1024 * 1024)
#define CACHE_MAX_BODY (512 * 1024)

static size_t cache_bytes(const struct pconn *c)
{
	size_t n = 0;
	for (int i = 0; i < PCONN_CACHE_SLOTS; i++)
		n += c->cache[i].key ? c->cache[i].len : 0;
	return n;
}

static void cache_drop(struct cache_ent *e)
{
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof *e);
}

void pconn_cache_put(struct pconn *c, const char *key, const char *body, size_t len)
{
	if (!c->captured || len > CACHE_MAX_BODY)
		return;
	c->captured = 0;
	int64_t dv = c->cap_dv, ch = c->cap_changes;
	struct cache_ent *slot = NULL;
	for (int i = 0; i < PCONN_CACHE_SLOTS && !slot; i++)
		if (c->cache[i].key && !strcmp(c->cache[i].key, key))
			slot = &c->cache[i];
	for (int i = 0; i < PCONN_CACHE_SLOTS && !slot; i++)
		if (!c->cache[i].key)
			slot = &c->cache[i];
	if (!slot) { /* evict the least recently used */
		slot = &c->cache[0];
		for (int i = 1; i < PCONN_CACHE_SLOTS; i++)
			if (c->cache[i].used < slot->used)
				slot = &c->cache[i];
	}
	cache_drop(slot);
	while (cache_bytes(c) + len > CACHE_MAX_BYTES) { /* make room, oldest first */
		struct cache_ent *old = NULL;
		for (int i = 0; i < PCONN_CACHE_SLOTS; i++)
			if (c->cache[i].key && (!old || c->cache[i].used < old->used))
				old = &c->cache[i];
		cache_drop(old);
	}
	slot->key = xstrdup(key);
	slot->body = xmalloc(len + 1);
	memcpy(slot->body, body, len);
	slot->body[len] = '\0';
	slot->len = len;
	slot->data_version = dv;
	slot->changes = ch;
	slot->used = ++c->tick;
}
