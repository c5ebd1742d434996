/*
 * json.c - the JSON output format: the result document of DESIGN §2 (shared by the CLI's
 * `--format json` and the HTTP API), and the report document of `kpi report`.
 *
 * Key order is the contract's, and jansson keeps insertion order. Numbers carry at most 15
 * significant digits in their shortest form ("41.2", not 41.200000000000003); whole numbers
 * are written without a fraction ("40", not 40.0), undefined ones as null. One document per
 * call, on one line, ending with a newline.
 */
#include "render.h"
#include "../util/kjson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this a whole number prints as an integer with at most 15 digits. */
#define INTEGER_LIMIT 1e15

/* A number, or null when undefined. */
static json_t *num(double v)
{
    if (!krender_defined(v))
        return json_null();
    v = krender_round15(v);
    if (v == floor(v) && fabs(v) < INTEGER_LIMIT)
        return json_integer((json_int_t)v);
    return json_real(v);
}

/* A string, or null for NULL. Invalid UTF-8 (which jansson refuses) becomes U+FFFD. */
static json_t *str(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (kutf8_valid_prefix(s, n) == n)
        return json_stringn_nocheck(s, n);
    kbuf b;
    kbuf_init(&b, 0);
    bool ok = true;
    while (ok && n) {
        size_t valid = kutf8_valid_prefix(s, n);
        ok = kbuf_append(&b, s, valid);
        s += valid;
        n -= valid;
        if (ok && n) {
            ok = kbuf_appends(&b, "\xEF\xBF\xBD");
            s++;
            n--;
        }
    }
    json_t *j = ok ? json_stringn_nocheck(b.p ? b.p : "", b.n) : NULL;
    kbuf_release(&b);
    return j;
}

/* Sets o[key] = v, taking v in every case; false when either is missing (out of memory). */
static bool set(json_t *o, const char *key, json_t *v)
{
    if (!o || !v) {
        json_decref(v);
        return false;
    }
    return json_object_set_new(o, key, v) == 0;
}

/* Appends v to a, taking v in every case. */
static bool push(json_t *a, json_t *v)
{
    if (!a || !v) {
        json_decref(v);
        return false;
    }
    return json_array_append_new(a, v) == 0;
}

/* A point of a series, keys in the order of DESIGN §2. */
/* "previous_partial": true / "last_year_partial": true when the data begins inside (or
 * after the start of) the period compared with. */
static bool partial_comparisons(json_t *o, const kpi_point *p)
{
    return (!p->previous_partial || set(o, "previous_partial", json_true())) &&
           (!p->last_year_partial || set(o, "last_year_partial", json_true()));
}

