// Inline stroke icons (24×24 grid, drawn for this project). Decorative by
// default (aria-hidden); every status is also given as text.
import type { JSX } from 'preact';
import type { Status, StatusClass } from '../lib/status';

export type IconName =
  | 'check'
  | 'alert'
  | 'octagon'
  | 'x-octagon'
  | 'help'
  | 'wifi-off'
  | 'activity'
  | 'network'
  | 'wrench'
  | 'external'
  | 'close'
  | 'keyboard'
  | 'chevron'
  | 'hand'
  | 'bell'
  | 'clock'
  | 'user'
  | 'flame';

const PATHS: Record<IconName, JSX.Element> = {
  check: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M8 12.5l2.6 2.6L16 9.6" />
    </>
  ),
  alert: (
    <>
      <path d="M12 3.5L2.8 19.5h18.4z" />
      <path d="M12 10v4.2M12 17v.01" />
    </>
  ),
  octagon: (
    <>
      <path d="M8.3 3h7.4L21 8.3v7.4L15.7 21H8.3L3 15.7V8.3z" />
      <path d="M12 7.5v5.5M12 16.5v.01" />
    </>
  ),
  'x-octagon': (
    <>
      <path d="M8.3 3h7.4L21 8.3v7.4L15.7 21H8.3L3 15.7V8.3z" />
      <path d="M9 9l6 6M15 9l-6 6" />
    </>
  ),
  help: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.6 9.4a2.5 2.5 0 1 1 3.4 2.3c-.7.3-1 .8-1 1.5v.6M12 17v.01" />
    </>
  ),
  'wifi-off': (
    <>
      <path d="M3 3l18 18" />
      <path d="M8.5 16.2a5 5 0 0 1 7 0M5.1 12.6a10 10 0 0 1 4.6-2.4M14.6 10.3a10 10 0 0 1 4.3 2.3M2 9a15 15 0 0 1 4.2-2.6M10.5 5.1A15 15 0 0 1 22 9M12 20v.01" />
    </>
  ),
  activity: <path d="M22 12h-4l-3 8L9 4l-3 8H2" />,
  network: (
    <>
      <rect x="9" y="2.5" width="6" height="5" rx="1" />
      <rect x="2.5" y="16.5" width="6" height="5" rx="1" />
      <rect x="15.5" y="16.5" width="6" height="5" rx="1" />
      <path d="M12 7.5V12M5.5 16.5V12h13v4.5" />
    </>
  ),
  wrench: (
    <path d="M14.7 6.3a4 4 0 0 0 5 5l-8.9 8.9a2.1 2.1 0 0 1-3-3l8.9-8.9a4 4 0 0 1-5-5l2.6 2.6h2.8V3.1z" />
  ),
  external: (
    <>
      <path d="M14 4h6v6M20 4l-9 9" />
      <path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />
    </>
  ),
  close: <path d="M6 6l12 12M18 6L6 18" />,
  keyboard: (
    <>
      <rect x="2.5" y="6" width="19" height="12" rx="2" />
      <path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10" />
    </>
  ),
  chevron: <path d="M9 6l6 6-6 6" />,
  hand: <path d="M7 11V6.5a1.5 1.5 0 0 1 3 0V11m0-5.5v-1a1.5 1.5 0 0 1 3 0V11m0-5a1.5 1.5 0 0 1 3 0v6m0-3a1.5 1.5 0 0 1 3 0v5a7 7 0 0 1-7 7h-1a6 6 0 0 1-5.2-3L4.6 14a1.6 1.6 0 0 1 2.4-2l1 1" />,
  bell: (
    <>
      <path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15z" />
      <path d="M10 21h4" />
    </>
  ),
  clock: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </>
  ),
  user: (
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </>
  ),
  flame: <path d="M12 22a7 7 0 0 0 7-7c0-4-3-6.5-4-10-2 2-2.5 4-2.5 5.5C11 9 10 7.5 10 6 7 8.5 5 11.5 5 15a7 7 0 0 0 7 7z" />,
};

export function Icon(props: { name: IconName; size?: number; class?: string; title?: string }) {
  const size = props.size ?? 18;
  return (
    <svg
      class={'icon ' + (props.class ?? '')}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[props.name]}
    </svg>
  );
}

export const STATUS_ICON: Record<StatusClass, IconName> = {
  operational: 'check',
  degraded: 'alert',
  partial_outage: 'octagon',
  major_outage: 'x-octagon',
  unknown: 'help',
  manual: 'hand',
};

export function StatusIcon(props: { status: Status | StatusClass; broken?: boolean; size?: number; pulse?: boolean }) {
  const name: IconName = props.broken ? 'wifi-off' : STATUS_ICON[props.status];
  return <Icon name={name} size={props.size} class={`st-${props.status}${props.pulse ? ' pulse' : ''}`} />;
}
