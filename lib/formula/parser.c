/*
 * parser.c - formula text to an expression tree, by recursive descent over the grammar of
 * DESIGN §1. Value expressions bind loosest to tightest: or, and, not, comparison, + -, * /,
 * unary minus. Inside an aggregate the text is a row expression over the fields of one stream
 * and an optional `where` condition; functions come from a table that gives each its
 * arguments. The parser checks only what the text alone decides; names and types are the
 * binder's (binder.c).
 */
#include "formula_int.h"

#include <stdio.h>
#include <string.h>

const char *const kf_agg_names[KF_NAGGS] = {
    "count", "sum", "avg", "min", "max", "median", "count_distinct", "first", "last", "percentile",
};

const char *const kf_func_names[KF_NFUNCS] = {
    "prev",  "ago",        "growth",   "ytd", "qtd", "mtd",   "rolling",
    "total", "conversion", "coalesce", "if",  "abs", "round",
};

static const char *const reserved_words[] = {"where", "and",  "or",   "not",  "in",
                                             "is",    "null", "true", "false"};

bool kf_reserved(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof reserved_words / sizeof reserved_words[0]; i++)
        if (strlen(reserved_words[i]) == n && memcmp(reserved_words[i], p, n) == 0)
            return true;
    return false;
}

/* The aggregate being parsed: the stream its fields must belong to, once one names it. */
typedef struct aggctx {
    const char *name;  /* "sum", for messages */
    size_t qpos, qlen; /* the stream as first written; qlen 0: not named yet */
} aggctx;

typedef struct parser {
    kfsrc src;
    karena *arena;
    kpi_error *err;
    size_t pos; /* where the lexer continues */
    ktok tok;   /* the current token */
    int depth;
    aggctx agg;
} parser;

static kpi_status parse_or(parser *p, kexpr **out);

/* ---- helpers ---------------------------------------------------------------------------- */

static kpi_status advance(parser *p)
{
    return klex_next(&p->src, &p->pos, &p->tok, p->err);
}

/* The token after the current one, without consuming anything. */
static kpi_status peek(parser *p, ktok *t)
{
    size_t pos = p->pos;
    return klex_next(&p->src, &pos, t, p->err);
}

static bool is_word(parser *p, const char *w)
{
    return ktok_is(&p->src, &p->tok, w);
}
static bool is_reserved(parser *p, const ktok *t)
{
    return t->kind == KT_IDENT && kf_reserved(p->src.text + t->pos, t->len);
}

static kpi_status nomem(parser *p)
{
    return kerr_set(p->err, KPI_NOMEM, "out of memory");
}

/* A name's length in messages: at most 64 bytes of it are shown. */
#define SHOWN(n) ((int)((n) > 64 ? 64 : (n)))

#define FAIL(p, off, ...) kfsrc_error(&(p)->src, (off), (p)->err, __VA_ARGS__)
#define FAIL_AT(p, ...) FAIL(p, (p)->tok.pos, __VA_ARGS__)

/* The current token for "unexpected X" messages: quoted (cut at 32 bytes) or "end of ...". */
static const char *tok_desc(parser *p, char *buf, size_t cap)
{
    if (p->tok.kind == KT_END)
        return "end of the formula";
    size_t n = p->tok.len > 32 ? 32 : p->tok.len;
    while (n < p->tok.len && n > 0 && (p->src.text[p->tok.pos + n] & 0xC0) == 0x80)
        n--;
    snprintf(buf, cap, "'%.*s%s'", (int)n, p->src.text + p->tok.pos, n < p->tok.len ? "..." : "");
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return buf;
}

static kpi_status unexpected(parser *p, const char *expected)
{
    char buf[48];
    return FAIL_AT(p, "unexpected %s (expected %s)", tok_desc(p, buf, sizeof buf), expected);
}

static kpi_status enter(parser *p)
{
    if (++p->depth > KF_MAX_DEPTH)
        return FAIL_AT(p, "formula nested too deeply (more than %d levels)", KF_MAX_DEPTH);
    return KPI_OK;
}

static kpi_status expect_close(parser *p, const char *what)
{
    if (p->tok.kind != KT_RPAREN)
        return FAIL_AT(p, "expected ')' %s", what);
    return advance(p);
}

static kexpr *new_expr(parser *p, kexpr_kind kind, size_t off)
{
    kexpr *e = karena_alloc(p->arena, sizeof *e);
    if (e) {
        e->kind = kind;
        e->loc = kfsrc_loc(&p->src, off);
    }
    return e;
}

static char *tok_text(parser *p, size_t off, size_t n)
{
    return karena_strndup(p->arena, p->src.text + off, n);
}

