/*
 * targets.c - what people enter rather than import: targets and quotas set with
 * `kpi targets` (as opposed to kpi.yaml), kept in kpi_targets, and the values of manual KPIs
 * set with `kpi values`, kept with their history in kpi_values. Each table is created on its
 * first row, so opening a workspace never writes.
 */
#include "meta_int.h"

#include <stdio.h>

/* Creates the table (ddl) when absent, then runs insert with (kpi, period, dims, value[,
 * note]); what names the action in an error. */
static kpi_status put_row(kmeta *m, const char *ddl, const char *insert, const char *what,
                          const char *kpi, const char *period, const char *dims, double value,
                          const char *note, kpi_error *err)
{
    kpi_status rc = kmeta_exec(m, ddl, err);
    if (rc != KPI_OK)
        return rc;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(m->db, insert, -1, &stmt, NULL) != SQLITE_OK)
        return kmeta_fail(m, what, err);
    sqlite3_bind_text(stmt, 1, kpi, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, dims, -1, SQLITE_STATIC);
    sqlite3_bind_double(stmt, 4, value);
    if (note && *note)
        sqlite3_bind_text(stmt, 5, note, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return step == SQLITE_DONE ? KPI_OK : kmeta_fail(m, what, err);
}

kpi_status kmeta_target_put(kmeta *m, const char *kpi, const char *period, const char *dims,
                            double value, kpi_error *err)
{
    return put_row(m,
                   "CREATE TABLE IF NOT EXISTS kpi_targets(kpi TEXT NOT NULL,"
                   " period TEXT NOT NULL, dims TEXT NOT NULL, value REAL NOT NULL,"
                   " set_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
                   " PRIMARY KEY(kpi, period, dims))",
                   "INSERT OR REPLACE INTO kpi_targets(kpi, period, dims, value)"
                   " VALUES (?, ?, ?, ?)",
                   "cannot store target", kpi, period, dims, value, NULL, err);
}

kpi_status kmeta_target_delete(kmeta *m, const char *kpi, const char *period, const char *dims,
                               int *deleted, kpi_error *err)
{
    sqlite3_stmt *stmt;
    *deleted = 0;
    kpi_status rc = kmeta_select(
        m, "kpi_targets", "DELETE FROM kpi_targets WHERE kpi = ? AND period = ? AND dims = ?",
        "cannot delete target", &stmt, err);
    if (rc != KPI_OK || !stmt)
        return rc;
    sqlite3_bind_text(stmt, 1, kpi, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, dims, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE)
        return kmeta_fail(m, "cannot delete target", err);
    *deleted = sqlite3_changes(m->db) > 0;
    return KPI_OK;
}

kpi_status kmeta_targets_each(kmeta *m,
                              kpi_status (*fn)(void *ctx, const char *kpi, const char *period,
                                               const char *dims, double value),
                              void *ctx, kpi_error *err)
{
    sqlite3_stmt *stmt;
    kpi_status rc =
        kmeta_select(m, "kpi_targets", "SELECT kpi, period, dims, value FROM kpi_targets",
                     "cannot read targets", &stmt, err);
    while (rc == KPI_OK && stmt && sqlite3_step(stmt) == SQLITE_ROW)
        rc = fn(ctx, (const char *)sqlite3_column_text(stmt, 0),
                (const char *)sqlite3_column_text(stmt, 1),
                (const char *)sqlite3_column_text(stmt, 2), sqlite3_column_double(stmt, 3));
    sqlite3_finalize(stmt);
    return rc;
}

kpi_status kmeta_value_put(kmeta *m, const char *kpi, const char *period, const char *dims,
                           double value, const char *note, kpi_error *err)
{
    return put_row(m,
                   "CREATE TABLE IF NOT EXISTS kpi_values(kpi TEXT NOT NULL,"
                   " period TEXT NOT NULL, dims TEXT NOT NULL, value REAL NOT NULL,"
                   " note TEXT, set_at TEXT NOT NULL DEFAULT"
                   " (strftime('%Y-%m-%dT%H:%M:%fZ','now')))",
                   "INSERT INTO kpi_values(kpi, period, dims, value, note) VALUES (?, ?, ?, ?, ?)",
                   "cannot store value", kpi, period, dims, value, note, err);
}

kpi_status kmeta_values_each(kmeta *m,
                             kpi_status (*fn)(void *ctx, const char *kpi, const char *period,
                                              const char *dims, double value, const char *note,
                                              const char *set_at),
                             void *ctx, kpi_error *err)
{
    sqlite3_stmt *stmt;
    kpi_status rc = kmeta_select(m, "kpi_values",
                                 "SELECT kpi, period, dims, value, note, set_at FROM kpi_values"
                                 " ORDER BY rowid",
                                 "cannot read values", &stmt, err);
    while (rc == KPI_OK && stmt && sqlite3_step(stmt) == SQLITE_ROW)
        rc = fn(ctx, (const char *)sqlite3_column_text(stmt, 0),
                (const char *)sqlite3_column_text(stmt, 1),
                (const char *)sqlite3_column_text(stmt, 2), sqlite3_column_double(stmt, 3),
                (const char *)sqlite3_column_text(stmt, 4),
                (const char *)sqlite3_column_text(stmt, 5));
    sqlite3_finalize(stmt);
    return rc;
}
