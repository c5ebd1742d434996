# ytd()/qtd() follow the fiscal year at month and day grain (calendar quarters and years keep
# the calendar), and one day's sum past the int64 limit (9.2e14 at scale 4) neither breaks the
# queries over that day nor loses its value: sums are added in 128 bits (kpi_sum).
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2027-01-01T00:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
  fiscal_year_start: 5
streams:
  orders:
    time: at
    fields:
      at: date
      region: text
      revenue: number
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region]
  rev_ytd:
    formula: ytd(revenue)
    unit: currency
  rev_qtd:
    formula: qtd(revenue)
    unit: currency
YAML

# Fiscal years start in May: FY2026 = May 2025 .. April 2026, its Q4 = February .. April.
cat > orders.csv <<'CSV'
at,region,revenue
2025-12-10,West,10000
2026-03-10,West,1000
2026-04-10,West,100
2026-05-10,West,10
2026-06-10,West,1
CSV

expect "ytd and qtd at month grain follow the fiscal year" '
    run_kpi 0 import orders orders.csv
    run_kpi 0 query rev_ytd,rev_qtd --from 2026-03-01 --to 2026-06-30 --grain month --format csv
    # ytd: 10000 (Dec) + 1000 (Mar), + 100 (Apr); May starts FY2027: 10, then 10 + 1
    has out "rev_ytd,2026-03,11000,"
    has out "rev_ytd,2026-04,11100,"
    has out "rev_ytd,2026-05,10,11100,"
    has out "rev_ytd,2026-06,11,10,"
    # qtd: fiscal Q4 (Feb..Apr) 1000, 1000 + 100; fiscal Q1 (May..Jul) 10, 10 + 1
    has out "rev_qtd,2026-03,1000,"
    has out "rev_qtd,2026-04,1100,"
    has out "rev_qtd,2026-05,10,1100,"
    has out "rev_qtd,2026-06,11,10,"
'

expect "ytd at day grain follows the fiscal year; calendar quarters keep the calendar" '
    run_kpi 0 query rev_ytd --period 2026-06-10 --format csv
    has out "rev_ytd,2026-06-10,11,"
    # 2026-Q2 is a calendar quarter: the calendar year to its end (1000 + 100 + 10 + 1)
    run_kpi 0 query rev_ytd,rev_qtd --period 2026-Q2 --format csv
    has out "rev_ytd,2026-Q2,1111,"
    has out "rev_qtd,2026-Q2,111,"
    run_kpi 0 query rev_ytd --period FY2027-Q1 --format csv
    has out "rev_ytd,FY2027-Q1,11,"
'

# Two orders of 480 trillion on one day: each fits in int64 scaled by 10^4 (4.8e18), their sum
# (9.6e18) does not. A third order of 0.25 lands the next day. (Values are printed with 15
# significant digits, so the figures keep to 15.)
cat > big.csv <<'CSV'
at,region,revenue
2026-07-01,West,480000000000000
2026-07-01,East,480000000000001
2026-07-02,East,0.25
CSV

expect "a day summing past 9.2e14 is added up exactly; the queries over it answer" '
    run_kpi 0 import orders big.csv
    run_kpi 0 query revenue --from 2026-07-01 --to 2026-07-02 --grain day --format json
    has out "\"period\": \"2026-07-01\", \"group\": {}, \"value\": 960000000000001,"
    run_kpi 0 query revenue --period 2026-07-01 --by region --format csv
    has out "revenue,2026-07-01,East,480000000000001,"
    has out "revenue,2026-07-01,West,480000000000000,"
    # the month, and the periods that compare with it (next month, ytd, a year later)
    run_kpi 0 query revenue,rev_ytd --from 2026-06-01 --to 2026-08-31 --grain month --format csv
    # July: 960000000000001.25; ytd from May: 10 + 1 + that
    has out "revenue,2026-07,960000000000001,1,"
    has out "revenue,2026-08,0,960000000000001,"
    has out "rev_ytd,2026-08,960000000000012,960000000000012,"
    run_kpi 0 query revenue --period 2027-07 --format csv
    has out "revenue,2027-07,,0,,,960000000000001,"
'

# Refunds past the limit the other way, and a row expression computed in floating point (a
# division) summed over the same day.
cat > refunds.csv <<'CSV'
at,region,revenue
2026-09-01,West,-480000000000000
2026-09-01,East,-480000000000001
2026-09-01,East,-0.25
CSV

expect "a day summing below -9.2e14 is added up exactly; a REAL row expression sums too" '
    run_kpi 0 import orders refunds.csv
    run_kpi 0 query revenue --period 2026-09-01 --format csv
    has out "revenue,2026-09-01,-960000000000001,"
    run_kpi 0 query revenue --period 2026-09-01 --by region --format csv
    has out "revenue,2026-09-01,East,-480000000000001,"
    # revenue / 4 per row: 1 / 4 + 0.25 / 4 on 2026-06-10 and 2026-07-02 kept apart
    cat >> ws/kpi.yaml <<YAML
  quarter_rev:
    formula: sum(orders.revenue / 4)
    unit: currency
YAML
    run_kpi 0 query quarter_rev --period 2026-07-02 --format csv
    has out "quarter_rev,2026-07-02,0.0625,"
'

expect "the scan sums in 128 bits (kpi_sum), not with SQLite SUM" '
    run_kpi 0 explain revenue
    has out "kpi_sum("
    lacks out "SUM("
'
