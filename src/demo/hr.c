/*
 * hr.c - the demo company's people: about 420 employees in departments and locations (the
 * Chicago head office, the Reno plant, the stores, remote staff), simulated one by one so
 * that the HR streams agree with each other: every hire and leaver moves the daily headcount,
 * every absence falls on a scheduled day of an employee employed that day, and every hire
 * comes from a requisition opened weeks before.
 *
 * The story: the workforce grows about 8% a year (hires exceed leavers); turnover is higher in
 * the stores and in support, and support lost people in the two months before the last
 * complete month (the staffing gap behind support's slow first responses, see support.c);
 * sickness peaks in winter, vacations in summer and at the end of December; recruiting gets
 * slightly faster over the run. People do not scale with d->scale.
 *
 * The simulation starts WARMUP_DAYS before the first day, unwritten, so that the first months
 * already have requisitions in flight and a settled headcount.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WARMUP_DAYS 120
#define LEAD_DAYS 66          /* about the days from opening a requisition to the first day */
#define START_HEADCOUNT 434.0 /* the units' targets at the first day, before vacancies */
#define GROWTH 0.077          /* continuous yearly growth of the targets: 8% a year */
#define MAX_UNITS 48
#define STAYING INT64_MAX /* employee.leaves of someone who has not resigned */

/* A department at a location: the grain of headcount and work schedules. */
typedef struct unit_def {
    const char *dept;
    const char *loc;  /* NULL: one unit per store, at the store's name */
    double size;      /* target headcount at the first day (stores: by floor area) */
    double turnover;  /* leavers per month, percent of the employees */
    double part_time; /* percent of part-timers (half days) */
    double sick;      /* sickness relative to the company average */
    double injury;    /* injuries relative to an office */
    double fill;      /* days to fill a position, before the recruiter and the source */
    int recruiter;    /* who usually recruits for it (recruiters[]) */
    const char *family[3];
} unit_def;

static const unit_def unit_defs[] = {
    {"sales", "HQ Chicago", 18, 1.2, 3, 1.0, 1, 54, 3, {"Inside Sales", "Sales Operations"}},
    {"sales", "Remote", 22, 1.3, 0, 0.9, 1, 54, 3, {"Field Sales"}},
    {"sales", NULL, 0, 2.4, 40, 1.15, 1.5, 42, 0, {"Retail Associate", "Store Management"}},
    {"marketing", "HQ Chicago", 20, 1.1, 5, 1.0, 1, 54, 2, {"Marketing", "E-commerce", "Creative"}},
    {"marketing", "Remote", 6, 1.1, 10, 0.9, 1, 54, 2, {"Marketing", "Creative"}},
    {"finance", "HQ Chicago", 18, 0.9, 5, 0.9, 1, 54, 2, {"Accounting", "FP&A"}},
    {"it", "HQ Chicago", 20, 1.1, 2, 0.9, 1, 62, 2, {"Engineering", "IT Operations", "Data"}},
    {"it", "Remote", 9, 1.2, 0, 0.8, 1, 62, 2, {"Engineering", "Data"}},
    {"support", "HQ Chicago", 30, 1.9, 15, 1.2, 1, 44, 3, {"Customer Support", "Support Ops"}},
    {"support", "Remote", 14, 2.1, 20, 1.1, 1, 44, 3, {"Customer Support"}},
    {"hr", "HQ Chicago", 10, 0.8, 10, 1.0, 1, 54, 2, {"People Operations", "Recruiting"}},
    {"operations", "HQ Chicago", 12, 1.0, 5, 1.0, 1, 54, 1, {"Supply Chain", "Logistics"}},
    {"operations", "Plant Reno", 30, 1.6, 5, 1.1, 4, 46, 1, {"Warehouse", "Logistics"}},
    {"production", "Plant Reno", 80, 1.5, 2, 1.1, 5, 46, 1, {"Operator", "Maintenance", "Quality"}},
    {"management", "HQ Chicago", 10, 0.5, 0, 0.7, 1, 72, 2, {"Executive", "Management"}},
    {"management", "Plant Reno", 3, 0.5, 0, 0.7, 1, 72, 2, {"Management"}},
};
enum { NUNIT_DEFS = sizeof unit_defs / sizeof unit_defs[0] };

