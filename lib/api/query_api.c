/*
 * query_api.c - the public query calls: compile the definitions once, work out "today" in the
 * workspace zone, and hand over to the engine.
 */
#include "workspace_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kpi_status kws_compile(kpi_workspace *ws)
{
    /* targets and values set by another handle (a `kpi targets set` beside a running server)
     * change kpi.db's data version: compile again with them */
    int64_t version = 0;
    if (kmeta_data_version(ws->meta, &version, &ws->err) != KPI_OK)
        return ws->err.status;
    if (ws->compiled && version == ws->compiled_version)
        return KPI_OK;
    if (ws->compiled)
        kcompiled_release(&ws->defs);
    ws->compiled = false;
    ws->compiled_version = version;
    kpi_status rc = kcompiled_init(&ws->defs, ws->cfg, ws->meta, &ws->err);
    if (rc != KPI_OK) {
        kcompiled_release(&ws->defs);
        return rc;
    }
    ws->compiled = true;
    return KPI_OK;
}

/* Names the workspace on a result just made (run is its status); frees it when out of memory. */
static kpi_status named(kpi_workspace *ws, kpi_status run, kpi_result **out)
{
    if (run != KPI_OK || !*out || kresult_set_workspace(*out, ws->cfg->name, ws->cfg->currency))
        return run;
    kpi_result_destroy(*out);
    *out = NULL;
    return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
}

/* Whether --from/--to cut period `name` (of the result's calendar). */
static bool cut(const kcalendar *cal, const char *name, const char *from, const char *to)
{
    kperiod p;
    char why[128], first[16], last[16];
    if (!name || !kperiod_parse(cal, kstr_c(name), &p, why, sizeof why) || p.grain == KGRAIN_ALL)
        return false;
    kdays_format(p.first, first, sizeof first);
    kdays_format(p.end - 1, last, sizeof last);
    return strcmp(first, from) < 0 || strcmp(last, to) > 0;
}

/* Labels the first and last periods of a --from/--to query partial when the range cuts them
 * (FY2028 queried from April to June holds three of its twelve months). */
static kpi_status mark_cut(kpi_workspace *ws, const kpi_query *q, kpi_result *r)
{
    if (!q->from && !q->to)
        return KPI_OK;
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; i < r->nseries; i++) {
        const kpi_series *s = &r->series[i];
        if (!s->npoints)
            continue;
        if (cut(&ws->defs.cal, s->points[0].period, r->from, r->to))
            first = s->points[0].period;
        if (cut(&ws->defs.cal, s->points[s->npoints - 1].period, r->from, r->to))
            last = s->points[s->npoints - 1].period;
        break;
    }
    if ((first || last) && !kresult_set_cut(r, first, last))
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    return KPI_OK;
}

/* "Now" for a query: today's local day and how much of it has gone by (a DST day has 23 or 25
 * hours), so that pacing and like-for-like cuts count elapsed time, not whole days. */
static kquery_env env_of(kpi_workspace *ws)
{
    int64_t now = kws_now(ws), today = ktz_day_of(ws->tz, now);
    ws->defs.cal.has_today = true; /* "last-month" is read against today */
    ws->defs.cal.today = today;
    int64_t midnight = ktz_local_to_utc(ws->tz, today * KTIME_US_PER_DAY);
    int64_t next = ktz_local_to_utc(ws->tz, (today + 1) * KTIME_US_PER_DAY);
    double part = next > midnight ? (double)(now - midnight) / (double)(next - midnight) : 1;
    kquery_env env = {&ws->defs, ws->store, today, false, part < 0 ? 0 : part > 1 ? 1 : part,
                      ws->tz,    now};
    return env;
}

kpi_status kpi_query_run(kpi_workspace *ws, const kpi_query *q, kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    kquery_env env = env_of(ws);
    rc = named(ws, kquery_run(&env, q, out, &ws->err), out);
    return rc == KPI_OK ? mark_cut(ws, q, *out) : rc;
}

char *kpi_query_explain(kpi_workspace *ws, const kpi_query *q)
{
    kpi_error_init(&ws->err);
    if (kws_compile(ws) != KPI_OK)
        return NULL;
    kquery_env env = env_of(ws);
    kbuf out;
    kbuf_init(&out, 0);
    if (kquery_explain(&env, q, &out, &ws->err) != KPI_OK) {
        kbuf_release(&out);
        return NULL;
    }
    return out.p;
}

/* The KPIs to report on: of one department (or all), or those declaring one dimension. */
static const char **report_kpis(kpi_workspace *ws, const char *department, const char *dimension,
                                size_t *n)
{
    const kconfig *cfg = ws->cfg;
    const char **ids = malloc((cfg->nkpis ? cfg->nkpis : 1) * sizeof *ids);
    *n = 0;
    for (size_t i = 0; ids && i < cfg->nkpis; i++) {
        const kkpi *k = &cfg->kpis[i];
        if (department && (!k->department || strcmp(k->department, department)))
            continue;
        bool declared = !dimension;
        for (size_t d = 0; d < k->ndimensions && !declared; d++)
            declared = !strcmp(k->dimensions[d], dimension);
        if (declared)
            ids[(*n)++] = k->id;
    }
    return ids;
}

