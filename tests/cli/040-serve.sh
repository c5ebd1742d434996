# kpi serve: a real server on loopback, black-box. The JSON of /api/v1/query, report and top is
# byte for byte the CLI's --format json for the same request; /api/v1/kpis lists the KPIs;
# /metrics is the Prometheus text of the current period; bad requests get 4xx with a JSON
# error and the server keeps serving; every request is in the access log; once a token exists
# every role gets exactly what it may (401 without a token, 403 outside its scope); SIGTERM
# stops it cleanly. Requests go through python3's http.client (no curl needed).
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
  visits:
    time: at
    id: visit_id
    fields:
      visit_id: text
      at: time
      page: text
kpis:
  revenue:
    name: Revenue
    department: sales
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region, rep]
    targets: [{value: 1000}]
  visit_count:
    name: Visits
    department: marketing
    formula: count(visits)
    unit: count
  order_count:
    name: Orders
    department: sales
    formula: count(orders)
    unit: count
    grain: week
    dimensions: [region]
  average_order:
    name: Average order
    department: finance
    formula: revenue / order_count
    unit: currency
YAML
cat > orders.csv <<'CSV'
at,region,rep,revenue
2026-10-03T10:00:00Z,West,Ana,500
2026-10-20T10:00:00Z,East,Bo,800
2026-11-02T10:00:00Z,West,Ana,300
2026-11-09T10:00:00Z,East "quoted",Bo,150.5
CSV
sed -i 's/East "quoted"/"East ""quoted"""/' orders.csv
"$KPI" import orders orders.csv >/dev/null

port=$(free_port)
"$KPI" serve --listen "127.0.0.1:$port" --threads 2 --access-log access.log --max-body 200000 \
    2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT


expect "GET /healthz answers while the server runs" '
    get /healthz
    grep -q "^200 application/json" status
    grep -q "\"status\":\"ok\"" body
'

expect "GET /api/v1/query is the JSON of kpi query, byte for byte" '
    get "/api/v1/query?kpi=revenue,average_order&period=2026-10"
    grep -q "^200" status
    "$KPI" query revenue,average_order --period 2026-10 --format json > cli
    cmp body cli
    get "/api/v1/query?kpi=revenue&from=2026-10-01&to=2026-11-30&by=region,rep"
    "$KPI" query revenue --from 2026-10-01 --to 2026-11-30 --by region,rep --format json > cli
    cmp body cli
    get "/api/v1/query?kpi=order_count&grain=month&where=region%20%3D%20%22West%22"
    "$KPI" query order_count --grain month --where "region = \"West\"" --format json > cli
    cmp body cli
'

expect "report and top are the CLI JSON too" '
    get "/api/v1/report?period=2026-10"
    "$KPI" report --period 2026-10 --format json > cli
    cmp body cli
    get "/api/v1/top?kpi=revenue&by=rep&period=2026-10&n=1"
    "$KPI" top revenue --by rep --period 2026-10 -n 1 --format json > cli
    cmp body cli
'

expect "GET /api/v1/kpis lists id, name, department and unit of each KPI" '
    get /api/v1/kpis
    python3 - <<PY
import json
k = {x["id"]: x for x in json.load(open("body"))["kpis"]}
assert list(k) == ["revenue", "visit_count", "order_count", "average_order"], list(k)
assert k["revenue"]["name"] == "Revenue" and k["revenue"]["department"] == "sales"
assert k["average_order"]["unit"] == "currency" and k["order_count"]["grain"] == "week"
assert k["revenue"]["dimensions"] == ["region", "rep"]
PY
'

expect "GET /api/v1/streams gives rows and times" '
    get /api/v1/streams
    grep -q "\"name\":\"orders\",\"kind\":\"events\",\"rows\":4" body
'

expect "bad requests get 4xx and a JSON error; the server keeps serving" '
    get "/api/v1/query?kpi=revenu"
    grep -q "^404 application/json" status
    grep -q "did you mean .revenue." body
    get "/api/v1/query?kpi=revenue&period=2026-13"
    grep -q "^400" status
    grep -q "\"error\":" body
    get "/api/v1/query?kpi=revenue&by=store"
    grep -q "^400" status
    get "/api/v1/query"
    grep -q "^400" status
    get "/api/v1/top?kpi=revenue&by=rep&n=x"
    grep -q "^400" status
    get /api/v2/nothing
    grep -q "^404 application/json" status
    get /api/v1/kpis POST
    grep -q "^405 application/json" status
    get /healthz
    grep -q "^200" status
'

