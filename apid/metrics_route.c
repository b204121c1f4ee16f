/*
 * metrics_route: GET /metrics, Prometheus text format 0.0.4 for all three
 * daemons. Each daemon flushes its series into the metrics table; apid adds
 * its own (http_requests_total, http_request_duration_seconds, sse_clients)
 * by flushing just before it renders; scheduler_last_heartbeat_seconds is
 * computed from the heartbeats table. Every sample gets a daemon="..." label,
 * so the same metric from two daemons stays two series, and the samples of
 * one family are grouped under a single HELP/TYPE pair, as the format (and
 * `promtool check metrics`) requires. Rows a sqlite3 user may have mangled
 * (bad names, bad label text, a type that disagrees with the family's) are
 * skipped rather than breaking the whole scrape.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

void metrics_observe(const char *route, int code, double secs, int histogram)
{
	char c[16];
	snprintf(c, sizeof c, "%d", code);
	met_add(MET_HTTP_REQUESTS_TOTAL, 1, route, c);
	if (histogram)
		met_observe(MET_HTTP_REQUEST_DURATION_SECONDS, secs, route);
}

struct row {
	char *daemon, *name, *labels, *type, *help;
	char *family; /* name without _bucket/_sum/_count for histograms */
	char *series; /* labels without le, for grouping */
	int suffix;   /* 0 bucket, 1 sum, 2 count, 3 plain */
	double le;
	double value;
};

static int valid_name(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != ':')
			return 0;
	return 1;
}

/* '' or {k="v",...} with balanced quotes and no raw newline. */
static int valid_labels(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return 1;
	if (s[0] != '{' || s[n - 1] != '}' || strchr(s, '\n'))
		return 0;
	int quote = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] == '\\' && quote)
			i++;
		else if (s[i] == '"')
			quote = !quote;
	}
	return !quote;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && !strcmp(s + a - b, suf);
}

/* The whole exposition: 10,000 services' series are a few MB
 * (doc/scale.md); past this, the scrape fails rather than lie by omission. */
#define METRICS_TEXT_CAP (64 * 1024 * 1024)

/* Split le="x" out of labels: *series gets the rest (caller frees). */
static void split_le(const char *labels, char **series, double *le)
{
	*le = INFINITY;
	const char *p = strstr(labels, "le=\"");
	if (!p || (p != labels + 1 && p[-1] != ',')) {
		*series = xstrdup(labels);
		return;
	}
	const char *v = p + 4, *q = strchr(v, '"');
	if (!q) {
		*series = xstrdup(labels);
		return;
	}
	if (strncmp(v, "+Inf", 4))
		*le = strtod(v, NULL);
	const char *after = q + 1;
	if (*after == ',')
		after++;
	*series = xasprintf("%.*s%s", (int)(p - labels), labels, after);
	size_t n = strlen(*series);
	if (n >= 2 && (*series)[n - 2] == ',') { /* le was last: drop the comma */
		(*series)[n - 2] = '}';
		(*series)[n - 1] = '\0';
	}
	if (!strcmp(*series, "{}"))
		(*series)[0] = '\0';
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = strcmp(a->family, b->family);
	if (!c)
		c = strcmp(a->daemon, b->daemon);
	if (!c)
		c = strcmp(a->series, b->series);
	if (!c)
		c = a->suffix - b->suffix;
	if (!c && a->le != b->le)
		c = a->le < b->le ? -1 : 1;
	return c;
}

static void put_help(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
}

static void put_value(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_printf(b, "%.17g", v);
}

static void free_rows(struct row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].daemon);
		free(v[i].name);
		free(v[i].labels);
		free(v[i].type);
		free(v[i].help);
		free(v[i].family);
		free(v[i].series);
	}
	free(v);
}

