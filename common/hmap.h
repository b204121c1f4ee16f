/*
 * hmap: the project's one string-keyed hash table (open addressing, linear
 * probing, FNV-1a), for tables that must stay fast at 10,000 services:
 * pollerd's hosts, URL validators, per-service memory and URL groups, and
 * the metrics module's series. Entries are never removed one by one: the
 * tables only grow, and a registry reload that drops a service leaves a few
 * bytes behind until hmap_release.
 *
 * The table owns copies of its keys, never its values: the caller frees
 * values it replaces (hmap_put returns them) and passes a free_val to
 * hmap_release for the rest.
 */
#ifndef ITSTATUS_HMAP_H
#define ITSTATUS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_ent {
	char *key; /* owned copy; NULL = empty slot */
	uint64_t hash;
	void *val;
};
struct hmap {
	struct hmap_ent *v;
	size_t cap; /* power of two, 0 before the first put */
	size_t n;
};

/* An empty table; a zeroed struct hmap is one too. */
void hmap_init(struct hmap *m);
/* Borrowed value or NULL. */
void *hmap_get(const struct hmap *m, const char *key);
/* Insert or replace (key copied); returns the value replaced (the caller's to
 * free) or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *val);
/*
 * Iterate in slot order (no particular order): start with *pos = 0; each call
 * returns the next entry (borrowed) and advances *pos, NULL after the last.
 * The table must not change meanwhile (a put may move every entry).
 */
const struct hmap_ent *hmap_next(const struct hmap *m, size_t *pos);
/* Free the keys and the slots of m (the struct itself is the caller's) and
 * leave it empty; free_val (may be NULL) is called on each value. */
void hmap_release(struct hmap *m, void (*free_val)(void *));
/* FNV-1a of s. */
uint64_t hmap_hash(const char *s);

#endif
