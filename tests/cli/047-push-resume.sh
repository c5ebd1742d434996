# kpi push on a stream without an id, against a real server that restarts or dies mid-push:
# a file goes in pieces stored whole or not at all, so a restart loses and doubles nothing; a
# piece whose connection broke after it was sent is set aside, never sent twice; a spooled file
# the server refuses is set aside with its reason and does not block the spool.
. "$KPI_TOP/tests/cli/lib.sh"

command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed to find a free port"; exit 0; }
export KPI_NOW=2026-11-10T12:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  clicks:
    time: at
    fields:
      at: time
      page: text
kpis:
  click_count:
    formula: count(clicks)
    unit: count
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
# start: a server on $port (its pid in server.pid: tests run in subshells); stop SIGNAL
start() {
    rm -f access.log
    "$KPI" serve --listen "127.0.0.1:$port" --threads 2 --access-log access.log 2>>serve.err &
    echo $! > server.pid
    for i in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
stop() {
    kill -"$1" "$(cat server.pid)"
    while kill -0 "$(cat server.pid)" 2>/dev/null; do sleep 0.02; done
}
trap 'kill "$(cat server.pid)" 2>/dev/null; rm -rf "$T_DIR"' EXIT
rows() { "$KPI" streams --format json | python3 -c "import json, sys; print(json.load(sys.stdin)[\"streams\"][0][\"rows\"])"; }
# wait_rows: until the server has stored a piece (its access log says so: reading kpi.db
# would wait for the imports in flight)
wait_rows() {
    for i in $(seq 500); do
        grep -q "POST /api/v1/streams/clicks/events 200" access.log 2>/dev/null && return 0
        sleep 0.01
    done
    return 1
}
python3 -c '
print("at,page")
for i in range(200000): print("2026-11-%02dT10:00:00Z,/p%d" % (i % 9 + 1, i % 13))
' > clicks.csv
start

expect "a server restarted mid-push: every row stored once, the count printed is right" '
    "$KPI" push --server "$url" --spool spool --batch-rows 5000 clicks clicks.csv 2>push.err &
    push=$!
    wait_rows
    stop TERM
    stored=$(rows)
    start
    wait $push
    echo "stored at the restart: $stored"; test "$stored" -lt 200000
    eq "$(rows)" 200000
    has push.err "clicks.csv: 200000 accepted, 0 rejected, 0 duplicates"
'

"$KPI" streams drop clicks --yes >/dev/null

expect "a server killed mid-piece: the piece is set aside, never sent twice" '
    set +e
    "$KPI" push --server "$url" --spool spool --batch-rows 40000 --retry-for 1 clicks clicks.csv \
        2>push.err &
    push=$!
    wait_rows
    stop KILL
    wait $push
    code=$?
    set -e
    cat push.err; eq $code 1
    start
    run_kpi 0 push --server "$url" --spool spool clicks
    held=0
    if ls spool/clicks/failed/*.csv >/dev/null 2>&1; then
        has push.err "may or may not be stored: not sent again"
        has spool/clicks/failed/*.reason "the stream has no id"
        held=$(cat spool/clicks/failed/*.csv | grep -vc "^at,page")
    fi
    n=$(rows)
    test "$n" -le 200000
    test "$n" -ge $((200000 - held))
'

stop TERM
rm -rf spool

expect "a spooled file the server refuses is set aside with its reason; the spool goes on" '
    printf "at,page\n2026-11-02T10:00:00Z,\"/never-closed\n2026-11-02T11:00:00Z,/b\n" > broken.csv
    printf "at,page\n2026-11-03T10:00:00Z,/c\n" > good.csv
    run_kpi 1 push --server "$url" --spool spool --retry-for 0 clicks broken.csv good.csv
    eq "$(ls spool/clicks | wc -l)" 2
    start
    before=$(rows)
    run_kpi 1 push --server "$url" --spool spool clicks
    has err "unterminated quoted field"
    has err "set aside, with its reason"
    eq "$(rows)" $((before + 1))
    eq "$(ls spool/clicks/failed | wc -l)" 2
    has spool/clicks/failed/*.reason "unterminated quoted field"
    run_kpi 0 push --server "$url" --spool spool clicks
    eq "$(ls spool/clicks | grep -vc failed)" 0
'
