# kpi push: the agent sends files and standard input to a real server on loopback; a second
# push of the same rows adds nothing; while the server is down batches go to the spool, and the
# next push after it comes back delivers them in order: nothing lost, nothing doubled.
. "$KPI_TOP/tests/cli/lib.sh"

command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed to find a free port"; exit 0; }
export KPI_NOW=2026-11-10T12:00:00Z

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  handling:
    time: at
    id: call_id
    fields:
      call_id: text
      at: time
      agent: text
      seconds: integer
kpis:
  calls:
    formula: count(handling)
    unit: count
    dimensions: [agent]
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
start() {
    "$KPI" serve --listen "127.0.0.1:$port" --threads 2 2>>serve.err &
    pid=$!
    for i in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
trap 'kill $pid 2>/dev/null; rm -rf "$T_DIR"' EXIT
T=$("$KPI" token create --role ingest --streams handling 2>/dev/null)
start

rows() { # the calls stored, from the CLI
    "$KPI" query calls --period 2026-11 --format csv | sed -n 2p | cut -d, -f3
}

printf "call_id,at,agent,seconds\nC1,2026-11-02T10:00:00Z,Ana,300\nC2,2026-11-02T11:00:00Z,Bo,240\nC3,2026-11-03T09:00:00Z,Ana,180\n" > a.csv
printf "call_id,at,agent,seconds\nC4,2026-11-04T10:00:00Z,Bo,200\nC5,2026-11-04T11:00:00Z,Ana,260\n" > b.csv

expect "push sends a file; pushing it again adds nothing" '
    run_kpi 0 push --server "$url" --token "$T" --spool spool handling a.csv
    grep -q "a.csv: 3 accepted, 0 rejected, 0 duplicates" err
    run_kpi 0 push --server "$url" --token "$T" --spool spool handling a.csv
    grep -q "0 accepted, 0 rejected, 3 duplicates" err
    test "$(rows)" = 3
'

kill -TERM $pid
wait $pid

expect "while the server is down, files and standard input go to the spool" '
    run_kpi 1 push --server "$url" --token "$T" --spool spool --retry-for 0.5 handling b.csv
    grep -q "spooled" err
    printf "call_id,at,agent,seconds\nC6,2026-11-05T10:00:00Z,Bo,100\n" | \
        "$KPI" push --server "$url" --token "$T" --spool spool --retry-for 0 handling - 2>err || true
    test "$(ls spool/handling | wc -l)" = 2
    test -f b.csv
'

start

expect "after the restart the next push delivers the spool in order: nothing lost or doubled" '
    run_kpi 0 push --server "$url" --token "$T" --spool spool handling
    test "$(grep -c "accepted" err)" = 2
    test "$(ls spool/handling | wc -l)" = 0
    test "$(rows)" = 6
    run_kpi 0 push --server "$url" --token "$T" --spool spool handling b.csv
    grep -q "0 accepted, 0 rejected, 2 duplicates" err
    test "$(rows)" = 6
'

expect "a refused request is final: a bad token, an unknown stream" '
    run_kpi 1 push --server "$url" --token nope --spool spool handling a.csv
    grep -q "HTTP 401" err
    run_kpi 1 push --server "$url" --token "$T" --spool spool2 nowhere a.csv
    grep -q "HTTP 404" err
    run_kpi 2 push handling a.csv
'