static bool is_cond(const kexpr *e)
{
    return e->kind == KX_CMP || e->kind == KX_AND || e->kind == KX_OR || e->kind == KX_NOT;
}

static kpi_status need_value(parser *p, const kexpr *e)
{
    if (!is_cond(e))
        return KPI_OK;
    return kfsrc_error_loc(&p->src, e->loc, p->err,
                           "expected a value, not a condition (a condition goes first in "
                           "if(condition, then, else))");
}

static kpi_status need_cond(parser *p, const kexpr *e, const char *msg)
{
    return is_cond(e) ? KPI_OK : kfsrc_error_loc(&p->src, e->loc, p->err, "%s", msg);
}

/* ---- row expressions: inside an aggregate ----------------------------------------------- */

/* A stream.field inside an aggregate: every such stream must be the same one. */
static kpi_status agg_qualifier(parser *p, const ktok *t)
{
    const char *q = p->src.text + t->pos;
    if (!p->agg.qlen) {
        p->agg.qpos = t->pos;
        p->agg.qlen = t->dot;
        return KPI_OK;
    }
    if (p->agg.qlen == t->dot && memcmp(p->src.text + p->agg.qpos, q, t->dot) == 0)
        return KPI_OK;
    return FAIL(p, t->pos, "field '%.*s' is not in stream '%.*s' (an aggregate reads one stream)",
                SHOWN(t->len), q, SHOWN(p->agg.qlen), p->src.text + p->agg.qpos);
}

/* The current token as a field (bare or stream.field); *name gets the field's own name. */
static kpi_status field_name(parser *p, const char **name)
{
    size_t skip = 0;
    if (p->tok.kind == KT_NAME) {
        TRY(agg_qualifier(p, &p->tok));
        skip = p->tok.dot + 1;
    }
    if (!(*name = tok_text(p, p->tok.pos + skip, p->tok.len - skip)))
        return nomem(p);
    return advance(p);
}

static krow *new_row(parser *p, krow_kind kind, size_t off)
{
    krow *r = karena_alloc(p->arena, sizeof *r);
    if (r) {
        r->kind = kind;
        r->loc = kfsrc_loc(&p->src, off);
    }
    return r;
}

static kpi_status row_add(parser *p, krow **out);

static kpi_status row_atom(parser *p, krow **out)
{
    size_t at = p->tok.pos;
    if (p->tok.kind == KT_NUM) {
        if (!(*out = new_row(p, KROW_NUM, at)))
            return nomem(p);
        (*out)->num = p->tok.num;
        return advance(p);
    }
    if (p->tok.kind == KT_LPAREN) {
        TRY(enter(p));
        TRY(advance(p));
        TRY(row_add(p, out));
        TRY(expect_close(p, "to close '('"));
        p->depth--;
        return KPI_OK;
    }
    if (p->tok.kind == KT_NAME || (p->tok.kind == KT_IDENT && !is_reserved(p, &p->tok))) {
        ktok next;
        TRY(peek(p, &next));
        if (next.kind == KT_LPAREN)
            return FAIL_AT(p,
                           "functions cannot be used inside '%s' (only fields, numbers and "
                           "+ - * /)",
                           p->agg.name);
        if (!(*out = new_row(p, KROW_FIELD, at)))
            return nomem(p);
        return field_name(p, &(*out)->name);
    }
    return unexpected(p, "a field or a number");
}

static kpi_status row_unary(parser *p, krow **out)
{
    if (p->tok.kind != KT_MINUS)
        return row_atom(p, out);
    if (!(*out = new_row(p, KROW_NEG, p->tok.pos)))
        return nomem(p);
    TRY(enter(p));
    TRY(advance(p));
    TRY(row_unary(p, &(*out)->a));
    p->depth--;
    return KPI_OK;
}

/* One left-associative level of row arithmetic: ops are the operator characters it takes. */
static kpi_status row_level(parser *p, krow **out, const char *ops,
                            kpi_status (*operand)(parser *, krow **))
{
    TRY(operand(p, out));
    for (;;) {
        ktok_kind k = p->tok.kind;
        char op = k == KT_PLUS    ? '+'
                  : k == KT_MINUS ? '-'
                  : k == KT_STAR  ? '*'
                  : k == KT_SLASH ? '/'
                                  : 0;
        if (!op || !strchr(ops, op))
            return KPI_OK;
        krow *r = new_row(p, KROW_BIN, p->tok.pos);
        if (!r)
            return nomem(p);
        r->op = op;
        r->a = *out;
        TRY(advance(p));
        TRY(operand(p, &r->b));
        *out = r;
    }
}

static kpi_status row_mul(parser *p, krow **out)
{
    return row_level(p, out, "*/", row_unary);
}
static kpi_status row_add(parser *p, krow **out)
{
    return row_level(p, out, "+-", row_mul);
}

