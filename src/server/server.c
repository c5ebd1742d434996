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
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct server {
    const kserve_options *o;
    pthread_key_t ws_key;
    FILE *log;
    pthread_mutex_t log_mu;
    int active;    /* requests between their first byte and their last (atomic) */
    int ingesting; /* uploads being imported (atomic): cached answers may be served stale */
    kmetrics_cache *metrics;
    kcache *cache;       /* answers already computed, shared by the workers */
    int64_t epoch;       /* the data version the cache is keyed on (atomic): see data_epoch */
    krefresher *refresh; /* recomputes the stale ones in the background */
    /* the definitions (kpi.yaml, kpis/NAME.yaml): checked at most once a second; a change that
     * opens cleanly bumps gen, and each worker reopens its handle before its next request */
    pthread_mutex_t defs_mu;
    uint64_t defs_sig;     /* of the files' names, sizes and mtimes */
    double defs_checked;   /* CLOCK_MONOTONIC seconds */
    int64_t defs_gen;      /* atomic */
    char defs_error[1200]; /* why the files on disk are not served ("" when they are) */
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
    bool ended; /* the upload's body is complete: its import is finishing */
} request_state;

/* What a worker thread keeps: its workspace handle. */
typedef struct worker {
    kpi_workspace *ws;
    int64_t gen;  /* the definitions' generation ws was opened at */
    int64_t seen; /* ws's data version when this worker last looked */
    bool looked;
} worker;

static void close_worker(void *p)
{
    worker *w = p;
    kpi_workspace_destroy(w->ws);
    free(w);
}

static kpi_workspace *thread_workspace(server *s, char *msg, size_t cap);

/* A signature of the definition files: kpi.yaml and kpis/NAME.yaml, names, sizes and mtimes. */
static uint64_t defs_signature(const char *dir)
{
    uint64_t h = 1469598103934665603ull;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    if (stat(path, &st) == 0)
        h = (h ^ (uint64_t)st.st_mtim.tv_nsec ^ ((uint64_t)st.st_mtim.tv_sec << 30) ^
             (uint64_t)st.st_size) *
            1099511628211ull;
    snprintf(path, sizeof path, "%s/kpis", dir);
    DIR *d = opendir(path);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        snprintf(path, sizeof path, "%s/kpis/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        uint64_t f = 1469598103934665603ull;
        for (const char *c = e->d_name; *c; c++)
            f = (f ^ (unsigned char)*c) * 1099511628211ull;
        h += (f ^ (uint64_t)st.st_mtim.tv_nsec ^ ((uint64_t)st.st_mtim.tv_sec << 30) ^
              (uint64_t)st.st_size) *
             1099511628211ull; /* + : readdir's order does not count */
    }
    if (d)
        closedir(d);
    return h;
}

/* At most once a second: when the definition files changed, opens them; if they open cleanly
 * the workers move to them (gen), else the last good ones keep serving and defs_error says
 * why. */
static void check_definitions(server *s)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
    if (pthread_mutex_trylock(&s->defs_mu) != 0)
        return;
    if (now - s->defs_checked >= 1) {
        s->defs_checked = now;
        uint64_t sig = defs_signature(s->o->workspace);
        if (sig != s->defs_sig) {
            s->defs_sig = sig;
            char msg[1024];
            kpi_workspace *ws = thread_workspace(s, msg, sizeof msg);
            if (ws) {
                s->defs_error[0] = 0;
                __atomic_add_fetch(&s->defs_gen, 1, __ATOMIC_SEQ_CST);
                kpi_workspace_destroy(ws);
            } else {
                snprintf(s->defs_error, sizeof s->defs_error,
                         "the definitions on disk do not load, the last good ones are served: %s",
                         msg);
            }
        }
    }
    pthread_mutex_unlock(&s->defs_mu);
}

/* Moves worker w to the current definitions when they changed (a failed open keeps the old
 * handle: the files changed again, and the next check will say so). */
