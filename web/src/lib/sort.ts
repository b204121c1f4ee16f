// Grid ordering (doc/compat.md#s10-3 with doc/compat.md#bug-17 fixed: every category is shown,
// including networking, other and any category the server invents).
import type { Service } from '../api/types';
import { titleCase } from './format';
import { RANK, effectiveStatus, isActiveIncident, isInMaintenance, isManual, isUnmonitored, worstOf, type Status } from './status';

export const CATEGORY_ORDER: readonly string[] = [
  'identity',
  'productivity',
  'collaboration',
  'engineering',
  'hr',
  'finance',
  'sales',
  'marketing',
  'networking',
  'support',
  'other',
];

export const CATEGORY_LABEL: Record<string, string> = {
  identity: 'Identity & Access',
  productivity: 'Productivity',
  collaboration: 'Collaboration',
  engineering: 'Engineering',
  hr: 'HR & People',
  finance: 'Finance',
  sales: 'Sales & CRM',
  marketing: 'Marketing',
  networking: 'Networking',
  support: 'Support',
  other: 'Other',
};

export function categoryLabel(key: string): string {
  return CATEGORY_LABEL[key] ?? titleCase(key || 'other');
}

// Same order as localeCompare(b, undefined, { sensitivity: 'base' }), without
// building a collator on every comparison.
let nameCollator: Intl.Collator | null = null;

/** Tile order: unmonitored manual services last; then worst effective status first; then name. */
export function compareTiles(a: Service, b: Service): number {
  const ua = isUnmonitored(a) ? 1 : 0;
  const ub = isUnmonitored(b) ? 1 : 0;
  if (ua !== ub) return ua - ub;
  const r = RANK[effectiveStatus(b)] - RANK[effectiveStatus(a)];
  if (r !== 0) return r;
  nameCollator ??= new Intl.Collator(undefined, { sensitivity: 'base' });
  const n = nameCollator.compare(a.display_name, b.display_name);
  return n !== 0 ? n : a.id.localeCompare(b.id);
}

export function sortTiles(list: readonly Service[]): Service[] {
  return [...list].sort(compareTiles);
}

export interface CategoryGroup {
  key: string;
  label: string;
  services: Service[];
  /** Worst effective status among the category's services. */
  worst: Status;
  /** Services with a real incident (degraded / partial / major). */
  issues: number;
  /** Services whose poller is broken: the dashboard cannot see them. */
  blind: number;
  /** Polled services whose status is unknown while their poller is not
   * broken (not read yet, or pollerd stalled): not seen either, so the
   * category is not "all ok". */
  unseen: number;
  /** Manual services nobody has set. */
  manual: number;
  /** Services in planned maintenance (not issues). */
  maintenance: number;
}

/**
 * Group services by category and sort the categories worst-first (stable:
 * ties keep the fixed category order; unknown categories follow, by name).
 * Only categories that have services are returned.
 */
export function groupByCategory(services: readonly Service[]): CategoryGroup[] {
  const byKey = new Map<string, Service[]>();
  for (const s of services) {
    const k = categoryKey(s);
    const list = byKey.get(k);
    if (list) list.push(s);
    else byKey.set(k, [s]);
  }
  return [...byKey].map(([key, list]) => makeGroup(key, sortTiles(list))).sort(compareGroups);
}

/** The grid category a service is in. */
export function categoryKey(s: Service): string {
  return s.category || 'other';
}

/** A category's group from its services, already in tile order (one pass:
 * lib/groups.ts recounts a category on each live row that moves in it). */
export function makeGroup(key: string, sorted: Service[]): CategoryGroup {
  const g: CategoryGroup = { key, label: categoryLabel(key), services: sorted, worst: 'operational', issues: 0, blind: 0, unseen: 0, manual: 0, maintenance: 0 };
  let worst: Status | null = null;
  for (const s of sorted) {
    const eff = effectiveStatus(s);
    if (worst === null || RANK[eff] > RANK[worst]) worst = eff;
    if (isActiveIncident(s)) g.issues++;
    if (s.poller_health === 'broken') g.blind++;
    else if (!isManual(s) && eff === 'unknown') g.unseen++;
    if (isUnmonitored(s)) g.manual++;
    if (isInMaintenance(s)) g.maintenance++;
  }
  g.worst = worst ?? worstOf([]);
  return g;
}

/** A category's group after some of its rows were taken out and others put
 * in, sorted already: its counts patched from g's, its worst status read
 * off the first tile (tile order puts the worst first, and the manual
 * services nobody set -- unknown -- last). Equals makeGroup(key, sorted)
 * without a pass over the category's rows. */
export function regroup(g: CategoryGroup, sorted: Service[], out: readonly Service[], into: readonly Service[]): CategoryGroup {
  const n: CategoryGroup = { ...g, services: sorted };
  const add = (s: Service, d: 1 | -1) => {
    if (isActiveIncident(s)) n.issues += d;
    if (s.poller_health === 'broken') n.blind += d;
    else if (!isManual(s) && effectiveStatus(s) === 'unknown') n.unseen += d;
    if (isUnmonitored(s)) n.manual += d;
    if (isInMaintenance(s)) n.maintenance += d;
  };
  for (const s of out) add(s, -1);
  for (const s of into) add(s, 1);
  const top = sorted.length ? effectiveStatus(sorted[0]!) : worstOf([]);
  n.worst = n.manual > 0 && RANK.unknown > RANK[top] ? 'unknown' : top;
  return n;
}

/** Category order: worst first; ties in the fixed category order, unknown
 * categories after those, by name. */
export function compareGroups(a: CategoryGroup, b: CategoryGroup): number {
  const r = RANK[b.worst] - RANK[a.worst];
  if (r !== 0) return r;
  const ia = CATEGORY_ORDER.indexOf(a.key);
  const ib = CATEGORY_ORDER.indexOf(b.key);
  if (ia >= 0 || ib >= 0) return ia < 0 ? 1 : ib < 0 ? -1 : ia - ib;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Linear keyboard order across the sorted grid. */
export function flatTiles(groups: readonly CategoryGroup[]): Service[] {
  return groups.flatMap((g) => g.services);
}

/** Executive "top impacts": effective status not operational, worst first, then most recent change. */
export function topImpacts(services: readonly Service[], limit = 8): Service[] {
  return services
    .filter((s) => effectiveStatus(s) !== 'operational' && !isUnmonitored(s))
    .sort((a, b) => {
      const r = RANK[effectiveStatus(b)] - RANK[effectiveStatus(a)];
      if (r !== 0) return r;
      return (b.last_status_change_at ?? '').localeCompare(a.last_status_change_at ?? '');
    })
    .slice(0, limit);
}
