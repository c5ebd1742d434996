/*
 * routes.c - the HTTP API of DESIGN §2, one function per endpoint, each a few library calls:
 * GET /healthz, /metrics and, under /api/v1, kpis, query, report, top and streams. The JSON of
 * query and report is rendered by the same library function as the CLI's --format json, so
 * that both say exactly the same thing. Errors are {"error": "..."} with a 4xx or 5xx status.
 *
 * Roles (DESIGN §2) are enforced here, per endpoint: a viewer limited to departments sees only
 * their KPIs, and of those only the ones whose formulas read no other department's KPI; a self
 * token sees only the rows of its dimension value (the library joins that condition to any
 * `where` as a parsed tree, never as text); an ingest token reads nothing.
 */
#include "server.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kresponse_error(kresponse *out, unsigned status, const char *msg)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    out->status = status;
    out->type = "application/json";
    out->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    json_decref(o);
}

static void respond(kresponse *out, unsigned status, const char *type, char *body)
{
    if (!body) {
        kresponse_error(out, 500, "out of memory");
        return;
    }
    out->status = status;
    out->type = type;
    out->body = body;
    out->len = strlen(body);
}

/* The status for a library error: unknown names are 404, bad requests 400. */
static unsigned status_of(kpi_status st)
{
    switch (st) {
    case KPI_NOTFOUND:
        return 404;
    case KPI_USAGE:
    case KPI_DEFINITION:
    case KPI_INPUT:
        return 400;
    default:
        return 500;
    }
}

static void library_error(kresponse *out, kpi_workspace *ws, kpi_status st)
{
    char msg[2400];
    kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
    kresponse_error(out, status_of(st), msg);
}

/* Splits a comma-separated argument into list (at most cap items, in buf). */
static size_t split(const char *s, char *buf, size_t bufcap, const char **list, size_t cap)
{
    if (!s || !*s)
        return 0;
    snprintf(buf, bufcap, "%s", s);
    size_t n = 0;
    for (char *p = buf; p && n < cap;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        if (*p)
            list[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

/* ---- roles ---------------------------------------------------------------------------------- */

static bool has_role(const kauth *a, kpi_role r) { return !a->open && a->token.role == r; }

/* Is name one of the comma-separated items of list? */
static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name ? name : "");
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* The dimension of a self token ("rep" of "rep=Ana"), into buf. */
static const char *self_dimension(const kauth *a, char *buf, size_t cap)
{
    const char *eq = strchr(a->token.self, '=');
    snprintf(buf, cap, "%.*s", eq ? (int)(eq - a->token.self) : 0, a->token.self);
    return buf;
}

/* May this caller read KPI k by its own definition (department, self dimension)? */
static bool may_read_own(const kauth *a, const kpi_kpi_info *k)
{
    if (a->open)
        return true;
    switch (a->token.role) {
    case KPI_ROLE_ADMIN:
    case KPI_ROLE_EDITOR:
        return true;
    case KPI_ROLE_VIEWER:
        return !*a->token.departments ||
               (k->department && in_list(a->token.departments, k->department));
    case KPI_ROLE_SELF: {
        char dim[256];
        self_dimension(a, dim, sizeof dim);
        for (size_t d = 0; d < k->ndimensions; d++)
            if (!strcmp(k->dimensions[d], dim))
                return true;
        return false;
    }
    default:
        return false;
    }
}

/* May this caller read KPI number i? Only if it may read every KPI the formula reads too:
 * a sales KPI whose formula is finance's margin shows finance's margin (docs/design.md §0). A
 * self token's rows are filtered in every scan, so what it reads through formulas is its own. */
static bool may_read(kpi_workspace *ws, const kauth *a, size_t i)
{
    kpi_kpi_info k;
    kpi_kpi_info_get(ws, i, &k);
    if (!may_read_own(a, &k))
        return false;
    if (a->open || !has_role(a, KPI_ROLE_VIEWER) || !*a->token.departments)
        return true;
    size_t uses[256], n;
    if (kpi_kpi_uses(ws, i, uses, 256, &n) != KPI_OK || n > 256)
        return false;
    for (size_t u = 0; u < n; u++) {
        kpi_kpi_info_get(ws, uses[u], &k);
        if (!may_read_own(a, &k))
            return false;
    }
    return true;
}

/* May this caller read everything (streams, metrics, any report)? */
static bool reads_all(const kauth *a)
{
    return a->open || has_role(a, KPI_ROLE_ADMIN) || has_role(a, KPI_ROLE_EDITOR) ||
           (has_role(a, KPI_ROLE_VIEWER) && !*a->token.departments);
}

/* The index of KPI id, or kpi_kpi_count(ws) when there is none. */
static size_t kpi_index(kpi_workspace *ws, const char *id)
{
    size_t i = 0, n = kpi_kpi_count(ws);
    for (kpi_kpi_info k; i < n; i++) {
        kpi_kpi_info_get(ws, i, &k);
        if (!strcmp(k.id, id))
            break;
    }
    return i;
}

/* 404 unless every KPI named exists and may be read. For a caller limited to some KPIs, a KPI
 * it may not read is answered exactly like one that does not exist, without the library's
 * suggestions (they would name KPIs it may not see); others get the library's 404 with them. */
static bool check_kpis(kpi_workspace *ws, const kauth *a, const char *const *ids, size_t n,
                       kresponse *out)
{
    if (reads_all(a))
        return true;
    for (size_t i = 0; i < n; i++) {
        size_t k = kpi_index(ws, ids[i]);
        if (k < kpi_kpi_count(ws) && may_read(ws, a, k))
            continue;
        char msg[512];
        snprintf(msg, sizeof msg, "unknown kpi '%.200s'", ids[i]);
        kresponse_error(out, 404, msg);
        return false;
    }
    return true;
}

bool kroute_may_ingest(const kauth *a, const char *stream)
{
    return a->open || has_role(a, KPI_ROLE_ADMIN) || has_role(a, KPI_ROLE_EDITOR) ||
           (has_role(a, KPI_ROLE_INGEST) && in_list(a->token.streams, stream));
}

static void forbidden(kresponse *out) { kresponse_error(out, 403, "this token may not read this"); }

/* ---- endpoints ------------------------------------------------------------------------------ */

static void kpis(kpi_workspace *ws, const kauth *a, kresponse *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < kpi_kpi_count(ws); i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        if (!may_read(ws, a, i))
            continue;
        json_t *tags = json_array(), *dims = json_array();
        for (size_t t = 0; t < k.ntags; t++)
            json_array_append_new(tags, json_string(k.tags[t]));
        for (size_t d = 0; d < k.ndimensions; d++)
            json_array_append_new(dims, json_string(k.dimensions[d]));
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:i, s:s?, s:s?, s:s?, s:o, s:o, s:b}",
                           "id", k.id, "name", k.name, "description", k.description,
                           "department", k.department, "unit", k.unit, "decimals", k.decimals,
                           "grain", k.grain, "direction", k.direction, "formula", k.formula,
                           "tags", tags, "dimensions", dims, "manual", k.manual));
    }
    json_t *o = json_pack("{s:o}", "kpis", arr);
    respond(out, 200, "application/json", o ? json_dumps(o, JSON_COMPACT) : NULL);
    json_decref(o);
}

