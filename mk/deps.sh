#!/bin/sh
# mk/deps.sh build|test -- install only what this machine is missing.
#
# Behind `make deps` (what building and `make run` need) and `make deps-test`
# (what `make check` adds). Each requirement is probed the way the build uses
# it -- a pkg-config module, a header, or a command -- and only the packages
# whose probe fails are installed, one name per missing thing, with the reason
# printed. Installing a whole list because one item is missing is what broke
# machines whose Node.js comes from NodeSource: Debian's `npm` conflicts with
# NodeSource's `nodejs`, so apt refused the lot. A working `node` >= 18 and
# `npm` are therefore never touched. A second run prints nothing and exits 0.
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
add() { # debian-package brew-formula reason
	echo "deps: need $1 ($3)"
	case " $apt_missing " in *" $1 "*) ;; *) apt_missing="$apt_missing $1" ;; esac
	[ -z "$2" ] || case " $brew_missing " in *" $2 "*) ;; *) brew_missing="$brew_missing $2" ;; esac
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

# Node.js: any node >= 18 with a working npm is fine, wherever it came from.
probe_node() {
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [ "$major" -ge 18 ] 2>/dev/null; then
		if ! npm --version >/dev/null 2>&1; then
			# Debian's npm only goes with Debian's nodejs; NodeSource bundles npm.
			if dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
				echo "deps: node $major is NodeSource's but npm does not run: reinstall NodeSource's nodejs" >&2
				exit 1
			fi
			add npm node "node $major has no npm"
		fi
	elif command -v node >/dev/null 2>&1; then
		echo "deps: node is older than 18 (found major $major); install Node.js 18 or newer" >&2
		exit 1
	else
		add "nodejs npm" node "no node >= 18"
	fi
}

probe "$build_reqs"
probe_node
[ "$want" = test ] && probe "$test_reqs"

[ -n "$apt_missing" ] || exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if command -v apt-get >/dev/null 2>&1; then
	echo "deps: apt-get install$apt_missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $apt_missing
elif command -v brew >/dev/null 2>&1; then
	[ -z "$brew_missing" ] || { echo "deps: brew install$brew_missing"; brew install $brew_missing; }
else
	echo "deps: please install:$apt_missing" >&2
	exit 1
fi
