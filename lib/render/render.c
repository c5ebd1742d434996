/*
 * render.c - what the output formats share: the table of formats behind kpi_result_render and
 * kpi_report_render, number formatting per unit, status glyphs and change arrows, display
 * widths of UTF-8 text, and the grids of cells that table.c and markdown.c lay out.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* ---- the formats ----------------------------------------------------------------------- */

static const krender_format *const formats[] = {
    &krender_table,
    &krender_csv,
    &krender_json,
    &krender_markdown,
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int kpi_output_parse(const char *name, kpi_output *out)
{
    for (size_t i = 0; name && i < NFORMATS; i++) {
        if (strcmp(name, formats[i]->name) == 0) {
            *out = formats[i]->output;
            return 1;
        }
    }
    return 0;
}

static const kpi_render_options default_options = {.color = 0, .unicode = 1, .width = 100};

/* Runs the result or the report writer of a format into a fresh buffer. */
static char *render(const kpi_result *r, kpi_output fmt, const kpi_render_options *opts,
                    bool report)
{
    const krender_format *f = NULL;
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i]->output == fmt)
            f = formats[i];
    if (!r || !f)
        return NULL;
    kpi_render_options o = opts ? *opts : default_options;
    if (o.width <= 0)
        o.width = 100;
    kbuf b;
    kbuf_init(&b, 0);
    bool ok = report ? f->report(&b, r, &o) : f->result(&b, r, &o);
    if (!ok) {
        kbuf_release(&b);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}

char *kpi_result_render(const kpi_result *r, kpi_output fmt, const kpi_render_options *opts)
{
    return render(r, fmt, opts, false);
}

char *kpi_report_render(const kpi_result *r, kpi_output fmt, const kpi_render_options *opts)
{
    return render(r, fmt, opts, true);
}

/* ---- numbers --------------------------------------------------------------------------- */

double krender_round15(double v)
{
    if (!krender_defined(v))
        return v;
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    double r = strtod(buf, NULL);
    return r == 0 ? 0 : r; /* no negative zero */
}

void krender_raw(double v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.15g", krender_round15(v));
}

const char *krender_dash(bool unicode)
{
    return unicode ? "—" : "-";
}

/* Decimals when a KPI gives none (the model always does; hand-built results may not). */
static int default_decimals(const char *unit)
{
    static const struct {
        const char *unit;
        int decimals;
    } defaults[] = {
        {"count", 0}, {"currency", 2}, {"percent", 1}, {"ratio", 2}, {"duration", 1},
    };
    for (size_t i = 0; unit && i < sizeof defaults / sizeof defaults[0]; i++)
        if (strcmp(unit, defaults[i].unit) == 0)
            return defaults[i].decimals;
    return 2;
}

/* Appends a number printed by printf ("-1234567.89") with thousands separators in its
 * integer part, and without the sign of a negative value that rounded to zero. */
static bool append_grouped(kbuf *b, const char *num)
{
    const char *p = num;
    if (*p == '-') {
        p++;
        if (p[strspn(p, "0.")] != '\0' && !kbuf_appendc(b, '-'))
            return false;
    }
    size_t digits = strspn(p, "0123456789");
    for (size_t i = 0; i < digits; i++) {
        if (!kbuf_appendc(b, p[i]))
            return false;
        size_t left = digits - i - 1;
        if (left && left % 3 == 0 && !kbuf_appendc(b, ','))
            return false;
    }
    return kbuf_appends(b, p + digits);
}

/*
 * Prints a finite v with `decimals` (0..9) decimals into out (at least 400 bytes: DBL_MAX has
 * 309 integer digits), rounded half away from zero on its 15-significant-digit decimal form:
 * 1.005 gives "1.01" and 2.675 "2.68", as people and accountants round, not "1.00" and "2.67"
 * as the binary doubles nearest to them would.
 */
