/*
 * test_segment.c - the columnar segment file (lib/segment): round trips of every column kind
 * with and without nulls, at every bit width 0..64 and at the row counts where granules begin
 * and end; zone maps checked by hand; the writer's refusals; and damaged files - every
 * truncation and every single bit flip of a small segment - which must each give an error
 * naming the file, never a crash or silently wrong data. Prints the decode speed of a
 * 262,144-row INT column as a comment line.
 */
#include "../tap.h"
#include "segment/segment_int.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures ---------------------------------------------------------------------------- */

/* A stream of rows: time, a nullable number (scale 2), a nullable code and a nullable bool. */
typedef struct fixture {
    size_t rows;
    int64_t *time, *num;
    uint32_t *code;
    uint8_t *flag, *num_nulls, *code_nulls, *flag_nulls;
    ksegment_column cols[4];
    ksegment_input in;
} fixture;

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static void fixture_link(fixture *f)
{
    f->cols[0] = (ksegment_column){.kind = KSEG_TIME, .i64 = f->time};
    f->cols[1] =
        (ksegment_column){.kind = KSEG_INT, .scale = 2, .i64 = f->num, .nulls = f->num_nulls};
    f->cols[2] = (ksegment_column){.kind = KSEG_CODE, .u32 = f->code, .nulls = f->code_nulls};
    f->cols[3] = (ksegment_column){.kind = KSEG_BOOL, .u8 = f->flag, .nulls = f->flag_nulls};
    f->in = (ksegment_input){.rows = f->rows, .ncols = 4, .cols = f->cols};
}

static void fixture_alloc(fixture *f, size_t rows)
{
    f->rows = rows;
    f->time = zalloc(rows, sizeof *f->time);
    f->num = zalloc(rows, sizeof *f->num);
    f->code = zalloc(rows, sizeof *f->code);
    f->flag = zalloc(rows, 1);
    f->num_nulls = zalloc(rows, 1);
    f->code_nulls = zalloc(rows, 1);
    f->flag_nulls = zalloc(rows, 1);
    fixture_link(f);
}

/* Random rows: times a few seconds apart (some equal), about one value in ten null. */
static void fixture_random(fixture *f, size_t rows, uint64_t seed)
{
    fixture_alloc(f, rows);
    int64_t t = 1767225600000000; /* 2026-01-01 */
    for (size_t r = 0; r < rows; r++) {
        t += (int64_t)(tap_rand(&seed) >> 40) % 5000000;
        f->time[r] = t;
        f->num[r] = (int64_t)(tap_rand(&seed) >> 30) - ((int64_t)1 << 33);
        f->code[r] = (uint32_t)(tap_rand(&seed) >> 50);
        f->flag[r] = (uint8_t)(tap_rand(&seed) >> 63);
        f->num_nulls[r] = tap_rand(&seed) >> 60 == 0;
        f->code_nulls[r] = tap_rand(&seed) >> 60 == 1;
        f->flag_nulls[r] = tap_rand(&seed) >> 60 == 2;
    }
}

static void fixture_free(fixture *f)
{
    free(f->time);
    free(f->num);
    free(f->code);
    free(f->flag);
    free(f->num_nulls);
    free(f->code_nulls);
    free(f->flag_nulls);
}

static const char *tmp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/kpi-test-segment-%d-%s.kseg", (int)getpid(), name);
    return path;
}

static bool write_ok(const char *path, const ksegment_input *in)
{
    kpi_error err;
    kpi_error_init(&err);
    if (ksegment_write(path, in, &err) == KPI_OK)
        return true;
    printf("#   write %s: %s\n", path, err.message);
    return false;
}

static ksegment *open_ok(const char *path)
{
    kpi_error err;
    kpi_error_init(&err);
    ksegment *seg = NULL;
    if (ksegment_open(path, &seg, &err) != KPI_OK)
        printf("#   open %s: %s\n", path, err.message);
    return seg;
}

/* Writes in to a temporary file and opens it (NULL, with a message, on failure). */
static ksegment *roundtrip(const char *name, const ksegment_input *in)
{
    const char *path = tmp_path(name);
    ksegment *seg = write_ok(path, in) ? open_ok(path) : NULL;
    unlink(path);
    return seg;
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = zalloc(*size, 1);
    if (fread(p, 1, *size, f) != *size)
        *size = 0;
    fclose(f);
    return p;
}

/* ---- checking what was read ---------------------------------------------------------------- */

