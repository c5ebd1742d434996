# kpi import and the values people trust: float noise rounded half to even to the field's scale
# and counted (round: false rejects it), in CSV and NDJSON alike; text trimmed and in NFC so
# that what reads the same is one group; a NUL in text, a duplicated header and invalid UTF-8
# refused where and why; a reject's value never empty; --as-of for files without a time column.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  orders:
    time: day
    fields:
      day: date
      region: text
      profit: number
      cost: {type: number, scale: 2, round: false}
kpis:
  profit:
    formula: sum(orders.profit)
    unit: number
    decimals: 4
    grain: month
    dimensions: [region]
YAML
printf 'day,region,profit,cost\n2026-01-05,West,-8.5794000000001,1\n2026-01-06,West ,0.00125,2\n2026-01-07,Caf\303\251,0.00135,3\n2026-01-08,Cafe\314\201,1.5,4\n2026-01-09, East\302\240,2,5\n' > noise.csv

expect "float noise is rounded half to even to the field's scale and counted" '
    run_kpi 0 import orders noise.csv
    has out "noise.csv: 5 accepted, 0 rejected, 0 duplicates"
    has out "3 values rounded to 4 decimals"
    eq "$(sql "SELECT group_concat(profit) FROM (SELECT profit FROM orders ORDER BY day)")" \
        "-85794,12,14,15000,20000"'

expect "text is trimmed and in NFC: one group for what reads the same" '
    eq "$(sql "SELECT count(DISTINCT region) FROM orders")" 3
    eq "$(sql "SELECT hex(region) FROM orders WHERE day = (SELECT max(day) FROM orders)")" 45617374
    eq "$(sql "SELECT count(*) FROM orders WHERE region = char(67, 97, 102, 233)")" 2
    run_kpi 0 query profit --period 2026-01 --by region --format csv
    eq "$(grep -c "^profit,2026-01," out)" 3
    has out "profit,2026-01,West,-8.5782,"'

expect "round: false rejects extra decimals, and the reject shows the value" '
    printf "day,region,profit,cost\n2026-02-01,West,1,0.125\n" > strict.csv
    run_kpi 3 import orders strict.csv --rejects rej.csv
    has rej.csv "2,19,cost,0.125,more than 2 decimal places (raise the field'"'"'s scale)"'

expect "NDJSON numbers are read as written: 0.30000000000000004 is rounded the same way" '
    printf "{\"day\":\"2026-03-01\",\"region\":\"N\",\"profit\":0.30000000000000004,\"cost\":1}\n{\"day\":\"2026-03-02\",\"region\":\"N\",\"profit\":-1.5e-3,\"cost\":1}\n{\"day\":\"2026-03-03\",\"region\":\"N\",\"profit\":1,\"cost\":0.30000000000000004}\n" > noise.ndjson
    run_kpi 3 import orders noise.ndjson --rejects rej.ndjson
    has out "2 accepted, 1 rejected"
    has out "1 value rounded to 4 decimals"
    eq "$(sql "SELECT group_concat(profit) FROM (SELECT profit FROM orders WHERE region = \"N\" ORDER BY day)")" "3000,-15"
    has rej.ndjson "\"_value\":\"0.30000000000000004\""
    has rej.ndjson "more than 2 decimal places"'

expect "a NUL inside a text value rejects the row, saying where" '
    printf "day,region,profit,cost\n2026-04-01,We\000st,1,1\n2026-04-02,West,1,1\n" > nul.csv
    run_kpi 3 import orders nul.csv --rejects rej-nul.csv
    has out "1 accepted, 1 rejected"
    has rej-nul.csv "2,12,region,"
    has rej-nul.csv "NUL byte at byte 3 of the text"
    eq "$(sql "SELECT count(*) FROM orders WHERE region LIKE \"We%\" AND day >= 20544")" 1'

