/*
 * batch.c - the rows of one import batch in typed cells, with their text in one growable
 * buffer, handed to a store backend in one call.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

bool kbatch_init(kbatch *b, const kstream *s, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->stream = s;
    b->nfields = s->nfields;
    b->cap = cap;
    size_t ncells;
    if (!kmul_size(cap, s->nfields, &ncells))
        return false;
    b->cells = calloc(ncells ? ncells : 1, sizeof *b->cells);
    b->day = calloc(cap ? cap : 1, sizeof *b->day);
    kbuf_init(&b->text, UINT32_MAX);
    if (!b->cells || !b->day) {
        kbatch_release(b);
        return false;
    }
    return true;
}

void kbatch_release(kbatch *b)
{
    free(b->cells);
    free(b->day);
    kbuf_release(&b->text);
    b->cells = NULL;
    b->day = NULL;
    b->n = b->cap = 0;
}

void kbatch_clear(kbatch *b)
{
    b->n = 0;
    kbuf_reset(&b->text);
}

kcell *kbatch_add_row(kbatch *b, int64_t day)
{
    if (b->n == b->cap)
        return NULL;
    kcell *row = b->cells + b->n * b->nfields;
    for (size_t i = 0; i < b->nfields; i++)
        row[i] = (kcell){.i = 0, .len = 0, .null = 1};
    b->day[b->n++] = day;
    return row;
}

void kbatch_drop_row(kbatch *b)
{
    if (b->n)
        b->n--;
}

bool kbatch_reserve_text(kbatch *b, size_t n)
{
    return n <= UINT32_MAX && kbuf_reserve(&b->text, n);
}
