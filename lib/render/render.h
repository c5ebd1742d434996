/*
 * render.h - the output formats of query results and of the `kpi report` review table (private
 * to libkpi). Each format is a table of function pointers in its own file (table.c, csv.c,
 * json.c, markdown.c); render.c picks one and holds what they share: number formatting per
 * unit, status glyphs, change arrows, display widths and the grid of cells that the table and
 * markdown formats both lay out.
 *
 * Every writer appends to a kbuf and returns false when out of memory (or past the buffer's
 * limit); the public kpi_result_render / kpi_report_render then return NULL.
 */
#ifndef KPI_RENDER_H
#define KPI_RENDER_H

#include "../engine/result.h"

/* One output format. `name` is what kpi_output_parse accepts. */
typedef struct krender_format {
    const char *name;
    kpi_output output;
    /* `kpi query`: every series of the result, every point. */
    bool (*result)(kbuf *out, const kpi_result *r, const kpi_render_options *opts);
    /* `kpi report`: one row per series, its last point, a sparkline of all its points. */
    bool (*report)(kbuf *out, const kpi_result *r, const kpi_render_options *opts);
} krender_format;

extern const krender_format krender_table;
extern const krender_format krender_csv;
extern const krender_format krender_json;
extern const krender_format krender_markdown;

/* The JSON of `kpi streams` and GET /api/v1/streams: {"streams": [...]} with each stream's
 * name, kind, fields, time, id, rows and first/last times (first[i], last[i]: formatted,
 * null without rows), on one line with a newline. */
bool krender_streams_json(kbuf *b, const kpi_stream_info *s, const char *const *first,
                          const char *const *last, size_t n);

/* ---- numbers --------------------------------------------------------------------------- */

/* Whether a value is defined (the engine uses NaN for undefined; inf is treated alike). */
static inline bool krender_defined(double v)
{
    return __builtin_isfinite(v);
}

/* v rounded to 15 significant digits, so that 41.2 stays 41.2 whatever drift it carries. */
double krender_round15(double v);

/*
 * A defined value in its shortest form with at most 15 significant digits and no separators
 * ("41.2", "40", "-0.0352", "1e-07"), for CSV and JSON. buf holds at least 32 bytes.
 */
void krender_raw(double v, char *buf, size_t cap);

/* The dash that stands for an undefined value: "—", or "-" without unicode. */
const char *krender_dash(bool unicode);

/*
 * Appends a value formatted for people, by unit: thousands separators, `decimals` decimals
 * (negative: the unit's default), "41.2%" for percent, "2h 05m" for a duration in seconds;
 * the dash when undefined.
 */
bool krender_value(kbuf *b, double v, const char *unit, int decimals, bool unicode);

/* Appends a relative change (a fraction) as an arrow and a percentage: "▲ +3.5%", "v -1.2%". */
bool krender_change(kbuf *b, double change, bool unicode);

/*
 * The change of a point as people read it for its KPI's unit: percent KPIs in points
 * ("▲ +1.4 pp"), ratios as the difference in the ratio's decimals ("▼ -0.12"), every other
 * unit relative ("▲ +3.5%"). A relative change of a percentage ("+259%" when 0.5% becomes
 * 1.8%) misleads; the points do not.
 */
bool krender_point_change(kbuf *b, const kpi_series *s, const kpi_point *p, bool unicode);

/* The number krender_point_change shows (change_points or change), for its colour. */
double krender_point_delta(const kpi_series *s, const kpi_point *p);

/* Whether a unit's change is shown in points (percent, ratio). */
bool krender_in_points(const char *unit);

/* What a group without a value (rows where the dimension is empty) is shown as. */
#define KRENDER_NONE "(none)"

/*
 * Appends a value of series s as krender_value does, with the workspace's currency on a
 * currency KPI: "€5,610,000.00", "$12.50", "SEK 1,200.00" ("EUR 5,610,000.00" without
 * unicode).
 */
bool krender_amount(kbuf *b, const kpi_result *r, const kpi_series *s, double v, bool unicode);

/* Appends an attainment (a fraction) as a percentage: "103.0%". */
bool krender_attainment(kbuf *b, double attainment, bool unicode);

/* ---- status ---------------------------------------------------------------------------- */

/* The glyph of a status ("●" / "+" for on_track ...); "?" for one it does not know. */
const char *krender_status_glyph(const char *status, bool unicode);

