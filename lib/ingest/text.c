/*
 * text.c - text values made canonical at import, so that values that read the same are one
 * group: "West " is "West", and "Café" typed with a combining accent (as macOS writes file
 * names and some exports) is the "Café" of a Windows export. Text is trimmed of white space at
 * both ends and put in Unicode NFC, the composed form the W3C recommends for text on the wire
 * and in which nearly all text already is.
 *
 * Cost: ASCII values, nearly all of them, pay two byte tests for the trim and nothing for NFC:
 * the import knows from kutf8_scan (one pass over a CSV record, which it makes anyway for the
 * UTF-8 check) whether a value holds any code point from U+0300 on, and only those few go
 * through ICU (UTF-8 -> UTF-16, quick check, normalisation, back to UTF-8).
 */
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* The length of the white space character that starts p[0..n), or 0. */
static size_t space_at(const unsigned char *p, size_t n)
{
    if (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))
        return 1;
    if (p[0] < 0xC2 || n < 2)
        return 0;
    if (p[0] == 0xC2)
        return p[1] == 0x85 || p[1] == 0xA0 ? 2 : 0; /* U+0085, U+00A0 */
    if (n < 3)
        return 0;
    unsigned c = (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
    bool space = c == 0xE19A80                       /* U+1680 */
                 || (c >= 0xE28080 && c <= 0xE2808A) /* U+2000..U+200A */
                 || c == 0xE280A8 || c == 0xE280A9   /* U+2028, U+2029 */
                 || c == 0xE280AF || c == 0xE2819F   /* U+202F, U+205F */
                 || c == 0xE38080;                   /* U+3000 */
    return space ? 3 : 0;
}

/* The length of the white space character that ends p[0..n), or 0. */
static size_t space_before(const unsigned char *p, size_t n)
{
    if (p[n - 1] < 0x80)
        return space_at(p + n - 1, 1);
    if (n >= 2 && p[n - 2] == 0xC2 && space_at(p + n - 2, 2) == 2)
        return 2;
    if (n >= 3 && space_at(p + n - 3, 3) == 3)
        return 3;
    return 0;
}

kstr ktext_trim_slow(kstr v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t k;
    while (v.n && (k = space_at(p, v.n)) > 0) {
        p += k;
        v.n -= k;
    }
    while (v.n && (k = space_before(p, v.n)) > 0)
        v.n -= k;
    v.p = (const char *)p;
    return v;
}

void ktext_nfc_release(ktext_nfc *t)
{
    free(t->u16);
    free(t->nfc);
    if (t->ready)
        kbuf_release(&t->out);
    memset(t, 0, sizeof *t);
}

/* Makes room for `need` UTF-16 units in *buf. */
static bool room16(void **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t bytes;
    if (!kmul_size(need, sizeof(UChar), &bytes))
        return false;
    void *p = realloc(*buf, bytes);
    if (!p)
        return false;
    *buf = p;
    *cap = need;
    return true;
}

bool ktext_to_nfc(ktext_nfc *t, kstr v, kstr *out, char *why, size_t cap)
{
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&e);
    if (!t->ready) {
        kbuf_init(&t->out, 0);
        t->ready = true;
    }
    /* a UTF-8 value has at most as many UTF-16 units as bytes; NFC may grow it threefold */
    if (U_FAILURE(e) || v.n >= INT32_MAX / 4)
        return kwhy(why, cap, "cannot normalise text: %s", u_errorName(e));
    if (!room16(&t->u16, &t->cap16, v.n + 1))
        return kwhy(why, cap, "out of memory");
    int32_t n16 = 0;
    u_strFromUTF8(t->u16, (int32_t)t->cap16, &n16, v.p, (int32_t)v.n, &e);
    if (U_SUCCESS(e) && unorm2_quickCheck(nfc, t->u16, n16, &e) == UNORM_YES && U_SUCCESS(e)) {
        *out = v;
        return true;
    }
    e = U_ZERO_ERROR;
    if (!room16(&t->nfc, &t->capnfc, (size_t)n16 * 3 + 1))
        return kwhy(why, cap, "out of memory");
    int32_t nn = unorm2_normalize(nfc, t->u16, n16, t->nfc, (int32_t)t->capnfc, &e);
    if (U_FAILURE(e))
        return kwhy(why, cap, "cannot normalise text: %s", u_errorName(e));
    kbuf_reset(&t->out);
    if (!kbuf_reserve(&t->out, (size_t)nn * 3 + 1))
        return kwhy(why, cap, "out of memory");
    int32_t n8 = 0;
    u_strToUTF8(t->out.p, (int32_t)(t->out.cap - 1), &n8, t->nfc, nn, &e);
    if (U_FAILURE(e))
        return kwhy(why, cap, "cannot normalise text: %s", u_errorName(e));
    *out = (kstr){t->out.p, (size_t)n8};
    return true;
}
