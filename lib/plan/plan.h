/*
 * plan.h - from a request to scans. The planner walks the bound formula trees of the requested
 * KPIs (and of the KPIs they reference), collects every aggregate leaf, shares identical ones,
 * and groups all decomposable parts (count, sum, min, max — avg is sum and count) into ONE scan
 * per stream; median, percentile, count_distinct, first and last become value scans, computed
 * exactly at the requested periods. A dashboard of 40 KPIs over 6 streams is 6 aggregate scans.
 */
#ifndef KPI_PLAN_H
#define KPI_PLAN_H

#include "../store/store.h"

/* One aggregate leaf (a KX_AGG node) and where its data comes from. */
typedef struct kleaf {
    const kexpr *node;
    size_t scan;   /* index in plan.scans (decomposable) or plan.vscans (value scans) */
    bool values;   /* true: a value scan */
    int col_count; /* columns in the scan's aggs, -1 when unused */
    int col_sum;
    int col_min;
    int col_max;
    /* value leaves: their stream's aggregate scan, with a count of the leaf's rows in col_count,
     * so the groups and days with rows are known without holding the values */
    size_t count_scan;
} kleaf;

/* All the decomposable parts of one stream's leaves. */
typedef struct kscan_plan {
    const kstream *stream;
    kscan_agg *aggs;
    size_t naggs;
} kscan_plan;

/* The rows one non-decomposable leaf needs. */
typedef struct kvalue_plan {
    const kstream *stream;
    const krow *expr;
    const kcond *where;
    bool want_time;
} kvalue_plan;

typedef struct kplan {
    kleaf *leaves;
    size_t nleaves;
    kscan_plan *scans;
    size_t nscans;
    kvalue_plan *vscans;
    size_t nvscans;
    kmap leaf_ids; /* printed leaf -> index in leaves (identical leaves share) */
    kmap node_ids; /* node address -> index in leaves */
    kmap col_ids;  /* scan + part + printed aggregate -> column */
    karena arena;
} kplan;

/*
 * Builds the plan for the KPIs marked in `wanted` (indexes into cfg->kpis; referenced KPIs are
 * added automatically). trees[i] is the bound tree of cfg->kpis[i] (NULL for manual KPIs).
 * Free with kplan_release.
 */
kpi_status kplan_build(const kconfig *cfg, kexpr *const *trees, const bool *wanted, kplan *out,
                       kpi_error *err);
void kplan_release(kplan *p);

/* The leaf of an aggregate node (after kplan_build), or NULL. */
const kleaf *kplan_leaf(const kplan *p, const kexpr *node);

/* Index of a KPI in cfg->kpis, or -1. */
long kplan_kpi_index(const kconfig *cfg, const kkpi *k);

#endif
