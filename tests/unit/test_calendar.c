/*
 * test_calendar.c - grains and period names, ISO and custom-start weeks, fiscal years, period
 * arithmetic (shift, last year, like-for-like slices, ranges) and the exact reasons given for
 * refused period names. Expectations are checked by hand against a printed calendar; the
 * property loops then check every day of twenty years for every grain and calendar.
 */
#include "../tap.h"
#include "calendar/calendar.h"

static const kcalendar ISO = {.week_start = 0, .fiscal_year_start = 1};
static const kcalendar SUNDAY = {.week_start = 7, .fiscal_year_start = 1};
static const kcalendar FISCAL_APRIL = {.week_start = 1, .fiscal_year_start = 4};
static const kcalendar FISCAL_OCTOBER = {.week_start = 0, .fiscal_year_start = 10};

static const kgrain ALL_GRAINS[] = {KGRAIN_DAY,         KGRAIN_WEEK, KGRAIN_MONTH,
                                    KGRAIN_QUARTER,     KGRAIN_YEAR, KGRAIN_FISCAL_QUARTER,
                                    KGRAIN_FISCAL_YEAR, KGRAIN_ALL};
enum { NGRAINS = sizeof ALL_GRAINS / sizeof ALL_GRAINS[0] };

static int64_t D(int64_t y, int m, int d)
{
    return kdays_from_civil(y, m, d);
}

/* The name of p, in one of a few rotating static buffers (so two may appear in one check). */
static const char *name_of(const kcalendar *cal, kperiod p)
{
    static char bufs[4][64];
    static int next;
    char *b = bufs[next++ % 4];
    kperiod_name(cal, p, b, 64);
    return b;
}

static const char *name_at(const kcalendar *cal, kgrain g, int64_t y, int m, int d)
{
    return name_of(cal, kperiod_of(cal, g, D(y, m, d)));
}

/* The reason kperiod_parse gives for refusing s, or "(accepted)". */
static const char *refusal(const kcalendar *cal, const char *s)
{
    static char why[256];
    kperiod p;
    why[0] = '\0';
    if (kperiod_parse(cal, kstr_c(s), &p, why, sizeof why))
        return "(accepted)";
    return why;
}

/* Parses s, which must be accepted. */
static kperiod parsed(const kcalendar *cal, const char *s)
{
    char why[256] = "";
    kperiod p = {KGRAIN_ALL, 0, 0};
    if (!kperiod_parse(cal, kstr_c(s), &p, why, sizeof why))
        printf("#   '%s' refused: %s\n", s, why);
    return p;
}

#define CHECK_PERIOD(p, g, fy, fm, fd, ly, lm, ld)                                                 \
    do {                                                                                           \
        kperiod tp_ = (p);                                                                         \
        CHECK_EQ_INT(tp_.grain, g);                                                                \
        CHECK_EQ_INT(tp_.first, D(fy, fm, fd));                                                    \
        CHECK_EQ_INT(tp_.end, D(ly, lm, ld) + 1);                                                  \
    } while (0)

/* ---- grains ---------------------------------------------------------------------------- */

static void test_grain_names(void)
{
    const char *names[] = {"day",  "week",           "month",       "quarter",
                           "year", "fiscal_quarter", "fiscal_year", "all"};
    for (int i = 0; i < NGRAINS; i++) {
        kgrain g = KGRAIN_ALL;
        CHECK_STR(kgrain_name(ALL_GRAINS[i]), names[i]);
        CHECK(kgrain_parse(kstr_c(names[i]), &g));
        CHECK_EQ_INT(g, ALL_GRAINS[i]);
    }
    kgrain g;
    CHECK(!kgrain_parse(KSTR("Day"), &g));
    CHECK(!kgrain_parse(KSTR("weeks"), &g));
    CHECK(!kgrain_parse(KSTR("fiscal quarter"), &g));
    CHECK(!kgrain_parse(KSTR(""), &g));
    CHECK_STR(kgrain_name((kgrain)42), "unknown");
}

/* ---- weeks ----------------------------------------------------------------------------- */

