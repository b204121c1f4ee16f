#!/usr/bin/env bash
# t/sh/units.sh: the service definitions are valid and start what they claim.
#
# launchd/*.plist: xmllint validates each against t/support/plist-1.0.dtd (a
# local copy of the plist grammar: plistutil exits 0 on broken input, and
# Apple's DTD URL cannot be fetched); the keys launchd needs have the values
# doc/operations.md documents; each daemon's ProgramArguments + EnvironmentVariables,
# pointed at the built binaries and the tree's etc/itstatus.yaml, pass `-n`.
# etc/systemd/*: `systemd-analyze verify` on copies whose ExecStart points at
# the built binaries (verify fails when the binary is missing). verify exits 0
# on unknown keys and unparsable values, so its stderr is searched for
# "Unknown key|Failed to parse|ignoring"; each ExecStart + Environment passes
# `-n`; `systemd-analyze security --offline` must stay at exposure <= 2.0.
# Both checks are first shown to fail on a deliberately broken copy.
# Caddy (the TLS front end, launchd/com.itstatus.caddy.plist and
# etc/systemd/itstatus-caddy.service): the same plist and unit checks, and
# `caddy validate` of etc/caddy/Caddyfile in each one's environment stands in
# for the daemons' `-n` (shown to fail on a broken Caddyfile first).
#
# Needs: xmllint (Debian libxml2-utils), systemd-analyze (Debian systemd),
# caddy (Debian caddy).
# Environment (set by t/run): ITSTATUS_ROOT, ITSTATUS_BIN, T_TMP.
# ok() cannot fail, so `A && ok ... || fail ...` is an if/else here.
# shellcheck disable=SC2015
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ITSTATUS_ROOT:-$(cd "$here/../.." && pwd)}
BIN=${ITSTATUS_BIN:-$ROOT/bin}
TMP=${T_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/itstatus-units.XXXXXX")}
DTD=$ROOT/t/support/plist-1.0.dtd
DAEMONS="pollerd alertd apid"
CONF=/usr/local/etc/itstatus/itstatus.yaml
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

for tool in xmllint:libxml2-utils systemd-analyze:systemd caddy:caddy; do
	if ! command -v "${tool%%:*}" >/dev/null; then
		echo "FAIL: ${tool%%:*} not found: install the Debian package ${tool#*:} (make deps-test)"
		exit 1
	fi
done
for d in $DAEMONS; do
	[ -x "$BIN/$d" ] || { echo "FAIL: $BIN/$d not built"; exit 1; }
done

# ---- launchd ----------------------------------------------------------------

# xmllint's verdict on one plist; prints its messages except the harmless
# "cannot fetch Apple's DTD" warning. Returns xmllint's exit code.
plist_valid() {
	local out rc
	out=$(xmllint --noout --nonet --dtdvalid "$DTD" "$1" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -vE 'apple\.com/DTDs|Attempt to load network entity|^C "-//Apple|^ *\^$' |
		grep -v '^$' | sed 's/^/    /'
	return $rc
}

# Value of a top-level key: string(value) for scalars, "true"/"false" for booleans.
pval() {
	local f=$1 key=$2 node
	node="/plist/dict/key[.='$key']/following-sibling::*[1]"
	case $(xmllint --nonet --xpath "name($node)" "$f" 2>/dev/null) in
	true | false) xmllint --nonet --xpath "name($node)" "$f" 2>/dev/null ;;
	*) xmllint --nonet --xpath "string($node)" "$f" 2>/dev/null ;;
	esac
}

# Elements of an array value, one per line.
parray() {
	local f=$1 key=$2 n i
	n=$(xmllint --nonet --xpath "count(/plist/dict/key[.='$key']/following-sibling::*[1]/string)" "$f" 2>/dev/null)
	for ((i = 1; i <= ${n:-0}; i++)); do
		# $(...) drops the newline some libxml2 versions print and others do not.
		printf '%s\n' "$(xmllint --nonet --xpath "string(/plist/dict/key[.='$key']/following-sibling::*[1]/string[$i])" "$f" 2>/dev/null)"
	done
}

# KEY=value lines of a dict value.
pdict() {
	local f=$1 key=$2 n i base
	base="/plist/dict/key[.='$key']/following-sibling::*[1]"
	n=$(xmllint --nonet --xpath "count($base/key)" "$f" 2>/dev/null)
	for ((i = 1; i <= ${n:-0}; i++)); do
		printf '%s=%s\n' \
			"$(xmllint --nonet --xpath "string($base/key[$i])" "$f" 2>/dev/null)" \
			"$(xmllint --nonet --xpath "string($base/key[$i]/following-sibling::*[1])" "$f" 2>/dev/null)"
	done
}

expect() { # expect LABEL GOT WANT
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got \"$2\", want \"$3\""; fi
}

