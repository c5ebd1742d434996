/*
 * manufacturing.c - the demo company's plant in Reno, which makes its tents and packs (the
 * products with an ideal cycle time) on two lines of three machines each. Every working day
 * each line runs an early and a late shift, and Line A a night shift in the tent season
 * (March to July); each machine reports one run per shift, the classic OEE model (planned
 * time, run time after unplanned stops, units made, scrapped and reworked). The equipment
 * calendar gives every machine's real day length, the base of loading and TEEP.
 *
 * The story: the seam sealer on Line A is the bottleneck (breakdowns, lower availability),
 * the sewing machines scrap the most, night shifts are a little slower and sloppier, and a
 * continuous improvement programme lifts OEE a few points over the two years. The plant does
 * not scale with d->scale: volumes are capacity, not demand.
 */
#include "demo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PLANT "Reno"
#define SHIFT_SECONDS 28800
#define BREAK_SECONDS 1800
#define MAX_LINE_PRODUCTS 16

typedef struct line_def {
    const char *name;
    const char *category; /* the products it makes */
    bool night_in_season; /* a third shift from March to July */
} line_def;

static const line_def lines[] = {
    {"Line A - Tents", "tents", true},
    {"Line B - Packs", "packs", false},
};
enum { NLINES = sizeof lines / sizeof lines[0] };

/* A machine and its character: availability and performance before improvement, scrap and
 * rework rates, and the chance of a breakdown in a shift. */
typedef struct machine {
    const char *name;
    int line;
    double avail, perf, scrap, rework, breakdown;
} machine;

static const machine machines[] = {
    {"Cutter A1", 0, 0.890, 0.880, 0.016, 0.010, 0.010},
    {"Sewing A2", 0, 0.860, 0.850, 0.030, 0.017, 0.015},
    {"Seam Sealer A3", 0, 0.820, 0.835, 0.022, 0.012, 0.045},
    {"Cutter B1", 1, 0.895, 0.890, 0.014, 0.008, 0.010},
    {"Sewing B2", 1, 0.865, 0.855, 0.028, 0.015, 0.015},
    {"Finisher B3", 1, 0.875, 0.865, 0.018, 0.012, 0.012},
};
enum { NMACHINES = sizeof machines / sizeof machines[0] };

typedef struct shift_def {
    const char *name;
    double start_hour;
    double perf;  /* pace relative to the day shifts */
    double scrap; /* scrap relative to the day shifts */
} shift_def;

static const shift_def shifts[] = {
    {"early", 6, 1.0, 1.0},
    {"late", 14, 0.99, 1.05},
    {"night", 22, 0.975, 1.25},
};

typedef struct mfg {
    krng rng;
    kdemo_out *runs, *calendar;
    size_t products[NLINES][MAX_LINE_PRODUCTS];
    size_t nproducts[NLINES];
    uint64_t next_run;
} mfg;

/* The products of each line: its category's products that the plant makes. */
static void find_products(mfg *s)
{
    for (size_t l = 0; l < NLINES; l++)
        for (size_t i = 0; i < kdemo_nproducts; i++) {
            const kdemo_product *p = &kdemo_products[i];
            if (p->ideal_cycle_s > 0 && s->nproducts[l] < MAX_LINE_PRODUCTS &&
                !strcmp(kdemo_categories[p->category].name, lines[l].category))
                s->products[l][s->nproducts[l]++] = i;
        }
}

