/*
 * marketing.c - the demo's marketing part: the ad platforms' daily campaign reports
 * (ad_spend), the website's sessions (web_sessions) and the social accounts' daily results
 * (social). Leads and their stages belong to the sales part (funnel.c), which runs the same
 * campaign names in the same months.
 *
 * Advertising is about 3.5% of the expected revenue of the day, split among the campaigns
 * that run that month, each on its platforms; every platform has its own price of an
 * impression, click rate and return (retargeting and search pay best, video and LinkedIn
 * least). Finance books the same
 * 3.5% in the ledger (finance.c), so the two views of ad spend agree. Paid web sessions carry
 * the campaigns bought that day, so a campaign's traffic follows its budget.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double ad_share_of_revenue = 0.035;
static const double sessions_per_day = 870; /* at scale 1 and demand 1 */

enum { REGIONS_MAX = 16 }; /* room for kdemo_nregions */

/* The campaigns (funnel.c runs the same names) with the months each runs and its budget
 * weight while it runs. */
static const struct {
    const char *name;
    int from, to; /* months, inclusive */
    double budget;
} campaigns[] = {
    {"spring_trail", 3, 5, 1.3},    {"summer_camp", 6, 8, 1.2},  {"fall_layers", 9, 10, 1.0},
    {"holiday_gifts", 11, 12, 1.6}, {"winter_ready", 1, 2, 0.9}, {"brand_always_on", 1, 12, 1.0},
    {"climbing_club", 1, 12, 0.35}, {"retargeting", 1, 12, 0.6},
};
enum { NCAMPAIGNS = sizeof campaigns / sizeof campaigns[0] };

/* One campaign on one platform: its share of the campaign's budget and the platform's prices
 * and results there (roas: attributed revenue per dollar spent). */
static const struct ad_line {
    int campaign;
    const char *platform, *channel;
    double share, cpm_usd, ctr, roas;
} ad_lines[] = {
    {0, "google_ads", "paid_search", 0.45, 27, 0.036, 5.3},
    {0, "meta", "paid_social", 0.35, 9, 0.013, 4.0},
    {0, "tiktok", "paid_social", 0.20, 7, 0.012, 3.1},
    {1, "google_ads", "paid_search", 0.40, 26, 0.034, 5.1},
    {1, "meta", "paid_social", 0.35, 9, 0.014, 4.1},
    {1, "tiktok", "paid_social", 0.15, 7, 0.013, 3.3},
    {1, "google_ads", "video", 0.10, 12, 0.010, 3.0},
    {2, "google_ads", "paid_search", 0.50, 27, 0.033, 5.0},
    {2, "meta", "paid_social", 0.50, 9, 0.012, 3.8},
    {3, "google_ads", "paid_search", 0.40, 31, 0.038, 5.9},
    {3, "microsoft_ads", "paid_search", 0.10, 24, 0.031, 5.2},
    {3, "meta", "paid_social", 0.35, 11, 0.015, 4.4},
    {3, "tiktok", "paid_social", 0.15, 8, 0.013, 3.4},
    {4, "google_ads", "paid_search", 0.50, 25, 0.032, 4.7},
    {4, "meta", "paid_social", 0.30, 8, 0.012, 3.6},
    {4, "google_ads", "display", 0.20, 4, 0.010, 3.2},
    {5, "google_ads", "paid_search", 0.50, 28, 0.036, 5.6},
    {5, "microsoft_ads", "paid_search", 0.15, 22, 0.030, 4.9},
    {5, "google_ads", "video", 0.15, 12, 0.010, 3.0},
    {5, "meta", "paid_social", 0.20, 9, 0.013, 3.7},
    {6, "meta", "paid_social", 0.60, 9, 0.014, 3.7},
    {6, "linkedin", "paid_social", 0.40, 30, 0.010, 3.0},
    {7, "google_ads", "display", 0.50, 5, 0.011, 6.0},
    {7, "meta", "paid_social", 0.50, 8, 0.016, 5.4},
};
enum { NAD_LINES = sizeof ad_lines / sizeof ad_lines[0] };

/* The website's default channel grouping: share of sessions, chance of a bounce, of the main
 * conversion, and of the session being on a phone. */