static const double family_weight[3] = {0.6, 0.3, 0.1};

/* Recruiters: who covers which roles, and how fast they fill them (1 = average). */
static const char *const recruiters[] = {"Megan Holt", "Carlos Reyes", "Aisha Bello",
                                         "Tom Lindqvist"};
static const double recruiter_pace[] = {0.85, 1.0, 1.15, 0.95};

static const char *const sources[] = {"referral", "job_board", "careers_site", "agency",
                                      "internal"};
static const double source_weight[] = {0.20, 0.35, 0.25, 0.12, 0.08};
static const double source_pace[] = {0.85, 1.0, 1.05, 0.8, 0.7};
enum { SRC_INTERNAL = 4 };

enum term_type { VOLUNTARY, INVOLUNTARY, RETIREMENT, END_OF_CONTRACT };
static const char *const term_types[] = {"voluntary", "involuntary", "retirement",
                                         "end_of_contract"};
static const double term_weight[] = {0.70, 0.17, 0.06, 0.07};

enum reason { ABS_NONE, SICK, INJURY, PERSONAL, UNAUTHORIZED, VACATION, PARENTAL };
static const char *const reason_names[] = {
    "", "sick", "injury", "personal", "unauthorized", "vacation", "parental"};

/* Sickness by month (flu season), vacations by month (summer, the holidays). */
static const double sick_season[12] = {1.45, 1.4,  1.15, 1.0, 0.85, 0.75,
                                       0.7,  0.75, 0.9,  1.0, 1.15, 1.35};
static const double vacation_season[12] = {0.6, 0.6,  0.8, 0.9, 0.95, 1.25,
                                           1.5, 1.35, 0.9, 0.8, 0.85, 1.1};

typedef struct unit {
    const unit_def *def;
    const char *loc;
    bool store;   /* scheduled Tuesday to Saturday, like the shops' staff */
    double size;  /* target at the first day */
    int employed; /* at the end of the day being simulated */
    int part_timers;
    int staying;  /* employed and not leaving: what the requisitions top up */
    int pending;  /* open requisitions, accepted or not, whose hire has not started */
    double hours; /* scheduled hours of the day */
} unit;

typedef struct employee {
    uint32_t id;
    uint8_t unit, family, term_type, reason;
    bool part_time, half;
    int16_t absent_left; /* scheduled days of the current absence still to come */
    int64_t hired;       /* first day */
    int64_t leaves;      /* last day, STAYING until they resign or are let go */
} employee;

typedef struct req {
    uint32_t id;
    uint8_t unit, family, recruiter, source;
    int64_t opened, applied, accepted, start;
} req;

typedef struct hr {
    krng rng;
    kdemo_out *events, *headcount, *absences, *schedules, *reqs;
    unit units[MAX_UNITS];
    size_t nunits;
    employee *emp;
    size_t nemp, capemp;
    req *req;
    size_t nreq, capreq;
    uint32_t next_emp, next_req, next_event;
    int64_t wave[2]; /* days on which support people resign together */
} hr;

/* The unit's target headcount on a day: its size, grown 8% a year from the first day. */
static double target(const kdemo *d, const unit *u, int64_t day)
{
    return u->size * exp(GROWTH * (double)(day - d->first_day) / 365.25);
}

/* Office, plant and remote staff work Monday to Friday; store staff Tuesday to Saturday. */
static bool scheduled(const unit *u, int64_t day)
{
    int wd = kpi_weekday(day);
    return u->store ? wd >= 2 && wd <= 6 : wd <= 5;
}

static size_t pick_family(krng *r, const unit_def *def)
{
    size_t n = 0;
    while (n < 3 && def->family[n])
        n++;
    return krng_pick(r, family_weight, n);
}

