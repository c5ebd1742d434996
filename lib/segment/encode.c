/*
 * encode.c - writes a segment file. The input is checked against ksegment_write's contract
 * before the file is created; then each column is encoded granule by granule into one chunk
 * buffer (frame of reference or, for time, deltas, bit-packed at the granule's width), written
 * and hashed, while its footer entry (zone maps, offsets, widths) is filled in. The footer, its
 * hash and the trailer end the file, which is fsynced before the call returns.
 */
#include "segment_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* Bytes a granule's encoding may take: 64-bit values, a null bitmap and the packer's slack. */
#define GRANULE_MAX_BYTES (KSEGMENT_GRANULE_ROWS * 8 + KSEGMENT_GRANULE_ROWS / 8)
#define PACK_SLACK 16

typedef struct kseg_writer {
    const char *path;
    const ksegment_input *in;
    int fd;
    uint64_t pos;     /* bytes written so far */
    size_t granules;  /* per column */
    uint8_t *footer;  /* kseg_footer_size(ncols, granules) bytes */
    uint8_t *chunk;   /* one column's chunk, GRANULE_MAX_BYTES per granule plus slack */
    int64_t *vals;    /* one granule's values, widened */
    uint64_t *packed; /* one granule's deltas to pack */
} kseg_writer;

/* What encoding a granule found out, for its footer entry. */
typedef struct kseg_ginfo {
    uint32_t rows, nulls, len;
    int64_t min, max;
    unsigned width;
} kseg_ginfo;

/* ---- the input's contract ---------------------------------------------------------------- */

static const void *column_array(const ksegment_column *c)
{
    switch (c->kind) {
    case KSEG_TIME:
    case KSEG_INT:
        return c->i64;
    case KSEG_CODE:
        return c->u32;
    case KSEG_BOOL:
        return c->u8;
    }
    return NULL;
}

static kpi_status check_column(const char *path, const ksegment_column *c, size_t i, kpi_error *err)
{
    if (c->kind < KSEG_TIME || c->kind > KSEG_BOOL)
        return kerr_set_at(err, KPI_USAGE, path, 0, 0, "column %zu: unknown kind %d", i,
                           (int)c->kind);
    if (!column_array(c))
        return kerr_set_at(err, KPI_USAGE, path, 0, 0, "column %zu: no values", i);
    unsigned max_scale = c->kind == KSEG_INT ? KSEGMENT_MAX_SCALE : 0;
    if (c->scale > max_scale)
        return kerr_set_at(err, KPI_USAGE, path, 0, 0, "column %zu: scale %u (at most %u)", i,
                           c->scale, max_scale);
    return KPI_OK;
}

static kpi_status check_time(const char *path, const ksegment_column *c, size_t rows,
                             kpi_error *err)
{
    for (size_t r = 0; r < rows; r++) {
        if (c->nulls && c->nulls[r])
            return kerr_set_at(err, KPI_USAGE, path, 0, 0, "row %zu: the time is null", r);
        if (r && c->i64[r] < c->i64[r - 1])
            return kerr_set_at(err, KPI_USAGE, path, 0, 0,
                               "rows not in time order: row %zu (%lld) comes before row %zu "
                               "(%lld)",
                               r - 1, (long long)c->i64[r - 1], r, (long long)c->i64[r]);
    }
    return KPI_OK;
}

static kpi_status check_input(const char *path, const ksegment_input *in, kpi_error *err)
{
    if (in->rows == 0)
        return kerr_set_at(err, KPI_USAGE, path, 0, 0, "a segment needs at least one row");
    if (in->rows > KSEGMENT_MAX_ROWS)
        return kerr_set_at(err, KPI_LIMIT, path, 0, 0, "%zu rows: a segment holds at most %d",
                           in->rows, KSEGMENT_MAX_ROWS);
    if (in->ncols == 0 || in->ncols > KSEGMENT_MAX_COLUMNS || !in->cols)
        return kerr_set_at(err, KPI_USAGE, path, 0, 0, "%zu columns: a segment has 1 to %d",
                           in->ncols, KSEGMENT_MAX_COLUMNS);
    size_t times = 0;
    for (size_t i = 0; i < in->ncols; i++) {
        kpi_status st = check_column(path, &in->cols[i], i, err);
        if (st)
            return st;
        if (in->cols[i].kind == KSEG_TIME && ++times == 1)
            st = check_time(path, &in->cols[i], in->rows, err);
        if (st)
            return st;
    }
    if (times != 1)
        return kerr_set_at(err, KPI_USAGE, path, 0, 0,
                           "%zu time columns: a segment has exactly one", times);
    return KPI_OK;
}

/* ---- encoding one granule ---------------------------------------------------------------- */

