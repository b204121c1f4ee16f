-- 0007: the effective-status rule, defined once (issue 12 item 1,
-- doc/vocabulary.md#effective-status-rule).
--
-- Before, the rule "unknown while the service's poller is broken or pollerd
-- is stalled" was restated in apid's SQL, in apid/sla.c (which judged
-- pollerd's heartbeat by apid's own HEARTBEAT_STALE_AFTER_SECONDS, not by the
-- fresh_until pollerd wrote) and in alertd/burn.c. Now the views below are
-- the rule and the daemons read them.
--
-- v_poller_sight gains fresh_until: until when pollerd's last heartbeat
-- holds (the fresh_until it wrote; for a row written before 0004, beat_at +
-- 120 s). stalled is "that time is past" by the real clock; code that
-- evaluates at another instant (apid's SLA history, alertd's burn windows,
-- whose tests pin the clock) compares fresh_until with its own now instead
-- (db_poller_stalled_at in common/db.c) and so applies the same rule.
DROP VIEW v_status;
DROP VIEW v_poller_sight;
CREATE VIEW v_poller_sight AS
SELECT f.fresh_until < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS stalled,
	'pollerd has not reported since ' || f.beat_at
		|| ': no service can be seen, so every status is unknown' AS reason,
	f.beat_at,
	f.fresh_until
FROM (SELECT h.beat_at,
		COALESCE(h.fresh_until,
			strftime('%Y-%m-%dT%H:%M:%fZ', h.beat_at, '+120 seconds')) AS fresh_until
	FROM heartbeats h
	WHERE h.daemon = 'pollerd') f;

-- One row per service, retired ones included (apid still shows them to
-- administrators): its effective status (doc/faults.md#stalled) and why it is
-- unknown when that is the poller's doing. apid reads these two columns for
-- every status it serves.
CREATE VIEW v_effective AS
SELECT s.id,
	CASE WHEN s.poller_health = 'broken'
			OR EXISTS (SELECT 1 FROM v_poller_sight WHERE stalled) THEN 'unknown'
		ELSE s.current_status END AS effective_status,
	CASE WHEN EXISTS (SELECT 1 FROM v_poller_sight WHERE stalled)
			THEN (SELECT reason FROM v_poller_sight)
		WHEN s.poller_health = 'broken'
			THEN 'the poller cannot read this status page: '
				|| COALESCE(s.last_failure_reason, 'repeated failures')
	END AS effective_reason
FROM services s;

-- What the dashboard shows, for people at the sqlite3 prompt: the same
-- columns as before, the effective ones from v_effective.
CREATE VIEW v_status AS
SELECT s.id,
	s.display_name,
	s.category,
	s.tier,
	e.effective_status,
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
	e.effective_reason
FROM services s
JOIN v_effective e ON e.id = s.id
WHERE s.retired_at IS NULL;
