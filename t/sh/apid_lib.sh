#!/usr/bin/env bash
# apid_lib.sh -- what the apid integration scripts share (source it after
# t/lib.sh). Run directly, it checks itself: apid starts on a seeded database
# and the seed is what the other scripts expect.
#
#   apid_setup            config + a tiny dashboard in $T_TMP (web_root)
#   apid_start [NAME]     start bin/apid (env as exported; $DB created first, as
#                         pollerd would, when absent), wait for it; sets
#                         APID_PORT and APID (http://127.0.0.1:port)
#   apid_seed             fill $DB with services, events, alerts... (after
#                         apid has created the schema)
#   apid_apply_loop       background stand-in for pollerd's inbox: applies
#                         manual_status and maintenance rows as pollerd would
#   slack_sign BODY [TS]  prints "TS SIGNATURE" for SLACK_SIGNING_SECRET
#   code_of M URL [ARGS]  curl: prints the status; body in $T_TMP/out, headers in $T_TMP/hdr
#   expect WANT M URL [ARGS]  code_of, t_fail unless the status is WANT
#   hmac_hex KEY BODY     lower-case hex HMAC-SHA256

: "${ITSTATUS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../lib.sh
. "$ITSTATUS_ROOT/t/lib.sh"

DB=$T_TMP/itstatus.db

apid_setup() {
	cp "$ITSTATUS_ROOT"/etc/{itstatus,services,dependencies}.yaml "$T_TMP/"
	mkdir -p "$T_TMP/dist/assets" "$T_TMP/dist/icons"
	printf '<!doctype html><html lang="en"><title>itstatus</title><div id="app"></div></html>\n' >"$T_TMP/dist/index.html"
	printf 'console.log("app");\n' >"$T_TMP/dist/assets/index-3f2a1b.js"
	printf 'body{color:#fff}\n' >"$T_TMP/dist/assets/index-9c8d7e.css"
	printf 'self.addEventListener("fetch",()=>{});\n' >"$T_TMP/dist/sw.js"
	printf '{"name":"itstatus"}\n' >"$T_TMP/dist/manifest.webmanifest"
	printf '\x89PNG\r\n' >"$T_TMP/dist/icons/icon-192.png"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$T_TMP/dist/favicon.svg"
	mkdir -p "$T_TMP/outside"
	echo "secret-outside-root" >"$T_TMP/outside/secret.txt"
	export DATABASE_PATH=$DB WEB_ROOT=$T_TMP/dist LOG_JSON=false HEARTBEAT_INTERVAL_SECONDS=1
	unset SLACK_WEBHOOK_URL
}

# A random port; another try when it happens to be taken.
apid_start() {
	local name=${1:-apid} try i
	# apid waits for pollerd to create the database: make it as pollerd would
	# (with the daemons' umask 027).
	[ -s "$DB" ] || (umask 027 && t_new_db "$DB")
	for ((try = 0; try < 5; try++)); do
		APID_PORT=$((20000 + RANDOM % 40000))
		PORT=$APID_PORT t_start "$name" "$ITSTATUS_BIN/apid" -f "$T_TMP/itstatus.yaml"
		for ((i = 0; i < 200; i++)); do
			if grep -q 'listening on http' "$T_TMP/$name.log"; then
				APID=http://127.0.0.1:$APID_PORT
				return 0
			fi
			kill -0 "$(t_pid "$name")" 2>/dev/null || break
			sleep 0.05
		done
		grep -q 'cannot listen' "$T_TMP/$name.log" || t_fail "$name did not start"
		t_stop "$name" 1 || true
	done
	t_fail "$name: no free port found"
}

