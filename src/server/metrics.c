/*
 * metrics.c - the Prometheus text of GET /metrics (docs/metrics.md): every KPI's value, target,
 * attainment, status (one series per state), expected-to-date and projected value for the
 * current period of its review grain, company-wide and per group of the breakdowns its
 * `metrics:` allows. Rendered off the request path (metrics_cache.c runs it in the background)
 * into a text that a scrape only copies, whole or for some KPIs.
 *
 * The label scheme cannot collide: a KPI's own labels are kpi, department, unit and grain, a
 * breakdown adds by="<dimension>" and dim_<dimension>="<group>" (dimension names are field
 * names, so dim_<name> is always a valid label name, and no own label starts with dim_). No
 * series carries the period, which changes every month: kpi_period_info{grain, period} says
 * which period the values are of. KPIs are queried together per grain (and per grain and
 * dimension), so that they share their scans as a report does.
 */
#include "server.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The families of a KPI, in the order they are written. */
enum {
    F_INFO,
    F_VALUE,
    F_TARGET,
    F_ATTAINMENT,
    F_STATUS,
    F_EXPECTED,
    F_PROJECTED,
    F_DROPPED,
    NFAM
};

static const struct family {
    const char *name, *help;
} families[NFAM] = {
    [F_INFO] = {"kpi_info", "The KPI's definition: name and direction (1 for each KPI)."},
    [F_VALUE] = {"kpi_value", "The KPI's value for the current period of its grain, to date."},
    [F_TARGET] = {"kpi_target", "The KPI's target for the current period."},
    [F_ATTAINMENT] = {"kpi_attainment",
                      "Value over target (target over value where down is better)."},
    [F_STATUS] = {"kpi_status", "1 for the KPI's status in the current period, 0 for the others."},
    [F_EXPECTED] = {"kpi_expected_to_date",
                    "The value expected by today for the open period to end on target."},
    [F_PROJECTED] = {"kpi_projected", "The open period's value projected to its end."},
    [F_DROPPED] = {"kpi_metrics_dropped_groups",
                   "Groups of a breakdown left out of /metrics: more than its max_groups."},
};

static const char *const states[] = {"on_track", "at_risk", "off_track", "no_target", "no_data"};
#define NSTATES (sizeof states / sizeof states[0])

/* One KPI's part of the text: where each of its families' samples is in body. */
typedef struct kmkpi {
    char *id, *department;
    size_t at[NFAM], len[NFAM];
} kmkpi;

struct kmetrics_text {
    char *body;
    size_t nkpis;
    kmkpi *kpis;
    size_t fam_at[NFAM], fam_len[NFAM]; /* each family's samples of every KPI, contiguous */
    char *periods;                      /* kpi_period_info, whole */
    kmetrics_drop *drops;
    size_t ndrops;
};

/* ---- a growable string ---------------------------------------------------------------- */

static void sb_printf(kmbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(kmbuf *b, const char *fmt, ...)
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
        if (!kmbuf_reserve(b, (size_t)n + 1))
            return;
    }
}

bool kmbuf_reserve(kmbuf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->cap - b->n > more)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->n <= more)
        cap *= 2;
    char *grown = realloc(b->p, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->p = grown;
    b->cap = cap;
    return true;
}

