/*
 * targets.c - the demo's targets, set the way a planning team would: each month's target is
 * the same month last year improved by a goal (seasonal KPIs keep their season), company-wide
 * for every KPI, and per rep, store and region for revenue. KPIs whose monthly values change sign
 * (growth rates) get one level for every period instead: their average over the year, as a
 * plan to keep the pace. Goals differ by KPI, so that the review shows the mix of a real
 * company: most KPIs on track, some at risk, a few off track.
 *
 * The targets are written as a CSV (DIR/data/targets.csv, the format of `kpi targets import`)
 * and imported by demo.c, so that they are stored exactly like a user's.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Improvement on last year asked of some KPIs; the rest: 8% of volumes (a sum or count,
 * which grow with the company) and 1% of rates and levels. */
static const struct {
    const char *kpi;
    double goal;
} goals[] = {
    {"revenue", 0.10},          {"sales_volume", 0.08},     {"new_customers", 0.10},
    {"new_leads", 0.12},        {"new_inbound_leads", 0.12}, {"website_traffic", 0.15},
    {"gross_profit_margin", 0.02}, {"net_profit_margin", 0.05}, {"win_rate", 0.05},
    {"first_response_time", 0.05}, {"customer_churn_rate", 0.06}, {"oee", 0.04},
    {"uptime", 0.0002},          {"customer_satisfaction", 0.02}, {"net_promoter_score", 0.08},
};

/* Targets that are a plan rather than last year's result. */
static const struct {
    const char *kpi;
    double level;
} levels[] = {{"sales_target_attainment", 100}, {"revenue_vs_forecast", 100}};

static double goal_of(const kpi_kpi_info *k)
{
    for (size_t i = 0; i < sizeof goals / sizeof goals[0]; i++)
        if (!strcmp(goals[i].kpi, k->id))
            return goals[i].goal;
    bool volume = (!strncmp(k->formula, "sum(", 4) || !strncmp(k->formula, "count(", 6)) &&
                  !strchr(k->formula, '/');
    return volume ? 0.08 : 0.01;
}

/* Four significant digits: targets people write down are round numbers. */
static double round4(double v)
{
    if (v == 0 || !isfinite(v))
        return v;
    double mag = pow(10, floor(log10(fabs(v))) - 3);
    return round(v / mag) * mag;
}

/* The breakdowns that get targets of their own, in the CSV's column order. */
static const char *const dims[] = {"rep", "store", "region"};
enum { NDIMS = sizeof dims / sizeof dims[0] };

/* A row of the CSV; dim (an index in dims) and value set the group, or dim < 0. */
static void write_row(FILE *f, const char *kpi, const char *period, int dim, const char *group,
                      double value)
{
    /* names in the demo hold no comma or quote */
    fprintf(f, "%s,%s", kpi, period ? period : "");
    for (int i = 0; i < NDIMS; i++)
        fprintf(f, ",%s", i == dim ? group : "");
    fprintf(f, ",%.10g\n", value);
}

/* The targets of one series (a KPI, or a KPI for one rep or store). */
static void series_targets(FILE *f, const kpi_series *s, double g, int dim, const char *group)
{
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(levels[i].kpi, s->id)) {
            if (dim < 0)
                write_row(f, s->id, NULL, dim, NULL, levels[i].level);
            return;
        }
    bool up = !strcmp(s->direction, "up");
    double sum = 0;
    size_t n = 0;
    bool sign_changes = false;
    for (size_t i = 0; i < s->npoints; i++) {
        double v = s->points[i].value;
        if (isfinite(v) && v < 0)
            sign_changes = true;
        if (isfinite(v) && s->points[i].complete) {
            sum += v;
            n++;
        }
    }
    if (sign_changes) {
        if (n && dim < 0 && sum > 0)
            write_row(f, s->id, NULL, dim, NULL, round4(sum / (double)n));
        return;
    }
    for (size_t i = 0; i < s->npoints; i++) {
        double ly = s->points[i].last_year;
        /* nothing last year is no basis for a target, except for a KPI to keep at zero */
        if (isfinite(ly) && (ly > 0 || (ly == 0 && !up)))
            write_row(f, s->id, s->points[i].period, dim, group,
                      round4(up ? ly * (1 + g) : ly * (1 - g)));
    }
}

