#!/bin/sh
# bench/run.sh - import speed and memory of `kpi import` against the anchor, the sqlite3 shell's
# .import, in one run on the same generated file. Prints seconds, rows/s, peak RSS, ratios and
# the issue's targets.
#
#   BENCH_ROWS=10000000 make bench      (default 10 million rows; the file is cached in bench/out)
#   BENCH_RUNS=3                        (runs of each tool, interleaved; the best is kept)
#   BENCH_ORDER=shuffled                (the same rows in random order: imports not in time order)
#
# The runs of the tools alternate (kpi, kpi, kpi on one core, sqlite3, then again), so that a
# busy spell of a shared machine hits every tool alike; each tool's best run is reported.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
rows=${BENCH_ROWS:-10000000}
runs=${BENCH_RUNS:-3}
out="$top/bench/out"
mkdir -p "$out"
command -v sqlite3 >/dev/null || { echo "bench: needs the sqlite3 shell (make deps)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
command -v taskset >/dev/null || { echo "bench: needs taskset (util-linux)"; exit 1; }

csv="$out/orders-$rows.csv"
[ -s "$csv" ] || "$build/gen_orders" "$rows" 42 > "$csv"
if [ "${BENCH_ORDER:-time}" = shuffled ]; then
    shuffled="$out/orders-$rows-shuffled.csv"
    [ -s "$shuffled" ] || { head -1 "$csv"; tail -n +2 "$csv" | shuf --random-source="$csv"; } \
        > "$shuffled"
    csv=$shuffled
fi
size=$(stat -c %s "$csv")

workspace() { # workspace DIR ID_LINE
    rm -rf "$1"
    mkdir -p "$1"
    cat > "$1/kpi.yaml" <<YAML
streams:
  orders:
    time: ordered_at
$2
    fields:
      order_id: text
      ordered_at: time
      customer: text
      region: text
      rep: text
      product: text
      quantity: integer
      revenue: number
      cost: number
      status: text
YAML
    "$build/kpi" -w "$1" streams >/dev/null
}

tmp=$out
. "$top/bench/lib.sh"

# record LABEL CMD...: runs CMD once (a fresh database each time), appends "label secs kib"
record() {
    timed "$@"
    echo "$1 $secs $kib" >> "$out/runs"
}

: > "$out/runs"
i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    workspace "$out/ws-id" "    id: order_id"
    record "kpi-import(id,validated)" "$build/kpi" -w "$out/ws-id" import orders "$csv" --quiet
    workspace "$out/ws-noid" ""
    record "kpi-import(no-id,validated)" "$build/kpi" -w "$out/ws-noid" import orders "$csv" --quiet
    workspace "$out/ws-id" "    id: order_id"
    record "kpi-import(id,validated,1-core)" taskset -c 0 \
        "$build/kpi" -w "$out/ws-id" import orders "$csv" --quiet
    rm -f "$out/anchor.db"
    record "sqlite3-.import(untyped)" sqlite3 "$out/anchor.db" ".mode csv" ".import $csv orders"
done
# the best time and the largest peak RSS of each tool, in the order of their first run
awk '{ if (!($1 in best)) { order[++n] = $1; best[$1] = $2; peak[$1] = $3 }
       if ($2 < best[$1]) best[$1] = $2
       if ($3 > peak[$1]) peak[$1] = $3 }
     END { for (k = 1; k <= n; k++) print order[k], best[order[k]], peak[order[k]] }' \
    "$out/runs" > "$out/results"

echo "import of $rows rows, $((size / 1048576)) MiB CSV, best of $runs interleaved runs;" \
     "kpi parses and commits on two threads (1-core: both pinned to one core), sqlite3 uses one" \
     "($(nproc) cores here, load average $(cut -d' ' -f1 /proc/loadavg) at the end)"
printf "%-32s %9s %12s %10s %10s\n" tool seconds rows/s peak-MiB vs-sqlite3
anchor=$(awk '/^sqlite3/ { print $2 }' "$out/results")
while read -r label secs kib; do
    awk -v l="$label" -v s="$secs" -v k="$kib" -v n="$rows" -v a="$anchor" 'BEGIN {
        printf "%-32s %9.2f %12.0f %10.1f %9.2fx\n", l, s, n / s, k / 1024, a / s }'
done < "$out/results"
awk -v n="$rows" -v a="$anchor" '
    { secs[$1] = $2; kib[$1] = $3 }
    END {
        id = "kpi-import(id,validated)"; one = "kpi-import(id,validated,1-core)"
        peak = 0
        for (k in kib) if (k ~ /^kpi/ && kib[k] > peak) peak = kib[k]
        printf "target: kpi (id, validated) at least 2x sqlite3 .import: %.2fx -> %s\n",
               a / secs[id], (a / secs[id] >= 2 ? "met" : "NOT met")
        printf "target: at least 1,000,000 rows/s on one core: %.0f rows/s (%.2fx sqlite3) -> %s\n",
               n / secs[one], a / secs[one], (n / secs[one] >= 1000000 ? "met" : "NOT met")
        printf "target: peak RSS under 64 MiB: %.1f MiB -> %s\n", peak / 1024,
               (peak / 1024 < 64 ? "met" : "NOT met")
    }' "$out/results"
