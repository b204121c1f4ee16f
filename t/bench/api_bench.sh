#!/usr/bin/env bash
# api_bench.sh: apid under wrk on loopback. For 30 and for 10,000 services it
# measures GET /api/summary and GET /api/services, and in the same run a
# static file of exactly the same size served by the same apid, then prints
# requests/s, p50, p99 and the ratio to the static file. Targets (doc/design.md#targets)
# at 30 services: summary >= 10,000 req/s, p99 <= 20 ms, ratio >= 0.5.
# apid answers repeated reads from a per-connection cache that any commit
# invalidates; the "summary+writes" row measures the summary while another
# process commits 100 times a second, i.e. mostly built afresh.
#
# Usage: t/bench/api_bench.sh [seconds per run (default 5)] [connections (default 32)]
# Needs wrk and sqlite3. A benchmark prints figures; it is not a pass/fail test.
set -u
secs=${1:-5}
conns=${2:-32}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ITSTATUS_BIN:-$root/bin}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin/apid" ] || { echo "$bin/apid missing: make bin/apid" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/api-bench.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A registry of n services with a realistic mix: a few incidents, broken
# pollers, dependencies, a week of events, maintenances.
seed() {
	local db=$1 n=$2
	sqlite3 "$db" >/dev/null <<SQL
.timeout 5000
BEGIN;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $n)
INSERT INTO services (id, display_name, category, poll_type, poll_url, status_page_url, tier,
	current_status, current_status_detail, poller_health, last_polled_at, last_status_change_at)
SELECT printf('svc-%05d', k), printf('Service %05d', k),
	CASE k % 6 WHEN 0 THEN 'identity' WHEN 1 THEN 'engineering' WHEN 2 THEN 'productivity'
		WHEN 3 THEN 'collaboration' WHEN 4 THEN 'networking' ELSE 'other' END,
	'statuspage_json', printf('https://status-%d.example/api/v2/summary.json', k),
	printf('https://status-%d.example', k), CASE WHEN k % 7 = 0 THEN 'critical' ELSE 'important' END,
	CASE WHEN k % 97 = 0 THEN 'major_outage' WHEN k % 31 = 0 THEN 'degraded' ELSE 'operational' END,
	'All Systems Operational', CASE WHEN k % 53 = 0 THEN 'broken' ELSE 'healthy' END,
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (k % 60) || ' seconds'),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (k % 500) || ' minutes')
FROM i;
INSERT INTO service_dependencies (upstream_service_id, downstream_service_id, impact_description, severity)
SELECT 'svc-00001', id, 'SSO login unavailable', 'high' FROM services WHERE id != 'svc-00001' AND rowid % 10 = 0;
INSERT INTO status_events (service_id, previous_status, new_status, is_baseline, source, created_at)
SELECT id, 'unknown', 'operational', 1, 'statuspage_json', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 days') FROM services;
INSERT INTO status_events (service_id, previous_status, new_status, source, impact_statement, created_at)
SELECT id, 'operational', current_status, 'statuspage_json', display_name || ' is having trouble.',
	last_status_change_at FROM services WHERE current_status != 'operational';
INSERT INTO scheduled_maintenances (service_id, vendor_maintenance_id, title, scheduled_for, status)
SELECT id, 'm-' || id, 'Planned work', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 days'), 'scheduled'
FROM services WHERE rowid % 500 = 1;
COMMIT;
SQL
}

# wrk one URL: "requests/s p50_ms p99_ms"
run_wrk() {
	wrk -t2 -c"$conns" -d"${secs}s" --latency "$1" 2>&1 | awk '
		function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = ms($2) }
		/^ +99%/ { p99 = ms($2) }
		/Non-2xx/ { bad = $NF }
		END { printf "%.0f %.2f %.2f %s\n", rps, p50, p99, bad ? "non2xx=" bad : "" }'
}

printf '%-9s %-16s %9s %10s %8s %8s %10s %8s %8s %7s\n' services endpoint bytes "api req/s" "p50 ms" "p99 ms" \
	"file req/s" "p50 ms" "p99 ms" ratio
for n in 30 10000; do
	dir=$tmp/n$n
	mkdir -p "$dir/dist"
	cp "$root"/etc/{itstatus,services,dependencies}.yaml "$dir/"
	printf '<!doctype html><title>bench</title>\n' >"$dir/dist/index.html"
	port=$((20000 + RANDOM % 40000))
	# one load generator on one address: lift the per-address request limit
	APID_CLIENT_MAX_REQUESTS=1024 DATABASE_PATH=$dir/db WEB_ROOT=$dir/dist PORT=$port LOG_LEVEL=WARNING "$bin/apid" -f "$dir/itstatus.yaml" \
		2>"$dir/apid.log" &
	pid=$!
	for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done
	seed "$dir/db" "$n"
	sqlite3 "$dir/db" "INSERT INTO metrics (daemon, name, type, value) VALUES ('pollerd', 'bench_writes_total', 'counter', 0)"
	for ep in summary services summary+writes; do
		url=http://127.0.0.1:$port/api/${ep%+*}
		curl -s -o "$dir/body.json" "$url"
		size=$(stat -c %s "$dir/body.json")
		# the same bytes as a static file, served by the same process
		cp "$dir/body.json" "$dir/dist/same-size-$ep.json"
		writer=
		if [ "$ep" = summary+writes ]; then
			# Another daemon committing 100 times a second: apid's
			# response cache is invalidated all the time, so this is the
			# cost of building the summary.
			(while :; do
				echo "UPDATE metrics SET value = value + 1 WHERE name = 'bench_writes_total';"
				sleep 0.01
			done) | sqlite3 -cmd '.timeout 5000' "$dir/db" &
			writer=$!
		fi
		read -r arps ap50 ap99 abad < <(run_wrk "$url")
		read -r frps fp50 fp99 fbad < <(run_wrk "http://127.0.0.1:$port/same-size-$ep.json")
		[ -n "$writer" ] && kill "$writer" 2>/dev/null && wait "$writer" 2>/dev/null
		ratio=$(awk -v a="$arps" -v f="$frps" 'BEGIN { printf "%.2f", (f > 0 ? a / f : 0) }')
		printf '%-9s %-16s %9s %10s %8s %8s %10s %8s %8s %7s %s %s\n' "$n" "/api/$ep" "$size" "$arps" "$ap50" "$ap99" \
			"$frps" "$fp50" "$fp99" "$ratio" "$abad" "$fbad"
	done
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	echo "          apid peak RSS at $n services: ${rss:-?} kB"
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
done
echo "wrk -t2 -c$conns -d${secs}s on loopback, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
