#!/usr/bin/env bash
# fault_slow.sh -- a slow vendor delays only itself (doc/faults.md#slow).
#
# Three services polled every 2 s; f3's page answers in 6 s (slow, but inside
# HTTP_TIMEOUT_SECONDS, so still healthy). Over a window of ~15 s the fast
# services must keep their own 2 s schedule -- fakevendor counts the GETs --
# while f3 is asked again only when its slow answer is in (never twice at
# once). A change on f1 during the window must be committed, and f3 must
# stay healthy and its reading counted. With cycles that never overlap every
# service is polled once per slow answer, and this test fails.
#
# Losses allowed: none. Figures (confirm time of the change) are printed,
# not asserted.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

N=3
f_setup $N
export HTTP_TIMEOUT_SECONDS=10
f_ctl fault '{"path":"/f3.json","fault":"delay","ms":6000}'
f_start pollerd
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 30 baselines || t_fail "no baselines"
ok "baselines; f3 answers in 6 s"

count() { t_json_get "$(t_http GET "$VURL/_control/stats")" ".paths[\"/$1.json\"].requests // 0"; }
a1=$(count f1)
a3=$(count f3)
t0=$(t_ms)
sleep 3
f_page f1 critical
changed=$(t_ms)
CHANGES=1
outage() { [ "$(f_events)" = 1 ]; }
t_wait_for 20 outage || t_fail "the change on f1 was not committed"
confirm=$(($(t_ms) - changed))
left=$((15000 - ($(t_ms) - t0)))
[ "$left" -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
b1=$(count f1)
b3=$(count f3)
win=$(($(t_ms) - t0))
printf 'in %d ms: f1 fetched %d times, f3 (6 s answers) %d times; f1 change confirmed in %d ms (2 polls of 2 s)\n' \
	"$win" $((b1 - a1)) $((b3 - a3)) "$confirm"
[ $((b1 - a1)) -ge $((b3 - a3 + 3)) ] ||
	t_fail "the fast service waited for the slow one: f1 $((b1 - a1)) GETs, f3 $((b3 - a3))"
[ $((b3 - a3)) -le $((win / 6000 + 1)) ] || t_fail "f3 fetched more often than it answers: $((b3 - a3))"
t_assert_eq "$(f_q "SELECT poller_health FROM services WHERE id = 'f3'")" healthy "f3 (slow, not failing)"
t_assert_eq "$(f_q "SELECT last_polled_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-8 seconds') FROM services WHERE id = 'f3'")" 1 \
	"f3's slow readings are recorded"
cycles=$(grep -c '"msg":"poll cycle done"' "$T_TMP/pollerd.log")
printf 'poll cycles completed: %d\n' "$cycles"
f_report "$CHANGES"
t_assert_eq "$(f_events)" "$CHANGES" "status events"
ok "the slow vendor delayed only itself"