static void format_fixed(double v, int decimals, char *out)
{
    char e[48];
    snprintf(e, sizeof e, "%.14e", v); /* "-d.dddddddddddddde+XX": 15 significant digits */
    const char *p = e + (e[0] == '-');
    char d[17] = "0"; /* d[0] takes a carry out of the leading digit */
    int nd = 1;
    for (; *p && *p != 'e' && nd < 16; p++)
        if (*p != '.')
            d[nd++] = *p;
    int ip = (*p == 'e' ? atoi(p + 1) : 0) + 2; /* digits of d before the decimal point */
    int keep = ip + decimals;                   /* digits of d that stay */
    if (keep < nd) {
        bool up = keep >= 0 && d[keep] >= '5';
        for (int i = keep > 0 ? keep : 0; i < nd; i++)
            d[i] = '0';
        for (int i = keep - 1; up && i >= 0; i--) {
            up = d[i] == '9';
            d[i] = up ? '0' : (char)(d[i] + 1);
        }
    }
    size_t w = 0;
    if (v < 0)
        out[w++] = '-';
    int first = 0; /* no leading zeros, but one zero before the point at least */
    while (first < ip - 1 && (first >= nd || d[first] == '0'))
        first++;
    if (ip <= 0)
        out[w++] = '0';
    for (int i = first; i < ip; i++)
        out[w++] = i < nd ? d[i] : '0';
    if (decimals > 0)
        out[w++] = '.';
    for (int i = ip; i < ip + decimals; i++)
        out[w++] = i >= 0 && i < nd ? d[i] : '0';
    out[w] = '\0';
}

/* Removes trailing zeros (and then the point) from a printf'd decimal number. */
static void trim_zeros(char *num)
{
    if (!strchr(num, '.'))
        return;
    size_t n = strlen(num);
    while (n && num[n - 1] == '0')
        num[--n] = '\0';
    if (n && num[n - 1] == '.')
        num[--n] = '\0';
}

/*
 * A duration in seconds for people: "45s" (with up to `decimals` decimals below a minute),
 * "3m 20s", "2h 05m", "3d 4h" - each rounded to its smallest part.
 */
static bool append_duration(kbuf *b, double v, int decimals)
{
    double a = fabs(v);
    const char *sign = v < 0 ? "-" : "";
    if (a >= 1e15) /* past any real duration: plain seconds rather than overflow */
        return kbuf_printf(b, "%s%.0fs", sign, a);
    if (round(a) < 60) {
        char num[400];
        format_fixed(a, decimals, num);
        trim_zeros(num);
        if (strcmp(num, "0") == 0)
            sign = "";
        return kbuf_printf(b, "%s%ss", sign, num);
    }
    long long s = llround(a);
    if (s < 3600)
        return kbuf_printf(b, "%s%lldm %02llds", sign, s / 60, s % 60);
    long long m = llround(a / 60);
    if (m < 24 * 60)
        return kbuf_printf(b, "%s%lldh %02lldm", sign, m / 60, m % 60);
    long long h = llround(a / 3600);
    return kbuf_printf(b, "%s%lldd %lldh", sign, h / 24, h % 24);
}

bool krender_value(kbuf *b, double v, const char *unit, int decimals, bool unicode)
{
    if (!krender_defined(v))
        return kbuf_appends(b, krender_dash(unicode));
    if (decimals < 0)
        decimals = default_decimals(unit);
    if (decimals > 9)
        decimals = 9;
    if (unit && strcmp(unit, "duration") == 0)
        return append_duration(b, v, decimals);
    char num[400]; /* DBL_MAX has 309 integer digits */
    format_fixed(v, decimals, num);
    if (!append_grouped(b, num))
        return false;
    return !(unit && strcmp(unit, "percent") == 0) || kbuf_appendc(b, '%');
}

