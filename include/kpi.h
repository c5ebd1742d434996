/*
 * kpi.h - the public API of libkpi, the KPI engine.
 *
 * Everything the `kpi` command-line tool and the `kpi serve` server do goes through this header:
 * they are thin shells over the library. Handles are opaque, created and destroyed in pairs;
 * destroy functions accept NULL. A failing call returns a kpi_status and leaves the detailed
 * message (with its file:line:column when there is one) on the handle it was called on.
 */
#ifndef KPI_H
#define KPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KPI_VERSION "0.1.0"

/* Marks the API: libkpi is built with -fvisibility=hidden, so libkpi.so exports these and
 * nothing else (tests/cli/060-exports.sh checks it). */
#if defined(__GNUC__) || defined(__clang__)
#define KPI_API __attribute__((visibility("default")))
#else
#define KPI_API
#endif

/*
 * Status codes. Numbered and append-only: a value never changes meaning.
 * X(name, number, description)
 */
#define KPI_STATUS_MAP(X)                                                                          \
    X(OK, 0, "ok")                                                                                 \
    X(NOMEM, 1, "out of memory")                                                                   \
    X(IO, 2, "input/output error")                                                                 \
    X(DB, 3, "database error")                                                                     \
    X(USAGE, 4, "invalid usage")                                                                   \
    X(DEFINITION, 5, "invalid definition")                                                         \
    X(NOTFOUND, 6, "not found")                                                                    \
    X(INPUT, 7, "invalid input")                                                                   \
    X(CONFLICT, 8, "conflicts with stored data")                                                   \
    X(CANCELLED, 9, "cancelled")                                                                   \
    X(LIMIT, 10, "limit exceeded")

typedef enum kpi_status {
#define KPI_STATUS_ENUM(name, num, text) KPI_##name = num,
    KPI_STATUS_MAP(KPI_STATUS_ENUM)
#undef KPI_STATUS_ENUM
} kpi_status;

/* A short description of a status ("invalid definition"). Never NULL. */
KPI_API const char *kpi_strerror(kpi_status status);

/* The symbolic name of a status ("DEFINITION"). Never NULL. */
KPI_API const char *kpi_status_name(kpi_status status);

/*
 * The one error type: a status, a message, and where it happened when that is known
 * (file is "" and line/column are 0 otherwise). `message` does not repeat the location;
 * kpi_error_format() joins them as "file:line:column: message".
 */
typedef struct kpi_error {
    kpi_status status;
    char file[512];
    unsigned long line;
    unsigned long column;
    char message[1536];
} kpi_error;

/* Resets an error to KPI_OK with empty text. */
KPI_API void kpi_error_init(kpi_error *err);

/* Writes "file:line:column: message" (or just "message") into buf, truncating to cap. */
KPI_API void kpi_error_format(const kpi_error *err, char *buf, size_t cap);

/* ---- workspaces ---------------------------------------------------------------------- */

/* A workspace: a directory with kpi.yaml (definitions) and kpi.db (embedded SQLite store). */
typedef struct kpi_workspace kpi_workspace;

/*
 * Creates a new workspace in `dir` (created when missing): a commented kpi.yaml template and an
 * empty kpi.db in WAL mode. With with_catalog, the standard KPI catalog instead: one
 * kpis/<department>.yaml per department (its KPIs and the streams they read) included from a
 * short kpi.yaml. Refuses (KPI_CONFLICT) when dir already holds a kpi.yaml.
 * Details of a failure go to *err.
 */
KPI_API kpi_status kpi_workspace_init(const char *dir, int with_catalog, kpi_error *err);

/*
 * Opens the workspace in `dir`: loads and validates kpi.yaml (and its includes), opens kpi.db
 * and brings its stored schema up to date with the definitions (new streams and fields are
 * added; retyping or dropping a field that holds data is refused with KPI_CONFLICT).
 * *out is set to a handle even on failure (unless out of memory) so that the error can be read
 * with kpi_workspace_error(); the caller destroys it either way.
 */
KPI_API kpi_status kpi_workspace_open(const char *dir, kpi_workspace **out);

