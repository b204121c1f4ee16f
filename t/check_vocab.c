/*
 * check_vocab: the vocabulary has one definition (common/vocab.def) and every
 * copy agrees with it (doc/vocabulary.md):
 *  - the schema: every CHECK (col IN ('a', 'b', ...)) of a freshly migrated
 *    database, read back from sqlite_master, lists exactly the words of the
 *    set vocab.def assigns to that column (or a subset, for columns marked
 *    `<`), and no CHECK list over words is left without a set;
 *  - the dashboard: web/src/lib/vocab.ts is byte for byte what vocab_ts()
 *    writes, and no other file under web/src defines one of its types or
 *    arrays again;
 *  - the C tables: the three status orders agree on the known statuses, and
 *    every poll type but manual has a parser in pollerd;
 *  - the effective-status rule: web/test/effective.cases.ts, on which the
 *    dashboard's copy of the rule is tested, is what the v_effective view
 *    answers for every status, poller health and pollerd state;
 *  - the daemons' SQL: a quoted word compared with an enumerated column
 *    (suppressed_by = 'batched', state IN ('pending', 'sending')) in any C
 *    source of alertd, apid, pollerd or common is a word of that column's set;
 *  - the API contract: every "enum" of apid/openapi.json lists exactly the
 *    words of the set the table api_enums assigns to it, and no enum of the
 *    document is missing from that table.
 * The comparers are first run on doctored schemas and documents (a word
 * added, a word dropped, an enumeration no set names) and must fail on each;
 * the SQL scanner on doctored C text, where it must report each misspelt word.
 */
#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "../apid/apid.h"
#include "buf.h"
#include "db.h"
#include "../pollerd/format.h"
#include "status.h"
#include "timeutil.h"
#include "tsupport.h"
#include "polltype.h"
#include "vocab.h"
#include "xalloc.h"

#define MAX_LISTS 128
#define MAX_WORDS 32

/* One CHECK (col IN ('...', ...)) of one table. */
struct check_list {
	char col[128]; /* "table.column" */
	char words[MAX_WORDS][64];
	size_t n;
	int claimed;
};

struct schema {
	struct check_list l[MAX_LISTS];
	size_t n;
};

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The next " IN (" of s, in any case, or NULL. */
static const char *find_in(const char *s)
{
	for (; *s; s++)
		if (strncasecmp(s, " IN (", 5) == 0)
			return s;
	return NULL;
}

/* Add the quoted-word IN lists of one CREATE TABLE statement to sc. */
static void scan_table(struct schema *sc, const char *table, const char *sql)
{
	for (const char *p = sql; (p = find_in(p)) != NULL; p += 5) {
		/* the column: the identifier before " IN" */
		const char *e = p;
		const char *b = e;
		while (b > sql && ident_char(b[-1]))
			b--;
		const char *q = p + 5;
		while (*q == ' ' || *q == '\t' || *q == '\n')
			q++;
		if (*q != '\'' || b == e)
			continue; /* IN (0, 1) and the like: not words */
		ck_assert_msg(sc->n < MAX_LISTS, "too many CHECK lists");
		struct check_list *l = &sc->l[sc->n++];
		memset(l, 0, sizeof *l);
		snprintf(l->col, sizeof l->col, "%s.%.*s", table, (int)(e - b), b);
		while (*q == '\'') {
			const char *w = ++q;
			while (*q && *q != '\'')
				q++;
			ck_assert_msg(*q == '\'' && l->n < MAX_WORDS, "bad CHECK list in %s",
				      l->col);
			snprintf(l->words[l->n++], sizeof l->words[0], "%.*s", (int)(q - w), w);
			q++;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == ',')
				q++;
		}
	}
}

static int has_word(const char (*words)[64], size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(words[i], w) == 0)
			return 1;
	return 0;
}

/* Compare sc with vocab_sets; each difference is a line in out. */
static void compare(struct schema *sc, struct buf *out)
{
	for (size_t s = 0; s < vocab_nsets; s++) {
		const struct vocab_set *set = &vocab_sets[s];
		char *cols = xstrdup(set->columns);
		for (char *c = cols, *next; c && *c; c = next) {
			next = strchr(c, ' ');
			if (next)
				*next++ = '\0';
			size_t len = strlen(c);
			int subset = len && c[len - 1] == '<';
			if (subset)
				c[--len] = '\0';
			struct check_list *l = NULL;
			for (size_t i = 0; i < sc->n; i++)
				if (strcmp(sc->l[i].col, c) == 0)
					l = &sc->l[i];
			if (!l) {
				buf_printf(
				    out,
				    "%s: vocab.def set %s names it, the schema has no CHECK list\n",
				    c, set->id);
				continue;
			}
			l->claimed = 1;
			for (size_t i = 0; i < l->n; i++)
				if (vocab_parse(set, l->words[i]) < 0)
					buf_printf(
					    out,
					    "%s: the schema allows '%s', set %s does not have it\n",
					    c, l->words[i], set->id);
			for (size_t i = 0; !subset && i < set->n; i++)
				if (!has_word((const char(*)[64])l->words, l->n, set->words[i]))
					buf_printf(
					    out,
					    "%s: set %s has '%s', the schema does not allow it\n",
					    c, set->id, set->words[i]);
		}
		free(cols);
	}
	for (size_t i = 0; i < sc->n; i++)
		if (!sc->l[i].claimed)
			buf_printf(out,
				   "%s: a CHECK list of words that no set of vocab.def names\n",
				   sc->l[i].col);
}

