/*
 * support.c - customer support of the demo company: the help desk's conversations (chat,
 * e-mail, phone, social) and the surveys customers answer (CSAT and CES after a conversation,
 * NPS from buyers).
 *
 * Volume follows sales (the last week's demand) with support's own weekly rhythm. Agents
 * differ in speed, first-contact resolution and the satisfaction they leave behind. The story:
 * in the last complete month support had a staffing gap (one Tier 1 agent had left, another
 * was on leave), so first responses took about 70% longer and first-contact resolution and
 * satisfaction dipped; a new hire joins in the current month and things are nearly back to
 * normal.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NTEAM = 3, NCHAN = 4, NTOPIC = 6, NPRIO = 4, MAX_REGIONS = 32, MAX_SALES = 16 };

static const char *const teams[NTEAM] = {"Tier 1", "Tier 2", "Billing"};

/* When an agent works: always, until the gap month (left), all but the gap month (leave),
 * or from the current month (a new hire). */
enum { ALWAYS, LEFT, ON_LEAVE, NEW_HIRE };

/* An agent: team, speed (x handling time), first-contact resolution and satisfaction (added
 * to the probabilities), load (share of the team's work) and when they work. */
typedef struct agent {
    const char *name;
    int team;
    double speed;
    double fcr;
    double csat;
    double load;
    int when;
} agent;

static const agent agents[] = {
    {"Alex Romero", 0, 0.90, 0.03, 0.03, 1.0, ALWAYS},
    {"Brianna Scott", 0, 1.00, 0.00, 0.00, 1.0, ALWAYS},
    {"Carlos Mendez", 0, 1.10, -0.02, -0.01, 1.0, ALWAYS},
    {"Dani Fox", 0, 0.85, 0.02, 0.04, 1.1, ALWAYS},
    {"Ethan Price", 0, 1.20, -0.06, -0.07, 0.9, ALWAYS},
    {"Fatima Ali", 0, 0.95, 0.01, 0.02, 1.0, ALWAYS},
    {"George Lin", 0, 1.05, 0.00, -0.02, 0.6, ALWAYS}, /* part-time */
    {"Megan Ortiz", 0, 1.00, 0.01, 0.01, 1.0, LEFT},
    {"Jonah Reyes", 0, 0.95, 0.02, 0.02, 1.0, ON_LEAVE},
    {"Nora Quinn", 0, 1.30, -0.07, -0.04, 0.8, NEW_HIRE},
    {"Harper Young", 1, 1.10, 0.04, 0.03, 1.0, ALWAYS},
    {"Isaac Moreno", 1, 1.00, 0.02, 0.00, 1.0, ALWAYS},
    {"Julia Novak", 1, 0.90, 0.03, 0.04, 1.0, ALWAYS},
    {"Kevin Shah", 1, 1.15, -0.02, -0.03, 0.8, ALWAYS},
    {"Laura Bell", 2, 0.95, 0.02, 0.02, 1.0, ALWAYS},
    {"Miguel Torres", 2, 1.05, 0.00, 0.00, 1.0, ALWAYS},
    {"Nadia Haddad", 2, 1.00, 0.01, -0.01, 0.7, ALWAYS},
};
enum { NAGENT = sizeof agents / sizeof agents[0] };

/* A contact channel: share, first response (lognormal median seconds, spread), handling time
 * per contact (median seconds), first-contact resolution (added) and whether it is live
 * (answered only while the desk is open). */
typedef struct channel {
    const char *name;
    double weight;
    double frt_s;
    double frt_sigma;
    double handle_s;
    double fcr;
    bool live;
} channel;

static const channel channels[NCHAN] = {
    {"chat", 0.38, 100, 0.8, 480, 0.02, true},
    {"email", 0.32, 9000, 0.8, 270, -0.05, false},
    {"phone", 0.22, 50, 0.9, 450, 0.04, true},
    {"social", 0.08, 2100, 0.9, 240, -0.03, false},
};

/* A topic: share, the teams it goes to (weights), handling time (x), first-contact
 * resolution (added) and resolution (added). */
typedef struct topic {
    const char *name;
    double weight;
    double route[NTEAM];
    double slow;
    double fcr;
    double resolve;
} topic;

