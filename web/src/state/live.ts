// Keeps the store current: the SSE stream while it is up, polling every 30 s
// while it is not, the slow resources (uptime, SLA) every 5 minutes, and an
// explicit "disconnected" state when nothing gets through.
import { ApiError, type ApiResult } from '../api/client';
import { api } from '../api/endpoints';
import { parseEvent, parseServicesDelta, parseSummary, isObj, obj, str } from '../api/parse';
import type { ServicesList } from '../api/types';
import { effectiveStatus, statusLabel } from '../lib/status';
import { STATUSES } from '../lib/vocab';
import { StreamClient, type StreamState } from '../lib/stream';
import { lastDays } from '../lib/format';
import { applyFigures, findService, patchRows, patchService, patchToday, type AppState, type ResourceKey, type Store } from './store';

export const FAST_MS = 30_000;
export const SLOW_MS = 300_000;
/** While live, refresh the summary if the stream has been silent this long. */
export const WATCHDOG_MS = 60_000;
/** /api/health (is pollerd stale? when is a poll late?) is read this often. */
export const HEALTH_MS = 5_000;
/** Services of the SLA history kept for the Executive view: it charts the
 * aggregate, so a few are enough (the drawer asks for its own service). */
export const TREND_WORST = 20;
/** SLO cards at most (the endpoint's own cap): every service up to this many. */
export const SLO_WORST = 1000;
/** Resources only a view shows: dropped from the store when it is left, so
 * 10,000 services' figures are not kept for a view nobody looks at. */
const VIEW_ONLY: readonly ResourceKey[] = ['slaHistory', 'slo'];
/** The list's first page at load: more tiles than the first screen shows.
 * At 10,000 services the whole list is 8 MB of JSON, seconds to build,
 * receive and parse; this page is 200 rows (doc/scale.md#dashboard). */
export const FIRST_PAGE = 200;
/** Above this many services the grid shows the first page while the whole
 * list loads; at fewer, the whole list comes soon enough to wait for it. */
export const STAGED_MIN = 2000;
/** Every effective status but operational: the tiles the grid puts first. */
const NOT_OPERATIONAL = STATUSES.filter((s) => s !== 'operational').join(',');

type Fetcher = () => Promise<ApiResult<unknown>>;

const FETCHERS: Record<ResourceKey, Fetcher> = {
  summary: () => api.summary(),
  services: () => api.services(),
  clustered: () => api.clustered(300, 100),
  uptime: () => api.uptime(),
  sla: () => api.sla(),
  // The Executive trend: the daily mean over every service is the answer's
  // `aggregate`; the per-service part is cut to the worst (doc/scale.md#lists).
  slaHistory: () => api.slaHistory(30, { worst: TREND_WORST }),
  // The SLO view lists every service up to SLO_WORST, then the worst of them.
  slo: () => api.slo({ worst: SLO_WORST }),
  graph: () => api.graph(),
  health: () => api.health(),
};

const LABELS: Record<ResourceKey, string> = {
  summary: 'summary',
  services: 'services',
  clustered: 'timeline',
  uptime: '7-day uptime',
  sla: 'SLA',
  slaHistory: 'SLA history',
  slo: 'SLO',
  graph: 'dependency graph',
  health: 'health',
};

export function resourceLabel(k: ResourceKey): string {
  return LABELS[k];
}

export class LiveController {
  private readonly store: Store<AppState>;
  private stream: StreamClient | null = null;
  private fastTimer: ReturnType<typeof setInterval> | null = null;
  private slowTimer: ReturnType<typeof setInterval> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private healthTimer: ReturnType<typeof setInterval> | null = null;
  private refetchTimer: ReturnType<typeof setTimeout> | null = null;
  private refetchFigures = false;
  private inflight = new Map<ResourceKey, Promise<boolean>>();
  private lastStreamMsg = 0;
  private streamState: StreamState = 'idle';
  private lastFastOk: boolean | null = null;
  /** Optional resources some views need (slo, graph, slaHistory) — fetched on the slow timer once asked for. */
  private wanted = new Set<ResourceKey>();
  private started = false;
  /** The stream was open once: a later open is a reconnect. */
  private everOpen = false;