/* Widens rows first..first+n of a column into out. */
static void gather(const ksegment_column *c, size_t first, size_t n, int64_t *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t r = first + i;
        if (c->kind == KSEG_CODE)
            out[i] = c->u32[r];
        else if (c->kind == KSEG_BOOL)
            out[i] = c->u8[r] != 0;
        else
            out[i] = c->i64[r];
    }
}

/* Packs n values of width bits (1..64) LSB-first into out, which is zeroed here and has
 * PACK_SLACK bytes of room past the packed bytes; returns the packed bytes. */
static size_t pack(const uint64_t *v, size_t n, unsigned width, uint8_t *out)
{
    size_t bytes = (n * width + 7) / 8;
    memset(out, 0, bytes + PACK_SLACK);
    uint64_t bit = 0;
    for (size_t i = 0; i < n; i++, bit += width) {
        uint8_t *p = out + (bit >> 3);
        unsigned sh = bit & 7;
        kseg_put(p, kseg_load64(p) | v[i] << sh, 8);
        if (sh + width > 64)
            p[8] |= (uint8_t)(v[i] >> (64 - sh));
    }
    return bytes;
}

/* Appends the null bitmap of nulls[0..n) (bit i set: row i is null) at out. */
static size_t put_bitmap(const uint8_t *nulls, size_t n, uint8_t *out)
{
    size_t bytes = (n + 7) / 8;
    memset(out, 0, bytes);
    for (size_t i = 0; i < n; i++)
        out[i >> 3] |= (uint8_t)((nulls[i] != 0) << (i & 7));
    return bytes;
}

/* Frame of reference: min and max of the non-null values, each value's distance from min. */
static void frame_of_reference(const int64_t *v, const uint8_t *nulls, uint64_t *packed,
                               kseg_ginfo *gi)
{
    bool any = false;
    gi->min = gi->max = 0;
    for (uint32_t i = 0; i < gi->rows; i++) {
        if (nulls && nulls[i])
            continue;
        if (!any || v[i] < gi->min)
            gi->min = v[i];
        if (!any || v[i] > gi->max)
            gi->max = v[i];
        any = true;
    }
    for (uint32_t i = 0; i < gi->rows; i++)
        packed[i] = nulls && nulls[i] ? 0 : (uint64_t)v[i] - (uint64_t)gi->min;
    gi->width = kseg_bitwidth((uint64_t)gi->max - (uint64_t)gi->min);
}

/* Time: the first value is the granule's min (kept in the footer), then rows - 1 deltas. */
static void deltas(const int64_t *v, uint64_t *packed, kseg_ginfo *gi)
{
    uint64_t widest = 0;
    gi->min = v[0];
    gi->max = v[gi->rows - 1];
    for (uint32_t i = 1; i < gi->rows; i++) {
        packed[i - 1] = (uint64_t)v[i] - (uint64_t)v[i - 1];
        widest |= packed[i - 1];
    }
    gi->width = kseg_bitwidth(widest);
}

/* Encodes granule g of column c at out; fills *gi. */
static void encode_granule(kseg_writer *w, const ksegment_column *c, size_t g, uint8_t *out,
                           kseg_ginfo *gi)
{
    size_t first = g * KSEGMENT_GRANULE_ROWS;
    size_t left = w->in->rows - first;
    gi->rows = (uint32_t)(left < KSEGMENT_GRANULE_ROWS ? left : KSEGMENT_GRANULE_ROWS);
    const uint8_t *nulls = c->nulls ? c->nulls + first : NULL;
    gi->nulls = 0;
    for (uint32_t i = 0; nulls && i < gi->rows; i++)
        gi->nulls += nulls[i] != 0;
    gather(c, first, gi->rows, w->vals);
    if (c->kind == KSEG_TIME)
        deltas(w->vals, w->packed, gi);
    else
        frame_of_reference(w->vals, gi->nulls ? nulls : NULL, w->packed, gi);
    size_t n = kseg_packed_count(c->kind, gi->rows);
    size_t len = gi->width ? pack(w->packed, n, gi->width, out) : 0;
    if (gi->nulls)
        len += put_bitmap(nulls, gi->rows, out + len);
    gi->len = (uint32_t)len;
}

/* ---- the file ---------------------------------------------------------------------------- */

static kpi_status write_all(kseg_writer *w, const void *p, size_t n, kpi_error *err)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t k = write(w->fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return kerr_set_at(err, KPI_IO, w->path, 0, 0, "cannot write: %s",
                               k < 0 ? strerror(errno) : "no space written");
        b += k;
        n -= (size_t)k;
        w->pos += (uint64_t)k;
    }
    return KPI_OK;
}

static uint8_t *column_entry(const kseg_writer *w, size_t col)
{
    return w->footer + KSEG_FOOTER_HEAD +
           col * (KSEG_COLUMN_HEAD + w->granules * KSEG_GRANULE_SIZE);
}

