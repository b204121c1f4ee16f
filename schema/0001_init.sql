-- 0001_init: the bus. One WAL database shared by pollerd, alertd and apid.
-- Every table has one writing daemon (doc/design.md#table-ownership); the comment on each
-- table names it. Timestamps are ISO-8601 UTC with milliseconds and Z
-- (fixed width, so text order is time order); defaults produce the same form.
-- Enumerations are TEXT with CHECK constraints so a sqlite3 CLI user cannot
-- write a value the daemons would not understand.

-- Registry + live state of every service. Writer: pollerd (registry columns
-- synced from services.yaml at start and on SIGHUP; status, flap buffer and
-- poller health on every poll). Services removed from YAML are retired
-- (retired_at set), never deleted, so their history stays readable.
CREATE TABLE services (
	id TEXT PRIMARY KEY,
	display_name TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('identity', 'productivity', 'collaboration',
		'engineering', 'hr', 'finance', 'sales', 'marketing', 'networking', 'support', 'other')),
	poll_type TEXT NOT NULL DEFAULT 'manual' CHECK (poll_type IN ('statuspage_json',
		'product_feed_json', 'current_status_api', 'rss', 'manual', 'trust_incidents_api',
		'active_incidents_api', 'service_array_json', 'instatus', 'statusio', 'cachet',
		'betterstack', 'gcp_incidents', 'http_check')),
	poll_url TEXT,
	statuspage_component_name TEXT,
	component_id TEXT,
	status_page_url TEXT,
	tier TEXT NOT NULL DEFAULT 'important' CHECK (tier IN ('critical', 'important', 'informational')),
	-- Not a URL: the name of the destination set (see outbox.destination). The
	-- seed kept webhook URLs here; secrets stay out of the database.
	slack_channel_override TEXT,
	poll_interval_seconds INTEGER CHECK (poll_interval_seconds IS NULL OR poll_interval_seconds BETWEEN 1 AND 86400),
	-- Format-specific registry settings (products, http_check expectations...), JSON.
	config_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config_json)),
	retired_at TEXT,

	current_status TEXT NOT NULL DEFAULT 'unknown' CHECK (current_status IN ('operational',
		'degraded', 'partial_outage', 'major_outage', 'unknown')),
	current_status_detail TEXT,
	current_incident_id TEXT,
	current_incident_title TEXT,
	in_maintenance INTEGER NOT NULL DEFAULT 0 CHECK (in_maintenance IN (0, 1)),
	-- Where the committed status came from: a webhook-set status is not undone
	-- by one stale poll (doc/design.md#change-detection).
	status_source TEXT NOT NULL DEFAULT 'poll' CHECK (status_source IN ('poll', 'manual', 'webhook', 'demo')),
	baseline_at TEXT,
	last_polled_at TEXT,
	last_status_change_at TEXT,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),

	consecutive_failures INTEGER NOT NULL DEFAULT 0,
	last_success_at TEXT,
	last_failure_reason TEXT,
	poller_health TEXT NOT NULL DEFAULT 'healthy' CHECK (poller_health IN ('healthy', 'degraded', 'broken')),

	pending_status TEXT CHECK (pending_status IS NULL OR pending_status IN ('operational',
		'degraded', 'partial_outage', 'major_outage')),
	pending_status_count INTEGER NOT NULL DEFAULT 0,
	pending_status_since TEXT
);
CREATE INDEX idx_services_poller_health ON services (poller_health);
CREATE INDEX idx_services_tier ON services (tier);

-- Declared dependency edges: when the upstream breaks the downstream is
-- impacted. Writer: pollerd (replaced as a whole by each registry sync,
-- inside the same transaction as the services upsert; edges are
-- configuration, nothing references them).
CREATE TABLE service_dependencies (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	upstream_service_id TEXT NOT NULL REFERENCES services (id),
	downstream_service_id TEXT NOT NULL REFERENCES services (id),
	impact_description TEXT NOT NULL,
	severity TEXT NOT NULL DEFAULT 'high' CHECK (severity IN ('critical', 'high', 'medium', 'low')),
	UNIQUE (upstream_service_id, downstream_service_id)
);
CREATE INDEX idx_deps_upstream ON service_dependencies (upstream_service_id);
CREATE INDEX idx_deps_downstream ON service_dependencies (downstream_service_id);

