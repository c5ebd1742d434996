# kpi query, report, top, explain, list, catalog, init --catalog and targets, black-box: periods,
# ranges, grains, breakdowns, every output format (the JSON contract of DESIGN §2 checked key by
# key), the open period, errors with exit status 2 and suggestions, targets set and imported all
# or nothing. "Today" is pinned with KPI_NOW.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-10T12:00:00Z

# lib.sh's expect runs its commands in the condition of an `if`, where the shell ignores set -e:
# only the last command's status counted. This one runs them outside any condition, so every
# failing command fails the test.
expect() {
    T_N=$((T_N + 1))
    (set -e; eval "$2") >"$T_DIR/.out" 2>&1
    t_rc=$?
    if [ "$t_rc" -eq 0 ]; then
        echo "ok $T_N - $1"
    else
        echo "not ok $T_N - $1"
        sed 's/^/#   /' "$T_DIR/.out" | head -40
    fi
}


mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  name: Test
streams:
  orders:
    time: ordered_at
    id: order_id
    fields:
      order_id: text
      ordered_at: date
      region: text
      rep: text
      revenue: number
      cost: number
      status: text
  tickets:
    time: opened_at
    fields:
      opened_at: time
      agent: text
      minutes: number
kpis:
  revenue:
    name: Revenue
    department: sales
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region, rep]
    targets:
      - value: 1000
      - {rep: Ana, value: 600}
  gross_margin:
    name: Gross margin
    department: finance
    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100
    unit: percent
    dimensions: [region, rep]
    targets: [{value: 40}]
  orders_won:
    name: Orders won
    department: sales
    formula: count(orders where status = "won")
    unit: count
    dimensions: [region, rep]
  avg_handle_time:
    name: Average handle time
    department: support
    formula: avg(tickets.minutes)
    unit: number
    direction: down
YAML

# the data begins 2025-10-01: last year's October is covered whole, so the documents below
# are the contract's (a later first day would add last_year_partial and data_from)
cat > orders.csv <<'CSV'
order_id,ordered_at,region,rep,revenue,cost,status
0,2025-10-01,North,Ana,650,300,won
1,2026-09-10,North,Ana,400,200,won
2,2026-09-12,South,Bob,300,200,won
3,2026-10-05,North,Ana,700,350,won
4,2026-10-06,South,Bob,500,350,lost
5,2026-10-07,West,Cy,100,50,won
6,2026-11-02,North,Ana,200,100,won
CSV

cat > tickets.csv <<'CSV'
opened_at,agent,minutes
2026-10-01T09:00:00Z,Lee,10
2026-10-02T09:00:00Z,Lee,20
2026-10-03T09:00:00Z,Max,5
2026-10-04T09:00:00Z,Kim,30
CSV

# keys FILE: the JSON keys of FILE in order, space separated.
keys() { grep -o '"[a-z_]*": ' "$1" | sed 's/"//g; s/: $//' | tr '\n' ' ' | sed 's/ $//'; }
# lines FILE: the number of lines.
lines() { wc -l < "$1" | tr -d ' '; }

expect "the fixture imports" '
    run_kpi 0 import orders orders.csv
    has out "7 accepted"
    run_kpi 0 import tickets tickets.csv
    has out "4 accepted"'

# ---- kpi query: formats ---------------------------------------------------------------------

expect "query --period --format json gives the documented document, exactly" '
    run_kpi 0 query revenue --period 2026-10 --format json
    eq "$(cat out)" "{\"from\": \"2026-10-01\", \"to\": \"2026-10-31\", \"grain\": \"month\", \"by\": [], \"kpis\": [{\"id\": \"revenue\", \"name\": \"Revenue\", \"unit\": \"currency\", \"direction\": \"up\", \"series\": [{\"period\": \"2026-10\", \"group\": {}, \"value\": 1300, \"previous\": 700, \"change\": 0.857142857142857, \"change_points\": null, \"last_year\": 650, \"target\": 1000, \"attainment\": 1.3, \"status\": \"on_track\"}]}]}"
    eq "$(lines out)" 1'

