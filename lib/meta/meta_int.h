/*
 * meta_int.h - internals of lib/meta, and what the embedded SQLite event store (which keeps
 * its tables in kpi.db too, until the segment store replaces it) borrows: the connection and
 * the statement helpers.
 */
#ifndef KPI_META_INT_H
#define KPI_META_INT_H

#include "meta.h"
#include "../util/util.h"

#include <sqlite3.h>

#define KMETA_SCHEMA_VERSION 1

typedef struct kmeta_checkpointer kmeta_checkpointer;

struct kmeta {
    sqlite3 *db;
    kmeta_checkpointer *checkpointer;
};

/* Runs SQL without results; on failure sets err (KPI_DB) with the statement. */
kpi_status kmeta_exec(kmeta *m, const char *sql, kpi_error *err);
/* Sets err from the connection's last error, prefixed by what was being done. */
kpi_status kmeta_fail(kmeta *m, const char *what, kpi_error *err);
/* Runs a query returning one integer (0 when no row). */
kpi_status kmeta_int(kmeta *m, const char *sql, int64_t *out, kpi_error *err);
/* Prepares sql over table, a table created with its first row: *stmt NULL when it does not
 * exist yet (sqlite3_finalize accepts NULL); what names the reading in an error. */
kpi_status kmeta_select(kmeta *m, const char *table, const char *sql, const char *what,
                        sqlite3_stmt **stmt, kpi_error *err);

/* WAL checkpoints off the committing thread (checkpoint.c): attach replaces SQLite's automatic
 * checkpoint on m's connection to the database at path; detach stops the thread. */
kpi_status kmeta_checkpointer_attach(kmeta *m, const char *path, kpi_error *err);
void kmeta_checkpointer_detach(kmeta *m);

#endif
