/*
 * query_api.c - the public query calls: compile the definitions once, work out "today" in the
 * workspace zone, and hand over to the engine.
 */
#include "workspace_int.h"

#include <stdlib.h>

kpi_status kws_compile(kpi_workspace *ws)
{
    if (ws->compiled)
        return KPI_OK;
    kpi_status rc = kcompiled_init(&ws->defs, ws->cfg, &ws->err);
    if (rc != KPI_OK) {
        kcompiled_release(&ws->defs);
        return rc;
    }
    ws->compiled = true;
    return KPI_OK;
}

static kquery_env env_of(kpi_workspace *ws)
{
    return (kquery_env){&ws->defs, ws->store, ktz_day_of(ws->tz, kws_now(ws))};
}

kpi_status kpi_query_run(kpi_workspace *ws, const kpi_query *q, kpi_result **out)
{
    kpi_error_init(&ws->err);
    *out = NULL;
    kpi_status rc = kws_compile(ws);
    if (rc != KPI_OK)
        return rc;
    kquery_env env = env_of(ws);
    return kquery_run(&env, q, out, &ws->err);
}

char *kpi_query_explain(kpi_workspace *ws, const kpi_query *q)
{
    kpi_error_init(&ws->err);
    if (kws_compile(ws) != KPI_OK)
        return NULL;
    kquery_env env = env_of(ws);
    kbuf out;
    kbuf_init(&out, 0);
    if (kquery_explain(&env, q, &out, &ws->err) != KPI_OK) {
        kbuf_release(&out);
        return NULL;
    }
    return out.p;
}
