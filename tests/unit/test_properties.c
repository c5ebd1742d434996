/*
 * test_properties.c - properties of KPI evaluation on random data: a few thousand orders over
 * three years (2024..2026), several regions and reps, generated with a fixed-seed PRNG so every
 * run sees the same data, in a workspace in Europe/Berlin (rows near midnight UTC land on the
 * next local day).
 *
 *   (a) an additive KPI (sums, counts) added up over its --by groups equals the ungrouped value,
 *       per period, for every breakdown and grain;
 *   (b) periods fold: days add up to their month, months to their quarter, quarters to their
 *       year (and max/min of the parts give the whole's max/min);
 *   (c) a KPI equals the same hand-written SQL run directly on kpi.db with the sqlite3 C API
 *       (tables are named after streams, numbers stored as integers scaled by 10^4, the local
 *       day of a row is `_key >> 40`; docs/storage.md);
 *   (d) comparisons are consistent: a complete period's `previous` is the value of the period
 *       before it, its `last_year` the value twelve months back, and shares add up to 100;
 *       ytd / qtd / rolling(x, 3) / prev of a month are the sums of the months they cover.
 */
#include "kpi.h"
#include "../tap.h"

#include <math.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NROWS 4000
#define NDAYS 1096 /* 2024-01-01 .. 2026-12-31 */
#define FROM "2024-01-01"
#define TO "2026-12-31"

#define CHECK_CLOSE(a, b, tol, what)                                                               \
    do {                                                                                           \
        double c_a = (a), c_b = (b);                                                               \
        if (!(fabs(c_a - c_b) <= (tol)) && !(isnan(c_a) && isnan(c_b))) {                          \
            printf("#   %s:%d: %s: %.17g != %.17g\n", __FILE__, __LINE__, (what), c_a, c_b);       \
            tap_cur_failed = 1;                                                                    \
        }                                                                                          \
    } while (0)

