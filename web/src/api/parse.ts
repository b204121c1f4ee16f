// Defensive parsing of apid responses. Nothing here throws: a missing field
// becomes null / 0 / [] and a row without an id is dropped, so bad data from
// the server can never crash a view. Unknown statuses become `unknown`; a
// word outside its vocabulary set (tier, poller health, delivery state...)
// becomes null. The result types are the contract's (./types.ts, generated
// from apid/openapi.json), so `tsc` fails here when the contract changes.
import { asEdgeSeverity, asStatus, isStatus, type Status } from '../lib/status';
import { ALERT_KINDS, MAINTENANCE_STATES, OUTBOX_STATES, POLLER_HEALTHS, SUPPRESSIONS, TIERS } from '../lib/vocab';
import type {
  ActiveIncident,
  AlertRow,
  Alerts,
  Breach,
  Cluster,
  Clustered,
  Coverage,
  CoverageRule,
  Delivery,
  Dep,
  Graph,
  GraphLink,
  Health,
  GraphNode,
  Maintenance,
  Report,
  Reports,
  Service,
  ServiceDetail,
  ServicesList,
  Sla,
  SlaFigures,
  SlaHistory,
  Slo,
  SloRow,
  StatusEvent,
  Summary,
  Uptime,
  ServicesDelta,
} from './types';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}
export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
export function int(v: unknown, dflt = 0): number {
  const n = num(v);
  return n === null ? dflt : Math.trunc(n);
}
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}
function statusOrNull(v: unknown): Status | null {
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  return isStatus(s) ? s : null;
}
/** v when it is a word of the vocabulary set `set` (lib/vocab.ts), else null. */
function word<T extends string>(set: readonly T[], v: unknown): T | null {
  return typeof v === 'string' && (set as readonly string[]).includes(v) ? (v as T) : null;
}
function health(v: unknown) {
  return word(POLLER_HEALTHS, v);
}
function strList(v: unknown): string[] {
  return arr(v)
    .map((x) => str(x))
    .filter((x): x is string => x !== null);
}
function mapRows<T>(v: unknown, f: (o: Obj) => T | null): T[] {
  const out: T[] = [];
  for (const x of arr(v)) {
    if (!isObj(x)) continue;
    const r = f(x);
    if (r !== null) out.push(r);
  }
  return out;
}

// Every field of the UI's Service once: tsc fails here when the contract adds or drops one.
const SERVICE_FIELDS: Record<keyof Service, true> = {
  id: true,
  display_name: true,
  category: true,
  current_status: true,
  current_status_detail: true,
  effective_status: true,
  poll_type: true,
  status_page_url: true,
  last_polled_at: true,
  last_status_change_at: true,
  consecutive_failures: true,
  last_success_at: true,
  last_failure_reason: true,
  poller_health: true,
  tier: true,
  pending_status: true,
  pending_status_count: true,
  pending_status_since: true,
  in_maintenance: true,
  drift_note: true,
  drift_first_seen_at: true,
  drift_last_seen_at: true,
};
const SERVICE_KEYS = Object.keys(SERVICE_FIELDS) as (keyof Service)[];

function serviceField(k: keyof Service, v: unknown): unknown {
  switch (k) {
    case 'current_status':
      return asStatus(v);
    case 'effective_status':
    case 'pending_status':
      return statusOrNull(v);
    case 'poller_health':
      return health(v);
    case 'tier':
      return word(TIERS, v);
    case 'consecutive_failures':
    case 'pending_status_count':
      return int(v);
    case 'in_maintenance':
      return bool(v);
    default:
      return str(v);
  }
}

/** Only the fields present in `o` (used to merge a partial row over a full one). */
export function parseServicePartial(o: Obj): Partial<Service> {
  const out: Record<string, unknown> = {};
  for (const k of SERVICE_KEYS) {
    if (k in o) out[k] = serviceField(k, o[k]);
  }
  return out as Partial<Service>;
}

