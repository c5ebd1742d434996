/*
 * fuzz_values.c - libFuzzer target for the value parsers of lib/util/ktime.h: timestamps (ISO
 * and custom formats), dates, exact decimals, integers and booleans, which read every field of
 * every imported row. Besides crashes and sanitizer reports it checks invariants, calling
 * abort() when one breaks: what is formatted parses back to the same value, a refusal always
 * says why, the zone cache answers as a freshly opened zone would, a rounded decimal is within
 * half a unit of the exact one, and text trimmed and put in NFC stays so when done again.
 *
 * Input layout (the seed corpus is plain text in it):
 *   byte 0      control: (low 4 bits) % 10 = decimal scale; 0x10 = decimal comma (else point);
 *               0x20 = cross-check Europe/Berlin against a freshly opened zone.
 *               So 'D' = scale 4 with '.', 'T' = scale 4 with ',', 'd' = scale 4 and check.
 *   then        the value, up to the first '\n' (or the end), given as (pointer, length);
 *   then        optionally a strptime-style format, up to the next '\n' (63 bytes at most).
 *
 * The only state kept between calls is the lazily opened Europe/Berlin zone, whose interval
 * cache thereby sees inputs in arbitrary order.
 */
#include "util/ktime.h"
#include "ingest/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static ktz *berlin(void)
{
    static ktz *tz;
    if (!tz)
        CHECK(ktz_open("Europe/Berlin", &tz, NULL) == KPI_OK);
    return tz;
}

/* A refusal leaves a non-empty reason. */
static void check_why(bool ok, const char *why)
{
    if (!ok)
        CHECK(why[0] != '\0' && strlen(why) < 160);
}

/*
 * A parsed instant, formatted in Berlin and in UTC, parses back to itself, unless the local
 * year leaves 0001..9999 (9999-12-31T23:30Z is in year 10000 in Berlin).
 */
static void check_time_round_trip(int64_t t)
{
    ktz *utc = NULL;
    CHECK(ktz_open("UTC", &utc, NULL) == KPI_OK);
    ktz *zones[2] = {berlin(), utc};
    for (int i = 0; i < 2; i++) {
        char buf[64], why[160] = "";
        int64_t back = 0;
        ktz_format(zones[i], t, buf, sizeof buf);
        if (buf[0] == '-' || buf[4] != '-' || strncmp(buf, "0000", 4) == 0)
            continue;
        bool ok = ktime_parse(kstr_c(buf), NULL, NULL, &back, why, sizeof why);
        if (!ok || back != t)
            fprintf(stderr, "%lld -> '%s' -> %s %lld\n", (long long)t, buf, why, (long long)back);
        CHECK(ok && back == t);
    }
    ktz_close(utc);
    int64_t day = ktz_day_of(berlin(), t), y;
    int m, d;
    kcivil_from_days(day, &y, &m, &d);
    CHECK(kdays_from_civil(y, m, d) == day);
}

/*
 * A naive local time L read in Berlin as u: u shows L, or L is in a gap and u is L read with
 * the offset from before the gap; no earlier instant shows L.
 */
static void check_local(int64_t local, int64_t u)
{
    ktz *tz = berlin();
    int64_t off = ktz_offset_at(tz, u) * KTIME_US_PER_SEC;
    int64_t before = ktz_offset_at(tz, u - KTIME_US_PER_DAY) * KTIME_US_PER_SEC;
    CHECK(u + off == local || (u + off > local && local - u == before));
    int64_t earlier = u - 3600 * KTIME_US_PER_SEC;
    CHECK(earlier + ktz_offset_at(tz, earlier) * KTIME_US_PER_SEC != local);
}

static void fuzz_times(kstr v, const char *fmt, bool cross_check)
{
    char why[160] = "";
    int64_t t = 0, local = 0, days = 0;
    bool ok = ktime_parse(v, NULL, berlin(), &t, why, sizeof why);
    check_why(ok, why);
    bool ok_utc = ktime_parse(v, NULL, NULL, &local, why, sizeof why);
    CHECK(ok == ok_utc);
    bool ok_date = kdate_parse(v, NULL, &days, why, sizeof why);
    check_why(ok_date, why);
    CHECK(!ok || ok_date);
    if (ok) {
        check_time_round_trip(t);
        /* Berlin is never at UTC, so the two readings differ exactly when there is no offset */
        if (local != t)
            check_local(local, t);
        if (cross_check) {
            ktz *fresh = NULL;
            CHECK(ktz_open("Europe/Berlin", &fresh, NULL) == KPI_OK);
            CHECK(ktz_offset_at(fresh, t) == ktz_offset_at(berlin(), t));
            CHECK(ktz_local_to_utc(fresh, local) == ktz_local_to_utc(berlin(), local));
            ktz_close(fresh);
        }
    }
    if (!fmt)
        return;
    ok = ktime_parse(v, fmt, berlin(), &t, why, sizeof why);
    check_why(ok, why);
    ok_date = kdate_parse(v, fmt, &days, why, sizeof why);
    CHECK(ok == ok_date);
    if (ok)
        check_time_round_trip(t);
}

