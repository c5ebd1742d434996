/*
 * arena.c - a bump allocator for memory that dies together: a loaded config, one query,
 * one request. Chunks are chained; oversize requests get a chunk of their own.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct karena_chunk {
    karena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void karena_init(karena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
}

void karena_release(karena *a)
{
    karena_chunk *c = a->head;
    while (c) {
        karena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void *karena_alloc(karena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size)
        return NULL;
    karena_chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        size_t sz = need > a->chunk_size ? need : a->chunk_size;
        if (sz > SIZE_MAX - sizeof(karena_chunk))
            return NULL;
        karena_chunk *n = malloc(sizeof(karena_chunk) + sz);
        if (!n)
            return NULL;
        n->size = sz;
        n->used = 0;
        if (c && need > a->chunk_size) {
            /* keep the partly used chunk at the head for the next small allocations */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, size);
    return p;
}

char *karena_strndup(karena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = karena_alloc(a, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

char *karena_strdup(karena *a, const char *s)
{
    return karena_strndup(a, s, strlen(s));
}

char *karena_printf(karena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n < 0 ? NULL : karena_alloc(a, (size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
