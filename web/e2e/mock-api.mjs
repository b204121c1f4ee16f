#!/usr/bin/env node
// A stand-in for apid, for developing and testing the dashboard before apid
// exists: serves web/dist and canned JSON for every endpoint the dashboard
// reads, in the seed's shapes (doc/compat.md#s5 + /api/alerts + /api/stream).
// No dependencies: node's http only.
//
//   node e2e/mock-api.mjs [--port 8099] [--dist ../dist]
//   env MOCK_NO_SSE=1   /api/stream answers 404 (the dashboard must poll)
//   env MOCK_STALE=1    the last poll is 4 minutes old and never advances
//   env MOCK_SERVICES=N  serve N services in all: the 10 examples plus N-10
//                       synthetic statuspage ones spread over the 11 categories
//                       (for render benchmarks; a few get 7-day history)
//
// The 10 example services of doc/compat.md#s3-2 with: cloudflare major outage (root
// cause), github partial, sentry degraded, pypi with a broken poller, npm
// flapping (pending degraded), dropbox in maintenance, ticketing manual and
// never set, identity-provider manual and set operational.
//
// Control endpoints (the same contract e2e/dashboard.mjs uses on
// FAKEVENDOR_URL, so the live-update check runs against this mock too):
//   POST /control/status  {"service":"discord","status":"major_outage","detail":"…"}
//   POST /control/stall   {"stalled":true}    stop advancing last_poll_at
//   POST /control/sse     {"enabled":false}   drop stream clients, refuse new ones
//   GET  /control/state
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const argOf = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const PORT = Number(argOf('--port', process.env.PORT ?? '8099'));
const HOST = argOf('--host', '127.0.0.1');
const DIST = resolve(argOf('--dist', join(here, '..', 'dist')));

const NOW0 = Date.now();
const iso = (t) => new Date(t).toISOString();
// Durations in milliseconds.
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const state = {
  stalled: process.env.MOCK_STALE === '1',
  sse: process.env.MOCK_NO_SSE !== '1',
  lastPollAt: process.env.MOCK_STALE === '1' ? NOW0 - 240_000 : NOW0 - 8_000,
};

const CATEGORIES = {
  identity: 'Identity & Access',
  productivity: 'Productivity',
  collaboration: 'Collaboration',
  engineering: 'Engineering',
  networking: 'Networking',
  support: 'Support',
  other: 'Other',
};

function svc(id, display_name, category, poll_type, url, tier, extra = {}) {
  return {
    id,
    display_name,
    category,
    current_status: 'operational',
    current_status_detail: 'All Systems Operational',
    poll_type,
    status_page_url: url,
    last_polled_at: poll_type === 'manual' ? null : iso(state.lastPollAt),
    last_status_change_at: iso(NOW0 - 9 * DAY),
    consecutive_failures: 0,
    last_success_at: poll_type === 'manual' ? null : iso(state.lastPollAt),
    last_failure_reason: null,
    poller_health: 'healthy',
    tier,
    pending_status: null,
    pending_status_count: 0,
    pending_status_since: null,
    in_maintenance: 0,
    ...extra,
  };
}

