/*
 * demo.c - kdemo_create: the demo workspace. A catalog workspace is created and named for
 * the company, the parts of the generator simulate every day from the first month to now,
 * each writing its streams as CSV files, and every file then goes through kpi_import_file,
 * exactly as a user's export would (so the demo also exercises the import path at scale).
 * Generation runs in a thread, a month at a time, and the files it completes are imported while the
 * months after are generated. Targets come last: they are set from the imported data (targets.c).
 */
#include "demo.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEMO_TIMEZONE "America/Chicago"

static const kdemo_part *const parts[] = {
    &kdemo_part_it,      &kdemo_part_hr,    &kdemo_part_manufacturing, &kdemo_part_finance,
    &kdemo_part_support, &kdemo_part_sales, &kdemo_part_marketing,
};
enum { NPARTS = sizeof parts / sizeof parts[0] };

/* A stream's file is handed over at the end of a month once it holds this many rows (one
 * import batch): big streams are imported a few months at a time, small ones in one file. */
enum { CUT_ROWS = 65536 };

/* The demo's files hold one to a few default batches (65,536 rows), and within one import the
 * writer waits for the first batch to be parsed and the reader for the last to be committed:
 * with quarter-size batches the two threads overlap on most of each file (the events phase
 * took 4.1-4.5 s against 4.2-5.4 s with the default, 8 interleaved runs). */
enum { IMPORT_BATCH_ROWS = 16384 };

void kdemo_options_init(kdemo_options *opts)
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

