// Issue 16 (doc/scale.md#dashboard): a live delta patches the list and the
// grid's groups for its rows only. Whatever the delta, the patched state must
// equal the state derived from scratch.
import { describe, expect, it } from 'vitest';
import type { Service, ServicesList } from '../src/api/types';
import { NO_FILTERS, type Filters } from '../src/lib/filters';
import { deriveGroups, listChanges, pickRows, rowChanges, type Derived, type Picked } from '../src/lib/groups';
import { incidentsOf, tallyOf, type Tally } from '../src/lib/tally';
import type { Status } from '../src/lib/status';
import { findService, patchRows, patchService } from '../src/state/store';
import { svc } from './fixtures';

/** A small seeded PRNG (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATS = ['identity', 'engineering', 'other', 'legal', 'hr', ''];
const STATUSES: Status[] = ['operational', 'operational', 'operational', 'degraded', 'partial_outage', 'major_outage', 'unknown'];
const NAMES = ['Alpha', 'alpha', 'Beta', 'gamma', 'Delta', 'delta', 'Zed'];
const FILTERS: Filters[] = [
  NO_FILTERS,
  { ...NO_FILTERS, hideOperational: true },
  { ...NO_FILTERS, status: 'incident' },
  { ...NO_FILTERS, status: 'unknown', tier: 'critical' },
  { ...NO_FILTERS, category: 'engineering' },
  { ...NO_FILTERS, q: ' ALPHA ' },
];

function row(r: () => number, id: string): Service {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  return svc(id, {
    display_name: pick(NAMES),
    category: pick(CATS),
    current_status: pick(STATUSES),
    poller_health: r() < 0.1 ? 'broken' : 'healthy',
    poll_type: r() < 0.1 ? 'manual' : 'statuspage_json',
    in_maintenance: r() < 0.1,
    tier: r() < 0.3 ? 'critical' : 'important',
    pending_status: r() < 0.1 ? pick(STATUSES) : null,
    pending_status_count: r() < 0.1 ? 2 : 0,
  });
}

/** The list after a delta as the stream handler built it before issue 16. */
function naive(list: Service[], rows: Service[], removed: string[]): Service[] {
  const byId = new Map(rows.map((x) => [x.id, x]));
  const gone = new Set(removed);
  const out: Service[] = [];
  for (const x of list) {
    if (gone.has(x.id)) continue;
    out.push(byId.get(x.id) ?? x);
    byId.delete(x.id);
  }
  return [...out, ...byId.values()];
}

