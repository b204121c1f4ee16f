#!/usr/bin/env bash
# apid_security.sh: every auth and signature outcome (missing, wrong, empty
# secret, stale timestamp, replayed, forged) on the admin, webhook and Slack
# endpoints; 413 on oversized bodies (with and without Content-Length);
# malformed JSON; SQL metacharacters and path traversal in every parameter;
# clients sending one byte per second do not hold up anyone else; security
# headers on every kind of response; CORS allow-list; static serving rules
# (types, caching, no listing, no CGI, traversal refused, JSON 404 under /api).
set -u
. "$(dirname "$0")/apid_lib.sh"

apid_setup
expect_code() { # WANT CODE -- the error code in the seed's envelope
	local got
	got=$(jq -r '.detail.error.code' "$T_TMP/out")
	[ "$got" = "$1" ] || t_fail "error code $got, want $1"
}
json='Content-Type: application/json'
good='{"service_id":"github","new_status":"degraded","reason":"abc"}'

# ---- 1. everything off: no token, flags false ------------------------------
unset ADMIN_API_TOKEN STATUSPAGE_WEBHOOK_SECRET SLACK_SIGNING_SECRET WEBHOOK_TOKEN_GITHUB
export WEBHOOKS_ENABLED=false SLACK_ACK_ENABLED=false SLACK_SLASH_ENABLED=false
apid_start off
apid_seed
expect 503 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer x' -d "$good"
expect_code ADMIN_NOT_CONFIGURED
expect 404 POST "$APID/api/webhooks/statuspage/github" -d '{}'
expect 404 POST "$APID/api/webhooks/statuspage/github/tok" -d '{}'
expect 404 POST "$APID/api/slack/interactivity" -d 'payload=%7B%7D'
expect 503 POST "$APID/api/slack/slash" -d 'command=%2Fitstatus'
expect_code SLASH_NOT_ENABLED
t_stop off

# ---- 2. flags on, secrets empty: empty counts as unset (doc/compat.md#bug-15) --
export ADMIN_API_TOKEN= STATUSPAGE_WEBHOOK_SECRET= SLACK_SIGNING_SECRET= WEBHOOK_TOKEN_GITHUB=
export WEBHOOKS_ENABLED=true SLACK_ACK_ENABLED=true SLACK_SLASH_ENABLED=true
apid_start empty
expect 503 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer ' -d "$good"
expect_code ADMIN_NOT_CONFIGURED
sig=$(hmac_hex "" '{}')
expect 503 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $sig" -d '{}'
expect 404 POST "$APID/api/webhooks/statuspage/github/" -d '{}' # empty token: no such route
expect 403 POST "$APID/api/webhooks/statuspage/github/x" -d '{}' # no token: as a wrong one
ts=$(date +%s)
expect 503 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" \
	-H "X-Slack-Signature: v0=$(hmac_hex "" "v0:$ts:payload=x")" -d 'payload=x'
expect 503 POST "$APID/api/slack/slash" -d 'command=%2Fitstatus'
expect_code SLASH_NOT_CONFIGURED
t_stop empty

# ---- 3. configured ---------------------------------------------------------
echo "file-token" >"$T_TMP/admin.token"
unset ADMIN_API_TOKEN
export ADMIN_API_TOKEN_FILE=$T_TMP/admin.token STATUSPAGE_WEBHOOK_SECRET=hook-secret \
	SLACK_SIGNING_SECRET=slack-secret WEBHOOK_TOKEN_GITHUB=gh-token ADMIN_WAIT_MS=200 \
	CORS_ORIGINS=http://localhost:5173
apid_start
auth='Authorization: Bearer file-token'

