import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, StreamClient, type EventSourceLike, type StreamState } from '../src/lib/stream';

class FakeES implements EventSourceLike {
  static all: FakeES[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(public url: string) {
    FakeES.all.push(this);
  }
  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  emit(type: string, data: string, id = '') {
    for (const fn of this.listeners.get(type) ?? []) fn({ data, lastEventId: id } as MessageEvent);
  }
}

function setup(extra: Partial<ConstructorParameters<typeof StreamClient>[0]> = {}) {
  FakeES.all = [];
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const states: [StreamState, number | null][] = [];
  const status: unknown[] = [];
  const summaries: unknown[] = [];
  const bad: string[] = [];
  const c = new StreamClient({
    url: '/api/stream',
    factory: (u) => new FakeES(u),
    random: () => 0.5, // no jitter
    setTimer: (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cancelled: boolean }).cancelled = true;
    },
    onState: (s, i) => states.push([s, i.retryInMs]),
    onStatus: (r) => status.push(r),
    onSummary: (d) => summaries.push(d),
    onBadEvent: (t) => bad.push(t),
    ...extra,
  });
  const fire = () => {
    const t = timers.filter((x) => !x.cancelled).pop();
    if (!t) throw new Error('no timer pending');
    t.cancelled = true;
    t.fn();
  };
  return { c, timers, states, status, summaries, bad, fire, last: () => FakeES.all[FakeES.all.length - 1]! };
}

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 30 s', () => {
    const o = { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, o))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  it('applies bounded jitter', () => {
    const o = { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0.2 };
    expect(backoffDelay(0, o, () => 0)).toBe(800);
    expect(backoffDelay(0, o, () => 1)).toBe(1200);
    expect(backoffDelay(9, o, () => 1)).toBe(30000);
  });
});

describe('StreamClient', () => {
  it('connects, reports open, and delivers status and summary events', () => {
    const t = setup();
    t.c.start();
    expect(t.last().url).toBe('/api/stream');
    expect(t.c.state).toBe('connecting');
    t.last().open();
    expect(t.c.state).toBe('open');
    t.last().emit('status', JSON.stringify({ id: 7, service_id: 'github' }), '7');
    t.last().emit('summary', JSON.stringify({ overall_status: 'operational' }));
    expect(t.status).toEqual([{ id: 7, service_id: 'github' }]);
    expect(t.summaries).toEqual([{ overall_status: 'operational' }]);
    expect(t.c.lastEventId).toBe('7');
  });

  it('ignores malformed payloads without dropping the connection', () => {
    const t = setup();
    t.c.start();
    t.last().open();
    t.last().emit('status', '{not json');
    t.last().emit('summary', '');
    expect(t.bad).toEqual(['status', 'summary']);
    expect(t.c.state).toBe('open');
    expect(t.status).toHaveLength(0);
  });

  it('reconnects with exponential backoff and closes the failed source', () => {
    const t = setup();
    t.c.start();
    const first = t.last();
    first.fail();
    expect(first.closed).toBe(true);
    expect(t.c.state).toBe('waiting');
    expect(t.timers.at(-1)!.ms).toBe(1000);
    t.fire();
    expect(FakeES.all).toHaveLength(2);
    t.last().fail();
    expect(t.timers.at(-1)!.ms).toBe(2000);
    t.fire();
    t.last().fail();
    expect(t.timers.at(-1)!.ms).toBe(4000);
    expect(t.states.filter(([s]) => s === 'waiting').map(([, ms]) => ms)).toEqual([1000, 2000, 4000]);
  });

  it('resets the backoff once a connection opens', () => {
    const t = setup();
    t.c.start();
    t.last().fail();
    t.fire();
    t.last().fail();
    t.fire();
    t.last().open();
    expect(t.c.attempts).toBe(0);
    t.last().fail();
    expect(t.timers.at(-1)!.ms).toBe(1000);
  });

  it('passes the last event id when it reconnects', () => {
    const t = setup();
    t.c.start();
    t.last().open();
    t.last().emit('status', '{"id":41}', '41');
    t.last().fail();
    t.fire();
    expect(t.last().url).toBe('/api/stream?last_event_id=41');
  });

  it('ignores events and errors from a source it already dropped', () => {
    const t = setup();
    t.c.start();
    const old = t.last();
    old.fail();
    t.fire();
    old.emit('status', '{"id":1}', '1');
    old.fail();
    expect(t.status).toHaveLength(0);
    expect(t.timers.filter((x) => !x.cancelled)).toHaveLength(0);
  });

  it('stop() closes the source and cancels a pending reconnect', () => {
    const t = setup();
    t.c.start();
    t.last().fail();
    t.c.stop();
    expect(t.c.state).toBe('closed');
    expect(t.timers.every((x) => x.cancelled)).toBe(true);
    expect(FakeES.all).toHaveLength(1);
  });

  it('reconnectNow() skips the wait (tab visible again)', () => {
    const t = setup();
    t.c.start();
    t.last().fail();
    t.c.reconnectNow();
    expect(FakeES.all).toHaveLength(2);
    expect(t.timers.every((x) => x.cancelled)).toBe(true);
  });

  it('treats a throwing factory as a failed attempt', () => {
    let n = 0;
    const t = setup({
      factory: (u) => {
        if (n++ === 0) throw new Error('boom');
        return new FakeES(u);
      },
    });
    t.c.start();
    expect(t.c.state).toBe('waiting');
    t.fire();
    expect(FakeES.all).toHaveLength(1);
  });

  it('reports unsupported when EventSource is missing (the owner polls instead)', () => {
    const t = setup({ factory: null });
    t.c.start();
    expect(t.c.state).toBe('unsupported');
    expect(t.states[0]![0]).toBe('unsupported');
  });

  it('works with real timers too', async () => {
    vi.useFakeTimers();
    FakeES.all = [];
    const c = new StreamClient({ url: '/s', factory: (u) => new FakeES(u), random: () => 0.5 });
    c.start();
    FakeES.all[0]!.fail();
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeES.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeES.all).toHaveLength(2);
    c.stop();
    vi.useRealTimers();
  });
});
