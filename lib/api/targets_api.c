/*
 * targets_api.c - what people enter: `kpi targets set` and `kpi targets import` (targets and
 * quotas) and `kpi values set` (the values of manual KPIs, kept with their history), each
 * checked against the KPI's definition (its dimensions, the period names of the calendar) and
 * stored in kpi.db.
 */
#include "workspace_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A period name as stored: a relative one read against today ("last-month" -> "2026-10"),
 * any other as written. False with why when it is not a period. */
static bool canonical_period(const kpi_workspace *ws, const char *period, char *buf, size_t cap,
                             char *why, size_t whycap)
{
    kcalendar cal = kws_calendar(ws);
    kperiod p;
    if (!kperiod_parse(&cal, kstr_c(period), &p, why, whycap))
        return false;
    if (islower((unsigned char)kstr_trim(kstr_c(period)).p[0])) /* a relative name */
        kperiod_name(&cal, p, buf, cap);
    else
        snprintf(buf, cap, "%s", period);
    return true;
}

/* Validates one target and writes its canonical dims ("a=x&b=y", sorted by name) and period
 * name into pname (a relative name such as "last-month" becomes the period it is today, so
 * that what is stored does not drift; "" when period is NULL or empty). */
static kpi_status check(kpi_workspace *ws, const char *kpi, const char *period,
                        const char *const *dims, size_t ndims, kbuf *canon, const char *where,
                        char *pname, size_t pcap)
{
    kpi_error *err = &ws->err;
    const kkpi *k = kcfg_kpi(ws->cfg, kstr_c(kpi));
    if (!k) {
        const char **ids = malloc((ws->cfg->nkpis + 1) * sizeof *ids);
        char hint[160] = "";
        for (size_t i = 0; ids && i < ws->cfg->nkpis; i++)
            ids[i] = ws->cfg->kpis[i].id;
        if (ids)
            ksuggest_hint(kstr_c(kpi), ids, ws->cfg->nkpis, hint, sizeof hint);
        free(ids);
        return kerr_set(err, KPI_NOTFOUND, "%sunknown kpi '%s'%s", where, kpi, hint);
    }
    pname[0] = '\0';
    char why[256];
    if (period && *period && !canonical_period(ws, period, pname, pcap, why, sizeof why))
        return kerr_set(err, KPI_USAGE, "%sinvalid period: %s", where, why);
    const char *sorted[16];
    if (ndims > 16)
        return kerr_set(err, KPI_USAGE, "%stoo many dimensions", where);
    for (size_t i = 0; i < ndims; i++) {
        const char *eq = strchr(dims[i], '=');
        if (!eq || eq == dims[i] || strchr(dims[i], '&'))
            return kerr_set(err, KPI_USAGE, "%sexpected DIMENSION=VALUE, got '%s'", where, dims[i]);
        bool declared = false;
        for (size_t d = 0; d < k->ndimensions && !declared; d++)
            declared = strlen(k->dimensions[d]) == (size_t)(eq - dims[i]) &&
                       !strncmp(k->dimensions[d], dims[i], (size_t)(eq - dims[i]));
        if (!declared)
            return kerr_set(err, KPI_USAGE, "%skpi '%s' has no dimension '%.*s'", where, kpi,
                            (int)(eq - dims[i]), dims[i]);
        size_t j = i;
        while (j > 0 && strcmp(sorted[j - 1], dims[i]) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = dims[i];
    }
    kbuf_reset(canon);
    for (size_t i = 0; i < ndims; i++)
        if (!(i ? kbuf_appendc(canon, '&') : true) || !kbuf_appends(canon, sorted[i]))
            return kerr_set(err, KPI_NOMEM, "out of memory");
    return KPI_OK;
}

/* Stored targets change the compiled definitions: compile again on next use. */
static void forget_compiled(kpi_workspace *ws)
{
    if (ws->compiled)
        kcompiled_release(&ws->defs);
    ws->compiled = false;
}

kpi_status kpi_target_set(kpi_workspace *ws, const char *kpi, const char *period,
                          const char *const *dims, size_t ndims, double value)
{
    kpi_error_init(&ws->err);
    if (!isfinite(value))
        return kerr_set(&ws->err, KPI_USAGE, "a target must be a number");
    kbuf canon;
    kbuf_init(&canon, 0);
    char pname[64];
    kpi_status rc = check(ws, kpi, period, dims, ndims, &canon, "", pname, sizeof pname);
    if (rc == KPI_OK)
        rc = kmeta_target_put(ws->meta, kpi, pname, canon.p ? canon.p : "", value, &ws->err);
    kbuf_release(&canon);
    forget_compiled(ws);
    return rc;
}

kpi_status kpi_period_name(kpi_workspace *ws, const char *period, char *buf, size_t cap)
{
    kpi_error_init(&ws->err);
    char why[256] = "none given";
    if (!period || !canonical_period(ws, period, buf, cap, why, sizeof why))
        return kerr_set(&ws->err, KPI_USAGE, "invalid period: %s", why);
    return KPI_OK;
}

/* The canonical dims of a kpi.yaml target ("a=x&b=y", sorted by name) into b. */
static bool yaml_dims(const ktarget_def *t, kbuf *b)
{
    kbuf_reset(b);
    bool *done = calloc(t->ndims ? t->ndims : 1, sizeof *done);
    bool ok = done != NULL;
    for (size_t n = 0; ok && n < t->ndims; n++) {
        size_t min = t->ndims;
        for (size_t i = 0; i < t->ndims; i++)
            if (!done[i] && (min == t->ndims || strcmp(t->dim_names[i], t->dim_names[min]) < 0))
                min = i;
        done[min] = true;
        ok = (!n || kbuf_appendc(b, '&')) &&
             kbuf_printf(b, "%s=%s", t->dim_names[min], t->dim_values[min]);
    }
    free(done);
    return ok;
}

/* The kpi.yaml target of KPI k with exactly this period and dims, or NULL. */
static const ktarget_def *yaml_target(const kkpi *k, const char *period, const char *dims,
                                      kbuf *tmp)
{
    for (size_t i = 0; i < k->ntargets; i++) {
        const ktarget_def *t = &k->targets[i];
        if (strcmp(t->period ? t->period : "", period) == 0 && yaml_dims(t, tmp) &&
            strcmp(tmp->p ? tmp->p : "", dims) == 0)
            return t;
    }
    return NULL;
}

kpi_status kpi_target_unset(kpi_workspace *ws, const char *kpi, const char *period,
                            const char *const *dims, size_t ndims)
{
    kpi_error_init(&ws->err);
    kbuf canon, tmp;
    kbuf_init(&canon, 0);
    kbuf_init(&tmp, 0);
    char pname[64];
    int deleted = 0;
    kpi_status rc = check(ws, kpi, period, dims, ndims, &canon, "", pname, sizeof pname);
    const char *cd = canon.p ? canon.p : "";
    if (rc == KPI_OK)
        rc = kmeta_target_delete(ws->meta, kpi, pname, cd, &deleted, &ws->err);
    const ktarget_def *t = rc == KPI_OK && !deleted
                               ? yaml_target(kcfg_kpi(ws->cfg, kstr_c(kpi)), pname, cd, &tmp)
                               : NULL;
    if (t)
        rc = kerr_set(
            &ws->err, KPI_USAGE, "the target of '%s'%s%s%s%s is set in %s:%lu: edit it there", kpi,
            *pname ? " for " : "", pname, *cd ? " by " : "", cd, t->loc.file, t->loc.line);
    else if (rc == KPI_OK && !deleted)
        rc = kerr_set(&ws->err, KPI_NOTFOUND,
                      "no stored target of '%s'%s%s%s%s (see 'kpi "
                      "targets list %s')",
                      kpi, *pname ? " for " : " for every period", pname, *cd ? " by " : "", cd,
                      kpi);
    kbuf_release(&canon);
    kbuf_release(&tmp);
    forget_compiled(ws);
    return rc;
}

typedef struct targets_ctx {
    const char *kpi;
    void (*fn)(void *ctx, const kpi_target_entry *t);
    void *ctx;
} targets_ctx;

static kpi_status each_target(void *ctx, const char *kpi, const char *period, const char *dims,
                              double value)
{
    targets_ctx *c = ctx;
    if (!c->kpi || strcmp(c->kpi, kpi) == 0)
        c->fn(c->ctx, &(kpi_target_entry){kpi, period, dims, value, "kpi.db"});
    return KPI_OK;
}

kpi_status kpi_targets_each(kpi_workspace *ws, const char *kpi,
                            void (*fn)(void *ctx, const kpi_target_entry *t), void *ctx)
{
    kpi_error_init(&ws->err);
    if (kpi && !kcfg_kpi(ws->cfg, kstr_c(kpi)))
        return kerr_set(&ws->err, KPI_NOTFOUND, "unknown kpi '%s'", kpi);
    kbuf dims;
    kbuf_init(&dims, 0);
    for (size_t i = 0; i < ws->cfg->nkpis; i++) {
        const kkpi *k = &ws->cfg->kpis[i];
        for (size_t j = 0; (!kpi || strcmp(kpi, k->id) == 0) && j < k->ntargets; j++) {
            const ktarget_def *t = &k->targets[j];
            char source[600];
            snprintf(source, sizeof source, "%s:%lu", t->loc.file ? t->loc.file : "kpi.yaml",
                     t->loc.line);
            if (!yaml_dims(t, &dims)) {
                kbuf_release(&dims);
                return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
            }
            fn(ctx, &(kpi_target_entry){k->id, t->period ? t->period : "", dims.p ? dims.p : "",
                                        t->value, source});
        }
    }
    kbuf_release(&dims);
    targets_ctx c = {kpi, fn, ctx};
    return kmeta_targets_each(ws->meta, each_target, &c, &ws->err);
}

kpi_status kpi_value_set(kpi_workspace *ws, const char *kpi, const char *period,
                         const char *const *dims, size_t ndims, double value, const char *note)
{
    kpi_error_init(&ws->err);
    if (!isfinite(value))
        return kerr_set(&ws->err, KPI_USAGE, "a value must be a number");
    if (!period || !*period)
        return kerr_set(&ws->err, KPI_USAGE, "a value is for a period (e.g. 2026-Q3)");
    kbuf canon;
    kbuf_init(&canon, 0);
    char pname[64];
    kpi_status rc = check(ws, kpi, period, dims, ndims, &canon, "", pname, sizeof pname);
    const kkpi *k = kcfg_kpi(ws->cfg, kstr_c(kpi));
    if (rc == KPI_OK && !k->manual)
        rc = kerr_set(&ws->err, KPI_USAGE,
                      "kpi '%s' is computed from its formula: only a KPI with 'manual: true'"
                      " takes entered values",
                      kpi);
    if (rc == KPI_OK)
        rc = kmeta_value_put(ws->meta, kpi, pname, canon.p ? canon.p : "", value, note, &ws->err);
    kbuf_release(&canon);
    forget_compiled(ws);
    return rc;
}

typedef struct values_ctx {
    const char *kpi;
    void (*fn)(void *ctx, const kpi_value_entry *v);
    void *ctx;
} values_ctx;

static kpi_status each_value(void *ctx, const char *kpi, const char *period, const char *dims,
                             double value, const char *note, const char *set_at)
{
    values_ctx *c = ctx;
    if (c->kpi && strcmp(c->kpi, kpi))
        return KPI_OK;
    kpi_value_entry v = {kpi, period, dims, value, note, set_at};
    c->fn(c->ctx, &v);
    return KPI_OK;
}

kpi_status kpi_values_each(kpi_workspace *ws, const char *kpi,
                           void (*fn)(void *ctx, const kpi_value_entry *v), void *ctx)
{
    kpi_error_init(&ws->err);
    if (kpi && !kcfg_kpi(ws->cfg, kstr_c(kpi)))
        return kerr_set(&ws->err, KPI_NOTFOUND, "unknown kpi '%s'", kpi);
    values_ctx c = {kpi, fn, ctx};
    return kmeta_values_each(ws->meta, each_value, &c, &ws->err);
}

static ptrdiff_t fd_read(void *ctx, char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(*(int *)ctx, buf, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

/* One parsed row of a targets file; its strings live in the file's arena. */
typedef struct trow {
    const char *kpi, *period, *dims;
    double value;
} trow;

/* A targets file being read: its columns, and the rows checked so far. */
typedef struct tfile {
    kpi_workspace *ws;
    const char *path;
    karena arena;      /* the column names and every row's strings, freed with the file */
    char **names;      /* the header's column names */
    size_t nh;         /* columns */
    long ck, cv, cp;   /* the kpi, value and period columns (-1: none) */
    const char **dims; /* one row's "dimension=value" strings (room for nh) */
    trow *rows;
    size_t nrows, cap;
} tfile;

static kpi_status nomem(tfile *t)
{
    return kerr_set(&t->ws->err, KPI_NOMEM, "out of memory");
}

/* Reads the header: the column names, and where kpi, value and period are. */
static kpi_status read_header(tfile *t, kcsv *csv)
{
    kpi_error *err = &t->ws->err;
    krecord h;
    int got = kcsv_next(csv, &h, err);
    if (got <= 0)
        return got < 0 ? err->status : kerr_set(err, KPI_INPUT, "%s: empty file", t->path);
    t->nh = h.nfields;
    t->names = karena_alloc(&t->arena, (t->nh + 1) * sizeof *t->names);
    t->dims = karena_alloc(&t->arena, (t->nh + 1) * sizeof *t->dims);
    if (!t->names || !t->dims)
        return nomem(t);
    for (size_t i = 0; i < t->nh; i++) {
        if (!(t->names[i] = karena_strndup(&t->arena, h.fields[i].p, h.fields[i].n)))
            return nomem(t);
        long *col = !strcmp(t->names[i], "kpi")      ? &t->ck
                    : !strcmp(t->names[i], "value")  ? &t->cv
                    : !strcmp(t->names[i], "period") ? &t->cp
                                                     : NULL;
        if (col)
            *col = (long)i;
    }
    if (t->ck < 0 || t->cv < 0)
        return kerr_set_at(err, KPI_INPUT, t->path, 1, 0,
                           "a targets file needs the columns 'kpi' and 'value'"
                           " (and optionally 'period' and dimension columns)");
    return KPI_OK;
}

/* Checks one row and appends it to t->rows; canon is scratch for its canonical dims. */
static kpi_status read_row(tfile *t, const krecord *rec, kbuf *canon)
{
    kpi_error *err = &t->ws->err;
    char where[600];
    snprintf(where, sizeof where, "%s:%lu: ", t->path, rec->line);
    if (rec->error || rec->nfields != t->nh)
        return kerr_set(err, KPI_DEFINITION, "%s%s", where,
                        rec->error ? rec->error : "row has a different number of fields");
    const kfield_val *f = rec->fields;
    size_t nd = 0;
    for (size_t i = 0; i < t->nh; i++) {
        if ((long)i == t->ck || (long)i == t->cv || (long)i == t->cp || f[i].n == 0)
            continue;
        t->dims[nd] = karena_printf(&t->arena, "%s=%.*s", t->names[i], (int)f[i].n, f[i].p);
        if (!t->dims[nd++])
            return nomem(t);
    }
    const char *kpi = karena_strndup(&t->arena, f[t->ck].p, f[t->ck].n);
    const char *period = t->cp >= 0 ? karena_strndup(&t->arena, f[t->cp].p, f[t->cp].n) : "";
    if (!kpi || !period)
        return nomem(t);
    int64_t scaled;
    char why[256];
    if (!kdecimal_parse((kstr){f[t->cv].p, f[t->cv].n}, '.', 9, &scaled, why, sizeof why))
        return kerr_set(err, KPI_DEFINITION, "%sinvalid value '%.*s': %s", where, (int)f[t->cv].n,
                        f[t->cv].p, why);
    char pname[64];
    kpi_status rc = check(t->ws, kpi, period, t->dims, nd, canon, where, pname, sizeof pname);
    if (rc != KPI_OK)
        return rc;
    if (strcmp(pname, period) && !(period = karena_strdup(&t->arena, pname)))
        return nomem(t); /* a relative name: stored as resolved */
    const char *dims = karena_strdup(&t->arena, canon->p ? canon->p : "");
    if (!dims || !KGROW(t->rows, t->cap, t->nrows + 1))
        return nomem(t);
    t->rows[t->nrows++] = (trow){kpi, period, dims, (double)scaled / 1e9};
    return KPI_OK;
}

/* Reads and checks every row of a targets file into t->rows. */
static kpi_status read_rows(tfile *t, kcsv *csv)
{
    kpi_status rc = read_header(t, csv);
    kbuf canon;
    kbuf_init(&canon, 0);
    krecord rec;
    int got = 0;
    while (rc == KPI_OK && (got = kcsv_next(csv, &rec, &t->ws->err)) > 0)
        rc = read_row(t, &rec, &canon);
    if (rc == KPI_OK && got < 0)
        rc = t->ws->err.status;
    kbuf_release(&canon);
    return rc;
}

kpi_status kpi_targets_import(kpi_workspace *ws, const char *path, size_t *count)
{
    kpi_error_init(&ws->err);
    *count = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kerr_set(&ws->err, KPI_IO, "cannot open '%s': %s", path, strerror(errno));
    kcsv *csv = NULL;
    tfile t = {.ws = ws, .path = path, .ck = -1, .cv = -1, .cp = -1};
    karena_init(&t.arena, 0);
    kpi_status rc = kcsv_create(fd_read, &fd, ',', KENC_UTF8, 0, &csv, &ws->err);
    if (rc == KPI_OK)
        rc = read_rows(&t, csv);
    if (rc == KPI_OK)
        rc = kmeta_begin(ws->meta, &ws->err);
    for (size_t i = 0; rc == KPI_OK && i < t.nrows; i++)
        rc = kmeta_target_put(ws->meta, t.rows[i].kpi, t.rows[i].period, t.rows[i].dims,
                              t.rows[i].value, &ws->err);
    if (rc == KPI_OK)
        rc = kmeta_commit(ws->meta, &ws->err);
    if (rc != KPI_OK)
        kmeta_rollback(ws->meta);
    else
        *count = t.nrows;
    free(t.rows);
    karena_release(&t.arena);
    kcsv_destroy(csv);
    close(fd);
    forget_compiled(ws);
    return rc;
}
