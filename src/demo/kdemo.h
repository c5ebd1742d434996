/*
 * kdemo.h - the demo company generator's entry point, for the `kpi demo` command: a workspace
 * for Alder & Finch Outdoor, a fictional maker and retailer of outdoor gear, with two years of
 * raw events in every catalog stream and targets for every catalog KPI. The generator is a
 * tool, not part of libkpi: it uses include/kpi.h only, as any client would.
 */
#ifndef KPI_KDEMO_H
#define KPI_KDEMO_H

#include "kpi.h"

typedef struct kdemo_options {
    uint64_t seed;  /* same seed (and day), same data; 0 is a seed like any other */
    double scale;   /* event volumes x scale; 1 is about 2.9 million events */
    int months;     /* complete months before the current one (default 24) */
    int64_t now_us; /* "today" (UTC microseconds); 0: the clock */
    int keep_csv;   /* keep the generated CSV files in DIR/data (else removed once imported) */
    /* optional: told each step ("generating", "importing orders", "targets"), with the rows
     * generated or imported so far */
    void (*step)(void *ctx, const char *what, uint64_t rows);
    void *ctx;
} kdemo_options;

typedef struct kdemo_result {
    uint64_t events; /* rows generated and imported, over every stream */
    size_t streams;
    size_t targets;    /* targets stored */
    double generate_s; /* seconds spent generating the CSV files */
    double total_s;    /* seconds from the start of generation to the end of the import
                          (the import of a month's files overlaps the generation of the
                          months after) */
} kdemo_result;

/* Sets options to their defaults (seed 1, scale 1, 24 months). */
void kdemo_options_init(kdemo_options *opts);

/*
 * Creates a workspace in `dir` (which must not be a workspace yet) with the standard catalog,
 * in the company's name and time zone: generates the raw events of every catalog stream from
 * the first day of the month `months` months ago up to now, imports them with
 * kpi_import_file, and sets targets for every catalog KPI (company-wide, and per rep, store and
 * region for revenue) with kpi_targets_import. Deterministic for a seed and a day.
 * Details of a failure go to *err.
 */
kpi_status kdemo_create(const char *dir, const kdemo_options *opts, kdemo_result *result,
                        kpi_error *err);

#endif