enum {
    CH_ORGANIC,
    CH_PAID_SEARCH,
    CH_PAID_SOCIAL,
    CH_SOCIAL,
    CH_EMAIL,
    CH_REFERRAL,
    CH_DIRECT,
    NCHANNELS
};
static const struct {
    const char *name;
    double share, bounce, convert, mobile;
} web_channels[NCHANNELS] = {
    {"organic_search", 0.34, 0.42, 0.026, 0.52}, {"paid_search", 0.16, 0.38, 0.032, 0.52},
    {"paid_social", 0.10, 0.55, 0.016, 0.74},    {"social", 0.08, 0.58, 0.010, 0.76},
    {"email", 0.09, 0.30, 0.048, 0.50},          {"referral", 0.06, 0.40, 0.028, 0.45},
    {"direct", 0.17, 0.33, 0.040, 0.48},
};

/* Unpaid sources and media of each channel (paid ones come from the ad line clicked). */
static const struct {
    int channel;
    const char *source, *medium;
    double weight;
} web_sources[] = {
    {CH_ORGANIC, "google", "organic", 0.84},
    {CH_ORGANIC, "bing", "organic", 0.11},
    {CH_ORGANIC, "duckduckgo", "organic", 0.05},
    {CH_SOCIAL, "instagram", "social", 0.34},
    {CH_SOCIAL, "facebook", "social", 0.26},
    {CH_SOCIAL, "youtube", "social", 0.14},
    {CH_SOCIAL, "tiktok", "social", 0.12},
    {CH_SOCIAL, "x", "social", 0.07},
    {CH_SOCIAL, "reddit", "social", 0.07},
    {CH_EMAIL, "newsletter", "email", 0.75},
    {CH_EMAIL, "crm", "email", 0.25},
    {CH_REFERRAL, "rei-forum.com", "referral", 0.30},
    {CH_REFERRAL, "outdoorgearlab.com", "referral", 0.40},
    {CH_REFERRAL, "mountainproject.com", "referral", 0.30},
    {CH_DIRECT, "(direct)", "(none)", 1.0},
};
enum { NSOURCES = sizeof web_sources / sizeof web_sources[0] };

/* Landing pages: the home page, one shop page per category (in kdemo_categories order), the
 * membership page and the journal (articles: organic search lands there). */
static const char *const pages[] = {"/",
                                    "/shop/tents",
                                    "/shop/packs",
                                    "/shop/apparel",
                                    "/shop/footwear",
                                    "/shop/climbing",
                                    "/shop/winter",
                                    "/membership",
                                    "/journal"};
enum { NPAGES = sizeof pages / sizeof pages[0], PAGE_SHOP = 1, PAGE_MEMBERSHIP = 7, PAGE_JOURNAL };

static const char *const devices[] = {"desktop", "mobile", "tablet"};
static const double device_conversion[] = {1.3, 0.8, 1.0}; /* phones convert least */
enum { DESKTOP, MOBILE, TABLET };

/* Sessions by local hour (evening peak). */
static const double hour_w[24] = {0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.4, 2.2, 2.8, 3.2, 3.4,
                                  3.6, 3.5, 3.4, 3.4, 3.5, 3.7, 4.2, 4.9, 5.3, 4.9, 3.6, 2.0};

/* Social accounts: one per platform, with the organic reach of a day (at the start) and the
 * engagement rate there. */
static const struct {
    const char *platform, *account;
    double reach, engagement;
    int64_t tooling_cents; /* content and tooling booked to the account per day */
} accounts[] = {
    {"facebook", "Alder & Finch Outdoor", 9000, 0.016, 9000},
    {"instagram", "@alderandfinch", 16000, 0.036, 15000},
    {"youtube", "Alder & Finch Outdoor", 7000, 0.021, 14000},
    {"tiktok", "@alderandfinch", 21000, 0.052, 10000},
    {"x", "@alderfinch", 3500, 0.010, 2500},
    {"linkedin", "Alder & Finch Outdoor", 2200, 0.019, 3000},
};
enum {
    NACCOUNTS = sizeof accounts / sizeof accounts[0],
    ACC_FACEBOOK = 0,
    ACC_INSTAGRAM = 1,
    ACC_TIKTOK = 3
};

