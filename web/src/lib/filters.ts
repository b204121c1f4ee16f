// Search and filters of the Engineer grid (doc/scale.md#dashboard), kept in
// the URL (?q=&category=&status=&tier=&hide=operational) so a filtered view
// can be shared and survives a reload. Other query parameters (view, open
// service) are left as they are.
import type { Service } from '../api/types';
import { effectiveStatus, isIncident } from './status';

export interface Filters {
  q: string;
  category: string;
  /** '' | 'incident' | a status */
  status: string;
  tier: string;
  hideOperational: boolean;
}

export const NO_FILTERS: Filters = { q: '', category: '', status: '', tier: '', hideOperational: false };

export const STATUS_FILTERS: readonly [string, string][] = [
  ['', 'Any status'],
  ['incident', 'Any incident'],
  ['major_outage', 'Major outage'],
  ['partial_outage', 'Partial outage'],
  ['degraded', 'Degraded'],
  ['unknown', 'Unknown'],
  ['operational', 'Operational'],
];

export function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return {
    q: p.get('q') ?? '',
    category: p.get('category') ?? '',
    status: p.get('status') ?? '',
    tier: p.get('tier') ?? '',
    hideOperational: p.get('hide') === 'operational',
  };
}

/** The query string for f, keeping the parameters that are not filters. */
export function filtersToSearch(f: Filters, search: string): string {
  const p = new URLSearchParams(search);
  const set = (k: string, v: string) => (v ? p.set(k, v) : p.delete(k));
  set('q', f.q.trim());
  set('category', f.category);
  set('status', f.status);
  set('tier', f.tier);
  set('hide', f.hideOperational ? 'operational' : '');
  const s = p.toString();
  return s ? '?' + s : '';
}

export function activeFilters(f: Filters): boolean {
  return !!(f.q.trim() || f.category || f.status || f.tier || f.hideOperational);
}

/** The test a row must pass to be shown under f; null when no filter is set. */
export function filterTest(f: Filters): ((s: Service) => boolean) | null {
  if (!activeFilters(f)) return null;
  const q = f.q.trim().toLowerCase();
  return (s) => {
    const eff = effectiveStatus(s);
    if (f.hideOperational && eff === 'operational') return false;
    if (f.category && s.category !== f.category) return false;
    if (f.tier && s.tier !== f.tier) return false;
    if (f.status === 'incident' ? !isIncident(eff) : f.status && eff !== f.status) return false;
    if (q && !s.display_name.toLowerCase().includes(q) && !s.id.toLowerCase().includes(q)) return false;
    return true;
  };
}

/** Whether a and b filter alike. */
export function sameFilters(a: Filters, b: Filters): boolean {
  return a.q.trim() === b.q.trim() && a.category === b.category && a.status === b.status && a.tier === b.tier && a.hideOperational === b.hideOperational;
}

/** The services f lets through, in their order. The same array when no filter is set. */
export function applyFilters(list: Service[], f: Filters): Service[] {
  const pass = filterTest(f);
  return pass ? list.filter(pass) : list;
}
