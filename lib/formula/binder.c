/*
 * binder.c - a parsed formula against the workspace definitions: stream, field and KPI names
 * resolved (an unknown one gets the nearest existing name as a suggestion), row expressions
 * and conditions typed against their fields, and literals turned into the representation the
 * store keeps for the field they are compared with.
 */
#include "formula_int.h"

#include "../util/ktime.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct binder {
    const kconfig *cfg;
    const kkpi *self;
    kfsrc src;
    kpi_error *err;
    ktz *tz; /* the workspace zone, opened for the first time literal */
} binder;

#define FAIL(b, loc, ...) kfsrc_error_loc(&(b)->src, (loc), (b)->err, __VA_ARGS__)

/* Indexed by kpi_field_type. */
static const char *const type_names[] = {"time", "date", "number", "integer", "text", "bool"};

/* What an aggregate computes, for "cannot take the sum of ...". Indexed by kagg_fn. */
static const char *const agg_nouns[KF_NAGGS] = {
    "count",          "sum",         "average",    "minimum",    "maximum", "median",
    "distinct count", "first value", "last value", "percentile",
};

/* ---- suggestions ------------------------------------------------------------------------ */

/*
 * Appends " (did you mean 'x'?)" to hint for the name nearest to word among n objects whose
 * name is the `const char *` at `offset` in each `stride`-byte element of base; `skip` (may be
 * NULL) is left out. Without memory for the list, there is simply no hint.
 */
static void hint_from(kstr word, const void *base, size_t n, size_t stride, size_t offset,
                      const void *skip, char *hint, size_t cap)
{
    hint[0] = '\0';
    const char **names = n ? malloc(n * sizeof *names) : NULL;
    if (!names)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *elem = (const char *)base + i * stride;
        names[i] = elem == skip ? NULL : *(const char *const *)(const void *)(elem + offset);
    }
    ksuggest_hint(word, names, n, hint, cap);
    free(names);
}

static kpi_status unknown_stream(binder *b, const char *name, kloc loc)
{
    char hint[96];
    hint_from(kstr_c(name), b->cfg->streams, b->cfg->nstreams, sizeof(kstream),
              offsetof(kstream, name), NULL, hint, sizeof hint);
    return FAIL(b, loc, "unknown stream '%.64s'%s", name, hint);
}

static kpi_status unknown_field(binder *b, const kstream *s, const char *name, kloc loc)
{
    char hint[96];
    hint_from(kstr_c(name), s->fields, s->nfields, sizeof(kfield), offsetof(kfield, name), NULL,
              hint, sizeof hint);
    return FAIL(b, loc, "unknown field '%.64s' in stream '%s'%s", name, s->name, hint);
}

static kpi_status find_stream(binder *b, const char *name, kloc loc, const kstream **out)
{
    if (!(*out = kcfg_stream(b->cfg, kstr_c(name))))
        return unknown_stream(b, name, loc);
    return KPI_OK;
}

static kpi_status find_field(binder *b, const kstream *s, const char *name, kloc loc,
                             const kfield **f, size_t *index)
{
    if (!(*f = kstream_field(s, kstr_c(name))))
        return unknown_field(b, s, name, loc);
    *index = (size_t)(*f - s->fields);
    return KPI_OK;
}

/* The first stream (in definition order) that has a field called name, or NULL. */
static const kstream *stream_with_field(const kconfig *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nstreams; i++)
        if (kstream_field(&cfg->streams[i], kstr_c(name)))
            return &cfg->streams[i];
    return NULL;
}

/* ---- KPI references --------------------------------------------------------------------- */

static kpi_status bind_kpi(binder *b, kexpr *e)
{
    kstr id = kstr_c(e->kpi_id);
    if ((e->kpi = kcfg_kpi(b->cfg, id))) {
        if (e->kpi == b->self)
            return FAIL(b, e->loc, "kpi '%s' depends on itself: %s -> %s", e->kpi_id, e->kpi_id,
                        e->kpi_id);
        return KPI_OK;
    }
    if (kcfg_stream(b->cfg, id))
        return FAIL(b, e->loc, "'%s' is a stream, not a kpi (did you mean 'count(%s)'?)", e->kpi_id,
                    e->kpi_id);
    const kstream *s = stream_with_field(b->cfg, e->kpi_id);
    const kfield *f = s ? kstream_field(s, id) : NULL;
    if (f && (f->type == KPI_FIELD_NUMBER || f->type == KPI_FIELD_INTEGER))
        return FAIL(b, e->loc, "unknown kpi '%s' (did you mean 'sum(%s.%s)'?)", e->kpi_id, s->name,
                    f->name);
    char hint[96];
    hint_from(id, b->cfg->kpis, b->cfg->nkpis, sizeof(kkpi), offsetof(kkpi, id), b->self, hint,
              sizeof hint);
    return FAIL(b, e->loc, "unknown kpi '%.64s'%s", e->kpi_id, hint);
}

