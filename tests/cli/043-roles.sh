# The roles of kpi serve against the attacks that once got through, on a real server: a self
# token's `where` that closes the parenthesis of its row filter, a department viewer reading
# another department through a formula (and through the suggestions of a 404), and a self
# token's scorecard judged by the company's target instead of its own quota.
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-10T12:00:00Z
command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed as the HTTP client"; exit 0; }

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  orders:
    time: at
    fields:
      at: time
      region: text
      rep: text
      revenue: number
      cost: number
kpis:
  revenue:
    department: sales
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region, rep]
    targets: [{value: 5000}]
  gross_margin:
    department: finance
    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100
    unit: percent
    dimensions: [region, rep]
  sales_margin:
    department: sales
    formula: gross_margin
    unit: percent
    dimensions: [region, rep]
  deal_size:
    department: sales
    formula: revenue / count(orders)
    unit: currency
    dimensions: [rep]
YAML
cat > orders.csv <<'CSV'
at,region,rep,revenue,cost
2026-10-03T10:00:00Z,West,Ana Lima,120,60
2026-10-05T10:00:00Z,West,Ana Lima,60,30
2026-10-20T10:00:00Z,East,Bo,800,700
2026-10-21T10:00:00Z,East,Cy,900,300
CSV
"$KPI" import orders orders.csv >/dev/null
"$KPI" targets set revenue 150 --by "rep=Ana Lima" >/dev/null

port=$(free_port)
"$KPI" serve --listen "127.0.0.1:$port" --threads 2 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT

# groups: the rep of every point of the answer, one per line
groups() { python3 -c 'import json
for k in json.load(open("body"))["kpis"]:
    for p in k["series"]: print(p["group"].get("rep"))'; }

SELF=$("$KPI" token create --role self --self "rep=Ana Lima" 2>/dev/null)
SALES=$("$KPI" token create --role viewer --departments sales 2>/dev/null)
export TOKEN

expect "a where that closes the self filter's parenthesis reads no other rep" '
    TOKEN=$SELF get "/api/v1/query?kpi=revenue&period=2026-10&by=rep&where=rep%20!%3D%20%22%22)%20or%20(rep%20!%3D%20%22%22"
    grep -q "^400" status
    lacks body Bo
    lacks body Cy
'

expect "a where that would widen the rows is joined to the self filter as a tree" '
    TOKEN=$SELF get "/api/v1/query?kpi=revenue,deal_size&period=2026-10&by=rep&where=rep%20!%3D%20%22Ana%20Lima%22%20or%20rep%20%3D%20%22Ana%20Lima%22"
    grep -q "^200" status
    eq "$(groups | sort -u)" "Ana Lima"
    has body "\"value\": 180,"
    TOKEN=$SELF get "/api/v1/query?kpi=revenue&period=2026-10&by=region&where=not%20(rep%20%3D%20%22Ana%20Lima%22)"
    grep -q "^200" status
    python3 -c "import json; s = json.load(open(\"body\"))[\"kpis\"][0][\"series\"]; assert all(p[\"value\"] in (0, None) for p in s), s"
'

expect "a sales viewer cannot read finance through a sales KPI's formula" '
    TOKEN=$SALES get /api/v1/kpis
    python3 -c "import json; ids = [k[\"id\"] for k in json.load(open(\"body\"))[\"kpis\"]]; assert ids == [\"revenue\", \"deal_size\"], ids"
    TOKEN=$SALES get "/api/v1/query?kpi=sales_margin&period=2026-10"
    grep -q "^404" status
    eq "$(cat body)" "{\"error\":\"unknown kpi '\''sales_margin'\''\"}"
    TOKEN=$SALES get "/api/v1/query?kpi=gross_margin&period=2026-10"
    grep -q "^404" status
    TOKEN=$SALES get "/api/v1/report?period=2026-10"
    grep -q "^200" status
    lacks body margin
    python3 -c "import json; ids = [k[\"id\"] for k in json.load(open(\"body\"))[\"kpis\"]]; assert ids == [\"revenue\", \"deal_size\"], ids"
'

expect "a 404 to a limited token suggests no name it may not see" '
    TOKEN=$SALES get "/api/v1/query?kpi=gross_margn&period=2026-10"
    grep -q "^404" status
    lacks body gross_margin
    TOKEN= get "/api/v1/query?kpi=gross_margn&period=2026-10"
    grep -q "^401" status
'

expect "a self scorecard is judged by its own quota, never the company target" '
    TOKEN=$SELF get "/api/v1/report?period=2026-10"
    grep -q "^200" status
    lacks body 5000
    python3 - <<PY
import json
k = {k["id"]: k for k in json.load(open("body"))["kpis"]}["revenue"]
assert (k["value"], k["target"], k["status"]) == (180, 150, "on_track"), k
PY
    TOKEN=$SELF get "/api/v1/query?kpi=revenue&period=2026-10"
    python3 -c "import json; p = json.load(open(\"body\"))[\"kpis\"][0][\"series\"][0]; assert (p[\"target\"], p[\"status\"]) == (150, \"on_track\"), p"
'
