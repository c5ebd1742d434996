# kpi serve against bad days and bad bytes, on a real server on loopback: a workspace without
# tokens is not served on a non-loopback address unless --open; any bytes in a path, an argument
# or a header (%FF, a latin1 header, %0A) get an answer that is valid JSON and one access-log
# line; upload media types are parsed (case, parameters); an import that stops says how many
# rows it stored; a full disk is a 5xx (worth retrying), not a 400.
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
      revenue: number
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [region]
YAML
printf 'at,region,revenue\n2026-11-02T10:00:00Z,West,300\n' > one.csv
"$KPI" import orders one.csv >/dev/null

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: until the server accepts connections
wait_port() {
    for i in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# rows: the rows stored in orders
rows() {
    "$KPI" streams --format json | python3 -c "import json, sys; print(json.load(sys.stdin)[\"streams\"][0][\"rows\"])"
}
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$T_DIR"' EXIT

# raw PORT REQUEST: sends REQUEST (a Python bytes literal body, \r\n line ends added) as it is,
# writes the status to status and the body to body, and fails unless the body is valid UTF-8
# JSON (the server must answer every request, never drop it).
raw() {
    python3 - "$1" "$2" <<'PY'
import ast, json, socket, sys
port, req = int(sys.argv[1]), ast.literal_eval("b'" + sys.argv[2] + "'")
s = socket.create_connection(("127.0.0.1", port), 10)
s.sendall(req.replace(b"\n", b"\r\n") + b"\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    if n and len(rest) >= n[0]:
        break
head, _, body = data.partition(b"\r\n\r\n")
assert head, "no answer at all to %r" % req
open("status", "w").write(head.split(b" ")[1].decode() + "\n")
open("body", "wb").write(body)
json.loads(body.decode("utf-8"))
PY
}

# post PORT STREAM FILE TYPE [chunked]: POSTs FILE as the body (with chunked: without a
# Content-Length, so that the server learns its size only as it arrives); status and body as
# for raw
post() {
    python3 - "$@" <<'PY'
import http.client, json, sys
port, stream, file, ctype = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = open(file, "rb").read()
body = (data[i:i + 65536] for i in range(0, len(data), 65536)) if sys.argv[5:] else data
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
c.request("POST", "/api/v1/streams/%s/events" % stream, body=body,
          headers={"Content-Type": ctype}, encode_chunked=bool(sys.argv[5:]))
r = c.getresponse()
body = r.read()
open("status", "w").write("%d\n" % r.status)
open("body", "wb").write(body)
json.loads(body.decode("utf-8"))
PY
}

expect "no token and a non-loopback address: refused, with the command to create a token" '
    run_kpi 1 serve --listen "0.0.0.0:$(free_port)"
    has err "refusing to serve"
    has err "kpi -w $KPI_WORKSPACE token create --role admin"
    has err "--open"
    run_kpi 1 serve --listen ":$(free_port)"
    has err "refusing to serve"
'

expect "--open serves it anyway; loopback needs no --open" '
    p=$(free_port)
    "$KPI" serve --listen "0.0.0.0:$p" --open 2>open.err &
    q=$!
    wait_port $p
    raw $p "GET /healthz HTTP/1.1\nHost: x"
    kill $q; wait $q || true
    eq "$(cat status)" 200
'

port=$(free_port)
"$KPI" serve --listen "127.0.0.1:$port" --threads 2 --access-log access.log --max-body 12000000 \
    2>serve.err &
pids="$pids $!"
wait_port $port

expect "%FF in a path or an argument and latin1 headers get a JSON answer" '
    raw $port "GET /api/v1/%FF HTTP/1.1\nHost: x"
    eq "$(cat status)" 404
    has body "no such endpoint: /api/v1/\\\\xFF"
    raw $port "GET /api/v1/query?kpi=%FF%FE HTTP/1.1\nHost: x"
    eq "$(cat status)" 404
    raw $port "GET /api/v1/query?kpi=revenue&where=region%20%3D%20%22%FF%22%20and HTTP/1.1\nHost: x"
    eq "$(cat status)" 400
    raw $port "GET /api/v1/query?kpi=revenue&by=%E9t%E9 HTTP/1.1\nHost: x"
    eq "$(cat status)" 400
    raw $port "POST /api/v1/streams/orders/events HTTP/1.1\nHost: x\nContent-Type: text/\xe9t\xe9\nContent-Length: 0"
    eq "$(cat status)" 415
    raw $port "GET /api/v1/streams/%FF/events HTTP/1.1\nHost: x"
    eq "$(cat status)" 405
    raw $port "POST /api/v1/streams/%FF/events HTTP/1.1\nHost: x\nContent-Type: text/csv\nContent-Length: 0"
    eq "$(cat status)" 404
'

expect "%0A in a path stays inside one access-log line" '
    before=$(wc -l < access.log)
    raw $port "GET /x%0a2026-01-01T00:00:00Z%20127.0.0.1%20GET%20/forged%20200 HTTP/1.1\nHost: x"
    eq "$(cat status)" 404
    sleep 0.2
    eq "$(wc -l < access.log)" "$((before + 1))"
    has access.log "GET /x\\x0A2026-01-01T00:00:00Z\\x20127.0.0.1"
    lacks access.log " /forged 200"
'

expect "media types are parsed: case and parameters count, a longer name does not" '
    printf "at,region,revenue\n2026-11-03T10:00:00Z,East,10\n" > two.csv
    post $port orders two.csv "TEXT/CSV; charset=UTF-8"
    eq "$(cat status)" 200
    has body "\"accepted\":1"
    post $port orders two.csv "text/csvx"
    eq "$(cat status)" 415
    post $port orders two.csv "text/csv; charset=latin1"
    eq "$(cat status)" 415
    printf "{\"at\":\"2026-11-04T10:00:00Z\",\"region\":\"North\",\"revenue\":5}\n" > three.ndjson
    post $port orders three.ndjson "Application/X-NDJSON ; charset=\"utf-8\""
    eq "$(cat status)" 200
    has body "\"accepted\":1"
'

expect "invalid UTF-8 in a rejected row is in first_rejected, escaped" '
    printf "at,region,revenue\n2026-11-05T10:00:00Z,\351st,abc\n" > latin1.csv
    post $port orders latin1.csv "text/csv"
    python3 -c "
import json; b = json.load(open(\"body\"))
assert b[\"rejected\"] == 1 and len(b[\"first_rejected\"]) == 1, b
"
'

expect "an import stopped by a broken quote says how many rows it stored" '
    python3 -c "
print(\"at,region,revenue\")
for i in range(70000): print(\"2026-10-%02dT10:00:00Z,R%d,1\" % (i % 28 + 1, i % 7))
print(\"2026-10-01T10:00:00Z,\\\"broken,1\")
" > broken.csv
    before=$(rows)
    post $port orders broken.csv "text/csv"
    eq "$(cat status)" 400
    stored=$(python3 -c "import json; print(json.load(open(\"body\"))[\"stored\"])")
    test "$stored" -gt 0
    has body "$stored rows were stored before it stopped"
    eq "$(rows)" "$((before + stored))"
'

expect "an upload stopped at the size limit says how many rows it stored" '
    python3 -c "
print(\"at,region,revenue\")
for i in range(600000): print(\"2026-09-%02dT10:00:00Z,R%d,1\" % (i % 28 + 1, i % 7))
" > big.csv
    before=$(rows)
    post $port orders big.csv "text/csv" chunked
    eq "$(cat status)" 413
    stored=$(python3 -c "import json; print(json.load(open(\"body\"))[\"stored\"])")
    test "$stored" -gt 0
    has body "body over the limit of 12000000 bytes"
    has body "$stored rows were stored before it stopped"
    eq "$(rows)" "$((before + stored))"
'

# a full disk: the workspace on a small tmpfs, mounted in a user and mount namespace of its own
if unshare -rm true 2>/dev/null; then
expect "a full disk answers 503 (worth retrying), and the server keeps serving" '
    mkdir full
    size=$(( $(du -sk ws | cut -f1) + 300 ))
    p=$(free_port)
    unshare -rm sh -c "mount -t tmpfs -o size=${size}k tmpfs full && cp -r ws/. full/ &&
        exec \"$KPI\" -w full serve --listen 127.0.0.1:$p" 2>full.err &
    q=$!
    pids="$pids $q"
    wait_port $p
    post $p orders big.csv "text/csv"
    eq "$(cat status)" 503
    has body "stored"
    raw $p "GET /api/v1/query?kpi=revenue HTTP/1.1\nHost: x"
    eq "$(cat status)" 200
    kill $q
'
else
    echo "ok $((T_N + 1)) # skip unshare -rm is not allowed here (full-disk test)"
fi

# Readers during an upload (issue 17, 9): answers computed before the last batch come at once,
# marked X-KPI-Stale with their Age, while one recompute runs in the background; a request
# with Cache-Control: no-cache is always computed; once the upload is answered, reads are new.
expect "during an upload readers get the last answer at once, marked stale; after it, the new one" '
    python3 -c "
import sys
sys.stdout.write(\"at,region,revenue\\n\")
for i in range(150000):
    sys.stdout.write(\"2026-11-%02dT10:00:00Z,North,1\\n\" % (3 + i % 5))
" > wave.csv
    python3 - $port <<PY
import http.client, json, sys, threading, time
port = int(sys.argv[1])
reader = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # one keep-alive reader
def get(path, headers={}):
    reader.request("GET", path, headers=headers)
    r = reader.getresponse()
    return r.status, r.getheader("X-KPI-Stale"), r.getheader("Age"), json.loads(r.read())
path = "/api/v1/query?kpi=revenue&period=2026-11"
before = get(path)[3]["kpis"][0]["series"][0]["value"]
done = []
def upload():
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        c.request("POST", "/api/v1/streams/orders/events", body=open("wave.csv", "rb"),
                  headers={"Content-Type": "text/csv"})
        r = c.getresponse()
        done.append((r.status, json.loads(r.read())))
    except Exception as e:
        done.append((0, repr(e)))
t = threading.Thread(target=upload)
t.start()
stale = 0
deadline = time.monotonic() + 300
while not done and time.monotonic() < deadline:
    time.sleep(0.002)  # a dashboard-like reader, not a flood
    status, mark, age, doc = get(path)
    assert status == 200, (status, doc)
    if mark:
        assert mark == "1" and age is not None and 0 <= int(age) <= 60, (mark, age)
        stale += 1
    status, mark, age, doc = get(path, {"Cache-Control": "no-cache"})
    assert status == 200 and mark is None, (status, mark)
t.join()
assert done[0][0] == 200 and done[0][1]["accepted"] == 150000, done
assert stale > 0, "no read was answered stale during the upload"
status, mark, age, doc = get(path)
assert mark is None and doc["kpis"][0]["series"][0]["value"] == before + 150000, (mark, doc)
print("stale reads during the upload:", stale)
PY
'

expect "GET /api/v1/streams is kpi streams --format json, byte for byte" '
    raw $port "GET /api/v1/streams HTTP/1.1\nHost: x"
    eq "$(cat status)" 200
    "$KPI" streams --format json > cli
    cmp body cli
    has cli "\"id\": null, \"rows\": "
'

# until PATH TEXT: polls PATH (10 s at most) until its body holds TEXT
until_body() {
    for i in $(seq 100); do
        raw $port "GET $1 HTTP/1.1\nHost: x" && grep -qF -- "$2" body && return 0
        sleep 0.1
    done
    echo "GET $1 never held: $2"; cat body; return 1
}

expect "targets set while serving: the API serves the new target at once" '
    raw $port "GET /api/v1/query?kpi=revenue&period=2026-10 HTTP/1.1\nHost: x"
    lacks body "\"target\": 4321"
    "$KPI" targets set revenue 4321 --period 2026-10 >/dev/null
    raw $port "GET /api/v1/query?kpi=revenue&period=2026-10 HTTP/1.1\nHost: x"
    has body "\"target\": 4321"
'

# With one worker thread: a worker that served nothing between two edits reopens the files
# as they are then, and a broken file leaves it on its older definitions (docs/design.md §0).
expect "a KPI added to kpi.yaml while serving is served; a broken kpi.yaml keeps the last good one, and /healthz says so" '
    port=$(free_port)
    "$KPI" serve --listen "127.0.0.1:$port" --threads 1 2>reload.err &
    reload_pid=$!
    trap "kill $reload_pid 2>/dev/null" EXIT
    until_body /healthz "\"status\":\"ok\""
    cp ws/kpi.yaml good.yaml
    cat >> ws/kpi.yaml <<YAML
  order_lines:
    formula: count(orders)
    unit: count
YAML
    until_body /api/v1/kpis "\"id\":\"order_lines\""
    raw $port "GET /api/v1/query?kpi=order_lines&period=2026-11 HTTP/1.1\nHost: x"
    eq "$(cat status)" 200
    printf "kpis:\n  broken: [\n" >> ws/kpi.yaml
    until_body /healthz "\"status\":\"stale\""
    has body "the last good ones are served"
    raw $port "GET /api/v1/query?kpi=order_lines&period=2026-11 HTTP/1.1\nHost: x"
    eq "$(cat status)" 200
    cp good.yaml ws/kpi.yaml
    until_body /healthz "\"status\":\"ok\""
    until_body /api/v1/query?kpi=order_lines "unknown kpi"
'