/* ---- the fixture --------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned below(unsigned n)
{
    return (unsigned)(rng() % n);
}

static const char *const regions[] = {"North", "South", "East", "West", "Central"};
static const char *const reps[] = {"Ana", "Bob", "Cy", "Dee", "Eve", "Fay"};
static const char *const statuses[] = {"won", "won", "won", "lost", "open"};

static const char *const yaml =
    "workspace:\n"
    "  name: Properties\n"
    "  timezone: Europe/Berlin\n"
    "streams:\n"
    "  orders:\n"
    "    time: at\n"
    "    id: id\n"
    "    fields:\n"
    "      id: text\n"
    "      at: time\n"
    "      region: text\n"
    "      rep: text\n"
    "      revenue: number\n"
    "      cost: number\n"
    "      qty: integer\n"
    "      status: text\n"
    "kpis:\n"
    "  revenue:\n    formula: sum(orders.revenue)\n    unit: currency\n"
    "    dimensions: [region, rep]\n"
    "  cost:\n    formula: sum(orders.cost)\n    dimensions: [region, rep]\n"
    "  orders_n:\n    formula: count(orders)\n    unit: count\n    dimensions: [region, rep]\n"
    "  won_revenue:\n    formula: sum(orders.revenue where status = \"won\")\n"
    "    dimensions: [region, rep]\n"
    "  won_n:\n    formula: count(orders where status = \"won\")\n    dimensions: [region, rep]\n"
    "  units:\n    formula: sum(orders.qty)\n    dimensions: [region, rep]\n"
    "  net:\n    formula: sum(orders.revenue - orders.cost)\n    dimensions: [region, rep]\n"
    "  gross_profit:\n    formula: revenue - cost\n    dimensions: [region, rep]\n"
    "  margin:\n"
    "    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100\n"
    "    unit: percent\n    dimensions: [region, rep]\n"
    "  avg_ticket:\n    formula: avg(orders.revenue)\n    dimensions: [region, rep]\n"
    "  max_ticket:\n    formula: max(orders.revenue)\n    dimensions: [region, rep]\n"
    "  min_ticket:\n    formula: min(orders.revenue)\n    dimensions: [region, rep]\n"
    "  median_ticket:\n    formula: median(orders.revenue)\n    dimensions: [region, rep]\n"
    "  reps_active:\n    formula: count_distinct(orders.rep)\n    dimensions: [region]\n"
    "  share:\n    formula: revenue / total(revenue) * 100\n    unit: percent\n"
    "    dimensions: [region, rep]\n"
    "  rev_ytd:\n    formula: ytd(revenue)\n    dimensions: [region, rep]\n"
    "  rev_qtd:\n    formula: qtd(revenue)\n    dimensions: [region, rep]\n"
    "  rev_roll3:\n    formula: rolling(revenue, 3)\n    dimensions: [region, rep]\n"
    "  rev_prev:\n    formula: prev(revenue)\n    dimensions: [region, rep]\n";

static char dir[256];
static kpi_workspace *ws;
static sqlite3 *db;

typedef struct mem {
    const char *p;
    size_t n, off;
} mem;

static ptrdiff_t mem_read(void *ctx, char *buf, size_t cap)
{
    mem *m = ctx;
    size_t k = m->n - m->off;
    if (k > cap)
        k = cap;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    return (ptrdiff_t)k;
}

static void print_error(const char *what)
{
    char msg[2400];
    kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
    printf("#   %s failed: %s\n", what, msg);
}

/* Writes kpi.yaml, opens the workspace, imports NROWS random orders. */
static bool setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kpi-test-properties-XXXXXX");
    if (!mkdtemp(dir))
        return false;
    char path[512];
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(yaml, f);
    fclose(f);
    if (kpi_workspace_open(dir, &ws) != KPI_OK) {
        print_error("open");
        return false;
    }
    kpi_workspace_set_now(ws, kpi_parse_time("2027-06-15T12:00:00Z"));

    size_t cap = 256 + (size_t)NROWS * 128, o = 0;
    char *csv = malloc(cap);
    if (!csv)
        return false;
    o += (size_t)snprintf(csv + o, cap - o, "id,at,region,rep,revenue,cost,qty,status\n");
    const time_t start = 1704067200; /* 2024-01-01T00:00:00Z */
    for (int i = 0; i < NROWS; i++) {
        /* a third of the rows within 90 minutes of midnight UTC: local day != UTC day */
        unsigned day = below(NDAYS);
        unsigned sec = below(3) == 0 ? 86400 - 1 - below(5400) : below(86400);
        time_t t = start + (time_t)day * 86400 + sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        long rev_cents = 1 + (long)below(200000);
        long cost_cents = (long)((uint64_t)rev_cents * below(120) / 100);
        char cost[32] = "";
        if (below(25) != 0)
            snprintf(cost, sizeof cost, "%ld.%02ld", cost_cents / 100, cost_cents % 100);
        const char *region = below(30) == 0 ? "" : regions[below(5)];
        o += (size_t)snprintf(csv + o, cap - o, "o%d,%s,%s,%s,%ld.%02ld,%s,%u,%s\n", i, when,
                              region, reps[below(6)], rev_cents / 100, rev_cents % 100, cost,
                              1 + below(20), statuses[below(5)]);
    }
    mem m = {csv, o, 0};
    kpi_import_result r;
    memset(&r, 0, sizeof r);
    kpi_status rc = kpi_import_reader(ws, "orders", "orders.csv", mem_read, &m, o, NULL, &r);
    free(csv);
    if (rc != KPI_OK || r.accepted != NROWS) {
        print_error("import");
        printf("#   accepted %llu of %d\n", (unsigned long long)r.accepted, NROWS);
        return false;
    }
    snprintf(path, sizeof path, "%s/kpi.db", dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        printf("#   cannot open %s: %s\n", path, sqlite3_errmsg(db));
        return false;
    }
    return true;
}

static void teardown(void)
{
    sqlite3_close(db);
    kpi_workspace_destroy(ws);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("#   cleanup failed\n");
}

/* ---- helpers ----------------------------------------------------------------------------------
 */

