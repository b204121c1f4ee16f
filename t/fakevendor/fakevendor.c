/*
 * fakevendor: a loopback stand-in for vendor status pages, used by every
 * integration test, benchmark and demo that polls. It serves payloads from an
 * in-memory path table (loaded from --root/--map, or set at run time through
 * /_control/), honours ETag / Last-Modified like a CDN, and injects the
 * failures a poller must survive: error statuses with Retry-After, slow
 * answers, dripped bodies, truncated transfers, oversized bodies, HTML error
 * pages and connection resets. It can hold 10,000+ paths (hash table, shared
 * payloads) and serves concurrently (civetweb workers, one table mutex).
 *
 * The control API is documented in the usage text below and in the report to
 * test writers; it is JSON over HTTP under /_control/.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "fakeweb.h"
#include "log.h"
#include "xalloc.h"

#define CONTROL_PREFIX "/_control/"
#define CONTROL_BODY_LIMIT ((size_t)64 << 20) /* inline payloads can be large */
#define FILE_LIMIT ((size_t)256 << 20)
/* civetweb serves one connection per thread: keep >= the client concurrency. */
#define DEFAULT_THREADS 64
#define MAX_GENERATE 1000000L

/*
 * A payload is immutable once published and shared: 10,000 generated paths
 * point at one. Requests take a reference under the table lock and drop it
 * after sending, so replacing a payload never frees one being sent.
 */
struct payload {
	atomic_int refs;
	char *body;
	size_t len;
	char *ctype;
	int status;
	time_t mtime;
	char etag[64];
	char lastmod[40];
};

enum fault_kind { F_NONE, F_STATUS, F_DELAY, F_DRIP, F_TRUNCATE, F_OVERSIZE, F_HTML, F_RESET };
static const char *const fault_names[] = {"none",     "status",	  "delay", "drip",
					  "truncate", "oversize", "html",  "reset"};

struct fault {
	enum fault_kind kind;
	int code;	      /* status, html */
	char retry_after[64]; /* status: Retry-After value, "" = none */
	long ms;	      /* delay */
	long bps;	      /* drip: body bytes per second */
	long mb;	      /* oversize: MiB */
	long keep;	      /* truncate: body bytes sent before closing; -1 = half */
	long count;	      /* requests left before it clears itself; -1 = until cleared */
};

struct entry {
	struct entry *next;
	char *path;
	uint64_t hash;
	struct payload *pl; /* NULL: only a fault or stats live here */
	struct fault fault;
	unsigned long long requests, not_modified, bytes;
};

/* Startup payloads (--root/--map), restored by POST /_control/reset. */
struct seed {
	char *path;
	struct payload *pl;
};

struct vendor {
	pthread_mutex_t mu; /* guards everything below */
	struct entry **buckets;
	size_t nbuckets, n;
	struct fault any_fault; /* path "*": applies where a path has none */
	unsigned long long requests, not_modified, not_found, bytes;
	struct seed *seeds;
	size_t nseeds;
	struct payload *filler; /* body for drip/truncate on a path with no payload */
	int port;
};

static atomic_ullong payload_version;

