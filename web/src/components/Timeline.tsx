// Clustered timeline (GET /api/timeline/clustered) with the root-cause chip.
import { useState } from 'preact/hooks';
import type { Cluster, Clustered, StatusEvent } from '../api/types';
import { plural, shortDateTime } from '../lib/format';
import { memo } from '../lib/memo';
import { LABEL } from '../lib/status';
import { RelTime } from './bits';
import { Icon, StatusIcon } from './Icon';

/** What an entry says after the service name: a change, monitoring started,
 * a poller broken or recovered (doc/coverage.md#timeline). */
function EventChange({ e }: { e: StatusEvent }) {
  if (e.kind === 'health') {
    return e.new_health === 'broken' ? (
      <span class="ev-change ev-health">poller broken: status cannot be read</span>
    ) : (
      <span class="ev-change ev-health">poller recovered: status readable again</span>
    );
  }
  if (e.is_baseline) {
    return (
      <span class="ev-change ev-baseline">
        monitoring started: is <span class={`st-text-${e.new_status}`}>{LABEL[e.new_status]}</span>
      </span>
    );
  }
  return (
    <span class="ev-change">
      <span class={`st-text-${e.previous_status}`}>{LABEL[e.previous_status]}</span> →{' '}
      <span class={`st-text-${e.new_status}`}>{LABEL[e.new_status]}</span>
      {e.in_maintenance && <span class="muted"> (planned maintenance)</span>}
    </span>
  );
}

function EventRow({ e, onOpen }: { e: StatusEvent; onOpen: (id: string) => void }) {
  const icon = e.kind === 'health' ? (e.new_health === 'broken' ? 'unknown' : 'operational') : e.new_status;
  return (
    <li class={`ev${e.kind === 'health' ? ' ev-kind-health' : e.is_baseline ? ' ev-kind-baseline' : ''}`} data-kind={e.kind} data-baseline={e.is_baseline ? 'true' : undefined}>
      <StatusIcon status={icon} broken={e.kind === 'health' && e.new_health === 'broken'} size={15} />
      <div class="ev-body">
        <div class="ev-line">
          <span class="ev-what">
            <button type="button" class="link-button ev-name" onClick={() => onOpen(e.service_id)}>
              {e.service_name}
            </button>
            <EventChange e={e} />
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
        <span class="cluster-title">
          {c.events.every((e) => e.is_baseline)
            ? `Monitoring started · ${plural(c.service_count, 'service')}`
            : c.events.every((e) => e.kind === 'health')
              ? `Poller health · ${plural(c.service_count, 'service')}`
              : `${plural(c.service_count, 'service')} affected`}
        </span>
        {c.root_cause && (
          <span class={`chip chip-root chip-${c.severity}`} title="Likely root cause: it was down when its dependents in this cluster changed">
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

// Memoised: the shell re-renders on every store update, and a live event
// brings several (its row, the summary) before the timeline itself changes.
export const Timeline = memo(function Timeline({ data, onOpen }: { data: Clustered | null; onOpen: (id: string) => void }) {
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
        <p class="muted">No events yet: monitoring has not started.</p>
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
});
