/*
 * report: the incident report written when a service recovers
 * (doc/compat.md#s6-13), and the optional postmortem draft (POSTMORTEMS_ENABLED).
 *
 * Fixed from the seed (doc/compat.md#bug-16):
 *  - the walk back from the recovery stops at the service's last operational
 *    event: the incident is exactly the episode the recovery ends, so an
 *    incident that began from unknown no longer collects older, unrelated
 *    events. A baseline event inside the episode (first reading already bad)
 *    is its start: the report then begins when monitoring began.
 *  - resolved_at is the recovery event's time, not the processing time, so a
 *    report built from a backlog (or rebuilt after a crash) is the same.
 *  - no "still operational now?" check: events are processed in order, and a
 *    later relapse does not make the earlier incident any less real.
 *  - manual flips: a manual service (poll_type manual) has no other source of
 *    truth, so its flips are incidents and get reports. On a polled service,
 *    an episode made only of manual events is an operator override or
 *    correction (the poller never saw an outage), so it gets no report.
 * Dependents folded into this service's alerts during the episode (decisions
 * 'aggregated_under_upstream' naming it, in one pass or across passes) are
 * listed in correlated_dependents and named in the summary.
 * Reports are written inside the pass's transaction, so each recovery gets
 * exactly one. The postmortem file is written before that transaction
 * commits; its name depends only on the incident, and an existing file is
 * kept, so a crash and replay neither loses nor duplicates it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alertd.h"
#include "buf.h"
#include "db.h"
#include "impact.h"
#include "log.h"
#include "xalloc.h"

/* A report's texts (summary, folded names, the postmortem draft) list at
 * most an episode's events and every service: far below these. */
#define REPORT_TEXT_CAP (4 * 1024 * 1024)
#define POSTMORTEM_CAP (16 * 1024 * 1024)

/* ---- SHA-1, only for the seed's postmortem file names ------------------------ */

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

/* Hex SHA-1 of s into out (41 bytes). */
static void sha1_hex(const char *s, char out[41])
{
	uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
	size_t n = strlen(s), i = 0;
	unsigned char blk[64];
	for (; i + 64 <= n; i += 64)
		sha1_block(h, (const unsigned char *)s + i);
	size_t r = n - i;
	memset(blk, 0, sizeof blk);
	memcpy(blk, s + i, r);
	blk[r] = 0x80;
	if (r >= 56) {
		sha1_block(h, blk);
		memset(blk, 0, sizeof blk);
	}
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		blk[63 - k] = (unsigned char)(bits >> (8 * k));
	sha1_block(h, blk);
	for (int k = 0; k < 5; k++)
		snprintf(out + 8 * k, 9, "%08x", h[k]);
}

/* ---- the report --------------------------------------------------------------- */

struct rep_event {
	int64_t id;
	enum st_status prev, next;
	char *title, *detail, *impact, *source, *incident, *at;
	int baseline;
};

struct report {
	const struct ad_event *e;
	struct rep_event *ev;
	size_t nev;
	char **affected;
	size_t naffected;
	cJSON *folded; /* [{service_id, name, status, event_id}] */
	char started_at[TS_ISO_LEN + 1];
	int64_t duration_s;
	enum st_status peak;
	char *summary;
};

static void report_release(struct report *r)
{
	for (size_t i = 0; i < r->nev; i++) {
		struct rep_event *x = &r->ev[i];
		free(x->title);
		free(x->detail);
		free(x->impact);
		free(x->source);
		free(x->incident);
		free(x->at);
	}
	free(r->ev);
	impact_names_free(r->affected, r->naffected);
	cJSON_Delete(r->folded);
	free(r->summary);
	memset(r, 0, sizeof *r);
}

static enum st_status parse_st(const unsigned char *t)
{
	enum st_status s = ST_UNKNOWN;
	if (t)
		st_status_parse((const char *)t, &s);
	return s;
}