static const topic topics[NTOPIC] = {
    {"billing", 0.18, {0.2, 0, 0.8}, 1.1, -0.02, 0.0},
    {"shipping", 0.28, {0.9, 0.1, 0}, 0.9, 0.02, 0.01},
    {"bug", 0.10, {0.4, 0.6, 0}, 1.35, -0.12, -0.05},
    {"how_to", 0.20, {0.85, 0.15, 0}, 1.0, 0.05, 0.02},
    {"account", 0.14, {0.7, 0.15, 0.15}, 0.95, 0.01, 0.0},
    {"other", 0.10, {0.85, 0.15, 0}, 0.9, 0.0, -0.02},
};

static const char *const priorities[NPRIO] = {"low", "normal", "high", "urgent"};
static const double priority_w[NPRIO] = {0.25, 0.55, 0.15, 0.05};
static const double priority_frt[NPRIO] = {1.3, 1.0, 0.7, 0.4};

/* Conversations by local hour: on working days and at weekends (the desk is open 7:00-20:00
 * on working days, 9:00-17:00 at weekends; e-mail and social arrive at any hour). */
static const double hours_workday[24] = {0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 3, 6, 8,   9,   9,
                                         8,   8,   8,   7,   6,   5,   4, 3, 2, 1.2, 0.8, 0.5};
static const double hours_weekend[24] = {0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 2, 4,   5,   5,
                                         5,   5,   5,   4,   3,   2,   1.5, 1, 1, 0.8, 0.6, 0.4};
/* Support's week (Monday first): customers write after the weekend. */
static const double weekday_w[7] = {1.25, 1.14, 1.10, 1.05, 1.0, 0.76, 0.70};

/* Canned survey comments, the good and the bad (most answers have none). */
static const char *const praise[] = {"Quick and helpful", "Solved on the first try",
                                     "Very friendly agent", "Great service, thanks"};
static const char *const complaints[] = {"Took too long to get a reply",
                                         "Had to explain my problem twice", "Still not fixed",
                                         "Agent did not understand the issue"};

#define CONVERSATIONS_PER_DAY 220.0
#define NPS_PER_DAY 15.0

typedef struct support_state {
    krng rng;
    kdemo_out *conversations, *surveys;
    uint64_t next_conversation, next_response;
    double region_w[MAX_REGIONS];
    size_t nregions;
    double channel_w[NCHAN], topic_w[NTOPIC];
    double sales_w[MAX_SALES]; /* kdemo_channels' shares: where NPS respondents bought */
    size_t nsales;
    int64_t month;      /* the month of the factors below */
    double month_noise; /* this month's luck on first response times */
    double nps_noise;   /* this month's drift of promoters */
} support_state;

/* The conditions of a day: the story's staffing gap, and who is at work. */
typedef struct conditions {
    int64_t day;
    double frt;  /* x first response time */
    double fcr;  /* taken off first-contact resolution */
    double csat; /* taken off satisfaction */
    double aht;  /* x handling time (rushed in the gap) */
    bool gap, current;
} conditions;

static double clamp01(double p)
{
    return p < 0.01 ? 0.01 : p > 0.99 ? 0.99 : p;
}

static bool agent_works(const kdemo *d, int a, const conditions *t)
{
    switch (agents[a].when) {
    case LEFT:
        return t->day < d->last_month_first;
    case ON_LEAVE:
        return !t->gap;
    case NEW_HIRE:
        return t->current;
    default:
        return true;
    }
}

/* An agent of the topic's team who works today, by load. */
static int pick_agent(kdemo *d, support_state *s, int topic_i, const conditions *t)
{
    int team = (int)krng_pick(&s->rng, topics[topic_i].route, NTEAM);
    double w[NAGENT];
    for (int a = 0; a < NAGENT; a++)
        w[a] = agents[a].team == team && agent_works(d, a, t) ? agents[a].load : 0;
    return (int)krng_pick(&s->rng, w, NAGENT);
}

/*
 * Seconds from a customer reaching out to the first reply. Live channels answer in seconds
 * to minutes; e-mail and social wait in a queue, and what arrives while the desk is closed
 * waits for the morning. Urgent conversations jump the queue; the gap makes it all longer.
 */
