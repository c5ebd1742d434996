/*
 * it.c - the IT department of the demo company: the service desk's tickets (the audit trail
 * of openings, resolutions and reopenings), the nightly backlog report, the outages of the
 * company's eight services and the monitoring tool's daily uptime.
 *
 * The backlog and the uptime are not drawn on their own: they are computed from the simulated
 * tickets and incidents, so that open_tickets agrees with the ticket events, and uptime, MTTR
 * and MTBF with the incidents. Tickets grow slowly with the company (headcount, not sales);
 * incidents do not scale (the company runs the same eight services at any size).
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    NTEAM = 4,
    NCAT = 6,
    NPRIO = 4,
    NSTAFF = 12,
    NSVC = 8,
    NENV = 2,
    NCAUSE = 9,
    SITE_HQ = 0,
    SITE_PLANT,
    SITE_REMOTE,
    NSITE_FIXED,      /* then the stores */
    WARMUP_DAYS = 45, /* tickets opened before the run, so that the first backlog is not empty */
    MAX_STORES = 32,
};

static const char *const teams[NTEAM] = {"service desk", "infrastructure", "applications",
                                         "security"};

/* A ticket category: its team, its share of tickets, how long it takes (x the priority's
 * median) and how often its fix does not hold (reopened). */
typedef struct category {
    const char *name;
    int team;
    double weight;
    double slow;
    double reopen;
} category;

enum { CAT_HARDWARE, CAT_SOFTWARE, CAT_ACCESS, CAT_NETWORK, CAT_SECURITY, CAT_REQUEST };

static const category categories[NCAT] = {
    {"hardware", 1, 0.17, 1.3, 0.065}, {"software", 2, 0.24, 1.0, 0.095},
    {"access", 0, 0.22, 0.45, 0.045},  {"network", 1, 0.08, 0.9, 0.08},
    {"security", 3, 0.05, 1.1, 0.055}, {"request", 0, 0.24, 1.4, 0.04},
};

/* A priority: its share and its resolution time (lognormal median in hours, spread). */
typedef struct priority {
    const char *name;
    double weight;
    double median_h;
    double sigma;
} priority;

static const priority priorities[NPRIO] = {
    {"p1", 0.02, 2.5, 0.7},
    {"p2", 0.13, 9, 0.8},
    {"p3", 0.50, 18, 0.9},
    {"p4", 0.35, 48, 0.9},
};

/* An IT staff member: team, speed (x resolution time: below 1 is faster) and how often the
 * tickets they resolve come back (x the category's reopen rate). */
typedef struct staff {
    const char *name;
    int team;
    double speed;
    double sloppy;
} staff;

static const staff it_staff[NSTAFF] = {
    {"Jordan Blake", 0, 0.75, 1.35}, {"Mia Chen", 0, 1.0, 0.9},     {"Tyler Brooks", 0, 1.3, 1.0},
    {"Aisha Khan", 0, 0.9, 0.8},     {"Marcus Webb", 1, 0.85, 1.1}, {"Elena Popova", 1, 1.1, 0.85},
    {"Sean Doyle", 1, 1.35, 1.1},    {"Priyanka Das", 2, 0.9, 0.9}, {"Lucas Meyer", 2, 1.2, 1.2},
    {"Hannah Cho", 2, 1.0, 0.95},    {"Omar Farouk", 3, 0.95, 0.9}, {"Kim Larsen", 3, 1.2, 1.0},
};

static const char *const channels[] = {"portal", "email", "phone", "chat", "walk_in"};
enum { NCHAN = sizeof channels / sizeof channels[0], WALK_IN = NCHAN - 1 };
static const double channel_w[NCHAN] = {0.40, 0.25, 0.15, 0.15, 0.05};

/* A service: how often it fails (relative) and how long it takes to restore (x). */
typedef struct service {
    const char *name;
    double fails;
    double slow;
} service;

static const service services[NSVC] = {
    {"web-shop", 1.3, 0.9}, {"pos", 1.0, 1.0},   {"erp", 0.7, 1.3}, {"crm", 0.6, 0.9},
    {"wms", 1.2, 1.1},      {"email", 0.6, 0.8}, {"vpn", 1.1, 0.8}, {"mes", 0.9, 1.2},
};

static const char *const environments[NENV] = {"production", "staging"};

/* Causes of incidents other than security (which has its own, steadier rate). */
static const char *const causes[NCAUSE] = {"security", "hardware",    "software",
                                           "network",  "power",       "capacity",
                                           "change",   "third_party", "human_error"};
static const double cause_w[NCAUSE] = {0, 0.15, 0.25, 0.15, 0.04, 0.10, 0.18, 0.08, 0.05};

