/*
 * check_sig: SIGHUP sets the reload flag, SIGTERM the stop flag and wakes a
 * waiter; a second SIGTERM exits at once; SIGPIPE is ignored.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sig.h"
#include "timeutil.h"
#include "tsupport.h"

START_TEST(test_flags_and_wakeup)
{
	ck_assert_int_eq(sig_install(), 0);
	ck_assert_int_eq(sig_wait(10), 0);
	raise(SIGHUP);
	ck_assert_int_eq(sig_wait(1000), 1);
	ck_assert_int_eq(sig_take_reload(), 1);
	ck_assert_int_eq(sig_take_reload(), 0);
	ck_assert_int_eq(sig_stop_requested(), 0);
	raise(SIGPIPE); /* ignored: we are still here */
	int64_t t0 = ts_mono_ms();
	raise(SIGTERM);
	ck_assert_int_eq(sig_wait(5000), 1);
	ck_assert_int_lt(ts_mono_ms() - t0, 1000);
	ck_assert_int_eq(sig_stop_requested(), 1);
}
END_TEST

START_TEST(test_second_signal_exits)
{
	pid_t pid = fork();
	if (pid == 0) {
		sig_install();
		raise(SIGTERM);
		raise(SIGINT); /* second: _exit(1) inside the handler */
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_flags_and_wakeup);
	tcase_add_test(tc, test_second_signal_exits);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
