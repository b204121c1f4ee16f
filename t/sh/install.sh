#!/usr/bin/env bash
# t/sh/install.sh: `make install` lays out a working installation.
#
# Runs the tree's real `make install` into DESTDIR=$T_TMP/root (PREFIX
# /usr/local) with BIN pointing at the already-built $ITSTATUS_BIN (install
# never builds), checks the layout, and runs every installed daemon with
# `-n -f <installed itstatus.yaml>`: the installed config must find the
# installed services.yaml / dependencies.yaml and pass. Then: a second install
# keeps a locally edited config; PREFIX=/opt/itstatus rewrites the paths in
# units and plists; a missing binary stops the install.
#
# Environment (set by t/run): ITSTATUS_ROOT, ITSTATUS_BIN, T_TMP.
# ITSTATUS_MAKEFILE: optional, run that makefile instead of the tree's
# (to try a rule before it is merged); the test is only meaningful without it.
# ok() cannot fail, so `A && ok ... || fail ...` is an if/else here.
# shellcheck disable=SC2015
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ITSTATUS_ROOT:-$(cd "$here/../.." && pwd)}
BIN=${ITSTATUS_BIN:-$ROOT/bin}
TMP=${T_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/itstatus-install.XXXXXX")}
DAEMONS="pollerd alertd apid"
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

for d in $DAEMONS; do
	[ -x "$BIN/$d" ] || { echo "FAIL: $BIN/$d not built"; exit 1; }
done

# The settings the daemons read from the environment must not leak in from
# the caller: run make and the daemons with a minimal environment.
clean_env() { env -i PATH="$PATH" HOME="${HOME:-/}" "$@"; }
run_install() { # run_install DESTDIR PREFIX [BIN]
	clean_env make --no-print-directory -C "$ROOT" ${ITSTATUS_MAKEFILE:+-f "$ITSTATUS_MAKEFILE"} \
		install DESTDIR="$1" PREFIX="$2" BIN="${3:-$BIN}"
}

echo "== make install DESTDIR=$TMP/root PREFIX=/usr/local"
D=$TMP/root
P=$D/usr/local
if ! run_install "$D" /usr/local >"$TMP/install1.log" 2>&1; then
	cat "$TMP/install1.log"
	echo "FAIL: make install exited non-zero"
	exit 1
fi
sed 's/^/    /' "$TMP/install1.log"
if [ ! -e "$P/bin/pollerd" ]; then
	echo "FAIL: make install did not install bin/pollerd (is the install rule in the Makefile?)"
	exit 1
fi

for d in $DAEMONS; do
	[ -x "$P/bin/$d" ] && cmp -s "$BIN/$d" "$P/bin/$d" && ok "bin/$d" || fail "bin/$d missing or not $BIN/$d"
done
for f in "$ROOT"/schema/*.sql; do
	cmp -s "$f" "$P/share/itstatus/schema/$(basename "$f")" && ok "share/itstatus/schema/$(basename "$f")" ||
		fail "share/itstatus/schema/$(basename "$f") missing or different"
done
for f in itstatus.yaml services.yaml dependencies.yaml Caddyfile; do
	[ -f "$P/etc/itstatus/$f" ] && ok "etc/itstatus/$f" || fail "etc/itstatus/$f missing"
	[ -f "$P/share/itstatus/examples/$f" ] && ok "share/itstatus/examples/$f" || fail "share/itstatus/examples/$f missing"
done
[ -f "$P/share/itstatus/examples/itstatus.env.example" ] && ok "share/itstatus/examples/itstatus.env.example" ||
	fail "share/itstatus/examples/itstatus.env.example missing"
for f in "$ROOT"/etc/*.local.yaml; do
	[ -e "$f" ] || continue
	[ -e "$P/etc/itstatus/$(basename "$f")" ] && fail "a developer's $(basename "$f") was installed"
done
if grep -qE '^web_root: \.\./\.\./share/itstatus/web( |$)' "$P/etc/itstatus/itstatus.yaml"; then
	ok "installed itstatus.yaml: $(grep '^web_root:' "$P/etc/itstatus/itstatus.yaml")"
else
	fail "installed itstatus.yaml does not point web_root at ../../share/itstatus/web: $(grep '^web_root:' "$P/etc/itstatus/itstatus.yaml")"
fi
# Apart from web_root the installed config is the tree's.
if diff <(grep -v '^web_root:' "$ROOT/etc/itstatus.yaml") <(grep -v '^web_root:' "$P/etc/itstatus/itstatus.yaml") >/dev/null; then
	ok "installed itstatus.yaml differs from etc/itstatus.yaml only in web_root"
else
	fail "installed itstatus.yaml differs from etc/itstatus.yaml beyond web_root"
fi
for f in "$ROOT"/etc/systemd/*.service "$ROOT"/etc/systemd/*.target; do
	cmp -s "$f" "$P/lib/systemd/system/$(basename "$f")" && ok "lib/systemd/system/$(basename "$f")" ||
		fail "lib/systemd/system/$(basename "$f") missing or different"
done
for f in "$ROOT"/launchd/*.plist "$ROOT"/launchd/litestream.yml.example; do
	cmp -s "$f" "$P/share/itstatus/launchd/$(basename "$f")" && ok "share/itstatus/launchd/$(basename "$f")" ||
		fail "share/itstatus/launchd/$(basename "$f") missing or different"
done
if [ -f "$ROOT/web/dist/index.html" ]; then
	if diff -r "$ROOT/web/dist" "$P/share/itstatus/web" >/dev/null; then
		ok "share/itstatus/web = web/dist"
	else
		fail "share/itstatus/web differs from web/dist"
	fi
else
	echo "note: web/dist not built, dashboard install not checked"
fi
bad_modes=$(find "$D" -type f ! -perm -0444 -o -type f -perm -0002)
[ -z "$bad_modes" ] && ok "installed files are world-readable, none world-writable" ||
	fail "bad file modes: $bad_modes"

echo "== installed daemons: -n -f $P/etc/itstatus/itstatus.yaml"
want=$(clean_env "$BIN/pollerd" -n -f "$ROOT/etc/itstatus.yaml" 2>&1 | sed 's/^pollerd: //')
for d in $DAEMONS; do
	if out=$(clean_env "$P/bin/$d" -n -f "$P/etc/itstatus/itstatus.yaml" 2>&1); then
		ok "$out"
		[ "${out#"$d: "}" = "$want" ] || fail "$d: installed config loads \"${out#"$d: "}\", the tree's \"$want\""
	else
		fail "$P/bin/$d -n -f $P/etc/itstatus/itstatus.yaml exited non-zero:"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done

echo "== a second install keeps local edits in etc/itstatus"
printf '# local edit\n' >>"$P/etc/itstatus/itstatus.yaml"
printf '# local edit\n' >>"$P/etc/itstatus/services.yaml"
if run_install "$D" /usr/local >"$TMP/install2.log" 2>&1; then
	tail -n 1 "$P/etc/itstatus/itstatus.yaml" | grep -qx '# local edit' &&
		tail -n 1 "$P/etc/itstatus/services.yaml" | grep -qx '# local edit' &&
		ok "edited etc/itstatus/*.yaml kept" || fail "make install overwrote an edited config file"
	grep -q '# local edit' "$P/share/itstatus/examples/itstatus.yaml" &&
		fail "share/itstatus/examples/itstatus.yaml is not the pristine sample" ||
		ok "share/itstatus/examples keeps the pristine samples"
else
	cat "$TMP/install2.log"
	fail "second make install exited non-zero"
fi

echo "== make install PREFIX=/opt/itstatus"
D2=$TMP/root2
P2=$D2/opt/itstatus
if run_install "$D2" /opt/itstatus >"$TMP/install3.log" 2>&1; then
	for d in $DAEMONS; do
		grep -qxF "ExecStart=/opt/itstatus/bin/$d -f /opt/itstatus/etc/itstatus/itstatus.yaml" \
			"$P2/lib/systemd/system/itstatus-$d.service" && ok "itstatus-$d.service ExecStart under /opt/itstatus" ||
			fail "itstatus-$d.service ExecStart not rewritten for PREFIX=/opt/itstatus"
		grep -qF "<string>/opt/itstatus/bin/$d</string>" "$P2/share/itstatus/launchd/com.itstatus.$d.plist" &&
			ok "com.itstatus.$d.plist ProgramArguments under /opt/itstatus" ||
			fail "com.itstatus.$d.plist not rewritten for PREFIX=/opt/itstatus"
		clean_env "$P2/bin/$d" -n -f "$P2/etc/itstatus/itstatus.yaml" >/dev/null 2>&1 &&
			ok "/opt/itstatus/bin/$d -n" || fail "$d -n fails under PREFIX=/opt/itstatus"
	done
	if grep -rn /usr/local "$P2/lib" "$P2/share/itstatus/launchd"; then
		fail "/usr/local left in units or plists installed for PREFIX=/opt/itstatus (above)"
	else
		ok "no /usr/local left in units and plists"
	fi
else
	cat "$TMP/install3.log"
	fail "make install PREFIX=/opt/itstatus exited non-zero"
fi

echo "== make install without built binaries"
mkdir -p "$TMP/empty-bin"
if run_install "$TMP/root3" /usr/local "$TMP/empty-bin" >"$TMP/install4.log" 2>&1; then
	fail "make install succeeded with no binaries"
elif [ -e "$TMP/root3/usr/local/etc" ]; then
	fail "make install with no binaries stopped late (it installed files first)"
else
	ok "make install refuses: $(grep -m1 'missing' "$TMP/install4.log")"
fi

echo
if [ "$fails" -gt 0 ]; then
	echo "install.sh: $fails failure(s)"
	exit 1
fi
echo "install.sh: all checks passed"
