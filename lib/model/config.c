/*
 * config.c - loading a workspace's definitions: kpi.yaml, the `workspace:` settings, and the
 * files its `include:` globs name (each holding more `streams:` and `kpis:`), then the lookups
 * and names the layers above use. The sections themselves are read by streams.c and kpis.c.
 */
#include "model_int.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_SIZE ((size_t)16 << 20)
#define READ_CHUNK ((size_t)64 << 10)
#define MAX_INCLUDES 1000 /* files all include patterns together may match */

enum { TK_WORKSPACE, TK_INCLUDE, TK_STREAMS, TK_KPIS, TK_N };
static const char *const top_keys[TK_N] = {"workspace", "include", "streams", "kpis"};

enum { WK_NAME, WK_TIMEZONE, WK_WEEK_START, WK_FISCAL_YEAR_START, WK_CURRENCY, WK_N };
static const char *const workspace_keys[WK_N] = {"name", "timezone", "week_start",
                                                 "fiscal_year_start", "currency"};

static const char *const weekday_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                            "friday", "saturday", "sunday"};

/* One file of definitions and the sections found in it. */
typedef struct kyfile {
    kydoc doc;
    char *real; /* realpath, to include no file twice; NULL when unknown */
    const kynode *streams, *kpis;
} kyfile;

typedef struct loader {
    kyctx c;
    kyfile **files;
    size_t nfiles, cap;
} loader;

/* ---- files ------------------------------------------------------------------------------- */

static kpi_status add_file(loader *L, const char *label, const char *real, kyfile **out)
{
    kyctx *c = &L->c;
    if (L->nfiles == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 8;
        kyfile **files = karena_alloc(c->scratch, cap * sizeof *files);
        if (!files)
            return ky_nomem(c);
        if (L->nfiles)
            memcpy(files, L->files, L->nfiles * sizeof *files);
        L->files = files;
        L->cap = cap;
    }
    kyfile *f = karena_alloc(c->scratch, sizeof *f);
    if (!f || !(f->doc.file = karena_strdup(&c->cfg->arena, label)))
        return ky_nomem(c);
    if (real && !(f->real = karena_strdup(c->scratch, real)))
        return ky_nomem(c);
    L->files[L->nfiles++] = f;
    *out = f;
    return KPI_OK;
}

/* Reads a whole file into the scratch arena. `at` is the include pattern, NULL for kpi.yaml. */
static kpi_status read_file(kyctx *c, const char *path, const kynode *at, kydoc *doc)
{
    const char *file = at && c->doc ? c->doc->file : NULL;
    unsigned long line = at ? at->line : 0, column = at ? at->column : 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return kerr_set_at(c->err, KPI_IO, file, line, column, "cannot read '%s': %s", path,
                           strerror(errno));
    kbuf b;
    kbuf_init(&b, MAX_FILE_SIZE + 1);
    kpi_status st = KPI_OK;
    for (;;) {
        if (b.n >= MAX_FILE_SIZE) {
            st = kerr_set_at(c->err, KPI_LIMIT, file, line, column,
                             "'%s' is too large for a definitions file (over %zu MiB)", path,
                             MAX_FILE_SIZE >> 20);
            goto out;
        }
        if (!kbuf_reserve(&b, READ_CHUNK)) {
            st = ky_nomem(c);
            goto out;
        }
        size_t got = fread(b.p + b.n, 1, READ_CHUNK, fp);
        b.n += got;
        if (got < READ_CHUNK)
            break;
    }
    if (ferror(fp)) {
        st = kerr_set_at(c->err, KPI_IO, file, line, column, "cannot read '%s': %s", path,
                         strerror(errno));
        goto out;
    }
    char *text = karena_strndup(c->scratch, b.n ? b.p : "", b.n);
    if (!text) {
        st = ky_nomem(c);
        goto out;
    }
    doc->text = text;
    doc->len = b.n;
out:
    kbuf_release(&b);
    fclose(fp);
    return st;
}

