# Row keys (docs/storage.md: _key = day << 40 | seq). Most rows are handed to SQLite without a
# key, to be appended as max(_key) + 1 (lib/store/sqlite_feed.c): whatever the input order,
# every row must still carry its own day, keys must follow the input within a day, and rows
# ignored as duplicates must not shift the rows after them to another day.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
workspace:
  timezone: UTC
streams:
  ev:
    time: at
    id: ev_id
    fields:
      ev_id: text
      at: time
      day: integer
      line: integer
YAML
export KPI_WORKSPACE=ws

# rows(FIRST, N, SEED): N rows from line FIRST on, in day order (runs of 1 to 40 rows a day,
# the day moving forward) but for 1% on an earlier day and 0.3% on the next, and 3% of ids
# repeated from anywhere before (else the id is e<line>)
rows() {
    awk -v first="$1" -v n="$2" -v seed="$3" '
    function date(z,   era, doe, yoe, y, doy, mp, d, m) { # days since 1970 -> YYYY-MM-DD
        z += 719468; era = int(z / 146097); doe = z - era * 146097
        yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
        y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
        mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
        m = mp < 10 ? mp + 3 : mp - 9
        return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
    }
    BEGIN {
        srand(seed); print "ev_id,at,day,line"; day = 20000; left = 0
        for (i = first; i < first + n; i++) {
            if (left-- <= 0) { day += int(rand() * 3); left = int(rand() * 40) }
            d = day; r = rand()
            if (r < 0.01) d = day - 1 - int(rand() * 30); else if (r < 0.013) d = day + 1
            id = (rand() < 0.03 && i > 1) ? "e" int(1 + rand() * (i - 1)) : "e" i
            s = int(rand() * 86400)
            printf "%s,%sT%02d:%02d:%02dZ,%d,%d\n", id, date(d), s / 3600, s / 60 % 60, s % 60, d, i
        }
    }'
}
rows 1 30000 1 > a.csv
rows 20001 30000 2 > b.csv # lines 20001..30000 repeat ids of a.csv, and more

expect "every row keeps its own day, across batches, duplicates and out-of-order days" '
    run_kpi 0 import ev a.csv --batch 1000
    run_kpi 0 import ev b.csv --batch 777
    eq "$(sql "SELECT count(*) FROM ev WHERE (_key >> 40) != day")" 0
    eq "$(sql "SELECT count(*), count(DISTINCT ev_id) FROM ev")" \
       "$(cat a.csv b.csv | grep -v ^ev_id | cut -d, -f1 | sort -u | wc -l | tr -d " ")|$(cat a.csv b.csv | grep -v ^ev_id | cut -d, -f1 | sort -u | wc -l | tr -d " ")"'

expect "within a day, keys follow the input order" '
    eq "$(sql "SELECT count(*) FROM (SELECT line, lag(line) OVER (PARTITION BY day ORDER BY _key)
              AS before FROM ev) WHERE line < before")" 0'

expect "of repeated ids, the first is the one kept" '
    first=$(cat a.csv b.csv | grep -v ^ev_id | awk -F, "!seen[\$1]++ { n += \$4 } END { print n }")
    eq "$(sql "SELECT sum(line) FROM ev")" "$first"'

