#!/usr/bin/env bash
# apid_daemons.sh: apid with the real pollerd and alertd. The seed README's
# curl admin examples, run as printed (only the port differs), are applied by
# pollerd through the inbox and answered 200 in the seed's shape; with
# pollerd stopped the same call answers 202 and pollerd applies it when it
# is back. /metrics carries all three daemons and passes `promtool check
# metrics`; /healthz is 200 with three fresh heartbeats and 503 naming the
# daemon that stopped.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v promtool >/dev/null || t_fail "promtool is required (apt-get install prometheus)"

apid_setup
cat >"$T_TMP/services.yaml" <<'YAML'
services:
  - id: identity-provider
    display_name: Identity Provider (SSO)
    category: identity
    poll_type: manual
    status_page_url: https://example.com/status
    tier: critical
  - id: hr-system
    display_name: HR System
    category: hr
    poll_type: manual
YAML
cat >"$T_TMP/dependencies.yaml" <<'YAML'
dependencies:
  identity-provider:
    - service: hr-system
      impact: SSO login to the HR system unavailable
      severity: high
YAML
export ADMIN_API_TOKEN=readme-token METRICS_FLUSH_SECONDS=1 HEARTBEAT_STALE_AFTER_SECONDS=3 ADMIN_WAIT_MS=3000
apid_start
t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
t_start alertd "$ITSTATUS_BIN/alertd" -f "$T_TMP/itstatus.yaml"
synced() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM services WHERE retired_at IS NULL" 2>/dev/null)" = 2 ]; }
t_wait_for 10 synced || t_fail "pollerd did not sync the registry"

# ---- the README, as printed ----------------------------------------------
export TOKEN="readme-token"
out=$(curl -s -X POST http://localhost:$APID_PORT/api/admin/status \
-H "Authorization: Bearer $TOKEN" \
-H 'Content-Type: application/json' \
-d '{"service_id": "hr-system", "new_status": "degraded", "detail": "Slow login page", "reason": "Reported by user in the help channel"}')
t_assert_eq "$(t_json_get "$out" '[.data.id, .data.current_status, .data.current_status_detail, .meta.status_changed, .meta.previous_status] | join(",")')" \
	"hr-system,degraded,Slow login page,true,unknown" "README: set degraded"
out=$(curl -s -X POST http://localhost:$APID_PORT/api/admin/status \
-H "Authorization: Bearer $TOKEN" \
-H 'Content-Type: application/json' \
-d '{"service_id": "identity-provider", "new_status": "major_outage", "detail": "SSO completely unavailable", "reason": "Confirmed with vendor"}')
t_assert_eq "$(t_json_get "$out" '[.data.current_status, .meta.status_changed] | join(",")')" "major_outage,true" "README: major outage"
out=$(curl -s -X POST http://localhost:$APID_PORT/api/admin/status \
-H "Authorization: Bearer $TOKEN" \
-H 'Content-Type: application/json' \
-d '{"service_id": "identity-provider", "new_status": "operational", "reason": "Vendor posted recovery"}')
t_assert_eq "$(t_json_get "$out" '[.data.current_status, .meta.status_changed, .meta.previous_status] | join(",")')" \
	"operational,true,major_outage" "README: resolve"
# the same status again: no change, previous = current (doc/compat.md#s5-16)
out=$(curl -s -X POST http://localhost:$APID_PORT/api/admin/status -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' -d '{"service_id": "identity-provider", "new_status": "operational", "reason": "Again"}')
t_assert_eq "$(t_json_get "$out" '[.meta.status_changed, .meta.previous_status] | join(",")')" "false,operational" "unchanged"
audit=$(sqlite3 "$DB" "SELECT source, updated_by, reason, client_ip FROM status_events WHERE service_id = 'identity-provider' ORDER BY id DESC LIMIT 1")
t_assert_eq "$audit" "manual|admin|Vendor posted recovery|127.0.0.1" "audit fields on the event"
body=$(t_http GET "$APID/api/summary")
t_assert_eq "$(t_json_get "$body" '.data.active_incidents[0].service.id')" hr-system "summary after the README"

# ---- health and metrics of the three daemons ---------------------------------
flushed() { [ "$(sqlite3 "$DB" "SELECT count(DISTINCT daemon) FROM metrics" 2>/dev/null)" = 3 ]; }
t_wait_for 10 flushed || t_fail "not every daemon flushed metrics"
curl -s -D "$T_TMP/mh" "$APID/metrics" >"$T_TMP/metrics.txt"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_TMP/mh" || t_fail "metrics content type"
promtool check metrics <"$T_TMP/metrics.txt" || t_fail "promtool check metrics: $(promtool check metrics <"$T_TMP/metrics.txt" 2>&1 | head -5)"
for d in pollerd alertd apid; do grep -q "daemon=\"$d\"" "$T_TMP/metrics.txt" || t_fail "no $d series in /metrics"; done
grep -q '^http_requests_total{daemon="apid",route="/api/admin/status",code="200"} 4' "$T_TMP/metrics.txt" ||
	t_fail "apid request counter: $(grep http_requests_total "$T_TMP/metrics.txt" | head -3)"
dup=$(grep -c '^# TYPE' "$T_TMP/metrics.txt")
t_assert_eq "$(grep '^# TYPE' "$T_TMP/metrics.txt" | sort -u | wc -l)" "$dup" "one TYPE per family"
body=$(t_http GET "$APID/healthz")
t_assert_eq "$(t_http_code)" 200 "healthz with three live daemons: $body"

# ---- pollerd away: 202, then applied when it returns ---------------------------
t_stop pollerd || t_fail "pollerd did not stop cleanly"
code=$(curl -s -o "$T_TMP/q.json" -w '%{http_code}' -X POST http://localhost:$APID_PORT/api/admin/status \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"service_id": "hr-system", "new_status": "operational", "reason": "Fixed while pollerd was down"}')
t_assert_eq "$code" 202 "admin with pollerd stopped"
id=$(jq -r .data.inbox_id "$T_TMP/q.json")
stale() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$APID/healthz")" = 503 ]; }
t_wait_for 10 stale || t_fail "healthz stayed 200 without pollerd"
body=$(t_http GET "$APID/healthz")
t_assert_eq "$(t_json_get "$body" '.stale | join(",")')" pollerd "healthz names the stale daemon"
t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
applied() { [ "$(sqlite3 "$DB" "SELECT state FROM inbox WHERE id = $id")" = applied ]; }
t_wait_for 10 applied || t_fail "pollerd did not apply the queued command"
body=$(curl -s -H "Authorization: Bearer $TOKEN" "$APID/api/admin/inbox/$id")
t_assert_eq "$(t_json_get "$body" '[.data.state, .data.result.status_changed] | join(",")')" "applied,true" "inbox row"
t_wait_for 10 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $APID/healthz) = 200 ]" || t_fail "healthz did not recover"
echo ok
