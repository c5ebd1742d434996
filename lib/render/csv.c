/*
 * csv.c - the CSV output format, for spreadsheets and scripts: one header line, then one line
 * per point (query) or per KPI (report). Numbers are raw - at most 15 significant digits, no
 * thousands separators, no units - and empty when undefined; fields are quoted as RFC 4180
 * says (when they hold a comma, a quote or a line break, quotes doubled). Lines end with "\n"
 * rather than RFC 4180's CRLF, as the rest of a Unix pipeline expects; every CSV reader
 * (including kpi's own) accepts both. A group without a value is "(none)", as in the table.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

/* Appends one field, with the separator before it unless it starts the line. */
static bool field(kbuf *b, const char *s, bool first)
{
    if (!first && !kbuf_appendc(b, ','))
        return false;
    if (!s)
        return true;
    if (!s[strcspn(s, ",\"\r\n")])
        return kbuf_appends(b, s);
    if (!kbuf_appendc(b, '"'))
        return false;
    for (const char *p = s; *p; p++)
        if ((*p == '"' && !kbuf_appendc(b, '"')) || !kbuf_appendc(b, *p))
            return false;
    return kbuf_appendc(b, '"');
}

/* Appends a number field: raw, empty when undefined. */
static bool number(kbuf *b, double v)
{
    char buf[40] = "";
    if (krender_defined(v))
        krender_raw(v, buf, sizeof buf);
    return field(b, buf, false);
}

static bool csv_result(kbuf *b, const kpi_result *r, const kpi_render_options *opts)
{
    (void)opts;
    bool ok = field(b, "kpi", true) && field(b, "period", false);
    for (size_t i = 0; ok && i < r->nby; i++)
        ok = field(b, r->by[i], false);
    ok = ok && kbuf_appends(b, ",value,previous,change,change_points,last_year,target,"
                               "attainment,status,complete,expected_to_date,projected\n");
    for (size_t i = 0; ok && i < r->nseries; i++) {
        const kpi_series *s = &r->series[i];
        for (size_t j = 0; ok && j < s->npoints; j++) {
            const kpi_point *p = &s->points[j];
            ok = field(b, s->id, true) && field(b, p->period, false);
            for (size_t k = 0; ok && k < r->nby; k++)
                ok = field(b, p->group && p->group[k] && *p->group[k] ? p->group[k] : KRENDER_NONE,
                           false);
            ok = ok && number(b, p->value) && number(b, p->previous) && number(b, p->change) &&
                 number(b, p->change_points) && number(b, p->last_year) && number(b, p->target) &&
                 number(b, p->attainment) && field(b, p->status, false) &&
                 field(b, p->complete ? "true" : "false", false) &&
                 number(b, p->expected_to_date) && number(b, p->projected) && kbuf_appendc(b, '\n');
        }
    }
    return ok;
}

static bool csv_report(kbuf *b, const kpi_result *r, const kpi_render_options *opts)
{
    (void)opts;
    size_t *order = malloc((r->nseries ? r->nseries : 1) * sizeof *order);
    if (!order)
        return false;
    krender_report_order(r, order);
    bool ok = kbuf_appends(b, "kpi,name,department,unit,period,value,target,attainment,status,"
                              "change,previous\n");
    for (size_t i = 0; ok && i < r->nseries; i++) {
        const kpi_series *s = &r->series[order[i]];
        kpi_point none = kpoint_empty();
        const kpi_point *p = krender_last(s) ? krender_last(s) : &none;
        ok = field(b, s->id, true) && field(b, s->name, false) && field(b, s->department, false) &&
             field(b, s->unit, false) && field(b, p->period, false) && number(b, p->value) &&
             number(b, p->target) && number(b, p->attainment) &&
             field(b, s->error ? "broken" : p->status, false) && number(b, p->change) &&
             number(b, p->previous) && kbuf_appendc(b, '\n');
    }
    free(order);
    return ok;
}

const krender_format krender_csv = {
    .name = "csv",
    .output = KPI_OUTPUT_CSV,
    .result = csv_result,
    .report = csv_report,
};
