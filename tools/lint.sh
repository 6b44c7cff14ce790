#!/bin/sh
# House-style checks on the C sources: no line over 80 columns, no tab,
# no trailing blank, no CRLF; then the documentation's citations and
# links (tools/doclint.pl); then the source checks of t/lint/.  Prints
# offending lines, exits 1 if any.
set -u

cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'src/**/*.c' 'src/**/*.h' | sort -u)
rc=0

for f in $files; do
    awk -v f="$f" '
        length($0) > 80 { printf "%s:%d: line over 80 columns\n", f, NR; bad = 1 }
        /\t/            { printf "%s:%d: tab\n", f, NR; bad = 1 }
        /[ \t]+$/       { printf "%s:%d: trailing blank\n", f, NR; bad = 1 }
        /\r$/           { printf "%s:%d: CRLF\n", f, NR; bad = 1 }
        END { exit bad }' "$f" || rc=1
done

[ $rc = 0 ] && echo "style: $(echo "$files" | wc -l) files clean"

perl tools/doclint.pl || rc=1

# secrets compared in constant time: a review of src/core kept as a test
prove -Q t/lint/*.t || rc=1

exit $rc
