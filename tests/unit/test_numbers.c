/*
 * test_numbers.c - exact decimals, integers and booleans as read from business files: every
 * thousands-grouping rule, the decimal comma, scales 0 to 9, the int64 limits, the refusal of
 * digits the scale cannot hold, the exact reasons given, and format/parse round trips.
 */
#include "../tap.h"
#include "util/ktime.h"

#define NBSP "\xC2\xA0"      /* U+00A0 no-break space */
#define NNBSP "\xE2\x80\xAF" /* U+202F narrow no-break space */

/* Expects s to parse at scale with decimal_sep to want. */
static void expect_dec(const char *s, char sep, int scale, int64_t want)
{
    char why[160] = "";
    int64_t got = -42;
    bool ok = kdecimal_parse(kstr_c(s), sep, scale, &got, why, sizeof why);
    if (!ok || got != want) {
        printf("#   '%s' (%c, scale %d): %s, got %lld want %lld\n", s, sep, scale,
               ok ? "parsed" : why, (long long)got, (long long)want);
        tap_cur_failed = 1;
    }
}

/* Expects s to be refused with a reason containing want. */
static void expect_dec_refused(const char *s, char sep, int scale, const char *want)
{
    char why[160] = "";
    int64_t got = 0;
    bool ok = kdecimal_parse(kstr_c(s), sep, scale, &got, why, sizeof why);
    if (ok || !strstr(why, want)) {
        printf("#   '%s' (%c, scale %d): %s '%s', want '%s'\n", s, sep, scale,
               ok ? "accepted" : "refused with", ok ? "" : why, want);
        tap_cur_failed = 1;
    }
}

static void expect_int(const char *s, char sep, int64_t want)
{
    char why[160] = "";
    int64_t got = -42;
    bool ok = kinteger_parse(kstr_c(s), sep, &got, why, sizeof why);
    if (!ok || got != want) {
        printf("#   integer '%s': %s, got %lld want %lld\n", s, ok ? "parsed" : why, (long long)got,
               (long long)want);
        tap_cur_failed = 1;
    }
}

static void expect_int_refused(const char *s, char sep, const char *want)
{
    char why[160] = "";
    int64_t got = 0;
    bool ok = kinteger_parse(kstr_c(s), sep, &got, why, sizeof why);
    if (ok || !strstr(why, want)) {
        printf("#   integer '%s': %s '%s', want '%s'\n", s, ok ? "accepted" : "refused with",
               ok ? "" : why, want);
        tap_cur_failed = 1;
    }
}

static void test_plain(void)
{
    expect_dec("1234.56", '.', 4, 12345600);
    expect_dec("0", '.', 2, 0);
    expect_dec("-0", '.', 2, 0);
    expect_dec("+5", '.', 2, 500);
    expect_dec("-12.5", '.', 2, -1250);
    expect_dec(".5", '.', 1, 5);
    expect_dec("-.5", '.', 1, -5);
    expect_dec("5.", '.', 1, 50);
    expect_dec("007", '.', 0, 7);
    expect_dec("  12.5\t", '.', 2, 1250);
    expect_dec("1234,56", ',', 2, 123456);
    expect_dec(",5", ',', 1, 5);
    expect_dec("0.000000001", '.', 9, 1);
    expect_dec("00000000000000000000000000001", '.', 0, 1);
}

static void test_grouping_point(void)
{
    expect_dec("1,234.56", '.', 2, 123456);
    expect_dec("1,234,567.5", '.', 1, 12345675);
    expect_dec("12,345", '.', 0, 12345);
    expect_dec("123,456", '.', 0, 123456);
    expect_dec("-1,234", '.', 0, -1234);
    expect_dec("1 234.56", '.', 2, 123456);
    expect_dec("1" NBSP "234.56", '.', 2, 123456);
    expect_dec("1" NNBSP "234" NNBSP "567", '.', 0, 1234567);
    expect_dec_refused("1,23,456", '.', 0, "misplaced thousands separator in '1,23,456'");
    expect_dec_refused("1,234,56", '.', 0, "misplaced thousands separator");
    expect_dec_refused("1234,567,890", '.', 0, "misplaced thousands separator");
    expect_dec_refused("1,234 567", '.', 0, "misplaced thousands separator");
    expect_dec_refused("1 23", '.', 0, "misplaced thousands separator");
    expect_dec_refused("1,234.5,6", '.', 1, "invalid number");
    expect_dec_refused("1,,234", '.', 0, "invalid number");
    expect_dec_refused(",", '.', 0, "invalid number");
}

