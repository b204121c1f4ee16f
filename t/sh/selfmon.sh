#!/usr/bin/env bash
# t/sh/selfmon.sh -- alertd's self-monitoring end to end: the real bin/alertd
# with fakeslack as both the Slack webhook (/main) and the healthcheck ping
# URL (/hc/check-1; fakeslack records any method on any path), on a temporary
# database whose heartbeats rows are written with sqlite3 as pollerd and apid
# would. A stale pollerd heartbeat must give exactly one "stale" message and
# /fail pings; an alertd restart must not repeat it; a fresh heartbeat must
# give exactly one "recovered" message and success pings; another restart
# must repeat nothing. Each start of alertd sends one /start ping.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
command -v sqlite3 >/dev/null || t_fail "sqlite3 CLI required"
command -v jq >/dev/null || t_fail "jq required"

DB=$T_TMP/selfmon.db
q() { sqlite3 -cmd ".timeout 10000" "$DB" "$@"; }

t_fake slack fakeslack --log "$T_TMP/slack.jsonl"
S=$T_URL
HC=/hc/check-1
mkdir -p "$T_TMP/etc"
cat >"$T_TMP/etc/itstatus.yaml" <<EOF
database_path: $DB
services_file: services.yaml
dependencies_file: dependencies.yaml
slack_min_interval_ms: 50
EOF
printf 'services:\n  - id: svc\n    display_name: Svc\n    category: other\n    poll_type: manual\n' \
	>"$T_TMP/etc/services.yaml"
printf 'dependencies: {}\n' >"$T_TMP/etc/dependencies.yaml"
export SLACK_WEBHOOK_URL=$S/main HEALTHCHECK_PING_URL=$S$HC LOG_JSON=true \
	HEARTBEAT_INTERVAL_SECONDS=1 HEARTBEAT_STALE_AFTER_SECONDS=3
unset POLLER_HEALTH_SLACK_WEBHOOK_URL ITSTATUS_FAKE_NOW_MS

# pollerd creates the database (here: as it would); --once never pings (it
# is not a running service).
t_new_db "$DB"
"$ITSTATUS_BIN/alertd" -f "$T_TMP/etc/itstatus.yaml" --once >"$T_TMP/alertd-init.log" 2>&1 ||
	t_fail "alertd --once failed: $(tail -5 "$T_TMP/alertd-init.log")"

# pollerd last beat ten minutes ago; apid beats on (the beater below keeps
# the daemons listed in $T_TMP/fresh current, as the real ones would).
q "INSERT INTO heartbeats (daemon, pid, version, started_at, beat_at) VALUES
	('pollerd', 1, 'x', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'),
	 strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds')),
	('apid', 2, 'x', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'),
	 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
echo apid >"$T_TMP/fresh"
t_start beater bash -c 'while :; do
	for d in $(cat "$1"); do
		sqlite3 -cmd ".timeout 10000" "$2" "UPDATE heartbeats SET
			beat_at = strftime('\''%Y-%m-%dT%H:%M:%fZ'\'', '\''now'\'') WHERE daemon = '\''$d'\''"
	done
	sleep 0.3
done' beater "$T_TMP/fresh" "$DB"

# requests [PATH]: the recorded requests (on PATH only), as a JSON array
requests() {
	if [ $# -gt 0 ]; then
		curl -sS "$S/_control/requests?path=$1"
	else
		curl -sS "$S/_control/requests"
	fi
}
count() { requests "$1" | jq length; }
count_text() { requests /main | jq --arg t "$1" '[.[] | select(.json.text | contains($t))] | length'; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }

start_alertd() {
	t_start "alertd$1" "$ITSTATUS_BIN/alertd" -f "$T_TMP/etc/itstatus.yaml"
}

# ---- stale ----------------------------------------------------------------------
start_alertd 1
t_wait_for 10 at_least /main 1 || t_fail "no stale message"
t_wait_for 5 at_least "$HC/fail" 2 || t_fail "no /fail pings"
t_assert_eq "$(count "$HC/start")" 1 "/start pings after the first start"
t_assert_eq "$(count_text 'pollerd heartbeat is stale (last beat 10m ago)')" 1 "stale message"
sleep 2.5 # more checks: the state holds, so nothing more is said
t_assert_eq "$(count /main)" 1 "messages while pollerd stays stale"
t_assert_eq "$(count "$HC")" 0 "success pings while pollerd is stale"
t_assert_eq "$(requests | jq '[.[] | select(.path | startswith("/hc/")) | .method] | unique | join(",")' -r)" \
	GET "ping method"
t_assert_eq "$(q "SELECT daemon || ' ' || state || ' ' || (suppressed_by IS NULL) FROM daemon_health_log")" \
	"pollerd stale 1" "decision log after stale"
t_assert_eq "$(q "SELECT state || ' ' || (alert_id IS NULL) FROM outbox")" "sent 1" "outbox row"

# ---- restart while stale: no repeat ---------------------------------------------
t_stop alertd1 || t_fail "alertd did not stop cleanly"
start_alertd 2
t_wait_for 5 at_least "$HC/start" 2 || t_fail "no /start ping after the restart"
fails=$(count "$HC/fail")
t_wait_for 5 at_least "$HC/fail" $((fails + 2)) || t_fail "no /fail pings after the restart"
t_assert_eq "$(count /main)" 1 "messages after a restart while stale"

# ---- recovered ------------------------------------------------------------------
echo "apid pollerd" >"$T_TMP/fresh"
t_wait_for 10 at_least /main 2 || t_fail "no recovered message"
t_assert_eq "$(count_text 'pollerd heartbeat recovered (silent for 10m)')" 1 "recovered message"
t_wait_for 5 at_least "$HC" 2 || t_fail "no success pings after the recovery"
sleep 2.5
t_assert_eq "$(count /main)" 2 "messages while pollerd stays fresh"
t_assert_eq "$(q "SELECT group_concat(state, ',') FROM (SELECT state FROM daemon_health_log ORDER BY id)")" \
	"stale,recovered" "decision log after recovery"

# ---- restart while fresh: no repeat ---------------------------------------------
t_stop alertd2 || t_fail "alertd did not stop cleanly"
start_alertd 3
t_wait_for 5 at_least "$HC/start" 3 || t_fail "no /start ping after the second restart"
oks=$(count "$HC")
t_wait_for 5 at_least "$HC" $((oks + 2)) || t_fail "no success pings after the second restart"
t_assert_eq "$(count /main)" 2 "messages after a restart while fresh"
t_assert_eq "$(q "SELECT count(*) FROM daemon_health_log")" 2 "decision rows after the restart"
grep -q '"level":"error"' "$T_TMP/alertd3.log" && t_fail "alertd logged an error"
t_stop alertd3 || t_fail "alertd did not stop cleanly"
echo "selfmon: ok"
