/*
 * eval.c - the formula interpreter. Values are doubles; NaN is null: any null operand gives
 * null, division by zero gives null (never inf), count and sum of no rows are 0 (data.c).
 * Functions move the window (prev, ago, rolling, ytd/qtd/mtd) or the group (total) and then
 * evaluate their argument there.
 */
#include "engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

void kwin_days(const kwin *w, int64_t *first, int64_t *end)
{
    *first = w->whole.first + w->skip;
    *end = w->whole.end;
    if (w->len >= 0 && w->whole.first + w->len < *end)
        *end = w->whole.first + w->len;
    if (*first > *end)
        *first = *end;
}

static void widen(int64_t *lo, int64_t *hi, int64_t first, int64_t end)
{
    if (first < *lo)
        *lo = first;
    if (end > *hi)
        *hi = end;
}

/* Does an additive leaf's value to date sit on the open period's first day only, as rows
 * dated to their period do (a month's quota on the 1st)? On that first day itself, the previous
 * period tells: were its rows all on its first day too? */
static bool dated_to_period(keval *ev, const kleaf *l, double to_date, long g)
{
    kperiod p = ev->project->period;
    if (kdata_leaf(ev->data, l, p.first, p.first + 1, g) != to_date)
        return false;
    if (ev->today > p.first)
        return true;
    kperiod prev = kperiod_shift(ev->cal, p, -1);
    return kdata_leaf(ev->data, l, prev.first, prev.end, g) ==
           kdata_leaf(ev->data, l, prev.first, prev.first + 1, g);
}

/* A count or sum of events: what grows with time, and is projected. */
static bool accrues(const kexpr *e)
{
    return e->kind == KX_AGG && (e->agg == KAGG_SUM || e->agg == KAGG_COUNT) &&
           e->stream->kind == KSTREAM_EVENTS;
}

static double leaf(keval *ev, const kexpr *e, kwin w)
{
    const kleaf *l = kplan_leaf(ev->plan, e);
    if (!l)
        return NAN;
    int64_t first, end;
    kwin_days(&w, &first, &end);
    bool projected = ev->project && accrues(e) && end == ev->project->now &&
                     ev->project->period.first < end && ev->project->elapsed > 0;
    if (!ev->data) {
        if (l->values) {
            widen(&ev->vlo[l->scan], &ev->vhi[l->scan], first, end);
            widen(&ev->lo[l->count_scan], &ev->hi[l->count_scan], first, end);
        } else {
            widen(&ev->lo[l->scan], &ev->hi[l->scan], first, end);
        }
        if (projected) { /* dated_to_period may look at the whole previous period */
            kperiod prev = kperiod_shift(ev->cal, ev->project->period, -1);
            widen(&ev->lo[l->scan], &ev->hi[l->scan], prev.first, prev.end);
        }
        return NAN;
    }
    double keep = w.part > 0 && end - 1 != ev->today ? w.part : 1;
    double v = kdata_leaf_cut(ev->data, l, first, end, keep, w.group);
    if (!projected)
        return v;
    /* the open period's part of the window, carried on to the period's end */
    int64_t from = first > ev->project->period.first ? first : ev->project->period.first;
    double part = kdata_leaf(ev->data, l, from, end, w.group);
    if (dated_to_period(ev, l, part, w.group))
        return v;
    return v + part * (1 / ev->project->elapsed - 1);
}

/* The window n periods away, keeping a to-date cut like for like. */
static kwin shifted(keval *ev, kwin w, int n)
{
    kwin o = w;
    o.whole = kperiod_shift(ev->cal, w.whole, n);
    return o;
}

