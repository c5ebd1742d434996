/*
 * sales.c - the demo's sales part: order lines from the web shop, the marketplace, the stores
 * and the field reps; the stock those sales draw from, restocked every Monday; the stores'
 * register; and each rep's monthly quota. The funnel (funnel.c) and the membership
 * (members.c) are the rest of the part.
 *
 * Orders are sized from the demand model so that revenue follows it: each region and channel
 * gets the expected revenue of the day, and the order count is that over the expected order
 * value. Quotas are set in advance from the same model, without knowing who is good or which
 * region slips: a rep's attainment is then their skill against their peers, and the Midwest's
 * falls as its demand does.
 */
#include "sales_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WARMUP_DAYS = 28, LOCATIONS_MAX = 16 };

static const double lines_mean = 1.8;       /* 1 + Poisson(0.8) */
static const double b2b_qty_mean = 5;       /* 2..8 units */
static const double retail_qty_mean = 1.25; /* 1, 2 or 3 */

static bool is_b2b(int channel)
{
    return !strcmp(kdemo_channels[channel].name, "partner") ||
           !strcmp(kdemo_channels[channel].name, "phone");
}

static bool is_store(int channel)
{
    return !strcmp(kdemo_channels[channel].name, "store");
}

double ksales_office_hour(krng *r)
{
    double h = krng_normal(r, 12.5, 2.4);
    return h < 8 ? 8 + krng_u01(r) : h > 18 ? 17 + krng_u01(r) : h;
}

/* Expected revenue (cents) of one order in `channel` in `month`. */
static double order_value(const ksales *s, int channel, int month)
{
    return is_b2b(channel) ? lines_mean * b2b_qty_mean * s->mean_price[month] * 0.85
                           : lines_mean * retail_qty_mean * s->mean_price[month] * 0.955;
}

static int pick_store(krng *r, int region)
{
    double w[LOCATIONS_MAX] = {0};
    for (size_t i = 0; i < kdemo_nstores; i++)
        w[i] = kdemo_stores[i].region == region ? kdemo_stores[i].weight : 0;
    return (int)krng_pick(r, w, kdemo_nstores);
}

/* A store's associate, or one of the region's field reps, by skill: better reps sell more. */
static int pick_rep(krng *r, int region, int store)
{
    double w[64] = {0};
    for (size_t i = 0; i < kdemo_nreps; i++) {
        const kdemo_rep *p = &kdemo_reps[i];
        bool mine = store >= 0 ? p->store == store : p->store < 0 && p->region == region;
        w[i] = mine ? p->skill : 0;
    }
    return (int)krng_pick(r, w, kdemo_nreps);
}

/* The priciest product of a category: what an upsell moves the customer to. */
static size_t premium_of(int category)
{
    size_t best = 0;
    int64_t price = -1;
    for (size_t i = 0; i < kdemo_nproducts; i++)
        if (kdemo_products[i].category == category && kdemo_products[i].price_cents > price) {
            price = kdemo_products[i].price_cents;
            best = i;
        }
    return best;
}

/* A repeat buyer (half the orders, once there are some), or a new customer. */
static const char *order_customer(ksales *s, char *buf, size_t cap, bool *repeat)
{
    *repeat = s->ncustomers > 0 && krng_chance(&s->rng, 0.5);
    if (*repeat)
        return kdemo_id(buf, cap, "C", s->customers[krng_next(&s->rng) % s->ncustomers], 7);
    uint32_t n = (uint32_t)++s->next_customer;
    if (s->ncustomers == s->customers_cap) {
        size_t cap2 = s->customers_cap ? s->customers_cap * 2 : 4096;
        uint32_t *grown = realloc(s->customers, cap2 * sizeof *grown);
        if (!grown)
            return kdemo_id(buf, cap, "C", n, 7); /* not remembered: never a repeat buyer */
        s->customers = grown;
        s->customers_cap = cap2;
    }
    s->customers[s->ncustomers++] = n;
    return kdemo_id(buf, cap, "C", n, 7);
}

