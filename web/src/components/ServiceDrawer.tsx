// Service detail drawer: status (effective), vendor format drift, vendor
// link, 30-day SLA chart, 24 h / 7 d / 30 d figures, upstream and downstream
// lists, last events, incident reports, and the alert log with delivery
// state and acks.
import { useState } from 'preact/hooks';
import { api } from '../api/endpoints';
import type { AlertRow, Dep, Service, Sla, SlaHistory, Uptime } from '../api/types';
import { durationHuman, plural, shortDateTime, titleCase, uptimeClass, utcDateTime } from '../lib/format';
import { categoryLabel } from '../lib/sort';
import type { OutboxState } from '../lib/vocab';
import {
  LABEL,
  displayLabel,
  effectiveStatus,
  isFlapping,
  isIncident,
  isPollerBroken,
  isStatus,
  isUnmonitored,
  statusClass,
  type Status,
} from '../lib/status';
import { usePolled } from '../lib/usePolled';
import { DateTime, DayStrip, ErrorNote, RelTime, Skeleton, StatusPill } from './bits';
import { figureText } from '../lib/coverage';
import { Icon, StatusIcon } from './Icon';
import { Modal } from './Modal';
import { UptimeChart } from './UptimeChart';

export interface DrawerProps {
  serviceId: string;
  listRow: Service | null;
  uptime: Uptime | null;
  sla: Sla | null;
  slaHistory: SlaHistory | null;
  days: string[];
  eventSeq: number;
  onClose: () => void;
  onOpen: (id: string) => void;
}

