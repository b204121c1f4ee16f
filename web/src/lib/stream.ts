// Server-Sent Events client for GET /api/stream.
//
// Events: `status` (a new status_events row as JSON; SSE id = row id) and
// `summary` (the /api/summary data object). The browser's own EventSource
// retry is not used: on any error the connection is closed and reopened after
// an exponential backoff with jitter (1 s, 2 s, 4 s … capped), reset once a
// connection opens. The owner is told about every state change so it can
// poll while the stream is down (see state/live.ts).

export type StreamState = 'idle' | 'connecting' | 'open' | 'waiting' | 'unsupported' | 'closed';

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: the delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0.2 };

export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF, rnd: () => number = Math.random): number {
  const base = Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, Math.max(0, attempt)));
  const j = o.jitter > 0 ? 1 + o.jitter * (2 * rnd() - 1) : 1;
  return Math.max(0, Math.round(Math.min(o.maxMs, base * j)));
}

export interface StreamHandlers {
  onStatus?: (row: unknown, lastEventId: string | null) => void;
  onSummary?: (data: unknown) => void;
  /** Changed service rows and retired ids (doc/scale.md#sse). */
  onServices?: (data: unknown) => void;
  /** Too much changed for a delta: refetch the list. */
  onResync?: () => void;
  onState?: (state: StreamState, info: { attempt: number; retryInMs: number | null }) => void;
  /** Malformed event payloads are reported here and otherwise ignored. */
  onBadEvent?: (type: string, raw: string) => void;
}

export interface StreamOptions extends StreamHandlers {
  url: string;
  factory?: EventSourceFactory | null;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

function defaultFactory(): EventSourceFactory | null {
  if (typeof EventSource === 'undefined') return null;
  return (url) => new EventSource(url) as unknown as EventSourceLike;
}

export class StreamClient {
  private es: EventSourceLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = true;
  private lastId: string | null = null;
  private st: StreamState = 'idle';
  private readonly opts: StreamOptions;
  private readonly backoff: BackoffOptions;
  private readonly factory: EventSourceFactory | null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(opts: StreamOptions) {
    this.opts = opts;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.factory = opts.factory === undefined ? defaultFactory() : opts.factory;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get state(): StreamState {
    return this.st;
  }
  get lastEventId(): string | null {
    return this.lastId;
  }
  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (!this.factory) {
      this.setState('unsupported', null);
      return;
    }
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.dropSource();
    this.setState('closed', null);
  }

  /** Drop the current connection and reconnect at once (e.g. the tab became visible). */
  reconnectNow(): void {
    if (this.stopped || !this.factory) return;
    if (this.st === 'open') return;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.dropSource();
    this.open();
  }

  private setState(s: StreamState, retryInMs: number | null): void {
    this.st = s;
    this.opts.onState?.(s, { attempt: this.attempt, retryInMs });
  }

  private dropSource(): void {
    const es = this.es;
    this.es = null;
    if (es) {
      es.onopen = null;
      es.onerror = null;
      try {
        es.close();
      } catch {
        /* ignore */
      }
    }
  }

  private open(): void {
    if (!this.factory) return;
    const url = this.lastId ? this.withLastId(this.opts.url, this.lastId) : this.opts.url;
    let es: EventSourceLike;
    try {
      es = this.factory(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.es = es;
    this.setState('connecting', null);
    es.onopen = () => {
      if (this.es !== es) return;
      this.attempt = 0;
      this.setState('open', null);
    };
    es.onerror = () => {
      if (this.es !== es) return;
      this.dropSource();
      this.scheduleReconnect();
    };
    es.addEventListener('status', (ev) => {
      if (this.es !== es) return;
      const raw = typeof ev.data === 'string' ? ev.data : '';
      let row: unknown;
      try {
        row = JSON.parse(raw);
      } catch {
        this.opts.onBadEvent?.('status', raw);
        return;
      }
      if (ev.lastEventId) this.lastId = ev.lastEventId;
      this.opts.onStatus?.(row, ev.lastEventId || null);
    });
    // Frames whose data is JSON handed over as it is (bad JSON is reported).
    const onJson = (type: string, handler: ((data: unknown) => void) | undefined) =>
      es.addEventListener(type, (ev) => {
        if (this.es !== es) return;
        const raw = typeof ev.data === 'string' ? ev.data : '';
        let data: unknown;
        try {
          data = JSON.parse(raw);
        } catch {
          this.opts.onBadEvent?.(type, raw);
          return;
        }
        handler?.(data);
      });
    onJson('summary', (d) => this.opts.onSummary?.(d));
    onJson('services', (d) => this.opts.onServices?.(d));
    es.addEventListener('resync', () => {
      if (this.es !== es) return;
      this.opts.onResync?.();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.backoff, this.opts.random);
    this.attempt++;
    this.setState('waiting', delay);
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private withLastId(url: string, id: string): string {
    // A fresh EventSource cannot set Last-Event-ID itself; pass it as a query
    // parameter (apid may use it to replay missed rows; harmless otherwise).
    return url + (url.includes('?') ? '&' : '?') + 'last_event_id=' + encodeURIComponent(id);
  }
}
