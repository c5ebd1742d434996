/*
 * test_time.c - the civil calendar, time zones (offsets, DST gaps and overlaps, local days,
 * formatting, the interval cache) and the parsing of timestamps and dates (ISO 8601 and
 * strptime-style formats), including the exact reasons given for refused values.
 */
#include "../tap.h"
#include "util/ktime.h"

#include <stdlib.h>

#define US KTIME_US_PER_SEC
#define DAY KTIME_US_PER_DAY

/* The UTC instant of a civil date and time, for expectations. */
static int64_t utc(int64_t y, int mo, int d, int h, int mi, int s)
{
    return kdays_from_civil(y, mo, d) * DAY + ((int64_t)h * 3600 + mi * 60 + s) * US;
}

static ktz *open_tz(const char *name)
{
    ktz *tz = NULL;
    kpi_error err;
    kpi_error_init(&err);
    if (ktz_open(name, &tz, &err) != KPI_OK) {
        printf("# cannot open %s: %s\n", name, err.message);
        exit(1);
    }
    return tz;
}

/* ---- civil calendar -------------------------------------------------------------------- */

static void test_civil_known_days(void)
{
    CHECK_EQ_INT(kdays_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(kdays_from_civil(1969, 12, 31), -1);
    CHECK_EQ_INT(kdays_from_civil(2026, 10, 5), 20731);
    CHECK_EQ_INT(kdays_from_civil(1960, 1, 1), -3653);
    CHECK_EQ_INT(kdays_from_civil(1, 1, 1), -719162);
    CHECK_EQ_INT(kdays_from_civil(9999, 12, 31), 2932896);
    CHECK_EQ_INT(kdays_from_civil(2000, 3, 1) - kdays_from_civil(2000, 2, 28), 2);
    CHECK_EQ_INT(kdays_from_civil(1900, 3, 1) - kdays_from_civil(1900, 2, 28), 1);
}

/* Every day in the range maps back to itself, and consecutive days are consecutive dates. */
static void test_civil_round_trip(void)
{
    int64_t py;
    int pm, pd, bad = 0;
    kcivil_from_days(-800001, &py, &pm, &pd);
    for (int64_t d = -800000; d <= 3000000 && bad < 5; d++) {
        int64_t y;
        int m, dd;
        kcivil_from_days(d, &y, &m, &dd);
        bool next_day = (y == py && m == pm && dd == pd + 1) ||
                        (y == py && m == pm + 1 && dd == 1 && pd == kdays_in_month(py, pm)) ||
                        (y == py + 1 && m == 1 && dd == 1 && pm == 12 && pd == 31);
        if (kdays_from_civil(y, m, dd) != d || !next_day || dd > kdays_in_month(y, m)) {
            printf("#   day %lld -> %lld-%d-%d\n", (long long)d, (long long)y, m, dd);
            bad++;
        }
        py = y;
        pm = m;
        pd = dd;
    }
    CHECK_EQ_INT(bad, 0);
}

/* Far outside the import range the conversion still round-trips (no overflow). */
static void test_civil_extremes(void)
{
    const int64_t days[] = {INT64_C(-100000000000), INT64_C(100000000000), -719468, -719469};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int64_t y;
        int m, d;
        kcivil_from_days(days[i], &y, &m, &d);
        CHECK_EQ_INT(kdays_from_civil(y, m, d), days[i]);
    }
    int64_t y;
    int m, d;
    kcivil_from_days(INT64_MAX, &y, &m, &d);
    CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    kcivil_from_days(INT64_MIN, &y, &m, &d);
    CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
}

static void test_leap_years(void)
{
    CHECK_EQ_INT(kdays_in_month(1900, 2), 28);
    CHECK_EQ_INT(kdays_in_month(2000, 2), 29);
    CHECK_EQ_INT(kdays_in_month(2024, 2), 29);
    CHECK_EQ_INT(kdays_in_month(2026, 2), 28);
    CHECK_EQ_INT(kdays_in_month(2100, 2), 28);
    CHECK_EQ_INT(kdays_in_month(2026, 4), 30);
    CHECK_EQ_INT(kdays_in_month(2026, 12), 31);
    CHECK_EQ_INT(kdays_in_month(2026, 0), 0);
    CHECK_EQ_INT(kdays_in_month(2026, 13), 0);
    CHECK_EQ_INT(kdays_from_civil(2001, 1, 1) - kdays_from_civil(2000, 1, 1), 366);
    CHECK_EQ_INT(kdays_from_civil(1901, 1, 1) - kdays_from_civil(1900, 1, 1), 365);
}

