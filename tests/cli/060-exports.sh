# The library boundary: libkpi.so exports the API of include/kpi.h (its KPI_API functions) and
# nothing else, and the build only builds (nothing is installed by `make`).
. "$KPI_TOP/tests/cli/lib.sh"
so="$(dirname "$KPI")/libkpi.so"

# The functions kpi.h declares at file scope, one name a line, sorted.
api() {
    sed -n 's/^KPI_API [^(]*[ *]\(kpi_[a-z0-9_]*\)(.*/\1/p' "$KPI_TOP/include/kpi.h" | sort -u
}

expect "libkpi.so exports only kpi_* symbols" '
    nm -D --defined-only "$so" | awk "{ print \$3 }" | sort -u > exported
    test -s exported
    grep -v "^kpi_" exported > extra || true
    if [ -s extra ]; then echo "exported beyond the API ($(wc -l < extra)):"; head -20 extra; exit 1; fi'

expect "libkpi.so exports every KPI_API function of kpi.h" '
    api > declared
    test "$(wc -l < declared)" -gt 40
    comm -23 declared exported > missing
    if [ -s missing ]; then echo "declared but not exported:"; cat missing; exit 1; fi'

expect "every function kpi.h declares is marked KPI_API" '
    grep -nE "^(const )?[a-z_0-9]+ [*]*kpi_[a-z_0-9]+[(]" "$KPI_TOP/include/kpi.h" > unmarked || true
    if [ -s unmarked ]; then cat unmarked; exit 1; fi'