char *metrics_render(sqlite3 *db)
{
	/*
	 * The seed's scheduler_last_heartbeat_seconds (doc/drift.md#heartbeat), one series per
	 * daemon: derived from the heartbeats table at scrape time, so the age
	 * keeps growing while a daemon is hung or dead -- a gauge the daemon
	 * flushed itself would freeze at its last value exactly then.
	 */
	const struct met_def *hb = &met_defs[MET_SCHEDULER_LAST_HEARTBEAT_SECONDS];
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT daemon, name, labels, type, help, value FROM metrics"
			   " UNION ALL SELECT daemon, ?1, '', ?2, ?3,"
			   " max(0, round((julianday('now') - julianday(beat_at)) * 86400.0, 3))"
			   " FROM heartbeats WHERE julianday(beat_at) IS NOT NULL");
	if (!st)
		return NULL;
	db_bind_text(st, 1, hb->name);
	db_bind_text(st, 2, vocab_str(vocab_set("metric_type"), (int)hb->type));
	db_bind_text(st, 3, hb->help);
	struct row *v = NULL;
	size_t n = 0, cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct row r = {0};
		r.daemon = db_col_dup(st, 0);
		r.name = db_col_dup(st, 1);
		r.labels = db_col_dup(st, 2);
		r.type = db_col_dup(st, 3);
		r.help = db_col_dup(st, 4);
		r.value = sqlite3_column_double(st, 5);
		if (!r.labels)
			r.labels = xstrdup("");
		if (!r.help)
			r.help = xstrdup("");
		if (!r.daemon || !r.name || !r.type || !valid_name(r.name) ||
		    !valid_labels(r.labels)) {
			free(r.daemon);
			free(r.name);
			free(r.labels);
			free(r.type);
			free(r.help);
			continue;
		}
		r.suffix = 3;
		if (!strcmp(r.type, "histogram")) {
			static const char *const sfx[] = {"_bucket", "_sum", "_count"};
			for (int k = 0; k < 3 && r.suffix == 3; k++)
				if (ends_with(r.name, sfx[k])) {
					r.suffix = k;
					r.family =
					    xstrndup(r.name, strlen(r.name) - strlen(sfx[k]));
				}
		}
		if (!r.family)
			r.family = xstrdup(r.name);
		if (r.suffix == 0)
			split_le(r.labels, &r.series, &r.le);
		else
			r.series = xstrdup(r.labels);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = r;
	}
	sqlite3_finalize(st);
	if (n)
		qsort(v, n, sizeof *v, cmp_row);
	struct buf b;
	buf_init(&b, METRICS_TEXT_CAP);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(v[j].family, v[i].family))
			j++;
		/* The family's type is the first row's; HELP the first non-empty one. */
		const char *type = v[i].type, *help = "";
		for (size_t k = i; k < j && !*help; k++)
			if (!strcmp(v[k].type, type))
				help = v[k].help;
		buf_printf(&b, "# HELP %s ", v[i].family);
		if (*help)
			put_help(&b, help);
		else /* promtool warns about a family without help text */
			buf_printf(&b, "%s reported by itstatus", v[i].family);
		buf_printf(&b, "\n# TYPE %s %s\n", v[i].family, type);
		for (size_t k = i; k < j; k++) {
			if (strcmp(v[k].type, type)) {
				log_warn(
				    "metrics: %s from %s is a %s but the family is a %s; skipped",
				    v[k].name, v[k].daemon, v[k].type, type);
				continue;
			}
			if (!strcmp(type, "histogram") && v[k].suffix == 3)
				continue; /* a histogram row without its suffix */
			buf_puts(&b, v[k].name);
			if (*v[k].labels)
				buf_printf(&b, "{daemon=\"%s\",%s ", v[k].daemon, v[k].labels + 1);
			else
				buf_printf(&b, "{daemon=\"%s\"} ", v[k].daemon);
			put_value(&b, v[k].value);
			buf_putc(&b, '\n');
		}
		i = j;
	}
	free_rows(v, n);
	if (buf_check(&b, "/metrics exposition") < 0) { /* a cut exposition would lie */
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b);
}

void h_metrics(struct req *r)
{
	sqlite3 *db = req_db(r);
	if (!db) {
		http_db_error(r);
		return;
	}
	/* apid's own series are in memory; write them so this scrape sees them. */
	met_flush(db, "apid");
	char *text = metrics_render(db);
	if (!text) {
		http_db_error(r);
		return;
	}
	http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, text, strlen(text));
	free(text);
}
