/*
 * cmd_export.c - `kpi export STREAM`: a stream's stored events, in time order, as CSV or NDJSON
 * on standard output or in a file, or as a new SQLite file. The library does the work
 * (kpi_export); this reads the options and says where the rows went.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

typedef struct export_args {
    const char *stream;
    const char *output; /* NULL: standard output */
    kpi_export_options opts;
} export_args;

static int to_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* One option at argv[*i]: EXIT_OK when it is known and well formed. */
static int parse_option(int argc, char **argv, int *i, export_args *a)
{
    const char *v, *format = NULL;
    const char *name = argv[*i];
    if (cli_opt_value(argc, argv, i, "--from", &v))
        a->opts.from = v;
    else if (cli_opt_value(argc, argv, i, "--to", &v))
        a->opts.to = v;
    else if (cli_opt_value(argc, argv, i, "--output", &v))
        a->output = v && strcmp(v, "-") ? v : NULL;
    else if (cli_opt_value(argc, argv, i, "--format", &format))
        v = format;
    else
        return cli_usage("export", "unknown option '%s'", name);
    if (!v)
        return cli_usage("export", "%s needs a value", name);
    if (format && !kpi_export_format_parse(format, &a->opts.format))
        return cli_usage("export", "unknown format '%s' (csv, ndjson or sqlite)", format);
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, export_args *a)
{
    kpi_export_options_init(&a->opts);
    for (int i = 1; i < argc; i++) {
        int code = EXIT_OK;
        if (argv[i][0] == '-' && argv[i][1])
            code = parse_option(argc, argv, &i, a);
        else if (a->stream)
            return cli_usage("export", "one stream at a time");
        else
            a->stream = argv[i];
        if (code != EXIT_OK)
            return code;
    }
    if (!a->stream)
        return cli_usage("export", "name the stream to export");
    if (a->opts.format == KPI_EXPORT_SQLITE && !a->output)
        return cli_usage("export", "--format sqlite writes a new file: name it with --output"
                                   " FILE (it cannot go to standard output)");
    a->opts.path = a->output;
    a->opts.write = to_stdout;
    return EXIT_OK;
}

int cmd_export(cli *c, int argc, char **argv)
{
    export_args a = {0};
    int code = parse_args(argc, argv, &a);
    if (code != EXIT_OK)
        return code;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    uint64_t rows = 0;
    if (kpi_export(ws, a.stream, &a.opts, &rows) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    kpi_workspace_destroy(ws);
    if (code != EXIT_OK)
        return code;
    if (a.output) {
        char n[32];
        printf("%s: %s rows written to %s\n", a.stream, cli_count(rows, n, sizeof n), a.output);
    }
    if (fflush(stdout) == 0)
        return EXIT_OK;
    fprintf(stderr, "kpi: cannot write to standard output: %s\n", strerror(errno));
    return EXIT_RUNTIME;
}
