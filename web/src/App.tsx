// The shell: header, banners, the three views, overlays and global shortcuts.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ConnectionBanner,
  IncidentCards,
  MaintenanceBanner,
  StatusBanner,
  overallOf,
  type Overall,
} from './components/Banners';
import { DependencyGraph } from './components/DependencyGraph';
import { FilterBar } from './components/Filters';
import { Grid, GridSkeleton } from './components/Grid';
import { Header, type HeaderProps, type ViewMode } from './components/Header';
import { anyModalOpen } from './components/Modal';
import { ServiceDrawer } from './components/ServiceDrawer';
import { ShortcutsDialog } from './components/Shortcuts';
import { Timeline } from './components/Timeline';
import { UpdateToast } from './components/UpdateToast';
import { ErrorNote } from './components/bits';
import { ErrorBoundary } from './components/ErrorBoundary';
import { applyFilters, filtersToSearch, readFilters, type Filters } from './lib/filters';
import { deriveGroups, type Derived } from './lib/groups';
import { getZoneMode, lastDays, plural, setZoneMode, type ZoneMode } from './lib/format';
import { memo } from './lib/memo';
import { freshness, pollAgeSeconds, titlePrefix, type Freshness } from './lib/staleness';
import { LABEL } from './lib/status';
import { tallyOf, type Tally } from './lib/tally';
import { useNow } from './lib/useNow';
import type { ActiveIncident, Health, Maintenance, Service } from './api/types';
import { resourceLabel, type LiveController } from './state/live';
import { useStore, type AppState, type ResourceKey, type Store } from './state/store';
import { ExecutiveView } from './views/ExecutiveView';
import { SloView } from './views/SloView';

export const VIEW_KEY = 'itstatus-view';
export const COMPACT_KEY = 'itstatus-compact';

/** Compact (wall-screen) layout: ?compact=1|0 in the URL, else the last choice. */
export function readCompact(): boolean {
  try {
    const q = new URLSearchParams(location.search).get('compact');
    if (q === '1' || q === '0') return q === '1';
    return localStorage.getItem(COMPACT_KEY) === '1';
  } catch {
    return false;
  }
}
const VERSION = '0.1.0';

export function readView(): ViewMode {
  try {
    const q = new URLSearchParams(location.search).get('view');
    if (q === 'engineer' || q === 'executive' || q === 'slo') return q;
    const v = localStorage.getItem(VIEW_KEY);
    if (v === 'engineer' || v === 'executive' || v === 'slo') return v;
  } catch {
    /* storage may be unavailable */
  }
  return 'engineer';
}

/** The service open in the drawer per the URL (?service=id), so a copied link opens it. */
export function readService(): string | null {
  try {
    const v = new URLSearchParams(location.search).get('service');
    return v && v.length <= 200 ? v : null;
  } catch {
    return null;
  }
}

/** The URL for a view and open service, other parameters kept. */
export function viewUrl(href: string, view: ViewMode, service: string | null): string {
  const u = new URL(href);
  u.searchParams.set('view', view);
  if (service) u.searchParams.set('service', service);
  else u.searchParams.delete('service');
  return u.pathname + u.search + u.hash;
}

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

export interface AppProps {
  store: Store<AppState>;
  live: LiveController;
  updateReady?: (() => void) | null;
}

// The shell is split into parts that each subscribe to their own slices of
// the store (doc/scale.md#live-rows): a live event re-renders the parts whose
// slice changed -- the grid, the counts, the announcement -- not the header,
// the footer, the banners and every category's window. The App itself holds
// only what the page shows (view, drawer, overlays, filters, layout); the
// parts are memoised and get stable props.

/** The list once every service is in (null while only the first page is:
 * doc/scale.md#first-page). */
const selectServices = (s: AppState): Service[] | null => {
  const l = s.services.data;
  return l && !l.partial ? l.services : null;
};