# admin
expect 401 POST "$APID/api/admin/status" -H "$json" -d "$good"
expect_code MISSING_BEARER_TOKEN
grep -qi '^WWW-Authenticate: Bearer' "$T_TMP/hdr" || t_fail "401 without WWW-Authenticate"
expect 401 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Basic ZmlsZS10b2tlbg==' -d "$good"
expect 401 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: bearer file-token' -d "$good"
expect 403 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer file-tokeN' -d "$good"
expect_code INVALID_BEARER_TOKEN
expect 403 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer file-token ' -d "$good"
expect 403 POST "$APID/api/admin/status" -H "$json" -H 'Authorization: Bearer ' -d "$good"
expect 202 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d "$good"
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d '{"service_id":"github"'
t_assert_eq "$(jq -r '.detail[0].type' "$T_TMP/out")" json_invalid "malformed JSON"
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d '[1,2]'
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d ''
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" -d '{"service_id":"github","new_status":"degraded","reason":"  "}'
# the token is checked before the body is read, malformed or not
expect 401 POST "$APID/api/admin/status" -H "$json" -d '{nope'
expect 401 POST "$APID/api/admin/status" -H "$json" -d '{"service_id":1}'
expect 401 DELETE "$APID/api/admin/maintenance/2"
expect 403 GET "$APID/api/admin/inbox/1" -H 'Authorization: Bearer nope'

# statuspage, HMAC form: hex HMAC of "<unix ts>.<body>" (doc/security.md)
body='{"component_update":{"new_status":"major_outage","old_status":"operational"}}'
body2='{"component_update":{"new_status":"degraded_performance","old_status":"operational"}}'
ts=$(date +%s)
sig=$(hmac_hex hook-secret "$ts.$body")
expect 200 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" -H "X-Statuspage-Signature: $sig" -d "$body"
expect 200 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" \
	-H "X-Statuspage-Signature: $(hmac_hex hook-secret "$ts.$body2" | tr a-f A-F)" -d "$body2"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Missing signature" "missing signature"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" \
	-H "X-Statuspage-Signature: $(hmac_hex forged "$ts.$body")" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Invalid signature" "forged signature"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Timestamp: $ts" -H "X-Statuspage-Signature: $sig" -d "${body/major/minor}"
old=$(($(date +%s) - 301))
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $(hmac_hex hook-secret "$old.$body")" \
	-H "X-Statuspage-Timestamp: $old" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Stale webhook timestamp" "stale webhook"
expect 403 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: $sig" \
	-H "X-Statuspage-Timestamp: $(date -u +%Y-%m-%dT%H:%M:%SZ)" -d "$body"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Stale webhook timestamp" "timestamp not in Unix seconds"
expect 404 POST "$APID/api/webhooks/statuspage/nope" -H "X-Statuspage-Timestamp: $ts" -H "X-Statuspage-Signature: $(hmac_hex hook-secret "$ts.{}")" -d '{}'
# statuspage, token form
expect 200 POST "$APID/api/webhooks/statuspage/github/gh-token" -d "$body"
t_assert_eq "$(jq -r .queued "$T_TMP/out")" true "token webhook queued"
expect 200 POST "$APID/api/webhooks/statuspage/github/gh-token" -d 'not json'
t_assert_eq "$(jq -r .queued "$T_TMP/out")" false "invalid JSON not queued"
expect 403 POST "$APID/api/webhooks/statuspage/github/gh-tokeN" -d "$body"
expect 403 POST "$APID/api/webhooks/statuspage/github/gh-token-and-more" -d "$body"
expect 403 POST "$APID/api/webhooks/statuspage/pypi/anything" -d "$body" # no token configured
expect 404 POST "$APID/api/webhooks/statuspage/ticketing/x" -d "$body" # retired
queued=$(sqlite3 "$DB" "SELECT count(*) FROM inbox WHERE kind = 'webhook_statuspage'")
t_assert_eq "$queued" 3 "only authenticated webhooks queued"