expect "JSON keys come in the contract order, with a group object per breakdown" '
    run_kpi 0 query gross_margin,revenue --period 2026-10 --by region --format json
    eq "$(keys out | cut -d" " -f1-11)" "from to grain by kpis id name unit direction series period"
    has out "\"by\": [\"region\"]"
    has out "\"group\": {\"region\": \"North\"}, \"value\": 50, \"previous\": 50, \"change\": 0, \"change_points\": 0, \"last_year\": 53.8461538461538, \"target\": null, \"attainment\": null, \"status\": \"no_target\"}"
    has out "\"group\": {\"region\": \"South\"}, \"value\": 30,"
    has out "\"group\": {\"region\": \"West\"}, \"value\": 50, \"previous\": null, \"change\": null, \"change_points\": null"
    # every point has the same keys, in the same order
    eq "$(grep -o "\"period\": \"[^\"]*\", \"group\": {[^}]*}, \"value\": [^,]*, \"previous\": [^,]*, \"change\": [^,]*, \"change_points\": [^,]*, \"last_year\": [^,]*, \"target\": [^,]*, \"attainment\": [^,]*, \"status\": \"[a-z_]*\"}" out | wc -l | tr -d " ")" 6
    # a company-wide quantity is not a region'"'"'s target
    has out "\"group\": {\"region\": \"North\"}, \"value\": 700, \"previous\": 400, \"change\": 0.75, \"change_points\": null, \"last_year\": 650, \"target\": null, \"attainment\": null, \"status\": \"no_target\"}"'

expect "query --format csv: one header, one row per point" '
    run_kpi 0 query revenue --period 2026-10 --format csv
    eq "$(head -1 out)" "kpi,period,value,previous,change,change_points,last_year,target,attainment,status,complete,expected_to_date,projected"
    eq "$(sed -n 2p out)" "revenue,2026-10,1300,700,0.857142857142857,,650,1000,1.3,on_track,true,,"
    eq "$(lines out)" 2
    run_kpi 0 query revenue,orders_won --period 2026-10 --by region,rep --format csv
    eq "$(head -1 out)" "kpi,period,region,rep,value,previous,change,change_points,last_year,target,attainment,status,complete,expected_to_date,projected"
    # Ana'"'"'s quota is hers as a whole, not each (region, rep) group'"'"'s
    has out "revenue,2026-10,North,Ana,700,400,0.75,,650,,,no_target,true,,"
    has out "orders_won,2026-10,South,Bob,0,1,-1,,0,,,no_target,true,,"
    eq "$(lines out)" 7'

expect "query --format markdown and table" '
    run_kpi 0 query revenue --period 2026-10 --format markdown
    has out "### Revenue (currency)"
    has out "| period  |"
    has out "| 2026-10 | 1,300.00 |"
    run_kpi 0 query revenue --period 2026-10 --format table
    has out "Revenue (currency)"
    has out "1,300.00"
    has out "on track"
    # not a terminal: the default is the table, without colour
    run_kpi 0 query revenue --period 2026-10
    has out "1,300.00"
    lacks out "$(printf "\033")"'

# ---- kpi query: periods, ranges, grains, breakdowns -----------------------------------------

expect "query --from/--to cuts the range into periods of --grain" '
    run_kpi 0 query revenue --from 2026-10-01 --to 2026-10-11 --grain week --format csv
    eq "$(lines out)" 3
    has out "revenue,2026-W40,0,"
    has out "revenue,2026-W41,1300,0,"
    # the range is kept as asked: the first week is cut to 1..4 October
    run_kpi 0 query revenue --from 2026-10-01 --to 2026-10-11 --grain week --format json
    has out "\"from\": \"2026-10-01\", \"to\": \"2026-10-11\", \"grain\": \"week\""
    run_kpi 0 query revenue --from 2026-10-06 --to 2026-10-31 --format csv
    has out "revenue,2026-10,600,"
    run_kpi 0 query revenue --from 2026-07-01 --to 2026-12-31 --grain quarter --format csv
    has out "revenue,2026-Q3,700,0,"
    # Q4 is open (41 days gone by): compared with the first 41 days of Q3
    has out "revenue,2026-Q4,1500,0,"'