static int load_episode(sqlite3 *db, struct report *r)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT id, previous_status, new_status, vendor_title, vendor_detail,"
		" impact_statement, source, vendor_incident_id, created_at, is_baseline"
		" FROM status_events WHERE service_id = ?1 AND kind = 'status' AND id <= ?2"
		" AND id > (SELECT COALESCE(MAX(id), 0) FROM status_events WHERE service_id = ?1"
		" AND kind = 'status' AND id < ?2 AND new_status = 'operational') ORDER BY id");
	if (!st)
		return -1;
	db_bind_text(st, 1, r->e->service_id);
	sqlite3_bind_int64(st, 2, r->e->id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->ev = xreallocarray(r->ev, r->nev + 1, sizeof *r->ev);
		struct rep_event *x = &r->ev[r->nev++];
		x->id = sqlite3_column_int64(st, 0);
		x->prev = parse_st(sqlite3_column_text(st, 1));
		x->next = parse_st(sqlite3_column_text(st, 2));
		x->title = db_col_dup(st, 3);
		x->detail = db_col_dup(st, 4);
		x->impact = db_col_dup(st, 5);
		x->source = db_col_dup(st, 6);
		x->incident = db_col_dup(st, 7);
		x->at = db_col_dup(st, 8);
		x->baseline = sqlite3_column_int(st, 9);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* the same list, in the same order, as the impact statements name */
	return impact_downstreams(db, r->e->service_id, &r->affected, &r->naffected);
}

cJSON *report_folded(sqlite3 *db, const char *service, int64_t first_id, int64_t until_id)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT a.service_id, s.display_name, a.new_status, a.status_event_id"
		" FROM alert_sent_log a JOIN services s ON s.id = a.service_id"
		" WHERE a.aggregated_under = ?1 AND a.suppressed_by = 'aggregated_under_upstream'"
		" AND a.status_event_id >= ?2 AND a.status_event_id < ?3"
		" AND a.id = (SELECT MIN(b.id) FROM alert_sent_log b"
		" WHERE b.service_id = a.service_id AND b.aggregated_under = ?1"
		" AND b.suppressed_by = 'aggregated_under_upstream'"
		" AND b.status_event_id >= ?2 AND b.status_event_id < ?3) ORDER BY a.id");
	if (!st)
		return NULL;
	db_bind_text(st, 1, service);
	sqlite3_bind_int64(st, 2, first_id);
	sqlite3_bind_int64(st, 3, until_id);
	cJSON *v = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "service_id", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddNumberToObject(o, "event_id", (double)sqlite3_column_int64(st, 3));
		cJSON_AddItemToArray(v, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

char *report_folded_names(const cJSON *folded, int max)
{
	int n = cJSON_GetArraySize(folded);
	if (n <= 0)
		return NULL;
	struct buf b;
	buf_init(&b, REPORT_TEXT_CAP);
	for (int i = 0; i < n && i < max; i++)
		buf_printf(&b, "%s%s", i ? ", " : "",
			   cJSON_GetObjectItem(cJSON_GetArrayItem(folded, i), "name")->valuestring);
	if (n > max)
		buf_printf(&b, " (+%d more)", n - max);
	return buf_steal_text(&b, "folded dependents' names");
}

/* The episode's events as the JSON array stored in events_json. Caller frees. */
static char *events_json(const struct report *r)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < r->nev; i++) {
		const struct rep_event *x = &r->ev[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)x->id);
		cJSON_AddStringToObject(o, "service_id", r->e->service_id);
		cJSON_AddStringToObject(o, "previous_status", st_status_str(x->prev));
		cJSON_AddStringToObject(o, "new_status", st_status_str(x->next));
#define S_OR_NULL(k, v)                                                                            \
	((v) ? (void)cJSON_AddStringToObject(o, k, v) : (void)cJSON_AddNullToObject(o, k))
		S_OR_NULL("vendor_title", x->title);
		S_OR_NULL("vendor_detail", x->detail);
		S_OR_NULL("impact_statement", x->impact);
		S_OR_NULL("source", x->source);
		S_OR_NULL("vendor_incident_id", x->incident);
		S_OR_NULL("created_at", x->at);
#undef S_OR_NULL
		cJSON_AddBoolToObject(o, "is_baseline", x->baseline);
		cJSON_AddItemToArray(a, o);
	}
	char *s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

/* affected_downstream as a JSON array of names. Caller frees. */
static char *affected_json(const struct report *r)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < r->naffected; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->affected[i]));
	char *s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

/* "major outage" from "major_outage". Caller frees. */
static char *spaced(enum st_status s)
{
	char *t = xstrdup(st_status_str(s));
	for (char *p = t; *p; p++)
		if (*p == '_')
			*p = ' ';
	return t;
}

/* ---- postmortem draft ----------------------------------------------------------- */

