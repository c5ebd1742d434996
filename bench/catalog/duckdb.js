// bench/catalog/duckdb.js - the DuckDB anchor of bench/catalog.sh (npm @duckdb/node-api), in the
// manner of bench/report/duckdb.js.
//
//   node duckdb.js load DATADIR LOADSQL DBFILE          the CSVs of DATADIR into DBFILE's tables
//   node duckdb.js query DBFILE SQLFILE [THREADS [TIMEFILE]]   runs SQLFILE, prints CSV
//
// Each is one cold process, timed from outside like kpi and sqlite3. load runs the statements of
// LOADSQL (bench/catalog/duckdb-load.sql: one CREATE TABLE ... AS SELECT * FROM read_csv(...)
// per stream, file names relative to DATADIR) and prints the rows and seconds on stderr; query
// writes the seconds of the query alone (without node's start and the database open) to
// TIMEFILE.
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

const now = () => Number(process.hrtime.bigint()) / 1e9;
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

// the statements of a SQL file: `;` at the end of a line ends one; -- comments dropped
function statements(sql) {
    return sql.split('\n').filter((l) => !/^\s*--/.test(l)).join('\n')
        .split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter((s) => s.length > 0);
}

async function load(dir, sqlFile, file) {
    for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
    const db = await DuckDBInstance.create(file);
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    await con.run(`SET file_search_path = ${quote(path.resolve(dir))}`);
    const t0 = now();
    let tables = 0;
    for (const st of statements(fs.readFileSync(sqlFile, 'utf8'))) {
        await con.run(st);
        tables++;
    }
    await con.run('CHECKPOINT');
    const secs = now() - t0;
    const rows = (await con.runAndReadAll(
        'SELECT sum(estimated_size) FROM duckdb_tables()')).getRows()[0][0];
    process.stderr.write(`duckdb load: ${tables} tables, ${rows} rows in ${secs.toFixed(2)} s\n`);
    con.closeSync();
    db.closeSync();
}

function csvCell(v) {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

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
    const names = reader.columnNames();
    const lines = [names.join(',')];
    for (const row of reader.getRowsJson()) lines.push(row.map(csvCell).join(','));
    process.stdout.write(lines.join('\n') + '\n');
    if (timeFile) fs.writeFileSync(timeFile, `${secs.toFixed(3)}\n`);
    con.closeSync();
    db.closeSync();
}

const [mode, ...args] = process.argv.slice(2);
const run = mode === 'load' && args.length === 3 ? load(...args)
    : mode === 'query' && args.length >= 2 ? query(...args)
    : null;
if (!run) {
    process.stderr.write('usage: node duckdb.js load DATADIR LOADSQL DBFILE |' +
                         ' query DBFILE SQLFILE [THREADS [TIMEFILE]]\n');
    process.exit(2);
}
run.catch((e) => {
    process.stderr.write(`duckdb: ${e.message}\n`);
    process.exit(1);
});
