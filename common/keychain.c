/*
 * keychain: run `security find-generic-password -w` and collect its answer
 * (see keychain.h). posix_spawnp keeps the child's set-up minimal: nothing
 * runs between fork and exec in our address space, which matters because
 * the daemons are multi-threaded when they reload.
 */
#include "keychain.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

extern char **environ;

/* A password or an error message larger than this is not what we asked for. */
#define KEYCHAIN_OUT_MAX 8192

static int timeout_ms = KEYCHAIN_TIMEOUT_MS;

void keychain_set_timeout_ms(int ms)
{
	timeout_ms = ms > 0 ? ms : KEYCHAIN_TIMEOUT_MS;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* First line of s, without trailing blanks, for error messages (caller frees). */
static char *first_line(const char *s)
{
	size_t n = strcspn(s, "\r\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/*
 * Drain the child's stdout and stderr into out and errb until both close or
 * the deadline passes. Returns 0, or -1 on timeout.
 */
static int collect(int ofd, int efd, struct buf *out, struct buf *errb)
{
	long long deadline = mono_ms() + timeout_ms;
	struct pollfd p[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
	struct buf *dst[2] = {out, errb};
	int open_fds = 2;
	while (open_fds > 0) {
		long long left = deadline - mono_ms();
		if (left <= 0)
			return -1;
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -1 : 0;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char tmp[1024];
			ssize_t n = read(p[i].fd, tmp, sizeof tmp);
			if (n > 0) {
				buf_append(dst[i], tmp, (size_t)n); /* past the cap: overflowed */
			} else if (n == 0 || errno != EINTR) {
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	return 0;
}

int keychain_read(const char *spec, char **value, char **err)
{
	*value = NULL;
	*err = NULL;
	const char *slash = strchr(spec, '/');
	char *service = slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
	const char *account = slash ? slash + 1 : NULL;
	if (!*service || (account && !*account)) {
		*err = xasprintf("\"%s\" is not service or service/account", spec);
		free(service);
		return -1;
	}
	char *argv[] = {"security",
			"find-generic-password",
			"-w",
			"-s",
			service,
			account ? "-a" : NULL,
			(char *)account,
			NULL};

	int op[2], ep[2];
	if (pipe(op) < 0) {
		*err = xasprintf("cannot run security: %s", strerror(errno));
		free(service);
		return -1;
	}
	if (pipe(ep) < 0) {
		*err = xasprintf("cannot run security: %s", strerror(errno));
		close(op[0]);
		close(op[1]);
		free(service);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawn_file_actions_addclose(&fa, op[0]);
	posix_spawn_file_actions_addclose(&fa, ep[0]);
	/* The child must not inherit the daemons' ignored SIGPIPE or blocked signals. */
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int rc = posix_spawnp(&pid, "security", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(op[1]);
	close(ep[1]);
	free(service);
	if (rc != 0) {
		close(op[0]);
		close(ep[0]);
		*err =
		    xasprintf("cannot run security (the macOS Keychain command): %s", strerror(rc));
		return -1;
	}

	struct buf out, errb;
	buf_init(&out, KEYCHAIN_OUT_MAX);
	buf_init(&errb, KEYCHAIN_OUT_MAX);
	int timed_out = collect(op[0], ep[0], &out, &errb) < 0;
	close(op[0]);
	close(ep[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	int ret = -1;
	char *why = first_line(errb.data ? errb.data : "");
	if (timed_out) {
		*err = xasprintf("security did not answer within %d ms (is the keychain locked?)",
				 timeout_ms);
	} else if (WIFSIGNALED(status)) {
		*err = xasprintf("security was killed by signal %d", WTERMSIG(status));
	} else if (WEXITSTATUS(status) == 127) {
		/* Where posix_spawnp falls back to fork + exec (valgrind, some
		 * libcs) a failed exec shows as the shell's "command not found". */
		*err = xstrdup("cannot run security (the macOS Keychain command): exit 127, not "
			       "found on PATH?");
	} else if (WEXITSTATUS(status) == KEYCHAIN_EXIT_NOT_FOUND) {
		*err = xasprintf("no such item in the keychain (security exit %d: %s)",
				 KEYCHAIN_EXIT_NOT_FOUND, why);
	} else if (WEXITSTATUS(status) != 0) {
		*err = xasprintf("security failed with exit %d: %s", WEXITSTATUS(status), why);
	} else if (out.overflowed) {
		*err = xasprintf("security printed more than %d bytes", KEYCHAIN_OUT_MAX);
	} else {
		size_t n = out.len;
		if (n && out.data[n - 1] == '\n')
			n--;
		*value = xstrndup(out.data ? out.data : "", n);
		ret = 0;
	}
	free(why);
	if (out.data) /* the secret: do not leave it in freed memory */
		memset(out.data, 0, out.len);
	buf_release(&out);
	buf_release(&errb);
	return ret;
}