/* The window moved by ago()'s "3m" / "1y" / "2w" / "7d" / "1q". */
static kwin moved(keval *ev, kwin w, int n, char unit)
{
    kwin o = w;
    kperiod p = w.whole;
    if (unit == 'y' && n == 1) {
        o.whole = kperiod_last_year(ev->cal, p);
        return o;
    }
    int64_t days = 0;
    if (unit == 'd' || unit == 'w') {
        days = (int64_t)n * (unit == 'w' ? 7 : 1);
        o.whole.first = p.first - days;
        o.whole.end = p.end - days;
        return o;
    }
    int months = n * (unit == 'y' ? 12 : unit == 'q' ? 3 : 1);
    int64_t y;
    int m, d;
    kcivil_from_days(p.first, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) - months;
    int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
    int nm = (int)(total - ny * 12) + 1;
    int dim = kdays_in_month(ny, nm);
    int64_t first = kdays_from_civil(ny, nm, d < dim ? d : dim);
    if (p.grain == KGRAIN_ALL) {
        o.whole.first = first;
        o.whole.end = first + (p.end - p.first);
    } else {
        o.whole = kperiod_of(ev->cal, p.grain, first);
    }
    return o;
}

/* Whether ytd / qtd of a window of grain g follow the fiscal year: a calendar quarter or year
 * asks for the calendar; every other grain (day, week, month, all, and the fiscal ones) follows
 * the workspace's fiscal year, which is the calendar year when fiscal_year_start is 1. */
static const bool to_date_fiscal[] = {
    [KGRAIN_DAY] = true,
    [KGRAIN_WEEK] = true,
    [KGRAIN_MONTH] = true,
    [KGRAIN_QUARTER] = false,
    [KGRAIN_FISCAL_QUARTER] = true,
    [KGRAIN_YEAR] = false,
    [KGRAIN_FISCAL_YEAR] = true,
    [KGRAIN_ALL] = true,
};

/* ytd / qtd / mtd: from the start of the year (quarter, month) holding the window's last day
 * through that day; the year and quarter are fiscal as to_date_fiscal says. */
static kwin to_date(keval *ev, kwin w, kfunc fn)
{
    int64_t first, end;
    kwin_days(&w, &first, &end);
    bool fiscal = to_date_fiscal[w.whole.grain];
    int64_t last = end - 1;
    int64_t start = fn == KF_YTD   ? kyear_start(ev->cal, last, fiscal)
                    : fn == KF_QTD ? kquarter_start(ev->cal, last, fiscal)
                                   : kmonth_start(last);
    kwin o = w;
    o.whole = (kperiod){KGRAIN_ALL, start, end};
    o.len = -1;
    o.skip = 0;
    return o;
}

static double safe_div(double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0)
        return NAN;
    double r = a / b;
    return isfinite(r) ? r : NAN;
}

static double conversion(keval *ev, const kexpr *e, kwin w);

static double call(keval *ev, const kexpr *e, kwin w)
{
    double x, y;
    switch (e->fn) {
    case KF_PREV:
        return keval_expr(ev, e->args[0], shifted(ev, w, -1));
    case KF_AGO:
        return keval_expr(ev, e->args[0], moved(ev, w, e->shift_n, e->shift_unit));
    case KF_GROWTH:
        x = keval_expr(ev, e->args[0], w);
        y = keval_expr(ev, e->args[0], shifted(ev, w, -1));
        return safe_div(x - y, fabs(y));
    case KF_YTD:
    case KF_QTD:
    case KF_MTD:
        return keval_expr(ev, e->args[0], to_date(ev, w, e->fn));
    case KF_ROLLING: {
        kwin r = w;
        int64_t first, end;
        kwin_days(&w, &first, &end);
        r.whole =
            (kperiod){KGRAIN_ALL, kperiod_shift(ev->cal, w.whole, 1 - e->rolling_n).first, end};
        r.len = -1;
        r.skip = 0;
        return keval_expr(ev, e->args[0], r);
    }
    case KF_TOTAL: {
        kwin t = w;
        t.group = -1;
        return keval_expr(ev, e->args[0], t);
    }
    case KF_CONVERSION:
        return conversion(ev, e, w);
    case KF_COALESCE:
        /* every argument is evaluated (collect mode must see them all); the first non-null
         * wins */
        x = NAN;
        for (size_t i = 0; i < e->nargs; i++) {
            y = keval_expr(ev, e->args[i], w);
            if (isnan(x))
                x = y;
        }
        return x;
    case KF_IF: {
        double c = keval_expr(ev, e->args[0], w);
        x = keval_expr(ev, e->args[1], w);
        y = keval_expr(ev, e->args[2], w);
        return isnan(c) ? NAN : c != 0 ? x : y;
    }
    case KF_ABS:
        return fabs(keval_expr(ev, e->args[0], w));
    case KF_ROUND: {
        double m = pow(10, e->round_digits);
        return round(keval_expr(ev, e->args[0], w) * m) / m;
    }
    }
    return NAN;
}

