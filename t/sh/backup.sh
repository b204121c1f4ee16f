#!/usr/bin/env bash
# t/sh/backup.sh -- the nightly snapshot and `-R` restore, end to end (issue 7:
# "a test snapshots a live database, restores it to a new path, starts the
# daemons on it and sees them continue (cursor, outbox and statuses intact)").
#
#  1. fakevendor serves the example registry (as t/web.sh does), fakeslack
#     stands in for Slack; pollerd, alertd and apid run on a temp database with
#     2 s polls, confirmation 2, dwell 0, BACKUP_TIME_HOUR 0.
#  2. discord goes major (alerted, delivered); then fakeslack answers 500 and
#     github goes partial, so its outbox rows stay pending.
#  3. alertd writes its snapshot (its first check is one minute after start)
#     while the daemons keep writing; it must pass integrity_check. The
#     snapshot's cursor, pending outbox rows and statuses are recorded.
#  4. -R on the live database is refused (exit 1); the daemons are stopped
#     (SIGTERM, exit 0) and the snapshot restored to a NEW path.
#  5. The daemons start on the restored database, fakeslack answers 200 again:
#     statuses stay the snapshot's (no baseline, no unknown), alertd resumes at
#     the snapshot's cursor (no event decided twice), the pending rows are
#     delivered, and a new change at the vendor is committed and alerted.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
cd "$T_TMP" || exit 1
command -v sqlite3 >/dev/null || t_fail "sqlite3 is required"
command -v jq >/dev/null || t_fail "jq is required"

T0=$(t_ms)
ok() { printf 'ok - %s [%d ms]\n' "$*" $(($(t_ms) - T0)); }
# A busy timeout: the daemons hold write locks while we read.
q() { sqlite3 -cmd ".timeout 10000" "$1" "$2"; }

# ---- 1. fakes, registry, daemons --------------------------------------------
"$ITSTATUS_ROOT/t/demo/payloads.sh" payloads >/dev/null || t_fail "t/demo/payloads.sh failed"
awk '/^  - id: /{id=$3} /^    poll_url: /{print "    poll_url: @VENDOR@/sp/" id ".json"; next} {print}' \
	"$ITSTATUS_ROOT/etc/services.yaml" >services.yaml.in
: >vendor.map
for id in $(sed -n 's|.*@VENDOR@/sp/\(.*\)\.json|\1|p' services.yaml.in); do
	echo "/sp/$id.json payloads/sp-ok.json" >>vendor.map
done
npolled=$(wc -l <vendor.map)
t_fake vendor fakevendor --map vendor.map
vendor=$T_URL
t_fake slack fakeslack --log "$T_TMP/slack.jsonl"
slack=$T_URL
sed "s|@VENDOR@|$vendor|" services.yaml.in >services.yaml
cp "$ITSTATUS_ROOT/etc/dependencies.yaml" .

# Everything but the database path is shared by the live and restored runs.
write_conf() { # FILE DB PORT
	cat >"$1" <<CONF
services_file: services.yaml
dependencies_file: dependencies.yaml
database_path: $2
web_root: $ITSTATUS_ROOT/web/dist
port: $3
poll_interval_seconds: 2
alert_confirm_threshold_polls: 2
alert_recovery_threshold_polls: 2
alert_min_state_duration_seconds: 0
heartbeat_interval_seconds: 2
http_retry_attempts: 1
slack_min_interval_ms: 100
backup_dir: $T_TMP/backups
backup_time_hour: 0
CONF
}
port=$((20000 + RANDOM % 20000))
write_conf itstatus.yaml "$T_TMP/itstatus.db" "$port"
write_conf restored.yaml "$T_TMP/restored/itstatus.db" "$port"
mkdir -p restored
export SLACK_WEBHOOK_URL="$slack/hook"
DB=$T_TMP/itstatus.db
NEW=$T_TMP/restored/itstatus.db

start_suite() { # CONF LOGSUFFIX
	local d
	for d in pollerd alertd apid; do
		t_start "$d$2" "$ITSTATUS_BIN/$d" -f "$1"
	done
}
stop_suite() { # LOGSUFFIX -- SIGTERM each; a clean stop exits 0
	local d rc
	for d in pollerd alertd apid; do
		t_stop "$d$1" 10
		rc=$?
		[ "$rc" = 0 ] || t_fail "$d$1 exited $rc on SIGTERM"
	done
}
vendor_set() { # SERVICE PAYLOAD
	t_http POST "$vendor/_control/payload" \
		"{\"path\":\"/sp/$1.json\",\"file\":\"$T_TMP/payloads/$2.json\"}" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "fakevendor refused payload $2 for $1"
}
slack_mode() { # CODE (0 = answer normally again)
	t_http POST "$slack/_control/mode" "{\"path\":\"*\",\"code\":$1}" >/dev/null
	[ "$(t_http_code)" = 200 ] || t_fail "fakeslack refused mode $1"
}
status_of() { q "$1" "SELECT current_status FROM services WHERE id = '$2'"; }
operational_count() { [ "$(q "$DB" "SELECT count(*) FROM services WHERE current_status = 'operational'")" -ge "$npolled" ]; }

