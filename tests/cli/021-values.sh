# kpi values: manual (qualitative) KPIs. Values are entered per period and breakdown values,
# kept with their history (the latest wins), checked against the KPI's definition, and shown
# by query and report like computed KPIs; a quarter's value holds in its months; formulas may
# use them. "Today" is pinned with KPI_NOW.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-23T12:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  orders:
    time: at
    fields:
      at: time
      supplier: text
      revenue: number
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [supplier]
  supplier_rating:
    name: Supplier rating
    description: Quarterly audit rating, 1 (poor) to 5 (excellent).
    manual: true
    unit: number
    decimals: 1
    grain: quarter
    dimensions: [supplier]
    targets: [{value: 4}, {supplier: Crag, value: 4}]
  rating_pct:
    formula: supplier_rating * 20
    unit: percent
    grain: quarter
YAML

expect "values are entered for a period and breakdown values" '
    run_kpi 0 values set supplier_rating 2026-Q3 4.2 --by supplier=Crag --note "audit passed"
    grep -q "supplier_rating for 2026-Q3 (supplier=Crag) set to 4.2" out
    run_kpi 0 values set supplier_rating 2026-Q3 3.5 --by supplier=Glacier
    run_kpi 0 values set supplier_rating 2026-Q2 3.9 --by supplier=Glacier
    run_kpi 0 values set supplier_rating 2026-Q3 3.8
    run_kpi 0 values set supplier_rating 2026-Q3 3.7 --by supplier=Glacier --note re-audit
'

expect "the latest value wins; the one before stays in the history, newest first" '
    run_kpi 0 query supplier_rating --period 2026-Q3 --by supplier --format csv
    grep -q "^supplier_rating,2026-Q3,Crag,4.2,,,,,4,1.05,on_track" out
    grep -q "^supplier_rating,2026-Q3,Glacier,3.7,3.9,.*,no_target," out
    run_kpi 0 values list supplier_rating --format csv
    sed -n 2p out | grep -q "2026-Q3,supplier=Glacier,3.7,re-audit"
    sed -n 5p out | grep -q "2026-Q3,supplier=Glacier,3.5,"
    test "$(wc -l < out)" -eq 6
'

expect "a quarter value holds in its months; the JSON contract is the same" '
    run_kpi 0 query supplier_rating --from 2026-07-01 --to 2026-09-30 --grain month --format json
    grep -q "\"period\": \"2026-08\", \"group\": {}, \"value\": 3.8" out
    run_kpi 0 query supplier_rating --period 2026-Q1 --format csv
    grep -q "^supplier_rating,2026-Q1,,,,,,4,,no_data" out
'

expect "formulas use manual KPIs, and the report shows them" '
    run_kpi 0 query rating_pct --period 2026-Q3 --format csv
    grep -q "^rating_pct,2026-Q3,76," out
    run_kpi 0 report --period 2026-Q3 --format csv
    grep -q "^supplier_rating,Supplier rating" out
'

expect "only manual KPIs take values, for a valid period and declared dimensions" '
    run_kpi 2 values set revenue 2026-Q3 5
    grep -q "only a KPI with .manual: true." err
    run_kpi 2 values set supplier_rating 2026-13 5
    grep -q "month 13" err
    run_kpi 2 values set supplier_rating 2026-Q3 5 --by region=West
    grep -q "has no dimension .region." err
    run_kpi 2 values set supplier_rating 2026-Q3 high
    run_kpi 2 values set supplier_ratin 2026-Q3 5
    grep -q "did you mean .supplier_rating." err
    run_kpi 2 values list nothing
'
