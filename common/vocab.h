/*
 * vocab: the shared vocabulary's sets as C enums and string tables, all
 * expanded from common/vocab.def (statuses, poller health and tiers have
 * their own API in status.h), except the poll types, which pollerd's format
 * table defines (their enum is in polltype.h). vocab_sets lists every set with the schema
 * columns and TypeScript names it must match: t/check_vocab.c compares the
 * migrated database and web/src/lib/vocab.ts with it.
 */
#ifndef ITSTATUS_VOCAB_H
#define ITSTATUS_VOCAB_H

#include <stddef.h>

#include "status.h"

#define VC_ENUM_(e, name) e,
enum vc_severity { VOCAB_SEVERITIES(VC_ENUM_) };
enum vc_category { VOCAB_CATEGORIES(VC_ENUM_) };
enum vc_status_source { VOCAB_STATUS_SOURCES(VC_ENUM_) };
enum vc_event_kind { VOCAB_EVENT_KINDS(VC_ENUM_) };
enum vc_maint_source { VOCAB_MAINT_SOURCES(VC_ENUM_) };
enum vc_maint_state { VOCAB_MAINT_STATES(VC_ENUM_) };
enum vc_inbox_kind { VOCAB_INBOX_KINDS(VC_ENUM_) };
enum vc_inbox_state { VOCAB_INBOX_STATES(VC_ENUM_) };
enum vc_daemon { VOCAB_DAEMONS(VC_ENUM_) };
enum vc_alert_kind { VOCAB_ALERT_KINDS(VC_ENUM_) };
enum vc_suppression { VOCAB_SUPPRESSIONS(VC_ENUM_) };
enum vc_destination_kind { VOCAB_DESTINATION_KINDS(VC_ENUM_) };
enum vc_outbox_state { VOCAB_OUTBOX_STATES(VC_ENUM_) };
enum vc_daemon_state { VOCAB_DAEMON_STATES(VC_ENUM_) };
enum vc_metric_type { VOCAB_METRIC_TYPES(VC_ENUM_) };
enum vc_rollup_bucket { VOCAB_ROLLUP_BUCKETS(VC_ENUM_) };
enum vc_failure_kind { VOCAB_FAILURE_KINDS(VC_ENUM_) };
#undef VC_ENUM_

/* One set: its words in order, where it appears (see VOCAB_SETS). */
struct vocab_set {
	const char *id;	      /* "outbox_state" */
	const char *ts_array; /* "OUTBOX_STATES"; NULL: not in the dashboard */
	const char *ts_type;  /* "OutboxState"; NULL with ts_array */
	const char *columns;  /* "outbox.state", space separated; `<` = subset */
	const char *const *words;
	size_t n;
};

/* Every set of vocab.def, statuses first. */
extern const struct vocab_set vocab_sets[];
extern const size_t vocab_nsets;

/* Each set's index in vocab_sets, so code names a set at compile time:
 * VC_SET(suppression) is the set, vocab_str(VC_SET(suppression), d->why) a
 * word at the edge (database, JSON, logs), with no lookup by a string id. */
#define VC_SETID_(id, ts_array, ts_type, columns) VC_SET_##id,
enum vc_set_id { VOCAB_SETS(VC_SETID_) VC_NSETS };
#undef VC_SETID_
#define VC_SET(id) (&vocab_sets[VC_SET_##id])

/* The set called id, or NULL. */
const struct vocab_set *vocab_set(const char *id);
/* Word i of set (NULL when out of range). */
const char *vocab_str(const struct vocab_set *set, int i);
/* Index of word in set, or -1 (word may be NULL). */
int vocab_parse(const struct vocab_set *set, const char *word);

/* Append the text of web/src/lib/vocab.ts to out (mk/vocab_ts.c, t/check_vocab.c). */
struct buf;
void vocab_ts(struct buf *out);

#endif
