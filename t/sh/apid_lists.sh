#!/usr/bin/env bash
# apid_lists.sh: the list parameters of doc/scale.md#lists on a real bin/apid
# over the seeded database. /api/services: category/status/tier as
# comma-separated lists, q as a case-insensitive part of the name or id,
# fields (id always), limit + cursor walking every page exactly once in the
# list's order with the counts over all matches, 422 on a bad status, field,
# cursor or limit, and the default answer unchanged. ?worst=N on the summary,
# uptime, SLA, SLA history and SLO: the N worst rows, the totals over all,
# and the history's daily means over every service.
set -u
. "$(dirname "$0")/apid_lib.sh"
apid_setup
apid_start
apid_seed

get() { curl -sS "$APID$1"; }
code() { curl -sS -o /dev/null -w '%{http_code}' "$APID$1"; }
eq() { t_assert_eq "$1" "$2" "$3"; }

full=$(get /api/services)
eq "$(jq -c '[(.data | keys), (.meta | keys)]' <<<"$full")" \
	'[["degraded_count","healthy_count","outage_count","services","total","unknown_count"],["category_filter"]]' \
	"default shape"
n=$(jq '.data.total' <<<"$full")
[ "$n" -ge 5 ] || t_fail "seed too small: $n services"

# Filters.
eq "$(get '/api/services?category=networking,engineering' | jq -c '[.data.services[].category] | unique')" \
	'["engineering","networking"]' "category list"
eq "$(get '/api/services?status=major_outage,degraded' | jq -c '[.data.services[].effective_status] | unique')" \
	"$(jq -c '[.data.services[].effective_status | select(. == "major_outage" or . == "degraded")] | unique' <<<"$full")" \
	"status list (effective status)"
eq "$(get '/api/services?status=unknown' | jq -c '[.data.services[].id] | sort')" \
	"$(jq -c '[.data.services[] | select(.effective_status == "unknown") | .id] | sort' <<<"$full")" "status=unknown"
eq "$(get '/api/services?tier=critical' | jq -c '[.data.services[].tier] | unique')" '["critical"]' "tier"
eq "$(get '/api/services?q=GiT' | jq -c '[.data.services[].id]')" '["github"]' "q is case-insensitive"
eq "$(get '/api/services?q=identity-prov' | jq -c '[.data.services[].id]')" '["identity-provider"]' "q matches the id"
eq "$(get '/api/services?q=zzz' | jq -c '[.data.total, (.data.services | length)]')" '[0,0]' "q matches nothing"
eq "$(get '/api/services?q=' | jq '.data.total')" "$n" "empty q matches all"
eq "$(get '/api/services?status=operational&q=p' | jq -c '[.data.services[] | select(.effective_status != "operational" or (.display_name + .id | ascii_downcase | contains("p") | not))] | length')" \
	0 "filters combine"
eq "$(get '/api/services?fields=display_name,effective_status' | jq -c '[.data.services[] | keys] | unique')" \
	'[["display_name","effective_status","id"]]' "fields (id always)"
eq "$(get '/api/services?fields=effective_status' | jq -c '.data.degraded_count')" \
	"$(jq -c '.data.degraded_count' <<<"$full")" "fields keeps the counts"

# Paging: every page in order, each service once, counts over all matches.
cursor= pages=0 ids=()
while :; do
	page=$(get "/api/services?limit=2${cursor:+&cursor=$cursor}")
	eq "$(jq '.data.total' <<<"$page")" "$n" "page total is over all matches"
	eq "$(jq '.meta.limit' <<<"$page")" 2 "meta.limit"
	mapfile -t -O "${#ids[@]}" ids < <(jq -r '.data.services[].id' <<<"$page")
	pages=$((pages + 1))
	cursor=$(jq -r '.meta.next_cursor // empty' <<<"$page")
	[ -n "$cursor" ] || break
	[ "$pages" -le "$n" ] || t_fail "paging does not end"
done
eq "$(printf '%s\n' "${ids[@]}" | jq -R . | jq -sc .)" "$(jq -c '[.data.services[].id]' <<<"$full")" "pages = the full list"
eq "$pages" $(((n + 1) / 2)) "page count"
eq "$(get "/api/services?limit=2&status=operational" | jq '.data.healthy_count')" \
	"$(jq '.data.healthy_count' <<<"$full")" "counts of a filtered page"

# Refusals.
for bad in 'status=fine' 'status=operational,' 'fields=display_name,nope' 'cursor=nope' 'limit=two'; do
	eq "$(code "/api/services?$bad")" 422 "$bad"
done
eq "$(get '/api/services?limit=0' | jq '.data.services | length')" 1 "limit clamps to 1"

# worst=N.
sum=$(get /api/summary)
eq "$(get '/api/summary?worst=1' | jq -c '[(.data.active_incidents | length), .data.active_incidents_total, .data.active_incidents[0].service.id]')" \
	"$(jq -c '[1, (.data.active_incidents | length), .data.active_incidents[0].service.id]' <<<"$sum")" "summary worst=1"
eq "$(jq 'has("active_incidents_total")' <<<"$sum")" false "summary without worst is unchanged"
slo=$(get /api/services/slo)
eq "$(get '/api/services/slo?worst=2' | jq -c '[.data.services[].error_budget_remaining_pct, .data.services_total]')" \
	"$(jq -c '[(.data.services | sort_by([(.error_budget_remaining_pct == null), .error_budget_remaining_pct]) | .[0:2][].error_budget_remaining_pct), (.data.services | length)]' <<<"$slo")" \
	"slo worst=2 (no figure yet sorts last)"
sla=$(get /api/services/sla)
eq "$(get '/api/services/sla?worst=1' | jq -c '[(.data.services | to_entries[0].value.uptime_30d), .data.services_total]')" \
	"$(jq -c '[([.data.services[].uptime_30d | select(. != null)] | min), (.data.services | length)]' <<<"$sla")" "sla worst=1"
eq "$(get '/api/services/uptime?worst=1' | jq -c '.data.services | keys')" \
	"$(get /api/services/uptime | jq -c '{"major_outage": 4, "partial_outage": 3, "degraded": 2} as $r |
		[.data.services | to_entries | sort_by(-([.value[] | $r[.] // 0] | add)) | .[0].key]')" \
	"uptime worst=1"
hist=$(get '/api/services/sla/history?days=7')
w=$(get '/api/services/sla/history?days=7&worst=2')
eq "$(jq '.data.services | length' <<<"$w")" 2 "history worst=2 rows"
eq "$(jq '.data.services_total' <<<"$w")" "$(jq '.data.services | length' <<<"$hist")" "history services_total"
eq "$(jq -c '[.data.aggregate[].mean_uptime]' <<<"$w")" \
	"$(jq -c '[.data.days[] as $d | [.data.services[][] | select(.date == $d) | .uptime | select(. != null)] | if length > 0 then (add / length * 100 | round / 100) else null end]' <<<"$hist")" \
	"history daily means over every service"
eq "$(jq -c '.data.services | keys' <<<"$w")" \
	"$(jq -c '[.data.services | to_entries | map({k: .key, m: ([.value[].uptime | select(. != null)] | add / length)}) | sort_by(.m) | .[0:2][].k] | sort' <<<"$hist")" \
	"history keeps the lowest means"
eq "$(code '/api/summary?worst=none')" 422 "worst must be a number"
echo "ok: filters, fields, $pages pages, refusals, worst=N on 5 routes"