typedef struct mkt {
    krng rng;
    kdemo_out *ads, *sessions, *social;
    uint64_t next_session;
    double hour_cum[24];
    double platform_month[NAD_LINES];    /* this month's return factor of each ad line */
    double owed[NAD_LINES][REGIONS_MAX]; /* spend due to each region, not yet given it */
    double social_month;                 /* this month's return factor of social */
    /* the day's paid clicks to draw paid sessions from: ad line index, cumulative spend */
    int search_line[NAD_LINES], social_line[NAD_LINES];
    double search_cum[NAD_LINES], social_cum[NAD_LINES];
    int nsearch, nsocial;
} mkt;

static bool runs(int campaign, int month)
{
    return month >= campaigns[campaign].from && month <= campaigns[campaign].to;
}

static bool all_year(int campaign)
{
    return campaigns[campaign].to - campaigns[campaign].from == 11;
}

/* The index of the first cumulative weight above u * total (n >= 1). */
static int pick_cum(const double *cum, int n, double u)
{
    double x = u * cum[n - 1];
    for (int i = 0; i < n - 1; i++)
        if (x < cum[i])
            return i;
    return n - 1;
}

/* A day's report is complete once the day is over. */
static bool day_over(kdemo *d, int64_t day)
{
    return kdemo_past(d, kdemo_at(d, day + 1, 0));
}

/* New month: each ad line's and social's return drifts a little (creatives, auctions);
 * social sells least after the holidays. */
static void new_month(mkt *s, int month)
{
    static const double social_season[12] = {0.7, 0.75, 0.95, 1.05, 1.1, 1.05,
                                             1.0, 1.0,  0.95, 0.95, 1.1, 1.2};
    for (int i = 0; i < NAD_LINES; i++)
        s->platform_month[i] = krng_lognormal(&s->rng, 1, 0.08);
    s->social_month = social_season[month - 1] * krng_lognormal(&s->rng, 1, 0.12);
}

/* A line's row targets one region a day, the one it owes most: over a month each region gets
 * its share of the line's spend (its weight in demand; marketing does not react to the slip). */
static size_t target_region(double *owed, double spend)
{
    size_t best = 0;
    for (size_t g = 0; g < kdemo_nregions; g++) {
        owed[g] += spend * kdemo_regions[g].weight;
        if (owed[g] > owed[best])
            best = g;
    }
    owed[best] -= spend;
    return best;
}

/* The ad platforms' reports of a day; remembers the paid lines that bring web sessions. */
static void ads_day(mkt *s, kdemo *d, int64_t day, int month)
{
    krng *r = &s->rng;
    double budget =
        ad_share_of_revenue * (double)KDEMO_DAILY_REVENUE_CENTS * d->scale * kdemo_demand(d, day);
    double total_w = 0;
    for (int c = 0; c < NCAMPAIGNS; c++)
        total_w += runs(c, month) ? campaigns[c].budget : 0;
    bool write = day_over(d, day);
    s->nsearch = s->nsocial = 0;
    for (int i = 0; i < NAD_LINES; i++) {
        const struct ad_line *a = &ad_lines[i];
        if (!runs(a->campaign, month))
            continue;
        double spend = budget * campaigns[a->campaign].budget / total_w * a->share *
                       krng_lognormal(r, 1, 0.12);
        int64_t spend_c = llround(spend);
        double impressions = spend / 100 / a->cpm_usd * 1000 * krng_lognormal(r, 1, 0.1);
        int64_t clicks = llround(impressions * a->ctr * krng_lognormal(r, 1, 0.1));
        size_t region = target_region(s->owed[i], spend);
        /* a region that buys less than its weight (the slipping one) returns less */
        double value = spend * a->roas * s->platform_month[i] * krng_lognormal(r, 1, 0.2) *
                       kdemo_region_demand(d, (int)region, day) /
                       (kdemo_regions[region].weight * kdemo_demand(d, day));
        int64_t conversions = llround(value / krng_lognormal(r, 11500, 0.1));
        if (conversions > clicks)
            conversions = clicks;
        if (!strcmp(a->channel, "paid_search")) {
            s->search_line[s->nsearch] = i;
            s->search_cum[s->nsearch] = (s->nsearch ? s->search_cum[s->nsearch - 1] : 0) + spend;
            s->nsearch++;
        } else if (!strcmp(a->channel, "paid_social")) {
            s->social_line[s->nsocial] = i;
            s->social_cum[s->nsocial] = (s->nsocial ? s->social_cum[s->nsocial - 1] : 0) + spend;
            s->nsocial++;
        }
        if (!write)
            continue;
        kdemo_out *o = s->ads;
        kdemo_date(o, day);
        kdemo_text(o, a->platform);
        kdemo_text(o, a->channel);
        kdemo_text(o, campaigns[a->campaign].name);
        kdemo_text(o, kdemo_regions[region].name);
        kdemo_int(o, llround(impressions));
        kdemo_int(o, clicks);
        kdemo_int(o, conversions);
        kdemo_cents(o, spend_c);
        kdemo_cents(o, llround(value));
        kdemo_end(o);
    }
}

