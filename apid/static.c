/*
 * static: the dashboard's files from web_root (web/dist). Served by apid
 * itself rather than civetweb's document_root so that there is no directory
 * listing, no CGI, and every response goes through http_send with its
 * security headers. Fixes doc/compat.md#bug-18: a path naming a real file gets that
 * file with its type (favicon, manifest, icons, the service worker); only
 * paths that look like app routes (no file extension, outside /assets/) get
 * index.html; unknown /api paths never reach here (JSON 404 in the router).
 *
 * Caching: files under /assets/ are content-hashed by the build, so immutable for a
 * year; index.html must always be revalidated (it names the current assets);
 * sw.js must never be cached or an old service worker pins an old app.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apid.h"
#include "log.h"
#include "xalloc.h"

const char *mime_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".map", "application/json"},
	    {".webmanifest", "application/manifest+json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".jpg", "image/jpeg"},
	    {".jpeg", "image/jpeg"},
	    {".webp", "image/webp"},
	    {".gif", "image/gif"},
	    {".woff2", "font/woff2"},
	    {".woff", "font/woff"},
	    {".ttf", "font/ttf"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".xml", "application/xml"},
	    {".wasm", "application/wasm"},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* No "..", ".", hidden names, empty segments or backslashes anywhere. */
static int path_safe(const char *path)
{
	if (path[0] != '/' || strchr(path, '\\'))
		return 0;
	for (const char *seg = path + 1; *seg;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (seg[0] == '.' || (n == 0 && end))
			return 0;
		if (!end)
			break;
		seg = end + 1;
	}
	return 1;
}

int static_resolve(const char *root, const char *path, char **out)
{
	*out = NULL;
	if (!path_safe(path))
		return -2;
	if (!strcmp(path, "/"))
		return 0;
	char *full = xasprintf("%s%s", root, path);
	struct stat sb;
	int rc;
	if (stat(full, &sb) == 0) {
		if (S_ISREG(sb.st_mode)) {
			/* A symlink inside the root must not lead outside it. */
			char rroot[PATH_MAX], rfile[PATH_MAX];
			if (realpath(root, rroot) && realpath(full, rfile) &&
			    !strncmp(rfile, rroot, strlen(rroot)) && rfile[strlen(rroot)] == '/') {
				*out = xstrdup(rfile);
				rc = 1;
			} else {
				rc = -2;
			}
		} else {
			/* A folder: the app page (never a listing); asset folders are not routes.
			 */
			rc = S_ISDIR(sb.st_mode) && strncmp(path, "/assets/", 8) ? 0 : -1;
		}
	} else {
		const char *last = strrchr(path, '/');
		rc = !strncmp(path, "/assets/", 8) || strchr(last, '.') ? -1 : 0;
	}
	free(full);
	return rc;
}

static const char *cache_policy(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "sw.js"))
		return "no-cache, no-store, must-revalidate";
	if (strstr(path, "/assets/"))
		return "public, max-age=31536000, immutable";
	return "no-cache";
}

/* Send a file in chunks: a large asset never sits in memory whole. A client
 * that accepts gzip gets the build's precompressed sibling (file.gz, written
 * by web/scripts/precompress.mjs) when there is one: the bundles are
 * compressed once at build time, never per request (doc/scale.md#http). */
static void send_file(struct req *r, const char *file, const char *policy_path)
{
	char *gzfile = xasprintf("%s.gz", file);
	struct stat sb, gzsb;
	int has_gz = stat(gzfile, &gzsb) == 0 && S_ISREG(gzsb.st_mode);
	const char *ae = req_header(r, "Accept-Encoding");
	int gz = has_gz && http_accepts_gzip(ae);
	int fd = open(gz ? gzfile : file, O_RDONLY | O_CLOEXEC);
	free(gzfile);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		http_send(r, 404, "text/plain; charset=utf-8", NULL, "Not Found", 9);
		return;
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%llx-%llx%s\"", (unsigned long long)sb.st_size,
		 (unsigned long long)sb.st_mtime, gz ? "-gz" : "");
	char extra[320];
	snprintf(extra, sizeof extra, "Cache-Control: %s\r\nETag: %s\r\n%s%s",
		 cache_policy(policy_path), etag, has_gz ? "Vary: Accept-Encoding\r\n" : "",
		 gz ? "Content-Encoding: gzip\r\n" : "");
	const char *inm = req_header(r, "If-None-Match");
	if (inm && !strcmp(inm, etag)) {
		close(fd);
		http_send(r, 304, NULL, extra, NULL, 0);
		return;
	}
	long long left = (long long)sb.st_size;
	if (http_send_headers(r, 200, mime_type(file), extra, left) == 0 && !r->head) {
		/* on the heap: a civetweb worker's whole stack is about 100 KB */
		enum { CHUNK = 65536 };
		char *chunk = xmalloc(CHUNK);
		while (left > 0) {
			ssize_t k = read(fd, chunk, CHUNK);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0 || mg_write(r->conn, chunk, (size_t)k) <= 0) {
				r->must_close =
				    1; /* short body: the client must not reuse this connection */
				break;
			}
			left -= k;
		}
		free(chunk);
	}
	close(fd);
}

void h_static(struct req *r)
{
	const char *root = r->cfg->web_root;
	char *file = NULL;
	int rc = root ? static_resolve(root, r->path, &file) : -1;
	if (rc == -2) {
		log_warn("refused path %s from %s", r->path, req_client_ip(r));
		http_send(r, 400, "text/plain; charset=utf-8", NULL, "Bad Request", 11);
	} else if (rc < 0) {
		http_send(r, 404, "text/plain; charset=utf-8", NULL, "Not Found", 9);
	} else if (rc == 0) {
		char *index = xasprintf("%s/index.html", root);
		send_file(r, index, "/index.html");
		free(index);
	} else {
		send_file(r, file, r->path);
	}
	free(file);
}