const services = [
  svc('identity-provider', 'Identity Provider (SSO)', 'identity', 'manual', 'https://example.com/status', 'critical', {
    current_status_detail: 'Set by on-call after vendor confirmation',
    last_status_change_at: iso(NOW0 - 5 * DAY + 4 * HOUR),
  }),
  svc('github', 'GitHub', 'engineering', 'statuspage_json', 'https://www.githubstatus.com', 'important', {
    current_status: 'partial_outage',
    current_status_detail: 'Git Operations: Partial Outage — elevated error rates for git push over HTTPS',
    last_status_change_at: iso(NOW0 - 23 * MIN),
  }),
  svc('npm', 'npm', 'engineering', 'statuspage_json', 'https://status.npmjs.org', 'important', {
    pending_status: 'degraded',
    pending_status_count: 2,
    pending_status_since: iso(NOW0 - 2 * MIN),
    current_status_detail: 'All Systems Operational',
  }),
  svc('pypi', 'PyPI', 'engineering', 'statuspage_json', 'https://status.python.org', 'important', {
    poller_health: 'broken',
    consecutive_failures: 5,
    last_failure_reason: 'http_status: 503 Service Unavailable',
    last_success_at: iso(NOW0 - 6 * MIN),
  }),
  svc('sentry', 'Sentry', 'engineering', 'statuspage_json', 'https://status.sentry.io', 'important', {
    current_status: 'degraded',
    current_status_detail: 'Dashboard: Degraded Performance',
    last_status_change_at: iso(NOW0 - 19 * MIN),
  }),
  svc('dropbox', 'Dropbox', 'productivity', 'statuspage_json', 'https://status.dropbox.com', 'important', {
    in_maintenance: 1,
    current_status_detail: 'Scheduled maintenance in progress: metadata store upgrade',
  }),
  svc('discord', 'Discord', 'collaboration', 'statuspage_json', 'https://discordstatus.com', 'critical'),
  svc('cloudflare', 'Cloudflare', 'networking', 'statuspage_json', 'https://www.cloudflarestatus.com', 'important', {
    current_status: 'major_outage',
    current_status_detail: 'Cloudflare Network: Major Outage — widespread 5xx errors in multiple regions',
    last_status_change_at: iso(NOW0 - 26 * MIN),
  }),
  svc('datadog', 'Datadog', 'other', 'statuspage_json', 'https://status.datadoghq.com', 'important'),
  svc('ticketing', 'Ticketing / ITSM', 'support', 'manual', 'https://example.com/status', 'important', {
    current_status: 'unknown',
    current_status_detail: null,
    last_status_change_at: null,
  }),
];
// MOCK_SERVICES=N: pad the list with synthetic services (render benchmarks).
const SYNTH_CATS = ['identity', 'productivity', 'collaboration', 'engineering', 'hr', 'finance', 'sales', 'marketing', 'networking', 'support', 'other'];
const MOCK_N = Number(process.env.MOCK_SERVICES || 0);
for (let i = 0; services.length < MOCK_N; i++) {
  services.push(svc(`s${i}`, `Service ${i}`, SYNTH_CATS[i % SYNTH_CATS.length], 'statuspage_json', `https://status.example.com/${i}`, i % 7 === 0 ? 'critical' : 'important'));
}
const byId = new Map(services.map((s) => [s.id, s]));

const deps = [
  ['identity-provider', 'github', 'critical', 'SSO login to source control unavailable'],
  ['identity-provider', 'npm', 'high', 'SSO login to the package registry unavailable'],
  ['identity-provider', 'pypi', 'high', 'SSO login to the package index unavailable'],
  ['identity-provider', 'sentry', 'medium', 'SSO login to error tracking unavailable'],
  ['identity-provider', 'dropbox', 'high', 'SSO login to file storage unavailable'],
  ['identity-provider', 'discord', 'medium', 'SSO login to team chat unavailable'],
  ['identity-provider', 'datadog', 'medium', 'SSO login to observability unavailable'],
  ['identity-provider', 'ticketing', 'high', 'SSO login to the ITSM/ticketing system unavailable'],
  ['cloudflare', 'github', 'medium', 'Elevated latency reaching source-control web UI'],
  ['cloudflare', 'sentry', 'low', 'Elevated latency reaching the error-tracking UI'],
].map(([upstream, downstream, severity, impact]) => ({ upstream, downstream, severity, impact }));
const SEV_ORDER = { critical: 0, high: 1, medium: 2, low: 3 };