static double compare(kcmp op, double a, double b)
{
    if (isnan(a) || isnan(b))
        return NAN;
    switch (op) {
    case KCMP_EQ:
        return a == b;
    case KCMP_NE:
        return a != b;
    case KCMP_LT:
        return a < b;
    case KCMP_LE:
        return a <= b;
    case KCMP_GT:
        return a > b;
    case KCMP_GE:
        return a >= b;
    }
    return NAN;
}

double keval_expr(keval *ev, const kexpr *e, kwin w)
{
    if (!e || ev->depth > MAX_DEPTH)
        return NAN;
    ev->depth++;
    double a, b, r = NAN;
    switch (e->kind) {
    case KX_NUM:
        r = e->num;
        break;
    case KX_KPI: {
        long k = kplan_kpi_index(ev->cfg, e->kpi);
        r = k < 0 ? NAN : keval_kpi(ev, (size_t)k, w);
        break;
    }
    case KX_AGG:
        r = leaf(ev, e, w);
        break;
    case KX_BIN:
        a = keval_expr(ev, e->a, w);
        b = keval_expr(ev, e->b, w);
        r = e->op == '+' ? a + b : e->op == '-' ? a - b : e->op == '*' ? a * b : safe_div(a, b);
        break;
    case KX_NEG:
        r = -keval_expr(ev, e->a, w);
        break;
    case KX_CALL:
        r = call(ev, e, w);
        break;
    case KX_CMP:
        a = keval_expr(ev, e->a, w);
        b = keval_expr(ev, e->b, w);
        r = compare(e->cmp, a, b);
        break;
    case KX_AND:
    case KX_OR:
        a = keval_expr(ev, e->a, w);
        b = keval_expr(ev, e->b, w);
        r = isnan(a) || isnan(b) ? NAN
            : e->kind == KX_AND  ? (a != 0 && b != 0)
                                 : (a != 0 || b != 0);
        break;
    case KX_NOT:
        a = keval_expr(ev, e->a, w);
        r = isnan(a) ? NAN : a == 0;
        break;
    }
    ev->depth--;
    return isfinite(r) ? r : NAN;
}

double keval_kpi(keval *ev, size_t k, kwin w)
{
    if (ev->trees[k])
        return keval_expr(ev, ev->trees[k], w);
    /* a manual KPI: the value entered for the period (and the group, in a breakdown) */
    if (!ev->defs || !ev->data)
        return NAN;
    kstr group[16];
    size_t nby = w.group >= 0 && ev->nby <= 16 ? ev->nby : 0;
    if (nby)
        kdata_group_values(ev->data, w.group, group);
    return kmanual_value(ev->defs, k, w.whole, ev->by, nby, nby ? group : NULL);
}

