#!/usr/bin/env bash
# pollerd_storyline.sh -- the real bin/pollerd against fakevendor on a temporary
# database, three-second cycles (room for the script to act between them), playing a scripted storyline over 30 cycles and
# 14 services, then checking the exact status_events rows (kind 'status' and
# 'health') with sqlite3:
#
#   steady   operational throughout: one baseline, nothing else
#   blip     one minor reading: buffered and forgotten, no event
#   outage   critical x3 -> committed (confirm 3 + dwell), none x2 -> recovery
#   escal    minor -> degraded, critical -> major (escalation), minor x2 ->
#            degraded (improvement: recovery count, no dwell), none -> operational
#   maint    vendor maintenance (indicator + in_progress window): flag set, no
#            failure; a change inside it carries in_maintenance=1; the window
#            leaving the feed is marked completed
#   burst    three cycles of 503 (retried) -> broken, then healthy again
#   slow     three polls of timeouts -> broken (reason timeout) -> healthy
#   garble   an HTML page where JSON belongs: parse_error, never an all-clear
#   brk      its own host answering 503: broken, breaker open (fail fast, no
#            requests reach the host), half-open probe after the TTL, closed
#   ck       http_check: a 503 answer is a reading (major_outage), not a failure
#   man      manual service: manual_status inbox rows (audit fields, result JSON)
#   hook     a Statuspage webhook (real delivery shape, meta.unsubscribe URL)
#            commits at once; two stale polls do not undo it; the page
#            catching up hands the service back to polling
#   idle     a second service on steady's URL: one GET serves both
# Finally SIGTERM in the middle of a slow cycle stops pollerd within 1 s.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

DB=$T_TMP/itstatus.db

# ---- fakes ---------------------------------------------------------------------
t_fake fva fakevendor
A=$T_URL
t_fake fvb fakevendor
B=$T_URL
BHOST=${B#http://}

ctl() { # ctl BASE ENDPOINT JSON
	local body
	body=$(t_http POST "$1/_control/$2" "$3")
	[ "$(t_http_code)" = 200 ] || t_fail "control $2 $3 -> $(t_http_code) $body"
}

# page INDICATOR [COMPONENTS_JSON [MAINTS_JSON [INCIDENTS_JSON]]] -> a Statuspage summary
page() {
	jq -cn --arg ind "$1" --argjson comps "${2:-[]}" --argjson maints "${3:-[]}" \
		--argjson incs "${4:-[]}" '{
		page: {id: "p1", name: "Fake"},
		status: {indicator: $ind, description: ("indicator " + $ind)},
		components: $comps, incidents: $incs, scheduled_maintenances: $maints}'
}

# set BASE PATH BODY [STATUS [CONTENT_TYPE]]
set_payload() {
	ctl "$1" payload "$(jq -cn --arg p "$2" --arg b "$3" --argjson s "${4:-200}" \
		--arg ct "${5:-application/json}" '{path: $p, body: $b, status: $s, content_type: $ct}')"
}
setp() { set_payload "$A" "/$1.json" "$(page "${@:2}")"; }

INCIDENT='[{"id":"inc-42","name":"Elevated errors","status":"investigating","impact":"critical","components":[]}]'
MAINT_WINDOW='[{"id":"mw-1","name":"Database upgrade","status":"in_progress",
  "scheduled_for":"2020-01-01T00:00:00.000Z","scheduled_until":"2099-01-01T00:00:00.000Z",
  "incident_updates":[{"body":"Upgrading"}],"components":[]}]'
DEGRADED_CORE='[{"id":"c1","name":"Core","status":"degraded_performance"}]'

for s in steady blip outage escal maint burst slow garble hook; do setp "$s" none; done
set_payload "$B" /brk.json "$(page none)"
set_payload "$A" /ck "OK healthy" 200 text/plain

# ---- configuration ---------------------------------------------------------------
cat >"$T_TMP/itstatus.yaml" <<EOF
database_path: itstatus.db
EOF
svc() { # id poll_type url [extra]
	printf '  - {id: %s, display_name: %s, category: other, poll_type: %s, poll_url: "%s"%s}\n' \
		"$1" "${1^}" "$2" "$3" "${4:-}"
}
{
	echo "services:"
	for s in steady blip outage escal maint burst slow garble hook; do
		svc "$s" statuspage_json "$A/$s.json"
	done
	svc idle statuspage_json "$A/steady.json"
	svc brk statuspage_json "$B/brk.json"
	svc ck http_check "$A/ck" ", keyword: healthy"
	echo "  - {id: man, display_name: Man, category: identity, poll_type: manual}"
} >"$T_TMP/services.yaml"
cat >"$T_TMP/dependencies.yaml" <<EOF
dependencies:
  man:
    - {service: outage, impact: login, severity: critical}
    - {service: escal, impact: login, severity: low}