static void test_iso_weeks(void)
{
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2026, 10, 5), "2026-W41");  /* a Monday */
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2026, 10, 11), "2026-W41"); /* its Sunday */
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2026, 10, 4), "2026-W40");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2021, 1, 3), "2020-W53");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2021, 1, 4), "2021-W01");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2024, 12, 30), "2025-W01");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2024, 12, 29), "2024-W52");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2026, 12, 31), "2026-W53");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2027, 1, 3), "2026-W53");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2027, 1, 4), "2027-W01");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2026, 1, 1), "2026-W01"); /* a Thursday */
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2025, 12, 29), "2026-W01");
    CHECK_STR(name_at(&ISO, KGRAIN_WEEK, 2016, 1, 1), "2015-W53"); /* a Friday */
    /* week_start 1 (monday) is ISO too */
    kcalendar monday = {.week_start = 1, .fiscal_year_start = 1};
    CHECK_STR(name_at(&monday, KGRAIN_WEEK, 2021, 1, 3), "2020-W53");
    /* the 53-week ISO years of 2000..2030 */
    const int long_years[] = {2004, 2009, 2015, 2020, 2026};
    size_t k = 0;
    for (int y = 2000; y <= 2030; y++) {
        char s[16];
        snprintf(s, sizeof s, "%d-W53", y);
        bool has53 = k < 5 && long_years[k] == y;
        if (has53)
            k++;
        kperiod p;
        CHECK_EQ_INT(kperiod_parse(&ISO, kstr_c(s), &p, NULL, 0), has53);
    }
    CHECK_PERIOD(parsed(&ISO, "2026-W41"), KGRAIN_WEEK, 2026, 10, 5, 2026, 10, 11);
    CHECK_PERIOD(parsed(&ISO, "2020-W53"), KGRAIN_WEEK, 2020, 12, 28, 2021, 1, 3);
    CHECK_PERIOD(parsed(&ISO, "2025-W01"), KGRAIN_WEEK, 2024, 12, 30, 2025, 1, 5);
    CHECK_PERIOD(parsed(&ISO, "2026-w53"), KGRAIN_WEEK, 2026, 12, 28, 2027, 1, 3);
}

static void test_weeks_starting_sunday(void)
{
    /* 4 January 2026 is a Sunday, so week 1 of 2026 starts on it. */
    CHECK_PERIOD(kperiod_of(&SUNDAY, KGRAIN_WEEK, D(2026, 1, 7)), KGRAIN_WEEK, 2026, 1, 4, 2026, 1,
                 10);
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2026, 1, 4), "2026-W01");
    /* 3 January 2026 (Saturday) ends the week from Sunday 28 December 2025: week 53 of 2025,
     * whose week 1 started on Sunday 29 December 2024 (4 January 2025 is a Saturday). */
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2026, 1, 3), "2025-W53");
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2024, 12, 29), "2025-W01");
    /* 4 October 2026 is 273 days = 39 weeks after 4 January: week 40, Sunday to Saturday */
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2026, 10, 4), "2026-W40");
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2026, 10, 10), "2026-W40");
    CHECK_STR(name_at(&SUNDAY, KGRAIN_WEEK, 2026, 10, 3), "2026-W39");
    CHECK_PERIOD(parsed(&SUNDAY, "2026-W40"), KGRAIN_WEEK, 2026, 10, 4, 2026, 10, 10);
    CHECK_PERIOD(parsed(&SUNDAY, "2025-W53"), KGRAIN_WEEK, 2025, 12, 28, 2026, 1, 3);
    /* every week starts on a Sunday */
    for (int64_t d = D(2019, 1, 1); d <= D(2030, 12, 31); d++)
        if (kweekday_from_days(kperiod_of(&SUNDAY, KGRAIN_WEEK, d).first) != 7)
            CHECK(!"week does not start on Sunday");
    /* a Wednesday start: 4 January 2026 (Sunday) lies in the week from Wednesday 31 December */
    kcalendar wednesday = {.week_start = 3, .fiscal_year_start = 1};
    CHECK_PERIOD(kperiod_of(&wednesday, KGRAIN_WEEK, D(2026, 1, 4)), KGRAIN_WEEK, 2025, 12, 31,
                 2026, 1, 6);
    CHECK_STR(name_at(&wednesday, KGRAIN_WEEK, 2026, 1, 4), "2026-W01");
    CHECK_STR(name_at(&wednesday, KGRAIN_WEEK, 2025, 12, 30), "2025-W52");
}

/* ---- months, quarters, years ------------------------------------------------------------ */

