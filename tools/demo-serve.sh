#!/bin/sh
# tools/demo-serve.sh - `make demo`'s workspace and dashboard:
#   reset DIR              removes DIR for a new demo, only when it is missing or a demo
#                          workspace (its kpi.yaml names the demo company): never anything else
#   start DIR LISTEN KPI   runs `KPI -w DIR serve` in the background (pid in DIR/serve.pid, log in
#                          DIR/serve.log) and waits until it listens; exit 1 with the server's own
#                          reason (a port taken...) when it cannot start
#   stop DIR               ends the server a previous start left, only when the pid file's process
#                          is that server (`kpi ... -w DIR serve`): a stale pid file whose number
#                          went to another process is removed, the process left alone
set -eu
cmd=${1:-} dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 reset|start|stop DIR [LISTEN KPI]" >&2; exit 2; }
pidfile="$dir/serve.pid"
log="$dir/serve.log"
say() { echo "make demo: $*" >&2; }

# Is process $1 the kpi server of $dir? Its command line is "KPI -w DIR serve ...".
is_our_server() {
    args=$(ps -p "$1" -o args= 2>/dev/null) || return 1
    case "$args" in
    *kpi\ -w\ "$dir"\ serve\ *) return 0 ;;
    *) return 1 ;;
    esac
}

case "$cmd" in
reset)
    [ -e "$dir" ] || exit 0
    if [ -f "$dir/kpi.yaml" ] && grep -q '^  name: Alder & Finch Outdoor (demo)$' "$dir/kpi.yaml"; then
        rm -rf "$dir"
        exit 0
    fi
    say "'$dir' exists and is not a demo workspace: not removing it (choose another DEMO_DIR)"
    exit 1
    ;;
stop)
    [ -f "$pidfile" ] || exit 0
    pid=$(cat "$pidfile")
    case "$pid" in
    '' | *[!0-9]*) say "ignoring '$pidfile': '$pid' is not a process id" ;;
    *)
        if is_our_server "$pid"; then
            kill "$pid"
            # wait for it to let go of the port (at most 5 s)
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        elif kill -0 "$pid" 2>/dev/null; then
            say "process $pid of '$pidfile' is not the demo's kpi serve: left alone"
        fi
        ;;
    esac
    rm -f "$pidfile"
    ;;
start)
    [ $# -eq 4 ] || { echo "usage: $0 start DIR LISTEN KPI" >&2; exit 2; }
    listen=$3 kpi=$4
    nohup "$kpi" -w "$dir" serve --listen "$listen" --access-log "$dir/access.log" \
        >"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    # it listens once it says "kpi: serving"; it exits when it cannot (at most 10 s)
    i=0
    while ! grep -q '^kpi: serving' "$log" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 100 ]; then
            kill "$pid" 2>/dev/null || true
            rm -f "$pidfile"
            reason=$(grep -v '^$' "$log" | tail -n 1)
            say "the dashboard could not start: ${reason:-no reason given (see $log)}"
            say "another port: make demo DEMO_LISTEN=127.0.0.1:8081"
            exit 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo
    echo "Dashboard: http://$listen/  (kpi serve runs in the background; make demo-stop or"
    echo "           kill \$(cat $pidfile) stops it)"
    ;;
*)
    echo "usage: $0 reset|start|stop DIR [LISTEN KPI]" >&2
    exit 2
    ;;
esac
