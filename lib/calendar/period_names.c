/*
 * period_names.c - the names of grains ("fiscal_quarter") and of periods ("2026-W41",
 * "FY2027-Q3", "2026-01-01..2026-12-31"): printing them and parsing them back. Built only on
 * the period arithmetic of calendar.c, so a name always means the period kperiod_of gives.
 *
 * Decisions on the edge cases:
 *
 * - Names use four-digit years; periods outside the years 0000..9999 print (with more digits or
 *   a sign) but do not parse back, and a name whose period reaches past them ("FY0000" when the
 *   fiscal year starts in February begins in the year -1) is refused, so a range of such names
 *   always prints as dates that read back.
 * - Parsing is strict: every numeric field has its exact width ("2026-1", "2026-W4", "FY27" are
 *   refused), values are range-checked against the calendar ("2026-02-30", "2025-W53" when 2025
 *   has 52 weeks, "2026-Q5"), and nothing may follow the name. Surrounding ASCII spaces and tabs
 *   are ignored, and the letters W, Q and FY may be written in lower case.
 * - A fiscal name with fiscal_year_start 1 is the calendar year or quarter under the fiscal grain
 *   ("FY2026" = 2026-01-01..2026-12-31, grain fiscal_year).
 * - KGRAIN_ALL is named "FIRST..LAST" (inclusive dates). On parsing, each side of ".." may be
 *   any period name: "2026-01..2026-03" is 2026-01-01..2026-03-31 and "2025..2026" two years.
 *   A range that ends before it starts is refused; an empty range therefore has a name that
 *   does not parse back.
 * - Reasons are lowercase, quote the whole input, and say what was wrong first:
 *   "month 13 out of range in '2026-13'".
 */
#include "calendar.h"

#include <stdio.h>

/* ---- grains ---------------------------------------------------------------------------- */

static const char *const grain_names[] = {
    [KGRAIN_DAY] = "day",
    [KGRAIN_WEEK] = "week",
    [KGRAIN_MONTH] = "month",
    [KGRAIN_QUARTER] = "quarter",
    [KGRAIN_YEAR] = "year",
    [KGRAIN_FISCAL_QUARTER] = "fiscal_quarter",
    [KGRAIN_FISCAL_YEAR] = "fiscal_year",
    [KGRAIN_ALL] = "all",
};

enum { GRAIN_COUNT = sizeof grain_names / sizeof grain_names[0] };

bool kgrain_parse(kstr name, kgrain *out)
{
    for (int g = 0; g < GRAIN_COUNT; g++) {
        if (kstr_eq_c(name, grain_names[g])) {
            *out = (kgrain)g;
            return true;
        }
    }
    return false;
}

const char *kgrain_name(kgrain g)
{
    return ((unsigned)g < GRAIN_COUNT) ? grain_names[g] : "unknown";
}

/* ---- naming ---------------------------------------------------------------------------- */

static int64_t year_of(int64_t day)
{
    int64_t y;
    int m, d;
    kcivil_from_days(day, &y, &m, &d);
    return y;
}

/* The first day of week 1 of week-year y (the week that holds 4 January). */
static int64_t week1_first(const kcalendar *cal, int64_t y)
{
    return kperiod_of(cal, KGRAIN_WEEK, kdays_from_civil(y, 1, 4)).first;
}

/* Months from the month holding a to the month holding b. */
static int64_t months_between(int64_t a, int64_t b)
{
    int64_t ya, yb;
    int ma, mb, d;
    kcivil_from_days(a, &ya, &ma, &d);
    kcivil_from_days(b, &yb, &mb, &d);
    return (yb - ya) * 12 + (mb - ma);
}

void kperiod_name(const kcalendar *cal, kperiod p, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return;
    if (p.grain == KGRAIN_ALL) {
        char a[32], b[32];
        kdays_format(p.first, a, sizeof a);
        kdays_format(p.end - 1, b, sizeof b);
        snprintf(buf, cap, "%s..%s", a, b);
        return;
    }
    kperiod q = kperiod_of(cal, p.grain, p.first);
    int64_t y;
    int m, d;
    kcivil_from_days(q.first, &y, &m, &d);
    switch (q.grain) {
    case KGRAIN_WEEK: {
        int64_t wy = year_of(q.first + 3);
        long long week = (q.first - week1_first(cal, wy)) / 7 + 1;
        snprintf(buf, cap, "%04lld-W%02lld", (long long)wy, week);
        break;
    }
    case KGRAIN_MONTH:
        snprintf(buf, cap, "%04lld-%02d", (long long)y, m);
        break;
    case KGRAIN_QUARTER:
        snprintf(buf, cap, "%04lld-Q%d", (long long)y, (m - 1) / 3 + 1);
        break;
    case KGRAIN_YEAR:
        snprintf(buf, cap, "%04lld", (long long)y);
        break;
    case KGRAIN_FISCAL_YEAR:
        snprintf(buf, cap, "FY%04lld", (long long)year_of(q.end - 1));
        break;
    case KGRAIN_FISCAL_QUARTER: {
        kperiod fy = kperiod_of(cal, KGRAIN_FISCAL_YEAR, q.first);
        snprintf(buf, cap, "FY%04lld-Q%d", (long long)year_of(fy.end - 1),
                 (int)(months_between(fy.first, q.first) / 3) + 1);
        break;
    }
    case KGRAIN_DAY:
    default:
        kdays_format(q.first, buf, cap);
        break;
    }
}

