/*
 * company.c - Alder & Finch Outdoor, the demo company: a maker and retailer of outdoor gear
 * with a web shop, a marketplace presence, 12 stores in 8 US regions, field reps selling to
 * clubs and businesses, a membership subscription, and a plant that makes its tents and packs.
 *
 * The story the data tells: the company grows about 14% a year with the outdoor season
 * (spring and summer, and the holidays); the Midwest has been slipping for four months; two
 * reps (Owen Barker, Priya Nair) sell well under their quota; and last month support's first
 * response time went off track (a staffing gap, see support.c).
 */
#include "demo.h"

#include <math.h>

const kdemo_channel kdemo_channels[] = {
    {"web", 0.38}, {"store", 0.34}, {"marketplace", 0.12}, {"partner", 0.08}, {"phone", 0.08},
};
const size_t kdemo_nchannels = sizeof kdemo_channels / sizeof kdemo_channels[0];

const kdemo_region kdemo_regions[] = {
    {"Northeast", 0.17, 0},   {"Mid-Atlantic", 0.12, 0}, {"Southeast", 0.13, 0},
    {"Great Lakes", 0.11, 0}, {"Midwest", 0.10, 0.06},   {"South Central", 0.12, 0},
    {"Mountain", 0.11, 0},    {"Pacific", 0.14, 0},
};
const size_t kdemo_nregions = sizeof kdemo_regions / sizeof kdemo_regions[0];

const kdemo_store kdemo_stores[] = {
    {"Boston Back Bay", 0, "flagship", 18500, 1.4}, {"Brooklyn", 0, "high_street", 9200, 0.8},
    {"Philadelphia", 1, "mall", 11800, 1.0},        {"Atlanta", 2, "mall", 12400, 1.0},
    {"Chicago Loop", 3, "flagship", 16800, 1.2},    {"Minneapolis", 4, "mall", 10900, 1.0},
    {"Kansas City", 4, "outlet", 8600, 0.7},        {"Dallas", 5, "mall", 13200, 1.0},
    {"Austin", 5, "high_street", 7400, 0.8},        {"Denver", 6, "flagship", 17600, 1.3},
    {"Salt Lake City", 6, "outlet", 9800, 0.8},     {"Seattle", 7, "flagship", 15900, 1.3},
};
const size_t kdemo_nstores = sizeof kdemo_stores / sizeof kdemo_stores[0];

/* Two store associates per store, then the field reps (2-3 a region). */
const kdemo_rep kdemo_reps[] = {
    {"Ana Lima", 0, 0, 1.15},       {"Ben Carter", 0, 0, 1.0},     {"Chloe Park", 0, 1, 1.05},
    {"Diego Alvarez", 0, 1, 0.95},  {"Emma Walsh", 1, 2, 1.1},     {"Farid Haddad", 1, 2, 0.97},
    {"Grace Kim", 2, 3, 1.02},      {"Hugo Silva", 2, 3, 0.94},    {"Isla Murphy", 3, 4, 1.08},
    {"Jamal Brooks", 3, 4, 1.0},    {"Kara Olsen", 4, 5, 0.98},    {"Liam Novak", 4, 5, 1.01},
    {"Maya Patel", 4, 6, 1.04},     {"Noah Fischer", 4, 6, 0.96},  {"Olivia Ruiz", 5, 7, 1.06},
    {"Owen Barker", 5, 7, 0.55},    {"Paula Costa", 5, 8, 1.0},    {"Quinn Harper", 5, 8, 1.03},
    {"Rosa Martin", 6, 9, 1.12},    {"Sam Whitaker", 6, 9, 0.99},  {"Tara Singh", 6, 10, 1.0},
    {"Umar Malik", 6, 10, 0.97},    {"Vera Jensen", 7, 11, 1.1},   {"Wes Thompson", 7, 11, 1.01},
    {"Xavier Dubois", 0, -1, 1.05}, {"Yara Haddad", 0, -1, 1.2},   {"Zoe Bennett", 0, -1, 0.98},
    {"Aaron Cole", 1, -1, 1.02},    {"Bianca Rossi", 1, -1, 0.95}, {"Caleb Ward", 2, -1, 1.08},
    {"Dana Flores", 2, -1, 1.0},    {"Eli Grant", 2, -1, 0.97},    {"Fiona Reid", 3, -1, 1.04},
    {"Gabe Turner", 3, -1, 1.0},    {"Hana Sato", 4, -1, 0.99},    {"Ivan Petrov", 4, -1, 1.01},
    {"Jade Morgan", 5, -1, 1.1},    {"Kai Nakamura", 5, -1, 0.96}, {"Leah Stein", 5, -1, 1.03},
    {"Marco Bianchi", 6, -1, 1.0},  {"Nina Larsen", 6, -1, 1.06},  {"Priya Nair", 6, -1, 0.6},
    {"Ray Donovan", 7, -1, 1.02},   {"Sofia Mendes", 7, -1, 1.14}, {"Theo Wright", 7, -1, 0.99},
    {"Uma Rao", 1, -1, 1.0},
};
const size_t kdemo_nreps = sizeof kdemo_reps / sizeof kdemo_reps[0];