/* Where a session came from: source, medium and campaign (paid ones: the ad line clicked). */
typedef struct origin {
    const char *source, *medium, *campaign;
} origin;

static origin session_origin(mkt *s, int ch, int month)
{
    krng *r = &s->rng;
    origin o = {0};
    if (ch == CH_PAID_SEARCH || ch == CH_PAID_SOCIAL) {
        bool search = ch == CH_PAID_SEARCH;
        int n = search ? s->nsearch : s->nsocial;
        if (n == 0)
            return (origin){"google", "cpc", NULL};
        int k = pick_cum(search ? s->search_cum : s->social_cum, n, krng_u01(r));
        const struct ad_line *a = &ad_lines[search ? s->search_line[k] : s->social_line[k]];
        o.campaign = campaigns[a->campaign].name;
        o.medium = search ? "cpc" : "paid_social";
        o.source = !strcmp(a->platform, "google_ads")      ? "google"
                   : !strcmp(a->platform, "microsoft_ads") ? "bing"
                   : !strcmp(a->platform, "meta")
                       ? (krng_chance(r, 0.55) ? "instagram" : "facebook")
                       : a->platform;
        return o;
    }
    double x = krng_u01(r), total = 0;
    for (int i = 0; i < NSOURCES; i++)
        total += web_sources[i].channel == ch ? web_sources[i].weight : 0;
    x *= total;
    for (int i = 0; i < NSOURCES; i++) {
        if (web_sources[i].channel != ch)
            continue;
        o.source = web_sources[i].source;
        o.medium = web_sources[i].medium;
        if ((x -= web_sources[i].weight) < 0)
            break;
    }
    if (ch == CH_EMAIL) { /* newsletters promote what runs: the season's campaign or the club */
        int live[NCAMPAIGNS], n = 0;
        for (int c = 0; c < NCAMPAIGNS; c++)
            if (runs(c, month) && strcmp(campaigns[c].name, "retargeting") &&
                strcmp(campaigns[c].name, "brand_always_on"))
                live[n++] = c;
        o.campaign = campaigns[live[krng_next(r) % (uint64_t)n]].name;
    }
    return o;
}

/* Cumulative landing page weights of each channel in `month`: shop pages follow the season. */
static void page_weights(double cum[NCHANNELS][NPAGES], int month)
{
    for (int ch = 0; ch < NCHANNELS; ch++) {
        double w[NPAGES];
        w[0] = ch == CH_DIRECT ? 0.55 : ch == CH_EMAIL ? 0.12 : 0.22;
        for (int k = 0; k < PAGE_MEMBERSHIP - PAGE_SHOP; k++)
            w[PAGE_SHOP + k] = (ch == CH_PAID_SEARCH || ch == CH_PAID_SOCIAL ? 0.7 : 0.45) *
                               kdemo_category_share(k, month);
        w[PAGE_MEMBERSHIP] = ch == CH_EMAIL ? 0.25 : 0.07;
        w[PAGE_JOURNAL] = ch == CH_ORGANIC ? 0.32 : ch == CH_SOCIAL ? 0.25 : 0.1;
        double acc = 0;
        for (int p = 0; p < NPAGES; p++)
            cum[ch][p] = acc += w[p];
    }
}

