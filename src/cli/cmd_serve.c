/*
 * cmd_serve.c - `kpi serve [--listen ADDR:PORT] [--open] [--threads N] [--access-log FILE]`: the
 * HTTP API over the workspace (src/server/).
 */
#include "cli.h"
#include "../server/server.h"

#include <stdlib.h>
#include <string.h>

int cmd_serve(cli *c, int argc, char **argv)
{
    kserve_options o = {.workspace = c->workspace, .listen = "127.0.0.1:8080"};
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--listen", &v) && v) {
            o.listen = v;
        } else if (cli_opt_value(argc, argv, &i, "--threads", &v) && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 256)
                return cli_usage("serve", "--threads needs a number from 1 to 256");
            o.threads = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--max-body", &v) && v) {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            if (end == v || *end || n < 1)
                return cli_usage("serve", "--max-body needs a number of bytes");
            o.max_body = n;
        } else if (cli_opt_value(argc, argv, &i, "--metrics-refresh", &v) && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 86400)
                return cli_usage("serve", "--metrics-refresh needs seconds from 1 to 86400");
            o.metrics_refresh_s = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--tls-cert", &v) && v) {
            o.tls_cert = v;
        } else if (cli_opt_value(argc, argv, &i, "--tls-key", &v) && v) {
            o.tls_key = v;
        } else if (!strcmp(argv[i], "--open")) {
            o.open = true;
        } else if (cli_opt_value(argc, argv, &i, "--access-log", &v) && v) {
            o.access_log = v;
        } else {
            return cli_usage("serve", "unexpected argument '%s'", argv[i]);
        }
    }
    o.now_us = cli_now();
    return kserve_run(&o);
}
