/*
 * test_catalog.c - every KPI of the standard catalog against values computed by hand.
 *
 * The tests are data: tests/catalog/<department>.test, read from $KPI_TOP (set by tests/run.sh;
 * "." when unset, i.e. run from the source tree). Each case gets a fresh workspace with the
 * standard catalog (kpi_workspace_init(dir, 1, ...)) in a mkdtemp directory, imports its rows
 * through kpi_import_reader (CSV from memory), and runs one kpi_query_run per expectation. One
 * TAP line per expectation: "ok N - department: kpi period [by ...] [field]".
 *
 * ---- the .test format -------------------------------------------------------------------
 *
 * Line-based. Blank lines are ignored; '#' starts a comment on every line outside a rows block
 * (write the hand arithmetic there). Directives:
 *
 *   case NAME...             starts a case: a new, empty workspace with the catalog
 *   now 2026-11-15T12:00:00Z pins "now" (kpi_workspace_set_now): it decides which period is
 *                            open. Without it: 2030-01-01T00:00:00Z (every test period closed).
 *                            Give it before the expectations it should affect.
 *   rows STREAM              a CSV block: a header line (the stream's field names), then data
 *   ...                      lines, up to a line "end". Leading blanks are trimmed; a line
 *   end                      starting with '#' is a comment. Imported through kpi_import_reader;
 *                            a rejected or duplicate row fails the case (a not ok line).
 *   target KPI PERIOD|* [DIM=VALUE...] VALUE
 *                            kpi_target_set: for one period, or "*" for every period
 *
 * Anything else is an expectation:
 *
 *   KPI PERIOD [by DIM=VALUE[,DIM=VALUE]] [FIELD] -> EXPECTED [~ TOLERANCE]
 *
 *   PERIOD    a period name (2026-10, 2026-W41, 2026-Q4, 2026, 2026-10-05): the query's
 *             period, whose grain is the period's own.
 *   by        breaks the query down by those dimensions and picks the group with those values.
 *   FIELD     which number of the point to check: value (the default), previous, last_year,
 *             target, attainment, change, change_points, projected, expected_to_date, status,
 *             complete.
 *   EXPECTED  a number, "null" (NaN: undefined), or for status a word (on_track, at_risk,
 *             off_track, no_target, no_data).
 *   Numbers compare with a relative tolerance of 1e-9 — except money and counts: for a KPI of
 *   unit currency or count whose expected value has at most 2 decimals, the value must be
 *   exactly the double nearest to that decimal ("exact to the cent"). "~ T" replaces both with
 *   an absolute tolerance T (for published figures rounded to 2 decimals).
 *
 * Finally one more TAP line checks coverage: every KPI of the catalog has at least one
 * expectation of its value that is not null.
 */
#include "kpi.h"
#include "../tap.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- small helpers ------------------------------------------------------------------------ */

typedef struct mem {
    const char *p;
    size_t n, off;
} mem;

