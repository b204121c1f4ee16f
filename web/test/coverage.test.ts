// Coverage (doc/coverage.md): figures below the rule read "collecting data",
// days never seen are "no data", maintenance is not an incident, a live event
// paints today's square at once.
import { h, render } from 'preact';
import { describe, expect, it } from 'vitest';
import { parseSla, parseSlo, parseUptime, parseHealth } from '../src/api/parse';
import type { Maintenance } from '../src/api/types';
import { svc } from './fixtures';
import { computeOverall, maintPhase, overallHeadline, overallKind } from '../src/components/Banners';
import { DayStrip, dayText } from '../src/components/bits';
import { collectingText, figureText, spanShort } from '../src/lib/coverage';
import { fullDateTime } from '../src/lib/format';
import { patchToday } from '../src/state/store';


describe('coverage text', () => {
  it('spans in whole units', () => {
    expect(spanShort(15)).toBe('15 s');
    expect(spanShort(7200)).toBe('2 h');
    expect(spanShort(2592000)).toBe('30 d');
    expect(spanShort(600)).toBe('10 min');
    expect(spanShort(86400)).toBe('24 h');
  });
  it('a null figure says how much of the window was seen, never a percentage', () => {
    const c = { tracked_seconds: 7200, window_seconds: 2592000, maintenance_seconds: 0, monitoring_since: '2026-12-02T10:00:00.000Z' };
    expect(figureText(null, c)).toBe('collecting data (2 h of 30 d)');
    expect(figureText(99.5, c)).toBe('99.50%');
    expect(figureText(null, null)).toBe('—');
    expect(collectingText({ ...c, tracked_seconds: 0, monitoring_since: null })).toBe('no data');
    expect(figureText(null, { ...c, maintenance_seconds: 7200 })).toBe('in maintenance');
  });
  it('parses coverage from /sla and /slo; a budget without data stays null', () => {
    const sla = parseSla({
      services: {
        a: {
          uptime_24h: null,
          uptime_7d: null,
          uptime_30d: null,
          monitoring_since: '2026-12-02T10:00:00.000Z',
          coverage: { '30d': { tracked_seconds: 7200, window_seconds: 2592000, maintenance_seconds: 0, monitoring_since: 'x' }, '7d': 'bad' },
        },
      },
      coverage_rule: { min_coverage_percent: 10, burn_min_coverage_percent: 90, count_maintenance: false },
    });
    expect(sla.services.a!.coverage['30d']!.tracked_seconds).toBe(7200);
    expect(sla.services.a!.coverage['7d']).toBeNull();
    expect(sla.rule!.min_coverage_percent).toBe(10);
    const slo = parseSlo({ services: [{ id: 'a', error_budget_remaining_pct: null, in_maintenance: true }] });
    expect(slo.services[0]!.error_budget_remaining_pct).toBeNull();
    expect(slo.services[0]!.in_maintenance).toBe(true);
  });
  it('reads /api/health for the staleness rule', () => {
    expect(parseHealth({ stale_daemons: ['pollerd'] }).pollerd_stale).toBe(true);
    expect(parseHealth({ pollerd_stale: false, poll_late_after_seconds: 19 }).poll_late_after_seconds).toBe(19);
    expect(parseHealth('garbage').pollerd_stale).toBe(false);
  });
});

describe('day squares', () => {
  it('a day the server did not list is grey "no data", not operational', () => {
    const u = parseUptime({ days: ['2026-11-26', '2026-11-27'], services: { a: { '2026-11-27': 'operational' } }, tracked_seconds: { a: { '2026-11-27': 7200 } } });
    const el = document.createElement('div');
    render(h(DayStrip, { days: u.days, byDay: u.services.a, tracked: u.tracked.a, label: 'Last days' }), el);
    const sq = [...el.querySelectorAll('.day')];
    expect(sq[0]!.className).toContain('day-nodata');
    expect(sq[0]!.getAttribute('title')).toBe('Thu 26 Nov: No data');
    expect(sq[1]!.className).toContain('day-operational');
    expect(sq[1]!.getAttribute('title')).toBe('Fri 27 Nov: Operational (seen 2 h)');
    expect(el.querySelector('[role="img"]')!.getAttribute('aria-label')).toContain('Thu 26 Nov: No data');
    expect(dayText('2026-11-27', undefined, undefined)).toBe('Fri 27 Nov: No data');
  });
  it('a live event paints today at once, worst wins, unknown never paints', () => {
    const u = parseUptime({ days: ['2026-12-02'], services: { a: { '2026-12-02': 'operational' } } });
    const p = patchToday(u, 'a', '2026-12-02', 'major_outage')!;
    expect(p.services.a!['2026-12-02']).toBe('major_outage');
    expect(patchToday(p, 'a', '2026-12-02', 'operational')).toBe(p);
    expect(patchToday(u, 'b', '2026-12-02', 'unknown')).toBe(u);
    expect(patchToday(u, 'b', '2026-12-02', 'degraded')!.services.b!['2026-12-02']).toBe('degraded');
  });
});

