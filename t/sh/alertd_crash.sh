#!/usr/bin/env bash
# t/sh/alertd_crash.sh -- crash safety of bin/alertd. The storyline of
# alertd_storyline.sh runs while alertd is killed with SIGKILL at 20 random
# instants and restarted at once. Afterwards:
#  - no decision is lost or repeated: alert_sent_log is exactly the decision
#    log of an uninterrupted run, one row per event, and each incident report
#    and postmortem draft exists once;
#  - every outbox row was delivered (2xx), and the only repeats are rows that
#    were 'sending' at the moment of a kill (POSTed, not yet marked sent):
#    at most one per kill, since alertd has one POST in flight at a time;
#  - the messages received, repeats removed, are exactly the expected ones.
# fakeslack delays every answer a little so that kills often land between a
# POST and its mark, the window this test is about.
set -u
ALERTD_STORYLINE_LIB=1
. "$ITSTATUS_ROOT/t/sh/alertd_storyline.sh"

KILLS=${ALERTD_CRASH_KILLS:-20}
APID=
start_alertd() {
	"$ITSTATUS_BIN/alertd" -f "$T_TMP/etc/itstatus.yaml" >>"$T_TMP/alertd.log" 2>&1 &
	APID=$!
}
cleanup() {
	local rc=$?
	[ -n "$APID" ] && kill -KILL "$APID" 2>/dev/null
	[ -n "${STORY:-}" ] && kill "$STORY" 2>/dev/null
	t_stop_all
	exit $rc
}
trap cleanup EXIT

T0=$(t_ms)
ok() { printf 'ok - %s [%d ms]\n' "$*" $(($(t_ms) - T0)); }

sl_setup
# A slow answer must not look like a lost one here: a client timeout on a
# request the server did process is a repeat of its own kind (counted below,
# but not what this test is about), and sanitizer builds on a busy machine
# are slow.
sed -i 's/^http_timeout_seconds: .*/http_timeout_seconds: 10/' "$T_TMP/etc/itstatus.yaml"
ctl mode '{"path":"*","code":200,"delay_ms":60}'
start_alertd
( sl_story && sl_ack && echo done ) >"$T_TMP/story.log" 2>&1 &
STORY=$!

: >"$T_TMP/kills.txt"
for ((k = 1; k <= KILLS; k++)); do
	sleep "0.$((100 + RANDOM % 500))"
	kill -KILL "$APID" 2>/dev/null
	wait "$APID" 2>/dev/null
	# What the dead process left in flight: each may have reached the
	# destination, and will be POSTed again by the next process.
	printf '%d %s\n' "$k" "$(q "SELECT group_concat(id) FROM outbox WHERE state = 'sending'")" >>"$T_TMP/kills.txt"
	start_alertd
done
ok "$KILLS kills with SIGKILL, each followed by a restart"
wait "$STORY" || t_fail "storyline failed: $(tail -5 "$T_TMP/story.log")"
grep -q '^done$' "$T_TMP/story.log" || t_fail "storyline incomplete: $(tail -5 "$T_TMP/story.log")"
ok "storyline completed across the crashes"
t_wait_for 90 drained || t_fail "outbox did not drain: $(q "SELECT id, destination, state, last_error FROM outbox WHERE state <> 'sent'")"
kill -TERM "$APID"
wait "$APID"
rc=$?
APID=
[ "$rc" = 0 ] || t_fail "final alertd exited $rc"

# Decisions: exactly the uninterrupted run's log, one row per event.
sl_check_decisions
[ "$(q "SELECT count(*) FROM (SELECT status_event_id FROM alert_sent_log WHERE status_event_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)")" = 0 ] ||
	t_fail "an event was decided twice"
[ "$(q "SELECT last_event_id FROM cursors WHERE consumer = 'alertd'")" = "$(q "SELECT max(id) FROM status_events")" ] ||
	t_fail "cursor not at the last event"
[ "$(q "SELECT count(*) FROM incident_reports")" = 6 ] || t_fail "incident reports: $(q "SELECT count(*) FROM incident_reports")"
[ "$(ls "$T_TMP/postmortems"/*.md | wc -l)" = 6 ] || t_fail "postmortem drafts: $(ls "$T_TMP/postmortems")"
ok "decision log identical to an uninterrupted run; reports and drafts once each"

# Deliveries: all rows sent; repeats only for rows 'sending' at a kill.
[ "$(q "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] || t_fail "undelivered rows"
jq -s -r 'map(select(.answered >= 200 and .answered < 300 and .headers["X-Itstatus-Outbox-Id"]))
	| group_by(.headers["X-Itstatus-Outbox-Id"]) | map(select(length > 1)
	| "\(.[0].headers["X-Itstatus-Outbox-Id"]) \(length - 1)") | .[]' "$T_TMP/slack.jsonl" >"$T_TMP/repeats.txt"
q "SELECT id FROM outbox ORDER BY id" >"$T_TMP/outbox.ids"
jq -s -r 'map(select(.answered >= 200 and .answered < 300) | .headers["X-Itstatus-Outbox-Id"] // empty) | unique | .[]' \
	"$T_TMP/slack.jsonl" | sort -n >"$T_TMP/delivered.ids"
missing=$(comm -23 "$T_TMP/outbox.ids" "$T_TMP/delivered.ids" | tr '\n' ' ')
[ -z "$missing" ] || t_fail "outbox rows never delivered: $missing"
repeats=0 max_per_kill=0
while read -r id n; do
	[ -n "$id" ] || continue
	# times the row was left 'sending' by a kill = most repeats it may have
	left=$(awk -v id="$id" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == id) c++ } END { print c + 0 }' "$T_TMP/kills.txt")
	# a client-side timeout on an answer that was on its way also repeats
	timeouts=$(grep -c "\"outbox $id to [^\"]*timed out" "$T_TMP/alertd.log")
	[ "$n" -le $((left + timeouts)) ] ||
		t_fail "outbox $id delivered $((n + 1)) times, but was 'sending' at only $left kill(s) ($timeouts timeouts)"
	repeats=$((repeats + n))
done <"$T_TMP/repeats.txt"
[ "$repeats" -le "$KILLS" ] || t_fail "$repeats repeats for $KILLS kills"
max_per_kill=$(awk '{ n = split($2, a, ","); if (n > m) m = n } END { print m + 0 }' "$T_TMP/kills.txt")
[ "$max_per_kill" -le 1 ] || t_fail "a kill left $max_per_kill rows 'sending': more than one POST was in flight"
in_flight=$(awk '$2 != "" { c++ } END { print c + 0 }' "$T_TMP/kills.txt")
ok "every row delivered; $repeats repeat(s) over $KILLS kills ($in_flight kills caught a POST in flight), each explained by a 'sending' row"

# Repeats removed, the messages are exactly the expected ones.
sl_check_messages
ok "received messages, repeats removed, exactly as expected"
