#!/usr/bin/env bash
# keychain.sh: secrets from the macOS Keychain (NAME_KEYCHAIN=service[/account])
# with the stand-in `security` command (t/fakesecurity/security) first on PATH.
# apid started with ADMIN_API_TOKEN_KEYCHAIN gets its token (admin requests
# with it pass authentication); after the item changes, SIGHUP brings in the
# new token; after the item is deleted, SIGHUP is rejected with a clear message
# and the previous token stays; a daemon whose item is missing refuses to start
# (exit 1, the item named); the value never appears in any log. A per-service
# webhook token (WEBHOOK_TOKEN_GITHUB_KEYCHAIN) authenticates webhooks too.
set -u
. "$(dirname "$0")/apid_lib.sh"

KC=$T_TMP/keychain
export FAKE_KEYCHAIN=$KC PATH="$ITSTATUS_ROOT/t/fakesecurity:$PATH"
TOK1=kc-token-$RANDOM-first
TOK2=kc-token-$RANDOM-second
HOOK=kc-hook-$RANDOM-github
printf 'itstatus\tadmin\t%s\nitstatus\tother\tunrelated\nitstatus\twebhook_github\t%s\n' "$TOK1" "$HOOK" >"$KC"

apid_setup
unset ADMIN_API_TOKEN ADMIN_API_TOKEN_FILE
export ADMIN_API_TOKEN_KEYCHAIN=itstatus/admin
# A per-service webhook token (apid reads those by name at request time).
export WEBHOOKS_ENABLED=true WEBHOOK_TOKEN_GITHUB_KEYCHAIN=itstatus/webhook_github

admin() { # admin TOKEN -> status of POST /api/admin/status with an empty object
	curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $1" --data '{}' "$APID/api/admin/status"
}

# ---- a missing item: the daemon refuses to start -----------------------------
for d in apid pollerd alertd; do
	rc=0
	ADMIN_API_TOKEN_KEYCHAIN=itstatus/nobody "$ITSTATUS_BIN/$d" -f "$T_TMP/itstatus.yaml" \
		>"$T_TMP/refuse-$d.log" 2>&1 || rc=$?
	t_assert_eq "$rc" 1 "$d with a missing keychain item: exit status"
	grep -q "ADMIN_API_TOKEN_KEYCHAIN=itstatus/nobody: no such item in the keychain (security exit 44" \
		"$T_TMP/refuse-$d.log" || t_fail "$d: no clear message: $(cat "$T_TMP/refuse-$d.log")"
	grep -q 'configuration is invalid' "$T_TMP/refuse-$d.log" || t_fail "$d did not say it refuses"
done
echo "ok: apid, pollerd and alertd refuse to start when the item is missing: $(head -n 1 "$T_TMP/refuse-apid.log")"
# And `-n` says the same without starting anything.
rc=0
ADMIN_API_TOKEN_KEYCHAIN=itstatus/nobody "$ITSTATUS_BIN/apid" -n -f "$T_TMP/itstatus.yaml" >/dev/null 2>&1 || rc=$?
t_assert_eq "$rc" 1 "apid -n with a missing keychain item"

# ---- the item exists: the daemon gets the secret -----------------------------
apid_start
apid_seed
t_assert_eq "$(admin "$TOK1")" 422 "admin with the keychain's token (422 = past authentication)"
t_assert_eq "$(admin wrong)" 403 "admin with another token"
grep -q -- '-w -s itstatus -a admin' "$KC.calls" || t_fail "security was not asked: $(cat "$KC.calls" 2>/dev/null)"
echo "ok: apid started with ADMIN_API_TOKEN_KEYCHAIN=itstatus/admin uses the item's password"
hook() { # hook TOKEN -> status of a Statuspage webhook for github with that token
	curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
		--data '{"meta":{}}' "$APID/api/webhooks/statuspage/github/$1"
}
t_assert_eq "$(hook "$HOOK")" 200 "webhook with WEBHOOK_TOKEN_GITHUB from the keychain"
t_assert_eq "$(hook wrong-token)" 403 "webhook with another token"
echo "ok: WEBHOOK_TOKEN_GITHUB_KEYCHAIN=itstatus/webhook_github authenticates the webhook"

# ---- SIGHUP reads the keychain again -----------------------------------------
calls=$(wc -l <"$KC.calls")
printf 'itstatus\tadmin\t%s\nitstatus\twebhook_github\t%s\n' "$TOK2" "$HOOK" >"$KC"
kill -HUP "$(t_pid apid)"
admin_is() { [ "$(admin "$1")" = "$2" ]; }
t_wait_for 10 admin_is "$TOK2" 422 || t_fail "the rotated token was not taken on SIGHUP"
t_assert_eq "$(admin "$TOK1")" 403 "the old token after the reload"
[ "$(wc -l <"$KC.calls")" -gt "$calls" ] || t_fail "SIGHUP did not ask security again"
echo "ok: SIGHUP took the rotated token from the keychain"

# ---- SIGHUP with the item gone: rejected, the running token stays -----------
: >"$KC"
kill -HUP "$(t_pid apid)"
t_wait_for 10 grep -q 'reload failed; still running on the previous configuration' "$T_TMP/apid.log" ||
	t_fail "no rejected reload in the log"
grep -q 'ADMIN_API_TOKEN_KEYCHAIN=itstatus/admin: no such item in the keychain' "$T_TMP/apid.log" ||
	t_fail "the rejected reload does not say why"
t_assert_eq "$(admin "$TOK2")" 422 "the token in use after a rejected reload"
kill -0 "$(t_pid apid)" || t_fail "apid died on a rejected reload"
echo "ok: with the item deleted, SIGHUP is rejected and apid keeps its token"

# ---- the value is never logged -----------------------------------------------
t_stop apid || true
for f in "$T_TMP"/apid.log "$T_TMP"/refuse-*.log; do
	if grep -qE "$TOK1|$TOK2|$HOOK|unrelated" "$f"; then t_fail "a secret appears in $(basename "$f")"; fi
done
echo "ok: no secret in any log ($(cat "$T_TMP"/apid.log "$T_TMP"/refuse-*.log | wc -l) lines checked)"
echo "keychain.sh: all checks passed"
