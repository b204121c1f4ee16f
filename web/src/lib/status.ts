// The five-state status model and everything the UI derives from it.
// "Effective status" is what every view shows: a service whose poller is
// broken is `unknown`, never its last committed (possibly stale) status.

// The words, labels and orders come from the one definition of the
// vocabulary (common/vocab.def, generated into ./vocab.ts).
import { EDGE_SEVERITY_ORDER, STATUSES, STATUS_LABEL, STATUS_SORT } from './vocab';
import type { EdgeSeverity, PollerHealth, Status } from './vocab';

export { EDGE_SEVERITY_ORDER, STATUSES };
export type { EdgeSeverity, PollerHealth, Status } from './vocab';

export function isStatus(v: unknown): v is Status {
  return typeof v === 'string' && (STATUSES as readonly string[]).includes(v);
}

/** Coerce anything to a status; unrecognised values become `unknown` (never operational). */
export function asStatus(v: unknown): Status {
  if (typeof v !== 'string') return 'unknown';
  const s = v.trim().toLowerCase();
  return isStatus(s) ? s : 'unknown';
}

/**
 * Front-end severity rank (doc/compat.md#s10-3): major 4, partial 3, degraded 2, unknown 1,
 * operational 0.
 */
export const RANK: Record<Status, number> = STATUS_SORT;

export const LABEL: Record<Status, string> = STATUS_LABEL;

export function statusLabel(s: unknown): string {
  return LABEL[asStatus(s)];
}

/** True for degraded / partial / major: something is actually wrong. */
export function isIncident(s: Status): boolean {
  return s === 'degraded' || s === 'partial_outage' || s === 'major_outage';
}

export function worstOf(list: Iterable<Status>): Status {
  let w: Status = 'operational';
  let any = false;
  for (const s of list) {
    if (!any || RANK[s] > RANK[w]) w = s;
    any = true;
  }
  return w;
}

/** The subset of a service the status rules look at. */
export interface StatusFields {
  current_status: Status;
  effective_status?: Status | null;
  poller_health?: PollerHealth | null;
  poll_type?: string | null;
  pending_status?: Status | null;
  pending_status_count?: number | null;
}

export function isPollerBroken(s: StatusFields): boolean {
  return s.poller_health === 'broken';
}

/**
 * Effective status: `unknown` while the poller is broken (whatever the server
 * says), else the server's `effective_status` when present, else the
 * committed `current_status`.
 */
export function effectiveStatus(s: StatusFields): Status {
  if (isPollerBroken(s)) return 'unknown';
  if (s.effective_status && isStatus(s.effective_status)) return s.effective_status;
  return asStatus(s.current_status);
}

export function isManual(s: StatusFields): boolean {
  return s.poll_type === 'manual';
}

/** A manual service nobody has set yet: shown as "Manual", dimmed, sorted last. */
export function isUnmonitored(s: StatusFields): boolean {
  return isManual(s) && !isPollerBroken(s) && effectiveStatus(s) === 'unknown';
}

/** Flapping: a pending target that differs from the committed status (and the poller can see). */
export function isFlapping(s: StatusFields): boolean {
  return (
    !isPollerBroken(s) &&
    s.pending_status != null &&
    isStatus(s.pending_status) &&
    s.pending_status !== s.current_status
  );
}

/** The label a tile shows. */
export function displayLabel(s: StatusFields): string {
  if (isPollerBroken(s)) return 'Unknown';
  if (isUnmonitored(s)) return 'Manual';
  return LABEL[effectiveStatus(s)];
}

export type StatusClass = Status | 'manual';

/** CSS modifier for a service: its effective status, or `manual` when unmonitored. */
export function statusClass(s: StatusFields): StatusClass {
  return isUnmonitored(s) ? 'manual' : effectiveStatus(s);
}

export const STATUS_COLOR: Record<Status, string> = {
  operational: '#34d399',
  degraded: '#fbbf24',
  partial_outage: '#fb923c',
  major_outage: '#f87171',
  unknown: '#94a3b8',
};

export function asEdgeSeverity(v: unknown): EdgeSeverity {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  return (EDGE_SEVERITY_ORDER as readonly string[]).includes(s) ? (s as EdgeSeverity) : 'high';
}

/** In planned maintenance (the vendor or a maintenance window says so) and seen: its own state. */
export function isInMaintenance(s: StatusFields & { in_maintenance?: boolean | null }): boolean {
  return s.in_maintenance === true && !isPollerBroken(s);
}

/** What counts as an active incident: something is wrong and it is not planned maintenance. */
export function isActiveIncident(s: StatusFields & { in_maintenance?: boolean | null }): boolean {
  return isIncident(effectiveStatus(s)) && !isInMaintenance(s);
}
