# Numbers people can trust, as the CLI shows them (issue 11, items 14-21): percent changes in
# points, the empty group as (none), the heading with workspace, period and completeness,
# partial periods, currency symbols, kpi check and broken KPIs kept in place, relative
# periods, --help on every command, completion scripts, kpi targets list/unset.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-23T12:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  name: Acme
  currency: EUR
streams:
  orders:
    time: at
    fields:
      at: time
      region: text
      revenue: number
      returned: integer
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region]
  return_rate:
    formula: sum(orders.returned) / count(orders) * 100
    unit: percent
  orders_per_return:
    formula: count(orders) / sum(orders.returned)
    unit: ratio
YAML
cat > orders.csv <<'CSV'
at,region,revenue,returned
2026-09-02T10:00:00Z,West,5000000,0
2026-09-03T10:00:00Z,West,610000,1
2026-10-02T10:00:00Z,West,1000,1
2026-10-03T10:00:00Z,,2000,0
2026-10-04T10:00:00Z,East,3000,1
2026-10-05T10:00:00Z,East,500,0
2026-11-02T10:00:00Z,East,100,0
CSV

expect "setup: the orders are imported" '
    run_kpi 0 import orders orders.csv
'

expect "a percent KPI changes in points, a ratio in its decimals, everywhere" '
    run_kpi 0 query return_rate --period 2026-10
    has out "= 0.0 pp"
    run_kpi 0 query return_rate,orders_per_return --period 2026-10 --format markdown
    has out "= 0.0 pp"
    has out "|  = 0.0 |"
    run_kpi 0 query return_rate --from 2026-09-01 --to 2026-11-30 --grain month
    has out "▼ -50.0 pp"
    run_kpi 0 report --period 2026-11
    has out "▼ -50.0 pp"
'

expect "the empty group is (none) in table, markdown and csv; null in JSON" '
    run_kpi 0 query revenue --period 2026-10 --by region
    has out "2026-10  (none)"
    run_kpi 0 query revenue --period 2026-10 --by region --format markdown
    has out "| (none) "
    run_kpi 0 query revenue --period 2026-10 --by region --format csv
    has out "revenue,2026-10,(none),2000"
    run_kpi 0 query revenue --period 2026-10 --by region --format json
    has out "\"group\": {\"region\": null}"
'

expect "tables name the workspace, the period and whether it is complete" '
    run_kpi 0 report --period 2026-10
    eq "$(head -1 out)" "Acme · 2026-10 · complete"
    run_kpi 0 report --period this-month
    eq "$(head -1 out)" "Acme · 2026-11 · open (to date)"
    run_kpi 0 query revenue --from 2026-09-01 --to 2026-11-30 --grain month
    eq "$(head -1 out)" "Acme · 2026-09 to 2026-11 · 2026-11 open (to date)"
    run_kpi 0 report --period 2026-10 --format json
    has out "\"period\": \"2026-10\", \"workspace\": \"Acme\", \"complete\": true"
'

expect "a period cut by --from/--to is labelled partial, in the heading, its rows and JSON" '
    run_kpi 0 query revenue --from 2026-09-15 --to 2026-10-31 --grain month
    eq "$(head -1 out)" "Acme · 2026-09 to 2026-10 · partial (2026-09-15 to 2026-10-31 only)"
    has out "2026-09 (partial)"
    lacks out "2026-10 (partial)"
    run_kpi 0 query revenue --from 2026-09-15 --to 2026-10-31 --grain month --format json
    python3 -c "import json,sys; s=json.load(open(\"out\"))[\"kpis\"][0][\"series\"]; assert s[0].get(\"partial\") is True and \"partial\" not in s[1], s"
'

expect "a comparison with a period the data covers only in part says so (issue 11, 16)" '
    # the data begins 2026-09-02: September missing its 1st is covered (under 1/30 missing)
    run_kpi 0 query revenue --period 2026-10 --format json
    has out "\"data_from\": \"2026-09-02\""
    lacks out "previous_partial"
    has out "\"last_year_partial\": true"
    # Q4 to date against the same days of Q3 (July-August: no data yet)
    run_kpi 0 query revenue --period 2026-Q4
    has out "€0.00*"
    has out "* compared with a period the data covers only in part (data from 2026-09-02)"
    run_kpi 0 query revenue --period 2026-Q4 --format markdown
    has out "\\* compared with a period the data covers only in part (data from 2026-09-02)"
    # the report marks a defined change only; October against September is whole
    run_kpi 0 report --period 2026-10
    lacks out "data covers only in part"
    # a week is flagged for a missing day: W36 (Aug 31 to Sep 6) lacks Aug 31 and Sep 1
    run_kpi 0 query revenue --period 2026-W37 --format json
    has out "\"previous_partial\": true"
    run_kpi 0 query revenue --period 2026-W38 --format json
    lacks out "previous_partial"
'

expect "amounts carry the workspace currency; the title names it" '
    run_kpi 0 query revenue --period 2026-09
    has out "Revenue (EUR)" || has out "revenue (EUR)"
    has out "€5,610,000.00"
    run_kpi 0 query revenue --period 2026-09 --format json
    has out "\"unit\": \"currency\", \"currency\": \"EUR\""
'

expect "a narrow report keeps the target and names what it left out" '
    COLUMNS=50 run_kpi 0 report --period 2026-10
    has out "target"
    has out "(no room for change, trend: --format csv has them)"
'

expect "relative periods work wherever a period is taken" '
    run_kpi 0 query revenue --period last-month --format csv
    has out "revenue,2026-10,6500"
    run_kpi 0 query revenue --period this-quarter --format csv
    has out "revenue,2026-Q4,"
    run_kpi 0 query revenue --period last-year --format csv
    has out "revenue,2025,"
    run_kpi 0 query revenue --period this-week --format csv
    has out "revenue,2026-W48,"
    run_kpi 2 query revenue --period lastmonth
    has err "in '"'"'lastmonth'"'"'"
