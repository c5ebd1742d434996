# kpi export: a stream's events in time order as CSV, NDJSON or a new SQLite file, days cut at
# local midnight (a DST zone), exact values, a CSV that `kpi import` reads back into the same
# rows, and clear refusals.
. "$KPI_TOP/tests/cli/lib.sh"
export KPI_NOW=2026-12-10T12:00:00Z
TAB=$(printf '\t')

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  name: Export
  timezone: America/New_York
streams:
  orders:
    time: ordered_at
    id: order_id
    fields:
      order_id: text
      ordered_at: time
      shipped_on: date
      revenue: number
      rate: {type: number, scale: 9}
      quantity: integer
      region: text
      paid: bool
      note: text
kpis:
  revenue:
    formula: sum(orders.revenue)
    dimensions: [region]
  orders_n:
    formula: count(orders)
  regions:
    formula: count_distinct(orders.region)
  avg_rate:
    formula: avg(orders.rate)
  quantity:
    formula: sum(orders.quantity where paid = true)
YAML

# Out of time order (A6 before A5 on the same local day); New York: EDT (UTC-4) until 2026-11-01 02:00, then EST (UTC-5), so local
# midnight is 04:00Z in October and 05:00Z from 2 November (1 November has 25 hours).
cat > in.csv <<CSV
order_id,ordered_at,shipped_on,revenue,rate,quantity,region,paid,note
A1,2026-10-05T10:00:00Z,2026-10-06,12.50,0.123456789,2,West,yes,"hello, world"
A7,2026-11-02T05:00:00Z,2026-11-02,0.0000,3.14,1,West,no,Ünïcödé ✓
A2,2026-10-05T03:59:59.999999Z,,-0.0001,,-3,"East ""Side""",no,"two
lines"
A6,2026-11-02T04:59:59.5Z,2026-11-02,-12.3456,,5,"East ""Side""",yes,a;b
A5,2026-11-01T04:00:00Z,,99999999.9999,-2.5,10,West,,tab${TAB}here
A3,2026-10-06T04:00:00Z,2026-10-07,3,1,,Zürich,true,
A4,2026-11-01T03:59:59Z,2026-11-03,1234567.891,0.000000001,0,北京,false,"say ""hi"""
CSV

cat > want.csv <<CSV
order_id,ordered_at,shipped_on,revenue,rate,quantity,region,paid,note
A2,2026-10-05T03:59:59.999999Z,,-0.0001,,-3,"East ""Side""",false,"two
lines"
A1,2026-10-05T10:00:00Z,2026-10-06,12.5,0.123456789,2,West,true,"hello, world"
A3,2026-10-06T04:00:00Z,2026-10-07,3,1,,Zürich,true,
A4,2026-11-01T03:59:59Z,2026-11-03,1234567.891,0.000000001,0,北京,false,"say ""hi"""
A5,2026-11-01T04:00:00Z,,99999999.9999,-2.5,10,West,,tab${TAB}here
A6,2026-11-02T04:59:59.500000Z,2026-11-02,-12.3456,,5,"East ""Side""",true,a;b
A7,2026-11-02T05:00:00Z,2026-11-02,0,3.14,1,West,false,Ünïcödé ✓
CSV

cat > want.ndjson <<'JSON'
{"order_id":"A2","ordered_at":"2026-10-05T03:59:59.999999Z","shipped_on":null,"revenue":-0.0001,"rate":null,"quantity":-3,"region":"East \"Side\"","paid":false,"note":"two\nlines"}
{"order_id":"A1","ordered_at":"2026-10-05T10:00:00Z","shipped_on":"2026-10-06","revenue":12.5,"rate":0.123456789,"quantity":2,"region":"West","paid":true,"note":"hello, world"}
{"order_id":"A3","ordered_at":"2026-10-06T04:00:00Z","shipped_on":"2026-10-07","revenue":3,"rate":1,"quantity":null,"region":"Zürich","paid":true,"note":null}
{"order_id":"A4","ordered_at":"2026-11-01T03:59:59Z","shipped_on":"2026-11-03","revenue":1234567.891,"rate":0.000000001,"quantity":0,"region":"北京","paid":false,"note":"say \"hi\""}
{"order_id":"A5","ordered_at":"2026-11-01T04:00:00Z","shipped_on":null,"revenue":99999999.9999,"rate":-2.5,"quantity":10,"region":"West","paid":null,"note":"tab\there"}
{"order_id":"A6","ordered_at":"2026-11-02T04:59:59.500000Z","shipped_on":"2026-11-02","revenue":-12.3456,"rate":null,"quantity":5,"region":"East \"Side\"","paid":true,"note":"a;b"}
{"order_id":"A7","ordered_at":"2026-11-02T05:00:00Z","shipped_on":"2026-11-02","revenue":0,"rate":3.14,"quantity":1,"region":"West","paid":false,"note":"Ünïcödé ✓"}
JSON

