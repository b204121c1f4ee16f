/*
 * json: database rows to JSON. Every resource selects exactly the fields it
 * returns, named as they appear on the wire, and this one function turns the
 * row into an object; the SQL is therefore the single description of each
 * shape. SQLite's storage class decides the JSON type (INTEGER/REAL number,
 * TEXT string, NULL null); a column name prefixed "bool:" or "json:" asks for
 * a boolean or for stored JSON text to be embedded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "apid.h"
#include "status.h"

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

void json_print_consume(cJSON *item, struct jsink *s)
{
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
