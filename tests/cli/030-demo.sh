# kpi demo: the demo company's workspace. Every catalog stream gets events and every catalog
# KPI a value; targets give a mix of statuses; the story (two reps under quota, support's first
# response time off track last month) shows; the same seed and day give the same data, another
# seed other data. "Today" is pinned with KPI_NOW; small scales keep it quick under ASan.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-23T12:00:00Z
command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed to read the JSON"; exit 0; }

expect "kpi demo builds a workspace and prints the last month's report" '
    run_kpi 0 demo d1 --scale 0.2 --months 13
    grep -q "Revenue" out
    grep -q "importing orders" err
    grep -q "events in 33 streams" err
'

expect "every catalog stream holds events" '
    run_kpi 0 -w d1 streams --format json
    python3 - out <<PY
import json, sys
streams = json.load(open(sys.argv[1]))["streams"]
assert len(streams) == 33, len(streams)
empty = [s["name"] for s in streams if not s["rows"]]
assert not empty, empty
PY
'

expect "every catalog KPI has a value, most a target, with a mix of statuses" '
    run_kpi 0 -w d1 report --format json
    python3 - out <<PY
import json, sys
r = json.load(open(sys.argv[1]))
assert r["period"] == "2026-10", r["period"]
kpis = r["kpis"]
assert len(kpis) == 79, len(kpis)
missing = [k["id"] for k in kpis if k["value"] is None]
assert not missing, missing
status = {}
for k in kpis:
    status[k["status"]] = status.get(k["status"], 0) + 1
assert status.get("on_track", 0) >= 15 and status.get("at_risk", 0) >= 10, status
assert status.get("off_track", 0) >= 2, status
assert status.get("no_target", 0) <= 10, status
PY
'

expect "the story: support went off track last month, a rep trails his quota" '
    run_kpi 0 -w d1 query first_response_time --period 2026-10 --format json
    grep -q "\"status\": \"off_track\"" out
    run_kpi 0 -w d1 query first_response_time --period 2026-09 --format json
    lacks out "\"status\": \"off_track\""
    run_kpi 0 -w d1 top sales_target_attainment --by rep --period 2026-Q3 -n 0 --format csv
    tail -n 5 out > bottom  # the five lowest reps
    grep -q "Owen Barker" bottom
    run_kpi 0 -w d1 query revenue --period 2026-10 --by region --format csv
    grep "Midwest" out | grep -q off_track
'

expect "the same seed on the same day gives the same report, another seed another" '
    run_kpi 0 demo d2 --scale 0.2 --months 13 --quiet
    "$KPI" -w d1 report --format json > r1
    "$KPI" -w d2 report --format json > r2
    cmp r1 r2
    run_kpi 0 demo d3 --scale 0.2 --months 13 --seed 7 --quiet
    "$KPI" -w d3 report --format json > r3
    if cmp -s r1 r3; then echo "seed 7 gave the report of seed 1"; exit 1; fi
'

expect "the generated files are kept on request, targets.csv always" '
    test -f d1/data/targets.csv
    test -z "$(ls d1/data | grep -v "^targets.csv$")"
    run_kpi 0 demo d4 --scale 0.05 --months 4 --keep-csv --quiet
    for s in orders surveys web_sessions; do
        test -n "$(ls d4/data/$s-*.csv)"
        files=$(ls d4/data/$s-*.csv | wc -l)
        lines=$(($(cat d4/data/$s-*.csv | wc -l) - files)) # a header in each
        stored=$(sqlite3 d4/kpi.db "SELECT count(*) FROM $s")
        [ "$lines" = "$stored" ] || { echo "$s: $lines rows in the files, $stored stored"; exit 1; }
    done
'

expect "the files are in day order: every stream is appended, nothing goes into the middle" '
    for s in orders surveys tickets opportunities lead_stages subscriptions web_sessions; do
        behind=$(sqlite3 d4/kpi.db "WITH r AS (SELECT _key >> 40 AS d, _key & 1099511627775 AS s
            FROM $s), o AS (SELECT d, max(d) OVER (ORDER BY s ROWS UNBOUNDED PRECEDING) AS m
            FROM r) SELECT count(*) FROM o WHERE d < m")
        [ "$behind" = 0 ] || { echo "$s: $behind rows behind a later day"; exit 1; }
    done
'

expect "kpi demo refuses an existing workspace and bad options" '
    run_kpi 2 demo d1 --quiet
    grep -q "already" err
    run_kpi 2 demo d5 --scale 0
    run_kpi 2 demo d5 --months x
    run_kpi 2 demo d5 --seed -1
    test ! -e d5
'
