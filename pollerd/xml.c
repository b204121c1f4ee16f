/*
 * xml: the pull reader behind the RSS/Atom parser (see xml.h for the
 * contract). The design goal is that no input can crash it, recurse deeply,
 * or make it allocate much more than the input size: the element stack is a
 * fixed array of offsets into the input, all decoding writes into one
 * reader-owned scratch buffer that never exceeds the input length plus a few
 * bytes, and every loop advances through the input at least one byte.
 */
#include "xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* An element on the open-element stack: where its name sits in the input. */
struct xml_open {
	size_t off, len;
};

/* An attribute of the current START event: offsets into the scratch buffer. */
struct xml_attr_ref {
	size_t name, value;
};

struct xml_reader {
	const char *data;
	size_t len, pos;
	int error;	 /* sticky once set */
	int seen_root;	 /* root element has started */
	int root_closed; /* ... and ended */
	int seen_doctype;
	int pending_end; /* self-closing tag: emit END next */
	int depth;	 /* open elements */
	int ev_depth;	 /* depth reported for the current event */
	struct xml_open stack[XML_MAX_DEPTH];
	/* scratch: name / text / attribute strings of the current event */
	char *buf;
	size_t blen, bcap;
	size_t name_off; /* START/END name in buf */
	struct xml_attr_ref attrs[XML_MAX_ATTRS];
	size_t nattrs;
	char errmsg[160];
};

/* ---- UTF-8 ---------------------------------------------------------------- */

/*
 * Decode one strict UTF-8 sequence at s[0..n). Returns its length and the code
 * point, or 0 when it is malformed (overlong, surrogate, > U+10FFFF, cut).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return need;
}

int xml_utf8_valid(const char *data, size_t len, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;
	while (i < len) {
		/* Fast path for ASCII runs, which is nearly all feed text. */
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			if (bad_off)
				*bad_off = i;
			return -1;
		}
		i += n;
	}
	return 0;
}

/* ---- reader plumbing ------------------------------------------------------ */

static enum xml_event fail(struct xml_reader *r, const char *what)
{
	r->error = 1;
	snprintf(r->errmsg, sizeof r->errmsg, "%s at byte %zu", what, r->pos);
	return XML_EV_ERROR;
}

/* Reserve room for n more scratch bytes. */
static void scratch_reserve(struct xml_reader *r, size_t n)
{
	if (r->blen + n <= r->bcap)
		return;
	size_t cap = r->bcap ? r->bcap : 256;
	while (cap < r->blen + n)
		cap *= 2;
	r->buf = xrealloc(r->buf, cap);
	r->bcap = cap;
}

static void scratch_put(struct xml_reader *r, const char *p, size_t n)
{
	scratch_reserve(r, n);
	memcpy(r->buf + r->blen, p, n);
	r->blen += n;
}

static void scratch_nul(struct xml_reader *r)
{
	scratch_reserve(r, 1);
	r->buf[r->blen++] = '\0';
}

/* See xml.h: the caller frees the reader with xml_reader_free(). */
struct xml_reader *xml_reader_new(const char *data, size_t len)
{
	struct xml_reader *r = xcalloc(1, sizeof *r);
	r->data = data ? data : "";
	r->len = data ? len : 0;
	if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	/*
	 * Validate the encoding once up front: every later step can then treat
	 * bytes >= 0x80 as parts of valid characters. Control characters are
	 * checked the same way since XML 1.0 forbids them even as references.
	 */
	size_t bad;
	if (xml_utf8_valid(r->data, r->len, &bad) < 0) {
		r->error = 1;
		snprintf(r->errmsg, sizeof r->errmsg, "invalid UTF-8 at byte %zu", bad);
		return r;
	}
	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->data[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			r->error = 1;
			snprintf(r->errmsg, sizeof r->errmsg,
				 "control character 0x%02x at byte %zu", c, i);
			return r;
		}
	}
	return r;
}

