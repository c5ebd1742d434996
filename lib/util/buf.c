/*
 * buf.c - growable byte buffers with a hard limit (so a hostile input cannot grow one without
 * bound) and (pointer, length) string helpers.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void kbuf_init(kbuf *b, size_t limit)
{
    b->p = NULL;
    b->n = b->cap = 0;
    b->limit = limit ? limit : KBUF_DEFAULT_LIMIT;
}

void kbuf_release(kbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

void kbuf_reset(kbuf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

bool kbuf_reserve(kbuf *b, size_t extra)
{
    if (extra > b->limit || b->n > b->limit - extra)
        return false;
    size_t need = b->n + extra + 1; /* room for the NUL */
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    char *p = realloc(b->p, cap);
    if (!p)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

bool kbuf_append(kbuf *b, const void *p, size_t n)
{
    if (!kbuf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

bool kbuf_appends(kbuf *b, const char *s)
{
    return kbuf_append(b, s, strlen(s));
}

bool kbuf_appendc(kbuf *b, char c)
{
    return kbuf_append(b, &c, 1);
}

bool kbuf_vprintf(kbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    bool ok = n >= 0 && kbuf_reserve(b, (size_t)n);
    if (ok) {
        vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap2);
        b->n += (size_t)n;
    }
    va_end(ap2);
    return ok;
}

bool kbuf_printf(kbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = kbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return ok;
}

bool kstr_eq(kstr a, kstr b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool kstr_eq_c(kstr a, const char *s)
{
    return kstr_eq(a, kstr_c(s));
}

bool kstr_ieq_c(kstr a, const char *s)
{
    size_t n = strlen(s);
    if (a.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a.p[i], y = (unsigned char)s[i];
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return false;
    }
    return true;
}

bool kident_valid(kstr s)
{
    if (s.n == 0 || s.n > 63)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

double kclock_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

bool kwhy(char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

const char *kexcerpt(kstr s, char *out)
{
    size_t k = s.n <= 24 ? s.n : 24;
    while (k < s.n && k > 0 && ((unsigned char)s.p[k] & 0xC0) == 0x80)
        k--;
    for (size_t i = 0; i < k; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        out[i] = (ch < 0x20 || ch == 0x7F) ? '?' : (char)ch;
    }
    memcpy(out + k, k < s.n ? "..." : "", k < s.n ? 4 : 1);
    return out;
}
