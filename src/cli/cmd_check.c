/*
 * cmd_check.c - `kpi check`: validates kpi.yaml, its includes and every formula without
 * touching data, and lists every mistake (file:line:column, with its caret and suggestion),
 * exit status 2 when there is one. `kpi list` runs the same check.
 */
#include "cli.h"

#include <string.h>

static void print_mistake(void *ctx, const kpi_error *e)
{
    (void)ctx;
    char msg[2400];
    kpi_error_format(e, msg, sizeof msg);
    fprintf(stderr, "kpi: %s\n", msg);
}

int cli_check(cli *c, bool quiet_when_fine)
{
    size_t n = 0;
    kpi_error err;
    kpi_status rc = kpi_check(c->workspace, print_mistake, NULL, &n, &err);
    if (rc == KPI_OK) {
        if (!quiet_when_fine)
            printf("%s/kpi.yaml: the definitions are valid\n", c->workspace);
        return EXIT_OK;
    }
    if (rc != KPI_DEFINITION || n == 0)
        return cli_fail(&err);
    fprintf(stderr, "kpi: %zu mistake%s in the definitions of '%s'%s\n", n, n == 1 ? "" : "s",
            c->workspace, quiet_when_fine ? " ('kpi check' lists them)" : "");
    return EXIT_USAGE;
}

int cmd_check(cli *c, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage("check", "unexpected argument '%s'", argv[1]);
    return cli_check(c, false);
}