void kmbuf_append(kmbuf *b, const char *p, size_t n)
{
    if (!kmbuf_reserve(b, n))
        return;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

/* ,name="value" with \, " and newline escaped, as the text format wants. */
static void sb_label(kmbuf *b, const char *name, const char *value)
{
    sb_printf(b, ",%s=\"", name);
    for (const char *p = value ? value : ""; *p; p++) {
        size_t run = strcspn(p, "\\\"\n");
        kmbuf_append(b, p, run);
        p += run;
        if (!*p)
            break;
        sb_printf(b, "\\%c", *p == '\n' ? 'n' : *p);
    }
    sb_printf(b, "\"");
}

/* ---- the samples of one series -------------------------------------------------------- */

/* What a build collects: per KPI and family, its samples; the drops; the periods. */
typedef struct build {
    kpi_workspace *ws;
    size_t nk;
    kmbuf *parts; /* nk * NFAM */
    kmbuf periods;
    kmetrics_drop *drops;
    size_t ndrops;
    bool failed;
} build;

static void sample(kmbuf *b, int fam, const char *labels, const char *extra, double v)
{
    if (!isnan(v))
        sb_printf(b, "%s{%s%s} %.15g\n", families[fam].name, labels, extra, v);
}

/* The labels of a series: the KPI's own, then by and dim_<dim> for a group. */
static char *series_labels(const kpi_kpi_info *k, const char *dim, const char *group)
{
    kmbuf b = {0};
    sb_printf(&b, "kpi=\"%s\"", k->id);
    if (k->department && *k->department)
        sb_label(&b, "department", k->department);
    sb_label(&b, "unit", k->unit);
    sb_label(&b, "grain", k->grain);
    if (dim) {
        char name[160];
        snprintf(name, sizeof name, "dim_%s", dim);
        sb_label(&b, "by", dim);
        sb_label(&b, name, group);
    }
    if (b.failed)
        free(b.p);
    return b.failed ? NULL : b.p;
}

/* Every family's samples of one point of KPI k (its index i), company-wide or for a group. */
static void point_samples(build *bd, size_t i, const kpi_kpi_info *k, const kpi_point *pt,
                          const char *dim)
{
    char *labels = series_labels(k, dim, dim ? pt->group[0] : NULL);
    if (!labels) {
        bd->failed = true;
        return;
    }
    kmbuf *p = &bd->parts[i * NFAM];
    sample(&p[F_VALUE], F_VALUE, labels, "", pt->value);
    sample(&p[F_TARGET], F_TARGET, labels, "", pt->target);
    sample(&p[F_ATTAINMENT], F_ATTAINMENT, labels, "", pt->attainment);
    bool known = false;
    for (size_t s = 0; s < NSTATES; s++) {
        bool is = pt->status && !strcmp(pt->status, states[s]);
        known |= is;
        sb_printf(&p[F_STATUS], "kpi_status{%s,status=\"%s\"} %d\n", labels, states[s], is);
    }
    if (!known && pt->status) /* a state this file does not know yet still shows */
        sb_printf(&p[F_STATUS], "kpi_status{%s,status=\"%s\"} 1\n", labels, pt->status);
    if (!pt->complete) {
        sample(&p[F_EXPECTED], F_EXPECTED, labels, "", pt->expected_to_date);
        sample(&p[F_PROJECTED], F_PROJECTED, labels, "", pt->projected);
    }
    free(labels);
}

/* kpi_info and the company-wide samples of KPI i. */
static void company_samples(build *bd, size_t i, const kpi_kpi_info *k, const kpi_series *s)
{
    kmbuf *info = &bd->parts[i * NFAM + F_INFO];
    sb_printf(info, "kpi_info{kpi=\"%s\"", k->id);
    sb_label(info, "name", k->name);
    sb_label(info, "direction", k->direction);
    sb_printf(info, "} 1\n");
    for (size_t p = 0; p < s->npoints; p++)
        point_samples(bd, i, k, &s->points[p], NULL);
}

static bool has_group(const kpi_point *pt)
{
    return pt->group && pt->group[0] && *pt->group[0];
}

/* The groups of KPI i by dim, or, when there are more than its max_groups, a drop. */
static void group_samples(build *bd, size_t i, const kpi_kpi_info *k, const kpi_series *s,
                          const char *dim)
{
    size_t n = 0;
    for (size_t p = 0; p < s->npoints; p++)
        n += has_group(&s->points[p]);
    if (n > (size_t)k->metrics_max_groups) {
        kmetrics_drop *d = realloc(bd->drops, (bd->ndrops + 1) * sizeof *d);
        if (!d) {
            bd->failed = true;
            return;
        }
        bd->drops = d;
        d = &bd->drops[bd->ndrops++];
        *d = (kmetrics_drop){strdup(k->id), strdup(dim), n, (size_t)k->metrics_max_groups};
        bd->failed |= !d->kpi || !d->dimension;
        sb_printf(&bd->parts[i * NFAM + F_DROPPED],
                  "kpi_metrics_dropped_groups{kpi=\"%s\",dimension=\"%s\"} %zu\n", k->id, dim, n);
        return;
    }
    for (size_t p = 0; p < s->npoints; p++)
        if (has_group(&s->points[p]))
            point_samples(bd, i, k, &s->points[p], dim);
}

static void drops_free(kmetrics_drop *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].kpi);
        free(d[i].dimension);
    }
    free(d);
}

