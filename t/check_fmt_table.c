/*
 * check_fmt_table: the vendor formats are one table (pollerd/formats.def, one
 * line per pollerd/fmt_<id>.c entry, doc/formats.md#adding-a-format), and
 * every copy of it agrees:
 *  - each entry is whole: a plain unique name and a metric label, a parser
 *    unless it requires nothing (manual), only keys the registry knows, none
 *    both required and optional;
 *  - the registry's copy (the generated poll_types.def, which apid and alertd
 *    validate services.yaml with) has the same names, keys and flag, and the
 *    vocabulary's poll_type set the same words in the same order;
 *  - every golden case under t/golden/formats names a format with a parser;
 *  - the database takes a poll type no CHECK lists (migration 0006), so a new
 *    format needs no migration.
 * Each detector is first run on a doctored table or golden and must report
 * it, so the test cannot pass by finding nothing.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pollerd/format.h"
#include "buf.h"
#include "db.h"
#include "log.h"
#include "registry.h"
#include "tsupport.h"
#include "vocab.h"
#include "xalloc.h"

static int plain(const char *w)
{
	if (!w || !*w)
		return 0;
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || *w == '_'))
			return 0;
	return 1;
}

static int in_keys(const char *const *keys, const char *k)
{
	for (size_t i = 0; keys && keys[i]; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

/* "a b c" of a key list (caller frees). */
static char *joined(const char *const *keys)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "");
	for (size_t i = 0; keys && keys[i]; i++)
		buf_printf(&b, "%s%s", i ? " " : "", keys[i]);
	return buf_steal(&b);
}

/* Problems of one key list of entry e, added to out. */
static void key_problems(const struct fmt_entry *e, const char *what, const char *const *keys,
			 struct buf *out)
{
	for (size_t i = 0; keys && keys[i]; i++)
		if (!reg_format_key_known(keys[i]))
			buf_printf(out, "%s: %s key %s is not a registry key\n", e->name, what,
				   keys[i]);
}

/* Every difference between the entries tab[0..n) and what they promise. */
static void table_problems(const struct fmt_entry *const *tab, size_t n, struct buf *out)
{
	const struct vocab_set *pt = vocab_set("poll_type");
	if (pt->n != n)
		buf_printf(out, "the vocabulary has %zu poll types, the table %zu entries\n", pt->n,
			   n);
	for (size_t i = 0; i < n; i++) {
		const struct fmt_entry *e = tab[i];
		if (!plain(e->name)) {
			buf_printf(out, "entry %zu: name \"%s\" is not a plain word\n", i,
				   e->name ? e->name : "(null)");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (tab[j]->name && !strcmp(tab[j]->name, e->name))
				buf_printf(out, "%s: registered twice\n", e->name);
		if (!e->metric_label || !*e->metric_label)
			buf_printf(out, "%s: no metric label\n", e->name);
		if (!e->parse && e->required && e->required[0])
			buf_printf(out, "%s: requires %s but has no parser to read it\n", e->name,
				   e->required[0]);
		if (e->parse && !in_keys(e->required, "poll_url"))
			buf_printf(out, "%s: has a parser but does not require poll_url\n",
				   e->name);
		key_problems(e, "required", e->required, out);
		key_problems(e, "optional", e->optional, out);
		for (size_t k = 0; e->optional && e->optional[k]; k++)
			if (in_keys(e->required, e->optional[k]))
				buf_printf(out, "%s: %s is both required and optional\n", e->name,
					   e->optional[k]);
		if (vocab_parse(pt, e->name) != (int)i)
			buf_printf(out, "%s: not poll type %zu of the vocabulary\n", e->name, i);
		const struct reg_format *r = reg_format_find(e->name);
		if (!r) {
			buf_printf(out, "%s: not in the registry's copy (poll_types.def)\n",
				   e->name);
			continue;
		}
		char *req = joined(e->required), *opt = joined(e->optional);
		if (strcmp(r->required, req) || strcmp(r->optional, opt) ||
		    r->products_from_name != !!(e->flags & FMT_PRODUCTS_FROM_NAME))
			buf_printf(out, "%s: the registry's copy differs\n", e->name);
		free(req);
		free(opt);
	}
}

START_TEST(test_table_is_whole_and_copied)
{
	struct buf out;
	buf_init(&out, 0);
	table_problems(fmt_entries, fmt_nentries, &out);
	ck_assert_msg(out.len == 0, "%s", out.data);
	ck_assert_ptr_null(fmt_find("manual")->parse);
	ck_assert_ptr_null(fmt_find("Statuspage_JSON"));
	ck_assert_str_eq(fmt_find("gcp_incidents")->required[1], "products");
	buf_free(&out);
}
END_TEST

START_TEST(test_table_detectors)
{
	const struct fmt_entry ghost = {.name = "ghost_format",
					.parse = fmt_rss,
					.required = FMT_KEYS("poll_url"),
					.metric_label = "ghost_format"};
	const struct fmt_entry colour = {.name = "statuspage_json",
					 .parse = fmt_statuspage,
					 .required = FMT_KEYS("poll_url", "colour"),
					 .optional = FMT_KEYS("poll_url"),
					 .metric_label = "statuspage_json"};
	const struct fmt_entry blind = {
	    .name = "manual", .required = FMT_KEYS("products"), .metric_label = NULL};
	const struct fmt_entry bad = {.name = "Bad Name", .parse = fmt_rss};
	const struct fmt_entry *tab[] = {&colour, fmt_entries[1], &blind,
					 &ghost,  &bad,		  fmt_entries[1]};
	struct buf out;
	buf_init(&out, 0);
	table_problems(tab, sizeof tab / sizeof tab[0], &out);
	const char *want[] = {
	    "the vocabulary has 14 poll types, the table 6 entries",
	    "statuspage_json: required key colour is not a registry key",
	    "statuspage_json: poll_url is both required and optional",
	    "statuspage_json: the registry's copy differs",
	    "manual: no metric label",
	    "manual: requires products but has no parser to read it",
	    "manual: not poll type 2 of the vocabulary",
	    "ghost_format: not poll type 3 of the vocabulary",
	    "ghost_format: not in the registry's copy (poll_types.def)",
	    "entry 4: name \"Bad Name\" is not a plain word",
	    "product_feed_json: registered twice",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(out.data, want[i]), "missed \"%s\" in:\n%s", want[i],
			      out.data);
	buf_free(&out);
	/* a parser without a poll_url */
	const struct fmt_entry nourl = {.name = "rss", .parse = fmt_rss, .metric_label = "rss"};
	const struct fmt_entry *tab2[] = {&nourl};
	buf_init(&out, 0);
	table_problems(tab2, 1, &out);
	ck_assert_msg(strstr(out.data, "rss: has a parser but does not require poll_url"), "%s",
		      out.data);
	buf_free(&out);
}
END_TEST

/* Golden cases ("@ <format>" lines) whose format has no parser, added to out. */
static void golden_problems(const char *shown, const char *text, struct buf *out)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "@ ", 2))
			continue;
		size_t n = strcspn(l + 2, " \n");
		char *name = xstrndup(l + 2, n);
		if (!fmt_lookup(name))
			buf_printf(out, "%s: case for %s, which no registered format parses\n",
				   shown, name);
		free(name);
	}
}

