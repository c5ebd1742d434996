/*
 * test_render.c - the output formats of query results and of the report: exact JSON (the
 * DESIGN §2 example to the byte), CSV, markdown and tables (ASCII and unicode with colour),
 * undefined values, open periods, number formatting per unit (durations, currency grouping,
 * negative numbers), sparklines, column dropping on narrow terminals, and the report's
 * grouping by department. Results are built with the engine's result builder.
 */
#include "render/render.h"

#include "../tap.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

/* ---- building results ------------------------------------------------------------------ */

/* A point with a period and a value, everything else undefined. */
static kpi_point pt(const char *period, double value, const char *status)
{
    kpi_point p = kpoint_empty();
    p.period = period;
    p.value = value;
    p.status = status;
    return p;
}

/* The result of DESIGN §2's JSON example: one KPI, by region, one point. */
static kpi_result *design_result(void)
{
    const char *by[] = {"region"}, *west[] = {"West"};
    kpi_result *r = kresult_create("2026-01-01", "2026-12-31", "month", by, 1);
    kresult_add_series(r, "gross_profit_margin", "Gross profit margin",
                       "Share of revenue left after the cost of goods sold.", "finance", "percent",
                       1, "up");
    kpi_point p = pt("2026-01", 41.2, "on_track");
    p.group = west;
    p.previous = 39.8;
    p.change = 0.0352;
    p.change_points = 1.4;
    p.last_year = 38.1;
    p.target = 40;
    p.attainment = 1.03;
    kresult_add_point(r, &p);
    return r;
}

/* design_result plus an open period for East, with a name that needs quoting and escaping. */
static kpi_result *two_point_result(void)
{
    kpi_result *r = design_result();
    const char *east[] = {"East, \"North\" | Q"};
    kpi_point p = pt("2026-02", 35.5, "at_risk");
    p.group = east;
    p.previous = 41.2;
    p.change = -0.1383;
    p.change_points = -5.7;
    p.target = 40;
    p.attainment = 0.9;
    p.complete = 0;
    p.expected_to_date = 20;
    p.projected = 37.9;
    kresult_add_point(r, &p);
    return r;
}

static const kpi_render_options ascii = {.color = 0, .unicode = 0, .width = 200};
static const kpi_render_options fancy = {.color = 1, .unicode = 1, .width = 200};

/* The output after the heading line (workspace, period, complete) and its blank line, which
 * the table and markdown formats start with (checked on its own in test_headings). */
static const char *body(const char *out, kpi_output fmt)
{
    if (!out || (fmt != KPI_OUTPUT_TABLE && fmt != KPI_OUTPUT_MARKDOWN))
        return out;
    const char *p = strstr(out, "\n\n");
    return p ? p + 2 : out;
}

/* Renders, checks (the body, for table and markdown), frees. */
#define CHECK_RENDER(fn, r, fmt, opts, expected)                                                   \
    do {                                                                                           \
        char *out_ = fn((r), (fmt), (opts));                                                       \
        CHECK_STR(body(out_, (fmt)), (expected));                                                  \
        free(out_);                                                                                \
    } while (0)

/* Formats one value with krender_value and compares. */
static void check_value(double v, const char *unit, int decimals, bool unicode,
                        const char *expected, int line)
{
    kbuf b;
    kbuf_init(&b, 0);
    CHECK(krender_value(&b, v, unit, decimals, unicode));
    if (!b.p || strcmp(b.p, expected) != 0) {
        printf("#   line %d: %g %s/%d: \"%s\" != \"%s\"\n", line, v, unit ? unit : "-", decimals,
               b.p ? b.p : "(null)", expected);
        tap_cur_failed = 1;
    }
    kbuf_release(&b);
}
#define VALUE(v, unit, dec, expected) check_value((v), (unit), (dec), true, (expected), __LINE__)

/* The widest line of a rendered text, in terminal columns. */
static size_t max_line_width(const char *text)
{
    size_t widest = 0;
    char line[1024];
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        size_t w = krender_width(line);
        widest = w > widest ? w : widest;
        p += n + (p[n] == '\n');
    }
    return widest;
}

/* ---- format names ---------------------------------------------------------------------- */

static void test_output_parse(void)
{
    kpi_output o = KPI_OUTPUT_TABLE;
    CHECK(kpi_output_parse("json", &o) && o == KPI_OUTPUT_JSON);
    CHECK(kpi_output_parse("csv", &o) && o == KPI_OUTPUT_CSV);
    CHECK(kpi_output_parse("markdown", &o) && o == KPI_OUTPUT_MARKDOWN);
    CHECK(kpi_output_parse("table", &o) && o == KPI_OUTPUT_TABLE);
    o = KPI_OUTPUT_CSV;
    CHECK(!kpi_output_parse("xml", &o) && o == KPI_OUTPUT_CSV);
    CHECK(!kpi_output_parse("JSON", &o));
    CHECK(!kpi_output_parse("", &o));
    CHECK(!kpi_output_parse(NULL, &o));
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void test_json_design_example(void)
{
    kpi_result *r = design_result();
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_JSON, &ascii,
                 "{\"from\": \"2026-01-01\", \"to\": \"2026-12-31\", \"grain\": \"month\", "
                 "\"by\": [\"region\"], \"kpis\": [{\"id\": \"gross_profit_margin\", "
                 "\"name\": \"Gross profit margin\", \"unit\": \"percent\", "
                 "\"direction\": \"up\", \"series\": [{\"period\": \"2026-01\", "
                 "\"group\": {\"region\": \"West\"}, \"value\": 41.2, \"previous\": 39.8, "
                 "\"change\": 0.0352, \"change_points\": 1.4, \"last_year\": 38.1, "
                 "\"target\": 40, \"attainment\": 1.03, \"status\": \"on_track\"}]}]}\n");
    /* options do not change JSON, nor does their absence */
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_JSON, NULL,
                 "{\"from\": \"2026-01-01\", \"to\": \"2026-12-31\", \"grain\": \"month\", "
                 "\"by\": [\"region\"], \"kpis\": [{\"id\": \"gross_profit_margin\", "
                 "\"name\": \"Gross profit margin\", \"unit\": \"percent\", "
                 "\"direction\": \"up\", \"series\": [{\"period\": \"2026-01\", "
                 "\"group\": {\"region\": \"West\"}, \"value\": 41.2, \"previous\": 39.8, "
                 "\"change\": 0.0352, \"change_points\": 1.4, \"last_year\": 38.1, "
                 "\"target\": 40, \"attainment\": 1.03, \"status\": \"on_track\"}]}]}\n");
    kpi_result_destroy(r);
}

