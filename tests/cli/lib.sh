# lib.sh - helpers for the numbered CLI tests (sourced). Each script runs in its own temporary
# directory with a fresh workspace and prints "ok N - name" / "not ok N - name" lines, like git's
# test_expect_success. $KPI is the binary under test, $KPI_TOP the source tree.
set -u
T_N=0
T_DIR=$(mktemp -d)
trap 'rm -rf "$T_DIR"' EXIT
cd "$T_DIR" || exit 1
export KPI_WORKSPACE="$T_DIR/ws" NO_COLOR=1
unset KPI_TEST_SHOWN

# expect NAME COMMANDS: runs COMMANDS (a string, in a subshell with set -e); ok when it succeeds.
# The subshell must not run as an `if` condition: the shell ignores set -e there, and only the
# last command would count.
expect() {
    T_N=$((T_N + 1))
    (set -e; eval "$2") >"$T_DIR/.out" 2>&1
    if [ $? -eq 0 ]; then
        echo "ok $T_N - $1"
    else
        echo "not ok $T_N - $1"
        sed 's/^/#   /' "$T_DIR/.out" | head -40
    fi
}

# run_kpi CODE ARGS...: runs kpi, captures stdout/stderr in out/err, fails unless it exits CODE.
run_kpi() {
    want=$1
    shift
    set +e
    "$KPI" "$@" >out 2>err
    got=$?
    set -e
    if [ "$got" -ne "$want" ]; then
        echo "kpi $* exited $got, expected $want"
        echo "--- stdout"; cat out; echo "--- stderr"; cat err
        return 1
    fi
}

# has FILE TEXT: FILE contains TEXT (fixed string).
has() {
    grep -qF -- "$2" "$1" || { echo "$1 does not contain: $2"; echo "--- $1:"; cat "$1"; return 1; }
}

# sql QUERY: runs a query on the workspace database.
sql() { sqlite3 "$KPI_WORKSPACE/kpi.db" "$1"; }

# eq A B: the two strings are equal.
eq() { [ "$1" = "$2" ] || { echo "expected [$2], got [$1]"; return 1; }; }

# lacks FILE TEXT: FILE does not contain TEXT (`! grep` would not stop a set -e script).
lacks() {
    if grep -qF -- "$2" "$1"; then echo "$1 contains: $2"; cat "$1"; return 1; fi
}

# free_port: prints a free TCP port on loopback, for a server under test.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# get PATH [METHOD [FILE TYPE]]: an HTTP request to 127.0.0.1:$port (FILE as its body, of
# content type TYPE; $TOKEN as its bearer token; waits while the server starts, at most
# $KPI_HTTP_TIMEOUT seconds for the answer); writes the answer to body and
# "status type auth" to status. Needs python3 (no curl needed).
get() {
    python3 - "$port" "$1" "${2:-GET}" "${3:-}" "${4:-}" "${KPI_HTTP_TIMEOUT:-30}" <<'PY'
import http.client, os, sys, time
port, path, method, file, ctype, timeout = sys.argv[1:7]
headers = {"Authorization": "Bearer " + os.environ["TOKEN"]} if os.environ.get("TOKEN") else {}
body = open(file, "rb").read() if file else None
if ctype:
    headers["Content-Type"] = ctype
for attempt in range(200):  # the server may still be starting
    try:
        c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=float(timeout))
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        break
    except ConnectionRefusedError:
        time.sleep(0.05)
open("body", "wb").write(r.read())
open("status", "w").write("%d %s %s\n" % (r.status, r.getheader("Content-Type"),
                                          r.getheader("WWW-Authenticate") or "-"))
PY
}
