/*
 * workspace_int.h - the workspace handle's insides, shared by the files of the top layer
 * (lib/api/) that implement include/kpi.h.
 */
#ifndef KPI_WORKSPACE_INT_H
#define KPI_WORKSPACE_INT_H

#include "../engine/engine.h"
#include "../ingest/import.h"
#include "../model/model.h"
#include "../store/store.h"
#include "../util/ktime.h"

struct kpi_workspace {
    char *dir;
    char *yaml_path;
    char *db_path;
    kconfig *cfg;
    kmeta *meta;   /* kpi.db: registry, ledger, targets, values, tokens */
    kstore *store; /* the events */
    ktz *tz;
    int64_t (*now_us)(void); /* the clock */
    int64_t pinned_now_us;   /* when non-zero, "now" (kpi_workspace_set_now) */
    kcompiled defs;          /* formulas, compiled on first use */
    bool compiled;
    int64_t compiled_version; /* kpi.db's data version when defs were compiled */
    kpi_error err;
    char token_strings[2048];  /* the strings of the last kpi_token_check */
    char kpi_error_text[2400]; /* the text of the last kpi_kpi_error */
};

/* "now" in microseconds UTC: the pinned time, else the clock. */
int64_t kws_now(const kpi_workspace *ws);

/* The workspace's calendar, with today set so that relative names ("last-month") read. */
kcalendar kws_calendar(const kpi_workspace *ws);

/* The stream of kpi.yaml named name; NULL with KPI_NOTFOUND on the handle ("unknown stream
 * 'order' (did you mean 'orders'?)") when there is none. */
const kstream *kws_stream(kpi_workspace *ws, const char *name);

/* The public description of a KPI definition. */
void kkpi_info(const kkpi *k, kpi_kpi_info *info);

/* Compiles the KPI formulas once; errors stay on the handle. */
kpi_status kws_compile(kpi_workspace *ws);

#endif
