/*
 * tz.c - IANA time zones for kpi, on ICU's C API: the offset in effect at an instant, local
 * wall-clock time to UTC, the local day of an instant, and ISO 8601 formatting with the offset.
 *
 * ICU rather than the C library because localtime/mktime read the process-global TZ, and a
 * library that serves several workspaces (each with its own zone) cannot touch that.
 *
 * Import converts millions of rows, mostly in time order, so each ktz remembers the interval
 * [start, end) over which the offset last looked up stays constant (between two transitions,
 * as ICU reports them) and answers from it without calling ICU. It keeps the interval used
 * before that one too, so that rows on both sides of a transition (and ktz_local_to_utc,
 * which looks on both sides) do not send every lookup to ICU. UTC never calls ICU at all.
 */
#include "ktime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

enum { KTZ_NAME_MAX = 127 };

/* An interval [start_us, end_us) of UTC instants over which the offset is offset_s. */
typedef struct tz_span {
    int64_t start_us;
    int64_t end_us;
    int32_t offset_s;
} tz_span;

struct ktz {
    UCalendar *cal;  /* NULL for UTC: the offset is always 0 */
    tz_span span[2]; /* the last interval used, then the one before; empty at first */
    char name[];     /* as given to ktz_open */
};

/* Names that take the fast path. ICU would agree that each of them is UTC. */
static bool is_utc_name(const char *name)
{
    static const char *const utc[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT"};
    for (size_t i = 0; i < sizeof utc / sizeof utc[0]; i++)
        if (strcmp(name, utc[i]) == 0)
            return true;
    return false;
}

/*
 * Whether ICU knows the zone. ICU's ucal_open silently falls back to GMT for an unknown id, so
 * the id is checked first: a system zone (an IANA name or alias), or a custom "GMT+05:30".
 * Its canonical form "Etc/Unknown" is reported as not a system id and so is refused too.
 */
static bool icu_zone_known(const UChar *id)
{
    UChar canonical[KTZ_NAME_MAX + 1];
    UBool is_system = 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = ucal_getCanonicalTimeZoneID(id, -1, canonical, KTZ_NAME_MAX, &is_system, &st);
    if (U_FAILURE(st) || n <= 0 || n >= KTZ_NAME_MAX)
        return false;
    if (is_system)
        return true;
    static const UChar gmt[] = {'G', 'M', 'T'};
    return n > 3 && memcmp(canonical, gmt, sizeof gmt) == 0 &&
           (canonical[3] == '+' || canonical[3] == '-');
}

/*
 * Writes " (did you mean 'x'?)" into hint when one of ICU's zone names is close to name, else
 * "". The names are copied because uenum_next's result only lives until the next call.
 */
static void zone_hint(const char *name, char *hint, size_t cap)
{
    hint[0] = '\0';
    UErrorCode st = U_ZERO_ERROR;
    UEnumeration *en = ucal_openTimeZones(&st);
    if (U_FAILURE(st))
        return;
    int32_t count = uenum_count(en, &st);
    const char **names = count > 0 ? calloc((size_t)count, sizeof *names) : NULL;
    size_t n = 0;
    const char *id;
    int32_t len;
    while (names && n < (size_t)count && (id = uenum_next(en, &len, &st)) && U_SUCCESS(st)) {
        char *copy = malloc((size_t)len + 1);
        if (!copy)
            break;
        memcpy(copy, id, (size_t)len + 1);
        names[n++] = copy;
    }
    uenum_close(en);
    ksuggest_hint(kstr_c(name), names, n, hint, cap);
    for (size_t i = 0; i < n; i++)
        free((char *)names[i]);
    free(names);
}

/* Opens ICU's calendar for name, or explains why not. */
static kpi_status open_icu(const char *name, UCalendar **cal, kpi_error *err)
{
    UChar id[KTZ_NAME_MAX + 1];
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(id, KTZ_NAME_MAX + 1, NULL, name, -1, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || !icu_zone_known(id)) {
        char hint[KTZ_NAME_MAX + 32];
        zone_hint(name, hint, sizeof hint);
        return kerr_set(err, KPI_DEFINITION, "unknown time zone '%s'%s", name, hint);
    }
    st = U_ZERO_ERROR;
    *cal = ucal_open(id, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st) || !*cal) {
        if (*cal)
            ucal_close(*cal);
        *cal = NULL;
        return kerr_set(err, st == U_MEMORY_ALLOCATION_ERROR ? KPI_NOMEM : KPI_DEFINITION,
                        "cannot open time zone '%s': %s", name, u_errorName(st));
    }
    return KPI_OK;
}

