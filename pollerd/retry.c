/*
 * retry: the retry and backoff policy of every vendor GET (doc/compat.md#s7-1, fixed
 * where the seed was wrong). Pure functions, so the table of what is retried
 * and how long pollerd waits is unit-tested without a network.
 *
 * Retried: transport errors (connect, DNS, reset, timeout) and the HTTP
 * answers that mean "try again" (408, 429, 5xx). Not retried: every other
 * answer (a 404 will be a 404 in a second too) and an oversized body (it will
 * be oversized again). Unlike the seed, a server's Retry-After is honoured
 * when it fits the budget; when it does not, pollerd stops asking rather than
 * knocking early on a vendor that asked for quiet.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "pollerd.h"

int retry_is_transient_code(long code)
{
	return code == 408 || code == 429 || (code >= 500 && code <= 599);
}

enum vc_failure_kind retry_http_kind(long code)
{
	return code >= 500 ? VC_FAIL_HTTP_5XX : code >= 400 ? VC_FAIL_HTTP_4XX : VC_FAIL_OTHER;
}

enum att_class retry_classify(int curl_code, long http_code, int too_large, int conditional)
{
	if (too_large || curl_code == CURLE_FILESIZE_EXCEEDED)
		return ATT_TOO_LARGE;
	if (curl_code == CURLE_OPERATION_TIMEDOUT)
		return ATT_TIMEOUT;
	if (curl_code == CURLE_URL_MALFORMAT || curl_code == CURLE_UNSUPPORTED_PROTOCOL ||
	    curl_code == CURLE_TOO_MANY_REDIRECTS)
		return ATT_REQUEST;
	if (curl_code != CURLE_OK)
		return ATT_TRANSPORT;
	if (http_code >= 200 && http_code <= 299)
		return ATT_OK;
	if (http_code == 304 && conditional)
		return ATT_NOT_MODIFIED;
	if (retry_is_transient_code(http_code))
		return ATT_HTTP_TRANSIENT;
	return ATT_HTTP;
}

int64_t retry_backoff_ms(int attempt, double jitter01)
{
	int64_t d = RETRY_BASE_MS;
	for (int i = 1; i < attempt && d < RETRY_CAP_MS; i++)
		d *= 2;
	if (d > RETRY_CAP_MS)
		d = RETRY_CAP_MS;
	if (jitter01 < 0)
		jitter01 = 0;
	if (jitter01 >= 1)
		jitter01 = 0.999;
	return d + (int64_t)(jitter01 * RETRY_JITTER_MS);
}

int64_t retry_next_delay(enum att_class c, int attempts, int max_attempts, int64_t elapsed_ms,
			 int64_t budget_ms, int64_t retry_after_ms, double jitter01)
{
	if (c != ATT_HTTP_TRANSIENT && c != ATT_TIMEOUT && c != ATT_TRANSPORT)
		return -1;
	if (attempts >= max_attempts)
		return -1;
	int64_t d = retry_backoff_ms(attempts, jitter01);
	if (retry_after_ms >= 0) {
		/* The vendor said when; a wait past the budget means give up now. */
		if (elapsed_ms + retry_after_ms > budget_ms)
			return -1;
		if (retry_after_ms > d)
			d = retry_after_ms;
	}
	if (elapsed_ms + d >= budget_ms)
		return -1;
	return d;
}