/* Row r of column c as ksegment_read gives it: widened, 0 when null. */
static int64_t expected(const ksegment_column *c, size_t r, uint8_t *null)
{
    *null = c->nulls && c->nulls[r];
    if (*null)
        return 0;
    if (c->kind == KSEG_CODE)
        return c->u32[r];
    if (c->kind == KSEG_BOOL)
        return c->u8[r] != 0;
    return c->i64[r];
}

static int64_t values[KSEGMENT_GRANULE_ROWS];
static uint8_t nulls[KSEGMENT_GRANULE_ROWS];

/* Reads granule g of column col and compares it (and its zone map) with the input. */
static bool granule_matches(ksegment *seg, const ksegment_input *in, size_t col, size_t g)
{
    kpi_error err;
    kpi_error_init(&err);
    if (ksegment_read(seg, col, g, values, nulls, &err) != KPI_OK) {
        printf("#   column %zu granule %zu: %s\n", col, g, err.message);
        return false;
    }
    ksegment_granule info;
    if (!ksegment_granule_info(seg, col, g, &info))
        return false;
    size_t first = g * KSEGMENT_GRANULE_ROWS, nnull = 0;
    int64_t min = 0, max = 0;
    for (size_t i = 0; i < info.rows; i++) {
        uint8_t null;
        int64_t v = expected(&in->cols[col], first + i, &null);
        if (v != values[i] || null != nulls[i]) {
            printf("#   column %zu row %zu: read %lld%s, wrote %lld%s\n", col, first + i,
                   (long long)values[i], nulls[i] ? " (null)" : "", (long long)v,
                   null ? " (null)" : "");
            return false;
        }
        if (!null && (nnull == i || v < min))
            min = v;
        if (!null && (nnull == i || v > max))
            max = v;
        nnull += null;
    }
    return info.nulls == nnull && info.min == min && info.max == max;
}

/* Every granule of every column reads back as written. */
static bool segment_matches(ksegment *seg, const ksegment_input *in)
{
    if (!seg || ksegment_rows(seg) != in->rows || ksegment_columns(seg) != in->ncols)
        return false;
    for (size_t c = 0; c < in->ncols; c++) {
        if (ksegment_column_kind(seg, c) != in->cols[c].kind ||
            ksegment_column_scale(seg, c) != in->cols[c].scale)
            return false;
        for (size_t g = 0; g < ksegment_granules(seg); g++)
            if (!granule_matches(seg, in, c, g))
                return false;
    }
    return true;
}

/* ---- round trips ------------------------------------------------------------------------- */

static void test_roundtrip_every_kind(void)
{
    fixture f;
    fixture_random(&f, 20000, 1);
    ksegment *seg = roundtrip("kinds", &f.in);
    CHECK(segment_matches(seg, &f.in));
    CHECK_EQ_INT(seg ? ksegment_granules(seg) : 0, 3);
    int64_t lo = 0, hi = 0;
    if (seg)
        ksegment_time_range(seg, &lo, &hi);
    CHECK_EQ_INT(lo, f.time[0]);
    CHECK_EQ_INT(hi, f.time[f.rows - 1]);
    ksegment_close(seg);
    fixture_free(&f);
}

static void test_row_counts(void)
{
    const size_t rows[] = {1, 2, 8191, 8192, 8193, 16384, KSEGMENT_MAX_ROWS};
    const size_t granules[] = {1, 1, 1, 1, 2, 2, 32};
    const size_t last[] = {1, 2, 8191, 8192, 1, 8192, 8192};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fixture f;
        fixture_random(&f, rows[i], 7 + i);
        ksegment *seg = roundtrip("rows", &f.in);
        CHECK(segment_matches(seg, &f.in));
        ksegment_granule info = {0};
        CHECK_EQ_INT(seg ? ksegment_granules(seg) : 0, granules[i]);
        CHECK(seg && ksegment_granule_info(seg, 1, granules[i] - 1, &info));
        CHECK_EQ_INT(info.rows, last[i]);
        CHECK(!seg || !ksegment_granule_info(seg, 1, granules[i], &info));
        ksegment_close(seg);
        fixture_free(&f);
    }
}