/* Closes the store and frees the handle. Accepts NULL. */
KPI_API void kpi_workspace_destroy(kpi_workspace *ws);

/* The last error on the handle (status KPI_OK when the last call succeeded). */
KPI_API const kpi_error *kpi_workspace_error(const kpi_workspace *ws);

/* Pins "now" (microseconds since the epoch, UTC) for everything that depends on the current
 * date: the open period, default periods, reject file names. 0 returns to the clock. */
KPI_API void kpi_workspace_set_now(kpi_workspace *ws, int64_t utc_us);

/* Parses an ISO 8601 time ("2026-11-23T12:00:00Z"; without an offset: UTC) to microseconds
 * since the epoch; INT64_MIN when it is not one. */
KPI_API int64_t kpi_parse_time(const char *iso);

/* The workspace directory, as given to open. */
KPI_API const char *kpi_workspace_dir(const kpi_workspace *ws);

/* ---- streams --------------------------------------------------------------------------- */

typedef enum kpi_field_type {
    KPI_FIELD_TIME,
    KPI_FIELD_DATE,
    KPI_FIELD_NUMBER,
    KPI_FIELD_INTEGER,
    KPI_FIELD_TEXT,
    KPI_FIELD_BOOL
} kpi_field_type;

/* The name of a field type as written in kpi.yaml ("number"). */
KPI_API const char *kpi_field_type_name(kpi_field_type type);

/* A summary of one stream, for `kpi streams`. Strings are owned by the workspace. */
typedef struct kpi_stream_info {
    const char *name;
    const char *kind; /* "events" or "snapshots" */
    const char *time_field;
    const char *id_field; /* NULL when the stream has none */
    size_t field_count;
    int64_t rows;
    int64_t first_time_us; /* first and last event time, microseconds since the epoch, UTC; */
    int64_t last_time_us;  /* both 0 when rows == 0 */
    int time_is_date;      /* 1 when the time field is a date (no time of day) */
} kpi_stream_info;

/* The number of streams defined in the workspace. */
KPI_API size_t kpi_stream_count(const kpi_workspace *ws);

/* Fills *info for the stream at index i (0 <= i < kpi_stream_count), counting its rows. */
KPI_API kpi_status kpi_stream_info_get(kpi_workspace *ws, size_t i, kpi_stream_info *info);

/*
 * What every stream holds, as the JSON of `kpi streams --format json` and GET /api/v1/streams
 * (one renderer for both): {"streams": [{"name", "kind", "fields", "time", "id", "rows",
 * "first", "last"}...]} and a newline. Returns a string the caller frees with free(), or NULL
 * on failure (the error on the handle).
 */
KPI_API char *kpi_streams_json(kpi_workspace *ws);

/* Like kpi_stream_info_get from the definitions alone, without reading the store: rows,
 * first_time_us and last_time_us are 0. */
KPI_API kpi_status kpi_stream_def_get(kpi_workspace *ws, size_t i, kpi_stream_info *info);

/*
 * Deletes every stored event of a stream (or of a stream no longer defined), so that its
 * schema can change freely. Returns KPI_NOTFOUND when no such stream is stored or defined.
 */
KPI_API kpi_status kpi_stream_drop(kpi_workspace *ws, const char *name, int64_t *rows_deleted);

/* Formats a UTC time (microseconds) in the workspace time zone as ISO 8601 with its offset,
 * or as a date when date_only is set. Writes at most cap bytes, always NUL-terminated. */
KPI_API void kpi_workspace_format_time(const kpi_workspace *ws, int64_t utc_us, int date_only,
                                       char *buf, size_t cap);

/* ---- import ------------------------------------------------------------------------------ */

/* Reads up to cap bytes into buf. Returns the count, 0 at the end, or -1 on error (errno set). */
typedef ptrdiff_t (*kpi_read_fn)(void *ctx, char *buf, size_t cap);

/* Progress of an import, reported at most a few times a second. total_bytes is 0 when unknown. */
typedef struct kpi_progress {
    uint64_t bytes_read;
    uint64_t total_bytes;
    uint64_t rows;
    double elapsed_s;
} kpi_progress;

