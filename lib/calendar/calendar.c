/*
 * calendar.c - period arithmetic on local day numbers: the period of a grain that holds a day,
 * shifting by whole periods, the same period last year, like-for-like to-date slices, and the
 * periods that cover a range. Pure integer arithmetic over the civil helpers of util/ktime.h:
 * no allocation, no global state. Period names (parsing and printing) are in period_names.c.
 *
 * Decisions on the edge cases (DESIGN §1 "Calendar" and the comparison semantics):
 *
 * - Settings. A NULL calendar, week_start 0 or any value outside 1..7 means ISO weeks
 *   (Monday); a fiscal_year_start outside 1..12 means 1. With fiscal_year_start 1 the fiscal
 *   year and quarters are the calendar year and quarters (still named "FY2026", "FY2026-Q1").
 * - Weeks start on week_start (ISO weekday numbers: 1 = Monday .. 7 = Sunday). Week 1 of
 *   week-year Y is the week that holds 4 January of Y, for every week_start; with Monday this
 *   is exactly ISO 8601 (the week of the first Thursday). Equivalently, a week belongs to the
 *   week-year of its fourth day (first + 3). A week-year has 52 or 53 weeks: the number of
 *   weeks between its week 1 and the next year's week 1. So 2020 and 2026 have a W53
 *   (2021-01-03 is 2020-W53, 2026-12-31 is 2026-W53), 2025 does not (2024-12-30 is 2025-W01).
 * - Fiscal years are named by the calendar year they end in; fiscal quarters start on the fiscal
 *   year's first month (fiscal_year_start 4: FY2027-Q1 = April..June 2026, FY2027-Q3 =
 *   October..December 2026).
 * - A period handed to shift, last_year and the slices is first normalised to the period of its
 *   grain that holds p.first (a KGRAIN_ALL range is used as it is).
 * - kperiod_shift moves by whole periods: calendar-true months (March -> February, whatever
 *   their lengths), quarters and years as 3 and 12 months, weeks as 7 days. KGRAIN_ALL moves by
 *   n times the range's length in days (an empty range stays where it is).
 * - kperiod_last_year: a day keeps its date (29 February -> 28 February); a week keeps its
 *   number in the previous week-year (53 -> 52 when that year has no week 53); months,
 *   quarters, years and fiscal periods move 12 months back. KGRAIN_ALL: the first day keeps its
 *   date (29 February -> 28 February); the last day keeps its date too, except that a last day
 *   of a month becomes the last day of that month a year earlier (2025-02-28 -> 2024-02-29,
 *   2024-02-29 -> 2023-02-28), so ranges of whole months stay whole months.
 * - Slices: kperiod_slice keeps the days of `whole` from its start through `through`, clamped
 *   to whole: a `through` after the period gives the whole period, one before its start gives
 *   the empty slice [first, first). The shifted and last-year slices have the same number of
 *   days from their period's start, clamped to that period's length ("like for like": through
 *   31 March, the month before is 1..28 February; through a leap 29 February, last year is
 *   1..28 February). An empty slice stays empty.
 * - kperiods_between counts arithmetically, so the count is exact and cheap whatever cap is;
 *   from > to covers nothing (0). KGRAIN_ALL gives the one period [from, to + 1).
 * - Day numbers are expected within the civil helpers' range (years 1..9999 are the names'
 *   range; arithmetic beyond it is correct as long as nothing overflows int64).
 */
#include "calendar.h"

/* a / b rounded toward minus infinity, for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* ---- settings -------------------------------------------------------------------------- */

/* The ISO weekday (1 = Monday .. 7 = Sunday) weeks start on. */
static int week_start_day(const kcalendar *cal)
{
    int w = cal ? cal->week_start : 1;
    return (w >= 1 && w <= 7) ? w : 1;
}

/* The month (1..12) fiscal years start in. */
static int fiscal_start_month(const kcalendar *cal)
{
    int m = cal ? cal->fiscal_year_start : 1;
    return (m >= 1 && m <= 12) ? m : 1;
}

/* ---- months as one running number -------------------------------------------------------- */

/* Months since January of year 0: year * 12 + month - 1. */
static int64_t month_number(int64_t day)
{
    int64_t y;
    int m, d;
    kcivil_from_days(day, &y, &m, &d);
    return y * 12 + (m - 1);
}

