# t/lib.sh -- helpers for the integration scripts in t/sh/ (bash; source it):
#
#   . "$ITSTATUS_ROOT/t/lib.sh"
#
# t/run provides T_TMP (a fresh directory per test), ITSTATUS_BIN (daemons),
# ITSTATUS_TBIN (the fakes), ITSTATUS_FIXTURES and ITSTATUS_ROOT; a script
# passes by exiting 0. Sourcing this file installs an EXIT trap that stops
# every process started with t_start, so a failing script never leaves a fake
# or daemon behind. If a script needs its own EXIT trap, call t_stop_all in it.
#
#   t_start NAME CMD...     run CMD in the background, output in $T_TMP/NAME.log
#   t_pid NAME              its pid
#   t_stop NAME [SECS]      SIGTERM, wait (default 5 s, then SIGKILL); returns
#                           the process's exit status (137 if it had to be killed)
#   t_stop_all              t_stop every process still running (the EXIT trap)
#   t_fake NAME KIND ARGS   start $ITSTATUS_TBIN/KIND (fakevendor|fakeslack|fakesentry) on a
#                           free port; sets T_PORT and T_URL (http://127.0.0.1:port)
#   t_port_of FILE [SECS]   wait (default 10 s) for a port file; prints the port
#   t_wait_for [SECS] CMD.. retry CMD every 50 ms until it succeeds (default 10 s);
#                           returns 1 on timeout (the caller decides to t_fail)
#   t_fail MSG              print MSG and the tail of each started process's log,
#                           exit 1 (also from inside $(...): it ends the script)
#   t_assert_eq GOT WANT MSG  t_fail unless GOT = WANT (string comparison)
#   t_json_get JSON FILTER  jq -r FILTER on JSON (jq is required: `apt-get install jq`)
#   t_http METHOD URL [BODY]  curl: prints the response body, sets T_HTTP_CODE
#                           (000 when the connection failed). BODY is sent as JSON;
#                           "@file" sends a file. Inside $(...) the variable is lost,
#                           so read the code back with t_http_code.
#   t_http_code             the status of the last t_http, even across $(...)
#   t_ms                    wall clock in milliseconds
#   t_new_db FILE           an empty itstatus database with every migration applied,
#                           as pollerd creates it (apid and alertd never create one:
#                           they wait for it, doc/faults.md#deleted)
#   t_closed_port           prints a random loopback port nobody listens on now
#                           (a small race with other tests remains)
#
# Only one t_http may run at a time per script (it keeps its result in T_TMP).

if [ -z "${T_TMP:-}" ]; then
	# Run by hand rather than through t/run: make our own scratch directory.
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/itstatus-t.XXXXXX")
	export T_TMP
fi
: "${ITSTATUS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${ITSTATUS_BIN:=$ITSTATUS_ROOT/bin}"
: "${ITSTATUS_TBIN:=$ITSTATUS_ROOT/build/t}"
: "${ITSTATUS_FIXTURES:=$ITSTATUS_ROOT/t/fixtures/vendors}"

declare -gA T_PIDS=()
T_NAMES=()
T_HTTP_CODE=
T_PORT=
T_URL=

t_ms() { date +%s%3N; }

t_fail() {
	local n
	printf 'FAIL: %s\n' "$*" >&2
	for n in "${T_NAMES[@]}"; do
		[ -f "$T_TMP/$n.log" ] || continue
		printf -- '--- last lines of %s.log\n' "$n" >&2
		tail -n 15 "$T_TMP/$n.log" | sed 's/^/    /' >&2
	done
	# In a $(...) subshell exit alone would only end the subshell.
	if [ "${BASHPID:-$$}" != "$$" ]; then
		kill -TERM "$$" 2>/dev/null
	fi
	exit 1
}

t_assert_eq() {
	[ "$1" = "$2" ] || t_fail "${3:-assertion}: got '$1', want '$2'"
}

t_start() {
	local name=$1
	shift
	"$@" >"$T_TMP/$name.log" 2>&1 &
	T_PIDS[$name]=$!
	T_NAMES+=("$name")
}

t_pid() { printf '%s\n' "${T_PIDS[$1]:-}"; }

t_stop() {
	local name=$1 secs=${2:-5} pid rc i
	pid=${T_PIDS[$name]:-}
	[ -n "$pid" ] || return 0
	unset "T_PIDS[$name]"
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		printf 't_stop: %s (pid %s) ignored SIGTERM for %ss; killing\n' "$name" "$pid" >&2
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 137
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

t_stop_all() {
	local name
	for name in "${!T_PIDS[@]}"; do
		t_stop "$name" || true
	done
}

_t_on_exit() {
	local rc=$?
	t_stop_all
	exit $rc
}
trap _t_on_exit EXIT
# t/run's timeout, ^C, or a t_fail from a subshell: still clean up, still fail.
trap 'exit 1' TERM INT

t_port_of() {
	local file=$1 secs=${2:-10} i port
	for ((i = 0; i < secs * 20; i++)); do
		if [ -s "$file" ]; then
			port=$(head -n 1 "$file")
			case $port in
			'' | *[!0-9]*) ;;
			*)
				printf '%s\n' "$port"
				return 0
				;;
			esac
		fi
		sleep 0.05
	done
	t_fail "no port in $file after ${secs}s"
}

t_wait_for() {
	local secs=10 i
	case ${1:-} in
	'' | *[!0-9]*) ;;
	*)
		secs=$1
		shift
		;;
	esac
	for ((i = 0; i < secs * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

t_fake() {
	local name=$1 kind=$2 bin
	shift 2
	bin=$ITSTATUS_TBIN/$kind
	[ -x "$bin" ] || t_fail "$bin missing: make build/t/$kind"
	rm -f "$T_TMP/$name.port"
	t_start "$name" "$bin" --port 0 --port-file "$T_TMP/$name.port" "$@"
	T_PORT=$(t_port_of "$T_TMP/$name.port")
	T_URL=http://127.0.0.1:$T_PORT
}

t_json_get() {
	command -v jq >/dev/null || t_fail "jq is required (apt-get install jq)"
	printf '%s' "$1" | jq -r "$2" || t_fail "t_json_get: jq '$2' failed on: ${1:0:300}"
}

t_http() {
	local method=$1 url=$2 args
	args=(-sS -X "$method" -o "$T_TMP/.t_http_body" -w '%{http_code}'
		--max-time "${T_HTTP_TIMEOUT:-15}")
	if [ $# -ge 3 ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$3")
	fi
	: >"$T_TMP/.t_http_body"
	T_HTTP_CODE=$(curl "${args[@]}" "$url" 2>"$T_TMP/.t_http_err") || T_HTTP_CODE=000
	printf '%s\n' "$T_HTTP_CODE" >"$T_TMP/.t_http_code"
	cat "$T_TMP/.t_http_body"
}

t_http_code() { cat "$T_TMP/.t_http_code" 2>/dev/null || echo 000; }

t_new_db() {
	local f v=0
	for f in "$ITSTATUS_ROOT"/schema/[0-9]*.sql; do
		sqlite3 "$1" <"$f" || t_fail "t_new_db: $f failed on $1"
		v=$(basename "$f" | sed 's/_.*//; s/^0*//')
	done
	sqlite3 "$1" "PRAGMA user_version = $v; PRAGMA journal_mode = WAL;" >/dev/null ||
		t_fail "t_new_db: cannot finish $1"
}

t_closed_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	t_fail "no closed loopback port found in 10 tries"
}
