/*
 * funnel.c - the demo's B2B and lead funnel: leads (inbound from marketing's channels and
 * campaigns, outbound from reps) move through lifecycle stages; some become opportunities that
 * go created -> qualified -> proposal (a quote) -> negotiation -> won or lost, with amounts and
 * durations that depend on the rep; some buy online within 90 days. Reps log calls, e-mails,
 * visits, meetings and demos. The nightly pipeline report is the open opportunities per rep and
 * stage at the end of each day, computed exactly from the simulated deals.
 *
 * Each lead's and deal's whole future is drawn when it is born and only its past is written,
 * so that the data stops at "now" with deals still open. The funnel runs 120 days before the
 * first day, unwritten, so that the first month already has a pipeline.
 */
#include "sales_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[OPEN_STAGES] = {"created", "qualified", "proposal",
                                                     "negotiation"};
static const double stage_probability[OPEN_STAGES] = {0.1, 0.2, 0.4, 0.6};

static const char *const lead_channels[] = {"paid_search", "paid_social", "organic_search",
                                            "social",      "email",       "referral",
                                            "events",      "direct"};
static const double lead_channel_w[] = {0.22, 0.15, 0.2, 0.08, 0.1, 0.1, 0.05, 0.1};

/* Marketing's campaigns (marketing.c runs the same names) and the months each runs. */
static const struct {
    const char *name;
    int from, to; /* months, inclusive; 1..12 for all year */
} campaigns[] = {
    {"spring_trail", 3, 5},    {"summer_camp", 6, 8},  {"fall_layers", 9, 10},
    {"holiday_gifts", 11, 12}, {"winter_ready", 1, 2}, {"brand_always_on", 1, 12},
    {"climbing_club", 1, 12},  {"retargeting", 1, 12},
};
enum { NCAMPAIGNS = sizeof campaigns / sizeof campaigns[0] };

static const char *const sources[] = {"outbound", "partner", "referral", "existing_customer"};
static const double source_w[] = {0.45, 0.2, 0.1, 0.25};

static bool writable(const ksales *s, const kdemo *d, int64_t t)
{
    return t >= s->first_s && kdemo_past(d, t);
}

/* Opens [from, to) of a rep's stage in the pipeline's per-day difference arrays. */
static void pipe_open(ksales *s, kdemo *d, int rep, int stage, int64_t from_t, int64_t to_t,
                      int64_t amount_cents)
{
    int64_t from = kdemo_day_of(d, from_t);
    int64_t to = kdemo_past(d, to_t) ? kdemo_day_of(d, to_t) : s->base_day + s->ndays - 1;
    if (from >= to)
        return; /* opened and left the same day: never in a nightly report */
    int64_t weighted = llround((double)amount_cents * stage_probability[stage]);
    size_t a = KSALES_DIFF(s, rep, stage, from), b = KSALES_DIFF(s, rep, stage, to);
    s->pipe_count[a]++;
    s->pipe_count[b]--;
    s->pipe_amount[a] += amount_cents;
    s->pipe_amount[b] -= amount_cents;
    s->pipe_weighted[a] += weighted;
    s->pipe_weighted[b] -= weighted;
}

typedef struct deal {
    char id[16];
    char account[16];
    int rep, region;
    const char *source, *deal_type;
    int64_t created;
    int64_t amount; /* cents */
} deal;

static void write_change(ksales *s, kdemo *d, const deal *o, int64_t t, const char *stage)
{
    if (!writable(s, d, t))
        return;
    char id[24];
    kdemo_out *w = s->opportunities;
    kdemo_text(w, kdemo_id(id, sizeof id, "OC", ++s->next_change, 8));
    kdemo_time(w, t);
    kdemo_text(w, o->id);
    kdemo_text(w, stage);
    kdemo_time(w, o->created);
    kdemo_cents(w, o->amount);
    kdemo_text(w, o->account);
    kdemo_text(w, kdemo_reps[o->rep].name);
    kdemo_text(w, kdemo_regions[o->region].name);
    kdemo_text(w, o->source);
    kdemo_text(w, o->deal_type);
    kdemo_end(w);
}

static void write_quote(ksales *s, kdemo *d, const deal *o, int64_t t, int64_t amount,
                        const char *status)
{
    if (!writable(s, d, t))
        return;
    char id[24];
    kdemo_out *w = s->quotes;
    kdemo_text(w, kdemo_id(id, sizeof id, "Q", ++s->next_quote, 7));
    kdemo_time(w, t);
    kdemo_text(w, o->id);
    kdemo_text(w, o->account);
    kdemo_text(w, kdemo_reps[o->rep].name);
    kdemo_text(w, kdemo_regions[o->region].name);
    kdemo_cents(w, amount);
    kdemo_text(w, status);
    kdemo_end(w);
}

