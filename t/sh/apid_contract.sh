#!/usr/bin/env bash
# apid_contract.sh: a real bin/apid on a seeded database answers every
# endpoint of /api/openapi.json, and every answer validates against that
# document (status code documented, JSON body matching its schema, documented
# headers present). The validator is a small JSON-Schema checker written here
# with node built-ins only; it is shown to fail on broken responses (negative
# tests) so a pass means something. Admin 200s come from a stand-in for
# pollerd's inbox (apid_apply_loop); the 202 path with nobody applying.
set -u
. "$(dirname "$0")/apid_lib.sh"
command -v node >/dev/null || t_fail "node is required"

apid_setup
export ADMIN_API_TOKEN=contract-token WEBHOOKS_ENABLED=true STATUSPAGE_WEBHOOK_SECRET=hook-secret \
	WEBHOOK_TOKEN_GITHUB=gh-token SLACK_ACK_ENABLED=true SLACK_SLASH_ENABLED=true \
	SLACK_SIGNING_SECRET=slack-secret ADMIN_WAIT_MS=1500
apid_start
apid_seed
t_start applier apid_apply_loop

cat >"$T_TMP/contract.mjs" <<'JS'
import crypto from 'node:crypto';

const base = process.env.APID;
const env = process.env;
let failures = 0;
const fail = (msg) => { failures++; console.log('FAIL ' + msg); };

// ---- a JSON Schema (2020-12 subset used by the document) validator ------
function resolve(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error('external $ref ' + ref);
  return ref.slice(2).split('/').reduce((o, k) => {
    if (o === undefined || !(k in o)) throw new Error('dangling $ref ' + ref);
    return o[k];
  }, doc);
}
function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
function typeOk(t, v) {
  const got = typeOf(v);
  return t === got || (t === 'number' && got === 'integer');
}
export function validate(doc, schema, v, path = '$', errs = []) {
  if (schema === true || schema === undefined) return errs;
  if (schema === false) { errs.push(path + ': no value allowed'); return errs; }
  if (schema.$ref) return validate(doc, resolve(doc, schema.$ref), v, path, errs);
  if (schema.type !== undefined) {
    const ts = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!ts.some((t) => typeOk(t, v))) { errs.push(`${path}: expected ${ts.join('|')}, got ${typeOf(v)}`); return errs; }
  }
  if (schema.enum && !schema.enum.some((e) => e === v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if ('const' in schema && schema.const !== v) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errs.push(path + ': too short');
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errs.push(path + ': too long');
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errs.push(path + ': too few items');
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errs.push(path + ': too many items');
    if (schema.items) v.forEach((x, i) => validate(doc, schema.items, x, `${path}[${i}]`, errs));
  }
  if (typeOf(v) === 'object') {
    for (const r of schema.required || []) if (!(r in v)) errs.push(`${path}: missing ${r}`);
    const props = schema.properties || {};
    for (const [k, x] of Object.entries(v)) {
      if (k in props) validate(doc, props[k], x, `${path}.${k}`, errs);
      else if (schema.additionalProperties !== undefined) validate(doc, schema.additionalProperties, x, `${path}.${k}`, errs);
    }
    if (schema.maxProperties !== undefined && Object.keys(v).length > schema.maxProperties) errs.push(path + ': too many properties');
  }
  if (schema.allOf) for (const s of schema.allOf) validate(doc, s, v, path, errs);
  if (schema.anyOf && !schema.anyOf.some((s) => validate(doc, s, v, path, []).length === 0)) errs.push(path + ': matches no anyOf');
  if (schema.oneOf) {
    const n = schema.oneOf.filter((s) => validate(doc, s, v, path, []).length === 0).length;
    if (n !== 1) errs.push(`${path}: matches ${n} of oneOf`);
  }
  return errs;
}

// ---- the document -------------------------------------------------------
const specRes = await fetch(base + '/api/openapi.json');
const spec = await specRes.json();
if (spec.openapi !== '3.1.0') fail('openapi version ' + spec.openapi);
const templates = Object.keys(spec.paths).map((t) => ({
  t, re: new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  literal: t.split('/').filter((s) => !s.startsWith('{')).length,
}));
function operation(method, url) {
  const p = new URL(url, base).pathname;
  // the most literal template wins, as in the server (/api/services/sla is not {service_id})
  const m = templates.filter((x) => x.re.test(p)).sort((a, b) => b.literal - a.literal)[0];
  if (!m) return null;
  return { template: m.t, op: spec.paths[m.t][method.toLowerCase()] };
}
function responseSpec(r) {
  return r && r.$ref ? resolve(spec, r.$ref) : r;
}

