#!/usr/bin/env bash
# scale.sh -- the API and the dashboard at 30, 1,000 and 10,000 services
# (doc/scale.md#benchmark). For each N: fakevendor serves N generated
# Statuspage pages, a registry of N statuspage_json services (11 categories,
# every 7th critical, every 10th depending on the first) points at them, and
# the real pollerd, alertd and apid run on a fresh database. Once every
# service has its baseline, pollerd and alertd are stopped so the data holds
# still, and the benchmark prints:
#   - per endpoint: body bytes as sent to a client that accepts gzip (and the
#     identity size), whether it carries an ETag and answers If-None-Match
#     with 304, its Cache-Control, and its throughput under wrk (sending
#     Accept-Encoding: gzip, as browsers do) as a ratio to apid serving the
#     very same bytes as a static file in the same run;
#   - /api/summary again with every service degraded (the heaviest summary);
#   - apid's RSS (peak and current) after all that;
#   - the browser figures of web/e2e/scale-bench.mjs: first render, frame
#     times while scrolling, long tasks, drawer and view-switch times, one
#     live status event (committed with sqlite3 as pollerd would), JS heap,
#     and apid's RSS (peak and current) after each of the browser's steps.
# Figures are printed, never asserted.
#
# Usage: t/bench/scale.sh [N...]   (default 30 1000 10000; env SECS=3 per wrk
#        run, CONNS=32, BROWSER=0 to skip the browser, API=0 to skip the
#        endpoint probes and the all-degraded summary (the browser steps' RSS
#        alone); ONLY=live and PROFILE=dir go to web/e2e/scale-bench.mjs;
#        ITSTATUS_BIN, ITSTATUS_TBIN as for the tests). Needs wrk, node, jq, sqlite3, curl,
#        web/node_modules and /usr/bin/chromium.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${ITSTATUS_ROOT:=$ROOT}"
: "${ITSTATUS_BIN:=$ROOT/bin}"
: "${ITSTATUS_TBIN:=$ROOT/build/t}"
: "${ITSTATUS_FIXTURES:=$ROOT/t/fixtures/vendors}"
export ITSTATUS_FIXTURES
SECS=${SECS:-3}
CONNS=${CONNS:-32}
BROWSER=${BROWSER:-1}
API=${API:-1}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(30 1000 10000)
. "$ITSTATUS_ROOT/t/lib.sh"
for b in pollerd alertd apid; do
	[ -x "$ITSTATUS_BIN/$b" ] || t_fail "build bin/$b first (make)"
done
command -v wrk >/dev/null || t_fail "wrk is required"
[ "$BROWSER" = 0 ] || [ -d "$ITSTATUS_ROOT/web/node_modules/playwright-core" ] || t_fail "web/node_modules missing (cd web && npm ci)"
[ -f "$ITSTATUS_ROOT/web/dist/index.html" ] || t_fail "web/dist missing (make)"
cd "$T_TMP" || exit 1
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "t/demo/payloads.sh failed"
t_fake vendor fakevendor --threads 16
V=$T_URL
CATS=(identity productivity collaboration engineering hr finance sales marketing networking support other)
ENDPOINTS=(/api/services /api/summary /api/services/sla/history /api/services/slo /api/services/graph
	/api/timeline/clustered)

# wrk one URL with Accept-Encoding: gzip: "requests/s", counting only the
# 2xx answers (a refused request is answered fast and would flatter the rate);
# "(non2xx=N)" follows when there were others. Then one more request for the
# URL, which joins any build still running: wrk's connections close at the
# end of the run, but their requests wait on in apid for that build, and the
# next run from this address would be refused (429: more than
# apid_client_max_requests in progress) until they are answered.
run_wrk() {
	wrk -t2 -c"$CONNS" -d"${SECS}s" -H 'Accept-Encoding: gzip' "$1" 2>&1 |
		awk '/ requests in / { n = $1; d = $4; u = d; sub(/[0-9.]+/, "", u); d += 0
			if (u ~ /^ms/) d = d / 1000; else if (u ~ /^m/) d = d * 60 }
		/Non-2xx/ { bad = $NF }
		END { printf("%.1f%s\n", (d > 0 ? (n - bad) / d : 0), (bad ? "(non2xx=" bad ")" : "")) }'
	curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$1"
}

