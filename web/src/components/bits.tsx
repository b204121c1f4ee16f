// Small shared presentational pieces.
import type { Status, StatusClass } from '../lib/status';
import { LABEL } from '../lib/status';
import { dayLabel, fullDateTime, relTime, utcDateTime } from '../lib/format';
import { useNow } from '../lib/useNow';
import { spanShort } from '../lib/coverage';
import { StatusIcon } from './Icon';

export function RelTime(props: { ts: string | null | undefined; prefix?: string }) {
  const now = useNow();
  if (!props.ts) return <span class="muted">—</span>;
  return (
    <time dateTime={props.ts} title={utcDateTime(props.ts)} data-tabular>
      {props.prefix ?? ''}
      {relTime(props.ts, now)}
    </time>
  );
}

/** An absolute time with its year and zone ("Wed, 2 Dec 2026, 14:05 UTC"). */
export function DateTime(props: { ts: string | null | undefined }) {
  if (!props.ts) return <span class="muted">—</span>;
  return (
    <time dateTime={props.ts} data-tabular>
      {fullDateTime(props.ts)}
    </time>
  );
}

export function StatusPill(props: { status: StatusClass; label?: string; broken?: boolean; size?: 'sm' | 'md' }) {
  const label = props.label ?? (props.status === 'manual' ? 'Manual' : LABEL[props.status as Status]);
  return (
    <span class={`pill pill-${props.status} ${props.size === 'sm' ? 'pill-sm' : ''}`}>
      <StatusIcon status={props.status} broken={props.broken} size={props.size === 'sm' ? 13 : 15} />
      <span>{label}</span>
    </span>
  );
}

/** The label of one day square: its worst status, or "No data" for a day not seen at all. */
export function dayText(day: string, s: Status | undefined, tracked: number | undefined): string {
  if (!s) return `${dayLabel(day)}: No data`;
  const partial = tracked !== undefined && tracked < 86400 - 60 ? ` (seen ${spanShort(tracked)})` : '';
  return `${dayLabel(day)}: ${LABEL[s]}${partial}`;
}

/** Seven squares, oldest left, coloured by each day's worst status; a day the
 * server did not see (before monitoring started, blind) is grey "no data". */
export function DayStrip(props: {
  days: string[];
  byDay: Record<string, Status> | undefined;
  /** Seconds seen per day, for "(seen 2 h)" on partly seen days. */
  tracked?: Record<string, number> | undefined;
  size?: 'sm' | 'md';
  label: string;
  /** Hidden from assistive technology (e.g. inside a tile, where the drawer has the detail). */
  decorative?: boolean;
}) {
  const days = props.days;
  if (days.length === 0) return null;
  // The text alternative is only built when it is exposed (not for the decorative per-tile strips).
  const a11y = props.decorative
    ? { 'aria-hidden': 'true' as const }
    : {
        role: 'img' as const,
        'aria-label': `${props.label}: ${days.map((d) => dayText(d, props.byDay?.[d], props.tracked?.[d])).join('; ')}`,
      };
  return (
    <span class={`daystrip daystrip-${props.size ?? 'sm'}`} {...a11y}>
      {days.map((d) => {
        const s = props.byDay?.[d];
        return <span key={d} class={`day day-${s ?? 'nodata'}`} data-day={d} title={dayText(d, s, props.tracked?.[d])} />;
      })}
    </span>
  );
}

export function Skeleton(props: { lines?: number; class?: string }) {
  return (
    <div class={`skeleton ${props.class ?? ''}`} aria-hidden="true">
      {Array.from({ length: props.lines ?? 3 }, (_, i) => (
        <span key={i} class="skeleton-line" />
      ))}
    </div>
  );
}

export function ErrorNote(props: { what: string; error: string | null; onRetry?: () => void }) {
  if (!props.error) return null;
  return (
    <p class="error-note" role="status">
      Could not load {props.what}: {props.error}.{' '}
      {props.onRetry && (
        <button type="button" class="link-button" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </p>
  );
}
