/*
 * store.h - where stream events live, and only events: the metadata (stream registry, import
 * ledger, targets, values, tokens) is lib/meta's kpi.db, the one commit point. A backend is a
 * table of function pointers (like sqlite3_vfs): the embedded SQLite store now, a columnar
 * segment store and ClickHouse next, behind the same calls (the kstore_* wrappers below) so
 * the layers above never know which one holds a stream.
 *
 * Rows reach a backend in batches of typed cells. Each row carries its "day": the day number
 * (days since 1970-01-01) of its time field in the workspace time zone, which backends use to
 * keep rows clustered by time so that period scans read only the days they need.
 */
#ifndef KPI_STORE_H
#define KPI_STORE_H

#include <string.h>

#include "../formula/formula.h"
#include "../meta/meta.h"
#include "../model/model.h"

/* One typed value. For text, i is the offset of the bytes in the batch's text buffer and len
 * their length; for every other type i is the value itself (time: microseconds UTC; date:
 * days; number: scaled by 10^scale; integer; bool 0/1). */
typedef struct kcell {
    int64_t i;
    uint32_t len;
    uint8_t null;
} kcell;

/* A batch of rows for one stream, row-major: cells[row * nfields + field]. */
typedef struct kbatch {
    const kstream *stream;
    size_t nfields;
    size_t n;   /* rows in use */
    size_t cap; /* rows allocated */
    kcell *cells;
    int64_t *day;
    kbuf text;
} kbatch;

/* Prepares an empty batch for up to cap rows; false when out of memory. */
bool kbatch_init(kbatch *b, const kstream *s, size_t cap);
void kbatch_release(kbatch *b);
void kbatch_clear(kbatch *b);
/* The cells of a new row at the end (zeroed, all null), or NULL when the batch is full. */
kcell *kbatch_add_row(kbatch *b, int64_t day);
/* Drops the last row (after a validation failure part-way through it). */
void kbatch_drop_row(kbatch *b);
/* Makes room for n more bytes of text (so that the kbatch_set_text calls they cover cannot
 * fail); false when out of memory or past the batch's 4 GiB of text. */
bool kbatch_reserve_text(kbatch *b, size_t n);

/* Copies text into the batch and points the cell at it; false when out of memory. Inline: the
 * import calls it for every text value, nearly always with room reserved. */
static inline bool kbatch_set_text(kbatch *b, kcell *c, const char *p, size_t n)
{
    size_t off = b->text.n;
    if ((n >= b->text.cap - off || n > UINT32_MAX) && !kbatch_reserve_text(b, n))
        return false;
    memcpy(b->text.p + off, p, n);
    b->text.n = off + n;
    b->text.p[b->text.n] = '\0';
    c->i = (int64_t)off;
    c->len = (uint32_t)n;
    c->null = 0;
    return true;
}

/* Counts and time range of a stored stream. */
typedef struct kstream_stats {
    int64_t rows;
    int64_t first; /* raw stored value of the time field (us or days); valid when rows > 0 */
    int64_t last;
} kstream_stats;

/* A stream found in the store (possibly no longer defined in kpi.yaml). */
typedef struct kstored_stream {
    char name[64];
    int64_t rows;
} kstored_stream;

/* ---- scans: the shape every backend (SQL pushdown today, a columnar engine later) serves ---- */

/* A decomposable partial aggregate: it can be computed per day and group and folded later. */
typedef enum kpart { KPART_COUNT, KPART_SUM, KPART_MIN, KPART_MAX } kpart;

/* part(expr) over the rows matching where (NULL: all rows). COUNT with expr NULL counts rows;
 * with an expr it counts rows where expr is not null. */
typedef struct kscan_agg {
    kpart part;
    const krow *expr;
    const kcond *where;
} kscan_agg;

/* Which rows a scan reads: one stream, the days [day_lo, day_hi), grouped by some fields. */
typedef struct kscan_range {
    const kstream *stream;
    int64_t day_lo, day_hi;
    const size_t *group; /* field indexes of the breakdown */
    size_t ngroup;
    const kcond *filter; /* the query's --where, or NULL */
} kscan_range;

/* Sums of scaled integers are added in 128 bits, in the store and in the engine. */
__extension__ typedef __int128 kwide;
__extension__ typedef unsigned __int128 kuwide;