static void test_all_null_granules(void)
{
    fixture f;
    fixture_random(&f, 3 * KSEGMENT_GRANULE_ROWS, 3);
    memset(f.num_nulls + KSEGMENT_GRANULE_ROWS, 1, KSEGMENT_GRANULE_ROWS); /* granule 1 */
    memset(f.code_nulls, 1, f.rows);                                       /* everywhere */
    memset(f.flag_nulls, 1, f.rows);
    ksegment *seg = roundtrip("nulls", &f.in);
    CHECK(segment_matches(seg, &f.in));
    ksegment_granule info = {0};
    CHECK(seg && ksegment_granule_info(seg, 1, 1, &info));
    CHECK_EQ_INT(info.nulls, KSEGMENT_GRANULE_ROWS);
    CHECK_EQ_INT(info.min, 0);
    CHECK_EQ_INT(info.max, 0);
    CHECK(seg && ksegment_granule_info(seg, 3, 2, &info));
    CHECK_EQ_INT(info.nulls, KSEGMENT_GRANULE_ROWS);
    ksegment_close(seg);
    fixture_free(&f);
}

/* Constant granules pack at width 0: the column chunks are empty. */
static void test_constant_granules(void)
{
    fixture f;
    fixture_alloc(&f, KSEGMENT_GRANULE_ROWS);
    for (size_t r = 0; r < f.rows; r++) {
        f.time[r] = 1767225600000000;
        f.num[r] = -42;
        f.code[r] = 7;
        f.flag[r] = 1;
    }
    const char *path = tmp_path("const");
    CHECK(write_ok(path, &f.in));
    struct stat st = {0};
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_size, KSEG_HEADER_SIZE + kseg_footer_size(4, 1) + KSEG_TRAILER_SIZE);
    ksegment *seg = open_ok(path);
    CHECK(segment_matches(seg, &f.in));
    ksegment_close(seg);
    unlink(path);
    fixture_free(&f);
}

static void test_extremes(void)
{
    fixture f;
    fixture_alloc(&f, 6);
    const int64_t t[] = {INT64_MIN, INT64_MIN, -1, 0, INT64_MAX - 1, INT64_MAX};
    const int64_t n[] = {INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MIN};
    const uint32_t c[] = {0, UINT32_MAX, 1, UINT32_MAX - 1, 0, 5};
    for (size_t r = 0; r < 6; r++) {
        f.time[r] = t[r];
        f.num[r] = n[r];
        f.code[r] = c[r];
        f.flag[r] = (uint8_t)(r * 37); /* nonzero is true */
    }
    ksegment *seg = roundtrip("extremes", &f.in);
    CHECK(segment_matches(seg, &f.in));
    ksegment_granule info = {0};
    CHECK(seg && ksegment_granule_info(seg, 1, 0, &info));
    CHECK_EQ_INT(info.min, INT64_MIN);
    CHECK_EQ_INT(info.max, INT64_MAX);
    CHECK(seg && ksegment_granule_info(seg, 2, 0, &info));
    CHECK_EQ_INT(info.max, UINT32_MAX);
    ksegment_close(seg);
    fixture_free(&f);
}

/* One segment per row count, with an INT column packed at each width 0..64 (and a CODE column
 * at each width up to 32): exercises the fast loop, its tail and the wide path. */
static void test_every_width(void)
{
    const size_t counts[] = {1, 2, 7, 9, 63, 65, 1000, KSEGMENT_GRANULE_ROWS + 5};
    enum { NCOLS = 1 + 65 + 33 };
    uint64_t seed = 11;
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        size_t rows = counts[k];
        ksegment_column cols[NCOLS];
        int64_t *time = zalloc(rows, 8), *ints = zalloc(rows * 65, 8);
        uint32_t *codes = zalloc(rows * 33, 4);
        for (size_t r = 0; r < rows; r++)
            time[r] = (r ? time[r - 1] : -5000) + (int64_t)(tap_rand(&seed) >> (24 + k % 40));
        cols[0] = (ksegment_column){.kind = KSEG_TIME, .i64 = time};
        for (unsigned w = 0; w <= 64; w++) {
            uint64_t mask = w == 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
            int64_t *v = ints + w * rows;
            for (size_t r = 0; r < rows; r++)
                v[r] = (int64_t)((uint64_t)-77 + (r == 1 ? mask : tap_rand(&seed) & mask));
            cols[1 + w] = (ksegment_column){.kind = KSEG_INT, .i64 = v};
        }
        for (unsigned w = 0; w <= 32; w++) {
            uint32_t *v = codes + w * rows;
            for (size_t r = 0; r < rows; r++)
                v[r] = w ? (uint32_t)((r == 1 ? UINT64_MAX : tap_rand(&seed)) >> (64 - w)) : 0;
            cols[66 + w] = (ksegment_column){.kind = KSEG_CODE, .u32 = v};
        }
        ksegment_input in = {.rows = rows, .ncols = NCOLS, .cols = cols};
        ksegment *seg = roundtrip("widths", &in);
        CHECK(segment_matches(seg, &in));
        ksegment_close(seg);
        free(time);
        free(ints);
        free(codes);
    }
}