/* ---- payloads ------------------------------------------------------------ */

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Takes ownership of body (malloc'd, NUL-terminated). Returns one reference,
 * which the caller releases with payload_unref (or hands to the table). */
static struct payload *payload_new(char *body, size_t len, const char *ctype, int status)
{
	struct payload *p = xcalloc(1, sizeof *p);

	atomic_init(&p->refs, 1);
	p->body = body;
	p->len = len;
	p->ctype = xstrdup(ctype);
	p->status = status;
	return p;
}

static struct payload *payload_ref(struct payload *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

static void payload_unref(struct payload *p)
{
	if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
		free(p->body);
		free(p->ctype);
		free(p);
	}
}

/*
 * Give a not-yet-published payload its validators. The version makes a re-set
 * of the same bytes a new ETag, as with real CDNs that rebuild pages.
 */
static void payload_stamp(struct payload *p, time_t mtime)
{
	unsigned long long ver = atomic_fetch_add(&payload_version, 1) + 1;
	struct tm tm;

	p->mtime = mtime;
	snprintf(p->etag, sizeof p->etag, "\"%016llx-%llx\"",
		 (unsigned long long)fnv1a(p->body, p->len), ver);
	gmtime_r(&mtime, &tm);
	/* The C locale is never changed, so %a/%b are the English names HTTP wants. */
	strftime(p->lastmod, sizeof p->lastmod, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static const char *ctype_for(const char *file)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".json", "application/json"},	   {".rss", "application/rss+xml"},
	    {".atom", "application/atom+xml"},	   {".xml", "application/xml"},
	    {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
	    {".txt", "text/plain; charset=utf-8"}, {".md", "text/markdown; charset=utf-8"},
	    {".js", "application/javascript"},	   {".csv", "text/csv"},
	};
	const char *dot = strrchr(file, '.');

	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Read a whole file; returns a malloc'd NUL-terminated copy (caller frees) and
 * its length in *len, or NULL with errno-style reason logged. */
static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f) {
		log_error("cannot open %s: %s", file, strerror(errno));
		return NULL;
	}
	buf_init(&b, FILE_LIMIT);
	buf_append(&b, "", 0); /* so an empty file still yields a string */
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			log_error("%s is larger than %zu bytes", file, FILE_LIMIT);
			fclose(f);
			buf_release(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		log_error("cannot read %s", file);
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* ---- path table ---------------------------------------------------------- */

static struct entry *tbl_find(struct vendor *v, const char *path)
{
	uint64_t h = fnv1a(path, strlen(path));

	for (struct entry *e = v->buckets[h % v->nbuckets]; e; e = e->next)
		if (e->hash == h && strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static void tbl_grow(struct vendor *v)
{
	size_t nb = v->nbuckets * 2;
	struct entry **b = xcalloc(nb, sizeof *b);

	for (size_t i = 0; i < v->nbuckets; i++) {
		struct entry *e = v->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash % nb];
			b[e->hash % nb] = e;
		}
	}
	free(v->buckets);
	v->buckets = b;
	v->nbuckets = nb;
}

/* Find or create the entry for path; the entry belongs to the table. */
static struct entry *tbl_get(struct vendor *v, const char *path)
{
	struct entry *e = tbl_find(v, path);

	if (e)
		return e;
	if (v->n >= v->nbuckets) /* keep chains about one long */
		tbl_grow(v);
	e = xcalloc(1, sizeof *e);
	e->path = xstrdup(path);
	e->hash = fnv1a(path, strlen(path));
	e->next = v->buckets[e->hash % v->nbuckets];
	v->buckets[e->hash % v->nbuckets] = e;
	v->n++;
	return e;
}

static void entry_free(struct entry *e)
{
	payload_unref(e->pl);
	free(e->path);
	free(e);
}

static int tbl_remove(struct vendor *v, const char *path)
{
	uint64_t h = fnv1a(path, strlen(path));

	for (struct entry **pp = &v->buckets[h % v->nbuckets]; *pp; pp = &(*pp)->next) {
		struct entry *e = *pp;
		if (e->hash == h && strcmp(e->path, path) == 0) {
			*pp = e->next;
			entry_free(e);
			v->n--;
			return 0;
		}
	}
	return -1;
}

static void tbl_empty(struct vendor *v)
{
	for (size_t i = 0; i < v->nbuckets; i++) {
		struct entry *e = v->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			entry_free(e);
		}
		v->buckets[i] = NULL;
	}
	v->n = 0;
}

/* Publish pl (one reference is taken over) at path; caller holds the lock.
 * Last-Modified moves forward by at least a second on every change, so a
 * client using only If-Modified-Since still sees two sets in one second. */
static void set_payload_locked(struct vendor *v, const char *path, struct payload *pl)
{
	struct entry *e = tbl_get(v, path);
	time_t now = time(NULL);

	if (e->pl && now <= e->pl->mtime)
		now = e->pl->mtime + 1;
	payload_stamp(pl, now);
	payload_unref(e->pl);
	e->pl = pl;
}

static void apply_seeds_locked(struct vendor *v)
{
	for (size_t i = 0; i < v->nseeds; i++) {
		struct entry *e = tbl_get(v, v->seeds[i].path);
		payload_unref(e->pl);
		e->pl = payload_ref(v->seeds[i].pl);
	}
}

static void add_seed(struct vendor *v, const char *path, const char *file, const char *ctype)
{
	size_t len;
	char *body = slurp(file, &len);
	struct payload *pl;

	if (!body)
		exit(2);
	pl = payload_new(body, len, ctype ? ctype : ctype_for(file), 200);
	payload_stamp(pl, time(NULL));
	v->seeds = xreallocarray(v->seeds, v->nseeds + 1, sizeof *v->seeds);
	v->seeds[v->nseeds].path = xstrdup(path);
	v->seeds[v->nseeds].pl = pl;
	v->nseeds++;
}

/* --root: every regular file under dir at /<relative path>. */
static void load_root(struct vendor *v, const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		log_error("cannot open directory %s: %s", dir, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *full, *sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		full = xasprintf("%s/%s", dir, de->d_name);
		sub = xasprintf("%s/%s", rel, de->d_name);
		if (stat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 32)
				load_root(v, full, sub, depth + 1);
			else if (S_ISREG(st.st_mode))
				add_seed(v, sub, full, NULL);
		}
		free(full);
		free(sub);
	}
	closedir(d);
}