/* A value: exact integers carry their decimal scale; other results are doubles; text for the
 * values of text fields (count_distinct). A sum past int64 (one day of a large stream) is
 * exact too: wide, with its 128 bits in hi (high) and i (low); kscan_exact reads either. */
typedef struct kscan_value {
    bool null;
    bool is_int;
    bool wide;
    int64_t i;
    int64_t hi;
    int scale;
    double d;
    kstr text;
} kscan_value;

/* The exact integer of an is_int value (scaled by 10^scale), wide or not. */
static inline kwide kscan_exact(const kscan_value *v)
{
    return v->wide ? (kwide)(((kuwide)(uint64_t)v->hi << 64) | (uint64_t)v->i) : (kwide)v->i;
}

/* Called once per (day, group) that has rows, with one value per agg. */
typedef kpi_status (*kscan_agg_fn)(void *ctx, int64_t day, const kstr *group,
                                   const kscan_value *vals);
/* Called once per row of a value scan: its day, group, the value and (when asked) its time. */
typedef kpi_status (*kscan_row_fn)(void *ctx, int64_t day, const kstr *group,
                                   const kscan_value *val, int64_t time);

typedef struct kstore kstore;

/* A distinct count of a group (NULL: all rows). */
typedef kpi_status (*kscan_count_fn)(void *ctx, const kstr *group, int64_t count);

/* Called once per stored row of a read_rows, with the row's day and one value per field of
 * the stream, in its kpi.yaml order: null, text (in .text), or is_int with i the stored value
 * (time: microseconds UTC, scale 6; date: days; number: scaled, its field's scale; integer;
 * bool 0/1). The values are valid during the call only. */
typedef kpi_status (*kscan_fields_fn)(void *ctx, int64_t day, const kscan_value *vals);

typedef struct kstore_backend {
    int version; /* 2: the metadata moved to lib/meta */
    const char *name;
    /* Opens the events of the workspace whose kpi.db is meta (an import's appends are part of
     * meta's transaction: kmeta_begin / kmeta_commit). */
    kpi_status (*open)(kmeta *meta, kstore **out, kpi_error *err);
    void (*close)(kstore *st);
    /* Brings the stored schema in line with cfg (see kstore_sync). */
    kpi_status (*sync)(kstore *st, const kconfig *cfg, kpi_error *err);
    /* Appends rows inside meta's open transaction; rows whose id is stored already are skipped
     * and not counted in *inserted. */
    kpi_status (*append)(kstore *st, const kbatch *b, uint64_t *inserted, kpi_error *err);
    kpi_status (*stats)(kstore *st, const kstream *s, kstream_stats *out, kpi_error *err);
    /* The first day (in the workspace zone) a row of s falls on; *any false when s has none.
     * Cheap: rows are kept in day order. A query says which compared periods the data only
     * partly covers with it. */
    kpi_status (*first_day)(kstore *st, const kstream *s, bool *any, int64_t *day, kpi_error *err);
    /* Deletes a stream's events and its stored schema; *rows: how many rows it held. */
    kpi_status (*drop)(kstore *st, const char *stream, int64_t *rows, kpi_error *err);
    /* Lists stored streams into out (up to cap); *n receives the total count. */
    kpi_status (*list)(kstore *st, kstored_stream *out, size_t cap, size_t *n, kpi_error *err);
    /* All the partial aggregates of one stream in one pass, per day and group. */
    kpi_status (*scan_aggs)(kstore *st, const kscan_range *range, const kscan_agg *aggs,
                            size_t naggs, kscan_agg_fn fn, void *ctx, kpi_error *err);
    /* The non-null values of expr over the rows matching where (for median, percentile,
     * count_distinct, first, last), with each row's time when want_time. */
    kpi_status (*scan_values)(kstore *st, const kscan_range *range, const krow *expr,
                              const kcond *where, bool want_time, kscan_row_fn fn, void *ctx,
                              kpi_error *err);
    /* count(DISTINCT expr) over the rows matching where: fn gets the total (group NULL), then
     * with a breakdown the count of each group. */
    kpi_status (*count_distinct)(kstore *st, const kscan_range *range, const krow *expr,
                                 const kcond *where, kscan_count_fn fn, void *ctx, kpi_error *err);
    /* Every field of every row of s on the days [day_lo, day_hi), in time order (rows of the
     * same time in the order they were stored): what `kpi export` writes out. */
    kpi_status (*read_rows)(kstore *st, const kstream *s, int64_t day_lo, int64_t day_hi,
                            kscan_fields_fn fn, void *ctx, kpi_error *err);
    /* Appends what scan_aggs / scan_values would run (SQL for SQL backends), for `kpi explain`. */
    bool (*explain_aggs)(kstore *st, const kscan_range *range, const kscan_agg *aggs, size_t naggs,
                         kbuf *out);
    bool (*explain_values)(kstore *st, const kscan_range *range, const krow *expr,
                           const kcond *where, bool want_time, kbuf *out);
} kstore_backend;

