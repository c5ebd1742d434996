/*
 * test_idrun.c - runs of sorted id hashes (lib/store/idrun.c): write and read back, probes that
 * find exactly the stored keys across block edges, the union of runs, a batch's duplicates
 * (earlier rows and stored runs, in row order), refusal of unsorted input, and damaged files
 * (every truncation, bit flips) refused at open or by verify, never read as a run.
 */
#include "store/idrun.h"
#include "../tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char *path_of(const char *name)
{
    static char p[4][128];
    static int next;
    char *b = p[next++ % 4];
    snprintf(b, 128, "%s/%s", dir, name);
    return b;
}

/* A run of the hashes at h written to name and opened (NULL on failure, reported). */
static kidrun *run_of(const char *name, const uint64_t *h, size_t n)
{
    kpi_error err;
    kidrun *r = NULL;
    if (kidrun_write(path_of(name), h, n, &err) != KPI_OK ||
        kidrun_open(path_of(name), &r, &err) != KPI_OK)
        printf("#   %s: %s\n", name, err.message);
    return r;
}

static void test_write_read_probe(void)
{
    enum { N = 3 * KIDRUN_BLOCK + 7 };
    uint64_t *h = malloc(N * sizeof *h);
    for (size_t i = 0; i < N; i++)
        h[i] = 10 * i + 5; /* 5, 15, 25, ... */
    kidrun *r = run_of("a", h, N);
    CHECK(r);
    if (!r) {
        free(h);
        return;
    }
    CHECK_EQ_INT(kidrun_count(r), N);
    CHECK_EQ_INT(kidrun_at(r, N - 1), 10 * (N - 1) + 5);
    kpi_error err;
    CHECK_EQ_INT(kidrun_verify(r, &err), KPI_OK);
    /* keys around every block edge, below the first and past the last, with a repeat */
    uint64_t keys[] = {0,    4,    5,     5,     6,     5115,  5125,  5130, 5135,
                       5145, 5155, 10235, 10245, 15355, 15365, 15375, 99999};
    size_t nk = sizeof keys / sizeof keys[0];
    uint8_t found[sizeof keys / sizeof keys[0]] = {0};
    size_t hits = kidrun_probe(r, keys, nk, found);
    size_t expect = 0;
    for (size_t i = 0; i < nk; i++) {
        bool in = keys[i] % 10 == 5 && keys[i] <= 10 * (N - 1) + 5;
        expect += in;
        if (found[i] != in)
            printf("#   key %llu: found %d\n", (unsigned long long)keys[i], found[i]);
        CHECK(found[i] == in);
    }
    CHECK_EQ_INT(hits, expect);
    kidrun_close(r);
    /* an empty run is a run */
    kidrun *e = run_of("empty", NULL, 0);
    CHECK(e && kidrun_count(e) == 0);
    uint8_t f1 = 0;
    CHECK(e && kidrun_probe(e, keys, 1, &f1) == 0);
    kidrun_close(e);
    free(h);
}

static void test_refusals(void)
{
    kpi_error err;
    uint64_t bad[] = {1, 3, 3};
    CHECK_EQ_INT(kidrun_write(path_of("bad"), bad, 3, &err), KPI_USAGE);
    CHECK_CONTAINS(err.message, "not strictly ascending at 2");
    CHECK(access(path_of("bad"), F_OK) != 0); /* nothing written */
    kidrun *r;
    CHECK_EQ_INT(kidrun_open(path_of("none"), &r, &err), KPI_IO);
    CHECK(r == NULL);
}

