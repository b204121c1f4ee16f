#!/usr/bin/env bash
# daemons.sh: the three daemons started together on a new database file apply
# the migrations once, keep their heartbeats fresh, reload on SIGHUP (and keep
# the old configuration when the new one is broken), and stop on SIGTERM
# within 1 s with exit 0.
set -u
fail() { echo "FAIL: $*"; kill $(jobs -p) 2>/dev/null; exit 1; }
cd "$T_TMP" || exit 1
cp "$ITSTATUS_ROOT"/etc/{itstatus,services,dependencies}.yaml .
port=$((20000 + RANDOM % 20000))
# No network here: the example registry's vendor URLs fail fast, so cycles stay short.
export DATABASE_PATH="$T_TMP/itstatus.db" HEARTBEAT_INTERVAL_SECONDS=1 PORT=$port LOG_JSON=true \
	HTTP_TIMEOUT_SECONDS=2 HTTP_CONNECT_TIMEOUT_SECONDS=1 HTTP_RETRY_ATTEMPTS=1
unset SLACK_WEBHOOK_URL ADMIN_API_TOKEN
declare -A pid
for d in pollerd alertd apid; do
	"$ITSTATUS_BIN/$d" -f itstatus.yaml 2>"$d.log" &
	pid[$d]=$!
done
sleep 3
for d in pollerd alertd apid; do
	kill -0 "${pid[$d]}" 2>/dev/null || { cat "$d.log"; fail "$d died at start"; }
done
applied=$(cat pollerd.log alertd.log apid.log | grep -c '"applying migration 0001_init"')
[ "$applied" -eq 1 ] || fail "migration 0001 applied $applied times"
[ "$(sqlite3 itstatus.db 'PRAGMA user_version')" -ge 1 ] || fail "user_version not set"
[ "$(sqlite3 itstatus.db 'SELECT count(*) FROM services WHERE retired_at IS NULL')" = 10 ] || fail "registry not synced"
[ "$(sqlite3 itstatus.db 'SELECT count(*) FROM service_dependencies')" = 10 ] || fail "edges not synced"
# heartbeats: all three rows, pids match, refreshed within the last 2 s
for d in pollerd alertd apid; do
	row=$(sqlite3 itstatus.db "SELECT pid, (julianday('now') - julianday(beat_at)) * 86400 < 2.5 FROM heartbeats WHERE daemon = '$d'")
	[ "$row" = "${pid[$d]}|1" ] || fail "$d heartbeat stale or wrong pid: '$row'"
done
b1=$(sqlite3 itstatus.db "SELECT beat_at FROM heartbeats WHERE daemon = 'alertd'")
sleep 1.5
b2=$(sqlite3 itstatus.db "SELECT beat_at FROM heartbeats WHERE daemon = 'alertd'")
[ "$b1" != "$b2" ] || fail "alertd heartbeat did not move"

# SIGHUP with a valid change: a new service appears, a removed one is retired
sed -i 's/^  - id: ticketing$/  - id: helpdesk/' services.yaml
sed -i 's/      impact: SSO login to the ITSM\/ticketing system unavailable/      impact: SSO login to the helpdesk unavailable/; s/- service: ticketing/- service: helpdesk/' dependencies.yaml
kill -HUP "${pid[pollerd]}"
# pollerd applies a reload between poll cycles, so allow one cycle.
for _ in $(seq 100); do
	[ "$(sqlite3 itstatus.db "SELECT retired_at IS NOT NULL FROM services WHERE id = 'ticketing'")" = 1 ] && break
	sleep 0.2
done
[ "$(sqlite3 itstatus.db "SELECT retired_at IS NOT NULL FROM services WHERE id = 'ticketing'")" = 1 ] || fail "ticketing not retired after reload"
[ "$(sqlite3 itstatus.db "SELECT retired_at IS NULL FROM services WHERE id = 'helpdesk'")" = 1 ] || fail "helpdesk not added after reload"

# SIGHUP with a broken file: every daemon keeps running on the old configuration
echo "poll_interval_seconds: 0" >> itstatus.yaml
for d in pollerd alertd apid; do kill -HUP "${pid[$d]}"; done
for d in pollerd alertd apid; do
	for _ in $(seq 100); do
		grep -q 'still running on the previous configuration' "$d.log" && break
		sleep 0.2
	done
	kill -0 "${pid[$d]}" 2>/dev/null || fail "$d died on a broken reload"
	grep -q 'still running on the previous configuration' "$d.log" || fail "$d did not report the rejected reload"
done
[ "$(sqlite3 itstatus.db "SELECT count(*) FROM services WHERE retired_at IS NULL")" = 10 ] || fail "broken reload changed the registry"
curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || fail "apid stopped answering after a broken reload"

# SIGTERM: each exits 0 within 1 s
for d in pollerd alertd apid; do
	start=$(date +%s%N)
	kill -TERM "${pid[$d]}"
	wait "${pid[$d]}"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $rc -eq 0 ] || fail "$d exited $rc on SIGTERM"
	[ $ms -le 1000 ] || fail "$d took ${ms} ms to stop"
	echo "$d stopped in ${ms} ms"
done
echo "ok"
