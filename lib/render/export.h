/*
 * export.h - the formats of `kpi export` (kpi_export), private to libkpi: a table of function
 * pointers per format (export_text.c: CSV and NDJSON, export_sqlite.c: a new SQLite file),
 * fed the rows of lib/store's read_rows one at a time. Rendering lives here, once, so that the
 * CLI and, later, the server write the same bytes. The value rules are kpi.h's.
 */
#ifndef KPI_EXPORT_H
#define KPI_EXPORT_H

#include "../store/store.h"

typedef struct kexport_format kexport_format;

/* One export in progress. */
typedef struct kexport {
    const kexport_format *format;
    const kstream *stream;
    kpi_write_fn write; /* CSV, NDJSON: where the bytes go */
    void *write_ctx;
    const char *path; /* SQLITE: the file made; text formats: named in a write error, or NULL */
    kbuf buf;         /* text formats: bytes made and not yet written (the caller's) */
    void *state;      /* SQLITE: its connection and insert */
} kexport;

struct kexport_format {
    kpi_export_format id;
    const char *name;
    /* Starts: the header, or the new file and its table. */
    kpi_status (*begin)(kexport *x, kpi_error *err);
    /* One row: a value per field of the stream, as read_rows gives them. */
    kpi_status (*row)(kexport *x, const kscan_value *vals, kpi_error *err);
    /* Ends: with ok, writes out what is left (commits); without, undoes what it can (an
     * SQLITE export removes its file). Frees what begin made; called after a failed begin too. */
    kpi_status (*end)(kexport *x, bool ok, kpi_error *err);
};

extern const kexport_format kexport_csv;
extern const kexport_format kexport_ndjson;
extern const kexport_format kexport_sqlite;

/*
 * Writes a value that is neither null nor text as an export shows it: a time in UTC
 * ("2026-10-05T10:00:00Z", "2026-10-05T10:00:00.250000Z"), a date, a number's exact decimal
 * ("-0.0001"), an integer, "true"/"false". buf holds at least 48 bytes. Returns the length.
 */
size_t kexport_value(const kfield *f, const kscan_value *v, char *buf, size_t cap);

#endif
