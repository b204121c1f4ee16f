/*
 * impact: impact statements (see impact.h). The wording is the seed's
 * (doc/compat.md#s6-12) so operators and any scripts reading status_events see the same
 * sentences as before; substitution is literal, so vendor text with braces or
 * percent signs is safe.
 */
#include "impact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "xalloc.h"

/* An impact statement or summary names at most every service: 10,000 names
 * (doc/scale.md) are well under this. */
#define IMPACT_TEXT_CAP (4 * 1024 * 1024)

/* Join names with ", " into b. */
static void put_list(struct buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_puts(b, names[i]);
	}
}

/* Append the vendor detail, trimmed, after a space; nothing when blank. */
static void put_detail(struct buf *b, const char *d)
{
	if (!d)
		return;
	while (isspace((unsigned char)*d))
		d++;
	size_t n = strlen(d);
	while (n && isspace((unsigned char)d[n - 1]))
		n--;
	if (!n)
		return;
	buf_putc(b, ' ');
	buf_append(b, d, n);
}

char *impact_build(const struct impact_input *in)
{
	struct buf b;
	buf_init(&b, IMPACT_TEXT_CAP);
	const char *name = in->name && *in->name ? in->name : "The service";
	if (in->new_status == ST_OPERATIONAL) {
		buf_printf(&b, "%s has recovered and is now operational.", name);
		return buf_steal_text(&b, "impact statement");
	}
	if (in->is_sso_broker) {
		if (in->new_status == ST_MAJOR_OUTAGE || in->new_status == ST_PARTIAL_OUTAGE) {
			buf_puts(
			    &b,
			    "\u26a0\ufe0f The identity provider (SSO) is experiencing an outage. "
			    "SSO authentication is unavailable. Users cannot log into: ");
			if (in->ndownstream)
				put_list(&b, in->downstream, in->ndownstream);
			else
				buf_puts(&b, "no declared dependent services");
			buf_puts(&b, ". Advise users with active sessions to avoid logging out.");
		} else {
			buf_puts(&b,
				 "The identity provider (SSO) is reporting degraded performance. "
				 "SSO authentication for all SaaS applications may be affected. "
				 "Impacted services: ");
			if (in->ndownstream)
				put_list(&b, in->downstream, in->ndownstream);
			else
				buf_puts(&b, "no declared dependent services");
			buf_putc(&b, '.');
		}
		return buf_steal_text(&b, "impact statement");
	}
	switch (in->new_status) {
	case ST_PARTIAL_OUTAGE:
		buf_printf(&b, "%s is experiencing a partial outage.", name);
		break;
	case ST_MAJOR_OUTAGE:
		buf_printf(&b, "\u26a0\ufe0f %s is experiencing a MAJOR OUTAGE.", name);
		break;
	default: /* degraded, and any other status (unknown) */
		buf_printf(&b, "%s is reporting degraded performance.", name);
		break;
	}
	put_detail(&b, in->detail);
	if (in->ndownstream) {
		char last = b.len ? b.data[b.len - 1] : '.';
		if (last != '.' && last != '!' && last != '?')
			buf_putc(&b, '.');
		buf_puts(&b, " This may impact: ");
		put_list(&b, in->downstream, in->ndownstream);
		buf_putc(&b, '.');
	}
	return buf_steal_text(&b, "impact statement");
}

void impact_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int impact_downstreams(sqlite3 *db, const char *service_id, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT s.display_name FROM service_dependencies d"
			   " JOIN services s ON s.id = d.downstream_service_id"
			   " WHERE d.upstream_service_id = ?1 AND s.retired_at IS NULL"
			   " ORDER BY CASE d.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1"
			   " WHEN 'medium' THEN 2 ELSE 3 END, s.display_name");
	if (!st)
		return -1;
	db_bind_text(st, 1, service_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = db_col_dup(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		impact_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

char *impact_for_service(sqlite3 *db, const char *service_id, enum st_status new_status,
			 const char *detail, const char *sso_broker_id)
{
	char *name = NULL;
	sqlite3_stmt *st = db_prepare(db, "SELECT display_name FROM services WHERE id = ?1");
	if (st) {
		db_bind_text(st, 1, service_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			name = db_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	char **names;
	size_t n;
	if (!name || impact_downstreams(db, service_id, &names, &n) < 0) {
		char *s = xasprintf("%s status changed.", name ? name : service_id);
		free(name);
		return s;
	}
	struct impact_input in = {
	    .name = name,
	    .new_status = new_status,
	    .detail = detail,
	    .downstream = (const char *const *)names,
	    .ndownstream = n,
	    .is_sso_broker = sso_broker_id && *sso_broker_id && !strcmp(sso_broker_id, service_id),
	};
	char *s = impact_build(&in);
	impact_names_free(names, n);
	free(name);
	return s;
}

char *impact_summary(size_t total, const char *const *incident_names, size_t nincidents)
{
	if (!nincidents)
		return xasprintf("All %zu monitored services are operational.", total);
	struct buf b;
	buf_init(&b, IMPACT_TEXT_CAP);
	buf_printf(&b, "%zu active incident%s across %zu monitored services. ", nincidents,
		   nincidents == 1 ? "" : "s", total);
	put_list(&b, incident_names, nincidents);
	return buf_steal_text(&b, "impact summary");
}