const kdemo_category kdemo_categories[] = {
    {"tents", {0.55, 0.6, 0.85, 1.1, 1.35, 1.5, 1.45, 1.25, 0.95, 0.8, 0.7, 1.0}},
    {"packs", {0.7, 0.75, 0.9, 1.05, 1.2, 1.3, 1.3, 1.2, 1.05, 0.9, 0.8, 1.1}},
    {"apparel", {0.9, 0.85, 0.95, 1.0, 1.0, 0.95, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2}},
    {"footwear", {0.8, 0.8, 0.95, 1.1, 1.15, 1.1, 1.05, 1.0, 1.0, 0.95, 0.95, 1.1}},
    {"climbing", {0.75, 0.8, 1.0, 1.15, 1.25, 1.25, 1.2, 1.1, 1.0, 0.9, 0.75, 0.85}},
    {"winter", {1.5, 1.3, 0.9, 0.5, 0.35, 0.3, 0.3, 0.4, 0.7, 1.2, 1.6, 1.9}},
};
const size_t kdemo_ncategories = sizeof kdemo_categories / sizeof kdemo_categories[0];

/* Tents and packs are made in the company's plant (ideal cycle time per unit). */
const kdemo_product kdemo_products[] = {
    {"Ridge 2P Tent", 0, 34900, 0.46, 0.8, 540},
    {"Basecamp 4P Tent", 0, 52900, 0.48, 0.5, 780},
    {"Ultralight 1P Tent", 0, 42900, 0.44, 0.4, 600},
    {"Trail Tarp", 0, 8900, 0.38, 0.6, 180},
    {"Daypack 24", 1, 8900, 0.40, 1.6, 240},
    {"Trek 55 Pack", 1, 22900, 0.43, 0.8, 420},
    {"Summit 70 Pack", 1, 31900, 0.45, 0.4, 510},
    {"Hip Pack", 1, 3900, 0.36, 1.2, 150},
    {"Rain Shell", 2, 17900, 0.52, 1.3, 0},
    {"Fleece Midlayer", 2, 8900, 0.50, 1.8, 0},
    {"Merino Tee", 2, 5900, 0.48, 2.4, 0},
    {"Hiking Pants", 2, 7900, 0.51, 1.6, 0},
    {"Trail Runner", 3, 13900, 0.58, 1.4, 0},
    {"Approach Shoe", 3, 15900, 0.57, 0.7, 0},
    {"Hiking Boot", 3, 21900, 0.56, 0.9, 0},
    {"Camp Sandal", 3, 5900, 0.50, 0.8, 0},
    {"Climbing Harness", 4, 7900, 0.55, 0.5, 0},
    {"Dynamic Rope 60m", 4, 21900, 0.60, 0.3, 0},
    {"Quickdraw Set", 4, 14900, 0.58, 0.4, 0},
    {"Chalk Bag", 4, 2400, 0.40, 0.9, 0},
    {"Down Parka", 5, 32900, 0.50, 0.9, 0},
    {"Ski Gloves", 5, 6900, 0.46, 1.1, 0},
    {"Insulated Boot", 5, 19900, 0.55, 0.6, 0},
    {"Snowshoes", 5, 17900, 0.52, 0.4, 0},
};
const size_t kdemo_nproducts = sizeof kdemo_products / sizeof kdemo_products[0];