static employee *add_employee(hr *s, size_t unit_ix, int64_t hired)
{
    if (s->nemp == s->capemp) {
        size_t cap = s->capemp ? s->capemp * 2 : 1024;
        employee *grown = realloc(s->emp, cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->emp = grown;
        s->capemp = cap;
    }
    unit *u = &s->units[unit_ix];
    employee *e = &s->emp[s->nemp++];
    memset(e, 0, sizeof *e);
    e->id = s->next_emp++;
    e->unit = (uint8_t)unit_ix;
    e->family = (uint8_t)pick_family(&s->rng, u->def);
    e->part_time = krng_chance(&s->rng, u->def->part_time / 100);
    e->hired = hired;
    e->leaves = STAYING;
    return e;
}

/* The units: the table, with the sales unit repeated for every store, sized so that the
 * company has START_HEADCOUNT target positions at the first day. */
static void build_units(hr *s)
{
    double total = 0;
    for (size_t i = 0; i < NUNIT_DEFS; i++) {
        const unit_def *def = &unit_defs[i];
        size_t n = def->loc ? 1 : kdemo_nstores;
        for (size_t k = 0; k < n && s->nunits < MAX_UNITS; k++) {
            unit *u = &s->units[s->nunits++];
            u->def = def;
            u->store = !def->loc;
            u->loc = def->loc ? def->loc : kdemo_stores[k].name;
            u->size = def->loc ? def->size : 3.5 + kdemo_stores[k].floor_area / 2400;
            total += u->size;
        }
    }
    for (size_t i = 0; i < s->nunits; i++)
        s->units[i].size *= START_HEADCOUNT / total;
}

/* The staff at the start of the warm-up, hired over the last fifteen years. */
static bool hire_initial_staff(kdemo *d, hr *s, int64_t day)
{
    for (size_t i = 0; i < s->nunits; i++) {
        long n = lround(target(d, &s->units[i], day));
        for (long k = 0; k < n; k++)
            if (!add_employee(s, i, day - krng_range(&s->rng, 30, 365 * 15)))
                return false;
    }
    return true;
}

/* Days from the opening of a requisition to the offer's acceptance: the role, the recruiter
 * and the source, and a process that gets a little faster over the run. */
static int64_t fill_days(kdemo *d, hr *s, const unit *u, int recruiter, int source, int64_t day)
{
    double years = (double)(day - d->first_day) / 365.25;
    double days = u->def->fill * recruiter_pace[recruiter] * source_pace[source] *
                  (1 - 0.05 * years) * krng_lognormal(&s->rng, 1, 0.18);
    return (int64_t)fmin(fmax(lround(days), 21), 95);
}

/* The recruiter covering a unit's roles (one time in five, whoever has time). */
static int pick_recruiter(krng *r, const unit *u)
{
    if (krng_chance(r, 0.2))
        return (int)krng_range(r, 0, 3);
    return u->def->recruiter;
}

static bool open_requisition(kdemo *d, hr *s, size_t unit_ix, int64_t day)
{
    if (s->nreq == s->capreq) {
        size_t cap = s->capreq ? s->capreq * 2 : 128;
        req *grown = realloc(s->req, cap * sizeof *grown);
        if (!grown)
            return false;
        s->req = grown;
        s->capreq = cap;
    }
    unit *u = &s->units[unit_ix];
    req *q = &s->req[s->nreq++];
    q->id = s->next_req++;
    q->unit = (uint8_t)unit_ix;
    q->family = (uint8_t)pick_family(&s->rng, u->def);
    q->recruiter = (uint8_t)pick_recruiter(&s->rng, u);
    q->source = (uint8_t)krng_pick(&s->rng, source_weight, 5);
    q->opened = day;
    int64_t fill = fill_days(d, s, u, q->recruiter, q->source, day);
    /* the hired candidate applied a while after the opening: 15% to 50% of the way */
    double applied_share = q->source == SRC_INTERNAL ? 0.55 : 0.15 + 0.35 * krng_u01(&s->rng);
    q->applied = day + (int64_t)llround(fill * applied_share);
    q->accepted = day + fill;
    int64_t start = q->accepted + krng_range(&s->rng, q->source == SRC_INTERNAL ? 7 : 14, 28);
    while (kpi_weekday(start) != 1) /* people start on Mondays */
        start++;
    q->start = start;
    u->pending++;
    return true;
}

static void write_event(kdemo *d, hr *s, int64_t day, const employee *e, const char *event,
                        const char *term_type)
{
    if (day < d->first_day)
        return;
    const unit *u = &s->units[e->unit];
    char id[24];
    kdemo_id(id, sizeof id, "H", ++s->next_event, 6);
    char emp[16];
    kdemo_id(emp, sizeof emp, "E", e->id, 4);
    kdemo_text(s->events, id);
    kdemo_date(s->events, day);
    kdemo_text(s->events, emp);
    kdemo_text(s->events, event);
    kdemo_text(s->events, term_type);
    kdemo_text(s->events, u->def->dept);
    kdemo_text(s->events, u->loc);
    kdemo_text(s->events, u->def->family[e->family]);
    kdemo_end(s->events);
}

static void write_requisition(kdemo *d, hr *s, const req *q)
{
    if (q->accepted < d->first_day)
        return;
    const unit *u = &s->units[q->unit];
    char id[24];
    kdemo_id(id, sizeof id, "R", q->id, 5);
    kdemo_out *o = s->reqs;
    kdemo_text(o, id);
    kdemo_date(o, q->accepted);
    kdemo_date(o, q->opened);
    kdemo_date(o, q->applied);
    kdemo_text(o, u->def->dept);
    kdemo_text(o, u->loc);
    kdemo_text(o, u->def->family[q->family]);
    kdemo_text(o, recruiters[q->recruiter]);
    kdemo_text(o, sources[q->source]);
    kdemo_end(o);
}

/* An internal candidate: an employee of another unit with a year of tenure who is staying
 * and not on parental leave; NULL when a few tries find nobody. */
static employee *internal_candidate(hr *s, const req *q, int64_t day)
{
    for (int tries = 0; tries < 20 && s->nemp; tries++) {
        employee *e = &s->emp[krng_range(&s->rng, 0, (int64_t)s->nemp - 1)];
        if (e->unit != q->unit && e->leaves == STAYING && e->hired <= day - 365 &&
            e->reason != PARENTAL)
            return e;
    }
    return NULL;
}

/* Requisitions accepted today are written; those whose hire starts today become a hire (or,
 * filled internally, a transfer from another unit). */
static void run_requisitions(kdemo *d, hr *s, int64_t day)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nreq; i++) {
        req q = s->req[i];
        if (q.accepted == day)
            write_requisition(d, s, &q);
        if (q.start != day) {
            s->req[kept++] = q;
            continue;
        }
        s->units[q.unit].pending--;
        employee *e = q.source == SRC_INTERNAL ? internal_candidate(s, &q, day) : NULL;
        if (e) {
            e->unit = q.unit;
            e->family = q.family;
            write_event(d, s, day, e, "transfer", NULL);
        } else if ((e = add_employee(s, q.unit, day))) {
            e->family = q.family;
            write_event(d, s, day, e, "hire", NULL);
        }
    }
    s->nreq = kept;
}

