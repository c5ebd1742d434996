# Numbers people can trust (issue 11, items 1-6), black-box on hand-made workspaces with "now"
# pinned by KPI_NOW: pacing to the hour (09:00 on day 15, 00:30 on the 1st), a quota ratio in
# the open month projected on its leaves, the months of an open quarter shaping what is expected
# of it, a young conversion cohort compared at the same age and not judged, and targets that
# belong to their own group (--by, --where, split: last_year). Status for any sign of value and
# target is tests/unit/test_status.c.
. "$KPI_TOP/tests/cli/lib.sh"

# csv_row KPI PERIOD [ARGS...]: the CSV row of a one-period query, without the kpi and period.
csv_row() {
    k=$1 p=$2
    shift 2
    run_kpi 0 query "$k" --period "$p" --format csv "$@"
    tail -n +2 out | cut -d, -f3-
}

# A business exactly on pace: one sale of 1 at :15 and :45 of every hour (48 a day); monthly
# quotas dated on the first of their month, as a quota export has them.
mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  orders:
    time: at
    fields: {at: time, region: text, amount: number}
  quotas:
    time: month
    fields: {month: date, amount: number}
kpis:
  sales:
    formula: sum(orders.amount)
    targets:
      - {period: 2026-10, value: 1488}
      - {period: 2026-11, value: 1440}
      - {period: 2026-12, value: 1488}
  quota_attainment:
    formula: sum(orders.amount) / sum(quotas.amount) * 100
    unit: percent
    targets: [{value: 100}]
  sales_q:
    formula: sum(orders.amount)
    grain: quarter
    targets:
      - {period: 2026-Q4, value: 4416}
      - {period: 2026-10, value: 1000}
      - {period: 2026-11, value: 2000}
      - {period: 2026-12, value: 1416}
YAML
# orders_until TIME: the sales from 1 September 2026 up to TIME (UTC, "YYYY-MM-DD HH:MM"), as
# an export taken at that moment has them.
orders_until() {
    echo "at,region,amount"
    start=$(date -u -d "2026-09-01" +%s)
    stop=$(date -u -d "$1" +%s)
    awk -v t="$((start + 900))" -v stop="$stop" 'BEGIN {
        for (; t < stop; t += 1800) print strftime("%Y-%m-%dT%H:%M:%SZ", t, 1) ",North,1" }'
}

# pace_ws TIME [YAML]: a fresh copy of the workspace (or one with that kpi.yaml) with the sales
# up to TIME and every quota.
pace_ws() {
    rm -rf pace && mkdir pace && cp "${2:-ws/kpi.yaml}" pace/kpi.yaml
    orders_until "$1" > orders.csv
    KPI_WORKSPACE=$PWD/pace run_kpi 0 import orders orders.csv
    KPI_WORKSPACE=$PWD/pace run_kpi 0 import quotas quotas.csv
    export KPI_WORKSPACE=$PWD/pace KPI_NOW="$(echo "$1" | tr " " T):00Z"
}
printf 'month,amount\n2026-09-01,1440\n2026-10-01,1488\n2026-11-01,1440\n2026-12-01,1488\n' > quotas.csv

# columns: value,previous,change,change_points,last_year,target,attainment,status,complete,
# expected_to_date,projected
expect "09:00 on day 15: a business on pace is on pace, and level with the month before" '
    pace_ws "2026-11-15 09:00"
    eq "$(csv_row sales 2026-11)" "690,690,0,,0,1440,1,on_track,false,690,1440"'

expect "00:30 on the 1st: on pace, and level with the first half hour of the month before" '
    pace_ws "2026-12-01 00:30"
    eq "$(csv_row sales 2026-12)" "1,1,0,,0,1488,1,on_track,false,1,1488"'

expect "in the workspace zone, across the end of summer time: elapsed time is real hours" '
    # New York, 15 November 09:00 EST: November began at 04:00 UTC on the 1st (EDT) and ends
    # at 05:00 UTC on 1 December, 721 hours; 346 of them (692 sales) have gone by
    sed -e "s/^streams:/workspace: {timezone: America\/New_York}\nstreams:/" \
        -e "s/value: 1440}/value: 1442}/" ws/kpi.yaml > ny.yaml
    pace_ws "2026-11-15 14:00" ny.yaml
    eq "$(csv_row sales 2026-11 | cut -d, -f1,6-8,11)" "692,1442,1,on_track,1442"'

expect "a quota ratio on day 7 is judged on projected sales over the whole quota" '
    pace_ws "2026-11-07 00:00"
    eq "$(csv_row quota_attainment 2026-11)" "20,19.3548387096774,0.0333333333333333,0.64516129032258,,100,1,on_track,false,100,100"
    run_kpi 0 query quota_attainment --period 2026-11 --format json
    has out "\"attainment\": 1, \"status\": \"on_track\", \"complete\": false"
    has out "\"projected\": 100, \"attainment_of\": \"projected\"}"
    run_kpi 0 query quota_attainment --period 2026-11
    has out "100.0% (proj.)"'

