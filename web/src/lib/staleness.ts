// Freshness of what the page shows, measured from the *server's* last poll
// (summary.last_poll_at), not from when the browser last fetched (seed bug
// doc/compat.md#bug-20). Connection state is shown explicitly: a page that cannot reach
// apid says "Disconnected" instead of looking fresh.
import { parseTs } from './format';

export type ConnMode = 'connecting' | 'live' | 'polling' | 'disconnected';
export type Freshness = 'fresh' | 'amber' | 'red' | 'none';

export const AMBER_AFTER_S = 90;
export const RED_AFTER_S = 180;

export function pollAgeSeconds(lastPollAt: string | null, now: number, clockOffsetMs = 0): number | null {
  const t = parseTs(lastPollAt);
  if (t === null) return null;
  return Math.max(0, Math.floor((now + clockOffsetMs - t) / 1000));
}

export function freshness(ageS: number | null): Freshness {
  if (ageS === null) return 'none';
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

export function chipModel(mode: ConnMode, ageS: number | null): ChipModel {
  const f = freshness(ageS);
  const age = ageS === null ? null : ageText(ageS);
  const polled = age === null ? 'No poll recorded yet' : `Last poll ${age} ago`;
  if (mode === 'disconnected') {
    return {
      level: 'red',
      text: age === null ? 'Disconnected' : `Disconnected · data ${age} old`,
      title: 'Cannot reach the itstatus API. The data shown is not current. ' + polled + '.',
    };
  }
  if (mode === 'connecting' && ageS === null) {
    return { level: 'neutral', text: 'Connecting…', title: 'Connecting to the itstatus API' };
  }
  const how = mode === 'live' ? 'Live' : mode === 'polling' ? 'Polling' : 'Connecting';
  const level = f === 'red' ? 'red' : f === 'amber' ? 'amber' : f === 'none' ? 'neutral' : 'ok';
  const staleWord = f === 'red' ? ' · stale' : '';
  return {
    level,
    text: age === null ? `${how} · never polled` : `${how} · polled ${age} ago${staleWord}`,
    title:
      (mode === 'live' ? 'Live updates via server-sent events. ' : mode === 'polling' ? 'Live stream unavailable; refreshing every 30 s. ' : '') +
      polled +
      ' (server time).',
  };
}
