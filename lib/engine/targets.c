/*
 * targets.c - which target applies to a KPI for a period and group, and the status it gives.
 *
 * A target is a value for every period, for one period (of any grain), and optionally for
 * breakdown values (a rep's quota); it belongs to exactly the series it was set for (the
 * company's target is not each region's). A target for a named period wins over one for every
 * period, a shorter period over a longer. For a KPI that adds up (sums and counts), a target is
 * a quantity spread evenly over the days of its period — a quarterly goal gives each month its
 * share, a monthly target for a 10-day slice gives 10 days' worth — and a target for every
 * period is per review period (the KPI's grain); the targets of a period's parts (the months of
 * a quarter) shape what is expected of it to date. For any other KPI (ratios, percentages,
 * averages, snapshot levels) a target is a level, taken as it is.
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

/* The period target t is set for that holds `day` (its own, or the review period of the KPI's
 * grain for a target "for every period"); false when t is for a period that does not hold it. */
static bool target_period(const ktarget_ctx *c, const ktarget_def *t, int64_t day, kperiod *p)
{
    if (!t->period) {
        *p = kperiod_of(c->cal, c->grain, day);
        return true;
    }
    char why[128];
    return kperiod_parse(c->cal, kstr_c(t->period), p, why, sizeof why) && day >= p->first &&
           day < p->end;
}

/*
 * The target that applies to the days [first, end) as a whole: one set for exactly the scope
 * of the series (a target belongs to the series it was set for: the company's is not each
 * region's, a region's not each of its reps'), for a period holding all those days. A named
 * period wins over "every period", a shorter one over a longer (a month's target over its
 * quarter's share), then `kpi targets` over kpi.yaml. *days gets the length of its period.
 */
static const ktarget_def *target_over(const ktarget_ctx *c, int64_t first, int64_t end,
                                      int64_t *days)
{
    const kkpi *k = c->kpi;
    const ktarget_def *best = NULL;
    int64_t best_len = 0;
    bool best_named = false, best_stored = false;
    for (size_t i = 0; i < k->ntargets + c->nstored; i++) {
        bool stored = i >= k->ntargets;
        const ktarget_def *t = stored ? &c->stored[i - k->ntargets] : &k->targets[i];
        size_t matched;
        kperiod p;
        if (t->ndims != c->nby || !dims_match(t, c->by, c->nby, c->group, &matched) ||
            !target_period(c, t, first, &p) || end > p.end)
            continue;
        int64_t len = p.end - p.first;
        bool named = t->period != NULL;
        bool better = !best || (named != best_named ? named
                                : len != best_len   ? len < best_len
                                                    : stored >= best_stored);
        if (better) {
            best = t;
            best_len = len;
            best_named = named;
            best_stored = stored;
        }
    }
    *days = best_len;
    return best;
}

/* The day's share of the finest additive target in force on it; NaN when none. */
static double share_on(const ktarget_ctx *c, int64_t day)
{
    int64_t days;
    const ktarget_def *t = target_over(c, day, day + 1, &days);
    return t ? t->value / (double)days : NAN;
}

double ktarget_for(const ktarget_ctx *c, int64_t first, int64_t end)
{
    if (first >= end)
        return NAN;
    int64_t days;
    const ktarget_def *t = target_over(c, first, c->additive ? end : first + 1, &days);
    if (!c->additive || t) {
        if (!t)
            return NAN;
        /* a quantity's share of its period by days; a level as it is */
        double v = c->additive ? t->value * (double)(end - first) / (double)days : t->value;
        return round(v * 1e9) / 1e9;
    }
    /* no target spans the days: add up the days' shares of the targets of their parts */
    double sum = 0;
    for (int64_t d = first; d < end && !isnan(sum); d++)
        sum += share_on(c, d);
    /* shares of whole periods add back to round figures */
    return round(sum * 1e9) / 1e9;
}

double ktarget_share_to_date(const ktarget_ctx *c, int64_t first, int64_t end, double days,
                             double even)
{
    if (!c->additive)
        return 1;
    double total = 0, done = 0;
    bool mixed = false;
    for (int64_t d = first; d < end; d++) {
        double w = share_on(c, d);
        if (isnan(w))
            return even;
        mixed |= total != 0 && (w < 0) != (total < 0);
        total += w;
        double gone = days - (double)(d - first);
        done += gone >= 1 ? w : gone > 0 ? w * gone : 0;
    }
    /* weights of both signs or none at all say nothing about the period's shape */
    return total == 0 || mixed ? even : done / total;
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

/*
 * The status of a value against a target, for any sign (DESIGN §1, Target). Where both are
 * positive, attainment is value / target (direction up) or target / value (down). Otherwise it
 * is 1 + d / |target|, d being the distance from the target in the KPI's direction (value -
 * target when up, target - value when down): the same as value / target for up with a positive
 * target, and linear in the value, so a worse value never gets a better attainment or status.
 * The bands apply to that attainment. A target of 0 has no scale: on_track when the value is on
 * the right side (or on it), off_track otherwise, no attainment. A down KPI at or below zero
 * against a positive target beats it by more than any ratio can say: on_track, no attainment.
 */
/* Does attainment a reach band? Within 12 digits: the rounding noise of a projection (elapsed
 * time in microseconds) must not make a value exactly on pace read as at risk. */
static bool meets(double a, double band)
{
    return a >= band - 1e-12 * fabs(band);
}

const char *kstatus_of(const kkpi *k, double value, double target, double *attainment)
{
    *attainment = NAN;
    if (isnan(value))
        return "no_data";
    if (isnan(target))
        return "no_target";
    double d = k->direction_up ? value - target : target - value;
    double a;
    if (target > 0 && (k->direction_up || value > 0))
        a = k->direction_up ? value / target : target / value;
    else if (target < 0)
        a = 1 + d / -target;
    else /* a target of 0, or a down KPI at or below 0 against a positive target */
        return d >= 0 ? "on_track" : "off_track";
    if (!isfinite(a))
        return d >= 0 ? "on_track" : "off_track";
    *attainment = a;
    if (meets(a, k->on_track))
        return "on_track";
    if (meets(a, k->at_risk))
        return "at_risk";
    return "off_track";
}