static void test_json_numbers_and_nulls(void)
{
    kpi_result *r = kresult_create("2026-01-01", "2026-03-31", "month", NULL, 0);
    kresult_add_series(r, "revenue", "Revenue", NULL, NULL, "currency", 2, "up");
    kpi_point p = pt("2026-01", 41.200000000000003, "no_target");
    p.previous = 0.1 + 0.2;             /* 0.30000000000000004 */
    p.change = -0.0;                    /* no negative zero */
    p.change_points = 1e-7;             /* exponent form, as JSON allows */
    p.last_year = 123456789012.5;       /* 15 digits survive */
    p.target = 1.234567890123456789e18; /* beyond 15 digits: rounded, exponent */
    p.attainment = -250;                /* negative whole number */
    kresult_add_point(r, &p);
    kpi_point q = pt("2026-02", NAN, "no_data");
    kresult_add_point(r, &q);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_JSON, &ascii,
                 "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"grain\": \"month\", "
                 "\"by\": [], \"kpis\": [{\"id\": \"revenue\", \"name\": \"Revenue\", "
                 "\"unit\": \"currency\", \"direction\": \"up\", \"series\": ["
                 "{\"period\": \"2026-01\", \"group\": {}, \"value\": 41.2, "
                 "\"previous\": 0.3, \"change\": 0, \"change_points\": 1e-7, "
                 "\"last_year\": 123456789012.5, \"target\": 1.23456789012346e18, "
                 "\"attainment\": -250, \"status\": \"no_target\"}, "
                 "{\"period\": \"2026-02\", \"group\": {}, \"value\": null, "
                 "\"previous\": null, \"change\": null, \"change_points\": null, "
                 "\"last_year\": null, \"target\": null, \"attainment\": null, "
                 "\"status\": \"no_data\"}]}]}\n");
    kpi_result_destroy(r);
}

static void test_json_open_period(void)
{
    kpi_result *r = two_point_result();
    char *out = kpi_result_render(r, KPI_OUTPUT_JSON, &ascii);
    CHECK_CONTAINS(out, "\"status\": \"on_track\"}, {\"period\": \"2026-02\", "
                        "\"group\": {\"region\": \"East, \\\"North\\\" | Q\"}, \"value\": 35.5, "
                        "\"previous\": 41.2, \"change\": -0.1383, \"change_points\": -5.7, "
                        "\"last_year\": null, \"target\": 40, \"attainment\": 0.9, "
                        "\"status\": \"at_risk\", \"complete\": false, \"expected_to_date\": 20, "
                        "\"projected\": 37.9, \"attainment_of\": \"projected\"}]}]}\n");
    /* a complete point carries no "complete" key */
    const char *first = out ? strstr(out, "\"complete\"") : NULL;
    CHECK(first && !strstr(first + 1, "\"complete\"") && first > strstr(out, "2026-02"));
    free(out);
    kpi_result_destroy(r);
}

static void test_json_text(void)
{
    /* invalid UTF-8 becomes U+FFFD; control characters are escaped; a NULL unit is null */
    kpi_result *r = kresult_create("", "", "all", NULL, 0);
    kresult_add_series(r, "k", "bad \xff name\n", NULL, NULL, NULL, 0, NULL);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_JSON, &ascii,
                 "{\"from\": \"\", \"to\": \"\", \"grain\": \"all\", \"by\": [], \"kpis\": "
                 "[{\"id\": \"k\", \"name\": \"bad \xEF\xBF\xBD name\\n\", \"unit\": null, "
                 "\"direction\": null, \"series\": []}]}\n");
    kpi_result_destroy(r);
}

static void test_json_null_group(void)
{
    /* rows without a region form their own group, shown as null */
    const char *by[] = {"region"};
    kpi_result *r = kresult_create("2026-01-01", "2026-01-31", "month", by, 1);
    kresult_add_series(r, "k", "K", NULL, NULL, "count", 0, "up");
    kpi_point p = kpoint_empty();
    const char *g[] = {""};
    p.period = "2026-01";
    p.group = g;
    p.value = 3;
    kresult_add_point(r, &p);
    char *out = kpi_result_render(r, KPI_OUTPUT_JSON, &ascii);
    CHECK_CONTAINS(out, "\"group\": {\"region\": null}, \"value\": 3");
    free(out);
    kpi_result_destroy(r);
}