/* ---- conditions: after `where` ---------------------------------------------------------- */

static const struct {
    ktok_kind tok;
    kcmp cmp;
} cmp_tokens[] = {{KT_EQ, KCMP_EQ}, {KT_NE, KCMP_NE}, {KT_LT, KCMP_LT},
                  {KT_LE, KCMP_LE}, {KT_GT, KCMP_GT}, {KT_GE, KCMP_GE}};

static bool tok_cmp(const ktok *t, kcmp *out)
{
    for (size_t i = 0; i < sizeof cmp_tokens / sizeof cmp_tokens[0]; i++)
        if (cmp_tokens[i].tok == t->kind) {
            *out = cmp_tokens[i].cmp;
            return true;
        }
    return false;
}

/* A literal after an operator (`after` is its text): number, -number, string, true, false. */
static kpi_status literal(parser *p, klit *l, const char *after)
{
    l->loc = kfsrc_loc(&p->src, p->tok.pos);
    bool neg = p->tok.kind == KT_MINUS;
    size_t start = p->tok.pos;
    if (neg)
        TRY(advance(p));
    if (p->tok.kind == KT_NUM) {
        l->num = neg ? -p->tok.num : p->tok.num;
        l->str = karena_printf(p->arena, "%s%.*s", neg ? "-" : "", (int)p->tok.len,
                               p->src.text + p->tok.pos);
        return l->str ? advance(p) : nomem(p);
    }
    if (neg)
        return FAIL(p, start, "expected a number after '-'");
    if (p->tok.kind == KT_STRING) {
        l->is_string = true;
        if (!(l->str = klex_string(p->arena, &p->src, &p->tok)))
            return nomem(p);
        return advance(p);
    }
    if (is_word(p, "true") || is_word(p, "false")) {
        l->is_bool = true;
        l->num = is_word(p, "true");
        return advance(p);
    }
    if (is_word(p, "null"))
        return FAIL_AT(p, "use 'is null' or 'is not null' to test for a missing value");
    char buf[48];
    return FAIL_AT(p, "unexpected %s after '%s' (expected a number, a \"string\", true or false)",
                   tok_desc(p, buf, sizeof buf), after);
}

/* `in (lit, lit, ...)`, the current token being the '(' */
static kpi_status literal_list(parser *p, kcond *c)
{
    if (p->tok.kind != KT_LPAREN)
        return FAIL_AT(p, "expected '(' and a list of values after 'in'");
    size_t cap = 0;
    const char *after = "(";
    for (;;) {
        TRY(advance(p));
        if (c->nlits == cap) {
            size_t ncap = cap ? cap * 2 : 4, bytes;
            klit *n;
            if (!kmul_size(ncap, sizeof *n, &bytes) || !(n = karena_alloc(p->arena, bytes)))
                return nomem(p);
            if (c->nlits)
                memcpy(n, c->lits, c->nlits * sizeof *n);
            c->lits = n;
            cap = ncap;
        }
        TRY(literal(p, &c->lits[c->nlits++], after));
        after = ",";
        if (p->tok.kind == KT_RPAREN)
            return advance(p);
        if (p->tok.kind != KT_COMMA)
            return FAIL_AT(p, "expected ',' or ')' in the list of values after 'in'");
    }
}

/* What follows the field of a condition: op literal, [not] in (...), is [not] null. */
static kpi_status cond_test(parser *p, kcond *c)
{
    if (tok_cmp(&p->tok, &c->cmp)) {
        c->kind = KCOND_CMP;
        char op[4];
        snprintf(op, sizeof op, "%.*s", (int)p->tok.len, p->src.text + p->tok.pos);
        if (!(c->lits = karena_alloc(p->arena, sizeof *c->lits)))
            return nomem(p);
        c->nlits = 1;
        TRY(advance(p));
        return literal(p, c->lits, op);
    }
    if (is_word(p, "not") || is_word(p, "in")) {
        c->kind = KCOND_IN;
        c->negate = is_word(p, "not");
        if (c->negate) {
            TRY(advance(p));
            if (!is_word(p, "in"))
                return FAIL_AT(p, "expected 'in' after 'not'");
        }
        TRY(advance(p));
        return literal_list(p, c);
    }
    if (is_word(p, "is")) {
        c->kind = KCOND_NULL;
        TRY(advance(p));
        if ((c->negate = is_word(p, "not")))
            TRY(advance(p));
        if (!is_word(p, "null"))
            return FAIL_AT(p, "expected 'null' after 'is%s'", c->negate ? " not" : "");
        return advance(p);
    }
    return unexpected(p, "= != < <= > >= in, not in or is null after a field");
}

static kpi_status cond_or(parser *p, kcond **out);

