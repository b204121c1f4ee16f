// Grid ordering (doc/compat.md#s10-3 with doc/compat.md#bug-17 fixed: every category is shown,
// including networking, other and any category the server invents).
import type { Service } from '../api/types';
import { titleCase } from './format';
import { RANK, effectiveStatus, isActiveIncident, isInMaintenance, isUnmonitored, worstOf, type Status } from './status';

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
    const k = s.category || 'other';
    const list = byKey.get(k);
    if (list) list.push(s);
    else byKey.set(k, [s]);
  }
  const known = CATEGORY_ORDER.filter((k) => byKey.has(k));
  const extra = [...byKey.keys()].filter((k) => !CATEGORY_ORDER.includes(k)).sort();
  const groups = [...known, ...extra].map((key, order) => {
    const list = sortTiles(byKey.get(key) ?? []);
    const eff = list.map(effectiveStatus);
    return {
      order,
      group: {
        key,
        label: categoryLabel(key),
        services: list,
        worst: worstOf(eff),
        issues: list.filter(isActiveIncident).length,
        blind: list.filter((s) => s.poller_health === 'broken').length,
        manual: list.filter(isUnmonitored).length,
        maintenance: list.filter(isInMaintenance).length,
      } satisfies CategoryGroup,
    };
  });
  groups.sort((a, b) => RANK[b.group.worst] - RANK[a.group.worst] || a.order - b.order);
  return groups.map((g) => g.group);
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