static const char *const severities[] = {"sev1", "sev2", "sev3"};
static const double severity_w[] = {0.12, 0.38, 0.50};
static const double severity_security_w[] = {0.35, 0.45, 0.20};
static const double severity_slow[] = {1.6, 1.1, 0.8};

/* Tickets opened by local hour on a working day (the office's day, a few late ones). */
static const double ticket_hours[24] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2,   5,   8,   8,   7,
                                        5,   7,   7,   6,   5,   3,   1.5, 0.8, 0.5, 0.4, 0.3, 0.2};

#define INCIDENTS_PER_DAY 0.34           /* other than security */
#define SECURITY_INCIDENTS_PER_DAY 0.075 /* 2 to 3 a month */
#define TICKETS_PER_WORKDAY 35.0

typedef struct it_state {
    krng rng;
    kdemo_out *tickets, *backlog, *incidents, *uptime;
    uint64_t next_ticket, next_incident;
    int64_t ndays;          /* first_day .. today */
    int64_t window_start;   /* the first instant of the run: earlier events are not written */
    int32_t *backlog_delta; /* [combo * ndays + day]: tickets that opened minus closed */
    int32_t *downtime;      /* [(day * NSVC + svc) * NENV + env]: seconds */
    int32_t *maintenance;   /* same layout: planned window length (seconds) from 01:00 */
    int64_t busy_until[NSVC][NENV]; /* a service fails again only once restored */
    double site_w[NSITE_FIXED + MAX_STORES];
    size_t nsites;
} it_state;

/* ---- tickets ------------------------------------------------------------------------------ */

/* The site name of site index i: HQ, Plant, Remote, then the stores. */
static const char *site_name(size_t i)
{
    static const char *const fixed[NSITE_FIXED] = {
        [SITE_HQ] = "HQ", [SITE_PLANT] = "Plant", [SITE_REMOTE] = "Remote"};
    return i < NSITE_FIXED ? fixed[i] : kdemo_stores[i - NSITE_FIXED].name;
}

/* Where tickets come from: the head office, the plant, remote staff, and the stores (28%
 * together, by their size). */
static void set_sites(it_state *s)
{
    size_t nstores = kdemo_nstores < MAX_STORES ? kdemo_nstores : MAX_STORES;
    double total = 0;
    for (size_t i = 0; i < nstores; i++)
        total += kdemo_stores[i].weight;
    s->site_w[SITE_HQ] = 0.42;
    s->site_w[SITE_PLANT] = 0.14;
    s->site_w[SITE_REMOTE] = 0.16;
    for (size_t i = 0; i < nstores; i++)
        s->site_w[NSITE_FIXED + i] = 0.28 * kdemo_stores[i].weight / total;
    s->nsites = NSITE_FIXED + nstores;
}

/* Categories depend on where the user is: plant and stores break hardware and network (the
 * point of sale, the shop floor), remote users need VPN and access. */
static int pick_category(krng *r, size_t site)
{
    double w[NCAT];
    for (int i = 0; i < NCAT; i++)
        w[i] = categories[i].weight;
    if (site == SITE_PLANT) {
        w[CAT_HARDWARE] *= 1.8;
    } else if (site == SITE_REMOTE) {
        w[CAT_ACCESS] *= 1.5;
        w[CAT_NETWORK] *= 1.8;
    } else if (site >= NSITE_FIXED) {
        w[CAT_HARDWARE] *= 1.5;
        w[CAT_NETWORK] *= 2.0;
    }
    return (int)krng_pick(r, w, NCAT);
}

static int pick_staff(krng *r, int team)
{
    int in_team[NSTAFF], n = 0;
    for (int i = 0; i < NSTAFF; i++)
        if (it_staff[i].team == team)
            in_team[n++] = i;
    return in_team[krng_range(r, 0, n - 1)];
}

/*
 * Moves the resolution of a non-urgent ticket into the desk's working hours (Monday to
 * Friday, 7:00 to 19:00): work that would end at night or on a weekend ends the next
 * working morning. Urgent tickets (p1, p2) are worked around the clock by the on-call.
 */
static int64_t working_time(kdemo *d, krng *r, int64_t t)
{
    int64_t local = t + kpi_timezone_offset(d->tz, t * 1000000);
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    double hour = (double)(local - day * 86400) / 3600.0;
    if (kdemo_workday(day) && hour >= 7 && hour < 19)
        return t;
    if (!(kdemo_workday(day) && hour < 7))
        do
            day++;
        while (!kdemo_workday(day));
    return kdemo_at(d, day, 7.5 + 3.5 * krng_u01(r));
}

