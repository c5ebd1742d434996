/*
 * table.c - the table output format, the default on a terminal: one block per KPI with a title
 * line, column headings, a rule and one aligned row per point; numbers right-aligned and
 * formatted per unit, status glyphs and change arrows, ANSI colours when asked for, and ASCII
 * stand-ins for every glyph without unicode.
 *
 * Column widths come from the content. When a block is wider than the terminal, a sparkline
 * first keeps only its most recent points (at least MIN_TAIL), then the least needed columns
 * go (last year, previous, expected, attainment, target; in the report trend, change, target),
 * and a last line names them and how to see them. Lines carry no trailing spaces. Each output
 * starts with a line naming the workspace, the period and whether it is complete.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#define GAP 2      /* spaces between columns */
#define MIN_TAIL 8 /* a trimmed sparkline keeps at least this many points */

typedef struct layout {
    size_t *w;     /* column widths */
    bool *shown;   /* false: dropped for lack of room */
    size_t indent; /* before the first cell of data rows under a heading */
} layout;

static size_t total_width(const kgrid *g, const layout *l)
{
    size_t total = 0, n = 0;
    for (size_t c = 0; c < g->ncols; c++)
        if (l->shown[c]) {
            total += l->w[c];
            n++;
        }
    return total + (n ? (n - 1) * GAP : 0);
}

/* Widths from the content; then, to fit `width`, sparklines cut to their latest points and
 * the least needed columns dropped. */
static void fit(const kgrid *g, layout *l, size_t width)
{
    for (size_t c = 0; c < g->ncols; c++) {
        l->w[c] = krender_width(g->cols[c].title);
        l->shown[c] = true;
    }
    for (size_t r = 0; r < g->nrows; r++) {
        const kgrid_row *row = &g->rows[r];
        for (size_t c = 0; !row->heading && c < g->ncols; c++) {
            size_t w = krender_width(row->text[c]) + (c == 0 ? l->indent : 0);
            l->w[c] = w > l->w[c] ? w : l->w[c];
        }
    }
    size_t total = total_width(g, l);
    for (size_t c = 0; c < g->ncols && total > width; c++) {
        if (!g->cols[c].tail || l->w[c] <= MIN_TAIL)
            continue;
        size_t over = total - width, keep = l->w[c] > over + MIN_TAIL ? l->w[c] - over : MIN_TAIL;
        total -= l->w[c] - keep;
        l->w[c] = keep;
    }
    for (; total > width; total = total_width(g, l)) {
        size_t drop = g->ncols;
        for (size_t c = 0; c < g->ncols; c++)
            if (l->shown[c] && g->cols[c].drop > 0 &&
                (drop == g->ncols || g->cols[c].drop > g->cols[drop].drop))
                drop = c;
        if (drop == g->ncols)
            break;
        l->shown[drop] = false;
    }
}

/* Skips leading characters of s until it fits in `width` columns. */
static const char *tail(const char *s, size_t width)
{
    while (*s && krender_width(s) > width) {
        s++;
        while ((*s & 0xC0) == 0x80)
            s++;
    }
    return s;
}

static bool spaces(kbuf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!kbuf_appendc(b, ' '))
            return false;
    return true;
}

/* Appends a cell padded to `width`, with `pre` spaces before its text. */
static bool cell(kbuf *b, const char *text, const kgrid_col *col, size_t width, size_t pre,
                 const char *color)
{
    if (col->tail)
        text = tail(text, width > pre ? width - pre : 0);
    size_t w = krender_width(text) + pre, fill = width > w ? width - w : 0;
    return spaces(b, pre + (col->right ? fill : 0)) && (!color || kbuf_appends(b, color)) &&
           kbuf_appends(b, text) && (!color || kbuf_appends(b, KRENDER_RESET)) &&
           spaces(b, col->right ? 0 : fill);
}

/* Ends a line: trailing spaces removed, newline added. */
static bool end_line(kbuf *b, size_t start)
{
    while (b->n > start && b->p[b->n - 1] == ' ')
        b->n--;
    if (b->p)
        b->p[b->n] = '\0';
    return kbuf_appendc(b, '\n');
}

