/*
 * buf_check: the logging half of buf (see buf.h), apart from buf.c so that
 * code linked without the logger (build/mk/poll_types, which links the
 * parsers) can still use buffers; fmt_rss.c reads overflowed itself.
 */
#include "buf.h"
#include "log.h"

int buf_check(const struct buf *b, const char *what)
{
	if (!b->overflowed)
		return 0;
	log_error("%s: longer than its cap of %zu bytes", what, b->limit);
	return -1;
}

char *buf_steal_text(struct buf *b, const char *what)
{
	buf_check(b, what);
	return buf_steal(b);
}

const char *buf_text(const struct buf *b, const char *what)
{
	buf_check(b, what);
	return b->data;
}
