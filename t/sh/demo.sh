#!/usr/bin/env bash
# t/sh/demo.sh -- `make demo` end to end: t/demo/run headless for 90 s on a
# scratch directory and a random port, then the storyline's promises are
# checked where they end up -- status_events and alert_sent_log (sqlite3) and
# what fakeslack received (jq on slack.jsonl): every polled service
# baselines, the SSO outage pages ONCE as an aggregated alert naming its
# dependents, the recoveries are announced, the broken GitLab poller pages
# the poller channel and recovers, maintenance and a flapping page stay quiet,
# the seeded history never reaches Slack, every daemon shuts down cleanly and
# nothing the demo started outlives it.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

command -v sqlite3 >/dev/null || t_fail "sqlite3 is required"
command -v jq >/dev/null || t_fail "jq is required"

DEMO=$T_TMP/demo
SECS=90
DB=$DEMO/itstatus.db
SLACK=$DEMO/slack.jsonl

# A random port nobody answers on (if another test takes it meanwhile,
# t/demo/run fails loudly on apid's "cannot listen").
port=$(t_closed_port)

# The demo's own stdout/stderr go to $T_TMP/demo.log (t_fail shows its tail);
# its files (daemons.log, slack.jsonl, pids, exit-status) go to $DEMO.
t_start demo env DEMO_SECONDS=$SECS DEMO_DIR="$DEMO" DEMO_PORT="$port" ADMIN_API_TOKEN=demo-token \
	ITSTATUS_BIN="$ITSTATUS_BIN" ITSTATUS_TBIN="$ITSTATUS_TBIN" ITSTATUS_FIXTURES="$ITSTATUS_FIXTURES" \
	"$ITSTATUS_ROOT/t/demo/run"
demo_pid=$(t_pid demo)

# While it runs: the dashboard is served on the demo port.
t_wait_for 30 grep -q '^storyline ' "$DEMO/pids" ||
	t_fail "the demo did not get as far as the storyline (see $DEMO/daemons.log)"
html=$(curl -s --max-time 5 -D "$T_TMP/index.headers" "http://127.0.0.1:$port/")
grep -qi '^content-type: text/html' "$T_TMP/index.headers" || t_fail "GET / is not text/html: $(head -n 5 "$T_TMP/index.headers")"
case $html in *'<!doctype html>'* | *'<!DOCTYPE html>'*) ;; *) t_fail "GET / is not the dashboard: ${html:0:200}" ;; esac
echo "ok - dashboard served on :$port"

# Wait for the demo to end by itself (DEMO_SECONDS plus its shutdown).
for ((i = 0; i < (SECS + 40) * 10; i++)); do
	kill -0 "$demo_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$demo_pid" 2>/dev/null && t_fail "t/demo/run still running $((SECS + 40)) s after start"
t_stop demo
rc=$?
[ $rc = 0 ] || t_fail "t/demo/run exited $rc"
echo "ok - t/demo/run finished after ${SECS}s"