/* One session's engagement: pageviews, seconds, goals completed, converted. */
static void engagement(krng *r, int ch, int device, int64_t out[3], bool *converted)
{
    *converted = krng_chance(r, web_channels[ch].convert * device_conversion[device]);
    bool bounce = !*converted && krng_chance(r, web_channels[ch].bounce);
    int64_t pv = bounce ? 1 : 2 + krng_poisson(r, *converted ? 5.5 : 2.8);
    int64_t secs = bounce ? (krng_chance(r, 0.5) ? 0 : krng_range(r, 2, 90))
                          : (int64_t)fmin(10800, krng_lognormal(r, 48.0 * (double)pv, 0.5));
    int64_t goals;
    if (*converted)
        goals = 1 + krng_chance(r, 0.3) + krng_chance(r, 0.08);
    else
        goals = krng_chance(r, bounce ? 0.012 : 0.1) ? 1 + krng_chance(r, 0.15) : 0;
    out[0] = pv;
    out[1] = secs;
    out[2] = goals;
}

/* The website's sessions of a day. */
static void sessions_day(mkt *s, kdemo *d, int64_t day, int month)
{
    krng *r = &s->rng;
    double region_cum[REGIONS_MAX], acc = 0, ch_cum[NCHANNELS], page_cum[NCHANNELS][NPAGES];
    for (size_t g = 0; g < kdemo_nregions; g++)
        region_cum[g] = acc += kdemo_region_demand(d, (int)g, day);
    acc = 0;
    for (int ch = 0; ch < NCHANNELS; ch++)
        ch_cum[ch] = acc += web_channels[ch].share;
    page_weights(page_cum, month);
    int64_t midnight = kdemo_at(d, day, 0);
    bool dst_day = kdemo_at(d, day, 23) - midnight != 23 * 3600;
    int64_t n = krng_poisson(r, sessions_per_day * d->scale * kdemo_demand(d, day));
    for (int64_t i = 0; i < n; i++) {
        int hour = pick_cum(s->hour_cum, 24, krng_u01(r));
        double secs = hour * 3600.0 + (double)krng_range(r, 0, 3599);
        int64_t t = dst_day ? kdemo_at(d, day, secs / 3600) : midnight + (int64_t)secs;
        int ch = pick_cum(ch_cum, NCHANNELS, krng_u01(r));
        origin o = session_origin(s, ch, month);
        double u = krng_u01(r);
        int device = u < web_channels[ch].mobile          ? MOBILE
                     : u < web_channels[ch].mobile + 0.07 ? TABLET
                                                          : DESKTOP;
        int page = pick_cum(page_cum[ch], NPAGES, krng_u01(r));
        int region = pick_cum(region_cum, (int)kdemo_nregions, krng_u01(r));
        int64_t e[3];
        bool converted;
        engagement(r, ch, device, e, &converted);
        if (!kdemo_past(d, t))
            continue;
        char id[32];
        kdemo_out *w = s->sessions;
        kdemo_text(w, kdemo_id(id, sizeof id, "WS", ++s->next_session, 9));
        kdemo_time(w, t);
        kdemo_text(w, web_channels[ch].name);
        kdemo_text(w, o.source);
        kdemo_text(w, o.medium);
        kdemo_text(w, o.campaign);
        kdemo_text(w, pages[page]);
        kdemo_text(w, devices[device]);
        kdemo_text(w, kdemo_regions[region].name);
        kdemo_int(w, e[0]);
        kdemo_int(w, e[1]);
        kdemo_int(w, e[2]);
        kdemo_bool(w, converted);
        kdemo_end(w);
    }
}

/* One social report row. Paid rows reach by spend; organic rows by the account's audience,
 * which grows with the company. Returns are set against spend: organic posting costs little
 * and returns most. */
