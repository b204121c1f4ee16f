/*
 * json: database rows to JSON. Every resource selects exactly the fields it
 * returns, named as they appear on the wire, and this one function turns the
 * row into an object; the SQL is therefore the single description of each
 * shape. SQLite's storage class decides the JSON type (INTEGER/REAL number,
 * TEXT string, NULL null); a column name prefixed "bool:" or "json:" asks for
 * a boolean or for stored JSON text to be embedded.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "apid.h"
#include "log.h"
#include "status.h"
#include "xalloc.h"

/* Column i as a new item (caller owns); its wire name goes to *name. */
static cJSON *column(sqlite3_stmt *st, int i, const char **name)
{
	const char *n = sqlite3_column_name(st, i);
	int t = sqlite3_column_type(st, i);
	if (!strncmp(n, "bool:", 5)) {
		*name = n + 5;
		return t == SQLITE_NULL ? cJSON_CreateNull()
					: cJSON_CreateBool(sqlite3_column_int64(st, i) != 0);
	}
	if (!strncmp(n, "json:", 5)) {
		*name = n + 5;
		const char *txt = (const char *)sqlite3_column_text(st, i);
		cJSON *v = txt ? jsonck_parse_str(txt, JSONCK_LENIENT) : NULL;
		return v ? v : cJSON_CreateNull();
	}
	*name = n;
	switch (t) {
	case SQLITE_INTEGER:
		return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return cJSON_CreateNumber(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return cJSON_CreateNull();
	default:
		return cJSON_CreateString((const char *)sqlite3_column_text(st, i));
	}
}

void json_add_row(cJSON *obj, sqlite3_stmt *st, int from, int to)
{
	for (int i = from; i < to; i++) {
		const char *name;
		cJSON *v = column(st, i, &name);
		cJSON_AddItemToObject(obj, name, v);
	}
}

cJSON *json_row(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	json_add_row(o, st, 0, sqlite3_column_count(st));
	return o;
}

cJSON *json_row_raw_cols(sqlite3_stmt *st, uint64_t cols)
{
	cJSON *o = cJSON_CreateObject();
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n && i < 64; i++) {
		if (!(cols >> i & 1))
			continue;
		const char *name;
		cJSON *v = column(st, i, &name);
		cJSON_AddItemToObject(o, name, v);
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON *raw = cJSON_CreateRaw(text ? text : "null");
	cJSON_free(text);
	return raw;
}

static _Thread_local int compact_lists;

void json_compact_lists(int on)
{
	compact_lists = on;
}

cJSON *json_list_item(cJSON *item)
{
	return compact_lists ? json_compact(item) : item;
}

cJSON *json_compact(cJSON *item)
{
	char *text = cJSON_PrintUnformatted(item);
	cJSON_Delete(item);
	cJSON *raw = cJSON_CreateRaw(text ? text : "null");
	cJSON_free(text);
	return raw;
}

/* A leaf (or a key, as a string item) printed as cJSON prints it: into
 * the stack when it fits, else through a temporary copy. */
static void put_leaf(cJSON *item, struct jsink *s)
{
	char small[256];
	if (cJSON_PrintPreallocated(item, small, sizeof small, 0)) {
		s->put(s, small, strlen(small));
		return;
	}
	char *text = cJSON_PrintUnformatted(item);
	if (text)
		s->put(s, text, strlen(text));
	else
		s->put(s, "null", 4);
	cJSON_free(text);
}

/* A part of an answer made while it is printed (json_lazy). The item that
 * stands for it is a raw item without text, marked JSON_LAZY, so cJSON's
 * own printers fail on it instead of printing something else; the part is
 * found by its item in this thread's list of parts not yet printed. */
#define JSON_LAZY (1 << 12)
struct json_lazy {
	const cJSON *item;
	void (*print)(void *ctx, struct jsink *s);
	void (*release)(void *ctx);
	void *ctx;
	struct json_lazy *next;
};
static _Thread_local struct json_lazy *lazy_pending;

cJSON *json_lazy(void (*print)(void *ctx, struct jsink *s), void (*release)(void *ctx), void *ctx)
{
	cJSON *item = cJSON_CreateNull(); /* made raw without text: */
	item->type = cJSON_Raw | JSON_LAZY;
	struct json_lazy *l = xmalloc(sizeof *l);
	*l = (struct json_lazy){item, print, release, ctx, lazy_pending};
	lazy_pending = l;
	return item;
}

/* Take item's part out of this thread's list; NULL when it has none. */
static struct json_lazy *lazy_take(const cJSON *item)
{
	for (struct json_lazy **p = &lazy_pending; *p; p = &(*p)->next)
		if ((*p)->item == item) {
			struct json_lazy *l = *p;
			*p = l->next;
			return l;
		}
	return NULL;
}

void json_lazy_drop(void)
{
	while (lazy_pending) {
		struct json_lazy *l = lazy_pending;
		lazy_pending = l->next;
		l->release(l->ctx);
		free(l);
	}
}

int json_lists_compact(void)
{
	return compact_lists;
}

void json_put_member(struct jsink *s, int first, const char *key, cJSON *value)
{
	if (!first)
		s->put(s, ",", 1);
	cJSON k = {.type = cJSON_String, .valuestring = (char *)(uintptr_t)key};
	put_leaf(&k, s);
	s->put(s, ":", 1);
	json_print_consume(value, s);
	cJSON_Delete(value);
}

void json_print_consume(cJSON *item, struct jsink *s)
{
	if (item->type & JSON_LAZY) {
		struct json_lazy *l = lazy_take(item);
		if (!l) { /* printed twice, or made on another thread: a bug */
			log_error("json: a lazy part was not found; printed as null");
			s->put(s, "null", 4);
			s->failed = 1;
			return;
		}
		l->print(l->ctx, s);
		l->release(l->ctx);
		free(l);
		return;
	}
	if (cJSON_IsRaw(item)) {
		const char *t = item->valuestring ? item->valuestring : "null";
		s->put(s, t, strlen(t));
		/* Written: its text can go now, not when the whole answer is
		 * done (the tree is deleted by the caller; NULL is allowed). */
		if (!(item->type & cJSON_IsReference)) {
			cJSON_free(item->valuestring);
			item->valuestring = NULL;
		}
		return;
	}
	if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) {
		put_leaf(item, s);
		return;
	}
	int obj = cJSON_IsObject(item);
	s->put(s, obj ? "{" : "[", 1);
	for (cJSON *c = item->child; c; c = c->next) {
		if (c != item->child)
			s->put(s, ",", 1);
		if (obj) {
			cJSON key = {.type = cJSON_String, .valuestring = c->string};
			put_leaf(&key, s);
			s->put(s, ":", 1);
		}
		json_print_consume(c, s);
	}
	s->put(s, obj ? "}" : "]", 1);
}