/* ---- zone maps by hand ------------------------------------------------------------------- */

static void test_zone_maps(void)
{
    int64_t time[] = {100, 200, 200, 300, 450}, num[] = {5, 99, -3, 12, 99};
    uint32_t code[] = {9, 4, 4, 6, 0};
    uint8_t flag[] = {1, 0, 1, 1, 0}, num_nulls[] = {0, 1, 0, 0, 1}, code_nulls[] = {1, 0, 0, 0, 0},
            flag_nulls[] = {0, 1, 0, 0, 1};
    ksegment_column cols[] = {
        {.kind = KSEG_INT, .scale = 4, .i64 = num, .nulls = num_nulls},
        {.kind = KSEG_TIME, .i64 = time},
        {.kind = KSEG_CODE, .u32 = code, .nulls = code_nulls},
        {.kind = KSEG_BOOL, .u8 = flag, .nulls = flag_nulls},
    };
    ksegment_input in = {.rows = 5, .ncols = 4, .cols = cols};
    ksegment *seg = roundtrip("zones", &in);
    CHECK(segment_matches(seg, &in));
    const int64_t want[4][3] = {{-3, 12, 2}, {100, 450, 0}, {0, 6, 1}, {1, 1, 2}};
    for (size_t c = 0; seg && c < 4; c++) {
        ksegment_granule info = {0};
        CHECK(ksegment_granule_info(seg, c, 0, &info));
        CHECK_EQ_INT(info.rows, 5);
        CHECK_EQ_INT(info.min, want[c][0]);
        CHECK_EQ_INT(info.max, want[c][1]);
        CHECK_EQ_INT(info.nulls, want[c][2]);
    }
    int64_t lo = 0, hi = 0;
    if (seg)
        ksegment_time_range(seg, &lo, &hi);
    CHECK_EQ_INT(lo, 100);
    CHECK_EQ_INT(hi, 450);
    CHECK_EQ_INT(seg ? ksegment_column_scale(seg, 0) : 0, 4);
    ksegment_close(seg);
}

/* Granules by time range: times 10 apart, so granule g holds 81,920 g to 81,920 g + 81,910. */
static void test_time_granules(void)
{
    fixture f;
    fixture_random(&f, 3 * KSEGMENT_GRANULE_ROWS - 100, 2);
    for (size_t r = 0; r < f.rows; r++)
        f.time[r] = (int64_t)r * 10;
    f.time[KSEGMENT_GRANULE_ROWS] = f.time[KSEGMENT_GRANULE_ROWS - 1]; /* equal across g0, g1 */
    ksegment *seg = roundtrip("ranges", &f.in);
    CHECK(segment_matches(seg, &f.in));
    const int64_t ranges[][4] = {
        {0, 1, 0, 1},           {81910, 81911, 0, 2},         {81911, 81925, 1, 2},
        {81911, 163830, 1, 2},  {163830, 163841, 1, 3},       {-5, 0, 0, 0},
        {-5, 1, 0, 1},          {INT64_MIN, INT64_MAX, 0, 3}, {245000, INT64_MAX, 3, 3},
        {163840, 163840, 2, 2}, {100000, 90000, 1, 1},
    };
    for (size_t i = 0; seg && i < sizeof ranges / sizeof ranges[0]; i++) {
        size_t first = 99, end = 99;
        ksegment_time_granules(seg, ranges[i][0], ranges[i][1], &first, &end);
        if (first != (size_t)ranges[i][2] || end != (size_t)ranges[i][3])
            printf("#   [%lld, %lld): granules [%zu, %zu)\n", (long long)ranges[i][0],
                   (long long)ranges[i][1], first, end);
        CHECK_EQ_INT(first, ranges[i][2]);
        CHECK_EQ_INT(end, ranges[i][3]);
    }
    ksegment_close(seg);
    fixture_free(&f);
}

/* ---- the writer's refusals ----------------------------------------------------------------- */