kpi_status kdemo_fail(kpi_error *err, kpi_status status, const char *fmt, ...)
{
    if (err) {
        kpi_error_init(err);
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* The demo's kpi.yaml: the company's name and time zone, and the catalog's definitions, which
 * kpi_workspace_init wrote to kpis/. The demo made the workspace, so the file is its own: it is
 * written whole (to a temporary file, then renamed over the catalog's), never edited. */
static const char demo_yaml[] =
    "# kpi.yaml - the demo company, written by `kpi demo`: Alder & Finch Outdoor, a fictional\n"
    "# maker and retailer of outdoor gear (docs/demo.md). Every department's KPIs and the\n"
    "# streams they read are the standard catalog's, in kpis/<department>.yaml.\n"
    "\n"
    "workspace:\n"
    "  name: Alder & Finch Outdoor (demo)\n"
    "  timezone: " DEMO_TIMEZONE "  # IANA name: periods are cut in it\n"
    "  # week_start: monday\n"
    "  # fiscal_year_start: 4\n"
    "\n"
    "include: [kpis/*.yaml]\n";

static kpi_status write_definitions(const char *dir, kpi_error *err)
{
    char path[4096], tmp[4096 + 8];
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return kdemo_fail(err, KPI_IO, "cannot write '%s': %s", tmp, strerror(errno));
    bool ok = fwrite(demo_yaml, 1, sizeof demo_yaml - 1, f) == sizeof demo_yaml - 1;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        kpi_status st = kdemo_fail(err, KPI_IO, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        return st;
    }
    return KPI_OK;
}

/* A complete file, ready to import. */
typedef struct ready_file {
    const char *stream;
    char *path;
    uint64_t rows;
} ready_file;

/* Generation runs in a thread of its own, a month at a time, and hands over the files it
 * completes; the caller's thread imports them meanwhile. `files` (nfiles of them, grown by
 * the generator) is shared under `mu`. */
typedef struct pipeline {
    kdemo *d;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ready_file *files;
    size_t nfiles, cap;
    bool done;
    bool stop;      /* the import failed: generating more is of no use */
    double seconds; /* spent generating */
} pipeline;

/* Closes every stream's file that holds at least min_rows rows and queues it for import,
 * then starts the stream's next file at `next_day` (unless next_day < 0: the run is over). */
static void hand_over(pipeline *p, uint64_t min_rows, int64_t next_day)
{
    kdemo *d = p->d;
    for (size_t k = 0; k < d->nouts; k++) {
        kdemo_out *o = &d->outs[k];
        kdemo_release(o, next_day < 0 ? INT64_MAX : next_day);
        if (o->fd < 0 || o->rows < min_rows)
            continue;
        uint64_t rows = o->rows;
        char *path = kdemo_close(d, o);
        if (d->failed) {
            unlink(path);
            free(path);
            return;
        }
        pthread_mutex_lock(&p->mu);
        if (p->nfiles == p->cap) {
            size_t cap = p->cap ? 2 * p->cap : 64;
            ready_file *f = realloc(p->files, cap * sizeof *f);
            if (!f) {
                pthread_mutex_unlock(&p->mu);
                unlink(path);
                free(path);
                kdemo_nomem(d);
                return;
            }
            p->files = f, p->cap = cap;
        }
        p->files[p->nfiles++] = (ready_file){o->stream, path, rows};
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (next_day >= 0 && !kdemo_start(d, o, next_day))
            return;
    }
}

/* Sets the day being simulated (and so which rows are held back for a later day). */
static void simulate_day(kdemo *d, int64_t day)
{
    d->day = day;
    d->day_end_s = kdemo_at(d, day + 1, 0);
}

/* Simulates the run a month at a time, every part in turn (parts draw from their own random
 * streams, so the order changes nothing in the data), and hands the big files over at each
 * month's end, so that their import overlaps the generation of the months after. */
static void *generate(void *arg)
{
    pipeline *p = arg;
    kdemo *d = p->d;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    void *states[NPARTS] = {0};
    simulate_day(d, d->first_day - 1); /* what the parts write as they start is held back */
    for (size_t i = 0; i < NPARTS && !d->failed; i++)
        if (!(states[i] = parts[i]->create(d)))
            d->failed = true;
    bool stop = false;
    for (int64_t month = d->first_day; month <= d->today && !d->failed && !stop;) {
        int64_t next = kdemo_month_next(month);
        int64_t last = next - 1 < d->today ? next - 1 : d->today;
        for (size_t i = 0; i < NPARTS && !d->failed; i++)
            for (int64_t day = month; day <= last && !d->failed; day++) {
                simulate_day(d, day);
                parts[i]->day(d, states[i], day);
            }
        if (next <= d->today)
            hand_over(p, CUT_ROWS, next);
        month = next;
        pthread_mutex_lock(&p->mu);
        stop = p->stop;
        pthread_mutex_unlock(&p->mu);
    }
    simulate_day(d, d->today + 1); /* the snapshots of the whole run */
    for (size_t i = 0; i < NPARTS; i++)
        if (states[i])
            parts[i]->finish(d, states[i]);
    if (!d->failed && !stop)
        hand_over(p, 0, -1);
    p->seconds = seconds_since(&t0);
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Imports each file as the generator hands it over, removing it afterwards unless it is to
 * be kept; stops at the first failure. */
static kpi_status import_all(pipeline *p, kpi_workspace *ws, const kdemo_options *opts,
                             uint64_t *events, kpi_error *err)
{
    for (size_t next = 0;; next++) {
        pthread_mutex_lock(&p->mu);
        while (next == p->nfiles && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        bool have = next < p->nfiles;
        ready_file f = have ? p->files[next] : (ready_file){0};
        pthread_mutex_unlock(&p->mu);
        if (!have)
            return KPI_OK;
        if (opts->step) {
            char what[128];
            snprintf(what, sizeof what, "importing %s", f.stream);
            opts->step(opts->ctx, what, *events);
        }
        kpi_import_options io;
        kpi_import_options_init(&io);
        io.batch_rows = IMPORT_BATCH_ROWS;
        kpi_import_result r;
        kpi_status st = kpi_import_file(ws, f.stream, f.path, &io, &r);
        if (st != KPI_OK) {
            *err = *kpi_workspace_error(ws);
            return st;
        }
        if (r.rejected || r.accepted != f.rows)
            return kdemo_fail(err, KPI_INPUT,
                              "demo: %s: %llu of %llu generated rows stored (%llu rejected,"
                              " see %s)",
                              f.path, (unsigned long long)r.accepted, (unsigned long long)f.rows,
                              (unsigned long long)r.rejected, r.rejects_path);
        if (!opts->keep_csv)
            unlink(f.path);
        *events += r.accepted;
    }
}

/* Frees the run; with remove_files, also removes every CSV file still there. */
static void free_run(kdemo *d, pipeline *p, bool remove_files)
{
    for (size_t i = 0; i < d->nouts; i++) {
        char *path = kdemo_close(d, &d->outs[i]);
        if (path && remove_files)
            unlink(path);
        free(path);
        free(d->outs[i].buf);
        kdemo_free_held(&d->outs[i]);
    }
    free(d->outs);
    for (size_t i = 0; p && i < p->nfiles; i++) {
        if (remove_files)
            unlink(p->files[i].path); /* most are gone already */
        free(p->files[i].path);
    }
    if (p)
        free(p->files);
    kpi_timezone_destroy(d->tz);
    free(d->dir);
}

kpi_status kdemo_create(const char *dir, const kdemo_options *opts_in, kdemo_result *result,
                        kpi_error *err)
{
    kdemo_options opts;
    if (opts_in)
        opts = *opts_in;
    else
        kdemo_options_init(&opts);
    memset(result, 0, sizeof *result);
    if (!(opts.scale > 0 && opts.scale <= 1000))
        return kdemo_fail(err, KPI_USAGE, "demo: scale must be above 0 and at most 1000");
    if (opts.months < 1 || opts.months > 120)
        return kdemo_fail(err, KPI_USAGE, "demo: months must be 1 to 120");

    kpi_status st = kpi_workspace_init(dir, 1, err);
    if (st != KPI_OK)
        return st;
    if ((st = write_definitions(dir, err)) != KPI_OK)
        return st;

    kdemo d = {.seed = opts.seed, .scale = opts.scale, .err = err};
    if ((st = kpi_timezone_create(DEMO_TIMEZONE, &d.tz, err)) != KPI_OK)
        return st;
    int64_t now_us = opts.now_us;
    if (!now_us) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        now_us = (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
    }
    d.now_s = now_us / 1000000;
    d.today = kpi_timezone_day(d.tz, now_us);
    d.last_month_first = kdemo_month_first(kdemo_month_first(d.today) - 1);
    d.first_day = kdemo_month_first(d.today);
    for (int i = 0; i < opts.months; i++)
        d.first_day = kdemo_month_first(d.first_day - 1);
    size_t n = strlen(dir) + 8;
    d.dir = malloc(n);
    if (!d.dir) {
        free_run(&d, NULL, false);
        return kdemo_fail(err, KPI_NOMEM, "out of memory");
    }
    snprintf(d.dir, n, "%s/data", dir);
    if (mkdir(d.dir, 0777) != 0 && errno != EEXIST) {
        st = kdemo_fail(err, KPI_IO, "%s: %s", d.dir, strerror(errno));
        free_run(&d, NULL, false);
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
        free_run(&d, NULL, false);
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
        st = kdemo_fail(err, KPI_NOMEM, "cannot start the generator");
    } else {
        st = import_all(&p, ws, &opts, &result->events, err);
        if (st != KPI_OK) { /* generating more is of no use */
            pthread_mutex_lock(&p.mu);
            p.stop = true;
            pthread_mutex_unlock(&p.mu);
        }
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
    free_run(&d, &p, !opts.keep_csv);
    return st;
}
