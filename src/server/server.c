/*
 * server.c - the daemon of `kpi serve`, on libmicrohttpd: a pool of worker threads polling with
 * epoll, keep-alive, an access log, and a graceful shutdown on SIGTERM or SIGINT (stop
 * accepting, let the requests in flight finish, then stop).
 *
 * A workspace handle is not shared between threads: each worker opens its own on its first
 * request (kept in thread-specific data with the worker's cache of answers, closed when the
 * thread ends), so that requests run in parallel without locks; SQLite in WAL mode lets them
 * all read while an import writes.
 */
#include "server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct server {
    const kserve_options *o;
    pthread_key_t ws_key;
    FILE *log;
    pthread_mutex_t log_mu;
    int active; /* requests between their first byte and their last (atomic) */
    kmetrics_cache *metrics;
} server;

/* Per request: when it started, what was answered (for the access log); for an upload, the
 * import it feeds. */
typedef struct request_state {
    struct timespec t0;
    unsigned status;
    size_t bytes;
    char path[256];
    char method[16];
    kingest *ingest;
    uint64_t received;
    bool too_big;
} request_state;

/* What a worker thread keeps: its workspace handle and its cache of answers. */
typedef struct worker {
    kpi_workspace *ws;
    kcache *cache;
} worker;

static void close_worker(void *p)
{
    worker *w = p;
    kpi_workspace_destroy(w->ws);
    kcache_destroy(w->cache);
    free(w);
}

static kpi_workspace *thread_workspace(server *s, char *msg, size_t cap);

/* This thread's worker, made on first use; NULL with msg set when it cannot be. */
static worker *thread_worker(server *s, char *msg, size_t cap)
{
    worker *w = pthread_getspecific(s->ws_key);
    if (w)
        return w;
    kpi_workspace *ws = thread_workspace(s, msg, cap);
    if (!ws)
        return NULL;
    if (!(w = calloc(1, sizeof *w)) || !(w->cache = kcache_create())) {
        free(w);
        kpi_workspace_destroy(ws);
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    w->ws = ws;
    pthread_setspecific(s->ws_key, w);
    return w;
}

/* A workspace handle for this thread, opened now; NULL with msg set when it cannot be. */
static kpi_workspace *thread_workspace(server *s, char *msg, size_t cap)
{
    kpi_workspace *ws;
    if (kpi_workspace_open(s->o->workspace, &ws) != KPI_OK) {
        if (ws) {
            kpi_error_format(kpi_workspace_error(ws), msg, cap);
            kpi_workspace_destroy(ws);
        } else {
            snprintf(msg, cap, "out of memory");
        }
        return NULL;
    }
    if (s->o->now_us)
        kpi_workspace_set_now(ws, s->o->now_us);
    return ws;
}

/* The cache key of a GET: the path, every argument an endpoint reads, who asks (the token's
 * scope decides the answer) and the hour (the open period moves with the clock). */
static bool cache_key(struct MHD_Connection *conn, const char *url, const kauth *a, char *key,
                      size_t cap)
{
    static const char *const args[] = {"kpi", "period", "from", "to", "grain",
                                       "by",  "where",  "department", "n"};
    size_t n = (size_t)snprintf(key, cap, "%s|%d|%s|%s|%s|%lld", url, a->open ? -1 : (int)a->token.role,
                                a->open ? "" : a->token.departments,
                                a->open ? "" : a->token.self, a->open ? "" : a->token.streams,
                                (long long)(time(NULL) / 3600));
    for (size_t i = 0; i < sizeof args / sizeof args[0] && n < cap; i++) {
        const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, args[i]);
        if (v)
            n += (size_t)snprintf(key + n, cap - n, "&%s=%s", args[i], v);
    }
    return n < cap;
}

static const char *get_arg(void *req, const char *name)
{
    return MHD_lookup_connection_value(req, MHD_GET_ARGUMENT_KIND, name);
}

/* The Bearer token of the request, checked: false (with a 401 in out) when a protected path
 * comes without a valid one. A workspace that has never had a token is open to all. */