/* The message ksegment_write gives for in (and that it left no file), or "(written)". */
static const char *refusal(const ksegment_input *in, kpi_status want)
{
    static char msg[2048];
    const char *path = tmp_path("refused");
    kpi_error err;
    kpi_error_init(&err);
    kpi_status st = ksegment_write(path, in, &err);
    if (st == KPI_OK) {
        unlink(path);
        return "(written)";
    }
    CHECK_EQ_INT(st, want);
    CHECK(access(path, F_OK) != 0);
    kpi_error_format(&err, msg, sizeof msg);
    return msg + strlen(path) + 2; /* after "path: " */
}

static void test_refusals(void)
{
    fixture f;
    fixture_random(&f, 10, 5);
    f.time[3] = f.time[2] - 1;
    char want[256];
    snprintf(want, sizeof want, "rows not in time order: row 2 (%lld) comes before row 3 (%lld)",
             (long long)f.time[2], (long long)f.time[3]);
    CHECK_STR(refusal(&f.in, KPI_USAGE), want);
    f.time[3] = f.time[2];
    CHECK_STR(refusal(&f.in, KPI_USAGE), "(written)");
    uint8_t null_time[10] = {[4] = 1};
    f.cols[0].nulls = null_time;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "row 4: the time is null");
    fixture_link(&f);
    f.cols[1].scale = 19;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "column 1: scale 19 (at most 18)");
    fixture_link(&f);
    f.cols[2].scale = 1;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "column 2: scale 1 (at most 0)");
    fixture_link(&f);
    f.cols[2].u32 = NULL;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "column 2: no values");
    fixture_link(&f);
    f.cols[3].kind = (ksegment_kind)9;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "column 3: unknown kind 9");
    fixture_link(&f);
    f.cols[1].kind = KSEG_TIME;
    f.cols[1].scale = 0;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "2 time columns: a segment has exactly one");
    fixture_link(&f);
    f.in.cols = f.cols + 1;
    f.in.ncols = 3;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "0 time columns: a segment has exactly one");
    fixture_link(&f);
    f.in.rows = 0;
    CHECK_STR(refusal(&f.in, KPI_USAGE), "a segment needs at least one row");
    fixture_free(&f);

    fixture_alloc(&f, KSEGMENT_MAX_ROWS + 1);
    CHECK_STR(refusal(&f.in, KPI_LIMIT), "262145 rows: a segment holds at most 262144");
    f.in.rows = KSEGMENT_MAX_ROWS;
    CHECK_STR(refusal(&f.in, KPI_LIMIT), "(written)");
    fixture_free(&f);
}

/* A write that fails part-way (the file size limit, EFBIG) is an error naming the file, and
 * the partial file is gone; a file that cannot be created is one too. */
static void test_write_errors(void)
{
    fixture f;
    fixture_random(&f, 300, 4);
    const char *path = tmp_path("efbig");
    struct rlimit old, small = {.rlim_cur = 1000};
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    small.rlim_max = old.rlim_max;
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    kpi_error err;
    kpi_error_init(&err);
    kpi_status st = ksegment_write(path, &f.in, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    CHECK_EQ_INT(st, KPI_IO);
    CHECK_STR(err.file, path);
    CHECK_STR(err.message, "cannot write: File too large");
    CHECK(access(path, F_OK) != 0);
    kpi_error_init(&err);
    CHECK_EQ_INT(ksegment_write("/nonexistent/seg.kseg", &f.in, &err), KPI_IO);
    CHECK_STR(err.message, "cannot create: No such file or directory");
    fixture_free(&f);
}

/* ---- damaged files ------------------------------------------------------------------------- */

/* A small valid segment's bytes (300 rows with nulls, every kind; about 3 KB). */
static uint8_t *small_segment(size_t *size)
{
    fixture f;
    fixture_random(&f, 300, 21);
    const char *path = tmp_path("small");
    uint8_t *p = write_ok(path, &f.in) ? slurp(path, size) : NULL;
    unlink(path);
    fixture_free(&f);
    return p;
}

/* Opens a copy of data[0..n) in a buffer of exactly n bytes, so that ASan sees any read past
 * it; returns the status and the formatted error in msg. */
static kpi_status open_copy(const uint8_t *data, size_t n, ksegment **seg, uint8_t **copy,
                            char *msg, size_t cap)
{
    *copy = malloc(n ? n : 1);
    if (!*copy)
        abort();
    memcpy(*copy, data, n);
    kpi_error err;
    kpi_error_init(&err);
    kpi_status st = ksegment_open_mem("seg-000012.kseg", *copy, n, seg, &err);
    kpi_error_format(&err, msg, cap);
    return st;
}

static void test_truncated(void)
{
    size_t size = 0;
    uint8_t *data = small_segment(&size);
    CHECK(data && size > 100);
    size_t refused = 0;
    for (size_t n = 0; data && n < size; n++) {
        ksegment *seg = NULL;
        uint8_t *copy;
        char msg[2048];
        kpi_status st = open_copy(data, n, &seg, &copy, msg, sizeof msg);
        refused += st == KPI_IO && !seg && strncmp(msg, "seg-000012.kseg: ", 17) == 0;
        if (n == 10)
            CHECK_STR(msg, "seg-000012.kseg: truncated: 10 bytes, a segment has at least 48");
        if (n == size - 1)
            CHECK_STR(msg, "seg-000012.kseg: truncated or damaged: no segment magic at the end");
        ksegment_close(seg);
        free(copy);
    }
    CHECK_EQ_INT(refused, size);
    /* the same through a file */
    const char *path = tmp_path("truncated");
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(data, 1, size / 2, f) == size / 2);
    if (f)
        fclose(f);
    kpi_error err;
    kpi_error_init(&err);
    ksegment *seg = NULL;
    CHECK_EQ_INT(ksegment_open(path, &seg, &err), KPI_IO);
    CHECK_STR(err.file, path);
    CHECK_STR(err.message, "truncated or damaged: no segment magic at the end");
    unlink(path);
    free(data);
}