/* jansson's allocator, failing its Nth allocation (0: never). */
static int alloc_count, alloc_fail_at;

static void *failing_malloc(size_t n)
{
    if (alloc_fail_at && ++alloc_count == alloc_fail_at)
        return NULL;
    return malloc(n);
}

static void test_json_out_of_memory(void)
{
    /* every allocation of jansson fails in turn: NULL each time, no leak, no crash (ASan) */
    kpi_result *r = two_point_result();
    char *want = kpi_result_render(r, KPI_OUTPUT_JSON, &ascii);
    char *want_report = kpi_report_render(r, KPI_OUTPUT_JSON, &ascii);
    json_set_alloc_funcs(failing_malloc, free);
    int failures = 0;
    for (int report = 0; report < 2; report++) {
        for (alloc_fail_at = 1;; alloc_fail_at++) {
            alloc_count = 0;
            char *out = report ? kpi_report_render(r, KPI_OUTPUT_JSON, &ascii)
                               : kpi_result_render(r, KPI_OUTPUT_JSON, &ascii);
            if (out) {
                CHECK_STR(out, report ? want_report : want);
                free(out);
                break;
            }
            failures++;
        }
    }
    alloc_fail_at = 0;
    json_set_alloc_funcs(malloc, free);
    CHECK(failures > 50);
    free(want);
    free(want_report);
    kpi_result_destroy(r);
}

/* ---- CSV --------------------------------------------------------------------------------- */

static void test_csv(void)
{
    kpi_result *r = two_point_result();
    kresult_add_series(r, "orders", "Orders", NULL, "sales", "count", 0, "up");
    const char *g[] = {"West"};
    kpi_point p = pt("2026-01", 1234567, "no_target");
    p.group = g;
    p.change = 1.0 / 3;
    kresult_add_point(r, &p);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_CSV, &ascii,
                 "kpi,period,region,value,previous,change,change_points,last_year,target,"
                 "attainment,status,complete,expected_to_date,projected\n"
                 "gross_profit_margin,2026-01,West,41.2,39.8,0.0352,1.4,38.1,40,1.03,on_track,"
                 "true,,\n"
                 "gross_profit_margin,2026-02,\"East, \"\"North\"\" | Q\",35.5,41.2,-0.1383,-5.7,,"
                 "40,0.9,at_risk,false,20,37.9\n"
                 "orders,2026-01,West,1234567,,0.333333333333333,,,,,no_target,true,,\n");
    kpi_result_destroy(r);

    /* no breakdown: no group columns; a line break in a value is quoted */
    r = kresult_create("2026-01-01", "2026-01-31", "month", NULL, 0);
    kresult_add_series(r, "a\nb", "A", NULL, NULL, "number", 2, "down");
    kpi_point q = pt("2026-01", -0.5, "no_target");
    kresult_add_point(r, &q);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_CSV, &fancy,
                 "kpi,period,value,previous,change,change_points,last_year,target,attainment,"
                 "status,complete,expected_to_date,projected\n"
                 "\"a\nb\",2026-01,-0.5,,,,,,,no_target,true,,\n");
    kpi_result_destroy(r);
}

/* ---- markdown ---------------------------------------------------------------------------- */

static void test_markdown(void)
{
    kpi_result *r = two_point_result();
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_MARKDOWN, &ascii,
                 "### Gross profit margin (percent)\n"
                 "\n"
                 "| period  | region             | value | previous |    change | last year | "
                 "target |    attainment | expected | projected | status     |\n"
                 "| ------- | ------------------ | ----: | -------: | --------: | --------: | "
                 "-----: | ------------: | -------: | --------: | ---------- |\n"
                 "| 2026-01 | West               | 41.2% |    39.8% | ^ +1.4 pp |     38.1% |  "
                 "40.0% |        103.0% |        - |         - | + on track |\n"
                 "| 2026-02 | East, \"North\" \\| Q | 35.5% |    41.2% | v -5.7 pp |         - |  "
                 "40.0% | 90.0% (proj.) |    20.0% |     37.9% | ~ at risk  |\n");
    kpi_result_destroy(r);
}

/* ---- tables ------------------------------------------------------------------------------ */

static void test_table_ascii(void)
{
    kpi_result *r = design_result();
    CHECK_RENDER(
        kpi_result_render, r, KPI_OUTPUT_TABLE, &ascii,
        "Gross profit margin (percent)\n"
        "period   region  value  previous     change  last year  target  attainment  status\n"
        "-------  ------  -----  --------  ---------  ---------  ------  ----------  ----------\n"
        "2026-01  West    41.2%     39.8%  ^ +1.4 pp      38.1%   40.0%      103.0%  + on track\n");
    kpi_result_destroy(r);
}

static void test_table_unicode_color(void)
{
    kpi_result *r = two_point_result();
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_TABLE, &fancy,
                 "\033[1mGross profit margin (percent)\033[0m\n"
                 "\033[1mperiod\033[0m   \033[1mregion\033[0m             \033[1mvalue\033[0m  "
                 "\033[1mprevious\033[0m     \033[1mchange\033[0m  \033[1mlast year\033[0m  "
                 "\033[1mtarget\033[0m     \033[1mattainment\033[0m  \033[1mexpected\033[0m  "
                 "\033[1mprojected\033[0m  \033[1mstatus\033[0m\n"
                 "───────  ─────────────────  ─────  ────────  ─────────  ─────────  ──────  "
                 "─────────────  ────────  ─────────  ──────────\n"
                 "2026-01  West               41.2%     39.8%  \033[32m▲ +1.4 pp\033[0m      38.1% "
                 "  40.0%         103.0%         —          —  \033[32m● on track\033[0m\n"
                 "2026-02  East, \"North\" | Q  35.5%     41.2%  \033[31m▼ -5.7 pp\033[0m          "
                 "—   40.0%  90.0% (proj.)     20.0%      37.9%  \033[33m◐ at risk\033[0m\n");
    kpi_result_destroy(r);
}

