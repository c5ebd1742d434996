/*
 * test_formula.c - the formula language of DESIGN §1: every example of the design parses,
 * binds and prints back canonically (and re-parses to the same text); trees have the shape
 * precedence gives them; names bind to the right stream, field and KPI; literals are stored
 * as their field keeps values; and broken formulas fail with their exact message, caret and
 * kpi.yaml line:column, cycles between KPIs included.
 */
#include "formula/formula.h"
#include "util/ktime.h"
#include "../tap.h"

#include <stdlib.h>

/* The streams every test binds against (one of each field type); KPIs are appended. */
#define STREAMS                                                                                    \
    "workspace:\n"                                                                                 \
    "  name: Test\n"                                                                               \
    "  timezone: Europe/Berlin\n"                                                                  \
    "streams:\n"                                                                                   \
    "  orders:\n"                                                                                  \
    "    time: ordered_at\n"                                                                       \
    "    id: order_id\n"                                                                           \
    "    fields:\n"                                                                                \
    "      order_id: text\n"                                                                       \
    "      ordered_at: time\n"                                                                     \
    "      revenue: number\n"                                                                      \
    "      cost: {type: number, scale: 2}\n"                                                       \
    "      quantity: integer\n"                                                                    \
    "      region: text\n"                                                                         \
    "      rep: text\n"                                                                            \
    "      status: text\n"                                                                         \
    "      customer: text\n"                                                                       \
    "      paid: bool\n"                                                                           \
    "  deals:\n"                                                                                   \
    "    time: closed\n"                                                                           \
    "    fields:\n"                                                                                \
    "      deal: text\n"                                                                           \
    "      closed: date\n"                                                                         \
    "      stage: text\n"                                                                          \
    "      amount: number\n"                                                                       \
    "      rep: text\n"                                                                            \
    "      region: text\n"                                                                         \
    "  surveys:\n"                                                                                 \
    "    time: at\n"                                                                               \
    "    fields:\n"                                                                                \
    "      at: time\n"                                                                             \
    "      score: integer\n"                                                                       \
    "  balances:\n"                                                                                \
    "    kind: snapshots\n"                                                                        \
    "    time: day\n"                                                                              \
    "    fields:\n"                                                                                \
    "      day: date\n"                                                                            \
    "      current_assets: number\n"                                                               \
    "      current_liabilities: number\n"                                                          \
    "  leads:\n"                                                                                   \
    "    time: created\n"                                                                          \
    "    fields:\n"                                                                                \
    "      lead: text\n"                                                                           \
    "      created: time\n"                                                                        \
    "      email: text\n"                                                                          \
    "  customers:\n"                                                                               \
    "    time: signed\n"                                                                           \
    "    fields:\n"                                                                                \
    "      customer: text\n"                                                                       \
    "      signed: time\n"                                                                         \
    "      email: text\n"                                                                          \
    "kpis:\n"

/* Line 53 of the YAML is the first line after STREAMS. */
#define KPIS_LINE 53

/* The KPIs the single-formula tests may reference. */
static const char base_yaml[] = STREAMS "  revenue:\n"
                                        "    formula: sum(orders.revenue)\n"
                                        "  availability:\n"
                                        "    manual: true\n"
                                        "  performance:\n"
                                        "    manual: true\n"
                                        "  quality:\n"
                                        "    manual: true\n";

static kconfig *cfg;
static karena arena;
static kpi_error err;

/* Where test formulas pretend to start: kpi.yaml line 40, column 14 ("    formula: " + 1). */
static const kloc at = {"kpi.yaml", 40, 14};

static kconfig *load(const char *yaml)
{
    kconfig *c = NULL;
    kpi_error_init(&err);
    if (kcfg_load_string(yaml, strlen(yaml), "kpi.yaml", "/nonexistent", &c, &err) != KPI_OK) {
        char buf[2200];
        kpi_error_format(&err, buf, sizeof buf);
        printf("#   config failed: %s\n", buf);
        tap_cur_failed = 1;
    }
    return c;
}

/* A stand-in KPI whose formula is `text`, for kformula_bind's error messages. */
static kkpi self_for(const char *text)
{
    return (kkpi){.id = "t", .formula = text, .formula_loc = at};
}

