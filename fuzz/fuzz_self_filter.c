/*
 * fuzz_self_filter.c - libFuzzer target for the row filter of a self token (kpi_query's
 * only_dimension = only_value) joined with any caller's `where`: the input is a `where` text
 * (its first line) and the token's value (the rest). Over a small workspace (made once, in a
 * temporary directory) the query broken down by the filter's dimension must either fail with a
 * message or return the token's own group only, whatever the `where` says: a `where` can narrow
 * a self token's rows, never widen them (the escape `rep != "") or (rep != ""` once read every
 * rep's figures when the two were pasted together as text).
 */
#include <kpi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char yaml[] = "workspace:\n"
                           "  timezone: UTC\n"
                           "streams:\n"
                           "  orders:\n"
                           "    time: at\n"
                           "    fields:\n"
                           "      at: time\n"
                           "      rep: text\n"
                           "      region: text\n"
                           "      revenue: number\n"
                           "kpis:\n"
                           "  revenue:\n"
                           "    formula: sum(orders.revenue)\n"
                           "    dimensions: [rep, region]\n"
                           "  orders:\n"
                           "    formula: count(orders where revenue > 0)\n"
                           "    dimensions: [rep]\n"
                           "  share:\n"
                           "    formula: revenue / orders\n"
                           "    dimensions: [rep]\n";

static const char csv[] = "at,rep,region,revenue\n"
                          "2026-10-01T10:00:00Z,Ana,West,100\n"
                          "2026-10-02T10:00:00Z,Bo,East,200\n"
                          "2026-10-03T10:00:00Z,\"Ana\"\"\",West,300\n"
                          "2026-10-04T10:00:00Z,Ana) or (rep != \"\",East,400\n"
                          "2026-10-05T10:00:00Z,,West,500\n";

static char dir[64];

static void cleanup(void)
{
    static const char *const files[] = {"kpi.yaml", "kpi.db", "kpi.db-wal", "kpi.db-shm",
                                        "orders.csv"};
    char path[128];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/rejects", dir);
    rmdir(path);
    rmdir(dir);
}

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        __builtin_trap();
}

/* The workspace, made and filled on first use. */
static kpi_workspace *workspace(void)
{
    static kpi_workspace *ws;
    if (ws)
        return ws;
    snprintf(dir, sizeof dir, "/tmp/kpi-fuzz-self-XXXXXX");
    if (!mkdtemp(dir))
        __builtin_trap();
    atexit(cleanup);
    write_file("kpi.yaml", yaml);
    write_file("orders.csv", csv);
    char path[128];
    snprintf(path, sizeof path, "%s/orders.csv", dir);
    kpi_import_options opts;
    kpi_import_options_init(&opts);
    kpi_import_result res;
    if (kpi_workspace_open(dir, &ws) != KPI_OK ||
        kpi_import_file(ws, "orders", path, &opts, &res) != KPI_OK || res.accepted != 5)
        __builtin_trap();
    return ws;
}

/* Every group of every series is the token's own value. */
static void check_own(const kpi_result *r, const char *value)
{
    for (size_t s = 0; s < kpi_result_nseries(r); s++) {
        const kpi_series *se = kpi_result_series(r, s);
        for (size_t p = 0; p < se->npoints; p++)
            if (strcmp(se->points[p].group[0], value) != 0)
                __builtin_trap(); /* a row of another value reached the token */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kpi_workspace *ws = workspace();
    char buf[512];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    if (strlen(buf) != size)
        return 0; /* the API takes C strings */
    char *nl = strchr(buf, '\n');
    const char *where = buf, *value = "Ana";
    if (nl) {
        *nl = '\0';
        if (nl[1])
            value = nl + 1;
    }
    static const char *const kpis[] = {"revenue", "share"};
    static const char *const by[] = {"rep"};
    kpi_query q = {.kpis = kpis, .nkpis = 2, .from = "2026-10-01", .to = "2026-10-31",
                   .grain = "month", .by = by, .nby = 1, .where = *where ? where : NULL,
                   .only_dimension = "rep", .only_value = value};
    kpi_result *r = NULL;
    if (kpi_query_run(ws, &q, &r) == KPI_OK)
        check_own(r, value);
    else if (!kpi_workspace_error(ws)->message[0])
        __builtin_trap(); /* a failure says why */
    kpi_result_destroy(r);
    return 0;
}