static void test_table_units(void)
{
    /* durations, currency grouping and negative numbers, as a whole table */
    kpi_result *r = kresult_create("2026-01-01", "2026-03-31", "month", NULL, 0);
    kresult_add_series(r, "handle_time", "Average handle time", NULL, "support", "duration", 1,
                       "down");
    double secs[] = {45, 200, 7500, 273600};
    const char *periods[] = {"2026-01", "2026-02", "2026-03", "2026-04"};
    for (int i = 0; i < 4; i++) {
        kpi_point p = pt(periods[i], secs[i], "no_target");
        p.previous = i ? secs[i - 1] : NAN;
        p.change = i ? (secs[i] - secs[i - 1]) / secs[i - 1] : NAN;
        kresult_add_point(r, &p);
    }
    kresult_add_series(r, "cash_flow", "Cash flow", NULL, "finance", "currency", 2, "up");
    kpi_point c = pt("2026-01", -1234567.891, "off_track");
    c.target = 250000;
    c.attainment = -4.938;
    kresult_add_point(r, &c);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_TABLE, &ascii,
                 "Average handle time (duration)\n"
                 "period    value  previous       change  last year  target  attainment  status\n"
                 "-------  ------  --------  -----------  ---------  ------  ----------  "
                 "-----------\n"
                 "2026-01     45s         -            -          -       -           -  "
                 ". no target\n"
                 "2026-02  3m 20s       45s    ^ +344.4%          -       -           -  "
                 ". no target\n"
                 "2026-03  2h 05m    3m 20s  ^ +3,650.0%          -       -           -  "
                 ". no target\n"
                 "2026-04   3d 4h    2h 05m  ^ +3,548.0%          -       -           -  "
                 ". no target\n"
                 "\n"
                 "Cash flow (currency)\n"
                 "period           value  previous  change  last year      target  attainment  "
                 "status\n"
                 "-------  -------------  --------  ------  ---------  ----------  ----------  "
                 "-----------\n"
                 "2026-01  -1,234,567.89         -       -          -  250,000.00     -493.8%  "
                 "x off track\n");
    kpi_result_destroy(r);
}

static void test_table_narrow(void)
{
    /* too wide for 60 columns: last year, previous, expected, attainment, target go first */
    kpi_result *r = two_point_result();
    kpi_render_options o = {.color = 0, .unicode = 0, .width = 60};
    CHECK_RENDER(
        kpi_result_render, r, KPI_OUTPUT_TABLE, &o,
        "Gross profit margin (percent)\n"
        "period   region             value     change  projected  status\n"
        "-------  -----------------  -----  ---------  ---------  ----------\n"
        "2026-01  West               41.2%  ^ +1.4 pp          -  + on track\n"
        "2026-02  East, \"North\" | Q  35.5%  v -5.7 pp      37.9%  ~ at risk\n"
        "(no room for previous, last year, target, attainment, expected: --format csv has them)\n");
    /* width 0 means 100: last year and previous have to go */
    o.width = 0;
    char *out = kpi_result_render(r, KPI_OUTPUT_TABLE, &o);
    const char *titles = out ? strstr(out, "\nperiod") : NULL; /* the column titles */
    size_t tn = titles ? strcspn(titles + 1, "\n") : 0;
    char line[200] = "";
    snprintf(line, sizeof line, "%.*s", (int)tn, titles ? titles + 1 : "");
    CHECK(!strstr(line, "last year") && !strstr(line, "previous") && strstr(line, "expected"));
    CHECK(out && strstr(out, "(no room for previous, last year: --format csv has them)\n"));
    CHECK(out && max_line_width(out) <= 100 && max_line_width(out) > 90);
    free(out);
    kpi_result_destroy(r);
}

static void test_table_wide_characters(void)
{
    /* CJK text takes two columns a character; alignment follows */
    const char *by[] = {"store"}, *tokyo[] = {"東京"}, *oslo[] = {"Oslo"};
    kpi_result *r = kresult_create("2026-01-01", "2026-01-31", "month", by, 1);
    kresult_add_series(r, "orders", "Orders", NULL, NULL, "count", 0, "up");
    kpi_point p = pt("2026-01", 12345, "no_target");
    p.group = tokyo;
    kresult_add_point(r, &p);
    p.group = oslo;
    p.value = 7;
    kresult_add_point(r, &p);
    kpi_render_options o = {.color = 0, .unicode = 0, .width = 40};
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_TABLE, &o,
                 "Orders (count)\n"
                 "period   store   value  change  status\n"
                 "-------  -----  ------  ------  -----------\n"
                 "2026-01  東京   12,345       -  . no target\n"
                 "2026-01  Oslo        7       -  . no target\n"
                 "(no room for previous, last year, target, attainment: --format csv has them)\n");
    CHECK_EQ_INT(krender_width("東京"), 4);
    CHECK_EQ_INT(krender_width("e\xCC\x81"), 1); /* e + combining acute */
    CHECK_EQ_INT(krender_width("▲ —"), 3);
    kpi_result_destroy(r);
}

