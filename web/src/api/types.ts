// The dashboard's view of apid's responses. Every shape comes from the
// contract, apid/openapi.json, through the generated ./openapi.d.ts
// (doc/design.md#api-contract); nothing here lists a field's type again.
// What this file adds is what src/api/parse.ts makes of a hostile response:
//   - OrNull: fields the parser sets to null when they are missing or wrong
//     (the contract says they are always there);
//   - With: fields read as something narrower or wider than the wire type
//     (parsed rows, a string read as a status, a label shown as any text);
//   - Omit/Pick: wire fields the UI does not read.
// A field the contract drops or renames therefore fails `tsc` here.
import type { AlertKind, OutboxState, PollerHealth, Status, Suppression, Tier, EdgeSeverity, MaintenanceState, EventKind } from '../lib/vocab';
import type { components } from './openapi';

type W = components['schemas'];

/** T with the fields K allowed to be null. */
type OrNull<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] | null };
/** T with some of its own fields (no others) typed as parse.ts hands them over. */
type With<T, U extends { [K in keyof U]: K extends keyof T ? unknown : never }> = Omit<T, keyof U> & U;

/** Compiles only when the contract's enum A and the vocabulary's union B hold the same words
 * (t/check_vocab.c checks the document against common/vocab.def; this checks the UI's use). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
export type ContractUsesVocabulary = [
  Check<Same<W['Status'], Status>>,
  Check<Same<W['PollerHealth'], PollerHealth>>,
  Check<Same<W['Severity'], EdgeSeverity>>,
  Check<Same<W['Service']['tier'], Tier>>,
  Check<Same<W['SloRow']['tier'], Tier>>,
  Check<Same<W['Delivery']['state'], OutboxState>>,
  Check<Same<W['Maintenance']['status'], MaintenanceState>>,
  Check<Same<W['ClusterEvent']['kind'], EventKind>>,
  Check<Same<W['AlertRow']['alert_kind'], AlertKind>>,
  Check<Same<NonNullable<W['AlertRow']['suppressed_by']>, Suppression>>,
];

type DriftField = 'drift_note' | 'drift_first_seen_at' | 'drift_last_seen_at';
/** A service. The drift fields are optional: a partial row (stream frames, tests) may lack them. */
export type Service = OrNull<
  Omit<W['Service'], 'status_source' | 'current_incident_title' | 'effective_reason' | DriftField>,
  'effective_status' | 'poll_type' | 'poller_health' | 'tier'
> &
  Partial<Pick<W['Service'], DriftField>>;

/** `partial`: only the first page of the list, kept while the whole list
 * loads (doc/scale.md#dashboard); `total` still counts every service. */
export type ServicesList = With<Pick<W['ServicesList'], 'services' | 'total'>, { services: Service[] }> & { partial?: true };

/** A timeline event; kind and the health pair come from the clustered timeline's rows. */
export type StatusEvent = OrNull<Omit<W['Event'], 'vendor_incident_id'>, 'source' | 'created_at'> &
  With<
    Pick<W['ClusterEvent'], 'kind' | 'previous_health' | 'new_health'>,
    { previous_health: PollerHealth | null; new_health: PollerHealth | null }
  >;

export type Dep = Omit<W['Dep'], 'effective_status'>;

export type ServiceDetail = With<
  W['ServiceDetail'],
  {
    service: Partial<Service> & Pick<Service, 'id'>;
    downstream_impacts: Dep[];
    upstream_dependencies: Dep[];
    recent_events: StatusEvent[];
  }
>;

export type Maintenance = OrNull<Omit<W['Maintenance'], 'source' | 'created_by'>, 'scheduled_for'>;

export type ActiveIncident = With<
  W['ActiveIncident'],
  { service: Partial<Service> & Pick<Service, 'id' | 'display_name' | 'current_status'> }
>;

export type Summary = With<
  Omit<W['Summary'], 'status_reason'>,
  { active_incidents: ActiveIncident[]; upcoming_maintenances: Maintenance[]; recent_maintenances: Maintenance[] }
>;

export type Coverage = W['Coverage'];
export type CoverageRule = W['CoverageRule'];

