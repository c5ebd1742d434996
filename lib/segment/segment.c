/*
 * segment.c - opens a segment file and checks everything its footer claims before any of it is
 * trusted: magic and version at both ends, the footer's checksum, then every count, kind,
 * width, offset and length against the file's size and against each other (chunks laid end to
 * end, each granule exactly as long as its rows, width and nulls make it, times in order). A
 * file that passes can be decoded without a bounds check per value; its column data is still
 * checked against its hash on first read (decode.c). Also the accessors of an open segment.
 */
#include "segment_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

uint64_t kseg_hash(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

#define BAD(...) kerr_set_at(err, KPI_IO, seg->name, 0, 0, __VA_ARGS__)

/* ---- header, trailer, footer head -------------------------------------------------------- */

static kpi_status check_ends(const ksegment *seg, kpi_error *err)
{
    size_t min = KSEG_HEADER_SIZE + KSEG_TRAILER_SIZE;
    if (seg->size < min)
        return BAD("truncated: %zu bytes, a segment has at least %zu", seg->size, min);
    const uint8_t *t = seg->data + seg->size - KSEG_TRAILER_SIZE;
    if (memcmp(seg->data, KSEG_MAGIC, 8) != 0)
        return BAD("not a segment file (no segment magic at the start)");
    if (memcmp(t + 24, KSEG_MAGIC, 8) != 0)
        return BAD("truncated or damaged: no segment magic at the end");
    uint64_t v1 = kseg_get(seg->data + 8, 4), v2 = kseg_get(t + 16, 4);
    if (v1 != KSEG_VERSION || v2 != KSEG_VERSION)
        return BAD("format version %llu (this kpi reads version %d)",
                   (unsigned long long)(v1 != KSEG_VERSION ? v1 : v2), KSEG_VERSION);
    if (kseg_get(seg->data + 12, 4) || kseg_get(t + 20, 4))
        return BAD("reserved header or trailer bytes are not zero");
    return KPI_OK;
}

/* The footer's place, checked against the file size and its hash. */
static kpi_status locate_footer(const ksegment *seg, const uint8_t **footer, size_t *len,
                                kpi_error *err)
{
    const uint8_t *t = seg->data + seg->size - KSEG_TRAILER_SIZE;
    uint64_t n = kseg_get(t, 8);
    if (n > seg->size - KSEG_HEADER_SIZE - KSEG_TRAILER_SIZE)
        return BAD("footer of %llu bytes does not fit in %zu bytes", (unsigned long long)n,
                   seg->size);
    *footer = t - n;
    *len = (size_t)n;
    if (kseg_hash(*footer, *len) != kseg_get(t + 8, 8))
        return BAD("footer checksum mismatch");
    return KPI_OK;
}

static kpi_status read_footer_head(ksegment *seg, const uint8_t *f, size_t len, kpi_error *err)
{
    if (len < KSEG_FOOTER_HEAD)
        return BAD("footer of %zu bytes is too short", len);
    uint64_t rows = kseg_get(f, 4), ncols = kseg_get(f + 4, 4), grows = kseg_get(f + 24, 4);
    if (rows == 0 || rows > KSEGMENT_MAX_ROWS)
        return BAD("%llu rows (a segment has 1 to %d)", (unsigned long long)rows,
                   KSEGMENT_MAX_ROWS);
    if (ncols == 0 || ncols > KSEGMENT_MAX_COLUMNS)
        return BAD("%llu columns (a segment has 1 to %d)", (unsigned long long)ncols,
                   KSEGMENT_MAX_COLUMNS);
    if (grows != KSEGMENT_GRANULE_ROWS || kseg_get(f + 28, 4))
        return BAD("granules of %llu rows (this kpi reads %d)", (unsigned long long)grows,
                   KSEGMENT_GRANULE_ROWS);
    seg->rows = (uint32_t)rows;
    seg->ncols = (uint32_t)ncols;
    seg->granules = (uint32_t)((rows + KSEGMENT_GRANULE_ROWS - 1) / KSEGMENT_GRANULE_ROWS);
    seg->tmin = (int64_t)kseg_get(f + 8, 8);
    seg->tmax = (int64_t)kseg_get(f + 16, 8);
    if (len != kseg_footer_size(ncols, seg->granules))
        return BAD("footer of %zu bytes for %llu columns of %u granules (expected %zu)", len,
                   (unsigned long long)ncols, seg->granules,
                   kseg_footer_size(ncols, seg->granules));
    return KPI_OK;
}

/* ---- columns and granules ---------------------------------------------------------------- */

/* The widest a granule of this kind may be packed. */
static unsigned max_width(ksegment_kind kind)
{
    return kind == KSEG_CODE ? 32 : kind == KSEG_BOOL ? 1 : 64;
}

/* The range a granule's min and max must lie in for its kind. */
static bool in_kind_range(ksegment_kind kind, int64_t v)
{
    if (kind == KSEG_CODE)
        return v >= 0 && v <= UINT32_MAX;
    if (kind == KSEG_BOOL)
        return v == 0 || v == 1;
    return true;
}

/* Zone map and width of one granule against its kind and row count. */
static const char *granule_problem(ksegment_kind kind, const kseg_granule *g)
{
    if (g->nulls > g->rows)
        return "more nulls than rows";
    if (kind == KSEG_TIME && g->nulls)
        return "nulls in the time column";
    if (g->min > g->max)
        return "min above max";
    if (!in_kind_range(kind, g->min) || !in_kind_range(kind, g->max))
        return "min or max out of the column kind's range";
    if (g->nulls == g->rows && (g->min || g->max || g->width))
        return "an all-null granule with values";
    unsigned span = kseg_bitwidth((uint64_t)g->max - (uint64_t)g->min);
    if (g->width > max_width(kind) || (kind == KSEG_TIME ? g->width > span : g->width != span))
        return "bit width does not match min and max";
    if (kind == KSEG_TIME && g->rows == 1 && g->min != g->max)
        return "one time row with min and max apart";
    return NULL;
}

static kpi_status read_granule(ksegment *seg, size_t c, size_t i, const uint8_t *e,
                               uint64_t expect_off, kpi_error *err)
{
    kseg_column *col = &seg->cols[c];
    kseg_granule *g = &col->g[i];
    g->off = (uint32_t)kseg_get(e, 4);
    g->len = (uint32_t)kseg_get(e + 4, 4);
    g->min = (int64_t)kseg_get(e + 8, 8);
    g->max = (int64_t)kseg_get(e + 16, 8);
    g->nulls = (uint32_t)kseg_get(e + 24, 4);
    g->width = e[28];
    size_t first = i * KSEGMENT_GRANULE_ROWS;
    size_t left = seg->rows - first;
    g->rows = (uint32_t)(left < KSEGMENT_GRANULE_ROWS ? left : KSEGMENT_GRANULE_ROWS);
    const char *why = granule_problem(col->kind, g);
    if (!why && (e[29] || e[30] || e[31]))
        why = "reserved bytes are not zero";
    if (!why && g->off != expect_off)
        why = "not where the previous granule ends";
    if (!why && g->len != kseg_granule_bytes(col->kind, g->rows, g->width, g->nulls))
        why = "length does not match its rows, width and nulls";
    if (why)
        return BAD("column %zu granule %zu: %s", c, i, why);
    return KPI_OK;
}

/* The time column's granules must follow each other and match the footer's time range. */
static kpi_status check_time_order(const ksegment *seg, const kseg_column *col, size_t c,
                                   kpi_error *err)
{
    for (size_t i = 1; i < seg->granules; i++)
        if (col->g[i].min < col->g[i - 1].max)
            return BAD("column %zu granule %zu: times out of order", c, i);
    if (col->g[0].min != seg->tmin || col->g[seg->granules - 1].max != seg->tmax)
        return BAD("time range does not match the time column");
    return KPI_OK;
}

static kpi_status read_column(ksegment *seg, size_t c, const uint8_t *e, uint64_t expect_off,
                              kpi_error *err)
{
    kseg_column *col = &seg->cols[c];
    col->kind = (ksegment_kind)e[0];
    col->scale = e[1];
    col->off = kseg_get(e + 8, 8);
    col->len = kseg_get(e + 16, 8);
    col->hash = kseg_get(e + KSEG_CHUNK_HASH_AT, 8);
    atomic_init(&col->verified, false);
    if (col->kind < KSEG_TIME || col->kind > KSEG_BOOL)
        return BAD("column %zu: unknown kind %u", c, e[0]);
    if (col->scale > (col->kind == KSEG_INT ? KSEGMENT_MAX_SCALE : 0u) || kseg_get(e + 2, 6))
        return BAD("column %zu: bad scale or reserved bytes", c);
    if (col->off != expect_off)
        return BAD("column %zu: chunk at %llu, not where the previous one ends (%llu)", c,
                   (unsigned long long)col->off, (unsigned long long)expect_off);
    uint64_t off = 0;
    for (size_t i = 0; i < seg->granules; i++) {
        kpi_status st =
            read_granule(seg, c, i, e + KSEG_COLUMN_HEAD + i * KSEG_GRANULE_SIZE, off, err);
        if (st)
            return st;
        off += col->g[i].len;
    }
    if (col->len != off)
        return BAD("column %zu: chunk of %llu bytes, its granules take %llu", c,
                   (unsigned long long)col->len, (unsigned long long)off);
    return col->kind == KSEG_TIME ? check_time_order(seg, col, c, err) : KPI_OK;
}

/* Every column's entry; the chunks must tile the bytes between header and footer. */
static kpi_status read_columns(ksegment *seg, const uint8_t *f, kpi_error *err)
{
    seg->cols = calloc(seg->ncols, sizeof *seg->cols);
    kseg_granule *gs = seg->cols ? calloc((size_t)seg->ncols * seg->granules, sizeof *gs) : NULL;
    if (!gs)
        return kerr_set_at(err, KPI_NOMEM, seg->name, 0, 0, "out of memory opening a segment");
    for (size_t c = 0; c < seg->ncols; c++)
        seg->cols[c].g = gs + c * seg->granules;
    uint64_t off = KSEG_HEADER_SIZE;
    size_t entry = KSEG_COLUMN_HEAD + (size_t)seg->granules * KSEG_GRANULE_SIZE, times = 0;
    for (size_t c = 0; c < seg->ncols; c++) {
        kpi_status st = read_column(seg, c, f + KSEG_FOOTER_HEAD + c * entry, off, err);
        if (st)
            return st;
        off += seg->cols[c].len;
        if (seg->cols[c].kind == KSEG_TIME && times++ == 0)
            seg->tcol = (uint32_t)c;
    }
    if (times != 1)
        return BAD("%zu time columns (a segment has exactly one)", times);
    if (off != (uint64_t)(f - seg->data))
        return BAD("column chunks end at %llu, the footer starts at %zu", (unsigned long long)off,
                   (size_t)(f - seg->data));
    return KPI_OK;
}

/* ---- open and close ---------------------------------------------------------------------- */

static kpi_status parse(ksegment *seg, kpi_error *err)
{
    const uint8_t *footer = NULL;
    size_t len = 0;
    kpi_status st = check_ends(seg, err);
    if (!st)
        st = locate_footer(seg, &footer, &len, err);
    if (!st)
        st = read_footer_head(seg, footer, len, err);
    if (!st)
        st = read_columns(seg, footer, err);
    return st;
}

static ksegment *segment_new(const char *name, kpi_error *err)
{
    ksegment *seg = calloc(1, sizeof *seg);
    size_t n = strlen(name);
    char *copy = seg ? malloc(n + 1) : NULL;
    if (!copy) {
        free(seg);
        kerr_set_at(err, KPI_NOMEM, name, 0, 0, "out of memory opening a segment");
        return NULL;
    }
    seg->name = memcpy(copy, name, n + 1);
    return seg;
}

kpi_status ksegment_open_mem(const char *name, const void *data, size_t size, ksegment **out,
                             kpi_error *err)
{
    *out = NULL;
    ksegment *seg = segment_new(name, err);
    if (!seg)
        return KPI_NOMEM;
    seg->data = data;
    seg->size = size;
    kpi_status st = parse(seg, err);
    if (st) {
        ksegment_close(seg);
        return st;
    }
    *out = seg;
    return KPI_OK;
}

/* Maps the file read-only; a file too short to be a segment is left unmapped (size kept). */
static kpi_status map_file(ksegment *seg, kpi_error *err)
{
    int fd = open(seg->name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BAD("cannot open: %s", strerror(errno));
    struct stat st;
    kpi_status rc = KPI_OK;
    if (fstat(fd, &st) != 0)
        rc = BAD("cannot stat: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = BAD("not a regular file");
    seg->size = rc ? 0 : (size_t)st.st_size;
    if (!rc && seg->size >= KSEG_HEADER_SIZE + KSEG_TRAILER_SIZE) {
        void *p = mmap(NULL, seg->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            rc = BAD("cannot map: %s", strerror(errno));
        seg->data = rc ? NULL : p;
        seg->mapped = !rc;
    }
    close(fd);
    return rc;
}

kpi_status ksegment_open(const char *path, ksegment **out, kpi_error *err)
{
    *out = NULL;
    ksegment *seg = segment_new(path, err);
    if (!seg)
        return KPI_NOMEM;
    kpi_status st = map_file(seg, err);
    if (!st)
        st = parse(seg, err);
    if (st) {
        ksegment_close(seg);
        return st;
    }
    *out = seg;
    return KPI_OK;
}

void ksegment_close(ksegment *seg)
{
    if (!seg)
        return;
    if (seg->mapped)
        munmap((void *)seg->data, seg->size);
    if (seg->cols)
        free(seg->cols[0].g);
    free(seg->cols);
    free(seg->name);
    free(seg);
}

/* ---- accessors --------------------------------------------------------------------------- */

size_t ksegment_rows(const ksegment *seg)
{
    return seg->rows;
}
size_t ksegment_columns(const ksegment *seg)
{
    return seg->ncols;
}
size_t ksegment_granules(const ksegment *seg)
{
    return seg->granules;
}
ksegment_kind ksegment_column_kind(const ksegment *seg, size_t col)
{
    return seg->cols[col].kind;
}
unsigned ksegment_column_scale(const ksegment *seg, size_t col)
{
    return seg->cols[col].scale;
}

void ksegment_time_range(const ksegment *seg, int64_t *min, int64_t *max)
{
    *min = seg->tmin;
    *max = seg->tmax;
}

bool ksegment_granule_info(const ksegment *seg, size_t col, size_t g, ksegment_granule *info)
{
    if (col >= seg->ncols || g >= seg->granules)
        return false;
    const kseg_granule *gr = &seg->cols[col].g[g];
    *info =
        (ksegment_granule){.rows = gr->rows, .nulls = gr->nulls, .min = gr->min, .max = gr->max};
    return true;
}

void ksegment_time_granules(const ksegment *seg, int64_t from, int64_t to, size_t *first,
                            size_t *end)
{
    const kseg_granule *g = seg->cols[seg->tcol].g;
    size_t i = 0, j;
    while (i < seg->granules && g[i].max < from)
        i++;
    for (j = i; from < to && j < seg->granules && g[j].min < to;)
        j++;
    *first = i;
    *end = j;
}
