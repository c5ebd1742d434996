/*
 * fuzz_ndjson.c - libFuzzer target for the NDJSON reader. The first input byte picks the
 * read-chunk pattern, the encoding and a small line limit; the rest is the file. Checks:
 *  - every present value is readable, absent ones have no column, positions lie in the line,
 *    lines increase, an error has a column and names one of the wanted keys (or none);
 *  - reading in chunks gives exactly what reading in one piece gives, extra keys included.
 * Any violation aborts.
 */
#include "ingest/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = {"a", "b", "id", "name", "amount", "a"};
#define NKEYS (sizeof keys / sizeof keys[0])

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
    fprintf(stderr, "fuzz_ndjson: invariant violated: %s\n", what);
    abort();
}

static void note_key(void *ctx, const char *key)
{
    kbuf *out = ctx;
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(key, keys[i]) == 0)
            fail("a wanted key reported as extra");
    kbuf_printf(out, "+%s", key);
}

/* Checks one record's invariants and appends a description of it to out. */
static void check_record(const krecord *rec, unsigned long prev_line, size_t max_line, kbuf *out)
{
    if (rec->nfields != NKEYS || !rec->raw)
        fail("record shape");
    if (rec->line <= prev_line)
        fail("record lines do not increase");
    if (rec->raw_n > max_line || memchr(rec->raw, '\n', rec->raw_n))
        fail("raw line");
    if (rec->error && rec->error_column == 0)
        fail("error without a column");
    if (rec->error_key) {
        bool known = false;
        for (size_t i = 0; i < NKEYS; i++)
            known |= strcmp(rec->error_key, keys[i]) == 0;
        if (!known || !rec->error)
            fail("error key");
    }
    unsigned sum = 0;
    kbuf_printf(out, "@%lu ", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        const kfield_val *f = &rec->fields[i];
        if (f->line != rec->line)
            fail("field line");
        if (!f->p) {
            if (f->column != 0 || f->n != 0)
                fail("absent value with a position");
            kbuf_appends(out, "[-]");
            continue;
        }
        if (f->column == 0 || f->column > rec->raw_n)
            fail("field column");
        for (size_t k = 0; k < f->n; k++)
            sum += (unsigned char)f->p[k];
        kbuf_printf(out, "[%lu ", f->column);
        kbuf_append(out, f->p, f->n);
        kbuf_appendc(out, ']');
    }
    for (size_t k = 0; k < rec->raw_n; k++)
        sum += (unsigned char)rec->raw[k];
    volatile unsigned sink = sum; /* keeps the reads from being optimised away */
    (void)sink;
    kbuf_append(out, rec->raw, rec->raw_n);
    if (rec->error)
        kbuf_printf(out, "!%s@%lu", rec->error, rec->error_column);
}

static int run(const uint8_t *data, size_t size, unsigned pattern, kencoding enc, size_t max_line,
               kbuf *desc)
{
    kbuf_init(desc, 0);
    source src = {data, size, 0, pattern, pattern};
    kndjson *r;
    kpi_error err;
    kpi_error_init(&err);
    if (kndjson_create(source_read, &src, enc, keys, NKEYS, max_line, &r, &err) != KPI_OK)
        fail("create");
    krecord rec;
    unsigned long prev = 0;
    int rc;
    while ((rc = kndjson_next(r, &rec, &err)) == 1) {
        check_record(&rec, prev, max_line ? max_line : (size_t)64 << 20, desc);
        prev = rec.line;
        kndjson_new_extra_keys(r, note_key, desc);
        kbuf_appendc(desc, '\n');
    }
    if (rc == 0 && kndjson_bytes_read(r) != size)
        fail("end of input before all bytes were read");
    if (rc < 0) {
        if (err.status == KPI_OK || !err.message[0])
            fail("error without a message");
        kbuf_printf(desc, "ERR %s %lu:%lu", err.message, err.line, err.column);
    }
    kndjson_destroy(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const kencoding encs[] = {KENC_UTF8, KENC_LATIN1, KENC_CP1252, KENC_UTF8};
    unsigned pattern = 1 + (data[0] & 7u);
    kencoding enc = encs[(data[0] >> 3) & 3u];
    size_t max_line = data[0] & 0x80 ? 40 : 0;
    data++;
    size--;
    kbuf whole, chunked;
    int rc_whole = run(data, size, 0, enc, max_line, &whole);
    int rc_chunked = run(data, size, pattern, enc, max_line, &chunked);
    if (rc_whole != rc_chunked || whole.n != chunked.n ||
        (whole.n && memcmp(whole.p, chunked.p, whole.n) != 0)) {
        fprintf(stderr, "whole:\n%s\nchunked:\n%s\n", whole.p ? whole.p : "",
                chunked.p ? chunked.p : "");
        fail("chunked reading differs from whole reading");
    }
    kbuf_release(&whole);
    kbuf_release(&chunked);
    return 0;
}
