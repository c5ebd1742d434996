/*
 * rejects.c - the reject file: every row an import refuses, with where (line, column), what
 * (field, value) and why, followed by the original record so nothing is lost: fix the values
 * and import the file again (the leading "_" columns / keys are ignored on re-import).
 * CSV input gives a CSV reject file; NDJSON input gives NDJSON lines.
 */
#include "import.h"
#include "../util/kjson.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct krejects {
    char path[1024];
    char dir[1024];
    char stream[64];
    int64_t now_us;
    kpi_format format;
    char delimiter;
    kbuf header; /* the CSV header line, ready to write */
    FILE *f;
    kbuf line;
};

krejects *krejects_create(const char *path, const char *dir, const char *stream, int64_t now_us,
                          kpi_format format, char delimiter, const krecord *header)
{
    krejects *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    snprintf(r->path, sizeof r->path, "%s", path ? path : "");
    snprintf(r->dir, sizeof r->dir, "%s", dir ? dir : ".");
    snprintf(r->stream, sizeof r->stream, "%s", stream);
    r->now_us = now_us;
    r->format = format;
    r->delimiter = delimiter;
    kbuf_init(&r->header, 0);
    kbuf_init(&r->line, 0);
    if (format != KPI_FORMAT_NDJSON) {
        bool ok = true;
        const char *fixed[] = {"_line", "_column", "_field", "_value", "_reason"};
        for (size_t i = 0; i < 5; i++) {
            ok = ok && kbuf_appends(&r->header, fixed[i]);
            ok = ok && kbuf_appendc(&r->header, delimiter);
        }
        for (size_t i = 0; header && i < header->nfields; i++) {
            if (i)
                ok = ok && kbuf_appendc(&r->header, delimiter);
            ok = ok &&
                 kcsv_write_field(&r->header, header->fields[i].p, header->fields[i].n, delimiter);
        }
        if (!ok) {
            krejects_destroy(r);
            return NULL;
        }
    }
    return r;
}

void krejects_destroy(krejects *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    kbuf_release(&r->header);
    kbuf_release(&r->line);
    free(r);
}

