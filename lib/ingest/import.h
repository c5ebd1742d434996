/*
 * import.h - the import pipeline: a reader (CSV or NDJSON) -> typed rows checked against the
 * stream's schema -> batches committed atomically to the store, with rejected rows written to
 * a reject file that says where and why. Used by kpi_import_file / kpi_import_reader and, later,
 * by HTTP ingest.
 */
#ifndef KPI_INGEST_IMPORT_H
#define KPI_INGEST_IMPORT_H

#include "../store/store.h"
#include "../util/ktime.h"
#include "reader.h"

typedef struct kimport_ctx {
    kmeta *meta; /* kpi.db: each batch is one of its transactions, the ledger its row */
    kstore *store;
    const kstream *stream;
    ktz *zone;               /* the workspace zone: buckets rows into days, reads naive times */
    const char *rejects_dir; /* where default reject files go (created when needed) */
    int64_t now_us;          /* names default reject files */
} kimport_ctx;

/*
 * Runs one import from read(). `name` labels locations in messages and the reject file.
 * result is zeroed first. Returns KPI_OK when the input was read to the end (rows may have been
 * rejected), KPI_INPUT when it could not be imported (a required column missing, a runaway
 * quoted field), KPI_CANCELLED when opts->cancel was set, or a store error; batches committed
 * before a failure stay committed and are counted in result.
 */
kpi_status kimport_run(const kimport_ctx *ctx, const char *name, kpi_read_fn read, void *read_ctx,
                       uint64_t total_bytes, const kpi_import_options *opts,
                       kpi_import_result *result, kpi_error *err);

/* ---- the writer thread (writer.c) ---- */

typedef struct kwriter kwriter;

/* Starts a thread that commits batches to st, each in one transaction of meta, adding its
 * counts to res. */
kpi_status kwriter_start(kwriter **out, kmeta *meta, kstore *st, kpi_import_result *res,
                         kpi_error *err);
/* Waits until the batch in flight (if any) is committed, then hands b over; the caller must not
 * touch b until a later kwriter_submit or kwriter_wait returns. Returns the error of the batch
 * before, if it failed (copied into err). */
kpi_status kwriter_submit(kwriter *w, kbatch *b, kpi_error *err);
/* Waits for the batch in flight; its status (err set on failure). */
kpi_status kwriter_wait(kwriter *w, kpi_error *err);
/* Waits for the thread to finish and frees it. Accepts NULL. */
void kwriter_stop(kwriter *w);

/* ---- reject files ---- */

typedef struct krejects krejects;

/* Prepares a reject writer; nothing is created on disk until the first rejected row.
 * header holds the input's column names (CSV) and is copied; path NULL picks a default name in
 * dir from the stream name and now_us. */
krejects *krejects_create(const char *path, const char *dir, const char *stream, int64_t now_us,
                          kpi_format format, char delimiter, const krecord *header);
void krejects_destroy(krejects *r);

/* Writes one rejected row: its line and column, the field at fault (NULL: the whole row), the
 * offending value, the reason, and the original record so it can be fixed and imported again. */
kpi_status krejects_add(krejects *r, const krecord *rec, unsigned long line, unsigned long column,
                        const char *field, kstr value, const char *reason, kpi_error *err);

/* Flushes and closes the file; returns its path ("" when nothing was rejected). */
kpi_status krejects_finish(krejects *r, char *path, size_t cap, kpi_error *err);

#endif