apid_seed() {
	sqlite3 "$DB" <<'SQL'
.timeout 5000
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO services (id, display_name, category, poll_type, poll_url, status_page_url, tier, current_status,
	current_status_detail, poller_health, consecutive_failures, last_failure_reason, in_maintenance,
	pending_status, pending_status_count, pending_status_since, last_polled_at, last_status_change_at,
	last_success_at, status_source, retired_at) VALUES
 ('github', 'GitHub', 'engineering', 'statuspage_json', 'https://www.githubstatus.com/api/v2/summary.json',
  'https://www.githubstatus.com', 'important', 'degraded', 'Minor Service Outage', 'healthy', 0, NULL, 0,
  NULL, 0, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 hours'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 seconds'), 'poll', NULL),
 ('npm', 'npm', 'engineering', 'statuspage_json', 'https://status.npmjs.org/api/v2/summary.json',
  'https://status.npmjs.org', 'important', 'operational', 'All Systems Operational', 'broken', 4,
  'transient_http_503', 0, NULL, 0, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 seconds'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 days'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'), 'poll', NULL),
 ('pypi', 'PyPI', 'engineering', 'statuspage_json', 'https://status.python.org/api/v2/summary.json',
  'https://status.python.org', 'important', 'operational', NULL, 'healthy', 0, NULL, 0,
  'degraded', 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 minutes'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 seconds'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 seconds'), 'poll', NULL),
 ('cloudflare', 'Cloudflare', 'networking', 'statuspage_json', 'https://www.cloudflarestatus.com/api/v2/summary.json',
  'https://www.cloudflarestatus.com', 'important', 'major_outage', 'Major outage in several regions', 'healthy', 0, NULL, 1,
  NULL, 0, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-15 seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 minutes'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-15 seconds'), 'poll', NULL),
 ('identity-provider', 'Identity Provider (SSO)', 'identity', 'manual', NULL, 'https://example.com/status', 'critical',
  'unknown', NULL, 'healthy', 0, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL, 'manual', NULL),
 ('datadog', 'Datadog', 'other', 'statuspage_json', 'https://status.datadoghq.com/api/v2/summary.json',
  'https://status.datadoghq.com', 'informational', 'operational', NULL, 'healthy', 0, NULL, 0, NULL, 0, NULL,
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-40 days'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 seconds'), 'poll', NULL),
 ('ticketing', 'Ticketing / ITSM', 'support', 'manual', NULL, 'https://example.com/status', 'important',
  'partial_outage', 'Queue delays', 'healthy', 0, NULL, 0, NULL, 0, NULL, NULL,
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 hours'), NULL, 'manual', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'));
INSERT INTO service_dependencies (upstream_service_id, downstream_service_id, impact_description, severity) VALUES
 ('identity-provider', 'github', 'SSO login to source control unavailable', 'critical'),
 ('identity-provider', 'npm', 'SSO login to the package registry unavailable', 'high'),
 ('identity-provider', 'datadog', 'SSO login to observability unavailable', 'medium'),
 ('identity-provider', 'ticketing', 'SSO login to the ITSM system unavailable', 'high'),
 ('cloudflare', 'github', 'Elevated latency reaching source-control web UI', 'medium'),
 ('cloudflare', 'pypi', 'Elevated latency reaching the package index', 'low');