/* ---- parsing --------------------------------------------------------------------------- */

/* A name being read: the text of one period (one side of a range), the whole input for
 * messages, and the reason buffer. */
typedef struct reader {
    const kcalendar *cal;
    const char *p;
    size_t n, i;
    kstr whole;
    char *why;
    size_t cap;
} reader;

static int clamp_len(size_t n)
{
    return n > 200 ? 200 : (int)n;
}

/* Writes "<what> in '<input>'" as the reason and returns false. */
static bool fail(reader *r, const char *what)
{
    if (r->why && r->cap)
        snprintf(r->why, r->cap, "%s in '%.*s'", what, clamp_len(r->whole.n), r->whole.p);
    return false;
}

/* "<field> <digits> out of range in '<input>'", quoting the digits as written. */
static bool fail_range(reader *r, const char *field, size_t at, size_t nd)
{
    char what[64];
    snprintf(what, sizeof what, "%s %.*s out of range", field, clamp_len(nd > 20 ? 20 : nd),
             r->p + at);
    return fail(r, what);
}

static bool at_char(const reader *r, char upper)
{
    return r->i < r->n && (r->p[r->i] == upper || r->p[r->i] == upper + ('a' - 'A'));
}

/* Reads the run of digits at the cursor: its length, and its value (saturated at 10^9). */
static size_t read_digits(reader *r, int64_t *value)
{
    size_t start = r->i;
    int64_t v = 0;
    while (r->i < r->n && r->p[r->i] >= '0' && r->p[r->i] <= '9') {
        if (v < 1000000000)
            v = v * 10 + (r->p[r->i] - '0');
        r->i++;
    }
    *value = v;
    return r->i - start;
}

/* A numeric field of exactly `width` digits in lo..hi, after its prefix was consumed. */
static bool read_field(reader *r, const char *field, int width, int64_t lo, int64_t hi,
                       int64_t *out)
{
    size_t at = r->i;
    size_t nd = read_digits(r, out);
    char what[64];
    if (nd == 0) {
        snprintf(what, sizeof what, "expected a %s number", field);
        return fail(r, what);
    }
    if (*out < lo || *out > hi)
        return fail_range(r, field, at, nd);
    if (nd != (size_t)width) {
        snprintf(what, sizeof what, "expected a %s-digit %s", width == 1 ? "one" : "two", field);
        return fail(r, what);
    }
    return true;
}

/* Nothing may follow a complete name. */
static bool at_end(reader *r)
{
    if (r->i == r->n)
        return true;
    char what[96];
    snprintf(what, sizeof what, "unexpected '%.*s' after the period name",
             clamp_len(r->n - r->i > 40 ? 40 : r->n - r->i), r->p + r->i);
    return fail(r, what);
}

static bool parse_week(reader *r, int64_t year, kperiod *out)
{
    int64_t week;
    if (!read_field(r, "week", 2, 1, 53, &week) || !at_end(r))
        return false;
    int64_t w1 = week1_first(r->cal, year), weeks = (week1_first(r->cal, year + 1) - w1) / 7;
    if (week > weeks) {
        char what[96];
        snprintf(what, sizeof what, "week %lld out of range (%lld has %lld weeks)", (long long)week,
                 (long long)year, (long long)weeks);
        return fail(r, what);
    }
    int64_t first = w1 + 7 * (week - 1);
    *out = (kperiod){KGRAIN_WEEK, first, first + 7};
    return true;
}

static bool parse_quarter(reader *r, int64_t year, bool fiscal, kperiod *out)
{
    int64_t q;
    if (!read_field(r, "quarter", 1, 1, 4, &q) || !at_end(r))
        return false;
    kgrain g = fiscal ? KGRAIN_FISCAL_QUARTER : KGRAIN_QUARTER;
    /* 1 January of a year lies in the fiscal year named by that year. */
    int64_t start = fiscal
                        ? kperiod_of(r->cal, KGRAIN_FISCAL_YEAR, kdays_from_civil(year, 1, 1)).first
                        : kdays_from_civil(year, 1, 1);
    *out = kperiod_shift(r->cal, kperiod_of(r->cal, g, start), (int)q - 1);
    return true;
}

/* A month or a day, after "YYYY-". */
static bool parse_month_day(reader *r, int64_t year, kperiod *out)
{
    int64_t month, day;
    if (!read_field(r, "month", 2, 1, 12, &month))
        return false;
    if (r->i == r->n) {
        *out = kperiod_of(r->cal, KGRAIN_MONTH, kdays_from_civil(year, (int)month, 1));
        return true;
    }
    if (r->p[r->i] != '-')
        return at_end(r);
    r->i++;
    if (!read_field(r, "day", 2, 1, kdays_in_month(year, (int)month), &day) || !at_end(r))
        return false;
    int64_t d = kdays_from_civil(year, (int)month, (int)day);
    *out = (kperiod){KGRAIN_DAY, d, d + 1};
    return true;
}

