// Layered (Sugiyama-style, simplified) layout of the dependency graph:
// upstreams in the left column, their downstreams to the right. Cycles are
// tolerated (back edges are ignored for layering). Nodes in a layer are
// ordered by the barycentre of their neighbours to reduce crossings.

export interface LayoutInput {
  nodes: { id: string; name: string }[];
  links: { source: string; target: string }[];
}

export interface LayoutNode {
  id: string;
  layer: number;
  index: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Map<string, LayoutNode>;
  layers: string[][];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  colGap: number;
  rowGap: number;
  pad: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 200, nodeHeight: 44, colGap: 120, rowGap: 14, pad: 24 };

export function assignLayers(input: LayoutInput): Map<string, number> {
  const ids = input.nodes.map((n) => n.id);
  const idSet = new Set(ids);
  const out = new Map<string, string[]>();
  for (const id of ids) out.set(id, []);
  for (const l of input.links) {
    if (l.source === l.target || !idSet.has(l.source) || !idSet.has(l.target)) continue;
    out.get(l.source)!.push(l.target);
  }
  // DFS to find back edges (cycle breakers).
  const state = new Map<string, 0 | 1 | 2>();
  const back = new Set<string>();
  const visit = (u: string) => {
    state.set(u, 1);
    for (const v of out.get(u) ?? []) {
      const s = state.get(v) ?? 0;
      if (s === 1) back.add(u + '\u0000' + v);
      else if (s === 0) visit(v);
    }
    state.set(u, 2);
  };
  for (const id of [...ids].sort()) if (!state.get(id)) visit(id);
  // Longest path from the sources over the acyclic edges (Kahn order).
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  const dag = new Map<string, string[]>();
  for (const [u, vs] of out) {
    const keep = vs.filter((v) => !back.has(u + '\u0000' + v));
    dag.set(u, keep);
    for (const v of keep) indeg.set(v, (indeg.get(v) ?? 0) + 1);
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => (indeg.get(id) ?? 0) === 0);
  while (queue.length) {
    const u = queue.shift()!;
    for (const v of dag.get(u) ?? []) {
      layer.set(v, Math.max(layer.get(v) ?? 0, (layer.get(u) ?? 0) + 1));
      const d = (indeg.get(v) ?? 1) - 1;
      indeg.set(v, d);
      if (d === 0) queue.push(v);
    }
  }
  // Nodes with no edges at all go in the first layer (they sit apart visually).
  return layer;
}

export function layoutGraph(input: LayoutInput, opts: LayoutOptions = DEFAULT_LAYOUT): Layout {
  const layerOf = assignLayers(input);
  const name = new Map(input.nodes.map((n) => [n.id, n.name]));
  const nLayers = Math.max(0, ...layerOf.values()) + 1;
  const layers: string[][] = Array.from({ length: input.nodes.length ? nLayers : 0 }, () => []);
  const connected = new Set<string>();
  for (const l of input.links) {
    connected.add(l.source);
    connected.add(l.target);
  }
  for (const n of input.nodes) layers[layerOf.get(n.id) ?? 0]!.push(n.id);
  // Initial order: connected before isolated, then by name.
  for (const L of layers)
    L.sort(
      (a, b) =>
        Number(connected.has(b)) - Number(connected.has(a)) || (name.get(a) ?? a).localeCompare(name.get(b) ?? b),
    );
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const l of input.links) {
    if (!name.has(l.source) || !name.has(l.target)) continue;
    (preds.get(l.target) ?? preds.set(l.target, []).get(l.target)!).push(l.source);
    (succs.get(l.source) ?? succs.set(l.source, []).get(l.source)!).push(l.target);
  }
  const pos = new Map<string, number>();
  const reindex = () => layers.forEach((L) => L.forEach((id, i) => pos.set(id, i)));
  reindex();
  const bary = (id: string, nb: Map<string, string[]>): number | null => {
    const list = (nb.get(id) ?? []).map((x) => pos.get(x)).filter((x): x is number => x !== undefined);
    return list.length ? list.reduce((a, b) => a + b, 0) / list.length : null;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.map((_, i) => i).slice(1) : layers.map((_, i) => i).reverse().slice(1);
    for (const li of order) {
      const L = layers[li]!;
      const nb = down ? preds : succs;
      const keyed = L.map((id, i) => ({ id, k: bary(id, nb) ?? i, i }));
      keyed.sort((a, b) => a.k - b.k || a.i - b.i);
      layers[li] = keyed.map((x) => x.id);
      reindex();
    }
  }
  const tallest = Math.max(1, ...layers.map((L) => L.length));
  const colH = (len: number) => len * opts.nodeHeight + Math.max(0, len - 1) * opts.rowGap;
  const height = colH(tallest) + 2 * opts.pad;
  const width = layers.length * opts.nodeWidth + Math.max(0, layers.length - 1) * opts.colGap + 2 * opts.pad;
  const nodes = new Map<string, LayoutNode>();
  layers.forEach((L, li) => {
    const top = opts.pad + (colH(tallest) - colH(L.length)) / 2;
    L.forEach((id, i) => {
      nodes.set(id, {
        id,
        layer: li,
        index: i,
        x: opts.pad + li * (opts.nodeWidth + opts.colGap),
        y: top + i * (opts.nodeHeight + opts.rowGap),
      });
    });
  });
  return { nodes, layers, width, height };
}

/**
 * Edges on an impact path: every edge reachable downstream from a broken
 * service (status in `broken`). Returns edge keys "source→target" and the set
 * of nodes that are impacted (broken ones plus everything downstream of them).
 */
export function impactedPaths(
  links: { source: string; target: string }[],
  broken: Set<string>,
): { edges: Set<string>; nodes: Set<string> } {
  const succ = new Map<string, string[]>();
  for (const l of links) (succ.get(l.source) ?? succ.set(l.source, []).get(l.source)!).push(l.target);
  const edges = new Set<string>();
  const nodes = new Set<string>(broken);
  const stack = [...broken];
  const seen = new Set<string>(broken);
  while (stack.length) {
    const u = stack.pop()!;
    for (const v of succ.get(u) ?? []) {
      edges.add(edgeKey(u, v));
      nodes.add(v);
      if (!seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
    }
  }
  return { edges, nodes };
}

/** Upstream and downstream closure of one node (for hover/focus highlighting). */
export function neighbourhood(links: { source: string; target: string }[], id: string): { edges: Set<string>; nodes: Set<string> } {
  const down = impactedPaths(links, new Set([id]));
  const up = impactedPaths(
    links.map((l) => ({ source: l.target, target: l.source })),
    new Set([id]),
  );
  const edges = new Set<string>(down.edges);
  for (const k of up.edges) {
    const [a, b] = k.split('\u2192');
    edges.add(edgeKey(b!, a!));
  }
  return { edges, nodes: new Set([...down.nodes, ...up.nodes]) };
}

export function edgeKey(source: string, target: string): string {
  return source + '\u2192' + target;
}
