/*
 * export_api.c - kpi_export: a stream's stored events written out for other tools (CSV, NDJSON,
 * a new SQLite file). It resolves the stream and the local days from..to, opens the output,
 * and feeds the rows of the store's read_rows, in time order, to the format (lib/render's
 * export formats). The events move to columnar segment files soon (DESIGN §5): this, not
 * kpi.db's tables, is how users get their data out.
 */
#include "workspace_int.h"
#include "../render/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const kexport_format *const formats[] = {&kexport_csv, &kexport_ndjson, &kexport_sqlite};

#define NFORMATS (sizeof formats / sizeof formats[0])

/* One run: the format's state, the rows written, where a row's error goes. */
typedef struct export_run {
    kexport x;
    uint64_t rows;
    kpi_error *err;
} export_run;

void kpi_export_options_init(kpi_export_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->format = KPI_EXPORT_CSV;
}

int kpi_export_format_parse(const char *name, kpi_export_format *out)
{
    for (size_t i = 0; name && i < NFORMATS; i++) {
        if (strcmp(formats[i]->name, name) == 0) {
            *out = formats[i]->id;
            return 1;
        }
    }
    return 0;
}

static const kexport_format *format_of(kpi_export_format id)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i]->id == id)
            return formats[i];
    return NULL;
}

/* The days [*lo, *hi) of from..to; without them, every day of the years 0000..9999. */
static kpi_status day_range(kpi_workspace *ws, const kpi_export_options *o, int64_t *lo,
                            int64_t *hi)
{
    int64_t last = kdays_from_civil(9999, 12, 31);
    *lo = kdays_from_civil(0, 1, 1);
    kpi_status rc = o->from ? kdate_arg(o->from, "--from", lo, &ws->err) : KPI_OK;
    if (rc == KPI_OK && o->to)
        rc = kdate_arg(o->to, "--to", &last, &ws->err);
    *hi = last + 1;
    if (rc == KPI_OK && *hi <= *lo)
        rc = kerr_set(&ws->err, KPI_USAGE, "--to %s is before --from %s",
                      o->to ? o->to : "9999-12-31", o->from ? o->from : "0000-01-01");
    return rc;
}

static int fd_write(void *ctx, const char *p, size_t n)
{
    int fd = *(int *)ctx;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static kpi_status on_row(void *ctx, int64_t day, const kscan_value *vals)
{
    (void)day;
    export_run *run = ctx;
    run->rows++;
    return run->x.format->row(&run->x, vals, run->err);
}

/* Begins, feeds every row, ends. */
static kpi_status run_export(kpi_workspace *ws, export_run *run, int64_t lo, int64_t hi)
{
    kexport *x = &run->x;
    kpi_status rc = x->format->begin(x, &ws->err);
    if (rc == KPI_OK)
        rc = kstore_read_rows(ws->store, x->stream, lo, hi, on_row, run, &ws->err);
    kpi_status end = x->format->end(x, rc == KPI_OK, &ws->err);
    return rc == KPI_OK ? end : rc;
}

/* Checks where the output goes: a path, or (text formats) the write callback. */
static kpi_status check_output(kpi_workspace *ws, const kexport_format *f,
                               const kpi_export_options *o)
{
    if (f->id == KPI_EXPORT_SQLITE && !o->path)
        return kerr_set(&ws->err, KPI_USAGE,
                        "an sqlite export writes a new file: name it (--output FILE)");
    if (!o->path && !o->write)
        return kerr_set(&ws->err, KPI_USAGE, "an export needs a path or a write function");
    return KPI_OK;
}

/* CSV and NDJSON to a path: the file, replaced, written through fd_write on *fd. */
static kpi_status open_text_file(kpi_workspace *ws, kexport *x, int *fd)
{
    *fd = open(x->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (*fd < 0)
        return kerr_set(&ws->err, KPI_IO, "cannot write '%s': %s", x->path, strerror(errno));
    x->write = fd_write;
    x->write_ctx = fd;
    return KPI_OK;
}

kpi_status kpi_export(kpi_workspace *ws, const char *stream, const kpi_export_options *opts,
                      uint64_t *rows)
{
    kpi_error_init(&ws->err);
    kpi_export_options o;
    if (opts)
        o = *opts;
    else
        kpi_export_options_init(&o);
    export_run run = {.x = {.format = format_of(o.format),
                            .stream = kws_stream(ws, stream),
                            .write = o.write,
                            .write_ctx = o.ctx,
                            .path = o.path},
                      .err = &ws->err};
    int64_t lo, hi;
    int fd = -1;
    if (!run.x.stream)
        return ws->err.status;
    if (!run.x.format)
        return kerr_set(&ws->err, KPI_USAGE, "unknown export format %d", (int)o.format);
    kpi_status rc = check_output(ws, run.x.format, &o);
    if (rc == KPI_OK)
        rc = day_range(ws, &o, &lo, &hi);
    if (rc == KPI_OK && o.path && run.x.format->id != KPI_EXPORT_SQLITE)
        rc = open_text_file(ws, &run.x, &fd);
    kbuf_init(&run.x.buf, 0);
    if (rc == KPI_OK)
        rc = run_export(ws, &run, lo, hi);
    kbuf_release(&run.x.buf);
    if (fd >= 0 && close(fd) != 0 && rc == KPI_OK)
        rc = kerr_set(&ws->err, KPI_IO, "cannot write '%s': %s", o.path, strerror(errno));
    if (rows)
        *rows = run.rows;
    return rc;
}
