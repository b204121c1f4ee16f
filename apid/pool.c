/*
 * pool: database connections for civetweb's worker threads. apid runs many
 * more workers than it needs connections (each /api/stream client holds a
 * worker), so connections are pooled rather than per thread: at most
 * apid_threads are open, each borrowed for the database part of one request.
 * Response bodies are cached in one place for all of them (rcache.c), not
 * per connection: at 10,000 services a list is megabytes.
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

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
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
		if (!c->db) {
			log_error("cannot open a database connection for a request");
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
