# t/fault_lib.sh -- what the t/sh/fault_*.sh scripts share (source it after
# t/lib.sh). Each fault script runs the real daemons against fakevendor and
# fakeslack on a database of its own, injects one fault, and counts what
# doc/faults.md promises about it:
#
#   f_setup N               fakevendor with pages f1..fN (all "none"), fakeslack,
#                           configuration in $T_TMP/itstatus.yaml, database $FDB;
#                           exports the short intervals the scripts rely on
#   f_page ID INDICATOR     set service ID's page (none|minor|major|critical)
#   f_start D [NAME]        start bin/D (pollerd|alertd|apid) as NAME (default D)
#   f_q SQL                 sqlite3 on $FDB, waiting up to 5 s for a lock
#   f_events                status events committed, baselines left out
#   f_decisions             those events that alertd decided (alert_sent_log)
#   f_deliveries            outbox rows delivered
#   f_report CHANGES        print the counts and the losses (CHANGES - events)
#
# The variables VURL (fakevendor), SURL (fakeslack) and APID_URL (after
# f_start apid) are set for the scripts.

# apid_start, slack_sign
. "$ITSTATUS_ROOT/t/sh/apid_lib.sh"

FDB=$T_TMP/itstatus.db
F_T0=$(t_ms)

ok() { printf 'ok - %s [%d ms]\n' "$*" $(($(t_ms) - F_T0)); }

f_ctl() { # f_ctl ENDPOINT JSON
	local body
	body=$(t_http POST "$VURL/_control/$1" "$2")
	[ "$(t_http_code)" = 200 ] || t_fail "control $1 $2 -> $(t_http_code) $body"
}

f_page() {
	f_ctl payload "$(jq -cn --arg p "/$1.json" --arg ind "$2" '{path: $p, body: ({
		page: {id: "p1", name: "Fake"},
		status: {indicator: $ind, description: ("indicator " + $ind)},
		components: [], incidents: [], scheduled_maintenances: []} | tojson)}')"
}

f_setup() {
	local n=$1 i
	t_fake vendor fakevendor
	VURL=$T_URL
	t_fake slack fakeslack --log "$T_TMP/slack.jsonl"
	SURL=$T_URL
	for ((i = 1; i <= n; i++)); do f_page "f$i" none; done
	cat >"$T_TMP/itstatus.yaml" <<EOF
database_path: itstatus.db
web_root: $T_TMP
EOF
	{
		echo "services:"
		for ((i = 1; i <= n; i++)); do
			printf '  - {id: f%d, display_name: F%d, category: other, tier: important, poll_type: statuspage_json, poll_url: "%s/f%d.json"}\n' \
				"$i" "$i" "$VURL" "$i"
		done
	} >"$T_TMP/services.yaml"
	echo "dependencies: {}" >"$T_TMP/dependencies.yaml"
	export POLL_INTERVAL_SECONDS=2 ALERT_CONFIRM_THRESHOLD_POLLS=2 \
		ALERT_RECOVERY_THRESHOLD_POLLS=2 ALERT_MIN_STATE_DURATION_SECONDS=0 \
		HTTP_TIMEOUT_SECONDS=2 HTTP_CONNECT_TIMEOUT_SECONDS=1 HTTP_RETRY_ATTEMPTS=1 \
		HEARTBEAT_INTERVAL_SECONDS=1 METRICS_FLUSH_SECONDS=1 SLACK_MIN_INTERVAL_MS=20 \
		SLACK_WEBHOOK_URL=$SURL/main LOG_JSON=true LOG_LEVEL=INFO \
		ADMIN_API_TOKEN=fault-token
	unset POLLER_HEALTH_SLACK_WEBHOOK_URL ITSTATUS_FAKE_NOW_MS DATABASE_PATH
}

f_start() {
	local d=$1 name=${2:-$1}
	if [ "$d" = apid ]; then
		# pollerd creates the database (apid_start would make one itself).
		t_wait_for 10 f_has_schema || t_fail "no database at $FDB for apid"
		DB=$FDB apid_start "$name"
		APID_URL=$APID
	else
		t_start "$name" "$ITSTATUS_BIN/$d" -f "$T_TMP/itstatus.yaml"
	fi
}

f_has_schema() { [ "$(sqlite3 -cmd '.timeout 1000' "$FDB" 'PRAGMA user_version' 2>/dev/null || echo 0)" -gt 0 ]; }

f_q() { sqlite3 -cmd '.timeout 5000' "$FDB" "$1"; }

f_events() {
	f_q "SELECT count(*) FROM status_events WHERE kind = 'status' AND is_baseline = 0"
}

f_decisions() {
	f_q "SELECT count(DISTINCT status_event_id) FROM alert_sent_log WHERE status_event_id IN
	     (SELECT id FROM status_events WHERE kind = 'status' AND is_baseline = 0)"
}

f_deliveries() { f_q "SELECT count(*) FROM outbox WHERE state = 'sent'"; }

f_report() {
	local changes=$1 ev dec del
	ev=$(f_events)
	dec=$(f_decisions)
	del=$(f_deliveries)
	printf 'counted: changes made %s, events committed %s, decisions %s, deliveries %s, losses %s\n' \
		"$changes" "$ev" "$dec" "$del" $((changes - ev))
}
