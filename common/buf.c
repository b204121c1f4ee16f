/*
 * buf: growable, capped byte buffer (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void buf_init(struct buf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

static int reserve(struct buf *b, size_t extra)
{
	if (b->limit && (extra > b->limit || b->len > b->limit - extra)) {
		b->overflowed = 1;
		return -1;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, cp);
	va_end(cp);
	int rc;
	if (n < 0) {
		rc = -1;
	} else if ((size_t)n < sizeof tmp) {
		rc = buf_append(b, tmp, (size_t)n);
	} else if (reserve(b, (size_t)n) < 0) {
		rc = -1;
	} else {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		b->len += (size_t)n;
		rc = 0;
	}
	va_end(ap);
	return rc;
}

int buf_put_json_str(struct buf *b, const char *s)
{
	if (!s)
		return buf_puts(b, "null");
	int rc = buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
		switch (*p) {
		case '"':
			rc = buf_puts(b, "\\\"");
			break;
		case '\\':
			rc = buf_puts(b, "\\\\");
			break;
		case '\n':
			rc = buf_puts(b, "\\n");
			break;
		case '\r':
			rc = buf_puts(b, "\\r");
			break;
		case '\t':
			rc = buf_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20)
				rc = buf_printf(b, "\\u%04x", *p);
			else
				rc = buf_putc(b, (char)*p);
		}
	}
	if (rc == 0)
		rc = buf_putc(b, '"');
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflowed = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->overflowed = 0;
}

char *buf_steal(struct buf *b)
{
	char *d = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	b->overflowed = 0;
	return d;
}
