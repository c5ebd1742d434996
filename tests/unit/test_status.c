/*
 * test_status.c - the status and attainment of a value against a target (lib/engine/targets.c,
 * DESIGN §1 Target) for every sign of value and target, both directions, and a target of 0: a
 * worse value is never shown as better, neither in its status nor in its attainment.
 */
#include "../tap.h"
#include "engine/engine.h"

#include <math.h>

static int rank_of(const char *status)
{
    static const char *const order[] = {"off_track", "at_risk", "on_track"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(status, order[i]))
            return i;
    return -1;
}

static kkpi kpi_of(bool up)
{
    kkpi k = {0};
    k.direction_up = up;
    k.at_risk = 0.9;
    k.on_track = 1;
    return k;
}

static const char *status(bool up, double value, double target, double *attainment)
{
    kkpi k = kpi_of(up);
    return kstatus_of(&k, value, target, attainment);
}

#define CHECK_STATUS(up, value, target, want_status, want_attainment)                              \
    do {                                                                                           \
        double a_;                                                                                 \
        CHECK_STR(status((up), (value), (target), &a_), (want_status));                            \
        double w_ = (want_attainment);                                                             \
        if (isnan(w_) ? !isnan(a_) : !(fabs(a_ - w_) < 1e-12)) {                                   \
            printf("#   %s:%d: attainment %.17g, expected %.17g\n", __FILE__, __LINE__, a_, w_);   \
            tap_cur_failed = 1;                                                                    \
        }                                                                                          \
    } while (0)

/* The cases: an NPS, a profit, and each sign combination in both directions. */
static void test_signs(void)
{
    /* NPS -50 against -10 (up) is far worse: attainment 1 + (-40) / 10 */
    CHECK_STATUS(true, -50, -10, "off_track", -3);
    CHECK_STATUS(true, 25, -10, "on_track", 4.5);
    CHECK_STATUS(true, -11, -10, "at_risk", 0.9);
    CHECK_STATUS(true, -10, -10, "on_track", 1);
    /* a loss of 3,000 against a target loss of 1,000 */
    CHECK_STATUS(true, -3000, -1000, "off_track", -1);
    CHECK_STATUS(true, -500, -1000, "on_track", 1.5);
    /* positive target, up: value / target for any sign of the value */
    CHECK_STATUS(true, 50, 100, "off_track", 0.5);
    CHECK_STATUS(true, -50, 100, "off_track", -0.5);
    CHECK_STATUS(true, 95, 100, "at_risk", 0.95);
    /* positive target, down: target / value; at or below 0, better than any ratio says */
    CHECK_STATUS(false, 200, 100, "off_track", 0.5);
    CHECK_STATUS(false, 50, 100, "on_track", 2);
    CHECK_STATUS(false, 0, 100, "on_track", NAN);
    CHECK_STATUS(false, -5, 100, "on_track", NAN);
    /* negative target, down (a variance to keep under -10): 1 + (target - value) / |target| */
    CHECK_STATUS(false, -20, -10, "on_track", 2);
    CHECK_STATUS(false, -9, -10, "at_risk", 0.9);
    CHECK_STATUS(false, 5, -10, "off_track", -0.5);
    /* a target of 0 has no scale: the side of it decides, no attainment */
    CHECK_STATUS(true, 3, 0, "on_track", NAN);
    CHECK_STATUS(true, 0, 0, "on_track", NAN);
    CHECK_STATUS(true, -3, 0, "off_track", NAN);
    CHECK_STATUS(false, -3, 0, "on_track", NAN);
    CHECK_STATUS(false, 3, 0, "off_track", NAN);
    /* nothing to judge */
    CHECK_STATUS(true, NAN, 10, "no_data", NAN);
    CHECK_STATUS(true, 5, NAN, "no_target", NAN);
}

/* Sweeps values from worse to better for targets of each sign: the status never falls, nor does
 * a defined attainment (where both are defined, one after the other). */
static void test_never_better_when_worse(void)
{
    const double targets[] = {-1000, -10, -0.5, 0, 0.5, 10, 1000};
    for (int up = 0; up < 2; up++)
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            int prev_rank = -1;
            double prev_a = NAN;
            for (int i = -4000; i <= 4000; i++) {
                double v = (up ? i : -i) * 0.5; /* worse to better */
                double a;
                const char *s = status(up, v, targets[t], &a);
                int r = rank_of(s);
                if (r < prev_rank || (!isnan(a) && !isnan(prev_a) && a < prev_a)) {
                    printf("#   %s, target %g: value %g is better than the last, shown worse "
                           "(%s, %g after %g)\n",
                           up ? "up" : "down", targets[t], v, s, a, prev_a);
                    tap_cur_failed = 1;
                    break;
                }
                prev_rank = r;
                prev_a = isnan(a) ? prev_a : a;
            }
        }
}

int main(void)
{
    RUN(test_signs);
    RUN(test_never_better_when_worse);
    return tap_done();
}