static void test_grouping_comma(void)
{
    expect_dec("1.234,56", ',', 2, 123456);
    expect_dec("1.234.567", ',', 0, 1234567);
    expect_dec("1 234,56", ',', 2, 123456);
    expect_dec("1" NBSP "234,56", ',', 2, 123456);
    expect_dec("1" NNBSP "234,56", ',', 2, 123456);
    expect_dec("-1.234,5", ',', 1, -12345);
    expect_dec_refused("1.23.456", ',', 0, "misplaced thousands separator");
    expect_dec_refused("1.234" NBSP "567", ',', 0, "misplaced thousands separator");
    expect_dec_refused("1\xC2x234", ',', 0, "invalid number");
}

/* A value only the other decimal separator makes sense of gets a hint at the option. */
static void test_decimal_hint(void)
{
    char why[160];
    int64_t v;
    CHECK(!kdecimal_parse(KSTR("1,5"), '.', 2, &v, why, sizeof why));
    CHECK_STR(why, "invalid number '1,5' (for a decimal comma, set decimal: \",\" on the field)");
    expect_dec_refused("12,3456", '.', 4, "set decimal: \",\"");
    expect_dec_refused("1.234,56", '.', 2, "set decimal: \",\"");
    expect_dec_refused("0,500", '.', 3, "set decimal: \",\"");
    expect_dec_refused("1,23456", '.', 2, "set decimal: \",\"");
    CHECK(!kdecimal_parse(KSTR("1.5"), ',', 2, &v, why, sizeof why));
    CHECK_STR(why, "invalid number '1.5' (the field has decimal: \",\"; remove it for a decimal "
                   "point)");
    expect_dec_refused("1,234.56", ',', 2, "remove it for a decimal point");
    /* "1,234" is a valid grouping, so with '.' decimal it is one thousand two hundred ... */
    expect_dec("1,234", '.', 0, 1234);
    /* ... and with ',' decimal it is one point two three four */
    expect_dec("1,234", ',', 3, 1234);
}

static void test_refused(void)
{
    expect_dec_refused("", '.', 2, "empty value");
    expect_dec_refused("  ", '.', 2, "empty value");
    expect_dec_refused("-", '.', 2, "invalid number '-'");
    expect_dec_refused("+", '.', 2, "invalid number '+'");
    expect_dec_refused(".", '.', 2, "invalid number '.'");
    expect_dec_refused("-.", '.', 2, "invalid number");
    expect_dec_refused("abc", '.', 2, "invalid number 'abc'");
    expect_dec_refused("1.2.3", '.', 2, "invalid number '1.2.3'");
    expect_dec_refused("--1", '.', 2, "invalid number");
    expect_dec_refused("1-", '.', 2, "invalid number");
    expect_dec_refused("- 5", '.', 2, "invalid number");
    expect_dec_refused("1e5", '.', 2, "invalid number '1e5' (exponents are not supported)");
    expect_dec_refused("1.5E-3", '.', 9, "exponents are not supported");
    expect_dec_refused("$12", '.', 2, "invalid number '$12'");
    expect_dec_refused("12%", '.', 2, "invalid number '12%'");
    expect_dec_refused("0x10", '.', 2, "invalid number");
    expect_dec_refused("nan", '.', 2, "invalid number");
    expect_dec_refused("1\n", '.', 2, "invalid number '1?'");
    expect_dec_refused("123456789012345678901234567890x", '.', 2,
                       "invalid number '123456789012345678901234...'");
    expect_dec_refused("12345678901234567890123\xC3\xA9x", '.', 2,
                       "invalid number '12345678901234567890123...'");
    expect_dec_refused("1", ';', 2, "invalid decimal separator");
    expect_dec_refused("1", '.', 10, "scale 10 out of range");
    expect_dec_refused("1", '.', -1, "scale -1 out of range");
}

