import type { Service } from '../src/api/types';
import type { Status } from '../src/lib/status';

export function svc(id: string, over: Partial<Service> = {}): Service {
  return {
    id,
    display_name: over.display_name ?? id,
    category: 'engineering',
    current_status: 'operational' as Status,
    current_status_detail: null,
    effective_status: null,
    poll_type: 'statuspage_json',
    status_page_url: null,
    last_polled_at: null,
    last_status_change_at: null,
    consecutive_failures: 0,
    last_success_at: null,
    last_failure_reason: null,
    poller_health: 'healthy',
    tier: 'important',
    pending_status: null,
    pending_status_count: 0,
    pending_status_since: null,
    in_maintenance: false,
    ...over,
  };
}
