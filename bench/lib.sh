# bench/lib.sh - the timing helpers of the benchmarks (sourced): each command runs as a fresh
# process under GNU time, for wall-clock seconds and peak RSS. Needs $tmp (a scratch directory)
# and $runs (how many runs measure() keeps the best of).

# timed LABEL CMD...: runs CMD once (stdout discarded); sets $secs and $kib (peak RSS)
timed() {
    label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || {
        echo "bench: $label failed:"; cat "$tmp/stderr"; exit 1; }
    read -r secs kib < "$tmp/time"
}

# once LABEL CMD...: runs CMD once, prints its seconds and peak RSS
once() {
    timed "$@"
    awk -v l="$label" -v s="$secs" -v k="$kib" \
        'BEGIN { printf "  %-34s %7.2f s %8.1f MiB\n", l, s, k / 1024 }'
}

# measure LABEL OUTFILE CMD...: runs CMD $runs times as fresh processes, stdout to OUTFILE;
# records "label best_seconds max_peak_kib" (the largest peak RSS of the runs). With $inner
# set, CMD writes its own in-process seconds there: the best is recorded in $tmp/inner.
measure() {
    label=$1 file=$2
    shift 2
    best='' peak=0 ibest=''
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$file" 2>"$tmp/stderr" || {
            echo "bench: $label failed:"; cat "$tmp/stderr"; exit 1; }
        read -r secs kib < "$tmp/time"
        best=$(awk -v a="$best" -v b="$secs" 'BEGIN { print (a == "" || b < a) ? b : a }')
        [ "$kib" -gt "$peak" ] && peak=$kib
        if [ -n "$inner" ]; then
            ibest=$(awk -v a="$ibest" -v b="$(cat "$inner")" \
                'BEGIN { print (a == "" || b < a) ? b : a }')
        fi
    done
    echo "$label $best $peak" >> "$tmp/results"
    [ -z "$inner" ] || echo "$label $ibest" >> "$tmp/inner"
}
inner=

# print_results: the table of $tmp/results (seconds, peak MiB, ratio to the sqlite3
# hand-written SQL), the in-process times of $tmp/inner, and the issue's target for kpi.
print_results() {
    printf "%-34s %9s %10s %11s\n" tool seconds peak-MiB vs-sqlite3
    anchor=$(grep '^sqlite3 hand-written' "$tmp/results" | awk '{ print $(NF - 1) }')
    while read -r line; do
        echo "$line" | awk -v a="$anchor" '{
            kib = $NF; secs = $(NF - 1); $NF = ""; $(NF - 1) = ""; sub(/ +$/, "")
            printf "%-34s %9.2f %10.1f %10.2fx\n", $0, secs, kib / 1024, secs / a }'
    done < "$tmp/results"
    echo "(seconds: best of $runs fresh processes, wall clock; peak-MiB: the largest peak RSS of" \
         "the runs; vs-sqlite3: time / sqlite3 time, below 1 is faster)"
    while read -r line; do
        echo "$line" | awk '{ s = $NF; $NF = ""; sub(/ +$/, "")
            printf "%s: %.3f s inside the process (query only)\n", $0, s }'
    done < "$tmp/inner"
    kpi_line=$(grep '^kpi report' "$tmp/results")
    echo "$kpi_line" | awk -v a="$anchor" '{ secs = $(NF - 1); mib = $NF / 1024
        printf "target (issue): kpi within 1.0x of the sqlite3 hand-written SQL and under 128 MiB:" \
               " %.2fx, %.1f MiB -> %s\n", secs / a, mib,
               (secs <= a && mib < 128) ? "met" : "NOT met" }'
}