/* The CREATE TABLE statements of a freshly migrated database. */
static void load_schema(struct schema *sc, char ***names, char ***sqls, size_t *n)
{
	char *dir = ts_tmpdir();
	char *path = xasprintf("%s/vocab.db", dir);
	sqlite3 *db = db_open(path, 0);
	ck_assert_ptr_nonnull(db);
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL");
	*n = 0;
	*names = NULL;
	*sqls = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		*sqls = xrealloc(*sqls, (*n + 1) * sizeof **sqls);
		(*names)[*n] = db_col_dup(st, 0);
		(*sqls)[*n] = db_col_dup(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	db_close(db);
	memset(sc, 0, sizeof *sc);
	free(path);
	free(dir);
}

static void free_schema(char **names, char **sqls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(sqls[i]);
	}
	free(names);
	free(sqls);
}

/* Differences between vocab.def and the schema, with table t's SQL replaced by
 * sql_t when t is not NULL and extra appended as one more table (caller frees). */
static char *differences(const char *t, const char *sql_t, const char *extra)
{
	struct schema *sc = xcalloc(1, sizeof *sc);
	char **names, **sqls;
	size_t n;
	load_schema(sc, &names, &sqls, &n);
	for (size_t i = 0; i < n; i++)
		scan_table(sc, names[i], t && !strcmp(names[i], t) ? sql_t : sqls[i]);
	if (extra)
		scan_table(sc, "extra", extra);
	struct buf out;
	buf_init(&out, 0);
	compare(sc, &out);
	free_schema(names, sqls, n);
	free(sc);
	return buf_steal(&out);
}

/* The SQL of table t in the migrated schema with `from` replaced by `to`. */
static char *doctored(const char *t, const char *from, const char *to)
{
	struct schema sc;
	char **names, **sqls;
	size_t n;
	load_schema(&sc, &names, &sqls, &n);
	char *res = NULL;
	for (size_t i = 0; i < n && !res; i++) {
		if (strcmp(names[i], t) != 0)
			continue;
		const char *at = strstr(sqls[i], from);
		ck_assert_msg(at != NULL, "%s has no %s", t, from);
		res = xasprintf("%.*s%s%s", (int)(at - sqls[i]), sqls[i], to, at + strlen(from));
	}
	free_schema(names, sqls, n);
	ck_assert_msg(res != NULL, "no table %s", t);
	return res;
}

START_TEST(test_schema_matches_vocab)
{
	char *d = differences(NULL, NULL, NULL);
	ck_assert_msg(*d == '\0', "schema and common/vocab.def differ:\n%s", d);
	free(d);
}
END_TEST

START_TEST(test_comparer_catches_drift)
{
	/* the drift of issue 12: an outbox state the vocabulary does not have */
	char *sql = doctored("outbox", "'failed')", "'failed', 'gave_up')");
	char *d = differences("outbox", sql, NULL);
	ck_assert_msg(strstr(d, "outbox.state: the schema allows 'gave_up'"), "missed: %s", d);
	free(d);
	free(sql);
	/* a word dropped from a status column */
	sql = doctored("services", "'major_outage', 'unknown')", "'major_outage')");
	d = differences("services", sql, NULL);
	ck_assert_msg(strstr(d, "services.current_status: set status has 'unknown'"), "missed: %s",
		      d);
	free(d);
	free(sql);
	/* a new enumeration nobody added to vocab.def */
	d = differences(NULL, NULL,
			"CREATE TABLE extra (mood TEXT CHECK (mood IN ('calm', 'grumpy')))");
	ck_assert_msg(strstr(d, "extra.mood: a CHECK list of words"), "missed: %s", d);
	free(d);
}
END_TEST

static const char *root_dir(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	return r && *r ? r : ".";
}

