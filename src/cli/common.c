/*
 * common.c - helpers every command uses: opening the workspace, turning statuses into exit
 * codes and messages, option parsing, number formatting.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_code(kpi_status status)
{
    switch (status) {
    case KPI_OK:
        return EXIT_OK;
    case KPI_USAGE:
    case KPI_DEFINITION:
    case KPI_NOTFOUND:
    case KPI_CONFLICT:
        return EXIT_USAGE;
    case KPI_CANCELLED:
        return EXIT_INTERRUPTED;
    default:
        return EXIT_RUNTIME;
    }
}

int cli_fail(const kpi_error *err)
{
    char msg[2400];
    kpi_error_format(err, msg, sizeof msg);
    fprintf(stderr, "kpi: %s\n", msg);
    return cli_exit_code(err->status);
}

int cli_nomem(void)
{
    fprintf(stderr, "kpi: out of memory\n");
    return EXIT_RUNTIME;
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kpi: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    for (const cli_command *c = cli_commands; command && c->name; c++)
        if (strcmp(c->name, command) == 0)
            fprintf(stderr, "usage: %s\n", c->usage);
    if (!command)
        fprintf(stderr, "run 'kpi help' for the list of commands\n");
    return EXIT_USAGE;
}

/* KPI_NOW pins "today" (ISO 8601, e.g. 2026-11-23T12:00:00Z), for tests and reproducible
 * reports. */
int64_t cli_now(void)
{
    const char *now = getenv("KPI_NOW");
    if (!now || !*now)
        return 0;
    int64_t us = kpi_parse_time(now);
    if (us != INT64_MIN)
        return us;
    fprintf(stderr, "kpi: warning: ignoring KPI_NOW='%s': not an ISO 8601 time\n", now);
    return 0;
}

static void pin_now(kpi_workspace *ws)
{
    int64_t us = cli_now();
    if (us)
        kpi_workspace_set_now(ws, us);
}

kpi_workspace *cli_open(cli *c, int *code)
{
    kpi_workspace *ws;
    kpi_status rc = kpi_workspace_open(c->workspace, &ws);
    if (rc == KPI_OK) {
        pin_now(ws);
        return ws;
    }
    if (!ws) {
        *code = cli_nomem();
        return NULL;
    }
    *code = cli_fail(kpi_workspace_error(ws));
    kpi_workspace_destroy(ws);
    return NULL;
}

bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *value = NULL;
        return true;
    }
    *value = argv[++*i];
    return true;
}

const char *cli_count(unsigned long long n, char *buf, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}
