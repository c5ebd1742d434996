/*
 * fuzz_csv.c - libFuzzer target for the CSV reader. The first input byte picks the read-chunk
 * pattern, the delimiter, the encoding and a small record limit; the rest is the file. Checks:
 *  - every field is readable, inside its record's size, with sane positions; lines increase;
 *  - reading in chunks gives exactly what reading in one piece gives (records, positions, raw
 *    bytes, errors), wherever the chunk boundaries fall;
 *  - when the file had no malformed record, writing the records back with kcsv_write_field and
 *    reading that again gives the same fields.
 * Any violation aborts.
 */
#include "ingest/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct source {
    const uint8_t *p;
    size_t n, pos;
    unsigned pattern; /* 0: as much as asked; else chunk sizes varying call by call */
    unsigned state;
} source;

static ptrdiff_t source_read(void *ctx, char *buf, size_t cap)
{
    source *s = ctx;
    size_t k = s->n - s->pos;
    if (k > cap)
        k = cap;
    if (s->pattern) {
        static const size_t sizes[] = {1, 2, 3, 7, 1, 64, 5, 4096};
        s->state = s->state * 1103515245u + 12345u;
        size_t c = s->pattern == 1 ? 1 : sizes[(s->state >> 16) % 8];
        if (k > c)
            k = c;
    }
    if (k)
        memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (ptrdiff_t)k;
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_csv: invariant violated: %s\n", what);
    abort();
}

/* Checks one record's invariants and appends a description of it to out. */
static void check_record(const krecord *rec, unsigned long prev_line, size_t max_record, kbuf *out)
{
    if (rec->nfields == 0 || !rec->fields || !rec->raw)
        fail("record without fields or raw bytes");
    if (rec->line <= prev_line)
        fail("record lines do not increase");
    if (rec->raw_n > max_record)
        fail("record longer than max_record");
    if (rec->error && rec->error_column == 0)
        fail("error without a column");
    size_t total = rec->nfields - 1;
    unsigned long line = rec->line;
    unsigned sum = 0;
    kbuf_printf(out, "@%lu %zu:", rec->line, rec->nfields);
    for (size_t i = 0; i < rec->nfields; i++) {
        const kfield_val *f = &rec->fields[i];
        if (!f->p)
            fail("NULL field");
        if (f->line < line || f->column == 0)
            fail("field position");
        line = f->line;
        total += f->n;
        for (size_t k = 0; k < f->n; k++) /* every byte readable (ASan checks) */
            sum += (unsigned char)f->p[k];
        kbuf_printf(out, "[%lu:%lu ", f->line, f->column);
        kbuf_append(out, f->p, f->n);
        kbuf_appendc(out, ']');
    }
    if (total > rec->raw_n)
        fail("fields larger than the record");
    for (size_t k = 0; k < rec->raw_n; k++)
        sum += (unsigned char)rec->raw[k];
    kbuf_append(out, rec->raw, rec->raw_n);
    if (rec->error)
        kbuf_printf(out, "!%s@%lu", rec->error, rec->error_column);
    kbuf_appendc(out, '\n');
    volatile unsigned sink = sum; /* keeps the reads from being optimised away */
    (void)sink;
}

typedef struct pass {
    kbuf desc;    /* what was read */
    kbuf rewrite; /* the records written back with kcsv_write_field */
    bool had_error;
    int rc;
} pass;

/* Writes a record back as CSV. A lone empty field is written "" (else it is a blank line). */
static void write_record(const krecord *rec, char delim, kbuf *out)
{
    if (rec->nfields == 1 && rec->fields[0].n == 0) {
        kbuf_appends(out, "\"\"\n");
        return;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        if (i)
            kbuf_appendc(out, delim);
        if (!kcsv_write_field(out, rec->fields[i].p, rec->fields[i].n, delim))
            fail("kcsv_write_field failed");
    }
    kbuf_appendc(out, '\n');
}

