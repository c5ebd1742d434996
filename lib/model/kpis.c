/*
 * kpis.c - the `kpis:` section of kpi.yaml: each KPI's descriptive keys, its formula (kept as
 * text with where it starts, for the formula layer to parse) or `manual: true`, its unit,
 * direction, grain, dimensions, targets and status thresholds, with their defaults.
 */
#include "model_int.h"

#include <stdio.h>
#include <string.h>

enum {
    KK_NAME,
    KK_DESCRIPTION,
    KK_DEPARTMENT,
    KK_TAGS,
    KK_FORMULA,
    KK_MANUAL,
    KK_UNIT,
    KK_DECIMALS,
    KK_DIRECTION,
    KK_GRAIN,
    KK_DIMENSIONS,
    KK_TARGETS,
    KK_THRESHOLDS,
    KK_OWNER,
    KK_SPLIT,
    KK_METRICS,
    KK_N
};
static const char *const kpi_keys[KK_N] = {
    "name",       "description", "department", "tags",    "formula",    "manual",
    "unit",       "decimals",    "direction",  "grain",   "dimensions", "targets",
    "thresholds", "owner",       "split",      "metrics",
};

static const char *const grain_names[] = {"day",  "week",           "month",       "quarter",
                                          "year", "fiscal_quarter", "fiscal_year", "all"};
#define NGRAINS (sizeof grain_names / sizeof grain_names[0])

/* Pairs that exclude each other: 0/1 and 2/3. */
static const char *const tag_names[] = {"quantitative", "qualitative", "leading", "lagging"};
static const char *const direction_names[] = {"up", "down"};
static const char *const threshold_keys[] = {"at_risk", "on_track"};
/* `split:` - how groups without a target of their own share the company's */
static const char *const split_names[] = {"last_year"};

#define NUNITS 6
#define DEFAULT_GRAIN "month"
#define DEFAULT_AT_RISK 0.9
#define DEFAULT_ON_TRACK 1.0

/* `tags:` - known tags, none twice, no contradicting pair. */
static kpi_status load_tags(kyctx *c, kkpi *kp, const kynode *v)
{
    char where[96], what[128];
    snprintf(where, sizeof where, "in kpi '%s'", kp->id);
    snprintf(what, sizeof what, "'tags' in kpi '%s'", kp->id);
    const kynode **items;
    size_t n;
    kpi_status st = ky_list(c, v, what, &items, &n);
    if (st != KPI_OK)
        return st;
    if (n == 0)
        return KPI_OK;
    if (!(kp->tags = karena_alloc(&c->cfg->arena, n * sizeof *kp->tags)))
        return ky_nomem(c);
    bool seen[4] = {false};
    for (size_t i = 0; i < n; i++) {
        size_t t;
        if ((st = ky_enum(c, items[i], "tag", where, tag_names, 4, &t)) != KPI_OK)
            return st;
        if (seen[t])
            return ky_err(c, items[i], "duplicate tag '%s' in kpi '%s'", tag_names[t], kp->id);
        if (seen[t ^ 1])
            return ky_err(c, items[i], "kpi '%s' cannot be both '%s' and '%s'", kp->id,
                          tag_names[t ^ 1], tag_names[t]);
        seen[t] = true;
        kp->tags[kp->ntags++] = tag_names[t];
    }
    return KPI_OK;
}

/* `dimensions:` - field names to break the KPI down by, none twice. */
static kpi_status load_dimensions(kyctx *c, kkpi *kp, const kynode *v)
{
    char what[128];
    snprintf(what, sizeof what, "'dimensions' in kpi '%s'", kp->id);
    const kynode **items;
    size_t n;
    kpi_status st = ky_list(c, v, what, &items, &n);
    if (st != KPI_OK)
        return st;
    if (n == 0)
        return KPI_OK;
    if (!(kp->dimensions = karena_alloc(&c->cfg->arena, n * sizeof *kp->dimensions)))
        return ky_nomem(c);
    for (size_t i = 0; i < n; i++) {
        const char *d;
        if ((st = ky_str(c, items[i], what, &d)) != KPI_OK)
            return st;
        if (!kident_valid(kstr_c(d)))
            return ky_err(c, items[i],
                          "invalid dimension '%s' in kpi '%s' (expected a field name: lowercase "
                          "letters, digits and '_')",
                          ky_show(c, items[i]), kp->id);
        for (size_t j = 0; j < kp->ndimensions; j++)
            if (strcmp(kp->dimensions[j], d) == 0)
                return ky_err(c, items[i], "duplicate dimension '%s' in kpi '%s'", d, kp->id);
        kp->dimensions[kp->ndimensions++] = d;
    }
    return KPI_OK;
}

