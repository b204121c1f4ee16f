#!/usr/bin/env bash
# fault_readonly.sh -- a database the daemons cannot write is refused in
# plain words (doc/faults.md#readonly).
#
# The database and its folder belong to someone else than the user the
# daemons run as (root runs them as nobody with setpriv; another user takes
# the write permission away). pollerd, alertd and apid must each refuse to
# start, saying that the file is not writable, by whom, who owns it with
# what mode, and what to change -- never open it read-only without a word.
# Then the advice is followed (chown) and the same daemons, same user, run.
#
# Losses allowed: none (nothing can be polled into a file nobody can write,
# and nothing is claimed about it).
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

f_setup 1
f_start pollerd
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = 1 ]; }
t_wait_for 20 baselines || t_fail "no baseline"
t_stop pollerd || t_fail "pollerd did not stop cleanly"
events_before=$(f_q "SELECT count(*) FROM status_events")

if [ "$(id -u)" = 0 ]; then
	setpriv --help >/dev/null 2>&1 || {
		echo "SKIP: running as root without setpriv: cannot run the daemons as another user"
		exit 0
	}
	RUN=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	"${RUN[@]}" test -x "$ITSTATUS_BIN/apid" || {
		echo "SKIP: uid 65534 cannot reach $ITSTATUS_BIN (a parent folder is private): cannot run the daemons as another user"
		exit 0
	}
	ME="$(getent passwd 65534 | cut -d: -f1) (uid 65534)"
	chmod 755 "$T_TMP"
	chmod 644 "$T_TMP"/*.yaml "$FDB"
	fix() { chown -R 65534:65534 "$T_TMP"; }
else
	RUN=()
	ME="$(id -un) (uid $(id -u))"
	chmod a-w "$FDB" "$T_TMP"
	fix() { chmod u+w "$FDB" "$T_TMP"; }
fi

refuses() { # refuses NAME CMD...
	local name=$1 rc
	shift
	timeout 10 "${RUN[@]}" "$@" >"$T_TMP/$name.log" 2>&1
	rc=$?
	[ "$rc" != 124 ] || t_fail "$name did not exit within 10 s on an unwritable database"
	[ "$rc" != 0 ] || t_fail "$name exited 0 on an unwritable database"
	grep -q "database file $FDB is not writable by $ME: it belongs to " "$T_TMP/$name.log" ||
		t_fail "$name did not say who cannot write the file: $(grep -v '^$' "$T_TMP/$name.log" | tail -3)"
	grep -q "Make it writable for $ME (chown or chmod it)" "$T_TMP/$name.log" ||
		t_fail "$name did not say what to change"
	grep -q "directory $T_TMP is not writable by $ME" "$T_TMP/$name.log" ||
		t_fail "$name did not mention the directory (for -wal and -shm)"
	printf '%s refused (exit %s): %s\n' "$name" "$rc" \
		"$(grep -m1 -o 'database file [^"]*' "$T_TMP/$name.log")"
}
refuses pollerd-ro "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
refuses alertd-ro "$ITSTATUS_BIN/alertd" -f "$T_TMP/itstatus.yaml"
refuses apid-ro env PORT=$((20000 + RANDOM % 40000)) "$ITSTATUS_BIN/apid" -f "$T_TMP/itstatus.yaml"
t_assert_eq "$(f_q "SELECT count(*) FROM status_events")" "$events_before" "rows written meanwhile"
ok "every daemon refuses, naming the user, the owner and the fix"

fix
t_start pollerd-fixed "${RUN[@]}" "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
beat() { [ -n "$(f_q "SELECT 1 FROM heartbeats WHERE daemon = 'pollerd' AND beat_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 seconds')")" ]; }
t_wait_for 15 beat || t_fail "pollerd did not run once the advice was followed"
f_page f1 critical
outage() { [ "$(f_events)" = 1 ]; }
t_wait_for 20 outage || t_fail "no event after the fix"
f_report 1
ok "advice followed: the same user runs pollerd, and it records changes"
