// SLO view: error-budget gauges and burn-rate state per service.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Slo, SloRow } from '../api/types';
import { ErrorNote } from '../components/bits';
import { Icon } from '../components/Icon';
import { collectingText, figureText } from '../lib/coverage';
import { plural } from '../lib/format';
import { categoryLabel } from '../lib/sort';

export function budgetZone(r: SloRow): 'good' | 'warn' | 'bad' | 'none' {
  if (r.fast_burning) return 'bad';
  const b = r.error_budget_remaining_pct;
  if (b === null) return 'none';
  if (b >= 50) return 'good';
  if (b >= 20) return 'warn';
  return 'bad';
}

export function sortSlo(rows: readonly SloRow[]): SloRow[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.fast_burning) - Number(a.fast_burning) ||
      Number(b.slow_burning) - Number(a.slow_burning) ||
      (a.error_budget_remaining_pct ?? 101) - (b.error_budget_remaining_pct ?? 101) ||
      a.display_name.localeCompare(b.display_name),
  );
}

const ZONE_COLOR = { good: '#34d399', warn: '#fbbf24', bad: '#f87171', none: '#64748b' };

/** The budget gauge; value null (not enough data) draws an empty ring with a dash. */
function Gauge({ value, zone }: { value: number | null; zone: 'good' | 'warn' | 'bad' | 'none' }) {
  const r = 42;
  const c = 2 * Math.PI * r;
  const arc = c * 0.75;
  const v = value === null ? 0 : Math.max(0, Math.min(100, value));
  return (
    <svg class="gauge" viewBox="0 0 110 110" width="132" height="132" aria-hidden="true">
      <circle cx="55" cy="55" r={r} fill="none" stroke="#243044" stroke-width="10" stroke-linecap="round" stroke-dasharray={`${arc} ${c}`} transform="rotate(135 55 55)" />
      {v > 0.5 && (
      <circle
        class="gauge-val"
        cx="55"
        cy="55"
        r={r}
        fill="none"
        stroke={ZONE_COLOR[zone]}
        stroke-width="10"
        stroke-linecap="round"
        stroke-dasharray={`${(arc * v) / 100} ${c}`}
        transform="rotate(135 55 55)"
      />
      )}
      <text x="55" y="57" text-anchor="middle" class="gauge-num">
        {value === null ? '—' : `${Math.round(v)}%`}
      </text>
      <text x="55" y="72" text-anchor="middle" class="gauge-cap">
        error budget
      </text>
    </svg>
  );
}

export function SloView({ slo, error, onRetry }: { slo: Slo | null; error: string | null; onRetry: () => void }) {
  const rows = slo ? sortSlo(slo.services) : [];
  // With thousands of services the answer lists the worst (doc/scale.md#lists);
  // the counts then come from the server's totals.
  const total = Math.max(rows.length, slo?.services_total ?? 0);
  const cut = total > rows.length;
  const burning = cut
    ? Math.max(slo?.fast_burning_count ?? 0, slo?.slow_burning_count ?? 0, rows.filter((r) => r.fast_burning || r.slow_burning).length)
    : rows.filter((r) => r.fast_burning || r.slow_burning).length;
  const [announce, setAnnounce] = useState('');
  const prev = useRef<number | null>(null);
  useEffect(() => {
    if (!slo) return;
    if (prev.current !== null && prev.current !== burning) {
      setAnnounce(burning === 0 ? 'All services within SLO budget' : `${plural(burning, 'service')} ${burning === 1 ? 'is' : 'are'} burning error budget`);
    }
    prev.current = burning;
  }, [burning, slo]);

  return (
    <div class="slo" data-testid="slo-view">
      <p class="sr-only" aria-live="polite">
        {announce}
      </p>
      <header class="slo-head">
        <h2 class="section-title">
          {cut ? `Error budget: the ${rows.length.toLocaleString('en')} with the least left, of ${plural(total, 'service')}` : `Error budget across ${plural(rows.length, 'service')}`}
        </h2>
        {slo && <span class="muted small">Target {slo.thresholds.target_percent}% · fast burn ≥ {slo.thresholds.fast_threshold}× · slow burn ≥ {slo.thresholds.slow_threshold}×</span>}
        {burning > 0 && (
          <span class="pill pill-major_outage">
            <Icon name="flame" size={14} /> {cut ? `${slo?.fast_burning_count ?? 0} fast, ${slo?.slow_burning_count ?? 0} slow` : burning} burning
          </span>
        )}
      </header>
      <ErrorNote what="SLO figures" error={error} onRetry={onRetry} />
      {!slo ? (
        !error && <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="muted">No services monitored.</p>
      ) : (
        <ul class="slo-grid">
          {rows.map((r) => {
            const zone = budgetZone(r);
            const breach = r.fast_burning ? r.fast_breach : r.slow_burning ? r.slow_breach : null;
            const budget = r.error_budget_remaining_pct;
            const noData = budget === null;
            const maint = r.in_maintenance && r.poller_health !== 'broken';
            const state = r.fast_burning
              ? 'burning fast'
              : r.slow_burning
                ? 'burning slowly'
                : noData
                  ? collectingText(r.coverage_30d)
                  : budget <= 0
                    ? 'budget exhausted'
                    : 'within budget';
            return (
              <li
                key={r.id}
                class={`slo-card${r.fast_burning ? ' slo-fast' : ''}${noData ? ' slo-nodata' : ''}${maint ? ' slo-maint' : ''}`}
                data-service-id={r.id}
                aria-label={`${r.display_name}: ${noData ? 'error budget not yet known' : `${Math.round(budget)} percent error budget remaining`}, ${state}${
                  maint ? ', in planned maintenance (not counted)' : ''
                }`}
              >
                <div class="slo-card-head">
                  <div>
                    <span class="slo-name">{r.display_name}</span>
                    <span class="muted small">
                      {categoryLabel(r.category)}
                      {r.tier ? ` · ${r.tier}` : ''}
                    </span>
                  </div>
                  {r.fast_burning && <span class="badge badge-fast">Burning fast</span>}
                  {maint && (
                    <span class="badge badge-maint">
                      <Icon name="wrench" size={12} /> Maintenance
                    </span>
                  )}
                </div>
                <Gauge value={budget} zone={zone} />
                <p
                  class={`slo-foot ${
                    r.fast_burning || (!r.slow_burning && budget !== null && budget <= 0) ? 'burn-fast' : r.slow_burning ? 'burn-slow' : 'burn-none'
                  }`}
                >
                  {breach
                    ? `Burning ${breach.long_window_burn_rate.toFixed(1)}× over ${breach.long_window_label || (r.fast_burning ? '1h' : '6h')}`
                    : r.fast_burning || r.slow_burning
                      ? 'Burning error budget'
                      : noData
                        ? `Budget: ${collectingText(r.coverage_30d)}`
                        : budget <= 0
                          ? 'Budget exhausted · not burning now'
                          : maint
                            ? 'In planned maintenance · not counted'
                            : 'Within budget'}
                </p>
                <p class="muted small">
                  30-day uptime {figureText(r.uptime_30d_pct, r.coverage_30d)}
                  {r.poller_health === 'broken' ? ' · poller down' : ''}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