/* Opens the file on first use; the default name is <dir>/<stream>-<UTC time>[-N].<ext>. */
static kpi_status open_file(krejects *r, kpi_error *err)
{
    const char *ext = r->format == KPI_FORMAT_NDJSON ? "ndjson" : "csv";
    if (!r->path[0]) {
        if (mkdir(r->dir, 0777) != 0 && errno != EEXIST)
            return kerr_set(err, KPI_IO, "cannot create reject directory '%s': %s", r->dir,
                            strerror(errno));
        time_t t = (time_t)(r->now_us / 1000000);
        struct tm tm;
        gmtime_r(&t, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        for (int n = 1; n < 1000; n++) {
            char suffix[16] = "";
            if (n > 1)
                snprintf(suffix, sizeof suffix, "-%d", n);
            int w = snprintf(r->path, sizeof r->path, "%s/%s-%s%s.%s", r->dir, r->stream, stamp,
                             suffix, ext);
            if (w < 0 || (size_t)w >= sizeof r->path)
                return kerr_set(err, KPI_IO, "reject directory path too long: '%s'", r->dir);
            r->f = fopen(r->path, "wx");
            if (r->f || errno != EEXIST)
                break;
        }
    } else {
        r->f = fopen(r->path, "w");
    }
    if (!r->f)
        return kerr_set(err, KPI_IO, "cannot write reject file '%s': %s", r->path, strerror(errno));
    if (r->format != KPI_FORMAT_NDJSON)
        fprintf(r->f, "%s\n", r->header.p);
    return KPI_OK;
}

static bool csv_line(krejects *r, const krecord *rec, unsigned long line, unsigned long column,
                     const char *field, kstr value, const char *reason)
{
    kbuf *b = &r->line;
    char d = r->delimiter;
    kbuf_reset(b);
    bool ok = kbuf_printf(b, "%lu%c%lu%c", line, d, column, d);
    ok = ok && kcsv_write_field(b, field ? field : "", field ? strlen(field) : 0, d);
    ok = ok && kbuf_appendc(b, d) && kcsv_write_field(b, value.p, value.n, d);
    ok = ok && kbuf_appendc(b, d) && kcsv_write_field(b, reason, strlen(reason), d);
    for (size_t i = 0; i < rec->nfields; i++) {
        const kfield_val *v = &rec->fields[i];
        ok = ok && kbuf_appendc(b, d) && kcsv_write_field(b, v->p ? v->p : "", v->n, d);
    }
    return ok && kbuf_appendc(b, '\n');
}

/* A JSON string of raw bytes; bytes that are not UTF-8 become the text "\\xNN" and *escaped is
 * set, since JSON cannot carry them. */
static json_t *raw_string(const char *p, size_t n, bool *escaped)
{
    size_t ok = kutf8_valid_prefix(p, n);
    if (ok == n)
        return json_stringn_nocheck(p, n);
    kbuf b;
    kbuf_init(&b, 0);
    *escaped = true;
    while (n) {
        kbuf_append(&b, p, ok);
        if (ok < n) {
            kbuf_printf(&b, "\\x%02X", (unsigned char)p[ok]);
            ok++;
        }
        p += ok;
        n -= ok;
        ok = kutf8_valid_prefix(p, n);
    }
    json_t *s = json_stringn_nocheck(b.p ? b.p : "", b.n);
    kbuf_release(&b);
    return s;
}

static bool ndjson_line(krejects *r, const krecord *rec, unsigned long line, unsigned long column,
                        const char *field, kstr value, const char *reason)
{
    json_t *o = json_object();
    if (!o)
        return false;
    bool escaped = false; /* each set fails (-1) when its value could not be made */
    bool ok =
        !json_object_set_new(o, "_line", json_integer((json_int_t)line)) &&
        !json_object_set_new(o, "_column", json_integer((json_int_t)column)) &&
        !json_object_set_new(o, "_field", field ? json_string(field) : json_null()) &&
        !json_object_set_new(o, "_value", raw_string(value.p ? value.p : "", value.n, &escaped)) &&
        !json_object_set_new(o, "_reason", json_string(reason)) &&
        !json_object_set_new(o, "_record",
                             raw_string(rec->raw ? rec->raw : "", rec->raw_n, &escaped)) &&
        (!escaped || !json_object_set_new(o, "_record_escaped", json_true()));
    kbuf_reset(&r->line);
    ok = ok && kjson_append(&r->line, o, JSON_COMPACT | JSON_ENSURE_ASCII) &&
         kbuf_appendc(&r->line, '\n');
    json_decref(o);
    return ok;
}

kpi_status krejects_add(krejects *r, const krecord *rec, unsigned long line, unsigned long column,
                        const char *field, kstr value, const char *reason, kpi_error *err)
{
    if (!r->f) {
        kpi_status rc = open_file(r, err);
        if (rc != KPI_OK)
            return rc;
    }
    bool ok = r->format == KPI_FORMAT_NDJSON
                  ? ndjson_line(r, rec, line, column, field, value, reason)
                  : csv_line(r, rec, line, column, field, value, reason);
    if (!ok)
        return kerr_set(err, KPI_NOMEM, "out of memory writing a rejected row");
    if (fwrite(r->line.p, 1, r->line.n, r->f) != r->line.n)
        return kerr_set(err, KPI_IO, "cannot write reject file '%s': %s", r->path, strerror(errno));
    return KPI_OK;
}

kpi_status krejects_finish(krejects *r, char *path, size_t cap, kpi_error *err)
{
    if (cap)
        path[0] = '\0';
    if (!r->f)
        return KPI_OK;
    int bad = fclose(r->f);
    r->f = NULL;
    snprintf(path, cap, "%s", r->path);
    if (bad)
        return kerr_set(err, KPI_IO, "cannot write reject file '%s': %s", r->path, strerror(errno));
    return KPI_OK;
}
