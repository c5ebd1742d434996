/*
 * cmd_query.c - `kpi query` (values per period and group), `kpi explain` (the plan and its SQL)
 * and `kpi report` (the review table): parse the request, run it through the library, render.
 */
#include "cli.h"

#include <sys/ioctl.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Splits "a,b,c" in place into list (at most cap entries); returns the count. */
static size_t split(char *s, const char **list, size_t cap)
{
    size_t n = 0;
    for (char *tok = s; tok && n < cap;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        if (*tok)
            list[n++] = tok;
        tok = comma ? comma + 1 : NULL;
    }
    return n;
}

typedef struct request {
    kpi_query q;
    const char *kpis[64];
    const char *by[8];
    kpi_output format;
    bool format_set;
} request;

/* Parses the options shared by query, explain and report; positional KPI ids when want_kpis. */
static int parse(const char *cmd, int argc, char **argv, request *r, bool want_kpis)
{
    memset(r, 0, sizeof *r);
    r->q.kpis = r->kpis;
    r->q.by = r->by;
    r->format = KPI_OUTPUT_TABLE;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_opt_value(argc, argv, &i, "--period", &v))
            r->q.period = v;
        else if (cli_opt_value(argc, argv, &i, "--from", &v))
            r->q.from = v;
        else if (cli_opt_value(argc, argv, &i, "--to", &v))
            r->q.to = v;
        else if (cli_opt_value(argc, argv, &i, "--grain", &v))
            r->q.grain = v;
        else if (cli_opt_value(argc, argv, &i, "--where", &v))
            r->q.where = v;
        else if (cli_opt_value(argc, argv, &i, "--by", &v)) {
            if (v)
                r->q.nby += split((char *)v, r->by + r->q.nby, 8 - r->q.nby);
        } else if (cli_opt_value(argc, argv, &i, "--format", &v)) {
            if (!v || !kpi_output_parse(v, &r->format))
                return cli_usage(cmd, "--format takes table, csv, json or markdown");
            r->format_set = true;
            continue;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage(cmd, "unknown option '%s'", argv[i]);
        } else if (want_kpis) {
            r->q.nkpis += split(argv[i], r->kpis + r->q.nkpis, 64 - r->q.nkpis);
            continue;
        } else {
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        }
        if (!v)
            return cli_usage(cmd, "%s needs a value", argv[i]);
    }
    if (want_kpis && r->q.nkpis == 0)
        return cli_usage(cmd, "name at least one KPI (see 'kpi list')");
    return EXIT_OK;
}

