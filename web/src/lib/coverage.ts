// Coverage (doc/coverage.md): a figure is only as good as the time it stands
// on. apid sends each uptime, SLA or budget figure with the seconds of its
// window in which the service's status was known; below the coverage rule
// the figure is null and the page says "collecting data (2 h of 30 d)"
// instead of a percentage. Days before monitoring started, and blind time,
// are "no data", never operational.
import type { Coverage } from '../api/types';
import { pct } from './format';

/** A span for coverage text: "15 s", "12 min", "2 h", "24 h", "30 d" (whole units, rounded down). */
export function spanShort(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** "collecting data (2 h of 30 d)"; "no data" when monitoring never started. */
export function collectingText(c: Coverage | null): string {
  if (!c || (c.monitoring_since === null && c.tracked_seconds === 0)) return 'no data';
  return `collecting data (${spanShort(c.tracked_seconds)} of ${spanShort(c.window_seconds)})`;
}

/** The text for a figure: its percentage when the server gave one, else why not. */
export function figureText(v: number | null, c: Coverage | null, digits = 2): string {
  if (v !== null && Number.isFinite(v)) return pct(v, digits);
  if (!c) return '—';
  if (c.tracked_seconds > 0 && c.maintenance_seconds >= c.tracked_seconds) return 'in maintenance';
  return collectingText(c);
}

/** The coverage with the most tracked time among several (the furthest-along service). */
export function bestCoverage(list: Iterable<Coverage | null | undefined>): Coverage | null {
  let best: Coverage | null = null;
  for (const c of list) if (c && (!best || c.tracked_seconds > best.tracked_seconds)) best = c;
  return best;
}
