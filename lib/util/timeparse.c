/*
 * timeparse.c - timestamps and dates as they arrive in business files: ISO 8601 / RFC 3339 by
 * default, or a strptime-style format given on the field ("%d.%m.%Y %H:%M").
 *
 * Import runs this for every time value of every row, so the ISO form has a hand-written path
 * with no allocation and no sscanf. Custom formats go through a small interpreter of our own
 * rather than strptime(3), whose month names and AM/PM follow the process locale; here they
 * are English whatever the locale. Values are range-checked (no "February 30th" rolling over
 * into March) and every refusal comes with a short lowercase reason for the reject file.
 */
#include "ktime.h"

#include <stdio.h>
#include <string.h>

/* The fields of a value as read, before they become an instant or a day. 0/-1: not given. */
typedef struct tparts {
    int64_t year;
    int month, day, yday;
    int hour, minute, second;
    int32_t usec;
    int hour12, pm; /* %I and %p; -1 when absent */
    bool has_year, has_offset;
    int32_t offset_s;
} tparts;

/* A cursor over the value being read, with where to put the reason of a refusal. */
typedef struct cur {
    const char *p;
    size_t n, i;
    char *why;
    size_t cap;
} cur;

static const tparts TPARTS_NONE = {.hour12 = -1, .pm = -1};