static void yaml_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* The whole draft: front matter and the eight sections. Caller frees. */
static char *postmortem_text(const struct report *r, const char *duration)
{
	const struct ad_event *e = r->e;
	struct buf b;
	buf_init(&b, POSTMORTEM_CAP);
	buf_puts(&b, "---\nservice: ");
	yaml_str(&b, e->service_id);
	buf_puts(&b, "\nservice_name: ");
	yaml_str(&b, e->name);
	buf_puts(&b, "\nstarted_at: ");
	yaml_str(&b, r->started_at);
	buf_puts(&b, "\nresolved_at: ");
	yaml_str(&b, e->created_at);
	buf_puts(&b, "\nduration: ");
	yaml_str(&b, duration);
	buf_puts(&b, "\npeak_severity: ");
	yaml_str(&b, st_status_str(r->peak));
	buf_puts(&b, "\naffected_downstream:");
	if (!r->naffected)
		buf_puts(&b, " []");
	for (size_t i = 0; i < r->naffected; i++) {
		buf_puts(&b, "\n  - ");
		yaml_str(&b, r->affected[i]);
	}
	buf_printf(&b, "\nevent_count: %zu\nstatus: draft\n---\n\n", r->nev);
	buf_printf(&b, "# Postmortem: %s\n\n## Summary\n\n%s\n\n## Impact\n\n", e->name,
		   r->summary);
	buf_printf(&b, "- **Peak severity:** %s\n- **Duration:** %s\n- **Event count:** %zu\n",
		   st_status_str(r->peak), duration, r->nev);
	if (r->naffected) {
		buf_puts(&b, "- **Affected downstream services:**\n");
		for (size_t i = 0; i < r->naffected; i++)
			buf_printf(&b, "  - %s\n", r->affected[i]);
	} else {
		buf_puts(&b, "- **Affected downstream services:** None\n");
	}
	buf_puts(&b, "\n## Root Cause\n\n_TODO: Describe the root cause._\n\n## Timeline\n\n");
	for (size_t i = 0; i < r->nev; i++) {
		const struct rep_event *x = &r->ev[i];
		const char *label = x->title ? x->title : x->detail ? x->detail : x->impact;
		char hms[9] = "??:??:??";
		if (x->at && strlen(x->at) >= 19 && x->at[13] == ':')
			snprintf(hms, sizeof hms, "%.8s", x->at + 11);
		buf_printf(&b, "- %s UTC \xe2\x80\x94 %s \xe2\x86\x92 %s%s%s\n", hms,
			   st_status_str(x->prev), st_status_str(x->next), label ? ": " : "",
			   label ? label : "");
	}
	if (!r->nev)
		buf_puts(&b, "_No events recorded._\n");
	buf_puts(&b,
		 "\n## What Went Well\n\n_TODO: What held up during this incident?_\n"
		 "\n## What Went Poorly\n\n_TODO: Where did the response fall short?_\n"
		 "\n## What Got Lucky\n\n_TODO: What could have been worse but wasn't?_\n"
		 "\n## Action Items\n"
		 "\n### Prevent\n\n_TODO: How do we stop this class of incident from recurring?_\n"
		 "\n### Mitigate\n\n_TODO: How do we reduce impact next time?_\n"
		 "\n### Detect\n\n_TODO: How do we see it sooner?_\n"
		 "\n### Repair\n\n_TODO: What follow-up repairs or backfills are needed?_\n");
	return buf_steal_text(&b, "postmortem draft");
}

static int mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	int rc = mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
	free(p);
	return rc;
}

/* Write the draft atomically (tmp, fsync, rename); an existing file wins.
 * Failures are logged, never fatal: the report row is what matters. */