int64_t ksales_order(ksales *s, kdemo *d, int64_t t, int region, int channel, int store, int rep,
                     const char *customer)
{
    krng *r = &s->rng;
    char idbuf[32], linebuf[64], custbuf[32];
    bool repeat = false;
    if (!customer)
        customer = order_customer(s, custbuf, sizeof custbuf, &repeat);
    bool write = kdemo_past(d, t) && t >= s->first_s;
    kdemo_id(idbuf, sizeof idbuf, "SO-", ++s->next_order, 8);
    int month = kdemo_month_of(kdemo_day_of(d, t));
    size_t loc = ksales_location(store, region);
    int64_t nlines = 1 + krng_poisson(r, 0.8), total = 0;
    int first_category = -1;
    for (int64_t l = 0; l < nlines; l++) {
        size_t p = kdemo_pick_product(r, month);
        bool upsell = repeat && l == 0 && krng_chance(r, 0.14);
        if (upsell)
            p = premium_of(kdemo_products[p].category);
        const kdemo_product *pr = &kdemo_products[p];
        bool cross = l > 0 && pr->category != first_category && krng_chance(r, 0.7);
        if (l == 0)
            first_category = pr->category;
        int64_t qty;
        double disc = 0;
        if (is_b2b(channel)) {
            qty = krng_range(r, 2, 8);
            disc = 0.15;
        } else {
            double u = krng_u01(r);
            qty = u < 0.8 ? 1 : u < 0.95 ? 2 : 3;
            double v = krng_u01(r);
            disc = v < 0.7 ? 0 : v < 0.9 ? 0.10 : 0.25;
        }
        int64_t revenue = llround((double)(pr->price_cents * qty) * (1 - disc));
        int64_t cost = llround((double)pr->price_cents * pr->cost_ratio) * qty;
        total += revenue;
        s->on_hand[loc * kdemo_nproducts + p] -= qty;
        s->sold_week[loc * kdemo_nproducts + p] += qty;
        if (!write)
            continue;
        kdemo_out *o = s->orders;
        snprintf(linebuf, sizeof linebuf, "%s-%lld", idbuf, (long long)l + 1);
        kdemo_text(o, linebuf);
        kdemo_text(o, idbuf);
        kdemo_time(o, t);
        kdemo_text(o, customer);
        kdemo_text(o, rep >= 0 ? kdemo_reps[rep].name : NULL);
        kdemo_text(o, kdemo_regions[region].name);
        kdemo_text(o, store >= 0 ? kdemo_stores[store].name : NULL);
        kdemo_text(o, kdemo_channels[channel].name);
        kdemo_text(o, pr->name);
        kdemo_text(o, kdemo_categories[pr->category].name);
        kdemo_int(o, qty);
        kdemo_cents(o, revenue);
        kdemo_cents(o, cost);
        kdemo_bool(o, upsell);
        kdemo_bool(o, cross);
        kdemo_end(o);
    }
    return total;
}

/* The orders of one day: per region and channel, the expected revenue over the order value. */
static void orders_day(ksales *s, kdemo *d, int64_t day)
{
    krng *r = &s->rng;
    int month = kdemo_month_of(day);
    for (size_t g = 0; g < kdemo_nregions; g++) {
        double noise = fmax(0.7, krng_normal(r, 1, 0.06));
        double rev = (double)KDEMO_DAILY_REVENUE_CENTS * d->scale *
                     kdemo_region_demand(d, (int)g, day) * noise;
        for (size_t c = 0; c < kdemo_nchannels; c++) {
            bool b2b = is_b2b((int)c);
            if (b2b && !kdemo_workday(day))
                continue; /* the week's B2B revenue comes on working days */
            double want = rev * kdemo_channels[c].share * (b2b ? 7.0 / 5.0 : 1);
            int64_t n = krng_poisson(r, want / order_value(s, (int)c, month));
            for (int64_t i = 0; i < n; i++) {
                double hour = is_store((int)c) ? 10 + 10 * krng_u01(r)
                              : b2b            ? ksales_office_hour(r)
                                               : 24 * pow(krng_u01(r), 0.8);
                int store = is_store((int)c) ? pick_store(r, (int)g) : -1;
                int rep = is_store((int)c) || b2b ? pick_rep(r, (int)g, store) : -1;
                ksales_order(s, d, kdemo_at(d, day, hour), (int)g, (int)c, store, rep, NULL);
            }
        }
    }
}

static const char *supplier_of(const kdemo_product *p)
{
    static const char *const by_category[] = {"Reno plant",   "Reno plant",  "NorthPeak Apparel",
                                              "TrailFoot Co", "Crag Supply", "Glacier Goods"};
    return by_category[p->category];
}

/* A location's store name (NULL for a region's warehouse) and region. */
static const char *location_store(size_t loc)
{
    return loc < kdemo_nstores ? kdemo_stores[loc].name : NULL;
}