typedef void (*kpi_progress_fn)(void *ctx, const kpi_progress *progress);

/* A warning that does not stop the import (an ignored extra column, say). */
typedef void (*kpi_warning_fn)(void *ctx, const kpi_error *warning);

typedef enum kpi_format { KPI_FORMAT_AUTO, KPI_FORMAT_CSV, KPI_FORMAT_NDJSON } kpi_format;

typedef struct kpi_import_options {
    kpi_format format;        /* AUTO: by file extension (.ndjson/.jsonl/.json), else CSV */
    const char *rejects_path; /* NULL: <workspace>/rejects/<stream>-<time>.<ext>, made if needed */
    size_t batch_rows;        /* rows per transaction; 0: the default (65536). Two batches
                                 are in memory: one parsed while the other commits */
    kpi_progress_fn progress; /* optional */
    kpi_warning_fn warning;   /* optional */
    void *ctx;                /* passed to progress and warning */
    volatile int *cancel;     /* optional: set non-zero (e.g. from SIGINT) to stop after the
                                 batch in flight is rolled back */
    /* optional: told of each rejected row (as it goes to the reject file); value and reason
     * are valid UTF-8 (bytes that are not show as \xNN), the value cut to 200 bytes. */
    void (*rejected)(void *ctx, unsigned long line, unsigned long column, const char *field,
                     const char *value, const char *reason);
    /* optional: "YYYY-MM-DD" (or an ISO time) stamped into the time field of every row, for
     * files without a column for it (a monthly export is a snapshot as of its date); a file
     * that has the column is refused. */
    const char *as_of;
} kpi_import_options;

typedef struct kpi_import_result {
    uint64_t accepted;       /* rows stored */
    uint64_t rejected;       /* rows written to the reject file */
    uint64_t duplicates;     /* rows whose id was already stored (or repeated in the input) */
    uint64_t batches;        /* transactions committed */
    uint64_t rounded;        /* values of accepted rows rounded to their field's scale */
    int rounded_scale;       /* that scale when every rounded field has the same one, else -1 */
    char rejects_path[1024]; /* "" when nothing was rejected */
} kpi_import_result;

/* Sets options to their defaults. */
KPI_API void kpi_import_options_init(kpi_import_options *opts);

/*
 * Imports the file at `path` ("-" for standard input) into `stream`. Rows that fail validation
 * go to the reject file with their line, field, value and reason and do not stop the import;
 * every batch commits atomically; rows whose id is already stored count as duplicates.
 * *result is reset, then filled with this file's counts (also when the import stops early:
 * batches committed before stay committed). Returns KPI_OK even when rows were rejected (see
 * result->rejected); KPI_INPUT when the file cannot be imported at all (a required column is
 * missing, a quoted field never ends), KPI_CANCELLED when *cancel was set.
 */
KPI_API kpi_status kpi_import_file(kpi_workspace *ws, const char *stream, const char *path,
                                   const kpi_import_options *opts, kpi_import_result *result);

/*
 * Like kpi_import_file, reading from a callback; `name` labels error locations (e.g. "-").
 * total_bytes may be 0 when unknown.
 */
KPI_API kpi_status kpi_import_reader(kpi_workspace *ws, const char *stream, const char *name,
                                     kpi_read_fn read, void *read_ctx, uint64_t total_bytes,
                                     const kpi_import_options *opts, kpi_import_result *result);

/* ---- export ------------------------------------------------------------------------------ */

/*
 * The stored events of a stream, written out for other tools, and read back by `kpi import`
 * (the same kpi.yaml stores the same rows). Values are exact: a time is ISO 8601 in UTC
 * ("2026-10-05T10:00:00Z", ".ffffff" when its microseconds are not 0), a date "2026-10-05", a
 * number its stored decimal without trailing zeros ("12.5", "-0.0001", "3"), an integer, a
 * bool true/false, text as stored (UTF-8). Rows come in time order.
 *   CSV     a header of the field names (kpi.yaml order), a line per row, RFC 4180 quoting,
 *           lines ending "\n"; a null is an empty field.
 *   NDJSON  an object per line, keys in field order: numbers, integers and bools as JSON
 *           numbers and booleans, times and dates as strings, null as null.
 *   SQLITE  a new SQLite file holding one table named as the stream, a column per field:
 *           time and date TEXT (as above), number REAL, integer and bool INTEGER, text TEXT.
 */
