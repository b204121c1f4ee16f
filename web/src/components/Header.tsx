// Top bar: wordmark, view toggle, Dependencies, shortcut sheet, staleness chip.
import type { Health } from '../api/types';
import { chipModel, pollAgeSeconds, type ConnMode } from '../lib/staleness';
import { useNow } from '../lib/useNow';
import { Icon } from './Icon';

export type ViewMode = 'engineer' | 'executive' | 'slo';
export const VIEWS: { id: ViewMode; label: string }[] = [
  { id: 'engineer', label: 'Engineer' },
  { id: 'executive', label: 'Executive' },
  { id: 'slo', label: 'SLO' },
];

export function StalenessChip(props: { conn: ConnMode; lastPollAt: string | null; clockOffsetMs: number; health?: Health | null }) {
  const now = useNow();
  const age = pollAgeSeconds(props.lastPollAt, now, props.clockOffsetMs);
  const m = chipModel(props.conn, age, props.health ?? null);
  return (
    <span class={`chip-stale chip-stale-${m.level}`} title={m.title} data-testid="staleness-chip" data-level={m.level} data-conn={props.conn}>
      <span class={`dot dot-${m.level}${props.conn === 'live' && m.level === 'ok' ? ' dot-live' : ''}`} aria-hidden="true" />
      <span class="chip-long" data-tabular>
        {m.text}
      </span>
      {/* a phone shows one word; the long text stays for screen readers */}
      <span class="chip-short" aria-hidden="true">
        {m.text.split(' · ')[0]}
      </span>
    </span>
  );
}

export interface HeaderProps {
  view: ViewMode;
  onView: (v: ViewMode) => void;
  onGraph: () => void;
  onShortcuts: () => void;
  conn: ConnMode;
  lastPollAt: string | null;
  clockOffsetMs: number;
  health?: Health | null;
}

export function Header(p: HeaderProps) {
  return (
    <header class="topbar">
      <div class="brand">
        <svg class="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="#151d2e" />
          <circle cx="16" cy="16" r="9" fill="none" stroke="#34d399" stroke-width="3" />
          <circle cx="16" cy="16" r="3.5" fill="#34d399" />
        </svg>
        <h1>
          itstatus <span class="brand-sub">SaaS vendor health</span>
        </h1>
      </div>
      <nav class="views" aria-label="Dashboard view">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            class={`seg${p.view === v.id ? ' seg-on' : ''}`}
            aria-pressed={p.view === v.id}
            onClick={() => p.onView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </nav>
      <div class="topbar-right">
        <StalenessChip conn={p.conn} lastPollAt={p.lastPollAt} clockOffsetMs={p.clockOffsetMs} health={p.health} />
        {p.view === 'engineer' && (
          <button type="button" class="btn" onClick={p.onGraph} aria-keyshortcuts="g" data-testid="open-graph">
            <Icon name="network" size={16} /> <span class="btn-text">Dependencies</span>
          </button>
        )}
        <button type="button" class="btn btn-icon" onClick={p.onShortcuts} aria-label="Keyboard shortcuts" aria-keyshortcuts="?">
          <span aria-hidden="true">?</span>
        </button>
      </div>
    </header>
  );
}