static double first_response(support_state *s, int ch, int prio, double hour, bool workday,
                             const conditions *t)
{
    const channel *c = &channels[ch];
    double wait = krng_lognormal(&s->rng, c->frt_s, c->frt_sigma) * priority_frt[prio];
    if (!c->live) {
        double open = workday ? 7 : 9, close = workday ? 20 : 17;
        if (hour < open)
            wait += (open - hour) * 3600;
        else if (hour >= close)
            wait += (24 - hour + 8) * 3600; /* the next morning */
    }
    return wait * t->frt * s->month_noise;
}

/* Customer contacts it took: 1 (first contact resolution) most of the time, else 2 to 4. */
static int draw_contacts(krng *r, double p_fcr)
{
    if (krng_chance(r, clamp01(p_fcr)))
        return 1;
    double u = krng_u01(r);
    return u < 0.6 ? 2 : u < 0.88 ? 3 : 4;
}

/* One conversation as drawn: what the surveys that follow it need. */
typedef struct conversation {
    char id[16];
    int agent, ch, region;
    int64_t closed;
    int contacts;
    bool resolved;
    bool slow; /* the first reply took much longer than usual on its channel */
} conversation;

static void survey_row(support_state *s, int64_t at, const char *survey, int score,
                       const conversation *cv, int region, const char *channel_name,
                       const char *comment)
{
    kdemo_out *o = s->surveys;
    char id[16], customer[16];
    kdemo_id(id, sizeof id, "SR", ++s->next_response, 7);
    kdemo_id(customer, sizeof customer, "C", (uint64_t)krng_range(&s->rng, 1, 400000), 6);
    kdemo_text(o, id);
    kdemo_time(o, at);
    kdemo_text(o, survey);
    if (score >= 0)
        kdemo_int(o, score);
    else
        kdemo_null(o);
    kdemo_text(o, customer);
    kdemo_text(o, cv ? cv->id : NULL);
    kdemo_text(o, cv ? agents[cv->agent].name : NULL);
    kdemo_text(o, cv ? teams[agents[cv->agent].team] : NULL);
    kdemo_text(o, channel_name);
    kdemo_text(o, kdemo_regions[region].name);
    kdemo_text(o, comment);
    kdemo_end(o);
}

/* A comment for about one answer in four: praise from the happy, complaints from the rest. */
static const char *pick_comment(krng *r, bool happy)
{
    if (!krng_chance(r, 0.25))
        return NULL;
    size_t i = (size_t)krng_range(r, 0, 3);
    return happy ? praise[i] : complaints[i];
}

/* CSAT (1-5): satisfied unless the problem stayed, took several contacts or a long wait. */
static int csat_score(krng *r, const conversation *cv, const conditions *t)
{
    double p = 0.9 + agents[cv->agent].csat - t->csat - 0.06 * (cv->contacts - 1) -
               (cv->slow ? 0.06 : 0) - (cv->resolved ? 0 : 0.4);
    if (krng_chance(r, clamp01(p)))
        return krng_chance(r, 0.62) ? 5 : 4;
    double u = krng_u01(r);
    return u < 0.5 ? 3 : u < 0.75 ? 2 : 1;
}

/* CES (1-7, 7 = very easy): every extra contact and an unsolved problem cost effort. */
static int ces_score(krng *r, const conversation *cv, const conditions *t)
{
    double mean = 5.8 + 4 * agents[cv->agent].csat - 4 * t->csat - 0.6 * (cv->contacts - 1) -
                  (cv->slow ? 0.3 : 0) - (cv->resolved ? 0 : 1.6);
    long v = lround(krng_normal(r, mean, 1.0));
    return v < 1 ? 1 : v > 7 ? 7 : (int)v;
}

/* After a conversation: a CSAT survey for 35% (60% answer), a CES survey for 15% (55%
 * answer). An unanswered survey is a row without a score, at the time it was sent. */
