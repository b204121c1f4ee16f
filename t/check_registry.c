/*
 * check_registry: the seed's example registry loads unchanged; extensions;
 * all_internal; and validation problems are all reported with their lines.
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
	reg_free(&reg);
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
	reg_free(&reg);
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
	reg_free(&reg);
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
	cfg_errors_free(&e);
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
	cfg_errors_free(&e);
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
	suite_add_tcase(s, tc);
	return ts_run(s);
}
