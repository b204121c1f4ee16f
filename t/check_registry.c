/*
 * check_registry: the seed's example registry loads unchanged; extensions;
 * all_internal; and validation problems are all reported with their lines,
 * in the words and order the services.yaml key table has always used.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "tsupport.h"
#include "xalloc.h"

static int has_error(const struct cfg_errors *e, const char *needle)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->v[i], needle))
			return 1;
	return 0;
}

START_TEST(test_example_registry)
{
	const char *r = getenv("ITSTATUS_ROOT");
	char *sp = xasprintf("%s/etc/services.yaml", r ? r : ".");
	char *dp = xasprintf("%s/etc/dependencies.yaml", r ? r : ".");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, dp, &reg, &e), 0);
	ck_assert_uint_eq(reg.nservices, 10);
	ck_assert_uint_eq(reg.nedges, 10);
	const struct reg_service *gh = reg_find(&reg, "github");
	ck_assert_ptr_nonnull(gh);
	ck_assert_str_eq(gh->poll_type, "statuspage_json");
	ck_assert_str_eq(reg_find(&reg, "npm")->tier, "important"); /* default */
	ck_assert_str_eq(reg_find(&reg, "discord")->tier, "critical");
	ck_assert_ptr_null(reg_find(&reg, "identity-provider")->poll_url);
	ck_assert_str_eq(reg.edges[0].upstream, "identity-provider");
	ck_assert_str_eq(reg.edges[9].downstream, "sentry");
	ck_assert_str_eq(reg.edges[9].severity, "low");
	reg_release(&reg);
	free(sp);
	free(dp);
}
END_TEST

/* A seed user's services.yaml loads unchanged (issue 13, doc/drift.md#config). */
START_TEST(test_seed_files_load)
{
	char *d = ts_tmpdir();
	setenv("OVR_X", "https://hooks.example.com/expanded", 1);
	char *sp = ts_write(
	    d, "s.yaml",
	    "services:\n"
	    "  - id: feed-product-a\n    display_name: Product A\n"
	    "    category: productivity\n    poll_type: product_feed_json\n"
	    "    poll_url: https://www.google.com/appsstatus/dashboard/incidents.json\n"
	    "  - id: w\n    display_name: W\n    category: other\n    poll_type: manual\n"
	    "    slack_channel_override: prefix_${OVR_X}_suffix\n"
	    "  - id: u\n    display_name: U\n    category: other\n    poll_type: manual\n"
	    "    slack_channel_override: https://hooks.example.com/${OVR_X}\n"
	    "  - id: v\n    display_name: V\n    category: other\n    poll_type: manual\n"
	    "    slack_channel_override: ' ${OVR_X} '\n"
	    "  - id: two\n    display_name: Two\n    category: other\n    poll_type: manual\n"
	    "    slack_channel_override: ${OVR_X}${OVR_X}\n");
	char *dp = ts_write(d, "d.yaml", "dependencies: {}\n");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, dp, &reg, &e), 0);
	const struct reg_service *f = reg_find(&reg, "feed-product-a");
	ck_assert_uint_eq(f->nproducts, 1);
	ck_assert_str_eq(f->products[0], "Product A");
	ck_assert_ptr_nonnull(strstr(f->config_json, "\"products\":[\"Product A\"]"));
	/* embedded ${VAR}: kept literally, never expanded */
	const struct reg_service *w = reg_find(&reg, "w");
	ck_assert_str_eq(w->slack_channel_override, "prefix_${OVR_X}_suffix");
	ck_assert_ptr_null(w->slack_override_url);
	ck_assert_str_eq(reg_find(&reg, "u")->slack_override_url,
			 "https://hooks.example.com/${OVR_X}");
	ck_assert_ptr_null(reg_find(&reg, "two")->slack_override_url);
	/* the whole value (trimmed) is expanded */
	ck_assert_str_eq(reg_find(&reg, "v")->slack_override_url,
			 "https://hooks.example.com/expanded");
	reg_release(&reg);
	unsetenv("OVR_X");
	free(sp);
	free(dp);
	free(d);
}
END_TEST