static json_t *point(const kpi_result *r, const kpi_point *p)
{
    json_t *o = json_object(), *group = json_object();
    bool ok = set(o, "period", str(p->period));
    /* rows without a value for a dimension form their own group: null, as DESIGN §2 says of
     * undefined values (an empty value is stored as null, so "" never names a real group) */
    for (size_t i = 0; ok && i < r->nby; i++)
        ok =
            set(group, r->by[i], str(p->group && p->group[i] && *p->group[i] ? p->group[i] : NULL));
    ok = ok && set(o, "group", json_incref(group));
    json_decref(group);
    ok = ok && set(o, "value", num(p->value)) && set(o, "previous", num(p->previous)) &&
         set(o, "change", num(p->change)) && set(o, "change_points", num(p->change_points)) &&
         set(o, "last_year", num(p->last_year)) && set(o, "target", num(p->target)) &&
         set(o, "attainment", num(p->attainment)) && set(o, "status", str(p->status));
    if (ok && kresult_is_cut(r, p->period)) /* --from/--to holds part of it */
        ok = set(o, "partial", json_true());
    ok = ok && partial_comparisons(o, p);
    if (ok && !p->complete)
        ok = set(o, "complete", json_false()) &&
             set(o, "expected_to_date", num(p->expected_to_date)) &&
             set(o, "projected", num(p->projected)) &&
             /* the open period's attainment and status are of the projection */
             set(o, "attainment_of", str("projected"));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "currency": "EUR" after a currency KPI's unit, when the workspace names one. */
static bool currency(json_t *o, const kpi_result *r, const kpi_series *s)
{
    if (!r->currency || !s->unit || strcmp(s->unit, "currency") != 0)
        return true;
    return set(o, "currency", str(r->currency));
}

/* "data_from" when a point (last_only: the last) is compared with a period the data covers
 * only in part: added only then, like "partial", so the contract's documents stay as they are. */
static bool data_from(json_t *o, const kpi_series *s, bool last_only)
{
    bool any = false;
    for (size_t i = last_only && s->npoints ? s->npoints - 1 : 0; i < s->npoints; i++)
        any |= s->points[i].previous_partial || s->points[i].last_year_partial;
    return !any || !s->data_from || set(o, "data_from", str(s->data_from));
}

static json_t *series(const kpi_result *r, const kpi_series *s)
{
    json_t *o = json_object(), *points = json_array();
    bool ok = set(o, "id", str(s->id)) && set(o, "name", str(s->name)) &&
              set(o, "unit", str(s->unit)) && currency(o, r, s) &&
              set(o, "direction", str(s->direction)) && data_from(o, s, false);
    for (size_t i = 0; ok && i < s->npoints; i++)
        ok = push(points, point(r, &s->points[i]));
    ok = ok && set(o, "series", json_incref(points));
    json_decref(points);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Writes a document on one line and a newline; releases it. */
static bool emit(kbuf *b, json_t *doc)
{
    bool ok = doc && kjson_append(b, doc, JSON_REAL_PRECISION(15)) && kbuf_appendc(b, '\n');
    json_decref(doc);
    return ok;
}

static bool json_result(kbuf *b, const kpi_result *r, const kpi_render_options *opts)
{
    (void)opts;
    json_t *doc = json_object(), *by = json_array(), *kpis = json_array();
    bool ok = set(doc, "from", str(r->from)) && set(doc, "to", str(r->to)) &&
              set(doc, "grain", str(r->grain));
    for (size_t i = 0; ok && i < r->nby; i++)
        ok = push(by, str(r->by[i]));
    ok = ok && set(doc, "by", json_incref(by));
    for (size_t i = 0; ok && i < r->nseries; i++)
        ok = push(kpis, series(r, &r->series[i]));
    ok = ok && set(doc, "kpis", json_incref(kpis));
    json_decref(by);
    json_decref(kpis);
    if (!ok) {
        json_decref(doc);
        return false;
    }
    return emit(b, doc);
}

/* One KPI of the report: its last point, and every value for the sparkline; a broken one
 * has its "error" too. */
static json_t *report_kpi(const kpi_result *r, const kpi_series *s)
{
    kpi_point none = kpoint_empty();
    const kpi_point *p = krender_last(s) ? krender_last(s) : &none;
    json_t *o = json_object(), *spark = json_array();
    bool ok = set(o, "id", str(s->id)) && set(o, "name", str(s->name)) &&
              set(o, "department", str(s->department)) && set(o, "unit", str(s->unit)) &&
              currency(o, r, s) && (!s->error || set(o, "error", str(s->error))) &&
              set(o, "value", num(p->value)) && set(o, "target", num(p->target)) &&
              set(o, "attainment", num(p->attainment)) && set(o, "status", str(p->status)) &&
              set(o, "change", num(p->change)) && set(o, "change_points", num(p->change_points)) &&
              set(o, "previous", num(p->previous)) && set(o, "last_year", num(p->last_year)) &&
              partial_comparisons(o, p) && data_from(o, s, true);
    for (size_t i = 0; ok && i < s->npoints; i++)
        ok = push(spark, num(s->points[i].value));
    ok = ok && set(o, "sparkline", json_incref(spark));
    json_decref(spark);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool json_report(kbuf *b, const kpi_result *r, const kpi_render_options *opts)
{
    (void)opts;
    const char *period = r->review; /* else the last period of the first series that has one */
    for (size_t i = 0; !period && i < r->nseries; i++)
        if (krender_last(&r->series[i]))
            period = krender_last(&r->series[i])->period;
    size_t *order = malloc((r->nseries ? r->nseries : 1) * sizeof *order);
    json_t *doc = json_object(), *kpis = json_array();
    bool open = false; /* the period under review is still running */
    for (size_t i = 0; i < r->nseries; i++)
        open |= krender_last(&r->series[i]) && !krender_last(&r->series[i])->complete;
    bool ok = order && set(doc, "period", str(period)) &&
              set(doc, "workspace", str(r->workspace)) && set(doc, "complete", json_boolean(!open));
    if (ok)
        krender_report_order(r, order);
    for (size_t i = 0; ok && i < r->nseries; i++)
        ok = push(kpis, report_kpi(r, &r->series[order[i]]));
    ok = ok && set(doc, "kpis", json_incref(kpis));
    json_decref(kpis);
    free(order);
    if (!ok) {
        json_decref(doc);
        return false;
    }
    return emit(b, doc);
}

const krender_format krender_json = {
    .name = "json",
    .output = KPI_OUTPUT_JSON,
    .result = json_result,
    .report = json_report,
};

/* ---- `kpi streams` --------------------------------------------------------------------- */

bool krender_streams_json(kbuf *b, const kpi_stream_info *s, const char *const *first,
                          const char *const *last, size_t n)
{
    json_t *doc = json_object(), *arr = json_array();
    bool ok = doc && arr;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_object();
        ok = set(o, "name", str(s[i].name)) && set(o, "kind", str(s[i].kind)) &&
             set(o, "fields", json_integer((json_int_t)s[i].field_count)) &&
             set(o, "time", str(s[i].time_field)) && set(o, "id", str(s[i].id_field)) &&
             set(o, "rows", json_integer((json_int_t)s[i].rows)) &&
             set(o, "first", str(s[i].rows ? first[i] : NULL)) &&
             set(o, "last", str(s[i].rows ? last[i] : NULL)) && push(arr, o);
    }
    ok = ok && set(doc, "streams", json_incref(arr));
    json_decref(arr);
    if (!ok) {
        json_decref(doc);
        return false;
    }
    return emit(b, doc);
}