static void test_weekdays(void)
{
    CHECK_EQ_INT(kweekday_from_days(0), 4);                              /* Thursday */
    CHECK_EQ_INT(kweekday_from_days(-1), 3);                             /* Wednesday */
    CHECK_EQ_INT(kweekday_from_days(kdays_from_civil(2026, 10, 5)), 1);  /* Monday */
    CHECK_EQ_INT(kweekday_from_days(kdays_from_civil(2026, 10, 11)), 7); /* Sunday */
    CHECK_EQ_INT(kweekday_from_days(kdays_from_civil(2000, 1, 1)), 6);   /* Saturday */
    CHECK_EQ_INT(kweekday_from_days(kdays_from_civil(1, 1, 1)), 1);      /* Monday */
    for (int64_t d = -1000; d < 1000; d++)
        CHECK_EQ_INT(kweekday_from_days(d + 1), kweekday_from_days(d) % 7 + 1);
}

/* ---- time zones ------------------------------------------------------------------------ */

static void test_tz_utc(void)
{
    ktz *tz = open_tz("UTC");
    CHECK_STR(ktz_name(tz), "UTC");
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 7, 1, 0, 0, 0)), 0);
    CHECK_EQ_INT(ktz_local_to_utc(tz, 12345), 12345);
    CHECK_EQ_INT(ktz_day_of(tz, -1), -1);
    CHECK_EQ_INT(ktz_day_of(tz, 0), 0);
    char buf[64];
    ktz_format(tz, 0, buf, sizeof buf);
    CHECK_STR(buf, "1970-01-01T00:00:00+00:00");
    ktz_format(tz, utc(2026, 10, 5, 14, 3, 0) + 500000, buf, sizeof buf);
    CHECK_STR(buf, "2026-10-05T14:03:00.5+00:00");
    ktz_format(tz, utc(2026, 10, 5, 14, 3, 0) + 123456, buf, sizeof buf);
    CHECK_STR(buf, "2026-10-05T14:03:00.123456+00:00");
    ktz_format(tz, -1, buf, sizeof buf);
    CHECK_STR(buf, "1969-12-31T23:59:59.999999+00:00");
    ktz_format(tz, 0, buf, 8);
    CHECK_STR(buf, "1970-01");
    ktz_format(tz, INT64_MAX, buf, sizeof buf); /* far outside any data: no overflow */
    CHECK_STR(buf, "294247-01-10T04:00:54.775807+00:00");
    ktz_format(tz, INT64_MIN, buf, sizeof buf);
    CHECK_CONTAINS(buf, "+00:00");
    ktz_close(tz);
    const char *aliases[] = {"Etc/UTC", "GMT", "Etc/GMT", "Etc/Universal"};
    for (size_t i = 0; i < 4; i++) {
        tz = open_tz(aliases[i]);
        CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 7, 1, 0, 0, 0)), 0);
        ktz_close(tz);
    }
    ktz_close(NULL);
}

static void test_tz_unknown(void)
{
    kpi_error err;
    kpi_error_init(&err);
    ktz *tz = (ktz *)&err;
    CHECK_EQ_INT(ktz_open("Europe/Berln", &tz, &err), KPI_DEFINITION);
    CHECK(tz == NULL);
    CHECK_CONTAINS(err.message, "unknown time zone 'Europe/Berln'");
    CHECK_CONTAINS(err.message, "did you mean 'Europe/Berlin'");
    kpi_error_init(&err);
    CHECK_EQ_INT(ktz_open("europe/berlin", &tz, &err), KPI_DEFINITION);
    CHECK_CONTAINS(err.message, "did you mean 'Europe/Berlin'");
    kpi_error_init(&err);
    CHECK_EQ_INT(ktz_open("Nowhere/Atlantis", &tz, &err), KPI_DEFINITION);
    CHECK_STR(err.message, "unknown time zone 'Nowhere/Atlantis'");
    const char *bad[] = {"", "Etc/Unknown", "Europe/Berlin\n", "+02:00"};
    for (size_t i = 0; i < 4; i++) {
        kpi_error_init(&err);
        CHECK_EQ_INT(ktz_open(bad[i], &tz, &err), KPI_DEFINITION);
        CHECK_CONTAINS(err.message, "unknown time zone");
    }
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_EQ_INT(ktz_open(long_name, &tz, NULL), KPI_DEFINITION);
}

