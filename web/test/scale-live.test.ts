// Issue 16 (doc/scale.md#sse, #dashboard): a stream delta's row carries its
// tile's figures, applied without refetching every service's uptime and SLA;
// the grid mounts at most one new row per frame, viewport first.
import { describe, expect, it } from 'vitest';
import { parseServicesDelta, parseSlaHistory, parseSlo } from '../src/api/parse';
import { nextRows } from '../src/components/Grid';
import { applyFigures, initialState } from '../src/state/store';
import { trendMeans, dailyMeans } from '../src/views/ExecutiveView';

const cov = (t: number) => ({ tracked_seconds: t, window_seconds: 86400, maintenance_seconds: 0, monitoring_since: '2026-11-01T00:00:00Z' });
const row = (id: string, figures?: unknown) => ({ id, display_name: id, category: 'other', current_status: 'degraded', poller_health: 'healthy', figures });

describe('delta row figures', () => {
  it('parses each row\'s day squares, seen seconds and SLA entry; a row without them has none', () => {
    const d = parseServicesDelta({
      services: [
        row('a', {
          uptime: { '2026-12-01': 'operational', '2026-12-02': 'degraded', '2026-12-03': 'bogus' },
          tracked_seconds: { '2026-12-01': 86400, '2026-12-02': -5 },
          sla: { uptime_24h: 99.5, uptime_7d: 150, uptime_30d: null, monitoring_since: null, coverage: { '24h': cov(3600) } },
        }),
        row('b'),
      ],
      removed: ['c'],
    });
    expect(d.services.map((s) => s.id)).toEqual(['a', 'b']);
    expect(d.removed).toEqual(['c']);
    expect(Object.keys(d.figures)).toEqual(['a']);
    const f = d.figures.a!;
    expect(f.byDay['2026-12-02']).toBe('degraded');
    expect(f.byDay['2026-12-03']).toBe('unknown'); // junk is no colour
    expect(f.tracked).toEqual({ '2026-12-01': 86400, '2026-12-02': 0 });
    expect(f.sla?.uptime_24h).toBe(99.5);
    expect(f.sla?.uptime_7d).toBe(100); // clamped
    expect(f.sla?.coverage['24h']?.tracked_seconds).toBe(3600);
  });

  it('puts them in place of the service\'s entries, others untouched; nothing before the lists load', () => {
    const st = initialState();
    const figures = parseServicesDelta({
      services: [row('a', { uptime: { d2: 'major_outage' }, tracked_seconds: { d2: 60 }, sla: { uptime_24h: 90, uptime_7d: 98, uptime_30d: 99, monitoring_since: null, coverage: {} } })],
      removed: [],
    }).figures;
    expect(applyFigures(st, figures)).toEqual({});
    st.uptime.data = { days: ['d1', 'd2'], services: { a: { d1: 'operational' }, b: { d1: 'degraded' } }, tracked: { a: { d1: 86400 } }, monitoring_since: {} };
    st.sla.data = { services: { b: { uptime_24h: 50, uptime_7d: 50, uptime_30d: 50, monitoring_since: null, coverage: { '24h': null, '7d': null, '30d': null } } }, rule: null };
    const b = st.uptime.data.services.b;
    const p = applyFigures(st, figures);
    expect(p.uptime!.data!.services).toEqual({ a: { d2: 'major_outage' }, b: { d1: 'degraded' } });
    expect(p.uptime!.data!.services.b).toBe(b);
    expect(p.uptime!.data!.tracked.a).toEqual({ d2: 60 });
    expect(p.sla!.data!.services.a!.uptime_7d).toBe(98);
    expect(p.sla!.data!.services.b!.uptime_7d).toBe(50);
    // A service with no day seen any more is absent ("no data"), as in the list.
    const none = parseServicesDelta({ services: [row('b', { uptime: {}, tracked_seconds: {}, sla: null })], removed: [] }).figures;
    expect('b' in applyFigures(st, none).uptime!.data!.services).toBe(false);
  });
});

describe('worst-N answers', () => {
  it('the trend is the server\'s aggregate when the history was cut, else the per-service mean', () => {
    const full = parseSlaHistory({ days: ['d1', 'd2'], services: { a: [{ date: 'd1', uptime: 100 }, { date: 'd2', uptime: 90 }], b: [{ date: 'd1', uptime: 98 }] } });
    expect(full.aggregate).toBeUndefined();
    expect(trendMeans(full)).toEqual(dailyMeans(full));
    expect(trendMeans(full).values).toEqual([99, 90]);
    const cut = parseSlaHistory({
      days: ['d1', 'd2'],
      services: { a: [{ date: 'd1', uptime: 100 }, { date: 'd2', uptime: 90 }] },
      aggregate: [{ date: 'd1', mean_uptime: 97.5, services: 10000 }, { date: 'd2', mean_uptime: null, services: 0 }, { junk: 1 }],
      services_total: 10000,
    });
    expect(cut.services_total).toBe(10000);
    expect(trendMeans(cut).values).toEqual([97.5, null]);
  });

  it('SLO counts only with worst; a total never below the rows listed', () => {
    expect(parseSlo({ services: [], thresholds: {} }).services_total).toBeUndefined();
    const s = parseSlo({ services: [{ id: 'a' }, { id: 'b' }], thresholds: {}, services_total: 1, fast_burning_count: 3, slow_burning_count: 'x' });
    expect([s.services_total, s.fast_burning_count, s.slow_burning_count]).toEqual([2, 3, 0]);
  });
});

describe('grid rows per frame', () => {
  const plan = (see: [number, number], want: [number, number], keep: [number, number]) => ({ rowPx: 100, cols: 8, rows: 100, see, want, keep });
  it('adds one row a frame, the viewport\'s first, then the overscan below before above', () => {
    const p = plan([10, 15], [5, 20], [0, 30]);
    let r: [number, number] = [10, 11];
    const seen: [number, number][] = [];
    for (let i = 0; i < 12; i++) seen.push((r = nextRows(r[0], r[1], p, true)));
    expect(seen.slice(0, 4)).toEqual([[10, 12], [10, 13], [10, 14], [10, 15]]);
    expect(seen[4]).toEqual([10, 16]); // below first
    expect(seen[9]).toEqual([9, 20]); // then above
    expect(seen[11]).toEqual([7, 20]);
    expect(nextRows(5, 20, p, true)).toEqual([5, 20]); // complete: nothing to add
  });
  it('without the frame\'s row only drops what is out of range; a jump restarts at the viewport', () => {
    const p = plan([50, 55], [45, 60], [40, 65]);
    expect(nextRows(30, 48, p, false)).toEqual([40, 48]);
    expect(nextRows(0, 20, p, false)).toEqual([50, 50]); // nothing kept, none added
    expect(nextRows(0, 20, p, true)).toEqual([50, 51]);
    expect(nextRows(0, 0, plan([0, 0], [0, 0], [0, 0]), true)).toEqual([0, 0]); // far away: none
  });
});