static ptrdiff_t mem_read(void *ctx, char *buf, size_t cap)
{
    mem *m = ctx;
    size_t k = m->n - m->off;
    if (k > cap)
        k = cap;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    return (ptrdiff_t)k;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sbuf_add(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + k;
        char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static void strip_comment(char *s)
{
    char *h = strchr(s, '#');
    if (h)
        *h = '\0';
}

/* Splits s in place on blanks; returns the number of words (at most cap). */
static size_t words(char *s, char **w, size_t cap)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t", &save); t && n < cap; t = strtok_r(NULL, " \t", &save))
        w[n++] = t;
    return n;
}

/* ---- the run ---------------------------------------------------------------------------- */

static const char *default_now = "2030-01-01T00:00:00Z";

typedef struct runner {
    /* the file */
    const char *path;
    char dept[256];
    unsigned long line;
    /* the case */
    char name[256];
    char dir[256];
    kpi_workspace *ws;
    bool broken; /* the workspace could not be made: expectations fail */
    /* coverage */
    char **covered;
    size_t ncovered, capcovered;
} runner;

static void tap_line(bool ok, const char *fmt, const char *a, const char *b)
{
    tap_n++;
    if (!ok)
        tap_failed++;
    printf("%s %d - ", ok ? "ok" : "not ok", tap_n);
    printf(fmt, a, b);
    printf("\n");
    fflush(stdout);
}

static void fail_line(runner *r, const char *what)
{
    char loc[512];
    snprintf(loc, sizeof loc, "%s:%lu", r->path, r->line);
    tap_line(false, "%s: %s", loc, what);
}

static void cover(runner *r, const char *kpi)
{
    for (size_t i = 0; i < r->ncovered; i++)
        if (!strcmp(r->covered[i], kpi))
            return;
    if (r->ncovered == r->capcovered) {
        r->capcovered = r->capcovered ? r->capcovered * 2 : 128;
        r->covered = realloc(r->covered, r->capcovered * sizeof *r->covered);
        if (!r->covered)
            exit(2);
    }
    r->covered[r->ncovered++] = strdup(kpi);
}

static void end_case(runner *r)
{
    if (r->ws) {
        kpi_workspace_destroy(r->ws);
        r->ws = NULL;
    }
    if (r->dir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
        if (system(cmd) != 0)
            printf("#   cleanup of %s failed\n", r->dir);
        r->dir[0] = '\0';
    }
    r->broken = false;
}

static void begin_case(runner *r, const char *name)
{
    end_case(r);
    snprintf(r->name, sizeof r->name, "%s", name);
    const char *tmp = getenv("TMPDIR");
    snprintf(r->dir, sizeof r->dir, "%s/kpi-test-catalog-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(r->dir)) {
        r->dir[0] = '\0';
        r->broken = true;
        fail_line(r, "mkdtemp failed");
        return;
    }
    char ws_dir[512];
    snprintf(ws_dir, sizeof ws_dir, "%s/ws", r->dir);
    kpi_error err;
    kpi_error_init(&err);
    if (kpi_workspace_init(ws_dir, 1, &err) != KPI_OK) {
        char msg[2048];
        kpi_error_format(&err, msg, sizeof msg);
        printf("#   init failed: %s\n", msg);
        r->broken = true;
        fail_line(r, "kpi_workspace_init with the catalog");
        return;
    }
    if (kpi_workspace_open(ws_dir, &r->ws) != KPI_OK) {
        char msg[2048];
        kpi_error_format(kpi_workspace_error(r->ws), msg, sizeof msg);
        printf("#   open failed: %s\n", msg);
        r->broken = true;
        fail_line(r, "kpi_workspace_open");
        return;
    }
    kpi_workspace_set_now(r->ws, kpi_parse_time(default_now));
}

static void set_now(runner *r, const char *iso)
{
    int64_t t = kpi_parse_time(iso);
    if (t == INT64_MIN) {
        fail_line(r, "bad time after 'now'");
        return;
    }
    if (r->ws)
        kpi_workspace_set_now(r->ws, t);
}

static void import_rows(runner *r, const char *stream, const char *csv)
{
    if (r->broken || !r->ws) {
        fail_line(r, "rows outside a working case");
        return;
    }
    char rejects[600];
    snprintf(rejects, sizeof rejects, "%s/rejects-%s.csv", r->dir, stream);
    kpi_import_options o;
    kpi_import_options_init(&o);
    o.rejects_path = rejects;
    kpi_import_result res;
    memset(&res, 0, sizeof res);
    mem m = {csv, strlen(csv), 0};
    kpi_status rc = kpi_import_reader(r->ws, stream, stream, mem_read, &m, m.n, &o, &res);
    if (rc != KPI_OK || res.rejected || res.duplicates) {
        char msg[2048];
        kpi_error_format(kpi_workspace_error(r->ws), msg, sizeof msg);
        printf("#   import into %s: status %s, %llu accepted, %llu rejected, %llu duplicates: %s\n",
               stream, kpi_status_name(rc), (unsigned long long)res.accepted,
               (unsigned long long)res.rejected, (unsigned long long)res.duplicates,
               rc != KPI_OK ? msg : "");
        FILE *f = res.rejected ? fopen(rejects, "r") : NULL;
        char line[1024];
        while (f && fgets(line, sizeof line, f))
            printf("#     %s", line);
        if (f)
            fclose(f);
        char what[300];
        snprintf(what, sizeof what, "%s: %s: import into %s", r->dept, r->name, stream);
        fail_line(r, what);
    }
}

static void set_target(runner *r, char *args)
{
    char *w[20];
    size_t n = words(args, w, 20);
    if (n < 3) {
        fail_line(r, "target KPI PERIOD|* [DIM=VALUE...] VALUE");
        return;
    }
    if (r->broken || !r->ws)
        return;
    char *end;
    double v = strtod(w[n - 1], &end);
    if (*end) {
        fail_line(r, "target: the last word must be a number");
        return;
    }
    const char *period = strcmp(w[1], "*") ? w[1] : NULL;
    if (kpi_target_set(r->ws, w[0], period, (const char *const *)(w + 2), n - 3, v) != KPI_OK) {
        char msg[2048];
        kpi_error_format(kpi_workspace_error(r->ws), msg, sizeof msg);
        printf("#   %s\n", msg);
        fail_line(r, "kpi_target_set");
    }
}

static const char *const fields[] = {
    "value",         "previous",  "last_year",        "target", "attainment", "change",
    "change_points", "projected", "expected_to_date", "status", "complete"};

static double point_field(const kpi_point *p, const char *f)
{
    if (!strcmp(f, "previous"))
        return p->previous;
    if (!strcmp(f, "last_year"))
        return p->last_year;
    if (!strcmp(f, "target"))
        return p->target;
    if (!strcmp(f, "attainment"))
        return p->attainment;
    if (!strcmp(f, "change"))
        return p->change;
    if (!strcmp(f, "change_points"))
        return p->change_points;
    if (!strcmp(f, "projected"))
        return p->projected;
    if (!strcmp(f, "expected_to_date"))
        return p->expected_to_date;
    if (!strcmp(f, "complete"))
        return p->complete;
    return p->value;
}

/* Decimals written in a number literal ("12.50" -> 2; "1e3" -> 99: not a plain decimal). */
static int literal_decimals(const char *s)
{
    if (strpbrk(s, "eE"))
        return 99;
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

static bool close_enough(double got, double want, double abs_tol, bool exact)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (abs_tol >= 0)
        return fabs(got - want) <= abs_tol;
    if (exact)
        return got == want;
    double scale = fabs(want) > 1e-3 ? fabs(want) : 1e-3;
    return fabs(got - want) <= 1e-9 * scale;
}

/* One expectation: "KPI PERIOD [by DIM=VALUE[,DIM=VALUE]] [FIELD] -> EXPECTED [~ TOL]". */
static void expectation(runner *r, char *text)
{
    char *arrow = strstr(text, "->");
    if (!arrow) {
        fail_line(r, "cannot read this line (no '->')");
        return;
    }
    *arrow = '\0';
    char *lhs[8], *rhs[4];
    char lhs_text[512], rhs_text[256];
    snprintf(lhs_text, sizeof lhs_text, "%s", text);
    snprintf(rhs_text, sizeof rhs_text, "%s", arrow + 2);
    size_t nl = words(lhs_text, lhs, 8), nr = words(rhs_text, rhs, 4);
    if (nl < 2 || nr < 1) {
        fail_line(r, "expected: KPI PERIOD [by DIM=VALUE] [FIELD] -> VALUE");
        return;
    }
    const char *kpi = lhs[0], *period = lhs[1], *field = "value";
    char by_spec[256] = "";
    size_t i = 2;
    if (i < nl && !strcmp(lhs[i], "by")) {
        if (i + 1 >= nl) {
            fail_line(r, "'by' needs DIM=VALUE");
            return;
        }
        snprintf(by_spec, sizeof by_spec, "%s", lhs[i + 1]);
        i += 2;
    }
    if (i < nl) {
        field = lhs[i++];
        bool known = false;
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            known = known || !strcmp(fields[f], field);
        if (!known || i < nl) {
            fail_line(r, "unknown field (value previous last_year target attainment change"
                         " change_points projected expected_to_date status complete)");
            return;
        }
    }
    /* the expected value */
    const char *want_text = rhs[0];
    bool want_status = !strcmp(field, "status");
    double want = NAN, tol = -1;
    if (!want_status && strcmp(want_text, "null")) {
        char *end;
        want = strtod(want_text, &end);
        if (*end) {
            fail_line(r, "the expected value must be a number or null");
            return;
        }
    }
    if (nr >= 2) {
        if (nr != 3 || strcmp(rhs[1], "~")) {
            fail_line(r, "after the value: '~ TOLERANCE' or nothing");
            return;
        }
        tol = strtod(rhs[2], NULL);
    }
    if (!strcmp(field, "value") && !isnan(want))
        cover(r, kpi);

    /* the label */
    char label[700];
    snprintf(label, sizeof label, "%s: %s %s%s%s%s%s -> %s", r->dept, kpi, period,
             by_spec[0] ? " by " : "", by_spec, strcmp(field, "value") ? " " : "",
             strcmp(field, "value") ? field : "", want_text);
    if (r->broken || !r->ws) {
        tap_line(false, "%s%s", label, " (no workspace)");
        return;
    }

    /* the breakdown: "a=x,b=y" */
    char by_copy[256];
    snprintf(by_copy, sizeof by_copy, "%s", by_spec);
    const char *dims[8], *vals[8];
    size_t nby = 0;
    char *save = NULL;
    for (char *t = by_spec[0] ? strtok_r(by_copy, ",", &save) : NULL; t && nby < 8;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) {
            fail_line(r, "by DIM=VALUE[,DIM=VALUE]");
            return;
        }
        *eq = '\0';
        dims[nby] = t;
        vals[nby++] = eq + 1;
    }

    const char *ids[1] = {kpi};
    kpi_query q;
    memset(&q, 0, sizeof q);
    q.kpis = ids;
    q.nkpis = 1;
    q.period = period;
    q.by = nby ? dims : NULL;
    q.nby = nby;
    kpi_result *res = NULL;
    kpi_status rc = kpi_query_run(r->ws, &q, &res);
    bool ok = false;
    if (rc != KPI_OK) {
        char msg[2048];
        kpi_error_format(kpi_workspace_error(r->ws), msg, sizeof msg);
        printf("#   %s:%lu: query failed: %s\n", r->path, r->line, msg);
    } else {
        const kpi_series *s = kpi_result_nseries(res) ? kpi_result_series(res, 0) : NULL;
        const kpi_point *pt = NULL;
        for (size_t p = 0; s && p < s->npoints && !pt; p++) {
            bool match = true;
            for (size_t b = 0; b < nby && match; b++)
                match = s->points[p].group && !strcmp(s->points[p].group[b], vals[b]);
            if (match)
                pt = &s->points[p];
        }
        if (!pt && nby == 0 && s && s->npoints) /* no breakdown: the one point */
            pt = &s->points[0];
        if (!pt) {
            if (isnan(want) && !want_status && !strcmp(field, "value")) {
                ok = true; /* no such group: no data, which is what null expects */
            } else {
                printf("#   %s:%lu: no point for %s %s%s%s\n", r->path, r->line, kpi, period,
                       nby ? " group " : "", by_spec);
            }
        } else if (s->npoints > 1 && nby == 0) {
            printf("#   %s:%lu: %zu points for one period\n", r->path, r->line, s->npoints);
        } else if (want_status) {
            ok = pt->status && !strcmp(pt->status, want_text);
            if (!ok)
                printf("#   %s:%lu: status %s, expected %s (value %.17g, target %.17g,"
                       " attainment %.17g)\n",
                       r->path, r->line, pt->status ? pt->status : "(null)", want_text, pt->value,
                       pt->target, pt->attainment);
        } else {
            double got = point_field(pt, field);
            bool money = s->unit && (!strcmp(s->unit, "currency") || !strcmp(s->unit, "count"));
            bool exact = money && !strcmp(field, "value") && literal_decimals(want_text) <= 2;
            ok = close_enough(got, want, tol, exact);
            if (!ok)
                printf("#   %s:%lu: %s is %.17g, expected %s (%.17g)%s\n", r->path, r->line, field,
                       got, want_text, want, exact ? ", exactly" : "");
        }
    }
    kpi_result_destroy(res);
    tap_line(ok, "%s%s", label, "");
}