/* Runs one query from `from` to the end of the current month, by month, and writes the
 * targets of each of its series (of each group of dims[dim], when dim >= 0). */
static kpi_status query_targets(kpi_workspace *ws, FILE *f, const char *const *kpis, size_t n,
                                const char *from, const char *to, int dim, kpi_error *err)
{
    const char *by = dim >= 0 ? dims[dim] : NULL;
    size_t nk = kpi_kpi_count(ws);
    const char *bys[1] = {by};
    kpi_query q = {.kpis = kpis, .nkpis = n, .from = from, .to = to, .grain = "month",
                   .by = by ? bys : NULL, .nby = by ? 1 : 0};
    kpi_result *r;
    kpi_status st = kpi_query_run(ws, &q, &r);
    if (st != KPI_OK) {
        *err = *kpi_workspace_error(ws);
        return st;
    }
    for (size_t i = 0; i < kpi_result_nseries(r); i++) {
        const kpi_series *s = kpi_result_series(r, i);
        double g = 0.01;
        for (size_t k = 0; k < nk; k++) {
            kpi_kpi_info info;
            kpi_kpi_info_get(ws, k, &info);
            if (!strcmp(info.id, s->id))
                g = goal_of(&info);
        }
        if (!by) {
            series_targets(f, s, g, -1, NULL);
            continue;
        }
        /* a series holds every group: split it by group, keeping the order of periods */
        kpi_point *pts = malloc(s->npoints * sizeof *pts);
        if (!pts) {
            kpi_result_destroy(r);
            return kdemo_fail(err, KPI_NOMEM, "out of memory");
        }
        for (size_t a = 0; a < s->npoints; a++) {
            const char *grp = s->points[a].group[0];
            if (!grp || !*grp) /* the orders without a rep or store */
                continue;
            bool seen = false;
            for (size_t b = 0; b < a && !seen; b++)
                seen = s->points[b].group[0] && !strcmp(s->points[b].group[0], grp);
            if (seen)
                continue;
            kpi_series one = *s;
            one.points = pts;
            one.npoints = 0;
            for (size_t b = a; b < s->npoints; b++)
                if (s->points[b].group[0] && !strcmp(s->points[b].group[0], grp))
                    pts[one.npoints++] = s->points[b];
            series_targets(f, &one, g, dim, grp);
        }
        free(pts);
    }
    kpi_result_destroy(r);
    return KPI_OK;
}

kpi_status kdemo_write_targets(kpi_workspace *ws, const kdemo *d, const char *path,
                               kpi_error *err)
{
    /* the report's year (11 months before the last complete one) and the current month */
    int64_t from_day = d->last_month_first;
    for (int i = 0; i < 11; i++)
        from_day = kdemo_month_first(from_day - 1);
    char from[16], to[16];
    kdemo_day_str(from_day, from);
    kdemo_day_str(kdemo_month_next(d->today) - 1, to);

    size_t n = kpi_kpi_count(ws);
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    FILE *f = fopen(path, "w");
    if (!ids || !f) {
        free(ids);
        if (f)
            fclose(f);
        return kdemo_fail(err, KPI_IO, "%s: cannot create the targets file", path);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        kpi_kpi_info info;
        kpi_kpi_info_get(ws, i, &info);
        if (!info.manual)
            ids[m++] = info.id;
    }
    fputs("kpi,period,rep,store,region,value\n", f);
    static const char *const revenue[] = {"revenue"};
    kpi_status st = query_targets(ws, f, ids, m, from, to, -1, err);
    for (int i = 0; i < NDIMS && st == KPI_OK; i++)
        st = query_targets(ws, f, revenue, 1, from, to, i, err);
    free(ids);
    if ((ferror(f) | fclose(f)) && st == KPI_OK)
        st = kdemo_fail(err, KPI_IO, "%s: write failed", path);
    return st;
}
