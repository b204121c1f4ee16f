/*
 * tsupport: scratch files and the suite runner for unit tests (see tsupport.h).
 */
#include "tsupport.h"

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"

char *ts_tmpdir(void)
{
	const char *base = getenv("T_TMP");
	char *tmpl = xasprintf("%s/ut.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		ck_abort_msg("mkdtemp failed");
	return tmpl;
}

char *ts_write(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
	return p;
}

char *ts_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = xmalloc((size_t)n + 1);
	size_t got = fread(d, 1, (size_t)n, f);
	fclose(f);
	d[got] = '\0';
	if (len)
		*len = got;
	return d;
}

char *ts_fixture(const char *rel)
{
	const char *base = getenv("ITSTATUS_FIXTURES");
	if (base && *base)
		return xasprintf("%s/%s", base, rel);
	const char *root = getenv("ITSTATUS_ROOT");
	return xasprintf("%s/t/fixtures/vendors/%s", root && *root ? root : ".", rel);
}

extern char **environ;

int ts_fake_start(const char *name, const char *dir, const char *const *extra, int *port)
{
	char *port_file = xasprintf("%s/%s.port", dir, name);
	const char *tbin = getenv("ITSTATUS_TBIN");
	char *bin = xasprintf("%s/%s", tbin && *tbin ? tbin : "build/t", name);
	char *argv[16] = {bin, "--port", "0", "--port-file", port_file};
	size_t n = 5;
	for (size_t i = 0; extra && extra[i] && n < sizeof argv / sizeof argv[0] - 1; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	pid_t pid;
	ck_assert_int_eq(posix_spawn(&pid, bin, NULL, NULL, argv, environ), 0);
	*port = 0;
	for (int i = 0; i < 200 && !*port; i++) {
		FILE *f = fopen(port_file, "r");
		if (f) {
			if (fscanf(f, "%d", port) != 1)
				*port = 0;
			fclose(f);
		}
		if (!*port)
			usleep(25000);
	}
	ck_assert_msg(*port > 0, "%s did not start (%s)", name, bin);
	free(port_file);
	free(bin);
	return (int)pid;
}

void ts_fake_stop(int pid)
{
	kill((pid_t)pid, SIGTERM);
	waitpid((pid_t)pid, NULL, 0);
}

void ts_post(const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	FILE *null = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, null);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	fclose(null);
}

int ts_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