static const char *location_region(size_t loc)
{
    int region = loc < kdemo_nstores ? kdemo_stores[loc].region : (int)(loc - kdemo_nstores);
    return kdemo_regions[region].name;
}

/* Every Monday morning each store and warehouse is restocked to about two weeks and a bit
 * of the last week's sales. */
static void restock(ksales *s, kdemo *d, int64_t day)
{
    if (kpi_weekday(day) != 1)
        return;
    int64_t t = kdemo_at(d, day, 7);
    bool write = t >= s->first_s && kdemo_past(d, t);
    char id[32];
    for (size_t loc = 0; loc < ksales_nlocations(); loc++) {
        for (size_t p = 0; p < kdemo_nproducts; p++) {
            size_t i = loc * kdemo_nproducts + p;
            int64_t target = (int64_t)ceil((double)s->sold_week[i] * 2.2) + 2;
            int64_t qty = target - (s->on_hand[i] > 0 ? s->on_hand[i] : 0);
            s->sold_week[i] = 0;
            if (qty <= 0)
                continue;
            s->on_hand[i] = target;
            if (!write)
                continue;
            const kdemo_product *pr = &kdemo_products[p];
            kdemo_out *o = s->receipts;
            kdemo_text(o, kdemo_id(id, sizeof id, "GR-", ++s->next_receipt, 8));
            kdemo_time(o, t);
            kdemo_text(o, location_store(loc));
            kdemo_text(o, location_region(loc));
            kdemo_text(o, supplier_of(pr));
            kdemo_text(o, pr->name);
            kdemo_text(o, kdemo_categories[pr->category].name);
            kdemo_int(o, qty);
            kdemo_cents(o, llround((double)pr->price_cents * pr->cost_ratio) * qty);
            kdemo_end(o);
        }
    }
}

/* Stock on hand at the end of a finished day, valued at cost. */
static void inventory_snapshot(ksales *s, kdemo *d, int64_t day)
{
    if (day >= d->today)
        return;
    for (size_t loc = 0; loc < ksales_nlocations(); loc++) {
        for (size_t p = 0; p < kdemo_nproducts; p++) {
            const kdemo_product *pr = &kdemo_products[p];
            int64_t units = s->on_hand[loc * kdemo_nproducts + p];
            if (units < 0)
                units = 0;
            kdemo_out *o = s->inventory;
            kdemo_date(o, day);
            kdemo_text(o, location_store(loc));
            kdemo_text(o, location_region(loc));
            kdemo_text(o, pr->name);
            kdemo_text(o, kdemo_categories[pr->category].name);
            kdemo_int(o, units);
            kdemo_cents(o, llround((double)pr->price_cents * pr->cost_ratio) * units);
            kdemo_end(o);
        }
    }
}

/* The store register, exported on the first of each month. */
static void stores_snapshot(ksales *s, int64_t day)
{
    for (size_t i = 0; i < kdemo_nstores; i++) {
        const kdemo_store *st = &kdemo_stores[i];
        kdemo_date(s->stores, day);
        kdemo_text(s->stores, st->name);
        kdemo_text(s->stores, kdemo_regions[st->region].name);
        kdemo_text(s->stores, st->format);
        kdemo_num(s->stores, st->floor_area, 0);
        kdemo_end(s->stores);
    }
}

/* A rep's expected share of the region's revenue, as planned (every rep of skill 1). */
static double planned_share(int rep)
{
    const kdemo_rep *p = &kdemo_reps[rep];
    if (p->store >= 0) {
        double region_w = 0;
        for (size_t i = 0; i < kdemo_nstores; i++)
            if (kdemo_stores[i].region == p->region)
                region_w += kdemo_stores[i].weight;
        double store_share = 0;
        for (size_t c = 0; c < kdemo_nchannels; c++)
            if (is_store((int)c))
                store_share = kdemo_channels[c].share;
        return store_share * kdemo_stores[p->store].weight / region_w / 2;
    }
    double b2b = 0;
    for (size_t c = 0; c < kdemo_nchannels; c++)
        if (is_b2b((int)c))
            b2b += kdemo_channels[c].share;
    int field = 0;
    for (size_t i = 0; i < kdemo_nreps; i++)
        field += kdemo_reps[i].store < 0 && kdemo_reps[i].region == p->region;
    return b2b / field;
}

