#!/usr/bin/env bash
# t/sh/deps.sh -- `make deps` and `make deps-test` install only what is
# missing. Each case runs the real Makefile target with a PATH holding nothing
# but the stand-ins of t/stubs/ (apt-get, apt-cache, dpkg-query, node, npm,
# pkg-config, sudo, and a "present" link for every other command the targets
# probe) plus sh, id, grep, find, env and sed, and reads what apt-get was
# asked to install from the stubs' log. The cases: NodeSource's node 20 with
# its bundled npm and one missing package (only that package is asked for,
# never nodejs or npm -- apt would refuse npm there with "held broken
# packages"); everything present (no
# output, no apt-get: a second run is a no-op); no node where apt offers a
# nodejs new enough for the dashboard (20.19, Debian 13) and where it does not
# (18, Debian 12: install the rest, then say where to get Node.js); Debian's
# node 20.19 without npm; node 18; NodeSource's node with a broken npm.
# civetweb.h is probed on the real filesystem: `make deps` has installed it.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

make_bin=$(command -v make) || t_fail "make is required"
# Every command the two targets probe (mk/deps.sh's cmd: lines, node and npm
# aside); each case removes the ones it lacks.
commands=$(sed -n 's/^cmd:\([^:]*\):.*/\1/p' "$ITSTATUS_ROOT/mk/deps.sh" | tr '\n' ' ')
[ -n "$commands" ] || t_fail "no cmd: requirement found in mk/deps.sh"

# deps CASE TARGET VAR=VALUE...: run `make TARGET` on a stub PATH; sets OUT
# (stdout+stderr), RC, and INSTALLED (the packages of every `apt-get install`,
# sorted, one line). STUB_MISSING names pkg-config modules and commands to leave
# out; without STUB_NODE_VERSION there is no node, without STUB_NPM_VERSION no npm.
deps() {
	local name=$1 target=$2 dir=$T_TMP/$1 c v
	shift 2
	mkdir -p "$dir/bin"
	: >"$dir/log"
	for c in apt-get apt-cache dpkg-query pkg-config sudo; do ln -s "$ITSTATUS_ROOT/t/stubs/$c" "$dir/bin/$c"; done
	local missing="" node="" npm=""
	for v in "$@"; do
		case $v in
		STUB_MISSING=*) missing=${v#*=} ;;
		STUB_NODE_VERSION=*) node=1 ;;
		STUB_NPM_VERSION=*) npm=1 ;;
		esac
	done
	[ -n "$node" ] && ln -s "$ITSTATUS_ROOT/t/stubs/node" "$dir/bin/node"
	[ -n "$npm" ] && ln -s "$ITSTATUS_ROOT/t/stubs/npm" "$dir/bin/npm"
	for c in $commands; do
		[ -e "$dir/bin/$c" ] && continue # a stand-in of its own (pkg-config)
		case " $missing " in *" $c "*) continue ;; esac
		ln -s "$ITSTATUS_ROOT/t/stubs/present" "$dir/bin/$c"
	done
	for c in sh id grep find env sed; do
		ln -s "$(command -v "$c")" "$dir/bin/$c" || t_fail "no $c"
	done
	OUT=$(cd "$ITSTATUS_ROOT" && env -i PATH="$dir/bin" HOME="$dir" STUB_LOG="$dir/log" "$@" \
		"$make_bin" -s --no-print-directory "$target" 2>&1)
	RC=$?
	INSTALLED=$(sed -n 's/^apt-get install //p' "$dir/log" | tr ' ' '\n' | grep -v '^-' | grep . | sort | tr '\n' ' ')
	INSTALLED=${INSTALLED% }
	printf '%s\n' "--- $name: make $target (exit $RC)" "$OUT" "--- apt-get install: $INSTALLED"
}

nodesource=(STUB_NODE_VERSION=20.19.5 STUB_NPM_VERSION=10.8.2 STUB_NODEJS_VERSION=20.19.5-1nodesource1)

# ---- NodeSource's node, one build package missing -----------------------------
deps nodesource-build deps "${nodesource[@]}" STUB_MISSING=libcjson
[ "$RC" = 0 ] || t_fail "make deps failed with NodeSource's node and libcjson missing: $OUT"
t_assert_eq "$INSTALLED" libcjson-dev "make deps with only libcjson missing installs"
grep -qE 'libcjson-dev.*libcjson[^-]' <<<"$OUT" || t_fail "make deps did not say what it installs and why: $OUT"
echo "ok - NodeSource node 20 + npm, libcjson missing: installs libcjson-dev alone"