/* Parses and binds text as KPI "t"; the tree, or NULL (err says why). */
static kexpr *compile(const char *text)
{
    kexpr *e = NULL;
    kkpi self = self_for(text);
    kpi_error_init(&err);
    if (kformula_parse(&arena, text, at, &e, &err) != KPI_OK)
        return NULL;
    if (kformula_bind(cfg, &self, e, &err) != KPI_OK)
        return NULL;
    return e;
}

/* The canonical text of a tree, in the arena. */
static const char *print(const kexpr *e)
{
    kbuf b;
    kbuf_init(&b, 0);
    const char *s = kformula_print(e, &b) ? karena_strdup(&arena, b.p) : NULL;
    kbuf_release(&b);
    return s;
}

/* text compiles and prints as `want`, and `want` parses and prints as itself. */
static void check_print(const char *text, const char *want, int line)
{
    kexpr *e = compile(text);
    if (!e) {
        printf("#   line %d: '%s' failed: %s\n", line, text, err.message);
        tap_cur_failed = 1;
        return;
    }
    CHECK_STR(print(e), want);
    kexpr *again = compile(want);
    CHECK(again != NULL);
    if (again)
        CHECK_STR(print(again), want);
}
#define PRINTS(text, want) check_print(text, want, __LINE__)
#define SAME(text) check_print(text, text, __LINE__)

/* text fails to compile with KPI_DEFINITION at kpi.yaml:40:col, the message being `msg`,
 * then the formula line and a caret under column col. */
static void check_err(const char *text, unsigned long col, const char *msg, int line)
{
    kexpr *e = compile(text);
    if (e) {
        printf("#   line %d: '%s' compiled\n", line, text);
        tap_cur_failed = 1;
        return;
    }
    char want[1600];
    snprintf(want, sizeof want, "%s\n  %s\n  %*s^", msg, text, (int)(col - at.column), "");
    CHECK_EQ_INT(err.status, KPI_DEFINITION);
    CHECK_STR(err.message, want);
    CHECK_STR(err.file, "kpi.yaml");
    CHECK_EQ_INT(err.line, 40);
    CHECK_EQ_INT(err.column, col);
    if (strcmp(err.message, want) != 0 || err.column != col)
        printf("#   (line %d)\n", line);
}
#define ERR(text, col, msg) check_err(text, col, msg, __LINE__)

static const kstream *stream(const char *name)
{
    return kcfg_stream(cfg, kstr_c(name));
}

static size_t field_index(const char *s, const char *f)
{
    return (size_t)(kstream_field(stream(s), kstr_c(f)) - stream(s)->fields);
}

/* ---- what compiles ---------------------------------------------------------------------- */

/* Every example formula of DESIGN §1, and each function of its grammar. */
static void design_examples(void)
{
    SAME("(sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100");
    SAME("count(deals where stage = \"won\") / count(deals where stage in (\"won\", \"lost\"))");
    SAME("(count(surveys where score >= 9) - count(surveys where score <= 6)) / "
         "count(surveys where score is not null) * 100");
    SAME("growth(revenue) * 100");
    SAME("availability * performance * quality / 10000");
    SAME("last(balances.current_assets) / last(balances.current_liabilities)");
    SAME("revenue / total(revenue) * 100");
    SAME("conversion(leads, customers, on: email, within: \"90d\")");
    SAME("if(count(orders) > 0, sum(orders.revenue) / count(orders), 0)");
    SAME("coalesce(revenue, prev(revenue), 0)");
    SAME("round(revenue, 2)");
    SAME("abs(revenue - ago(revenue, \"1y\"))");
    SAME("rolling(revenue, 3)");
    SAME("ytd(revenue) + qtd(revenue) + mtd(revenue)");
    SAME("percentile(orders.revenue, 90 where region = \"West\")");
    SAME("count_distinct(orders.customer)");
    SAME("avg(orders.revenue) + min(orders.revenue) + max(orders.revenue) + "
         "median(orders.revenue) + first(orders.revenue)");
    SAME("avg(orders.revenue - orders.cost where status not in (\"cancelled\", \"returned\"))");
    SAME("sum(orders.quantity where ordered_at >= \"2026-01-01\" and paid = true)");
    SAME("count(deals where closed < \"2026-07-01\" or region is null)");
}

