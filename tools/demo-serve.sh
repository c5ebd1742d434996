#!/bin/sh
# tools/demo-serve.sh - `make demo`'s dashboard: `start DIR LISTEN KPI` runs `kpi serve` on the
# demo workspace in the background (its pid in DIR/serve.pid, its log in DIR/serve.log) and
# says where; `stop DIR` ends the one a previous `make demo` started.
set -eu
cmd=$1 dir=$2
pidfile="$dir/serve.pid"
if [ "$cmd" = stop ]; then
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    exit 0
fi
listen=$3 kpi=$4
nohup "$kpi" -w "$dir" serve --listen "$listen" --access-log "$dir/access.log" \
    >"$dir/serve.log" 2>&1 </dev/null &
echo $! > "$pidfile"
sleep 0.3
if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo
    echo "Dashboard: http://$listen/  (kpi serve runs in the background; stop it with"
    echo "           kill \$(cat $pidfile))"
else
    echo "kpi serve could not start (see $dir/serve.log): try make demo DEMO_LISTEN=127.0.0.1:8081"
    rm -f "$pidfile"
fi
