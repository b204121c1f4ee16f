#!/usr/bin/env bash
# apid_sse_delta.sh: the stream's deltas (doc/scale.md#sse) on a real
# bin/apid. A status change commits -> the client gets a `services` frame
# holding exactly the changed row (new status, effective status), before the
# summary frame; a commit that only moves last_polled_at sends no row; a
# retired service is listed in `removed`; a change to more rows than a delta
# carries gives `resync`; summary frames carry at most 20 incidents with
# active_incidents_total counting all of them.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v node >/dev/null || t_fail "node is required"
apid_setup
apid_start
apid_seed

cat >"$T_TMP/delta.mjs" <<'JS'
const { frames, next, sql, fail, done } = await import(process.env.STREAM_MJS);
// Let the reader take its first picture of the registry.
await next('summary', 0);
await new Promise((r) => setTimeout(r, 1500));

// Only last_polled_at moves on one service, the status of another changes.
let from = frames.length;
sql("UPDATE services SET last_polled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 'datadog'");
sql("UPDATE services SET current_status = 'partial_outage' WHERE id = 'pypi'");
let k = await next('services', from);
let d = JSON.parse(frames[k].data);
const ids = d.services.map((s) => s.id);
if (JSON.stringify(ids) !== '["pypi"]') fail('delta rows: ' + JSON.stringify(ids));
const row = d.services[0];
if (row.current_status !== 'partial_outage' || row.effective_status !== 'partial_outage') fail('delta row status');
if (!('display_name' in row && 'tier' in row && 'poller_health' in row)) fail('delta row is not a full service object');
if (JSON.stringify(d.removed) !== '[]') fail('nothing removed yet');
const s = await next('summary', k);
if (!JSON.parse(frames[s].data).active_incidents.some((i) => i.service.id === 'pypi')) fail('summary after the delta');

// A broken poller: the row's effective status goes unknown.
from = frames.length;
sql("UPDATE services SET poller_health = 'broken' WHERE id = 'pypi'");
d = JSON.parse(frames[await next('services', from)].data);
if (d.services.length !== 1 || d.services[0].effective_status !== 'unknown') fail('broken poller delta');

// A retired service is removed.
from = frames.length;
sql("UPDATE services SET retired_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 'datadog'");
d = JSON.parse(frames[await next('services', from)].data);
if (JSON.stringify(d.removed) !== '["datadog"]' || d.services.length) fail('removed: ' + frames[frames.length - 1].data);

// 600 new degraded services: too many rows for a delta -> resync; the
// summary frame carries 20 incidents and the true total.
from = frames.length;
sql(`WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 600)
  INSERT INTO services (id, display_name, category, poll_type, poll_url, current_status)
  SELECT printf('bulk-%03d', k), printf('Bulk %03d', k), 'other', 'statuspage_json', 'https://x.example/s.json', 'degraded' FROM i`);
await next('resync', from);
let sum;
for (;;) {
  from = await next('summary', from);
  sum = JSON.parse(frames[from].data);
  if (sum.active_incidents_total >= 600) break;
  from++;
}
if (sum.active_incidents.length !== 20) fail('summary frame incidents: ' + sum.active_incidents.length);
if (sum.total_services !== 605) fail('summary counts: ' + sum.total_services);
done('delta ok');
JS
APID=$APID DB=$DB STREAM_MJS=$ITSTATUS_ROOT/t/sh/apid_stream.mjs node "$T_TMP/delta.mjs" || t_fail "stream deltas"