/* Whatever the spacing, parentheses and spelling, the printed text is the canonical one. */
static void canonical_text(void)
{
    PRINTS("(revenue+1)*2", "(revenue + 1) * 2");
    PRINTS("((revenue - revenue) - 1)", "revenue - revenue - 1");
    SAME("revenue - (revenue - 1)");
    SAME("revenue / (revenue * 2)");
    PRINTS("-(-revenue)", "--revenue");
    PRINTS("-(revenue * 2)", "-(revenue * 2)");
    PRINTS("1.50 + 1e3 + .5 + 0.1", "1.5 + 1000 + 0.5 + 0.1");
    PRINTS("sum( orders.revenue-cost where orders.region='West' )",
           "sum(orders.revenue - orders.cost where region = \"West\")");
    PRINTS("sum(1 where orders.region = \"West\")", "sum(1 where orders.region = \"West\")");
    PRINTS("count(orders where orders.status = \"a\\\"b\\\\\")",
           "count(orders where status = \"a\\\"b\\\\\")");
    PRINTS("count(orders where status = 'it\\'s')", "count(orders where status = \"it's\")");
    PRINTS("conversion(leads, customers, within: \"2w\", on: email)",
           "conversion(leads, customers, on: email, within: \"14d\")");
    PRINTS("conversion(leads,customers,on:email)", "conversion(leads, customers, on: email)");
    PRINTS("round(revenue)", "round(revenue, 0)");
    PRINTS("round(revenue, -3)", "round(revenue, -3)");
    PRINTS("if(not revenue > 0 and revenue < 5 or revenue = 3, 1, 2)",
           "if(not revenue > 0 and revenue < 5 or revenue = 3, 1, 2)");
    SAME("if(not (revenue > 0 or revenue < 5), 1, 2)");
    PRINTS("if(revenue > 0 and (revenue < 5 or revenue = 3), 1, 2)",
           "if(revenue > 0 and (revenue < 5 or revenue = 3), 1, 2)");
    PRINTS("count(deals where not (stage = \"won\" or stage = \"lost\") and amount>-5)",
           "count(deals where not (stage = \"won\" or stage = \"lost\") and amount > -5)");
    PRINTS("count(surveys where (score is null))", "count(surveys where score is null)");
    PRINTS("sum(orders.revenue * -(orders.quantity - 1))",
           "sum(orders.revenue * -(orders.quantity - 1))");
    PRINTS("  revenue\n    / 2\n", "revenue / 2");
}

/* Precedence: or < and < not < comparison < + - < * / < unary minus; left associative. */
static void tree_shapes(void)
{
    kexpr *e = compile("1 + 2 * 3 - 4");
    CHECK(e && e->kind == KX_BIN && e->op == '-');
    if (e) {
        CHECK(e->a->kind == KX_BIN && e->a->op == '+');
        CHECK(e->a->b->kind == KX_BIN && e->a->b->op == '*' && e->a->b->a->num == 2);
        CHECK(e->b->kind == KX_NUM && e->b->num == 4);
    }
    e = compile("-revenue * 2");
    CHECK(e && e->kind == KX_BIN && e->op == '*' && e->a->kind == KX_NEG);
    e = compile("if(not revenue > 1 and revenue < 2 or revenue = 3, 1, 2)");
    CHECK(e && e->kind == KX_CALL && e->fn == KF_IF && e->nargs == 3);
    if (e) {
        const kexpr *c = e->args[0];
        CHECK(c->kind == KX_OR && c->a->kind == KX_AND && c->b->kind == KX_CMP);
        CHECK(c->a->a->kind == KX_NOT && c->a->a->a->kind == KX_CMP);
        CHECK(c->a->a->a->cmp == KCMP_GT && c->a->b->cmp == KCMP_LT && c->b->cmp == KCMP_EQ);
    }
    e = compile("sum(orders.revenue - orders.cost * 2 where not region = \"a\" or rep = \"b\")");
    CHECK(e && e->kind == KX_AGG && e->agg == KAGG_SUM);
    if (e) {
        CHECK(e->arg->kind == KROW_BIN && e->arg->op == '-' && e->arg->b->op == '*');
        CHECK(e->where->kind == KCOND_OR && e->where->a->kind == KCOND_NOT);
        CHECK_STR(e->stream_name, "orders");
        CHECK_EQ_INT(e->stream_loc.column, 18);
        CHECK_EQ_INT(e->loc.column, 14);
    }
}

