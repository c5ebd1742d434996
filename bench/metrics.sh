#!/bin/sh
# bench/metrics.sh - how fast `kpi serve` answers GET /metrics on the demo company (issue 18: a
# scrape under 100 ms, never a query in the request). Measures, with curl:
#   - cold: from the server's start to the first scrape answered (that scrape waits for the
#     first text, computed in the background), and the refresh's own duration;
#   - warm: BENCH_SCRAPES scrapes (default 50) of the whole text, and of ?kpi=revenue;
#   - during a refresh: scrapes while the text is recomputed after an import.
# Prints each one's median, p95 and max in milliseconds, the text's size, and the target.
#
#   make && sh bench/metrics.sh        (BENCH_SCALE, default 1: the demo as `kpi demo` makes it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${KPI_BUILD:-build}"
scale=${BENCH_SCALE:-1}
n=${BENCH_SCRAPES:-50}
out="$top/bench/out/metrics"
ws="$top/bench/out/ws-metrics-$scale"
port=${BENCH_PORT:-18098}
command -v curl >/dev/null || { echo "bench: needs curl (apt-get install curl)"; exit 1; }
[ -x "$build/kpi" ] || { echo "bench: run make first"; exit 1; }
export KPI_NOW=2026-11-23T12:00:00Z
mkdir -p "$out"
echo "metrics benchmark: kpi demo --scale $scale; $(nproc) cores, load average at start" \
     "$(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$ws/.complete" ] || { rm -rf "$ws"; "$build/kpi" demo "$ws" --scale "$scale" --quiet; : > "$ws/.complete"; }
url="http://127.0.0.1:$port/metrics"

# stats LABEL FILE: median, p95 and max of the seconds in FILE, in milliseconds
stats() {
    sort -n "$2" | awk -v label="$1" '{ v[NR] = $1 * 1000 } END {
        printf "%-43s %3d scrapes  median %7.1f ms  p95 %7.1f ms  max %7.1f ms\n", label, NR,
               v[int((NR + 1) / 2)], v[int(NR * 0.95 + 0.999)], v[NR] }'
}

# scrapes LABEL URL COUNT: COUNT scrapes of URL, one after the other, as curl saw them and as
# the server's access log did (from the request to the last byte handed to the socket)
scrapes() {
    : > "$out/times"
    : > "$out/access.log"
    for i in $(seq "$3"); do
        curl -sf -o "$out/body" -w "%{time_total}\n" "$2" >> "$out/times"
    done
    stats "$1 (curl)" "$out/times"
    sed -n 's/.* \([0-9.]*\)ms$/\1/p' "$out/access.log" | awk '{ print $1 / 1000 }' > "$out/server"
    stats "$1 (server)" "$out/server"
}

t0=$(date +%s.%N)
"$build/kpi" -w "$ws" serve --listen "127.0.0.1:$port" --threads 2 \
    --access-log "$out/access.log" 2>"$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf -o "$out/first" "$url" 2>/dev/null; do sleep 0.01; done
t1=$(date +%s.%N)
refresh=$(awk '/^kpi_metrics_refresh_duration_seconds / {print $2}' "$out/first")
printf "cold: server start to first scrape answered %.2f s (the first refresh took %s s)\n" \
    "$(echo "$t1 - $t0" | bc)" "$refresh"
printf "text: %d lines, %d bytes, %d series of kpi_value\n" "$(wc -l < "$out/first")" \
    "$(wc -c < "$out/first")" "$(grep -c '^kpi_value{' "$out/first")"
scrapes "warm: /metrics" "$url" "$n"
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] * 1000 }'; }
warm_curl=$(median "$out/times")
warm_server=$(median "$out/server")
scrapes "warm: /metrics?kpi=revenue" "$url?kpi=revenue" "$n"

# a change to the data (a target of a past month, set again on every run) makes the server
# recompute the text: scrape while it does
before=$(awk '/^kpi_metrics_refreshes_total / {print $2}' "$out/body")
"$build/kpi" -w "$ws" targets set revenue 1 --period 2026-01 >/dev/null
sleep 1.2
scrapes "during a refresh: /metrics" "$url" 20
after=$(curl -sf "$url" | awk '/^kpi_metrics_refreshes_total / {print $2}')
echo "(refreshes completed before the change: $before; after these scrapes: $after)"
echo "target (issue 18): a scrape of the demo under 100 ms: warm median $warm_curl ms (curl)," \
     "$warm_server ms (server)"
