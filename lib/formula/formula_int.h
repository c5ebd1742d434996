/*
 * formula_int.h - internals shared by the files of the formula layer: the formula source with
 * its mapping from byte offsets to kpi.yaml line:column and the error messages with a caret
 * under the offending token (lexer.c), the tokens, and the names of the aggregates, functions
 * and reserved words that the parser, binder and printer all need (parser.c).
 */
#ifndef KPI_FORMULA_INT_H
#define KPI_FORMULA_INT_H

#include "formula.h"

/* Formulas longer than this are refused; it also bounds the depth of every tree walk. */
#define KF_MAX_TEXT 16384
/* Nesting of parentheses, unary operators and calls, so that recursion stays shallow. */
#define KF_MAX_DEPTH 64

/* Returns from the calling function when x fails. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        kpi_status try_st_ = (x);                                                                  \
        if (try_st_ != KPI_OK)                                                                     \
            return try_st_;                                                                        \
    } while (0)

/* ---- the source of a formula ------------------------------------------------------------ */

/* The text of one formula and where it starts in its file. text may be NULL (binding a tree
 * whose text is unknown): errors then carry the location but no quoted line. */
typedef struct kfsrc {
    const char *text;
    size_t len;
    kloc base;
} kfsrc;

/* The file:line:column of a byte offset in the text (columns count characters). */
kloc kfsrc_loc(const kfsrc *s, size_t offset);
/* The byte offset of a location kfsrc_loc gave; 0 when it is not in the text. */
size_t kfsrc_offset(const kfsrc *s, kloc loc);

/*
 * Sets a KPI_DEFINITION error at a byte offset: the message, then the formula line and a caret
 * under the offset ("msg\n  sum(orders.x\n              ^"). Returns KPI_DEFINITION.
 */
kpi_status kfsrc_error(const kfsrc *s, size_t offset, kpi_error *err, const char *fmt, ...)
    KPI_PRINTF(4, 5);
/* The same at a node's location. */
kpi_status kfsrc_error_loc(const kfsrc *s, kloc loc, kpi_error *err, const char *fmt, ...)
    KPI_PRINTF(4, 5);
kpi_status kfsrc_verror(const kfsrc *s, size_t offset, kpi_error *err, const char *fmt, va_list ap);

/* ---- tokens ----------------------------------------------------------------------------- */

typedef enum ktok_kind {
    KT_END,
    KT_NUM,    /* 12, 0.5, 1e3 */
    KT_IDENT,  /* revenue, sum, where */
    KT_NAME,   /* stream.field */
    KT_STRING, /* "won", with \" and \\ */
    KT_PLUS,
    KT_MINUS,
    KT_STAR,
    KT_SLASH,
    KT_EQ,
    KT_NE,
    KT_LT,
    KT_LE,
    KT_GT,
    KT_GE,
    KT_LPAREN,
    KT_RPAREN,
    KT_COMMA,
    KT_COLON
} ktok_kind;

typedef struct ktok {
    ktok_kind kind;
    size_t pos, len; /* bytes of the text; KT_END: just after the last non-space byte */
    size_t dot;      /* KT_NAME: offset of the '.' from pos */
    double num;      /* KT_NUM */
} ktok;

/* Reads the token at *pos and moves *pos past it. Lexical errors (a stray character, an
 * unterminated string, a number out of range) are reported through err with a caret. */
kpi_status klex_next(const kfsrc *s, size_t *pos, ktok *out, kpi_error *err);

/* The unescaped value of a KT_STRING token, NUL-terminated in arena; NULL when out of memory. */
char *klex_string(karena *arena, const kfsrc *s, const ktok *t);

/* True when the token is the identifier `word`. */
bool ktok_is(const kfsrc *s, const ktok *t, const char *word);

/* ---- names of the language -------------------------------------------------------------- */

/* Indexed by kagg_fn and kfunc. */
extern const char *const kf_agg_names[];
extern const char *const kf_func_names[];
#define KF_NAGGS 10
#define KF_NFUNCS 13

/* Words that cannot name a KPI or a bare field: where and or not in is null true false. */
bool kf_reserved(const char *p, size_t n);

#endif