/* One period name (not a range). */
/* The relative names: the period of a grain holding today, or n periods from it. */
static const struct {
    const char *name;
    kgrain grain;
    int shift;
} relative[] = {
    {"this-week", KGRAIN_WEEK, 0},       {"last-week", KGRAIN_WEEK, -1},
    {"this-month", KGRAIN_MONTH, 0},     {"last-month", KGRAIN_MONTH, -1},
    {"this-quarter", KGRAIN_QUARTER, 0}, {"last-quarter", KGRAIN_QUARTER, -1},
    {"this-year", KGRAIN_YEAR, 0},       {"last-year", KGRAIN_YEAR, -1},
};

static bool parse_one(reader *r, kperiod *out)
{
    bool fiscal = false;
    if (at_char(r, 'F') && r->i + 1 < r->n && (r->p[1] == 'Y' || r->p[1] == 'y')) {
        fiscal = true;
        r->i = 2;
    } else if (r->p[0] < '0' || r->p[0] > '9') {
        if (!r->cal->has_today)
            return fail(r, "expected a period name like 2026-10-05, 2026-W41, 2026-10, 2026-Q4, "
                           "2026, FY2027 or FY2027-Q3");
        const char *names[sizeof relative / sizeof relative[0]];
        for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++)
            names[i] = relative[i].name;
        char hint[96], what[320];
        ksuggest_hint((kstr){r->p, r->n}, names, sizeof relative / sizeof relative[0], hint,
                      sizeof hint);
        snprintf(what, sizeof what,
                 "expected a period name like 2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026, "
                 "FY2027, FY2027-Q3 or last-month%s",
                 hint);
        return fail(r, what);
    }
    int64_t year;
    if (read_digits(r, &year) != 4)
        return fail(r, fiscal ? "expected a four-digit year after 'FY'"
                              : "expected a four-digit year");
    if (r->i == r->n) {
        kgrain g = fiscal ? KGRAIN_FISCAL_YEAR : KGRAIN_YEAR;
        *out = kperiod_of(r->cal, g, kdays_from_civil(year, 1, 1));
        return true;
    }
    if (r->p[r->i] != '-')
        return at_end(r);
    r->i++;
    if (at_char(r, 'Q')) {
        r->i++;
        return parse_quarter(r, year, fiscal, out);
    }
    if (fiscal)
        return fail(r, "expected a fiscal quarter (Q1 to Q4) after the fiscal year");
    if (at_char(r, 'W')) {
        r->i++;
        return parse_week(r, year, out);
    }
    if (r->i < r->n && r->p[r->i] >= '0' && r->p[r->i] <= '9')
        return parse_month_day(r, year, out);
    return fail(r, "expected a month, a week (W01) or a quarter (Q1) after the year");
}

/* One side of a range or the whole name, trimmed. */
static bool parse_part(reader *r, kstr part, kperiod *out)
{
    part = kstr_trim(part);
    r->p = part.p;
    r->n = part.n;
    r->i = 0;
    if (!parse_one(r, out))
        return false;
    if (out->first < kdays_from_civil(0, 1, 1) || out->end > kdays_from_civil(10000, 1, 1))
        return fail(r, "period reaches outside the years 0000 to 9999");
    return true;
}

/* 1: a relative name read into *out; 0: not one; -1: one, but no today to read it against. */
static int parse_relative(const kcalendar *cal, kstr s, kperiod *out)
{
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        if (!kstr_eq_c(s, relative[i].name))
            continue;
        if (!cal->has_today)
            return -1;
        *out =
            kperiod_shift(cal, kperiod_of(cal, relative[i].grain, cal->today), relative[i].shift);
        return 1;
    }
    return 0;
}

bool kperiod_parse(const kcalendar *cal, kstr name, kperiod *out, char *why, size_t cap)
{
    kstr s = kstr_trim(name);
    reader r = {cal, s.p, s.n, 0, s, why, cap};
    if (s.n == 0) {
        if (why && cap)
            snprintf(why, cap, "empty period name");
        return false;
    }
    int rel = parse_relative(cal, s, out);
    if (rel)
        return rel > 0 || fail(&r, "a relative period needs today, which is unknown here");
    for (size_t i = 0; i + 1 < s.n; i++) {
        if (s.p[i] != '.' || s.p[i + 1] != '.')
            continue;
        kperiod a, b;
        kstr left = kstr_trim((kstr){s.p, i}), right = kstr_trim((kstr){s.p + i + 2, s.n - i - 2});
        if (left.n == 0)
            return fail(&r, "missing start of the range");
        if (right.n == 0)
            return fail(&r, "missing end of the range");
        if (!parse_part(&r, left, &a) || !parse_part(&r, right, &b))
            return false;
        if (b.end <= a.first)
            return fail(&r, "range ends before it starts");
        *out = (kperiod){KGRAIN_ALL, a.first, b.end};
        return true;
    }
    return parse_part(&r, s, out);
}