expect "query --period names any grain" '
    run_kpi 0 query revenue --period 2026-10-05 --format csv
    has out "revenue,2026-10-05,700,"
    run_kpi 0 query revenue --period 2026-W41 --format csv
    has out "revenue,2026-W41,1300,"
    run_kpi 0 query revenue --period 2025 --format csv
    has out "revenue,2025,650,"
    run_kpi 0 query revenue --period FY2026-Q3 --format csv
    has out "revenue,FY2026-Q3,700,"
    run_kpi 0 query revenue --period 2026-Q4 --grain month --format csv
    eq "$(lines out)" 4
    has out "revenue,2026-12,,200,"'

expect "query --grain all: one bucket for the whole range" '
    run_kpi 0 query revenue --from 2026-09-01 --to 2026-10-31 --grain all --format json
    has out "\"grain\": \"all\""
    has out "\"value\": 2000"
    eq "$(grep -o "\"period\"" out | wc -l | tr -d " ")" 1'

expect "query --by DIM: one point per group, groups sorted, shares of the total" '
    run_kpi 0 query orders_won --period 2026-10 --by rep --format csv
    eq "$(sed -n "2,4p" out | cut -d, -f3,4 | tr "\n" " ")" "Ana,1 Bob,0 Cy,1 "'

expect "query without a period: the last 12 periods, the current one open" '
    run_kpi 0 query revenue --format csv
    eq "$(lines out)" 13
    eq "$(sed -n 2p out | cut -d, -f2)" 2025-12
    eq "$(tail -1 out)" "revenue,2026-11,200,1300,-0.846153846153846,,0,1000,0.631578947368421,off_track,false,316.666666666667,631.578947368421"'

expect "the open period in JSON: complete false, expected to date, projected" '
    run_kpi 0 query revenue --period 2026-11 --format json
    has out "\"value\": 200, \"previous\": 1300,"
    has out "\"target\": 1000, \"attainment\": 0.631578947368421, \"status\": \"off_track\", \"complete\": false, \"expected_to_date\": 316.666666666667, \"projected\": 631.578947368421, \"attainment_of\": \"projected\"}"
    eq "$(keys out | tr " " "\n" | tail -4 | tr "\n" " ")" "complete expected_to_date projected attainment_of"
    # another today: the whole of November has gone by (KPI_NOW wins over the clock)
    KPI_NOW=2026-12-01T00:00:00Z run_kpi 0 query revenue --period 2026-11 --format json
    lacks out complete'

# ---- kpi query: errors ---------------------------------------------------------------------

expect "an unknown KPI is a usage error with a suggestion" '
    run_kpi 2 query revenu --period 2026-10
    has err "unknown kpi '"'"'revenu'"'"'"
    has err "did you mean '"'"'revenue'"'"'"
    test ! -s out'

expect "an invalid period is a usage error naming it" '
    run_kpi 2 query revenue --period 2026-13
    has err "2026-13"
    run_kpi 2 query revenue --period 2026-Q5
    has err "2026-Q5"
    run_kpi 2 query revenue --period yesterday
    run_kpi 2 query revenue --from 2026-10-31 --to 2026-10-01
    run_kpi 2 query revenue --from 2026-10-01
    run_kpi 2 query revenue --grain fortnight
    has err "fortnight"
    run_kpi 2 query revenue --format yaml
    run_kpi 2 query'

expect "a breakdown by a field a stream lacks is a usage error" '
    run_kpi 2 query avg_handle_time --period 2026-10 --by region
    has err "region"
    has err "tickets"
    run_kpi 2 query revenue,avg_handle_time --period 2026-10 --by region
    has err "tickets"
    run_kpi 2 query revenue --period 2026-10 --by colour
    has err "colour"'

expect "a breakdown by a dimension the KPI does not declare is refused" '
    run_kpi 2 query revenue --period 2026-10 --by status
    has err "status"'

# ---- kpi report, top, explain, list ------------------------------------------------------------

expect "report: every KPI for the last complete month" '
    run_kpi 0 report --format json
    has out "{\"period\": \"2026-10\", \"workspace\": \"Test\", \"complete\": true, \"kpis\": ["
    has out "{\"id\": \"revenue\", \"name\": \"Revenue\", \"department\": \"sales\", \"unit\": \"currency\", \"value\": 1300, \"target\": 1000, \"attainment\": 1.3, \"status\": \"on_track\", \"change\": 0.857142857142857, \"change_points\": null, \"previous\": 700, \"last_year\": 650, \"sparkline\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 700, 1300]}"
    has out "\"id\": \"avg_handle_time\""
    has out "\"id\": \"gross_margin\""
    has out "\"id\": \"orders_won\""
    run_kpi 0 report
    has out "Revenue"
    has out "1,300.00"
    has out "Average handle time"'

