/*
 * segment_int.h - what the segment's writer (encode.c), reader (segment.c, decode.c), tests
 * and fuzz target share: the byte layout of the file (docs/storage.md "Segment files" is its
 * prose), little-endian accessors and the size arithmetic both sides must agree on.
 */
#ifndef KPI_SEGMENT_INT_H
#define KPI_SEGMENT_INT_H

#include "segment.h"

#include <stdatomic.h>
#include <string.h>

/*
 * The fixed-size parts, all little-endian (docs/storage.md has the full picture):
 *   header  16: magic, u32 version, u32 zero
 *   trailer 32: u64 footer length, u64 footer hash, u32 version, u32 zero, magic
 *   footer head 32: u32 rows, u32 ncols, i64 min time, i64 max time, u32 granule rows, u32 zero
 *   column entry 32: u8 kind, u8 scale, u16 zero, u32 zero, u64 chunk offset, u64 chunk length,
 *                    u64 chunk hash; then its granule entries
 *   granule entry 32: u32 offset in the chunk, u32 length, i64 min, i64 max, u32 nulls,
 *                     u8 width, 3 zero bytes
 */
#define KSEG_MAGIC "\x89KPISEG\n" /* 8 bytes, at the start and at the very end */
#define KSEG_VERSION 1
#define KSEG_HEADER_SIZE 16
#define KSEG_TRAILER_SIZE 32
#define KSEG_FOOTER_HEAD 32
#define KSEG_COLUMN_HEAD 32
#define KSEG_GRANULE_SIZE 32
#define KSEG_CHUNK_HASH_AT 24 /* where a column's chunk hash sits in its entry */

/* One granule as the footer describes it (validated at open). */
typedef struct kseg_granule {
    uint32_t off; /* from the start of the column chunk */
    uint32_t len;
    uint32_t rows;
    uint32_t nulls;
    int64_t min;
    int64_t max;
    unsigned width; /* bits per packed value, 0..64 */
} kseg_granule;

typedef struct kseg_column {
    ksegment_kind kind;
    unsigned scale;
    uint64_t off; /* of the chunk, from the start of the file */
    uint64_t len;
    uint64_t hash;
    atomic_bool verified; /* the chunk's hash was checked */
    kseg_granule *g;      /* ksegment.granules of them */
} kseg_column;

struct ksegment {
    char *name;
    const uint8_t *data;
    size_t size;
    bool mapped; /* data is an mmap of size bytes to unmap at close */
    uint32_t rows;
    uint32_t ncols;
    uint32_t granules;
    uint32_t tcol; /* the time column */
    int64_t tmin, tmax;
    kseg_column *cols;
};

/* ---- little-endian fields ---------------------------------------------------------------- */

static inline uint64_t kseg_get(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static inline void kseg_put(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* 8 bytes at p as a little-endian word (one load on x86 and arm64). */
static inline uint64_t kseg_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
        v = __builtin_bswap64(v);
    return v;
}

/* ---- sizes both sides compute ------------------------------------------------------------ */

/* Bits needed for v: 0 for 0, 64 for values from 2^63. */
static inline unsigned kseg_bitwidth(uint64_t v)
{
    return v ? 64 - (unsigned)__builtin_clzll(v) : 0;
}

/* Packed values in a granule of `rows` rows: TIME packs the rows - 1 deltas after the first. */
static inline uint64_t kseg_packed_count(ksegment_kind kind, uint32_t rows)
{
    return kind == KSEG_TIME ? rows - 1 : rows;
}

/* Bytes of a granule: its packed values, then a null bitmap when it has nulls. */
static inline uint64_t kseg_granule_bytes(ksegment_kind kind, uint32_t rows, unsigned width,
                                          uint32_t nulls)
{
    uint64_t bytes = (kseg_packed_count(kind, rows) * width + 7) / 8;
    return bytes + (nulls ? (rows + 7) / 8 : 0);
}

static inline size_t kseg_footer_size(size_t ncols, size_t granules)
{
    return KSEG_FOOTER_HEAD + ncols * (KSEG_COLUMN_HEAD + granules * KSEG_GRANULE_SIZE);
}

/* The XXH3-64 checksum of n bytes (chunks and footer). */
uint64_t kseg_hash(const void *p, size_t n);

/* Unpacks n values of width bits (1..64) from p[0..len), which must hold n * width bits, adding
 * base to each (modulo 2^64) into out. Reads nothing outside p[0..len). */
void kseg_unpack(const uint8_t *p, size_t len, unsigned width, size_t n, uint64_t base,
                 int64_t *out);

#endif
