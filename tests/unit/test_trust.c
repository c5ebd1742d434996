/*
 * test_trust.c - the pieces behind issue 11's "numbers people can trust" as shown: relative
 * period names read against a pinned today, broken KPIs set aside one by one (a bad formula,
 * a cycle, a KPI using a broken one) while the others compile, changes in points for percent
 * and ratio units, amounts with the workspace's currency, and the heading line of tables.
 */
#include "calendar/calendar.h"
#include "formula/formula.h"
#include "render/render.h"

#include "../tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- relative periods ------------------------------------------------------------------- */

static void check_relative(const char *name, int64_t today, const char *expected, int line)
{
    kcalendar cal = {.fiscal_year_start = 4, .has_today = true, .today = today};
    kperiod p;
    char why[128] = "", got[64] = "";
    if (kperiod_parse(&cal, kstr_c(name), &p, why, sizeof why))
        kperiod_name(&cal, p, got, sizeof got);
    if (strcmp(got, expected) != 0) {
        printf("#   line %d: '%s' gave '%s' (%s), expected '%s'\n", line, name, got, why, expected);
        tap_cur_failed = 1;
    }
}

static void test_relative_periods(void)
{
    int64_t jan5, nov23;
    char why[64];
    CHECK(kdate_parse(kstr_c("2027-01-05"), NULL, &jan5, why, sizeof why));
    CHECK(kdate_parse(kstr_c("2026-11-23"), NULL, &nov23, why, sizeof why));
    check_relative("this-month", nov23, "2026-11", __LINE__);
    check_relative("last-month", nov23, "2026-10", __LINE__);
    check_relative("last-month", jan5, "2026-12", __LINE__);
    check_relative("this-quarter", nov23, "2026-Q4", __LINE__);
    check_relative("last-quarter", jan5, "2026-Q4", __LINE__);
    check_relative("this-year", jan5, "2027", __LINE__); /* calendar, not fiscal, years */
    check_relative("last-year", nov23, "2025", __LINE__);
    check_relative("this-week", nov23, "2026-W48", __LINE__);
    check_relative("last-week", jan5, "2026-W53", __LINE__); /* 2026 has 53 ISO weeks */
    check_relative(" last-month ", nov23, "2026-10", __LINE__);

    /* without today (a kpi.yaml target, say) a relative name is refused, saying why */
    kcalendar cal = {.week_start = 0, .fiscal_year_start = 1};
    kperiod p;
    char msg[160];
    CHECK(!kperiod_parse(&cal, kstr_c("last-month"), &p, msg, sizeof msg));
    CHECK_STR(msg, "a relative period needs today, which is unknown here in 'last-month'");
    cal.has_today = true;
    CHECK(!kperiod_parse(&cal, kstr_c("lastmonth"), &p, msg, sizeof msg));
    CHECK_CONTAINS(msg, "or last-month (did you mean 'last-month'?) in 'lastmonth'");
}

/* ---- broken KPIs ------------------------------------------------------------------------ */

static const char *const broken_yaml = "streams:\n"
                                       "  orders:\n"
                                       "    time: at\n"
                                       "    fields: {at: time, revenue: number}\n"
                                       "kpis:\n"
                                       "  revenue: {formula: sum(orders.revenue)}\n"    /* 6 */
                                       "  bad: {formula: sum(orders.revnue)}\n"         /* 7 */
                                       "  uses_bad: {formula: bad * 2}\n"               /* 8 */
                                       "  uses_uses: {formula: uses_bad + revenue}\n"   /* 9 */
                                       "  a: {formula: b + 1}\n"                        /* 10 */
                                       "  b: {formula: a + 1}\n"                        /* 11 */
                                       "  doubled: {formula: revenue * 2}\n"            /* 12 */
                                       "  odd_unit: {formula: revenue, unit: euros}\n"; /* 13 */

static void test_broken_kpis(void)
{
    kconfig *c = NULL;
    kpi_error err;
    kpi_error_init(&err);
    CHECK_EQ_INT(
        kcfg_load_string(broken_yaml, strlen(broken_yaml), "kpi.yaml", "/nonexistent", &c, &err),
        KPI_OK);
    if (!c)
        return;
    /* the KPI with a bad key is kept, marked, its formula dropped */
    CHECK_EQ_INT(c->nkpis, 8);
    CHECK_EQ_INT(c->nproblems, 1);
    CHECK(c->kpis[7].broken && c->kpis[7].broken == c->problems[0] && !c->kpis[7].formula);
    CHECK_EQ_INT(c->kpis[7].broken->line, 13);
    karena arena;
    karena_init(&arena, 0);
    kexpr **trees;
    const kpi_error **broken;
    CHECK_EQ_INT(kformula_compile_each(c, &arena, &trees, &broken, &err), KPI_OK);
    const bool expect_broken[8] = {false, true, true, true, true, true, false, true};
    for (size_t i = 0; i < 8; i++) {
        CHECK_EQ_INT(broken[i] != NULL, expect_broken[i]);
        CHECK_EQ_INT(trees[i] == NULL, expect_broken[i]);
    }
    CHECK_CONTAINS(broken[1]->message, "unknown field 'revnue'");
    CHECK_STR(broken[2]->message, "kpi 'uses_bad' uses kpi 'bad', which is broken\n"
                                  "  bad * 2\n"
                                  "  ^");
    CHECK_CONTAINS(broken[3]->message, "kpi 'uses_uses' uses kpi 'uses_bad', which is broken");
    CHECK_CONTAINS(broken[4]->message, "depends on itself: a -> b -> a");
    CHECK(broken[5] == broken[4]); /* the same cycle */
    CHECK_EQ_INT(broken[3]->line, 9);

    /* compile_all still refuses, with the first KPI broken on its own account */
    karena_release(&arena);
    karena_init(&arena, 0);
    CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
    CHECK_CONTAINS(err.message, "unknown field 'revnue'");
    karena_release(&arena);
    kcfg_free(c);
}