START_TEST(test_extensions_and_all_internal)
{
	char *d = ts_tmpdir();
	setenv("OVR_HOOK", "https://hooks.example.com/x", 1);
	char *sp = ts_write(
	    d, "s.yaml",
	    "services:\n"
	    "  - id: a\n    display_name: A\n    category: identity\n    poll_type: manual\n"
	    "  - id: b\n    display_name: B\n    category: other\n    poll_type: http_check\n"
	    "    poll_url: http://127.0.0.1:1/health\n    expect_status: [200, 204]\n"
	    "    keyword: ok\n    latency_threshold_ms: 500\n    poll_interval_seconds: 120\n"
	    "    slack_channel_override: ${OVR_HOOK}\n    destinations: [slack, pagerduty]\n"
	    "  - id: c\n    display_name: C\n    category: other\n    poll_type: gcp_incidents\n"
	    "    poll_url: https://status.cloud.google.com/incidents.json\n"
	    "    products: Cloud Run\n    component_id: abc\n");
	char *dp = ts_write(
	    d, "d.yaml",
	    "dependencies:\n  a:\n    - service: all_internal\n      impact: SSO down\n"
	    "    - service: b\n      impact: duplicate pair, ignored\n      severity: low\n");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, dp, &reg, &e), 0);
	const struct reg_service *b = reg_find(&reg, "b");
	ck_assert_uint_eq(b->nexpect_codes, 2);
	ck_assert_int_eq(b->expect_codes[1], 204);
	ck_assert_int_eq(b->latency_threshold_ms, 500);
	ck_assert_int_eq(b->poll_interval_seconds, 120);
	ck_assert_str_eq(b->slack_override_url, "https://hooks.example.com/x");
	ck_assert_ptr_nonnull(strstr(b->config_json, "\"destinations\":[\"slack\",\"pagerduty\"]"));
	ck_assert_str_eq(reg_find(&reg, "c")->products[0], "Cloud Run");
	ck_assert_uint_eq(reg.nedges, 2); /* a->b and a->c; the later a->b is a duplicate */
	ck_assert_str_eq(reg.edges[0].severity, "high");
	reg_release(&reg);
	unsetenv("OVR_HOOK");
	free(sp);
	free(dp);
	free(d);
}
END_TEST

START_TEST(test_all_problems_reported)
{
	char *d = ts_tmpdir();
	char *sp = ts_write(
	    d, "s.yaml",
	    "services:\n"
	    "  - id: a\n    display_name: A\n    category: identity\n    poll_type: manual\n"
	    "  - id: a\n    display_name: A2\n    category: identity\n    poll_type: manual\n"
	    "  - id: Bad Id\n    display_name: X\n    category: galaxy\n    poll_type: manual\n"
	    "  - id: u\n    display_name: U\n    category: other\n    poll_type: statuspage_json\n"
	    "    poll_url: ftp://x\n    tier: standard\n    colour: red\n");
	char *dp = ts_write(d, "d.yaml",
			    "dependencies:\n  a:\n    - service: ghost\n      impact: x\n"
			    "  nobody:\n    - service: a\n      impact: y\n      severity: huge\n");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, dp, &reg, &e), -1);
	ck_assert(has_error(&e, "s.yaml:6: duplicate service id \"a\" (first at line 2)"));
	ck_assert(has_error(&e, "s.yaml:10: id: \"Bad Id\" must be a slug"));
	ck_assert(has_error(&e, "s.yaml:12: category: \"galaxy\" is not one of"));
	ck_assert(has_error(&e, "s.yaml:18: poll_url: \"ftp://x\" is not an http(s) URL"));
	ck_assert(has_error(&e, "s.yaml:19: tier: \"standard\" is not one of"));
	ck_assert(has_error(&e, "s.yaml:20: unknown key \"colour\""));
	ck_assert(has_error(&e, "d.yaml:3: unknown downstream service id \"ghost\""));
	ck_assert(has_error(&e, "d.yaml:5: unknown upstream service id \"nobody\""));
	ck_assert(has_error(&e, "d.yaml:8: severity: \"huge\" is not one of"));
	ck_assert_uint_eq(reg.nservices, 0);
	cfg_errors_release(&e);
	free(sp);
	free(dp);
	free(d);
}
END_TEST

START_TEST(test_empty_services)
{
	char *d = ts_tmpdir();
	char *sp = ts_write(d, "s.yaml", "services: []\n");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, NULL, &reg, &e), -1);
	ck_assert(has_error(&e, "s.yaml:1: services: a non-empty list of services is required"));
	cfg_errors_release(&e);
	free(sp);
	free(d);
}
END_TEST

/* Every kind of key in the table-driven parser, each given a value of the
 * wrong type or out of range, plus an unknown key and a key that is not a
 * word: the messages, their lines and their order are the ones the strcmp
 * chain it replaced gave (captured from it), so a file that failed before
 * fails the same way. */