typedef enum kpi_export_format {
    KPI_EXPORT_CSV,
    KPI_EXPORT_NDJSON,
    KPI_EXPORT_SQLITE
} kpi_export_format;

/* Writes n bytes; returns 0, or -1 on error (errno set). */
typedef int (*kpi_write_fn)(void *ctx, const char *p, size_t n);

typedef struct kpi_export_options {
    kpi_export_format format; /* default CSV */
    const char *from; /* the first day "YYYY-MM-DD" in the workspace zone; NULL: the first row */
    const char *to;   /* the last day, inclusive; NULL: the last row */
    /* the file to write: CSV and NDJSON replace it; SQLITE needs one and refuses an existing
     * file (KPI_CONFLICT). NULL: CSV and NDJSON go to write(ctx, ...), as they are made. */
    const char *path;
    kpi_write_fn write;
    void *ctx;
} kpi_export_options;

/* Sets options to their defaults: CSV, every row, no output. */
KPI_API void kpi_export_options_init(kpi_export_options *opts);

/* Parses "csv", "ndjson", "sqlite"; 1 when known. */
KPI_API int kpi_export_format_parse(const char *name, kpi_export_format *out);

/*
 * Writes the events of `stream` stored on the days from..to (inclusive, in the workspace time
 * zone, as every period is cut), in time order, in opts->format; *rows (may be NULL) receives
 * how many. KPI_NOTFOUND for an unknown stream (with "did you mean"), KPI_USAGE for a bad date,
 * --to before --from, or no output; KPI_IO when the output cannot be written. A failed SQLITE
 * export removes its file; a failed CSV or NDJSON export may have written part of its rows.
 */
KPI_API kpi_status kpi_export(kpi_workspace *ws, const char *stream, const kpi_export_options *opts,
                              uint64_t *rows);

/* ---- queries --------------------------------------------------------------------------- */

/* A query: KPI values per period (and per group) with comparisons, targets and status. */
typedef struct kpi_query {
    const char *const *kpis; /* KPI ids */
    size_t nkpis;
    const char *period; /* a period name ("2026-10", "2026-Q4", "FY2027"); or NULL */
    const char *from;   /* or a date range (inclusive); NULL: the KPI's data */
    const char *to;
    const char *grain;     /* NULL: each KPI's own grain (the first KPI's for a shared axis) */
    const char *const *by; /* dimensions to break down by */
    size_t nby;
    const char *where; /* a condition over dimensions: region = "West" */
    /* Only the rows where dimension only_dimension holds only_value (a self token's own rows;
     * both or neither). It is combined with `where` as parsed conditions, never as text, so
     * no `where` can widen it. */
    const char *only_dimension;
    const char *only_value;
} kpi_query;

/* One value of a series. Doubles are NaN when undefined (JSON null, shown as "—"). */
typedef struct kpi_point {
    const char *period;       /* its name */
    const char *const *group; /* values of the query's `by` dimensions (nby of them) */
    double value;
    double previous;
    double change;        /* (value - previous) / |previous| */
    double change_points; /* value - previous, for percent and ratio units; else NaN */
    double last_year;
    double target;
    double attainment;
    const char *status;      /* on_track at_risk off_track no_target no_data */
    int complete;            /* 0 for the open (current, unfinished) period */
    double expected_to_date; /* open period only, else NaN */
    double projected;        /* open period only, else NaN */
    /* 1 when the data begins after the first day of the previous period (of last year's)
     * compared with: that comparison is with a period the data covers only in part, or not
     * at all (series.data_from says from when) */
    int previous_partial;
    int last_year_partial;
} kpi_point;

