/*
 * cmd_init.c - `kpi init [DIR]`: a new workspace.
 */
#include "cli.h"

#include <string.h>

int cmd_init(cli *c, int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("init", "unknown option '%s'", argv[i]);
        if (dir)
            return cli_usage("init", "one directory only");
        dir = argv[i];
    }
    if (!dir)
        dir = c->workspace;
    kpi_error err;
    kpi_error_init(&err);
    if (kpi_workspace_init(dir, &err) != KPI_OK)
        return cli_fail(&err);
    printf("created workspace in %s: edit %s/kpi.yaml, then 'kpi import STREAM FILE'\n", dir,
           dir);
    return EXIT_OK;
}
