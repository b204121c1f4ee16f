#!/bin/sh
# mk/deps.sh build|test -- install only what this machine is missing.
#
# Behind `make deps` (what building and `make run` need) and `make deps-test`
# (what `make check` adds). Each requirement is probed the way the build uses
# it -- a pkg-config module, a header, or a command -- and only the packages
# whose probe fails are installed, one name per missing thing, with the reason
# printed. Installing a whole list because one item is missing is what broke
# machines whose Node.js comes from NodeSource: Debian's `npm` conflicts with
# NodeSource's `nodejs`, so apt refused the lot. A working `node` (new enough,
# see probe_node) and its `npm` are therefore never touched. A second run
# prints nothing and exits 0. t/sh/deps.sh tests it on a PATH of stand-ins.
set -eu
want=${1:-build}

# requirement table: KIND:PROBE:DEBIAN-PACKAGE:HOMEBREW-FORMULA
build_reqs="
cmd:cc:build-essential:
cmd:make:build-essential:make
cmd:pkg-config:pkg-config:pkg-config
pc:libcurl:libcurl4-openssl-dev:curl
pc:sqlite3:libsqlite3-dev:sqlite
pc:libcjson:libcjson-dev:cjson
pc:libcyaml:libcyaml-dev:libcyaml
pc:yaml-0.1:libyaml-dev:libyaml
pc:zlib:zlib1g-dev:zlib
pc:check:check:check
hdr:civetweb.h:libcivetweb-dev:civetweb
cmd:sqlite3:sqlite3:sqlite
cmd:curl:curl:curl
cmd:jq:jq:jq
cmd:git:git:git
"
test_reqs="
cmd:chromium:chromium:
cmd:promtool:prometheus:prometheus
cmd:xmllint:libxml2-utils:libxml2
cmd:wrk:wrk:wrk
cmd:valgrind:valgrind:
cmd:clang:clang:llvm
cmd:systemd-analyze:systemd:
cmd:clang-format:clang-format:clang-format
cmd:cppcheck:cppcheck:cppcheck
cmd:caddy:caddy:caddy
"

have_header() {
	for d in /usr/include /usr/local/include /opt/homebrew/include; do
		[ -f "$d/$1" ] && return 0
	done
	return 1
}

apt_missing=""
brew_missing=""
brew_none="" # missing, and Homebrew has no formula for it (Xcode's cc, chromium...)
add() { # debian-package brew-formula reason
	echo "deps: need $1 ($3)"
	case " $apt_missing " in *" $1 "*) ;; *) apt_missing="$apt_missing $1" ;; esac
	if [ -n "$2" ]; then
		case " $brew_missing " in *" $2 "*) ;; *) brew_missing="$brew_missing $2" ;; esac
	else
		brew_none="$brew_none $1"
	fi
}

probe() { # list of requirements
	for r in $1; do
		kind=${r%%:*}
		rest=${r#*:}
		what=${rest%%:*}
		rest=${rest#*:}
		deb=${rest%%:*}
		brew=${rest#*:}
		case $kind in
		cmd) command -v "$what" >/dev/null 2>&1 || add "$deb" "$brew" "no '$what' command" ;;
		pc) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$what" 2>/dev/null ||
			add "$deb" "$brew" "pkg-config module $what not found" ;;
		hdr) have_header "$what" || add "$deb" "$brew" "header $what not found" ;;
		esac
	done
}

# Node.js builds the dashboard, and its vite 7 wants ^20.19 || >=22.12 (vite's
# "engines"; on Node 18 `vite build` dies on the missing crypto.hash). Any such
# node with a working npm is fine, wherever it came from (NodeSource, nvm,
# Homebrew). Debian 12's own nodejs is 18: rather than install that and fail
# later in the build, say what to install. A node problem is reported after
# the other packages are installed, so one run does all it can.
node_problem=""
node_hint="install Node.js 22.12+ (or 20.19+): on Debian/Ubuntu NodeSource's, curl -fsSL https://deb.nodesource.com/setup_22.x | sudo -E bash - && sudo apt-get install -y nodejs; on macOS brew install node"

# version_ok VERSION: VERSION (v20.19.0, 20.19.2+dfsg-1, 1:22.1.0...) is one
# vite accepts.
version_ok() {
	v=${1#v}
	v=${v#*:}
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -eq "$maj" ] 2>/dev/null && [ "$min" -eq "$min" ] 2>/dev/null || return 1
	case $maj in
	20) [ "$min" -ge 19 ] ;;
	22) [ "$min" -ge 12 ] ;;
	*) [ "$maj" -ge 23 ] ;;
	esac
}

probe_node() {
	if command -v node >/dev/null 2>&1; then
		ver=$(node -p 'process.versions.node' 2>/dev/null || echo unknown)
		if ! version_ok "$ver"; then
			node_problem="node $ver is too old for the dashboard: $node_hint"
		elif npm --version >/dev/null 2>&1; then
			:
		elif dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
			# NodeSource bundles npm; Debian's npm conflicts with its nodejs.
			node_problem="node $ver is NodeSource's but its npm does not run: reinstall NodeSource's nodejs"
		else
			add npm node "node $ver has no npm"
		fi
		return
	fi
	if command -v apt-get >/dev/null 2>&1; then
		cand=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *//p')
		if ! version_ok "$cand"; then
			node_problem="no node, and apt's nodejs (${cand:-none}) is too old for the dashboard: $node_hint"
			return
		fi
	fi
	add "nodejs npm" node "no node"
}

probe "$build_reqs"
probe_node
[ "$want" = test ] && probe "$test_reqs"

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if [ -z "$apt_missing" ]; then
	:
elif command -v apt-get >/dev/null 2>&1; then
	echo "deps: apt-get install$apt_missing"
	$sudo apt-get update -qq
	# Through env: sudo's env_reset would drop a plain VAR=value prefix.
	# shellcheck disable=SC2086 # one word per package
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $apt_missing
elif command -v brew >/dev/null 2>&1; then
	[ -z "$brew_missing" ] || { echo "deps: brew install$brew_missing"; brew install $brew_missing; }
	[ -z "$brew_none" ] || echo "deps: no Homebrew formula, install by hand (Xcode command line tools for cc):$brew_none" >&2
else
	echo "deps: please install:$apt_missing" >&2
	exit 1
fi
if [ -n "$node_problem" ]; then
	echo "deps: $node_problem" >&2
	exit 1
fi
