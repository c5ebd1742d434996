/*
 * data.h - the data a query's scans brought back, kept per breakdown group in day order, and
 * folded on demand into any window of days: a period, its previous period, last year, a
 * to-date slice, a rolling range. Decomposable parts are folded exactly (integer sums carry
 * their decimal scale); value scans give median, percentile, count_distinct, first and last.
 */
#ifndef KPI_ENGINE_DATA_H
#define KPI_ENGINE_DATA_H

#include "../plan/plan.h"

/* The rows of one scan for one group: days ascending, naggs values per row. */
typedef struct kgroup_rows {
    int64_t *days;
    kscan_value *vals; /* n * naggs (aggregate scans) or n (value scans) */
    int64_t *times;    /* value scans with want_time */
    uint32_t *ents;    /* snapshot streams: each row's entity (kscan_data.ents) */
    size_t n, cap;
} kgroup_rows;

/*
 * A snapshot stream holds several series (a store, a product in a store, a department): an
 * entity is one series, told apart by the row's values of every text field of the stream but
 * its id (kdata_scan_fields). A snapshot KPI takes each entity's last snapshot in the window
 * (first() its first), so a series whose last export is older than the others' still counts.
 */
typedef struct kscan_data {
    kgroup_rows *groups; /* indexed by global group id */
    size_t ngroups;
    size_t naggs; /* values per row; 1 for value scans */
    kmap ents;    /* snapshot streams: breakdown and entity values -> entity id */
    size_t nents;
    bool snapshot; /* rows carry their entity */
    bool timed;    /* a snapshot is told by the rows' times (first/last), else by their days */
} kscan_data;

typedef struct kdata {
    const kplan *plan;
    kstore *store;
    kscan_data *scans; /* per plan.scans */
    const char *const *by;
    const kcond *const *vfilter; /* per plan.vscans */
    /* value leaves are computed per window when first asked, for every group at once:
     * (leaf, first, end) -> results[0] for all groups, results[1 + g] for group g */
    kmap window_ids;
    double **windows;
    size_t *window_groups; /* groups known when each window was computed */
    size_t nwindows, cap_windows;
    kmap groups;       /* group key (values joined by \x1f) -> id */
    char **group_keys; /* id -> key */
    size_t ngroups, cap_groups;
    size_t nby;
    karena text; /* text values of value scans */
} kdata;

/* What to load: per aggregate scan i of the plan, the day range and the filter (the query's
 * --where bound to that stream; NULL for none); per value scan j, its filter. */
typedef struct kdata_request {
    const char *const *by; /* breakdown field names, resolved in each stream */
    size_t nby;
    const int64_t *day_lo, *day_hi; /* per plan.scans */
    const kcond *const *filter;
    const kcond *const *vfilter;
} kdata_request;

/* Runs every aggregate scan of the plan; value leaves are read per window later, from the same
 * store. Free with kdata_release (also after a failure). */
kpi_status kdata_load(kdata *d, const kplan *p, kstore *st, const kdata_request *req,
                      kpi_error *err);
void kdata_release(kdata *d);

/* The value of an aggregate leaf over days [first, end) for group g (-1: all groups). NaN when
 * undefined (avg/min/max/median/... of no rows); count and sum of no rows are 0. */
double kdata_leaf(kdata *d, const kleaf *leaf, int64_t first, int64_t end, long g);

/*
 * The fields a scan of s groups by, into out (s->nfields + nby entries): the breakdown by[],
 * then for a snapshot stream its entity fields (every text field but the id, less those of the
 * breakdown). Returns their count, or 0 with *ok false when s lacks a breakdown field.
 */
size_t kdata_scan_fields(const kstream *s, const char *const *by, size_t nby, size_t *out,
                         bool *ok);

/* The leaf over [first, end) with only a share keep (0..1) of the last day's rows for counts,
 * sums and averages of events (a cut at today's hour); other leaves take the whole day. */
double kdata_leaf_cut(kdata *d, const kleaf *leaf, int64_t first, int64_t end, double keep, long g);

/* The group values of group g (nby strings), split from its key into out (cap entries). */
void kdata_group_values(const kdata *d, long g, kstr *out);

#endif
