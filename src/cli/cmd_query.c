/*
 * cmd_query.c - `kpi query` (values per period and group), `kpi explain` (the plan and its SQL)
 * and `kpi report` (the review table): parse the request, run it through the library, render.
 */
#include "cli.h"

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

static kpi_render_options render_options(void)
{
    bool tty = isatty(1);
    const char *nc = getenv("NO_COLOR");
    kpi_render_options o = {.color = tty && !(nc && *nc), .unicode = 1, .width = 100};
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