// ---- events ---------------------------------------------------------------
let nextEventId = 1;
const events = [];
function addEvent(service_id, previous_status, new_status, createdMs, extra = {}) {
  const s = byId.get(service_id);
  const ev = {
    id: nextEventId++,
    service_id,
    service_name: s.display_name,
    previous_status,
    new_status,
    vendor_title: extra.vendor_title ?? null,
    vendor_detail: extra.vendor_detail ?? null,
    impact_statement: extra.impact_statement ?? impactFor(s, new_status, extra.vendor_detail),
    source: extra.source ?? s.poll_type,
    created_at: iso(createdMs),
  };
  events.push(ev);
  return ev;
}
function downstreamNames(id) {
  return deps
    .filter((d) => d.upstream === id)
    .sort((a, b) => SEV_ORDER[a.severity] - SEV_ORDER[b.severity])
    .map((d) => byId.get(d.downstream).display_name);
}
function impactFor(s, st, detail) {
  if (st === 'operational') return `${s.display_name} has recovered and is now operational.`;
  const base =
    st === 'major_outage'
      ? `⚠️ ${s.display_name} is experiencing a MAJOR OUTAGE.`
      : st === 'partial_outage'
        ? `${s.display_name} is experiencing a partial outage.`
        : `${s.display_name} is reporting degraded performance.`;
  const d = detail ? ` ${detail.replace(/[.\s]+$/, '')}.` : '';
  const down = downstreamNames(s.id);
  return base + d + (down.length ? ` This may impact: ${down.join(', ')}.` : '');
}
// Baselines (boot warm-ups) 30 days ago.
for (const s of services) if (s.poll_type !== 'manual') addEvent(s.id, 'unknown', 'operational', NOW0 - 30 * DAY);
addEvent('identity-provider', 'unknown', 'operational', NOW0 - 30 * DAY, { source: 'manual' });
// History.
addEvent('dropbox', 'operational', 'major_outage', NOW0 - 6 * DAY - 2 * HOUR, { vendor_title: 'File sync unavailable' });
addEvent('dropbox', 'major_outage', 'partial_outage', NOW0 - 6 * DAY - 1.8 * HOUR, { vendor_title: 'File sync unavailable' });
addEvent('dropbox', 'partial_outage', 'operational', NOW0 - 6 * DAY - 1.5 * HOUR);
addEvent('identity-provider', 'operational', 'degraded', NOW0 - 5 * DAY, { source: 'manual', vendor_detail: 'MFA push delays' });
addEvent('identity-provider', 'degraded', 'operational', NOW0 - 5 * DAY + 4 * HOUR, { source: 'manual' });
addEvent('discord', 'operational', 'partial_outage', NOW0 - 4 * DAY - 3 * HOUR, { vendor_title: 'Voice connection failures' });
addEvent('discord', 'partial_outage', 'degraded', NOW0 - 4 * DAY - 2.5 * HOUR, { vendor_title: 'Voice connection failures' });
addEvent('discord', 'degraded', 'operational', NOW0 - 4 * DAY - 2 * HOUR);
addEvent('datadog', 'operational', 'degraded', NOW0 - 2 * DAY - 5 * HOUR, { vendor_title: 'Delayed metric ingestion' });
addEvent('datadog', 'degraded', 'operational', NOW0 - 2 * DAY - 4 * HOUR);
addEvent('github', 'operational', 'degraded', NOW0 - 1 * DAY - 6 * HOUR, { vendor_title: 'Actions: delayed job starts' });
addEvent('github', 'degraded', 'operational', NOW0 - 1 * DAY - 5 * HOUR);
// Synthetic services: every 9th had a short incident some day this week.
for (const s of services) {
  const m = /^s(\d+)$/.exec(s.id);
  if (!m || Number(m[1]) % 9 !== 0) continue;
  const at = NOW0 - ((Number(m[1]) % 6) + 1) * DAY - 3 * HOUR;
  addEvent(s.id, 'operational', 'degraded', at, { vendor_title: 'Elevated errors' });
  addEvent(s.id, 'degraded', 'operational', at + HOUR);
}
// The current incident: Cloudflare, then its dependents.
addEvent('cloudflare', 'operational', 'major_outage', NOW0 - 26 * MIN, {
  vendor_title: 'Widespread 5xx errors',
  vendor_detail: 'Cloudflare Network: Major Outage — widespread 5xx errors in multiple regions',
});
addEvent('github', 'operational', 'partial_outage', NOW0 - 23 * MIN, {
  vendor_title: 'Git operations degraded',
  vendor_detail: 'Git Operations: Partial Outage',
});
addEvent('sentry', 'operational', 'degraded', NOW0 - 19 * MIN, {
  vendor_title: 'Dashboard slow to load',
  vendor_detail: 'Dashboard: Degraded Performance',
});

const isWarmup = (e) => e.previous_status === 'unknown' && e.new_status === 'operational';