# Run a daemon command line (array) with `-n` appended, binaries and the config
# file swapped for the tree's, in an environment holding only PATH, HOME and
# the given KEY=value pairs (so the caller's own settings cannot mask a bad one).
check_cmdline() { # check_cmdline LABEL ENVFILE ARG...
	local label=$1 envfile=$2
	shift 2
	local args=() a
	for a in "$@"; do
		case $a in
		/usr/local/bin/*) a=$BIN/${a#/usr/local/bin/} ;;
		"$CONF") a=$ROOT/etc/itstatus.yaml ;;
		esac
		args+=("$a")
	done
	local envs=()
	while IFS= read -r a; do [ -n "$a" ] && envs+=("$a"); done <"$envfile"
	local out
	if out=$(env -i PATH="$PATH" HOME="${HOME:-/}" "${envs[@]}" "${args[@]}" -n 2>&1); then
		ok "$label: $(basename "${args[0]}") ${args[*]:1} -n with its environment: $out"
	else
		fail "$label: ${args[*]} -n failed with its environment (${envs[*]}):"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

# `caddy validate` of the tree's Caddyfile with the KEY=value pairs of ENVFILE,
# Caddy's state redirected into $TMP (the units' state folders do not exist here).
check_caddy() { # check_caddy LABEL ENVFILE [CADDYFILE]
	local label=$1 envfile=$2 cf=${3:-$ROOT/etc/caddy/Caddyfile} a envs=() out
	while IFS= read -r a; do
		case $a in HOME=* | XDG_DATA_HOME=* | XDG_CONFIG_HOME=* | '') continue ;; esac
		envs+=("$a")
	done <"$envfile"
	mkdir -p "$TMP/caddy-state"
	if out=$(env -i PATH="$PATH" HOME="$TMP/caddy-state" XDG_DATA_HOME="$TMP/caddy-state" \
		XDG_CONFIG_HOME="$TMP/caddy-state" "${envs[@]}" \
		caddy validate --config "$cf" --adapter caddyfile 2>&1); then
		ok "$label: caddy validate with its environment: $(printf '%s\n' "$out" | tail -n 1)"
	else
		fail "$label: caddy validate failed with its environment (${envs[*]}):"
		printf '%s\n' "$out" | grep -v '"level":"info"' | sed 's/^/    /'
	fi
}

echo "== launchd plists (xmllint --dtdvalid $DTD)"
[ -f "$DTD" ] || { echo "FAIL: $DTD missing"; exit 1; }
mkdir -p "$TMP/plist"

# The check must be able to fail: a dangling key and broken XML are rejected.
good=$ROOT/launchd/com.itstatus.pollerd.plist
sed 's|^</dict>$|	<key>Oops</key>\n</dict>|' "$good" >"$TMP/plist/dangling-key.plist"
sed '0,/<\/array>/s|</array>||' "$good" >"$TMP/plist/malformed.plist"
sed 's|<integer>10</integer>|<int>10</int>|' "$good" >"$TMP/plist/unknown-element.plist"
for bad in dangling-key malformed unknown-element; do
	if cmp -s "$good" "$TMP/plist/$bad.plist"; then
		fail "could not build the broken copy $bad.plist (the sed no longer matches)"
	elif plist_valid "$TMP/plist/$bad.plist" >/dev/null; then
		fail "xmllint accepted the broken copy $bad.plist: the plist check proves nothing"
	else
		ok "xmllint rejects a broken copy ($bad)"
	fi
done

nplist=0
for f in "$ROOT"/launchd/*.plist; do
	nplist=$((nplist + 1))
	name=$(basename "$f" .plist)
	if plist_valid "$f"; then ok "$name.plist is a valid plist"; else fail "$name.plist is not a valid plist"; fi
	expect "$name Label" "$(pval "$f" Label)" "$name"
	expect "$name RunAtLoad" "$(pval "$f" RunAtLoad)" true
	expect "$name KeepAlive" "$(pval "$f" KeepAlive)" true
	expect "$name UserName" "$(pval "$f" UserName)" _itstatus
	expect "$name WorkingDirectory" "$(pval "$f" WorkingDirectory)" /usr/local/var/itstatus
	t=$(pval "$f" ThrottleInterval)
	[[ "$t" =~ ^[1-9][0-9]*$ ]] && ok "$name ThrottleInterval = $t" || fail "$name ThrottleInterval \"$t\" is not a positive integer"
done
[ "$nplist" -eq 5 ] || fail "expected 5 plists in launchd/, found $nplist"

for d in $DAEMONS; do
	f=$ROOT/launchd/com.itstatus.$d.plist
	[ -f "$f" ] || { fail "launchd/com.itstatus.$d.plist missing"; continue; }
	expect "$d ProgramArguments" "$(parray "$f" ProgramArguments | paste -sd' ')" \
		"/usr/local/bin/$d -f $CONF"
	expect "$d StandardErrorPath" "$(pval "$f" StandardErrorPath)" "/usr/local/var/log/itstatus/$d.log"
	pdict "$f" EnvironmentVariables >"$TMP/plist/$d.env"
	grep -qx 'LOG_JSON=true' "$TMP/plist/$d.env" && ok "$d LOG_JSON=true" || fail "$d: EnvironmentVariables lacks LOG_JSON=true"
	grep -qx 'DATABASE_PATH=/usr/local/var/itstatus/itstatus.db' "$TMP/plist/$d.env" &&
		ok "$d DATABASE_PATH" || fail "$d: EnvironmentVariables lacks DATABASE_PATH=/usr/local/var/itstatus/itstatus.db"
	mapfile -t argv < <(parray "$f" ProgramArguments)
	check_cmdline "launchd $d" "$TMP/plist/$d.env" "${argv[@]}"
done

c_plist=$ROOT/launchd/com.itstatus.caddy.plist
expect "caddy ProgramArguments" "$(parray "$c_plist" ProgramArguments | paste -sd' ')" \
	"/usr/local/bin/caddy run --config /usr/local/etc/itstatus/Caddyfile --adapter caddyfile"
expect "caddy StandardErrorPath" "$(pval "$c_plist" StandardErrorPath)" "/usr/local/var/log/itstatus/caddy.log"
pdict "$c_plist" EnvironmentVariables >"$TMP/plist/caddy.env"
grep -qx 'XDG_DATA_HOME=/usr/local/var/itstatus/caddy' "$TMP/plist/caddy.env" &&
	ok "caddy XDG_DATA_HOME" || fail "caddy: EnvironmentVariables lacks XDG_DATA_HOME=/usr/local/var/itstatus/caddy"
# The validation must be able to fail: an unknown directive is rejected.
sed 's/^\(\t*\)encode zstd gzip$/&\n\1bogus_directive on/' "$ROOT/etc/caddy/Caddyfile" >"$TMP/plist/Caddyfile.bad"
if cmp -s "$ROOT/etc/caddy/Caddyfile" "$TMP/plist/Caddyfile.bad"; then
	fail "could not build the broken Caddyfile (the sed no longer matches)"
elif (check_caddy bad "$TMP/plist/caddy.env" "$TMP/plist/Caddyfile.bad") | grep -q '^FAIL'; then
	ok "caddy validate rejects a broken Caddyfile"
else
	fail "caddy validate accepted a broken Caddyfile: the check proves nothing"
fi
check_caddy "launchd caddy" "$TMP/plist/caddy.env"

ls_plist=$ROOT/launchd/com.itstatus.litestream.plist
expect "litestream ProgramArguments" "$(parray "$ls_plist" ProgramArguments | sed -n '2,4p' | paste -sd' ')" \
	"replicate -config /usr/local/etc/itstatus/litestream.yml"
ls_db=$(sed -n 's/^ *- path: *//p' "$ROOT/launchd/litestream.yml.example" | head -n 1)
expect "litestream.yml.example database path (= the plists' DATABASE_PATH)" "$ls_db" /usr/local/var/itstatus/itstatus.db
if grep -qE '^[[:space:]]*(access-key-id|secret-access-key):' "$ROOT/launchd/litestream.yml.example"; then
	fail "litestream.yml.example carries credentials outside comments"
fi

# ---- systemd -----------------------------------------------------------------

BAD_RE='Unknown key|Failed to parse|ignoring|Unknown section|Invalid'
# Verify unit files; prints messages. Fails on a non-zero exit or a warning.
units_verify() {
	local err rc
	err=$( (cd "$(dirname "$1")" && systemd-analyze verify "$@") 2>&1 >/dev/null)
	rc=$?
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/    /'
	[ $rc -eq 0 ] && ! printf '%s\n' "$err" | grep -qE "$BAD_RE"
}

echo "== systemd units (systemd-analyze verify)"
U=$TMP/units
mkdir -p "$U/bad"
for f in "$ROOT"/etc/systemd/*.service "$ROOT"/etc/systemd/*.target; do
	sed "s|/usr/local/bin/|$BIN/|g" "$f" >"$U/$(basename "$f")"
done

# The check must be able to fail: an unknown key, a bad value, a missing binary.
cp "$U/itstatus-apid.service" "$U/bad/bogus-key.service"
sed -i 's/^\[Service\]$/[Service]\nBogusKey=1/' "$U/bad/bogus-key.service"
sed 's/^Restart=on-failure$/Restart=sometimes/' "$U/itstatus-apid.service" >"$U/bad/bad-value.service"
sed "s|^ExecStart=$BIN/apid|ExecStart=$TMP/no-such-binary|" "$U/itstatus-apid.service" >"$U/bad/no-binary.service"
for bad in bogus-key bad-value no-binary; do
	if cmp -s "$U/itstatus-apid.service" "$U/bad/$bad.service"; then
		fail "could not build the broken unit $bad.service (the sed no longer matches)"
	elif units_verify "$U/bad/$bad.service" >/dev/null 2>&1; then
		fail "the unit check accepted $bad.service: it proves nothing"
	else
		ok "the unit check rejects a broken unit ($bad)"
	fi
done

units=()
for d in $DAEMONS; do units+=("$U/itstatus-$d.service"); done
units+=("$U/itstatus-caddy.service" "$U/itstatus.target")
nunits=$(find "$ROOT/etc/systemd" -maxdepth 1 \( -name '*.service' -o -name '*.target' \) | wc -l)
[ "$nunits" -eq 5 ] || fail "expected 4 services and 1 target in etc/systemd, found $nunits unit files"
if units_verify "${units[@]}"; then
	ok "systemd-analyze verify: ${units[*]##*/}"
