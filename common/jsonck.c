/*
 * jsonck: checks run on JSON text before and after cJSON parses it (see
 * jsonck.h). The depth scan is one pass with a counter, so a 1 MB body of
 * '[' costs a loop, never a stack; the strict checks reject inputs that
 * cJSON would otherwise accept as something else than what was sent
 * ("degraded\u0000x" read as "degraded", the last of two equal keys).
 */
#include "jsonck.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int jsonck_depth_ok(const char *text, size_t len, int max)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++; /* the escaped character cannot end the string */
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return 0;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 1;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, cp = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, cp = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

int jsonck_utf8_valid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

/* Inside strings: no raw control character and no \u0000 escape. */
static const char *string_problem(const char *text, size_t len)
{
	int in_str = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (!in_str) {
			in_str = c == '"';
			continue;
		}
		if (c == '"') {
			in_str = 0;
		} else if (c < 0x20) {
			return "control character inside a string";
		} else if (c == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && !strncmp(text + i + 2, "0000", 4))
				return "\\u0000 inside a string";
			i++;
		}
	}
	return NULL;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when some object in the tree repeats a key. The tree is at most
 * JSONCK_MAX_DEPTH deep (checked before parsing), which bounds the recursion. */
static int has_duplicate_key(const cJSON *node)
{
	if (cJSON_IsObject(node)) {
		size_t n = 0;
		for (const cJSON *c = node->child; c; c = c->next)
			n++;
		if (n > 1) {
			const char **keys = xcalloc(n, sizeof *keys);
			size_t i = 0;
			for (const cJSON *c = node->child; c; c = c->next)
				keys[i++] = c->string ? c->string : "";
			qsort(keys, n, sizeof *keys, key_cmp);
			int dup = 0;
			for (i = 1; i < n && !dup; i++)
				dup = !strcmp(keys[i - 1], keys[i]);
			free(keys);
			if (dup)
				return 1;
		}
	}
	for (const cJSON *c = node->child; c; c = c->next)
		if (has_duplicate_key(c))
			return 1;
	return 0;
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return 1;
}

cJSON *jsonck_parse(const char *text, size_t len, enum jsonck_mode mode, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	if (!text) {
		*why = "no JSON text";
		return NULL;
	}
	if (!jsonck_depth_ok(text, len, JSONCK_MAX_DEPTH)) {
		*why = "JSON nested deeper than 64 levels";
		return NULL;
	}
	if (mode == JSONCK_STRICT) {
		if (!jsonck_utf8_valid(text, len)) {
			*why = "JSON text is not valid UTF-8";
			return NULL;
		}
		if ((*why = string_problem(text, len)))
			return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		*why = "JSON decode error";
		return NULL;
	}
	if (mode == JSONCK_STRICT) {
		if (!end || !only_space(end, text + len))
			*why = "trailing characters after the JSON value";
		else if (has_duplicate_key(root))
			*why = "duplicate key in a JSON object";
		if (*why) {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}

cJSON *jsonck_parse_str(const char *text, enum jsonck_mode mode)
{
	return text ? jsonck_parse(text, strlen(text), mode, NULL) : NULL;
}
