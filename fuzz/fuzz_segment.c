/*
 * fuzz_segment.c - libFuzzer target for the segment reader (lib/segment): opens the input as
 * a segment file from memory and, when it opens, reads every granule of every column. Besides
 * crashes and sanitizer reports, a refusal must carry a message naming the file.
 *
 * Checksums would stop nearly every mutation at the door, so byte 0 of the input chooses: with
 * its low bit set, the footer's column-chunk hashes and the footer hash are recomputed over the
 * mutated bytes (where the footer lets them be found) before opening, so that the footer's
 * checks and the decoder are fuzzed too; clear, the file is opened as it is. The rest of the
 * input is the segment file.
 */
#include "segment/segment_int.h"

#include <stdlib.h>
#include <string.h>

/* Recomputes the chunk hashes that the footer points at inside p[0..n), then the footer's. */
static void fix_checksums(uint8_t *p, size_t n)
{
    if (n < KSEG_HEADER_SIZE + KSEG_TRAILER_SIZE)
        return;
    uint8_t *t = p + n - KSEG_TRAILER_SIZE;
    uint64_t flen = kseg_get(t, 8);
    if (flen < KSEG_FOOTER_HEAD || flen > n - KSEG_HEADER_SIZE - KSEG_TRAILER_SIZE)
        return;
    uint8_t *f = t - flen;
    uint64_t rows = kseg_get(f, 4), ncols = kseg_get(f + 4, 4);
    size_t granules = (size_t)(rows + KSEGMENT_GRANULE_ROWS - 1) / KSEGMENT_GRANULE_ROWS;
    if (rows <= KSEGMENT_MAX_ROWS && ncols <= KSEGMENT_MAX_COLUMNS &&
        kseg_footer_size(ncols, granules) <= flen) {
        for (size_t c = 0; c < ncols; c++) {
            uint8_t *e =
                f + KSEG_FOOTER_HEAD + c * (KSEG_COLUMN_HEAD + granules * KSEG_GRANULE_SIZE);
            uint64_t off = kseg_get(e + 8, 8), len = kseg_get(e + 16, 8);
            if (off <= n && len <= n - off)
                kseg_put(e + KSEG_CHUNK_HASH_AT, kseg_hash(p + off, len), 8);
        }
    }
    kseg_put(t + 8, kseg_hash(f, flen), 8);
}

/* The granule run of a few time ranges stays inside the segment and in order. */
static void check_time_granules(const ksegment *seg)
{
    int64_t lo, hi;
    ksegment_time_range(seg, &lo, &hi);
    const int64_t ranges[][2] = {{lo, hi}, {INT64_MIN, INT64_MAX}, {hi, lo}, {lo / 2 + hi / 2, hi}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        size_t first, end;
        ksegment_time_granules(seg, ranges[i][0], ranges[i][1], &first, &end);
        if (first > end || end > ksegment_granules(seg))
            abort();
    }
}

static void read_all(ksegment *seg)
{
    check_time_granules(seg);
    static int64_t values[KSEGMENT_GRANULE_ROWS];
    static uint8_t nulls[KSEGMENT_GRANULE_ROWS];
    for (size_t c = 0; c < ksegment_columns(seg); c++) {
        for (size_t g = 0; g < ksegment_granules(seg); g++) {
            ksegment_granule info;
            if (!ksegment_granule_info(seg, c, g, &info) || info.rows > KSEGMENT_GRANULE_ROWS)
                abort();
            kpi_error err;
            kpi_error_init(&err);
            if (ksegment_read(seg, c, g, values, nulls, &err) != KPI_OK &&
                (!err.message[0] || strcmp(err.file, "fuzz.kseg") != 0))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = size - 1;
    uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any read past the file */
    if (!copy)
        return 0;
    memcpy(copy, data + 1, n);
    if (data[0] & 1)
        fix_checksums(copy, n);
    ksegment *seg = NULL;
    kpi_error err;
    kpi_error_init(&err);
    if (ksegment_open_mem("fuzz.kseg", copy, n, &seg, &err) == KPI_OK)
        read_all(seg);
    else if (!err.message[0] || strcmp(err.file, "fuzz.kseg") != 0)
        abort(); /* a refusal always says what is wrong, and of which file */
    ksegment_close(seg);
    free(copy);
    return 0;
}