export function parseService(o: Obj): Service | null {
  const id = str(o.id);
  if (!id) return null;
  const p = parseServicePartial(o);
  return {
    id,
    display_name: p.display_name || id,
    category: (p.category || 'other').toLowerCase(),
    current_status: p.current_status ?? 'unknown',
    current_status_detail: p.current_status_detail ?? null,
    effective_status: p.effective_status ?? null,
    poll_type: p.poll_type ?? null,
    status_page_url: p.status_page_url ?? null,
    last_polled_at: p.last_polled_at ?? null,
    last_status_change_at: p.last_status_change_at ?? null,
    consecutive_failures: p.consecutive_failures ?? 0,
    last_success_at: p.last_success_at ?? null,
    last_failure_reason: p.last_failure_reason ?? null,
    poller_health: p.poller_health ?? null,
    tier: p.tier ?? null,
    pending_status: p.pending_status ?? null,
    pending_status_count: p.pending_status_count ?? 0,
    pending_status_since: p.pending_status_since ?? null,
    in_maintenance: p.in_maintenance ?? false,
    drift_note: p.drift_note ?? null,
    drift_first_seen_at: p.drift_first_seen_at ?? null,
    drift_last_seen_at: p.drift_last_seen_at ?? null,
  };
}

export function parseServices(data: unknown): ServicesList {
  const d = obj(data);
  // Tolerate a bare array as well as the seed's {services: [...]}.
  const rows = Array.isArray(data) ? data : d.services;
  const services = mapRows(rows, parseService);
  return { services, total: int(d.total, services.length) };
}

/** A stream `services` frame: changed rows and retired ids (doc/scale.md#sse). */
export function parseServicesDelta(data: unknown): ServicesDelta {
  const d = obj(data);
  const removed = Array.isArray(d.removed) ? d.removed.filter((x): x is string => typeof x === 'string') : [];
  const services = mapRows(d.services, parseService);
  // Each row's figures (day squares, uptime), parsed as the list endpoints'
  // entries are; a row without them leaves its tile's figures to a refetch.
  const figures: ServicesDelta['figures'] = {};
  for (const row of Array.isArray(d.services) ? d.services : []) {
    const id = str(obj(row).id);
    const f = obj(obj(row).figures);
    if (!id || !isObj(obj(row).figures)) continue;
    const u = parseUptime({ services: { [id]: f.uptime }, tracked_seconds: { [id]: f.tracked_seconds } });
    figures[id] = {
      byDay: u.services[id] ?? {},
      tracked: u.tracked[id] ?? {},
      sla: isObj(f.sla) ? (parseSla({ services: { [id]: f.sla } }).services[id] ?? null) : null,
    };
  }
  return { services, figures, removed };
}

export function parseEvent(o: Obj): StatusEvent | null {
  const id = num(o.id);
  const service_id = str(o.service_id);
  if (id === null || !service_id) return null;
  return {
    id,
    service_id,
    service_name: str(o.service_name) || service_id,
    previous_status: asStatus(o.previous_status),
    new_status: asStatus(o.new_status),
    vendor_title: str(o.vendor_title),
    vendor_detail: str(o.vendor_detail),
    impact_statement: str(o.impact_statement),
    source: str(o.source),
    created_at: str(o.created_at),
    kind: o.kind === 'health' ? 'health' : 'status',
    is_baseline: bool(o.is_baseline),
    in_maintenance: bool(o.in_maintenance),
    previous_health: health(o.previous_health),
    new_health: health(o.new_health),
  };
}

function parseDep(o: Obj): Dep | null {
  const service_id = str(o.service_id);
  if (!service_id) return null;
  return {
    service_id,
    service_name: str(o.service_name) || service_id,
    impact_description: str(o.impact_description) || '',
    severity: asEdgeSeverity(o.severity),
    current_status: asStatus(o.current_status),
  };
}

export function parseServiceDetail(data: unknown, fallbackId: string): ServiceDetail {
  const d = obj(data);
  const svc = parseServicePartial(obj(d.service));
  return {
    service: { ...svc, id: svc.id || fallbackId },
    downstream_impacts: mapRows(d.downstream_impacts, parseDep),
    upstream_dependencies: mapRows(d.upstream_dependencies, parseDep),
    recent_events: mapRows(d.recent_events, parseEvent),
  };
}

