// Counts over every service of the list, kept up to date row by row
// (doc/scale.md#live-rows): the overall banner's figures (incidents by
// status, manual, blind, in maintenance, seen) and the categories and tiers
// the filter bar offers. A live event changes one row of 10,000; counting
// them all again for it, and scanning them all again for the filter bar's
// options, was most of what was still O(n) per event. tallyOf takes the
// changes that made the new list from the one the tally came from (the same
// ones the grid's groups are patched with: lib/groups.ts listChanges),
// takes each old row's share out and puts the new row's in. Anything else
// is counted from scratch, which gives the same answer.
import type { Service } from '../api/types';
import { listChanges } from './groups';
import { CATEGORY_ORDER } from './sort';
import { RANK, effectiveStatus, isActiveIncident, isInMaintenance, isPollerBroken, isUnmonitored, type Status } from './status';

export interface Tally {
  /** The list counted. */
  list: readonly Service[];
  /** Active incidents by effective status (maintenance left out). */
  incidents: Partial<Record<Status, number>>;
  manual: number;
  blind: number;
  maintenance: number;
  /** Polled services whose status is known. */
  seen: number;
  /** Services per category as the list spells it ('' kept: the filter compares it so). */
  categories: Map<string, number>;
  /** Services per tier (services without a tier are not counted). */
  tiers: Map<string, number>;
  /** The categories present: the fixed order first, then the others by name.
   * The same array while the set is the same, so the filter bar is not
   * re-rendered for a row that did not add or empty a category. */
  categoryList: readonly string[];
  /** The tiers present, by name; the same array while the set is the same. */
  tierList: readonly string[];
}

/** Add (sign 1) or take out (sign -1) one row's share. */
function count(t: Tally, s: Service, sign: 1 | -1): void {
  const eff = effectiveStatus(s);
  const manual = isUnmonitored(s);
  if (isActiveIncident(s)) t.incidents[eff] = (t.incidents[eff] ?? 0) + sign;
  if (manual) t.manual += sign;
  if (isPollerBroken(s)) t.blind += sign;
  if (isInMaintenance(s)) t.maintenance += sign;
  if (!manual && eff !== 'unknown') t.seen += sign;
  bump(t.categories, s.category, sign);
  if (s.tier !== null) bump(t.tiers, s.tier, sign);
}

function bump(m: Map<string, number>, k: string, sign: 1 | -1): void {
  const n = (m.get(k) ?? 0) + sign;
  if (n) m.set(k, n);
  else m.delete(k);
}

function categoryList(m: Map<string, number>): string[] {
  const have = [...m.keys()];
  return [...CATEGORY_ORDER.filter((c) => m.has(c)), ...have.filter((c) => !CATEGORY_ORDER.includes(c)).sort()];
}

function tierList(m: Map<string, number>): string[] {
  return [...m.keys()].sort();
}

/** prev unless its keys differ from m's. */
function sameKeys(prev: readonly string[], m: Map<string, number>, make: (m: Map<string, number>) => string[]): readonly string[] {
  return prev.length === m.size && prev.every((k) => m.has(k)) ? prev : make(m);
}

/** The tally of list, patched from prev when list was made from prev's list
 * by replacing and appending a few rows. The result equals counting from
 * scratch; prev is not modified. */
export function tallyOf(prev: Tally | null, list: readonly Service[]): Tally {
  if (prev && prev.list === list) return prev;
  const changes = prev && listChanges(prev.list, list);
  if (prev && changes) {
    const t: Tally = { ...prev, list, incidents: { ...prev.incidents }, categories: new Map(prev.categories), tiers: new Map(prev.tiers) };
    for (const [old, cur] of changes) {
      if (old) count(t, old, -1);
      count(t, cur, 1);
    }
    t.categoryList = sameKeys(prev.categoryList, t.categories, categoryList);
    t.tierList = sameKeys(prev.tierList, t.tiers, tierList);
    return t;
  }
  const t: Tally = { list, incidents: {}, manual: 0, blind: 0, maintenance: 0, seen: 0, categories: new Map(), tiers: new Map(), categoryList: [], tierList: [] };
  for (const s of list) count(t, s, 1);
  t.categoryList = categoryList(t.categories);
  t.tierList = tierList(t.tiers);
  return t;
}

/** Active incidents in all, and the worst of their statuses (operational when none). */
export function incidentsOf(t: Tally): { incidents: number; status: Status } {
  let incidents = 0;
  let status: Status = 'operational';
  for (const [k, n] of Object.entries(t.incidents) as [Status, number][]) {
    if (!n) continue;
    if (incidents === 0 || RANK[k] > RANK[status]) status = k;
    incidents += n;
  }
  return { incidents, status };
}
