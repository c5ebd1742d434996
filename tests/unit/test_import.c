/*
 * test_import.c - the import through the public API (include/kpi.h): a workspace in a temporary
 * directory, inputs served by a read callback in small chunks, batches, cancellation, counts.
 */
#include "kpi.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct mem {
    const char *p;
    size_t n, off, chunk;
    volatile int *cancel_at_end; /* set once everything was served */
} mem;

static ptrdiff_t mem_read(void *ctx, char *buf, size_t cap)
{
    mem *m = ctx;
    size_t k = m->n - m->off;
    if (k > cap)
        k = cap;
    if (k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    if (m->off == m->n && m->cancel_at_end)
        *m->cancel_at_end = 1;
    return (ptrdiff_t)k;
}

static char dir[256];

static kpi_workspace *fresh(const char *yaml)
{
    snprintf(dir, sizeof dir, "/tmp/kpi-test-import-XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fclose(f);
    kpi_workspace *ws;
    if (kpi_workspace_open(dir, &ws) != KPI_OK) {
        char msg[2048];
        kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
        printf("#   open failed: %s\n", msg);
        kpi_workspace_destroy(ws);
        return NULL;
    }
    return ws;
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("#   cleanup failed\n");
}

static const char *const yaml = "streams:\n"
                                "  calls:\n"
                                "    time: at\n"
                                "    id: call_id\n"
                                "    fields:\n"
                                "      call_id: integer\n"
                                "      at: time\n"
                                "      agent: text\n"
                                "      seconds: number\n";

/* Builds n rows of calls CSV. */
static char *calls_csv(int n)
{
    size_t cap = 64 + (size_t)n * 64;
    char *s = malloc(cap);
    size_t o = (size_t)snprintf(s, cap, "call_id,at,agent,seconds\n");
    for (int i = 1; i <= n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%d,2026-06-%02dT10:00:00Z,agent%d,%d.25\n", i,
                              1 + i % 28, i % 7, i % 600);
    return s;
}

static void test_chunked_input_gives_same_counts(void)
{
    kpi_workspace *ws = fresh(yaml);
    CHECK(ws != NULL);
    if (!ws)
        return;
    char *csv = calls_csv(5000);
    size_t chunks[] = {1, 3, 4096, 1 << 20};
    for (size_t c = 0; c < 4; c++) {
        mem m = {csv, strlen(csv), 0, chunks[c], NULL};
        kpi_import_result r;
        kpi_status rc = kpi_import_reader(ws, "calls", "calls.csv", mem_read, &m, m.n, NULL, &r);
        CHECK_EQ_INT(rc, KPI_OK);
        CHECK_EQ_INT(r.accepted + r.duplicates, 5000);
        CHECK_EQ_INT(r.accepted, c == 0 ? 5000 : 0);
        CHECK_EQ_INT(r.rejected, 0);
    }
    free(csv);
    kpi_workspace_destroy(ws);
    cleanup();
}

static void test_batches_commit_separately(void)
{
    kpi_workspace *ws = fresh(yaml);
    if (!ws)
        return;
    char *csv = calls_csv(2500);
    mem m = {csv, strlen(csv), 0, 1 << 16, NULL};
    kpi_import_options o;
    kpi_import_options_init(&o);
    o.batch_rows = 1000;
    kpi_import_result r;
    CHECK_EQ_INT(kpi_import_reader(ws, "calls", "x.csv", mem_read, &m, m.n, &o, &r), KPI_OK);
    CHECK_EQ_INT(r.batches, 3);
    CHECK_EQ_INT(r.accepted, 2500);
    kpi_stream_info info;
    CHECK_EQ_INT(kpi_stream_info_get(ws, 0, &info), KPI_OK);
    CHECK_EQ_INT(info.rows, 2500);
    CHECK_STR(info.id_field, "call_id");
    free(csv);
    kpi_workspace_destroy(ws);
    cleanup();
}

static void test_cancel_rolls_back_the_batch_in_flight(void)
{
    kpi_workspace *ws = fresh(yaml);
    if (!ws)
        return;
    char *csv = calls_csv(2500);
    volatile int cancel = 0;
    mem m = {csv, strlen(csv), 0, 1 << 16, &cancel};
    kpi_import_options o;
    kpi_import_options_init(&o);
    o.batch_rows = 1000;
    o.cancel = &cancel;
    kpi_import_result r;
    /* every byte is served in one read, which sets the flag: the first batch is not yet full */
    kpi_status rc = kpi_import_reader(ws, "calls", "x.csv", mem_read, &m, m.n, &o, &r);
    CHECK_EQ_INT(rc, KPI_CANCELLED);
    CHECK_EQ_INT(r.accepted % 1000, 0);
    kpi_stream_info info;
    CHECK_EQ_INT(kpi_stream_info_get(ws, 0, &info), KPI_OK);
    CHECK_EQ_INT(info.rows, (int64_t)r.accepted);
    free(csv);
    kpi_workspace_destroy(ws);
    cleanup();
}

static void test_unknown_stream(void)
{
    kpi_workspace *ws = fresh(yaml);
    if (!ws)
        return;
    mem m = {"", 0, 0, 1, NULL};
    kpi_import_result r;
    CHECK_EQ_INT(kpi_import_reader(ws, "cals", "x.csv", mem_read, &m, 0, NULL, &r), KPI_NOTFOUND);
    CHECK_STR(kpi_workspace_error(ws)->message, "unknown stream 'cals' (did you mean 'calls'?)");
    kpi_workspace_destroy(ws);
    cleanup();
}

static void test_empty_input_is_an_error(void)
{
    kpi_workspace *ws = fresh(yaml);
    if (!ws)
        return;
    mem m = {"", 0, 0, 1, NULL};
    kpi_import_result r;
    CHECK_EQ_INT(kpi_import_reader(ws, "calls", "e.csv", mem_read, &m, 0, NULL, &r), KPI_INPUT);
    CHECK_CONTAINS(kpi_workspace_error(ws)->message, "header");
    kpi_workspace_destroy(ws);
    cleanup();
}

static void test_status_texts(void)
{
    CHECK_STR(kpi_strerror(KPI_DEFINITION), "invalid definition");
    CHECK_STR(kpi_status_name(KPI_CONFLICT), "CONFLICT");
    kpi_error e;
    kpi_error_init(&e);
    snprintf(e.file, sizeof e.file, "kpi.yaml");
    e.line = 3;
    e.column = 7;
    snprintf(e.message, sizeof e.message, "boom");
    char buf[64];
    kpi_error_format(&e, buf, sizeof buf);
    CHECK_STR(buf, "kpi.yaml:3:7: boom");
}

int main(void)
{
    RUN(test_chunked_input_gives_same_counts);
    RUN(test_batches_commit_separately);
    RUN(test_cancel_rolls_back_the_batch_in_flight);
    RUN(test_unknown_stream);
    RUN(test_empty_input_is_an_error);
    RUN(test_status_texts);
    return tap_done();
}