static const char *root_dir(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	return r && *r ? r : ".";
}

START_TEST(test_goldens_name_formats)
{
	char *dir = xasprintf("%s/t/golden/formats", root_dir());
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct buf out;
	buf_init(&out, 0);
	size_t files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		char *text = ts_read(p, NULL);
		ck_assert_msg(text != NULL, "cannot read %s", p);
		golden_problems(e->d_name, text, &out);
		files++;
		free(text);
		free(p);
	}
	closedir(d);
	ck_assert_uint_gt(files, 0);
	ck_assert_msg(out.len == 0, "%s", out.data);
	golden_problems("doctored", "# x\n@ statuspage\nstatus=operational\n@ rss\n", &out);
	ck_assert_msg(out.data && strstr(out.data, "doctored: case for statuspage,") &&
			  !strstr(out.data, "for rss"),
		      "missed: %s", out.data ? out.data : "");
	buf_free(&out);
	free(dir);
}
END_TEST

START_TEST(test_database_takes_any_poll_type)
{
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/t.db", d);
	sqlite3 *db = db_open(p, 0);
	ck_assert_ptr_nonnull(db);
	/* a format registered after this database was made */
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category, poll_type)"
				     " VALUES ('x', 'X', 'other', 'brand_new_format')"),
			 0);
	ck_assert_int_eq(db_query_int(db, "SELECT count(*) FROM v_status WHERE id = 'x'", 0), 1);
	/* the other CHECKs of the rebuilt table still hold */
	log_set_level(LOG_LVL_CRITICAL);
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category, poll_type)"
				     " VALUES ('y', 'Y', 'galaxy', 'rss')"),
			 -1);
	ck_assert_int_eq(db_exec(db, "INSERT INTO services (id, display_name, category)"
				     " VALUES ('x', 'X2', 'other')"),
			 -1);
	log_set_level(LOG_LVL_WARNING);
	db_close(db);
	free(p);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fmt_table");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_table_is_whole_and_copied);
	tcase_add_test(tc, test_table_detectors);
	tcase_add_test(tc, test_goldens_name_formats);
	tcase_add_test(tc, test_database_takes_any_poll_type);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
