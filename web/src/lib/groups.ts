// The Engineer grid's groups (categories of filtered tiles, in tile order)
// kept up to date row by row (doc/scale.md#dashboard). A live event changes
// one row of 10,000; grouping, filtering and sorting them all again for it
// blocked the main thread for tens of milliseconds. deriveGroups takes the
// rows that changed (noted by the delta that made the new list, state/
// store.ts patchRows; else found by comparing the two lists by row
// identity), moves each changed row out of its old place and into its new
// one by binary search, and patches the counts of the categories it touched
// (lib/sort.ts regroup). Anything else -- another filter, rows removed or
// reordered, a category appearing or emptying, many rows at once -- is
// derived from scratch, which gives the same answer.
import type { Service } from '../api/types';
import { applyFilters, filterTest, sameFilters, type Filters } from './filters';
import { categoryKey, compareGroups, compareTiles, groupByCategory, regroup, type CategoryGroup } from './sort';

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
    const changes = listChanges(prev.list, list);
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

/** A row change: [old, new], old null for an appended row. */
export type RowChange = [Service | null, Service];

/** For a list made from another by replacing and appending rows (state/
 * store.ts patchRows, patchService): the list it was made from and the
 * changes, in the order they were made. What is derived from the older list
 * (the groups, lib/tally.ts) is patched with these instead of comparing the
 * 10,000 rows of both lists. Only the last step is kept: a list's entry is
 * dropped when a newer list is made from it, so the lists do not chain. */
const made = new WeakMap<readonly Service[], { from: readonly Service[]; changes: readonly RowChange[] }>();

/** Note that next is from with these changes applied in order (no row
 * removed or moved). */
export function noteChanges(from: readonly Service[], next: readonly Service[], changes: readonly RowChange[]): void {
  made.delete(from);
  made.set(next, { from, changes });
}

/** The changes that make b from a: those noted when b was made from a, else
 * found by comparing the rows (rowChanges); null when b is not a with rows
 * replaced in place and appended, or when too many changed. */
export function listChanges(a: readonly Service[], b: readonly Service[]): readonly RowChange[] | null {
  const m = made.get(b);
  if (m && m.from === a) return m.changes.length > PATCH_MAX ? null : m.changes;
  return rowChanges(a, b);
}

/** The rows of b that are not those of a, as [old, new] pairs (old null for
 * an appended row); null when b is not a with rows replaced in place and
 * appended, or when too many changed. */
export function rowChanges(a: readonly Service[], b: readonly Service[]): RowChange[] | null {
  if (b.length < a.length || b.length - a.length > PATCH_MAX) return null;
  const out: RowChange[] = [];
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
function patchGroups(groups: readonly CategoryGroup[], changes: readonly RowChange[], filters: Filters): CategoryGroup[] | null {
  const pass = filterTest(filters) ?? (() => true);
  // The touched categories: their tiles (copied), the rows taken out, put in.
  const touched = new Map<string, { tiles: Service[]; out: Service[]; into: Service[] }>();
  const edit = (key: string) => {
    let t = touched.get(key);
    if (!t) {
      const g = groups.find((x) => x.key === key);
      if (!g) return null;
      touched.set(key, (t = { tiles: g.services.slice(), out: [], into: [] }));
    }
    return t;
  };
  for (const [old, cur] of changes) {
    if (old && pass(old)) {
      const t = edit(categoryKey(old));
      if (!t) return null;
      const i = place(t.tiles, old);
      if (t.tiles[i] !== old) return null; // not where the groups say: they are not of this list
      t.tiles.splice(i, 1);
      t.out.push(old);
    }
    if (pass(cur)) {
      const t = edit(categoryKey(cur));
      if (!t) return null;
      t.tiles.splice(place(t.tiles, cur), 0, cur);
      t.into.push(cur);
    }
  }
  const out: CategoryGroup[] = [];
  for (const g of groups) {
    const t = touched.get(g.key);
    if (!t) out.push(g);
    else if (!t.tiles.length) return null;
    else out.push(regroup(g, t.tiles, t.out, t.into));
  }
  return out.sort(compareGroups);
}

/** Some rows of a list by id: the incident cards' services. */
export interface Picked {
  list: readonly Service[];
  ids: readonly string[];
  rows: Map<string, Service>;
}

/** The rows of list whose id is one of ids (the first of each id), patched
 * from prev when only the ids are the same and list was made from prev's
 * list by replacing and appending rows: a live row does not scan 10,000
 * rows for the 20 the incident cards show. Equals picking from scratch. */
export function pickRows(prev: Picked | null, list: readonly Service[], ids: readonly string[]): Picked {
  if (prev && prev.list === list && prev.ids === ids) return prev;
  const changes = prev && prev.ids === ids ? listChanges(prev.list, list) : null;
  if (prev && changes) {
    const rows = new Map(prev.rows);
    // A replaced row takes its id's entry only if that entry was the old row
    // (a later row with the same id does not displace the first); an
    // appended row only fills an id not found yet.
    for (const [old, cur] of changes) {
      const had = rows.get(cur.id);
      if (old ? had === old : !had && ids.includes(cur.id)) rows.set(cur.id, cur);
    }
    return { list, ids, rows };
  }
  const want = new Set(ids);
  const rows = new Map<string, Service>();
  for (const s of list) if (want.has(s.id) && !rows.has(s.id)) rows.set(s.id, s);
  return { list, ids, rows };
}
