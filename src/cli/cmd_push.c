/*
 * cmd_push.c - `kpi push --server URL [--token T] STREAM FILE...`: the agent that relays
 * events to a kpi server (src/push/).
 */
#include "cli.h"
#include "../push/push.h"

#include <stdlib.h>
#include <string.h>

int cmd_push(cli *c, int argc, char **argv)
{
    (void)c;
    kpush_options o = {.retry_for_s = 30, .token = getenv("KPI_TOKEN")};
    const char *v;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nf = 0;
    if (!files)
        return cli_nomem();
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--server", &v) && v) {
            o.server = v;
        } else if (cli_opt_value(argc, argv, &i, "--token", &v) && v) {
            o.token = v;
        } else if (cli_opt_value(argc, argv, &i, "--spool", &v) && v) {
            o.spool = v;
        } else if (cli_opt_value(argc, argv, &i, "--retry-for", &v) && v) {
            char *end;
            o.retry_for_s = strtod(v, &end);
            if (end == v || *end || o.retry_for_s < 0) {
                free(files);
                return cli_usage("push", "--retry-for needs seconds");
            }
        } else if (cli_opt_value(argc, argv, &i, "--batch-rows", &v) && v) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (end == v || *end || n < 1 || n > 60000) {
                free(files);
                return cli_usage("push", "--batch-rows needs a number from 1 to 60000");
            }
            o.batch_rows = (size_t)n;
        } else if (!strcmp(argv[i], "--quiet")) {
            o.quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(files);
            return cli_usage("push", "unknown option '%s'", argv[i]);
        } else if (!o.stream) {
            o.stream = argv[i];
        } else {
            files[nf++] = argv[i];
        }
    }
    if (!o.server || !o.stream) {
        free(files);
        return cli_usage("push", "give --server URL and a STREAM");
    }
    char spool[1024];
    if (!o.spool) {
        const char *home = getenv("HOME");
        snprintf(spool, sizeof spool, "%s/.kpi/spool", home && *home ? home : ".");
        o.spool = spool;
    }
    int code = kpush_run(&o, files);
    free(files);
    return code;
}
