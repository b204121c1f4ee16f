/*
 * check_jsonck: the JSON gate every daemon parses through (common/jsonck.c):
 * nesting past 64 levels refused before cJSON recurses (however deep the
 * text), brackets inside strings not counted, and the strict mode's refusals
 * -- trailing bytes, \u0000 and raw control characters in strings, invalid
 * UTF-8 (overlong, surrogate, past U+10FFFF, cut short), duplicate keys at
 * any depth -- each with its own message.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "jsonck.h"
#include "tsupport.h"
#include "xalloc.h"

/* n '[' then n ']' (caller frees). */
static char *brackets(size_t n)
{
	char *s = xmalloc(2 * n + 1);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	return s;
}

static const char *why_of(const char *text, enum jsonck_mode mode)
{
	const char *why = NULL;
	cJSON *v = jsonck_parse(text, strlen(text), mode, &why);
	cJSON_Delete(v);
	return v ? NULL : why;
}

START_TEST(test_depth)
{
	char *s = brackets(64);
	ck_assert_ptr_null(why_of(s, JSONCK_STRICT));
	free(s);
	s = brackets(65);
	ck_assert_str_eq(why_of(s, JSONCK_STRICT), "JSON nested deeper than 64 levels");
	ck_assert_str_eq(why_of(s, JSONCK_LENIENT), "JSON nested deeper than 64 levels");
	free(s);
	/* far deeper than any stack: refused by counting, not by recursing */
	s = brackets(1000000);
	ck_assert_int_eq(jsonck_depth_ok(s, 2000000, JSONCK_MAX_DEPTH), 0);
	ck_assert_ptr_null(jsonck_parse_str(s, JSONCK_LENIENT));
	free(s);
	/* only half of it: unterminated, still refused for depth first */
	ck_assert_int_eq(jsonck_depth_ok("[[[[", 4, 3), 0);
	ck_assert_int_eq(jsonck_depth_ok("[[[]]]", 6, 3), 1);
	/* brackets in strings, and escaped quotes, are text */
	ck_assert_int_eq(jsonck_depth_ok("[\"[[[[\\\"[[[[\"]", 14, 1), 1);
	ck_assert_int_eq(jsonck_depth_ok("[\"\\\\\",[[]]]", 11, 2), 0);
	/* mixed objects and arrays count alike */
	ck_assert_int_eq(jsonck_depth_ok("{\"a\":[{\"b\":[1]}]}", 17, 4), 1);
	ck_assert_int_eq(jsonck_depth_ok("{\"a\":[{\"b\":[1]}]}", 17, 3), 0);
}
END_TEST

START_TEST(test_strict)
{
	ck_assert_ptr_null(why_of("{\"a\":\"b\"} \n\t", JSONCK_STRICT));
	ck_assert_str_eq(why_of("{\"a\":1} x", JSONCK_STRICT),
			 "trailing characters after the JSON value");
	ck_assert_str_eq(why_of("{\"a\":1}{}", JSONCK_STRICT),
			 "trailing characters after the JSON value");
	ck_assert_ptr_null(why_of("{\"a\":1} x", JSONCK_LENIENT)); /* stored rows: as before */
	ck_assert_str_eq(why_of("{\"s\":\"degraded\\u0000x\"}", JSONCK_STRICT),
			 "\\u0000 inside a string");
	ck_assert_str_eq(why_of("{\"s\\u0000\":1}", JSONCK_STRICT), "\\u0000 inside a string");
	/* an escaped backslash followed by the text u0000 is fine */
	ck_assert_ptr_null(why_of("{\"s\":\"a\\\\u0000\"}", JSONCK_STRICT));
	ck_assert_ptr_null(why_of("{\"s\":\"\\u0001\"}", JSONCK_STRICT));
	ck_assert_str_eq(why_of("{\"s\":\"a\tb\"}", JSONCK_STRICT),
			 "control character inside a string");
	ck_assert_str_eq(why_of("{\"a\":1,\"a\":2}", JSONCK_STRICT), "duplicate key in a JSON object");
	ck_assert_str_eq(why_of("[{\"x\":{\"b\":1,\"c\":2,\"b\":3}}]", JSONCK_STRICT),
			 "duplicate key in a JSON object");
	ck_assert_ptr_null(why_of("[{\"a\":1},{\"a\":2}]", JSONCK_STRICT)); /* other objects */
	ck_assert_str_eq(why_of("{\"a\":", JSONCK_STRICT), "JSON decode error");
	ck_assert_str_eq(why_of("", JSONCK_STRICT), "JSON decode error");
	/* a NUL inside the given length is not the end of the text */
	const char *why = NULL;
	ck_assert_ptr_null(jsonck_parse("{}\0{}", 5, JSONCK_STRICT, &why));
	ck_assert_str_eq(why, "trailing characters after the JSON value");
	ck_assert_ptr_null(jsonck_parse(NULL, 0, JSONCK_STRICT, &why));
}
END_TEST

START_TEST(test_utf8)
{
	ck_assert_int_eq(jsonck_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xb4", 14), 1);
	ck_assert_int_eq(jsonck_utf8_valid("\xff", 1), 0);
	ck_assert_int_eq(jsonck_utf8_valid("\xc0\xaf", 2), 0);	   /* overlong '/' */
	ck_assert_int_eq(jsonck_utf8_valid("\xe0\x80\xaf", 3), 0); /* overlong */
	ck_assert_int_eq(jsonck_utf8_valid("\xed\xa0\x80", 3), 0); /* surrogate */
	ck_assert_int_eq(jsonck_utf8_valid("\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	ck_assert_int_eq(jsonck_utf8_valid("\xe2\x82", 2), 0);	       /* cut short */
	ck_assert_int_eq(jsonck_utf8_valid("\xe2\x28\xa1", 3), 0);     /* bad continuation */
	ck_assert_str_eq(why_of("{\"a\":\"\xff\"}", JSONCK_STRICT), "JSON text is not valid UTF-8");
	ck_assert_ptr_null(why_of("{\"a\":\"\xc3\xa9\"}", JSONCK_STRICT));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jsonck");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_strict);
	tcase_add_test(tc, test_utf8);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
