/*
 * metrics.c - GET /metrics: every KPI's value, target and attainment for the current period of
 * its review grain (to date), company-wide and per group of every breakdown it declares, in the
 * Prometheus text format. KPIs are queried together per grain (and per grain and dimension for
 * the breakdowns), so that they share their scans as a report does; the text is cached for
 * KMETRICS_TTL_S seconds, as scrapers come often and KPIs of the current period move slowly.
 */
#include "server.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growable string; `failed` once an allocation failed. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->p && b->n + (size_t)n < b->cap) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *grown = realloc(b->p, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
}

/* A label value with \, " and newline escaped, as the text format wants. */
static void sb_label(sbuf *b, const char *name, const char *value)
{
    sb_printf(b, ",%s=\"", name);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(b, "\\n");
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

typedef struct families {
    sbuf value, target, attainment;
} families;

static void sample(sbuf *b, const char *metric, const kpi_series *s, const kpi_point *pt,
                   const char *dim, double v)
{
    if (isnan(v))
        return;
    sb_printf(b, "%s{kpi=\"%s\"", metric, s->id);
    sb_label(b, "department", s->department);
    sb_label(b, "unit", s->unit);
    sb_label(b, "period", pt->period);
    if (dim)
        sb_label(b, dim, pt->group[0]);
    sb_printf(b, "} %.17g\n", v);
}

/* Runs one query (KPIs of one grain, for its current period, by dim or not) into f. */
static kpi_status collect(kpi_workspace *ws, const char **ids, size_t n, const char *period,
                          const char *dim, families *f)
{
    const char *by[1] = {dim};
    kpi_query q = {.kpis = ids, .nkpis = n, .period = period, .by = dim ? by : NULL,
                   .nby = dim ? 1 : 0};
    kpi_result *r = NULL;
    kpi_status st = kpi_query_run(ws, &q, &r);
    if (st != KPI_OK)
        return st;
    for (size_t i = 0; i < kpi_result_nseries(r); i++) {
        const kpi_series *s = kpi_result_series(r, i);
        for (size_t p = 0; p < s->npoints; p++) {
            const kpi_point *pt = &s->points[p];
            if (dim && !(pt->group && pt->group[0] && pt->group[0][0]))
                continue;
            sample(&f->value, "kpi_value", s, pt, dim, pt->value);
            sample(&f->target, "kpi_target", s, pt, dim, pt->target);
            sample(&f->attainment, "kpi_attainment", s, pt, dim, pt->attainment);
        }
    }
    kpi_result_destroy(r);
    return KPI_OK;
}

/* Is s one of the first n strings of list? */
static bool listed(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static char *render(kpi_workspace *ws, kresponse *err_out)
{
    size_t nk = kpi_kpi_count(ws);
    const char **grains = calloc(nk + 1, sizeof *grains), **ids = calloc(nk + 1, sizeof *ids);
    const char **dims = calloc(nk * 16 + 1, sizeof *dims);
    families f = {0};
    kpi_status st = grains && ids && dims ? KPI_OK : KPI_NOMEM;
    size_t ng = 0, nd = 0;
    for (size_t i = 0; st == KPI_OK && i < nk; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        const char *g = k.grain ? k.grain : "month";
        if (!listed(grains, ng, g))
            grains[ng++] = g;
        for (size_t d = 0; d < k.ndimensions && nd < nk * 16; d++)
            if (!listed(dims, nd, k.dimensions[d]))
                dims[nd++] = k.dimensions[d];
    }
    /* per grain: every KPI of it, then per dimension the KPIs that declare it */
    for (size_t g = 0; st == KPI_OK && g < ng; g++) {
        char period[64];
        if ((st = kpi_current_period(ws, grains[g], period, sizeof period)) != KPI_OK)
            break;
        for (size_t d = 0; st == KPI_OK && d <= nd; d++) {
            const char *dim = d ? dims[d - 1] : NULL;
            size_t n = 0;
            for (size_t i = 0; i < nk; i++) {
                kpi_kpi_info k;
                kpi_kpi_info_get(ws, i, &k);
                if (strcmp(k.grain ? k.grain : "month", grains[g]) ||
                    (dim && !listed(k.dimensions, k.ndimensions, dim)) ||
                    kpi_kpi_error(ws, i)) /* broken: left out, the others answer */
                    continue;
                ids[n++] = k.id;
            }
            if (n)
                st = collect(ws, ids, n, period, dim, &f);
        }
    }
    free(grains);
    free(ids);
    free(dims);
    sbuf out = {0};
    sb_printf(&out, "# HELP kpi_value The KPI's value for the current period of its review grain"
                    " (to date).\n# TYPE kpi_value gauge\n%s",
              f.value.p ? f.value.p : "");
    sb_printf(&out, "# HELP kpi_target The KPI's target for the current period.\n"
                    "# TYPE kpi_target gauge\n%s",
              f.target.p ? f.target.p : "");
    sb_printf(&out, "# HELP kpi_attainment Value over target (target over value where down is"
                    " better).\n# TYPE kpi_attainment gauge\n%s",
              f.attainment.p ? f.attainment.p : "");
    bool failed = f.value.failed || f.target.failed || f.attainment.failed || out.failed;
    free(f.value.p);
    free(f.target.p);
    free(f.attainment.p);
    if (st != KPI_OK || failed) {
        free(out.p);
        char msg[2400] = "out of memory";
        if (st != KPI_OK && st != KPI_NOMEM)
            kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
        kresponse_error(err_out, 500, msg);
        return NULL;
    }
    return out.p;
}

char *kmetrics_get(kpi_workspace *ws, kmetrics_cache *mc, kresponse *err_out)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
    pthread_mutex_lock(&mc->mu);
    if (!mc->text || now - mc->at > KMETRICS_TTL_S) {
        char *text = render(ws, err_out);
        if (text) {
            free(mc->text);
            mc->text = text;
            mc->at = now;
        }
    }
    char *copy = mc->text ? strdup(mc->text) : NULL;
    pthread_mutex_unlock(&mc->mu);
    if (!copy && !err_out->body)
        kresponse_error(err_out, 500, "out of memory");
    return copy;
}
