/*
 * import.c - the import pipeline. Records stream in from a reader; each value is coerced to its
 * field's type; a row that fails goes to the reject file (with line, column, field, value and
 * reason) and never stops the import; good rows fill a batch that is committed to the store in
 * one transaction (by the writer thread, writer.c, while parsing goes on), so an interruption
 * leaves whole batches only. Memory is bounded by the reader's buffer and two batches, whatever
 * the input size.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_ROWS 65536
/* A batch is also committed once it holds this much text: memory stays bounded with long
 * values, and its text (one record is at most 64 MiB) never nears the 4 GiB a batch holds. */
#define BATCH_TEXT_MAX ((size_t)64 << 20)
#define WHY_CAP 256

/* The state of one run. */
typedef struct run {
    const kimport_ctx *ctx;
    const kstream *s;
    const kpi_import_options *opts;
    kpi_import_result *res;
    kpi_error *err;
    const char *name;
    kpi_format format;
    kcsv *csv;
    kndjson *nd;
    long *src;       /* per field: its column in the record, -1 when the input lacks it */
    ktz **zones;     /* per field: zone of naive times (field `timezone:`), else NULL */
    size_t ncolumns; /* CSV: columns in the header */
    kbatch slots[2]; /* filled in turn: one by the reader while the writer commits the other */
    kbatch *batch;   /* the one being filled */
    kwriter *writer;
    krejects *rejects;
    uint64_t rows_seen;
    double started, last_progress;
    uint64_t total_bytes;
} run;

static uint64_t bytes_read(const run *r)
{
    return r->csv ? kcsv_bytes_read(r->csv) : r->nd ? kndjson_bytes_read(r->nd) : 0;
}

static void report_progress(run *r, bool force)
{
    if (!r->opts->progress)
        return;
    double now = kclock_seconds();
    if (!force && now - r->last_progress < 0.2)
        return;
    r->last_progress = now;
    kpi_progress p = {bytes_read(r), r->total_bytes, r->rows_seen, now - r->started};
    r->opts->progress(r->opts->ctx, &p);
}

static void warn(run *r, const char *fmt, ...) KPI_PRINTF(2, 3);
static void warn(run *r, const char *fmt, ...)
{
    if (!r->opts->warning)
        return;
    kpi_error w;
    kpi_error_init(&w);
    va_list ap;
    va_start(ap, fmt);
    kerr_vset_at(&w, KPI_OK, r->name, 0, 0, fmt, ap);
    va_end(ap);
    r->opts->warning(r->opts->ctx, &w);
}

/* ---- mapping the input's columns to fields ------------------------------------------------ */

static long find_column(const krecord *h, const char *want)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (kstr_eq_c((kstr){h->fields[i].p, h->fields[i].n}, want))
            return (long)i;
    /* a header that differs only in case or surrounding spaces still matches, when unique */
    long found = -1;
    for (size_t i = 0; i < h->nfields; i++) {
        if (kstr_ieq_c(kstr_trim((kstr){h->fields[i].p, h->fields[i].n}), want)) {
            if (found >= 0)
                return -1;
            found = (long)i;
        }
    }
    return found;
}

static bool field_required(const kstream *s, size_t i)
{
    return s->fields[i].required || i == s->time_index || (s->id_field && i == s->id_index);
}

/* Maps CSV header columns to fields; a missing required column stops the import here. */
static kpi_status map_header(run *r, const krecord *h)
{
    const kstream *s = r->s;
    r->ncolumns = h->nfields;
    bool *used = calloc(h->nfields ? h->nfields : 1, sizeof *used);
    if (!used)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    kpi_status rc = KPI_OK;
    for (size_t i = 0; i < s->nfields && rc == KPI_OK; i++) {
        const kfield *f = &s->fields[i];
        r->src[i] = find_column(h, f->column);
        if (r->src[i] >= 0) {
            used[r->src[i]] = true;
            continue;
        }
        if (!field_required(s, i)) {
            warn(r, "no column '%s' for field '%s': its values will be empty", f->column, f->name);
            continue;
        }
        char hint[128] = "";
        kbuf all;
        kbuf_init(&all, 4096);
        for (size_t c = 0; c < h->nfields; c++)
            kbuf_printf(&all, "%s'%.*s'", c ? ", " : "", (int)h->fields[c].n, h->fields[c].p);
        /* suggest the nearest header name */
        size_t best = SIZE_MAX, best_d = f->column[0] ? strlen(f->column) / 3 + 1 : 1;
        for (size_t c = 0; c < h->nfields; c++) {
            size_t d = kedit_distance(f->column, strlen(f->column), h->fields[c].p,
                                      h->fields[c].n, best_d);
            if (d < best_d) {
                best_d = d;
                best = c;
            }
        }
        if (best != SIZE_MAX)
            snprintf(hint, sizeof hint, " (did you mean '%.*s'?)", (int)h->fields[best].n,
                     h->fields[best].p);
        rc = kerr_set_at(r->err, KPI_INPUT, r->name, h->line, 0,
                         "missing column '%s' for required field '%s' of stream '%s'%s;"
                         " the header has %s",
                         f->column, f->name, s->name, hint, all.p ? all.p : "no columns");
        kbuf_release(&all);
    }
    if (rc == KPI_OK) {
        kbuf extra;
        kbuf_init(&extra, 4096);
        for (size_t c = 0; c < h->nfields; c++)
            if (!used[c])
                kbuf_printf(&extra, "%s'%.*s'", extra.n ? ", " : "", (int)h->fields[c].n,
                            h->fields[c].p);
        if (extra.n)
            warn(r, "ignoring columns that are not fields of stream '%s': %s", s->name, extra.p);
        kbuf_release(&extra);
    }
    free(used);
    return rc;
}

