/*
 * metrics_cache.c - /metrics answered from a text computed in the background, so that a
 * scrape costs a copy, never a query: a thread with its own workspace handle renders the
 * text (metrics.c) at start, within a second of any change to the data (an import over HTTP
 * or by `kpi import`, a target or value set: the workspace's data version, polled each
 * second) and every `interval` seconds (the open period moves with the clock). A refresh that
 * fails keeps the previous text; its age, the refresh's duration and the failures are exported
 * with every scrape, and breakdowns left out over their max_groups are logged when they first
 * are.
 */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long the first scrape waits for the first text (Prometheus's default timeout is 10 s). */
#define FIRST_WAIT_S 8.0

struct kmetrics_cache {
    char *dir;
    int64_t now_us;
    double interval;
    pthread_t thread;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cond;
    bool stop, tried;
    kmetrics_text *text;
    double built_at, took; /* CLOCK_MONOTONIC seconds; the last refresh's seconds */
    unsigned long long refreshes, errors;
    char error[1024]; /* the last failure, "" when the last refresh worked */
};

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Logs the breakdowns that `now` leaves out and `before` did not. */
static void log_drops(const kmetrics_text *before, const kmetrics_text *now)
{
    size_t n, nb = 0;
    const kmetrics_drop *d = kmetrics_text_drops(now, &n);
    const kmetrics_drop *b = before ? kmetrics_text_drops(before, &nb) : NULL;
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < nb && !known; j++)
            known = !strcmp(b[j].kpi, d[i].kpi) && !strcmp(b[j].dimension, d[i].dimension);
        if (!known)
            fprintf(stderr,
                    "kpi: serve: metrics: kpi '%s' has %zu groups by '%s', more than its "
                    "max_groups of %zu: that breakdown is left out of /metrics\n",
                    d[i].kpi, d[i].groups, d[i].dimension, d[i].max_groups);
    }
}

/* Renders the text now and puts it in place of the old one. */
static void refresh(kmetrics_cache *m, kpi_workspace *ws)
{
    char err[1024] = "";
    double t0 = mono_now();
    kmetrics_text *t = kmetrics_render(ws, err, sizeof err);
    double t1 = mono_now();
    pthread_mutex_lock(&m->mu);
    kmetrics_text *old = t ? m->text : NULL;
    if (t) {
        log_drops(m->text, t);
        m->text = t;
        m->built_at = t1;
        m->took = t1 - t0;
        m->error[0] = 0;
    } else {
        m->errors++;
        snprintf(m->error, sizeof m->error, "%s", err);
        fprintf(stderr, "kpi: serve: metrics: %s (the previous values are kept)\n", err);
    }
    m->refreshes++;
    m->tried = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    kmetrics_text_free(old);
}

/* Sleeps until `until` (monotonic seconds) or stop; true when asked to stop. */
static bool sleep_until(kmetrics_cache *m, double until)
{
    struct timespec ts = {(time_t)until, (long)((until - (double)(time_t)until) * 1e9)};
    pthread_mutex_lock(&m->mu);
    while (!m->stop && mono_now() < until)
        if (pthread_cond_timedwait(&m->cond, &m->mu, &ts) == ETIMEDOUT)
            break;
    bool stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    return stop;
}

/* A new workspace handle into *ws ("now" pinned if asked); false, with the reason kept as the
 * last error, when the workspace cannot be opened. */
static bool open_handle(kmetrics_cache *m, kpi_workspace **ws)
{
    if (kpi_workspace_open(m->dir, ws) == KPI_OK) {
        if (m->now_us)
            kpi_workspace_set_now(*ws, m->now_us);
        return true;
    }
    pthread_mutex_lock(&m->mu);
    snprintf(m->error, sizeof m->error, "out of memory");
    if (*ws)
        kpi_error_format(kpi_workspace_error(*ws), m->error, sizeof m->error);
    m->errors++;
    m->tried = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    kpi_workspace_destroy(*ws);
    *ws = NULL;
    return false;
}

