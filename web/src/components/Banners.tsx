// Overall banner, connection/staleness warning, active-incident cards and
// the maintenance banner.
import { useMemo, useRef, useState } from 'preact/hooks';
import type { ActiveIncident, Maintenance, Service, Summary } from '../api/types';
import { parseTs, plural } from '../lib/format';
import { pickRows, type Picked } from '../lib/groups';
import { incidentsOf, tallyOf, type Tally } from '../lib/tally';
import { ageText, type ConnMode, type Freshness } from '../lib/staleness';
import {
  LABEL,
  isInMaintenance,
  isPollerBroken,
  type Status,
} from '../lib/status';
import { DateTime } from './bits';
import { RelTime } from './bits';
import { Icon, StatusIcon } from './Icon';

export interface Overall {
  /** Worst status among active incidents (maintenance left out); operational when none. */
  status: Status;
  incidents: number;
  monitored: number;
  manual: number;
  blind: number;
  /** Services in planned maintenance: their own state, never incidents. */
  maintenance: number;
  /** Nothing is seen: no polled service has a known status (never polled, all blind). */
  nothing: boolean;
  /** No vendor poll was ever recorded. */
  neverPolled: boolean;
  total: number;
}

/** Overall state from effective statuses (never "all operational" while
 * pollers are broken or nothing was ever seen; maintenance is not an incident). */
export function computeOverall(services: Service[] | null, summary: Summary | null): Overall | null {
  return overallOf(services ? tallyOf(null, services) : null, summary);
}

/** computeOverall from the list's tally (lib/tally.ts), which a live row
 * patches instead of counting every service again. */
export function overallOf(t: Tally | null, summary: Summary | null): Overall | null {
  const neverPolled = summary ? summary.last_poll_at === null : false;
  if (t) {
    const { incidents, status } = incidentsOf(t);
    return {
      status,
      incidents,
      manual: t.manual,
      blind: t.blind,
      maintenance: t.maintenance,
      nothing: neverPolled || t.seen === 0,
      neverPolled,
      monitored: t.list.length - t.manual,
      total: t.list.length,
    };
  }
  if (summary) {
    return {
      status: summary.overall_status,
      incidents: summary.active_incidents_total ?? summary.active_incidents.length,
      manual: 0,
      blind: summary.unknown_count,
      maintenance: summary.maintenance_count,
      nothing: neverPolled || summary.unknown_count >= summary.total_services,
      neverPolled,
      monitored: summary.total_services,
      total: summary.total_services,
    };
  }
  return null;
}

export function overallHeadline(o: Overall): string {
  if (o.incidents > 0) return plural(o.incidents, 'Active Incident');
  if (o.nothing) return o.neverPolled ? 'Not Monitoring Yet' : 'Status Unknown';
  if (o.blind > 0) return 'No Confirmed Incidents';
  if (o.maintenance > 0) return 'No Active Incidents';
  return 'All Systems Operational';
}

/** The banner's colour: incidents by severity, then neutral (nothing seen,
 * blind), then maintenance blue, then green. */
export function overallKind(o: Overall): 'crit' | 'warn' | 'blind' | 'maint' | 'ok' {
  if (o.incidents > 0) return o.status === 'degraded' ? 'warn' : 'crit';
  if (o.nothing || o.blind > 0) return 'blind';
  if (o.maintenance > 0) return 'maint';
  return 'ok';
}

export function StatusBanner({ overall }: { overall: Overall | null }) {
  if (!overall) {
    return (
      <section class="banner banner-loading" aria-label="Overall status">
        <span class="skeleton-line" style={{ width: '30%' }} />
      </section>
    );
  }
  const kind = overallKind(overall);
  const sub = [`${overall.monitored} monitored`];
  if (overall.nothing) sub.unshift(overall.neverPolled ? 'No vendor poll recorded yet' : 'No service status is known');
  if (overall.manual) sub.push(`${overall.manual} manual`);
  if (overall.blind) sub.push(`${overall.blind} not visible (poller down)`);
  if (overall.maintenance) sub.push(`${overall.maintenance} in planned maintenance`);
  return (
    <section class={`banner banner-${kind}`} aria-label="Overall status" data-testid="overall-banner" data-kind={kind}>
      {kind === 'maint' ? (
        <Icon name="wrench" size={30} />
      ) : (
        <StatusIcon status={overall.incidents ? overall.status : kind === 'blind' ? 'unknown' : 'operational'} size={30} />
      )}
      <div>
        <h2 class="banner-title">{overallHeadline(overall)}</h2>
        <p class="banner-sub">
          {overall.incidents > 0 ? `Worst: ${LABEL[overall.status]} · ` : ''}
          {sub.join(' · ')}
        </p>
      </div>
    </section>
  );
}

