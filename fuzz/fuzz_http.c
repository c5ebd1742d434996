/*
 * fuzz_http.c - libFuzzer target for what the server reads from a request before the library
 * sees it: the path, the query arguments, the Content-Type, and the routing of GET requests
 * over a small real workspace (made once in a temporary directory). The input is lines:
 * METHOD, PATH, ARGS ("k=v&k=v", already decoded, any bytes), CONTENT-TYPE. Checks:
 *  - every JSON answer parses as JSON (so it is valid UTF-8 whatever the request held), and
 *    every answer has a status and a body;
 *  - ksafe_text gives valid UTF-8 that fits, and in log mode no control byte or space;
 *  - kmedia_format is insensitive to the case of the type.
 * Any violation aborts. The server's sources are compiled in (it is not a library); the
 * dashboard's files are left out (an empty kweb_assets).
 */
#include "../src/server/http.c"
#include "../src/server/routes.c"
#include "../src/server/metrics.c"
#include "../src/server/metrics_cache.c"
#include "../src/server/assets.c"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

const kasset kweb_assets[] = {{NULL, NULL, 0}};

static kpi_workspace *ws;
static kmetrics_cache *mc; /* the background /metrics text of the workspace */

/* The workspace every input is routed over: one stream with rows, three KPIs. */
static kpi_workspace *workspace(void)
{
    if (ws)
        return ws;
    char dir[] = "/tmp/kpi-fuzz-http-XXXXXX", path[64];
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("workspace:\n  timezone: UTC\nstreams:\n  orders:\n    time: at\n    fields:\n"
          "      at: time\n      region: text\n      revenue: number\nkpis:\n  revenue:\n"
          "    formula: sum(orders.revenue)\n    unit: currency\n    dimensions: [region]\n"
          "    targets: [{value: 100}]\n  n:\n    formula: count(orders)\n    unit: count\n"
          "  avg:\n    formula: revenue / n\n    unit: currency\n",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/o.csv", dir);
    f = fopen(path, "w");
    fputs("at,region,revenue\n2026-10-03T10:00:00Z,West,5\n2026-11-02T10:00:00Z,Est\xc3\xa9,7\n",
          f);
    fclose(f);
    kpi_import_options o;
    kpi_import_options_init(&o);
    kpi_import_result r;
    if (kpi_workspace_open(dir, &ws) != KPI_OK || kpi_import_file(ws, "orders", path, &o, &r))
        abort();
    kpi_workspace_set_now(ws, kpi_parse_time("2026-11-10T12:00:00Z"));
    if (!(mc = kmetrics_start(dir, kpi_parse_time("2026-11-10T12:00:00Z"), 3600)))
        abort();
    return ws;
}

typedef struct request {
    char *args; /* "k=v&k=v" */
} request;

static const char *arg(void *req, const char *name)
{
    static char value[4096];
    size_t n = strlen(name);
    for (const char *p = ((request *)req)->args; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > n && p[n] == '=' && !strncmp(p, name, n) && len - n - 1 < sizeof value) {
            memcpy(value, p + n + 1, len - n - 1);
            value[len - n - 1] = 0;
            return value;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void check_safe_text(const char *in)
{
    char out[64];
    for (int log = 0; log < 2; log++) {
        size_t n = ksafe_text(in, log, out, sizeof out);
        if (n >= sizeof out || strlen(out) != n)
            abort();
        for (const unsigned char *p = (const unsigned char *)out; *p;) {
            size_t len = utf8_len(p);
            if (!len || (log && len == 1 && (*p <= 0x20 || *p == 0x7F)))
                abort();
            p += len;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *line[4] = {"", "", "", ""};
    memcpy(text, data, size);
    text[size] = 0;
    char *p = text;
    for (int i = 0; i < 4 && p; i++) {
        line[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = 0;
    }
    check_safe_text(line[1]);
    check_safe_text(line[2]);
    char upper[256];
    snprintf(upper, sizeof upper, "%s", line[3]);
    for (char *c = upper; *c && *c != ';'; c++)
        *c = (char)toupper((unsigned char)*c);
    if (strlen(line[3]) < sizeof upper && kmedia_format(line[3]) != kmedia_format(upper))
        abort();
    kauth auth = {.open = true};
    request req = {line[2]};
    kresponse out = {0};
    kpi_workspace *w = workspace(); /* before mc is read: it starts the /metrics thread */
    kroute(w, &auth, mc, "", line[0], line[1], arg, &req, &out);
    if (!out.status || !out.body)
        abort();
    if (!strcmp(out.type, "application/json")) {
        json_error_t e;
        json_t *j = json_loadb(out.body, out.len, 0, &e);
        if (!j)
            abort();
        json_decref(j);
    }
    free(out.body);
    free(text);
    return 0;
}