static void test_table_controls_and_empty(void)
{
    /* control characters in data cannot reach the terminal; a series without points */
    const char *by[] = {"rep"}, *evil[] = {"a\033[2Jb\tc"};
    kpi_result *r = kresult_create("", "", "month", by, 1);
    kresult_add_series(r, "x", "X\nY", NULL, NULL, "number", 2, "up");
    kpi_point p = pt("2026-01", 1.005, "no_target");
    p.group = evil;
    kresult_add_point(r, &p);
    kresult_add_series(r, "empty", "Empty", NULL, NULL, "ratio", 2, "up");
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_TABLE, &ascii,
                 "X Y (number)\n"
                 "period   rep       value  previous  change  last year  target  attainment  "
                 "status\n"
                 "-------  --------  -----  --------  ------  ---------  ------  ----------  "
                 "-----------\n"
                 "2026-01  a [2Jb c   1.01         -       -          -       -           -  "
                 ". no target\n"
                 "\n"
                 "Empty (ratio)\n"
                 "period  rep  value  previous  change  last year  target  attainment  status\n"
                 "------  ---  -----  --------  ------  ---------  ------  ----------  ------\n"
                 "(no data)\n");
    kpi_result_destroy(r);

    /* no series at all: an empty document, still a valid string */
    r = kresult_create("", "", "month", NULL, 0);
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_TABLE, &ascii, "");
    CHECK_RENDER(kpi_result_render, r, KPI_OUTPUT_MARKDOWN, &ascii, "");
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_JSON, &ascii,
                 "{\"period\": null, \"workspace\": \"\", \"complete\": true, \"kpis\": []}\n");
    CHECK(kpi_result_render(NULL, KPI_OUTPUT_JSON, &ascii) == NULL);
    CHECK(kpi_result_render(r, (kpi_output)42, &ascii) == NULL);
    kpi_result_destroy(r);
}

/* ---- number formatting ------------------------------------------------------------------- */

static void test_values(void)
{
    VALUE(1234567.891, "currency", 2, "1,234,567.89");
    VALUE(1234567.891, "currency", -1, "1,234,567.89"); /* the unit's default */
    VALUE(-1234.5, "currency", 2, "-1,234.50");
    VALUE(999.995, "currency", 2, "1,000.00");
    VALUE(-0.004, "currency", 2, "0.00"); /* no "-0.00" */
    VALUE(100, "currency", 2, "100.00");
    /* rounding is decimal, half away from zero, whatever the nearest double is */
    VALUE(1.005, "currency", 2, "1.01");
    VALUE(2.675, "currency", 2, "2.68");
    VALUE(0.125, "currency", 2, "0.13");
    VALUE(-0.125, "currency", 2, "-0.13");
    VALUE(0.006, "currency", 2, "0.01");
    VALUE(0.004, "currency", 2, "0.00");
    VALUE(9.995, "ratio", 2, "10.00");
    VALUE(2.5, "count", 0, "3");
    VALUE(-2.5, "count", 0, "-3");
    VALUE(0.4, "count", 0, "0");
    VALUE(1e20, "count", 0, "100,000,000,000,000,000,000");
    VALUE(123456789.123456789, "number", 4, "123,456,789.1235");
    VALUE(1e-300, "number", 2, "0.00");
    VALUE(41.2, "percent", 1, "41.2%");
    VALUE(-3.25, "percent", 1, "-3.3%");
    VALUE(1.3456, "ratio", 2, "1.35");
    VALUE(1.3456, "ratio", -1, "1.35");
    VALUE(1234567, "count", 0, "1,234,567");
    VALUE(-1000, "count", 0, "-1,000");
    VALUE(999, "count", 0, "999");
    VALUE(12345.678, "number", 1, "12,345.7");
    VALUE(NAN, "currency", 2, "—");
    VALUE(INFINITY, "count", 0, "—");
    check_value(NAN, "count", 0, false, "-", __LINE__);
    /* durations (seconds) */
    VALUE(45, "duration", 1, "45s");
    VALUE(2.54, "duration", 1, "2.5s");
    VALUE(0, "duration", 1, "0s");
    VALUE(200, "duration", 1, "3m 20s");
    VALUE(65, "duration", 1, "1m 05s");
    VALUE(59.7, "duration", 1, "1m 00s");
    VALUE(7500, "duration", 1, "2h 05m");
    VALUE(7530, "duration", 1, "2h 06m"); /* rounded to the minute */
    VALUE(86399, "duration", 1, "1d 0h");
    VALUE(273600, "duration", 1, "3d 4h");
    VALUE(-200, "duration", 1, "-3m 20s");
    VALUE(-0.01, "duration", 1, "0s");
}

