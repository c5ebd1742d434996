/*
 * values.c - from located YAML nodes to typed values: the checked getters every section loader
 * uses (strings, booleans, strict numbers, names from a list, key sets), the error helper that
 * puts file:line:column on each message, and a small set of names for "duplicate" checks.
 */
#include "model_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors -------------------------------------------------------------------------------- */

kpi_status ky_err(kyctx *c, const kynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kerr_vset_at(c->err, KPI_DEFINITION, c->doc ? c->doc->file : NULL, at ? at->line : 0,
                 at ? at->column : 0, fmt, ap);
    va_end(ap);
    return KPI_DEFINITION;
}

kpi_status ky_nomem(kyctx *c)
{
    return kerr_set(c->err, KPI_NOMEM, "out of memory");
}

kloc ky_loc(const kyctx *c, const kynode *n)
{
    return (kloc){c->doc ? c->doc->file : NULL, n ? n->line : 0, n ? n->column : 0};
}

kloc ky_text_loc(const kyctx *c, const kynode *n)
{
    kloc loc = ky_loc(c, n);
    if (!c->doc || n->pos >= c->doc->len)
        return loc;
    if (n->style == KYS_QUOTED) {
        char q = c->doc->text[n->pos];
        if (q == '"' || q == '\'')
            loc.column++;
        return loc;
    }
    if (n->style != KYS_BLOCK)
        return loc;
    /* a block scalar's mark is the start of its first content line: skip the indentation */
    for (size_t i = n->pos; i < c->doc->len; i++) {
        char ch = c->doc->text[i];
        if (ch == ' ' || ch == '\t') {
            loc.column++;
        } else if (ch == '\n') {
            loc.line++;
            loc.column = 1;
        } else if (ch != '\r') {
            break;
        }
    }
    return loc;
}

const char *ky_show(kyctx *c, const kynode *n)
{
    if (!n || (n->type != KY_SCALAR && n->type != KY_NULL))
        return "?";
    size_t len = n->len > 64 ? 64 : n->len;
    char *s = karena_alloc(c->scratch, len + 4);
    if (!s)
        return "?";
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)n->text[i];
        s[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    if (len < n->len) {
        /* do not cut a UTF-8 sequence in half */
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        memcpy(s + len, "...", 4);
    }
    return s;
}

const char *ky_kind(const kynode *n)
{
    if (!n || n->type == KY_NULL)
        return "an empty value";
    if (n->type == KY_MAP)
        return "a map";
    if (n->type == KY_SEQ)
        return "a list";
    return "a scalar";
}

/* ---- checked getters ----------------------------------------------------------------------- */

kpi_status ky_expect_map(kyctx *c, const kynode *v, const char *what)
{
    if (v->type == KY_MAP)
        return KPI_OK;
    return ky_err(c, v, "expected a map for %s, not %s", what, ky_kind(v));
}

/* A scalar with a value: "missing value" for empty ones, "expected ..." for collections. */
static kpi_status need_scalar(kyctx *c, const kynode *v, const char *what, const char *expected)
{
    if (v->type == KY_SCALAR)
        return KPI_OK;
    if (v->type == KY_NULL)
        return ky_err(c, v, "missing value for %s (expected %s)", what, expected);
    return ky_err(c, v, "expected %s for %s, not %s", expected, what, ky_kind(v));
}

kpi_status ky_str(kyctx *c, const kynode *v, const char *what, const char **out)
{
    kpi_status st = need_scalar(c, v, what, "a string");
    if (st != KPI_OK)
        return st;
    if (kstr_trim((kstr){v->text, v->len}).n == 0)
        return ky_err(c, v, "%s must not be empty", what);
    if (memchr(v->text, '\0', v->len))
        return ky_err(c, v, "%s must not contain a nul character", what);
    char *s = karena_strndup(&c->cfg->arena, v->text, v->len);
    if (!s)
        return ky_nomem(c);
    *out = s;
    return KPI_OK;
}

kpi_status ky_bool(kyctx *c, const kynode *v, const char *what, bool *out)
{
    kpi_status st = need_scalar(c, v, what, "true or false");
    if (st != KPI_OK)
        return st;
    kstr s = {v->text, v->len};
    if (kstr_ieq_c(s, "true") || kstr_ieq_c(s, "yes")) {
        *out = true;
        return KPI_OK;
    }
    if (kstr_ieq_c(s, "false") || kstr_ieq_c(s, "no")) {
        *out = false;
        return KPI_OK;
    }
    return ky_err(c, v, "expected true or false for %s, not '%s'", what, ky_show(c, v));
}

/* [+-]digits with nothing else; false on overflow. */
static bool parse_long(const char *s, size_t n, long *out)
{
    size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == n)
        return false;
    for (size_t j = i; j < n; j++)
        if (s[j] < '0' || s[j] > '9')
            return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || end != s + n)
        return false;
    *out = v;
    return true;
}

kpi_status ky_int(kyctx *c, const kynode *v, const char *what, long lo, long hi, int *out)
{
    char expected[96];
    snprintf(expected, sizeof expected, "an integer from %ld to %ld", lo, hi);
    kpi_status st = need_scalar(c, v, what, expected);
    if (st != KPI_OK)
        return st;
    long x;
    if (!parse_long(v->text, v->len, &x) || x < lo || x > hi)
        return ky_err(c, v, "expected %s for %s, not '%s'", expected, what, ky_show(c, v));
    *out = (int)x;
    return KPI_OK;
}

