# Encodings: latin1 and windows-1252 files are converted when the stream says so; invalid UTF-8
# in a UTF-8 stream is rejected per row; custom formats and decimal commas.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  excel:
    time: day
    encoding: windows-1252
    delimiter: ";"
    fields:
      day: {type: date, column: Datum, format: "%d.%m.%Y"}
      city: {type: text, column: Stadt}
      amount: {type: number, column: Betrag, decimal: ","}
  plain:
    time: day
    fields:
      day: {type: date, format: "%m/%d/%Y"}
      city: text
YAML
printf 'Datum;Stadt;Betrag\r\n05.10.2026;M\374nchen;1.234,56\r\n06.10.2026;K\366ln \200;0,5\r\n' > excel.csv
printf 'day,city\n3/7/2016,Z\303\274rich\n12/31/2016,bad \377 byte\n2/30/2016,x\n' > plain.csv

expect "windows-1252 text is converted to UTF-8" '
    run_kpi 0 import excel excel.csv
    eq "$(sql "SELECT city FROM excel ORDER BY day LIMIT 1")" "München"
    eq "$(sql "SELECT city FROM excel ORDER BY day DESC LIMIT 1")" "Köln €"'

expect "decimal commas with dot grouping are exact" '
    eq "$(sql "SELECT sum(amount) FROM excel")" "12350600"'

expect "custom date formats are parsed" '
    eq "$(sql "SELECT day FROM excel ORDER BY day LIMIT 1")" 20731'

expect "invalid UTF-8 and impossible dates are rejected per row" '
    run_kpi 3 import plain plain.csv --rejects rej.csv
    has out "1 accepted, 2 rejected"
    has rej.csv "invalid UTF-8"
    has rej.csv "2/30/2016"
    eq "$(sql "SELECT city FROM plain")" "Zürich"'