bool keval_additive(const kconfig *cfg, kexpr *const *trees, const kexpr *e, int depth)
{
    if (!e || depth > MAX_DEPTH)
        return false;
    switch (e->kind) {
    case KX_AGG:
        /* a snapshot is a level (stock, balances): it does not add up over time */
        return (e->agg == KAGG_SUM || e->agg == KAGG_COUNT) && e->stream->kind == KSTREAM_EVENTS;
    case KX_KPI: {
        long k = kplan_kpi_index(cfg, e->kpi);
        return k >= 0 && keval_additive(cfg, trees, trees[k], depth + 1);
    }
    case KX_NEG:
        return keval_additive(cfg, trees, e->a, depth + 1);
    case KX_BIN:
        if (e->op == '+' || e->op == '-')
            return keval_additive(cfg, trees, e->a, depth + 1) &&
                   keval_additive(cfg, trees, e->b, depth + 1);
        if (e->op == '*')
            return (e->a->kind == KX_NUM && keval_additive(cfg, trees, e->b, depth + 1)) ||
                   (e->b->kind == KX_NUM && keval_additive(cfg, trees, e->a, depth + 1));
        return e->op == '/' && e->b->kind == KX_NUM && keval_additive(cfg, trees, e->a, depth + 1);
    default:
        return false;
    }
}

int keval_cohort_days(const kconfig *cfg, kexpr *const *trees, const kexpr *e, int depth)
{
    if (!e || depth > MAX_DEPTH)
        return 0;
    int most = 0, x;
    switch (e->kind) {
    case KX_KPI: {
        long k = kplan_kpi_index(cfg, e->kpi);
        return k >= 0 ? keval_cohort_days(cfg, trees, trees[k], depth + 1) : 0;
    }
    case KX_CALL:
        if (e->fn == KF_CONVERSION)
            most = e->conv_within_days;
        for (size_t i = 0; i < e->nargs; i++)
            if ((x = keval_cohort_days(cfg, trees, e->args[i], depth + 1)) > most)
                most = x;
        return most;
    case KX_BIN:
    case KX_CMP:
    case KX_AND:
    case KX_OR:
        x = keval_cohort_days(cfg, trees, e->b, depth + 1);
        most = keval_cohort_days(cfg, trees, e->a, depth + 1);
        return x > most ? x : most;
    case KX_NEG:
    case KX_NOT:
        return keval_cohort_days(cfg, trees, e->a, depth + 1);
    default:
        return 0;
    }
}

/* ---- conversion(from, to, on: field, within: "90d") ---------------------------------------- */

typedef struct conv_rows {
    const kstr *want; /* the group's values (nby), or NULL for every row */
    size_t nby;
    kmap first_seen; /* on value -> index in times */
    int64_t *times;  /* earliest time (us) of each value in the window */
    kstr *keys;      /* each value (copied in text) */
    karena text;
    size_t n, cap;
    int64_t scale; /* to microseconds: 1 for time fields, a day for date fields */
    bool failed;
} conv_rows;

static kpi_status on_from(void *ctx, int64_t day, const kstr *group, const kscan_value *v,
                          int64_t t)
{
    (void)day;
    conv_rows *c = ctx;
    if (v->null || !v->text.p)
        return KPI_OK;
    for (size_t g = 0; c->want && g < c->nby; g++)
        if (!kstr_eq(group[g], c->want[g]))
            return KPI_OK;
    long id = kmap_get(&c->first_seen, v->text);
    if (id >= 0) {
        if (t * c->scale < c->times[id])
            c->times[id] = t * c->scale;
        return KPI_OK;
    }
    if (c->n == c->cap) {
        size_t cap = kgrow_cap(c->cap, c->n + 1);
        if (!KRESIZE(c->times, cap) || !KRESIZE(c->keys, cap)) {
            c->failed = true;
            return KPI_NOMEM;
        }
        c->cap = cap;
    }
    char *copy = karena_strndup(&c->text, v->text.p, v->text.n);
    if (!copy || kmap_put(&c->first_seen, v->text, (long)c->n) < 0) {
        c->failed = true;
        return KPI_NOMEM;
    }
    c->keys[c->n] = (kstr){copy, v->text.n};
    c->times[c->n++] = t * c->scale;
    return KPI_OK;
}

