/*
 * cmd_init.c - `kpi init [DIR]`: a new workspace.
 */
#include "cli.h"

#include <string.h>

int cmd_init(cli *c, int argc, char **argv)
{
    const char *dir = NULL;
    int catalog = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--catalog"))
            catalog = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("init", "unknown option '%s'", argv[i]);
        else if (dir)
            return cli_usage("init", "one directory only");
        else
            dir = argv[i];
    }
    if (!dir)
        dir = c->workspace;
    kpi_error err;
    kpi_error_init(&err);
    if (kpi_workspace_init(dir, catalog, &err) != KPI_OK)
        return cli_fail(&err);
    if (catalog)
        printf("created workspace in %s with the standard catalog (%s/kpis/*.yaml): 'kpi streams'"
               " lists what to import, 'kpi list' the KPIs\n",
               dir, dir);
    else
        printf("created workspace in %s: edit %s/kpi.yaml, then 'kpi import STREAM FILE'\n", dir,
               dir);
    return EXIT_OK;
}