static bool authenticate(kpi_workspace *ws, struct MHD_Connection *conn, const char *path,
                         kauth *auth, kresponse *out)
{
    if (!kroute_protected(path))
        return true;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7)) {
        if (kpi_token_check(ws, h + 7, &auth->token) == KPI_OK)
            return true;
        kresponse_error(out, 401, "unknown or revoked token");
        return false;
    }
    size_t n = 0;
    if (kpi_token_count(ws, &n) == KPI_OK && n == 0) {
        auth->open = true;
        return true;
    }
    kresponse_error(out, 401, "this API needs a token: Authorization: Bearer TOKEN");
    return false;
}

/* Queues out (taking its body) as the answer to conn. */
static enum MHD_Result queue(struct MHD_Connection *conn, request_state *st, kresponse *out)
{
    if (!out->body)
        return MHD_NO;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(out->len, out->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(out->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", out->type);
    MHD_add_response_header(r, "Cache-Control", out->cache ? out->cache : "no-store");
    if (out->status == 405)
        MHD_add_response_header(r, "Allow", "GET");
    if (out->status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"kpi\"");
    st->status = out->status;
    st->bytes = out->len;
    enum MHD_Result ok = MHD_queue_response(conn, out->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The stream of ".../streams/{stream}/events" into buf, or NULL for another path. */
static const char *events_stream(const char *url, char *buf, size_t cap)
{
    static const char prefix[] = "/api/v1/streams/", suffix[] = "/events";
    size_t n = strlen(url), p = sizeof prefix - 1, q = sizeof suffix - 1;
    if (n <= p + q || strncmp(url, prefix, p) || strcmp(url + n - q, suffix) ||
        n - p - q >= cap || memchr(url + p, '/', n - p - q))
        return NULL;
    memcpy(buf, url + p, n - p - q);
    buf[n - p - q] = 0;
    return buf;
}

/* The first call of an upload: who, which stream, which format, how big; then the import
 * starts. False with out set when the request is refused before its body is read. */
static bool start_ingest(server *s, kpi_workspace *ws, struct MHD_Connection *conn,
                         const char *url, const char *method, request_state *st, kresponse *out)
{
    char stream[128], msg[512];
    if (!events_stream(url, stream, sizeof stream))
        return false; /* not an upload: answered as a GET route */
    kauth auth = {0};
    if (strcmp(method, "POST")) {
        kresponse_error(out, 405, "method not allowed: POST events to this path");
        return true;
    }
    if (!authenticate(ws, conn, url, &auth, out))
        return true;
    bool known = false;
    for (size_t i = 0; i < kpi_stream_count(ws) && !known; i++) {
        kpi_stream_info si;
        known = kpi_stream_info_get(ws, i, &si) == KPI_OK && !strcmp(si.name, stream);
    }
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    uint64_t max = s->o->max_body ? s->o->max_body : (uint64_t)1 << 30;
    kpi_format format = KPI_FORMAT_CSV;
    if (!known) {
        snprintf(msg, sizeof msg, "unknown stream '%.100s'", stream);
        kresponse_error(out, 404, msg);
    } else if (!kroute_may_ingest(&auth, stream)) {
        kresponse_error(out, 403, "this token may not write into this stream");
    } else if (!type || (strncmp(type, "text/csv", 8) && strncmp(type, "application/x-ndjson", 20) &&
                         strncmp(type, "application/jsonl", 17))) {
        kresponse_error(out, 415, "send text/csv or application/x-ndjson");
    } else if (len && strtoull(len, NULL, 10) > max) {
        snprintf(msg, sizeof msg, "body over the limit of %llu bytes", (unsigned long long)max);
        kresponse_error(out, 413, msg);
    } else {
        if (strncmp(type, "text/csv", 8))
            format = KPI_FORMAT_NDJSON;
        if (!(st->ingest = kingest_start(s->o->workspace, s->o->now_us, stream, format)))
            kresponse_error(out, 500, "cannot start the import");
    }
    return true;
}

/* A chunk of an upload, or its end (the answer). */
static enum MHD_Result feed_ingest(server *s, struct MHD_Connection *conn, request_state *st,
                                   const char *upload, size_t *upload_size)
{
    uint64_t max = s->o->max_body ? s->o->max_body : (uint64_t)1 << 30;
    if (*upload_size) {
        st->received += *upload_size;
        if (st->received > max)
            st->too_big = true;
        if (!st->too_big)
            kingest_write(st->ingest, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    kresponse out = {0};
    kingest_finish(st->ingest, st->too_big, &out);
    st->ingest = NULL;
    if (st->too_big) {
        char msg[256];
        free(out.body);
        snprintf(msg, sizeof msg,
                 "body over the limit of %llu bytes: the import stopped, keeping the whole"
                 " batches committed before",
                 (unsigned long long)max);
        kresponse_error(&out, 413, msg);
    }
    return queue(conn, st, &out);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request_state *st = *con_cls;
    kresponse out = {0};
    char msg[1024];
    if (!st) {
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->t0);
        __atomic_add_fetch(&s->active, 1, __ATOMIC_SEQ_CST);
        snprintf(st->path, sizeof st->path, "%s", url);
        snprintf(st->method, sizeof st->method, "%s", method);
        *con_cls = st;
        worker *wk = thread_worker(s, msg, sizeof msg);
        if (!wk) {
            kresponse_error(&out, 500, msg);
            return queue(conn, st, &out);
        }
        if (start_ingest(s, wk->ws, conn, url, method, st, &out))
            return st->ingest ? MHD_YES : queue(conn, st, &out);
    }
    if (st->ingest)
        return feed_ingest(s, conn, st, upload, upload_size);
    if (*upload_size) { /* a body we do not read: drop it */
        *upload_size = 0;
        return MHD_YES;
    }
    kauth auth = {0};
    worker *wk = thread_worker(s, msg, sizeof msg);
    char key[4096];
    int64_t data_version;
    if (!wk) {
        kresponse_error(&out, 500, msg);
    } else if (!authenticate(wk->ws, conn, url, &auth, &out)) {
        ; /* out holds the 401 */
    } else if (strcmp(method, "GET") || strncmp(url, "/api/v1/", 8) ||
               !cache_key(conn, url, &auth, key, sizeof key) ||
               kpi_workspace_version(wk->ws, &data_version) != KPI_OK) {
        kroute(wk->ws, &auth, s->metrics, method, url, get_arg, conn, &out);
    } else if (!kcache_fresh(wk->cache, data_version) || !kcache_get(wk->cache, key, &out)) {
        kroute(wk->ws, &auth, s->metrics, method, url, get_arg, conn, &out);
        if (out.status == 200)
            kcache_put(wk->cache, key, &out);
    }
    return queue(conn, st, &out);
}

/* The access log: time, client, method, path, status, bytes, milliseconds. */
static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    server *s = cls;
    request_state *st = *con_cls;
    *con_cls = NULL;
    if (!st)
        return;
    if (st->ingest) /* the client went away mid-upload: stop after the batch in flight */
        kingest_finish(st->ingest, true, NULL);
    __atomic_sub_fetch(&s->active, 1, __ATOMIC_SEQ_CST);
    if (s->log) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - st->t0.tv_sec) * 1e3 +
                    (double)(t1.tv_nsec - st->t0.tv_nsec) / 1e6;
        char host[64] = "-";
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr)
            getnameinfo(ci->client_addr,
                        ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                               : sizeof(struct sockaddr_in),
                        host, sizeof host, NULL, 0, NI_NUMERICHOST);
        time_t now = time(NULL);
        struct tm tm;
        char when[32];
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        pthread_mutex_lock(&s->log_mu);
        fprintf(s->log, "%s %s %s %s %u %zu %.1fms\n", when, host, st->method, st->path,
                st->status, st->bytes, ms);
        fflush(s->log);
        pthread_mutex_unlock(&s->log_mu);
    }
    free(st);
}

/* "host:port", ":port" or "[v6]:port" into an address to bind. */
static bool parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len)
{
    char host[256] = "";
    const char *colon = strrchr(spec, ':');
    if (!colon || !colon[1])
        return false;
    size_t hn = (size_t)(colon - spec);
    if (hn >= sizeof host)
        return false;
    memcpy(host, spec, hn);
    host[hn] = 0;
    if (host[0] == '[' && hn >= 2 && host[hn - 1] == ']') {
        memmove(host, host + 1, hn - 2);
        host[hn - 2] = 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0)
        return false;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

/* A whole PEM file, NUL-terminated (libmicrohttpd takes certificates from memory). */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *grown = realloc(p, cap = cap * 2 + 8192);
            if (!grown) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = grown;
        }
        size_t got = fread(p + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return NULL;
    }
    p[n] = 0;
    return p;
}

