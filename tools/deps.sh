#!/bin/sh
# Installs the Debian packages kpi needs that this machine lacks (sudo when not root).
# Libraries are checked with pkg-config, tools with command -v; nothing is installed twice.
# With --check (what `make` runs), installs nothing: names what the build lacks and how to
# install it, and fails when something is missing.
set -eu
mode=install
[ "${1:-}" = --check ] && mode=check
need=""
chk_pc() { pkg-config --exists "$1" 2>/dev/null || need="$need $2"; }
chk_cmd() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
chk_cmd pkg-config pkg-config
chk_cmd cc gcc
chk_cmd make make
chk_pc sqlite3 libsqlite3-dev
chk_pc libfyaml libfyaml-dev
chk_pc jansson libjansson-dev
chk_pc icu-i18n libicu-dev
chk_pc libsodium libsodium-dev
chk_pc libxxhash libxxhash-dev   # XXH3-64 checksums of the columnar segments
chk_pc libmicrohttpd libmicrohttpd-dev
chk_pc libcurl libcurl4-openssl-dev
if [ $mode = check ]; then
    [ -z "$need" ] && exit 0
    echo "kpi: the build needs these Debian packages:$need" >&2
    echo "kpi: install them with 'make deps' (or: sudo apt-get install$need)" >&2
    exit 1
fi
# what the tests, the dashboard's npm packages and the optional runs below need
chk_cmd sqlite3 sqlite3
chk_cmd python3 python3   # the tests read JSON with it
chk_cmd jq jq             # the cookbook's recipe that reads JSON with jq
chk_cmd node nodejs       # npm ci: uPlot for the dashboard, playwright-core for its tests
chk_cmd npm npm
if [ "${KPI_DEPS_BROWSER:-0}" = 1 ]; then   # the dashboard's browser test (tests/browser/)
    [ -x /usr/bin/chromium ] || need="$need chromium"
fi
if [ "${KPI_DEPS_PROMETHEUS:-0}" = 1 ]; then   # /metrics scraped by a real Prometheus (tests/cli/046)
    { command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need="$need prometheus"
fi
if [ "${KPI_DEPS_BENCH:-0}" = 1 ]; then
    [ -x /usr/bin/time ] || need="$need time"
fi
if [ "${KPI_DEPS_FORMAT:-0}" = 1 ]; then   # make format-check
    chk_cmd clang-format clang-format
fi
if [ "${KPI_DEPS_FUZZ:-0}" = 1 ]; then
    chk_cmd clang clang
    [ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] || need="$need libclang-rt-14-dev"
fi
[ -z "$need" ] && exit 0
echo "installing:$need"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $need