/* The reason of an absence starting on a scheduled day of someone at work, or ABS_NONE:
 * sickness by season and unit, the odd injury (more in the plant), personal days,
 * unauthorised ones (more where people quit more), vacations (summer, the holidays; store
 * staff rarely take them in the Christmas trade) and parental leave. */
static int absence_reason(hr *s, const unit *u, int month, int mday)
{
    double vac = vacation_season[month - 1] * (month == 12 && mday >= 20 ? 2.6 : 1);
    if (u->store && month >= 11)
        vac *= 0.4;
    const double p[6] = {
        0.0085 * u->def->sick * sick_season[month - 1], /* sick */
        0.00012 * u->def->injury,                       /* injury */
        0.004,                                          /* personal */
        0.0005 * u->def->turnover,                      /* unauthorized */
        0.016 * vac,                                    /* vacation */
        0.00012,                                        /* parental */
    };
    double x = krng_u01(&s->rng);
    for (int r = 0; r < 6; r++) {
        if (x < p[r])
            return SICK + r;
        x -= p[r];
    }
    return ABS_NONE;
}

/* Starts an absence: its length in scheduled days, and whether it is a half day. */
static void start_absence(hr *s, employee *e, int reason, int month)
{
    static const double sick_w[5] = {0.45, 0.2, 0.15, 0.12, 0.08};
    static const int sick_lo[5] = {1, 2, 3, 4, 6}, sick_hi[5] = {1, 2, 3, 5, 10};
    int64_t days = 1;
    if (reason == SICK) {
        size_t k = krng_pick(&s->rng, sick_w, 5);
        days = krng_range(&s->rng, sick_lo[k], sick_hi[k]);
    } else if (reason == INJURY) {
        days = krng_range(&s->rng, 2, 15);
    } else if (reason == VACATION) {
        days = krng_range(&s->rng, 1, month >= 6 && month <= 8 ? 7 : 5);
    } else if (reason == PARENTAL) {
        days = krng_range(&s->rng, 30, 80);
    }
    double half = reason == PERSONAL ? 0.4 : days > 1 ? 0 : reason == VACATION ? 0.25 : 0.1;
    e->reason = (uint8_t)reason;
    e->half = half > 0 && krng_chance(&s->rng, half);
    e->absent_left = (int16_t)days;
}

