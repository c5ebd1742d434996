#!/bin/sh
# bench/run.sh - import speed and memory of `kpi import` against the anchor, the sqlite3 shell's
# .import, in one run on the same generated file. Prints seconds, rows/s, peak RSS and ratios.
#
#   BENCH_ROWS=10000000 make bench      (default 10 million rows; the file is cached in bench/out)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
rows=${BENCH_ROWS:-10000000}
out="$top/bench/out"
mkdir -p "$out"
command -v sqlite3 >/dev/null || { echo "bench: needs the sqlite3 shell (make deps)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }

csv="$out/orders-$rows.csv"
[ -s "$csv" ] || "$build/gen_orders" "$rows" 42 > "$csv"
size=$(stat -c %s "$csv")

# measure LABEL CMD...: runs CMD with a cold workspace, records "label seconds peak_kib"
measure() {
    label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || {
        echo "bench: $label failed:"; cat "$out/stderr"; exit 1; }
    read -r secs kib < "$out/time"
    echo "$label $secs $kib" >> "$out/results"
}

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
}

: > "$out/results"
workspace "$out/ws-id" "    id: order_id"
"$build/kpi" -w "$out/ws-id" streams >/dev/null
measure "kpi-import(id,validated)" "$build/kpi" -w "$out/ws-id" import orders "$csv" --quiet
workspace "$out/ws-noid" ""
"$build/kpi" -w "$out/ws-noid" streams >/dev/null
measure "kpi-import(no-id,validated)" "$build/kpi" -w "$out/ws-noid" import orders "$csv" --quiet
rm -f "$out/anchor.db"
measure "sqlite3-.import(untyped)" sqlite3 "$out/anchor.db" ".mode csv" ".import $csv orders"

echo "import of $rows rows, $((size / 1048576)) MiB CSV; kpi parses and commits on two threads, sqlite3 uses one ($(nproc) cores here)"
printf "%-30s %9s %12s %10s %8s\n" tool seconds rows/s peak-MiB vs-sqlite3
anchor=$(awk '/^sqlite3/ { print $2 }' "$out/results")
while read -r label secs kib; do
    awk -v l="$label" -v s="$secs" -v k="$kib" -v n="$rows" -v a="$anchor" 'BEGIN {
        printf "%-30s %9.2f %12.0f %10.1f %7.2fx\n", l, s, n / s, k / 1024, a / s }'
done < "$out/results"
