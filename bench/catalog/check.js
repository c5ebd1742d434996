// bench/catalog/check.js - do kpi and the hand-written SQL give the same numbers for every KPI?
//
//   node check.js REPORT.json NAME=RESULT.csv...
//
// REPORT.json is `kpi report --period P --format json`: per KPI its value, previous, last_year
// and the 12-month sparkline ending with P. Each RESULT.csv is the output of
// bench/catalog/sqlite.sql or duckdb.sql: one row per month (first column the month, YYYY-MM),
// one column per KPI id. Every KPI has month grain in the report, so its value is the row of P,
// previous the row of the month before, last_year the row of the same month a year before and
// the sparkline the rows of the 12 months ending with P.
//
// Prints MATCH or MISMATCH per KPI (a number matches when within 1e-9 relative or 1e-6
// absolute; null only matches null; MISMATCH lines give every differing number with both
// values), then a summary; exit status 1 on any mismatch.
'use strict';
const fs = require('fs');

const RELATIVE = 1e-9;
const ABSOLUTE = 1e-6;
const [reportFile, ...sources] = process.argv.slice(2);
if (!reportFile || sources.length === 0) {
    process.stderr.write('usage: node check.js REPORT.json NAME=RESULT.csv...\n');
    process.exit(2);
}
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const period = report.period;

function readCsv(file) { // our SQL output: a header, a month and numbers, no quoted cells
    const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
    const names = head.split(',');
    const rows = new Map();
    for (const line of lines) {
        const cells = line.split(',');
        const row = {};
        names.forEach((n, i) => {
            if (i > 0) row[n] = cells[i] === '' || cells[i] === undefined ? null : Number(cells[i]);
        });
        rows.set(cells[0], row);
    }
    return { names: new Set(names.slice(1)), rows };
}

function same(a, b) {
    if (a === null || b === null || a === undefined || b === undefined)
        return (a ?? null) === (b ?? null) && a !== undefined && b !== undefined;
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    const d = Math.abs(a - b);
    return d <= ABSOLUTE || d <= RELATIVE * Math.max(Math.abs(a), Math.abs(b));
}

function shift(month, n) { // YYYY-MM plus n months
    const [y, m] = month.split('-').map(Number);
    const t = y * 12 + (m - 1) + n;
    return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

const results = sources.map((s) => {
    const eq = s.indexOf('=');
    return { name: s.slice(0, eq), ...readCsv(s.slice(eq + 1)) };
});
const fmt = (v) => (v === null ? 'null' : v === undefined ? 'missing' : String(v));

let bad = 0, numbers = 0;
const seen = new Set();
for (const k of report.kpis) {
    seen.add(k.id);
    const spark = k.sparkline || [];
    const wanted = [
        ['value', k.value, period],
        ['previous', k.previous, shift(period, -1)],
        ['last_year', k.last_year, shift(period, -12)],
    ];
    spark.forEach((v, i) => wanted.push([`sparkline ${shift(period, i - spark.length + 1)}`, v,
                                         shift(period, i - spark.length + 1)]));
    const problems = [];
    for (const { name, names, rows } of results) {
        if (!names.has(k.id)) { problems.push(`${name}: no column ${k.id}`); continue; }
        for (const [what, mine, month] of wanted) {
            const row = rows.get(month);
            const theirs = row ? row[k.id] : undefined;
            numbers++;
            if (!same(mine, theirs))
                problems.push(`${what} (${month}): kpi ${fmt(mine)}, ${name} ${fmt(theirs)}`);
        }
    }
    if (problems.length === 0) {
        console.log(`MATCH     ${k.id.padEnd(28)} value ${fmt(k.value)}, previous ${fmt(k.previous)},` +
                    ` last_year ${fmt(k.last_year)}, ${spark.length} months`);
    } else {
        bad++;
        console.log(`MISMATCH  ${k.id.padEnd(28)} ${problems.join('; ')}`);
    }
}
for (const { name, names } of results)
    for (const n of names)
        if (!seen.has(n)) console.log(`note: ${name} has a column ${n} that is not a KPI of the report`);
console.log(`${report.kpis.length - bad} of ${report.kpis.length} KPIs match` +
            ` (${numbers} numbers compared: value, previous, last_year and the sparkline of every` +
            ` KPI, against ${results.map((r) => r.name).join(', ')})`);
process.exit(bad ? 1 : 0);
