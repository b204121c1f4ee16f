#!/usr/bin/env bash
# t/fuzz/run.sh: build and run the libFuzzer targets (fuzz_xml, fuzz_rss,
# fuzz_timeutil, fuzz_format, fuzz_apid) with clang, ASan and UBSan, straight from the
# sources each one needs -- no Makefile objects, so sanitizer/fuzzer
# instrumentation never leaks into the normal build.
#
#   t/fuzz/run.sh [target ...]        default: all five
#   FUZZ_SECONDS=60                   time per target
#   FUZZ_JOBS=1                       parallel fuzzing processes per target
#   FUZZ_POLL_TYPE=statuspage_json    restrict fuzz_format to one parser
#   ITSTATUS_FIXTURES=...             vendor payloads used as seeds
#   CC=clang                          must be clang (libFuzzer)
#
# Work files go to build/fuzz/<target>/: the binary, the corpus (kept between
# runs and grown by them), the seeds taken fresh from the fixtures, and any
# crash-*/leak-*/timeout-* artefact. Prints one summary line per target (execs,
# corpus size, result) and exits non-zero if any target crashed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2

CC=${CC:-clang}
case "$($CC --version 2>/dev/null)" in
*clang*) ;;
*) CC=clang ;;
esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FIXTURES=${ITSTATUS_FIXTURES:-$root/t/fixtures/vendors}
OUT=$root/build/fuzz

CFLAGS="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Icommon -Ipollerd -It/fuzz"
CJSON_CFLAGS=$(pkg-config --cflags libcjson 2>/dev/null)
CJSON_LIBS=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)

# What each parser needs from common/ (all of it would drag in sqlite, curl
# and the generated schema for nothing).
COMMON="common/xalloc.c common/buf.c common/status.c common/timeutil.c common/jsonck.c"
APID_CFLAGS="-Iapid $(pkg-config --cflags libcurl libcyaml 2>/dev/null)"
APID_LIBS="$(pkg-config --libs libcurl sqlite3 libcyaml 2>/dev/null || echo -lcurl -lsqlite3 -lcyaml -lyaml) -lcivetweb -ldl -pthread"
PARSERS="pollerd/format.c $(ls pollerd/fmt_*.c) pollerd/xml.c"

sources() {
	case "$1" in
	fuzz_xml) echo "t/fuzz/fuzz_xml.c pollerd/xml.c common/xalloc.c" ;;
	fuzz_timeutil) echo "t/fuzz/fuzz_timeutil.c common/timeutil.c" ;;
	fuzz_rss) echo "t/fuzz/fuzz_rss.c $PARSERS $COMMON" ;;
	fuzz_format) echo "t/fuzz/fuzz_format.c $PARSERS $COMMON" ;;
	# all of apid but its main, all of common/ and the compiled-in schema
	fuzz_apid) echo "t/fuzz/fuzz_apid.c $(ls apid/*.c | grep -v apid/apid.c) $(ls common/*.c) $OUT/schema_sql.c" ;;
	*) return 1 ;;
	esac
}

