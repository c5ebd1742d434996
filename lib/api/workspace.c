/*
 * workspace.c - the workspace handle, top of the library: it loads kpi.yaml, opens the store
 * and keeps it in step with the definitions, and is what every public call goes through. The
 * last error stays on the handle (like sqlite3_errmsg) for the shells to print.
 */
#include "workspace_int.h"
#include "../render/render.h"
#include "../util/embedded.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int64_t real_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* mkdir -p for the workspace directory. */
static kpi_status make_dirs(const char *dir, kpi_error *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return kerr_set(err, KPI_USAGE, "path too long: '%s'", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return kerr_set(err, KPI_IO, "cannot create directory '%s': %s", path,
                                strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    return KPI_OK;
}

/* Loads the definitions and opens and syncs the store. */
static kpi_status open_parts(kpi_workspace *ws)
{
    kpi_error *err = &ws->err;
    struct stat sb;
    if (stat(ws->yaml_path, &sb) != 0)
        return kerr_set(err, KPI_NOTFOUND,
                        "no kpi.yaml in '%s': create a workspace there with 'kpi init %s', or"
                        " choose one with -w DIR or KPI_WORKSPACE",
                        ws->dir, ws->dir);
    kpi_status rc = kcfg_load(ws->yaml_path, &ws->cfg, err);
    if (rc != KPI_OK)
        return rc;
    if ((rc = ktz_open(ws->cfg->timezone, &ws->tz, err)) != KPI_OK) {
        kerr_prefix(err, "workspace.timezone");
        snprintf(err->file, sizeof err->file, "%s", ws->yaml_path);
        return rc;
    }
    if ((rc = kmeta_open(ws->db_path, &ws->meta, err)) != KPI_OK ||
        (rc = kstore_sqlite.open(ws->meta, &ws->store, err)) != KPI_OK)
        return rc;
    return kstore_sync(ws->store, ws->cfg, err);
}

kpi_status kpi_workspace_open(const char *dir, kpi_workspace **out)
{
    kpi_workspace *ws = calloc(1, sizeof *ws);
    *out = ws;
    if (!ws)
        return KPI_NOMEM;
    kpi_error_init(&ws->err);
    ws->now_us = real_now_us;
    ws->dir = strdup(dir && *dir ? dir : ".");
    ws->yaml_path = ws->dir ? path_join(ws->dir, "kpi.yaml") : NULL;
    ws->db_path = ws->dir ? path_join(ws->dir, "kpi.db") : NULL;
    if (!ws->dir || !ws->yaml_path || !ws->db_path)
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    return open_parts(ws);
}

void kpi_workspace_destroy(kpi_workspace *ws)
{
    if (!ws)
        return;
    kstore_close(ws->store);
    kmeta_close(ws->meta);
    if (ws->compiled)
        kcompiled_release(&ws->defs);
    kcfg_free(ws->cfg);
    ktz_close(ws->tz);
    free(ws->dir);
    free(ws->yaml_path);
    free(ws->db_path);
    free(ws);
}

const kpi_error *kpi_workspace_error(const kpi_workspace *ws)
{
    return &ws->err;
}

int64_t kpi_parse_time(const char *iso)
{
    int64_t us;
    char why[128];
    return ktime_parse(kstr_c(iso), NULL, NULL, &us, why, sizeof why) ? us : INT64_MIN;
}

void kpi_workspace_set_now(kpi_workspace *ws, int64_t utc_us)
{
    ws->pinned_now_us = utc_us;
}

int64_t kws_now(const kpi_workspace *ws)
{
    return ws->pinned_now_us ? ws->pinned_now_us : ws->now_us();
}

const char *kpi_workspace_dir(const kpi_workspace *ws)
{
    return ws->dir;
}

kcalendar kws_calendar(const kpi_workspace *ws)
{
    return (kcalendar){ws->cfg->week_start, ws->cfg->fiscal_year_start, true,
                       ktz_day_of(ws->tz, kws_now(ws))};
}

/* Writes a new file; refuses to overwrite. */
static kpi_status write_new(const char *path, const char *data, size_t n, kpi_error *err)
{
    FILE *f = fopen(path, "wx");
    if (!f)
        return errno == EEXIST
                   ? kerr_set(err, KPI_CONFLICT, "'%s' already exists", path)
                   : kerr_set(err, KPI_IO, "cannot write '%s': %s", path, strerror(errno));
    bool ok = fwrite(data, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    return ok ? KPI_OK : kerr_set(err, KPI_IO, "cannot write '%s': %s", path, strerror(errno));
}

static const char catalog_yaml[] =
    "# kpi.yaml - this workspace measures the standard KPI catalog: every department's KPIs and\n"
    "# the streams they read live in kpis/<department>.yaml. Edit them, or add your own files\n"
    "# there: they are all included. `kpi streams` lists what to import, `kpi list` the KPIs.\n"
    "\n"
    "workspace:\n"
    "  name: My company\n"
    "  timezone: UTC                # IANA name (Europe/Berlin): periods are cut in it\n"
    "  # week_start: monday\n"
    "  # fiscal_year_start: 4\n"
    "\n"
    "include: [kpis/*.yaml]\n";

static kpi_status write_catalog(const char *dir, kpi_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/kpis", dir);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return kerr_set(err, KPI_IO, "cannot create '%s': %s", path, strerror(errno));
    kpi_status rc = KPI_OK;
    for (const kembedded *e = kcatalog_files; rc == KPI_OK && e->name; e++) {
        snprintf(path, sizeof path, "%s/kpis/%s", dir, e->name);
        rc = write_new(path, e->data, e->len, err);
    }
    return rc;
}

kpi_status kpi_workspace_init(const char *dir, int with_catalog, kpi_error *err)
{
    kpi_status rc = make_dirs(dir, err);
    if (rc != KPI_OK)
        return rc;
    char *yaml = path_join(dir, "kpi.yaml");
    if (!yaml)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    struct stat sb;
    if (stat(yaml, &sb) == 0) {
        rc = kerr_set(err, KPI_CONFLICT, "'%s' already exists: '%s' is a workspace already", yaml,
                      dir);
        free(yaml);
        return rc;
    }
    if (with_catalog)
        rc = write_catalog(dir, err);
    if (rc == KPI_OK)
        rc = with_catalog ? write_new(yaml, catalog_yaml, sizeof catalog_yaml - 1, err)
                          : write_new(yaml, kcfg_template, strlen(kcfg_template), err);
    free(yaml);
    if (rc != KPI_OK)
        return rc;
    kpi_workspace *ws;
    rc = kpi_workspace_open(dir, &ws);
    if (rc != KPI_OK && ws)
        *err = ws->err;
    kpi_workspace_destroy(ws);
    return rc;
}

const kstream *kws_stream(kpi_workspace *ws, const char *name)
{
    const kstream *s = kcfg_stream(ws->cfg, kstr_c(name));
    if (s)
        return s;
    const char **names = malloc((ws->cfg->nstreams + 1) * sizeof *names);
    char hint[160] = "";
    if (names) {
        for (size_t i = 0; i < ws->cfg->nstreams; i++)
            names[i] = ws->cfg->streams[i].name;
        ksuggest_hint(kstr_c(name), names, ws->cfg->nstreams, hint, sizeof hint);
        free(names);
    }
    kerr_set(&ws->err, KPI_NOTFOUND, "unknown stream '%s'%s", name, hint);
    return NULL;
}

size_t kpi_stream_count(const kpi_workspace *ws)
{
    return ws->cfg ? ws->cfg->nstreams : 0;
}

kpi_status kpi_stream_def_get(kpi_workspace *ws, size_t i, kpi_stream_info *info)
{
    kpi_error_init(&ws->err);
    if (!ws->cfg || i >= ws->cfg->nstreams)
        return kerr_set(&ws->err, KPI_USAGE, "stream index %zu out of range", i);
    const kstream *s = &ws->cfg->streams[i];
    memset(info, 0, sizeof *info);
    info->name = s->name;
    info->kind = kstream_kind_name(s->kind);
    info->time_field = s->time_field;
    info->id_field = s->id_field;
    info->field_count = s->nfields;
    info->time_is_date = s->fields[s->time_index].type == KPI_FIELD_DATE;
    return KPI_OK;
}

kpi_status kpi_stream_info_get(kpi_workspace *ws, size_t i, kpi_stream_info *info)
{
    if (kpi_stream_def_get(ws, i, info) != KPI_OK)
        return ws->err.status;
    const kstream *s = &ws->cfg->streams[i];
    kstream_stats st;
    kpi_status rc = kstore_stats(ws->store, s, &st, &ws->err);
    if (rc != KPI_OK)
        return rc;
    info->rows = st.rows;
    if (st.rows) {
        int64_t scale = info->time_is_date ? KTIME_US_PER_DAY : 1;
        info->first_time_us = st.first * scale;
        info->last_time_us = st.last * scale;
    }
    return KPI_OK;
}

char *kpi_streams_json(kpi_workspace *ws)
{
    size_t n = kpi_stream_count(ws);
    kpi_stream_info *infos = calloc(n ? n : 1, sizeof *infos);
    char(*times)[2][64] = calloc(n ? n : 1, sizeof *times);
    const char **first = calloc(n ? n : 1, sizeof *first), **last = calloc(n ? n : 1, sizeof *last);
    bool ok = infos && times && first && last;
    if (!ok)
        kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        ok = kpi_stream_info_get(ws, i, &infos[i]) == KPI_OK;
        if (ok && infos[i].rows) {
            kpi_workspace_format_time(ws, infos[i].first_time_us, infos[i].time_is_date,
                                      times[i][0], sizeof times[i][0]);
            kpi_workspace_format_time(ws, infos[i].last_time_us, infos[i].time_is_date, times[i][1],
                                      sizeof times[i][1]);
        }
        if (ok) {
            first[i] = times[i][0];
            last[i] = times[i][1];
        }
    }
    kbuf b;
    kbuf_init(&b, 0);
    if (ok && !krender_streams_json(&b, infos, first, last, n)) {
        kerr_set(&ws->err, KPI_NOMEM, "out of memory");
        ok = false;
    }
    free(infos);
    free(times);
    free(first);
    free(last);
    if (!ok)
        kbuf_release(&b);
    return ok ? b.p : NULL;
}

kpi_status kpi_stream_drop(kpi_workspace *ws, const char *name, int64_t *rows_deleted)
{
    kpi_error_init(&ws->err);
    return kstore_drop(ws->store, name, rows_deleted, &ws->err);
}

void kpi_workspace_format_time(const kpi_workspace *ws, int64_t utc_us, int date_only, char *buf,
                               size_t cap)
{
    if (date_only) {
        kdays_format(utc_us / KTIME_US_PER_DAY - (utc_us % KTIME_US_PER_DAY < 0), buf, cap);
        return;
    }
    ktz_format(ws->tz, utc_us, buf, cap);
}

kpi_status kpi_workspace_version(kpi_workspace *ws, int64_t *version)
{
    kpi_error_init(&ws->err);
    return kmeta_data_version(ws->meta, version, &ws->err);
}
