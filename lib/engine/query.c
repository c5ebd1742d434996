/*
 * query.c - running a query: resolve the KPIs, the periods and the breakdown; plan the scans;
 * find the days every value, comparison and function needs (a first evaluation in collect
 * mode); load the data in one scan per stream; then evaluate each KPI per period and group,
 * with previous period, last year, target, attainment, status and, for the open period, pacing.
 */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PERIODS 12
#define MAX_PERIODS 100000

/* One stored target or manual value: "rep=Ana&region=West" dims split into the definition's
 * arrays, appended to the KPI's list in lists/counts. */
static kpi_status add_entry(kcompiled *c, ktarget_def **lists, size_t *counts, const char *kpi,
                            const char *period, const char *dims, double value)
{
    const kkpi *k = kcfg_kpi(c->cfg, kstr_c(kpi));
    if (!k)
        return KPI_OK; /* a target or value of a KPI no longer defined */
    size_t i = (size_t)(k - c->cfg->kpis), n = counts[i];
    ktarget_def *t = karena_alloc(&c->arena, (n + 1) * sizeof *t);
    if (!t)
        return KPI_NOMEM;
    if (n)
        memcpy(t, lists[i], n * sizeof *t);
    lists[i] = t;
    t += n;
    memset(t, 0, sizeof *t);
    t->value = value;
    t->period = period && *period ? karena_strdup(&c->arena, period) : NULL;
    if (period && *period && !t->period)
        return KPI_NOMEM; /* not a target of every period */
    size_t nd = *dims ? 1 : 0;
    for (const char *p = dims; *p; p++)
        nd += *p == '&';
    t->dim_names = karena_alloc(&c->arena, (nd + 1) * sizeof *t->dim_names);
    t->dim_values = karena_alloc(&c->arena, (nd + 1) * sizeof *t->dim_values);
    if (!t->dim_names || !t->dim_values)
        return KPI_NOMEM;
    const char *p = dims;
    for (size_t d = 0; d < nd; d++) {
        const char *amp = strchr(p, '&'), *eq = strchr(p, '=');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (!eq || eq > p + len)
            return KPI_OK;
        t->dim_names[d] = karena_strndup(&c->arena, p, (size_t)(eq - p));
        t->dim_values[d] = karena_strndup(&c->arena, eq + 1, len - (size_t)(eq - p) - 1);
        if (!t->dim_names[d] || !t->dim_values[d])
            return KPI_NOMEM;
        p += len + (amp ? 1 : 0);
    }
    t->ndims = nd;
    counts[i]++;
    return KPI_OK;
}

static kpi_status add_stored(void *ctx, const char *kpi, const char *period, const char *dims,
                             double value)
{
    kcompiled *c = ctx;
    return add_entry(c, c->stored, c->nstored, kpi, period, dims, value);
}

static kpi_status add_value(void *ctx, const char *kpi, const char *period, const char *dims,
                            double value, const char *note, const char *set_at)
{
    (void)note;
    (void)set_at;
    kcompiled *c = ctx;
    return add_entry(c, c->manual, c->nmanual, kpi, period, dims, value);
}

kpi_status kcompiled_init(kcompiled *c, const kconfig *cfg, kmeta *meta, kpi_error *err)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->cal =
        (kcalendar){.week_start = cfg->week_start, .fiscal_year_start = cfg->fiscal_year_start};
    karena_init(&c->arena, 0);
    kpi_status rc = kformula_compile_each(cfg, &c->arena, &c->trees, &c->broken, err);
    if (rc != KPI_OK)
        return rc;
    c->stored = karena_alloc(&c->arena, (cfg->nkpis + 1) * sizeof *c->stored);
    c->nstored = karena_alloc(&c->arena, (cfg->nkpis + 1) * sizeof *c->nstored);
    c->manual = karena_alloc(&c->arena, (cfg->nkpis + 1) * sizeof *c->manual);
    c->nmanual = karena_alloc(&c->arena, (cfg->nkpis + 1) * sizeof *c->nmanual);
    if (!c->stored || !c->nstored || !c->manual || !c->nmanual)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    rc = kmeta_targets_each(meta, add_stored, c, err);
    return rc == KPI_OK ? kmeta_values_each(meta, add_value, c, err) : rc;
}

kpi_status kbroken_error(const kcompiled *c, size_t ki, kpi_error *err)
{
    char why[2400];
    kpi_error_format(c->broken[ki], why, sizeof why);
    return kerr_set(err, KPI_DEFINITION, "kpi '%s' is broken: %s", c->cfg->kpis[ki].id, why);
}

void kcompiled_release(kcompiled *c)
{
    karena_release(&c->arena);
    memset(c, 0, sizeof *c);
}

/* The state of one query. */
typedef struct qrun {
    const kquery_env *env;
    const kpi_query *q;
    const kconfig *cfg;
    const kcalendar *cal;
    kpi_error *err;
    long *kpis; /* indexes in cfg->kpis, per requested KPI */
    kgrain grain;
    kperiod *periods;
    size_t nperiods;
    kplan plan;
    kdata data;
    bool planned, loaded;
    int64_t *lo, *hi, *vlo, *vhi;    /* days each scan reads */
    const kcond **filter, **vfilter; /* --where bound to each scan's stream */
    int64_t clip_from, clip_end;     /* --from/--to: days outside are left out of edge periods */
    karena arena;
    bool explain; /* plan and ranges only, no data */
    /* the scope of the targets beyond the breakdown: the --where equalities (region =
     * "Midwest"); without_scope when --where is something else, which no target is for */
    const char *scope_names[8];
    kstr scope_values[8];
    size_t nscope;
    bool without_scope;
    kpi_result *company_ly; /* with --where and split: last_year, the KPIs' values over every
                               row in last year's periods (the mix the --where cuts into) */
    /* per cfg stream, asked of the store once: 0 not yet, 1 has rows from stream_day, 2 none */
    unsigned char *stream_state;
    int64_t *stream_day;
    /* the series being built: from data_from on, every stream it reads has data */
    bool has_data_from;
    int64_t data_from;
} qrun;

