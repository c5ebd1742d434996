# A real Prometheus (Debian's `prometheus`, on loopback) scrapes `kpi serve` on a small demo
# workspace: the target is up, promtool finds the text clean, and KPIs read through PromQL
# (company-wide, and by a dimension called `department`) equal `kpi query`. Skipped when
# prometheus is not installed, unless KPI_REQUIRE_PROMETHEUS=1 (as in .ci/run, which installs
# it with KPI_DEPS_PROMETHEUS=1 sh tools/deps.sh). The scrape's duration as Prometheus measured
# it is printed as a comment (bench/metrics.sh measures it properly).
. "$KPI_TOP/tests/cli/lib.sh"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null ||
    ! command -v python3 >/dev/null; then
    if [ "${KPI_REQUIRE_PROMETHEUS:-0}" = 1 ]; then
        echo "not ok 1 - prometheus, promtool and python3 are needed (KPI_DEPS_PROMETHEUS=1 sh tools/deps.sh)"
        exit 1
    fi
    echo "ok 1 # skip prometheus is not installed"
    exit 0
fi

export KPI_NOW=2026-11-18T15:00:00Z
"$KPI" demo ws --scale 0.05 --quiet

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
kport=$(free_port)
pport=$(free_port)
"$KPI" serve --listen "127.0.0.1:$kport" --threads 2 2>serve.err &
kpid=$!
cat > prometheus.yml <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: kpi
    static_configs:
      - targets: ['127.0.0.1:$kport']
YAML
prometheus --config.file=prometheus.yml --storage.tsdb.path=tsdb --log.level=warn \
    --web.listen-address="127.0.0.1:$pport" 2>prometheus.err &
ppid=$!
trap 'kill $kpid $ppid 2>/dev/null; wait $kpid $ppid 2>/dev/null; rm -rf "$T_DIR"' EXIT

# promql QUERY: the result of an instant query through Prometheus's HTTP API, as JSON
promql() {
    python3 - "$pport" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
port, q = sys.argv[1], sys.argv[2]
url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
print(json.dumps(json.load(urllib.request.urlopen(url, timeout=10))["data"]["result"]))
PY
}

expect "Prometheus scrapes kpi serve: the target is up" '
    python3 - "$pport" <<PY
import json, sys, time, urllib.request
port, health, last = sys.argv[1], None, None
for attempt in range(600):  # the server computes its first text, prometheus starts: 60 s at most
    try:
        t = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/v1/targets" % port, timeout=5))
        active = t["data"]["activeTargets"]
        if active:
            health, last = active[0]["health"], active[0].get("lastError")
            if health == "up":
                break
    except OSError:
        pass
    time.sleep(0.1)
assert health == "up", (health, last)
PY
    promql "up{job=\"kpi\"}" > up.json
    python3 -c "import json; r = json.load(open(\"up.json\")); assert r[0][\"value\"][1] == \"1\", r"
'

expect "promtool check metrics finds the demo text clean" '
    python3 -c "import urllib.request, sys; sys.stdout.buffer.write(urllib.request.urlopen(\"http://127.0.0.1:$kport/metrics\").read())" > metrics.txt
    promtool check metrics < metrics.txt
    [ "$(grep -c "^kpi_value{" metrics.txt)" -gt 100 ]
'

expect "a KPI read through PromQL equals kpi query, company-wide and by department" '
    "$KPI" query revenue,gross_profit_margin --period 2026-11 --format json > q.json
    "$KPI" query employee_turnover_rate --period 2026-11 --by department --format json > qd.json
    for k in revenue gross_profit_margin; do promql "kpi_value{kpi=\"$k\",by=\"\"}" > $k.json; done
    promql "kpi_value{kpi=\"employee_turnover_rate\",by=\"department\"}" > turnover.json
    promql "kpi_status{kpi=\"revenue\",by=\"\"} == 1" > status.json
    python3 - <<PY
import json
q = {s["id"]: s["series"][-1] for s in json.load(open("q.json"))["kpis"]}
for k in ("revenue", "gross_profit_margin"):
    r = json.load(open(k + ".json"))
    assert len(r) == 1, r
    assert float(r[0]["value"][1]) == q[k]["value"], (k, r, q[k]["value"])
    assert r[0]["metric"]["grain"] == "month" and "period" not in r[0]["metric"], r
status = json.load(open("status.json"))
assert [s["metric"]["status"] for s in status] == [q["revenue"]["status"]], status
groups = {p["group"]["department"]: p["value"] for p in json.load(open("qd.json"))["kpis"][0]["series"]
          if p["group"]["department"] and p["value"] is not None}
got = {r["metric"]["dim_department"]: float(r["value"][1]) for r in json.load(open("turnover.json"))}
assert len(groups) >= 3 and got == groups, (got, groups)
assert all(r["metric"]["department"] == "hr" for r in json.load(open("turnover.json")))
PY
'

expect "the period is kpi_period_info, joined on grain" '
    promql "kpi_value{kpi=\"revenue\",by=\"\"} * on(grain) group_left(period) kpi_period_info" > joined.json
    python3 -c "import json; r = json.load(open(\"joined.json\")); assert r[0][\"metric\"][\"period\"] == \"2026-11\", r"
'

expect "docs/metrics.md: its scrape config is valid, its PromQL queries answer" '
    python3 - "$KPI_TOP/docs/metrics.md" <<PY
import re, sys
text = open(sys.argv[1]).read()
open("doc-config.yml", "w").write(re.search(r"\x60\x60\x60yaml\n(scrape_configs:.*?)\x60\x60\x60", text, re.S).group(1))
queries = []
for block in re.findall(r"\x60\x60\x60promql\n(.*?)\x60\x60\x60", text, re.S):
    for line in block.splitlines():
        if line.startswith(" ") and queries:
            queries[-1] += " " + line.strip()
        elif line.strip():
            queries.append(line.strip())
open("doc-queries", "w").write("\n".join(queries) + "\n")
assert len(queries) >= 5, queries
PY
    promtool check config doc-config.yml
    while read -r q; do
        promql "$q" > answer.json
        python3 -c "import json, sys; r = json.load(open(\"answer.json\")); assert r or \"off_track\" in sys.argv[1], sys.argv[1]" "$q"
    done < doc-queries
'

promql "scrape_duration_seconds{job=\"kpi\"}" > duration.json
python3 -c 'import json; r = json.load(open("duration.json")); print("# scrape_duration_seconds as Prometheus measured it: %s" % r[0]["value"][1])' 2>/dev/null || true
