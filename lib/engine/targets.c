/*
 * targets.c - which target applies to a KPI for a period and group, and the status it gives.
 *
 * A target is a value for every period, for one period (of any grain), and optionally for
 * breakdown values (a rep's quota). The most specific wins: more matching dimensions first,
 * then a target for a named period over one for every period. For a KPI that adds up (sums and
 * counts), a target is a quantity spread evenly over the days of its period — a quarterly goal
 * gives each month its share, a monthly target for a 10-day slice gives 10 days' worth — and a
 * target for every period is per review period (the KPI's grain). For any other KPI (ratios,
 * percentages, averages, snapshot levels) a target is a level, taken as it is.
 *
 * The values of manual KPIs (`kpi values set`) are looked up the same way: for a period and
 * breakdown values, the latest entered wins.
 */
#include "engine.h"

#include <math.h>
#include <string.h>

/* Does target t apply to group values `group` of the breakdown `by`? Sets *matched dims. */
static bool dims_match(const ktarget_def *t, const char *const *by, size_t nby, const kstr *group,
                       size_t *matched)
{
    *matched = 0;
    for (size_t i = 0; i < t->ndims; i++) {
        bool ok = false;
        for (size_t b = 0; b < nby && !ok; b++)
            ok = strcmp(by[b], t->dim_names[i]) == 0 && kstr_eq_c(group[b], t->dim_values[i]);
        if (!ok)
            return false;
    }
    *matched = t->ndims;
    return true;
}

/* The target value in force on `day` for the KPI and group, and the days of the period it is
 * set for (its share per day is value / days). NaN when none applies. */
static double target_on(const ktarget_ctx *c, int64_t day, int64_t *days)
{
    const kkpi *k = c->kpi;
    double best = NAN;
    long best_rank = -1;
    for (size_t i = 0; i < k->ntargets + c->nstored; i++) {
        bool stored = i >= k->ntargets;
        const ktarget_def *t = stored ? &c->stored[i - k->ntargets] : &k->targets[i];
        size_t matched;
        if (!dims_match(t, c->by, c->nby, c->group, &matched))
            continue;
        /* a quantity is for exactly the scope it names: the company's target is not each
         * region's, and a rep's quota is not each of her regions' — only levels (a margin)
         * hold in every group below their scope */
        if (c->additive && matched != c->nby)
            continue;
        kperiod p;
        if (t->period) {
            char why[128];
            if (!kperiod_parse(c->cal, kstr_c(t->period), &p, why, sizeof why) ||
                day < p.first || day >= p.end)
                continue;
        } else {
            p = kperiod_of(c->cal, c->grain, day);
        }
        /* more dimensions, then a named period, then `kpi targets` over kpi.yaml */
        long rank = (long)matched * 4 + (t->period ? 2 : 0) + stored;
        if (rank > best_rank) {
            best_rank = rank;
            best = t->value;
            *days = p.end - p.first;
        }
    }
    return best;
}

double ktarget_for(const ktarget_ctx *c, int64_t first, int64_t end)
{
    if (first >= end)
        return NAN;
    int64_t days = 1;
    if (!c->additive)
        return target_on(c, first, &days);
    double sum = 0;
    for (int64_t d = first; d < end; d++) {
        double v = target_on(c, d, &days);
        if (isnan(v))
            return NAN;
        sum += v / (double)days;
    }
    /* shares of whole periods add back to round figures */
    return round(sum * 1e9) / 1e9;
}

double kmanual_value(const kcompiled *c, size_t ki, kperiod p, const char *const *by, size_t nby,
                     const kstr *group)
{
    double exact = NAN, holding = NAN;
    for (size_t i = 0; i < c->nmanual[ki]; i++) {
        const ktarget_def *v = &c->manual[ki][i];
        size_t matched;
        kperiod q;
        char why[128];
        if (v->ndims != nby || !dims_match(v, by, nby, group, &matched) || !v->period ||
            !kperiod_parse(&c->cal, kstr_c(v->period), &q, why, sizeof why))
            continue;
        if (q.first == p.first && q.end == p.end)
            exact = v->value; /* oldest first: the last one seen is the latest */
        else if (q.first <= p.first && p.end <= q.end)
            holding = v->value;
    }
    return isnan(exact) ? holding : exact;
}

const char *kstatus_of(const kkpi *k, double value, double target, double *attainment)
{
    *attainment = NAN;
    if (isnan(value))
        return "no_data";
    if (isnan(target))
        return "no_target";
    double a = k->direction_up ? (target != 0 ? value / target : NAN)
                               : (value != 0 ? target / value : NAN);
    if (isnan(a) || !isfinite(a)) {
        /* a zero target met or missed: treat as fully met when the value is on the right side */
        bool met = k->direction_up ? value >= target : value <= target;
        return met ? "on_track" : "off_track";
    }
    *attainment = a;
    if (a >= k->on_track)
        return "on_track";
    if (a >= k->at_risk)
        return "at_risk";
    return "off_track";
}