/* "dir/pattern" with dir's own glob characters escaped; pattern alone when absolute or dir is ".".
 */
static char *join_pattern(karena *a, const char *dir, const char *pattern)
{
    if (pattern[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        return karena_strdup(a, pattern);
    size_t dn = strlen(dir), pn = strlen(pattern);
    char *s = karena_alloc(a, 2 * dn + pn + 2);
    if (!s)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < dn; i++) {
        if (strchr("*?[]\\", dir[i]))
            s[j++] = '\\';
        s[j++] = dir[i];
    }
    if (dir[dn - 1] != '/')
        s[j++] = '/';
    memcpy(s + j, pattern, pn + 1);
    return s;
}

static bool already_loaded(const loader *L, const char *real)
{
    for (size_t i = 0; real && i < L->nfiles; i++)
        if (L->files[i]->real && strcmp(L->files[i]->real, real) == 0)
            return true;
    return false;
}

/*
 * Include patterns stay inside the workspace: a kpi.yaml must not make the loader walk the
 * whole file system, or quote lines of /etc/passwd back in its error messages.
 */
static kpi_status check_pattern(kyctx *c, const kynode *pat, const char *pattern)
{
    if (pattern[0] == '/' || pattern[0] == '~')
        return ky_err(c, pat,
                      "include pattern '%s' must be a path relative to the directory of "
                      "kpi.yaml",
                      ky_show(c, pat));
    for (const char *p = pattern; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return ky_err(c, pat,
                          "include pattern '%s' must not leave the directory of kpi.yaml "
                          "('..')",
                          ky_show(c, pat));
        p += n;
        p += *p == '/';
    }
    return KPI_OK;
}

static kpi_status top_level(loader *L, kyfile *f, const char *base_dir);

/* One `include:` pattern: every regular file it matches, in sorted order, once. */
static kpi_status include_pattern(loader *L, const kynode *pat, const char *base_dir)
{
    kyctx *c = &L->c;
    const char *pattern;
    kpi_status st = ky_str(c, pat, "'include'", &pattern);
    if (st != KPI_OK)
        return st;
    if ((st = check_pattern(c, pat, pattern)) != KPI_OK)
        return st;
    char *full = join_pattern(c->scratch, base_dir, pattern);
    if (!full)
        return ky_nomem(c);
    glob_t g;
    int rc = glob(full, 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        if (strpbrk(pattern, "*?["))
            return KPI_OK; /* an empty kpis/ directory is fine */
        return kerr_set_at(c->err, KPI_IO, c->doc->file, pat->line, pat->column,
                           "included file '%s' does not exist", full);
    }
    if (rc != 0) {
        globfree(&g);
        return rc == GLOB_NOSPACE ? ky_nomem(c)
                                  : kerr_set_at(c->err, KPI_IO, c->doc->file, pat->line,
                                                pat->column, "cannot read the files of '%s'", full);
    }
    const kydoc *including = c->doc;
    for (size_t i = 0; i < g.gl_pathc && st == KPI_OK; i++) {
        const char *path = g.gl_pathv[i];
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        char *real = realpath(path, NULL);
        if (already_loaded(L, real)) {
            free(real);
            continue;
        }
        if (L->nfiles > MAX_INCLUDES) { /* files[0] is kpi.yaml itself */
            free(real);
            st = ky_err(c, pat, "'include' matches too many files (more than %d)", MAX_INCLUDES);
            break;
        }
        kyfile *f;
        st = add_file(L, path, real, &f);
        free(real);
        if (st == KPI_OK)
            st = read_file(c, path, pat, &f->doc);
        if (st == KPI_OK)
            st = ky_parse(c, &f->doc);
        if (st == KPI_OK)
            st = top_level(L, f, NULL);
        c->doc = including;
    }
    globfree(&g);
    return st;
}

/* ---- the main file's own sections -------------------------------------------------------- */

/* `currency: EUR` - an ISO 4217 code: three capital letters. */
static kpi_status load_currency(kyctx *c, const kynode *v)
{
    const char *code;
    kpi_status st = ky_str(c, v, "'currency' in workspace", &code);
    if (st != KPI_OK)
        return st;
    bool ok = strlen(code) == 3;
    for (size_t i = 0; ok && i < 3; i++)
        ok = code[i] >= 'A' && code[i] <= 'Z';
    if (!ok)
        return ky_err(c, v,
                      "invalid currency '%s' in workspace (expected an ISO 4217 code such "
                      "as EUR, USD, GBP)",
                      ky_show(c, v));
    c->cfg->currency = code;
    return KPI_OK;
}

static kpi_status load_workspace(kyctx *c, const kynode *v)
{
    if (v->type == KY_NULL)
        return KPI_OK;
    kpi_status st = ky_expect_map(c, v, "'workspace'");
    if (st != KPI_OK)
        return st;
    const kynode *keys[WK_N], *vals[WK_N];
    if ((st = ky_keys(c, v, workspace_keys, WK_N, "in workspace", keys, vals)) != KPI_OK)
        return st;
    kconfig *cfg = c->cfg;
    if (vals[WK_NAME] && (st = ky_str(c, vals[WK_NAME], "'name' in workspace", &cfg->name)))
        return st;
    if (vals[WK_TIMEZONE] &&
        (st = ky_str(c, vals[WK_TIMEZONE], "'timezone' in workspace", &cfg->timezone)))
        return st;
    if (vals[WK_WEEK_START]) {
        size_t day;
        if ((st = ky_enum(c, vals[WK_WEEK_START], "week_start", "in workspace", weekday_names, 7,
                          &day)))
            return st;
        cfg->week_start = (int)day + 1;
    }
    if (vals[WK_FISCAL_YEAR_START] &&
        (st = ky_int(c, vals[WK_FISCAL_YEAR_START], "'fiscal_year_start' (a month) in workspace", 1,
                     12, &cfg->fiscal_year_start)))
        return st;
    if (vals[WK_CURRENCY] && (st = load_currency(c, vals[WK_CURRENCY])) != KPI_OK)
        return st;
    return KPI_OK;
}

static kpi_status load_includes(loader *L, const kynode *v, const char *base_dir)
{
    const kynode **items;
    size_t n;
    kpi_status st = ky_list(&L->c, v, "'include'", &items, &n);
    for (size_t i = 0; i < n && st == KPI_OK; i++)
        st = include_pattern(L, items[i], base_dir);
    return st;
}

/*
 * The top-level map of a file: notes where its sections are; the main file (base_dir set)
 * also has its settings read and its includes loaded.
 */
static kpi_status top_level(loader *L, kyfile *f, const char *base_dir)
{
    kyctx *c = &L->c;
    c->doc = &f->doc;
    const kynode *root = f->doc.root;
    if (!root || root->type == KY_NULL)
        return KPI_OK;
    if (root->type != KY_MAP)
        return ky_err(c, root, "expected a map at the top level (with %s), not %s",
                      f->doc.main ? "workspace, include, streams, kpis" : "streams, kpis",
                      ky_kind(root));
    const kynode *keys[TK_N], *vals[TK_N];
    kpi_status st = ky_keys(c, root, top_keys, TK_N, "at the top level", keys, vals);
    if (st != KPI_OK)
        return st;
    f->streams = vals[TK_STREAMS];
    f->kpis = vals[TK_KPIS];
    if (!f->doc.main) {
        for (int i = TK_WORKSPACE; i <= TK_INCLUDE; i++)
            if (keys[i])
                return ky_err(c, keys[i],
                              "'%s' is only allowed in the main kpi.yaml, not in an included "
                              "file",
                              top_keys[i]);
        return KPI_OK;
    }
    if (vals[TK_WORKSPACE] && (st = load_workspace(c, vals[TK_WORKSPACE])) != KPI_OK)
        return st;
    if (vals[TK_INCLUDE] && (st = load_includes(L, vals[TK_INCLUDE], base_dir)) != KPI_OK)
        return st;
    return KPI_OK;
}

/* The workspace name when kpi.yaml gives none: the directory's own name. */
static kpi_status default_name(kyctx *c, const char *base_dir)
{
    char *real = realpath(base_dir && base_dir[0] ? base_dir : ".", NULL);
    const char *dir = real ? real : base_dir ? base_dir : "";
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    bool useless = n == start || (n - start == 1 && dir[start] == '.') ||
                   (n - start == 2 && dir[start] == '.' && dir[start + 1] == '.');
    c->cfg->name = useless ? karena_strdup(&c->cfg->arena, "workspace")
                           : karena_strndup(&c->cfg->arena, dir + start, n - start);
    free(real);
    return c->cfg->name ? KPI_OK : ky_nomem(c);
}

/* Room for every stream and KPI of every file, so that pointers to them stay put. */
static kpi_status allocate(loader *L)
{
    kyctx *c = &L->c;
    size_t ns = 0, nk = 0;
    for (size_t i = 0; i < L->nfiles; i++) {
        const kyfile *f = L->files[i];
        if (f->streams && f->streams->type == KY_MAP)
            ns += f->streams->nitems / 2;
        if (f->kpis && f->kpis->type == KY_MAP)
            nk += f->kpis->nitems / 2;
    }
    size_t bs, bk;
    if (!kmul_size(ns, sizeof(kstream), &bs) || !kmul_size(nk, sizeof(kkpi), &bk))
        return ky_nomem(c);
    if (ns && !(c->cfg->streams = karena_alloc(&c->cfg->arena, bs)))
        return ky_nomem(c);
    if (nk && !(c->cfg->kpis = karena_alloc(&c->cfg->arena, bk)))
        return ky_nomem(c);
    c->streams_cap = ns;
    c->kpis_cap = nk;
    return KPI_OK;
}

static kpi_status load(loader *L, const char *text, size_t len, const char *name,
                       const char *base_dir)
{
    kyctx *c = &L->c;
    kconfig *cfg = c->cfg;
    cfg->timezone = "UTC";
    cfg->fiscal_year_start = 1;
    if (!(cfg->path = karena_strdup(&cfg->arena, name)))
        return ky_nomem(c);
    /* the file's real path, so that an include matching kpi.yaml itself skips it */
    const char *where = name;
    if (text && base_dir && name[0] != '/' &&
        !(where = karena_printf(c->scratch, "%s/%s", base_dir, name)))
        return ky_nomem(c);
    char *real = realpath(where, NULL);
    kyfile *main;
    kpi_status st = add_file(L, name, real, &main);
    free(real);
    if (st != KPI_OK)
        return st;
    main->doc.main = true;
    if (text) {
        main->doc.text = text;
        main->doc.len = len;
    } else if ((st = read_file(c, name, NULL, &main->doc)) != KPI_OK) {
        return st;
    }
    if ((st = ky_parse(c, &main->doc)) != KPI_OK)
        return st;
    if ((st = top_level(L, main, base_dir ? base_dir : ".")) != KPI_OK)
        return st;
    if (!cfg->name && (st = default_name(c, base_dir)) != KPI_OK)
        return st;
    if ((st = allocate(L)) != KPI_OK)
        return st;
    size_t streams_ok = 0; /* problems before the KPIs: the broken streams' */
    for (size_t i = 0; i < L->nfiles; i++) {
        const kyfile *f = L->files[i];
        c->doc = &f->doc;
        if (f->streams && (st = kmodel_load_streams(c, f->streams)) != KPI_OK)
            return st;
    }
    streams_ok = cfg->nproblems;
    for (size_t i = 0; i < L->nfiles; i++) {
        const kyfile *f = L->files[i];
        c->doc = &f->doc;
        if (f->kpis && (st = kmodel_load_kpis(c, f->kpis)) != KPI_OK)
            return st;
    }
    if (streams_ok) { /* a broken stream fails the load, with its first mistake */
        *c->err = *cfg->problems[0];
        return KPI_DEFINITION;
    }
    return KPI_OK;
}

/* text NULL: read the file `name`. With keep, *out is set also when a stream is broken. */
static kpi_status load_config(const char *text, size_t len, const char *name, const char *base_dir,
                              bool keep, kconfig **out, kpi_error *err)
{
    *out = NULL;
    kconfig *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    karena_init(&cfg->arena, 16 << 10);
    karena scratch;
    karena_init(&scratch, 0);
    loader L = {.c = {.cfg = cfg, .scratch = &scratch, .err = err}};
    kyset_init(&L.c.stream_names, &scratch);
    kyset_init(&L.c.kpi_ids, &scratch);
    kpi_status st = load(&L, text, len, name ? name : "kpi.yaml", base_dir);
    karena_release(&scratch);
    if (st != KPI_OK && !(keep && cfg->nproblems && st == KPI_DEFINITION)) {
        kcfg_free(cfg);
        return st;
    }
    *out = cfg;
    return st;
}

const kpi_error *kcfg_add_problem(kconfig *cfg, const kpi_error *err)
{
    if (cfg->nproblems == cfg->cap_problems) {
        size_t cap = cfg->cap_problems ? cfg->cap_problems * 2 : 8;
        const kpi_error **p = karena_alloc(&cfg->arena, cap * sizeof *p);
        if (!p)
            return NULL;
        if (cfg->nproblems)
            memcpy(p, cfg->problems, cfg->nproblems * sizeof *p);
        cfg->problems = p;
        cfg->cap_problems = cap;
    }
    kpi_error *copy = karena_alloc(&cfg->arena, sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *err;
    cfg->problems[cfg->nproblems++] = copy;
    return copy;
}

static kpi_status load_path(const char *path, bool keep, kconfig **out, kpi_error *err)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return load_config(NULL, 0, path, dir, keep, out, err);
}

kpi_status kcfg_load(const char *path, kconfig **out, kpi_error *err)
{
    return load_path(path, false, out, err);
}

kpi_status kcfg_load_all(const char *path, kconfig **out, kpi_error *err)
{
    return load_path(path, true, out, err);
}

kpi_status kcfg_load_string(const char *text, size_t len, const char *name, const char *base_dir,
                            kconfig **out, kpi_error *err)
{
    return load_config(text ? text : "", text ? len : 0, name, base_dir, false, out, err);
}

void kcfg_free(kconfig *cfg)
{
    if (!cfg)
        return;
    karena_release(&cfg->arena);
    free(cfg);
}

/* ---- lookups and names ------------------------------------------------------------------- */

const kstream *kcfg_stream(const kconfig *cfg, kstr name)
{
    for (size_t i = 0; cfg && i < cfg->nstreams; i++)
        if (kstr_eq_c(name, cfg->streams[i].name))
            return &cfg->streams[i];
    return NULL;
}

const kfield *kstream_field(const kstream *s, kstr name)
{
    for (size_t i = 0; s && i < s->nfields; i++)
        if (kstr_eq_c(name, s->fields[i].name))
            return &s->fields[i];
    return NULL;
}

const kkpi *kcfg_kpi(const kconfig *cfg, kstr id)
{
    for (size_t i = 0; cfg && i < cfg->nkpis; i++)
        if (kstr_eq_c(id, cfg->kpis[i].id))
            return &cfg->kpis[i];
    return NULL;
}

const char *kstream_kind_name(kstream_kind kind)
{
    return kind == KSTREAM_SNAPSHOTS ? "snapshots" : "events";
}

const char *kkpi_unit_name(kkpi_unit unit)
{
    static const char *const names[] = {
        [KUNIT_COUNT] = "count", [KUNIT_CURRENCY] = "currency", [KUNIT_PERCENT] = "percent",
        [KUNIT_RATIO] = "ratio", [KUNIT_DURATION] = "duration", [KUNIT_NUMBER] = "number",
    };
    return (unsigned)unit < sizeof names / sizeof names[0] ? names[unit] : "number";
}
