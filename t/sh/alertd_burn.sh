#!/usr/bin/env bash
# t/sh/alertd_burn.sh -- SLO burn-rate routing on the real bin/alertd against
# fakeslack (issue 14 item 2). The clock is faked (ITSTATUS_FAKE_NOW_MS) and
# alertd runs with --once at each instant of the story, as the daemon's pass
# and burn timer would:
#  - 'slowpoke' (critical tier) relapses inside a vendor incident whose first
#    degradation paged; the relapse is deduplicated, so only the burn can tell:
#    a slow burn, sent without a mention, severity important;
#  - 'paged' is degraded for 95 s after two days operational and gets its
#    status alert: the fast burn that outage causes is recorded as
#    'covered_by_status_alert' and sends nothing;
#  - 'flappy' flaps inside one vendor incident for an hour (2 min degraded
#    every 6 min; the status alerts after the first are deduplicated) and is
#    evaluated every 5 minutes: exactly one burn page;
#  - 'inherited' was already down when monitoring started: no burn at all.
# Exact decisions, exact messages (JSON-compared) and counts per destination.
set -u
ALERTD_STORYLINE_LIB=1
. "$ITSTATUS_ROOT/t/sh/alertd_storyline.sh"

T0=$(t_ms)
ok() { printf 'ok - %s [%d ms]\n' "$*" $(($(t_ms) - T0)); }

sl_setup
cat >>"$T_TMP/etc/itstatus.yaml" <<'EOF'
slo_burn_rate_enabled: true
EOF
for s in slowpoke paged flappy inherited; do
	printf '  - id: %s\n    display_name: %s\n    category: other\n    poll_type: manual\n' "$s" "$s" \
		>>"$T_TMP/etc/services.yaml"
done
q "INSERT INTO services (id, display_name, category, poll_type, tier, config_json) VALUES
 ('slowpoke', 'Slowpoke', 'engineering', 'statuspage_json', 'critical', '{}'),
 ('paged', 'Paged', 'engineering', 'statuspage_json', 'important', '{}'),
 ('flappy', 'Flappy', 'engineering', 'statuspage_json', 'important', '{}'),
 ('inherited', 'Inherited', 'engineering', 'statuspage_json', 'important', '{}')"

B=$(($(date -u -d 2026-11-23T12:00:00Z +%s) * 1000))
MIN=60000
iso() { printf '%s.%03dZ' "$(date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%S)" $(($1 % 1000)); }
# at MS SVC PREV NEW [EXTRA_COLS EXTRA_VALUES]: commit an event at MS, then
# run alertd --once at MS (a pass, the burn table, the deliveries)
at() {
	local ms=$1 cols="" vals=""
	shift
	[ $# -ge 5 ] && cols=", $4" && vals=", $5"
	q "INSERT INTO status_events (service_id, kind, previous_status, new_status, created_at$cols)
	   VALUES ('$1', 'status', '$2', '$3', '$(iso "$ms")'$vals)" || t_fail "insert failed"
	once "$ms"
}
once() {
	ITSTATUS_FAKE_NOW_MS=$1 "$ITSTATUS_BIN/alertd" -f "$T_TMP/etc/itstatus.yaml" --once \
		>>"$T_TMP/alertd.log" 2>&1 || t_fail "alertd --once at $(iso "$1") failed: $(tail -3 "$T_TMP/alertd.log")"
}

# monitoring starts two days before B (seven hours for 'inherited', which is
# already down then)
for s in slowpoke paged flappy; do
	q "INSERT INTO status_events (service_id, kind, previous_status, new_status, is_baseline, created_at)
	   VALUES ('$s', 'status', 'unknown', 'operational', 1, '$(iso $((B - 2880 * MIN)))')"
done
at $((B - 420 * MIN)) inherited unknown major_outage is_baseline 1
# slowpoke: paged for a 1-minute degradation in vendor incident vs1 three
# hours ago; the 3-minute relapse 90 minutes ago is a repeat (dedup), seen
# by the pass and the burn timer half an hour later (B-60 min): by then the
# 5-minute window is clean, so the fast row cannot breach, the slow one does
at $((B - 180 * MIN)) slowpoke operational degraded vendor_incident_id "'vs1'"
at $((B - 179 * MIN)) slowpoke degraded operational vendor_incident_id "'vs1'"
q "INSERT INTO status_events (service_id, kind, previous_status, new_status, vendor_incident_id, created_at)
   VALUES ('slowpoke', 'status', 'operational', 'degraded', 'vs1', '$(iso $((B - 90 * MIN)))'),
          ('slowpoke', 'status', 'degraded', 'operational', 'vs1', '$(iso $((B - 87 * MIN)))')"
once $((B - 60 * MIN))
# paged: 95 s degraded, announced
at $((B - 100000)) paged operational degraded
at $((B - 5000)) paged degraded operational
once "$B"
ok "slowpoke, paged, inherited: events decided and the burn table run at each instant"

# flappy: from B+10 min, 2 min degraded every 6 min for an hour, inside
# vendor incident vf; the burn table also runs every 5 minutes
next=$((B + 5 * MIN))
for ((c = 0; c < 10; c++)); do
	t=$((B + 10 * MIN + c * 6 * MIN))
	for ((k = 0; k < 2; k++)); do
		et=$((t + k * 2 * MIN))
		while [ "$next" -le "$et" ]; do
			once "$next"
			next=$((next + 5 * MIN))
		done
		if [ "$k" = 0 ]; then
			at "$et" flappy operational degraded vendor_incident_id "'vf'"
		else
			at "$et" flappy degraded operational vendor_incident_id "'vf'"
		fi
	done
done
while [ "$next" -le $((B + 75 * MIN)) ]; do
	once "$next"
	next=$((next + 5 * MIN))
done
ok "flappy: an hour of flapping, burn table every 5 minutes"

got=$(q "SELECT service_id || ' ' || alert_kind || ' ' || new_status || ' ' || severity || ' '
	|| COALESCE(suppressed_by, 'fired') FROM alert_sent_log
	WHERE service_id IN ('slowpoke', 'paged', 'flappy', 'inherited') ORDER BY id")
want="slowpoke status_change operational critical baseline
paged status_change operational important baseline
flappy status_change operational important baseline
inherited status_change major_outage important baseline
slowpoke status_change degraded critical fired
slowpoke status_change operational critical fired
slowpoke slo_burn_rate slo_fast_burn critical covered_by_status_alert
slowpoke status_change degraded critical dedup
slowpoke status_change operational critical recovery_not_announced
slowpoke slo_burn_rate slo_slow_burn important fired
paged status_change degraded important fired
paged status_change operational important fired
paged slo_burn_rate slo_fast_burn critical covered_by_status_alert
flappy status_change degraded important fired
flappy status_change operational important fired
flappy slo_burn_rate slo_fast_burn critical covered_by_status_alert
flappy status_change degraded important dedup
flappy status_change operational important recovery_not_announced
flappy slo_burn_rate slo_fast_burn critical fired"
for ((c = 2; c < 10; c++)); do
	want+="
flappy status_change degraded important dedup
flappy status_change operational important recovery_not_announced"
done
got_nb=$(printf '%s\n' "$got" | grep -v '^flappy slo_burn_rate slo_slow_burn')
[ "$got_nb" = "$want" ] ||
	t_fail "decisions differ:$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got_nb") | sed 's/^/ /')"
