/*
 * check_daemon: the command line every daemon shares, loading settings plus
 * registry, and SIGHUP reload keeping the old configuration when the new one
 * is broken.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

static int parse(struct daemon_opts *o, int allow_once, const char *a1, const char *a2,
		 const char *a3)
{
	char *argv[] = {"testd", (char *)a1, (char *)a2, (char *)a3, NULL};
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
	return daemon_parse_args("testd", allow_once, argc, argv, o);
}

START_TEST(test_command_line)
{
	struct daemon_opts o;
	ck_assert_int_eq(parse(&o, 1, NULL, NULL, NULL), -1);
	ck_assert_str_eq(o.config, "etc/itstatus.yaml");
	ck_assert_int_eq(parse(&o, 1, "-f", "x.yaml", "-n"), -1);
	ck_assert_str_eq(o.config, "x.yaml");
	ck_assert_int_eq(o.check_only, 1);
	ck_assert_int_eq(parse(&o, 1, "--once", "-v", NULL), -1);
	ck_assert_int_eq(o.once, 1);
	ck_assert_int_eq(o.verbose, 1);
	ck_assert_int_eq(parse(&o, 1, "-R", "snap.db", NULL), -1);
	ck_assert_str_eq(o.restore, "snap.db");
	/* usage errors: unknown option, --once where not allowed, -f without a file */
	ck_assert_int_eq(parse(&o, 1, "--bogus", NULL, NULL), 2);
	ck_assert_int_eq(parse(&o, 0, "--once", NULL, NULL), 2);
	ck_assert_int_eq(parse(&o, 1, "-f", NULL, NULL), 2);
}
END_TEST

START_TEST(test_version_and_help_exit_zero)
{
	struct daemon_opts o;
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	int v = parse(&o, 1, "-V", NULL, NULL);
	int h = parse(&o, 1, "-h", NULL, NULL);
	fclose(stdout);
	stdout = saved;
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(h, 0);
}
END_TEST

START_TEST(test_load_and_reload)
{
	char *d = ts_tmpdir();
	char *sp = ts_write(
	    d, "services.yaml",
	    "services:\n  - {id: a, display_name: A, category: other, poll_type: manual}\n");
	char *dp = ts_write(d, "dependencies.yaml", "dependencies: {}\n");
	char *cp = ts_write(d, "itstatus.yaml", "poll_interval_seconds: 30\n");
	struct daemon_opts o;
	ck_assert_int_eq(parse(&o, 1, "-f", cp, NULL), -1);
	struct daemon_conf c;
	ck_assert_int_eq(daemon_load(&o, &c), 0);
	ck_assert_int_eq(c.cfg.poll_interval_seconds, 30);
	ck_assert_uint_eq(c.reg.nservices, 1);
	log_init("check_daemon", LOG_LVL_CRITICAL, 0); /* the rejected reload logs errors */
	/* a broken registry: reload refused, the old configuration stays */
	free(ts_write(d, "services.yaml", "services: []\n"));
	ck_assert_int_eq(daemon_reload(&o, &c), 0);
	ck_assert_uint_eq(c.reg.nservices, 1);
	ck_assert_str_eq(c.reg.services[0].id, "a");
	/* a valid change: swapped in */
	free(
	    ts_write(d, "services.yaml",
		     "services:\n  - {id: a, display_name: A, category: other, poll_type: manual}\n"
		     "  - {id: b, display_name: B, category: hr, poll_type: manual}\n"));
	free(ts_write(d, "itstatus.yaml", "poll_interval_seconds: 45\n"));
	ck_assert_int_eq(daemon_reload(&o, &c), 1);
	ck_assert_uint_eq(c.reg.nservices, 2);
	ck_assert_int_eq(c.cfg.poll_interval_seconds, 45);
	daemon_conf_release(&c);
	/* an unknown SSO broker id is a configuration error */
	free(ts_write(d, "itstatus.yaml", "sso_broker_service_id: okta\n"));
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int rc = daemon_load(&o, &c);
	fclose(stderr);
	stderr = saved;
	ck_assert_int_eq(rc, -1);
	free(sp);
	free(dp);
	free(cp);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_command_line);
	tcase_add_test(tc, test_version_and_help_exit_zero);
	tcase_add_test(tc, test_load_and_reload);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