static void test_tz_berlin_offsets(void)
{
    ktz *tz = open_tz("Europe/Berlin");
    CHECK_STR(ktz_name(tz), "Europe/Berlin");
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 1, 15, 12, 0, 0)), 3600);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 7, 15, 12, 0, 0)), 7200);
    int64_t spring = utc(2026, 3, 29, 1, 0, 0), autumn = utc(2026, 10, 25, 1, 0, 0);
    CHECK_EQ_INT(ktz_offset_at(tz, spring - 1), 3600);
    CHECK_EQ_INT(ktz_offset_at(tz, spring), 7200);
    CHECK_EQ_INT(ktz_offset_at(tz, autumn - 1), 7200);
    CHECK_EQ_INT(ktz_offset_at(tz, autumn), 3600);
    CHECK_EQ_INT(ktz_offset_at(tz, spring - 1), 3600); /* back again: the older interval */
    CHECK_EQ_INT(ktz_offset_at(tz, 0), 3600);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(1800, 1, 1, 0, 0, 0)), 3208); /* local mean time */
    CHECK_EQ_INT(ktz_offset_at(tz, INT64_MAX), 3600);
    CHECK_EQ_INT(ktz_offset_at(tz, INT64_MIN), 3208);
    ktz_close(tz);
}

static void test_tz_berlin_gap_and_overlap(void)
{
    ktz *tz = open_tz("Europe/Berlin");
    /* 2026-03-29 02:30 does not exist: moved forward by the hour, 03:30 CEST = 01:30Z. */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 3, 29, 2, 30, 0)), utc(2026, 3, 29, 1, 30, 0));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 3, 29, 1, 59, 59)), utc(2026, 3, 29, 0, 59, 59));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 3, 29, 3, 0, 0)), utc(2026, 3, 29, 1, 0, 0));
    /* 2026-10-25 02:30 happens twice: the earlier (CEST) instant, 00:30Z. */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 10, 25, 2, 30, 0)), utc(2026, 10, 25, 0, 30, 0));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 10, 25, 1, 59, 0)), utc(2026, 10, 24, 23, 59, 0));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 10, 25, 3, 0, 0)), utc(2026, 10, 25, 2, 0, 0));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 1, 10, 12, 0, 0)), utc(2026, 1, 10, 11, 0, 0));
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 7, 10, 12, 0, 0)), utc(2026, 7, 10, 10, 0, 0));
    char buf[64];
    ktz_format(tz, utc(2026, 3, 29, 1, 30, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-03-29T03:30:00+02:00");
    ktz_format(tz, utc(2026, 10, 25, 0, 30, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-10-25T02:30:00+02:00");
    ktz_format(tz, utc(2026, 10, 25, 1, 30, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-10-25T02:30:00+01:00");
    ktz_format(tz, utc(1800, 1, 1, 0, 0, 0), buf, sizeof buf);
    CHECK_STR(buf, "1800-01-01T00:53:28+00:53:28");
    ktz_close(tz);
}

static void test_tz_new_york(void)
{
    ktz *tz = open_tz("America/New_York");
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 1, 15, 0, 0, 0)), -18000);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 7, 15, 0, 0, 0)), -14400);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 3, 8, 7, 0, 0) - 1), -18000);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 3, 8, 7, 0, 0)), -14400);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 11, 1, 6, 0, 0)), -18000);
    /* gap: 02:30 EST would be 07:30Z, shown as 03:30 EDT */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 3, 8, 2, 30, 0)), utc(2026, 3, 8, 7, 30, 0));
    /* overlap: 01:30 EDT (05:30Z) before 01:30 EST (06:30Z) */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 11, 1, 1, 30, 0)), utc(2026, 11, 1, 5, 30, 0));
    char buf[64];
    ktz_format(tz, utc(2026, 10, 5, 14, 3, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-10-05T10:03:00-04:00");
    /* the local day of an instant just after UTC midnight is the previous day */
    CHECK_EQ_INT(ktz_day_of(tz, utc(2026, 10, 5, 1, 0, 0)), kdays_from_civil(2026, 10, 4));
    ktz_close(tz);
}

static void test_tz_sydney(void)
{
    ktz *tz = open_tz("Australia/Sydney");
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 1, 15, 0, 0, 0)), 39600);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 7, 15, 0, 0, 0)), 36000);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 4, 4, 16, 0, 0) - 1), 39600);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 4, 4, 16, 0, 0)), 36000);
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 10, 3, 16, 0, 0)), 39600);
    /* spring forward in October: 02:30 AEST = 16:30Z the day before */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 10, 4, 2, 30, 0)), utc(2026, 10, 3, 16, 30, 0));
    /* fall back in April: 02:30 AEDT (15:30Z) first */
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 4, 5, 2, 30, 0)), utc(2026, 4, 4, 15, 30, 0));
    char buf[64];
    ktz_format(tz, utc(2026, 1, 1, 0, 0, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-01-01T11:00:00+11:00");
    ktz_close(tz);
}

static void test_tz_kolkata(void)
{
    ktz *tz = open_tz("Asia/Kolkata");
    CHECK_EQ_INT(ktz_offset_at(tz, utc(2026, 10, 5, 0, 0, 0)), 19800);
    char buf[64];
    ktz_format(tz, utc(2026, 10, 5, 14, 3, 0), buf, sizeof buf);
    CHECK_STR(buf, "2026-10-05T19:33:00+05:30");
    CHECK_EQ_INT(ktz_local_to_utc(tz, utc(2026, 10, 5, 19, 33, 0)), utc(2026, 10, 5, 14, 3, 0));
    CHECK_EQ_INT(ktz_day_of(tz, utc(2026, 10, 4, 18, 30, 0)), kdays_from_civil(2026, 10, 5));
    CHECK_EQ_INT(ktz_day_of(tz, utc(2026, 10, 4, 18, 30, 0) - 1), kdays_from_civil(2026, 10, 4));
    ktz_close(tz);
}

static void test_tz_day_of(void)
{
    ktz *tz = open_tz("Europe/Berlin");
    int64_t midnight = utc(2026, 10, 4, 22, 0, 0); /* 2026-10-05 00:00 CEST */
    CHECK_EQ_INT(ktz_day_of(tz, midnight), kdays_from_civil(2026, 10, 5));
    CHECK_EQ_INT(ktz_day_of(tz, midnight - 1), kdays_from_civil(2026, 10, 4));
    int64_t winter = utc(2026, 1, 4, 23, 0, 0); /* 2026-01-05 00:00 CET */
    CHECK_EQ_INT(ktz_day_of(tz, winter), kdays_from_civil(2026, 1, 5));
    CHECK_EQ_INT(ktz_day_of(tz, winter - 1), kdays_from_civil(2026, 1, 4));
    int64_t old = utc(1959, 12, 31, 23, 0, 0); /* 1960-01-01 00:00 CET, a negative day */
    CHECK_EQ_INT(ktz_day_of(tz, old), -3653);
    CHECK_EQ_INT(ktz_day_of(tz, old - 1), -3654);
    ktz_close(tz);
}

/*
 * Over five years, every local quarter hour converts to an instant that shows that local time
 * again (or, in a gap, the time an hour later), and the earlier instant of an overlap; the
 * offsets from a cache warmed in order agree with those from a cache sent far away each time.
 */
static void test_tz_sweep(void)
{
    const char *zones[] = {"Europe/Berlin", "America/New_York",  "Australia/Sydney",
                           "Asia/Kolkata",  "America/Sao_Paulo", "Pacific/Chatham"};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        ktz *tz = open_tz(zones[z]), *cold = open_tz(zones[z]);
        int bad = 0;
        for (int64_t l = utc(2022, 1, 1, 0, 0, 0); l < utc(2027, 1, 1, 0, 0, 0); l += 900 * US) {
            int64_t u = ktz_local_to_utc(tz, l);
            int32_t off = ktz_offset_at(tz, u);
            ktz_offset_at(cold, INT64_MIN / 2);
            bool same = ktz_offset_at(cold, u) == off;
            bool shows = u + off * US == l;
            bool gap = !shows && u + off * US > l && u + off * US - l <= 3600 * US &&
                       ktz_offset_at(tz, u - DAY) * US == l - u;
            bool earliest = ktz_local_to_utc(tz, l) == u &&
                            !(ktz_offset_at(tz, u - 3600 * US) * US + u - 3600 * US == l);
            if (!same || !(shows || gap) || !earliest) {
                if (bad++ < 3)
                    printf("#   %s local %lld -> %lld\n", zones[z], (long long)l, (long long)u);
            }
        }
        CHECK_EQ_INT(bad, 0);
        ktz_close(tz);
        ktz_close(cold);
    }
}