static void write_absence(hr *s, const employee *e, const unit *u, int64_t day, const char *date,
                          double hours)
{
    char emp[16], id[32];
    size_t n = strlen(kdemo_id(emp, sizeof emp, "E", e->id, 4));
    memcpy(id, emp, n);
    id[n] = '|';
    memcpy(id + n + 1, date, 11);
    kdemo_out *o = s->absences;
    kdemo_text(o, id);
    kdemo_date(o, day);
    kdemo_text(o, emp);
    kdemo_text(o, u->def->dept);
    kdemo_text(o, u->loc);
    kdemo_text(o, reason_names[e->reason]);
    kdemo_bool(o, e->reason >= VACATION);
    kdemo_num(o, hours, 0);
    kdemo_end(o);
}

/* The last day of someone resigning today: two weeks' notice, to a Friday. */
static int64_t notice_end(int64_t day)
{
    int64_t last = day + 14;
    while (kpi_weekday(last) != 5)
        last++;
    return last;
}

/* Support's staffing gap: in each of the two months before the last complete month, a few
 * agents resign on the same day (they leave together for a competitor), and their
 * replacements arrive only in the last month or later. */
static void support_wave(hr *s, int64_t day)
{
    if (day != s->wave[0] && day != s->wave[1])
        return;
    int left = 0;
    for (int tries = 0; tries < 200 && left < 3 && s->nemp; tries++) {
        employee *e = &s->emp[krng_range(&s->rng, 0, (int64_t)s->nemp - 1)];
        if (e->leaves == STAYING && !strcmp(s->units[e->unit].def->dept, "support")) {
            e->term_type = VOLUNTARY;
            e->leaves = notice_end(day);
            left++;
        }
    }
}

/* Decides whether someone at work resigns or is let go today, and their last day: two weeks'
 * notice (to a Friday) for a resignation, the same day for a dismissal, the end of next month
 * for a retirement, a few days for a contract that ends. */
static void maybe_leave(hr *s, employee *e, const unit *u, int64_t day)
{
    if (!krng_chance(&s->rng, u->def->turnover / 100 / 21.7))
        return;
    size_t t = krng_pick(&s->rng, term_weight, 4);
    e->term_type = (uint8_t)t;
    e->leaves = t == VOLUNTARY         ? notice_end(day)
                : t == RETIREMENT      ? kdemo_month_next(kdemo_month_next(day)) - 1
                : t == END_OF_CONTRACT ? day + krng_range(&s->rng, 0, 10)
                                       : day;
}

/* The day of every employee: scheduled hours, absences, resignations; and the unit counts
 * at the end of the day (leavers whose last day it is no longer count). */
static void run_people(kdemo *d, hr *s, int64_t day)
{
    char date[11];
    kdemo_day_str(day, date);
    int64_t year;
    int month, mday;
    kpi_date_from_days(day, &year, &month, &mday);
    bool write = day >= d->first_day;
    for (size_t i = 0; i < s->nunits; i++) {
        unit *u = &s->units[i];
        u->employed = u->part_timers = u->staying = 0;
        u->hours = 0;
    }
    bool workday = kdemo_workday(day);
    for (size_t i = 0; i < s->nemp; i++) {
        employee *e = &s->emp[i];
        unit *u = &s->units[e->unit];
        double hours = e->part_time ? 4 : 8;
        if (scheduled(u, day)) {
            u->hours += hours;
            /* nobody calls in sick on their first day */
            int reason =
                e->absent_left || e->hired == day ? ABS_NONE : absence_reason(s, u, month, mday);
            if (reason != ABS_NONE)
                start_absence(s, e, reason, month);
            if (e->absent_left) {
                if (write)
                    write_absence(s, e, u, day, date, e->half ? hours / 2 : hours);
                if (--e->absent_left == 0)
                    e->reason = ABS_NONE;
            }
        }
        if (workday && e->leaves == STAYING)
            maybe_leave(s, e, u, day);
        if (e->leaves != day) {
            u->employed++;
            u->part_timers += e->part_time;
            u->staying += e->leaves == STAYING;
        }
    }
}