export function ConnectionBanner(props: {
  conn: ConnMode;
  ageS: number | null;
  /** Red: /healthz calls pollerd stale (the chip alone shows amber). */
  fresh: Freshness;
  pollerdStale: boolean;
  errors: string[];
  retryInMs: number | null;
  onRetry: () => void;
}) {
  const { conn, ageS, errors } = props;
  const stale = props.fresh === 'red';
  if (conn !== 'disconnected' && errors.length === 0 && !stale) return null;
  let title: string;
  let body: string;
  if (conn === 'disconnected') {
    title = 'Disconnected from itstatus';
    body =
      (ageS === null ? 'No data has been received yet.' : `The data below is ${ageText(ageS)} old and may not reflect current vendor status.`) +
      ' Reconnecting automatically.';
  } else if (stale) {
    title = 'Status data is stale';
    body =
      (props.pollerdStale ? 'The poller (pollerd) is not running or not polling. ' : '') +
      (ageS === null ? 'No vendor poll was recorded. ' : `The server last polled vendors ${ageText(ageS)} ago. `) +
      'Treat what you see as out of date.';
  } else {
    title = 'Connection issue';
    body = `Failed to fetch: ${errors.join(', ')}. Data shown may be stale.`;
  }
  return (
    <div class={`conn-banner ${conn === 'disconnected' || stale ? 'conn-red' : 'conn-amber'}`} role="alert" data-testid="connection-banner">
      <Icon name={conn === 'disconnected' ? 'wifi-off' : 'clock'} size={20} />
      <div>
        <strong>{title}</strong>
        <span> {body}</span>
      </div>
      <button type="button" class="btn btn-small" onClick={props.onRetry}>
        Retry now
      </button>
    </div>
  );
}

/** Incident cards shown before "Show more" (doc/scale.md#dashboard). */
export const INCIDENT_CARDS_OPEN = 3;

