# A snapshot KPI takes each entity's last snapshot in the period: a series whose last export
# is older than the others' still counts (headcount 12 + 25, not 12). The entity of a row is
# its values of every text field but the id (here department and location).
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2027-01-01T00:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  headcount:
    kind: snapshots
    time: as_of
    id: snapshot_id
    fields:
      snapshot_id: text
      as_of: date
      department: text
      location: text
      employees: integer
kpis:
  headcount:
    formula: last(headcount.employees)
    unit: count
    dimensions: [department, location]
  opening_headcount:
    formula: first(headcount.employees)
    unit: count
    dimensions: [department]
  headcount_sum:
    formula: sum(headcount.employees)
    unit: count
    dimensions: [department, location]
  teams:
    formula: count(headcount)
    unit: count
  team_size:
    formula: avg(headcount.employees)
    unit: number
  median_team:
    formula: median(headcount.employees)
    unit: number
YAML

# Sales in Berlin reports on the 1st and the 31st; Ops in Paris last reported on the 15th;
# Ops in Berlin reports on the 1st and the 20th. The id differs on every row: it is not part
# of the entity.
cat > headcount.csv <<'CSV'
snapshot_id,as_of,department,location,employees
h1,2026-10-01,Sales,Berlin,10
h2,2026-10-31,Sales,Berlin,12
h3,2026-10-15,Ops,Paris,25
h4,2026-10-01,Ops,Berlin,4
h5,2026-10-20,Ops,Berlin,5
CSV

expect "last() takes each entity's last snapshot of the period" '
    run_kpi 0 import headcount headcount.csv
    run_kpi 0 query headcount,opening_headcount --period 2026-10 --format csv
    # last: Sales/Berlin 12 (31st) + Ops/Paris 25 (15th) + Ops/Berlin 5 (20th)
    has out "headcount,2026-10,42,"
    # first: Sales/Berlin 10 (1st) + Ops/Paris 25 (15th) + Ops/Berlin 4 (1st)
    has out "opening_headcount,2026-10,39,"
    run_kpi 0 query headcount --period 2026-10 --by department --format csv
    has out "headcount,2026-10,Ops,30,"
    has out "headcount,2026-10,Sales,12,"
    run_kpi 0 query headcount --period 2026-10 --by location --format csv
    has out "headcount,2026-10,Berlin,17,"
    has out "headcount,2026-10,Paris,25,"
'

expect "every aggregate of a snapshot stream reads the entities' last snapshots" '
    run_kpi 0 query headcount_sum,teams,team_size,median_team --period 2026-10 --format csv
    has out "headcount_sum,2026-10,42,"
    has out "teams,2026-10,3,"
    has out "team_size,2026-10,14,"       # (12 + 25 + 5) / 3
    has out "median_team,2026-10,12,"     # 5, 12, 25
    run_kpi 0 query headcount_sum --period 2026-10 --by department --format csv
    has out "headcount_sum,2026-10,Ops,30,"
'

expect "a window ending before a later snapshot takes the one before it" '
    # through 2026-10-16: Sales/Berlin 10 (1st), Ops/Paris 25 (15th), Ops/Berlin 4 (1st)
    run_kpi 0 query headcount,headcount_sum --from 2026-10-01 --to 2026-10-16 --grain all --format csv
    has out "headcount,2026-10-01..2026-10-16,39,"
    has out "headcount_sum,2026-10-01..2026-10-16,39,"
    # a period without snapshots has no level
    run_kpi 0 query headcount --period 2026-11 --format csv
    has out "headcount,2026-11,,42,"
'

expect "--where picks the entities before their last snapshot is taken" '
    run_kpi 0 query headcount --period 2026-10 --where "location = \"Berlin\"" --format csv
    has out "headcount,2026-10,17,"
'

expect "explain shows the entity in the snapshot scan, the id left out" '
    run_kpi 0 explain headcount_sum --period 2026-10
    has out "SELECT COUNT(*), \"department\", \"location\", kpi_sum(\"employees\")"
    has out "GROUP BY 2, 3"
    lacks out "snapshot_id"
'
