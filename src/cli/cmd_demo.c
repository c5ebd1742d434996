/*
 * cmd_demo.c - `kpi demo [DIR]`: the demo company's workspace (kdemo_create, the generator
 * in src/demo/), then its report for the last complete month, as `kpi report` prints it.
 */
#include "cli.h"
#include "../demo/kdemo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Progress on standard error: on a terminal one line, rewritten at each step (the import
 * takes some sixty files), elsewhere a line per step. */
static void step(void *ctx, const char *what, uint64_t rows)
{
    bool *tty = ctx;
    char n[32];
    fputs(*tty ? "\r\033[K" : "", stderr);
    if (rows)
        fprintf(stderr, "kpi demo: %s (%s events so far)", what, cli_count(rows, n, sizeof n));
    else
        fprintf(stderr, "kpi demo: %s", what);
    fputs(*tty ? "" : "\n", stderr);
    fflush(stderr);
}

/* A number option: the whole value must parse and lie in [lo, hi]. */
static bool number(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= lo && x <= hi))
        return false;
    *out = x;
    return true;
}

int cmd_demo(cli *c, int argc, char **argv)
{
    kdemo_options opts;
    kdemo_options_init(&opts);
    const char *dir = NULL, *v;
    bool quiet = false;
    double x;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--seed", &v)) {
            if (!v || !number(v, 0, 1e15, &x) || x != (double)(uint64_t)x)
                return cli_usage("demo", "--seed needs a whole number");
            opts.seed = (uint64_t)x;
        } else if (cli_opt_value(argc, argv, &i, "--scale", &v)) {
            if (!v || !number(v, 0.001, 1000, &opts.scale))
                return cli_usage("demo", "--scale needs a number from 0.001 to 1000");
        } else if (cli_opt_value(argc, argv, &i, "--months", &v)) {
            if (!v || !number(v, 1, 120, &x) || x != (int)x)
                return cli_usage("demo", "--months needs a whole number from 1 to 120");
            opts.months = (int)x;
        } else if (!strcmp(argv[i], "--keep-csv")) {
            opts.keep_csv = 1;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("demo", "unknown option '%s'", argv[i]);
        } else if (dir) {
            return cli_usage("demo", "one directory only");
        } else {
            dir = argv[i];
        }
    }
    if (!dir)
        dir = "demo";
    opts.now_us = cli_now();
    bool tty = isatty(STDERR_FILENO);
    if (!quiet)
        opts.step = step, opts.ctx = &tty;
    kpi_error err;
    kpi_error_init(&err);
    kdemo_result r;
    if (kdemo_create(dir, &opts, &r, &err) != KPI_OK) {
        if (tty && !quiet)
            fputc('\n', stderr); /* after the progress line */
        return cli_fail(&err);
    }
    if (quiet)
        return EXIT_OK;
    char n[32];
    fprintf(stderr,
            "%skpi demo: %s events in %zu streams generated and imported in %.1f s (%.0f events/s;"
            " generating took %.1f s of it); %zu targets\n\n",
            tty ? "\r\033[K" : "", cli_count(r.events, n, sizeof n), r.streams, r.total_s,
            r.total_s > 0 ? (double)r.events / r.total_s : 0, r.generate_s, r.targets);
    cli report = {.workspace = dir, .prog = c->prog};
    char *report_argv[] = {"report", NULL};
    int code = cmd_report(&report, 1, report_argv);
    if (code == EXIT_OK)
        printf("\nThe workspace is %s. Try: kpi -w %s top revenue --by rep -n 5\n", dir, dir);
    return code;
}
