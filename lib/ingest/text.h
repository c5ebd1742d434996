/*
 * text.h - text values made canonical at import (private to lib/ingest): trimmed of white space
 * and in Unicode NFC, so that values that read the same are one group. See text.c.
 */
#ifndef KPI_INGEST_TEXT_H
#define KPI_INGEST_TEXT_H

#include "../util/util.h"

/*
 * v without the white space at its ends: ASCII space, tab, CR, LF, VT, FF, and the Unicode
 * White_Space characters beyond ASCII (U+0085, U+00A0 no-break space, U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000). Safe on invalid UTF-8 (only whole white space
 * sequences are taken off). The result points into v. ktext_trim_slow is the whole work.
 */
kstr ktext_trim_slow(kstr v);

/* Inline: nearly every value starts and ends with a printable ASCII byte, and is kept whole. */
static inline kstr ktext_trim(kstr v)
{
    if (v.n && (unsigned char)(v.p[0] - 0x21) < 0x5E && (unsigned char)(v.p[v.n - 1] - 0x21) < 0x5E)
        return v;
    return ktext_trim_slow(v);
}

/* Scratch room for NFC conversions, reused from value to value. Zero it to initialise. */
typedef struct ktext_nfc {
    void *u16, *nfc; /* UTF-16 buffers for ICU */
    size_t cap16, capnfc;
    kbuf out;
    bool ready; /* out initialised */
} ktext_nfc;

void ktext_nfc_release(ktext_nfc *t);

/*
 * The NFC form of the valid UTF-8 text v (without NUL): *out is v itself when it is already
 * in NFC, else points into t (valid until the next call). False when out of memory or when
 * ICU fails (reason in why).
 */
bool ktext_to_nfc(ktext_nfc *t, kstr v, kstr *out, char *why, size_t cap);

#endif