expect "report --period and --department" '
    run_kpi 0 report --period 2026-09 --department sales --format csv
    eq "$(head -1 out)" "kpi,name,department,unit,period,value,target,attainment,status,change,previous"
    has out "revenue,Revenue,sales,currency,2026-09,700,1000,0.7,off_track,,0"
    has out "orders_won,Orders won,sales,count,2026-09,2,"
    eq "$(lines out)" 3
    run_kpi 2 report --department nope
    has err "nope"
    run_kpi 2 report --period 2026-13'

expect "top -n: best first, at most n groups" '
    run_kpi 0 top revenue --by rep --period 2026-10 -n 2 --format csv
    eq "$(lines out)" 3
    eq "$(sed -n 2p out | cut -d, -f3,4)" "Ana,700"
    eq "$(sed -n 3p out | cut -d, -f3,4)" "Bob,500"
    run_kpi 0 top revenue --by rep --period 2026-10 --format csv
    eq "$(lines out)" 4
    eq "$(tail -1 out | cut -d, -f3,4)" "Cy,100"'

expect "top of a KPI where down is better lists the lowest first" '
    run_kpi 0 top avg_handle_time --by agent --period 2026-10 -n 2 --format csv
    eq "$(sed -n 2p out | cut -d, -f3,4)" "Max,5"
    eq "$(sed -n 3p out | cut -d, -f3,4)" "Lee,15"
    eq "$(lines out)" 3'

expect "top without a period: the current one; errors" '
    run_kpi 0 top revenue --by rep --format json
    has out "\"period\": \"2026-11\", \"group\": {\"rep\": \"Ana\"}, \"value\": 200"
    run_kpi 2 top revenue
    run_kpi 2 top revenue --by colour --period 2026-10
    run_kpi 2 top revenu --by rep'

expect "explain: several KPIs of one stream share ONE aggregate scan" '
    run_kpi 0 explain revenue,gross_margin,orders_won --period 2026-10
    has out "kpi revenue = sum(orders.revenue)"
    has out "kpi gross_margin = "
    has out "kpi orders_won = count(orders where status = \"won\")"
    has out "-> 1 stream scan(s)"
    eq "$(grep -c "aggregate scan of stream" out)" 1
    eq "$(grep -c "SELECT" out)" 1
    # revenue is one column however many KPIs read it
    eq "$(grep -o "kpi_sum(\"revenue\")" out | wc -l | tr -d " ")" 1
    run_kpi 0 explain revenue,avg_handle_time
    eq "$(grep -c "aggregate scan of stream" out)" 2
    has out "stream '"'"'tickets'"'"'"
    run_kpi 2 explain revenu'

expect "list: the workspace KPIs, by department" '
    run_kpi 0 list
    eq "$(lines out)" 5
    has out "revenue"
    has out "avg_handle_time"
    grep "^avg_handle_time" out | grep -q down
    grep "^gross_margin" out | grep -q percent
    run_kpi 0 list --department sales
    eq "$(lines out)" 3
    lacks out gross_margin'

# ---- catalog and init --catalog ------------------------------------------------------------------

expect "catalog lists the standard KPIs by department" '
    run_kpi 0 catalog
    for d in finance hr it manufacturing marketing sales support; do grep -q "^$d$" out; done
    has out "gross_profit_margin"
    run_kpi 0 catalog --department sales -v
    has out "formula: sum(orders.revenue)"
    if grep -q "^finance" out; then false; fi'

