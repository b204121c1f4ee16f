#!/usr/bin/env bash
# t/bench/slack_recovery.sh -- how alertd recovers from a Slack outage
# (issue 18 item 8): fakeslack answers 503 for OUTAGE seconds while one status
# change a second is committed (each its own pass, as pollerd would); then
# Slack is back. Prints:
#   first_ok_after_s   from the end of the outage to Slack's first 2xx
#   drained_after_s    from the end of the outage to the last change delivered
#   posts_ok           2xx POSTs needed to deliver the backlog
#   median_latency_s   event commit -> the 2xx of the message carrying it
# Default slack_min_interval_ms (1000). Run it against any build:
#   ITSTATUS_ROOT=$PWD t/bench/slack_recovery.sh [OUTAGE=60]
#   ITSTATUS_BIN=/other/bin ITSTATUS_TBIN=/other/build/t ... (compare builds)
# Prints figures; it is a benchmark, not a test (no pass/fail).
set -u
: "${ITSTATUS_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
export ITSTATUS_ROOT
: "${T_TMP:=$(mktemp -d)}"
export T_TMP
. "$ITSTATUS_ROOT/t/lib.sh"
OUTAGE=${1:-60}
BIN=${ITSTATUS_BIN:-$ITSTATUS_ROOT/bin}
[ -x "$BIN/alertd" ] && [ -x "$ITSTATUS_TBIN/fakeslack" ] || t_fail "build first: make bin/alertd build/t/fakeslack"

t_fake slack fakeslack --log "$T_TMP/slack.jsonl"
S=$T_URL
DB=$T_TMP/bench.db
q() { sqlite3 -cmd ".timeout 10000" "$DB" "$@"; }
cat >"$T_TMP/itstatus.yaml" <<EOF
database_path: $DB
services_file: services.yaml
dependencies_file: dependencies.yaml
log_level: WARNING
EOF
printf 'services:\n  - id: x\n    display_name: x\n    category: other\n    poll_type: manual\n' >"$T_TMP/services.yaml"
printf 'dependencies: {}\n' >"$T_TMP/dependencies.yaml"
export SLACK_WEBHOOK_URL=$S/main
t_new_db "$DB" # as pollerd creates it: alertd only opens an existing database
"$BIN/alertd" -f "$T_TMP/itstatus.yaml" --once 2>/dev/null || t_fail "alertd --once failed"
{
	echo "BEGIN;"
	for ((i = 0; i < OUTAGE; i++)); do
		printf "INSERT INTO services (id, display_name, category, poll_type) VALUES ('s%03d', 'Service %03d', 'other', 'statuspage_json');\n" "$i" "$i"
		printf "INSERT INTO status_events (service_id, previous_status, new_status, is_baseline) VALUES ('s%03d', 'unknown', 'operational', 1);\n" "$i"
	done
	echo "COMMIT;"
} | q
t_start alertd "$BIN/alertd" -f "$T_TMP/itstatus.yaml"
t_http POST "$S/_control/mode" "{\"path\":\"/main\",\"code\":503,\"for_ms\":$((OUTAGE * 1000))}" >/dev/null
start=$(t_ms)
for ((i = 0; i < OUTAGE; i++)); do
	q "INSERT INTO status_events (service_id, previous_status, new_status) VALUES ('s$(printf %03d "$i")', 'operational', 'degraded')"
	sleep 1
done
end=$((start + OUTAGE * 1000))
done_all() { [ "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ]; }
t_wait_for 900 done_all || t_fail "backlog not delivered in 15 min"
t_stop alertd 2
jq -s -r --argjson oe "$end" '
  map(select(.path == "/main" and .answered >= 200 and .answered < 300)) | sort_by(.ts_ms) as $ok
  | "first_ok_after_s \((($ok[0].ts_ms - $oe) / 1000 * 10 | round) / 10)",
    "drained_after_s \((($ok[-1].ts_ms - $oe) / 1000 * 10 | round) / 10)",
    "posts_ok \($ok | length)"' "$T_TMP/slack.jsonl"
# latency per change: the 2xx of the message that names its service
q "SELECT id, strftime('%s', created_at) * 1000 + CAST(substr(created_at, 21, 3) AS INTEGER),
   (SELECT display_name FROM services WHERE id = service_id)
   FROM status_events WHERE is_baseline = 0" >"$T_TMP/events.txt"
jq -s -r 'map(select(.path == "/main" and .answered >= 200 and .answered < 300)) | sort_by(.ts_ms)[]
  | "\(.ts_ms)\t\(.body)"' "$T_TMP/slack.jsonl" >"$T_TMP/ok.txt"
while IFS='|' read -r _ ms name; do
	awk -F'\t' -v n="$name" -v ms="$ms" 'index($2, n) { print ($1 - ms) / 1000; exit }' "$T_TMP/ok.txt"
done <"$T_TMP/events.txt" | sort -n | awk '{ v[NR] = $1 } END { printf "median_latency_s %.1f\n", v[int((NR + 1) / 2)] }'
