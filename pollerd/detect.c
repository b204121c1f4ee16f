/*
 * detect: the two pure decisions behind every poll result -- the flap buffer
 * (does this reading change the committed status?) and the poller-health
 * state machine (is pollerd still able to see the service?). No I/O and no
 * clock: store.c loads the state, calls these, and writes back what they
 * decided, so the decision tables are unit-tested exhaustively.
 *
 * Flap buffer: the seed's (doc/compat.md#s6-3) with our fixes
 * (doc/design.md#change-detection).
 *  - reading == committed: clear the buffer, nothing changes;
 *  - committed unknown (fresh install, new service, operator said unknown):
 *    commit at once as a baseline, never alerted -- the seed kept every new
 *    service unknown for ~10 minutes and treated unknown -> operational as a
 *    worsening;
 *  - otherwise buffer the reading: same target again counts up, a different
 *    target restarts at 1;
 *  - worsening (higher rank) needs `confirm` readings and `dwell` since the
 *    first one; improvement (any lower rank, major -> degraded included)
 *    needs `recovery` readings and no dwell;
 *  - when the committed status was pushed (webhook or manual), a reading
 *    that disagrees is most likely a stale page: it needs the confirmation
 *    count (`confirm`) even when it is an improvement, so the next poll of a
 *    page behind a CDN cannot undo what the vendor just told us.
 * Failed polls never reach flap_decide (the buffer survives fetch failures).
 */
#include "pollerd.h"

const char *flap_verdict_str(enum flap_verdict v)
{
	switch (v) {
	case FLAP_SAME:
		return "same";
	case FLAP_WAIT:
		return "wait";
	case FLAP_COMMIT:
		return "commit";
	case FLAP_BASELINE:
		return "baseline";
	}
	return "?";
}

static void clear_buffer(struct flap_state *s)
{
	s->pending = ST_UNKNOWN;
	s->count = 0;
	s->since_ms = FLAP_SINCE_NONE;
}

enum flap_verdict flap_decide(const struct flap_cfg *c, struct flap_state *s, enum st_status p,
			      int64_t now_ms)
{
	if (p == s->committed) {
		clear_buffer(s);
		/* The page agrees with what was pushed: it has caught up, and
		 * from now on ordinary polling rules apply. */
		s->pushed = 0;
		return FLAP_SAME;
	}
	if (s->committed == ST_UNKNOWN) {
		clear_buffer(s);
		s->committed = p;
		s->pushed = 0;
		return FLAP_BASELINE;
	}
	if (p == s->pending && s->since_ms != FLAP_SINCE_NONE && s->count > 0) {
		s->count++;
	} else {
		s->pending = p;
		s->count = 1;
		s->since_ms = now_ms;
	}
	int worsening = st_status_rank(p) > st_status_rank(s->committed);
	int threshold = worsening || s->pushed ? c->confirm : c->recovery;
	int ready = s->count >= threshold;
	if (ready && worsening && c->dwell_ms > 0 && s->since_ms != FLAP_SINCE_BAD)
		ready = now_ms - s->since_ms >= c->dwell_ms;
	if (!ready)
		return FLAP_WAIT;
	clear_buffer(s);
	s->committed = p;
	s->pushed = 0;
	return FLAP_COMMIT;
}

int health_next(struct health_state *h, int ok, int threshold)
{
	enum st_health before = h->health;
	if (ok) {
		h->failures = 0;
		h->health = ST_HEALTHY;
		return before == ST_BROKEN;
	}
	h->failures++;
	h->health = h->failures >= threshold ? ST_BROKEN : ST_HEALTH_DEGRADED;
	return h->health == ST_BROKEN && before != ST_BROKEN;
}
