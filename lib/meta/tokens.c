/*
 * tokens.c - API tokens in kpi_tokens: only a hash of each token is stored (the token
 * itself is shown once, when created), with its role and scope; a revoked token keeps its row,
 * for the record. The table is created with the first token.
 */
#include "meta_int.h"

#include <stdio.h>
#include <string.h>

static kpi_status ensure(kmeta *m, kpi_error *err)
{
    return kmeta_exec(m,
                      "CREATE TABLE IF NOT EXISTS kpi_tokens(id INTEGER PRIMARY KEY,"
                      " hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,"
                      " departments TEXT NOT NULL, streams TEXT NOT NULL, self TEXT NOT NULL,"
                      " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
                      " revoked_at TEXT)",
                      err);
}

kpi_status kmeta_token_put(kmeta *m, const ktoken_row *t, int64_t *id, kpi_error *err)
{
    kpi_status rc = ensure(m, err);
    if (rc != KPI_OK)
        return rc;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(m->db,
                           "INSERT INTO kpi_tokens(hash, name, role, departments, streams, self)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &stmt, NULL) != SQLITE_OK)
        return kmeta_fail(m, "cannot store token", err);
    const char *v[6] = {t->hash, t->name, t->role, t->departments, t->streams, t->self};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(stmt, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE)
        return kmeta_fail(m, "cannot store token", err);
    *id = sqlite3_last_insert_rowid(m->db);
    return KPI_OK;
}

/* Runs SELECT ... FROM kpi_tokens [tail] with an optional text parameter; calls fn per row. */
static kpi_status select_tokens(kmeta *m, const char *tail, const char *param,
                                kpi_status (*fn)(void *ctx, const ktoken_row *t), void *ctx,
                                kpi_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, hash, name, role, departments, streams, self, created_at, revoked_at"
             " FROM kpi_tokens %s",
             tail);
    sqlite3_stmt *stmt;
    kpi_status rc = kmeta_select(m, "kpi_tokens", sql, "cannot read tokens", &stmt, err);
    if (rc != KPI_OK || !stmt)
        return rc;
    if (param)
        sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
    while (rc == KPI_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        ktoken_row t;
        t.id = sqlite3_column_int64(stmt, 0);
        const char **f[] = {&t.hash,    &t.name, &t.role,       &t.departments,
                            &t.streams, &t.self, &t.created_at, &t.revoked_at};
        for (int i = 0; i < 8; i++)
            *f[i] = (const char *)sqlite3_column_text(stmt, i + 1);
        rc = fn(ctx, &t);
    }
    sqlite3_finalize(stmt);
    return rc;
}

kpi_status kmeta_tokens_each(kmeta *m, const char *hash,
                             kpi_status (*fn)(void *ctx, const ktoken_row *t), void *ctx,
                             kpi_error *err)
{
    return select_tokens(m, hash ? "WHERE hash = ?1" : "ORDER BY id", hash, fn, ctx, err);
}

kpi_status kmeta_token_revoke(kmeta *m, int64_t id, bool *found, kpi_error *err)
{
    *found = false;
    kpi_status rc = ensure(m, err);
    if (rc != KPI_OK)
        return rc;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(m->db,
                           "UPDATE kpi_tokens SET revoked_at ="
                           " strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                           " WHERE id = ? AND revoked_at IS NULL",
                           -1, &stmt, NULL) != SQLITE_OK)
        return kmeta_fail(m, "cannot revoke token", err);
    sqlite3_bind_int64(stmt, 1, id);
    int step = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE)
        return kmeta_fail(m, "cannot revoke token", err);
    *found = sqlite3_changes(m->db) > 0;
    return KPI_OK;
}
