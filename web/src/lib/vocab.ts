// Generated from common/vocab.def by mk/vocab_ts.c (`make` rewrites it): do not
// edit. doc/vocabulary.md says how to change a word.

export const STATUSES = ['operational', 'degraded', 'partial_outage', 'major_outage', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

export const POLLER_HEALTHS = ['healthy', 'degraded', 'broken'] as const;
export type PollerHealth = (typeof POLLER_HEALTHS)[number];

export const TIERS = ['critical', 'important', 'informational'] as const;
export type Tier = (typeof TIERS)[number];

export const EDGE_SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;
export type EdgeSeverity = (typeof EDGE_SEVERITY_ORDER)[number];

export const CATEGORIES = ['identity', 'productivity', 'collaboration', 'engineering', 'hr', 'finance', 'sales', 'marketing', 'networking', 'support', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const STATUS_SOURCES = ['poll', 'manual', 'webhook', 'demo'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export const EVENT_KINDS = ['status', 'health'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const MAINTENANCE_SOURCES = ['vendor', 'local'] as const;
export type MaintenanceSource = (typeof MAINTENANCE_SOURCES)[number];

export const MAINTENANCE_STATES = ['scheduled', 'in_progress', 'verifying', 'completed', 'cancelled'] as const;
export type MaintenanceState = (typeof MAINTENANCE_STATES)[number];

export const INBOX_KINDS = ['manual_status', 'webhook_statuspage', 'slack_ack', 'maintenance_create', 'maintenance_cancel'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

export const INBOX_STATES = ['pending', 'applied', 'rejected'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export const DAEMONS = ['pollerd', 'alertd', 'apid'] as const;
export type Daemon = (typeof DAEMONS)[number];

export const ALERT_KINDS = ['status_change', 'aggregated_upstream', 'poller_health', 'slo_burn_rate', 'daemon_health', 'batch'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SUPPRESSIONS = ['aggregated_under_upstream', 'maintenance_window', 'dedup', 'tier_informational', 'webhook_not_configured', 'baseline', 'recovery_not_announced', 'batched', 'covered_by_status_alert', 'covered_by_burn_alert'] as const;
export type Suppression = (typeof SUPPRESSIONS)[number];

export const DESTINATION_KINDS = ['slack', 'webhook', 'teams', 'pagerduty', 'slack_response'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const DAEMON_STATES = ['stale', 'recovered'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

export const METRIC_TYPES = ['counter', 'gauge', 'histogram'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const ROLLUP_BUCKETS = ['hour', 'day'] as const;
export type RollupBucket = (typeof ROLLUP_BUCKETS)[number];

export const FAILURE_KINDS = ['http_4xx', 'http_5xx', 'timeout', 'too_large', 'request_error', 'circuit_open', 'parse_error', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Severity rank, unknown lowest (C st_status_rank). */
export const STATUS_RANK: Record<Status, number> = {
  operational: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
  unknown: 0,
};

/** Dashboard order: unknown just above operational (doc/compat.md#s10-3). */
export const STATUS_SORT: Record<Status, number> = {
  operational: 0,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
  unknown: 1,
};

/** Human label. */
export const STATUS_LABEL: Record<Status, string> = {
  operational: 'Operational',
  degraded: 'Degraded',
  partial_outage: 'Partial Outage',
  major_outage: 'Major Outage',
  unknown: 'Unknown',
};

/** Emoji of Slack messages. */
export const STATUS_EMOJI: Record<Status, string> = {
  operational: '✅',
  degraded: '🟡',
  partial_outage: '🟠',
  major_outage: '🔴',
  unknown: '⚫',
};