EOF

export POLL_INTERVAL_SECONDS=3 ALERT_CONFIRM_THRESHOLD_POLLS=3 ALERT_RECOVERY_THRESHOLD_POLLS=2 \
	ALERT_MIN_STATE_DURATION_SECONDS=1 POLLER_FAILURE_THRESHOLD=3 BREAKER_THRESHOLD=4 \
	BREAKER_TTL_SECONDS=7 HTTP_TIMEOUT_SECONDS=1 HTTP_CONNECT_TIMEOUT_SECONDS=1 \
	HTTP_RETRY_ATTEMPTS=2 METRICS_FLUSH_SECONDS=1 HEARTBEAT_INTERVAL_SECONDS=1 LOG_JSON=true \
	LOG_LEVEL=INFO
t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"

q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
cycles() { grep -cE '"msg":"poll cycle (done|errored)"' "$T_TMP/pollerd.log" 2>/dev/null || echo 0; }
at_least() { [ "$(cycles)" -ge "$1" ]; }
# at N: wait until N cycles are over (then act before cycle N+1 starts).
at() {
	t_wait_for 60 at_least "$1" || t_fail "cycle $1 never finished (at $(cycles))"
	local c
	c=$(cycles)
	[ "$c" -eq "$1" ] || t_fail "storyline lost track: wanted to act after cycle $1, at $c"
	printf "cycle %s at %s\n" "$1" "$(date +%T.%3N)"
}
inbox() { # kind service payload -> id
	q "INSERT INTO inbox (kind, consumer, service_id, payload, client_ip) VALUES
	   ('$1', 'pollerd', '$2', '$(printf '%s' "$3" | sed "s/'/''/g")', '192.0.2.9');
	   SELECT last_insert_rowid();"
}
applied() { [ "$(q "SELECT state FROM inbox WHERE id = $1")" = applied ]; }
expect() { # expect SQL WANT MSG
	local got
	got=$(q "$1")
	[ "$got" = "$2" ] || t_fail "$3: got '$got', want '$2'"
}

# ---- the storyline -----------------------------------------------------------------
at 2
expect "SELECT count(*) FROM status_events WHERE is_baseline = 1" 12 "baselines after the first cycle"
setp blip minor
at 3
setp blip none
setp outage critical
at 4
setp escal minor
at 5
setp maint maintenance '[]' "$MAINT_WINDOW"
at 6
ctl "$A" fault '{"path":"/burst.json","fault":"status","code":503,"count":6}'
expect "SELECT current_status FROM services WHERE id = 'outage'" major_outage "outage committed at cycle 6"
at 7
setp outage none
expect "SELECT in_maintenance || status || poller_health FROM scheduled_maintenances, services
	WHERE services.id = 'maint' AND scheduled_maintenances.service_id = 'maint'" \
	"1in_progresshealthy" "vendor maintenance ingested, no failure"
at 8
setp escal critical
setp maint maintenance "$DEGRADED_CORE" "$MAINT_WINDOW"
at 9
ctl "$A" payload '{"path":"/garble.json","body":"<html><body>Bad gateway</body></html>","content_type":"text/html"}'
expect "SELECT current_status FROM services WHERE id = 'outage'" operational "outage recovered at cycle 9"
expect "SELECT poller_health || consecutive_failures FROM services WHERE id = 'burst'" broken3 "503 burst"
at 10
expect "SELECT poller_health || consecutive_failures FROM services WHERE id = 'burst'" healthy0 "burst over"
at 12
setp escal minor
setp maint none
expect "SELECT current_status FROM services WHERE id = 'escal'" major_outage "escalation at cycle 11"
expect "SELECT current_status || in_maintenance FROM services WHERE id = 'maint'" degraded1 "change in maintenance"
expect "SELECT last_failure_reason LIKE 'parse_error: %' FROM services WHERE id = 'garble'" 1 "garbled page"
at 13
setp garble none
expect "SELECT status FROM scheduled_maintenances WHERE service_id = 'maint'" completed "window left the feed"
at 14
ctl "$B" fault '{"path":"/brk.json","fault":"status","code":503}'
expect "SELECT current_status FROM services WHERE id = 'escal'" degraded "improvement at cycle 14"
at 15
setp escal none
at 16
m1=$(inbox manual_status man '{"status":"major_outage","detail":"IdP down","reason":"vendor call","updated_by":"oncall"}')
t_wait_for 3 applied "$m1" || t_fail "manual status not applied within 3 s"
expect "SELECT result FROM inbox WHERE id = $m1" \
	'{"service_id":"man","status":"major_outage","previous_status":"unknown","status_changed":true,"event_id":'"$(q "SELECT event_id FROM inbox WHERE id = $m1")"'}' \
	"manual result"
at 18
m2=$(inbox manual_status man '{"status":"operational","reason":"fixed"}')
t_wait_for 3 applied "$m2" || t_fail "manual recovery not applied"
b18=$(t_http GET "$B/_control/stats" | jq '.requests')
at 19
expect "SELECT last_failure_reason FROM services WHERE id = 'brk'" "circuit_breaker_open: Circuit breaker open for host '$BHOST'" "breaker open after 4 failures"
hook=$(jq -c '.page.status_indicator = "major" | .page.status_description = "Partial System Outage"
	| .incident.status = "investigating" | .incident.impact = "major" | .incident.id = "wh-1"
	| .incident.name = "API errors"' "$ITSTATUS_FIXTURES/statuspage-webhook/zulip-incident-created-identified.json")
h1=$(inbox webhook_statuspage hook "$hook")
t_wait_for 3 applied "$h1" || t_fail "webhook not applied"
expect "SELECT current_status || ' ' || status_source FROM services WHERE id = 'hook'" "partial_outage webhook" "webhook commits at once"
at 20
b20=$(t_http GET "$B/_control/stats" | jq '.requests')
t_assert_eq "$b20" "$b18" "no requests reach a host whose breaker is open"
ctl "$B" fault '{"path":"/brk.json","fault":"none"}'
at 21
expect "SELECT current_status || ' ' || status_source FROM services WHERE id = 'hook'" "partial_outage webhook" "two stale polls do not undo a webhook"
setp hook major
at 22
expect "SELECT current_status || ' ' || status_source FROM services WHERE id = 'hook'" "partial_outage poll" "the page caught up"
setp hook none
at 23
set_payload "$A" /ck "Service Unavailable" 503 text/plain
at 26
set_payload "$A" /ck "OK healthy" 200 text/plain
expect "SELECT current_status || ' ' || poller_health FROM services WHERE id = 'ck'" "major_outage healthy" "http_check 503 is a reading"
expect "SELECT poller_health FROM services WHERE id = 'brk'" healthy "breaker closed, brk healthy"
# Timeouts last last: a poll that waits for them is longer than the interval,
# so slow keeps its own (longer) schedule while the others start their next
# cycles on time (doc/faults.md#slow); exact cycle bookkeeping ends here.
# Wait for its three timed-out polls and the one after, not for a cycle count.
ctl "$A" fault '{"path":"/slow.json","fault":"delay","ms":2500,"count":6}'
t_wait_for 90 at_least 31 || t_fail "cycle 31 never finished"
slow_back() { [ "$(q "SELECT count(*) FROM status_events WHERE service_id = 'slow' AND kind = 'health' AND new_health = 'healthy'")" = 1 ]; }
t_wait_for 60 slow_back || t_fail "slow never came back: $(q "SELECT poller_health, consecutive_failures FROM services WHERE id = 'slow'")"

# ---- the exact event stream ------------------------------------------------------------
events() { # per service: kind:prev>new[:flags], in id order
	q "SELECT group_concat(e, ' ') FROM (SELECT CASE kind WHEN 'status' THEN
		previous_status || '>' || new_status || CASE WHEN is_baseline THEN '(b)' ELSE '' END
		|| CASE WHEN in_maintenance THEN '(m)' ELSE '' END
		|| CASE WHEN source != (SELECT poll_type FROM services WHERE id = '$1') THEN '(' || source || ')' ELSE '' END
		ELSE 'H:' || previous_health || '>' || new_health || ':' || coalesce(failure_reason, '-') END AS e
		FROM status_events WHERE service_id = '$1' ORDER BY id)"
}
check_events() { t_assert_eq "$(events "$1")" "$2" "events of $1"; }
check_events steady "unknown>operational(b)"
check_events idle "unknown>operational(b)"
check_events blip "unknown>operational(b)"
check_events outage "unknown>operational(b) operational>major_outage major_outage>operational"
check_events escal "unknown>operational(b) operational>degraded degraded>major_outage major_outage>degraded degraded>operational"
check_events maint "unknown>operational(b) operational>degraded(m) degraded>operational"
check_events burst "unknown>operational(b) H:degraded>broken:transient_http_503 H:broken>healthy:-"
check_events slow "unknown>operational(b) H:degraded>broken:timeout H:broken>healthy:-"
garble=$(events garble)
case $garble in
"unknown>operational(b) H:degraded>broken:parse_error: "*" H:broken>healthy:-") ;;
*) t_fail "events of garble: $garble" ;;
esac
check_events brk "unknown>operational(b) H:degraded>broken:transient_http_503 H:broken>healthy:-"
check_events ck "unknown>operational(b) operational>major_outage major_outage>operational"
check_events man "unknown>major_outage major_outage>operational"
check_events hook "unknown>operational(b) operational>partial_outage(webhook) partial_outage>operational"

