// Guards for the 1,000-service render fix: memoised tiles, cached day labels.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Grid } from '../src/components/Grid';
import { dayLabel, setZoneMode, shortDateTime, zoneName } from '../src/lib/format';
import { memo } from '../src/lib/memo';
import { svc } from './fixtures';

let root: HTMLElement | null = null;
afterEach(() => {
  if (root) {
    render(null, root);
    root.remove();
    root = null;
  }
});

describe('day labels', () => {
  it('match toLocaleDateString and are cached', () => {
    for (const d of ['2026-11-23', '2024-02-29', '2025-01-01']) {
      const want = new Date(d + 'T00:00:00Z').toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
      expect(dayLabel(d)).toBe(want);
      expect(dayLabel(d)).toBe(want);
    }
    expect(dayLabel('not a day')).toBe('not a day');
  });
  it('shortDateTime names its zone: UTC by default, the local one when chosen', () => {
    const t = Date.UTC(2026, 10, 23, 14, 5);
    expect(shortDateTime(t)).toBe('Mon 23 Nov, 14:05 UTC');
    setZoneMode('local');
    try {
      const d = new Date(t);
      const day = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
      expect(shortDateTime(t)).toBe(`${day}, ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')} ${zoneName(t)}`);
      expect(zoneName(t)).not.toBe('');
    } finally {
      setZoneMode('utc');
    }
  });
});

describe('memo', () => {
  it('skips the render when no prop changed', () => {
    let calls = 0;
    const M = memo(({ a, b }: { a: number; b: string }) => {
      calls++;
      return (
        <span>
          {a}
          {b}
        </span>
      );
    });
    root = document.createElement('div');
    document.body.appendChild(root);
    act(() => render(<M a={1} b="x" />, root!));
    act(() => render(<M a={1} b="x" />, root!));
    expect(calls).toBe(1);
    act(() => render(<M a={2} b="x" />, root!));
    expect(calls).toBe(2);
    expect(root.textContent).toBe('2x');
  });
});

describe('Grid with many services', () => {
  it('renders every tile and keeps them when re-rendered with equal props', () => {
    const services = Array.from({ length: 300 }, (_, i) =>
      svc(`s${i}`, { display_name: `Service ${i}`, category: ['identity', 'hr', 'other'][i % 3]! }),
    );
    root = document.createElement('div');
    document.body.appendChild(root);
    const onOpen = () => {};
    const draw = () =>
      render(
        <Grid services={services} uptime={{ days: [], services: { s1: { '2026-11-23': 'degraded' } }, tracked: {}, monitoring_since: {} }} sla={null} days={['2026-11-22', '2026-11-23']} onOpen={onOpen} />,
        root!,
      );
    act(draw);
    const before = [...root.querySelectorAll('.tile')];
    expect(before).toHaveLength(300);
    expect(root.querySelector('[data-service-id="s1"] .day-degraded')).not.toBeNull();
    act(draw); // a fresh days array with the same content
    const after = [...root.querySelectorAll('.tile')];
    expect(after.every((t, i) => t === before[i])).toBe(true);
  });
});
