/*
 * reader.h - streaming readers for the input formats kpi imports (CSV per RFC 4180, NDJSON).
 * Both turn a byte source into records of fields with their positions, in bounded memory
 * whatever the input size, transcoding latin1 / windows-1252 input to UTF-8 on the way.
 * They know nothing of streams or types: the import layer maps fields to a schema.
 */
#ifndef KPI_INGEST_READER_H
#define KPI_INGEST_READER_H

#include "../util/util.h"

/* One field of a record. p is NULL for an absent value (a missing NDJSON key or JSON null);
 * an empty CSV field has p != NULL and n == 0. The bytes live until the next call. */
typedef struct kfield_val {
    const char *p;
    size_t n;
    unsigned long column; /* 1-based byte column of the field start in its line (CSV), or
                             of the value in the line (NDJSON; 0 when absent) */
    unsigned long line;   /* physical line where the field starts */
} kfield_val;

typedef struct krecord {
    const kfield_val *fields;
    size_t nfields;
    unsigned long line; /* physical line where the record starts (1-based) */
    /* Set when the record is malformed but the reader could find its end and go on (stray
     * quote, invalid JSON on the line, a nested value): the import rejects the row with it. */
    const char *error;
    unsigned long error_column;
    const char *error_key;   /* NDJSON: the key whose value was refused, else NULL */
    const char *error_value; /* NDJSON: that value as written in the line, else NULL */
    size_t error_value_n;
    /* The record's raw bytes as read (after transcoding), for the reject file. */
    const char *raw;
    size_t raw_n;
} krecord;

/* ---- CSV ------------------------------------------------------------------------------- */

typedef struct kcsv kcsv;

/*
 * A CSV reader over read(). delimiter is usually ',' (also ';', '\t', '|'); max_record caps the
 * bytes of one record (a runaway quote cannot eat all memory): 0 means 64 MiB. A UTF-8 byte
 * order mark at the start is skipped. CRLF, LF and lone CR all end a line.
 */
kpi_status kcsv_create(kpi_read_fn read, void *ctx, char delimiter, kencoding enc,
                       size_t max_record, kcsv **out, kpi_error *err);
void kcsv_destroy(kcsv *r);

/*
 * Reads the next record. Returns 1 with *rec filled, 0 at the end of input, -1 on an error
 * that stops reading (I/O, a record over max_record, a quote still open at the end of input),
 * with err set (its line/column point into the input; err->file is left empty). Blank lines
 * are skipped. Quoted fields are unescaped ("" -> "). The record stays valid until the next call.
 */
int kcsv_next(kcsv *r, krecord *rec, kpi_error *err);

/* Bytes consumed from read() so far (before transcoding), for progress. */
uint64_t kcsv_bytes_read(const kcsv *r);

/* Appends one field to buf quoted as RFC 4180 requires (only when needed). */
bool kcsv_write_field(kbuf *buf, const char *p, size_t n, char delimiter);

/* ---- NDJSON ---------------------------------------------------------------------------- */

typedef struct kndjson kndjson;

/*
 * An NDJSON reader that extracts the values of `keys` (in that order) from each line's object.
 * keys are copied. max_line caps one line (0: 64 MiB).
 */
kpi_status kndjson_create(kpi_read_fn read, void *ctx, kencoding enc, const char *const *keys,
                          size_t nkeys, size_t max_line, kndjson **out, kpi_error *err);
void kndjson_destroy(kndjson *r);

/*
 * Reads the next non-blank line. Returns 1 with rec->fields[i] the value of keys[i]: strings
 * unescaped; numbers as their JSON text (integers exactly; a fraction is kept exact when it has
 * at most 15 significant digits, else the row is refused); true/false as "true"/"false"; null or
 * a missing key as p == NULL. A line that is not a JSON object, has a nested object/array as the
 * value of one of `keys`, or repeats a key, comes back with rec->error set. Returns 0 at the
 * end, -1 on an I/O error or a line over max_line (err set).
 */
int kndjson_next(kndjson *r, krecord *rec, kpi_error *err);

/* Calls fn once for each key seen in the input so far that is not one of `keys`, each key once
 * over the reader's life (for "ignored extra key" warnings). New keys since the last call only. */
void kndjson_new_extra_keys(kndjson *r, void (*fn)(void *ctx, const char *key), void *ctx);

uint64_t kndjson_bytes_read(const kndjson *r);

#endif
