// bench/duckdb-common.js - what the DuckDB anchors of the benchmarks (bench/report/duckdb.js,
// bench/catalog/duckdb.js) share: opening a fresh database to load, the timed query of a SQL
// file printed as CSV, and the command line. Each anchor brings its own `load`.
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

const now = () => Number(process.hrtime.bigint()) / 1e9;
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

// A new database file (an old one and its WAL removed), in UTC, and a connection to it.
async function create(file) {
    for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
    const db = await DuckDBInstance.create(file);
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    return { db, con };
}

function csvCell(v) {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Runs SQLFILE on DBFILE (read-only, THREADS threads or DuckDB's default), prints the result as
// CSV and writes the seconds of the query alone to TIMEFILE.
async function query(file, sqlFile, threads, timeFile) {
    const options = { access_mode: 'READ_ONLY' };
    if (threads) options.threads = String(threads);
    const db = await DuckDBInstance.create(file, options);
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    const sql = fs.readFileSync(sqlFile, 'utf8');
    const t0 = now();
    const reader = await con.runAndReadAll(sql);
    const secs = now() - t0;
    const lines = [reader.columnNames().join(',')];
    for (const row of reader.getRowsJson()) lines.push(row.map(csvCell).join(','));
    process.stdout.write(lines.join('\n') + '\n');
    if (timeFile) fs.writeFileSync(timeFile, `${secs.toFixed(3)}\n`);
    con.closeSync();
    db.closeSync();
}

// `load ARGS...` (loadArgs of them) or `query DBFILE SQLFILE [THREADS [TIMEFILE]]`.
function main(load, loadArgs, loadUsage) {
    const [mode, ...args] = process.argv.slice(2);
    const run = mode === 'load' && args.length === loadArgs ? load(...args)
        : mode === 'query' && args.length >= 2 ? query(...args)
        : null;
    if (!run) {
        process.stderr.write(`usage: node duckdb.js load ${loadUsage} |` +
                             ' query DBFILE SQLFILE [THREADS [TIMEFILE]]\n');
        process.exit(2);
    }
    run.catch((e) => {
        process.stderr.write(`duckdb: ${e.message}\n`);
        process.exit(1);
    });
}

module.exports = { now, quote, create, main };