/* The column whose chunk holds byte i of an open segment's file, or -1. */
static long chunk_of(const ksegment *seg, size_t i)
{
    for (size_t c = 0; c < seg->ncols; c++)
        if (i >= seg->cols[c].off && i < seg->cols[c].off + seg->cols[c].len)
            return (long)c;
    return -1;
}

/* After a flip in column `bad`'s chunk, reading it fails with the checksum message and
 * every other column reads as the original does. */
static bool flip_caught_on_read(ksegment *seg, ksegment *orig, long bad)
{
    static int64_t want[KSEGMENT_GRANULE_ROWS];
    for (size_t c = 0; c < seg->ncols; c++) {
        for (size_t g = 0; g < seg->granules; g++) {
            kpi_error err;
            kpi_error_init(&err);
            kpi_status st = ksegment_read(seg, c, g, values, NULL, &err);
            if ((long)c == bad) {
                char msg[64];
                snprintf(msg, sizeof msg, "column %zu granule %zu: checksum mismatch", c, g);
                if (st != KPI_IO || strcmp(err.message, msg) != 0 ||
                    strcmp(err.file, "seg-000012.kseg") != 0)
                    return false;
                continue;
            }
            if (st || ksegment_read(orig, c, g, want, NULL, &err) ||
                memcmp(want, values, orig->cols[c].g[g].rows * sizeof *want) != 0)
                return false;
        }
    }
    return true;
}

static void test_bit_flips(void)
{
    size_t size = 0;
    uint8_t *data = small_segment(&size);
    ksegment *orig = NULL;
    kpi_error err;
    CHECK(data && ksegment_open_mem("orig", data, size, &orig, &err) == KPI_OK);
    size_t at_open = 0, at_read = 0, missed = 0;
    for (size_t bit = 0; orig && bit < size * 8; bit++) {
        data[bit / 8] ^= (uint8_t)(1 << bit % 8);
        ksegment *seg = NULL;
        uint8_t *copy;
        char msg[2048];
        long col = chunk_of(orig, bit / 8);
        bool caught;
        if (open_copy(data, size, &seg, &copy, msg, sizeof msg) != KPI_OK) {
            caught = col < 0 && strncmp(msg, "seg-000012.kseg: ", 17) == 0;
            at_open += caught;
        } else {
            caught = col >= 0 && flip_caught_on_read(seg, orig, col);
            at_read += caught;
        }
        if (!caught && missed++ < 5)
            printf("#   flip of bit %zu (column %ld) not caught: %s\n", bit, col, msg);
        ksegment_close(seg);
        free(copy);
        data[bit / 8] ^= (uint8_t)(1 << bit % 8);
    }
    CHECK_EQ_INT(missed, 0);
    CHECK(at_open > 1000);
    CHECK(at_read > 1000);
    printf("# %zu flips refused at open, %zu caught reading their column\n", at_open, at_read);
    ksegment_close(orig);
    free(data);
}