else
	fail "systemd-analyze verify reported problems (above)"
fi

# Every key doc/operations.md#systemd relies on, exactly (a plain grep: verify accepts them all).
for d in $DAEMONS; do
	f=$ROOT/etc/systemd/itstatus-$d.service
	# shellcheck disable=SC2016 # $MAINPID is systemd's, not ours
	for line in "Type=simple" "User=itstatus" "Group=itstatus" \
		"ExecStart=/usr/local/bin/$d -f $CONF" 'ExecReload=/bin/kill -HUP $MAINPID' \
		"Restart=on-failure" "PartOf=itstatus.target" "WantedBy=itstatus.target" \
		"WorkingDirectory=/var/lib/itstatus" "StateDirectory=itstatus" \
		"EnvironmentFile=-/usr/local/etc/itstatus/itstatus.env" \
		"Environment=DATABASE_PATH=/var/lib/itstatus/itstatus.db" \
		"NoNewPrivileges=yes" "ProtectSystem=strict" "ReadWritePaths=/var/lib/itstatus" \
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "MemoryDenyWriteExecute=yes"; do
		grep -qxF -- "$line" "$f" || fail "itstatus-$d.service lacks the line: $line"
	done
	ok "itstatus-$d.service has the documented settings"
	sed -n 's/^Environment=//p' "$f" >"$U/$d.env"
	read -r -a argv <<<"$(sed -n 's/^ExecStart=//p' "$f")"
	check_cmdline "systemd $d" "$U/$d.env" "${argv[@]}"
	if out=$(systemd-analyze security --offline=true --threshold=20 "$U/itstatus-$d.service" 2>&1); then
		ok "itstatus-$d.service: $(printf '%s\n' "$out" | grep -o 'Overall exposure level.*')"
	else
		fail "itstatus-$d.service exposure above 2.0:"
		printf '%s\n' "$out" | grep -E '✗|Overall' | sed 's/^/    /'
	fi