static void social_row(mkt *s, kdemo *d, int64_t day, int acc, const char *campaign, int64_t spend)
{
    krng *r = &s->rng;
    bool paid = strcmp(campaign, "organic") != 0;
    double trend = exp(0.2 * (double)(day - d->first_day) / 365.25); /* audience growth */
    double impressions = paid ? (double)spend / 100 / 8.5 * 1000 * krng_lognormal(r, 1, 0.15)
                              : accounts[acc].reach * trend * krng_lognormal(r, 1, 0.3);
    double engaged = impressions * accounts[acc].engagement * krng_lognormal(r, 1, 0.15);
    double roi = (paid ? 2.0 : 3.4) * s->social_month * krng_lognormal(r, 1, 0.25);
    kdemo_out *o = s->social;
    kdemo_date(o, day);
    kdemo_text(o, accounts[acc].platform);
    kdemo_text(o, accounts[acc].account);
    kdemo_text(o, campaign);
    kdemo_int(o, llround(impressions));
    kdemo_int(o, llround(engaged));
    kdemo_int(o, llround(impressions * 0.007 * krng_lognormal(r, 1, 0.2)));
    kdemo_int(o, llround(impressions * (paid ? 0.0005 : 0.0012) * krng_lognormal(r, 1, 0.3)));
    kdemo_cents(o, spend);
    kdemo_cents(o, llround((double)spend * roi));
    kdemo_end(o);
}

/* The social tool's report of a day: organic posting on every account, the season's
 * campaign boosted on Facebook and Instagram (and TikTok), the climbing club on Instagram. */
static void social_day(mkt *s, kdemo *d, int64_t day, int month)
{
    if (!day_over(d, day))
        return;
    krng *r = &s->rng;
    double size = d->scale * sqrt(kdemo_demand(d, day)); /* boosts grow with the season */
    for (int a = 0; a < NACCOUNTS; a++)
        social_row(
            s, d, day, a, "organic",
            llround((double)accounts[a].tooling_cents * d->scale * krng_lognormal(r, 1, 0.2)));
    for (int c = 0; c < NCAMPAIGNS; c++) {
        if (!runs(c, month) || all_year(c))
            continue; /* the season's campaign only */
        social_row(s, d, day, ACC_FACEBOOK, campaigns[c].name,
                   llround(32000 * size * krng_lognormal(r, 1, 0.2)));
        social_row(s, d, day, ACC_INSTAGRAM, campaigns[c].name,
                   llround(45000 * size * krng_lognormal(r, 1, 0.2)));
        if (month >= 3 && month <= 8)
            social_row(s, d, day, ACC_TIKTOK, campaigns[c].name,
                       llround(25000 * size * krng_lognormal(r, 1, 0.2)));
    }
    social_row(s, d, day, ACC_INSTAGRAM, "climbing_club",
               llround(15000 * size * krng_lognormal(r, 1, 0.25)));
}

static void *create(kdemo *d)
{
    mkt *s = kdemo_calloc(d, 1, sizeof *s);
    if (!s)
        return NULL;
    if (kdemo_nregions > REGIONS_MAX) {
        free(s);
        d->failed = true;
        kdemo_fail(d->err, KPI_LIMIT, "demo: marketing: more than %d regions", REGIONS_MAX);
        return NULL;
    }
    krng_seed(&s->rng, d->seed, "marketing");
    s->ads = kdemo_open(d, "ad_spend",
                        "day,platform,channel,campaign,region,impressions,clicks,"
                        "conversions,spend,conversion_value");
    s->sessions = kdemo_open(d, "web_sessions",
                             "session_id,started_at,channel,source,medium,"
                             "campaign,landing_page,device,region,pageviews,"
                             "duration_seconds,goal_completions,converted");
    s->social = kdemo_open(d, "social",
                           "day,platform,account,campaign,impressions,engagements,"
                           "clicks,followers_gained,spend,attributed_revenue");
    if (!s->ads || !s->sessions || !s->social) {
        free(s);
        return NULL;
    }
    double acc = 0;
    for (int h = 0; h < 24; h++)
        s->hour_cum[h] = acc += hour_w[h];
    new_month(s, kdemo_month_of(d->first_day));
    return s;
}

static void day(kdemo *d, void *state, int64_t day)
{
    mkt *s = state;
    if (!s)
        return;
    int month = kdemo_month_of(day);
    if (day == kdemo_month_first(day) && day != d->first_day)
        new_month(s, month);
    ads_day(s, d, day, month);
    sessions_day(s, d, day, month);
    social_day(s, d, day, month);
}

static void finish(kdemo *d, void *state)
{
    (void)d;
    free(state);
}

const kdemo_part kdemo_part_marketing = {"marketing", create, day, finish};