/* ---- row expressions -------------------------------------------------------------------- */

typedef enum rtype { RT_NUM, RT_TIME, RT_DATE, RT_OTHER } rtype;

static rtype field_rtype(const kfield *f)
{
    switch (f->type) {
    case KPI_FIELD_NUMBER:
    case KPI_FIELD_INTEGER:
        return RT_NUM;
    case KPI_FIELD_TIME:
        return RT_TIME;
    case KPI_FIELD_DATE:
        return RT_DATE;
    default:
        return RT_OTHER;
    }
}

/* A field that cannot take part in arithmetic; r is a KROW_FIELD (only fields are not numbers). */
static kpi_status arith_error(binder *b, const krow *r)
{
    const kfield *f = r->field;
    const char *why = f->type == KPI_FIELD_TIME   ? "only time - time, which gives seconds"
                      : f->type == KPI_FIELD_DATE ? "only date - date, which gives days"
                                                  : "only number and integer fields";
    return FAIL(b, r->loc, "cannot use %s field '%s' in arithmetic (%s)", type_names[f->type],
                f->name, why);
}

static kpi_status bind_row(binder *b, const kstream *s, krow *r, rtype *t)
{
    rtype ta, tb;
    switch (r->kind) {
    case KROW_NUM:
        *t = RT_NUM;
        return KPI_OK;
    case KROW_FIELD:
        TRY(find_field(b, s, r->name, r->loc, &r->field, &r->field_index));
        *t = field_rtype(r->field);
        return KPI_OK;
    case KROW_NEG:
        TRY(bind_row(b, s, r->a, &ta));
        *t = RT_NUM;
        return ta == RT_NUM ? KPI_OK : arith_error(b, r->a);
    case KROW_BIN:
        TRY(bind_row(b, s, r->a, &ta));
        TRY(bind_row(b, s, r->b, &tb));
        *t = RT_NUM;
        if (ta == RT_NUM && tb == RT_NUM)
            return KPI_OK;
        if (r->op == '-' && ta == tb && (ta == RT_TIME || ta == RT_DATE))
            return KPI_OK;
        return arith_error(b, ta != RT_NUM ? r->a : r->b);
    }
    return KPI_OK;
}

/* The value of an aggregate: what each kind of aggregate accepts. */
static kpi_status bind_agg_arg(binder *b, kexpr *e)
{
    const char *name = kf_agg_names[e->agg];
    rtype t;
    TRY(bind_row(b, e->stream, e->arg, &t));
    bool single = e->arg->kind == KROW_FIELD;
    if (e->agg == KAGG_COUNT_DISTINCT || e->agg == KAGG_FIRST || e->agg == KAGG_LAST) {
        if (!single)
            return FAIL(b, e->arg->loc, "'%s' takes a single field, not an expression", name);
        if (e->agg == KAGG_COUNT_DISTINCT)
            return KPI_OK;
    }
    if (t == RT_NUM)
        return KPI_OK;
    const kfield *f = e->arg->field; /* only a lone field can be anything but a number */
    return FAIL(b, e->arg->loc,
                "cannot take the %s of %s field '%s' (only number and integer "
                "fields%s)",
                agg_nouns[e->agg], type_names[f->type], f->name,
                t == RT_TIME   ? "; time - time gives seconds"
                : t == RT_DATE ? "; date - date gives days"
                               : "");
}

/* ---- conditions ------------------------------------------------------------------------- */

/* A literal for messages: cut at 48 bytes, control bytes as '?'. */
static const char *show(const char *s, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.48s%s", s, strlen(s) > 48 ? "..." : "");
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return buf;
}

typedef kpi_status (*lit_conv)(binder *b, const kfield *f, klit *l, char *why, size_t cap);