/** The tally of each store's list, shared by every part that shows a count,
 * patched per live row (lib/tally.ts). */
const tallies = new WeakMap<Store<AppState>, Tally>();
function tallyFor(store: Store<AppState>, services: readonly Service[]): Tally {
  const t = tallyOf(tallies.get(store) ?? null, services);
  tallies.set(store, t);
  return t;
}

function useServices(store: Store<AppState>): Service[] | null {
  return useStore(store, selectServices);
}

/** The overall counts, from the summary until every service is in. */
function useOverall(store: Store<AppState>): Overall | null {
  const services = useServices(store);
  const summary = useStore(store, (s) => s.summary.data);
  return useMemo(() => overallOf(services ? tallyFor(store, services) : null, summary), [services, summary]);
}

/** How fresh the vendor data is (the chip's rule), rechecked each second. */
function useFreshness(store: Store<AppState>): { ageS: number | null; fresh: Freshness; health: Health | null } {
  const now = useNow();
  const lastPollAt = useStore(store, (s) => s.summary.data?.last_poll_at ?? null);
  const clockOffsetMs = useStore(store, (s) => s.clockOffsetMs);
  const health = useStore(store, (s) => s.health.data);
  const ageS = pollAgeSeconds(lastPollAt, now, clockOffsetMs);
  return { ageS, fresh: freshness(ageS, health), health };
}

/** The last 7 days the tiles show: the uptime answer's, else the clock's. */
function useDays(store: Store<AppState>): string[] {
  const days = useStore(store, (s) => s.uptime.data?.days);
  return useMemo(() => (days?.length ? days.slice(-7) : lastDays(7, Date.now())), [days]);
}

interface StoreProps {
  store: Store<AppState>;
}

const Footer = memo(function Footer({
  store,
  zone,
  onZone,
  compact,
  onCompact,
}: StoreProps & {
  zone: ZoneMode;
  onZone: (z: ZoneMode) => void;
  compact: boolean;
  onCompact: (c: boolean) => void;
}) {
  const now = useNow();
  const lastPollAt = useStore(store, (s) => s.summary.data?.last_poll_at ?? null);
  const clockOffsetMs = useStore(store, (s) => s.clockOffsetMs);
  const conn = useStore(store, (s) => s.conn);
  const age = pollAgeSeconds(lastPollAt, now, clockOffsetMs);
  return (
    <footer class="footer">
      <span>itstatus v{VERSION}</span>
      <span data-tabular>
        {age === null ? 'No vendor poll recorded' : `Vendors last polled ${age}s ago (server time)`} ·{' '}
        {conn === 'live' ? 'live stream' : conn === 'polling' ? 'polling every 30 s' : conn}
      </span>
      <span>
        <button
          type="button"
          class="link-button"
          data-testid="zone-toggle"
          title={`Switch to ${zone === 'utc' ? 'local time' : 'UTC'}`}
          onClick={() => onZone(zone === 'utc' ? 'local' : 'utc')}
        >
          Times in {zone === 'utc' ? 'UTC' : 'local time'}
          <span class="sr-only"> (switch)</span>
        </button>{' '}
        ·{' '}
        <button type="button" class="link-button" data-testid="compact-toggle" aria-pressed={compact} onClick={() => onCompact(!compact)}>
          Compact layout
        </button>{' '}
        · Press <kbd>?</kbd> for shortcuts
      </span>
    </footer>
  );
});

/** The tab title: what a background tab or wall screen must show, staleness
 * first (a stale page never reads "All operational"). Its own component so
 * the per-second clock re-renders only it. */
