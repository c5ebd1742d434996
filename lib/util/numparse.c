/*
 * numparse.c - numbers and booleans as they arrive in business files: "1,234.56", "1.234,56",
 * "1 234,56", "-.5", "yes". Numbers become int64 scaled by 10^scale, with exact integer
 * arithmetic only (no double anywhere), so that money sums to the cent.
 *
 * Thousands grouping is accepted only where it is unambiguous (groups of exactly three
 * digits), and a value that only makes sense with the other decimal separator is refused
 * with a hint at the field's `decimal` option rather than silently read as something else:
 * "1,5" is never fifteen.
 */
#include "ktime.h"

#include <stdio.h>
#include <string.h>

/* Why a number was refused; the message is composed only on failure, off the hot path. */
typedef enum nerr { N_OK, N_SYNTAX, N_GROUPING, N_EXPONENT, N_PLACES, N_RANGE } nerr;

/* What the scan of a number found. */
typedef struct nscan {
    uint64_t int_mag; /* the integer digits' value (meaningless when too_big) */
    uint64_t frac;    /* the first `scale` fractional digits, as an integer */
    int frac_digits;  /* how many of them were given (the rest are zeros) */
    int dropped;      /* the first digit past `scale`, or -1 when there is none */
    bool sticky;      /* a non-zero digit after that one */
    bool negative, too_big;
} nscan;

static const uint64_t POW10[19] = {1,
                                   10,
                                   100,
                                   1000,
                                   10000,
                                   100000,
                                   1000000,
                                   10000000,
                                   100000000,
                                   1000000000,
                                   10000000000,
                                   100000000000,
                                   1000000000000,
                                   10000000000000,
                                   100000000000000,
                                   1000000000000000,
                                   10000000000000000,
                                   100000000000000000,
                                   1000000000000000000};

/*
 * The length of the thousands separator at p (0 when there is none): `other` (the punctuation
 * that is not the decimal separator), ' ', U+00A0 or U+202F.
 */
static size_t group_sep_len(const char *p, size_t n, char other)
{
    if (p[0] == other || p[0] == ' ')
        return 1;
    if (n >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    if (n >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        (unsigned char)p[2] == 0xAF)
        return 3;
    return 0;
}

/*
 * The digits before the decimal separator, with optional grouping: a first group of 1 to 3
 * digits (not starting with 0), then groups of exactly 3 after one kind of separator.
 * Advances *i past them.
 */
static nerr scan_integer(const char *p, size_t n, size_t *i, char other, nscan *sc, size_t *ndigits)
{
    size_t g = 0, groups = 0, first_at = *i;
    char kind = 0; /* the first byte of the separator in use */
    uint64_t mag = 0;
    while (*i < n) {
        unsigned d = (unsigned)(unsigned char)p[*i] - '0'; /* wraps above 9 for non-digits */
        if (d < 10) {
            if (mag >= POW10[18])
                sc->too_big = true;
            else
                mag = mag * 10 + d;
            g++;
            (*i)++;
            continue;
        }
        size_t len = group_sep_len(p + *i, n - *i, other);
        if (len == 0)
            break;
        if (g == 0)
            return N_SYNTAX; /* a separator that follows no digit does not group anything */
        bool bad_first = groups == 0 && (g > 3 || p[first_at] == '0');
        if (bad_first || (groups > 0 && g != 3) || (kind && kind != p[*i]))
            return N_GROUPING;
        kind = p[*i];
        groups++;
        *ndigits += g;
        g = 0;
        *i += len;
    }
    if (groups > 0 && g != 3)
        return N_GROUPING;
    *ndigits += g;
    sc->int_mag = mag;
    return N_OK;
}

/*
 * The digits after the decimal separator: the first `scale` kept; of the others, the first is
 * kept in sc->dropped and any non-zero one after it sets sc->sticky (what rounding needs).
 * N_PLACES when a dropped digit is not 0.
 */
static nerr scan_fraction(const char *p, size_t n, size_t *i, int scale, nscan *sc, size_t *ndigits)
{
    bool excess = false;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        int d = p[*i] - '0';
        if (sc->frac_digits < scale)
            sc->frac = sc->frac * 10 + (uint64_t)d;
        else if (sc->dropped < 0)
            sc->dropped = d;
        else if (d)
            sc->sticky = true;
        excess = excess || (sc->frac_digits == scale && d);
        sc->frac_digits += sc->frac_digits < scale;
        (*ndigits)++;
        (*i)++;
    }
    return excess ? N_PLACES : N_OK;
}