bool krender_change(kbuf *b, double change, bool unicode)
{
    if (!krender_defined(change * 100))
        return kbuf_appends(b, krender_dash(unicode));
    char num[400];
    format_fixed(change * 100, 1, num);
    if (strspn(num, "-0.") == strlen(num)) /* rounds to zero: no direction to show */
        return kbuf_appends(b, "= 0.0%");
    bool up = change > 0;
    if (!kbuf_appends(b, up ? (unicode ? "▲ +" : "^ +") : (unicode ? "▼ " : "v ")))
        return false;
    return append_grouped(b, num) && kbuf_appendc(b, '%');
}

bool krender_in_points(const char *unit)
{
    return unit && (strcmp(unit, "percent") == 0 || strcmp(unit, "ratio") == 0);
}

double krender_point_delta(const kpi_series *s, const kpi_point *p)
{
    return krender_in_points(s->unit) ? p->change_points : p->change;
}

/* A change in points printed with the KPI's decimals into num (400 bytes); false when it
 * rounds to zero (no direction to show). */
static bool points_text(const kpi_series *s, double d, char *num)
{
    int decimals = s->decimals >= 0 && s->decimals <= 9 ? s->decimals : default_decimals(s->unit);
    format_fixed(d, decimals, num);
    return strspn(num, "-0.") != strlen(num);
}

bool krender_point_change(kbuf *b, const kpi_series *s, const kpi_point *p, bool unicode)
{
    if (!krender_in_points(s->unit))
        return krender_change(b, p->change, unicode);
    double d = p->change_points;
    if (!krender_defined(d))
        return kbuf_appends(b, krender_dash(unicode));
    char num[400];
    const char *suffix = strcmp(s->unit, "percent") == 0 ? " pp" : "";
    if (!points_text(s, d, num))
        return kbuf_appends(b, "= ") && kbuf_appends(b, num[0] == '-' ? num + 1 : num) &&
               kbuf_appends(b, suffix);
    if (!kbuf_appends(b, d > 0 ? (unicode ? "▲ +" : "^ +") : (unicode ? "▼ " : "v ")))
        return false;
    return append_grouped(b, num) && kbuf_appends(b, suffix);
}

/* Symbols of the common currencies, written before the amount; others go by their code. */
static const struct {
    const char *code, *symbol;
} currencies[] = {
    {"EUR", "€"}, {"USD", "$"},  {"GBP", "£"},  {"JPY", "¥"},  {"CNY", "¥"}, {"INR", "₹"},
    {"KRW", "₩"}, {"BRL", "R$"}, {"AUD", "A$"}, {"CAD", "C$"}, {"ILS", "₪"}, {"NGN", "₦"},
};

bool krender_amount(kbuf *b, const kpi_result *r, const kpi_series *s, double v, bool unicode)
{
    if (!r->currency || !s->unit || strcmp(s->unit, "currency") != 0 || !krender_defined(v))
        return krender_value(b, v, s->unit, s->decimals, unicode);
    const char *symbol = NULL;
    for (size_t i = 0; unicode && i < sizeof currencies / sizeof currencies[0]; i++)
        if (strcmp(r->currency, currencies[i].code) == 0)
            symbol = currencies[i].symbol;
    kbuf num;
    kbuf_init(&num, 0);
    bool ok = krender_value(&num, v, s->unit, s->decimals, unicode) && num.p;
    const char *digits = ok && num.p[0] == '-' ? num.p + 1 : num.p;
    ok =
        ok && (digits == num.p || kbuf_appendc(b, '-')) &&
        (symbol ? kbuf_appends(b, symbol) : kbuf_appends(b, r->currency) && kbuf_appendc(b, ' ')) &&
        kbuf_appends(b, digits);
    kbuf_release(&num);
    return ok;
}

bool krender_attainment(kbuf *b, double attainment, bool unicode)
{
    return krender_value(b, krender_defined(attainment) ? attainment * 100 : attainment, "percent",
                         1, unicode);
}

/* ---- status ---------------------------------------------------------------------------- */

#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define DIM "\033[2m"

