/*
 * ktime.h - civil dates, time zones and the parsing of timestamps, dates and numbers as they
 * arrive in business files. Times are int64 microseconds since 1970-01-01T00:00:00Z (UTC);
 * dates and "days" are int64 days since 1970-01-01. Zone rules come from ICU, so that no
 * process-global state (TZ, tzset) is touched and the IANA names users write work everywhere.
 */
#ifndef KPI_KTIME_H
#define KPI_KTIME_H

#include "util.h"

#define KTIME_US_PER_SEC INT64_C(1000000)
#define KTIME_US_PER_DAY INT64_C(86400000000)

/* ---- civil calendar (proleptic Gregorian) ---------------------------------------------- */

/* Days since 1970-01-01 of a civil date; month 1..12, day 1..31 (not checked here). */
int64_t kdays_from_civil(int64_t year, int month, int day);
/* The civil date of a day number. */
void kcivil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* 1..31; 0 for an invalid month. Leap years by the Gregorian rule. */
int kdays_in_month(int64_t year, int month);
/* Writes a day number as "2026-10-05" (at most cap bytes, NUL-terminated). */
void kdays_format(int64_t days, char *buf, size_t cap);
/* ISO weekday of a day number: 1 = Monday .. 7 = Sunday. */
int kweekday_from_days(int64_t days);

/* ---- time zones ------------------------------------------------------------------------ */

/* A time zone with a small cache of the offset interval last used. Not thread-safe. */
typedef struct ktz ktz;

/*
 * Opens an IANA zone ("Europe/Berlin", "UTC", "America/New_York"). An unknown name is
 * KPI_DEFINITION with a message naming it and, when one is close, "did you mean '...'?".
 */
kpi_status ktz_open(const char *name, ktz **out, kpi_error *err);
void ktz_close(ktz *tz);
const char *ktz_name(const ktz *tz);

/* The offset from UTC in seconds (east positive) in effect at the UTC instant utc_us. */
int32_t ktz_offset_at(ktz *tz, int64_t utc_us);

/*
 * The UTC instant of a local wall-clock time (microseconds since the epoch as if local were
 * UTC). In a DST gap the time is moved forward by the gap (02:30 -> 03:30); in an overlap the
 * earlier instant is chosen, as most calendars do.
 */
int64_t ktz_local_to_utc(ktz *tz, int64_t local_us);

/* The local day number of a UTC instant in tz (floor division; correct before 1970 too). */
int64_t ktz_day_of(ktz *tz, int64_t utc_us);

/* Formats a UTC instant in tz as "2026-10-05T14:03:00+02:00" (seconds, no fraction unless
 * non-zero). Writes at most cap bytes, always NUL-terminated. */
void ktz_format(ktz *tz, int64_t utc_us, char *buf, size_t cap);

/* ---- parsing values -------------------------------------------------------------------- */

/*
 * Parses a timestamp. With fmt == NULL, ISO 8601 / RFC 3339 forms: "2026-10-05",
 * "2026-10-05T14:03", "2026-10-05 14:03:07", fractions ".123456", and a zone designator
 * "Z", "+02:00", "+0200", "+02". With a fmt, strptime-style conversions: %Y %m %d %e %H %M %S
 * %y %b %B %p %I %j %z %f (microseconds, 1-6 digits) %T %D %F %% and literal characters;
 * numeric fields accept 1 digit where 2 are usual ("3/7/2016" with "%m/%d/%Y").
 * A value without an offset is read as wall-clock time in `naive_tz`.
 * Returns false and writes a short reason (e.g. "month 13 out of range") into why.
 */
bool ktime_parse(kstr s, const char *fmt, ktz *naive_tz, int64_t *utc_us, char *why, size_t cap);

/* Checks a format once, before any value is read: only supported conversions, and a year.
 * False with the reason in why. */
bool ktime_format_check(const char *fmt, char *why, size_t cap);

/*
 * Parses a date ("2026-10-05" by default, or fmt as above; a time of day, if the format has
 * one, is ignored). Returns days since 1970-01-01.
 */
bool kdate_parse(kstr s, const char *fmt, int64_t *days, char *why, size_t cap);
/* A date given as an option (what: "--from"): KPI_USAGE with "invalid --from date '...': why" on
 * err when it is not one. */
kpi_status kdate_arg(const char *s, const char *what, int64_t *days, kpi_error *err);

/*
 * Parses an exact decimal into an integer scaled by 10^scale (scale 0..9): "1234.56" with
 * scale 4 -> 12345600. decimal_sep is '.' or ','; the other one (and spaces, U+00A0, U+202F)
 * may group thousands in groups of three ("1,234.56", "1.234,56", "1 234,56"). A leading
 * sign, and surrounding ASCII spaces, are allowed; more fractional digits than scale, or a
 * value beyond int64, are refused with a reason.
 */
bool kdecimal_parse(kstr s, char decimal_sep, int scale, int64_t *out, char *why, size_t cap);

/* Like kdecimal_parse, but more fractional digits than scale are rounded half to even (the
 * unbiased rounding of IEEE 754 and of accounting: 0.00125 -> 0.0012, 0.00135 -> 0.0014)
 * instead of refused; *rounded (may be NULL) says whether a non-zero digit was dropped. */
bool kdecimal_parse_rounded(kstr s, char decimal_sep, int scale, int64_t *out, bool *rounded,
                            char *why, size_t cap);

/* Parses an integer (sign, digits, optional grouping as above). */
bool kinteger_parse(kstr s, char decimal_sep, int64_t *out, char *why, size_t cap);

/* Parses a boolean: true/false, yes/no, y/n, t/f, 1/0, on/off (ASCII case-insensitive). */
bool kbool_parse(kstr s, bool *out, char *why, size_t cap);

/* Formats a scaled decimal exactly ("-12.3400" for -123400 at scale 4, trailing zeros kept
 * when keep_zeros, else trimmed: "-12.34"). Returns the length. */
size_t kdecimal_format(int64_t v, int scale, bool keep_zeros, char *buf, size_t cap);

#endif