typedef struct kpi_series {
    const char *id;
    const char *name;
    const char *description;
    const char *department;
    const char *unit; /* count currency percent ratio duration number */
    int decimals;
    const char *direction; /* up | down */
    const kpi_point *points;
    size_t npoints;
    const char *error;     /* NULL, or why the KPI is broken ("kpi.yaml:12:14: unknown
                              field..."): a report lists it in its place, without points */
    const char *data_from; /* the first day ("2024-12-01") on which every stream the KPI reads
                              holds data; NULL when unknown (a manual KPI, no data yet) */
} kpi_series;

/* A query result; everything it points to is owned by it. */
typedef struct kpi_result kpi_result;

/* Runs a query. *out is set on success; free it with kpi_result_destroy. */
KPI_API kpi_status kpi_query_run(kpi_workspace *ws, const kpi_query *q, kpi_result **out);
KPI_API void kpi_result_destroy(kpi_result *r);

/*
 * The review: every computed KPI (of one department when department is non-NULL) for `period`
 * (NULL: the last complete month) and the 11 periods before it, at the period's grain, so that
 * each series ends with the period under review and gives its sparkline. Only that last
 * point has its previous period and last year (and change); the others are values.
 */
KPI_API kpi_status kpi_report_run(kpi_workspace *ws, const char *period, const char *department,
                                  kpi_result **out);

/* The review of kpi_report_run for the KPIs named (ids, n), in that order: e.g. the KPIs of a
 * department that a caller may read. */
KPI_API kpi_status kpi_review_run(kpi_workspace *ws, const char *period, const char *const *ids,
                                  size_t n, kpi_result **out);

/*
 * A person's (or a store's...) scorecard: the review of kpi_report_run for the KPIs that
 * declare `dimension`, over the rows where dimension = value only (rep = Ana: her figures).
 */
KPI_API kpi_status kpi_scorecard_run(kpi_workspace *ws, const char *period, const char *dimension,
                                     const char *value, kpi_result **out);

/*
 * A leaderboard: KPI broken down by one dimension for one period (NULL: the current period
 * of the KPI's grain), best first by the KPI's direction, at most n groups (0: all).
 */
KPI_API kpi_status kpi_top_run(kpi_workspace *ws, const char *kpi, const char *dimension,
                               const char *period, size_t n, kpi_result **out);

/* A number that changes when another handle (or process) has changed the workspace's data
 * since this handle last looked: events imported, targets, values or tokens set. Answers
 * computed at the same version (and day) are still right. */
KPI_API kpi_status kpi_workspace_version(kpi_workspace *ws, int64_t *version);

/* The name of the period of `grain` ("month", "week"... NULL: month) that holds today, in the
 * workspace's calendar ("2026-11", "2026-W48"). */
KPI_API kpi_status kpi_current_period(kpi_workspace *ws, const char *grain, char *buf, size_t cap);

/* A KPI's definition, for `kpi list` and the API; strings are owned by the workspace. */
typedef struct kpi_kpi_info {
    const char *id, *name, *description, *department, *unit, *grain, *direction, *formula;
    const char *const *tags;
    size_t ntags;
    const char *const *dimensions;
    size_t ndimensions;
    int manual;
    int decimals; /* how many decimals its values are shown with */
    /* `metrics:` the dimensions /metrics breaks it down by (default: all of dimensions), and
     * the most groups a breakdown may have before it is left out of /metrics */
    const char *const *metrics_dimensions;
    size_t nmetrics_dimensions;
    int metrics_max_groups;
} kpi_kpi_info;

KPI_API size_t kpi_kpi_count(const kpi_workspace *ws);

KPI_API void kpi_kpi_info_get(const kpi_workspace *ws, size_t i, kpi_kpi_info *info);

/* NULL when KPI i can be computed; else why not ("kpi.yaml:12:14: unknown field 'revnue'..."
 * - its definition, its formula, or a broken KPI it uses). Queries of it fail with that
 * reason; reports list it in its place. The text is valid until the next call on ws. */
KPI_API const char *kpi_kpi_error(kpi_workspace *ws, size_t i);

