/*
 * compile.c - every KPI formula of a workspace parsed and bound in definition order, then the
 * graph of KPI references searched for cycles (an iterative depth-first search, so that a long
 * chain of KPIs cannot exhaust the stack). A cycle is reported with its whole path, at the
 * reference that starts it.
 */
#include "formula_int.h"

#include <string.h>

/* The KPI references of one formula, in the order they are written. */
typedef struct refs {
    const kexpr **v;
    size_t n;
} refs;

/* Counts (v == NULL) or collects the KX_KPI nodes of a tree. */
static void collect(const kexpr *e, refs *r)
{
    if (!e)
        return;
    if (e->kind == KX_KPI) {
        if (r->v)
            r->v[r->n] = e;
        r->n++;
        return;
    }
    collect(e->a, r);
    collect(e->b, r);
    for (size_t i = 0; i < e->nargs; i++)
        collect(e->args[i], r);
}

static kpi_status nomem(kpi_error *err)
{
    return kerr_set(err, KPI_NOMEM, "out of memory");
}

static kpi_status collect_all(const kconfig *cfg, karena *arena, kexpr **trees, refs *all,
                              kpi_error *err)
{
    for (size_t i = 0; i < cfg->nkpis; i++) {
        refs r = {0};
        collect(trees[i], &r);
        if (r.n && !(r.v = karena_alloc(arena, r.n * sizeof *r.v)))
            return nomem(err);
        r.n = 0;
        if (r.v)
            collect(trees[i], &r);
        all[i] = r;
    }
    return KPI_OK;
}

typedef struct frame {
    size_t kpi;
    size_t next; /* the next reference of kpi to follow */
} frame;

/* "kpi 'a' depends on itself: a -> b -> a", at the reference that frame q followed. */
static kpi_status cycle_error(const kconfig *cfg, const frame *stack, size_t q, size_t top,
                              const refs *all, kpi_error *err)
{
    const kkpi *first = &cfg->kpis[stack[q].kpi];
    kbuf path;
    kbuf_init(&path, 900);
    bool ok = true;
    for (size_t i = q; i <= top && ok; i++)
        ok = kbuf_printf(&path, "%s -> ", cfg->kpis[stack[i].kpi].id);
    ok = ok && kbuf_appends(&path, first->id);
    const kexpr *ref = all[stack[q].kpi].v[stack[q].next - 1];
    kfsrc src = {first->formula, strlen(first->formula), first->formula_loc};
    kpi_status st = kfsrc_error_loc(&src, ref->loc, err, "kpi '%s' depends on itself: %s%s",
                                    first->id, path.p ? path.p : first->id, ok ? "" : " ...");
    kbuf_release(&path);
    return st;
}

enum { WHITE, GREY, BLACK };

static kpi_status find_cycles(const kconfig *cfg, karena *arena, const refs *all, kpi_error *err)
{
    size_t n = cfg->nkpis;
    unsigned char *state = karena_alloc(arena, n ? n : 1);
    frame *stack = karena_alloc(arena, (n ? n : 1) * sizeof *stack);
    if (!state || !stack)
        return nomem(err);
    for (size_t root = 0; root < n; root++) {
        if (state[root] != WHITE)
            continue;
        size_t sp = 0;
        stack[sp++] = (frame){root, 0};
        state[root] = GREY;
        while (sp) {
            frame *f = &stack[sp - 1];
            if (f->next == all[f->kpi].n) {
                state[f->kpi] = BLACK;
                sp--;
                continue;
            }
            size_t j = (size_t)(all[f->kpi].v[f->next++]->kpi - cfg->kpis);
            if (state[j] == WHITE) {
                state[j] = GREY;
                stack[sp++] = (frame){j, 0};
            } else if (state[j] == GREY) {
                size_t q = 0;
                while (stack[q].kpi != j)
                    q++;
                return cycle_error(cfg, stack, q, sp - 1, all, err);
            }
        }
    }
    return KPI_OK;
}

kpi_status kformula_compile_all(const kconfig *cfg, karena *arena, kexpr ***out, kpi_error *err)
{
    *out = NULL;
    size_t n = cfg->nkpis ? cfg->nkpis : 1;
    kexpr **trees = karena_alloc(arena, n * sizeof *trees);
    refs *all = karena_alloc(arena, n * sizeof *all);
    if (!trees || !all)
        return nomem(err);
    for (size_t i = 0; i < cfg->nkpis; i++) {
        const kkpi *k = &cfg->kpis[i];
        if (!k->formula)
            continue;
        kpi_status st = kformula_parse(arena, k->formula, k->formula_loc, &trees[i], err);
        if (st == KPI_OK)
            st = kformula_bind(cfg, k, trees[i], err);
        if (st != KPI_OK)
            return st;
    }
    kpi_status st = collect_all(cfg, arena, trees, all, err);
    if (st == KPI_OK)
        st = find_cycles(cfg, arena, all, err);
    if (st == KPI_OK)
        *out = trees;
    return st;
}