describe('live delta patch', () => {
  it('list and groups after random deltas equal those derived from scratch, under every filter', () => {
    for (const [fi, filters] of FILTERS.entries()) {
      const r = rng(16 + fi);
      let next = 0;
      let list: ServicesList = { services: Array.from({ length: 300 }, () => row(r, `s${next++}`)), total: 300 };
      let derived: Derived = deriveGroups(null, list.services, filters);
      let patched = 0;
      for (let step = 0; step < 150; step++) {
        const ids = list.services.map((s) => s.id);
        // Mostly a few rows (a scan per row), sometimes many (one pass with a map).
        const k = r() < 0.2 ? 9 + Math.floor(r() * 20) : 1 + Math.floor(r() * 4);
        const changed = Array.from({ length: k }, () => row(r, ids[Math.floor(r() * ids.length)]!));
        if (r() < 0.1) changed.push(row(r, `s${next++}`)); // a new service
        const removed = r() < 0.05 ? [ids[Math.floor(r() * ids.length)]!] : [];
        if (r() < 0.03) changed.push(row(r, removed[0] ?? 's0')); // removed and sent again
        const want = naive(list.services, changed, removed);
        const prev = derived;
        list = patchRows(list, changed, removed);
        expect(list.services).toEqual(want);
        expect(list.total).toBe(want.length);
        derived = deriveGroups(prev, list.services, filters);
        const scratch = deriveGroups(null, list.services, filters);
        expect(derived.groups).toEqual(scratch.groups);
        expect(derived.shown).toBe(scratch.shown);
        if (derived.groups.some((g) => prev.groups.includes(g))) patched++;
      }
      // Most deltas took the patch path (a group untouched kept its identity).
      expect(patched).toBeGreaterThan(30);
    }
  }, 60_000); // 900 deltas: room on a loaded machine

  it('only the changed row and its category get new identities; the list finds rows by id', () => {
    const list: ServicesList = {
      services: [svc('a', { category: 'hr' }), svc('b', { category: 'hr', current_status: 'degraded' }), svc('c', { category: 'identity' })],
      total: 3,
    };
    const d0 = deriveGroups(null, list.services, NO_FILTERS);
    expect(d0.groups.map((g) => g.key)).toEqual(['hr', 'identity']);
    const l1 = patchService(list, 'c', { current_status: 'major_outage' })!;
    expect(l1.services[0]).toBe(list.services[0]);
    expect(l1.services[2]!.current_status).toBe('major_outage');
    expect(list.services[2]!.current_status).toBe('operational'); // the old list is left as it was
    expect(findService(l1, 'c')).toBe(l1.services[2]);
    expect(findService(l1, 'nope')).toBeNull();
    expect(patchService(l1, 'nope', { current_status: 'degraded' })).toBe(l1);
    const d1 = deriveGroups(d0, l1.services, NO_FILTERS);
    // Identity moved worst-first, with its counts; HR untouched, same object.
    expect(d1.groups.map((g) => [g.key, g.worst, g.issues])).toEqual([['identity', 'major_outage', 1], ['hr', 'degraded', 1]]);
    expect(d1.groups[1]).toBe(d0.groups[0]);
    // Moving within a category: b recovers and sorts after a by name.
    const l2 = patchService(l1, 'b', { current_status: 'operational' })!;
    const d2 = deriveGroups(d1, l2.services, NO_FILTERS);
    expect(d2.groups.find((g) => g.key === 'hr')!.services.map((s) => s.id)).toEqual(['a', 'b']);
    expect(d2.groups.find((g) => g.key === 'hr')!.issues).toBe(0);
    // "Hide operational" follows the change: b goes, then comes back.
    const hide = { ...NO_FILTERS, hideOperational: true };
    const h1 = deriveGroups(null, l1.services, hide);
    expect(h1.shown).toBe(2);
    const h2 = deriveGroups(h1, l2.services, hide);
    expect(h2.shown).toBe(1);
    expect(deriveGroups(h2, patchService(l2, 'a', { current_status: 'degraded' })!.services, hide).shown).toBe(2);
  });

  it('a patched category is as worst as its unset manual services (unknown, sorted last)', () => {
    const list: ServicesList = {
      services: [svc('a', { category: 'hr' }), svc('m', { category: 'hr', poll_type: 'manual', current_status: 'unknown' }), svc('b', { category: 'hr' })],
      total: 3,
    };
    const d0 = deriveGroups(null, list.services, NO_FILTERS);
    expect(d0.groups[0]!.worst).toBe('unknown');
    const l1 = patchService(list, 'a', { current_status: 'degraded' })!;
    const d1 = deriveGroups(d0, l1.services, NO_FILTERS);
    expect(d1.groups[0]).not.toBe(d0.groups[0]);
    expect(d1.groups).toEqual(deriveGroups(null, l1.services, NO_FILTERS).groups);
    const l2 = patchService(l1, 'a', { current_status: 'operational' })!;
    const d2 = deriveGroups(d1, l2.services, NO_FILTERS);
    expect(d2.groups[0]!.worst).toBe('unknown');
    expect(d2.groups).toEqual(deriveGroups(null, l2.services, NO_FILTERS).groups);
  });

  it('a list that is not the old one patched in place is derived from scratch', () => {
    const a = [svc('a'), svc('b')];
    expect(rowChanges(a, [a[1]!, a[0]!])).toBeNull(); // reordered
    expect(rowChanges(a, [a[0]!])).toBeNull(); // shorter
    expect(rowChanges(a, [a[0]!, svc('b'), svc('c')])!.map(([o, n]) => [o?.id ?? null, n.id])).toEqual([['b', 'b'], [null, 'c']]);
    const d = deriveGroups(null, a, NO_FILTERS);
    expect(deriveGroups(d, [a[1]!, a[0]!], NO_FILTERS).groups).toEqual(d.groups);
  });
});