/* ---- changes, amounts, headings --------------------------------------------------------- */

static kpi_result *one(const char *unit, int decimals, double value, double previous)
{
    kpi_result *r = kresult_create("2026-10-01", "2026-10-31", "month", NULL, 0);
    kresult_add_series(r, "k", "K", NULL, NULL, unit, decimals, "down");
    kpi_point p = kpoint_empty();
    p.period = "2026-10";
    p.status = "no_target";
    p.value = value;
    p.previous = previous;
    p.change = (value - previous) / fabs(previous);
    if (!strcmp(unit, "percent") || !strcmp(unit, "ratio"))
        p.change_points = value - previous;
    kresult_add_point(r, &p);
    return r;
}

/* The change cell of a one-point result, and its colour. */
static void check_change(const char *unit, int decimals, double v, double prev, bool unicode,
                         const char *text, const char *color, int line)
{
    kpi_result *r = one(unit, decimals, v, prev);
    kbuf b;
    kbuf_init(&b, 0);
    krender_point_change(&b, &r->series[0], &r->series[0].points[0], unicode);
    const char *c = krender_point_color(&r->series[0], &r->series[0].points[0]);
    if (strcmp(b.p ? b.p : "", text) != 0 || (c && color ? strcmp(c, color) != 0 : c != color)) {
        printf("#   line %d: got '%s', expected '%s' (or the colour differs)\n", line,
               b.p ? b.p : "", text);
        tap_cur_failed = 1;
    }
    kbuf_release(&b);
    kpi_result_destroy(r);
}

static void test_changes_in_points(void)
{
    /* 0.5% -> 1.8% is +1.3 points, not +260%; direction down: a rise is red */
    check_change("percent", 1, 1.8, 0.5, true, "▲ +1.3 pp", "\033[31m", __LINE__);
    check_change("percent", 1, 41.2, 42.6, false, "v -1.4 pp", "\033[32m", __LINE__);
    check_change("percent", 1, 41.21, 41.24, true, "= 0.0 pp", NULL, __LINE__);
    check_change("percent", 2, 1000.5, 0.25, true, "▲ +1,000.25 pp", "\033[31m", __LINE__);
    check_change("ratio", 2, 1.5, 1.38, true, "▲ +0.12", "\033[31m", __LINE__);
    check_change("ratio", 2, 1.5, 1.5, true, "= 0.00", NULL, __LINE__);
    check_change("currency", 2, 150, 100, true, "▲ +50.0%", "\033[31m", __LINE__);
    check_change("count", 0, 90, 100, false, "v -10.0%", "\033[32m", __LINE__);
}

static void check_amount(const char *currency, double v, bool unicode, const char *expected,
                         int line)
{
    kpi_result *r = one("currency", 2, v, 1);
    kresult_set_workspace(r, "Acme", currency);
    kbuf b;
    kbuf_init(&b, 0);
    krender_amount(&b, r, &r->series[0], v, unicode);
    if (strcmp(b.p ? b.p : "", expected) != 0) {
        printf("#   line %d: got '%s', expected '%s'\n", line, b.p ? b.p : "", expected);
        tap_cur_failed = 1;
    }
    kbuf_release(&b);
    kpi_result_destroy(r);
}

static void test_currency(void)
{
    check_amount("EUR", 5610000, true, "€5,610,000.00", __LINE__);
    check_amount("EUR", -1234.5, true, "-€1,234.50", __LINE__);
    check_amount("EUR", 5610000, false, "EUR 5,610,000.00", __LINE__);
    check_amount("USD", 12.5, true, "$12.50", __LINE__);
    check_amount("SEK", 1200, true, "SEK 1,200.00", __LINE__);
    check_amount(NULL, 1200, true, "1,200.00", __LINE__);
    check_amount("EUR", NAN, true, "—", __LINE__);
    /* a percent KPI takes no currency */
    kpi_result *r = one("percent", 1, 41.2, 40);
    kresult_set_workspace(r, "Acme", "EUR");
    char *out = kpi_result_render(r, KPI_OUTPUT_TABLE, NULL);
    CHECK(out && strstr(out, "41.2%") && !strstr(out, "€"));
    free(out);
    kpi_result_destroy(r);
}

static void test_headings(void)
{
    kpi_result *r = one("count", 0, 3, 2);
    kbuf b;
    kbuf_init(&b, 0);
    CHECK(krender_heading(&b, r, false, true));
    CHECK_STR(b.p, "kpi · 2026-10 · complete"); /* no name given: "kpi" */
    kresult_set_workspace(r, "Acme\nCorp", NULL);
    kbuf_reset(&b);
    CHECK(krender_heading(&b, r, true, false));
    CHECK_STR(b.p, "Acme Corp - 2026-10 - complete"); /* cleaned for a terminal */
    ((kpi_point *)r->series[0].points)[0].complete = 0;
    kresult_set_cut(r, "2026-10", NULL);
    kbuf_reset(&b);
    CHECK(krender_heading(&b, r, true, true));
    CHECK_STR(b.p, "Acme Corp · 2026-10 · partial (2026-10-01 to 2026-10-31 only), open (to date)");
    kbuf_release(&b);
    kpi_result_destroy(r);
}

int main(void)
{
    RUN(test_relative_periods);
    RUN(test_broken_kpis);
    RUN(test_changes_in_points);
    RUN(test_currency);
    RUN(test_headings);
    return tap_done();
}