START_TEST(test_ts_is_generated)
{
	char *path = xasprintf("%s/web/src/lib/vocab.ts", root_dir());
	char *have = ts_read(path, NULL);
	ck_assert_msg(have != NULL, "cannot read %s", path);
	struct buf want;
	buf_init(&want, 0);
	vocab_ts(&want);
	ck_assert_msg(strcmp(have, want.data) == 0,
		      "%s is not what common/vocab.def generates: run make (or build/mk/vocab_ts)",
		      path);
	buf_release(&want);
	free(have);
	free(path);
}
END_TEST

/* Lines of file defining a vocab.ts type or array again, added to out. */
static void scan_ts(const char *file, const char *shown, struct buf *out)
{
	char *text = ts_read(file, NULL);
	if (!text)
		return;
	for (size_t s = 0; s < vocab_nsets; s++) {
		const char *pat[2] = {vocab_sets[s].ts_type, vocab_sets[s].ts_array};
		const char *kw[2] = {"type ", "const "};
		for (int k = 0; k < 2 && pat[k]; k++) {
			char *needle = xasprintf("%s%s =", kw[k], pat[k]);
			char *needle2 = xasprintf("%s%s:", kw[k], pat[k]);
			if (strstr(text, needle) || strstr(text, needle2))
				buf_printf(out, "%s defines %s%s again: import it from lib/vocab\n",
					   shown, kw[k], pat[k]);
			free(needle);
			free(needle2);
		}
	}
	free(text);
}

static void walk_ts(const char *dir, const char *rel, struct buf *out)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		char *r = xasprintf("%s/%s", rel, e->d_name);
		struct stat sb;
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			walk_ts(p, r, out);
		else if ((strstr(e->d_name, ".ts") || strstr(e->d_name, ".tsx")) &&
			 strcmp(r, "web/src/lib/vocab.ts") != 0)
			scan_ts(p, r, out);
		free(p);
		free(r);
	}
	closedir(d);
}

START_TEST(test_no_second_ts_copy)
{
	char *src = xasprintf("%s/web/src", root_dir());
	struct buf out;
	buf_init(&out, 0);
	walk_ts(src, "web/src", &out);
	ck_assert_msg(out.len == 0, "%s", out.data);
	/* and the scan does find a copy */
	char *dir = ts_tmpdir();
	char *f = ts_write(dir, "drawer.ts", "export type OutboxState = 'sent' | 'gave_up';\n");
	scan_ts(f, "drawer.ts", &out);
	ck_assert_msg(strstr(out.data ? out.data : "", "drawer.ts defines type OutboxState"),
		      "missed");
	buf_release(&out);
	free(f);
	free(dir);
	free(src);
}
END_TEST

START_TEST(test_status_orders)
{
	static const enum st_status known[] = {ST_OPERATIONAL, ST_DEGRADED, ST_PARTIAL_OUTAGE,
					       ST_MAJOR_OUTAGE};
	for (int i = 1; i < 4; i++) {
		ck_assert_int_lt(st_status_rank(known[i - 1]), st_status_rank(known[i]));
		ck_assert_int_lt(st_status_fold_rank(known[i - 1]), st_status_fold_rank(known[i]));
		ck_assert(st_status_gauge(known[i - 1]) < st_status_gauge(known[i]));
	}
	/* rank is an array index 0..4 (apid counts by it) */
	ck_assert_int_eq(st_status_rank(ST_UNKNOWN), 0);
	ck_assert_int_eq(st_status_rank(ST_MAJOR_OUTAGE), 4);
	ck_assert_int_gt(st_status_fold_rank(ST_UNKNOWN), st_status_fold_rank(ST_MAJOR_OUTAGE));
	ck_assert(st_status_gauge(ST_UNKNOWN) == 4.0);
	ck_assert_str_eq(st_status_emoji(ST_MAJOR_OUTAGE), "\xf0\x9f\x94\xb4");
	ck_assert_str_eq(st_status_emoji((enum st_status)42), st_status_emoji(ST_UNKNOWN));
	/* the generic sets agree with status.h's enums */
	ck_assert_str_eq(vocab_str(vocab_set("tier"), ST_TIER_INFORMATIONAL), "informational");
	ck_assert_int_eq(vocab_parse(vocab_set("outbox_state"), "failed"), VC_OUT_FAILED);
	ck_assert_int_eq(vocab_parse(vocab_set("outbox_state"), "gave_up"), -1);
	ck_assert_ptr_null(vocab_str(vocab_set("outbox_state"), 4));
	ck_assert_ptr_null(vocab_set("nope"));
}
END_TEST

