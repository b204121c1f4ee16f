/*
 * vocab_ts: print web/src/lib/vocab.ts (the dashboard's copy of
 * common/vocab.def) on stdout. Run by the Makefile before the web build.
 */
#include <stdio.h>

#include "buf.h"
#include "vocab.h"

/* vocab.ts is a few kilobytes. */
#define VOCAB_TS_CAP (1024 * 1024)

int main(void)
{
	struct buf b;
	buf_init(&b, VOCAB_TS_CAP);
	vocab_ts(&b);
	if (b.overflowed) { /* a cut vocab.ts would break the dashboard's build */
		fprintf(stderr, "vocab_ts: output longer than VOCAB_TS_CAP\n");
		buf_release(&b);
		return 1;
	}
	int rc = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ? 0 : 1;
	buf_release(&b);
	return rc;
}
