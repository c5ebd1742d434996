/*
 * lexer.c - the tokens of the formula language (numbers, names, stream.field, strings and
 * operators, each with its byte offset), and the formula source: how a byte offset maps to a
 * kpi.yaml line:column, and error messages that quote the formula line with a caret under the
 * offending token.
 */
#include "formula_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the source ------------------------------------------------------------------------- */

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

kloc kfsrc_loc(const kfsrc *s, size_t offset)
{
    kloc loc = s->base;
    if (!s->text)
        return loc;
    if (offset > s->len)
        offset = s->len;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (s->text[i] == '\n') {
            loc.line++;
            line_start = i + 1;
        }
    }
    /* every line is taken to start at the base column, as the lines of a `|` block do */
    loc.column = s->base.column;
    for (size_t i = line_start; i < offset; i++)
        if (!is_cont((unsigned char)s->text[i]))
            loc.column++;
    return loc;
}

size_t kfsrc_offset(const kfsrc *s, kloc loc)
{
    if (!s->text || loc.line < s->base.line || loc.column < s->base.column)
        return 0;
    size_t i = 0;
    for (unsigned long line = s->base.line; line < loc.line; line++) {
        while (i < s->len && s->text[i] != '\n')
            i++;
        if (i >= s->len)
            return 0;
        i++;
    }
    for (unsigned long col = s->base.column; col < loc.column && i < s->len; col++) {
        if (s->text[i] == '\n')
            break;
        i++;
        while (i < s->len && is_cont((unsigned char)s->text[i]))
            i++;
    }
    return i;
}

/* Longest part of a line shown around the caret, in bytes. */
#define SHOW_BEFORE 56
#define SHOW_MAX 96

/* Appends the formula line around `offset` and a caret line under it to msg. */
static void quote_line(const kfsrc *s, size_t offset, char *msg, size_t cap)
{
    const char *t = s->text;
    size_t ls = offset, le = offset;
    while (ls > 0 && t[ls - 1] != '\n')
        ls--;
    while (le < s->len && t[le] != '\n' && t[le] != '\r')
        le++;
    size_t from = ls, to = le;
    if (offset - from > SHOW_BEFORE) {
        from = offset - SHOW_BEFORE;
        while (from < offset && is_cont((unsigned char)t[from]))
            from++;
    }
    if (to - from > SHOW_MAX) {
        to = from + SHOW_MAX;
        while (to > offset && is_cont((unsigned char)t[to]))
            to--;
    }
    char line[SHOW_MAX + 16], pad[SHOW_MAX + 16];
    size_t nl = 0, np = 0;
    if (from > ls) {
        memcpy(line, "...", 3), memcpy(pad, "   ", 3);
        nl = np = 3;
    }
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)t[i];
        line[nl++] = c < 0x20 && c != '\t' ? '?' : c == 0x7f ? '?' : (char)c;
        if (i < offset && !is_cont(c))
            pad[np++] = c == '\t' ? '\t' : ' ';
    }
    if (to < le)
        memcpy(line + nl, "...", 3), nl += 3;
    line[nl] = pad[np] = '\0';
    size_t used = strlen(msg);
    snprintf(msg + used, cap - used, "\n  %s\n  %s^", line, pad);
}

