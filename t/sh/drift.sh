#!/usr/bin/env bash
# drift.sh -- format drift made visible end to end (issue 13, doc/drift.md):
# real vendor payloads, edited the way vendors drift (an incident without
# its id, a Slack incident of a new type), are read by pollerd with a healthy
# poller and the seed's status; the drift note is stored on the service with
# when it was first seen, logged once (not on every poll), replaced when the
# drift changes, returned by the API and counted in /metrics, next to the
# seed's scheduler_last_heartbeat_seconds for every daemon.
set -u
. "$(dirname "$0")/apid_lib.sh"

F=$ITSTATUS_ROOT/t/fixtures/vendors
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

t_fake fv fakevendor
V=$T_URL
serve() { # path body
	t_http POST "$V/_control/payload" "$(jq -cn --arg p "$1" --arg b "$2" '{path: $p, body: $b}')" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "payload $1"
}
sp_noid=$(jq -c 'del(.incidents[0].id)' "$F/statuspage/cursor-summary-minor-degraded-component.json")
sl_type=$(jq -c '.active_incidents[0].type = "degradation"' "$F/slack/slack-current-active-incident.json")
serve /sp.json "$sp_noid"
serve /slack.json "$sl_type"

apid_setup
cat >"$T_TMP/services.yaml" <<YAML
services:
  - {id: cursor, display_name: Cursor, category: engineering, poll_type: statuspage_json, poll_url: "$V/sp.json"}
  - {id: slack, display_name: Slack, category: collaboration, poll_type: current_status_api, poll_url: "$V/slack.json"}
YAML
echo "dependencies: {}" >"$T_TMP/dependencies.yaml"
export LOG_JSON=true METRICS_FLUSH_SECONDS=1

once() { "$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>>"$T_TMP/once.log" || t_fail "--once exited $?"; }
once
t_assert_eq "$(q "SELECT group_concat(id || '=' || current_status || '/' || poller_health, ',') FROM (SELECT * FROM services ORDER BY id)")" \
	"cursor=degraded/healthy,slack=degraded/healthy" "the seed's statuses, healthy pollers"
t_assert_eq "$(q "SELECT drift_note FROM services WHERE id = 'cursor'")" "incidents[].id missing" "cursor note"
t_assert_eq "$(q "SELECT drift_note FROM services WHERE id = 'slack'")" \
	'unknown incident type "degradation" read as degraded' "slack note"
t_assert_eq "$(q "SELECT current_incident_id IS NULL FROM services WHERE id = 'cursor'")" 1 "no incident id to attach"
first=$(q "SELECT drift_first_seen_at FROM services WHERE id = 'cursor'")
[ -n "$first" ] || t_fail "no first-seen time"
echo "ok - drifted payloads read with the seed's status and a stored note"

once
t_assert_eq "$(grep -c '"msg":"vendor format drift for cursor' "$T_TMP/once.log")" 1 "logged once over two polls"
t_assert_eq "$(q "SELECT drift_first_seen_at FROM services WHERE id = 'cursor'")" "$first" "first seen kept"
t_assert_eq "$(q "SELECT drift_last_seen_at > drift_first_seen_at FROM services WHERE id = 'cursor'")" 1 "last seen moves"
echo "ok - the same note is logged once and keeps its first-seen time"

# the vendor drifts further: a new note, logged, first seen now
serve /sp.json "$(jq -c '.incidents[0].id = 99' "$F/statuspage/cursor-summary-minor-degraded-component.json")"
once
t_assert_eq "$(q "SELECT drift_note || ' ' || current_incident_id FROM services WHERE id = 'cursor'")" \
	"incidents[].id is a number (99), read as a string 99" "numeric id read"
t_assert_eq "$(grep -c '"msg":"vendor format drift for cursor' "$T_TMP/once.log")" 2 "the new note is logged"
t_assert_eq "$(q "SELECT drift_first_seen_at > '$first' FROM services WHERE id = 'cursor'")" 1 "new first seen"
echo "ok - a different note is a new drift"

# hostile stays hostile: a null status field is a failure with its reason
serve /slack.json '{"status":null,"active_incidents":[]}'
once
t_assert_eq "$(q "SELECT consecutive_failures || ' ' || last_failure_reason FROM services WHERE id = 'slack'")" \
	"1 parse_error: status: expected string, got null" "null status fails"
echo "ok - a null status field still fails with its reason"

# API and metrics
apid_start
out=$(curl -sf "$APID/api/services/cursor") || t_fail "GET service"
t_assert_eq "$(t_json_get "$out" '.data.service.drift_note')" "incidents[].id is a number (99), read as a string" "API note"
t_assert_eq "$(t_json_get "$out" '.data.service.drift_first_seen_at != null and .data.service.drift_last_seen_at != null')" true "API times"
out=$(curl -sf "$APID/api/services") || t_fail "GET services"
t_assert_eq "$(t_json_get "$out" '[.data.services[] | select(.id == "slack") | .drift_note][0]')" \
	'unknown incident type "degradation" read as degraded' "list carries the note"
# counters are per process: each --once run starts them afresh
m=$(curl -sf "$APID/metrics") || t_fail "GET /metrics"
grep -q '^format_drift_total{daemon="pollerd",service="cursor",field="incidents\[\].id"} 1$' <<<"$m" ||
	t_fail "format_drift_total for cursor: $(grep format_drift <<<"$m")"
grep -q '^format_drift_total{daemon="pollerd",service="slack",field="active_incidents\[\].type"} 1$' <<<"$m" ||
	t_fail "format_drift_total for slack: $(grep format_drift <<<"$m")"
grep -q '^scheduler_last_heartbeat_seconds{daemon="pollerd"} [0-9.e+]*$' <<<"$m" || t_fail "pollerd heartbeat age"
grep -q '^scheduler_last_heartbeat_seconds{daemon="apid"} [0-9.e+]*$' <<<"$m" || t_fail "apid heartbeat age"
echo "ok - the API returns the notes; /metrics counts them and has each daemon's heartbeat age"
