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
    char safe[4096];
    ksafe_text(msg, false, safe, sizeof safe);
    json_t *o = json_pack("{s:s}", "error", safe);
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

static void library_error(kresponse *out, kpi_workspace *ws, kpi_status st)
{
    char msg[2400];
    kpi_error_format(kpi_workspace_error(ws), msg, sizeof msg);
    kresponse_error(out, kstatus_http(st), msg);
}

/* Answers a library call's result as the JSON of the CLI (a review's when review), or its
 * error; frees r. */
static void answer_result(kpi_workspace *ws, kpi_status st, kpi_result *r, bool review,
                          kresponse *out)
{
    if (st != KPI_OK)
        library_error(out, ws, st);
    else
        respond(out, 200, "application/json",
                (review ? kpi_report_render : kpi_result_render)(r, KPI_OUTPUT_JSON, NULL));
    kpi_result_destroy(r);
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

static bool has_role(const kauth *a, kpi_role r)
{
    return !a->open && a->token.role == r;
}

/* Is name one of the comma-separated items of list? */
bool kroute_in_list(const char *list, const char *name)
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
               (k->department && kroute_in_list(a->token.departments, k->department));
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

size_t kroute_kpi_index(kpi_workspace *ws, const char *id)
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
        size_t k = kroute_kpi_index(ws, ids[i]);
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
           (has_role(a, KPI_ROLE_INGEST) && kroute_in_list(a->token.streams, stream));
}

static void forbidden(kresponse *out)
{
    kresponse_error(out, 403, "this token may not read this");
}

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
                           "id", k.id, "name", k.name, "description", k.description, "department",
                           k.department, "unit", k.unit, "decimals", k.decimals, "grain", k.grain,
                           "direction", k.direction, "formula", k.formula, "tags", tags,
                           "dimensions", dims, "manual", k.manual));
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
    if (has_role(a,
                 KPI_ROLE_SELF)) { /* only the rows of the token's own value, whatever where says */
        q.only_dimension = self_dimension(a, dim, sizeof dim);
        q.only_value = strchr(a->token.self, '=') + 1;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_query_run(ws, &q, &r);
    answer_result(ws, st, r, false, out);
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
    answer_result(ws, st, r, true, out);
    free(ids);
}

static void report(kpi_workspace *ws, const kauth *a, karg_fn arg, void *req, kresponse *out)
{
    const char *department = arg(req, "department");
    if (has_role(a, KPI_ROLE_SELF)) { /* a self token's report is its own scorecard */
        char dim[256];
        kpi_result *r = NULL;
        kpi_status st =
            kpi_scorecard_run(ws, arg(req, "period"), self_dimension(a, dim, sizeof dim),
                              strchr(a->token.self, '=') + 1, &r);
        answer_result(ws, st, r, true, out);
        return;
    }
    if (!reads_all(a)) {
        /* a viewer of some departments reads their reports; one of them by default */
        bool viewer = has_role(a, KPI_ROLE_VIEWER);
        if (viewer && !department && !strchr(a->token.departments, ','))
            department = a->token.departments;
        if (!viewer || !department || !kroute_in_list(a->token.departments, department)) {
            kresponse_error(out, 403,
                            "this token may read the report of its departments only"
                            " (department=...)");
            return;
        }
        department_report(ws, a, department, arg(req, "period"), out);
        return;
    }
    kpi_result *r = NULL;
    kpi_status st = kpi_report_run(ws, arg(req, "period"), department, &r);
    answer_result(ws, st, r, true, out);
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
    answer_result(ws, st, r, false, out);
}

static void streams(kpi_workspace *ws, kresponse *out)
{
    char *doc = kpi_streams_json(ws); /* the same bytes as `kpi streams --format json` */
    if (!doc)
        library_error(out, ws, kpi_workspace_error(ws)->status);
    else
        respond(out, 200, "application/json", doc);
}

/* ---- the routes ----------------------------------------------------------------------------- */

/* What an endpoint is given. */
typedef struct route_ctx {
    kpi_workspace *ws;
    const kauth *auth;
    kmetrics_cache *mc;
    karg_fn arg;
    void *req;
    const char *defs_error;
} route_ctx;

/* Who may call an endpoint: anyone; any token that reads (not an ingest token, which writes
 * its streams and reads nothing); a caller that reads everything. Narrower scopes (a
 * department, a self token's own rows) are the endpoint's own to check. */
typedef enum route_access { ANYONE, READERS, READS_ALL } route_access;

/* ok; or, while the definitions on disk do not load, "stale" and why (the last good ones
 * serve: still 200) */
