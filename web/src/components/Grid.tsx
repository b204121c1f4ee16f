// Engineer grid: categories worst-first, tiles worst-first, one roving tab
// stop across all tiles (j/k/arrows, Home/End, Enter opens the drawer).
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Coverage, Service, Sla, Uptime } from '../api/types';
import { collectingText } from '../lib/coverage';
import { pct, plural, uptimeClass } from '../lib/format';
import { memo } from '../lib/memo';
import { flatTiles, groupByCategory, type CategoryGroup } from '../lib/sort';
import {
  LABEL,
  displayLabel,
  effectiveStatus,
  isFlapping,
  isIncident,
  isInMaintenance,
  isPollerBroken,
  isUnmonitored,
  statusClass,
  type Status,
} from '../lib/status';
import { DayStrip } from './bits';
import { Icon, StatusIcon } from './Icon';

export function tileTooltip(s: Service): string {
  if (isPollerBroken(s)) return 'Poller broken — readings may be stale\n' + (s.last_failure_reason ?? 'no reason recorded');
  if (isFlapping(s) && s.pending_status)
    return `Unstable: ${plural(s.pending_status_count, 'poll')} at ${LABEL[s.pending_status]}`;
  if (isUnmonitored(s)) return 'Manual service — status is set by an operator';
  return s.current_status_detail || displayLabel(s);
}

interface TileProps {
  s: Service;
  index: number;
  active: boolean;
  days: string[];
  /** This service's worst status per day (not the whole uptime map, so one row's change re-renders one tile). */
  byDay: Record<string, Status> | undefined;
  /** Seconds seen per day (partly seen days say so in their tooltip). */
  tracked: Record<string, number> | undefined;
  uptime7d: number | null;
  /** What the 7-day figure stands on; without a figure the tile says "collecting data". */
  cov7d: Coverage | null;
  onOpen: (id: string) => void;
  onFocusIndex: (i: number) => void;
}

// Memoised: the shell re-renders on every store update (SSE, polls, clock
// offset, announcements); with 1,000 tiles only the tiles whose props
// changed may be diffed again.
const Tile = memo(function Tile({ s, index, active, days, byDay, tracked, uptime7d, cov7d, onOpen, onFocusIndex }: TileProps) {
  const eff = effectiveStatus(s);
  const broken = isPollerBroken(s);
  const maint = isInMaintenance(s);
  const flapping = isFlapping(s);
  const manual = isUnmonitored(s);
  const cls = statusClass(s);
  return (
    <li class="tile-cell">
      <button
        type="button"
        class={`tile tile-${cls}${broken ? ' tile-broken' : ''}${flapping ? ' tile-flapping' : ''}${maint ? ' tile-in-maint' : ''}`}
        data-service-id={s.id}
        data-status={eff}
        data-index={index}
        tabIndex={active ? 0 : -1}
        title={tileTooltip(s)}
        onClick={() => onOpen(s.id)}
        onFocus={() => onFocusIndex(index)}
      >
        {/* The accessible name is the visible text plus sr-only context (WCAG 2.5.3 label in name). */}
        <span class="tile-top">
          <span class="tile-name">{s.display_name}</span>
        </span>
        <span class="tile-status">
          <StatusIcon status={cls} broken={broken} size={16} pulse={!broken && !maint && isIncident(eff)} />
          <span class="sr-only">, status </span>
          <span class="tile-label">{displayLabel(s)}</span>
          {s.in_maintenance && (
            <span class="tile-maint">
              <Icon name="wrench" size={14} />
              <span class="sr-only">, </span>
              <span>Maintenance</span>
            </span>
          )}
        </span>
        {/* After the status in the DOM, so a screen reader hears the status
            before the uptime; the grid puts it top right. */}
        <span class="tile-badge">
          {flapping && s.pending_status ? (
            <span class="badge badge-pending">
              <span class="sr-only">, unstable, {plural(s.pending_status_count, 'poll')} at </span>
              <Icon name="activity" size={13} class="pulse" />→ {LABEL[s.pending_status]}
            </span>
          ) : uptime7d !== null && !manual && !broken ? (
            <span class={`badge badge-uptime up-${uptimeClass(uptime7d)}`} data-tabular>
              <span class="sr-only">, 7-day uptime </span>
              {pct(uptime7d, 1)}
            </span>
          ) : cov7d && !manual && !broken ? (
            <span class="badge badge-collecting" title={`7-day uptime: ${collectingText(cov7d)}`} data-testid="tile-collecting">
              <span class="sr-only">, 7-day uptime </span>
              {collectingText(cov7d) === 'no data' ? 'no data' : 'collecting data'}
              <span class="sr-only"> {collectingText(cov7d).replace(/^collecting data /, '')}</span>
            </span>
          ) : null}
        </span>
        <span class="tile-foot">
          {broken ? (
            <span class="tile-reason">
              <span class="sr-only">, poller broken, readings may be stale: </span>
              {s.last_failure_reason ?? 'poller broken'}
            </span>
          ) : manual ? null : (
            <DayStrip days={days} byDay={byDay} tracked={tracked} label="Last 7 days" decorative />
          )}
        </span>
      </button>
    </li>
  );
});

