/*
 * formula.h - the KPI formula language of DESIGN §1: lexer, parser, binder and printer.
 * A formula is parsed into an expression tree (kexpr) allocated in an arena, then bound against
 * the workspace definitions: stream, field and KPI names resolved (with "did you mean"), types
 * checked, literals in conditions converted to the stored representation of their field, and
 * cycles between KPIs refused. The planner and engine walk the bound tree.
 */
#ifndef KPI_FORMULA_H
#define KPI_FORMULA_H

#include "../model/model.h"

typedef enum kagg_fn {
    KAGG_COUNT,
    KAGG_SUM,
    KAGG_AVG,
    KAGG_MIN,
    KAGG_MAX,
    KAGG_MEDIAN,
    KAGG_COUNT_DISTINCT,
    KAGG_FIRST,
    KAGG_LAST,
    KAGG_PERCENTILE
} kagg_fn;

typedef enum kcmp { KCMP_EQ, KCMP_NE, KCMP_LT, KCMP_LE, KCMP_GT, KCMP_GE } kcmp;

/* ---- row expressions: over the fields of one stream, evaluated per row ---- */

typedef enum krow_kind { KROW_FIELD, KROW_NUM, KROW_BIN, KROW_NEG } krow_kind;

typedef struct krow {
    krow_kind kind;
    kloc loc;
    char op;             /* KROW_BIN: + - * / */
    struct krow *a, *b;  /* KROW_BIN (a, b), KROW_NEG (a) */
    double num;          /* KROW_NUM */
    const char *name;    /* KROW_FIELD: as written ("orders.revenue" -> "revenue") */
    const kfield *field; /* bound */
    size_t field_index;  /* bound: index in the stream's fields */
} krow;

/* ---- conditions: `where` filters over the fields of the aggregate's stream ---- */

typedef enum kcond_kind {
    KCOND_CMP,  /* field op literal */
    KCOND_IN,   /* field in (literal, ...) */
    KCOND_NULL, /* field is null / is not null (negate) */
    KCOND_AND,
    KCOND_OR,
    KCOND_NOT
} kcond_kind;

/* A literal in a condition. After binding, `stored` holds the value in the representation the
 * store uses for the field (time: us UTC — a date literal "2026-01-01" is midnight in the
 * workspace zone; date: days; number: scaled integer; integer; bool 0/1); text keeps `str`. */
typedef struct klit {
    bool is_string;
    const char *str; /* string literal, unescaped; a number keeps its text as written ("-1.50") */
    double num;      /* numeric literal as written */
    bool is_bool;    /* true / false */
    int64_t stored;  /* bound, non-text fields */
    kloc loc;
} klit;

typedef struct kcond {
    kcond_kind kind;
    kloc loc;
    kcmp cmp;            /* KCOND_CMP */
    const char *name;    /* the field as written */
    const kfield *field; /* bound */
    size_t field_index;
    klit *lits; /* KCOND_CMP: 1; KCOND_IN: n */
    size_t nlits;
    bool negate;         /* KCOND_NULL: "is not null"; KCOND_IN: "not in" */
    struct kcond *a, *b; /* AND / OR (a, b), NOT (a) */
} kcond;

/* ---- value expressions ---- */

typedef enum kexpr_kind {
    KX_NUM,
    KX_KPI, /* another KPI by id */
    KX_AGG, /* an aggregate over one stream */
    KX_BIN, /* + - * / */
    KX_NEG,
    KX_CALL, /* a function of DESIGN §1 */
    KX_CMP,  /* a comparison of two values, inside if() */
    KX_AND,
    KX_OR,
    KX_NOT
} kexpr_kind;

typedef enum kfunc {
    KF_PREV,   /* prev(x) */
    KF_AGO,    /* ago(x, "1y") — shift: n + unit (d w m q y) */
    KF_GROWTH, /* growth(x) = (x - prev(x)) / |prev(x)| */
    KF_YTD,    /* ytd(x), qtd(x), mtd(x): x over the to-date slice */
    KF_QTD,
    KF_MTD,
    KF_ROLLING,    /* rolling(x, n): x over the last n periods (n a positive integer literal) */
    KF_TOTAL,      /* total(x): x without the breakdown */
    KF_CONVERSION, /* conversion(from_stream, to_stream, on: field, within: "90d") */
    KF_COALESCE,
    KF_IF,
    KF_ABS,
    KF_ROUND /* round(x, n) */
} kfunc;