-- The event stream: append-only, ids assigned by its single writer (pollerd)
-- in commit order, so a consumer's `id > cursor` never skips a row.
-- kind 'status': a committed status change (previous/new_status).
-- kind 'health': a poller-health transition (previous/new_health), so alertd
-- can alert on it through the same cursor.
CREATE TABLE status_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	service_id TEXT NOT NULL REFERENCES services (id),
	kind TEXT NOT NULL DEFAULT 'status' CHECK (kind IN ('status', 'health')),
	previous_status TEXT CHECK (previous_status IS NULL OR previous_status IN ('operational',
		'degraded', 'partial_outage', 'major_outage', 'unknown')),
	new_status TEXT CHECK (new_status IS NULL OR new_status IN ('operational', 'degraded',
		'partial_outage', 'major_outage', 'unknown')),
	previous_health TEXT CHECK (previous_health IS NULL OR previous_health IN ('healthy', 'degraded', 'broken')),
	new_health TEXT CHECK (new_health IS NULL OR new_health IN ('healthy', 'degraded', 'broken')),
	-- 1 for the first reading after unknown (fresh install, new service):
	-- committed at once and never alerted.
	is_baseline INTEGER NOT NULL DEFAULT 0 CHECK (is_baseline IN (0, 1)),
	in_maintenance INTEGER NOT NULL DEFAULT 0 CHECK (in_maintenance IN (0, 1)),
	vendor_title TEXT,
	vendor_detail TEXT,
	vendor_incident_id TEXT,
	impact_statement TEXT,
	failure_reason TEXT,
	source TEXT NOT NULL DEFAULT 'statuspage_json',
	updated_by TEXT,
	reason TEXT,
	client_ip TEXT,
	inbox_id INTEGER,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	CHECK ((kind = 'status' AND previous_status IS NOT NULL AND new_status IS NOT NULL)
		OR (kind = 'health' AND previous_health IS NOT NULL AND new_health IS NOT NULL))
);
CREATE INDEX idx_events_service_id ON status_events (service_id);
CREATE INDEX idx_events_created_at ON status_events (created_at);
CREATE INDEX idx_events_service_created ON status_events (service_id, created_at);
CREATE INDEX idx_events_vendor_incident ON status_events (vendor_incident_id);
CREATE INDEX idx_events_source_created ON status_events (source, created_at);

-- Maintenance windows, from vendor feeds (source 'vendor') and from the admin
-- API through the inbox (source 'local'). Writer: pollerd.
CREATE TABLE scheduled_maintenances (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	service_id TEXT NOT NULL REFERENCES services (id),
	vendor_maintenance_id TEXT,
	source TEXT NOT NULL DEFAULT 'vendor' CHECK (source IN ('vendor', 'local')),
	title TEXT NOT NULL,
	description TEXT,
	scheduled_for TEXT NOT NULL,
	scheduled_until TEXT,
	status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'in_progress',
		'verifying', 'completed', 'cancelled')),
	created_by TEXT,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_maint_service ON scheduled_maintenances (service_id);
CREATE INDEX idx_maint_scheduled ON scheduled_maintenances (scheduled_for);
CREATE UNIQUE INDEX idx_maint_vendor_id ON scheduled_maintenances (service_id, vendor_maintenance_id);

-- Commands from outside. apid inserts (state 'pending'); the consuming daemon
-- (pollerd for status/webhook/maintenance, alertd for Slack acks) marks each
-- row applied (with the event id / result) or rejected (with a reason).
CREATE TABLE inbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL CHECK (kind IN ('manual_status', 'webhook_statuspage', 'slack_ack',
		'maintenance_create', 'maintenance_cancel')),
	consumer TEXT NOT NULL CHECK (consumer IN ('pollerd', 'alertd')),
	service_id TEXT,
	payload TEXT NOT NULL CHECK (json_valid(payload)),
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected')),
	result TEXT CHECK (result IS NULL OR json_valid(result)),
	error TEXT,
	event_id INTEGER,
	client_ip TEXT,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	applied_at TEXT
);
CREATE INDEX idx_inbox_pending ON inbox (consumer, state, id);

-- Every routing decision, fired or suppressed, with its reason. Writer: alertd.
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
		'baseline', 'recovery_not_announced', 'batched')),
	first_sent_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	last_updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_alert_dedup ON alert_sent_log (dedup_key, first_sent_at);
CREATE INDEX idx_alert_service ON alert_sent_log (service_id, first_sent_at);
CREATE INDEX idx_alert_event ON alert_sent_log (status_event_id);
CREATE INDEX idx_alert_unresolved ON alert_sent_log (service_id, resolved_at) WHERE resolved_at IS NULL;

-- One row per message per destination, with its delivery state. Writer:
-- alertd. `destination` names a configured destination (e.g. 'slack:main',
-- 'slack:poller_health', 'slack:<override>', 'pagerduty:main'); the URL is
-- resolved from the environment at delivery time so secrets never reach the
-- database and a rotated webhook applies to queued messages.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id INTEGER REFERENCES alert_sent_log (id),
	destination_kind TEXT NOT NULL CHECK (destination_kind IN ('slack', 'webhook', 'teams',
		'pagerduty', 'slack_response')),
	destination TEXT NOT NULL,
	payload TEXT NOT NULL CHECK (json_valid(payload)),
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	last_http_status INTEGER,
	last_error TEXT,
	event_created_at TEXT,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	sent_at TEXT
);
CREATE INDEX idx_outbox_due ON outbox (state, destination, id);
CREATE INDEX idx_outbox_alert ON outbox (alert_id);

