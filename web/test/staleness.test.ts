import { describe, expect, it } from 'vitest';
import { chipModel, freshness, pollAgeSeconds, titlePrefix } from '../src/lib/staleness';

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
    expect(chipModel('polling', 200).text).toMatch(/Stale/);
    expect(chipModel('connecting', null).text).toBe('Connecting…');
  });
  it('follows /api/health: amber past two intervals plus a cycle, red when pollerd is stale', () => {
    const h = { pollerd_stale: false, poll_late_after_seconds: 19 };
    expect(freshness(19, h)).toBe('fresh');
    expect(freshness(20, h)).toBe('amber');
    expect(freshness(5000, h)).toBe('amber'); /* age alone never makes red */
    expect(freshness(3, { ...h, pollerd_stale: true })).toBe('red');
    expect(freshness(null, { ...h, pollerd_stale: true })).toBe('red');
    expect(chipModel('live', 20, h).level).toBe('amber');
    expect(chipModel('live', 3, { ...h, pollerd_stale: true }).level).toBe('red');
  });
  it('never says Live and stale together', () => {
    const h = { pollerd_stale: false, poll_late_after_seconds: 19 };
    for (const age of [0, 12, 19, 20, 181, 3600, null]) {
      for (const stale of [false, true]) {
        const t = chipModel('live', age, { ...h, pollerd_stale: stale }).text;
        expect(/Live/.test(t) && /stale|late/i.test(t)).toBe(false);
      }
    }
    expect(chipModel('live', 181).text).not.toMatch(/Live/);
    expect(titlePrefix('live', 'red')).toMatch(/Stale/);
    expect(titlePrefix('live', 'amber')).toMatch(/late/);
    expect(titlePrefix('live', 'fresh')).toBe('');
  });
});
