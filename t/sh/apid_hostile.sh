#!/usr/bin/env bash
# apid_hostile.sh: the requests of issue 11 ("apid under attack"), each sent
# to a real apid, checking the answer and that apid is still up and serving
# readers afterwards: JSON nested 950 deep (before auth, with an empty admin
# token, with credentials on every body-taking endpoint), bodies that never
# arrive (anonymous, authenticated, one address holding many), per-address
# stream cap, X-Forwarded-For only from trusted proxies, vendor text in the
# Slack reply, webhook replay and timestamps, a blank WEBHOOK_TOKEN_<ID>, a
# forged log line, a hostile Slack timestamp, loose JSON, the database's
# file mode, conflicting Content-Length, civetweb's own error pages and the
# webhook answer for "no token" vs "wrong token".
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v node >/dev/null || t_fail "node is required"
raw() { node "$ITSTATUS_ROOT/t/sh/apid_raw.mjs" "$@"; }

apid_setup
alive() { # NAME WHAT: the process runs and a reader gets its answer
	kill -0 "$(t_pid "$1")" 2>/dev/null || t_fail "apid died after: $2"
	local c
	c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$APID/api/summary")
	[ "$c" = 200 ] || t_fail "GET /api/summary after $2: $c"
}
json='Content-Type: application/json'
good='{"service_id":"github","new_status":"degraded","reason":"abc"}'
# 950 levels: more than cJSON's recursion fits on a civetweb worker stack.
deep=$(printf '%*s' 950 '' | tr ' ' '[')$(printf '%*s' 950 '' | tr ' ' ']')
printf '%s' "$deep" >"$T_TMP/deep.json"
nest() { # N -> {"a":{"a":...1...}} N levels deep
	local n=$1 o c
	o=$(printf '%*s' "$n" '' | sed 's/ /{"a":/g')
	c=$(printf '%*s' "$n" '' | tr ' ' '}')
	printf '%s1%s' "$o" "$c"
}

# ---- 1. empty admin token: 503 before the body is looked at; file mode ------
export ADMIN_API_TOKEN= WEBHOOKS_ENABLED=true SLACK_ACK_ENABLED=true SLACK_SLASH_ENABLED=true
umask 022 # what a shell usually has; the daemon must not keep it
apid_start empty
expect 503 POST "$APID/api/admin/status" -H "$json" --data-binary "@$T_TMP/deep.json"
alive empty "deep JSON to admin/status with no token configured"
expect 503 POST "$APID/api/admin/maintenance" -H "$json" -H 'Authorization: Bearer x' --data-binary "@$T_TMP/deep.json"
alive empty "deep JSON to admin/maintenance with no token configured"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ -e "$f" ] || continue
	t_assert_eq "$(stat -c %a "$f")" 640 "mode of $(basename "$f") (umask 027)"
done
t_stop empty

# ---- configured ------------------------------------------------------------------
export ADMIN_API_TOKEN=tok STATUSPAGE_WEBHOOK_SECRET=hook-secret SLACK_SIGNING_SECRET=slack-secret \
	WEBHOOK_TOKEN_GITHUB=gh-token WEBHOOK_TOKEN_DATADOG=' ' ADMIN_WAIT_MS=100 \
	TRUSTED_PROXIES=127.0.0.5 APID_CLIENT_MAX_REQUESTS=8 APID_CLIENT_MAX_STREAMS=4
apid_start
apid_seed
auth='Authorization: Bearer tok'

# ---- 1. nested JSON: auth first, then a depth check before any parse -------
expect 401 POST "$APID/api/admin/status" -H "$json" --data-binary "@$T_TMP/deep.json"
alive apid "deep JSON without credentials"
expect 403 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer nope' --data-binary "@$T_TMP/deep.json"
for path in status maintenance; do
	expect 422 POST "$APID/api/admin/$path" -H "$json" -H "$auth" --data-binary "@$T_TMP/deep.json"
	t_assert_eq "$(jq -r '.detail[0].type' "$T_TMP/out")" parse_error "deep JSON on admin/$path"
	alive apid "deep JSON with credentials on admin/$path"
