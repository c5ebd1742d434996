/*
 * sqlite_rows.c - every field of a stream's rows, in time order: what `kpi export` writes out.
 * Rows are clustered by day (_key = day << 40 | seq), so the read goes day by day: a step down
 * the primary key finds the next day that holds rows, then that day's rows are read ordered by
 * the time field. SQLite sorts one day's rows at most, never the whole range, and days without
 * rows cost nothing, however wide the range.
 */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct rows_read {
    ksql *q;
    const kstream *s;
    sqlite3_stmt *next; /* the day of the first row in [?1, ?2) */
    sqlite3_stmt *day;  /* the fields of the rows in [?1, ?2), in time order */
    kscan_value *vals;
} rows_read;

static const double pow10_of[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

static int64_t key_of(int64_t day)
{
    return (int64_t)((uint64_t)day << KSQL_SEQ_BITS);
}

static void read_field(sqlite3_stmt *st, int col, const kfield *f, kscan_value *v)
{
    memset(v, 0, sizeof *v);
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        v->null = true;
    } else if (f->type == KPI_FIELD_TEXT) {
        const char *p = (const char *)sqlite3_column_text(st, col);
        v->text = (kstr){p ? p : "", (size_t)sqlite3_column_bytes(st, col)};
    } else {
        v->is_int = true;
        v->i = sqlite3_column_int64(st, col);
        v->scale = ksql_field_scale(f);
        v->d = (double)v->i / pow10_of[v->scale];
    }
}

static kpi_status prepare(rows_read *r, kpi_error *err)
{
    const kstream *s = r->s;
    kbuf sql;
    kbuf_init(&sql, 0);
    bool ok = kbuf_appends(&sql, "SELECT ");
    for (size_t i = 0; ok && i < s->nfields; i++)
        ok = kbuf_printf(&sql, "%s\"%s\"", i ? ", " : "", s->fields[i].name);
    ok =
        ok && kbuf_printf(&sql, " FROM \"%s\" WHERE _key >= ?1 AND _key < ?2 ORDER BY \"%s\", _key",
                          s->name, s->time_field);
    kpi_status rc = KPI_OK;
    if (!ok)
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
    else if (sqlite3_prepare_v2(r->q->db, sql.p, (int)sql.n, &r->day, NULL) != SQLITE_OK)
        rc = ksql_fail(r->q, "cannot prepare the read of rows", err);
    kbuf_reset(&sql);
    if (rc == KPI_OK && !kbuf_printf(&sql,
                                     "SELECT _key >> %d FROM \"%s\" WHERE _key >= ?1 AND _key < ?2"
                                     " ORDER BY _key LIMIT 1",
                                     KSQL_SEQ_BITS, s->name))
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
    else if (rc == KPI_OK &&
             sqlite3_prepare_v2(r->q->db, sql.p, (int)sql.n, &r->next, NULL) != SQLITE_OK)
        rc = ksql_fail(r->q, "cannot prepare the read of rows", err);
    kbuf_release(&sql);
    return rc;
}

/* The first day at or after *day, before hi, that holds rows: true with *day set, or false. */
static bool next_day(rows_read *r, int64_t *day, int64_t hi, int *step)
{
    sqlite3_bind_int64(r->next, 1, key_of(*day));
    sqlite3_bind_int64(r->next, 2, key_of(hi));
    *step = sqlite3_step(r->next);
    bool any = *step == SQLITE_ROW;
    if (any) {
        *day = sqlite3_column_int64(r->next, 0);
        *step = SQLITE_DONE;
    }
    sqlite3_reset(r->next);
    return any;
}

/* Hands one day's rows to fn. */
static kpi_status read_day(rows_read *r, int64_t day, kscan_fields_fn fn, void *ctx, kpi_error *err)
{
    sqlite3_bind_int64(r->day, 1, key_of(day));
    sqlite3_bind_int64(r->day, 2, key_of(day + 1));
    kpi_status rc = KPI_OK;
    int step;
    while (rc == KPI_OK && (step = sqlite3_step(r->day)) == SQLITE_ROW) {
        for (size_t i = 0; i < r->s->nfields; i++)
            read_field(r->day, (int)i, &r->s->fields[i], &r->vals[i]);
        rc = fn(ctx, day, r->vals);
    }
    if (rc == KPI_OK && step != SQLITE_DONE)
        rc = ksql_fail(r->q, "cannot read rows", err);
    sqlite3_reset(r->day);
    return rc;
}

kpi_status ksql_read_rows(kstore *store, const kstream *s, int64_t day_lo, int64_t day_hi,
                          kscan_fields_fn fn, void *ctx, kpi_error *err)
{
    rows_read r = {.q = (ksql *)store, .s = s};
    r.vals = calloc(s->nfields ? s->nfields : 1, sizeof *r.vals);
    kpi_status rc = r.vals ? prepare(&r, err) : kerr_set(err, KPI_NOMEM, "out of memory");
    int step = SQLITE_DONE;
    for (int64_t day = day_lo; rc == KPI_OK && day < day_hi && next_day(&r, &day, day_hi, &step);
         day++)
        rc = read_day(&r, day, fn, ctx, err);
    if (rc == KPI_OK && step != SQLITE_DONE)
        rc = ksql_fail(r.q, "cannot read rows", err);
    sqlite3_finalize(r.next);
    sqlite3_finalize(r.day);
    free(r.vals);
    return rc;
}
