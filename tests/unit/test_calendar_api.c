/*
 * test_calendar_api.c - the calendar of include/kpi.h for clients (lib/api/calendar_api.c):
 * day numbers and civil dates, ISO weekdays, and IANA time zones with their DST gap and
 * overlap, through the public header only, as the demo generator (src/demo/) uses them.
 */
#include "../tap.h"
#include "kpi.h"

#include <stdbool.h>

static const int64_t US = 1000000, HOUR = 3600 * 1000000LL, DAY = 86400 * 1000000LL;

static void test_days_and_dates(void)
{
    CHECK_EQ_INT(kpi_days_from_date(1970, 1, 1), 0);
    CHECK_EQ_INT(kpi_days_from_date(2026, 11, 23), 20780);
    CHECK_EQ_INT(kpi_days_from_date(1969, 12, 31), -1);
    CHECK_EQ_INT(kpi_days_from_date(2024, 3, 1) - kpi_days_from_date(2024, 2, 28), 2); /* leap */
    CHECK_EQ_INT(kpi_days_from_date(2026, 2, 31), kpi_days_from_date(2026, 3, 3)); /* unchecked */
    /* every day of four centuries round-trips, one day after another */
    int64_t first = kpi_days_from_date(1900, 1, 1), last = kpi_days_from_date(2300, 1, 1);
    int64_t y, prev_y = 1899;
    int m, d, prev_m = 12, prev_d = 31, bad = 0;
    for (int64_t day = first; day < last; day++) {
        kpi_date_from_days(day, &y, &m, &d);
        bool next = (y == prev_y && m == prev_m && d == prev_d + 1) ||
                    (y == prev_y && m == prev_m + 1 && d == 1) ||
                    (y == prev_y + 1 && m == 1 && d == 1);
        if (!next || kpi_days_from_date(y, m, d) != day)
            bad++;
        prev_y = y, prev_m = m, prev_d = d;
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_weekday(void)
{
    CHECK_EQ_INT(kpi_weekday(0), 4);                                /* 1970-01-01, a Thursday */
    CHECK_EQ_INT(kpi_weekday(kpi_days_from_date(2026, 11, 23)), 1); /* a Monday */
    CHECK_EQ_INT(kpi_weekday(kpi_days_from_date(2026, 11, 29)), 7);
    CHECK_EQ_INT(kpi_weekday(-1), 3);
}

static void test_timezone(void)
{
    kpi_error err;
    kpi_error_init(&err);
    kpi_timezone *tz;
    CHECK_EQ_INT(kpi_timezone_create("America/Chicago", &tz, &err), KPI_OK);
    if (!tz)
        return;
    int64_t nov23 = kpi_days_from_date(2026, 11, 23), jul1 = kpi_days_from_date(2026, 7, 1);
    /* CST in November, CDT in July */
    CHECK_EQ_INT(kpi_timezone_offset(tz, nov23 * DAY), -6 * 3600);
    CHECK_EQ_INT(kpi_timezone_offset(tz, jul1 * DAY), -5 * 3600);
    CHECK_EQ_INT(kpi_timezone_to_utc(tz, nov23 * DAY + 9 * HOUR), nov23 * DAY + 15 * HOUR);
    /* 05:59 UTC is still yesterday in Chicago, 06:00 is today */
    CHECK_EQ_INT(kpi_timezone_day(tz, nov23 * DAY + 6 * HOUR - US), nov23 - 1);
    CHECK_EQ_INT(kpi_timezone_day(tz, nov23 * DAY + 6 * HOUR), nov23);
    /* 2026-03-08 02:30 does not exist (moved on by the gap); 2026-11-01 01:30 happens twice
     * (the earlier, CDT) */
    int64_t mar8 = kpi_days_from_date(2026, 3, 8), nov1 = kpi_days_from_date(2026, 11, 1);
    CHECK_EQ_INT(kpi_timezone_to_utc(tz, mar8 * DAY + 2 * HOUR + HOUR / 2),
                 mar8 * DAY + 8 * HOUR + HOUR / 2);
    CHECK_EQ_INT(kpi_timezone_to_utc(tz, nov1 * DAY + HOUR + HOUR / 2),
                 nov1 * DAY + 6 * HOUR + HOUR / 2);
    kpi_timezone_destroy(tz);
    kpi_timezone_destroy(NULL);
}

static void test_unknown_timezone(void)
{
    kpi_error err;
    kpi_error_init(&err);
    kpi_timezone *tz = (kpi_timezone *)&err;
    CHECK_EQ_INT(kpi_timezone_create("America/Chicagoo", &tz, &err), KPI_DEFINITION);
    CHECK(tz == NULL);
    CHECK_CONTAINS(err.message, "unknown time zone 'America/Chicagoo'");
    CHECK_CONTAINS(err.message, "America/Chicago");
}

int main(void)
{
    RUN(test_days_and_dates);
    RUN(test_weekday);
    RUN(test_timezone);
    RUN(test_unknown_timezone);
    return tap_done();
}
