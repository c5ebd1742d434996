/*
 * test_store.c - the event store conformance suite: every backend in `backends` must pass it.
 * It drives the backend table directly (sync, append inside a kpi.db transaction of lib/meta,
 * stats, first_day, list, drop, read_rows) with configs loaded from text.
 */
#include "store/store.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const kstore_backend *const backends[] = {&kstore_sqlite};
static const kstore_backend *be;
static char path[256];
static kmeta *meta; /* kpi.db, opened with the store */

static kconfig *config(const char *yaml)
{
    kconfig *cfg = NULL;
    kpi_error err;
    kpi_error_init(&err);
    if (kcfg_load_string(yaml, strlen(yaml), "kpi.yaml", "/nonexistent", &cfg, &err) != KPI_OK)
        printf("#   config: %s\n", err.message);
    return cfg;
}

static kstore *open_store(void)
{
    snprintf(path, sizeof path, "/tmp/kpi-test-store-%d.db", (int)getpid());
    unlink(path);
    kstore *st = NULL;
    kpi_error err;
    if (kmeta_open(path, &meta, &err) != KPI_OK || be->open(meta, &st, &err) != KPI_OK)
        printf("#   open: %s\n", err.message);
    return st;
}

static void close_store(kstore *st)
{
    be->close(st);
    kmeta_close(meta);
    meta = NULL;
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static const char *const yaml_v1 = "streams:\n"
                                   "  deals:\n"
                                   "    time: closed\n"
                                   "    id: deal\n"
                                   "    fields:\n"
                                   "      deal: text\n"
                                   "      closed: date\n"
                                   "      amount: number\n";

/* Appends rows (deal id, day, amount) in one transaction; returns rows inserted. */
static uint64_t append(kstore *st, const kstream *s, const char *const *ids, const int *days, int n)
{
    kbatch b;
    kpi_error err;
    uint64_t inserted = 0;
    if (!kbatch_init(&b, s, 16))
        return 0;
    for (int i = 0; i < n; i++) {
        kcell *c = kbatch_add_row(&b, days[i]);
        kbatch_set_text(&b, &c[0], ids[i], strlen(ids[i]));
        c[1] = (kcell){.i = days[i]};
        c[2] = (kcell){.i = 10000 * (i + 1)};
    }
    if (kmeta_begin(meta, &err) != KPI_OK || be->append(st, &b, &inserted, &err) != KPI_OK ||
        kmeta_commit(meta, &err) != KPI_OK) {
        printf("#   append: %s\n", err.message);
        kmeta_rollback(meta);
    }
    kbatch_release(&b);
    return inserted;
}

static void test_append_skips_known_ids(void)
{
    kconfig *cfg = config(yaml_v1);
    kstore *st = open_store();
    kpi_error err;
    CHECK(cfg && st);
    if (!cfg || !st)
        return;
    CHECK_EQ_INT(kstore_sync(st, cfg, &err), KPI_OK);
    const char *ids[] = {"D1", "D2", "D1", "D3"};
    int days[] = {20000, 19990, 20001, 20005};
    CHECK_EQ_INT(append(st, &cfg->streams[0], ids, days, 4), 3);
    CHECK_EQ_INT(append(st, &cfg->streams[0], ids, days, 2), 0);
    kstream_stats stats;
    CHECK_EQ_INT(be->stats(st, &cfg->streams[0], &stats, &err), KPI_OK);
    CHECK_EQ_INT(stats.rows, 3);
    CHECK_EQ_INT(stats.first, 19990);
    CHECK_EQ_INT(stats.last, 20005);
    bool any = false;
    int64_t day = 0;
    CHECK_EQ_INT(be->first_day(st, &cfg->streams[0], &any, &day, &err), KPI_OK);
    CHECK(any);
    CHECK_EQ_INT(day, 19990);
    kstored_stream list[4];
    size_t n = 0;
    CHECK_EQ_INT(be->list(st, list, 4, &n, &err), KPI_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_STR(list[0].name, "deals");
    CHECK_EQ_INT(list[0].rows, 3);
    close_store(st);
    kcfg_free(cfg);
}

static void test_schema_rules(void)
{
    kconfig *v1 = config(yaml_v1);
    kstore *st = open_store();
    kpi_error err;
    if (!v1 || !st)
        return;
    CHECK_EQ_INT(kstore_sync(st, v1, &err), KPI_OK);
    const char *ids[] = {"D1"};
    int days[] = {20000};
    append(st, &v1->streams[0], ids, days, 1);
    /* a new field: fine, data kept */
    kconfig *v2 = config("streams:\n  deals:\n    time: closed\n    id: deal\n    fields:\n"
                         "      deal: text\n      closed: date\n      amount: number\n"
                         "      stage: text\n");
    CHECK_EQ_INT(kstore_sync(st, v2, &err), KPI_OK);
    /* retyping a field with data: refused, and nothing changed */
    kconfig *v3 = config("streams:\n  deals:\n    time: closed\n    id: deal\n    fields:\n"
                         "      deal: text\n      closed: date\n      amount: text\n"
                         "      stage: text\n");
    CHECK_EQ_INT(kstore_sync(st, v3, &err), KPI_CONFLICT);
    CHECK_CONTAINS(err.message,
                   "cannot change field 'amount' of stream 'deals' from number to text");
    /* retyping an empty field: fine */
    kconfig *v4 = config("streams:\n  deals:\n    time: closed\n    id: deal\n    fields:\n"
                         "      deal: text\n      closed: date\n      amount: number\n"
                         "      stage: integer\n");
    CHECK_EQ_INT(kstore_sync(st, v4, &err), KPI_OK);
    /* a scale change with data: refused */
    kconfig *v5 = config("streams:\n  deals:\n    time: closed\n    id: deal\n    fields:\n"
                         "      deal: text\n      closed: date\n"
                         "      amount: {type: number, scale: 2}\n      stage: integer\n");
    CHECK_EQ_INT(kstore_sync(st, v5, &err), KPI_CONFLICT);
    CHECK_CONTAINS(err.message, "scale");
    /* dropping the stream's data makes every change possible */
    int64_t rows = 0;
    CHECK_EQ_INT(be->drop(st, "deals", &rows, &err), KPI_OK);
    CHECK_EQ_INT(rows, 1);
    CHECK_EQ_INT(kstore_sync(st, v3, &err), KPI_OK);
    bool any = true;
    int64_t day = 0;
    CHECK_EQ_INT(be->first_day(st, &v3->streams[0], &any, &day, &err), KPI_OK);
    CHECK(!any); /* an empty stream has no first day */
    CHECK_EQ_INT(be->drop(st, "nope", &rows, &err), KPI_NOTFOUND);
    close_store(st);
    kcfg_free(v1);
    kcfg_free(v2);
    kcfg_free(v3);
    kcfg_free(v4);
    kcfg_free(v5);
}

/* ---- read_rows: every field, in time order, over days ---- */

static const char *const yaml_events = "streams:\n"
                                       "  events:\n"
                                       "    time: at\n"
                                       "    fields:\n"
                                       "      at: time\n"
                                       "      label: text\n"
                                       "      amount: {type: number, scale: 2}\n"
                                       "      n: integer\n";

#define DAY_US INT64_C(86400000000)
#define HOUR_US INT64_C(3600000000)

/* What read_rows handed over: per row its day, label, amount (or -999 for null), n null. */
typedef struct seen_rows {
    int count;
    int64_t day[8];
    char label[8][16];
    int64_t amount[8];
    int amount_scale[8];
    bool n_null[8];
    bool time_ok;
} seen_rows;

static kpi_status on_row(void *ctx, int64_t day, const kscan_value *v)
{
    seen_rows *s = ctx;
    if (s->count >= 8)
        return KPI_LIMIT;
    int i = s->count++;
    s->day[i] = day;
    snprintf(s->label[i], sizeof s->label[i], "%.*s", (int)v[1].text.n, v[1].text.p);
    s->amount[i] = v[2].null ? -999 : v[2].i;
    s->amount_scale[i] = v[2].scale;
    s->n_null[i] = v[3].null;
    s->time_ok = s->time_ok && v[0].is_int && v[0].i / DAY_US == day;
    return KPI_OK;
}

/* Adds a row: its day, the hour of its time on that day, label, amount (scaled), n (or null). */
static void add_event(kbatch *b, int64_t day, int hour, const char *label, int64_t amount,
                      const int64_t *n)
{
    kcell *c = kbatch_add_row(b, day);
    c[0] = (kcell){.i = day * DAY_US + hour * HOUR_US};
    kbatch_set_text(b, &c[1], label, strlen(label));
    c[2] = (kcell){.i = amount};
    c[3] = n ? (kcell){.i = *n} : (kcell){.null = 1};
}

static void test_read_rows_in_time_order(void)
{
    kconfig *cfg = config(yaml_events);
    kstore *st = open_store();
    kpi_error err;
    kbatch b;
    if (!cfg || !st || !kbatch_init(&b, &cfg->streams[0], 8)) {
        CHECK(false);
        return;
    }
    CHECK_EQ_INT(kstore_sync(st, cfg, &err), KPI_OK);
    int64_t seven = 7, one = 1;
    /* stored out of time order, within a day and across days */
    add_event(&b, 20001, 5, "late", 150, NULL);
    add_event(&b, 20003, 1, "after", 1, &one);
    add_event(&b, 20001, 1, "early", -1, &seven);
    add_event(&b, 20000, 3, "first", 0, &one);
    add_event(&b, 19999, 23, "before", 2, &one);
    uint64_t inserted = 0;
    CHECK_EQ_INT(kmeta_begin(meta, &err), KPI_OK);
    CHECK_EQ_INT(be->append(st, &b, &inserted, &err), KPI_OK);
    CHECK_EQ_INT(kmeta_commit(meta, &err), KPI_OK);
    CHECK_EQ_INT(inserted, 5);
    seen_rows seen = {.time_ok = true};
    CHECK_EQ_INT(kstore_read_rows(st, &cfg->streams[0], 20000, 20003, on_row, &seen, &err), KPI_OK);
    CHECK_EQ_INT(seen.count, 3); /* the days 20000..20002 only */
    CHECK_STR(seen.label[0], "first");
    CHECK_STR(seen.label[1], "early");
    CHECK_STR(seen.label[2], "late");
    CHECK_EQ_INT(seen.day[0], 20000);
    CHECK_EQ_INT(seen.day[2], 20001);
    CHECK_EQ_INT(seen.amount[1], -1);
    CHECK_EQ_INT(seen.amount_scale[1], 2);
    CHECK(seen.n_null[2] && !seen.n_null[1]);
    CHECK(seen.time_ok);
    /* an empty range, and one past the data: no rows */
    seen.count = 0;
    CHECK_EQ_INT(kstore_read_rows(st, &cfg->streams[0], 20002, 20003, on_row, &seen, &err), KPI_OK);
    CHECK_EQ_INT(kstore_read_rows(st, &cfg->streams[0], 30000, 40000, on_row, &seen, &err), KPI_OK);
    CHECK_EQ_INT(seen.count, 0);
    /* the callback's error stops the read and comes back */
    seen.count = 8;
    CHECK_EQ_INT(kstore_read_rows(st, &cfg->streams[0], 0, 99999, on_row, &seen, &err), KPI_LIMIT);
    kbatch_release(&b);
    close_store(st);
    kcfg_free(cfg);
}

int main(void)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        be = backends[i];
        printf("# backend %s\n", be->name);
        RUN(test_append_skips_known_ids);
        RUN(test_schema_rules);
        RUN(test_read_rows_in_time_order);
    }
    return tap_done();
}