static void healthz(const route_ctx *c, kresponse *out)
{
    json_t *o = *c->defs_error ? json_pack("{s:s, s:s}", "status", "stale", "error", c->defs_error)
                               : json_pack("{s:s}", "status", "ok");
    respond(out, 200, "application/json", o ? json_dumps(o, JSON_COMPACT) : NULL);
    json_decref(o);
}

/* Are the departments of the comma-separated list `department` all the viewer's own? */
static bool own_departments(const kauth *a, const char *department)
{
    if (!has_role(a, KPI_ROLE_VIEWER) || !department || !*department)
        return false;
    for (const char *p = department; *p;) {
        char item[256];
        size_t len = strcspn(p, ",");
        snprintf(item, sizeof item, "%.*s", (int)(len < 255 ? len : 255), p);
        if (len >= sizeof item || !kroute_in_list(a->token.departments, item))
            return false;
        p += len + (p[len] == ',');
    }
    return true;
}

/* A department viewer scrapes /metrics?department= of its own departments: the KPIs there
 * that it may read (and of ?kpi=, when given; others are left out as unknown ones would be),
 * as a comma-separated list into *only (malloc'd). False with the answer in out when it may
 * not. */
static bool scrape_scope(kpi_workspace *ws, const kauth *a, karg_fn arg, void *req, char **only,
                         kresponse *out)
{
    const char *department = arg(req, "department"), *kpis = arg(req, "kpi");
    size_t n = kpi_kpi_count(ws), cap = 1, used = 0;
    if (!own_departments(a, department)) {
        forbidden(out);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        cap += strlen(k.id) + 1;
    }
    if (!(*only = calloc(cap, 1))) {
        kresponse_error(out, 500, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        kpi_kpi_info k;
        kpi_kpi_info_get(ws, i, &k);
        if (k.department && kroute_in_list(department, k.department) && may_read(ws, a, i) &&
            (!kpis || kroute_in_list(kpis, k.id)))
            used += (size_t)snprintf(*only + used, cap - used, "%s%s", used ? "," : "", k.id);
    }
    return true;
}

/* /metrics from the background text: all of it (or ?kpi=, ?department=) for a caller that
 * reads everything, the readable KPIs of its own departments for a department viewer. */
static void metrics(const route_ctx *c, kresponse *out)
{
    char *only = NULL;
    if (reads_all(c->auth) || scrape_scope(c->ws, c->auth, c->arg, c->req, &only, out))
        kmetrics_scrape(c->mc, only ? only : c->arg(c->req, "kpi"), c->arg(c->req, "department"),
                        out);
    free(only);
}

static void route_kpis(const route_ctx *c, kresponse *out)
{
    kpis(c->ws, c->auth, out);
}
static void route_query(const route_ctx *c, kresponse *out)
{
    query(c->ws, c->auth, c->arg, c->req, out);
}
static void route_report(const route_ctx *c, kresponse *out)
{
    report(c->ws, c->auth, c->arg, c->req, out);
}
static void route_top(const route_ctx *c, kresponse *out)
{
    top(c->ws, c->auth, c->arg, c->req, out);
}
static void route_streams(const route_ctx *c, kresponse *out)
{
    streams(c->ws, out);
}

static const struct route {
    const char *path;
    route_access access;
    void (*answer)(const route_ctx *c, kresponse *out);
} routes[] = {
    {"/healthz", ANYONE, healthz},
    {"/metrics", READERS, metrics},
    {"/api/v1/kpis", READERS, route_kpis},
    {"/api/v1/query", READERS, route_query},
    {"/api/v1/report", READERS, route_report},
    {"/api/v1/top", READERS, route_top},
    {"/api/v1/streams", READS_ALL, route_streams},
};

bool kroute_protected(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/metrics");
}

void kroute(kpi_workspace *ws, const kauth *auth, kmetrics_cache *mc, const char *defs_error,
            const char *method, const char *path, karg_fn arg, void *req, kresponse *out)
{
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    const struct route *r = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !r; i++)
        if (!strcmp(path, routes[i].path))
            r = &routes[i];
    if (!r) {
        if (get && kassets_serve(path, out))
            return;
        char msg[512];
        snprintf(msg, sizeof msg, "no such endpoint: %.400s", path);
        kresponse_error(out, 404, msg);
    } else if (!get) {
        kresponse_error(out, 405, "method not allowed: use GET");
    } else if ((r->access == READERS && has_role(auth, KPI_ROLE_INGEST)) ||
               (r->access == READS_ALL && !reads_all(auth))) {
        forbidden(out);
    } else {
        route_ctx c = {ws, auth, mc, arg, req, defs_error ? defs_error : ""};
        r->answer(&c, out);
    }
}
