/*
 * check_impact: the impact statement templates of doc/compat.md#s6-12 --
 * recovery, the three generic wordings (unknown falls back to degraded),
 * vendor detail trimming, the downstream sentence and its punctuation rule,
 * the SSO broker wordings, literal substitution -- and the downstream list
 * read from the database (severity order, then name; retired left out).
 */
#include <check.h>
#include <stdlib.h>

#include "db.h"
#include "impact.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

static char *build(const char *name, enum st_status s, const char *detail, const char *const *d,
		   size_t n, int sso)
{
	struct impact_input in = {name, s, detail, d, n, sso};
	return impact_build(&in);
}

#define ck_build(want, ...)                                                                        \
	do {                                                                                       \
		char *got_ = build(__VA_ARGS__);                                                   \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

static const char *const DOWN[] = {"Jira", "Confluence"};

START_TEST(test_generic)
{
	ck_build("GitHub has recovered and is now operational.", "GitHub", ST_OPERATIONAL, "x", DOWN,
		 2, 0);
	ck_build("GitHub is reporting degraded performance.", "GitHub", ST_DEGRADED, NULL, NULL, 0, 0);
	ck_build("GitHub is reporting degraded performance. Slow pushes", "GitHub", ST_DEGRADED,
		 "  Slow pushes \n", NULL, 0, 0);
	ck_build("GitHub is experiencing a partial outage. Actions delayed.", "GitHub",
		 ST_PARTIAL_OUTAGE, "Actions delayed.", NULL, 0, 0);
	ck_build("\u26a0\ufe0f GitHub is experiencing a MAJOR OUTAGE. Down", "GitHub", ST_MAJOR_OUTAGE,
		 "Down", NULL, 0, 0);
	/* unknown uses the degraded wording */
	ck_build("GitHub is reporting degraded performance.", "GitHub", ST_UNKNOWN, "   ", NULL, 0, 0);
}
END_TEST

START_TEST(test_downstream_sentence)
{
	ck_build("GitHub is reporting degraded performance. Slow. This may impact: Jira, Confluence.",
		 "GitHub", ST_DEGRADED, "Slow", DOWN, 2, 0);
	ck_build("GitHub is reporting degraded performance. Really slow! This may impact: Jira, "
		 "Confluence.",
		 "GitHub", ST_DEGRADED, "Really slow!", DOWN, 2, 0);
	ck_build("GitHub is experiencing a partial outage. This may impact: Jira.", "GitHub",
		 ST_PARTIAL_OUTAGE, NULL, DOWN, 1, 0);
	/* literal: braces and percent signs are not templates */
	ck_build("A{b}%s is reporting degraded performance. {x} 100%. This may impact: Jira.", "A{b}%s",
		 ST_DEGRADED, "{x} 100%", DOWN, 1, 0);
}
END_TEST

START_TEST(test_sso)
{
	ck_build("\u26a0\ufe0f The identity provider (SSO) is experiencing an outage. SSO "
		 "authentication is unavailable. Users cannot log into: Jira, Confluence. Advise "
		 "users with active sessions to avoid logging out.",
		 "Okta", ST_MAJOR_OUTAGE, "ignored", DOWN, 2, 1);
	ck_build("\u26a0\ufe0f The identity provider (SSO) is experiencing an outage. SSO "
		 "authentication is unavailable. Users cannot log into: Jira, Confluence. Advise "
		 "users with active sessions to avoid logging out.",
		 "Okta", ST_PARTIAL_OUTAGE, NULL, DOWN, 2, 1);
	ck_build("The identity provider (SSO) is reporting degraded performance. SSO authentication "
		 "for all SaaS applications may be affected. Impacted services: Jira, Confluence.",
		 "Okta", ST_DEGRADED, NULL, DOWN, 2, 1);
	ck_build("Okta has recovered and is now operational.", "Okta", ST_OPERATIONAL, NULL, DOWN, 2,
		 1);
}
END_TEST

START_TEST(test_from_database)
{
	char *d = ts_tmpdir();
	char *p = xasprintf("%s/t.db", d);
	sqlite3 *db = db_open(p, 0);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(
		db_exec(db,
			"INSERT INTO services (id, display_name, category) VALUES"
			" ('idp', 'Okta', 'identity'), ('a', 'Zulu', 'other'), ('b', 'Alpha', 'other'),"
			" ('c', 'Mike', 'other'), ('r', 'Retired', 'other');"
			"UPDATE services SET retired_at = '2026-01-01T00:00:00.000Z' WHERE id = 'r';"
			"INSERT INTO service_dependencies (upstream_service_id, downstream_service_id,"
			" impact_description, severity) VALUES ('idp', 'a', 'x', 'critical'),"
			" ('idp', 'b', 'x', 'low'), ('idp', 'c', 'x', 'critical'), ('idp', 'r', 'x', 'high')"),
		0);
	char **names;
	size_t n;
	ck_assert_int_eq(impact_downstreams(db, "idp", &names, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(names[0], "Mike");
	ck_assert_str_eq(names[1], "Zulu");
	ck_assert_str_eq(names[2], "Alpha");
	impact_names_free(names, n);
	char *s = impact_for_service(db, "idp", ST_DEGRADED, "slow", NULL);
	ck_assert_str_eq(s, "Okta is reporting degraded performance. slow. This may impact: Mike, "
			    "Zulu, Alpha.");
	free(s);
	s = impact_for_service(db, "idp", ST_DEGRADED, "slow", "idp");
	ck_assert_str_eq(s, "The identity provider (SSO) is reporting degraded performance. SSO "
			    "authentication for all SaaS applications may be affected. Impacted "
			    "services: Mike, Zulu, Alpha.");
	free(s);
	s = impact_for_service(db, "nope", ST_DEGRADED, NULL, NULL);
	ck_assert_str_eq(s, "nope status changed.");
	free(s);
	db_close(db);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_summary)
{
	char *s = impact_summary(30, NULL, 0);
	ck_assert_str_eq(s, "All 30 monitored services are operational.");
	free(s);
	const char *const names[] = {"GitHub", "Slack"};
	s = impact_summary(30, names, 2);
	ck_assert_str_eq(s, "2 active incidents across 30 monitored services. GitHub, Slack");
	free(s);
	s = impact_summary(30, names, 1);
	ck_assert_str_eq(s, "1 active incident across 30 monitored services. GitHub");
	free(s);
}
END_TEST

int main(void)
{
	log_init("check_impact", LOG_LVL_ERROR, 0);
	Suite *s = suite_create("impact");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_generic);
	tcase_add_test(tc, test_downstream_sentence);
	tcase_add_test(tc, test_sso);
	tcase_add_test(tc, test_from_database);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
