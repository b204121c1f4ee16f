#!/usr/bin/env bash
# caddy.sh: the real Caddy (Debian's caddy package) runs etc/caddy/Caddyfile
# unchanged in front of the real apid, both on loopback ports. Through the
# proxy: the dashboard and the API answer over HTTPS with a certificate from
# Caddy's internal CA (verified, not -k); HSTS is set; the API is compressed
# but /api/stream is not, and a status event committed to the database
# arrives on the stream; admin without a token is 401 (and with it reaches
# apid's validation); a body larger than apid's limit is refused with 413;
# plain HTTP redirects to HTTPS. A second Caddy in front of fakeslack (which
# records request headers) shows the client address forwarded in
# X-Forwarded-For, a client's own forged value replaced.
#
# Needs: caddy (Debian caddy, `make deps-test`), curl, sqlite3, jq.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v caddy >/dev/null || t_fail "caddy not found: install the Debian package caddy (make deps-test)"

SITE=status.example.internal
TOKEN=caddy-test-token-0123456789

# Start Caddy on free loopback ports in front of UPSTREAM; sets C_HTTPS,
# C_HTTP, C_DATA (its data folder) and CURL_TLS (curl options reaching the site).
caddy_start() { # caddy_start NAME UPSTREAM
	local name=$1 upstream=$2 try i
	for ((try = 0; try < 5; try++)); do
		C_HTTPS=$((20000 + RANDOM % 40000))
		C_HTTP=$((20000 + RANDOM % 40000))
		C_DATA=$T_TMP/$name-data
		mkdir -p "$C_DATA" "$T_TMP/$name-config"
		t_start "$name" env HOME="$T_TMP" XDG_DATA_HOME="$C_DATA" \
			XDG_CONFIG_HOME="$T_TMP/$name-config" \
			ITSTATUS_SITE=$SITE ITSTATUS_UPSTREAM="$upstream" \
			ITSTATUS_HTTPS_PORT=$C_HTTPS ITSTATUS_HTTP_PORT=$C_HTTP \
			ITSTATUS_BIND=127.0.0.1 ITSTATUS_CADDY_ADMIN=off \
			caddy run --config "$ITSTATUS_ROOT/etc/caddy/Caddyfile" --adapter caddyfile
		CURL_TLS=(--cacert "$C_DATA/caddy/pki/authorities/local/root.crt"
			--resolve "$SITE:$C_HTTPS:127.0.0.1" --max-time 15 -sS)
		for ((i = 0; i < 300; i++)); do
			if [ -s "$C_DATA/caddy/pki/authorities/local/root.crt" ] &&
				curl "${CURL_TLS[@]}" -o /dev/null "https://$SITE:$C_HTTPS/api/health" 2>/dev/null; then
				return 0
			fi
			kill -0 "$(t_pid "$name")" 2>/dev/null || break
			sleep 0.05
		done
		grep -q 'address already in use' "$T_TMP/$name.log" || t_fail "$name did not start"
		t_stop "$name" 1 || true
	done
	t_fail "$name: no free ports found"
}

apid_setup
# The setting doc/deploy.md#caddy asks for: apid believes X-Forwarded-For from Caddy only.
export ADMIN_API_TOKEN=$TOKEN TRUSTED_PROXIES=127.0.0.1
apid_start
apid_seed
caddy_start caddy "127.0.0.1:$APID_PORT"
U=https://$SITE:$C_HTTPS
echo "caddy $(caddy version | cut -d' ' -f1): https on 127.0.0.1:$C_HTTPS, http on :$C_HTTP -> apid on :$APID_PORT"

# ---- the dashboard and the API over verified HTTPS ---------------------------
code=$(curl "${CURL_TLS[@]}" -D "$T_TMP/dash.h" -o "$T_TMP/dash.html" -w '%{http_code}' "$U/")
t_assert_eq "$code" 200 "GET / through Caddy"
grep -q '<div id="app">' "$T_TMP/dash.html" || t_fail "GET / did not return the dashboard: $(head -c 200 "$T_TMP/dash.html")"
echo "ok: dashboard over HTTPS, certificate verified against Caddy's internal CA"
grep -qi '^strict-transport-security: max-age=31536000' "$T_TMP/dash.h" ||
	t_fail "no HSTS header on /: $(cat "$T_TMP/dash.h")"
grep -qi '^server:' "$T_TMP/dash.h" && t_fail "the proxy advertises itself: $(grep -i '^server:' "$T_TMP/dash.h")"
echo "ok: HSTS present, no Server header"
# The certificate names the site and was issued by Caddy's local CA.
issuer=$(openssl s_client -connect "127.0.0.1:$C_HTTPS" -servername $SITE </dev/null 2>/dev/null |
	openssl x509 -noout -issuer -ext subjectAltName 2>/dev/null | tr '\n' ' ')
case $issuer in *"Caddy Local Authority"*"DNS:$SITE"*) echo "ok: certificate: $issuer" ;;
*) t_fail "unexpected certificate: $issuer" ;; esac

