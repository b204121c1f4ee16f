// Engineer grid: categories worst-first, tiles worst-first, one roving tab
// stop across all tiles (j/k/arrows, Home/End, Enter opens the drawer).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
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

/** A tile's props. Not its position in the grid: a row that moves to the
 * top shifts every tile's position after it, and re-rendering each for it
 * cost most of a live event's render; the window writes each tile's
 * data-index itself (WindowedTiles). */
interface TileProps {
  s: Service;
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
}

// Memoised: the shell re-renders on every store update (SSE, polls, clock
// offset, announcements); with 1,000 tiles only the tiles whose props
// changed may be diffed again.
const Tile = memo(function Tile({ s, active, days, byDay, tracked, uptime7d, cov7d, onOpen }: TileProps) {
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
        tabIndex={active ? 0 : -1}
        title={tileTooltip(s)}
        onClick={() => onOpen(s.id)}
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
  if (g.issues === 0 && g.blind === 0 && g.unseen === 0 && g.maintenance > 0) {
    return (
      <span class="rollup rollup-maint">
        <Icon name="wrench" size={14} />
        {g.maintenance} in maintenance
      </span>
    );
  }
  if (g.issues === 0 && g.blind === 0 && g.unseen === 0) {
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
  if (g.unseen) bits.push(`${g.unseen} unknown`);
  if (g.maintenance) bits.push(`${g.maintenance} in maintenance`);
  return (
    <span class={`rollup rollup-${g.issues ? g.worst : 'unknown'}`}>
      <StatusIcon status={g.issues ? g.worst : 'unknown'} broken={!g.issues} size={14} />
      {bits.join(' · ')}
    </span>
  );
}

/** Layout of the tile grid (styles.css .tiles): column minimum and gap. */
const TILE_MIN_PX = 200;
const TILE_GAP_PX = 8;
/** Rows rendered beyond the viewport on each side, in pixels. */
const OVERSCAN_PX = 800;
/** Rendered rows are dropped only this far out (fewer mounts back and forth). */
const KEEP_PX = 2 * OVERSCAN_PX;
/** Tiles rendered per category before anything is measured (about a row). */
const FIRST_TILES = 8;

/** What one category needs this frame, in rows: those in the viewport, those
 * to render (viewport and overscan) and those it may keep. */
interface Plan {
  rowPx: number;
  cols: number;
  rows: number;
  see: [number, number];
  want: [number, number];
  keep: [number, number];
}

/** Every windowed category. One handler measures them all, then updates
 * them all, once a frame -- reads before writes, so the browser lays the page
 * out once per frame, not once per category. Each frame mounts at most one
 * new row of tiles in the whole grid, rows in the viewport first: mounting
 * is what costs (doc/scale.md#dashboard), and a fast scroll otherwise
 * mounts several rows in one frame. Rows out of range go at once. */
interface WindowHandle {
  read: () => Plan | null;
  /** Apply the plan, adding one row if grow; true while rows are missing. */
  step: (p: Plan | null, grow: boolean) => boolean;
  /** The rows rendered now. */
  rendered: () => [number, number];
}
const windows = new Set<WindowHandle>();
let windowsFrame = 0;
function scheduleWindows(): void {
  if (windowsFrame) return;
  windowsFrame = requestAnimationFrame(() => {
    windowsFrame = 0;
    const all = [...windows];
    const plans = all.map((w) => w.read());
    // The one row this frame: for the first category (page order) missing a
    // row in the viewport, else the first missing one in its overscan.
    const missing = (i: number, k: 'see' | 'want') => {
      const p = plans[i];
      const r = all[i]!.rendered();
      return !!p && p[k][0] < p[k][1] && (r[0] > p[k][0] || r[1] < p[k][1]);
    };
    let grow = all.findIndex((_, i) => missing(i, 'see'));
    if (grow < 0) grow = all.findIndex((_, i) => missing(i, 'want'));
    let pending = false;
    all.forEach((w, i) => {
      pending = w.step(plans[i] ?? null, i === grow) || pending;
    });
    if (pending) scheduleWindows();
  });
}

interface Range {
  first: number; // first tile index rendered
  end: number; // one past the last
  rowPx: number; // row pitch (tile + gap); 0 = not measured: render all
  cols: number;
  total: number;
}

/** The rows [a, b) clamped to [0, rows). */
function rowSpan(a: number, b: number, rows: number): [number, number] {
  const x = Math.max(0, Math.min(rows, a));
  return [x, Math.max(x, Math.min(rows, b))];
}

/**
 * The next rendered rows [c0, c1) after [r0, r1) for plan p: rows outside
 * p.keep dropped, and if grow, one row added -- toward the viewport first,
 * then the overscan (below before above); a range that no longer meets the
 * rows to render restarts at the viewport's top row.
 */
export function nextRows(r0: number, r1: number, p: Plan, grow: boolean): [number, number] {
  let [c0, c1] = [Math.max(r0, p.keep[0]), Math.min(r1, p.keep[1])];
  if (c0 >= c1 || c1 <= p.want[0] || c0 >= p.want[1]) {
    const at = p.see[0] < p.see[1] ? p.see[0] : p.want[0];
    return grow && p.want[0] < p.want[1] ? [at, at + 1] : [at, at];
  }
  if (!grow) return [c0, c1];
  if (c1 < p.see[1]) c1++;
  else if (c0 > p.see[0]) c0--;
  else if (c1 < p.want[1]) c1++;
  else if (c0 > p.want[0]) c0--;
  return [c0, c1];
}

/**
 * One category's tiles, windowed (doc/scale.md#dashboard): only the rows
 * within OVERSCAN_PX of the viewport are in the DOM; the list keeps its full
 * height (padding above, fixed row height) so the page scrolls as if every
 * tile were there. Without layout (tests, no width) every tile is rendered.
 */
const WindowedTiles = memo(function WindowedTiles(props: {
  g: CategoryGroup;
  base: number;
  /** The tile that holds the grid's one tab stop. */
  activeId: string;
  days: string[];
  /** The figures' maps, not the answers holding them: a live delta updates
   * them in place under a new answer (state/store.ts applyFigures), and the
   * rows it changes are new, so their category's group is new too. A
   * category none of whose rows changed is not re-rendered. */
  byDay: Uptime['services'] | undefined;
  tracked: Uptime['tracked'] | undefined;
  sla: Sla['services'] | undefined;
  onOpen: (id: string) => void;
  register: (key: string, reveal: ((i: number) => void) | null) => void;
}) {
  const { g, base } = props;
  const n = g.services.length;
  const ul = useRef<HTMLUListElement>(null);
  const [range, setRange] = useState<Range>({ first: 0, end: Math.min(n, FIRST_TILES), rowPx: 0, cols: 0, total: n });
  const rangeRef = useRef(range);
  rangeRef.current = range;

  const read = useCallback((): Plan | null => {
    const el = ul.current;
    if (!el || typeof window === 'undefined') return null;
    const width = el.clientWidth;
    const prev = rangeRef.current;
    // The tallest tile rendered first sets the row pitch, kept from then on
    // (rows must be equal, and a category scrolled away has no tile left).
    let rowPx = prev.rowPx;
    if (!rowPx) {
      let tileH = 0;
      for (const li of el.querySelectorAll<HTMLElement>(':scope > li')) tileH = Math.max(tileH, li.offsetHeight);
      rowPx = tileH ? tileH + TILE_GAP_PX : 0;
    }
    if (!width || !rowPx) return null;
    const cols = Math.max(1, Math.floor((width + TILE_GAP_PX) / (TILE_MIN_PX + TILE_GAP_PX)));
    // Row r starts r * rowPx below the list's top (the padding stands for the
    // rows above the first rendered one).
    const top = -el.getBoundingClientRect().top;
    const bottom = top + window.innerHeight;
    const rows = Math.ceil(n / cols);
    const span = (y0: number, y1: number) => rowSpan(Math.floor(y0 / rowPx), Math.ceil(y1 / rowPx), rows);
    return {
      rowPx,
      cols,
      rows,
      see: span(top, bottom),
      want: span(top - OVERSCAN_PX, bottom + OVERSCAN_PX),
      keep: span(top - KEEP_PX, bottom + KEEP_PX),
    };
  }, [n]);

  /** The rows rendered now, in the current geometry. */
  const rendered = useCallback((): [number, number] => {
    const cur = rangeRef.current;
    if (!cur.cols || cur.total !== n) return [0, 0];
    return [Math.floor(cur.first / cur.cols), Math.ceil(cur.end / cur.cols)];
  }, [n]);

  const set = useCallback(
    (r: Range) => {
      const cur = rangeRef.current;
      if (r.first !== cur.first || r.end !== cur.end || r.rowPx !== cur.rowPx || r.cols !== cur.cols || r.total !== cur.total) {
        rangeRef.current = r;
        setRange(r);
      }
    },
    [],
  );

  const step = useCallback(
    (p: Plan | null, grow: boolean): boolean => {
      const cur = rangeRef.current;
      if (!p) {
        // No layout: render everything (as before windowing).
        if (cur.rowPx === 0 && cur.end !== n && ul.current && !ul.current.clientWidth) set({ first: 0, end: n, rowPx: 0, cols: 0, total: n });
        return false;
      }
      // What is rendered, in this geometry (a new column count or list keeps
      // the rows of the tiles rendered, as far as they go).
      const same = cur.cols === p.cols && cur.total === n;
      const r0 = same ? Math.floor(cur.first / p.cols) : Math.floor(Math.min(cur.first, n) / p.cols);
      const r1 = same ? Math.ceil(cur.end / p.cols) : r0 + Math.min(1, Math.ceil((Math.min(cur.end, n) - Math.min(cur.first, n)) / p.cols));
      const [c0, c1] = nextRows(r0, r1, p, grow);
      set({ first: c0 * p.cols, end: Math.min(n, c1 * p.cols), rowPx: p.rowPx, cols: p.cols, total: n });
      return c0 > p.want[0] || c1 < p.want[1];
    },
    [n, set],
  );

  // Measure before the first paint (and drop what is far away); the rows
  // come one a frame from the next frame on.
  useLayoutEffect(() => {
    step(read(), false);
    scheduleWindows();
  }, [n, read, step]);

  useEffect(() => {
    const w = { read, step, rendered };
    windows.add(w);
    if (windows.size === 1) {
      window.addEventListener('scroll', scheduleWindows, { passive: true });
      window.addEventListener('resize', scheduleWindows);
    }
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(scheduleWindows) : null;
    if (ro && ul.current) ro.observe(ul.current);
    return () => {
      windows.delete(w);
      if (windows.size === 0) {
        window.removeEventListener('scroll', scheduleWindows);
        window.removeEventListener('resize', scheduleWindows);
      }
      ro?.disconnect();
    };
  }, [read, step, rendered]);

  // Keyboard moves to a tile not in the DOM: scroll its row into view first.
  useEffect(() => {
    props.register(g.key, (i: number) => {
      const el = ul.current;
      const r = rangeRef.current;
      if (!el || !r.rowPx || !r.cols) return;
      const row = Math.floor(i / r.cols);
      const rowTop = el.getBoundingClientRect().top + row * r.rowPx;
      if (rowTop < 80 || rowTop + r.rowPx > window.innerHeight) window.scrollBy(0, rowTop - window.innerHeight / 3);
      // Its row at once, whatever the per-frame budget: focus follows it.
      const [r0, r1] = rendered();
      if (row < r0 || row >= r1) set({ first: row * r.cols, end: Math.min(n, (row + 1) * r.cols), rowPx: r.rowPx, cols: r.cols, total: n });
      scheduleWindows();
    });
    return () => props.register(g.key, null);
  }, [g.key, n, rendered, set]);

  const windowed = range.rowPx > 0 && range.cols > 0;
  const rows = windowed ? Math.ceil(n / range.cols) : 0;
  const style = windowed
    ? {
        height: `${rows * range.rowPx - TILE_GAP_PX}px`,
        paddingTop: `${(range.first / range.cols) * range.rowPx}px`,
        gridAutoRows: `${range.rowPx - TILE_GAP_PX}px`,
      }
    : undefined;
  const visible = g.services.slice(range.first, Math.min(range.end, n));
  // Each tile's position in the grid (the keyboard's order), written here:
  // a shift of every position re-renders no tile (see TileProps).
  useLayoutEffect(() => {
    const el = ul.current;
    if (!el) return;
    let i = base + range.first;
    for (const li of el.children) {
      const b = li.firstElementChild as HTMLElement | null;
      const v = String(i++);
      if (b && b.dataset.index !== v) b.dataset.index = v;
    }
  });
  return (
    <ul class={`tiles${windowed ? ' tiles-windowed' : ''}`} ref={ul} style={style} aria-labelledby={`cat-${g.key}`} data-count={n}>
      {visible.map((s) => (
        <Tile
          key={s.id}
          s={s}
          active={s.id === props.activeId}
          days={props.days}
          byDay={props.byDay?.[s.id]}
          tracked={props.tracked?.[s.id]}
          uptime7d={props.sla?.[s.id]?.uptime_7d ?? null}
          cov7d={props.sla?.[s.id]?.coverage['7d'] ?? null}
          onOpen={props.onOpen}
        />
      ))}
    </ul>
  );
});

/** The id of the tile at position i of the grid's linear order ('' if none). */
function flatAt(groups: readonly CategoryGroup[], i: number): string {
  for (const g of groups) {
    if (i < g.services.length) return g.services[i]!.id;
    i -= g.services.length;
  }
  return '';
}

/** The position of the tile with this id in the grid's linear order, or -1. */
function tileIndex(groups: readonly CategoryGroup[], id: string): number {
  let base = 0;
  for (const g of groups) {
    for (let i = 0; i < g.services.length; i++) if (g.services[i]!.id === id) return base + i;
    base += g.services.length;
  }
  return -1;
}

export interface GridProps {
  /** The tiles, grouped here unless groups is given. */
  services: Service[];
  /** The tiles already grouped (the shell's, patched per live row by lib/groups.ts). */
  groups?: CategoryGroup[];
  uptime: Uptime | null;
  sla: Sla | null;
  days: string[];
  onOpen: (id: string) => void;
}

export function Grid({ services, groups: given, uptime, sla, days, onOpen }: GridProps) {
  const groups = useMemo(() => given ?? groupByCategory(services), [given, services]);
  // The linear order is built only when a key or a focus needs it, not on
  // each live row (10,000 tiles).
  const flat = useMemo(() => {
    let f: Service[] | null = null;
    return () => (f ??= flatTiles(groups));
  }, [groups]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const at = activeId ? tileIndex(groups, activeId) : -1;
  const activeIndex = Math.max(0, at);
  // The tab stop: the tile focused last while it is in the grid, else the first.
  const activeKey = at >= 0 ? activeId! : flatAt(groups, 0);
  // Stable props for the memoised tiles: the same days array while its content
  // is the same, and one focus handler reading the current order.
  const daysRef = useRef(days);
  if (daysRef.current.length !== days.length || daysRef.current.some((d, i) => d !== days[i])) daysRef.current = days;
  const stableDays = daysRef.current;
  // One focus handler for every tile (a tile's own would be a prop to compare).
  const onFocus = useCallback((e: FocusEvent) => {
    const t = e.target as HTMLElement | null;
    if (t?.matches?.('.tile') && t.dataset.serviceId) setActiveId(t.dataset.serviceId);
  }, []);

  useEffect(() => {
    if (activeId && tileIndex(groups, activeId) < 0) setActiveId(null);
  }, [groups, activeId]);

  const reveals = useRef(new Map<string, (i: number) => void>());
  const register = useCallback((key: string, reveal: ((i: number) => void) | null) => {
    if (reveal) reveals.current.set(key, reveal);
    else reveals.current.delete(key);
  }, []);
  const focusIndex = (i: number) => {
    const n = flat().length;
    if (!n) return;
    const j = Math.max(0, Math.min(n - 1, i));
    const s = flat()[j]!;
    setActiveId(s.id);
    const sel = `[data-service-id="${CSS.escape(s.id)}"]`;
    const el = root.current?.querySelector<HTMLElement>(sel);
    if (el) {
      el.focus();
      return;
    }
    // Windowed out: bring its row in, then focus it once rendered.
    let base = 0;
    for (const g of groups) {
      if (j < base + g.services.length) {
        reveals.current.get(g.key)?.(j - base);
        break;
      }
      base += g.services.length;
    }
    requestAnimationFrame(() => requestAnimationFrame(() => root.current?.querySelector<HTMLElement>(sel)?.focus()));
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
        next = flat().length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    focusIndex(next);
  };

  const bases = useMemo(() => {
    let b = 0;
    return groups.map((g) => {
      const x = b;
      b += g.services.length;
      return x;
    });
  }, [groups]);
  return (
    <div class="grid" ref={root} onKeyDown={onKeyDown} onFocusCapture={onFocus} id="service-grid" aria-describedby="grid-help">
      <p id="grid-help" class="sr-only">
        Services grouped by category, worst first. Use the arrow keys or J and K to move between services, Home and End to
        jump, Enter to open details.
      </p>
      {groups.map((g, gi) => (
        <section class={`category cat-${g.worst}`} key={g.key} data-category={g.key} aria-labelledby={`cat-${g.key}`}>
          <header class="category-head">
            <h3 id={`cat-${g.key}`}>{g.label}</h3>
            <Rollup g={g} />
          </header>
          <WindowedTiles
            g={g}
            base={bases[gi]!}
            activeId={activeKey}
            days={stableDays}
            byDay={uptime?.services}
            tracked={uptime?.tracked}
            sla={sla?.services}
            onOpen={onOpen}
            register={register}
          />
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