/* The value a target sets for a dimension, or NULL. */
static const char *target_dim(const ktarget_def *t, const char *dim)
{
    for (size_t i = 0; i < t->ndims; i++)
        if (strcmp(t->dim_names[i], dim) == 0)
            return t->dim_values[i];
    return NULL;
}

/* True when two targets apply to the same period and dimension values. */
static bool same_scope(const ktarget_def *a, const ktarget_def *b)
{
    if ((a->period == NULL) != (b->period == NULL))
        return false;
    if (a->period && strcmp(a->period, b->period) != 0)
        return false;
    if (a->ndims != b->ndims)
        return false;
    for (size_t i = 0; i < a->ndims; i++) {
        const char *other = target_dim(b, a->dim_names[i]);
        if (!other || strcmp(other, a->dim_values[i]) != 0)
            return false;
    }
    return true;
}

/* A key of a target entry that is neither `value` nor `period`: one of the KPI's dimensions. */
static kpi_status target_dim_key(kyctx *c, const kkpi *kp, const kynode *k, const char **name)
{
    for (size_t i = 0; i < kp->ndimensions; i++) {
        if (kstr_eq_c((kstr){k->text, k->len}, kp->dimensions[i])) {
            *name = kp->dimensions[i];
            return KPI_OK;
        }
    }
    const char **cands = karena_alloc(c->scratch, (kp->ndimensions + 2) * sizeof *cands);
    if (!cands)
        return ky_nomem(c);
    cands[0] = "value";
    cands[1] = "period";
    for (size_t i = 0; i < kp->ndimensions; i++)
        cands[i + 2] = kp->dimensions[i];
    char hint[128];
    ksuggest_hint((kstr){k->text, k->len}, cands, kp->ndimensions + 2, hint, sizeof hint);
    if (!hint[0] && kp->ndimensions == 0)
        snprintf(hint, sizeof hint, " (kpi '%s' has no 'dimensions')", kp->id);
    else if (!hint[0])
        snprintf(hint, sizeof hint, " (expected 'value', 'period' or one of its dimensions)");
    return ky_err(c, k, "unknown dimension '%s' in target of kpi '%s'%s", ky_show(c, k), kp->id,
                  hint);
}