expect "GET /metrics: value, target and attainment of the current period, per breakdown too" '
    get /metrics
    grep -q "^200 text/plain; version=0.0.4" status
    grep -q "^# TYPE kpi_value gauge" body
    grep -q "^kpi_value{kpi=\"revenue\",department=\"sales\",unit=\"currency\",period=\"2026-11\"} 450.5$" body
    grep -q "^kpi_target{kpi=\"revenue\",department=\"sales\",unit=\"currency\",period=\"2026-11\"} 1000$" body
    grep -q "^kpi_value{kpi=\"revenue\",department=\"sales\",unit=\"currency\",period=\"2026-11\",region=\"West\"} 300$" body
    grep -q "region=\"East \\\\\"quoted\\\\\"\"} 150.5$" body
    grep -q "^kpi_value{kpi=\"order_count\",department=\"sales\",unit=\"count\",period=\"2026-W46\"} 1$" body
'

expect "every request is in the access log" '
    grep -q " 127.0.0.1 GET /healthz 200 " access.log
    grep -q " GET /api/v1/query 404 " access.log
    grep -q " POST /api/v1/kpis 405 " access.log
'

expect "POST events: a CSV body goes through the import, again adds nothing" '
    printf "visit_id,at,page\nV1,2026-11-02T10:00:00Z,/\nV2,2026-11-03T10:00:00Z,/shop\nV3,bad,/\n" > v.csv
    get /api/v1/streams/visits/events POST v.csv text/csv
    grep -q "^200 application/json" status
    python3 - <<PY
import json
r = json.load(open("body"))
assert (r["accepted"], r["rejected"], r["duplicates"]) == (2, 1, 0), r
assert r["first_rejected"] == [{"line": 4, "column": 4, "field": "at", "value": "bad",
                                "reason": r["first_rejected"][0]["reason"]}], r
PY
    get /api/v1/streams/visits/events POST v.csv text/csv
    grep -q "\"accepted\":0,\"rejected\":1,\"duplicates\":2" body
    "$KPI" query visit_count --period 2026-11 --format csv | grep -q "^visit_count,2026-11,2,"
    get "/api/v1/query?kpi=visit_count&period=2026-11"
    grep -q "\"value\": 2," body
'

expect "POST events as NDJSON; bad uploads get 4xx and a JSON error" '
    printf "{\"visit_id\": \"V4\", \"at\": \"2026-11-04T10:00:00Z\", \"page\": \"/\"}\n" > v.ndjson
    get /api/v1/streams/visits/events POST v.ndjson application/x-ndjson
    grep -q "\"accepted\":1,\"rejected\":0" body
    get "/api/v1/query?kpi=visit_count&period=2026-11"
    grep -q "\"value\": 3," body
    printf "not json\n" > bad.ndjson
    get /api/v1/streams/visits/events POST bad.ndjson application/x-ndjson
    grep -q "^400 application/json" status
    printf "visit_id,at\n\"V9,2026-11-04T10:00:00Z\n" > broken.csv
    get /api/v1/streams/visits/events POST broken.csv text/csv
    grep -q "^400 application/json" status
    grep -q "unterminated quoted field" body
    get /api/v1/streams/visits/events POST v.csv text/plain
    grep -q "^415 application/json" status
    get /api/v1/streams/nowhere/events POST v.csv text/csv
    grep -q "^404 application/json" status
    python3 -c "open(\"big.csv\", \"w\").write(\"visit_id,at\\n\" + \"V,2026-11-04\\n\" * 20000)"
    get /api/v1/streams/visits/events POST big.csv text/csv
    grep -q "^413 application/json" status
    get /api/v1/streams/visits/events GET
    grep -q "^405" status
    get /healthz
    grep -q "^200" status
'

expect "with a token created, every API call needs one: 401 without, or with a bad one" '
    "$KPI" token create --role admin --name ops > admin.tok
    test "$(wc -l < admin.tok)" = 1
    get "/api/v1/query?kpi=revenue"
    grep -q "^401 application/json Bearer" status
    grep -q "\"error\":" body
    TOKEN=kpi_nope get "/api/v1/kpis"
    grep -q "^401" status
    get /healthz
    grep -q "^200" status
    TOKEN=$(cat admin.tok) get "/api/v1/query?kpi=revenue&period=2026-10"
    grep -q "^200" status
    "$KPI" query revenue --period 2026-10 --format json > cli
    cmp body cli
'

expect "a viewer of some departments sees only their KPIs, and none that reads another department" '
    T=$("$KPI" token create --role viewer --departments sales)
    TOKEN=$T get /api/v1/kpis
    grep -q "^200" status
    python3 -c "import json; assert [k[\"id\"] for k in json.load(open(\"body\"))[\"kpis\"]] == [\"revenue\", \"order_count\"]"
    TOKEN=$T get "/api/v1/query?kpi=revenue&period=2026-10"
    grep -q "^200" status
    TOKEN=$T get "/api/v1/query?kpi=revenue,average_order&period=2026-10"
    grep -q "^404 application/json" status
    grep -q "unknown kpi .average_order." body
    TOKEN=$T get "/api/v1/report?period=2026-10"
    grep -q "^200" status
    "$KPI" report --period 2026-10 --department sales --format json > cli
    cmp body cli
    TOKEN=$T get "/api/v1/report?period=2026-10&department=finance"
    grep -q "^403" status
    TOKEN=$T get "/api/v1/top?kpi=average_order&by=region"
    grep -q "^404" status
    TOKEN=$T get /metrics
    grep -q "^403" status
    TOKEN=$T get /api/v1/streams
    grep -q "^403" status
