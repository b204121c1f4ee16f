// Overall banner, connection/staleness warning, active-incident cards and
// the maintenance banner.
import { useMemo, useState } from 'preact/hooks';
import type { ActiveIncident, Maintenance, Service, Summary } from '../api/types';
import { plural, shortDateTime } from '../lib/format';
import { ageText, type ConnMode } from '../lib/staleness';
import { LABEL, effectiveStatus, isIncident, isPollerBroken, isUnmonitored, worstOf, type Status } from '../lib/status';
import { RelTime } from './bits';
import { Icon, StatusIcon } from './Icon';

export interface Overall {
  status: Status;
  incidents: number;
  monitored: number;
  manual: number;
  blind: number;
  total: number;
}

/** Overall state from effective statuses (never "all operational" while pollers are broken). */
export function computeOverall(services: Service[] | null, summary: Summary | null): Overall | null {
  if (services) {
    const eff = services.map(effectiveStatus);
    const incidents = eff.filter(isIncident).length;
    const manual = services.filter(isUnmonitored).length;
    const blind = services.filter(isPollerBroken).length;
    return {
      status: worstOf(eff.filter(isIncident)),
      incidents,
      manual,
      blind,
      monitored: services.length - manual,
      total: services.length,
    };
  }
  if (summary) {
    return {
      status: summary.overall_status,
      incidents: summary.active_incidents_total,
      manual: 0,
      blind: summary.unknown_count,
      monitored: summary.total_services,
      total: summary.total_services,
    };
  }
  return null;
}

export function overallHeadline(o: Overall): string {
  if (o.incidents > 0) return plural(o.incidents, 'Active Incident');
  if (o.blind > 0) return 'No Confirmed Incidents';
  return 'All Systems Operational';
}

export function StatusBanner({ overall }: { overall: Overall | null }) {
  if (!overall) {
    return (
      <section class="banner banner-loading" aria-label="Overall status">
        <span class="skeleton-line" style={{ width: '30%' }} />
      </section>
    );
  }
  const kind =
    overall.status === 'major_outage' || overall.status === 'partial_outage'
      ? 'crit'
      : overall.status === 'degraded'
        ? 'warn'
        : overall.blind > 0
          ? 'blind'
          : 'ok';
  const sub = [`${overall.monitored} monitored`];
  if (overall.manual) sub.push(`${overall.manual} manual`);
  if (overall.blind) sub.push(`${overall.blind} not visible (poller down)`);
  return (
    <section class={`banner banner-${kind}`} aria-label="Overall status" data-testid="overall-banner">
      <StatusIcon status={overall.incidents ? overall.status : overall.blind ? 'unknown' : 'operational'} size={30} />
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
  errors: string[];
  retryInMs: number | null;
  onRetry: () => void;
}) {
  const { conn, ageS, errors } = props;
  const stale = ageS !== null && ageS > 180;
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
    body = `The server last polled vendors ${ageText(ageS!)} ago. Pollers may be stopped; treat what you see as out of date.`;
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
  incidents,
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
  // Only the listed incidents' rows, not a map of every service per render.
  const byId = useMemo(() => {
    const want = new Set(incidents.map((i) => i.service.id));
    return new Map((services ?? []).filter((s) => want.has(s.id)).map((s) => [s.id, s]));
  }, [incidents, services]);
  if (incidents.length === 0) return null;
  const all = Math.max(total ?? 0, incidents.length);
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

export function MaintenanceBanner({ items }: { items: Maintenance[] }) {
  const [open, setOpen] = useState(false);
  if (items.length === 0) return null;
  const active = items.filter((m) => m.status === 'in_progress').length;
  return (
    <section class="maint" aria-label="Scheduled maintenance">
      <button type="button" class="maint-toggle" aria-expanded={open} aria-controls="maint-list" onClick={() => setOpen(!open)}>
        <Icon name="wrench" size={16} />
        <span>
          {plural(items.length, 'scheduled maintenance', 'scheduled maintenances')}
          {active ? ` · ${active} in progress` : ''}
        </span>
        <Icon name="chevron" size={16} class={open ? 'rot90' : ''} />
      </button>
      {open && (
        <ul id="maint-list" class="maint-list">
          {items.map((m) => (
            <li key={`${m.service_id}-${m.id}`}>
              <strong>{m.service_name}</strong> <span>{m.title}</span>{' '}
              <span class="muted">
                {shortDateTime(m.scheduled_for)}
                {m.scheduled_until ? ` – ${shortDateTime(m.scheduled_until)}` : ''} · {m.status.replace('_', ' ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