static kcond *new_cond(parser *p, kcond_kind kind, size_t off)
{
    kcond *c = karena_alloc(p->arena, sizeof *c);
    if (c) {
        c->kind = kind;
        c->loc = kfsrc_loc(&p->src, off);
    }
    return c;
}

static kpi_status cond_atom(parser *p, kcond **out)
{
    if (p->tok.kind == KT_LPAREN) {
        TRY(enter(p));
        TRY(advance(p));
        TRY(cond_or(p, out));
        TRY(expect_close(p, "to close '('"));
        p->depth--;
        return KPI_OK;
    }
    if (p->tok.kind != KT_NAME && (p->tok.kind != KT_IDENT || is_reserved(p, &p->tok)))
        return unexpected(p, "a field to test, as in region = \"West\"");
    kcond *c = new_cond(p, KCOND_CMP, p->tok.pos);
    if (!c)
        return nomem(p);
    TRY(field_name(p, &c->name));
    *out = c;
    return cond_test(p, c);
}

static kpi_status cond_not(parser *p, kcond **out)
{
    if (!is_word(p, "not"))
        return cond_atom(p, out);
    if (!(*out = new_cond(p, KCOND_NOT, p->tok.pos)))
        return nomem(p);
    TRY(enter(p));
    TRY(advance(p));
    TRY(cond_not(p, &(*out)->a));
    p->depth--;
    return KPI_OK;
}

static kpi_status cond_level(parser *p, kcond **out, const char *word, kcond_kind kind,
                             kpi_status (*operand)(parser *, kcond **))
{
    TRY(operand(p, out));
    while (is_word(p, word)) {
        kcond *c = new_cond(p, kind, p->tok.pos);
        if (!c)
            return nomem(p);
        c->a = *out;
        TRY(advance(p));
        TRY(operand(p, &c->b));
        *out = c;
    }
    return KPI_OK;
}

static kpi_status cond_and(parser *p, kcond **out)
{
    return cond_level(p, out, "and", KCOND_AND, cond_not);
}
static kpi_status cond_or(parser *p, kcond **out)
{
    return cond_level(p, out, "or", KCOND_OR, cond_and);
}

/* ---- aggregates ------------------------------------------------------------------------- */

/* count's argument: a stream name, not a field. */
static kpi_status count_stream(parser *p)
{
    if (p->tok.kind == KT_NAME) {
        const char *t = p->src.text + p->tok.pos;
        int sn = SHOWN(p->tok.dot), fn = SHOWN(p->tok.len - p->tok.dot - 1);
        return FAIL_AT(p,
                       "'count' counts the rows of a stream: count(%.*s), or count(%.*s where "
                       "%.*s is not null) for the rows with a value",
                       sn, t, sn, t, fn, t + sn + 1);
    }
    if (p->tok.kind != KT_IDENT || is_reserved(p, &p->tok))
        return unexpected(p, "a stream name after 'count('");
    p->agg.qpos = p->tok.pos;
    p->agg.qlen = p->tok.len;
    return advance(p);
}

static kpi_status percentile_pct(parser *p, kexpr *e)
{
    static const char msg[] = "'percentile' takes a value and a percentage from 0 to 100";
    if (p->tok.kind != KT_COMMA)
        return FAIL_AT(p, msg);
    TRY(advance(p));
    if (p->tok.kind != KT_NUM || !(p->tok.num >= 0 && p->tok.num <= 100))
        return FAIL_AT(p, msg);
    e->pct = p->tok.num;
    return advance(p);
}

static kpi_status parse_agg(parser *p, kagg_fn fn, size_t at, kexpr **out)
{
    kexpr *e = new_expr(p, KX_AGG, at);
    if (!e)
        return nomem(p);
    e->agg = fn;
    const char *name = kf_agg_names[fn];
    p->agg = (aggctx){.name = name};
    if (fn == KAGG_COUNT)
        TRY(count_stream(p));
    else
        TRY(row_add(p, &e->arg));
    if (fn == KAGG_PERCENTILE)
        TRY(percentile_pct(p, e));
    if (is_word(p, "where")) {
        TRY(advance(p));
        TRY(cond_or(p, &e->where));
    }
    if (p->tok.kind == KT_COMMA && fn != KAGG_PERCENTILE)
        return FAIL_AT(p, "'%s' takes one %s and an optional 'where': %s(%s where ...)", name,
                       fn == KAGG_COUNT ? "stream" : "value", name,
                       fn == KAGG_COUNT ? "stream" : "stream.field");
    if (p->tok.kind != KT_RPAREN)
        return FAIL_AT(p, "expected ')' after the arguments of '%s'", name);
    if (p->agg.qlen) {
        if (!(e->stream_name = tok_text(p, p->agg.qpos, p->agg.qlen)))
            return nomem(p);
        e->stream_loc = kfsrc_loc(&p->src, p->agg.qpos);
    } else {
        e->stream_loc = e->loc;
    }
    p->agg = (aggctx){0};
    *out = e;
    return advance(p);
}

