# kpi import of NDJSON: keys mapped to fields, exact numbers, nested values and bad lines
# rejected per row, extra keys warned about once.
. "$KPI_TOP/tests/cli/lib.sh"

mkdir ws && cat > ws/kpi.yaml <<'YAML'
streams:
  tickets:
    time: opened
    id: id
    fields:
      id: integer
      opened: time
      minutes: {type: number, scale: 2, round: false}
      agent: {type: text, column: agentName}
      solved: bool
YAML
cat > t.ndjson <<'JSON'
{"id": 1, "opened": "2026-05-01T08:00:00Z", "minutes": 12.5, "agentName": "Ana", "solved": true}
{"id": 2, "opened": "2026-05-01T09:00:00Z", "minutes": 0.1, "agentName": "Bo", "solved": false, "ua": "x"}

{"id": 3, "opened": "2026-05-01T10:00:00Z", "minutes": {"a": 1}, "agentName": "Cy"}
{"id": 4, "opened": "2026-05-01T11:00:00Z", "minutes": 3, "agentName": null}
{"id": 5, "opened": "2026-05-01T11:00:00Z"
[1, 2]
{"id": 6, "opened": "2026-05-01T12:00:00Z", "minutes": 1.234, "agentName": "Di"}
{"id": 7, "opened": "2026-05-01T12:00:00Z", "minutes": "7,5", "agentName": "Ed"}
JSON

expect "good lines are stored, bad ones rejected" '
    run_kpi 3 import tickets t.ndjson --rejects rej.ndjson
    has out "t.ndjson: 3 accepted, 5 rejected, 0 duplicates"'

expect "numbers are exact at the field scale" '
    eq "$(sql "SELECT group_concat(minutes) FROM (SELECT minutes FROM tickets ORDER BY id)")" "1250,10,300"
    eq "$(sql "SELECT agent IS NULL FROM tickets WHERE id = 4")" 1'

expect "the reject file is NDJSON with line, field, reason and the original record" '
    has rej.ndjson "\"_line\": 4" || has rej.ndjson "\"_line\":4"
    has rej.ndjson "nested value"
    has rej.ndjson "more than 2 decimal places"
    has rej.ndjson "\"_record\""
    eq "$(wc -l < rej.ndjson)" 5'

expect "an unknown key is warned about once" '
    has err "ignoring key '"'"'ua'"'"'"'

expect "--format ndjson reads stdin" '
    echo "{\"id\": 9, \"opened\": \"2026-05-02\"}" | run_kpi 0 import tickets - --format ndjson
    has out "1 accepted"'