static void refresh_worker(server *s, worker *w)
{
    int64_t gen = __atomic_load_n(&s->defs_gen, __ATOMIC_SEQ_CST);
    if (w->gen == gen)
        return;
    char msg[1024];
    kpi_workspace *ws = thread_workspace(s, msg, sizeof msg);
    if (!ws)
        return;
    kpi_workspace_destroy(w->ws);
    w->ws = ws;
    w->gen = gen;
    w->looked = false; /* a new connection counts its data versions anew */
}

/* This thread's worker, made on first use and moved to new definitions; NULL with msg set
 * when it cannot be. */
static worker *thread_worker(server *s, char *msg, size_t cap)
{
    worker *w = pthread_getspecific(s->ws_key);
    check_definitions(s);
    if (w) {
        refresh_worker(s, w);
        return w;
    }
    int64_t gen = __atomic_load_n(&s->defs_gen, __ATOMIC_SEQ_CST);
    kpi_workspace *ws = thread_workspace(s, msg, cap);
    if (!ws)
        return NULL;
    if (!(w = calloc(1, sizeof *w))) {
        kpi_workspace_destroy(ws);
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    w->ws = ws;
    w->gen = gen;
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

const char *const kcache_args[KCACHE_NARGS] = {"kpi", "period", "from",       "to", "grain",
                                               "by",  "where",  "department", "n"};

/* The cache key of a GET: the path, every argument an endpoint reads, who asks (the token's
 * scope decides the answer) and the hour (the open period moves with the clock). */
static bool cache_key(struct MHD_Connection *conn, const char *url, const kauth *a, char *key,
                      size_t cap)
{
    size_t n =
        (size_t)snprintf(key, cap, "%s|%d|%s|%s|%s|%lld", url, a->open ? -1 : (int)a->token.role,
                         a->open ? "" : a->token.departments, a->open ? "" : a->token.self,
                         a->open ? "" : a->token.streams, (long long)(time(NULL) / 3600));
    for (size_t i = 0; i < KCACHE_NARGS && n < cap; i++) {
        const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, kcache_args[i]);
        if (v)
            n += (size_t)snprintf(key + n, cap - n, "&%s=%s", kcache_args[i], v);
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
    static const char no_body[] = "{\"error\":\"out of memory\"}";
    if (!out->body && (out->body = strdup(no_body))) { /* an answer, never a dropped line */
        out->status = 500;
        out->type = "application/json";
        out->len = sizeof no_body - 1;
    }
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
    if (out->cached) {
        char age[16];
        snprintf(age, sizeof age, "%d", out->age);
        MHD_add_response_header(r, "Age", age);
    }
    if (out->stale) /* the data changed since; another request is recomputing it */
        MHD_add_response_header(r, "X-KPI-Stale", "1");
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
    if (n <= p + q || strncmp(url, prefix, p) || strcmp(url + n - q, suffix) || n - p - q >= cap ||
        memchr(url + p, '/', n - p - q))
        return NULL;
    memcpy(buf, url + p, n - p - q);
    buf[n - p - q] = 0;
    return buf;
}

/* An upload's connection waits while its import catches up (the thread serves others). */
static void pause_connection(void *conn)
{
    MHD_suspend_connection(conn);
}
static void resume_connection(void *conn)
{
    MHD_resume_connection(conn);
}

/* The first call of an upload: who, which stream, which format, how big; then the import
 * starts. False with out set when the request is refused before its body is read. */
static bool start_ingest(server *s, kpi_workspace *ws, struct MHD_Connection *conn, const char *url,
                         const char *method, request_state *st, kresponse *out)
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
        known = kpi_stream_def_get(ws, i, &si) == KPI_OK && !strcmp(si.name, stream);
    }
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    uint64_t max = s->o->max_body ? s->o->max_body : (uint64_t)1 << 30;
    kpi_format format = kmedia_format(type);
    if (!known) {
        snprintf(msg, sizeof msg, "unknown stream '%.100s'", stream);
        kresponse_error(out, 404, msg);
    } else if (!kroute_may_ingest(&auth, stream)) {
        kresponse_error(out, 403, "this token may not write into this stream");
    } else if (format == KPI_FORMAT_AUTO) {
        kresponse_error(out, 415, "send text/csv or application/x-ndjson (UTF-8)");
    } else if (len && strtoull(len, NULL, 10) > max) {
        snprintf(msg, sizeof msg, "body over the limit of %llu bytes", (unsigned long long)max);
        kresponse_error(out, 413, msg);
    } else {
        if (!(st->ingest = kingest_start(s->o->workspace, s->o->now_us, stream, format,
                                         resume_connection, conn)))
            kresponse_error(out, 500, "cannot start the import");
        else
            __atomic_add_fetch(&s->ingesting, 1, __ATOMIC_SEQ_CST);
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
            kingest_write(st->ingest, upload, *upload_size, pause_connection, conn);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!st->ended) { /* called again, resumed, once the import has finished */
        st->ended = true;
        if (kingest_end(st->ingest, st->too_big, pause_connection, conn))
            return MHD_YES;
    }
    kresponse out = {0};
    char why[256];
    snprintf(why, sizeof why, "body over the limit of %llu bytes: the import stopped",
             (unsigned long long)max);
    kingest_finish(st->ingest, st->too_big ? why : NULL, &out);
    st->ingest = NULL;
    __atomic_sub_fetch(&s->ingesting, 1, __ATOMIC_SEQ_CST);
    return queue(conn, st, &out);
}