/* Leavers whose last day it was go, with their termination event. */
static void remove_leavers(kdemo *d, hr *s, int64_t day)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nemp; i++) {
        employee e = s->emp[i];
        if (e.leaves == day)
            write_event(d, s, day, &e, "termination", term_types[e.term_type]);
        else
            s->emp[kept++] = e;
    }
    s->nemp = kept;
}

static void write_units(hr *s, int64_t day)
{
    for (size_t i = 0; i < s->nunits; i++) {
        const unit *u = &s->units[i];
        kdemo_date(s->headcount, day);
        kdemo_text(s->headcount, u->def->dept);
        kdemo_text(s->headcount, u->loc);
        kdemo_int(s->headcount, u->employed);
        kdemo_num(s->headcount, u->employed - 0.5 * u->part_timers, 1);
        kdemo_end(s->headcount);
        if (!scheduled(u, day))
            continue;
        kdemo_date(s->schedules, day);
        kdemo_text(s->schedules, u->def->dept);
        kdemo_text(s->schedules, u->loc);
        kdemo_num(s->schedules, u->hours, 0);
        kdemo_end(s->schedules);
    }
}

/* Opens a requisition for every position that will be missing when a hire could start:
 * the people staying and the hires on the way against the target in LEAD_DAYS. */
static bool top_up(kdemo *d, hr *s, int64_t day)
{
    for (size_t i = 0; i < s->nunits; i++) {
        unit *u = &s->units[i];
        long want = lround(target(d, u, day + LEAD_DAYS));
        while (u->staying + u->pending < want)
            if (!open_requisition(d, s, i, day))
                return false;
    }
    return true;
}

static bool simulate(kdemo *d, hr *s, int64_t day)
{
    run_requisitions(d, s, day);
    support_wave(s, day);
    run_people(d, s, day);
    remove_leavers(d, s, day);
    if (day >= d->first_day)
        write_units(s, day);
    return top_up(d, s, day);
}

static void *hr_create(kdemo *d)
{
    hr *s = calloc(1, sizeof *s);
    if (!s) {
        kdemo_nomem(d);
        return NULL;
    }
    krng_seed(&s->rng, d->seed, "hr");
    s->next_emp = 1001;
    s->next_req = 10001;
    int64_t month_before = kdemo_month_first(d->last_month_first - 1);
    s->wave[0] = kdemo_month_first(month_before - 1) + 3;
    s->wave[1] = month_before + 3;
    if (!(s->events = kdemo_open(d, "hr_events",
                                 "event_id,effective_on,employee_id,event,termination_type,"
                                 "department,location,job_family")) ||
        !(s->headcount = kdemo_open(d, "headcount", "as_of,department,location,employees,fte")) ||
        !(s->absences = kdemo_open(d, "absences",
                                   "absence_day_id,day,employee_id,department,location,reason,"
                                   "planned,hours")) ||
        !(s->schedules =
              kdemo_open(d, "work_schedules", "day,department,location,scheduled_hours")) ||
        !(s->reqs = kdemo_open(d, "requisitions",
                               "requisition_id,accepted_on,opened_on,applied_on,department,"
                               "location,job_family,recruiter,source"))) {
        free(s);
        return NULL;
    }
    build_units(s);
    int64_t from = d->first_day - WARMUP_DAYS;
    bool ok = hire_initial_staff(d, s, from);
    for (int64_t day = from; ok && day < d->first_day; day++)
        ok = simulate(d, s, day);
    if (!ok) {
        kdemo_nomem(d);
        free(s->emp);
        free(s->req);
        free(s);
        return NULL;
    }
    return s;
}

static void hr_day(kdemo *d, void *state, int64_t day)
{
    if (!simulate(d, state, day))
        kdemo_nomem(d);
}

static void hr_finish(kdemo *d, void *state)
{
    hr *s = state;
    (void)d;
    free(s->emp);
    free(s->req);
    free(s);
}

const kdemo_part kdemo_part_hr = {"hr", hr_create, hr_day, hr_finish};