done
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d "$(nest 65)"
t_assert_eq "$(jq -r '.detail[0].msg' "$T_TMP/out")" "JSON nested deeper than 64 levels" "65 levels"
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d "$(nest 64)"
t_assert_eq "$(jq -r '.detail[0].loc[1]' "$T_TMP/out")" service_id "64 levels parse (then fail validation)"
expect 200 POST "$APID/api/webhooks/statuspage/github/gh-token" --data-binary "@$T_TMP/deep.json"
t_assert_eq "$(jq -r .queued "$T_TMP/out")" false "deep webhook (token) not queued"
alive apid "deep JSON on the token webhook"
ts=$(date +%s)
expect 200 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" \
	-H "X-Statuspage-Signature: $(hmac_hex hook-secret "$ts.$deep")" --data-binary "@$T_TMP/deep.json"
t_assert_eq "$(jq -r .queued "$T_TMP/out")" false "deep webhook (signed) not queued"
alive apid "deep JSON on the signed webhook"
form="payload=$(printf '%s' "$deep" | sed 's/\[/%5B/g; s/\]/%5D/g')"
read -r ts sig < <(slack_sign "$form")
expect 200 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$form"
alive apid "deep JSON in a signed Slack interaction"

# ---- 2. slow bodies and slow clients ---------------------------------------------
# Anonymous: answered at once, without waiting for a byte of the body.
printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n' >"$T_TMP/anon.req"
raw send "$APID_PORT" 127.0.0.1 2000 <"$T_TMP/anon.req" >"$T_TMP/anon.out"
t_assert_eq "$(head -n 1 "$T_TMP/anon.out" | tr -d '\r')" "HTTP/1.1 401 Unauthorized" "anonymous slow body answered before its body"
# ... and its connection closed at once: civetweb must not wait for the rest
grep -q '^\[closed by apid\]' "$T_TMP/anon.out" || t_fail "connection of an answered slow body left open"
# Authenticated, never finishing: cut at the body deadline (10 s), with 408.
printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Length: 2000\r\n\r\n{"a":' >"$T_TMP/slow.req"
# It keeps sending a byte every 2 s: civetweb alone would wait for ever.
raw send "$APID_PORT" 127.0.0.6 13000 2000 <"$T_TMP/slow.req" >"$T_TMP/slow.out" &
slow=$!
# One address holding more requests than apid_client_max_requests (8): the
# rest are refused with 429; readers elsewhere keep their answers.
printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Length: 60000\r\n\r\n' >"$T_TMP/hold.req"
raw hold "$APID_PORT" 127.0.0.3 12 2500 <"$T_TMP/hold.req" >"$T_TMP/hold.out" &
hold=$!
sleep 1
alive apid "12 slow bodies from one address"
wait $hold
t_assert_eq "$(grep -c '^429$' "$T_TMP/hold.out")" 4 "requests over the per-address cap refused"
t_assert_eq "$(grep -c '^none$' "$T_TMP/hold.out")" 8 "requests under the cap still waiting for their body"
# Streams: apid_client_max_streams (4) per address.
raw stream "$APID_PORT" 127.0.0.4 5 1500 >"$T_TMP/streams.out"
t_assert_eq "$(grep -c '^200$' "$T_TMP/streams.out")" 4 "streams under the per-address cap"
t_assert_eq "$(grep -c '^429$' "$T_TMP/streams.out")" 1 "stream over the per-address cap"
raw stream "$APID_PORT" 127.0.0.7 1 500 >"$T_TMP/streams2.out"
t_assert_eq "$(cat "$T_TMP/streams2.out")" 200 "another address still gets a stream"
wait $slow
t_assert_eq "$(head -n 1 "$T_TMP/slow.out" | tr -d '\r')" "HTTP/1.1 408 Request Timeout" "body deadline"
alive apid "slow clients"
# X-Forwarded-For: believed from the trusted proxy only.
code_of POST "$APID/api/admin/status" -H "$json" -H "$auth" --interface 127.0.0.5 \
	-H 'X-Forwarded-For: 10.9.9.9, 203.0.113.9' -d '{"service_id":"github","new_status":"degraded","reason":"via proxy","detail":"p1"}' >/dev/null
code_of POST "$APID/api/admin/status" -H "$json" -H "$auth" \
	-H 'X-Forwarded-For: 198.51.100.7' -d '{"service_id":"github","new_status":"degraded","reason":"direct","detail":"p2"}' >/dev/null
t_assert_eq "$(sqlite3 "$DB" "SELECT client_ip FROM inbox WHERE payload ->> '\$.detail' = 'p1' LIMIT 1")" 203.0.113.9 "forwarded address from a trusted proxy"
t_assert_eq "$(sqlite3 "$DB" "SELECT client_ip FROM inbox WHERE payload ->> '\$.detail' = 'p2' LIMIT 1")" 127.0.0.1 "forwarded address from anyone else ignored"

# ---- 3. vendor text in the Slack reply -------------------------------------
sqlite3 "$DB" "UPDATE services SET last_failure_reason = '<!channel> <https://evil.example|Reset SSO>',
	display_name = 'npm <!here> & co' WHERE id = 'npm'"
cmd='command=%2Fitstatus&text=npm'
read -r ts sig < <(slack_sign "$cmd")
expect 200 POST "$APID/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$cmd"
# every text Slack reads as mrkdwn (the plain_text header shows text as is)
jq -r '.text, (.. | objects | select(.type? == "mrkdwn") | .text)' "$T_TMP/out" >"$T_TMP/mrkdwn"
grep -q '<!channel>\|<https://evil\|<!here>' "$T_TMP/mrkdwn" && t_fail "vendor text reached Slack unescaped: $(cat "$T_TMP/out")"
grep -q '&lt;!channel&gt; &lt;https://evil.example|Reset SSO&gt;' "$T_TMP/out" || t_fail "reason not shown escaped: $(cat "$T_TMP/out")"
t_assert_eq "$(jq -r .text "$T_TMP/out")" "npm &lt;!here&gt; &amp; co: Unknown" "name escaped in the text"

# ---- 4. webhook replay and timestamps ---------------------------------------
body='{"component_update":{"new_status":"major_outage","old_status":"operational"},"n":1}'
ts=$(date +%s)
sig=$(hmac_hex hook-secret "$ts.$body")
expect 200 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" -H "X-Statuspage-Signature: $sig" -d "$body"
t_assert_eq "$(jq -r .queued "$T_TMP/out")" true "signed webhook queued"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" -H "X-Statuspage-Signature: $sig" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Replayed webhook" "replay refused"
ts2=$((ts + 1))
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts2" \
	-H "X-Statuspage-Signature: $(hmac_hex hook-secret "$ts2.$body")" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Replayed webhook" "same body re-signed is a replay"
far='{"n":2}'
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: 9999999999" \
	-H "X-Statuspage-Signature: $(hmac_hex hook-secret "9999999999.$far")" -d "$far"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Stale webhook timestamp" "future timestamp"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $(hmac_hex hook-secret "$far")" -d "$far"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Missing webhook timestamp" "body-only signature off by default"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" \
	-H "X-Statuspage-Signature: $(hmac_hex hook-secret "$far")" -d "$far"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Invalid signature" "body-only signature with a timestamp"

# ---- 5. a blank WEBHOOK_TOKEN_<ID> is no token --------------------------------
expect 403 POST "$APID/api/webhooks/statuspage/datadog/%20" -d "$body"
expect 403 POST "$APID/api/webhooks/statuspage/datadog/+" -d "$body"

# ---- 6. no forged log lines ---------------------------------------------------
expect 403 POST "$APID/api/webhooks/statuspage/git%0aFORGED-LINE%1b%5b31m" -H 'X-Statuspage-Signature: ab' -d '{}'
sleep 0.2
grep -q '^FORGED-LINE' "$T_TMP/apid.log" && t_fail "a request wrote its own log line"
grep -q $'\x1b' "$T_TMP/apid.log" && t_fail "an escape sequence reached the log"
grep -qF 'git\nFORGED-LINE\x1b[31m' "$T_TMP/apid.log" || t_fail "the escaped path is not in the log"

# ---- 7. a timestamp that overflows ------------------------------------------
expect 401 POST "$APID/api/slack/slash" -H 'X-Slack-Request-Timestamp: -9223372036854775808' \
	-H 'X-Slack-Signature: v0=00' -d "$cmd"
t_assert_eq "$(jq -r .detail.error.code "$T_TMP/out")" STALE_SLACK_TIMESTAMP "INT64_MIN timestamp"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H 'X-Statuspage-Timestamp: -9223372036854775808' \
	-H 'X-Statuspage-Signature: 0000000000000000000000000000000000000000000000000000000000000000' -d '{}'

# ---- 8. loose JSON ----------------------------------------------------------------
loose() { # MESSAGE BODY
	expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" --data-binary "$2"
	t_assert_eq "$(jq -r '.detail[0].msg' "$T_TMP/out")" "$1" "loose JSON: $2"
}
loose "trailing characters after the JSON value" "$good {}"
loose "trailing characters after the JSON value" "$good"$'\n''x'
loose '\u0000 inside a string' '{"service_id":"github","new_status":"degraded\u0000x","reason":"abc"}'
loose "JSON text is not valid UTF-8" '{"service_id":"github","new_status":"degraded","reason":"ab'$'\xff''"}'
loose "JSON text is not valid UTF-8" '{"service_id":"github","new_status":"degraded","reason":"ab'$'\xc0\xaf''"}'
loose "duplicate key in a JSON object" '{"service_id":"github","new_status":"degraded","new_status":"major_outage","reason":"abc"}'
loose "control character inside a string" '{"service_id":"github","new_status":"degraded","reason":"a'$'\x01''bc"}'
expect 200 POST "$APID/api/webhooks/statuspage/github/gh-token" -d '{"a":1,"a":2}'
t_assert_eq "$(jq -r .queued "$T_TMP/out")" false "duplicate keys in a webhook not queued"

# ---- 11. framing, civetweb's own errors, webhook answers --------------------------
printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Length: 5\r\nContent-Length: 60\r\n\r\nhello' >"$T_TMP/cl.req"
got=$(raw send "$APID_PORT" 127.0.0.1 1500 <"$T_TMP/cl.req" | head -n 1 | tr -d '\r')
t_assert_eq "$got" "HTTP/1.1 400 Bad Request" "conflicting Content-Length"
printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >"$T_TMP/te.req"
got=$(raw send "$APID_PORT" 127.0.0.1 1500 <"$T_TMP/te.req" | head -n 1 | tr -d '\r')
t_assert_eq "$got" "HTTP/1.1 400 Bad Request" "Content-Length with Transfer-Encoding"
for req in 'GET / HTTP/9.9\r\n\r\n' 'GARBAGE\r\n\r\n' 'GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n'; do
	printf "$req" >"$T_TMP/bad.req"
	raw send "$APID_PORT" 127.0.0.1 1500 <"$T_TMP/bad.req" >"$T_TMP/bad.out"
	grep -q '^HTTP/1.1 [45]' "$T_TMP/bad.out" || t_fail "no error answer to $req: $(head -c 200 "$T_TMP/bad.out")"
	for h in 'X-Content-Type-Options: nosniff' "Content-Security-Policy: default-src 'self'" 'X-Frame-Options: DENY'; do
		grep -qi "^$h" "$T_TMP/bad.out" || t_fail "civetweb's answer to $req lacks $h: $(head -c 300 "$T_TMP/bad.out")"
	done
done
expect 403 POST "$APID/api/webhooks/statuspage/pypi/anything" -d "$body" # no token configured
cp "$T_TMP/out" "$T_TMP/notoken"
expect 403 POST "$APID/api/webhooks/statuspage/github/wrong" -d "$body"
cmp -s "$T_TMP/out" "$T_TMP/notoken" || t_fail "no token and wrong token answered differently"
alive apid "everything above"
t_stop apid

# ---- 4b. the old tool's body-only signature, when asked for ---------------------
export STATUSPAGE_BODY_ONLY_SIGNATURE=true
apid_start legacy
expect 200 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $(hmac_hex hook-secret "$far")" -d "$far"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $(hmac_hex hook-secret "$far")" -d "$far"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Replayed webhook" "replay refused in compatibility mode too"
t_stop legacy
echo ok
