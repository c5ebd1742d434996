/*
 * refresh.c - recomputes out-of-date cached answers in a thread of its own, so that no reader
 * waits for one. When the data changed since an answer was cached, the request that finds it
 * gets the old answer at once (stale, cache.c) and queues its recompute here; the thread runs
 * the same route with the request's path, the arguments the cache key holds and who asked,
 * then keeps the new answer. Why a thread: libmicrohttpd's pool gives each connection to one
 * worker thread, so a worker busy with a report over a million rows kept every connection it
 * owns waiting, and the reads' p99 under ingest was that report's time (bench/ingest-read.sh).
 * The queue is bounded; when it is full the request computes the answer itself.
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { QUEUE = 64 };

typedef struct job {
    char *key, *path;
    char *args[KCACHE_NARGS]; /* values of kcache_args, NULL when absent */
    kauth auth;
    char *token_strings[4]; /* the copies auth.token points to */
} job;

struct krefresher {
    kcache *cache;
    krefresh_fn compute;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t more;
    job jobs[QUEUE];
    size_t head, len;
    bool stop;
};

static void free_job(job *j)
{
    free(j->key);
    free(j->path);
    for (size_t i = 0; i < KCACHE_NARGS; i++)
        free(j->args[i]);
    for (size_t i = 0; i < 4; i++)
        free(j->token_strings[i]);
    memset(j, 0, sizeof *j);
}

static const char *job_arg(void *req, const char *name)
{
    const job *j = req;
    for (size_t i = 0; i < KCACHE_NARGS; i++)
        if (!strcmp(kcache_args[i], name))
            return j->args[i];
    return NULL;
}

/* A copy of s (NULL stays NULL); *ok false when out of memory. */
static char *copy(const char *s, bool *ok)
{
    char *c = s ? strdup(s) : NULL;
    *ok &= !s || c;
    return c;
}

/* Fills j from the request; false when out of memory (j is then freed). */
static bool make_job(job *j, const char *key, const char *path, karg_fn arg, void *req,
                     const kauth *auth)
{
    bool ok = true;
    memset(j, 0, sizeof *j);
    j->key = copy(key, &ok);
    j->path = copy(path, &ok);
    for (size_t i = 0; i < KCACHE_NARGS; i++)
        j->args[i] = copy(arg(req, kcache_args[i]), &ok);
    j->auth =
        (kauth){.open = auth->open, .token = {.id = auth->token.id, .role = auth->token.role}};
    const char *from[4] = {auth->token.name, auth->token.departments, auth->token.streams,
                           auth->token.self};
    for (size_t i = 0; i < 4; i++)
        j->token_strings[i] = copy(from[i], &ok);
    j->auth.token.name = j->token_strings[0];
    j->auth.token.departments = j->token_strings[1];
    j->auth.token.streams = j->token_strings[2];
    j->auth.token.self = j->token_strings[3];
    if (!ok)
        free_job(j);
    return ok;
}

static void *loop(void *p)
{
    krefresher *r = p;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && !r->len)
            pthread_cond_wait(&r->more, &r->mu);
        if (r->stop)
            break;
        job j = r->jobs[r->head];
        r->head = (r->head + 1) % QUEUE;
        r->len--;
        pthread_mutex_unlock(&r->mu);
        kresponse out = {0};
        int64_t version = 0, gen = 0;
        if (r->compute(r->ctx, j.path, job_arg, &j, &j.auth, &out, &version, &gen))
            kcache_put(r->cache, j.key, version, gen, &out);
        else
            kcache_abandon(r->cache, j.key);
        free(out.body);
        free_job(&j);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

krefresher *krefresh_start(kcache *cache, krefresh_fn compute, void *ctx)
{
    krefresher *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    *r = (krefresher){.cache = cache, .compute = compute, .ctx = ctx};
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->more, NULL);
    if (pthread_create(&r->thread, NULL, loop, r) != 0) {
        pthread_cond_destroy(&r->more);
        pthread_mutex_destroy(&r->mu);
        free(r);
        return NULL;
    }
    return r;
}

void krefresh_stop(krefresher *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->more);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    for (; r->len; r->len--, r->head = (r->head + 1) % QUEUE)
        free_job(&r->jobs[r->head]);
    pthread_cond_destroy(&r->more);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

bool krefresh_queue(krefresher *r, const char *key, const char *path, karg_fn arg, void *req,
                    const kauth *auth)
{
    job j;
    if (!make_job(&j, key, path, arg, req, auth))
        return false;
    pthread_mutex_lock(&r->mu);
    bool ok = r->len < QUEUE && !r->stop;
    if (ok) {
        r->jobs[(r->head + r->len) % QUEUE] = j;
        r->len++;
        pthread_cond_signal(&r->more);
    }
    pthread_mutex_unlock(&r->mu);
    if (!ok)
        free_job(&j);
    return ok;
}
