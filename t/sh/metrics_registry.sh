#!/usr/bin/env bash
# t/sh/metrics_registry.sh -- the metrics registry (common/metrics.def) cannot
# be bypassed. The compiler is the check for call sites: a metric used
# without a declaration, updated as the wrong type, or given the wrong
# number of label values must not compile, with gcc nor clang (small
# programs against common/metrics.h, beside one correct program that must
# compile, so a broken compiler command cannot pass as a rejection). The rest is read from the
# sources: daemon code never builds a declaration of its own (struct
# met_def, met_def_*), and every metric declared is used somewhere, so the
# list is the list of what the daemons export. t/check_metrics.c checks the
# declarations themselves (each name once, valid names, help, buckets).
set -u
. "$ITSTATUS_ROOT/t/lib.sh"
cd "$ITSTATUS_ROOT" || t_fail "no $ITSTATUS_ROOT"
# Every compiler at hand (macOS builds with clang): each must refuse.
ccs=() seen=" "
for c in "${CC:-cc}" gcc clang; do
	p=$(command -v "$c") || continue
	p=$(readlink -f "$p")
	case $seen in *" $p "*) continue ;; esac
	seen="$seen$p "
	ccs+=("$c")
done
[ ${#ccs[@]} -gt 0 ] || t_fail "a C compiler (${CC:-cc}) is required"

# try CC NAME BODY: compile a function holding BODY; output in $T_TMP/NAME.err
try() {
	printf '#include "metrics.h"\nvoid f(const char *s);\nvoid f(const char *s)\n{\n\t(void)s;\n%s\n}\n' "$3" \
		>"$T_TMP/$2.c"
	"$1" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -fsyntax-only -Icommon \
		"$T_TMP/$2.c" >"$T_TMP/$2.err" 2>&1
}
# reject CC NAME WHAT BODY: BODY must not compile, and the error must say WHAT
reject() {
	try "$1" "$2" "$4" && t_fail "$1: $2: compiled: $4"
	grep -q -- "$3" "$T_TMP/$2.err" || t_fail "$1: $2: the error does not say '$3': $(head -5 "$T_TMP/$2.err")"
	echo "ok - $1 refuses $2"
}

for cc in "${ccs[@]}"; do
	try "$cc" correct '	met_add(MET_POLL_TOTAL, 1, s, "ok");
	met_add(MET_HTTP_BYTES_TOTAL, 512);
	met_set(MET_POLL_QUEUE_READINGS, 3);
	met_set(MET_SERVICE_STATUS, 2, s);
	met_observe(MET_POLL_DURATION_SECONDS, 0.5, "statuspage");' ||
		t_fail "$cc: correct calls do not compile: $(head -5 "$T_TMP/correct.err")"
	echo "ok - $cc compiles correct calls"
	reject "$cc" undeclared MET_NO_SUCH_METRIC '	met_add(MET_NO_SUCH_METRIC, 1);'
	reject "$cc" counter_set 'wrong update for its type' '	met_set(MET_POLL_TOTAL, 1, s, "ok");'
	reject "$cc" gauge_add 'wrong update for its type' '	met_add(MET_SSE_CLIENTS, 1);'
	reject "$cc" gauge_observe 'wrong update for its type' '	met_observe(MET_OUTBOX_PENDING, 1, s);'
	reject "$cc" too_few 'wrong number of labels' '	met_add(MET_POLL_TOTAL, 1, s);'
	reject "$cc" too_many 'wrong number of labels' '	met_add(MET_HTTP_BYTES_TOTAL, 1, s);'
	reject "$cc" not_text 'integer' '	met_add(MET_POLL_CYCLES_TOTAL, 1, 42);'
done

# No declaration outside the registry: only common/metrics.[ch] (and the
# tests) may make a struct met_def (a variable, array or compound literal of
# that type; a pointer into met_defs[] is reading) or call met_def_* directly.
src=$(git ls-files 'common/*.[ch]' 'pollerd/*.[ch]' 'alertd/*.[ch]' 'apid/*.[ch]' |
	grep -vx 'common/metrics\.[ch]')
[ -n "$src" ] || t_fail "no sources found"
bad=$(grep -nE 'struct met_def[[:space:]]*([A-Za-z_][A-Za-z0-9_]*[[:space:]]*[=[;]|[){])|\bmet_def_(add|set|observe)\b' $src || true)
[ -z "$bad" ] || t_fail "a metric declared outside common/metrics.def: $bad"
echo "ok - daemon code declares no metric of its own"

# Every declared metric is used (the registry lists what is exported).
ids=$(grep -oE '^[[:space:]]*M\((MET_[A-Z0-9_]+)' common/metrics.def | grep -oE 'MET_[A-Z0-9_]+')
[ "$(wc -w <<<"$ids")" -gt 10 ] || t_fail "could not read the ids of common/metrics.def: $ids"
for id in $ids; do
	grep -qw "$id" $src || t_fail "$id is declared in common/metrics.def but never used"
done
echo "ok - every declared metric is used"