void xml_reader_free(struct xml_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Name characters, simplified from XML 1.0: any non-ASCII byte is accepted
 * (the input is known-valid UTF-8), ASCII is restricted to the Name rules.
 */
static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int starts(const struct xml_reader *r, const char *lit)
{
	size_t n = strlen(lit);
	return r->len - r->pos >= n && memcmp(r->data + r->pos, lit, n) == 0;
}

/* Find lit at or after pos; returns its offset or (size_t)-1. */
static size_t find(const struct xml_reader *r, size_t from, const char *lit)
{
	size_t n = strlen(lit);
	if (r->len < n)
		return (size_t)-1;
	for (size_t i = from; i + n <= r->len; i++) {
		const void *hit = memchr(r->data + i, lit[0], r->len - n + 1 - i);
		if (!hit)
			return (size_t)-1;
		i = (size_t)((const char *)hit - r->data);
		if (memcmp(r->data + i, lit, n) == 0)
			return i;
	}
	return (size_t)-1;
}

/* Scan a Name at pos; returns its length (0 if none). */
static size_t scan_name(const struct xml_reader *r)
{
	size_t i = r->pos;
	if (i >= r->len || !is_name_start((unsigned char)r->data[i]))
		return 0;
	while (i < r->len && is_name_char((unsigned char)r->data[i]))
		i++;
	return i - r->pos;
}

static void skip_space(struct xml_reader *r)
{
	while (r->pos < r->len && is_space(r->data[r->pos]))
		r->pos++;
}

/* Append code point cp as UTF-8 to the scratch buffer. */
static void put_utf8(struct xml_reader *r, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	scratch_put(r, b, n);
}

/* The Char production of XML 1.0: what a numeric reference may produce. */
static int is_xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
	       (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/*
 * Decode the reference at pos ('&' ... ';') into the scratch buffer. Only the
 * predefined entities and character references exist for this reader; any
 * other name is an error, which is what defuses entity-expansion attacks.
 */
static int decode_ref(struct xml_reader *r)
{
	static const struct {
		const char *name;
		char c;
	} pre[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
	size_t start = r->pos + 1;
	size_t i = start;
	/* The longest valid reference is "#x10FFFF" or "#1114111" plus zeros; cap the scan. */
	while (i < r->len && r->data[i] != ';' && i - start < 32)
		i++;
	if (i >= r->len || r->data[i] != ';' || i == start) {
		fail(r, "bad '&' (not a reference)");
		return -1;
	}
	const char *p = r->data + start;
	size_t n = i - start;
	if (p[0] == '#') {
		uint32_t cp = 0;
		size_t k = 1;
		int hex = n > 1 && p[1] == 'x';
		if (hex)
			k = 2;
		if (k >= n) {
			fail(r, "empty character reference");
			return -1;
		}
		for (; k < n; k++) {
			unsigned char c = (unsigned char)p[k];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else {
				fail(r, "bad character reference");
				return -1;
			}
			cp = cp * (hex ? 16 : 10) + d;
			if (cp > 0x10FFFF) {
				fail(r, "character reference out of range");
				return -1;
			}
		}
		if (!is_xml_char(cp)) {
			fail(r, "character reference to a non-XML character");
			return -1;
		}
		put_utf8(r, cp);
	} else {
		size_t j;
		for (j = 0; j < sizeof pre / sizeof pre[0]; j++) {
			if (strlen(pre[j].name) == n && memcmp(p, pre[j].name, n) == 0)
				break;
		}
		if (j == sizeof pre / sizeof pre[0]) {
			fail(r, "unknown entity");
			return -1;
		}
		scratch_put(r, &pre[j].c, 1);
	}
	r->pos = i + 1;
	return 0;
}

/* Skip "<!--" ... "-->". */
static int skip_comment(struct xml_reader *r)
{
	size_t e = find(r, r->pos + 4, "-->");
	if (e == (size_t)-1) {
		fail(r, "unterminated comment");
		return -1;
	}
	r->pos = e + 3;
	return 0;
}

/* Skip "<?" ... "?>" (the XML declaration included: its encoding is ignored, UTF-8 is checked). */
static int skip_pi(struct xml_reader *r)
{
	size_t e = find(r, r->pos + 2, "?>");
	if (e == (size_t)-1) {
		fail(r, "unterminated processing instruction");
		return -1;
	}
	r->pos = e + 2;
	return 0;
}

/*
 * Skip "<!DOCTYPE ... [internal subset] >" without interpreting it. Quoted
 * strings and comments may contain '>' or ']', so they are stepped over; the
 * bracket nesting of the subset is one level (markup declarations do not nest).
 */
static int skip_doctype(struct xml_reader *r)
{
	if (r->seen_root || r->seen_doctype) {
		fail(r, "misplaced DOCTYPE");
		return -1;
	}
	r->seen_doctype = 1;
	size_t i = r->pos + 9;
	int in_subset = 0;
	while (i < r->len) {
		char c = r->data[i];
		if (c == '"' || c == '\'') {
			const char *q = memchr(r->data + i + 1, c, r->len - i - 1);
			if (!q)
				break;
			i = (size_t)(q - r->data) + 1;
		} else if (c == '<' && r->len - i >= 4 && memcmp(r->data + i, "<!--", 4) == 0) {
			size_t save = r->pos;
			r->pos = i;
			if (skip_comment(r) < 0)
				return -1;
			i = r->pos;
			r->pos = save;
		} else if (c == '[' && !in_subset) {
			in_subset = 1;
			i++;
		} else if (c == ']' && in_subset) {
			in_subset = 0;
			i++;
		} else if (c == '>' && !in_subset) {
			r->pos = i + 1;
			return 0;
		} else {
			i++;
		}
	}
	fail(r, "unterminated DOCTYPE");
	return -1;
}

/* Character data up to the next '<' (or end), decoded into the scratch buffer. */
static int read_chars(struct xml_reader *r)
{
	/* Find the end of the run once: re-scanning for '<' after every reference
	 * would make a long text full of "&amp;" quadratic. */
	const char *ltp = memchr(r->data + r->pos, '<', r->len - r->pos);
	size_t stop = ltp ? (size_t)(ltp - r->data) : r->len;
	while (r->pos < stop) {
		const char *p = r->data + r->pos;
		size_t rest = stop - r->pos;
		const char *amp = memchr(p, '&', rest);
		size_t run = amp ? (size_t)(amp - p) : rest;
		if (r->depth == 0) {
			/* Outside the root only white space may appear. */
			for (size_t i = 0; i < run; i++) {
				if (!is_space(p[i])) {
					r->pos += i;
					fail(r, r->seen_root ? "content after the root element"
							     : "text before the root element");
					return -1;
				}
			}
			if (amp) {
				r->pos += run;
				fail(r, "reference outside the root element");
				return -1;
			}
			r->pos += run;
			continue;
		}
		scratch_put(r, p, run);
		r->pos += run;
		if (amp && decode_ref(r) < 0)
			return -1;
	}
	return 0;
}

/* "<![CDATA[" ... "]]>" appended verbatim. */
static int read_cdata(struct xml_reader *r)
{
	if (r->depth == 0) {
		fail(r, "CDATA outside the root element");
		return -1;
	}
	size_t s = r->pos + 9;
	size_t e = find(r, s, "]]>");
	if (e == (size_t)-1) {
		fail(r, "unterminated CDATA section");
		return -1;
	}
	scratch_put(r, r->data + s, e - s);
	r->pos = e + 3;
	return 0;
}

/* Attribute value in quotes at pos, decoded into scratch and NUL-terminated. */
static int read_attr_value(struct xml_reader *r)
{
	if (r->pos >= r->len || (r->data[r->pos] != '"' && r->data[r->pos] != '\'')) {
		fail(r, "attribute value not quoted");
		return -1;
	}
	char q = r->data[r->pos++];
	for (;;) {
		if (r->pos >= r->len) {
			fail(r, "unterminated attribute value");
			return -1;
		}
		char c = r->data[r->pos];
		if (c == q) {
			r->pos++;
			break;
		}
		if (c == '<') {
			fail(r, "'<' in attribute value");
			return -1;
		}
		if (c == '&') {
			if (decode_ref(r) < 0)
				return -1;
			continue;
		}
		/* Attribute-value normalisation: literal white space becomes a space. */
		scratch_put(r, is_space(c) ? " " : &r->data[r->pos], 1);
		r->pos++;
	}
	scratch_nul(r);
	return 0;
}

/* "<name attr='v' ...>" or ".../>" at pos. */
static enum xml_event read_start_tag(struct xml_reader *r)
{
	r->pos++; /* '<' */
	size_t nlen = scan_name(r);
	if (nlen == 0)
		return fail(r, "bad element name");
	if (r->root_closed)
		return fail(r, "second root element");
	if (r->depth >= XML_MAX_DEPTH)
		return fail(r, "elements nested too deeply");
	size_t noff = r->pos;
	r->pos += nlen;
	r->blen = 0;
	r->nattrs = 0;
	r->name_off = 0;
	scratch_put(r, r->data + noff, nlen);
	scratch_nul(r);
	for (;;) {
		size_t before = r->pos;
		skip_space(r);
		if (r->pos >= r->len)
			return fail(r, "unterminated start tag");
		char c = r->data[r->pos];
		if (c == '>' || c == '/')
			break;
		if (r->pos == before)
			return fail(r, "missing space between attributes");
		size_t alen = scan_name(r);
		if (alen == 0)
			return fail(r, "bad attribute name");
		if (r->nattrs >= XML_MAX_ATTRS)
			return fail(r, "too many attributes");
		for (size_t i = 0; i < r->nattrs; i++) {
			const char *other = r->buf + r->attrs[i].name;
			if (strlen(other) == alen && memcmp(other, r->data + r->pos, alen) == 0)
				return fail(r, "duplicate attribute");
		}
		struct xml_attr_ref *a = &r->attrs[r->nattrs];
		a->name = r->blen;
		scratch_put(r, r->data + r->pos, alen);
		scratch_nul(r);
		r->pos += alen;
		skip_space(r);
		if (r->pos >= r->len || r->data[r->pos] != '=')
			return fail(r, "attribute without '='");
		r->pos++;
		skip_space(r);
		a->value = r->blen;
		if (read_attr_value(r) < 0)
			return XML_EV_ERROR;
		r->nattrs++;
	}
	if (r->data[r->pos] == '/') {
		if (r->pos + 1 >= r->len || r->data[r->pos + 1] != '>')
			return fail(r, "bad empty-element tag");
		r->pos += 2;
		r->pending_end = 1;
	} else {
		r->pos++;
	}
	r->stack[r->depth].off = noff;
	r->stack[r->depth].len = nlen;
	r->depth++;
	r->seen_root = 1;
	r->ev_depth = r->depth;
	return XML_EV_START;
}

/* Close the innermost element (end tag or the tail of a self-closing tag). */
static enum xml_event pop_element(struct xml_reader *r)
{
	struct xml_open *o = &r->stack[r->depth - 1];
	r->blen = 0;
	r->nattrs = 0;
	r->name_off = 0;
	scratch_put(r, r->data + o->off, o->len);
	scratch_nul(r);
	r->ev_depth = r->depth;
	r->depth--;
	if (r->depth == 0)
		r->root_closed = 1;
	return XML_EV_END;
}

/* "</name>" at pos. */
static enum xml_event read_end_tag(struct xml_reader *r)
{
	r->pos += 2;
	size_t nlen = scan_name(r);
	if (nlen == 0)
		return fail(r, "bad end tag");
	if (r->depth == 0)
		return fail(r, "end tag without start tag");
	struct xml_open *o = &r->stack[r->depth - 1];
	if (o->len != nlen || memcmp(r->data + o->off, r->data + r->pos, nlen) != 0)
		return fail(r, "mismatched end tag");
	r->pos += nlen;
	skip_space(r);
	if (r->pos >= r->len || r->data[r->pos] != '>')
		return fail(r, "unterminated end tag");
	r->pos++;
	return pop_element(r);
}

enum xml_event xml_next(struct xml_reader *r)
{
	if (r->error)
		return XML_EV_ERROR;
	if (r->pending_end) {
		r->pending_end = 0;
		return pop_element(r);
	}
	/* Text is gathered into scratch until markup that is not a comment/PI/CDATA. */
	r->blen = 0;
	r->nattrs = 0;
	int have_text = 0;
	for (;;) {
		if (r->pos >= r->len) {
			if (have_text && r->depth > 0)
				break; /* report the text; the next call reports the error */
			if (r->depth > 0)
				return fail(r, "unexpected end of document inside an element");
			if (!r->seen_root)
				return fail(r, "no root element");
			return XML_EV_EOF;
		}
		if (r->data[r->pos] != '<') {
			if (read_chars(r) < 0)
				return XML_EV_ERROR;
			have_text = r->depth > 0;
			continue;
		}
		if (starts(r, "<!--")) {
			if (skip_comment(r) < 0)
				return XML_EV_ERROR;
			continue;
		}
		if (starts(r, "<?")) {
			if (skip_pi(r) < 0)
				return XML_EV_ERROR;
			continue;
		}
		if (starts(r, "<![CDATA[")) {
			if (read_cdata(r) < 0)
				return XML_EV_ERROR;
			have_text = 1;
			continue;
		}
		if (starts(r, "<!DOCTYPE")) {
			if (skip_doctype(r) < 0)
				return XML_EV_ERROR;
			continue;
		}
		if (starts(r, "<!"))
			return fail(r, "unsupported markup declaration");
		if (have_text)
			break;
		if (starts(r, "</"))
			return read_end_tag(r);
		return read_start_tag(r);
	}
	/* NUL-terminate the coalesced text (possibly empty if it was only CDATA "")
	 * and keep its length separately: decoded text cannot contain NUL. */
	scratch_nul(r);
	r->blen--;
	r->ev_depth = r->depth;
	return XML_EV_TEXT;
}

const char *xml_name(const struct xml_reader *r)
{
	return r->buf ? r->buf + r->name_off : "";
}

const char *xml_text(const struct xml_reader *r, size_t *len)
{
	if (len)
		*len = r->blen;
	return r->buf ? r->buf : "";
}

size_t xml_nattrs(const struct xml_reader *r)
{
	return r->nattrs;
}

const char *xml_attr_name(const struct xml_reader *r, size_t i)
{
	return i < r->nattrs ? r->buf + r->attrs[i].name : NULL;
}

const char *xml_attr_value(const struct xml_reader *r, size_t i)
{
	return i < r->nattrs ? r->buf + r->attrs[i].value : NULL;
}

const char *xml_attr(const struct xml_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nattrs; i++) {
		if (strcmp(r->buf + r->attrs[i].name, name) == 0)
			return r->buf + r->attrs[i].value;
	}
	return NULL;
}

int xml_depth(const struct xml_reader *r)
{
	return r->ev_depth;
}

const char *xml_error(const struct xml_reader *r)
{
	return r->error ? r->errmsg : "";
}

const char *xml_local_name(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}
