#!/usr/bin/env bash
# fault_stall.sh -- a stalled pollerd never leaves "operational" on show
# (doc/faults.md#stalled).
#
# pollerd, apid and alertd run on three services; one of them goes to a
# major outage. pollerd is then stopped with SIGSTOP (alive, holding its
# files, doing nothing -- the worst kind of stall). Once its heartbeat is
# older than HEARTBEAT_STALE_AFTER_SECONDS every service's effective status
# must be unknown, with a reason, in every place that shows one: the
# v_status view, /api/services, /api/services/{id}, /api/services/graph,
# /api/services/slo, /api/summary (overall unknown, no incident claimed),
# the Slack slash reply; /healthz answers 503 naming pollerd. After SIGCONT
# the committed statuses come back, and the outage was neither lost nor
# repeated.
#
# Losses allowed: none.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
. "$ITSTATUS_ROOT/t/fault_lib.sh"

N=3
f_setup $N
export HEARTBEAT_STALE_AFTER_SECONDS=4 SLACK_SLASH_ENABLED=true SLACK_SIGNING_SECRET=s3cret
f_start pollerd
f_start alertd
f_start apid
baselines() { [ "$(f_q "SELECT count(*) FROM status_events WHERE is_baseline = 1")" = $N ]; }
t_wait_for 20 baselines || t_fail "no baseline for the $N services"
f_page f2 critical
CHANGES=1
outage() { [ "$(f_events)" = 1 ]; }
t_wait_for 20 outage || t_fail "the outage of f2 was not committed"
ok "f2 in major outage; f1, f3 operational"

get() { # get PATH -> body; fails unless 200
	local b
	b=$(t_http GET "$APID_URL$1")
	[ "$(t_http_code)" = 200 ] || t_fail "GET $1 -> $(t_http_code) $b"
	printf '%s' "$b"
}
slash() { # slash TEXT -> the reply's text and context
	local body ts sig
	body="command=%2Fitstatus&text=$1&user_id=U1&trigger_id=t$RANDOM$RANDOM" # unique: apid refuses replays
	read -r ts sig <<<"$(slack_sign "$body")"
	curl -s -X POST "$APID_URL/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" \
		-H "X-Slack-Signature: $sig" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data "$body" | tee "$T_TMP/slash.out" | jq -r '[.text, (.blocks[]? | select(.type == "context") | .elements[0].text)] | join(" | ")'
}
effs() { get /api/services | jq -r '[.data.services[].effective_status] | sort | join(",")'; }

t_assert_eq "$(effs)" "major_outage,operational,operational" "effective statuses before the stall"
t_assert_eq "$(get /api/summary | jq -r .data.overall_status)" major_outage "overall before the stall"

kill -STOP "$(t_pid pollerd)"
stalled_at=$(t_ms)
all_unknown() { [ "$(effs)" = "unknown,unknown,unknown" ]; }
t_wait_for 20 all_unknown || t_fail "effective statuses with pollerd stalled: $(effs)"
printf 'pollerd stalled: every effective status unknown after %d ms (threshold 4 s)\n' $(($(t_ms) - stalled_at))

CHECKED=0
check() { # check WHAT GOT WANT
	t_assert_eq "$2" "$3" "$1 with pollerd stalled"
	CHECKED=$((CHECKED + 1))
}
check "v_status" "$(f_q "SELECT group_concat(DISTINCT effective_status) FROM v_status")" unknown
check "v_status reasons" "$(f_q "SELECT count(*) FROM v_status WHERE effective_reason LIKE 'pollerd has not reported since %'")" $N
s=$(get /api/services)
check "/api/services" "$(jq -r '[.data.services[] | select(.effective_reason | test("^pollerd has not reported"))] | length' <<<"$s")" $N
check "/api/services unknown_count" "$(jq -r .data.unknown_count <<<"$s")" $N
for id in f1 f2 f3; do
	check "/api/services/$id" "$(get "/api/services/$id" | jq -r '.data.service.effective_status')" unknown
done
check "/api/services/graph" "$(get /api/services/graph | jq -r "[.data.nodes[].status] | unique | join(\",\")")" unknown
check "/api/services/slo" "$(get /api/services/slo | jq -r '[.data.services[].effective_status] | unique | join(",")')" unknown
sum=$(get /api/summary)
check "/api/summary overall" "$(jq -r .data.overall_status <<<"$sum")" unknown
check "/api/summary incidents" "$(jq -r '.data.active_incidents | length' <<<"$sum")" 0
check "/api/summary unknown_count" "$(jq -r .data.unknown_count <<<"$sum")" $N
case $(jq -r .data.status_text <<<"$sum") in
"Status unknown for all 3 monitored services: pollerd has not reported since "*) CHECKED=$((CHECKED + 1)) ;;
*) t_fail "summary text with pollerd stalled: $(jq -r .data.status_text <<<"$sum")" ;;
esac
reply=$(slash f2)
case $reply in
"F2: Unknown | Status unknown: pollerd has not reported since "*) CHECKED=$((CHECKED + 1)) ;;
*) t_fail "slash reply with pollerd stalled: $reply" ;;
esac
hz=$(t_http GET "$APID_URL/healthz")
check "/healthz" "$(t_http_code)" 503
check "/healthz stale" "$(jq -r '.stale | join(",")' <<<"$hz")" pollerd
ok "$CHECKED views say unknown, with the reason: $(jq -r .data.status_text <<<"$sum")"

kill -CONT "$(t_pid pollerd)"
back() { [ "$(effs)" = "major_outage,operational,operational" ]; }
t_wait_for 20 back || t_fail "effective statuses after SIGCONT: $(effs)"
t_assert_eq "$(get /api/summary | jq -r .data.overall_status)" major_outage "overall after the stall"
case $(slash f2) in
"F2: Major Outage"*) ;;
*) t_fail "slash reply after the stall: $(cat "$T_TMP/slash.out")" ;;
esac
ok "pollerd resumed: committed statuses shown again"

decided() { [ "$(f_decisions)" = "$(f_events)" ]; }
t_wait_for 20 decided || t_fail "alertd decided $(f_decisions) of $(f_events) events"
f_report "$CHANGES"
t_assert_eq "$(f_events)" "$CHANGES" "status events"
