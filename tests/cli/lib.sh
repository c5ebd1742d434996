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