/* Names bind to the stream, the field (by index) and the KPI they name. */
static void bound_names(void)
{
    kexpr *e = compile("(sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * 100");
    CHECK(e != NULL);
    if (e) {
        const kexpr *rev = e->a->a->a;
        CHECK(rev->kind == KX_AGG && rev->stream == stream("orders"));
        CHECK_EQ_INT(rev->arg->field_index, field_index("orders", "revenue"));
        CHECK_EQ_INT(rev->arg->field_index, 2);
        CHECK_STR(rev->arg->field->name, "revenue");
        CHECK_EQ_INT(e->a->a->b->arg->field_index, field_index("orders", "cost"));
    }
    e = compile("count(deals where stage in (\"won\", \"lost\") and rep = \"Ana\")");
    CHECK(e && e->kind == KX_AGG && e->agg == KAGG_COUNT && e->arg == NULL);
    if (e) {
        CHECK(e->stream == stream("deals"));
        const kcond *in = e->where->a;
        CHECK(in->kind == KCOND_IN && !in->negate && in->nlits == 2);
        CHECK_EQ_INT(in->field_index, field_index("deals", "stage"));
        CHECK_STR(in->lits[0].str, "won");
        CHECK_STR(in->lits[1].str, "lost");
        CHECK(in->lits[0].is_string);
        CHECK_EQ_INT(e->where->b->field_index, field_index("deals", "rep"));
    }
    e = compile("availability * performance * quality / 10000");
    CHECK(e != NULL);
    if (e) {
        CHECK(e->a->a->a->kpi == kcfg_kpi(cfg, KSTR("availability")));
        CHECK(e->a->a->b->kpi == kcfg_kpi(cfg, KSTR("performance")));
        CHECK(e->a->b->kpi == kcfg_kpi(cfg, KSTR("quality")));
    }
    e = compile("conversion(leads, customers, on: email, within: \"90d\")");
    CHECK(e && e->kind == KX_CALL && e->fn == KF_CONVERSION);
    if (e) {
        CHECK(e->conv_from == stream("leads") && e->conv_to == stream("customers"));
        CHECK_EQ_INT(e->conv_on_from, 2);
        CHECK_EQ_INT(e->conv_on_to, 2);
        CHECK_EQ_INT(e->conv_within_days, 90);
    }
    e = compile("percentile(orders.revenue, 90 where region = \"West\")");
    CHECK(e && e->agg == KAGG_PERCENTILE && e->pct == 90);
    if (e)
        CHECK_EQ_INT(e->where->field_index, field_index("orders", "region"));
    e = compile("ago(revenue, \"3m\") + rolling(revenue, 12) + round(revenue, 1)");
    CHECK(e != NULL);
    if (e) {
        CHECK(e->a->a->fn == KF_AGO && e->a->a->shift_n == 3 && e->a->a->shift_unit == 'm');
        CHECK(e->a->a->nargs == 1 && e->a->a->args[0]->kind == KX_KPI);
        CHECK(e->a->b->fn == KF_ROLLING && e->a->b->rolling_n == 12);
        CHECK(e->b->fn == KF_ROUND && e->b->round_digits == 1 && e->b->nargs == 1);
    }
    e = compile("avg(orders.ordered_at - orders.ordered_at) + avg(deals.closed - deals.closed)");
    CHECK(e != NULL); /* time - time = seconds, date - date = days */
}

/* Literals take the stored form of the field they are compared with. */
static void stored_literals(void)
{
    kexpr *e = compile("count(orders where ordered_at >= \"2026-01-01\" and ordered_at < "
                       "\"2026-06-01T12:00:00Z\" and revenue >= 12.5 and cost = -3.25 and "
                       "quantity > 2 and paid = true and region = \"West\")");
    CHECK(e != NULL);
    if (!e)
        return;
    /* the and-chain is left-deep: walk it from the right */
    const kcond *c = e->where, *leaf[7];
    for (int i = 6; i > 0; i--, c = c->a)
        leaf[i] = c->b;
    leaf[0] = c;
    /* midnight in Europe/Berlin is 23:00 UTC the day before */
    int64_t jan1 = kdays_from_civil(2026, 1, 1) * KTIME_US_PER_DAY;
    CHECK_EQ_INT(leaf[0]->lits[0].stored, jan1 - 3600 * KTIME_US_PER_SEC);
    CHECK_EQ_INT(leaf[1]->lits[0].stored,
                 kdays_from_civil(2026, 6, 1) * KTIME_US_PER_DAY + 12 * 3600 * KTIME_US_PER_SEC);
    CHECK_EQ_INT(leaf[2]->lits[0].stored, 125000); /* scale 4 */
    CHECK_EQ_INT(leaf[3]->lits[0].stored, -325);   /* scale 2 */
    CHECK_STR(leaf[3]->lits[0].str, "-3.25");
    CHECK(leaf[3]->lits[0].num == -3.25);
    CHECK_EQ_INT(leaf[4]->lits[0].stored, 2);
    CHECK_EQ_INT(leaf[5]->lits[0].stored, 1);
    CHECK(leaf[5]->lits[0].is_bool);
    CHECK(leaf[6]->lits[0].is_string);
    CHECK_STR(leaf[6]->lits[0].str, "West");
    CHECK_EQ_INT(leaf[6]->field_index, field_index("orders", "region"));

    e = compile("count(deals where closed in (\"2026-01-31\", \"1969-12-31\"))");
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->where->lits[0].stored, kdays_from_civil(2026, 1, 31));
        CHECK_EQ_INT(e->where->lits[1].stored, -1);
    }
    e = compile("count(surveys where score >= 9 and score not in (-1, 0))");
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->where->a->lits[0].stored, 9);
        CHECK(e->where->b->negate && e->where->b->lits[0].stored == -1);
    }
}