/* Runs one query (KPIs of one grain, for its current period, by dim or not) into bd. */
static kpi_status collect(build *bd, const char **ids, size_t n, const char *period,
                          const char *dim)
{
    const char *by[1] = {dim};
    kpi_query q = {
        .kpis = ids, .nkpis = n, .period = period, .by = dim ? by : NULL, .nby = dim ? 1 : 0};
    kpi_result *r = NULL;
    kpi_status st = kpi_query_run(bd->ws, &q, &r);
    if (st != KPI_OK)
        return st;
    for (size_t j = 0; j < kpi_result_nseries(r) && !bd->failed; j++) {
        const kpi_series *s = kpi_result_series(r, j);
        size_t i = kroute_kpi_index(bd->ws, s->id);
        if (i == bd->nk)
            continue;
        kpi_kpi_info k;
        kpi_kpi_info_get(bd->ws, i, &k);
        if (dim)
            group_samples(bd, i, &k, s, dim);
        else
            company_samples(bd, i, &k, s);
    }
    kpi_result_destroy(r);
    return bd->failed ? KPI_NOMEM : KPI_OK;
}

/* Is s one of the first n strings of list? */
static bool listed(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

/* The KPIs of grain g that /metrics breaks down by dim (every KPI of g for dim NULL). */
static size_t kpis_of(kpi_workspace *ws, const char *g, const char *dim, const char **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < kpi_kpi_count(ws); i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        if (!strcmp(k.grain, g) &&
            (!dim || listed(k.metrics_dimensions, k.nmetrics_dimensions, dim)) &&
            !kpi_kpi_error(ws, i)) /* broken: left out, the others answer */
            ids[n++] = k.id;
    }
    return n;
}

/* Every query: per grain, its KPIs, then per dimension the KPIs that break down by it. */
static kpi_status collect_all(build *bd)
{
    size_t nk = bd->nk, ng = 0, nd = 0, ndmax = 0;
    for (size_t i = 0; i < nk; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(bd->ws, i, &k);
        ndmax += k.nmetrics_dimensions;
    }
    const char **grains = calloc(nk + 1, sizeof *grains), **ids = calloc(nk + 1, sizeof *ids);
    const char **dims = calloc(ndmax + 1, sizeof *dims);
    kpi_status st = grains && ids && dims ? KPI_OK : KPI_NOMEM;
    for (size_t i = 0; st == KPI_OK && i < nk; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(bd->ws, i, &k);
        if (!listed(grains, ng, k.grain))
            grains[ng++] = k.grain;
        for (size_t d = 0; d < k.nmetrics_dimensions; d++)
            if (!listed(dims, nd, k.metrics_dimensions[d]))
                dims[nd++] = k.metrics_dimensions[d];
    }
    for (size_t g = 0; st == KPI_OK && g < ng; g++) {
        char period[64];
        if ((st = kpi_current_period(bd->ws, grains[g], period, sizeof period)) != KPI_OK)
            break;
        sb_printf(&bd->periods, "kpi_period_info{grain=\"%s\",period=\"%s\"} 1\n", grains[g],
                  period);
        for (size_t d = 0; st == KPI_OK && d <= nd; d++) {
            const char *dim = d ? dims[d - 1] : NULL;
            size_t n = kpis_of(bd->ws, grains[g], dim, ids);
            if (n)
                st = collect(bd, ids, n, period, dim);
        }
    }
    free(grains);
    free(ids);
    free(dims);
    return st;
}

/* ---- the text, and a scrape of it ----------------------------------------------------- */

/* Lays the parts out family by family, so that a family of every KPI is one piece. */
static kmetrics_text *assemble(build *bd)
{
    kmetrics_text *t = calloc(1, sizeof *t);
    kmbuf body = {0};
    if (!t || !(t->kpis = calloc(bd->nk + 1, sizeof *t->kpis))) {
        free(t);
        return NULL;
    }
    t->nkpis = bd->nk;
    for (size_t i = 0; i < bd->nk; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(bd->ws, i, &k);
        t->kpis[i].id = strdup(k.id);
        t->kpis[i].department = strdup(k.department ? k.department : "");
        body.failed |= !t->kpis[i].id || !t->kpis[i].department;
    }
    for (int f = 0; f < NFAM; f++) {
        t->fam_at[f] = body.n;
        for (size_t i = 0; i < bd->nk; i++) {
            const kmbuf *part = &bd->parts[i * NFAM + f];
            t->kpis[i].at[f] = body.n;
            t->kpis[i].len[f] = part->n;
            if (part->n)
                kmbuf_append(&body, part->p, part->n);
        }
        t->fam_len[f] = body.n - t->fam_at[f];
    }
    t->body = body.p;
    t->periods = bd->periods.p;
    bd->periods.p = NULL;
    t->drops = bd->drops;
    t->ndrops = bd->ndrops;
    bd->drops = NULL;
    bd->ndrops = 0;
    if (body.failed) {
        kmetrics_text_free(t);
        return NULL;
    }
    return t;
}

