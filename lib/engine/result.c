/*
 * result.c - building and reading query results (the opaque kpi_result of kpi.h).
 */
#include "result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *dup(kpi_result *r, const char *s)
{
    return s ? karena_strdup(&r->arena, s) : NULL;
}

kpi_result *kresult_create(const char *from, const char *to, const char *grain,
                           const char *const *by, size_t nby)
{
    kpi_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    karena_init(&r->arena, 0);
    r->from = dup(r, from ? from : "");
    r->to = dup(r, to ? to : "");
    r->grain = dup(r, grain ? grain : "");
    r->workspace = "";
    r->by = karena_alloc(&r->arena, (nby ? nby : 1) * sizeof *r->by);
    bool ok = r->from && r->to && r->grain && r->by;
    for (size_t i = 0; ok && i < nby; i++)
        ok = (r->by[i] = dup(r, by[i])) != NULL;
    r->nby = nby;
    if (!ok) {
        kpi_result_destroy(r);
        return NULL;
    }
    return r;
}

void kpi_result_destroy(kpi_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nseries; i++)
        free((void *)r->series[i].points);
    free(r->series);
    karena_release(&r->arena);
    free(r);
}

kpi_series *kresult_add_series(kpi_result *r, const char *id, const char *name,
                               const char *description, const char *department, const char *unit,
                               int decimals, const char *direction)
{
    if (!KGROW(r->series, r->cap_series, r->nseries + 1))
        return NULL;
    kpi_series *s = &r->series[r->nseries++];
    memset(s, 0, sizeof *s);
    s->id = dup(r, id);
    s->name = dup(r, name ? name : id);
    s->description = dup(r, description);
    s->department = dup(r, department);
    s->unit = dup(r, unit);
    s->decimals = decimals;
    s->direction = dup(r, direction);
    r->cap_points = 0;
    return s;
}

bool kresult_add_point(kpi_result *r, const kpi_point *p)
{
    if (!r->nseries)
        return false;
    kpi_series *s = &r->series[r->nseries - 1];
    if (!KGROW(s->points, r->cap_points, s->npoints + 1))
        return false;
    kpi_point *o = (kpi_point *)&s->points[s->npoints];
    *o = *p;
    o->period = dup(r, p->period);
    o->status = dup(r, p->status);
    const char **g = karena_alloc(&r->arena, (r->nby ? r->nby : 1) * sizeof *g);
    if (!o->period || !o->status || !g)
        return false;
    for (size_t i = 0; i < r->nby; i++)
        if (!(g[i] = dup(r, p->group && p->group[i] ? p->group[i] : "")))
            return false;
    o->group = g;
    s->npoints++;
    return true;
}

bool kresult_set_workspace(kpi_result *r, const char *name, const char *currency)
{
    r->workspace = dup(r, name ? name : "");
    r->currency = dup(r, currency);
    return r->workspace && (!currency || r->currency);
}

bool kresult_set_cut(kpi_result *r, const char *first, const char *last)
{
    r->cut_first = dup(r, first);
    r->cut_last = dup(r, last);
    return (!first || r->cut_first) && (!last || r->cut_last);
}

bool kresult_set_review(kpi_result *r, const char *period)
{
    return (r->review = dup(r, period)) != NULL;
}

bool kresult_is_cut(const kpi_result *r, const char *period)
{
    return period && ((r->cut_first && strcmp(period, r->cut_first) == 0) ||
                      (r->cut_last && strcmp(period, r->cut_last) == 0));
}

bool kresult_set_data_from(kpi_result *r, const char *day)
{
    if (!r->nseries)
        return false;
    kpi_series *s = &r->series[r->nseries - 1];
    return (s->data_from = dup(r, day)) != NULL;
}

bool kresult_set_error(kpi_result *r, const char *error)
{
    if (!r->nseries)
        return false;
    kpi_series *s = &r->series[r->nseries - 1];
    return (s->error = dup(r, error)) != NULL;
}

void kresult_order(kpi_result *r, const char *const *ids, size_t n)
{
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = next; j < r->nseries; j++) {
            if (strcmp(r->series[j].id, ids[i]) != 0)
                continue;
            kpi_series s = r->series[j];
            memmove(&r->series[next + 1], &r->series[next], (j - next) * sizeof s);
            r->series[next++] = s;
            break;
        }
    }
}

kpi_point kpoint_empty(void)
{
    kpi_point p = {0};
    p.value = p.previous = p.change = p.change_points = p.last_year = NAN;
    p.target = p.attainment = p.expected_to_date = p.projected = NAN;
    p.status = "no_data";
    p.complete = 1;
    p.period = "";
    return p;
}

const char *kpi_result_from(const kpi_result *r)
{
    return r->from;
}
const char *kpi_result_workspace(const kpi_result *r)
{
    return r->workspace;
}
const char *kpi_result_currency(const kpi_result *r)
{
    return r->currency;
}
const char *kpi_result_to(const kpi_result *r)
{
    return r->to;
}
const char *kpi_result_grain(const kpi_result *r)
{
    return r->grain;
}
size_t kpi_result_nby(const kpi_result *r)
{
    return r->nby;
}
const char *kpi_result_by(const kpi_result *r, size_t i)
{
    return i < r->nby ? r->by[i] : NULL;
}
size_t kpi_result_nseries(const kpi_result *r)
{
    return r->nseries;
}
const kpi_series *kpi_result_series(const kpi_result *r, size_t i)
{
    return i < r->nseries ? &r->series[i] : NULL;
}
