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
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
cd "$T_TMP" || exit 1
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "payloads"
awk '/^  - id: /{id=$3} /^    poll_url: /{print "    poll_url: @VENDOR@/sp/" id ".json"; next} {print}' \
	"$ITSTATUS_ROOT/etc/services.yaml" > services.yaml.in
: > vendor.map
for id in $(sed -n 's|.*@VENDOR@/sp/\(.*\)\.json|\1|p' services.yaml.in); do
	echo "/sp/$id.json payloads/sp-ok.json" >> vendor.map
done
t_fake vendor fakevendor --map vendor.map
vendor=$T_URL
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
rm -rf "$art"
e2e() { (cd "$ITSTATUS_ROOT/web" && ITSTATUS_URL="$api/" FAKEVENDOR_URL="$vendor" ARTIFACT_DIR="$art" "$@" node e2e/dashboard.mjs); }
# apid and alertd never create the database (doc/faults.md#deleted): make the
# empty one pollerd would, so phase 1 sees a suite that has never polled.
t_new_db itstatus.db
for d in alertd apid; do
	t_start "$d" "$ITSTATUS_BIN/$d" -f itstatus.yaml
done
api="http://127.0.0.1:$port"
t_wait_for 20 curl -sf -o /dev/null "$api/api/summary" || t_fail "apid did not answer"
# phase 1: nothing was ever polled
e2e env E2E_PHASE=fresh || t_fail "fresh phase"
t_start pollerd "$ITSTATUS_BIN/pollerd" -f itstatus.yaml
# wait for every polled service's baseline (8 of the 10; two are manual)
t_wait_for 30 bash -c "[ \$(sqlite3 itstatus.db \"SELECT count(*) FROM services WHERE current_status = 'operational'\") -ge 8 ]" \
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
# phase 3: pollerd stops (the browser stops it once the page is up)
e2e env E2E_PHASE=stale E2E_POLLERD_PID="$(t_pid pollerd)" || rc=1
t_stop pollerd
exit $rc