expect "a reject about the whole row still shows a value" '
    printf "day,region,profit,cost\n2026-05-01,West,1,1,extra\n2026-05-02,West\n" > count.csv
    run_kpi 3 import orders count.csv --rejects rej-count.csv
    has rej-count.csv "2,21,,extra,row has 5 fields but the header has 4"
    has rej-count.csv "3,1,,\"2026-05-02,West\",row has 2 fields"'

expect "a duplicated header column is an error naming both" '
    printf "day,region,profit,Region,cost\n2026-06-01,West,1,East,1\n" > dup.csv
    run_kpi 0 import orders dup.csv
    printf "day,region,profit,region,cost\n2026-06-01,West,1,East,1\n" > dup.csv
    run_kpi 1 import orders dup.csv
    has err "columns 2 ('"'"'region'"'"') and 4 ('"'"'region'"'"') of the header both name the column '"'"'region'"'"' of field '"'"'region'"'"'"
    printf "day,Profit,profit ,region,cost\n2026-06-01,1,2,W,1\n" > dup.csv
    run_kpi 1 import orders dup.csv
    has err "columns 2 ('"'"'Profit'"'"') and 3 ('"'"'profit '"'"')"'

mkdir snap && cat > snap/kpi.yaml <<'YAML'
streams:
  customers:
    kind: snapshots
    time: as_of
    fields:
      as_of: date
      customer_id: {type: text, column: customerID}
      monthly: {type: number, column: MonthlyCharges}
      churn: {type: bool, column: Churn}
kpis:
  customers:
    formula: count(customers)
    unit: count
YAML
printf "customerID,MonthlyCharges,Churn\nA,29.85,No\nB,56.95,Yes\n" > customers.csv

expect "--as-of stamps every row of a file without a time column" '
    run_kpi 1 -w snap import customers customers.csv
    has err "missing column '"'"'as_of'"'"' for required field '"'"'as_of'"'"'"
    has err "--as-of DATE"
    run_kpi 0 -w snap import customers customers.csv --as-of 2026-10-31
    has out "2 accepted, 0 rejected"
    eq "$(sqlite3 snap/kpi.db "SELECT group_concat(as_of) FROM customers")" "20757,20757"
    eq "$(sqlite3 snap/kpi.db "SELECT DISTINCT _key >> 40 FROM customers")" 20757'

expect "--as-of refuses a bad date and a file that has the time column" '
    run_kpi 2 -w snap import customers customers.csv --as-of 2026-13-01
    has err "invalid as-of date '"'"'2026-13-01'"'"' for the time field '"'"'as_of'"'"'"
    printf "as_of,customerID\n2026-10-31,C\n" > with-time.csv
    run_kpi 1 -w snap import customers with-time.csv --as-of 2026-10-31
    has err "the file has a column '"'"'as_of'"'"' for the time field"'

# The rejects an upload answers with (first_rejected) come from the import's callback: its
# value and reason must be valid UTF-8 for the JSON answer to hold them.
if command -v python3 >/dev/null; then
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$KPI" serve --listen "127.0.0.1:$port" 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT
expect "an upload with invalid UTF-8 names the row, the field and why in first_rejected" '
    printf "day,region,profit,cost\n2026-07-01,W\377st,1,1\n2026-07-02,West,1,1\n" > bad-utf8.csv
    python3 - "$port" <<PY
import http.client, json, sys, time
for attempt in range(100):
    try:
        c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
        c.request("POST", "/api/v1/streams/orders/events", body=open("bad-utf8.csv", "rb").read(),
                  headers={"Content-Type": "text/csv"})
        r = c.getresponse()
        break
    except ConnectionRefusedError:
        time.sleep(0.05)
body = json.loads(r.read())
assert (body["accepted"], body["rejected"]) == (1, 1), body
rej = body["first_rejected"]
assert len(rej) == 1, body
assert (rej[0]["line"], rej[0]["column"], rej[0]["field"], rej[0]["value"]) == \
    (2, 12, "region", "W\\\\xFFst"), rej
assert rej[0]["reason"].startswith("invalid UTF-8 at byte 2"), rej
PY'
kill $pid
fi
