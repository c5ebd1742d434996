/*
 * finance.c - the demo's finance part: the general ledger's expense lines (expenses), the
 * two legal entities' daily balance sheets (balances), the monthly revenue budget and forecast
 * (forecasts) and the cash flows of the investment projects (investments).
 *
 * Costs are sized from the demand model, so that with the orders of the sales part (cost of
 * goods about 53% of revenue) the company earns what a healthy retailer does: operating
 * expenses about 35% of revenue (an operating margin of 10-13%), interest and tax about 3.5%
 * (a net margin of 7-9%). Most costs follow the month's expected revenue (stores and the
 * warehouse staff up for the season); rent is fixed and rises 3% a year, so margins are thinner
 * in the quiet months; advertising follows demand, as marketing.c spends it; tax is a quarter of
 * the month's expected profit. Forecasts are made in advance from the same model, so they do
 * not know that the Midwest slips.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BASE_CENTS ((double)KDEMO_DAILY_REVENUE_CENTS)

static const double ad_share_of_revenue = 0.035; /* as marketing.c spends it */
static const double support_cents_per_day = 150000;
static const double cogs_ratio = 0.53;

enum { MANAGEMENT, SALES, MARKETING, FINANCE, IT, SUPPORT, HR, OPERATIONS, PRODUCTION, NDEPTS };

/* Departments: cost center, payroll as a share of revenue (support's is sized from its own
 * budget), and share of travel and card spend. Sales and marketing book by region (for the
 * cost of a customer by region), and so does support, whose agents serve regions. */
static const struct {
    const char *name, *cost_center;
    double payroll, travel;
} depts[NDEPTS] = {
    {"management", "100 Executive", 0.016, 0.0010},
    {"sales", "200 Sales", 0.072, 0.0045},
    {"marketing", "300 Marketing", 0.021, 0.0012},
    {"finance", "400 Finance", 0.009, 0.0003},
    {"it", "500 IT", 0.017, 0.0005},
    {"support", "600 Support", 0, 0.0001},
    {"hr", "700 People", 0.005, 0.0003},
    {"operations", "800 Operations", 0.047, 0.0005},
    {"production", "900 Plant", 0.012, 0.0003},
};

static bool by_region(int dept)
{
    return dept == SALES || dept == MARKETING || dept == SUPPORT;
}

/* Payroll: wages, then what comes with them, as shares of a department's payroll. */
static const struct {
    const char *account, *vendor;
    double share;
} payroll_parts[] = {
    {"6100 Salaries and wages", "ADP", 0.78},
    {"6110 Payroll taxes", "ADP", 0.08},
    {"6120 Employee benefits", "Aetna", 0.14},
};

/* Lines accrued over the month and posted on its last day, as a share of the month's revenue
 * (support's as a share of the support budget). */
static const struct month_line {
    const char *account, *category;
    int dept;
    const char *vendor;
    double share;
} month_lines[] = {
    {"6310 Agency fees", "advertising", MARKETING, "Northpeak Media", 0.004},
    {"6400 Software subscriptions", "software", MARKETING, "HubSpot", 0.003},
    {"6600 Professional services", "professional_services", MARKETING, "Lumen Studio", 0.003},
    {"6400 Software subscriptions", "software", SALES, "Salesforce", 0.002},
    {"6410 Cloud hosting", "software", IT, "Amazon Web Services", 0.005},
    {"6400 Software subscriptions", "software", IT, "Microsoft", 0.0012},
    {"6400 Software subscriptions", "software", IT, "Shopify", 0.0015},
    {"6400 Software subscriptions", "software", IT, "Atlassian", 0.0006},
    {"6400 Software subscriptions", "software", IT, "Datadog", 0.0008},
    {"6400 Software subscriptions", "software", IT, "Okta", 0.0005},
    {"6400 Software subscriptions", "software", IT, "Slack", 0.0004},
    {"6430 Telecom", "utilities", IT, "Verizon Business", 0.0012},
    {"6600 Professional services", "professional_services", IT, "Northbridge IT Services", 0.0025},
    {"6400 Software subscriptions", "software", FINANCE, "NetSuite", 0.0015},
    {"6600 Professional services", "professional_services", FINANCE, "Baker Tilly", 0.0035},
    {"6400 Software subscriptions", "software", HR, "Workday", 0.0008},
    {"6620 Recruiting", "professional_services", HR, "Hays Recruiting", 0.002},
    {"6210 Utilities", "utilities", OPERATIONS, "ComEd", 0.0012},
    {"6210 Utilities", "utilities", PRODUCTION, "ComEd", 0.003},
    {"6210 Utilities", "utilities", MANAGEMENT, "ComEd", 0.0005},
    {"6710 Insurance", "other", MANAGEMENT, "Travelers", 0.004},
    {"6600 Professional services", "professional_services", MANAGEMENT, "Cooley LLP", 0.0015},
    {"6400 Software subscriptions", "software", SUPPORT, "Zendesk", 0.08},
    {"6610 Outsourced support", "professional_services", SUPPORT, "TaskUs", 0.27},
};
enum { NMONTH_LINES = sizeof month_lines / sizeof month_lines[0] };
static const double support_payroll = 0.65; /* the rest of the support budget */