START_TEST(test_every_poll_type_has_a_parser)
{
	const struct vocab_set *pt = vocab_set("poll_type");
	for (size_t i = 0; i < pt->n; i++)
		ck_assert_msg((fmt_lookup(pt->words[i]) != NULL) == (i != VC_PT_MANUAL),
			      "poll_type %s: parser %s", pt->words[i],
			      fmt_lookup(pt->words[i]) ? "present" : "missing");
}
END_TEST

/* Every enumeration of apid/openapi.json, by JSON pointer, and the set of
 * vocab.def it must list: all of it, or (subset) only some of its words. set
 * NULL: words that are not the vocabulary's (/api/health's own verdicts, the
 * burn-rate window labels). */
static const struct {
	const char *where;
	const char *set;
	int subset;
} api_enums[] = {
    {"/components/schemas/Status", "status", 0},
    {"/components/schemas/NullableStatus", "status", 0},
    {"/components/schemas/PollerHealth", "health", 0},
    {"/components/schemas/Severity", "severity", 0},
    {"/components/schemas/Service/properties/tier", "tier", 0},
    {"/components/schemas/SloRow/properties/tier", "tier", 0},
    {"/components/schemas/Service/properties/status_source", "status_source", 0},
    {"/components/schemas/Maintenance/properties/status", "maint_state", 0},
    {"/components/schemas/Maintenance/properties/source", "maint_source", 0},
    {"/components/schemas/Summary/properties/overall_status", "status", 0},
    /* a day's worst status: a day without a known status is not listed */
    {"/components/schemas/Uptime/properties/services/additionalProperties/additionalProperties",
     "status", 1},
    /* the same day squares, carried with a row of a stream services frame */
    {"/components/schemas/RowFigures/properties/uptime/additionalProperties", "status", 1},
    {"/components/schemas/Breach/properties/long_window_label", NULL, 0},
    {"/components/schemas/Breach/properties/short_window_label", NULL, 0},
    {"/components/schemas/ClusterEvent/properties/kind", "event_kind", 0},
    {"/components/schemas/Delivery/properties/destination_kind", "destination_kind", 0},
    {"/components/schemas/Delivery/properties/state", "outbox_state", 0},
    {"/components/schemas/Health/properties/status", NULL, 0},
    {"/components/schemas/Health/properties/database", NULL, 0},
    {"/components/schemas/Healthz/properties/status", NULL, 0},
    {"/components/schemas/Healthz/properties/stale/items", "daemon", 0},
    {"/components/schemas/InboxRow/properties/state", "inbox_state", 0},
    {"/components/schemas/AlertRow/properties/alert_kind", "alert_kind", 0},
    {"/components/schemas/AlertRow/properties/suppressed_by", "suppression", 0},
};
#define N_API_ENUMS (sizeof api_enums / sizeof api_enums[0])

/* Check the enum of node (at JSON pointer `at`) against its api_enums row;
 * each difference is a line in out. seen[i]: row i was found. */
static void check_enum(const cJSON *list, const char *at, int *seen, struct buf *out)
{
	size_t row = N_API_ENUMS;
	for (size_t i = 0; i < N_API_ENUMS; i++)
		if (strcmp(api_enums[i].where, at) == 0)
			row = i;
	if (row == N_API_ENUMS) {
		buf_printf(out, "%s: an enum that t/check_vocab.c's api_enums does not list\n", at);
		return;
	}
	seen[row] = 1;
	const struct vocab_set *set = api_enums[row].set ? vocab_set(api_enums[row].set) : NULL;
	ck_assert_msg(!api_enums[row].set || set, "api_enums names no set %s", api_enums[row].set);
	if (!set)
		return;
	const cJSON *w;
	cJSON_ArrayForEach(w, list)
	{
		if (cJSON_IsNull(w))
			continue; /* a nullable enum (NullableStatus) */
		if (!cJSON_IsString(w))
			buf_printf(out, "%s: an enum value that is not a word\n", at);
		else if (vocab_parse(set, w->valuestring) < 0)
			buf_printf(out, "%s: the document allows '%s', set %s does not have it\n",
				   at, w->valuestring, set->id);
	}
	for (size_t i = 0; !api_enums[row].subset && i < set->n; i++) {
		int found = 0;
		cJSON_ArrayForEach(w, list)
		{
			found |= cJSON_IsString(w) && strcmp(w->valuestring, set->words[i]) == 0;
		}
		if (!found)
			buf_printf(out, "%s: set %s has '%s', the document does not list it\n", at,
				   set->id, set->words[i]);
	}
}

/* Visit every "enum" under node, whose JSON pointer is `at` (RFC 6901: `~`
 * and `/` in a key are escaped, as in the path "/api/summary"). */
