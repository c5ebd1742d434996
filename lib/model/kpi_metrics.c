/*
 * kpi_metrics.c - a KPI's `metrics:` key: which of its dimensions `/metrics` breaks it down by,
 * and how many groups a breakdown may have before it is left out. Every group is a series in
 * Prometheus, so this bounds what one KPI costs a scraper (docs/metrics.md). Forms:
 *
 *     metrics: [region]                               # these breakdowns; [] for none
 *     metrics: {dimensions: [region], max_groups: 20}
 *
 * Without the key every declared dimension is broken down, up to DEFAULT_GROUPS groups each.
 */
#include "model_int.h"

#include <stdio.h>

enum { DEFAULT_GROUPS = 100, MAX_GROUPS = 10000 };

static const char *const metrics_keys[] = {"dimensions", "max_groups"};

/* The dimensions of a `metrics:` list: each one the KPI declares, none twice. */
static kpi_status load_dims(kyctx *c, kkpi *kp, const kynode *v)
{
    char where[128], what[128];
    snprintf(where, sizeof where, "in 'metrics' of kpi '%s'", kp->id);
    snprintf(what, sizeof what, "'metrics' in kpi '%s'", kp->id);
    const kynode **items;
    size_t n;
    kpi_status st = v->type == KY_NULL ? KPI_OK : ky_list(c, v, what, &items, &n);
    if (st != KPI_OK || v->type == KY_NULL)
        return st;
    kp->nmetrics_dims = 0;
    if (n && !(kp->metrics_dims = karena_alloc(&c->cfg->arena, n * sizeof *kp->metrics_dims)))
        return ky_nomem(c);
    for (size_t i = 0; i < n; i++) {
        size_t d;
        if (kp->ndimensions == 0)
            return ky_err(c, items[i],
                          "dimension '%s' %s: the kpi declares no 'dimensions' to break down by",
                          ky_show(c, items[i]), where);
        if ((st = ky_enum(c, items[i], "dimension", where, kp->dimensions, kp->ndimensions, &d)) !=
            KPI_OK)
            return st;
        for (size_t j = 0; j < kp->nmetrics_dims; j++)
            if (kp->metrics_dims[j] == kp->dimensions[d])
                return ky_err(c, items[i], "duplicate dimension '%s' %s", kp->dimensions[d], where);
        kp->metrics_dims[kp->nmetrics_dims++] = kp->dimensions[d];
    }
    return KPI_OK;
}

kpi_status kmodel_load_kpi_metrics(kyctx *c, kkpi *kp, const kynode *v)
{
    kp->metrics_dims = kp->dimensions;
    kp->nmetrics_dims = kp->ndimensions;
    kp->metrics_max_groups = DEFAULT_GROUPS;
    if (!v)
        return KPI_OK;
    if (v->type != KY_MAP)
        return load_dims(c, kp, v);
    char where[128], what[160];
    snprintf(where, sizeof where, "in 'metrics' of kpi '%s'", kp->id);
    const kynode *keys[2], *vals[2];
    kpi_status st = ky_keys(c, v, metrics_keys, 2, where, keys, vals);
    if (st == KPI_OK && vals[0])
        st = load_dims(c, kp, vals[0]);
    snprintf(what, sizeof what, "'max_groups' %s", where);
    if (st == KPI_OK && vals[1])
        st = ky_int(c, vals[1], what, 1, MAX_GROUPS, &kp->metrics_max_groups);
    return st;
}