/* ---- ISO timestamps ------------------------------------------------------------------- */

/* Parses s (ISO, or by fmt) in tz; expects success and the instant want. */
static void expect_time(const char *s, const char *fmt, ktz *tz, int64_t want)
{
    char why[128] = "";
    int64_t got = -42;
    bool ok = ktime_parse(kstr_c(s), fmt, tz, &got, why, sizeof why);
    if (!ok || got != want) {
        printf("#   '%s' (%s): %s, got %lld want %lld\n", s, fmt ? fmt : "iso", ok ? "parsed" : why,
               (long long)got, (long long)want);
        tap_cur_failed = 1;
    }
}

/* Expects the value refused with exactly the reason want. */
static void expect_refused(const char *s, const char *fmt, const char *want)
{
    char why[128] = "";
    int64_t got;
    bool ok = ktime_parse(kstr_c(s), fmt, NULL, &got, why, sizeof why);
    if (ok || strcmp(why, want) != 0) {
        printf("#   '%s' (%s): %s '%s', want '%s'\n", s, fmt ? fmt : "iso",
               ok ? "accepted" : "refused with", why, want);
        tap_cur_failed = 1;
    }
}

static void test_iso_forms(void)
{
    int64_t t = utc(2026, 10, 5, 14, 3, 7);
    expect_time("2026-10-05", NULL, NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("2026-10-05T14:03", NULL, NULL, utc(2026, 10, 5, 14, 3, 0));
    expect_time("2026-10-05 14:03:07", NULL, NULL, t);
    expect_time("2026-10-05t14:03:07", NULL, NULL, t);
    expect_time("  2026-10-05T14:03:07\t", NULL, NULL, t);
    expect_time("2026-10-05T14:03:07Z", NULL, NULL, t);
    expect_time("2026-10-05T14:03:07z", NULL, NULL, t);
    expect_time("2026-10-05T14:03:07.123456Z", NULL, NULL, t + 123456);
    expect_time("2026-10-05T14:03:07.5Z", NULL, NULL, t + 500000);
    expect_time("2026-10-05T14:03:07,25Z", NULL, NULL, t + 250000);
    expect_time("2026-10-05T14:03:07.123456789Z", NULL, NULL, t + 123456);
    expect_time("2026-10-05T16:03:07+02:00", NULL, NULL, t);
    expect_time("2026-10-05T16:03:07+0200", NULL, NULL, t);
    expect_time("2026-10-05T16:03:07+02", NULL, NULL, t);
    expect_time("2026-10-05T08:33:07-05:30", NULL, NULL, t);
    expect_time("2026-10-05 16:03:07 +02:00", NULL, NULL, t);
    expect_time("2026-10-05T14:03:07+00:00", NULL, NULL, t);
    expect_time("2026-10-05T14:03:07-00:00", NULL, NULL, t);
    expect_time("2026-10-05T14:56:35+00:53:28", NULL, NULL, t);
    expect_time("2026-10-05T16:03:07.000001+02:00", NULL, NULL, t + 1);
    expect_time("0001-01-01", NULL, NULL, -719162 * DAY);
    expect_time("9999-12-31T23:59:59.999999Z", NULL, NULL, 2932897 * DAY - 1);
    expect_time("1969-12-31T23:59:59.999999Z", NULL, NULL, -1);
    expect_time("2024-02-29", NULL, NULL, utc(2024, 2, 29, 0, 0, 0));
    expect_time("2000-02-29", NULL, NULL, utc(2000, 2, 29, 0, 0, 0));
}

static void test_iso_in_zone(void)
{
    ktz *tz = open_tz("Europe/Berlin");
    expect_time("2026-10-05 14:03", NULL, tz, utc(2026, 10, 5, 12, 3, 0));
    expect_time("2026-01-05 14:03", NULL, tz, utc(2026, 1, 5, 13, 3, 0));
    expect_time("2026-10-05", NULL, tz, utc(2026, 10, 4, 22, 0, 0)); /* local midnight */
    expect_time("2026-03-29 02:30", NULL, tz, utc(2026, 3, 29, 1, 30, 0));
    expect_time("2026-10-25 02:30", NULL, tz, utc(2026, 10, 25, 0, 30, 0));
    expect_time("2026-10-05T14:03Z", NULL, tz, utc(2026, 10, 5, 14, 3, 0)); /* zone ignored */
    expect_time("2026-10-05T14:03-04:00", NULL, tz, utc(2026, 10, 5, 18, 3, 0));
    ktz *ny = open_tz("America/New_York");
    expect_time("2026-10-05 14:03", NULL, ny, utc(2026, 10, 5, 18, 3, 0));
    ktz_close(ny);
    ktz_close(tz);
}

static void test_iso_refused(void)
{
    expect_refused("", NULL, "empty value");
    expect_refused("   ", NULL, "empty value");
    expect_refused("2026-13-01", NULL, "month 13 out of range");
    expect_refused("2026-00-01", NULL, "month 0 out of range");
    expect_refused("2026-04-31", NULL, "day 31 out of range for 2026-04");
    expect_refused("2026-10-00", NULL, "day 0 out of range for 2026-10");
    expect_refused("2025-02-29", NULL, "day 29 out of range for 2025-02");
    expect_refused("1900-02-29", NULL, "day 29 out of range for 1900-02");
    expect_refused("0000-01-01", NULL, "year 0 out of range");
    expect_refused("2026/10/05", NULL, "expected '-' at position 5");
    expect_refused("2026-1-05", NULL, "expected 2 digits at position 6");
    expect_refused("26-10-05", NULL, "expected 4 digits at position 1");
    expect_refused("20261005", NULL, "expected '-' at position 5");
    expect_refused("2026-10-05T14:03:07x", NULL, "trailing characters 'x'");
    expect_refused("2026-10-05x", NULL, "trailing characters 'x'");
    expect_refused("2026-10-05 14:03 CEST", NULL, "trailing characters ' CEST'");
    expect_refused("2026-10-05T14:03:07+02:00 and more text that goes on", NULL,
                   "trailing characters ' and more text that goes...'");
    expect_refused("2026-10-05T", NULL, "expected 2 digits at position 12");
    expect_refused("2026-10-05T14", NULL, "expected ':' at position 14");
    expect_refused("2026-10-05T24:00:00", NULL, "hour 24 out of range");
    expect_refused("2026-10-05T12:60", NULL, "minute 60 out of range");
    expect_refused("2026-10-05T12:00:60", NULL, "second 60 out of range");
    expect_refused("2026-10-05T12:00:00.", NULL, "expected digit at position 21");
    expect_refused("2026-10-05T12:00:00.1234567890", NULL, "trailing characters '0'");
    expect_refused("2026-10-05T12:00:00+2", NULL, "expected 2 digits at position 21");
    expect_refused("2026-10-05T12:00:00+24:00", NULL, "offset +24:00 out of range");
    expect_refused("2026-10-05T12:00:00+02:60", NULL, "offset +02:60 out of range");
    expect_refused("2026-10-05T12:00:00+020", NULL, "expected 2 digits at position 23");
    expect_refused("2026-10-05Z", NULL, "trailing characters 'Z'");
    expect_refused("2026-10-05\x01", NULL, "trailing characters '?'");
    /* a long excerpt is cut on a character boundary: 23 bytes and then a 2-byte 'é' */
    expect_refused("2026-10-05 12:00 abcdefghijklmnopqrstuvé and more", NULL,
                   "trailing characters ' abcdefghijklmnopqrstuv...'");
    char why[8];
    int64_t t;
    CHECK(!ktime_parse(KSTR("2026-13-01"), NULL, NULL, &t, why, sizeof why));
    CHECK_STR(why, "month 1");
    CHECK(!ktime_parse(KSTR("2026-13-01"), NULL, NULL, &t, NULL, 0));
}

/*
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" and that with 'Z' have a fast path of their own; the
 * same value with ".0" seconds (or a date with "T00:00") goes through the full ISO reader.
 * Random digits in those shapes, in range or not, must get the same answer both ways.
 */
static void test_iso_fast_path_agrees(void)
{
    uint64_t rng = 777;
    int disagreements = 0;
    for (int k = 0; k < 100000; k++) {
        uint64_t r = tap_rand(&rng) >> 7;
        int y = (int)(r % 10000), mo = (int)((r >> 14) % 15), d = (int)((r >> 18) % 34);
        int h = (int)((r >> 24) % 26), mi = (int)((r >> 29) % 62), sec = (int)((r >> 35) % 62);
        int shape = (int)((r >> 41) % 3);
        char fast[40], full[48];
        if (shape == 0) {
            snprintf(fast, sizeof fast, "%04d-%02d-%02d", y, mo, d);
            snprintf(full, sizeof full, "%sT00:00", fast);
        } else {
            snprintf(fast, sizeof fast, "%04d-%02d-%02d%c%02d:%02d:%02d%s", y, mo, d,
                     "Tt "[(r >> 43) % 3], h, mi, sec, shape == 2 ? "Z" : "");
            snprintf(full, sizeof full, "%.19s.0%s", fast, shape == 2 ? "Z" : "");
        }
        char why1[128] = "", why2[128] = "";
        int64_t a = 0, b = 0;
        bool ok1 = ktime_parse(kstr_c(fast), NULL, NULL, &a, why1, sizeof why1);
        bool ok2 = ktime_parse(kstr_c(full), NULL, NULL, &b, why2, sizeof why2);
        int64_t da = 0, db = 0;
        bool ok3 = kdate_parse(kstr_c(fast), NULL, &da, why1, sizeof why1);
        bool ok4 = kdate_parse(kstr_c(full), NULL, &db, why2, sizeof why2);
        bool same = ok1 == ok2 && (!ok1 || a == b) && ok3 == ok4 && (!ok3 || da == db) &&
                    (ok1 || strcmp(why1, why2) == 0);
        if (!same && disagreements++ < 5) {
            printf("#   '%s' %s %lld / '%s' %s %lld\n", fast, ok1 ? "ok" : why1, (long long)a, full,
                   ok2 ? "ok" : why2, (long long)b);
            tap_cur_failed = 1;
        }
    }
}

/* ---- custom formats -------------------------------------------------------------------- */

static void test_formats(void)
{
    expect_time("3/7/2016", "%m/%d/%Y", NULL, utc(2016, 3, 7, 0, 0, 0));
    expect_time("12/31/2016", "%m/%d/%Y", NULL, utc(2016, 12, 31, 0, 0, 0));
    expect_time("03/07/2016", "%m/%d/%Y", NULL, utc(2016, 3, 7, 0, 0, 0));
    ktz *tz = open_tz("Europe/Berlin");
    expect_time("05.10.2026 14:03", "%d.%m.%Y %H:%M", tz, utc(2026, 10, 5, 12, 3, 0));
    expect_time("5.1.2026 9:07", "%d.%m.%Y %H:%M", tz, utc(2026, 1, 5, 8, 7, 0));
    ktz_close(tz);
    expect_time("Mar 7, 2016", "%b %d, %Y", NULL, utc(2016, 3, 7, 0, 0, 0));
    expect_time("march 07, 2016", "%b %d, %Y", NULL, utc(2016, 3, 7, 0, 0, 0));
    expect_time("SEPT 1, 2016", "%B %d, %Y", NULL, utc(2016, 9, 1, 0, 0, 0));
    expect_time("May 1,  2016", "%B %d, %Y", NULL, utc(2016, 5, 1, 0, 0, 0));
    expect_time("October  5 2026", "%B %e %Y", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("2026-10- 5", "%Y-%m-%e", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("05-Oct-26", "%d-%b-%y", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("05/10/68", "%d/%m/%y", NULL, utc(2068, 10, 5, 0, 0, 0));
    expect_time("05/10/69", "%d/%m/%y", NULL, utc(1969, 10, 5, 0, 0, 0));
    expect_time("05/10/00", "%d/%m/%y", NULL, utc(2000, 10, 5, 0, 0, 0));
    expect_time("2026-10-05 12:15 AM", "%Y-%m-%d %I:%M %p", NULL, utc(2026, 10, 5, 0, 15, 0));
    expect_time("2026-10-05 12:15 pm", "%Y-%m-%d %I:%M %p", NULL, utc(2026, 10, 5, 12, 15, 0));
    expect_time("2026-10-05 1:05 PM", "%Y-%m-%d %I:%M %p", NULL, utc(2026, 10, 5, 13, 5, 0));
    expect_time("2026-10-05 11:05", "%Y-%m-%d %I:%M", NULL, utc(2026, 10, 5, 11, 5, 0));
    expect_time("2024-366", "%Y-%j", NULL, utc(2024, 12, 31, 0, 0, 0));
    expect_time("2026-278", "%Y-%j", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("2026-10-05 278", "%F %j", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("20261005160307+0200", "%Y%m%d%H%M%S%z", NULL, utc(2026, 10, 5, 14, 3, 7));
    expect_time("2026-10-05 14:03:07 Z", "%F %T %z", NULL, utc(2026, 10, 5, 14, 3, 7));
    expect_time("2026-10-05 14:03:07.25", "%F %T.%f", NULL, utc(2026, 10, 5, 14, 3, 7) + 250000);
    expect_time("2026-10-05 14:03:07.000123", "%F %T.%f", NULL, utc(2026, 10, 5, 14, 3, 7) + 123);
    expect_time("10/05/26", "%D", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("2026-10-05%", "%F%%", NULL, utc(2026, 10, 5, 0, 0, 0));
    expect_time("2026", "%Y", NULL, utc(2026, 1, 1, 0, 0, 0));
    expect_time("2026-10", "%Y-%m", NULL, utc(2026, 10, 1, 0, 0, 0));
    expect_time("2026-10-05T14:03:07Z", "%Y-%m-%dT%H:%M:%S%z", NULL, utc(2026, 10, 5, 14, 3, 7));
}

static void test_formats_refused(void)
{
    expect_refused("Foo 7, 2016", "%b %d, %Y", "unknown month name 'Foo'");
    expect_refused("7, 2016", "%b %d, %Y", "expected month name at position 1");
    expect_refused("3/7/16", "%m/%d/%Y", "expected 4 digits at position 5");
    expect_refused("/7/2016", "%m/%d/%Y", "expected digit at position 1");
    expect_refused("13/7/2016", "%m/%d/%Y", "month 13 out of range");
    expect_refused("2/30/2016", "%m/%d/%Y", "day 30 out of range for 2016-02");
    expect_refused("3-7-2016", "%m/%d/%Y", "expected '/' at position 2");
    expect_refused("3/7/2016 12:00", "%m/%d/%Y", "trailing characters ' 12:00'");
    expect_refused("05.10.2026", "%d.%m.%Y %H:%M", "expected ' ' at position 11");
    expect_refused("05.10.2026 25:00", "%d.%m.%Y %H:%M", "hour 25 out of range");
    expect_refused("2026-10-05 13:00 PM", "%Y-%m-%d %I:%M %p",
                   "hour 13 out of range for a 12-hour clock");
    expect_refused("2026-10-05 0:00 AM", "%Y-%m-%d %I:%M %p",
                   "hour 0 out of range for a 12-hour clock");
    expect_refused("2026-10-05 1:00 XM", "%Y-%m-%d %I:%M %p",
                   "expected 'AM' or 'PM' at position 17");
    expect_refused("2026-366", "%Y-%j", "day of year 366 out of range for 2026");
    expect_refused("2026-10-06 278", "%F %j", "day of year 278 does not match the month and day");
    expect_refused("10/05", "%m/%d", "format has no year (%Y, %y or %F)");
    expect_refused("2026", "%Y%Q", "unsupported conversion '%Q' in format");
    expect_refused("2026", "%Y%", "format ends with a lone '%'");
    expect_refused("2026-10-05 14:03:07.1234567", "%F %T.%f", "trailing characters '7'");
    expect_refused("2026-10-05 14:03:07 +25", "%F %T %z", "offset +25:00 out of range");
    expect_refused("2026-10-05 14:03:07 CEST", "%F %T %z",
                   "expected offset ('Z' or '+hh:mm') at position 21");
    expect_refused("", "%F", "empty value");
}

/* ---- dates ----------------------------------------------------------------------------- */

static void test_dates(void)
{
    char why[128] = "";
    int64_t d = 0;
    CHECK(kdate_parse(KSTR("2026-10-05"), NULL, &d, why, sizeof why));
    CHECK_EQ_INT(d, 20731);
    CHECK(kdate_parse(KSTR("1969-12-31"), NULL, &d, why, sizeof why));
    CHECK_EQ_INT(d, -1);
    CHECK(kdate_parse(KSTR("2026-10-05T23:30:00-05:00"), NULL, &d, why, sizeof why));
    CHECK_EQ_INT(d, 20731); /* the date as written */
    CHECK(kdate_parse(KSTR("05.10.2026"), "%d.%m.%Y", &d, why, sizeof why));
    CHECK_EQ_INT(d, 20731);
    CHECK(kdate_parse(KSTR("05.10.2026 23:59"), "%d.%m.%Y %H:%M", &d, why, sizeof why));
    CHECK_EQ_INT(d, 20731);
    CHECK(kdate_parse(KSTR("Oct 5, 2026"), "%b %e, %Y", &d, why, sizeof why));
    CHECK_EQ_INT(d, 20731);
    CHECK(!kdate_parse(KSTR("2026-02-29"), NULL, &d, why, sizeof why));
    CHECK_STR(why, "day 29 out of range for 2026-02");
    CHECK(!kdate_parse(KSTR("05.10.2026 24:00"), "%d.%m.%Y %H:%M", &d, why, sizeof why));
    CHECK_STR(why, "hour 24 out of range");
    CHECK(!kdate_parse(KSTR("10/05/2026"), NULL, &d, why, sizeof why));
    CHECK_STR(why, "expected 4 digits at position 1");
}

/* Whatever ktz_format writes, ktime_parse reads back to the same instant. */
static void test_format_parse_round_trip(void)
{
    const char *zones[] = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"};
    for (size_t z = 0; z < 4; z++) {
        ktz *tz = open_tz(zones[z]);
        uint64_t x = 88172645463325252u;
        int bad = 0;
        for (int i = 0; i < 20000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int64_t span = utc(9999, 12, 31, 0, 0, 0) - utc(1, 1, 2, 0, 0, 0);
            int64_t t = utc(1, 1, 2, 0, 0, 0) + (int64_t)(x % (uint64_t)span);
            if (i % 3 == 0)
                t -= t % US;
            char buf[64], why[128];
            int64_t back = 0;
            ktz_format(tz, t, buf, sizeof buf);
            if (!ktime_parse(kstr_c(buf), NULL, NULL, &back, why, sizeof why) || back != t) {
                if (bad++ < 3)
                    printf("#   %s %lld -> %s (%s)\n", zones[z], (long long)t, buf, why);
            }
        }
        CHECK_EQ_INT(bad, 0);
        ktz_close(tz);
    }
}

int main(void)
{
    RUN(test_civil_known_days);
    RUN(test_civil_round_trip);
    RUN(test_civil_extremes);
    RUN(test_leap_years);
    RUN(test_weekdays);
    RUN(test_tz_utc);
    RUN(test_tz_unknown);
    RUN(test_tz_berlin_offsets);
    RUN(test_tz_berlin_gap_and_overlap);
    RUN(test_tz_new_york);
    RUN(test_tz_sydney);
    RUN(test_tz_kolkata);
    RUN(test_tz_day_of);
    RUN(test_tz_sweep);
    RUN(test_iso_forms);
    RUN(test_iso_in_zone);
    RUN(test_iso_refused);
    RUN(test_iso_fast_path_agrees);
    RUN(test_formats);
    RUN(test_formats_refused);
    RUN(test_dates);
    RUN(test_format_parse_round_trip);
    return tap_done();
}