static void walk_enums(const cJSON *node, const char *at, int *seen, struct buf *out)
{
	const cJSON *list =
	    cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, "enum") : NULL;
	if (cJSON_IsArray(list))
		check_enum(list, at, seen, out);
	const cJSON *c;
	int i = 0;
	cJSON_ArrayForEach(c, node)
	{
		struct buf p;
		buf_init(&p, 0);
		buf_printf(&p, "%s/", at);
		if (c->string)
			for (const char *k = c->string; *k; k++) {
				if (*k == '~' || *k == '/')
					buf_printf(&p, "~%c", *k == '~' ? '0' : '1');
				else
					buf_putc(&p, *k);
			}
		else
			buf_printf(&p, "%d", i);
		walk_enums(c, p.data, seen, out);
		buf_release(&p);
		i++;
	}
}

/* Differences between the enums of doc and the vocabulary (caller frees). */
static char *api_differences(const cJSON *doc)
{
	int seen[N_API_ENUMS] = {0};
	struct buf out;
	buf_init(&out, 0);
	walk_enums(doc, "", seen, &out);
	for (size_t i = 0; i < N_API_ENUMS; i++)
		if (!seen[i])
			buf_printf(&out, "%s: in api_enums, not an enum of the document\n",
				   api_enums[i].where);
	return buf_steal(&out);
}

START_TEST(test_api_enums_match_vocab)
{
	cJSON *doc = cJSON_Parse(openapi_json());
	ck_assert_ptr_nonnull(doc);
	char *d = api_differences(doc);
	ck_assert_msg(*d == '\0', "apid/openapi.json and common/vocab.def differ:\n%s", d);
	free(d);
	cJSON_Delete(doc);
}
END_TEST

/* The node at JSON pointer ptr of doc (keys without `~` escapes), or NULL. */
static cJSON *at_pointer(cJSON *doc, const char *ptr)
{
	cJSON *n = doc;
	for (const char *k = ptr; n && *k == '/';) {
		const char *e = strchr(k + 1, '/');
		size_t len = e ? (size_t)(e - k - 1) : strlen(k + 1);
		char *key = xasprintf("%.*s", (int)len, k + 1);
		n = cJSON_GetObjectItemCaseSensitive(n, key);
		free(key);
		k += len + 1;
	}
	return n;
}

START_TEST(test_api_comparer_catches_drift)
{
	/* the drift of issue 12 again, in the contract: an outbox state the
	 * vocabulary does not have */
	cJSON *doc = cJSON_Parse(openapi_json());
	cJSON *list = cJSON_GetObjectItem(
	    at_pointer(doc, "/components/schemas/Delivery/properties/state"), "enum");
	ck_assert_ptr_nonnull(list);
	cJSON_AddItemToArray(list, cJSON_CreateString("gave_up"));
	char *d = api_differences(doc);
	ck_assert_msg(strstr(d, "/Delivery/properties/state: the document allows 'gave_up', set "
				"outbox_state does not have it"),
		      "missed: %s", d);
	free(d);
	cJSON_Delete(doc);
	/* a word dropped from a status list */
	doc = cJSON_Parse(openapi_json());
	list = cJSON_GetObjectItem(at_pointer(doc, "/components/schemas/Status"), "enum");
	ck_assert_str_eq(cJSON_GetArrayItem(list, 4)->valuestring, "unknown");
	cJSON_DeleteItemFromArray(list, 4);
	d = api_differences(doc);
	ck_assert_msg(strstr(d, "/components/schemas/Status: set status has 'unknown'"),
		      "missed: %s", d);
	free(d);
	cJSON_Delete(doc);
	/* a new enumeration nobody assigned to a set, under a path with a `/` */
	doc = cJSON_Parse(openapi_json());
	cJSON *get = at_pointer(doc, "/paths");
	get = cJSON_GetObjectItem(cJSON_GetObjectItem(get, "/api/services"), "get");
	ck_assert_ptr_nonnull(get);
	cJSON *mood = cJSON_AddObjectToObject(get, "x-mood");
	cJSON_AddItemToObject(mood, "enum", cJSON_CreateStringArray((const char *[]){"calm"}, 1));
	d = api_differences(doc);
	ck_assert_msg(strstr(d, "/paths/~1api~1services/get/x-mood: an enum that"), "missed: %s",
		      d);
	free(d);
	/* and a row of api_enums whose enum is gone */
	cJSON_DeleteItemFromObject(at_pointer(doc, "/components/schemas/Service/properties/tier"),
				   "enum");
	d = api_differences(doc);
	ck_assert_msg(strstr(d, "Service/properties/tier: in api_enums, not an enum"), "missed: %s",
		      d);
	free(d);
	cJSON_Delete(doc);
}
END_TEST

/* ---- vocabulary words inside SQL literals of the daemons' C sources ----- */