// ---- derived data -----------------------------------------------------------
const RANK_UI = { operational: 0, unknown: 1, degraded: 2, partial_outage: 3, major_outage: 4 };
const dayStr = (t) => iso(t).slice(0, 10);
function lastDays(n) {
  const out = [];
  for (let i = n - 1; i >= 0; i--) out.push(dayStr(Date.now() - i * DAY));
  return out;
}
function uptimePct(id, startMs, endMs) {
  const evs = events.filter((e) => e.service_id === id).sort((a, b) => a.id - b.id);
  let tracked = 0;
  let up = 0;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    const s = Date.parse(e.created_at);
    const en = i + 1 < evs.length ? Date.parse(evs[i + 1].created_at) : endMs;
    const a = Math.max(s, startMs);
    const b = Math.min(en, endMs);
    if (b <= a || e.new_status === 'unknown') continue;
    tracked += b - a;
    if (e.new_status === 'operational') up += b - a;
  }
  return tracked ? Math.min(100, Math.round((up / tracked) * 10000) / 100) : null;
}
function effective(s) {
  return s.poller_health === 'broken' ? 'unknown' : s.current_status;
}
function summaryData() {
  const active = services
    .filter((s) => !['operational', 'unknown'].includes(s.current_status))
    .sort(
      (a, b) =>
        RANK_UI[b.current_status] - RANK_UI[a.current_status] ||
        (b.last_status_change_at ?? '').localeCompare(a.last_status_change_at ?? ''),
    );
  const eff = services.map(effective);
  const worst = ['major_outage', 'partial_outage', 'degraded'].find((st) => eff.includes(st)) ?? 'operational';
  const names = active.map((s) => s.display_name);
  return {
    overall_status: worst,
    status_text: active.length
      ? `${active.length} active incident(s) across ${services.length} monitored services. ${names.join(', ')}`
      : `All ${services.length} monitored services are operational.`,
    active_incidents: active.map((s) => {
      const ev = [...events].reverse().find((e) => e.service_id === s.id);
      return {
        service: pick(s, ['id', 'display_name', 'category', 'current_status', 'current_status_detail', 'poll_type', 'status_page_url', 'last_polled_at', 'last_status_change_at']),
        impact_statement: ev?.impact_statement ?? `${s.display_name} status: ${s.current_status}`,
        affected_services: downstreamNames(s.id),
        started_at: s.last_status_change_at,
      };
    }),
    upcoming_maintenances: maintenances(),
    total_services: services.length,
    healthy_count: eff.filter((x) => x === 'operational').length,
    degraded_count: eff.filter((x) => x === 'degraded').length,
    outage_count: eff.filter((x) => x === 'partial_outage' || x === 'major_outage').length,
    unknown_count: eff.filter((x) => x === 'unknown').length,
    last_poll_at: iso(state.lastPollAt),
  };
}
function maintenances() {
  return [
    {
      id: 1,
      service_id: 'dropbox',
      service_name: 'Dropbox',
      title: 'Metadata store upgrade',
      description: 'Brief sync delays possible.',
      scheduled_for: iso(NOW0 - 40 * MIN),
      scheduled_until: iso(NOW0 + 80 * MIN),
      status: 'in_progress',
    },
    {
      id: 2,
      service_id: 'datadog',
      service_name: 'Datadog',
      title: 'US1 database failover test',
      description: null,
      scheduled_for: iso(NOW0 + 20 * HOUR),
      scheduled_until: iso(NOW0 + 22 * HOUR),
      status: 'scheduled',
    },
  ];
}
function pick(o, keys) {
  const out = {};
  for (const k of keys) out[k] = o[k];
  return out;
}
function clusters(windowS, limit) {
  const list = events.filter((e) => !isWarmup(e)).slice(-limit);
  const out = [];
  let cur = null;
  for (const e of list) {
    const t = Date.parse(e.created_at);
    if (!cur || t - cur.last > windowS * 1000) {
      cur = { events: [], last: t };
      out.push(cur);
    }
    cur.events.push(e);
    cur.last = t;
  }
  const sevOrder = ['major_outage', 'partial_outage', 'degraded', 'operational', 'unknown'];
  return out
    .map((c) => {
      const ids = new Set(c.events.map((e) => e.service_id));
      let root = null;
      let best = 0;
      for (const id of ids) {
        const n = deps.filter((d) => d.upstream === id && ids.has(d.downstream)).length;
        if (n > best) {
          best = n;
          root = id;
        }
      }
      return {
        root_cause: root ? { id: root, name: byId.get(root).display_name } : null,
        severity: sevOrder.find((s) => c.events.some((e) => e.new_status === s)) ?? 'unknown',
        started_at: c.events[0].created_at,
        ended_at: c.events[c.events.length - 1].created_at,
        service_count: ids.size,
        event_count: c.events.length,
        events: [...c.events].reverse(),
      };
    })
    .reverse();
}
function slaHistory(days) {
  const ds = lastDays(days);
  const out = {};
  for (const s of services) {
    if (!events.some((e) => e.service_id === s.id && !isWarmup(e)) && s.poll_type === 'manual') continue;
    out[s.id] = ds.map((d) => {
      const start = Date.parse(d + 'T00:00:00Z');
      return { date: d, uptime: uptimePct(s.id, start, Math.min(Date.now(), start + DAY)) };
    });
  }
  return { days: ds, services: out };
}
function sloRows() {
  const target = 99.9;
  return [...services]
    .sort((a, b) => a.display_name.localeCompare(b.display_name))
    .map((s) => {
      const u30 = uptimePct(s.id, Date.now() - 30 * DAY, Date.now());
      const budget = u30 === null ? 100 : Math.max(0, Math.min(100, 100 - (100 * Math.max(0, 100 - u30)) / (100 - target)));
      const u1h = uptimePct(s.id, Date.now() - HOUR, Date.now());
      const burn1h = u1h === null ? 0 : (100 - u1h) / 100 / 0.001;
      const fast = burn1h >= 14.4;
      const slow = !fast && budget < 40 && s.current_status !== 'operational';
      return {
        id: s.id,
        display_name: s.display_name,
        category: s.category,
        tier: s.tier,
        current_status: s.current_status,
        poller_health: s.poller_health,
        uptime_30d_pct: u30,
        error_budget_remaining_pct: Math.round(budget * 100) / 100,
        fast_burning: fast,
        slow_burning: slow,
        fast_breach: fast
          ? { long_window_burn_rate: Math.round(burn1h * 10) / 10, short_window_burn_rate: 1000, long_window_label: '1h', short_window_label: '5m' }
          : null,
        slow_breach: slow ? { long_window_burn_rate: 7.2, short_window_burn_rate: 9.1, long_window_label: '6h', short_window_label: '30m' } : null,
      };
    });
}
const reports = [
  ['dropbox', 6 * DAY + 2 * HOUR, 30 * MIN, 'major_outage', 3],
  ['discord', 4 * DAY + 3 * HOUR, 60 * MIN, 'partial_outage', 3],
  ['datadog', 2 * DAY + 5 * HOUR, 60 * MIN, 'degraded', 2],
  ['github', 1 * DAY + 6 * HOUR, 60 * MIN, 'degraded', 2],
].map(([id, startAgo, dur, peak, n], i) => {
  const s = byId.get(id);
  const human = dur < HOUR ? `${Math.round(dur / MIN)}m` : `${Math.floor(dur / HOUR)}h`;
  return {
    id: i + 1,
    service_id: id,
    service_name: s.display_name,
    started_at: iso(NOW0 - startAgo),
    resolved_at: iso(NOW0 - (startAgo - dur)),
    duration_seconds: dur / 1000,
    peak_severity: peak,
    affected_downstream: [],
    event_count: n,
    impact_summary: `${s.display_name} experienced ${peak.replace('_', ' ')} for ${human}.`,
    created_at: iso(NOW0 - (startAgo - dur)),
    duration_human: human,
  };
});
function alertsFor(serviceId) {
  const rows = [];
  let id = 1;
  for (const e of events.filter((x) => !isWarmup(x))) {
    const s = byId.get(e.service_id);
    const aggregated = e.service_id === 'sentry' && e.new_status === 'degraded' && Date.parse(e.created_at) > NOW0 - HOUR;
    const maint = false;
    const suppressed = aggregated ? 'aggregated_under_upstream' : maint ? 'maintenance_window' : null;
    const recent = Date.parse(e.created_at) > NOW0 - HOUR;
    rows.push({
      id: id++,
      service_id: e.service_id,
      status_event_id: e.id,
      alert_kind: 'status_change',
      severity: s.tier,
      new_status: e.new_status,
      suppressed_by: suppressed,
      dedup_key: `fallback:${e.service_id}:${e.new_status}:${e.created_at.slice(0, 10)}`,
      first_sent_at: e.created_at,
      acknowledged_at: e.service_id === 'github' && recent ? iso(Date.parse(e.created_at) + 4 * MIN) : null,
      acknowledged_by: e.service_id === 'github' && recent ? 'alice' : null,
      deliveries: suppressed
        ? []
        : [
            { destination: 'slack:#ops-alerts', state: 'sent', attempts: 1, last_http_status: 200, last_error: null, sent_at: e.created_at },
            ...(s.tier === 'critical' || e.service_id === 'cloudflare'
              ? [
                  recent && e.service_id === 'cloudflare'
                    ? { destination: 'pagerduty', state: 'retrying', attempts: 3, last_http_status: 502, last_error: 'HTTP 502 Bad Gateway', sent_at: null }
                    : { destination: 'pagerduty', state: 'sent', attempts: 1, last_http_status: 202, last_error: null, sent_at: e.created_at },
                ]
              : []),
          ],
    });
  }
  if (serviceId === 'cloudflare')
    rows.push({
      id: id++,
      service_id: 'cloudflare',
      status_event_id: null,
      alert_kind: 'aggregated_upstream',
      severity: 'important',
      new_status: 'major_outage',
      suppressed_by: null,
      dedup_key: 'agg:cloudflare:major_outage',
      first_sent_at: iso(NOW0 - 18 * MIN),
      acknowledged_at: null,
      acknowledged_by: null,
      deliveries: [{ destination: 'slack:#ops-alerts', state: 'sent', attempts: 1, last_http_status: 200, last_error: null, sent_at: iso(NOW0 - 18 * MIN) }],
    });
  return rows.filter((r) => !serviceId || r.service_id === serviceId).reverse();
}