# event details
expect "SELECT source || '|' || updated_by || '|' || reason || '|' || client_ip || '|' || inbox_id || '|' || vendor_detail
	FROM status_events WHERE service_id = 'man' ORDER BY id LIMIT 1" "manual|oncall|vendor call|192.0.2.9|$m1|IdP down" "manual audit fields"
expect "SELECT impact_statement FROM status_events WHERE service_id = 'man' ORDER BY id LIMIT 1" \
	"⚠️ Man is experiencing a MAJOR OUTAGE. IdP down. This may impact: Outage, Escal." "impact statement with downstreams"
expect "SELECT vendor_incident_id || '|' || vendor_title || '|' || inbox_id FROM status_events WHERE service_id = 'hook' AND source = 'webhook'" \
	"wh-1|API errors|$h1" "webhook event carries the vendor incident"
expect "SELECT impact_statement FROM status_events WHERE service_id = 'outage' AND new_status = 'operational' AND is_baseline = 0" \
	"Outage has recovered and is now operational." "recovery statement"
expect "SELECT count(*) FROM services WHERE poller_health != 'healthy'" 0 "everyone healthy at the end"

# the breaker's life in the log: open, half-open probe, closed
for st in open half_open closed; do
	grep -q "\"msg\":\"circuit breaker $st for host $BHOST\"" "$T_TMP/pollerd.log" ||
		t_fail "breaker never went $st"