static kpi_result *run(const char *kpi, const char *period, const char *from, const char *to,
                       const char *grain, const char *by)
{
    char bbuf[128];
    const char *ids[1] = {kpi}, *bys[4];
    size_t nb = 0;
    if (by) {
        snprintf(bbuf, sizeof bbuf, "%s", by);
        for (char *t = strtok(bbuf, ","); t && nb < 4; t = strtok(NULL, ","))
            bys[nb++] = t;
    }
    kpi_query q = {.kpis = ids, .nkpis = 1, .period = period, .from = from, .to = to,
                   .grain = grain, .by = bys, .nby = nb};
    kpi_result *r = NULL;
    if (kpi_query_run(ws, &q, &r) != KPI_OK) {
        print_error(kpi);
        tap_cur_failed = 1;
        return NULL;
    }
    return r;
}

/* A period-name -> number table (small, linear). */
typedef struct entry {
    char key[64];
    double sum;
    double max, min;
    int n;
} entry;

typedef struct table {
    entry *e;
    size_t n, cap;
} table;

static entry *slot(table *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->e[i].key, key))
            return &t->e[i];
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->e = realloc(t->e, t->cap * sizeof *t->e);
    }
    entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->max = -INFINITY;
    e->min = INFINITY;
    return e;
}

static void add(table *t, const char *key, double v)
{
    entry *e = slot(t, key);
    if (isnan(v))
        return;
    e->sum += v;
    e->n++;
    if (v > e->max)
        e->max = v;
    if (v < e->min)
        e->min = v;
}

static const char *const additive[] = {"revenue", "cost",  "orders_n", "won_revenue",
                                       "won_n",   "units", "net",      "gross_profit"};
#define NADDITIVE (sizeof additive / sizeof *additive)

/* ---- (a) groups add up to the whole ---------------------------------------------------------- */

static void check_groups_add_up(const char *kpi, const char *grain, const char *by)
{
    kpi_result *whole = run(kpi, NULL, FROM, TO, grain, NULL);
    kpi_result *parts = run(kpi, NULL, FROM, TO, grain, by);
    if (!whole || !parts)
        goto out;
    const kpi_series *w = kpi_result_series(whole, 0), *p = kpi_result_series(parts, 0);
    table t = {0};
    for (size_t i = 0; i < p->npoints; i++)
        add(&t, p->points[i].period, p->points[i].value);
    CHECK(w->npoints > 0);
    size_t groups = 0;
    for (size_t i = 0; i < w->npoints; i++) {
        entry *e = slot(&t, w->points[i].period);
        char what[160];
        snprintf(what, sizeof what, "%s by %s, %s %s", kpi, by, grain, w->points[i].period);
        CHECK_CLOSE(e->sum, w->points[i].value, 1e-6, what);
        groups += (size_t)e->n;
        if (tap_cur_failed)
            break;
    }
    CHECK(groups >= w->npoints * 2); /* really broken down */
    free(t.e);
out:
    kpi_result_destroy(whole);
    kpi_result_destroy(parts);
}

static void test_additive_groups_add_up(void)
{
    const char *bys[] = {"region", "rep", "region,rep"};
    const char *grains[] = {"month", "quarter", "week", "year"};
    for (size_t k = 0; k < NADDITIVE; k++)
        for (size_t b = 0; b < 3; b++)
            for (size_t g = 0; g < 4; g++)
                check_groups_add_up(additive[k], grains[g], bys[b]);
}

/* ---- (b) periods fold into longer periods --------------------------------------------------- */

/* The name of the longer period holding a shorter one's name: day -> month ("2025-03-07" ->
 * "2025-03"), month -> quarter ("2025-03" -> "2025-Q1"), quarter -> year. */
static void parent(const char *name, const char *to, char *out, size_t cap)
{
    if (!strcmp(to, "month"))
        snprintf(out, cap, "%.7s", name);
    else if (!strcmp(to, "quarter"))
        snprintf(out, cap, "%.4s-Q%d", name, (atoi(name + 5) - 1) / 3 + 1);
    else
        snprintf(out, cap, "%.4s", name);
}

