#!/usr/bin/env bash
# sentry.sh: pollerd with SENTRY_DSN pointing at fakesentry (which checks each
# envelope as Sentry would).
#  1. An induced error (a broken settings file, SIGHUP) arrives as well-formed
#     envelopes: level error, logger/tag pollerd, release itstatus@VERSION,
#     SENTRY_ENVIRONMENT, the message.
#  2. Burst: fakesentry stops answering (holds every request), then a services
#     file with 1,000 broken entries and SIGHUP make pollerd log 3,000 errors
#     in one go on its main loop -- twice. Poll cycles go on while Sentry
#     still holds the sender's request; RSS is printed before and after each
#     burst and the second burst must not add more than a loose bound (the
#     first also pays for parsing the big file once); fakesentry receives a
#     bounded number of envelopes, and the drops are counted (warning +
#     itstatus_sentry_events_total metric).
#  3. Crash: SIGSEGV leaves <db dir>/pollerd.crash; the next start reports a
#     "fatal" event with the signal and removes the marker.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

cd "$T_TMP" || exit 1
cp "$ITSTATUS_ROOT"/etc/{itstatus,services,dependencies}.yaml .
cp itstatus.yaml itstatus.good.yaml
cp services.yaml services.good.yaml
t_fake sentry fakesentry --log "$T_TMP/sentry.jsonl"
SENTRY=$T_URL
# No network here: the example registry's vendor URLs fail fast, so cycles stay short.
export DATABASE_PATH="$T_TMP/itstatus.db" HEARTBEAT_INTERVAL_SECONDS=1 LOG_JSON=true \
	POLL_INTERVAL_SECONDS=1 HTTP_TIMEOUT_SECONDS=2 HTTP_CONNECT_TIMEOUT_SECONDS=1 HTTP_RETRY_ATTEMPTS=1 \
	METRICS_FLUSH_SECONDS=1 SENTRY_DSN="http://public@127.0.0.1:$T_PORT/42" SENTRY_ENVIRONMENT=ci-sentry
unset SLACK_WEBHOOK_URL ADMIN_API_TOKEN
# Sanitizer builds keep freed memory in quarantine (256 MB by default), which
# would read as growth below; ordinary builds ignore the variable.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
version=$("$ITSTATUS_BIN/pollerd" -V | awk '{print $3}')

