/*
 * vocab: the sets of vocab.def as string tables (see vocab.h). The word
 * arrays are named after the set ids of VOCAB_SETS; a set listed there
 * without its array here does not compile.
 */
#include "polltype.h"
#include "vocab.h"

#include <string.h>

#define VC_WORD_(e, name) name,
#define VC_STATUS_WORD_(e, v, name, label, emoji, gauge, rank, sort, fold) name,
static const char *const w_status[] = {VOCAB_STATUSES(VC_STATUS_WORD_)};
static const char *const w_health[] = {VOCAB_HEALTHS(VC_WORD_)};
static const char *const w_tier[] = {VOCAB_TIERS(VC_WORD_)};
static const char *const w_severity[] = {VOCAB_SEVERITIES(VC_WORD_)};
static const char *const w_category[] = {VOCAB_CATEGORIES(VC_WORD_)};
static const char *const w_poll_type[] = {VOCAB_POLL_TYPES(VC_WORD_)};
static const char *const w_status_source[] = {VOCAB_STATUS_SOURCES(VC_WORD_)};
static const char *const w_event_kind[] = {VOCAB_EVENT_KINDS(VC_WORD_)};
static const char *const w_maint_source[] = {VOCAB_MAINT_SOURCES(VC_WORD_)};
static const char *const w_maint_state[] = {VOCAB_MAINT_STATES(VC_WORD_)};
static const char *const w_inbox_kind[] = {VOCAB_INBOX_KINDS(VC_WORD_)};
static const char *const w_inbox_state[] = {VOCAB_INBOX_STATES(VC_WORD_)};
static const char *const w_daemon[] = {VOCAB_DAEMONS(VC_WORD_)};
static const char *const w_alert_kind[] = {VOCAB_ALERT_KINDS(VC_WORD_)};
static const char *const w_suppression[] = {VOCAB_SUPPRESSIONS(VC_WORD_)};
static const char *const w_destination_kind[] = {VOCAB_DESTINATION_KINDS(VC_WORD_)};
static const char *const w_outbox_state[] = {VOCAB_OUTBOX_STATES(VC_WORD_)};
static const char *const w_daemon_state[] = {VOCAB_DAEMON_STATES(VC_WORD_)};
static const char *const w_metric_type[] = {VOCAB_METRIC_TYPES(VC_WORD_)};
static const char *const w_rollup_bucket[] = {VOCAB_ROLLUP_BUCKETS(VC_WORD_)};
static const char *const w_failure_kind[] = {VOCAB_FAILURE_KINDS(VC_WORD_)};
#undef VC_WORD_
#undef VC_STATUS_WORD_

#define VC_SET_(id, ts_array, ts_type, columns)                                                    \
	{#id, ts_array, ts_type, columns, w_##id, sizeof w_##id / sizeof w_##id[0]},
const struct vocab_set vocab_sets[] = {VOCAB_SETS(VC_SET_)};
#undef VC_SET_
const size_t vocab_nsets = sizeof vocab_sets / sizeof vocab_sets[0];
_Static_assert(sizeof vocab_sets / sizeof vocab_sets[0] == VC_NSETS,
	       "VC_SET() indexes vocab_sets in VOCAB_SETS order");

const struct vocab_set *vocab_set(const char *id)
{
	for (size_t i = 0; id && i < vocab_nsets; i++)
		if (strcmp(vocab_sets[i].id, id) == 0)
			return &vocab_sets[i];
	return NULL;
}

const char *vocab_str(const struct vocab_set *set, int i)
{
	return i >= 0 && (size_t)i < set->n ? set->words[i] : NULL;
}

int vocab_parse(const struct vocab_set *set, const char *word)
{
	for (size_t i = 0; word && i < set->n; i++)
		if (strcmp(set->words[i], word) == 0)
			return (int)i;
	return -1;
}