static void run_file(runner *r, const char *path, const char *dept)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        r->path = path;
        r->line = 0;
        fail_line(r, strerror(errno));
        return;
    }
    r->path = path;
    snprintf(r->dept, sizeof r->dept, "%s", dept);
    r->line = 0;
    r->name[0] = '\0';
    char line[4096];
    bool in_rows = false, in_case = false;
    char stream[128] = "";
    sbuf csv = {0};
    while (fgets(line, sizeof line, f)) {
        r->line++;
        if (in_rows) {
            char *t = trim(line);
            if (!strcmp(t, "end")) {
                import_rows(r, stream, csv.p ? csv.p : "");
                csv.n = 0;
                if (csv.p)
                    csv.p[0] = '\0';
                in_rows = false;
            } else if (*t != '#' && *t) {
                sbuf_add(&csv, t);
                sbuf_add(&csv, "\n");
            }
            continue;
        }
        strip_comment(line);
        char *t = trim(line);
        if (!*t)
            continue;
        if (!strncmp(t, "case ", 5) || !strcmp(t, "case")) {
            begin_case(r, trim(t + 4));
            in_case = true;
            continue;
        }
        if (!in_case) {
            fail_line(r, "expected 'case NAME' first");
            continue;
        }
        if (!strncmp(t, "now ", 4)) {
            set_now(r, trim(t + 4));
        } else if (!strncmp(t, "rows ", 5)) {
            snprintf(stream, sizeof stream, "%s", trim(t + 5));
            in_rows = true;
        } else if (!strncmp(t, "target ", 7)) {
            set_target(r, t + 7);
        } else {
            expectation(r, t);
        }
    }
    if (in_rows)
        fail_line(r, "rows block without 'end'");
    end_case(r);
    free(csv.p);
    fclose(f);
}

