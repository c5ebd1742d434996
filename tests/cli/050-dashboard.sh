# The dashboard of kpi serve in a real browser: a small demo workspace, a real server on
# loopback, and tests/browser/dashboard.mjs (node + playwright-core from npm, driving Debian's
# chromium headless) checking that it loads, that what the cards, the KPI page, its breakdown
# and leaderboard show equals kpi query / kpi top, that it works by keyboard, on a phone-sized
# screen and with a token, and refreshes on new data. The numbers to compare are computed here
# with the CLI. Skips (one line) only where chromium is absent; CI installs it and sets
# KPI_REQUIRE_BROWSER=1, so that there a missing browser fails instead.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-23T12:00:00Z
chromium=${KPI_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    if [ "${KPI_REQUIRE_BROWSER:-0}" = 1 ]; then
        echo "not ok 1 - chromium is not installed ($chromium; KPI_DEPS_BROWSER=1 sh tools/deps.sh)"
        exit 1
    fi
    echo "ok 1 # skip chromium is not installed"
    exit 0
fi
for need in node python3; do
    command -v $need >/dev/null || { echo "not ok 1 - $need is needed (sh tools/deps.sh)"; exit 1; }
done
[ -d "$KPI_TOP/node_modules/playwright-core" ] || {
    echo "not ok 1 - node_modules/playwright-core is missing: run 'npm ci'"
    exit 1
}

"$KPI" demo d --scale 0.05 --months 13 --quiet >demo.out 2>&1 || {
    echo "not ok 1 - kpi demo failed"; sed 's/^/#   /' demo.out; exit 1; }
export KPI_WORKSPACE="$T_DIR/d"
# amounts in euros, and one broken KPI of its own department: the rest must still answer
sed -i 's/^workspace:$/workspace:\n  currency: EUR/' d/kpi.yaml
grep -q '^  currency: EUR$' d/kpi.yaml || { echo "not ok 1 - no workspace: section in d/kpi.yaml"; exit 1; }
cat >d/kpis/zz_lab.yaml <<'EOF'
kpis:
  lab_broken:
    name: Lab broken
    department: lab
    formula: sum(orders.revnue)
EOF

# what the dashboard must show, from the CLI: the report's period, the cards to compare (one
# of each unit, whose catalog decimals are the unit's default), a breakdown, a leaderboard,
# the month before, and one region for the filter
mkdir cli
"$KPI" report --department hr --format json >cli/report.json
period=$(python3 -c 'import json; print(json.load(open("cli/report.json"))["period"])')
prev=$(python3 -c 'import sys; y, m = map(int, sys.argv[1].split("-")); i = y * 12 + m - 2; print("%d-%02d" % (i // 12, i % 12 + 1))' "$period")
echo "$period" >cli/period
cat >cli/kpis.txt <<'EOF'
gross_profit_margin finance
working_capital_ratio finance
revenue sales
sales_volume sales
average_order_value sales
first_response_time support
new_leads marketing
EOF
while read -r k dept; do
    "$KPI" query "$k" --period "$period" --format json >"cli/$k.json"
    "$KPI" query "$k" --period "$period" >"cli/$k.txt"
done <cli/kpis.txt
"$KPI" query revenue --period "$period" --by region --format json >cli/revenue-by-region.json
"$KPI" query revenue --period "$period" --by region >cli/revenue-by-region.txt
"$KPI" top revenue --by rep --period "$period" -n 10 --format json >cli/revenue-top-rep.json
"$KPI" query revenue --period "$prev" --format json >cli/revenue-prev.json
# eleven months before: its last year lies before the demo's data begins
early=$(python3 -c 'import sys; y, m = map(int, sys.argv[1].split("-")); i = y * 12 + m - 12; print("%d-%02d" % (i // 12, i % 12 + 1))' "$period")
"$KPI" query revenue --period "$early" --format json >cli/revenue-early.json
python3 -c 'import json; print(json.load(open("cli/revenue-by-region.json"))["kpis"][0]["series"][0]["group"]["region"])' >cli/filter
"$KPI" query revenue --period "$period" --by region --where "region = \"$(cat cli/filter)\"" \
    --format json >cli/revenue-filter.json

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$KPI" serve --listen "127.0.0.1:$port" --threads 4 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT
python3 - "$port" <<'PY'
import socket, sys, time
for attempt in range(200):  # until the server listens
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.05)
PY

KPI_CHROMIUM="$chromium" node "$KPI_TOP/tests/browser/dashboard.mjs" "http://127.0.0.1:$port" \
    "$T_DIR/cli" >node.out 2>node.err
rc=$?
cat node.out
if [ $rc -ne 0 ] && ! grep -q '^not ok' node.out; then
    echo "not ok - tests/browser/dashboard.mjs exited with status $rc"
    sed 's/^/#   /' node.err | head -30
fi
if [ -n "${KPI_SCREENSHOTS:-}" ]; then # keep the screenshots (the temporary dir goes)
    mkdir -p "$KPI_SCREENSHOTS" && cp cli/*.png "$KPI_SCREENSHOTS/"
fi
kill -TERM $pid
wait $pid