/* The first day of a month number. */
static int64_t month_first_day(int64_t mn)
{
    int64_t y = floor_div(mn, 12);
    return kdays_from_civil(y, (int)(mn - y * 12) + 1, 1);
}

/* The months in one period of a month-based grain; 0 for day, week and all. */
static int grain_months(kgrain g)
{
    switch (g) {
    case KGRAIN_MONTH:
        return 1;
    case KGRAIN_QUARTER:
    case KGRAIN_FISCAL_QUARTER:
        return 3;
    case KGRAIN_YEAR:
    case KGRAIN_FISCAL_YEAR:
        return 12;
    default:
        return 0;
    }
}

/* The month number that starts the period of month-based grain g holding month mn: calendar
 * periods are aligned on January, fiscal ones on the fiscal start month. */
static int64_t period_first_month(const kcalendar *cal, kgrain g, int64_t mn)
{
    int k = grain_months(g);
    int64_t anchor =
        (g == KGRAIN_FISCAL_QUARTER || g == KGRAIN_FISCAL_YEAR) ? fiscal_start_month(cal) - 1 : 0;
    return anchor + floor_div(mn - anchor, k) * k;
}

/* The period of k months starting at month number mn. */
static kperiod month_period(kgrain g, int64_t mn, int k)
{
    return (kperiod){g, month_first_day(mn), month_first_day(mn + k)};
}

/* ---- weeks ----------------------------------------------------------------------------- */

/* The first day of the week holding day. */
static int64_t week_first_day(const kcalendar *cal, int64_t day)
{
    return day - (kweekday_from_days(day) - week_start_day(cal) + 7) % 7;
}

/* The first day of week 1 of week-year y: the week holding 4 January. */
static int64_t week1_first_day(const kcalendar *cal, int64_t y)
{
    return week_first_day(cal, kdays_from_civil(y, 1, 4));
}

/* The week-year of the week starting on week_first: the year of its fourth day. */
static int64_t week_year(int64_t week_first)
{
    int64_t y;
    int m, d;
    kcivil_from_days(week_first + 3, &y, &m, &d);
    return y;
}

/* ---- periods --------------------------------------------------------------------------- */

kperiod kperiod_of(const kcalendar *cal, kgrain g, int64_t day)
{
    switch (g) {
    case KGRAIN_WEEK: {
        int64_t first = week_first_day(cal, day);
        return (kperiod){g, first, first + 7};
    }
    case KGRAIN_MONTH:
    case KGRAIN_QUARTER:
    case KGRAIN_YEAR:
    case KGRAIN_FISCAL_QUARTER:
    case KGRAIN_FISCAL_YEAR:
        return month_period(g, period_first_month(cal, g, month_number(day)), grain_months(g));
    case KGRAIN_DAY:
    case KGRAIN_ALL:
    default:
        return (kperiod){g, day, day + 1};
    }
}

kperiod kperiod_shift(const kcalendar *cal, kperiod p, int n)
{
    int k = grain_months(p.grain);
    if (k > 0) {
        int64_t mn = period_first_month(cal, p.grain, month_number(p.first));
        return month_period(p.grain, mn + (int64_t)n * k, k);
    }
    if (p.grain == KGRAIN_ALL) {
        int64_t len = p.end > p.first ? p.end - p.first : 0;
        return (kperiod){p.grain, p.first + n * len, p.first + n * len + len};
    }
    kperiod q = kperiod_of(cal, p.grain, p.first);
    int64_t step = (q.end - q.first) * n;
    return (kperiod){q.grain, q.first + step, q.end + step};
}

/* The same date a year earlier; 29 February becomes 28 February. With month_end, a last day of
 * a month becomes the last day of that month (28 February 2025 -> 29 February 2024). */
static int64_t same_date_last_year(int64_t day, bool month_end)
{
    int64_t y;
    int m, d;
    kcivil_from_days(day, &y, &m, &d);
    int len = kdays_in_month(y - 1, m);
    if (d > len || (month_end && d == kdays_in_month(y, m)))
        d = len;
    return kdays_from_civil(y - 1, m, d);
}

