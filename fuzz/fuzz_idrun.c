/*
 * fuzz_idrun.c - libFuzzer target for the id runs of the columnar store (lib/store/idrun.c).
 * Byte 0 picks the mode. Even: the rest is a run file, opened from memory; a damaged one must
 * be refused with a reason, never crash or read out of bounds, and one that opens is verified
 * and probed. Odd: the rest is a batch of 64-bit id hashes, deduplicated against nothing, its
 * new hashes written as a run and read back; then the batch deduplicated against that run must
 * be all duplicates, and every hash must be found by a probe.
 */
#include "store/idrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void open_bytes(const uint8_t *data, size_t size)
{
    kidrun *r = NULL;
    kpi_error err;
    if (kidrun_open_mem("fuzz", data, size, &r, &err) != KPI_OK) {
        if (!err.message[0])
            abort(); /* a refusal always says why */
        return;
    }
    kidrun_verify(r, &err);
    uint64_t keys[3] = {0, kidrun_count(r) ? kidrun_at(r, 0) : 1, UINT64_MAX};
    uint8_t found[3] = {0};
    kidrun_probe(r, keys, 3, found);
    kidrun_close(r);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void round_trip(const uint8_t *data, size_t size)
{
    size_t n = size / 8;
    uint64_t *h = malloc((n ? n : 1) * sizeof *h), *fresh = malloc((n ? n : 1) * sizeof *h);
    uint64_t *keys = malloc((n ? n : 1) * sizeof *h);
    uint8_t *dup = malloc(n ? n : 1), *found = calloc(n ? n : 1, 1);
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz-idrun-%d", (int)getpid());
    memcpy(h, data, n * 8);
    size_t nfresh = 0, dups = kid_dedup(h, n, NULL, 0, dup, fresh, &nfresh);
    kpi_error err;
    kidrun *r = NULL;
    if (dups == SIZE_MAX || dups + nfresh != n || kidrun_write(path, fresh, nfresh, &err) ||
        kidrun_open(path, &r, &err) || kidrun_verify(r, &err) || kidrun_count(r) != nfresh)
        abort();
    memcpy(keys, h, n * 8);
    qsort(keys, n, sizeof *keys, cmp_u64);
    if (kidrun_probe(r, keys, n, found) != n || kid_dedup(h, n, &r, 1, dup, fresh, &nfresh) != n ||
        nfresh != 0)
        abort();
    kidrun_close(r);
    unlink(path);
    free(h);
    free(fresh);
    free(keys);
    free(dup);
    free(found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        round_trip(data + 1, size - 1);
    else
        open_bytes(data + 1, size - 1);
    return 0;
}