deps nodesource-test deps-test "${nodesource[@]}" STUB_MISSING=wrk
[ "$RC" = 0 ] || t_fail "make deps-test failed with NodeSource's node and wrk missing: $OUT"
t_assert_eq "$INSTALLED" wrk "make deps-test with only wrk missing installs"
grep -q "wrk" <<<"$OUT" || t_fail "make deps-test did not say what it installs: $OUT"
echo "ok - NodeSource node 20 + npm, wrk missing: deps-test installs wrk alone"

# ---- everything present: silent no-op -----------------------------------------
for target in deps deps-test; do
	deps "present-$target" "$target" "${nodesource[@]}"
	[ "$RC" = 0 ] || t_fail "make $target failed with everything present: $OUT"
	[ -z "$OUT" ] || t_fail "make $target printed something with everything present: $OUT"
	! grep -qE '^(apt-get|sudo|npm [^-])' "$T_TMP/present-$target/log" ||
		t_fail "make $target ran apt-get/sudo/npm with everything present: $(cat "$T_TMP/present-$target/log")"
done
echo "ok - everything present: deps and deps-test print nothing and install nothing"

# ---- other Node.js situations ------------------------------------------------
# The dashboard's vite 7 needs node ^20.19 || >=22.12.
deps no-node-debian13 deps STUB_APT_NODEJS=20.19.2+dfsg-1
[ "$RC" = 0 ] || t_fail "make deps failed without node, apt offering nodejs 20.19: $OUT"
t_assert_eq "$INSTALLED" "nodejs npm" "make deps without node, apt offering nodejs 20.19, installs"
echo "ok - no node, apt has nodejs 20.19 (Debian 13): installs nodejs and npm alone"

deps no-node-debian12 deps STUB_APT_NODEJS=18.20.4+dfsg-1~deb12u3 STUB_MISSING=jq
[ "$RC" != 0 ] || t_fail "make deps succeeded without node when apt only has nodejs 18: $OUT"
t_assert_eq "$INSTALLED" jq "make deps without node on Debian 12 (jq missing too) installs"
grep -q '20\.19' <<<"$OUT" && grep -q nodesource <<<"$OUT" ||
	t_fail "make deps did not say Node.js 20.19 is needed and where to get it: $OUT"
echo "ok - no node, apt has only nodejs 18 (Debian 12): installs the rest, then names NodeSource"

deps debian-node-no-npm deps STUB_NODE_VERSION=20.19.2 STUB_NODEJS_VERSION=20.19.2+dfsg-1
[ "$RC" = 0 ] || t_fail "make deps failed with Debian's node 20.19 and no npm: $OUT"
t_assert_eq "$INSTALLED" npm "make deps with Debian's node 20.19 and no npm installs"
echo "ok - Debian node 20.19 without npm: installs npm alone"

deps old-node deps STUB_NODE_VERSION=18.19.0 STUB_NPM_VERSION=9.2.0 STUB_NODEJS_VERSION=18.19.0+dfsg-6~deb12u2
[ "$RC" != 0 ] || t_fail "make deps accepted node 18: $OUT"
grep -q '20\.19' <<<"$OUT" || t_fail "make deps did not say node 20.19 or newer is needed: $OUT"
[ -z "$INSTALLED" ] || t_fail "make deps installed '$INSTALLED' over a node 18"
echo "ok - node 18: stops, asks for Node.js 20.19 or newer, installs nothing"

deps node-22.11 deps STUB_NODE_VERSION=22.11.0 STUB_NPM_VERSION=10.9.0
[ "$RC" != 0 ] || t_fail "make deps accepted node 22.11 (vite wants 22.12 or newer in 22.x): $OUT"
deps node-24 deps STUB_NODE_VERSION=24.1.0 STUB_NPM_VERSION=11.3.0
[ "$RC" = 0 ] && [ -z "$OUT" ] || t_fail "make deps did not accept node 24 silently: $OUT"
echo "ok - node 22.11 refused, node 24 accepted (vite's ^20.19 || >=22.12)"

deps nodesource-npm-broken deps STUB_NODE_VERSION=22.12.0 STUB_NODEJS_VERSION=22.12.0-1nodesource1
[ "$RC" != 0 ] || t_fail "make deps accepted NodeSource's node without npm: $OUT"
grep -qi nodesource <<<"$OUT" || t_fail "make deps did not point at NodeSource's nodejs: $OUT"
[ -z "$INSTALLED" ] || t_fail "make deps asked apt for '$INSTALLED' beside NodeSource's node"
echo "ok - NodeSource node without npm: says to reinstall NodeSource's nodejs, installs nothing"