int kserve_run(const kserve_options *o)
{
    server s = {.o = o};
    struct sockaddr_storage addr;
    socklen_t alen;
    const char *listen = o->listen ? o->listen : "127.0.0.1:8080";
    if (!parse_listen(listen, &addr, &alen)) {
        fprintf(stderr, "kpi: serve: cannot listen on '%s': expected HOST:PORT\n", listen);
        return 1;
    }
    /* check the workspace before binding: a typo should not give a server that only fails */
    kpi_workspace *probe;
    if (kpi_workspace_open(o->workspace, &probe) != KPI_OK) {
        char msg[1024] = "out of memory";
        if (probe)
            kpi_error_format(kpi_workspace_error(probe), msg, sizeof msg);
        fprintf(stderr, "kpi: serve: %s\n", msg);
        kpi_workspace_destroy(probe);
        return 1;
    }
    kpi_workspace_destroy(probe);
    if (o->access_log && strcmp(o->access_log, "-") && !(s.log = fopen(o->access_log, "a"))) {
        fprintf(stderr, "kpi: serve: %s: %s\n", o->access_log, strerror(errno));
        return 1;
    }
    if (o->access_log && !strcmp(o->access_log, "-"))
        s.log = stderr;
    pthread_key_create(&s.ws_key, close_worker);
    pthread_mutex_init(&s.log_mu, NULL);

    /* the workers inherit a mask without SIGTERM/SIGINT: only sigwait below takes them */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *cert = NULL, *key = NULL;
    if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
        fprintf(stderr, "kpi: serve: HTTPS needs both --tls-cert and --tls-key\n");
        return 1;
    }
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, "kpi: serve: this libmicrohttpd was built without TLS\n");
            return 1;
        }
        const char *bad = !(cert = read_pem(o->tls_cert)) ? o->tls_cert
                          : !(key = read_pem(o->tls_key)) ? o->tls_key
                                                           : NULL;
        if (bad) {
            fprintf(stderr, "kpi: serve: %s: %s\n", bad, strerror(errno));
            free(cert);
            return 1;
        }
    }
    /* after the signal mask: the refresh thread must not take SIGTERM */
    if (!(s.metrics = kmetrics_start(o->workspace, o->now_us, o->metrics_refresh_s))) {
        fprintf(stderr, "kpi: serve: cannot start the thread of /metrics\n");
        free(cert);
        free(key);
        return 1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads ? o->threads : (unsigned)(cores > 0 ? cores : 2);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (cert ? MHD_USE_TLS : 0);
    /* the TLS options last: without a certificate they end the list early */
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, answer, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
        cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    int code = 0;
    if (!d) {
        fprintf(stderr, "kpi: serve: cannot listen on %s: %s\n", listen, strerror(errno));
        code = 1;
    } else {
        fprintf(stderr, "kpi: serving %s on %s://%s/ (%u threads); Ctrl-C stops\n",
                o->workspace, cert ? "https" : "http", listen, threads);
        int sig;
        sigwait(&sigs, &sig);
        /* stop accepting; give the requests in flight up to 10 s to finish (idle keep-alive
         * connections are simply closed) */
        MHD_socket ls = MHD_quiesce_daemon(d);
        if (ls != MHD_INVALID_SOCKET)
            close(ls);
        for (int i = 0; i < 1000 && __atomic_load_n(&s.active, __ATOMIC_SEQ_CST) > 0; i++) {
            struct timespec t = {0, 10 * 1000 * 1000};
            nanosleep(&t, NULL);
        }
        MHD_stop_daemon(d);
        fprintf(stderr, "kpi: serve: stopped\n");
    }
    if (s.log && s.log != stderr)
        fclose(s.log);
    free(cert);
    free(key);
    pthread_mutex_destroy(&s.log_mu);
    kmetrics_stop(s.metrics);
    pthread_key_delete(s.ws_key);
    return code;
}
