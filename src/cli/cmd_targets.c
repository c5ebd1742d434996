/*
 * cmd_targets.c - `kpi targets set KPI VALUE [--period P] [--by DIM=VAL]...` and
 * `kpi targets import FILE.csv`: targets and quotas kept in kpi.db.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int set(cli *c, int argc, char **argv)
{
    const char *kpi = NULL, *value = NULL, *period = NULL, *v;
    const char *dims[16];
    size_t nd = 0;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--period", &v) && v)
            period = v;
        else if (cli_opt_value(argc, argv, &i, "--by", &v) && v && nd < 16)
            dims[nd++] = v;
        else if (argv[i][0] == '-' && !(argv[i][1] >= '0' && argv[i][1] <= '9'))
            return cli_usage("targets", "unexpected option '%s'", argv[i]);
        else if (!kpi)
            kpi = argv[i];
        else if (!value)
            value = argv[i];
        else
            return cli_usage("targets", "unexpected argument '%s'", argv[i]);
    }
    char *end = NULL;
    double x = value ? strtod(value, &end) : 0;
    if (!kpi || !value || *end)
        return cli_usage("targets", "give a KPI and a numeric VALUE");
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    if (kpi_target_set(ws, kpi, period, dims, nd, x) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else
        printf("target of %s set to %s%s%s\n", kpi, value, period ? " for " : "",
               period ? period : "");
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_targets(cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "set"))
        return set(c, argc, argv);
    if (argc == 3 && !strcmp(argv[1], "import")) {
        int code = EXIT_OK;
        kpi_workspace *ws = cli_open(c, &code);
        if (!ws)
            return code;
        size_t n = 0;
        if (kpi_targets_import(ws, argv[2], &n) != KPI_OK)
            code = cli_fail(kpi_workspace_error(ws));
        else
            printf("%s: %zu targets stored\n", argv[2], n);
        kpi_workspace_destroy(ws);
        return code;
    }
    return cli_usage("targets", "use 'kpi targets set' or 'kpi targets import FILE.csv'");
}