expect "at noon on the quota month first day too: the quota rows are the month already" '
    pace_ws "2026-11-01 12:00"
    run_kpi 0 query quota_attainment --period 2026-11 --format json
    has out "\"projected\": 100, "
    has out "\"status\": \"on_track\""'

expect "the open quarter expects what its months expect: all October and half November" '
    pace_ws "2026-11-16 00:00"
    run_kpi 0 query sales_q --period 2026-Q4 --format json
    has out "\"target\": 4416,"
    has out "\"expected_to_date\": 2000,"'

# Leads converting within 90 days: November 2025's cohort converted 2 of 10 in its first month
# and 3 more later; November 2026's 2 of 10 so far.
mkdir ws2 && cat > ws2/kpi.yaml <<'YAML'
streams:
  leads: {time: at, fields: {at: date, lead_id: text}}
  deals: {time: at, fields: {at: date, lead_id: text}}
kpis:
  lead_conversion:
    formula: 'conversion(leads, deals, on: lead_id, within: "90d") * 100'
    unit: percent
    targets: [{value: 50}]
YAML
{
    echo "at,lead_id"
    for i in 0 1 2 3 4 5 6 7 8 9; do echo "2025-11-05,a$i"; echo "2026-11-05,b$i"; done
} > leads.csv
printf 'at,lead_id\n2025-11-15,a0\n2025-11-15,a1\n2026-01-04,a2\n2026-01-04,a3\n2026-01-04,a4\n2026-11-15,b0\n2026-11-15,b1\n' > deals.csv

expect "a young cohort is compared at the same age and not judged against a grown target" '
    export KPI_WORKSPACE=$PWD/ws2 KPI_NOW=2026-12-01T00:00:00Z
    run_kpi 0 import leads leads.csv
    run_kpi 0 import deals deals.csv
    eq "$(csv_row lead_conversion 2026-11)" "20,,,,20,50,,immature,true,,"
    eq "$(csv_row lead_conversion 2025-11)" "50,,,,,50,1,on_track,true,,"'

# Pipeline (a snapshot) by region; pipeline_split shares the company target by last year's mix.
mkdir ws3 && cat > ws3/kpi.yaml <<'YAML'
streams:
  opps:
    kind: snapshots
    time: day
    fields: {day: date, region: text, amount: number}
kpis:
  pipeline:
    formula: sum(opps.amount)
    dimensions: [region]
    targets: [{value: 1000}]
  pipeline_split:
    formula: sum(opps.amount)
    dimensions: [region]
    split: last_year
    targets: [{value: 1000}]
YAML
printf 'day,region,amount\n2025-10-31,North,600\n2025-10-31,South,400\n2026-10-31,North,500\n2026-10-31,South,450\n' > opps.csv

expect "the company target is not a region target (by or where); a region own target is" '
    export KPI_WORKSPACE=$PWD/ws3 KPI_NOW=2026-12-01T00:00:00Z
    run_kpi 0 import opps opps.csv
    eq "$(csv_row pipeline 2026-10 | cut -d, -f1,6-8)" "950,1000,0.95,at_risk"
    run_kpi 0 query pipeline --period 2026-10 --by region --format csv
    eq "$(tail -n +2 out | cut -d, -f3,4,9- | tr "\n" " ")" "North,500,,,no_target,true,, South,450,,,no_target,true,, "
    eq "$(csv_row pipeline 2026-10 --where "region = \"North\"" | cut -d, -f1,6-8)" "500,,,no_target"
    run_kpi 0 targets set pipeline 400 --by region=North
    eq "$(csv_row pipeline 2026-10 --where "region = \"North\"" | cut -d, -f1,6-8)" "500,400,1.25,on_track"
    eq "$(csv_row pipeline 2026-10 --where "region != \"South\"" | cut -d, -f1,6-8)" "500,,,no_target"
    run_kpi 0 query pipeline --period 2026-10 --by region --format csv
    eq "$(tail -n +2 out | cut -d, -f3,4,9-11 | tr "\n" " ")" "North,500,400,1.25,on_track South,450,,,no_target "'

expect "split: last_year shares the company target by the mix of last year" '
    export KPI_WORKSPACE=$PWD/ws3 KPI_NOW=2026-12-01T00:00:00Z
    run_kpi 0 query pipeline_split --period 2026-10 --by region --format csv
    eq "$(tail -n +2 out | cut -d, -f3,4,9-11 | tr "\n" " ")" "North,500,600,0.833333333333333,off_track South,450,400,1.125,on_track "
    # a --where selection takes its share of every row last year, not of its own rows (the
    # dashboard filters with --where and --by on the same dimension)
    eq "$(csv_row pipeline_split 2026-10 --where "region = \"South\"" | cut -d, -f1,6-8)" "450,400,1.125,on_track"
    run_kpi 0 query pipeline_split --period 2026-10 --by region --where "region = \"North\"" --format csv
    eq "$(tail -n +2 out | cut -d, -f3,4,9-11)" "North,500,600,0.833333333333333,off_track"'

expect "split: takes only its one known value" '
    export KPI_WORKSPACE=$PWD/ws3
    sed -i "s/split: last_year/split: last_yeer/" ws3/kpi.yaml
    run_kpi 2 list
    has err "last_yeer"'
