#!/usr/bin/env bash
# apid_http.sh: HTTP caching and compression of every API answer
# (doc/scale.md#http) on a real bin/apid over a seeded database: each GET
# endpoint's 200 carries an ETag, Cache-Control: no-cache and Vary:
# Accept-Encoding; If-None-Match with that tag (also weak, also in a list)
# gives 304 with no body; a client accepting gzip gets gzip that inflates to
# the identity body, one refusing it (q=0) does not; a commit that changes
# the answer changes the tag and the body at once (never stale), a commit
# that does not change it (another table) keeps the tag; many clients asking
# at once after a change all get the same new body. Static files: the built
# bundles' .gz siblings are sent to clients that accept gzip.
set -u
. "$(dirname "$0")/apid_lib.sh"

apid_setup
# apid's own commits (heartbeat, metrics) would start a new data version in
# the middle of the checks; the answers that read the clock (SLO burn rates)
# would then move by a hundredth between two requests, rightly, with a new tag.
export HEARTBEAT_INTERVAL_SECONDS=600 METRICS_FLUSH_SECONDS=300
# A bundle and its precompressed sibling, as the web build writes them.
head -c 4000 /dev/zero | tr '\0' 'a' >"$T_TMP/dist/assets/big-1a2b3c.js"
gzip -9 -k "$T_TMP/dist/assets/big-1a2b3c.js"
apid_start
apid_seed

# headers of one request into $T_TMP/h, body into $T_TMP/b; prints the code
req() {
	rm -f "$T_TMP/b"
	curl -sS -D "$T_TMP/h" -o "$T_TMP/b" -w '%{http_code}' "$@"
}
hdr() { tr -d '\r' <"$T_TMP/h" | awk -v k="$1" -F': ' 'tolower($1) == tolower(k) { print $2 }'; }

EPS=(/api/summary /api/services /api/services/github /api/services/graph /api/services/uptime
	/api/services/sla "/api/services/sla/history?days=30" /api/services/slo /api/timeline
	/api/timeline/clustered /api/maintenance /api/reports /api/alerts /api/health /api/openapi.json)
for ep in "${EPS[@]}"; do
	t_assert_eq "$(req "$APID$ep")" 200 "$ep"
	etag=$(hdr ETag)
	[ -n "$etag" ] || t_fail "$ep: no ETag"
	t_assert_eq "$(hdr Cache-Control)" no-cache "$ep Cache-Control"
	hdr Vary | grep -q Accept-Encoding || t_fail "$ep: no Vary: Accept-Encoding"
	cp "$T_TMP/b" "$T_TMP/identity"
	# /api/health reports heartbeat ages to the tenth of a second: its tag
	# changes with the clock, as it should.
	if [ "$ep" != /api/health ]; then
		t_assert_eq "$(req -H "If-None-Match: $etag" "$APID$ep")" 304 "$ep If-None-Match"
		[ ! -s "$T_TMP/b" ] || t_fail "$ep: 304 with a body"
		t_assert_eq "$(hdr ETag)" "$etag" "$ep 304 ETag"
		t_assert_eq "$(req -H "If-None-Match: \"other\", W/$etag" "$APID$ep")" 304 "$ep weak tag in a list"
	fi
	t_assert_eq "$(req -H 'If-None-Match: "other"' "$APID$ep")" 200 "$ep other tag"
	t_assert_eq "$(req -H 'Accept-Encoding: gzip, deflate' "$APID$ep")" 200 "$ep gzip"
	if [ "$(stat -c %s "$T_TMP/identity")" -ge 1024 ]; then
		t_assert_eq "$(hdr Content-Encoding)" gzip "$ep Content-Encoding"
		gzip -dc <"$T_TMP/b" >"$T_TMP/inflated" || t_fail "$ep: not gzip"
		jq -e . "$T_TMP/inflated" >/dev/null || t_fail "$ep: gzip body is not JSON"
		[ "$(stat -c %s "$T_TMP/b")" -lt "$(stat -c %s "$T_TMP/identity")" ] || t_fail "$ep: gzip not smaller"
		t_assert_eq "$(req -H 'Accept-Encoding: gzip;q=0, identity' "$APID$ep")" 200 "$ep q=0"
		t_assert_eq "$(hdr Content-Encoding)" "" "$ep gzip;q=0"
	else
		t_assert_eq "$(hdr Content-Encoding)" "" "$ep small body not compressed"
	fi