typedef struct kexpr {
    kexpr_kind kind;
    kloc loc;
    double num; /* KX_NUM */
    /* KX_KPI */
    const char *kpi_id;
    const kkpi *kpi; /* bound */
    /* KX_AGG */
    kagg_fn agg;
    const char *stream_name;
    const kstream *stream; /* bound */
    kloc stream_loc;       /* where the stream is named: count(stream), else 1st stream.field */
    krow *arg;             /* NULL for count(stream) */
    double pct;            /* percentile: 0..100 */
    kcond *where;          /* NULL: every row */
    /* KX_BIN, KX_NEG, KX_CMP, KX_AND, KX_OR, KX_NOT */
    char op;  /* KX_BIN: + - * / */
    kcmp cmp; /* KX_CMP */
    struct kexpr *a, *b;
    /* KX_CALL */
    kfunc fn;
    struct kexpr **args;
    size_t nargs;
    int shift_n;      /* ago: the count ("3m" -> 3) */
    char shift_unit;  /* ago: 'd' 'w' 'm' 'q' 'y' */
    int rolling_n;    /* rolling: periods */
    int round_digits; /* round */
    /* conversion(from, to, on: field, within: "90d") */
    const kstream *conv_from, *conv_to;
    const char *conv_from_name, *conv_to_name, *conv_on_name;
    size_t conv_on_from, conv_on_to; /* bound: field indexes of `on` in each stream */
    kloc conv_from_loc, conv_to_loc, conv_on_loc;
    int conv_within_days; /* 0: no limit (`within:` left out) */
} kexpr;

/*
 * Parses formula text. `loc` is where the text starts in its file (kkpi.formula_loc: the model
 * already points past an opening quote or a block scalar's indentation; a line after the first
 * is taken to start at loc's column, as in a `|` block). Errors name file:line:column of the
 * offending token, and the message continues with the formula line and a caret under it:
 *   "unexpected ')' (expected a value)\n  sum(orders.revenue))\n                     ^"
 * Everything is allocated in `arena`.
 */
kpi_status kformula_parse(karena *arena, const char *text, kloc loc, kexpr **out, kpi_error *err);

/*
 * Binds a parsed formula of KPI `self` against cfg: streams, fields and KPI ids resolved (unknown
 * names get the nearest existing name as a suggestion), row expressions only over number/integer
 * fields (and time - time = seconds, date - date = days), conditions typed against their field,
 * `first`/`last` need a field, `count_distinct` any field. Date literals compared with time
 * fields are read in cfg->timezone.
 */
kpi_status kformula_bind(const kconfig *cfg, const kkpi *self, kexpr *e, kpi_error *err);

/* Parses and binds every KPI formula of cfg; out[i] is the tree of cfg->kpis[i] (NULL for manual
 * KPIs). Refuses cycles ("kpi 'a' depends on itself: a -> b -> a") at the location of the first
 * KPI of the cycle. */
kpi_status kformula_compile_all(const kconfig *cfg, karena *arena, kexpr ***out, kpi_error *err);

/*
 * Like kformula_compile_all, keeping going: a KPI that is broken - in its definition
 * (kkpi.broken), its formula (does not parse or bind), a cycle, or because it uses a broken
 * KPI - gets a NULL tree and (*broken)[i] its mistake (in arena); the others compile.
 * Fails only when out of memory.
 */
kpi_status kformula_compile_each(const kconfig *cfg, karena *arena, kexpr ***out,
                                 const kpi_error ***broken, kpi_error *err);

/* Parses a stand-alone condition (`kpi query --where 'region = "West"'`): the `cond` grammar
 * of DESIGN §1 over bare field names. */
kpi_status kformula_parse_cond(karena *arena, const char *text, kloc loc, kcond **out,
                               kpi_error *err);

/* Binds a condition parsed from `text` to the fields of stream s (each stream a query reads gets
 * its own parsed copy, since field indexes differ). */
kpi_status kformula_bind_cond(const kconfig *cfg, const kstream *s, const char *text, kcond *c,
                              kpi_error *err);

/* Appends the canonical text of an expression (fully parenthesised only where needed); parsing
 * the printed text gives the same tree. */
bool kformula_print(const kexpr *e, kbuf *out);

#endif
