/*
 * cmd_values.c - `kpi values set KPI PERIOD VALUE [--by DIM=VAL]... [--note TEXT]` and
 * `kpi values list [KPI] [--format table|csv]`: the values of manual (qualitative) KPIs,
 * entered by people and kept with their history in kpi.db.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int set(cli *c, int argc, char **argv)
{
    const char *args[3] = {0}, *note = NULL, *v;
    const char *dims[16];
    size_t nd = 0, na = 0;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--by", &v) && v && nd < 16)
            dims[nd++] = v;
        else if (cli_opt_value(argc, argv, &i, "--note", &v) && v)
            note = v;
        else if (argv[i][0] == '-' && !(argv[i][1] >= '0' && argv[i][1] <= '9'))
            return cli_usage("values", "unexpected option '%s'", argv[i]);
        else if (na < 3)
            args[na++] = argv[i];
        else
            return cli_usage("values", "unexpected argument '%s'", argv[i]);
    }
    char *end = NULL;
    double x = na == 3 ? strtod(args[2], &end) : 0;
    if (na != 3 || end == args[2] || *end)
        return cli_usage("values", "give a KPI, a PERIOD and a numeric VALUE");
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    if (kpi_value_set(ws, args[0], args[1], dims, nd, x, note) != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    else {
        printf("%s for %s", args[0], args[1]);
        for (size_t i = 0; i < nd; i++)
            printf("%s%s", i ? ", " : " (", dims[i]);
        printf("%s set to %s\n", nd ? ")" : "", args[2]);
    }
    kpi_workspace_destroy(ws);
    return code;
}

/* The entries, copied: the library's strings live during its callback only. */
typedef struct entries {
    char **rows; /* "set_at\tkpi\tperiod\tgroup\tvalue\tnote" */
    size_t n, cap;
    bool failed;
} entries;

static void collect(void *ctx, const kpi_value_entry *v)
{
    entries *e = ctx;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        char **grown = realloc(e->rows, cap * sizeof *grown);
        if (!grown) {
            e->failed = true;
            return;
        }
        e->rows = grown;
        e->cap = cap;
    }
    size_t n = strlen(v->set_at) + strlen(v->kpi) + strlen(v->period) + strlen(v->dims) +
               (v->note ? strlen(v->note) : 0) + 64;
    char *row = malloc(n);
    if (!row) {
        e->failed = true;
        return;
    }
    snprintf(row, n, "%s\t%s\t%s\t%s\t%.15g\t%s", v->set_at, v->kpi, v->period, v->dims, v->value,
             v->note ? v->note : "");
    for (char *p = strchr(row, '&'); p; p = strchr(p, '&')) /* "a=x&b=y" reads "a=x b=y" */
        *p = ' ';
    e->rows[e->n++] = row;
}

/* One tab-separated row as CSV (fields quoted when needed) or as padded columns. */
static void print_row(char *row, bool csv)
{
    static const int widths[] = {24, 28, 10, 28, 10, 0};
    char *field = row;
    for (int f = 0; f < 6 && field; f++) {
        char *tab = strchr(field, '\t');
        if (tab)
            *tab = 0;
        if (csv) {
            bool quote = strpbrk(field, ",\"\n") != NULL;
            printf("%s%s", f ? "," : "", quote ? "\"" : "");
            for (const char *p = field; *p; p++) {
                if (*p == '"')
                    putchar('"');
                putchar(*p);
            }
            printf("%s", quote ? "\"" : "");
        } else {
            if (f < 5)
                printf("%-*s  ", widths[f], field);
            else
                fputs(field, stdout);
        }
        field = tab ? tab + 1 : NULL;
    }
    putchar('\n');
}

static int list(cli *c, int argc, char **argv)
{
    const char *kpi = NULL, *v;
    bool csv = false;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--format", &v) && v &&
            (!strcmp(v, "csv") || !strcmp(v, "table")))
            csv = !strcmp(v, "csv");
        else if (argv[i][0] != '-' && !kpi)
            kpi = argv[i];
        else
            return cli_usage("values", "unexpected argument '%s'", argv[i]);
    }
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    entries e = {0};
    if (kpi_values_each(ws, kpi, collect, &e) != KPI_OK) {
        code = cli_fail(kpi_workspace_error(ws));
    } else if (e.failed) {
        fprintf(stderr, "kpi: out of memory\n");
        code = EXIT_RUNTIME;
    } else {
        char header[] = "set_at\tkpi\tperiod\tgroup\tvalue\tnote";
        print_row(header, csv);
        for (size_t i = e.n; i-- > 0;) /* newest first */
            print_row(e.rows[i], csv);
    }
    for (size_t i = 0; i < e.n; i++)
        free(e.rows[i]);
    free(e.rows);
    kpi_workspace_destroy(ws);
    return code;
}

int cmd_values(cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "set"))
        return set(c, argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "list"))
        return list(c, argc, argv);
    return cli_usage("values", "use 'kpi values set KPI PERIOD VALUE' or 'kpi values list'");
}
