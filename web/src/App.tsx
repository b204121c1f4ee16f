// The shell: header, banners, the three views, overlays and global shortcuts.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import {
  ConnectionBanner,
  IncidentCards,
  MaintenanceBanner,
  StatusBanner,
  computeOverall,
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
import { lastDays, plural } from './lib/format';
import { pollAgeSeconds } from './lib/staleness';
import { LABEL } from './lib/status';
import { useNow } from './lib/useNow';
import { resourceLabel, type LiveController } from './state/live';
import { useStore, type AppState, type ResourceKey, type Store } from './state/store';
import { ExecutiveView } from './views/ExecutiveView';
import { SloView } from './views/SloView';

export const VIEW_KEY = 'itstatus-view';
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

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

export interface AppProps {
  store: Store<AppState>;
  live: LiveController;
  updateReady?: (() => void) | null;
}

function Footer({ state }: { state: AppState }) {
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
        Press <kbd>?</kbd> for shortcuts
      </span>
    </footer>
  );
}

export function App({ store, live, updateReady }: AppProps) {
  const state = useStore(store, (s) => s);
  const [view, setViewState] = useState<ViewMode>(readView);
  const [drawerId, setDrawerId] = useState<string | null>(null);
  const [graphOpen, setGraphOpen] = useState(false);
  const [kbdOpen, setKbdOpen] = useState(false);
  const [toastDismissed, setToastDismissed] = useState(false);

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

  // Optional resources per view / overlay.
  useEffect(() => {
    if (view === 'executive') live.want('slaHistory');
    if (view === 'slo') live.want('slo', true);
  }, [view]);
  useEffect(() => {
    if (drawerId) live.want('slaHistory');
  }, [drawerId]);
  useEffect(() => {
    if (!graphOpen) return;
    live.want('graph', true);
    return () => live.unwant('graph');
  }, [graphOpen]);

  const services = state.services.data?.services ?? null;
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
  const shown = useMemo(() => (services ? applyFilters(services, filters) : null), [services, filters]);
  const summary = state.summary.data;
  const overall = useMemo(() => computeOverall(services, summary), [services, summary]);
  const now = Date.now();
  const ageS = pollAgeSeconds(summary?.last_poll_at ?? null, now, state.clockOffsetMs);
  const days = state.uptime.data?.days.length ? state.uptime.data.days.slice(-7) : lastDays(7, now);

  const openService = useCallback((id: string) => setDrawerId(id), []);

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

  // Tab title tells a wall screen / background tab what is going on.
  useEffect(() => {
    if (!overall) return;
    const stale = state.conn === 'disconnected' ? '⚠ Disconnected · ' : '';
    document.title = overall.incidents
      ? `${stale}(${overall.incidents}) ${LABEL[overall.status]} · itstatus`
      : `${stale}${overall.blind ? 'No confirmed incidents' : 'All operational'} · itstatus`;
  }, [overall?.incidents, overall?.status, overall?.blind, state.conn]);

  const failing = (['summary', 'services', 'clustered'] as ResourceKey[]).filter((k) => state[k].error).map(resourceLabel);
  const summaryLive = overall
    ? overall.incidents
      ? `${plural(overall.incidents, 'active incident')}: overall status ${LABEL[overall.status]}.`
      : 'All systems operational.'
    : '';
  const listRow = drawerId ? (services?.find((s) => s.id === drawerId) ?? null) : null;

  return (
    <>
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
      />
      <ConnectionBanner conn={state.conn} ageS={ageS} errors={failing} retryInMs={state.retryInMs} onRetry={() => void live.refreshFast()} />
      <main
        id="main"
        tabIndex={-1}
        class={`view-${view}${state.conn === 'disconnected' || (ageS !== null && ageS > 180) ? ' is-stale' : ''}`}
        data-stale={state.conn === 'disconnected' || (ageS !== null && ageS > 180) ? 'true' : 'false'}
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
            <MaintenanceBanner items={summary?.upcoming_maintenances ?? []} />
            <div class="eng-cols">
              <section class="services" aria-labelledby="services-h">
                <h2 id="services-h" class="section-title">
                  Services {services && <span class="count">{services.length}</span>}
                </h2>
                <ErrorNote what="services" error={services ? null : state.services.error} onRetry={() => void live.refresh('services')} />
                {services && services.length > 0 && <FilterBar filters={filters} onChange={setFilters} services={services} shown={shown!.length} />}
                {services ? (
                  services.length ? (
                    shown!.length ? (
                      <Grid services={shown!} uptime={state.uptime.data} sla={state.sla.data} days={days} onOpen={openService} />
                    ) : (
                      <p class="muted">No service matches these filters.</p>
                    )
                  ) : (
                    <p class="muted">No services are configured.</p>
                  )
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
            target={state.slo.data?.thresholds.target_percent ?? 99.9}
            clockOffsetMs={state.clockOffsetMs}
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
      <Footer state={state} />
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
