/*
 * hmap: a string-keyed hash table (open addressing, linear probing, FNV-1a).
 * pollerd keeps several per-name tables that must stay fast at 10,000
 * services -- hosts (breakers, connection slots), URL validators, per-service
 * memory -- and registry lookups by id; one small table serves them all.
 * Entries are never removed one by one: the tables only grow with the
 * registry, and a reload that drops a service leaves a few bytes behind.
 */
#include <stdlib.h>
#include <string.h>

#include "pollerd.h"
#include "xalloc.h"

uint64_t hmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof *m);
}

static struct hmap_ent *slot(const struct hmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct hmap_ent *e = &m->v[i];
		if (!e->key || (e->hash == h && strcmp(e->key, key) == 0))
			return e;
	}
}

void *hmap_get(const struct hmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct hmap_ent *e = slot(m, key, hmap_hash(key));
	return e->key ? e->val : NULL;
}

static void grow(struct hmap *m)
{
	struct hmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 16;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (size_t i = 0; i < old.cap; i++) {
		if (old.v[i].key)
			*slot(m, old.v[i].key, old.v[i].hash) = old.v[i];
	}
	free(old.v);
}

void *hmap_put(struct hmap *m, const char *key, void *val)
{
	/* Keep the load under 1/2 so probes stay short. */
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hmap_hash(key);
	struct hmap_ent *e = slot(m, key, h);
	if (e->key) {
		void *prev = e->val;
		e->val = val;
		return prev;
	}
	e->key = xstrdup(key);
	e->hash = h;
	e->val = val;
	m->n++;
	return NULL;
}

void hmap_release(struct hmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->v[i].key)
			continue;
		free(m->v[i].key);
		if (free_val)
			free_val(m->v[i].val);
	}
	free(m->v);
	hmap_init(m);
}
