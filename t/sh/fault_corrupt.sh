#!/usr/bin/env bash
# fault_corrupt.sh -- a damaged database is refused at start, and a daemon
# whose work keeps failing says so (doc/faults.md#corrupt).
#
#  1. Random bytes in three pages of a stopped database: pollerd, alertd,
#     alertd --once and apid each refuse to start (non-zero exit, at once),
#     logging the integrity error and the restore command (-R SNAPSHOT).
#     The restore command, run as printed, brings back the snapshot and the
#     suite starts on it.
#  2. Alive but not working: with the daemons running, a table alertd needs
#     is renamed away. Every failed pass logs SQLite's own message; after
#     three in a row /healthz answers 503 naming alertd and why; alertd
#     --once exits non-zero instead of retrying forever. When the table is
#     back, the pending event is decided once and /healthz is 200 again.
#  3. A zero-length database file is treated as new, with a warning.
#
# Losses allowed: what the snapshot does not hold (the restore goes back to
# it); nothing in part 2.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

N=2
f_setup $N
export HEARTBEAT_STALE_AFTER_SECONDS=10
f_start pollerd
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 20 baselines || t_fail "no baselines"
t_stop pollerd || t_fail "pollerd did not stop cleanly"
f_q "VACUUM INTO '$T_TMP/snap.db'"
pages=$(($(stat -c %s "$FDB") / 4096))
[ "$pages" -ge 12 ] || t_fail "database too small to damage ($pages pages)"
for p in $((pages / 4)) $((pages / 2)) $((pages * 3 / 4)); do
	dd if=/dev/urandom of="$FDB" bs=4096 seek="$p" count=1 conv=notrunc status=none
done
ok "database of $pages pages damaged in 3 pages (snapshot kept)"

# ---- 1. refused at start ------------------------------------------------------
refuses() { # refuses NAME CMD...: exits non-zero within 10 s, saying why and how to restore
	local name=$1 rc
	shift
	timeout 10 "$@" >"$T_TMP/$name.log" 2>&1
	rc=$?
	[ "$rc" != 124 ] || t_fail "$name did not exit within 10 s on a damaged database"
	[ "$rc" != 0 ] || t_fail "$name exited 0 on a damaged database"
	grep -qE 'fails its integrity check|is damaged' "$T_TMP/$name.log" ||
		t_fail "$name did not log the integrity error: $(tail -3 "$T_TMP/$name.log")"
	grep -q -- '-R SNAPSHOT' "$T_TMP/$name.log" || t_fail "$name did not print the restore command"
	printf '%s refused (exit %s): %s\n' "$name" "$rc" \
		"$(grep -m1 -oE '(fails its integrity check|is damaged)[^"]{0,80}' "$T_TMP/$name.log")"
}
refuses pollerd-bad "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
refuses alertd-bad "$ITSTATUS_BIN/alertd" -f "$T_TMP/itstatus.yaml"
refuses alertd-once-bad "$ITSTATUS_BIN/alertd" -f "$T_TMP/itstatus.yaml" --once
refuses apid-bad env PORT=$((20000 + RANDOM % 40000)) "$ITSTATUS_BIN/apid" -f "$T_TMP/itstatus.yaml"
ok "every daemon refuses the damaged database with the restore command"

"$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml" -R "$T_TMP/snap.db" >"$T_TMP/restore.log" 2>&1 ||
	t_fail "restore as printed failed: $(tail -3 "$T_TMP/restore.log")"
t_assert_eq "$(f_q "PRAGMA quick_check")" ok "quick_check after the restore"
f_start pollerd
f_start alertd
f_start apid
t_wait_for 10 baselines || t_fail "restored database lost its baselines"
ok "restored from the snapshot; the suite runs on it"

# ---- 2. alive but not working ---------------------------------------------------------
healthz() { t_http GET "$APID_URL/healthz" >"$T_TMP/hz.json"; t_http_code; }
hz_ok() { [ "$(healthz)" = 200 ]; }
t_wait_for 15 hz_ok || t_fail "/healthz not 200 before the fault: $(cat "$T_TMP/hz.json")"
f_q "ALTER TABLE alert_sent_log RENAME TO alert_sent_log_away"
f_page f1 critical
CHANGES=1
hz_503() { [ "$(healthz)" = 503 ]; }
t_wait_for 20 hz_503 || t_fail "/healthz stayed 200 while alertd's passes failed"
t_assert_eq "$(jq -r '.stale | join(",")' "$T_TMP/hz.json")" alertd "/healthz names alertd"
why=$(jq -r .daemons.alertd.failing "$T_TMP/hz.json")
case $why in
*"alert passes failed in a row"*) ;;
*) t_fail "/healthz does not say why alertd is failing: $why" ;;
esac
grep -q 'no such table: alert_sent_log' "$T_TMP/alertd.log" ||
	t_fail "alertd did not log SQLite's own message"
printf 'failed passes logged: %d; /healthz 503: %s\n' \
	"$(grep -c 'alert pass over .* failed (sqlite: ' "$T_TMP/alertd.log")" "$why"
timeout 20 "$ITSTATUS_BIN/alertd" -f "$T_TMP/itstatus.yaml" --once >"$T_TMP/once.log" 2>&1
rc=$?
[ "$rc" != 124 ] || t_fail "alertd --once did not end while its passes failed"
[ "$rc" != 0 ] || t_fail "alertd --once exited 0 although its passes failed"
ok "alive but not working: SQLite's message logged, /healthz 503 naming alertd, --once exits $rc"

f_q "ALTER TABLE alert_sent_log_away RENAME TO alert_sent_log"
t_wait_for 20 hz_ok || t_fail "/healthz not 200 after the table came back: $(cat "$T_TMP/hz.json")"
decided() { [ "$(f_decisions)" = "$(f_events)" ] && [ "$(f_events)" = 1 ]; }
t_wait_for 20 decided || t_fail "alertd decided $(f_decisions) of $(f_events) events"
f_report "$CHANGES"
t_assert_eq "$(f_q "SELECT count(*) FROM alert_sent_log WHERE status_event_id IN (SELECT id FROM status_events WHERE is_baseline = 0)")" 1 "decisions (once)"
ok "recovered: the event decided once, /healthz 200"

# ---- 3. a zero-length file --------------------------------------------------------------
t_stop apid
t_stop alertd
t_stop pollerd
rm -f "$FDB-wal" "$FDB-shm"
: >"$FDB"
f_start pollerd pollerd-empty
empty_said() { grep -q "database file $FDB is empty (0 bytes): treating it as a NEW database" "$T_TMP/pollerd-empty.log"; }
t_wait_for 10 empty_said || t_fail "pollerd did not warn about the empty file"
t_wait_for 20 baselines || t_fail "pollerd did not start over on the empty file"
ok "zero-length file: warned, treated as new"