int64_t kdemo_month_first(int64_t day)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    return day - (dd - 1);
}

int64_t kdemo_month_next(int64_t day)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    return m == 12 ? kpi_days_from_date(y + 1, 1, 1) : kpi_days_from_date(y, m + 1, 1);
}

int kdemo_month_index(const kdemo *d, int64_t day)
{
    int64_t y0, y;
    int m0, m, dd;
    kpi_date_from_days(d->first_day, &y0, &m0, &dd);
    kpi_date_from_days(day, &y, &m, &dd);
    return (int)((y - y0) * 12 + (m - m0));
}

int kdemo_month_of(int64_t day)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    return m;
}

int64_t kdemo_day_of(const kdemo *d, int64_t utc_s)
{
    return kpi_timezone_day(d->tz, utc_s * 1000000);
}

bool kdemo_workday(int64_t day)
{
    return kpi_weekday(day) <= 5;
}

static const double season_by_month[12] = {0.78, 0.80, 0.93, 1.04, 1.12, 1.15,
                                           1.10, 1.03, 0.95, 0.93, 1.02, 1.15};
static const double weekday_factor[7] = {0.92, 0.90, 0.93, 0.97, 1.05, 1.20, 1.03};

double kdemo_demand(const kdemo *d, int64_t day)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    double years = (double)(day - d->first_day) / 365.25;
    double trend = exp(0.131 * years); /* about 14% a year */
    return trend * season_by_month[m - 1] * weekday_factor[kpi_weekday(day) - 1];
}

double kdemo_region_demand(const kdemo *d, int region, int64_t day)
{
    const kdemo_region *r = &kdemo_regions[region];
    double f = r->weight;
    if (r->slip > 0) {
        /* slipping since four months before the last complete month, and still slipping */
        int64_t since = d->last_month_first;
        for (int i = 0; i < 3; i++)
            since = kdemo_month_first(since - 1);
        if (day >= since) {
            double months = (double)(day - since) / 30.44 + 1;
            f *= fmax(0.4, 1 - r->slip * months);
        }
    }
    return f * kdemo_demand(d, day);
}

/* By sales weight and the category's season: winter gear sells in winter. */
size_t kdemo_pick_product(krng *r, int month)
{
    double total = 0;
    for (size_t i = 0; i < kdemo_nproducts; i++)
        total += kdemo_products[i].weight *
                 kdemo_categories[kdemo_products[i].category].season[month - 1];
    double x = krng_u01(r) * total;
    for (size_t i = 0; i < kdemo_nproducts; i++) {
        x -= kdemo_products[i].weight *
             kdemo_categories[kdemo_products[i].category].season[month - 1];
        if (x < 0)
            return i;
    }
    return kdemo_nproducts - 1;
}

double kdemo_category_share(int category, int month)
{
    double all = 0, mine = 0;
    for (size_t i = 0; i < kdemo_nproducts; i++) {
        const kdemo_product *p = &kdemo_products[i];
        double v =
            p->weight * kdemo_categories[p->category].season[month - 1] * (double)p->price_cents;
        all += v;
        if (p->category == category)
            mine += v;
    }
    return mine / all;
}

int64_t kdemo_at(kdemo *d, int64_t day, double hour)
{
    int64_t local_us = day * KDEMO_US_PER_DAY + (int64_t)(hour * 3600.0) * 1000000;
    return kpi_timezone_to_utc(d->tz, local_us) / 1000000;
}
