import { describe, expect, it } from 'vitest';
import { ApiError, clearConditionalCache, clockOffsetFromDate, getJson } from '../src/api/client';
import {
  parseAlerts,
  parseClustered,
  parseGraph,
  parseServiceDetail,
  parseServicePartial,
  parseServices,
  parseSla,
  parseSlo,
  parseSummary,
  parseUptime,
} from '../src/api/parse';

const GARBAGE: unknown[] = [null, undefined, 0, 'x', [], {}, [null, 1, 'a'], { services: 'nope', nodes: {}, clusters: [{}] }];

describe('parsers never throw', () => {
  it.each([parseServices, parseSummary, parseUptime, parseSla, parseGraph, parseSlo, parseClustered, parseAlerts])('%o', (f) => {
    for (const g of GARBAGE) expect(() => (f as (x: unknown) => unknown)(g)).not.toThrow();
  });
});

describe('parseServices', () => {
  it('fills defaults, drops rows without id, normalises enums', () => {
    const r = parseServices({
      services: [
        { id: 'a', display_name: 'A', current_status: 'MAJOR_OUTAGE', poller_health: 'broken', in_maintenance: 1 },
        { display_name: 'no id' },
        'junk',
        { id: 'b', current_status: 'sparkly', pending_status: 'nope', pending_status_count: '3' },
      ],
      total: 2,
    });
    expect(r.services.map((s) => s.id)).toEqual(['a', 'b']);
    expect(r.services[0]).toMatchObject({ current_status: 'major_outage', poller_health: 'broken', in_maintenance: true, category: 'other' });
    expect(r.services[1]).toMatchObject({ display_name: 'b', current_status: 'unknown', pending_status: null, pending_status_count: 3 });
  });
  it('accepts a bare array', () => {
    expect(parseServices([{ id: 'x' }]).services).toHaveLength(1);
  });
  it('partial parse keeps only present keys (detail endpoint without poller_health)', () => {
    const p = parseServicePartial({ id: 'a', current_status: 'degraded' });
    expect(Object.keys(p).sort()).toEqual(['current_status', 'id']);
  });
});

describe('parseSummary', () => {
  it('reads last_poll_at from data or meta', () => {
    expect(parseSummary({ last_poll_at: '2026-01-01T00:00:00.000Z' }).last_poll_at).toBe('2026-01-01T00:00:00.000Z');
    expect(parseSummary({}, { last_poll_at: '2026-01-02T00:00:00.000Z' }).last_poll_at).toBe('2026-01-02T00:00:00.000Z');
    expect(parseSummary({}).last_poll_at).toBeNull();
  });
  it('builds a fallback impact statement', () => {
    const s = parseSummary({ active_incidents: [{ service: { id: 'g', display_name: 'GitHub', current_status: 'degraded' } }, { service: {} }] });
    expect(s.active_incidents).toHaveLength(1);
    expect(s.active_incidents[0]!.impact_statement).toBe('GitHub status: degraded');
  });
});

describe('other parsers', () => {
  it('graph drops links to unknown nodes', () => {
    const g = parseGraph({ nodes: [{ id: 'a' }, { id: 'b' }], links: [{ source: 'a', target: 'b' }, { source: 'a', target: 'zzz' }] });
    expect(g.links).toHaveLength(1);
    expect(g.links[0]!.severity).toBe('high');
  });
  it('detail keeps the fallback id', () => {
    expect(parseServiceDetail(null, 'x').service.id).toBe('x');
  });
  it('alerts: rows, deliveries and the cursor from meta or data', () => {
    const a = parseAlerts(
      { alerts: [{ id: 1, service_id: 's', deliveries: [{ destination: 'slack', state: 'sent', attempts: 1 }] }, { id: 'x' }] },
      { next_cursor: 'c2' },
    );
    expect(a.alerts).toHaveLength(1);
    expect(a.alerts[0]!.deliveries[0]).toMatchObject({ destination: 'slack', state: 'sent', attempts: 1, last_http_status: null });
    expect(a.next_cursor).toBe('c2');
    expect(parseAlerts([{ id: 2, service_id: 's' }]).alerts).toHaveLength(1);
  });
  it('sla clamps percentages', () => {
    expect(parseSla({ services: { a: { uptime_24h: 101, uptime_7d: '99.5', uptime_30d: null } } }).services.a).toMatchObject({
      uptime_24h: 100,
      uptime_7d: 99.5,
      uptime_30d: null,
      monitoring_since: null,
      coverage: { '24h': null, '7d': null, '30d': null },
    });
  });
});

