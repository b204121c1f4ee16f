// A tiny observable store (no dependency) holding everything the shell shows.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Clustered, Health, RowFigures, Service, ServicesList, Sla, SlaHistory, Slo, StatusEvent, Summary, Uptime, Graph } from '../api/types';
import type { ConnMode } from '../lib/staleness';
import { noteChanges, type RowChange } from '../lib/groups';
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

/** Where the row with this id is in list, or -1. A scan, not an index: a
 * list is new with each fetch, and building a map of 10,000 ids for a live
 * event's one row cost more than the scans it saves (doc/scale.md#misses). */
function indexOf(list: readonly Service[], id: string): number {
  for (let i = 0; i < list.length; i++) if (list[i]!.id === id) return i;
  return -1;
}

/** The row with this id in the list, or null. */
export function findService(list: ServicesList | null, id: string): Service | null {
  const i = list ? indexOf(list.services, id) : -1;
  return i < 0 ? null : list!.services[i]!;
}

/** Rows of a delta above which one pass over the list with a map of the
 * rows is cheaper than a scan per row. */
const SCAN_ROWS = 8;

/**
 * The list after a stream delta: each row in place of the row with its id
 * (new services appended), the removed ids dropped. Rows not in the delta
 * keep their identity and position, so what is derived from the list can
 * be patched for the changed rows only (lib/groups.ts). A new list; the
 * old one is not modified.
 */
export function patchRows(list: ServicesList, rows: readonly Service[], removed: readonly string[]): ServicesList {
  const gone = new Set(removed);
  const services = gone.size ? list.services.filter((s) => !gone.has(s.id)) : list.services.slice();
  // What was replaced, for whatever is derived from the list (lib/groups.ts
  // noteChanges); not when rows were removed (the others moved).
  const changes: RowChange[] = [];
  if (rows.length <= SCAN_ROWS) {
    for (const r of rows) {
      const i = indexOf(services, r.id);
      changes.push([i >= 0 ? services[i]! : null, r]);
      if (i >= 0) services[i] = r;
      else services.push(r);
    }
  } else {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (let i = 0; i < services.length; i++) {
      const r = byId.get(services[i]!.id);
      if (r) {
        changes.push([services[i]!, r]);
        services[i] = r;
        byId.delete(r.id);
      }
    }
    for (const r of byId.values()) {
      changes.push([null, r]);
      services.push(r); // new services
    }
  }
  if (!gone.size) noteChanges(list.services, services, changes);
  return { ...list, services, total: services.length };
}

/** Patch one service row in place (for a live status event before the refetch lands). */
export function patchService(list: ServicesList | null, id: string, patch: Partial<Service>): ServicesList | null {
  const i = list ? indexOf(list.services, id) : -1;
  if (i < 0) return list;
  const services = list!.services.slice();
  const row = { ...services[i]!, ...patch };
  noteChanges(list!.services, services, [[services[i]!, row]]);
  services[i] = row;
  return { ...list!, services };
}

/** Today's square after a live status event: the worse of what it showed and
 * the new status, so the tile agrees with its label before the refetch lands.
 * The service's entry is new; the map holding it is updated in place, as in
 * applyFigures. */
export function patchToday(u: Uptime | null, id: string, day: string, s: Status): Uptime | null {
  if (!u || s === 'unknown') return u; /* an unknown is no data, never a colour */
  const row = u.services[id] ?? {};
  const cur = row[day];
  if (cur && RANK[cur] >= RANK[s]) return u;
  u.services[id] = { ...row, [day]: s };
  return { ...u };
}

/** The uptime and SLA resources with the figures of a stream delta's rows
 * (doc/scale.md#sse) put in place of those services' entries: the tiles
 * follow without a refetch of every service. Only the resources that
 * changed are in the patch; nothing while they are not loaded yet (their
 * fetch is newer).
 *
 * The per-service maps are updated in place, not copied: copying 10,000
 * entries three times was the largest part of a live event's main-thread
 * time (doc/scale.md#misses). The answers are new objects, so whatever
 * reads them sees the change; a changed service's entries are new objects
 * and the others keep theirs, so only its tile re-renders. Nothing keeps
 * an older answer to compare its entries with. */
export function applyFigures(st: AppState, figures: Record<string, RowFigures>): Partial<AppState> {
  const ids = Object.keys(figures);
  const u = st.uptime.data;
  const sla = st.sla.data;
  if (!ids.length) return {};
  const patch: Partial<AppState> = {};
  if (u) {
    for (const id of ids) {
      const f = figures[id]!;
      // A day absent is "no data", as in the list: drop the entry when no day was seen.
      if (Object.keys(f.byDay).length) u.services[id] = f.byDay;
      else delete u.services[id];
      if (Object.keys(f.tracked).length) u.tracked[id] = f.tracked;
      else delete u.tracked[id];
    }
    patch.uptime = { ...st.uptime, data: { ...u }, raw: null };
  }
  if (sla) {
    for (const id of ids) {
      const f = figures[id]!.sla;
      if (f) sla.services[id] = f;
    }
    patch.sla = { ...st.sla, data: { ...sla }, raw: null };
  }
  return patch;
}