static int is_test_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && !strcmp(d->d_name + n - 5, ".test");
}

int main(void)
{
    const char *top = getenv("KPI_TOP");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/catalog", top && *top ? top : ".");
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_test_file, alphasort);
    runner r;
    memset(&r, 0, sizeof r);
    (void)tap_cur_failed; /* one TAP line per expectation, not RUN() */
    if (n <= 0) {
        printf("not ok 1 - no tests/catalog/*.test in %s\n", dir);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[2048], dept[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        snprintf(dept, sizeof dept, "%.*s", (int)(strlen(names[i]->d_name) - 5), names[i]->d_name);
        run_file(&r, path, dept);
        free(names[i]);
    }
    free(names);

    /* coverage: every catalog KPI has a non-null expectation of its value */
    kpi_catalog *cat = NULL;
    kpi_error err;
    kpi_error_init(&err);
    bool ok = kpi_catalog_open(&cat, &err) == KPI_OK;
    size_t missing = 0, total = 0;
    for (size_t i = 0; ok && i < kpi_catalog_count(cat); i++) {
        kpi_kpi_info info;
        kpi_catalog_kpi(cat, i, &info);
        if (info.manual)
            continue;
        total++;
        bool found = false;
        for (size_t c = 0; c < r.ncovered && !found; c++)
            found = !strcmp(r.covered[c], info.id);
        if (!found) {
            printf("#   no non-null expectation for %s (%s)\n", info.id, info.department);
            missing++;
        }
    }
    kpi_catalog_destroy(cat);
    char what[128];
    snprintf(what, sizeof what, "%zu catalog KPIs", total);
    tap_line(ok && missing == 0 && total > 0, "coverage: %s each have a non-null expectation%s",
             what, "");
    for (size_t c = 0; c < r.ncovered; c++)
        free(r.covered[c]);
    free(r.covered);
    return tap_done();
}