describe('maintenance and the hero', () => {
  const summary = (last: string | null) => ({
    overall_status: 'operational' as const,
    status_text: '',
    active_incidents: [],
    upcoming_maintenances: [],
    recent_maintenances: [],
    total_services: 2,
    healthy_count: 0,
    degraded_count: 0,
    outage_count: 0,
    unknown_count: 0,
    maintenance_count: 0,
    last_poll_at: last,
  });
  it('maintenance is not an incident and has its own colour', () => {
    const o = computeOverall([svc('a', { current_status: 'degraded', in_maintenance: true }), svc('b', { current_status: 'degraded', in_maintenance: true })], summary('2026-12-02T10:00:00Z'))!;
    expect(o.incidents).toBe(0);
    expect(o.maintenance).toBe(2);
    expect(overallKind(o)).toBe('maint');
    expect(overallHeadline(o)).toBe('No Active Incidents');
    const o2 = computeOverall([svc('a', { current_status: 'major_outage' }), svc('b', { current_status: 'degraded', in_maintenance: true })], summary('2026-12-02T10:00:00Z'))!;
    expect(o2.incidents).toBe(1);
    expect(o2.status).toBe('major_outage');
  });
  it('nothing monitored is neutral, never "All Systems Operational"', () => {
    const o = computeOverall([svc('a', { current_status: 'unknown' }), svc('b', { current_status: 'unknown' })], summary(null))!;
    expect(o.nothing).toBe(true);
    expect(overallKind(o)).toBe('blind');
    expect(overallHeadline(o)).toBe('Not Monitoring Yet');
    const blind = computeOverall([svc('a', { current_status: 'operational', poller_health: 'broken' })], summary('2026-12-02T10:00:00Z'))!;
    expect(overallHeadline(blind)).toBe('Status Unknown');
  });
  it('the panel separates upcoming, in progress and past; dates carry the year and zone', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    const m = (over: Partial<Maintenance>): Maintenance => ({
      id: 1,
      service_id: 'a',
      service_name: 'A',
      title: 't',
      description: null,
      scheduled_for: '2026-12-02T10:00:00Z',
      scheduled_until: '2026-12-02T14:00:00Z',
      status: 'scheduled',
      ...over,
    });
    expect(maintPhase(m({}), now)).toBe('in_progress');
    expect(maintPhase(m({ scheduled_for: '2026-12-03T10:00:00Z', scheduled_until: null }), now)).toBe('upcoming');
    expect(maintPhase(m({ scheduled_until: '2026-12-02T11:00:00Z' }), now)).toBe('past');
    expect(maintPhase(m({ status: 'completed' }), now)).toBe('past');
    expect(fullDateTime('2026-12-02T10:05:00Z')).toBe('Wed, 2 Dec 2026, 10:05 UTC');
  });
});

describe('timeline entries', () => {
  it('baselines read "monitoring started", poller breaks and recoveries appear', async () => {
    const { Timeline } = await import('../src/components/Timeline');
    const { parseClustered } = await import('../src/api/parse');
    const ev = (id: number, over: Record<string, unknown>) => ({ id, service_id: 's', service_name: 'Slack', created_at: '2026-12-02T10:00:00Z', ...over });
    const data = parseClustered({
      clusters: [
        { root_cause: null, severity: 'unknown', events: [ev(3, { kind: 'health', previous_health: 'broken', new_health: 'healthy' })] },
        { root_cause: null, severity: 'unknown', events: [ev(2, { kind: 'health', previous_health: 'degraded', new_health: 'broken' })] },
        { root_cause: null, severity: 'operational', events: [ev(1, { previous_status: 'unknown', new_status: 'operational', is_baseline: true })] },
      ],
      total_clusters: 3,
      total_events: 3,
    });
    const el = document.createElement('div');
    render(h(Timeline, { data, onOpen: () => {} }), el);
    const t = el.textContent || '';
    expect(t).toContain('monitoring started: is Operational');
    expect(t).toContain('poller broken: status cannot be read');
    expect(t).toContain('poller recovered: status readable again');
    expect(t).not.toContain('Unknown → Unknown');
  });
});

describe('links', () => {
  it('the URL carries the view and the open service', async () => {
    const { viewUrl } = await import('../src/App');
    expect(viewUrl('http://x/?a=1', 'engineer', 'discord')).toBe('/?a=1&view=engineer&service=discord');
    expect(viewUrl('http://x/?view=engineer&service=discord', 'slo', null)).toBe('/?view=slo');
  });
});
