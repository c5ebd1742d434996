/*
 * segment.h - the immutable columnar segment file of the embedded event store (DESIGN §5,
 * docs/storage.md "Segment files"): up to 262,144 rows of one stream sorted by time, stored
 * column after column in granules of 8,192 rows, each granule bit-packed against a frame of
 * reference, with a footer of zone maps (min, max, null count per granule) and XXH3-64
 * checksums. A segment is written once, in full, and only read after that.
 *
 * This layer knows nothing of streams or fields: a column is a kind and an array. Indices of
 * columns and granules are 0-based everywhere, messages included.
 */
#ifndef KPI_SEGMENT_H
#define KPI_SEGMENT_H

#include "../util/util.h"

#define KSEGMENT_GRANULE_ROWS 8192
#define KSEGMENT_MAX_ROWS (32 * KSEGMENT_GRANULE_ROWS) /* 262,144 */
#define KSEGMENT_MAX_GRANULES (KSEGMENT_MAX_ROWS / KSEGMENT_GRANULE_ROWS)
#define KSEGMENT_MAX_COLUMNS 4096
#define KSEGMENT_MAX_SCALE 18 /* 10^18 still fits in int64 */

/* What a column holds. The numbers are stored in the footer and never change meaning. */
typedef enum ksegment_kind {
    KSEG_TIME = 1, /* int64 microseconds UTC, never null, sorted ascending: the segment's key */
    KSEG_INT = 2,  /* int64 scaled by 10^scale (number, integer, date, other times), nullable */
    KSEG_CODE = 3, /* uint32 dictionary code of a text value (the dictionary lives elsewhere) */
    KSEG_BOOL = 4  /* 0 or 1, nullable */
} ksegment_kind;

/* One column to write: its kind and the array of its kind (the other two stay NULL). */
typedef struct ksegment_column {
    ksegment_kind kind;
    unsigned scale;       /* KSEG_INT: 0..KSEGMENT_MAX_SCALE; 0 for the other kinds */
    const int64_t *i64;   /* KSEG_TIME, KSEG_INT: rows values */
    const uint32_t *u32;  /* KSEG_CODE: rows codes */
    const uint8_t *u8;    /* KSEG_BOOL: rows values, any nonzero byte is true */
    const uint8_t *nulls; /* optional: rows bytes, nonzero marks a null row (its value is
                             ignored); NULL when the column has no nulls */
} ksegment_column;

/* A whole segment to write: rows in time order, exactly one KSEG_TIME column. */
typedef struct ksegment_input {
    size_t rows; /* 1..KSEGMENT_MAX_ROWS */
    size_t ncols;
    const ksegment_column *cols;
} ksegment_input;

/*
 * Writes the segment `in` to `path` (created or truncated, mode 0644) and fsyncs it; the caller
 * writes to a temporary name and renames. Refuses, before creating anything, an input that
 * breaks the contract above: no rows or more than KSEGMENT_MAX_ROWS (KPI_LIMIT), time out of
 * order or null, a missing array, a bad kind or scale (KPI_USAGE). An I/O failure is KPI_IO
 * with the path and the system's reason, and removes what was written.
 */
kpi_status ksegment_write(const char *path, const ksegment_input *in, kpi_error *err);

/* An open segment (opaque): the file mapped read-only and its footer, checked. */
typedef struct ksegment ksegment;

/*
 * Opens the segment file at `path`: maps it and checks the magic at both ends, the format
 * version, the footer's checksum and every count, offset and length in the footer against the
 * file size and each other before anything in it is used. Column data is checked later, by
 * the first ksegment_read of each column. On success *out owns the mapping (ksegment_close
 * frees it). Errors: KPI_IO, with err->file = path and a message that says what is wrong
 * ("truncated: ...", "footer checksum mismatch", ...); KPI_NOMEM.
 */
kpi_status ksegment_open(const char *path, ksegment **out, kpi_error *err);

/*
 * Same, over size bytes at data, which the caller keeps alive and unchanged until
 * ksegment_close; `name` (copied) stands for the file in messages.
 */
kpi_status ksegment_open_mem(const char *name, const void *data, size_t size, ksegment **out,
                             kpi_error *err);

/* Unmaps and frees; NULL is fine. */
void ksegment_close(ksegment *seg);

size_t ksegment_rows(const ksegment *seg);
size_t ksegment_columns(const ksegment *seg);
/* ceil(rows / KSEGMENT_GRANULE_ROWS): the granule count of every column. */
size_t ksegment_granules(const ksegment *seg);
/* The first and last time of the segment (the TIME column's min and max). */
void ksegment_time_range(const ksegment *seg, int64_t *min, int64_t *max);
/* A column's kind and scale; col must be below ksegment_columns. */
ksegment_kind ksegment_column_kind(const ksegment *seg, size_t col);
unsigned ksegment_column_scale(const ksegment *seg, size_t col);

/* What the footer says of one granule: enough to skip it without reading it. */
typedef struct ksegment_granule {
    size_t rows;  /* KSEGMENT_GRANULE_ROWS, fewer in the last granule */
    size_t nulls; /* null rows */
    int64_t min;  /* over the non-null rows; both 0 when every row is null */
    int64_t max;
} ksegment_granule;

/* Fills *info for granule g of column col; false when either is out of range. */
bool ksegment_granule_info(const ksegment *seg, size_t col, size_t g, ksegment_granule *info);

/*
 * The granules whose rows may have times in [from, to), as the run [*first, *end) (granules
 * are in time order); *first == *end when there are none (as when to <= from). A scan over a period
 * reads these.
 */
void ksegment_time_granules(const ksegment *seg, int64_t from, int64_t to, size_t *first,
                            size_t *end);

/*
 * Decodes granule g of column col into values[0..rows) (CODE and BOOL widened to int64) and,
 * when `nulls` is not NULL, nulls[0..rows) (1: null, 0: not), rows being the granule's. A null
 * row's value is 0. Both arrays hold KSEGMENT_GRANULE_ROWS items. The first read of a column
 * verifies its chunk's checksum (once; later reads trust it). Safe from several threads.
 * Errors: KPI_USAGE for col or g out of range; KPI_IO "column C granule G: checksum mismatch"
 * with err->file set to the segment's name.
 */
kpi_status ksegment_read(ksegment *seg, size_t col, size_t g, int64_t *values, uint8_t *nulls,
                         kpi_error *err);

#endif