/* Every scale from 0 to 9: the unit, the smallest step, and too many places. */
static void test_scales(void)
{
    int64_t unit = 1;
    for (int scale = 0; scale <= 9; scale++, unit *= 10) {
        expect_dec("1", '.', scale, unit);
        expect_dec("-1", '.', scale, -unit);
        expect_dec("1.000000000", '.', scale, unit); /* extra zeros are fine */
        char s[32], why[160];
        snprintf(s, sizeof s, "0.%0*d1", scale, 0);
        int64_t v;
        CHECK(!kdecimal_parse(kstr_c(s), '.', scale, &v, why, sizeof why));
        char want[80];
        snprintf(want, sizeof want, "more than %d decimal places (raise the field's scale)", scale);
        CHECK_STR(why, want);
        if (scale > 0) {
            snprintf(s, sizeof s, "0.%0*d1", scale - 1, 0);
            expect_dec(scale > 1 ? s : "0.1", '.', scale, 1);
        }
    }
    expect_dec("1.50000", '.', 4, 15000);
    expect_dec_refused("1.23456", '.', 4, "more than 4 decimal places (raise the field's scale)");
    expect_dec_refused("1.5", '.', 0, "more than 0 decimal places");
    expect_dec("1.5", '.', 1, 15);
}

static void test_limits(void)
{
    expect_dec("9223372036854775807", '.', 0, INT64_MAX);
    expect_dec("-9223372036854775808", '.', 0, INT64_MIN);
    expect_dec("9,223,372,036,854,775,807", '.', 0, INT64_MAX);
    expect_dec("922337203685.4775807", '.', 7, INT64_MAX);
    expect_dec("-922337203685.4775808", '.', 7, INT64_MIN);
    expect_dec("9223372036.854775807", '.', 9, INT64_MAX);
    expect_dec_refused("9223372036854775808", '.', 0, "out of range (at most 9223372036854775807)");
    expect_dec_refused("-9223372036854775809", '.', 0, "out of range");
    expect_dec_refused("922337203685.4775808", '.', 7,
                       "out of range (at most 922337203685.4775807)");
    expect_dec_refused("9223372036.854775808", '.', 9, "out of range");
    expect_dec_refused("9223372037", '.', 9, "out of range");
    expect_dec_refused("99999999999999999999999999", '.', 0, "out of range");
    expect_dec_refused("18446744073709551616", '.', 0, "out of range");
    expect_int("9223372036854775807", '.', INT64_MAX);
    expect_int("-9223372036854775808", '.', INT64_MIN);
    expect_int_refused("9223372036854775808", '.', "out of range");
}

static void test_integers(void)
{
    expect_int("42", '.', 42);
    expect_int("-42", '.', -42);
    expect_int("1,000", '.', 1000);
    expect_int("1.000", ',', 1000);
    expect_int("1 000 000", '.', 1000000);
    expect_int("1.000", '.', 1); /* a decimal point with zeros after it is still one */
    expect_int("7.", '.', 7);
    expect_int_refused("1.5", '.', "not an integer '1.5'");
    expect_int_refused("1,5", '.', "set decimal: \",\"");
    expect_int_refused("1e3", '.', "exponents are not supported");
    expect_int_refused("", '.', "empty value");
    expect_int_refused("-", '.', "invalid number '-'");
}

/*
 * The plain shape [-]digits[.digits] has a fast path of its own; "+" in front sends the same
 * value down the full scan. Random values of that shape and near it (too many digits or
 * places, a lone point or sign, a stray letter) must get the same answer both ways.
 */
