/*
 * civil.c - the proleptic Gregorian calendar as day numbers: every date in kpi is stored as
 * days since 1970-01-01, and these functions convert to and from (year, month, day) without
 * tables, loops or the C library (whose time functions depend on TZ and stop at 1900 or 1970).
 *
 * The method counts in 400-year eras of 146097 days, with years starting on March 1st so that
 * the leap day falls at the end of the year; this is the arithmetic Howard Hinnant describes
 * in "chrono-Compatible Low-Level Date Algorithms", re-derived here for int64 and with floor
 * division so that it is exact on both sides of the epoch.
 */
#include "ktime.h"

#include <stdio.h>

enum {
    DAYS_PER_ERA = 146097,          /* 400 Gregorian years */
    EPOCH_FROM_0000_03_01 = 719468, /* days from 0000-03-01 to 1970-01-01 */
};

/* a / b rounded toward minus infinity, for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* The day of a March-based year (0 = March 1st) of month m (1..12) and day d. */
static int64_t day_of_march_year(int month, int day)
{
    int mp = month > 2 ? month - 3 : month + 9; /* March = 0 .. February = 11 */
    return (153 * mp + 2) / 5 + day - 1;
}

int64_t kdays_from_civil(int64_t year, int month, int day)
{
    int64_t y = month <= 2 ? year - 1 : year; /* January and February end the previous year */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400; /* 0..399 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + day_of_march_year(month, day);
    return era * DAYS_PER_ERA + doe - EPOCH_FROM_0000_03_01;
}

/*
 * The era is split off (as quotient and remainder, never multiplied back) before the epoch
 * shift is added, so that no day number, not even INT64_MIN or INT64_MAX, overflows.
 */
void kcivil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t era = days / DAYS_PER_ERA, rem = days % DAYS_PER_ERA;
    if (rem < 0) {
        rem += DAYS_PER_ERA;
        era--;
    }
    int64_t z = rem + EPOCH_FROM_0000_03_01; /* 0 .. 2 eras */
    era += z / DAYS_PER_ERA;
    int64_t doe = z % DAYS_PER_ERA;                                      /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0..11 */
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = m;
    *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int kdays_in_month(int64_t year, int month)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month != 2)
        return days[month - 1];
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
}

/* 1970-01-01 was a Thursday (ISO weekday 4). */
int kweekday_from_days(int64_t days)
{
    int64_t r = days % 7;
    if (r < 0)
        r += 7;
    return (int)((r + 3) % 7) + 1;
}

void kdays_format(int64_t days, char *buf, size_t cap)
{
    int64_t y;
    int m, d;
    kcivil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04lld-%02d-%02d", (long long)y, m, d);
}
