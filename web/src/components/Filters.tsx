// The Engineer grid's search and filter bar (doc/scale.md#dashboard). The
// search box filters as you type (after a short pause, so 10,000 tiles are
// not filtered on every key); every filter is reflected in the URL.
import { useEffect, useRef, useState } from 'preact/hooks';
import { plural } from '../lib/format';
import { STATUS_FILTERS, activeFilters, type Filters } from '../lib/filters';
import { memo } from '../lib/memo';
import { categoryLabel } from '../lib/sort';

export interface FilterBarProps {
  filters: Filters;
  onChange: (f: Filters) => void;
  /** The categories and tiers present in the list (lib/tally.ts keeps them
   * per live row: no scan of every service here). */
  categories: readonly string[];
  tiers: readonly string[];
  /** Services in the list, and those the filters let through. */
  total: number;
  shown: number;
}

const SEARCH_PAUSE_MS = 150;

// Memoised, with props that keep their identity while unchanged: a live row
// re-renders the bar only when it adds or empties a category or tier, or
// changes the count shown.
export const FilterBar = memo(function FilterBar({ filters, onChange, categories: cats, tiers, total, shown }: FilterBarProps) {
  const [q, setQ] = useState(filters.q);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const onSearch = (v: string) => {
    setQ(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => set({ q: v }), SEARCH_PAUSE_MS);
  };
  return (
    <div class="filter-bar" role="search" aria-label="Filter services">
      <input
        type="search"
        class="filter-q"
        placeholder="Search services"
        aria-label="Search services by name"
        value={q}
        onInput={(e) => onSearch((e.target as HTMLInputElement).value)}
        data-testid="filter-q"
      />
      <select aria-label="Category" value={filters.category} onChange={(e) => set({ category: (e.target as HTMLSelectElement).value })} data-testid="filter-category">
        <option value="">All categories</option>
        {cats.map((c) => (
          <option key={c} value={c}>
            {categoryLabel(c)}
          </option>
        ))}
      </select>
      <select aria-label="Status" value={filters.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })} data-testid="filter-status">
        {STATUS_FILTERS.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      <select aria-label="Tier" value={filters.tier} onChange={(e) => set({ tier: (e.target as HTMLSelectElement).value })} data-testid="filter-tier">
        <option value="">All tiers</option>
        {tiers.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <label class="filter-hide">
        <input
          type="checkbox"
          checked={filters.hideOperational}
          onChange={(e) => set({ hideOperational: (e.target as HTMLInputElement).checked })}
          data-testid="filter-hide-ok"
        />{' '}
        Hide operational
      </label>
      {activeFilters(filters) && (
        <span class="filter-count" aria-live="polite" data-testid="filter-count">
          {shown === total ? `All ${plural(shown, 'service')}` : `${shown} of ${plural(total, 'service')}`}
          <button type="button" class="btn" onClick={() => onChange({ q: '', category: '', status: '', tier: '', hideOperational: false })}>
            Clear
          </button>
        </span>
      )}
    </div>
  );
});
