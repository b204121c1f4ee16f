// The drawer's vendor format drift section (doc/drift.md) and the parsing of
// the service's drift fields from apid.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { parseService, parseServiceDetail } from '../src/api/parse';
import { DriftNote } from '../src/components/ServiceDrawer';
import { svc } from './fixtures';

let root: HTMLElement | null = null;
afterEach(() => {
  if (root) {
    render(null, root);
    root.remove();
    root = null;
  }
});

function mount(node: preact.ComponentChild) {
  root = document.createElement('div');
  document.body.appendChild(root);
  act(() => {
    render(node, root as HTMLElement);
  });
  return root;
}

describe('vendor format drift', () => {
  it('parses the three fields, null when apid does not send them', () => {
    const s = parseService({
      id: 'cursor',
      drift_note: 'incidents[].id missing',
      drift_first_seen_at: '2026-12-02T10:00:00.000Z',
      drift_last_seen_at: '2026-12-02T11:00:00.000Z',
    });
    expect(s?.drift_note).toBe('incidents[].id missing');
    expect(s?.drift_first_seen_at).toBe('2026-12-02T10:00:00.000Z');
    expect(s?.drift_last_seen_at).toBe('2026-12-02T11:00:00.000Z');
    const old = parseService({ id: 'old-apid' });
    expect(old?.drift_note).toBeNull();
    expect(parseServiceDetail({ service: { id: 'x', drift_note: { bad: 1 } } }, 'x').service.drift_note).toBeNull();
  });

  it('shows each note with when it was first and last seen', () => {
    const el = mount(
      <DriftNote
        service={svc('slack', {
          drift_note: 'unknown incident type "degradation" read as degraded; active_incidents[].id missing',
          drift_first_seen_at: '2026-12-02T10:00:00.000Z',
          drift_last_seen_at: '2026-12-02T11:00:00.000Z',
        })}
      />,
    );
    const sec = el.querySelector('[data-testid="drift-note"]');
    expect(sec).not.toBeNull();
    expect(sec?.querySelector('h3')?.textContent).toBe('Vendor format drift');
    expect([...el.querySelectorAll('.drift-list li')].map((li) => li.textContent)).toEqual([
      'unknown incident type "degradation" read as degraded',
      'active_incidents[].id missing',
    ]);
    expect([...el.querySelectorAll('time')].map((t) => t.getAttribute('datetime'))).toEqual([
      '2026-12-02T10:00:00.000Z',
      '2026-12-02T11:00:00.000Z',
    ]);
  });

  it('shows nothing without a note', () => {
    const el = mount(<DriftNote service={svc('dropbox')} />);
    expect(el.querySelector('[data-testid="drift-note"]')).toBeNull();
    const el2 = mount(<DriftNote service={svc('x', { drift_note: '' })} />);
    expect(el2.querySelector('[data-testid="drift-note"]')).toBeNull();
  });
});
