#!/usr/bin/env bash
# pollerd_once.sh -- pollerd's process shape around the cycle: `--once` polls
# every service once, applies the pending inbox and exits 0 (heartbeat with
# last_cycle_at); a registry of manual services only still completes (empty)
# cycles; a SIGHUP that arrives in the middle of a cycle is applied after it
# (the cycle keeps its registry), and the new service is polled next.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

DB=$T_TMP/itstatus.db
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

t_fake fv fakevendor
V=$T_URL
summary='{"page":{"id":"p","name":"F"},"status":{"indicator":"minor","description":"Minor"},"components":[],"incidents":[],"scheduled_maintenances":[]}'
for p in a b c; do
	t_http POST "$V/_control/payload" "$(jq -cn --arg p "/$p.json" --arg b "$summary" '{path: $p, body: $b}')" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "payload $p"
done

echo "database_path: itstatus.db" >"$T_TMP/itstatus.yaml"
echo "dependencies: {}" >"$T_TMP/dependencies.yaml"
write_services() {
	{
		echo "services:"
		echo "  - {id: man, display_name: Man, category: other, poll_type: manual}"
		for id in "$@"; do
			printf '  - {id: %s, display_name: %s, category: other, poll_type: statuspage_json, poll_url: "%s/%s.json"}\n' \
				"$id" "$id" "$V" "$id"
		done
	} >"$T_TMP/services.yaml"
}
write_services a b
export LOG_JSON=true

# -n checks and exits
"$ITSTATUS_BIN/pollerd" -n -f "$T_TMP/itstatus.yaml" >"$T_TMP/n.out" 2>&1 || t_fail "-n failed: $(cat "$T_TMP/n.out")"
[ ! -e "$DB" ] || t_fail "-n touched the database"

# --once: one cycle, exit 0
start=$(t_ms)
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/once1.log" || t_fail "--once exited $?"
t_assert_eq "$(q "SELECT group_concat(id || '=' || current_status, ',') FROM (SELECT * FROM services ORDER BY id)")" \
	"a=degraded,b=degraded,man=unknown" "statuses after --once"
t_assert_eq "$(grep -c '"msg":"poll cycle done"' "$T_TMP/once1.log")" 1 "one cycle"
t_assert_eq "$(q "SELECT last_cycle_at IS NOT NULL FROM heartbeats WHERE daemon = 'pollerd'")" 1 "last_cycle_at"
echo "ok - --once polled in $(($(t_ms) - start)) ms"

# --once applies the inbox
q "INSERT INTO inbox (kind, consumer, service_id, payload) VALUES ('manual_status', 'pollerd', 'man',
	'{\"status\":\"degraded\",\"reason\":\"test\"}')"
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/once2.log" || t_fail "--once exited $?"
t_assert_eq "$(q "SELECT state || ' ' || json_extract(result, '$.status_changed') FROM inbox")" "applied 1" "inbox applied by --once"
t_assert_eq "$(q "SELECT current_status || ' ' || status_source FROM services WHERE id = 'man'")" "degraded manual" "manual status"
echo "ok - --once applies pending inbox rows"

# manual-only registry: empty cycles still complete
write_services
rm -f "$DB"*
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/once3.log" || t_fail "--once (manual only) exited $?"
t_assert_eq "$(q "SELECT last_cycle_at IS NOT NULL FROM heartbeats WHERE daemon = 'pollerd'")" 1 "empty cycle sets last_cycle_at"
echo "ok - a registry with nothing to poll still completes cycles"

# SIGHUP in the middle of a slow cycle: applied after it
write_services a b
rm -f "$DB"*
t_http POST "$V/_control/fault" '{"path":"/b.json","fault":"delay","ms":1500}' >/dev/null
POLL_INTERVAL_SECONDS=1 HTTP_TIMEOUT_SECONDS=5 t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
t_wait_for 10 grep -q '"msg":"registry synced' "$T_TMP/pollerd.log" || t_fail "pollerd did not start"
sleep 0.5 # the first cycle is waiting for b
write_services a b c
kill -HUP "$(t_pid pollerd)"
cyc() { [ "$(grep -c '"msg":"poll cycle done"' "$T_TMP/pollerd.log")" -ge "$1" ]; }
t_wait_for 10 cyc 1 || t_fail "first cycle did not end"
t_wait_for 10 grep -q '"msg":"configuration reloaded' "$T_TMP/pollerd.log" || t_fail "no reload"
first_done=$(grep -n '"msg":"poll cycle done"' "$T_TMP/pollerd.log" | head -1 | cut -d: -f1)
reloaded=$(grep -n '"msg":"configuration reloaded' "$T_TMP/pollerd.log" | head -1 | cut -d: -f1)
[ "$reloaded" -gt "$first_done" ] || t_fail "reload applied in the middle of a cycle"
has_c() { [ "$(q "SELECT current_status FROM services WHERE id = 'c'")" = degraded ]; }
t_wait_for 10 has_c || t_fail "the new service was not polled after the reload"
t_http POST "$V/_control/fault" '{"path":"/b.json","fault":"none"}' >/dev/null
t_stop pollerd || t_fail "pollerd did not stop cleanly"
echo "ok - SIGHUP during a cycle waits for its end, then the new service is polled"
