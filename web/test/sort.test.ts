import { describe, expect, it } from 'vitest';
import { categoryLabel, flatTiles, groupByCategory, sortTiles, topImpacts } from '../src/lib/sort';
import { svc } from './fixtures';

const example = () => [
  svc('identity-provider', { display_name: 'Identity Provider (SSO)', category: 'identity', poll_type: 'manual', current_status: 'operational' }),
  svc('github', { display_name: 'GitHub', category: 'engineering', current_status: 'partial_outage' }),
  svc('npm', { display_name: 'npm', category: 'engineering', pending_status: 'degraded', pending_status_count: 2 }),
  svc('pypi', { display_name: 'PyPI', category: 'engineering', poller_health: 'broken', last_failure_reason: 'http_status: 503' }),
  svc('sentry', { display_name: 'Sentry', category: 'engineering', current_status: 'degraded' }),
  svc('dropbox', { display_name: 'Dropbox', category: 'productivity', in_maintenance: true }),
  svc('discord', { display_name: 'Discord', category: 'collaboration' }),
  svc('cloudflare', { display_name: 'Cloudflare', category: 'networking', current_status: 'major_outage' }),
  svc('datadog', { display_name: 'Datadog', category: 'other' }),
  svc('ticketing', { display_name: 'Ticketing / ITSM', category: 'support', poll_type: 'manual', current_status: 'unknown' }),
];

describe('tile order', () => {
  it('worst effective status first, then name; broken pollers rank as unknown', () => {
    const ids = sortTiles(example().filter((s) => s.category === 'engineering')).map((s) => s.id);
    expect(ids).toEqual(['github', 'sentry', 'pypi', 'npm']);
  });
  it('unmonitored manual services sort last even below operational', () => {
    const list = [
      svc('m', { display_name: 'A manual', poll_type: 'manual', current_status: 'unknown' }),
      svc('o', { display_name: 'Zed ok' }),
    ];
    expect(sortTiles(list).map((s) => s.id)).toEqual(['o', 'm']);
  });
  it('name ties are case-insensitive and stable by id', () => {
    const list = [svc('b', { display_name: 'alpha' }), svc('a', { display_name: 'Alpha' }), svc('c', { display_name: 'beta' })];
    expect(sortTiles(list).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('category grid', () => {
  it('shows every category, including networking and other (doc/compat.md#bug-17)', () => {
    const groups = groupByCategory(example());
    expect(groups.map((g) => g.key).sort()).toEqual(
      ['collaboration', 'engineering', 'identity', 'networking', 'other', 'productivity', 'support'].sort(),
    );
    expect(flatTiles(groups)).toHaveLength(10);
  });
  it('sorts categories worst-first, ties in the fixed category order', () => {
    const groups = groupByCategory(example());
    expect(groups.map((g) => g.key)).toEqual([
      'networking', // major
      'engineering', // partial
      'support', // unknown (manual, never set)
      'identity',
      'productivity',
      'collaboration',
      'other',
    ]);
  });
  it('counts issues, blind (broken pollers) and manual per category', () => {
    const eng = groupByCategory(example()).find((g) => g.key === 'engineering')!;
    expect(eng.issues).toBe(2);
    expect(eng.blind).toBe(1);
    expect(eng.worst).toBe('partial_outage');
    const sup = groupByCategory(example()).find((g) => g.key === 'support')!;
    expect(sup.manual).toBe(1);
    expect(sup.issues).toBe(0);
    expect(sup.unseen).toBe(0);
  });
  it('counts polled services of unknown status that are not blind as unseen', () => {
    const [g] = groupByCategory([
      svc('a', { category: 'hr', current_status: 'unknown' }),
      svc('b', { category: 'hr', current_status: 'operational', poller_health: 'broken' }),
      svc('c', { category: 'hr', effective_status: 'unknown' }),
      svc('d', { category: 'hr', poll_type: 'manual', current_status: 'unknown' }),
      svc('e', { category: 'hr' }),
    ]);
    expect([g!.unseen, g!.blind, g!.manual]).toEqual([2, 1, 1]);
  });
  it('keeps categories the UI does not know, after the known ones', () => {
    const groups = groupByCategory([svc('x', { category: 'legal' }), svc('y', { category: 'hr' })]);
    expect(groups.map((g) => g.key)).toEqual(['hr', 'legal']);
    expect(categoryLabel('legal')).toBe('Legal');
    expect(categoryLabel('hr')).toBe('HR & People');
  });
});

describe('executive top impacts', () => {
  it('lists non-operational effective statuses worst-first, broken pollers included, manual-unset excluded', () => {
    expect(topImpacts(example()).map((s) => s.id)).toEqual(['cloudflare', 'github', 'sentry', 'pypi']);
  });
  it('caps the list', () => {
    const many = Array.from({ length: 12 }, (_, i) => svc('s' + i, { current_status: 'degraded' }));
    expect(topImpacts(many)).toHaveLength(8);
  });
});
