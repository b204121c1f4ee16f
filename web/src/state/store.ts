// A tiny observable store (no dependency) holding everything the shell shows.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Clustered, Health, RowFigures, Service, ServicesList, Sla, SlaHistory, Slo, StatusEvent, Summary, Uptime, Graph } from '../api/types';
import type { ConnMode } from '../lib/staleness';
import { RANK, type Status } from '../lib/status';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  /** Local time of the last successful fetch. */
  fetchedAt: number | null;
  /** Raw body of the last success (to skip re-renders when unchanged). */
  raw: string | null;
}

export const emptyResource = <T,>(): Resource<T> => ({ data: null, error: null, fetchedAt: null, raw: null });

export interface AppState {
  summary: Resource<Summary>;
  services: Resource<ServicesList>;
  clustered: Resource<Clustered>;
  uptime: Resource<Uptime>;
  sla: Resource<Sla>;
  slaHistory: Resource<SlaHistory>;
  slo: Resource<Slo>;
  graph: Resource<Graph>;
  health: Resource<Health>;
  conn: ConnMode;
  /** Milliseconds until the next stream reconnect attempt, when waiting. */
  retryInMs: number | null;
  clockOffsetMs: number;
  /** Bumped on every live status event (views refetch per-service data on change). */
  eventSeq: number;
  lastEvent: StatusEvent | null;
  /** Polite announcement for screen readers. */
  announcement: string;
}

export type ResourceKey = 'summary' | 'services' | 'clustered' | 'uptime' | 'sla' | 'slaHistory' | 'slo' | 'graph' | 'health';

export interface Store<S> {
  get(): S;
  set(patch: Partial<S> | ((s: S) => Partial<S>)): void;
  subscribe(fn: () => void): () => void;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const subs = new Set<() => void>();
  return {
    get: () => state,
    set(patch) {
      const p = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...p };
      for (const f of [...subs]) f();
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

export function initialState(): AppState {
  return {
    summary: emptyResource(),
    services: emptyResource(),
    clustered: emptyResource(),
    uptime: emptyResource(),
    sla: emptyResource(),
    slaHistory: emptyResource(),
    slo: emptyResource(),
    graph: emptyResource(),
    health: emptyResource(),
    conn: 'connecting',
    retryInMs: null,
    clockOffsetMs: 0,
    eventSeq: 0,
    lastEvent: null,
    announcement: '',
  };
}

/** Subscribe a component to a slice of the store; re-renders only when the slice changes (===). */
export function useStore<S extends object, T>(store: Store<S>, select: (s: S) => T): T {
  const [value, setValue] = useState(() => select(store.get()));
  const sel = useRef(select);
  sel.current = select;
  useEffect(() => {
    const check = () => {
      const next = sel.current(store.get());
      setValue((prev) => (Object.is(prev, next) ? prev : next));
    };
    check();
    return store.subscribe(check);
  }, [store]);
  return value;
}

/** Patch one service row in place (for a live status event before the refetch lands). */
export function patchService(list: ServicesList | null, id: string, patch: Partial<Service>): ServicesList | null {
  if (!list) return list;
  let hit = false;
  const services = list.services.map((s) => {
    if (s.id !== id) return s;
    hit = true;
    return { ...s, ...patch };
  });
  return hit ? { ...list, services } : list;
}

/** Today's square after a live status event: the worse of what it showed and
 * the new status, so the tile agrees with its label before the refetch lands. */
export function patchToday(u: Uptime | null, id: string, day: string, s: Status): Uptime | null {
  if (!u || s === 'unknown') return u; /* an unknown is no data, never a colour */
  const row = u.services[id] ?? {};
  const cur = row[day];
  if (cur && RANK[cur] >= RANK[s]) return u;
  return { ...u, services: { ...u.services, [id]: { ...row, [day]: s } } };
}

/** The uptime and SLA resources with the figures of a stream delta's rows
 * (doc/scale.md#sse) put in place of those services' entries: the tiles
 * follow without a refetch of every service. Only the resources that
 * changed are in the patch; nothing while they are not loaded yet (their
 * fetch is newer). */
export function applyFigures(st: AppState, figures: Record<string, RowFigures>): Partial<AppState> {
  const ids = Object.keys(figures);
  const u = st.uptime.data;
  const sla = st.sla.data;
  if (!ids.length) return {};
  const patch: Partial<AppState> = {};
  if (u) {
    const services = { ...u.services };
    const tracked = { ...u.tracked };
    for (const id of ids) {
      const f = figures[id]!;
      // A day absent is "no data", as in the list: drop the entry when no day was seen.
      if (Object.keys(f.byDay).length) services[id] = f.byDay;
      else delete services[id];
      if (Object.keys(f.tracked).length) tracked[id] = f.tracked;
      else delete tracked[id];
    }
    patch.uptime = { ...st.uptime, data: { ...u, services, tracked }, raw: null };
  }
  if (sla) {
    const services = { ...sla.services };
    for (const id of ids) {
      const f = figures[id]!.sla;
      if (f) services[id] = f;
    }
    patch.sla = { ...st.sla, data: { ...sla, services }, raw: null };
  }
  return patch;
}