/* ---- what fails ------------------------------------------------------------------------- */

static void error_format(void)
{
    /* the whole message, spelled out once */
    CHECK(compile("sum(orders.revnue) / 2") == NULL);
    CHECK_STR(err.message, "unknown field 'revnue' in stream 'orders' (did you mean 'revenue'?)\n"
                           "  sum(orders.revnue) / 2\n"
                           "      ^");
    char buf[2000];
    kpi_error_format(&err, buf, sizeof buf);
    CHECK_STR(buf, "kpi.yaml:40:18: unknown field 'revnue' in stream 'orders' (did you mean "
                   "'revenue'?)\n  sum(orders.revnue) / 2\n      ^");
    /* a long line is cut around the caret */
    char longf[600] = "revenue";
    for (int i = 0; i < 30; i++)
        strcat(longf, " + revenue");
    strcat(longf, " + revnue");
    for (int i = 0; i < 10; i++)
        strcat(longf, " + revenue");
    CHECK(compile(longf) == NULL);
    CHECK_STR(err.message, "unknown kpi 'revnue' (did you mean 'revenue'?)\n"
                           "  ...nue + revenue + revenue + revenue + revenue + revenue + "
                           "revnue + revenue + revenue + revenue + r...\n"
                           "                                                             ^");
    CHECK_EQ_INT(err.column, 14 + 310);
}