/*
 * The KPIs whose values KPI i's formula reads, directly or through other KPIs (never i itself):
 * their indexes (as for kpi_kpi_info_get), at most cap of them into out. *n receives how many
 * there are (it may exceed cap). What a KPI shows reveals what it reads: a caller that may not
 * read one of them may not read KPI i either. Fails when the formulas do not compile.
 */
KPI_API kpi_status kpi_kpi_uses(kpi_workspace *ws, size_t i, size_t *out, size_t cap, size_t *n);

/*
 * Validates the definitions of the workspace in `dir` - kpi.yaml, the files it includes and
 * every formula - without opening its data, and calls fn (when non-NULL) with each mistake
 * found: those of the definitions in file order, then the formulas' (a KPI that uses a broken
 * KPI is one too). *count is how many.
 * KPI_OK when there is none, KPI_DEFINITION when there are, KPI_IO / KPI_NOTFOUND when the
 * files cannot be read (err says why, and fn is not called).
 */
KPI_API kpi_status kpi_check(const char *dir, void (*fn)(void *ctx, const kpi_error *e), void *ctx,
                             size_t *count, kpi_error *err);

/* ---- targets ---------------------------------------------------------------------------- */

/*
 * Sets a target of a KPI, kept in kpi.db: for one period (a period name) or every period
 * (period NULL), optionally for dimension values (dims[i] = "rep=Ana"; each dimension must be
 * one the KPI declares). A later target for the same KPI, period and values replaces it; a
 * target set here wins over kpi.yaml's for the same scope.
 */
KPI_API kpi_status kpi_target_set(kpi_workspace *ws, const char *kpi, const char *period,
                                  const char *const *dims, size_t ndims, double value);

/*
 * Imports targets from a CSV with the columns kpi, value, and optionally period and any
 * dimension columns (e.g. rep, region; an empty cell leaves that dimension unset). All or
 * nothing: every row is checked first, and a bad row fails the import naming file:line.
 * *count receives the number of targets stored.
 */
KPI_API kpi_status kpi_targets_import(kpi_workspace *ws, const char *path, size_t *count);

/*
 * Deletes the target stored (with kpi_target_set or kpi_targets_import) for exactly this KPI,
 * period (NULL: the target for every period) and dimension values. KPI_NOTFOUND when there is
 * none; KPI_USAGE when the target is one of kpi.yaml's (edit the file instead).
 */
KPI_API kpi_status kpi_target_unset(kpi_workspace *ws, const char *kpi, const char *period,
                                    const char *const *dims, size_t ndims);

/* One target; strings are valid during the callback only. */
typedef struct kpi_target_entry {
    const char *kpi;
    const char *period; /* "" for every period */
    const char *dims;   /* "" or "dim=value" pairs joined by "&", sorted by dimension */
    double value;
    const char *source; /* where it is set: "kpi.yaml:LINE" (its file) or "kpi.db" */
} kpi_target_entry;

/* Calls fn for every target (of one KPI, or all when kpi is NULL): those of the definitions,
 * then those stored, which win over them for the same scope. */
KPI_API kpi_status kpi_targets_each(kpi_workspace *ws, const char *kpi,
                                    void (*fn)(void *ctx, const kpi_target_entry *t), void *ctx);

/* The name of a period as stored and shown: a relative name read against today
 * ("last-month" -> "2026-10"), any other checked and returned as written. */
KPI_API kpi_status kpi_period_name(kpi_workspace *ws, const char *period, char *buf, size_t cap);

/* ---- manual KPIs -------------------------------------------------------------------------- */

/*
 * Enters a value of a manual KPI (`manual: true`: a qualitative rating, a survey panel's
 * score) for a period, optionally for dimension values as for targets, with an optional note.
 * Values are kept with their history: the latest for a period and group is the KPI's value,
 * and holds in the shorter periods within it (a quarter's rating in each of its months).
 */
KPI_API kpi_status kpi_value_set(kpi_workspace *ws, const char *kpi, const char *period,
                                 const char *const *dims, size_t ndims, double value,
                                 const char *note);