static kpi_status resolve_kpis(qrun *r)
{
    const kconfig *cfg = r->cfg;
    if (r->q->nkpis == 0)
        return kerr_set(r->err, KPI_USAGE, "no KPI given");
    if (!r->q->only_dimension != !r->q->only_value)
        return kerr_set(r->err, KPI_USAGE, "only_dimension and only_value go together");
    r->kpis = calloc(r->q->nkpis, sizeof *r->kpis);
    const char **ids = calloc(cfg->nkpis + 1, sizeof *ids);
    kpi_status rc = r->kpis && ids ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
    for (size_t i = 0; i < cfg->nkpis && ids; i++)
        ids[i] = cfg->kpis[i].id;
    for (size_t i = 0; rc == KPI_OK && i < r->q->nkpis; i++) {
        const kkpi *k = kcfg_kpi(cfg, kstr_c(r->q->kpis[i]));
        if (!k) {
            char hint[160];
            ksuggest_hint(kstr_c(r->q->kpis[i]), ids, cfg->nkpis, hint, sizeof hint);
            rc = kerr_set(r->err, KPI_NOTFOUND, "unknown kpi '%s'%s", r->q->kpis[i], hint);
        } else if (r->env->defs->broken[kplan_kpi_index(cfg, k)]) {
            rc = kbroken_error(r->env->defs, (size_t)kplan_kpi_index(cfg, k), r->err);
        } else {
            r->kpis[i] = kplan_kpi_index(cfg, k);
        }
    }
    free(ids);
    return rc;
}

/* The periods of the query: --period, --from/--to, or the last 12 up to today. */
static kpi_status resolve_periods(qrun *r)
{
    const kpi_query *q = r->q;
    const kkpi *first = &r->cfg->kpis[r->kpis[0]];
    const char *gname = q->grain ? q->grain : first->grain ? first->grain : "month";
    if (!kgrain_parse(kstr_c(gname), &r->grain))
        return kerr_set(r->err, KPI_USAGE,
                        "unknown grain '%s' (day, week, month, quarter, year, fiscal_quarter,"
                        " fiscal_year or all)",
                        gname);
    int64_t from, to;
    kpi_status rc = KPI_OK;
    if (q->period) {
        kperiod p;
        char why[256];
        if (!kperiod_parse(r->cal, kstr_c(q->period), &p, why, sizeof why))
            return kerr_set(r->err, KPI_USAGE, "invalid period: %s", why);
        if (!q->grain)
            r->grain = p.grain;
        from = p.first;
        to = p.end - 1;
    } else if (q->from || q->to) {
        if (!q->from || !q->to)
            return kerr_set(r->err, KPI_USAGE, "--from and --to go together");
        if ((rc = kdate_arg(q->from, "--from", &from, r->err)) != KPI_OK ||
            (rc = kdate_arg(q->to, "--to", &to, r->err)) != KPI_OK)
            return rc;
        if (to < from)
            return kerr_set(r->err, KPI_USAGE, "--to %s is before --from %s", q->to, q->from);
    } else {
        kperiod now =
            kperiod_of(r->cal, r->grain == KGRAIN_ALL ? KGRAIN_MONTH : r->grain, r->env->today);
        kperiod start = kperiod_shift(r->cal, now, 1 - DEFAULT_PERIODS);
        from = start.first;
        to = now.end - 1;
    }
    if (r->grain == KGRAIN_ALL) {
        r->periods = malloc(sizeof *r->periods);
        if (!r->periods)
            return kerr_set(r->err, KPI_NOMEM, "out of memory");
        r->periods[0] = (kperiod){KGRAIN_ALL, from, to + 1};
        r->nperiods = 1;
        return KPI_OK;
    }
    size_t n = kperiods_between(r->cal, r->grain, from, to, NULL, 0);
    if (n > MAX_PERIODS)
        return kerr_set(r->err, KPI_LIMIT, "%zu periods asked; at most %d", n, MAX_PERIODS);
    r->periods = malloc((n ? n : 1) * sizeof *r->periods);
    if (!r->periods)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    r->nperiods = kperiods_between(r->cal, r->grain, from, to, r->periods, n);
    if (q->from) {
        r->clip_from = from;
        r->clip_end = to + 1;
    }
    return KPI_OK;
}

/* Every stream a KPI reads must have the breakdown fields; a KPI with declared dimensions must
 * list them. */
static kpi_status check_breakdown(qrun *r)
{
    for (size_t b = 0; b < r->q->nby; b++) {
        const char *dim = r->q->by[b];
        for (size_t i = 0; i < r->plan.nleaves; i++) {
            const kstream *s = r->plan.leaves[i].node->stream;
            if (!kstream_field(s, kstr_c(dim)))
                return kerr_set(r->err, KPI_USAGE,
                                "cannot break down by '%s': stream '%s' has no field '%s'", dim,
                                s->name, dim);
        }
        for (size_t i = 0; i < r->q->nkpis; i++) {
            const kkpi *k = &r->cfg->kpis[r->kpis[i]];
            bool listed = k->ndimensions == 0;
            for (size_t d = 0; d < k->ndimensions && !listed; d++)
                listed = strcmp(k->dimensions[d], dim) == 0;
            if (!listed)
                return kerr_set(r->err, KPI_USAGE,
                                "kpi '%s' cannot be broken down by '%s': add it to its"
                                " dimensions",
                                k->id, dim);
        }
    }
    return KPI_OK;
}

/* The windows a point needs: the period (cut to now when open), the previous one, last year. */
typedef struct windows {
    kwin value, previous, last_year;
    bool open;
    double elapsed;      /* share of the open period gone by, to the hour of now */
    double elapsed_days; /* days of it gone by (fractional) */
} windows;