/* ---- functions -------------------------------------------------------------------------- */

typedef struct kfdef kfdef;
typedef kpi_status (*kf_parse_fn)(parser *p, const kfdef *d, kexpr *e);

/*
 * A function of the language. args gives its arguments in order: v a value, c a condition,
 * s a shift string ("1y"), n a number of periods, d a number of digits; '?' after one makes it
 * optional, '+' repeats the one before.
 */
struct kfdef {
    kfunc fn;
    const char *args;
    const char *usage;
    kf_parse_fn parse;
};

static kpi_status parse_args(parser *p, const kfdef *d, kexpr *e);
static kpi_status parse_conversion(parser *p, const kfdef *d, kexpr *e);

static const kfdef functions[KF_NFUNCS] = {
    {KF_PREV, "v", "prev(x)", parse_args},
    {KF_AGO, "vs", "ago(x, \"1y\")", parse_args},
    {KF_GROWTH, "v", "growth(x)", parse_args},
    {KF_YTD, "v", "ytd(x)", parse_args},
    {KF_QTD, "v", "qtd(x)", parse_args},
    {KF_MTD, "v", "mtd(x)", parse_args},
    {KF_ROLLING, "vn", "rolling(x, 3)", parse_args},
    {KF_TOTAL, "v", "total(x)", parse_args},
    {KF_CONVERSION, "", "conversion(leads, customers, on: email, within: \"90d\")",
     parse_conversion},
    {KF_COALESCE, "vv+", "coalesce(x, y)", parse_args},
    {KF_IF, "cvv", "if(condition, then, else)", parse_args},
    {KF_ABS, "v", "abs(x)", parse_args},
    {KF_ROUND, "vd?", "round(x, 2)", parse_args},
};

#define MAX_ARGS 16

/* "'round' takes 1 or 2 arguments: round(x, 2)", at the token that broke the count. */
static kpi_status arity(parser *p, const kfdef *d)
{
    int need = 0, opt = 0;
    bool more = false;
    for (const char *k = d->args; *k; k++) {
        if (*k == '+')
            more = true;
        else if (*k == '?')
            need--, opt++;
        else
            need++;
    }
    char count[48];
    if (more)
        snprintf(count, sizeof count, "%d or more arguments", need);
    else if (opt)
        snprintf(count, sizeof count, "%d or %d arguments", need, need + opt);
    else
        snprintf(count, sizeof count, "%d argument%s", need, need == 1 ? "" : "s");
    return FAIL_AT(p, "'%s' takes %s: %s", kf_func_names[d->fn], count, d->usage);
}

/* A whole number literal, optionally negative, in lo..hi; false (nothing consumed) otherwise. */
static bool whole_number(parser *p, double lo, double hi, int *out)
{
    bool neg = p->tok.kind == KT_MINUS;
    ktok t = p->tok;
    if (neg && (peek(p, &t) != KPI_OK))
        return false;
    if (t.kind != KT_NUM)
        return false;
    double v = neg ? -t.num : t.num;
    if (!(v >= lo && v <= hi) || (double)(int)v != v)
        return false;
    if (neg && advance(p) != KPI_OK)
        return false;
    *out = (int)v;
    return advance(p) == KPI_OK;
}

/* "3m" -> 3, 'm' when unit is one of `units` and 1 <= n <= max. */
static bool parse_span(const char *s, const char *units, int max, int *n, char *unit)
{
    long v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        if ((v = v * 10 + (s[i] - '0')) > max)
            return false;
    if (i == 0 || v < 1 || !s[i] || s[i + 1] || !strchr(units, s[i]))
        return false;
    *n = (int)v;
    *unit = s[i];
    return true;
}

static kpi_status shift_arg(parser *p, kexpr *e)
{
    char *s;
    if (p->tok.kind != KT_STRING)
        return FAIL_AT(p, "'ago' takes a value and a shift like \"1y\", \"3m\", \"2w\" or \"7d\"");
    if (!(s = klex_string(p->arena, &p->src, &p->tok)))
        return nomem(p);
    if (!parse_span(s, "dwmqy", 10000, &e->shift_n, &e->shift_unit))
        return FAIL_AT(p, "'ago' takes a value and a shift like \"1y\", \"3m\", \"2w\" or \"7d\"");
    return advance(p);
}