/* The time a ticket of this priority, category and assignee takes, from `from`. */
static int64_t resolve_after(kdemo *d, krng *r, int64_t from, int prio, int cat, int who,
                             double factor)
{
    const priority *p = &priorities[prio];
    double h = krng_lognormal(r, p->median_h, p->sigma) * categories[cat].slow *
               it_staff[who].speed * factor;
    int64_t t = from + (int64_t)(h * 3600) + 300;
    return prio >= 2 ? working_time(d, r, t) : t;
}

/* Counts a ticket in (+1) or out (-1) of the backlog of its series from the day of t on. */
static void backlog_add(kdemo *d, it_state *s, int combo, int64_t t, int delta)
{
    if (!kdemo_past(d, t))
        return;
    int64_t i = kdemo_day_of(d, t) - d->first_day;
    if (i < 0)
        i = 0;
    s->backlog_delta[combo * s->ndays + i] += delta;
}

typedef struct ticket {
    char id[16];
    int64_t opened;
    int cat, prio, who;
    size_t site, channel;
} ticket;

/* Writes one row of a ticket's history: event n (1..4) at t, if it is within the run. */
static void ticket_event(kdemo *d, it_state *s, const ticket *tk, int n, const char *event,
                         int64_t t)
{
    if (!kdemo_past(d, t) || t < s->window_start)
        return;
    kdemo_out *o = s->tickets;
    char eid[24];
    size_t len = strlen(tk->id);
    memcpy(eid, tk->id, len);
    eid[len] = '-';
    eid[len + 1] = (char)('0' + n);
    eid[len + 2] = 0;
    kdemo_text(o, eid);
    kdemo_time(o, t);
    kdemo_text(o, tk->id);
    kdemo_text(o, event);
    kdemo_time(o, tk->opened);
    kdemo_text(o, categories[tk->cat].name);
    kdemo_text(o, priorities[tk->prio].name);
    kdemo_text(o, teams[categories[tk->cat].team]);
    kdemo_text(o, it_staff[tk->who].name);
    kdemo_text(o, site_name(tk->site));
    kdemo_text(o, channels[tk->channel]);
    kdemo_end(o);
}

/* One ticket opened at t: its history (resolved, maybe reopened and resolved again) is
 * drawn at once, written where past, and counted in the backlog. */
static void one_ticket(kdemo *d, it_state *s, int64_t t)
{
    krng *r = &s->rng;
    ticket tk = {.opened = t};
    kdemo_id(tk.id, sizeof tk.id, "T", ++s->next_ticket, 6);
    tk.site = krng_pick(r, s->site_w, s->nsites);
    tk.cat = pick_category(r, tk.site);
    double pw[NPRIO];
    for (int i = 0; i < NPRIO; i++)
        pw[i] = priorities[i].weight * (tk.cat == CAT_SECURITY && i < 2 ? 4 : 1);
    tk.prio = (int)krng_pick(r, pw, NPRIO);
    tk.who = pick_staff(r, categories[tk.cat].team);
    double cw[NCHAN];
    memcpy(cw, channel_w, sizeof cw);
    if (tk.site != SITE_HQ && tk.site != SITE_PLANT)
        cw[WALK_IN] = 0;
    tk.channel = krng_pick(r, cw, NCHAN);

    int combo = tk.cat * NPRIO + tk.prio;
    int64_t resolved = resolve_after(d, r, t, tk.prio, tk.cat, tk.who, 1.0);
    bool reopen = krng_chance(r, categories[tk.cat].reopen * it_staff[tk.who].sloppy);
    int64_t reopened = resolved + (int64_t)(krng_lognormal(r, 20, 1.0) * 3600) + 600;
    int64_t again = resolve_after(d, r, reopened, tk.prio, tk.cat, tk.who, 0.5);

    ticket_event(d, s, &tk, 1, "opened", t);
    backlog_add(d, s, combo, t, +1);
    ticket_event(d, s, &tk, 2, "resolved", resolved);
    backlog_add(d, s, combo, resolved, -1);
    if (!reopen || !kdemo_past(d, resolved))
        return;
    ticket_event(d, s, &tk, 3, "reopened", reopened);
    backlog_add(d, s, combo, reopened, +1);
    if (kdemo_past(d, reopened)) {
        ticket_event(d, s, &tk, 4, "resolved", again);
        backlog_add(d, s, combo, again, -1);
    }
}

/* The day's tickets: about 35 on a working day at scale 1, a few at weekends, growing
 * slowly with the company's headcount; Monday brings the weekend's problems. */
