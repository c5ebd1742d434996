/*
 * catalog_api.c - the standard KPI catalog compiled into the library: its per-department files
 * joined into one definition document (their `streams:` sections together, then their `kpis:`)
 * and loaded like any kpi.yaml, so `kpi catalog` lists exactly what `kpi init --catalog` writes.
 */
#include "workspace_int.h"
#include "../util/embedded.h"

#include <stdlib.h>
#include <string.h>

struct kpi_catalog {
    kconfig *cfg;
};

/* The body of a top-level section ("streams:" or "kpis:") of one file, up to the next one. */
static kstr section(const kembedded *e, const char *name)
{
    size_t n = strlen(name);
    const char *p = e->data, *end = e->data + e->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        if ((size_t)(end - p) > n && !strncmp(p, name, n) && p[n] == ':') {
            const char *q = next;
            while (q < end && !(*q >= 'a' && *q <= 'z')) {
                const char *l = memchr(q, '\n', (size_t)(end - q));
                q = l ? l + 1 : end;
            }
            return (kstr){next, (size_t)(q - next)};
        }
        p = next;
    }
    return (kstr){"", 0};
}

kpi_status kpi_catalog_open(kpi_catalog **out, kpi_error *err)
{
    *out = NULL;
    kbuf text;
    kbuf_init(&text, 0);
    bool ok = kbuf_appends(&text, "streams:\n");
    for (const kembedded *e = kcatalog_files; ok && e->name; e++) {
        kstr s = section(e, "streams");
        ok = kbuf_append(&text, s.p, s.n);
    }
    ok = ok && kbuf_appends(&text, "kpis:\n");
    for (const kembedded *e = kcatalog_files; ok && e->name; e++) {
        kstr s = section(e, "kpis");
        ok = kbuf_append(&text, s.p, s.n);
    }
    kpi_catalog *cat = ok ? calloc(1, sizeof *cat) : NULL;
    kpi_status rc =
        cat ? kcfg_load_string(text.p, text.n, "catalog", "/nonexistent", &cat->cfg, err)
            : kerr_set(err, KPI_NOMEM, "out of memory");
    kbuf_release(&text);
    if (rc != KPI_OK) {
        kpi_catalog_destroy(cat);
        return rc;
    }
    *out = cat;
    return KPI_OK;
}

void kpi_catalog_destroy(kpi_catalog *cat)
{
    if (!cat)
        return;
    kcfg_free(cat->cfg);
    free(cat);
}

size_t kpi_catalog_count(const kpi_catalog *cat)
{
    return cat->cfg->nkpis;
}

void kpi_catalog_kpi(const kpi_catalog *cat, size_t i, kpi_kpi_info *info)
{
    kkpi_info(&cat->cfg->kpis[i], info);
}