/* --map: "PATH FILE [content-type...]" per line; # comments; FILE relative to
 * the map's directory. The content type is the rest of the line, so
 * "application/json; charset=utf-8" works. */
static void load_map(struct vendor *v, const char *mapfile)
{
	size_t len;
	char *text = slurp(mapfile, &len);
	const char *slash = strrchr(mapfile, '/');
	char *dir = slash ? xstrndup(mapfile, (size_t)(slash - mapfile)) : xstrdup(".");
	char *line, *next;
	int lineno = 0;

	if (!text)
		exit(2);
	for (line = text; line && *line; line = next) {
		char *path, *file, *ctype, *p, *full;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = line;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			continue;
		path = p;
		p += strcspn(p, " \t\r");
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t\r");
		file = p;
		p += strcspn(p, " \t\r");
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t\r");
		ctype = p;
		for (char *end = ctype + strlen(ctype);
		     end > ctype && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r');)
			*--end = '\0';
		if (path[0] != '/' || !*file) {
			log_error(
			    "%s:%d: want \"PATH FILE [content-type]\" with PATH starting with /",
			    mapfile, lineno);
			exit(2);
		}
		full = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", dir, file);
		add_seed(v, path, full, *ctype ? ctype : NULL);
		free(full);
	}
	free(dir);
	free(text);
}

/* ---- conditional requests ------------------------------------------------ */

static int etag_matches(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (*p) {
		const char *tok, *end;
		size_t n;

		p += strspn(p, " \t,");
		tok = p;
		p += strcspn(p, ",");
		end = p;
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		n = (size_t)(end - tok);
		if (n == 1 && tok[0] == '*')
			return 1;
		if (n >= 2 && strncmp(tok, "W/", 2) == 0) { /* weak comparison is fine for GET */
			tok += 2;
			n -= 2;
		}
		if (n == elen && memcmp(tok, etag, n) == 0)
			return 1;
		/* Tolerate a client that dropped the quotes. */
		if (n == elen - 2 && memcmp(tok, etag + 1, n) == 0)
			return 1;
	}
	return 0;
}

/* IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; 0 and *out, or -1. */
static int parse_http_date(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *comma = strchr(s, ',');
	char mon[4] = "";
	int day, year, h, m, sec;
	const char *hit;
	struct tm tm;

	if (!comma || sscanf(comma + 1, " %d %3s %d %d:%d:%d", &day, mon, &year, &h, &m, &sec) != 6)
		return -1;
	if (strlen(mon) != 3 || !(hit = strstr(months, mon)) || (hit - months) % 3 != 0)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = (int)((hit - months) / 3);
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return 0;
}

/* RFC 9110: If-None-Match wins; If-Modified-Since only counts without it. */
static int not_modified(const struct mg_connection *conn, const struct payload *pl)
{
	const char *inm = mg_get_header(conn, "If-None-Match");
	const char *ims = mg_get_header(conn, "If-Modified-Since");
	time_t t;

	if (inm)
		return etag_matches(inm, pl->etag);
	if (ims && parse_http_date(ims, &t) == 0)
		return pl->mtime <= t;
	return 0;
}

/* ---- serving ------------------------------------------------------------- */

static void account(struct vendor *v, const char *path, unsigned long long bytes, int was_304)
{
	struct entry *e;

	pthread_mutex_lock(&v->mu);
	v->bytes += bytes;
	v->not_modified += (unsigned)was_304;
	if ((e = tbl_find(v, path)) != NULL) {
		e->bytes += bytes;
		e->not_modified += (unsigned)was_304;
	}
	pthread_mutex_unlock(&v->mu);
}

/* Write body bytes at bps, in ~100 ms steps; returns bytes written. */
static unsigned long long drip(struct mg_connection *conn, const char *p, size_t n, long bps)
{
	size_t chunk = bps >= 10 ? (size_t)bps / 10 : 1;
	long interval = (long)((long long)chunk * 1000 / bps);
	size_t sent = 0;

	while (sent < n && !atomic_load(&fw_stopping)) {
		size_t part = n - sent < chunk ? n - sent : chunk;
		if (mg_write(conn, p + sent, part) <= 0)
			break;
		sent += part;
		if (sent < n)
			fw_sleep_ms(interval);
	}
	return sent;
}

/* A syntactically valid JSON body of exactly mb MiB: {"pad":"xxx..."}. */
static unsigned long long send_oversize(struct mg_connection *conn, const char *ctype, long mb)
{
	static const char head[] = "{\"pad\":\"", tail[] = "\"}";
	unsigned long long total = (unsigned long long)mb << 20, sent = 0;
	size_t chunk = 65536;
	char *x = xmalloc(chunk);

	memset(x, 'x', chunk);
	if (fw_send_head(conn, 200, ctype, (long long)total, NULL) == 0 &&
	    strcmp(mg_get_request_info(conn)->request_method, "HEAD") != 0 &&
	    mg_write(conn, head, sizeof head - 1) > 0) {
		unsigned long long pad = total - (sizeof head - 1) - (sizeof tail - 1);
		sent = sizeof head - 1;
		while (pad > 0 && !atomic_load(&fw_stopping)) {
			size_t part = pad < chunk ? (size_t)pad : chunk;
			if (mg_write(conn, x, part) <= 0)
				break;
			pad -= part;
			sent += part;
		}
		if (pad == 0 && mg_write(conn, tail, sizeof tail - 1) > 0)
			sent += sizeof tail - 1;
	}
	free(x);
	return sent;
}

static int serve(struct vendor *v, struct mg_connection *conn, const char *path)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	int head_only = strcmp(ri->request_method, "HEAD") == 0;
	struct fault f = {.kind = F_NONE};
	struct payload *pl = NULL;
	struct entry *e;
	struct fault *src = NULL;
	unsigned long long sent = 0;
	int status, is304 = 0;
	char extra[512];

	pthread_mutex_lock(&v->mu);
	v->requests++;
	e = tbl_find(v, path);
	if (e) {
		e->requests++;
		pl = payload_ref(e->pl);
		if (e->fault.kind != F_NONE)
			src = &e->fault;
	}
	if (!src && v->any_fault.kind != F_NONE)
		src = &v->any_fault;
	if (src) {
		f = *src;
		if (src->count > 0 && --src->count == 0)
			memset(src, 0, sizeof *src);
	}
	if (!pl && f.kind != F_NONE)
		pl = payload_ref(v->filler); /* faults work on unknown paths too */
	if (!pl)
		v->not_found++;
	pthread_mutex_unlock(&v->mu);

	switch (f.kind) {
	case F_RESET:
		fw_drop(conn, 1);
		status = 444; /* nginx's "no response": for civetweb's access log only */
		goto done;
	case F_STATUS: {
		char *body = xasprintf("{\"error\":\"fakevendor injected status %d\"}\n", f.code);
		if (f.retry_after[0])
			snprintf(extra, sizeof extra, "Retry-After: %s\r\n", f.retry_after);
		else
			extra[0] = '\0';
		fw_send(conn, f.code, "application/json", extra, body, strlen(body));
		sent = head_only ? 0 : strlen(body);
		free(body);
		status = f.code;
		goto done;
	}
	case F_HTML: {
		/* What a CDN in front of a status page serves when the origin is down. */
		static const char page[] =
		    "<!DOCTYPE html>\n"
		    "<html lang=\"en\"><head><title>Just a moment...</title></head>\n"
		    "<body><h1>502 Bad Gateway</h1>\n"
		    "<p>The origin is unreachable. Please try again later.</p>\n"
		    "<hr><center>cloudflare</center></body></html>\n";
		fw_send(conn, f.code, "text/html; charset=utf-8", NULL, page, sizeof page - 1);
		sent = head_only ? 0 : sizeof page - 1;
		status = f.code;
		goto done;
	}
	case F_OVERSIZE:
		sent = send_oversize(conn, pl && pl != v->filler ? pl->ctype : "application/json",
				     f.mb);
		status = 200;
		goto done;
	case F_DELAY:
		fw_sleep_ms(f.ms);
		if (pl == v->filler) { /* a delayed unknown path is still unknown */
			payload_unref(pl);
			pl = NULL;
		}
		break;
	default:
		break;
	}

	if (!pl) {
		static const char nf[] = "{\"error\":\"fakevendor: no payload for this path\"}\n";
		fw_send(conn, 404, "application/json", NULL, nf, sizeof nf - 1);
		sent = head_only ? 0 : sizeof nf - 1;
		status = 404;
		goto done;
	}
	snprintf(extra, sizeof extra,
		 "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: no-cache\r\n", pl->etag,
		 pl->lastmod);
	/* A body fault is applied before validators are looked at: a client
	 * sending conditional requests must still meet the drip or the
	 * truncation it was set up to meet (a 304 has no body to fault). */
	if (f.kind != F_DRIP && f.kind != F_TRUNCATE && pl->status >= 200 && pl->status < 300 &&
	    (head_only || strcmp(ri->request_method, "GET") == 0) && not_modified(conn, pl)) {
		fw_send_head(conn, 304, NULL, -1, extra);
		is304 = 1;
		status = 304;
		goto done;
	}
	status = pl->status;
	if (f.kind == F_DRIP) {
		if (fw_send_head(conn, pl->status, pl->ctype, (long long)pl->len, extra) == 0 &&
		    !head_only)
			sent = drip(conn, pl->body, pl->len, f.bps);
	} else if (f.kind == F_TRUNCATE) {
		/* Promise more than is sent, then close: curl's "partial file". */
		long long declared = pl->len ? (long long)pl->len : 64;
		size_t keep = f.keep >= 0 ? (size_t)f.keep : pl->len / 2;
		if (keep >= pl->len) /* must stay short of the declared length */
			keep = pl->len ? pl->len - 1 : 0;
		if (fw_send_head(conn, pl->status, pl->ctype, declared, extra) == 0 && !head_only &&
		    fw_write_all(conn, pl->body, keep) == 0)
			sent = keep;
		fw_drop(conn, 0);
	} else {
		if (fw_send(conn, pl->status, pl->ctype, extra, pl->body, pl->len) == 0 &&
		    !head_only)
			sent = pl->len;
	}
done:
	account(v, path, sent, is304);
	payload_unref(pl);
	return status;
}

