/*
 * httpc: easy-handle set-up and answer capture shared by every HTTP client
 * in itstatus (see httpc.h for the contract).
 *
 * Decisions made here for everyone:
 *  - http and https only, on the first request and on every redirect: a
 *    redirect must never lead a daemon to file:// or gopher://.
 *  - TLS peers and host names are verified (curl's default, stated so that
 *    nobody turns it off per caller); the system CA store is used.
 *  - Proxies come from the environment as curl reads them (http_proxy,
 *    https_proxy, no_proxy): nothing is set, so an operator's proxy applies to
 *    all daemons alike.
 *  - No signals (CURLOPT_NOSIGNAL): the daemons own their signal handling and
 *    the Sentry sender runs on a thread.
 *  - Retry-After is parsed when its header arrives, with ts_retry_after_ms and
 *    its one cap, so no caller keeps the raw text or a cap of its own.
 */
#include "httpc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"
#include "xalloc.h"

void httpc_resp_release(struct httpc_resp *r)
{
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	r->etag = r->last_modified = r->content_type = NULL;
	r->retry_after_ms = -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct httpc_resp *r = ud;
	size_t len = size * n;
	if (!r->body)
		return len;
	if (r->overflow == HTTPC_OVERFLOW_TRUNCATE) {
		size_t keep = len;
		if (r->max_body)
			keep = r->body->len >= r->max_body	  ? 0
			       : len < r->max_body - r->body->len ? len
								  : r->max_body - r->body->len;
		if (keep)
			buf_append(r->body, p, keep);
		return len;
	}
	if ((r->max_body && len > r->max_body - r->body->len) || buf_append(r->body, p, len) < 0) {
		/* Returning short aborts the transfer: the cap is a hard one. */
		r->too_large = 1;
		return 0;
	}
	return len;
}

/* A header value without surrounding blanks and CRLF. Caller frees. */
static char *header_value(const char *p, size_t len)
{
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' ' ||
		       p[len - 1] == '\t'))
		len--;
	return xstrndup(p, len);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct httpc_resp *r = ud;
	size_t len = size * n;
	/* A status line starts a new response (after a redirect or a 100):
	 * only the final response's headers count. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		httpc_resp_release(r);
		return len;
	}
	static const struct {
		const char *name;
		size_t len;
	} names[] = {
	    {"etag:", 5}, {"last-modified:", 14}, {"content-type:", 13}, {"retry-after:", 12}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (len < names[i].len || strncasecmp(p, names[i].name, names[i].len) != 0)
			continue;
		char *v = header_value(p + names[i].len, len - names[i].len);
		if (i == 3) {
			r->retry_after_ms = ts_retry_after_ms(v, ts_now_ms());
			free(v);
			break;
		}
		char **slot = i == 0 ? &r->etag : i == 1 ? &r->last_modified : &r->content_type;
		free(*slot);
		*slot = v;
		break;
	}
	return len;
}

void httpc_setup(CURL *e, const struct httpc_opts *o, struct httpc_resp *r, struct buf *body)
{
	curl_easy_reset(e);
	httpc_resp_release(r);
	r->body = body;
	r->too_large = 0;
	r->errbuf[0] = '\0';
	r->max_body = o->max_body;
	r->overflow = o->overflow;

	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : HTTPC_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->connect_timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	if (o->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o->max_redirs > 0 ? 1L : 0L);
	if (o->max_redirs > 0)
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirs);
	if (o->accept_encoding)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (o->max_body && o->overflow == HTTPC_OVERFLOW_ABORT)
		/* A declared length over the cap fails before any byte is read. */
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	if (o->fresh_connection) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
#if LIBCURL_VERSION_NUM >= 0x075700
	if (o->quick_exit)
		curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
}

long httpc_status(CURL *e)
{
	long code = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

const char *httpc_error(const struct httpc_resp *r, int curl_code)
{
	return r->errbuf[0] ? r->errbuf : curl_easy_strerror((CURLcode)curl_code);
}

enum vc_failure_kind httpc_failure_kind(int curl_code, long status, int too_large)
{
	if (too_large || curl_code == CURLE_FILESIZE_EXCEEDED)
		return VC_FAIL_TOO_LARGE;
	if (curl_code == CURLE_OPERATION_TIMEDOUT)
		return VC_FAIL_TIMEOUT;
	if (curl_code != CURLE_OK)
		return VC_FAIL_REQUEST_ERROR;
	if (status >= 500)
		return VC_FAIL_HTTP_5XX;
	if (status >= 400)
		return VC_FAIL_HTTP_4XX;
	return VC_FAIL_OTHER;
}

int64_t httpc_backoff_ms(const struct httpc_backoff *p, int attempt, double rnd)
{
	int64_t step = p->base_ms;
	for (int i = 1; i < attempt && step < p->cap_ms; i++)
		step *= 2;
	if (step > p->cap_ms)
		step = p->cap_ms;
	int pct = p->spread_pct < 0 ? 0 : p->spread_pct > 100 ? 100 : p->spread_pct;
	int64_t spread = step * pct / 100;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999;
	return step - spread + (int64_t)(rnd * (double)(spread + p->jitter_ms));
}