/* A column name and the words it may hold: the union of the sets that list
 * a column of that name. checked = 0 when some table has a column of that
 * name no set lists (alert_sent_log.severity is a tier word, not an edge
 * severity): a bare name then does not say which set, and it is skipped. */
struct sql_col {
	char name[64];
	const struct vocab_set *sets[8];
	size_t nsets;
	int checked;
};

struct sql_cols {
	struct sql_col c[64];
	size_t n;
};

static struct sql_col *sql_col_get(struct sql_cols *m, const char *name, size_t len)
{
	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->c[i].name) == len && !strncmp(m->c[i].name, name, len))
			return &m->c[i];
	return NULL;
}

/* Is "table.col" (or "table.col<") listed by any set? */
static int col_listed(const char *table, const char *col)
{
	char *want = xasprintf("%s.%s", table, col);
	int found = 0;
	for (size_t s = 0; s < vocab_nsets && !found; s++) {
		const char *c = vocab_sets[s].columns;
		size_t wl = strlen(want);
		for (const char *p = c; (p = strstr(p, want)) != NULL; p += wl)
			if ((p == c || p[-1] == ' ') &&
			    (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '<'))
				found = 1;
	}
	free(want);
	return found;
}

/* The column map of vocab.def, checked against a freshly migrated database. */
static void sql_cols_load(struct sql_cols *m)
{
	memset(m, 0, sizeof *m);
	for (size_t s = 0; s < vocab_nsets; s++) {
		for (const char *p = vocab_sets[s].columns; *p;) {
			while (*p == ' ')
				p++;
			const char *dot = strchr(p, '.');
			if (!dot)
				break;
			const char *b = dot + 1, *e = b;
			while (ident_char(*e))
				e++;
			struct sql_col *c = sql_col_get(m, b, (size_t)(e - b));
			if (!c) {
				ck_assert(m->n < sizeof m->c / sizeof m->c[0]);
				c = &m->c[m->n++];
				snprintf(c->name, sizeof c->name, "%.*s", (int)(e - b), b);
				c->checked = 1;
			}
			if (!c->nsets || c->sets[c->nsets - 1] != &vocab_sets[s]) {
				ck_assert(c->nsets < sizeof c->sets / sizeof c->sets[0]);
				c->sets[c->nsets++] = &vocab_sets[s];
			}
			p = e;
			while (*p && *p != ' ')
				p++;
		}
	}
	char *dir = ts_tmpdir();
	char *path = xasprintf("%s/cols.db", dir);
	sqlite3 *db = db_open(path, 0);
	ck_assert_ptr_nonnull(db);
	sqlite3_stmt *st = db_prepare(db, "SELECT m.name, c.name FROM sqlite_master m,"
					  " pragma_table_info(m.name) c WHERE m.type = 'table'");
	ck_assert_ptr_nonnull(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		const char *col = (const char *)sqlite3_column_text(st, 1);
		struct sql_col *c = sql_col_get(m, col, strlen(col));
		if (c && !col_listed(t, col))
			c->checked = 0;
	}
	sqlite3_finalize(st);
	db_close(db);
	free(path);
	free(dir);
}