/* Whether the magnitude v, cut at the scale, goes up one unit: half to even, on the first
 * dropped digit and whether any digit after it is not zero. */
static bool round_up(uint64_t v, const nscan *sc)
{
    return sc->dropped > 5 || (sc->dropped == 5 && (sc->sticky || (v & 1)));
}

/*
 * The shape nearly every value has, [-]digits[sep digits] with at most `scale` fraction digits
 * and 18 digits in all (so nothing can overflow), read in one tight pass. False leaves the value
 * to the full scan, which also reads grouping, '+', ".5" and excess zeros, and explains refusals.
 */
static bool scan_simple(const char *p, size_t n, char decimal_sep, int scale, int64_t *out)
{
    size_t i = p[0] == '-', start = i;
    uint64_t v = 0;
    unsigned d;
    while (i < n && (d = (unsigned)(unsigned char)p[i] - '0') < 10) {
        v = v * 10 + d;
        i++;
    }
    size_t int_digits = i - start;
    int frac_digits = 0;
    if (int_digits == 0 || int_digits + (size_t)scale > 18)
        return false;
    if (i < n) {
        if (p[i++] != decimal_sep)
            return false;
        while (i < n && (d = (unsigned)(unsigned char)p[i] - '0') < 10 && frac_digits < scale) {
            v = v * 10 + d;
            frac_digits++;
            i++;
        }
        if (i < n || frac_digits == 0)
            return false;
    }
    v *= POW10[scale - frac_digits];
    *out = p[0] == '-' ? -(int64_t)v : (int64_t)v;
    return true;
}

/*
 * Scans [sign] digits [sep digits] and checks it fits; *out is the scaled value. With `round`,
 * digits past the scale are rounded half to even instead of refused, and *rounded (when given)
 * tells whether a non-zero digit was dropped.
 */
static nerr scan_number(kstr s, char decimal_sep, int scale, bool round, int64_t *out,
                        bool *rounded)
{
    if (rounded)
        *rounded = false;
    if (s.n && scan_simple(s.p, s.n, decimal_sep, scale, out))
        return N_OK;
    nscan sc = {.dropped = -1};
    const char *p = s.p;
    size_t n = s.n, i = 0, ndigits = 0;
    char other = decimal_sep == '.' ? ',' : '.';
    if (i < n && (p[i] == '+' || p[i] == '-'))
        sc.negative = p[i++] == '-';
    nerr e = scan_integer(p, n, &i, other, &sc, &ndigits);
    if (e != N_OK)
        return e;
    nerr places = N_OK;
    if (i < n && p[i] == decimal_sep) {
        i++;
        places = scan_fraction(p, n, &i, scale, &sc, &ndigits);
    }
    if (ndigits == 0)
        return N_SYNTAX;
    if (i < n)
        return (p[i] == 'e' || p[i] == 'E') ? N_EXPONENT : N_SYNTAX;
    if (places != N_OK && !round)
        return places;
    uint64_t limit = sc.negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v;
    uint64_t frac = sc.frac * POW10[scale - sc.frac_digits];
    if (sc.too_big || __builtin_mul_overflow(sc.int_mag, POW10[scale], &v) ||
        __builtin_add_overflow(v, frac, &v) ||
        (round && round_up(v, &sc) && __builtin_add_overflow(v, 1, &v)) || v > limit)
        return N_RANGE;
    if (rounded)
        *rounded = places != N_OK;
    *out = sc.negative ? (int64_t)(0 - v) : (int64_t)v;
    return N_OK;
}

