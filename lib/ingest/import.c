/*
 * import.c - the import pipeline. Records stream in from a reader; each value is coerced to its
 * field's type; a row that fails goes to the reject file (with line, column, field, value and
 * reason) and never stops the import; good rows fill a batch that is committed to the store in
 * one transaction (by the writer thread, writer.c, while parsing goes on), so an interruption
 * leaves whole batches only. Values are made canonical on the way: trimmed, text in NFC
 * (text.c), numbers rounded half to even to their field's scale and counted. Memory is bounded
 * by the reader's buffer and two batches, whatever the input size.
 */
#include "import.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_ROWS 65536
/* A batch is also committed once it holds this much text: memory stays bounded with long
 * values, and its text (one record is at most 64 MiB) never nears the 4 GiB a batch holds. */
#define BATCH_TEXT_MAX ((size_t)64 << 20)
#define WHY_CAP 256
#define EXCERPT_MAX 64     /* bytes of a record shown as the value of a reject about the row */
#define SEEN_UNKNOWN (~0u) /* a record's text not scanned as a whole: scan each value */

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
    ktext_nfc nfc;        /* scratch for the values that need NFC */
    unsigned rec_seen;    /* kutf8_scan of the record (CSV), 0 when plain; else SEEN_UNKNOWN */
    uint64_t row_rounded; /* values of the current row rounded to their scale */
    unsigned row_scales;  /* and their scales, one bit each */
    unsigned scales;      /* the scales rounded to in accepted rows */
    bool as_of;           /* opts->as_of: every row's time is as_of_value, on as_of_day */
    int64_t as_of_value, as_of_day;
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

/* Whether header column i is `want`: exactly, or (loose) but for case and surrounding spaces. */
static bool column_is(const krecord *h, size_t i, const char *want, bool loose)
{
    kstr name = {h->fields[i].p, h->fields[i].n};
    return loose ? kstr_ieq_c(kstr_trim(name), want) : kstr_eq_c(name, want);
}

/*
 * The header column named `want`: the exact name, else one that differs only in case or
 * surrounding spaces. -1 when there is none; when two columns match alike (a duplicated
 * header), -1 with *other and the result's index in *first set, so the caller can name both.
 */
static long find_column(const krecord *h, const char *want, long *first, long *other)
{
    *first = *other = -1;
    for (int loose = 0; loose < 2; loose++) {
        for (size_t i = 0; i < h->nfields; i++) {
            if (!column_is(h, i, want, loose))
                continue;
            if (*first >= 0) {
                *other = (long)i;
                return -1;
            }
            *first = (long)i;
        }
        if (*first >= 0)
            return *first;
    }
    return -1;
}

/* The error for a field two header columns match: naming both, by position and name. */
static kpi_status ambiguous_column(run *r, const krecord *h, const kfield *f, long a, long b)
{
    return kerr_set_at(r->err, KPI_INPUT, r->name, h->line, h->fields[b].column,
                       "columns %ld ('%.*s') and %ld ('%.*s') of the header both name the column"
                       " '%s' of field '%s' of stream '%s': rename one of them",
                       a + 1, (int)h->fields[a].n, h->fields[a].p, b + 1, (int)h->fields[b].n,
                       h->fields[b].p, f->column, f->name, r->s->name);
}

static bool field_required(const kstream *s, size_t i)
{
    return s->fields[i].required || i == s->time_index || (s->id_field && i == s->id_index);
}

