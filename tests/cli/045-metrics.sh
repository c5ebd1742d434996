# GET /metrics as Prometheus reads it (docs/metrics.md): a text that promtool and a strict
# parser accept even when a dimension is called `department`, labels escaped, series that stay
# the same from one month to the next, status per state and pacing equal to `kpi query`, the
# `metrics:` key and its max_groups (left-out breakdowns counted and logged), ?kpi= and
# ?department=, a text refreshed in the background after an ingest and on a schedule, and a
# viewer limited to departments scraping its own (not a KPI that reads another department's).
# promtool is optional here (the strict parser always runs) unless KPI_REQUIRE_PROMETHEUS=1,
# as in .ci/run.
. "$KPI_TOP/tests/cli/lib.sh"

command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed as the HTTP client"; exit 0; }
promtool=$(command -v promtool || true)
[ -z "$promtool" ] && [ "${KPI_REQUIRE_PROMETHEUS:-0}" = 1 ] && {
    echo "not ok 1 - promtool is not installed (KPI_DEPS_PROMETHEUS=1 sh tools/deps.sh)"; exit 1; }

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  hr:
    time: at
    fields: {at: time, department: text, location: text, leavers: number}
  orders:
    time: at
    fields: {at: time, region: text, rep: text, customer: text, revenue: number}
kpis:
  leavers:
    name: Leavers
    department: hr
    formula: sum(hr.leavers)
    unit: count
    direction: down
    dimensions: [department, location]
    targets: [{value: 10}]
  revenue:
    name: Revenue "net" \ all
    department: sales
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region, rep, customer]
    metrics: {dimensions: [region, customer], max_groups: 3}
    targets: [{value: 1000}]
  revenue_per_leaver:
    department: hr
    formula: revenue / leavers
    unit: currency
  order_count:
    department: sales
    formula: count(orders)
    unit: count
    dimensions: [region]
    metrics: []
YAML
# every group has rows in November and in December, before the 20th
python3 - <<'PY'
hr = ["at,department,location,leavers"]
orders = ["at,region,rep,customer,revenue"]
regions = ['West', '"East ""q"" \\ back"', '"North\nPole"']
for month in ("2026-11", "2026-12"):
    for day in (3, 9, 15):
        for d, loc in (("Ops", "Austin"), ("Sales", "Berlin")):
            hr.append("%s-%02dT10:00:00Z,%s,%s,1" % (month, day, d, loc))
        for i, region in enumerate(regions):
            orders.append("%s-%02dT10:00:00Z,%s,%s,C%d,%d" % (month, day, region,
                                                              ("Ana", "Bo")[i % 2], day % 4 + i, 100 + i))
        orders.append("%s-%02dT11:00:00Z,West,Ana,C9,50" % (month, day))
open("hr.csv", "w").write("\n".join(hr) + "\n")
open("orders.csv", "w").write("\n".join(orders) + "\n")
PY
"$KPI" import hr hr.csv >/dev/null
"$KPI" import orders orders.csv >/dev/null

pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$T_DIR"' EXIT

# serve NOW LOG ARGS...: starts kpi serve with "now" pinned, on a free port kept in $port
serve() {
    now=$1 log=$2
    shift 2
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    KPI_NOW=$now "$KPI" serve --listen "127.0.0.1:$port" --threads 2 "$@" 2>"$log" &
    pids="$pids $!"
}

# get PATH [METHOD FILE TYPE]: the answer's body into body, "status content-type" into status
get() {
    python3 - "$port" "$1" "${2:-GET}" "${3:-}" "${4:-}" <<'PY'
import http.client, os, sys, time
port, path, method, file, ctype = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
headers = {"Authorization": "Bearer " + os.environ["TOKEN"]} if os.environ.get("TOKEN") else {}
if ctype:
    headers["Content-Type"] = ctype
for attempt in range(200):  # the server may still be starting
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request(method, path, body=open(file, "rb").read() if file else None, headers=headers)
        r = c.getresponse()
        break
    except ConnectionRefusedError:
        time.sleep(0.05)
open("body", "wb").write(r.read())
open("status", "w").write("%d %s\n" % (r.status, r.getheader("Content-Type")))
PY
}