suite_start_ms=$(t_ms)
start_suite itstatus.yaml ""
t_wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$port/api/summary" || t_fail "apid did not answer"
t_wait_for 30 operational_count || t_fail "pollerd did not baseline the $npolled polled services"
ok "suite up, $npolled polled services baselined"

# ---- 2. a delivered alert, then pending ones ---------------------------------
vendor_set discord sp-major
discord_sent() {
	[ "$(q "$DB" "SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id
		WHERE a.service_id = 'discord' AND o.state = 'sent'")" -ge 1 ]
}
t_wait_for 30 discord_sent || t_fail "discord major_outage was not alerted and delivered (status $(status_of "$DB" discord))"
ok "discord major_outage committed, alerted and delivered"

slack_mode 500
vendor_set github sp-partial
github_pending() {
	[ "$(q "$DB" "SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id
		WHERE a.service_id = 'github' AND o.state = 'pending' AND o.last_http_status = 500")" -ge 1 ]
}
t_wait_for 30 github_pending || t_fail "github's alert is not pending after a 500 (status $(status_of "$DB" github); outbox: $(q "$DB" "SELECT id, state, last_http_status FROM outbox"))"
ok "github partial_outage alerted; its delivery pending behind fakeslack's 500s"

# ---- 3. the nightly snapshot, taken while the daemons write ------------------
# alertd's first snapshot check is BACKUP_CHECK_MS (60 s) after its start.
snap_exists() { compgen -G "$T_TMP/backups/itstatus-????-??-??.db" >/dev/null; }
left=$((95 - ($(t_ms) - suite_start_ms) / 1000))
t_wait_for "$left" snap_exists || t_fail "no snapshot in $T_TMP/backups ~95 s after alertd started: $(ls -la "$T_TMP/backups" 2>&1)"
snap=$(compgen -G "$T_TMP/backups/itstatus-????-??-??.db" | head -n 1)
compgen -G "$T_TMP/backups/*.partial" >/dev/null && t_fail "a .partial file was left beside $snap"
grep -q 'backup: wrote' "$T_TMP/alertd.log" || t_fail "alertd did not log the snapshot"
t_assert_eq "$(sqlite3 "$snap" 'PRAGMA integrity_check')" ok "integrity_check of $snap"
# The daemons kept writing after the snapshot (polls commit last_polled_at).
polled_at=$(q "$DB" "SELECT max(last_polled_at) FROM services")
t_wait_for 10 bash -c "[ \"\$(sqlite3 -cmd '.timeout 10000' '$DB' 'SELECT max(last_polled_at) FROM services')\" \> '$polled_at' ]" ||
	t_fail "pollerd stopped committing after the snapshot"
ok "snapshot $(basename "$snap") written, integrity_check ok, daemons still writing"

s_cursor=$(q "$snap" "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'")
s_maxev=$(q "$snap" "SELECT coalesce(max(id), 0) FROM status_events")
s_pending=$(q "$snap" "SELECT group_concat(id) FROM (SELECT id FROM outbox WHERE state IN ('pending', 'sending') ORDER BY id)")
s_sent=$(q "$snap" "SELECT count(*) FROM outbox WHERE state = 'sent'")
s_alerts=$(q "$snap" "SELECT count(*) FROM alert_sent_log")
s_status=$(q "$snap" "SELECT group_concat(id || '=' || current_status, ' ') FROM (SELECT id, current_status FROM services ORDER BY id)")
[ -n "$s_cursor" ] || t_fail "the snapshot has no alertd cursor"
t_assert_eq "$s_cursor" "$s_maxev" "snapshot: alertd cursor vs last status event"
[ -n "$s_pending" ] || t_fail "the snapshot has no pending outbox row (github's should be)"
[ "$s_sent" -ge 1 ] || t_fail "the snapshot has no sent outbox row (discord's should be)"
case " $s_status " in
*" discord=major_outage "*" github=partial_outage "*) ;;
*) t_fail "snapshot statuses: $s_status" ;;
esac
printf '# snapshot: cursor %s, pending outbox [%s], %s sent, %s alert rows\n# statuses: %s\n' \
	"$s_cursor" "$s_pending" "$s_sent" "$s_alerts" "$s_status"

# ---- 4. restore: refused on the live database, done on a new path ------------
live_events=$(q "$DB" "SELECT count(*) FROM status_events")
"$ITSTATUS_BIN/pollerd" -f itstatus.yaml -R "$snap" >restore-live.log 2>&1
rc=$?
t_assert_eq "$rc" 1 "-R on the live database while the daemons run: exit status"
grep -q 'in use' restore-live.log || t_fail "-R refusal does not say why: $(cat restore-live.log)"
t_assert_eq "$(q "$DB" "SELECT count(*) FROM status_events")" "$live_events" "live database after the refused -R"
ok "-R refused on the live database (fresh heartbeats), which is untouched"