/* The share of the days [start, end) gone by at now, in real time in the workspace zone: hours
 * count, and a DST change makes its day 23 or 25 hours long. */
static double elapsed_share(qrun *r, int64_t start, int64_t end)
{
    const kquery_env *env = r->env;
    double days = (double)(env->today - start) + env->today_part;
    if (!env->tz)
        return days / (double)(end - start);
    int64_t a = ktz_local_to_utc(env->tz, start * KTIME_US_PER_DAY);
    int64_t b = ktz_local_to_utc(env->tz, end * KTIME_US_PER_DAY);
    double share = b > a ? (double)(env->now_us - a) / (double)(b - a) : 1;
    return share < 0 ? 0 : share > 1 ? 1 : share;
}

static windows windows_of(qrun *r, kperiod p, long group)
{
    windows w;
    int64_t today = r->env->today;
    /* a --from/--to range that cuts a period keeps only its days, in comparisons too */
    int64_t skip = p.grain != KGRAIN_ALL && r->clip_from > p.first ? r->clip_from - p.first : 0;
    int64_t start = p.first + skip,
            end = p.grain != KGRAIN_ALL && r->clip_end < p.end ? r->clip_end : p.end;
    /* open: today falls in the (cut) period; a cut that ends before today is complete */
    w.open = p.grain != KGRAIN_ALL && today >= start && today < end;
    /* through today's share gone by: at midnight, through yesterday */
    double part = w.open && r->env->today_part < 1 ? r->env->today_part : 0;
    int64_t len = w.open ? today - p.first + (part > 0 || r->env->today_part >= 1) : -1;
    w.elapsed_days = w.open ? (double)(today - start) + r->env->today_part : (double)(end - start);
    w.elapsed = w.open ? elapsed_share(r, start, end) : 1;
    if (p.grain != KGRAIN_ALL && r->clip_end < p.end && (len < 0 || p.first + len > r->clip_end))
        len = r->clip_end - p.first;
    /* an open period counts through now only, and is compared like for like: the same days
     * and, on the last of them, the same share of the day (today's rows are as they stand) */
    w.value = (kwin){p, len, group, skip, part};
    w.previous = (kwin){kperiod_shift(r->cal, p, -1), len, group, skip, part};
    w.last_year = (kwin){kperiod_last_year(r->cal, p), len, group, skip, part};
    return w;
}

/* The scope --where gives targets: a conjunction of `dimension = "value"` (or `in` one value)
 * names the series the way a breakdown does; any other condition is a selection no target is
 * set for. */
static bool scope_of(qrun *r, const kcond *c)
{
    if (c->kind == KCOND_AND)
        return scope_of(r, c->a) && scope_of(r, c->b);
    bool eq = (c->kind == KCOND_CMP && c->cmp == KCMP_EQ) ||
              (c->kind == KCOND_IN && !c->negate && c->nlits == 1);
    if (!eq || !c->lits[0].is_string || r->nscope == 8)
        return false;
    for (size_t i = 0; i < r->nscope; i++)
        if (!strcmp(r->scope_names[i], c->name))
            return kstr_eq_c(r->scope_values[i], c->lits[0].str);
    r->scope_names[r->nscope] = c->name;
    r->scope_values[r->nscope++] = kstr_c(c->lits[0].str);
    return true;
}

static kpi_status resolve_scope(qrun *r)
{
    if (!r->q->where)
        return KPI_OK;
    kloc loc = {"--where", 1, 1};
    kcond *c;
    kpi_status rc = kformula_parse_cond(&r->arena, r->q->where, loc, &c, r->err);
    if (rc != KPI_OK) {
        r->err->status = KPI_USAGE;
        return KPI_USAGE;
    }
    r->without_scope = !scope_of(r, c);
    return KPI_OK;
}

/* The condition only_dimension = only_value, built as a tree (no text is parsed) and bound to s. */
static kpi_status only_for(qrun *r, const kstream *s, kcond **out)
{
    kcond *c = karena_alloc(&r->arena, sizeof *c);
    klit *lit = karena_alloc(&r->arena, sizeof *lit);
    if (!c || !lit)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    kloc loc = {"the token's rows", 1, 1};
    *lit = (klit){.is_string = true, .str = r->q->only_value, .loc = loc};
    *c = (kcond){.kind = KCOND_CMP,
                 .loc = loc,
                 .cmp = KCMP_EQ,
                 .name = r->q->only_dimension,
                 .lits = lit,
                 .nlits = 1};
    *out = c;
    return kformula_bind_cond(r->cfg, s, NULL, c, r->err);
}

/* The query's --where and its only_dimension = only_value, parsed and bound once per stream
 * that a scan reads, and joined as (only) AND (where): a tree, so no text of `where` can reach
 * outside its own operand. */
static kpi_status filter_for(qrun *r, const kstream *s, const kcond **out)
{
    kloc loc = {"--where", 1, 1};
    kcond *c = NULL, *only = NULL;
    kpi_status rc = KPI_OK;
    if (r->q->where) {
        rc = kformula_parse_cond(&r->arena, r->q->where, loc, &c, r->err);
        if (rc == KPI_OK)
            rc = kformula_bind_cond(r->cfg, s, r->q->where, c, r->err);
    }
    if (rc == KPI_OK && r->q->only_dimension)
        rc = only_for(r, s, &only);
    if (rc == KPI_OK && c && only) {
        kcond *both = karena_alloc(&r->arena, sizeof *both);
        if (!both)
            return kerr_set(r->err, KPI_NOMEM, "out of memory");
        *both = (kcond){.kind = KCOND_AND, .loc = only->loc, .a = only, .b = c};
        c = both;
    } else if (only) {
        c = only;
    }
    if (rc != KPI_OK && rc != KPI_NOMEM)
        r->err->status = rc = KPI_USAGE;
    *out = c;
    return rc;
}