static void check_fold(const char *kpi, const char *small, const char *big, bool extremes)
{
    kpi_result *parts = run(kpi, NULL, FROM, TO, small, NULL);
    kpi_result *whole = run(kpi, NULL, FROM, TO, big, NULL);
    if (!parts || !whole)
        goto out;
    const kpi_series *p = kpi_result_series(parts, 0), *w = kpi_result_series(whole, 0);
    table t = {0};
    char key[64];
    for (size_t i = 0; i < p->npoints; i++) {
        parent(p->points[i].period, big, key, sizeof key);
        add(&t, key, p->points[i].value);
    }
    CHECK_EQ_INT(t.n, w->npoints);
    for (size_t i = 0; i < w->npoints; i++) {
        entry *e = slot(&t, w->points[i].period);
        char what[160];
        snprintf(what, sizeof what, "%s: %ss of %s", kpi, small, w->points[i].period);
        if (!extremes)
            CHECK_CLOSE(e->sum, w->points[i].value, 1e-6, what);
        else if (!strcmp(kpi, "max_ticket"))
            CHECK_CLOSE(e->n ? e->max : NAN, w->points[i].value, 0, what);
        else
            CHECK_CLOSE(e->n ? e->min : NAN, w->points[i].value, 0, what);
        if (tap_cur_failed)
            break;
    }
    free(t.e);
out:
    kpi_result_destroy(parts);
    kpi_result_destroy(whole);
}

static void test_periods_fold(void)
{
    for (size_t k = 0; k < NADDITIVE; k++) {
        check_fold(additive[k], "day", "month", false);
        check_fold(additive[k], "month", "quarter", false);
        check_fold(additive[k], "quarter", "year", false);
        check_fold(additive[k], "day", "year", false);
    }
    check_fold("max_ticket", "day", "month", true);
    check_fold("min_ticket", "day", "month", true);
    check_fold("max_ticket", "month", "year", true);
    /* one period of the larger grain, asked by name, cut into the smaller one */
    kpi_result *q = run("revenue", "2025-Q3", NULL, NULL, "day", NULL);
    kpi_result *whole = run("revenue", "2025-Q3", NULL, NULL, NULL, NULL);
    if (q && whole) {
        const kpi_series *s = kpi_result_series(q, 0);
        CHECK_EQ_INT(s->npoints, 92);
        double sum = 0;
        for (size_t i = 0; i < s->npoints; i++)
            sum += s->points[i].value;
        CHECK_CLOSE(sum, kpi_result_series(whole, 0)->points[0].value, 1e-6, "2025-Q3 by day");
    }
    kpi_result_destroy(q);
    kpi_result_destroy(whole);
}

/* ---- (c) the engine agrees with SQL on kpi.db ---------------------------------------------- */

/* Runs sql (columns: period, group, value; value NULL allowed) and compares each row with the
 * point of the KPI's result for that period and group. Every defined point must be matched
 * (but periods without rows, where a count or sum is 0, have no SQL row). */
static void check_against_sql_to(const char *kpi, const char *grain, const char *by, const char *to,
                                 const char *sql, double tol)
{
    kpi_result *r = run(kpi, NULL, FROM, to, grain, by);
    if (!r)
        return;
    const kpi_series *s = kpi_result_series(r, 0);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        printf("#   cannot prepare: %s\n#   %s\n", sqlite3_errmsg(db), sql);
        tap_cur_failed = 1;
        kpi_result_destroy(r);
        return;
    }
    size_t rows = 0, matched = 0, defined = 0;
    for (size_t i = 0; i < s->npoints; i++)
        defined += !isnan(s->points[i].value) && s->points[i].value != 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *period = (const char *)sqlite3_column_text(st, 0);
        const char *group = by ? (const char *)sqlite3_column_text(st, 1) : NULL;
        double want =
            sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2);
        rows++;
        const kpi_point *pt = NULL;
        for (size_t i = 0; i < s->npoints && !pt; i++)
            if (!strcmp(s->points[i].period, period) &&
                (!group || !strcmp(s->points[i].group[0], group)))
                pt = &s->points[i];
        char what[200];
        snprintf(what, sizeof what, "%s %s %s%s%s", kpi, grain, period, group ? " " : "",
                 group ? group : "");
        if (!pt) {
            printf("#   %s: no point in the result\n", what);
            tap_cur_failed = 1;
            break;
        }
        matched += !isnan(want) && want != 0;
        CHECK_CLOSE(pt->value, want, tol * fmax(1, fabs(want)), what);
        if (tap_cur_failed)
            break;
    }
    sqlite3_finalize(st);
    CHECK(rows > 0);
    if (!tap_cur_failed)
        CHECK_EQ_INT(matched, defined);
    kpi_result_destroy(r);
}

