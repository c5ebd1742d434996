/*
 * plan.c - collecting the aggregate leaves of the requested KPIs and sharing them: identical
 * leaves (by their printed form) are one leaf, identical parts one column, and every part of a
 * stream lands in that stream's single scan.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

typedef struct builder {
    kplan *p;
    const kconfig *cfg;
    kexpr *const *trees;
    bool *visited; /* per KPI */
    size_t cap_leaves, cap_scans, cap_vscans, *cap_aggs;
    kbuf key;
    kpi_error *err;
} builder;

static long scan_of(builder *b, const kstream *s)
{
    kplan *p = b->p;
    for (size_t i = 0; i < p->nscans; i++)
        if (p->scans[i].stream == s)
            return (long)i;
    if (p->nscans == b->cap_scans) { /* scans and their aggregates' capacities grow in step */
        size_t cap = kgrow_cap(b->cap_scans, p->nscans + 1);
        if (!KRESIZE(p->scans, cap) || !KRESIZE(b->cap_aggs, cap))
            return -1;
        b->cap_scans = cap;
    }
    b->cap_aggs[p->nscans] = 0;
    p->scans[p->nscans] = (kscan_plan){s, NULL, 0};
    return (long)p->nscans++;
}

/* The column of part(expr where cond) in scan si, added when new. */
static int column(builder *b, size_t si, kpart part, const kexpr *node)
{
    kplan *p = b->p;
    kscan_plan *sc = &p->scans[si];
    kexpr probe = *node;
    probe.agg = KAGG_SUM;
    kbuf_reset(&b->key);
    if (!kbuf_printf(&b->key, "%zu|%d|", si, (int)part) ||
        !(node->arg ? kformula_print(&probe, &b->key) : kformula_print(node, &b->key)))
        return -1;
    long id = kmap_get(&p->col_ids, (kstr){b->key.p, b->key.n});
    if (id >= 0)
        return (int)id;
    if (!KGROW(sc->aggs, b->cap_aggs[si], sc->naggs + 1))
        return -1;
    sc->aggs[sc->naggs] = (kscan_agg){part, node->arg, node->where};
    if (kmap_put(&p->col_ids, (kstr){b->key.p, b->key.n}, (long)sc->naggs) < 0)
        return -1;
    return (int)sc->naggs++;
}

static bool add_leaf(builder *b, const kexpr *node)
{
    kplan *p = b->p;
    kbuf_reset(&b->key);
    if (!kformula_print(node, &b->key))
        return false;
    kstr addr = {(const char *)&node, sizeof node};
    long id = kmap_get(&p->leaf_ids, (kstr){b->key.p, b->key.n});
    if (id >= 0)
        return kmap_put(&p->node_ids, addr, id) >= 0;
    if (!KGROW(p->leaves, b->cap_leaves, p->nleaves + 1))
        return false;
    if (kmap_put(&p->leaf_ids, (kstr){b->key.p, b->key.n}, (long)p->nleaves) < 0 ||
        kmap_put(&p->node_ids, addr, (long)p->nleaves) < 0)
        return false;
    kleaf *l = &p->leaves[p->nleaves];
    *l = (kleaf){node, 0, false, -1, -1, -1, -1, 0};
    switch (node->agg) {
    case KAGG_COUNT:
    case KAGG_SUM:
    case KAGG_AVG:
    case KAGG_MIN:
    case KAGG_MAX: {
        long si = scan_of(b, node->stream);
        if (si < 0)
            return false;
        l->scan = (size_t)si;
        bool count = node->agg == KAGG_COUNT || node->agg == KAGG_AVG;
        bool sum = node->agg == KAGG_SUM || node->agg == KAGG_AVG;
        if ((count && (l->col_count = column(b, (size_t)si, KPART_COUNT, node)) < 0) ||
            (sum && (l->col_sum = column(b, (size_t)si, KPART_SUM, node)) < 0) ||
            (node->agg == KAGG_MIN && (l->col_min = column(b, (size_t)si, KPART_MIN, node)) < 0) ||
            (node->agg == KAGG_MAX && (l->col_max = column(b, (size_t)si, KPART_MAX, node)) < 0))
            return false;
        break;
    }
    default: {
        long si = scan_of(b, node->stream);
        if (si < 0 || (l->col_count = column(b, (size_t)si, KPART_COUNT, node)) < 0)
            return false;
        l->count_scan = (size_t)si;
        if (!KGROW(p->vscans, b->cap_vscans, p->nvscans + 1))
            return false;
        l->values = true;
        l->scan = p->nvscans;
        p->vscans[p->nvscans++] = (kvalue_plan){node->stream, node->arg, node->where,
                                                node->agg == KAGG_FIRST || node->agg == KAGG_LAST};
    }
    }
    p->nleaves++;
    return true;
}

