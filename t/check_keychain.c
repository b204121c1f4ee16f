/*
 * check_keychain: NAME_KEYCHAIN secrets through the stand-in `security`
 * command (t/fakesecurity/security, first on PATH): the value comes back
 * without its newline, a missing item is an error naming the item and exit
 * 44, a hung command is killed at the deadline, and cfg_load treats a
 * missing item like an unreadable NAME_FILE -- the load fails, with no
 * secret in any message.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "keychain.h"
#include "tsupport.h"
#include "xalloc.h"

static char *dir;
static char *kc_path;
static char *saved_path; /* PATH before setup (CK_FORK=no runs every test in one process) */

static void setup(void)
{
	const char *r = getenv("ITSTATUS_ROOT");
	const char *path = getenv("PATH");
	saved_path = path ? xstrdup(path) : NULL;
	char *p = xasprintf("%s/t/fakesecurity:%s", r && *r ? r : ".", path ? path : "/usr/bin:/bin");
	setenv("PATH", p, 1);
	free(p);
	dir = ts_tmpdir();
	kc_path = ts_write(dir, "keychain",
			   "itstatus\tadmin\ttok-admin-42\n"
			   "itstatus\tslack\thttps://hooks.example.test/T0/B0/x\n"
			   "bare\t\ttok-bare\n"
			   "notaurl\t\tnot a url\n"
			   "blank\t\t   \n");
	setenv("FAKE_KEYCHAIN", kc_path, 1);
}

static void teardown(void)
{
	unsetenv("FAKE_KEYCHAIN");
	unsetenv("FAKE_SECURITY_SLEEP");
	keychain_set_timeout_ms(0);
	if (saved_path)
		setenv("PATH", saved_path, 1);
	free(saved_path);
	free(kc_path);
	free(dir);
}

static int has_error(const struct cfg_errors *e, const char *needle)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->v[i], needle))
			return 1;
	return 0;
}

START_TEST(test_read_service_and_account)
{
	char *v, *err;
	ck_assert_int_eq(keychain_read("itstatus/admin", &v, &err), 0);
	ck_assert_str_eq(v, "tok-admin-42");
	ck_assert_ptr_null(err);
	free(v);
	/* Service only: the first item of that service, as security does. */
	ck_assert_int_eq(keychain_read("bare", &v, &err), 0);
	ck_assert_str_eq(v, "tok-bare");
	free(v);
}
END_TEST

START_TEST(test_missing_item)
{
	char *v = (char *)"x", *err;
	ck_assert_int_eq(keychain_read("itstatus/nobody", &v, &err), -1);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(err, "no such item in the keychain (security exit 44"));
	ck_assert_ptr_nonnull(strstr(err, "could not be found"));
	free(err);
}
END_TEST

START_TEST(test_bad_spec)
{
	static const char *const bad[] = {"", "/admin", "itstatus/"};
	for (size_t i = 0; i < 3; i++) {
		char *v, *err;
		ck_assert_int_eq(keychain_read(bad[i], &v, &err), -1);
		ck_assert_ptr_nonnull(strstr(err, "is not service or service/account"));
		free(err);
	}
}
END_TEST

START_TEST(test_no_security_command)
{
	setenv("PATH", "/nonexistent", 1);
	char *v, *err;
	ck_assert_int_eq(keychain_read("itstatus/admin", &v, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot run security"));
	free(err);
}
END_TEST

START_TEST(test_hung_command_is_killed)
{
	setenv("FAKE_SECURITY_SLEEP", "30", 1);
	keychain_set_timeout_ms(300);
	char *v, *err;
	ck_assert_int_eq(keychain_read("itstatus/admin", &v, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "did not answer within 300 ms"));
	free(err);
}
END_TEST

START_TEST(test_cfg_load_from_keychain)
{
	char *p = ts_write(dir, "s.yaml", "port: 8001\n");
	setenv("ADMIN_API_TOKEN_KEYCHAIN", "itstatus/admin", 1);
	setenv("SLACK_WEBHOOK_URL_KEYCHAIN", "itstatus/slack", 1);
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_str_eq(s.secrets.admin_api_token, "tok-admin-42");
	ck_assert_str_eq(s.secrets.slack_webhook_url, "https://hooks.example.test/T0/B0/x");
	cfg_release(&s);
	unsetenv("ADMIN_API_TOKEN_KEYCHAIN");
	unsetenv("SLACK_WEBHOOK_URL_KEYCHAIN");
	free(p);
}
END_TEST

START_TEST(test_cfg_load_refuses_missing_item)
{
	char *p = ts_write(dir, "s.yaml", "port: 8001\n");
	setenv("ADMIN_API_TOKEN_KEYCHAIN", "itstatus/nobody", 1);
	setenv("SLACK_SIGNING_SECRET_KEYCHAIN", "itstatus/admin", 1); /* found: fine */
	struct cfg_settings s;
	struct cfg_errors e = {0};
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "environment: ADMIN_API_TOKEN_KEYCHAIN=itstatus/nobody: no such "
				"item in the keychain (security exit 44"));
	ck_assert_int_eq(e.n, 1);
	ck_assert(!has_error(&e, "tok-admin-42"));
	cfg_errors_release(&e);
	unsetenv("ADMIN_API_TOKEN_KEYCHAIN");
	unsetenv("SLACK_SIGNING_SECRET_KEYCHAIN");
	free(p);
}
END_TEST