/* A deal's whole life from `t0`; returns the time it was won, or 0 when it was lost. */
static int64_t run_deal(ksales *s, kdemo *d, int64_t t0, int rep, int region, const char *source)
{
    krng *r = &s->rng;
    const kdemo_rep *p = &kdemo_reps[rep];
    deal o = {.rep = rep, .region = region, .source = source, .created = t0};
    kdemo_id(o.id, sizeof o.id, "OP", ++s->next_opp, 6);
    kdemo_id(o.account, sizeof o.account, "ACC-", (uint64_t)krng_range(r, 1, 4000), 5);
    o.deal_type = !strcmp(source, "existing_customer")
                      ? (krng_chance(r, 0.7) ? "expansion" : "renewal")
                      : "new_business";
    o.amount = llround(krng_lognormal(r, 18000 * sqrt(p->skill), 0.7)) * 100;
    static const double advance[OPEN_STAGES] = {0.8, 0.72, 0.68, 0};
    static const double days[OPEN_STAGES] = {5, 8, 9, 10};
    int64_t t = t0, quote_t = 0, quote_amount = 0, revised_t = 0;
    write_change(s, d, &o, t, "created");
    for (int stage = 0; stage < OPEN_STAGES; stage++) {
        int64_t next = t + (int64_t)(krng_lognormal(r, days[stage] / sqrt(p->skill), 0.5) * 86400);
        double go = stage < 3 ? advance[stage] : fmin(0.85, 0.55 * p->skill * p->skill);
        bool forward = krng_chance(r, go);
        pipe_open(s, d, rep, stage, t, next, o.amount);
        if (stage == 3 || !forward) {
            const char *end = stage == 3 && forward ? "won" : "lost";
            write_change(s, d, &o, next, end);
            if (quote_t) { /* the last quote is decided with the deal; a revised one
                            * supersedes the first */
                const char *st = !kdemo_past(d, next) ? "sent"
                                 : *end == 'w'        ? "accepted"
                                                      : "rejected";
                write_quote(s, d, &o, revised_t ? revised_t : quote_t,
                            revised_t ? o.amount : quote_amount, st);
                if (revised_t)
                    write_quote(s, d, &o, quote_t, quote_amount,
                                kdemo_past(d, revised_t) ? "expired" : "sent");
            }
            return *end == 'w' ? next : 0;
        }
        t = next;
        write_change(s, d, &o, t, stage_names[stage + 1]);
        if (stage + 1 == 2) { /* proposal: the first quote */
            quote_t = t;
            quote_amount = o.amount;
        } else if (stage + 1 == 3 && krng_chance(r, 0.3)) { /* negotiation: a revised quote */
            revised_t = t + 2 * 86400;
            o.amount = llround((double)o.amount * (0.9 + 0.15 * krng_u01(r)) / 100) * 100;
        }
    }
    return 0;
}

static const char *pick_campaign(krng *r, int month)
{
    const char *live[NCAMPAIGNS];
    size_t n = 0;
    for (size_t i = 0; i < NCAMPAIGNS; i++)
        if (month >= campaigns[i].from && month <= campaigns[i].to)
            live[n++] = campaigns[i].name;
    return live[krng_next(r) % n];
}

static int field_rep(krng *r, int region)
{
    int pool[16] = {0}, n = 0;
    for (size_t i = 0; i < kdemo_nreps && n < 16; i++)
        if (kdemo_reps[i].store < 0 && kdemo_reps[i].region == region)
            pool[n++] = (int)i;
    return n ? pool[krng_next(r) % (uint64_t)n] : 0;
}

typedef struct lead {
    char id[16], customer[16];
    const char *channel, *campaign;
    int region, rep;
} lead;

static void write_stage(ksales *s, kdemo *d, const lead *l, int64_t t, const char *stage)
{
    if (!writable(s, d, t))
        return;
    char id[24];
    kdemo_out *w = s->lead_stages;
    kdemo_text(w, kdemo_id(id, sizeof id, "LS", ++s->next_stage, 8));
    kdemo_time(w, t);
    kdemo_text(w, l->id);
    kdemo_text(w, stage);
    kdemo_text(w, l->channel);
    kdemo_text(w, l->campaign);
    kdemo_text(w, kdemo_regions[l->region].name);
    kdemo_text(w, kdemo_reps[l->rep].name);
    kdemo_end(w);
}