kpi_status ktz_open(const char *name, ktz **out, kpi_error *err)
{
    *out = NULL;
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > KTZ_NAME_MAX)
        return kerr_set(err, KPI_DEFINITION, "unknown time zone '%.*s'", KTZ_NAME_MAX,
                        name ? name : "");
    UCalendar *cal = NULL;
    if (!is_utc_name(name)) {
        kpi_status st = open_icu(name, &cal, err);
        if (st != KPI_OK)
            return st;
    }
    ktz *tz = malloc(sizeof *tz + n + 1);
    if (!tz) {
        if (cal)
            ucal_close(cal);
        return kerr_set(err, KPI_NOMEM, "out of memory opening time zone '%s'", name);
    }
    tz->cal = cal;
    for (int i = 0; i < 2; i++)
        tz->span[i] = (tz_span){0, 0, 0}; /* empty: the first lookup asks ICU */
    memcpy(tz->name, name, n + 1);
    *out = tz;
    return KPI_OK;
}

void ktz_close(ktz *tz)
{
    if (!tz)
        return;
    if (tz->cal)
        ucal_close(tz->cal);
    free(tz);
}

const char *ktz_name(const ktz *tz)
{
    return tz->name;
}

/* a / b rounded toward minus infinity, for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* A transition time from ICU (milliseconds, as a double) in microseconds, saturated. */
static int64_t udate_to_us(UDate ms)
{
    if (ms >= 9.2e15)
        return INT64_MAX;
    if (ms <= -9.2e15)
        return INT64_MIN;
    return (int64_t)ms * 1000;
}

/*
 * Asks ICU for the offset at utc_us and for the transitions around it, into *sp.
 * On an ICU failure (not expected: ICU's range is far wider than int64 microseconds) the
 * offset is 0 and the interval is empty.
 */
static int32_t refresh(ktz *tz, int64_t utc_us, tz_span *sp)
{
    UErrorCode st = U_ZERO_ERROR;
    ucal_setMillis(tz->cal, (UDate)floor_div(utc_us, 1000), &st);
    int32_t zone_ms = ucal_get(tz->cal, UCAL_ZONE_OFFSET, &st);
    int32_t dst_ms = ucal_get(tz->cal, UCAL_DST_OFFSET, &st);
    UDate prev = 0, next = 0;
    UBool has_prev =
        ucal_getTimeZoneTransitionDate(tz->cal, UCAL_TZ_TRANSITION_PREVIOUS_INCLUSIVE, &prev, &st);
    UBool has_next = ucal_getTimeZoneTransitionDate(tz->cal, UCAL_TZ_TRANSITION_NEXT, &next, &st);
    if (U_FAILURE(st)) {
        *sp = (tz_span){0, 0, 0};
        return 0;
    }
    sp->offset_s = (zone_ms + dst_ms) / 1000;
    sp->start_us = has_prev ? udate_to_us(prev) : INT64_MIN;
    sp->end_us = has_next ? udate_to_us(next) : INT64_MAX;
    if (sp->end_us == INT64_MAX && utc_us == INT64_MAX)
        sp->end_us = sp->start_us; /* [start, INT64_MAX) cannot hold INT64_MAX: do not cache */
    return sp->offset_s;
}

static bool span_has(const tz_span *sp, int64_t utc_us)
{
    return utc_us >= sp->start_us && utc_us < sp->end_us;
}

int32_t ktz_offset_at(ktz *tz, int64_t utc_us)
{
    if (!tz->cal)
        return 0;
    if (span_has(&tz->span[0], utc_us))
        return tz->span[0].offset_s;
    tz_span older = tz->span[0];
    if (span_has(&tz->span[1], utc_us)) {
        tz->span[0] = tz->span[1];
        tz->span[1] = older;
        return tz->span[0].offset_s;
    }
    tz->span[1] = older;
    return refresh(tz, utc_us, &tz->span[0]);
}