# parse FILE: checks the text as Prometheus's parser does (families together after their HELP
# and TYPE, label names valid and unique in a sample, values escaped, no series twice) and
# writes one line per sample: metric, then its labels as JSON, then its value
cat > parse.py <<'PY'
import json, re, sys
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
seen_fams, series, out, fam = set(), set(), [], None
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) (\S+) (.*)$", line)
    if m:
        if m.group(1) == "HELP":
            assert m.group(2) not in seen_fams, "line %d: family %s again" % (n, m.group(2))
            seen_fams.add(m.group(2))
            fam = m.group(2)
        continue
    name = NAME.match(line).group(0)
    assert name == fam, "line %d: %s outside its family" % (n, name)
    rest, labels = line[len(name):], {}
    if rest.startswith("{"):
        pos = 1
        while rest[pos] != "}":
            lm = LABEL.match(rest, pos)
            assert lm, "line %d: bad label at %r" % (n, rest[pos:pos + 30])
            assert lm.group(1) not in labels, "line %d: label %s twice" % (n, lm.group(1))
            labels[lm.group(1)] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), lm.group(2))
            pos = lm.end()
            if rest[pos] == ",":
                pos += 1
        rest = rest[pos + 1:]
    value = float(rest.strip())
    key = (name, tuple(sorted((k, v) for k, v in labels.items() if v != "")))
    assert key not in series, "line %d: series twice" % n
    series.add(key)
    out.append("%s %s %r" % (name, json.dumps(labels, sort_keys=True), value))
print("\n".join(out))
PY

serve 2026-11-20T12:00:00Z serve.err
expect "the text passes a strict parser and promtool, with a dimension called department" '
    get /metrics
    grep -q "^200 text/plain; version=0.0.4" status
    python3 parse.py body > samples
    grep -q "^kpi_value {\"by\": \"department\", \"department\": \"hr\", \"dim_department\": \"Ops\", \"grain\": \"month\", \"kpi\": \"leavers\", \"unit\": \"count\"} 3.0$" samples
    if [ -n "$promtool" ]; then "$promtool" check metrics < body; fi
'

expect "label values are escaped: quotes, backslashes and newlines" '
    python3 parse.py body > samples
    grep -qF "\"dim_region\": \"East \\\"q\\\" \\\\ back\"" samples
    grep -qF "\"dim_region\": \"North\\nPole\"" samples
    grep -qF "kpi_info{kpi=\"revenue\",name=\"Revenue \\\"net\\\" \\\\ all\",direction=\"up\"} 1" body
'

