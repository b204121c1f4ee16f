// Issue 16 (doc/scale.md#dashboard): at load the list comes in stages. A
// first page that is every service is the list; above STAGED_MIN services the
// first page and every service not operational are shown, marked partial,
// until the whole list replaces them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIRST_PAGE, LiveController, STAGED_MIN } from '../src/state/live';
import { createStore, initialState } from '../src/state/store';

class ES {
  addEventListener() {}
  close() {}
}

const row = (i: number, status = 'operational') => ({ id: `s${i}`, display_name: `S ${i}`, category: 'other', current_status: status, effective_status: status, poller_health: 'healthy' });
let n = 0;
let calls: string[] = [];
let releaseWhole: () => void = () => {};

function answer(path: string): unknown {
  const u = new URL(path, 'http://x');
  if (u.pathname !== '/api/services') return { data: {}, error: null, meta: null };
  const all = Array.from({ length: n }, (_, i) => row(i, i === n - 1 ? 'major_outage' : 'operational'));
  const limit = Number(u.searchParams.get('limit') || 0);
  const status = u.searchParams.get('status');
  const match = status ? all.filter((s) => status.split(',').includes(s.effective_status)) : all;
  const rows = limit ? match.slice(0, limit) : match;
  const meta = limit ? { limit, next_cursor: rows.length < match.length ? rows[rows.length - 1]!.id : null } : { category_filter: null };
  return { data: { services: rows, total: match.length }, error: null, meta };
}

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  vi.stubGlobal('EventSource', ES);
  vi.stubGlobal('fetch', async (path: string) => {
    calls.push(path);
    if (path === '/api/services') await new Promise<void>((r) => (releaseWhole = r));
    return new Response(JSON.stringify(answer(path)), { status: 200 });
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the list at load', () => {
  it('is the first page when that is every service: one request', async () => {
    n = 30;
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    const list = store.get().services.data!;
    expect(list.services).toHaveLength(30);
    expect(list.partial).toBeUndefined();
    expect(calls.filter((c) => c === '/api/services')).toHaveLength(0);
    live.stop();
  });

  it('shows the first page and every incident, partial, then every service', async () => {
    n = STAGED_MIN + 500;
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    let list = store.get().services.data!;
    expect(list.partial).toBe(true);
    expect(list.total).toBe(n);
    expect(list.services).toHaveLength(FIRST_PAGE + 1);
    expect(list.services.some((s) => s.id === `s${n - 1}` && s.current_status === 'major_outage')).toBe(true);
    // A refresh meanwhile (the stream opening) waits for the same whole list.
    void live.refresh('services');
    releaseWhole();
    await vi.advanceTimersByTimeAsync(0);
    list = store.get().services.data!;
    expect(list.partial).toBeUndefined();
    expect(list.services).toHaveLength(n);
    expect(calls.filter((c) => c === '/api/services')).toHaveLength(1);
    live.stop();
  });

  it('waits for the whole list below STAGED_MIN services', async () => {
    n = FIRST_PAGE + 10;
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().services.data).toBeNull();
    releaseWhole();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().services.data!.services).toHaveLength(n);
    live.stop();
  });
});
