// bench/report/duckdb.js - the DuckDB anchor of bench/report.sh (npm @duckdb/node-api).
//
//   node duckdb.js load CSV DBFILE                      the orders CSV into table orders of DBFILE
//   node duckdb.js query DBFILE SQLFILE [THREADS [TIMEFILE]]   runs SQLFILE, prints CSV
//
// Each is one cold process, timed from outside like kpi and sqlite3. The seconds spent inside
// (the CSV load, or the query alone without node's start and the database open) are printed
// on stderr for load, and written to TIMEFILE for query.
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

const now = () => Number(process.hrtime.bigint()) / 1e9;

// the generator's columns, typed as an analyst would: exact decimals for money
const columns = `{
    'order_id': 'VARCHAR', 'ordered_at': 'TIMESTAMPTZ', 'customer': 'VARCHAR',
    'region': 'VARCHAR', 'rep': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'INTEGER',
    'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)', 'status': 'VARCHAR'}`;

const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

async function load(csv, file) {
    for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
    const db = await DuckDBInstance.create(file);
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    const t0 = now();
    await con.run(`CREATE TABLE orders AS
        SELECT * FROM read_csv(${quote(csv)}, header = true, columns = ${columns})`);
    await con.run('CHECKPOINT');
    const rows = (await con.runAndReadAll('SELECT count(*) FROM orders')).getRows()[0][0];
    process.stderr.write(`duckdb load: ${rows} rows in ${(now() - t0).toFixed(2)} s\n`);
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
const run = mode === 'load' && args.length === 2 ? load(...args)
    : mode === 'query' && args.length >= 2 ? query(...args)
    : null;
if (!run) {
    process.stderr.write('usage: node duckdb.js load CSV DBFILE | query DBFILE SQLFILE [THREADS [TIMEFILE]]\n');
    process.exit(2);
}
run.catch((e) => {
    process.stderr.write(`duckdb: ${e.message}\n`);
    process.exit(1);
});
