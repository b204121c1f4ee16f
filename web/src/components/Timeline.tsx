// Clustered timeline (GET /api/timeline/clustered) with the root-cause chip.
import { useState } from 'preact/hooks';
import type { Cluster, Clustered, StatusEvent } from '../api/types';
import { plural, shortDateTime } from '../lib/format';
import { LABEL } from '../lib/status';
import { RelTime } from './bits';
import { Icon, StatusIcon } from './Icon';

function EventRow({ e, onOpen }: { e: StatusEvent; onOpen: (id: string) => void }) {
  return (
    <li class="ev">
      <StatusIcon status={e.new_status} size={15} />
      <div class="ev-body">
        <div class="ev-line">
          <span class="ev-what">
            <button type="button" class="link-button ev-name" onClick={() => onOpen(e.service_id)}>
              {e.service_name}
            </button>
            <span class="ev-change">
              <span class={`st-text-${e.previous_status}`}>{LABEL[e.previous_status]}</span> →{' '}
              <span class={`st-text-${e.new_status}`}>{LABEL[e.new_status]}</span>
            </span>
          </span>
          <span class="ev-time">
            <RelTime ts={e.created_at} />
          </span>
        </div>
        {(e.impact_statement || e.vendor_title) && <p class="ev-impact">{e.impact_statement || e.vendor_title}</p>}
      </div>
    </li>
  );
}

function ClusterBlock({ c, idx, onOpen }: { c: Cluster; idx: number; onOpen: (id: string) => void }) {
  const [open, setOpen] = useState(idx === 0);
  const id = `cluster-${idx}`;
  return (
    <li class={`cluster cl-${c.severity}`}>
      <button type="button" class="cluster-head" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        <Icon name="chevron" size={16} class={open ? 'rot90' : ''} />
        <StatusIcon status={c.severity} size={16} />
        <span class="cluster-title">{plural(c.service_count, 'service')} affected</span>
        {c.root_cause && (
          <span class={`chip chip-root chip-${c.severity}`} title="Likely root cause (most of its dependents are in this cluster)">
            Root: {c.root_cause.name}
          </span>
        )}
        <span class="cluster-meta">
          <RelTime ts={c.started_at} /> · {plural(c.event_count, 'event')} · {shortDateTime(c.started_at)} — {shortDateTime(c.ended_at)}
        </span>
      </button>
      {open && (
        <ul id={id} class="cluster-events">
          {c.events.map((e) => (
            <EventRow key={e.id} e={e} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function Timeline({ data, onOpen }: { data: Clustered | null; onOpen: (id: string) => void }) {
  return (
    <section class="panel timeline" aria-labelledby="timeline-h">
      <header class="panel-head">
        <h2 id="timeline-h" class="section-title">Recent events</h2>
        {data && (
          <span class="muted small">
            {plural(data.total_events, 'event')} · {plural(data.total_clusters, 'cluster')}
          </span>
        )}
      </header>
      {!data ? (
        <p class="muted">Loading…</p>
      ) : data.clusters.length === 0 ? (
        <p class="muted">No status events recorded.</p>
      ) : (
        <ul class="clusters">
          {data.clusters.map((c, i) =>
            c.event_count <= 1 && c.events.length <= 1 && c.events[0] ? (
              <EventRow key={`e${c.events[0].id}`} e={c.events[0]} onOpen={onOpen} />
            ) : (
              <ClusterBlock key={`c${c.started_at}-${i}`} c={c} idx={i} onOpen={onOpen} />
            ),
          )}
        </ul>
      )}
    </section>
  );
}