done
f=$ROOT/etc/systemd/itstatus-caddy.service
for line in "Type=notify" "DynamicUser=yes" "PartOf=itstatus.target" "WantedBy=itstatus.target" \
	"ExecStart=/usr/bin/caddy run --config /usr/local/etc/itstatus/Caddyfile --adapter caddyfile" \
	"StateDirectory=itstatus-caddy" "Environment=XDG_DATA_HOME=/var/lib/itstatus-caddy" \
	"EnvironmentFile=-/usr/local/etc/itstatus/caddy.env" "AmbientCapabilities=CAP_NET_BIND_SERVICE" \
	"CapabilityBoundingSet=CAP_NET_BIND_SERVICE" "NoNewPrivileges=yes" "ProtectSystem=strict"; do
	grep -qxF -- "$line" "$f" || fail "itstatus-caddy.service lacks the line: $line"
done
ok "itstatus-caddy.service has the documented settings"
sed -n 's/^Environment=//p' "$f" >"$U/caddy.env"
check_caddy "systemd caddy" "$U/caddy.env"
if out=$(systemd-analyze security --offline=true --threshold=20 "$U/itstatus-caddy.service" 2>&1); then
	ok "itstatus-caddy.service: $(printf '%s\n' "$out" | grep -o 'Overall exposure level.*')"
else
	fail "itstatus-caddy.service exposure above 2.0:"
	printf '%s\n' "$out" | grep -E '✗|Overall' | sed 's/^/    /'
fi
grep -qx 'WantedBy=multi-user.target' "$ROOT/etc/systemd/itstatus.target" &&
	ok "itstatus.target WantedBy=multi-user.target" || fail "itstatus.target is not WantedBy=multi-user.target"

echo
if [ "$fails" -gt 0 ]; then
	echo "units.sh: $fails failure(s)"
	exit 1
fi
echo "units.sh: all checks passed"
