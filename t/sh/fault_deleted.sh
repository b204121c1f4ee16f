#!/usr/bin/env bash
# fault_deleted.sh -- a deleted database is noticed, never silently replaced
# (doc/faults.md#deleted).
#
#  1. apid and alertd started before pollerd wait for it: they create no
#     file, and carry on once pollerd has created the database -- which it
#     announces loudly, with the path.
#  2. `rm itstatus.db*` under the three running daemons: each one logs a
#     critical message within seconds and exits with status 3 (so that its
#     supervisor restarts it); nothing recreates the file, and no Slack
#     message goes out from the unlinked one.
#  3. A restarted pollerd creates a new database and says so; apid and
#     alertd follow it.
#
# Losses allowed: the deleted file's history (the operator deleted it; the
# restore is -R SNAPSHOT). Nothing else.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

N=2
f_setup $N

# ---- 1. apid and alertd first: they wait, creating nothing -------------------
f_start alertd
APID_PORT=$((20000 + RANDOM % 40000))
PORT=$APID_PORT t_start apid "$ITSTATUS_BIN/apid" -f "$T_TMP/itstatus.yaml"
waiting() { grep -q 'waiting for pollerd to create the database' "$T_TMP/$1.log"; }
t_wait_for 10 waiting alertd || t_fail "alertd does not say it waits for the database"
t_wait_for 10 waiting apid || t_fail "apid does not say it waits for the database"
sleep 1
[ ! -e "$FDB" ] || t_fail "a daemon other than pollerd created $FDB"
ok "apid and alertd wait for pollerd; no file created"

f_start pollerd
grep_new() { grep -q "NEW DATABASE: $FDB does not exist, creating an empty one" "$T_TMP/pollerd.log"; }
t_wait_for 10 grep_new || t_fail "pollerd did not announce the new database with its path"
listening() { grep -q 'listening on http' "$T_TMP/apid.log"; }
t_wait_for 10 listening || t_fail "apid did not start once the database existed"
APID_URL=http://127.0.0.1:$APID_PORT
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 20 baselines || t_fail "no baselines"
t_assert_eq "$(t_json_get "$(t_http GET "$APID_URL/api/summary")" .data.total_services)" $N "services"
ok "pollerd created the database (announced); apid and alertd carried on"

# Something for alertd to send, delivered before the deletion.
f_page f1 critical
delivered() { [ "$(f_deliveries)" -ge 1 ]; }
t_wait_for 20 delivered || t_fail "no delivery before the deletion"
sent_before=$(wc -l <"$T_TMP/slack.jsonl")
f_page f1 none
CHANGES=1

# ---- 2. rm under running daemons ------------------------------------------------
rm -f "$FDB" "$FDB-wal" "$FDB-shm"
t0=$(t_ms)
declare -A took
for d in pollerd alertd apid; do
	pid=$(t_pid "$d")
	exited() { ! kill -0 "$pid" 2>/dev/null; }
	t_wait_for 10 exited || t_fail "$d still running 10 s after its database was deleted"
	took[$d]=$(($(t_ms) - t0))
	wait "$pid"
	rc=$?
	unset "T_PIDS[$d]"
	t_assert_eq "$rc" 3 "$d exit status after the deletion"
	grep -q '"level":"critical".*database '"$FDB"' is gone' "$T_TMP/$d.log" ||
		t_fail "$d did not log a critical message naming $FDB"
done
printf 'noticed and exited (status 3): pollerd %d ms, alertd %d ms, apid %d ms\n' \
	"${took[pollerd]}" "${took[alertd]}" "${took[apid]}"
[ ! -e "$FDB" ] || t_fail "$FDB was recreated by a running daemon"
sent_after=$(wc -l <"$T_TMP/slack.jsonl")
t_assert_eq "$((sent_after - sent_before))" 0 "Slack messages sent from the deleted database"
ok "every daemon noticed the deletion, logged it as critical and exited 3; nothing recreated the file"

# ---- 3. restart: pollerd creates, announces; the others follow ----------------------
: >"$T_TMP/pollerd.log"
f_start pollerd
t_wait_for 10 grep_new || t_fail "restarted pollerd did not announce the new database"
f_start alertd alertd2
f_start apid apid2
t_wait_for 20 baselines || t_fail "no baselines in the new database"
t_assert_eq "$(t_json_get "$(t_http GET "$APID_URL/api/summary")" .data.total_services)" $N "services in the new database"
ok "restarted: a new database, announced; apid serves it"
printf 'counted: changes made %d before the deletion, deliveries before %d, after %d, files recreated 0, losses: the deleted history only\n' \
	"$CHANGES" "$sent_before" $((sent_after - sent_before))