/* ---- control API --------------------------------------------------------- */

/* Build a payload from {"file"|"body", "content_type", "status"}; NULL after
 * answering the error itself. The result carries one reference. */
static struct payload *payload_from_json(struct mg_connection *conn, const cJSON *j)
{
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(j, "file");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(j, "content_type");
	long status = 200;
	char *data;
	size_t len;
	const char *ctype;

	if (fw_json_long(j, "status", 100, 599, &status) < 0) {
		fw_send_error(conn, 400, "status must be an integer 100..599");
		return NULL;
	}
	if (ct && (!cJSON_IsString(ct) || strpbrk(ct->valuestring, "\r\n"))) {
		fw_send_error(conn, 400, "content_type must be a one-line string");
		return NULL;
	}
	if (cJSON_IsString(file) && file->valuestring) {
		if (!(data = slurp(file->valuestring, &len))) {
			fw_send_error(conn, 400, "cannot read file");
			return NULL;
		}
		ctype = ct ? ct->valuestring : ctype_for(file->valuestring);
	} else if (cJSON_IsString(body) && body->valuestring) {
		len = strlen(body->valuestring);
		data = xstrndup(body->valuestring, len);
		ctype = ct ? ct->valuestring : "application/json";
	} else {
		fw_send_error(conn, 400, "need \"file\" (absolute path) or \"body\" (string)");
		return NULL;
	}
	return payload_new(data, len, ctype, (int)status);
}

