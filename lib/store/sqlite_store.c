/*
 * sqlite_store.c - the embedded SQLite event store: one table per stream in kpi.db, on the
 * connection of lib/meta (whose transaction an import's appends are part of): batched appends
 * (rows reach SQLite through sqlite_feed.c), statistics, listing and dropping streams. The
 * schema rules live in sqlite_schema.c.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kpi_day(utc_us): the local day of a time in the workspace zone, for re-bucketing rows. */
static void fn_kpi_day(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    ksql *q = sqlite3_user_data(ctx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !q->tz) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(ctx, ktz_day_of(q->tz, sqlite3_value_int64(argv[0])));
}

static kpi_status sql_open(kmeta *meta, kstore **out, kpi_error *err)
{
    *out = NULL;
    ksql *q = calloc(1, sizeof *q);
    if (!q)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    q->base.backend = &kstore_sqlite;
    q->meta = meta;
    q->db = meta->db;
    kpi_status s = ksql_feed_register(q, err);
    if (s == KPI_OK)
        s = ksql_scan_register(q, err);
    if (s == KPI_OK &&
        sqlite3_create_function(q->db, "kpi_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, q,
                                fn_kpi_day, NULL, NULL) != SQLITE_OK)
        s = ksql_fail(q, "cannot register kpi_day", err);
    if (s != KPI_OK) {
        free(q);
        return s;
    }
    *out = &q->base;
    return KPI_OK;
}

static void sql_close(kstore *st)
{
    if (!st)
        return;
    ksql *q = (ksql *)st;
    ksql_forget_inserts(q, NULL);
    ktz_close(q->tz);
    free(q);
}

static kpi_status sql_append(kstore *st, const kbatch *b, uint64_t *inserted, kpi_error *err)
{
    ksql *q = (ksql *)st;
    const kstream *s = b->stream;
    char sql[256];
    int64_t seq = 0;
    snprintf(sql, sizeof sql, "SELECT next_seq FROM kpi_streams WHERE name = '%s'", s->name);
    kpi_status rc = ksql_int(q, sql, &seq, err);
    if (rc != KPI_OK)
        return rc;
    if (seq + (int64_t)b->n > KSQL_SEQ_MASK)
        return kerr_set(err, KPI_LIMIT, "stream '%s' is full (2^40 rows)", s->name);
    if ((rc = ksql_feed_rows(q, b, seq, inserted, err)) != KPI_OK)
        return rc;
    seq += (int64_t)b->n;
    snprintf(sql, sizeof sql, "UPDATE kpi_streams SET next_seq = %lld WHERE name = '%s'",
             (long long)seq, s->name);
    return ksql_exec(q, sql, err);
}

static kpi_status sql_stats(kstore *st, const kstream *s, kstream_stats *out, kpi_error *err)
{
    ksql *q = (ksql *)st;
    char sql[512];
    memset(out, 0, sizeof *out);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", s->name);
    kpi_status rc = ksql_int(q, sql, &out->rows, err);
    if (rc != KPI_OK || out->rows == 0)
        return rc;
    /* rows are clustered by day: only the first and the last day need reading */
    const char *t = s->time_field;
    snprintf(sql, sizeof sql,
             "SELECT min(\"%s\") FROM \"%s\" WHERE _key < ((SELECT min(_key) FROM \"%s\") >> %d"
             " << %d) + %lld",
             t, s->name, s->name, KSQL_SEQ_BITS, KSQL_SEQ_BITS, (long long)(KSQL_SEQ_MASK + 1));
    rc = ksql_int(q, sql, &out->first, err);
    if (rc != KPI_OK)
        return rc;
    snprintf(sql, sizeof sql,
             "SELECT max(\"%s\") FROM \"%s\" WHERE _key >= ((SELECT max(_key) FROM \"%s\") >> %d"
             " << %d)",
             t, s->name, s->name, KSQL_SEQ_BITS, KSQL_SEQ_BITS);
    return ksql_int(q, sql, &out->last, err);
}

static kpi_status sql_first_day(kstore *st, const kstream *s, bool *any, int64_t *day,
                                kpi_error *err)
{
    ksql *q = (ksql *)st;
    char sql[256];
    int64_t n = 0;
    *any = false;
    snprintf(sql, sizeof sql, "SELECT EXISTS(SELECT 1 FROM \"%s\")", s->name);
    kpi_status rc = ksql_int(q, sql, &n, err);
    if (rc != KPI_OK || !n)
        return rc;
    /* _key is the day shifted left over the row's sequence number */
    snprintf(sql, sizeof sql, "SELECT min(_key) >> %d FROM \"%s\"", KSQL_SEQ_BITS, s->name);
    *any = (rc = ksql_int(q, sql, day, err)) == KPI_OK;
    return rc;
}

static kpi_status sql_list(kstore *st, kstored_stream *out, size_t cap, size_t *n, kpi_error *err)
{
    ksql *q = (ksql *)st;
    sqlite3_stmt *stmt;
    *n = 0;
    if (sqlite3_prepare_v2(q->db, "SELECT name FROM kpi_streams ORDER BY name", -1, &stmt, NULL) !=
        SQLITE_OK)
        return ksql_fail(q, "cannot list streams", err);
    kpi_status rc = KPI_OK;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (*n < cap) {
            kstored_stream *o = &out[*n];
            snprintf(o->name, sizeof o->name, "%s", (const char *)sqlite3_column_text(stmt, 0));
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", o->name);
            rc = ksql_int(q, sql, &o->rows, err);
            if (rc != KPI_OK)
                break;
        }
        (*n)++;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static kpi_status sql_drop(kstore *st, const char *stream, int64_t *rows, kpi_error *err)
{
    ksql *q = (ksql *)st;
    char sql[512];
    int64_t known = 0;
    *rows = 0;
    if (!kident_valid(kstr_c(stream)))
        return kerr_set(err, KPI_NOTFOUND, "no stream '%s' is stored", stream);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM kpi_streams WHERE name = '%s'", stream);
    kpi_status rc = ksql_int(q, sql, &known, err);
    if (rc != KPI_OK)
        return rc;
    if (!known)
        return kerr_set(err, KPI_NOTFOUND, "no stream '%s' is stored", stream);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", stream);
    if ((rc = ksql_int(q, sql, rows, err)) != KPI_OK)
        return rc;
    ksql_forget_inserts(q, stream);
    snprintf(sql, sizeof sql,
             "BEGIN IMMEDIATE; DROP TABLE IF EXISTS \"%s\";"
             " DELETE FROM kpi_fields WHERE stream = '%s';"
             " DELETE FROM kpi_streams WHERE name = '%s'; COMMIT;",
             stream, stream, stream);
    rc = ksql_exec(q, sql, err);
    if (rc != KPI_OK)
        kmeta_rollback(q->meta);
    return rc;
}

const kstore_backend kstore_sqlite = {
    .version = 1,
    .name = "sqlite",
    .open = sql_open,
    .close = sql_close,
    .sync = ksql_sync,
    .append = sql_append,
    .stats = sql_stats,
    .first_day = sql_first_day,
    .drop = sql_drop,
    .list = sql_list,
    .count_distinct = ksql_count_distinct,
    .scan_aggs = ksql_scan_aggs,
    .scan_values = ksql_scan_values,
    .read_rows = ksql_read_rows,
    .explain_aggs = ksql_explain_aggs,
    .explain_values = ksql_explain_values,
};
