/*
 * cmd_targets.c - `kpi targets set KPI VALUE [--period P] [--by DIM=VAL]...`,
 * `kpi targets unset KPI [--period P] [--by DIM=VAL]...`, `kpi targets list [KPI]` and
 * `kpi targets import FILE.csv`: targets and quotas kept in kpi.db, next to kpi.yaml's.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* What set and unset are given: the KPI, the value (set only), the period, the groups. */
typedef struct scope {
    const char *kpi, *value, *period;
    const char *dims[16];
    size_t nd;
} scope;

static int parse_scope(int argc, char **argv, bool want_value, scope *s)
{
    memset(s, 0, sizeof *s);
    const char *v;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--period", &v) && v)
            s->period = v;
        else if (cli_opt_value(argc, argv, &i, "--by", &v) && v && s->nd < 16)
            s->dims[s->nd++] = v;
        else if (argv[i][0] == '-' && !(argv[i][1] >= '0' && argv[i][1] <= '9'))
            return cli_usage("targets", "unexpected option '%s'", argv[i]);
        else if (!s->kpi)
            s->kpi = argv[i];
        else if (want_value && !s->value)
            s->value = argv[i];
        else
            return cli_usage("targets", "unexpected argument '%s'", argv[i]);
    }
    if (!s->kpi)
        return cli_usage("targets", "name a KPI");
    return EXIT_OK;
}

/* " for 2026-10 by rep=Ana" or " for every period" (the period as stored). */
static void print_scope(kpi_workspace *ws, const scope *s)
{
    char name[64] = "";
    if (s->period && kpi_period_name(ws, s->period, name, sizeof name) != KPI_OK)
        snprintf(name, sizeof name, "%s", s->period);
    printf(" for %s", *name ? name : "every period");
    for (size_t i = 0; i < s->nd; i++)
        printf("%s%s", i ? ", " : " by ", s->dims[i]);
    printf("\n");
}

static int set(cli *c, int argc, char **argv)
{
    scope s;
    int code = parse_scope(argc, argv, true, &s);
    if (code != EXIT_OK)
        return code;
    char *end = NULL;
    double x = s.value ? strtod(s.value, &end) : 0;
    if (!s.value || *end)
        return cli_usage("targets", "give a KPI and a numeric VALUE");
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    if (kpi_target_set(ws, s.kpi, s.period, s.dims, s.nd, x) != KPI_OK) {
        code = cli_fail(kpi_workspace_error(ws));
    } else {
        printf("target of %s set to %s", s.kpi, s.value);
        print_scope(ws, &s);
    }
    kpi_workspace_destroy(ws);
    return code;
}

static int unset(cli *c, int argc, char **argv)
{
    scope s;
    int code = parse_scope(argc, argv, false, &s);
    if (code != EXIT_OK)
        return code;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    if (kpi_target_unset(ws, s.kpi, s.period, s.dims, s.nd) != KPI_OK) {
        code = cli_fail(kpi_workspace_error(ws));
    } else {
        printf("target of %s removed", s.kpi);
        print_scope(ws, &s);
    }
    kpi_workspace_destroy(ws);
    return code;
}

static void print_target(void *ctx, const kpi_target_entry *t)
{
    size_t *n = ctx;
    if ((*n)++ == 0)
        printf("%-32s %-10s %-24s %14s  %s\n", "KPI", "PERIOD", "GROUP", "VALUE", "SET IN");
    printf("%-32s %-10s %-24s %14.15g  %s\n", t->kpi, *t->period ? t->period : "every",
           *t->dims ? t->dims : "-", t->value, t->source);
}

static int list(cli *c, int argc, char **argv)
{
    if (argc > 3)
        return cli_usage("targets", "unexpected argument '%s'", argv[3]);
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    size_t n = 0;
    if (kpi_targets_each(ws, argc == 3 ? argv[2] : NULL, print_target, &n) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else if (n == 0)
        printf("no targets%s%s: set one with 'kpi targets set' or in kpi.yaml\n",
               argc == 3 ? " for " : "", argc == 3 ? argv[2] : "");
    kpi_workspace_destroy(ws);
    return code;
}

static int import(cli *c, const char *path)
{
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    size_t n = 0;
    if (kpi_targets_import(ws, path, &n) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else
        printf("%s: %zu targets stored\n", path, n);
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_targets(cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "set"))
        return set(c, argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "unset"))
        return unset(c, argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "list"))
        return list(c, argc, argv);
    if (argc == 3 && !strcmp(argv[1], "import"))
        return import(c, argv[2]);
    return cli_usage("targets", "use 'kpi targets set', 'unset', 'list' or 'import FILE.csv'");
}