static void put_granule_entry(uint8_t *e, uint32_t off, const kseg_ginfo *gi)
{
    kseg_put(e, off, 4);
    kseg_put(e + 4, gi->len, 4);
    kseg_put(e + 8, (uint64_t)gi->min, 8);
    kseg_put(e + 16, (uint64_t)gi->max, 8);
    kseg_put(e + 24, gi->nulls, 4);
    e[28] = (uint8_t)gi->width;
}

static kpi_status write_column(kseg_writer *w, size_t col, kpi_error *err)
{
    const ksegment_column *c = &w->in->cols[col];
    uint8_t *e = column_entry(w, col);
    uint32_t off = 0;
    for (size_t g = 0; g < w->granules; g++) {
        kseg_ginfo gi;
        encode_granule(w, c, g, w->chunk + off, &gi);
        put_granule_entry(e + KSEG_COLUMN_HEAD + g * KSEG_GRANULE_SIZE, off, &gi);
        off += gi.len;
    }
    e[0] = (uint8_t)c->kind;
    e[1] = (uint8_t)c->scale;
    kseg_put(e + 8, w->pos, 8);
    kseg_put(e + 16, off, 8);
    kseg_put(e + KSEG_CHUNK_HASH_AT, kseg_hash(w->chunk, off), 8);
    return write_all(w, w->chunk, off, err);
}

/* The footer's head (the time range comes from the time column's entries) and the trailer. */
static kpi_status write_footer(kseg_writer *w, kpi_error *err)
{
    size_t tcol = 0;
    while (w->in->cols[tcol].kind != KSEG_TIME)
        tcol++;
    const uint8_t *te = column_entry(w, tcol) + KSEG_COLUMN_HEAD;
    kseg_put(w->footer, w->in->rows, 4);
    kseg_put(w->footer + 4, w->in->ncols, 4);
    memcpy(w->footer + 8, te + 8, 8); /* the first granule's min */
    memcpy(w->footer + 16, te + (w->granules - 1) * KSEG_GRANULE_SIZE + 16, 8);
    kseg_put(w->footer + 24, KSEGMENT_GRANULE_ROWS, 4);
    size_t n = kseg_footer_size(w->in->ncols, w->granules);
    uint8_t trailer[KSEG_TRAILER_SIZE] = {0};
    kseg_put(trailer, n, 8);
    kseg_put(trailer + 8, kseg_hash(w->footer, n), 8);
    kseg_put(trailer + 16, KSEG_VERSION, 4);
    memcpy(trailer + 24, KSEG_MAGIC, 8);
    kpi_status st = write_all(w, w->footer, n, err);
    return st ? st : write_all(w, trailer, sizeof trailer, err);
}

static kpi_status write_file(kseg_writer *w, kpi_error *err)
{
    uint8_t header[KSEG_HEADER_SIZE] = {0};
    memcpy(header, KSEG_MAGIC, 8);
    kseg_put(header + 8, KSEG_VERSION, 4);
    kpi_status st = write_all(w, header, sizeof header, err);
    for (size_t c = 0; !st && c < w->in->ncols; c++)
        st = write_column(w, c, err);
    if (!st)
        st = write_footer(w, err);
    if (!st && fsync(w->fd) != 0)
        st = kerr_set_at(err, KPI_IO, w->path, 0, 0, "cannot fsync: %s", strerror(errno));
    return st;
}

static bool alloc_writer(kseg_writer *w)
{
    w->footer = calloc(1, kseg_footer_size(w->in->ncols, w->granules));
    w->chunk = malloc(w->granules * GRANULE_MAX_BYTES + PACK_SLACK);
    w->vals = malloc(KSEGMENT_GRANULE_ROWS * sizeof *w->vals);
    w->packed = malloc(KSEGMENT_GRANULE_ROWS * sizeof *w->packed);
    return w->footer && w->chunk && w->vals && w->packed;
}

kpi_status ksegment_write(const char *path, const ksegment_input *in, kpi_error *err)
{
    kpi_status st = check_input(path, in, err);
    if (st)
        return st;
    kseg_writer w = {.path = path, .in = in, .fd = -1};
    w.granules = (in->rows + KSEGMENT_GRANULE_ROWS - 1) / KSEGMENT_GRANULE_ROWS;
    if (!alloc_writer(&w)) {
        st = kerr_set_at(err, KPI_NOMEM, path, 0, 0, "out of memory encoding a segment");
        goto free_buffers;
    }
    w.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w.fd < 0) {
        st = kerr_set_at(err, KPI_IO, path, 0, 0, "cannot create: %s", strerror(errno));
        goto free_buffers;
    }
    st = write_file(&w, err);
    if (close(w.fd) != 0 && !st)
        st = kerr_set_at(err, KPI_IO, path, 0, 0, "cannot close: %s", strerror(errno));
    if (st)
        unlink(path);
free_buffers:
    free(w.footer);
    free(w.chunk);
    free(w.vals);
    free(w.packed);
    return st;
}