# flappy's slow row breaches too while the fast page stands: suppressed, never sent
slow=$(q "SELECT group_concat(suppressed_by, ' ') FROM alert_sent_log WHERE service_id = 'flappy'
	AND new_status = 'slo_slow_burn' ORDER BY id")
case $slow in
'' | *fired* | *batched*) t_fail "flappy's slow row: '$slow'" ;;
esac
ok "decisions exactly as expected (flappy's slow row: $slow)"

got=$(jq -s -c '
  map(select(.answered >= 200 and .answered < 300 and (.body | contains("SLO"))))
  | group_by(.path) | map({key: .[0].path, value: (sort_by(.seq) | map(
    if .path == "/generic" then "\(.json.kind) \(.json.service.id) \(.json.severity) mention=\(.json.mention) \(.json.burn.row)"
    elif .path == "/teams" then .json.attachments[0].content.body[0].text
    else {text: .json.text, here: (.body | contains("<!here>")), ack: (.body | contains("ack_alert"))}
    end))}) | from_entries' "$T_TMP/slack.jsonl" | jq -S .)
want=$(jq -S . <<'EOF'
{
 "/main": [
  {"text": "🔥 SLO Slow burn-rate alert: Slowpoke — 11.1× over 6h", "here": false, "ack": true},
  {"text": "🔥 SLO Fast burn-rate alert: Flappy — 66.7× over 1h", "here": true, "ack": true}
 ],
 "/generic": [
  "slo_burn_rate slowpoke important mention=false slow",
  "slo_burn_rate flappy critical mention=true fast"
 ],
 "/teams": [
  "🔥 SLO Slow burn-rate alert: Slowpoke — 11.1× over 6h",
  "🔥 SLO Fast burn-rate alert: Flappy — 66.7× over 1h"
 ]
}
EOF
)
[ "$got" = "$want" ] || t_fail "burn messages differ:$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/ /')"
[ "$(q "SELECT count(*) FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id
	WHERE a.alert_kind = 'slo_burn_rate' AND o.destination_kind = 'slack'")" = 2 ] ||
	t_fail "burn messages in the outbox: $(q "SELECT a.service_id, a.new_status FROM outbox o JOIN alert_sent_log a ON a.id = o.alert_id WHERE a.alert_kind = 'slo_burn_rate'")"
ok "burn messages: slowpoke's slow burn without mention, flappy's one page, nothing for paged or inherited"

sl_check_exactly_once
ok "each outbox row delivered exactly once"