function DepList({ title, deps, empty, onOpen }: { title: string; deps: Dep[]; empty: string; onOpen: (id: string) => void }) {
  return (
    <section class="drawer-sec">
      <h3>{title}</h3>
      {deps.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="dep-list">
          {deps.map((d) => (
            <li key={d.service_id}>
              <StatusIcon status={d.current_status} size={15} />
              <button type="button" class="link-button" onClick={() => onOpen(d.service_id)}>
                {d.service_name}
              </button>
              <span class={`sev sev-${d.severity}`}>{d.severity}</span>
              <span class="dep-impact">{d.impact_description}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type DriftFields = Pick<Service, 'drift_note' | 'drift_first_seen_at' | 'drift_last_seen_at'>;

/**
 * Vendor format drift (doc/drift.md): the payload changed shape and pollerd
 * read it with defaults or the old tool's fallbacks. The status is still
 * read; this tells the operator the vendor is changing its format before
 * anything goes blind. Nothing when no drift was ever seen.
 */
export function DriftNote({ service }: { service: DriftFields }) {
  if (!service.drift_note) return null;
  const notes = service.drift_note.split('; ').filter((n) => n.length > 0);
  return (
    <section class="drawer-sec drift-sec" data-testid="drift-note">
      <h3>Vendor format drift</h3>
      <p class="muted small">
        The vendor&rsquo;s payload no longer has its usual shape. The status is still read, using defaults for what is missing or
        unknown:
      </p>
      <ul class="drift-list">
        {notes.map((n) => (
          <li key={n}>
            <code>{n}</code>
          </li>
        ))}
      </ul>
      <p class="muted small">
        First seen <RelTime ts={service.drift_first_seen_at ?? null} /> · last seen <RelTime ts={service.drift_last_seen_at ?? null} />
      </p>
    </section>
  );
}

// Keyed by the outbox states the schema allows (common/vocab.def): a state
// added there fails the type check here until it is given a class.
const DELIVERY_CLASS: Record<OutboxState, string> = {
  pending: 'warn',
  sending: 'warn',
  sent: 'good',
  failed: 'bad',
};

function AlertLog({ serviceId, eventSeq }: { serviceId: string; eventSeq: number }) {
  const [extra, setExtra] = useState<AlertRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreErr, setMoreErr] = useState<string | null>(null);
  const first = usePolled((signal) => api.alerts({ service_id: serviceId }, { signal }), 30_000, [serviceId, eventSeq]);
  const next = cursor === undefined ? (first.data?.next_cursor ?? null) : cursor;
  const rows = [...(first.data?.alerts ?? []), ...extra.filter((r) => !first.data?.alerts.some((a) => a.id === r.id))];
  const loadMore = () => {
    if (!next) return;
    api
      .alerts({ service_id: serviceId, cursor: next })
      .then((r) => {
        setExtra((e) => [...e, ...r.data.alerts]);
        setCursor(r.data.next_cursor);
        setMoreErr(null);
      })
      .catch((e: unknown) => setMoreErr(String(e instanceof Error ? e.message : e)));
  };
  return (
    <section class="drawer-sec">
      <h3>Alert log</h3>
      <ErrorNote what="the alert log" error={first.error} onRetry={first.reload} />
      {first.loading && !first.data ? (
        <Skeleton lines={2} />
      ) : rows.length === 0 && !first.error ? (
        <p class="muted">No alerts recorded for this service.</p>
      ) : (
        <ul class="alert-log">
          {rows.map((a) => {
            const st = isStatus(a.new_status) ? (a.new_status as Status) : null;
            return (
              <li key={a.id} class={a.suppressed_by ? 'alert-suppressed' : 'alert-fired'}>
                <div class="alert-line">
                  <Icon name="bell" size={14} />
                  <span class="alert-kind">{titleCase(a.alert_kind)}</span>
                  <span class={st ? `st-text-${st}` : ''}>{st ? LABEL[st] : titleCase(a.new_status)}</span>
                  {a.severity && <span class="muted">· {a.severity}</span>}
                  <span class="alert-time">
                    <RelTime ts={a.first_sent_at} />
                  </span>
                </div>
                <div class="alert-line small">
                  {a.suppressed_by ? (
                    <span class="chip chip-muted">Suppressed: {a.suppressed_by.replace(/_/g, ' ')}</span>
                  ) : (
                    <span class="chip chip-fired">Fired</span>
                  )}
                  {a.acknowledged_at ? (
                    <span class="chip chip-ack">
                      <Icon name="user" size={12} /> Acked by {a.acknowledged_by ?? 'unknown'} · <RelTime ts={a.acknowledged_at} />
                    </span>
                  ) : !a.suppressed_by ? (
                    <span class="chip chip-unack">Not acknowledged</span>
                  ) : null}
                </div>
                {a.deliveries.length > 0 && (
                  <ul class="deliveries">
                    {a.deliveries.map((d, i) => (
                      <li key={i}>
                        <span class={`dl-state up-${d.state ? DELIVERY_CLASS[d.state] : 'none'}`}>{d.state ?? 'unknown'}</span>
                        <span>{d.destination}</span>
                        <span class="muted">
                          {plural(d.attempts, 'attempt')}
                          {d.last_http_status !== null ? ` · HTTP ${d.last_http_status}` : ''}
                          {d.sent_at ? ` · ${utcDateTime(d.sent_at)}` : ''}
                        </span>
                        {d.last_error && <span class="dl-error">{d.last_error}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {next && (
        <button type="button" class="btn btn-small" onClick={loadMore}>
          Load older alerts
        </button>
      )}
      <ErrorNote what="older alerts" error={moreErr} />
    </section>
  );
}

export function ServiceDrawer(props: DrawerProps) {
  const { serviceId, listRow, eventSeq } = props;
  const detail = usePolled((signal) => api.service(serviceId, { signal }), 30_000, [serviceId, eventSeq]);
  const reports = usePolled((signal) => api.reports(serviceId, 20, { signal }), 300_000, [serviceId, eventSeq]);
  // This service's 30 days only, not every service's (doc/scale.md#dashboard).
  const own = usePolled((signal) => api.slaHistory(30, { service_id: serviceId }, { signal }), 300_000, [serviceId, eventSeq]);

  // Merge: the list row has poller health etc.; the detail endpoint may not.
  const d = detail.data;
  const merged: Service | null = listRow
    ? ({ ...listRow, ...stripUndefined(d?.service ?? {}) } as Service)
    : d
      ? ({
          ...d.service,
          id: serviceId,
          display_name: d.service.display_name ?? serviceId,
          category: d.service.category ?? 'other',
          current_status: d.service.current_status ?? 'unknown',
        } as Service)
      : null;
  // A newer committed status from the detail endpoint invalidates the list's effective status.
  if (merged && d && d.service.current_status !== undefined && d.service.effective_status === undefined) {
    merged.effective_status = null;
  }

  const name = merged?.display_name ?? listRow?.display_name ?? serviceId;
  const eff = merged ? effectiveStatus(merged) : 'unknown';
  const broken = merged ? isPollerBroken(merged) : false;
  const sla = props.sla?.services[serviceId] ?? null;
  const history = own.data?.services[serviceId] ? own.data : props.slaHistory;
  const hist = history?.services[serviceId] ?? null;
  const histDays = history?.days ?? [];
  const histVals = histDays.map((day) => hist?.find((h) => h.date === day)?.uptime ?? null);

  return (
    <Modal variant="drawer" labelledBy="drawer-title" onClose={props.onClose} testId="service-drawer">
      <div class="drawer-head">
        <div>
          <p class="eyebrow">
            {merged ? categoryLabel(merged.category) : ''}
            {merged?.tier ? ` · ${merged.tier}` : ''}
            {merged?.poll_type ? ` · ${merged.poll_type === 'manual' ? 'manual' : merged.poll_type.replace(/_/g, ' ')}` : ''}
          </p>
          <h2 id="drawer-title" class="drawer-title">
            {name}
          </h2>
        </div>
        <button type="button" class="icon-button" onClick={props.onClose} aria-label="Close details" data-autofocus>
          <Icon name="close" size={20} />
        </button>
      </div>
      {/* A scroll area a keyboard user can reach and scroll (issue 15). */}
      <div class="drawer-body" tabIndex={0} role="region" aria-label={`${name}: details`}>
        {!merged && detail.loading ? (
          <Skeleton lines={6} />
        ) : (
          <>
            <ErrorNote what="service details" error={detail.error} onRetry={detail.reload} />
            {merged && (
              <section class="drawer-sec drawer-status">
                <StatusPill status={statusClass(merged)} label={displayLabel(merged)} broken={broken} />
                {merged.in_maintenance && (
                  <span class="pill pill-maint">
                    <Icon name="wrench" size={14} /> In maintenance
                  </span>
                )}
                {isFlapping(merged) && merged.pending_status && (
                  <span class="pill pill-pending">
                    <Icon name="activity" size={14} /> Pending {LABEL[merged.pending_status]} ({plural(merged.pending_status_count, 'poll')})
                  </span>
                )}
                {broken && (
                  <p class="broken-note">
                    <Icon name="wifi-off" size={15} /> Poller broken after {plural(merged.consecutive_failures, 'failure')} — readings may be
                    stale. Last known vendor status: <strong>{LABEL[merged.current_status]}</strong>.
                    <br />
                    <span class="muted">Reason:</span> <code>{merged.last_failure_reason ?? 'not recorded'}</code>
                  </p>
                )}
                {isUnmonitored(merged) && <p class="muted">Manual service: its status is set by an operator through the admin API.</p>}
                {merged.current_status_detail && !broken && <p class="detail-text">{merged.current_status_detail}</p>}
                <dl class="facts">
                  <div>
                    {/* while blind, "Since" would date a status nobody can see */}
                    <dt>{broken ? 'Last known status since' : 'Since'}</dt>
                    <dd>
                      <RelTime ts={merged.last_status_change_at} />
                    </dd>
                  </div>
                  <div>
                    <dt>Last polled</dt>
                    <dd>{merged.poll_type === 'manual' ? 'not polled' : <RelTime ts={merged.last_polled_at} />}</dd>
                  </div>
                  <div>
                    <dt>Last success</dt>
                    <dd>
                      <RelTime ts={merged.last_success_at} />
                    </dd>
                  </div>
                </dl>
                {merged.status_page_url && /^https?:\/\//i.test(merged.status_page_url) && (
                  <a class="vendor-link" href={merged.status_page_url} target="_blank" rel="noopener noreferrer">
                    View vendor status page <Icon name="external" size={14} />
                    <span class="sr-only"> (opens in a new tab)</span>
                  </a>
                )}
              </section>
            )}
            {merged && <DriftNote service={merged} />}

            <section class="drawer-sec">
              <h3>7-day history</h3>
              <DayStrip
                days={props.days}
                byDay={props.uptime?.services[serviceId]}
                tracked={props.uptime?.tracked[serviceId]}
                size="md"
                label="Worst status per day, last 7 days"
              />
              <p class="muted small" data-testid="monitoring-since">
                {sla?.monitoring_since ?? props.uptime?.monitoring_since[serviceId] ? (
                  <>
                    Monitoring since <DateTime ts={sla?.monitoring_since ?? props.uptime?.monitoring_since[serviceId] ?? null} />; grey days are no data.
                  </>
                ) : (
                  'Not monitored yet: no status has been seen.'
                )}
              </p>
            </section>

            <section class="drawer-sec">
              <h3>Uptime SLA</h3>
              <div class="sla-cards">
                {(
                  [
                    ['24h', sla?.uptime_24h, sla?.coverage['24h']],
                    ['7d', sla?.uptime_7d, sla?.coverage['7d']],
                    ['30d', sla?.uptime_30d, sla?.coverage['30d']],
                  ] as const
                ).map(([k, v, c]) => (
                  <div class="sla-card" key={k} data-window={k}>
                    <span class="sla-k">{k}</span>
                    <span class={`sla-v up-${uptimeClass(v ?? null)}${v == null && c ? ' sla-collecting' : ''}`} data-tabular>
                      {figureText(v ?? null, c ?? null)}
                    </span>
                  </div>
                ))}
              </div>
              {hist && hist.some((h) => h.uptime !== null) ? (
                <UptimeChart days={histDays} values={histVals} label={`${name} daily uptime, last 30 days`} height={170} />
              ) : (
                <p class="muted">{sla?.coverage['30d'] ? `Daily uptime: ${figureText(null, sla.coverage['30d'])}` : 'No SLA history available.'}</p>
              )}
            </section>

            {d && (
              <>
                <DepList
                  title="Depends on"
                  deps={d.upstream_dependencies}
                  empty="No declared upstream dependencies."
                  onOpen={props.onOpen}
                />
                <DepList
                  title="Impacts when down"
                  deps={d.downstream_impacts}
                  empty="Nothing declared downstream."
                  onOpen={props.onOpen}
                />
                <section class="drawer-sec">
                  <h3>Recent events</h3>
                  {d.recent_events.length === 0 ? (
                    <p class="muted">No status events yet.</p>
                  ) : (
                    <ul class="event-list">
                      {d.recent_events.slice(0, 10).map((e) => (
                        <li key={e.id}>
                          <StatusIcon status={e.new_status} size={15} pulse={false} />
                          <span>
                            <span class={`st-text-${e.previous_status}`}>{LABEL[e.previous_status]}</span> →{' '}
                            <span class={`st-text-${e.new_status}`}>{LABEL[e.new_status]}</span>
                          </span>
                          <span class="muted small">
                            <RelTime ts={e.created_at} /> · {e.source ?? ''}
                          </span>
                          {(e.vendor_title || e.impact_statement) && <p class="ev-impact">{e.vendor_title || e.impact_statement}</p>}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </>
            )}

            <section class="drawer-sec">
              <h3>Incident reports</h3>
              <ErrorNote what="incident reports" error={reports.error} onRetry={reports.reload} />
              {reports.data && reports.data.reports.length === 0 && <p class="muted">No incident reports.</p>}
              {reports.data && reports.data.reports.length > 0 && (
                <ul class="report-list">
                  {reports.data.reports.map((r) => (
                    <li key={r.id} class={`report rep-${r.peak_severity}`}>
                      <div class="report-head">
                        <StatusPill status={r.peak_severity} size="sm" />
                        <span data-tabular>{r.duration_human ?? durationHuman(r.duration_seconds)}</span>
                        <span class="muted small">
                          {shortDateTime(r.started_at)} — {shortDateTime(r.resolved_at)}
                        </span>
                      </div>
                      {r.impact_summary && <p>{r.impact_summary}</p>}
                      {r.affected_downstream.length > 0 && (
                        <p class="chips">
                          {r.affected_downstream.map((n) => (
                            <span class="chip chip-muted" key={n}>
                              {n}
                            </span>
                          ))}
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>

            <AlertLog serviceId={serviceId} eventSeq={eventSeq} />
          </>
        )}
        {merged && isIncident(eff) && <span class="sr-only">Current effective status {LABEL[eff]}.</span>}
      </div>
    </Modal>
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
