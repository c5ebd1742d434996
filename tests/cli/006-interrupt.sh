# Interruptions: Ctrl-C and kill -9 in the middle of an import leave whole batches only, and a
# second import completes the stream without duplicating a row.
. "$KPI_TOP/tests/cli/lib.sh"

gen="$(dirname "$KPI")/gen_orders"
mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  orders:
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
"$gen" 400000 7 > big.csv

# wait_rows N: waits until at least N rows are committed (at most 20 s)
wait_rows() {
    i=0
    while [ "$(sql "SELECT count(*) FROM orders" 2>/dev/null || echo 0)" -lt "$1" ] && [ $i -lt 200 ]; do
        sleep 0.1; i=$((i + 1))
    done
}

expect "SIGINT stops after the batch in flight: exit 130, whole batches only" '
    "$KPI" import orders big.csv --batch 1000 >out 2>err &
    pid=$!
    wait_rows 1000
    kill -INT $pid
    set +e; wait $pid; code=$?; set -e
    rows=$(sql "SELECT count(*) FROM orders")
    echo "exit $code, rows $rows"
    if [ "$code" -eq 0 ]; then exit 0; fi   # finished before the signal: nothing to check
    eq "$code" 130
    has err "interrupted"
    eq $((rows % 1000)) 0'

expect "kill -9 leaves whole batches only" '
    sqlite3 ws/kpi.db "DELETE FROM orders"
    "$KPI" import orders big.csv --batch 1000 >out 2>err &
    pid=$!
    wait_rows 2000
    kill -9 $pid
    set +e; wait $pid; set -e
    rows=$(sql "SELECT count(*) FROM orders")
    echo "rows $rows"
    eq $((rows % 1000)) 0'

expect "importing again completes the stream without duplicating a row" '
    run_kpi 0 import orders big.csv --batch 1000
    eq "$(sql "SELECT count(*) FROM orders")" 400000
    eq "$(sql "SELECT count(DISTINCT order_id) FROM orders")" 400000'

expect "money sums exactly: the stored total equals the file total to the cent" '
    want=$(awk -F, "NR > 1 { split(\$8, p, \".\"); c += p[1] * 100 + p[2] } END { printf \"%.0f00\", c }" big.csv)
    eq "$(sql "SELECT sum(revenue) FROM orders")" "$want"'