# slack
ack='payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%2C%22response_url%22%3A%22https%3A%2F%2Fevil.test%2Factions%2Fx%22%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22ack_alert%22%2C%22value%22%3A%22k%22%7D%5D%7D'
read -r ts sig < <(slack_sign "$ack")
expect 200 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$ack"
t_assert_eq "$(sqlite3 "$DB" "SELECT payload ->> '\$.response_url' IS NULL FROM inbox WHERE kind = 'slack_ack'")" 1 "response_url off the allow-list dropped"
expect 403 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$ack" # replayed
expect 403 POST "$APID/api/slack/interactivity" -d "$ack"
expect 403 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -d "$ack"
read -r ts sig < <(slack_sign "$ack" $(($(date +%s) - 301)))
expect 403 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$ack"
read -r ts sig < <(SLACK_SIGNING_SECRET=forged slack_sign "$ack")
expect 403 POST "$APID/api/slack/interactivity" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$ack"
cmd='command=%2Fitstatus&text=cloudflare'
read -r ts sig < <(slack_sign "$cmd")
expect 200 POST "$APID/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$cmd"
t_assert_eq "$(jq -r .text "$T_TMP/out")" "Cloudflare: Major Outage" "slash reply"
expect 401 POST "$APID/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$cmd"
expect_code REPLAYED_SLACK_REQUEST
expect 401 POST "$APID/api/slack/slash" -d "$cmd"
expect_code MISSING_SLACK_SIGNATURE
read -r ts sig < <(slack_sign "$cmd" $(($(date +%s) - 400)))
expect 401 POST "$APID/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$cmd"
expect_code STALE_SLACK_TIMESTAMP
read -r ts sig < <(SLACK_SIGNING_SECRET=forged slack_sign "$cmd")
expect 401 POST "$APID/api/slack/slash" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -d "$cmd"
expect_code INVALID_SLACK_SIGNATURE

# ---- 413: caps with and without Content-Length -----------------------------
head -c 65537 /dev/zero | tr '\0' 'x' >"$T_TMP/64k1"
head -c 1048577 /dev/zero | tr '\0' 'x' >"$T_TMP/1m1"
expect 413 POST "$APID/api/admin/status" -H "$json" -H "$auth" --data-binary "@$T_TMP/64k1"
expect 413 POST "$APID/api/admin/status" -H "$json" -H "$auth" -H 'Transfer-Encoding: chunked' --data-binary "@$T_TMP/64k1"
expect 413 POST "$APID/api/admin/maintenance" -H "$json" -H "$auth" --data-binary "@$T_TMP/64k1"
expect 413 POST "$APID/api/webhooks/statuspage/github/gh-token" --data-binary "@$T_TMP/1m1"
expect 413 POST "$APID/api/webhooks/statuspage/github/gh-token" -H 'Transfer-Encoding: chunked' --data-binary "@$T_TMP/1m1"
expect 413 POST "$APID/api/webhooks/statuspage/github" -H "X-Statuspage-Signature: x" -H "X-Statuspage-Timestamp: $(date +%s)" --data-binary "@$T_TMP/1m1"
expect 413 POST "$APID/api/slack/slash" --data-binary "@$T_TMP/1m1"
expect 413 POST "$APID/api/slack/interactivity" --data-binary "@$T_TMP/1m1"
head -c 65000 /dev/zero | tr '\0' 'x' >"$T_TMP/63k"
expect 422 POST "$APID/api/admin/status" -H "$json" -H "$auth" --data-binary "@$T_TMP/63k"

