/*
 * check_config: settings loading -- defaults, YAML, environment overrides,
 * secrets, local-file preference and collecting every error.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tsupport.h"
#include "xalloc.h"

static const char *root(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	return r && *r ? r : ".";
}

static int has_error(const struct cfg_errors *e, const char *needle)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->v[i], needle))
			return 1;
	return 0;
}

START_TEST(test_shipped_file_has_seed_defaults)
{
	char *p = xasprintf("%s/etc/itstatus.yaml", root());
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_int_eq(s.poll_interval_seconds, 60);
	ck_assert_int_eq(s.port, 8000);
	ck_assert_str_eq(s.host, "127.0.0.1");
	ck_assert_int_eq(s.alert_min_state_duration_seconds, 600);
	ck_assert_int_eq(s.log_json, 1);
	ck_assert(s.slo_target_percent > 99.89 && s.slo_target_percent < 99.91);
	/* relative paths resolve against the settings file's folder */
	char *want = xasprintf("%s/etc/data.db", root());
	ck_assert_str_eq(s.database_path, want);
	ck_assert_ptr_nonnull(strstr(s.services_file, "/etc/services"));
	ck_assert_ptr_null(s.sso_broker_service_id);
	free(want);
	cfg_release(&s);
	free(p);
}
END_TEST

START_TEST(test_every_setting_documented_in_shipped_file)
{
	char *p = xasprintf("%s/etc/itstatus.yaml", root());
	char *text = ts_read(p, NULL);
	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < cfg_setting_count(); i++) {
		char *key = xasprintf("\n%s:", cfg_setting_name(i));
		ck_assert_msg(strstr(text, key), "%s missing from etc/itstatus.yaml", cfg_setting_name(i));
		free(key);
	}
	free(text);
	free(p);
}
END_TEST

START_TEST(test_env_overrides_yaml)
{
	char *d = ts_tmpdir();
	char *p = ts_write(d, "s.yaml", "poll_interval_seconds: 30\nport: 9000\n");
	setenv("POLL_INTERVAL_SECONDS", "5", 1);
	setenv("DATABASE_PATH", "rel/x.db", 1);
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_int_eq(s.poll_interval_seconds, 5);
	ck_assert_int_eq(s.port, 9000);
	ck_assert_str_eq(s.database_path, "rel/x.db"); /* env paths: relative to the cwd */
	cfg_release(&s);
	unsetenv("POLL_INTERVAL_SECONDS");
	unsetenv("DATABASE_PATH");
	free(p);
	free(d);
}
END_TEST

START_TEST(test_every_error_reported_with_line)
{
	char *d = ts_tmpdir();
	char *p = ts_write(d, "s.yaml",
			   "poll_interval_seconds: 0\n"
			   "colour: blue\n"
			   "log_json: maybe\n"
			   "slack_webhook_url: https://hooks.slack.com/services/x\n"
			   "port: [1, 2]\n"
			   "breaker_ttl_seconds: 0\n");
	setenv("ALERT_DEDUP_WINDOW_SECONDS", "nope", 1);
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert_uint_eq(e.n, 7);
	ck_assert(has_error(&e, "s.yaml:1: poll_interval_seconds: 0 is out of range 1..3600"));
	ck_assert(has_error(&e, "s.yaml:2: unknown setting \"colour\""));
	ck_assert(has_error(&e, "s.yaml:3: log_json: expected true or false"));
	ck_assert(has_error(&e, "s.yaml:4: slack_webhook_url is a secret"));
	ck_assert(has_error(&e, "s.yaml:5: port: expected a single value"));
	ck_assert(has_error(&e, "s.yaml:6: breaker_ttl_seconds: 0 is out of range >0..3600"));
	ck_assert(has_error(&e, "ALERT_DEDUP_WINDOW_SECONDS"));
	unsetenv("ALERT_DEDUP_WINDOW_SECONDS");
	cfg_errors_release(&e);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_syntax_error_and_missing_file)
{
	char *d = ts_tmpdir();
	char *p = ts_write(d, "s.yaml", "port: 1\n  bad: [\n");
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert_uint_eq(e.n, 1);
	ck_assert(has_error(&e, "YAML syntax error"));
	cfg_errors_release(&e);
	char *missing = xasprintf("%s/nope.yaml", d);
	ck_assert_int_eq(cfg_load(missing, &s, &e), -1);
	ck_assert(has_error(&e, "cannot read file"));
	cfg_errors_release(&e);
	free(missing);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_secrets_env_file_and_empty)
{
	char *d = ts_tmpdir();
	char *p = ts_write(d, "s.yaml", "port: 8001\n");
	char *tok = ts_write(d, "token", "s3cret\n");
	setenv("ADMIN_API_TOKEN_FILE", tok, 1);
	setenv("SLACK_WEBHOOK_URL", "", 1); /* empty = not configured, not an error */
	setenv("SLACK_SIGNING_SECRET", "   ", 1);
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_str_eq(s.secrets.admin_api_token, "s3cret");
	ck_assert_ptr_null(s.secrets.slack_webhook_url);
	ck_assert_ptr_null(s.secrets.slack_signing_secret);
	cfg_release(&s);
	setenv("SLACK_WEBHOOK_URL", "not a url", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "SLACK_WEBHOOK_URL: not an http(s) URL"));
	cfg_errors_release(&e);
	unsetenv("SLACK_WEBHOOK_URL");
	unsetenv("SLACK_SIGNING_SECRET");
	unsetenv("ADMIN_API_TOKEN_FILE");
	free(tok);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_local_files_preferred)
{
	char *d = ts_tmpdir();
	char *p = ts_write(d, "s.yaml", "port: 8001\n");
	char *a = ts_write(d, "services.yaml", "x");
	char *b = ts_write(d, "services.local.yaml", "x");
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_ptr_nonnull(strstr(s.services_file, "services.local.yaml"));
	ck_assert_ptr_null(strstr(s.dependencies_file, ".local."));
	cfg_release(&s);
	free(a);
	free(b);
	free(p);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_shipped_file_has_seed_defaults);
	tcase_add_test(tc, test_every_setting_documented_in_shipped_file);
	tcase_add_test(tc, test_env_overrides_yaml);
	tcase_add_test(tc, test_every_error_reported_with_line);
	tcase_add_test(tc, test_syntax_error_and_missing_file);
	tcase_add_test(tc, test_secrets_env_file_and_empty);
	tcase_add_test(tc, test_local_files_preferred);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