/* Colour on a terminal unless NO_COLOR; the terminal's width (else $COLUMNS, else 100). */
static kpi_render_options render_options(void)
{
    bool tty = isatty(1);
    const char *nc = getenv("NO_COLOR");
    kpi_render_options o = {.color = tty && !(nc && *nc), .unicode = 1, .width = 100};
    struct winsize ws;
    const char *cols = getenv("COLUMNS");
    if (tty && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        o.width = ws.ws_col;
    else if (cols && atoi(cols) >= 40)
        o.width = atoi(cols);
    return o;
}

int cmd_query(cli *c, int argc, char **argv)
{
    request r;
    int code = parse("query", argc, argv, &r, true);
    if (code != EXIT_OK)
        return code;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    kpi_result *res = NULL;
    if (kpi_query_run(ws, &r.q, &res) != KPI_OK) {
        code = cli_fail(kpi_workspace_error(ws));
    } else {
        kpi_render_options o = render_options();
        char *text = kpi_result_render(res, r.format, &o);
        if (!text) {
            fprintf(stderr, "kpi: out of memory\n");
            code = EXIT_RUNTIME;
        } else {
            fputs(text, stdout);
            free(text);
        }
    }
    kpi_result_destroy(res);
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_explain(cli *c, int argc, char **argv)
{
    request r;
    int code = parse("explain", argc, argv, &r, true);
    if (code != EXIT_OK)
        return code;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    char *text = kpi_query_explain(ws, &r.q);
    if (!text)
        code = cli_fail(kpi_workspace_error(ws));
    else
        fputs(text, stdout);
    free(text);
    kpi_workspace_destroy(ws);
    return code;
}

static int print_result(kpi_result *res, kpi_output fmt, bool report)
{
    kpi_render_options o = render_options();
    char *text = report ? kpi_report_render(res, fmt, &o) : kpi_result_render(res, fmt, &o);
    if (!text) {
        fprintf(stderr, "kpi: out of memory\n");
        return EXIT_RUNTIME;
    }
    fputs(text, stdout);
    free(text);
    return EXIT_OK;
}

int cmd_report(cli *c, int argc, char **argv)
{
    const char *period = NULL, *department = NULL, *v;
    kpi_output fmt = KPI_OUTPUT_TABLE;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--period", &v) && v)
            period = v;
        else if (cli_opt_value(argc, argv, &i, "--department", &v) && v)
            department = v;
        else if (cli_opt_value(argc, argv, &i, "--format", &v) && v && kpi_output_parse(v, &fmt))
            continue;
        else
            return cli_usage("report", "unexpected argument '%s'", argv[i]);
    }
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    kpi_result *res = NULL;
    if (kpi_report_run(ws, period, department, &res) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else
        code = print_result(res, fmt, true);
    kpi_result_destroy(res);
    kpi_workspace_destroy(ws);
    return code;
}

/* A whole number >= 0 with nothing after it. */
static bool whole(const char *v, long *n)
{
    char *end;
    *n = strtol(v, &end, 10);
    return end != v && !*end && *n >= 0;
}

int cmd_top(cli *c, int argc, char **argv)
{
    const char *kpi = NULL, *by = NULL, *period = NULL, *v;
    long n = 10;
    kpi_output fmt = KPI_OUTPUT_TABLE;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--by", &v) && v)
            by = v;
        else if (cli_opt_value(argc, argv, &i, "--period", &v) && v)
            period = v;
        else if (cli_opt_value(argc, argv, &i, "-n", &v) && v && whole(v, &n))
            continue;
        else if (cli_opt_value(argc, argv, &i, "--format", &v) && v && kpi_output_parse(v, &fmt))
            continue;
        else if (argv[i][0] != '-' && !kpi)
            kpi = argv[i];
        else
            return cli_usage("top", "unexpected argument '%s'", argv[i]);
    }
    if (!kpi || !by)
        return cli_usage("top", "name a KPI and --by DIMENSION");
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    kpi_result *res = NULL;
    if (kpi_top_run(ws, kpi, by, period, (size_t)n, &res) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else
        code = print_result(res, fmt, false);
    kpi_result_destroy(res);
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_list(cli *c, int argc, char **argv)
{
    const char *department = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--department", &v) && v)
            department = v;
        else
            return cli_usage("list", "unexpected argument '%s'", argv[i]);
    }
    int checked = cli_check(c, true); /* a mistake anywhere fails the listing, named */
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    code = checked;
    printf("%-32s %-36s %-14s %-9s %-8s %s\n", "KPI", "NAME", "DEPARTMENT", "UNIT", "GRAIN",
           "DIRECTION");
    for (size_t i = 0; i < kpi_kpi_count(ws); i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        if (department && (!k.department || strcmp(k.department, department)))
            continue;
        printf("%-32s %-36s %-14s %-9s %-8s %s%s%s\n", k.id, k.name,
               k.department ? k.department : "-", k.unit, k.grain, k.direction,
               k.manual ? " (manual)" : "", kpi_kpi_error(ws, i) ? " (broken)" : "");
    }
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_catalog(cli *c, int argc, char **argv)
{
    (void)c;
    const char *department = NULL, *v;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--department", &v) && v)
            department = v;
        else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            verbose = true;
        else
            return cli_usage("catalog", "unexpected argument '%s'", argv[i]);
    }
    kpi_catalog *cat;
    kpi_error err;
    kpi_error_init(&err);
    if (kpi_catalog_open(&cat, &err) != KPI_OK)
        return cli_fail(&err);
    const char *last = "";
    for (size_t i = 0; i < kpi_catalog_count(cat); i++) {
        kpi_kpi_info k;
        kpi_catalog_kpi(cat, i, &k);
        const char *dep = k.department ? k.department : "other";
        if (department && strcmp(dep, department))
            continue;
        if (strcmp(dep, last))
            printf("%s%s\n", *last ? "\n" : "", dep);
        last = dep;
        printf("  %-34s %-40s %-9s %-8s %s\n", k.id, k.name, k.unit, k.grain, k.direction);
        if (verbose)
            printf("      %s\n      formula: %s\n", k.description ? k.description : "",
                   k.formula ? k.formula : "(manual)");
    }
    kpi_catalog_destroy(cat);
    return EXIT_OK;
}