static void *refresher(void *arg)
{
    kmetrics_cache *m = arg;
    kpi_workspace *ws = NULL;
    int64_t version = 0, seen = 0;
    double due = 0, quiet_until = 0;
    do {
        double now = mono_now();
        bool changed = !ws || kpi_workspace_version(ws, &version) != KPI_OK || version != seen;
        if (now < due && !(changed && now >= quiet_until))
            continue;
        /* a handle keeps the targets and values it read first: each refresh opens a new one,
         * whose data version then tells of any later change */
        kpi_workspace_destroy(ws);
        if (!open_handle(m, &ws) || kpi_workspace_version(ws, &seen) != KPI_OK)
            continue;
        refresh(m, ws);
        double after = mono_now();
        due = after + m->interval;
        quiet_until = after + (after - now); /* back-to-back imports: refresh half the time */
    } while (!sleep_until(m, mono_now() + 1.0));
    kpi_workspace_destroy(ws);
    return NULL;
}

kmetrics_cache *kmetrics_start(const char *dir, int64_t now_us, unsigned interval_s)
{
    kmetrics_cache *m = calloc(1, sizeof *m);
    if (!m || !(m->dir = strdup(dir))) {
        free(m);
        return NULL;
    }
    m->now_us = now_us;
    m->interval = interval_s ? interval_s : KMETRICS_REFRESH_S;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->mu, NULL);
    if (pthread_create(&m->thread, NULL, refresher, m) != 0) {
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->mu);
        free(m->dir);
        free(m);
        return NULL;
    }
    return m;
}

void kmetrics_stop(kmetrics_cache *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->mu);
    kmetrics_text_free(m->text);
    free(m->dir);
    free(m);
}

/* The figures of the cache itself, after the KPIs'. */
static void cache_figures(const kmetrics_cache *m, double now, kmbuf *out)
{
    char s[1024];
    int n =
        snprintf(s, sizeof s,
                 "# HELP kpi_metrics_age_seconds Seconds since the values above were computed.\n"
                 "# TYPE kpi_metrics_age_seconds gauge\nkpi_metrics_age_seconds %.3f\n"
                 "# HELP kpi_metrics_refresh_duration_seconds How long computing them took.\n"
                 "# TYPE kpi_metrics_refresh_duration_seconds gauge\n"
                 "kpi_metrics_refresh_duration_seconds %.3f\n"
                 "# HELP kpi_metrics_refreshes_total Times the values were computed (or tried).\n"
                 "# TYPE kpi_metrics_refreshes_total counter\nkpi_metrics_refreshes_total %llu\n"
                 "# HELP kpi_metrics_refresh_errors_total Refreshes that failed, keeping the values"
                 " before.\n# TYPE kpi_metrics_refresh_errors_total counter\n"
                 "kpi_metrics_refresh_errors_total %llu\n",
                 now - m->built_at, m->took, m->refreshes, m->errors);
    kmbuf_append(out, s, (size_t)n < sizeof s ? (size_t)n : sizeof s - 1);
}

void kmetrics_scrape(kmetrics_cache *m, const char *kpis, const char *department, kresponse *out)
{
    double start = mono_now();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)FIRST_WAIT_S;
    pthread_mutex_lock(&m->mu);
    while (!m->text && !m->tried && mono_now() - start < FIRST_WAIT_S)
        if (pthread_cond_timedwait(&m->cond, &m->mu, &ts) == ETIMEDOUT)
            break;
    kmbuf b = {0};
    bool ok = m->text && kmetrics_text_scrape(m->text, kpis, department, &b, out);
    if (ok)
        cache_figures(m, mono_now(), &b);
    else if (!out->body && m->error[0])
        kresponse_error(out, 500, m->error);
    else if (!out->body)
        kresponse_error(out, 503, "the metrics are still being computed: try again shortly");
    pthread_mutex_unlock(&m->mu);
    if (ok && b.failed)
        kresponse_error(out, 500, "out of memory");
    if (!ok || b.failed) {
        free(b.p);
        return;
    }
    out->status = 200;
    out->type = "text/plain; version=0.0.4; charset=utf-8";
    out->body = b.p;
    out->len = b.n;
}