static void warn_extra_key(void *ctx, const char *key)
{
    run *r = ctx;
    warn(r, "ignoring key '%s': it is not a field of stream '%s'", key, r->s->name);
}

/* ---- coercion ------------------------------------------------------------------------------ */

/*
 * Converts one value into its cell. False with a reason in why when the value is invalid.
 * utf8_checked: the whole record is known to be valid UTF-8, so its text values are.
 */
static bool coerce(run *r, size_t i, kstr v, kcell *c, int64_t *day, bool utf8_checked,
                   char *why)
{
    const kfield *f = &r->s->fields[i];
    int64_t x = 0;
    bool ok;
    switch (f->type) {
    case KPI_FIELD_TEXT:
        if (r->s->encoding == KENC_UTF8 && !utf8_checked) {
            size_t good = kutf8_valid_prefix(v.p, v.n);
            if (good != v.n) {
                snprintf(why, WHY_CAP, "invalid UTF-8 at byte %zu (set encoding: on the stream"
                                       " for latin1 or windows-1252 files)",
                         good + 1);
                return false;
            }
        }
        if (!kbatch_set_text(r->batch, c, v.p, v.n)) {
            snprintf(why, WHY_CAP, "out of memory");
            return false;
        }
        return true;
    case KPI_FIELD_NUMBER:
        ok = f->round ? kdecimal_parse_rounded(v, f->decimal, f->scale, &x, why, WHY_CAP)
                      : kdecimal_parse(v, f->decimal, f->scale, &x, why, WHY_CAP);
        break;
    case KPI_FIELD_INTEGER:
        ok = kinteger_parse(v, f->decimal, &x, why, WHY_CAP);
        break;
    case KPI_FIELD_BOOL: {
        bool b = false;
        ok = kbool_parse(v, &b, why, WHY_CAP);
        x = b;
        break;
    }
    case KPI_FIELD_TIME:
        ok = ktime_parse(v, f->format, r->zones[i] ? r->zones[i] : r->ctx->zone, &x, why,
                         WHY_CAP);
        if (ok && i == r->s->time_index)
            *day = ktz_day_of(r->ctx->zone, x);
        break;
    case KPI_FIELD_DATE:
        ok = kdate_parse(v, f->format, &x, why, WHY_CAP);
        if (ok && i == r->s->time_index)
            *day = x;
        break;
    default:
        ok = false;
        snprintf(why, WHY_CAP, "unknown field type");
    }
    if (ok) {
        c->i = x;
        c->null = 0;
    }
    return ok;
}

static kpi_status reject(run *r, const krecord *rec, unsigned long line, unsigned long column,
                         const char *field, kstr value, const char *reason)
{
    r->res->rejected++;
    if (r->opts->rejected) {
        char v[201];
        size_t n = value.n < 200 ? value.n : 200;
        memcpy(v, value.p ? value.p : "", n);
        v[n] = 0;
        r->opts->rejected(r->opts->ctx, line, column, field, v, reason);
    }
    return krejects_add(r->rejects, rec, line, column, field, value, reason, r->err);
}

