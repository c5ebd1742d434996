# Schema evolution: adding a field keeps the data; retyping or dropping a field that holds data is
# refused with a clear error; `kpi streams drop` is the way out; a new time zone re-buckets rows.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws
write_yaml() {
    cat > ws/kpi.yaml <<YAML
workspace:
  timezone: $1
streams:
  sales:
    time: at
    id: sid
    fields:
      sid: text
      at: time
      amount: $2
$3
YAML
}
write_yaml UTC number ""
printf 'sid,at,amount\nS1,2026-03-01T23:30:00Z,10\nS2,2026-03-02T12:00:00Z,20\n' > s.csv

expect "rows go in" '
    run_kpi 0 import sales s.csv
    eq "$(sql "SELECT count(*) FROM sales")" 2'

expect "adding a field keeps the data" '
    write_yaml UTC number "      region: text"
    run_kpi 0 streams
    eq "$(sql "SELECT count(*) FROM sales")" 2
    eq "$(sql "SELECT count(*) FROM pragma_table_info('"'"'sales'"'"') WHERE name = '"'"'region'"'"'")" 1'

expect "retyping a field with data is refused" '
    write_yaml UTC text "      region: text"
    run_kpi 2 streams
    has err "cannot change field '"'"'amount'"'"' of stream '"'"'sales'"'"' from number to text"
    has err "kpi streams drop sales"'

expect "dropping a field with data is refused" '
    write_yaml UTC integer ""
    run_kpi 2 streams
    has err "amount" '

expect "dropping an empty field is allowed" '
    write_yaml UTC number ""
    run_kpi 0 streams
    eq "$(sql "SELECT count(*) FROM pragma_table_info('"'"'sales'"'"') WHERE name = '"'"'region'"'"'")" 0'

expect "a new workspace time zone re-buckets the days" '
    eq "$(sql "SELECT group_concat(_key >> 40) FROM (SELECT _key FROM sales ORDER BY sid)")" "20513,20514"
    write_yaml Asia/Tokyo number ""
    run_kpi 0 streams
    eq "$(sql "SELECT group_concat(_key >> 40) FROM (SELECT _key FROM sales ORDER BY sid)")" "20514,20514"'

expect "streams drop needs --yes, then deletes the data" '
    run_kpi 2 streams drop sales
    has err "--yes"
    run_kpi 0 streams drop sales --yes
    has out "2 rows deleted"
    write_yaml UTC text ""
    run_kpi 0 streams
    run_kpi 0 import sales s.csv'

expect "opening a workspace does not wait for an import holding the write lock" '
    (echo "BEGIN IMMEDIATE;"; sleep 4; echo "COMMIT;") | sqlite3 ws/kpi.db &
    sleep 0.5
    start=$(date +%s%N)
    run_kpi 0 streams
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    wait
    test "$took" -lt 3000'