/* A line's product for a shift, by the products' share of sales in the month. */
static size_t pick_product(mfg *s, size_t line, int month)
{
    double w[MAX_LINE_PRODUCTS];
    size_t n = s->nproducts[line];
    for (size_t k = 0; k < n; k++) {
        const kdemo_product *p = &kdemo_products[s->products[line][k]];
        w[k] = p->weight * kdemo_categories[p->category].season[month - 1];
    }
    return s->products[line][krng_pick(&s->rng, w, n)];
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* One machine's shift: run time after small stops and the odd breakdown, units at its pace,
 * scrap and rework; better as the improvement programme (imp: 0 at the start, 1 after two
 * years) goes on. */
static void write_run(mfg *s, const machine *m, const shift_def *sh, size_t product, int64_t start,
                      int64_t end, double imp)
{
    int64_t planned = SHIFT_SECONDS - BREAK_SECONDS;
    double avail = clamp(m->avail + 0.03 * imp + krng_normal(&s->rng, 0, 0.02), 0.7, 0.99);
    double lost = planned * (1 - avail);
    if (krng_chance(&s->rng, m->breakdown * (1 - 0.3 * imp)))
        lost += fmin(krng_lognormal(&s->rng, 5400, 0.6), 5 * 3600.0);
    int64_t run = planned - (int64_t)llround(fmin(lost, planned - 3600.0));
    double ideal = kdemo_products[product].ideal_cycle_s;
    double perf =
        clamp((m->perf + 0.025 * imp) * sh->perf + krng_normal(&s->rng, 0, 0.015), 0.6, 0.99);
    int64_t total = (int64_t)floor((double)run / ideal * perf);
    double quality = (1 - 0.3 * imp) * sh->scrap;
    int64_t scrap = krng_poisson(&s->rng, (double)total * m->scrap * quality);
    int64_t rework = krng_poisson(&s->rng, (double)total * m->rework * quality);
    if (scrap > total)
        scrap = total;
    if (rework > total - scrap)
        rework = total - scrap;
    kdemo_out *o = s->runs;
    char id[32];
    kdemo_text(o, kdemo_id(id, sizeof id, "PR", ++s->next_run, 6));
    kdemo_time(o, start);
    kdemo_time(o, end);
    kdemo_text(o, PLANT);
    kdemo_text(o, lines[m->line].name);
    kdemo_text(o, m->name);
    kdemo_text(o, kdemo_products[product].name);
    kdemo_text(o, sh->name);
    kdemo_int(o, planned);
    kdemo_int(o, run);
    kdemo_num(o, ideal, 1);
    kdemo_int(o, total);
    kdemo_int(o, total - scrap - rework);
    kdemo_int(o, rework);
    kdemo_int(o, scrap);
    kdemo_end(o);
}

/* The shifts of a working day: each line makes one product per shift on all its machines. */
static void run_shifts(kdemo *d, mfg *s, int64_t day)
{
    int month = kdemo_month_of(day);
    double imp = clamp((double)(day - d->first_day) / (2 * 365.25), 0, 1);
    for (size_t l = 0; l < NLINES && s->nproducts[l]; l++) {
        size_t nsh = lines[l].night_in_season && month >= 3 && month <= 7 ? 3 : 2;
        for (size_t k = 0; k < nsh; k++) {
            const shift_def *sh = &shifts[k];
            size_t product = pick_product(s, l, month);
            int64_t start = kdemo_at(d, day, sh->start_hour);
            double end_hour = sh->start_hour + 8;
            int64_t end =
                end_hour < 24 ? kdemo_at(d, day, end_hour) : kdemo_at(d, day + 1, end_hour - 24);
            if (!kdemo_past(d, end))
                continue;
            for (size_t i = 0; i < NMACHINES; i++)
                if (machines[i].line == (int)l)
                    write_run(s, &machines[i], sh, product, start, end, imp);
        }
    }
}

static void *mfg_create(kdemo *d)
{
    mfg *s = kdemo_calloc(d, 1, sizeof *s);
    if (!s)
        return NULL;
    krng_seed(&s->rng, d->seed, "manufacturing");
    if (!(s->runs = kdemo_open(d, "production_runs",
                               "run_id,started_at,ended_at,plant,line,machine,product,shift,"
                               "planned_seconds,run_seconds,ideal_cycle_seconds,total_count,"
                               "good_count,rework_count,scrap_count")) ||
        !(s->calendar =
              kdemo_open(d, "machine_calendar", "day,plant,line,machine,calendar_seconds"))) {
        free(s);
        return NULL;
    }
    find_products(s);
    return s;
}

static void mfg_day(kdemo *d, void *state, int64_t day)
{
    mfg *s = state;
    int64_t length = kdemo_at(d, day + 1, 0) - kdemo_at(d, day, 0);
    for (size_t i = 0; i < NMACHINES; i++) {
        kdemo_date(s->calendar, day);
        kdemo_text(s->calendar, PLANT);
        kdemo_text(s->calendar, lines[machines[i].line].name);
        kdemo_text(s->calendar, machines[i].name);
        kdemo_int(s->calendar, length);
        kdemo_end(s->calendar);
    }
    if (kdemo_workday(day))
        run_shifts(d, s, day);
}

static void mfg_finish(kdemo *d, void *state)
{
    (void)d;
    free(state);
}

const kdemo_part kdemo_part_manufacturing = {"manufacturing", mfg_create, mfg_day, mfg_finish};