static void test_month_quarter_year(void)
{
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_DAY, D(2026, 10, 5)), KGRAIN_DAY, 2026, 10, 5, 2026, 10,
                 5);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_MONTH, D(2026, 1, 31)), KGRAIN_MONTH, 2026, 1, 1, 2026, 1,
                 31);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_MONTH, D(2026, 2, 1)), KGRAIN_MONTH, 2026, 2, 1, 2026, 2,
                 28);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_MONTH, D(2024, 2, 29)), KGRAIN_MONTH, 2024, 2, 1, 2024, 2,
                 29);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_MONTH, D(2026, 12, 31)), KGRAIN_MONTH, 2026, 12, 1, 2026,
                 12, 31);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_QUARTER, D(2026, 3, 31)), KGRAIN_QUARTER, 2026, 1, 1, 2026,
                 3, 31);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_QUARTER, D(2026, 4, 1)), KGRAIN_QUARTER, 2026, 4, 1, 2026,
                 6, 30);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_QUARTER, D(2026, 11, 15)), KGRAIN_QUARTER, 2026, 10, 1,
                 2026, 12, 31);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_YEAR, D(2026, 7, 1)), KGRAIN_YEAR, 2026, 1, 1, 2026, 12,
                 31);
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_ALL, D(2026, 7, 1)), KGRAIN_ALL, 2026, 7, 1, 2026, 7, 1);
    /* before the epoch too */
    CHECK_PERIOD(kperiod_of(&ISO, KGRAIN_QUARTER, D(1969, 12, 31)), KGRAIN_QUARTER, 1969, 10, 1,
                 1969, 12, 31);
    CHECK_STR(name_at(&ISO, KGRAIN_DAY, 2026, 10, 5), "2026-10-05");
    CHECK_STR(name_at(&ISO, KGRAIN_MONTH, 2026, 10, 5), "2026-10");
    CHECK_STR(name_at(&ISO, KGRAIN_QUARTER, 2026, 10, 5), "2026-Q4");
    CHECK_STR(name_at(&ISO, KGRAIN_QUARTER, 2026, 3, 31), "2026-Q1");
    CHECK_STR(name_at(&ISO, KGRAIN_YEAR, 2026, 10, 5), "2026");
    CHECK_STR(name_of(&ISO, (kperiod){KGRAIN_ALL, D(2026, 1, 1), D(2027, 1, 1)}),
              "2026-01-01..2026-12-31");
    CHECK_EQ_INT(kmonth_start(D(2026, 10, 5)), D(2026, 10, 1));
    CHECK_EQ_INT(kquarter_start(&ISO, D(2026, 10, 5), false), D(2026, 10, 1));
    CHECK_EQ_INT(kyear_start(&ISO, D(2026, 10, 5), false), D(2026, 1, 1));
    CHECK_EQ_INT(kquarter_start(&FISCAL_APRIL, D(2026, 3, 5), true), D(2026, 1, 1));
    CHECK_EQ_INT(kyear_start(&FISCAL_APRIL, D(2026, 3, 5), true), D(2025, 4, 1));
    CHECK_EQ_INT(kyear_start(&FISCAL_APRIL, D(2026, 4, 1), true), D(2026, 4, 1));
    CHECK_EQ_INT(kyear_start(&FISCAL_APRIL, D(2026, 3, 5), false), D(2026, 1, 1));
}

/* ---- fiscal ---------------------------------------------------------------------------- */

static void test_fiscal_april(void)
{
    const kcalendar *c = &FISCAL_APRIL;
    CHECK_STR(name_at(c, KGRAIN_FISCAL_QUARTER, 2026, 3, 31), "FY2026-Q4");
    CHECK_STR(name_at(c, KGRAIN_FISCAL_QUARTER, 2026, 4, 1), "FY2027-Q1");
    CHECK_STR(name_at(c, KGRAIN_FISCAL_YEAR, 2026, 3, 31), "FY2026");
    CHECK_STR(name_at(c, KGRAIN_FISCAL_YEAR, 2026, 4, 1), "FY2027");
    CHECK_STR(name_at(c, KGRAIN_FISCAL_QUARTER, 2026, 11, 15), "FY2027-Q3");
    CHECK_STR(name_at(c, KGRAIN_FISCAL_QUARTER, 2027, 2, 1), "FY2027-Q4");
    CHECK_PERIOD(parsed(c, "FY2027"), KGRAIN_FISCAL_YEAR, 2026, 4, 1, 2027, 3, 31);
    CHECK_PERIOD(parsed(c, "FY2027-Q1"), KGRAIN_FISCAL_QUARTER, 2026, 4, 1, 2026, 6, 30);
    CHECK_PERIOD(parsed(c, "FY2027-Q3"), KGRAIN_FISCAL_QUARTER, 2026, 10, 1, 2026, 12, 31);
    CHECK_PERIOD(parsed(c, "FY2027-Q4"), KGRAIN_FISCAL_QUARTER, 2027, 1, 1, 2027, 3, 31);
    CHECK_PERIOD(parsed(c, "fy2026-q4"), KGRAIN_FISCAL_QUARTER, 2026, 1, 1, 2026, 3, 31);
    /* calendar quarters and years are unaffected */
    CHECK_STR(name_at(c, KGRAIN_QUARTER, 2026, 4, 1), "2026-Q2");
    CHECK_PERIOD(parsed(c, "2026"), KGRAIN_YEAR, 2026, 1, 1, 2026, 12, 31);
    /* October start: FY2027 = October 2026 .. September 2027 */
    CHECK_PERIOD(parsed(&FISCAL_OCTOBER, "FY2027"), KGRAIN_FISCAL_YEAR, 2026, 10, 1, 2027, 9, 30);
    CHECK_PERIOD(parsed(&FISCAL_OCTOBER, "FY2027-Q2"), KGRAIN_FISCAL_QUARTER, 2027, 1, 1, 2027, 3,
                 31);
    CHECK_STR(name_at(&FISCAL_OCTOBER, KGRAIN_FISCAL_QUARTER, 2026, 9, 30), "FY2026-Q4");
    /* February start: quarters are Feb-Apr, May-Jul, ... */
    kcalendar feb = {.week_start = 0, .fiscal_year_start = 2};
    CHECK_PERIOD(parsed(&feb, "FY2027-Q4"), KGRAIN_FISCAL_QUARTER, 2026, 11, 1, 2027, 1, 31);
    CHECK_STR(name_at(&feb, KGRAIN_FISCAL_YEAR, 2027, 1, 31), "FY2027");
    CHECK_STR(name_at(&feb, KGRAIN_FISCAL_YEAR, 2027, 2, 1), "FY2028");
    /* FY0000 would begin in February of the year -1: refused, alone or in a range (fuzzer) */
    CHECK_STR(refusal(&feb, "FY0000..2222"),
              "period reaches outside the years 0000 to 9999 in 'FY0000..2222'");
    CHECK_PERIOD(parsed(&feb, "FY0001"), KGRAIN_FISCAL_YEAR, 0, 2, 1, 1, 1, 31);
    CHECK_PERIOD(parsed(&feb, "FY9999"), KGRAIN_FISCAL_YEAR, 9998, 2, 1, 9999, 1, 31);
}