# One endpoint: sizes, caching headers, throughput vs the same bytes as a file.
api_row() {
	local n=$1 label=$2 path=$3 api=$4 dir=$5 f=$dir/bench-$RANDOM.bin
	local size_id size_gz enc etag cc code304 arps frps
	size_id=$(curl -s -o /dev/null -w '%{size_download}' "$api$path")
	curl -s -D "$dir/h" -o "$f" -H 'Accept-Encoding: gzip' "$api$path"
	size_gz=$(stat -c %s "$f")
	enc=$(tr -d '\r' <"$dir/h" | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
	etag=$(tr -d '\r' <"$dir/h" | awk -F': ' 'tolower($1) == "etag" { print $2 }')
	cc=$(tr -d '\r' <"$dir/h" | awk -F': ' 'tolower($1) == "cache-control" { print $2 }')
	code304=-
	[ -n "$etag" ] && code304=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$api$path")
	cp "$f" "$WEBROOT/$(basename "$f")"
	arps=$(run_wrk "$api$path")
	frps=$(run_wrk "$api/$(basename "$f")")
	rm -f "$WEBROOT/$(basename "$f")"
	printf '%6d  %-28s %10s %10s %-5s %-4s %-4s %-24s %9s %9s %6s\n' "$n" "$label" "$size_id" "$size_gz" \
		"${enc:-none}" "$([ -n "$etag" ] && echo yes || echo no)" "$code304" "${cc:--}" "$arps" "$frps" \
		"$(awk -v a="${arps%%(*}" -v f="${frps%%(*}" 'BEGIN { printf "%.2f", (f > 0 ? a / f : 0) }')"
}

# web_root: a copy of web/dist so the benchmark can drop same-size files in it.
WEBROOT=$T_TMP/webroot
cp -r "$ITSTATUS_ROOT/web/dist" "$WEBROOT"

apirows=() webrows=() rssrows=()
for n in "${SIZES[@]}"; do
	dir=$T_TMP/n$n
	mkdir -p "$dir"
	t_http POST "$V/_control/reset" '{}' >/dev/null
	t_http POST "$V/_control/generate" "$(jq -cn --argjson n "$n" --arg f "$T_TMP/payloads/sp-ok.json" \
		'{prefix: "/p/", count: $n, suffix: ".json", file: $f}')" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "generate $n pages failed"
	{
		echo "services:"
		for ((i = 0; i < n; i++)); do
			printf '  - {id: s%d, display_name: Service %d, category: %s, tier: %s, poll_type: statuspage_json, poll_url: "%s/p/%d.json"}\n' \
				"$i" "$i" "${CATS[i % 11]}" "$([ $((i % 7)) = 0 ] && echo critical || echo important)" "$V" "$i"
		done
	} >"$dir/services.yaml"
	{
		echo "dependencies:"
		echo "  s0:"
		for ((i = 10; i < n; i += 10)); do
			printf '    - {service: s%d, impact: Sign-in fails, severity: high}\n' "$i"
		done
	} >"$dir/deps.yaml"
	port=$((20000 + RANDOM % 20000))
	cat >"$dir/itstatus.yaml" <<CONF
services_file: services.yaml
dependencies_file: deps.yaml
database_path: itstatus.db
web_root: $WEBROOT
port: $port
poll_interval_seconds: 30
http_retry_attempts: 1
CONF
	for d in pollerd alertd apid; do
		t_start "$d$n" "$ITSTATUS_BIN/$d" -f "$dir/itstatus.yaml"
	done
	api=http://127.0.0.1:$port
	db=$dir/itstatus.db
	t_wait_for 30 curl -sf -o /dev/null "$api/api/summary" || t_fail "apid did not answer"
	t_wait_for 180 bash -c "[ \$(sqlite3 -cmd '.timeout 5000' '$db' \"SELECT count(*) FROM services WHERE current_status = 'operational'\") -ge $n ]" ||
		t_fail "pollerd did not baseline the $n services"
	sleep 2 # alertd decides the baseline events
	t_stop "pollerd$n"
	t_stop "alertd$n"
	apid_pid=$(t_pid "apid$n")

	if [ "$BROWSER" != 0 ]; then
		# One status change committed as pollerd would: the service row and its event.
		live="sqlite3 -cmd '.timeout 5000' '$db' \"BEGIN; UPDATE services SET current_status = 'major_outage', last_status_change_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 's5'; INSERT INTO status_events (service_id, previous_status, new_status, source, created_at) VALUES ('s5', 'operational', 'major_outage', 'statuspage_json', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); COMMIT;\""
		out=$dir/web.json
		(cd "$ITSTATUS_ROOT/web" && ITSTATUS_URL="$api/" N=$n LIVE_CMD="$live" APID_PID=$apid_pid \
			PROFILE="${PROFILE:+$PROFILE/live-$n.cpuprofile}" node e2e/scale-bench.mjs) >"$out" ||
			echo "# browser run for $n services failed: $(cat "$out")" >&2
		cat "$out" >&2
		rssrows+=("$(jq -r '"\(.n) " + ([.apid_rss[]? | "\(.step) \(.hwm_kb / 1024 | floor)/\(.rss_kb / 1024 | floor)"] | join("  "))' "$out")")
		webrows+=("$(jq -r '[.n, .first_render_ms, .full_render_ms, .tiles, .dom_nodes, .page_height_px, .scroll_p50_ms, .scroll_p95_ms, .static_scroll_p50_ms, .static_scroll_p95_ms, .scroll_long_tasks, .long_tasks_total, .drawer_ms, .exec_ms, .eng_ms, .live_seen_ms, .live_blocking_ms, .live_fetched_kb, .heap_mb, .heap_end_mb] | map(. // "-") | @tsv' "$out")")
		sqlite3 -cmd '.timeout 5000' "$db" "UPDATE services SET current_status = 'operational' WHERE id = 's5'"
	fi

	if [ "$API" != 0 ]; then
		for p in "${ENDPOINTS[@]}"; do
			apirows+=("$(api_row "$n" "$p" "$p" "$api" "$dir")")
		done
		sqlite3 -cmd '.timeout 5000' "$db" "UPDATE services SET current_status = 'degraded', current_incident_title = 'Elevated errors'"
		apirows+=("$(api_row "$n" "/api/summary (all degraded)" /api/summary "$api" "$dir")")
	fi
	apirows+=("$(printf '%6d  apid RSS: peak %s kB, now %s kB' "$n" "$(awk '/VmHWM/ { print $2 }' "/proc/$apid_pid/status")" \
		"$(awk '/VmRSS/ { print $2 }' "/proc/$apid_pid/status")")")
	t_stop "apid$n"
	rows=1
	[ "$API" = 0 ] || rows=$((${#ENDPOINTS[@]} + 2))
	printf '%s\n' "${apirows[@]: -$rows}" >&2
done

echo "# API: bytes as sent (identity, and to a client accepting gzip), caching, and wrk -t2 -c$CONNS"
echo "# -d${SECS}s with Accept-Encoding: gzip against the endpoint and against the same bytes as a file"
printf '%6s  %-28s %10s %10s %-5s %-4s %-4s %-24s %9s %9s %6s\n' N endpoint identity sent enc etag 304 cache-control "api req/s" \
	"file req/s" ratio
printf '%s\n' "${apirows[@]}"
if [ "$BROWSER" != 0 ]; then
	echo "# dashboard (Chromium, 1680x1050, cold profile): ms unless said; scroll frames p50/p95;"
	echo "# st50/st95: the same scroll over the same tiles as a static page (the browser's own cost);"
	echo "# long: long tasks while scrolling / since load; live: one status event -> seen, main-thread"
	echo "# blocking, KB fetched in the next 3 s; heap MB after load / at the end"
	printf '%6s %7s %6s %6s %7s %8s %6s %6s %6s %6s %5s %5s %7s %7s %7s %6s %6s %7s %6s %6s\n' N render full tiles nodes height \
		scr50 scr95 st50 st95 long ltot drawer exec eng seen block liveKB heap heap2
	for r in "${webrows[@]}"; do
		# shellcheck disable=SC2086
		printf '%6s %7s %6s %6s %7s %8s %6s %6s %6s %6s %5s %5s %7s %7s %7s %6s %6s %7s %6s %6s\n' $r
	done
	echo "# apid RSS in MB, peak/current, after each browser step"
	printf '%s\n' "${rssrows[@]}"
fi
echo "# load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
