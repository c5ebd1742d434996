/*
 * utf8.c - the text encodings kpi reads: names as written in kpi.yaml, UTF-8 validation and the
 * conversion of latin1 / windows-1252 files to UTF-8. Everything downstream of the readers sees
 * UTF-8 only, so this is the one place that knows about single-byte code pages.
 */
#include "util.h"

#include <string.h>

/* Every spelling accepted for each encoding, compared ASCII case-insensitively. */
static const struct {
    const char *name;
    kencoding enc;
} encoding_names[] = {
    {"utf-8", KENC_UTF8},     {"utf8", KENC_UTF8},         {"latin1", KENC_LATIN1},
    {"latin-1", KENC_LATIN1}, {"iso-8859-1", KENC_LATIN1}, {"windows-1252", KENC_CP1252},
    {"cp1252", KENC_CP1252},
};

bool kencoding_parse(kstr name, kencoding *out)
{
    for (size_t i = 0; i < sizeof encoding_names / sizeof encoding_names[0]; i++) {
        if (kstr_ieq_c(name, encoding_names[i].name)) {
            *out = encoding_names[i].enc;
            return true;
        }
    }
    return false;
}

const char *kencoding_name(kencoding enc)
{
    switch (enc) {
    case KENC_UTF8:
        return "utf-8";
    case KENC_LATIN1:
        return "latin1";
    case KENC_CP1252:
        return "windows-1252";
    }
    return "unknown";
}

/* ---- validation ------------------------------------------------------------------------ */

#define ASCII_MASK UINT64_C(0x8080808080808080)

/* The offset of the first byte >= 0x80 in s[i..n), or n: eight bytes at a time. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t n)
{
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & ASCII_MASK)
            break;
        i += 8;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/*
 * The length of the valid multi-byte sequence starting at s[0] (lead byte >= 0x80), or 0 when
 * it is invalid or truncated by the end n. The second byte's range is what excludes overlong
 * forms (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF (F4 90..).
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

size_t kutf8_valid_prefix(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    for (;;) {
        i = skip_ascii(s, i, n);
        if (i == n)
            return n;
        size_t len = utf8_sequence(s + i, n - i);
        if (!len)
            return i;
        i += len;
    }
}

/* The offset of the first byte that is >= 0x80 or NUL in s[i..n), or n: eight bytes at a time
 * (a byte is caught by the high bit of itself or, when it is 0, of itself minus one). */
static size_t skip_plain(const unsigned char *s, size_t i, size_t n)
{
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w | (w - UINT64_C(0x0101010101010101))) & ASCII_MASK)
            break;
        i += 8;
    }
    while (i < n && s[i] < 0x80 && s[i])
        i++;
    return i;
}

size_t kutf8_scan(const char *p, size_t n, unsigned *seen)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    unsigned f = 0;
    for (;;) {
        i = skip_plain(s, i, n);
        if (i == n)
            break;
        if (!s[i]) {
            f |= KUTF8_NUL;
            i++;
            continue;
        }
        size_t len = utf8_sequence(s + i, n - i);
        if (!len)
            break;
        if (s[i] >= 0xCC) /* U+0300 is CC 80 */
            f |= KUTF8_MARKS;
        i += len;
    }
    *seen = f;
    return i;
}

/* ---- transcoding ----------------------------------------------------------------------- */

/*
 * Code points of windows-1252 bytes 0x80..0x9F (the rest of the code page is latin1), from the
 * Unicode consortium's cp1252.txt. The five bytes it leaves undefined (81, 8D, 8F, 90, 9D) map
 * to the C1 control of the same value, as MultiByteToWideChar does.
 */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80..87 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, /* 88..8F */
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90..97 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, /* 98..9F */
};

/* Writes the UTF-8 form of a code point below U+10000 and returns its length. */
static size_t put_bmp(uint32_t cp, unsigned char *o)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
}

size_t ktranscode_to_utf8(kencoding enc, const char *in, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *o = (unsigned char *)out;
    size_t i = 0, w = 0;
    if (enc == KENC_UTF8) { /* nothing to convert; kept total for callers that do not check */
        if (n)
            memcpy(o, s, n);
        return n;
    }
    while (i < n) {
        size_t run = skip_ascii(s, i, n) - i; /* copy plain ASCII runs as they are */
        memcpy(o + w, s + i, run);
        i += run;
        w += run;
        if (i == n)
            break;
        uint32_t cp = s[i++];
        if (enc == KENC_CP1252 && cp < 0xA0)
            cp = cp1252_c1[cp - 0x80];
        w += put_bmp(cp, o + w);
    }
    return w;
}