static void conversation_survey(kdemo *d, support_state *s, const conversation *cv,
                                const conditions *t)
{
    krng *r = &s->rng;
    double u = krng_u01(r);
    if (u >= 0.5)
        return;
    bool csat = u < 0.35;
    int64_t sent = cv->closed + 600;
    bool answered = krng_chance(r, csat ? 0.6 : 0.55);
    int64_t at = answered ? sent + (int64_t)krng_lognormal(r, 5400, 1.0) : sent;
    if (!kdemo_past(d, at))
        return;
    int score = !answered ? -1 : csat ? csat_score(r, cv, t) : ces_score(r, cv, t);
    const char *comment = answered ? pick_comment(r, csat ? score >= 4 : score >= 5) : NULL;
    survey_row(s, at, csat ? "csat" : "ces", score, cv, cv->region, channels[cv->ch].name, comment);
}

static void write_conversation(support_state *s, const conversation *cv, int64_t created,
                               int64_t first, int topic_i, int prio, int64_t handle)
{
    kdemo_out *o = s->conversations;
    kdemo_text(o, cv->id);
    kdemo_time(o, created);
    kdemo_time(o, first);
    kdemo_time(o, cv->closed);
    kdemo_text(o, channels[cv->ch].name);
    kdemo_text(o, agents[cv->agent].name);
    kdemo_text(o, teams[agents[cv->agent].team]);
    kdemo_text(o, topics[topic_i].name);
    kdemo_text(o, priorities[prio]);
    kdemo_text(o, kdemo_regions[cv->region].name);
    kdemo_int(o, handle);
    kdemo_int(o, cv->contacts);
    kdemo_bool(o, cv->resolved);
    kdemo_end(o);
}

/* One conversation created on t->day; written once closed (the help desk exports closed
 * conversations), with its survey. */
static void one_conversation(kdemo *d, support_state *s, const conditions *t)
{
    krng *r = &s->rng;
    bool workday = kdemo_workday(t->day);
    conversation cv = {0};
    cv.ch = (int)krng_pick(r, s->channel_w, NCHAN);
    const channel *c = &channels[cv.ch];
    const double *hours = workday ? hours_workday : hours_weekend;
    double hour;
    do
        hour = (double)krng_pick(r, hours, 24) + krng_u01(r);
    while (c->live && (hour < (workday ? 7 : 9) || hour >= (workday ? 20 : 17)));
    int64_t created = kdemo_at(d, t->day, hour);
    int topic_i = (int)krng_pick(r, s->topic_w, NTOPIC);
    int prio = (int)krng_pick(r, priority_w, NPRIO);
    cv.region = (int)krng_pick(r, s->region_w, s->nregions);
    cv.agent = pick_agent(d, s, topic_i, t);
    const agent *a = &agents[cv.agent];

    double wait = first_response(s, cv.ch, prio, hour, workday, t);
    cv.slow = wait > 3 * c->frt_s;
    int64_t first = created + (int64_t)wait + 5;
    cv.contacts = draw_contacts(r, 0.75 + a->fcr + c->fcr + topics[topic_i].fcr - t->fcr);
    cv.resolved = krng_chance(
        r, clamp01((cv.contacts == 1 ? 0.965 : 0.85) + a->fcr / 2 + topics[topic_i].resolve));
    double per_contact = krng_lognormal(r, c->handle_s, 0.45) * a->speed * topics[topic_i].slow;
    int64_t handle = (int64_t)(per_contact * t->aht * (1 + 0.7 * (cv.contacts - 1))) + 20;
    cv.closed = first + handle + 60;
    for (int i = 1; i < cv.contacts; i++)
        cv.closed += (int64_t)krng_lognormal(r, 16 * 3600, 0.8);
    if (!c->live)
        cv.closed += (int64_t)krng_lognormal(r, 3 * 3600, 1.0);
    if (!kdemo_past(d, cv.closed))
        return;
    kdemo_id(cv.id, sizeof cv.id, "CV", ++s->next_conversation, 7);
    write_conversation(s, &cv, created, first, topic_i, prio, handle);
    conversation_survey(d, s, &cv, t);
}

/* NPS answers from buyers (~15 a day at scale 1): about half promoters, one in six
 * detractors (fewer promoters in the slipping region), with a monthly drift. */