/* Adds the broken KPIs of ids to a review, each with its mistake, in the order of ids. */
static kpi_status add_broken(kpi_workspace *ws, const char *const *ids, size_t n, kpi_result *r)
{
    for (size_t i = 0; i < n; i++) {
        const kkpi *k = kcfg_kpi(ws->cfg, kstr_c(ids[i]));
        const kpi_error *why = ws->defs.broken[kplan_kpi_index(ws->cfg, k)];
        if (!why)
            continue;
        char text[2400];
        kpi_error_format(why, text, sizeof text);
        if (!kresult_add_series(r, k->id, k->name, k->description, k->department,
                                kkpi_unit_name(k->unit), k->decimals,
                                k->direction_up ? "up" : "down") ||
            !kresult_set_error(r, text))
            return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    }
    kresult_order(r, ids, n);
    return KPI_OK;
}

/* The review of `ids` for `period` (NULL: the last complete month) and the 11 periods before
 * it, over the rows where dimension = value (NULL: all). */
static kpi_status review(kpi_workspace *ws, const char *period, const char *const *ids, size_t n,
                         const char *dimension, const char *value, kpi_result **out)
{
    kquery_env env = env_of(ws);
    kcalendar *cal = &ws->defs.cal;
    kperiod p;
    char why[256];
    if (period) {
        if (!kperiod_parse(cal, kstr_c(period), &p, why, sizeof why))
            return kerr_set(&ws->err, KPI_USAGE, "invalid period: %s", why);
    } else {
        int64_t today = ktz_day_of(ws->tz, kws_now(ws));
        p = kperiod_shift(cal, kperiod_of(cal, KGRAIN_MONTH, today), -1);
    }
    kperiod start = p.grain == KGRAIN_ALL ? p : kperiod_shift(cal, p, -11);
    char from[16], to[16];
    kdays_format(start.first, from, sizeof from);
    kdays_format(p.end - 1, to, sizeof to);
    /* broken KPIs are left out of the query and listed in their place */
    const char **ok = malloc((n ? n : 1) * sizeof *ok);
    if (!ok)
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    size_t nok = 0;
    for (size_t i = 0; i < n; i++)
        if (!ws->defs.broken[kplan_kpi_index(ws->cfg, kcfg_kpi(ws->cfg, kstr_c(ids[i])))])
            ok[nok++] = ids[i];
    kpi_query q = {.kpis = ok,
                   .nkpis = nok,
                   .from = from,
                   .to = to,
                   .grain = kgrain_name(p.grain),
                   .only_dimension = dimension,
                   .only_value = value};
    env.last_only = true; /* the periods before the one under review are its sparkline */
    kpi_status rc = nok ? kquery_run(&env, &q, out, &ws->err) : KPI_OK;
    if (rc == KPI_OK && !nok && !(*out = kresult_create(from, to, q.grain, NULL, 0)))
        rc = kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    if (rc == KPI_OK && nok < n)
        rc = add_broken(ws, ids, n, *out);
    char name[64];
    kperiod_name(cal, p, name, sizeof name);
    if (rc == KPI_OK && !kresult_set_review(*out, name))
        rc = kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    free(ok);
    if (rc != KPI_OK) {
        kpi_result_destroy(*out);
        *out = NULL;
    }
    return named(ws, rc, out);
}

kpi_status kpi_report_run(kpi_workspace *ws, const char *period, const char *department,
                          kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    size_t n;
    const char **ids = report_kpis(ws, department, NULL, &n);
    if (!ids)
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    if (n == 0)
        rc = kerr_set(&ws->err, KPI_NOTFOUND, department ? "no KPI in department '%s'" : "no KPI%s",
                      department ? department : " is defined");
    else
        rc = review(ws, period, ids, n, NULL, NULL, out);
    free(ids);
    return rc;
}

kpi_status kpi_review_run(kpi_workspace *ws, const char *period, const char *const *ids, size_t n,
                          kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    if (n == 0)
        return kerr_set(&ws->err, KPI_NOTFOUND, "no KPI to review");
    return review(ws, period, ids, n, NULL, NULL, out);
}

kpi_status kpi_scorecard_run(kpi_workspace *ws, const char *period, const char *dimension,
                             const char *value, kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    if (!dimension || !value)
        return kerr_set(&ws->err, KPI_USAGE, "a scorecard is for DIMENSION=VALUE");
    size_t n;
    const char **ids = report_kpis(ws, NULL, dimension, &n);
    if (!ids)
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    if (n == 0)
        rc = kerr_set(&ws->err, KPI_NOTFOUND, "no KPI is broken down by '%s'", dimension);
    else
        rc = review(ws, period, ids, n, dimension, value, out);
    free(ids);
    return rc;
}

/* Orders the points of a one-series result best first and keeps n. */
static int better_up(const void *a, const void *b)
{
    double x = ((const kpi_point *)a)->value, y = ((const kpi_point *)b)->value;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x < y) - (x > y);
}