/* Fixed rents (share of the first year's revenue), posted on the 1st; stores by floor area. */
static const double store_rent = 0.025, store_utilities = 0.004;
static const struct {
    const char *landlord;
    int dept;
    double share;
} other_rents[] = {
    {"Prologis", OPERATIONS, 0.0035},                /* the web warehouse */
    {"Midwest Industrial REIT", PRODUCTION, 0.0025}, /* the plant */
    {"Hines", MANAGEMENT, 0.003},                    /* the head office */
};

/* Ad platforms, as the ledger books them (weekly invoices, by region). */
static const struct {
    const char *vendor;
    double share;
} ad_vendors[] = {
    {"Google", 0.52}, {"Meta", 0.30}, {"Microsoft", 0.06}, {"LinkedIn", 0.04}, {"TikTok", 0.08}};
enum { NAD_VENDORS = sizeof ad_vendors / sizeof ad_vendors[0] };

static const char *const carriers[] = {"UPS", "FedEx", "USPS"};
static const double carrier_w[] = {0.5, 0.3, 0.2};
static const double freight_share = 0.035, hardware_share = 0.0045, maintenance_share = 0.003,
                    supplies_share = 0.001;
static const char *const hardware_vendors[] = {"Dell", "Apple", "CDW", "Lenovo"};
enum { NHARDWARE_VENDORS = sizeof hardware_vendors / sizeof hardware_vendors[0] };
static const char *const travel_vendors[] = {"Delta Air Lines", "United Airlines", "Marriott",
                                             "Hilton",          "Hertz",           "Uber",
                                             "Amtrak",          "Olive Garden"};
enum { NTRAVEL_VENDORS = sizeof travel_vendors / sizeof travel_vendors[0] };

static const char *const entities[] = {"Alder & Finch Inc", "Alder & Finch Retail LLC"};
static const double entity_tax[] = {0.62, 0.38};
static const double tax_rate = 0.25;

/* Investment projects: start month (from the first simulated month; negative: begun before),
 * the monthly installments that pay for it, its running cost after them (licences, upkeep,
 * the lease), and its monthly return once live (savings or extra margin), in thousands of
 * dollars at scale 1. Returns ramp up over six months, then grow 0.5% a month. The older
 * projects pay for the newer ones: the book returns 10-60% a year. */
static const struct project {
    const char *name, *category;
    int start, installments, live;
    double install_k, running_k, return_k;
} projects[] = {
    {"solar_roof", "equipment", -20, 0, 2, 0, 9, 14},
    {"ecommerce_replatform", "software", -10, 0, 4, 0, 45, 64},
    {"crm_rollout", "software", 3, 4, 4, 25, 13, 28},
    {"plant_automation", "equipment", 9, 10, 3, 35, 26, 50},
    {"new_store_fitout", "expansion", 15, 6, 3, 55, 30, 50},
    {"marketing_automation", "marketing", 18, 5, 3, 12, 8, 15},
};
enum { NPROJECTS = sizeof projects / sizeof projects[0] };

typedef struct fin {
    krng rng;
    kdemo_out *expenses, *balances, *forecasts, *investments;
    uint64_t next_entry, next_flow;
    /* the current month */
    int64_t month_first, month_next;
    double trend;         /* the average demand of the year around it */
    double month_revenue; /* its expected revenue (cents), what most costs are sized from */
    double month_opex;    /* operating expenses and interest posted in it, for its tax */
    double month_support; /* the support budget */
    double month_ads;     /* ad spend accrued in it */
    /* accrued since the last posting (cents) */
    double ads, freight, hardware, maintenance, supplies;
    double ratio_noise[2], cash_walk[2]; /* balance sheet drift of each entity */
} fin;