function parseMaintenance(o: Obj): Maintenance | null {
  const service_id = str(o.service_id);
  if (!service_id) return null;
  return {
    id: int(o.id),
    service_id,
    service_name: str(o.service_name) || service_id,
    title: str(o.title) || 'Scheduled maintenance',
    description: str(o.description),
    scheduled_for: str(o.scheduled_for),
    scheduled_until: str(o.scheduled_until),
    status: word(MAINTENANCE_STATES, o.status) ?? 'scheduled',
  };
}

function parseIncident(o: Obj): ActiveIncident | null {
  const s = obj(o.service);
  const id = str(s.id);
  if (!id) return null;
  const p = parseServicePartial(s);
  const name = p.display_name || id;
  const status = p.current_status ?? 'unknown';
  return {
    service: { ...p, id, display_name: name, current_status: status },
    impact_statement: str(o.impact_statement) || `${name} status: ${status}`,
    affected_services: strList(o.affected_services),
    started_at: str(o.started_at) ?? p.last_status_change_at ?? null,
  };
}

export function parseSummary(data: unknown, meta?: unknown): Summary {
  const d = obj(data);
  const m = obj(meta);
  return {
    overall_status: asStatus(d.overall_status),
    status_text: str(d.status_text) || '',
    active_incidents: mapRows(d.active_incidents, parseIncident),
    active_incidents_total: int(d.active_incidents_total, Array.isArray(d.active_incidents) ? d.active_incidents.length : 0),
    upcoming_maintenances: mapRows(d.upcoming_maintenances, parseMaintenance),
    total_services: int(d.total_services),
    healthy_count: int(d.healthy_count),
    degraded_count: int(d.degraded_count),
    outage_count: int(d.outage_count),
    unknown_count: int(d.unknown_count),
    maintenance_count: int(d.maintenance_count),
    recent_maintenances: mapRows(d.recent_maintenances, parseMaintenance),
    last_poll_at: str(d.last_poll_at) ?? str(m.last_poll_at),
  };
}

export function parseMaintenances(data: unknown): Maintenance[] {
  return mapRows(obj(data).maintenances, parseMaintenance);
}

function sinceMap(v: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [id, t] of Object.entries(obj(v))) out[id] = str(t);
  return out;
}

export function parseCoverage(v: unknown): Coverage | null {
  if (!isObj(v)) return null;
  const tracked = num(v.tracked_seconds);
  const window = num(v.window_seconds);
  if (tracked === null || window === null) return null;
  return {
    tracked_seconds: Math.max(0, tracked),
    window_seconds: Math.max(0, window),
    maintenance_seconds: Math.max(0, num(v.maintenance_seconds) ?? 0),
    monitoring_since: str(v.monitoring_since),
  };
}

export function parseRule(v: unknown): CoverageRule | null {
  if (!isObj(v)) return null;
  return {
    min_coverage_percent: num(v.min_coverage_percent) ?? 10,
    burn_min_coverage_percent: num(v.burn_min_coverage_percent) ?? 90,
    count_maintenance: bool(v.count_maintenance),
  };
}

export function parseUptime(data: unknown): Uptime {
  const d = obj(data);
  const services: Uptime['services'] = {};
  for (const [id, days] of Object.entries(obj(d.services))) {
    const row: Record<string, Status> = {};
    for (const [day, s] of Object.entries(obj(days))) row[day] = asStatus(s);
    services[id] = row;
  }
  const tracked: Uptime['tracked'] = {};
  for (const [id, days] of Object.entries(obj(d.tracked_seconds))) {
    const row: Record<string, number> = {};
    for (const [day, v] of Object.entries(obj(days))) {
      const n = num(v);
      if (n !== null) row[day] = Math.max(0, n);
    }
    tracked[id] = row;
  }
  return { days: strList(d.days), services, tracked, monitoring_since: sinceMap(d.monitoring_since) };
}

function pct(v: unknown): number | null {
  const n = num(v);
  return n === null ? null : Math.max(0, Math.min(100, n));
}