static void run(const uint8_t *data, size_t size, unsigned pattern, char delim, kencoding enc,
                size_t max_record, pass *p)
{
    kbuf_init(&p->desc, 0);
    kbuf_init(&p->rewrite, 0);
    kbuf_appends(&p->rewrite, "\xEF\xBB\xBF"); /* a field may itself start with BOM bytes */
    p->had_error = false;
    source src = {data, size, 0, pattern, pattern};
    kcsv *r;
    kpi_error err;
    kpi_error_init(&err);
    if (kcsv_create(source_read, &src, delim, enc, max_record, &r, &err) != KPI_OK)
        fail("create");
    krecord rec;
    unsigned long prev = 0;
    uint64_t last_read = 0;
    while ((p->rc = kcsv_next(r, &rec, &err)) == 1) {
        check_record(&rec, prev, max_record ? max_record : (size_t)64 << 20, &p->desc);
        prev = rec.line;
        p->had_error |= rec.error != NULL;
        write_record(&rec, delim, &p->rewrite);
        if (kcsv_bytes_read(r) < last_read || kcsv_bytes_read(r) > size)
            fail("bytes read");
        last_read = kcsv_bytes_read(r);
    }
    if (p->rc == 0 && kcsv_bytes_read(r) != size)
        fail("end of input before all bytes were read");
    if (p->rc < 0) {
        if (err.status == KPI_OK || !err.message[0])
            fail("error without a message");
        kbuf_printf(&p->desc, "ERR %s %lu:%lu", err.message, err.line, err.column);
    }
    kcsv_destroy(r);
}

/* Describes just the fields of every record (the rewrite moves positions); returns the rc. */
static int fields_only(const uint8_t *data, size_t size, char delim, kencoding enc, kbuf *out)
{
    source src = {data, size, 0, 2, 7};
    kcsv *r;
    kpi_error err;
    if (kcsv_create(source_read, &src, delim, enc, 0, &r, &err) != KPI_OK)
        fail("create");
    krecord rec;
    int rc;
    while ((rc = kcsv_next(r, &rec, &err)) == 1) {
        if (rec.error)
            kbuf_printf(out, "!%s", rec.error);
        for (size_t i = 0; i < rec.nfields; i++) {
            kbuf_printf(out, "[%zu:", rec.fields[i].n);
            kbuf_append(out, rec.fields[i].p, rec.fields[i].n);
            kbuf_appendc(out, ']');
        }
        kbuf_appendc(out, '\n');
    }
    kcsv_destroy(r);
    return rc;
}

static bool same(const kbuf *a, const kbuf *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char delims[] = {',', ';', '\t', '|'};
    static const kencoding encs[] = {KENC_UTF8, KENC_LATIN1, KENC_CP1252, KENC_UTF8};
    unsigned pattern = 1 + (data[0] & 7u);
    char delim = delims[(data[0] >> 3) & 3u];
    kencoding enc = encs[(data[0] >> 5) & 3u];
    size_t max_record = data[0] & 0x80 ? 48 : 0;
    data++;
    size--;

    pass whole, chunked;
    run(data, size, 0, delim, enc, max_record, &whole);
    run(data, size, pattern, delim, enc, max_record, &chunked);
    if (whole.rc != chunked.rc || !same(&whole.desc, &chunked.desc)) {
        fprintf(stderr, "whole:\n%s\nchunked:\n%s\n", whole.desc.p ? whole.desc.p : "",
                chunked.desc.p ? chunked.desc.p : "");
        fail("chunked reading differs from whole reading");
    }
    if (whole.rc == 0 && !whole.had_error) { /* the rewrite reads back as the same fields */
        kbuf a, b;
        kbuf_init(&a, 0);
        kbuf_init(&b, 0);
        fields_only(data, size, delim, enc, &a);
        int rc =
            fields_only((const uint8_t *)whole.rewrite.p, whole.rewrite.n, delim, KENC_UTF8, &b);
        if (rc != 0 || !same(&a, &b)) {
            fprintf(stderr, "original:\n%s\nrewritten:\n%s\n", a.p ? a.p : "", b.p ? b.p : "");
            fail("written records do not read back as the same fields");
        }
        kbuf_release(&a);
        kbuf_release(&b);
    }
    kbuf_release(&whole.desc);
    kbuf_release(&whole.rewrite);
    kbuf_release(&chunked.desc);
    kbuf_release(&chunked.rewrite);
    return 0;
}