/* One argument of kind k (see kfdef). */
static kpi_status parse_arg(parser *p, const kfdef *d, char k, kexpr *e, kexpr **vals, size_t *nv)
{
    const char *name = kf_func_names[d->fn];
    if (k == 's')
        return shift_arg(p, e);
    if (k == 'n') {
        if (!whole_number(p, 1, 10000, &e->rolling_n))
            return FAIL_AT(p, "rolling() takes a positive whole number of periods");
        return KPI_OK;
    }
    if (k == 'd') {
        if (!whole_number(p, -9, 9, &e->round_digits))
            return FAIL_AT(p, "'round' takes a whole number of digits from -9 to 9: %s", d->usage);
        return KPI_OK;
    }
    if (*nv == MAX_ARGS)
        return FAIL_AT(p, "too many arguments for '%s' (at most %d)", name, MAX_ARGS);
    kexpr *v;
    TRY(parse_or(p, &v));
    if (k == 'c')
        TRY(need_cond(p, v, "'if' takes a condition first: if(condition, then, else)"));
    else
        TRY(need_value(p, v));
    vals[(*nv)++] = v;
    return KPI_OK;
}

/* The arguments of a function that follows its kfdef.args; the current token is after '('. */
static kpi_status parse_args(parser *p, const kfdef *d, kexpr *e)
{
    kexpr *vals[MAX_ARGS];
    size_t nv = 0;
    const char *k = d->args;
    if (p->tok.kind == KT_RPAREN)
        return arity(p, d);
    for (;;) {
        char kind = *k == '+' ? k[-1] : *k;
        if (!kind)
            return arity(p, d);
        TRY(parse_arg(p, d, kind, e, vals, &nv));
        if (*k != '+' && *++k == '?')
            k++;
        if (p->tok.kind == KT_COMMA) {
            TRY(advance(p));
            continue;
        }
        if (p->tok.kind != KT_RPAREN)
            return FAIL_AT(p, "expected ',' or ')' after an argument of '%s'",
                           kf_func_names[d->fn]);
        if (*k && *k != '+' && k[1] != '?')
            return arity(p, d);
        break;
    }
    if (nv) {
        if (!(e->args = karena_alloc(p->arena, nv * sizeof *e->args)))
            return nomem(p);
        memcpy(e->args, vals, nv * sizeof *e->args);
    }
    e->nargs = nv;
    return KPI_OK;
}

/* A bare name for conversion(): a stream or the `on` field. */
static kpi_status conv_name(parser *p, const char **name, kloc *loc, const char *msg)
{
    if (p->tok.kind != KT_IDENT || is_reserved(p, &p->tok))
        return FAIL_AT(p, "%s", msg);
    *loc = kfsrc_loc(&p->src, p->tok.pos);
    if (!(*name = tok_text(p, p->tok.pos, p->tok.len)))
        return nomem(p);
    return advance(p);
}

/* `on: field` or `within: "90d"`, the current token being the name. */
static kpi_status conv_named(parser *p, kexpr *e)
{
    static const char *const names[] = {"on", "within"};
    const char *t = p->src.text + p->tok.pos;
    int which = is_word(p, "on") ? 0 : is_word(p, "within") ? 1 : -1;
    ktok colon;
    TRY(peek(p, &colon));
    if (p->tok.kind != KT_IDENT || colon.kind != KT_COLON)
        return unexpected(p, "'on: field' or 'within: \"90d\"'");
    if (which < 0) {
        char hint[96];
        ksuggest_hint((kstr){t, p->tok.len}, names, 2, hint, sizeof hint);
        return FAIL_AT(p, "unknown argument '%.*s' of 'conversion'%s", SHOWN(p->tok.len), t, hint);
    }
    if (which == 0 ? e->conv_on_name != NULL : e->conv_within_days != 0)
        return FAIL_AT(p, "duplicate argument '%s' of 'conversion'", names[which]);
    TRY(advance(p));
    TRY(advance(p));
    if (which == 0)
        return conv_name(p, &e->conv_on_name, &e->conv_on_loc,
                         "'on' takes the field that links both streams, like on: email");
    static const char msg[] = "'within' takes a number of days or weeks, like \"90d\" or \"12w\"";
    char *s, unit;
    if (p->tok.kind != KT_STRING)
        return FAIL_AT(p, msg);
    if (!(s = klex_string(p->arena, &p->src, &p->tok)))
        return nomem(p);
    if (!parse_span(s, "dw", 36500, &e->conv_within_days, &unit) ||
        (unit == 'w' && (e->conv_within_days *= 7) > 36500))
        return FAIL_AT(p, msg);
    return advance(p);
}

