#!/usr/bin/env bash
# web_scale.sh: the dashboard with 1,000 services in a real browser against
# the real suite (doc/scale.md#dashboard). fakevendor serves 1,000 generated
# Statuspage pages, a registry of 1,000 services (11 categories, every 7th
# critical) points at them, the real pollerd, alertd and apid run, and
# web/e2e/scale.mjs checks the windowed grid, keyboard, search and filters in
# the URL, five live outages arriving without a list refetch, the collapsed
# incident cards and the drawer.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
N=${WEB_SCALE_N:-1000}
cd "$T_TMP" || exit 1
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "payloads"
t_fake vendor fakevendor --threads 8
V=$T_URL
t_http POST "$V/_control/generate" "$(jq -cn --argjson n "$N" --arg f "$T_TMP/payloads/sp-ok.json" \
	'{prefix: "/p/", count: $n, suffix: ".json", file: $f}')" >/dev/null
[ "$(t_http_code)" = 200 ] || t_fail "generate $N pages failed"
CATS=(identity productivity collaboration engineering hr finance sales marketing networking support other)
{
	echo "services:"
	for ((i = 0; i < N; i++)); do
		printf '  - {id: s%d, display_name: Service %d, category: %s, tier: %s, poll_type: statuspage_json, poll_url: "%s/p/%d.json"}\n' \
			"$i" "$i" "${CATS[i % 11]}" "$([ $((i % 7)) = 0 ] && echo critical || echo important)" "$V" "$i"
	done
} >services.yaml
echo "dependencies: {}" >dependencies.yaml
port=$((20000 + RANDOM % 20000))
# A poll every 5 s and one confirming poll: the live change shows within
# ~10 s; 1,000 pages every 5 s is light for pollerd.
cat >itstatus.yaml <<CONF
services_file: services.yaml
dependencies_file: dependencies.yaml
database_path: itstatus.db
web_root: $ITSTATUS_ROOT/web/dist
port: $port
poll_interval_seconds: 5
alert_confirm_threshold_polls: 1
alert_recovery_threshold_polls: 1
alert_min_state_duration_seconds: 0
http_retry_attempts: 1
CONF
for d in pollerd alertd apid; do
	t_start "$d" "$ITSTATUS_BIN/$d" -f itstatus.yaml
done
api=http://127.0.0.1:$port
t_wait_for 30 curl -sf -o /dev/null "$api/api/summary" || t_fail "apid did not answer"
t_wait_for 60 bash -c "[ \$(sqlite3 -cmd '.timeout 5000' itstatus.db \"SELECT count(*) FROM services WHERE current_status = 'operational'\") -ge $N ]" ||
	t_fail "pollerd did not baseline the $N services"
cd "$ITSTATUS_ROOT/web" || exit 1
ITSTATUS_URL="$api/" N=$N FAKEVENDOR_URL="$V" LIVE_PAYLOAD="$T_TMP/payloads/sp-major.json" node e2e/scale.mjs
