import { describe, expect, it } from 'vitest';
import {
  asStatus,
  displayLabel,
  effectiveStatus,
  isFlapping,
  isUnmonitored,
  statusClass,
  worstOf,
} from '../src/lib/status';
import { svc } from './fixtures';

describe('effective status', () => {
  it('is the committed status when the poller is healthy', () => {
    expect(effectiveStatus(svc('a', { current_status: 'degraded' }))).toBe('degraded');
  });
  it('is unknown while the poller is broken, whatever the server or the last reading says', () => {
    const s = svc('a', { current_status: 'operational', effective_status: 'operational', poller_health: 'broken' });
    expect(effectiveStatus(s)).toBe('unknown');
    expect(displayLabel(s)).toBe('Unknown');
    expect(statusClass(s)).toBe('unknown');
  });
  it('prefers the server effective_status when present and valid', () => {
    expect(effectiveStatus(svc('a', { current_status: 'operational', effective_status: 'major_outage' }))).toBe('major_outage');
    expect(effectiveStatus(svc('a', { current_status: 'degraded', effective_status: 'bogus' as never }))).toBe('degraded');
  });
  it('a degraded (not broken) poller keeps the committed status', () => {
    expect(effectiveStatus(svc('a', { current_status: 'partial_outage', poller_health: 'degraded' }))).toBe('partial_outage');
  });
  it('never turns garbage into operational', () => {
    expect(asStatus('OPERATIONAL ')).toBe('operational');
    expect(asStatus('all good')).toBe('unknown');
    expect(asStatus(null)).toBe('unknown');
    expect(asStatus(3)).toBe('unknown');
  });
});

describe('manual services', () => {
  it('a manual service at unknown is "Manual" (unmonitored)', () => {
    const s = svc('t', { poll_type: 'manual', current_status: 'unknown' });
    expect(isUnmonitored(s)).toBe(true);
    expect(displayLabel(s)).toBe('Manual');
    expect(statusClass(s)).toBe('manual');
  });
  it('a manual service that was set shows its status', () => {
    const s = svc('t', { poll_type: 'manual', current_status: 'degraded' });
    expect(isUnmonitored(s)).toBe(false);
    expect(displayLabel(s)).toBe('Degraded');
  });
  it('a polled service at unknown is not "Manual"', () => {
    expect(isUnmonitored(svc('x', { current_status: 'unknown' }))).toBe(false);
  });
});

describe('flapping', () => {
  it('pending target different from the committed status', () => {
    expect(isFlapping(svc('a', { pending_status: 'degraded', pending_status_count: 2 }))).toBe(true);
    expect(isFlapping(svc('a', { pending_status: 'operational' }))).toBe(false);
    expect(isFlapping(svc('a', { pending_status: null }))).toBe(false);
  });
  it('not shown for a broken poller (its readings cannot be trusted)', () => {
    expect(isFlapping(svc('a', { pending_status: 'degraded', poller_health: 'broken' }))).toBe(false);
  });
});

describe('worstOf', () => {
  it('uses the UI rank (unknown above operational, below degraded)', () => {
    expect(worstOf(['operational', 'unknown'])).toBe('unknown');
    expect(worstOf(['unknown', 'degraded'])).toBe('degraded');
    expect(worstOf(['partial_outage', 'major_outage', 'degraded'])).toBe('major_outage');
    expect(worstOf([])).toBe('operational');
  });
});