static kpi_status conv_time(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)f;
    if (!b->tz)
        TRY(ktz_open(b->cfg->timezone, &b->tz, b->err));
    return ktime_parse(kstr_c(l->str), NULL, b->tz, &l->stored, why, cap) ? KPI_OK : KPI_DEFINITION;
}

static kpi_status conv_date(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)b, (void)f;
    return kdate_parse(kstr_c(l->str), NULL, &l->stored, why, cap) ? KPI_OK : KPI_DEFINITION;
}

static kpi_status conv_number(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)b;
    return kdecimal_parse(kstr_c(l->str), '.', f->scale, &l->stored, why, cap) ? KPI_OK
                                                                               : KPI_DEFINITION;
}

static kpi_status conv_integer(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)b, (void)f;
    return kinteger_parse(kstr_c(l->str), '.', &l->stored, why, cap) ? KPI_OK : KPI_DEFINITION;
}

static kpi_status conv_text(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)b, (void)f, (void)why, (void)cap;
    l->stored = 0;
    return KPI_OK;
}

static kpi_status conv_bool(binder *b, const kfield *f, klit *l, char *why, size_t cap)
{
    (void)b, (void)f, (void)why, (void)cap;
    l->stored = l->num != 0;
    return KPI_OK;
}

/* How a literal is checked and stored for each field type. Indexed by kpi_field_type. */
static const struct {
    char want;        /* 's' string, 'n' number, 'b' true/false */
    const char *noun; /* "invalid <noun> ..." */
    const char *hint; /* added to a type mismatch */
    lit_conv conv;
} lit_rules[] = {
    {'s', "time", " (write a date or time as a string, like \"2026-01-31\")", conv_time},
    {'s', "date", " (write a date as a string, like \"2026-01-31\")", conv_date},
    {'n', "number", "", conv_number},
    {'n', "number", "", conv_integer},
    {'s', "text", " (write text in quotes, like \"West\")", conv_text},
    {'b', "value", " (use true or false)", conv_bool},
};

static kpi_status bind_lit(binder *b, const kfield *f, klit *l)
{
    char have = l->is_string ? 's' : l->is_bool ? 'b' : 'n';
    const char *what = have == 's'   ? "a string"
                       : have == 'n' ? "a number"
                       : l->num != 0 ? "true"
                                     : "false";
    if (have != lit_rules[f->type].want)
        return FAIL(b, l->loc, "cannot compare %s field '%s' with %s%s", type_names[f->type],
                    f->name, what, lit_rules[f->type].hint);
    char why[160] = "", shown[64], quoted[72];
    kpi_status st = lit_rules[f->type].conv(b, f, l, why, sizeof why);
    if (st != KPI_DEFINITION)
        return st;
    /* most reasons quote the value already: "not an integer '1.5'" */
    snprintf(quoted, sizeof quoted, "'%s'", l->str);
    if (strstr(why, quoted))
        return FAIL(b, l->loc, "%s for %s field '%s'", why, type_names[f->type], f->name);
    return FAIL(b, l->loc, "invalid %s '%s' for %s field '%s': %s", lit_rules[f->type].noun,
                show(l->str, shown, sizeof shown), type_names[f->type], f->name, why);
}

static kpi_status bind_cond(binder *b, const kstream *s, kcond *c)
{
    switch (c->kind) {
    case KCOND_AND:
    case KCOND_OR:
        TRY(bind_cond(b, s, c->a));
        return bind_cond(b, s, c->b);
    case KCOND_NOT:
        return bind_cond(b, s, c->a);
    case KCOND_CMP:
    case KCOND_IN:
    case KCOND_NULL:
        break;
    }
    TRY(find_field(b, s, c->name, c->loc, &c->field, &c->field_index));
    if (c->kind == KCOND_CMP && c->field->type == KPI_FIELD_BOOL && c->cmp != KCMP_EQ &&
        c->cmp != KCMP_NE)
        return FAIL(b, c->loc, "cannot order bool field '%s' (use = or !=)", c->field->name);
    for (size_t i = 0; i < c->nlits; i++)
        TRY(bind_lit(b, c->field, &c->lits[i]));
    return KPI_OK;
}

/* ---- aggregates ------------------------------------------------------------------------- */

/* The first field named in an aggregate (row expression first, then condition), or NULL. */
static const krow *first_row_field(const krow *r)
{
    if (!r || r->kind == KROW_FIELD)
        return r;
    const krow *f = first_row_field(r->a);
    return f ? f : r->kind == KROW_BIN ? first_row_field(r->b) : NULL;
}