/* One entry of `targets:`: {value: 40}, {period: 2026-Q4, value: 42}, {rep: Ana, value: 45}. */
static kpi_status load_target(kyctx *c, kkpi *kp, const kynode *item, ktarget_def *t)
{
    char where[96], what[128];
    snprintf(where, sizeof where, "in target of kpi '%s'", kp->id);
    if (item->type != KY_MAP)
        return ky_err(c, item,
                      "expected a map like {value: 40, period: 2026-Q4} for target of kpi '%s', "
                      "not %s",
                      kp->id, ky_kind(item));
    t->loc = ky_loc(c, item);
    size_t n = item->nitems / 2;
    t->dim_names = karena_alloc(&c->cfg->arena, n * sizeof *t->dim_names);
    t->dim_values = karena_alloc(&c->cfg->arena, n * sizeof *t->dim_values);
    if (n && (!t->dim_names || !t->dim_values))
        return ky_nomem(c);
    const kynode *value = NULL, *period = NULL;
    kpi_status st;
    KY_FOR_PAIRS(item, k, v)
    {
        if ((st = ky_key_name(c, k, where)) != KPI_OK)
            return st;
        kstr key = {k->text, k->len};
        const kynode **slot = kstr_eq_c(key, "value")    ? &value
                              : kstr_eq_c(key, "period") ? &period
                                                         : NULL;
        if (slot) {
            if (*slot)
                return ky_err(c, k, "duplicate key '%s' %s (first at line %lu)", k->text, where,
                              (*slot)->line);
            *slot = v;
            snprintf(what, sizeof what, "'%s' %s", k->text, where);
            st = slot == &value ? ky_number(c, v, what, &t->value) : ky_str(c, v, what, &t->period);
            if (st != KPI_OK)
                return st;
            continue;
        }
        const char *dim = NULL;
        if ((st = target_dim_key(c, kp, k, &dim)) != KPI_OK)
            return st;
        if (target_dim(t, dim))
            return ky_err(c, k, "duplicate key '%s' %s", dim, where);
        snprintf(what, sizeof what, "'%s' %s", dim, where);
        if ((st = ky_str(c, v, what, &t->dim_values[t->ndims])) != KPI_OK)
            return st;
        t->dim_names[t->ndims++] = dim;
    }
    if (!value)
        return ky_err(c, item, "missing 'value' %s", where);
    return KPI_OK;
}

static kpi_status load_targets(kyctx *c, kkpi *kp, const kynode *v)
{
    if (v->type == KY_NULL)
        return KPI_OK;
    if (v->type != KY_SEQ)
        return ky_err(c, v, "expected a list for 'targets' in kpi '%s', not %s", kp->id,
                      ky_kind(v));
    if (v->nitems == 0)
        return KPI_OK;
    if (!(kp->targets = karena_alloc(&c->cfg->arena, v->nitems * sizeof *kp->targets)))
        return ky_nomem(c);
    for (const kynode *item = v->child; item; item = item->next) {
        ktarget_def *t = &kp->targets[kp->ntargets];
        kpi_status st = load_target(c, kp, item, t);
        if (st != KPI_OK)
            return st;
        for (size_t i = 0; i < kp->ntargets; i++)
            if (same_scope(&kp->targets[i], t))
                return ky_err(c, item,
                              "duplicate target in kpi '%s': same period and dimensions as the "
                              "target at line %lu",
                              kp->id, kp->targets[i].loc.line);
        kp->ntargets++;
    }
    return KPI_OK;
}

/* `thresholds: {at_risk: 0.9, on_track: 1}` - attainment bands, 0 < at_risk <= on_track. */
static kpi_status load_thresholds(kyctx *c, kkpi *kp, const kynode *v)
{
    char where[96], what[128];
    snprintf(where, sizeof where, "in 'thresholds' of kpi '%s'", kp->id);
    snprintf(what, sizeof what, "'thresholds' in kpi '%s'", kp->id);
    if (v->type == KY_NULL)
        return KPI_OK;
    kpi_status st = ky_expect_map(c, v, what);
    if (st != KPI_OK)
        return st;
    const kynode *keys[2], *vals[2];
    if ((st = ky_keys(c, v, threshold_keys, 2, where, keys, vals)) != KPI_OK)
        return st;
    double *out[2] = {&kp->at_risk, &kp->on_track};
    for (int i = 0; i < 2; i++) {
        snprintf(what, sizeof what, "'%s' %s", threshold_keys[i], where);
        if (vals[i] && (st = ky_number(c, vals[i], what, out[i])) != KPI_OK)
            return st;
    }
    if (!(kp->at_risk > 0 && kp->at_risk <= kp->on_track))
        return ky_err(c,
                      vals[0]   ? vals[0]
                      : vals[1] ? vals[1]
                                : v,
                      "thresholds of kpi '%s' must satisfy 0 < at_risk <= on_track (at_risk is "
                      "%g, on_track is %g)",
                      kp->id, kp->at_risk, kp->on_track);
    return KPI_OK;
}

