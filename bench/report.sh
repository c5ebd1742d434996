#!/bin/sh
# bench/report.sh - speed and memory of `kpi report` against the anchors, in one run on the same
# generated orders: the same numbers written by hand in SQL, in the sqlite3 shell over kpi.db
# itself, and in DuckDB (npm @duckdb/node-api) over the same CSV loaded into a DuckDB table.
# Checks that all of them agree, then prints seconds, peak RSS and the ratio to sqlite3.
#
#   make && npm ci && sh bench/report.sh     (BENCH_ROWS, default 10 million; BENCH_RUNS, 3)
#
# The workspace is bench/report/kpi.yaml; the SQL is bench/report/sqlite.sql and duckdb.sql.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
rows=${BENCH_ROWS:-10000000}
runs=${BENCH_RUNS:-3}
here="$top/bench/report"
out="$top/bench/out"
tmp="$out/report"            # this benchmark's scratch files (bench/run.sh owns bench/out/*)
ws="$out/ws-report"
duck="$out/report-$rows.duckdb"
period=2026-10
mkdir -p "$tmp"
command -v sqlite3 >/dev/null || { echo "bench: needs the sqlite3 shell (make deps)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
command -v node >/dev/null || { echo "bench: needs node (20 or later)"; exit 1; }
[ -d "$top/node_modules/@duckdb/node-api" ] || {
    echo "bench: needs @duckdb/node-api: run 'npm ci' in $top"; exit 1; }
if [ ! -x "$build/kpi" ] || [ ! -x "$build/gen_orders" ]; then echo "bench: run make first"; exit 1; fi
export KPI_NOW=2026-11-23T12:00:00Z   # today is pinned: 2026-10 is the last complete month
kpis=revenue,orders,average_order_value,gross_margin,units,cancelled_rate,returned_revenue
kpis=$kpis,max_order,west_share,active_customers,median_order_value

echo "report benchmark: $rows rows, best of $runs cold runs; $(nproc) cores," \
     "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"

csv="$out/orders-$rows.csv"
[ -s "$csv" ] || "$build/gen_orders" "$rows" 42 > "$csv"

. "$top/bench/lib.sh"

echo "setup (once, not compared):"
rm -rf "$ws"
mkdir -p "$ws"
cp "$here/kpi.yaml" "$ws/kpi.yaml"
"$build/kpi" -w "$ws" streams >/dev/null
once "kpi import" "$build/kpi" -w "$ws" import orders "$csv" --quiet
once "duckdb load CSV into a table" node "$here/duckdb.js" load "$csv" "$duck"
grep -h "duckdb load" "$tmp/stderr" | sed 's/^/    /'

: > "$tmp/results"
measure "kpi report" "$tmp/kpi-report.json" \
    "$build/kpi" -w "$ws" report --period "$period" --format json
measure "sqlite3 hand-written SQL" "$tmp/sqlite3.csv" \
    sqlite3 -bail "$ws/kpi.db" ".read $here/sqlite.sql"
# DuckDB: also the best in-process query time (without node's start and the database open)
: > "$tmp/inner"
inner="$tmp/duckdb-time"
measure "duckdb SQL ($(nproc) threads)" "$tmp/duckdb.csv" \
    node "$here/duckdb.js" query "$duck" "$here/duckdb.sql" "" "$inner"
measure "duckdb SQL (threads=1)" "$tmp/duckdb-1.csv" \
    node "$here/duckdb.js" query "$duck" "$here/duckdb.sql" 1 "$inner"
inner=

# where kpi's time goes: the statements of `kpi explain` alone in the sqlite3 shell
"$build/kpi" -w "$ws" explain "$kpis" --from 2025-11-01 --to 2026-10-31 --grain month \
    > "$tmp/explain.txt"
grep '^  SELECT' "$tmp/explain.txt" | sed 's/^  //; s/.*/SELECT count(*) FROM (&);/' \
    > "$tmp/kpi-scans.sql"
measure "sqlite3 running kpi's scan SQL" "$tmp/kpi-scans.out" \
    sqlite3 -bail "$ws/kpi.db" ".read $tmp/kpi-scans.sql"

echo
echo "numbers of $period (value, previous, last year) and the 12 months of the report:"
"$build/kpi" -w "$ws" query "$kpis" --period "$period" --format json > "$tmp/kpi-query.json"
status=0
node "$here/check.js" "$tmp/kpi-report.json" "$tmp/kpi-query.json" sqlite3="$tmp/sqlite3.csv" \
    duckdb="$tmp/duckdb.csv" duckdb-1thread="$tmp/duckdb-1.csv" || status=1

echo
echo "kpi report --period $period over $rows rows, $(grep -c '^  SELECT' "$tmp/explain.txt")" \
     "scans (kpi explain: $tmp/explain.txt)"
print_results
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