expect "the fixture imports whole" '
    run_kpi 0 import orders in.csv
    has out "7 accepted, 0 rejected"'

expect "csv: field names, time order, exact values, RFC 4180 quoting, nulls empty" '
    run_kpi 0 export orders
    diff -u want.csv out
    test ! -s err'

expect "csv is the default format and --output writes the same bytes to a file" '
    run_kpi 0 export orders --format csv --output o.csv
    cmp want.csv o.csv
    eq "$(cat out)" "orders: 7 rows written to o.csv"'

expect "ndjson: an object per row, keys in field order, typed values, null, escapes" '
    run_kpi 0 export orders --format ndjson
    diff -u want.ndjson out
    python3 -c "import json,sys; [json.loads(l) for l in open(\"out\", encoding=\"utf-8\")]"'

expect "--from/--to are local days: 5 October (EDT) starts at 04:00Z" '
    run_kpi 0 export orders --from 2026-10-05 --to 2026-10-05
    eq "$(cut -d, -f1 out | tr "\n" " ")" "order_id A1 "'

expect "--from/--to over the 25-hour 1 November: 04:00Z to 05:00Z the next day" '
    run_kpi 0 export orders --from 2026-11-01 --to 2026-11-01 --format ndjson
    eq "$(cut -c1-16 out | tr "\n" " ")" "{\"order_id\":\"A5\" {\"order_id\":\"A6\" "
    run_kpi 0 export orders --from 2026-10-04 --to 2026-10-06
    eq "$(sed 1d out | cut -d, -f1 | grep "^A" | tr "\n" " ")" "A2 A1 A3 "
    run_kpi 0 export orders --from 2026-11-02
    eq "$(sed 1d out | cut -d, -f1 | tr "\n" " ")" "A7 "
    run_kpi 0 export orders --to 2026-10-04
    eq "$(sed 1d out | cut -d, -f1 | grep "^A" | tr "\n" " ")" "A2 "
    run_kpi 0 export orders --from 2027-01-01
    eq "$(cat out)" "order_id,ordered_at,shipped_on,revenue,rate,quantity,region,paid,note"'

# The round trip: the CSV into a fresh workspace with the same kpi.yaml.
mkdir ws2 && cp ws/kpi.yaml ws2/
kpis=revenue,orders_n,regions,avg_rate,quantity

expect "round trip: the exported csv imports whole into a fresh workspace" '
    run_kpi 0 export orders --output back.csv
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 import orders back.csv
    has out "7 accepted, 0 rejected, 0 duplicates"'

expect "round trip: every KPI answers the same numbers, month by month and by region" '
    run_kpi 0 query $kpis --from 2026-10-01 --to 2026-11-30 --grain month --format csv
    mv out q1
    has q1 "revenue,2026-11,99999987.6543"
    has q1 "regions,2026-10,4"
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 query $kpis --from 2026-10-01 --to 2026-11-30 --grain month --format csv
    diff -u q1 out
    run_kpi 0 query revenue --from 2026-10-01 --to 2026-11-30 --by region --format csv
    mv out q2
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 query revenue --from 2026-10-01 --to 2026-11-30 --by region --format csv
    diff -u q2 out'

expect "round trip: the same rows, first and last times, and the same export" '
    run_kpi 0 streams --format json
    mv out s1
    has s1 "\"rows\": 7"
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 streams --format json
    diff -u s1 out
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 export orders
    diff -u want.csv out'