/* One entered value; strings are valid during the callback only. */
typedef struct kpi_value_entry {
    const char *kpi;
    const char *period;
    const char *dims; /* "" or "dim=value" pairs joined by "&" */
    double value;
    const char *note;   /* NULL when none */
    const char *set_at; /* when it was entered, ISO 8601 UTC */
} kpi_value_entry;

/* Calls fn for every entered value (of one KPI, or all when kpi is NULL), oldest first. */
KPI_API kpi_status kpi_values_each(kpi_workspace *ws, const char *kpi,
                                   void (*fn)(void *ctx, const kpi_value_entry *v), void *ctx);

/* ---- API tokens ----------------------------------------------------------------------------- */

/* What a token may do (DESIGN §2): everything; read and write definitions, targets and values;
 * read (optionally the KPIs of some departments only); write events into some streams only;
 * read the rows of one dimension value only (a rep's own figures). */
typedef enum kpi_role {
    KPI_ROLE_ADMIN,
    KPI_ROLE_EDITOR,
    KPI_ROLE_VIEWER,
    KPI_ROLE_INGEST,
    KPI_ROLE_SELF
} kpi_role;

KPI_API const char *kpi_role_name(kpi_role role);
KPI_API int kpi_role_parse(const char *name, kpi_role *out); /* 1 when known */

/* A token's role and scope (never the token); strings are valid during the call that gives
 * them (a callback) or until the next call on the workspace (kpi_token_check). */
typedef struct kpi_token_info {
    int64_t id;
    const char *name; /* a label, "" when none */
    kpi_role role;
    const char *departments; /* viewer: "" (all) or comma-separated departments */
    const char *streams;     /* ingest: comma-separated streams */
    const char *self;        /* self: "dimension=value" */
    const char *created_at;  /* ISO 8601 UTC */
    const char *revoked_at;  /* NULL while the token is valid */
} kpi_token_info;

/*
 * Creates a token with spec's name, role and scope (checked against the workspace: known
 * departments and streams, a dimension some KPI declares) and writes it into token (cap at
 * least 64): the only time it is seen, as only its hash (BLAKE2b) is stored. *id is its id.
 */
KPI_API kpi_status kpi_token_create(kpi_workspace *ws, const kpi_token_info *spec, char *token,
                                    size_t cap, int64_t *id);
/* Calls fn for every token, valid and revoked, oldest first. */
KPI_API kpi_status kpi_tokens_each(kpi_workspace *ws,
                                   void (*fn)(void *ctx, const kpi_token_info *t), void *ctx);
/* Revokes token id: KPI_NOTFOUND when there is no valid token with that id. */
KPI_API kpi_status kpi_token_revoke(kpi_workspace *ws, int64_t id);
/* Checks a presented token (compared in constant time): KPI_OK with *out filled when it is
 * valid, KPI_NOTFOUND when it is unknown or revoked. */
KPI_API kpi_status kpi_token_check(kpi_workspace *ws, const char *token, kpi_token_info *out);
/* The number of tokens ever created (0: the workspace has never used tokens). */
KPI_API kpi_status kpi_token_count(kpi_workspace *ws, size_t *n);

/* ---- dates and time zones ----------------------------------------------------------------- */

/*
 * The calendar kpi cuts periods with, for clients that write or read events by date (a data
 * generator, a connector): a day number is the days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before), exact for any int64 day; month is 1..12, day 1..31 (a date is
 * not checked: 2026-02-31 is 2026-03-03).
 */
KPI_API int64_t kpi_days_from_date(int64_t year, int month, int day);
KPI_API void kpi_date_from_days(int64_t days, int64_t *year, int *month, int *day);
/* The ISO weekday of a day number: 1 = Monday .. 7 = Sunday. */
KPI_API int kpi_weekday(int64_t days);

/* An IANA time zone, with the rules the engine uses (ICU); never the process's TZ. A handle
 * keeps a cache of the offset last used: use it from one thread at a time. */
typedef struct kpi_timezone kpi_timezone;

/* Opens a zone by name ("America/Chicago", "UTC"). An unknown name is KPI_DEFINITION, with
 * "did you mean" when one is close; *out is NULL on failure (err set). */
