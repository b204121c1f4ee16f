#!/usr/bin/env bash
# t/sh/doc_links.sh: every citation of our documentation names a section that
# exists, and nothing cites documents that are not in the tree.
#
# Checked in every tracked file (git ls-files; without git, every file outside
# the build output), except the captured vendor payloads in t/fixtures/:
#  - each `doc/FILE.md#anchor` (and bare `doc/FILE.md`): the file exists and
#    has the anchor, either an explicit id="anchor" / name="anchor" or the
#    GitHub slug of one of its headings;
#  - in doc/*.md, each relative link `(FILE.md#anchor)` / `(#anchor)`, the same;
#  - no reference to the design notes this project was built from, which a
#    reader of the repository cannot open (the old names of the documents, the
#    folder beside the checkout);
#  - no `§` section sign outside doc/ other than after "RFC NNNN": a bare
#    "§6.3" was a citation of those notes and must become doc/FILE.md#anchor.
# Each problem is printed as `file:line: message`.
#
# The check is first run on a small tree with one broken citation of each
# kind, and must fail there, so it cannot pass by finding nothing.
#
# Environment (set by t/run): ITSTATUS_ROOT, T_TMP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ITSTATUS_ROOT:-$(cd "$here/../.." && pwd)}
TMP=${T_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/itstatus-doclinks.XXXXXX")}
SELF=t/sh/doc_links.sh

# Outside references, assembled from pieces so that this file does not match
# its own patterns.
S='§'
OUTSIDE="SEED-BEHAV""IOUR|DESIGN ${S}|DESIGN\\.md|\\.\\./sha""red|/work/sha""red|FIELD-ANCH""ORS|TOOLCH""AIN(\\.md| ${S})|C-STYLE-ANCH""ORS|seed-READ""ME"

# The files to check under $1, one per line, relative to it.
list_files() {
	if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
		[ "$(git -C "$1" rev-parse --show-toplevel)" = "$(cd "$1" && pwd -P)" ]; then
		git -C "$1" ls-files
	else
		(cd "$1" && find . -type f \
			-not -path './.git/*' -not -path './build/*' -not -path './build-san/*' \
			-not -path './bin/*' -not -path './var/*' -not -path './web/node_modules/*' \
			-not -path './web/dist/*' | sed 's|^\./||')
	fi | grep -v -e '^t/fixtures/' -e "^$SELF\$" | sort
}

# grep_list ARGS...: grep ARGS over the files named on stdin (one per line);
# nothing when the list is empty.
grep_list() {
	local f list=()
	while IFS= read -r f; do
		[ -n "$f" ] && list+=("$f")
	done
	[ ${#list[@]} -gt 0 ] || return 1
	grep "$@" -- "${list[@]}" 2>/dev/null
}

# Anchors of one markdown file, one per line: explicit ids, then heading slugs
# as GitHub makes them (lower case; punctuation and symbols dropped; spaces
# become hyphens; a repeated slug gets -1, -2, ...). Non-ASCII characters are
# dropped too, which GitHub does only for symbols: a heading with accented
# letters that is cited needs an explicit id.
anchors_of() {
	grep -oE '(id|name)="[^"]+"' "$1" | sed -E 's/^(id|name)="//; s/"$//'
	awk '
		/^(```|~~~)/ { fence = !fence; next }
		fence { next }
		/^#+ / {
			t = $0
			sub(/^#+ +/, "", t); sub(/ +#+ *$/, "", t)
			while (match(t, /\[[^]]*\]\([^)]*\)/)) {
				link = substr(t, RSTART, RLENGTH)
				sub(/\]\(.*$/, "", link); sub(/^\[/, "", link)
				t = substr(t, 1, RSTART - 1) link substr(t, RSTART + RLENGTH)
			}
			t = tolower(t)
			gsub(/[^a-z0-9 _-]/, "", t)
			gsub(/ /, "-", t)
			n = seen[t]++
			print (n ? t "-" n : t)
		}' "$1"
}

# check DIR: print every problem, return 1 if there was any.
check() {
	local dir=$1 bad=0 files f line file anchor src
	files=$(list_files "$dir")
	[ -n "$files" ] || {
		echo "no files found under $dir"
		return 1
	}
	cd "$dir" || return 1

	# 1. doc/FILE.md#anchor citations anywhere.
	while IFS= read -r line; do
		src=${line%%: *}
		ref=${line#*: }
		file=${ref%%#*}
		anchor=
		[ "$ref" != "$file" ] && anchor=${ref#*#}
		if [ ! -f "$file" ]; then
			echo "$src: cites $ref: no such file"
			bad=1
		elif [ -n "$anchor" ] && ! anchors_of "$file" | grep -qxF -- "$anchor"; then
			echo "$src: cites $ref: $file has no section with anchor '$anchor'"
			bad=1
		fi
	done < <(echo "$files" | grep_list -H -I -n -o -E \
		'(^|[^A-Za-z0-9_./-])doc/[A-Za-z0-9_-]+\.md(#[A-Za-z0-9_-]+)?' |
		sed -E 's/^([^:]+:[0-9]+):[^d]?(doc\/.*)$/\1: \2/')

	# 2. Relative links between the documents.
	for f in $(echo "$files" | grep -E '^doc/[^/]+\.md$'); do
		while IFS= read -r line; do
			src="$f:${line%%:*}"
			ref=${line#*:}
			ref=${ref#\(}
			ref=${ref%\)}
			file=${ref%%#*}
			anchor=
			[ "$ref" != "$file" ] && anchor=${ref#*#}
			if [ -z "$file" ]; then
				file=$f
			else
				file=$(dirname "$f")/$file
			fi
			if [ ! -f "$file" ]; then
				echo "$src: links to $ref: no such file"
				bad=1
			elif [ -n "$anchor" ] && ! anchors_of "$file" | grep -qxF -- "$anchor"; then
				echo "$src: links to $ref: $file has no section with anchor '$anchor'"
				bad=1
			fi
		done < <(grep -n -o -E '\]\(([A-Za-z0-9_./-]+\.md)?(#[A-Za-z0-9_-]+)?\)' "$f" |
			sed -E 's/^([0-9]+):\]/\1:/' | grep -v -E '^[0-9]+:\(\)$')
	done

	# 3. References to documents outside the tree.
	echo "$files" | grep_list -H -I -n -E "$OUTSIDE" |
		sed 's/$/  <- cites a document that is not in the tree: cite doc\/FILE.md#anchor/' |
		grep . && bad=1

	# 4. Bare section signs outside doc/ (RFC sections are fine).
	echo "$files" | grep -v '^doc/' | grep_list -H -I -n "$S" |
		grep -v -E "RFC ?[0-9]+ ?$S" |
		sed 's/$/  <- a bare section number: cite doc\/FILE.md#anchor/' |
		grep . && bad=1

	cd - >/dev/null || return 1
	return $bad
}

# ---- the check must catch each kind of broken citation ----------------------
fails=0
bt=$TMP/broken
mkdir -p "$bt/doc" "$bt/src"
printf '# Design\n\n<a id="bus"></a>\n## The bus\n\n## Two words\n' >"$bt/doc/design.md"
printf '/* fine: doc/design.md#bus and doc/design.md#two-words */\n' >"$bt/src/ok.c"
if out=$(check "$bt" 2>&1); then
	echo "ok: a tree with only good citations passes"
else
	echo "FAIL: a tree with only good citations fails:"
	echo "$out"
	fails=$((fails + 1))
fi
a='doc/design.md#'
for c in missing-anchor missing-file outside-doc bare-section relative-link; do
	rm -f "$bt/src/bad.c" "$bt/doc/other.md"
	case $c in
	missing-anchor) printf '/* see %sno-such-section */\n' "$a" >"$bt/src/bad.c" ;;
	missing-file) printf '/* see doc/nodoc.md#bus */\n' >"$bt/src/bad.c" ;;
	outside-doc) printf '/* see %s */\n' "SEED-BEHAV""IOUR" >"$bt/src/bad.c" ;;
	bare-section) printf "/* the old tool's %s13.11 */\n" "$S" >"$bt/src/bad.c" ;;
	relative-link) printf '# Other\n\nSee [the bus](design.md#no-bus).\n' >"$bt/doc/other.md" ;;
	esac
	if ! out=$(check "$bt" 2>&1) && [ -n "$out" ]; then
		echo "ok: a broken citation ($c) is caught: $out"
	else
		echo "FAIL: a broken citation ($c) is not caught"
		fails=$((fails + 1))
	fi
done

# ---- the tree -----------------------------------------------------------------
if out=$(check "$ROOT" 2>&1); then
	n=$(cd "$ROOT" && list_files . | grep_list -h -I -o -E \
		'(^|[^A-Za-z0-9_./-])doc/[A-Za-z0-9_-]+\.md#[A-Za-z0-9_-]+' | wc -l)
	echo "ok: all $n citations of doc/FILE.md#anchor in the tree resolve"
else
	echo "FAIL: citations in the tree that do not resolve:"
	echo "$out"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ]
