#!/usr/bin/env bash
# web_render.sh -- the dashboard's time to first render, cold, with 30 and
# with 1,000 services. For each N: fakevendor serves N generated Statuspage
# pages (one shared all-operational payload, /_control/generate), a registry
# of N statuspage_json services spread over all 11 categories points at them,
# the real pollerd, alertd and apid run on a fresh database, and once every
# service has its baseline web/e2e/render-bench.mjs loads the dashboard in a
# fresh Chromium profile RUNS times and measures, from navigation start, the
# frame where all N tiles exist. Prints each run and the median and max.
#
# Usage: t/bench/web_render.sh [N...]   (default 30 1000; env RUNS=3,
#        ITSTATUS_BIN, ITSTATUS_TBIN as for the tests). Needs node, jq,
#        sqlite3, web/node_modules (npm ci in web/) and /usr/bin/chromium.
# A benchmark: it prints figures and asserts nothing; it exits 1 only when it
# cannot produce them.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${ITSTATUS_ROOT:=$ROOT}"
: "${ITSTATUS_BIN:=$ROOT/bin}"
: "${ITSTATUS_TBIN:=$ROOT/build/t}"
: "${ITSTATUS_FIXTURES:=$ROOT/t/fixtures/vendors}"
export ITSTATUS_FIXTURES
RUNS=${RUNS:-3}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(30 1000)
. "$ITSTATUS_ROOT/t/lib.sh"
for b in pollerd alertd apid; do
	[ -x "$ITSTATUS_BIN/$b" ] || t_fail "build bin/$b first (make)"
done
[ -d "$ITSTATUS_ROOT/web/node_modules/playwright-core" ] || t_fail "web/node_modules missing (cd web && npm ci)"
[ -f "$ITSTATUS_ROOT/web/dist/index.html" ] || t_fail "web/dist missing (cd web && npm run build)"
cd "$T_TMP" || exit 1
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "t/demo/payloads.sh failed"
t_fake vendor fakevendor --threads 16
V=$T_URL
CATS=(identity productivity collaboration engineering hr finance sales marketing networking support other)

# median and max of the numbers on stdin
stats() { sort -n | awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median %6.0f ms  max %6.0f ms", m, v[NR]}'; }

summary=()
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
			printf '  - {id: s%d, display_name: Service %d, category: %s, poll_type: statuspage_json, poll_url: "%s/p/%d.json"}\n' \
				"$i" "$i" "${CATS[i % 11]}" "$V" "$i"
		done
	} >"$dir/services.yaml"
	echo "dependencies: {}" >"$dir/dependencies.yaml"
	port=$((20000 + RANDOM % 20000))
	# Polls every 30 s: the baselines land in the first cycle and the
	# pollerd does not compete with the browser for the CPU during the runs.
	cat >"$dir/itstatus.yaml" <<CONF
services_file: services.yaml
dependencies_file: dependencies.yaml
database_path: itstatus.db
web_root: $ITSTATUS_ROOT/web/dist
port: $port
poll_interval_seconds: 30
http_retry_attempts: 1
CONF
	for d in pollerd alertd apid; do
		t_start "$d$n" "$ITSTATUS_BIN/$d" -f "$dir/itstatus.yaml"
	done
	api=http://127.0.0.1:$port
	t_wait_for 30 curl -sf -o /dev/null "$api/api/summary" || t_fail "apid did not answer"
	t_wait_for 120 bash -c "[ \$(sqlite3 -cmd '.timeout 5000' '$dir/itstatus.db' \"SELECT count(*) FROM services WHERE current_status = 'operational'\") -ge $n ]" ||
		t_fail "pollerd did not baseline the $n services"
	sleep 1 # let alertd decide the baseline events before measuring
	out=$T_TMP/render$n.jsonl
	(cd "$ITSTATUS_ROOT/web" && ITSTATUS_URL="$api/" N=$n RUNS=$RUNS node e2e/render-bench.mjs) >"$out" ||
		t_fail "render-bench failed for $n services: $(cat "$out")"
	cat "$out"
	for k in all_tiles_ms painted_ms api_services_ms store_ms busy_until_ms; do
		summary+=("$(printf '%5d services  %-16s %s' "$n" "$k" "$(jq -r ".$k // 0" "$out" | stats)")")
	done
	for d in pollerd alertd apid; do
		t_stop "$d$n"
	done
done
echo "# dashboard time to first render, cold, $RUNS runs each, ms from navigation start"
echo "# (all_tiles_ms: the DOM holds N tiles; painted_ms: the next frame; api_services_ms:"
echo "# GET /api/services done; store_ms: list parsed into the app's store; busy_until_ms:"
echo "# end of the last long task, when the page answers input; load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs)"
printf '%s\n' "${summary[@]}"
