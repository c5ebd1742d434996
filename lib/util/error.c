/*
 * error.c - status names and texts (generated from KPI_STATUS_MAP) and the helpers that fill
 * the one error type with a message and, when known, a file:line:column.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

const char *kpi_strerror(kpi_status status)
{
    switch (status) {
#define KPI_STATUS_TEXT(name, num, text)                                                           \
    case KPI_##name:                                                                               \
        return text;
        KPI_STATUS_MAP(KPI_STATUS_TEXT)
#undef KPI_STATUS_TEXT
    }
    return "unknown status";
}

const char *kpi_status_name(kpi_status status)
{
    switch (status) {
#define KPI_STATUS_NAME(name, num, text)                                                           \
    case KPI_##name:                                                                               \
        return #name;
        KPI_STATUS_MAP(KPI_STATUS_NAME)
#undef KPI_STATUS_NAME
    }
    return "UNKNOWN";
}

void kpi_error_init(kpi_error *err)
{
    err->status = KPI_OK;
    err->file[0] = '\0';
    err->line = err->column = 0;
    err->message[0] = '\0';
}

void kpi_error_format(const kpi_error *err, char *buf, size_t cap)
{
    if (!cap)
        return;
    if (err->file[0] && err->line && err->column)
        snprintf(buf, cap, "%s:%lu:%lu: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] && err->line)
        snprintf(buf, cap, "%s:%lu: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, cap, "%s: %s", err->file, err->message);
    else
        snprintf(buf, cap, "%s", err->message[0] ? err->message : kpi_strerror(err->status));
}

kpi_status kerr_vset_at(kpi_error *err, kpi_status status, const char *file, unsigned long line,
                        unsigned long column, const char *fmt, va_list ap)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return status;
}

kpi_status kerr_set_at(kpi_error *err, kpi_status status, const char *file, unsigned long line,
                       unsigned long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kerr_vset_at(err, status, file, line, column, fmt, ap);
    va_end(ap);
    return status;
}

kpi_status kerr_set(kpi_error *err, kpi_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kerr_vset_at(err, status, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return status;
}

void kerr_prefix(kpi_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[512], old[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    size_t pn = strlen(prefix), on = strlen(old), cap = sizeof err->message - 1;
    if (pn > cap)
        pn = cap;
    memcpy(err->message, prefix, pn);
    size_t n = pn;
    for (const char *sep = ": "; *sep && n < cap; sep++)
        err->message[n++] = *sep;
    if (on > cap - n)
        on = cap - n;
    memcpy(err->message + n, old, on);
    err->message[n + on] = '\0';
}