/* The "path" member, which must be a served path (not under /_control/);
 * NULL after answering 400. allow_any admits "*". Points into j. */
static const char *path_from_json(struct mg_connection *conn, const cJSON *j, int allow_any)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");

	if (!cJSON_IsString(p) || !p->valuestring) {
		fw_send_error(conn, 400, "need \"path\"");
		return NULL;
	}
	if (allow_any && strcmp(p->valuestring, "*") == 0)
		return p->valuestring;
	if (p->valuestring[0] != '/' ||
	    strncmp(p->valuestring, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0) {
		fw_send_error(conn, 400, "path must start with / and not be under /_control/");
		return NULL;
	}
	return p->valuestring;
}

static void ctl_payload(struct vendor *v, struct mg_connection *conn, const cJSON *j)
{
	const char *path = path_from_json(conn, j, 0);
	struct payload *pl;
	cJSON *r;

	if (!path || !(pl = payload_from_json(conn, j)))
		return;
	r = cJSON_CreateObject();
	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddStringToObject(r, "path", path);
	pthread_mutex_lock(&v->mu);
	set_payload_locked(v, path, pl);
	cJSON_AddStringToObject(r, "etag", pl->etag);
	cJSON_AddStringToObject(r, "last_modified", pl->lastmod);
	cJSON_AddNumberToObject(r, "bytes", (double)pl->len);
	pthread_mutex_unlock(&v->mu);
	fw_send_json(conn, 200, r);
	cJSON_Delete(r);
}

