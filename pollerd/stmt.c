/*
 * stmt: a cache of prepared statements. A cycle of 10,000 services runs the
 * same dozen statements tens of thousands of times; preparing each one every
 * time would cost more than running it. The key is the SQL text's address
 * (every cached statement is a static string) plus the connection, and the
 * cache must be emptied with stmt_forget() before that connection closes --
 * sqlite3_close refuses a connection with live statements.
 */
#include <stdlib.h>

#include "db.h"
#include "pollerd.h"
#include "xalloc.h"

struct stmt_ent {
	sqlite3 *db;
	const char *sql;
	sqlite3_stmt *st;
};
static struct stmt_ent *cache;
static size_t ncache;

sqlite3_stmt *stmt_get(sqlite3 *db, const char *sql)
{
	for (size_t i = 0; i < ncache; i++) {
		if (cache[i].db == db && cache[i].sql == sql) {
			sqlite3_reset(cache[i].st);
			sqlite3_clear_bindings(cache[i].st);
			return cache[i].st;
		}
	}
	sqlite3_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	cache = xreallocarray(cache, ncache + 1, sizeof *cache);
	cache[ncache++] = (struct stmt_ent){db, sql, st};
	return st;
}

void stmt_forget(sqlite3 *db)
{
	size_t j = 0;
	for (size_t i = 0; i < ncache; i++) {
		if (cache[i].db == db)
			sqlite3_finalize(cache[i].st);
		else
			cache[j++] = cache[i];
	}
	ncache = j;
	if (!ncache) {
		free(cache);
		cache = NULL;
	}
}