/* The demand of the year centred on `day`: the trend without season or weekday. */
static double trend_at(const kdemo *d, int64_t day)
{
    double sum = 0;
    for (int64_t k = day - 182; k <= day + 182; k++)
        sum += kdemo_demand(d, k);
    return sum / 365;
}

/* The expected revenue of `day` (cents), what most costs follow. */
static double expected(const kdemo *d, int64_t day)
{
    return BASE_CENTS * d->scale * kdemo_demand(d, day);
}

/* The last working day on or before `day`: payday when the 15th falls on a weekend. */
static int64_t workday_before(int64_t day)
{
    while (!kdemo_workday(day))
        day--;
    return day;
}

/* Writes one ledger line. `region` and `cost_center` may be NULL. */
static void post(fin *s, int64_t day, const char *account, const char *category, const char *type,
                 int dept, const char *cost_center, const char *region, const char *vendor,
                 double cents)
{
    char id[16];
    snprintf(id, sizeof id, "GL%08llu", (unsigned long long)++s->next_entry);
    kdemo_out *o = s->expenses;
    kdemo_text(o, id);
    kdemo_date(o, day);
    kdemo_text(o, account);
    kdemo_text(o, category);
    kdemo_text(o, type);
    kdemo_text(o, depts[dept].name);
    kdemo_text(o, cost_center ? cost_center : depts[dept].cost_center);
    kdemo_text(o, region);
    kdemo_text(o, vendor);
    kdemo_cents(o, llround(cents));
    kdemo_end(o);
    if (strcmp(type, "tax") && strcmp(type, "other"))
        s->month_opex += (double)llround(cents);
}

/* A region by weight. */
static size_t pick_region(krng *r)
{
    double x = krng_u01(r);
    for (size_t g = 0; g + 1 < kdemo_nregions; g++)
        if ((x -= kdemo_regions[g].weight) < 0)
            return g;
    return kdemo_nregions - 1;
}

/* An operating line of a department, split over the regions by weight for the departments
 * that book by region. */
static void post_dept(fin *s, int64_t day, const char *account, const char *category, int dept,
                      const char *vendor, double cents)
{
    if (!by_region(dept)) {
        post(s, day, account, category, "operating", dept, NULL, NULL, vendor, cents);
        return;
    }
    for (size_t g = 0; g < kdemo_nregions; g++)
        post(s, day, account, category, "operating", dept, NULL, kdemo_regions[g].name, vendor,
             cents * kdemo_regions[g].weight * krng_lognormal(&s->rng, 1, 0.03));
}

/* A new month: what its costs are sized from. */
static void start_month(fin *s, kdemo *d, int64_t day)
{
    s->month_first = kdemo_month_first(day);
    s->month_next = kdemo_month_next(day);
    s->trend = trend_at(d, s->month_first + 14);
    s->month_revenue = s->month_support = s->month_ads = s->month_opex = 0;
    for (int64_t k = s->month_first; k < s->month_next; k++) {
        double b = expected(d, k);
        s->month_revenue += b;
        s->month_support += support_cents_per_day * d->scale * sqrt(b / (BASE_CENTS * d->scale));
    }
}

/* Half a month's payroll of every department. */
static void payroll(fin *s, int64_t day)
{
    for (int dp = 0; dp < NDEPTS; dp++) {
        double half = (dp == SUPPORT ? support_payroll * s->month_support
                                     : depts[dp].payroll * s->month_revenue) /
                      2;
        half *= krng_lognormal(&s->rng, 1, 0.01);
        for (size_t p = 0; p < sizeof payroll_parts / sizeof payroll_parts[0]; p++)
            post_dept(s, day, payroll_parts[p].account, "payroll", dp, payroll_parts[p].vendor,
                      half * payroll_parts[p].share);
    }
}

/* A store's share of the stores' rent: its floor area, flagships at a premium, outlets at a
 * discount. */
static double rent_weight(const kdemo_store *st)
{
    double prime = !strcmp(st->format, "flagship") ? 1.25 : !strcmp(st->format, "outlet") ? 0.7 : 1;
    return st->floor_area * prime;
}

