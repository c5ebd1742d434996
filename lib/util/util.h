/*
 * util.h - the bottom layer of libkpi: arenas, growable buffers, (pointer, length) strings,
 * error helpers, "did you mean" suggestions and UTF-8 handling. Nothing here knows about
 * KPIs; every other layer may use it.
 */
#ifndef KPI_UTIL_H
#define KPI_UTIL_H

#include "kpi.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define KPI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KPI_PRINTF(f, a)
#endif

/* ---- strings --------------------------------------------------------------------------- */

/* A (pointer, length) view of bytes that are not necessarily NUL-terminated. */
typedef struct kstr {
    const char *p;
    size_t n;
} kstr;

#define KSTR(lit) ((kstr){(lit), sizeof(lit) - 1})

static inline kstr kstr_c(const char *s)
{
    return (kstr){s, s ? __builtin_strlen(s) : 0};
}
bool kstr_eq(kstr a, kstr b);
bool kstr_eq_c(kstr a, const char *s);
bool kstr_ieq_c(kstr a, const char *s); /* ASCII case-insensitive */

/* s without leading/trailing ASCII spaces and tabs. Inline: import trims every value. */
static inline kstr kstr_trim(kstr s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* ---- arena ----------------------------------------------------------------------------- */

/* A bump allocator: many small allocations, freed together by karena_release(). */
typedef struct karena_chunk karena_chunk;
typedef struct karena {
    karena_chunk *head;
    size_t chunk_size;
} karena;

void karena_init(karena *a, size_t chunk_size); /* chunk_size 0: 64 KiB */
void karena_release(karena *a);                 /* frees everything; the arena stays usable */
/* Zeroed, 16-byte aligned memory that lives until karena_release; NULL when out of memory. */
void *karena_alloc(karena *a, size_t size);
char *karena_strndup(karena *a, const char *s, size_t n); /* NUL-terminated copy */
char *karena_strdup(karena *a, const char *s);
char *karena_printf(karena *a, const char *fmt, ...) KPI_PRINTF(2, 3);

/* ---- growable buffer ------------------------------------------------------------------- */

/* Bytes that grow on demand up to a hard cap; always NUL-terminated after a successful call. */
typedef struct kbuf {
    char *p;
    size_t n;
    size_t cap;   /* allocated */
    size_t limit; /* growth beyond this fails */
} kbuf;

#define KBUF_DEFAULT_LIMIT ((size_t)1 << 30)

void kbuf_init(kbuf *b, size_t limit); /* limit 0: KBUF_DEFAULT_LIMIT */
void kbuf_release(kbuf *b);
void kbuf_reset(kbuf *b); /* n = 0, memory kept */
/* Each returns false (and leaves b unchanged) when out of memory or past the limit. */
bool kbuf_reserve(kbuf *b, size_t extra);
bool kbuf_append(kbuf *b, const void *p, size_t n);
bool kbuf_appends(kbuf *b, const char *s);
bool kbuf_appendc(kbuf *b, char c);
bool kbuf_printf(kbuf *b, const char *fmt, ...) KPI_PRINTF(2, 3);
bool kbuf_vprintf(kbuf *b, const char *fmt, va_list ap);

/* ---- growable arrays ------------------------------------------------------------------- */

/*
 * The one way an array grows. KGROW(a, cap, need) makes room for `need` items in the array `a`
 * (a T * that is NULL or from malloc; `cap`, a size_t, counts its items): when need > cap, `a`
 * is reallocated to kgrow_cap(cap, need) items. Returns false, leaving `a` and `cap` unchanged,
 * when out of memory or when the size in bytes would overflow. New items are not initialised.
 * Arrays growing in step (one capacity for several) use kgrow_cap and KRESIZE each.
 */
#define KGROW(a, cap, need) kgrow(&(a), &(cap), (need), sizeof *(a))
/* Resizes `a` to n items (n * sizeof *a checked); false leaves it unchanged. */
#define KRESIZE(a, n) kresize(&(a), (n), sizeof *(a))
/* The capacity after cap when need items must fit: doubled until they do, at least 8. */
size_t kgrow_cap(size_t cap, size_t need);
/* What KGROW and KRESIZE call: pp is the address of the array's pointer, size its item size. */
bool kgrow(void *pp, size_t *cap, size_t need, size_t size);
bool kresize(void *pp, size_t n, size_t size);

/* ---- errors ---------------------------------------------------------------------------- */

/* Sets err (when non-NULL) and returns status, so callers can `return kerr_set(...)`. */
kpi_status kerr_set(kpi_error *err, kpi_status status, const char *fmt, ...) KPI_PRINTF(3, 4);
/* Same, with a location; file may be NULL. */
kpi_status kerr_set_at(kpi_error *err, kpi_status status, const char *file, unsigned long line,
                       unsigned long column, const char *fmt, ...) KPI_PRINTF(6, 7);
kpi_status kerr_vset_at(kpi_error *err, kpi_status status, const char *file, unsigned long line,
                        unsigned long column, const char *fmt, va_list ap);
/* Prepends "prefix: " to the message of an error already set. */
void kerr_prefix(kpi_error *err, const char *fmt, ...) KPI_PRINTF(2, 3);

/* Writes a reason into why (when why is non-NULL and cap > 0) and returns false, so parsers can
 * `return kwhy(why, cap, "month %d out of range", m);`. */
bool kwhy(char *why, size_t cap, const char *fmt, ...) KPI_PRINTF(3, 4);

/* Copies at most 24 bytes of s into out (at least 32 bytes) for quoting in a reason: control
 * bytes become '?', and a cut (made on a UTF-8 character boundary) ends in "...". */
const char *kexcerpt(kstr s, char *out);

/* ---- suggestions ----------------------------------------------------------------------- */

/* Levenshtein distance between two strings, capped at `max + 1` (stops early past it). */
size_t kedit_distance(const char *a, size_t an, const char *b, size_t bn, size_t max);

/*
 * The candidate closest to `word` when it is close enough to be a plausible typo (distance at
 * most a third of the word's length, at least 1, or a case-only difference), else NULL.
 */
const char *ksuggest(kstr word, const char *const *candidates, size_t n);

/* Appends " (did you mean 'x'?)" to buf when ksuggest finds something; used in messages. */
void ksuggest_hint(kstr word, const char *const *candidates, size_t n, char *buf, size_t cap);

/* ---- UTF-8 and single-byte encodings --------------------------------------------------- */

typedef enum kencoding { KENC_UTF8, KENC_LATIN1, KENC_CP1252 } kencoding;

/* Parses an encoding name as written in kpi.yaml ("utf-8", "latin1", "windows-1252", ...). */
bool kencoding_parse(kstr name, kencoding *out);
const char *kencoding_name(kencoding enc);

/*
 * Returns the length of the longest valid UTF-8 prefix of p[0..n): n when all of it is valid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF.
 */
size_t kutf8_valid_prefix(const char *p, size_t n);

/* What kutf8_scan saw in the valid prefix. */
enum {
    KUTF8_NUL = 1,  /* a NUL byte */
    KUTF8_MARKS = 2 /* a code point from U+0300 on: the text may not be in NFC (every code
                       point below U+0300 is NFC whatever surrounds it) */
};

/* Like kutf8_valid_prefix, also telling (in *seen, KUTF8_* bits) what the valid prefix holds;
 * as fast as the plain check on ASCII. */
size_t kutf8_scan(const char *p, size_t n, unsigned *seen);

/*
 * Converts n bytes of latin1 or windows-1252 text to UTF-8 into out (which must have room for
 * 3 * n bytes) and returns the number of bytes written. Every input byte maps to a code point:
 * the five bytes windows-1252 leaves undefined map to U+0081.. as Windows itself does.
 */
size_t ktranscode_to_utf8(kencoding enc, const char *in, size_t n, char *out);

/* ---- hash map ------------------------------------------------------------------------- */

/* Maps byte strings to small integers (e.g. a breakdown's group key to its index). Keys are
 * copied. Open addressing; grows by doubling. */
typedef struct kmap {
    struct kmap_slot *slots;
    size_t cap; /* power of two */
    size_t count;
    karena keys;
} kmap;

void kmap_init(kmap *m);
void kmap_release(kmap *m);
/* The value of key, or -1 when absent. */
long kmap_get(const kmap *m, kstr key);
/* Inserts key -> value unless present; returns the stored value (the existing one when the key
 * was there), or -1 when out of memory. */
long kmap_put(kmap *m, kstr key, long value);

/* ---- small helpers --------------------------------------------------------------------- */

/* a * b with overflow detection; false on overflow. */
static inline bool kmul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* Identifier rules for stream, field and KPI names: [a-z_][a-z0-9_]* and at most 63 bytes. */
bool kident_valid(kstr s);

/* Monotonic seconds, for progress and benchmarks. */
double kclock_seconds(void);

#endif
