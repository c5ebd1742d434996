/*
 * idrun.h - idempotency without a B-tree (DESIGN §5): the ids a stream has stored, kept as runs
 * of sorted 64-bit hashes. Each commit of the columnar store writes the new hashes of its batch
 * as one run; runs are merged LSM-style by compaction. An import hashes its batch's ids, sorts
 * them and merge-probes the runs (kid_dedup), so that a duplicate never reaches a segment and
 * the memory an import needs is its batch plus each run's fences, not the stream's ids.
 *
 * A hash is the id itself for an integer id and XXH3-64 of the bytes for a text id (a stream's
 * id field has one type). Two text ids whose hashes collide count as one: at 100M ids the
 * chance that any pair collides is about 3 in 10,000 (n^2 / 2^65).
 *
 * A run file (docs/storage.md): "KIDRUN01", count (u64); count hashes (u64, strictly
 * ascending); the fences, the first hash of every KIDRUN_BLOCK hashes; the XXH3-64 of the
 * hashes, the XXH3-64 of everything before it; "KIDEND01". All little-endian. Opening checks the
 * structure and the checksum of the header and fences (a read of ~1/512 of the file); the
 * hashes' own checksum is checked by kidrun_verify (`kpi streams --verify`).
 */
#ifndef KPI_IDRUN_H
#define KPI_IDRUN_H

#include "../util/util.h"

#define KIDRUN_BLOCK 512 /* hashes per fence: a probe reads one 4 KiB block of a run */

uint64_t kid_hash_text(const char *p, size_t n);
static inline uint64_t kid_hash_int(int64_t v)
{
    return (uint64_t)v;
}

/* An open run (opaque): the file mapped read-only, its structure checked. */
typedef struct kidrun kidrun;

/* Writes the n hashes at h (strictly ascending; KPI_USAGE otherwise) as a run file at path
 * (created or truncated) and fsyncs it; the caller writes to a temporary name and renames. */
kpi_status kidrun_write(const char *path, const uint64_t *h, size_t n, kpi_error *err);

/* Opens a run file; errors name the file and what is wrong (KPI_IO), never crash on a damaged
 * file. */
kpi_status kidrun_open(const char *path, kidrun **out, kpi_error *err);
/* The same over size bytes the caller keeps alive until kidrun_close; name stands for the file. */
kpi_status kidrun_open_mem(const char *name, const void *data, size_t size, kidrun **out,
                           kpi_error *err);
void kidrun_close(kidrun *r);

size_t kidrun_count(const kidrun *r);
/* The i-th hash (i < count). */
uint64_t kidrun_at(const kidrun *r, size_t i);
/* Checks the checksum of the hashes (a read of the whole run). */
kpi_status kidrun_verify(const kidrun *r, kpi_error *err);

/* Sets found[i] to 1 for each keys[i] (ascending, repeats allowed) that r holds, leaving the
 * others as they are; returns how many it set. */
size_t kidrun_probe(const kidrun *r, const uint64_t *keys, size_t n, uint8_t *found);

/* Writes the union of the runs as one run at path (what compaction does). */
kpi_status kidrun_merge(const char *path, kidrun *const *runs, size_t nruns, kpi_error *err);

/*
 * The duplicates of a batch: for the n row hashes at h (row order), dup[i] = 1 when row i repeats
 * an earlier row of the batch or an id of the runs, else 0; the new hashes, sorted and unique,
 * go to fresh (n entries) with their count in *nfresh: the run to write at commit. Returns the
 * number of duplicates, or SIZE_MAX when out of memory.
 */
size_t kid_dedup(const uint64_t *h, size_t n, kidrun *const *runs, size_t nruns, uint8_t *dup,
                 uint64_t *fresh, size_t *nfresh);

#endif
