/*
 * status: enum <-> text for status, poller health and tier (see status.h).
 */
#include "status.h"

#include <string.h>

static const char *const status_names[] = {"operational", "degraded", "partial_outage",
					   "major_outage"};
static const char *const status_labels[] = {"Operational", "Degraded", "Partial Outage",
					    "Major Outage"};

const char *st_status_str(enum st_status s)
{
	if (s >= ST_OPERATIONAL && s <= ST_MAJOR_OUTAGE)
		return status_names[s];
	return "unknown";
}

const char *st_status_label(enum st_status s)
{
	if (s >= ST_OPERATIONAL && s <= ST_MAJOR_OUTAGE)
		return status_labels[s];
	return "Unknown";
}

int st_status_parse(const char *s, enum st_status *out)
{
	if (!s)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum st_status)i;
			return 0;
		}
	}
	if (strcmp(s, "unknown") == 0) {
		*out = ST_UNKNOWN;
		return 0;
	}
	return -1;
}

int st_status_rank(enum st_status s)
{
	return (int)s;
}

static const char *const health_names[] = {"healthy", "degraded", "broken"};

const char *st_health_str(enum st_health h)
{
	if (h >= ST_HEALTHY && h <= ST_BROKEN)
		return health_names[h];
	return "healthy";
}

int st_health_parse(const char *s, enum st_health *out)
{
	for (int i = 0; s && i < 3; i++) {
		if (strcmp(s, health_names[i]) == 0) {
			*out = (enum st_health)i;
			return 0;
		}
	}
	return -1;
}

static const char *const tier_names[] = {"critical", "important", "informational"};

const char *st_tier_str(enum st_tier t)
{
	if (t >= ST_TIER_CRITICAL && t <= ST_TIER_INFORMATIONAL)
		return tier_names[t];
	return "important";
}

int st_tier_parse(const char *s, enum st_tier *out)
{
	for (int i = 0; s && i < 3; i++) {
		if (strcmp(s, tier_names[i]) == 0) {
			*out = (enum st_tier)i;
			return 0;
		}
	}
	return -1;
}
