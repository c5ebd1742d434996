#!/bin/sh
# bench/serve.sh - load on `kpi serve`, with wrk from Debian: the query API answering the demo
# company's current report at 64 connections for BENCH_SECONDS (30), then HTTP ingest of a
# generated orders CSV (BENCH_ROWS, 1 million) through POST /api/v1/streams/orders/events.
# Prints requests/s, latency percentiles, errors and rows/s against the issue's targets.
#
#   make && sh bench/serve.sh          (needs wrk and curl: apt-get install wrk curl)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
secs=${BENCH_SECONDS:-30}
rows=${BENCH_ROWS:-1000000}
out="$top/bench/out/serve"
port=${BENCH_PORT:-18099}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)"; exit 1; }
command -v curl >/dev/null || { echo "bench: needs curl (apt-get install curl)"; exit 1; }
[ -x "$build/kpi" ] && [ -x "$build/gen_orders" ] || { echo "bench: run make first"; exit 1; }
export KPI_NOW=2026-11-23T12:00:00Z
mkdir -p "$out"
echo "serve benchmark: $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$out/demo/.complete" ] || { rm -rf "$out/demo"; "$build/kpi" demo "$out/demo" --quiet; : > "$out/demo/.complete"; }
"$build/kpi" -w "$out/demo" serve --listen "127.0.0.1:$port" 2>"$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 1
url="http://127.0.0.1:$port/api/v1/report?period=2026-10"
curl -sf "$url" > "$out/report.json"
"$build/kpi" -w "$out/demo" report --period 2026-10 --format json > "$out/report-cli.json"
cmp -s "$out/report.json" "$out/report-cli.json" && echo "GET /api/v1/report = kpi report --format json (byte for byte)"
# each worker thread computes the report once, then answers from its cache until data changes
for i in 1 2 3 4; do curl -sf -o /dev/null "$url"; done
echo
echo "== wrk -t2 -c64 -d${secs}s $url"
wrk -t2 -c64 -d"${secs}s" --latency "$url" | tee "$out/wrk.txt"
rps=$(awk '/^Requests\/sec/ {print $2}' "$out/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")
echo "target (issue): >= 10,000 requests/s with p99 < 20 ms and no errors: $rps requests/s, p99 $p99"

echo
echo "== HTTP ingest: $rows order lines, POST /api/v1/streams/ingest_orders/events"
cat > "$out/ingest.yaml" <<'YAML'
streams:
  ingest_orders:
    time: ordered_at
    id: order_id
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
cp "$out/ingest.yaml" "$out/demo/kpis/zz-ingest.yaml"
kill $pid; wait $pid 2>/dev/null || true
"$build/kpi" -w "$out/demo" streams drop ingest_orders --yes >/dev/null 2>&1 || true
"$build/kpi" -w "$out/demo" serve --listen "127.0.0.1:$port" 2>>"$out/serve.err" &
pid=$!
sleep 1
csv="$out/orders-$rows.csv"
[ -s "$csv" ] || "$build/gen_orders" "$rows" 7 > "$csv"
start=$(date +%s.%N)
curl -sf -H "Content-Type: text/csv" --data-binary "@$csv" \
    "http://127.0.0.1:$port/api/v1/streams/ingest_orders/events" > "$out/ingest.json"
end=$(date +%s.%N)
cat "$out/ingest.json"; echo
awk -v s="$start" -v e="$end" -v n="$rows" 'BEGIN { printf "ingest: %d rows in %.2f s: %.0f rows/s (target: 500,000)\n", n, e - s, n / (e - s) }'
rm -f "$out/demo/kpis/zz-ingest.yaml"