const covered = new Set();
// Check one exchange against the document; returns the parsed body.
async function check(method, url, { headers = {}, body, expect } = {}) {
  const res = await fetch(base + url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const where = `${method} ${url} -> ${res.status}`;
  if (expect !== undefined && res.status !== expect) fail(`${where}: expected ${expect}: ${text.slice(0, 300)}`);
  const found = operation(method, url);
  if (!found || !found.op) { fail(`${where}: not in the document`); return null; }
  const rs = responseSpec(found.op.responses[String(res.status)]);
  if (!rs) { fail(`${where}: status not documented`); return null; }
  covered.add(`${method} ${found.template}`);
  for (const h of Object.keys(rs.headers || {})) if (!res.headers.get(h)) fail(`${where}: header ${h} missing`);
  const ctype = (res.headers.get('content-type') || '').split(';')[0];
  const media = rs.content && rs.content[ctype];
  if (rs.content && !media) { fail(`${where}: content type ${ctype} not documented`); return null; }
  if (ctype !== 'application/json') return text;
  let json;
  try { json = JSON.parse(text); } catch { fail(`${where}: not JSON`); return null; }
  const errs = validate(spec, media.schema, json);
  if (errs.length) fail(`${where}: ${errs.slice(0, 5).join('; ')}`);
  return json;
}
const json = { 'Content-Type': 'application/json' };
const bearer = { ...json, Authorization: 'Bearer ' + env.ADMIN_API_TOKEN };
const hmac = (key, s) => crypto.createHmac('sha256', key).update(s).digest('hex');
function slack(body, ts = Math.floor(Date.now() / 1000)) {
  return { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(ts),
    'X-Slack-Signature': 'v0=' + hmac(env.SLACK_SIGNING_SECRET, `v0:${ts}:${body}`) };
}

// ---- every endpoint -----------------------------------------------------
await check('GET', '/healthz', { expect: 200 });
await check('GET', '/metrics', { expect: 200 });
await check('GET', '/api/health', { expect: 200 });
const sum = await check('GET', '/api/summary', { expect: 200 });
// GitHub is degraded; Cloudflare's major outage is in planned maintenance,
// which is its own state, not an active incident (issue 15).
if (sum && sum.data.active_incidents.length !== 1) fail('summary: one incident expected');
if (sum && sum.data.maintenance_count !== 1) fail('summary: one service in maintenance expected');
if (sum && sum.data.unknown_count !== 2) fail('summary: npm (broken) and the manual service are unknown');
await check('GET', '/api/services', { expect: 200 });
await check('GET', '/api/services?category=engineering', { expect: 200 });
// Lists that scale (doc/scale.md#lists): filters, paging, worst N, 304.
const pg = await check('GET', '/api/services?limit=2', { expect: 200 });
if (!pg || pg.data.services.length !== 2 || !pg.meta.next_cursor) fail('services: a page of 2 with a next_cursor expected');
else await check('GET', '/api/services?limit=2&cursor=' + pg.meta.next_cursor, { expect: 200 });
await check('GET', '/api/services?q=git&status=operational,degraded&tier=important,critical', { expect: 200 });
await check('GET', '/api/services?status=fine', { expect: 422 });
await check('GET', '/api/services?limit=x', { expect: 422 });
await check('GET', '/api/services?cursor=nope', { expect: 422 });
await check('GET', '/api/services?fields=nope', { expect: 422 });
for (const u of ['/api/summary', '/api/services/uptime', '/api/services/sla', '/api/services/sla/history', '/api/services/slo']) {
  await check('GET', u + '?worst=1', { expect: 200 });
  await check('GET', u + '?worst=x', { expect: 422 });
}
{
  const r1 = await fetch(base + '/api/services');
  await r1.text();
  await check('GET', '/api/services', { headers: { 'If-None-Match': r1.headers.get('etag') }, expect: 304 });
}
await check('GET', '/api/services/uptime', { expect: 200 });
await check('GET', '/api/services/sla', { expect: 200 });
await check('GET', '/api/services/sla/history?days=7', { expect: 200 });
await check('GET', '/api/services/sla/history?days=x', { expect: 422 });
await check('GET', '/api/services/graph', { expect: 200 });
await check('GET', '/api/services/slo', { expect: 200 });
const det = await check('GET', '/api/services/github', { expect: 200 });
if (det && det.data.upstream_dependencies.length !== 2) fail('github has two upstreams');
await check('GET', '/api/services/nope', { expect: 404 });
await check('GET', '/api/timeline?limit=5&service_id=github', { expect: 200 });
await check('GET', '/api/timeline?limit=x', { expect: 422 });
await check('GET', '/api/timeline/clustered?window=600', { expect: 200 });
await check('GET', '/api/timeline/clustered?window=x', { expect: 422 });
await check('GET', '/api/maintenance', { expect: 200 });
await check('GET', '/api/reports?service_id=pypi', { expect: 200 });
await check('GET', '/api/reports?limit=x', { expect: 422 });
const a1 = await check('GET', '/api/alerts?limit=1', { expect: 200 });
if (!a1 || !a1.data.next_cursor) fail('alerts: a next_cursor expected');
else await check('GET', '/api/alerts?limit=5&cursor=' + a1.data.next_cursor, { expect: 200 });
await check('GET', '/api/alerts?suppressed=true&since=2026-01-01T00:00:00Z&kind=status_change', { expect: 200 });
await check('GET', '/api/alerts?suppressed=maybe', { expect: 422 });
await check('GET', '/api/openapi.json', { expect: 200 });
{ // the stream: headers and a first frame, then hang up
  const ac = new AbortController();
  const res = await fetch(base + '/api/stream', { signal: ac.signal });
  const found = operation('GET', '/api/stream');
  const ctype = (res.headers.get('content-type') || '').split(';')[0];
  if (res.status !== 200 || !found.op.responses['200'].content[ctype]) fail('stream: ' + res.status + ' ' + ctype);
  const first = await res.body.getReader().read();
  if (!new TextDecoder().decode(first.value).includes('retry:')) fail('stream: no first frame');
  ac.abort();
  covered.add('GET /api/stream');
}

// admin: the README's calls, then every refusal
const st = await check('POST', '/api/admin/status', { headers: bearer, expect: 200,
  body: JSON.stringify({ service_id: 'identity-provider', new_status: 'major_outage', detail: 'SSO completely unavailable', reason: 'Confirmed with vendor' }) });
if (st && (st.meta.status_changed !== true || st.meta.previous_status !== 'unknown' || st.data.current_status !== 'major_outage'))
  fail('admin: ' + JSON.stringify(st.meta));
await check('POST', '/api/admin/status', { headers: json, expect: 401,
  body: JSON.stringify({ service_id: 'github', new_status: 'degraded', reason: 'abc' }) });
await check('POST', '/api/admin/status', { headers: { ...json, Authorization: 'Bearer nope' }, expect: 403,
  body: JSON.stringify({ service_id: 'github', new_status: 'degraded', reason: 'abc' }) });
await check('POST', '/api/admin/status', { headers: bearer, expect: 404,
  body: JSON.stringify({ service_id: 'nope', new_status: 'degraded', reason: 'abc' }) });
await check('POST', '/api/admin/status', { headers: bearer, expect: 422,
  body: JSON.stringify({ service_id: 'github', new_status: 'down', reason: 'a' }) });
await check('POST', '/api/admin/status', { headers: bearer, expect: 413, body: 'x'.repeat(70000) });
const mc = await check('POST', '/api/admin/maintenance', { headers: bearer, expect: 201,
  body: JSON.stringify({ service_id: 'github', title: 'Upgrade', scheduled_for: '2030-01-01T10:00:00Z', scheduled_until: '2030-01-01T12:00:00Z' }) });
await check('POST', '/api/admin/maintenance', { headers: bearer, expect: 422,
  body: JSON.stringify({ service_id: 'github', title: 'Upgrade', scheduled_for: 'soon' }) });
if (mc) await check('DELETE', '/api/admin/maintenance/' + mc.data.id, { headers: bearer, expect: 200 });
await check('DELETE', '/api/admin/maintenance/1', { headers: bearer, expect: 409 });
await check('DELETE', '/api/admin/maintenance/999', { headers: bearer, expect: 404 });
await check('DELETE', '/api/admin/maintenance/x', { headers: bearer, expect: 422 });
await check('GET', '/api/admin/inbox/1', { headers: bearer, expect: 200 });
await check('GET', '/api/admin/inbox/999', { headers: bearer, expect: 404 });

// inbound
const wb = JSON.stringify({ component_update: { new_status: 'major_outage' } });
// signed over "<unix ts>.<body>" (doc/security.md#webhook-signatures)
const wts = String(Math.floor(Date.now() / 1000));
await check('POST', '/api/webhooks/statuspage/github', { headers: { ...json, 'X-Statuspage-Timestamp': wts, 'X-Statuspage-Signature': hmac(env.STATUSPAGE_WEBHOOK_SECRET, wts + '.' + wb) }, body: wb, expect: 200 });
await check('POST', '/api/webhooks/statuspage/github', { headers: { ...json, 'X-Statuspage-Timestamp': wts, 'X-Statuspage-Signature': hmac('forged', wts + '.' + wb) }, body: wb, expect: 403 });
await check('POST', '/api/webhooks/statuspage/github/' + env.WEBHOOK_TOKEN_GITHUB, { headers: json, body: wb, expect: 200 });
await check('POST', '/api/webhooks/statuspage/github/wrong', { headers: json, body: wb, expect: 403 });
await check('POST', '/api/webhooks/statuspage/nope/x', { headers: json, body: wb, expect: 404 });
const ack = 'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1', username: 'alice' },
  response_url: 'https://hooks.slack.com/actions/T/B/X', message: { blocks: [] }, actions: [{ action_id: 'ack_alert', value: 'poller:npm:broken' }] }));