/* The simple keys: strings, booleans and names from a fixed list. */
static kpi_status load_scalars(kyctx *c, kkpi *kp, const kynode **vals)
{
    char what[128], for_kpi[96];
    snprintf(for_kpi, sizeof for_kpi, "for kpi '%s'", kp->id);
    kpi_status st = KPI_OK;
#define WHAT(key) (snprintf(what, sizeof what, "'%s' in kpi '%s'", key, kp->id), what)
    if (vals[KK_NAME] && (st = ky_str(c, vals[KK_NAME], WHAT("name"), &kp->name)) != KPI_OK)
        return st;
    if (vals[KK_DESCRIPTION] &&
        (st = ky_str(c, vals[KK_DESCRIPTION], WHAT("description"), &kp->description)) != KPI_OK)
        return st;
    if (vals[KK_DEPARTMENT] &&
        (st = ky_str(c, vals[KK_DEPARTMENT], WHAT("department"), &kp->department)) != KPI_OK)
        return st;
    if (vals[KK_OWNER] && (st = ky_str(c, vals[KK_OWNER], WHAT("owner"), &kp->owner)) != KPI_OK)
        return st;
    if (vals[KK_FORMULA]) {
        if ((st = ky_str(c, vals[KK_FORMULA], WHAT("formula"), &kp->formula)) != KPI_OK)
            return st;
        kp->formula_loc = ky_text_loc(c, vals[KK_FORMULA]);
    }
    if (vals[KK_MANUAL] &&
        (st = ky_bool(c, vals[KK_MANUAL], WHAT("manual"), &kp->manual)) != KPI_OK)
        return st;
#undef WHAT
    const char *units[NUNITS];
    for (int i = 0; i < NUNITS; i++)
        units[i] = kkpi_unit_name((kkpi_unit)i);
    size_t i;
    if (vals[KK_UNIT]) {
        if ((st = ky_enum(c, vals[KK_UNIT], "unit", for_kpi, units, NUNITS, &i)) != KPI_OK)
            return st;
        kp->unit = (kkpi_unit)i;
    }
    if (vals[KK_DIRECTION]) {
        if ((st = ky_enum(c, vals[KK_DIRECTION], "direction", for_kpi, direction_names, 2, &i)) !=
            KPI_OK)
            return st;
        kp->direction_up = i == 0;
    }
    if (vals[KK_GRAIN]) {
        if ((st = ky_enum(c, vals[KK_GRAIN], "grain", for_kpi, grain_names, NGRAINS, &i)) != KPI_OK)
            return st;
        kp->grain = grain_names[i];
    }
    if (vals[KK_SPLIT]) {
        if ((st = ky_enum(c, vals[KK_SPLIT], "split", for_kpi, split_names, 1, &i)) != KPI_OK)
            return st;
        kp->split_last_year = true;
    }
    return KPI_OK;
}

/* Starts KPI k: a valid id, not seen before; *out is its slot in cfg->kpis, not yet counted. */
static kpi_status start_kpi(kyctx *c, const kynode *k, kkpi **out)
{
    if (!kident_valid((kstr){k->text, k->len}))
        return ky_err(c, k,
                      "invalid kpi id '%s' (expected lowercase letters, digits and '_', not "
                      "starting with a digit, at most 63 characters)",
                      ky_show(c, k));
    if (c->cfg->nkpis >= c->kpis_cap)
        return ky_nomem(c); /* cannot happen: room was counted before */
    kkpi *kp = &c->cfg->kpis[c->cfg->nkpis];
    if (!(kp->id = karena_strndup(&c->cfg->arena, k->text, k->len)))
        return ky_nomem(c);
    kp->loc = ky_loc(c, k);
    kp->name = kp->id;
    kp->unit = KUNIT_NUMBER;
    kp->direction_up = true;
    kp->grain = DEFAULT_GRAIN;
    kp->at_risk = DEFAULT_AT_RISK;
    kp->on_track = DEFAULT_ON_TRACK;
    const kkpi *prev = kyset_put(&c->kpi_ids, kp->id, k->len, kp);
    if (prev == kp)
        return ky_nomem(c);
    if (prev)
        return ky_err(c, k, "duplicate kpi '%s' (first defined at %s:%lu:%lu)", kp->id,
                      prev->loc.file, prev->loc.line, prev->loc.column);
    *out = kp;
    return KPI_OK;
}

