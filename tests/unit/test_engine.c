/*
 * test_engine.c - the semantics of KPI evaluation through the public API (include/kpi.h), on
 * small hand-computed fixtures: each test writes a kpi.yaml into a temporary workspace, imports
 * CSV from memory, pins "now" with kpi_workspace_set_now and checks kpi_query_run's points.
 *
 * Covered (DESIGN §1): aggregates over no rows and division by zero; exact money sums; `where`
 * filters; prev / ago / last year across year boundaries and leap days; calendar-true month
 * shifts; ytd / qtd / mtd; rolling; growth; total() shares with a breakdown; KPI references;
 * coalesce / if / abs / round; ISO weeks; fiscal quarters; the workspace time zone; targets
 * (constant, per period, per dimension, split over days for additive KPIs, levels otherwise),
 * attainment by direction, statuses at the thresholds; the open period (like-for-like
 * comparisons, expected to date, projection, status from the projection) and periods not begun;
 * snapshot streams; the grain `all` and --from/--to ranges that cut periods; row expressions
 * over times and dates; conversion(); query errors.
 *
 * Conventions the expected values rely on: a null field in a comparison is neither equal nor
 * unequal (SQL's three-valued logic: `status != "won"` and `status not in (...)` skip rows
 * whose status is null); an open period's elapsed time runs to the pinned "now" (hours count).
 */
#include "kpi.h"
#include "../tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------------------- */

