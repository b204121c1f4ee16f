-- A vendor format is one file (issue 12): services.poll_type loses its CHECK.
-- The poll types are the formats pollerd registers (pollerd/formats.def, one
-- line per pollerd/fmt_<id>.c), and services.yaml is validated against them
-- when it loads (common/registry.c), before pollerd writes a service; so a new
-- format needs no migration (doc/formats.md#adding-a-format).
--
-- SQLite cannot drop a CHECK in place, so services is rebuilt with the same
-- columns, in the same order (0001 plus the drift columns of 0003), the same
-- rows and the same indexes; only the poll_type CHECK is gone. Six tables
-- reference services (id), service_dependencies twice: with foreign keys
-- deferred, dropping the table counts their rows as orphans and copying the
-- rows back into the new table of the same name settles every one of them
-- before the commit. No foreign
-- key acts ON DELETE, so the drop deletes nothing else. The views that read
-- services (v_status, v_recent_events, v_poller_sight) name it, not its old
-- definition, and work unchanged on the new table.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE services_0006 AS SELECT * FROM services;
DROP TABLE services;
CREATE TABLE services (
	id TEXT PRIMARY KEY,
	display_name TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('identity', 'productivity', 'collaboration',
		'engineering', 'hr', 'finance', 'sales', 'marketing', 'networking', 'support', 'other')),
	-- A registered format (pollerd/formats.def); checked when services.yaml loads.
	poll_type TEXT NOT NULL DEFAULT 'manual',
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
	pending_status_since TEXT,
	-- 0003_drift
	drift_note TEXT,
	drift_first_seen_at TEXT,
	drift_last_seen_at TEXT
);
INSERT INTO services SELECT * FROM services_0006;
DROP TABLE services_0006;
CREATE INDEX idx_services_poller_health ON services (poller_health);
CREATE INDEX idx_services_tier ON services (tier);