static const struct {
    const char *name, *words, *glyph, *ascii, *color;
} statuses[] = {
    {"on_track", "on track", "●", "+", GREEN}, {"at_risk", "at risk", "◐", "~", YELLOW},
    {"off_track", "off track", "○", "x", RED}, {"no_target", "no target", "·", ".", DIM},
    {"no_data", "no data", "—", "-", DIM},     {"immature", "immature", "◌", "o", DIM},
};
#define NSTATUSES (sizeof statuses / sizeof statuses[0])

static size_t status_index(const char *status)
{
    for (size_t i = 0; status && i < NSTATUSES; i++)
        if (strcmp(status, statuses[i].name) == 0)
            return i;
    return NSTATUSES;
}

const char *krender_status_glyph(const char *status, bool unicode)
{
    size_t i = status_index(status);
    return i == NSTATUSES ? "?" : unicode ? statuses[i].glyph : statuses[i].ascii;
}

bool krender_status(kbuf *b, const char *status, bool unicode)
{
    size_t i = status_index(status);
    const char *words = i == NSTATUSES ? (status ? status : "") : statuses[i].words;
    return kbuf_appends(b, krender_status_glyph(status, unicode)) && kbuf_appendc(b, ' ') &&
           krender_clean(b, words);
}

const char *krender_status_color(const char *status)
{
    size_t i = status_index(status);
    return i == NSTATUSES ? NULL : statuses[i].color;
}

const char *krender_change_color(double change, const char *direction)
{
    if (!krender_defined(change) || fabs(change) < 0.0005) /* shown as "= 0.0%" */
        return NULL;
    bool better = direction && strcmp(direction, "down") == 0 ? change < 0 : change > 0;
    return better ? GREEN : RED;
}

const char *krender_point_color(const kpi_series *s, const kpi_point *p)
{
    double d = krender_point_delta(s, p);
    if (!krender_in_points(s->unit))
        return krender_change_color(d, s->direction);
    char num[400];
    if (!krender_defined(d) || !points_text(s, d, num)) /* no change shown, or "= 0.0 pp" */
        return NULL;
    bool better = s->direction && strcmp(s->direction, "down") == 0 ? d < 0 : d > 0;
    return better ? GREEN : RED;
}

/* ---- what a block is about ------------------------------------------------------------ */

/* The first series with points, or NULL. */
static const kpi_series *first_with_points(const kpi_result *r)
{
    for (size_t i = 0; i < r->nseries; i++)
        if (r->series[i].npoints)
            return &r->series[i];
    return NULL;
}

bool krender_heading(kbuf *b, const kpi_result *r, bool report, bool unicode)
{
    const char *dot = unicode ? " · " : " - ";
    bool ok = krender_clean(b, r->workspace && *r->workspace ? r->workspace : "kpi");
    const kpi_series *s = first_with_points(r);
    if (!s)
        return ok && kbuf_appends(b, dot) &&
               (!r->review || (krender_clean(b, r->review) && kbuf_appends(b, dot))) &&
               kbuf_appends(b, "no data");
    const char *first = s->points[0].period, *last = krender_last(s)->period;
    bool open = false;
    for (size_t i = 0; i < r->nseries; i++)
        for (size_t j = 0; j < r->series[i].npoints; j++)
            open |= !r->series[i].points[j].complete &&
                    strcmp(r->series[i].points[j].period, last) == 0;
    ok = ok && kbuf_appends(b, dot) &&
         (report || strcmp(first, last) == 0 ||
          (krender_clean(b, first) && kbuf_appends(b, " to "))) &&
         krender_clean(b, last) && kbuf_appends(b, dot);
    bool cut = kresult_is_cut(r, first) || kresult_is_cut(r, last);
    if (ok && cut)
        ok = kbuf_printf(b, "partial (%s to %s only)%s", r->from, r->to, open ? ", " : "");
    if (ok && open)
        ok = (report || strcmp(first, last) == 0 ||
              (krender_clean(b, last) && kbuf_appendc(b, ' '))) &&
             kbuf_appends(b, "open (to date)");
    if (ok && !open && !cut)
        ok = kbuf_appends(b, "complete");
    return ok;
}