done
expect "SELECT value FROM metrics WHERE daemon = 'pollerd' AND name = 'circuit_breaker_state' AND labels = '{host=\"$BHOST\"}'" 0.0 "breaker gauge closed"
expect "SELECT value > 0 FROM metrics WHERE name = 'poll_total' AND labels = '{service=\"brk\",outcome=\"circuit_open\"}'" 1 "circuit_open outcomes counted"
expect "SELECT value > 0 FROM metrics WHERE name = 'http_not_modified_total'" 1 "304s counted"
expect "SELECT count(*) FROM heartbeats WHERE daemon = 'pollerd' AND last_cycle_at IS NOT NULL" 1 "heartbeat with last_cycle_at"
# One GET per distinct URL per cycle: steady.json served both steady and idle.
sreq=$(t_http GET "$A/_control/stats?path=/steady.json" | jq '.paths["/steady.json"].requests')
[ "$sreq" -le "$(cycles)" ] || t_fail "steady.json fetched $sreq times in $(cycles) cycles"

# ---- SIGTERM mid-cycle -------------------------------------------------------------------
ctl "$A" fault '{"path":"/slow.json","fault":"delay","ms":5000}'
c=$(cycles)
t_wait_for 10 at_least $((c + 1)) || t_fail "no cycle after the delay fault"
# slow keeps its own schedule: wait until its next GET is on the wire.
slow_gets() { t_http GET "$A/_control/stats?path=/slow.json" | jq '.paths["/slow.json"].requests'; }
s0=$(slow_gets)
slow_asked() { [ "$(slow_gets)" -gt "$s0" ]; }
t_wait_for 10 slow_asked || t_fail "slow.json not asked for after the delay fault"
sleep 0.3 # inside the slow cycle now
start=$(t_ms)
t_stop pollerd 3
rc=$?
took=$(($(t_ms) - start))
[ "$rc" -eq 0 ] || t_fail "pollerd exited $rc on SIGTERM"
[ "$took" -lt 1000 ] || t_fail "SIGTERM took ${took} ms"
grep -q '"msg":"poll cycle aborted"' "$T_TMP/pollerd.log" || t_fail "the cycle was not aborted"
echo "ok - storyline over $c cycles; SIGTERM mid-cycle stopped pollerd in ${took} ms"