static bool walk(builder *b, const kexpr *e);

/* conversion() reads its rows itself, but its `from` stream is scanned too (a count of its
 * rows) so that the groups of a breakdown and the days it needs are known like any leaf's. The
 * conversion node maps to that leaf. */
static bool conversion_leaf(builder *b, const kexpr *e)
{
    kexpr *count = karena_alloc(&b->p->arena, sizeof *count);
    if (!count)
        return false;
    count->kind = KX_AGG;
    count->agg = KAGG_COUNT;
    count->stream = e->conv_from;
    count->stream_name = e->conv_from_name;
    count->loc = e->loc;
    if (!add_leaf(b, count))
        return false;
    long id = kmap_get(&b->p->node_ids, (kstr){(const char *)&count, sizeof count});
    return id >= 0 && kmap_put(&b->p->node_ids, (kstr){(const char *)&e, sizeof e}, id) >= 0;
}

static bool visit_kpi(builder *b, size_t k)
{
    if (b->visited[k])
        return true;
    b->visited[k] = true;
    return !b->trees[k] || walk(b, b->trees[k]);
}

static bool walk(builder *b, const kexpr *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case KX_AGG:
        return add_leaf(b, e);
    case KX_KPI: {
        long k = kplan_kpi_index(b->cfg, e->kpi);
        return k < 0 || visit_kpi(b, (size_t)k);
    }
    case KX_CALL:
        if (e->fn == KF_CONVERSION && !conversion_leaf(b, e))
            return false;
        for (size_t i = 0; i < e->nargs; i++)
            if (!walk(b, e->args[i]))
                return false;
        return true;
    default:
        return walk(b, e->a) && walk(b, e->b);
    }
}

long kplan_kpi_index(const kconfig *cfg, const kkpi *k)
{
    if (!k || k < cfg->kpis || k >= cfg->kpis + cfg->nkpis)
        return -1;
    return (long)(k - cfg->kpis);
}

kpi_status kplan_build(const kconfig *cfg, kexpr *const *trees, const bool *wanted, kplan *out,
                       kpi_error *err)
{
    memset(out, 0, sizeof *out);
    kmap_init(&out->leaf_ids);
    kmap_init(&out->node_ids);
    kmap_init(&out->col_ids);
    karena_init(&out->arena, 0);
    builder b = {.p = out, .cfg = cfg, .trees = trees, .err = err};
    kbuf_init(&b.key, 0);
    b.visited = calloc(cfg->nkpis ? cfg->nkpis : 1, sizeof *b.visited);
    bool ok = b.visited != NULL;
    for (size_t k = 0; ok && k < cfg->nkpis; k++)
        if (wanted[k])
            ok = visit_kpi(&b, k);
    free(b.visited);
    free(b.cap_aggs);
    kbuf_release(&b.key);
    if (!ok) {
        kplan_release(out);
        return kerr_set(err, KPI_NOMEM, "out of memory while planning");
    }
    return KPI_OK;
}

void kplan_release(kplan *p)
{
    for (size_t i = 0; i < p->nscans; i++)
        free(p->scans[i].aggs);
    free(p->scans);
    free(p->vscans);
    free(p->leaves);
    kmap_release(&p->leaf_ids);
    kmap_release(&p->node_ids);
    kmap_release(&p->col_ids);
    karena_release(&p->arena);
    memset(p, 0, sizeof *p);
}

const kleaf *kplan_leaf(const kplan *p, const kexpr *node)
{
    long id = kmap_get(&p->node_ids, (kstr){(const char *)&node, sizeof node});
    return id < 0 ? NULL : &p->leaves[id];
}