static void test_fiscal_is_calendar_with_start_1(void)
{
    /* out-of-range values mean the defaults */
    kcalendar defaults = {.week_start = 0, .fiscal_year_start = 0};
    const kcalendar *cals[] = {&ISO, &defaults, NULL};
    for (int i = 0; i < 3; i++) {
        const kcalendar *c = cals[i];
        CHECK_STR(name_at(c, KGRAIN_FISCAL_YEAR, 2026, 1, 1), "FY2026");
        CHECK_STR(name_at(c, KGRAIN_FISCAL_YEAR, 2026, 12, 31), "FY2026");
        CHECK_STR(name_at(c, KGRAIN_FISCAL_QUARTER, 2026, 10, 5), "FY2026-Q4");
        CHECK_PERIOD(parsed(c, "FY2026"), KGRAIN_FISCAL_YEAR, 2026, 1, 1, 2026, 12, 31);
        CHECK_PERIOD(parsed(c, "FY2026-Q1"), KGRAIN_FISCAL_QUARTER, 2026, 1, 1, 2026, 3, 31);
        CHECK_STR(name_at(c, KGRAIN_WEEK, 2021, 1, 3), "2020-W53");
    }
}

/* ---- names and parsing ----------------------------------------------------------------- */

static void test_parse_forms(void)
{
    CHECK_PERIOD(parsed(&ISO, "2026-10-05"), KGRAIN_DAY, 2026, 10, 5, 2026, 10, 5);
    CHECK_PERIOD(parsed(&ISO, "2024-02-29"), KGRAIN_DAY, 2024, 2, 29, 2024, 2, 29);
    CHECK_PERIOD(parsed(&ISO, "2026-10"), KGRAIN_MONTH, 2026, 10, 1, 2026, 10, 31);
    CHECK_PERIOD(parsed(&ISO, "2026-Q4"), KGRAIN_QUARTER, 2026, 10, 1, 2026, 12, 31);
    CHECK_PERIOD(parsed(&ISO, "2026-q1"), KGRAIN_QUARTER, 2026, 1, 1, 2026, 3, 31);
    CHECK_PERIOD(parsed(&ISO, "2026"), KGRAIN_YEAR, 2026, 1, 1, 2026, 12, 31);
    CHECK_PERIOD(parsed(&ISO, " 2026-10 "), KGRAIN_MONTH, 2026, 10, 1, 2026, 10, 31);
    CHECK_PERIOD(parsed(&ISO, "2026-01-01..2026-12-31"), KGRAIN_ALL, 2026, 1, 1, 2026, 12, 31);
    CHECK_PERIOD(parsed(&ISO, "2026-03-15..2026-03-15"), KGRAIN_ALL, 2026, 3, 15, 2026, 3, 15);
    CHECK_PERIOD(parsed(&ISO, "2026-01..2026-03"), KGRAIN_ALL, 2026, 1, 1, 2026, 3, 31);
    CHECK_PERIOD(parsed(&ISO, "2025 .. 2026"), KGRAIN_ALL, 2025, 1, 1, 2026, 12, 31);
    CHECK_PERIOD(parsed(&FISCAL_APRIL, "FY2027-Q2..2026-W41"), KGRAIN_ALL, 2026, 7, 1, 2026, 10,
                 11);
    /* a name that is not NUL-terminated */
    kperiod p;
    CHECK(kperiod_parse(&ISO, (kstr){"2026-10-05xyz", 7}, &p, NULL, 0));
    CHECK_PERIOD(p, KGRAIN_MONTH, 2026, 10, 1, 2026, 10, 31);
    /* a short buffer truncates the name */
    char small[8];
    kperiod_name(&ISO, kperiod_of(&ISO, KGRAIN_DAY, D(2026, 10, 5)), small, sizeof small);
    CHECK_STR(small, "2026-10");
}

