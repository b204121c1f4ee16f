// Shapes of apid's responses (doc/compat.md#s5 plus itstatus additions), as
// the UI uses them after defensive parsing (src/api/parse.ts): every field has
// a type the UI can rely on, missing values are null, bad rows are dropped.
import type { EdgeSeverity, PollerHealth, Status } from '../lib/status';

export interface Service {
  id: string;
  display_name: string;
  category: string;
  current_status: Status;
  current_status_detail: string | null;
  /** Server-computed effective status, when apid sends it. */
  effective_status: Status | null;
  poll_type: string | null;
  status_page_url: string | null;
  last_polled_at: string | null;
  last_status_change_at: string | null;
  consecutive_failures: number;
  last_success_at: string | null;
  last_failure_reason: string | null;
  poller_health: PollerHealth | null;
  tier: string | null;
  pending_status: Status | null;
  pending_status_count: number;
  pending_status_since: string | null;
  in_maintenance: boolean;
  /** Latest vendor format drift notes, "; "-joined (doc/drift.md); null when never seen. */
  drift_note?: string | null;
  drift_first_seen_at?: string | null;
  drift_last_seen_at?: string | null;
}

export interface ServicesList {
  services: Service[];
  total: number;
}

export interface StatusEvent {
  id: number;
  service_id: string;
  service_name: string;
  previous_status: Status;
  new_status: Status;
  vendor_title: string | null;
  vendor_detail: string | null;
  impact_statement: string | null;
  source: string | null;
  created_at: string | null;
  /** 'health': a poller-health change (statuses are then meaningless). */
  kind: 'status' | 'health';
  /** The first reading of the service: monitoring started. */
  is_baseline: boolean;
  in_maintenance: boolean;
  previous_health: PollerHealth | null;
  new_health: PollerHealth | null;
}

export interface Dep {
  service_id: string;
  service_name: string;
  impact_description: string;
  severity: EdgeSeverity;
  current_status: Status;
}

export interface ServiceDetail {
  service: Partial<Service> & { id: string };
  downstream_impacts: Dep[];
  upstream_dependencies: Dep[];
  recent_events: StatusEvent[];
}

export interface Maintenance {
  id: number;
  service_id: string;
  service_name: string;
  title: string;
  description: string | null;
  scheduled_for: string | null;
  scheduled_until: string | null;
  status: string;
}

export interface ActiveIncident {
  service: Partial<Service> & { id: string; display_name: string; current_status: Status };
  impact_statement: string;
  affected_services: string[];
  started_at: string | null;
}

export interface Summary {
  overall_status: Status;
  status_text: string;
  active_incidents: ActiveIncident[];
  /** All active incidents; active_incidents may hold only the worst of them (?worst=, stream frames). */
  active_incidents_total?: number;
  upcoming_maintenances: Maintenance[];
  total_services: number;
  healthy_count: number;
  degraded_count: number;
  outage_count: number;
  unknown_count: number;
  /** Services in planned maintenance (not incidents). */
  maintenance_count: number;
  /** Windows completed in the last 7 days, newest first. */
  recent_maintenances: Maintenance[];
  /** The server's newest poll time (data.last_poll_at or meta.last_poll_at). */
  last_poll_at: string | null;
}

/** What a figure stands on (doc/coverage.md): seconds of the window with a known status. */
export interface Coverage {
  tracked_seconds: number;
  window_seconds: number;
  maintenance_seconds: number;
  monitoring_since: string | null;
}

/** The server's coverage rule (UPTIME_MIN_COVERAGE_PERCENT...). */
export interface CoverageRule {
  min_coverage_percent: number;
  burn_min_coverage_percent: number;
  count_maintenance: boolean;
}

export interface Uptime {
  days: string[];
  /** Worst status per day; a day absent was not seen at all ("no data"). */
  services: Record<string, Record<string, Status>>;
  /** Seconds with a known status per service and day (absent: no data). */
  tracked: Record<string, Record<string, number>>;
  monitoring_since: Record<string, string | null>;
}

export interface SlaFigures {
  uptime_24h: number | null;
  uptime_7d: number | null;
  uptime_30d: number | null;
  monitoring_since: string | null;
  coverage: { '24h': Coverage | null; '7d': Coverage | null; '30d': Coverage | null };
}

