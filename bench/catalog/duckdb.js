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
const { now, quote, create, main } = require('../duckdb-common.js');

// the statements of a SQL file: `;` at the end of a line ends one; -- comments dropped
function statements(sql) {
    return sql.split('\n').filter((l) => !/^\s*--/.test(l)).join('\n')
        .split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter((s) => s.length > 0);
}

async function load(dir, sqlFile, file) {
    const { db, con } = await create(file);
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

main(load, 3, 'DATADIR LOADSQL DBFILE');
