/*
 * calendar.h - review periods: grains (day, ISO or custom-start week, month, quarter, year,
 * fiscal quarter and year, all), period names ("2026-W41", "FY2027-Q3"), period arithmetic
 * (previous, same period last year, to-date ranges) and the folding of days into periods.
 * Everything works on local day numbers (days since 1970-01-01 in the workspace time zone):
 * the time zone was applied when rows were bucketed into days, so no DST logic is needed here.
 */
#ifndef KPI_CALENDAR_H
#define KPI_CALENDAR_H

#include "../util/ktime.h"

typedef enum kgrain {
    KGRAIN_DAY,
    KGRAIN_WEEK,
    KGRAIN_MONTH,
    KGRAIN_QUARTER,
    KGRAIN_YEAR,
    KGRAIN_FISCAL_QUARTER,
    KGRAIN_FISCAL_YEAR,
    KGRAIN_ALL
} kgrain;

/* Workspace calendar settings (kconfig.week_start, kconfig.fiscal_year_start). */
typedef struct kcalendar {
    int week_start;        /* 0 or 1: ISO weeks (Monday); 2..7 = Tuesday..Sunday */
    int fiscal_year_start; /* month 1..12 */
    bool has_today;        /* relative names ("last-month") are read against today */
    int64_t today;         /* local day number of "now" (from the context: KPI_NOW pins it) */
} kcalendar;

/* A period: the days [first, end) and its grain. For KGRAIN_ALL, first/end are the bounds of the
 * requested range. */
typedef struct kperiod {
    kgrain grain;
    int64_t first;
    int64_t end;
} kperiod;

/* "day", "week", "month", "quarter", "year", "fiscal_quarter", "fiscal_year", "all". */
bool kgrain_parse(kstr name, kgrain *out);
const char *kgrain_name(kgrain g);

/* The period of grain g that contains day (for KGRAIN_ALL: [day, day + 1)). */
kperiod kperiod_of(const kcalendar *cal, kgrain g, int64_t day);

/*
 * Parses a period name and infers its grain: "2026-10-05" (day), "2026-W41" (week),
 * "2026-10" (month), "2026-Q4" (quarter), "2026" (year), "FY2027" (fiscal year),
 * "FY2027-Q3" (fiscal quarter). A fiscal year is named by the calendar year it ends in
 * (fiscal_year_start 4: FY2027 = 2026-04-01 .. 2027-03-31); with fiscal_year_start 1 a fiscal
 * year equals the calendar year. Week names follow ISO 8601 when weeks start on Monday; with
 * another week_start, week 1 is the week holding January 4th, as in ISO.
 * With cal->has_today, relative names too: this-week, last-week, this-month, last-month,
 * this-quarter, last-quarter, this-year, last-year (calendar periods holding today, or the one
 * before). False with a reason in why ("month 13 out of range in '2026-13'").
 */
bool kperiod_parse(const kcalendar *cal, kstr name, kperiod *out, char *why, size_t cap);

/* The name of a period, as kperiod_parse reads it. For KGRAIN_ALL: "FIRST..LAST" (dates). */
void kperiod_name(const kcalendar *cal, kperiod p, char *buf, size_t cap);

/* The period n periods after p (n < 0: before), same grain. For KGRAIN_ALL, the range of the
 * same length shifted by n lengths. */
kperiod kperiod_shift(const kcalendar *cal, kperiod p, int n);

/*
 * The same period one year earlier: the same month, quarter, fiscal period or year; for a day,
 * the same date (29 February -> 28 February); for a week, the week with the same number (week
 * 53 -> week 52 when the year before has none); for KGRAIN_ALL, the range 1 year back, with
 * calendar-true ends (a range ending on the last day of a month ends on the last day of that
 * month a year earlier).
 */
kperiod kperiod_last_year(const kcalendar *cal, kperiod p);

/*
 * To-date slices, for open periods and mtd/qtd/ytd: the days of `whole` from its start through
 * day `through` (inclusive, clamped to whole). Compared periods are "like for like": the slice
 * of the shifted (or last year's) period has the same number of days from its start, clamped to
 * that period's length — through 31 March, the month before gives 1..28 February; through
 * 15 March, 1..15 February.
 */
kperiod kperiod_slice(kperiod whole, int64_t through);
kperiod kperiod_slice_shift(const kcalendar *cal, kperiod whole, int64_t through, int n);
kperiod kperiod_slice_last_year(const kcalendar *cal, kperiod whole, int64_t through);

/* The periods of grain g that cover [from, to] (inclusive days), in order. Writes at most cap
 * periods to out (which may be NULL when cap is 0). Returns the total count needed, which may
 * exceed cap; 0 when to < from. */
size_t kperiods_between(const kcalendar *cal, kgrain g, int64_t from, int64_t to, kperiod *out,
                        size_t cap);

/* The beginning of the year (calendar or fiscal, by `fiscal`), quarter or month holding day. */
int64_t kyear_start(const kcalendar *cal, int64_t day, bool fiscal);
int64_t kquarter_start(const kcalendar *cal, int64_t day, bool fiscal);
int64_t kmonth_start(int64_t day);

#endif