static kpi_status bind_filters(qrun *r)
{
    if (!r->q->where && !r->q->only_dimension)
        return KPI_OK;
    size_t ns = r->plan.nscans + 1, nv = r->plan.nvscans + 1;
    r->filter = karena_alloc(&r->arena, ns * sizeof *r->filter);
    r->vfilter = karena_alloc(&r->arena, nv * sizeof *r->vfilter);
    if (!r->filter || !r->vfilter)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    kpi_status rc = KPI_OK;
    for (size_t i = 0; rc == KPI_OK && i < r->plan.nscans; i++)
        rc = filter_for(r, r->plan.scans[i].stream, &r->filter[i]);
    for (size_t i = 0; rc == KPI_OK && i < r->plan.nvscans; i++)
        rc = filter_for(r, r->plan.vscans[i].stream, &r->vfilter[i]);
    return rc;
}

/* An evaluator of r's KPIs: collecting the days each scan needs into lo..vhi (data NULL), or
 * evaluating over the loaded data. */
static keval evaluator(qrun *r, kdata *data, int64_t *lo, int64_t *hi, int64_t *vlo, int64_t *vhi)
{
    return (keval){.cfg = r->cfg,
                   .trees = r->env->defs->trees,
                   .cal = r->cal,
                   .plan = &r->plan,
                   .data = data,
                   .store = r->env->store,
                   .by = r->q->by,
                   .nby = r->q->nby,
                   .lo = lo,
                   .hi = hi,
                   .vlo = vlo,
                   .vhi = vhi,
                   .defs = data ? r->env->defs : NULL,
                   .filter = data ? r->filter : NULL,
                   .range_lo = data ? r->lo : NULL,
                   .range_hi = data ? r->hi : NULL,
                   .today = r->env->today};
}
/* The whole of period p a year earlier (the mix that `split: last_year` shares targets by). */
static kwin last_year_whole(qrun *r, kperiod p, long group)
{
    int64_t skip = p.grain != KGRAIN_ALL && r->clip_from > p.first ? r->clip_from - p.first : 0;
    int64_t len = p.grain != KGRAIN_ALL && r->clip_end < p.end ? r->clip_end - p.first : -1;
    return (kwin){kperiod_last_year(r->cal, p), len, group, skip, 0};
}

static kpi_status load(qrun *r)
{
    bool *wanted = calloc(r->cfg->nkpis ? r->cfg->nkpis : 1, sizeof *wanted);
    if (!wanted)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    for (size_t i = 0; i < r->q->nkpis; i++)
        wanted[r->kpis[i]] = true;
    kpi_status rc = kplan_build(r->cfg, r->env->defs->trees, wanted, &r->plan, r->err);
    free(wanted);
    if (rc != KPI_OK)
        return rc;
    r->planned = true;
    if ((rc = check_breakdown(r)) != KPI_OK)
        return rc;
    size_t ns = r->plan.nscans ? r->plan.nscans : 1, nv = r->plan.nvscans ? r->plan.nvscans : 1;
    int64_t *lo = r->lo = malloc(ns * sizeof *lo), *hi = r->hi = malloc(ns * sizeof *hi);
    int64_t *vlo = r->vlo = malloc(nv * sizeof *vlo), *vhi = r->vhi = malloc(nv * sizeof *vhi);
    if (!lo || !hi || !vlo || !vhi)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    for (size_t i = 0; i < ns; i++)
        lo[i] = INT64_MAX, hi[i] = INT64_MIN;
    for (size_t i = 0; i < nv; i++)
        vlo[i] = INT64_MAX, vhi[i] = INT64_MIN;
    keval ev = evaluator(r, NULL, lo, hi, vlo, vhi);
    for (size_t k = 0; k < r->q->nkpis; k++) {
        const kkpi *kp = &r->cfg->kpis[r->kpis[k]];
        for (size_t p = 0; p < r->nperiods; p++) {
            windows w = windows_of(r, r->periods[p], -1);
            keval_kpi(&ev, (size_t)r->kpis[k], w.value);
            kproject proj = {r->periods[p], w.elapsed, 0};
            int64_t start;
            kwin_days(&w.value, &start, &proj.now);
            ev.project = w.open ? &proj : NULL;
            if (w.open)
                keval_kpi(&ev, (size_t)r->kpis[k], w.value);
            ev.project = NULL;
            if (kp->split_last_year && r->q->nby)
                keval_kpi(&ev, (size_t)r->kpis[k], last_year_whole(r, r->periods[p], -1));
            if (r->env->last_only && p + 1 < r->nperiods)
                continue;
            keval_kpi(&ev, (size_t)r->kpis[k], w.previous);
            keval_kpi(&ev, (size_t)r->kpis[k], w.last_year);
        }
    }
    for (size_t i = 0; i < r->plan.nscans; i++)
        if (lo[i] > hi[i])
            lo[i] = hi[i] = 0;
    for (size_t i = 0; i < r->plan.nvscans; i++)
        if (vlo[i] > vhi[i])
            vlo[i] = vhi[i] = 0;
    if ((rc = bind_filters(r)) != KPI_OK)
        return rc;
    kdata_request req = {r->q->by, r->q->nby, lo, hi, r->filter, r->vfilter};
    r->loaded = true;
    return r->explain ? KPI_OK : kdata_load(&r->data, &r->plan, r->env->store, &req, r->err);
}

static const char *const unit_names[] = {"count", "currency", "percent",
                                         "ratio", "duration", "number"};

/* Group order: by their values, so output is stable (qsort_r: no global state). */
static int cmp_group(const void *a, const void *b, void *data)
{
    const kdata *d = data;
    return strcmp(d->group_keys[*(const long *)a], d->group_keys[*(const long *)b]);
}

