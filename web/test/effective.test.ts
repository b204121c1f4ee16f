// The dashboard's effectiveStatus is the only copy of the effective-status
// rule outside the database's v_effective view. effective.cases.ts is what
// that view answers for every committed status, poller health and pollerd
// state (t/check_vocab.c fails when it is not), and here the dashboard must
// answer the same on the same inputs:
//  - with the server's effective_status, as apid sends it on every service;
//  - without it (a row patched from a status event before the refetch), for
//    every case where pollerd is not stalled -- which only the server can see.
import { describe, expect, it } from 'vitest';
import { effectiveStatus } from '../src/lib/status';
import { EFFECTIVE_CASES } from './effective.cases';
import { svc } from './fixtures';

describe('effective status follows the database rule', () => {
  it('has every case', () => {
    expect(EFFECTIVE_CASES.length).toBe(30);
  });
  for (const [current, health, stalled, want] of EFFECTIVE_CASES) {
    it(`${current}, poller ${health}, pollerd ${stalled ? 'stalled' : 'fresh'} -> ${want}`, () => {
      const row = { current_status: current, poller_health: health };
      expect(effectiveStatus(svc('x', { ...row, effective_status: want }))).toBe(want);
      if (!stalled) expect(effectiveStatus(svc('x', { ...row, effective_status: null }))).toBe(want);
    });
  }
});