export function IncidentCards({
  incidents: listed,
  services,
  onOpen,
  total,
}: {
  incidents: ActiveIncident[];
  services: Service[] | null;
  onOpen: (id: string) => void;
  /** All active incidents (the summary may list only the worst). */
  total?: number;
}) {
  const [expanded, setExpanded] = useState(false);
  // Only the listed incidents' rows, patched for a live row's change
  // (lib/groups.ts pickRows), not a scan of every service per render.
  const ids = useMemo(() => listed.map((i) => i.service.id), [listed]);
  const picked = useRef<Picked | null>(null);
  const byId = useMemo(() => (services ? (picked.current = pickRows(picked.current, services, ids)).rows : new Map<string, Service>()), [ids, services]);
  // Planned maintenance is not an incident, whatever an older server says.
  const incidents = listed.filter((inc) => {
    const svc = byId.get(inc.service.id);
    return svc ? !isInMaintenance(svc) : inc.service.in_maintenance !== true;
  });
  if (incidents.length === 0) return null;
  const all = Math.max((total ?? 0) - (listed.length - incidents.length), incidents.length);
  const cards = expanded ? incidents : incidents.slice(0, INCIDENT_CARDS_OPEN);
  const hidden = incidents.length - cards.length;
  return (
    <section class="incidents" aria-labelledby="incidents-h">
      <h2 id="incidents-h" class="section-title">
        Active incidents <span class="count">{all}</span>
      </h2>
      <ul class="incident-list">
        {cards.map((inc) => {
          const svc = byId.get(inc.service.id);
          const broken = svc ? isPollerBroken(svc) : inc.service.poller_health === 'broken';
          const st = inc.service.current_status;
          return (
            <li key={inc.service.id} class={`incident-card inc-${st}`}>
              <button type="button" class="incident-open" onClick={() => onOpen(inc.service.id)}>
                <span class="incident-head">
                  <StatusIcon status={st} size={18} />
                  <span class="incident-name">{inc.service.display_name}</span>
                  <span class={`pill pill-sm pill-${st}`}>{LABEL[st]}</span>
                  {broken && <span class="pill pill-sm pill-unknown">poller down · last known</span>}
                  <span class="incident-since">
                    since <RelTime ts={inc.started_at} />
                  </span>
                </span>
              </button>
              <p class="incident-impact">{inc.impact_statement}</p>
              {inc.affected_services.length > 0 && (
                <p class="incident-affected">
                  <span class="muted">May impact:</span> {inc.affected_services.join(', ')}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {(hidden > 0 || expanded) && incidents.length > INCIDENT_CARDS_OPEN && (
        <button type="button" class="btn incident-more" aria-expanded={expanded} onClick={() => setExpanded((e) => !e)} data-testid="incidents-more">
          {expanded ? 'Show fewer' : `Show ${hidden} more`}
        </button>
      )}
      {expanded && all > incidents.length && (
        <p class="muted incident-rest">
          {all - incidents.length} more not listed here: filter the services by status to see them all.
        </p>
      )}
    </section>
  );
}

export type MaintPhase = 'in_progress' | 'upcoming' | 'past';

/** Where a window stands now: running (status says so, or it has begun and
 * not ended), upcoming, or past (completed, cancelled, or its end passed). */
export function maintPhase(m: Maintenance, now: number): MaintPhase {
  const from = parseTs(m.scheduled_for);
  const until = parseTs(m.scheduled_until);
  if (m.status === 'completed' || m.status === 'cancelled' || (until !== null && until < now)) return 'past';
  if (m.status === 'in_progress' || m.status === 'verifying' || (from !== null && from <= now)) return 'in_progress';
  return 'upcoming';
}

const PHASES: { id: MaintPhase; label: string }[] = [
  { id: 'in_progress', label: 'In progress' },
  { id: 'upcoming', label: 'Upcoming' },
  { id: 'past', label: 'Past' },
];

/** The maintenance panel: its own colour (blue), windows by phase, dates with the year. */
export function MaintenanceBanner({ items, past = [], inMaintenance = 0 }: { items: Maintenance[]; past?: Maintenance[]; inMaintenance?: number }) {
  const [open, setOpen] = useState(false);
  const now = Date.now();
  const all = [...items, ...past.filter((p) => !items.some((i) => i.id === p.id))];
  if (all.length === 0 && inMaintenance === 0) return null;
  const by = (ph: MaintPhase) => all.filter((m) => maintPhase(m, now) === ph);
  const running = by('in_progress').length;
  const upcoming = by('upcoming').length;
  const bits: string[] = [];
  if (inMaintenance) bits.push(`${plural(inMaintenance, 'service')} in maintenance now`);
  if (running) bits.push(`${plural(running, 'window')} in progress`);
  if (upcoming) bits.push(`${upcoming} upcoming`);
  if (!bits.length) bits.push(`${plural(by('past').length, 'recent maintenance', 'recent maintenances')}`);
  return (
    <section class="maint" aria-labelledby="maint-h" data-testid="maintenance-panel">
      <h2 id="maint-h" class="sr-only">
        Planned maintenance
      </h2>
      <button type="button" class="maint-toggle" aria-expanded={open} aria-controls="maint-list" onClick={() => setOpen(!open)}>
        <Icon name="wrench" size={16} />
        <span>Planned maintenance · {bits.join(' · ')}</span>
        <Icon name="chevron" size={16} class={open ? 'rot90' : ''} />
      </button>
      {open && (
        <div id="maint-list" class="maint-list">
          {PHASES.map((ph) => {
            const rows = by(ph.id);
            if (!rows.length) return null;
            return (
              <div key={ph.id} class={`maint-phase maint-${ph.id}`} data-phase={ph.id}>
                <h3 class="maint-phase-h">{ph.label}</h3>
                <ul>
                  {rows.map((m) => (
                    <li key={`${m.service_id}-${m.id}`}>
                      <strong>{m.service_name}</strong> <span>{m.title}</span>{' '}
                      <span class="muted">
                        <DateTime ts={m.scheduled_for} />
                        {m.scheduled_until ? (
                          <>
                            {' – '}
                            <DateTime ts={m.scheduled_until} />
                          </>
                        ) : (
                          ' – end not announced'
                        )}{' '}
                        · {m.status.replace('_', ' ')}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}
