/*
 * engine.h - the engine layer's internals: compiled definitions, targets and status, and the
 * query runner behind kpi_query_run.
 */
#ifndef KPI_ENGINE_H
#define KPI_ENGINE_H

#include "eval.h"
#include "result.h"

/* The definitions compiled once per workspace: a bound tree per KPI. */
typedef struct kcompiled {
    const kconfig *cfg;
    kcalendar cal;
    kexpr **trees; /* per cfg->kpis; NULL for manual and broken KPIs */
    /* per cfg->kpis: NULL, or why the KPI cannot be computed (its definition, its formula, a
     * cycle, or a broken KPI it uses): it is reported in its place, the others answer */
    const kpi_error **broken;
    /* targets set with `kpi targets` (stored), per cfg->kpis */
    ktarget_def **stored;
    size_t *nstored;
    /* values of manual KPIs entered with `kpi values`, oldest first, per cfg->kpis */
    ktarget_def **manual;
    size_t *nmanual;
    karena arena;
} kcompiled;

/* "kpi 'x' is broken: file:line:col: why" on err for broken KPI ki; KPI_DEFINITION. */
kpi_status kbroken_error(const kcompiled *c, size_t ki, kpi_error *err);

/* Compiles every formula (broken ones set aside, see `broken`) and loads the stored targets
 * and manual values. */
kpi_status kcompiled_init(kcompiled *c, const kconfig *cfg, kmeta *meta, kpi_error *err);
void kcompiled_release(kcompiled *c);

/* Where a target is looked up: the KPI, its grain, the breakdown and the group's values. */
typedef struct ktarget_ctx {
    const kkpi *kpi;
    const kcalendar *cal;
    kgrain grain; /* the KPI's review grain: a target "for every period" is per one of these */
    bool additive;
    const char *const *by;
    size_t nby;
    const kstr *group;         /* nby values; NULL when nby is 0 */
    const ktarget_def *stored; /* targets from `kpi targets`: they win over kpi.yaml's */
    size_t nstored;
} ktarget_ctx;

/* The target for the days [first, end); NaN when none applies. A target applies to exactly the
 * scope it was set for (c->by: the breakdown and the --where equalities). */
double ktarget_for(const ktarget_ctx *c, int64_t first, int64_t end);

/* The share of the target of [first, end) expected after `days` days (fractional): by the days'
 * shares of the finest targets in force (the months of a quarter), else `even` (the share of the
 * period's time gone by); 1 for a level. */
double ktarget_share_to_date(const ktarget_ctx *c, int64_t first, int64_t end, double days,
                             double even);

/*
 * The value of manual KPI ki for period p and a group (by/group as in ktarget_ctx): the latest
 * entered for exactly that period and group, else the latest entered for a longer period that
 * holds p (a quarter's rating holds in each of its months); NaN when none.
 */
double kmanual_value(const kcompiled *c, size_t ki, kperiod p, const char *const *by, size_t nby,
                     const kstr *group);

/* The status of a value against a target, and the attainment (NaN when undefined). */
const char *kstatus_of(const kkpi *k, double value, double target, double *attainment);

/* Everything a query needs from the workspace. */
typedef struct kquery_env {
    const kcompiled *defs;
    kstore *store;
    int64_t today;     /* local day number of "now" */
    bool last_only;    /* previous and last year of the last period only (the report's case:
                          the periods before it are its sparkline) */
    double today_part; /* share of today gone by at "now", in the workspace zone (0..1) */
    ktz *tz;           /* the workspace zone and "now" (UTC us): an open period's elapsed */
    int64_t now_us;    /* share is of its real hours (a DST day has 23 or 25) */
} kquery_env;

kpi_status kquery_run(const kquery_env *env, const kpi_query *q, kpi_result **out, kpi_error *err);

/* Appends the plan of a query (the scans and their SQL) for `kpi explain`. */
kpi_status kquery_explain(const kquery_env *env, const kpi_query *q, kbuf *out, kpi_error *err);

#endif
