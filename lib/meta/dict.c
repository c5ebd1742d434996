/*
 * dict.c - the dictionaries of text fields (see meta.h): a map from value to code and an array
 * from code to value in memory, and the table kpi_dict(stream, field, code, value) in kpi.db,
 * created with its first row so that opening a workspace never writes.
 */
#include "meta_int.h"

#include <stdlib.h>
#include <string.h>

void kdict_init(kdict *d)
{
    memset(d, 0, sizeof *d);
    kmap_init(&d->codes);
    karena_init(&d->text, 0);
}

void kdict_release(kdict *d)
{
    kmap_release(&d->codes);
    karena_release(&d->text);
    free(d->values);
    free(d->lens);
    memset(d, 0, sizeof *d);
}

/* Appends v as the next code (the map and the arrays); UINT32_MAX when out of memory. */
static uint32_t append(kdict *d, kstr v)
{
    if (d->n >= UINT32_MAX - 1)
        return UINT32_MAX;
    if (d->n == d->cap) { /* the two arrays grow in step */
        size_t cap = kgrow_cap(d->cap, d->n + 1);
        if (!KRESIZE(d->values, cap) || !KRESIZE(d->lens, cap))
            return UINT32_MAX;
        d->cap = cap;
    }
    char *copy = karena_strndup(&d->text, v.p, v.n);
    if (!copy || kmap_put(&d->codes, v, (long)d->n) != (long)d->n)
        return UINT32_MAX;
    d->values[d->n] = copy;
    d->lens[d->n] = (uint32_t)v.n;
    return (uint32_t)d->n++;
}

uint32_t kdict_code(kdict *d, kstr v)
{
    long code = kmap_get(&d->codes, v);
    if (code >= 0)
        return (uint32_t)code;
    return v.n > UINT32_MAX ? UINT32_MAX : append(d, v);
}

const char *kdict_value(const kdict *d, uint32_t code, size_t *len)
{
    if (code >= d->n)
        return NULL;
    if (len)
        *len = d->lens[code];
    return d->values[code];
}

bool kdict_rollback(kdict *d)
{
    if (d->stored == d->n)
        return true;
    /* the map cannot forget keys: it is built again from the stored codes */
    kmap_release(&d->codes);
    kmap_init(&d->codes);
    for (size_t i = 0; i < d->stored; i++)
        if (kmap_put(&d->codes, (kstr){d->values[i], d->lens[i]}, (long)i) != (long)i) {
            kdict_release(d);
            kdict_init(d);
            return false;
        }
    d->n = d->stored;
    return true;
}

kpi_status kmeta_dict_load(kmeta *m, const char *stream, const char *field, kdict *d,
                           kpi_error *err)
{
    kdict_release(d);
    kdict_init(d);
    sqlite3_stmt *st;
    kpi_status rc = kmeta_select(m, "kpi_dict",
                                 "SELECT code, value FROM kpi_dict WHERE stream = ? AND field = ?"
                                 " ORDER BY code",
                                 "cannot read a dictionary", &st, err);
    if (rc != KPI_OK || !st)
        return rc;
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    int step;
    while (rc == KPI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 1);
        kstr value = {v ? v : "", (size_t)sqlite3_column_bytes(st, 1)};
        if (sqlite3_column_int64(st, 0) != (int64_t)d->n)
            rc = kerr_set(err, KPI_DB, "the dictionary of %s.%s lacks code %zu", stream, field,
                          d->n);
        else if (append(d, value) == UINT32_MAX)
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
    }
    if (rc == KPI_OK && step != SQLITE_DONE)
        rc = kmeta_fail(m, "cannot read a dictionary", err);
    sqlite3_finalize(st);
    d->stored = d->n;
    return rc;
}

kpi_status kmeta_dict_save(kmeta *m, const char *stream, const char *field, kdict *d,
                           kpi_error *err)
{
    if (d->stored == d->n)
        return KPI_OK;
    kpi_status rc = kmeta_exec(m,
                               "CREATE TABLE IF NOT EXISTS kpi_dict(stream TEXT NOT NULL,"
                               " field TEXT NOT NULL, code INTEGER NOT NULL, value TEXT NOT NULL,"
                               " PRIMARY KEY(stream, field, code))",
                               err);
    sqlite3_stmt *st = NULL;
    if (rc == KPI_OK && sqlite3_prepare_v2(m->db,
                                           "INSERT INTO kpi_dict(stream, field, code, value)"
                                           " VALUES (?, ?, ?, ?)",
                                           -1, &st, NULL) != SQLITE_OK)
        rc = kmeta_fail(m, "cannot store a dictionary", err);
    for (size_t i = d->stored; rc == KPI_OK && i < d->n; i++) {
        sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        sqlite3_bind_text(st, 4, d->values[i], (int)d->lens[i], SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = kmeta_fail(m, "cannot store a dictionary", err);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc == KPI_OK)
        d->stored = d->n;
    return rc;
}