await check('POST', '/api/slack/interactivity', { headers: slack(ack), body: ack, expect: 200 });
await check('POST', '/api/slack/interactivity', { headers: slack(ack, 1000), body: ack, expect: 403 });
const cmd = 'command=%2Fitstatus&text=github';
const reply = await check('POST', '/api/slack/slash', { headers: slack(cmd), body: cmd, expect: 200 });
if (reply && reply.text !== 'GitHub: Degraded') fail('slash: ' + reply.text);
await check('POST', '/api/slack/slash', { headers: { ...slack(cmd), 'X-Slack-Signature': 'v0=00' }, body: cmd, expect: 401 });

// every operation exercised
for (const [p, ops] of Object.entries(spec.paths))
  for (const m of Object.keys(ops)) if (!covered.has(`${m.toUpperCase()} ${p}`)) fail(`not exercised: ${m.toUpperCase()} ${p}`);

// ---- negative tests: the validator must catch broken responses ----------
const summaryRes = await (await fetch(base + '/api/summary')).json();
const schemaOf = (p, code = '200') => responseSpec(spec.paths[p].get.responses[code]).content['application/json'].schema;
const broken = [
  ['missing field', (d) => { delete d.data.total_services; }],
  ['bad enum', (d) => { d.data.overall_status = 'fine'; }],
  ['wrong type', (d) => { d.data.active_incidents[0].service.in_maintenance = 0; }],
  ['null where required', (d) => { d.data.status_text = null; }],
  ['error not null', (d) => { d.error = 'x'; }],
  ['bad nested item', (d) => { d.data.upcoming_maintenances[0].status = 'done'; }],
];
for (const [name, mutate] of broken) {
  const copy = structuredClone(summaryRes);
  mutate(copy);
  if (validate(spec, schemaOf('/api/summary'), copy).length === 0) fail('validator accepted a summary with ' + name);
}
if (validate(spec, schemaOf('/api/summary'), summaryRes).length !== 0) fail('validator rejected the real summary');
const errShape = schemaOf('/api/services/{service_id}', '404');
if (validate(spec, errShape, { detail: 'Not Found' }).length === 0) fail('validator accepted a plain detail as an error envelope');
const slo = await (await fetch(base + '/api/services/slo')).json();
slo.data.services[0].fast_breach = { long_window_burn_rate: 'high' };
if (validate(spec, schemaOf('/api/services/slo'), slo).length === 0) fail('validator accepted a bad oneOf');