function Rollup({ g }: { g: CategoryGroup }) {
  if (g.issues === 0 && g.blind === 0 && g.maintenance > 0) {
    return (
      <span class="rollup rollup-maint">
        <Icon name="wrench" size={14} />
        {g.maintenance} in maintenance
      </span>
    );
  }
  if (g.issues === 0 && g.blind === 0) {
    const onlyManual = g.manual === g.services.length;
    return (
      <span class={`rollup ${onlyManual ? 'rollup-manual' : 'rollup-ok'}`}>
        {!onlyManual && <Icon name="check" size={14} />}
        {onlyManual ? plural(g.manual, 'manual service') : 'all ok'}
      </span>
    );
  }
  const bits = [];
  if (g.issues) bits.push(plural(g.issues, 'issue'));
  if (g.blind) bits.push(`${g.blind} blind`);
  if (g.maintenance) bits.push(`${g.maintenance} in maintenance`);
  return (
    <span class={`rollup rollup-${g.issues ? g.worst : 'unknown'}`}>
      <StatusIcon status={g.issues ? g.worst : 'unknown'} broken={!g.issues} size={14} />
      {bits.join(' · ')}
    </span>
  );
}

export interface GridProps {
  services: Service[];
  uptime: Uptime | null;
  sla: Sla | null;
  days: string[];
  onOpen: (id: string) => void;
}

export function Grid({ services, uptime, sla, days, onOpen }: GridProps) {
  const groups = useMemo(() => groupByCategory(services), [services]);
  const flat = useMemo(() => flatTiles(groups), [groups]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const activeIndex = Math.max(0, activeId ? flat.findIndex((s) => s.id === activeId) : 0);
  // Stable props for the memoised tiles: the same days array while its content
  // is the same, and one focus handler reading the current order.
  const daysRef = useRef(days);
  if (daysRef.current.length !== days.length || daysRef.current.some((d, i) => d !== days[i])) daysRef.current = days;
  const stableDays = daysRef.current;
  const flatRef = useRef(flat);
  flatRef.current = flat;
  const onFocusIndex = useCallback((k: number) => setActiveId(flatRef.current[k]?.id ?? null), []);

  useEffect(() => {
    if (activeId && !flat.some((s) => s.id === activeId)) setActiveId(null);
  }, [flat, activeId]);

  const focusIndex = (i: number) => {
    const n = flat.length;
    if (!n) return;
    const j = Math.max(0, Math.min(n - 1, i));
    const s = flat[j]!;
    setActiveId(s.id);
    root.current?.querySelector<HTMLElement>(`[data-service-id="${CSS.escape(s.id)}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target as HTMLElement | null;
    if (!t || !t.matches('.tile')) return;
    const i = Number(t.dataset.index ?? activeIndex);
    let next: number | null = null;
    switch (e.key) {
      case 'j':
      case 'ArrowRight':
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'k':
      case 'ArrowLeft':
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = flat.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    focusIndex(next);
  };

  let index = 0;
  return (
    <div class="grid" ref={root} onKeyDown={onKeyDown} id="service-grid" aria-describedby="grid-help">
      <p id="grid-help" class="sr-only">
        Services grouped by category, worst first. Use the arrow keys or J and K to move between services, Home and End to
        jump, Enter to open details.
      </p>
      {groups.map((g) => (
        <section class={`category cat-${g.worst}`} key={g.key} data-category={g.key} aria-labelledby={`cat-${g.key}`}>
          <header class="category-head">
            <h3 id={`cat-${g.key}`}>{g.label}</h3>
            <Rollup g={g} />
          </header>
          <ul class="tiles" aria-labelledby={`cat-${g.key}`}>
            {g.services.map((s) => {
              const i = index++;
              return (
                <Tile
                  key={s.id}
                  s={s}
                  index={i}
                  active={i === activeIndex}
                  days={stableDays}
                  byDay={uptime?.services[s.id]}
                  tracked={uptime?.tracked[s.id]}
                  uptime7d={sla?.services[s.id]?.uptime_7d ?? null}
                  cov7d={sla?.services[s.id]?.coverage['7d'] ?? null}
                  onOpen={onOpen}
                  onFocusIndex={onFocusIndex}
                />
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function GridSkeleton() {
  return (
    <div class="grid" aria-hidden="true">
      {Array.from({ length: 4 }, (_, c) => (
        <section class="category skeleton-cat" key={c}>
          <header class="category-head">
            <span class="skeleton-line" style={{ width: '40%' }} />
          </header>
          <ul class="tiles">
            {Array.from({ length: 4 }, (_, t) => (
              <li class="tile-cell" key={t}>
                <span class="tile tile-skeleton" />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