static void check_against_sql(const char *kpi, const char *grain, const char *by, const char *sql,
                              double tol)
{
    check_against_sql_to(kpi, grain, by, TO, sql, tol);
}

/* SQL snippets over the local day of a row. */
#define DAY "((_key >> 40) * 86400)"
#define MONTH "strftime('%Y-%m', " DAY ", 'unixepoch')"
#define QUARTER                                                                                    \
    "(strftime('%Y', " DAY ", 'unixepoch') || '-Q' || "                                            \
    "((CAST(strftime('%m', " DAY ", 'unixepoch') AS INTEGER) + 2) / 3))"
#define YEAR "strftime('%Y', " DAY ", 'unixepoch')"
/* Rows of local days 2024-01-01 (day 19723) .. 2026-12-31: a row just before midnight UTC on
 * 31 December 2026 is in 2027 in Berlin, outside the queries' range. */
#define IN_RANGE " WHERE (_key >> 40) >= 19723 AND (_key >> 40) < 20819"

static void test_engine_matches_sql(void)
{
    check_against_sql("margin", "month", "region",
                      "SELECT " MONTH ", coalesce(region, ''), "
                      "(sum(revenue) - coalesce(sum(cost), 0)) * 100.0 / sum(revenue) "
                      "FROM orders" IN_RANGE " GROUP BY 1, 2",
                      1e-9);
    check_against_sql("margin", "quarter", NULL,
                      "SELECT " QUARTER ", NULL, "
                      "(sum(revenue) - coalesce(sum(cost), 0)) * 100.0 / sum(revenue) "
                      "FROM orders" IN_RANGE " GROUP BY 1",
                      1e-9);
    check_against_sql(
        "revenue", "month", "rep",
        "SELECT " MONTH ", rep, sum(revenue) / 1e4 FROM orders" IN_RANGE " GROUP BY 1, 2", 1e-9);
    check_against_sql("net", "year", "region",
                      "SELECT " YEAR ", coalesce(region, ''), "
                      "sum(revenue - cost) / 1e4 FROM orders" IN_RANGE " GROUP BY 1, 2",
                      1e-9);
    check_against_sql("won_n", "month", "rep",
                      "SELECT " MONTH ", rep, count(*) FROM orders" IN_RANGE " AND status = 'won' "
                      "GROUP BY 1, 2",
                      0);
    check_against_sql("orders_n", "day", NULL,
                      "SELECT strftime('%Y-%m-%d', " DAY ", 'unixepoch'), NULL, count(*) "
                      "FROM orders" IN_RANGE " GROUP BY 1",
                      0);
    check_against_sql("avg_ticket", "quarter", "region",
                      "SELECT " QUARTER ", coalesce(region, ''), avg(revenue) / 1e4 "
                      "FROM orders" IN_RANGE " GROUP BY 1, 2",
                      1e-9);
    check_against_sql(
        "max_ticket", "month", NULL,
        "SELECT " MONTH ", NULL, max(revenue) / 1e4 FROM orders" IN_RANGE " GROUP BY 1", 1e-9);
    check_against_sql(
        "min_ticket", "month", "rep",
        "SELECT " MONTH ", rep, min(revenue) / 1e4 FROM orders" IN_RANGE " GROUP BY 1, 2", 1e-9);
    check_against_sql("reps_active", "month", "region",
                      "SELECT " MONTH ", coalesce(region, ''), count(DISTINCT rep) "
                      "FROM orders" IN_RANGE " GROUP BY 1, 2",
                      0);
    check_against_sql_to(
        /* whole weeks: 2024-W01 (from Monday 2024-01-01) .. 2026-W52 (to Sunday 2026-12-27) */
        "units", "week", NULL, "2026-12-27",
        /* ISO week of the local day: the year and number of its Thursday */
        "SELECT strftime('%Y', " DAY " + (3 - (CAST(strftime('%w', " DAY
        ", 'unixepoch') AS INTEGER) + 6) % 7) * 86400, 'unixepoch') || '-W' || "
        "printf('%02d', (CAST(strftime('%j', " DAY " + (3 - (CAST(strftime('%w', " DAY
        ", 'unixepoch') AS INTEGER) + 6) % 7) * 86400, 'unixepoch') AS INTEGER) + 6) / 7), "
        "NULL, sum(qty) FROM orders "
        "WHERE (_key >> 40) >= 19723 AND (_key >> 40) < 20815 GROUP BY 1",
        0);
}