/* a + b, saturated to the int64 range. */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* local_us - offset_s seconds, saturated. */
static int64_t minus_offset(int64_t local_us, int32_t offset_s)
{
    return sat_add(local_us, -(int64_t)offset_s * KTIME_US_PER_SEC);
}

/*
 * The offsets a day before and a day after the local time (read as if it were UTC) bracket
 * every offset that can apply to it, since no zone is a day away from UTC. When they agree,
 * that offset is the answer. When they differ there is one transition in between: each offset
 * gives a candidate instant, valid when the zone really has that offset then. Two valid
 * candidates are an overlap (the earlier one wins); none is a gap, where the offset from
 * before the transition is used, which moves the wall-clock time forward by the gap.
 */
int64_t ktz_local_to_utc(ktz *tz, int64_t local_us)
{
    if (!tz->cal)
        return local_us;
    int32_t before = ktz_offset_at(tz, sat_add(local_us, -KTIME_US_PER_DAY));
    int32_t after = ktz_offset_at(tz, sat_add(local_us, KTIME_US_PER_DAY));
    int64_t u_before = minus_offset(local_us, before);
    bool before_ok = ktz_offset_at(tz, u_before) == before;
    if (before == after && before_ok)
        return u_before;
    if (before != after) {
        int64_t u_after = minus_offset(local_us, after);
        bool after_ok = ktz_offset_at(tz, u_after) == after;
        if (before_ok && after_ok)
            return u_before < u_after ? u_before : u_after;
        if (after_ok)
            return u_after;
        return u_before; /* valid alone, or a gap */
    }
    /*
     * Several transitions within two days. ICU's data has none today (1843 to 2030 checked),
     * but a future rule must neither loop nor crash: settle on a fixed point.
     */
    int64_t u = u_before;
    for (int i = 0; i < 4; i++) {
        int64_t next = minus_offset(local_us, ktz_offset_at(tz, u));
        if (next == u)
            break;
        u = next;
    }
    return u;
}

int64_t ktz_day_of(ktz *tz, int64_t utc_us)
{
    int32_t off = ktz_offset_at(tz, utc_us);
    return floor_div(sat_add(utc_us, (int64_t)off * KTIME_US_PER_SEC), KTIME_US_PER_DAY);
}

/* Writes ".5", ".123456"...: the microseconds as a fraction without trailing zeros. */
static void format_fraction(int32_t us, char *out)
{
    out[0] = '\0';
    if (us == 0)
        return;
    char digits[7];
    int n = 6;
    for (int i = 5; i >= 0; i--, us /= 10)
        digits[i] = (char)('0' + us % 10);
    while (digits[n - 1] == '0')
        n--;
    out[0] = '.';
    memcpy(out + 1, digits, (size_t)n);
    out[n + 1] = '\0';
}

/* Writes "+02:00", "-03:30", or "+00:53:28" for the local mean time of old dates. */
static void format_offset(int32_t off, char *out, size_t cap)
{
    char sign = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    if (a % 60)
        snprintf(out, cap, "%c%02d:%02d:%02d", sign, (int)(a / 3600), (int)(a / 60 % 60),
                 (int)(a % 60));
    else
        snprintf(out, cap, "%c%02d:%02d", sign, (int)(a / 3600), (int)(a / 60 % 60));
}

void ktz_format(ktz *tz, int64_t utc_us, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    int32_t off = ktz_offset_at(tz, utc_us);
    int64_t local = sat_add(utc_us, (int64_t)off * KTIME_US_PER_SEC);
    int64_t days = floor_div(local, KTIME_US_PER_DAY);
    int64_t in_day = local % KTIME_US_PER_DAY; /* not local - days * DAY: that can overflow */
    if (in_day < 0)
        in_day += KTIME_US_PER_DAY;
    int64_t secs = in_day / KTIME_US_PER_SEC;
    int64_t year;
    int month, day;
    kcivil_from_days(days, &year, &month, &day);
    char frac[8], offs[16];
    format_fraction((int32_t)(in_day % KTIME_US_PER_SEC), frac);
    format_offset(off, offs, sizeof offs);
    snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02d%s%s", (long long)year, month, day,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), frac, offs);
}
