/*
 * kjson.c - a jansson document into a kbuf, where a failed write is never taken for success.
 */
#include "kjson.h"

typedef struct sink {
    kbuf *b;
    bool failed;
} sink;

/* Once a write fails, every later one fails too (jansson may ignore the first). */
static int write_sticky(const char *p, size_t n, void *ctx)
{
    sink *s = ctx;
    s->failed = s->failed || !kbuf_append(s->b, p, n);
    return s->failed ? -1 : 0;
}

bool kjson_append(kbuf *b, const json_t *doc, size_t flags)
{
    sink s = {b, false};
    return json_dump_callback(doc, write_sticky, &s, flags) == 0 && !s.failed;
}