# ---- SQL metacharacters and traversal in every parameter -------------------
services_before=$(sqlite3 "$DB" 'SELECT count(*) FROM services')
evil=("x' OR '1'='1" "'; DROP TABLE services; --" '" OR 1=1 --' '%27%20OR%201%3D1--' '../../../../etc/passwd'
	'..%2f..%2f..%2fetc%2fpasswd' '%00' 'a%00b' '\' '%5c..%5c' "$(head -c 3000 /dev/zero | tr '\0' a)" '*' '%' '_')
enc() { jq -rn --arg v "$1" '$v|@uri'; }
for v in "${evil[@]}"; do
	e=$(enc "$v")
	for u in "/api/services?category=$e" "/api/services/$e" "/api/timeline?service_id=$e" "/api/timeline?limit=$e" \
		"/api/timeline/clustered?window=$e&limit=$e" "/api/reports?service_id=$e&limit=$e" \
		"/api/services/sla/history?days=$e" "/api/alerts?service_id=$e&kind=$e" "/api/alerts?since=$e" \
		"/api/alerts?cursor=$e" "/api/alerts?suppressed=$e" "/api/services/$e/x" "/$e" "/assets/$e"; do
		c=$(code_of GET "$APID$u")
		case $c in 200 | 400 | 404 | 422) ;; *) t_fail "GET $u -> $c" ;; esac
		if [[ $u == /api/* ]]; then
			jq -e . "$T_TMP/out" >/dev/null 2>&1 || t_fail "GET $u: not JSON"
		fi
		grep -q 'secret-outside-root\|root:x:0' "$T_TMP/out" && t_fail "GET $u leaked a file"
	done
	for u in "/api/webhooks/statuspage/$e" "/api/webhooks/statuspage/$e/$e" "/api/admin/maintenance/$e"; do
		c=$(code_of POST "$APID$u" -H "$auth" -d '{}')
		case $c in 403 | 404 | 405 | 422 | 503) ;; *) t_fail "POST $u -> $c" ;; esac
	done
	c=$(code_of POST "$APID/api/admin/status" -H "$json" -H "$auth" \
		-d "$(jq -cn --arg v "$v" '{service_id: $v, new_status: "degraded", reason: "sql test"}')")
	case $c in 404 | 422) ;; *) t_fail "admin with service_id $v -> $c" ;; esac
	c=$(code_of DELETE "$APID/api/admin/maintenance/$e" -H "$auth")
	case $c in 404 | 422) ;; *) t_fail "DELETE maintenance/$v -> $c" ;; esac
done
t_assert_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM services')" "$services_before" "services intact"
t_assert_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "database intact"
# traversal with raw dots (curl would normalise them away)
for p in '/../outside/secret.txt' '/assets/../../outside/secret.txt' '/%2e%2e/outside/secret.txt' \
	'/assets/%2e%2e/%2e%2e/outside/secret.txt' '/.%2e/outside/secret.txt' '/..%5coutside%5csecret.txt'; do
	c=$(code_of GET "$APID$p" --path-as-is)
	case $c in 400 | 404) ;; *) t_fail "traversal $p -> $c" ;; esac
	grep -q secret-outside-root "$T_TMP/out" && t_fail "traversal $p leaked the file"
done

# ---- static serving --------------------------------------------------------
check_hdr() { grep -qi "^$1" "$T_TMP/hdr" || t_fail "$2: no '$1' in: $(tr -d '\r' <"$T_TMP/hdr" | tr '\n' '|')"; }
expect 200 GET "$APID/assets/index-3f2a1b.js"
check_hdr 'Content-Type: text/javascript' asset
check_hdr 'Cache-Control: public, max-age=31536000, immutable' asset
etag=$(grep -i '^ETag:' "$T_TMP/hdr" | cut -d' ' -f2 | tr -d '\r')
expect 304 GET "$APID/assets/index-3f2a1b.js" -H "If-None-Match: $etag"
expect 200 GET "$APID/assets/index-9c8d7e.css"
check_hdr 'Content-Type: text/css' css
expect 200 GET "$APID/"
check_hdr 'Content-Type: text/html' index
check_hdr 'Cache-Control: no-cache' index
expect 200 GET "$APID/services/github" # an app route
grep -q 'id="app"' "$T_TMP/out" || t_fail "app route did not get index.html"
expect 200 GET "$APID/sw.js"
check_hdr 'Cache-Control: no-cache, no-store, must-revalidate' sw.js
expect 200 GET "$APID/manifest.webmanifest"
check_hdr 'Content-Type: application/manifest+json' manifest
expect 200 GET "$APID/favicon.svg"
check_hdr 'Content-Type: image/svg+xml' favicon
expect 200 GET "$APID/icons/icon-192.png"
check_hdr 'Content-Type: image/png' icon
expect 404 GET "$APID/favicon.ico"      # missing file: 404, not the app page
expect 404 GET "$APID/assets/missing.js"
expect 404 GET "$APID/assets/"           # no listing
expect 200 GET "$APID/icons/" # a folder outside /assets: the app page, never a listing
grep -q 'id="app"' "$T_TMP/out" || t_fail "folder did not get the app page"
printf '#!/bin/sh\necho cgi-ran\n' >"$T_TMP/dist/test.cgi"
chmod +x "$T_TMP/dist/test.cgi"
expect 200 GET "$APID/test.cgi"
grep -q 'cgi-ran' "$T_TMP/out" && ! grep -q 'echo cgi-ran' "$T_TMP/out" && t_fail "CGI executed"
check_hdr 'Content-Type: application/octet-stream' cgi
expect 404 GET "$APID/api/unknown"
t_assert_eq "$(jq -r .detail "$T_TMP/out")" "Not Found" "unknown /api path"
check_hdr 'Content-Type: application/json' "unknown /api"
expect 404 GET "$APID/api"
expect 405 POST "$APID/assets/index-3f2a1b.js"
expect 405 DELETE "$APID/api/summary"
check_hdr 'Allow: GET, HEAD' 405
expect 200 HEAD "$APID/api/summary" --head

# ---- security headers on every kind of response ----------------------------
for req in "GET /api/summary" "GET /api/nope" "POST /api/summary" "GET /" "GET /assets/index-3f2a1b.js" \
	"GET /metrics" "GET /healthz" "POST /api/admin/status" "GET /assets/missing.js" "GET /.env"; do
	code_of ${req% *} "$APID${req#* }" -H "$json" >/dev/null
	check_hdr "X-Content-Type-Options: nosniff" "$req"
	check_hdr "Referrer-Policy: no-referrer" "$req"
	check_hdr "Content-Security-Policy: default-src 'self'.*frame-ancestors 'none'" "$req"
done

# ---- CORS --------------------------------------------------------------------
expect 200 GET "$APID/api/summary" -H 'Origin: http://localhost:5173'
check_hdr 'Access-Control-Allow-Origin: http://localhost:5173' cors
expect 200 GET "$APID/api/summary" -H 'Origin: https://evil.test'
grep -qi '^Access-Control-Allow-Origin' "$T_TMP/hdr" && t_fail "CORS allowed an unlisted origin"
expect 204 OPTIONS "$APID/api/admin/status" -H 'Origin: http://localhost:5173' -H 'Access-Control-Request-Method: POST'
check_hdr 'Access-Control-Allow-Methods: GET, HEAD, POST, DELETE' preflight
check_hdr 'Access-Control-Allow-Headers: .*Authorization' preflight
expect 400 OPTIONS "$APID/api/admin/status" -H 'Origin: https://evil.test' -H 'Access-Control-Request-Method: POST'

# ---- slow clients ------------------------------------------------------------
# More clients than apid_threads each send a request one byte per second;
# meanwhile ordinary requests must still be answered quickly.
slow_pids=()
for i in $(seq 1 12); do
	(
		exec 3<>"/dev/tcp/127.0.0.1/$APID_PORT" || exit 1
		req=$'GET /api/summary HTTP/1.1\r\nHost: x\r\n\r\n'
		for ((k = 0; k < ${#req}; k++)); do
			printf '%s' "${req:k:1}" >&3 || exit 0
			sleep 1
		done
	) &
	slow_pids+=($!)
done
(
	exec 3<>"/dev/tcp/127.0.0.1/$APID_PORT" || exit 1
	printf 'POST /api/admin/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer file-token\r\nContent-Length: 200\r\n\r\n' >&3
	for ((k = 0; k < 30; k++)); do printf 'x' >&3 || exit 0; sleep 1; done
) &
slow_pids+=($!)
sleep 2
worst=0
for i in $(seq 1 40); do
	# curl's own timing: the machine may be busy spawning processes
	ms=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 "$APID/api/summary" |
		awk '$1 == 200 { printf "%d", $2 * 1000; next } { print "fail" }')
	[ "$ms" != fail ] || t_fail "request during slow clients failed"
	[ "$ms" -gt "$worst" ] && worst=$ms
	c=$(code_of POST "$APID/api/admin/status" -H "$json" -H "$auth" -d '{"service_id":"nope","new_status":"degraded","reason":"abc"}')
	[ "$c" = 404 ] || t_fail "admin during slow clients -> $c"
done
alive=0
for p in "${slow_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
echo "slowest request while $alive clients were still trickling bytes: ${worst} ms"
[ "$alive" -ge 10 ] || t_fail "the slow clients ended early ($alive left)"
[ "$worst" -lt 1000 ] || t_fail "a slow client held others up (${worst} ms)"
kill "${slow_pids[@]}" 2>/dev/null
wait "${slow_pids[@]}" 2>/dev/null
echo ok
