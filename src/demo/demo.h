/*
 * demo.h - the demo company: a fictional outdoor-gear maker and retailer whose last two years
 * of raw events are simulated day by day, written as one CSV per catalog stream, and imported
 * through the normal import path (kdemo_create in kdemo.h).
 *
 * The generator is split in parts, one per department (sales.c, marketing.c, ...). Each part
 * owns its random stream (so that changing one part never changes another's data), its own
 * state, and the CSV files of the streams it fills. The parts share only the company (the
 * tables of company.c: regions, stores, reps, products...) and its demand model: the expected
 * revenue of a day, from a growth trend, a season and the weekday, which the other parts read
 * to size their spend, costs, headcount-driven work and forecasts.
 *
 * The generator is a tool beside the kpi command, a client of include/kpi.h only (workspace,
 * import, targets, and the calendar's dates and time zones); the library does not know it.
 */
#ifndef KPI_DEMO_H
#define KPI_DEMO_H

#include "kdemo.h"

#include <stdbool.h>
#include <stdio.h>

#define KDEMO_US_PER_DAY INT64_C(86400000000)

/* Sets err's status and message (like snprintf) and returns the status; err may be NULL. */
kpi_status kdemo_fail(kpi_error *err, kpi_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- random numbers ---------------------------------------------------------------------- */

/* xoshiro256** seeded by splitmix64: fast, and the same sequence on every platform. */
typedef struct krng {
    uint64_t s[4];
} krng;

/* Seeds from the demo seed and a label (a part's name), so that parts are independent. */
void krng_seed(krng *r, uint64_t seed, const char *label);
uint64_t krng_next(krng *r);
double krng_u01(krng *r);                            /* [0, 1) */
bool krng_chance(krng *r, double p);                 /* true with probability p */
int64_t krng_range(krng *r, int64_t lo, int64_t hi); /* uniform in [lo, hi] */
double krng_normal(krng *r, double mean, double sd);
double krng_lognormal(krng *r, double median, double sigma); /* exp(N(ln median, sigma)) */
int64_t krng_poisson(krng *r, double lambda);
size_t krng_pick(krng *r, const double *weights, size_t n); /* index, by weight */

/* ---- CSV output ---------------------------------------------------------------------------- */

/* One stream's CSV output: fields are appended left to right, then the row ends. The rows go
 * to a sequence of files (see kdemo_start), each imported once it is complete. */
typedef struct kdemo_later kdemo_later;

typedef struct kdemo_out {
    struct kdemo *d;
    char *buf; /* the bytes not yet written to the file, n of them */
    size_t n;
    size_t row;         /* where the row being written starts in buf */
    bool dated;         /* the row's first time or date field is written */
    int64_t later_day;  /* the row's day when it is after the simulated day, else INT64_MIN */
    kdemo_later *later; /* rows held back until their day (a heap by day), nlater of them */
    size_t nlater, caplater;
    uint64_t held; /* rows ever held back: their order within a day */
    int fd;        /* the current file, -1 between files */
    int error;     /* errno of the first failed write to the current file, else 0 */
    char *path;    /* of the current file */
    const char *stream;
    const char *header; /* the column names, written at the top of every file */
    uint64_t rows;      /* in the current file */
    bool first;         /* no field written yet on this row */
} kdemo_out;

void kdemo_text(kdemo_out *o, const char *s); /* NULL or "" is an empty field */
void kdemo_int(kdemo_out *o, int64_t v);
void kdemo_cents(kdemo_out *o, int64_t cents); /* money, exactly: -12345 -> -123.45 */
void kdemo_num(kdemo_out *o, double v, int decimals);
void kdemo_time(kdemo_out *o, int64_t utc_s); /* 2026-10-05T14:03:07Z */
void kdemo_date(kdemo_out *o, int64_t day);   /* 2026-10-05 */
void kdemo_bool(kdemo_out *o, bool v);
void kdemo_null(kdemo_out *o);
void kdemo_end(kdemo_out *o); /* ends the row */

/* An id: prefix, then n zero-padded to `width` digits ("SO-00012345"), cut to fit cap. */
const char *kdemo_id(char *buf, size_t cap, const char *prefix, uint64_t n, int width);
/* "2026-10-05" of a day number (b holds 11 bytes with the NUL). */
void kdemo_day_str(int64_t day, char b[11]);

/* ---- the company -------------------------------------------------------------------------- */

typedef struct kdemo_region {
    const char *name;
    double weight; /* share of demand */
    double slip;   /* demand lost per month over the last months (the region that slips) */
} kdemo_region;

typedef struct kdemo_store {
    const char *name;
    int region;
    const char *format;
    double floor_area; /* square feet */
    double weight;     /* share of the region's store sales */
} kdemo_store;

typedef struct kdemo_rep {
    const char *name;
    int region;
    int store;    /* -1: a field rep (B2B, phone, partner orders), else the store's staff */
    double skill; /* 1 = as planned: the quota is met on average */
} kdemo_rep;

typedef struct kdemo_product {
    const char *name;
    int category;
    int64_t price_cents;
    double cost_ratio;    /* unit cost / price */
    double weight;        /* share of units sold */
    double ideal_cycle_s; /* made in the plant: ideal seconds per unit; 0 = bought in */
} kdemo_product;

typedef struct kdemo_category {
    const char *name;
    double season[12]; /* demand by month (January first), 1 = an average month */
} kdemo_category;

/* Sales channels of orders (orders.sales_channel) and their share of revenue. */
typedef struct kdemo_channel {
    const char *name;
    double share;
} kdemo_channel;

extern const kdemo_channel kdemo_channels[];
extern const size_t kdemo_nchannels;
extern const kdemo_region kdemo_regions[];
extern const size_t kdemo_nregions;
extern const kdemo_store kdemo_stores[];
extern const size_t kdemo_nstores;
extern const kdemo_rep kdemo_reps[];
extern const size_t kdemo_nreps;
extern const kdemo_product kdemo_products[];
extern const size_t kdemo_nproducts;
extern const kdemo_category kdemo_categories[];
extern const size_t kdemo_ncategories;

/* Average revenue of a day at scale 1 (cents); the whole company is sized from it. */
#define KDEMO_DAILY_REVENUE_CENTS 14000000LL

enum { KDEMO_OUTS_MAX = 64 };

/* ---- the run -------------------------------------------------------------------------------- */

typedef struct kdemo {
    uint64_t seed;
    double scale;             /* event volumes are multiplied by it */
    int64_t first_day;        /* the first simulated day (local), inclusive */
    int64_t today;            /* the last simulated day (local), inclusive: events stop at now */
    int64_t now_s;            /* now, UTC seconds: no event is written after it */
    int64_t last_month_first; /* the first day of the last complete month (the story's month) */
    int64_t day;       /* the day being simulated: rows of later days are held back (out.c) */
    int64_t day_end_s; /* its end, UTC seconds */
    kpi_timezone *tz;
    char *dir;       /* where the CSV files go */
    kdemo_out *outs; /* KDEMO_OUTS_MAX of them, nouts used */
    size_t nouts;
    kpi_error *err;
    bool failed; /* a write failed; err says why */
} kdemo;

/* Zeroed memory, or NULL with d->failed and d->err set (by kdemo_nomem). */
void *kdemo_calloc(kdemo *d, size_t n, size_t size);
void kdemo_nomem(kdemo *d);

/*
 * Starts the CSV output of `stream` in the run's directory, its first file holding the rows
 * generated from the first simulated day on. NULL when it cannot be created (d->err set,
 * d->failed).
 */
kdemo_out *kdemo_open(kdemo *d, const char *stream, const char *header);
/* Writes out and closes the current file; returns its path (the caller's to free), NULL when
 * there is none. A failed write sets d->failed and d->err and still returns the path. */
char *kdemo_close(kdemo *d, kdemo_out *o);
/* Starts the next file (after kdemo_close), named for the month of `day`, where its rows
 * start: DIR/STREAM-YYYY-MM.csv, header written. False on failure (d->err, d->failed). */
bool kdemo_start(kdemo *d, kdemo_out *o, int64_t day);
/* Writes the rows held back for days before `day` (INT64_MAX: all); kdemo_free_held drops
 * them (a failed run). */
void kdemo_release(kdemo_out *o, int64_t day);
void kdemo_free_held(kdemo_out *o);

/* The UTC instant (seconds) of a local wall-clock time on `day`, hours from midnight. */
int64_t kdemo_at(kdemo *d, int64_t day, double hour);

/* True when the instant has happened (is not after now): only the past is written. */
static inline bool kdemo_past(const kdemo *d, int64_t utc_s)
{
    return utc_s <= d->now_s;
}

/*
 * The demand of a day relative to an average day of the first year: a growth trend (about
 * 14% a year), the season of outdoor gear (spring and the holidays), the weekday. Multiply by
 * KDEMO_DAILY_REVENUE_CENTS * scale for the expected revenue.
 */
double kdemo_demand(const kdemo *d, int64_t day);
/* The demand of a region on a day: its weight, and the slip of the region that slips. */
double kdemo_region_demand(const kdemo *d, int region, int64_t day);
/* The months from the first simulated month to `day`'s month (0 for the first). */
int kdemo_month_index(const kdemo *d, int64_t day);
/* The month (1..12) of a day; the local day of a UTC instant (seconds). */
int kdemo_month_of(int64_t day);
int64_t kdemo_day_of(const kdemo *d, int64_t utc_s);
/* Is `day` a working day (Monday to Friday)? Holidays are ignored. */
bool kdemo_workday(int64_t day);
/* The first day of the month that holds `day`, and the first day of the next month. */
int64_t kdemo_month_first(int64_t day);
int64_t kdemo_month_next(int64_t day);
/* The share of a category in revenue in `month` (1..12); the shares add up to 1. */
double kdemo_category_share(int category, int month);
/* A product index by sales weight and its category's season in `month` (1..12). */
size_t kdemo_pick_product(krng *r, int month);

/* ---- the parts ------------------------------------------------------------------------------ */

/* A department's generator: create its state (and open its files), simulate each day in
 * order, then finish (snapshots computed over the whole run) and free its state. */
typedef struct kdemo_part {
    const char *name;
    void *(*create)(kdemo *d);
    void (*day)(kdemo *d, void *state, int64_t day);
    void (*finish)(kdemo *d, void *state);
} kdemo_part;

extern const kdemo_part kdemo_part_sales;
extern const kdemo_part kdemo_part_marketing;
extern const kdemo_part kdemo_part_finance;
extern const kdemo_part kdemo_part_it;
extern const kdemo_part kdemo_part_support;
extern const kdemo_part kdemo_part_hr;
extern const kdemo_part kdemo_part_manufacturing;

/* Writes the demo's targets as a CSV (kpi, period, dimension columns, value) at `path`,
 * from the imported data: see targets.c. */
kpi_status kdemo_write_targets(kpi_workspace *ws, const kdemo *d, const char *path, kpi_error *err);

#endif
