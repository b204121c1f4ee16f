-- 0004: faults operators hit (issue 18, doc/faults.md).
--
-- Stalled poller. A heartbeat row says when its daemon last proved itself
-- alive; fresh_until says until when that proof holds (beat time plus
-- HEARTBEAT_STALE_AFTER_SECONDS, written by the daemon, so readers need no
-- setting to judge it). failing is NULL while the daemon does its work, else
-- why it does not (passes or commits keep failing): alive but not working.
ALTER TABLE heartbeats ADD COLUMN fresh_until TEXT;
ALTER TABLE heartbeats ADD COLUMN failing TEXT;

-- Whether pollerd can still see the vendors: one row while pollerd has ever
-- beaten. stalled = 1 once its heartbeat is past fresh_until (or, for a row
-- written before 0004, older than 120 s). With no row at all pollerd has
-- never run, and every service is still unknown by its own current_status.
CREATE VIEW v_poller_sight AS
SELECT CASE
		WHEN h.fresh_until IS NOT NULL
			THEN h.fresh_until < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
		ELSE julianday('now') - julianday(h.beat_at) > 120.0 / 86400.0
	END AS stalled,
	'pollerd has not reported since ' || h.beat_at
		|| ': no service can be seen, so every status is unknown' AS reason,
	h.beat_at
FROM heartbeats h
WHERE h.daemon = 'pollerd';

-- The effective status rule (doc/faults.md#stalled): unknown while the
-- service's poller is broken or pollerd itself is stalled; otherwise the
-- committed status. effective_reason says why a status is unknown.
DROP VIEW v_status;
CREATE VIEW v_status AS
SELECT s.id,
	s.display_name,
	s.category,
	s.tier,
	CASE WHEN s.poller_health = 'broken'
			OR EXISTS (SELECT 1 FROM v_poller_sight WHERE stalled) THEN 'unknown'
		ELSE s.current_status END AS effective_status,
	s.current_status,
	s.in_maintenance,
	s.last_status_change_at AS since,
	s.poller_health,
	s.consecutive_failures,
	s.last_failure_reason,
	s.last_polled_at,
	s.pending_status,
	s.pending_status_count,
	s.status_source,
	CASE WHEN EXISTS (SELECT 1 FROM v_poller_sight WHERE stalled)
			THEN (SELECT reason FROM v_poller_sight)
		WHEN s.poller_health = 'broken'
			THEN 'the poller cannot read this status page: '
				|| COALESCE(s.last_failure_reason, 'repeated failures')
	END AS effective_reason
FROM services s
WHERE s.retired_at IS NULL;
