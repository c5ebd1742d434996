/*
 * print.c - the canonical text of a formula: single spaces around operators, ", " between
 * arguments, parentheses only where precedence needs them, numbers in their shortest exact
 * form, strings in double quotes. Fields of an aggregate are written stream.field in the value
 * and bare in the condition (unless the value names no field). Parsing the printed text gives
 * the same tree, so the printed text is a stable key for a formula.
 */
#include "formula_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- atoms ------------------------------------------------------------------------------ */

/* The shortest decimal form that reads back as the same double. */
static bool put_num(kbuf *out, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    return kbuf_appends(out, buf);
}

static bool put_string(kbuf *out, const char *s)
{
    if (!kbuf_appendc(out, '"'))
        return false;
    for (; *s; s++)
        if (((*s == '"' || *s == '\\') && !kbuf_appendc(out, '\\')) || !kbuf_appendc(out, *s))
            return false;
    return kbuf_appendc(out, '"');
}

static bool put_lit(kbuf *out, const klit *l)
{
    if (l->is_string)
        return put_string(out, l->str);
    if (l->is_bool)
        return kbuf_appends(out, l->num != 0 ? "true" : "false");
    return kbuf_appends(out, l->str);
}

/* A field of an aggregate, with its stream when `qualify` (always for reserved words). */
static bool put_field(kbuf *out, const char *stream, const char *name, bool qualify)
{
    if (stream && (qualify || kf_reserved(name, strlen(name))))
        return kbuf_printf(out, "%s.%s", stream, name);
    return kbuf_appends(out, name);
}

static bool open_paren(kbuf *out, bool paren)
{
    return !paren || kbuf_appendc(out, '(');
}
static bool close_paren(kbuf *out, bool paren)
{
    return !paren || kbuf_appendc(out, ')');
}

/* ---- row expressions and conditions ----------------------------------------------------- */

static int row_prec(const krow *r)
{
    if (r->kind == KROW_BIN)
        return r->op == '+' || r->op == '-' ? 5 : 6;
    return r->kind == KROW_NEG ? 7 : 8;
}

static bool put_row(kbuf *out, const krow *r, const char *stream, int min)
{
    int prec = row_prec(r);
    bool paren = prec < min, ok = open_paren(out, paren);
    switch (r->kind) {
    case KROW_NUM:
        ok = ok && put_num(out, r->num);
        break;
    case KROW_FIELD:
        ok = ok && put_field(out, stream, r->name, true);
        break;
    case KROW_NEG:
        ok = ok && kbuf_appendc(out, '-') && put_row(out, r->a, stream, 7);
        break;
    case KROW_BIN:
        ok = ok && put_row(out, r->a, stream, prec) && kbuf_printf(out, " %c ", r->op) &&
             put_row(out, r->b, stream, prec + 1);
        break;
    }
    return ok && close_paren(out, paren);
}

static const char *const cmp_ops[] = {"=", "!=", "<", "<=", ">", ">="}; /* by kcmp */

static int cond_prec(const kcond *c)
{
    return c->kind == KCOND_OR ? 1 : c->kind == KCOND_AND ? 2 : c->kind == KCOND_NOT ? 3 : 4;
}

static bool put_cond(kbuf *out, const kcond *c, const char *stream, bool qualify, int min)
{
    int prec = cond_prec(c);
    bool paren = prec < min, ok = open_paren(out, paren);
    switch (c->kind) {
    case KCOND_AND:
    case KCOND_OR:
        ok = ok && put_cond(out, c->a, stream, qualify, prec) &&
             kbuf_appends(out, c->kind == KCOND_AND ? " and " : " or ") &&
             put_cond(out, c->b, stream, qualify, prec + 1);
        break;
    case KCOND_NOT:
        ok = ok && kbuf_appends(out, "not ") && put_cond(out, c->a, stream, qualify, prec);
        break;
    case KCOND_CMP:
        ok = ok && put_field(out, stream, c->name, qualify) &&
             kbuf_printf(out, " %s ", cmp_ops[c->cmp]) && put_lit(out, &c->lits[0]);
        break;
    case KCOND_IN:
        ok = ok && put_field(out, stream, c->name, qualify) &&
             kbuf_appends(out, c->negate ? " not in (" : " in (");
        for (size_t i = 0; ok && i < c->nlits; i++)
            ok = (i == 0 || kbuf_appends(out, ", ")) && put_lit(out, &c->lits[i]);
        ok = ok && kbuf_appendc(out, ')');
        break;
    case KCOND_NULL:
        ok = ok && put_field(out, stream, c->name, qualify) &&
             kbuf_appends(out, c->negate ? " is not null" : " is null");
        break;
    }
    return ok && close_paren(out, paren);
}

