/*
 * idrun.c - runs of sorted id hashes (see idrun.h): writing one (kidrun_write) or the union of
 * several (kidrun_merge) through one streaming writer, opening one with its structure checked
 * before anything in it is used, probing sorted keys through the fences, and deduplicating a
 * batch against the runs.
 */
#include "idrun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static const char MAGIC[8] = {'K', 'I', 'D', 'R', 'U', 'N', '0', '1'};
static const char END[8] = {'K', 'I', 'D', 'E', 'N', 'D', '0', '1'};
enum { HEAD = 16, TAIL = 24 }; /* magic + count; body sum + head sum + end magic */

static uint64_t le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static void put64(unsigned char *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

static size_t fences_for(size_t n)
{
    return (n + KIDRUN_BLOCK - 1) / KIDRUN_BLOCK;
}

uint64_t kid_hash_text(const char *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* The checksum of the header, the fences and the body's checksum: what opening checks. The
 * three parts are hashed in turn (a sum of sums: no buffer, no streaming state). */
static uint64_t head_sum(const unsigned char *head, const unsigned char *fences, size_t nf,
                         const unsigned char *body_sum)
{
    uint64_t h = XXH3_64bits_withSeed(head, HEAD, 0);
    h = XXH3_64bits_withSeed(fences, nf * 8, h);
    return XXH3_64bits_withSeed(body_sum, 8, h);
}

/* ---- writing --------------------------------------------------------------------------- */

typedef struct writer {
    const char *path;
    int fd;
    unsigned char buf[1 << 16];
    size_t len;
    uint64_t count, last;
    unsigned char *fences; /* 8 bytes per fence */
    size_t nfences, cap;
    XXH3_state_t *body; /* the hashes' checksum, as they are written */
    kpi_error *err;
    kpi_status rc;
} writer;

static kpi_status io_fail(writer *w, const char *what)
{
    if (w->rc == KPI_OK)
        w->rc = kerr_set(w->err, KPI_IO, "%s: cannot %s: %s", w->path, what, strerror(errno));
    return w->rc;
}

static void flush(writer *w)
{
    for (size_t off = 0; w->rc == KPI_OK && off < w->len;) {
        ssize_t k = write(w->fd, w->buf + off, w->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            io_fail(w, "write");
            break;
        }
        off += (size_t)k;
    }
    w->len = 0;
}

static void out(writer *w, const void *p, size_t n)
{
    if (w->len + n > sizeof w->buf)
        flush(w);
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void add(writer *w, uint64_t h)
{
    unsigned char b[8];
    put64(b, h);
    if (w->count % KIDRUN_BLOCK == 0) {
        if (!KGROW(w->fences, w->cap, (w->nfences + 1) * 8)) {
            w->rc = w->rc != KPI_OK ? w->rc : kerr_set(w->err, KPI_NOMEM, "out of memory");
            return;
        }
        memcpy(w->fences + 8 * w->nfences++, b, 8);
    }
    XXH3_64bits_update(w->body, b, 8);
    out(w, b, 8);
    w->count++;
    w->last = h;
}

static kpi_status start(writer *w, const char *path, kpi_error *err)
{
    *w = (writer){.path = path, .err = err, .fd = -1, .body = XXH3_createState()};
    if (!w->body || XXH3_64bits_reset(w->body) != XXH_OK)
        return w->rc = kerr_set(err, KPI_NOMEM, "out of memory");
    if ((w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        return io_fail(w, "create the file");
    unsigned char head[HEAD] = {0};
    memcpy(head, MAGIC, 8);
    out(w, head, HEAD); /* the count is written at the end */
    return w->rc;
}

/* Writes the fences and the tail, the count into the header, and syncs. */
static kpi_status finish(writer *w)
{
    unsigned char head[HEAD], sums[TAIL];
    memcpy(head, MAGIC, 8);
    put64(head + 8, w->count);
    put64(sums, w->body ? XXH3_64bits_digest(w->body) : 0);
    if (w->rc == KPI_OK)
        put64(sums + 8, head_sum(head, w->fences ? w->fences : head, w->nfences, sums));
    memcpy(sums + 16, END, 8);
    if (w->nfences)
        out(w, w->fences, 8 * w->nfences);
    out(w, sums, TAIL);
    flush(w);
    if (w->rc == KPI_OK && pwrite(w->fd, head + 8, 8, 8) != 8)
        io_fail(w, "write the header");
    if (w->rc == KPI_OK && fsync(w->fd) != 0)
        io_fail(w, "sync");
    if (w->fd >= 0 && close(w->fd) != 0)
        io_fail(w, "close");
    if (w->rc != KPI_OK && w->fd >= 0) /* what it wrote is no run */
        unlink(w->path);
    free(w->fences);
    XXH3_freeState(w->body);
    return w->rc;
}

kpi_status kidrun_write(const char *path, const uint64_t *h, size_t n, kpi_error *err)
{
    for (size_t i = 1; i < n; i++)
        if (h[i] <= h[i - 1])
            return kerr_set(err, KPI_USAGE, "%s: id hashes not strictly ascending at %zu", path, i);
    writer *w = malloc(sizeof *w);
    if (!w)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    if (start(w, path, err) == KPI_OK)
        for (size_t i = 0; i < n && w->rc == KPI_OK; i++)
            add(w, h[i]);
    kpi_status rc = finish(w);
    free(w);
    return rc;
}

/* ---- reading --------------------------------------------------------------------------- */

struct kidrun {
    const unsigned char *data;
    size_t size;
    bool mapped;
    size_t count, nfences;
    const unsigned char *body, *fences;
    char name[256];
};

static kpi_status bad(const char *name, kpi_error *err, const char *what)
{
    kpi_status rc = kerr_set(err, KPI_IO, "%s: id run %s", name, what);
    snprintf(err->file, sizeof err->file, "%s", name);
    return rc;
}

/* Checks the layout of r's bytes and the head checksum; fences ascending and equal to the
 * hashes they stand for. */
static kpi_status check(kidrun *r, kpi_error *err)
{
    const unsigned char *d = r->data;
    if (r->size < HEAD + TAIL || memcmp(d, MAGIC, 8) || memcmp(d + r->size - 8, END, 8))
        return bad(r->name, err, "is truncated or not an id run (no KIDRUN01/KIDEND01)");
    uint64_t n = le64(d + 8);
    if (n > (r->size - HEAD - TAIL) / 8)
        return bad(r->name, err, "is truncated: its count exceeds the file");
    r->count = (size_t)n;
    r->nfences = fences_for(r->count);
    if (r->size != HEAD + TAIL + 8 * (r->count + r->nfences))
        return bad(r->name, err, "has a size that does not match its count");
    r->body = d + HEAD;
    r->fences = r->body + 8 * r->count;
    const unsigned char *sums = r->fences + 8 * r->nfences;
    if (head_sum(d, r->fences, r->nfences, sums) != le64(sums + 8))
        return bad(r->name, err, "header checksum mismatch");
    for (size_t f = 0; f < r->nfences; f++) {
        uint64_t v = le64(r->fences + 8 * f);
        if (v != le64(r->body + 8 * f * KIDRUN_BLOCK) || (f && v <= le64(r->fences + 8 * f - 8)))
            return bad(r->name, err, "fences do not match its hashes");
    }
    return KPI_OK;
}

kpi_status kidrun_open_mem(const char *name, const void *data, size_t size, kidrun **out,
                           kpi_error *err)
{
    *out = NULL;
    kidrun *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    r->data = data;
    r->size = size;
    snprintf(r->name, sizeof r->name, "%s", name);
    kpi_status rc = check(r, err);
    if (rc != KPI_OK) {
        free(r);
        return rc;
    }
    *out = r;
    return KPI_OK;
}

kpi_status kidrun_open(const char *path, kidrun **out, kpi_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        kpi_status rc = kerr_set(err, KPI_IO, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    void *m = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m == MAP_FAILED)
        return kerr_set(err, KPI_IO, "%s: cannot map: %s", path, strerror(errno));
    kpi_status rc = kidrun_open_mem(path, m ? m : "", size, out, err);
    if (rc != KPI_OK && m)
        munmap(m, size);
    if (rc == KPI_OK)
        (*out)->mapped = m != NULL;
    return rc;
}

void kidrun_close(kidrun *r)
{
    if (!r)
        return;
    if (r->mapped)
        munmap((void *)r->data, r->size);
    free(r);
}

size_t kidrun_count(const kidrun *r)
{
    return r->count;
}

uint64_t kidrun_at(const kidrun *r, size_t i)
{
    return le64(r->body + 8 * i);
}

kpi_status kidrun_verify(const kidrun *r, kpi_error *err)
{
    const unsigned char *sums = r->fences + 8 * r->nfences;
    if (XXH3_64bits(r->body, 8 * r->count) != le64(sums))
        return bad(r->name, err, "hash checksum mismatch");
    for (size_t i = 1; i < r->count; i++)
        if (kidrun_at(r, i) <= kidrun_at(r, i - 1))
            return bad(r->name, err, "hashes are out of order");
    return KPI_OK;
}

/* The last fence at or below key from fence f on (keys come ascending), or SIZE_MAX. */
static size_t fence_of(const kidrun *r, size_t f, uint64_t key)
{
    size_t lo = f, hi = r->nfences; /* the answer is in [lo - 1, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (le64(r->fences + 8 * mid) <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? SIZE_MAX : lo - 1;
}

static bool in_block(const kidrun *r, size_t f, uint64_t key)
{
    size_t lo = f * KIDRUN_BLOCK, hi = lo + KIDRUN_BLOCK < r->count ? lo + KIDRUN_BLOCK : r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t v = kidrun_at(r, mid);
        if (v == key)
            return true;
        if (v < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

size_t kidrun_probe(const kidrun *r, const uint64_t *keys, size_t n, uint8_t *found)
{
    size_t hits = 0, f = 0;
    for (size_t i = 0; i < n && r->count; i++) {
        size_t g = fence_of(r, f, keys[i]);
        if (g == SIZE_MAX)
            continue;
        f = g;
        if (!found[i] && in_block(r, f, keys[i])) {
            found[i] = 1;
            hits++;
        }
    }
    return hits;
}

kpi_status kidrun_merge(const char *path, kidrun *const *runs, size_t nruns, kpi_error *err)
{
    size_t *pos = calloc(nruns ? nruns : 1, sizeof *pos);
    writer *w = malloc(sizeof *w);
    if (!pos || !w) {
        free(pos);
        free(w);
        return kerr_set(err, KPI_NOMEM, "out of memory");
    }
    start(w, path, err);
    for (;;) { /* the smallest head of all runs, once */
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < nruns; k++)
            if (pos[k] < runs[k]->count &&
                (best == SIZE_MAX || kidrun_at(runs[k], pos[k]) < kidrun_at(runs[best], pos[best])))
                best = k;
        if (best == SIZE_MAX || w->rc != KPI_OK)
            break;
        uint64_t h = kidrun_at(runs[best], pos[best]++);
        if (!w->count || h != w->last)
            add(w, h);
    }
    kpi_status rc = finish(w);
    free(w);
    free(pos);
    return rc;
}

/* ---- a batch against the runs ---------------------------------------------------------- */

static int by_hash_then_row(const void *a, const void *b, void *ctx)
{
    const uint64_t *h = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (h[x] != h[y])
        return h[x] < h[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

size_t kid_dedup(const uint64_t *h, size_t n, kidrun *const *runs, size_t nruns, uint8_t *dup,
                 uint64_t *fresh, size_t *nfresh)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    uint8_t *found = calloc(n ? n : 1, 1);
    if (!order || !found) {
        free(order);
        free(found);
        return SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_hash_then_row, (void *)h);
    size_t nu = 0; /* the unique hashes, ascending, in fresh */
    for (size_t i = 0; i < n; i++)
        if (i == 0 || h[order[i]] != h[order[i - 1]])
            fresh[nu++] = h[order[i]];
    for (size_t k = 0; k < nruns; k++)
        kidrun_probe(runs[k], fresh, nu, found);
    size_t dups = 0, u = 0, kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool first = i == 0 || h[order[i]] != h[order[i - 1]];
        u += first && i > 0;
        dup[order[i]] = !first || found[u];
        dups += dup[order[i]];
        if (first && !found[u])
            fresh[kept++] = fresh[u];
    }
    *nfresh = kept;
    free(order);
    free(found);
    return dups;
}