# ---- every process the demo started is gone, and shut down cleanly ---------
[ -s "$DEMO/pids" ] || t_fail "no $DEMO/pids"
while read -r name pid; do
	if [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
		t_fail "$name (pid $pid) still running after the demo ended"
	fi
done <"$DEMO/pids"
# The storyline's children (curl, sleep, the flap loop) have other pids: any
# process whose command line names the scratch directory is a leftover.
for d in /proc/[0-9]*; do
	[ "${d#/proc/}" = "$$" ] && continue
	cmd=$({ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue # gone meanwhile
	case $cmd in *"$DEMO"*) t_fail "leftover process ${d#/proc/}: $cmd" ;; esac
done
[ -s "$DEMO/exit-status" ] || t_fail "t/demo/run wrote no exit-status"
for name in pollerd alertd apid fakevendor fakeslack; do
	read -r rc alive < <(awk -v n="$name" '$1 == n {print $2, $3}' "$DEMO/exit-status")
	[ "${alive:-}" = 1 ] || t_fail "$name was not running when the demo ended (exit ${rc:-?}); see $DEMO/daemons.log"
	[ "${rc:-}" = 0 ] || t_fail "$name exited ${rc:-?} on SIGTERM; see $DEMO/daemons.log"
done
for d in pollerd alertd apid; do
	grep -q "^\[$d\] .* $d stopping" "$DEMO/daemons.log" || t_fail "$d never logged its shutdown"
done
echo "ok - all processes stopped, every daemon exited 0 on SIGTERM"

# ---- database --------------------------------------------------------------
[ -s "$DB" ] || t_fail "no database at $DB"
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" || t_fail "sqlite3 failed: $1"; }
# want SQL MSG: the query must count at least one row
want() { [ "$(q "$1")" -ge 1 ] || t_fail "$2"; }
live="source <> 'demo'" # events of this run, not the seeded history

# Every polled service read its page successfully at least once (a parse
# failure leaves it unknown), and the operator set the manual ones.
missing=$(q "SELECT group_concat(id, ' ') FROM services s WHERE poll_type <> 'manual' AND NOT EXISTS
	(SELECT 1 FROM status_events e WHERE e.service_id = s.id AND e.$live AND e.kind = 'status' AND e.is_baseline = 1)")
[ -z "$missing" ] || t_fail "no baseline for: $missing"
unknown=$(q "SELECT group_concat(id, ' ') FROM services WHERE current_status = 'unknown' OR poller_health <> 'healthy'")
[ -z "$unknown" ] || t_fail "unknown or unhealthy at the end: $unknown"
[ "$(q "SELECT count(*) FROM services")" = 32 ] || t_fail "expected 32 services, got $(q "SELECT count(*) FROM services")"
echo "ok - 29 polled services baselined, 3 manual ones set, all healthy at the end"

want "SELECT count(*) FROM status_events WHERE $live AND service_id = 'sso' AND kind = 'status'
	AND previous_status = 'operational' AND new_status = 'major_outage'" "no sso -> major_outage event"
for s in github npm pypi dropbox; do
	want "SELECT count(*) FROM status_events WHERE $live AND service_id = '$s' AND kind = 'status'
		AND previous_status = 'operational' AND new_status IN ('degraded', 'partial_outage', 'major_outage')" \
		"no worsening event for $s during the SSO outage"
done
for s in sso github npm pypi dropbox; do
	want "SELECT count(*) FROM status_events WHERE $live AND service_id = '$s' AND kind = 'status'
		AND previous_status <> 'operational' AND new_status = 'operational' AND is_baseline = 0" \
		"$s never recovered to operational"
done
want "SELECT count(*) FROM status_events b JOIN status_events h ON h.service_id = b.service_id AND h.id > b.id
	WHERE b.service_id = 'gitlab' AND b.kind = 'health' AND b.new_health = 'broken'
	AND h.kind = 'health' AND h.previous_health = 'broken' AND h.new_health = 'healthy'" \
	"gitlab's poller was not broken and then healthy"
want "SELECT count(*) FROM status_events WHERE $live AND service_id = 'anydesk' AND kind = 'status'
	AND in_maintenance = 1" "anydesk never entered maintenance"
want "SELECT count(*) FROM status_events WHERE service_id = 'ticketing' AND source = 'manual'
	AND new_status = 'degraded' AND updated_by IS NOT NULL" "the operator's curl on ticketing left no event"
want "SELECT count(*) FROM status_events WHERE $live AND service_id = 'slack' AND new_status <> 'operational'
	AND is_baseline = 0" "the Slack incident left no event"
echo "ok - storyline status and health events present"

# The SSO outage: one aggregated alert, fired; the dependents under it.
want "SELECT count(*) FROM alert_sent_log WHERE alert_kind = 'aggregated_upstream' AND service_id = 'sso'
	AND suppressed_by IS NULL" "no fired aggregated_upstream alert for sso"
agg_deps=$(q "SELECT group_concat(service_id, ' ') FROM (SELECT service_id FROM alert_sent_log
	WHERE suppressed_by = 'aggregated_under_upstream' AND aggregated_under = 'sso' ORDER BY service_id)")
[ "$agg_deps" = "dropbox github npm pypi" ] ||
	t_fail "dependents aggregated under sso: got '$agg_deps', want 'dropbox github npm pypi'"
fired_deps=$(q "SELECT group_concat(service_id, ' ') FROM alert_sent_log WHERE service_id IN
	('github', 'npm', 'pypi', 'dropbox') AND new_status <> 'operational' AND suppressed_by IS NULL")
[ -z "$fired_deps" ] || t_fail "dependents paged on their own during the SSO outage: $fired_deps"
# Recoveries: at least one fired alert (single or batch) back to operational, delivered.
want "SELECT count(*) FROM alert_sent_log a JOIN outbox o ON o.alert_id = a.id
	WHERE a.suppressed_by IS NULL AND a.new_status = 'operational' AND a.alert_kind IN ('status_change', 'batch')
	AND o.state = 'sent'" "no recovery alert was sent"
# The poller channel got BROKEN and RECOVERED for gitlab.
for h in broken healthy; do
	want "SELECT count(*) FROM alert_sent_log a JOIN outbox o ON o.alert_id = a.id WHERE a.service_id = 'gitlab'
		AND a.alert_kind = 'poller_health' AND a.new_status = '$h' AND a.suppressed_by IS NULL
		AND o.destination = 'slack:poller_health' AND o.state = 'sent'" "no poller_health $h alert sent for gitlab"
done
# Quiet ones: maintenance suppresses AnyDesk, Datadog's flap never confirms.
loud=$(q "SELECT group_concat(service_id || ':' || new_status, ' ') FROM alert_sent_log a
	WHERE service_id IN ('anydesk', 'datadog') AND suppressed_by IS NULL")
[ -z "$loud" ] || t_fail "alerts fired for maintenance/flapping services: $loud"
want "SELECT count(*) FROM alert_sent_log WHERE service_id = 'anydesk' AND suppressed_by = 'maintenance_window'" \
	"anydesk's change was not suppressed by its maintenance"
# Demo history is decided (one row each) but never sent.
n_demo=$(q "SELECT count(*) FROM status_events WHERE source = 'demo'")
[ "$n_demo" -gt 0 ] || t_fail "no SEED_DEMO_DATA history was written"
bad=$(q "SELECT count(*) FROM alert_sent_log a JOIN status_events e ON e.id = a.status_event_id
	WHERE e.source = 'demo' AND (a.suppressed_by IS NOT 'baseline' OR EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id))")
[ "$bad" = 0 ] || t_fail "$bad decisions on demo-history events were not silent baselines"
echo "ok - alert decisions: aggregated, recovered, poller health, quiet maintenance/flap, silent history"

# ---- what fakeslack received -----------------------------------------------
[ -s "$SLACK" ] || t_fail "fakeslack received nothing ($SLACK empty)"
jq -e . "$SLACK" >/dev/null || t_fail "slack.jsonl is not JSON lines"
# All of a message's text, header to context, as one string per request.
texts() { jq -c --arg p "$1" 'select(.path == $p) | {seq, text: ([.json | .. | strings] | join(" "))}' "$SLACK"; }
texts /services/DEMO/ALERTS >"$T_TMP/alerts.jsonl"
texts /services/DEMO/POLLER >"$T_TMP/poller.jsonl"
# The outage pages once (the recovery batch names the same services, so
# count only messages about going down), and that one names the dependents.
n_down=$(jq -s '[.[] | select(.text | test("Okta SSO: [^→]*→ Major Outage"))] | length' "$T_TMP/alerts.jsonl")
[ "$n_down" = 1 ] || t_fail "want ONE message for Okta SSO going down, got $n_down"
jq -e -s 'any(.[]; .text | test("Okta SSO: [^→]*→ Major Outage") and test("GitHub") and test("npm")
	and test("PyPI") and test("Dropbox"))' "$T_TMP/alerts.jsonl" >/dev/null ||
	t_fail "the SSO outage message does not name GitHub, npm, PyPI and Dropbox"
for s in GitHub npm PyPI Dropbox; do
	n=$(jq -s --arg s "$s" '[.[] | select(.text | test($s + ": [^→]*→ (Degraded|Partial Outage|Major Outage)"))] | length' \
		"$T_TMP/alerts.jsonl")
	[ "$n" = 0 ] || t_fail "$s paged on its own ($n messages) instead of under the aggregated alert"
done
jq -e -s 'any(.[]; .text | test("recovered") and test("→ Operational"))' "$T_TMP/alerts.jsonl" >/dev/null ||
	t_fail "no recovery message reached fakeslack"
jq -e -s 'any(.[]; .text | test("BROKEN") and test("GitLab"))' "$T_TMP/poller.jsonl" >/dev/null ||
	t_fail "no poller BROKEN message for GitLab on the poller webhook"
jq -e -s 'any(.[]; .text | test("RECOVERED") and test("GitLab"))' "$T_TMP/poller.jsonl" >/dev/null ||
	t_fail "no poller RECOVERED message for GitLab on the poller webhook"
jq -e -s 'any(.[]; .text | test("Slack:") and test("<!here>"))' "$T_TMP/alerts.jsonl" >/dev/null ||
	t_fail "no @here message for the Slack incident"
jq -e -s 'any(.[]; .text | test("Ticketing"))' "$T_TMP/alerts.jsonl" >/dev/null ||
	t_fail "no message for the operator's Ticketing change"
jq -e -s 'all(.[]; .text | test("AnyDesk|Datadog") | not)' "$T_TMP/alerts.jsonl" >/dev/null ||
	t_fail "a message mentions AnyDesk or Datadog (maintenance / flapping must stay quiet)"
# Every request is one of this run's outbox rows, none for a demo-history event.
for id in $(jq -r '.headers["X-Itstatus-Outbox-Id"] // "none"' "$SLACK"); do
	case $id in '' | *[!0-9]*) t_fail "fakeslack got a request without a numeric X-Itstatus-Outbox-Id ($id)" ;; esac
	[ "$(q "SELECT count(*) FROM outbox WHERE id = $id")" = 1 ] || t_fail "fakeslack got outbox id $id, not in the outbox"
	[ "$(q "SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id
		JOIN status_events e ON e.id = a.status_event_id WHERE o.id = $id AND e.source = 'demo'")" = 0 ] ||
		t_fail "outbox $id (a demo-history event) reached fakeslack"
done
bad=$(jq -r 'select((.limit_violations // []) | length > 0) | .seq' "$SLACK")
[ -z "$bad" ] || t_fail "Block Kit limit violations in fakeslack requests: $bad"
echo "ok - fakeslack: one aggregated SSO alert, recovery, poller BROKEN/RECOVERED, no history, no violations"
echo "# $(wc -l <"$SLACK") messages; events: $(q "SELECT count(*) FROM status_events WHERE $live")"