/* True when a row expression names a field (so that it tells which stream it reads). */
static bool row_has_field(const krow *r)
{
    if (!r)
        return false;
    if (r->kind == KROW_FIELD)
        return true;
    return row_has_field(r->a) || (r->kind == KROW_BIN && row_has_field(r->b));
}

static bool put_agg(kbuf *out, const kexpr *e)
{
    bool ok = kbuf_printf(out, "%s(", kf_agg_names[e->agg]);
    if (e->agg == KAGG_COUNT)
        ok = ok && kbuf_appends(out, e->stream_name ? e->stream_name : "?");
    else
        ok = ok && put_row(out, e->arg, e->stream_name, 0);
    if (e->agg == KAGG_PERCENTILE)
        ok = ok && kbuf_appends(out, ", ") && put_num(out, e->pct);
    if (e->where) {
        bool qualify = e->agg != KAGG_COUNT && !row_has_field(e->arg);
        ok = ok && kbuf_appends(out, " where ") &&
             put_cond(out, e->where, e->stream_name, qualify, 0);
    }
    return ok && kbuf_appendc(out, ')');
}

/* ---- value expressions ------------------------------------------------------------------ */

static bool put_expr(kbuf *out, const kexpr *e, int min);

static bool put_call(kbuf *out, const kexpr *e)
{
    bool ok = kbuf_printf(out, "%s(", kf_func_names[e->fn]);
    if (e->fn == KF_CONVERSION) {
        ok = ok && kbuf_printf(out, "%s, %s, on: %s", e->conv_from_name, e->conv_to_name,
                               e->conv_on_name);
        if (e->conv_within_days)
            ok = ok && kbuf_printf(out, ", within: \"%dd\"", e->conv_within_days);
        return ok && kbuf_appendc(out, ')');
    }
    for (size_t i = 0; ok && i < e->nargs; i++)
        ok = (i == 0 || kbuf_appends(out, ", ")) && put_expr(out, e->args[i], 0);
    if (e->fn == KF_AGO)
        ok = ok && kbuf_printf(out, ", \"%d%c\"", e->shift_n, e->shift_unit);
    else if (e->fn == KF_ROLLING)
        ok = ok && kbuf_printf(out, ", %d", e->rolling_n);
    else if (e->fn == KF_ROUND)
        ok = ok && kbuf_printf(out, ", %d", e->round_digits);
    return ok && kbuf_appendc(out, ')');
}

/* Binding strength: or 1, and 2, not 3, comparison 4, + - 5, * / 6, unary minus 7, atoms 8. */
static int expr_prec(const kexpr *e)
{
    switch (e->kind) {
    case KX_OR:
        return 1;
    case KX_AND:
        return 2;
    case KX_NOT:
        return 3;
    case KX_CMP:
        return 4;
    case KX_BIN:
        return e->op == '+' || e->op == '-' ? 5 : 6;
    case KX_NEG:
        return 7;
    default:
        return 8;
    }
}

static bool put_expr(kbuf *out, const kexpr *e, int min)
{
    int prec = expr_prec(e);
    bool paren = prec < min, ok = open_paren(out, paren);
    switch (e->kind) {
    case KX_NUM:
        ok = ok && put_num(out, e->num);
        break;
    case KX_KPI:
        ok = ok && kbuf_appends(out, e->kpi_id);
        break;
    case KX_AGG:
        ok = ok && put_agg(out, e);
        break;
    case KX_CALL:
        ok = ok && put_call(out, e);
        break;
    case KX_NEG:
        ok = ok && kbuf_appendc(out, '-') && put_expr(out, e->a, 7);
        break;
    case KX_NOT:
        ok = ok && kbuf_appends(out, "not ") && put_expr(out, e->a, 3);
        break;
    case KX_BIN:
        ok = ok && put_expr(out, e->a, prec) && kbuf_printf(out, " %c ", e->op) &&
             put_expr(out, e->b, prec + 1);
        break;
    case KX_CMP:
        ok = ok && put_expr(out, e->a, 5) && kbuf_printf(out, " %s ", cmp_ops[e->cmp]) &&
             put_expr(out, e->b, 5);
        break;
    case KX_AND:
    case KX_OR:
        ok = ok && put_expr(out, e->a, prec) &&
             kbuf_appends(out, e->kind == KX_AND ? " and " : " or ") &&
             put_expr(out, e->b, prec + 1);
        break;
    }
    return ok && close_paren(out, paren);
}

bool kformula_print(const kexpr *e, kbuf *out)
{
    return e && put_expr(out, e, 0);
}
