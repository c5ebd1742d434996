/*
 * server.h - `kpi serve`: the HTTP API over libkpi (DESIGN §2), a thin shell like the CLI. The
 * daemon (server.c) owns the sockets, the worker threads, the access log and shutdown; the
 * routes (routes.c) turn a request into library calls and a JSON (or Prometheus, metrics.c)
 * body.
 */
#ifndef KPI_SERVER_H
#define KPI_SERVER_H

#include "kpi.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct kserve_options {
    const char *workspace;  /* the workspace directory */
    const char *listen;     /* "127.0.0.1:8080", ":8080", "[::1]:8080" */
    unsigned threads;       /* worker threads (0: the number of cores) */
    const char *access_log; /* a file, "-" for stderr, NULL for none */
    int64_t now_us;         /* pinned "now" (KPI_NOW), 0 for the clock */
    uint64_t max_body;      /* largest request body in bytes (0: 1 GiB) */
    const char *tls_cert;   /* PEM certificate (chain) and key: HTTPS when both are given */
    const char *tls_key;
    bool open;                  /* serve a workspace without tokens on a non-loopback address */
    unsigned metrics_refresh_s; /* /metrics is recomputed this often (0: KMETRICS_REFRESH_S) */
} kserve_options;

/* Serves until SIGTERM or SIGINT, then finishes the requests in flight. Returns an exit code
 * (0, or 1 when the server could not start: the reason is printed). */
int kserve_run(const kserve_options *o);

/* One response: status, content type and a malloc'd body. */
typedef struct kresponse {
    unsigned status;
    const char *type;
    char *body;
    size_t len;
    const char *cache; /* the Cache-Control header; NULL for no-store */
    bool cached;       /* from the answer cache: an Age header says how old */
    bool stale;        /* ... and computed before the last data change (X-KPI-Stale) */
    int age;           /* seconds since it was computed, when cached */
} kresponse;

/* Looks up a query-string argument of the request being answered (NULL when absent). */
typedef const char *(*karg_fn)(void *req, const char *name);

/* /metrics from a text computed in the background (metrics_cache.c): shared by the workers. */
typedef struct kmetrics_cache kmetrics_cache;
/* Who is asking: anyone, while the workspace has no token; else the presented token. */
typedef struct kauth {
    bool open;
    kpi_token_info token;
} kauth;

/* Is name one of the comma-separated items of list (NULL: none)? */
bool kroute_in_list(const char *list, const char *name);

/* Does `path` need a token (everything but /healthz and the dashboard's files)? */
/* The index of KPI id in the workspace, or kpi_kpi_count(ws) when there is none. */
size_t kroute_kpi_index(kpi_workspace *ws, const char *id);

bool kroute_protected(const char *path);

/* Answers GET `path` (arguments through arg) from workspace ws for auth; fills *out.
 * defs_error: why the definitions on disk are not the ones served ("" when they are), for
 * /healthz. */
void kroute(kpi_workspace *ws, const kauth *auth, kmetrics_cache *mc, const char *defs_error,
            const char *method, const char *path, karg_fn arg, void *req, kresponse *out);

/* A file of the dashboard (web/, and uPlot from npm), compiled into the kpi tool by
 * tools/embed.c as build/gen/web_assets.c. */
typedef struct kasset {
    const char *name; /* the file's name, NULL at the end of the list */
    const char *data;
    size_t len;
} kasset;
extern const kasset kweb_assets[];

/* Answers GET / (the dashboard's page) and GET /assets/NAME (its scripts, styles and uPlot)
 * from kweb_assets (assets.c); false, leaving out alone, for any other path. */
bool kassets_serve(const char *path, kresponse *out);

/* A JSON error body {"error": msg} with status; msg may hold any bytes (ksafe_text). */
void kresponse_error(kresponse *out, unsigned status, const char *msg);

/* ---- request text (http.c) ---- */

/* Copies in (NUL-terminated, any bytes) into out as valid UTF-8: an invalid byte becomes the
 * four characters \xHH; with log, also control characters, space, DEL and backslash, so that
 * the text stays one field of one line. Stops before a piece that would not fit whole; returns
 * the length written (out is always NUL-terminated when cap > 0). */
size_t ksafe_text(const char *in, bool log, char *out, size_t cap);

/* The import format of an upload's Content-Type: text/csv, application/x-ndjson or
 * application/jsonl, in any case, with parameters (a charset must be UTF-8 or US-ASCII);
 * KPI_FORMAT_AUTO for anything else (or NULL). */
kpi_format kmedia_format(const char *content_type);

/* The HTTP status of a library status: 404 for unknown names, 400 for bad requests, 413 for
 * an import stopped at the size limit, 503 for a store that cannot write now (full disk,
 * read-only or locked kpi.db), 500 otherwise. */
unsigned kstatus_http(kpi_status st);

/* ---- /metrics: the text (metrics.c) and its cache (metrics_cache.c) ---- */

/* A growable string with a cap of memory: `failed` once an allocation failed. */
typedef struct kmbuf {
    char *p;
    size_t n, cap;
    bool failed;
} kmbuf;
/* Room for `more` bytes and a NUL; false (and failed) when out of memory. */
bool kmbuf_reserve(kmbuf *b, size_t more);
void kmbuf_append(kmbuf *b, const char *p, size_t n);

/* A breakdown left out: more groups than the KPI's max_groups. */
typedef struct kmetrics_drop {
    char *kpi, *dimension;
    size_t groups, max_groups;
} kmetrics_drop;

