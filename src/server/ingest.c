/*
 * ingest.c - POST /api/v1/streams/{stream}/events: a CSV or NDJSON body streamed through the
 * normal import path (kpi_import_reader) as it arrives, without holding the body in memory.
 * libmicrohttpd pushes the body in chunks while the import pulls its input, so the import runs
 * in a thread of its own, on its own workspace handle, reading a pipe that the request handler
 * writes: a slow import slows the upload down instead of filling memory. Validation, reject
 * files, batches and idempotency are the import's own, exactly as for `kpi import`.
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
    int fd[2]; /* the body: written by the handler, read by the import */
    pthread_t thread;
    volatile int cancel;
    kpi_status status;
    char error[1024];
    kpi_import_result result;
    reject_row rejects[FIRST_REJECTS];
    size_t nrejects;
};

static ptrdiff_t read_pipe(void *ctx, char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(*(int *)ctx, buf, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
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
        g->status = kpi_import_reader(ws, g->stream, "request body", read_pipe, &g->fd[0], 0, &o,
                                      &g->result);
    }
    if (g->status != KPI_OK && ws)
        kpi_error_format(kpi_workspace_error(ws), g->error, sizeof g->error);
    else if (g->status != KPI_OK)
        snprintf(g->error, sizeof g->error, "out of memory");
    kpi_workspace_destroy(ws);
    /* drain what the handler still sends, so that its writes never block on a dead reader */
    char sink[65536];
    while (read_pipe(&g->fd[0], sink, sizeof sink) > 0)
        ;
    return NULL;
}

kingest *kingest_start(const char *dir, int64_t now_us, const char *stream, kpi_format format)
{
    kingest *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->dir = strdup(dir);
    g->stream = strdup(stream);
    g->now_us = now_us;
    g->format = format;
    g->fd[0] = g->fd[1] = -1;
    if (!g->dir || !g->stream || pipe(g->fd) != 0 ||
        pthread_create(&g->thread, NULL, run_import, g) != 0) {
        if (g->fd[0] >= 0) {
            close(g->fd[0]);
            close(g->fd[1]);
        }
        free(g->dir);
        free(g->stream);
        free(g);
        return NULL;
    }
    return g;
}

bool kingest_write(kingest *g, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(g->fd[1], data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
    }
    return true;
}

/* The answer to an import that stopped (why: the reason, or the library's message): its
 * status, and how many rows the batches committed before it stored, as they stay stored. */
static void stopped(kingest *g, const char *why, kresponse *out)
{
    char msg[1536];
    const kpi_import_result *res = &g->result;
    snprintf(msg, sizeof msg, "%s; %llu rows were stored before it stopped (%llu batches)%s",
             why ? why : g->error, (unsigned long long)res->accepted,
             (unsigned long long)res->batches,
             res->accepted ? ": send only the rest, or a stream without an id counts them twice"
                           : "");
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
        json_array_append_new(rows, json_pack("{s:I, s:I, s:o, s:o, s:o}", "line",
                                              (json_int_t)r->line, "column",
                                              (json_int_t)r->column, "field", safe_string(r->field),
                                              "value", safe_string(r->value), "reason",
                                              safe_string(r->reason)));
    }
    kpi_import_result *res = &g->result;
    json_t *o = json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:s?, s:o}", "stream", g->stream,
                          "id", g->id_field, "accepted", (json_int_t)res->accepted, "rejected",
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
    if (why)
        g->cancel = 1;
    close(g->fd[1]);
    pthread_join(g->thread, NULL);
    close(g->fd[0]);
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
