import { describe, expect, it } from 'vitest';
import { chipModel, freshness, pollAgeSeconds } from '../src/lib/staleness';

const now = Date.parse('2026-11-23T20:00:00.000Z');

describe('staleness', () => {
  it('measures from the server last_poll_at, corrected for clock offset', () => {
    expect(pollAgeSeconds('2026-11-23T19:59:00.000Z', now)).toBe(60);
    // Browser clock 30 s behind the server: the age is 30 s larger.
    expect(pollAgeSeconds('2026-11-23T19:59:00.000Z', now, 30_000)).toBe(90);
    expect(pollAgeSeconds(null, now)).toBeNull();
  });
  it('amber after 90 s, red after 180 s', () => {
    expect(freshness(90)).toBe('fresh');
    expect(freshness(91)).toBe('amber');
    expect(freshness(180)).toBe('amber');
    expect(freshness(181)).toBe('red');
    expect(freshness(null)).toBe('none');
  });
  it('disconnected is explicit and red, even when the last poll was recent', () => {
    const m = chipModel('disconnected', 10);
    expect(m.level).toBe('red');
    expect(m.text).toMatch(/Disconnected/);
  });
  it('live and fresh is ok; stale data says so', () => {
    expect(chipModel('live', 12).level).toBe('ok');
    expect(chipModel('live', 12).text).toBe('Live · polled 12s ago');
    expect(chipModel('polling', 200).level).toBe('red');
    expect(chipModel('polling', 200).text).toMatch(/stale/);
    expect(chipModel('connecting', null).text).toBe('Connecting…');
  });
});
