// Dependency graph overlay: layered layout, upstreams on the left flowing to
// their downstreams on the right. Paths leaving a service with an incident
// (or a blind poller) are highlighted; focusing or hovering a node highlights
// its own up- and downstream paths. Enter / click opens the service drawer.
import { useMemo, useState } from 'preact/hooks';
import type { Graph, Service } from '../api/types';
import { edgeKey, impactedPaths, layoutGraph, neighbourhood } from '../lib/graphLayout';
import { LABEL, STATUS_COLOR, effectiveStatus, isIncident, isPollerBroken, statusClass, type StatusClass } from '../lib/status';
import { ErrorNote } from './bits';
import { Icon, StatusIcon } from './Icon';
import { Modal } from './Modal';

const SEV_COLOR: Record<string, string> = { critical: '#ef4444', high: '#f97316', medium: '#f59e0b', low: '#8b95a5' };
const NODE_W = 250;
const NODE_H = 46;

export interface GraphProps {
  graph: Graph | null;
  error: string | null;
  services: Service[] | null;
  onOpen: (id: string) => void;
  onClose: () => void;
  onRetry: () => void;
}

export function DependencyGraph(props: GraphProps) {
  const [focus, setFocus] = useState<string | null>(null);
  const byId = useMemo(() => new Map((props.services ?? []).map((s) => [s.id, s])), [props.services]);
  const g = props.graph;

  const model = useMemo(() => {
    if (!g) return null;
    const linked = new Set<string>();
    for (const l of g.links) {
      linked.add(l.source);
      linked.add(l.target);
    }
    const nodes = g.nodes.filter((n) => linked.has(n.id));
    const isolated = g.nodes.filter((n) => !linked.has(n.id));
    const layout = layoutGraph(
      { nodes, links: g.links },
      { nodeWidth: NODE_W, nodeHeight: NODE_H, colGap: 150, rowGap: 14, pad: 28 },
    );
    return { nodes, isolated, layout };
  }, [g]);

  const statusOf = (id: string): { cls: StatusClass; broken: boolean; label: string } => {
    const s = byId.get(id);
    if (s) {
      const cls = statusClass(s);
      return { cls, broken: isPollerBroken(s), label: cls === 'manual' ? 'Manual' : LABEL[effectiveStatus(s)] };
    }
    const n = g?.nodes.find((x) => x.id === id);
    const st = n?.status ?? 'unknown';
    return { cls: st, broken: false, label: LABEL[st] };
  };

  const impacted = useMemo(() => {
    if (!g) return { edges: new Set<string>(), nodes: new Set<string>() };
    const broken = new Set(
      g.nodes
        .filter((n) => {
          const s = byId.get(n.id);
          return s ? isIncident(effectiveStatus(s)) || isPollerBroken(s) : isIncident(n.status);
        })
        .map((n) => n.id),
    );
    return impactedPaths(g.links, broken);
  }, [g, byId]);

  const hood = useMemo(() => (g && focus ? neighbourhood(g.links, focus) : null), [g, focus]);

  const names = new Map((g?.nodes ?? []).map((n) => [n.id, n.name]));
  const downstreamOf = (id: string) => (g?.links ?? []).filter((l) => l.source === id).map((l) => names.get(l.target) ?? l.target);
  const upstreamOf = (id: string) => (g?.links ?? []).filter((l) => l.target === id).map((l) => names.get(l.source) ?? l.source);

  return (
    <Modal variant="overlay" labelledBy="graph-title" describedBy="graph-hint" onClose={props.onClose} testId="dependency-graph">
      <div class="overlay-head">
        <div>
          <h2 id="graph-title">
            <Icon name="network" size={22} /> Service dependencies
          </h2>
          <p id="graph-hint" class="muted">
            Upstream services on the left, the services they impact to the right. Highlighted paths start at a service with an
            incident or a broken poller. Select a service for details.
          </p>
        </div>
        <button type="button" class="icon-button" onClick={props.onClose} aria-label="Close dependency graph" data-autofocus>
          <Icon name="close" size={22} />
        </button>
      </div>
      <div class="graph-legend" aria-hidden="true">
        <span>
          <i class="lg-line lg-impact" /> impact path
        </span>
        {Object.entries(SEV_COLOR).map(([k, c]) => (
          <span key={k}>
            <i class="lg-line" style={{ background: c }} /> {k}
          </span>
        ))}
      </div>
      <ErrorNote what="the dependency graph" error={props.error} onRetry={props.onRetry} />
      {!model ? (
        <p class="muted graph-empty">Loading dependency graph…</p>
      ) : model.nodes.length === 0 ? (
        <p class="muted graph-empty">No dependencies are declared.</p>
      ) : (
        <div class="graph-scroll" tabIndex={0} role="region" aria-label="Dependency graph, scrollable">
          <svg
            class="graph-svg"
            viewBox={`0 0 ${model.layout.width} ${model.layout.height + 24}`}
            style={{ minWidth: Math.min(model.layout.width, 900) + 'px' }}
            role="group"
            aria-label="Dependency graph"
          >
            <defs>
              {[...Object.entries(SEV_COLOR), ['impact', '#f87171'], ['dim', '#334155']].map(([k, c]) => (
                <marker
                  key={k}
                  id={`arrow-${k}`}
                  viewBox="0 0 10 10"
                  refX="9"
                  refY="5"
                  markerUnits="userSpaceOnUse"
                  markerWidth="11"
                  markerHeight="11"
                  orient="auto-start-reverse"
                >
                  <path d="M0 0L10 5L0 10z" fill={c} />
                </marker>
              ))}
            </defs>
            {model.layout.layers.map((_, li) => (
              <text key={li} class="graph-col" x={28 + li * (NODE_W + 150)} y={16}>
                {li === 0 ? 'UPSTREAM' : li === model.layout.layers.length - 1 ? 'DOWNSTREAM' : `LAYER ${li + 1}`}
              </text>
            ))}
            <g transform="translate(0,24)">
              {g!.links.map((l) => {
                const a = model.layout.nodes.get(l.source);
                const b = model.layout.nodes.get(l.target);
                if (!a || !b) return null;
                const k = edgeKey(l.source, l.target);
                const hot = impacted.edges.has(k);
                const inHood = hood ? hood.edges.has(k) : true;
                const x1 = a.x + NODE_W;
                const y1 = a.y + NODE_H / 2;
                const x2 = b.x - 4;
                const y2 = b.y + NODE_H / 2;
                const back = x2 <= x1;
                const dx = Math.max(60, Math.abs(x2 - x1) / 2);
                const d = back
                  ? `M${x1} ${y1} C${x1 + 80} ${y1 - 80} ${x2 - 80} ${y2 - 80} ${x2} ${y2}`
                  : `M${x1} ${y1} C${x1 + dx} ${y1} ${x2 - dx} ${y2} ${x2} ${y2}`;
                const color = !inHood ? '#334155' : hot ? '#f87171' : (SEV_COLOR[l.severity] ?? '#8b95a5');
                const marker = !inHood ? 'dim' : hot ? 'impact' : l.severity;
                return (
                  <path
                    key={k}
                    d={d}
                    class={`gedge${hot ? ' gedge-hot' : ''}${hood && inHood ? ' gedge-focus' : ''}`}
                    stroke={color}
                    stroke-opacity={inHood ? (hot ? 0.95 : 0.55) : 0.35}
                    stroke-width={hot ? 2.6 : 1.6}
                    /* severity is not colour alone: medium dashed, low dotted (impacted: long dashes) */
                    stroke-dasharray={hot ? undefined : l.severity === 'medium' ? '5 3' : l.severity === 'low' ? '1.5 3' : undefined}
                    fill="none"
                    marker-end={`url(#arrow-${marker})`}
                    data-edge={k}
                    data-impacted={hot ? 'true' : 'false'}
                  >
                    <title>{`${names.get(l.source)} → ${names.get(l.target)} (${l.severity}): ${l.impact}`}</title>
                  </path>
                );
              })}
              {model.nodes.map((n) => {
                const p = model.layout.nodes.get(n.id);
                if (!p) return null;
                const st = statusOf(n.id);
                const dim = hood ? !hood.nodes.has(n.id) : false;
                const color = st.cls === 'manual' ? '#94a3b8' : STATUS_COLOR[st.cls];
                const down = downstreamOf(n.id);
                const up = upstreamOf(n.id);
                const shownName = n.name.length > 26 ? n.name.slice(0, 25) + '…' : n.name;
                const statusLine = (st.broken ? 'Unknown · poller down' : st.label) + (down.length ? ` · ${down.length} downstream` : '');
                // Visible text first, verbatim (WCAG 2.5.3), then the context.
                const label =
                  `${shownName} ${statusLine}.` +
                  (shownName !== n.name ? ` ${n.name}.` : '') +
                  (up.length ? ` Depends on ${up.join(', ')}.` : '') +
                  (down.length ? ` Impacts ${down.join(', ')}.` : '') +
                  (impacted.nodes.has(n.id) && !isIncident(st.cls === 'manual' ? 'unknown' : st.cls) ? ' On an impact path.' : '') +
                  ' Press Enter for details.';
                return (
                  <g
                    key={n.id}
                    class={`gnode gnode-${st.cls}${dim ? ' gnode-dim' : ''}${impacted.nodes.has(n.id) ? ' gnode-impacted' : ''}`}
                    transform={`translate(${p.x},${p.y})`}
                    tabIndex={0}
                    role="button"
                    aria-label={label}
                    data-node={n.id}
                    onClick={() => props.onOpen(n.id)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        props.onOpen(n.id);
                      }
                    }}
                    onFocus={() => setFocus(n.id)}
                    onBlur={() => setFocus((f) => (f === n.id ? null : f))}
                    onMouseEnter={() => setFocus(n.id)}
                    onMouseLeave={() => setFocus((f) => (f === n.id ? null : f))}
                  >
                    <rect class="gnode-box" width={NODE_W} height={NODE_H} rx="8" />
                    <rect class="gnode-bar" width="5" height={NODE_H} rx="2" fill={color} />
                    <circle cx="22" cy={NODE_H / 2} r="6" fill={color} class={isIncident(st.cls === 'manual' ? 'unknown' : st.cls) ? 'gdot-alarm' : ''} />
                    <text>
                      <tspan x="36" y={NODE_H / 2 - 4} class="gnode-name">
                        {shownName}
                      </tspan>{' '}
                      <tspan x="36" y={NODE_H / 2 + 12} class="gnode-status" fill={color}>
                        {statusLine}
                      </tspan>
                    </text>
                  </g>
                );
              })}
            </g>
          </svg>
        </div>
      )}
      {model && model.isolated.length > 0 && (
        <section class="graph-isolated" aria-label="Services without declared dependencies">
          <h3>No declared dependencies</h3>
          <ul>
            {model.isolated.map((n) => {
              const st = statusOf(n.id);
              return (
                <li key={n.id}>
                  <button type="button" class="chip-button" onClick={() => props.onOpen(n.id)}>
                    <StatusIcon status={st.cls} broken={st.broken} size={14} /> {n.name}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </Modal>
  );
}