void json_put_rows(struct jsink *s, sqlite3_stmt *st, cJSON *(*row)(sqlite3_stmt *, void *),
		   void *ctx)
{
	s->put(s, "[", 1);
	int rc, first = 1;
	for (; (rc = sqlite3_step(st)) == SQLITE_ROW; first = 0) {
		if (!first)
			s->put(s, ",", 1);
		cJSON *item = row(st, ctx);
		json_print_consume(item, s);
		cJSON_Delete(item);
	}
	if (rc != SQLITE_DONE) {
		/* The rows so far are sent nowhere: the answer is dropped. */
		log_error("json: a list stopped after its rows could not be read: %s",
			  sqlite3_errmsg(sqlite3_db_handle(st)));
		s->failed = 1;
	}
	s->put(s, "]", 1);
}

struct text_sink {
	struct jsink base;
	struct buf b;
};

static void text_put(struct jsink *s, const char *p, size_t n)
{
	buf_append(&((struct text_sink *)s)->b, p, n);
}

char *json_print_text(cJSON *item)
{
	struct text_sink t = {.base = {text_put}};
	buf_init(&t.b, 0); /* an answer as built: what the cache would hold */
	json_print_consume(item, &t.base);
	if (t.base.failed) {
		buf_release(&t.b);
		return NULL;
	}
	if (!t.b.data)
		buf_append(&t.b, "", 0);
	return buf_steal(&t.b);
}

size_t json_raw_bytes(const cJSON *item)
{
	if (cJSON_IsRaw(item))
		return item->valuestring ? strlen(item->valuestring) : 0;
	size_t n = 0;
	for (const cJSON *c = item->child; c; c = c->next)
		n += json_raw_bytes(c);
	return n;
}

const char *json_col_name(sqlite3_stmt *st, int i)
{
	const char *n = sqlite3_column_name(st, i);
	return !strncmp(n, "bool:", 5) || !strncmp(n, "json:", 5) ? n + 5 : n;
}

cJSON *json_row_raw(sqlite3_stmt *st)
{
	cJSON *o = json_row(st);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON *raw = cJSON_CreateRaw(text ? text : "null");
	cJSON_free(text);
	return raw;
}

double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

cJSON *json_pct(double v)
{
	return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(round2(v));
}

int status_rank5(const char *s)
{
	enum st_status st = ST_UNKNOWN;
	if (st_status_parse(s, &st) != 0)
		st = ST_UNKNOWN;
	return st_status_rank(st);
}