/*
 * The data version answers are cached under, the same for every worker: SQLite's data version
 * is a connection's own count (two workers' numbers do not compare), so the server keeps one
 * epoch that a worker moves on whenever its connection shows a change since it last looked.
 * Read before computing: an answer computed after it reflects at least that epoch's data.
 */
static bool data_epoch(server *s, worker *w, int64_t *epoch)
{
    int64_t v;
    if (kpi_workspace_version(w->ws, &v) != KPI_OK)
        return false;
    if (!w->looked || v != w->seen) {
        w->seen = v;
        w->looked = true;
        __atomic_add_fetch(&s->epoch, 1, __ATOMIC_SEQ_CST);
    }
    *epoch = __atomic_load_n(&s->epoch, __ATOMIC_SEQ_CST);
    return true;
}

/* The refresher's recompute of a stale answer (krefresh_fn), on its thread's own worker. */
static bool refresh_compute(void *ctx, const char *path, karg_fn arg, void *req, const kauth *auth,
                            kresponse *out, int64_t *version, int64_t *gen)
{
    server *s = ctx;
    char msg[1024];
    worker *wk = thread_worker(s, msg, sizeof msg);
    if (!wk || !data_epoch(s, wk, version))
        return false;
    *gen = wk->gen;
    kroute(wk->ws, auth, s->metrics, s->defs_error, "GET", path, arg, req, out);
    return true;
}

/* Whether an answer computed before the last data change may be given: only while an upload
 * is being imported (after it, a client reads what it sent), and not to a request that
 * refuses it (Cache-Control: no-cache or max-age=0). */