static int col_has_word(const struct sql_col *c, const char *w, size_t len)
{
	for (size_t s = 0; s < c->nsets; s++)
		for (size_t i = 0; i < c->sets[s]->n; i++)
			if (strlen(c->sets[s]->words[i]) == len &&
			    !strncmp(c->sets[s]->words[i], w, len))
				return 1;
	return 0;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The quoted words compared with a known column in the SQL of C source text
 * (col = 'w', col != 'w', col <> 'w', col [NOT] IN ('w', ...), with any table
 * alias), each one that is not a word of the column's sets a line in out.
 * Adjacent C string literals are joined first, so a list may span lines.
 * Returns how many words it checked. */
static size_t scan_sql_words(const struct sql_cols *m, const char *shown, const char *src,
			     struct buf *out)
{
	size_t len = strlen(src);
	char *t = xmalloc(len + 1), *o = t;
	for (const char *p = src; *p;) {
		if (*p == '"') {
			const char *q = skip_ws(p + 1);
			if (q > p + 1 && *q == '"') {
				p = q + 1; /* "...abc"  \n  "def..." -> "...abcdef..." */
				continue;
			}
		}
		*o++ = *p++;
	}
	*o = '\0';
	size_t checked = 0;
	for (const char *p = t; *p; p++) {
		if (!ident_char(*p) || (p > t && ident_char(p[-1])))
			continue;
		const char *e = p;
		while (ident_char(*e))
			e++;
		const struct sql_col *c = sql_col_get((struct sql_cols *)m, p, (size_t)(e - p));
		if (!c || !c->checked ||
		    (p > t && p[-1] != '.' && p[-1] != ' ' && p[-1] != '(' && p[-1] != '"' &&
		     p[-1] != '\t'))
			continue;
		const char *q = skip_ws(e);
		int list = 0;
		if (*q == '=')
			q++;
		else if (!strncmp(q, "!=", 2) || !strncmp(q, "<>", 2))
			q += 2;
		else {
			if (!strncasecmp(q, "NOT ", 4))
				q = skip_ws(q + 4);
			if (strncasecmp(q, "IN", 2) || ident_char(q[2]))
				continue;
			q = skip_ws(q + 2);
			if (*q != '(')
				continue;
			q++;
			list = 1;
		}
		q = skip_ws(q);
		while (*q == '\'') {
			const char *w = ++q;
			while (*q && *q != '\'')
				q++;
			if (!*q)
				break;
			checked++;
			if (!col_has_word(c, w, (size_t)(q - w)))
				buf_printf(
				    out, "%s: %.*s compared with '%.*s', not a word of its set%s\n",
				    shown, (int)(e - p), p, (int)(q - w), w,
				    c->nsets > 1 ? "s" : "");
			q = skip_ws(q + 1);
			if (!list || *q != ',')
				break;
			q = skip_ws(q + 1);
		}
	}
	free(t);
	return checked;
}

/* Words checked in the .c and .h files of dir. */
static size_t walk_c(const struct sql_cols *m, const char *dir, const char *rel, struct buf *out)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *e;
	size_t checked = 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 3 || e->d_name[l - 2] != '.' ||
		    (e->d_name[l - 1] != 'c' && e->d_name[l - 1] != 'h'))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		char *r = xasprintf("%s/%s", rel, e->d_name);
		char *text = ts_read(p, NULL);
		ck_assert_msg(text != NULL, "cannot read %s", p);
		checked += scan_sql_words(m, r, text, out);
		free(text);
		free(p);
		free(r);
	}
	closedir(d);
	return checked;
}

START_TEST(test_sql_literals_are_words)
{
	struct sql_cols *m = xcalloc(1, sizeof *m);
	sql_cols_load(m);
	/* the columns the daemons' SQL filters on by word are checked */
	static const char *const must[] = {"suppressed_by", "alert_kind", "poller_health",
					   "current_status", "destination_kind"};
	for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
		const struct sql_col *c = sql_col_get(m, must[i], strlen(must[i]));
		ck_assert_msg(c && c->checked, "%s is not checked", must[i]);
	}
	struct buf out;
	buf_init(&out, 0);
	static const char *const dirs[] = {"alertd", "apid", "pollerd", "common"};
	size_t checked = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *dir = xasprintf("%s/%s", root_dir(), dirs[i]);
		checked += walk_c(m, dir, dirs[i], &out);
		free(dir);
	}
	ck_assert_msg(out.len == 0, "SQL in C spells words the vocabulary does not have:\n%s",
		      out.data);
	/* the sources do compare columns with words (about a hundred today):
	 * finding none would mean the scan read nothing */
	ck_assert_msg(checked >= 50, "only %zu words checked", checked);
	/* and the scan finds a misspelt word, in every form it reads */
	size_t n = scan_sql_words(
	    m, "doctored.c",
	    "q(\" WHERE a.suppressed_by = 'batchd' AND s.poller_health != 'broken'\");\n"
	    "q(\"SELECT 1 WHERE state IN ('pending', \"\n  \"'gave_up') OR\"\n"
	    "  \" alert_kind <> 'status_chnage' OR x.current_status NOT IN ('down')\");\n",
	    &out);
	ck_assert_uint_eq(n, 6);
	const char *got = out.data ? out.data : "";
	ck_assert_msg(strstr(got, "suppressed_by compared with 'batchd'"), "missed: %s", got);
	ck_assert_msg(strstr(got, "state compared with 'gave_up'"), "missed: %s", got);
	ck_assert_msg(strstr(got, "alert_kind compared with 'status_chnage'"), "missed: %s", got);
	ck_assert_msg(strstr(got, "current_status compared with 'down'"), "missed: %s", got);
	ck_assert_msg(!strstr(got, "'broken'") && !strstr(got, "'pending'"),
		      "a good word reported: %s", got);
	buf_release(&out);
	free(m);
}
END_TEST

/* ---- the effective-status rule: the SQL view and the dashboard's copy ---- */

/* v_effective's answer for one service row (current status, poller health)
 * with pollerd: 0 never beaten, 1 fresh, 2 stalled. Caller frees. */