kpi_status kfsrc_verror(const kfsrc *s, size_t offset, kpi_error *err, const char *fmt, va_list ap)
{
    char msg[1400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (offset > s->len)
        offset = s->len;
    kloc loc = kfsrc_loc(s, offset);
    if (s->text)
        quote_line(s, offset, msg, sizeof msg);
    return kerr_set_at(err, KPI_DEFINITION, loc.file, loc.line, loc.column, "%s", msg);
}

kpi_status kfsrc_error(const kfsrc *s, size_t offset, kpi_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kpi_status st = kfsrc_verror(s, offset, err, fmt, ap);
    va_end(ap);
    return st;
}

kpi_status kfsrc_error_loc(const kfsrc *s, kloc loc, kpi_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kpi_status st;
    if (s->text) {
        st = kfsrc_verror(s, kfsrc_offset(s, loc), err, fmt, ap);
    } else {
        char msg[1400];
        vsnprintf(msg, sizeof msg, fmt, ap);
        st = kerr_set_at(err, KPI_DEFINITION, loc.file, loc.line, loc.column, "%s", msg);
    }
    va_end(ap);
    return st;
}

/* ---- tokens ----------------------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_ident(char c)
{
    return is_ident_start(c) || is_digit(c);
}
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Operators, longest first; kind -1 marks a spelling we refuse with a hint. */
static const struct {
    const char *text;
    int kind;
    const char *hint;
} operators[] = {
    {"!=", KT_NE, NULL},    {"<=", KT_LE, NULL},     {">=", KT_GE, NULL},    {"==", -1, "use '='"},
    {"<>", -1, "use '!='"}, {"&&", -1, "use 'and'"}, {"||", -1, "use 'or'"}, {"+", KT_PLUS, NULL},
    {"-", KT_MINUS, NULL},  {"*", KT_STAR, NULL},    {"/", KT_SLASH, NULL},  {"=", KT_EQ, NULL},
    {"<", KT_LT, NULL},     {">", KT_GT, NULL},      {"(", KT_LPAREN, NULL}, {")", KT_RPAREN, NULL},
    {",", KT_COMMA, NULL},  {":", KT_COLON, NULL},   {"!", -1, "use 'not'"},
};

/* Where the end token is reported: just after the last non-space byte. */
static size_t end_pos(const kfsrc *s)
{
    size_t n = s->len;
    while (n > 0 && is_space(s->text[n - 1]))
        n--;
    return n;
}

static kpi_status lex_number(const kfsrc *s, size_t i, ktok *t, kpi_error *err)
{
    const char *p = s->text;
    size_t n = s->len, j = i;
    while (j < n && is_digit(p[j]))
        j++;
    if (j + 1 < n && p[j] == '.' && is_digit(p[j + 1]))
        for (j++; j < n && is_digit(p[j]); j++)
            ;
    if (j < n && (p[j] == 'e' || p[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (p[k] == '+' || p[k] == '-'))
            k++;
        if (k < n && is_digit(p[k]))
            for (j = k; j < n && is_digit(p[j]); j++)
                ;
    }
    if (j < n && (is_ident(p[j]) || p[j] == '.')) {
        size_t k = j;
        while (k < n && (is_ident(p[k]) || p[k] == '.'))
            k++;
        int shown = k - i > 64 ? 64 : (int)(k - i);
        return kfsrc_error(s, i, err, "invalid number '%.*s'", shown, p + i);
    }
    char buf[64];
    if (j - i >= sizeof buf)
        return kfsrc_error(s, i, err, "number '%.20s...' has too many digits", p + i);
    memcpy(buf, p + i, j - i);
    buf[j - i] = '\0';
    t->kind = KT_NUM;
    t->len = j - i;
    t->num = strtod(buf, NULL);
    if (!isfinite(t->num))
        return kfsrc_error(s, i, err, "number '%s' is too large", buf);
    return KPI_OK;
}

static void lex_ident(const kfsrc *s, size_t i, ktok *t)
{
    const char *p = s->text;
    size_t n = s->len, j = i;
    while (j < n && is_ident(p[j]))
        j++;
    t->kind = KT_IDENT;
    if (j + 1 < n && p[j] == '.' && is_ident_start(p[j + 1])) {
        t->kind = KT_NAME;
        t->dot = j - i;
        for (j++; j < n && is_ident(p[j]); j++)
            ;
    }
    t->len = j - i;
}

/* A string in double quotes (or single quotes, as SQL users write them): \q and \\ escape. */
static kpi_status lex_string(const kfsrc *s, size_t i, ktok *t, kpi_error *err)
{
    const char *p = s->text;
    char q = p[i];
    for (size_t j = i + 1; j < s->len && p[j] != '\n'; j++) {
        if (p[j] == q) {
            t->kind = KT_STRING;
            t->len = j + 1 - i;
            return KPI_OK;
        }
        if (p[j] != '\\')
            continue;
        if (j + 1 < s->len && (p[j + 1] == q || p[j + 1] == '\\')) {
            j++;
            continue;
        }
        unsigned char e = j + 1 < s->len ? (unsigned char)p[j + 1] : 0;
        if (e < 0x20)
            break;
        if (e >= 0x7f)
            return kfsrc_error(s, j, err, "invalid escape in a string (only \\%c and \\\\)", q);
        return kfsrc_error(s, j, err, "invalid escape '\\%c' in a string (only \\%c and \\\\)", e,
                           q);
    }
    return kfsrc_error(s, i, err, "unterminated string (it must end with %c on the same line)", q);
}

/* A character that starts no token: shown as itself when printable, else as a byte. */
static kpi_status stray(const kfsrc *s, size_t i, kpi_error *err)
{
    unsigned char c = (unsigned char)s->text[i];
    if (c >= 0x20 && c < 0x7f)
        return kfsrc_error(s, i, err, "unexpected character '%c'", c);
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n && i + n <= s->len && kutf8_valid_prefix(s->text + i, n) == n)
        return kfsrc_error(s, i, err, "unexpected character '%.*s'", (int)n, s->text + i);
    return kfsrc_error(s, i, err, "unexpected byte 0x%02x", c);
}

kpi_status klex_next(const kfsrc *s, size_t *pos, ktok *t, kpi_error *err)
{
    const char *p = s->text;
    size_t i = *pos;
    while (i < s->len && is_space(p[i]))
        i++;
    *t = (ktok){.kind = KT_END, .pos = i};
    kpi_status st = KPI_OK;
    if (i >= s->len) {
        t->pos = end_pos(s);
        *pos = i;
        return KPI_OK;
    }
    if (is_digit(p[i]) || (p[i] == '.' && i + 1 < s->len && is_digit(p[i + 1]))) {
        st = lex_number(s, i, t, err);
    } else if (is_ident_start(p[i])) {
        lex_ident(s, i, t);
    } else if (p[i] == '"' || p[i] == '\'') {
        st = lex_string(s, i, t, err);
    } else {
        size_t k = 0, nops = sizeof operators / sizeof operators[0];
        for (; k < nops; k++) {
            size_t n = strlen(operators[k].text);
            if (i + n <= s->len && memcmp(p + i, operators[k].text, n) == 0)
                break;
        }
        if (k == nops)
            return stray(s, i, err);
        if (operators[k].kind < 0)
            return kfsrc_error(s, i, err, "unexpected '%s' (%s)", operators[k].text,
                               operators[k].hint);
        t->kind = (ktok_kind)operators[k].kind;
        t->len = strlen(operators[k].text);
    }
    if (st == KPI_OK)
        *pos = i + t->len;
    return st;
}

char *klex_string(karena *arena, const kfsrc *s, const ktok *t)
{
    char *out = karena_alloc(arena, t->len);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = t->pos + 1; i + 1 < t->pos + t->len; i++) {
        if (s->text[i] == '\\')
            i++;
        out[n++] = s->text[i];
    }
    out[n] = '\0';
    return out;
}

bool ktok_is(const kfsrc *s, const ktok *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == KT_IDENT && t->len == n && memcmp(s->text + t->pos, word, n) == 0;
}
