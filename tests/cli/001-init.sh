# kpi init: the workspace template, refusal to overwrite, and definition errors with locations.
. "$KPI_TOP/tests/cli/lib.sh"

expect "init creates kpi.yaml and kpi.db" '
    run_kpi 0 init ws
    test -f ws/kpi.yaml && test -f ws/kpi.db
    has out "created workspace in ws"'

expect "the database is in WAL mode" '
    eq "$(sql "PRAGMA journal_mode")" wal'

expect "init refuses an existing workspace" '
    run_kpi 2 init ws
    has err "already exists"'

expect "streams lists the template stream, empty" '
    run_kpi 0 streams
    has out "orders"
    has out "events"'

expect "-w selects the workspace; KPI_WORKSPACE too" '
    cd /
    run_kpi 0 -w "$KPI_WORKSPACE" streams
    KPI_WORKSPACE= run_kpi 2 streams
    has err "no kpi.yaml"'

expect "a misspelt key is reported with file:line:column and a suggestion" '
    mkdir bad && cat > bad/kpi.yaml <<YAML
streams:
  orders:
    time: at
    kindd: events
    fields:
      at: time
YAML
    run_kpi 2 -w bad streams
    has err "bad/kpi.yaml:4:5:"
    has err "did you mean '"'"'kind'"'"'?"'

expect "an unknown field type is reported where it is written" '
    mkdir bad2 && cat > bad2/kpi.yaml <<YAML
streams:
  orders:
    time: at
    fields:
      at: time
      revenue: nubmer
YAML
    run_kpi 2 -w bad2 streams
    has err "bad2/kpi.yaml:6:"
    has err "nubmer"
    has err "number"'

expect "an unknown time zone gets a suggestion" '
    mkdir tz && printf "workspace:\n  timezone: Europe/Berln\n" > tz/kpi.yaml
    run_kpi 2 -w tz streams
    has err "Europe/Berlin"'

expect "unknown command suggests the nearest" '
    run_kpi 2 impot
    has err "unknown command"'

expect "help documents import" '
    run_kpi 0 help import
    has out "usage: kpi import STREAM FILE"'
