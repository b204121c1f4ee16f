#!/usr/bin/env bash
# poll_bench.sh -- how fast and how big pollerd is when it polls N distinct
# status pages. For each N (default 30 1000 10000) it serves N generated
# Statuspage summaries from fakevendor, starts the real bin/pollerd on a fresh
# database with one service per page, and lets it run two cycles: the first
# without validators (every page a 200 and a parse), the second conditional
# (every page a 304, no parse). It prints, per cycle: wall time (pollerd's own
# "poll cycle done" duration), CPU seconds (utime+stime of the process during
# the cycle), bytes of body received, 304s; and for the run: start-up (registry
# load + sync) wall and CPU, peak RSS (VmHWM) and its anonymous part
# (RssAnon: the heap, without shared library pages), PSS.
#
# Usage: t/bench/poll_bench.sh [N...]    (env: HOSTCONN=per-host connections,
#        default 2; ITSTATUS_BIN, ITSTATUS_TBIN as for the tests)
# Targets (doc/design.md#targets): 10,000 pages in <= 30 s at <= 64 MB RSS; 30 pages at
# <= 10 MB RSS. Not a test: it prints figures and exits 0 unless it breaks.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${ITSTATUS_ROOT:=$ROOT}"
: "${ITSTATUS_BIN:=$ROOT/bin}"
: "${ITSTATUS_TBIN:=$ROOT/build/t}"
HOSTCONN=${HOSTCONN:-2}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(30 1000 10000)
. "$ITSTATUS_ROOT/t/lib.sh"

[ -x "$ITSTATUS_BIN/pollerd" ] || t_fail "build bin/pollerd first (make)"
t_fake fv fakevendor --threads 16
V=$T_URL
BODY=$(jq -c . "$ITSTATUS_ROOT/t/fixtures/vendors/statuspage/github-summary-operational-2019-no-start-date.json" 2>/dev/null ||
	echo '{"page":{"id":"p","name":"Bench"},"status":{"indicator":"none","description":"All Systems Operational"},"components":[],"incidents":[],"scheduled_maintenances":[]}')

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
mb() { awk -v k="${1:-0}" 'BEGIN {printf "%.1f", k / 1024}'; }
cycles_at_least() { [ "$(grep -c '"msg":"poll cycle done"' "$1")" -ge "$2" ]; }
# jq on the Nth "poll cycle done" line
cycle_field() { grep '"msg":"poll cycle done"' "$1" | sed -n "${2}p" | jq -r ".$3"; }

printf '%-7s %-6s %9s %9s %12s %6s %9s %9s %9s\n' pages cycle wall_s cpu_s bytes 304s hwm_MB anon_MB pss_MB
for n in "${SIZES[@]}"; do
	dir=$T_TMP/n$n
	mkdir -p "$dir"
	t_http POST "$V/_control/reset" '{}' >/dev/null
	t_http POST "$V/_control/generate" "$(jq -cn --argjson n "$n" --arg b "$BODY" \
		'{prefix: "/p/", count: $n, suffix: ".json", body: $b}')" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "generate $n pages failed"
	{
		echo "services:"
		for ((i = 0; i < n; i++)); do
			printf '  - {id: s%d, display_name: Service %d, category: other, poll_type: statuspage_json, poll_url: "%s/p/%d.json"}\n' \
				"$i" "$i" "$V" "$i"
		done
	} >"$dir/services.yaml"
	echo "dependencies: {}" >"$dir/dependencies.yaml"
	echo "database_path: bench.db" >"$dir/itstatus.yaml"
	log=$T_TMP/pollerd$n.log
	t0=$(t_ms)
	POLL_INTERVAL_SECONDS=1 HTTP_MAX_HOST_CONNECTIONS=$HOSTCONN LOG_JSON=true \
		METRICS_FLUSH_SECONDS=300 t_start "pollerd$n" "$ITSTATUS_BIN/pollerd" -f "$dir/itstatus.yaml"
	pid=$(t_pid "pollerd$n")
	t_wait_for 300 grep -q '"msg":"pollerd .* started' "$log" || t_fail "pollerd did not start"
	t_start_ms=$(($(t_ms) - t0))
	start_ticks=$(ticks $pid)
	prev=$start_ticks
	for c in 1 2; do
		t_wait_for 300 cycles_at_least "$log" "$c" || t_fail "cycle $c did not finish"
		now=$(ticks $pid)
		cpu=$(awk -v a="$prev" -v b="$now" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')
		prev=$now
		printf '%-7s %-6s %9s %9s %12s %6s %9.1f %9.1f %9.1f\n' "$n" "$c" \
			"$(cycle_field "$log" "$c" duration_s)" "$cpu" "$(cycle_field "$log" "$c" bytes)" \
			"$(cycle_field "$log" "$c" not_modified)" "$(mb "$(field $pid VmHWM)")" \
			"$(mb "$(field $pid RssAnon)")" "$(mb "$(pss $pid)")"
	done
	t_stop "pollerd$n"
	printf '%-7s %-6s %9s %9s   (start-up: registry load + sync, %s services)\n' "$n" start \
		"$(awk -v m="$t_start_ms" 'BEGIN {printf "%.2f", m / 1000}')" \
		"$(awk -v t="$start_ticks" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}')" \
		"$(sqlite3 "$dir/bench.db" 'SELECT count(*) FROM services')"
	failed=$(jq -rs '[.[] | select(.msg == "poll cycle done") | .failed | tonumber] | add' "$log")
	[ "$failed" = 0 ] || printf '  note: %s failed polls (see %s)\n' "$failed" "$log"
done
