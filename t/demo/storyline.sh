#!/usr/bin/env bash
# storyline.sh VENDOR_URL API_URL PAYLOADS: the demo's three minutes, played
# against fakevendor's control API and apid's admin API. Times are seconds
# from the start; with 3 s polls and 2-poll confirmation a change shows 3-6 s
# after its line here. The headline events (the aggregated SSO alert, the
# broken GitLab poller, the recoveries, the Slack incident, the operator's
# curl) all land inside the first 90 s, which is what t/sh/demo.sh checks.
set -u
vendor=$1 api=$2 p=$3
t0=$(date +%s)
say() { printf '[storyline] t+%3ss  %s\n' "$(($(date +%s) - t0))" "$*"; }
at() { # at SECONDS STEP: wait until then, run the step
	local now=$(($(date +%s) - t0))
	[ "$1" -gt "$now" ] && sleep $(($1 - now))
	"$2"
}
# A control call that fails would silently change the story: say so.
ctl() { # ctl URL JSON
	curl -sf -o /dev/null -X POST "$1" -H 'Content-Type: application/json' -d "$2" ||
		say "WARNING: POST $1 $2 failed"
}
payload() { ctl "$vendor/_control/payload" "{\"path\":\"$1\",\"file\":\"$p/$2\"}"; }
fault() { ctl "$vendor/_control/fault" "$1"; }
admin() {
	curl -sf -o /dev/null -X POST "$api/api/admin/status" -H "Authorization: Bearer ${ADMIN_API_TOKEN:-}" \
		-H 'Content-Type: application/json' -d "$1" || say "WARNING: admin status $1 failed"
}

# after_poll PATH: return just after pollerd has fetched PATH (its request
# count at fakevendor goes up), so the changes that follow all land inside one
# poll interval. alertd correlates a dependency outage only among the events of
# one pass: an upstream and its dependents changed across a poll boundary
# would page one by one instead of as one aggregated alert.
after_poll() {
	local n0 n i
	n0=$(curl -sf "$vendor/_control/stats?path=$1" | jq -r --arg p "$1" '.paths[$p].requests // 0')
	for ((i = 0; i < 60; i++)); do
		sleep 0.1
		n=$(curl -sf "$vendor/_control/stats?path=$1" | jq -r --arg p "$1" '.paths[$p].requests // 0')
		[ "${n:-0}" != "${n0:-0}" ] && { sleep 0.3; return 0; }
	done
	say "WARNING: no poll of $1 seen in 6 s; changing it anyway"
}

manual_baseline() {
	# Manual services have no page to poll, so nothing baselines them: the
	# operator records them once. unknown -> operational is a recovery of an
	# outage nobody announced, so it is logged and never posted.
	say "Operator records the manual services (Identity Provider, Workday, Ticketing) as operational"
	for s in identity-provider workday ticketing; do
		admin "{\"service_id\":\"$s\",\"new_status\":\"operational\",\"reason\":\"Demo start: checked by the service desk\"}"
	done
}
sso_outage() {
	say "Okta SSO major outage; GitHub, npm, PyPI and Dropbox fail with it -> one aggregated alert"
	after_poll /sp/sso.json
	payload /sp/sso.json sp-major.json
	for s in github npm pypi dropbox; do payload "/sp/$s.json" sp-partial.json; done
}
flap() {
	say "Datadog flaps between minor and none faster than it can confirm (pending badge, no alert)"
	# Each blip lasts exactly one poll, and confirming needs two in a row.
	# Timed by pollerd's requests, not by the clock: with "2 s bad, 5 s good"
	# a loaded machine (a late curl, a slow cycle) let two polls see the same
	# blip, and the flap paged.
	for _ in 1 2 3 4 5; do
		after_poll /sp/datadog.json
		payload /sp/datadog.json sp-minor.json
		after_poll /sp/datadog.json
		payload /sp/datadog.json sp-ok.json
		sleep 4
	done
}
maintenance() { say "AnyDesk announces maintenance (wrench; alerts suppressed)"; payload /sp/anydesk.json sp-maint.json; }
gitlab_breaks() {
	say "GitLab's status page answers 503 -> poller BROKEN, shown as unknown"
	fault '{"path":"/fixture/gitlab.json","fault":"status","code":503}'
}
sso_recovery() {
	say "Okta SSO and its dependents recover -> recovery alerts and incident reports"
	after_poll /sp/sso.json # one batched recovery message rather than two
	for s in sso github npm pypi dropbox; do payload "/sp/$s.json" sp-ok.json; done
}
gitlab_recovers() { say "GitLab answers again -> poller RECOVERED"; fault '{"path":"/fixture/gitlab.json","fault":"none"}'; }
slack_incident() { say "Slack reports an active incident (critical tier: @here)"; payload /slack/current slack-incident.json; }
ticketing_down() {
	say "Operator marks Ticketing degraded with curl"
	admin '{"service_id":"ticketing","new_status":"degraded","detail":"Slow ticket creation","reason":"Reported by the service desk"}'
}
gmail_disruption() { say "Gmail disruption in the Workspace feed"; payload /feed/workspace.json feed-gmail.json; }
slack_resolved() { say "Slack incident resolved"; payload /slack/current slack-ok.json; }
cloudflare_partial() { say "Cloudflare partial outage (2 dependents: below the aggregation threshold)"; payload /sp/cloudflare.json sp-partial.json; }
website_fails() { say "Marketing website health check loses its keyword"; payload /health/website health-bad.txt; }
ticketing_up() { say "Operator resolves Ticketing"; admin '{"service_id":"ticketing","new_status":"operational","reason":"Service desk confirms"}'; }
gmail_recovers() { say "Gmail recovers"; payload /feed/workspace.json feed-ok.json; }
edge_recovers() { say "Cloudflare and the website recover"; payload /sp/cloudflare.json sp-ok.json; payload /health/website health-ok.txt; }
maintenance_done() { say "AnyDesk maintenance completed"; payload /sp/anydesk.json sp-ok.json; }
done_msg() { say "storyline complete; everything keeps running until Ctrl-C"; }

at 2 manual_baseline
at 8 sso_outage
(at 14 flap) &
at 20 maintenance
at 24 gitlab_breaks
at 40 sso_recovery
at 48 gitlab_recovers
at 55 slack_incident
at 62 ticketing_down
at 72 gmail_disruption
at 80 slack_resolved
at 95 cloudflare_partial
at 110 website_fails
at 125 ticketing_up
at 140 gmail_recovers
at 155 edge_recovers
at 170 maintenance_done
wait
at 180 done_msg
