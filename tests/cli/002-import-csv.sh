# kpi import of CSV: RFC 4180 details, typed coercion, rejects with locations, idempotent
# re-imports, missing and extra columns, stdin.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  name: Test
  timezone: Europe/Berlin
streams:
  orders:
    time: ordered_at
    id: order_id
    fields:
      order_id: text
      ordered_at: {type: time, column: "Order Time"}
      revenue: {type: number, column: Revenue}
      quantity: integer
      region: text
      paid: bool
      note: text
YAML

# BOM, CRLF, quoted delimiter, escaped quotes, an embedded newline, columns in another order
printf '\357\273\277order_id,region,"Order Time",Revenue,quantity,paid,note,Extra\r\n' > a.csv
printf 'A1,West,2026-10-05T10:00:00Z,1234.50,2,yes,"hello, world",x\r\n' >> a.csv
printf 'A2,"East ""Side""",2026-10-05 23:30,0.01,1,no,"two\r\nlines",x\r\n' >> a.csv
printf 'A3,West,2026-10-06T01:00:00+02:00,"1,000.25",,true,,x\r\n' >> a.csv
printf 'A4,North,2026-10-07,12.3.4,1,yes,,x\r\n' >> a.csv
printf 'A5,North,not-a-time,1,1,yes,,x\r\n' >> a.csv
printf 'A6,North,2026-10-07,1,1.5,yes,,x\r\n' >> a.csv
printf 'A7,North,2026-10-07,1,1,maybe,,x\r\n' >> a.csv
printf ',North,2026-10-07,1,1,yes,,x\r\n' >> a.csv
printf 'A9,North,2026-10-07,1\r\n' >> a.csv

expect "import accepts good rows and exits 3 when some are rejected" '
    run_kpi 3 import orders a.csv --rejects rej.csv
    has out "a.csv: 3 accepted, 6 rejected, 0 duplicates"
    has out "rej.csv"'

expect "an extra column gets one warning" '
    has err "warning"
    has err "Extra"'

expect "values are stored typed and exact" '
    eq "$(sql "SELECT revenue, quantity, paid FROM orders WHERE order_id = '"'"'A1'"'"'")" "12345000|2|1"
    eq "$(sql "SELECT sum(revenue) FROM orders")" "22347600"
    eq "$(sql "SELECT region FROM orders WHERE order_id = '"'"'A2'"'"'")" "East \"Side\""'

expect "embedded newlines and quotes survive" '
    eq "$(sql "SELECT note FROM orders WHERE order_id = '"'"'A2'"'"'")" "$(printf "two\r\nlines")"
    eq "$(sql "SELECT note FROM orders WHERE order_id = '"'"'A1'"'"'")" "hello, world"'

expect "naive times are read in the workspace zone, offsets are honoured" '
    # 2026-10-05 23:30 Berlin (CEST, +02:00) = 21:30Z; 01:00+02:00 = 23:00Z the day before
    eq "$(sql "SELECT ordered_at FROM orders WHERE order_id = '"'"'A2'"'"'")" "1791235800000000"
    eq "$(sql "SELECT ordered_at FROM orders WHERE order_id = '"'"'A3'"'"'")" "1791241200000000"'

expect "rows are bucketed by local day" '
    # A3 is 2026-10-06 01:00 in Berlin even though it is 2026-10-05 in UTC
    eq "$(sql "SELECT (_key >> 40) FROM orders WHERE order_id = '"'"'A3'"'"'")" "20732"
    eq "$(sql "SELECT (_key >> 40) FROM orders WHERE order_id = '"'"'A2'"'"'")" "20731"'

expect "the reject file names line, column, field, value and reason, with the original row" '
    has rej.csv "_line,_column,_field,_value,_reason,order_id,region,Order Time,Revenue"
    has rej.csv "6,"
    has rej.csv ",Revenue," || has rej.csv ",revenue,"
    has rej.csv "12.3.4"
    has rej.csv "not-a-time"
    has rej.csv "required field '"'"'order_id'"'"' is empty"
    has rej.csv "row has 4 fields but the header has 8"
    has rej.csv "1.5"
    has rej.csv "maybe"
    eq "$(wc -l < rej.csv)" 7'

expect "a reject on a multi-line record reports the line where the field starts" '
    printf "order_id,Order Time,Revenue\nB1,2026-01-01,\"1\n2\"\n" > ml.csv
    run_kpi 3 import orders ml.csv --rejects ml-rej.csv
    has ml-rej.csv "2,"'

expect "re-importing the same file adds nothing and counts duplicates" '
    run_kpi 3 import orders a.csv --rejects rej2.csv
    has out "0 accepted, 6 rejected, 3 duplicates"
    eq "$(sql "SELECT count(*) FROM orders")" 3'

expect "ids repeated inside one file are duplicates too" '
    printf "order_id,Order Time,Revenue\nC1,2026-01-01,1\nC1,2026-01-02,2\n" > dup.csv
    run_kpi 0 import orders dup.csv
    has out "1 accepted, 0 rejected, 1 duplicates"'

expect "a missing required column stops the import before any row, with a suggestion" '
    printf "order_id,Order_Time,Revenue\nD1,2026-01-01,1\n" > miss.csv
    run_kpi 1 import orders miss.csv
    has err "miss.csv:1"
    has err "missing column '"'"'Order Time'"'"'"
    has err "did you mean '"'"'Order_Time'"'"'"
    eq "$(sql "SELECT count(*) FROM orders WHERE order_id = '"'"'D1'"'"'")" 0'

expect "header names match regardless of case and spaces" '
    printf "ORDER_ID, order time ,revenue\nE1,2026-02-01,5\n" > case.csv
    run_kpi 0 import orders case.csv
    has out "1 accepted"'

expect "stdin is read with -" '
    printf "order_id,Order Time,Revenue\nF1,2026-03-01,7\n" | run_kpi 0 import orders -
    has out "-: 1 accepted"'

expect "default reject files go to the workspace rejects folder" '
    printf "order_id,Order Time,Revenue\nG1,yesterday,7\n" > g.csv
    run_kpi 3 import orders g.csv
    ls ws/rejects/orders-*.csv
    has out "ws/rejects/orders-"'

expect "an unknown stream is a usage error with a suggestion" '
    run_kpi 2 import order a.csv
    has err "unknown stream '"'"'order'"'"' (did you mean '"'"'orders'"'"'?)"'

expect "streams shows rows and the time range in the workspace zone" '
    run_kpi 0 streams
    has out "orders"
    has out "2026-01-01T00:00:00+01:00"
    run_kpi 0 streams --format json
    has out "\"rows\": 6"'

expect "an unterminated quote fails with its line, keeping earlier rows" '
    printf "order_id,Order Time,Revenue\nH1,2026-04-01,1\nH2,2026-04-01,\"2\n" > q.csv
    run_kpi 1 import orders q.csv
    has err "q.csv:3"
    has err "unterminated"
    eq "$(sql "SELECT count(*) FROM orders WHERE order_id = '"'"'H1'"'"'")" 1'

expect "the import ledger records each run" '
    test "$(sql "SELECT count(*) FROM kpi_imports")" -ge 5'