const TabTitle = memo(function TabTitle({ store }: StoreProps) {
  const overall = useOverall(store);
  const conn = useStore(store, (s) => s.conn);
  const { fresh } = useFreshness(store);
  const prefix = titlePrefix(conn, fresh);
  const body = !overall
    ? 'itstatus'
    : overall.incidents
      ? `(${overall.incidents}) ${LABEL[overall.status]} · itstatus`
      : `${
          overall.nothing
            ? overall.neverPolled
              ? 'Not monitoring yet'
              : 'Status unknown'
            : overall.blind
              ? 'No confirmed incidents'
              : overall.maintenance
                ? 'No active incidents'
                : 'All operational'
        } · itstatus`;
  const title = prefix + body;
  useEffect(() => {
    if (overall || prefix) document.title = title;
  }, [title]);
  return null;
});

const LiveHeader = memo(function LiveHeader({ store, ...p }: StoreProps & Pick<HeaderProps, 'view' | 'onView' | 'onGraph' | 'onShortcuts'>) {
  const conn = useStore(store, (s) => s.conn);
  const lastPollAt = useStore(store, (s) => s.summary.data?.last_poll_at ?? null);
  const clockOffsetMs = useStore(store, (s) => s.clockOffsetMs);
  const health = useStore(store, (s) => s.health.data);
  return <Header {...p} conn={conn} lastPollAt={lastPollAt} clockOffsetMs={clockOffsetMs} health={health} />;
});

const FAILING_KEYS: readonly ResourceKey[] = ['summary', 'services', 'clustered'];

const LiveConnectionBanner = memo(function LiveConnectionBanner({ store, onRetry }: StoreProps & { onRetry: () => void }) {
  const conn = useStore(store, (s) => s.conn);
  const retryInMs = useStore(store, (s) => s.retryInMs);
  // A string, so an unchanged set of failures is an unchanged slice.
  const failing = useStore(store, (s) => FAILING_KEYS.filter((k) => s[k].error).join('\n'));
  const { ageS, fresh, health } = useFreshness(store);
  const errors = useMemo(() => (failing ? failing.split('\n').map((k) => resourceLabel(k as ResourceKey)) : []), [failing]);
  return <ConnectionBanner conn={conn} ageS={ageS} fresh={fresh} pollerdStale={health?.pollerd_stale ?? false} errors={errors} retryInMs={retryInMs} onRetry={onRetry} />;
});

/** The main area, marked stale when the data is (its children pass through
 * unchanged: re-rendering it diffs none of them). */
function StaleMain({ store, view, children }: StoreProps & { view: ViewMode; children: ComponentChildren }) {
  const conn = useStore(store, (s) => s.conn);
  const { fresh } = useFreshness(store);
  const isStale = conn === 'disconnected' || fresh === 'red';
  return (
    <main id="main" tabIndex={-1} class={`view-${view}${isStale ? ' is-stale' : ''}`} data-stale={isStale ? 'true' : 'false'}>
      {children}
    </main>
  );
}

/** The polite announcements: the overall status, and the last live change. */
const Announcer = memo(function Announcer({ store }: StoreProps) {
  const overall = useOverall(store);
  const announcement = useStore(store, (s) => s.announcement);
  const summaryLive = overall
    ? overall.incidents
      ? `${plural(overall.incidents, 'active incident')}: overall status ${LABEL[overall.status]}.`
      : overall.nothing
        ? 'No service status is known yet.'
        : 'No active incidents.'
    : '';
  return (
    <>
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {summaryLive}
      </div>
      <div class="sr-only" aria-live="polite">
        {announcement}
      </div>
    </>
  );
});

const LiveStatusBanner = memo(function LiveStatusBanner({ store }: StoreProps) {
  return <StatusBanner overall={useOverall(store)} />;
});

const NO_INCIDENTS: ActiveIncident[] = [];
const NO_MAINTENANCES: Maintenance[] = [];

const LiveIncidentCards = memo(function LiveIncidentCards({ store, onOpen }: StoreProps & { onOpen: (id: string) => void }) {
  const summary = useStore(store, (s) => s.summary.data);
  const services = useServices(store);
  return <IncidentCards incidents={summary?.active_incidents ?? NO_INCIDENTS} total={summary?.active_incidents_total} services={services} onOpen={onOpen} />;
});