static bool at_end(const cur *c)
{
    return c->i >= c->n;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static bool is_alpha(char ch)
{
    return lower(ch) >= 'a' && lower(ch) <= 'z';
}

/* Reads between min and max digits (as many as there are); the value goes to *out. */
static bool digits(cur *c, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (k < max && c->i < c->n && is_digit(c->p[c->i])) {
        v = v * 10 + (c->p[c->i++] - '0');
        k++;
    }
    if (k < min && min == 1)
        return kwhy(c->why, c->cap, "expected digit at position %zu", c->i + 1);
    if (k < min)
        return kwhy(c->why, c->cap, "expected %d digits at position %zu", min,
                    c->i - (size_t)k + 1);
    *out = v;
    return true;
}

/* Reads the literal character ch. */
static bool literal(cur *c, char ch)
{
    if (c->i < c->n && c->p[c->i] == ch) {
        c->i++;
        return true;
    }
    return kwhy(c->why, c->cap, "expected '%c' at position %zu", ch, c->i + 1);
}

static bool trailing(cur *c)
{
    char ex[32];
    return kwhy(c->why, c->cap, "trailing characters '%s'",
                kexcerpt((kstr){c->p + c->i, c->n - c->i}, ex));
}

/*
 * The digits of a fraction of a second, 1 to max_digits of them, truncated to microseconds.
 * ISO values may have up to 9 (nanoseconds, as some exporters write them); %f has up to 6.
 */
static bool fraction(cur *c, int max_digits, int32_t *usec)
{
    size_t start = c->i;
    int32_t v = 0;
    while (c->i < c->n && is_digit(c->p[c->i]) && c->i - start < (size_t)max_digits) {
        if (c->i - start < 6)
            v = v * 10 + (c->p[c->i] - '0');
        c->i++;
    }
    size_t k = c->i - start;
    if (k == 0)
        return kwhy(c->why, c->cap, "expected digit at position %zu", c->i + 1);
    for (size_t j = k; j < 6; j++)
        v *= 10;
    *usec = v;
    return true;
}

/* A zone designator: "Z" or "z", "+02:00", "+0200", "+02", or "+00:53:28" (seconds). */
static bool offset(cur *c, int32_t *off)
{
    if (c->i < c->n && lower(c->p[c->i]) == 'z') {
        c->i++;
        *off = 0;
        return true;
    }
    if (at_end(c) || (c->p[c->i] != '+' && c->p[c->i] != '-'))
        return kwhy(c->why, c->cap, "expected offset ('Z' or '+hh:mm') at position %zu", c->i + 1);
    int sign = c->p[c->i++] == '-' ? -1 : 1;
    int h, m = 0, s = 0;
    if (!digits(c, 2, 2, &h))
        return false;
    bool colon = c->i < c->n && c->p[c->i] == ':';
    if (colon || (c->i < c->n && is_digit(c->p[c->i]))) {
        if ((colon && !literal(c, ':')) || !digits(c, 2, 2, &m))
            return false;
        if (colon && c->i < c->n && c->p[c->i] == ':' && (!literal(c, ':') || !digits(c, 2, 2, &s)))
            return false;
    }
    if (h > 23 || m > 59 || s > 59)
        return kwhy(c->why, c->cap, "offset %c%02d:%02d out of range", sign < 0 ? '-' : '+', h, m);
    *off = sign * (h * 3600 + m * 60 + s);
    return true;
}

/* "HH:MM[:SS[.ffffff]]" after the date of an ISO value. */
static bool iso_time(cur *c, tparts *t)
{
    if (!digits(c, 2, 2, &t->hour) || !literal(c, ':') || !digits(c, 2, 2, &t->minute))
        return false;
    if (at_end(c) || c->p[c->i] != ':')
        return true;
    c->i++;
    if (!digits(c, 2, 2, &t->second))
        return false;
    if (c->i < c->n && (c->p[c->i] == '.' || c->p[c->i] == ',')) {
        c->i++;
        return fraction(c, 9, &t->usec);
    }
    return true;
}

/*
 * ISO 8601: "YYYY-MM-DD", then optionally 'T', 't' or ' ' and a time, then optionally a zone
 * designator (which may follow one space, as Ruby and some logs write it).
 */
static bool iso_parse(cur *c, tparts *t)
{
    int y;
    if (!digits(c, 4, 4, &y) || !literal(c, '-') || !digits(c, 2, 2, &t->month) ||
        !literal(c, '-') || !digits(c, 2, 2, &t->day))
        return false;
    t->year = y;
    t->has_year = true;
    if (at_end(c))
        return true;
    char sep = c->p[c->i];
    if (sep != 'T' && sep != 't' && sep != ' ')
        return trailing(c);
    c->i++;
    if (!iso_time(c, t))
        return false;
    if (at_end(c))
        return true;
    if (c->p[c->i] == ' ' && c->i + 1 < c->n && (c->p[c->i + 1] == '+' || c->p[c->i + 1] == '-'))
        c->i++;
    char z = c->p[c->i];
    if (z != 'Z' && z != 'z' && z != '+' && z != '-')
        return trailing(c);
    if (!offset(c, &t->offset_s))
        return false;
    t->has_offset = true;
    return at_end(c) ? true : trailing(c);
}

/* ---- custom formats -------------------------------------------------------------------- */

static const char *const MONTHS[12] = {"january",   "february", "march",    "april",
                                       "may",       "june",     "july",     "august",
                                       "september", "october",  "november", "december"};

/* The length of the run of ASCII letters at the cursor. */
static size_t alpha_run(const cur *c)
{
    size_t k = 0;
    while (c->i + k < c->n && is_alpha(c->p[c->i + k]))
        k++;
    return k;
}

/* Whether w is month m's English name, full, of three letters, or "Sept". */
static bool month_matches(kstr w, int m)
{
    size_t full = strlen(MONTHS[m]);
    if (w.n != 3 && w.n != full && !(m == 8 && w.n == 4))
        return false;
    for (size_t i = 0; i < w.n; i++)
        if (lower(w.p[i]) != MONTHS[m][i])
            return false;
    return true;
}

/* An English month name, full or abbreviated, in any case. */
static bool month_name(cur *c, int *month)
{
    kstr w = {c->p + c->i, alpha_run(c)};
    for (int m = 0; m < 12; m++) {
        if (month_matches(w, m)) {
            c->i += w.n;
            *month = m + 1;
            return true;
        }
    }
    char ex[32];
    if (w.n == 0)
        return kwhy(c->why, c->cap, "expected month name at position %zu", c->i + 1);
    return kwhy(c->why, c->cap, "unknown month name '%s'", kexcerpt(w, ex));
}

/* "AM" or "PM", any case. */
static bool am_pm(cur *c, int *pm)
{
    kstr w = {c->p + c->i, alpha_run(c)};
    if (!kstr_ieq_c(w, "am") && !kstr_ieq_c(w, "pm"))
        return kwhy(c->why, c->cap, "expected 'AM' or 'PM' at position %zu", c->i + 1);
    *pm = lower(w.p[0]) == 'p';
    c->i += 2;
    return true;
}

/* Whitespace in a format matches one or more spaces or tabs. */
static bool spaces(cur *c)
{
    size_t start = c->i;
    while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t'))
        c->i++;
    return c->i > start ? true : kwhy(c->why, c->cap, "expected ' ' at position %zu", c->i + 1);
}

static bool interpret(cur *c, const char *fmt, tparts *t);

/*
 * One conversion (the letter after '%'). %p applies to the 12-hour %I (which without %p is
 * read as AM); %j may stand for the month and day, or must agree with them.
 */
static bool convert(cur *c, char conv, tparts *t)
{
    int v;
    switch (conv) {
    case 'Y':
        if (!digits(c, 4, 4, &v))
            return false;
        t->year = v;
        t->has_year = true;
        return true;
    case 'y':
        if (!digits(c, 1, 2, &v))
            return false;
        t->year = v < 69 ? 2000 + v : 1900 + v; /* the POSIX rule */
        t->has_year = true;
        return true;
    case 'm':
        return digits(c, 1, 2, &t->month);
    case 'e':
        if (c->i < c->n && c->p[c->i] == ' ')
            c->i++;
        return digits(c, 1, 2, &t->day);
    case 'd':
        return digits(c, 1, 2, &t->day);
    case 'H':
        return digits(c, 1, 2, &t->hour);
    case 'I':
        return digits(c, 1, 2, &t->hour12);
    case 'M':
        return digits(c, 1, 2, &t->minute);
    case 'S':
        return digits(c, 1, 2, &t->second);
    case 'j':
        return digits(c, 1, 3, &t->yday);
    case 'f':
        return fraction(c, 6, &t->usec);
    case 'b':
    case 'B':
        return month_name(c, &t->month);
    case 'p':
        return am_pm(c, &t->pm);
    case 'z':
        t->has_offset = true;
        return offset(c, &t->offset_s);
    case 'T':
        return interpret(c, "%H:%M:%S", t);
    case 'D':
        return interpret(c, "%m/%d/%y", t);
    case 'F':
        return interpret(c, "%Y-%m-%d", t);
    case '%':
        return literal(c, '%');
    case '\0':
        return kwhy(c->why, c->cap, "format ends with a lone '%%'");
    default:
        return kwhy(c->why, c->cap, "unsupported conversion '%%%c' in format", conv);
    }
}

/* Reads the value by the format; the whole value must be used. */
static bool interpret(cur *c, const char *fmt, tparts *t)
{
    for (const char *f = fmt; *f; f++) {
        bool ok;
        if (*f == '%')
            ok = convert(c, *++f, t);
        else if (*f == ' ' || *f == '\t')
            ok = spaces(c);
        else
            ok = literal(c, *f);
        if (!ok)
            return false; /* also for a '%' that ends fmt, so f never passes the NUL */
    }
    return true;
}

/* Turns %I/%p and %j into hour, month and day; months and days not given are 1. */
static bool resolve(tparts *t, char *why, size_t cap)
{
    if (!t->has_year)
        return kwhy(why, cap, "format has no year (%%Y, %%y or %%F)");
    if (t->hour12 >= 0) {
        if (t->hour12 < 1 || t->hour12 > 12)
            return kwhy(why, cap, "hour %d out of range for a 12-hour clock", t->hour12);
        t->hour = t->hour12 % 12 + (t->pm == 1 ? 12 : 0);
    }
    if (t->yday == 0) {
        t->month += t->month == 0;
        t->day += t->day == 0;
        return true;
    }
    int64_t jan1 = kdays_from_civil(t->year, 1, 1);
    int len = (int)(kdays_from_civil(t->year + 1, 1, 1) - jan1);
    if (t->yday > len)
        return kwhy(why, cap, "day of year %d out of range for %04lld", t->yday,
                    (long long)t->year);
    int64_t y;
    int m, d;
    kcivil_from_days(jan1 + t->yday - 1, &y, &m, &d);
    if ((t->month && t->month != m) || (t->day && t->day != d))
        return kwhy(why, cap, "day of year %d does not match the month and day", t->yday);
    t->month = m;
    t->day = d;
    return true;
}

/* ---- from fields to values ------------------------------------------------------------- */

static bool check_date(const tparts *t, char *why, size_t cap)
{
    if (t->year < 1 || t->year > 9999)
        return kwhy(why, cap, "year %lld out of range", (long long)t->year);
    if (t->month < 1 || t->month > 12)
        return kwhy(why, cap, "month %d out of range", t->month);
    if (t->day < 1 || t->day > kdays_in_month(t->year, t->month))
        return kwhy(why, cap, "day %d out of range for %04lld-%02d", t->day, (long long)t->year,
                    t->month);
    return true;
}

static bool check_time(const tparts *t, char *why, size_t cap)
{
    if (t->hour > 23)
        return kwhy(why, cap, "hour %d out of range", t->hour);
    if (t->minute > 59)
        return kwhy(why, cap, "minute %d out of range", t->minute);
    if (t->second > 59)
        return kwhy(why, cap, "second %d out of range", t->second);
    return true;
}

/* Two digits at p as a number, or -1. */
static int two_digits(const char *p)
{
    unsigned a = (unsigned)(unsigned char)p[0] - '0', b = (unsigned)(unsigned char)p[1] - '0';
    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

/*
 * The shapes nearly every export writes, "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" and that with a
 * final 'Z', read at fixed offsets (import reads one per row). False, with *t untouched, leaves
 * the value to iso_parse, which reads every other ISO form and explains refusals; ranges are
 * checked after.
 */
static bool iso_fixed(kstr s, tparts *t)
{
    const char *p = s.p;
    if (s.n != 10 && s.n != 19 && !(s.n == 20 && (p[19] == 'Z' || p[19] == 'z')))
        return false;
    int c = two_digits(p), y = two_digits(p + 2), mo = two_digits(p + 5), d = two_digits(p + 8);
    if (c < 0 || y < 0 || mo < 0 || d < 0 || p[4] != '-' || p[7] != '-')
        return false;
    int h = 0, mi = 0, sec = 0;
    if (s.n > 10) {
        h = two_digits(p + 11), mi = two_digits(p + 14), sec = two_digits(p + 17);
        if ((p[10] != 'T' && p[10] != 't' && p[10] != ' ') || p[13] != ':' || p[16] != ':' ||
            h < 0 || mi < 0 || sec < 0)
            return false;
    }
    t->year = c * 100 + y;
    t->month = mo;
    t->day = d;
    t->has_year = true;
    t->hour = h;
    t->minute = mi;
    t->second = sec;
    t->has_offset = s.n == 20;
    t->offset_s = 0;
    return true;
}

/* Reads s by fmt (or as ISO 8601) into *t, checking every field's range. */
static bool read_parts(kstr s, const char *fmt, tparts *t, char *why, size_t cap)
{
    s = kstr_trim(s);
    cur c = {s.p, s.n, 0, why, cap};
    *t = TPARTS_NONE;
    if (s.n == 0)
        return kwhy(why, cap, "empty value");
    if (!fmt) {
        if (!iso_fixed(s, t) && !iso_parse(&c, t))
            return false;
    } else {
        if (!interpret(&c, fmt, t))
            return false;
        if (!at_end(&c))
            return trailing(&c);
        if (!resolve(t, why, cap))
            return false;
    }
    return check_date(t, why, cap) && check_time(t, why, cap);
}

/*
 * A value without an offset is wall-clock time in naive_tz (UTC when naive_tz is NULL); with
 * an offset, naive_tz plays no part.
 */
bool ktime_parse(kstr s, const char *fmt, ktz *naive_tz, int64_t *utc_us, char *why, size_t cap)
{
    tparts t;
    if (!read_parts(s, fmt, &t, why, cap))
        return false;
    int64_t secs = ((int64_t)t.hour * 60 + t.minute) * 60 + t.second;
    int64_t local = kdays_from_civil(t.year, t.month, t.day) * KTIME_US_PER_DAY +
                    secs * KTIME_US_PER_SEC + t.usec;
    if (t.has_offset)
        *utc_us = local - (int64_t)t.offset_s * KTIME_US_PER_SEC;
    else
        *utc_us = naive_tz ? ktz_local_to_utc(naive_tz, local) : local;
    return true;
}

/*
 * The date as written: with fmt NULL, an ISO date, or an ISO timestamp whose time and offset
 * are checked but ignored (no conversion to another zone's day).
 */
bool kdate_parse(kstr s, const char *fmt, int64_t *days, char *why, size_t cap)
{
    tparts t;
    if (!read_parts(s, fmt, &t, why, cap))
        return false;
    *days = kdays_from_civil(t.year, t.month, t.day);
    return true;
}

/* The conversions ktime_parse understands, and whether each gives the year. */
static const struct {
    char conv;
    bool year;
} format_convs[] = {{'Y', true},  {'y', true},  {'F', true},  {'D', true},  {'m', false},
                    {'d', false}, {'e', false}, {'H', false}, {'I', false}, {'M', false},
                    {'S', false}, {'j', false}, {'f', false}, {'b', false}, {'B', false},
                    {'p', false}, {'z', false}, {'T', false}, {'%', false}};

bool ktime_format_check(const char *fmt, char *why, size_t cap)
{
    bool year = false;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%')
            continue;
        char conv = *++f;
        if (!conv)
            return kwhy(why, cap, "format ends with a lone '%%'");
        size_t i = 0, n = sizeof format_convs / sizeof format_convs[0];
        while (i < n && format_convs[i].conv != conv)
            i++;
        if (i == n)
            return kwhy(why, cap,
                        "unsupported conversion '%%%c' (use %%Y %%y %%m %%d %%e %%H %%I %%M %%S "
                        "%%p %%j %%f %%b %%B %%z %%T %%D %%F %%%%)",
                        conv);
        year = year || format_convs[i].year;
    }
    return year ? true : kwhy(why, cap, "format has no year (%%Y, %%y or %%F)");
}

kpi_status kdate_arg(const char *s, const char *what, int64_t *days, kpi_error *err)
{
    char why[256];
    if (kdate_parse(kstr_c(s), NULL, days, why, sizeof why))
        return KPI_OK;
    return kerr_set(err, KPI_USAGE, "invalid %s date '%s': %s", what, s, why);
}
