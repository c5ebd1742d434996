/*
 * writer.c - the batch writer: a second thread that commits full batches to the store while the
 * import goes on parsing the next one. Two batches alternate: the reader fills one while the
 * writer commits the other, so parsing and SQLite's work overlap on two cores. Each batch is
 * still one transaction; the store is touched by the writer thread only.
 */
#include "import.h"

#include <pthread.h>
#include <stdlib.h>

struct kwriter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    kmeta *meta;
    kstore *store;
    kpi_import_result *res;
    kbatch *job; /* the batch to commit, NULL when idle */
    bool quit;
    kpi_status status; /* of the last batch */
    kpi_error err;
};

static kpi_status commit(kwriter *w, kbatch *b)
{
    uint64_t inserted = 0;
    kpi_status rc = kmeta_begin(w->meta, &w->err);
    if (rc == KPI_OK)
        rc = kstore_append(w->store, b, &inserted, &w->err);
    if (rc == KPI_OK)
        rc = kmeta_commit(w->meta, &w->err);
    if (rc != KPI_OK) {
        kmeta_rollback(w->meta);
        return rc;
    }
    w->res->accepted += inserted;
    w->res->duplicates += b->n - inserted;
    w->res->batches++;
    return KPI_OK;
}

static void *run(void *arg)
{
    kwriter *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->job && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->job)
            break;
        kbatch *b = w->job;
        pthread_mutex_unlock(&w->mu);
        kpi_status rc = commit(w, b);
        pthread_mutex_lock(&w->mu);
        w->status = rc;
        w->job = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

kpi_status kwriter_start(kwriter **out, kmeta *meta, kstore *st, kpi_import_result *res,
                         kpi_error *err)
{
    kwriter *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    w->meta = meta;
    w->store = st;
    w->res = res;
    kpi_error_init(&w->err);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return kerr_set(err, KPI_NOMEM, "cannot start the import's writer thread");
    }
    *out = w;
    return KPI_OK;
}

kpi_status kwriter_wait(kwriter *w, kpi_error *err)
{
    pthread_mutex_lock(&w->mu);
    while (w->job)
        pthread_cond_wait(&w->cv, &w->mu);
    kpi_status rc = w->status;
    pthread_mutex_unlock(&w->mu);
    if (rc != KPI_OK && err)
        *err = w->err;
    return rc;
}

kpi_status kwriter_submit(kwriter *w, kbatch *b, kpi_error *err)
{
    kpi_status rc = kwriter_wait(w, err);
    if (rc != KPI_OK)
        return rc;
    pthread_mutex_lock(&w->mu);
    w->job = b;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return KPI_OK;
}

void kwriter_stop(kwriter *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
