/*
 * status: enum <-> text for status, poller health and tier (see status.h).
 * The tables are expanded from common/vocab.def; nothing here spells a word.
 */
#include "status.h"

#include <string.h>

struct st_row {
	enum st_status st;
	const char *name, *label, *emoji;
	double gauge;
	int rank, fold;
};

#define ST_ROW_(e, v, name, label, emoji, gauge, rank, sort, fold)                                 \
	{e, name, label, emoji, gauge, rank, fold},
static const struct st_row st_rows[] = {VOCAB_STATUSES(ST_ROW_)};
#undef ST_ROW_
#define ST_NROWS (sizeof st_rows / sizeof st_rows[0])

/* The row of s; an out-of-range value is read as unknown. */
static const struct st_row *row_of(enum st_status s)
{
	const struct st_row *unknown = NULL;
	for (size_t i = 0; i < ST_NROWS; i++) {
		if (st_rows[i].st == s)
			return &st_rows[i];
		if (st_rows[i].st == ST_UNKNOWN)
			unknown = &st_rows[i];
	}
	return unknown;
}

const char *st_status_str(enum st_status s)
{
	return row_of(s)->name;
}

const char *st_status_label(enum st_status s)
{
	return row_of(s)->label;
}

const char *st_status_emoji(enum st_status s)
{
	return row_of(s)->emoji;
}

int st_status_parse(const char *s, enum st_status *out)
{
	for (size_t i = 0; s && i < ST_NROWS; i++) {
		if (strcmp(s, st_rows[i].name) == 0) {
			*out = st_rows[i].st;
			return 0;
		}
	}
	return -1;
}

int st_status_rank(enum st_status s)
{
	return row_of(s)->rank;
}

int st_status_fold_rank(enum st_status s)
{
	return row_of(s)->fold;
}

double st_status_gauge(enum st_status s)
{
	return row_of(s)->gauge;
}

#define ST_NAME_(e, name) name,
static const char *const health_names[] = {VOCAB_HEALTHS(ST_NAME_)};
static const char *const tier_names[] = {VOCAB_TIERS(ST_NAME_)};
#undef ST_NAME_
#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

const char *st_health_str(enum st_health h)
{
	if ((int)h >= 0 && (int)h < NELEM(health_names))
		return health_names[h];
	return health_names[ST_HEALTHY];
}

int st_health_parse(const char *s, enum st_health *out)
{
	for (int i = 0; s && i < NELEM(health_names); i++) {
		if (strcmp(s, health_names[i]) == 0) {
			*out = (enum st_health)i;
			return 0;
		}
	}
	return -1;
}

const char *st_tier_str(enum st_tier t)
{
	if ((int)t >= 0 && (int)t < NELEM(tier_names))
		return tier_names[t];
	return tier_names[ST_TIER_IMPORTANT];
}

int st_tier_parse(const char *s, enum st_tier *out)
{
	for (int i = 0; s && i < NELEM(tier_names); i++) {
		if (strcmp(s, tier_names[i]) == 0) {
			*out = (enum st_tier)i;
			return 0;
		}
	}
	return -1;
}