console.log(failures ? `${failures} contract failures` : `contract ok: ${covered.size} operations`);
process.exit(failures ? 1 : 0);
JS

APID=$APID node "$T_TMP/contract.mjs" || t_fail "contract"

# /metrics of the seeded daemons plus apid's own series is valid Prometheus text
if command -v promtool >/dev/null; then
	curl -s "$APID/metrics" | promtool check metrics || t_fail "promtool check metrics"
else
	t_fail "promtool is required (apt-get install prometheus)"
fi

# 202: nobody applies the command within ADMIN_WAIT_MS; it stays queued
t_stop applier
code=$(curl -s -o "$T_TMP/q.json" -D "$T_TMP/q.h" -w '%{http_code}' -X POST "$APID/api/admin/status" \
	-H "Authorization: Bearer $ADMIN_API_TOKEN" -H 'Content-Type: application/json' \
	-d '{"service_id":"github","new_status":"major_outage","reason":"queued test"}')
t_assert_eq "$code" 202 "admin without pollerd"
id=$(jq -r .data.inbox_id "$T_TMP/q.json")
grep -qi "^Location: /api/admin/inbox/$id" "$T_TMP/q.h" || t_fail "202 without Location"
t_assert_eq "$(sqlite3 "$DB" "SELECT state FROM inbox WHERE id = $id")" pending "queued command"
apid_apply_once
t_assert_eq "$(curl -s -H "Authorization: Bearer $ADMIN_API_TOKEN" "$APID/api/admin/inbox/$id" | jq -r .data.state)" applied "applied later"
# /healthz 503 names the stale daemon
sqlite3 "$DB" "UPDATE heartbeats SET beat_at = '2020-01-01T00:00:00.000Z' WHERE daemon = 'alertd'"
body=$(t_http GET "$APID/healthz")
t_assert_eq "$(t_http_code)" 503 "healthz with a stale alertd"
t_assert_eq "$(t_json_get "$body" '.stale | join(",")')" alertd "stale daemons"
echo ok