static kpi_status parse_conversion(parser *p, const kfdef *d, kexpr *e)
{
    char msg[160];
    snprintf(msg, sizeof msg, "'conversion' takes two stream names first: %s", d->usage);
    TRY(conv_name(p, &e->conv_from_name, &e->conv_from_loc, msg));
    if (p->tok.kind != KT_COMMA)
        return FAIL_AT(p, "%s", msg);
    TRY(advance(p));
    TRY(conv_name(p, &e->conv_to_name, &e->conv_to_loc, msg));
    while (p->tok.kind == KT_COMMA) {
        TRY(advance(p));
        TRY(conv_named(p, e));
    }
    if (p->tok.kind != KT_RPAREN)
        return FAIL_AT(p, "expected ')' after the arguments of 'conversion'");
    if (!e->conv_on_name)
        return FAIL_AT(p,
                       "'conversion' needs 'on: field', the field that links a row of '%.64s' "
                       "to one of '%.64s'",
                       e->conv_from_name, e->conv_to_name);
    return KPI_OK;
}

static kpi_status unknown_function(parser *p, const ktok *name)
{
    const char *cands[KF_NAGGS + KF_NFUNCS];
    memcpy(cands, kf_agg_names, sizeof(const char *) * KF_NAGGS);
    memcpy(cands + KF_NAGGS, kf_func_names, sizeof(const char *) * KF_NFUNCS);
    kstr w = {p->src.text + name->pos, name->len};
    char hint[96];
    ksuggest_hint(w, cands, KF_NAGGS + KF_NFUNCS, hint, sizeof hint);
    return FAIL(p, name->pos, "unknown function '%.*s'%s", SHOWN(w.n), w.p, hint);
}

/* name '(' ...: an aggregate or a function; the current token is the name. */
static kpi_status parse_call(parser *p, kexpr **out)
{
    ktok name = p->tok;
    kstr w = {p->src.text + name.pos, name.len};
    TRY(enter(p));
    TRY(advance(p)); /* the name */
    TRY(advance(p)); /* '(' */
    for (int i = 0; i < KF_NAGGS; i++) {
        if (kstr_eq_c(w, kf_agg_names[i])) {
            TRY(parse_agg(p, (kagg_fn)i, name.pos, out));
            p->depth--;
            return KPI_OK;
        }
    }
    for (int i = 0; i < KF_NFUNCS; i++) {
        if (!kstr_eq_c(w, kf_func_names[i]))
            continue;
        kexpr *e = new_expr(p, KX_CALL, name.pos);
        if (!e)
            return nomem(p);
        e->fn = functions[i].fn;
        TRY(functions[i].parse(p, &functions[i], e));
        TRY(advance(p)); /* ')' */
        p->depth--;
        *out = e;
        return KPI_OK;
    }
    return unknown_function(p, &name);
}

/* ---- value expressions ------------------------------------------------------------------ */

static kpi_status parse_primary(parser *p, kexpr **out)
{
    size_t at = p->tok.pos;
    switch (p->tok.kind) {
    case KT_NUM:
        if (!(*out = new_expr(p, KX_NUM, at)))
            return nomem(p);
        (*out)->num = p->tok.num;
        return advance(p);
    case KT_LPAREN:
        TRY(enter(p));
        TRY(advance(p));
        TRY(parse_or(p, out));
        TRY(expect_close(p, "to close '('"));
        p->depth--;
        return KPI_OK;
    case KT_NAME:
        return FAIL_AT(p, "field '%.*s' must be inside an aggregate, e.g. sum(%.*s)",
                       SHOWN(p->tok.len), p->src.text + at, SHOWN(p->tok.len), p->src.text + at);
    case KT_IDENT: {
        ktok next;
        TRY(peek(p, &next));
        if (next.kind == KT_LPAREN)
            return parse_call(p, out);
        if (is_reserved(p, &p->tok))
            break;
        if (!(*out = new_expr(p, KX_KPI, at)))
            return nomem(p);
        if (!((*out)->kpi_id = tok_text(p, at, p->tok.len)))
            return nomem(p);
        return advance(p);
    }
    default:
        break;
    }
    return unexpected(p, "a value");
}

static kpi_status parse_unary(parser *p, kexpr **out)
{
    if (p->tok.kind != KT_MINUS)
        return parse_primary(p, out);
    kexpr *e = new_expr(p, KX_NEG, p->tok.pos);
    if (!e)
        return nomem(p);
    TRY(enter(p));
    TRY(advance(p));
    TRY(parse_unary(p, &e->a));
    TRY(need_value(p, e->a));
    p->depth--;
    *out = e;
    return KPI_OK;
}

/* One left-associative level of arithmetic over values. */
static kpi_status arith_level(parser *p, kexpr **out, ktok_kind k1, ktok_kind k2,
                              kpi_status (*operand)(parser *, kexpr **))
{
    TRY(operand(p, out));
    while (p->tok.kind == k1 || p->tok.kind == k2) {
        kexpr *e = new_expr(p, KX_BIN, p->tok.pos);
        if (!e)
            return nomem(p);
        e->op = p->src.text[p->tok.pos];
        e->a = *out;
        TRY(advance(p));
        TRY(operand(p, &e->b));
        TRY(need_value(p, e->a));
        TRY(need_value(p, e->b));
        *out = e;
    }
    return KPI_OK;
}

