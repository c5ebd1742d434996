/*
 * decode.c - decodes one granule into the caller's arrays: the inner loop of every scan of the
 * embedded store (DESIGN §5 budgets 0.25 s for 10M rows x 6 columns on 2 cores). Unpacking is
 * one unaligned 8-byte load, a shift and a mask per value, with no branch per value; only the
 * last few values of a granule (whose 8-byte window would pass its end) and widths above 56
 * bits go through a slower reader that never touches a byte outside the granule. The footer
 * was validated at open (segment.c), so sizes here are trusted; the data is checked against
 * its column's hash on the first read.
 */
#include "segment_int.h"

/* The up to 8 bytes left at p as a little-endian word, zero-filled. */
static uint64_t load_tail(const uint8_t *p, size_t avail)
{
    uint8_t b[8] = {0};
    memcpy(b, p, avail < 8 ? avail : 8);
    return kseg_load64(b);
}

/* The width-bit value at bit `bit` of p[0..len), reading only inside it. */
static uint64_t get_bits(const uint8_t *p, size_t len, uint64_t bit, unsigned width)
{
    size_t byte = bit >> 3;
    unsigned sh = bit & 7;
    uint64_t v = load_tail(p + byte, len - byte) >> sh;
    if (sh + width > 64 && byte + 8 < len)
        v |= (uint64_t)p[byte + 8] << (64 - sh);
    return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

/* How many leading values of width bits (at most 56) can each be read with one 8-byte load
 * that stays inside p[0..len). */
static size_t fast_count(size_t len, unsigned width, size_t n)
{
    if (width > 56 || len < 8)
        return 0;
    size_t k = ((len - 8) * 8 + 7) / width + 1;
    return k < n ? k : n;
}

void kseg_unpack(const uint8_t *p, size_t len, unsigned width, size_t n, uint64_t base,
                 int64_t *out)
{
    size_t fast = fast_count(len, width, n);
    uint64_t mask = (UINT64_C(1) << (width & 63)) - 1, bit = 0;
    for (size_t i = 0; i < fast; i++, bit += width)
        out[i] = (int64_t)(base + ((kseg_load64(p + (bit >> 3)) >> (bit & 7)) & mask));
    for (size_t i = fast; i < n; i++, bit += width)
        out[i] = (int64_t)(base + get_bits(p, len, bit, width));
}

static void fill(int64_t *out, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        out[i] = v;
}

/* Time: v[1..n) hold the deltas; v becomes the running sum from first. */
static void prefix_sum(int64_t *v, size_t n, int64_t first)
{
    uint64_t acc = (uint64_t)first;
    v[0] = first;
    for (size_t i = 1; i < n; i++) {
        acc += (uint64_t)v[i];
        v[i] = (int64_t)acc;
    }
}

/* Zeroes the values of the rows the bitmap marks null and expands it into nulls (if any). */
static void apply_nulls(const uint8_t *bitmap, size_t n, int64_t *values, uint8_t *nulls)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (bitmap[i >> 3] >> (i & 7)) & 1;
        values[i] &= (int64_t)b - 1;
        if (nulls)
            nulls[i] = b;
    }
}

static kpi_status verify_chunk(ksegment *seg, size_t c, size_t g, kpi_error *err)
{
    kseg_column *col = &seg->cols[c];
    if (atomic_load_explicit(&col->verified, memory_order_acquire))
        return KPI_OK;
    if (kseg_hash(seg->data + col->off, col->len) != col->hash)
        return kerr_set_at(err, KPI_IO, seg->name, 0, 0,
                           "column %zu granule %zu: checksum mismatch", c, g);
    atomic_store_explicit(&col->verified, true, memory_order_release);
    return KPI_OK;
}

/* The granule's values, nulls not yet applied. */
static void decode_values(const kseg_column *col, const kseg_granule *gr, const uint8_t *p,
                          size_t packed, int64_t *values)
{
    if (col->kind != KSEG_TIME && gr->width)
        kseg_unpack(p, packed, gr->width, gr->rows, (uint64_t)gr->min, values);
    else if (col->kind != KSEG_TIME)
        fill(values, gr->rows, gr->min);
    else if (gr->width)
        kseg_unpack(p, packed, gr->width, gr->rows - 1u, 0, values + 1);
    else
        fill(values + 1, gr->rows - 1u, 0);
    if (col->kind == KSEG_TIME)
        prefix_sum(values, gr->rows, gr->min);
}

kpi_status ksegment_read(ksegment *seg, size_t col, size_t g, int64_t *values, uint8_t *nulls,
                         kpi_error *err)
{
    if (col >= seg->ncols || g >= seg->granules)
        return kerr_set_at(err, KPI_USAGE, seg->name, 0, 0,
                           "column %zu granule %zu: out of range (%u columns of %u granules)", col,
                           g, seg->ncols, seg->granules);
    kpi_status st = verify_chunk(seg, col, g, err);
    if (st)
        return st;
    const kseg_column *c = &seg->cols[col];
    const kseg_granule *gr = &c->g[g];
    const uint8_t *p = seg->data + c->off + gr->off;
    size_t packed = (size_t)((kseg_packed_count(c->kind, gr->rows) * gr->width + 7) / 8);
    decode_values(c, gr, p, packed, values);
    if (gr->nulls)
        apply_nulls(p + packed, gr->rows, values, nulls);
    else if (nulls)
        memset(nulls, 0, gr->rows);
    return KPI_OK;
}
