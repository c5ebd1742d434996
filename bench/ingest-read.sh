#!/bin/sh
# bench/ingest-read.sh - do readers starve while the server ingests? wrk reads a cached report
# (GET /api/v1/report) at 16 connections for as long as a 1M-row CSV upload runs (POST
# /api/v1/streams/orders/events, BENCH_ROWS rows), then prints wrk's latency percentiles,
# errors and timeouts next to the issue's target (p99 of reads under 100 ms, no errors).
# A baseline run without the upload comes first.
#
#   make && sh bench/ingest-read.sh        (needs wrk and curl: apt-get install wrk curl)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
rows=${BENCH_ROWS:-1000000}
port=${BENCH_PORT:-18098}
threads=${BENCH_THREADS:-}   # the server's default when empty
out="$top/bench/out/ingest-read"
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)"; exit 1; }
command -v curl >/dev/null || { echo "bench: needs curl (apt-get install curl)"; exit 1; }
[ -x "$build/kpi" ] && [ -x "$build/gen_orders" ] || { echo "bench: run make first"; exit 1; }
export KPI_NOW=2026-11-23T12:00:00Z
rm -rf "$out/ws" && mkdir -p "$out/ws"
cat > "$out/ws/kpi.yaml" <<'YAML'
workspace:
  timezone: UTC
streams:
  orders:
    time: ordered_at
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
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region, rep]
    targets: [{value: 5000000}]
  order_count:
    formula: count(orders)
    unit: count
    dimensions: [region]
  margin:
    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue)
    unit: percent
YAML
csv="$out/orders-$rows.csv"
[ -s "$csv" ] || "$build/gen_orders" "$rows" 7 > "$csv"
"$build/gen_orders" 200000 3 > "$out/base.csv"
"$build/kpi" -w "$out/ws" import orders "$out/base.csv" >/dev/null
echo "ingest under reads: $(nproc) cores, ${threads:-the default number of} server threads, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/kpi" -w "$out/ws" serve --listen "127.0.0.1:$port" ${threads:+--threads "$threads"} 2>"$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 1
url="http://127.0.0.1:$port/api/v1/report?period=2026-10"
for i in 1 2 3 4; do curl -sf -o /dev/null "$url"; done

echo "== reads alone: wrk -t1 -c16 -d10s --latency --timeout 5s"
wrk -t1 -c16 -d10s --latency --timeout 5s "$url" | tee "$out/alone.txt" | grep -E "Latency|99%|Requests/sec|Socket|Non-2xx"

echo "== reads while $rows rows are uploaded"
start=$(date +%s.%N)
curl -sf -H "Content-Type: text/csv" --data-binary "@$csv" \
    "http://127.0.0.1:$port/api/v1/streams/orders/events" > "$out/ingest.json" &
up=$!
wrk -t1 -c16 -d600s --latency --timeout 5s "$url" > "$out/during.txt" &
w=$!
wait $up
end=$(date +%s.%N)
kill -INT $w; wait $w || true
grep -E "Latency|99%|Requests/sec|Socket|Non-2xx" "$out/during.txt"
cat "$out/ingest.json"; echo
awk -v s="$start" -v e="$end" -v n="$rows" \
    'BEGIN { printf "upload: %d rows in %.2f s (%.0f rows/s)\n", n, e - s, n / (e - s) }'
p99=$(awk '$1 == "99%" {print $2}' "$out/during.txt")
echo "target (issue 17): reads p99 < 100 ms with no errors during the upload: p99 $p99"
