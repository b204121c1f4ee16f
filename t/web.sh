#!/usr/bin/env bash
# web.sh: the dashboard in a real browser against the real suite. fakevendor
# serves the example registry's status pages (payloads derived from real
# captures by t/demo/payloads.sh), a real pollerd polls them into a real
# database, alertd and apid run beside it, and web/e2e/dashboard.mjs drives
# Debian's Chromium through Playwright: every example service in its category
# worst-first, keyboard walk, drawer and graph, Executive and SLO views, axe on
# every view, and a status change scripted at the fake vendor appearing with
# no reload within the confirmation time (2 polls x 2 s, plus one poll of
# phase) plus 2 s. Issue 15's checks (web/e2e/truth-checks.mjs) run in three
# phases: before pollerd ever ran (neutral hero, red chip), seconds after the
# first polls (no made-up figure, no-data days, live today square, a vendor
# in maintenance), and after pollerd is stopped (amber, then red when
# /healthz says so). Screenshots go to build/t/web-artifacts (look at them).
#
# WEB_N=1000 (t/web_1k.sh) runs the same suite with the example registry
# plus generated services up to WEB_N (s0, s1, ...: "Service N", categories
# in turn, every 7th critical, each page generated at the fake vendor), so
# the grid is windowed and dashboard.mjs runs with E2E_WINDOWED=1 (what that
# changes: its header and doc/scale.md#dashboard). Screenshots then go to
# build/t/web-1k-artifacts.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
N=${WEB_N:-0}
cd "$T_TMP" || exit 1
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "payloads"
awk '/^  - id: /{id=$3} /^    poll_url: /{print "    poll_url: @VENDOR@/sp/" id ".json"; next} {print}' \
	"$ITSTATUS_ROOT/etc/services.yaml" > services.yaml.in
: > vendor.map
for id in $(sed -n 's|.*@VENDOR@/sp/\(.*\)\.json|\1|p' services.yaml.in); do
	echo "/sp/$id.json payloads/sp-ok.json" >> vendor.map
done
examples=$(grep -c '^  - id: ' services.yaml.in)
gen=$((N > examples ? N - examples : 0))
CATS=(identity productivity collaboration engineering hr finance sales marketing networking support other)
for ((i = 0; i < gen; i++)); do
	printf '  - {id: s%d, display_name: Service %d, category: %s, tier: %s, poll_type: statuspage_json, poll_url: "@VENDOR@/p/%d.json"}\n' \
		"$i" "$i" "${CATS[i % 11]}" "$([ $((i % 7)) = 0 ] && echo critical || echo important)" "$i"
done >> services.yaml.in
t_fake vendor fakevendor --map vendor.map $([ "$gen" -gt 0 ] && echo --threads 8)
vendor=$T_URL
if [ "$gen" -gt 0 ]; then
	t_http POST "$vendor/_control/generate" "$(jq -cn --argjson n "$gen" --arg f "$T_TMP/payloads/sp-ok.json" \
		'{prefix: "/p/", count: $n, suffix: ".json", file: $f}')" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "generate $gen pages failed"
fi
sed "s|@VENDOR@|$vendor|" services.yaml.in > services.yaml
cp "$ITSTATUS_ROOT/etc/dependencies.yaml" .
port=$((20000 + RANDOM % 20000))
cat > itstatus.yaml <<CONF
services_file: services.yaml
dependencies_file: dependencies.yaml
database_path: itstatus.db
web_root: $ITSTATUS_ROOT/web/dist
port: $port
poll_interval_seconds: 2
alert_confirm_threshold_polls: 2
alert_recovery_threshold_polls: 2
alert_min_state_duration_seconds: 0
heartbeat_interval_seconds: 2
heartbeat_stale_after_seconds: 15
http_timeout_seconds: 3
http_retry_attempts: 1
CONF
art="$ITSTATUS_TBIN/web-artifacts"
windowed=
if [ "$gen" -gt 0 ]; then
	art="$ITSTATUS_TBIN/web-1k-artifacts"
	windowed=1
fi
rm -rf "$art"
e2e() { (cd "$ITSTATUS_ROOT/web" && ITSTATUS_URL="$api/" FAKEVENDOR_URL="$vendor" ARTIFACT_DIR="$art" E2E_WINDOWED="$windowed" "$@" node e2e/dashboard.mjs); }
# apid and alertd never create the database (doc/faults.md#deleted): make the
# empty one pollerd would, so phase 1 sees a suite that has never polled.
t_new_db itstatus.db
for d in alertd apid; do
	t_start "$d" "$ITSTATUS_BIN/$d" -f itstatus.yaml
done
api="http://127.0.0.1:$port"
t_wait_for 20 curl -sf -o /dev/null "$api/api/summary" || t_fail "apid did not answer"
# phase 1: nothing was ever polled. Not with WEB_N: until pollerd first runs
# the database holds no service at all (pollerd writes the registry into it),
# so this page is the same whatever the registry's size.
if [ "$gen" -eq 0 ]; then
	e2e env E2E_PHASE=fresh || t_fail "fresh phase"
fi
t_start pollerd "$ITSTATUS_BIN/pollerd" -f itstatus.yaml
# wait for every polled service's baseline (8 of the 10 examples; two are
# manual) and the generated ones'
t_wait_for $((30 + gen / 20)) bash -c "[ \$(sqlite3 -cmd '.timeout 5000' itstatus.db \"SELECT count(*) FROM services WHERE current_status = 'operational'\") -ge $((8 + gen)) ]" \
	|| t_fail "pollerd did not baseline the example services"
rc=0
e2e env E2E_LIVE_SERVICE=discord E2E_LIVE_STATUS=major_outage E2E_LIVE_TIMEOUT_S=8 \
	E2E_LIVE_PATH=/sp/discord.json E2E_LIVE_PAYLOAD="$T_TMP/payloads/sp-major.json" \
	E2E_LIVE_RESTORE="$T_TMP/payloads/sp-ok.json" \
	E2E_MAINT_SERVICE=sentry E2E_MAINT_PATH=/sp/sentry.json \
	E2E_MAINT_PAYLOAD="$T_TMP/payloads/sp-maint.json" \
	E2E_BROKEN_SERVICE=dropbox E2E_BROKEN_PATH=/sp/dropbox.json \
	E2E_BROKEN_PAYLOAD="$T_TMP/payloads/health-bad.txt" \
	E2E_BROKEN_RESTORE="$T_TMP/payloads/sp-ok.json" || rc=1
# phase 3: pollerd stops (the browser stops it once the page is up). Not with
# WEB_N: what the chip reads (heartbeat age, /api/health's
# poll_late_after_seconds: two intervals plus the last cycle, 7 s in both
# runs as 1,000 local pages take milliseconds) does not depend on the
# registry's size, and the phase costs ~30 s of the CI budget.
if [ "$gen" -eq 0 ]; then
	e2e env E2E_PHASE=stale E2E_POLLERD_PID="$(t_pid pollerd)" || rc=1
fi
t_stop pollerd
exit $rc