// ---- HTTP ---------------------------------------------------------------------
const env = (data, meta = null) => ({ data, error: null, meta });
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
function sendJson(res, code, body) {
  const s = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(s) });
  res.end(s);
}
function notFound(res, msg = 'Not found') {
  sendJson(res, 404, { data: null, error: { code: 'NOT_FOUND', message: msg }, meta: null });
}
function clampInt(v, lo, hi, dflt) {
  const n = Number.parseInt(v ?? '', 10);
  return Number.isFinite(n) ? Math.max(lo, Math.min(hi, n)) : dflt;
}
function readBody(req) {
  return new Promise((ok) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      try {
        ok(JSON.parse(b || '{}'));
      } catch {
        ok({});
      }
    });
  });
}

const streams = new Set();
function push(event, data, id) {
  const msg = (id !== undefined ? `id: ${id}\n` : '') + `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const r of streams) r.write(msg);
}

function serviceRow(s) {
  return { ...s, effective_status: effective(s), last_polled_at: s.poll_type === 'manual' ? null : iso(state.lastPollAt) };
}

function api(req, res, url) {
  const p = url.pathname;
  const q = url.searchParams;
  if (p === '/api/health') {
    const age = Math.round((Date.now() - state.lastPollAt) / 1000);
    return sendJson(res, 200, {
      status: age > 300 ? 'unhealthy' : age > 120 ? 'degraded' : 'healthy',
      database: 'connected',
      last_poll_at: iso(state.lastPollAt),
      poll_age_seconds: age,
      services_total: services.length,
      services_polled: services.filter((s) => s.poll_type !== 'manual').length,
      version: '0.1.0',
    });
  }
  if (p === '/api/summary') return sendJson(res, 200, env(summaryData()));
  if (p === '/api/services') {
    const cat = q.get('category');
    const rows = services
      .filter((s) => !cat || s.category === cat)
      .sort((a, b) => a.category.localeCompare(b.category) || a.display_name.localeCompare(b.display_name))
      .map(serviceRow);
    return sendJson(
      res,
      200,
      env(
        {
          services: rows,
          total: rows.length,
          healthy_count: rows.filter((s) => s.current_status === 'operational').length,
          degraded_count: rows.filter((s) => s.current_status === 'degraded').length,
          outage_count: rows.filter((s) => ['partial_outage', 'major_outage'].includes(s.current_status)).length,
          unknown_count: rows.filter((s) => s.current_status === 'unknown').length,
        },
        { category_filter: cat },
      ),
    );
  }
  if (p === '/api/services/uptime') {
    const days = lastDays(7);
    const out = {};
    for (const e of events) {
      if (isWarmup(e)) continue;
      const d = e.created_at.slice(0, 10);
      if (!days.includes(d)) continue;
      const cur = out[e.service_id]?.[d];
      const st = ['major_outage', 'partial_outage', 'degraded'].includes(e.new_status) ? e.new_status : 'operational';
      if (!cur || RANK_UI[st] > RANK_UI[cur]) (out[e.service_id] ??= {})[d] = st;
    }
    return sendJson(res, 200, env({ days, services: out }));
  }
  if (p === '/api/services/sla') {
    const out = {};
    for (const s of services) {
      if (s.poll_type === 'manual' && s.current_status === 'unknown') continue;
      out[s.id] = {
        uptime_24h: uptimePct(s.id, Date.now() - DAY, Date.now()),
        uptime_7d: uptimePct(s.id, Date.now() - 7 * DAY, Date.now()),
        uptime_30d: uptimePct(s.id, Date.now() - 30 * DAY, Date.now()),
      };
    }
    return sendJson(res, 200, env({ services: out }));
  }
  if (p === '/api/services/sla/history') {
    const days = clampInt(q.get('days'), 1, 90, 30);
    return sendJson(res, 200, env(slaHistory(days), { days_requested: days }));
  }
  if (p === '/api/services/graph') {
    const nodes = [...services]
      .sort((a, b) => a.display_name.localeCompare(b.display_name))
      .map((s) => ({ id: s.id, name: s.display_name, category: s.category, status: s.current_status, downstream_count: deps.filter((d) => d.upstream === s.id).length }));
    const links = deps.map((d) => ({ source: d.upstream, target: d.downstream, severity: d.severity, impact: d.impact }));
    return sendJson(res, 200, env({ nodes, links }));
  }
  if (p === '/api/services/slo') {
    return sendJson(res, 200, env({ services: sloRows(), thresholds: { target_percent: 99.9, fast_threshold: 14.4, slow_threshold: 6.0 } }));
  }
  if (p.startsWith('/api/services/')) {
    const id = decodeURIComponent(p.slice('/api/services/'.length));
    const s = byId.get(id);
    if (!s) {
      return sendJson(res, 404, { detail: { data: null, error: { code: 'SERVICE_NOT_FOUND', message: `Service '${id}' not found` }, meta: null } });
    }
    const dep = (d, other) => ({
      service_id: other.id,
      service_name: other.display_name,
      impact_description: d.impact,
      severity: d.severity,
      current_status: other.current_status,
    });
    return sendJson(
      res,
      200,
      env({
        service: pick(serviceRow(s), ['id', 'display_name', 'category', 'current_status', 'current_status_detail', 'poll_type', 'status_page_url', 'last_polled_at', 'last_status_change_at', 'pending_status', 'pending_status_count', 'pending_status_since']),
        downstream_impacts: deps.filter((d) => d.upstream === id).map((d) => dep(d, byId.get(d.downstream))),
        upstream_dependencies: deps.filter((d) => d.downstream === id).map((d) => dep(d, byId.get(d.upstream))),
        recent_events: events.filter((e) => e.service_id === id).slice(-10).reverse(),
      }),
    );
  }
  if (p === '/api/timeline') {
    const limit = clampInt(q.get('limit'), 1, 200, 50);
    const sid = q.get('service_id');
    const rows = events.filter((e) => !sid || e.service_id === sid);
    return sendJson(res, 200, env({ events: rows.slice(-limit).reverse(), total: rows.length }, { limit, service_id_filter: sid }));
  }
  if (p === '/api/timeline/clustered') {
    const window = clampInt(q.get('window'), 60, 3600, 300);
    const limit = clampInt(q.get('limit'), 1, 500, 100);
    const cl = clusters(window, limit);
    return sendJson(res, 200, env({ clusters: cl, total_clusters: cl.length, total_events: cl.reduce((n, c) => n + c.event_count, 0) }, { window }));
  }
  if (p === '/api/maintenance') {
    const m = maintenances();
    return sendJson(res, 200, env({ maintenances: m, total: m.length }));
  }
  if (p === '/api/reports') {
    const sid = q.get('service_id');
    const limit = clampInt(q.get('limit'), 1, 100, 20);
    const rows = reports.filter((r) => !sid || r.service_id === sid).slice(0, limit);
    return sendJson(res, 200, env({ reports: rows, total: rows.length }, { service_id_filter: sid }));
  }
  if (p === '/api/alerts') {
    const sid = q.get('service_id');
    let rows = alertsFor(sid);
    if (q.get('kind')) rows = rows.filter((r) => r.alert_kind === q.get('kind'));
    if (q.get('suppressed') === 'true') rows = rows.filter((r) => r.suppressed_by);
    if (q.get('suppressed') === 'false') rows = rows.filter((r) => !r.suppressed_by);
    const cursor = clampInt(q.get('cursor'), 0, 1e9, 0);
    const page = rows.slice(cursor, cursor + 5);
    const next = cursor + 5 < rows.length ? String(cursor + 5) : null;
    return sendJson(res, 200, env({ alerts: page }, { next_cursor: next }));
  }
  if (p === '/api/stream') {
    if (!state.sse) return notFound(res, 'stream disabled');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    res.write(`event: summary\ndata: ${JSON.stringify(summaryData())}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  return notFound(res, `Unknown API path ${p}`);
}

