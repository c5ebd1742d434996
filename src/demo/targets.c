/*
 * targets.c - the demo's targets, set the way a planning team would at the start of the year:
 * each month's target is the same month last year, complete, improved by a goal (seasonal KPIs
 * keep their season), company-wide for every KPI, and per rep, store and region for revenue,
 * from the report's year up to the end of the current year. A month's target is for the whole
 * month, the open one too: the engine pro-rates it to the days elapsed (never the demo, or the
 * open month would be cut twice), and a quarter or the year adds up its months. KPIs whose
 * monthly values change sign (growth rates) get one level for every period instead: their
 * average over the year, as a plan to keep the pace. A percentage that cannot pass 100
 * (retention, uptime) is asked to close at most half its gap to 100. Goals differ by KPI, so
 * that the review shows the mix of a real company: most KPIs on track, some at risk, a few
 * off track.
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
    {"revenue", 0.10},
    {"sales_volume", 0.08},
    {"new_customers", 0.10},
    {"new_leads", 0.12},
    {"new_inbound_leads", 0.12},
    {"website_traffic", 0.15},
    {"gross_profit_margin", 0.02},
    {"net_profit_margin", 0.05},
    {"win_rate", 0.05},
    {"first_response_time", 0.05},
    {"customer_churn_rate", 0.06},
    {"oee", 0.04},
    {"uptime", 0.0002},
    {"customer_satisfaction", 0.02},
    {"net_promoter_score", 0.08},
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

/* The target of a month last year's value v, up (direction) by goal g: a percentage of at
 * most 100 never gets a target past 100, only half of its gap to it. */
static double improved(const kpi_series *s, double v, double g)
{
    if (strcmp(s->direction, "up"))
        return v * (1 - g);
    double t = v * (1 + g);
    if (!strcmp(s->unit, "percent") && v <= 100 && t > v + (100 - v) / 2)
        t = v + (100 - v) / 2;
    return t;
}

/* "2025-11" -> "2026-11": the month a year later. */
static void next_year(const char *period, char b[16])
{
    snprintf(b, 16, "%04d%.3s", atoi(period) + 1, period + 4);
}

/*
 * The targets of one series (a KPI, or a KPI for one rep or store), whose points are the
 * complete months from a year before `from` (or the first month of data) to the end of last
 * year: each month gets the target of the month a year later.
 */
static void series_targets(FILE *f, const kpi_series *s, double g, int dim, const char *group,
                           const char *from)
{
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(levels[i].kpi, s->id))
            return; /* written by kdemo_write_targets */
    bool up = !strcmp(s->direction, "up");
    double sum = 0;
    size_t n = 0;
    bool sign_changes = false;
    for (size_t i = 0; i < s->npoints; i++) {
        double v = s->points[i].value;
        if (isfinite(v) && v < 0)
            sign_changes = true;
        if (isfinite(v) && strcmp(s->points[i].period, from) >= 0) {
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
        double ly = s->points[i].value;
        char period[16];
        next_year(s->points[i].period, period);
        /* nothing last year is no basis for a target, except for a KPI to keep at zero */
        if (isfinite(ly) && (ly > 0 || (ly == 0 && !up)) && strcmp(period, from) >= 0)
            write_row(f, s->id, period, dim, group, round4(improved(s, ly, g)));
    }
}

/* The span of the targets: months from `from` ("2025-12"); the query that gives their basis:
 * days from qfrom to qto. */
typedef struct span {
    char from[8], qfrom[11], qto[11];
} span;

/* Runs one query over the span's basis, by month, and writes the targets of each of its
 * series (of each group of dims[dim], when dim >= 0). */
static kpi_status query_targets(kpi_workspace *ws, FILE *f, const char *const *kpis, size_t n,
                                const span *sp, int dim, kpi_error *err)
{
    const char *by = dim >= 0 ? dims[dim] : NULL;
    size_t nk = kpi_kpi_count(ws);
    const char *bys[1] = {by};
    kpi_query q = {.kpis = kpis,
                   .nkpis = n,
                   .from = sp->qfrom,
                   .to = sp->qto,
                   .grain = "month",
                   .by = by ? bys : NULL,
                   .nby = by ? 1 : 0};
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
            series_targets(f, s, g, -1, NULL, sp->from);
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
            series_targets(f, &one, g, dim, grp, sp->from);
        }
        free(pts);
    }
    kpi_result_destroy(r);
    return KPI_OK;
}

kpi_status kdemo_write_targets(kpi_workspace *ws, const kdemo *d, const char *path, kpi_error *err)
{
    /* targets from the report's year (11 months before the last complete one) to the end of
     * the current year; their basis a year earlier, from the first month of data on */
    int64_t from_day = d->last_month_first;
    for (int i = 0; i < 11; i++)
        from_day = kdemo_month_first(from_day - 1);
    int64_t qfrom = from_day;
    for (int i = 0; i < 12; i++)
        qfrom = kdemo_month_first(qfrom - 1);
    if (qfrom < d->first_day)
        qfrom = d->first_day;
    int64_t y;
    int m, dd;
    kpi_date_from_days(d->today, &y, &m, &dd);
    span sp;
    kdemo_day_str(from_day, sp.qto); /* "2025-12-01" -> "2025-12" */
    snprintf(sp.from, sizeof sp.from, "%.7s", sp.qto);
    kdemo_day_str(qfrom, sp.qfrom);
    kdemo_day_str(kpi_days_from_date(y, 1, 1) - 1, sp.qto);

    size_t n = kpi_kpi_count(ws);
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    FILE *f = fopen(path, "w");
    if (!ids || !f) {
        free(ids);
        if (f)
            fclose(f);
        return kdemo_fail(err, KPI_IO, "%s: cannot create the targets file", path);
    }
    fputs("kpi,period,rep,store,region,value\n", f);
    size_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        kpi_kpi_info info;
        kpi_kpi_info_get(ws, i, &info);
        if (!info.manual)
            ids[nids++] = info.id;
        for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++)
            if (!strcmp(levels[l].kpi, info.id))
                write_row(f, info.id, NULL, -1, NULL, levels[l].level);
    }
    static const char *const revenue[] = {"revenue"};
    kpi_status st = KPI_OK;
    if (strcmp(sp.qfrom, sp.qto) <= 0) { /* else less than a year of data: no basis */
        st = query_targets(ws, f, ids, nids, &sp, -1, err);
        for (int i = 0; i < NDIMS && st == KPI_OK; i++)
            st = query_targets(ws, f, revenue, 1, &sp, i, err);
    }
    free(ids);
    if ((ferror(f) | fclose(f)) && st == KPI_OK)
        st = kdemo_fail(err, KPI_IO, "%s: write failed", path);
    return st;
}
