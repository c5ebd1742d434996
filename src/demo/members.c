/*
 * members.c - the demo's membership: Alder Club, a paid subscription in three plans. Members
 * join every day (more in season), and each leaves after a lifetime drawn when they join, by
 * choice (voluntary) or by a failed payment (involuntary). The billing system's daily count of
 * active members per plan, region and acquisition channel (at the start of each day, before
 * that day's joins and cancellations) is computed exactly from those lives, so that churn over
 * the first count of a period is what the catalog's formulas expect.
 */
#include "sales_int.h"

#include <math.h>
#include <stdlib.h>

static const struct {
    const char *name;
    int64_t mrr_cents;
    double weight;
} plans[] = {{"basic", 900, 0.5}, {"plus", 1900, 0.35}, {"pro", 3900, 0.15}};
enum { NPLANS = 3 };

static const char *const channels[] = {"paid_search", "paid_social", "organic", "referral"};
static const double channel_w[] = {0.3, 0.2, 0.35, 0.15};
enum { NCHANNELS = 4 };

static const double voluntary_monthly = 0.016, involuntary_monthly = 0.007;

static size_t series_count(void)
{
    return NPLANS * kdemo_nregions * NCHANNELS;
}

static size_t diff_at(const ksales *s, size_t series, int64_t day)
{
    return series * (size_t)s->ndays + (size_t)(day - s->base_day);
}

static void write_event(ksales *s, int64_t t, uint64_t member, const char *event, const char *churn,
                        int plan, int region, int channel)
{
    char id[24], cust[16];
    kdemo_out *w = s->subscriptions;
    kdemo_text(w, kdemo_id(id, sizeof id, "SE", ++s->next_sub_event, 8));
    kdemo_time(w, t);
    kdemo_text(w, kdemo_id(cust, sizeof cust, "M", member, 7));
    kdemo_text(w, event);
    kdemo_text(w, churn);
    kdemo_text(w, plans[plan].name);
    kdemo_text(w, kdemo_regions[region].name);
    kdemo_text(w, channels[channel]);
    kdemo_cents(w, plans[plan].mrr_cents);
    kdemo_end(w);
}

/* A member active from the start of `from_day` (or joining at `joined`, when non-zero): their
 * lifetime, their cancellation if it has happened, and their days in the counts. */
static void member(ksales *s, kdemo *d, int64_t from_day, int64_t joined, int region)
{
    krng *r = &s->rng;
    int plan = (int)krng_pick(
        r, (const double[]){plans[0].weight, plans[1].weight, plans[2].weight}, NPLANS);
    int channel = (int)krng_pick(r, channel_w, NCHANNELS);
    uint64_t id = ++s->next_member;
    size_t series = ((size_t)plan * kdemo_nregions + (size_t)region) * NCHANNELS + (size_t)channel;
    if (joined && kdemo_past(d, joined))
        write_event(s, joined, id, "started", NULL, plan, region, channel);
    if (joined && !kdemo_past(d, joined))
        return;
    double rate = (voluntary_monthly + involuntary_monthly) / 30.44; /* per day */
    int64_t start = joined ? joined : kdemo_at(d, from_day, 0);
    int64_t end = start + (int64_t)(-log(1 - krng_u01(r)) / rate * 86400);
    bool voluntary = krng_chance(r, voluntary_monthly / (voluntary_monthly + involuntary_monthly));
    int64_t first_counted = joined ? from_day + 1 : from_day;
    int64_t last = s->base_day + s->ndays - 1;
    if (first_counted > last)
        return;
    s->active_diff[diff_at(s, series, first_counted)]++;
    if (kdemo_past(d, end)) {
        write_event(s, end, id, "cancelled", voluntary ? "voluntary" : "involuntary", plan, region,
                    channel);
        int64_t gone = kdemo_day_of(d, end) + 1;
        if (gone < first_counted)
            gone = first_counted;
        if (gone <= last)
            s->active_diff[diff_at(s, series, gone)]--;
    }
}

bool ksales_members_init(ksales *s, kdemo *d)
{
    s->active_diff = calloc(series_count() * (size_t)s->ndays, sizeof *s->active_diff);
    s->subscriptions = kdemo_open(d, "subscriptions",
                                  "event_id,occurred_at,customer,event,"
                                  "churn_type,plan,region,channel,mrr");
    s->customer_counts = kdemo_open(d, "customer_counts", "as_of,plan,region,channel,active");
    if (!s->active_diff || d->failed)
        return false;
    double w[16];
    for (size_t g = 0; g < kdemo_nregions; g++)
        w[g] = kdemo_regions[g].weight;
    int64_t base = llround(60000 * d->scale);
    for (int64_t i = 0; i < base; i++)
        member(s, d, d->first_day, 0, (int)krng_pick(&s->rng, w, kdemo_nregions));
    return true;
}

void ksales_members_day(ksales *s, kdemo *d, int64_t day)
{
    krng *r = &s->rng;
    double w[16];
    for (size_t g = 0; g < kdemo_nregions; g++)
        w[g] = kdemo_region_demand(d, (int)g, day);
    int64_t n = krng_poisson(r, 80 * d->scale * kdemo_demand(d, day));
    for (int64_t i = 0; i < n; i++)
        member(s, d, day, kdemo_at(d, day, 24 * krng_u01(r)), (int)krng_pick(r, w, kdemo_nregions));
}

/* The daily counts, from the first day to today (today's start has passed). */
void ksales_members_finish(ksales *s, kdemo *d)
{
    for (size_t series = 0; series < series_count(); series++) {
        int32_t active = 0;
        for (int64_t day = s->base_day; day <= d->today; day++) {
            active += s->active_diff[diff_at(s, series, day)];
            s->active_diff[diff_at(s, series, day)] = active;
        }
    }
    for (int64_t day = d->first_day; day <= d->today; day++)
        for (size_t series = 0; series < series_count(); series++) {
            size_t plan = series / (kdemo_nregions * NCHANNELS);
            size_t region = series / NCHANNELS % kdemo_nregions;
            kdemo_out *w = s->customer_counts;
            kdemo_date(w, day);
            kdemo_text(w, plans[plan].name);
            kdemo_text(w, kdemo_regions[region].name);
            kdemo_text(w, channels[series % NCHANNELS]);
            kdemo_int(w, s->active_diff[diff_at(s, series, day)]);
            kdemo_end(w);
        }
}