static void nps_day(kdemo *d, support_state *s, int64_t day)
{
    krng *r = &s->rng;
    static const double detractor_w[7] = {0.03, 0.02, 0.04, 0.06, 0.10, 0.30, 0.45};
    int64_t n = krng_poisson(r, NPS_PER_DAY * d->scale);
    for (int64_t i = 0; i < n; i++) {
        int region = (int)krng_pick(r, s->region_w, s->nregions);
        double slip = kdemo_region_demand(d, region, day) /
                      (kdemo_regions[region].weight * kdemo_demand(d, day));
        double promoters = 0.52 + s->nps_noise - 0.4 * (1 - slip);
        int score;
        double u = krng_u01(r);
        if (u < promoters)
            score = krng_chance(r, 0.55) ? 10 : 9;
        else if (u < promoters + 0.16)
            score = (int)krng_pick(r, detractor_w, 7);
        else
            score = krng_chance(r, 0.45) ? 7 : 8;
        int64_t at = kdemo_at(d, day, 7 + 15 * krng_u01(r));
        if (!kdemo_past(d, at))
            continue;
        size_t sc = krng_pick(r, s->sales_w, s->nsales);
        survey_row(s, at, "nps", score, NULL, region, kdemo_channels[sc].name,
                   pick_comment(r, score >= 9));
    }
}

/* The day's conditions: the gap month, the current month, this month's luck. */
static conditions day_conditions(kdemo *d, support_state *s, int64_t day)
{
    int64_t month = kdemo_month_first(day);
    if (month != s->month) {
        s->month = month;
        s->month_noise = krng_lognormal(&s->rng, 1, 0.04);
        s->nps_noise = krng_normal(&s->rng, 0, 0.025);
    }
    conditions t = {.day = day, .frt = 1, .aht = 1};
    t.gap = month == d->last_month_first;
    t.current = month == kdemo_month_first(d->today);
    if (t.gap) {
        t.frt = 1.7;
        t.fcr = 0.04;
        t.csat = 0.03;
        t.aht = 0.94;
    } else if (t.current) {
        t.frt = 1.1;
        t.fcr = 0.01;
    }
    return t;
}

static void *support_create(kdemo *d)
{
    support_state *s = kdemo_calloc(d, 1, sizeof *s);
    if (!s)
        return NULL;
    krng_seed(&s->rng, d->seed, "support");
    s->nregions = kdemo_nregions < MAX_REGIONS ? kdemo_nregions : MAX_REGIONS;
    for (size_t i = 0; i < s->nregions; i++)
        s->region_w[i] = kdemo_regions[i].weight;
    s->nsales = kdemo_nchannels < MAX_SALES ? kdemo_nchannels : MAX_SALES;
    for (size_t i = 0; i < s->nsales; i++)
        s->sales_w[i] = kdemo_channels[i].share;
    for (int i = 0; i < NCHAN; i++)
        s->channel_w[i] = channels[i].weight;
    for (int i = 0; i < NTOPIC; i++)
        s->topic_w[i] = topics[i].weight;
    s->month = -1;
    if (!(s->conversations = kdemo_open(d, "conversations",
                                        "conversation_id,created_at,first_response_at,closed_at,"
                                        "channel,agent,team,topic,priority,region,handle_seconds,"
                                        "contacts,resolved")) ||
        !(s->surveys = kdemo_open(d, "surveys",
                                  "response_id,answered_at,survey,score,customer,"
                                  "conversation_id,agent,team,channel,region,"
                                  "comment"))) {
        free(s);
        return NULL;
    }
    return s;
}

/* The day's conversations follow the last week's sales (people write after they buy), in
 * support's own weekly rhythm. */
static void support_day(kdemo *d, void *state, int64_t day)
{
    support_state *s = state;
    conditions t = day_conditions(d, s, day);
    double week = 0;
    for (int i = 0; i < 7; i++)
        week += kdemo_demand(d, day - i) / 7;
    double mean = CONVERSATIONS_PER_DAY * d->scale * week * weekday_w[kpi_weekday(day) - 1];
    int64_t n = krng_poisson(&s->rng, mean);
    for (int64_t i = 0; i < n; i++)
        one_conversation(d, s, &t);
    nps_day(d, s, day);
}

static void support_finish(kdemo *d, void *state)
{
    (void)d;
    free(state);
}

const kdemo_part kdemo_part_support = {"support", support_create, support_day, support_finish};