/* The median per month, computed here from the rows SQL returns. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_median_matches_rows(void)
{
    kpi_result *r = run("median_ticket", NULL, FROM, TO, "month", NULL);
    sqlite3_stmt *st = NULL;
    if (!r ||
        sqlite3_prepare_v2(db, "SELECT " MONTH ", revenue / 1e4 FROM orders" IN_RANGE " ORDER BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        tap_cur_failed = 1;
        kpi_result_destroy(r);
        return;
    }
    const kpi_series *s = kpi_result_series(r, 0);
    double *xs = malloc(NROWS * sizeof *xs);
    size_t n = 0, checked = 0;
    char month[16] = "";
    int step;
    do {
        step = sqlite3_step(st);
        const char *m = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
        if ((step != SQLITE_ROW || strcmp(m, month)) && n) {
            qsort(xs, n, sizeof *xs, cmp_double);
            double median = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
            for (size_t i = 0; i < s->npoints; i++)
                if (!strcmp(s->points[i].period, month)) {
                    CHECK_CLOSE(s->points[i].value, median, 1e-9, month);
                    checked++;
                }
            n = 0;
        }
        if (step == SQLITE_ROW) {
            snprintf(month, sizeof month, "%s", m);
            xs[n++] = sqlite3_column_double(st, 1);
        }
    } while (step == SQLITE_ROW);
    CHECK_EQ_INT(checked, 36);
    free(xs);
    sqlite3_finalize(st);
    kpi_result_destroy(r);
}

/* ---- (d) comparisons are consistent --------------------------------------------------------- */

static void test_comparisons_consistent(void)
{
    const char *kpis[] = {"revenue", "margin", "avg_ticket", "orders_n"};
    for (size_t k = 0; k < 4; k++) {
        kpi_result *r = run(kpis[k], NULL, FROM, TO, "month", "region");
        if (!r)
            continue;
        const kpi_series *s = kpi_result_series(r, 0);
        /* points come group by group, 36 months each */
        CHECK_EQ_INT(s->npoints % 36, 0);
        for (size_t i = 0; i < s->npoints; i++) {
            const kpi_point *p = &s->points[i];
            char what[160];
            snprintf(what, sizeof what, "%s %s %s", kpis[k], p->period, p->group[0]);
            CHECK_EQ_INT(p->complete, 1);
            if (i % 36 >= 1)
                CHECK_CLOSE(p->previous, s->points[i - 1].value, 1e-9, what);
            if (i % 36 >= 12)
                CHECK_CLOSE(p->last_year, s->points[i - 12].value, 1e-9, what);
            if (!isnan(p->previous) && p->previous != 0 && !isnan(p->value))
                CHECK_CLOSE(p->change, (p->value - p->previous) / fabs(p->previous), 1e-12, what);
            if (tap_cur_failed)
                break;
        }
        kpi_result_destroy(r);
    }
    /* shares of the regions add up to 100 in every month */
    kpi_result *r = run("share", NULL, FROM, TO, "month", "region");
    if (r) {
        const kpi_series *s = kpi_result_series(r, 0);
        table t = {0};
        for (size_t i = 0; i < s->npoints; i++)
            add(&t, s->points[i].period, s->points[i].value);
        CHECK_EQ_INT(t.n, 36);
        for (size_t i = 0; i < t.n; i++)
            CHECK_CLOSE(t.e[i].sum, 100, 1e-9, t.e[i].key);
        free(t.e);
    }
    kpi_result_destroy(r);
}