/* name -> parse -> the same period, and parse -> name -> the same text, for every day. */
static void test_round_trips(void)
{
    const kcalendar *cals[] = {&ISO, &SUNDAY, &FISCAL_APRIL, &FISCAL_OCTOBER};
    int bad = 0;
    for (int c = 0; c < 4; c++) {
        for (int gi = 0; gi < NGRAINS; gi++) {
            for (int64_t d = D(2019, 1, 1); d <= D(2030, 12, 31) && bad < 10; d++) {
                kperiod p = kperiod_of(cals[c], ALL_GRAINS[gi], d), q;
                if (ALL_GRAINS[gi] == KGRAIN_ALL)
                    p.end = d + 1 + (d % 400); /* ranges of various lengths */
                char name[64], again[64], why[128] = "";
                kperiod_name(cals[c], p, name, sizeof name);
                bool ok = kperiod_parse(cals[c], kstr_c(name), &q, why, sizeof why);
                kperiod_name(cals[c], q, again, sizeof again);
                if (!ok || q.grain != p.grain || q.first != p.first || q.end != p.end ||
                    strcmp(name, again) != 0) {
                    printf("#   calendar %d grain %s day %lld: '%s' -> '%s' %s\n", c,
                           kgrain_name(ALL_GRAINS[gi]), (long long)d, name, again, why);
                    bad++;
                }
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_parse_errors(void)
{
    CHECK_STR(refusal(&ISO, "2026-1"), "expected a two-digit month in '2026-1'");
    CHECK_STR(refusal(&ISO, "2026-13"), "month 13 out of range in '2026-13'");
    CHECK_STR(refusal(&ISO, "2026-00"), "month 00 out of range in '2026-00'");
    CHECK_STR(refusal(&ISO, "2026-W00"), "week 00 out of range in '2026-W00'");
    CHECK_STR(refusal(&ISO, "2026-W54"), "week 54 out of range in '2026-W54'");
    CHECK_STR(refusal(&ISO, "2025-W53"), "week 53 out of range (2025 has 52 weeks) in '2025-W53'");
    CHECK_STR(refusal(&ISO, "2026-W4"), "expected a two-digit week in '2026-W4'");
    CHECK_STR(refusal(&ISO, "2026-W"), "expected a week number in '2026-W'");
    CHECK_STR(refusal(&ISO, "2026-Q5"), "quarter 5 out of range in '2026-Q5'");
    CHECK_STR(refusal(&ISO, "2026-Q0"), "quarter 0 out of range in '2026-Q0'");
    CHECK_STR(refusal(&ISO, "2026-Q01"), "expected a one-digit quarter in '2026-Q01'");
    CHECK_STR(refusal(&ISO, "FY27"), "expected a four-digit year after 'FY' in 'FY27'");
    CHECK_STR(refusal(&ISO, "FY2027-Q5"), "quarter 5 out of range in 'FY2027-Q5'");
    CHECK_STR(refusal(&ISO, "FY2027-03"),
              "expected a fiscal quarter (Q1 to Q4) after the fiscal year in 'FY2027-03'");
    CHECK_STR(refusal(&ISO, "26"), "expected a four-digit year in '26'");
    CHECK_STR(refusal(&ISO, "20261"), "expected a four-digit year in '20261'");
    CHECK_STR(refusal(&ISO, "2026-02-30"), "day 30 out of range in '2026-02-30'");
    CHECK_STR(refusal(&ISO, "2025-02-29"), "day 29 out of range in '2025-02-29'");
    CHECK_STR(refusal(&ISO, "2026-10-5"), "expected a two-digit day in '2026-10-5'");
    CHECK_STR(refusal(&ISO, "2026-10-05x"),
              "unexpected 'x' after the period name in '2026-10-05x'");
    CHECK_STR(refusal(&ISO, "2026-10-05T00:00"),
              "unexpected 'T00:00' after the period name in '2026-10-05T00:00'");
    CHECK_STR(refusal(&ISO, "2026-Q4 extra"),
              "unexpected ' extra' after the period name in '2026-Q4 extra'");
    CHECK_STR(refusal(&ISO, "2026/10"), "unexpected '/10' after the period name in '2026/10'");
    CHECK_STR(refusal(&ISO, "2026-X1"),
              "expected a month, a week (W01) or a quarter (Q1) after the year in '2026-X1'");
    CHECK_STR(refusal(&ISO, "october"),
              "expected a period name like 2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026, FY2027 "
              "or FY2027-Q3 in 'october'");
    CHECK_STR(refusal(&ISO, ""), "empty period name");
    CHECK_STR(refusal(&ISO, "   "), "empty period name");
    CHECK_STR(refusal(&ISO, "..2026-12-31"), "missing start of the range in '..2026-12-31'");
    CHECK_STR(refusal(&ISO, "2026-01-01.."), "missing end of the range in '2026-01-01..'");
    CHECK_STR(refusal(&ISO, "2026-12-31..2026-01-01"),
              "range ends before it starts in '2026-12-31..2026-01-01'");
    CHECK_STR(refusal(&ISO, "2026-01-01..2026-13-01"),
              "month 13 out of range in '2026-01-01..2026-13-01'");
    CHECK_STR(refusal(&ISO, "2026..2027..2028"),
              "unexpected '..2028' after the period name in '2026..2027..2028'");
    /* a reason that does not fit is cut, NUL-terminated; no buffer at all is fine */
    char why[12];
    kperiod p;
    CHECK(!kperiod_parse(&ISO, KSTR("2026-13"), &p, why, sizeof why));
    CHECK_STR(why, "month 13 ou");
    CHECK(!kperiod_parse(&ISO, KSTR("2026-13"), &p, NULL, 0));
}

/* ---- shifts ---------------------------------------------------------------------------- */

static void test_shift(void)
{
    kperiod mar = parsed(&ISO, "2026-03");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, mar, -1)), "2026-02");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, mar, 10)), "2027-01");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, mar, -15)), "2024-12");
    CHECK_PERIOD(kperiod_shift(&ISO, parsed(&ISO, "2024-03"), -1), KGRAIN_MONTH, 2024, 2, 1, 2024,
                 2, 29);
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026-Q1"), -1)), "2025-Q4");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026-Q4"), 1)), "2027-Q1");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026"), -3)), "2023");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026-W01"), -1)), "2025-W52");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026-W53"), 1)), "2027-W01");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2024-03-01"), -1)), "2024-02-29");
    CHECK_STR(name_of(&ISO, kperiod_shift(&ISO, parsed(&ISO, "2026-12-31"), 1)), "2027-01-01");
    CHECK_STR(name_of(&FISCAL_APRIL,
                      kperiod_shift(&FISCAL_APRIL, parsed(&FISCAL_APRIL, "FY2027-Q1"), -1)),
              "FY2026-Q4");
    CHECK_STR(
        name_of(&FISCAL_APRIL, kperiod_shift(&FISCAL_APRIL, parsed(&FISCAL_APRIL, "FY2027"), 1)),
        "FY2028");
    /* all: by the range's length */
    kperiod r = parsed(&ISO, "2026-01-01..2026-01-10");
    CHECK_PERIOD(kperiod_shift(&ISO, r, -1), KGRAIN_ALL, 2025, 12, 22, 2025, 12, 31);
    CHECK_PERIOD(kperiod_shift(&ISO, r, 2), KGRAIN_ALL, 2026, 1, 21, 2026, 1, 30);
    CHECK_PERIOD(kperiod_shift(&ISO, r, 0), KGRAIN_ALL, 2026, 1, 1, 2026, 1, 10);
    /* a period that does not start on its grain's boundary is taken as the one holding first */
    kperiod odd = {KGRAIN_MONTH, D(2026, 3, 31), D(2026, 4, 1)};
    CHECK_PERIOD(kperiod_shift(&ISO, odd, -1), KGRAIN_MONTH, 2026, 2, 1, 2026, 2, 28);
}

