/*
 * rng.c - the demo's random numbers: xoshiro256** (Blackman and Vigna), seeded through
 * splitmix64 from the seed and a label, so that a seed gives the same company everywhere and
 * each part of the generator draws from a stream of its own.
 */
#include "demo.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void krng_seed(krng *r, uint64_t seed, const char *label)
{
    uint64_t x = seed ^ 0x6b70692d64656d6fULL; /* "kpi-demo" */
    for (const char *p = label; *p; p++)       /* FNV-1a of the label */
        x = (x ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t krng_next(krng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double krng_u01(krng *r)
{
    return (double)(krng_next(r) >> 11) * 0x1.0p-53;
}

bool krng_chance(krng *r, double p)
{
    return krng_u01(r) < p;
}

int64_t krng_range(krng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)(krng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Box-Muller; the second value is dropped to keep the state simple. */
double krng_normal(krng *r, double mean, double sd)
{
    double u = krng_u01(r);
    double v = krng_u01(r);
    if (u < 1e-300)
        u = 1e-300;
    return mean + sd * sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

double krng_lognormal(krng *r, double median, double sigma)
{
    return median * exp(krng_normal(r, 0, sigma));
}

/* Knuth's product method for small means, a rounded normal for large ones (>= 30), where the
 * two agree closely enough for simulated business volumes. */
int64_t krng_poisson(krng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda >= 30) {
        double x = krng_normal(r, lambda, sqrt(lambda));
        return x < 0 ? 0 : (int64_t)llround(x);
    }
    double l = exp(-lambda), p = 1.0;
    int64_t k = 0;
    do {
        k++;
        p *= krng_u01(r);
    } while (p > l);
    return k - 1;
}

size_t krng_pick(krng *r, const double *weights, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    double x = krng_u01(r) * total;
    for (size_t i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}