export function parseSla(data: unknown): Sla {
  const services: Record<string, SlaFigures> = {};
  for (const [id, v] of Object.entries(obj(obj(data).services))) {
    const o = obj(v);
    const c = obj(o.coverage);
    services[id] = {
      uptime_24h: pct(o.uptime_24h),
      uptime_7d: pct(o.uptime_7d),
      uptime_30d: pct(o.uptime_30d),
      monitoring_since: str(o.monitoring_since),
      coverage: { '24h': parseCoverage(c['24h']), '7d': parseCoverage(c['7d']), '30d': parseCoverage(c['30d']) },
    };
  }
  return { services, rule: parseRule(obj(data).coverage_rule) };
}

export function parseSlaHistory(data: unknown): SlaHistory {
  const d = obj(data);
  const services: SlaHistory['services'] = {};
  for (const [id, rows] of Object.entries(obj(d.services))) {
    services[id] = mapRows(rows, (o) => {
      const date = str(o.date);
      if (!date) return null;
      const tracked = num(o.tracked_seconds);
      return {
        date,
        uptime: pct(o.uptime),
        tracked_seconds: tracked === null ? null : Math.max(0, tracked),
        window_seconds: num(o.window_seconds),
        maintenance_seconds: num(o.maintenance_seconds),
      };
    });
  }
  const out: SlaHistory = { days: strList(d.days), services, monitoring_since: sinceMap(d.monitoring_since) };
  // Only with ?worst=N (doc/scale.md#lists): the daily mean over every service.
  if (Array.isArray(d.aggregate)) {
    out.aggregate = mapRows(d.aggregate, (o) => {
      const date = str(o.date);
      return date ? { date, mean_uptime: pct(o.mean_uptime), services: int(o.services) } : null;
    });
    out.services_total = Math.max(Object.keys(services).length, int(d.services_total));
  }
  return out;
}