const LiveMaintenanceBanner = memo(function LiveMaintenanceBanner({ store }: StoreProps) {
  const summary = useStore(store, (s) => s.summary.data);
  const overall = useOverall(store);
  return (
    <MaintenanceBanner
      items={summary?.upcoming_maintenances ?? NO_MAINTENANCES}
      past={summary?.recent_maintenances ?? NO_MAINTENANCES}
      inMaintenance={overall?.maintenance ?? 0}
    />
  );
});

const LiveTimeline = memo(function LiveTimeline({ store, onOpen }: StoreProps & { onOpen: (id: string) => void }) {
  return <Timeline data={useStore(store, (s) => s.clustered.data)} onOpen={onOpen} />;
});

/** The services: heading, filter bar and grid (or the first page, or why there is none). */
const Services = memo(function Services({
  store,
  live,
  filters,
  onFilters,
  onOpen,
}: StoreProps & { live: LiveController; filters: Filters; onFilters: (f: Filters) => void; onOpen: (id: string) => void }) {
  const list = useStore(store, (s) => s.services.data);
  const error = useStore(store, (s) => s.services.error);
  const uptime = useStore(store, (s) => s.uptime.data);
  const sla = useStore(store, (s) => s.sla.data);
  const days = useDays(store);
  const services = list && !list.partial ? list.services : null;
  const firstPage = useMemo(() => (list?.partial ? applyFilters(list.services, filters) : null), [list, filters]);
  // The grid's groups, patched for the rows a live delta changed (lib/groups.ts).
  const derivedRef = useRef<Derived | null>(null);
  const derived = useMemo(() => (services ? (derivedRef.current = deriveGroups(derivedRef.current, services, filters)) : null), [services, filters]);
  // The filter bar's options come from the tally, not from a scan of every row.
  const tally = services ? tallyFor(store, services) : null;
  const onRetry = useCallback(() => void live.refresh('services'), [live]);
  return (
    <section class="services" aria-labelledby="services-h">
      <h2 id="services-h" class="section-title">
        Services {services && <span class="count">{services.length}</span>}
      </h2>
      <ErrorNote what="services" error={services ? null : error} onRetry={onRetry} />
      {services && services.length > 0 && (
        <FilterBar filters={filters} onChange={onFilters} categories={tally!.categoryList} tiers={tally!.tierList} total={services.length} shown={derived!.shown} />
      )}
      {services ? (
        services.length ? (
          derived!.shown ? (
            <Grid services={services} groups={derived!.groups} uptime={uptime} sla={sla} days={days} onOpen={onOpen} />
          ) : (
            <p class="muted">No service matches these filters.</p>
          )
        ) : (
          <p class="muted">No services are configured.</p>
        )
      ) : firstPage?.length ? (
        <>
          <p class="muted" role="status">
            Loading all {list!.total} services…
          </p>
          <Grid services={firstPage} uptime={uptime} sla={sla} days={days} onOpen={onOpen} />
        </>
      ) : (
        !error && <GridSkeleton />
      )}
    </section>
  );
});

const LiveExecutiveView = memo(function LiveExecutiveView({ store, target }: StoreProps & { target: number }) {
  const services = useServices(store);
  const summary = useStore(store, (s) => s.summary.data);
  const sla = useStore(store, (s) => s.sla.data);
  const slaHistory = useStore(store, (s) => s.slaHistory.data);
  const clockOffsetMs = useStore(store, (s) => s.clockOffsetMs);
  const { fresh } = useFreshness(store);
  return <ExecutiveView services={services} summary={summary} sla={sla} slaHistory={slaHistory} target={target} clockOffsetMs={clockOffsetMs} fresh={fresh} />;
});