#define CHECK_NUM(a, b)                                                                            \
    do {                                                                                           \
        double n_a = (a), n_b = (b);                                                               \
        if (!(fabs(n_a - n_b) <= 1e-9 * fmax(1.0, fabs(n_b)))) {                                   \
            printf("#   %s:%d: %s == %s: %.17g != %.17g\n", __FILE__, __LINE__, #a, #b, n_a, n_b); \
            tap_cur_failed = 1;                                                                    \
        }                                                                                          \
    } while (0)

/* Exactly equal, bit for bit (money sums must not drift). */
#define CHECK_EXACT(a, b)                                                                          \
    do {                                                                                           \
        double n_a = (a), n_b = (b);                                                               \
        if (n_a != n_b) {                                                                          \
            printf("#   %s:%d: %s == %s exactly: %.17g != %.17g\n", __FILE__, __LINE__, #a, #b,    \
                   n_a, n_b);                                                                      \
            tap_cur_failed = 1;                                                                    \
        }                                                                                          \
    } while (0)

/* Undefined (JSON null). */
#define CHECK_NULL(a)                                                                              \
    do {                                                                                           \
        double n_a = (a);                                                                          \
        if (!isnan(n_a)) {                                                                         \
            printf("#   %s:%d: %s is null: got %.17g\n", __FILE__, __LINE__, #a, n_a);             \
            tap_cur_failed = 1;                                                                    \
        }                                                                                          \
    } while (0)

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

static char dir[256];

static void print_error(const char *what, kpi_workspace *ws)
{
    char msg[2400];
    kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
    printf("#   %s failed: %s\n", what, msg);
}

/* A fresh workspace with this kpi.yaml in a temporary directory; "now" pinned far after the
 * fixtures' data (2030-06-15), so that no period a test looks at is open. */
static kpi_workspace *fresh(const char *yaml)
{
    snprintf(dir, sizeof dir, "/tmp/kpi-test-engine-XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/kpi.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(yaml, f);
    fclose(f);
    kpi_workspace *ws;
    if (kpi_workspace_open(dir, &ws) != KPI_OK) {
        print_error("open", ws);
        kpi_workspace_destroy(ws);
        tap_cur_failed = 1;
        return NULL;
    }
    kpi_workspace_set_now(ws, kpi_parse_time("2030-06-15T12:00:00Z"));
    return ws;
}

static void done(kpi_workspace *ws)
{
    kpi_workspace_destroy(ws);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("#   cleanup failed\n");
}

/* Imports CSV text into a stream; every row must be accepted. */
static void import(kpi_workspace *ws, const char *stream, const char *csv)
{
    mem m = {csv, strlen(csv), 0};
    kpi_import_result r;
    memset(&r, 0, sizeof r);
    kpi_status rc = kpi_import_reader(ws, stream, "test.csv", mem_read, &m, m.n, NULL, &r);
    if (rc != KPI_OK)
        print_error("import", ws);
    CHECK_EQ_INT(rc, KPI_OK);
    CHECK_EQ_INT(r.rejected, 0);
}

/* Runs a query: kpis is a comma-separated list, by a comma-separated list or NULL. NULL on
 * failure (printed). */
static kpi_result *query(kpi_workspace *ws, const char *kpis, const char *period, const char *from,
                         const char *to, const char *grain, const char *by)
{
    static char kbuf[1024], bbuf[256];
    const char *ids[32], *bys[8];
    size_t nk = 0, nb = 0;
    snprintf(kbuf, sizeof kbuf, "%s", kpis);
    for (char *t = strtok(kbuf, ","); t && nk < 32; t = strtok(NULL, ","))
        ids[nk++] = t;
    if (by) {
        snprintf(bbuf, sizeof bbuf, "%s", by);
        for (char *t = strtok(bbuf, ","); t && nb < 8; t = strtok(NULL, ","))
            bys[nb++] = t;
    }
    kpi_query q = {.kpis = ids,
                   .nkpis = nk,
                   .period = period,
                   .from = from,
                   .to = to,
                   .grain = grain,
                   .by = bys,
                   .nby = nb};
    kpi_result *res = NULL;
    if (kpi_query_run(ws, &q, &res) != KPI_OK) {
        print_error(kpis, ws);
        tap_cur_failed = 1;
        return NULL;
    }
    return res;
}

/* The point of KPI id for period (and first group value, or NULL); a point with every number
 * undefined and status "missing" when there is none (reported). */
static kpi_point missing_point;

static const kpi_point *point_of(const kpi_result *r, const char *id, const char *period,
                                 const char *group, int line)
{
    missing_point.value = missing_point.previous = missing_point.change = NAN;
    missing_point.change_points = missing_point.last_year = missing_point.target = NAN;
    missing_point.attainment = missing_point.expected_to_date = missing_point.projected = NAN;
    missing_point.status = "missing";
    missing_point.period = "";
    missing_point.complete = -1;
    for (size_t i = 0; r && i < kpi_result_nseries(r); i++) {
        const kpi_series *s = kpi_result_series(r, i);
        if (strcmp(s->id, id) != 0)
            continue;
        for (size_t j = 0; j < s->npoints; j++) {
            const kpi_point *p = &s->points[j];
            if (strcmp(p->period, period) != 0)
                continue;
            if (group && (!p->group || strcmp(p->group[0], group) != 0))
                continue;
            return p;
        }
    }
    printf("#   line %d: no point for kpi %s, period %s%s%s\n", line, id, period,
           group ? ", group " : "", group ? group : "");
    tap_cur_failed = 1;
    return &missing_point;
}

#define P(r, id, period) point_of((r), (id), (period), NULL, __LINE__)
#define PG(r, id, period, group) point_of((r), (id), (period), (group), __LINE__)

/* The value of one KPI for one period (NaN on failure). */
static double value_at(kpi_workspace *ws, const char *kpi, const char *period, int line)
{
    kpi_result *r = query(ws, kpi, period, NULL, NULL, NULL, NULL);
    double v = point_of(r, kpi, period, NULL, line)->value;
    kpi_result_destroy(r);
    return v;
}

#define V(ws, kpi, period) value_at((ws), (kpi), (period), __LINE__)

/* The streams most tests share. */
#define STREAMS                                                                                    \
    "streams:\n"                                                                                   \
    "  orders:\n"                                                                                  \
    "    time: at\n"                                                                               \
    "    fields:\n"                                                                                \
    "      at: time\n"                                                                             \
    "      region: text\n"                                                                         \
    "      rep: text\n"                                                                            \
    "      revenue: number\n"                                                                      \
    "      cost: number\n"                                                                         \
    "      qty: integer\n"                                                                         \
    "      status: text\n"                                                                         \
    "      discount: number\n"                                                                     \
    "  empty:\n"                                                                                   \
    "    time: at\n"                                                                               \
    "    fields:\n"                                                                                \
    "      at: time\n"                                                                             \
    "      x: number\n"                                                                            \
    "      tag: text\n"

#define ORDERS_HEADER "at,region,rep,revenue,cost,qty,status,discount\n"

/* ---- aggregates over no rows, nulls, division by zero ------------------------------------- */

static void test_aggregates_of_no_rows(void)
{
    kpi_workspace *ws =
        fresh(STREAMS "kpis:\n"
                      "  e_count:\n    formula: 'count(empty)'\n"
                      "  e_sum:\n    formula: 'sum(empty.x)'\n"
                      "  e_avg:\n    formula: 'avg(empty.x)'\n"
                      "  e_min:\n    formula: 'min(empty.x)'\n"
                      "  e_max:\n    formula: 'max(empty.x)'\n"
                      "  e_median:\n    formula: 'median(empty.x)'\n"
                      "  e_pct:\n    formula: 'percentile(empty.x, 90)'\n"
                      "  e_first:\n    formula: 'first(empty.x)'\n"
                      "  e_last:\n    formula: 'last(empty.x)'\n"
                      "  e_distinct:\n    formula: 'count_distinct(empty.tag)'\n"
                      "  e_where:\n    formula: 'count(orders where status = \"won\")'\n"
                      "  e_sum_where:\n    formula: 'sum(orders.revenue where qty > 100)'\n");
    if (!ws)
        return;
    /* orders has rows in the period, none of them matching the filters */
    import(ws, "orders", ORDERS_HEADER "2026-01-10T10:00:00Z,North,Ana,10,5,1,lost,\n");
    kpi_result *r = query(ws,
                          "e_count,e_sum,e_avg,e_min,e_max,e_median,e_pct,e_first,e_last,"
                          "e_distinct,e_where,e_sum_where",
                          "2026-01", NULL, NULL, NULL, NULL);
    CHECK_EXACT(P(r, "e_count", "2026-01")->value, 0);
    CHECK_EXACT(P(r, "e_sum", "2026-01")->value, 0);
    CHECK_EXACT(P(r, "e_where", "2026-01")->value, 0);
    CHECK_EXACT(P(r, "e_sum_where", "2026-01")->value, 0);
    CHECK_NULL(P(r, "e_avg", "2026-01")->value);
    CHECK_NULL(P(r, "e_min", "2026-01")->value);
    CHECK_NULL(P(r, "e_max", "2026-01")->value);
    CHECK_NULL(P(r, "e_median", "2026-01")->value);
    CHECK_NULL(P(r, "e_pct", "2026-01")->value);
    CHECK_NULL(P(r, "e_first", "2026-01")->value);
    CHECK_NULL(P(r, "e_last", "2026-01")->value);
    /* a count of distinct values over no rows is a count: 0, as in SQL */
    CHECK_EXACT(P(r, "e_distinct", "2026-01")->value, 0);
    /* a null value has no status but no_data; a zero count is data */
    CHECK_STR(P(r, "e_avg", "2026-01")->status, "no_data");
    CHECK_STR(P(r, "e_count", "2026-01")->status, "no_target");
    /* comparisons of 0 with 0: no relative change (division by zero), no inf */
    CHECK_NULL(P(r, "e_count", "2026-01")->change);
    CHECK_EXACT(P(r, "e_count", "2026-01")->previous, 0);
    kpi_result_destroy(r);
    done(ws);
}

static void test_division_by_zero_and_null_operands(void)
{
    kpi_workspace *ws = fresh(
        STREAMS "kpis:\n"
                "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                "  div0:\n    formula: 'revenue / count(empty)'\n"
                "  div0_diff:\n    formula: 'revenue / (sum(orders.cost) - sum(orders.cost))'\n"
                "  zero_over_zero:\n    formula: 'count(empty) / sum(empty.x)'\n"
                "  null_plus:\n    formula: 'avg(empty.x) + 1'\n"
                "  null_times_zero:\n    formula: 'avg(empty.x) * 0'\n"
                "  null_neg:\n    formula: '-max(empty.x)'\n"
                "  ratio:\n    formula: 'revenue / sum(orders.cost)'\n");
    if (!ws)
        return;
    import(ws, "orders", ORDERS_HEADER "2026-01-10T10:00:00Z,North,Ana,10,4,1,won,\n");
    kpi_result *r =
        query(ws, "div0,div0_diff,zero_over_zero,null_plus,null_times_zero,null_neg,ratio",
              "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NULL(P(r, "div0", "2026-01")->value);
    CHECK_NULL(P(r, "div0_diff", "2026-01")->value);
    CHECK_NULL(P(r, "zero_over_zero", "2026-01")->value);
    CHECK_NULL(P(r, "null_plus", "2026-01")->value);
    CHECK_NULL(P(r, "null_times_zero", "2026-01")->value);
    CHECK_NULL(P(r, "null_neg", "2026-01")->value);
    CHECK_NUM(P(r, "ratio", "2026-01")->value, 2.5);
    /* the previous month has no rows: ratio 0/0 there is null, and so is the change */
    CHECK_NULL(P(r, "ratio", "2026-01")->previous);
    CHECK_NULL(P(r, "ratio", "2026-01")->change);
    /* JSON shows undefined values as null, never inf or nan */
    char *json = kpi_result_render(r, KPI_OUTPUT_JSON, NULL);
    CHECK_CONTAINS(json, "\"id\": \"div0\"");
    CHECK_CONTAINS(json, "\"value\": null");
    CHECK(json && !strstr(json, "inf") && !strstr(json, "nan") && !strstr(json, "NaN"));
    free(json);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- exact money --------------------------------------------------------------------------- */

static void test_exact_money_sums(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  avg_revenue:\n    formula: 'avg(orders.revenue)'\n"
                                      "  net:\n    formula: 'sum(orders.revenue - orders.cost)'\n");
    if (!ws)
        return;
    /* 10,000 rows of 0.01 spread over January: exactly 100.00 */
    size_t cap = 64 + 10000 * 64, o = 0;
    char *csv = malloc(cap);
    o += (size_t)snprintf(csv + o, cap - o, ORDERS_HEADER);
    for (int i = 0; i < 10000; i++)
        o += (size_t)snprintf(csv + o, cap - o,
                              "2026-01-%02dT%02d:%02d:%02dZ,North,Ana,0.01,0.03,1,,\n", 1 + i % 31,
                              i % 24, i % 60, (i / 60) % 60);
    /* February: 0.1 + 0.2 (0.30000000000000004 in floating point) and a few that cancel */
    o += (size_t)snprintf(csv + o, cap - o,
                          "2026-02-01T10:00:00Z,North,Ana,0.1,0.7,1,,\n"
                          "2026-02-02T10:00:00Z,North,Ana,0.2,0.1,1,,\n"
                          "2026-03-01T10:00:00Z,North,Ana,0.1,0,1,,\n"
                          "2026-03-02T10:00:00Z,North,Ana,0.2,0,1,,\n"
                          "2026-03-03T10:00:00Z,North,Ana,-0.3,0,1,,\n"
                          /* April: amounts whose scaled sums convert to the nearest double
                           * only when divided by 10^scale at once */
                          "2026-04-01T10:00:00Z,North,Ana,0.07,0.11,1,,\n"
                          "2026-05-01T10:00:00Z,North,Ana,1234.56,0.14,1,,\n"
                          "2026-05-02T10:00:00Z,North,Ana,0.77,0.14,1,,\n");
    import(ws, "orders", csv);
    free(csv);
    kpi_result *r =
        query(ws, "revenue,avg_revenue,net", NULL, "2026-01-01", "2026-03-31", "month", NULL);
    CHECK_EXACT(P(r, "revenue", "2026-01")->value, 100.0);
    CHECK_EXACT(P(r, "avg_revenue", "2026-01")->value, 0.01);
    CHECK_EXACT(P(r, "net", "2026-01")->value, -200.0);
    CHECK_EXACT(P(r, "revenue", "2026-02")->value, 0.3);
    CHECK_EXACT(P(r, "net", "2026-02")->value, -0.5);
    CHECK_EXACT(P(r, "revenue", "2026-03")->value, 0.0);
    kpi_result_destroy(r);
    /* a sum is the double nearest to the exact decimal, as if the figure had been typed in */
    r = query(ws, "revenue,avg_revenue,net", NULL, "2026-04-01", "2026-05-31", "month", NULL);
    CHECK_EXACT(P(r, "revenue", "2026-04")->value, 0.07);
    CHECK_EXACT(P(r, "avg_revenue", "2026-04")->value, 0.07);
    CHECK_EXACT(P(r, "net", "2026-04")->value, -0.04);
    CHECK_EXACT(P(r, "revenue", "2026-05")->value, 1235.33);
    CHECK_EXACT(P(r, "net", "2026-05")->value, 1235.05);
    kpi_result_destroy(r);
    /* the same figure over a quarter and a year */
    CHECK_EXACT(V(ws, "revenue", "2026-Q1"), 100.3);
    CHECK_EXACT(V(ws, "revenue", "2026"), 1335.7);
    r = query(ws, "revenue", "2026-01", NULL, NULL, NULL, NULL);
    char *json = kpi_result_render(r, KPI_OUTPUT_JSON, NULL);
    CHECK_CONTAINS(json, "\"period\": \"2026-01\", \"group\": {}, \"value\": 100,");
    free(json);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- where filters and the aggregates ------------------------------------------------------- */

#define FILTER_ROWS                                                                                \
    ORDERS_HEADER                                                                                  \
    "2026-01-05T10:00:00Z,North,Ana,50,20,1,won,5\n"                                               \
    "2026-01-06T10:00:00Z,South,Bob,150,60,2,lost,\n"                                              \
    "2026-01-07T10:00:00Z,East,Ana,99.99,10,3,open,0\n"                                            \
    "2026-01-08T10:00:00Z,West,Cy,100,40,1,won,\n"                                                 \
    "2026-01-09T10:00:00Z,North,Bob,200,80,2,,10\n"

static void test_where_filters(void)
{
    /* clang-format off */
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                              "  w_eq:\n    formula: 'count(orders where status = \"won\")'\n"
                              "  w_ne:\n    formula: 'count(orders where status != \"won\")'\n"
                              "  w_lt:\n    formula: 'sum(orders.revenue where revenue < 100)'\n"
                              "  w_le:\n    formula: 'sum(orders.revenue where revenue <= 100)'\n"
                              "  w_gt_int:\n    formula: 'count(orders where qty > 1)'\n"
                              "  w_in:\n    formula: 'count(orders where region in (\"North\", \"South\"))'\n"
                              "  w_in_num:\n    formula: 'sum(orders.qty where qty in (1, 3))'\n"
                              "  w_not_in:\n    formula: 'count(orders where status not in (\"won\", \"lost\"))'\n"
                              "  w_null:\n    formula: 'count(orders where discount is null)'\n"
                              "  w_not_null:\n    formula: 'count(orders where discount is not null)'\n"
                              "  w_status_null:\n    formula: 'count(orders where status is null)'\n"
                              "  w_and:\n    formula: 'count(orders where qty in (1, 2) and region != \"West\")'\n"
                              "  w_or:\n    formula: 'count(orders where region = \"North\" or qty = 3)'\n"
                              "  w_not:\n    formula: 'count(orders where not (region = \"North\"))'\n"
                              "  w_zero:\n    formula: 'count(orders where discount = 0)'\n"
                              "  w_expr:\n    formula: 'sum(orders.revenue - orders.cost where status = \"won\")'\n"
                              "  w_avg:\n    formula: 'avg(orders.revenue where rep = \"Ana\")'\n"
                              "  w_time:\n    formula: 'count(orders where at >= \"2026-01-07\")'\n"
                              "  w_median:\n    formula: 'median(orders.revenue where region != \"East\")'\n");
    /* clang-format on */
    if (!ws)
        return;
    import(ws, "orders", FILTER_ROWS);
    kpi_result *r = query(ws,
                          "w_eq,w_ne,w_lt,w_le,w_gt_int,w_in,w_in_num,w_not_in,w_null,w_not_null,"
                          "w_status_null,w_and,w_or,w_not,w_zero,w_expr,w_avg,w_time,w_median",
                          "2026-01", NULL, NULL, NULL, NULL);
    CHECK_EXACT(P(r, "w_eq", "2026-01")->value, 2);
    CHECK_EXACT(P(r, "w_ne", "2026-01")->value, 2); /* lost, open; the null status is skipped */
    CHECK_NUM(P(r, "w_lt", "2026-01")->value, 149.99);
    CHECK_NUM(P(r, "w_le", "2026-01")->value, 249.99);
    CHECK_EXACT(P(r, "w_gt_int", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_in", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_in_num", "2026-01")->value, 5);
    CHECK_EXACT(P(r, "w_not_in", "2026-01")->value, 1); /* open; null skipped */
    CHECK_EXACT(P(r, "w_null", "2026-01")->value, 2);
    CHECK_EXACT(P(r, "w_not_null", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_status_null", "2026-01")->value, 1);
    CHECK_EXACT(P(r, "w_and", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_or", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_not", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "w_zero", "2026-01")->value, 1);
    CHECK_NUM(P(r, "w_expr", "2026-01")->value, 90);
    CHECK_NUM(P(r, "w_avg", "2026-01")->value, 74.995);
    CHECK_EXACT(P(r, "w_time", "2026-01")->value, 3);
    CHECK_NUM(P(r, "w_median", "2026-01")->value, 125); /* 50 100 150 200 */
    kpi_result_destroy(r);
    done(ws);
}

static void test_aggregate_functions(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  a_avg:\n    formula: 'avg(orders.revenue)'\n"
                                      "  a_min:\n    formula: 'min(orders.revenue)'\n"
                                      "  a_max:\n    formula: 'max(orders.revenue)'\n"
                                      "  a_median:\n    formula: 'median(orders.revenue)'\n"
                                      "  a_p90:\n    formula: 'percentile(orders.revenue, 90)'\n"
                                      "  a_first:\n    formula: 'first(orders.revenue)'\n"
                                      "  a_last:\n    formula: 'last(orders.revenue)'\n"
                                      "  a_reps:\n    formula: 'count_distinct(orders.rep)'\n"
                                      "  a_regions:\n    formula: 'count_distinct(orders.region)'\n"
                                      "  a_avg_disc:\n    formula: 'avg(orders.discount)'\n"
                                      "  a_count:\n    formula: 'count(orders)'\n");
    if (!ws)
        return;
    import(ws, "orders", FILTER_ROWS);
    kpi_result *r = query(ws,
                          "a_avg,a_min,a_max,a_median,a_p90,a_first,a_last,a_reps,a_regions,"
                          "a_avg_disc,a_count",
                          "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "a_avg", "2026-01")->value, 119.998);
    CHECK_NUM(P(r, "a_min", "2026-01")->value, 50);
    CHECK_NUM(P(r, "a_max", "2026-01")->value, 200);
    CHECK_NUM(P(r, "a_median", "2026-01")->value, 100);
    CHECK_NUM(P(r, "a_p90", "2026-01")->value, 180); /* rank 3.6 between 150 and 200 */
    CHECK_NUM(P(r, "a_first", "2026-01")->value, 50);
    CHECK_NUM(P(r, "a_last", "2026-01")->value, 200);
    CHECK_EXACT(P(r, "a_reps", "2026-01")->value, 3);
    CHECK_EXACT(P(r, "a_regions", "2026-01")->value, 4);
    CHECK_NUM(P(r, "a_avg_disc", "2026-01")->value, 5); /* nulls are not averaged: (5+0+10)/3 */
    CHECK_EXACT(P(r, "a_count", "2026-01")->value, 5);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- moving in time -------------------------------------------------------------------------- */

static void test_prev_across_year_boundary(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  rev_prev:\n    formula: 'prev(revenue)'\n"
                                      "  rev_prev2:\n    formula: 'prev(prev(revenue))'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER
           "2025-11-20T10:00:00Z,North,Ana,50,0,1,,\n"
           "2025-12-22T10:00:00Z,North,Ana,7,0,1,,\n"   /* 2025-W52 */
           "2025-12-31T10:00:00Z,North,Ana,293,0,1,,\n" /* 2026-W01 (starts Mon 2025-12-29) */
           "2026-01-01T10:00:00Z,North,Ana,3,0,1,,\n"
           "2026-01-20T10:00:00Z,North,Ana,97,0,1,,\n");
    kpi_result *r = query(ws, "revenue,rev_prev,rev_prev2", "2026-01", NULL, NULL, NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "month");
    CHECK_NUM(P(r, "revenue", "2026-01")->value, 100);
    CHECK_NUM(P(r, "revenue", "2026-01")->previous, 300);
    CHECK_NUM(P(r, "revenue", "2026-01")->change, (100.0 - 300.0) / 300.0);
    CHECK_NULL(P(r, "revenue", "2026-01")->change_points); /* currency: no points */
    CHECK_NUM(P(r, "rev_prev", "2026-01")->value, 300);
    CHECK_NUM(P(r, "rev_prev", "2026-01")->previous, 50);
    CHECK_NUM(P(r, "rev_prev2", "2026-01")->value, 50);
    kpi_result_destroy(r);
    /* weeks: 2026-W01 follows 2025-W52 */
    r = query(ws, "revenue,rev_prev", "2026-W01", NULL, NULL, NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "week");
    CHECK_STR(kpi_result_from(r), "2025-12-29");
    CHECK_STR(kpi_result_to(r), "2026-01-04");
    CHECK_NUM(P(r, "revenue", "2026-W01")->value, 296);
    CHECK_NUM(P(r, "revenue", "2026-W01")->previous, 7);
    CHECK_NUM(P(r, "rev_prev", "2026-W01")->value, 7);
    kpi_result_destroy(r);
    /* days, quarters and years */
    r = query(ws, "revenue", "2026-01-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2026-01-01")->previous, 293);
    kpi_result_destroy(r);
    r = query(ws, "revenue", "2026-Q1", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2026-Q1")->previous, 350);
    kpi_result_destroy(r);
    r = query(ws, "revenue", "2026", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2026")->previous, 350);
    kpi_result_destroy(r);
    /* a range across the boundary: one point per month, in order */
    r = query(ws, "revenue", NULL, "2025-12-01", "2026-01-31", "month", NULL);
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 2);
    if (s && s->npoints == 2) {
        CHECK_STR(s->points[0].period, "2025-12");
        CHECK_STR(s->points[1].period, "2026-01");
        CHECK_NUM(s->points[0].value, 300);
        CHECK_NUM(s->points[1].previous, 300);
    }
    kpi_result_destroy(r);
    done(ws);
}

static void test_last_year_and_leap_day(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  rev_ly:\n    formula: 'ago(revenue, \"1y\")'\n"
                                      "  rev_12m:\n    formula: 'ago(revenue, \"12m\")'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2023-02-28T10:00:00Z,North,Ana,1000,0,1,,\n"
                         "2024-02-28T10:00:00Z,North,Ana,1,0,1,,\n"
                         "2024-02-29T10:00:00Z,North,Ana,10,0,1,,\n"
                         "2025-02-28T10:00:00Z,North,Ana,100,0,1,,\n");
    /* February 2025 against February 2024, leap day included */
    kpi_result *r = query(ws, "revenue,rev_ly,rev_12m", "2025-02", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2025-02")->value, 100);
    CHECK_NUM(P(r, "revenue", "2025-02")->last_year, 11);
    CHECK_NUM(P(r, "rev_ly", "2025-02")->value, 11);
    CHECK_NUM(P(r, "rev_12m", "2025-02")->value, 11);
    kpi_result_destroy(r);
    /* February 2024 (29 days) against February 2023 */
    r = query(ws, "revenue,rev_ly", "2024-02", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2024-02")->value, 11);
    CHECK_NUM(P(r, "revenue", "2024-02")->last_year, 1000);
    CHECK_NUM(P(r, "rev_ly", "2024-02")->value, 1000);
    kpi_result_destroy(r);
    /* the leap day itself: a year back is 28 February 2023 */
    r = query(ws, "revenue,rev_ly", "2024-02-29", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2024-02-29")->value, 10);
    CHECK_NUM(P(r, "revenue", "2024-02-29")->last_year, 1000);
    CHECK_NUM(P(r, "rev_ly", "2024-02-29")->value, 1000);
    kpi_result_destroy(r);
    /* 28 February 2025: a year back is 28 February 2024, not the leap day */
    r = query(ws, "revenue,rev_ly", "2025-02-28", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2025-02-28")->last_year, 1);
    CHECK_NUM(P(r, "rev_ly", "2025-02-28")->value, 1);
    kpi_result_destroy(r);
    /* quarters and years too */
    r = query(ws, "revenue", "2025-Q1", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2025-Q1")->last_year, 11);
    kpi_result_destroy(r);
    r = query(ws, "revenue", "2024", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2024")->last_year, 1000);
    kpi_result_destroy(r);
    done(ws);
}

static void test_calendar_true_month_shift(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  rev_1m:\n    formula: 'ago(revenue, \"1m\")'\n"
                                      "  rev_1q:\n    formula: 'ago(revenue, \"1q\")'\n"
                                      "  rev_7d:\n    formula: 'ago(revenue, \"7d\")'\n"
                                      "  rev_1w:\n    formula: 'ago(revenue, \"1w\")'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER
           "2024-02-29T10:00:00Z,North,Ana,29,0,1,,\n"
           "2024-03-02T10:00:00Z,North,Ana,1000,0,1,,\n"
           "2025-11-28T10:00:00Z,North,Ana,50,0,1,,\n"
           "2025-11-30T10:00:00Z,North,Ana,5,0,1,,\n"
           "2026-02-28T10:00:00Z,North,Ana,28,0,1,,\n"
           "2026-03-03T10:00:00Z,North,Ana,1000,0,1,,\n" /* what a 31-day month back would hit */
           "2026-03-24T10:00:00Z,North,Ana,24,0,1,,\n"
           "2026-04-30T10:00:00Z,North,Ana,30,0,1,,\n");
    /* a month back from 31 March is February's last day */
    kpi_result *r = query(ws, "rev_1m,rev_7d,rev_1w", "2026-03-31", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_1m", "2026-03-31")->value, 28);
    CHECK_NUM(P(r, "rev_7d", "2026-03-31")->value, 24);
    CHECK_NUM(P(r, "rev_1w", "2026-03-31")->value, 24);
    kpi_result_destroy(r);
    /* in a leap year, the 29th */
    CHECK_NUM(V(ws, "rev_1m", "2024-03-31"), 29);
    CHECK_NUM(V(ws, "rev_1m", "2024-03-30"), 29);
    /* 31 May -> 30 April; a quarter back from 31 May -> 28 February; from 28 February the
     * same day number: 28 November */
    CHECK_NUM(V(ws, "rev_1m", "2026-05-31"), 30);
    CHECK_NUM(V(ws, "rev_1q", "2026-05-31"), 28);
    CHECK_NUM(V(ws, "rev_1q", "2026-02-28"), 50);
    /* the previous day of 1 March is 28 February */
    r = query(ws, "revenue", "2026-03-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2026-03-01")->previous, 28);
    kpi_result_destroy(r);
    /* months shift as months: March's previous is all of February */
    r = query(ws, "revenue,rev_1m", "2026-03", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "revenue", "2026-03")->previous, 28);
    CHECK_NUM(P(r, "rev_1m", "2026-03")->value, 28);
    kpi_result_destroy(r);
    done(ws);
}

static void test_to_date_rolling_growth(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  rev_ytd:\n    formula: 'ytd(revenue)'\n"
                                      "  rev_qtd:\n    formula: 'qtd(revenue)'\n"
                                      "  rev_mtd:\n    formula: 'mtd(revenue)'\n"
                                      "  rev_roll3:\n    formula: 'rolling(revenue, 3)'\n"
                                      "  rev_growth:\n    formula: 'growth(revenue)'\n"
                                      "  growth_pct:\n    formula: 'growth(revenue) * 100'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2025-12-31T10:00:00Z,North,Ana,100000,0,1,,\n"
                         "2026-01-15T10:00:00Z,North,Ana,1,0,1,,\n"
                         "2026-02-15T10:00:00Z,North,Ana,10,0,1,,\n"
                         "2026-04-10T10:00:00Z,North,Ana,100,0,1,,\n"
                         "2026-05-10T10:00:00Z,North,Ana,1000,0,1,,\n"
                         "2026-05-20T10:00:00Z,North,Ana,10000,0,1,,\n");
    /* to date, through a day */
    kpi_result *r = query(ws, "rev_ytd,rev_qtd,rev_mtd", "2026-05-15", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_ytd", "2026-05-15")->value, 1111);
    CHECK_NUM(P(r, "rev_qtd", "2026-05-15")->value, 1100);
    CHECK_NUM(P(r, "rev_mtd", "2026-05-15")->value, 1000);
    kpi_result_destroy(r);
    /* through a month; the previous month's ytd is through April */
    r = query(ws, "rev_ytd,rev_qtd,rev_mtd,rev_roll3,rev_growth,growth_pct", "2026-05", NULL, NULL,
              NULL, NULL);
    CHECK_NUM(P(r, "rev_ytd", "2026-05")->value, 11111);
    CHECK_NUM(P(r, "rev_ytd", "2026-05")->previous, 111);
    CHECK_NUM(P(r, "rev_ytd", "2026-05")->last_year, 0);
    CHECK_NUM(P(r, "rev_qtd", "2026-05")->value, 11100);
    CHECK_NUM(P(r, "rev_mtd", "2026-05")->value, 11000);
    CHECK_NUM(P(r, "rev_roll3", "2026-05")->value, 11100);
    CHECK_NUM(P(r, "rev_roll3", "2026-05")->previous, 110); /* Feb..Apr */
    CHECK_NUM(P(r, "rev_growth", "2026-05")->value, 109);   /* (11000 - 100) / 100 */
    CHECK_NUM(P(r, "growth_pct", "2026-05")->value, 10900);
    kpi_result_destroy(r);
    /* rolling and ytd across the year boundary */
    r = query(ws, "rev_roll3,rev_ytd,rev_growth", "2026-02", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_roll3", "2026-02")->value, 100011);
    CHECK_NUM(P(r, "rev_ytd", "2026-02")->value, 11);
    CHECK_NUM(P(r, "rev_growth", "2026-02")->value, 9);
    CHECK_NUM(P(r, "rev_ytd", "2026-02")->last_year, 0);
    kpi_result_destroy(r);
    r = query(ws, "rev_ytd", "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_ytd", "2026-01")->value, 1);
    CHECK_NUM(P(r, "rev_ytd", "2026-01")->previous, 100000); /* December: ytd of 2025 */
    kpi_result_destroy(r);
    /* growth against a negative-free drop to zero, and from zero (undefined) */
    CHECK_NUM(V(ws, "rev_growth", "2026-03"), -1);
    CHECK_NULL(V(ws, "rev_growth", "2026-04"));
    /* quarters: qtd of a quarter is the quarter, ytd the year so far */
    r = query(ws, "rev_qtd,rev_ytd,rev_roll3", "2026-Q2", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_qtd", "2026-Q2")->value, 11100);
    CHECK_NUM(P(r, "rev_ytd", "2026-Q2")->value, 11111);
    CHECK_NUM(P(r, "rev_roll3", "2026-Q2")->value, 111111); /* three quarters: 2025-Q4..2026-Q2 */
    kpi_result_destroy(r);
    done(ws);
}

/* ---- breakdowns, references, functions --------------------------------------------------------
 */

static void test_total_shares_by_group(void)
{
    kpi_workspace *ws =
        fresh(STREAMS "kpis:\n"
                      "  revenue:\n    formula: sum(orders.revenue)\n"
                      "    dimensions: [region, rep]\n"
                      "  share:\n    formula: revenue / total(revenue) * 100\n"
                      "    unit: percent\n    dimensions: [region, rep]\n"
                      "  share_count:\n    formula: count(orders) / total(count(orders))\n"
                      "    unit: ratio\n    dimensions: [region]\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2026-01-05T10:00:00Z,North,Ana,100,0,1,,\n"
                         "2026-01-06T10:00:00Z,South,Bob,100,0,1,,\n"
                         "2026-01-07T10:00:00Z,South,Ana,200,0,1,,\n"
                         "2026-01-08T10:00:00Z,West,Cy,600,0,1,,\n"
                         "2025-12-08T10:00:00Z,West,Cy,100,0,1,,\n"
                         "2025-12-09T10:00:00Z,North,Cy,100,0,1,,\n");
    kpi_result *r = query(ws, "revenue,share,share_count", "2026-01", NULL, NULL, NULL, "region");
    CHECK_EQ_INT(kpi_result_nby(r), 1);
    CHECK_STR(kpi_result_by(r, 0), "region");
    CHECK_NUM(PG(r, "share", "2026-01", "North")->value, 10);
    CHECK_NUM(PG(r, "share", "2026-01", "South")->value, 30);
    CHECK_NUM(PG(r, "share", "2026-01", "West")->value, 60);
    CHECK_NUM(PG(r, "share_count", "2026-01", "South")->value, 0.5);
    /* the previous period's share is against the previous period's total */
    CHECK_NUM(PG(r, "share", "2026-01", "West")->previous, 50);
    CHECK_NUM(PG(r, "share", "2026-01", "West")->change_points, 10);
    CHECK_NUM(PG(r, "share", "2026-01", "South")->previous, 0);
    CHECK_NUM(PG(r, "revenue", "2026-01", "South")->value, 300);
    /* groups come sorted by value */
    const kpi_series *s = r ? kpi_result_series(r, 1) : NULL;
    CHECK(s && s->npoints == 3);
    if (s && s->npoints == 3) {
        CHECK_STR(s->points[0].group[0], "North");
        CHECK_STR(s->points[2].group[0], "West");
        CHECK_NUM(s->points[0].value + s->points[1].value + s->points[2].value, 100);
    }
    kpi_result_destroy(r);
    /* without a breakdown the share is the whole */
    CHECK_NUM(V(ws, "share", "2026-01"), 100);
    /* two dimensions: a group per (region, rep) pair seen in the periods compared (North/Cy
     * sold in December only, so it shows with 0 in January) */
    r = query(ws, "share", "2026-01", NULL, NULL, NULL, "region,rep");
    s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 5);
    double sum = 0;
    for (size_t i = 0; s && i < s->npoints; i++) {
        sum += s->points[i].value;
        if (!strcmp(s->points[i].group[0], "South") && !strcmp(s->points[i].group[1], "Ana"))
            CHECK_NUM(s->points[i].value, 20);
    }
    CHECK_NUM(sum, 100);
    kpi_result_destroy(r);
    done(ws);
}

static void test_kpi_references(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: 'sum(orders.revenue)'\n"
                                      "  cost:\n    formula: 'sum(orders.cost)'\n"
                                      "  gross_profit:\n    formula: 'revenue - cost'\n"
                                      "  margin:\n    formula: gross_profit / revenue * 100\n"
                                      "    unit: percent\n"
                                      "  margin_growth:\n    formula: 'growth(margin)'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2026-01-05T10:00:00Z,North,Ana,150,120,1,,\n"
                         "2026-01-06T10:00:00Z,North,Ana,50,30,1,,\n"
                         "2026-02-05T10:00:00Z,North,Ana,100,70,1,,\n");
    kpi_result *r = query(ws, "gross_profit,margin,margin_growth", NULL, "2026-01-01", "2026-02-28",
                          "month", NULL);
    CHECK_NUM(P(r, "gross_profit", "2026-01")->value, 50);
    CHECK_NUM(P(r, "margin", "2026-01")->value, 25);
    CHECK_NUM(P(r, "margin", "2026-02")->value, 30);
    CHECK_NUM(P(r, "margin", "2026-02")->previous, 25);
    CHECK_NUM(P(r, "margin", "2026-02")->change, 0.2);
    CHECK_NUM(P(r, "margin", "2026-02")->change_points, 5);
    CHECK_NUM(P(r, "margin_growth", "2026-02")->value, 0.2);
    CHECK_NULL(P(r, "margin", "2026-01")->previous); /* no revenue in December */
    const kpi_series *s = r ? kpi_result_series(r, 1) : NULL;
    if (s) {
        CHECK_STR(s->unit, "percent");
        CHECK_STR(s->direction, "up");
    }
    kpi_result_destroy(r);
    done(ws);
}

static void test_scalar_functions(void)
{
    kpi_workspace *ws =
        fresh(STREAMS
              "kpis:\n"
              "  revenue:\n    formula: 'sum(orders.revenue)'\n"
              "  f_coalesce:\n    formula: 'coalesce(avg(empty.x), 5)'\n"
              "  f_coalesce_first:\n    formula: 'coalesce(revenue, 5)'\n"
              "  f_coalesce3:\n    formula: 'coalesce(avg(empty.x), max(empty.x), 7)'\n"
              "  f_if:\n    formula: 'if(revenue > 1000, 1, 0)'\n"
              "  f_if_else:\n    formula: 'if(revenue > 10 and count(orders) >= 2, revenue, -1)'\n"
              "  f_if_null:\n    formula: 'if(avg(empty.x) > 1, 1, 0)'\n"
              "  f_abs:\n    formula: 'abs(sum(orders.cost) - revenue)'\n"
              "  f_round:\n    formula: 'round(revenue / 3, 2)'\n"
              "  f_round0:\n    formula: 'round(revenue / 3)'\n"
              "  f_round_neg:\n    formula: 'round(revenue * 12.34, -2)'\n"
              "  f_round_null:\n    formula: 'round(avg(empty.x), 2)'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2026-01-05T10:00:00Z,North,Ana,60,130,1,,\n"
                         "2026-01-06T10:00:00Z,North,Ana,40,20,1,,\n");
    kpi_result *r = query(ws,
                          "f_coalesce,f_coalesce_first,f_coalesce3,f_if,f_if_else,f_if_null,f_abs,"
                          "f_round,f_round0,f_round_neg,f_round_null",
                          "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "f_coalesce", "2026-01")->value, 5);
    CHECK_NUM(P(r, "f_coalesce_first", "2026-01")->value, 100);
    CHECK_NUM(P(r, "f_coalesce3", "2026-01")->value, 7);
    CHECK_NUM(P(r, "f_if", "2026-01")->value, 0);
    CHECK_NUM(P(r, "f_if_else", "2026-01")->value, 100);
    CHECK_NULL(P(r, "f_if_null", "2026-01")->value);
    CHECK_NUM(P(r, "f_abs", "2026-01")->value, 50);
    CHECK_NUM(P(r, "f_round", "2026-01")->value, 33.33);
    CHECK_NUM(P(r, "f_round0", "2026-01")->value, 33);
    CHECK_NUM(P(r, "f_round_neg", "2026-01")->value, 1200);
    CHECK_NULL(P(r, "f_round_null", "2026-01")->value);
    /* the previous month has no orders: revenue 0 there, coalesce keeps 0 (not null) */
    CHECK_NUM(P(r, "f_coalesce_first", "2026-01")->previous, 0);
    CHECK_NUM(P(r, "f_if_else", "2026-01")->previous, -1);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- calendars and time zones -------------------------------------------------------------- */

static void test_iso_weeks(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: sum(orders.revenue)\n"
                                      "    grain: week\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2024-12-29T10:00:00Z,North,Ana,10000,0,1,,\n" /* Sunday: 2024-W52 */
                         "2024-12-30T10:00:00Z,North,Ana,1000,0,1,,\n"  /* Monday: 2025-W01 */
                         "2025-12-24T10:00:00Z,North,Ana,7,0,1,,\n" /* 2025-W52, the last of 2025 */
                         "2026-12-31T10:00:00Z,North,Ana,1,0,1,,\n" /* Thursday: 2026-W53 */
                         "2027-01-03T23:00:00Z,North,Ana,10,0,1,,\n"    /* Sunday: still 2026-W53 */
                         "2027-01-04T00:00:00Z,North,Ana,100,0,1,,\n"); /* Monday: 2027-W01 */
    CHECK_NUM(V(ws, "revenue", "2026-W53"), 11);
    CHECK_NUM(V(ws, "revenue", "2027-W01"), 100);
    CHECK_NUM(V(ws, "revenue", "2025-W01"), 1000);
    CHECK_NUM(V(ws, "revenue", "2024-W52"), 10000);
    /* a range at the KPI's grain: weeks, named the ISO way */
    kpi_result *r = query(ws, "revenue", NULL, "2026-12-28", "2027-01-10", NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "week");
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 2);
    if (s && s->npoints == 2) {
        CHECK_STR(s->points[0].period, "2026-W53");
        CHECK_STR(s->points[1].period, "2027-W01");
        CHECK_NUM(s->points[1].previous, 11);
        /* week 53 a year back: 2025 has no week 53, so its week 52 */
        CHECK_NUM(s->points[0].last_year, 7);
        /* 2027-W01 a year back is 2026-W01 (no data) */
        CHECK_NUM(s->points[1].last_year, 0);
    }
    kpi_result_destroy(r);
    /* the year of a week is the year of its Thursday */
    r = query(ws, "revenue", "2025-W01", NULL, NULL, NULL, NULL);
    CHECK_STR(kpi_result_from(r), "2024-12-30");
    CHECK_STR(kpi_result_to(r), "2025-01-05");
    CHECK_NUM(P(r, "revenue", "2025-W01")->previous, 10000);
    kpi_result_destroy(r);
    done(ws);
}

static void test_fiscal_quarters(void)
{
    kpi_workspace *ws = fresh("workspace:\n  name: F\n  fiscal_year_start: 4\n" STREAMS "kpis:\n"
                              "  revenue:\n    formula: sum(orders.revenue)\n"
                              "    grain: fiscal_quarter\n"
                              "  rev_ytd:\n    formula: 'ytd(revenue)'\n"
                              "  rev_qtd:\n    formula: 'qtd(revenue)'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2025-04-15T10:00:00Z,North,Ana,100000,0,1,,\n"  /* FY2026-Q1 */
                         "2026-03-31T10:00:00Z,North,Ana,1,0,1,,\n"       /* FY2026-Q4 */
                         "2026-04-01T10:00:00Z,North,Ana,10,0,1,,\n"      /* FY2027-Q1 */
                         "2026-06-30T10:00:00Z,North,Ana,100,0,1,,\n"     /* FY2027-Q1 */
                         "2026-07-01T10:00:00Z,North,Ana,1000,0,1,,\n"    /* FY2027-Q2 */
                         "2027-03-31T10:00:00Z,North,Ana,10000,0,1,,\n"); /* FY2027-Q4 */
    CHECK_NUM(V(ws, "revenue", "FY2026-Q4"), 1);
    CHECK_NUM(V(ws, "revenue", "FY2027-Q1"), 110);
    CHECK_NUM(V(ws, "revenue", "FY2027-Q2"), 1000);
    CHECK_NUM(V(ws, "revenue", "FY2027"), 11110);
    CHECK_NUM(V(ws, "revenue", "FY2026"), 100001);
    /* a calendar range cut into fiscal quarters */
    kpi_result *r =
        query(ws, "revenue,rev_ytd,rev_qtd", NULL, "2026-01-01", "2026-09-30", NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "fiscal_quarter");
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 3);
    if (s && s->npoints == 3) {
        CHECK_STR(s->points[0].period, "FY2026-Q4");
        CHECK_STR(s->points[1].period, "FY2027-Q1");
        CHECK_STR(s->points[2].period, "FY2027-Q2");
    }
    CHECK_NUM(P(r, "revenue", "FY2027-Q1")->previous, 1);
    CHECK_NUM(P(r, "revenue", "FY2027-Q1")->last_year, 100000);
    /* ytd at a fiscal grain is fiscal-year to date: from 1 April */
    CHECK_NUM(P(r, "rev_ytd", "FY2027-Q2")->value, 1110);
    CHECK_NUM(P(r, "rev_ytd", "FY2026-Q4")->value, 100001);
    CHECK_NUM(P(r, "rev_qtd", "FY2027-Q2")->value, 1000);
    kpi_result_destroy(r);
    /* FY2027-Q4 is January..March 2027 */
    r = query(ws, "revenue", "FY2027-Q4", NULL, NULL, NULL, NULL);
    CHECK_STR(kpi_result_from(r), "2027-01-01");
    CHECK_STR(kpi_result_to(r), "2027-03-31");
    CHECK_NUM(P(r, "revenue", "FY2027-Q4")->value, 10000);
    CHECK_NUM(P(r, "revenue", "FY2027-Q4")->last_year, 1);
    kpi_result_destroy(r);
    /* at month grain, ytd follows the fiscal year too (from 1 April: 10 + 100 + 1000); a
     * calendar quarter keeps the calendar year (1 + 10 + 100 + 1000) */
    r = query(ws, "rev_ytd", "2026-07", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_ytd", "2026-07")->value, 1110);
    kpi_result_destroy(r);
    r = query(ws, "rev_ytd", "2026-Q3", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "rev_ytd", "2026-Q3")->value, 1111);
    kpi_result_destroy(r);
    done(ws);
}

static void test_workspace_time_zone(void)
{
    kpi_workspace *ws = fresh("workspace:\n  name: Z\n  timezone: Europe/Berlin\n" STREAMS "kpis:\n"
                              "  orders_n:\n    formula: 'count(orders)'\n"
                              "  revenue:\n    formula: 'sum(orders.revenue)'\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER
           "2026-10-31T23:30:00Z,North,Ana,1,0,1,,\n"    /* 00:30 CET on 1 November */
           "2026-10-31T22:30:00Z,North,Ana,10,0,1,,\n"   /* 23:30 CET on 31 October */
           "2026-10-31 23:30,North,Ana,100,0,1,,\n"      /* naive: read in Berlin, October */
           "2026-06-30T22:30:00Z,North,Ana,1000,0,1,,\n" /* 00:30 CEST on 1 July */
           "2026-01-01T00:30:00+01:00,North,Ana,10000,0,1,,\n"); /* 2025-12-31T23:30Z: January */
    CHECK_NUM(V(ws, "orders_n", "2026-11"), 1);
    CHECK_NUM(V(ws, "revenue", "2026-11"), 1);
    CHECK_NUM(V(ws, "revenue", "2026-11-01"), 1);
    CHECK_NUM(V(ws, "revenue", "2026-10"), 110);
    CHECK_NUM(V(ws, "revenue", "2026-10-31"), 110);
    CHECK_NUM(V(ws, "revenue", "2026-06"), 0);
    CHECK_NUM(V(ws, "revenue", "2026-07"), 1000);
    CHECK_NUM(V(ws, "revenue", "2026-01"), 10000);
    CHECK_NUM(V(ws, "revenue", "2025"), 0);
    done(ws);
}

/* ---- targets, attainment, status ----------------------------------------------------------------
 */

#define TARGET_KPIS                                                                                \
    "kpis:\n"                                                                                      \
    "  sales:\n"                                                                                   \
    "    formula: sum(orders.revenue)\n"                                                           \
    "    unit: currency\n"                                                                         \
    "    dimensions: [rep, region]\n"                                                              \
    "    targets:\n"                                                                               \
    "      - value: 1000\n"                                                                        \
    "      - {period: 2026-03, value: 2000}\n"                                                     \
    "      - {period: 2026-Q2, value: 9100}\n"                                                     \
    "      - {rep: Ana, value: 600}\n"                                                             \
    "    thresholds: {at_risk: 0.9}\n"                                                             \
    "  margin:\n"                                                                                  \
    "    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100\n"          \
    "    unit: percent\n"                                                                          \
    "    dimensions: [rep, region]\n"                                                              \
    "    targets:\n"                                                                               \
    "      - value: 40\n"                                                                          \
    "      - {period: 2026-Q2, value: 42}\n"                                                       \
    "      - {rep: Ana, value: 45}\n"                                                              \
    "  avg_cost:\n"                                                                                \
    "    formula: avg(orders.cost)\n"                                                              \
    "    unit: currency\n"                                                                         \
    "    direction: down\n"                                                                        \
    "    targets: [{value: 300}]\n"                                                                \
    "    thresholds: {at_risk: 0.8}\n"                                                             \
    "  spend:\n"                                                                                   \
    "    formula: sum(orders.cost)\n"                                                              \
    "    direction: down\n"                                                                        \
    "    targets: [{value: 600}]\n"                                                                \
    "  no_goal:\n"                                                                                 \
    "    formula: count(orders)\n"

static void test_targets(void)
{
    kpi_workspace *ws = fresh(STREAMS TARGET_KPIS);
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER
           /* January: Ana 600/300, Bob 400/300 -> sales 1000, margin 40, avg cost 300 */
           "2026-01-10T10:00:00Z,North,Ana,600,300,1,,\n"
           "2026-01-11T10:00:00Z,South,Bob,400,300,1,,\n"
           /* February: 900 (0.9 of 1000), avg cost 270 */
           "2026-02-10T10:00:00Z,North,Ana,300,150,1,,\n"
           "2026-02-11T10:00:00Z,South,Bob,600,390,1,,\n"
           /* March: 1900 against the March target 2000; avg cost 375 */
           "2026-03-10T10:00:00Z,North,Ana,1900,750,1,,\n"
           "2026-03-11T10:00:00Z,South,Bob,0,0,1,,\n"
           /* April 3000 (target 9100 * 30/91 = 3000), avg cost 400 */
           "2026-04-10T10:00:00Z,North,Ana,3000,400,1,,\n"
           /* May 2790 (target 3100: exactly 0.9) */
           "2026-05-10T10:00:00Z,North,Ana,2790,1395,1,,\n"
           /* June 2699.99 (target 3000: just under 0.9) */
           "2026-06-10T10:00:00Z,North,Ana,2699.99,1000,1,,\n");
    kpi_result *r = query(ws, "sales,margin,avg_cost,spend,no_goal", NULL, "2026-01-01",
                          "2026-06-30", "month", NULL);
    /* a constant target for every month */
    CHECK_NUM(P(r, "sales", "2026-01")->target, 1000);
    CHECK_NUM(P(r, "sales", "2026-01")->attainment, 1);
    CHECK_STR(P(r, "sales", "2026-01")->status, "on_track");
    CHECK_NUM(P(r, "sales", "2026-02")->attainment, 0.9);
    CHECK_STR(P(r, "sales", "2026-02")->status, "at_risk");
    /* a period-specific target wins over the constant */
    CHECK_NUM(P(r, "sales", "2026-03")->target, 2000);
    CHECK_NUM(P(r, "sales", "2026-03")->attainment, 0.95);
    CHECK_STR(P(r, "sales", "2026-03")->status, "at_risk");
    /* a quarterly target of an additive KPI is split over the days of its months */
    CHECK_NUM(P(r, "sales", "2026-04")->target, 3000);
    CHECK_NUM(P(r, "sales", "2026-05")->target, 3100);
    CHECK_NUM(P(r, "sales", "2026-06")->target, 3000);
    CHECK_STR(P(r, "sales", "2026-04")->status, "on_track");
    CHECK_NUM(P(r, "sales", "2026-05")->attainment, 0.9);
    CHECK_STR(P(r, "sales", "2026-05")->status, "at_risk");
    CHECK_STR(P(r, "sales", "2026-06")->status, "off_track");
    /* a level target (percent) is not split: the quarter's 42 holds in each of its months */
    CHECK_NUM(P(r, "margin", "2026-01")->target, 40);
    CHECK_NUM(P(r, "margin", "2026-01")->value, 40);
    CHECK_STR(P(r, "margin", "2026-01")->status, "on_track");
    CHECK_NUM(P(r, "margin", "2026-04")->target, 42);
    CHECK_NUM(P(r, "margin", "2026-05")->target, 42);
    CHECK_NUM(P(r, "margin", "2026-05")->value, 50);
    /* direction down: attainment = target / value */
    CHECK_NUM(P(r, "avg_cost", "2026-01")->attainment, 1);
    CHECK_STR(P(r, "avg_cost", "2026-01")->status, "on_track");
    CHECK_NUM(P(r, "avg_cost", "2026-02")->attainment, 300.0 / 270.0);
    CHECK_STR(P(r, "avg_cost", "2026-02")->status, "on_track");
    CHECK_NUM(P(r, "avg_cost", "2026-03")->attainment, 0.8);
    CHECK_STR(P(r, "avg_cost", "2026-03")->status, "at_risk"); /* at_risk: 0.8, exactly */
    CHECK_NUM(P(r, "avg_cost", "2026-04")->attainment, 0.75);
    CHECK_STR(P(r, "avg_cost", "2026-04")->status, "off_track");
    CHECK_STR(P(r, "spend", "2026-01")->status, "on_track");  /* 600 vs 600 */
    CHECK_NUM(P(r, "spend", "2026-03")->attainment, 0.8);     /* 600 / 750 */
    CHECK_STR(P(r, "spend", "2026-03")->status, "off_track"); /* default at_risk 0.9 */
    CHECK_NUM(P(r, "spend", "2026-05")->attainment, 600.0 / 1395.0);
    /* no target at all */
    CHECK_NULL(P(r, "no_goal", "2026-01")->target);
    CHECK_NULL(P(r, "no_goal", "2026-01")->attainment);
    CHECK_STR(P(r, "no_goal", "2026-01")->status, "no_target");
    kpi_result_destroy(r);

    /* at a quarter: the quarterly target whole, or the months' targets added up */
    r = query(ws, "sales,margin", NULL, "2026-01-01", "2026-06-30", "quarter", NULL);
    CHECK_NUM(P(r, "sales", "2026-Q1")->target, 4000);
    CHECK_NUM(P(r, "sales", "2026-Q2")->target, 9100);
    CHECK_NUM(P(r, "sales", "2026-Q2")->value, 8489.99);
    CHECK_NUM(P(r, "margin", "2026-Q2")->target, 42);
    kpi_result_destroy(r);
    /* a day gets its share of the month's target */
    r = query(ws, "sales", "2026-01-15", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "sales", "2026-01-15")->target, 1000.0 / 31.0);
    kpi_result_destroy(r);

    /* per dimension: the rep's quota wins over the constant */
    r = query(ws, "sales,margin", "2026-01", NULL, NULL, NULL, "rep");
    CHECK_NUM(PG(r, "sales", "2026-01", "Ana")->target, 600);
    CHECK_STR(PG(r, "sales", "2026-01", "Ana")->status, "on_track");
    /* the company's 1000 is not Bob's quota */
    CHECK_NULL(PG(r, "sales", "2026-01", "Bob")->target);
    CHECK_STR(PG(r, "sales", "2026-01", "Bob")->status, "no_target");
    CHECK_NUM(PG(r, "margin", "2026-01", "Ana")->target, 45);
    CHECK_NUM(PG(r, "margin", "2026-01", "Ana")->value, 50);
    /* a level is no different: the company's margin target is not Bob's (DESIGN §1) */
    CHECK_NULL(PG(r, "margin", "2026-01", "Bob")->target);
    CHECK_NUM(PG(r, "margin", "2026-01", "Bob")->value, 25);
    CHECK_NULL(PG(r, "margin", "2026-01", "Bob")->attainment);
    CHECK_STR(PG(r, "margin", "2026-01", "Bob")->status, "no_target");
    kpi_result_destroy(r);
    /* the rep's quota beats the period target too (more dimensions first) */
    r = query(ws, "margin", "2026-04", NULL, NULL, NULL, "rep");
    CHECK_NUM(PG(r, "margin", "2026-04", "Ana")->target, 45);
    kpi_result_destroy(r);

    /* targets stored with kpi_target_set win over kpi.yaml's for the same scope */
    CHECK_EQ_INT(kpi_target_set(ws, "sales", "2026-01", NULL, 0, 800), KPI_OK);
    const char *bob[] = {"rep=Bob"};
    CHECK_EQ_INT(kpi_target_set(ws, "sales", NULL, bob, 1, 500), KPI_OK);
    r = query(ws, "sales", "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "sales", "2026-01")->target, 800);
    CHECK_NUM(P(r, "sales", "2026-01")->attainment, 1.25);
    kpi_result_destroy(r);
    r = query(ws, "sales", "2026-01", NULL, NULL, NULL, "rep");
    CHECK_NUM(PG(r, "sales", "2026-01", "Bob")->target, 500);
    CHECK_NUM(PG(r, "sales", "2026-01", "Bob")->attainment, 0.8);
    CHECK_STR(PG(r, "sales", "2026-01", "Bob")->status, "off_track");
    CHECK_NUM(PG(r, "sales", "2026-01", "Ana")->target, 600);
    kpi_result_destroy(r);
    /* bad targets are refused */
    CHECK_EQ_INT(kpi_target_set(ws, "salez", NULL, NULL, 0, 1), KPI_NOTFOUND);
    CHECK_CONTAINS(kpi_workspace_error(ws)->message, "sales");
    const char *bad[] = {"store=9"};
    CHECK_EQ_INT(kpi_target_set(ws, "sales", NULL, bad, 1, 1), KPI_USAGE);
    CHECK_EQ_INT(kpi_target_set(ws, "sales", "2026-13", NULL, 0, 1), KPI_USAGE);
    /* a rep's quota is a quantity for the rep as a whole: broken down by region and rep, it is
     * not each of her regions' quota (Ana sells in North and South: 600 each would make 1200) */
    import(ws, "orders", ORDERS_HEADER "2026-01-20T10:00:00Z,South,Ana,50,10,1,,\n");
    r = query(ws, "sales,margin", "2026-01", NULL, NULL, NULL, "region,rep");
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    double quota_sum = 0;
    for (size_t i = 0; s && i < s->npoints; i++)
        if (!strcmp(s->points[i].group[1], "Ana") && !isnan(s->points[i].target))
            quota_sum += s->points[i].target;
    CHECK(quota_sum <= 600);
    /* nor is a level (margin 45% for Ana) her target in each of her regions */
    s = r ? kpi_result_series(r, 1) : NULL;
    for (size_t i = 0; s && i < s->npoints; i++)
        if (!strcmp(s->points[i].group[1], "Ana"))
            CHECK_NULL(s->points[i].target);
    kpi_result_destroy(r);
    done(ws);
}

static void test_statuses_at_thresholds(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  sales:\n    formula: sum(orders.revenue)\n"
                                      "    targets: [{value: 100}]\n"
                                      "    thresholds: {at_risk: 0.9}\n"
                                      "  banded:\n    formula: sum(orders.revenue)\n"
                                      "    targets: [{value: 100}]\n"
                                      "    thresholds: {at_risk: 0.5, on_track: 0.95}\n"
                                      "  avg_rev:\n    formula: avg(orders.revenue)\n"
                                      "    targets: [{value: 100}]\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2026-01-10T10:00:00Z,North,Ana,100,0,1,,\n"
                         "2026-02-10T10:00:00Z,North,Ana,99.99,0,1,,\n"
                         "2026-03-10T10:00:00Z,North,Ana,90,0,1,,\n"
                         "2026-04-10T10:00:00Z,North,Ana,89.99,0,1,,\n"
                         "2026-05-10T10:00:00Z,North,Ana,250,0,1,,\n"
                         "2026-06-10T10:00:00Z,North,Ana,95,0,1,,\n"
                         "2026-07-10T10:00:00Z,North,Ana,50,0,1,,\n"
                         "2026-08-10T10:00:00Z,North,Ana,49.99,0,1,,\n");
    kpi_result *r =
        query(ws, "sales,banded,avg_rev", NULL, "2026-01-01", "2026-09-30", "month", NULL);
    CHECK_STR(P(r, "sales", "2026-01")->status, "on_track");
    CHECK_STR(P(r, "sales", "2026-02")->status, "at_risk");
    CHECK_STR(P(r, "sales", "2026-03")->status, "at_risk");
    CHECK_STR(P(r, "sales", "2026-04")->status, "off_track");
    CHECK_STR(P(r, "sales", "2026-05")->status, "on_track");
    CHECK_NUM(P(r, "sales", "2026-05")->attainment, 2.5);
    CHECK_STR(P(r, "sales", "2026-09")->status, "off_track"); /* 0 against 100 */
    CHECK_NUM(P(r, "sales", "2026-09")->attainment, 0);
    CHECK_STR(P(r, "banded", "2026-06")->status, "on_track");
    CHECK_STR(P(r, "banded", "2026-02")->status, "on_track");
    CHECK_STR(P(r, "banded", "2026-04")->status, "at_risk");
    CHECK_STR(P(r, "banded", "2026-07")->status, "at_risk");
    CHECK_STR(P(r, "banded", "2026-08")->status, "off_track");
    CHECK_STR(P(r, "avg_rev", "2026-09")->status, "no_data"); /* no rows: no value to judge */
    CHECK_NULL(P(r, "avg_rev", "2026-09")->attainment);
    CHECK_NUM(P(r, "avg_rev", "2026-09")->target, 100);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- the open period ------------------------------------------------------------------------- */

static void test_open_period(void)
{
    kpi_workspace *ws =
        fresh(STREAMS "kpis:\n"
                      "  sales:\n    formula: sum(orders.revenue)\n"
                      "    targets: [{value: 3000}]\n"
                      "  margin:\n    formula: (sum(orders.revenue) - sum(orders.cost)) / "
                      "sum(orders.revenue) * 100\n"
                      "    unit: percent\n    targets: [{value: 40}]\n"
                      "  big_sales:\n    formula: sum(orders.revenue)\n"
                      "    targets: [{value: 4000}]\n"
                      "  sales_mtd:\n    formula: 'mtd(sum(orders.revenue))'\n"
                      "  sales_ytd:\n    formula: 'ytd(sum(orders.revenue))'\n"
                      "  sales_roll3:\n    formula: 'rolling(sum(orders.revenue), 3)'\n");
    if (!ws)
        return;
    /* November 2025: 10 a day on the 1st..10th, then 1000 on the 20th */
    size_t cap = 16384, o = 0;
    char *csv = malloc(cap);
    o += (size_t)snprintf(csv + o, cap - o, ORDERS_HEADER);
    for (int d = 1; d <= 10; d++)
        o += (size_t)snprintf(csv + o, cap - o, "2025-11-%02dT10:00:00Z,North,Ana,10,0,1,,\n", d);
    o += (size_t)snprintf(csv + o, cap - o, "2025-11-20T10:00:00Z,North,Ana,1000,0,1,,\n");
    /* October 2026: 100 a day on the 1st..10th, 50 a day after */
    for (int d = 1; d <= 31; d++)
        o += (size_t)snprintf(csv + o, cap - o, "2026-10-%02dT10:00:00Z,North,Ana,%d,%d,1,,\n", d,
                              d <= 10 ? 100 : 50, d <= 10 ? 60 : 25);
    /* November 2026 through the 10th (today): 120 a day, margin 25% */
    for (int d = 1; d <= 10; d++)
        o += (size_t)snprintf(csv + o, cap - o, "2026-11-%02dT08:00:00Z,North,Ana,120,90,1,,\n", d);
    import(ws, "orders", csv);
    free(csv);
    /* midnight ending the 10th: 10 whole days gone by (hours: test_elapsed_hours) */
    kpi_workspace_set_now(ws, kpi_parse_time("2026-11-11T00:00:00Z"));

    kpi_result *r = query(ws, "sales,margin,big_sales,sales_mtd,sales_ytd,sales_roll3", NULL,
                          "2026-10-01", "2026-11-30", "month", NULL);
    /* October is complete */
    const kpi_point *oct = P(r, "sales", "2026-10");
    CHECK_EQ_INT(oct->complete, 1);
    CHECK_NUM(oct->value, 2050);
    CHECK_NULL(oct->expected_to_date);
    CHECK_NULL(oct->projected);
    /* November is open: 10 of 30 days gone by */
    const kpi_point *nov = P(r, "sales", "2026-11");
    CHECK_EQ_INT(nov->complete, 0);
    CHECK_NUM(nov->value, 1200);
    CHECK_NUM(nov->previous, 1000); /* 1..10 October, like for like */
    CHECK_NUM(nov->change, 0.2);
    CHECK_NUM(nov->last_year, 100); /* 1..10 November 2025 */
    CHECK_NUM(nov->target, 3000);   /* the whole month's */
    CHECK_NUM(nov->expected_to_date, 1000);
    CHECK_NUM(nov->projected, 3600);
    CHECK_NUM(nov->attainment, 1.2); /* judged on the projection, not 1200 / 3000 */
    CHECK_STR(nov->status, "on_track");
    const kpi_point *big = P(r, "big_sales", "2026-11");
    CHECK_NUM(big->expected_to_date, 4000.0 / 3.0);
    CHECK_NUM(big->attainment, 0.9);
    CHECK_STR(big->status, "at_risk");
    /* a ratio is not projected: its value to date is its projection, its target a level */
    const kpi_point *m = P(r, "margin", "2026-11");
    CHECK_EQ_INT(m->complete, 0);
    CHECK_NUM(m->value, 25);
    CHECK_NUM(m->previous, 40);
    CHECK_NUM(m->change_points, -15);
    CHECK_NUM(m->projected, 25);
    CHECK_NUM(m->expected_to_date, 40);
    CHECK_STR(m->status, "off_track");
    /* mtd in the open month is through today, compared with the same days of October */
    CHECK_NUM(P(r, "sales_mtd", "2026-11")->value, 1200);
    CHECK_NUM(P(r, "sales_mtd", "2026-11")->previous, 1000);
    /* so are ytd and rolling: through today, against the same days before */
    CHECK_NUM(P(r, "sales_ytd", "2026-11")->value, 3250);
    CHECK_NUM(P(r, "sales_ytd", "2026-11")->previous, 1000); /* 1 January..10 October */
    CHECK_NUM(P(r, "sales_ytd", "2026-11")->last_year, 100); /* 1 January..10 November 2025 */
    CHECK_NUM(P(r, "sales_roll3", "2026-11")->value, 3250);
    CHECK_NUM(P(r, "sales_roll3", "2026-11")->previous, 1000); /* August..10 October */
    kpi_result_destroy(r);

    /* JSON: the open period carries complete, expected_to_date and projected */
    r = query(ws, "sales", "2026-11", NULL, NULL, NULL, NULL);
    char *json = kpi_result_render(r, KPI_OUTPUT_JSON, NULL);
    CHECK_CONTAINS(json,
                   "\"status\": \"on_track\", \"complete\": false, \"expected_to_date\": 1000, "
                   "\"projected\": 3600, \"attainment_of\": \"projected\"}");
    free(json);
    kpi_result_destroy(r);

    /* without a period: the last 12 months up to the open one */
    r = query(ws, "sales", NULL, NULL, NULL, NULL, NULL);
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 12);
    if (s && s->npoints == 12) {
        CHECK_STR(s->points[0].period, "2025-12");
        CHECK_STR(s->points[11].period, "2026-11");
        CHECK_EQ_INT(s->points[11].complete, 0);
        CHECK_EQ_INT(s->points[10].complete, 1);
    }
    kpi_result_destroy(r);

    /* the last day of a month at 18:00: still open, 30.75 of 31 days gone by */
    kpi_workspace_set_now(ws, kpi_parse_time("2026-10-31T18:00:00Z"));
    r = query(ws, "sales", "2026-10", NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(P(r, "sales", "2026-10")->complete, 0);
    CHECK_NUM(P(r, "sales", "2026-10")->value, 2050);
    CHECK_NUM(P(r, "sales", "2026-10")->projected, 2050 * 31 / 30.75);
    CHECK_NUM(P(r, "sales", "2026-10")->expected_to_date, 3000 * 30.75 / 31);
    kpi_result_destroy(r);
    /* a quarter open for 41 days: the previous quarter's first 41 days; what is expected of it
     * by now follows its months' targets (3000 for October, 10 days of November's) */
    kpi_workspace_set_now(ws, kpi_parse_time("2026-11-11T00:00:00Z"));
    r = query(ws, "sales", "2026-Q4", NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(P(r, "sales", "2026-Q4")->complete, 0);
    CHECK_NUM(P(r, "sales", "2026-Q4")->value, 3250);
    CHECK_NUM(P(r, "sales", "2026-Q4")->target, 9000);
    CHECK_NUM(P(r, "sales", "2026-Q4")->expected_to_date, 4000);
    CHECK_NUM(P(r, "sales", "2026-Q4")->projected, 3250.0 * 92.0 / 41.0);
    CHECK_NUM(P(r, "sales", "2026-Q4")->last_year, 100);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- snapshots ----------------------------------------------------------------------------------
 */

static void test_snapshot_streams(void)
{
    kpi_workspace *ws = fresh("streams:\n"
                              "  stock:\n"
                              "    kind: snapshots\n"
                              "    time: as_of\n"
                              "    fields:\n"
                              "      as_of: date\n"
                              "      store: text\n"
                              "      units: integer\n"
                              "kpis:\n"
                              "  closing_units:\n    formula: last(stock.units)\n"
                              "    dimensions: [store]\n"
                              "    targets: [{period: 2026-Q1, value: 150}]\n"
                              "  opening_units:\n    formula: first(stock.units)\n"
                              "  stock_level:\n    formula: sum(stock.units)\n"
                              "    dimensions: [store]\n"
                              "    targets: [{period: 2026-Q1, value: 150}]\n");
    if (!ws)
        return;
    /* two stores counted at the start and the end of January, one of them mid-month too */
    import(ws, "stock",
           "as_of,store,units\n"
           "2026-01-01,A,10\n"
           "2026-01-01,B,20\n"
           "2026-01-15,A,1000\n"
           "2026-01-31,A,100\n"
           "2026-01-31,B,50\n"
           "2026-02-28,A,90\n"
           "2026-02-28,B,60\n");
    kpi_result *r = query(ws, "closing_units,opening_units,stock_level", NULL, "2026-01-01",
                          "2026-02-28", "month", NULL);
    /* the last snapshot of the period, its rows added up (one per store) */
    CHECK_NUM(P(r, "closing_units", "2026-01")->value, 150);
    CHECK_NUM(P(r, "opening_units", "2026-01")->value, 30);
    CHECK_NUM(P(r, "closing_units", "2026-02")->value, 150);
    CHECK_NUM(P(r, "closing_units", "2026-02")->previous, 150);
    /* a snapshot KPI's target is a level: the quarter's 150 is January's too, not 31/90 of it */
    CHECK_NUM(P(r, "closing_units", "2026-01")->target, 150);
    CHECK_STR(P(r, "closing_units", "2026-01")->status, "on_track");
    /* DESIGN §1: on a snapshot stream "a KPI takes the last value in the period, never the
     * sum" - a sum over January is the stock on 31 January, not every count added up */
    CHECK_NUM(P(r, "stock_level", "2026-01")->value, 150);
    CHECK_NUM(P(r, "stock_level", "2026-01")->target, 150);
    kpi_result_destroy(r);
    r = query(ws, "closing_units,stock_level", "2026-01", NULL, NULL, NULL, "store");
    CHECK_NUM(PG(r, "closing_units", "2026-01", "A")->value, 100);
    CHECK_NUM(PG(r, "closing_units", "2026-01", "B")->value, 50);
    CHECK_NUM(PG(r, "stock_level", "2026-01", "A")->value, 100);
    kpi_result_destroy(r);
    /* a quarter: the stock at its last snapshot */
    CHECK_NUM(V(ws, "closing_units", "2026-Q1"), 150);
    done(ws);
}

/* ---- grains: all, and a period cut at another grain ------------------------------------------ */

static void test_grain_all_and_period_by_grain(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: sum(orders.revenue)\n"
                                      "    targets: [{value: 100}]\n"
                                      "  q_revenue:\n    formula: sum(orders.revenue)\n"
                                      "    grain: quarter\n"
                                      "    targets: [{value: 900}]\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2025-01-10T10:00:00Z,North,Ana,7,0,1,,\n"
                         "2025-12-10T10:00:00Z,North,Ana,3,0,1,,\n"
                         "2026-01-10T10:00:00Z,North,Ana,10,0,1,,\n"
                         "2026-02-10T10:00:00Z,North,Ana,20,0,1,,\n"
                         "2026-03-10T10:00:00Z,North,Ana,30,0,1,,\n");
    kpi_result *r = query(ws, "revenue", NULL, "2026-01-01", "2026-03-31", "all", NULL);
    CHECK_STR(kpi_result_grain(r), "all");
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 1);
    if (s && s->npoints == 1) {
        CHECK_NUM(s->points[0].value, 60);
        CHECK_NUM(s->points[0].previous, 3);  /* the 90 days before */
        CHECK_NUM(s->points[0].last_year, 7); /* 2025-01-01..2025-03-31 */
        CHECK_NUM(s->points[0].target, 300);  /* three months' targets */
        CHECK_EQ_INT(s->points[0].complete, 1);
    }
    kpi_result_destroy(r);
    /* a quarter cut into months */
    r = query(ws, "revenue", "2026-Q1", NULL, NULL, "month", NULL);
    CHECK_STR(kpi_result_grain(r), "month");
    CHECK_STR(kpi_result_from(r), "2026-01-01");
    CHECK_STR(kpi_result_to(r), "2026-03-31");
    s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 3);
    CHECK_NUM(P(r, "revenue", "2026-02")->value, 20);
    CHECK_NUM(P(r, "revenue", "2026-02")->previous, 10);
    kpi_result_destroy(r);
    /* a monthly KPI asked for a quarter: the period's grain, three months' targets */
    r = query(ws, "revenue", "2026-Q1", NULL, NULL, NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "quarter");
    CHECK_NUM(P(r, "revenue", "2026-Q1")->value, 60);
    CHECK_NUM(P(r, "revenue", "2026-Q1")->target, 300);
    kpi_result_destroy(r);
    /* a quarterly KPI: its target for every period is per quarter, a month gets its days' share */
    r = query(ws, "q_revenue", NULL, "2026-01-01", "2026-03-31", "month", NULL);
    CHECK_NUM(P(r, "q_revenue", "2026-01")->target, 310);
    CHECK_NUM(P(r, "q_revenue", "2026-02")->target, 280);
    kpi_result_destroy(r);
    r = query(ws, "q_revenue", NULL, "2026-01-01", "2026-06-30", NULL, NULL);
    CHECK_STR(kpi_result_grain(r), "quarter");
    CHECK_NUM(P(r, "q_revenue", "2026-Q1")->target, 900);
    CHECK_NUM(P(r, "q_revenue", "2026-Q2")->target, 900);
    kpi_result_destroy(r);
    done(ws);
}

static void test_open_period_in_workspace_zone(void)
{
    kpi_workspace *ws = fresh("workspace:\n  name: Z\n  timezone: Europe/Berlin\n" STREAMS "kpis:\n"
                              "  sales:\n    formula: sum(orders.revenue)\n"
                              "    targets: [{value: 3000}]\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER
           "2026-10-15T10:00:00Z,North,Ana,500,0,1,,\n"
           "2026-10-31T23:30:00Z,North,Ana,40,0,1,,\n"); /* 1 November, 00:30 in Berlin */
    /* 23:45 UTC on 31 October is already 1 November in Berlin: October is complete */
    kpi_workspace_set_now(ws, kpi_parse_time("2026-10-31T23:45:00Z"));
    kpi_result *r = query(ws, "sales", NULL, "2026-10-01", "2026-11-30", "month", NULL);
    CHECK_EQ_INT(P(r, "sales", "2026-10")->complete, 1);
    CHECK_NUM(P(r, "sales", "2026-10")->value, 500);
    const kpi_point *nov = P(r, "sales", "2026-11");
    CHECK_EQ_INT(nov->complete, 0);
    CHECK_NUM(nov->value, 40);
    /* 45 minutes of 30 days gone by: 40 is well ahead of pace */
    CHECK_NUM(nov->expected_to_date, 3000 * (0.75 / 24) / 30);
    CHECK_NUM(nov->projected, 40 * 30 / (0.75 / 24));
    CHECK_NUM(nov->previous, 0); /* the first 45 minutes of 1 October */
    CHECK_STR(nov->status, "on_track");
    kpi_result_destroy(r);
    /* the default period range ends with the open month of the workspace zone */
    r = query(ws, "sales", NULL, NULL, NULL, NULL, NULL);
    const kpi_series *s = r ? kpi_result_series(r, 0) : NULL;
    CHECK(s && s->npoints == 12);
    if (s && s->npoints == 12)
        CHECK_STR(s->points[11].period, "2026-11");
    kpi_result_destroy(r);
    done(ws);
}

static void test_future_period(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  sales:\n    formula: sum(orders.revenue)\n"
                                      "    targets: [{value: 3000}]\n");
    if (!ws)
        return;
    import(ws, "orders", ORDERS_HEADER "2026-11-02T10:00:00Z,North,Ana,500,0,1,,\n");
    kpi_workspace_set_now(ws, kpi_parse_time("2026-11-10T12:00:00Z"));
    kpi_result *r = query(ws, "sales", NULL, "2026-10-01", "2026-12-31", "month", NULL);
    /* December has not begun: it is not complete, and there is nothing to judge yet (a
     * "complete, off_track" December on 10 November would be a false alarm) */
    const kpi_point *dec = P(r, "sales", "2026-12");
    CHECK_EQ_INT(dec->complete, 0);
    CHECK(strcmp(dec->status, "off_track") != 0);
    CHECK_NULL(dec->attainment);
    CHECK_EQ_INT(P(r, "sales", "2026-10")->complete, 1);
    CHECK_EQ_INT(P(r, "sales", "2026-11")->complete, 0);
    kpi_result_destroy(r);
    done(ws);
}

static void test_partial_range(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  sales:\n    formula: sum(orders.revenue)\n"
                                      "    targets: [{value: 1000}]\n");
    if (!ws)
        return;
    import(ws, "orders",
           ORDERS_HEADER "2026-01-10T10:00:00Z,North,Ana,100,0,1,,\n"
                         "2026-01-20T10:00:00Z,North,Ana,200,0,1,,\n"
                         "2026-02-05T10:00:00Z,North,Ana,50,0,1,,\n"
                         "2026-02-20T10:00:00Z,North,Ana,1000,0,1,,\n");
    /* --from/--to is a date range (inclusive): its first and last months are cut to it, and
     * their targets pro-rated (DESIGN §1: "pro-rated for a partial period") */
    kpi_result *r = query(ws, "sales", NULL, "2026-01-15", "2026-02-10", "month", NULL);
    CHECK_STR(kpi_result_from(r), "2026-01-15");
    CHECK_STR(kpi_result_to(r), "2026-02-10");
    CHECK_NUM(P(r, "sales", "2026-01")->value, 200);
    CHECK_NUM(P(r, "sales", "2026-02")->value, 50);
    CHECK_NUM(P(r, "sales", "2026-01")->target, 1000.0 * 17.0 / 31.0);
    CHECK_NUM(P(r, "sales", "2026-02")->target, 1000.0 * 10.0 / 28.0);
    kpi_result_destroy(r);
    /* with --grain all the range is one bucket, exactly as asked */
    r = query(ws, "sales", NULL, "2026-01-15", "2026-02-10", "all", NULL);
    CHECK_NUM(P(r, "sales", "2026-01-15..2026-02-10")->value, 250);
    CHECK_NUM(P(r, "sales", "2026-01-15..2026-02-10")->target,
              1000.0 * 17.0 / 31.0 + 1000.0 * 10.0 / 28.0);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- row expressions and conversion ------------------------------------------------------------
 */

static void test_row_expressions(void)
{
    kpi_workspace *ws =
        fresh("streams:\n"
              "  tickets:\n"
              "    time: opened\n"
              "    fields:\n"
              "      opened: time\n"
              "      closed: time\n"
              "      due: date\n"
              "      done: date\n"
              "      price: number\n"
              "      qty: integer\n"
              "kpis:\n"
              "  hours_to_close:\n    formula: 'avg(tickets.closed - tickets.opened) / 3600'\n"
              "  days_late:\n    formula: 'sum(tickets.done - tickets.due)'\n"
              "  amount:\n    formula: 'sum(tickets.price * tickets.qty)'\n"
              "  open_n:\n    formula: 'count(tickets where closed is null)'\n"
              "  due_in_jan:\n    formula: 'count(tickets where due < \"2026-02-01\")'\n");
    if (!ws)
        return;
    import(ws, "tickets",
           "opened,closed,due,done,price,qty\n"
           "2026-01-05T10:00:00Z,2026-01-05T11:00:00Z,2026-01-10,2026-01-12,0.10,3\n"
           "2026-01-06T10:00:00Z,2026-01-06T13:00:00Z,2026-02-10,2026-02-09,19.99,7\n"
           "2026-01-07T10:00:00Z,,2026-01-20,,1.01,1\n");
    kpi_result *r = query(ws, "hours_to_close,days_late,amount,open_n,due_in_jan", "2026-01", NULL,
                          NULL, NULL, NULL);
    CHECK_NUM(P(r, "hours_to_close", "2026-01")->value, 2); /* 1 h and 3 h; the open one skipped */
    CHECK_NUM(P(r, "days_late", "2026-01")->value, 1);      /* 2 - 1 */
    CHECK_EXACT(P(r, "amount", "2026-01")->value, 141.24);  /* 0.30 + 139.93 + 1.01 */
    CHECK_EXACT(P(r, "open_n", "2026-01")->value, 1);
    CHECK_EXACT(P(r, "due_in_jan", "2026-01")->value, 2);
    kpi_result_destroy(r);
    done(ws);
}

static void test_conversion(void)
{
    kpi_workspace *ws =
        fresh("streams:\n"
              "  leads:\n"
              "    time: created\n"
              "    fields:\n"
              "      created: date\n"
              "      lead_id: text\n"
              "      source: text\n"
              "  deals:\n"
              "    time: won\n"
              "    fields:\n"
              "      won: date\n"
              "      lead_id: text\n"
              "kpis:\n"
              "  lead_conversion:\n"
              "    formula: 'conversion(leads, deals, on: lead_id, within: \"30d\")'\n"
              "    unit: ratio\n");
    if (!ws)
        return;
    import(ws, "leads",
           "created,lead_id,source\n"
           "2026-01-05,L1,web\n"
           "2026-01-10,L2,event\n"
           "2026-01-20,L3,event\n"
           "2026-01-25,L4,event\n"
           "2026-01-26,L1,web\n"); /* L1 again: counted once */
    import(ws, "deals",
           "won,lead_id\n"
           "2026-01-20,L1\n"   /* 15 days: converted */
           "2026-03-01,L2\n"   /* 50 days: too late */
           "2026-02-10,L3\n"   /* 21 days, in February: converted */
           "2026-01-01,L4\n"); /* before the lead: not a conversion */
    kpi_result *r = query(ws, "lead_conversion", "2026-01", NULL, NULL, NULL, NULL);
    CHECK_NUM(P(r, "lead_conversion", "2026-01")->value, 0.5);
    CHECK_NULL(P(r, "lead_conversion", "2026-01")->previous); /* no leads in December */
    kpi_result_destroy(r);
    /* --where picks the cohort: the leads of one source (L2, L3, L4: only L3 converted) */
    const char *ids[] = {"lead_conversion"};
    kpi_query q = {.kpis = ids, .nkpis = 1, .period = "2026-01", .where = "source = \"event\""};
    r = NULL;
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_OK);
    if (r)
        CHECK_NUM(P(r, "lead_conversion", "2026-01")->value, 1.0 / 3);
    kpi_result_destroy(r);
    done(ws);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void test_query_errors(void)
{
    kpi_workspace *ws = fresh(STREAMS "kpis:\n"
                                      "  revenue:\n    formula: sum(orders.revenue)\n"
                                      "    dimensions: [region]\n"
                                      "  e_count:\n    formula: 'count(empty)'\n");
    if (!ws)
        return;
    const char *ids[] = {"revenu"};
    kpi_query q = {.kpis = ids, .nkpis = 1, .period = "2026-01"};
    kpi_result *r = NULL;
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_NOTFOUND);
    CHECK(r == NULL);
    CHECK_CONTAINS(kpi_workspace_error(ws)->message, "did you mean 'revenue'");
    ids[0] = "revenue";
    q.period = "2026-13";
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE);
    q.period = NULL;
    q.from = "2026-02-01";
    q.to = "2026-01-01";
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE);
    q.from = "2026-01-01";
    q.to = "2026-02-01";
    q.grain = "fortnight";
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE);
    /* a breakdown by a field the stream lacks, and by one the KPI does not declare */
    q.grain = NULL;
    const char *by[] = {"colour"};
    q.by = by;
    q.nby = 1;
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE);
    CHECK_CONTAINS(kpi_workspace_error(ws)->message, "colour");
    by[0] = "rep";
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE);
    ids[0] = "e_count";
    by[0] = "region";
    CHECK_EQ_INT(kpi_query_run(ws, &q, &r), KPI_USAGE); /* stream 'empty' has no region */
    CHECK_CONTAINS(kpi_workspace_error(ws)->message, "empty");
    done(ws);
}

int main(void)
{
    RUN(test_aggregates_of_no_rows);
    RUN(test_division_by_zero_and_null_operands);
    RUN(test_exact_money_sums);
    RUN(test_where_filters);
    RUN(test_aggregate_functions);
    RUN(test_prev_across_year_boundary);
    RUN(test_last_year_and_leap_day);
    RUN(test_calendar_true_month_shift);
    RUN(test_to_date_rolling_growth);
    RUN(test_total_shares_by_group);
    RUN(test_kpi_references);
    RUN(test_scalar_functions);
    RUN(test_iso_weeks);
    RUN(test_fiscal_quarters);
    RUN(test_workspace_time_zone);
    RUN(test_targets);
    RUN(test_statuses_at_thresholds);
    RUN(test_open_period);
    RUN(test_snapshot_streams);
    RUN(test_grain_all_and_period_by_grain);
    RUN(test_open_period_in_workspace_zone);
    RUN(test_future_period);
    RUN(test_partial_range);
    RUN(test_row_expressions);
    RUN(test_conversion);
    RUN(test_query_errors);
    return tap_done();
}