/* Rents, fixed for the year and 3% more every January; posted on the 1st. */
static void rents(fin *s, kdemo *d, int64_t day)
{
    int64_t y0, y;
    int m, dd;
    kpi_date_from_days(d->first_day, &y0, &m, &dd);
    kpi_date_from_days(day, &y, &m, &dd);
    double monthly = BASE_CENTS * d->scale * 365 / 12 * pow(1.03, (double)(y - y0));
    double total = 0;
    for (size_t i = 0; i < kdemo_nstores; i++)
        total += rent_weight(&kdemo_stores[i]);
    for (size_t i = 0; i < kdemo_nstores; i++) {
        const kdemo_store *st = &kdemo_stores[i];
        const char *landlord = !strcmp(st->format, "mall")     ? "Simon Property Group"
                               : !strcmp(st->format, "outlet") ? "Tanger Outlets"
                                                               : "Urban Realty Partners";
        post(s, day, "6200 Rent", "rent", "operating", OPERATIONS, st->name,
             kdemo_regions[st->region].name, landlord,
             monthly * store_rent * rent_weight(st) / total);
    }
    for (size_t i = 0; i < sizeof other_rents / sizeof other_rents[0]; i++)
        post(s, day, "6200 Rent", "rent", "operating", other_rents[i].dept, NULL, NULL,
             other_rents[i].landlord, monthly * other_rents[i].share);
}

/* Utilities cost more in the heat of summer and the cold of winter. */
static double weather(int month)
{
    static const double f[12] = {1.3, 1.25, 1.05, 0.9, 0.85, 1.0, 1.1, 1.1, 0.9, 0.85, 1.0, 1.2};
    return f[month - 1] / 1.042;
}

/* The month-end accruals: services, software, utilities, interest, tax, the odd credit. */
static void month_end(fin *s, kdemo *d, int64_t day)
{
    krng *r = &s->rng;
    int month = kdemo_month_of(day);
    for (int i = 0; i < NMONTH_LINES; i++) {
        const struct month_line *l = &month_lines[i];
        double base = l->dept == SUPPORT ? s->month_support : s->month_revenue;
        double noise = krng_lognormal(r, 1, !strcmp(l->category, "utilities") ? 0.06 : 0.04);
        if (!strcmp(l->category, "utilities"))
            noise *= weather(month);
        post_dept(s, day, l->account, l->category, l->dept, l->vendor, base * l->share * noise);
    }
    double area = 0;
    for (size_t i = 0; i < kdemo_nstores; i++)
        area += kdemo_stores[i].floor_area;
    for (size_t i = 0; i < kdemo_nstores; i++)
        post(s, day, "6210 Utilities", "utilities", "operating", OPERATIONS, kdemo_stores[i].name,
             kdemo_regions[kdemo_stores[i].region].name, "Local utility",
             s->month_revenue * store_utilities * kdemo_stores[i].floor_area / area *
                 weather(month) * krng_lognormal(r, 1, 0.05));
    /* a credit now and then: an ad platform's make-good, a software refund */
    if (krng_chance(r, 0.5))
        post(s, day, "6300 Advertising", "advertising", "operating", MARKETING, NULL,
             kdemo_regions[krng_range(r, 0, (int64_t)kdemo_nregions - 1)].name, "Google",
             -s->month_ads * ad_vendors[0].share * (0.01 + 0.03 * krng_u01(r)));
    if (krng_chance(r, 0.25))
        post(s, day, "6400 Software subscriptions", "software", "operating", IT, NULL, NULL,
             "Microsoft", -s->month_revenue * 0.0012 * (0.05 + 0.2 * krng_u01(r)));
    /* interest: an amortising term loan, and the revolver drawn to build stock for the seasons */
    double years = (double)(day - d->first_day) / 365.25;
    double loan = 0.12 * BASE_CENTS * d->scale * 365 * fmax(0, 1 - (years + 2) / 7);
    static const double drawn[12] = {0.2, 0.6, 0.9, 0.8, 0.4, 0.1, 0, 0, 0.3, 0.7, 0.8, 0.3};
    double revolver = 0.05 * BASE_CENTS * d->scale * 365 * s->trend * drawn[month - 1];
    post(s, day, "7100 Interest expense", "interest", "interest", FINANCE, NULL, NULL,
         "First Harbor Bank", (loan * 0.075 + revolver * 0.085) / 12);
    post(s, day, "7900 Other income and expense", "other", "other", FINANCE, NULL, NULL, NULL,
         s->month_revenue * krng_normal(r, 0.0002, 0.0008));
    double profit = s->month_revenue * (1 - cogs_ratio) - s->month_opex;
    for (int e = 0; e < 2; e++)
        post(s, day, "8100 Income tax expense", "tax", "tax", FINANCE, entities[e], NULL,
             e == 0 ? "IRS" : "State revenue departments",
             fmax(0, profit) * tax_rate * entity_tax[e] * krng_lognormal(r, 1, 0.03));
}

