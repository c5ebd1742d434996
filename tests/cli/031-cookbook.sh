# docs/cookbook.md, run: every recipe's commands against a fresh demo workspace, so that the
# book cannot rot. The conventions it relies on are in the HTML comment at the top of the book:
# a recipe is a "## N. Title" section; its ```sh blocks run in order in one `sh -e` script in
# the directory holding demo/ (with `kpi` on the PATH being $KPI); a ```yaml block after a line
# "<!-- file: PATH -->" is written to PATH first; "<!-- expect: TEXT -->" lines must show in the
# recipe's output; "<!-- needs: CMD -->" skips it when CMD is missing ("kpi X": a kpi command);
# "<!-- run: last -->" runs it after the others. Recipes share one workspace, in book order.
# COOKBOOK_SCALE (default 0.1) sets the demo's scale; COOKBOOK_OUT=DIR keeps each recipe's
# output as DIR/N.out (with COOKBOOK_SCALE=1 these are the outputs the book shows).
. "$KPI_TOP/tests/cli/lib.sh"

export KPI_NOW=2026-11-23T12:00:00Z KPI
book="$KPI_TOP/docs/cookbook.md"
B="$T_DIR/.book"
mkdir -p "$B/bin"
printf '#!/bin/sh\nexec "$KPI" "$@"\n' >"$B/bin/kpi"
chmod +x "$B/bin/kpi"

# Split the book into $B/N.sh (the recipe's script), N.title, N.expect, N.needs and N.last.
awk -v B="$B" '
function out(s) { print s > (B "/" r ".sh") }
fence != "" {
    if ($0 ~ /^```[ \t]*$/) {
        if (fence == "file") out("KPI_COOKBOOK_EOF")
        fence = ""
    } else if (fence == "sh" || fence == "file") out($0)
    next
}
/^```/ {
    info = substr($0, 4); sub(/[ \t].*/, "", info)
    fence = "skip"
    if (r && file != "") {
        out("cat > \"" file "\" <<'"'"'KPI_COOKBOOK_EOF'"'"'"); fence = "file"
    } else if (r && info == "sh") fence = "sh"
    file = ""
    next
}
/^## [0-9]+\. / {
    r = ++nr; t = $0; sub(/^## /, "", t)
    print t > (B "/" r ".title"); out("# " t)
    printf "" > (B "/" r ".expect"); printf "" > (B "/" r ".needs")
    next
}
/^##? / { r = 0; next }
r && /^<!-- *[a-z]+:.*--> *$/ {
    key = $0; sub(/^<!-- */, "", key); val = key
    sub(/:.*/, "", key); sub(/^[a-z]+: */, "", val); sub(/ *--> *$/, "", val)
    if (key == "file") file = val
    else if (key == "expect") print val > (B "/" r ".expect")
    else if (key == "needs") print val > (B "/" r ".needs")
    else if (key == "run" && val == "last") print "" > (B "/" r ".last")
}
END { print nr + 0 > (B "/count") }
' "$book" || { echo "not ok 1 - cannot read $book"; exit 0; }

n=$(cat "$B/count")

expect "the book has recipes, each with commands and an expected output" '
    test "$n" -ge 12
    i=1
    while [ $i -le $n ]; do
        grep -qv "^#" "$B/$i.sh" || { echo "recipe $i has no sh block"; exit 1; }
        test -s "$B/$i.expect" || { echo "recipe $i has no expect line"; exit 1; }
        i=$((i + 1))
    done
'

expect "a demo workspace (scale ${COOKBOOK_SCALE:-0.1})" '
    run_kpi 0 demo demo --scale "${COOKBOOK_SCALE:-0.1}" --quiet
    test -f demo/kpi.yaml
'

# recipe N: skipped when a need is missing, else run with sh -e and its output checked.
recipe() {
    i=$1
    title=$(cat "$B/$i.title")
    missing=
    while IFS= read -r need; do
        case "$need" in
        "") ;;
        "kpi "*) "$KPI" help "${need#kpi }" >/dev/null 2>&1 || missing="$need" ;;
        *) command -v "$need" >/dev/null 2>&1 || missing="$need" ;;
        esac
    done <"$B/$i.needs"
    if [ -n "$missing" ]; then
        T_N=$((T_N + 1))
        case "$missing" in
        "kpi "*) echo "ok $T_N # skip '$missing' does not exist yet: recipe $title" ;;
        *) echo "ok $T_N # skip $missing not installed: recipe $title" ;;
        esac
        return
    fi
    expect "recipe $title" '
        PATH="$B/bin:$PATH" sh -e "$B/$i.sh" >"$B/$i.out" 2>&1 ||
            { echo "the recipe failed (exit $?):"; tail -n 30 "$B/$i.out"; exit 1; }
        if [ -n "${COOKBOOK_OUT:-}" ]; then mkdir -p "$COOKBOOK_OUT"; cp "$B/$i.out" "$COOKBOOK_OUT/$i.out"; fi
        while IFS= read -r want; do
            grep -qF -- "$want" "$B/$i.out" ||
                { echo "the output lacks: $want"; tail -n 30 "$B/$i.out"; exit 1; }
        done <"$B/$i.expect"
    '
}

i=1
while [ $i -le $n ]; do
    [ -f "$B/$i.last" ] || recipe $i
    i=$((i + 1))
done
i=1
while [ $i -le $n ]; do
    [ -f "$B/$i.last" ] && recipe $i
    i=$((i + 1))
done
exit 0
