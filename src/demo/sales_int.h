/*
 * sales_int.h - the insides of the demo's sales part, shared by its three files: sales.c
 * (orders, stock, stores, quotas), funnel.c (leads to opportunities, quotes, the pipeline and
 * reps' activities) and members.c (the membership subscriptions and their daily counts). They
 * are one part because they meet: a lead that converts places an order, and stock follows sales.
 */
#ifndef KPI_DEMO_SALES_INT_H
#define KPI_DEMO_SALES_INT_H

#include "demo.h"

enum {
    OPEN_STAGES = 4,     /* created, qualified, proposal, negotiation */
    FUNNEL_WARMUP = 120, /* days the funnel runs, unwritten, before the first day */
};

typedef struct ksales {
    krng rng;
    kdemo_out *orders, *opportunities, *pipeline, *quotes, *activities, *quotas;
    kdemo_out *subscriptions, *customer_counts, *stores, *inventory, *receipts;
    kdemo_out *leads, *lead_stages;

    int64_t first_s;  /* the first simulated instant: nothing earlier is written */
    int64_t base_day; /* day index 0 of the per-day arrays (the warm-up's first day) */
    int64_t ndays;    /* their length: base_day .. today + 1 */

    /* orders */
    uint64_t next_order, next_customer;
    uint32_t *customers; /* customer numbers who bought, for repeat orders */
    size_t ncustomers, customers_cap;
    double mean_price[13]; /* average unit price (cents) by month, for order counts */

    /* stock: units on hand by location (the stores, then the regions' warehouses, see
     * ksales_location) and product */
    int64_t *on_hand;   /* ksales_nlocations() x kdemo_nproducts */
    int64_t *sold_week; /* units sold since the last delivery, same shape */
    uint64_t next_receipt;

    /* funnel */
    uint64_t next_lead, next_stage, next_opp, next_change, next_quote, next_activity;
    int32_t *pipe_count; /* per day diff: nreps x OPEN_STAGES x ndays */
    int64_t *pipe_amount, *pipe_weighted;

    /* members */
    uint64_t next_member, next_sub_event;
    int32_t *active_diff; /* per series (plan x region x channel) x ndays */
} ksales;

#define KSALES_DIFF(s, rep, stage, day)                                                            \
    ((((size_t)(rep)*OPEN_STAGES + (size_t)(stage)) * (size_t)(s)->ndays) +                        \
     (size_t)((day) - (s)->base_day))

/* Where stock is kept: each store, and one warehouse per region that ships the region's web,
 * marketplace, partner and phone orders. A warehouse is not a store: its receipts and stock
 * have the region and no store, as the orders it ships have; so sell-through and turnover
 * match sales to stock in every store and region, and the orders without a store to the
 * stock without one. Locations 0 .. nstores-1 are the stores, then the regions' warehouses. */
static inline size_t ksales_nlocations(void)
{
    return kdemo_nstores + kdemo_nregions;
}
static inline size_t ksales_location(int store, int region)
{
    return store >= 0 ? (size_t)store : kdemo_nstores + (size_t)region;
}

/* sales.c: writes one order of `channel` at `t`; returns its revenue (cents). `store` and
 * `rep` are indexes or -1; customer 0 makes a new customer. Counts sold stock. */
int64_t ksales_order(ksales *s, kdemo *d, int64_t t, int region, int channel, int store, int rep,
                     const char *customer);

/* funnel.c */
bool ksales_funnel_init(ksales *s, kdemo *d);
void ksales_funnel_day(ksales *s, kdemo *d, int64_t day);
void ksales_funnel_finish(ksales *s, kdemo *d);

/* members.c */
bool ksales_members_init(ksales *s, kdemo *d);
void ksales_members_day(ksales *s, kdemo *d, int64_t day);
void ksales_members_finish(ksales *s, kdemo *d);

/* A day of the week's working hours, as a local hour on `day` (8:00 to 18:00, busier midday). */
double ksales_office_hour(krng *r);

#endif
