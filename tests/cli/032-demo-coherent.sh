# The demo company's numbers hold together where a newcomer looks first: the open month's
# targets are whole months that the engine pro-rates once (no volume is "on track at 400%" a
# week into the month), a quarter's target adds up its three months, no percentage is asked
# past 100, and stock is received where it is sold (sell-through near 100% in every region
# and store; no warehouse that sells nothing). "Today" is the 7th, early in the open month,
# where a target cut twice shows most.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-07T15:00:00Z
command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed to read the JSON"; exit 0; }
"$KPI" demo d --scale 0.2 --months 13 --quiet >demo.out 2>&1 || {
    echo "not ok 1 - kpi demo failed"; sed 's/^/#   /' demo.out; exit 1; }
"$KPI" -w d report --format json > report.json

expect "on the 7th, no volume beats its pro-rated target past 150% (each is a whole month, cut once)" '
    ids=$(python3 -c "import json; print(\",\".join(k[\"id\"] for k in json.load(open(\"report.json\"))[\"kpis\"]))")
    run_kpi 0 -w d query "$ids" --period 2026-11 --format json
    python3 - out <<PY
import json, sys
kpis = json.load(open(sys.argv[1]))["kpis"]
paced = []
for k in kpis:
    for p in k["series"]:
        t, e = p["target"], p["expected_to_date"]
        assert p["complete"] is False, (k["id"], p)
        # a quantity (its target pro-rated to a week) where more is better: less of a
        # quantity to keep down (downtime) can be far under its share by chance
        if k["direction"] == "up" and t and e is not None and t > 0 and e < 0.5 * t:
            paced.append((k["id"], p["attainment"]))
assert len(paced) >= 8, paced
high = [x for x in paced if x[1] is not None and x[1] > 1.5]
assert not high, high
PY
'

expect "the open quarter has the target of its three months (December too)" '
    q=$("$KPI" -w d query revenue --period 2026-Q4 --format csv | awk -F, "NR == 2 { print \$8 }")
    sum=0
    for m in 10 11 12; do
        t=$("$KPI" -w d query revenue --period 2026-$m --format csv | awk -F, "NR == 2 { print \$8 }")
        [ -n "$t" ] || { echo "no revenue target for 2026-$m"; exit 1; }
        sum=$(awk -v a="$sum" -v b="$t" "BEGIN { print a + b }")
    done
    awk -v q="$q" -v s="$sum" "BEGIN { exit !(q != \"\" && q - s < 1 && s - q < 1) }" || {
        echo "Q4 target [$q], its months add up to $sum"; exit 1; }
'

expect "no percentage that stays under 100 is given a target over 100" '
    python3 - report.json d/data/targets.csv <<PY
import csv, json, sys
kpis = json.load(open(sys.argv[1]))["kpis"]
capped = {k["id"] for k in kpis if k["unit"] == "percent"
          and all(v is None or 0 <= v <= 100 for v in k["sparkline"])}
assert "customer_retention_rate" in capped, sorted(capped)
over = [r for r in csv.DictReader(open(sys.argv[2]))
        if r["kpi"] in capped and float(r["value"]) > 100]
assert not over, over[:5]
PY
'

expect "stock is received where it is sold: sell-through 60-160% in every region and store" '
    for by in region store; do
        run_kpi 0 -w d query sell_through_rate --period 2026-10 --by $by --format csv
        awk -F, -v by=$by "NR > 1 { n++; if (\$4 < 60 || \$4 > 160) { print by, \$3, \$4; bad++ } }
            END { exit !(n >= 8 && !bad) }" out
    done
'

expect "receipts and stock are in a store or a region warehouse (no store, like the orders it ships)" '
    stores=$(sqlite3 d/kpi.db "SELECT count(DISTINCT store) FROM orders")
    for s in receipts inventory; do
        extra=$(sqlite3 d/kpi.db "SELECT DISTINCT store FROM $s WHERE store IS NOT NULL
            AND store NOT IN (SELECT store FROM orders WHERE store IS NOT NULL)")
        [ -z "$extra" ] || { echo "$s: stock in [$extra], which sells nothing"; exit 1; }
        regions=$(sqlite3 d/kpi.db "SELECT count(DISTINCT region) FROM $s WHERE store IS NULL")
        [ "$regions" = 8 ] || { echo "$s: warehouses in $regions regions, not 8"; exit 1; }
    done
    [ "$stores" = 12 ]
'