/* One lead and its future: stages, maybe a deal, maybe an online purchase within 90 days. */
static void run_lead(ksales *s, kdemo *d, int64_t day, int month)
{
    krng *r = &s->rng;
    double rw[16];
    for (size_t g = 0; g < kdemo_nregions; g++)
        rw[g] = kdemo_region_demand(d, (int)g, day);
    lead l = {.region = (int)krng_pick(r, rw, kdemo_nregions)};
    kdemo_id(l.id, sizeof l.id, "L", ++s->next_lead, 7);
    kdemo_id(l.customer, sizeof l.customer, "P", s->next_lead, 7);
    bool inbound = krng_chance(r, 0.7);
    l.channel = inbound ? lead_channels[krng_pick(r, lead_channel_w, 8)] : "outbound";
    bool paid = !strncmp(l.channel, "paid_", 5) || !strcmp(l.channel, "email");
    l.campaign = paid ? pick_campaign(r, month) : NULL;
    l.rep = field_rep(r, l.region);
    int64_t t = kdemo_at(d, day, inbound ? 7 + 15 * krng_u01(r) : ksales_office_hour(r));
    if (writable(s, d, t)) {
        kdemo_out *w = s->leads;
        kdemo_text(w, l.id);
        kdemo_time(w, t);
        kdemo_text(w, l.customer);
        kdemo_text(w, inbound ? "inbound" : "outbound");
        kdemo_text(w, l.channel);
        kdemo_text(w, l.campaign);
        kdemo_text(w, kdemo_regions[l.region].name);
        kdemo_text(w, kdemo_reps[l.rep].name);
        kdemo_end(w);
    }
    /* mql -> sql -> opportunity, each step with its chance and delay */
    static const char *const steps[] = {"mql", "sql", "opportunity"};
    double chance[] = {inbound ? 0.55 : 0.35, 0.45, 0.6};
    static const double delay_days[] = {1.5, 5, 3};
    int reached = 0;
    for (; reached < 3 && krng_chance(r, chance[reached]); reached++) {
        t += (int64_t)(krng_lognormal(r, delay_days[reached], 0.6) * 86400);
        write_stage(s, d, &l, t, steps[reached]);
    }
    if (reached == 3) {
        int64_t won = run_deal(s, d, t, l.rep, l.region, inbound ? "inbound" : "outbound");
        write_stage(s, d, &l, won ? won : t + (int64_t)(krng_lognormal(r, 30, 0.5) * 86400),
                    won ? "customer" : "disqualified");
        return;
    }
    if (krng_chance(r, 0.14)) { /* buys online, usually within weeks */
        int64_t buy = t + (int64_t)(fmin(89.5, krng_lognormal(r, 12, 0.9)) * 86400);
        ksales_order(s, d, buy, l.region, 0, -1, -1, l.customer);
        write_stage(s, d, &l, buy, "customer");
    } else if (krng_chance(r, 0.5)) {
        write_stage(s, d, &l, t + (int64_t)(krng_lognormal(r, 7, 0.5) * 86400), "disqualified");
    }
}

/* Calls, e-mails, visits, meetings and demos of one field rep on a working day. */
static void activities_day(ksales *s, kdemo *d, int64_t day)
{
    static const char *const types[] = {"call", "email", "visit", "meeting", "demo"};
    static const double per_day[] = {6, 9, 0.8, 0.6, 0.3};
    static const double seconds[] = {240, 0, 3600, 1800, 2700};
    krng *r = &s->rng;
    char id[24], acc[16], opp[16];
    for (size_t i = 0; i < kdemo_nreps; i++) {
        const kdemo_rep *p = &kdemo_reps[i];
        if (p->store >= 0)
            continue;
        for (int k = 0; k < 5; k++) {
            int64_t n = krng_poisson(r, per_day[k] * d->scale * (0.6 + 0.4 * p->skill));
            for (int64_t j = 0; j < n; j++) {
                int64_t t = kdemo_at(d, day, ksales_office_hour(r));
                bool with_opp = s->next_opp > 0 && krng_chance(r, 0.3);
                kdemo_id(acc, sizeof acc, "ACC-", (uint64_t)krng_range(r, 1, 4000), 5);
                kdemo_id(opp, sizeof opp, "OP", (uint64_t)krng_range(r, 1, (int64_t)s->next_opp),
                         6);
                if (!kdemo_past(d, t))
                    continue;
                kdemo_out *w = s->activities;
                kdemo_text(w, kdemo_id(id, sizeof id, "A", ++s->next_activity, 8));
                kdemo_time(w, t);
                kdemo_text(w, types[k]);
                kdemo_text(w, p->name);
                kdemo_text(w, kdemo_regions[p->region].name);
                kdemo_text(w, acc);
                kdemo_text(w, with_opp ? opp : NULL);
                if (seconds[k] > 0)
                    kdemo_int(w, (int64_t)krng_lognormal(r, seconds[k], 0.4));
                else
                    kdemo_null(w);
                kdemo_end(w);
            }
        }
    }
}

