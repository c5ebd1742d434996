/*
 * cache.c - answers already computed, shared by the worker threads: the same request at the
 * same data version (the server's epoch, server.c: nothing imported or set since), the same
 * definitions and within the same hour (the key holds it) gets the same bytes, so a dashboard
 * polling its report costs a lookup, not a query.
 *
 * Why shared, and why stale answers: while an upload commits a batch every fraction of a
 * second, every answer goes out of date again and again. With one cache per worker each
 * worker recomputed every report after every batch, readers queued behind those queries and
 * the p99 of a cached report reached seconds (bench/ingest-read.sh). Now requests get the
 * previous answer, marked stale (the server says so in a header), as long as it is at most
 * KCACHE_STALE_SECONDS old, and the first of them has it recomputed in the background
 * (refresh.c); a request can refuse stale answers (Cache-Control: no-cache). Answers under
 * other definitions are never served. One mutex guards the table; entries are copied in and
 * out under it.
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SLOTS = 1024, MAX_ENTRIES = 768 };

typedef struct entry {
    char *key;
    char *body; /* NULL: the last recompute gave no answer to keep */
    size_t len;
    const char *type;
    int64_t version, gen;
    double made;       /* CLOCK_MONOTONIC seconds when computed */
    double refreshing; /* when a request began recomputing it; 0 when none is */
} entry;

struct kcache {
    pthread_mutex_t mu;
    entry slots[SLOTS];
    size_t count;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

kcache *kcache_create(void)
{
    kcache *c = calloc(1, sizeof(kcache));
    if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void clear(kcache *c)
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
    if (!c)
        return;
    clear(c);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static entry *find(kcache *c, const char *key)
{
    for (size_t i = hash(key) % SLOTS;; i = (i + 1) % SLOTS)
        if (!c->slots[i].key || !strcmp(c->slots[i].key, key))
            return &c->slots[i];
}

/* Copies e's answer into out; false when out of memory. */
static bool copy_out(const entry *e, double now, kresponse *out)
{
    if (!(out->body = malloc(e->len + 1)))
        return false;
    memcpy(out->body, e->body, e->len + 1);
    out->len = e->len;
    out->status = 200;
    out->type = e->type;
    out->cached = true;
    out->age = (int)(now - e->made);
    return true;
}

kcache_hit kcache_get(kcache *c, const char *key, int64_t version, int64_t gen, bool allow_stale,
                      kresponse *out, bool *refresh)
{
    double now = now_s();
    kcache_hit hit = KCACHE_MISS;
    *refresh = false;
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key);
    bool same = e->key && e->body && e->gen == gen;
    if (same && e->version == version) {
        hit = copy_out(e, now, out) ? KCACHE_FRESH : KCACHE_MISS;
    } else if (same && allow_stale && now - e->made < KCACHE_STALE_SECONDS) {
        hit = copy_out(e, now, out) ? KCACHE_STALE : KCACHE_MISS;
        /* the first to find it out of date has it recomputed (a recompute that never
         * ended is given up after as long) */
        *refresh = hit == KCACHE_STALE &&
                   !(e->refreshing > 0 && now - e->refreshing < KCACHE_STALE_SECONDS);
    }
    if (e->key && (hit == KCACHE_MISS || *refresh))
        e->refreshing = now; /* being recomputed: the others may get it stale meanwhile */
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void kcache_abandon(kcache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key);
    if (e->key)
        e->refreshing = 0;
    pthread_mutex_unlock(&c->mu);
}

void kcache_put(kcache *c, const char *key, int64_t version, int64_t gen, const kresponse *r)
{
    char *b = NULL;
    if (r->status == 200 && r->body && (b = malloc(r->len + 1))) {
        memcpy(b, r->body, r->len);
        b[r->len] = 0;
    }
    double now = now_s();
    pthread_mutex_lock(&c->mu);
    if (c->count >= MAX_ENTRIES)
        clear(c);
    entry *e = find(c, key);
    if (!e->key) { /* a new key: only with an answer to keep */
        if (!b || !(e->key = strdup(key))) {
            pthread_mutex_unlock(&c->mu);
            free(b);
            return;
        }
        c->count++;
    } else if (e->body && e->gen == gen && e->version > version) { /* a newer one is in */
        e->refreshing = 0;
        pthread_mutex_unlock(&c->mu);
        free(b);
        return;
    }
    free(e->body);
    *e = (entry){e->key, b, b ? r->len : 0, r->type, version, gen, now, 0};
    pthread_mutex_unlock(&c->mu);
}
