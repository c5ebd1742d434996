/*
 * export_text.c - the text formats of `kpi export`: CSV (a header of the field names, RFC 4180
 * quoting through the importer's own kcsv_write_field, so that `kpi import` reads back each
 * value as it was) and NDJSON (an object per row, typed values, text JSON-escaped as valid
 * UTF-8). Both build lines in a buffer and hand it to the caller's write function by 64 KiB.
 * Lines end with "\n", as the other CSV kpi writes; every CSV reader accepts it.
 */
#include "export.h"
#include "../ingest/reader.h"
#include "../util/ktime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FLUSH_AT ((size_t)1 << 16)

/* Writes "2026-10-05T10:00:00Z", with ".ffffff" when the microseconds are not 0. */
static size_t utc_time(int64_t us, char *buf, size_t cap)
{
    int64_t days = us / KTIME_US_PER_DAY - (us % KTIME_US_PER_DAY < 0);
    int64_t in_day = us - days * KTIME_US_PER_DAY, secs = in_day / KTIME_US_PER_SEC;
    int frac = (int)(in_day % KTIME_US_PER_SEC), month, day;
    int64_t year;
    kcivil_from_days(days, &year, &month, &day);
    int n = snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)year, month, day,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, ".%06d", frac);
    if (n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, "Z");
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t kexport_value(const kfield *f, const kscan_value *v, char *buf, size_t cap)
{
    switch (f->type) {
    case KPI_FIELD_TIME:
        return utc_time(v->i, buf, cap);
    case KPI_FIELD_DATE:
        kdays_format(v->i, buf, cap);
        return strlen(buf);
    case KPI_FIELD_NUMBER:
        return kdecimal_format(v->i, f->scale, false, buf, cap);
    case KPI_FIELD_BOOL:
        return (size_t)snprintf(buf, cap, "%s", v->i ? "true" : "false");
    default:
        return (size_t)snprintf(buf, cap, "%lld", (long long)v->i);
    }
}

static kpi_status flush(kexport *x, size_t at, kpi_error *err)
{
    if (x->buf.n < at || x->buf.n == 0)
        return KPI_OK;
    if (x->write(x->write_ctx, x->buf.p, x->buf.n) != 0)
        return kerr_set(err, KPI_IO, "cannot write '%s': %s", x->path ? x->path : "-",
                        strerror(errno));
    kbuf_reset(&x->buf);
    return KPI_OK;
}

/* The end of a line: out of memory when the line could not be made, else a write when due. */
static kpi_status line_done(kexport *x, bool ok, kpi_error *err)
{
    if (!ok || !kbuf_appendc(&x->buf, '\n'))
        return kerr_set(err, KPI_NOMEM, "out of memory");
    return flush(x, FLUSH_AT, err);
}

static kpi_status text_end(kexport *x, bool ok, kpi_error *err)
{
    return ok ? flush(x, 0, err) : KPI_OK;
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static kpi_status csv_begin(kexport *x, kpi_error *err)
{
    bool ok = true;
    for (size_t i = 0; ok && i < x->stream->nfields; i++)
        ok = (i == 0 || kbuf_appendc(&x->buf, ',')) &&
             kbuf_appends(&x->buf, x->stream->fields[i].name);
    return line_done(x, ok, err);
}

static bool csv_value(kbuf *b, const kfield *f, const kscan_value *v)
{
    char tmp[64];
    if (v->null)
        return true;
    if (f->type == KPI_FIELD_TEXT)
        return kcsv_write_field(b, v->text.p, v->text.n, ',');
    return kbuf_append(b, tmp, kexport_value(f, v, tmp, sizeof tmp));
}

static kpi_status csv_row(kexport *x, const kscan_value *vals, kpi_error *err)
{
    bool ok = true;
    for (size_t i = 0; ok && i < x->stream->nfields; i++)
        ok = (i == 0 || kbuf_appendc(&x->buf, ',')) &&
             csv_value(&x->buf, &x->stream->fields[i], &vals[i]);
    return line_done(x, ok, err);
}

const kexport_format kexport_csv = {
    .id = KPI_EXPORT_CSV,
    .name = "csv",
    .begin = csv_begin,
    .row = csv_row,
    .end = text_end,
};

/* ---- NDJSON ------------------------------------------------------------------------------- */

/* Appends the escape of a quote, a backslash or a control character. */
static bool json_escape(kbuf *b, unsigned char c)
{
    switch (c) {
    case '"':
        return kbuf_appends(b, "\\\"");
    case '\\':
        return kbuf_appends(b, "\\\\");
    case '\n':
        return kbuf_appends(b, "\\n");
    case '\r':
        return kbuf_appends(b, "\\r");
    case '\t':
        return kbuf_appends(b, "\\t");
    default:
        return kbuf_printf(b, "\\u%04x", c);
    }
}

/* Appends one valid UTF-8 run as JSON string content. */
static bool json_run(kbuf *b, const char *p, size_t n)
{
    size_t from = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ok = kbuf_append(b, p + from, i - from) && json_escape(b, c);
        from = i + 1;
    }
    return ok && kbuf_append(b, p + from, n - from);
}

/* Appends text as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static bool json_string(kbuf *b, kstr s)
{
    bool ok = kbuf_appendc(b, '"');
    while (ok && s.n) {
        size_t good = kutf8_valid_prefix(s.p, s.n);
        ok = json_run(b, s.p, good) && (good == s.n || kbuf_appends(b, "\xEF\xBF\xBD"));
        good += good < s.n;
        s.p += good;
        s.n -= good;
    }
    return ok && kbuf_appendc(b, '"');
}

static bool json_value(kbuf *b, const kfield *f, const kscan_value *v)
{
    char tmp[64];
    if (v->null)
        return kbuf_appends(b, "null");
    if (f->type == KPI_FIELD_TEXT)
        return json_string(b, v->text);
    size_t n = kexport_value(f, v, tmp, sizeof tmp);
    if (f->type == KPI_FIELD_TIME || f->type == KPI_FIELD_DATE)
        return json_string(b, (kstr){tmp, n});
    return kbuf_append(b, tmp, n);
}

static kpi_status ndjson_begin(kexport *x, kpi_error *err)
{
    (void)x;
    (void)err;
    return KPI_OK;
}

static kpi_status ndjson_row(kexport *x, const kscan_value *vals, kpi_error *err)
{
    bool ok = kbuf_appendc(&x->buf, '{');
    for (size_t i = 0; ok && i < x->stream->nfields; i++) {
        const kfield *f = &x->stream->fields[i];
        ok = kbuf_printf(&x->buf, "%s\"%s\":", i ? "," : "", f->name) &&
             json_value(&x->buf, f, &vals[i]);
    }
    return line_done(x, ok && kbuf_appendc(&x->buf, '}'), err);
}

const kexport_format kexport_ndjson = {
    .id = KPI_EXPORT_NDJSON,
    .name = "ndjson",
    .begin = ndjson_begin,
    .row = ndjson_row,
    .end = text_end,
};
