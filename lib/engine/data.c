/*
 * data.c - loading scan results per breakdown group and folding them into windows of days.
 * Scans return rows in day order, so each group's rows are day-ordered and a window is found by
 * binary search. Sums of exact integers are added as integers, so money stays exact.
 */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SEP '\x1f'

typedef struct loader {
    kdata *d;
    kscan_data *sd;
    kbuf key;
    karena *text; /* value scans of text fields keep their text here (NULL: numbers) */
    size_t nkey;  /* the scan's group columns: the breakdown, then a snapshot's entity */
    kpi_error *err;
} loader;

/* Joins n values into L->key (separated by KEY_SEP); false when out of memory. */
static bool join_key(loader *L, const kstr *vals, size_t n, kstr *out)
{
    kbuf_reset(&L->key);
    for (size_t g = 0; g < n; g++) {
        if (g && !kbuf_appendc(&L->key, KEY_SEP))
            return false;
        if (!kbuf_append(&L->key, vals[g].p, vals[g].n))
            return false;
    }
    *out = (kstr){L->key.p ? L->key.p : "", L->key.n};
    return true;
}

/* The entity of a snapshot row (from all its group columns) in the scan being loaded, or -1
 * when out of memory. */
static long entity_id(loader *L, const kstr *group)
{
    kscan_data *sd = L->sd;
    kstr k;
    if (!join_key(L, group, L->nkey, &k))
        return -1;
    long id = kmap_put(&sd->ents, k, (long)sd->nents);
    if (id == (long)sd->nents)
        sd->nents++;
    return id;
}

static long group_id(loader *L, const kstr *group)
{
    kdata *d = L->d;
    kstr k;
    if (!join_key(L, group, d->nby, &k))
        return -1;
    long id = kmap_get(&d->groups, k);
    if (id >= 0)
        return id;
    if (!KGROW(d->group_keys, d->cap_groups, d->ngroups + 1))
        return -1;
    char *copy = karena_strndup(&d->text, k.p, k.n);
    if (!copy || kmap_put(&d->groups, k, (long)d->ngroups) < 0)
        return -1;
    d->group_keys[d->ngroups] = copy;
    return (long)d->ngroups++;
}

/* The rows of group id in the scan being loaded (grown to cover new groups). */
static kgroup_rows *rows_of(loader *L, long id)
{
    kscan_data *sd = L->sd;
    if ((size_t)id >= sd->ngroups) {
        size_t n = (size_t)id + 1;
        if (!KRESIZE(sd->groups, n))
            return NULL;
        memset(sd->groups + sd->ngroups, 0, (n - sd->ngroups) * sizeof *sd->groups);
        sd->ngroups = n;
    }
    return &sd->groups[id];
}

/* Appends a row: its day, width values, its time (with_time) and entity (ent >= 0). */
static bool append_row(kgroup_rows *r, size_t width, int64_t day, const kscan_value *v,
                       bool with_time, int64_t t, long ent)
{
    if (r->n == r->cap) {
        size_t cap = kgrow_cap(r->cap, r->n + 1);
        if (!KRESIZE(r->days, cap) || !kresize(&r->vals, cap, width * sizeof *r->vals) ||
            (with_time && !KRESIZE(r->times, cap)) || (ent >= 0 && !KRESIZE(r->ents, cap)))
            return false;
        r->cap = cap;
    }
    r->days[r->n] = day;
    memcpy(r->vals + r->n * width, v, width * sizeof *v);
    if (with_time)
        r->times[r->n] = t;
    if (ent >= 0)
        r->ents[r->n] = (uint32_t)ent;
    r->n++;
    return true;
}

/* The group rows and entity (-1: not a snapshot scan) of a scanned row; NULL when out of
 * memory. */
static kgroup_rows *place_row(loader *L, const kstr *group, long *ent)
{
    long id = group_id(L, group);
    *ent = L->sd->snapshot && id >= 0 ? entity_id(L, group) : -1;
    if (id < 0 || (L->sd->snapshot && (*ent < 0 || *ent > (long)UINT32_MAX)))
        return NULL;
    return rows_of(L, id);
}