const LiveSloView = memo(function LiveSloView({ store, live }: StoreProps & { live: LiveController }) {
  const slo = useStore(store, (s) => s.slo.data);
  const error = useStore(store, (s) => s.slo.error);
  const onRetry = useCallback(() => void live.refresh('slo'), [live]);
  return <SloView slo={slo} error={error} onRetry={onRetry} />;
});

const LiveGraph = memo(function LiveGraph({ store, live, onOpen, onClose }: StoreProps & { live: LiveController; onOpen: (id: string) => void; onClose: () => void }) {
  const graph = useStore(store, (s) => s.graph.data);
  const error = useStore(store, (s) => s.graph.error);
  const services = useServices(store);
  const onRetry = useCallback(() => void live.refresh('graph'), [live]);
  return <DependencyGraph graph={graph} error={error} services={services} onOpen={onOpen} onClose={onClose} onRetry={onRetry} />;
});

const LiveDrawer = memo(function LiveDrawer({ store, serviceId, onOpen, onClose }: StoreProps & { serviceId: string; onOpen: (id: string) => void; onClose: () => void }) {
  const services = useServices(store);
  const uptime = useStore(store, (s) => s.uptime.data);
  const sla = useStore(store, (s) => s.sla.data);
  const slaHistory = useStore(store, (s) => s.slaHistory.data);
  const eventSeq = useStore(store, (s) => s.eventSeq);
  const days = useDays(store);
  const listRow = useMemo(() => services?.find((s) => s.id === serviceId) ?? null, [services, serviceId]);
  return (
    <ServiceDrawer
      serviceId={serviceId}
      listRow={listRow}
      uptime={uptime}
      sla={sla}
      slaHistory={slaHistory}
      days={days}
      eventSeq={eventSeq}
      onClose={onClose}
      onOpen={onOpen}
    />
  );
});