/* A decimal number: [+-]digits[.digits][e[+-]digits], or [+-].digits; no hex, inf or nan. */
static bool parse_number(const char *s, size_t n, double *out)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, exp++;
        if (!exp)
            return false;
    }
    if (i != n)
        return false;
    errno = 0;
    char *end;
    double d = strtod(s, &end);
    if (end != s + n || errno == ERANGE)
        return false;
    *out = d;
    return true;
}

kpi_status ky_number(kyctx *c, const kynode *v, const char *what, double *out)
{
    kpi_status st = need_scalar(c, v, what, "a number");
    if (st != KPI_OK)
        return st;
    if (!parse_number(v->text, v->len, out))
        return ky_err(c, v, "expected a number for %s, not '%s'", what, ky_show(c, v));
    return KPI_OK;
}

kpi_status ky_enum(kyctx *c, const kynode *v, const char *noun, const char *where,
                   const char *const *names, size_t n, size_t *out)
{
    char expected[256] = "one of";
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", i == 0 ? " " : ", ", names[i]);
    }
    char what[160];
    snprintf(what, sizeof what, "'%s' %s", noun, where);
    kpi_status st = need_scalar(c, v, what, expected);
    if (st != KPI_OK)
        return st;
    kstr s = {v->text, v->len};
    for (size_t i = 0; i < n; i++) {
        if (kstr_eq_c(s, names[i])) {
            *out = i;
            return KPI_OK;
        }
    }
    char hint[128];
    ksuggest_hint(s, names, n, hint, sizeof hint);
    if (hint[0])
        return ky_err(c, v, "unknown %s '%s' %s%s", noun, ky_show(c, v), where, hint);
    return ky_err(c, v, "unknown %s '%s' %s (expected %s)", noun, ky_show(c, v), where, expected);
}

kpi_status ky_list(kyctx *c, const kynode *v, const char *what, const kynode ***items, size_t *n)
{
    if (v->type == KY_NULL) {
        *items = NULL;
        *n = 0;
        return KPI_OK;
    }
    if (v->type == KY_MAP)
        return ky_err(c, v, "expected a list for %s, not a map", what);
    size_t count = v->type == KY_SEQ ? v->nitems : 1;
    const kynode **arr = karena_alloc(c->scratch, (count ? count : 1) * sizeof *arr);
    if (!arr)
        return ky_nomem(c);
    if (v->type == KY_SCALAR) {
        arr[0] = v;
    } else {
        size_t i = 0;
        for (const kynode *it = v->child; it; it = it->next)
            arr[i++] = it;
    }
    *items = arr;
    *n = count;
    return KPI_OK;
}

kpi_status ky_key_name(kyctx *c, const kynode *key, const char *where)
{
    if (key->type == KY_SCALAR && key->len > 0)
        return KPI_OK;
    return ky_err(c, key, "expected a name as key %s, not %s", where, ky_kind(key));
}

kpi_status ky_keys(kyctx *c, const kynode *map, const char *const *known, size_t n,
                   const char *where, const kynode **keys, const kynode **vals)
{
    for (size_t i = 0; i < n; i++)
        keys[i] = vals[i] = NULL;
    KY_FOR_PAIRS(map, k, v)
    {
        kpi_status st = ky_key_name(c, k, where);
        if (st != KPI_OK)
            return st;
        kstr name = {k->text, k->len};
        size_t i = 0;
        while (i < n && !kstr_eq_c(name, known[i]))
            i++;
        if (i == n) {
            char hint[128];
            ksuggest_hint(name, known, n, hint, sizeof hint);
            return ky_err(c, k, "unknown key '%s' %s%s", ky_show(c, k), where, hint);
        }
        if (keys[i])
            return ky_err(c, k, "duplicate key '%s' %s (first at line %lu)", known[i], where,
                          keys[i]->line);
        keys[i] = k;
        vals[i] = v;
    }
    return KPI_OK;
}

/* ---- name sets ------------------------------------------------------------------------------- */

void kyset_init(kyset *s, karena *a)
{
    *s = (kyset){.arena = a};
}

static size_t hash(const char *p, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * UINT64_C(1099511628211);
    return (size_t)h;
}

static bool grow(kyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16, bytes;
    if (!kmul_size(cap, sizeof(kyset_slot), &bytes))
        return false;
    kyset_slot *slots = karena_alloc(s->arena, bytes);
    if (!slots)
        return false;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].p)
            continue;
        size_t j = hash(s->slots[i].p, s->slots[i].n) & (cap - 1);
        while (slots[j].p)
            j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    s->slots = slots;
    s->cap = cap;
    return true;
}

const void *kyset_put(kyset *s, const char *p, size_t n, const void *item)
{
    if ((s->count + 1) * 2 > s->cap && !grow(s))
        return item;
    size_t j = hash(p, n) & (s->cap - 1);
    while (s->slots[j].p) {
        if (s->slots[j].n == n && memcmp(s->slots[j].p, p, n) == 0)
            return s->slots[j].item;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = (kyset_slot){p, n, item};
    s->count++;
    return NULL;
}