static void write_postmortem(const struct alertd *a, const struct report *r, const char *duration)
{
	const char *dir = a->conf.cfg.postmortems_dir;
	if (!dir || mkdirs(dir) < 0) {
		log_error("postmortem: cannot create directory %s", dir ? dir : "(unset)");
		return;
	}
	char compact[17];
	/* 2026-11-23T20:31:05.123Z -> 20261123T203105Z */
	snprintf(compact, sizeof compact, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", r->started_at,
		 r->started_at + 5, r->started_at + 8, r->started_at + 11, r->started_at + 14,
		 r->started_at + 17);
	char *key = xasprintf("%s|%s", r->started_at, r->e->created_at), hex[41];
	sha1_hex(key, hex);
	free(key);
	char *sid = xstrdup(r->e->service_id);
	for (char *p = sid; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    *p))
			*p = '_';
	char *path = xasprintf("%s/%s-%s-%.6s.md", dir, sid, compact, hex);
	char *tmp = xasprintf("%s.tmp", path);
	free(sid);
	struct stat sb;
	if (stat(path, &sb) == 0)
		goto out;
	char *text = postmortem_text(r, duration);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text), off = 0;
	int ok = fd >= 0;
	while (ok && off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	ok = ok && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (ok && rename(tmp, path) == 0) {
		log_info("postmortem draft written: %s", path);
	} else {
		log_error("postmortem draft %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(text);
out:
	free(path);
	free(tmp);
}

int report_on_recovery(struct alertd *a, const struct ad_event *e)
{
	struct report r;
	memset(&r, 0, sizeof r);
	r.e = e;
	if (load_episode(a->db, &r) < 0) {
		report_release(&r);
		return -1;
	}
	int manual_only = 1;
	for (size_t i = 0; i < r.nev; i++)
		if (!r.ev[i].source || strcmp(r.ev[i].source, "manual"))
			manual_only = 0;
	int64_t start_ms = 0;
	if (r.nev < 2 || !r.ev[0].at || ts_parse(r.ev[0].at, &start_ms) < 0 ||
	    (manual_only && e->poll_type && strcmp(e->poll_type, "manual"))) {
		report_release(&r);
		return 0;
	}
	ts_format(start_ms, r.started_at);
	r.duration_s = (e->created_ms - start_ms) / 1000;
	if (r.duration_s < 60) {
		report_release(&r);
		return 0;
	}
	r.peak = ST_UNKNOWN;
	for (size_t i = 0; i + 1 < r.nev; i++)
		if (st_status_rank(r.ev[i].next) > st_status_rank(r.peak))
			r.peak = r.ev[i].next;
	char dur[32];
	ts_duration_human(r.duration_s, dur, sizeof dur);
	char *peak = spaced(r.peak);
	struct buf b;
	buf_init(&b, REPORT_TEXT_CAP);
	buf_printf(&b, "%s experienced %s for %s.", e->name, peak, dur);
	free(peak);
	if (r.naffected) {
		buf_puts(&b, " Potentially affected: ");
		for (size_t i = 0; i < r.naffected && i < 5; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", r.affected[i]);
		buf_putc(&b, '.');
		if (r.naffected > 5)
			buf_printf(&b, " (+%zu more)", r.naffected - 5);
	}
	r.folded = report_folded(a->db, e->service_id, r.ev[0].id, e->id);
	if (!r.folded) {
		buf_release(&b);
		report_release(&r);
		return -1;
	}
	char *names = report_folded_names(r.folded, 5);
	if (names)
		buf_printf(&b, " Dependents folded into its alert: %s.", names);
	free(names);
	r.summary = buf_steal_text(&b, "incident report summary");

	char *ej = events_json(&r), *aj = affected_json(&r);
	char now[TS_ISO_LEN + 1];
	sqlite3_stmt *st = db_prepare(
	    a->db,
	    "INSERT INTO incident_reports (service_id, started_at, resolved_at, duration_seconds,"
	    " peak_severity, affected_downstream, event_count, events_json, impact_summary,"
	    " first_event_id, last_event_id, created_at, correlated_dependents)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	char *fj = cJSON_PrintUnformatted(r.folded);
	int rc = -1;
	if (st) {
		db_bind_text(st, 1, e->service_id);
		db_bind_text(st, 2, r.started_at);
		db_bind_text(st, 3, e->created_at);
		sqlite3_bind_int64(st, 4, r.duration_s);
		db_bind_text(st, 5, st_status_str(r.peak));
		db_bind_text(st, 6, aj);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)r.nev);
		db_bind_text(st, 8, ej);
		db_bind_text(st, 9, r.summary);
		sqlite3_bind_int64(st, 10, r.ev[0].id);
		sqlite3_bind_int64(st, 11, e->id);
		db_bind_text(st, 12, ts_now_iso(now));
		db_bind_text(st, 13, fj);
		rc = db_step_done(st);
		sqlite3_finalize(st);
	}
	free(ej);
	free(aj);
	free(fj);
	if (rc == 0 && a->conf.cfg.postmortems_enabled)
		write_postmortem(a, &r, dur);
	report_release(&r);
	return rc;
}