'

expect "kpi targets: set echoes period and group, list shows every target, unset removes one" '
    run_kpi 0 targets set revenue 7000 --period last-month --by region=East
    has out "target of revenue set to 7000 for 2026-10 by region=East"
    run_kpi 0 targets set revenue 9000
    has out "target of revenue set to 9000 for every period"
    run_kpi 0 targets list revenue
    has out "2026-10    region=East"
    has out "kpi.db"
    run_kpi 0 query revenue --period 2026-10 --by region --format csv
    has out "revenue,2026-10,East,3500,0,,,0,7000,0.5,off_track"
    run_kpi 0 targets unset revenue --period 2026-10 --by region=East
    has out "target of revenue removed for 2026-10 by region=East"
    run_kpi 2 targets unset revenue --period 2026-10 --by region=East
    has err "no stored target of '"'"'revenue'"'"' for 2026-10 by region=East"
    run_kpi 0 targets list revenue
    lacks out "region=East"
'

expect "--help on every command prints its help" '
    for c in $("$KPI" help | sed -n "s/^  \([a-z]*\) .*/\1/p"); do
        run_kpi 0 $c --help
        has out "usage: kpi $c"
    done
'

expect "completion scripts are generated from the command table" '
    run_kpi 0 completion bash
    bash -n out
    has out "targets) words=\"set unset list import"
    has out "check) words="
    run_kpi 0 completion zsh
    has out "#compdef kpi"
    has out "'"'"'check:validate"
    run_kpi 2 completion fish
'

# a workspace with broken definitions: one broken KPI does not take the others down
mkdir broken && cp ws/kpi.yaml broken/ && cat >> broken/kpi.yaml <<'YAML'
  bad_field:
    formula: sum(orders.revnue)
  uses_bad:
    formula: bad_field * 2
  bad_unit:
    formula: count(orders)
    unit: percnt
YAML

expect "kpi check lists every mistake, exit 2; a valid workspace passes" '
    run_kpi 0 check
    has out "the definitions are valid"
    KPI_WORKSPACE=$T_DIR/broken run_kpi 2 check
    has err "kpi.yaml:29:11: unknown unit '"'"'percnt'"'"' for kpi '"'"'bad_unit'"'"'"
    has err "kpi.yaml:24:18: unknown field '"'"'revnue'"'"' in stream '"'"'orders'"'"'"
    has err "kpi '"'"'uses_bad'"'"' uses kpi '"'"'bad_field'"'"', which is broken"
    has err "3 mistakes in the definitions"
    KPI_WORKSPACE=$T_DIR/broken run_kpi 2 list
    has out "revenue"
    grep -q "^bad_unit .* (broken)$" out
    ! grep -q "^revenue .* (broken)$" out
    has err "3 mistakes"
'

mkdir bs && cat > bs/kpi.yaml <<'YAML'
streams:
  o:
    time: at
    fields: {at: time, x: numbr}
  p:
    time: att
    fields: {at: time}
  q:
    time: at
    fields: {at: time, y: number}
kpis:
  a: {formula: sum(o.x)}
  b: {formula: sum(q.y)}
YAML
q="'"

expect "kpi check lists every broken stream too, and what they break; open refuses them" '
    KPI_WORKSPACE=$T_DIR/bs run_kpi 2 check
    has err "bs/kpi.yaml:4:27: unknown type ${q}numbr${q}"
    has err "bs/kpi.yaml:6:11: unknown time field ${q}att${q}"
    has err "bs/kpi.yaml:12:20: unknown stream ${q}o${q}"
    has err "3 mistakes"
    KPI_WORKSPACE=$T_DIR/bs run_kpi 2 query b
    has err "numbr"
'

expect "with a broken KPI, the others still answer and the report shows it in its place" '
    cp ws/kpi.db broken/
    export KPI_WORKSPACE=$T_DIR/broken
    run_kpi 0 query revenue --period 2026-10 --format csv
    has out "revenue,2026-10,6500"
    run_kpi 2 query bad_field --period 2026-10
    has err "kpi '"'"'bad_field'"'"' is broken"
    run_kpi 0 report --period 2026-10
    has out "bad_field"
    has out "✗ broken"
    has out "✗ uses_bad is broken:"
    run_kpi 0 report --period 2026-10 --format json
    python3 -c "import json; k={x[\"id\"]: x for x in json.load(open(\"out\"))[\"kpis\"]}; assert \"error\" in k[\"bad_unit\"] and \"error\" not in k[\"revenue\"] and k[\"revenue\"][\"value\"] == 6500, k"
    run_kpi 0 report --period 2026-10 --format csv
    has out "bad_field,bad_field,,number,,,,,broken"
'

expect "kpi serve with a broken KPI: /metrics answers for the others; the API takes relative periods" '
    export KPI_WORKSPACE=$T_DIR/broken
    port=$(free_port)
    "$KPI" serve --listen "127.0.0.1:$port" --threads 2 2>serve.err &
    spid=$!
    get /metrics
    cp body metrics.txt
    cp status metrics.status
    get "/api/v1/query?kpi=revenue&period=last-month"
    cp body query.json
    get "/api/v1/report?period=last-month"
    kill $spid; wait $spid || true
    grep -q "^200 " metrics.status
    grep -q "kpi_value{kpi=\"revenue\"" metrics.txt
    ! grep -q "bad_field" metrics.txt
    has query.json "\"period\": \"2026-10\", \"group\": {}, \"value\": 6500"
    has body "\"period\": \"2026-10\""
    has body "\"id\": \"bad_field\""
    has body "\"error\": "
'
