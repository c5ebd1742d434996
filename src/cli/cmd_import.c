/*
 * cmd_import.c - `kpi import STREAM FILE...`: runs the library's import for each file, draws a
 * progress bar on a terminal, lets Ctrl-C stop cleanly after the batch in flight, and prints
 * accepted / rejected / duplicate counts.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct ui {
    bool bar; /* stderr is a terminal and progress is wanted */
    bool quiet;
    bool drawn;
} ui;

static void on_progress(void *ctx, const kpi_progress *p)
{
    ui *u = ctx;
    /* small inputs finish before a bar would help */
    if (!u->bar || p->total_bytes < (8u << 20) || p->elapsed_s < 0.3)
        return;
    double frac = p->total_bytes ? (double)p->bytes_read / (double)p->total_bytes : 0;
    if (frac > 1)
        frac = 1;
    double rate = p->elapsed_s > 0 ? (double)p->rows / p->elapsed_s : 0;
    double eta = frac > 0 ? p->elapsed_s * (1 - frac) / frac : 0;
    char bar[31];
    int filled = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    char rows[32];
    fprintf(stderr, "\r[%s] %3.0f%%  %s rows  %.0fk rows/s  ETA %.0fs \033[K", bar, frac * 100,
            cli_count(p->rows, rows, sizeof rows), rate / 1000, eta);
    u->drawn = true;
}

static void on_warning(void *ctx, const kpi_error *w)
{
    ui *u = ctx;
    if (u->quiet)
        return;
    char msg[2400];
    kpi_error_format(w, msg, sizeof msg);
    if (u->drawn) {
        fprintf(stderr, "\r\033[K");
        u->drawn = false;
    }
    fprintf(stderr, "kpi: warning: %s\n", msg);
}

static void print_summary(const char *label, const kpi_import_result *r)
{
    char a[32], j[32], d[32];
    printf("%s: %s accepted, %s rejected, %s duplicates\n", label,
           cli_count(r->accepted, a, sizeof a), cli_count(r->rejected, j, sizeof j),
           cli_count(r->duplicates, d, sizeof d));
    if (r->rounded) {
        char n[32], scale[32] = "their fields' scales";
        if (r->rounded_scale >= 0)
            snprintf(scale, sizeof scale, "%d decimal%s", r->rounded_scale,
                     r->rounded_scale == 1 ? "" : "s");
        printf("  %s value%s rounded to %s (round: false on a field rejects them instead)\n",
               cli_count(r->rounded, n, sizeof n), r->rounded == 1 ? "" : "s", scale);
    }
    if (r->rejects_path[0])
        printf("  rejected rows (with line, field, value and reason): %s\n", r->rejects_path);
}

int cmd_import(cli *c, int argc, char **argv)
{
    kpi_import_options opts;
    kpi_import_options_init(&opts);
    const char *stream = NULL, *v;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    ui u = {.bar = isatty(2) != 0};
    if (!files)
        return cli_nomem();
    int code = EXIT_OK;
    for (int i = 1; i < argc && code == EXIT_OK; i++) {
        if (cli_opt_value(argc, argv, &i, "--format", &v)) {
            if (v && !strcmp(v, "csv"))
                opts.format = KPI_FORMAT_CSV;
            else if (v && !strcmp(v, "ndjson"))
                opts.format = KPI_FORMAT_NDJSON;
            else
                code = cli_usage("import", "--format takes csv or ndjson");
        } else if (cli_opt_value(argc, argv, &i, "--rejects", &v)) {
            if (!v)
                code = cli_usage("import", "--rejects takes a file name");
            opts.rejects_path = v;
        } else if (cli_opt_value(argc, argv, &i, "--as-of", &v)) {
            if (!v)
                code = cli_usage("import", "--as-of takes a date (YYYY-MM-DD)");
            opts.as_of = v;
        } else if (cli_opt_value(argc, argv, &i, "--batch", &v)) {
            char *end;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || n < 1 || n > 10000000)
                code = cli_usage("import", "--batch takes a row count from 1 to 10000000");
            opts.batch_rows = (size_t)n;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            u.quiet = true;
            u.bar = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            code = cli_usage("import", "unknown option '%s'", argv[i]);
        } else if (!stream) {
            stream = argv[i];
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (code == EXIT_OK && (!stream || !nfiles))
        code = cli_usage("import", "give a stream and at least one file (- for stdin)");
    if (code != EXIT_OK) {
        free(files);
        return code;
    }
    if (opts.rejects_path && nfiles > 1) {
        free(files);
        return cli_usage("import", "--rejects names one file: import one input at a time");
    }
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws) {
        free(files);
        return code;
    }
    opts.progress = on_progress;
    opts.warning = on_warning;
    opts.ctx = &u;
    opts.cancel = &interrupted;
    struct sigaction sa = {.sa_handler = on_sigint};
    sigaction(SIGINT, &sa, NULL);
    kpi_import_result total = {0}, r;
    for (size_t f = 0; f < nfiles; f++) {
        kpi_status rc = kpi_import_file(ws, stream, files[f], &opts, &r);
        if (u.drawn) {
            fprintf(stderr, "\r\033[K");
            u.drawn = false;
        }
        total.accepted += r.accepted;
        total.rejected += r.rejected;
        total.duplicates += r.duplicates;
        if (rc == KPI_OK || r.accepted || r.rejected || r.duplicates)
            print_summary(files[f], &r);
        if (rc != KPI_OK) {
            code = cli_fail(kpi_workspace_error(ws));
            if (rc == KPI_CANCELLED)
                fprintf(stderr, "kpi: interrupted: the batches committed before Ctrl-C are kept;"
                                " importing again skips rows already stored (with an id field)\n");
            break;
        }
    }
    if (nfiles > 1 && code == EXIT_OK)
        print_summary("total", &total);
    if (code == EXIT_OK && total.rejected)
        code = EXIT_REJECTED;
    kpi_workspace_destroy(ws);
    free(files);
    return code;
}