const char *krender_broken(bool unicode)
{
    return unicode ? "✗ broken" : "! broken";
}

bool krender_broken_notes(kbuf *b, const kpi_result *r, bool unicode)
{
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < r->nseries; i++) {
        const kpi_series *s = &r->series[i];
        if (!s->error)
            continue;
        n++;
        ok = kbuf_appends(b, unicode ? "✗ " : "! ") && krender_clean(b, s->id ? s->id : "") &&
             kbuf_appends(b, " is broken: ");
        const char *nl = strchr(s->error, '\n');
        size_t len = nl ? (size_t)(nl - s->error) : strlen(s->error);
        char *line = ok ? strndup(s->error, len) : NULL;
        ok = line && krender_clean(b, line) && kbuf_appendc(b, '\n');
        free(line);
    }
    if (ok && n)
        ok = kbuf_appends(b, "('kpi check' lists every mistake in the definitions)\n");
    return ok;
}

/* ---- text ------------------------------------------------------------------------------ */

size_t krender_width(const char *s)
{
    size_t n = strlen(s), w = 0;
    int32_t len = n > INT32_MAX ? INT32_MAX : (int32_t)n, i = 0;
    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0) { /* an invalid byte: shown as one replacement character */
            w++;
            continue;
        }
        int8_t type = u_charType(c);
        if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR)
            continue;
        int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
        w += ea == U_EA_WIDE || ea == U_EA_FULLWIDTH ? 2 : 1;
    }
    return w;
}

bool krender_clean(kbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        size_t ok = kutf8_valid_prefix((const char *)p, n);
        for (size_t i = 0; i < ok; i++) {
            bool c1 = p[i] == 0xC2 && i + 1 < ok && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F;
            if (c1 || p[i] < 0x20 || p[i] == 0x7F) {
                if (!kbuf_appendc(b, ' '))
                    return false;
                i += c1;
            } else if (!kbuf_appendc(b, (char)p[i])) {
                return false;
            }
        }
        p += ok;
        n -= ok;
        if (n) { /* one invalid byte */
            if (!kbuf_appends(b, "\xEF\xBF\xBD"))
                return false;
            p++;
            n--;
        }
    }
    return true;
}

/* ---- grids ----------------------------------------------------------------------------- */

