#!/usr/bin/env bash
# slow_clients.sh: how long GET /api/summary takes while 300 slow clients
# hold connections to the same apid (issue 11, doc/security.md#limits).
# Each phase runs 300 clients for SECS seconds, each from its own loopback
# address (127.0.1.x / 127.0.2.x, so the per-address caps do not help), each
# sending full headers, a Content-Length of 60000 and then one body byte
# every 5 s; a client apid cuts off reconnects at once. Meanwhile one reader
# (from 127.0.0.1) asks for /api/summary every 200 ms. Phases:
#   admin     POST /api/admin/status without a token (the attack in the issue)
#   slack     POST /api/slack/slash: signed endpoint, the body must be read
#             before the signature can be checked
#   streams   250 GET /api/stream plus 50 slow Slack bodies
# Prints, per phase, the reader's worst and median latency, its failures
# (no answer within 10 s) and how the slow clients were answered. Target:
# worst under 1 s. A benchmark prints figures; it is not a pass/fail test.
#
# Usage: t/bench/slow_clients.sh [seconds per phase (default 20)]
#   ITSTATUS_BIN=dir   the apid to measure (default bin/)
#   BENCH_ETC=dir      where itstatus.yaml and friends come from (default etc/)
# Needs node, curl and sqlite3.
set -u
secs=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ITSTATUS_BIN:-$root/bin}
etc=${BENCH_ETC:-$root/etc}
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
[ -x "$bin/apid" ] || { echo "$bin/apid missing: make bin/apid" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slow-bench.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/slow.mjs" <<'EOF'
// node slow.mjs PORT PHASE SECS: the slow clients; prints a tally at the end.
import net from 'node:net';
const [port, phase, secs] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const tally = {};
let stop = false;
const note = (k) => (tally[k] = (tally[k] || 0) + 1);
const addr = (i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
function head(kind) {
  if (kind === 'stream') return 'GET /api/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n';
  const path = kind === 'admin' ? '/api/admin/status' : '/api/slack/slash';
  const extra = kind === 'slack'
    ? `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\n` : '';
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: 60000\r\n\r\n`;
}
function client(i, kind) {
  if (stop) return;
  const s = net.connect({ port, host: '127.0.0.1', localAddress: addr(i) });
  let timer = null, got = '', counted = false;
  s.setEncoding('latin1');
  s.on('connect', () => {
    s.write(head(kind));
    if (kind !== 'stream') timer = setInterval(() => s.write('x'), 5000);
  });
  s.on('data', (d) => {
    got += d;
    const m = /^HTTP\/1\.1 (\d+)/.exec(got);
    if (m && !counted) { counted = true; note(`${kind} ${m[1]}`); }
  });
  const again = () => { clearInterval(timer); if (!counted) note(`${kind} closed without answer`); setTimeout(() => client(i, kind), 50); };
  s.on('error', () => {});
  s.on('close', again);
}
for (let i = 0; i < 300; i++) {
  const kind = phase === 'streams' ? (i < 250 ? 'stream' : 'slack') : phase;
  client(i, kind);
}
setTimeout(() => { stop = true; console.log(JSON.stringify(tally)); process.exit(0); }, secs * 1000);
EOF

db=$tmp/itstatus.db
cp "$etc"/{itstatus,services,dependencies}.yaml "$tmp/"
mkdir -p "$tmp/dist"
printf '<!doctype html><title>bench</title>\n' >"$tmp/dist/index.html"
port=$((20000 + RANDOM % 40000))
ADMIN_API_TOKEN=bench-token SLACK_SLASH_ENABLED=true SLACK_SIGNING_SECRET=bench-secret \
	DATABASE_PATH=$db WEB_ROOT=$tmp/dist PORT=$port LOG_LEVEL=ERROR "$bin/apid" -f "$tmp/itstatus.yaml" \
	2>"$tmp/apid.log" &
pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done
sqlite3 "$db" ".timeout 5000" "INSERT INTO services (id, display_name, category, poll_type, current_status)
	VALUES ('github', 'GitHub', 'engineering', 'statuspage_json', 'operational')" >/dev/null

printf '%-8s %8s %8s %8s %8s  %s\n' phase samples "p50 ms" "worst ms" failed "slow clients were answered"
for phase in admin slack streams; do
	node "$tmp/slow.mjs" "$port" "$phase" "$secs" >"$tmp/tally" &
	slow=$!
	sleep 2 # let them all connect
	: >"$tmp/lat"
	end=$(($(date +%s) + secs - 4))
	while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 10 \
			"http://127.0.0.1:$port/api/summary" >>"$tmp/lat"
		sleep 0.2
	done
	wait "$slow"
	ok=$(awk '$1 == 200 { printf "%.1f\n", $2 * 1000 }' "$tmp/lat" | sort -n)
	n=$(printf '%s\n' "$ok" | grep -c .)
	bad=$(awk '$1 != 200' "$tmp/lat" | grep -c .)
	p50=
	[ "$n" -gt 0 ] && p50=$(printf '%s\n' "$ok" | sed -n "$(((n + 1) / 2))p")
	worst=$(printf '%s\n' "$ok" | tail -n 1)
	printf '%-8s %8d %8s %8s %8d  %s\n' "$phase" $((n + bad)) "${p50:--}" "${worst:--}" "$bad" "$(cat "$tmp/tally")"
	kill -0 "$pid" 2>/dev/null || { echo "apid died during $phase" >&2; exit 1; }
	sleep 1
done
echo "300 slow clients per phase, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
