#!/usr/bin/env bash
# fault_full.sh -- a full disk loses no change, and the suite recovers by
# itself once space is freed (doc/faults.md#full).
#
# The database lives on a small tmpfs of its own (skipped, saying why, where
# mounting one is not permitted). pollerd, alertd and apid run on four
# services; a filler file then takes every free byte. While the disk is
# full the pages keep changing (one flip every 3 s, each state held 12 s):
# pollerd must say once that the disk is full, keep polling and keep the
# readings in memory; /healthz must answer 503 saying the database cannot
# be written; alertd's self-monitoring pings HEALTHCHECK_PING_URL/fail at
# once. Once the filler is removed -- no restart -- every change must be
# committed in order, decided and delivered, /healthz be 200 again, and
# alertd post one Slack message saying how long the database could not be
# written and why.
#
# Losses allowed: none (the queue holds 100,000 readings).
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

MNT=$T_TMP/small
mkdir -p "$MNT"
if ! err=$(mount -t tmpfs -o size=3m tmpfs "$MNT" 2>&1); then
	echo "SKIP: cannot mount a small tmpfs for the database here ($err)"
	exit 0
fi
trap 'rc=$?; t_stop_all; umount "$MNT" 2>/dev/null; exit $rc' EXIT

N=4
f_setup $N
export HEALTHCHECK_PING_URL=$SURL/hc
FDB=$MNT/itstatus.db
sed -i "s|^database_path: .*|database_path: $FDB|" "$T_TMP/itstatus.yaml"
f_start pollerd
f_start alertd
f_start apid
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 20 baselines || t_fail "no baselines"
hz() { t_http GET "$APID_URL/healthz" >"$T_TMP/hz.json"; t_http_code; }
hz_ok() { [ "$(hz)" = 200 ]; }
t_wait_for 10 hz_ok || t_fail "/healthz not 200 before the fault: $(cat "$T_TMP/hz.json")"
ok "running on a 3 MB tmpfs ($(df -k "$MNT" | awk 'NR == 2 { print $4 }') KB free)"

dd if=/dev/zero of="$MNT/filler" bs=16k status=none 2>/dev/null
printf 'disk filled: %s KB free\n' "$(df -k "$MNT" | awk 'NR == 2 { print $4 }')"

state=(none none none none none)
CHANGES=0
flip() {
	local k=$1
	if [ "${state[$k]}" = none ]; then state[$k]=critical; else state[$k]=none; fi
	f_page "f$k" "${state[$k]}"
	CHANGES=$((CHANGES + 1))
}
full_said() { grep -q 'cannot write to the database: the disk holding the database is full' "$T_TMP/pollerd.log"; }
for ((i = 0; i < 6; i++)); do
	flip $((i % N + 1))
	sleep 3
done
t_wait_for 20 full_said || t_fail "pollerd never said the disk was full"
hz_503() { [ "$(hz)" = 503 ]; }
t_wait_for 10 hz_503 || t_fail "/healthz stayed 200 with the disk full: $(cat "$T_TMP/hz.json")"
reason=$(jq -r .reason "$T_TMP/hz.json")
t_assert_eq "$reason" "the database cannot be written: the disk holding the database is full" "/healthz reason"
t_assert_eq "$(grep -c 'cannot write to the database: the disk holding the database is full' "$T_TMP/pollerd.log")" 1 \
	"pollerd says it once"
pinged_fail() { jq -e 'select(.path == "/hc/fail")' "$T_TMP/slack.jsonl" >/dev/null 2>&1; }
t_wait_for 10 pinged_fail || t_fail "alertd did not ping /hc/fail with the disk full"
requests() { t_json_get "$(t_http GET "$VURL/_control/stats")" .requests; }
r0=$(requests)
sleep 4
r1=$(requests)
[ $((r1 - r0)) -ge $N ] || t_fail "pollerd stopped polling while the disk was full"
committed=$(f_events)
ok "disk full: said once, /healthz 503 ($reason), polling goes on; $committed of $CHANGES changes committed so far"

rm -f "$MNT/filler"
freed=$(t_ms)
all_in() { [ "$(f_events)" -ge "$CHANGES" ]; }
t_wait_for 40 all_in || t_fail "after freeing space: $(f_events) events for $CHANGES changes"
t_wait_for 20 hz_ok || t_fail "/healthz not 200 after space returned: $(cat "$T_TMP/hz.json")"
printf 'space freed: all %d changes committed and /healthz 200 within %d ms, no restart\n' \
	"$CHANGES" $(($(t_ms) - freed))
grep -q 'database writable again' "$T_TMP/pollerd.log" || t_fail "pollerd did not say it caught up"
for d in pollerd alertd apid; do kill -0 "$(t_pid "$d")" || t_fail "$d died on the full disk"; done

decided() { [ "$(f_decisions)" = "$(f_events)" ]; }
t_wait_for 30 decided || t_fail "alertd decided $(f_decisions) of $(f_events) events"
delivered() { [ "$(f_q "SELECT count(*) FROM outbox WHERE state != 'sent'")" = 0 ]; }
t_wait_for 30 delivered || t_fail "outbox not drained: $(f_q "SELECT state, count(*) FROM outbox GROUP BY 1")"
said() { [ "$(jq -r 'select(.path == "/main") | .json.text // empty' "$T_TMP/slack.jsonl" |
	grep -c 'The status database could not be written for .*: the disk holding the database is full')" = 1 ]; }
t_wait_for 20 said || t_fail "alertd did not post one Slack message about the full disk"
printf 'self-monitoring: /hc/fail pinged; Slack: %s\n' "$(jq -r 'select(.path == "/main") | .json.text // empty' \
	"$T_TMP/slack.jsonl" | grep 'could not be written')"
f_report "$CHANGES"
t_assert_eq "$(f_events)" "$CHANGES" "status events (one per change, none lost)"
ok "recovered without a restart; nothing lost"
