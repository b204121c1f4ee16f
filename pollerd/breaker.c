/*
 * breaker: the per-host circuit breaker (doc/compat.md#s7-2, with its 404 bug
 * fixed, doc/compat.md#bug-25).
 * After BREAKER_THRESHOLD consecutive failed fetch operations (one operation
 * = a whole retry sequence) a host is "open": its requests fail at once with
 * no network I/O, so a dead vendor does not hold connection slots and retry
 * budgets every cycle. After BREAKER_TTL_SECONDS one request goes through as
 * the half-open probe while the host's other requests wait for its verdict:
 * success closes the breaker, failure opens it again for another TTL.
 *
 * Only what says "this host is unreachable or overloaded" counts: transport
 * errors, timeouts, 429 and 5xx. A 404 or 401 means the host answered and the
 * URL or the credentials are wrong; it must not silence the host's other
 * pages, so it neither counts nor resets the count (while a probe is out it
 * does prove the host is back).
 *
 * The state machine is pure (time is passed in); fetch.c owns one breaker per
 * host and mirrors changes into the circuit_breaker_state gauge.
 */
#include "pollerd.h"

const char *brk_state_str(enum brk_state s)
{
	switch (s) {
	case BRK_OPEN:
		return "open";
	case BRK_HALF_OPEN:
		return "half_open";
	default:
		return "closed";
	}
}

enum brk_verdict brk_check(struct breaker *b, int64_t now_ms, int64_t ttl_ms)
{
	if (b->state == BRK_OPEN && now_ms - b->opened_at_ms >= ttl_ms) {
		b->state = BRK_HALF_OPEN;
		b->probing = 0;
	}
	switch (b->state) {
	case BRK_CLOSED:
		return BRK_ALLOW;
	case BRK_OPEN:
		return BRK_DENY;
	case BRK_HALF_OPEN:
		if (b->probing)
			return BRK_HOLD;
		b->probing = 1;
		return BRK_PROBE;
	}
	return BRK_DENY;
}

int brk_record(struct breaker *b, enum brk_result r, int was_probe, int64_t now_ms, int threshold)
{
	enum brk_state before = b->state;
	if (was_probe)
		b->probing = 0;
	switch (r) {
	case BRK_SUCCESS:
		b->failures = 0;
		b->state = BRK_CLOSED;
		break;
	case BRK_NEUTRAL:
		/* An answer from the probe shows the host is back. */
		if (was_probe && b->state == BRK_HALF_OPEN) {
			b->failures = 0;
			b->state = BRK_CLOSED;
		}
		break;
	case BRK_FAILURE:
		b->failures++;
		if (b->state == BRK_HALF_OPEN && was_probe) {
			b->state = BRK_OPEN;
			b->opened_at_ms = now_ms;
		} else if (b->state == BRK_CLOSED && b->failures >= threshold) {
			b->state = BRK_OPEN;
			b->opened_at_ms = now_ms;
		}
		/* Already open: operations that started before it opened keep
		 * reporting in; they do not extend the TTL. */
		break;
	}
	return b->state != before;
}
