/*
 * test_dict.c - the text dictionaries of lib/meta (dict.c): codes in order of first sight,
 * saved inside a kpi.db transaction and read back the same, never remapped when more values
 * come after a reload, forgotten on a rollback, and kept apart per stream and field.
 */
#include "meta/meta.h"
#include "../tap.h"

#include <stdlib.h>
#include <unistd.h>

static char path[128];

static kmeta *open_db(void)
{
    kmeta *m = NULL;
    kpi_error err;
    if (kmeta_open(path, &m, &err) != KPI_OK)
        printf("#   open: %s\n", err.message);
    return m;
}

static void remove_db(void)
{
    char p[160];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void test_codes_saved_and_kept(void)
{
    kmeta *m = open_db();
    CHECK(m);
    if (!m)
        return;
    kpi_error err;
    kdict d;
    kdict_init(&d);
    CHECK_EQ_INT(kmeta_dict_load(m, "orders", "region", &d, &err), KPI_OK); /* no table yet */
    CHECK_EQ_INT(d.n, 0);
    CHECK_EQ_INT(kdict_code(&d, KSTR("West")), 0);
    CHECK_EQ_INT(kdict_code(&d, KSTR("East")), 1);
    CHECK_EQ_INT(kdict_code(&d, KSTR("West")), 0);
    CHECK_EQ_INT(kdict_code(&d, KSTR("Caf\xc3\xa9")), 2);
    CHECK_EQ_INT(kdict_code(&d, KSTR("")), 3);
    CHECK_EQ_INT(kmeta_begin(m, &err), KPI_OK);
    CHECK_EQ_INT(kmeta_dict_save(m, "orders", "region", &d, &err), KPI_OK);
    CHECK_EQ_INT(kmeta_commit(m, &err), KPI_OK);
    /* a new batch adds North, then rolls back: North is forgotten, its code given again */
    CHECK_EQ_INT(kdict_code(&d, KSTR("North")), 4);
    CHECK(kdict_rollback(&d));
    CHECK_EQ_INT(d.n, 4);
    CHECK_EQ_INT(kdict_code(&d, KSTR("South")), 4);
    CHECK_EQ_INT(kdict_code(&d, KSTR("West")), 0);
    kdict_release(&d);
    /* read back from kpi.db by another handle: the same codes, and new ones continue */
    kmeta *m2 = open_db();
    kdict e;
    kdict_init(&e);
    CHECK(m2 && kmeta_dict_load(m2, "orders", "region", &e, &err) == KPI_OK);
    CHECK_EQ_INT(e.n, 4);
    size_t len = 99;
    CHECK_STR(kdict_value(&e, 2, &len), "Caf\xc3\xa9");
    CHECK_EQ_INT(len, 5);
    CHECK_STR(kdict_value(&e, 3, &len), "");
    CHECK_EQ_INT(len, 0);
    CHECK(kdict_value(&e, 4, NULL) == NULL);
    CHECK_EQ_INT(kdict_code(&e, KSTR("East")), 1);
    CHECK_EQ_INT(kdict_code(&e, KSTR("North")), 4);
    /* another field of the stream has its own codes */
    kdict f;
    kdict_init(&f);
    CHECK(m2 && kmeta_dict_load(m2, "orders", "rep", &f, &err) == KPI_OK);
    CHECK_EQ_INT(f.n, 0);
    CHECK_EQ_INT(kdict_code(&f, KSTR("Ana")), 0);
    CHECK(m2 && kmeta_begin(m2, &err) == KPI_OK &&
          kmeta_dict_save(m2, "orders", "rep", &f, &err) == KPI_OK &&
          kmeta_dict_save(m2, "orders", "region", &e, &err) == KPI_OK &&
          kmeta_commit(m2, &err) == KPI_OK);
    CHECK(kmeta_dict_load(m, "orders", "region", &f, &err) == KPI_OK && f.n == 5);
    CHECK_STR(kdict_value(&f, 4, NULL), "North");
    kdict_release(&e);
    kdict_release(&f);
    kmeta_close(m2);
    kmeta_close(m);
}

static void test_many_values(void)
{
    kdict d;
    kdict_init(&d);
    char buf[32];
    bool ok = true;
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(buf, sizeof buf, "customer-%d", i);
        ok &= kdict_code(&d, (kstr){buf, (size_t)n}) == (uint32_t)i;
    }
    CHECK(ok);
    CHECK_EQ_INT(kdict_code(&d, KSTR("customer-31337")), 31337);
    CHECK_STR(kdict_value(&d, 99999, NULL), "customer-99999");
    kdict_release(&d);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/kpi-test-dict-%d.db", (int)getpid());
    remove_db();
    RUN(test_codes_saved_and_kept);
    RUN(test_many_values);
    remove_db();
    return tap_done();
}
