/*
 * tap.h - the unit-test harness: each tests/unit/test_*.c is its own program that runs its
 * tests with RUN() and prints "ok N - name" / "not ok N - name" lines; tests/run.sh adds the
 * lines of every program into the one final "N passed, N failed".
 */
#ifndef KPI_TAP_H
#define KPI_TAP_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_cur_failed;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
            tap_cur_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                 \
    do {                                                                                   \
        long long tap_a = (long long)(a), tap_b = (long long)(b);                          \
        if (tap_a != tap_b) {                                                              \
            printf("#   %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, #b, tap_a, \
                   tap_b);                                                                 \
            tap_cur_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                                    \
    do {                                                                                   \
        const char *tap_a = (a), *tap_b = (b);                                             \
        if (!tap_a || !tap_b || strcmp(tap_a, tap_b) != 0) {                               \
            printf("#   %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b,   \
                   tap_a ? tap_a : "(null)", tap_b ? tap_b : "(null)");                   \
            tap_cur_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

/* Checks that haystack contains needle. */
#define CHECK_CONTAINS(hay, needle)                                                        \
    do {                                                                                   \
        const char *tap_h = (hay), *tap_s = (needle);                                      \
        if (!tap_h || !strstr(tap_h, tap_s)) {                                             \
            printf("#   %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__,       \
                   tap_h ? tap_h : "(null)", tap_s);                                       \
            tap_cur_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

#define RUN(fn)                                                                            \
    do {                                                                                   \
        tap_cur_failed = 0;                                                                \
        fn();                                                                              \
        tap_n++;                                                                           \
        if (tap_cur_failed)                                                                \
            tap_failed++;                                                                  \
        printf("%s %d - %s\n", tap_cur_failed ? "not ok" : "ok", tap_n, #fn);              \
        fflush(stdout);                                                                    \
    } while (0)

static inline int tap_done(void) { return tap_failed ? 1 : 0; }

/* The next value of a fixed-seed generator (a 64-bit LCG), for random but repeatable cases. */
static inline uint64_t tap_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state;
}

#endif
