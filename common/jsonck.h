/*
 * jsonck: the one way every daemon turns outside or stored JSON text into a
 * cJSON tree. cJSON parses recursively and allows 1000 levels of nesting,
 * more than a civetweb worker's stack holds, so the text is first scanned
 * without recursion and refused when nested deeper than JSONCK_MAX_DEPTH.
 * The strict mode, for request bodies, also refuses what cJSON lets through
 * silently: trailing bytes after the value, "\u0000" and raw control
 * characters inside strings, invalid UTF-8 and duplicate object keys.
 */
#ifndef ITSTATUS_JSONCK_H
#define ITSTATUS_JSONCK_H

#include <cJSON.h>
#include <stddef.h>

#define JSONCK_MAX_DEPTH 64

enum jsonck_mode {
	JSONCK_LENIENT = 0, /* depth check only (vendor payloads, stored rows) */
	JSONCK_STRICT = 1,  /* request bodies: every check listed above */
};

/* 1 when the brackets of text (outside strings) nest at most max deep. */
int jsonck_depth_ok(const char *text, size_t len, int max);
/* 1 when the len bytes are valid UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
int jsonck_utf8_valid(const char *text, size_t len);
/* Parse len bytes of text. NULL when refused or invalid, with *why (when
 * why is not NULL) set to a static English sentence saying what is wrong.
 * The caller deletes the tree. */
cJSON *jsonck_parse(const char *text, size_t len, enum jsonck_mode mode, const char **why);
/* jsonck_parse of a NUL-terminated string; NULL text gives NULL. */
cJSON *jsonck_parse_str(const char *text, enum jsonck_mode mode);

#endif