code=$(curl "${CURL_TLS[@]}" -H 'Accept-Encoding: gzip' -D "$T_TMP/sum.h" -o "$T_TMP/sum.gz" -w '%{http_code}' "$U/api/summary")
t_assert_eq "$code" 200 "GET /api/summary through Caddy"
grep -qi '^content-encoding: gzip' "$T_TMP/sum.h" || t_fail "/api/summary was not compressed: $(cat "$T_TMP/sum.h")"
gzip -dc "$T_TMP/sum.gz" | jq -e '.data.active_incidents | length > 0' >/dev/null ||
	t_fail "/api/summary through Caddy is not the seeded summary"
grep -qi '^strict-transport-security:' "$T_TMP/sum.h" || t_fail "no HSTS header on /api/summary"
echo "ok: API over HTTPS, gzip-compressed ($(stat -c %s "$T_TMP/sum.gz") bytes on the wire), HSTS"

# ---- plain HTTP redirects to HTTPS -------------------------------------------
code=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $SITE" "http://127.0.0.1:$C_HTTP/api/summary")
case $code in 30[178]" https://$SITE"*/api/summary) echo "ok: http -> $code" ;;
*) t_fail "plain HTTP did not redirect to HTTPS: $code" ;; esac

# ---- /api/stream through the proxy: events arrive, uncompressed ---------------
curl "${CURL_TLS[@]}" -N --max-time 60 -H 'Accept-Encoding: gzip' -D "$T_TMP/stream.h" \
	"$U/api/stream" >"$T_TMP/stream.out" 2>"$T_TMP/stream.err" &
stream_pid=$!
t_wait_for 10 grep -q '^event: summary' "$T_TMP/stream.out" ||
	t_fail "no first summary frame through the proxy: $(head -c 300 "$T_TMP/stream.out") $(cat "$T_TMP/stream.err")"
grep -qi '^content-type: text/event-stream' "$T_TMP/stream.h" || t_fail "stream content type: $(cat "$T_TMP/stream.h")"
grep -qi '^content-encoding:' "$T_TMP/stream.h" && t_fail "the stream was compressed: $(cat "$T_TMP/stream.h")"
sqlite3 -cmd '.timeout 5000' "$DB" "INSERT INTO status_events (service_id, previous_status, new_status, source) VALUES ('pypi', 'operational', 'partial_outage', 'statuspage_json'); UPDATE services SET current_status = 'partial_outage' WHERE id = 'pypi';"
new_id=$(sqlite3 -cmd '.timeout 5000' "$DB" 'SELECT max(id) FROM status_events')
# The connection stays open: the frame can only be seen if Caddy flushes it.
t_wait_for 10 grep -q "^id: $new_id\$" "$T_TMP/stream.out" ||
	t_fail "status event $new_id did not arrive through the proxy: $(tail -c 400 "$T_TMP/stream.out")"
kill -0 $stream_pid 2>/dev/null || t_fail "the stream connection ended"
data=$(grep -A3 "^id: $new_id\$" "$T_TMP/stream.out" | sed -n 's/^data: //p' | head -n 1)
t_assert_eq "$(t_json_get "$data" '.service_id + " " + .new_status')" "pypi partial_outage" "streamed event"
kill $stream_pid 2>/dev/null
wait $stream_pid 2>/dev/null
echo "ok: /api/stream through Caddy, uncompressed, status event $new_id arrived while the connection stayed open"

# ---- admin: the token is still required, and passed through ------------------
admin() { # admin BODY-FILE [TOKEN] -> prints the status code
	local h=()
	[ -n "${2:-}" ] && h=(-H "Authorization: Bearer $2")
	curl "${CURL_TLS[@]}" -o "$T_TMP/admin.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		"${h[@]}" --data-binary "@$1" "$U/api/admin/status"
}
printf '{}' >"$T_TMP/empty.json"
t_assert_eq "$(admin "$T_TMP/empty.json")" 401 "admin without a token through Caddy"
t_assert_eq "$(admin "$T_TMP/empty.json" wrong-token)" 403 "admin with a wrong token through Caddy (apid: 403)"
t_assert_eq "$(admin "$T_TMP/empty.json" "$TOKEN")" 422 "admin with the token reaches apid's validation"
echo "ok: admin 401 without a token, 403 with a wrong one, 422 (validation) with it"

# ---- apid sees the client's address, not the proxy's -------------------------
# The client connects from 127.0.0.2, Caddy from 127.0.0.1; apid's warning
# about a wrong admin token names the address it attributes the request to.
code=$(curl "${CURL_TLS[@]}" --interface 127.0.0.2 -o /dev/null -w '%{http_code}' -X POST \
	-H 'Authorization: Bearer wrong-again' -H 'X-Forwarded-For: 203.0.113.7' --data '{}' "$U/api/admin/status")
t_assert_eq "$code" 403 "admin with a wrong token from 127.0.0.2"
from=$(grep -o 'admin request from [^ ]* with a wrong token' "$T_TMP/apid.log" | tail -n 1 | cut -d' ' -f4)
if grep -q '^trusted_proxies:' "$ITSTATUS_ROOT/etc/itstatus.yaml"; then
	t_assert_eq "$from" 127.0.0.2 "the client address apid logs behind Caddy (TRUSTED_PROXIES=127.0.0.1)"
	echo "ok: apid attributes the request to the client (127.0.0.2), not to Caddy; the forged 203.0.113.7 is ignored"