/* Mistakes the parser finds in the text alone. */
static void syntax_errors(void)
{
    ERR("sum(orders.revenue", 32, "expected ')' after the arguments of 'sum'");
    ERR("(sum(orders.revenue) + 1", 38, "expected ')' to close '('");
    ERR("sum(orders.revenue))", 33, "unmatched ')'");
    ERR("1 +", 17, "unexpected end of the formula (expected a value)");
    ERR("revenue revenue", 22,
        "unexpected 'revenue' (expected an operator or the end of the "
        "formula)");
    ERR("sume(orders.revenue)", 14, "unknown function 'sume' (did you mean 'sum'?)");
    ERR("prev(revenue, 2)", 28, "'prev' takes 1 argument: prev(x)");
    ERR("coalesce(revenue)", 30, "'coalesce' takes 2 or more arguments: coalesce(x, y)");
    ERR("if(revenue > 1, 2)", 31, "'if' takes 3 arguments: if(condition, then, else)");
    ERR("if(revenue, 1, 2)", 17, "'if' takes a condition first: if(condition, then, else)");
    ERR("revenue > 1", 22,
        "expected a value, not a condition (a condition goes first in "
        "if(condition, then, else))");
    ERR("if(revenue > 1 and 2, 1, 0)", 33, "'and' needs a condition on each side, as in x > 0");
    ERR("if(1 < revenue < 3, 1, 0)", 29, "comparisons cannot be chained (join them with 'and')");
    ERR("percentile(orders.revenue, 120)", 41,
        "'percentile' takes a value and a percentage from 0 to 100");
    ERR("percentile(orders.revenue where region = \"West\")", 40,
        "'percentile' takes a value and a percentage from 0 to 100");
    ERR("rolling(revenue, 0)", 31, "rolling() takes a positive whole number of periods");
    ERR("rolling(revenue, 2.5)", 31, "rolling() takes a positive whole number of periods");
    ERR("ago(revenue, \"1x\")", 27,
        "'ago' takes a value and a shift like \"1y\", \"3m\", \"2w\" or \"7d\"");
    ERR("round(revenue, 10)", 29,
        "'round' takes a whole number of digits from -9 to 9: "
        "round(x, 2)");
    ERR("sum(orders.revenue, 2)", 32,
        "'sum' takes one value and an optional 'where': sum(stream.field where ...)");
    ERR("sum(orders.revenue - deals.amount)", 35,
        "field 'deals.amount' is not in stream 'orders' (an aggregate reads one stream)");
    ERR("count(orders where deals.stage = \"won\")", 33,
        "field 'deals.stage' is not in stream 'orders' (an aggregate reads one stream)");
    ERR("count(orders.revenue)", 20,
        "'count' counts the rows of a stream: count(orders), or count(orders where revenue is "
        "not null) for the rows with a value");
    ERR("orders.revenue * 2", 14,
        "field 'orders.revenue' must be inside an aggregate, e.g. sum(orders.revenue)");
    ERR("sum(abs(orders.revenue))", 18,
        "functions cannot be used inside 'sum' (only fields, numbers and + - * /)");
    ERR("sum(orders.revenue) where region = \"x\"", 34,
        "'where' goes inside an aggregate, as in count(orders where ...)");
    ERR("count(orders where region = null)", 42,
        "use 'is null' or 'is not null' to test for a missing value");
    ERR("count(orders where region == \"x\")", 40, "unexpected '==' (use '=')");
    ERR("count(orders where region is nul)", 43, "expected 'null' after 'is'");
    ERR("count(orders where region not (\"a\"))", 44, "expected 'in' after 'not'");
    ERR("count(orders where region in ())", 44,
        "unexpected ')' after '(' (expected a number, a \"string\", true or false)");
    ERR("count(orders where region = rep)", 42,
        "unexpected 'rep' after '=' (expected a number, a \"string\", true or false)");
    ERR("count(orders where region)", 39,
        "unexpected ')' (expected = != < <= > >= in, not in or is null after a field)");
    ERR("count(orders where region = \"West\\n\")", 47,
        "invalid escape '\\n' in a string (only \\\" and \\\\)");
    ERR("count(orders where region = \"We", 42,
        "unterminated string (it must end with \" on the same line)");
    ERR("revenue # 2", 22, "unexpected character '#'");
    ERR("3m", 14, "invalid number '3m'");
    ERR("conversion(leads, customers)", 41,
        "'conversion' needs 'on: field', the field that links a row of 'leads' to one of "
        "'customers'");
    ERR("conversion(leads, customers, onn: email)", 43,
        "unknown argument 'onn' of 'conversion' (did you mean 'on'?)");
    ERR("conversion(leads, customers, on: email, within: \"2m\")", 62,
        "'within' takes a number of days or weeks, like \"90d\" or \"12w\"");
    ERR("", 14, "empty formula");
}