expect "init --catalog sets up exactly the catalog KPIs, ready to query" '
    run_kpi 0 catalog
    grep "^  [a-z]" out | awk "{print \$1}" | sort > catalog.txt
    run_kpi 0 init cat --catalog
    has out "standard catalog"
    test -f cat/kpi.yaml && test -f cat/kpi.db && test -f cat/kpis/sales.yaml
    run_kpi 0 -w cat list
    tail -n +2 out | awk "{print \$1}" | sort > list.txt
    test "$(lines catalog.txt)" -gt 20
    cmp catalog.txt list.txt
    run_kpi 0 -w cat query revenue --period 2026-10 --format csv
    has out "revenue,2026-10,0,0,"
    run_kpi 0 -w cat report --format json
    has out "\"period\": \"2026-10\""
    run_kpi 2 init cat --catalog
    has err "already"'

# ---- targets ------------------------------------------------------------------------------------

expect "targets set: for a period, for a rep; they win over kpi.yaml" '
    run_kpi 0 targets set revenue 1200 --period 2026-10
    run_kpi 0 query revenue --period 2026-10 --format csv
    has out ",1200,1.08333333333333,on_track,"
    run_kpi 0 targets set revenue 800 --by rep=Bob
    run_kpi 0 query revenue --period 2026-10 --by rep --format csv
    has out "revenue,2026-10,Bob,500,300,0.666666666666667,,0,800,0.625,off_track,"
    has out "revenue,2026-10,Ana,700,400,0.75,,650,600,"
    # September still has the constant target of kpi.yaml
    run_kpi 0 query revenue --period 2026-09 --format csv
    has out "revenue,2026-09,700,0,,,0,1000,0.7,off_track,"'

expect "targets set: errors are usage errors" '
    run_kpi 2 targets set revenu 5
    has err "did you mean '"'"'revenue'"'"'"
    run_kpi 2 targets set revenue abc
    run_kpi 2 targets set revenue 5 --by colour=red
    has err "colour"
    run_kpi 2 targets set revenue 5 --period 2026-13'

expect "targets import: stores every row" '
    printf "kpi,period,rep,value\nrevenue,2026-09,,900\ngross_margin,,Ana,45\n" > t.csv
    run_kpi 0 targets import t.csv
    has out "2 targets stored"
    run_kpi 0 query revenue --period 2026-09 --format csv
    has out ",900,"
    run_kpi 0 query gross_margin --period 2026-10 --by rep --format csv
    has out "gross_margin,2026-10,Ana,50,50,0,0,53.8461538461538,45,"'

# A bad row fails the whole import: nothing is stored, the message names file:line, and the exit
# status is 2 (a definition error in the user's file, like a bad target in kpi.yaml).
# bad_import FILE ROW [TEXT]: a file whose second row is ROW fails, naming FILE:3 (and TEXT).
bad_import() {
    printf "kpi,period,rep,value\nrevenue,2026-08,,111\n%s\n" "$2" > "$1"
    run_kpi 2 targets import "$1"
    has err "$1:3:"
    has err "${3:-$1}"
    run_kpi 0 query revenue --period 2026-08 --format csv
    has out "revenue,2026-08,0,0,,,0,1000,"
}

expect "targets import is all or nothing: an invalid period" '
    bad_import bad1.csv "revenue,2026-13,,5" 2026-13'

expect "targets import is all or nothing: an unknown KPI" '
    bad_import bad2.csv "revenu,2026-07,,5" "did you mean"'

expect "targets import is all or nothing: an unknown dimension value column" '
    printf "kpi,period,colour,value\nrevenue,2026-08,,111\nrevenue,2026-07,red,5\n" > bad3.csv
    run_kpi 2 targets import bad3.csv
    has err "bad3.csv:3:"
    has err "colour"
    run_kpi 0 query revenue --period 2026-08 --format csv
    has out "revenue,2026-08,0,0,,,0,1000,"'

expect "targets import is all or nothing: a value that is not a number" '
    bad_import bad4.csv "revenue,2026-07,,x5" x5'

expect "targets import is all or nothing: a row with missing fields" '
    bad_import bad5.csv "revenue,2026-07"'

expect "targets import: a file without the kpi and value columns, or no file" '
    printf "kpi,period\nrevenue,2026-08\n" > bad6.csv
    set +e; "$KPI" targets import bad6.csv >out 2>err; rc=$?; set -e
    test "$rc" -ne 0
    has err "bad6.csv:1"
    has err "value"
    run_kpi 1 targets import missing.csv
    has err "missing.csv"'