/* The week's (or the month's last days') ad invoices, by platform and region. */
static void post_ads(fin *s, int64_t day)
{
    for (int v = 0; v < NAD_VENDORS; v++)
        for (size_t g = 0; g < kdemo_nregions; g++)
            post(s, day, "6300 Advertising", "advertising", "operating", MARKETING, NULL,
                 kdemo_regions[g].name, ad_vendors[v].vendor,
                 s->ads * ad_vendors[v].share * kdemo_regions[g].weight *
                     krng_lognormal(&s->rng, 1, 0.05));
    s->ads = 0;
}

/* Card spend of a day: travel, meals, rides, booked by the department that spent it. */
static void card_lines(fin *s, kdemo *d, int64_t day, double revenue)
{
    krng *r = &s->rng;
    bool work = kdemo_workday(day);
    double lines = (work ? 28 : 5) * d->scale;
    double total_share = 0, w[NDEPTS];
    for (int dp = 0; dp < NDEPTS; dp++)
        total_share += w[dp] = depts[dp].travel;
    /* the week's budget goes 93% to working days */
    double budget = total_share * revenue * 7 * (work ? 0.93 / 5 : 0.07 / 2);
    int64_t n = krng_poisson(r, lines);
    for (int64_t i = 0; i < n; i++) {
        int dp = (int)krng_pick(r, w, NDEPTS);
        double amount = budget / lines * krng_lognormal(r, 1, 0.8) / exp(0.32);
        const char *region = by_region(dp) ? kdemo_regions[pick_region(r)].name : NULL;
        post(s, day, "6500 Travel and entertainment", "travel", "operating", dp, NULL, region,
             travel_vendors[krng_next(r) % NTRAVEL_VENDORS], amount);
    }
}

/* A day of the ledger. */
static void expenses_day(fin *s, kdemo *d, int64_t day)
{
    krng *r = &s->rng;
    double revenue = expected(d, day);
    double ads = ad_share_of_revenue * revenue;
    s->ads += ads;
    s->month_ads += ads;
    s->freight += freight_share * revenue;
    s->hardware += hardware_share * revenue;
    s->maintenance += maintenance_share * revenue;
    s->supplies += supplies_share * revenue;
    int64_t last = s->month_next - 1;
    if (day == s->month_first)
        rents(s, d, day);
    if (day == workday_before(s->month_first + 14) || day == workday_before(last))
        payroll(s, day);
    card_lines(s, d, day, revenue);
    if (kdemo_workday(day)) {
        for (int c = 0; c < 3; c++)
            post(s, day, "6700 Freight and fulfillment", "other", "operating", OPERATIONS, NULL,
                 NULL, carriers[c], s->freight * carrier_w[c] * krng_lognormal(r, 1, 0.05));
        s->freight = 0;
        if (krng_chance(r, 0.2)) {
            post(s, day, "6420 Hardware", "hardware", "operating", IT, NULL, NULL,
                 hardware_vendors[krng_next(r) % NHARDWARE_VENDORS], s->hardware);
            s->hardware = 0;
        }
    }
    if (kpi_weekday(day) == 5) {
        post(s, day, "6720 Repairs and maintenance", "other", "operating", PRODUCTION, NULL, NULL,
             "Grainger", s->maintenance);
        post(s, day, "6730 Office supplies", "other", "operating", MANAGEMENT, NULL, NULL,
             "Staples", s->supplies);
        s->maintenance = s->supplies = 0;
    }
    if (kpi_weekday(day) == 7 || day == last)
        post_ads(s, day);
    if (day == last)
        month_end(s, d, day);
}

/* The balance sheets at the end of a day. Stock builds before spring and the holidays and is
 * financed by suppliers and the revolver, so the current ratio dips then and recovers as the
 * season's sales turn stock into cash. */