/* The Prometheus text of every KPI's current period, ready to be copied into scrapes. */
typedef struct kmetrics_text kmetrics_text;
/* Runs the queries (one per grain, and per grain and dimension) and renders the text; NULL
 * with the reason in err when a query fails or memory runs out. Free with kmetrics_text_free. */
kmetrics_text *kmetrics_render(kpi_workspace *ws, char *err, size_t cap);
void kmetrics_text_free(kmetrics_text *t);
/* The breakdowns t leaves out (n of them), owned by t. */
const kmetrics_drop *kmetrics_text_drops(const kmetrics_text *t, size_t *n);
/* Appends to out the families of the KPIs named in `kpis` and of `department` (each a
 * comma-separated list; NULL: all), and kpi_period_info. False with a 404 in *err when a KPI
 * or department is unknown. */
bool kmetrics_text_scrape(const kmetrics_text *t, const char *kpis, const char *department,
                          kmbuf *out, kresponse *err);

/* How often the text is recomputed besides after each change to the data, by default. */
#define KMETRICS_REFRESH_S 60
/* Starts the background refresh for workspace dir ("now" pinned when now_us is non-zero; every
 * interval_s seconds, 0 for KMETRICS_REFRESH_S); NULL when no thread can be started. */
kmetrics_cache *kmetrics_start(const char *dir, int64_t now_us, unsigned interval_s);
/* Stops the refresh and frees everything; accepts NULL. */
void kmetrics_stop(kmetrics_cache *m);
/* Answers a scrape (kpis, department as for kmetrics_text_scrape) from the last text, with
 * its age; waits for the first text a few seconds at most (then 503). Never runs a query. */
void kmetrics_scrape(kmetrics_cache *m, const char *kpis, const char *department, kresponse *out);

/* ---- answers already computed (cache.c), shared by the worker threads ---- */

typedef struct kcache kcache;
/* How old an answer may be and still be served stale while another request recomputes it. */
enum { KCACHE_STALE_SECONDS = 60 };
typedef enum { KCACHE_MISS, KCACHE_FRESH, KCACHE_STALE } kcache_hit;
kcache *kcache_create(void);
void kcache_destroy(kcache *c);
/* A copy of the answer cached under key into *out (status 200, cached, age set). FRESH: it was
 * computed at this data version and these definitions (gen). STALE (only when allow_stale): at
 * an older data version, at most KCACHE_STALE_SECONDS ago; *refresh is then true for the one
 * request that must have it recomputed (krefresh_queue, else kcache_abandon). MISS: none to
 * give; the caller computes it and must call kcache_put, and until then the others may get
 * the old answer stale. */
kcache_hit kcache_get(kcache *c, const char *key, int64_t version, int64_t gen, bool allow_stale,
                      kresponse *out, bool *refresh);
/* Keeps r (when status 200; else drops the key's answer) as computed at version and gen, unless
 * a newer answer is already kept; ends the key's recompute either way. */
void kcache_put(kcache *c, const char *key, int64_t version, int64_t gen, const kresponse *r);
/* Ends the key's recompute without an answer (it could not be queued or run). */
void kcache_abandon(kcache *c, const char *key);

/* The arguments an endpoint reads: the cache key holds them, a recompute replays them. */
enum { KCACHE_NARGS = 9 };
extern const char *const kcache_args[KCACHE_NARGS];

/* ---- recomputing stale answers in the background (refresh.c) ---- */

typedef struct krefresher krefresher;
/* Computes GET path (arguments through arg) for auth into *out, with the data version read
 * before and the definitions' generation it ran under; false when it could not run. Called on
 * the refresher's thread. */
typedef bool (*krefresh_fn)(void *ctx, const char *path, karg_fn arg, void *req, const kauth *auth,
                            kresponse *out, int64_t *version, int64_t *gen);
/* Starts the thread that recomputes queued answers with compute and keeps them in cache; NULL
 * when it cannot. */
krefresher *krefresh_start(kcache *cache, krefresh_fn compute, void *ctx);
/* Stops it (the job running finishes; queued ones are dropped). Accepts NULL. */
void krefresh_stop(krefresher *r);
/* Queues the recompute of key: the request's path, its kcache_args (through arg) and who asks,
 * copied. False when the queue is full or memory runs out. */
bool krefresh_queue(krefresher *r, const char *key, const char *path, karg_fn arg, void *req,
                    const kauth *auth);

/* ---- ingest over HTTP (ingest.c) ---- */

typedef struct kingest kingest;

/* Starts importing a request body into stream (an import thread on its own workspace handle);
 * resume(resume_ctx) is how the import wakes a paused handler (from its own thread). NULL when
 * out of resources. */
kingest *kingest_start(const char *dir, int64_t now_us, const char *stream, kpi_format format,
                       void (*resume)(void *ctx), void *resume_ctx);
/* Passes a chunk of the body on without blocking (copied; dropped once the import stopped).
 * True when the queue is full: pause(ctx) was called, and the import calls resume once it has
 * read half. */
bool kingest_write(kingest *g, const char *data, size_t n, void (*pause)(void *ctx), void *ctx);
/* Ends the body (cancel: stop after the batch in flight). True when the import is still
 * running: pause(ctx) was called, and resume comes when it has finished. */
bool kingest_end(kingest *g, bool cancel, void (*pause)(void *ctx), void *ctx);
/* Ends the body (why non-NULL: stop after the batch in flight, for that reason), waits for the
 * import and, when out is non-NULL, answers with its counts and first rejected rows, or, when
 * it stopped, with the reason and the rows stored before ("stored", "batches"); frees g. */
void kingest_finish(kingest *g, const char *why, kresponse *out);

/* May this caller write events into stream? */
bool kroute_may_ingest(const kauth *auth, const char *stream);

#endif