stop_suite ""
ok "daemons stopped with SIGTERM"
"$ITSTATUS_BIN/pollerd" -f restored.yaml -R "$snap" >restore.log 2>&1 || t_fail "-R into $NEW failed: $(cat restore.log)"
t_assert_eq "$(sqlite3 "$NEW" 'PRAGMA integrity_check')" ok "integrity_check of the restored database"
t_assert_eq "$(q "$NEW" "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'")" "$s_cursor" "restored cursor"
t_assert_eq "$(q "$NEW" 'PRAGMA journal_mode')" wal "restored journal mode"
ok "snapshot restored to $NEW"

# ---- 5. the daemons continue on the restored database -----------------------
restart_ms=$(t_ms)
restart_iso=$(date -u +%Y-%m-%dT%H:%M:%S)
start_suite restored.yaml 2
slack_mode 0
t_wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$port/api/summary" || t_fail "apid did not answer on the restored database"
grep -q "cursor at event $s_cursor\b" "$T_TMP/alertd2.log" ||
	t_fail "alertd did not resume at the snapshot's cursor $s_cursor: $(grep -m1 'cursor at' "$T_TMP/alertd2.log")"

# Three poll cycles of every polled service since the restart, with the vendor
# pages unchanged: nothing to commit.
polled_since() {
	[ "$(q "$NEW" "SELECT count(*) FROM services WHERE poll_type <> 'manual' AND last_polled_at > '$restart_iso'")" = "$npolled" ]
}
t_wait_for 20 polled_since || t_fail "pollerd did not poll every service on the restored database"
sleep 6
r_status=$(q "$NEW" "SELECT group_concat(id || '=' || current_status, ' ') FROM (SELECT id, current_status FROM services ORDER BY id)")
t_assert_eq "$r_status" "$s_status" "statuses after restart vs the snapshot's"
t_assert_eq "$(q "$NEW" "SELECT group_concat(id || ':' || service_id || ':' || previous_status || '->' || new_status || ':baseline=' || is_baseline) FROM status_events WHERE id > $s_maxev AND kind = 'status'")" \
	"" "status events committed after the restart with unchanged vendor pages"
ok "statuses intact after the restart, no baseline or unknown event"

# Every row that was pending in the snapshot gets delivered (its backoff,
# stored as next_attempt_at, can run to ~30 s after the 500s).
pending_sent() {
	[ "$(q "$NEW" "SELECT count(*) FROM outbox WHERE id IN ($s_pending) AND state = 'sent'")" = \
		"$(awk -F, '{print NF}' <<<"$s_pending")" ]
}
t_wait_for 90 pending_sent || t_fail "pending rows not delivered: $(q "$NEW" "SELECT id, state, attempts, next_attempt_at, last_http_status, last_error FROM outbox WHERE id IN ($s_pending)")"
for id in ${s_pending//,/ }; do
	n=$(jq -s --arg id "$id" '[.[] | select(.answered == 200 and .headers["X-Itstatus-Outbox-Id"] == $id)] | length' slack.jsonl)
	[ "$n" -ge 1 ] || t_fail "fakeslack never answered 200 to outbox row $id"
done
ok "outbox rows [$s_pending] pending in the snapshot delivered after the restart"

# A new change is polled, committed, decided and delivered.
vendor_set cloudflare sp-major
cloudflare_sent() {
	[ "$(q "$NEW" "SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id
		JOIN status_events e ON e.id = a.status_event_id
		WHERE a.service_id = 'cloudflare' AND e.id > $s_maxev AND o.state = 'sent'")" -ge 1 ]
}
t_wait_for 30 cloudflare_sent || t_fail "cloudflare major_outage after the restart not alerted and delivered (status $(status_of "$NEW" cloudflare))"
t_assert_eq "$(status_of "$NEW" cloudflare)" major_outage "cloudflare status"
ok "a new change after the restart committed, alerted and delivered"

# No event decided twice; the snapshot's decisions left as they were.
t_assert_eq "$(q "$NEW" "SELECT count(*) FROM (SELECT status_event_id FROM alert_sent_log WHERE status_event_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)")" \
	0 "events decided twice"
t_assert_eq "$(q "$NEW" "SELECT count(*) FROM alert_sent_log WHERE status_event_id <= $s_cursor")" \
	"$(q "$snap" "SELECT count(*) FROM alert_sent_log WHERE status_event_id <= $s_cursor")" \
	"alert rows for the snapshot's events"
t_assert_eq "$(q "$NEW" "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'")" \
	"$(q "$NEW" "SELECT max(id) FROM status_events")" "alertd cursor after the new change"
ok "cursor continued from $s_cursor; no event decided twice"

stop_suite 2
t_stop slack
t_stop vendor
ok "all processes stopped ($(((restart_ms - T0) / 1000)) s before the restart)"