void kgrid_release(kgrid *g)
{
    karena_release(&g->arena);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

static bool grid_init(kgrid *g, const kgrid_col *cols, size_t ncols)
{
    memset(g, 0, sizeof *g);
    karena_init(&g->arena, 0);
    g->cols = karena_alloc(&g->arena, ncols * sizeof *g->cols);
    if (!g->cols)
        return false;
    memcpy(g->cols, cols, ncols * sizeof *cols);
    g->ncols = ncols;
    return true;
}

/* Appends a row: a heading when heading is non-NULL, else ncols empty cells. */
static kgrid_row *grid_row(kgrid *g, const char *heading)
{
    if (!KGROW(g->rows, g->cap_rows, g->nrows + 1))
        return NULL;
    kgrid_row *row = &g->rows[g->nrows];
    memset(row, 0, sizeof *row);
    if (heading) {
        if (!(row->heading = karena_strdup(&g->arena, heading)))
            return NULL;
        g->has_headings = true;
    } else {
        row->text = karena_alloc(&g->arena, g->ncols * sizeof *row->text);
        row->color = karena_alloc(&g->arena, g->ncols * sizeof *row->color);
        if (!row->text || !row->color)
            return NULL;
        for (size_t c = 0; c < g->ncols; c++)
            row->text[c] = "";
    }
    g->nrows++;
    return row;
}

/* Moves the text built in tmp into a cell (and empties tmp). */
static bool grid_take(kgrid *g, kgrid_row *row, size_t col, kbuf *tmp, const char *color)
{
    const char *t = karena_strndup(&g->arena, tmp->p ? tmp->p : "", tmp->n);
    kbuf_reset(tmp);
    row->text[col] = t;
    row->color[col] = color;
    return t != NULL;
}

/* What a series is called in tables: its name, else its id. */
static const char *series_name(const kpi_series *s)
{
    if (s->name)
        return s->name;
    return s->id ? s->id : "";
}

/* "Gross profit margin (percent)", "Revenue (EUR)": cleaned. */
static bool grid_title(kgrid *g, const kpi_result *r, const kpi_series *s, kbuf *tmp)
{
    bool ok = krender_clean(tmp, series_name(s));
    const char *unit =
        s->unit && strcmp(s->unit, "currency") == 0 && r->currency ? r->currency : s->unit;
    if (ok && unit && *unit)
        ok = kbuf_appends(tmp, " (") && krender_clean(tmp, unit) && kbuf_appendc(tmp, ')');
    g->title = ok ? karena_strndup(&g->arena, tmp->p, tmp->n) : NULL;
    kbuf_reset(tmp);
    return g->title != NULL;
}

/* The columns of a series grid; group columns are inserted after the period. */
enum {
    SC_PERIOD,
    SC_VALUE,
    SC_PREVIOUS,
    SC_CHANGE,
    SC_LAST_YEAR,
    SC_TARGET,
    SC_ATTAINMENT,
    SC_EXPECTED,
    SC_PROJECTED,
    SC_STATUS,
    SC_COUNT
};

static const kgrid_col series_cols[SC_COUNT] = {
    [SC_PERIOD] = {.title = "period"},
    [SC_VALUE] = {.title = "value", .right = true},
    [SC_PREVIOUS] = {.title = "previous", .right = true, .drop = 4},
    [SC_CHANGE] = {.title = "change", .right = true},
    [SC_LAST_YEAR] = {.title = "last year", .right = true, .drop = 5},
    [SC_TARGET] = {.title = "target", .right = true, .drop = 1},
    [SC_ATTAINMENT] = {.title = "attainment", .right = true, .drop = 2},
    [SC_EXPECTED] = {.title = "expected", .right = true, .drop = 3},
    [SC_PROJECTED] = {.title = "projected", .right = true},
    [SC_STATUS] = {.title = "status"},
};

/* The change of p, marked when the previous period is one the data covers only in part. */
static bool change_cell(kbuf *b, const kpi_series *s, const kpi_point *p, bool u)
{
    return krender_point_change(b, s, p, u) &&
           (!p->previous_partial || !krender_defined(krender_point_delta(s, p)) ||
            kbuf_appends(b, KRENDER_PARTIAL));
}

/* The note under a grid of these series when a cell is marked partial: "* compared with a
 * period the data covers only in part (data from 2024-12-01)"; naming each series when several
 * (last_only: the report, whose change is of the last point). */
static bool partial_note(kgrid *g, const kpi_series *const *list, size_t n, bool last_only)
{
    kbuf b;
    kbuf_init(&b, 0);
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        const kpi_series *s = list[i];
        bool marked = false;
        for (size_t j = last_only && s->npoints ? s->npoints - 1 : 0; j < s->npoints; j++) {
            const kpi_point *p = &s->points[j];
            /* the report shows the change only, marked when it is defined */
            marked |= last_only ? p->previous_partial && krender_defined(krender_point_delta(s, p))
                                : p->previous_partial || p->last_year_partial;
        }
        if (!marked || !s->data_from)
            continue;
        ok = kbuf_appends(&b, k++ ? "; "
                                  : KRENDER_PARTIAL " compared with a period the data covers"
                                                    " only in part (data from ") &&
             (n == 1 || (krender_clean(&b, series_name(s)) && kbuf_appends(&b, ": "))) &&
             kbuf_appends(&b, s->data_from);
    }
    if (ok && k)
        ok = kbuf_appendc(&b, ')') && (g->note = karena_strndup(&g->arena, b.p, b.n)) != NULL;
    kbuf_release(&b);
    return ok;
}