function fakeFetch(status: number, body: string, headers: Record<string, string> = {}): typeof fetch {
  return (async () => new Response(body, { status, headers })) as typeof fetch;
}

describe('getJson', () => {
  const id = (d: unknown) => d;
  it('unwraps the envelope', async () => {
    const r = await getJson('/x', id, { fetchImpl: fakeFetch(200, '{"data":{"a":1},"error":null,"meta":{"m":2}}') });
    expect(r.data).toEqual({ a: 1 });
    expect(r.meta).toEqual({ m: 2 });
  });
  it('turns an error envelope into an ApiError', async () => {
    await expect(
      getJson('/x', id, { fetchImpl: fakeFetch(404, '{"data":null,"error":{"code":"SERVICE_NOT_FOUND","message":"Service \'x\' not found"},"meta":null}') }),
    ).rejects.toMatchObject({ status: 404, code: 'SERVICE_NOT_FOUND', message: "Service 'x' not found" });
  });
  it('understands the seed FastAPI detail wrapper and plain detail strings', async () => {
    await expect(
      getJson('/x', id, { fetchImpl: fakeFetch(403, '{"detail":{"data":null,"error":{"code":"INVALID_BEARER_TOKEN","message":"bad token"}}}') }),
    ).rejects.toMatchObject({ code: 'INVALID_BEARER_TOKEN' });
    await expect(getJson('/x', id, { fetchImpl: fakeFetch(404, '{"detail":"Not Found"}') })).rejects.toMatchObject({ message: 'Not Found' });
  });
  it('rejects HTML (e.g. an SPA fallback) and bodies without an envelope', async () => {
    await expect(getJson('/x', id, { fetchImpl: fakeFetch(200, '<!doctype html>') })).rejects.toMatchObject({ code: 'NOT_JSON' });
    await expect(getJson('/x', id, { fetchImpl: fakeFetch(200, '{"services":[]}') })).rejects.toMatchObject({ code: 'SHAPE' });
  });
  it('an error field on a 200 is still an error', async () => {
    await expect(getJson('/x', id, { fetchImpl: fakeFetch(200, '{"data":null,"error":"boom"}') })).rejects.toBeInstanceOf(ApiError);
  });
  it('network failures become ApiError NETWORK', async () => {
    const f = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(getJson('/x', id, { fetchImpl: f })).rejects.toMatchObject({ code: 'NETWORK' });
  });
  it('clock offset only for real skew', () => {
    const now = Date.parse('2026-11-23T20:00:00Z');
    expect(clockOffsetFromDate('Mon, 23 Nov 2026 20:00:00 GMT', now + 800)).toBe(0);
    expect(clockOffsetFromDate('Mon, 23 Nov 2026 20:01:00 GMT', now)).toBe(60_000);
    expect(clockOffsetFromDate(null, now)).toBe(0);
    expect(clockOffsetFromDate('junk', now)).toBe(0);
  });
});

describe('conditional requests', () => {
  it('sends If-None-Match with the last ETag and returns the same result on 304 without parsing again', async () => {
    clearConditionalCache();
    const sent: (string | null)[] = [];
    let parses = 0;
    const fetchImpl = (async (_path: string, init?: RequestInit) => {
      const inm = (init?.headers as Record<string, string>)['If-None-Match'] ?? null;
      sent.push(inm);
      if (inm === '"v1"') return new Response(null, { status: 304, headers: { ETag: '"v1"' } });
      return new Response(JSON.stringify({ data: { services: [{ id: 'a' }] }, error: null, meta: null }), { status: 200, headers: { ETag: '"v1"' } });
    }) as typeof fetch;
    const parse = (d: unknown) => {
      parses++;
      return parseServices(d);
    };
    const a = await getJson('/api/services', parse, { fetchImpl });
    const b = await getJson('/api/services', parse, { fetchImpl });
    expect(sent).toEqual([null, '"v1"']);
    expect(b.data).toBe(a.data);
    expect(b.raw).toBe(a.raw);
    expect(parses).toBe(1);
  });
});