/* Validates one record into the batch, or rejects it. */
static kpi_status take_record(run *r, const krecord *rec)
{
    const kstream *s = r->s;
    if (rec->error) {
        kstr val = {"", 0};
        const char *field = NULL;
        for (size_t i = 0; rec->error_key && i < s->nfields; i++)
            if (strcmp(s->fields[i].column, rec->error_key) == 0)
                field = s->fields[i].name;
        return reject(r, rec, rec->line, rec->error_column, field, val, rec->error);
    }
    if (r->format == KPI_FORMAT_CSV && rec->nfields != r->ncolumns) {
        char why[WHY_CAP];
        snprintf(why, sizeof why, "row has %zu fields but the header has %zu", rec->nfields,
                 r->ncolumns);
        return reject(r, rec, rec->line, 1, NULL, (kstr){"", 0}, why);
    }
    /* One check of the record's bytes instead of one per text value: a CSV field is a stretch
     * of the record between ASCII delimiters (unescaping drops only ASCII quotes), so it is
     * valid UTF-8 when the record is. Only a record that fails is checked field by field, for
     * the message. NDJSON values are unescaped (\u escapes), so they are checked one by one. */
    bool utf8_checked = r->format == KPI_FORMAT_CSV && r->s->encoding == KENC_UTF8 &&
                        kutf8_valid_prefix(rec->raw, rec->raw_n) == rec->raw_n;
    /* the record's text values fit in its raw bytes: one reservation serves them all */
    if (!kbatch_reserve_text(r->batch, rec->raw_n))
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    int64_t day = 0;
    kcell *cells = kbatch_add_row(r->batch, 0);
    for (size_t i = 0; i < s->nfields; i++) {
        const kfield *f = &s->fields[i];
        kstr v = {NULL, 0};
        const kfield_val *fv = r->src[i] >= 0 ? &rec->fields[r->src[i]] : NULL;
        if (fv && fv->p)
            v = f->type == KPI_FIELD_TEXT ? (kstr){fv->p, fv->n} : kstr_trim((kstr){fv->p, fv->n});
        unsigned long line = fv ? fv->line : rec->line, col = fv ? fv->column : 0;
        if (v.n == 0) {
            if (!field_required(s, i))
                continue;
            kbatch_drop_row(r->batch);
            char why[WHY_CAP];
            snprintf(why, sizeof why, "required field '%s' is empty", f->name);
            return reject(r, rec, line, col, f->name, v, why);
        }
        char why[WHY_CAP];
        if (!coerce(r, i, v, &cells[i], &day, utf8_checked, why)) {
            kbatch_drop_row(r->batch);
            return reject(r, rec, line, col, f->name, v, why);
        }
    }
    r->batch->day[r->batch->n - 1] = day;
    return KPI_OK;
}

/* Hands the full batch to the writer thread (one transaction) and goes on with the other. */
static kpi_status flush(run *r)
{
    if (r->batch->n == 0)
        return KPI_OK;
    kpi_status rc = kwriter_submit(r->writer, r->batch, r->err);
    if (rc != KPI_OK)
        return rc;
    r->batch = r->batch == &r->slots[0] ? &r->slots[1] : &r->slots[0];
    kbatch_clear(r->batch); /* committed: kwriter_submit waited for it */
    return KPI_OK;
}

/* ---- the run ------------------------------------------------------------------------------- */

static kpi_status open_reader(run *r, kpi_read_fn read, void *read_ctx)
{
    const kstream *s = r->s;
    if (r->format == KPI_FORMAT_NDJSON) {
        const char **keys = calloc(s->nfields, sizeof *keys);
        if (!keys)
            return kerr_set(r->err, KPI_NOMEM, "out of memory");
        for (size_t i = 0; i < s->nfields; i++) {
            keys[i] = s->fields[i].column;
            r->src[i] = (long)i;
        }
        kpi_status rc = kndjson_create(read, read_ctx, s->encoding, keys, s->nfields, 0, &r->nd,
                                       r->err);
        free(keys);
        return rc;
    }
    kpi_status rc = kcsv_create(read, read_ctx, s->delimiter, s->encoding, 0, &r->csv, r->err);
    if (rc != KPI_OK)
        return rc;
    krecord header;
    int got = kcsv_next(r->csv, &header, r->err);
    if (got < 0)
        return r->err->status;
    if (got == 0)
        return kerr_set_at(r->err, KPI_INPUT, r->name, 0, 0,
                           "the file is empty: expected a header line naming the columns");
    if ((rc = map_header(r, &header)) != KPI_OK)
        return rc;
    r->rejects = krejects_create(r->opts->rejects_path, r->ctx->rejects_dir, s->name,
                                 r->ctx->now_us, KPI_FORMAT_CSV, s->delimiter, &header);
    return r->rejects ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
}

static kpi_status open_zones(run *r)
{
    for (size_t i = 0; i < r->s->nfields; i++) {
        const kfield *f = &r->s->fields[i];
        if (f->type != KPI_FIELD_TIME || !f->timezone)
            continue;
        kpi_status rc = ktz_open(f->timezone, &r->zones[i], r->err);
        if (rc != KPI_OK)
            return kerr_set_at(r->err, rc, f->loc.file, f->loc.line, f->loc.column,
                               "field '%s': unknown time zone '%s'", f->name, f->timezone);
    }
    return KPI_OK;
}