expect "round trip: importing the export again adds nothing (the stream has an id)" '
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 import orders back.csv
    has out "0 accepted, 0 rejected, 7 duplicates"
    KPI_WORKSPACE=$T_DIR/ws2 run_kpi 0 export orders
    diff -u want.csv out'

expect "sqlite: a new file the sqlite3 shell reads, typed columns" '
    run_kpi 0 export orders --format sqlite --output out.db
    has out "orders: 7 rows written to out.db"
    eq "$(sqlite3 out.db "select count(*), printf(\"%.4f\", sum(revenue)) from orders")" "7|101234571.0452"
    eq "$(sqlite3 out.db "select region, note from orders where order_id = \"A4\"")" "北京|say \"hi\""
    eq "$(sqlite3 out.db "select ordered_at, typeof(revenue), typeof(quantity), paid from orders where order_id = \"A6\"")" "2026-11-02T04:59:59.500000Z|real|integer|1"
    eq "$(sqlite3 out.db "select count(*) from orders where paid is null or rate is null or shipped_on is null")" 3
    eq "$(sqlite3 out.db "select group_concat(order_id, \" \") from (select order_id from orders order by rowid)")" "A2 A1 A3 A4 A5 A6 A7"'

expect "sqlite: --from/--to cut the same days" '
    run_kpi 0 export orders --format sqlite --output nov1.db --from 2026-11-01 --to 2026-11-01
    eq "$(sqlite3 nov1.db "select group_concat(order_id, \" \") from orders")" "A5 A6"'

expect "sqlite: an existing file is refused and left alone" '
    cksum out.db > before
    run_kpi 2 export orders --format sqlite --output out.db
    eq "$(cat err)" "kpi: '"'"'out.db'"'"' already exists: an sqlite export writes a new file"
    cksum out.db | cmp - before'

expect "sqlite: standard output is refused with a usage error" '
    run_kpi 2 export orders --format sqlite
    has err "kpi: --format sqlite writes a new file: name it with --output FILE (it cannot go to standard output)"
    has err "usage: kpi export STREAM"
    run_kpi 2 export orders --format sqlite --output -
    has err "--format sqlite writes a new file"
    test ! -s out'

expect "an unknown stream is a usage error with a suggestion" '
    run_kpi 2 export order
    eq "$(cat err)" "kpi: unknown stream '"'"'order'"'"' (did you mean '"'"'orders'"'"'?)"
    test ! -s out'

expect "bad dates and --from after --to are usage errors" '
    run_kpi 2 export orders --from 2026-13-01
    eq "$(cat err)" "kpi: invalid --from date '"'"'2026-13-01'"'"': month 13 out of range"
    run_kpi 2 export orders --to yesterday
    has err "kpi: invalid --to date '"'"'yesterday'"'"'"
    run_kpi 2 export orders --from 2026-10-06 --to 2026-10-05
    eq "$(cat err)" "kpi: --to 2026-10-05 is before --from 2026-10-06"
    test ! -s out'

expect "an unwritable --output fails (exit 1) naming it" '
    run_kpi 1 export orders --output "$T_DIR/nowhere/x.csv"
    eq "$(cat err)" "kpi: cannot write '"'"'$T_DIR/nowhere/x.csv'"'"': No such file or directory"
    run_kpi 1 export orders --format sqlite --output "$T_DIR/nowhere/x.db"
    eq "$(cat err)" "kpi: cannot create '"'"'$T_DIR/nowhere/x.db'"'"': No such file or directory"'

expect "a bad format, a missing stream, a second stream are usage errors" '
    run_kpi 2 export orders --format xml
    has err "kpi: unknown format '"'"'xml'"'"' (csv, ndjson or sqlite)"
    run_kpi 2 export
    has err "kpi: name the stream to export"
    run_kpi 2 export orders orders
    has err "kpi: one stream at a time"
    run_kpi 2 export orders --from
    has err "kpi: --from needs a value"'

expect "export --help tells the formats" '
    run_kpi 0 export --help
    has out "usage: kpi export STREAM [--from DATE] [--to DATE] [--format csv|ndjson|sqlite]"
    has out "--output FILE"'
