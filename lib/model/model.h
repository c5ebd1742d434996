/*
 * model.h - the definitions a workspace holds: its settings, streams with their typed fields,
 * and KPIs, as loaded and validated from kpi.yaml (and the files it includes). Every object
 * remembers where it was written (file:line:column) so later layers can point at it.
 * A kconfig owns all its memory in one arena.
 */
#ifndef KPI_MODEL_H
#define KPI_MODEL_H

#include "../util/util.h"

/* Where a definition was written. file points into the config's arena. */
typedef struct kloc {
    const char *file;
    unsigned long line;   /* 1-based */
    unsigned long column; /* 1-based */
} kloc;

typedef struct kfield {
    const char *name;
    kpi_field_type type;
    const char *column;   /* the CSV header / NDJSON key; defaults to name */
    const char *format;   /* strptime-style, time/date only; NULL: ISO 8601 */
    const char *timezone; /* time only: zone of values without an offset; NULL: workspace's */
    char decimal;         /* number/integer: '.' (default) or ',' */
    int scale;            /* number only: stored digits after the point, 0..9; default 4 */
    bool round;           /* number only: round extra decimals half to even (the default), for
                             exports with float noise (1.2300000000001); false rejects the row */
    bool required;        /* empty values are rejected (implied for the time and id fields) */
    kloc loc;
} kfield;

typedef enum kstream_kind { KSTREAM_EVENTS, KSTREAM_SNAPSHOTS } kstream_kind;

typedef struct kstream {
    const char *name;
    kstream_kind kind;
    const char *time_field; /* name of a time or date field */
    size_t time_index;      /* its index in fields */
    const char *id_field;   /* NULL when none */
    size_t id_index;
    kencoding encoding;
    char delimiter;
    kfield *fields;
    size_t nfields;
    kloc loc;
} kstream;

typedef enum kkpi_unit {
    KUNIT_COUNT,
    KUNIT_CURRENCY,
    KUNIT_PERCENT,
    KUNIT_RATIO,
    KUNIT_DURATION,
    KUNIT_NUMBER
} kkpi_unit;

/* One entry of a KPI's targets list: a value, optionally for a period and/or dimension values. */
typedef struct ktarget_def {
    double value;
    const char *period;     /* NULL: every period */
    const char **dim_names; /* dimension = value pairs, e.g. rep = Ana */
    const char **dim_values;
    size_t ndims;
    kloc loc;
} ktarget_def;

typedef struct kkpi {
    const char *id;
    const char *name;        /* defaults to id */
    const char *description; /* may be NULL */
    const char *department;  /* may be NULL */
    const char **tags;
    size_t ntags;
    const char *formula; /* NULL for manual KPIs */
    kloc formula_loc;    /* where the formula text starts */
    bool manual;
    kkpi_unit unit;
    int decimals;      /* default: 0 for count, 2 for currency, 1 otherwise */
    bool direction_up; /* direction: up (default) or down */
    const char *grain; /* "day", "week", "month" (default), "quarter", "year", ... */
    const char **dimensions;
    size_t ndimensions;
    const char **metrics_dims; /* `metrics:` the dimensions /metrics breaks it down by; */
    size_t nmetrics_dims;      /* default: all its dimensions */
    int metrics_max_groups;    /* groups above which a breakdown is left out (default 100) */
    ktarget_def *targets;
    size_t ntargets;
    double at_risk;       /* thresholds.at_risk, default 0.9 */
    double on_track;      /* thresholds.on_track, default 1.0 */
    const char *owner;    /* may be NULL */
    bool split_last_year; /* split: last_year - groups without a target of their own get
                             the company's, shared by last year's mix */
    kloc loc;
    /* NULL, or the first mistake in its definition: the KPI is kept (listed, reported as
     * broken in its place) but never computed */
    const kpi_error *broken;
} kkpi;

typedef struct kconfig {
    const char *path;      /* the kpi.yaml that was loaded */
    const char *name;      /* workspace.name; default: the directory's name */
    const char *timezone;  /* default "UTC" */
    int week_start;        /* 0: ISO weeks (Monday); else 1 = Monday .. 7 = Sunday */
    int fiscal_year_start; /* month 1..12, default 1 */
    const char *currency;  /* workspace.currency, an ISO 4217 code ("EUR"); NULL: none */
    kstream *streams;
    size_t nstreams;
    kkpi *kpis;
    size_t nkpis;
    /* every mistake found in the definitions, in file order: a broken KPI's (the KPI is kept,
     * see kkpi.broken) and, when loading failed, a broken stream's */
    const kpi_error **problems;
    size_t nproblems, cap_problems;
    karena arena;
} kconfig;

/*
 * Loads and validates a kpi.yaml and every file its `include:` globs match (relative to its
 * directory). Each mistake is reported as file:line:column with what was expected; unknown keys
 * and names get a "did you mean" suggestion. On success *out owns everything (kcfg_free).
 * A KPI with a mistake in its definition does not fail the load: it is kept with `broken` set
 * and its mistake in cfg->problems, so that one broken KPI does not take every other down.
 * Returns KPI_DEFINITION for other definition errors (a stream's, after every stream was
 * read: cfg->problems of kcfg_load_all lists them all), KPI_IO when a file cannot be read.
 */
kpi_status kcfg_load(const char *path, kconfig **out, kpi_error *err);

/* Loads from memory (used by tests and the fuzzer); includes are resolved against base_dir. */
kpi_status kcfg_load_string(const char *text, size_t len, const char *name, const char *base_dir,
                            kconfig **out, kpi_error *err);

/*
 * Like kcfg_load, for `kpi check`: *out is set whenever the files could be parsed (also when a
 * stream is broken), so that cfg->problems lists every mistake; the caller frees it.
 */
kpi_status kcfg_load_all(const char *path, kconfig **out, kpi_error *err);

/* Appends a copy of err to cfg->problems; returns the copy, or NULL when out of memory. */
const kpi_error *kcfg_add_problem(kconfig *cfg, const kpi_error *err);

void kcfg_free(kconfig *cfg);

const kstream *kcfg_stream(const kconfig *cfg, kstr name);
const kfield *kstream_field(const kstream *s, kstr name);
const kkpi *kcfg_kpi(const kconfig *cfg, kstr id);

const char *kstream_kind_name(kstream_kind kind);
const char *kkpi_unit_name(kkpi_unit unit);

/* The commented kpi.yaml that `kpi init` writes. Loading it must succeed. */
extern const char kcfg_template[];

#endif