/* Fills the cells of one point; col maps a series column to its grid column (or -1). */
static bool series_row(kgrid *g, kgrid_row *row, const kpi_result *r, const kpi_series *s,
                       const kpi_point *p, const int *col, kbuf *tmp, bool u)
{
    size_t nby = r->nby;
    const double nums[SC_COUNT] = {
        [SC_VALUE] = p->value,
        [SC_PREVIOUS] = p->previous,
        [SC_LAST_YEAR] = p->last_year,
        [SC_TARGET] = p->target,
        [SC_EXPECTED] = p->complete ? NAN : p->expected_to_date,
        [SC_PROJECTED] = p->complete ? NAN : p->projected,
    };
    bool ok = krender_clean(tmp, p->period ? p->period : "") &&
              (!kresult_is_cut(r, p->period) || kbuf_appends(tmp, " (partial)")) &&
              grid_take(g, row, (size_t)col[SC_PERIOD], tmp, NULL);
    for (size_t i = 0; ok && i < nby; i++)
        ok = krender_clean(tmp,
                           p->group && p->group[i] && *p->group[i] ? p->group[i] : KRENDER_NONE) &&
             grid_take(g, row, (size_t)col[SC_PERIOD] + 1 + i, tmp, NULL);
    static const int numeric[] = {SC_VALUE,  SC_PREVIOUS, SC_LAST_YEAR,
                                  SC_TARGET, SC_EXPECTED, SC_PROJECTED};
    for (size_t i = 0; ok && i < sizeof numeric / sizeof numeric[0]; i++) {
        int c = numeric[i];
        bool partial = (c == SC_PREVIOUS && p->previous_partial) ||
                       (c == SC_LAST_YEAR && p->last_year_partial);
        if (col[c] >= 0)
            ok = krender_amount(tmp, r, s, nums[c], u) &&
                 (!partial || kbuf_appends(tmp, KRENDER_PARTIAL)) &&
                 grid_take(g, row, (size_t)col[c], tmp, NULL);
    }
    ok = ok && change_cell(tmp, s, p, u) &&
         grid_take(g, row, (size_t)col[SC_CHANGE], tmp, krender_point_color(s, p));
    /* an open period's attainment is of its projection, and says so */
    ok = ok && krender_attainment(tmp, p->attainment, u) &&
         (p->complete || !krender_defined(p->attainment) || kbuf_appends(tmp, " (proj.)")) &&
         grid_take(g, row, (size_t)col[SC_ATTAINMENT], tmp, NULL);
    ok = ok && krender_status(tmp, p->status, u) &&
         grid_take(g, row, (size_t)col[SC_STATUS], tmp, krender_status_color(p->status));
    return ok;
}

bool kgrid_series(kgrid *g, const kpi_result *r, const kpi_series *s, bool unicode)
{
    bool open = false;
    for (size_t i = 0; i < s->npoints; i++)
        open |= !s->points[i].complete;
    size_t n = 0, nby = r->nby;
    int col[SC_COUNT];
    kgrid_col *cols = malloc((SC_COUNT + nby) * sizeof *cols);
    if (!cols)
        return false;
    for (int c = 0; c < SC_COUNT; c++) {
        if (!open && (c == SC_EXPECTED || c == SC_PROJECTED)) {
            col[c] = -1;
            continue;
        }
        col[c] = (int)n;
        cols[n++] = series_cols[c];
        for (size_t i = 0; c == SC_PERIOD && i < nby; i++)
            cols[n++] = (kgrid_col){.title = r->by[i]};
    }
    kbuf tmp;
    kbuf_init(&tmp, 0);
    bool ok = grid_init(g, cols, n) && grid_title(g, r, s, &tmp);
    for (size_t i = 0; ok && i < s->npoints; i++) {
        kgrid_row *row = grid_row(g, NULL);
        ok = row && series_row(g, row, r, s, &s->points[i], col, &tmp, unicode);
    }
    ok = ok && partial_note(g, &s, 1, false);
    kbuf_release(&tmp);
    free(cols);
    return ok;
}