/* A damaged footer whose checksum was recomputed (a bug, not a disk): open still refuses it. */
static void test_inconsistent_footer(void)
{
    size_t size = 0;
    kpi_error err;
    uint8_t *data = small_segment(&size);
    CHECK(data != NULL);
    size_t flen = data ? (size_t)kseg_get(data + size - KSEG_TRAILER_SIZE, 8) : 0;
    uint8_t *footer = data + size - KSEG_TRAILER_SIZE - flen;
    const size_t col1 = KSEG_FOOTER_HEAD + KSEG_COLUMN_HEAD + KSEG_GRANULE_SIZE;
    const size_t g0 = KSEG_FOOTER_HEAD + KSEG_COLUMN_HEAD, g1 = col1 + KSEG_COLUMN_HEAD;
    const struct {
        size_t at, bytes;
        uint64_t value;
        const char *msg;
    } cases[] = {
        {0, 4, 0, "0 rows (a segment has 1 to 262144)"},
        {4, 4, 5, "footer of 288 bytes for 5 columns of 1 granules (expected 352)"},
        {KSEG_FOOTER_HEAD, 1, 9, "column 0: unknown kind 9"},
        {KSEG_FOOTER_HEAD + 1, 1, 2, "column 0: bad scale or reserved bytes"},
        {g0 + 28, 1, 60, "column 0 granule 0: bit width does not match min and max"},
        {g0 + 4, 4, 1, "column 0 granule 0: length does not match its rows, width and nulls"},
        {g0 + 8, 8, 0, "time range does not match the time column"},
        {g0 + 24, 4, 1, "column 0 granule 0: nulls in the time column"},
        {g1 + 24, 4, 0, "column 1 granule 0: length does not match its rows, width and nulls"},
        {g1 + 24, 4, 301, "column 1 granule 0: more nulls than rows"},
        {g1 + 8, 8, (uint64_t)INT64_MAX, "column 1 granule 0: min above max"},
        {col1 + 8, 8, 17, "column 1: chunk at 17, not where the previous one ends ("},
        {col1 + KSEG_COLUMN_HEAD + KSEG_GRANULE_SIZE + 8, 8, 0, "column 2: chunk at 0, not"},
    };
    for (size_t i = 0; data && i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t old[8];
        memcpy(old, footer + cases[i].at, 8);
        kseg_put(footer + cases[i].at, cases[i].value, (unsigned)cases[i].bytes);
        kseg_put(data + size - KSEG_TRAILER_SIZE + 8, kseg_hash(footer, flen), 8);
        ksegment *seg = NULL;
        kpi_error_init(&err);
        CHECK_EQ_INT(ksegment_open_mem("s", data, size, &seg, &err), KPI_IO);
        CHECK_CONTAINS(err.message, cases[i].msg);
        ksegment_close(seg);
        memcpy(footer + cases[i].at, old, 8);
    }
    free(data);
}

static void test_open_errors(void)
{
    kpi_error err;
    ksegment *seg = NULL;
    kpi_error_init(&err);
    CHECK_EQ_INT(ksegment_open("/nonexistent/seg.kseg", &seg, &err), KPI_IO);
    CHECK_STR(err.file, "/nonexistent/seg.kseg");
    CHECK_STR(err.message, "cannot open: No such file or directory");
    kpi_error_init(&err);
    CHECK_EQ_INT(ksegment_open("/tmp", &seg, &err), KPI_IO);
    CHECK_STR(err.message, "not a regular file");
    char text[100];
    memset(text, 'x', sizeof text);
    kpi_error_init(&err);
    CHECK_EQ_INT(ksegment_open_mem("t.csv", text, sizeof text, &seg, &err), KPI_IO);
    CHECK_STR(err.message, "not a segment file (no segment magic at the start)");
    size_t size = 0;
    uint8_t *data = small_segment(&size);
    if (data)
        data[8] = 2;
    kpi_error_init(&err);
    CHECK_EQ_INT(ksegment_open_mem("v2", data, size, &seg, &err), KPI_IO);
    CHECK_STR(err.message, "format version 2 (this kpi reads version 1)");
    CHECK(seg == NULL);
    free(data);
}

static void test_read_errors(void)
{
    fixture f;
    fixture_random(&f, 100, 9);
    ksegment *seg = roundtrip("readerr", &f.in);
    kpi_error err;
    kpi_error_init(&err);
    CHECK(seg != NULL);
    CHECK_EQ_INT(seg ? ksegment_read(seg, 4, 0, values, nulls, &err) : 0, KPI_USAGE);
    CHECK_CONTAINS(err.message, "column 4 granule 0: out of range (4 columns of 1 granules)");
    CHECK_EQ_INT(seg ? ksegment_read(seg, 0, 1, values, NULL, &err) : 0, KPI_USAGE);
    ksegment_close(seg);
    fixture_free(&f);
}