/* A parsed date, written as ISO, parses back to itself. */
static void fuzz_dates(kstr v)
{
    char why[160] = "", buf[32];
    int64_t days = 0, back = 0, y;
    int m, d;
    bool ok = kdate_parse(v, NULL, &days, why, sizeof why);
    check_why(ok, why);
    if (!ok)
        return;
    kcivil_from_days(days, &y, &m, &d);
    CHECK(y >= 1 && y <= 9999);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y, m, d);
    CHECK(kdate_parse(kstr_c(buf), NULL, &back, why, sizeof why) && back == days);
}

/* Parses a formatted decimal back at the same scale, with '.' as the formatter writes it. */
static void check_decimal_round_trip(int64_t v, int scale)
{
    for (int keep = 0; keep < 2; keep++) {
        char buf[48], why[160] = "";
        int64_t back = 0;
        kdecimal_format(v, scale, keep, buf, sizeof buf);
        CHECK(kdecimal_parse(kstr_c(buf), '.', scale, &back, why, sizeof why) && back == v);
    }
}

/* Trimming and NFC are idempotent, and the NFC of valid UTF-8 is valid UTF-8. */
static void fuzz_text(kstr v)
{
    static ktext_nfc t; /* kept between calls, as the import keeps it between values */
    kstr a = ktext_trim(v);
    CHECK(a.p >= v.p && a.p + a.n <= v.p + v.n);
    kstr b = ktext_trim(a);
    CHECK(b.p == a.p && b.n == a.n);
    unsigned seen;
    if (kutf8_scan(a.p, a.n, &seen) != a.n || (seen & KUTF8_NUL))
        return;
    char why[160] = "";
    kstr nfc;
    if (!ktext_to_nfc(&t, a, &nfc, why, sizeof why))
        return;
    CHECK(kutf8_valid_prefix(nfc.p, nfc.n) == nfc.n);
    if (!(seen & KUTF8_MARKS))
        CHECK(nfc.p == a.p && nfc.n == a.n); /* below U+0300 everything is NFC already */
    char *copy = malloc(nfc.n + 1);
    CHECK(copy);
    memcpy(copy, nfc.p, nfc.n);
    kstr again;
    CHECK(ktext_to_nfc(&t, (kstr){copy, nfc.n}, &again, why, sizeof why));
    CHECK(again.n == nfc.n && memcmp(again.p, copy, nfc.n) == 0);
    free(copy);
}

static void fuzz_numbers(kstr v, char sep, int scale)
{
    char why[160] = "";
    int64_t dec = 0, wider = 0, integer = 0;
    bool ok = kdecimal_parse(v, sep, scale, &dec, why, sizeof why);
    check_why(ok, why);
    if (ok) {
        check_decimal_round_trip(dec, scale);
        /* the same value at one more decimal place is ten times the integer, or too big */
        if (scale < 9 && kdecimal_parse(v, sep, scale + 1, &wider, why, sizeof why))
            CHECK(wider / 10 == dec && wider % 10 == 0);
    }
    /* rounding: what parses exactly parses the same; otherwise within half a unit of the value
     * read at scale 9 (when that one is exact), and a tie goes to the even neighbour */
    int64_t r = 0, exact = 0;
    bool rounded = false;
    bool ok_r = kdecimal_parse_rounded(v, sep, scale, &r, &rounded, why, sizeof why);
    check_why(ok_r, why);
    if (ok)
        CHECK(ok_r && r == dec && !rounded);
    if (ok_r && scale < 9 && kdecimal_parse(v, sep, 9, &exact, why, sizeof why)) {
        int64_t unit = 1;
        for (int k = scale; k < 9; k++)
            unit *= 10;
        int64_t step = r - exact / unit; /* 0, or 1 away from the cut toward rounding */
        CHECK(step >= -1 && step <= 1);
        int64_t diff = step * unit - exact % unit, half = unit / 2;
        CHECK(diff <= half && diff >= -half);
        CHECK(diff != half && diff != -half ? true : r % 2 == 0);
        CHECK(rounded == (diff != 0));
    }
    bool ok_int = kinteger_parse(v, sep, &integer, why, sizeof why);
    check_why(ok_int, why);
    if (ok_int) {
        CHECK(kdecimal_parse(v, sep, 0, &dec, why, sizeof why) && dec == integer);
        check_decimal_round_trip(integer, 0);
    }
    bool b = false;
    ok = kbool_parse(v, &b, why, sizeof why);
    check_why(ok, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t control = data[0];
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(p, '\n', n);
    kstr value = {p, nl ? (size_t)(nl - p) : n};
    char fmt[64];
    bool has_fmt = false;
    if (nl) {
        const char *f = nl + 1;
        size_t fn = n - (size_t)(f - p);
        const char *end = memchr(f, '\n', fn);
        fn = end ? (size_t)(end - f) : fn;
        fn = fn < sizeof fmt - 1 ? fn : sizeof fmt - 1;
        memcpy(fmt, f, fn);
        fmt[fn] = '\0';
        has_fmt = true;
    }
    fuzz_times(value, has_fmt ? fmt : NULL, control & 0x20);
    fuzz_dates(value);
    fuzz_numbers(value, control & 0x10 ? ',' : '.', (control & 15) % 10);
    fuzz_text(value);
    return 0;
}
