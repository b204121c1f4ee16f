// Thin fetch wrapper around apid's `{data, error, meta}` envelope.
// Every failure (network, timeout, non-2xx, non-JSON, `error` set, wrong
// shape) becomes an ApiError with a readable message; callers show it.
import { isObj, obj, str } from './parse';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(message: string, status = 0, code = 'ERROR') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface ApiResult<T> {
  data: T;
  meta: unknown;
  /** What identifies the body, so callers can skip re-rendering when nothing
   * changed: its ETag (a hash of the exact body, doc/scale.md#http) when the
   * server sent one, else the body text. Not the text when it can be avoided:
   * the list of 10,000 services is 7 MB kept for nothing. */
  raw: string;
  /** Server clock minus local clock (ms), from the Date header; 0 when unknown or negligible. */
  clockOffsetMs: number;
}

export interface GetOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** The body is the data itself, not an envelope (/api/health). */
  bare?: boolean;
}

/** The last 200 of each path with its ETag: asked again with If-None-Match,
 * a 304 returns that same result, not parsed again (doc/scale.md#http). */
const lastByPath = new Map<string, { etag: string; result: ApiResult<unknown> }>();
/** Forget the remembered answers (tests). */
export function clearConditionalCache(): void {
  lastByPath.clear();
}

/** Pull a message out of the envelope, FastAPI's `detail` wrapper, or a plain string. */
export function errorMessage(body: unknown, status: number): { message: string; code: string } {
  const b = obj(body);
  const fromErr = (e: unknown) => {
    if (isObj(e)) return { message: str(e.message) || str(e.code) || `HTTP ${status}`, code: str(e.code) || 'ERROR' };
    if (typeof e === 'string' && e) return { message: e, code: 'ERROR' };
    return null;
  };
  const direct = fromErr(b.error);
  if (direct) return direct;
  if (isObj(b.detail)) {
    const nested = fromErr(b.detail.error);
    if (nested) return nested;
  }
  if (typeof b.detail === 'string') return { message: b.detail, code: 'ERROR' };
  if (Array.isArray(b.detail)) return { message: 'The request was rejected as invalid', code: 'VALIDATION' };
  return { message: status ? `HTTP ${status}` : 'Request failed', code: 'HTTP_' + status };
}

const CLOCK_SKEW_MIN_MS = 5000;

export function clockOffsetFromDate(dateHeader: string | null, localNow: number): number {
  if (!dateHeader) return 0;
  const server = Date.parse(dateHeader);
  if (!Number.isFinite(server)) return 0;
  // The header has one-second resolution; only correct for real skew.
  const off = server - localNow;
  return Math.abs(off) >= CLOCK_SKEW_MIN_MS ? off : 0;
}

export async function getJson<T>(
  path: string,
  parse: (data: unknown, meta: unknown) => T,
  opts: GetOptions = {},
): Promise<ApiResult<T>> {
  const f = opts.fetchImpl ?? fetch;
  const ctrl = new AbortController();
  const timeout = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 10000);
  const onAbort = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort);
  let res: Response;
  const prev = lastByPath.get(path);
  try {
    res = await f(path, {
      headers: prev ? { Accept: 'application/json', 'If-None-Match': prev.etag } : { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
      signal: ctrl.signal,
    });
  } catch (e) {
    const aborted = ctrl.signal.aborted && !opts.signal?.aborted;
    throw new ApiError(aborted ? 'Request timed out' : 'Network error: server unreachable', 0, aborted ? 'TIMEOUT' : 'NETWORK');
  } finally {
    clearTimeout(timeout);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (res.status === 304 && prev) {
    return { ...(prev.result as ApiResult<T>), clockOffsetMs: clockOffsetFromDate(res.headers.get('Date'), Date.now()) };
  }
  let raw = '';
  try {
    raw = await res.text();
  } catch {
    throw new ApiError('Response body could not be read', res.status, 'BODY');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    if (!res.ok) throw new ApiError(`HTTP ${res.status}`, res.status, 'HTTP_' + res.status);
    throw new ApiError('Server sent something that is not JSON', res.status, 'NOT_JSON');
  }
  if (!res.ok) {
    const { message, code } = errorMessage(body, res.status);
    throw new ApiError(message, res.status, code);
  }
  if (opts.bare) body = { data: body, error: null, meta: null };
  if (!isObj(body) || !('data' in body)) {
    throw new ApiError('Unexpected response shape (no data envelope)', res.status, 'SHAPE');
  }
  if (body.error !== null && body.error !== undefined) {
    const { message, code } = errorMessage(body, res.status);
    throw new ApiError(message, res.status, code);
  }
  let data: T;
  try {
    data = parse(body.data, body.meta);
  } catch (e) {
    throw new ApiError('Could not read the response: ' + String(e), res.status, 'PARSE');
  }
  const etag = res.headers?.get?.('ETag');
  const result = { data, meta: body.meta ?? null, raw: etag ? 'etag ' + etag : raw, clockOffsetMs: clockOffsetFromDate(res.headers.get('Date'), Date.now()) };
  if (etag) lastByPath.set(path, { etag, result });
  else lastByPath.delete(path);
  return result;
}
