// One function per apid endpoint the dashboard reads.
import { getJson, type GetOptions } from './client';
import {
  parseAlerts,
  parseClustered,
  parseGraph,
  parseHealth,
  parseMaintenances,
  parseReports,
  parseServiceDetail,
  parseServices,
  parseSla,
  parseSlaHistory,
  parseSlo,
  parseSummary,
  parseTimeline,
  parseUptime,
} from './parse';

const q = (params: Record<string, string | number | boolean | null | undefined>): string => {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? '?' + s : '';
};

export const api = {
  // The 20 worst incidents, as the stream's summary frames carry (doc/scale.md#lists).
  summary: (o?: GetOptions) => getJson('/api/summary?worst=20', parseSummary, o),
  health: (o?: GetOptions) => getJson('/api/health', parseHealth, { ...o, bare: true }),
  services: (o?: GetOptions) => getJson('/api/services', parseServices, o),
  // One page of the list (doc/scale.md#lists): meta.next_cursor is null on the last.
  servicesPage: (p: { limit: number; status?: string }, o?: GetOptions) =>
    getJson('/api/services' + q(p), parseServices, o),
  service: (id: string, o?: GetOptions) =>
    getJson('/api/services/' + encodeURIComponent(id), (d) => parseServiceDetail(d, id), o),
  uptime: (o?: GetOptions) => getJson('/api/services/uptime', parseUptime, o),
  sla: (o?: GetOptions) => getJson('/api/services/sla', parseSla, o),
  // worst=N: the N worst services and the daily mean over all (aggregate);
  // service_id: that service only (the drawer's chart).
  slaHistory: (days = 30, p: { worst?: number; service_id?: string } = {}, o?: GetOptions) =>
    getJson('/api/services/sla/history' + q({ days, ...p }), parseSlaHistory, o),
  graph: (o?: GetOptions) => getJson('/api/services/graph', parseGraph, o),
  slo: (p: { worst?: number } = {}, o?: GetOptions) => getJson('/api/services/slo' + q(p), parseSlo, o),
  timeline: (limit = 50, serviceId?: string, o?: GetOptions) =>
    getJson('/api/timeline' + q({ limit, service_id: serviceId }), parseTimeline, o),
  clustered: (window = 300, limit = 100, o?: GetOptions) =>
    getJson('/api/timeline/clustered' + q({ window, limit }), parseClustered, o),
  maintenance: (o?: GetOptions) => getJson('/api/maintenance', parseMaintenances, o),
  reports: (serviceId: string, limit = 20, o?: GetOptions) =>
    getJson('/api/reports' + q({ service_id: serviceId, limit }), parseReports, o),
  alerts: (
    p: { service_id?: string; kind?: string; suppressed?: boolean; since?: string; cursor?: string | null },
    o?: GetOptions,
  ) => getJson('/api/alerts' + q(p), parseAlerts, o),
};