static void tickets_day(kdemo *d, it_state *s, int64_t day)
{
    krng *r = &s->rng;
    int wd = kpi_weekday(day);
    static const double weekday[7] = {1.15, 1.02, 1.0, 0.97, 0.86, 0.2, 0.14};
    double years = (double)(day - d->first_day) / 365.25;
    double mean = TICKETS_PER_WORKDAY * d->scale * exp(0.05 * years) * weekday[wd - 1];
    int64_t n = krng_poisson(r, mean);
    for (int64_t i = 0; i < n; i++) {
        double hour =
            wd <= 5 ? (double)krng_pick(r, ticket_hours, 24) + krng_u01(r) : 8 + 10 * krng_u01(r);
        int64_t t = kdemo_at(d, day, hour);
        if (kdemo_past(d, t))
            one_ticket(d, s, t);
    }
}

/* ---- incidents ---------------------------------------------------------------------------- */

/* Seconds of [a, b) within [lo, hi). */
static int64_t overlap(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
    int64_t x = a > lo ? a : lo, y = b < hi ? b : hi;
    return y > x ? y - x : 0;
}

/* The planned maintenance window of a service on a day: from 01:00 local, len seconds. */
static int32_t *maint_at(it_state *s, int64_t i, int svc, int env)
{
    return &s->maintenance[(i * NSVC + svc) * NENV + env];
}

/* Adds a restored incident's downtime to the days it covers, outside maintenance windows. */
static void add_downtime(kdemo *d, it_state *s, int svc, int env, int64_t from, int64_t to)
{
    for (int64_t day = kdemo_day_of(d, from); day <= kdemo_day_of(d, to); day++) {
        int64_t i = day - d->first_day;
        if (i < 0 || i >= s->ndays)
            continue;
        int64_t lo = kdemo_at(d, day, 0), hi = kdemo_at(d, day + 1, 0);
        int64_t m0 = kdemo_at(d, day, 1), m1 = m0 + *maint_at(s, i, svc, env);
        int64_t secs = overlap(from, to, lo, hi) - overlap(from, to, m0, m1);
        s->downtime[(i * NSVC + svc) * NENV + env] += (int32_t)secs;
    }
}

/* One incident starting on `day`; written (and counted as downtime) once restored. */
static void one_incident(kdemo *d, it_state *s, int64_t day, bool security)
{
    krng *r = &s->rng;
    double fails[NSVC];
    for (int i = 0; i < NSVC; i++)
        fails[i] = services[i].fails;
    int svc = (int)krng_pick(r, fails, NSVC);
    int env = !security && krng_chance(r, 0.12);
    int cause = security ? 0 /* causes[0] */ : (int)krng_pick(r, cause_w, NCAUSE);
    int sev = (int)krng_pick(r, security ? severity_security_w : severity_w, 3);
    double minutes =
        security ? krng_lognormal(r, 150, 0.7) : krng_lognormal(r, 32, 0.9) * severity_slow[sev];
    minutes *= services[svc].slow * (env ? 1.5 : 1);
    if (minutes > 18 * 60)
        minutes = 18 * 60;
    int64_t lo = kdemo_at(d, day, 0), hi = kdemo_at(d, day + 1, 0);
    int64_t start = lo + (int64_t)(krng_u01(r) * (double)(hi - lo));
    if (start < s->busy_until[svc][env])
        start = s->busy_until[svc][env] + 600;
    int64_t restored = start + 60 + (int64_t)(minutes * 60);
    s->busy_until[svc][env] = restored;
    if (!kdemo_past(d, restored))
        return;
    char id[16];
    kdemo_id(id, sizeof id, "INC", ++s->next_incident, 5);
    kdemo_out *o = s->incidents;
    kdemo_text(o, id);
    kdemo_time(o, start);
    kdemo_time(o, restored);
    kdemo_text(o, services[svc].name);
    kdemo_text(o, environments[env]);
    kdemo_text(o, causes[cause]);
    kdemo_text(o, severities[sev]);
    kdemo_end(o);
    add_downtime(d, s, svc, env, start, restored);
}

/* Sunday nights: each service gets a planned window now and then (staging more often). */
static void plan_maintenance(kdemo *d, it_state *s)
{
    for (int64_t i = 0; i < s->ndays; i++) {
        if (kpi_weekday(d->first_day + i) != 7)
            continue;
        for (int svc = 0; svc < NSVC; svc++)
            for (int env = 0; env < NENV; env++)
                if (krng_chance(&s->rng, env ? 0.4 : 0.22))
                    *maint_at(s, i, svc, env) = (int32_t)krng_range(&s->rng, 4, 14) * 900;
    }
}

