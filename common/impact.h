/*
 * impact: the one-sentence impact statement stored with every status event
 * (doc/compat.md#s6-12 wording): what happened to the service, the vendor's
 * own words, and which declared downstream services it may take with it.
 * pollerd builds it when it commits a change (so every consumer reads the
 * same sentence from status_events.impact_statement); alertd reuses the
 * builder for aggregated messages.
 */
#ifndef ITSTATUS_IMPACT_H
#define ITSTATUS_IMPACT_H

#include <sqlite3.h>
#include <stddef.h>

#include "status.h"

struct impact_input {
	const char *name; /* display name (required) */
	enum st_status new_status;
	const char *detail;	       /* vendor detail, may be NULL */
	const char *const *downstream; /* direct downstream display names, in order */
	size_t ndownstream;
	int is_sso_broker; /* the service is SSO_BROKER_SERVICE_ID */
};

/* Build the statement. Never NULL; the caller frees. */
char *impact_build(const struct impact_input *in);

/*
 * Direct downstream display names of service_id (retired services left out),
 * ordered by edge severity critical, high, medium, low, then by name.
 * Returns 0 and sets *names (array and strings owned by the caller: release
 * with impact_names_free) and *n, or -1 on a database error.
 */
int impact_downstreams(sqlite3 *db, const char *service_id, char ***names, size_t *n);
void impact_names_free(char **names, size_t n);

/*
 * The statement for a change of service_id to new_status, names read from the
 * database; sso_broker_id may be NULL. On any failure the fallback sentence
 * "{Name} status changed." (or "{id} status changed."). Caller frees.
 */
char *impact_for_service(sqlite3 *db, const char *service_id, enum st_status new_status,
			 const char *detail, const char *sso_broker_id);

/* The /api/summary sentence: "All {total} monitored services are operational."
 * or "{n} active incident(s) across {total} monitored services. {names}".
 * Caller frees. */
char *impact_summary(size_t total, const char *const *incident_names, size_t nincidents);

#endif
