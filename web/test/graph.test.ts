import { describe, expect, it } from 'vitest';
import { assignLayers, edgeKey, impactedPaths, layoutGraph, neighbourhood } from '../src/lib/graphLayout';

const nodes = ['idp', 'cf', 'gh', 'sentry', 'npm', 'ci'].map((id) => ({ id, name: id }));
const links = [
  { source: 'idp', target: 'gh' },
  { source: 'idp', target: 'npm' },
  { source: 'cf', target: 'gh' },
  { source: 'cf', target: 'sentry' },
  { source: 'gh', target: 'ci' },
];

describe('layered layout', () => {
  it('puts upstreams left of their downstreams (longest path)', () => {
    const L = assignLayers({ nodes, links });
    expect(L.get('idp')).toBe(0);
    expect(L.get('cf')).toBe(0);
    expect(L.get('gh')).toBe(1);
    expect(L.get('ci')).toBe(2);
    for (const l of links) expect(L.get(l.target)!).toBeGreaterThan(L.get(l.source)!);
  });
  it('tolerates cycles and self-loops', () => {
    const L = assignLayers({
      nodes: [{ id: 'a', name: 'a' }, { id: 'b', name: 'b' }],
      links: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
        { source: 'a', target: 'a' },
      ],
    });
    expect(new Set(L.values()).size).toBe(2);
  });
  it('gives every node a distinct position', () => {
    const lay = layoutGraph({ nodes, links });
    const pos = [...lay.nodes.values()].map((n) => `${n.x},${n.y}`);
    expect(new Set(pos).size).toBe(nodes.length);
    expect(lay.layers).toHaveLength(3);
    expect(lay.width).toBeGreaterThan(0);
  });
});

describe('impact paths', () => {
  it('follows every edge downstream of a broken service, transitively', () => {
    const r = impactedPaths(links, new Set(['cf']));
    expect([...r.edges].sort()).toEqual([edgeKey('cf', 'gh'), edgeKey('cf', 'sentry'), edgeKey('gh', 'ci')].sort());
    expect(r.nodes.has('ci')).toBe(true);
    expect(r.nodes.has('idp')).toBe(false);
  });
  it('neighbourhood covers both directions', () => {
    const r = neighbourhood(links, 'gh');
    expect(r.nodes).toEqual(new Set(['gh', 'ci', 'idp', 'cf']));
    expect(r.edges.has(edgeKey('idp', 'gh'))).toBe(true);
    expect(r.edges.has(edgeKey('gh', 'ci'))).toBe(true);
    expect(r.edges.has(edgeKey('cf', 'sentry'))).toBe(false);
  });
});
