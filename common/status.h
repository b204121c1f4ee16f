/*
 * status: the five-state service status, poller health and service tiers as C
 * enums, with their database spellings. The database stores the spellings
 * (TEXT with CHECK constraints); code converts at the edge with these.
 */
#ifndef ITSTATUS_STATUS_H
#define ITSTATUS_STATUS_H

enum st_status {
	ST_UNKNOWN = -1,
	ST_OPERATIONAL = 0,
	ST_DEGRADED = 1,
	ST_PARTIAL_OUTAGE = 2,
	ST_MAJOR_OUTAGE = 3,
};

enum st_health { ST_HEALTHY = 0, ST_HEALTH_DEGRADED = 1, ST_BROKEN = 2 };

enum st_tier { ST_TIER_CRITICAL = 0, ST_TIER_IMPORTANT = 1, ST_TIER_INFORMATIONAL = 2 };

/* "operational", ... , "unknown". Never NULL. */
const char *st_status_str(enum st_status s);
/* Parse an exact lower-case spelling; returns 0 and sets *out, or -1. */
int st_status_parse(const char *s, enum st_status *out);
/* Severity rank used by flap suppression: unknown -1, operational 0 ... major 3. */
int st_status_rank(enum st_status s);
/* Human label: "Partial Outage". Never NULL. */
const char *st_status_label(enum st_status s);

const char *st_health_str(enum st_health h);
int st_health_parse(const char *s, enum st_health *out);

const char *st_tier_str(enum st_tier t);
int st_tier_parse(const char *s, enum st_tier *out);

#endif
