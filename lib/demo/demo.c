/*
 * demo.c - kpi_demo_create: the demo workspace. A catalog workspace is created, the parts of
 * the generator simulate every day from the first month to now, each writing its streams as
 * CSV files, and every file then goes through kpi_import_file, exactly as a user's export
 * would (so the demo also exercises the import path at scale). Generation runs in a thread,
 * part by part, and each part's files are imported while the next part is generated. Targets come last: they are
 * set from the imported data (targets.c).
 */
#include "demo.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEMO_TIMEZONE "America/Chicago"

/* The small parts first, so that their import starts while the big ones are generated. */
static const kdemo_part *const parts[] = {
    &kdemo_part_it,    &kdemo_part_hr,    &kdemo_part_manufacturing, &kdemo_part_finance,
    &kdemo_part_support, &kdemo_part_sales, &kdemo_part_marketing,
};
enum { NPARTS = sizeof parts / sizeof parts[0] };

void kpi_demo_options_init(kpi_demo_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->seed = 1;
    opts->scale = 1;
    opts->months = 24;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The catalog template names "My company" in UTC; the demo company is in Chicago. */
static kpi_status name_workspace(const char *dir, kpi_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    kbuf b;
    kbuf_init(&b, 1 << 20);
    FILE *f = fopen(path, "r");
    if (!f)
        return kerr_set(err, KPI_IO, "%s: %s", path, strerror(errno));
    char line[1024];
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "  name: ", 8))
            ok = kbuf_appends(&b, "  name: Alder & Finch Outdoor (demo)\n");
        else if (!strncmp(line, "  timezone: UTC", 15))
            ok = kbuf_printf(&b, "  timezone: %s%s", DEMO_TIMEZONE, line + 15 + strlen(DEMO_TIMEZONE) - 3);
        else
            ok = kbuf_appends(&b, line);
    }
    fclose(f);
    f = ok ? fopen(path, "w") : NULL;
    if (!f || fwrite(b.p, 1, b.n, f) != b.n) {
        if (f)
            fclose(f);
        kbuf_release(&b);
        return kerr_set(err, KPI_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    kbuf_release(&b);
    return fclose(f) == 0 ? KPI_OK : kerr_set(err, KPI_IO, "%s: %s", path, strerror(errno));
}

/* Generation runs in a thread of its own, part by part: the files of each finished part are
 * imported while the next part is generated. `ready` counts the files that are complete. */
typedef struct pipeline {
    kdemo *d;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t ready;
    bool done;
    double seconds; /* spent generating */
} pipeline;

/* Simulates every day of each part in turn (parts draw from their own random streams, so the
 * order changes nothing in the data) and hands its files over. */
static void *generate(void *arg)
{
    pipeline *p = arg;
    kdemo *d = p->d;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < NPARTS && !d->failed; i++) {
        void *state = parts[i]->create(d);
        for (int64_t day = d->first_day; state && day <= d->today && !d->failed; day++)
            parts[i]->day(d, state, day);
        if (state)
            parts[i]->finish(d, state);
        pthread_mutex_lock(&p->mu);
        for (size_t k = p->ready; k < d->nouts; k++) {
            kdemo_out *o = &d->outs[k];
            if ((ferror(o->f) | fclose(o->f)) && !d->failed) {
                d->failed = true;
                kerr_set(d->err, KPI_IO, "%s: write failed: %s", o->path, strerror(errno));
            }
            o->f = NULL;
        }
        p->ready = d->nouts;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    p->seconds = seconds_since(&t0);
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Imports each file as the generator hands it over; stops at the first failure. */
static kpi_status import_all(pipeline *p, kpi_workspace *ws, const kpi_demo_options *opts,
                             uint64_t *events, kpi_error *err)
{
    kdemo *d = p->d;
    size_t next = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (next == p->ready && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        size_t ready = p->ready;
        bool done = p->done;
        pthread_mutex_unlock(&p->mu);
        if (next == ready && done)
            return KPI_OK;
        for (; next < ready; next++) {
            kdemo_out *o = &d->outs[next];
            if (opts->step) {
                char what[128];
                snprintf(what, sizeof what, "importing %s", o->stream);
                opts->step(opts->ctx, what, *events);
            }
            kpi_import_options io;
            kpi_import_options_init(&io);
            kpi_import_result r;
            kpi_status st = kpi_import_file(ws, o->stream, o->path, &io, &r);
            if (st != KPI_OK) {
                *err = *kpi_workspace_error(ws);
                return st;
            }
            if (r.rejected || r.accepted != o->rows)
                return kerr_set(err, KPI_INPUT,
                                "demo: %s: %llu of %llu generated rows stored (%llu rejected,"
                                " see %s)",
                                o->stream, (unsigned long long)r.accepted,
                                (unsigned long long)o->rows, (unsigned long long)r.rejected,
                                r.rejects_path);
            *events += r.accepted;
        }
    }
}

static void free_run(kdemo *d, bool remove_files)
{
    for (size_t i = 0; i < d->nouts; i++) {
        if (d->outs[i].f)
            fclose(d->outs[i].f);
        if (remove_files)
            unlink(d->outs[i].path);
        free(d->outs[i].path);
    }
    free(d->outs);
    if (d->tz)
        ktz_close(d->tz);
    free(d->dir);
}

kpi_status kpi_demo_create(const char *dir, const kpi_demo_options *opts_in,
                           kpi_demo_result *result, kpi_error *err)
{
    kpi_demo_options opts;
    if (opts_in)
        opts = *opts_in;
    else
        kpi_demo_options_init(&opts);
    memset(result, 0, sizeof *result);
    if (!(opts.scale > 0 && opts.scale <= 1000))
        return kerr_set(err, KPI_USAGE, "demo: scale must be above 0 and at most 1000");
    if (opts.months < 1 || opts.months > 120)
        return kerr_set(err, KPI_USAGE, "demo: months must be 1 to 120");

    kpi_status st = kpi_workspace_init(dir, 1, err);
    if (st != KPI_OK)
        return st;
    if ((st = name_workspace(dir, err)) != KPI_OK)
        return st;

    kdemo d = {.seed = opts.seed, .scale = opts.scale, .err = err};
    if ((st = ktz_open(DEMO_TIMEZONE, &d.tz, err)) != KPI_OK)
        return st;
    int64_t now_us = opts.now_us;
    if (!now_us) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        now_us = (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
    }
    d.now_s = now_us / 1000000;
    d.today = ktz_day_of(d.tz, now_us);
    d.last_month_first = kdemo_month_first(kdemo_month_first(d.today) - 1);
    d.first_day = kdemo_month_first(d.today);
    for (int i = 0; i < opts.months; i++)
        d.first_day = kdemo_month_first(d.first_day - 1);
    size_t n = strlen(dir) + 8;
    d.dir = malloc(n);
    if (!d.dir) {
        free_run(&d, false);
        return kerr_set(err, KPI_NOMEM, "out of memory");
    }
    snprintf(d.dir, n, "%s/data", dir);
    if (mkdir(d.dir, 0777) != 0 && errno != EEXIST) {
        st = kerr_set(err, KPI_IO, "%s: %s", d.dir, strerror(errno));
        free_run(&d, false);
        return st;
    }

    /* the generator reports into an error of its own: the import has the caller's */
    kpi_error gen_err;
    kpi_error_init(&gen_err);
    d.err = &gen_err;
    kpi_workspace *ws = NULL;
    if ((st = kpi_workspace_open(dir, &ws)) != KPI_OK) {
        *err = *kpi_workspace_error(ws);
        kpi_workspace_destroy(ws);
        free_run(&d, false);
        return st;
    }
    kpi_workspace_set_now(ws, now_us);
    if (opts.step)
        opts.step(opts.ctx, "generating", 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pipeline p = {.d = &d};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t gen;
    if (pthread_create(&gen, NULL, generate, &p) != 0) {
        st = kerr_set(err, KPI_NOMEM, "cannot start the generator");
    } else {
        st = import_all(&p, ws, &opts, &result->events, err);
        pthread_join(gen, NULL);
        if (st == KPI_OK && d.failed)
            *err = gen_err, st = gen_err.status ? gen_err.status : KPI_IO;
    }
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    result->generate_s = p.seconds;
    result->total_s = seconds_since(&t0);
    result->streams = d.nouts;
    if (st == KPI_OK) {
        if (opts.step)
            opts.step(opts.ctx, "targets", result->events);
        char path[4096];
        snprintf(path, sizeof path, "%s/targets.csv", d.dir);
        st = kdemo_write_targets(ws, &d, path, err);
        if (st == KPI_OK && (st = kpi_targets_import(ws, path, &result->targets)) != KPI_OK)
            *err = *kpi_workspace_error(ws);
    }
    kpi_workspace_destroy(ws);
    free_run(&d, !opts.keep_csv);
    return st;
}
