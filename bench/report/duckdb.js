// bench/report/duckdb.js - the DuckDB anchor of bench/report.sh (npm @duckdb/node-api).
//
//   node duckdb.js load CSV DBFILE                      the orders CSV into table orders of DBFILE
//   node duckdb.js query DBFILE SQLFILE [THREADS [TIMEFILE]]   runs SQLFILE, prints CSV
//
// Each is one cold process, timed from outside like kpi and sqlite3. The seconds spent inside
// (the CSV load, or the query alone without node's start and the database open) are printed
// on stderr for load, and written to TIMEFILE for query.
'use strict';
const { now, quote, create, main } = require('../duckdb-common.js');

// the generator's columns, typed as an analyst would: exact decimals for money
const columns = `{
    'order_id': 'VARCHAR', 'ordered_at': 'TIMESTAMPTZ', 'customer': 'VARCHAR',
    'region': 'VARCHAR', 'rep': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'INTEGER',
    'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)', 'status': 'VARCHAR'}`;

async function load(csv, file) {
    const { db, con } = await create(file);
    const t0 = now();
    await con.run(`CREATE TABLE orders AS
        SELECT * FROM read_csv(${quote(csv)}, header = true, columns = ${columns})`);
    await con.run('CHECKPOINT');
    const rows = (await con.runAndReadAll('SELECT count(*) FROM orders')).getRows()[0][0];
    process.stderr.write(`duckdb load: ${rows} rows in ${(now() - t0).toFixed(2)} s\n`);
    con.closeSync();
    db.closeSync();
}

main(load, 2, 'CSV DBFILE');
