// The shell: header, banners, the three views, overlays and global shortcuts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ConnectionBanner,
  IncidentCards,
  MaintenanceBanner,
  StatusBanner,
  computeOverall,
  type Overall,
} from './components/Banners';
import { DependencyGraph } from './components/DependencyGraph';
import { FilterBar } from './components/Filters';
import { Grid, GridSkeleton } from './components/Grid';
import { Header, type ViewMode } from './components/Header';
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
import { freshness, pollAgeSeconds, titlePrefix } from './lib/staleness';
import { LABEL } from './lib/status';
import { useNow } from './lib/useNow';
import type { Health } from './api/types';
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

function Footer({
  state,
  zone,
  onZone,
  compact,
  onCompact,
}: {
  state: AppState;
  zone: ZoneMode;
  onZone: (z: ZoneMode) => void;
  compact: boolean;
  onCompact: (c: boolean) => void;
}) {
  const now = useNow();
  const age = pollAgeSeconds(state.summary.data?.last_poll_at ?? null, now, state.clockOffsetMs);
  return (
    <footer class="footer">
      <span>itstatus v{VERSION}</span>
      <span data-tabular>
        {age === null ? 'No vendor poll recorded' : `Vendors last polled ${age}s ago (server time)`} ·{' '}
        {state.conn === 'live' ? 'live stream' : state.conn === 'polling' ? 'polling every 30 s' : state.conn}
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
}

/** The tab title: what a background tab or wall screen must show, staleness
 * first (a stale page never reads "All operational"). Its own component so
 * the per-second clock re-renders only it. */
function TabTitle(props: { overall: Overall | null; conn: AppState['conn']; lastPollAt: string | null; clockOffsetMs: number; health: Health | null }) {
  const now = useNow();
  const { overall } = props;
  const prefix = titlePrefix(props.conn, freshness(pollAgeSeconds(props.lastPollAt, now, props.clockOffsetMs), props.health));
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
}

export function App({ store, live, updateReady }: AppProps) {
  const state = useStore(store, (s) => s);
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
  if (state.slo.data) sloTarget.current = state.slo.data.thresholds.target_percent;
  useEffect(() => {
    if (!graphOpen) return;
    live.want('graph', true);
    return () => live.unwant('graph');
  }, [graphOpen]);

  const list = state.services.data;
  // While only the first page is in (doc/scale.md#dashboard) only the grid
  // shows it: counts, filters, banners and views wait for every service.
  const services = list && !list.partial ? list.services : null;
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
  const firstPage = useMemo(() => (list?.partial ? applyFilters(list.services, filters) : null), [list, filters]);
  // The grid's groups, patched for the rows a live delta changed (lib/groups.ts).
  const derivedRef = useRef<Derived | null>(null);
  const derived = useMemo(() => (services ? (derivedRef.current = deriveGroups(derivedRef.current, services, filters)) : null), [services, filters]);
  const summary = state.summary.data;
  const overall = useMemo(() => computeOverall(services, summary), [services, summary]);
  const now = Date.now();
  const ageS = pollAgeSeconds(summary?.last_poll_at ?? null, now, state.clockOffsetMs);
  const health = state.health.data;
  const fresh = freshness(ageS, health);
  const isStale = state.conn === 'disconnected' || fresh === 'red';
  const days = state.uptime.data?.days.length ? state.uptime.data.days.slice(-7) : lastDays(7, now);

  const openService = useCallback((id: string) => setDrawerId(id), []);

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

  const failing = (['summary', 'services', 'clustered'] as ResourceKey[]).filter((k) => state[k].error).map(resourceLabel);
  const summaryLive = overall
    ? overall.incidents
      ? `${plural(overall.incidents, 'active incident')}: overall status ${LABEL[overall.status]}.`
      : overall.nothing
        ? 'No service status is known yet.'
        : 'No active incidents.'
    : '';
  const listRow = drawerId ? (services?.find((s) => s.id === drawerId) ?? null) : null;

  return (
    <>
      <TabTitle overall={overall} conn={state.conn} lastPollAt={summary?.last_poll_at ?? null} clockOffsetMs={state.clockOffsetMs} health={health} />
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header
        view={view}
        onView={setView}
        onGraph={() => setGraphOpen(true)}
        onShortcuts={() => setKbdOpen(true)}
        conn={state.conn}
        lastPollAt={summary?.last_poll_at ?? null}
        clockOffsetMs={state.clockOffsetMs}
        health={health}
      />
      <ConnectionBanner conn={state.conn} ageS={ageS} fresh={fresh} pollerdStale={health?.pollerd_stale ?? false} errors={failing} retryInMs={state.retryInMs} onRetry={() => void live.refreshFast()} />
      <main
        key={zone}
        id="main"
        tabIndex={-1}
        class={`view-${view}${isStale ? ' is-stale' : ''}`}
        data-stale={isStale ? 'true' : 'false'}
      >
        <div class="sr-only" aria-live="polite" aria-atomic="true">
          {summaryLive}
        </div>
        <div class="sr-only" aria-live="polite">
          {state.announcement}
        </div>
        <ErrorBoundary what={`${view} view`}>
        {view === 'engineer' && (
          <>
            <StatusBanner overall={overall} />
            <IncidentCards incidents={summary?.active_incidents ?? []} total={summary?.active_incidents_total} services={services} onOpen={openService} />
            <MaintenanceBanner items={summary?.upcoming_maintenances ?? []} past={summary?.recent_maintenances ?? []} inMaintenance={overall?.maintenance ?? 0} />
            <div class="eng-cols">
              <section class="services" aria-labelledby="services-h">
                <h2 id="services-h" class="section-title">
                  Services {services && <span class="count">{services.length}</span>}
                </h2>
                <ErrorNote what="services" error={services ? null : state.services.error} onRetry={() => void live.refresh('services')} />
                {services && services.length > 0 && <FilterBar filters={filters} onChange={setFilters} services={services} shown={derived!.shown} />}
                {services ? (
                  services.length ? (
                    derived!.shown ? (
                      <Grid services={services} groups={derived!.groups} uptime={state.uptime.data} sla={state.sla.data} days={days} onOpen={openService} />
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
                    <Grid services={firstPage} uptime={state.uptime.data} sla={state.sla.data} days={days} onOpen={openService} />
                  </>
                ) : (
                  !state.services.error && <GridSkeleton />
                )}
              </section>
              <Timeline data={state.clustered.data} onOpen={openService} />
            </div>
          </>
        )}
        {view === 'executive' && (
          <ExecutiveView
            services={services}
            summary={summary}
            sla={state.sla.data}
            slaHistory={state.slaHistory.data}
            target={sloTarget.current}
            clockOffsetMs={state.clockOffsetMs}
            fresh={fresh}
          />
        )}
        {view === 'slo' && (
          <>
            <StatusBanner overall={overall} />
            <SloView slo={state.slo.data} error={state.slo.error} onRetry={() => void live.refresh('slo')} />
          </>
        )}
        </ErrorBoundary>
      </main>
      <Footer state={state} zone={zone} onZone={onZone} compact={compact} onCompact={setCompact} />
      {graphOpen && (
        <ErrorBoundary what="dependency graph">
        <DependencyGraph
          graph={state.graph.data}
          error={state.graph.error}
          services={services}
          onOpen={openService}
          onClose={() => setGraphOpen(false)}
          onRetry={() => void live.refresh('graph')}
        />
        </ErrorBoundary>
      )}
      {drawerId && (
        <ErrorBoundary what="service details">
        <ServiceDrawer
          key={drawerId}
          serviceId={drawerId}
          listRow={listRow}
          uptime={state.uptime.data}
          sla={state.sla.data}
          slaHistory={state.slaHistory.data}
          days={days}
          eventSeq={state.eventSeq}
          onClose={() => setDrawerId(null)}
          onOpen={openService}
        />
        </ErrorBoundary>
      )}
      {kbdOpen && <ShortcutsDialog onClose={() => setKbdOpen(false)} />}
      {updateReady && !toastDismissed && <UpdateToast onRefresh={updateReady} onLater={() => setToastDismissed(true)} />}
    </>
  );
}
