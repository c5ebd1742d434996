/*
 * cmd_token.c - `kpi token create --role R [--departments D,...] [--streams S,...]
 * [--self DIM=VALUE] [--name NAME]`, `kpi token list` and `kpi token revoke ID`: the API
 * tokens of `kpi serve`. create prints the new token alone on the last line of stdout, so that
 * `T=$(kpi token create ...)` works; it is never shown again.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int create(cli *c, int argc, char **argv)
{
    kpi_token_info spec = {.name = "", .departments = "", .streams = "", .self = ""};
    const char *role = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--role", &v) && v)
            role = v;
        else if (cli_opt_value(argc, argv, &i, "--departments", &v) && v)
            spec.departments = v;
        else if (cli_opt_value(argc, argv, &i, "--streams", &v) && v)
            spec.streams = v;
        else if (cli_opt_value(argc, argv, &i, "--self", &v) && v)
            spec.self = v;
        else if (cli_opt_value(argc, argv, &i, "--name", &v) && v)
            spec.name = v;
        else
            return cli_usage("token", "unexpected argument '%s'", argv[i]);
    }
    if (!role || !kpi_role_parse(role, &spec.role))
        return cli_usage("token", "--role must be admin, editor, viewer, ingest or self");
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    char token[128];
    int64_t id;
    if (kpi_token_create(ws, &spec, token, sizeof token, &id) != KPI_OK) {
        code = cli_fail(kpi_workspace_error(ws));
    } else {
        fprintf(stderr, "kpi: token %lld created (%s); keep it now, it is not shown again\n",
                (long long)id, role);
        printf("%s\n", token);
    }
    kpi_workspace_destroy(ws);
    return code;
}

static void print_token(void *ctx, const kpi_token_info *t)
{
    (void)ctx;
    char scope[512];
    snprintf(scope, sizeof scope, "%s%s%s", *t->departments ? t->departments : "",
             *t->streams ? t->streams : "", *t->self ? t->self : "");
    printf("%-4lld  %-7s  %-24s  %-20s  %-20s  %s\n", (long long)t->id, kpi_role_name(t->role),
           *scope ? scope : "-", *t->name ? t->name : "-", t->created_at,
           t->revoked_at ? t->revoked_at : "valid");
}

int cmd_token(cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "create"))
        return create(c, argc, argv);
    bool list = argc == 2 && !strcmp(argv[1], "list");
    bool revoke = argc == 3 && !strcmp(argv[1], "revoke");
    if (!list && !revoke)
        return cli_usage("token",
                         "use 'kpi token create', 'kpi token list' or 'kpi token revoke ID'");
    char *end = NULL;
    long long id = revoke ? strtoll(argv[2], &end, 10) : 0;
    if (revoke && (end == argv[2] || *end))
        return cli_usage("token", "revoke takes a token id (see 'kpi token list')");
    int code = EXIT_OK;
    kpi_workspace *ws = cli_open(c, &code);
    if (!ws)
        return code;
    kpi_status st;
    if (list) {
        printf("%-4s  %-7s  %-24s  %-20s  %-20s  %s\n", "id", "role", "scope", "name", "created",
               "state");
        st = kpi_tokens_each(ws, print_token, NULL);
    } else {
        st = kpi_token_revoke(ws, id);
        if (st == KPI_OK)
            printf("token %lld revoked\n", id);
    }
    if (st != KPI_OK)
        code = cli_fail(kpi_workspace_error(ws));
    kpi_workspace_destroy(ws);
    return code;
}
