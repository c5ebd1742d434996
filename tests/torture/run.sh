#!/bin/sh
# run.sh BUILD - the allocation-failure torture (`make torture`, docs/torture.md): runs each case
# below once to count its allocations (M), then M times more with the Nth allocation failing,
# N = 1..M, each time in a fresh copy of its workspace, with BUILD/kpi-torture (an ASan + UBSan
# build, tests/torture/shim.c). A run passes when it gives the same exit status, output and stored
# data as the run without failure, or fails cleanly: exit status 1 or 2 with a "kpi: ..." message,
# and no crash, sanitizer report or leak. Ends with "N passed, N failed"; exit 1 on a failure.
# TORTURE_SECONDS (default 600) bounds the time: when the runs would not fit, every k-th N is
# tried (k printed, starting at an offset that changes daily), so the run stays bounded in CI;
# TORTURE_SECONDS=0 tries every N. TORTURE_CASES="query import" runs only those cases.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/${1:-build-asan}"
fx="$top/tests/torture/fixture"
budget=${TORTURE_SECONDS:-600}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KPI_NOW=2026-11-10T12:00:00Z NO_COLOR=1
export ASAN_OPTIONS=detect_leaks=1:exitcode=70 LSAN_OPTIONS=exitcode=71
export UBSAN_OPTIONS=print_stacktrace=1:exitcode=72
unset KPI_TORTURE_FAIL KPI_TORTURE_TRACE KPI_WORKSPACE

# The workspaces the cases start from: "empty" (kpi.db made) and "full" (the orders imported).
mkdir "$tmp/empty" && cp "$fx/kpi.yaml" "$tmp/empty/" && "$build/kpi" -w "$tmp/empty" streams \
    >/dev/null || { echo "torture: cannot make the fixture workspace"; exit 1; }
cp -r "$tmp/empty" "$tmp/full"
"$build/kpi" -w "$tmp/full" import orders "$fx/orders.csv" >/dev/null 2>&1

# The cases, NAME|FROM|STATE|LAST|COMMAND: STATE is what the stored data is read back with (by the
# plain kpi tool) after a run that succeeded; LAST > 0 tries only the last LAST allocations, each
# of them whatever the time budget (the JSON writer, where jansson ignored a failed write).
cases() {
    echo "import|empty|query revenue --from 2025-01-01 --to 2026-12-31 --grain month --by rep --format csv|0|import orders $fx/orders.csv"
    echo "ndjson|full|query revenue --from 2025-01-01 --to 2026-12-31 --grain month --by rep --format csv|0|import orders $fx/orders.ndjson"
    echo "query|full||0|query revenue,gross_margin,orders_won --period 2026-10 --by region --format json"
    echo "json|full||80|query revenue,gross_margin,orders_won --period 2026-10 --by region --format json"
    echo "report|full||0|report --period 2026-10"
    echo "targets|full|query revenue --period 2026-10 --by rep --format csv|0|targets import $fx/quotas.csv"
    echo "export|full||0|export orders --format ndjson --from 2026-10-01 --to 2026-10-31"
    echo "sqlite|full||0|export orders --format sqlite --output ws/orders.db"
}

# run N FROM STATE CMD: one run with allocation N failing (0: none) in a fresh copy of FROM;
# leaves rc, and out, err, state in $tmp.
run() {
    rm -rf "$tmp/ws" && cp -r "$tmp/$2" "$tmp/ws"
    # shellcheck disable=SC2086 # CMD is split into words on purpose
    (cd "$tmp" && KPI_TORTURE_FAIL=$1 KPI_TORTURE_COUNT="$tmp/count" \
        "$build/kpi-torture" -w "$tmp/ws" $4 >"$tmp/out" 2>"$tmp/err")
    rc=$?
    : >"$tmp/state"
    # shellcheck disable=SC2086
    [ -n "$3" ] && "$build/kpi" -w "$tmp/ws" $3 >"$tmp/state" 2>&1
    cat "$tmp"/ws/rejects/* >>"$tmp/state" 2>/dev/null # the reject file is output too
}

passed=0 failed=0 ncases=$(cases | wc -l)
: >"$tmp/messages"
while IFS='|' read -r name from state last cmd; do
    case " ${TORTURE_CASES:-$name} " in *" $name "*) ;; *) continue ;; esac
    t0=$(date +%s.%N)
    run 0 "$from" "$state" "$cmd"
    t1=$(date +%s.%N)
    base_rc=$rc
    cp "$tmp/out" "$tmp/base_out" && cp "$tmp/state" "$tmp/base_state"
    m=$(cat "$tmp/count" 2>/dev/null || echo 0)
    if [ "$m" -eq 0 ] || grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
        echo "not ok - $name: the run without failures fails (status $rc)"; cat "$tmp/err"
        failed=$((failed + 1)); continue
    fi
    step=1 n=1
    if [ "$last" -gt 0 ]; then
        n=$((m > last ? m - last + 1 : 1))
    elif [ "$budget" -gt 0 ]; then
        step=$(awk -v t="$t1" -v s="$t0" -v m="$m" -v b="$budget" -v c="$ncases" \
            'BEGIN { k = int((t - s) * m / (b / c)) + 1; print k < 1 ? 1 : k }')
    fi
    # with a stride, each day starts at another offset, so that runs on other days cover the rest
    [ "$step" -gt 1 ] && n=$(($(date +%j | sed 's/^0*//') % step + 1))
    echo "# $name: $m allocations, failing in turn each from number $n$([ "$step" -gt 1 ] && echo ", 1 in $step"): kpi $cmd"
    bad=0 clean=0 same=0
    while [ "$n" -le "$m" ]; do
        run "$n" "$from" "$state" "$cmd"
        why=""
        if grep -q 'Sanitizer\|runtime error' "$tmp/err" || [ "$rc" -ge 64 ]; then
            why="crash, leak or sanitizer report (status $rc)"
        elif [ "$rc" -eq "$base_rc" ]; then
            if ! cmp -s "$tmp/out" "$tmp/base_out"; then
                why="status $rc as without failure, but different output"
            elif ! cmp -s "$tmp/state" "$tmp/base_state"; then
                why="status $rc as without failure, but different stored data"
            else
                same=$((same + 1))
            fi
        elif [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
            why="exit status $rc"
        elif ! grep -q '^kpi: ' "$tmp/err"; then
            why="status $rc without a 'kpi: ' message"
        else
            clean=$((clean + 1))
            grep '^kpi: ' "$tmp/err" | head -1 | sed "s|$tmp|TMP|g" >>"$tmp/messages"
        fi
        if [ -n "$why" ]; then
            bad=$((bad + 1))
            echo "not ok - $name: allocation $n failing: $why"
            echo "#   rerun: KPI_TORTURE_FAIL=$n KPI_TORTURE_TRACE=1 $build/kpi-torture -w WS $cmd"
            sed 's/^/#   /' "$tmp/err" | head -30
            diff "$tmp/base_out" "$tmp/out" | head -5 | sed 's/^/#   /'
        fi
        n=$((n + step))
    done
    echo "#   $same as without failure, $clean clean errors, $bad failures"
    if [ "$bad" -eq 0 ]; then
        echo "ok - $name"; passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done <<EOF_CASES
$(cases)
EOF_CASES
echo "# the clean errors, by message:"
sort "$tmp/messages" | uniq -c | sort -rn | head -20 | sed 's/^/#  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
