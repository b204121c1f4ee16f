// Executive view: one big status, KPI tiles, 30-day trend, top impacts.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Service, Sla, SlaHistory, Summary } from '../api/types';
import { computeOverall, overallHeadline, overallKind } from '../components/Banners';
import { RelTime } from '../components/bits';
import { StatusIcon } from '../components/Icon';
import { UptimeChart } from '../components/UptimeChart';
import { bpsDelta, clockTime, parseTs, plural } from '../lib/format';
import { topImpacts } from '../lib/sort';
import { bestCoverage, collectingText } from '../lib/coverage';
import type { Freshness } from '../lib/staleness';
import { LABEL, effectiveStatus, isActiveIncident, isIncident, isInMaintenance, isPollerBroken } from '../lib/status';
import { useNow } from '../lib/useNow';

export function meanSla30(sla: Sla | null): number | null {
  if (!sla) return null;
  const vals = Object.values(sla.services)
    .map((s) => s.uptime_30d)
    .filter((v): v is number => v !== null);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

export function dailyMeans(h: SlaHistory | null): { days: string[]; values: (number | null)[] } {
  if (!h) return { days: [], values: [] };
  const values = h.days.map((day) => {
    const vals: number[] = [];
    for (const rows of Object.values(h.services)) {
      const v = rows.find((r) => r.date === day)?.uptime;
      if (v !== null && v !== undefined) vals.push(v);
    }
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  });
  return { days: h.days, values };
}

/** The chart's daily means: the server's aggregate over every service when
 * the history was cut to the worst (?worst=N, doc/scale.md#lists), else
 * computed from each service's days. */
export function trendMeans(h: SlaHistory | null): { days: string[]; values: (number | null)[] } {
  if (!h?.aggregate) return dailyMeans(h);
  const byDate = new Map(h.aggregate.map((a) => [a.date, a.mean_uptime]));
  return { days: h.days, values: h.days.map((d) => byDate.get(d) ?? null) };
}

export interface ExecutiveProps {
  services: Service[] | null;
  summary: Summary | null;
  sla: Sla | null;
  slaHistory: SlaHistory | null;
  target: number;
  clockOffsetMs: number;
  /** Freshness of the vendor data (staleness chip rule). */
  fresh?: Freshness;
}

export function ExecutiveView(p: ExecutiveProps) {
  const now = useNow();
  const overall = computeOverall(p.services, p.summary);
  const incidents = overall?.incidents ?? 0;
  // Maintenance is its own state: not an incident, not a degraded vendor.
  const degradedVendors = (p.services ?? []).filter(isActiveIncident).length;
  const inMaint = (p.services ?? []).filter(isInMaintenance).length;
  const blind = (p.services ?? []).filter(isPollerBroken).length;
  const sla = meanSla30(p.sla);
  const slaCov = bestCoverage(Object.values(p.sla?.services ?? {}).map((s) => s.coverage['30d']));
  const trend = trendMeans(p.slaHistory);
  const badDays = trend.values.filter((v) => v !== null && v < 100).length;
  const lastPoll = parseTs(p.summary?.last_poll_at ?? null);
  const fresh = p.fresh ?? (lastPoll === null || now + p.clockOffsetMs - lastPoll > 90_000 ? 'amber' : 'fresh');
  const kind = overall ? overallKind(overall) : 'blind';
  const alarm = overall ? incidents > 0 && isIncident(overall.status) : false;
  const headline = !overall ? 'Loading…' : incidents === 1 ? 'Active Incident' : overallHeadline(overall);
  const pillStatus = !overall ? 'unknown' : incidents ? overall.status : kind === 'blind' ? 'unknown' : 'operational';
  const pillText = !overall ? 'Unknown' : kind === 'maint' ? 'Maintenance' : kind === 'blind' ? (overall.nothing ? 'No data' : 'Partly blind') : LABEL[pillStatus];
  const impacts = topImpacts(p.services ?? []);
  const incidentById = new Map((p.summary?.active_incidents ?? []).map((i) => [i.service.id, i]));

  // Announce only when the overall status changes.
  const [announce, setAnnounce] = useState('');
  const prev = useRef<string | null>(null);
  useEffect(() => {
    if (!overall) return;
    if (prev.current !== null && prev.current !== overall.status) {
      setAnnounce(
        `${plural(incidents, 'incident')} open, ${plural(degradedVendors, 'vendor')} degraded, ` +
          (sla === null ? 'SLA not yet available' : `SLA ${sla.toFixed(2)} percent`),
      );
    }
    prev.current = overall.status;
  }, [overall?.status]);

  return (
    <div class="exec" data-testid="executive-view">
      <p class="sr-only" aria-live="polite">
        {announce}
      </p>
      <section class={`exec-hero exec-hero-${kind}${alarm ? ' exec-hero-alarm' : ''}`} aria-labelledby="exec-headline" data-kind={kind}>
        <span class={`exec-pill exec-pill-${kind === 'maint' ? 'maint' : pillStatus}`}>
          <StatusIcon status={pillStatus} size={18} />
          {pillText}
        </span>
        <h2 id="exec-headline" class="exec-display">
          {headline}
        </h2>
        <p class="exec-foot" data-tabular>
          {lastPoll === null ? 'No poll recorded' : `${fresh === 'red' ? 'Stale' : fresh === 'amber' ? 'Polls late' : 'Updated'} · ${clockTime(lastPoll)}`}
          {overall ? ` · ${overall.monitored} vendors configured` : ''}
          {inMaint ? ` · ${inMaint} in planned maintenance` : ''}
        </p>
      </section>

      <section class="kpis" aria-label="Key figures">
        <div class={`kpi${incidents ? ' kpi-alarm' : ''}`}>
          <span class="kpi-label">Incidents open</span>
          <span class="kpi-value" data-tabular>
            {incidents}
          </span>
        </div>
        <div class={`kpi${degradedVendors ? ' kpi-alarm' : ''}`}>
          <span class="kpi-label">Vendors degraded</span>
          <span class="kpi-value" data-tabular>
            {degradedVendors}
          </span>
        </div>
        <div class="kpi">
          <span class="kpi-label">SLA (30d) vs {p.target}% target</span>
          <span class="kpi-value" data-tabular>
            {sla === null ? <span class="kpi-collecting">{collectingText(slaCov)}</span> : `${sla.toFixed(2)}%`}
          </span>
          {sla !== null && <span class={`kpi-delta ${sla < p.target ? 'neg' : 'pos'}`}>{bpsDelta(sla, p.target)}</span>}
        </div>
        <div class={`kpi${blind ? ' kpi-warn' : ''}`}>
          <span class="kpi-label">Blind spots (poller down)</span>
          <span class="kpi-value" data-tabular>
            {blind}
          </span>
        </div>
      </section>

      <div class="exec-cols">
        <section class="panel exec-trend" aria-labelledby="trend-h">
          <header class="panel-head">
            <h2 id="trend-h" class="section-title">
              Uptime · last 30 days
            </h2>
            <span class="muted small">{trend.days.length ? (badDays ? plural(badDays, 'degraded day') : 'No degraded days') : ''}</span>
          </header>
          {trend.values.some((v) => v !== null) ? (
            <UptimeChart days={trend.days} values={trend.values} label="Mean daily uptime across vendors" height={220} markBadDays target={p.target} />
          ) : (
            <p class="muted">{slaCov ? `Uptime history: ${collectingText(slaCov)}` : 'No uptime history yet.'}</p>
          )}
        </section>

        <section class="panel exec-impacts" aria-labelledby="impacts-h">
          <header class="panel-head">
            <h2 id="impacts-h" class="section-title">
              Top impacts
            </h2>
          </header>
          {impacts.length === 0 ? (
            <p class="muted">No active impact.</p>
          ) : (
            <ol class="impact-list">
              {impacts.map((s) => {
                const eff = effectiveStatus(s);
                const inc = incidentById.get(s.id);
                return (
                  <li key={s.id} class={`impact impact-${eff}`}>
                    <div class="impact-head">
                      <span class="impact-name">{s.display_name}</span>
                      <span class={`exec-chip ${isActiveIncident(s) ? 'exec-chip-alarm' : 'exec-chip-neutral'}`}>{LABEL[eff]}</span>
                      {isInMaintenance(s) && <span class="exec-chip exec-chip-maint">Planned maintenance</span>}
                      {isPollerBroken(s) && <span class="muted">· poller down</span>}
                    </div>
                    <p class="impact-line">
                      {inc?.impact_statement ?? (isPollerBroken(s) ? `${s.display_name}: status cannot be read (${s.last_failure_reason ?? 'poller broken'})` : `${s.display_name}: ${LABEL[eff]}`)}
                    </p>
                    <span class="muted small">
                      since <RelTime ts={s.last_status_change_at} />
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