static void test_slices(void)
{
    kperiod mar = parsed(&ISO, "2026-03");
    CHECK_PERIOD(kperiod_slice(mar, D(2026, 3, 15)), KGRAIN_MONTH, 2026, 3, 1, 2026, 3, 15);
    CHECK_PERIOD(kperiod_slice(mar, D(2026, 5, 15)), KGRAIN_MONTH, 2026, 3, 1, 2026, 3, 31);
    kperiod before = kperiod_slice(mar, D(2026, 2, 15));
    CHECK_EQ_INT(before.first, D(2026, 3, 1));
    CHECK_EQ_INT(before.end, D(2026, 3, 1));
    /* like for like: through 31 March, February gives 1..28; through 15 March, 1..15 */
    CHECK_PERIOD(kperiod_slice_shift(&ISO, mar, D(2026, 3, 31), -1), KGRAIN_MONTH, 2026, 2, 1, 2026,
                 2, 28);
    CHECK_PERIOD(kperiod_slice_shift(&ISO, mar, D(2026, 3, 15), -1), KGRAIN_MONTH, 2026, 2, 1, 2026,
                 2, 15);
    CHECK_PERIOD(kperiod_slice_shift(&ISO, parsed(&ISO, "2024-03"), D(2024, 3, 31), -1),
                 KGRAIN_MONTH, 2024, 2, 1, 2024, 2, 29);
    CHECK_PERIOD(kperiod_slice_shift(&ISO, parsed(&ISO, "2024-03"), D(2024, 3, 29), -1),
                 KGRAIN_MONTH, 2024, 2, 1, 2024, 2, 29);
    CHECK_PERIOD(kperiod_slice_shift(&ISO, parsed(&ISO, "2026-02"), D(2026, 2, 28), -1),
                 KGRAIN_MONTH, 2026, 1, 1, 2026, 1, 28);
    /* quarters: 31 days of Q1 are 31 days of the previous Q4 */
    CHECK_PERIOD(kperiod_slice_shift(&ISO, parsed(&ISO, "2026-Q1"), D(2026, 1, 31), -1),
                 KGRAIN_QUARTER, 2025, 10, 1, 2025, 10, 31);
    CHECK_PERIOD(kperiod_slice_shift(&ISO, parsed(&ISO, "2026-W41"), D(2026, 10, 7), -1),
                 KGRAIN_WEEK, 2026, 9, 28, 2026, 9, 30);
    /* last year: a leap 29 February month-to-date against 1..28 February */
    CHECK_PERIOD(kperiod_slice_last_year(&ISO, parsed(&ISO, "2024-02"), D(2024, 2, 29)),
                 KGRAIN_MONTH, 2023, 2, 1, 2023, 2, 28);
    CHECK_PERIOD(kperiod_slice_last_year(&ISO, parsed(&ISO, "2026-10"), D(2026, 10, 5)),
                 KGRAIN_MONTH, 2025, 10, 1, 2025, 10, 5);
    /* year to date */
    CHECK_PERIOD(kperiod_slice_last_year(&ISO, parsed(&ISO, "2025"), D(2025, 3, 1)), KGRAIN_YEAR,
                 2024, 1, 1, 2024, 2, 29); /* 60 days */
    CHECK_PERIOD(
        kperiod_slice_last_year(&FISCAL_APRIL, parsed(&FISCAL_APRIL, "FY2027"), D(2026, 4, 30)),
        KGRAIN_FISCAL_YEAR, 2025, 4, 1, 2025, 4, 30);
    /* an empty slice stays empty */
    kperiod e = kperiod_slice_shift(&ISO, mar, D(2026, 2, 1), -1);
    CHECK_EQ_INT(e.first, D(2026, 2, 1));
    CHECK_EQ_INT(e.end, D(2026, 2, 1));
}

