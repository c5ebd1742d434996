/*
 * calendar_api.c - the calendar of include/kpi.h for clients: day numbers and civil dates,
 * and IANA time zones. A client that writes events for a workspace (a generator, a connector)
 * places them with the same arithmetic and the same zone rules (ICU's) as the engine that
 * buckets them, instead of the C library's (whose zones depend on TZ and the system's files).
 */
#include "../util/ktime.h"

#include <stdlib.h>

struct kpi_timezone {
    ktz *tz;
};

int64_t kpi_days_from_date(int64_t year, int month, int day)
{
    return kdays_from_civil(year, month, day);
}

void kpi_date_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    kcivil_from_days(days, year, month, day);
}

int kpi_weekday(int64_t days)
{
    return kweekday_from_days(days);
}

kpi_status kpi_timezone_create(const char *name, kpi_timezone **out, kpi_error *err)
{
    *out = NULL;
    kpi_timezone *z = malloc(sizeof *z);
    if (!z)
        return kerr_set(err, KPI_NOMEM, "out of memory opening time zone '%s'", name);
    kpi_status st = ktz_open(name, &z->tz, err);
    if (st != KPI_OK) {
        free(z);
        return st;
    }
    *out = z;
    return KPI_OK;
}

void kpi_timezone_destroy(kpi_timezone *tz)
{
    if (!tz)
        return;
    ktz_close(tz->tz);
    free(tz);
}

int32_t kpi_timezone_offset(kpi_timezone *tz, int64_t utc_us)
{
    return ktz_offset_at(tz->tz, utc_us);
}

int64_t kpi_timezone_to_utc(kpi_timezone *tz, int64_t local_us)
{
    return ktz_local_to_utc(tz->tz, local_us);
}

int64_t kpi_timezone_day(kpi_timezone *tz, int64_t utc_us)
{
    return ktz_day_of(tz->tz, utc_us);
}