/* The monitoring tool's day of every service: the real length of the local day (23 or 25
 * hours on DST days) minus the planned window, and the unplanned downtime; today up to now. */
static void write_uptime(kdemo *d, it_state *s)
{
    kdemo_out *o = s->uptime;
    for (int64_t i = 0; i < s->ndays; i++) {
        int64_t day = d->first_day + i;
        int64_t lo = kdemo_at(d, day, 0), hi = kdemo_at(d, day + 1, 0);
        if (hi > d->now_s)
            hi = d->now_s;
        int64_t m0 = kdemo_at(d, day, 1);
        for (int svc = 0; svc < NSVC; svc++)
            for (int env = 0; env < NENV; env++) {
                int64_t maint = overlap(m0, m0 + *maint_at(s, i, svc, env), lo, hi);
                int64_t monitored = hi - lo - maint;
                int64_t down = s->downtime[(i * NSVC + svc) * NENV + env];
                kdemo_date(o, day);
                kdemo_text(o, services[svc].name);
                kdemo_text(o, environments[env]);
                kdemo_int(o, monitored);
                kdemo_int(o, down < monitored ? down : monitored);
                kdemo_int(o, maint);
                kdemo_end(o);
            }
    }
}

/* The nightly backlog report: per series and day, the tickets open at the end of the day. */
static void write_backlog(kdemo *d, it_state *s)
{
    kdemo_out *o = s->backlog;
    int32_t open[NCAT * NPRIO] = {0};
    for (int64_t i = 0; i < s->ndays; i++)
        for (int c = 0; c < NCAT * NPRIO; c++) {
            open[c] += s->backlog_delta[c * s->ndays + i];
            kdemo_date(o, d->first_day + i);
            kdemo_text(o, teams[categories[c / NPRIO].team]);
            kdemo_text(o, categories[c / NPRIO].name);
            kdemo_text(o, priorities[c % NPRIO].name);
            kdemo_int(o, open[c]);
            kdemo_end(o);
        }
}

/* ---- the part ----------------------------------------------------------------------------- */

static void it_free(it_state *s)
{
    free(s->backlog_delta);
    free(s->downtime);
    free(s->maintenance);
    free(s);
}

static void *it_create(kdemo *d)
{
    it_state *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    krng_seed(&s->rng, d->seed, "it");
    s->ndays = d->today - d->first_day + 1;
    s->window_start = kdemo_at(d, d->first_day, 0);
    s->backlog_delta = calloc((size_t)s->ndays * NCAT * NPRIO, sizeof *s->backlog_delta);
    s->downtime = calloc((size_t)s->ndays * NSVC * NENV, sizeof *s->downtime);
    s->maintenance = calloc((size_t)s->ndays * NSVC * NENV, sizeof *s->maintenance);
    if (!s->backlog_delta || !s->downtime || !s->maintenance)
        goto nomem;
    set_sites(s);
    if (!(s->tickets = kdemo_open(d, "tickets",
                                  "event_id,occurred_at,ticket_id,event,opened_at,"
                                  "category,priority,team,assignee,site,channel")) ||
        !(s->backlog =
              kdemo_open(d, "ticket_backlog", "as_of,team,category,priority,open_tickets")) ||
        !(s->incidents = kdemo_open(d, "incidents",
                                    "incident_id,started_at,restored_at,service,"
                                    "environment,cause,severity")) ||
        !(s->uptime = kdemo_open(d, "service_uptime",
                                 "day,service,environment,monitored_seconds,"
                                 "downtime_seconds,maintenance_seconds"))) {
        it_free(s);
        return NULL;
    }
    plan_maintenance(d, s);
    for (int64_t day = d->first_day - WARMUP_DAYS; day < d->first_day; day++)
        tickets_day(d, s, day);
    return s;
nomem:
    if (s)
        it_free(s);
    kdemo_nomem(d);
    return NULL;
}

static void it_day(kdemo *d, void *state, int64_t day)
{
    it_state *s = state;
    tickets_day(d, s, day);
    int64_t n = krng_poisson(&s->rng, INCIDENTS_PER_DAY);
    int64_t nsec = krng_poisson(&s->rng, SECURITY_INCIDENTS_PER_DAY);
    for (int64_t i = 0; i < n + nsec; i++)
        one_incident(d, s, day, i >= n);
}

static void it_finish(kdemo *d, void *state)
{
    it_state *s = state;
    write_backlog(d, s);
    write_uptime(d, s);
    it_free(s);
}

const kdemo_part kdemo_part_it = {"it", it_create, it_day, it_finish};
