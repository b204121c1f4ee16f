#!/usr/bin/env bash
# apid_sse.sh: GET /api/stream. 200 concurrent clients each receive a new
# status event (and the changed summary) within 1 s of its commit; a client
# that reconnects with Last-Event-ID (header or ?last_event_id=) gets every
# event it missed, in order, once -- also when it missed more than the
# in-memory ring holds; an idle stream gets a comment every 15 s; clients
# beyond the cap are refused with 503 while the others keep streaming.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v node >/dev/null || t_fail "node is required"

apid_setup
# Every client here comes from 127.0.0.1: lift the per-address stream limit
# (apid_hostile.sh tests it) so the server-wide cap is what is measured.
export APID_CLIENT_MAX_STREAMS=256
apid_start
apid_seed

cat >"$T_TMP/sse.mjs" <<'JS'
import http from 'node:http';
import { execFileSync } from 'node:child_process';

const base = new URL(process.env.APID);
const db = process.env.DB;
let failures = 0;
const fail = (m) => { failures++; console.log('FAIL ' + m); };
const sql = (s) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, s]).toString().trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// An SSE client: collects frames; onFrame sees each as it arrives.
function connect({ lastId, query = '', onFrame } = {}) {
  return new Promise((resolve, reject) => {
    const headers = lastId !== undefined ? { 'Last-Event-ID': String(lastId) } : {};
    const req = http.get({ host: base.hostname, port: base.port, path: '/api/stream' + query, headers, agent: false }, (res) => {
      const c = { res, req, status: res.statusCode, frames: [], comments: 0, buf: '' };
      res.setEncoding('utf8');
      res.on('data', (d) => {
        c.buf += d;
        let i;
        while ((i = c.buf.indexOf('\n\n')) >= 0) {
          const raw = c.buf.slice(0, i);
          c.buf = c.buf.slice(i + 2);
          const f = { at: Date.now() };
          for (const line of raw.split('\n')) {
            if (line.startsWith(':')) { c.comments++; continue; }
            const k = line.slice(0, line.indexOf(':')), v = line.slice(line.indexOf(':') + 1).trimStart();
            f[k] = v;
          }
          if (f.event || f.retry) { c.frames.push(f); onFrame && onFrame(f, c); }
        }
      });
      res.on('error', () => {});
      resolve(c);
    });
    req.on('error', reject);
  });
}
const close = (c) => { c.req.destroy(); };
const statusIds = (c) => c.frames.filter((f) => f.event === 'status').map((f) => Number(f.id));

// ---- 200 clients, one event -------------------------------------------
const N = 200;
const clients = await Promise.all(Array.from({ length: N }, () => connect()));
if (clients.some((c) => c.status !== 200)) fail('a client was not accepted');
await sleep(1500); // every client has its first summary
const before = Number(sql('SELECT max(id) FROM status_events'));
const t0 = Date.now();
sql("INSERT INTO status_events (service_id, previous_status, new_status, source) VALUES ('pypi', 'operational', 'partial_outage', 'statuspage_json'); UPDATE services SET current_status = 'partial_outage' WHERE id = 'pypi';");
const newId = Number(sql('SELECT max(id) FROM status_events'));
if (newId !== before + 1) fail('unexpected event id');
await sleep(1500);
const lat = [];
for (const c of clients) {
  const f = c.frames.find((x) => x.event === 'status' && Number(x.id) === newId);
  if (!f) { fail('a client missed the event'); continue; }
  lat.push(f.at - t0);
  const data = JSON.parse(f.data);
  if (data.service_id !== 'pypi' || data.new_status !== 'partial_outage') fail('wrong event data');
  const s = c.frames.filter((x) => x.event === 'summary' && x.at >= t0).pop();
  if (!s || !JSON.parse(s.data).active_incidents.some((i) => i.service.id === 'pypi')) fail('summary change not pushed');
}
lat.sort((a, b) => a - b);
console.log(`${N} clients: event latency p50 ${lat[Math.floor(lat.length / 2)]} ms, max ${lat[lat.length - 1]} ms`);
if (lat[lat.length - 1] > 1000) fail('an event took more than 1 s to reach a client');

// ---- the cap: 256 stream clients; the next is refused, the others stream on
const more = await Promise.all(Array.from({ length: 56 }, () => connect()));
if (more.some((c) => c.status !== 200)) fail('clients under the cap refused');
const over = await connect();
if (over.status !== 503) fail('client over the cap got ' + over.status);
close(over);
for (const c of [...clients, ...more]) close(c);
await sleep(500);

// ---- reconnect with Last-Event-ID misses nothing ------------------------
for (const [label, viaQuery, missed] of [['header, few', false, 3], ['query, more than the ring', true, 1500]]) {
  const c = await connect();
  await sleep(400);
  sql(`INSERT INTO status_events (service_id, previous_status, new_status, source) VALUES ('github', 'degraded', 'operational', 'statuspage_json')`);
  await sleep(600);
  const seen = statusIds(c);
  const last = seen[seen.length - 1];
  if (!last) { fail(label + ': no event before the disconnect'); continue; }
  close(c);
  // while away: events, some health events in between (not status frames)
  const values = [];
  for (let i = 0; i < missed; i++) values.push(`('github', 'operational', 'degraded', 'statuspage_json')`);
  sql(`INSERT INTO status_events (service_id, previous_status, new_status, source) VALUES ${values.join(',')};
       INSERT INTO status_events (service_id, kind, previous_health, new_health) VALUES ('npm', 'health', 'broken', 'healthy');`);
  await sleep(800); // the reader has moved on
  const want = sql(`SELECT id FROM status_events WHERE id > ${last} AND kind = 'status' ORDER BY id`).split('\n').map(Number);
  const r = await connect(viaQuery ? { query: '?last_event_id=' + last } : { lastId: last });
  const deadline = Date.now() + 5000;
  while (statusIds(r).length < want.length && Date.now() < deadline) await sleep(100);
  await sleep(300); // nothing extra arrives
  const got = statusIds(r);
  close(r);
  if (got.length !== want.length || got.some((v, i) => v !== want[i]))
    fail(`${label}: got ${got.length} events (${got.slice(0, 3)}...), want ${want.length} (${want.slice(0, 3)}...)`);
  else console.log(`reconnect (${label}): ${got.length} missed events replayed in order, no gaps, no repeats`);
}

// ---- heartbeat ------------------------------------------------------------
const idle = await connect();
await sleep(16000);
if (idle.comments < 1) fail('no heartbeat comment in 16 s');
close(idle);

console.log(failures ? `${failures} failures` : 'sse ok');
process.exit(failures ? 1 : 0);
JS

APID=$APID DB=$DB node "$T_TMP/sse.mjs" || t_fail "sse"
# the gauge followed the clients down
sleep 1
t_wait_for 5 bash -c "curl -s $APID/metrics | grep -q '^sse_clients{daemon=\"apid\"} 0'" || t_fail "sse_clients did not return to 0"
echo ok