/** /api/services/uptime; a day whose status is not a known one reads as unknown. */
export type Uptime = With<Omit<W['Uptime'], 'tracked_seconds'>, { services: Record<string, Record<string, Status>> }> & {
  /** the wire's tracked_seconds */
  tracked: W['Uptime']['tracked_seconds'];
};

export type SlaFigures = With<
  W['SlaFigures'],
  { coverage: { [K in keyof W['SlaFigures']['coverage']]: Coverage | null } }
>;

export type Sla = With<Omit<W['Sla'], 'coverage_rule'>, { services: Record<string, SlaFigures> }> & {
  /** the wire's coverage_rule */
  rule: CoverageRule | null;
};

export type SlaDay = OrNull<W['SlaDay'], 'tracked_seconds' | 'window_seconds' | 'maintenance_seconds'>;

export type SlaHistory = With<Omit<W['SlaHistory'], 'coverage_rule'>, { services: Record<string, SlaDay[]> }>;

/** What a tile shows of one service, carried beside its row in a stream `services` delta
 * (doc/scale.md#sse): the wire's RowFigures under the names the store's Uptime and Sla use. */
export type RowFigures = {
  /** its entry of Uptime.services: worst status per day seen (7 days) */
  byDay: Uptime['services'][string];
  /** its entry of Uptime.tracked */
  tracked: Uptime['tracked'][string];
  sla: SlaFigures | null;
};

/** A stream `services` frame (the wire's ServicesDelta): changed rows, their figures by id. */
export type ServicesDelta = Pick<W['ServicesDelta'], 'removed'> & {
  services: Service[];
  figures: Record<string, RowFigures>;
};

export type GraphNode = Omit<W['GraphNode'], 'current_status' | 'poller_health'>;
export type GraphLink = W['GraphLink'];
export type Graph = With<W['Graph'], { nodes: GraphNode[] }>;

/** Window labels are shown as the server sends them. */
export type Breach = With<W['Breach'], { long_window_label: string; short_window_label: string }>;

export type SloRow = With<
  OrNull<Omit<W['SloRow'], 'effective_status' | 'burn_rates' | 'burn_coverage'>, 'tier' | 'poller_health' | 'coverage_30d'>,
  { fast_breach: Breach | null; slow_breach: Breach | null }
>;

export type Slo = With<Omit<W['Slo'], 'coverage_rule'>, { services: SloRow[] }> & {
  /** the wire's coverage_rule */
  rule: CoverageRule | null;
};

export type Cluster = With<OrNull<W['Cluster'], 'started_at' | 'ended_at'>, { events: StatusEvent[] }>;
export type Clustered = With<W['Clustered'], { clusters: Cluster[] }>;

/** An incident report; a peak that is not a status reads as unknown. */
export type Report = With<
  OrNull<W['Report'], 'started_at' | 'resolved_at' | 'duration_seconds' | 'created_at' | 'duration_human'>,
  { peak_severity: Status }
>;
export type Reports = With<W['Reports'], { reports: Report[] }>;

export type Delivery = OrNull<
  Pick<W['Delivery'], 'destination' | 'state' | 'attempts' | 'last_http_status' | 'last_error' | 'sent_at'>,
  'state'
>;

export type AlertRow = With<
  OrNull<
    Omit<
      W['AlertRow'],
      'service_name' | 'previous_status' | 'aggregated_under' | 'decision' | 'slack_channel' | 'last_updated_at' | 'resolved_at'
    >,
    'severity' | 'dedup_key' | 'first_sent_at'
  >,
  { deliveries: Delivery[] }
>;
export type Alerts = With<W['Alerts'], { alerts: AlertRow[] }>;

/** The parts of /api/health the staleness chip reads; pollerd_stale is also true when
 * stale_daemons names pollerd, and a late-after of 0 or less reads as null. */
export type Health = OrNull<
  Pick<W['Health'], 'pollerd_stale' | 'poll_interval_seconds' | 'poll_late_after_seconds' | 'last_poll_at'>,
  'poll_interval_seconds' | 'poll_late_after_seconds'
>;
