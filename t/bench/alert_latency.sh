#!/usr/bin/env bash
# t/bench/alert_latency.sh -- how long a confirmed status change takes to reach
# Slack: from the status_events commit (created_at) to fakeslack's receipt of
# the message that carries it (its own, or the batch it was folded into).
#
#   ITSTATUS_ROOT=$PWD t/bench/alert_latency.sh [N]    (default N = 1000)
#
# For each mode -- raw (slack_min_interval_ms = 0), paced (the default
# 1000 ms per webhook), and unbatched (raw, to the generic webhook, where
# every change is its own POST: the delivery pipeline's own throughput) --
# it prints p50 / p99 / max for:
#   single: 20 lone changes, 1.1 s apart, i.e. slower than the pacing (the
#           target in doc/design.md#targets: <= 1 s);
#   burst:  N changes on N services, each committed on its own as fast as
#           sqlite3 can, the way a pollerd cycle that finds many outages would.
# Prints figures; it is a benchmark, not a test (no pass/fail).
set -u
: "${ITSTATUS_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
export ITSTATUS_ROOT
. "$ITSTATUS_ROOT/t/lib.sh"
N=${1:-1000}
BIN=${ITSTATUS_BIN:-$ITSTATUS_ROOT/bin}
[ -x "$BIN/alertd" ] && [ -x "$ITSTATUS_TBIN/fakeslack" ] || t_fail "build first: make bin/alertd build/t/fakeslack"

t_fake slack fakeslack --log "$T_TMP/slack.jsonl" --threads 8
S=$T_URL