expect "metrics: only its breakdowns; over max_groups a breakdown is left out, counted and logged" '
    grep -q "^kpi_value{kpi=\"revenue\".*,by=\"region\",dim_region=\"West\"} 450$" body
    lacks body "by=\"rep\""
    lacks body "by=\"customer\""
    grep -q "^kpi_metrics_dropped_groups{kpi=\"revenue\",dimension=\"customer\"} 6$" body
    has serve.err "kpi: serve: metrics: kpi '\''revenue'\'' has 6 groups by '\''customer'\'', more than its max_groups of 3"
    [ "$(grep -c "^kpi_value{kpi=\"order_count\"" body)" = 1 ]
    grep -q "^kpi_value{kpi=\"leavers\".*,by=\"location\",dim_location=\"Berlin\"} 3$" body
'

expect "value, target, attainment, status per state, expected and projected equal kpi query" '
    KPI_NOW=2026-11-20T12:00:00Z "$KPI" query revenue,leavers --period 2026-11 --format json > q.json
    python3 parse.py body > samples
    python3 - <<PY
import json
q = json.load(open("q.json"))
got = {}
for line in open("samples"):
    name, rest = line.split(" ", 1)
    labels, value = rest.rsplit(" ", 1)
    labels = json.loads(labels)
    if "by" not in labels and "kpi" in labels:
        got[(name, labels["kpi"], labels.get("status"))] = float(value)
for s in q["kpis"]:
    p, k = s["series"][-1], s["id"]
    for fam, key in (("kpi_value", "value"), ("kpi_target", "target"), ("kpi_attainment", "attainment"),
                     ("kpi_expected_to_date", "expected_to_date"), ("kpi_projected", "projected")):
        assert p[key] is not None and got[(fam, k, None)] == p[key], (k, fam, got.get((fam, k, None)), p[key])
    states = {st: v for (fam, kk, st), v in got.items() if fam == "kpi_status" and kk == k}
    assert sorted(states) == sorted(["on_track", "at_risk", "off_track", "no_target", "no_data"]), states
    assert [st for st, v in states.items() if v == 1] == [p["status"]], (states, p["status"])
PY
'

expect "series stay the same when the month changes; only kpi_period_info moves" '
    get /metrics
    cp body november
    old=$port
    serve 2026-12-20T12:00:00Z serve2.err
    trap "kill $! 2>/dev/null" EXIT # a server of this block (a subshell) ends with it
    get /metrics
    cp body december
    port=$old
    for m in november december; do
        python3 parse.py $m | grep -v "^kpi_period_info\|^kpi_metrics_" | sed "s/ [^ ]*$//" | sort > $m.series
    done
    cmp november.series december.series
    [ "$(wc -l < november.series)" -gt 40 ]
    grep -q "^kpi_period_info{grain=\"month\",period=\"2026-11\"} 1$" november
    grep -q "^kpi_period_info{grain=\"month\",period=\"2026-12\"} 1$" december
    [ "$(grep -c "2026-1[12]" november)" = 1 ]
'

expect "?kpi= and ?department= scrape a part; unknown names are 404" '
    get "/metrics?kpi=revenue"
    grep -q "^200" status
    python3 parse.py body | grep "\"kpi\":" | grep -v "\"kpi\": \"revenue\"" > others || true
    [ ! -s others ]
    grep -q "^kpi_value{kpi=\"revenue\",department=\"sales\"" body
    grep -q "^kpi_period_info" body
    get "/metrics?kpi=revenue,leavers"
    grep -q "^kpi_value{kpi=\"leavers\"" body
    lacks body "kpi=\"order_count\""
    get "/metrics?department=hr"
    python3 parse.py body | grep "\"kpi\":" | grep -v "\"kpi\": \"leavers\"" |
        grep -v "\"kpi\": \"revenue_per_leaver\"" > others || true
    [ ! -s others ]
    grep -q "^kpi_value{kpi=\"leavers\"" body
    grep -q "^kpi_value{kpi=\"revenue_per_leaver\"" body
    get "/metrics?kpi=revenu"
    grep -q "^404 application/json" status
    has body "unknown kpi '\''revenu'\''"
    get "/metrics?department=hrr"
    grep -q "^404" status
    has body "no kpi in department '\''hrr'\''"
'

# field FILE METRIC: the value of the first sample of METRIC in FILE
field() { grep "^$2 " "$1" | head -1 | cut -d" " -f2; }

expect "a scrape copies the text: no refresh in between, and its age grows" '
    get /metrics
    cp body a
    sleep 0.3
    get /metrics
    [ "$(field a kpi_metrics_refreshes_total)" = "$(field body kpi_metrics_refreshes_total)" ]
    python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); assert b > a, (a, b)" \
        "$(field a kpi_metrics_age_seconds)" "$(field body kpi_metrics_age_seconds)"
    grep -q "^kpi_metrics_refresh_errors_total 0$" body
    grep -q "^# TYPE kpi_metrics_refreshes_total counter$" body
'

expect "an ingest over HTTP is in /metrics within seconds, without a request running a query" '
    printf "at,region,rep,customer,revenue\n2026-11-19T10:00:00Z,West,Ana,C1,1000\n" > more.csv
    get /api/v1/streams/orders/events POST more.csv text/csv
    grep -q "^200" status
    for i in $(seq 50); do
        get /metrics
        grep -q "^kpi_value{kpi=\"revenue\".*,dim_region=\"West\"} 1450$" body && break
        sleep 0.1
    done
    grep -q "^kpi_value{kpi=\"revenue\".*,dim_region=\"West\"} 1450$" body
