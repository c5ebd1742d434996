#!/bin/sh
# tools/demo.sh - `make demo`: builds a demo workspace in ./demo with a year and more of
# generated orders imported through the normal path, and shows what it holds.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kpi="$top/build/kpi"
dir="$top/demo"
rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/kpi.yaml" <<'YAML'
# The demo workspace: one stream of orders, as an ERP would export them.
workspace:
  name: Demo Retail
  timezone: Europe/Berlin
streams:
  orders:
    kind: events
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
"$top/build/gen_orders" 500000 2026 > "$dir/orders.csv"
echo "== kpi import orders orders.csv"
"$kpi" -w "$dir" import orders "$dir/orders.csv"
echo "== importing the same file again adds nothing"
"$kpi" -w "$dir" import orders "$dir/orders.csv"
echo "== kpi streams"
"$kpi" -w "$dir" streams
echo
echo "The workspace is in $dir: try 'build/kpi -w demo streams' or 'sqlite3 demo/kpi.db'."