  constructor(store: Store<AppState>) {
    this.store = store;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // The list first: at 10,000 services the uptime and SLA answers are
    // megabytes to parse, and the tiles can paint before their squares.
    void this.refreshFast().then(() => this.refreshSlow());
    this.stream = new StreamClient({
      url: '/api/stream',
      onState: (s, info) => this.onStreamState(s, info.retryInMs),
      onStatus: (row) => this.onStatusEvent(row),
      onSummary: (data) => this.onSummary(data),
      onServices: (data) => this.onServices(data),
      onResync: () => {
        this.lastStreamMsg = Date.now();
        // Too many rows changed for a delta: the list and the tiles' figures
        // again, each a 304 when unchanged.
        void this.refresh('services');
        void this.refreshFigures();
      },
    });
    this.stream.start();
    this.slowTimer = setInterval(() => void this.refreshSlow(), SLOW_MS);
    void this.refresh('health');
    this.healthTimer = setInterval(() => void this.refresh('health'), HEALTH_MS);
    this.watchdog = setInterval(() => {
      if (this.streamState === 'open' && Date.now() - this.lastStreamMsg > WATCHDOG_MS) void this.refresh('summary');
    }, 15_000);
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this.onVisible);
      window.addEventListener('online', this.onVisible);
      window.addEventListener('offline', this.onOffline);
    }
  }

  stop(): void {
    this.started = false;
    this.stream?.stop();
    for (const t of [this.fastTimer, this.slowTimer, this.watchdog, this.healthTimer]) if (t) clearInterval(t);
    if (this.refetchTimer) clearTimeout(this.refetchTimer);
    this.fastTimer = this.slowTimer = this.watchdog = this.refetchTimer = this.healthTimer = null;
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this.onVisible);
      window.removeEventListener('online', this.onVisible);
      window.removeEventListener('offline', this.onOffline);
    }
  }

  /** A view wants an optional resource (SLO, graph, SLA history): fetch now and keep it fresh. */
  want(k: ResourceKey, fresh = false): void {
    const had = this.wanted.has(k);
    this.wanted.add(k);
    const r = this.store.get()[k];
    if (!had || fresh || r.data === null) void this.refresh(k);
  }

  /** A view no longer needs k: stop refreshing it, and drop a view-only
   * answer from the store (the next want() fetches it again, a 304 if unchanged). */
  unwant(k: ResourceKey): void {
    this.wanted.delete(k);
    if (VIEW_ONLY.includes(k) && this.store.get()[k].data !== null)
      this.store.set({ [k]: { data: null, error: null, fetchedAt: null, raw: null } } as Partial<AppState>);
  }

  private onVisible = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    this.stream?.reconnectNow();
    void this.refreshFast();
  };

  private onOffline = () => {
    this.updateConn();
  };

  /** Fetch one resource into the store. Resolves true on success. */
  refresh(k: ResourceKey): Promise<boolean> {
    const running = this.inflight.get(k);
    if (running) return running;
    const p = (k === 'services' && !this.store.get().services.data ? this.loadList() : this.fetchInto(k, FETCHERS[k])).finally(() =>
      this.inflight.delete(k),
    );
    this.inflight.set(k, p);
    return p;
  }

  /** One answer into the store; its error beside the data kept. Resolves true on success. */
  private fetchInto(k: ResourceKey, fetch: Fetcher): Promise<boolean> {
    return fetch()
      .then((res) => {
        this.put(k, res);
        return true;
      })
      .catch((e: unknown) => {
        const msg = e instanceof ApiError ? e.message : String(e);
        const cur = this.store.get()[k];
        this.store.set({ [k]: { ...cur, error: msg } } as Partial<AppState>);
        return false;
      });
  }

  private put(k: ResourceKey, res: ApiResult<unknown>): void {
    const cur = this.store.get()[k];
    const patch: Partial<AppState> = {};
    if (res.clockOffsetMs !== this.store.get().clockOffsetMs) patch.clockOffsetMs = res.clockOffsetMs;
    (patch as Record<string, unknown>)[k] =
      cur.raw === res.raw && cur.error === null
        ? { ...cur, fetchedAt: Date.now() }
        : { data: res.data, error: null, fetchedAt: Date.now(), raw: res.raw };
    this.store.set(patch);
  }

  /** The list when none is loaded yet, in stages (doc/scale.md#dashboard):
   * the first page, which is every service when there are few; else the
   * whole list, the answer every later refresh revalidates. Above STAGED_MIN
   * services the grid shows, until the whole list lands, the first page and
   * every service that is not operational (the tiles it sorts first), marked
   * `partial`. Both pages are asked at once, before the whole list: apid
   * builds that one for seconds, and a page asked beside it waits. */
  private async loadList(): Promise<boolean> {
    const worstAsked = api.servicesPage({ limit: FIRST_PAGE, status: NOT_OPERATIONAL }).catch(() => null);
    const first = await api.servicesPage({ limit: FIRST_PAGE }).catch(() => null);
    const last = (r: { meta: unknown } | null) => !!r && str(obj(r.meta).next_cursor) === null;
    if (first && last(first)) {
      this.put('services', first); // every service: the other page is not waited for
      return true;
    }
    // Only when the second page is all of them (else the first tiles could
    // hide an incident).
    const worst = first && first.data.total > STAGED_MIN ? await worstAsked : null;
    if (first && worst && last(worst)) {
      const ids = new Set(first.data.services.map((s) => s.id));
      const rows = [...first.data.services, ...worst.data.services.filter((s) => !ids.has(s.id))];
      const data: ServicesList = { services: rows, total: first.data.total, partial: true };
      this.store.set({ services: { data, error: null, fetchedAt: Date.now(), raw: null } });
    }
    return this.fetchInto('services', FETCHERS.services);
  }

  async refreshFast(): Promise<void> {
    const results = await Promise.all([this.refresh('summary'), this.refresh('services'), this.refresh('clustered')]);
    this.lastFastOk = results.some(Boolean);
    this.updateConn();
  }

  /** The tiles' day squares and uptime badges of every service. */
  refreshFigures(): Promise<boolean[]> {
    return Promise.all([this.refresh('uptime'), this.refresh('sla')]);
  }

  async refreshSlow(): Promise<void> {
    const keys: ResourceKey[] = ['uptime', 'sla', ...this.wanted];
    await Promise.all([...new Set(keys)].map((k) => this.refresh(k)));
  }

  private onStreamState(s: StreamState, retryInMs: number | null): void {
    const wasOpen = this.streamState === 'open';
    this.streamState = s;
    if (s === 'open') {
      this.lastStreamMsg = Date.now();
      this.stopPolling();
      // Catch up on whatever happened while the stream was down (figures
      // too: the deltas that carried them were missed; 304s if unchanged).
      if (!wasOpen) void this.refreshFast();
      if (!wasOpen && this.everOpen) void this.refreshFigures();
      this.everOpen = true;
    } else if (s === 'waiting' || s === 'unsupported' || s === 'closed') {
      this.startPolling();
    }
    this.store.set({ retryInMs: s === 'waiting' ? retryInMs : null });
    this.updateConn();
  }

  private startPolling(): void {
    if (this.fastTimer || !this.started) return;
    // Poll right away when the stream drops, then every 30 s.
    void this.refreshFast();
    this.fastTimer = setInterval(() => void this.refreshFast(), FAST_MS);
  }

  private stopPolling(): void {
    if (this.fastTimer) clearInterval(this.fastTimer);
    this.fastTimer = null;
  }

  private updateConn(): void {
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    let conn: AppState['conn'];
    if (this.streamState === 'open' && !offline) conn = 'live';
    else if (offline || this.lastFastOk === false) conn = 'disconnected';
    else if (this.lastFastOk === true) conn = 'polling';
    else conn = 'connecting';
    if (this.store.get().conn !== conn) this.store.set({ conn });
  }

  private onSummary(data: unknown): void {
    this.lastStreamMsg = Date.now();
    if (!isObj(data)) return;
    const summary = parseSummary(data);
    const raw = JSON.stringify(data);
    const prev = this.store.get().summary.data;
    this.store.set({ summary: { data: summary, error: null, fetchedAt: Date.now(), raw } });
    // A poller breaking or recovering, or a maintenance starting, sends no
    // status event, only a new summary: fetch what it changed (tiles, the
    // timeline's poller entries).
    if (
      prev &&
      (prev.unknown_count !== summary.unknown_count ||
        prev.maintenance_count !== summary.maintenance_count ||
        prev.healthy_count !== summary.healthy_count)
    )
      this.scheduleRefetch(false);
  }

  /** Refetch what a change touched, once for a burst of changes. */
  private scheduleRefetch(figures: boolean): void {
    if (this.refetchTimer) clearTimeout(this.refetchTimer);
    this.refetchFigures ||= figures;
    this.refetchTimer = setTimeout(() => {
      this.refetchTimer = null;
      // Rows and counts arrive as `services` and `summary` frames, not by
      // refetching 10,000 rows (doc/scale.md#sse); the clustered timeline is
      // small, and a 304 when unchanged.
      void this.refresh('clustered');
      if (this.refetchFigures) {
        // The tile's day squares and uptime come with its row in the
        // `services` frame (onServices); only the views' worst-N lists here.
        for (const k of ['slaHistory', 'slo'] as const) if (this.wanted.has(k)) void this.refresh(k);
      }
      if (this.wanted.has('graph')) void this.refresh('graph');
      this.refetchFigures = false;
    }, 250);
  }

  /** Changed rows from the stream: patch the list in place of a refetch. */
  private onServices(data: unknown): void {
    this.lastStreamMsg = Date.now();
    const st = this.store.get();
    const list = st.services.data;
    if (!list) return; // the list being fetched is newer anyway
    const d = parseServicesDelta(data);
    if (!d.services.length && !d.removed.length) return;
    // A row that came without its figures (an older apid, a read error):
    // the tiles' figures are refetched instead (issue 15).
    if (d.services.some((x) => !d.figures[x.id])) void this.refreshFigures();
    this.store.set({
      services: { ...st.services, data: patchRows(list, d.services, d.removed), raw: null },
      ...applyFigures(st, d.figures),
      eventSeq: st.eventSeq + 1,
    });
  }

  private onStatusEvent(row: unknown): void {
    this.lastStreamMsg = Date.now();
    if (!isObj(row)) return;
    const ev = parseEvent(row);
    if (!ev) return;
    const st = this.store.get();
    const svc = findService(st.services.data, ev.service_id);
    // The new committed status through the one rule (lib/status.ts); the
    // server's answer, stall included, comes with the refetch below.
    const eff = effectiveStatus({ poller_health: svc?.poller_health ?? null, current_status: ev.new_status });
    const services = patchService(st.services.data, ev.service_id, {
      current_status: ev.new_status,
      effective_status: eff,
      last_status_change_at: ev.created_at,
      pending_status: null,
      pending_status_count: 0,
      pending_status_since: null,
    });
    // Today's square follows the event at once (figures follow the refetch).
    const today = lastDays(1, Date.now() + st.clockOffsetMs)[0]!;
    const uptime = patchToday(st.uptime.data, ev.service_id, today, eff);
    this.store.set({
      services: { ...st.services, data: services },
      ...(uptime !== st.uptime.data ? { uptime: { ...st.uptime, data: uptime } } : {}),
      eventSeq: st.eventSeq + 1,
      lastEvent: ev,
      announcement: `${ev.service_name} changed from ${statusLabel(ev.previous_status)} to ${statusLabel(ev.new_status)}.`,
    });
    // Pick up everything derived from the change (impact statements, clusters, counts, figures).
    this.scheduleRefetch(true);
  }
}