struct kstore {
    const kstore_backend *backend;
};

extern const kstore_backend kstore_sqlite;

/* ---- the calls the layers above make (one line each: the backend does the work) ---- */

static inline void kstore_close(kstore *st)
{
    if (st)
        st->backend->close(st);
}
static inline kpi_status kstore_append(kstore *st, const kbatch *b, uint64_t *inserted,
                                       kpi_error *err)
{
    return st->backend->append(st, b, inserted, err);
}
static inline kpi_status kstore_stats(kstore *st, const kstream *s, kstream_stats *out,
                                      kpi_error *err)
{
    return st->backend->stats(st, s, out, err);
}
static inline kpi_status kstore_first_day(kstore *st, const kstream *s, bool *any, int64_t *day,
                                          kpi_error *err)
{
    return st->backend->first_day(st, s, any, day, err);
}
static inline kpi_status kstore_drop(kstore *st, const char *stream, int64_t *rows, kpi_error *err)
{
    return st->backend->drop(st, stream, rows, err);
}
static inline kpi_status kstore_list(kstore *st, kstored_stream *out, size_t cap, size_t *n,
                                     kpi_error *err)
{
    return st->backend->list(st, out, cap, n, err);
}
static inline kpi_status kstore_scan_aggs(kstore *st, const kscan_range *range,
                                          const kscan_agg *aggs, size_t naggs, kscan_agg_fn fn,
                                          void *ctx, kpi_error *err)
{
    return st->backend->scan_aggs(st, range, aggs, naggs, fn, ctx, err);
}
static inline kpi_status kstore_scan_values(kstore *st, const kscan_range *range, const krow *expr,
                                            const kcond *where, bool want_time, kscan_row_fn fn,
                                            void *ctx, kpi_error *err)
{
    return st->backend->scan_values(st, range, expr, where, want_time, fn, ctx, err);
}
static inline kpi_status kstore_count_distinct(kstore *st, const kscan_range *range,
                                               const krow *expr, const kcond *where,
                                               kscan_count_fn fn, void *ctx, kpi_error *err)
{
    return st->backend->count_distinct(st, range, expr, where, fn, ctx, err);
}
static inline kpi_status kstore_read_rows(kstore *st, const kstream *s, int64_t day_lo,
                                          int64_t day_hi, kscan_fields_fn fn, void *ctx,
                                          kpi_error *err)
{
    return st->backend->read_rows(st, s, day_lo, day_hi, fn, ctx, err);
}
static inline bool kstore_explain_aggs(kstore *st, const kscan_range *range, const kscan_agg *aggs,
                                       size_t naggs, kbuf *out)
{
    return st->backend->explain_aggs(st, range, aggs, naggs, out);
}
static inline bool kstore_explain_values(kstore *st, const kscan_range *range, const krow *expr,
                                         const kcond *where, bool want_time, kbuf *out)
{
    return st->backend->explain_values(st, range, expr, where, want_time, out);
}

/*
 * Schema rules every backend follows in sync: a new stream or field is created; a field whose
 * type (or scale) changes, or that disappears from kpi.yaml, is changed only when it holds no
 * data, else KPI_CONFLICT naming the field and the way out (`kpi streams drop`); a changed id
 * field gets a new unique index (KPI_CONFLICT when stored rows repeat a value); a changed time
 * field is refused while rows are stored; a changed workspace time zone re-buckets every row.
 * Streams no longer defined are left as they are.
 */
static inline kpi_status kstore_sync(kstore *st, const kconfig *cfg, kpi_error *err)
{
    return st->backend->sync(st, cfg, err);
}

#endif
