-- Alert quality (issue 14): the new reasons a decision may be suppressed, and
-- the dependents an incident report lists as folded into its alerts.
--   covered_by_status_alert  an SLO burn caused by an outage a status alert
--                            already announced (doc/alerting.md#burn-rate)
--   covered_by_burn_alert    a less severe burn row while a more severe one
--                            of the same service is announced
-- Dependents folded into an upstream's alert across passes keep
-- 'aggregated_under_upstream' (aggregated_under names the upstream).
--
-- SQLite cannot change a CHECK in place, so alert_sent_log is rebuilt with
-- the same columns and ids. outbox.alert_id references it: with foreign keys
-- deferred, dropping the table counts the outbox rows as orphans and copying
-- the rows back into the new table of the same name settles every one of
-- them before the commit. The AUTOINCREMENT counter is carried over, so an
-- id is never handed out twice.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE alert_sent_log_0005 AS SELECT * FROM alert_sent_log;
CREATE TEMP TABLE alert_seq_0005 AS
	SELECT seq FROM sqlite_sequence WHERE name = 'alert_sent_log';
DROP TABLE alert_sent_log;
CREATE TABLE alert_sent_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	dedup_key TEXT NOT NULL,
	service_id TEXT NOT NULL REFERENCES services (id),
	status_event_id INTEGER REFERENCES status_events (id),
	severity TEXT NOT NULL,
	previous_status TEXT,
	new_status TEXT NOT NULL,
	alert_kind TEXT NOT NULL CHECK (alert_kind IN ('status_change', 'aggregated_upstream',
		'poller_health', 'slo_burn_rate', 'daemon_health', 'batch')),
	aggregated_under TEXT,
	slack_channel TEXT,
	slack_ts TEXT,
	acknowledged_at TEXT,
	acknowledged_by TEXT,
	resolved_at TEXT,
	suppressed_by TEXT CHECK (suppressed_by IS NULL OR suppressed_by IN ('aggregated_under_upstream',
		'maintenance_window', 'dedup', 'tier_informational', 'webhook_not_configured',
		'baseline', 'recovery_not_announced', 'batched', 'covered_by_status_alert',
		'covered_by_burn_alert')),
	first_sent_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	last_updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO alert_sent_log SELECT * FROM alert_sent_log_0005;
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM alert_seq_0005))
	WHERE name = 'alert_sent_log' AND (SELECT seq FROM alert_seq_0005) IS NOT NULL;
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'alert_sent_log', seq FROM alert_seq_0005
	WHERE seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'alert_sent_log');
DROP TABLE alert_sent_log_0005;
DROP TABLE alert_seq_0005;
CREATE INDEX idx_alert_dedup ON alert_sent_log (dedup_key, first_sent_at);
CREATE INDEX idx_alert_service ON alert_sent_log (service_id, first_sent_at);
CREATE INDEX idx_alert_event ON alert_sent_log (status_event_id);
CREATE INDEX idx_alert_unresolved ON alert_sent_log (service_id, resolved_at) WHERE resolved_at IS NULL;

-- The dependents folded into the service's alerts during the incident, as a
-- JSON array of {service_id, name, status, event_id} (NULL on older rows).
ALTER TABLE incident_reports ADD COLUMN correlated_dependents TEXT;