static void test_change_and_status(void)
{
    static const struct {
        double change;
        bool unicode;
        const char *text;
    } cases[] = {
        {0.0352, true, "▲ +3.5%"},  {-0.012, true, "▼ -1.2%"}, {0.0352, false, "^ +3.5%"},
        {-0.012, false, "v -1.2%"}, {0, true, "= 0.0%"},       {-0.0004, false, "= 0.0%"},
        {NAN, true, "—"},           {NAN, false, "-"},         {12.5, true, "▲ +1,250.0%"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kbuf b;
        kbuf_init(&b, 0);
        CHECK(krender_change(&b, cases[i].change, cases[i].unicode));
        CHECK_STR(b.p, cases[i].text);
        kbuf_release(&b);
    }
    CHECK_STR(krender_status_glyph("on_track", true), "●");
    CHECK_STR(krender_status_glyph("at_risk", true), "◐");
    CHECK_STR(krender_status_glyph("off_track", true), "○");
    CHECK_STR(krender_status_glyph("no_target", true), "·");
    CHECK_STR(krender_status_glyph("no_data", true), "—");
    CHECK_STR(krender_status_glyph("on_track", false), "+");
    CHECK_STR(krender_status_glyph("at_risk", false), "~");
    CHECK_STR(krender_status_glyph("off_track", false), "x");
    CHECK_STR(krender_status_glyph("no_target", false), ".");
    CHECK_STR(krender_status_glyph("no_data", false), "-");
    CHECK_STR(krender_status_glyph("bogus", true), "?");
    /* a change's colour follows the KPI's direction */
    CHECK_STR(krender_change_color(0.1, "up"), "\033[32m");
    CHECK_STR(krender_change_color(0.1, "down"), "\033[31m");
    CHECK_STR(krender_change_color(-0.1, "down"), "\033[32m");
    CHECK(krender_change_color(0, "up") == NULL);
    CHECK(krender_change_color(NAN, "up") == NULL);
}

/* ---- sparklines -------------------------------------------------------------------------- */

static void check_spark(const double *v, size_t n, bool unicode, const char *expected, int line)
{
    kpi_point pts[16];
    for (size_t i = 0; i < n; i++)
        pts[i] = pt("p", v[i], "no_target");
    kbuf b;
    kbuf_init(&b, 0);
    CHECK(krender_sparkline(&b, pts, n, unicode));
    const char *got = b.p ? b.p : "";
    if (strcmp(got, expected) != 0) {
        printf("#   line %d: sparkline \"%s\" != \"%s\"\n", line, got, expected);
        tap_cur_failed = 1;
    }
    kbuf_release(&b);
}
#define SPARK(u, expected, ...)                                                                    \
    do {                                                                                           \
        const double v_[] = {__VA_ARGS__};                                                         \
        check_spark(v_, sizeof v_ / sizeof v_[0], (u), (expected), __LINE__);                      \
    } while (0)

static void test_sparkline(void)
{
    SPARK(true, "▁▂▃▄▅▆▇█", 0, 1, 2, 3, 4, 5, 6, 7);
    SPARK(true, "▁▂▃▄▅▆▇█", 10, 20, 30, 40, 50, 60, 70, 80); /* scale is min..max, not 0 */
    SPARK(true, "█▁", 41.2, 35.5);
    SPARK(true, "▄▄▄", 5, 5, 5);                /* flat: the middle */
    SPARK(true, "▄ ▄", 5, NAN, 5);              /* flat with a gap */
    SPARK(true, "▁ █ ▆", -10, NAN, 10, NAN, 4); /* gaps; negatives scale too */
    SPARK(true, "   ", NAN, NAN, NAN);          /* nothing defined */
    SPARK(true, "▄", 42);
    SPARK(false, "_.-^", 0, 1, 2, 3);
    SPARK(false, "_ ^-", 0, NAN, 9, 5);
    SPARK(false, "--", 1, 1);
    check_spark(NULL, 0, true, "", __LINE__);
}

/* ---- report ------------------------------------------------------------------------------ */

/* Four KPIs over three months, departments interleaved: sales, finance, sales, finance. */
static kpi_result *report_result(void)
{
    kpi_result *r = kresult_create("2026-01-01", "2026-03-31", "month", NULL, 0);
    const char *periods[] = {"2026-01", "2026-02", "2026-03"};
    struct {
        const char *id, *name, *dept, *unit, *dir;
        int decimals;
        double v[3], target;
        const char *status;
    } k[] = {
        /* clang-format off */
        {"revenue", "Revenue", "sales", "currency", "up", 2, {1000, 1500, 2000}, 1800, "on_track"},
        {"gross_profit_margin", "Gross profit margin", "finance", "percent", "up", 1,
         {39.8, NAN, 41.2}, 40, "on_track"},
        {"win_rate", "Win rate", "sales", "percent", "up", 1, {30, 25, 22}, 25, "at_risk"},
        {"dso", "Days sales outstanding", "finance", "number", "down", 1, {45, 45, 45}, NAN,
         "no_target"},
        /* clang-format on */
    };
    for (size_t i = 0; i < 4; i++) {
        kresult_add_series(r, k[i].id, k[i].name, NULL, k[i].dept, k[i].unit, k[i].decimals,
                           k[i].dir);
        for (size_t j = 0; j < 3; j++) {
            kpi_point p = pt(periods[j], k[i].v[j], j == 2 ? k[i].status : "no_target");
            if (j == 2) {
                p.previous = k[i].v[1];
                p.change = krender_defined(p.previous) ? (p.value - p.previous) / p.previous : NAN;
                if (!strcmp(k[i].unit, "percent")) /* as the engine does */
                    p.change_points = p.value - p.previous;
                p.target = k[i].target;
                p.attainment = p.value / p.target;
            }
            kresult_add_point(r, &p);
        }
    }
    return r;
}

static void test_report_order(void)
{
    kpi_result *r = report_result();
    size_t order[4];
    CHECK(krender_report_order(r, order));
    CHECK_EQ_INT(order[0], 0); /* sales first: seen first */
    CHECK_EQ_INT(order[1], 2);
    CHECK_EQ_INT(order[2], 1);
    CHECK_EQ_INT(order[3], 3);
    kpi_result_destroy(r);
}

static void test_report_table(void)
{
    kpi_result *r = report_result();
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &ascii,
                 "kpi                          value    target  status          change  trend\n"
                 "------------------------  --------  --------  -----------  ---------  -----\n"
                 "sales\n"
                 "  Revenue                 2,000.00  1,800.00  + on track    ^ +33.3%  _-^\n"
                 "  Win rate                   22.0%     25.0%  ~ at risk    v -3.0 pp  ^._\n"
                 "finance\n"
                 "  Gross profit margin        41.2%     40.0%  + on track           -  _ ^\n"
                 "  Days sales outstanding      45.0         -  . no target     = 0.0%  ---\n");
    CHECK_RENDER(
        kpi_report_render, r, KPI_OUTPUT_TABLE, &fancy,
        "\033[1mkpi\033[0m                          \033[1mvalue\033[0m    \033[1mtarget\033[0m  "
        "\033[1mstatus\033[0m          \033[1mchange\033[0m  \033[1mtrend\033[0m\n"
        "────────────────────────  ────────  ────────  ───────────  ─────────  ─────\n"
        "\033[1msales\033[0m\n"
        "  Revenue                 2,000.00  1,800.00  \033[32m● on track\033[0m    \033[32m▲ "
        "+33.3%\033[0m  ▁▅█\n"
        "  Win rate                   22.0%     25.0%  \033[33m◐ at risk\033[0m    \033[31m▼ -3.0 "
        "pp\033[0m  █▄▁\n"
        "\033[1mfinance\033[0m\n"
        "  Gross profit margin        41.2%     40.0%  \033[32m● on track\033[0m           —  ▁ █\n"
        "  Days sales outstanding      45.0         —  \033[2m· no target\033[0m     = 0.0%  "
        "▄▄▄\n");
    kpi_result_destroy(r);
}