static kpi_status on_aggs(void *ctx, int64_t day, const kstr *group, const kscan_value *vals)
{
    loader *L = ctx;
    long ent;
    kgroup_rows *r = place_row(L, group, &ent);
    if (!r || !append_row(r, L->sd->naggs, day, vals, false, 0, ent))
        return kerr_set(L->err, KPI_NOMEM, "out of memory loading scan results");
    return KPI_OK;
}

static kpi_status on_value(void *ctx, int64_t day, const kstr *group, const kscan_value *val,
                           int64_t time)
{
    loader *L = ctx;
    long ent;
    kgroup_rows *r = place_row(L, group, &ent);
    kscan_value v = *val;
    if (L->text && !v.null) {
        v.text.p = karena_strndup(L->text, v.text.p ? v.text.p : "", v.text.n);
        if (!v.text.p)
            r = NULL;
    }
    if (!r || !append_row(r, 1, day, &v, true, time, ent))
        return kerr_set(L->err, KPI_NOMEM, "out of memory loading scan results");
    return KPI_OK;
}

size_t kdata_scan_fields(const kstream *s, const char *const *by, size_t nby, size_t *out, bool *ok)
{
    *ok = true;
    for (size_t g = 0; g < nby; g++) {
        const kfield *f = kstream_field(s, kstr_c(by[g]));
        if (!f)
            return *ok = false, 0;
        out[g] = (size_t)(f - s->fields);
    }
    size_t n = nby;
    for (size_t f = 0; s->kind == KSTREAM_SNAPSHOTS && f < s->nfields; f++) {
        bool in_key = s->fields[f].type != KPI_FIELD_TEXT || (s->id_field && f == s->id_index);
        for (size_t g = 0; g < nby; g++)
            in_key |= out[g] == f;
        if (!in_key)
            out[n++] = f;
    }
    return n;
}

/* A scan's data, ready to load: entities kept for snapshot streams. */
static void scan_data_init(kscan_data *sd, const kstream *s, size_t naggs)
{
    memset(sd, 0, sizeof *sd);
    sd->naggs = naggs;
    sd->snapshot = s->kind == KSTREAM_SNAPSHOTS;
    kmap_init(&sd->ents);
}

kpi_status kdata_load(kdata *d, const kplan *p, kstore *st, const kdata_request *req,
                      kpi_error *err)
{
    memset(d, 0, sizeof *d);
    d->plan = p;
    d->nby = req->nby;
    kmap_init(&d->groups);
    karena_init(&d->text, 0);
    d->scans = calloc(p->nscans ? p->nscans : 1, sizeof *d->scans);
    d->store = st;
    d->by = req->by;
    d->vfilter = req->vfilter;
    kmap_init(&d->window_ids);
    loader L = {.d = d, .err = err};
    kbuf_init(&L.key, 0);
    kpi_status rc = KPI_OK;
    size_t *fields = NULL;
    if (!d->scans) {
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; rc == KPI_OK && i < p->nscans; i++) {
        const kscan_plan *sp = &p->scans[i];
        scan_data_init(&d->scans[i], sp->stream, sp->naggs);
        bool ok;
        free(fields);
        if (!(fields = calloc(sp->stream->nfields + req->nby + 1, sizeof *fields))) {
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
            break;
        }
        L.nkey = kdata_scan_fields(sp->stream, req->by, req->nby, fields, &ok);
        if (!ok) {
            rc = kerr_set(err, KPI_USAGE, "stream '%s' cannot be broken down as asked",
                          sp->stream->name);
            break;
        }
        kscan_range range = {sp->stream, req->day_lo[i], req->day_hi[i],
                             fields,     L.nkey,         req->filter ? req->filter[i] : NULL};
        L.sd = &d->scans[i];
        if (range.day_lo < range.day_hi)
            rc = kstore_scan_aggs(st, &range, sp->aggs, sp->naggs, on_aggs, &L, err);
    }
out:
    kbuf_release(&L.key);
    free(fields);
    return rc;
}

static void release_scan(kscan_data *s)
{
    for (size_t g = 0; g < s->ngroups; g++) {
        free(s->groups[g].days);
        free(s->groups[g].vals);
        free(s->groups[g].times);
        free(s->groups[g].ents);
    }
    free(s->groups);
    kmap_release(&s->ents);
}