/*
 * The `to` rows a conversion can match, read once per query: the keys of every `from` row in the
 * whole range the query evaluates (the plan's range for the conversion's leaf), then the times
 * of the `to` rows with those keys, sorted. Each window then reads only its own `from` rows and
 * probes this, instead of reading months of `to` rows again for every period.
 */
struct kconv_cache {
    const kexpr *e;
    kmap keys;       /* on value -> index */
    int64_t **times; /* per key: the `to` rows' times (us), sorted */
    size_t *n, *cap;
    size_t nkeys, capkeys;
    int64_t scale; /* the `to` stream's times to microseconds */
    bool failed;
    struct kconv_cache *next;
};

static kpi_status on_from_key(void *ctx, int64_t day, const kstr *group, const kscan_value *v,
                              int64_t t)
{
    (void)day;
    (void)group;
    (void)t;
    kconv_cache *c = ctx;
    if (v->null || !v->text.p || kmap_get(&c->keys, v->text) >= 0)
        return KPI_OK;
    if (c->nkeys == c->capkeys) {
        size_t cap = kgrow_cap(c->capkeys, c->nkeys + 1);
        if (!KRESIZE(c->times, cap) || !KRESIZE(c->n, cap) || !KRESIZE(c->cap, cap)) {
            c->failed = true;
            return KPI_NOMEM;
        }
        c->capkeys = cap;
    }
    if (kmap_put(&c->keys, v->text, (long)c->nkeys) < 0) {
        c->failed = true;
        return KPI_NOMEM;
    }
    c->times[c->nkeys] = NULL;
    c->n[c->nkeys] = c->cap[c->nkeys] = 0;
    c->nkeys++;
    return KPI_OK;
}

