import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAST_MS, LiveController } from '../src/state/live';
import { createStore, initialState } from '../src/state/store';

class ES {
  static all: ES[] = [];
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  constructor(public url: string) {
    ES.all.push(this);
  }
  addEventListener(t: string, f: (e: MessageEvent) => void) {
    this.listeners.set(t, [...(this.listeners.get(t) ?? []), f]);
  }
  close() {}
  emit(t: string, data: unknown, id = '') {
    for (const f of this.listeners.get(t) ?? []) f({ data: JSON.stringify(data), lastEventId: id } as MessageEvent);
  }
}

let up = true;
const calls: string[] = [];
const services = [{ id: 'github', display_name: 'GitHub', category: 'engineering', current_status: 'operational', poller_health: 'healthy' }];
function body(path: string): unknown {
  if (path.startsWith('/api/summary')) return { last_poll_at: new Date().toISOString(), active_incidents: [] };
  if (path.startsWith('/api/services/uptime')) return { days: [], services: {} };
  if (path.startsWith('/api/services/sla')) return { services: {} };
  if (path.startsWith('/api/services')) return { services, total: 1 };
  if (path.startsWith('/api/timeline/clustered')) return { clusters: [], total_clusters: 0, total_events: 0 };
  return {};
}

beforeEach(() => {
  vi.useFakeTimers();
  ES.all = [];
  calls.length = 0;
  up = true;
  vi.stubGlobal('EventSource', ES);
  vi.stubGlobal('fetch', async (path: string) => {
    calls.push(path);
    if (!up) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify({ data: body(path), error: null, meta: null }), { status: 200 });
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const fastCalls = () => calls.filter((c) => c.startsWith('/api/summary')).length;

describe('LiveController', () => {
  it('goes live when the stream opens and applies a status event without refetching first', async () => {
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().services.data?.services).toHaveLength(1);
    ES.all[0]!.onopen?.(new Event('open'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().conn).toBe('live');
    ES.all[0]!.emit(
      'status',
      { id: 9, service_id: 'github', service_name: 'GitHub', previous_status: 'operational', new_status: 'major_outage', created_at: new Date().toISOString() },
      '9',
    );
    expect(store.get().services.data!.services[0]!.current_status).toBe('major_outage');
    expect(store.get().eventSeq).toBe(1);
    expect(store.get().announcement).toMatch(/GitHub changed from Operational to Major Outage/);
    live.stop();
  });

  it('applies service deltas from the stream without refetching the list; resync refetches it', async () => {
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    ES.all[0]!.onopen?.(new Event('open'));
    await vi.advanceTimersByTimeAsync(0);
    const listCalls = () => calls.filter((c) => c === '/api/services').length;
    const before = listCalls();
    ES.all[0]!.emit('services', {
      services: [
        { id: 'github', display_name: 'GitHub', category: 'engineering', current_status: 'degraded', effective_status: 'degraded', poller_health: 'healthy' },
        { id: 'slack', display_name: 'Slack', category: 'collaboration', current_status: 'operational', poller_health: 'healthy' },
      ],
      removed: [],
    });
    let rows = store.get().services.data!.services;
    expect(rows.map((r) => [r.id, r.current_status])).toEqual([
      ['github', 'degraded'],
      ['slack', 'operational'],
    ]);
    ES.all[0]!.emit('services', { services: [], removed: ['github'] });
    rows = store.get().services.data!.services;
    expect(rows.map((r) => r.id)).toEqual(['slack']);
    // A status event patches the row and refetches only the clustered timeline.
    const sums = fastCalls();
    ES.all[0]!.emit('status', { id: 10, service_id: 'slack', service_name: 'Slack', previous_status: 'operational', new_status: 'degraded', created_at: new Date().toISOString() }, '10');
    await vi.advanceTimersByTimeAsync(1000);
    expect(listCalls()).toBe(before);
    expect(fastCalls()).toBe(sums);
    expect(store.get().services.data!.services[0]!.current_status).toBe('degraded');
    ES.all[0]!.emit('resync', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(listCalls()).toBe(before + 1);
    live.stop();
  });

  it('falls back to polling every 30 s while the stream is down, and stops when it is back', async () => {
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    ES.all[0]!.onerror?.(new Event('error'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().conn).toBe('polling');
    const before = fastCalls();
    await vi.advanceTimersByTimeAsync(FAST_MS);
    expect(fastCalls()).toBeGreaterThan(before);
    // Reconnect after the 1 s backoff; once open, the 30 s poll stops.
    const last = ES.all[ES.all.length - 1]!;
    last.onopen?.(new Event('open'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().conn).toBe('live');
    const afterOpen = fastCalls();
    await vi.advanceTimersByTimeAsync(FAST_MS * 2);
    expect(fastCalls()).toBe(afterOpen);
    live.stop();
  });

  it('says disconnected when neither the stream nor a fetch gets through, and keeps the old data marked as such', async () => {
    const store = createStore(initialState());
    const live = new LiveController(store);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    up = false;
    ES.all[0]!.onerror?.(new Event('error'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().conn).toBe('disconnected');
    expect(store.get().services.data).not.toBeNull();
    expect(store.get().services.error).toMatch(/Network error/);
    up = true;
    await vi.advanceTimersByTimeAsync(FAST_MS);
    expect(store.get().conn).toBe('polling');
    expect(store.get().services.error).toBeNull();
    live.stop();
  });
});