static kpi_status parse_mul(parser *p, kexpr **out)
{
    return arith_level(p, out, KT_STAR, KT_SLASH, parse_unary);
}
static kpi_status parse_add(parser *p, kexpr **out)
{
    return arith_level(p, out, KT_PLUS, KT_MINUS, parse_mul);
}

static kpi_status parse_cmp(parser *p, kexpr **out)
{
    TRY(parse_add(p, out));
    kcmp cmp;
    if (!tok_cmp(&p->tok, &cmp))
        return KPI_OK;
    kexpr *e = new_expr(p, KX_CMP, p->tok.pos);
    if (!e)
        return nomem(p);
    e->cmp = cmp;
    e->a = *out;
    TRY(advance(p));
    TRY(parse_add(p, &e->b));
    TRY(need_value(p, e->a));
    TRY(need_value(p, e->b));
    if (tok_cmp(&p->tok, &cmp))
        return FAIL_AT(p, "comparisons cannot be chained (join them with 'and')");
    *out = e;
    return KPI_OK;
}

static kpi_status parse_not(parser *p, kexpr **out)
{
    if (!is_word(p, "not"))
        return parse_cmp(p, out);
    kexpr *e = new_expr(p, KX_NOT, p->tok.pos);
    if (!e)
        return nomem(p);
    TRY(enter(p));
    TRY(advance(p));
    TRY(parse_not(p, &e->a));
    TRY(need_cond(p, e->a, "'not' needs a condition, as in not x > 0"));
    p->depth--;
    *out = e;
    return KPI_OK;
}

static kpi_status logic_level(parser *p, kexpr **out, const char *word, kexpr_kind kind,
                              kpi_status (*operand)(parser *, kexpr **))
{
    char msg[64];
    snprintf(msg, sizeof msg, "'%s' needs a condition on each side, as in x > 0", word);
    TRY(operand(p, out));
    while (is_word(p, word)) {
        kexpr *e = new_expr(p, kind, p->tok.pos);
        if (!e)
            return nomem(p);
        e->a = *out;
        TRY(advance(p));
        TRY(operand(p, &e->b));
        TRY(need_cond(p, e->a, msg));
        TRY(need_cond(p, e->b, msg));
        *out = e;
    }
    return KPI_OK;
}

static kpi_status parse_and(parser *p, kexpr **out)
{
    return logic_level(p, out, "and", KX_AND, parse_not);
}
static kpi_status parse_or(parser *p, kexpr **out)
{
    return logic_level(p, out, "or", KX_OR, parse_and);
}

kpi_status kformula_parse(karena *arena, const char *text, kloc loc, kexpr **out, kpi_error *err)
{
    parser p = {.src = {text, text ? strlen(text) : 0, loc}, .arena = arena, .err = err};
    *out = NULL;
    if (p.src.len > KF_MAX_TEXT)
        return FAIL(&p, 0, "formula is too long (%zu bytes, at most %d)", p.src.len, KF_MAX_TEXT);
    TRY(advance(&p));
    if (p.tok.kind == KT_END)
        return FAIL(&p, 0, "empty formula");
    kexpr *e;
    TRY(parse_or(&p, &e));
    TRY(need_value(&p, e));
    if (p.tok.kind == KT_RPAREN)
        return FAIL_AT(&p, "unmatched ')'");
    if (is_word(&p, "where"))
        return FAIL_AT(&p, "'where' goes inside an aggregate, as in count(orders where ...)");
    if (p.tok.kind != KT_END)
        return unexpected(&p, "an operator or the end of the formula");
    *out = e;
    return KPI_OK;
}

kpi_status kformula_parse_cond(karena *arena, const char *text, kloc loc, kcond **out,
                               kpi_error *err)
{
    parser p = {.src = {text, text ? strlen(text) : 0, loc}, .arena = arena, .err = err};
    *out = NULL;
    if (p.src.len > KF_MAX_TEXT)
        return FAIL(&p, 0, "condition is too long (%zu bytes, at most %d)", p.src.len, KF_MAX_TEXT);
    TRY(advance(&p));
    if (p.tok.kind == KT_END)
        return FAIL(&p, 0, "empty condition");
    kcond *c;
    TRY(cond_or(&p, &c));
    if (p.tok.kind != KT_END)
        return unexpected(&p, "'and', 'or' or the end of the condition");
    *out = c;
    return KPI_OK;
}
