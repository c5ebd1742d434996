# Long dimension values are taken whole: by kpi targets import (a value was cut to 250 bytes in a
# fixed buffer and stored as another rep's quota) and in a query's groups (cut to 255 bytes);
# more dimension columns than a target can have is an error, not columns silently left out.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  orders:
    time: ordered_at
    fields:
      ordered_at: date
      rep: text
      revenue: number
kpis:
  revenue:
    formula: sum(orders.revenue)
    unit: currency
    dimensions: [rep]
YAML
long=$(printf 'r%.0s' $(seq 1 300))

expect "a 300-byte dimension value is stored whole" '
    printf "kpi,period,rep,value\nrevenue,2026-10,%s,800\n" "$long" > long.csv
    run_kpi 0 targets import long.csv
    has out "1 targets stored"
    eq "$(sql "SELECT dims FROM kpi_targets")" "rep=$long"'

expect "17 dimension columns fail the import with the row" '
    h="kpi,value" r="revenue,5"
    for i in $(seq 1 17); do h="$h,rep"; r="$r,x$i"; done
    printf "%s\n%s\n" "$h" "$r" > wide.csv
    run_kpi 2 targets import wide.csv
    has err "wide.csv:2: too many dimensions"'

expect "a query by a 300-byte dimension value shows it whole, with its target" '
    printf "ordered_at,rep,revenue\n2026-10-03,%s,900\n" "$long" > orders.csv
    run_kpi 0 import orders orders.csv
    run_kpi 0 query revenue --period 2026-10 --by rep --format csv
    has out "2026-10,$long,900,"
    has out ",800,1.125,on_track"'
