/*
 * sqlite_int.h - internals shared by the files of the embedded SQLite backend.
 *
 * Layout of kpi.db: one table per stream, named as the stream, with one column per field and
 * an INTEGER PRIMARY KEY `_key` = (day << 40) | seq, where day is the row's local day number
 * and seq a per-stream counter. Rows are thus clustered by day: a period scan is a rowid range
 * scan, with no secondary index to maintain at import. The id field, when there is one, has a
 * UNIQUE index that makes re-imports idempotent (INSERT OR IGNORE). Meta tables start "kpi_".
 */
#ifndef KPI_SQLITE_INT_H
#define KPI_SQLITE_INT_H

#include "store.h"
#include "../meta/meta_int.h"
#include "../util/ktime.h"

#include <sqlite3.h>

#define KSQL_SEQ_BITS 40
#define KSQL_SEQ_MASK ((INT64_C(1) << KSQL_SEQ_BITS) - 1)

/* The prepared insert of one stream (reading its feed table), kept for the connection's life. */
typedef struct ksql_insert {
    char stream[64];
    size_t nfields;
    sqlite3_stmt *stmt;
    sqlite3_stmt *max; /* the stream's largest _key, INT64_MIN when it holds no row */
    struct ksql_insert *next;
} ksql_insert;

/* What the feed tables (sqlite_feed.c) serve while an insert steps: the batch's rows, keyed
 * from seq0 on. batch is NULL between appends. */
typedef struct ksql_feed {
    const kbatch *batch;
    int64_t seq0;
    int64_t max;  /* the table's largest _key when the insert starts */
    bool has_max; /* false: the table is empty */
} ksql_feed;

typedef struct ksql {
    kstore base;
    kmeta *meta; /* kpi.db: the connection is its */
    sqlite3 *db; /* meta->db */
    ktz *tz;     /* the workspace zone, for kpi_day() when rows are re-bucketed */
    ksql_insert *inserts;
    ksql_feed feed;
} ksql;

/* Statements on kpi.db, through lib/meta's helpers. */
static inline kpi_status ksql_exec(ksql *q, const char *sql, kpi_error *err)
{
    return kmeta_exec(q->meta, sql, err);
}
static inline kpi_status ksql_fail(ksql *q, const char *what, kpi_error *err)
{
    return kmeta_fail(q->meta, what, err);
}
static inline kpi_status ksql_int(ksql *q, const char *sql, int64_t *out, kpi_error *err)
{
    return kmeta_int(q->meta, sql, out, err);
}
/* The batch feed (sqlite_feed.c): registers the kpi_feed module on a new connection; appends
 * a batch's rows with keys from seq0 on, counting the rows stored (not ignored as duplicates);
 * forgets the prepared inserts of a stream (NULL: all) after its table changed. */
kpi_status ksql_feed_register(ksql *q, kpi_error *err);
kpi_status ksql_feed_rows(ksql *q, const kbatch *b, int64_t seq0, uint64_t *inserted,
                          kpi_error *err);
void ksql_forget_inserts(ksql *q, const char *stream);

/* Registers the scans' SQL functions (kpi_sum: SUM in 128 bits) on a new connection. */
kpi_status ksql_scan_register(ksql *q, kpi_error *err);

kpi_status ksql_sync(kstore *st, const kconfig *cfg, kpi_error *err);

kpi_status ksql_count_distinct(kstore *store, const kscan_range *r, const krow *expr,
                               const kcond *where, kscan_count_fn fn, void *ctx, kpi_error *err);

/* The decimal scale of a field's stored integers in scans: a number's scale, 6 for a time
 * (microseconds: differences of times are seconds), else 0. */
int ksql_field_scale(const kfield *f);

/* Every field of the rows of s over [day_lo, day_hi) in time order (sqlite_rows.c). */
kpi_status ksql_read_rows(kstore *st, const kstream *s, int64_t day_lo, int64_t day_hi,
                          kscan_fields_fn fn, void *ctx, kpi_error *err);

/* Scans (sqlite_scan.c); see kstore_backend. */
kpi_status ksql_scan_aggs(kstore *st, const kscan_range *range, const kscan_agg *aggs, size_t n,
                          kscan_agg_fn fn, void *ctx, kpi_error *err);
kpi_status ksql_scan_values(kstore *st, const kscan_range *range, const krow *expr,
                            const kcond *where, bool want_time, kscan_row_fn fn, void *ctx,
                            kpi_error *err);
bool ksql_explain_aggs(kstore *st, const kscan_range *range, const kscan_agg *aggs, size_t n,
                       kbuf *out);
bool ksql_explain_values(kstore *st, const kscan_range *range, const krow *expr, const kcond *where,
                         bool want_time, kbuf *out);

#endif