static bool stale_ok(server *s, struct MHD_Connection *conn)
{
    if (!__atomic_load_n(&s->ingesting, __ATOMIC_SEQ_CST))
        return false;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cache-Control");
    return !h || (!strcasestr(h, "no-cache") && !strcasestr(h, "max-age=0"));
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
        ksafe_text(url, true, st->path, sizeof st->path);
        ksafe_text(method, true, st->method, sizeof st->method);
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
               !cache_key(conn, url, &auth, key, sizeof key) || !data_epoch(s, wk, &data_version)) {
        kroute(wk->ws, &auth, s->metrics, s->defs_error, method, url, get_arg, conn, &out);
    } else {
        bool refresh;
        kcache_hit hit =
            kcache_get(s->cache, key, data_version, wk->gen, stale_ok(s, conn), &out, &refresh);
        out.stale = hit == KCACHE_STALE;
        if (refresh && !krefresh_queue(s->refresh, key, url, get_arg, conn, &auth))
            kcache_abandon(s->cache, key);
        if (hit == KCACHE_MISS) {
            kroute(wk->ws, &auth, s->metrics, s->defs_error, method, url, get_arg, conn, &out);
            kcache_put(s->cache, key, data_version, wk->gen, &out);
        }
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
    if (st->ingest) { /* the client went away mid-upload: stop after the batch in flight */
        kingest_finish(st->ingest, "the client went away", NULL);
        __atomic_sub_fetch(&s->ingesting, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_sub_fetch(&s->active, 1, __ATOMIC_SEQ_CST);
    if (s->log) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms =
            (double)(t1.tv_sec - st->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - st->t0.tv_nsec) / 1e6;
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
        fprintf(s->log, "%s %s %s %s %u %zu %.1fms\n", when, host, st->method, st->path, st->status,
                st->bytes, ms);
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
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0)
        return false;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

/* Is addr a loopback address (127.0.0.0/8, ::1, or 127.x mapped into IPv6)? */
static bool is_loopback(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
    return addr->ss_family == AF_INET6 &&
           (IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127));
}

/* A workspace without tokens answers anyone: on a non-loopback address only when asked to
 * (--open). False, with the reason printed, when serving would expose it unasked. */
static bool exposure_ok(const kserve_options *o, kpi_workspace *ws,
                        const struct sockaddr_storage *addr, const char *listen)
{
    size_t tokens = 0;
    if (o->open || is_loopback(addr) || (kpi_token_count(ws, &tokens) == KPI_OK && tokens > 0))
        return true;
    fprintf(stderr,
            "kpi: serve: refusing to serve '%s' on '%s' without a token: anyone who can reach"
            " it would read and write every KPI\n"
            "kpi: serve: create one first ('kpi -w %s token create --role admin'), or pass"
            " --open to serve it open on purpose\n",
            o->workspace, listen, o->workspace);
    return false;
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
    bool exposed_ok = exposure_ok(o, probe, &addr, listen);
    kpi_workspace_destroy(probe);
    if (!exposed_ok)
        return 1;
    if (o->access_log && strcmp(o->access_log, "-") && !(s.log = fopen(o->access_log, "a"))) {
        fprintf(stderr, "kpi: serve: %s: %s\n", o->access_log, strerror(errno));
        return 1;
    }
    if (o->access_log && !strcmp(o->access_log, "-"))
        s.log = stderr;
    pthread_key_create(&s.ws_key, close_worker);
    pthread_mutex_init(&s.log_mu, NULL);
    pthread_mutex_init(&s.defs_mu, NULL);
    s.defs_sig = defs_signature(o->workspace);

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
    if (!(s.cache = kcache_create()) ||
        !(s.metrics = kmetrics_start(o->workspace, o->now_us, o->metrics_refresh_s)) ||
        !(s.refresh = krefresh_start(s.cache, refresh_compute, &s))) {
        fprintf(stderr, "kpi: serve: cannot start the threads of /metrics and of the cache\n");
        kmetrics_stop(s.metrics);
        kcache_destroy(s.cache);
        free(cert);
        free(key);
        return 1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* by default twice the cores and at least 4: a thread carrying an upload (or a long query)
     * keeps the connections it owns waiting, and threads waiting on I/O cost little */
    unsigned threads = o->threads ? o->threads : (unsigned)(cores > 2 ? 2 * cores : 4);
    /* poll, not epoll: an upload's connection is suspended while its import catches up, and
     * with epoll's edge triggering a connection resumed after the client had sent the rest of
     * its body into the socket waited for an event that never came (044 under load) */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
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
        fprintf(stderr, "kpi: serving %s on %s://%s/ (%u threads); Ctrl-C stops\n", o->workspace,
                cert ? "https" : "http", listen, threads);
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
    krefresh_stop(s.refresh); /* before what its recomputes use */
    kmetrics_stop(s.metrics);
    kcache_destroy(s.cache);
    pthread_mutex_destroy(&s.defs_mu);
    pthread_key_delete(s.ws_key);
    return code;
}