static void test_fast_path_agrees(void)
{
    uint64_t rng = 12345;
    int disagreements = 0;
    for (int k = 0; k < 200000; k++) {
        uint64_t r = tap_rand(&rng) >> 11;
        char body[48];
        size_t n = 0;
        int int_digits = (int)(r % 21), frac = (int)((r >> 5) % 12), scale = (int)((r >> 9) % 10);
        for (int i = 0; i < int_digits; i++)
            body[n++] = (char)('0' + (r >> (i % 40)) % 10);
        if ((r >> 13) % 4 != 0) {
            body[n++] = (r >> 15) % 8 == 0 ? ',' : '.';
            for (int i = 0; i < frac; i++)
                body[n++] = (char)('0' + (r >> (i + 17)) % 10);
        }
        if ((r >> 45) % 16 == 0 && n > 0)
            body[(r >> 20) % n] = "x -+e"[(r >> 50) % 5];
        body[n] = '\0';
        if (!(body[0] == '.' || body[0] == ',' || (body[0] >= '0' && body[0] <= '9')))
            continue; /* "+" or "-" in front would not be the same value */
        char plus[64];
        snprintf(plus, sizeof plus, "+%s", body);
        char why1[160], why2[160];
        int64_t a = 0, b = 0;
        bool ok1 = kdecimal_parse(kstr_c(body), '.', scale, &a, why1, sizeof why1);
        bool ok2 = kdecimal_parse(kstr_c(plus), '.', scale, &b, why2, sizeof why2);
        char neg[64];
        snprintf(neg, sizeof neg, "-%s", body);
        char why3[160];
        int64_t c = 0;
        bool ok3 = kdecimal_parse(kstr_c(neg), '.', scale, &c, why3, sizeof why3);
        bool same = ok1 == ok2 && (!ok1 || a == b) && ok3 == ok1 && (!ok1 || c == -a);
        if (!same && disagreements++ < 5) {
            printf("#   '%s' scale %d: %s %lld, with '+': %s %lld\n", body, scale,
                   ok1 ? "ok" : why1, (long long)a, ok2 ? "ok" : why2, (long long)b);
            tap_cur_failed = 1;
        }
    }
}

static void check_format(int64_t v, int scale, bool keep, const char *want)
{
    char buf[48];
    size_t n = kdecimal_format(v, scale, keep, buf, sizeof buf);
    CHECK_STR(buf, want);
    CHECK_EQ_INT(n, strlen(want));
}

static void test_format(void)
{
    check_format(-123400, 4, true, "-12.3400");
    check_format(-123400, 4, false, "-12.34");
    check_format(1000, 3, false, "1");
    check_format(1000, 3, true, "1.000");
    check_format(0, 2, true, "0.00");
    check_format(0, 2, false, "0");
    check_format(0, 0, true, "0");
    check_format(-5, 1, false, "-0.5");
    check_format(5, 9, false, "0.000000005");
    check_format(42, 0, false, "42");
    check_format(INT64_MAX, 0, true, "9223372036854775807");
    check_format(INT64_MIN, 0, true, "-9223372036854775808");
    check_format(INT64_MIN, 9, true, "-9223372036.854775808");
    check_format(INT64_MAX, 9, false, "9223372036.854775807");
    char buf[6];
    CHECK_EQ_INT(kdecimal_format(-123400, 4, true, buf, sizeof buf), 5);
    CHECK_STR(buf, "-12.3");
    CHECK_EQ_INT(kdecimal_format(1, 0, true, buf, 0), 0);
}

