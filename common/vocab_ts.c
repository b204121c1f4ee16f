/*
 * vocab_ts: the dashboard's copy of the vocabulary, web/src/lib/vocab.ts,
 * written from vocab.def (vocab.h). Its own file so that the daemons, which
 * never call it, do not link it. mk/vocab_ts.c prints it for the Makefile;
 * t/check_vocab.c fails when the committed file differs from it.
 */
#include "buf.h"
#include "vocab.h"

/* One Record<Status, ...> from a column of VOCAB_STATUSES. */
#define VT_RECORD_(out, name, type, doc, col)                                                      \
	do {                                                                                       \
		buf_printf(out, "\n/** %s */\nexport const %s: Record<Status, %s> = {\n", doc,     \
			   name, type);                                                            \
		VOCAB_STATUSES(col)                                                                \
		buf_puts(out, "};\n");                                                             \
	} while (0)

void vocab_ts(struct buf *out)
{
	buf_puts(
	    out,
	    "// Generated from common/vocab.def by mk/vocab_ts.c (`make` rewrites it): do not\n"
	    "// edit. doc/vocabulary.md says how to change a word.\n");
	for (size_t i = 0; i < vocab_nsets; i++) {
		const struct vocab_set *s = &vocab_sets[i];
		if (!s->ts_array)
			continue;
		buf_printf(out, "\nexport const %s = [", s->ts_array);
		for (size_t j = 0; j < s->n; j++)
			buf_printf(out, "%s'%s'", j ? ", " : "", s->words[j]);
		buf_printf(out, "] as const;\nexport type %s = (typeof %s)[number];\n", s->ts_type,
			   s->ts_array);
	}
#define VT_RANK_(e, v, name, label, emoji, gauge, rank, sort, fold)                                \
	buf_printf(out, "  %s: %d,\n", name, rank);
#define VT_SORT_(e, v, name, label, emoji, gauge, rank, sort, fold)                                \
	buf_printf(out, "  %s: %d,\n", name, sort);
#define VT_LABEL_(e, v, name, label, emoji, gauge, rank, sort, fold)                               \
	buf_printf(out, "  %s: '%s',\n", name, label);
#define VT_EMOJI_(e, v, name, label, emoji, gauge, rank, sort, fold)                               \
	buf_printf(out, "  %s: '%s',\n", name, emoji);
	VT_RECORD_(out, "STATUS_RANK", "number",
		   "Severity rank, unknown lowest (C st_status_rank).", VT_RANK_);
	VT_RECORD_(out, "STATUS_SORT", "number",
		   "Dashboard order: unknown just above operational (doc/compat.md#s10-3).",
		   VT_SORT_);
	VT_RECORD_(out, "STATUS_LABEL", "string", "Human label.", VT_LABEL_);
	VT_RECORD_(out, "STATUS_EMOJI", "string", "Emoji of Slack messages.", VT_EMOJI_);
#undef VT_RANK_
#undef VT_SORT_
#undef VT_LABEL_
#undef VT_EMOJI_
}
