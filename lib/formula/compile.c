/*
 * compile.c - every KPI formula of a workspace parsed and bound in definition order, then the
 * graph of KPI references searched for cycles (an iterative depth-first search, so that a long
 * chain of KPIs cannot exhaust the stack). A cycle is reported with its whole path, at the
 * reference that starts it. A broken KPI (a formula that does not parse or bind, a cycle, a
 * use of a broken KPI) is set aside with its mistake, so that the others still compute.
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

/* A copy of err in the arena, for broken[]; NULL when out of memory. */
static const kpi_error *keep(karena *arena, const kpi_error *err)
{
    kpi_error *copy = karena_alloc(arena, sizeof *copy);
    if (copy)
        *copy = *err;
    return copy;
}

/* "kpi 'a' depends on itself: a -> b -> a", at the reference that frame q followed. */
static void cycle_error(const kconfig *cfg, const frame *stack, size_t q, size_t top,
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
    kfsrc_error_loc(&src, ref->loc, err, "kpi '%s' depends on itself: %s%s", first->id,
                    path.p ? path.p : first->id, ok ? "" : " ...");
    kbuf_release(&path);
}

enum { WHITE, GREY, BLACK };

/* Searches from root; on a cycle, marks its KPIs broken (their references no longer
 * followed) and returns true, so that the search starts again. */
static bool cycle_from(const kconfig *cfg, karena *arena, refs *all, unsigned char *state,
                       frame *stack, size_t root, const kpi_error **broken, kpi_error *err)
{
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
            cycle_error(cfg, stack, q, sp - 1, all, err);
            const kpi_error *e = keep(arena, err);
            for (size_t i = q; i < sp; i++) {
                broken[stack[i].kpi] = e;
                all[stack[i].kpi].n = 0;
            }
            return true;
        }
    }
    return false;
}

static kpi_status find_cycles(const kconfig *cfg, karena *arena, refs *all,
                              const kpi_error **broken, kpi_error *err)
{
    size_t n = cfg->nkpis;
    unsigned char *state = karena_alloc(arena, n ? n : 1);
    frame *stack = karena_alloc(arena, (n ? n : 1) * sizeof *stack);
    if (!state || !stack)
        return nomem(err);
    memset(state, WHITE, n ? n : 1);
    for (size_t root = 0; root < n; root++) {
        if (state[root] != WHITE)
            continue;
        if (cycle_from(cfg, arena, all, state, stack, root, broken, err)) {
            memset(state, WHITE, n); /* again, without the cycle */
            root = (size_t)-1;
        }
    }
    return KPI_OK;
}

/* A KPI that uses a broken KPI is broken too ("kpi 'b' uses kpi 'a', which is broken"), at
 * the reference; repeated until nothing changes, so that chains of any length are covered. */
static kpi_status spread(const kconfig *cfg, karena *arena, const refs *all,
                         const kpi_error **broken, kpi_error *err)
{
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < cfg->nkpis; i++) {
            for (size_t r = 0; !broken[i] && r < all[i].n; r++) {
                const kkpi *used = all[i].v[r]->kpi;
                if (!broken[used - cfg->kpis])
                    continue;
                const kkpi *k = &cfg->kpis[i];
                kfsrc src = {k->formula, strlen(k->formula), k->formula_loc};
                kfsrc_error_loc(&src, all[i].v[r]->loc, err,
                                "kpi '%s' uses kpi '%s', which is broken", k->id, used->id);
                if (!(broken[i] = keep(arena, err)))
                    return nomem(err);
                changed = true;
            }
        }
    }
    kpi_error_init(err);
    return KPI_OK;
}

/* kformula_compile_each; *cause is the first KPI broken on its own account (not by using a
 * broken KPI), or cfg->nkpis. */
static kpi_status compile(const kconfig *cfg, karena *arena, kexpr ***out,
                          const kpi_error ***broken_out, size_t *cause, kpi_error *err)
{
    *out = NULL;
    *broken_out = NULL;
    size_t n = cfg->nkpis ? cfg->nkpis : 1;
    kexpr **trees = karena_alloc(arena, n * sizeof *trees);
    refs *all = karena_alloc(arena, n * sizeof *all);
    const kpi_error **broken = karena_alloc(arena, n * sizeof *broken);
    if (!trees || !all || !broken)
        return nomem(err);
    for (size_t i = 0; i < cfg->nkpis; i++) {
        const kkpi *k = &cfg->kpis[i];
        broken[i] = k->broken;
        if (!k->formula || k->broken)
            continue;
        kpi_status st = kformula_parse(arena, k->formula, k->formula_loc, &trees[i], err);
        if (st == KPI_OK)
            st = kformula_bind(cfg, k, trees[i], err);
        if (st == KPI_NOMEM)
            return st;
        if (st != KPI_OK) {
            trees[i] = NULL;
            if (!(broken[i] = keep(arena, err)))
                return nomem(err);
        }
    }
    kpi_status st = collect_all(cfg, arena, trees, all, err);
    if (st == KPI_OK)
        st = find_cycles(cfg, arena, all, broken, err);
    for (*cause = 0; *cause < cfg->nkpis && !broken[*cause]; ++*cause)
        ;
    if (st == KPI_OK)
        st = spread(cfg, arena, all, broken, err);
    if (st != KPI_OK)
        return st;
    for (size_t i = 0; i < cfg->nkpis; i++)
        if (broken[i])
            trees[i] = NULL;
    *out = trees;
    *broken_out = broken;
    return KPI_OK;
}

kpi_status kformula_compile_each(const kconfig *cfg, karena *arena, kexpr ***out,
                                 const kpi_error ***broken, kpi_error *err)
{
    size_t cause;
    return compile(cfg, arena, out, broken, &cause, err);
}

kpi_status kformula_compile_all(const kconfig *cfg, karena *arena, kexpr ***out, kpi_error *err)
{
    const kpi_error **broken;
    size_t cause;
    kpi_status st = compile(cfg, arena, out, &broken, &cause, err);
    if (st != KPI_OK || cause == cfg->nkpis)
        return st;
    *err = *broken[cause];
    *out = NULL;
    return KPI_DEFINITION;
}