export function parseGraph(data: unknown): Graph {
  const d = obj(data);
  const nodes = mapRows<GraphNode>(d.nodes, (o) => {
    const id = str(o.id);
    if (!id) return null;
    return {
      id,
      name: str(o.name) || str(o.display_name) || id,
      category: (str(o.category) || 'other').toLowerCase(),
      status: asStatus(o.status ?? o.current_status),
      downstream_count: int(o.downstream_count),
    };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const links = mapRows<GraphLink>(d.links, (o) => {
    const source = str(o.source);
    const target = str(o.target);
    if (!source || !target || !ids.has(source) || !ids.has(target)) return null;
    return { source, target, severity: asEdgeSeverity(o.severity), impact: str(o.impact) || '' };
  });
  return { nodes, links };
}

function parseBreach(v: unknown): Breach | null {
  if (!isObj(v)) return null;
  return {
    long_window_burn_rate: num(v.long_window_burn_rate) ?? 0,
    short_window_burn_rate: num(v.short_window_burn_rate) ?? 0,
    long_window_label: str(v.long_window_label) || '',
    short_window_label: str(v.short_window_label) || '',
  };
}

export function parseSlo(data: unknown): Slo {
  const d = obj(data);
  const t = obj(d.thresholds);
  const services = mapRows<SloRow>(d.services, (o) => {
    const id = str(o.id);
    if (!id) return null;
    return {
      id,
      display_name: str(o.display_name) || id,
      category: (str(o.category) || 'other').toLowerCase(),
      tier: word(TIERS, o.tier),
      current_status: asStatus(o.current_status),
      poller_health: health(o.poller_health),
      in_maintenance: bool(o.in_maintenance),
      uptime_30d_pct: pct(o.uptime_30d_pct),
      error_budget_remaining_pct: pct(o.error_budget_remaining_pct),
      monitoring_since: str(o.monitoring_since),
      coverage_30d: parseCoverage(o.coverage_30d),
      fast_burning: bool(o.fast_burning),
      slow_burning: bool(o.slow_burning),
      fast_breach: parseBreach(o.fast_breach),
      slow_breach: parseBreach(o.slow_breach),
    };
  });
  const out: Slo = {
    services,
    rule: parseRule(d.coverage_rule),
    thresholds: {
      target_percent: num(t.target_percent) ?? 99.9,
      fast_threshold: num(t.fast_threshold) ?? 14.4,
      slow_threshold: num(t.slow_threshold) ?? 6,
    },
  };
  // Only with ?worst=N (doc/scale.md#lists).
  const total = num(d.services_total);
  if (total !== null) {
    out.services_total = Math.max(services.length, total);
    out.fast_burning_count = int(d.fast_burning_count);
    out.slow_burning_count = int(d.slow_burning_count);
  }
  return out;
}

export function parseClustered(data: unknown): Clustered {
  const d = obj(data);
  const clusters = mapRows<Cluster>(d.clusters, (o) => {
    const events = mapRows(o.events, parseEvent);
    const rc = obj(o.root_cause);
    const rcId = str(rc.id);
    return {
      root_cause: rcId ? { id: rcId, name: str(rc.name) || rcId } : null,
      severity: asStatus(o.severity),
      started_at: str(o.started_at),
      ended_at: str(o.ended_at),
      service_count: int(o.service_count, new Set(events.map((e) => e.service_id)).size),
      event_count: int(o.event_count, events.length),
      events,
    };
  });
  return {
    clusters,
    total_clusters: int(d.total_clusters, clusters.length),
    total_events: int(
      d.total_events,
      clusters.reduce((n, c) => n + c.event_count, 0),
    ),
  };
}

export function parseTimeline(data: unknown): { events: StatusEvent[]; total: number } {
  const d = obj(data);
  const events = mapRows(d.events, parseEvent);
  return { events, total: int(d.total, events.length) };
}

export function parseReports(data: unknown): Reports {
  const d = obj(data);
  const reports = mapRows<Report>(d.reports, (o) => {
    const service_id = str(o.service_id);
    if (!service_id) return null;
    return {
      id: int(o.id),
      service_id,
      service_name: str(o.service_name) || service_id,
      started_at: str(o.started_at),
      resolved_at: str(o.resolved_at),
      duration_seconds: num(o.duration_seconds),
      peak_severity: asStatus(o.peak_severity),
      affected_downstream: strList(o.affected_downstream),
      event_count: int(o.event_count),
      impact_summary: str(o.impact_summary),
      created_at: str(o.created_at),
      duration_human: str(o.duration_human),
    };
  });
  return { reports, total: int(d.total, reports.length) };
}

function parseDelivery(o: Obj): Delivery | null {
  return {
    destination: str(o.destination) || 'unknown',
    state: word(OUTBOX_STATES, o.state),
    attempts: int(o.attempts),
    last_http_status: num(o.last_http_status),
    last_error: str(o.last_error),
    sent_at: str(o.sent_at),
  };
}

export function parseAlerts(data: unknown, meta?: unknown): Alerts {
  const d = obj(data);
  const rows = Array.isArray(data) ? data : (d.alerts ?? d.items ?? d.rows);
  const alerts = mapRows<AlertRow>(rows, (o) => {
    const id = num(o.id);
    const service_id = str(o.service_id);
    if (id === null || !service_id) return null;
    return {
      id,
      service_id,
      status_event_id: num(o.status_event_id),
      alert_kind: word(ALERT_KINDS, o.alert_kind) ?? 'status_change',
      severity: str(o.severity),
      new_status: str(o.new_status) || 'unknown',
      suppressed_by: word(SUPPRESSIONS, o.suppressed_by),
      dedup_key: str(o.dedup_key),
      first_sent_at: str(o.first_sent_at),
      acknowledged_at: str(o.acknowledged_at),
      acknowledged_by: str(o.acknowledged_by),
      deliveries: mapRows(o.deliveries, parseDelivery),
    };
  });
  const m = obj(meta);
  return { alerts, next_cursor: str(m.next_cursor) ?? str(d.next_cursor) };
}

export function parseHealth(data: unknown): Health {
  const d = obj(data);
  const late = num(d.poll_late_after_seconds);
  return {
    pollerd_stale: bool(d.pollerd_stale) || strList(d.stale_daemons).includes('pollerd'),
    poll_interval_seconds: num(d.poll_interval_seconds),
    poll_late_after_seconds: late !== null && late > 0 ? late : null,
    last_poll_at: str(d.last_poll_at),
  };
}