# Seeds: the real vendor payloads (feeds for the XML targets, everything for
# fuzz_format, the date strings found in them for fuzz_timeutil).
seed() {
	local t=$1 dir=$2
	rm -rf "$dir" && mkdir -p "$dir"
	case "$t" in
	fuzz_xml | fuzz_rss)
		find "$FIXTURES" -type f \( -name '*.rss' -o -name '*.xml' -o -name '*.atom' \) \
			-exec cp {} "$dir/" \;
		# a few small shapes the fixtures lack
		printf '<rss><channel><item><title>Service impact: x</title><guid>a_1</guid><pubDate>2026-08-18T04:00:00Z</pubDate></item></channel></rss>' >"$dir/s1.rss"
		printf '<!DOCTYPE a [<!ENTITY e "x">]><feed><entry><id>1</id><updated>2026-08-18T04:00:00Z</updated><content type="xhtml"><div><strong>In progress</strong></div></content></entry></feed>' >"$dir/s2.atom"
		printf '<a x="&#x263A;&amp;"><![CDATA[c]]><!--c--><?p?></a>' >"$dir/s3.xml"
		;;
	fuzz_format)
		find "$FIXTURES" -type f ! -name '*.md' -exec cp {} "$dir/" \;
		;;
	fuzz_timeutil)
		local i=0
		# every date-looking string in the fixtures, one file each
		grep -rhoE '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]{2,5})?|[A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{2,4} [0-9:]+ [A-Z+0-9-]+|"1[0-9]{9,12}"' \
			"$FIXTURES" 2>/dev/null | tr -d '"' | sort -u | head -400 |
			while IFS= read -r line; do
				i=$((i + 1))
				printf '%s' "$line" >"$dir/d$i"
			done
		for s in "2026-11-23" "2026-11-23 20:31" "Mon, 07 Sep 2026 06:52:00 Z" "23 Nov 26 20:31 EST" \
			"1700000000123" "2024-02-29T23:59:60.999999+14:00"; do
			i=$((i + 1000))
			printf '%s' "$s" >"$dir/h$i"
		done
		;;
	fuzz_apid)
		# one seed per surface (first byte), in the shapes real senders use
		local ts=1764000000
		printf '\000{"service_id":"github","new_status":"degraded","reason":"abc","detail":null}' >"$dir/admin"
		printf '\001{"service_id":"github","title":"t","scheduled_for":"2026-11-24T10:00:00Z","scheduled_until":"2026-11-24T12:00:00Z"}' >"$dir/maint"
		printf '\002%s\n%s\n{"component_update":{"new_status":"major_outage"}}' $ts \
			"$(printf '%s' "$ts.{\"component_update\":{\"new_status\":\"major_outage\"}}" |
				openssl dgst -sha256 -hmac hook-secret -r | cut -d' ' -f1)" >"$dir/webhook"
		printf '\003%s\nv0=00\npayload=%%7B%%22type%%22%%3A%%22block_actions%%22%%7D&command=%%2Fitstatus&text=git' $ts >"$dir/slack"
		printf '\004limit=10&service_id=github&window=300&cursor=5&days=7&since=2026-11-01' >"$dir/query"
		printf '\005127.0.0.5\n127.0.0.0/8, 10.0.0.0/8 ::1\n10.9.9.9, 203.0.113.9' >"$dir/xff"
		printf '\006http://localhost:5173, *\nhttps://hooks.slack.com/actions/T1/B2/x' >"$dir/allow"
		printf '\007[[{"a":[1,2,{"b":"\\u00e9"}]}]]' >"$dir/lenient"
		;;
	esac
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_xml fuzz_rss fuzz_timeutil fuzz_format fuzz_apid)
crashed=()
for t in "${targets[@]}"; do
	src=$(sources "$t") || {
		echo "run.sh: unknown target $t" >&2
		exit 2
	}
	w=$OUT/$t
	mkdir -p "$w/corpus"
	extra_cflags= extra_libs=
	if [ "$t" = fuzz_apid ]; then
		sh schema/embed.sh schema/*.sql >"$OUT/schema_sql.c"
		# common/ includes the poll types pollerd's formats declare, as make
		# generates them (mk/poll_types.c), built here without the fuzzer.
		# shellcheck disable=SC2086
		$CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Icommon -Ipollerd $CJSON_CFLAGS \
			-o "$OUT/poll_types" mk/poll_types.c $PARSERS $COMMON $CJSON_LIBS -lm &&
			"$OUT/poll_types" >"$OUT/poll_types.def"
		extra_cflags="$APID_CFLAGS -I$OUT" extra_libs=$APID_LIBS
	fi
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS $CJSON_CFLAGS $extra_cflags -DITSTATUS_VERSION='"fuzz"' -o "$w/$t" $src $CJSON_LIBS \
		$extra_libs -lm 2>"$w/build.log"; then
		echo "$t: BUILD FAILED (see $w/build.log)"
		tail -n 20 "$w/build.log"
		crashed+=("$t")
		continue
	fi
	seed "$t" "$w/seeds"
	dict=()
	maxlen=65536
	[ "$t" = fuzz_timeutil ] && maxlen=256
	case "$t" in fuzz_xml | fuzz_rss | fuzz_format) dict=(-dict="$here/xml.dict") ;; fuzz_apid) dict=(-dict="$here/json.dict") ;; esac
	rm -f "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-*
	log=$w/fuzz.log
	extra=()
	[ "$FUZZ_JOBS" -gt 1 ] && extra=(-fork="$FUZZ_JOBS" -ignore_crashes=0)
	"$w/$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -max_len="$maxlen" -artifact_prefix="$w/" "${dict[@]}" "${extra[@]}" \
		"$w/corpus" "$w/seeds" >"$log" 2>&1
	rc=$?
	execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
	[ "$execs" = 0 ] && execs=$(grep -oE '#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	ncorp=$(find "$w/corpus" -type f | wc -l)
	art=$(ls "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-* 2>/dev/null | head -n 1)
	if [ $rc -ne 0 ] || [ -n "$art" ]; then
		echo "$t: CRASH after ${execs:-?} execs (exit $rc) artefact: ${art:-none} log: $log"
		grep -E 'ERROR: |SUMMARY: |invariant|contract|runtime error' "$log" | head -n 8 | sed 's/^/    /'
		crashed+=("$t")
	else
		echo "$t: ok, ${execs:-?} execs in ${FUZZ_SECONDS}s, corpus $ncorp"
	fi
done
if [ ${#crashed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${crashed[*]}"
	exit 1
fi
echo "fuzz: all targets clean"
