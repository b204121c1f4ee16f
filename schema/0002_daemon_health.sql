-- alertd's self-monitoring (issue 7): one row per change of a watched
-- daemon's heartbeat state -- 'stale' when its heartbeats.beat_at grew older
-- than HEARTBEAT_STALE_AFTER_SECONDS, 'recovered' when it beat again. The
-- latest row per daemon is the state alertd compares against, so a restart
-- of alertd neither repeats a message nor misses one. Writer: alertd.
--
-- A table of its own because alert_sent_log.service_id must name a row of
-- services (and SQLite cannot relax that foreign key in place); the Slack
-- messages go through the outbox as usual, with alert_id NULL.
-- beat_at is the heartbeat the decision was made on (NULL: no row).
-- suppressed_by is NULL when a message was queued.
CREATE TABLE daemon_health_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	daemon TEXT NOT NULL CHECK (daemon IN ('pollerd', 'apid')),
	state TEXT NOT NULL CHECK (state IN ('stale', 'recovered')),
	beat_at TEXT,
	decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	suppressed_by TEXT CHECK (suppressed_by IS NULL OR suppressed_by IN ('webhook_not_configured'))
);
CREATE INDEX idx_daemon_health_daemon ON daemon_health_log (daemon, id);