static void test_last_year(void)
{
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2024-02-29"))), "2023-02-28");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026-10-05"))), "2025-10-05");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2025-03-01"))), "2024-03-01");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026-W41"))), "2025-W41");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2020-W53"))), "2019-W52");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2021-W52"))), "2020-W52");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2027-W01"))), "2026-W01");
    CHECK_STR(name_of(&SUNDAY, kperiod_last_year(&SUNDAY, parsed(&SUNDAY, "2025-W53"))),
              "2024-W52");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2024-02"))), "2023-02");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026-Q1"))), "2025-Q1");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026"))), "2025");
    CHECK_STR(name_of(&FISCAL_APRIL,
                      kperiod_last_year(&FISCAL_APRIL, parsed(&FISCAL_APRIL, "FY2027-Q3"))),
              "FY2026-Q3");
    CHECK_STR(
        name_of(&FISCAL_APRIL, kperiod_last_year(&FISCAL_APRIL, parsed(&FISCAL_APRIL, "FY2027"))),
        "FY2026");
    /* all: one year back, with month ends kept */
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026-01-01..2026-12-31"))),
              "2025-01-01..2025-12-31");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2025-02-01..2025-02-28"))),
              "2024-02-01..2024-02-29");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2024-02-01..2024-02-29"))),
              "2023-02-01..2023-02-28");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2024-02-29..2024-04-30"))),
              "2023-02-28..2023-04-30");
    CHECK_STR(name_of(&ISO, kperiod_last_year(&ISO, parsed(&ISO, "2026-03-10..2026-06-20"))),
              "2025-03-10..2025-06-20");
    kperiod empty = {KGRAIN_ALL, D(2026, 5, 5), D(2026, 5, 5)};
    CHECK_PERIOD(kperiod_last_year(&ISO, empty), KGRAIN_ALL, 2025, 5, 5, 2025, 5, 4);
}

/* ---- ranges ---------------------------------------------------------------------------- */