static void ctl_fault(struct vendor *v, struct mg_connection *conn, const cJSON *j)
{
	const char *path = path_from_json(conn, j, 1);
	struct fault f = {.kind = F_NONE, .keep = -1, .count = -1};
	char name[32];
	long code = 0, count = -1;
	size_t k;

	if (!path)
		return;
	if (!fw_json_str(j, "fault", name, sizeof name)) {
		fw_send_error(
		    conn, 400,
		    "need \"fault\": status|delay|drip|truncate|oversize|html|reset|none");
		return;
	}
	for (k = 0; k < sizeof fault_names / sizeof fault_names[0]; k++)
		if (strcmp(name, fault_names[k]) == 0)
			break;
	if (k == sizeof fault_names / sizeof fault_names[0]) {
		fw_send_error(
		    conn, 400,
		    "unknown fault; want status|delay|drip|truncate|oversize|html|reset|none");
		return;
	}
	f.kind = (enum fault_kind)k;
	if (fw_json_long(j, "count", 1, LONG_MAX, &count) < 0) {
		fw_send_error(conn, 400, "count must be a positive integer");
		return;
	}
	f.count = count;
	switch (f.kind) {
	case F_STATUS:
		code = 503;
		if (fw_json_long(j, "code", 100, 599, &code) < 0) {
			fw_send_error(conn, 400, "code must be 100..599");
			return;
		}
		fw_json_str(j, "retry_after", f.retry_after, sizeof f.retry_after);
		/* A header value must not smuggle in a second header. */
		if (strpbrk(f.retry_after, "\r\n")) {
			fw_send_error(conn, 400, "retry_after must be one line");
			return;
		}
		break;
	case F_HTML:
		code = 200;
		if (fw_json_long(j, "code", 100, 599, &code) < 0) {
			fw_send_error(conn, 400, "code must be 100..599");
			return;
		}
		break;
	case F_DELAY:
		f.ms = 1000;
		if (fw_json_long(j, "ms", 0, 3600000, &f.ms) < 0) {
			fw_send_error(conn, 400, "ms must be 0..3600000");
			return;
		}
		break;
	case F_DRIP:
		f.bps = 10;
		if (fw_json_long(j, "bps", 1, 1L << 30, &f.bps) < 0) {
			fw_send_error(conn, 400, "bps must be a positive integer");
			return;
		}
		break;
	case F_OVERSIZE:
		f.mb = 20;
		if (fw_json_long(j, "mb", 1, 4096, &f.mb) < 0) {
			fw_send_error(conn, 400, "mb must be 1..4096");
			return;
		}
		break;
	case F_TRUNCATE:
		if (fw_json_long(j, "keep", 0, LONG_MAX, &f.keep) < 0) {
			fw_send_error(conn, 400, "keep must be a byte count");
			return;
		}
		break;
	default:
		break;
	}
	f.code = (int)code;
	if (f.kind == F_NONE)
		memset(&f, 0, sizeof f);
	pthread_mutex_lock(&v->mu);
	if (strcmp(path, "*") == 0)
		v->any_fault = f;
	else
		tbl_get(v, path)->fault = f;
	pthread_mutex_unlock(&v->mu);
	fw_send_ok(conn);
}

