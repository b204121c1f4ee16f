/*
 * check_log: JSON and text log lines, levels, escaping of hostile text.
 */
#include <cJSON.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tsupport.h"

static char *capture(int json, void (*fn)(void))
{
	char *dir = ts_tmpdir();
	char *path = ts_write(dir, "log.txt", "");
	FILE *f = fopen(path, "w");
	log_init("testd", LOG_LVL_INFO, json);
	log_set_stream(f);
	fn();
	log_set_stream(NULL);
	fclose(f);
	char *out = ts_read(path, NULL);
	free(path);
	free(dir);
	return out;
}

static void emit_some(void)
{
	log_debug("hidden %d", 1);
	log_info("hello \"%s\"\n", "quoted");
	const char *kv[] = {"service", "github", "reason", NULL, NULL};
	log_kv(LOG_LVL_WARNING, kv, "poll failed");
}

static void emit_huge(void)
{
	size_t n = 2 * 1024 * 1024; /* past LOG_LINE_CAP */
	char *big = malloc(n + 1);
	memset(big, 'y', n);
	big[n] = '\0';
	log_info("%s", big);
	log_info("after");
	free(big);
}

/* The JSON line at line (up to its newline) has msg want. */
static void assert_msg(const char *line, const char *want)
{
	size_t n = strcspn(line, "\n");
	cJSON *j = cJSON_ParseWithLength(line, n);
	ck_assert_msg(j != NULL, "not a JSON line: %.*s", (int)(n < 200 ? n : 200), line);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "msg")->valuestring, want);
	cJSON_Delete(j);
}

/* A line past LOG_LINE_CAP is replaced by a note (still a valid JSON line);
 * the next line is unharmed. */
START_TEST(test_huge_line_is_a_note)
{
	char *out = capture(1, emit_huge);
	assert_msg(out, "(log line longer than LOG_LINE_CAP, dropped)");
	const char *next = strchr(out, '\n');
	ck_assert_ptr_nonnull(next);
	assert_msg(next + 1, "after");
	free(out);
}
END_TEST

START_TEST(test_json_lines)
{
	char *out = capture(1, emit_some);
	char *nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	cJSON *j = cJSON_Parse(out);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "level")->valuestring, "info");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "daemon")->valuestring, "testd");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "msg")->valuestring, "hello \"quoted\"\n");
	ck_assert_int_eq((int)strlen(cJSON_GetObjectItem(j, "ts")->valuestring), 24);
	cJSON_Delete(j);
	cJSON *k = cJSON_Parse(nl + 1);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(cJSON_GetObjectItem(k, "service")->valuestring, "github");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(k, "reason")));
	ck_assert_str_eq(cJSON_GetObjectItem(k, "level")->valuestring, "warning");
	cJSON_Delete(k);
	ck_assert_ptr_null(strstr(nl + 1, "hidden"));
	free(out);
}
END_TEST

START_TEST(test_text_lines)
{
	char *out = capture(0, emit_some);
	ck_assert_ptr_nonnull(strstr(out, "info     testd: hello"));
	ck_assert_ptr_nonnull(strstr(out, "service=github reason=null"));
	free(out);
}
END_TEST

static void emit_hostile(void)
{
	/* a request path with %0a and an escape sequence, as a handler logs it */
	log_warn("webhook for %s refused", "git\n2026-01-01T00:00:00.000Z info     apid: FORGED\x1b[31m");
	const char *kv[] = {"k\r", "v\tw\\", NULL};
	log_kv(LOG_LVL_WARNING, kv, "kv");
}

START_TEST(test_text_escapes_control_characters)
{
	char *out = capture(0, emit_hostile);
	/* two lines, one per call: nothing the caller passed could start a third */
	size_t lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 2);
	ck_assert_ptr_null(strchr(out, '\x1b'));
	ck_assert_ptr_null(strchr(out, '\r'));
	ck_assert_ptr_nonnull(strstr(out, "git\\n2026-01-01T00:00:00.000Z info     apid: FORGED\\x1b[31m"));
	ck_assert_ptr_nonnull(strstr(out, " k\\r=v\\tw\\\\"));
	free(out);
}
END_TEST

START_TEST(test_level_parse)
{
	enum log_level l;
	ck_assert_int_eq(log_level_parse("warning", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_WARNING);
	ck_assert_int_eq(log_level_parse("CRITICAL", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_CRITICAL);
	ck_assert_int_eq(log_level_parse("verbose", &l), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_huge_line_is_a_note);
	tcase_add_test(tc, test_text_lines);
	tcase_add_test(tc, test_text_escapes_control_characters);
	tcase_add_test(tc, test_level_parse);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
