/*
 * vocab_ts: print web/src/lib/vocab.ts (the dashboard's copy of
 * common/vocab.def) on stdout. Run by the Makefile before the web build.
 */
#include <stdio.h>

#include "buf.h"
#include "vocab.h"

int main(void)
{
	struct buf b;
	buf_init(&b, 0);
	vocab_ts(&b);
	int rc = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ? 0 : 1;
	buf_free(&b);
	return rc;
}
