/*
 * cache.c - answers already computed, per worker thread: the same request at the same data
 * version (kpi_workspace_version: nothing imported or set since) and within the same hour gets
 * the same bytes, so a dashboard polling its report costs a lookup, not a query. Each worker
 * owns its cache (no lock); it is emptied when the data changes or when it is full.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

enum { SLOTS = 1024, MAX_ENTRIES = 768 };

typedef struct entry {
    char *key;
    char *body;
    size_t len;
    const char *type;
} entry;

struct kcache {
    entry slots[SLOTS];
    size_t count;
    int64_t version;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

kcache *kcache_create(void) { return calloc(1, sizeof(kcache)); }

void kcache_clear(kcache *c)
{
    for (size_t i = 0; i < SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
    }
    memset(c->slots, 0, sizeof c->slots);
    c->count = 0;
}

void kcache_destroy(kcache *c)
{
    if (c)
        kcache_clear(c);
    free(c);
}

bool kcache_fresh(kcache *c, int64_t version)
{
    if (version != c->version) {
        kcache_clear(c);
        c->version = version;
        return false;
    }
    return true;
}

static entry *find(kcache *c, const char *key)
{
    for (size_t i = hash(key) % SLOTS;; i = (i + 1) % SLOTS)
        if (!c->slots[i].key || !strcmp(c->slots[i].key, key))
            return &c->slots[i];
}

bool kcache_get(kcache *c, const char *key, kresponse *out)
{
    entry *e = find(c, key);
    if (!e->key || !(out->body = malloc(e->len + 1)))
        return false;
    memcpy(out->body, e->body, e->len + 1);
    out->len = e->len;
    out->status = 200;
    out->type = e->type;
    return true;
}

void kcache_put(kcache *c, const char *key, const kresponse *r)
{
    if (c->count >= MAX_ENTRIES)
        kcache_clear(c);
    entry *e = find(c, key);
    if (e->key)
        return;
    char *k = strdup(key), *b = malloc(r->len + 1);
    if (!k || !b) {
        free(k);
        free(b);
        return;
    }
    memcpy(b, r->body, r->len);
    b[r->len] = 0;
    *e = (entry){k, b, r->len, r->type};
    c->count++;
}
