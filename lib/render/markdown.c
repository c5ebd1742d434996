/*
 * markdown.c - the markdown output format, for review documents, wikis and pull requests: a
 * "###" heading and a pipe table per KPI (per department in a report), numbers formatted as in
 * the terminal table and right-aligned ("---:"). Cells are padded so that the source reads as
 * a table too; "|" in a cell is escaped and line breaks never reach one.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

/* Columns of a cell once its "|" are escaped. */
static size_t cell_width(const char *s)
{
    size_t pipes = 0;
    for (const char *p = s; *p; p++)
        pipes += *p == '|';
    return krender_width(s) + pipes;
}

static bool pad(kbuf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!kbuf_appendc(b, ' '))
            return false;
    return true;
}

static bool cell(kbuf *b, const char *s, size_t width, bool right)
{
    size_t w = cell_width(s), fill = width > w ? width - w : 0;
    bool ok = kbuf_appends(b, "| ") && (!right || pad(b, fill));
    for (const char *p = s; ok && *p; p++)
        ok = (*p != '|' || kbuf_appendc(b, '\\')) && kbuf_appendc(b, *p);
    return ok && (right || pad(b, fill)) && kbuf_appendc(b, ' ');
}

/* The column titles and the alignment row. */
static bool head(kbuf *b, const kgrid *g, const size_t *w)
{
    bool ok = true;
    for (size_t c = 0; ok && c < g->ncols; c++)
        ok = cell(b, g->cols[c].title, w[c], g->cols[c].right);
    ok = ok && kbuf_appends(b, "|\n");
    for (size_t c = 0; ok && c < g->ncols; c++) {
        ok = kbuf_appends(b, "| ");
        for (size_t i = 0; ok && i < w[c]; i++)
            ok = kbuf_appendc(b, g->cols[c].right && i + 1 == w[c] ? ':' : '-');
        ok = ok && kbuf_appendc(b, ' ');
    }
    return ok && kbuf_appends(b, "|\n");
}

static bool markdown_grid(kbuf *b, const kgrid *g)
{
    size_t *w = calloc(g->ncols ? g->ncols : 1, sizeof *w);
    if (!w)
        return false;
    for (size_t c = 0; c < g->ncols; c++) {
        w[c] = cell_width(g->cols[c].title);
        w[c] = w[c] < 3 ? 3 : w[c];
        for (size_t r = 0; r < g->nrows; r++) {
            size_t cw = g->rows[r].heading ? 0 : cell_width(g->rows[r].text[c]);
            w[c] = cw > w[c] ? cw : w[c];
        }
    }
    bool ok = !g->title || kbuf_printf(b, "### %s\n\n", g->title);
    ok = ok && (g->nrows && g->rows[0].heading ? true : head(b, g, w));
    for (size_t r = 0; ok && r < g->nrows; r++) {
        const kgrid_row *row = &g->rows[r];
        if (row->heading) {
            ok = (r == 0 || kbuf_appendc(b, '\n')) && kbuf_printf(b, "### %s\n\n", row->heading) &&
                 head(b, g, w);
            continue;
        }
        for (size_t c = 0; ok && c < g->ncols; c++)
            ok = cell(b, row->text[c], w[c], g->cols[c].right);
        ok = ok && kbuf_appends(b, "|\n");
    }
    if (ok && g->note)
        ok = kbuf_appendc(b, '\n') && (g->note[0] != '*' || kbuf_appendc(b, '\\')) &&
             krender_clean(b, g->note) && kbuf_appendc(b, '\n'); /* \* is no bullet */
    free(w);
    return ok;
}

/* "**Acme · 2026-10 · complete**" and a blank line. */
static bool heading(kbuf *b, const kpi_result *r, bool report, bool unicode)
{
    return kbuf_appends(b, "**") && krender_heading(b, r, report, unicode) &&
           kbuf_appends(b, "**\n\n");
}

static bool markdown_result(kbuf *b, const kpi_result *r, const kpi_render_options *o)
{
    bool ok = heading(b, r, false, o->unicode);
    for (size_t i = 0; ok && i < r->nseries; i++) {
        kgrid g = {0};
        ok = (i == 0 || kbuf_appendc(b, '\n')) && kgrid_series(&g, r, &r->series[i], o->unicode) &&
             markdown_grid(b, &g);
        kgrid_release(&g);
    }
    return ok;
}

static bool markdown_report(kbuf *b, const kpi_result *r, const kpi_render_options *o)
{
    kgrid g = {0};
    bool ok =
        heading(b, r, true, o->unicode) && kgrid_report(&g, r, o->unicode) && markdown_grid(b, &g);
    bool broken = false;
    for (size_t i = 0; i < r->nseries; i++)
        broken |= r->series[i].error != NULL;
    ok = ok && (!broken || (kbuf_appendc(b, '\n') && krender_broken_notes(b, r, o->unicode)));
    kgrid_release(&g);
    return ok;
}

const krender_format krender_markdown = {
    .name = "markdown",
    .output = KPI_OUTPUT_MARKDOWN,
    .result = markdown_result,
    .report = markdown_report,
};