/* The status for people: glyph, space, words ("● on track"). */
bool krender_status(kbuf *b, const char *status, bool unicode);

/* The ANSI colour sequence of a status (green, yellow, red), or NULL. */
const char *krender_status_color(const char *status);

/* The ANSI colour of a change: green when it goes the KPI's better way, red when not. */
const char *krender_change_color(double change, const char *direction);

/* The colour of krender_point_change's text. */
const char *krender_point_color(const kpi_series *s, const kpi_point *p);

#define KRENDER_BOLD "\033[1m"
#define KRENDER_RESET "\033[0m"

/* ---- what a block is about ------------------------------------------------------------ */

/*
 * Appends the line that names what a table shows: the workspace, the period (or the first and
 * last), and whether it is complete: "Acme · 2026-10 · complete", "Acme · 2025-12 to 2026-11
 * · 2026-11 open (to date)", "Acme · FY2028 · partial (2027-04-01 to 2027-06-30 only)".
 * Without a newline.
 */
bool krender_heading(kbuf *b, const kpi_result *r, bool report, bool unicode);

/*
 * Appends one line per broken series: "✗ churn is broken: kpi.yaml:12:14: unknown field
 * 'revnue' ..." (the first line of its error), then how to see them all; nothing when none.
 */
bool krender_broken_notes(kbuf *b, const kpi_result *r, bool unicode);

/* The status cell of a broken series: "✗ broken" ("! broken"). */
const char *krender_broken(bool unicode);

/* ---- text ------------------------------------------------------------------------------ */

/* Terminal columns of UTF-8 text: wide (CJK) characters count 2, combining marks 0. */
size_t krender_width(const char *s);

/*
 * Appends text that came from data (names, group values) so that it cannot break a line-based
 * layout or a terminal: control characters become spaces and invalid UTF-8 becomes U+FFFD.
 */
bool krender_clean(kbuf *b, const char *s);

/* ---- sparklines (sparkline.c) ---------------------------------------------------------- */

/*
 * Appends a sparkline of the points' values, one character each: "▁▂▃▄▅▆▇█" scaled between
 * the smallest and the largest defined value ("_.-^" without unicode), a space for an undefined
 * value, the middle level for every point of a flat series.
 */
bool krender_sparkline(kbuf *b, const kpi_point *points, size_t n, bool unicode);

/* ---- grids: cells that the table and markdown formats lay out -------------------------- */

typedef struct kgrid_col {
    const char *title;
    bool right; /* numbers: aligned right */
    int drop;   /* 0: always shown; when too wide, the highest drops first */
    bool tail;  /* when still too wide, keep only the end of the text (sparklines) */
} kgrid_col;

typedef struct kgrid_row {
    const char *heading; /* non-NULL: a heading row (a department), no cells */
    const char **text;   /* ncols cells */
    const char **color;  /* ncols ANSI colours or NULLs */
} kgrid_row;

typedef struct kgrid {
    karena arena;      /* everything below */
    const char *title; /* a block's title ("Gross profit margin (percent)"), or NULL */
    kgrid_col *cols;
    size_t ncols;
    kgrid_row *rows;
    size_t nrows, cap_rows;
    bool has_headings;
    const char *note; /* a line under the grid (what a KRENDER_PARTIAL mark means), or NULL */
} kgrid;

/* After a previous or last-year value (and its change) that the data covers only in part. */
#define KRENDER_PARTIAL "*"

/* Releases a grid. Accepts one that was never built (zeroed). */
void kgrid_release(kgrid *g);

/* A grid of one series for `kpi query`: one row per point. False when out of memory. */
bool kgrid_series(kgrid *g, const kpi_result *r, const kpi_series *s, bool unicode);

/* The grid of `kpi report`: one row per series, under department headings when any. */
bool kgrid_report(kgrid *g, const kpi_result *r, bool unicode);

/*
 * The order in which the report lists series: grouped by department (first-seen order), series
 * order kept within each. Fills order[nseries]; returns whether any series has a department.
 */
bool krender_report_order(const kpi_result *r, size_t *order);

/* The last point of a series, or NULL when it has none. */
static inline const kpi_point *krender_last(const kpi_series *s)
{
    return s->npoints ? &s->points[s->npoints - 1] : NULL;
}

#endif