/* Does the query read only some rows (--where, a self token's only_dimension)? */
static bool rows_restricted(const qrun *r)
{
    return r->q->where || r->q->only_dimension;
}

/* The value of KPI k over every row in the period a year before p (from r->company_ly). */
static double company_last_year(qrun *r, const kkpi *k, kperiod p)
{
    char name[64];
    kperiod_name(r->cal, kperiod_last_year(r->cal, p), name, sizeof name);
    for (size_t i = 0; r->company_ly && i < r->company_ly->nseries; i++) {
        const kpi_series *s = &r->company_ly->series[i];
        for (size_t j = 0; !strcmp(s->id, k->id) && j < s->npoints; j++)
            if (!strcmp(s->points[j].period, name))
                return s->points[j].value;
    }
    return NAN;
}

/* With --where, the KPIs that share targets by last year's mix need it over every row: their
 * values in last year's periods, without the --where (one more query). */
static kpi_status load_company_last_year(qrun *r)
{
    const char **ids = calloc(r->q->nkpis, sizeof *ids);
    if (!ids)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < r->q->nkpis; i++)
        if (r->cfg->kpis[r->kpis[i]].split_last_year)
            ids[n++] = r->cfg->kpis[r->kpis[i]].id;
    kpi_status rc = KPI_OK;
    if (n && rows_restricted(r) && !r->without_scope && r->grain != KGRAIN_ALL) {
        char from[16], to[16];
        kdays_format(kperiod_last_year(r->cal, r->periods[0]).first, from, sizeof from);
        kdays_format(kperiod_last_year(r->cal, r->periods[r->nperiods - 1]).end - 1, to, sizeof to);
        kpi_query q = {
            .kpis = ids, .nkpis = n, .from = from, .to = to, .grain = kgrain_name(r->grain)};
        kquery_env env = *r->env;
        env.last_only = false;
        rc = kquery_run(&env, &q, &r->company_ly, r->err);
    }
    free(ids);
    return rc;
}

/* How a point is judged beyond its value: its share of the company's target by last year's
 * mix (NaN: none), and whether its conversions' cohort is still young. */
typedef struct judging {
    double split;   /* the group's share of the --where's rows last year (--by only) */
    double company; /* its share of every row last year (--where only), else NaN */
    bool young;
} judging;

/* The target of a point: the one set for its scope (the breakdown's values and the --where
 * equalities), else with `split: last_year` the scope's above it (the --where's) times the
 * point's share of it last year. *tc is the context the target came from (for its parts). */
static double target_of(qrun *r, const kkpi *k, size_t ki, kgrain kg, bool additive,
                        const kstr *group, const judging *j, int64_t first, int64_t end,
                        const char **names, kstr *values, ktarget_ctx *tc)
{
    size_t nby = r->q->nby < 8 ? r->q->nby : 8, n = nby;
    for (size_t b = 0; b < nby; b++) {
        names[b] = r->q->by[b];
        values[b] = group[b];
    }
    /* the --where equalities and a self token's only_dimension = only_value (its figures are
     * judged by its own target, never the company's) */
    for (size_t i = 0; i <= r->nscope; i++) {
        const char *dim = i < r->nscope ? r->scope_names[i] : r->q->only_dimension;
        bool in = !dim;
        for (size_t b = 0; b < n && !in; b++)
            in = !strcmp(names[b], dim);
        if (!in) {
            names[n] = dim;
            values[n++] = i < r->nscope ? r->scope_values[i] : kstr_c(r->q->only_value);
        }
    }
    *tc = (ktarget_ctx){.kpi = k,
                        .cal = r->cal,
                        .grain = kg,
                        .additive = additive,
                        .by = names,
                        .nby = n,
                        .group = n ? values : NULL,
                        .stored = r->env->defs->stored[ki],
                        .nstored = r->env->defs->nstored[ki]};
    if (r->without_scope)
        return NAN;
    double t = ktarget_for(tc, first, end);
    if (!isnan(t) || !k->split_last_year)
        return t;
    /* the scope above: the --where's (a group's share of its rows), else the company's */
    tc->by = names + nby;
    tc->group = n > nby ? values + nby : NULL;
    tc->nby = n - nby;
    if (n > nby && nby && !isnan(t = ktarget_for(tc, first, end) * j->split))
        return t;
    tc->nby = 0;
    tc->group = NULL;
    return ktarget_for(tc, first, end) * (rows_restricted(r) ? j->company : j->split);
}

/* Completes a point whose value, previous, last year and (open period) projection are set:
 * change, target, status and, for the open period, pacing; then adds it to the result. */
static kpi_status finish_point(qrun *r, const kkpi *k, size_t ki, kperiod p, const windows *w,
                               const kstr *group, bool additive, const judging *j, kpi_point *pt,
                               kpi_result *res)
{
    kgrain kg;
    if (!k->grain || !kgrain_parse(kstr_c(k->grain), &kg))
        kg = KGRAIN_MONTH;
    int64_t tfirst, tend;
    kwin_days(&w->value, &tfirst, &tend);
    if (w->open) /* the target of an open period is the whole period's */
        tend = p.end < r->clip_end ? p.end : r->clip_end;
    const char *names[17]; /* 8 of --by, 8 of --where, only_dimension */
    kstr values[17];
    ktarget_ctx tc;
    pt->target = target_of(r, k, ki, kg, additive, group, j, tfirst, tend, names, values, &tc);
    if (p.grain != KGRAIN_ALL && p.first > r->env->today) {
        /* a period that has not begun: no value, nothing to judge yet */
        pt->value = pt->projected = NAN;
        pt->complete = 0;
        pt->status = "no_data";
        return kresult_add_point(res, pt) ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
    }
    if (!isnan(pt->value) && !isnan(pt->previous) && pt->previous != 0)
        pt->change = (pt->value - pt->previous) / fabs(pt->previous);
    if ((k->unit == KUNIT_PERCENT || k->unit == KUNIT_RATIO) && !isnan(pt->value) &&
        !isnan(pt->previous))
        pt->change_points = pt->value - pt->previous;
    double judged = pt->value;
    if (w->open) {
        pt->complete = 0;
        /* what the parts of the period (the months of a quarter) expect by now */
        pt->expected_to_date =
            pt->target * ktarget_share_to_date(&tc, tfirst, tend, w->elapsed_days, w->elapsed);
        judged = pt->projected; /* an open period is judged by where it is heading */
    } else {
        pt->projected = NAN;
    }
    pt->status = kstatus_of(k, judged, pt->target, &pt->attainment);
    if (j->young && !isnan(judged)) {
        /* a cohort still converting is not judged against a target for grown ones */
        pt->status = "immature";
        pt->attainment = NAN;
    }
    return kresult_add_point(res, pt) ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
}