static char *sql_effective(sqlite3 *db, const char *cur, const char *health, int pollerd)
{
	ck_assert_int_eq(db_exec(db, "DELETE FROM services; DELETE FROM heartbeats"), 0);
	sqlite3_stmt *st =
	    db_prepare(db, "INSERT INTO services (id, display_name, category,"
			   " current_status, poller_health) VALUES ('x', 'X', 'other', ?1, ?2)");
	db_bind_text(st, 1, cur);
	db_bind_text(st, 2, health);
	ck_assert_int_eq(db_step_done(st), 0);
	sqlite3_finalize(st);
	if (pollerd) {
		st = db_prepare(db,
				"INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at,"
				" fresh_until) VALUES ('pollerd', 1, 't', ?1, ?1, ?2)");
		char beat[TS_ISO_LEN + 1], until[TS_ISO_LEN + 1];
		/* the view reads the real clock, whatever a test pins */
		int64_t now = (int64_t)time(NULL) * 1000;
		ts_format(now - 600000, beat);
		ts_format(pollerd == 2 ? now - 1000 : now + 600000, until);
		db_bind_text(st, 1, beat);
		db_bind_text(st, 2, until);
		ck_assert_int_eq(db_step_done(st), 0);
		sqlite3_finalize(st);
	}
	st = db_prepare(db, "SELECT effective_status FROM v_effective WHERE id = 'x'");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	char *v = db_col_dup(st, 0);
	sqlite3_finalize(st);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* The text of web/test/effective.cases.ts: every (current status, poller
 * health, pollerd stalled) and what v_effective answers for it. */
static char *effective_cases(void)
{
	char *dir = ts_tmpdir();
	char *path = xasprintf("%s/effective.db", dir);
	sqlite3 *db = db_open(path, 0);
	ck_assert_ptr_nonnull(db);
	const struct vocab_set *sts = VC_SET(status), *hs = VC_SET(health);
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b,
		 "// Generated by t/check_vocab.c from schema 0007's v_effective view, the one\n"
		 "// definition of the effective-status rule "
		 "(doc/vocabulary.md#effective-status-rule).\n"
		 "// Do not edit: when the rule changes, check_vocab prints the new text.\n"
		 "// [current_status, poller_health, pollerd stalled, effective_status]\n"
		 "import type { PollerHealth, Status } from '../src/lib/vocab';\n\n"
		 "export const EFFECTIVE_CASES: readonly (readonly [Status, PollerHealth, boolean, "
		 "Status])[] = [\n");
	for (size_t i = 0; i < sts->n; i++)
		for (size_t h = 0; h < hs->n; h++) {
			char *never = sql_effective(db, sts->words[i], hs->words[h], 0);
			for (int stalled = 0; stalled < 2; stalled++) {
				char *v =
				    sql_effective(db, sts->words[i], hs->words[h], 1 + stalled);
				/* a pollerd that never ran hides nothing */
				if (!stalled)
					ck_assert_str_eq(v, never);
				buf_printf(&b, "  ['%s', '%s', %s, '%s'],\n", sts->words[i],
					   hs->words[h], stalled ? "true" : "false", v);
				free(v);
			}
			free(never);
		}
	buf_puts(&b, "];\n");
	db_close(db);
	free(path);
	free(dir);
	return buf_steal(&b);
}

/* The dashboard's effectiveStatus (web/src/lib/status.ts) is the only other
 * copy of the rule; web/test/effective.test.ts runs it on these cases, so
 * this file must be what the view answers today. */
START_TEST(test_effective_cases_follow_the_view)
{
	char *want = effective_cases();
	/* the cases do exercise the rule */
	ck_assert_msg(strstr(want, "['major_outage', 'healthy', true, 'unknown']") &&
			  strstr(want, "['major_outage', 'healthy', false, 'major_outage']") &&
			  strstr(want, "['degraded', 'broken', false, 'unknown']"),
		      "%s", want);
	char *path = xasprintf("%s/web/test/effective.cases.ts", root_dir());
	char *have = ts_read(path, NULL);
	ck_assert_msg(have && !strcmp(have, want),
		      "%s is not what v_effective answers; its text should be:\n%s", path, want);
	free(have);
	free(path);
	free(want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vocab");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_schema_matches_vocab);
	tcase_add_test(tc, test_comparer_catches_drift);
	tcase_add_test(tc, test_ts_is_generated);
	tcase_add_test(tc, test_no_second_ts_copy);
	tcase_add_test(tc, test_status_orders);
	tcase_add_test(tc, test_every_poll_type_has_a_parser);
	tcase_add_test(tc, test_api_enums_match_vocab);
	tcase_add_test(tc, test_api_comparer_catches_drift);
	tcase_add_test(tc, test_sql_literals_are_words);
	tcase_add_test(tc, test_effective_cases_follow_the_view);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
