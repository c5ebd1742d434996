/*
 * embedded.h - files compiled into the library by tools/embed.c (the standard catalog).
 */
#ifndef KPI_EMBEDDED_H
#define KPI_EMBEDDED_H

#include <stddef.h>

typedef struct kembedded {
    const char *name; /* file name, NULL at the end of a list */
    const char *data;
    size_t len;
} kembedded;

/* The catalog YAML files (catalog/), one per department. */
extern const kembedded kcatalog_files[];

#endif
