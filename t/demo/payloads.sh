#!/usr/bin/env bash
# payloads.sh OUT: the demo's vendor payloads, derived with jq from the real
# captured fixtures (t/fixtures/vendors) so every page the demo serves
# has a real vendor's shape. Statuspage variants change only the fields that
# carry the status: the page indicator, the first component and one incident.
set -euo pipefail
out=$1
fx=${ITSTATUS_FIXTURES:?}
mkdir -p "$out"
base="$fx/statuspage/dropbox-summary-all-operational.json"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" '.page.updated_at = $now' "$base" > "$out/sp-ok.json"
variant() { # name indicator description component_status incident_impact incident_name
	jq --arg i "$2" --arg d "$3" --arg c "$4" --arg imp "$5" --arg n "$6" --arg now "$now" '
	  .status = {indicator: $i, description: $d}
	  | .components[0].status = $c
	  | .incidents = [{id: ("demo-" + $i), name: $n, status: "investigating", impact: $imp,
	      created_at: $now, updated_at: $now, shortlink: "https://stspg.io/demo",
	      components: [.components[0]], incident_updates: [{status: "investigating",
	      body: $n, created_at: $now}]}]' "$base" > "$out/$1.json"
}
variant sp-minor minor "Minor Service Outage" degraded_performance minor "Elevated error rates"
variant sp-partial major "Partial System Outage" partial_outage major "Partial outage of sign-in"
variant sp-major critical "Major System Outage" major_outage critical "Service unavailable"
cp "$fx/statuspage/anydesk-summary-maintenance-indicator-via-incident.json" "$out/sp-maint.json"
cp "$fx/statuspage/hashicorp-components-groups-degraded-maintenance.json" "$out/hashicorp.json"
cp "$fx/statuspage/sendgrid-summary-operational-groups-duplicate-names.json" "$out/sendgrid.json"
cp "$fx/statusio/gitlab-statusio-status-operational.json" "$out/gitlab.json"
cp "$fx/gcp/gcp-incidents-json-first20-resolved.json" "$out/gcp.json"
cp "$fx/cachet/cachet-demo-v1-components-operational.json" "$out/cachet.json"
cp "$fx/betterstack/betterstack-index-json-operational-resolved-reports.json" "$out/betterstack.json"
cp "$fx/aws/aws-all-rss-empty-channel-2023.rss" "$out/aws.rss"
cp "$fx/azure/azure-status-rss-empty-operational.xml" "$out/azure.xml"
cp "$fx/instatus/gcore-summary-up-with-scheduled-maintenances.json" "$out/gcore.json"
cp "$fx/slack/slack-current-ok.json" "$out/slack-ok.json"
cp "$fx/slack/slack-current-active-incident.json" "$out/slack-incident.json"
echo '[]' > "$out/feed-ok.json"
jq -n --arg now "$now" '[{id: "demo-feed-1", begin: $now, end: null, external_desc: "Gmail: delays sending mail",
  most_recent_update: {status: "SERVICE_DISRUPTION", when: $now, text: "We are investigating delays."},
  affected_products: [{title: "Gmail", id: "gmail"}]}]' > "$out/feed-gmail.json"
echo '[]' > "$out/trust-ok.json"
echo '{"data":[],"included":[]}' > "$out/zendesk-ok.json"
jq -n '[{category: "Voice", service: "Calls", region: "US", level: "Good", alerts: []},
        {category: "Messaging", service: "SMS", region: "EU", level: "Good", alerts: []}]' > "$out/rc-ok.json"
printf 'ok\n' > "$out/health-ok.txt"
printf 'maintenance\n' > "$out/health-bad.txt"