-- history: baselines 20 days ago, a GitHub incident 2 h ago, a Cloudflare
-- outage 30 min ago, an npm poller that broke 1 h ago.
INSERT INTO status_events (service_id, kind, previous_status, new_status, is_baseline, source, vendor_title, vendor_detail, impact_statement, created_at) VALUES
 ('github', 'status', 'unknown', 'operational', 1, 'statuspage_json', NULL, 'All Systems Operational', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days')),
 ('npm', 'status', 'unknown', 'operational', 1, 'statuspage_json', NULL, 'All Systems Operational', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days')),
 ('pypi', 'status', 'unknown', 'operational', 1, 'statuspage_json', NULL, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days')),
 ('cloudflare', 'status', 'unknown', 'operational', 1, 'statuspage_json', NULL, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days')),
 ('datadog', 'status', 'unknown', 'operational', 1, 'statuspage_json', NULL, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-40 days')),
 ('pypi', 'status', 'operational', 'degraded', 0, 'statuspage_json', 'Slow uploads', 'Minor', 'PyPI is reporting degraded performance. Minor', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days')),
 ('pypi', 'status', 'degraded', 'operational', 0, 'statuspage_json', NULL, NULL, 'PyPI has recovered and is now operational.', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days', '+1 hours')),
 ('github', 'status', 'operational', 'degraded', 0, 'statuspage_json', 'Degraded Actions', 'Minor Service Outage', 'GitHub is reporting degraded performance. Minor Service Outage', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 hours')),
 ('cloudflare', 'status', 'operational', 'major_outage', 0, 'statuspage_json', 'Network outage', 'Major outage in several regions', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 minutes')),
 ('ticketing', 'status', 'unknown', 'partial_outage', 0, 'manual', NULL, 'Queue delays', 'Ticketing / ITSM is experiencing a partial outage.', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 hours'));
INSERT INTO status_events (service_id, kind, previous_health, new_health, failure_reason, source, created_at) VALUES
 ('npm', 'health', 'degraded', 'broken', 'transient_http_503', 'statuspage_json', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'));
INSERT INTO scheduled_maintenances (service_id, vendor_maintenance_id, source, title, description, scheduled_for, scheduled_until, status, created_by) VALUES
 ('cloudflare', 'maint-001', 'vendor', 'Data centre migration', 'Planned migration', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+2 hours'), 'in_progress', NULL),
 ('github', NULL, 'local', 'Runner upgrade', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 days'), NULL, 'scheduled', 'admin'),
 ('pypi', 'maint-old', 'vendor', 'Old window', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-9 days'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-8 days'), 'completed', NULL);
INSERT INTO incident_reports (service_id, started_at, resolved_at, duration_seconds, peak_severity, affected_downstream, event_count, events_json, impact_summary, first_event_id, last_event_id) VALUES
 ('pypi', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days', '+1 hours'), 3600, 'degraded', '[]', 2, '[]', 'PyPI experienced degraded for 1h.', 6, 7);
INSERT INTO alert_sent_log (dedup_key, service_id, status_event_id, severity, previous_status, new_status, alert_kind, suppressed_by, acknowledged_at, acknowledged_by) VALUES
 ('fallback:github:degraded:2026-11-24', 'github', 8, 'important', 'operational', 'degraded', 'status_change', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'), 'alice'),
 ('fallback:cloudflare:major_outage:2026-11-24', 'cloudflare', 9, 'important', 'operational', 'major_outage', 'status_change', 'maintenance_window', NULL, NULL),
 ('poller:npm:broken', 'npm', 11, 'important', 'healthy', 'unknown', 'poller_health', NULL, NULL, NULL);
INSERT INTO outbox (alert_id, destination_kind, destination, payload, state, attempts, last_http_status, last_error, sent_at) VALUES
 (1, 'slack', 'slack:main', '{"text":"GitHub degraded"}', 'sent', 1, 200, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 hours')),
 (1, 'pagerduty', 'pagerduty:main', '{"event_action":"trigger"}', 'failed', 5, 500, 'HTTP 500', NULL),
 (3, 'slack', 'slack:poller_health', '{"text":"Poller BROKEN: npm"}', 'pending', 0, NULL, NULL, NULL);
INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at, last_cycle_at) VALUES
 ('pollerd', 101, '0.1.0', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 seconds')),
 ('alertd', 102, '0.1.0', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL);
INSERT INTO metrics (daemon, name, labels, type, help, value) VALUES
 ('pollerd', 'poll_total', '{service="github",outcome="ok"}', 'counter', 'Poll results by service and outcome', 42),
 ('pollerd', 'poll_total', '{service="npm",outcome="http_5xx"}', 'counter', 'Poll results by service and outcome', 4),
 ('pollerd', 'poller_health_state', '{service="npm"}', 'gauge', 'Poller health: 0 healthy, 1 degraded, 2 broken', 2),
 ('pollerd', 'poll_duration_seconds_bucket', '{poll_type="statuspage_json",le="0.5"}', 'histogram', 'Wall time of one poll', 3),
 ('pollerd', 'poll_duration_seconds_bucket', '{poll_type="statuspage_json",le="+Inf"}', 'histogram', 'Wall time of one poll', 4),
 ('pollerd', 'poll_duration_seconds_bucket', '{poll_type="statuspage_json",le="0.1"}', 'histogram', 'Wall time of one poll', 1),
 ('pollerd', 'poll_duration_seconds_sum', '{poll_type="statuspage_json"}', 'histogram', 'Wall time of one poll', 1.7),
 ('pollerd', 'poll_duration_seconds_count', '{poll_type="statuspage_json"}', 'histogram', 'Wall time of one poll', 4),
 ('alertd', 'alerts_sent_total', '{kind="status_change",severity="important"}', 'counter', 'Alerts sent', 1),
 ('alertd', 'process_start_time_seconds', '', 'gauge', 'Start time of the process', 1764000000),
 ('pollerd', 'process_start_time_seconds', '', 'gauge', 'Start time of the process', 1764000001);
COMMIT;
SQL
	[ $? -eq 0 ] || t_fail "seeding the database failed"
}

# pollerd's inbox contract, done with sqlite3: apply every pending manual
# status (status change + event + result JSON) and maintenance command.
apid_apply_once() {
	sqlite3 "$DB" <<'SQL' >/dev/null 2>&1
.timeout 5000
BEGIN IMMEDIATE;
CREATE TEMP TABLE IF NOT EXISTS todo AS SELECT * FROM inbox WHERE 0;
DELETE FROM todo;
INSERT INTO todo SELECT * FROM inbox WHERE consumer = 'pollerd' AND state = 'pending' AND kind = 'manual_status';
INSERT INTO status_events (service_id, previous_status, new_status, source, updated_by, reason, client_ip, inbox_id, vendor_detail)
 SELECT t.service_id, s.current_status, t.payload ->> '$.status', 'manual', 'admin', t.payload ->> '$.reason', t.client_ip, t.id, t.payload ->> '$.detail'
 FROM todo t JOIN services s ON s.id = t.service_id WHERE s.current_status != t.payload ->> '$.status';
UPDATE inbox SET state = 'applied', applied_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
 event_id = (SELECT e.id FROM status_events e WHERE e.inbox_id = inbox.id),
 result = json_object('service_id', inbox.service_id, 'status', inbox.payload ->> '$.status',
  'previous_status', (SELECT current_status FROM services WHERE id = inbox.service_id),
  'status_changed', json((SELECT CASE WHEN current_status != inbox.payload ->> '$.status' THEN 'true' ELSE 'false' END FROM services WHERE id = inbox.service_id)),
  'event_id', (SELECT e.id FROM status_events e WHERE e.inbox_id = inbox.id))
 WHERE id IN (SELECT id FROM todo);
UPDATE services SET current_status = (SELECT t.payload ->> '$.status' FROM todo t WHERE t.service_id = services.id ORDER BY t.id DESC LIMIT 1),
 status_source = 'manual', last_status_change_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE id IN (SELECT service_id FROM todo);
INSERT INTO scheduled_maintenances (service_id, source, title, description, scheduled_for, scheduled_until, created_by)
 SELECT service_id, 'local', payload ->> '$.title', payload ->> '$.description', payload ->> '$.scheduled_for', payload ->> '$.scheduled_until', payload ->> '$.created_by'
 FROM inbox WHERE consumer = 'pollerd' AND state = 'pending' AND kind = 'maintenance_create';
UPDATE inbox SET state = 'applied', result = json_object('id', (SELECT max(id) FROM scheduled_maintenances))
 WHERE consumer = 'pollerd' AND state = 'pending' AND kind = 'maintenance_create';
UPDATE scheduled_maintenances SET status = 'cancelled'
 WHERE id IN (SELECT payload ->> '$.id' FROM inbox WHERE consumer = 'pollerd' AND state = 'pending' AND kind = 'maintenance_cancel');
UPDATE inbox SET state = 'applied', result = json_object('id', payload ->> '$.id')
 WHERE consumer = 'pollerd' AND state = 'pending' AND kind = 'maintenance_cancel';
COMMIT;
SQL
}

apid_apply_loop() {
	while :; do
		apid_apply_once
		sleep 0.05
	done
}

code_of() {
	local m=$1 u=$2
	shift 2
	curl -s -o "$T_TMP/out" -D "$T_TMP/hdr" -w '%{http_code}' --max-time 15 -X "$m" "$@" "$u"
}

expect() {
	local want=$1 got
	shift
	got=$(code_of "$@")
	[ "$got" = "$want" ] || t_fail "$1 $2: got $got, want $want: $(head -c 300 "$T_TMP/out")"
}

hmac_hex() {
	printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1
}

slack_sign() {
	local ts=${2:-$(date +%s)}
	printf '%s v0=%s\n' "$ts" "$(hmac_hex "$SLACK_SIGNING_SECRET" "v0:$ts:$1")"
}

# Run directly: the helpers themselves work.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	apid_setup
	apid_start
	apid_seed
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM services WHERE retired_at IS NULL')" = 6 ] || t_fail "seed: services"
	body=$(t_http GET "$APID/api/services")
	t_assert_eq "$(t_http_code)" 200 "GET /api/services"
	t_assert_eq "$(t_json_get "$body" '.data.total')" 6 "live services"
	echo "ok"
fi
