/*
 * cli.h - shared pieces of the `kpi` command-line tool: the command table, option parsing
 * helpers and error printing. The tool is a thin shell: all behaviour is in libkpi.
 */
#ifndef KPI_CLI_H
#define KPI_CLI_H

#include "kpi.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit codes of DESIGN §2. */
enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_REJECTED = 3,
    EXIT_ALERT = 4,
    EXIT_INTERRUPTED = 130
};

typedef struct cli {
    const char *workspace; /* -w DIR, else $KPI_WORKSPACE, else "." */
    const char *prog;
} cli;

typedef struct cli_command {
    const char *name;
    int (*run)(cli *c, int argc, char **argv); /* argv[0] is the command name */
    const char *summary;
    const char *usage;
    const char *help;
} cli_command;

extern const cli_command cli_commands[];

int cmd_init(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_streams(cli *c, int argc, char **argv);
int cmd_help(cli *c, int argc, char **argv);
int cmd_query(cli *c, int argc, char **argv);
int cmd_explain(cli *c, int argc, char **argv);
int cmd_report(cli *c, int argc, char **argv);
int cmd_top(cli *c, int argc, char **argv);
int cmd_list(cli *c, int argc, char **argv);
int cmd_targets(cli *c, int argc, char **argv);
int cmd_catalog(cli *c, int argc, char **argv);
int cmd_demo(cli *c, int argc, char **argv);
int cmd_values(cli *c, int argc, char **argv);
int cmd_serve(cli *c, int argc, char **argv);
int cmd_token(cli *c, int argc, char **argv);
int cmd_push(cli *c, int argc, char **argv);
int cmd_check(cli *c, int argc, char **argv);
int cmd_completion(cli *c, int argc, char **argv);

/* Checks the workspace's definitions and prints every mistake: EXIT_OK when there is none
 * (a line says so unless quiet_when_fine), else EXIT_USAGE. */
int cli_check(cli *c, bool quiet_when_fine);

/* Prints "kpi: <error>" to stderr and returns the exit code for its status. */
int cli_fail(const kpi_error *err);
/* Prints "kpi: out of memory"; returns EXIT_RUNTIME. */
int cli_nomem(void);
/* Prints "kpi: <message>" and the command's usage; returns EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit code for a status. */
int cli_exit_code(kpi_status status);
/* The pinned "now" of $KPI_NOW in UTC microseconds, or 0 (use the clock). */
int64_t cli_now(void);
/* Opens the workspace or prints why not; NULL on failure with *code set. */
kpi_workspace *cli_open(cli *c, int *code);
/* Is argv[*i] the option `name` taking a value? Then *value is set and *i advanced. */
bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **value);
/* Formats n with thousands separators ("1,234,567"). */
const char *cli_count(unsigned long long n, char *buf, size_t cap);

#endif