/* The nby values of a group as strings in r's arena, whole (a fixed buffer cut long values);
 * false when out of memory. */
static bool group_strings(qrun *r, const kstr *group, size_t nby, const char **out)
{
    for (size_t b = 0; b < nby; b++)
        if (!(out[b] = karena_strndup(&r->arena, group[b].p, group[b].n)))
            return false;
    return true;
}

/* The first day stream s has a row on, asked of the store once per query: *any false when it
 * has none. */
static kpi_status stream_first_day(qrun *r, const kstream *s, bool *any, int64_t *day)
{
    size_t i = (size_t)(s - r->cfg->streams);
    if (!r->stream_state[i]) {
        bool has = false;
        kpi_status rc = kstore_first_day(r->env->store, s, &has, &r->stream_day[i], r->err);
        if (rc != KPI_OK)
            return rc;
        r->stream_state[i] = has ? 1 : 2;
    }
    *any = r->stream_state[i] == 1;
    *day = r->stream_day[i];
    return KPI_OK;
}

/* Raises *from to the first day of each stream e reads (through the KPIs it names); clears
 * *known when one of them has no data. */
static kpi_status data_from_walk(qrun *r, const kexpr *e, int depth, int64_t *from, bool *known)
{
    if (!e || depth > 64)
        return KPI_OK;
    const kstream *streams[2] = {NULL, NULL};
    if (e->kind == KX_AGG)
        streams[0] = e->stream;
    if (e->kind == KX_CALL && e->fn == KF_CONVERSION) {
        streams[0] = e->conv_from;
        streams[1] = e->conv_to;
    }
    kpi_status rc = KPI_OK;
    for (int i = 0; rc == KPI_OK && i < 2 && streams[i]; i++) {
        bool any = false;
        int64_t day = 0;
        rc = stream_first_day(r, streams[i], &any, &day);
        *known &= any;
        if (any && day > *from)
            *from = day;
    }
    if (rc == KPI_OK && e->kind == KX_KPI && e->kpi)
        rc = data_from_walk(r, r->env->defs->trees[kplan_kpi_index(r->cfg, e->kpi)], depth + 1,
                            from, known);
    const kexpr *kids[2] = {e->a, e->b};
    for (int i = 0; rc == KPI_OK && i < 2; i++)
        rc = data_from_walk(r, kids[i], depth + 1, from, known);
    for (size_t i = 0; rc == KPI_OK && i < e->nargs; i++)
        rc = data_from_walk(r, e->args[i], depth + 1, from, known);
    return rc;
}

/* Sets the data_from of KPI ki's series (the last of res) and of the points to come. */
static kpi_status set_data_from(qrun *r, size_t ki, kpi_result *res)
{
    if (!r->stream_state) {
        size_t n = r->cfg->nstreams ? r->cfg->nstreams : 1;
        r->stream_state = karena_alloc(&r->arena, n);
        r->stream_day = karena_alloc(&r->arena, n * sizeof *r->stream_day);
        if (!r->stream_state || !r->stream_day)
            return kerr_set(r->err, KPI_NOMEM, "out of memory");
        memset(r->stream_state, 0, n);
    }
    bool known = true;
    r->data_from = INT64_MIN;
    kpi_status rc = data_from_walk(r, r->env->defs->trees[ki], 0, &r->data_from, &known);
    if (rc != KPI_OK)
        return rc;
    r->has_data_from = known && r->data_from != INT64_MIN;
    char day[16];
    if (!r->has_data_from)
        return KPI_OK;
    kdays_format(r->data_from, day, sizeof day);
    return kresult_set_data_from(res, day) ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
}

/* Whether window w (which has a value) is a period the data covers only in part: the data
 * begins after its first day by more than a thirtieth of its days (a month whose first day
 * simply had no orders is not flagged; a week missing a day, a year missing a month are). */
static int partly_covered(const qrun *r, const kwin *w, double value)
{
    int64_t first, end;
    kwin_days(w, &first, &end);
    return r->has_data_from && !isnan(value) && r->data_from > first &&
           (r->data_from - first) * 30 > end - first;
}

/* The point of a computed KPI for period p and data group g (-1: all); compare: with its
 * previous period and last year. */