/* Mistakes found against the definitions: names, types and literal values. */
static void binding_errors(void)
{
    ERR("sum(ordrs.revenue)", 18, "unknown stream 'ordrs' (did you mean 'orders'?)");
    ERR("count(deal)", 20, "unknown stream 'deal' (did you mean 'deals'?)");
    ERR("count(orders where regin = \"West\")", 33,
        "unknown field 'regin' in stream 'orders' (did you mean 'region'?)");
    ERR("revnue * 2", 14, "unknown kpi 'revnue' (did you mean 'revenue'?)");
    ERR("orders / 2", 14, "'orders' is a stream, not a kpi (did you mean 'count(orders)'?)");
    ERR("amount / 2", 14, "unknown kpi 'amount' (did you mean 'sum(deals.amount)'?)");
    ERR("sum(revenue)", 18,
        "'sum' needs the stream of field 'revenue' (did you mean "
        "'orders.revenue'?)");
    ERR("sum(orders)", 18, "'sum' takes a field of stream 'orders', written orders.field");
    ERR("count(deals where stage = 3)", 40,
        "cannot compare text field 'stage' with a number (write text in quotes, like \"West\")");
    ERR("count(orders where revenue > \"10\")", 43,
        "cannot compare number field 'revenue' with a string");
    ERR("count(orders where ordered_at >= 2026)", 47,
        "cannot compare time field 'ordered_at' with a number (write a date or time as a "
        "string, like \"2026-01-31\")");
    ERR("count(orders where paid = 1)", 40,
        "cannot compare bool field 'paid' with a number (use true or false)");
    ERR("count(orders where paid > true)", 33, "cannot order bool field 'paid' (use = or !=)");
    ERR("sum(orders.region)", 18,
        "cannot take the sum of text field 'region' (only number and integer fields)");
    ERR("max(orders.ordered_at)", 18,
        "cannot take the maximum of time field 'ordered_at' (only number and integer fields; "
        "time - time gives seconds)");
    ERR("sum(orders.ordered_at + 1)", 18,
        "cannot use time field 'ordered_at' in arithmetic (only time - time, which gives "
        "seconds)");
    ERR("avg(orders.ordered_at - deals.closed)", 38,
        "field 'deals.closed' is not in stream 'orders' (an aggregate reads one stream)");
    ERR("last(balances.current_assets - balances.current_liabilities)", 43,
        "'last' takes a single field, not an expression");
    ERR("count(deals where closed = \"2026-02-30\")", 41,
        "invalid date '2026-02-30' for date field 'closed': day 30 out of range for 2026-02");
    ERR("count(orders where ordered_at < \"2026-13-01\")", 46,
        "invalid time '2026-13-01' for time field 'ordered_at': month 13 out of range");
    ERR("count(orders where cost = 1.123)", 40,
        "invalid number '1.123' for number field 'cost': more than 2 decimal places (raise the "
        "field's scale)");
    ERR("count(orders where quantity in (1, 1.5))", 49,
        "not an integer '1.5' for integer field 'quantity'");
    ERR("conversion(leads, customer, on: email)", 32,
        "unknown stream 'customer' (did you mean 'customers'?)");
    ERR("conversion(leads, customers, on: lead)", 47, "unknown field 'lead' in stream 'customers'");
    ERR("conversion(leads, customers, on: emails)", 47,
        "unknown field 'emails' in stream 'leads' (did you mean 'email'?)");
}

/* Nesting is bounded so that no tree walk can run out of stack. */
static void limits(void)
{
    char deep[200];
    memset(deep, '(', 100);
    strcpy(deep + 100, "1");
    memset(deep + 101, ')', 98);
    deep[199] = '\0';
    CHECK(compile(deep) == NULL);
    CHECK_EQ_INT(err.column, 14 + 64);
    CHECK(strncmp(err.message, "formula nested too deeply (more than 64 levels)", 47) == 0);
    char *big = malloc(20000);
    if (big) {
        memset(big, '1', 19999);
        big[19999] = '\0';
        CHECK(compile(big) == NULL);
        CHECK(strncmp(err.message, "formula is too long (19999 bytes, at most 16384)", 48) == 0);
        free(big);
    }
    kbuf b;
    kbuf_init(&b, 0);
    CHECK(!kformula_print(NULL, &b));
    kbuf_release(&b);
}

/* ---- whole workspaces ------------------------------------------------------------------- */

/* Every KPI of a workspace compiles; manual ones have no tree; references bind across KPIs. */
static void compile_workspace(void)
{
    static const char yaml[] =
        STREAMS "  gross_profit_margin:\n"
                "    formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) * "
                "100\n"
                "  revenue:\n"
                "    formula: sum(orders.revenue)\n"
                "  sales_growth:\n"
                "    formula: growth(revenue) * 100\n"
                "  win_rate:\n"
                "    formula: count(deals where stage = \"won\") / count(deals where stage in "
                "(\"won\", \"lost\"))\n"
                "  availability:\n"
                "    manual: true\n"
                "  oee:\n"
                "    formula: |\n"
                "      availability\n"
                "        * win_rate * gross_profit_margin / 10000\n"
                "  lead_conversion:\n"
                "    formula: \"conversion(leads, customers, on: email, within: \\\"90d\\\")\"\n";
    kconfig *c = load(yaml);
    if (!c)
        return;
    kexpr **trees = NULL;
    kpi_error_init(&err);
    CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_OK);
    CHECK(trees != NULL);
    if (trees) {
        CHECK(trees[0] && trees[0]->kind == KX_BIN);
        CHECK(trees[2] && trees[2]->a->args[0]->kpi == &c->kpis[1]);
        CHECK(trees[4] == NULL);
        CHECK(trees[5] && trees[5]->a->a->a->kpi == &c->kpis[4]);
        CHECK(trees[6] && trees[6]->fn == KF_CONVERSION);
        if (trees[5]) {
            /* a `|` block: the second line starts at the block's indentation */
            CHECK_EQ_INT(trees[5]->a->a->a->loc.line, KPIS_LINE + 12);
            CHECK_EQ_INT(trees[5]->a->a->a->loc.column, 7);
            CHECK_EQ_INT(trees[5]->a->a->b->loc.line, KPIS_LINE + 13);
            CHECK_EQ_INT(trees[5]->a->a->b->loc.column, 11);
        }
    }
    kcfg_free(c);
}

