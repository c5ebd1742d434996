/*
 * csv_stops.h - the stop mask of the CSV reader (csv.c): for 64 bytes of input, one bit per
 * byte that can end a stretch of a field (the delimiter, the quote, and every byte below 14:
 * CR, LF, NUL). With SSE2 16 bytes are compared at a time; without, 8 at a time in a 64-bit
 * word; both give the same mask. In a header because the choice is made by the preprocessor.
 */
#ifndef KPI_INGEST_CSV_STOPS_H
#define KPI_INGEST_CSV_STOPS_H

#include <stdint.h>

#define KCSV_STOP_BLOCK 64 /* bytes per mask: one bit each */

#ifdef __SSE2__ /* x86-64 always has it; elsewhere 64-bit words build the same masks */
#include <emmintrin.h>

/*
 * The stop bits of the 16 bytes at p: the delimiter, the quote and every byte below 14, taken
 * in one compare (CR, LF and NUL; the other control bytes that come along are rare, and the
 * scans step over them).
 */
static inline uint64_t kcsv_stop_bits16(const unsigned char *p, __m128i delim)
{
    const __m128i quote = _mm_set1_epi8('"'), low = _mm_set1_epi8(13);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
    return (uint64_t)(unsigned)_mm_movemask_epi8(hit);
}

/* The stop bits of the 64 bytes at p. */
static inline uint64_t kcsv_stop_bits(const unsigned char *p, unsigned char d)
{
    const __m128i delim = _mm_set1_epi8((char)d);
    return kcsv_stop_bits16(p, delim) | kcsv_stop_bits16(p + 16, delim) << 16 |
           kcsv_stop_bits16(p + 32, delim) << 32 | kcsv_stop_bits16(p + 48, delim) << 48;
}
#else
/* The 8 bytes at p as a number, p[0] in the low byte (one load on little-endian machines). */
static inline uint64_t load_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/*
 * The stop bits of the 64 bytes at p, the same as with SSE2, 8 bytes at a time in a 64-bit
 * word (SWAR). For each byte b, ((b & 0x7F) + 0x7F) | b has its top bit clear exactly when b
 * is 0, and ((b & 0x7F) + 0x72) | b exactly when b < 14 (no carry leaves a byte), so equal
 * bytes are found by xor-ing with the delimiter or the quote first. The top bits are then
 * gathered into 8 adjacent bits with a multiplication.
 */
static inline uint64_t kcsv_stop_bits(const unsigned char *p, unsigned char d)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = 0x7F * ones, top = 0x80 * ones;
    const uint64_t delim = d * ones, quote = '"' * ones;
    uint64_t bits = 0;
    for (unsigned k = 0; k < KCSV_STOP_BLOCK; k += 8) {
        uint64_t w = load_le64(p + k), xd = w ^ delim, xq = w ^ quote;
        uint64_t keep = (((xd & low7) + low7) | xd) & (((xq & low7) + low7) | xq) &
                        (((w & low7) + 0x72 * ones) | w);
        uint64_t hit = ~keep & top; /* 0x80 in each byte that is a stop */
        bits |= ((hit >> 7) * UINT64_C(0x0102040810204080)) >> 56 << k;
    }
    return bits;
}
#endif

#endif
