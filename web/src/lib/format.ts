// Time and number formatting. Timestamps from apid are ISO-8601 UTC with
// milliseconds and Z, but seed data also has SQL `YYYY-MM-DD HH:MM:SS` (UTC),
// `+00:00` offsets and microseconds: all are accepted.

/** Parse a timestamp to epoch ms, or null. Zone-less values are UTC. */
export function parseTs(v: string | null | undefined): number | null {
  if (!v || typeof v !== 'string') return null;
  let s = v.trim();
  if (!s) return null;
  // SQL-ts: "2026-11-23 20:31:05" -> ISO
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T');
  // Trim sub-millisecond digits (Date.parse rejects some engines' microseconds).
  s = s.replace(/(\.\d{3})\d+/, '$1');
  // No zone designator -> UTC.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(s)) s += 'Z';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** "just now", "45s ago", "12m ago", "3h ago", "2d ago"; "—" when unknown. Future times read "in …". */
export function relTime(ts: string | number | null | undefined, now: number): string {
  const t = typeof ts === 'number' ? ts : parseTs(ts ?? null);
  if (t === null) return '—';
  const d = Math.round((now - t) / 1000);
  const a = Math.abs(d);
  let body: string;
  if (a < 5) return 'just now';
  if (a < 60) body = `${a}s`;
  else if (a < 3600) body = `${Math.floor(a / 60)}m`;
  else if (a < 86400) body = `${Math.floor(a / 3600)}h`;
  else body = `${Math.floor(a / 86400)}d`;
  return d >= 0 ? `${body} ago` : `in ${body}`;
}

/** Seconds to "Ns", "Nm", "Hh Mm" / "Hh", "Dd Hh". */
export function durationHuman(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  return h ? `${d}d ${h}h` : `${d}d`;
}

/** 99.9512 -> "99.95%"; null -> "—". */
export function pct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(digits)}%`;
}

/** Uptime colour class: good ≥ 99.9, warn ≥ 99, bad below, none for null. */
export function uptimeClass(v: number | null | undefined): 'good' | 'warn' | 'bad' | 'none' {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'none';
  if (v >= 99.9) return 'good';
  if (v >= 99) return 'warn';
  return 'bad';
}

/** Delta versus a target in basis points: "+12 bps", "−40 bps", "±0 bps". */
export function bpsDelta(value: number, target: number): string {
  const bps = Math.round((value - target) * 100);
  if (bps === 0) return '±0 bps';
  return bps > 0 ? `+${bps} bps` : `\u2212${Math.abs(bps)} bps`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/* ---- absolute times: one zone throughout, with its name ------------------
 * Every absolute time shows its zone. The zone is UTC (default: operators
 * compare with vendors' pages and logs, which are mostly UTC) or the
 * browser's local zone, chosen in the footer and kept in localStorage.
 * Day squares and day labels stay UTC days: they are the server's buckets. */
export type ZoneMode = 'utc' | 'local';
export const ZONE_KEY = 'itstatus-time-zone';
let zoneMode: ZoneMode = 'utc';
try {
  if (typeof localStorage !== 'undefined' && localStorage.getItem(ZONE_KEY) === 'local') zoneMode = 'local';
} catch {
  /* storage may be unavailable */
}
let fmtCache: Record<string, Intl.DateTimeFormat> = {};

export function getZoneMode(): ZoneMode {
  return zoneMode;
}

export function setZoneMode(m: ZoneMode): void {
  zoneMode = m;
  fmtCache = {};
  try {
    localStorage.setItem(ZONE_KEY, m);
  } catch {
    /* ignore */
  }
}

function fmt(kind: 'day' | 'dayYear' | 'zone'): Intl.DateTimeFormat {
  const key = `${zoneMode}:${kind}`;
  const tz = zoneMode === 'utc' ? { timeZone: 'UTC' } : {};
  fmtCache[key] ??=
    kind === 'zone'
      ? new Intl.DateTimeFormat('en-GB', { ...tz, timeZoneName: 'short', hour: '2-digit' })
      : new Intl.DateTimeFormat('en-GB', { ...tz, weekday: 'short', day: 'numeric', month: 'short', ...(kind === 'dayYear' ? { year: 'numeric' } : {}) });
  return fmtCache[key]!;
}

/** The zone's short name at t: "UTC", or the local one ("CET", "GMT+1"). */
export function zoneName(t: number): string {
  if (zoneMode === 'utc') return 'UTC';
  const part = fmt('zone')
    .formatToParts(new Date(t))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}

function hm(d: Date, secs = false): string {
  const [h, m, s] = zoneMode === 'utc' ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${pad(h)}:${pad(m)}${secs ? ':' + pad(s) : ''}`;
}

/** "2026-11-23 20:31 UTC" (in the chosen zone, named). */
export function utcDateTime(ts: string | number | null | undefined): string {
  const t = typeof ts === 'number' ? ts : parseTs(ts ?? null);
  if (t === null) return '—';
  const d = new Date(t);
  const [y, mo, da] = zoneMode === 'utc' ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()] : [d.getFullYear(), d.getMonth(), d.getDate()];
  return `${y}-${pad(mo + 1)}-${pad(da)} ${hm(d)} ${zoneName(t)}`;
}

/** "Wed, 2 Dec 2026, 14:05 UTC": an absolute time with its year and zone. */
export function fullDateTime(ts: string | number | null | undefined): string {
  const t = typeof ts === 'number' ? ts : parseTs(ts ?? null);
  if (t === null) return '—';
  const d = new Date(t);
  return `${fmt('dayYear').format(d)}, ${hm(d)} ${zoneName(t)}`;
}

/** Wall-clock "HH:MM:SS UTC" in the chosen zone. */
export function clockTime(t: number): string {
  return `${hm(new Date(t), true)} ${zoneName(t)}`;
}

/** "Mon 23 Nov, 14:05 UTC" in the chosen zone. */
export function shortDateTime(ts: string | number | null | undefined): string {
  const t = typeof ts === 'number' ? ts : parseTs(ts ?? null);
  if (t === null) return '—';
  const d = new Date(t);
  return `${fmt('day').format(d)}, ${hm(d)} ${zoneName(t)}`;
}

// One formatter for every day label: toLocaleDateString() with options builds
// a new Intl.DateTimeFormat per call, which cost seconds across 1,000 tiles.
let dayFmt: Intl.DateTimeFormat | null = null;
const dayLabels = new Map<string, string>();

/** "2026-11-23" -> "Mon 23 Nov" (UTC day). Memoised: a page only ever shows a few dozen distinct days. */
export function dayLabel(day: string): string {
  const hit = dayLabels.get(day);
  if (hit !== undefined) return hit;
  const t = parseTs(day);
  let label = day;
  if (t !== null) {
    dayFmt ??= new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
    label = dayFmt.format(new Date(t));
  }
  if (dayLabels.size >= 512) dayLabels.clear();
  dayLabels.set(day, label);
  return label;
}

/** Last `n` UTC days as YYYY-MM-DD, oldest first, ending today. */
export function lastDays(n: number, now: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(now - i * 86400000);
    out.push(`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`);
  }
  return out;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function titleCase(s: string): string {
  return s
    .replace(/[_-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b\w/g, (c) => c.toUpperCase());
}
