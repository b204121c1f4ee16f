#!/usr/bin/env bash
# conf.sh: configuration checking from the command line. The shipped files
# pass `-n` for all three daemons; every broken configuration under t/conf/
# makes `-n` exit 1 and print exactly its golden `file:line: message` lines
# (t/conf/<case>/expected, written for pollerd; the other daemons print the
# same with their own name).
set -u
cd "$ITSTATUS_ROOT" || exit 1
fail=0
for d in pollerd alertd apid; do
	out=$("$ITSTATUS_BIN/$d" -n -f etc/itstatus.yaml 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $d -n on etc/itstatus.yaml exited $rc: $out"
		fail=1
	fi
done
n=0
for c in t/conf/*/; do
	c=${c%/}
	n=$((n + 1))
	for d in pollerd alertd apid; do
		# The goldens carry no environment: clear anything that would override them.
		actual=$(env -i PATH="$PATH" "$ITSTATUS_BIN/$d" -n -f "$c/itstatus.yaml" 2>&1 >/dev/null)
		rc=$?
		expected=$(sed "s/^pollerd: /$d: /" "$c/expected")
		if [ $rc -ne 1 ]; then
			echo "FAIL: $c: $d exited $rc, expected 1"
			fail=1
		fi
		if [ "$actual" != "$expected" ]; then
			echo "FAIL: $c: $d output differs from golden"
			diff <(echo "$expected") <(echo "$actual") | sed 's/^/    /'
			fail=1
		fi
	done
done
[ $n -ge 15 ] || { echo "FAIL: only $n broken configurations"; fail=1; }
echo "checked $n broken configurations with 3 daemons"
exit $fail