cycles() { grep -c '"msg":"poll cycle ' "$T_TMP/pollerd.log"; }
records() { grep -c . "$T_TMP/sentry.jsonl"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(t_pid pollerd)/status"; }
ctl() { curl -sS --max-time 5 -X POST --data "$2" "$SENTRY/_control/$1" >/dev/null || t_fail "fakesentry control $1"; }
at_least() { [ "$("$1")" -ge "$2" ]; }

t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
t_wait_for 20 at_least cycles 2 || t_fail "pollerd does not poll"

# ---- 1. an induced error arrives as a well-formed envelope -------------------
echo "poll_interval_seconds: 0" >>itstatus.yaml
kill -HUP "$(t_pid pollerd)"
t_wait_for 20 at_least records 2 || t_fail "no envelope reached fakesentry"
jq -e -s --arg v "itstatus@$version" --arg host "$(hostname)" '
	.[0:2] | length == 2 and all(.[];
		.valid and .answered == 200 and (.items | length == 1) and .items[0].type == "event" and
		.header.event_id == .items[0].payload.event_id and
		(.items[0].payload | .level == "error" and .logger == "pollerd" and .tags.daemon == "pollerd" and
			.release == $v and .environment == "ci-sentry" and .server_name == $host and
			.platform == "c" and (.timestamp | test("^20[0-9-]+T[0-9:.]+Z$"))))' "$T_TMP/sentry.jsonl" >/dev/null ||
	t_fail "the envelopes are not what Sentry expects: $(head -n 2 "$T_TMP/sentry.jsonl")"
msgs=$(jq -r '.items[0].payload.message.formatted' "$T_TMP/sentry.jsonl" | head -n 2)
grep -q '^reload rejected: .*itstatus.yaml:[0-9]*: poll_interval_seconds is set twice$' <<<"$msgs" ||
	t_fail "the rejected setting is not in the events: $msgs"
grep -qx 'configuration reload failed; still running on the previous configuration' <<<"$msgs" ||
	t_fail "the reload failure is not in the events: $msgs"
echo "ok: induced error -> $(records) well-formed envelope(s): $(head -n 1 <<<"$msgs")"
cp itstatus.good.yaml itstatus.yaml
kill -HUP "$(t_pid pollerd)"
t_wait_for 20 grep -q '"msg":"configuration reloaded' "$T_TMP/pollerd.log" || t_fail "pollerd did not reload the good file"

# ---- 2. a burst of errors while Sentry does not answer -----------------------
t_wait_for 10 at_least cycles $(($(cycles) + 2)) || t_fail "pollerd stopped polling"
ctl hold '{"hold":true}'
rss0=$(rss_kb)
sent0=$(records)
for i in $(seq 1000); do printf '  - id: bad-%d\n    category: nope\n' "$i"; done >>services.yaml
errors0=$(grep -c '"level":"error"' "$T_TMP/pollerd.log")
failed_reloads() { grep -c '"msg":"configuration reload failed' "$T_TMP/pollerd.log"; }
# Two bursts: the first also grows the heap for parsing the big file once
# (allocator high-water mark); the second must then add next to nothing.
for round in 1 2; do
	f0=$(failed_reloads)
	kill -HUP "$(t_pid pollerd)"
	t_wait_for 30 at_least failed_reloads $((f0 + 1)) || t_fail "the broken reload did not finish"
	c0=$(cycles)
	t_wait_for 20 at_least cycles $((c0 + 3)) || t_fail "polling stopped after error burst $round"
	rss[round]=$(rss_kb)
done
burst=$(($(grep -c '"level":"error"' "$T_TMP/pollerd.log") - errors0))
[ "$burst" -ge 2000 ] || t_fail "only $burst errors logged"
held=$(curl -sS --max-time 5 "$SENTRY/_control/stats" | jq -r .held)
[ "$held" -ge 1 ] || t_fail "fakesentry holds no request: the test did not keep Sentry stuck"
echo "burst: $burst errors logged in two reloads; after each, 3 poll cycles completed while Sentry still held $held request(s)"
echo "burst: pollerd VmRSS ${rss0} kB before, ${rss[1]} kB after the first burst, ${rss[2]} kB after the second (+$((rss[2] - rss[1])) kB)"
# Loose: the queue holds at most 64 events of at most 8 KiB (512 KiB).
[ $((rss[2] - rss[1])) -lt 8192 ] || t_fail "RSS grew by $((rss[2] - rss[1])) kB in the second burst"
cp services.good.yaml services.yaml
ctl hold '{"hold":false}'
t_wait_for 30 grep -q '"msg":"sentry: [0-9]* error events not sent so far' "$T_TMP/pollerd.log" ||
	t_fail "no warning about dropped events"
dropped=$(grep -o '"msg":"sentry: [0-9]* error events not sent so far[^"]*' "$T_TMP/pollerd.log" | tail -n 1 | cut -d'"' -f4)
n=$(sed 's/.*sentry: \([0-9]*\) error.*/\1/' <<<"$dropped")
[ "$n" -gt 0 ] || t_fail "drop counter is $n"
metric() {
	sqlite3 -cmd '.timeout 5000' "$DATABASE_PATH" "SELECT COALESCE(SUM(value), 0) FROM metrics WHERE daemon = 'pollerd'
		AND name = 'itstatus_sentry_events_total' AND labels LIKE '%dropped%'"
}
metric_positive() { awk -v v="$(metric)" 'BEGIN { exit !(v > 0) }'; }
t_wait_for 20 metric_positive || t_fail "itstatus_sentry_events_total{outcome=dropped_*} not in the metrics table"
t_wait_for 20 test "$(curl -sS --max-time 5 "$SENTRY/_control/stats" | jq -r .held)" = 0 || t_fail "requests still held"
got=$(($(records) - sent0))
[ "$got" -lt 120 ] || t_fail "fakesentry received $got envelopes for a burst of $burst errors"
jq -e -s 'all(.[]; .valid)' "$T_TMP/sentry.jsonl" >/dev/null || t_fail "an envelope had problems"
echo "ok: burst of $burst errors: $got envelopes sent, $dropped; metric dropped = $(metric)"

# ---- 3. a crash is reported on the next start --------------------------------
kill -SEGV "$(t_pid pollerd)"
rc=0
t_stop pollerd || rc=$?
[ "$rc" -eq 139 ] || [ "$rc" -eq 11 ] || t_fail "pollerd after SIGSEGV exited $rc"
[ -f "$T_TMP/pollerd.crash" ] || t_fail "no crash marker beside the database"
grep -qx 'signal=11' "$T_TMP/pollerd.crash" || t_fail "marker: $(cat "$T_TMP/pollerd.crash")"
before=$(records)
mv "$T_TMP/pollerd.log" "$T_TMP/pollerd.1.log"
t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
t_wait_for 20 at_least records $((before + 1)) || t_fail "the crash was not reported"
tail -n +$((before + 1)) "$T_TMP/sentry.jsonl" | jq -e -s '
	any(.[]; .valid and (.items[0].payload | .level == "fatal" and .tags.crash == "true" and
		.extra.signal == "11" and (.message.formatted | test("^pollerd ended by signal 11 "))))' >/dev/null ||
	t_fail "no well-formed fatal event: $(tail -n 1 "$T_TMP/sentry.jsonl")"
t_wait_for 5 test ! -e "$T_TMP/pollerd.crash" || t_fail "the marker was not removed"
grep -q 'ended by signal 11 .*reported to Sentry' "$T_TMP/pollerd.log" || t_fail "the crash is not in the log"
echo "ok: SIGSEGV -> marker -> fatal event on the next start: $(tail -n 1 "$T_TMP/sentry.jsonl" | jq -r .items[0].payload.message.formatted)"
t_stop pollerd || t_fail "pollerd did not stop cleanly"
echo "sentry.sh: all checks passed"