static kpi_status on_to_time(void *ctx, int64_t day, const kstr *group, const kscan_value *v,
                             int64_t t)
{
    (void)day;
    (void)group;
    kconv_cache *c = ctx;
    long id = v->null || !v->text.p ? -1 : kmap_get(&c->keys, v->text);
    if (id < 0)
        return KPI_OK;
    size_t i = (size_t)id;
    if (!KGROW(c->times[i], c->cap[i], c->n[i] + 1)) {
        c->failed = true;
        return KPI_NOMEM;
    }
    c->times[i][c->n[i]++] = t * c->scale;
    return KPI_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void kconv_cache_free(kconv_cache *c)
{
    while (c) {
        kconv_cache *next = c->next;
        for (size_t i = 0; i < c->nkeys; i++)
            free(c->times[i]);
        free(c->times);
        free(c->n);
        free(c->cap);
        kmap_release(&c->keys);
        free(c);
        c = next;
    }
}

/* The cache of conversion e, built on first use from the plan's range of its leaf. */
static kconv_cache *conv_cache(keval *ev, const kexpr *e, const kleaf *l)
{
    for (kconv_cache *c = ev->conv; c; c = c->next)
        if (c->e == e)
            return c->failed ? NULL : c;
    kconv_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->e = e;
    kmap_init(&c->keys);
    c->next = ev->conv;
    ev->conv = c;
    const kstream *fs = e->conv_from, *ts = e->conv_to;
    int64_t lo = ev->range_lo[l->scan], hi = ev->range_hi[l->scan];
    krow from_key = {
        .kind = KROW_FIELD, .field = &fs->fields[e->conv_on_from], .field_index = e->conv_on_from};
    krow to_key = {
        .kind = KROW_FIELD, .field = &ts->fields[e->conv_on_to], .field_index = e->conv_on_to};
    c->scale = ts->fields[ts->time_index].type == KPI_FIELD_DATE ? KTIME_US_PER_DAY : 1;
    kscan_range fr = {fs, lo, hi, NULL, 0, ev->filter ? ev->filter[l->scan] : NULL};
    kscan_range tr = {ts, lo, hi + e->conv_within_days + 1, NULL, 0, NULL};
    kpi_error err;
    if (lo >= hi ||
        kstore_scan_values(ev->store, &fr, &from_key, NULL, false, on_from_key, c, &err) !=
            KPI_OK ||
        (c->nkeys &&
         kstore_scan_values(ev->store, &tr, &to_key, NULL, true, on_to_time, c, &err) != KPI_OK))
        c->failed = true;
    for (size_t i = 0; !c->failed && i < c->nkeys; i++)
        if (c->n[i] > 1)
            qsort(c->times[i], c->n[i], sizeof *c->times[i], cmp_i64);
    return c->failed ? NULL : c;
}

/* Has key a time in [start, start + within] and before cutoff? (times sorted) */
static bool converted_in(const kconv_cache *c, kstr key, int64_t start, int64_t within,
                         int64_t cutoff)
{
    long id = kmap_get(&c->keys, key);
    if (id < 0)
        return false;
    const int64_t *t = c->times[id];
    size_t lo = 0, hi = c->n[id];
    while (lo < hi) { /* the first time >= start */
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n[id] && t[lo] <= start + within && t[lo] < cutoff;
}

static double conversion(keval *ev, const kexpr *e, kwin w)
{
    int64_t first, end;
    kwin_days(&w, &first, &end);
    if (!ev->data) {
        /* collect: the `from` stream's scan covers the window (plan.c) */
        leaf(ev, e, w);
        return NAN;
    }
    const kleaf *l = kplan_leaf(ev->plan, e);
    kconv_cache *cache = l && ev->range_lo ? conv_cache(ev, e, l) : NULL;
    if (!cache)
        return NAN;
    const kstream *fs = e->conv_from;
    krow on_from_row = {
        .kind = KROW_FIELD, .field = &fs->fields[e->conv_on_from], .field_index = e->conv_on_from};
    conv_rows from = {0};
    kmap_init(&from.first_seen);
    karena_init(&from.text, 0);
    from.scale = fs->fields[fs->time_index].type == KPI_FIELD_DATE ? KTIME_US_PER_DAY : 1;
    kpi_error err;
    double r = NAN;
    /* --where picks the cohort: the `from` rows (bound for the scan the plan gave them) */
    kscan_range fr = {fs, first, end, NULL, 0, ev->filter ? ev->filter[l->scan] : NULL};
    size_t fields[8];
    kstr want[8];
    if (w.group >= 0 && ev->nby && ev->nby <= 8) {
        /* a group's rate: only its own `from` rows count */
        for (size_t g = 0; g < ev->nby; g++) {
            const kfield *f = kstream_field(fs, kstr_c(ev->by[g]));
            if (!f)
                goto out;
            fields[g] = (size_t)(f - fs->fields);
        }
        kdata_group_values(ev->data, w.group, want);
        fr.group = fields;
        fr.ngroup = ev->nby;
        from.want = want;
        from.nby = ev->nby;
    }
    if (kstore_scan_values(ev->store, &fr, &on_from_row, NULL, true, on_from, &from, &err) !=
            KPI_OK ||
        from.failed || from.n == 0)
        goto out;
    size_t hits = 0;
    int64_t within = (int64_t)e->conv_within_days * KTIME_US_PER_DAY;
    /* a young cohort is compared at the same age: conversions up to as long after the start
     * of each window as the current cohort has had */
    int64_t cutoff = ev->cohort_age > 0 ? first * KTIME_US_PER_DAY + ev->cohort_age : INT64_MAX;
    for (size_t i = 0; i < from.n; i++)
        hits += converted_in(cache, from.keys[i], from.times[i], within, cutoff);
    r = (double)hits / (double)from.n;
out:
    kmap_release(&from.first_seen);
    karena_release(&from.text);
    free(from.times);
    free(from.keys);
    return r;
}