static kpi_status point(qrun *r, keval *ev, const kkpi *k, size_t ki, kperiod p, long g,
                        bool additive, bool compare, kpi_result *res)
{
    windows w = windows_of(r, p, g);
    kpi_point pt = kpoint_empty();
    char name[64];
    kperiod_name(r->cal, p, name, sizeof name);
    pt.period = name;
    kstr group[8];
    const char *gvals[8];
    size_t nby = r->q->nby < 8 ? r->q->nby : 8;
    if (nby) {
        kdata_group_values(&r->data, g, group);
        if (!group_strings(r, group, nby, gvals))
            return kerr_set(r->err, KPI_NOMEM, "out of memory");
        pt.group = gvals;
    }
    judging j = {NAN, NAN, false};
    /* a cohort younger than its conversions' `within` is compared at the same age */
    int cohort = keval_cohort_days(r->cfg, r->env->defs->trees, r->env->defs->trees[ki], 0);
    int64_t first, end;
    kwin_days(&w.value, &first, &end);
    double now = (double)r->env->today + r->env->today_part;
    j.young = cohort > 0 && now < (double)(end + cohort);
    ev->cohort_age = j.young ? (int64_t)((now - (double)first) * (double)KTIME_US_PER_DAY) : 0;
    pt.value = keval_kpi(ev, ki, w.value);
    pt.previous = compare ? keval_kpi(ev, ki, w.previous) : NAN;
    pt.last_year = compare ? keval_kpi(ev, ki, w.last_year) : NAN;
    pt.previous_partial = partly_covered(r, &w.previous, pt.previous);
    pt.last_year_partial = partly_covered(r, &w.last_year, pt.last_year);
    kproject proj = {p, w.elapsed, end};
    ev->project = w.open ? &proj : NULL;
    pt.projected = w.open ? keval_kpi(ev, ki, w.value) : NAN;
    ev->project = NULL;
    ev->cohort_age = 0;
    if (k->split_last_year) {
        double mine = keval_kpi(ev, ki, last_year_whole(r, p, g));
        if (nby)
            j.split = mine / keval_kpi(ev, ki, last_year_whole(r, p, -1));
        if (rows_restricted(r))
            j.company = mine / company_last_year(r, k, p);
    }
    return finish_point(r, k, ki, p, &w, nby ? group : NULL, additive, &j, &pt, res);
}

/* Orders breakdown tuples of `nby` values (qsort_r: no global state). */
static int cmp_tuple(const void *a, const void *b, void *data)
{
    const kstr *x = a, *y = b;
    for (size_t i = 0; i < *(const size_t *)data; i++) {
        size_t m = x[i].n < y[i].n ? x[i].n : y[i].n;
        int c = m ? memcmp(x[i].p, y[i].p, m) : 0;
        if (c || x[i].n != y[i].n)
            return c ? c : x[i].n < y[i].n ? -1 : 1;
    }
    return 0;
}

/* The groups of a manual KPI: the distinct breakdown values its entered values name, sorted;
 * each is nby kstr in *out (r's arena). */
static kpi_status manual_groups(qrun *r, size_t ki, size_t nby, kstr **out, size_t *n)
{
    const kcompiled *c = r->env->defs;
    size_t cap = c->nmanual[ki];
    kstr *g = karena_alloc(&r->arena, (cap * nby + 1) * sizeof *g);
    if (!g)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    size_t rows = 0;
    for (size_t i = 0; i < cap; i++) {
        const ktarget_def *v = &c->manual[ki][i];
        kstr *row = g + rows * nby;
        size_t found = 0;
        for (size_t b = 0; b < nby && v->ndims == nby; b++)
            for (size_t d = 0; d < v->ndims; d++)
                if (!strcmp(v->dim_names[d], r->q->by[b])) {
                    row[b] = kstr_c(v->dim_values[d]);
                    found++;
                }
        rows += found == nby;
    }
    qsort_r(g, rows, nby * sizeof *g, cmp_tuple, &nby);
    *n = 0;
    for (size_t i = 0; i < rows; i++) /* sorted: repeats are neighbours */
        if (!*n || cmp_tuple(g + (*n - 1) * nby, g + i * nby, &nby))
            memmove(g + (*n)++ * nby, g + i * nby, nby * sizeof *g);
    *out = g;
    return KPI_OK;
}

/* The points of a manual KPI: its entered values, per period and group of its own. */
static kpi_status manual_series(qrun *r, const kkpi *k, size_t ki, kpi_result *res)
{
    size_t nby = r->q->nby < 8 ? r->q->nby : 8, ng = 1;
    kstr *groups = NULL;
    kpi_status rc = nby ? manual_groups(r, ki, nby, &groups, &ng) : KPI_OK;
    for (size_t g = 0; rc == KPI_OK && g < ng; g++) {
        const kstr *group = nby ? groups + g * nby : NULL;
        const char *gvals[8];
        if (!group_strings(r, group, nby, gvals))
            rc = kerr_set(r->err, KPI_NOMEM, "out of memory");
        for (size_t i = 0; rc == KPI_OK && i < r->nperiods; i++) {
            kperiod p = r->periods[i];
            windows w = windows_of(r, p, -1);
            kpi_point pt = kpoint_empty();
            char name[64];
            kperiod_name(r->cal, p, name, sizeof name);
            pt.period = name;
            pt.group = nby ? gvals : NULL;
            const kcompiled *c = r->env->defs;
            pt.value = kmanual_value(c, ki, p, r->q->by, nby, group);
            pt.previous = kmanual_value(c, ki, kperiod_shift(r->cal, p, -1), r->q->by, nby, group);
            pt.last_year = kmanual_value(c, ki, kperiod_last_year(r->cal, p), r->q->by, nby, group);
            /* a level: an open period is judged as it stands */
            pt.projected = pt.value;
            judging j = {NAN, NAN, false};
            rc = finish_point(r, k, ki, p, &w, group, false, &j, &pt, res);
        }
    }
    return rc;
}