static void balances_day(fin *s, kdemo *d, int64_t day)
{
    static const double stock_days[12] = {85, 100, 112, 108, 95, 85, 80, 80, 90, 102, 106, 82};
    static const double ratio[12] = {1.85, 1.62, 1.46, 1.50, 1.66, 1.82,
                                     1.96, 2.04, 1.92, 1.72, 1.56, 1.74};
    static const double entity_ratio[2] = {0.08, -0.12};
    static const double share_inv[2] = {0.65, 0.35}, share_recv[2] = {0.92, 0.08},
                        share_cash[2] = {0.7, 0.3}, share_fixed[2] = {0.72, 0.28};
    krng *r = &s->rng;
    for (int e = 0; e < 2; e++) {
        s->ratio_noise[e] = 0.9 * s->ratio_noise[e] + krng_normal(r, 0, 0.012);
        s->cash_walk[e] = 0.95 * s->cash_walk[e] + krng_normal(r, 0, 0.02);
    }
    if (!kdemo_past(d, kdemo_at(d, day + 1, 0)))
        return;
    /* interpolate the month anchors (mid-month) to the day */
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    double pos = (double)(m - 1) + (dd - 15.0) / 30.44;
    int lo = ((int)floor(pos) + 12) % 12, hi = (lo + 1) % 12;
    double f = pos - floor(pos);
    double days_stock = stock_days[lo] * (1 - f) + stock_days[hi] * f;
    double target = ratio[lo] * (1 - f) + ratio[hi] * f;
    double years = (double)(day - d->first_day) / 365.25;
    double annual = BASE_CENTS * d->scale * 365 * trend_at(d, day);
    double daily = annual / 365;
    /* customers on terms (B2B, the marketplace) pay in 38 days, card sales in 2 */
    double on_terms = 0, on_cards = 0;
    for (int64_t k = day - 37; k <= day; k++)
        on_terms += expected(d, k);
    for (int64_t k = day - 1; k <= day; k++)
        on_cards += expected(d, k);
    for (int e = 0; e < 2; e++) {
        double inventory = share_inv[e] * daily * cogs_ratio * days_stock;
        double receivables = share_recv[e] * (0.28 * on_terms + 0.34 * on_cards);
        double cash =
            share_cash[e] * 0.06 * annual * (1.45 - 0.45 * days_stock / 93) * exp(s->cash_walk[e]);
        double other = 0.015 * annual * (e == 0 ? 0.6 : 0.4);
        double current = inventory + receivables + cash + other;
        double liabilities =
            current / (target + entity_ratio[e] + 0.04 * years + s->ratio_noise[e]);
        double total = current + share_fixed[e] * 0.32 * annual;
        double debt =
            share_cash[e] * 0.12 * BASE_CENTS * d->scale * 365 * fmax(0, 1 - (years + 2) / 7);
        kdemo_out *o = s->balances;
        kdemo_date(o, day);
        kdemo_text(o, entities[e]);
        kdemo_cents(o, llround(cash));
        kdemo_cents(o, llround(receivables));
        kdemo_cents(o, llround(inventory));
        kdemo_cents(o, llround(current));
        kdemo_cents(o, llround(liabilities));
        kdemo_cents(o, llround(total));
        kdemo_cents(o, llround(total - liabilities - debt));
        kdemo_end(o);
    }
}

/* The month (1..12) and "YYYY-MM" of a day. */
static int month_label(int64_t day, char b[16])
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    snprintf(b, 16, "%04d-%02d", (int)y, m);
    return m;
}

/* The budget and forecast of one month, by region, channel and category: the demand model
 * without the Midwest's slip, give or take the forecaster's error; the budget a little high. */
