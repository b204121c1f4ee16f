/*
 * buf: a growable byte buffer with a hard cap. Used wherever outside input is
 * accumulated (HTTP bodies, JSON output) so that a hostile peer can never make
 * a daemon grow without bound: an append past the cap fails and the buffer is
 * marked overflowed, which callers report as "too_large".
 *
 * The data is always NUL-terminated (the terminator is not counted in len), so
 * text can be handed to parsers directly. Memory is owned by the buf; release
 * it with buf_release() or take it with buf_steal().
 *
 * Every buf in the daemons gets a named cap (an enum or #define beside its
 * use, far above any output the code means to build), and its appends are
 * checked: each append either fits whole or changes nothing and sets
 * overflowed, which stays set until buf_reset(), so one buf_check() after a
 * run of appends covers all of them. A text for people that overflows is
 * sent as far as it fitted; a text a program parses (JSON, a header block,
 * a signed base) is an error. 0 (unlimited) is left to tests and tools.
 */
#ifndef ITSTATUS_BUF_H
#define ITSTATUS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;	/* allocated bytes */
	size_t limit;	/* hard cap on len; 0 = unlimited */
	int overflowed; /* set once an append hit the limit */
};

void buf_init(struct buf *b, size_t limit);
/* Append n bytes; returns 0, or -1 (and sets overflowed) if it would pass the limit. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal with quotes and escapes. */
int buf_put_json_str(struct buf *b, const char *s);
/* After a run of appends: 0 when every append since buf_init()/buf_reset()
 * fitted under the cap, else -1 after logging one error that names what
 * the buffer holds and its cap. */
int buf_check(const struct buf *b, const char *what);
void buf_reset(struct buf *b);
/* Free the data; the buf (the caller's) is empty and usable again, same cap. */
void buf_release(struct buf *b);
/* Hand the data to the caller (free() it); the buf is reset to empty. */
char *buf_steal(struct buf *b);
/* For a text meant for people: buf_check() (an overflow is logged, naming
 * what), then buf_steal(), so what fitted is still sent. Caller frees. */
char *buf_steal_text(struct buf *b, const char *what);
/* The same for a text used in place: buf_check(), then the data as far as
 * it fitted (borrowed; NULL when nothing was appended). */
const char *buf_text(const struct buf *b, const char *what);

#endif