else
	# This tree's apid has no TRUSTED_PROXIES yet: it sees the proxy.
	t_assert_eq "$from" 127.0.0.1 "the client address apid logs without TRUSTED_PROXIES"
	echo "note: this apid has no TRUSTED_PROXIES setting; it sees every client as Caddy (127.0.0.1)"
fi

# ---- body limits, end to end: one byte over apid's 64 KiB is refused -------
head -c $((64 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T_TMP/big.json"
t_assert_eq "$(admin "$T_TMP/big.json" "$TOKEN")" 413 "a 64 KiB + 1 admin body through Caddy"
t_assert_eq "$(jq -r .detail "$T_TMP/admin.out")" "Request body too large" "413 body (apid's own wording)"
head -c $((64 * 1024)) /dev/zero | tr '\0' ' ' >"$T_TMP/fits.json"
t_assert_eq "$(admin "$T_TMP/fits.json" "$TOKEN")" 422 "a 64 KiB admin body reaches apid"
echo "ok: admin body of 64 KiB reaches apid, 64 KiB + 1 is 413"
t_stop caddy || true

# ---- the client address reaches the upstream, forged values replaced --------
t_fake slack fakeslack --log "$T_TMP/fakeslack.jsonl"
caddy_start caddy2 "127.0.0.1:$T_PORT"
curl "${CURL_TLS[@]}" -o /dev/null -H 'X-Forwarded-For: 203.0.113.9' "https://$SITE:$C_HTTPS/xff-probe" ||
	t_fail "request through the second Caddy failed"
t_wait_for 5 grep -q xff-probe "$T_TMP/fakeslack.jsonl" || t_fail "fakeslack saw no request"
xff=$(grep xff-probe "$T_TMP/fakeslack.jsonl" | tail -n 1 | jq -r '.headers | to_entries[] | select(.key | ascii_downcase == "x-forwarded-for") | .value')
t_assert_eq "$xff" 127.0.0.1 "X-Forwarded-For at the upstream (the client's forged 203.0.113.9 must be gone)"
echo "ok: X-Forwarded-For = the client's address ($xff); a forged value is replaced"

# ---- the proxy itself enforces apid's limits ----------------------------------
# fakeslack takes any body up to 16 MiB and records every request it sees, so
# what it never records was refused by Caddy (apid would answer 413 as well):
# a Content-Length over the limit is answered by Caddy before it contacts the
# upstream; a body without a length is cut off at the limit, still 413.
post() { # post PATH BYTES -> status code
	head -c "$2" /dev/zero | tr '\0' ' ' >"$T_TMP/body"
	curl "${CURL_TLS[@]}" -o "$T_TMP/post.out" -w '%{http_code}' -X POST --data-binary "@$T_TMP/body" \
		"https://$SITE:$C_HTTPS$1"
}
seen() { grep -c "\"$1\"" "$T_TMP/fakeslack.jsonl"; }
for c in "/api/admin/status $((64 * 1024)) 200 1" "/api/admin/status $((64 * 1024 + 1)) 413 0" \
	"/api/webhooks/statuspage/github $((1024 * 1024)) 200 1" \
	"/api/webhooks/statuspage/gitlab $((1024 * 1024 + 1)) 413 0" \
	"/api/slack/slash $((1024 * 1024 + 1)) 413 0" "/api/anything-else $((64 * 1024 + 1)) 413 0"; do
	read -r path bytes want_code want_seen <<<"$c"
	n0=$(seen "$path")
	t_assert_eq "$(post "$path" "$bytes")" "$want_code" "POST $path with $bytes bytes through Caddy"
	t_wait_for 5 test "$(seen "$path")" -ge $((n0 + want_seen)) || true
	t_assert_eq "$(($(seen "$path") - n0))" "$want_seen" "requests on $path that reached the upstream"
	# The body of an early 413 can be lost while a 1 MiB upload is still
	# going (the server resets the stream); the status is the contract, the
	# wording is checked where the upload fits in the socket buffers.
	[ "$want_code" != 413 ] || [ "$bytes" -gt $((64 * 1024 + 1)) ] ||
		t_assert_eq "$(jq -r .detail "$T_TMP/post.out")" "Request body too large" "413 body"
done
echo "ok: the proxy passes 64 KiB (admin, other) and 1 MiB (webhooks, Slack) and refuses one byte more with 413"
# No Content-Length (HTTP/1.1 chunked): cut off at the limit, still 413.
head -c $((64 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T_TMP/body"
code=$(curl "${CURL_TLS[@]}" --http1.1 -o "$T_TMP/post.out" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
	--data-binary "@$T_TMP/body" "https://$SITE:$C_HTTPS/api/admin/status")
t_assert_eq "$code" 413 "a chunked 64 KiB + 1 admin body through Caddy"
echo "ok: a chunked body over the limit is 413 too"
echo "caddy.sh: all checks passed"
