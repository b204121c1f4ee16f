#!/usr/bin/env bash
# t/sh/fakes.sh -- integration test of the two loopback fakes, with real curl
# against 127.0.0.1. Everything later (pollerd/alertd integration tests,
# benchmarks, the demo) trusts these fakes, so this checks each behaviour they
# promise: fakevendor's payload serving, validators and 304s, every fault, the
# 10,000-path table and its control API; fakeslack's recording, scripted and
# outage answers, and Block Kit limit checks. Both must stop cleanly on SIGTERM.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

FX=$ITSTATUS_FIXTURES
[ -d "$FX" ] || t_fail "fixtures not found at $FX"
SUMMARY=statuspage/github-summary-operational-2019-no-start-date.json
RSS=aws/aws-all-rss-empty-channel-2023.rss
ATOM=$(cd "$FX" && ls statuspage-feed/*.atom | head -n 1)
[ -f "$FX/$SUMMARY" ] && [ -f "$FX/$RSS" ] && [ -n "$ATOM" ] || t_fail "expected fixtures missing"

T_START=$(t_ms)
ok() { printf "ok - %s [%d ms]\n" "$*" $(($(t_ms) - T_START)); }

# get URL [curl args...]: a GET; sets code, ctype, size, secs (time_total) and
# CURL_RC (curl's exit status); the body is left in $T_TMP/got.
get() {
	local url=$1 out
	shift
	CURL_RC=0
	out=$(curl -s -o "$T_TMP/got" -w '%{http_code}|%{content_type}|%{size_download}|%{time_total}' \
		--max-time 20 "$@" "$url") || CURL_RC=$?
	IFS='|' read -r code ctype size secs <<<"$out"
}

ctl() { # ctl URL JSON: POST a control call that must answer 200
	local body
	body=$(t_http POST "$1" "$2")
	[ "$(t_http_code)" = 200 ] || t_fail "control $1 $2 -> $(t_http_code) $body"
	printf '%s' "$body"
}

# ----------------------------------------------------------------- fakevendor
cp "$FX/$SUMMARY" "$T_TMP/relative.json"
cat >"$T_TMP/map.txt" <<EOF
# PATH FILE [content-type]
/status/feed $FX/$RSS application/rss+xml; charset=utf-8
/rel   relative.json
EOF
t_fake fv fakevendor --root "$FX" --map "$T_TMP/map.txt"
V=$T_URL
ok "fakevendor listening on $T_PORT"

# Files under --root at /<relative path>, byte for byte, typed by extension.
get "$V/$SUMMARY"
t_assert_eq "$code" 200 "root json status"
t_assert_eq "$ctype" application/json "root json content-type"
cmp -s "$T_TMP/got" "$FX/$SUMMARY" || t_fail "root json body differs from the fixture"
get "$V/$RSS"
t_assert_eq "$code $ctype" "200 application/rss+xml" "root rss"
get "$V/$ATOM"
t_assert_eq "$code $ctype" "200 application/atom+xml" "root atom"
ok "--root serves fixtures with the right content types"

get "$V/status/feed"
t_assert_eq "$code|$ctype" "200|application/rss+xml; charset=utf-8" "map entry with explicit type"
cmp -s "$T_TMP/got" "$FX/$RSS" || t_fail "map body differs"
get "$V/rel"
t_assert_eq "$code $ctype" "200 application/json" "map entry relative to the map file"
get "$V/no/such/path"
t_assert_eq "$code" 404 "unknown path"
ok "--map paths, explicit and guessed content types, 404 for unknown paths"

# Payloads set at run time: inline and from a file, with status and type.
ctl "$V/_control/payload" '{"path":"/x","body":"{\"v\":1}","content_type":"application/vnd.test+json"}' >/dev/null
get "$V/x"
t_assert_eq "$code $ctype $(cat "$T_TMP/got")" '200 application/vnd.test+json {"v":1}' "inline payload"
ctl "$V/_control/payload" "{\"path\":\"/gone\",\"file\":\"$FX/$SUMMARY\",\"status\":410}" >/dev/null
get "$V/gone"
t_assert_eq "$code $ctype" "410 application/json" "file payload with status"
cmp -s "$T_TMP/got" "$FX/$SUMMARY" || t_fail "file payload body differs"
t_http POST "$V/_control/payload" '{"path":"/y"}' >/dev/null
t_assert_eq "$(t_http_code)" 400 "payload without file or body is refused"
t_http POST "$V/_control/payload" 'not json' >/dev/null
t_assert_eq "$(t_http_code)" 400 "non-JSON control body is refused"
t_http POST "$V/_control/fault" '{"path":"/x","fault":"explode"}' >/dev/null
t_assert_eq "$(t_http_code)" 400 "unknown fault is refused"
ok "control: payload inline/file/status, bad requests refused"

# ETag / Last-Modified and 304s.
curl -s -D "$T_TMP/h" -o /dev/null "$V/x"
etag=$(tr -d '\r' <"$T_TMP/h" | sed -n 's/^ETag: //Ip')
lm=$(tr -d '\r' <"$T_TMP/h" | sed -n 's/^Last-Modified: //Ip')
[ -n "$etag" ] && [ -n "$lm" ] || t_fail "no ETag/Last-Modified: $(cat "$T_TMP/h")"
get "$V/x" -H "If-None-Match: $etag"
t_assert_eq "$code $size" "304 0" "If-None-Match"
get "$V/x" -H "If-None-Match: \"nope\", W/$etag"
t_assert_eq "$code $size" "304 0" "If-None-Match list with a weak tag"
get "$V/x" -H 'If-None-Match: "other"'
t_assert_eq "$code" 200 "If-None-Match mismatch"
get "$V/x" -H "If-Modified-Since: $lm"
t_assert_eq "$code $size" "304 0" "If-Modified-Since = Last-Modified"
get "$V/x" -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT'
t_assert_eq "$code" 200 "If-Modified-Since long ago"
get "$V/x" -H 'If-None-Match: "other"' -H "If-Modified-Since: $lm"
t_assert_eq "$code" 200 "If-None-Match wins over If-Modified-Since"
stats=$(t_http GET "$V/_control/stats?path=/x")
t_assert_eq "$(t_json_get "$stats" '.paths["/x"].not_modified')" 3 "stats count 304s"
# A new payload gets new validators; the old ones no longer match, even
# within the same second (Last-Modified moves on by at least one second).
ctl "$V/_control/payload" '{"path":"/x","body":"{\"v\":2}"}' >/dev/null
get "$V/x" -H "If-None-Match: $etag"
t_assert_eq "$code $(cat "$T_TMP/got")" '200 {"v":2}' "stale ETag after a change"
get "$V/x" -H "If-Modified-Since: $lm"
t_assert_eq "$code" 200 "stale If-Modified-Since after a change"
ok "ETag / Last-Modified: 304 on If-None-Match and If-Modified-Since, new validators on change"

# Keep-alive: curl reuses one connection for two requests.
curl -sv -o /dev/null -o /dev/null "$V/x" "$V/rel" 2>"$T_TMP/kv"
grep -q 'Re-using existing connection' "$T_TMP/kv" || t_fail "keep-alive: connection not reused"
ok "keep-alive"

# ----- faults
ctl "$V/_control/fault" '{"path":"/x","fault":"status","code":503,"retry_after":"5"}' >/dev/null
get "$V/x" -D "$T_TMP/h"
t_assert_eq "$code" 503 "status fault"
grep -qi '^Retry-After: 5' "$T_TMP/h" || t_fail "status fault: no Retry-After: $(cat "$T_TMP/h")"
get "$V/x"
t_assert_eq "$code" 503 "status fault without count persists"
ctl "$V/_control/fault" '{"path":"/x","fault":"none"}' >/dev/null
get "$V/x"
t_assert_eq "$code" 200 "fault none clears"
ok "fault status + Retry-After, none"

ctl "$V/_control/fault" '{"path":"/x","fault":"status","code":429,"count":2}' >/dev/null
codes=""
for i in 1 2 3; do
	get "$V/x"
	codes="$codes $code"
done
t_assert_eq "$codes" " 429 429 200" "fault count expiry"
ok "fault count: applies to the next N requests, then clears"

ctl "$V/_control/fault" '{"path":"/x","fault":"delay","ms":700,"count":1}' >/dev/null
get "$V/x"
t_assert_eq "$code $(cat "$T_TMP/got")" '200 {"v":2}' "delayed answer"
awk -v s="$secs" 'BEGIN { exit !(s >= 0.65 && s < 5) }' || t_fail "delay 700 ms took ${secs}s"
ok "fault delay (${secs}s)"

body=$(printf '{"pad":"%0190d"}' 0) # 200 bytes
ctl "$V/_control/payload" "{\"path\":\"/drip\",\"body\":\"$(printf '%s' "$body" | sed 's/"/\\"/g')\"}" >/dev/null
ctl "$V/_control/fault" '{"path":"/drip","fault":"drip","bps":400}' >/dev/null
get "$V/drip"
t_assert_eq "$code $size" "200 200" "dripped body complete"
t_assert_eq "$(cat "$T_TMP/got")" "$body" "dripped body intact"
awk -v s="$secs" 'BEGIN { exit !(s >= 0.35 && s < 5) }' || t_fail "drip 200 B at 400 B/s took ${secs}s"
ok "fault drip (${secs}s for 200 bytes at 400 B/s)"

ctl "$V/_control/fault" "{\"path\":\"/$SUMMARY\",\"fault\":\"truncate\",\"count\":1}" >/dev/null
get "$V/$SUMMARY"
t_assert_eq "$CURL_RC" 18 "truncate: curl partial-transfer error (18)"
get "$V/$SUMMARY"
t_assert_eq "$code $CURL_RC" "200 0" "truncate count 1 expired"
ok "fault truncate (curl exit 18)"

# Body faults come before the 304: a conditional client still meets them.
curl -s -D "$T_TMP/h" -o /dev/null "$V/$SUMMARY"
etag=$(tr -d '\r' <"$T_TMP/h" | sed -n 's/^ETag: //Ip')
ctl "$V/_control/fault" "{\"path\":\"/$SUMMARY\",\"fault\":\"truncate\",\"count\":1}" >/dev/null
get "$V/$SUMMARY" -H "If-None-Match: $etag"
t_assert_eq "$CURL_RC" 18 "truncate applies to a conditional request"
ctl "$V/_control/fault" '{"path":"/drip","fault":"drip","bps":400,"count":1}' >/dev/null
curl -s -D "$T_TMP/h" -o /dev/null "$V/drip"
etag=$(tr -d '\r' <"$T_TMP/h" | sed -n 's/^ETag: //Ip')
ctl "$V/_control/fault" '{"path":"/drip","fault":"drip","bps":400,"count":1}' >/dev/null
get "$V/drip" -H "If-None-Match: $etag"
t_assert_eq "$code $size" "200 200" "drip applies to a conditional request"
get "$V/drip" -H "If-None-Match: $etag"
t_assert_eq "$code $size" "304 0" "304 again once the fault is spent"
ok "body faults apply before 304 (conditional requests meet them)"

ctl "$V/_control/fault" '{"path":"/x","fault":"reset"}' >/dev/null
t0=$(t_ms)
get "$V/x"
case $CURL_RC in
52 | 56) ;;
*) t_fail "reset: want curl exit 52 (empty reply) or 56 (reset), got $CURL_RC" ;;
esac
[ $(($(t_ms) - t0)) -lt 2000 ] || t_fail "reset took $(($(t_ms) - t0)) ms"
ok "fault reset (curl exit $CURL_RC)"

ctl "$V/_control/fault" '{"path":"/x","fault":"html"}' >/dev/null
get "$V/x"
t_assert_eq "$code|$ctype" "200|text/html; charset=utf-8" "html fault status and type"
grep -q '<html' "$T_TMP/got" || t_fail "html fault body is not HTML"
ok "fault html (200 text/html)"

ctl "$V/_control/fault" '{"path":"/x","fault":"oversize","mb":2}' >/dev/null
get "$V/x"
t_assert_eq "$code $size" "200 2097152" "oversize 2 MiB"
t_assert_eq "$(jq -r '.pad | length' "$T_TMP/got")" 2097142 "oversize body is valid JSON"
ctl "$V/_control/fault" '{"path":"/x","fault":"none"}' >/dev/null
ok "fault oversize (2 MiB)"

ctl "$V/_control/fault" '{"path":"*","fault":"status","code":502,"count":1}' >/dev/null
get "$V/nowhere"
t_assert_eq "$code" 502 "fault on * applies to unknown paths"
get "$V/nowhere"
t_assert_eq "$code" 404 "fault on * expired"
ok "fault on path *"

# ----- 10,000 generated paths
gen=$(ctl "$V/_control/generate" "{\"prefix\":\"/p/\",\"count\":10000,\"suffix\":\".json\",\"file\":\"$FX/$SUMMARY\"}")
t_assert_eq "$(t_json_get "$gen" '.count, .first, .last' | tr '\n' ' ')" "10000 /p/0.json /p/9999.json " "generate"
for p in 0 4242 9999; do
	get "$V/p/$p.json"
	t_assert_eq "$code $ctype" "200 application/json" "generated path /p/$p.json"
	cmp -s "$T_TMP/got" "$FX/$SUMMARY" || t_fail "generated body differs"
done
get "$V/p/10000.json"
t_assert_eq "$code" 404 "past the generated range"
health=$(t_http GET "$V/_control/health")
[ "$(t_json_get "$health" .paths)" -ge 10000 ] || t_fail "health: $health"
# Concurrent fetches across the table: 500 paths, 16 connections at a time
# (one curl with --parallel; 500 curl processes would take 20 s on 2 cores).
urls=()
for i in $(seq 0 20 9999); do
	urls+=(-o /dev/null "$V/p/$i.json")
done
curl -s --parallel --parallel-max 16 --max-time 30 -w '%{http_code}\n' "${urls[@]}" \
	>"$T_TMP/codes" 2>"$T_TMP/curl.err"
t_assert_eq "$(sort "$T_TMP/codes" | uniq -c | awk '{print $1 "x" $2}')" "500x200" "concurrent fetches"
stats=$(t_http GET "$V/_control/stats?path=/p/0.json")
t_assert_eq "$(t_json_get "$stats" '.paths["/p/0.json"].requests')" 2 "per-path request count"
[ "$(t_json_get "$stats" .bytes_sent)" -gt 2097152 ] || t_fail "bytes_sent total: $stats"
ok "generate 10,000 paths; 500 concurrent fetches; stats"

# remove, then reset back to the startup table.
ctl "$V/_control/remove" '{"path":"/rel"}' >/dev/null
get "$V/rel"
t_assert_eq "$code" 404 "removed path"
ctl "$V/_control/fault" "{\"path\":\"/$RSS\",\"fault\":\"reset\"}" >/dev/null
ctl "$V/_control/reset" '' >/dev/null
get "$V/x"
t_assert_eq "$code" 404 "reset forgets run-time payloads"
get "$V/rel"
t_assert_eq "$code" 200 "reset restores startup payloads"
get "$V/$RSS"
t_assert_eq "$code" 200 "reset clears faults"
stats=$(t_http GET "$V/_control/stats")
t_assert_eq "$(t_json_get "$stats" '.requests, .paths_registered' | tr '\n' ' ')" \
	"3 $(($(find "$FX" -type f | wc -l) + 2)) " "stats after reset"
ok "remove and reset"

t0=$(t_ms)
t_stop fv
rc=$?
t_assert_eq "$rc" 0 "fakevendor exit status on SIGTERM"
[ $(($(t_ms) - t0)) -lt 3000 ] || t_fail "fakevendor took $(($(t_ms) - t0)) ms to stop"
ok "fakevendor stops cleanly on SIGTERM ($(($(t_ms) - t0)) ms)"

# ----------------------------------------------------------------- fakeslack
LOG=$T_TMP/slack.jsonl
t_fake fs fakeslack --log "$LOG"
S=$T_URL
ok "fakeslack listening on $T_PORT"

post() { # post PATH JSON [curl args]: prints "code body", curl status in CURL_RC
	local path=$1 json=$2
	shift 2
	CURL_RC=0
	curl -s -o "$T_TMP/sgot" -w '%{http_code}' --max-time 20 -H 'Content-Type: application/json' \
		--data-binary "$json" "$@" "$S$path" || CURL_RC=$?
	printf ' %s' "$(cat "$T_TMP/sgot")"
}

t_assert_eq "$(post /services/T1/B1/x '{"text":"hello"}')" "200 ok" "plain post"
[ "$(wc -l <"$LOG")" -eq 1 ] || t_fail "log should have 1 line: $(cat "$LOG")"
line=$(head -n 1 "$LOG")
t_assert_eq "$(t_json_get "$line" '[.seq, .method, .path, .json.text, .answered, .headers["Content-Type"], (.limit_violations|length)] | @tsv')" \
	"$(printf '1\tPOST\t/services/T1/B1/x\thello\t200\tapplication/json\t0')" "recorded line"
t_assert_eq "$(t_json_get "$line" .body)" '{"text":"hello"}' "raw body recorded"
t_assert_eq "$(post /teams/hook 'not json at all')" "200 ok" "non-JSON post"
t_assert_eq "$(t_json_get "$(tail -n 1 "$LOG")" '.json')" null "non-JSON body has json null"
ok "fakeslack records posts (seq, path, headers, body, json)"

# Scripted answers, in order, then the default.
ctl "$S/_control/script" '{"path":"/hook","answers":[{"code":429,"retry_after":"2"},{"code":500},{"drop":true},{"delay_ms":500,"code":200}]}' >/dev/null
t_assert_eq "$(post /other '{"text":"o"}')" "200 ok" "a path script leaves other paths alone"
t_assert_eq "$(post /hook '{"text":"1"}' -D "$T_TMP/sh")" "429 rate_limited" "script 1: 429"
grep -qi '^Retry-After: 2' "$T_TMP/sh" || t_fail "429 without Retry-After: $(cat "$T_TMP/sh")"
t_assert_eq "$(post /hook '{"text":"2"}')" "500 internal_error" "script 2: 500"
post /hook '{"text":"3"}' >/dev/null
case $CURL_RC in
52 | 56) ;;
*) t_fail "script 3 (drop): want curl exit 52/56, got $CURL_RC" ;;
esac
t0=$(t_ms)
t_assert_eq "$(post /hook '{"text":"4"}')" "200 ok" "script 4: delayed 200"
[ $(($(t_ms) - t0)) -ge 450 ] || t_fail "delay_ms 500 answered after $(($(t_ms) - t0)) ms"
t_assert_eq "$(post /hook '{"text":"5"}')" "200 ok" "script exhausted: default 200"
reqs=$(t_http GET "$S/_control/requests?path=/hook")
t_assert_eq "$(t_json_get "$reqs" '[.[] | .answered] | join(",")')" "429,500,0,200,200" "answers recorded in order"
t_assert_eq "$(t_json_get "$reqs" '[.[] | .json.text] | join(",")')" "1,2,3,4,5" "bodies recorded in order"
t_assert_eq "$(t_json_get "$reqs" '.[2].dropped')" true "drop recorded"
ctl "$S/_control/script" '{"path":"*","answers":[{"code":503,"body":"maintenance"}]}' >/dev/null
t_assert_eq "$(post /anything '{"text":"a"}')" "503 maintenance" "script on *"
t_assert_eq "$(post /anything '{"text":"b"}')" "200 ok" "script on * consumed"
ok "scripted answers 429+Retry-After / 500 / drop / delay, in order, then default"

# Outage window.
ctl "$S/_control/mode" "{\"path\":\"*\",\"code\":500,\"until_ms\":$(($(t_ms) + 1500))}" >/dev/null
t_assert_eq "$(post /hook '{"text":"m1"}')" "500 internal_error" "inside the outage window"
sleep 1.6
t_assert_eq "$(post /hook '{"text":"m2"}')" "200 ok" "after the outage window"
ctl "$S/_control/mode" '{"path":"/hook","code":429,"retry_after":"1"}' >/dev/null
t_assert_eq "$(post /hook '{"text":"m3"}')" "429 rate_limited" "open-ended mode"
ctl "$S/_control/mode" '{"path":"/hook","code":0}' >/dev/null
t_assert_eq "$(post /hook '{"text":"m4"}')" "200 ok" "mode cleared"
ok "outage mode with until_ms, open-ended mode, clear"

# Block Kit limits.
str() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
msg_header() { jq -nc --arg t "$1" '{text:"fallback",blocks:[{type:"header",text:{type:"plain_text",text:$t}}]}'; }
t_assert_eq "$(post /hook "$(msg_header "$(str 150)")")" "200 ok" "header of 150 chars"
eacute=$(printf '\303\251')
t_assert_eq "$(post /hook "$(msg_header "$(for i in $(seq 150); do printf '%s' "$eacute"; done)")")" "200 ok" \
	"header of 150 two-byte chars (limits count characters)"
t_assert_eq "$(post /hook "$(msg_header "$(str 151)")")" "400 invalid_blocks" "header of 151 chars"
t_assert_eq "$(t_json_get "$(tail -n 1 "$LOG")" '.limit_violations | join(",")')" "header_text>150" "header violation listed"

check_viol() { # check_viol JSON WANT_VIOLATIONS MSG
	post /hook "$1" >/dev/null
	t_assert_eq "$(t_json_get "$(tail -n 1 "$LOG")" '[.answered, (.limit_violations | join(","))] | join(" ")')" "$2" "$3"
}
check_viol "$(jq -nc '{text:"t",blocks:[range(51) | {type:"divider"}]}')" "400 blocks>50" "51 blocks"
check_viol "$(jq -nc '{text:"t",blocks:[range(50) | {type:"divider"}]}')" "200 " "50 blocks"
check_viol "$(jq -nc --arg t "$(str 3001)" '{text:"t",blocks:[{type:"section",text:{type:"mrkdwn",text:$t}}]}')" \
	"400 section_text>3000" "section text"
check_viol "$(jq -nc --arg t "$(str 2001)" '{text:"t",blocks:[{type:"section",fields:[{type:"mrkdwn",text:$t}]}]}')" \
	"400 field_text>2000" "field text"
check_viol "$(jq -nc '{text:"t",blocks:[{type:"section",fields:[range(11) | {type:"mrkdwn",text:"f"}]}]}')" \
	"400 section_fields>10" "11 fields"
check_viol "$(jq -nc '{blocks:[{type:"section",text:{type:"mrkdwn",text:"no fallback"}}]}')" \
	"400 missing_text_fallback" "missing text fallback"
t_assert_eq "$(cat "$T_TMP/sgot")" no_text "missing text answers no_text"
check_viol "$(jq -nc --arg t "$(str 151)" '{blocks:([{type:"header",text:{type:"plain_text",text:$t}}] + [range(51) | {type:"divider"}])}')" \
	"400 missing_text_fallback,blocks>50,header_text>150" "several violations at once"
check_viol '{"routing_key":"k","event_action":"trigger","payload":{"summary":"s"}}' "200 " "non-Slack JSON is not checked"
ok "Block Kit limits flagged and answered 400"

# The outage/script machinery does not hide a violation, and a violation does
# not use up a scripted answer.
ctl "$S/_control/script" '{"path":"/hook","answers":[{"code":500}]}' >/dev/null
t_assert_eq "$(post /hook "$(msg_header "$(str 151)")")" "400 invalid_blocks" "violation before script"
t_assert_eq "$(post /hook '{"text":"s"}')" "500 internal_error" "script still queued"

all=$(t_http GET "$S/_control/requests")
t_assert_eq "$(t_json_get "$all" 'length')" "$(wc -l <"$LOG")" "requests endpoint matches the log"
since=$(t_json_get "$all" '.[-3].seq')
t_assert_eq "$(t_json_get "$(t_http GET "$S/_control/requests?since=$since")" 'length')" 2 "?since="
jq -e . "$LOG" >/dev/null || t_fail "log is not JSON lines"
ok "requests endpoint, ?path= and ?since= filters"

ctl "$S/_control/reset" '' >/dev/null
t_assert_eq "$(t_json_get "$(t_http GET "$S/_control/requests")" length)" 0 "reset clears records"
[ ! -s "$LOG" ] || t_fail "reset leaves the log non-empty"
t_assert_eq "$(post /hook '{"text":"again"}')" "200 ok" "after reset"
t_assert_eq "$(t_json_get "$(cat "$LOG")" .seq)" 1 "seq restarts after reset"
ok "reset"

t0=$(t_ms)
t_stop fs
t_assert_eq "$?" 0 "fakeslack exit status on SIGTERM"
[ $(($(t_ms) - t0)) -lt 3000 ] || t_fail "fakeslack took $(($(t_ms) - t0)) ms to stop"
ok "fakeslack stops cleanly on SIGTERM"

# --lenient: violations are still listed, but answered like any other post.
t_fake fsl fakeslack --lenient --log "$T_TMP/lenient.jsonl"
S=$T_URL
t_assert_eq "$(post /hook "$(msg_header "$(str 151)")")" "200 ok" "lenient answers 200"
t_assert_eq "$(t_json_get "$(cat "$T_TMP/lenient.jsonl")" '.limit_violations | join(",")')" "header_text>150" \
	"lenient still flags"
t_stop fsl || t_fail "lenient fakeslack exit status"
ok "--lenient"

echo "all fake checks passed"
