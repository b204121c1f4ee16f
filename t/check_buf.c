/*
 * check_buf: the capped growable buffer (and its checked appends) and the
 * xalloc wrappers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "tsupport.h"
#include "xalloc.h"

START_TEST(test_append_grows)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_puts(&b, "abcdefghij"), 0);
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(strncmp(b.data + 9990, "abcdefghij", 10), 0);
	buf_release(&b);
}
END_TEST

START_TEST(test_cap_refuses_and_flags)
{
	struct buf b;
	buf_init(&b, 8);
	ck_assert_int_eq(buf_puts(&b, "12345678"), 0);
	ck_assert_int_eq(b.overflowed, 0);
	ck_assert_int_eq(buf_putc(&b, 'x'), -1);
	ck_assert_int_eq(b.overflowed, 1);
	ck_assert_uint_eq(b.len, 8); /* nothing partial was added */
	ck_assert_str_eq(b.data, "12345678");
	/* an append larger than the whole cap must not wrap around */
	ck_assert_int_eq(buf_append(&b, "x", (size_t)-1), -1);
	buf_reset(&b);
	ck_assert_int_eq(b.overflowed, 0);
	ck_assert_uint_eq(b.len, 0);
	buf_release(&b);
}
END_TEST

START_TEST(test_printf_long)
{
	struct buf b;
	buf_init(&b, 0);
	char big[1000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(buf_printf(&b, "<%s|%d>", big, 42), 0);
	ck_assert_uint_eq(b.len, 999 + 5);
	ck_assert_str_eq(b.data + 1000, "|42>");
	buf_release(&b);
	buf_init(&b, 100);
	ck_assert_int_eq(buf_printf(&b, "%s", big), -1);
	ck_assert_int_eq(b.overflowed, 1);
	buf_release(&b);
}
END_TEST

START_TEST(test_json_escape)
{
	struct buf b;
	buf_init(&b, 0);
	buf_put_json_str(&b, "a\"b\\c\nd\x01");
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\nd\\u0001\"");
	buf_reset(&b);
	buf_put_json_str(&b, NULL);
	ck_assert_str_eq(b.data, "null");
	char *s = buf_steal(&b);
	ck_assert_str_eq(s, "null");
	ck_assert_ptr_null(b.data);
	free(s);
}
END_TEST

/* buf_check after a run of appends: the overflow is sticky (a later append
 * that fits does not hide it), logged once per check with what and the cap,
 * and the text helpers still hand over what fitted. */
START_TEST(test_check_names_the_overflow)
{
	char *dir = ts_tmpdir();
	char *path = ts_write(dir, "log.txt", "");
	FILE *f = fopen(path, "w");
	log_init("testd", LOG_LVL_INFO, 0);
	log_set_stream(f);
	struct buf b;
	buf_init(&b, 8);
	ck_assert_int_eq(buf_puts(&b, "1234"), 0);
	ck_assert_int_eq(buf_check(&b, "test text"), 0);
	ck_assert_int_eq(buf_puts(&b, "56789"), -1);
	ck_assert_int_eq(buf_puts(&b, "5"), 0);
	ck_assert_int_eq(buf_check(&b, "test text"), -1);
	ck_assert_str_eq(buf_text(&b, "test text"), "12345");
	char *t = buf_steal_text(&b, "test text");
	ck_assert_str_eq(t, "12345");
	free(t);
	ck_assert_int_eq(b.overflowed, 0); /* stolen: empty and usable again */
	log_set_stream(NULL);
	fclose(f);
	char *out = ts_read(path, NULL);
	int n = 0;
	for (const char *p = out; (p = strstr(p, "test text: longer than its cap of 8 bytes")); p++)
		n++;
	ck_assert_int_eq(n, 3);
	free(out);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_xalloc_family)
{
	char *s = xasprintf("%s-%d", "x", 7);
	ck_assert_str_eq(s, "x-7");
	free(s);
	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	ck_assert_ptr_null(xstrdup_or_null(NULL));
	int *v = xreallocarray(NULL, 10, sizeof *v);
	v[9] = 1;
	free(v);
}
END_TEST

START_TEST(test_xreallocarray_overflow_is_fatal)
{
	xreallocarray(NULL, (size_t)-1, 16);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_append_grows);
	tcase_add_test(tc, test_cap_refuses_and_flags);
	tcase_add_test(tc, test_printf_long);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_check_names_the_overflow);
	tcase_add_test(tc, test_xalloc_family);
	if (!getenv("ITSTATUS_VALGRIND")) /* abort() in a non-forked valgrind run ends the runner */
		tcase_add_test_raise_signal(tc, test_xreallocarray_overflow_is_fatal, 6);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
