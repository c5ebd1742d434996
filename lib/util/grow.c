/*
 * grow.c - the one growth helper for arrays (git's ALLOC_GROW, Lua's luaM_growvector): every
 * array in the library that grows on demand grows here, so the doubling, the size arithmetic's
 * overflow checks and the failure contract (nothing changes when it fails) are written once.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

size_t kgrow_cap(size_t cap, size_t need)
{
    size_t c = cap < 8 ? 8 : cap;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    return c;
}

bool kresize(void *pp, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return false;
    void *p;
    memcpy(&p, pp, sizeof p); /* pp points at a T *: read it without assuming T */
    void *q = realloc(p, n && size ? n * size : 1);
    if (!q)
        return false;
    memcpy(pp, &q, sizeof q);
    return true;
}

bool kgrow(void *pp, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = kgrow_cap(*cap, need);
    if (!kresize(pp, c, size))
        return false;
    *cap = c;
    return true;
}