static void test_report_formats(void)
{
    kpi_result *r = report_result();
    CHECK_RENDER(
        kpi_report_render, r, KPI_OUTPUT_JSON, &ascii,
        "{\"period\": \"2026-03\", \"workspace\": \"\", \"complete\": true, \"kpis\": [{\"id\": "
        "\"revenue\", \"name\": \"Revenue\", \"department\": \"sales\", \"unit\": \"currency\", "
        "\"value\": 2000, \"target\": 1800, \"attainment\": 1.11111111111111, \"status\": "
        "\"on_track\", \"change\": 0.333333333333333, \"change_points\": null, \"previous\": 1500, "
        "\"last_year\": null, \"sparkline\": [1000, 1500, 2000]}, {\"id\": \"win_rate\", \"name\": "
        "\"Win rate\", \"department\": \"sales\", \"unit\": \"percent\", \"value\": 22, "
        "\"target\": 25, \"attainment\": 0.88, \"status\": \"at_risk\", \"change\": -0.12, "
        "\"change_points\": -3, \"previous\": 25, \"last_year\": null, \"sparkline\": [30, 25, "
        "22]}, {\"id\": \"gross_profit_margin\", \"name\": \"Gross profit margin\", "
        "\"department\": \"finance\", \"unit\": \"percent\", \"value\": 41.2, \"target\": 40, "
        "\"attainment\": 1.03, \"status\": \"on_track\", \"change\": null, \"change_points\": "
        "null, \"previous\": null, \"last_year\": null, \"sparkline\": [39.8, null, 41.2]}, "
        "{\"id\": \"dso\", \"name\": \"Days sales outstanding\", \"department\": \"finance\", "
        "\"unit\": \"number\", \"value\": 45, \"target\": null, \"attainment\": null, \"status\": "
        "\"no_target\", \"change\": 0, \"change_points\": null, \"previous\": 45, \"last_year\": "
        "null, \"sparkline\": [45, 45, 45]}]}\n");
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_CSV, &ascii,
                 "kpi,name,department,unit,period,value,target,attainment,status,change,previous\n"
                 "revenue,Revenue,sales,currency,2026-03,2000,1800,1.11111111111111,on_track,"
                 "0.333333333333333,1500\n"
                 "win_rate,Win rate,sales,percent,2026-03,22,25,0.88,at_risk,-0.12,25\n"
                 "gross_profit_margin,Gross profit margin,finance,percent,2026-03,41.2,40,1.03,"
                 "on_track,,\n"
                 "dso,Days sales outstanding,finance,number,2026-03,45,,,no_target,0,45\n");
    CHECK_RENDER(
        kpi_report_render, r, KPI_OUTPUT_MARKDOWN, &fancy,
        "### sales\n"
        "\n"
        "| kpi                    |    value |   target | status      |    change | trend |\n"
        "| ---------------------- | -------: | -------: | ----------- | --------: | ----- |\n"
        "| Revenue                | 2,000.00 | 1,800.00 | ● on track  |  ▲ +33.3% | ▁▅█   |\n"
        "| Win rate               |    22.0% |    25.0% | ◐ at risk   | ▼ -3.0 pp | █▄▁   |\n"
        "\n"
        "### finance\n"
        "\n"
        "| kpi                    |    value |   target | status      |    change | trend |\n"
        "| ---------------------- | -------: | -------: | ----------- | --------: | ----- |\n"
        "| Gross profit margin    |    41.2% |    40.0% | ● on track  |         — | ▁ █   |\n"
        "| Days sales outstanding |     45.0 |        — | · no target |    = 0.0% | ▄▄▄   |\n");
    kpi_result_destroy(r);
}

