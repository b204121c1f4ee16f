/*
 * tsupport: scratch files and the suite runner for unit tests (see tsupport.h).
 */
#include "tsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int ts_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