static void test_merge_and_dedup(void)
{
    uint64_t a[] = {2, 4, 6, 8}, b[] = {1, 4, 9};
    kidrun *runs[2] = {run_of("m1", a, 4), run_of("m2", b, 3)};
    CHECK(runs[0] && runs[1]);
    if (!runs[0] || !runs[1])
        return;
    kpi_error err;
    CHECK_EQ_INT(kidrun_merge(path_of("merged"), runs, 2, &err), KPI_OK);
    kidrun *m = NULL;
    CHECK_EQ_INT(kidrun_open(path_of("merged"), &m, &err), KPI_OK);
    uint64_t want[] = {1, 2, 4, 6, 8, 9};
    CHECK(m && kidrun_count(m) == 6);
    for (size_t i = 0; m && i < 6; i++)
        CHECK_EQ_INT(kidrun_at(m, i), want[i]);
    CHECK(m && kidrun_verify(m, &err) == KPI_OK);
    kidrun_close(m);
    /* a batch in row order: 7 new, 4 stored, 7 again, 3 new, 9 stored, 3 again, 10 new */
    uint64_t batch[] = {7, 4, 7, 3, 9, 3, 10};
    uint8_t dup[7];
    uint64_t fresh[7];
    size_t nfresh = 99;
    size_t dups = kid_dedup(batch, 7, runs, 2, dup, fresh, &nfresh);
    CHECK_EQ_INT(dups, 4);
    uint8_t want_dup[] = {0, 1, 1, 0, 1, 1, 0};
    for (size_t i = 0; i < 7; i++)
        CHECK_EQ_INT(dup[i], want_dup[i]);
    CHECK_EQ_INT(nfresh, 3);
    CHECK(fresh[0] == 3 && fresh[1] == 7 && fresh[2] == 10);
    CHECK_EQ_INT(kid_dedup(batch, 0, runs, 2, dup, fresh, &nfresh), 0);
    CHECK_EQ_INT(nfresh, 0);
    /* text ids hash alike only when equal */
    CHECK(kid_hash_text("D1", 2) == kid_hash_text("D1", 2));
    CHECK(kid_hash_text("D1", 2) != kid_hash_text("D2", 2));
    CHECK_EQ_INT(kid_hash_int(-1), UINT64_MAX);
    kidrun_close(runs[0]);
    kidrun_close(runs[1]);
}

static void test_damage(void)
{
    uint64_t h[2 * KIDRUN_BLOCK + 3];
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        h[i] = i * i + 1;
    kpi_error err;
    CHECK_EQ_INT(kidrun_write(path_of("d"), h, sizeof h / sizeof h[0], &err), KPI_OK);
    FILE *f = fopen(path_of("d"), "rb");
    unsigned char *buf = malloc(65536);
    size_t size = f ? fread(buf, 1, 65536, f) : 0;
    if (f)
        fclose(f);
    CHECK(size == 40 + 8 * (sizeof h / sizeof h[0] + 3));
    kidrun *r;
    size_t opened = 0;
    for (size_t n = 0; n < size; n++) { /* every truncation is refused */
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        if (kidrun_open_mem("cut", copy, n, &r, &err) == KPI_OK) {
            opened++;
            kidrun_close(r);
        }
        free(copy);
    }
    CHECK_EQ_INT(opened, 0);
    /* a flipped bit anywhere: refused at open, or (in the hashes) by verify */
    size_t caught = 0, flips = 0;
    for (size_t at = 0; at < size; at += 7, flips++) {
        buf[at] ^= 0x10;
        kpi_status rc = kidrun_open_mem("flip", buf, size, &r, &err);
        if (rc != KPI_OK) {
            caught++;
            CHECK_CONTAINS(err.message, "flip: id run");
        } else {
            caught += kidrun_verify(r, &err) != KPI_OK;
            kidrun_close(r);
        }
        buf[at] ^= 0x10;
    }
    CHECK_EQ_INT(caught, flips);
    CHECK_EQ_INT(kidrun_open_mem("ok", buf, size, &r, &err), KPI_OK);
    kidrun_close(r);
    free(buf);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kpi-test-idrun-%d", (int)getpid());
    if (mkdir(dir, 0700) != 0)
        return 1;
    RUN(test_write_read_probe);
    RUN(test_refusals);
    RUN(test_merge_and_dedup);
    RUN(test_damage);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return tap_done();
}
