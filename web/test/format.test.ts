import { describe, expect, it } from 'vitest';
import { bpsDelta, durationHuman, lastDays, parseTs, pct, relTime, titleCase, uptimeClass } from '../src/lib/format';

const T = Date.parse('2026-11-23T20:31:05.123Z');

describe('parseTs', () => {
  it('accepts every timestamp shape apid or seed data may carry', () => {
    expect(parseTs('2026-11-23T20:31:05.123Z')).toBe(T);
    expect(parseTs('2026-11-23 20:31:05')).toBe(Date.parse('2026-11-23T20:31:05Z'));
    expect(parseTs('2026-11-23T20:31:05.123456+00:00')).toBe(T);
    expect(parseTs('2026-11-23T22:31:05.123+02:00')).toBe(T);
    expect(parseTs('2026-11-23T20:31:05')).toBe(Date.parse('2026-11-23T20:31:05Z'));
    expect(parseTs('2026-11-23')).toBe(Date.parse('2026-11-23T00:00:00Z'));
  });
  it('returns null for junk', () => {
    expect(parseTs(null)).toBeNull();
    expect(parseTs('')).toBeNull();
    expect(parseTs('yesterday')).toBeNull();
  });
});

describe('relTime', () => {
  it('formats past and future', () => {
    expect(relTime(T, T + 2000)).toBe('just now');
    expect(relTime(T, T + 45_000)).toBe('45s ago');
    expect(relTime(T, T + 12 * 60_000)).toBe('12m ago');
    expect(relTime(T, T + 3 * 3600_000 + 5)).toBe('3h ago');
    expect(relTime(T, T + 2 * 86400_000)).toBe('2d ago');
    expect(relTime(T + 20 * 60_000, T)).toBe('in 20m');
    expect(relTime(null, T)).toBe('—');
    expect(relTime('garbage', T)).toBe('—');
  });
});

describe('numbers', () => {
  it('durationHuman matches the seed shapes', () => {
    expect(durationHuman(42)).toBe('42s');
    expect(durationHuman(300)).toBe('5m');
    expect(durationHuman(3600)).toBe('1h');
    expect(durationHuman(3 * 3600 + 25 * 60)).toBe('3h 25m');
    expect(durationHuman(26 * 3600)).toBe('1d 2h');
    expect(durationHuman(null)).toBe('—');
    expect(durationHuman(-1)).toBe('—');
  });
  it('pct and uptime colour thresholds', () => {
    expect(pct(99.9512)).toBe('99.95%');
    expect(pct(100, 1)).toBe('100.0%');
    expect(pct(null)).toBe('—');
    expect(uptimeClass(99.9)).toBe('good');
    expect(uptimeClass(99.89)).toBe('warn');
    expect(uptimeClass(99)).toBe('warn');
    expect(uptimeClass(98.99)).toBe('bad');
    expect(uptimeClass(null)).toBe('none');
  });
  it('bpsDelta', () => {
    expect(bpsDelta(99.9, 99.9)).toBe('±0 bps');
    expect(bpsDelta(100, 99.9)).toBe('+10 bps');
    expect(bpsDelta(99.5, 99.9)).toBe('\u221240 bps');
  });
  it('lastDays and titleCase', () => {
    expect(lastDays(3, T)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']);
    expect(titleCase('aggregated_under_upstream')).toBe('Aggregated Under Upstream');
  });
});