kmetrics_text *kmetrics_render(kpi_workspace *ws, char *err, size_t cap)
{
    build bd = {.ws = ws, .nk = kpi_kpi_count(ws)};
    kmetrics_text *t = NULL;
    kpi_status st = KPI_NOMEM;
    if ((bd.parts = calloc(bd.nk * NFAM + 1, sizeof *bd.parts)))
        st = collect_all(&bd);
    if (st == KPI_OK && !bd.periods.failed && !(t = assemble(&bd)))
        st = KPI_NOMEM;
    for (size_t i = 0; bd.parts && i < bd.nk * NFAM; i++) {
        st = st == KPI_OK && bd.parts[i].failed ? KPI_NOMEM : st;
        free(bd.parts[i].p);
    }
    free(bd.parts);
    free(bd.periods.p);
    drops_free(bd.drops, bd.ndrops);
    if (st != KPI_OK || !t) {
        snprintf(err, cap, "out of memory");
        if (st != KPI_OK && st != KPI_NOMEM)
            kpi_error_format(kpi_workspace_error(ws), err, cap);
        kmetrics_text_free(t);
        return NULL;
    }
    return t;
}

void kmetrics_text_free(kmetrics_text *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nkpis; i++) {
        free(t->kpis[i].id);
        free(t->kpis[i].department);
    }
    free(t->kpis);
    free(t->body);
    free(t->periods);
    drops_free(t->drops, t->ndrops);
    free(t);
}

const kmetrics_drop *kmetrics_text_drops(const kmetrics_text *t, size_t *n)
{
    *n = t->ndrops;
    return t->drops;
}

/* Does KPI i go into a scrape for kpis (a list) and department (NULL: any)? */
static bool selected(const kmkpi *k, const char *kpis, const char *department)
{
    return (!kpis || kroute_in_list(kpis, k->id)) &&
           (!department || kroute_in_list(department, k->department));
}

/* The first name of list that no KPI of t answers to (id, or department), or false. */
static bool unknown_name(const kmetrics_text *t, const char *list, bool dept, char *name,
                         size_t cap)
{
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < t->nkpis && !found; i++) {
            const char *v = dept ? t->kpis[i].department : t->kpis[i].id;
            found = strlen(v) == len && !strncmp(v, p, len);
        }
        if (!found) {
            snprintf(name, cap, "%.*s", (int)(len < 200 ? len : 200), p);
            return true;
        }
        p += len + (p[len] == ',');
    }
    return false;
}

bool kmetrics_text_scrape(const kmetrics_text *t, const char *kpis, const char *department,
                          kmbuf *out, kresponse *err)
{
    char name[256], msg[512];
    const char *what = kpis && unknown_name(t, kpis, false, name, sizeof name) ? "unknown kpi"
                       : department && unknown_name(t, department, true, name, sizeof name)
                           ? "no kpi in department"
                           : NULL;
    if (what) {
        snprintf(msg, sizeof msg, "%s '%s'", what, name);
        kresponse_error(err, 404, msg);
        return false;
    }
    bool all = !kpis && !department;
    for (int f = 0; f < NFAM; f++) {
        size_t mark = out->n;
        sb_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", families[f].name, families[f].help,
                  families[f].name);
        size_t head = out->n;
        if (all)
            kmbuf_append(out, t->body + t->fam_at[f], t->fam_len[f]);
        for (size_t i = 0; !all && i < t->nkpis; i++)
            if (selected(&t->kpis[i], kpis, department))
                kmbuf_append(out, t->body + t->kpis[i].at[f], t->kpis[i].len[f]);
        if (out->n == head) /* no sample: no family */
            out->n = mark;
    }
    sb_printf(out,
              "# HELP kpi_period_info The period the KPIs of a grain are of (1).\n"
              "# TYPE kpi_period_info gauge\n%s",
              t->periods ? t->periods : "");
    return true;
}
