/*
 * ingest.c - POST /api/v1/streams/{stream}/events: a CSV or NDJSON body streamed through the
 * normal import path (kpi_import_reader) as it arrives, without holding the body in memory.
 * libmicrohttpd pushes the body in chunks while the import pulls its input, so the import runs
 * in a thread of its own, on its own workspace handle, reading a bounded queue that the request
 * handler fills. The handler never blocks: when the queue is full it pauses its connection
 * (the server suspends it) and the import resumes it once it has read half, so that a slow
 * import slows the upload down instead of filling memory, and the server thread that carries
 * the upload goes on answering its other connections (readers are not starved by an ingest).
 * Validation, reject files, batches and idempotency are the import's own, as for `kpi import`.
 */
#include "server.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FIRST_REJECTS = 10 };

typedef struct reject_row {
    unsigned long line, column;
    char *field, *value, *reason;
} reject_row;

struct kingest {
    char *dir, *stream;
    char *id_field; /* the stream's id field, NULL when it has none */
    int64_t now_us;
    kpi_format format;
    /* the body, written by the handler and read by the import, under mu */
    pthread_mutex_t mu;
    pthread_cond_t more;
    char *buf;
    size_t head, len, cap; /* unread bytes buf[head, head + len) */
    bool ended;            /* the body is complete (or abandoned) */
    bool done;             /* the import has returned: later bytes are dropped */
    bool paused;           /* the handler's connection waits for room (or the end) */
    void (*resume)(void *ctx);
    void *resume_ctx;
    pthread_t thread;
    volatile int cancel;
    kpi_status status;
    char error[1024];
    kpi_import_result result;
    reject_row rejects[FIRST_REJECTS];
    size_t nrejects;
};

enum { QUEUE_BYTES = 4 << 20 };

/* Wakes the paused handler (mu held). */
static void wake(kingest *g)
{
    if (g->paused) {
        g->paused = false;
        g->resume(g->resume_ctx);
    }
}

/* The import's read: waits for bytes or the end of the body; resumes the handler once half
 * the queue is free. */
static ptrdiff_t read_queue(void *ctx, char *buf, size_t cap)
{
    kingest *g = ctx;
    pthread_mutex_lock(&g->mu);
    while (!g->len && !g->ended)
        pthread_cond_wait(&g->more, &g->mu);
    size_t n = g->len < cap ? g->len : cap;
    memcpy(buf, g->buf + g->head, n);
    g->head += n;
    g->len -= n;
    if (g->len < QUEUE_BYTES / 2 && !g->ended)
        wake(g);
    pthread_mutex_unlock(&g->mu);
    return (ptrdiff_t)n;
}

static void on_reject(void *ctx, unsigned long line, unsigned long column, const char *field,
                      const char *value, const char *reason)
{
    kingest *g = ctx;
    if (g->nrejects == FIRST_REJECTS)
        return;
    reject_row *r = &g->rejects[g->nrejects++];
    *r = (reject_row){line, column, strdup(field ? field : ""), strdup(value ? value : ""),
                      strdup(reason ? reason : "")};
}

static void *run_import(void *arg)
{
    kingest *g = arg;
    kpi_workspace *ws;
    g->status = kpi_workspace_open(g->dir, &ws);
    if (g->status == KPI_OK) {
        if (g->now_us)
            kpi_workspace_set_now(ws, g->now_us);
        kpi_import_options o;
        kpi_import_options_init(&o);
        o.format = g->format;
        o.cancel = &g->cancel;
        o.rejected = on_reject;
        o.ctx = g;
        for (size_t i = 0; i < kpi_stream_count(ws); i++) {
            kpi_stream_info si;
            if (kpi_stream_def_get(ws, i, &si) == KPI_OK && !strcmp(si.name, g->stream) &&
                si.id_field)
                g->id_field = strdup(si.id_field);
        }
        g->status =
            kpi_import_reader(ws, g->stream, "request body", read_queue, g, 0, &o, &g->result);
    }
    if (g->status != KPI_OK && ws)
        kpi_error_format(kpi_workspace_error(ws), g->error, sizeof g->error);
    else if (g->status != KPI_OK)
        snprintf(g->error, sizeof g->error, "out of memory");
    kpi_workspace_destroy(ws);
    /* what the handler still sends is dropped; a handler waiting for room or the end goes on */
    pthread_mutex_lock(&g->mu);
    g->done = true;
    g->len = 0;
    wake(g);
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

kingest *kingest_start(const char *dir, int64_t now_us, const char *stream, kpi_format format,
                       void (*resume)(void *ctx), void *resume_ctx)
{
    kingest *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->dir = strdup(dir);
    g->stream = strdup(stream);
    g->now_us = now_us;
    g->format = format;
    g->resume = resume;
    g->resume_ctx = resume_ctx;
    g->cap = QUEUE_BYTES + (1 << 20);
    g->buf = malloc(g->cap);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->more, NULL);
    if (!g->dir || !g->stream || !g->buf || pthread_create(&g->thread, NULL, run_import, g) != 0) {
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->more);
        free(g->buf);
        free(g->dir);
        free(g->stream);
        free(g);
        return NULL;
    }
    return g;
}

