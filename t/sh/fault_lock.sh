#!/usr/bin/env bash
# fault_lock.sh -- a held database lock costs no data (doc/faults.md#lock).
#
# The real pollerd, alertd and apid run on four services polled every 2 s
# (confirm 2 polls, no dwell). A real sqlite3 CLI then holds BEGIN IMMEDIATE
# for 30 s, and later for 45 s. While each lock is held the vendor pages keep
# changing: every 3 s one service flips between "none" and "critical", so
# each state lasts 12 s -- three times the confirm time, far less than the
# lock. pollerd must keep polling (fakevendor counts its requests), keep the
# readings in memory, and commit them in order once the lock goes: every
# flip becomes exactly one status event, each decided once by alertd and
# delivered. During the 45 s lock an admin status update outlives apid's
# write retries and must answer 503 saying the write could not be made
# (not "could not be read").
#
# Losses allowed: none (the queue holds 100,000 readings; these locks need
# a few dozen).
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

N=4
f_setup $N
f_start pollerd
f_start alertd
f_start apid
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 20 baselines || t_fail "no baseline for the $N services"
ok "pollerd, alertd and apid running; $N baselines"

requests() { t_json_get "$(t_http GET "$VURL/_control/stats")" .requests; }
state=(none none none none none)
CHANGES=0

# hold SECS: a sqlite3 CLI holding the write lock for SECS seconds, while
# the pages flip every 3 s. Returns once the lock is released.
hold() {
	local secs=$1 i k r0 r1 t0 adm
	(
		printf 'BEGIN IMMEDIATE;\n'
		sleep "$secs"
		printf 'COMMIT;\n'
	) | sqlite3 -cmd '.timeout 10000' "$FDB" &
	local holder=$!
	locked() { ! sqlite3 -cmd '.timeout 50' "$FDB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null; }
	t_wait_for 10 locked || t_fail "the sqlite3 CLI did not take the lock"
	t0=$(t_ms)
	r0=$(requests)
	if [ "$secs" -ge 45 ]; then
		curl -s -o "$T_TMP/admin.json" -w '%{http_code}' -X POST "$APID_URL/api/admin/status" \
			-H "Authorization: Bearer fault-token" -H 'Content-Type: application/json' \
			-d '{"service_id": "f1", "new_status": "degraded", "reason": "lock test"}' \
			>"$T_TMP/admin.code" &
		adm=$!
	fi
	for ((i = 0; (i + 1) * 3 < secs - 1; i++)); do
		sleep 3
		k=$((i % N + 1))
		if [ "${state[$k]}" = none ]; then state[$k]=critical; else state[$k]=none; fi
		f_page "f$k" "${state[$k]}"
		CHANGES=$((CHANGES + 1))
	done
	wait "$holder" || t_fail "the sqlite3 CLI holding the lock failed"
	r1=$(requests)
	printf 'lock of %s s held for %d ms: %d vendor requests meanwhile, %d changes made so far\n' \
		"$secs" $(($(t_ms) - t0)) $((r1 - r0)) "$CHANGES"
	# 2 s polls: a pollerd blocked on the lock would have made ~none.
	[ $((r1 - r0)) -ge $((secs / 2 * N / 2)) ] ||
		t_fail "pollerd did not keep polling during the lock ($((r1 - r0)) requests in ${secs}s)"
	if [ -n "${adm:-}" ]; then
		wait "$adm"
		t_assert_eq "$(cat "$T_TMP/admin.code")" 503 "admin write while the lock outlived apid's retries"
		grep -q 'could not be written: the database is locked' "$T_TMP/admin.json" ||
			t_fail "admin 503 does not say the write could not be made: $(cat "$T_TMP/admin.json")"
		ok "admin write during the lock: 503 $(cat "$T_TMP/admin.json")"
	fi
}

all_in() { [ "$(f_events)" -ge "$CHANGES" ]; }

hold 30
# The last flip must last its 12 s; then every change must be in.
t_wait_for 30 all_in || t_fail "after the 30 s lock: $(f_events) events for $CHANGES changes"
ok "30 s lock: $(f_events) events for $CHANGES changes"
hold 45
t_wait_for 30 all_in || t_fail "after the 45 s lock: $(f_events) events for $CHANGES changes"
ok "45 s lock: $(f_events) events for $CHANGES changes"

grep -q 'cannot write to the database: the database is locked' "$T_TMP/pollerd.log" ||
	t_fail "pollerd did not say the database was locked"
grep -q 'database writable again' "$T_TMP/pollerd.log" ||
	t_fail "pollerd did not say it committed the kept readings"
ok "pollerd: $(grep -c 'database writable again' "$T_TMP/pollerd.log") lock(s) noticed and recovered from"

decided() { [ "$(f_decisions)" = "$(f_events)" ]; }
t_wait_for 40 decided || t_fail "alertd decided $(f_decisions) of $(f_events) events"
delivered() { [ "$(f_q "SELECT count(*) FROM outbox WHERE state != 'sent'")" = 0 ]; }
t_wait_for 40 delivered || t_fail "outbox not drained: $(f_q "SELECT state, count(*) FROM outbox GROUP BY 1")"

f_report "$CHANGES"
t_assert_eq "$(f_events)" "$CHANGES" "status events (one per vendor change, none lost or repeated)"
# Order: each service's events alternate, as the flips did.
bad=$(f_q "SELECT count(*) FROM status_events a JOIN status_events b ON b.service_id = a.service_id
	AND b.kind = 'status' AND b.id = (SELECT min(id) FROM status_events c WHERE c.service_id = a.service_id
	AND c.kind = 'status' AND c.id > a.id) WHERE a.kind = 'status' AND a.new_status != b.previous_status")
t_assert_eq "$bad" 0 "events that do not continue their predecessor"
ok "no change lost, every event decided once and delivered"
