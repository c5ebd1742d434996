# bench/lib.sh - the timing helpers of the benchmarks (sourced): each command runs as a fresh
# process under GNU time, for wall-clock seconds and peak RSS. Needs $tmp (a scratch directory)
# and $runs (how many runs measure() keeps the best of).

# once LABEL CMD...: runs CMD once, prints its seconds and peak RSS
once() {
    label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || {
        echo "bench: $label failed:"; cat "$tmp/stderr"; exit 1; }
    read -r secs kib < "$tmp/time"
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