static void forecast_month(fin *s, kdemo *d, int64_t first)
{
    krng *r = &s->rng;
    char label[16], id[128];
    int month = month_label(first, label);
    double demand = 0;
    for (int64_t k = first; k < kdemo_month_next(first); k++)
        demand += kdemo_demand(d, k);
    double month_err = krng_normal(r, 0, 0.01), budget_err = krng_normal(r, 0, 0.01);
    for (size_t g = 0; g < kdemo_nregions; g++) {
        double region_err = krng_normal(r, 0, 0.012);
        for (size_t c = 0; c < kdemo_nchannels; c++)
            for (size_t k = 0; k < kdemo_ncategories; k++) {
                double base = BASE_CENTS * d->scale * demand * kdemo_regions[g].weight *
                              kdemo_channels[c].share * kdemo_category_share((int)k, month);
                double fc = base * (1 + month_err + region_err + krng_normal(r, 0, 0.015));
                double bud = base * (1.04 + budget_err + krng_normal(r, 0, 0.02));
                for (int sc = 0; sc < 2; sc++) {
                    const char *scenario = sc ? "budget" : "forecast";
                    snprintf(id, sizeof id, "%s|%s|%s|%s|%s", scenario, label,
                             kdemo_regions[g].name, kdemo_channels[c].name,
                             kdemo_categories[k].name);
                    kdemo_out *o = s->forecasts;
                    kdemo_text(o, id);
                    kdemo_date(o, first);
                    kdemo_text(o, scenario);
                    kdemo_text(o, kdemo_regions[g].name);
                    kdemo_text(o, kdemo_channels[c].name);
                    kdemo_text(o, kdemo_categories[k].name);
                    kdemo_cents(o, llround(sc ? bud : fc));
                    kdemo_end(o);
                }
            }
    }
}

/* Writes one cash flow of a project (thousands of dollars at scale 1) if it falls in the run. */
static void flow(fin *s, kdemo *d, int64_t day, const struct project *p, const char *kind,
                 double k_dollars)
{
    if (day < d->first_day || day > d->today || k_dollars <= 0)
        return;
    char id[16];
    snprintf(id, sizeof id, "INV%05llu", (unsigned long long)++s->next_flow);
    kdemo_out *o = s->investments;
    kdemo_text(o, id);
    kdemo_date(o, day);
    kdemo_text(o, p->name);
    kdemo_text(o, p->category);
    kdemo_text(o, kind);
    kdemo_cents(o, llround(k_dollars * 100000 * d->scale));
    kdemo_end(o);
}

/* The cash flows of the projects in one month (`index` from the first simulated month). */
static void investments_month(fin *s, kdemo *d, int64_t first, int index)
{
    krng *r = &s->rng;
    int64_t last = kdemo_month_next(first) - 1;
    for (int i = 0; i < NPROJECTS; i++) {
        const struct project *p = &projects[i];
        int age = index - p->start;
        if (age < 0)
            continue;
        if (age < p->installments)
            flow(s, d, first + 4, p, "cost", p->install_k * krng_lognormal(r, 1, 0.03));
        else
            flow(s, d, first + 4, p, "cost", p->running_k * krng_lognormal(r, 1, 0.05));
        if (age >= p->live) {
            int on = age - p->live + 1;
            double ramp = on < 6 ? on / 6.0 : pow(1.005, on - 6);
            flow(s, d, last, p, "return", p->return_k * ramp * krng_lognormal(r, 1, 0.06));
        }
    }
}

static void *create(kdemo *d)
{
    fin *s = kdemo_calloc(d, 1, sizeof *s);
    if (!s)
        return NULL;
    krng_seed(&s->rng, d->seed, "finance");
    s->expenses = kdemo_open(d, "expenses",
                             "entry_id,posted_on,account,category,type,department,"
                             "cost_center,region,vendor,amount");
    s->balances = kdemo_open(d, "balances",
                             "as_of,entity,cash,receivables,inventory_value,"
                             "current_assets,current_liabilities,total_assets,"
                             "total_equity");
    s->forecasts = kdemo_open(d, "forecasts",
                              "forecast_id,month,scenario,region,sales_channel,"
                              "category,revenue");
    s->investments = kdemo_open(d, "investments", "flow_id,booked_on,project,category,flow,amount");
    if (!s->expenses || !s->balances || !s->forecasts || !s->investments) {
        free(s);
        return NULL;
    }
    return s;
}

static void day(kdemo *d, void *state, int64_t day)
{
    fin *s = state;
    if (!s)
        return;
    if (day == d->first_day || day == kdemo_month_first(day))
        start_month(s, d, day);
    expenses_day(s, d, day);
    balances_day(s, d, day);
}

/* Forecasts are written ahead, up to two months out; investments month by month. */
static void finish(kdemo *d, void *state)
{
    fin *s = state;
    if (!s)
        return;
    int index = 0;
    for (int64_t m = kdemo_month_first(d->first_day); m <= d->today + 62; m = kdemo_month_next(m))
        forecast_month(s, d, m);
    for (int64_t m = kdemo_month_first(d->first_day); m <= d->today; m = kdemo_month_next(m))
        investments_month(s, d, m, index++);
    free(s);
}

const kdemo_part kdemo_part_finance = {"finance", create, day, finish};