static const kcond *first_cond_field(const kcond *c)
{
    if (!c || (c->kind != KCOND_AND && c->kind != KCOND_OR && c->kind != KCOND_NOT))
        return c;
    const kcond *f = first_cond_field(c->a);
    return f ? f : first_cond_field(c->b);
}

/* An aggregate whose fields are all written bare: say which stream.field was meant. */
static kpi_status no_stream(binder *b, const kexpr *e)
{
    const char *agg = kf_agg_names[e->agg];
    const krow *r = first_row_field(e->arg);
    const kcond *c = r ? NULL : first_cond_field(e->where);
    if (!r && !c)
        return FAIL(b, e->loc, "'%s' needs a field, written stream.field", agg);
    const char *name = r ? r->name : c->name;
    kloc loc = r ? r->loc : c->loc;
    if (kcfg_stream(b->cfg, kstr_c(name)))
        return FAIL(b, loc, "'%s' takes a field of stream '%s', written %s.field", agg, name, name);
    const kstream *s = stream_with_field(b->cfg, name);
    if (s)
        return FAIL(b, loc, "'%s' needs the stream of field '%s' (did you mean '%s.%s'?)", agg,
                    name, s->name, name);
    return FAIL(b, loc, "'%s' needs the stream of field '%.64s', written stream.field", agg, name);
}

static kpi_status bind_agg(binder *b, kexpr *e)
{
    if (!e->stream_name)
        return no_stream(b, e);
    TRY(find_stream(b, e->stream_name, e->stream_loc, &e->stream));
    if (e->arg)
        TRY(bind_agg_arg(b, e));
    return e->where ? bind_cond(b, e->stream, e->where) : KPI_OK;
}

/* ---- functions -------------------------------------------------------------------------- */

static kpi_status bind_conversion(binder *b, kexpr *e)
{
    TRY(find_stream(b, e->conv_from_name, e->conv_from_loc, &e->conv_from));
    TRY(find_stream(b, e->conv_to_name, e->conv_to_loc, &e->conv_to));
    const kfield *ff, *ft;
    TRY(find_field(b, e->conv_from, e->conv_on_name, e->conv_on_loc, &ff, &e->conv_on_from));
    TRY(find_field(b, e->conv_to, e->conv_on_name, e->conv_on_loc, &ft, &e->conv_on_to));
    if (ff->type != ft->type)
        return FAIL(b, e->conv_on_loc, "field '%s' is %s in stream '%s' but %s in stream '%s'",
                    ff->name, type_names[ff->type], e->conv_from->name, type_names[ft->type],
                    e->conv_to->name);
    return KPI_OK;
}

static kpi_status bind_expr(binder *b, kexpr *e)
{
    switch (e->kind) {
    case KX_NUM:
        return KPI_OK;
    case KX_KPI:
        return bind_kpi(b, e);
    case KX_AGG:
        return bind_agg(b, e);
    case KX_BIN:
    case KX_CMP:
    case KX_AND:
    case KX_OR:
        TRY(bind_expr(b, e->a));
        return bind_expr(b, e->b);
    case KX_NEG:
    case KX_NOT:
        return bind_expr(b, e->a);
    case KX_CALL:
        if (e->fn == KF_CONVERSION)
            return bind_conversion(b, e);
        for (size_t i = 0; i < e->nargs; i++)
            TRY(bind_expr(b, e->args[i]));
        return KPI_OK;
    }
    return KPI_OK;
}

kpi_status kformula_bind(const kconfig *cfg, const kkpi *self, kexpr *e, kpi_error *err)
{
    binder b = {.cfg = cfg, .self = self, .err = err};
    if (self && self->formula)
        b.src = (kfsrc){self->formula, strlen(self->formula), self->formula_loc};
    else if (e)
        b.src.base = e->loc;
    kpi_status st = e ? bind_expr(&b, e) : kerr_set(err, KPI_USAGE, "no formula to bind");
    ktz_close(b.tz);
    return st;
}

kpi_status kformula_bind_cond(const kconfig *cfg, const kstream *s, const char *text, kcond *c,
                              kpi_error *err)
{
    binder b = {.cfg = cfg, .err = err};
    b.src = (kfsrc){text, text ? strlen(text) : 0, c->loc};
    kpi_status st = bind_cond(&b, s, c);
    ktz_close(b.tz);
    return st;
}
