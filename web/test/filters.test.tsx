import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { ActiveIncident, Service } from '../src/api/types';
import { IncidentCards } from '../src/components/Banners';
import { NO_FILTERS, applyFilters, filtersToSearch, readFilters } from '../src/lib/filters';

const svc = (id: string, over: Partial<Service> = {}): Service =>
  ({
    id,
    display_name: id.toUpperCase(),
    category: 'engineering',
    current_status: 'operational',
    effective_status: 'operational',
    poller_health: 'healthy',
    tier: 'important',
    poll_type: 'statuspage_json',
    ...over,
  }) as Service;

const list = [
  svc('github', { current_status: 'degraded', effective_status: 'degraded', tier: 'critical' }),
  svc('npm', { poller_health: 'broken' }),
  svc('slack', { category: 'collaboration' }),
  svc('okta', { category: 'identity', current_status: 'major_outage', effective_status: 'major_outage' }),
];

describe('filters', () => {
  it('round-trips through the URL and keeps other parameters', () => {
    const f = { q: ' git ', category: 'engineering', status: 'incident', tier: 'critical', hideOperational: true };
    const s = filtersToSearch(f, '?view=engineer&service=npm');
    const p = new URLSearchParams(s);
    expect(p.get('view')).toBe('engineer');
    expect(p.get('service')).toBe('npm');
    expect(readFilters(s)).toEqual({ ...f, q: 'git' });
    expect(filtersToSearch(NO_FILTERS, s)).toBe('?view=engineer&service=npm');
  });
  it('filters by name or id (any case), category, tier, status and hides operational', () => {
    const ids = (f: Partial<typeof NO_FILTERS>) => applyFilters(list, { ...NO_FILTERS, ...f }).map((s) => s.id);
    expect(applyFilters(list, NO_FILTERS)).toBe(list);
    expect(ids({ q: 'GIT' })).toEqual(['github']);
    expect(ids({ category: 'engineering' })).toEqual(['github', 'npm']);
    expect(ids({ tier: 'critical' })).toEqual(['github']);
    expect(ids({ status: 'incident' })).toEqual(['github', 'okta']);
    expect(ids({ status: 'unknown' })).toEqual(['npm']); // a broken poller is unknown, never operational
    expect(ids({ hideOperational: true })).toEqual(['github', 'npm', 'okta']);
    expect(ids({ hideOperational: true, category: 'engineering', q: 'n' })).toEqual(['npm']);
  });
});

describe('IncidentCards', () => {
  const inc = (id: string): ActiveIncident =>
    ({
      service: svc(id, { current_status: 'major_outage', effective_status: 'major_outage' }),
      impact_statement: id + ' is down',
      affected_services: [],
      started_at: new Date().toISOString(),
    }) as ActiveIncident;
  it('shows three cards, then the rest on request, and the total when the summary is cut', async () => {
    const el = document.createElement('div');
    const incidents = ['a', 'b', 'c', 'd', 'e'].map(inc);
    render(<IncidentCards incidents={incidents} total={25} services={null} onOpen={() => {}} />, el);
    expect(el.querySelectorAll('.incident-card')).toHaveLength(3);
    expect(el.querySelector('.section-title .count')!.textContent).toBe('25');
    const more = el.querySelector<HTMLButtonElement>('[data-testid=incidents-more]')!;
    expect(more.textContent).toBe('Show 2 more');
    more.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(el.querySelectorAll('.incident-card')).toHaveLength(5);
    expect(el.textContent).toMatch(/20 more not listed here/);
  });
});