static kpi_status read_all(run *r)
{
    kpi_status rc = KPI_OK;
    krecord rec;
    for (;;) {
        if (r->opts->cancel && *r->opts->cancel)
            return kerr_set(r->err, KPI_CANCELLED, "import cancelled after %llu rows",
                            (unsigned long long)r->rows_seen);
        int got = r->csv ? kcsv_next(r->csv, &rec, r->err) : kndjson_next(r->nd, &rec, r->err);
        if (got < 0) {
            if (!r->err->file[0])
                snprintf(r->err->file, sizeof r->err->file, "%s", r->name);
            return r->err->status;
        }
        if (got == 0)
            return KPI_OK;
        r->rows_seen++;
        if ((rc = take_record(r, &rec)) != KPI_OK)
            return rc;
        if (r->batch->n == r->batch->cap || r->batch->text.n >= BATCH_TEXT_MAX) {
            if (r->nd)
                kndjson_new_extra_keys(r->nd, warn_extra_key, r);
            if ((rc = flush(r)) != KPI_OK)
                return rc;
        }
        if ((r->rows_seen & 4095) == 0)
            report_progress(r, false);
    }
}

kpi_status kimport_run(const kimport_ctx *ctx, const char *name, kpi_read_fn read, void *read_ctx,
                       uint64_t total_bytes, const kpi_import_options *opts,
                       kpi_import_result *result, kpi_error *err)
{
    memset(result, 0, sizeof *result);
    const kstream *s = ctx->stream;
    run r = {.ctx = ctx, .s = s, .opts = opts, .res = result, .err = err, .name = name,
             .format = opts->format == KPI_FORMAT_NDJSON ? KPI_FORMAT_NDJSON : KPI_FORMAT_CSV,
             .total_bytes = total_bytes, .started = kclock_seconds()};
    kpi_status rc = KPI_NOMEM;
    r.src = calloc(s->nfields, sizeof *r.src);
    r.zones = calloc(s->nfields, sizeof *r.zones);
    size_t cap = opts->batch_rows ? opts->batch_rows : DEFAULT_BATCH_ROWS;
    r.batch = &r.slots[0];
    if (!r.src || !r.zones || !kbatch_init(&r.slots[0], s, cap) ||
        !kbatch_init(&r.slots[1], s, cap)) {
        kerr_set(err, KPI_NOMEM, "out of memory");
        goto out_free;
    }
    if ((rc = kwriter_start(&r.writer, ctx->store, result, err)) != KPI_OK)
        goto out_free;
    if ((rc = open_zones(&r)) != KPI_OK || (rc = open_reader(&r, read, read_ctx)) != KPI_OK)
        goto out_free;
    if (!r.rejects) {
        r.rejects = krejects_create(opts->rejects_path, ctx->rejects_dir, s->name, ctx->now_us,
                                    KPI_FORMAT_NDJSON, ',', NULL);
        if (!r.rejects) {
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
            goto out_free;
        }
    }
    rc = read_all(&r);
    if (rc == KPI_OK) {
        rc = flush(&r);
        if (rc == KPI_OK)
            rc = kwriter_wait(r.writer, err);
    } else {
        /* the batch in flight commits either way (Ctrl-C keeps whole batches); the rows read
         * before a fatal input error are good too: keep them, and keep the first error */
        kpi_error ferr;
        kpi_error_init(&ferr);
        r.err = &ferr;
        kpi_status frc = rc == KPI_INPUT ? flush(&r) : KPI_OK;
        if (frc == KPI_OK)
            frc = kwriter_wait(r.writer, &ferr);
        if (frc != KPI_OK)
            rc = kerr_set(err, ferr.status, "%s", ferr.message);
        r.err = err;
    }
    if (r.nd)
        kndjson_new_extra_keys(r.nd, warn_extra_key, &r);
    report_progress(&r, true);
    kpi_error lerr;
    kpi_error_init(&lerr);
    if (krejects_finish(r.rejects, result->rejects_path, sizeof result->rejects_path, &lerr) !=
            KPI_OK &&
        rc == KPI_OK)
        rc = kerr_set(err, lerr.status, "%s", lerr.message);
    ctx->store->backend->log_import(ctx->store, s->name, name, result,
                                    rc == KPI_OK ? "ok" : kpi_status_name(rc), &lerr);
out_free:
    kwriter_stop(r.writer);
    krejects_destroy(r.rejects);
    kcsv_destroy(r.csv);
    kndjson_destroy(r.nd);
    kbatch_release(&r.slots[0]);
    kbatch_release(&r.slots[1]);
    for (size_t i = 0; r.zones && i < s->nfields; i++)
        ktz_close(r.zones[i]);
    free(r.zones);
    free(r.src);
    return rc;
}
