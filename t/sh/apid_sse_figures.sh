#!/usr/bin/env bash
# apid_sse_figures.sh: each row of a stream `services` delta carries what its
# tile shows (doc/scale.md#sse), so the dashboard needs no refetch of every
# service's uptime and SLA after a change: `figures` = {uptime: the service's
# entry of /api/services/uptime, tracked_seconds: its entry there, sla: its
# entry of /api/services/sla}, equal to what those lists answer right after
# (seen seconds and percentages allowed to move by the time in between).
# Also /api/services/sla/history?service_id=: that service only, as the full
# history has it; an unknown id gives no service.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v node >/dev/null || t_fail "node is required"
apid_setup
apid_start
apid_seed

cat >"$T_TMP/figures.mjs" <<'JS'
const { frames, next, sql, fail, done } = await import(process.env.STREAM_MJS);
const base = new URL(process.env.APID);
const get = async (path) => {
  const r = await fetch(new URL(path, base));
  if (r.status !== 200) fail(`${path}: ${r.status}`);
  return (await r.json()).data;
};
const near = (a, b, tol) => (a === null && b === null) || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tol);

// The delta's figures of id against the uptime and SLA lists fetched now.
async function compare(id, f, t0) {
  const slack = (Date.now() - t0) / 1000 + 2; // seconds seen meanwhile
  const [up, sla] = await Promise.all([get('/api/services/uptime'), get('/api/services/sla')]);
  if (JSON.stringify(f.uptime) !== JSON.stringify(up.services[id] ?? {}))
    fail(`${id} day squares ${JSON.stringify(f.uptime)} vs the list's ${JSON.stringify(up.services[id])}`);
  const tr = up.tracked_seconds[id] ?? {};
  if (Object.keys(f.tracked_seconds).join() !== Object.keys(tr).join()) fail(`${id} tracked days differ`);
  for (const [day, v] of Object.entries(tr))
    if (!near(f.tracked_seconds[day], v, slack)) fail(`${id} ${day}: tracked ${f.tracked_seconds[day]} vs ${v}`);
  const s = sla.services[id];
  for (const k of ['uptime_24h', 'uptime_7d', 'uptime_30d'])
    if (!near(f.sla[k], s[k], 0.05)) fail(`${id} ${k}: ${f.sla[k]} vs ${s[k]}`);
  for (const w of ['24h', '7d', '30d']) {
    const a = f.sla.coverage[w], b = s.coverage[w];
    if (a.window_seconds !== b.window_seconds || !near(a.tracked_seconds, b.tracked_seconds, slack))
      fail(`${id} coverage ${w}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  if (f.sla.monitoring_since !== s.monitoring_since) fail(`${id} monitoring_since`);
}

await next('summary', 0);
await new Promise((r) => setTimeout(r, 1500));

// GitHub goes to a major outage, committed as pollerd would.
let from = frames.length;
let t0 = Date.now();
sql(`INSERT INTO status_events (service_id, previous_status, new_status, source) VALUES ('github', 'degraded', 'major_outage', 'statuspage_json');
  UPDATE services SET current_status = 'major_outage', last_status_change_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 'github';`);
let row;
for (;;) {
  const k = await next('services', from);
  row = JSON.parse(frames[k].data).services.find((s) => s.id === 'github');
  if (row) break;
  from = k + 1;
}
const f = row.figures;
if (!f || typeof f.uptime !== 'object' || typeof f.tracked_seconds !== 'object' || typeof f.sla !== 'object') {
  fail('no figures in the delta row: ' + JSON.stringify(row));
  process.exit(1);
}
const today = new Date().toISOString().slice(0, 10);
if (f.uptime[today] !== 'major_outage') fail(`today's square ${f.uptime[today]}, not major_outage`);
if (!(f.tracked_seconds[today] > 0)) fail("today's seen seconds");
if (!(f.sla.uptime_24h < 100)) fail(`24 h uptime ${f.sla.uptime_24h} after two incidents today`);
await compare('github', f, t0);

// PyPI recovers from a degraded spell: its old bad day stays in the figures.
from = frames.length;
t0 = Date.now();
sql("UPDATE services SET current_status = 'degraded' WHERE id = 'pypi'");
const d = JSON.parse(frames[await next('services', from)].data);
const pf = d.services.find((s) => s.id === 'pypi')?.figures;
if (!pf) fail('pypi row without figures');
else {
  if (!Object.values(pf.uptime).includes('degraded')) fail(`pypi's degraded day missing: ${JSON.stringify(pf.uptime)}`);
  await compare('pypi', pf, t0);
}

// The drawer's history: one service, as the full answer has it.
const full = await get('/api/services/sla/history?days=7');
const one = await get('/api/services/sla/history?days=7&service_id=pypi');
if (JSON.stringify(Object.keys(one.services)) !== '["pypi"]') fail('service_id: ' + Object.keys(one.services));
if (JSON.stringify(one.days) !== JSON.stringify(full.days)) fail('service_id: days');
// Today's row moves with the clock between the two answers: the days before.
const strip = (rows) => JSON.stringify(rows.slice(0, -1).map((r) => [r.date, r.uptime, r.tracked_seconds, r.window_seconds, r.maintenance_seconds]));
if (strip(one.services.pypi) !== strip(full.services.pypi)) fail(`service_id: pypi rows ${strip(one.services.pypi)} vs ${strip(full.services.pypi)}`);
if (one.services.pypi.length !== 7) fail('service_id: pypi days');
if (one.monitoring_since.pypi !== full.monitoring_since.pypi) fail('service_id: monitoring_since');
const none = await get('/api/services/sla/history?service_id=no-such-service');
if (Object.keys(none.services).length) fail('an unknown service_id listed services');
done('figures ok');
JS
APID=$APID DB=$DB STREAM_MJS=$ITSTATUS_ROOT/t/sh/apid_stream.mjs node "$T_TMP/figures.mjs" || t_fail "delta row figures"