'

expect "an import by another process and a target set are picked up too" '
    printf "at,region,rep,customer,revenue\n2026-11-19T11:00:00Z,West,Ana,C1,1\n" > more2.csv
    KPI_NOW=2026-11-20T12:00:00Z "$KPI" import orders more2.csv > /dev/null
    KPI_NOW=2026-11-20T12:00:00Z "$KPI" targets set leavers 4 --period 2026-11
    for i in $(seq 50); do
        get /metrics
        grep -q "^kpi_target{kpi=\"leavers\",department=\"hr\",unit=\"count\",grain=\"month\"} 4$" body &&
            grep -q "dim_region=\"West\"} 1451$" body && break
        sleep 0.1
    done
    grep -q "^kpi_target{kpi=\"leavers\",department=\"hr\",unit=\"count\",grain=\"month\"} 4$" body
    grep -q "dim_region=\"West\"} 1451$" body
'

expect "--metrics-refresh: recomputed on schedule without any change" '
    old=$port
    serve 2026-11-20T12:00:00Z serve3.err --metrics-refresh 1
    trap "kill $! 2>/dev/null" EXIT # a server of this block (a subshell) ends with it
    get /metrics
    a=$(field body kpi_metrics_refreshes_total)
    sleep 2.5
    get /metrics
    b=$(field body kpi_metrics_refreshes_total)
    port=$old
    [ "$b" -ge $((a + 2)) ]
    run_kpi 2 serve --metrics-refresh 0
    has err "--metrics-refresh needs seconds from 1 to 86400"
'

expect "a viewer limited to departments scrapes its own department only" '
    "$KPI" token create --role admin > admin.tok
    T=$("$KPI" token create --role viewer --departments hr)
    TOKEN=$T get /metrics
    grep -q "^403" status
    TOKEN=$T get "/metrics?department=sales"
    grep -q "^403" status
    TOKEN=$T get "/metrics?department=hr"
    grep -q "^200" status
    grep -q "^kpi_value{kpi=\"leavers\"" body
    lacks body "kpi=\"revenue\""
    lacks body "kpi=\"revenue_per_leaver\""
    TOKEN=$T get "/metrics?department=hr&kpi=leavers,revenue_per_leaver,revenue"
    grep -q "^kpi_value{kpi=\"leavers\"" body
    lacks body "kpi=\"revenue"
    TOKEN=$(cat admin.tok) get /metrics
    grep -q "^kpi_value{kpi=\"revenue\"" body
'

expect "metrics: errors name the kpi, the dimension and what is allowed" '
    mkdir bad && cp ws/kpi.yaml bad/kpi.yaml
    sed -i "s/metrics: {dimensions: \[region, customer\], max_groups: 3}/metrics: [regoin]/" bad/kpi.yaml
    KPI_WORKSPACE=$T_DIR/bad run_kpi 2 list
    has err "unknown dimension '\''regoin'\'' in '\''metrics'\'' of kpi '\''revenue'\'' (did you mean '\''region'\''?)"
    sed -i "s/metrics: \[regoin\]/metrics: {max_groups: 0}/" bad/kpi.yaml
    KPI_WORKSPACE=$T_DIR/bad run_kpi 2 list
    has err "max_groups"
    sed -i "s/metrics: {max_groups: 0}/metrics: {dimensions: [region, region]}/" bad/kpi.yaml
    KPI_WORKSPACE=$T_DIR/bad run_kpi 2 list
    has err "duplicate dimension '\''region'\'' in '\''metrics'\'' of kpi '\''revenue'\''"
    sed -i "s/metrics: {dimensions: \[region, region\]}/metrics: {dimension: [region]}/" bad/kpi.yaml
    KPI_WORKSPACE=$T_DIR/bad run_kpi 2 list
    has err "unknown key '\''dimension'\'' in '\''metrics'\'' of kpi '\''revenue'\'' (did you mean '\''dimensions'\''?)"
'
