// bench/report/check.js - do kpi and the hand-written SQL give the same numbers?
//
//   node check.js REPORT.json QUERY.json NAME=RESULT.csv...
//
// REPORT.json is `kpi report --period 2026-10 --format json` (value, previous and the 12-month
// sparkline of each KPI); QUERY.json is `kpi query <every KPI> --period 2026-10 --format json`,
// for last_year, which the report document does not carry. Each RESULT.csv is the output of
// bench/report/sqlite.sql or duckdb.sql: one row per month, columns KPI, KPI_previous,
// KPI_last_year. Prints MATCH or MISMATCH per KPI (relative tolerance 1e-6, null = null);
// exit status 1 on any mismatch.
'use strict';
const fs = require('fs');

const TOLERANCE = 1e-6;
const [reportFile, queryFile, ...sources] = process.argv.slice(2);
if (!reportFile || !queryFile || sources.length === 0) {
    process.stderr.write('usage: node check.js REPORT.json QUERY.json NAME=RESULT.csv...\n');
    process.exit(2);
}
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const query = JSON.parse(fs.readFileSync(queryFile, 'utf8'));
const period = report.period;

function readCsv(file) { // our SQL output: a header, no quoted cells
    const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
    const names = head.split(',');
    const rows = new Map();
    for (const line of lines) {
        const cells = line.split(',');
        const row = {};
        names.forEach((n, i) => { row[n] = cells[i] === '' ? null : Number(cells[i]); });
        rows.set(cells[0], row);
    }
    return rows;
}

function same(a, b) {
    if (a === null || b === null || a === undefined || b === undefined)
        return (a ?? null) === (b ?? null);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

// the 12 months of the sparkline, oldest first, ending with the reported one
function months(end, n) {
    let [y, m] = end.split('-').map(Number);
    const out = [];
    for (let i = 0; i < n; i++) {
        out.unshift(`${y}-${String(m).padStart(2, '0')}`);
        if (--m === 0) { m = 12; y--; }
    }
    return out;
}

const results = sources.map((s) => {
    const eq = s.indexOf('=');
    return { name: s.slice(0, eq), rows: readCsv(s.slice(eq + 1)) };
});
const lastYear = new Map();
for (const k of query.kpis) {
    const p = k.series.find((pt) => pt.period === period);
    lastYear.set(k.id, p ? p.last_year : undefined);
}

let bad = 0;
for (const k of report.kpis) {
    const spark = k.sparkline || [];
    const problems = [];
    for (const { name, rows } of results) {
        const row = rows.get(period);
        if (!row) { problems.push(`${name}: no row for ${period}`); continue; }
        if (!(k.id in row)) { problems.push(`${name}: no column ${k.id}`); continue; }
        const pairs = [
            ['value', k.value, row[k.id]],
            ['previous', k.previous, row[`${k.id}_previous`]],
            ['last_year', lastYear.get(k.id), row[`${k.id}_last_year`]],
        ];
        months(period, spark.length).forEach((m, i) => {
            pairs.push([`sparkline ${m}`, spark[i], rows.has(m) ? rows.get(m)[k.id] : undefined]);
        });
        for (const [what, mine, theirs] of pairs)
            if (!same(mine, theirs)) problems.push(`${name} ${what}: kpi ${mine}, SQL ${theirs}`);
    }
    const fmt = (v) => (v === null || v === undefined ? 'null' : String(v));
    if (problems.length === 0) {
        console.log(`MATCH     ${k.id.padEnd(20)} value ${fmt(k.value)}, previous ${fmt(k.previous)},` +
                    ` last_year ${fmt(lastYear.get(k.id))}, 12 months (${results.map((r) => r.name).join(', ')})`);
    } else {
        bad++;
        console.log(`MISMATCH  ${k.id.padEnd(20)} ${problems.slice(0, 4).join('; ')}` +
                    (problems.length > 4 ? `; ${problems.length - 4} more` : ''));
    }
}
process.exit(bad ? 1 : 0);
