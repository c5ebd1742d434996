/*
 * hashmap.c - a small string-to-integer map with open addressing (FNV-1a hashes, linear
 * probing), for interning breakdown groups and similar lookups on hot paths.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct kmap_slot {
    const char *key; /* NULL: empty */
    size_t n;
    uint64_t hash;
    long value;
};

static uint64_t hash(kstr k)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < k.n; i++)
        h = (h ^ (unsigned char)k.p[i]) * 1099511628211ULL;
    return h;
}

void kmap_init(kmap *m)
{
    memset(m, 0, sizeof *m);
    karena_init(&m->keys, 0);
}

void kmap_release(kmap *m)
{
    free(m->slots);
    karena_release(&m->keys);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static struct kmap_slot *find(const kmap *m, kstr key, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct kmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->n == key.n && memcmp(s->key, key.p, key.n) == 0))
            return s;
    }
}

long kmap_get(const kmap *m, kstr key)
{
    if (!m->cap)
        return -1;
    struct kmap_slot *s = find(m, key, hash(key));
    return s->key ? s->value : -1;
}

static bool grow(kmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct kmap_slot *old = m->slots, *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    size_t old_cap = m->cap;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            *find(m, (kstr){old[i].key, old[i].n}, old[i].hash) = old[i];
    free(old);
    return true;
}

long kmap_put(kmap *m, kstr key, long value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return -1;
    uint64_t h = hash(key);
    struct kmap_slot *s = find(m, key, h);
    if (s->key)
        return s->value;
    char *k = karena_strndup(&m->keys, key.p ? key.p : "", key.n);
    if (!k)
        return -1;
    *s = (struct kmap_slot){k, key.n, h, value};
    m->count++;
    return value;
}