static int better_down(const void *a, const void *b)
{
    double x = ((const kpi_point *)a)->value, y = ((const kpi_point *)b)->value;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

kpi_status kpi_top_run(kpi_workspace *ws, const char *kpi, const char *dimension,
                       const char *period, size_t n, kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    const kkpi *k = kcfg_kpi(ws->cfg, kstr_c(kpi));
    char current[64] = "";
    if (k && !period) {
        if ((rc = kpi_current_period(ws, k->grain, current, sizeof current)) != KPI_OK)
            return rc;
        period = current;
    }
    const char *ids[1] = {kpi}, *by[1] = {dimension};
    kpi_query q = {.kpis = ids, .nkpis = 1, .period = period, .by = by, .nby = 1};
    kquery_env env = env_of(ws);
    if ((rc = named(ws, kquery_run(&env, &q, out, &ws->err), out)) != KPI_OK)
        return rc;
    kpi_series *s = &(*out)->series[0];
    /* rows without a value for the dimension (orders without a rep) are nobody to rank */
    kpi_point *pts = (kpi_point *)s->points;
    size_t kept = 0;
    for (size_t i = 0; i < s->npoints; i++)
        if (pts[i].group && pts[i].group[0] && pts[i].group[0][0])
            pts[kept++] = pts[i];
    s->npoints = kept;
    if (s->npoints > 1)
        qsort((void *)s->points, s->npoints, sizeof *s->points,
              strcmp(s->direction, "down") == 0 ? better_down : better_up);
    if (n && s->npoints > n)
        s->npoints = n;
    return KPI_OK;
}

kpi_status kpi_current_period(kpi_workspace *ws, const char *grain, char *buf, size_t cap)
{
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    kgrain g;
    if (!grain || !kgrain_parse(kstr_c(grain), &g) || g == KGRAIN_ALL)
        g = KGRAIN_MONTH;
    kperiod_name(&ws->defs.cal, kperiod_of(&ws->defs.cal, g, ktz_day_of(ws->tz, kws_now(ws))), buf,
                 cap);
    return KPI_OK;
}

size_t kpi_kpi_count(const kpi_workspace *ws)
{
    return ws->cfg ? ws->cfg->nkpis : 0;
}

void kpi_kpi_info_get(const kpi_workspace *ws, size_t i, kpi_kpi_info *info)
{
    kkpi_info(&ws->cfg->kpis[i], info);
}

const char *kpi_kpi_error(kpi_workspace *ws, size_t i)
{
    if (!ws->cfg || i >= ws->cfg->nkpis)
        return NULL;
    const kpi_error *why = ws->cfg->kpis[i].broken;
    if (!why && kws_compile(ws) == KPI_OK)
        why = ws->defs.broken[i];
    else if (!why) /* out of memory: the message says so */
        why = &ws->err;
    if (!why)
        return NULL;
    kpi_error_format(why, ws->kpi_error_text, sizeof ws->kpi_error_text);
    return ws->kpi_error_text;
}

/* Marks in seen[] every KPI that tree e reads, following their own formulas. */
static void mark_uses(const kpi_workspace *ws, const kexpr *e, bool *seen)
{
    if (!e)
        return;
    if (e->kind == KX_KPI && e->kpi) {
        size_t j = (size_t)(e->kpi - ws->cfg->kpis);
        if (!seen[j]) {
            seen[j] = true;
            mark_uses(ws, ws->defs.trees[j], seen);
        }
        return;
    }
    mark_uses(ws, e->a, seen);
    mark_uses(ws, e->b, seen);
    for (size_t a = 0; a < e->nargs; a++)
        mark_uses(ws, e->args[a], seen);
}

kpi_status kpi_kpi_uses(kpi_workspace *ws, size_t i, size_t *out, size_t cap, size_t *n)
{
    kpi_error_init(&ws->err);
    *n = 0;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    if (i >= ws->cfg->nkpis)
        return kerr_set(&ws->err, KPI_USAGE, "no KPI number %zu", i);
    bool *seen = calloc(ws->cfg->nkpis, sizeof *seen);
    if (!seen)
        return kerr_set(&ws->err, KPI_NOMEM, "out of memory");
    mark_uses(ws, ws->defs.trees[i], seen);
    seen[i] = false; /* a formula cannot read itself; compile refuses cycles */
    for (size_t j = 0; j < ws->cfg->nkpis; j++)
        if (seen[j] && (*n)++ < cap)
            out[*n - 1] = j;
    free(seen);
    return KPI_OK;
}

void kkpi_info(const kkpi *k, kpi_kpi_info *info)
{
    *info = (kpi_kpi_info){k->id,
                           k->name,
                           k->description,
                           k->department,
                           kkpi_unit_name(k->unit),
                           k->grain ? k->grain : "month",
                           k->direction_up ? "up" : "down",
                           k->formula,
                           k->tags,
                           k->ntags,
                           k->dimensions,
                           k->ndimensions,
                           k->manual,
                           k->decimals,
                           k->metrics_dims,
                           k->nmetrics_dims,
                           k->metrics_max_groups};
}