/* compile_all reports the first broken formula at its place in kpi.yaml. */
static void workspace_errors(void)
{
    static const char block[] = STREAMS "  m:\n"
                                        "    formula: |\n"
                                        "      sum(orders.revenue)\n"
                                        "        / sum(orders.cst)\n";
    kconfig *c = load(block);
    kexpr **trees;
    if (c) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
        CHECK_STR(err.message, "unknown field 'cst' in stream 'orders' (did you mean 'cost'?)\n"
                               "    / sum(orders.cst)\n"
                               "          ^");
        CHECK_EQ_INT(err.line, KPIS_LINE + 3);
        CHECK_EQ_INT(err.column, 15);
        kcfg_free(c);
    }
    static const char quoted[] = STREAMS "  m:\n"
                                         "    formula: \"count(orders where status = 'opn') / "
                                         "coount(orders)\"\n";
    if ((c = load(quoted))) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
        CHECK_STR(err.message, "unknown function 'coount' (did you mean 'count'?)\n"
                               "  count(orders where status = 'opn') / coount(orders)\n"
                               "                                       ^");
        CHECK_EQ_INT(err.line, KPIS_LINE + 1);
        CHECK_EQ_INT(err.column, 15 + 37);
        kcfg_free(c);
    }
}

/* Cycles between KPIs are refused with their path, at the reference that starts them. */
static void cycles(void)
{
    static const char two[] = STREAMS "  a:\n"
                                      "    formula: b + 1\n"
                                      "  b:\n"
                                      "    formula: 2 * a\n";
    kconfig *c = load(two);
    kexpr **trees;
    if (c) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
        CHECK_STR(err.message, "kpi 'a' depends on itself: a -> b -> a\n  b + 1\n  ^");
        CHECK_EQ_INT(err.line, KPIS_LINE + 1);
        CHECK_EQ_INT(err.column, 14);
        kcfg_free(c);
    }
    static const char self[] = STREAMS "  a:\n"
                                       "    formula: sum(orders.revenue) / a\n";
    if ((c = load(self))) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
        CHECK_STR(err.message, "kpi 'a' depends on itself: a -> a\n"
                               "  sum(orders.revenue) / a\n"
                               "                        ^");
        kcfg_free(c);
    }
    /* reached from a KPI outside it, the cycle starts where it closes */
    static const char longer[] = STREAMS "  top:\n"
                                         "    formula: c + count(orders)\n"
                                         "  c:\n"
                                         "    formula: prev(d)\n"
                                         "  d:\n"
                                         "    formula: if(e > 0, e, 0)\n"
                                         "  e:\n"
                                         "    formula: round(c, 2)\n";
    if ((c = load(longer))) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_DEFINITION);
        CHECK_STR(err.message, "kpi 'c' depends on itself: c -> d -> e -> c\n"
                               "  prev(d)\n"
                               "       ^");
        CHECK_EQ_INT(err.line, KPIS_LINE + 3);
        CHECK_EQ_INT(err.column, 19);
        kcfg_free(c);
    }
    static const char dag[] = STREAMS "  x:\n"
                                      "    formula: y + z\n"
                                      "  y:\n"
                                      "    formula: z * 2\n"
                                      "  z:\n"
                                      "    formula: count(orders)\n";
    if ((c = load(dag))) {
        CHECK_EQ_INT(kformula_compile_all(c, &arena, &trees, &err), KPI_OK);
        kcfg_free(c);
    }
}

int main(void)
{
    karena_init(&arena, 0);
    cfg = load(base_yaml);
    if (!cfg)
        return 1;
    RUN(design_examples);
    RUN(canonical_text);
    RUN(tree_shapes);
    RUN(bound_names);
    RUN(stored_literals);
    RUN(error_format);
    RUN(syntax_errors);
    RUN(binding_errors);
    RUN(limits);
    RUN(compile_workspace);
    RUN(workspace_errors);
    RUN(cycles);
    kcfg_free(cfg);
    karena_release(&arena);
    return tap_done();
}