/* ytd, qtd, rolling(x, 3) and prev of each month from the monthly values, per group. */
static void test_calendar_functions_fold(void)
{
    const char *by[] = {NULL, "region"};
    for (size_t b = 0; b < 2; b++) {
        kpi_result *m = run("revenue", NULL, "2023-10-01", TO, "month", by[b]);
        kpi_result *ytd = run("rev_ytd", NULL, FROM, TO, "month", by[b]);
        kpi_result *qtd = run("rev_qtd", NULL, FROM, TO, "month", by[b]);
        kpi_result *roll = run("rev_roll3", NULL, FROM, TO, "month", by[b]);
        kpi_result *prev = run("rev_prev", NULL, FROM, TO, "month", by[b]);
        if (!m || !ytd || !qtd || !roll || !prev)
            goto next;
        const kpi_series *ms = kpi_result_series(m, 0);
        const kpi_series *ys = kpi_result_series(ytd, 0), *qs = kpi_result_series(qtd, 0);
        const kpi_series *rs = kpi_result_series(roll, 0), *ps = kpi_result_series(prev, 0);
        /* months 2023-10 .. 2026-12 per group: 39 of them; the functions' series 36 */
        CHECK_EQ_INT(ms->npoints % 39, 0);
        CHECK_EQ_INT(ys->npoints, ms->npoints / 39 * 36);
        for (size_t i = 0; i < ys->npoints && !tap_cur_failed; i++) {
            size_t g = i / 36, k = i % 36, j = g * 39 + 3 + k; /* the month in ms */
            const char *name = ys->points[i].period;
            CHECK_STR(ms->points[j].period, name);
            int month = atoi(name + 5);
            double y = 0, q = 0;
            for (int d = 0; d < month; d++)
                y += ms->points[j - (size_t)d].value;
            for (int d = 0; d <= (month - 1) % 3; d++)
                q += ms->points[j - (size_t)d].value;
            double r3 = ms->points[j].value + ms->points[j - 1].value + ms->points[j - 2].value;
            char what[96];
            snprintf(what, sizeof what, "%s %s", name, by[b] ? ys->points[i].group[0] : "");
            CHECK_CLOSE(ys->points[i].value, y, 1e-6, what);
            CHECK_CLOSE(qs->points[i].value, q, 1e-6, what);
            CHECK_CLOSE(rs->points[i].value, r3, 1e-6, what);
            CHECK_CLOSE(ps->points[i].value, ms->points[j - 1].value, 1e-6, what);
            /* the previous period of ytd is ytd through the month before */
            if (month > 1)
                CHECK_CLOSE(ys->points[i].previous, y - ms->points[j].value, 1e-6, what);
        }
    next:
        kpi_result_destroy(m);
        kpi_result_destroy(ytd);
        kpi_result_destroy(qtd);
        kpi_result_destroy(roll);
        kpi_result_destroy(prev);
    }
}

int main(void)
{
    if (!setup()) {
        printf("not ok 1 - setup\n");
        teardown();
        return 1;
    }
    RUN(test_additive_groups_add_up);
    RUN(test_periods_fold);
    RUN(test_engine_matches_sql);
    RUN(test_median_matches_rows);
    RUN(test_comparisons_consistent);
    RUN(test_calendar_functions_fold);
    teardown();
    return tap_done();
}
