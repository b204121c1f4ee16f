/*
 * sig: self-pipe signal handling (see sig.h). The handlers only set flags and
 * write one byte, which is all that is async-signal-safe.
 */
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static int pipefd[2] = {-1, -1};
static volatile sig_atomic_t stop_count;
static volatile sig_atomic_t reload_flag;

static void poke(void)
{
	int saved = errno;
	if (pipefd[1] >= 0) {
		ssize_t r = write(pipefd[1], "x", 1);
		(void)r;
	}
	errno = saved;
}

static void on_stop(int signo)
{
	(void)signo;
	if (stop_count++ > 0)
		_exit(1); /* second signal: exit at once */
	poke();
}

static void on_hup(int signo)
{
	(void)signo;
	reload_flag = 1;
	poke();
}

int sig_install(void)
{
	if (pipefd[0] < 0) {
		if (pipe(pipefd) < 0)
			return -1;
		for (int i = 0; i < 2; i++) {
			fcntl(pipefd[i], F_SETFL, fcntl(pipefd[i], F_GETFL) | O_NONBLOCK);
			fcntl(pipefd[i], F_SETFD, FD_CLOEXEC);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

int sig_fd(void)
{
	return pipefd[0];
}

int sig_wait(int timeout_ms)
{
	struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);
	if (r > 0) {
		char b[64];
		while (read(pipefd[0], b, sizeof b) > 0)
			;
		return 1;
	}
	return stop_count > 0 || reload_flag;
}

int sig_stop_requested(void)
{
	return stop_count > 0;
}

int sig_take_reload(void)
{
	int r = reload_flag;
	reload_flag = 0;
	return r;
}

void sig_request_stop(void)
{
	if (stop_count == 0)
		stop_count = 1;
	poke();
}