export function App({ store, live, updateReady }: AppProps) {
  const [view, setViewState] = useState<ViewMode>(readView);
  const [drawerId, setDrawerId] = useState<string | null>(() => (readView() === 'engineer' ? readService() : null));
  const [graphOpen, setGraphOpen] = useState(false);
  const [kbdOpen, setKbdOpen] = useState(false);
  const [toastDismissed, setToastDismissed] = useState(false);
  const [zone, setZone] = useState<ZoneMode>(getZoneMode);
  const [compact, setCompact] = useState<boolean>(readCompact);
  useEffect(() => {
    document.documentElement.classList.toggle('compact', compact);
    try {
      localStorage.setItem(COMPACT_KEY, compact ? '1' : '0');
    } catch {
      /* ignore */
    }
  }, [compact]);
  const onZone = useCallback((z: ZoneMode) => {
    setZoneMode(z);
    setZone(z);
  }, []);

  const setView = useCallback((v: ViewMode) => {
    setViewState(v);
    try {
      localStorage.setItem(VIEW_KEY, v);
    } catch {
      /* ignore */
    }
    if (v !== 'engineer') {
      setGraphOpen(false);
      setDrawerId(null);
    }
  }, []);

  // Optional resources per view / overlay, dropped when the view is left
  // (doc/scale.md#dashboard). The drawer reads its own service's history.
  useEffect(() => {
    const k = view === 'executive' ? 'slaHistory' : view === 'slo' ? 'slo' : null;
    if (!k) return;
    live.want(k, k === 'slo');
    return () => live.unwant(k);
  }, [view]);
  // The SLO target outlives the SLO answer (the Executive KPI compares with it).
  const sloTarget = useRef(99.9);
  const target = useStore(store, (s) => s.slo.data?.thresholds.target_percent);
  if (target !== undefined) sloTarget.current = target;
  useEffect(() => {
    if (!graphOpen) return;
    live.want('graph', true);
    return () => live.unwant('graph');
  }, [graphOpen]);

  // Search and filters, in the URL (doc/scale.md#dashboard).
  const [filters, setFiltersState] = useState<Filters>(() => readFilters(location.search));
  const setFilters = useCallback((f: Filters) => {
    setFiltersState(f);
    try {
      history.replaceState(history.state, '', location.pathname + filtersToSearch(f, location.search) + location.hash);
    } catch {
      /* no history API */
    }
  }, []);

  const openService = useCallback((id: string) => setDrawerId(id), []);
  const openGraph = useCallback(() => setGraphOpen(true), []);
  const closeGraph = useCallback(() => setGraphOpen(false), []);
  const openShortcuts = useCallback(() => setKbdOpen(true), []);
  const closeDrawer = useCallback(() => setDrawerId(null), []);
  const retryFast = useCallback(() => void live.refreshFast(), [live]);

  // The URL says what is shown: a copied link opens the same view and service.
  useEffect(() => {
    try {
      const next = viewUrl(location.href, view, drawerId);
      if (next !== location.pathname + location.search + location.hash) history.replaceState(history.state, '', next);
    } catch {
      /* no history API (tests, odd embeds) */
    }
  }, [view, drawerId]);

  // Global shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const modal = anyModalOpen();
      if (e.key === '?') {
        e.preventDefault();
        setKbdOpen((o) => !o);
        return;
      }
      if (e.key === 'Escape') {
        // Only reached when no modal handled it itself.
        if (drawerId) setDrawerId(null);
        else if (graphOpen) setGraphOpen(false);
        else if (kbdOpen) setKbdOpen(false);
        return;
      }
      if (e.key === 'g') {
        if (view !== 'engineer') return;
        if (graphOpen && !drawerId && !kbdOpen) {
          e.preventDefault();
          setGraphOpen(false);
        } else if (!modal) {
          e.preventDefault();
          setGraphOpen(true);
        }
        return;
      }
      if (modal) return;
      const v = ({ '1': 'engineer', '2': 'executive', '3': 'slo' } as const)[e.key as '1' | '2' | '3'];
      if (v) {
        e.preventDefault();
        setView(v);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerId, graphOpen, kbdOpen, view]);

  return (
    <>
      <TabTitle store={store} />
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <LiveHeader store={store} view={view} onView={setView} onGraph={openGraph} onShortcuts={openShortcuts} />
      <LiveConnectionBanner store={store} onRetry={retryFast} />
      <StaleMain key={zone} store={store} view={view}>
        <Announcer store={store} />
        <ErrorBoundary what={`${view} view`}>
        {view === 'engineer' && (
          <>
            <LiveStatusBanner store={store} />
            <LiveIncidentCards store={store} onOpen={openService} />
            <LiveMaintenanceBanner store={store} />
            <div class="eng-cols">
              <Services store={store} live={live} filters={filters} onFilters={setFilters} onOpen={openService} />
              <LiveTimeline store={store} onOpen={openService} />
            </div>
          </>
        )}
        {view === 'executive' && <LiveExecutiveView store={store} target={sloTarget.current} />}
        {view === 'slo' && (
          <>
            <LiveStatusBanner store={store} />
            <LiveSloView store={store} live={live} />
          </>
        )}
        </ErrorBoundary>
      </StaleMain>
      <Footer store={store} zone={zone} onZone={onZone} compact={compact} onCompact={setCompact} />
      {graphOpen && (
        <ErrorBoundary what="dependency graph">
          <LiveGraph store={store} live={live} onOpen={openService} onClose={closeGraph} />
        </ErrorBoundary>
      )}
      {drawerId && (
        <ErrorBoundary what="service details">
          <LiveDrawer key={drawerId} store={store} serviceId={drawerId} onClose={closeDrawer} onOpen={openService} />
        </ErrorBoundary>
      )}
      {kbdOpen && <ShortcutsDialog onClose={() => setKbdOpen(false)} />}
      {updateReady && !toastDismissed && <UpdateToast onRefresh={updateReady} onLater={() => setToastDismissed(true)} />}
    </>
  );
}