done
# A cached route's gzip form is exactly its identity body.
req -H 'Accept-Encoding: gzip' "$APID/api/services" >/dev/null
gzip -dc <"$T_TMP/b" >"$T_TMP/inflated"
req "$APID/api/services" >/dev/null
cmp -s "$T_TMP/inflated" "$T_TMP/b" || t_fail "gzip of /api/services differs from its identity body"

# A change to the answer: new tag and new body on the very next request.
req "$APID/api/services" >/dev/null
e1=$(hdr ETag)
sqlite3 -cmd '.timeout 5000' "$DB" "UPDATE services SET current_status_detail = 'changed-by-test' WHERE id = 'github'"
t_assert_eq "$(req -H "If-None-Match: $e1" "$APID/api/services")" 200 "stale tag after a change"
grep -q changed-by-test "$T_TMP/b" || t_fail "body after a change is stale"
e2=$(hdr ETag)
[ "$e2" != "$e1" ] || t_fail "ETag did not change with the data"
# A commit elsewhere (another table) leaves the answer and so its tag alone.
sqlite3 -cmd '.timeout 5000' "$DB" "INSERT INTO metrics (daemon, name, type, value) VALUES ('pollerd', 'http_test_total', 'counter', 1)"
t_assert_eq "$(req -H "If-None-Match: $e2" "$APID/api/services")" 304 "unchanged answer after an unrelated commit"

# Many clients right after a change: one body for all (built once, shared).
sqlite3 -cmd '.timeout 5000' "$DB" "UPDATE services SET current_status_detail = 'burst' WHERE id = 'github'"
pids=()
for i in $(seq 1 16); do
	curl -s -H 'Accept-Encoding: gzip' -o "$T_TMP/burst$i" "$APID/api/services" &
	pids+=($!)
done
wait "${pids[@]}"
gzip -dc <"$T_TMP/burst1" >"$T_TMP/burst1.json" || t_fail "burst: not gzip"
grep -q '"burst"' "$T_TMP/burst1.json" || t_fail "burst body is stale"
for i in $(seq 2 16); do
	gzip -dc <"$T_TMP/burst$i" | cmp -s - "$T_TMP/burst1.json" || t_fail "burst client $i got a different body"
done

# Static: the precompressed sibling for clients that accept gzip.
t_assert_eq "$(req -H 'Accept-Encoding: gzip' "$APID/assets/big-1a2b3c.js")" 200 "bundle"
t_assert_eq "$(hdr Content-Encoding)" gzip "bundle Content-Encoding"
hdr Vary | grep -q Accept-Encoding || t_fail "bundle: no Vary: Accept-Encoding"
cmp -s "$T_TMP/b" "$T_TMP/dist/assets/big-1a2b3c.js.gz" || t_fail "bundle: not the .gz file"
t_assert_eq "$(hdr Content-Type)" "text/javascript; charset=utf-8" "bundle type"
t_assert_eq "$(req "$APID/assets/big-1a2b3c.js")" 200 "bundle identity"
t_assert_eq "$(hdr Content-Encoding)" "" "bundle without Accept-Encoding"
cmp -s "$T_TMP/b" "$T_TMP/dist/assets/big-1a2b3c.js" || t_fail "bundle identity body"
etag=$(hdr ETag)
t_assert_eq "$(req -H 'Accept-Encoding: gzip' -H "If-None-Match: $etag" "$APID/assets/big-1a2b3c.js")" 200 \
	"the identity tag does not validate the gzip form"
etag=$(hdr ETag)
t_assert_eq "$(req -H 'Accept-Encoding: gzip' -H "If-None-Match: $etag" "$APID/assets/big-1a2b3c.js")" 304 "bundle gzip 304"
echo "ok: ${#EPS[@]} endpoints with ETag, 304, Cache-Control, gzip; invalidation; static .gz"