-- Incident reports built on recovery. Writer: alertd.
CREATE TABLE incident_reports (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	service_id TEXT NOT NULL REFERENCES services (id),
	started_at TEXT NOT NULL,
	resolved_at TEXT NOT NULL,
	duration_seconds INTEGER NOT NULL,
	peak_severity TEXT NOT NULL,
	affected_downstream TEXT,
	event_count INTEGER NOT NULL,
	events_json TEXT NOT NULL,
	impact_summary TEXT,
	first_event_id INTEGER,
	last_event_id INTEGER,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_reports_service ON incident_reports (service_id);
CREATE INDEX idx_reports_created ON incident_reports (created_at);

-- Consumer name -> last status_events.id processed. Each consumer writes its
-- own row, in the same transaction as what it did with the events.
CREATE TABLE cursors (
	consumer TEXT PRIMARY KEY,
	last_event_id INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Liveness of each daemon. Each writes its own row.
CREATE TABLE heartbeats (
	daemon TEXT PRIMARY KEY CHECK (daemon IN ('pollerd', 'alertd', 'apid')),
	pid INTEGER NOT NULL,
	version TEXT NOT NULL,
	started_at TEXT NOT NULL,
	beat_at TEXT NOT NULL,
	last_cycle_at TEXT,
	last_error TEXT
);

-- Metrics, flushed by each daemon every few seconds; apid renders /metrics.
-- labels is the rendered Prometheus label set ('' or '{a="b",c="d"}');
-- histograms are stored as their _bucket/_sum/_count series.
CREATE TABLE metrics (
	daemon TEXT NOT NULL CHECK (daemon IN ('pollerd', 'alertd', 'apid')),
	name TEXT NOT NULL,
	labels TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'histogram')),
	help TEXT NOT NULL DEFAULT '',
	value REAL NOT NULL,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	PRIMARY KEY (daemon, name, labels)
);

-- Seconds spent in each status per service per hour/day, so a year of
-- history answers fast. Writer: alertd (it already reads every event once).
CREATE TABLE status_rollups (
	service_id TEXT NOT NULL REFERENCES services (id),
	bucket TEXT NOT NULL CHECK (bucket IN ('hour', 'day')),
	bucket_start TEXT NOT NULL,
	operational_s REAL NOT NULL DEFAULT 0,
	degraded_s REAL NOT NULL DEFAULT 0,
	partial_outage_s REAL NOT NULL DEFAULT 0,
	major_outage_s REAL NOT NULL DEFAULT 0,
	unknown_s REAL NOT NULL DEFAULT 0,
	maintenance_s REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (service_id, bucket, bucket_start)
);

-- ---- views for people at the sqlite3 prompt ---------------------------------

-- One row per service: what the dashboard shows. Effective status is unknown
-- while the poller is broken: never "operational" about what we cannot see.
CREATE VIEW v_status AS
SELECT s.id,
	s.display_name,
	s.category,
	s.tier,
	CASE WHEN s.poller_health = 'broken' THEN 'unknown' ELSE s.current_status END AS effective_status,
	s.current_status,
	s.in_maintenance,
	s.last_status_change_at AS since,
	s.poller_health,
	s.consecutive_failures,
	s.last_failure_reason,
	s.last_polled_at,
	s.pending_status,
	s.pending_status_count,
	s.status_source
FROM services s
WHERE s.retired_at IS NULL;

CREATE VIEW v_recent_events AS
SELECT e.id,
	e.created_at,
	e.service_id,
	s.display_name,
	e.kind,
	COALESCE(e.previous_status, e.previous_health) AS previous,
	COALESCE(e.new_status, e.new_health) AS new,
	e.is_baseline,
	e.source,
	e.vendor_title,
	e.failure_reason,
	e.updated_by,
	e.reason
FROM status_events e
JOIN services s ON s.id = e.service_id
WHERE e.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
ORDER BY e.id DESC;

CREATE VIEW v_alerts AS
SELECT a.id,
	a.first_sent_at,
	a.service_id,
	a.alert_kind,
	a.severity,
	a.previous_status,
	a.new_status,
	COALESCE(a.suppressed_by, 'fired') AS decision,
	a.dedup_key,
	a.acknowledged_by,
	(SELECT group_concat(o.destination || '=' || o.state, ', ') FROM outbox o WHERE o.alert_id = a.id) AS deliveries
FROM alert_sent_log a
ORDER BY a.id DESC;
