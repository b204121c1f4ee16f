import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App';
import { LiveController } from '../src/state/live';
import { createStore, initialState } from '../src/state/store';

let root: HTMLElement;
let live: LiveController;

function respond(map: (path: string) => { status?: number; body: string }) {
  vi.stubGlobal('fetch', async (path: string) => {
    const r = map(path);
    return new Response(r.body, { status: r.status ?? 200 });
  });
}

async function mount() {
  const store = createStore(initialState());
  live = new LiveController(store);
  root = document.createElement('div');
  document.body.appendChild(root);
  live.start();
  await act(async () => {
    render(<App store={store} live={live} />, root);
    await vi.advanceTimersByTimeAsync(50);
  });
  return store;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('EventSource', undefined);
  localStorage.clear();
});
afterEach(() => {
  live.stop();
  render(null, root);
  root.remove();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('App with hostile data', () => {
  it('renders the valid rows and survives nulls, wrong types and junk', async () => {
    respond((p) => {
      if (p.startsWith('/api/services/uptime')) return { body: JSON.stringify({ data: { days: 'x', services: [] }, error: null, meta: null }) };
      if (p.startsWith('/api/services/sla')) return { body: JSON.stringify({ data: { services: { a: 'nope' } }, error: null, meta: null }) };
      if (p.startsWith('/api/services'))
        return {
          body: JSON.stringify({
            data: {
              services: [
                { id: 'a', display_name: null, current_status: 42, poller_health: 'broken', category: null },
                null,
                { id: 'b', display_name: 'Bee', current_status: 'major_outage', pending_status: {}, in_maintenance: 'yes' },
                { nope: true },
              ],
            },
            error: null,
            meta: null,
          }),
        };
      if (p.startsWith('/api/summary'))
        return { body: JSON.stringify({ data: { active_incidents: [{ service: null }, 'x'], upcoming_maintenances: {}, last_poll_at: 12 }, error: null, meta: null }) };
      if (p.startsWith('/api/timeline/clustered')) return { body: JSON.stringify({ data: { clusters: [{ events: [{ id: 'x' }] }, 3] }, error: null, meta: null }) };
      return { status: 404, body: '{"data":null,"error":{"code":"NOT_FOUND","message":"nope"},"meta":null}' };
    });
    await mount();
    const tiles = [...root.querySelectorAll<HTMLElement>('.tile')];
    expect(tiles.map((t) => t.dataset.serviceId).sort()).toEqual(['a', 'b']);
    const a = root.querySelector('[data-service-id="a"] .tile-label')!;
    expect(a.textContent).toBe('Unknown');
    expect(root.textContent).toContain('1 Active Incident');
  });

  it('shows the failure instead of pretending, when the API answers HTML', async () => {
    respond(() => ({ body: '<!doctype html><title>app</title>' }));
    const store = await mount();
    expect(store.get().conn).toBe('disconnected');
    expect(root.querySelector('[data-testid="connection-banner"]')!.textContent).toMatch(/Disconnected/);
    expect(root.querySelector('[data-testid="staleness-chip"]')!.textContent).toMatch(/Disconnected/);
    expect(root.textContent).toContain('Could not load services');
  });
});