/* The error for a required field without a column: the header's names and the nearest one. */
static kpi_status missing_column(run *r, const krecord *h, size_t i)
{
    const kfield *f = &r->s->fields[i];
    char hint[128] = "";
    kbuf all;
    kbuf_init(&all, 4096);
    for (size_t c = 0; c < h->nfields; c++)
        kbuf_printf(&all, "%s'%.*s'", c ? ", " : "", (int)h->fields[c].n, h->fields[c].p);
    /* suggest the nearest header name */
    size_t best = SIZE_MAX, best_d = f->column[0] ? strlen(f->column) / 3 + 1 : 1;
    for (size_t c = 0; c < h->nfields; c++) {
        size_t d =
            kedit_distance(f->column, strlen(f->column), h->fields[c].p, h->fields[c].n, best_d);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (best != SIZE_MAX)
        snprintf(hint, sizeof hint, " (did you mean '%.*s'?)", (int)h->fields[best].n,
                 h->fields[best].p);
    kpi_status rc = kerr_set_at(
        r->err, KPI_INPUT, r->name, h->line, 0,
        "missing column '%s' for required field '%s' of stream '%s'%s; the header has %s%s",
        f->column, f->name, r->s->name, hint, all.p ? all.p : "no columns",
        i == r->s->time_index ? " (a file without a time column is imported as of a date:"
                                " --as-of DATE)"
                              : "");
    kbuf_release(&all);
    return rc;
}

/* The column of field i, in r->src[i] (-1: none); an error when it cannot be told or is not
 * allowed (the time field's, in an import as of a date), or is required and missing. */
static kpi_status map_field(run *r, const krecord *h, size_t i)
{
    const kfield *f = &r->s->fields[i];
    bool stamped = r->as_of && i == r->s->time_index;
    long first, other, c = r->src[i] = find_column(h, f->column, &first, &other);
    if (c >= 0 && stamped)
        return kerr_set_at(r->err, KPI_INPUT, r->name, h->line, h->fields[c].column,
                           "the file has a column '%.*s' for the time field '%s' of stream "
                           "'%s': an import as of a date is for files without one",
                           (int)h->fields[c].n, h->fields[c].p, f->name, r->s->name);
    if (c >= 0 || stamped)
        return KPI_OK;
    if (other >= 0)
        return ambiguous_column(r, h, f, first, other);
    if (field_required(r->s, i))
        return missing_column(r, h, i);
    warn(r, "no column '%s' for field '%s': its values will be empty", f->column, f->name);
    return KPI_OK;
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
    for (size_t i = 0; i < s->nfields && rc == KPI_OK; i++)
        if ((rc = map_field(r, h, i)) == KPI_OK && r->src[i] >= 0)
            used[r->src[i]] = true;
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
 * Stores a text value (already trimmed): valid UTF-8 without NUL, in NFC. r->rec_seen says
 * what a scan of the whole record found; a record that is plain (valid, no NUL, nothing from
 * U+0300 on: nearly every one) costs nothing more here.
 */
static bool put_text(run *r, kstr v, kcell *c, char *why)
{
    unsigned seen = r->rec_seen;
    if (seen) {
        size_t good = kutf8_scan(v.p, v.n, &seen);
        if (good != v.n) /* only UTF-8 input can be invalid: other encodings are converted */
            return kwhy(why, WHY_CAP,
                        "invalid UTF-8 at byte %zu (set encoding: on the stream"
                        " for latin1 or windows-1252 files)",
                        good + 1);
    }
    if (seen & KUTF8_NUL)
        return kwhy(why, WHY_CAP,
                    "NUL byte at byte %zu of the text (a UTF-16 or binary file?"
                    " save it as UTF-8)",
                    (size_t)((const char *)memchr(v.p, 0, v.n) - v.p) + 1);
    if ((seen & KUTF8_MARKS) && !ktext_to_nfc(&r->nfc, v, &v, why, WHY_CAP))
        return false;
    if (!kbatch_set_text(r->batch, c, v.p, v.n))
        return kwhy(why, WHY_CAP, "out of memory");
    return true;
}

/* A number, rounded to the field's scale unless it says round: false; counts what it rounds. */
static bool put_number(run *r, const kfield *f, kstr v, int64_t *x, char *why)
{
    if (!f->round)
        return kdecimal_parse(v, f->decimal, f->scale, x, why, WHY_CAP);
    bool rounded = false;
    if (!kdecimal_parse_rounded(v, f->decimal, f->scale, x, &rounded, why, WHY_CAP))
        return false;
    if (rounded) {
        r->row_rounded++;
        r->row_scales |= 1u << f->scale;
    }
    return true;
}

/* Converts one value into its cell. False with a reason in why when the value is invalid. */
static bool coerce(run *r, size_t i, kstr v, kcell *c, int64_t *day, char *why)
{
    const kfield *f = &r->s->fields[i];
    int64_t x = 0;
    bool ok;
    switch (f->type) {
    case KPI_FIELD_TEXT:
        return put_text(r, v, c, why);
    case KPI_FIELD_NUMBER:
        ok = put_number(r, f, v, &x, why);
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
        ok = ktime_parse(v, f->format, r->zones[i] ? r->zones[i] : r->ctx->zone, &x, why, WHY_CAP);
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

/*
 * Up to cap - 1 bytes of v as valid UTF-8 text in out: whole characters only, each byte that
 * is not part of one shown as \xNN, a NUL as \x00.
 */
static void printable(kstr v, char *out, size_t cap)
{
    size_t w = 0;
    while (v.n) {
        unsigned seen;
        size_t good = kutf8_scan(v.p, v.n, &seen);
        if (seen & KUTF8_NUL)
            good = (size_t)((const char *)memchr(v.p, 0, good) - v.p);
        bool full = good > cap - 1 - w;
        if (full) { /* cut, and not inside a character */
            good = cap - 1 - w;
            while (good > 0 && ((unsigned char)v.p[good] & 0xC0) == 0x80)
                good--;
        }
        memcpy(out + w, v.p, good);
        w += good;
        if (full || good == v.n || w + 4 > cap - 1)
            break;
        snprintf(out + w, cap - w, "\\x%02X", (unsigned char)v.p[good]);
        w += 4;
        v.p += good + 1;
        v.n -= good + 1;
    }
    out[w] = '\0';
}

static kpi_status reject(run *r, const krecord *rec, unsigned long line, unsigned long column,
                         const char *field, kstr value, const char *reason)
{
    r->res->rejected++;
    if (r->opts->rejected) {
        char v[201], why[WHY_CAP + 64];
        printable(value.p ? value : (kstr){"", 0}, v, sizeof v);
        printable(kstr_c(reason), why, sizeof why);
        r->opts->rejected(r->opts->ctx, line, column, field, v, why);
    }
    return krejects_add(r->rejects, rec, line, column, field, value, reason, r->err);
}

/*
 * The record's bytes from a column on (at most EXCERPT_MAX, whole characters), the value shown
 * for a reject that is about the row rather than one value (the whole record when the column
 * is past its end).
 */
static kstr record_excerpt(const krecord *rec, unsigned long column)
{
    size_t at = column > 1 && column - 1 < rec->raw_n ? column - 1 : 0, n = rec->raw_n - at;
    if (n > EXCERPT_MAX) {
        n = EXCERPT_MAX;
        while (n > 0 && ((unsigned char)rec->raw[at + n] & 0xC0) == 0x80)
            n--;
    }
    return (kstr){rec->raw ? rec->raw + at : "", n};
}

/* Rejects a record the reader found malformed, or whose field count is not the header's. */
static kpi_status reject_row(run *r, const krecord *rec)
{
    if (rec->error) {
        const char *field = NULL;
        for (size_t i = 0; rec->error_key && i < r->s->nfields; i++)
            if (strcmp(r->s->fields[i].column, rec->error_key) == 0)
                field = r->s->fields[i].name;
        kstr v = rec->error_value ? (kstr){rec->error_value, rec->error_value_n}
                                  : record_excerpt(rec, rec->error_column);
        return reject(r, rec, rec->line, rec->error_column, field, v, rec->error);
    }
    char why[WHY_CAP];
    snprintf(why, sizeof why, "row has %zu fields but the header has %zu", rec->nfields,
             r->ncolumns);
    /* too many: point at the first extra field; too few: show the row */
    unsigned long column = rec->nfields > r->ncolumns ? rec->fields[r->ncolumns].column : 1;
    return reject(r, rec, rec->line, column, NULL, record_excerpt(rec, column), why);
}

/* Validates one record into the batch, or rejects it. */
static kpi_status take_record(run *r, const krecord *rec)
{
    const kstream *s = r->s;
    if (rec->error || (r->format == KPI_FORMAT_CSV && rec->nfields != r->ncolumns))
        return reject_row(r, rec);
    /* One scan of the record's bytes instead of one per text value: a CSV field is a stretch
     * of the record between ASCII delimiters (unescaping drops only ASCII quotes), so it is
     * valid UTF-8, without NUL and in NFC when the record is plain. Only the values of a record
     * that is not are scanned one by one. NDJSON values are unescaped (\u escapes), so they
     * are scanned one by one. */
    r->rec_seen = SEEN_UNKNOWN;
    if (r->format == KPI_FORMAT_CSV && kutf8_scan(rec->raw, rec->raw_n, &r->rec_seen) != rec->raw_n)
        r->rec_seen = SEEN_UNKNOWN;
    r->row_rounded = 0;
    r->row_scales = 0;
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
            v = ktext_trim((kstr){fv->p, fv->n});
        unsigned long line = fv ? fv->line : rec->line, col = fv ? fv->column : 0;
        char why[WHY_CAP];
        if (r->as_of && i == s->time_index) {
            if (fv && fv->p) { /* NDJSON: the key is there on this line */
                kbatch_drop_row(r->batch);
                snprintf(why, sizeof why,
                         "the row has a value for the time field '%s' in an"
                         " import as of a date",
                         f->name);
                return reject(r, rec, line, col, f->name, (kstr){fv->p, fv->n}, why);
            }
            cells[i].i = r->as_of_value;
            cells[i].null = 0;
            day = r->as_of_day;
            continue;
        }
        if (v.n == 0) {
            if (!field_required(s, i))
                continue;
            kbatch_drop_row(r->batch);
            snprintf(why, sizeof why, "required field '%s' is empty", f->name);
            return reject(r, rec, line, col, f->name, v, why);
        }
        if (!coerce(r, i, v, &cells[i], &day, why)) {
            kbatch_drop_row(r->batch);
            return reject(r, rec, line, col, f->name, v, why);
        }
    }
    r->batch->day[r->batch->n - 1] = day;
    r->res->rounded += r->row_rounded;
    r->scales |= r->row_scales;
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
        kpi_status rc =
            kndjson_create(read, read_ctx, s->encoding, keys, s->nfields, 0, &r->nd, r->err);
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

/* Reads opts->as_of, the time every row gets, as a value of the stream's time field. */
static kpi_status open_as_of(run *r)
{
    const kfield *f = &r->s->fields[r->s->time_index];
    kstr v = kstr_trim(kstr_c(r->opts->as_of));
    char why[WHY_CAP];
    bool ok = f->type == KPI_FIELD_DATE
                  ? kdate_parse(v, NULL, &r->as_of_value, why, sizeof why)
                  : ktime_parse(v, NULL, r->ctx->zone, &r->as_of_value, why, sizeof why);
    if (!ok)
        return kerr_set(r->err, KPI_USAGE,
                        "invalid as-of date '%s' for the time field '%s' of"
                        " stream '%s': %s (expected YYYY-MM-DD)",
                        r->opts->as_of, f->name, r->s->name, why);
    r->as_of_day =
        f->type == KPI_FIELD_DATE ? r->as_of_value : ktz_day_of(r->ctx->zone, r->as_of_value);
    r->as_of = true;
    return KPI_OK;
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
    run r = {.ctx = ctx,
             .s = s,
             .opts = opts,
             .res = result,
             .err = err,
             .name = name,
             .format = opts->format == KPI_FORMAT_NDJSON ? KPI_FORMAT_NDJSON : KPI_FORMAT_CSV,
             .total_bytes = total_bytes,
             .started = kclock_seconds()};
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
    if ((rc = kwriter_start(&r.writer, ctx->meta, ctx->store, result, err)) != KPI_OK)
        goto out_free;
    if ((opts->as_of && (rc = open_as_of(&r)) != KPI_OK) || (rc = open_zones(&r)) != KPI_OK ||
        (rc = open_reader(&r, read, read_ctx)) != KPI_OK)
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
    result->rounded_scale = r.scales && !(r.scales & (r.scales - 1)) ? __builtin_ctz(r.scales) : -1;
    kpi_error lerr;
    kpi_error_init(&lerr);
    if (krejects_finish(r.rejects, result->rejects_path, sizeof result->rejects_path, &lerr) !=
            KPI_OK &&
        rc == KPI_OK)
        rc = kerr_set(err, lerr.status, "%s", lerr.message);
    kmeta_log_import(ctx->meta, s->name, name, result, rc == KPI_OK ? "ok" : kpi_status_name(rc),
                     &lerr);
out_free:
    kwriter_stop(r.writer);
    krejects_destroy(r.rejects);
    kcsv_destroy(r.csv);
    kndjson_destroy(r.nd);
    kbatch_release(&r.slots[0]);
    kbatch_release(&r.slots[1]);
    ktext_nfc_release(&r.nfc);
    for (size_t i = 0; r.zones && i < s->nfields; i++)
        ktz_close(r.zones[i]);
    free(r.zones);
    free(r.src);
    return rc;
}
