#!/bin/sh
# Runs the whole suite: every unit-test program, every fuzz-seed replay and every numbered CLI
# script in tests/cli/, and ends with one line "N passed, N failed". Exit 1 when anything failed.
# KPI_BUILD names the build directory (build, build-asan).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
export KPI="$build/kpi" KPI_TOP="$top"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_all() {
for t in "$build"/tests/test_* "$build"/tests/replay_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    echo "# $name"
    case "$name" in
    replay_*) corpus="$top/fuzz/corpus/${name#replay_}"; "$t" "$corpus" >"$out/log" 2>&1 ;;
    *) (cd "$out" && "$t") >"$out/log" 2>&1 ;;
    esac
    rc=$?
    cat "$out/log"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out/log"; then
        echo "not ok - $name exited with status $rc"
    fi
done

for t in "$top"/tests/cli/[0-9]*.sh; do
    [ -f "$t" ] || continue
    echo "# $(basename "$t")"
    sh "$t" 2>&1
    rc=$?
    [ $rc -ne 0 ] && echo "not ok - $(basename "$t") exited with status $rc"
done
}

run_all | tee "$out/all"
passed=$(grep -c '^ok' "$out/all")
failed=$(grep -c '^not ok' "$out/all")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