/* Makes room for n more bytes: the unread ones moved to the front, the buffer grown when a
 * chunk is larger than what is free (mu held). */
static bool room(kingest *g, size_t n)
{
    if (g->head) {
        memmove(g->buf, g->buf + g->head, g->len);
        g->head = 0;
    }
    if (g->len + n <= g->cap)
        return true;
    char *grown = realloc(g->buf, g->len + n);
    if (!grown)
        return false;
    g->buf = grown;
    g->cap = g->len + n;
    return true;
}

bool kingest_write(kingest *g, const char *data, size_t n, void (*pause)(void *ctx), void *ctx)
{
    bool paused = false;
    pthread_mutex_lock(&g->mu);
    if (!g->done && room(g, n)) {
        memcpy(g->buf + g->head + g->len, data, n);
        g->len += n;
        pthread_cond_signal(&g->more);
        if (g->len >= QUEUE_BYTES) { /* full: wait for the import to read half */
            pause(ctx);
            paused = g->paused = true;
        }
    }
    pthread_mutex_unlock(&g->mu);
    return paused;
}

bool kingest_end(kingest *g, bool cancel, void (*pause)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&g->mu);
    if (cancel)
        g->cancel = 1;
    g->ended = true;
    pthread_cond_signal(&g->more);
    bool wait = !g->done;
    if (wait) {
        pause(ctx);
        g->paused = true;
    }
    pthread_mutex_unlock(&g->mu);
    return wait;
}

/* The answer to an import that stopped (why: the reason, or the library's message): its
 * status, and how many rows the batches committed before it stored, as they stay stored. */
static void stopped(kingest *g, const char *why, kresponse *out)
{
    char msg[1536];
    const kpi_import_result *res = &g->result;
    snprintf(
        msg, sizeof msg, "%s; %llu rows were stored before it stopped (%llu batches)%s",
        why ? why : g->error, (unsigned long long)res->accepted, (unsigned long long)res->batches,
        res->accepted ? ": send only the rest, or a stream without an id counts them twice" : "");
    kresponse_error(out, kstatus_http(g->status), msg);
    json_t *o = out->body ? json_loads(out->body, 0, NULL) : NULL;
    json_object_set_new(o, "stored", json_integer((json_int_t)res->accepted));
    json_object_set_new(o, "batches", json_integer((json_int_t)res->batches));
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (body) {
        free(out->body);
        out->body = body;
        out->len = strlen(body);
    }
}

/* A JSON string of text from the body (any bytes, made valid UTF-8). */
static json_t *safe_string(const char *s)
{
    char buf[1024];
    ksafe_text(s, false, buf, sizeof buf);
    return json_string(buf);
}

/* The answer to an import that ran to the end: its counts and first rejected rows. */
static void finished(kingest *g, kresponse *out)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < g->nrejects; i++) {
        reject_row *r = &g->rejects[i];
        json_array_append_new(
            rows, json_pack("{s:I, s:I, s:o, s:o, s:o}", "line", (json_int_t)r->line, "column",
                            (json_int_t)r->column, "field", safe_string(r->field), "value",
                            safe_string(r->value), "reason", safe_string(r->reason)));
    }
    kpi_import_result *res = &g->result;
    json_t *o = json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:s?, s:o}", "stream", g->stream, "id",
                          g->id_field, "accepted", (json_int_t)res->accepted, "rejected",
                          (json_int_t)res->rejected, "duplicates", (json_int_t)res->duplicates,
                          "batches", (json_int_t)res->batches, "rejects_file",
                          res->rejected ? res->rejects_path : NULL, "first_rejected", rows);
    /* every row refused is a bad request; some refused, a partial success */
    out->status = res->accepted == 0 && res->rejected > 0 ? 400 : 200;
    out->type = "application/json";
    out->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    json_decref(o);
}

void kingest_finish(kingest *g, const char *why, kresponse *out)
{
    pthread_mutex_lock(&g->mu);
    if (why)
        g->cancel = 1;
    g->ended = true;
    g->paused = false; /* nobody to resume any more */
    pthread_cond_signal(&g->more);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->more);
    free(g->buf);
    if (out && g->status != KPI_OK)
        stopped(g, g->status == KPI_CANCELLED ? why : NULL, out);
    else if (out)
        finished(g, out);
    for (size_t i = 0; i < g->nrejects; i++) {
        free(g->rejects[i].field);
        free(g->rejects[i].value);
        free(g->rejects[i].reason);
    }
    free(g->dir);
    free(g->stream);
    free(g->id_field);
    free(g);
}
