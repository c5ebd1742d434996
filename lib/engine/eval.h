/*
 * eval.h - evaluating bound formula trees over windows of days. A window is a period (with its
 * grain, so prev/ago/ytd know how to move) optionally cut to its first `len` days (open periods
 * and like-for-like comparisons), for one breakdown group or all of them.
 *
 * Evaluation runs twice: first in "collect" mode, where every aggregate leaf only records the
 * days it will need (so each stream is scanned once, over exactly the range required), then for
 * real over the loaded data.
 */
#ifndef KPI_ENGINE_EVAL_H
#define KPI_ENGINE_EVAL_H

#include "../calendar/calendar.h"
#include "data.h"

typedef struct kwin {
    kperiod whole; /* the period, or for to-date functions a KGRAIN_ALL range */
    int64_t len;   /* days from whole.first; -1: all of whole */
    long group;    /* -1: all groups */
    int64_t skip;  /* days from whole.first left out (a range starting mid-period) */
    double part;   /* 0 < part < 1: the share of the window's last day that counts, unless
                      that day is today (an open period's comparisons are cut at today's
                      hour); 0: whole days */
} kwin;

/* The open period a projection runs to: additive leaves of windows ending today are projected
 * to its end (see keval_expr). */
typedef struct kproject {
    kperiod period;
    double elapsed; /* share of the period gone by, in (0, 1] */
    int64_t now;    /* the end of the days with data so far: windows ending there are projected */
} kproject;

struct kcompiled;
typedef struct kconv_cache kconv_cache;

typedef struct keval {
    const kconfig *cfg;
    kexpr *const *trees; /* per KPI */
    const kcalendar *cal;
    const kplan *plan;
    kdata *data;           /* NULL in collect mode */
    kstore *store;         /* conversion() reads rows itself */
    const char *const *by; /* the breakdown, for conversion() */
    size_t nby;
    /* collect mode: needed day range per aggregate scan and value scan */
    int64_t *lo, *hi, *vlo, *vhi;
    int depth;
    const struct kcompiled *defs;       /* the values of manual KPIs; NULL in collect mode */
    const kcond *const *filter;         /* the query's --where bound per aggregate scan, or NULL */
    const int64_t *range_lo, *range_hi; /* the days each aggregate scan covers (eval mode) */
    kconv_cache *conv;                  /* conversion()'s `to` rows, read once (kconv_cache_free) */
    int64_t today;           /* local day number of now: windows ending today are not cut */
    const kproject *project; /* project to the open period's end, or NULL */
    int64_t cohort_age;      /* > 0: conversion() counts conversions up to this long (us)
                                after each window's first day (same-age comparisons) */
} keval;

/* Frees the conversion caches of an evaluation. */
void kconv_cache_free(kconv_cache *c);

/* The days [first, end) of a window. */
void kwin_days(const kwin *w, int64_t *first, int64_t *end);

/* The value of e over w (NaN when undefined). In collect mode, records ranges and returns NaN.
 * With ev->project, the counts and sums of events over a window ending now are projected to
 * the open period's end (the leaves, not the KPI: DESIGN §1, Target); rows dated on the
 * period's first day only (a quota, a forecast) are the period's already and stay as they are. */
double keval_expr(keval *ev, const kexpr *e, kwin w);

/* The value of KPI k (index in cfg->kpis) over w. */
double keval_kpi(keval *ev, size_t k, kwin w);

/* True when the KPI adds up over time and groups (sums and counts, and their sums and constant
 * multiples): targets are split across days and projections scale with elapsed time. */
bool keval_additive(const kconfig *cfg, kexpr *const *trees, const kexpr *e, int depth);

/* The longest `within` (days) of the conversions a KPI reads (0: none): a period whose cohort
 * has had less than that is young. */
int keval_cohort_days(const kconfig *cfg, kexpr *const *trees, const kexpr *e, int depth);

#endif
