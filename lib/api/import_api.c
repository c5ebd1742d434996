/*
 * import_api.c - the public import calls: resolve the stream, open the file (or standard
 * input), pick the format, and run the ingest pipeline with the workspace's store and zone.
 */
#include "workspace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kpi_import_options_init(kpi_import_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->format = KPI_FORMAT_AUTO;
}

static ptrdiff_t fd_read(void *ctx, char *buf, size_t cap)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

kpi_status kpi_import_reader(kpi_workspace *ws, const char *stream, const char *name,
                             kpi_read_fn read, void *read_ctx, uint64_t total_bytes,
                             const kpi_import_options *opts, kpi_import_result *result)
{
    kpi_error_init(&ws->err);
    memset(result, 0, sizeof *result);
    const kstream *s = kws_stream(ws, stream);
    if (!s)
        return ws->err.status;
    char rejects_dir[4096];
    snprintf(rejects_dir, sizeof rejects_dir, "%s/rejects", ws->dir);
    kimport_ctx ctx = {.meta = ws->meta,
                       .store = ws->store,
                       .stream = s,
                       .zone = ws->tz,
                       .rejects_dir = rejects_dir,
                       .now_us = kws_now(ws)};
    kpi_import_options o;
    if (opts)
        o = *opts;
    else
        kpi_import_options_init(&o);
    if (o.format == KPI_FORMAT_AUTO)
        o.format =
            has_suffix(name, ".ndjson") || has_suffix(name, ".jsonl") || has_suffix(name, ".json")
                ? KPI_FORMAT_NDJSON
                : KPI_FORMAT_CSV;
    return kimport_run(&ctx, name, read, read_ctx, total_bytes, &o, result, &ws->err);
}

kpi_status kpi_import_file(kpi_workspace *ws, const char *stream, const char *path,
                           const kpi_import_options *opts, kpi_import_result *result)
{
    kpi_error_init(&ws->err);
    memset(result, 0, sizeof *result);
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kerr_set(&ws->err, KPI_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    uint64_t total = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        total = (uint64_t)sb.st_size;
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    kpi_status rc =
        kpi_import_reader(ws, stream, is_stdin ? "-" : path, fd_read, &fd, total, opts, result);
    if (!is_stdin)
        close(fd);
    return rc;
}
