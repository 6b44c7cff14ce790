#!/bin/sh
# Runs every libFuzzer target in $BUILD/fuzz for FUZZ_SECONDS (default 20)
# each, on a scratch copy of its seed corpus (t/fuzz/corpus/<target>), so
# the committed seeds stay small.  A crash, leak or sanitizer report fails
# the run and leaves the reproducer in $BUILD/fuzz/artifacts/.
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SECONDS:-20}
WORK=$BUILD/fuzz/work
ART=$BUILD/fuzz/artifacts

mkdir -p "$WORK" "$ART"
rc=0

# UBSan only prints and goes on unless told to stop: a report must fail
# the run and leave its reproducer like any crash
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

for bin in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus=$WORK/$name
    rm -rf "$corpus"
    mkdir -p "$corpus"
    [ -d "t/fuzz/corpus/$name" ] && cp -r "t/fuzz/corpus/$name/." "$corpus/"

    if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
              -artifact_prefix="$ART/$name-" "$corpus" \
              > "$WORK/$name.log" 2>&1 \
       && ! grep -q 'runtime error:' "$WORK/$name.log"
    then
        runs=$(grep -m1 'stat::number_of_executed_units' "$WORK/$name.log" \
               | awk '{print $2}')
        echo "$name: ok, $runs runs in ${SECONDS_EACH}s," \
             "corpus $(ls "$corpus" | wc -l) inputs"
    else
        echo "$name: FAILED (see $WORK/$name.log, artifacts in $ART)"
        grep -m5 -E 'ERROR|SUMMARY|runtime error' "$WORK/$name.log" || true
        rc=1
    fi
done

exit $rc
