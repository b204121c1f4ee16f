#!/usr/bin/env bash
# format_add.sh -- adding a vendor format touches its own file and one
# registration line (doc/formats.md#adding-a-format). In a copy of the sources
# the format `echo_json` is added as pollerd/fmt_echo.c plus the line FMT(echo)
# at the end of pollerd/formats.def, and nothing else; the daemons built from
# that copy must then
#   - accept a services.yaml using the new poll type (`-n`, all three daemons:
#     apid and alertd see it through the generated registry table),
#   - still refuse an unknown one, now listing the new type,
#   - require the keys the entry requires,
#   - poll it (`pollerd --once` against the fake vendor) and store its
#     reading in a database made by the unchanged migrations.
# The copy reuses this tree's objects (their times kept), so only what the two
# edits touch is rebuilt.
set -u
. "$ITSTATUS_ROOT/t/lib.sh"

src=$T_TMP/src
mkdir -p "$src"
cd "$ITSTATUS_ROOT" || t_fail "no ITSTATUS_ROOT"
cp -a Makefile common pollerd alertd apid schema mk "$src/" || t_fail "copy sources"
# The binaries under test come from build/ (bin/) or, with sanitizers,
# build-san/ (build-san/bin/, `make SANITIZE=address,undefined`); their objects
# are reused when this tree has them, else the copy builds from scratch.
case "$ITSTATUS_BIN" in
*/build-san/bin) bdir=build-san bindir=build-san/bin make_args=(SANITIZE=address,undefined) ;;
*) bdir=build bindir=bin make_args=() ;;
esac
if [ -d "$ITSTATUS_ROOT/$bdir/common" ]; then
	mkdir -p "$src/$bdir"
	for d in common pollerd alertd apid mk; do
		[ -d "$bdir/$d" ] && cp -a "$bdir/$d" "$src/$bdir/"
	done
	cp -a "$bdir"/*.a "$bdir"/*.def "$bdir"/schema_sql.* "$src/$bdir/" 2>/dev/null
fi
before=$(cd "$src" && find . -path "./$bdir" -prune -o -type f -print | sort | xargs md5sum)

# ---- the two edits ------------------------------------------------------------
cat >"$src/pollerd/fmt_echo.c" <<'C'
/*
 * echo: a test format, {"state": "<status word>", "note": "..."}: the vendor
 * says the status in our own words (format_add.sh).
 */
#include "format.h"

#include <cJSON.h>

void fmt_echo(const struct fmt_input *in, const struct fmt_opts *opts, struct fmt_reading *out)
{
	(void)opts;
	fmt_reading_init(out);
	cJSON *root = fmt_json_parse(in, out);
	const char *state, *note;
	enum st_status s;
	if (root && !fmt_json_string(out, root, NULL, "state", FMT_REQUIRED, &state) &&
	    !fmt_json_string(out, root, NULL, "note", FMT_OPTIONAL, &note)) {
		if (st_status_parse(state, &s) < 0)
			fmt_fail(out, "unmapped_value: state=%s", state);
		else {
			fmt_set_ok(out, s, 0);
			fmt_set_detail(out, note);
		}
	}
	cJSON_Delete(root);
}

const struct fmt_entry fmt_echo_entry = {
    .name = "echo_json",
    .parse = fmt_echo,
    .required = FMT_KEYS("poll_url", "keyword"),
    .metric_label = "echo_json",
};
C
echo 'FMT(echo)' >>"$src/pollerd/formats.def"

after=$(cd "$src" && find . -path "./$bdir" -prune -o -type f -print | sort | xargs md5sum)
changed=$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print $3}' | sort -u | tr '\n' ' ')
t_assert_eq "$changed" "./pollerd/fmt_echo.c ./pollerd/formats.def " "files the new format touches"

# ---- build -------------------------------------------------------------------------
if ! make -C "$src" -j2 "${make_args[@]}" "$bindir/pollerd" "$bindir/alertd" "$bindir/apid" \
	>"$T_TMP/make.log" 2>&1; then
	tail -30 "$T_TMP/make.log"
	t_fail "the copy with the new format does not build"
fi
echo "ok - the copy with the new format builds"
B=$src/$bindir
grep -q '"echo_json"' "$src/$bdir/poll_types.def" || t_fail "the registry's table lacks echo_json"

# ---- configuration --------------------------------------------------------------
t_fake fv fakevendor
V=$T_URL
t_http POST "$V/_control/payload" '{"path": "/e.json", "body": "{\"state\": \"degraded\", \"note\": \"Queue slow\"}"}' >/dev/null
[ "$(t_http_code)" = 200 ] || t_fail "payload"
cd "$T_TMP" || exit 1
echo "database_path: itstatus.db" >itstatus.yaml
echo "dependencies: {}" >dependencies.yaml
cat >services.yaml <<Y
services:
  - {id: man, display_name: Man, category: other, poll_type: manual}
  - {id: echo, display_name: Echo, category: other, poll_type: echo_json, poll_url: "$V/e.json", keyword: x}
Y
for d in pollerd alertd apid; do
	env -i PATH="$PATH" "$B/$d" -n -f itstatus.yaml >n.out 2>&1 || t_fail "$d -n refused the new format: $(cat n.out)"
done
echo "ok - pollerd, alertd and apid accept poll_type echo_json"

sed -i 's/, keyword: x}/}/' services.yaml
for d in pollerd alertd apid; do
	env -i PATH="$PATH" "$B/$d" -n -f itstatus.yaml >n.out 2>&1 && t_fail "$d -n accepted echo_json without keyword"
	grep -q "services.yaml:3: echo: keyword is required for poll_type echo_json" n.out ||
		t_fail "$d: no keyword error: $(cat n.out)"
done
sed -i 's/poll_type: echo_json/poll_type: echo_jsn/' services.yaml
env -i PATH="$PATH" "$B/alertd" -n -f itstatus.yaml >n.out 2>&1 && t_fail "alertd accepted echo_jsn"
grep -q 'poll_type: "echo_jsn" is not one of: statuspage_json, .*, http_check, echo_json$' n.out ||
	t_fail "unknown poll type not refused with the new list: $(cat n.out)"
echo "ok - its required key is enforced, an unknown type refused with it listed"

# ---- a poll, stored -----------------------------------------------------------------
sed -i 's/poll_type: echo_jsn/poll_type: echo_json/; s|e.json"}|e.json", keyword: x}|' services.yaml
"$B/pollerd" --once -f itstatus.yaml 2>once.log || t_fail "--once exited $?: $(tail -5 once.log)"
t_assert_eq "$(sqlite3 itstatus.db "SELECT poll_type || ' ' || current_status || ' ' || current_status_detail FROM services WHERE id = 'echo'")" \
	"echo_json degraded Queue slow" "the new format's reading in the database"
echo "ok - polled, parsed and stored with the unchanged migrations"
