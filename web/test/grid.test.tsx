import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Grid } from '../src/components/Grid';
import { groupByCategory } from '../src/lib/sort';
import { svc } from './fixtures';

const services = [
  svc('ok', { display_name: 'Okay', category: 'other' }),
  svc('down', { display_name: 'Down', category: 'networking', current_status: 'major_outage' }),
  svc('blind', { display_name: 'Blind', category: 'other', current_status: 'operational', poller_health: 'broken', last_failure_reason: 'timeout' }),
  svc('man', { display_name: 'Manual one', category: 'support', poll_type: 'manual', current_status: 'unknown' }),
  svc('flap', { display_name: 'Flappy', category: 'other', pending_status: 'degraded', pending_status_count: 2 }),
];

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function mount(onOpen = vi.fn()) {
  root = document.createElement('div');
  document.body.appendChild(root);
  act(() => {
    render(<Grid services={services} uptime={null} sla={null} days={[]} onOpen={onOpen} />, root);
  });
  return onOpen;
}

const tiles = () => [...root.querySelectorAll<HTMLButtonElement>('.tile')];

describe('Grid', () => {
  it('renders every service, categories worst-first', () => {
    mount();
    expect([...root.querySelectorAll('[data-category]')].map((c) => c.getAttribute('data-category'))).toEqual(['networking', 'support', 'other']);
    // Ties (support and other both worst "unknown") keep the fixed category order.
    expect(tiles().map((t) => t.dataset.serviceId)).toEqual(['down', 'man', 'blind', 'flap', 'ok']);
  });
  it('labels broken pollers Unknown with the reason, manual as Manual, flapping with a badge', () => {
    mount();
    const byId = (id: string) => root.querySelector<HTMLElement>(`[data-service-id="${id}"]`)!;
    expect(byId('blind').querySelector('.tile-label')!.textContent).toBe('Unknown');
    expect(byId('blind').textContent).toContain('timeout');
    expect(byId('blind').dataset.status).toBe('unknown');
    expect(byId('man').querySelector('.tile-label')!.textContent).toBe('Manual');
    expect(byId('flap').querySelector('.badge-pending')!.textContent).toContain('Degraded');
  });
  it('has one tab stop and moves it with j/k/arrows/Home/End; Enter/click opens', () => {
    const onOpen = mount();
    expect(tiles().filter((t) => t.tabIndex === 0)).toHaveLength(1);
    tiles()[0]!.focus();
    const key = (k: string) =>
      act(() => {
        document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      });
    key('j');
    expect((document.activeElement as HTMLElement).dataset.serviceId).toBe('man');
    key('ArrowRight');
    expect((document.activeElement as HTMLElement).dataset.serviceId).toBe('blind');
    key('k');
    expect((document.activeElement as HTMLElement).dataset.serviceId).toBe('man');
    key('End');
    expect((document.activeElement as HTMLElement).dataset.serviceId).toBe('ok');
    key('Home');
    expect((document.activeElement as HTMLElement).dataset.serviceId).toBe('down');
    expect(tiles().filter((t) => t.tabIndex === 0).map((t) => t.dataset.serviceId)).toEqual(['down']);
    act(() => tiles()[2]!.click());
    expect(onOpen).toHaveBeenCalledWith('blind');
  });
});

describe('Grid after a live row', () => {
  it('writes every tile\'s position when a row moves up, without re-creating the tiles that did not change', () => {
    root = document.createElement('div');
    document.body.appendChild(root);
    const list = Array.from({ length: 12 }, (_, i) => svc(`s${i}`, { display_name: `S ${String(i).padStart(2, '0')}`, category: ['hr', 'identity', 'other'][i % 3]! }));
    const draw = (l: typeof list) =>
      act(() => {
        render(<Grid services={l} groups={groupByCategory(l)} uptime={null} sla={null} days={[]} onOpen={() => {}} />, root);
      });
    draw(list);
    const before = new Map(tiles().map((t) => [t.dataset.serviceId, t]));
    const positions = () => tiles().map((t) => Number(t.dataset.index));
    expect(positions()).toEqual([...Array(12).keys()]);
    // s11 (other) goes down: its category moves first, every position shifts.
    const next = list.map((s) => (s.id === 's11' ? { ...s, current_status: 'major_outage' as const } : s));
    draw(next);
    expect(tiles()[0]!.dataset.serviceId).toBe('s11');
    expect(positions()).toEqual([...Array(12).keys()]);
    expect(tiles().filter((t) => t.dataset.serviceId !== 's11').every((t) => before.get(t.dataset.serviceId) === t)).toBe(true);
    // Focus follows the tile, by id: the tab stop stays on it as it moves.
    act(() => before.get('s4')!.focus());
    expect(before.get('s4')!.tabIndex).toBe(0);
    draw(list);
    expect(before.get('s4')!.tabIndex).toBe(0);
    expect(tiles().filter((t) => t.tabIndex === 0)).toHaveLength(1);
    expect(positions()).toEqual([...Array(12).keys()]);
  });
});

describe('Grid category roll-up', () => {
  it('says "all ok" only for a category whose polled services are seen operational', () => {
    const list = [
      svc('a', { category: 'engineering', current_status: 'unknown' }),
      svc('b', { category: 'engineering' }),
      svc('c', { category: 'hr', effective_status: 'unknown' }),
      svc('d', { category: 'finance' }),
      svc('e', { category: 'support', poll_type: 'manual', current_status: 'unknown' }),
    ];
    root = document.createElement('div');
    document.body.appendChild(root);
    act(() => {
      render(<Grid services={list} uptime={null} sla={null} days={[]} onOpen={vi.fn()} />, root);
    });
    const rollup = (k: string) => root.querySelector(`[data-category="${k}"] .rollup`)!.textContent;
    expect(rollup('engineering')).toBe('1 unknown');
    expect(rollup('hr')).toBe('1 unknown');
    expect(rollup('finance')).toBe('all ok');
    expect(rollup('support')).toBe('1 manual service');
  });
});