async function control(req, res, url) {
  const p = url.pathname;
  if (p === '/control/state') return sendJson(res, 200, { ...state, streams: streams.size });
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
  let body = await readBody(req);
  // fakevendor's control call, as t/web.sh drives it: a Statuspage page for
  // /sp/<service>.json swapped to a file; the page indicator gives the status.
  if (p === '/_control/payload') {
    const m = /^\/sp\/([^/]+)\.json$/.exec(body.path ?? '');
    let page = null;
    try {
      page = JSON.parse(readFileSync(body.file, 'utf8'));
    } catch {
      return sendJson(res, 400, { error: 'cannot read file' });
    }
    const map = { none: 'operational', minor: 'degraded', major: 'partial_outage', critical: 'major_outage' };
    const st = map[page?.status?.indicator];
    if (!m || !st) return sendJson(res, 400, { error: 'need {path: /sp/<id>.json, file: statuspage summary}' });
    body = { service: m[1], status: st, detail: page.status.description };
  }
  if (p === '/control/status' || p === '/_control/payload') {
    const s = byId.get(body.service);
    const st = body.status;
    if (!s || !['operational', 'degraded', 'partial_outage', 'major_outage', 'unknown'].includes(st)) {
      return sendJson(res, 400, { error: 'need {service, status}' });
    }
    const prev = s.current_status;
    s.current_status = st;
    s.current_status_detail = body.detail ?? s.current_status_detail;
    s.last_status_change_at = iso(Date.now());
    s.pending_status = null;
    s.pending_status_count = 0;
    const ev = addEvent(s.id, prev, st, Date.now(), { vendor_title: body.detail ?? null });
    if (!state.stalled) state.lastPollAt = Date.now();
    push('status', ev, ev.id);
    push('summary', summaryData());
    return sendJson(res, 200, { ok: true, event: ev });
  }
  if (p === '/control/stall') {
    state.stalled = !!body.stalled;
    return sendJson(res, 200, { ok: true, stalled: state.stalled });
  }
  if (p === '/control/sse') {
    state.sse = body.enabled !== false;
    if (!state.sse) for (const r of streams) r.destroy();
    return sendJson(res, 200, { ok: true, sse: state.sse });
  }
  return sendJson(res, 404, { error: 'unknown control' });
}