static void ctl_generate(struct vendor *v, struct mg_connection *conn, const cJSON *j)
{
	const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(j, "prefix");
	char suffix[256] = "";
	long count = 0, start = 0;
	struct payload *pl;
	struct buf path;
	cJSON *r;

	if (!cJSON_IsString(prefix) || !prefix->valuestring || prefix->valuestring[0] != '/' ||
	    strncmp(prefix->valuestring, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0) {
		fw_send_error(conn, 400, "need \"prefix\" starting with / (not /_control/)");
		return;
	}
	if (fw_json_long(j, "count", 1, MAX_GENERATE, &count) != 0 ||
	    fw_json_long(j, "start", 0, LONG_MAX - MAX_GENERATE, &start) < 0) {
		fw_send_error(conn, 400, "need \"count\" 1..1000000 (and \"start\" >= 0)");
		return;
	}
	fw_json_str(j, "suffix", suffix, sizeof suffix);
	if (!(pl = payload_from_json(conn, j)))
		return;
	payload_stamp(pl, time(NULL));
	buf_init(&path, 0);
	pthread_mutex_lock(&v->mu);
	for (long i = 0; i < count; i++) {
		struct entry *e;
		buf_reset(&path);
		buf_printf(&path, "%s%ld%s", prefix->valuestring, start + i, suffix);
		e = tbl_get(v, path.data);
		payload_unref(e->pl);
		e->pl = payload_ref(pl);
	}
	pthread_mutex_unlock(&v->mu);
	r = cJSON_CreateObject();
	cJSON_AddTrueToObject(r, "ok");
	cJSON_AddNumberToObject(r, "count", (double)count);
	buf_reset(&path);
	buf_printf(&path, "%s%ld%s", prefix->valuestring, start, suffix);
	cJSON_AddStringToObject(r, "first", path.data);
	buf_reset(&path);
	buf_printf(&path, "%s%ld%s", prefix->valuestring, start + count - 1, suffix);
	cJSON_AddStringToObject(r, "last", path.data);
	cJSON_AddStringToObject(r, "etag", pl->etag);
	fw_send_json(conn, 200, r);
	cJSON_Delete(r);
	buf_release(&path);
	payload_unref(pl);
}

static void ctl_remove(struct vendor *v, struct mg_connection *conn, const cJSON *j)
{
	const char *path = path_from_json(conn, j, 0);
	int rc;

	if (!path)
		return;
	pthread_mutex_lock(&v->mu);
	rc = tbl_remove(v, path);
	pthread_mutex_unlock(&v->mu);
	if (rc == 0)
		fw_send_ok(conn);
	else
		fw_send_error(conn, 404, "no such path");
}

static void put_entry_stats(struct buf *b, const struct entry *e)
{
	buf_put_json_str(b, e->path);
	buf_printf(b, ":{\"requests\":%llu,\"not_modified\":%llu,\"bytes_sent\":%llu", e->requests,
		   e->not_modified, e->bytes);
	if (e->pl)
		buf_printf(b, ",\"status\":%d,\"bytes\":%zu", e->pl->status, e->pl->len);
	if (e->fault.kind != F_NONE) {
		buf_puts(b, ",\"fault\":");
		buf_put_json_str(b, fault_names[e->fault.kind]);
	}
	buf_putc(b, '}');
}

/* Totals, and per path only the paths requested at least once (or ?path=),
 * so stats stay small after generating 10,000 paths. */
static void ctl_stats(struct vendor *v, struct mg_connection *conn)
{
	char only[4096];
	int have_only = fw_query(conn, "path", only, sizeof only) == 0;
	struct buf b;
	int first = 1;

	buf_init(&b, 0);
	pthread_mutex_lock(&v->mu);
	buf_printf(
	    &b,
	    "{\"requests\":%llu,\"not_modified\":%llu,\"not_found\":%llu,\"bytes_sent\":%llu,"
	    "\"paths_registered\":%zu,\"paths\":{",
	    v->requests, v->not_modified, v->not_found, v->bytes, v->n);
	for (size_t i = 0; i < v->nbuckets; i++) {
		for (const struct entry *e = v->buckets[i]; e; e = e->next) {
			if (have_only ? strcmp(e->path, only) != 0 : e->requests == 0)
				continue;
			if (!first)
				buf_putc(&b, ',');
			first = 0;
			put_entry_stats(&b, e);
		}
	}
	pthread_mutex_unlock(&v->mu);
	buf_puts(&b, "}}");
	fw_send(conn, 200, "application/json", NULL, b.data, b.len);
	buf_release(&b);
}

static void ctl_reset(struct vendor *v, struct mg_connection *conn, const cJSON *j)
{
	const cJSON *so = j ? cJSON_GetObjectItemCaseSensitive(j, "stats_only") : NULL;

	pthread_mutex_lock(&v->mu);
	v->requests = v->not_modified = v->not_found = v->bytes = 0;
	if (cJSON_IsTrue(so)) {
		for (size_t i = 0; i < v->nbuckets; i++)
			for (struct entry *e = v->buckets[i]; e; e = e->next)
				e->requests = e->not_modified = e->bytes = 0;
	} else {
		tbl_empty(v);
		memset(&v->any_fault, 0, sizeof v->any_fault);
		apply_seeds_locked(v);
	}
	pthread_mutex_unlock(&v->mu);
	fw_send_ok(conn);
}

static int control(struct vendor *v, struct mg_connection *conn, const char *what)
{
	const char *method = mg_get_request_info(conn)->request_method;
	int is_post = strcmp(method, "POST") == 0;
	cJSON *j = NULL;

	if (strcmp(what, "stats") == 0 || strcmp(what, "health") == 0) {
		if (strcmp(method, "GET") != 0) {
			fw_send_error(conn, 405, "use GET");
			return 405;
		}
		if (what[0] == 's') {
			ctl_stats(v, conn);
		} else {
			char h[128];
			size_t n;
			pthread_mutex_lock(&v->mu);
			n = v->n;
			pthread_mutex_unlock(&v->mu);
			snprintf(h, sizeof h, "{\"ok\":true,\"port\":%d,\"paths\":%zu}", v->port,
				 n);
			fw_send(conn, 200, "application/json", NULL, h, strlen(h));
		}
		return 200;
	}
	if (!is_post) {
		fw_send_error(conn, 405, "use POST");
		return 405;
	}
	if (strcmp(what, "reset") == 0) {
		/* The body is optional here: an empty POST is a full reset. */
		const struct mg_request_info *ri = mg_get_request_info(conn);
		if (ri->content_length > 0 && !(j = fw_read_json_object(conn, CONTROL_BODY_LIMIT)))
			return 400;
		ctl_reset(v, conn, j);
		cJSON_Delete(j);
		return 200;
	}
	if (strcmp(what, "payload") != 0 && strcmp(what, "fault") != 0 &&
	    strcmp(what, "generate") != 0 && strcmp(what, "remove") != 0) {
		fw_send_error(conn, 404, "unknown control endpoint");
		return 404;
	}
	if (!(j = fw_read_json_object(conn, CONTROL_BODY_LIMIT)))
		return 400;
	if (strcmp(what, "payload") == 0)
		ctl_payload(v, conn, j);
	else if (strcmp(what, "fault") == 0)
		ctl_fault(v, conn, j);
	else if (strcmp(what, "generate") == 0)
		ctl_generate(v, conn, j);
	else
		ctl_remove(v, conn, j);
	cJSON_Delete(j);
	return 200;
}

static int on_request(struct mg_connection *conn)
{
	struct vendor *v = mg_get_request_info(conn)->user_data;
	const char *path = fw_path(conn);

	if (strncmp(path, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0)
		return control(v, conn, path + strlen(CONTROL_PREFIX));
	return serve(v, conn, path);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs(
	    "usage: fakevendor [--port N|0] [--port-file F] [--root DIR] [--map FILE] [--threads "
	    "N]\n"
	    "  Serves payloads on 127.0.0.1; prints the chosen port on stdout.\n"
	    "  --root DIR   every file under DIR at /<relative path>\n"
	    "  --map FILE   lines \"PATH FILE [content-type]\" (FILE relative to the map)\n"
	    "control (JSON over HTTP):\n"
	    "  POST /_control/payload  {\"path\",\"file\"|\"body\",\"content_type\"?,\"status\"?}\n"
	    "  POST /_control/fault    "
	    "{\"path\"|\"*\",\"fault\":\"status|delay|drip|truncate|oversize|html|reset|none\",\n"
	    "                           "
	    "\"code\"?,\"retry_after\"?,\"ms\"?,\"bps\"?,\"mb\"?,\"keep\"?,\"count\"?}\n"
	    "  POST /_control/generate "
	    "{\"prefix\",\"count\",\"start\"?,\"suffix\"?,\"file\"|\"body\",...}\n"
	    "  POST /_control/remove   {\"path\"}\n"
	    "  GET  /_control/stats[?path=P]   GET /_control/health\n"
	    "  POST /_control/reset    [{\"stats_only\":true}]\n",
	    f);
}

int main(int argc, char **argv)
{
	struct vendor v;
	struct fw_server srv = {0};
	struct mg_callbacks cbs;
	const char *port_file = NULL, *root = NULL, *map = NULL;
	long port = 0, threads = DEFAULT_THREADS;
	struct buf filler;
	int sig;

	/* First, so a SIGTERM that races start-up still ends in a clean exit. */
	fw_block_signals();
	log_init("fakevendor", LOG_LVL_INFO, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (!val) {
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--port") == 0) {
			if (fw_parse_long(val, 0, 65535, &port) != 0) {
				fprintf(stderr, "fakevendor: bad --port %s\n", val);
				return 2;
			}
		} else if (strcmp(a, "--threads") == 0) {
			if (fw_parse_long(val, 8, 1024, &threads) != 0) {
				fprintf(stderr, "fakevendor: --threads wants 8..1024\n");
				return 2;
			}
		} else if (strcmp(a, "--port-file") == 0) {
			port_file = val;
		} else if (strcmp(a, "--root") == 0) {
			root = val;
		} else if (strcmp(a, "--map") == 0) {
			map = val;
		} else {
			usage(stderr);
			return 2;
		}
	}

	memset(&v, 0, sizeof v);
	pthread_mutex_init(&v.mu, NULL);
	v.nbuckets = 1024;
	v.buckets = xcalloc(v.nbuckets, sizeof *v.buckets);
	buf_init(&filler, 0);
	buf_puts(
	    &filler,
	    "{\"fakevendor\":\"filler body for a fault on a path without payload\",\"pad\":\"");
	for (int i = 0; i < 32; i++)
		buf_puts(&filler, "0123456789abcdef0123456789abcdef");
	buf_puts(&filler, "\"}\n");
	{
		size_t flen = filler.len;
		v.filler = payload_new(buf_steal(&filler), flen, "application/json", 200);
	}
	payload_stamp(v.filler, time(NULL));
	if (root)
		load_root(&v, root, "", 0);
	if (map)
		load_map(&v, map);
	apply_seeds_locked(&v); /* no threads yet */

	memset(&cbs, 0, sizeof cbs);
	cbs.begin_request = on_request;
	if (fw_start(&srv, &cbs, &v, (int)port, (int)threads) != 0)
		return 1;
	pthread_mutex_lock(&v.mu);
	v.port = srv.port;
	pthread_mutex_unlock(&v.mu);
	if (fw_announce_port(port_file, srv.port) != 0) {
		fw_stop(&srv);
		return 1;
	}
	log_info("listening on 127.0.0.1:%d with %zu paths, %ld threads", srv.port, v.n, threads);
	sig = fw_wait_signal();
	log_info("signal %d: stopping", sig);
	fw_stop(&srv);
	mg_exit_library();

	tbl_empty(&v);
	free(v.buckets);
	for (size_t i = 0; i < v.nseeds; i++) {
		free(v.seeds[i].path);
		payload_unref(v.seeds[i].pl);
	}
	free(v.seeds);
	payload_unref(v.filler);
	pthread_mutex_destroy(&v.mu);
	return 0;
}
