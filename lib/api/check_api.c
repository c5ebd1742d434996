/*
 * check_api.c - kpi_check, behind `kpi check`: the definitions of a workspace validated as a
 * whole without opening its data - kpi.yaml and its includes (every broken stream and KPI,
 * not just the first), then every formula (parse, names, types, cycles, uses of broken
 * KPIs) - so that one run lists every mistake to fix.
 */
#include "workspace_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reports one mistake. */
static void tell(void (*fn)(void *, const kpi_error *), void *ctx, const kpi_error *e,
                 size_t *count)
{
    ++*count;
    if (fn)
        fn(ctx, e);
}

kpi_status kpi_check(const char *dir, void (*fn)(void *ctx, const kpi_error *e), void *ctx,
                     size_t *count, kpi_error *err)
{
    *count = 0;
    kpi_error_init(err);
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/kpi.yaml", dir && *dir ? dir : ".");
    struct stat sb;
    if (len < 0 || (size_t)len >= sizeof path)
        return kerr_set(err, KPI_USAGE, "path too long: '%s'", dir);
    if (stat(path, &sb) != 0)
        return kerr_set(err, KPI_NOTFOUND, "no kpi.yaml in '%s'", dir && *dir ? dir : ".");
    kconfig *cfg = NULL;
    kpi_status rc = kcfg_load_all(path, &cfg, err);
    if (!cfg) /* the files could not be read or parsed: that one mistake */
        return rc;
    for (size_t i = 0; i < cfg->nproblems; i++)
        tell(fn, ctx, cfg->problems[i], count);
    ktz *tz = NULL;
    kpi_error tz_err;
    kpi_error_init(&tz_err);
    if (ktz_open(cfg->timezone, &tz, &tz_err) != KPI_OK) {
        snprintf(tz_err.file, sizeof tz_err.file, "%.*s", (int)sizeof tz_err.file - 1, path);
        kerr_prefix(&tz_err, "workspace.timezone");
        tell(fn, ctx, &tz_err, count);
    }
    ktz_close(tz);
    karena arena;
    karena_init(&arena, 0);
    kexpr **trees;
    const kpi_error **broken;
    rc = rc == KPI_DEFINITION ? KPI_OK : rc; /* a broken stream: its KPIs are checked too */
    if (rc == KPI_OK)
        rc = kformula_compile_each(cfg, &arena, &trees, &broken, err);
    for (size_t i = 0; rc == KPI_OK && i < cfg->nkpis; i++)
        if (broken[i] && broken[i] != cfg->kpis[i].broken) /* the definition's: told above */
            tell(fn, ctx, broken[i], count);
    karena_release(&arena);
    kcfg_free(cfg);
    if (rc == KPI_OK && *count)
        rc = kerr_set(err, KPI_DEFINITION, "%zu mistake%s in the definitions", *count,
                      *count == 1 ? "" : "s");
    return rc;
}
