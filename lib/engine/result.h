/*
 * result.h - the query result behind the opaque kpi_result: series of points for each KPI, all
 * memory in one arena. The engine fills it with the builder calls below; renderers and the
 * public accessors read it.
 */
#ifndef KPI_ENGINE_RESULT_H
#define KPI_ENGINE_RESULT_H

#include "../util/util.h"

struct kpi_result {
    karena arena;
    const char *from, *to, *grain;
    const char *workspace; /* the workspace's name, "" until kresult_set_workspace */
    const char *currency;  /* its currency (ISO 4217), or NULL */
    /* the periods --from/--to cut (the first, the last), so that they are labelled partial;
     * NULL when whole */
    const char *cut_first, *cut_last;
    const char *review; /* a report's period under review ("2026-10"), or NULL */
    const char **by;
    size_t nby;
    kpi_series *series;
    size_t nseries, cap_series;
    /* points of the series being built grow here */
    size_t cap_points;
};

/* A new empty result with its axis; NULL when out of memory. Strings are copied. */
kpi_result *kresult_create(const char *from, const char *to, const char *grain,
                           const char *const *by, size_t nby);

/* Starts a series (strings copied); returns it, or NULL when out of memory. */
kpi_series *kresult_add_series(kpi_result *r, const char *id, const char *name,
                               const char *description, const char *department, const char *unit,
                               int decimals, const char *direction);

/* Appends a point to the last series (strings copied; group has r->nby values, may be NULL
 * when nby is 0). Returns false when out of memory. */
bool kresult_add_point(kpi_result *r, const kpi_point *p);

/* Names the workspace and its currency (NULL: none), copied; false when out of memory. */
bool kresult_set_workspace(kpi_result *r, const char *name, const char *currency);

/* Notes that periods first and/or last (NULL: whole) are cut by the query's range (copied). */
bool kresult_set_cut(kpi_result *r, const char *first, const char *last);

/* Whether a period of the result is one a --from/--to range cuts. */
bool kresult_is_cut(const kpi_result *r, const char *period);

/* Names the period under review of a report (copied); false when out of memory. */
bool kresult_set_review(kpi_result *r, const char *period);

/* Sets the last series' data_from (copied); false when out of memory. */
bool kresult_set_data_from(kpi_result *r, const char *day);

/* Marks the last series broken with `error` (copied); false when out of memory. */
bool kresult_set_error(kpi_result *r, const char *error);

/* Orders the series as their ids come in ids[n] (ids not in r are skipped). */
void kresult_order(kpi_result *r, const char *const *ids, size_t n);

/* A point with every number undefined (NaN), status "no_data", complete. */
kpi_point kpoint_empty(void);

#endif
