// The Engineer grid's groups (categories of filtered tiles, in tile order)
// kept up to date row by row (doc/scale.md#dashboard). A live event changes
// one row of 10,000; grouping, filtering and sorting them all again for it
// blocked the main thread for tens of milliseconds. deriveGroups compares
// the new list with the one the groups came from by row identity (a stream
// delta replaces only its rows: state/store.ts patchRows), then moves each
// changed row out of its old place and into its new one by binary search,
// and recounts only the categories it touched. Anything else -- another
// filter, rows removed or reordered, a category appearing or emptying, many
// rows at once -- is derived from scratch, which gives the same answer.
import type { Service } from '../api/types';
import { applyFilters, filterTest, sameFilters, type Filters } from './filters';
import { categoryKey, compareGroups, compareTiles, groupByCategory, makeGroup, type CategoryGroup } from './sort';

export interface Derived {
  /** The list the groups were derived from. */
  list: readonly Service[];
  filters: Filters;
  groups: CategoryGroup[];
  /** Tiles shown (the services the filters let through). */
  shown: number;
}

/** Above this many changed rows, deriving from scratch is as cheap. */
export const PATCH_MAX = 256;

/** The groups of list under filters, patched from prev when only a few rows
 * changed in place or were appended. The result equals deriving from scratch. */
export function deriveGroups(prev: Derived | null, list: readonly Service[], filters: Filters): Derived {
  if (prev && sameFilters(prev.filters, filters)) {
    if (prev.list === list) return prev;
    const changes = rowChanges(prev.list, list);
    const groups = changes && patchGroups(prev.groups, changes, filters);
    if (groups) {
      let shown = 0;
      for (const g of groups) shown += g.services.length;
      return { list, filters, groups, shown };
    }
  }
  const shown = applyFilters(list as Service[], filters);
  return { list, filters, groups: groupByCategory(shown), shown: shown.length };
}

/** The rows of b that are not those of a, as [old, new] pairs (old null for
 * an appended row); null when b is not a with rows replaced in place and
 * appended, or when too many changed. */
export function rowChanges(a: readonly Service[], b: readonly Service[]): [Service | null, Service][] | null {
  if (b.length < a.length || b.length - a.length > PATCH_MAX) return null;
  const out: [Service | null, Service][] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.id !== y.id || out.length >= PATCH_MAX) return null;
    out.push([x, y]);
  }
  for (let i = a.length; i < b.length; i++) out.push([null, b[i]!]);
  return out;
}

/** Where s is, or goes, in a list in tile order (the order is total: ids break ties). */
function place(list: readonly Service[], s: Service): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTiles(list[mid]!, s) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** groups with each change applied, only the categories touched rebuilt;
 * null when the change adds or empties a category (derive from scratch). */
function patchGroups(groups: readonly CategoryGroup[], changes: readonly [Service | null, Service][], filters: Filters): CategoryGroup[] | null {
  const pass = filterTest(filters) ?? (() => true);
  const lists = new Map<string, Service[]>(); // the touched categories' tiles, copied
  const tiles = (key: string): Service[] | null => {
    let l = lists.get(key);
    if (!l) {
      const g = groups.find((x) => x.key === key);
      if (!g) return null;
      lists.set(key, (l = g.services.slice()));
    }
    return l;
  };
  for (const [old, cur] of changes) {
    if (old && pass(old)) {
      const l = tiles(categoryKey(old));
      if (!l) return null;
      const i = place(l, old);
      if (l[i] !== old) return null; // not where the groups say: they are not of this list
      l.splice(i, 1);
    }
    if (pass(cur)) {
      const l = tiles(categoryKey(cur));
      if (!l) return null;
      l.splice(place(l, cur), 0, cur);
    }
  }
  const out: CategoryGroup[] = [];
  for (const g of groups) {
    const l = lists.get(g.key);
    if (!l) out.push(g);
    else if (!l.length) return null;
    else out.push(makeGroup(g.key, l));
  }
  return out.sort(compareGroups);
}