/* Explains a refusal. A value the other decimal separator would have read gets a hint. */
static bool explain(nerr e, kstr s, char decimal_sep, int scale, bool integer, char *why,
                    size_t cap)
{
    char ex[32], lim[32];
    int64_t ignored;
    nerr alt = scan_number(s, decimal_sep == '.' ? ',' : '.', 9, false, &ignored, NULL);
    bool other_fits = alt == N_OK || alt == N_RANGE || alt == N_PLACES;
    kexcerpt(s, ex);
    if ((e == N_SYNTAX || e == N_GROUPING) && other_fits)
        return kwhy(why, cap, "invalid number '%s' (%s)", ex,
                    decimal_sep == '.' ? "for a decimal comma, set decimal: \",\" on the field"
                                       : "the field has decimal: \",\"; remove it for a decimal "
                                         "point");
    switch (e) {
    case N_GROUPING:
        return kwhy(why, cap, "misplaced thousands separator in '%s'", ex);
    case N_EXPONENT:
        return kwhy(why, cap, "invalid number '%s' (exponents are not supported)", ex);
    case N_PLACES:
        if (integer)
            return kwhy(why, cap, "not an integer '%s'", ex);
        return kwhy(why, cap, "more than %d decimal places (raise the field's scale)", scale);
    case N_RANGE:
        kdecimal_format(INT64_MAX, scale, true, lim, sizeof lim);
        return kwhy(why, cap, "number '%s' out of range (at most %s)", ex, lim);
    default:
        return kwhy(why, cap, "invalid number '%s'", ex);
    }
}

static bool parse(kstr s, char decimal_sep, int scale, bool integer, bool round, int64_t *out,
                  bool *rounded, char *why, size_t cap)
{
    if (decimal_sep != '.' && decimal_sep != ',')
        return kwhy(why, cap, "invalid decimal separator '%c'", decimal_sep);
    if (scale < 0 || scale > 9)
        return kwhy(why, cap, "scale %d out of range (0 to 9)", scale);
    s = kstr_trim(s);
    if (s.n == 0)
        return kwhy(why, cap, "empty value");
    nerr e = scan_number(s, decimal_sep, scale, round, out, rounded);
    return e == N_OK ? true : explain(e, s, decimal_sep, scale, integer, why, cap);
}

bool kdecimal_parse(kstr s, char decimal_sep, int scale, int64_t *out, char *why, size_t cap)
{
    return parse(s, decimal_sep, scale, false, false, out, NULL, why, cap);
}

bool kdecimal_parse_rounded(kstr s, char decimal_sep, int scale, int64_t *out, bool *rounded,
                            char *why, size_t cap)
{
    return parse(s, decimal_sep, scale, false, true, out, rounded, why, cap);
}

/* An integer is a decimal at scale 0: "1.000" (with '.' decimal) is 1, "1.5" is refused. */
bool kinteger_parse(kstr s, char decimal_sep, int64_t *out, char *why, size_t cap)
{
    return parse(s, decimal_sep, 0, true, false, out, NULL, why, cap);
}

bool kbool_parse(kstr s, bool *out, char *why, size_t cap)
{
    static const struct {
        const char *text;
        bool value;
    } words[] = {{"true", true}, {"false", false}, {"yes", true}, {"no", false},
                 {"y", true},    {"n", false},     {"t", true},   {"f", false},
                 {"1", true},    {"0", false},     {"on", true},  {"off", false}};
    s = kstr_trim(s);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (kstr_ieq_c(s, words[i].text)) {
            *out = words[i].value;
            return true;
        }
    }
    char ex[32];
    return kwhy(why, cap, "invalid boolean '%s' (expected true/false, yes/no, on/off or 1/0)",
                kexcerpt(s, ex));
}

/*
 * Digits are written backwards into a scratch buffer, then copied. Returns the length written
 * (less than the full text when cap is too small); a scale outside 0..18 is clamped.
 */
size_t kdecimal_format(int64_t v, int scale, bool keep_zeros, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    scale = scale < 0 ? 0 : scale > 18 ? 18 : scale;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char tmp[48];
    size_t n = 0;
    for (int k = 0; k < scale; k++, mag /= 10) {
        char d = (char)('0' + mag % 10);
        if (keep_zeros || n > 0 || d != '0') /* else a trailing zero, dropped */
            tmp[n++] = d;
    }
    if (n > 0)
        tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        tmp[n++] = '-';
    size_t len = n < cap - 1 ? n : cap - 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = tmp[n - 1 - i];
    buf[len] = '\0';
    return len;
}
