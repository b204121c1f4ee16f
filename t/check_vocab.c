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
 *    every poll type but manual has a parser in pollerd.
 * The comparer is first run on doctored schemas (a word added, a word
 * dropped, an enumeration no set names) and must fail on each.
 */
#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "db.h"
#include "../pollerd/format.h"
#include "status.h"
#include "tsupport.h"
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
		for (int k = 0; k < 2; k++) {
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
	suite_add_tcase(s, tc);
	return ts_run(s);
}