static void test_between(void)
{
    kperiod out[40];
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_MONTH, D(2025, 1, 1), D(2026, 12, 31), out, 40), 24);
    CHECK_STR(name_of(&ISO, out[0]), "2025-01");
    CHECK_STR(name_of(&ISO, out[23]), "2026-12");
    /* the count even when cap is smaller, and nothing written past cap */
    out[3].first = -1;
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_MONTH, D(2025, 1, 15), D(2026, 12, 1), out, 3), 24);
    CHECK_STR(name_of(&ISO, out[2]), "2025-03");
    CHECK_EQ_INT(out[3].first, -1);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_MONTH, D(2025, 1, 15), D(2026, 12, 1), NULL, 0), 24);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_DAY, D(2024, 1, 1), D(2024, 12, 31), NULL, 0), 366);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_WEEK, D(2026, 1, 1), D(2026, 12, 31), out, 40), 53);
    CHECK_STR(name_of(&ISO, out[0]), "2026-W01");
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_WEEK, D(2026, 10, 5), D(2026, 10, 11), out, 40), 1);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_WEEK, D(2026, 10, 4), D(2026, 10, 5), out, 40), 2);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_QUARTER, D(2026, 3, 31), D(2026, 4, 1), out, 40), 2);
    CHECK_STR(name_of(&ISO, out[1]), "2026-Q2");
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_YEAR, D(2019, 6, 1), D(2026, 6, 1), out, 40), 8);
    CHECK_EQ_INT(kperiods_between(&FISCAL_APRIL, KGRAIN_FISCAL_YEAR, D(2026, 1, 1), D(2026, 12, 31),
                                  out, 40),
                 2);
    CHECK_STR(name_of(&FISCAL_APRIL, out[0]), "FY2026");
    CHECK_STR(name_of(&FISCAL_APRIL, out[1]), "FY2027");
    CHECK_EQ_INT(kperiods_between(&FISCAL_APRIL, KGRAIN_FISCAL_QUARTER, D(2026, 1, 1),
                                  D(2026, 12, 31), out, 40),
                 4);
    CHECK_STR(name_of(&FISCAL_APRIL, out[0]), "FY2026-Q4");
    CHECK_STR(name_of(&FISCAL_APRIL, out[3]), "FY2027-Q3");
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_ALL, D(2026, 1, 1), D(2026, 12, 31), out, 40), 1);
    CHECK_PERIOD(out[0], KGRAIN_ALL, 2026, 1, 1, 2026, 12, 31);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_DAY, D(2026, 1, 2), D(2026, 1, 1), out, 40), 0);
    CHECK_EQ_INT(kperiods_between(&ISO, KGRAIN_DAY, D(2026, 1, 1), D(2026, 1, 1), out, 40), 1);
}

/* ---- properties ------------------------------------------------------------------------ */

/* For every day of twenty years, every grain and several calendars: the period of a day holds
 * it, the next period starts where it ends, the previous one ends where it starts, periods
 * from kperiods_between tile the range, and last year's period is a period of the grain a
 * year back. */
static void test_properties(void)
{
    const kcalendar *cals[] = {&ISO, &SUNDAY, &FISCAL_APRIL, &FISCAL_OCTOBER};
    int bad = 0;
    int64_t from = D(2015, 1, 1), to = D(2034, 12, 31);
    for (int c = 0; c < 4; c++) {
        const kcalendar *cal = cals[c];
        for (int gi = 0; gi < NGRAINS; gi++) {
            kgrain g = ALL_GRAINS[gi];
            for (int64_t d = from; d <= to && bad < 10; d++) {
                kperiod p = kperiod_of(cal, g, d);
                kperiod next = kperiod_shift(cal, p, 1), prev = kperiod_shift(cal, p, -1);
                kperiod ly = kperiod_last_year(cal, p);
                bool ok = p.grain == g && p.first <= d && d < p.end && next.first == p.end &&
                          prev.end == p.first && next.grain == g &&
                          kperiod_shift(cal, next, -1).first == p.first;
                if (g != KGRAIN_ALL) {
                    kperiod of = kperiod_of(cal, g, ly.first);
                    ok = ok && of.first == ly.first && of.end == ly.end && ly.first < p.first &&
                         p.first - ly.first <= 371;
                }
                if (!ok) {
                    printf("#   calendar %d grain %s day %lld: [%lld, %lld)\n", c, kgrain_name(g),
                           (long long)d, (long long)p.first, (long long)p.end);
                    bad++;
                }
            }
            /* the periods between tile [from, to] */
            static kperiod all[8000];
            size_t n = kperiods_between(cal, g, from, to, all, 8000);
            bool tiles = n > 0 && n <= 8000 && all[0].first <= from && all[n - 1].end > to;
            for (size_t i = 1; tiles && i < n; i++)
                tiles = all[i].first == all[i - 1].end;
            if (!tiles) {
                printf("#   calendar %d grain %s: between does not tile\n", c, kgrain_name(g));
                bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    RUN(test_grain_names);
    RUN(test_iso_weeks);
    RUN(test_weeks_starting_sunday);
    RUN(test_month_quarter_year);
    RUN(test_fiscal_april);
    RUN(test_fiscal_is_calendar_with_start_1);
    RUN(test_parse_forms);
    RUN(test_round_trips);
    RUN(test_parse_errors);
    RUN(test_shift);
    RUN(test_slices);
    RUN(test_last_year);
    RUN(test_between);
    RUN(test_properties);
    return tap_done();
}