/** What a tally says, in a form toEqual can compare (zero counts dropped). */
function said(t: Tally) {
  return {
    incidents: incidentsOf(t),
    byStatus: Object.entries(t.incidents).filter(([, n]) => n).sort(),
    counts: [t.manual, t.blind, t.maintenance, t.seen, t.list.length],
    categories: [...t.categories].sort(),
    tiers: [...t.tiers].sort(),
    categoryList: t.categoryList,
    tierList: t.tierList,
  };
}

describe('live delta patch of the counts and picked rows', () => {
  it('the tally and the incident cards\' rows after random deltas equal those from scratch', () => {
    const r = rng(1616);
    let next = 0;
    const TIERS: Service['tier'][] = ['critical', 'important', 'informational', null];
    const mk = (id: string): Service => ({ ...row(r, id), tier: TIERS[Math.floor(r() * TIERS.length)]! });
    let list: ServicesList = { services: Array.from({ length: 200 }, () => mk(`s${next++}`)), total: 200 };
    let tally = tallyOf(null, list.services);
    let ids = ['s1', 's7', 's30', 'nope'];
    let picked: Picked = pickRows(null, list.services, ids);
    let patched = 0;
    let sameLists = 0;
    for (let step = 0; step < 600; step++) {
      const all = list.services.map((s) => s.id);
      const k = r() < 0.2 ? 9 + Math.floor(r() * 20) : 1 + Math.floor(r() * 3);
      const changed = Array.from({ length: k }, () => mk(all[Math.floor(r() * all.length)]!));
      if (r() < 0.1) changed.push(mk(`s${next++}`));
      if (r() < 0.05) ids = [`s${Math.floor(r() * next)}`, `s${next}`, ...ids.slice(0, 3)]; // the summary lists others
      const removed = r() < 0.05 ? [all[Math.floor(r() * all.length)]!] : [];
      const prevList = list;
      // Now and then a status event (patchService), else a services frame.
      list = r() < 0.3 ? patchService(list, changed[0]!.id, { current_status: changed[0]!.current_status, tier: changed[0]!.tier })! : patchRows(list, changed, removed);
      // Sometimes two deltas land before anything derives: the noted step is
      // then not from the tally's list, and the rows are compared instead.
      if (r() < 0.1) list = patchRows(list, [mk(all[0]!)], []);
      const prevTally = tally;
      tally = tallyOf(tally, list.services);
      expect(said(tally)).toEqual(said(tallyOf(null, list.services)));
      if (listChanges(prevList.services, list.services) && tally.list !== prevTally.list) patched++;
      if (tally.categoryList === prevTally.categoryList) sameLists++;
      picked = pickRows(picked, list.services, ids);
      expect([...picked.rows].sort()).toEqual([...pickRows(null, list.services, ids).rows].sort());
    }
    expect(patched).toBeGreaterThan(300);
    // The option lists keep their identity while the set is unchanged.
    expect(sameLists).toBeGreaterThan(300);
  }, 60_000);

  it('a delta notes its changes; a list made otherwise is compared row by row', () => {
    const list: ServicesList = { services: [svc('a'), svc('b'), svc('c')], total: 3 };
    const l1 = patchRows(list, [svc('b', { current_status: 'degraded' }), svc('d')], []);
    expect(listChanges(list.services, l1.services)!.map(([o, n]) => [o?.id ?? null, n.id, n.current_status])).toEqual([
      ['b', 'b', 'degraded'],
      [null, 'd', 'operational'],
    ]);
    const l2 = patchService(l1, 'a', { current_status: 'major_outage' })!;
    expect(listChanges(l1.services, l2.services)!.map(([o, n]) => [o!.current_status, n.current_status])).toEqual([['operational', 'major_outage']]);
    // Two steps: the first step's note is gone, the rows tell the same.
    expect(listChanges(list.services, l2.services)!.map(([o, n]) => [o?.id ?? null, n.id])).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      [null, 'd'],
    ]);
    expect(listChanges(l2.services, patchRows(l2, [], ['a']).services)).toBeNull(); // a row removed
    const t = tallyOf(null, list.services);
    expect(incidentsOf(tallyOf(t, l2.services))).toEqual({ incidents: 2, status: 'major_outage' });
  });
});