kperiod kperiod_last_year(const kcalendar *cal, kperiod p)
{
    int k = grain_months(p.grain);
    if (k > 0)
        return kperiod_shift(cal, p, -(12 / k));
    switch (p.grain) {
    case KGRAIN_WEEK: {
        int64_t first = week_first_day(cal, p.first);
        int64_t y = week_year(first);
        int64_t w1 = week1_first_day(cal, y), prev_w1 = week1_first_day(cal, y - 1);
        int64_t week = (first - w1) / 7, prev_weeks = (w1 - prev_w1) / 7; /* week is 0-based */
        if (week >= prev_weeks)
            week = prev_weeks - 1;
        return (kperiod){p.grain, prev_w1 + 7 * week, prev_w1 + 7 * week + 7};
    }
    case KGRAIN_ALL: {
        int64_t first = same_date_last_year(p.first, false);
        if (p.end <= p.first)
            return (kperiod){p.grain, first, first};
        return (kperiod){p.grain, first, same_date_last_year(p.end - 1, true) + 1};
    }
    case KGRAIN_DAY:
    default: {
        int64_t day = same_date_last_year(p.first, false);
        return (kperiod){p.grain, day, day + 1};
    }
    }
}

/* ---- to-date slices -------------------------------------------------------------------- */

kperiod kperiod_slice(kperiod whole, int64_t through)
{
    int64_t end;
    if (whole.end <= whole.first || through < whole.first)
        end = whole.first;
    else if (through >= whole.end - 1)
        end = whole.end;
    else
        end = through + 1;
    return (kperiod){whole.grain, whole.first, end};
}

/* The first `days` days of target, clamped to its length. */
static kperiod leading_days(kperiod target, int64_t days)
{
    int64_t len = target.end > target.first ? target.end - target.first : 0;
    return (kperiod){target.grain, target.first, target.first + (days < len ? days : len)};
}

kperiod kperiod_slice_shift(const kcalendar *cal, kperiod whole, int64_t through, int n)
{
    if (whole.grain != KGRAIN_ALL)
        whole = kperiod_of(cal, whole.grain, whole.first);
    kperiod s = kperiod_slice(whole, through);
    return leading_days(kperiod_shift(cal, whole, n), s.end - s.first);
}

kperiod kperiod_slice_last_year(const kcalendar *cal, kperiod whole, int64_t through)
{
    if (whole.grain != KGRAIN_ALL)
        whole = kperiod_of(cal, whole.grain, whole.first);
    kperiod s = kperiod_slice(whole, through);
    return leading_days(kperiod_last_year(cal, whole), s.end - s.first);
}

/* ---- ranges ---------------------------------------------------------------------------- */

size_t kperiods_between(const kcalendar *cal, kgrain g, int64_t from, int64_t to, kperiod *out,
                        size_t cap)
{
    if (to < from)
        return 0;
    if (g == KGRAIN_ALL) {
        if (cap > 0 && out)
            out[0] = (kperiod){g, from, to + 1};
        return 1;
    }
    int64_t count;
    int k = grain_months(g);
    if (k > 0) {
        int64_t last = period_first_month(cal, g, month_number(to));
        count = (last - period_first_month(cal, g, month_number(from))) / k + 1;
    } else if (g == KGRAIN_WEEK) {
        count = (week_first_day(cal, to) - week_first_day(cal, from)) / 7 + 1;
    } else {
        count = to - from + 1;
    }
    if (!out)
        cap = 0;
    kperiod p = kperiod_of(cal, g, from);
    for (size_t i = 0; i < cap && (int64_t)i < count; i++) {
        out[i] = p;
        p = kperiod_shift(cal, p, 1);
    }
    return (size_t)count;
}

/* ---- starts ---------------------------------------------------------------------------- */

int64_t kyear_start(const kcalendar *cal, int64_t day, bool fiscal)
{
    return kperiod_of(cal, fiscal ? KGRAIN_FISCAL_YEAR : KGRAIN_YEAR, day).first;
}

int64_t kquarter_start(const kcalendar *cal, int64_t day, bool fiscal)
{
    return kperiod_of(cal, fiscal ? KGRAIN_FISCAL_QUARTER : KGRAIN_QUARTER, day).first;
}

int64_t kmonth_start(int64_t day)
{
    return month_first_day(month_number(day));
}
