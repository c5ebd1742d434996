# tools/demo-serve.sh, the dashboard of `make demo`: it starts kpi serve in the background and
# waits until it listens; a port already taken fails with a non-zero exit and the server's
# reason, leaving no pid file; stop ends only the server its pid file names (a stale pid file
# whose number now belongs to another process leaves that process alone); reset removes only
# a demo workspace. A real server on a loopback port chosen at random.
. "$KPI_TOP/tests/cli/lib.sh"

command -v python3 >/dev/null || { echo "ok 1 # skip python3 is needed for the ports"; exit 0; }
S="$KPI_TOP/tools/demo-serve.sh"
"$KPI" init ws >/dev/null
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

expect "a port already taken: exit 1 with the reason, no server left, no pid file" '
    port=$(free_port)
    python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", $port)); s.listen(); open(\"taken\", \"w\").close(); time.sleep(30)" &
    holder=$!
    while [ ! -f taken ]; do sleep 0.05; done
    set +e
    sh "$S" start ws "127.0.0.1:$port" "$KPI" >out 2>err
    rc=$?
    set -e
    kill $holder
    [ $rc = 1 ] || { echo "exit $rc"; cat out err; exit 1; }
    has err "the dashboard could not start: kpi: serve: cannot listen on 127.0.0.1:$port"
    has err "DEMO_LISTEN="
    test ! -e ws/serve.pid
    if pgrep -f "kpi -w ws serve --listen 127.0.0.1:$port" >/dev/null; then exit 1; fi
'

expect "start waits until the dashboard answers; stop ends it and removes the pid file" '
    port=$(free_port)
    sh "$S" start ws "127.0.0.1:$port" "$KPI" >out 2>err
    has out "Dashboard: http://127.0.0.1:$port/"
    pid=$(cat ws/serve.pid)
    kill -0 "$pid"
    python3 -c "
import http.client
c = http.client.HTTPConnection(\"127.0.0.1\", $port, timeout=10); c.request(\"GET\", \"/healthz\")
assert c.getresponse().status == 200"
    sh "$S" stop ws
    test ! -e ws/serve.pid
    if kill -0 "$pid" 2>/dev/null; then echo "server $pid still runs"; exit 1; fi
'

expect "stop leaves alone a process that is not the demo server (a stale pid file)" '
    sleep 60 &
    other=$!
    echo $other > ws/serve.pid
    sh "$S" stop ws 2>err
    kill -0 $other
    kill $other
    has err "process $other of '\''ws/serve.pid'\'' is not the demo'\''s kpi serve: left alone"
    test ! -e ws/serve.pid
    echo "12x" > ws/serve.pid
    sh "$S" stop ws 2>err
    has err "is not a process id"
'

expect "reset removes a demo workspace only" '
    set +e
    sh "$S" reset ws 2>err
    rc=$?
    set -e
    [ $rc = 1 ] && test -f ws/kpi.yaml
    has err "'\''ws'\'' exists and is not a demo workspace: not removing it"
    mkdir -p old/data
    printf "workspace:\n  name: Alder & Finch Outdoor (demo)\n" > old/kpi.yaml
    sh "$S" reset old
    test ! -e old
    sh "$S" reset missing
'