/* The definition of a started KPI. */
static kpi_status load_kpi(kyctx *c, kkpi *kp, const kynode *k, const kynode *v)
{
    char where[96], what[96];
    snprintf(where, sizeof where, "in kpi '%s'", kp->id);
    snprintf(what, sizeof what, "kpi '%s'", kp->id);
    kpi_status st = ky_expect_map(c, v, what);
    if (st != KPI_OK)
        return st;
    const kynode *keys[KK_N], *vals[KK_N];
    if ((st = ky_keys(c, v, kpi_keys, KK_N, where, keys, vals)) != KPI_OK)
        return st;
    if ((st = load_scalars(c, kp, vals)) != KPI_OK)
        return st;
    if (kp->formula && kp->manual)
        return ky_err(c, keys[KK_MANUAL],
                      "kpi '%s' has both a 'formula' and 'manual: true' (keep one)", kp->id);
    if (!kp->formula && !kp->manual)
        return ky_err(c, k,
                      "missing 'formula' in kpi '%s' (or 'manual: true' for values people "
                      "enter)",
                      kp->id);
    kp->decimals = kp->unit == KUNIT_COUNT ? 0 : kp->unit == KUNIT_CURRENCY ? 2 : 1;
    snprintf(what, sizeof what, "'decimals' in kpi '%s'", kp->id);
    if (vals[KK_DECIMALS] &&
        (st = ky_int(c, vals[KK_DECIMALS], what, 0, 9, &kp->decimals)) != KPI_OK)
        return st;
    if (vals[KK_TAGS] && (st = load_tags(c, kp, vals[KK_TAGS])) != KPI_OK)
        return st;
    if (vals[KK_DIMENSIONS] && (st = load_dimensions(c, kp, vals[KK_DIMENSIONS])) != KPI_OK)
        return st;
    if ((st = kmodel_load_kpi_metrics(c, kp, vals[KK_METRICS])) != KPI_OK)
        return st;
    if (vals[KK_TARGETS] && (st = load_targets(c, kp, vals[KK_TARGETS])) != KPI_OK)
        return st;
    if (vals[KK_THRESHOLDS] && (st = load_thresholds(c, kp, vals[KK_THRESHOLDS])) != KPI_OK)
        return st;
    return KPI_OK;
}

kpi_status ky_problem(kyctx *c, const kpi_error **out)
{
    const kpi_error *copy = kcfg_add_problem(c->cfg, c->err);
    if (!copy)
        return ky_nomem(c);
    kpi_error_init(c->err);
    if (out)
        *out = copy;
    return KPI_OK;
}

/*
 * A KPI whose definition has a mistake is kept, marked broken, with what it could be given
 * (its id, name, department...): `kpi list` and the report show it in its place. Its formula
 * is dropped, so that nothing computes it.
 */
static kpi_status keep_broken(kyctx *c, kkpi *kp)
{
    kpi_status st = ky_problem(c, &kp->broken);
    kp->formula = NULL;
    kp->manual = false;
    kp->ntargets = 0;
    c->cfg->nkpis++;
    return st;
}

kpi_status kmodel_load_kpis(kyctx *c, const kynode *section)
{
    if (section->type == KY_NULL)
        return KPI_OK;
    kpi_status st = ky_expect_map(c, section, "'kpis'");
    if (st != KPI_OK)
        return st;
    KY_FOR_PAIRS(section, k, v)
    {
        kkpi *kp = NULL;
        if ((st = ky_key_name(c, k, "in 'kpis'")) == KPI_OK &&
            (st = start_kpi(c, k, &kp)) == KPI_OK)
            st = load_kpi(c, kp, k, v);
        if (st == KPI_OK)
            c->cfg->nkpis++;
        else if (st == KPI_DEFINITION)
            st = kp ? keep_broken(c, kp) : ky_problem(c, NULL);
        if (st != KPI_OK)
            return st;
    }
    return KPI_OK;
}