/* Whether two series belong to the same department (no department counts as one). */
static bool same_department(const kpi_series *a, const kpi_series *b)
{
    const char *x = a->department && *a->department ? a->department : NULL;
    const char *y = b->department && *b->department ? b->department : NULL;
    return x == y || (x && y && strcmp(x, y) == 0);
}

bool krender_report_order(const kpi_result *r, size_t *order)
{
    size_t k = 0;
    bool any = false;
    for (size_t i = 0; i < r->nseries; i++) {
        const kpi_series *s = &r->series[i];
        any |= s->department && *s->department;
        bool first = true; /* first series of its department: take the whole department */
        for (size_t j = 0; first && j < i; j++)
            first = !same_department(&r->series[j], s);
        for (size_t j = i; first && j < r->nseries; j++)
            if (same_department(&r->series[j], s))
                order[k++] = j;
    }
    return any;
}

enum { RC_KPI, RC_VALUE, RC_TARGET, RC_STATUS, RC_CHANGE, RC_TREND, RC_COUNT };

static const kgrid_col report_cols[RC_COUNT] = {
    [RC_KPI] = {.title = "kpi"},
    [RC_VALUE] = {.title = "value", .right = true},
    [RC_TARGET] = {.title = "target", .right = true, .drop = 1},
    [RC_STATUS] = {.title = "status"},
    [RC_CHANGE] = {.title = "change", .right = true, .drop = 2},
    [RC_TREND] = {.title = "trend", .drop = 3, .tail = true},
};

static bool report_row(kgrid *g, const kpi_result *r, const kpi_series *s, kbuf *tmp, bool u)
{
    kgrid_row *row = grid_row(g, NULL);
    kpi_point none = kpoint_empty();
    const kpi_point *p = krender_last(s) ? krender_last(s) : &none;
    bool ok = row && krender_clean(tmp, series_name(s)) && grid_take(g, row, RC_KPI, tmp, NULL);
    if (ok && s->error) /* the rest stays empty */
        return kbuf_appends(tmp, krender_broken(u)) &&
               grid_take(g, row, RC_STATUS, tmp, krender_status_color("off_track"));
    return ok && krender_amount(tmp, r, s, p->value, u) && grid_take(g, row, RC_VALUE, tmp, NULL) &&
           krender_amount(tmp, r, s, p->target, u) && grid_take(g, row, RC_TARGET, tmp, NULL) &&
           krender_status(tmp, p->status, u) &&
           grid_take(g, row, RC_STATUS, tmp, krender_status_color(p->status)) &&
           change_cell(tmp, s, p, u) &&
           grid_take(g, row, RC_CHANGE, tmp, krender_point_color(s, p)) &&
           krender_sparkline(tmp, s->points, s->npoints, u) &&
           grid_take(g, row, RC_TREND, tmp, NULL);
}

bool kgrid_report(kgrid *g, const kpi_result *r, bool unicode)
{
    size_t *order = malloc((r->nseries ? r->nseries : 1) * sizeof *order);
    const kpi_series **listed = malloc((r->nseries ? r->nseries : 1) * sizeof *listed);
    kbuf tmp;
    kbuf_init(&tmp, 0);
    bool ok = order && listed && grid_init(g, report_cols, RC_COUNT);
    bool headings = ok && krender_report_order(r, order);
    for (size_t i = 0; ok && i < r->nseries; i++) {
        const kpi_series *s = listed[i] = &r->series[order[i]];
        if (headings && (i == 0 || !same_department(&r->series[order[i - 1]], s))) {
            const char *d = s->department && *s->department ? s->department : "other";
            ok = krender_clean(&tmp, d) && grid_row(g, tmp.p);
            kbuf_reset(&tmp);
        }
        ok = ok && report_row(g, r, s, &tmp, unicode);
    }
    /* the report's change is of the period under review against the one before */
    ok = ok && partial_note(g, listed, r->nseries, true);
    kbuf_release(&tmp);
    free(listed);
    free(order);
    return ok;
}