/* Several threads reading a freshly opened segment (so each races to verify the chunks) get
 * the same values as one thread does. */
typedef struct reader_job {
    ksegment *seg;
    uint64_t sum;
    int failures;
} reader_job;

static void *read_everything(void *arg)
{
    reader_job *job = arg;
    int64_t *v = zalloc(KSEGMENT_GRANULE_ROWS, sizeof *v);
    uint8_t *n = zalloc(KSEGMENT_GRANULE_ROWS, 1);
    for (size_t c = 0; c < ksegment_columns(job->seg); c++)
        for (size_t g = 0; g < ksegment_granules(job->seg); g++) {
            kpi_error err;
            job->failures += ksegment_read(job->seg, c, g, v, n, &err) != KPI_OK;
            for (size_t i = 0; i < KSEGMENT_GRANULE_ROWS; i++)
                job->sum = job->sum * 31 + (uint64_t)v[i] + n[i];
        }
    free(v);
    free(n);
    return NULL;
}

static void test_concurrent_readers(void)
{
    fixture f;
    fixture_random(&f, 5 * KSEGMENT_GRANULE_ROWS, 13);
    const char *path = tmp_path("threads");
    CHECK(write_ok(path, &f.in));
    ksegment *seg = open_ok(path), *alone = open_ok(path);
    reader_job jobs[4] = {{.seg = seg}, {.seg = seg}, {.seg = seg}, {.seg = alone}};
    pthread_t tids[3];
    for (int i = 0; seg && i < 3; i++)
        CHECK(pthread_create(&tids[i], NULL, read_everything, &jobs[i]) == 0);
    if (alone)
        read_everything(&jobs[3]);
    for (int i = 0; seg && i < 3; i++) {
        pthread_join(tids[i], NULL);
        CHECK_EQ_INT(jobs[i].failures, 0);
        CHECK(jobs[i].sum == jobs[3].sum);
    }
    CHECK(seg && alone && segment_matches(alone, &f.in));
    ksegment_close(seg);
    ksegment_close(alone);
    unlink(path);
    fixture_free(&f);
}

/* ---- speed ------------------------------------------------------------------------------- */

/* Not an assertion: prints how fast a 262,144-row INT column (values spread over 2^20,
 * every granule at width 20) and the time column decode. */
static void test_decode_speed(void)
{
    fixture f;
    fixture_random(&f, KSEGMENT_MAX_ROWS, 17);
    uint64_t seed = 5;
    for (size_t r = 0; r < f.rows; r++) {
        size_t i = r % KSEGMENT_GRANULE_ROWS;
        f.num[r] = i == 0 ? 0 : i == 1 ? 1048575 : (int64_t)(tap_rand(&seed) >> 44);
        f.num_nulls[r] = 0;
    }
    ksegment *seg = roundtrip("speed", &f.in);
    CHECK(segment_matches(seg, &f.in));
    kpi_error err;
    for (size_t col = 0; seg && col < 2; col++) {
        int reps = 40;
        int64_t sum = 0;
        double t0 = kclock_seconds();
        for (int rep = 0; rep < reps; rep++)
            for (size_t g = 0; g < ksegment_granules(seg); g++) {
                CHECK(ksegment_read(seg, col, g, values, NULL, &err) == KPI_OK);
                sum += values[g % 100];
            }
        double s = kclock_seconds() - t0;
        printf("# decode: %s column of 262144 rows in %.3f ms: %.0f Mrows/s (check %lld)\n",
               col ? "INT (width 20)" : "TIME", s / reps * 1e3, reps * 262144.0 / s / 1e6,
               (long long)(sum & 1));
    }
    ksegment_close(seg);
    fixture_free(&f);
}

int main(void)
{
    RUN(test_roundtrip_every_kind);
    RUN(test_row_counts);
    RUN(test_all_null_granules);
    RUN(test_constant_granules);
    RUN(test_extremes);
    RUN(test_every_width);
    RUN(test_zone_maps);
    RUN(test_time_granules);
    RUN(test_refusals);
    RUN(test_write_errors);
    RUN(test_truncated);
    RUN(test_bit_flips);
    RUN(test_inconsistent_footer);
    RUN(test_open_errors);
    RUN(test_read_errors);
    RUN(test_concurrent_readers);
    RUN(test_decode_speed);
    return tap_done();
}