/* One line of cells: the column titles (row NULL) or a data row. */
static bool line(kbuf *b, const kgrid *g, const layout *l, const kgrid_row *row, bool color)
{
    size_t start = b->n;
    bool ok = true, first = true;
    for (size_t c = 0; ok && c < g->ncols; c++) {
        if (!l->shown[c])
            continue;
        if (!first)
            ok = kbuf_appends(b, "  ");
        first = false;
        const char *text = row ? row->text[c] : g->cols[c].title;
        const char *hue = !color ? NULL : row ? row->color[c] : KRENDER_BOLD;
        ok = ok && cell(b, text, &g->cols[c], l->w[c], row && c == 0 ? l->indent : 0, hue);
    }
    return ok && end_line(b, start);
}

static bool rule(kbuf *b, const kgrid *g, const layout *l, bool unicode)
{
    size_t start = b->n;
    bool ok = true, first = true;
    for (size_t c = 0; ok && c < g->ncols; c++) {
        if (!l->shown[c])
            continue;
        if (!first)
            ok = kbuf_appends(b, "  ");
        first = false;
        for (size_t i = 0; ok && i < l->w[c]; i++)
            ok = kbuf_appends(b, unicode ? "─" : "-");
    }
    return ok && end_line(b, start);
}

/* Appends text, bold when colours are on, and a newline. */
static bool bold_line(kbuf *b, const char *text, bool color)
{
    return (!color || kbuf_appends(b, KRENDER_BOLD)) && kbuf_appends(b, text) &&
           (!color || kbuf_appends(b, KRENDER_RESET)) && kbuf_appendc(b, '\n');
}

/* Names the columns dropped for lack of room, and how to see them. */
static bool left_out(kbuf *b, const kgrid *g, const layout *l)
{
    size_t n = 0;
    bool ok = true;
    for (size_t c = 0; ok && c < g->ncols; c++)
        if (!l->shown[c])
            ok = kbuf_appends(b, n++ ? ", " : "(no room for ") && kbuf_appends(b, g->cols[c].title);
    return ok && (!n || kbuf_appends(b, ": --format csv has them)\n"));
}

/* The line naming the workspace, the period and whether it is complete, then a blank line. */
static bool heading(kbuf *b, const kpi_result *r, bool report, const kpi_render_options *o)
{
    return (!o->color || kbuf_appends(b, KRENDER_BOLD)) &&
           krender_heading(b, r, report, o->unicode) &&
           (!o->color || kbuf_appends(b, KRENDER_RESET)) && kbuf_appends(b, "\n\n");
}

static bool table_grid(kbuf *b, const kgrid *g, const kpi_render_options *o)
{
    layout l = {.w = calloc(g->ncols ? g->ncols : 1, sizeof *l.w),
                .shown = calloc(g->ncols ? g->ncols : 1, sizeof *l.shown),
                .indent = g->has_headings ? 2 : 0};
    bool ok = l.w && l.shown;
    if (ok)
        fit(g, &l, (size_t)o->width);
    if (ok && g->title)
        ok = bold_line(b, g->title, o->color);
    ok = ok && line(b, g, &l, NULL, o->color) && rule(b, g, &l, o->unicode);
    for (size_t r = 0; ok && r < g->nrows; r++) {
        const kgrid_row *row = &g->rows[r];
        ok = row->heading ? bold_line(b, row->heading, o->color) : line(b, g, &l, row, o->color);
    }
    if (ok && !g->nrows)
        ok = kbuf_appends(b, "(no data)\n");
    ok = ok && left_out(b, g, &l);
    if (ok && g->note)
        ok = krender_clean(b, g->note) && kbuf_appendc(b, '\n');
    free(l.w);
    free(l.shown);
    return ok;
}

static bool table_result(kbuf *b, const kpi_result *r, const kpi_render_options *o)
{
    bool ok = heading(b, r, false, o);
    for (size_t i = 0; ok && i < r->nseries; i++) {
        kgrid g = {0};
        ok = (i == 0 || kbuf_appendc(b, '\n')) && kgrid_series(&g, r, &r->series[i], o->unicode) &&
             table_grid(b, &g, o);
        kgrid_release(&g);
    }
    return ok;
}

static bool table_report(kbuf *b, const kpi_result *r, const kpi_render_options *o)
{
    kgrid g = {0};
    bool ok = heading(b, r, true, o) && kgrid_report(&g, r, o->unicode) && table_grid(b, &g, o);
    ok = ok && krender_broken_notes(b, r, o->unicode);
    kgrid_release(&g);
    return ok;
}

const krender_format krender_table = {
    .name = "table",
    .output = KPI_OUTPUT_TABLE,
    .result = table_result,
    .report = table_report,
};