export interface Sla {
  services: Record<string, SlaFigures>;
  rule: CoverageRule | null;
}

/** What a tile shows of one service, carried beside its row in a stream
 * `services` delta (doc/scale.md#sse), so no list of every service is refetched. */
export interface RowFigures {
  /** Its entry of Uptime.services: worst status per day seen (7 days). */
  byDay: Record<string, Status>;
  /** Its entry of Uptime.tracked. */
  tracked: Record<string, number>;
  /** Its entry of Sla.services. */
  sla: SlaFigures | null;
}

/** A stream `services` frame: changed rows, their figures by id, removed ids. */
export interface ServicesDelta {
  services: Service[];
  figures: Record<string, RowFigures>;
  removed: string[];
}

export interface SlaHistoryAggregateDay {
  date: string;
  /** Mean daily uptime over every service seen that day. */
  mean_uptime: number | null;
  services: number;
}

export interface SlaDay {
  date: string;
  uptime: number | null;
  /** null when the server did not say. */
  tracked_seconds: number | null;
  window_seconds: number | null;
  maintenance_seconds: number | null;
}

export interface SlaHistory {
  days: string[];
  services: Record<string, SlaDay[]>;
  monitoring_since: Record<string, string | null>;
  /** With ?worst=N: the daily mean over every service, and how many there are. */
  aggregate?: SlaHistoryAggregateDay[];
  services_total?: number;
}

export interface GraphNode {
  id: string;
  name: string;
  category: string;
  status: Status;
  downstream_count: number;
}

export interface GraphLink {
  source: string;
  target: string;
  severity: EdgeSeverity;
  impact: string;
}

export interface Graph {
  nodes: GraphNode[];
  links: GraphLink[];
}

export interface Breach {
  long_window_burn_rate: number;
  short_window_burn_rate: number;
  long_window_label: string;
  short_window_label: string;
}

export interface SloRow {
  id: string;
  display_name: string;
  category: string;
  tier: string | null;
  current_status: Status;
  poller_health: PollerHealth | null;
  in_maintenance: boolean;
  uptime_30d_pct: number | null;
  /** null while the 30 days are not covered enough. */
  error_budget_remaining_pct: number | null;
  monitoring_since: string | null;
  coverage_30d: Coverage | null;
  fast_burning: boolean;
  slow_burning: boolean;
  fast_breach: Breach | null;
  slow_breach: Breach | null;
}

export interface Slo {
  services: SloRow[];
  /** With ?worst=N: every service's count, and the burning ones among them. */
  services_total?: number;
  fast_burning_count?: number;
  slow_burning_count?: number;
  rule: CoverageRule | null;
  thresholds: { target_percent: number; fast_threshold: number; slow_threshold: number };
}

export interface Cluster {
  root_cause: { id: string; name: string } | null;
  severity: Status;
  started_at: string | null;
  ended_at: string | null;
  service_count: number;
  event_count: number;
  events: StatusEvent[];
}

export interface Clustered {
  clusters: Cluster[];
  total_clusters: number;
  total_events: number;
}

export interface Report {
  id: number;
  service_id: string;
  service_name: string;
  started_at: string | null;
  resolved_at: string | null;
  duration_seconds: number | null;
  peak_severity: Status;
  affected_downstream: string[];
  event_count: number;
  impact_summary: string | null;
  created_at: string | null;
  duration_human: string | null;
}

export interface Reports {
  reports: Report[];
  total: number;
}

export interface Delivery {
  destination: string;
  state: string;
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  sent_at: string | null;
}

export interface AlertRow {
  id: number;
  service_id: string;
  status_event_id: number | null;
  alert_kind: string;
  severity: string | null;
  new_status: string;
  suppressed_by: string | null;
  dedup_key: string | null;
  first_sent_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  deliveries: Delivery[];
}

export interface Alerts {
  alerts: AlertRow[];
  next_cursor: string | null;
}

/** The parts of /api/health the staleness chip reads. */
export interface Health {
  /** pollerd is stale as /healthz sees it. */
  pollerd_stale: boolean;
  poll_interval_seconds: number | null;
  /** The last poll is late beyond this age (two intervals plus a cycle). */
  poll_late_after_seconds: number | null;
  last_poll_at: string | null;
}
