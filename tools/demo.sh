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
kpis:
  revenue:
    name: Revenue
    department: sales
    unit: currency
    formula: sum(orders.revenue where status != "cancelled")
    dimensions: [region, rep]
    targets: [{value: 9200000}]
  orders:
    name: Orders
    department: sales
    unit: count
    formula: count(orders where status != "cancelled")
    dimensions: [region, rep]
  average_order_value:
    name: Average order value
    department: sales
    unit: currency
    formula: revenue / orders
    dimensions: [region, rep]
    targets: [{value: 520}]
  gross_margin:
    name: Gross profit margin
    department: finance
    unit: percent
    decimals: 1
    formula: (revenue - sum(orders.cost where status != "cancelled")) / revenue * 100
    dimensions: [region]
    targets: [{value: 44}]
  return_rate:
    name: Return rate
    department: sales
    unit: percent
    decimals: 1
    direction: down
    formula: count(orders where status = "returned") / count(orders) * 100
    dimensions: [region]
    targets: [{value: 19}]
YAML
"$top/build/gen_orders" 500000 2026 > "$dir/orders.csv"
echo "== kpi import orders orders.csv"
"$kpi" -w "$dir" import orders "$dir/orders.csv"
echo "== importing the same file again adds nothing"
"$kpi" -w "$dir" import orders "$dir/orders.csv"
echo "== kpi streams"
"$kpi" -w "$dir" streams
echo
echo "== kpi report (the last complete month)"
"$kpi" -w "$dir" report
echo
echo "The workspace is in $dir. Try: build/kpi -w demo query revenue --by region"
echo "                               build/kpi -w demo top revenue --by rep -n 5"
