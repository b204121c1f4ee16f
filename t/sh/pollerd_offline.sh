#!/usr/bin/env bash
# pollerd_offline.sh -- `make run` on a machine without internet: when every
# URL of the first poll cycle fails with a DNS or connect error, pollerd says
# ONCE that the machine looks offline and that `make demo` runs without
# internet. The registry points at names under .invalid (never resolve) and at
# closed loopback ports, five services on one closed port so that its circuit
# breaker opens mid-cycle: with retries it stops the retries, with one attempt
# and two connections per host it fails the last two before they start (both
# still count: the breaker opened on connect errors). The line must not appear
# when one page answers,
# nor when every page answers with an HTTP error (online, vendors broken), and
# a daemon that keeps cycling offline prints it once, not once per cycle.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

# Two loopback ports nobody listens on: port 1, and a random one checked closed.
closed=$(t_closed_port)
! (exec 3<>/dev/tcp/127.0.0.1/1) 2>/dev/null || t_fail "something listens on 127.0.0.1:1"

t_fake fv fakevendor
V=$T_URL
summary='{"page":{"id":"p","name":"F"},"status":{"indicator":"none","description":"OK"},"components":[],"incidents":[],"scheduled_maintenances":[]}'
t_http POST "$V/_control/payload" "$(jq -cn --arg b "$summary" '{path: "/up.json", body: $b}')" >/dev/null
[ "$(t_http_code)" = 200 ] || t_fail "could not load the fakevendor payload"

echo "database_path: itstatus.db" >"$T_TMP/itstatus.yaml"
echo "dependencies: {}" >"$T_TMP/dependencies.yaml"
# services URL...: one statuspage_json service per URL, plus an http_check on
# an unresolvable name and a manual one (nothing to fetch: must not count).
services() {
	local i=0 u
	{
		echo "services:"
		echo "  - {id: man, display_name: Man, category: other, poll_type: manual}"
		echo "  - {id: web, display_name: Web, category: other, poll_type: http_check, poll_url: \"http://intranet.itstatus-test.invalid/health\"}"
		for u in "$@"; do
			i=$((i + 1))
			printf '  - {id: s%d, display_name: S%d, category: other, poll_type: statuspage_json, poll_url: "%s"}\n' \
				"$i" "$i" "$u"
		done
	} >"$T_TMP/services.yaml"
}
offline_urls=(
	"https://status.vendor-one.invalid/api/v2/summary.json"
	"https://status.vendor-two.invalid/api/v2/summary.json"
	"http://127.0.0.1:1/api/v2/summary.json"
)
for n in 1 2 3 4 5; do offline_urls+=("http://127.0.0.1:$closed/page$n.json"); done
export LOG_JSON=true
n_offline() { grep -c 'looks offline' "$1"; }

# ---- offline: one line, naming make demo -------------------------------------
services "${offline_urls[@]}"
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/offline.log" || t_fail "--once exited $?"
t_assert_eq "$(n_offline "$T_TMP/offline.log")" 1 "offline lines after one cycle with every page unreachable"
grep 'looks offline' "$T_TMP/offline.log" | grep -q 'make demo' || t_fail "the offline line does not mention make demo"
grep -q '"msg":"circuit breaker open' "$T_TMP/offline.log" ||
	t_fail "the closed port's breaker never opened: the breaker path went untested"
echo "ok - every page unreachable (DNS, refused, breaker open): one 'looks offline' line naming make demo"

# ---- one page answers: not offline -------------------------------------------
rm -f "$T_TMP"/itstatus.db*
services "${offline_urls[@]}" "$V/up.json"
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/one-up.log" || t_fail "--once exited $?"
t_assert_eq "$(n_offline "$T_TMP/one-up.log")" 0 "offline lines when one page answers"
echo "ok - one page answers: no offline line"

# ---- every page answers with an HTTP error: online, not offline ---------------
rm -f "$T_TMP"/itstatus.db*
services "$V/missing1.json" "$V/missing2.json"
sed -i '/poll_type: http_check/d' "$T_TMP/services.yaml"
"$ITSTATUS_BIN/pollerd" --once -f "$T_TMP/itstatus.yaml" 2>"$T_TMP/http-err.log" || t_fail "--once exited $?"
grep -q '"msg":"poll cycle done".*"ok":"0","failed":"2"' "$T_TMP/http-err.log" ||
	t_fail "the two pages did not both fail as planned"
t_assert_eq "$(n_offline "$T_TMP/http-err.log")" 0 "offline lines when every page fails with HTTP 404"
echo "ok - every page fails with HTTP 404: no offline line"

# ---- a running daemon offline: once, not every cycle --------------------------
rm -f "$T_TMP"/itstatus.db*
services "${offline_urls[@]}"
POLL_INTERVAL_SECONDS=1 HTTP_RETRY_ATTEMPTS=1 t_start pollerd "$ITSTATUS_BIN/pollerd" -f "$T_TMP/itstatus.yaml"
cyc() { [ "$(grep -c '"msg":"poll cycle done"' "$T_TMP/pollerd.log")" -ge "$1" ]; }
t_wait_for 30 cyc 3 || t_fail "pollerd did not complete three cycles"
t_stop pollerd || t_fail "pollerd did not stop cleanly"
grep -q '"msg":"circuit breaker open' "$T_TMP/pollerd.log" || t_fail "the closed port's breaker never opened"
t_assert_eq "$(n_offline "$T_TMP/pollerd.log")" 1 "offline lines after three offline cycles"
echo "ok - three offline cycles: the line is printed once"