static void leads_day(ksales *s, kdemo *d, int64_t day)
{
    krng *r = &s->rng;
    int month = kdemo_month_of(day);
    int64_t n = krng_poisson(r, 55 * d->scale * kdemo_demand(d, day));
    for (int64_t i = 0; i < n; i++)
        run_lead(s, d, day, month);
    /* field reps also open deals with partners and existing customers */
    if (!kdemo_workday(day))
        return;
    for (size_t i = 0; i < kdemo_nreps; i++) {
        if (kdemo_reps[i].store >= 0)
            continue;
        int64_t k = krng_poisson(r, 0.15 * d->scale);
        for (int64_t j = 0; j < k; j++)
            run_deal(s, d, kdemo_at(d, day, ksales_office_hour(r)), (int)i, kdemo_reps[i].region,
                     sources[krng_pick(r, source_w, 4)]);
    }
}

bool ksales_funnel_init(ksales *s, kdemo *d)
{
    size_t cells = kdemo_nreps * OPEN_STAGES * (size_t)s->ndays;
    s->pipe_count = calloc(cells, sizeof *s->pipe_count);
    s->pipe_amount = calloc(cells, sizeof *s->pipe_amount);
    s->pipe_weighted = calloc(cells, sizeof *s->pipe_weighted);
    s->leads =
        kdemo_open(d, "leads", "lead_id,created_at,customer,origin,channel,campaign,region,rep");
    s->lead_stages = kdemo_open(d, "lead_stages",
                                "stage_event_id,reached_at,lead_id,stage,channel,"
                                "campaign,region,rep");
    s->opportunities = kdemo_open(d, "opportunities",
                                  "change_id,changed_at,opportunity_id,stage,"
                                  "created_at,amount,account,rep,region,"
                                  "source,deal_type");
    s->quotes =
        kdemo_open(d, "quotes", "quote_id,sent_at,opportunity_id,account,rep,region,amount,status");
    s->activities = kdemo_open(d, "activities",
                               "activity_id,occurred_at,type,rep,region,account,"
                               "opportunity_id,duration_seconds");
    s->pipeline = kdemo_open(d, "pipeline",
                             "as_of,rep,region,stage,open_count,open_amount,"
                             "weighted_amount");
    if (!s->pipe_count || !s->pipe_amount || !s->pipe_weighted || d->failed)
        return false;
    for (int64_t day = s->base_day; day < d->first_day; day++) /* the warm-up */
        leads_day(s, d, day);
    return true;
}

void ksales_funnel_day(ksales *s, kdemo *d, int64_t day)
{
    leads_day(s, d, day);
    if (kdemo_workday(day))
        activities_day(s, d, day);
}

/* The nightly pipeline report of every finished day, from the difference arrays. */
void ksales_funnel_finish(ksales *s, kdemo *d)
{
    for (size_t i = 0; i < kdemo_nreps; i++) {
        if (kdemo_reps[i].store >= 0)
            continue;
        for (int stage = 0; stage < OPEN_STAGES; stage++) {
            int64_t n = 0, amount = 0, weighted = 0;
            for (int64_t day = s->base_day; day < d->today; day++) {
                size_t c = KSALES_DIFF(s, i, stage, day);
                n += s->pipe_count[c];
                amount += s->pipe_amount[c];
                weighted += s->pipe_weighted[c];
                s->pipe_count[c] = (int32_t)n; /* running totals, read back below */
                s->pipe_amount[c] = amount;
                s->pipe_weighted[c] = weighted;
            }
        }
    }
    for (int64_t day = d->first_day; day < d->today; day++)
        for (size_t i = 0; i < kdemo_nreps; i++) {
            if (kdemo_reps[i].store >= 0)
                continue;
            for (int stage = 0; stage < OPEN_STAGES; stage++) {
                size_t c = KSALES_DIFF(s, i, stage, day);
                kdemo_out *w = s->pipeline;
                kdemo_date(w, day);
                kdemo_text(w, kdemo_reps[i].name);
                kdemo_text(w, kdemo_regions[kdemo_reps[i].region].name);
                kdemo_text(w, stage_names[stage]);
                kdemo_int(w, s->pipe_count[c]);
                kdemo_cents(w, s->pipe_amount[c]);
                kdemo_cents(w, s->pipe_weighted[c]);
                kdemo_end(w);
            }
        }
}
