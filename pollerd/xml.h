/*
 * xml: a small pull reader for the XML that status feeds (RSS 2.0, Atom) are
 * written in. It is not a general XML processor: there is no DTD processing
 * and no namespace resolution (names are kept exactly as written, e.g.
 * "atom:link"), and only the five predefined entities plus numeric character
 * references are expanded. A DOCTYPE is skipped, so an "entity bomb" is never
 * expanded -- a reference to a declared entity is simply an unknown-entity
 * error.
 *
 * It is meant to face hostile input: the whole document must be well-formed
 * UTF-8 XML 1.0 text (no NULs or C0 controls), element nesting is capped at
 * XML_MAX_DEPTH with no recursion anywhere, and any malformation is a hard
 * error reported once with a short message and byte offset; after an error
 * every further xml_next() returns XML_EV_ERROR again.
 *
 * Events: START (name and attributes), END (name), TEXT (character data with
 * CDATA sections and references decoded; adjacent pieces coalesced, comments
 * and PIs between them dropped), EOF once the root element has closed. A
 * self-closing <a/> yields START then END. Strings returned by the accessors
 * are NUL-terminated, owned by the reader and valid until the next xml_next().
 */
#ifndef ITSTATUS_XML_H
#define ITSTATUS_XML_H

#include <stddef.h>

#define XML_MAX_DEPTH 256 /* deeper nesting is an error, not a stack risk */
#define XML_MAX_ATTRS 64  /* attributes per element */

enum xml_event { XML_EV_EOF = 0, XML_EV_START, XML_EV_END, XML_EV_TEXT, XML_EV_ERROR };

struct xml_reader;

/*
 * Start reading data[0..len). The data is not copied and must outlive the
 * reader. A leading UTF-8 byte-order mark is skipped. Returns a reader the
 * caller frees with xml_reader_free(); never NULL.
 */
struct xml_reader *xml_reader_new(const char *data, size_t len);
void xml_reader_free(struct xml_reader *r);

/* Advance to the next event. */
enum xml_event xml_next(struct xml_reader *r);

/* START/END: the element name as written ("atom:link"). */
const char *xml_name(const struct xml_reader *r);
/* TEXT: the decoded text and its length in bytes. */
const char *xml_text(const struct xml_reader *r, size_t *len);
/* START: attribute count, i-th name/value, or the value of a name (NULL if absent). */
size_t xml_nattrs(const struct xml_reader *r);
const char *xml_attr_name(const struct xml_reader *r, size_t i);
const char *xml_attr_value(const struct xml_reader *r, size_t i);
const char *xml_attr(const struct xml_reader *r, const char *name);
/*
 * Nesting depth: for START/END the depth of that element (root = 1), for TEXT
 * the depth of the enclosing element.
 */
int xml_depth(const struct xml_reader *r);
/* ERROR: what went wrong, e.g. "mismatched end tag </b> for <a> at byte 42". */
const char *xml_error(const struct xml_reader *r);

/* The part of a name after its namespace prefix ("atom:link" -> "link"). */
const char *xml_local_name(const char *name);

/*
 * Check that data[0..len) is strict UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). Returns 0, or -1 and sets *bad_off to the offending
 * byte offset.
 */
int xml_utf8_valid(const char *data, size_t len, size_t *bad_off);

#endif