void kdata_release(kdata *d)
{
    if (!d->plan)
        return;
    for (size_t i = 0; d->scans && i < d->plan->nscans; i++)
        release_scan(&d->scans[i]);
    free(d->scans);
    for (size_t w = 0; w < d->nwindows; w++)
        free(d->windows[w]);
    free(d->windows);
    free(d->window_groups);
    kmap_release(&d->window_ids);
    free(d->group_keys);
    kmap_release(&d->groups);
    karena_release(&d->text);
    memset(d, 0, sizeof *d);
}

/* First row with day >= x. */
static size_t lower(const kgroup_rows *r, int64_t x)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->days[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Folds of the decomposable parts over a window. */
typedef struct fold {
    int64_t count;
    kwide isum; /* exact part of the sum, at scale `scale` */
    int scale;
    double dsum; /* floating part */
    bool any_sum;
    double min, max;
    bool any_minmax;
} fold;

static void add_sum(fold *f, const kscan_value *v)
{
    if (v->null)
        return;
    f->any_sum = true;
    if (!v->is_int) {
        f->dsum += v->d;
        return;
    }
    /* align scales: the larger one wins. A value that would take the sum past 128 bits (not
     * reachable short of 2^64 rows) is added in floating point, which still represents it. */
    kwide x = kscan_exact(v), sum = f->isum;
    int scale = f->scale > v->scale ? f->scale : v->scale;
    bool over = false;
    for (int s = f->scale; s < scale; s++)
        over |= __builtin_mul_overflow(sum, 10, &sum);
    for (int s = v->scale; s < scale; s++)
        over |= __builtin_mul_overflow(x, 10, &x);
    if (over || __builtin_add_overflow(sum, x, &sum)) {
        f->dsum += (double)kscan_exact(v) / pow(10, v->scale);
        return;
    }
    f->isum = sum;
    f->scale = scale;
}

/*
 * Each entity's snapshot in a window (see kscan_data): the last (earliest: the first) day of
 * its rows in groups [g0, g1) and days [first, end) — its time, when the rows carry times.
 * Returns an array indexed by entity (INT64_MIN: no row), to free; NULL when out of memory.
 */
static int64_t *entity_marks(const kscan_data *sd, size_t g0, size_t g1, int64_t first, int64_t end,
                             bool earliest)
{
    int64_t *mark = malloc((sd->nents ? sd->nents : 1) * sizeof *mark);
    if (!mark)
        return NULL;
    for (size_t e = 0; e < sd->nents; e++)
        mark[e] = INT64_MIN;
    for (size_t k = g0; k < g1 && k < sd->ngroups; k++) {
        const kgroup_rows *r = &sd->groups[k];
        for (size_t i = lower(r, first); i < r->n && r->days[i] < end; i++) {
            int64_t at = sd->timed ? r->times[i] : r->days[i], *m = &mark[r->ents[i]];
            if (*m == INT64_MIN || (earliest ? at < *m : at > *m))
                *m = at;
        }
    }
    return mark;
}

/* Whether row i of r belongs to its entity's snapshot (mark NULL: every row does). */
static bool in_snapshot(const kscan_data *sd, const kgroup_rows *r, size_t i, const int64_t *mark)
{
    return !mark || (sd->timed ? r->times[i] : r->days[i]) == mark[r->ents[i]];
}

/* The groups [g0, g1) that g names (-1: all of sd's). */
static void group_span(const kscan_data *sd, long g, size_t *g0, size_t *g1)
{
    *g0 = g < 0 ? 0 : (size_t)g;
    *g1 = g < 0 ? sd->ngroups : (size_t)g + 1;
}

/*
 * Calls fn for each row of group g (-1: all) in days [first, end) — of a snapshot stream, only
 * each entity's first (earliest) or last snapshot. False when out of memory or fn fails.
 */
static bool each_row(const kscan_data *sd, long g, int64_t first, int64_t end, bool earliest,
                     bool (*fn)(void *ctx, const kgroup_rows *r, size_t i), void *ctx)
{
    size_t g0, g1;
    group_span(sd, g, &g0, &g1);
    int64_t *mark = NULL;
    if (sd->snapshot && !(mark = entity_marks(sd, g0, g1, first, end, earliest)))
        return false;
    bool ok = true;
    for (size_t k = g0; ok && k < g1 && k < sd->ngroups; k++) {
        const kgroup_rows *r = &sd->groups[k];
        for (size_t i = lower(r, first); ok && i < r->n && r->days[i] < end; i++)
            if (in_snapshot(sd, r, i, mark))
                ok = fn(ctx, r, i);
    }
    free(mark);
    return ok;
}

typedef struct folding {
    const kscan_data *sd;
    const kleaf *l;
    fold *f;
} folding;

static bool fold_row(void *ctx, const kgroup_rows *r, size_t i)
{
    folding *x = ctx;
    const kleaf *l = x->l;
    fold *f = x->f;
    const kscan_value *v = r->vals + i * x->sd->naggs;
    if (l->col_count >= 0 && !v[l->col_count].null)
        f->count += v[l->col_count].i;
    if (l->col_sum >= 0)
        add_sum(f, &v[l->col_sum]);
    int c = l->col_min >= 0 ? l->col_min : l->col_max;
    if (c >= 0 && !v[c].null) {
        double y = v[c].d;
        if (!f->any_minmax || y < f->min)
            f->min = y;
        if (!f->any_minmax || y > f->max)
            f->max = y;
        f->any_minmax = true;
    }
    return true;
}

/* Folds the rows of group g (-1: all) in [first, end) — of a snapshot stream, each entity's
 * last snapshot day only (DESIGN §1: a level is never summed over time). False when out of
 * memory. */
static bool fold_window(const kscan_data *sd, const kleaf *l, long g, int64_t first, int64_t end,
                        fold *f)
{
    folding x = {sd, l, f};
    return each_row(sd, g, first, end, false, fold_row, &x);
}

/* One division, so the result is the double nearest the exact decimal (550.07, not
 * 550.0699999999999 as repeated divisions by 10 would give). */
static double sum_of(const fold *f)
{
    return (double)f->isum / pow(10, f->scale) + f->dsum;
}

/* Collects the value rows of a window (all groups when g < 0). */
typedef struct picked {
    const kscan_value **v;
    int64_t *times;
    size_t n, cap;
} picked;

static bool pick_row(void *ctx, const kgroup_rows *r, size_t i)
{
    picked *out = ctx;
    if (out->n == out->cap) {
        size_t cap = kgrow_cap(out->cap, out->n + 1);
        if (!KRESIZE(out->v, cap) || !KRESIZE(out->times, cap))
            return false;
        out->cap = cap;
    }
    out->v[out->n] = &r->vals[i];
    out->times[out->n] = r->times ? r->times[i] : 0;
    out->n++;
    return true;
}

/* Of a snapshot stream, only each entity's first (earliest) or last snapshot is picked. */
static bool pick(const kscan_data *sd, long g, int64_t first, int64_t end, bool earliest,
                 picked *out)
{
    return each_row(sd, g, first, end, earliest, pick_row, out);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Moves the k-th smallest of xs[0..n) to xs[k], smaller ones before it, larger after
 * (quickselect, median-of-three pivots): linear on average where a sort is n log n. */
static void select_kth(double *xs, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xs[mid] < xs[lo]) {
            double t = xs[mid];
            xs[mid] = xs[lo];
            xs[lo] = t;
        }
        if (xs[hi] < xs[lo]) {
            double t = xs[hi];
            xs[hi] = xs[lo];
            xs[lo] = t;
        }
        if (xs[hi] < xs[mid]) {
            double t = xs[hi];
            xs[hi] = xs[mid];
            xs[mid] = t;
        }
        double pivot = xs[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (xs[i] < pivot)
                i++;
            while (xs[j] > pivot)
                j--;
            if (i <= j) {
                double t = xs[i];
                xs[i] = xs[j];
                xs[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* Percentile by linear interpolation between closest ranks (the common "R-7" definition,
 * which gives the usual median for p = 50). */
static double percentile(double *xs, size_t n, double p)
{
    double rank = p / 100 * (double)(n - 1);
    size_t lo = (size_t)rank;
    double frac = rank - (double)lo;
    select_kth(xs, n, lo);
    if (lo + 1 >= n || frac == 0)
        return xs[lo];
    double next = xs[lo + 1]; /* the smallest of the values above rank lo */
    for (size_t i = lo + 2; i < n; i++)
        if (xs[i] < next)
            next = xs[i];
    return xs[lo] + (next - xs[lo]) * frac;
}

/* The aggregate of a value leaf over the rows of group g (-1: all) in sd. */
static double value_leaf(const kscan_data *sd, const kleaf *l, int64_t first, int64_t end, long g)
{
    picked pk = {0};
    double out = NAN;
    if (!pick(sd, g, first, end, l->node->agg == KAGG_FIRST, &pk))
        goto done;
    if (pk.n == 0) {
        /* a count of no rows is 0; every other aggregate of no rows is null */
        if (l->node->agg == KAGG_COUNT_DISTINCT)
            out = 0;
        goto done;
    }
    switch (l->node->agg) {
    case KAGG_COUNT_DISTINCT: {
        bool text = pk.v[0]->text.p != NULL || pk.v[0]->text.n;
        if (text) {
            /* a hash set: linear in the rows, where sorting them was n log n */
            kmap seen;
            kmap_init(&seen);
            bool ok = true;
            for (size_t i = 0; ok && i < pk.n; i++)
                ok = kmap_put(&seen, pk.v[i]->text, 0) >= 0;
            if (ok)
                out = (double)seen.count;
            kmap_release(&seen);
            break;
        }
    } /* numbers: count the distinct values below */
    /* FALLTHROUGH */
    case KAGG_MEDIAN:
    case KAGG_PERCENTILE: {
        double *xs = malloc(pk.n * sizeof *xs);
        if (!xs)
            goto done;
        for (size_t i = 0; i < pk.n; i++)
            xs[i] = pk.v[i]->d;
        if (l->node->agg == KAGG_COUNT_DISTINCT) {
            qsort(xs, pk.n, sizeof *xs, cmp_double);
            size_t distinct = 1;
            for (size_t i = 1; i < pk.n; i++)
                distinct += xs[i] != xs[i - 1];
            out = (double)distinct;
        } else {
            out = percentile(xs, pk.n, l->node->agg == KAGG_MEDIAN ? 50 : l->node->pct);
        }
        free(xs);
        break;
    }
    case KAGG_FIRST:
    case KAGG_LAST: {
        /* the rows at the first (last) time of the window, added up; of a snapshot stream,
         * pick() kept each entity's first (last) snapshot: one row for a single balance, one
         * per store and product when a snapshot lists stock, each at its own time */
        bool last = l->node->agg == KAGG_LAST;
        int64_t best = pk.times[0];
        for (size_t i = 1; i < pk.n; i++)
            if (last ? pk.times[i] > best : pk.times[i] < best)
                best = pk.times[i];
        fold f = {0};
        for (size_t i = 0; i < pk.n; i++)
            if (sd->snapshot || pk.times[i] == best)
                add_sum(&f, pk.v[i]);
        out = sum_of(&f);
        break;
    }
    default:
        break;
    }
done:
    free(pk.v);
    free(pk.times);
    return out;
}

/* The distinct counts of one window, as the store gives them: the total, then per group. */
typedef struct distinct_counts {
    loader *L;
    int64_t total;
    long *ids;
    int64_t *counts;
    size_t n, cap;
} distinct_counts;

static kpi_status on_count(void *ctx, const kstr *group, int64_t count)
{
    distinct_counts *c = ctx;
    if (!group) {
        c->total = count;
        return KPI_OK;
    }
    long id = group_id(c->L, group);
    if (id < 0)
        return kerr_set(c->L->err, KPI_NOMEM, "out of memory");
    if (c->n == c->cap) {
        size_t cap = kgrow_cap(c->cap, c->n + 1);
        if (!KRESIZE(c->ids, cap) || !KRESIZE(c->counts, cap))
            return kerr_set(c->L->err, KPI_NOMEM, "out of memory");
        c->cap = cap;
    }
    c->ids[c->n] = id;
    c->counts[c->n++] = count;
    return KPI_OK;
}

/* count_distinct over an event stream, counted by the store itself (no rows come back): the
 * results for all groups and each one, or NULL. Snapshot streams read their last snapshot day
 * instead, through the rows (value_window). */
static double *distinct_window(kdata *d, const kvalue_plan *vp, const kscan_range *range)
{
    kpi_error err;
    loader L = {.d = d, .err = &err};
    kbuf_init(&L.key, 0);
    distinct_counts c = {.L = &L};
    kpi_status rc =
        range->day_lo < range->day_hi
            ? kstore_count_distinct(d->store, range, vp->expr, vp->where, on_count, &c, &err)
            : KPI_OK;
    kbuf_release(&L.key);
    double *res = rc == KPI_OK ? calloc(d->ngroups + 1, sizeof *res) : NULL;
    if (res) {
        res[0] = (double)c.total;
        for (size_t i = 0; i < c.n; i++)
            res[1 + c.ids[i]] = (double)c.counts[i];
    }
    free(c.ids);
    free(c.counts);
    return res;
}

/* Reads the rows of a value leaf for days [first, end), per group, computes the leaf for all
 * groups and each one, and keeps the results: the rows themselves are freed at once, so memory
 * is bounded by one window's rows, not the whole range. Returns the results, or NULL. */
static const double *value_window(kdata *d, const kleaf *l, int64_t first, int64_t end,
                                  size_t *ngroups)
{
    int64_t key[3] = {(int64_t)(l - d->plan->leaves), first, end};
    kstr k = {(const char *)key, sizeof key};
    long id = kmap_get(&d->window_ids, k);
    if (id >= 0) {
        *ngroups = d->window_groups[id];
        return d->windows[id];
    }
    const kvalue_plan *vp = &d->plan->vscans[l->scan];
    size_t *fields = calloc(vp->stream->nfields + d->nby + 1, sizeof *fields);
    kscan_data rows;
    scan_data_init(&rows, vp->stream, 1);
    rows.timed = vp->want_time;
    kpi_error err;
    loader L = {.d = d, .sd = &rows, .err = &err};
    bool ok = false;
    if (fields)
        L.nkey = kdata_scan_fields(vp->stream, d->by, d->nby, fields, &ok);
    kscan_range range = {vp->stream, first,  end,
                         fields,     L.nkey, d->vfilter ? d->vfilter[l->scan] : NULL};
    kbuf_init(&L.key, 0);
    karena text; /* this window's text values, freed with its rows */
    karena_init(&text, 0);
    double *res = NULL;
    kpi_status rc = ok ? KPI_OK : KPI_NOMEM;
    if (rc != KPI_OK) {
        /* out of memory, or a breakdown field missing (checked when planning) */
    } else if (l->node->agg == KAGG_COUNT_DISTINCT && vp->stream->kind == KSTREAM_EVENTS) {
        if (!(res = distinct_window(d, vp, &range)))
            rc = KPI_NOMEM;
    } else {
        if (vp->expr->kind == KROW_FIELD &&
            vp->stream->fields[vp->expr->field_index].type == KPI_FIELD_TEXT)
            L.text = &text;
        rc = first < end ? kstore_scan_values(d->store, &range, vp->expr, vp->where, vp->want_time,
                                              on_value, &L, &err)
                         : KPI_OK;
    }
    kbuf_release(&L.key);
    if (rc == KPI_OK && d->nwindows == d->cap_windows) {
        size_t cap = kgrow_cap(d->cap_windows, d->nwindows + 1);
        if (KRESIZE(d->windows, cap) && KRESIZE(d->window_groups, cap))
            d->cap_windows = cap;
    }
    if (rc == KPI_OK && d->nwindows < d->cap_windows && !res) {
        if ((res = malloc((d->ngroups + 1) * sizeof *res))) {
            res[0] = value_leaf(&rows, l, first, end, -1);
            for (size_t g = 0; g < d->ngroups; g++)
                res[1 + g] = value_leaf(&rows, l, first, end, (long)g);
        }
    } else if (res && d->nwindows >= d->cap_windows) {
        free(res);
        res = NULL;
    }
    if (res) {
        if (kmap_put(&d->window_ids, k, (long)d->nwindows) < 0) {
            free(res);
            res = NULL;
        } else {
            d->windows[d->nwindows] = res;
            d->window_groups[d->nwindows++] = d->ngroups;
            *ngroups = d->ngroups;
        }
    }
    release_scan(&rows);
    karena_release(&text);
    free(fields);
    return res;
}

/* Narrows [first, end) to the days holding the entities' first (earliest) or last snapshots,
 * as the stream's aggregate scan places them, so that a value scan reads those days only (one
 * day when every series is exported together). */
static void snapshot_days(const kscan_data *sd, bool earliest, int64_t *first, int64_t *end)
{
    int64_t *mark = entity_marks(sd, 0, sd->ngroups, *first, *end, earliest);
    if (!mark)
        return; /* out of memory: the whole window, which gives the same values */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t e = 0; e < sd->nents; e++) {
        if (mark[e] == INT64_MIN)
            continue;
        lo = mark[e] < lo ? mark[e] : lo;
        hi = mark[e] > hi ? mark[e] : hi;
    }
    free(mark);
    if (lo <= hi) {
        *first = lo;
        *end = hi + 1;
    }
}

double kdata_leaf(kdata *d, const kleaf *l, int64_t first, int64_t end, long g)
{
    const kscan_data *counts = l->values ? &d->scans[l->count_scan] : NULL;
    if (counts && counts->snapshot)
        snapshot_days(counts, l->node->agg == KAGG_FIRST, &first, &end);
    if (l->values) {
        size_t known = 0;
        const double *res = value_window(d, l, first, end, &known);
        if (!res)
            return NAN;
        if (g < 0)
            return res[0];
        if ((size_t)g < known)
            return res[1 + g];
        return l->node->agg == KAGG_COUNT_DISTINCT ? 0 : NAN;
    }
    fold f = {0};
    if (!fold_window(&d->scans[l->scan], l, g, first, end, &f))
        return NAN;
    switch (l->node->agg) {
    case KAGG_COUNT:
        return (double)f.count;
    case KAGG_SUM:
        return sum_of(&f);
    case KAGG_AVG:
        return f.count ? sum_of(&f) / (double)f.count : NAN;
    case KAGG_MIN:
        return f.any_minmax ? f.min : NAN;
    case KAGG_MAX:
        return f.any_minmax ? f.max : NAN;
    default:
        return NAN;
    }
}

void kdata_group_values(const kdata *d, long g, kstr *out)
{
    const char *k = g >= 0 && (size_t)g < d->ngroups ? d->group_keys[g] : "";
    for (size_t i = 0; i < d->nby; i++) {
        const char *sep = strchr(k, KEY_SEP);
        size_t n = sep ? (size_t)(sep - k) : strlen(k);
        out[i] = (kstr){k, n};
        k = sep ? sep + 1 : k + n;
    }
}

/* The leaf over [first, end) with only a share `keep` (0..1) of the last day's rows: for
 * counts, sums and averages of events, that day's parts count in proportion (a like-for-like
 * cut at the hour of today, as rows are kept by day); any other leaf takes the whole day. */
double kdata_leaf_cut(kdata *d, const kleaf *l, int64_t first, int64_t end, double keep, long g)
{
    kagg_fn agg = l->node->agg;
    bool cut = keep < 1 && end > first && !l->values && l->node->stream->kind == KSTREAM_EVENTS &&
               (agg == KAGG_COUNT || agg == KAGG_SUM || agg == KAGG_AVG);
    if (!cut)
        return kdata_leaf(d, l, first, end, g);
    if (agg != KAGG_AVG)
        return kdata_leaf(d, l, first, end - 1, g) + keep * kdata_leaf(d, l, end - 1, end, g);
    const kscan_data *sd = &d->scans[l->scan];
    fold whole = {0}, last = {0};
    if (!fold_window(sd, l, g, first, end - 1, &whole) ||
        !fold_window(sd, l, g, end - 1, end, &last))
        return NAN;
    double n = (double)whole.count + keep * (double)last.count;
    return n > 0 ? (sum_of(&whole) + keep * sum_of(&last)) / n : NAN;
}