static kpi_status build(qrun *r, kpi_result **out)
{
    char from[16], to[16];
    int64_t first = r->periods[0].first, last = r->periods[r->nperiods - 1].end - 1;
    kdays_format(first > r->clip_from ? first : r->clip_from, from, sizeof from);
    kdays_format(last < r->clip_end - 1 ? last : r->clip_end - 1, to, sizeof to);
    kpi_result *res = kresult_create(from, to, kgrain_name(r->grain), r->q->by, r->q->nby);
    if (!res)
        return kerr_set(r->err, KPI_NOMEM, "out of memory");
    keval ev = evaluator(r, &r->data, NULL, NULL, NULL, NULL);
    size_t ng = r->q->nby ? r->data.ngroups : 1;
    long *order = malloc((ng ? ng : 1) * sizeof *order);
    kpi_status rc = order ? KPI_OK : kerr_set(r->err, KPI_NOMEM, "out of memory");
    for (size_t i = 0; order && i < ng; i++)
        order[i] = r->q->nby ? (long)i : -1;
    if (order && r->q->nby)
        qsort_r(order, ng, sizeof *order, cmp_group, &r->data);
    for (size_t i = 0; rc == KPI_OK && i < r->q->nkpis; i++) {
        size_t ki = (size_t)r->kpis[i];
        const kkpi *k = &r->cfg->kpis[ki];
        bool additive = keval_additive(r->cfg, r->env->defs->trees, r->env->defs->trees[ki], 0);
        if (!kresult_add_series(res, k->id, k->name, k->description, k->department,
                                unit_names[k->unit], k->decimals,
                                k->direction_up ? "up" : "down")) {
            rc = kerr_set(r->err, KPI_NOMEM, "out of memory");
            break;
        }
        if (k->manual) {
            rc = manual_series(r, k, ki, res);
            continue;
        }
        if (!r->explain && (rc = set_data_from(r, ki, res)) != KPI_OK)
            break;
        for (size_t g = 0; rc == KPI_OK && g < ng; g++)
            for (size_t p = 0; rc == KPI_OK && p < r->nperiods; p++)
                rc = point(r, &ev, k, ki, r->periods[p], order[g], additive,
                           !r->env->last_only || p + 1 == r->nperiods, res);
    }
    free(order);
    kconv_cache_free(ev.conv);
    if (rc != KPI_OK) {
        kpi_result_destroy(res);
        return rc;
    }
    *out = res;
    return KPI_OK;
}

static void release(qrun *r)
{
    kpi_result_destroy(r->company_ly);
    if (r->loaded && !r->explain)
        kdata_release(&r->data);
    karena_release(&r->arena);
    free(r->lo);
    free(r->hi);
    free(r->vlo);
    free(r->vhi);
    if (r->planned)
        kplan_release(&r->plan);
    free(r->kpis);
    free(r->periods);
}

static kpi_status prepare(qrun *r)
{
    karena_init(&r->arena, 0);
    r->clip_from = INT64_MIN;
    r->clip_end = INT64_MAX;
    kpi_status rc = resolve_kpis(r);
    if (rc == KPI_OK)
        rc = resolve_periods(r);
    if (rc == KPI_OK)
        rc = resolve_scope(r);
    return rc;
}

kpi_status kquery_run(const kquery_env *env, const kpi_query *q, kpi_result **out, kpi_error *err)
{
    *out = NULL;
    qrun r = {.env = env, .q = q, .cfg = env->defs->cfg, .cal = &env->defs->cal, .err = err};
    kpi_status rc = prepare(&r);
    if (rc == KPI_OK)
        rc = load(&r);
    if (rc == KPI_OK)
        rc = load_company_last_year(&r);
    if (rc == KPI_OK)
        rc = build(&r, out);
    release(&r);
    return rc;
}

kpi_status kquery_explain(const kquery_env *env, const kpi_query *q, kbuf *out, kpi_error *err)
{
    qrun r = {.env = env,
              .q = q,
              .cfg = env->defs->cfg,
              .cal = &env->defs->cal,
              .err = err,
              .explain = true};
    kpi_status rc = prepare(&r);
    if (rc == KPI_OK)
        rc = load(&r);
    kstore *st = env->store;
    for (size_t i = 0; rc == KPI_OK && i < q->nkpis; i++) {
        const kkpi *k = &r.cfg->kpis[r.kpis[i]];
        kbuf_printf(out, "kpi %s = %s\n", k->id, k->formula);
    }
    if (rc == KPI_OK)
        kbuf_printf(out, "\n%zu aggregate leaves -> %zu stream scan(s) and %zu value scan(s)\n",
                    r.plan.nleaves, r.plan.nscans, r.plan.nvscans);
    for (size_t i = 0; rc == KPI_OK && i < r.plan.nscans + r.plan.nvscans; i++) {
        bool values = i >= r.plan.nscans;
        size_t j = values ? i - r.plan.nscans : i;
        const kstream *s = values ? r.plan.vscans[j].stream : r.plan.scans[j].stream;
        /* the breakdown, and a snapshot stream's entity, as the scan runs (data.c) */
        size_t *fields = calloc(s->nfields + q->nby + 1, sizeof *fields);
        bool known = false;
        size_t nkey = fields ? kdata_scan_fields(s, q->by, q->nby, fields, &known) : 0;
        const kcond *filter =
            values ? (r.vfilter ? r.vfilter[j] : NULL) : (r.filter ? r.filter[j] : NULL);
        kscan_range range = {
            s, values ? r.vlo[j] : r.lo[j], values ? r.vhi[j] : r.hi[j], fields, nkey, filter};
        char a[16] = "-", b[16] = "-";
        if (range.day_lo < range.day_hi) {
            kdays_format(range.day_lo, a, sizeof a);
            kdays_format(range.day_hi - 1, b, sizeof b);
        }
        kbuf_printf(out, "\n%s scan of stream '%s', days %s..%s:\n  ",
                    values ? "value" : "aggregate", s->name, a, b);
        bool ok =
            values
                ? kstore_explain_values(st, &range, r.plan.vscans[j].expr, r.plan.vscans[j].where,
                                        r.plan.vscans[j].want_time, out)
                : kstore_explain_aggs(st, &range, r.plan.scans[j].aggs, r.plan.scans[j].naggs, out);
        free(fields);
        /* known is false only out of memory: load() checked the breakdown */
        if (!known || !ok || !kbuf_appendc(out, '\n'))
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
    }
    release(&r);
    return rc;
}
