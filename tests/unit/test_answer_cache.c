/*
 * test_answer_cache.c - the server's shared cache of answers (src/server/cache.c, compiled in
 * here: it is the server's, not the library's): fresh answers at the same data version and
 * definitions; after a change the previous answer served stale, with exactly one request told
 * to have it recomputed; never stale to a request that refuses it nor across definitions; an
 * older recompute never replacing a newer answer; an abandoned recompute asked for again; an
 * error dropping the answer; and a full cache starting over.
 */
#include "../../src/server/cache.c"

#include "../tap.h"

static kresponse answer_of(const char *body, unsigned status)
{
    return (kresponse){
        .status = status, .type = "application/json", .body = (char *)body, .len = strlen(body)};
}

static bool refresh; /* what the last get said */

/* kcache_get, keeping the body's text in a static buffer (freeing the copy). */
static kcache_hit get(kcache *c, const char *key, int64_t version, int64_t gen, bool stale_ok,
                      const char **body)
{
    static char text[64];
    kresponse out = {0};
    kcache_hit h = kcache_get(c, key, version, gen, stale_ok, &out, &refresh);
    text[0] = 0;
    if (out.body)
        snprintf(text, sizeof text, "%s", out.body);
    if (h != KCACHE_MISS && (!out.cached || out.status != 200 || out.age != 0))
        snprintf(text, sizeof text, "(not marked cached)");
    free(out.body);
    *body = text;
    return h;
}

static void test_fresh_and_stale(void)
{
    kcache *c = kcache_create();
    const char *b;
    CHECK_EQ_INT(get(c, "/r", 1, 0, true, &b), KCACHE_MISS); /* nothing yet */
    kresponse a = answer_of("{\"v\":1}", 200);
    kcache_put(c, "/r", 1, 0, &a);
    CHECK_EQ_INT(get(c, "/r", 1, 0, true, &b), KCACHE_FRESH);
    CHECK_STR(b, "{\"v\":1}");
    /* the data changed: every request gets the old answer stale, the first has it recomputed */
    CHECK_EQ_INT(get(c, "/r", 2, 0, true, &b), KCACHE_STALE);
    CHECK_STR(b, "{\"v\":1}");
    CHECK(refresh);
    CHECK_EQ_INT(get(c, "/r", 2, 0, true, &b), KCACHE_STALE);
    CHECK(!refresh);
    CHECK_EQ_INT(get(c, "/r", 3, 0, true, &b), KCACHE_STALE);
    CHECK(!refresh);
    /* ... but not to one that refuses stale answers, nor under other definitions */
    CHECK_EQ_INT(get(c, "/r", 2, 0, false, &b), KCACHE_MISS);
    CHECK_EQ_INT(get(c, "/r", 2, 1, true, &b), KCACHE_MISS);
    /* the recompute lands: fresh again; a slower, older recompute does not replace it */
    kresponse v3 = answer_of("{\"v\":3}", 200), v2 = answer_of("{\"v\":2}", 200);
    kcache_put(c, "/r", 3, 0, &v3);
    kcache_put(c, "/r", 2, 0, &v2);
    CHECK_EQ_INT(get(c, "/r", 3, 0, true, &b), KCACHE_FRESH);
    CHECK_STR(b, "{\"v\":3}");
    /* a recompute that could not be queued is abandoned: the next request asks again */
    CHECK_EQ_INT(get(c, "/r", 4, 0, true, &b), KCACHE_STALE);
    CHECK(refresh);
    kcache_abandon(c, "/r");
    CHECK_EQ_INT(get(c, "/r", 4, 0, true, &b), KCACHE_STALE);
    CHECK(refresh);
    kresponse err = answer_of("{\"error\":\"busy\"}", 503);
    kcache_put(c, "/r", 4, 0, &err); /* an error is not kept, and drops the old answer */
    CHECK_EQ_INT(get(c, "/r", 4, 0, true, &b), KCACHE_MISS);
    CHECK_EQ_INT(get(c, "/r", 5, 0, true, &b), KCACHE_MISS);
    kcache_destroy(c);
}

static void test_keys_and_full(void)
{
    kcache *c = kcache_create();
    const char *b;
    char key[32], body[32];
    for (int i = 0; i < 2000; i++) { /* more than it keeps: it empties and starts over */
        snprintf(key, sizeof key, "/k%d", i);
        snprintf(body, sizeof body, "%d", i);
        kresponse a = answer_of(body, 200);
        kcache_put(c, key, 7, 0, &a);
        CHECK_EQ_INT(get(c, key, 7, 0, true, &b), KCACHE_FRESH);
        CHECK_STR(b, body);
    }
    CHECK(c->count <= MAX_ENTRIES);
    CHECK_EQ_INT(get(c, "/k1999", 7, 0, true, &b), KCACHE_FRESH);
    CHECK_EQ_INT(get(c, "/never", 7, 0, true, &b), KCACHE_MISS);
    kcache_destroy(c);
}

int main(void)
{
    RUN(test_fresh_and_stale);
    RUN(test_keys_and_full);
    return tap_done();
}
