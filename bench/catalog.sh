#!/bin/sh
# bench/catalog.sh - speed and memory of the full `kpi report` (every KPI of the standard catalog:
# the month, the previous month, last year and a 12-month sparkline) against the anchors, in one
# run on the same generated data: the same numbers written by hand in SQL, in the sqlite3 shell
# over kpi.db itself, and in DuckDB (npm @duckdb/node-api) over the same CSVs loaded into DuckDB
# tables. Checks that all of them agree on every number, then prints seconds, peak RSS and the
# ratio to sqlite3.
#
#   make && npm ci && sh bench/catalog.sh     (BENCH_SCALE, default 4.3: about 10 million events;
#                                              BENCH_RUNS, default 1)
#
# The workspace is `kpi demo --scale BENCH_SCALE --keep-csv` (79 KPIs over 33 streams), built once
# into bench/out/ws-catalog-SCALE and reused (delete it to rebuild); the SQL is
# bench/catalog/sqlite.sql and duckdb.sql (duckdb-load.sql loads the CSVs).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
scale=${BENCH_SCALE:-4.3}   # 10,005,060 events
runs=${BENCH_RUNS:-1}
here="$top/bench/catalog"
out="$top/bench/out"
tmp="$out/catalog"           # this benchmark's scratch files (bench/run.sh owns bench/out/*)
ws="$out/ws-catalog-$scale"
duck="$out/catalog-$scale.duckdb"
period=2026-10
mkdir -p "$tmp"
command -v sqlite3 >/dev/null || { echo "bench: needs the sqlite3 shell (make deps)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
command -v node >/dev/null || { echo "bench: needs node (20 or later)"; exit 1; }
[ -d "$top/node_modules/@duckdb/node-api" ] || {
    echo "bench: needs @duckdb/node-api: run 'npm ci' in $top"; exit 1; }
[ -x "$build/kpi" ] || { echo "bench: run make first"; exit 1; }
export KPI_NOW=2026-11-23T12:00:00Z   # today is pinned: 2026-10 is the last complete month

echo "catalog benchmark: kpi demo --scale $scale, best of $runs cold runs; $(nproc) cores," \
     "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"

. "$top/bench/lib.sh"

echo "setup (once, not compared):"
if [ ! -f "$ws/.bench-complete" ]; then
    rm -rf "$ws"
    once "kpi demo --scale $scale" "$build/kpi" demo "$ws" --scale "$scale" --keep-csv --quiet
    : > "$ws/.bench-complete"
else
    echo "  workspace $ws (cached)"
fi
events=$(for f in "$ws"/data/*.csv; do
             case $f in */targets.csv) ;; *) tail -n +2 "$f" | wc -l ;; esac
         done | awk '{ n += $1 } END { print n }')
streams=$(ls "$ws"/data/ | grep -v '^targets\.csv$' | sed 's/-[0-9-]*\.csv$//' | sort -u | wc -l)
echo "  $events events in $streams streams, $(ls "$ws"/kpis/*.yaml | wc -l) catalog files," \
     "kpi.db $(du -m "$ws/kpi.db" | cut -f1) MiB"
once "duckdb load CSVs into tables" \
    node "$here/duckdb.js" load "$ws/data" "$here/duckdb-load.sql" "$duck"
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

echo
echo "every number of $period (value, previous, last year) and the 12 months of the sparkline:"
status=0
node "$here/check.js" "$tmp/kpi-report.json" sqlite3="$tmp/sqlite3.csv" \
    duckdb="$tmp/duckdb.csv" duckdb-1thread="$tmp/duckdb-1.csv" > "$tmp/check.txt" || status=1
grep -v '^MATCH' "$tmp/check.txt" || true
echo "(per KPI: $tmp/check.txt)"

echo
nkpis=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).kpis.length)' \
    "$tmp/kpi-report.json")
echo "kpi report --period $period: $nkpis KPIs, month grain" \
     "over $events events ($streams streams)"
print_results
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
