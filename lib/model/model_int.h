/*
 * model_int.h - internals shared by the files of the model layer: a small YAML tree in which
 * every node remembers its file:line:column (built from libfyaml's event stream, see yaml.c),
 * the checked getters that turn its scalars into typed values with precise error messages
 * (values.c), and the section loaders (streams.c, kpis.c) that config.c drives.
 */
#ifndef KPI_MODEL_INT_H
#define KPI_MODEL_INT_H

#include "model.h"

/* ---- the located YAML tree ------------------------------------------------------------- */

typedef enum kytype {
    KY_NULL,   /* an empty value, or a plain ~ / null */
    KY_SCALAR, /* any other scalar, text as written (escapes resolved) */
    KY_MAP,
    KY_SEQ
} kytype;

typedef enum kystyle { KYS_PLAIN, KYS_QUOTED, KYS_BLOCK } kystyle;

typedef struct kynode kynode;
struct kynode {
    kytype type;
    kystyle style;
    const char *text; /* scalars: NUL-terminated (may hold inner NULs only if quoted "\0") */
    size_t len;
    unsigned long line, column; /* 1-based */
    size_t pos;                 /* byte offset in the input of where line:column points */
    kynode *child;              /* maps: key, value, key, value...; sequences: the items */
    kynode *next;               /* the next sibling */
    size_t nitems;              /* children: 2 per map entry, 1 per sequence item */
};

/* One YAML file being loaded. */
typedef struct kydoc {
    const char *file; /* label used in locations; lives in the config's arena */
    const char *text; /* the input, NUL-terminated */
    size_t len;
    kynode *root; /* NULL for an empty document */
    bool main;    /* the kpi.yaml itself, not an included file */
} kydoc;

/* A set of names with an item each (first definitions, for "duplicate" errors). */
typedef struct kyset_slot {
    const char *p;
    size_t n;
    const void *item;
} kyset_slot;

typedef struct kyset {
    kyset_slot *slots;
    size_t cap; /* a power of two; 0 before the first put */
    size_t count;
    karena *arena;
} kyset;

/* What a loader works with: the config being filled, a scratch arena for the trees, the error. */
typedef struct kyctx {
    kconfig *cfg;
    karena *scratch;
    kpi_error *err;
    const kydoc *doc;   /* the file being walked */
    kyset stream_names; /* name -> const kstream* */
    kyset kpi_ids;      /* id -> const kkpi* */
    size_t streams_cap; /* room in cfg->streams / cfg->kpis */
    size_t kpis_cap;
} kyctx;

/*
 * Parses doc->text into doc->root (nodes in c->scratch). YAML syntax errors, invalid UTF-8,
 * NUL bytes, aliases, several documents and absurd nesting are KPI_DEFINITION errors at their
 * file:line:column; nothing is printed.
 */
kpi_status ky_parse(kyctx *c, kydoc *doc);

/* Iteration over a map's entries: for (k = m->child; k; k = k->next->next) v = k->next. */
#define KY_FOR_PAIRS(map, k, v)                                                                    \
    for (const kynode *k = (map)->child, *v = k ? k->next : NULL; k && v;                          \
         k = v->next, v = k ? k->next : NULL)

/* ---- errors and checked getters -------------------------------------------------------- */

/* Sets a KPI_DEFINITION error at the node's location and returns KPI_DEFINITION. */
kpi_status ky_err(kyctx *c, const kynode *at, const char *fmt, ...) KPI_PRINTF(3, 4);
kpi_status ky_nomem(kyctx *c);
/* Moves the error just set on c->err into cfg->problems (*out: the copy, when out is non-NULL)
 * and clears c->err; KPI_OK, or KPI_NOMEM. */
kpi_status ky_problem(kyctx *c, const kpi_error **out);
/* The node's location in the config (file in the config's arena). */
kloc ky_loc(const kyctx *c, const kynode *n);
/* Where a scalar's text starts (after a block scalar's indentation): for formula_loc. */
kloc ky_text_loc(const kyctx *c, const kynode *n);
/* A scalar's text made safe to quote in a message: at most 64 bytes, control bytes as '?'. */
const char *ky_show(kyctx *c, const kynode *n);
/* "a map", "a list", "a scalar", "an empty value": for "expected X, not Y". */
const char *ky_kind(const kynode *n);

/*
 * Each getter checks one value and fails with a message naming `what` (e.g. "'kind' in stream
 * 'orders'") and what was expected. Strings are copied into the config's arena.
 */
kpi_status ky_expect_map(kyctx *c, const kynode *v, const char *what);
kpi_status ky_str(kyctx *c, const kynode *v, const char *what, const char **out);
kpi_status ky_bool(kyctx *c, const kynode *v, const char *what, bool *out);
kpi_status ky_int(kyctx *c, const kynode *v, const char *what, long lo, long hi, int *out);
kpi_status ky_number(kyctx *c, const kynode *v, const char *what, double *out);
/*
 * One of `names` (exact); *out is its index. Unknown values read "unknown <noun> 'x' <where>"
 * with a suggestion, e.g. "unknown unit 'percnt' in kpi 'margin' (did you mean 'percent'?)".
 */
kpi_status ky_enum(kyctx *c, const kynode *v, const char *noun, const char *where,
                   const char *const *names, size_t n, size_t *out);
/* A list of scalars, or one scalar taken as a list of one. *items are in c->scratch. */
kpi_status ky_list(kyctx *c, const kynode *v, const char *what, const kynode ***items, size_t *n);

/*
 * Checks the keys of a map against `known` (n <= 32): every key a scalar, known ("unknown key
 * 'x' <where> (did you mean 'y'?)") and not repeated. keys[i] / vals[i] get the entry of
 * known[i] or NULL. `where` reads like "in stream 'orders'" or "at the top level".
 */
kpi_status ky_keys(kyctx *c, const kynode *map, const char *const *known, size_t n,
                   const char *where, const kynode **keys, const kynode **vals);
/* Checks that a map key is a usable name (a non-empty scalar); `where` as above. */
kpi_status ky_key_name(kyctx *c, const kynode *key, const char *where);

/* ---- name sets --------------------------------------------------------------------------- */

void kyset_init(kyset *s, karena *a);
/* Adds name -> item and returns NULL, or returns the item already stored under name.
 * Returns item itself (never stored) when out of memory: callers check `== item`. */
const void *kyset_put(kyset *s, const char *p, size_t n, const void *item);

/* ---- sections ---------------------------------------------------------------------------- */

/* Loads a `streams:` map into cfg->streams (room for them is already allocated). */
kpi_status kmodel_load_streams(kyctx *c, const kynode *section);
/* Loads a `kpis:` map into cfg->kpis (room for them is already allocated). */
kpi_status kmodel_load_kpis(kyctx *c, const kynode *section);

#endif