# run MODE INTERVAL_MS [KIND]: one measurement on a fresh database; KIND is
# the destination measured (slack, or webhook for one POST per change)
run() {
	local mode=$1 interval=$2 kind=${3:-slack} dir=$T_TMP/$1 dests='{}' env
	[ "$kind" = webhook ] && dests='{"destinations":["webhook"]}'
	env=(SLACK_WEBHOOK_URL=$S/$mode)
	[ "$kind" = webhook ] && env=(GENERIC_WEBHOOK_URL=$S/$mode)
	local db=$dir/bench.db
	mkdir -p "$dir"
	q() { sqlite3 -cmd ".timeout 10000" "$db" "$@"; }
	cat >"$dir/itstatus.yaml" <<EOF
database_path: $db
services_file: services.yaml
dependencies_file: dependencies.yaml
slack_min_interval_ms: $interval
log_level: WARNING
EOF
	printf 'services:\n  - id: x\n    display_name: x\n    category: other\n    poll_type: manual\n' >"$dir/services.yaml"
	printf 'dependencies: {}\n' >"$dir/dependencies.yaml"
	env "${env[@]}" "$BIN/alertd" -f "$dir/itstatus.yaml" --once 2>/dev/null ||
		t_fail "alertd --once failed"
	{
		echo "BEGIN;"
		for ((i = 0; i < N; i++)); do
			printf "INSERT INTO services (id, display_name, category, poll_type, config_json) VALUES ('s%04d', 'Service %04d', 'other', 'statuspage_json', '%s');\n" "$i" "$i" "$dests"
			printf "INSERT INTO status_events (service_id, previous_status, new_status, is_baseline) VALUES ('s%04d', 'unknown', 'operational', 1);\n" "$i"
		done
		echo "COMMIT;"
	} | q
	t_start "alertd-$mode" env "${env[@]}" "$BIN/alertd" -f "$dir/itstatus.yaml"
	local base
	base=$(q "SELECT max(id) FROM status_events")
	caught_up() { [ "$(q "SELECT last_event_id FROM cursors")" = "$1" ]; }
	t_wait_for 60 caught_up "$base" || t_fail "$mode: baselines not consumed"

	# single changes, one at a time
	for ((i = 0; i < 20; i++)); do
		q "INSERT INTO status_events (service_id, previous_status, new_status) VALUES ('s$(printf %04d "$i")', 'operational', 'degraded')"
		sleep 1.1
	done
	local single_last
	single_last=$(q "SELECT max(id) FROM status_events")
	drained() { [ "$(q "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] && caught_up "$1"; }
	t_wait_for 120 drained "$single_last" || t_fail "$mode: single changes not delivered"

	# the burst: every service breaks (again), each change its own commit
	local t0 t1
	t0=$(t_ms)
	for ((i = 0; i < N; i++)); do
		printf "INSERT INTO status_events (service_id, previous_status, new_status) VALUES ('s%04d', 'degraded', 'major_outage');\n" "$i"
	done | q
	t1=$(t_ms)
	local last
	last=$(q "SELECT max(id) FROM status_events")
	t_wait_for 600 drained "$last" || t_fail "$mode: burst not delivered"
	t_stop "alertd-$mode"

	# receipts: outbox id -> fakeslack receipt time
	jq -r --arg p "/$mode" 'select(.path == $p and .answered >= 200 and .answered < 300)
		| [.headers["X-Itstatus-Outbox-Id"], .ts_ms] | @csv' "$T_TMP/slack.jsonl" >"$dir/recv.csv"
	q "CREATE TABLE recv (outbox_id INTEGER, ts_ms INTEGER);" ".mode csv" ".import $dir/recv.csv recv"
	# event -> the alert row whose message carried it (a batch for batched rows)
	q "CREATE TABLE lat AS SELECT e.id AS event_id, r.ts_ms - (CAST(strftime('%s', substr(e.created_at, 1, 19)) AS INTEGER) * 1000
	     + CAST(substr(e.created_at, 21, 3) AS INTEGER)) AS ms
	   FROM status_events e JOIN alert_sent_log a ON a.status_event_id = e.id
	   JOIN alert_sent_log c ON c.id = CASE WHEN a.suppressed_by = 'batched'
	     THEN (SELECT b.id FROM alert_sent_log b WHERE b.dedup_key = a.aggregated_under) ELSE a.id END
	   JOIN outbox o ON o.alert_id = c.id AND o.destination_kind = '$kind'
	   JOIN recv r ON r.outbox_id = o.id WHERE e.is_baseline = 0"
	pct() { # pct FROM_ID TO_ID: p50 p99 max count
		q "WITH s AS (SELECT ms, row_number() OVER (ORDER BY ms) AS k, count(*) OVER () AS n FROM lat
		   WHERE event_id > $1 AND event_id <= $2)
		   SELECT (SELECT ms FROM s WHERE k = max(1, CAST(0.50 * n AS INTEGER))) || ' ' ||
		          (SELECT ms FROM s WHERE k = max(1, CAST(0.99 * n AS INTEGER))) || ' ' ||
		          max(ms) || ' ' || n FROM s LIMIT 1"
	}
	local sp bp msgs
	sp=$(pct "$base" "$single_last")
	bp=$(pct "$single_last" "$last")
	msgs=$(q "SELECT count(*) || ' messages (' || sum(a.alert_kind = 'batch') || ' batches)' FROM outbox o
	          JOIN alert_sent_log a ON a.id = o.alert_id WHERE o.id > (SELECT max(o2.id) FROM outbox o2
	          JOIN alert_sent_log a2 ON a2.id = o2.alert_id WHERE a2.status_event_id <= $single_last)")
	read -r s50 s99 smax sn <<<"$sp"
	read -r b50 b99 bmax bn <<<"$bp"
	printf '%-6s interval %4d ms | single (n=%s): p50 %5d ms  p99 %5d ms  max %5d ms | burst of %s committed in %d ms, %s: p50 %6d ms  p99 %6d ms  max %6d ms\n' \
		"$mode" "$interval" "$sn" "$s50" "$s99" "$smax" "$bn" $((t1 - t0)) "$msgs" "$b50" "$b99" "$bmax"
}

echo "alert latency, event commit -> fakeslack receipt ($(nproc) CPUs, N=$N)"
run raw 0
run paced 1000
run unbatched 0 webhook
