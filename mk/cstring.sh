#!/bin/sh
# cstring.sh FILE [NAME]: compile a text file into a binary.
#   cstring.sh FILE       prints FILE as the lines of one C string literal
#                         (schema/embed.sh puts them in its migration table)
#   cstring.sh FILE NAME  prints a C file defining `const char NAME[]` (FILE's
#                         text) and `const size_t NAME_len` (its length), as the
#                         OpenAPI document is built into apid
# Each line is quoted with backslashes and double quotes escaped and its
# newline kept, so the text stays readable in the output and may hold any
# character but NUL.
set -eu
lines() {
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
}
if [ $# -eq 1 ]; then
	lines "$1"
	exit 0
fi
name=$2
echo "/* generated from $1 by mk/cstring.sh -- do not edit */"
echo '#include <stddef.h>'
echo "extern const char ${name}[];"
echo "extern const size_t ${name}_len;"
echo "const char ${name}[] ="
lines "$1"
echo '	"";'
echo "const size_t ${name}_len = sizeof ${name} - 1;"