static void query(kpi_workspace *ws, const kauth *a, karg_fn arg, void *req, kresponse *out)
{
    char kbuf[4096], bbuf[1024];
    const char *ids[256], *by[8];
    kpi_query q = {0};
    q.kpis = ids;
    q.nkpis = split(arg(req, "kpi"), kbuf, sizeof kbuf, ids, 256);
    if (!q.nkpis) {
        kresponse_error(out, 400, "missing kpi: /api/v1/query?kpi=ID[,ID...]");
        return;
    }
    if (!check_kpis(ws, a, ids, q.nkpis, out))
        return;
    q.by = by;
    q.nby = split(arg(req, "by"), bbuf, sizeof bbuf, by, 8);
    q.period = arg(req, "period");
    q.from = arg(req, "from");
    q.to = arg(req, "to");
    q.grain = arg(req, "grain");
    q.where = arg(req, "where");
    char dim[256];
    if (has_role(a, KPI_ROLE_SELF)) { /* only the rows of the token's own value, whatever where says */
        q.only_dimension = self_dimension(a, dim, sizeof dim);
        q.only_value = strchr(a->token.self, '=') + 1;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_query_run(ws, &q, &r);
    if (st != KPI_OK)
        library_error(out, ws, st);
    else
        respond(out, 200, "application/json", kpi_result_render(r, KPI_OUTPUT_JSON, NULL));
    kpi_result_destroy(r);
}

/* The report of one department for a viewer limited to departments: its KPIs that the
 * viewer may read, i.e. without those whose formulas read another department's KPIs. */
static void department_report(kpi_workspace *ws, const kauth *a, const char *department,
                              const char *period, kresponse *out)
{
    size_t n = 0, count = kpi_kpi_count(ws);
    const char **ids = malloc((count ? count : 1) * sizeof *ids);
    if (!ids) {
        kresponse_error(out, 500, "out of memory");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        if (k.department && !strcmp(k.department, department) && may_read(ws, a, i))
            ids[n++] = k.id;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_review_run(ws, period, ids, n, &r);
    if (st != KPI_OK)
        library_error(out, ws, st);
    else
        respond(out, 200, "application/json", kpi_report_render(r, KPI_OUTPUT_JSON, NULL));
    kpi_result_destroy(r);
    free(ids);
}

static void report(kpi_workspace *ws, const kauth *a, karg_fn arg, void *req, kresponse *out)
{
    const char *department = arg(req, "department");
    if (has_role(a, KPI_ROLE_SELF)) { /* a self token's report is its own scorecard */
        char dim[256];
        kpi_result *r = NULL;
        kpi_status st = kpi_scorecard_run(ws, arg(req, "period"), self_dimension(a, dim, sizeof dim),
                                          strchr(a->token.self, '=') + 1, &r);
        if (st != KPI_OK)
            library_error(out, ws, st);
        else
            respond(out, 200, "application/json", kpi_report_render(r, KPI_OUTPUT_JSON, NULL));
        kpi_result_destroy(r);
        return;
    }
    if (!reads_all(a)) {
        /* a viewer of some departments reads their reports; one of them by default */
        bool viewer = has_role(a, KPI_ROLE_VIEWER);
        if (viewer && !department && !strchr(a->token.departments, ','))
            department = a->token.departments;
        if (!viewer || !department || !in_list(a->token.departments, department)) {
            kresponse_error(out, 403, "this token may read the report of its departments only"
                                      " (department=...)");
            return;
        }
        department_report(ws, a, department, arg(req, "period"), out);
        return;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_report_run(ws, arg(req, "period"), department, &r);
    if (st != KPI_OK)
        library_error(out, ws, st);
    else
        respond(out, 200, "application/json", kpi_report_render(r, KPI_OUTPUT_JSON, NULL));
    kpi_result_destroy(r);
}

static void top(kpi_workspace *ws, const kauth *a, karg_fn arg, void *req, kresponse *out)
{
    const char *kpi = arg(req, "kpi"), *by = arg(req, "by"), *n = arg(req, "n");
    if (!kpi || !by) {
        kresponse_error(out, 400, "missing kpi or by: /api/v1/top?kpi=ID&by=DIMENSION");
        return;
    }
    if (has_role(a, KPI_ROLE_SELF)) { /* a leaderboard shows the others */
        forbidden(out);
        return;
    }
    if (!check_kpis(ws, a, &kpi, 1, out))
        return;
    char *end = NULL;
    long count = n ? strtol(n, &end, 10) : 10;
    if (n && (end == n || *end || count < 0)) {
        kresponse_error(out, 400, "n must be a whole number (0: every group)");
        return;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_top_run(ws, kpi, by, arg(req, "period"), (size_t)count, &r);
    if (st != KPI_OK)
        library_error(out, ws, st);
    else
        respond(out, 200, "application/json", kpi_result_render(r, KPI_OUTPUT_JSON, NULL));
    kpi_result_destroy(r);
}

static void streams(kpi_workspace *ws, kresponse *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < kpi_stream_count(ws); i++) {
        kpi_stream_info si;
        kpi_status st = kpi_stream_info_get(ws, i, &si);
        if (st != KPI_OK) {
            json_decref(arr);
            library_error(out, ws, st);
            return;
        }
        char first[64] = "", last[64] = "";
        if (si.rows) {
            kpi_workspace_format_time(ws, si.first_time_us, si.time_is_date, first, sizeof first);
            kpi_workspace_format_time(ws, si.last_time_us, si.time_is_date, last, sizeof last);
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "name", si.name,
                                             "kind", si.kind, "rows", (json_int_t)si.rows,
                                             "first", si.rows ? first : NULL, "last",
                                             si.rows ? last : NULL));
    }
    json_t *o = json_pack("{s:o}", "streams", arr);
    respond(out, 200, "application/json", o ? json_dumps(o, JSON_COMPACT) : NULL);
    json_decref(o);
}

bool kroute_protected(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/metrics");
}

void kroute(kpi_workspace *ws, const kauth *auth, kmetrics_cache *mc, const char *method,
            const char *path, karg_fn arg, void *req, kresponse *out)
{
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    static const char *const known[] = {"/healthz",        "/metrics",          "/api/v1/kpis",
                                        "/api/v1/query",   "/api/v1/report",    "/api/v1/top",
                                        "/api/v1/streams"};
    bool found = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0] && !found; i++)
        found = !strcmp(path, known[i]);
    if (!found) {
        if (get && kassets_serve(path, out))
            return;
        char msg[512];
        snprintf(msg, sizeof msg, "no such endpoint: %.400s", path);
        kresponse_error(out, 404, msg);
    } else if (!get) {
        kresponse_error(out, 405, "method not allowed: use GET");
    } else if (!strcmp(path, "/healthz")) {
        respond(out, 200, "application/json", strdup("{\"status\":\"ok\"}"));
    } else if (has_role(auth, KPI_ROLE_INGEST)) {
        forbidden(out); /* an ingest token writes its streams, and reads nothing */
    } else if (!strcmp(path, "/metrics")) {
        if (!reads_all(auth)) {
            forbidden(out);
            return;
        }
        char *text = kmetrics_get(ws, mc, out);
        if (text)
            respond(out, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    } else if (!strcmp(path, "/api/v1/kpis")) {
        kpis(ws, auth, out);
    } else if (!strcmp(path, "/api/v1/query")) {
        query(ws, auth, arg, req, out);
    } else if (!strcmp(path, "/api/v1/report")) {
        report(ws, auth, arg, req, out);
    } else if (!strcmp(path, "/api/v1/top")) {
        top(ws, auth, arg, req, out);
    } else if (reads_all(auth)) {
        streams(ws, out);
    } else {
        forbidden(out);
    }
}