static void test_report_without_departments(void)
{
    /* no department anywhere: no headings, no indent; a KPI without points shows no data */
    kpi_result *r = kresult_create("2026-01-01", "2026-03-31", "month", NULL, 0);
    kresult_add_series(r, "b", "Beta", NULL, NULL, "count", 0, "up");
    kpi_point p = pt("2026-03", 12, "no_target");
    kresult_add_point(r, &p);
    kresult_add_series(r, "a", "Alpha", NULL, NULL, "count", 0, "up");
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &ascii,
                 "kpi    value  target  status       change  trend\n"
                 "-----  -----  ------  -----------  ------  -----\n"
                 "Beta      12       -  . no target       -  -\n"
                 "Alpha      -       -  - no data         -\n");
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_MARKDOWN, &ascii,
                 "| kpi   | value | target | status      | change | trend |\n"
                 "| ----- | ----: | -----: | ----------- | -----: | ----- |\n"
                 "| Beta  |    12 |      - | . no target |      - | -     |\n"
                 "| Alpha |     - |      - | - no data   |      - |       |\n");
    CHECK_RENDER(
        kpi_report_render, r, KPI_OUTPUT_JSON, &ascii,
        "{\"period\": \"2026-03\", \"workspace\": \"\", \"complete\": true, \"kpis\": [{\"id\": "
        "\"b\", \"name\": \"Beta\", \"department\": null, \"unit\": \"count\", \"value\": 12, "
        "\"target\": null, \"attainment\": null, \"status\": \"no_target\", \"change\": null, "
        "\"change_points\": null, \"previous\": null, \"last_year\": null, \"sparkline\": [12]}, "
        "{\"id\": \"a\", \"name\": \"Alpha\", \"department\": null, \"unit\": \"count\", "
        "\"value\": null, \"target\": null, \"attainment\": null, \"status\": \"no_data\", "
        "\"change\": null, \"change_points\": null, \"previous\": null, \"last_year\": null, "
        "\"sparkline\": []}]}\n");
    kpi_result_destroy(r);

    /* some with a department, some without: the others gather under "other" */
    r = kresult_create("", "", "month", NULL, 0);
    kresult_add_series(r, "x", "X", NULL, NULL, "count", 0, "up");
    kresult_add_series(r, "y", "Y", NULL, "hr", "count", 0, "up");
    kresult_add_series(r, "z", "Z", NULL, "", "count", 0, "up");
    kpi_render_options o = {.color = 0, .unicode = 0, .width = 20};
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &o,
                 "kpi  value  status\n"
                 "---  -----  ---------\n"
                 "other\n"
                 "  X      -  - no data\n"
                 "  Z      -  - no data\n"
                 "hr\n"
                 "  Y      -  - no data\n"
                 "(no room for target, change, trend: --format csv has them)\n");
    kpi_result_destroy(r);
}

static void test_report_long_sparkline(void)
{
    /* a sparkline longer than the room left keeps its most recent points */
    kpi_result *r = kresult_create("", "", "month", NULL, 0);
    kresult_add_series(r, "n", "N", NULL, NULL, "count", 0, "up");
    char period[16][16];
    for (unsigned i = 0; i < 16; i++) {
        snprintf(period[i], sizeof period[i], "p%02u", i);
        kpi_point p = pt(period[i], i % 4, "no_target");
        kresult_add_point(r, &p);
    }
    kpi_render_options o = {.color = 0, .unicode = 0, .width = 54};
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &o,
                 "kpi  value  target  status       change  trend\n"
                 "---  -----  ------  -----------  ------  -------------\n"
                 "N        3       -  . no target       -  ^_.-^_.-^_.-^\n");
    o.width = 49; /* at least 8 points stay */
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &o,
                 "kpi  value  target  status       change  trend\n"
                 "---  -----  ------  -----------  ------  --------\n"
                 "N        3       -  . no target       -  _.-^_.-^\n");
    o.width = 41; /* then target goes */
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &o,
                 "kpi  value  target  status       change\n"
                 "---  -----  ------  -----------  ------\n"
                 "N        3       -  . no target       -\n"
                 "(no room for trend: --format csv has them)\n");
    o.width = 31; /* then the trend */
    CHECK_RENDER(kpi_report_render, r, KPI_OUTPUT_TABLE, &o,
                 "kpi  value  target  status\n"
                 "---  -----  ------  -----------\n"
                 "N        3       -  . no target\n"
                 "(no room for change, trend: --format csv has them)\n");
    kpi_result_destroy(r);
}

int main(void)
{
    RUN(test_output_parse);
    RUN(test_json_design_example);
    RUN(test_json_null_group);
    RUN(test_json_numbers_and_nulls);
    RUN(test_json_open_period);
    RUN(test_json_text);
    RUN(test_json_out_of_memory);
    RUN(test_csv);
    RUN(test_markdown);
    RUN(test_table_ascii);
    RUN(test_table_unicode_color);
    RUN(test_table_units);
    RUN(test_table_narrow);
    RUN(test_table_wide_characters);
    RUN(test_table_controls_and_empty);
    RUN(test_values);
    RUN(test_change_and_status);
    RUN(test_sparkline);
    RUN(test_report_order);
    RUN(test_report_table);
    RUN(test_report_formats);
    RUN(test_report_without_departments);
    RUN(test_report_long_sparkline);
    return tap_done();
}