KPI_API kpi_status kpi_timezone_create(const char *name, kpi_timezone **out, kpi_error *err);
/* Frees the handle. Accepts NULL. */
KPI_API void kpi_timezone_destroy(kpi_timezone *tz);
/* The offset from UTC in seconds (east positive) in effect at the UTC instant utc_us. */
KPI_API int32_t kpi_timezone_offset(kpi_timezone *tz, int64_t utc_us);
/* The UTC instant (microseconds) of a local wall-clock time (microseconds since the epoch as if
 * local were UTC). In a DST gap the time moves forward by the gap (02:30 -> 03:30); in an
 * overlap the earlier instant is chosen. */
KPI_API int64_t kpi_timezone_to_utc(kpi_timezone *tz, int64_t local_us);
/* The local day number of a UTC instant (microseconds). */
KPI_API int64_t kpi_timezone_day(kpi_timezone *tz, int64_t utc_us);

/* ---- the standard catalog ---------------------------------------------------------------- */

/* The standard KPI catalog shipped with kpi (every department's KPIs and stream schemas). */
typedef struct kpi_catalog kpi_catalog;

/* Loads the catalog compiled into the library; *out is NULL on failure (err set). */
KPI_API kpi_status kpi_catalog_open(kpi_catalog **out, kpi_error *err);
KPI_API void kpi_catalog_destroy(kpi_catalog *cat);
KPI_API size_t kpi_catalog_count(const kpi_catalog *cat);
KPI_API void kpi_catalog_kpi(const kpi_catalog *cat, size_t i, kpi_kpi_info *info);

/*
 * Explains a query: the KPIs' formulas, how their aggregate leaves are shared into scans, and the
 * SQL each scan runs. Returns a string the caller frees with free(), or NULL on error (message on
 * the handle).
 */
KPI_API char *kpi_query_explain(kpi_workspace *ws, const kpi_query *q);

KPI_API const char *kpi_result_from(const kpi_result *r); /* first day, "2026-01-01" */
KPI_API const char *
kpi_result_workspace(const kpi_result *r); /* the workspace's name, "" when none */
KPI_API const char *kpi_result_currency(const kpi_result *r); /* ISO 4217 code ("EUR") or NULL */
KPI_API const char *kpi_result_to(const kpi_result *r);       /* last day */
KPI_API const char *kpi_result_grain(const kpi_result *r);
KPI_API size_t kpi_result_nby(const kpi_result *r);
KPI_API const char *kpi_result_by(const kpi_result *r, size_t i);
KPI_API size_t kpi_result_nseries(const kpi_result *r);
KPI_API const kpi_series *kpi_result_series(const kpi_result *r, size_t i);

/* ---- output formats -------------------------------------------------------------------- */

typedef enum kpi_output {
    KPI_OUTPUT_TABLE, /* aligned, units, thousands separators, status glyphs, change arrows */
    KPI_OUTPUT_CSV,
    KPI_OUTPUT_JSON, /* the contract of DESIGN §2, exactly */
    KPI_OUTPUT_MARKDOWN
} kpi_output;

typedef struct kpi_render_options {
    int color;   /* ANSI colours (table only) */
    int unicode; /* glyphs and sparklines; else ASCII */
    int width;   /* terminal columns; 0: 100 */
} kpi_render_options;

/* Parses "table", "csv", "json", "markdown". */
KPI_API int kpi_output_parse(const char *name, kpi_output *out);

/*
 * Renders a query result. Returns a NUL-terminated string the caller frees with free(), or
 * NULL when out of memory.
 */
KPI_API char *kpi_result_render(const kpi_result *r, kpi_output fmt,
                                const kpi_render_options *opts);

/*
 * Renders the review table of `kpi report`: one row per series — the value of its last point,
 * target, status, change against the previous period, and a sparkline of all its points.
 */
KPI_API char *kpi_report_render(const kpi_result *r, kpi_output fmt,
                                const kpi_render_options *opts);

#ifdef __cplusplus
}
#endif
#endif