function staticFile(req, res, url) {
  let p = decodeURIComponent(url.pathname);
  if (p === '/') p = '/index.html';
  const file = normalize(join(DIST, p));
  if (!file.startsWith(DIST)) return notFound(res);
  let target = file;
  if (!existsSync(target) || statSync(target).isDirectory()) {
    // SPA fallback only for page routes, never for files with an extension.
    if (extname(p)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    target = join(DIST, 'index.html');
  }
  if (!existsSync(target)) {
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    return res.end('web/dist not built: run npm run build');
  }
  const ext = extname(target);
  const cache = target.endsWith('sw.js') || ext === '.html' ? 'no-store' : p.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' });
  res.end(readFileSync(target));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  try {
    if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
      if (req.method !== 'GET') return sendJson(res, 405, { data: null, error: { code: 'METHOD', message: 'GET only' }, meta: null });
      return api(req, res, url);
    }
    if (url.pathname.startsWith('/control/') || url.pathname === '/_control/payload') return void control(req, res, url);
    return staticFile(req, res, url);
  } catch (e) {
    sendJson(res, 500, { data: null, error: { code: 'MOCK', message: String(e) }, meta: null });
  }
});

// Simulated poll cycle: every 10 s the server "polls" and pushes a summary.
const ticker = setInterval(() => {
  if (!state.stalled) state.lastPollAt = Date.now();
  push('summary', summaryData());
}, 10_000);
ticker.unref();

server.listen(PORT, HOST, () => {
  const addr = server.address();
  console.log(`mock-api listening on http://${HOST}:${addr.port} (dist ${DIST})`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref());