'

expect "a self token sees only the rows of its own value" '
    T=$("$KPI" token create --role self --self rep=Ana)
    TOKEN=$T get "/api/v1/query?kpi=revenue&from=2026-10-01&to=2026-11-30"
    grep -q "^200" status
    "$KPI" query revenue --from 2026-10-01 --to 2026-11-30 --by rep --format json > cli
    python3 - <<PY
import json
api, cli = json.load(open("body")), json.load(open("cli"))
ana = [p for p in cli["kpis"][0]["series"] if p["group"] == {"rep": "Ana"}]
got = api["kpis"][0]["series"]
assert [p["value"] for p in got] == [p["value"] for p in ana] == [500, 300], (got, ana)
assert all(p["target"] is None and p["status"] == "no_target" for p in got), got  # not the company 1000
PY
    TOKEN=$T get "/api/v1/query?kpi=revenue&period=2026-10&where=region%20%3D%20%22East%22"
    grep -q "\"value\": 0," body
    TOKEN=$T get /api/v1/kpis
    python3 -c "import json; assert [k[\"id\"] for k in json.load(open(\"body\"))[\"kpis\"]] == [\"revenue\"]"
    TOKEN=$T get "/api/v1/query?kpi=order_count"
    grep -q "^404" status
    TOKEN=$T get "/api/v1/top?kpi=revenue&by=rep"
    grep -q "^403" status
    TOKEN=$T get "/api/v1/report?period=2026-10"
    grep -q "^200" status
    python3 - <<PY
import json
r = json.load(open("body"))
assert [k["id"] for k in r["kpis"]] == ["revenue"], r
assert r["kpis"][0]["value"] == 500, r  # Ana sold 500 in October, of 1300
PY
'

expect "an ingest token writes its streams only and reads nothing; a revoked token is refused" '
    T=$("$KPI" token create --role ingest --streams orders)
    printf "at,region,rep,revenue\n2026-11-05T10:00:00Z,West,Ana,10\n" > o.csv
    TOKEN=$T get /api/v1/streams/orders/events POST o.csv text/csv
    grep -q "^200" status
    TOKEN=$T get /api/v1/streams/visits/events POST v.csv text/csv
    grep -q "^403" status
    get /api/v1/streams/orders/events POST o.csv text/csv
    grep -q "^401" status
    V=$("$KPI" token create --role viewer)
    TOKEN=$V get /api/v1/streams/orders/events POST o.csv text/csv
    grep -q "^403" status
    TOKEN=$T get "/api/v1/query?kpi=revenue"
    grep -q "^403" status
    TOKEN=$T get /api/v1/kpis
    grep -q "^403" status
    "$KPI" token list > list
    grep -q "ingest .*orders" list
    lacks list "$T"
    id=$(grep "ingest" list | cut -d" " -f1)
    "$KPI" token revoke "$id"
    T2=$("$KPI" token create --role viewer)
    TOKEN=$T get /api/v1/kpis
    grep -q "^401" status
    TOKEN=$T2 get /api/v1/kpis
    grep -q "^200" status
'

expect "HTTPS with --tls-cert and --tls-key" '
    if ! command -v openssl >/dev/null; then echo "(openssl missing: skipped)"; exit 0; fi
    openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
        -subj /CN=localhost >/dev/null 2>&1
    tport=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
    "$KPI" serve --listen "127.0.0.1:$tport" --tls-cert cert.pem --tls-key key.pem 2>tls.err &
    tpid=$!
    python3 - "$tport" <<PY
import http.client, ssl, sys, time
ctx = ssl.create_default_context(cafile="cert.pem")
ctx.check_hostname = False
for i in range(100):
    try:
        c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
        c.request("GET", "/healthz")
        r = c.getresponse()
        break
    except (ConnectionRefusedError, ssl.SSLError, OSError):
        time.sleep(0.05)
assert r.status == 200 and b"ok" in r.read()
PY
    kill -TERM $tpid
    grep -q "https://" tls.err
    run_kpi 1 serve --listen 127.0.0.1:1 --tls-cert cert.pem
    grep -q "needs both" err
'

kill -TERM $pid
wait $pid
echo $? > serve.rc
expect "SIGTERM stops the server cleanly" '
    test "$(cat serve.rc)" = 0
    grep -q "stopped" serve.err
'