/* Formatted values (kept zeros or trimmed) parse back to themselves at every scale. */
static void test_round_trip(void)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int scale = (int)(x % 10);
        int64_t v = (int64_t)(x >> (x % 64));
        if (i % 4 == 0)
            v = (int64_t)(x % 100000) - 50000;
        if (i == 0)
            v = INT64_MIN;
        for (int keep = 0; keep < 2; keep++) {
            char buf[48], why[160];
            int64_t back = 0;
            kdecimal_format(v, scale, keep, buf, sizeof buf);
            if (!kdecimal_parse(kstr_c(buf), '.', scale, &back, why, sizeof why) || back != v) {
                if (bad++ < 3)
                    printf("#   %lld at %d -> '%s' (%s)\n", (long long)v, scale, buf, why);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_bools(void)
{
    const char *yes[] = {"true", "TRUE", "True", "yes", "Y", "y", "t", "1", "on", "ON", " yes "};
    const char *no[] = {"false", "FALSE", "no", "No", "n", "N", "f", "0", "off", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        bool v = false;
        CHECK(kbool_parse(kstr_c(yes[i]), &v, NULL, 0));
        CHECK(v);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        bool v = true;
        CHECK(kbool_parse(kstr_c(no[i]), &v, NULL, 0));
        CHECK(!v);
    }
    const char *bad[] = {"", "maybe", "2", "yess", "tru", "-1", "o", "00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool v;
        char why[160];
        CHECK(!kbool_parse(kstr_c(bad[i]), &v, why, sizeof why));
        CHECK_CONTAINS(why, "invalid boolean");
    }
    char why[160];
    bool v;
    CHECK(!kbool_parse(KSTR("maybe"), &v, why, sizeof why));
    CHECK_STR(why, "invalid boolean 'maybe' (expected true/false, yes/no, on/off or 1/0)");
}

/* Expects s rounded at scale to want, and whether a non-zero digit was dropped. */
static void expect_rounded(const char *s, int scale, int64_t want, bool want_rounded)
{
    char why[160] = "";
    int64_t got = -42;
    bool rounded = !want_rounded;
    bool ok = kdecimal_parse_rounded(kstr_c(s), '.', scale, &got, &rounded, why, sizeof why);
    if (!ok || got != want || rounded != want_rounded) {
        printf("#   '%s' (scale %d): %s, got %lld (rounded %d) want %lld (%d)\n", s, scale,
               ok ? "parsed" : why, (long long)got, rounded, (long long)want, want_rounded);
        tap_cur_failed = 1;
    }
}

/* Half to even on the first dropped digit, the later ones breaking ties; signs symmetric. */
static void test_rounding(void)
{
    expect_rounded("-8.5794000000001", 4, -85794, true); /* the Superstore sample's noise */
    expect_rounded("0.30000000000000004", 4, 3000, true);
    expect_rounded("0.00125", 4, 12, true); /* a tie: to the even 2 */
    expect_rounded("0.00135", 4, 14, true); /* a tie: to the even 4 */
    expect_rounded("-0.00125", 4, -12, true);
    expect_rounded("-0.00135", 4, -14, true);
    expect_rounded("0.001250001", 4, 13, true); /* not a tie: a later digit tips it */
    expect_rounded("2.5", 0, 2, true);
    expect_rounded("3.5", 0, 4, true);
    expect_rounded("0.5", 0, 0, true);
    expect_rounded("9.99995", 4, 100000, true); /* the carry reaches the integer part */
    expect_rounded("1.2349", 2, 123, true);
    expect_rounded("1.2300000", 2, 123, false); /* zeros dropped: nothing rounded */
    expect_rounded("1,234.56789", 2, 123457, true);
    expect_rounded("1.5", 2, 150, false);
    char why[160];
    int64_t v;
    bool r;
    CHECK(!kdecimal_parse_rounded(KSTR("922337203685477.58075"), '.', 4, &v, &r, why, sizeof why));
    CHECK_CONTAINS(why, "out of range");
    CHECK(!kdecimal_parse_rounded(KSTR("1.5e-3"), '.', 4, &v, &r, why, sizeof why));
    CHECK_CONTAINS(why, "exponents are not supported");
    CHECK(kdecimal_parse_rounded(KSTR("922337203685477.58074"), '.', 4, &v, NULL, why, sizeof why));
    CHECK_EQ_INT(v, INT64_MAX);
}

int main(void)
{
    RUN(test_plain);
    RUN(test_grouping_point);
    RUN(test_grouping_comma);
    RUN(test_decimal_hint);
    RUN(test_refused);
    RUN(test_scales);
    RUN(test_limits);
    RUN(test_integers);
    RUN(test_fast_path_agrees);
    RUN(test_format);
    RUN(test_round_trip);
    RUN(test_bools);
    RUN(test_rounding);
    return tap_done();
}