/* Quotas for the month that starts on `day`: the planned revenue of each rep, plus 4%. */
static void quotas_for(ksales *s, kdemo *d, int64_t day)
{
    int64_t end = kdemo_month_next(day);
    char id[96], month[16];
    kdemo_day_str(day, month);
    month[7] = 0;
    for (size_t i = 0; i < kdemo_nreps; i++) {
        const kdemo_rep *p = &kdemo_reps[i];
        double plan = 0;
        for (int64_t x = day; x < end; x++)
            plan += kdemo_demand(d, x);
        plan *= (double)KDEMO_DAILY_REVENUE_CENTS * d->scale * kdemo_regions[p->region].weight *
                planned_share((int)i) * 1.04;
        snprintf(id, sizeof id, "%s|%s", month, p->name);
        kdemo_text(s->quotas, id);
        kdemo_date(s->quotas, day);
        kdemo_text(s->quotas, p->name);
        kdemo_text(s->quotas, kdemo_regions[p->region].name);
        kdemo_cents(s->quotas, llround(plan / 100) * 100);
        kdemo_end(s->quotas);
    }
}

static void sales_day(ksales *s, kdemo *d, int64_t day)
{
    restock(s, d, day);
    orders_day(s, d, day);
    if (day >= d->first_day)
        inventory_snapshot(s, d, day);
}

static void sales_destroy(ksales *s)
{
    free(s->customers);
    free(s->on_hand);
    free(s->sold_week);
    free(s->pipe_count);
    free(s->pipe_amount);
    free(s->pipe_weighted);
    free(s->active_diff);
    free(s);
}

static void *create(kdemo *d)
{
    ksales *s = kdemo_calloc(d, 1, sizeof *s);
    if (!s)
        return NULL;
    krng_seed(&s->rng, d->seed, "sales");
    s->first_s = kdemo_at(d, d->first_day, 0);
    s->base_day = d->first_day - FUNNEL_WARMUP;
    s->ndays = d->today + 2 - s->base_day;
    for (int m = 1; m <= 12; m++) {
        double w = 0, v = 0;
        for (size_t i = 0; i < kdemo_nproducts; i++) {
            const kdemo_product *p = &kdemo_products[i];
            double x = p->weight * kdemo_categories[p->category].season[m - 1];
            w += x;
            v += x * (double)p->price_cents;
        }
        s->mean_price[m] = v / w;
    }
    size_t cells = ksales_nlocations() * kdemo_nproducts;
    s->on_hand = calloc(cells, sizeof *s->on_hand);
    s->sold_week = calloc(cells, sizeof *s->sold_week);
    s->orders = kdemo_open(d, "orders",
                           "line_id,order_id,ordered_at,customer,rep,region,store,"
                           "sales_channel,product,category,quantity,revenue,cost,"
                           "is_upsell,is_cross_sell");
    s->receipts = kdemo_open(d, "receipts",
                             "receipt_line_id,received_at,store,region,supplier,"
                             "product,category,quantity,cost");
    s->inventory = kdemo_open(d, "inventory", "as_of,store,region,product,category,on_hand,value");
    s->stores = kdemo_open(d, "stores", "as_of,store,region,format,floor_area");
    s->quotas = kdemo_open(d, "quotas", "quota_id,month,rep,region,amount");
    if (!s->on_hand || !s->sold_week || d->failed || !ksales_funnel_init(s, d) ||
        !ksales_members_init(s, d)) {
        if (!d->failed) {
            d->failed = true;
            kdemo_fail(d->err, KPI_NOMEM, "out of memory");
        }
        sales_destroy(s);
        return NULL;
    }
    /* a month of trading before the first day, unwritten: repeat customers and stock exist */
    for (int64_t day = d->first_day - WARMUP_DAYS; day < d->first_day; day++)
        sales_day(s, d, day);
    return s;
}

static void day(kdemo *d, void *state, int64_t day)
{
    ksales *s = state;
    if (day == kdemo_month_first(day)) {
        stores_snapshot(s, day);
        quotas_for(s, d, day);
    }
    ksales_funnel_day(s, d, day);
    sales_day(s, d, day);
    ksales_members_day(s, d, day);
}

static void finish(kdemo *d, void *state)
{
    ksales *s = state;
    ksales_funnel_finish(s, d);
    ksales_members_finish(s, d);
    sales_destroy(s);
}

const kdemo_part kdemo_part_sales = {"sales", create, day, finish};
