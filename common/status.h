/*
 * status: the five-state service status, poller health and service tiers as C
 * enums, with their database spellings, labels, emoji and orders. The enums
 * and tables are expanded from common/vocab.def, the one definition of the
 * vocabulary; the database stores the spellings (TEXT with CHECK
 * constraints) and code converts at the edge with these.
 */
#ifndef ITSTATUS_STATUS_H
#define ITSTATUS_STATUS_H

#include "vocab.def"

#define ST_ENUM_VALUE_(e, v, name, label, emoji, gauge, rank, sort, fold) e = v,
enum st_status { VOCAB_STATUSES(ST_ENUM_VALUE_) };
#undef ST_ENUM_VALUE_

#define ST_ENUM_(e, name) e,
enum st_health { VOCAB_HEALTHS(ST_ENUM_) };
enum st_tier { VOCAB_TIERS(ST_ENUM_) };
#undef ST_ENUM_

/* "operational", ... , "unknown". Never NULL. */
const char *st_status_str(enum st_status s);
/* Parse an exact lower-case spelling; returns 0 and sets *out, or -1. */
int st_status_parse(const char *s, enum st_status *out);
/*
 * Severity rank, unknown lowest: unknown 0, operational 1 ... major 4 (an
 * array index). Used by flap suppression, batches, reports and the API.
 */
int st_status_rank(enum st_status s);
/* Rank for folding several readings of one service: unknown above all. */
int st_status_fold_rank(enum st_status s);
/* The service_status gauge value: 0 operational ... 3 major, 4 unknown. */
double st_status_gauge(enum st_status s);
/* Human label: "Partial Outage". Never NULL. */
const char *st_status_label(enum st_status s);
/* The status emoji of Slack messages (UTF-8). Never NULL. */
const char *st_status_emoji(enum st_status s);

const char *st_health_str(enum st_health h);
int st_health_parse(const char *s, enum st_health *out);

const char *st_tier_str(enum st_tier t);
int st_tier_parse(const char *s, enum st_tier *out);

#endif
