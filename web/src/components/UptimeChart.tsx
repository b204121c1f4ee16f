// Daily uptime chart drawn with uPlot (loaded on demand so the first render
// of the grid does not wait for it). A dashed amber line marks the 99.9 %
// target; days below 100 % can be marked with red bands.
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlotType from 'uplot';
import { parseTs } from '../lib/format';

export interface UptimeChartProps {
  days: string[];
  values: (number | null)[];
  label: string;
  height?: number;
  target?: number;
  /** Paint a red band on days whose value is below 100. */
  markBadDays?: boolean;
  /** Y floor: min(96, floor(min - 1)) by default. */
  yMin?: number;
}

type UPlotCtor = typeof uPlotType;
let uplotPromise: Promise<UPlotCtor> | null = null;
function loadUPlot(): Promise<UPlotCtor> {
  if (!uplotPromise) {
    uplotPromise = Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  }
  return uplotPromise;
}

export function yFloor(values: (number | null)[]): number {
  const vals = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (vals.length === 0) return 96;
  return Math.max(0, Math.min(96, Math.floor(Math.min(...vals) - 1)));
}

const AXIS = {
  stroke: '#a3b1c6',
  grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 },
  ticks: { stroke: 'rgba(148,163,184,0.25)', width: 1 },
  font: '12px "IBM Plex Sans", "Inter", system-ui, sans-serif',
};

export function UptimeChart(props: UptimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlotType | null>(null);
  const [failed, setFailed] = useState(false);
  const height = props.height ?? 180;
  const target = props.target ?? 99.9;

  const xs = props.days.map((d) => (parseTs(d) ?? 0) / 1000 + 43200);
  const ys = props.values.map((v) => (v === null || !Number.isFinite(v) ? null : v));
  const yMin = props.yMin ?? yFloor(ys);
  const dataKey = JSON.stringify([xs, ys, yMin, target]);

  useEffect(() => {
    let cancelled = false;
    const el = host.current;
    if (!el) return;
    loadUPlot()
      .then((UPlot) => {
        if (cancelled || !host.current) return;
        plot.current?.destroy();
        const width = Math.max(240, host.current.clientWidth);
        const bad = props.markBadDays;
        const opts: uPlotType.Options = {
          width,
          height,
          pxAlign: 0,
          scales: { x: { time: true }, y: { range: [yMin, 100] } },
          axes: [
            { ...AXIS, space: 60 },
            { ...AXIS, size: 56, values: (_u, vals) => vals.map((v) => `${+v.toFixed(2)}%`) },
          ],
          series: [
            { value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
            {
              label: 'Uptime',
              stroke: '#38bdf8',
              fill: 'rgba(56,189,248,0.14)',
              width: 2,
              spanGaps: true,
              points: { show: true, size: 4, fill: '#38bdf8' },
              value: (_u, v) => (v == null ? '—' : `${v.toFixed(2)}%`),
            },
            {
              label: `Target ${target}%`,
              stroke: '#fbbf24',
              dash: [6, 5],
              width: 1.5,
              points: { show: false },
              value: () => `${target}%`,
            },
          ],
          legend: { show: true, live: true },
          cursor: { drag: { x: false, y: false }, points: { size: 8 } },
          hooks: bad
            ? {
                drawClear: [
                  (u) => {
                    const ctx = u.ctx;
                    const ys1 = u.data[1] as (number | null)[];
                    const xs1 = u.data[0] as number[];
                    ctx.save();
                    ctx.fillStyle = 'rgba(248,113,113,0.18)';
                    const w = Math.max(2, (u.bbox.width / Math.max(1, xs1.length)) * 0.6);
                    xs1.forEach((x, i) => {
                      const v = ys1[i];
                      if (v !== null && v !== undefined && v < 100) {
                        const px = u.valToPos(x, 'x', true);
                        ctx.fillRect(px - w / 2, u.bbox.top, w, u.bbox.height);
                      }
                    });
                    ctx.restore();
                  },
                ],
              }
            : {},
        };
        plot.current = new UPlot(opts, [xs, ys, xs.map(() => target)] as uPlotType.AlignedData, host.current);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [dataKey, height, props.markBadDays]);

  useEffect(() => {
    const el = host.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (plot.current && host.current) plot.current.setSize({ width: Math.max(240, host.current.clientWidth), height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [height]);

  const known = ys.filter((v): v is number => v !== null);
  const summary = known.length
    ? `${props.label}: ${known.length} days with data, lowest ${Math.min(...known).toFixed(2)}%, latest ${known[known.length - 1]!.toFixed(2)}%.`
    : `${props.label}: no data.`;
  return (
    <figure class="chart" aria-label={summary} role="img">
      {failed ? <p class="muted">Chart unavailable.</p> : <div ref={host} class="chart-host" style={{ minHeight: height + 30 }} />}
    </figure>
  );
}
