# kpi serve keeps kpi.db sound across a large ingest: SQLite's POSIX locks belong to the process
# and closing ANY descriptor of kpi.db drops them all, after which another process sees no
# reader, deletes the WAL and -shm under the running server and the database is corrupt. So:
# an upload that writes well past the 64 MiB WAL threshold (the checkpointer thread runs), then
# a CLI opens the workspace while the server runs, then the server must still hold its lock,
# answer with every row, and the database pass SQLite's integrity check.
. "$KPI_TOP/tests/cli/lib.sh"

command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed as the HTTP client"; exit 0; }
[ -r /proc/locks ] || { echo "ok 1 # skip /proc/locks is needed"; exit 0; }
rows=${KPI_LOCK_ROWS:-1200000}
export KPI_NOW=2027-01-15T12:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
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
kpis:
  order_count:
    formula: count(orders)
    unit: count
YAML
"$(dirname "$KPI")/gen_orders" "$rows" 7 > orders.csv
"$KPI" streams >/dev/null

port=$(free_port)
"$KPI" serve --listen "127.0.0.1:$port" --threads 2 --max-body 1000000000 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT

export KPI_HTTP_TIMEOUT=300


# locked: the server holds a POSIX lock on kpi.db (SQLite's shared lock of an open WAL reader)
locked() {
    ino=$(stat -c %i ws/kpi.db)
    grep -E "POSIX .* $pid [0-9a-f]+:[0-9a-f]+:$ino " /proc/locks >/dev/null
}

expect "a large upload is stored whole and writes past the WAL threshold" '
    get /api/v1/streams/orders/events POST orders.csv text/csv
    grep -q "^200" status
    grep -q "\"accepted\":$rows" body
'

expect "the server still holds its lock on kpi.db after the ingest" '
    get "/api/v1/query?kpi=order_count&from=2024-01-01&to=2026-12-31&grain=all"
    grep -q "^200" status
    locked || { echo "no POSIX lock of pid $pid on kpi.db:"; cat /proc/locks; exit 1; }
'

expect "a CLI opening the workspace meanwhile leaves the WAL of the running server alone" '
    "$KPI" query order_count --from 2024-01-01 --to 2026-12-31 --grain all --format csv > cli
    has cli "$rows"
    [ -e ws/kpi.db-wal ] && [ -e ws/kpi.db-shm ] || { echo "the WAL or -shm of the running server was deleted"; ls ws; exit 1; }
    get "/api/v1/query?kpi=order_count&from=2024-01-01&to=2026-12-31&grain=all"
    grep -q "^200" status
    has body "\"value\": $rows,"
    locked
'

expect "kpi.db passes the integrity check while the server runs" '
    eq "$(sqlite3 ws/kpi.db "PRAGMA integrity_check")" ok
'
