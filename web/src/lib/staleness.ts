// Freshness of what the page shows, measured from the *server's* last poll
// (summary.last_poll_at), not from when the browser last fetched (seed bug
// doc/compat.md#bug-20). Connection state is shown explicitly: a page that cannot reach
// apid says "Disconnected" instead of looking fresh.
import { parseTs } from './format';

export type ConnMode = 'connecting' | 'live' | 'polling' | 'disconnected';
export type Freshness = 'fresh' | 'amber' | 'red' | 'none';

/** Fallbacks while /api/health has not answered (or an old apid does not say). */
export const AMBER_AFTER_S = 90;
export const RED_AFTER_S = 180;

/** What /api/health says about polling (doc/coverage.md#staleness). */
export interface PollHealth {
  /** /healthz calls pollerd stale. */
  pollerd_stale: boolean;
  /** Two poll intervals plus one cycle: a last poll older than this is late. */
  poll_late_after_seconds: number | null;
}

export function pollAgeSeconds(lastPollAt: string | null, now: number, clockOffsetMs = 0): number | null {
  const t = parseTs(lastPollAt);
  if (t === null) return null;
  return Math.max(0, Math.floor((now + clockOffsetMs - t) / 1000));
}

/**
 * Freshness of the vendor data: red when /healthz calls pollerd stale, amber
 * when the last poll is older than two poll intervals plus a cycle. Without
 * health information, the old fixed 90 s / 180 s.
 */
export function freshness(ageS: number | null, health: PollHealth | null = null): Freshness {
  if (health?.pollerd_stale) return 'red';
  if (ageS === null) return 'none';
  if (health?.poll_late_after_seconds) return ageS > health.poll_late_after_seconds ? 'amber' : 'fresh';
  if (ageS > RED_AFTER_S) return 'red';
  if (ageS > AMBER_AFTER_S) return 'amber';
  return 'fresh';
}

export function ageText(ageS: number): string {
  if (ageS < 60) return `${ageS}s`;
  if (ageS < 3600) return `${Math.floor(ageS / 60)}m ${ageS % 60}s`;
  if (ageS < 86400) return `${Math.floor(ageS / 3600)}h ${Math.floor((ageS % 3600) / 60)}m`;
  return `${Math.floor(ageS / 86400)}d`;
}

export interface ChipModel {
  level: 'ok' | 'amber' | 'red' | 'neutral';
  text: string;
  title: string;
}

/** The header chip. It never says "Live" about data that is late or stale. */
export function chipModel(mode: ConnMode, ageS: number | null, health: PollHealth | null = null): ChipModel {
  const f = freshness(ageS, health);
  const age = ageS === null ? null : ageText(ageS);
  const polled = age === null ? 'No poll recorded yet' : `Last poll ${age} ago`;
  if (mode === 'disconnected') {
    return {
      level: 'red',
      text: age === null ? 'Disconnected' : `Disconnected · data ${age} old`,
      title: 'Cannot reach the itstatus API. The data shown is not current. ' + polled + '.',
    };
  }
  if (mode === 'connecting' && ageS === null && f !== 'red') {
    return { level: 'neutral', text: 'Connecting…', title: 'Connecting to the itstatus API' };
  }
  const via = mode === 'live' ? 'Live updates via server-sent events. ' : mode === 'polling' ? 'Live stream unavailable; refreshing every 30 s. ' : '';
  if (f === 'red') {
    return {
      level: 'red',
      text: age === null ? 'Stale · never polled' : `Stale · last poll ${age} ago`,
      title: (health?.pollerd_stale ? 'The poller (pollerd) is not running or not polling. ' : 'Vendors have not been polled for a long time. ') + polled + ' (server time).',
    };
  }
  if (f === 'amber') {
    return {
      level: 'amber',
      text: `Polls late · last ${age} ago`,
      title: `Vendor polls are late: the last one is older than two poll intervals plus a cycle. ${polled} (server time).`,
    };
  }
  const how = mode === 'live' ? 'Live' : mode === 'polling' ? 'Polling' : 'Connecting';
  return {
    level: f === 'none' ? 'neutral' : 'ok',
    text: age === null ? `${how} · never polled` : `${how} · polled ${age} ago`,
    title: via + polled + ' (server time).',
  };
}

/** The tab title's prefix: what a background tab or wall screen must show. */
export function titlePrefix(mode: ConnMode, f: Freshness): string {
  if (mode === 'disconnected') return '⚠ Disconnected · ';
  if (f === 'red') return '⚠ Stale · ';
  if (f === 'amber') return '⚠ Polls late · ';
  return '';
}
