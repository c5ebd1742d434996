/*
 * cmd_streams.c - `kpi streams`: what each stream holds; `kpi streams drop`: delete a stream's
 * events so its schema can change.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int drop(cli *c, int argc, char **argv)
{
    const char *name = NULL;
    bool yes = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--yes"))
            yes = true;
        else if (argv[i][0] == '-')
            return cli_usage("streams", "unknown option '%s'", argv[i]);
        else if (!name)
            name = argv[i];
        else
            return cli_usage("streams", "one stream at a time");
    }
    if (!name)
        return cli_usage("streams", "name the stream to drop");
    if (!yes) {
        fprintf(stderr,
                "kpi: this deletes every stored event of stream '%s'; run again with"
                " --yes to do it\n",
                name);
        return EXIT_USAGE;
    }
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    int64_t rows = 0;
    if (kpi_stream_drop(ws, name, &rows) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else
        printf("dropped stream '%s': %lld rows deleted\n", name, (long long)rows);
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_streams(cli *c, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "drop"))
        return drop(c, argc, argv);
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--format", &v) && v &&
            (!strcmp(v, "json") || !strcmp(v, "table")))
            json = !strcmp(v, "json");
        else
            return cli_usage("streams", "unexpected argument '%s'", argv[i]);
    }
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    if (json) { /* the same bytes as GET /api/v1/streams */
        char *doc = kpi_streams_json(ws);
        if (doc)
            fputs(doc, stdout);
        else
            code = cli_fail(kpi_workspace_error(ws));
        free(doc);
        kpi_workspace_destroy(ws);
        return code;
    }
    size_t n = kpi_stream_count(ws);
    printf("%-20s %-9s %6s %-16s %12s  %-25s  %-25s\n", "STREAM", "KIND", "FIELDS", "ID", "ROWS",
           "FIRST", "LAST");
    for (size_t i = 0; i < n; i++) {
        kpi_stream_info s;
        if (kpi_stream_info_get(ws, i, &s) != KPI_OK) {
            code = cli_fail(kpi_workspace_error(ws));
            break;
        }
        char first[64] = "", last[64] = "", rows[32];
        if (s.rows) {
            kpi_workspace_format_time(ws, s.first_time_us, s.time_is_date, first, sizeof first);
            kpi_workspace_format_time(ws, s.last_time_us, s.time_is_date, last, sizeof last);
        }
        printf("%-20s %-9s %6zu %-16s %12s  %-25s  %-25s\n", s.name, s.kind, s.field_count,
               s.id_field ? s.id_field : "-",
               cli_count((unsigned long long)s.rows, rows, sizeof rows), s.rows ? first : "-",
               s.rows ? last : "-");
    }
    kpi_workspace_destroy(ws);
    return code;
}