START_TEST(test_cfg_load_keychain_values_checked)
{
	char *p = ts_write(dir, "s.yaml", "port: 8001\n");
	struct cfg_settings s;
	struct cfg_errors e = {0};
	/* A URL secret from the keychain is checked like one from NAME. */
	setenv("SLACK_WEBHOOK_URL_KEYCHAIN", "notaurl", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "SLACK_WEBHOOK_URL: not an http(s) URL"));
	ck_assert(!has_error(&e, "not a url"));
	cfg_errors_release(&e);
	unsetenv("SLACK_WEBHOOK_URL_KEYCHAIN");
	/* An item whose password is blank is a mistake, not "not configured". */
	setenv("ADMIN_API_TOKEN_KEYCHAIN", "blank", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "ADMIN_API_TOKEN_KEYCHAIN=blank: the item's password is empty"));
	cfg_errors_release(&e);
	/* Two sources for one secret. */
	setenv("ADMIN_API_TOKEN_KEYCHAIN", "itstatus/admin", 1);
	setenv("ADMIN_API_TOKEN", "plain", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "ADMIN_API_TOKEN: set only one of ADMIN_API_TOKEN, "
				"ADMIN_API_TOKEN_FILE and ADMIN_API_TOKEN_KEYCHAIN"));
	cfg_errors_release(&e);
	unsetenv("ADMIN_API_TOKEN");
	/* An empty NAME_KEYCHAIN is unset, like an empty NAME. */
	setenv("ADMIN_API_TOKEN_KEYCHAIN", "", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_ptr_null(s.secrets.admin_api_token);
	cfg_release(&s);
	unsetenv("ADMIN_API_TOKEN_KEYCHAIN");
	free(p);
}
END_TEST

START_TEST(test_webhook_tokens_from_keychain)
{
	char *p = ts_write(dir, "s.yaml", "port: 8001\n");
	struct cfg_settings s;
	struct cfg_errors e = {0};
	setenv("WEBHOOK_TOKEN_GITHUB_KEYCHAIN", "itstatus/admin", 1);
	setenv("WEBHOOK_TOKEN_NPM_KEYCHAIN", "", 1); /* empty: unset */
	ck_assert_int_eq(cfg_load(p, &s, &e), 0);
	ck_assert_str_eq(cfg_env_secret(&s, "WEBHOOK_TOKEN_GITHUB"), "tok-admin-42");
	ck_assert_ptr_null(cfg_env_secret(&s, "WEBHOOK_TOKEN_NPM"));
	ck_assert_ptr_null(cfg_env_secret(&s, "WEBHOOK_TOKEN_GITHUB_KEYCHAIN"));
	cfg_release(&s);
	/* A missing item stops the load, like any other secret. */
	setenv("WEBHOOK_TOKEN_GITHUB_KEYCHAIN", "itstatus/nobody", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "WEBHOOK_TOKEN_GITHUB_KEYCHAIN=itstatus/nobody: no such item"));
	cfg_errors_release(&e);
	/* Two sources. */
	setenv("WEBHOOK_TOKEN_GITHUB_KEYCHAIN", "itstatus/admin", 1);
	setenv("WEBHOOK_TOKEN_GITHUB_FILE", "/nonexistent", 1);
	ck_assert_int_eq(cfg_load(p, &s, &e), -1);
	ck_assert(has_error(&e, "WEBHOOK_TOKEN_GITHUB: set only one of WEBHOOK_TOKEN_GITHUB, "
				"WEBHOOK_TOKEN_GITHUB_FILE and WEBHOOK_TOKEN_GITHUB_KEYCHAIN"));
	cfg_errors_release(&e);
	unsetenv("WEBHOOK_TOKEN_GITHUB_FILE");
	unsetenv("WEBHOOK_TOKEN_GITHUB_KEYCHAIN");
	unsetenv("WEBHOOK_TOKEN_NPM_KEYCHAIN");
	free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keychain");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_service_and_account);
	tcase_add_test(tc, test_missing_item);
	tcase_add_test(tc, test_bad_spec);
	tcase_add_test(tc, test_no_security_command);
	tcase_add_test(tc, test_hung_command_is_killed);
	tcase_add_test(tc, test_cfg_load_from_keychain);
	tcase_add_test(tc, test_cfg_load_refuses_missing_item);
	tcase_add_test(tc, test_cfg_load_keychain_values_checked);
	tcase_add_test(tc, test_webhook_tokens_from_keychain);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