START_TEST(test_key_table_messages)
{
	static const char *const want[] = {
	    "s.yaml:2: id: expected text, got a list",
	    "s.yaml:3: display_name: expected text, got a mapping",
	    "s.yaml:4: category: \"7\" is not one of: identity, productivity, collaboration, engineering, hr, finance, sales, marketing, networking, support, other",
	    "s.yaml:5: poll_type: expected text, got null",
	    "s.yaml:6: poll_url: expected text, got a list",
	    "s.yaml:7: status_page_url: \"nope\" is not an http(s) URL",
	    "s.yaml:8: statuspage_component_name: expected text, got a list",
	    "s.yaml:10: component_id: expected text, got a mapping",
	    "s.yaml:11: tier: expected text, got null",
	    "s.yaml:12: slack_channel_override: expected text, got a list",
	    "s.yaml:13: poll_interval_seconds: 0 is out of range 1..86400",
	    "s.yaml:14: products: expected a list, got a mapping",
	    "s.yaml:15: expect_status: \"99\" is not an HTTP status code",
	    "s.yaml:16: keyword: expected text, got null",
	    "s.yaml:17: latency_threshold_ms: expected an integer, got \"1.5\"",
	    "s.yaml:18: destinations: \"fax\" is not one of: slack, webhook, teams, pagerduty",
	    "s.yaml:18: destinations: \"slack_response\" is not one of: slack, webhook, teams, pagerduty",
	    "s.yaml:19: unknown key \"colour\"",
	    "s.yaml:20: keys must be plain words",
	    "s.yaml:27: poll_interval_seconds: 86401 is out of range 1..86400",
	    "s.yaml:28: latency_threshold_ms: 600001 is out of range 1..600000",
	    "s.yaml:29: expect_status: \"abc\" is not an HTTP status code",
	    "s.yaml:30: destinations: expected a list, got a mapping",
	    "s.yaml:31: keyword: expected text, got a list",
	    "s.yaml:32: products: expected text, got a list",
	    "s.yaml:33: m: poll_url is required for poll_type statuspage_json",
	    "s.yaml:38: g: products is required for poll_type gcp_incidents",
	    "s.yaml:43: service: id is required",
	    "s.yaml:43: service: category is required",
	    "s.yaml:43: service: poll_type is required",
	    "s.yaml:44: each service must be a mapping, got a scalar",
	};
	char *d = ts_tmpdir();
	char *sp = ts_write(
	    d, "s.yaml",
	    "services:\n"
	    "  - id: [x]\n"
	    "    display_name: {a: b}\n"
	    "    category: 7\n"
	    "    poll_type: ~\n"
	    "    poll_url: [u]\n"
	    "    status_page_url: nope\n"
	    "    statuspage_component_name: [c]\n"
	    "    component_name: ~\n"
	    "    component_id: {x: 1}\n"
	    "    tier: ~\n"
	    "    slack_channel_override: [s]\n"
	    "    poll_interval_seconds: 0\n"
	    "    products: {a: b}\n"
	    "    expect_status: 99\n"
	    "    keyword: ~\n"
	    "    latency_threshold_ms: 1.5\n"
	    "    destinations: [slack, fax, slack_response]\n"
	    "    colour: red\n"
	    "    ? [k]\n"
	    "    : v\n"
	    "  - id: ok\n"
	    "    display_name: OK\n"
	    "    category: other\n"
	    "    poll_type: http_check\n"
	    "    poll_url: http://x/\n"
	    "    poll_interval_seconds: 86401\n"
	    "    latency_threshold_ms: 600001\n"
	    "    expect_status: [abc, 200]\n"
	    "    destinations: {a: b}\n"
	    "    keyword: [k]\n"
	    "    products: [[a]]\n"
	    "  - id: m\n"
	    "    display_name: M\n"
	    "    category: other\n"
	    "    poll_type: statuspage_json\n"
	    "    poll_url: ~\n"
	    "  - id: g\n"
	    "    display_name: G\n"
	    "    category: other\n"
	    "    poll_type: gcp_incidents\n"
	    "    poll_url: http://x/\n"
	    "  - display_name: N\n"
	    "  - 5\n");
	struct reg_registry reg;
	struct cfg_errors e = {0};
	ck_assert_int_eq(reg_load(sp, NULL, &reg, &e), -1);
	size_t nwant = sizeof want / sizeof want[0];
	for (size_t i = 0; i < e.n && i < nwant; i++) {
		size_t lv = strlen(e.v[i]), lw = strlen(want[i]);
		ck_assert_msg(lv >= lw && !strcmp(e.v[i] + lv - lw, want[i]),
			      "error %zu: got \"%s\", want \"...%s\"", i, e.v[i], want[i]);
	}
	ck_assert_uint_eq(e.n, nwant);
	ck_assert_uint_eq(reg.nservices, 0);
	cfg_errors_release(&e);
	free(sp);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_example_registry);
	tcase_add_test(tc, test_extensions_and_all_internal);
	tcase_add_test(tc, test_seed_files_load);
	tcase_add_test(tc, test_all_problems_reported);
	tcase_add_test(tc, test_empty_services);
	tcase_add_test(tc, test_key_table_messages);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
