/*
 * test_grow.c - the growth helper (KGROW, KRESIZE, kgrow_cap): doubling from 8, keeping items
 * across growth, and refusing sizes whose byte count overflows without touching the array.
 */
#include "util/util.h"

#include <stdlib.h>

#include "../tap.h"

static void test_caps(void)
{
    CHECK_EQ_INT(kgrow_cap(0, 1), 8);
    CHECK_EQ_INT(kgrow_cap(0, 9), 16);
    CHECK_EQ_INT(kgrow_cap(8, 9), 16);
    CHECK_EQ_INT(kgrow_cap(16, 100), 128);
    CHECK(kgrow_cap(SIZE_MAX / 2 + 1, SIZE_MAX) == SIZE_MAX); /* no wrap to a smaller size */
}

static void test_grow_keeps_items(void)
{
    int *a = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK(KGROW(a, cap, n + 1));
        a[n++] = i;
    }
    CHECK_EQ_INT(cap, 1024);
    long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += a[i];
    CHECK_EQ_INT(sum, 999 * 1000 / 2);
    CHECK(KGROW(a, cap, 10)); /* room already: nothing changes */
    CHECK_EQ_INT(cap, 1024);
    free(a);
}

static void test_overflow_leaves_array(void)
{
    double *a = NULL;
    size_t cap = 0;
    CHECK(KGROW(a, cap, 3));
    double *before = a;
    a[0] = 1.5;
    CHECK(!KGROW(a, cap, SIZE_MAX / sizeof *a + 1)); /* bytes overflow size_t */
    CHECK(a == before);
    CHECK_EQ_INT(cap, 8);
    CHECK(!KRESIZE(a, SIZE_MAX / 4));
    CHECK(a == before && a[0] == 1.5);
    CHECK(KRESIZE(a, 2));
    CHECK(a[0] == 1.5);
    free(a);
}

int main(void)
{
    RUN(test_caps);
    RUN(test_grow_keeps_items);
    RUN(test_overflow_leaves_array);
    return tap_done();
}
