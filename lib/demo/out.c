/*
 * out.c - writing the demo's CSV files. Values are formatted by hand (money from integer
 * cents, times from day numbers) because the generator writes millions of them and snprintf
 * would dominate; every value written is one the stream's schema reads back exactly.
 */
#include "demo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void kdemo_nomem(kdemo *d)
{
    if (!d->failed)
        kerr_set(d->err, KPI_NOMEM, "out of memory");
    d->failed = true;
}

void *kdemo_calloc(kdemo *d, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        kdemo_nomem(d);
    return p;
}

kdemo_out *kdemo_open(kdemo *d, const char *stream, const char *header)
{
    /* one allocation for every stream, so that the pointers handed out stay valid */
    if (!d->outs && !(d->outs = kdemo_calloc(d, KDEMO_OUTS_MAX, sizeof *d->outs)))
        return NULL;
    if (d->nouts == KDEMO_OUTS_MAX) {
        d->failed = true;
        kerr_set(d->err, KPI_LIMIT, "demo: more than %d streams", KDEMO_OUTS_MAX);
        return NULL;
    }
    kdemo_out *o = &d->outs[d->nouts];
    size_t n = strlen(d->dir) + strlen(stream) + 8;
    o->path = malloc(n);
    if (!o->path) {
        d->failed = true;
        kerr_set(d->err, KPI_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(o->path, n, "%s/%s.csv", d->dir, stream);
    o->f = fopen(o->path, "w");
    if (!o->f) {
        kerr_set(d->err, KPI_IO, "%s: cannot create: %s", o->path, strerror(errno));
        free(o->path);
        d->failed = true;
        return NULL;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 16);
    o->stream = stream;
    o->rows = 0;
    o->first = true;
    fputs(header, o->f);
    fputc('\n', o->f);
    d->nouts++;
    return o;
}

static inline void sep(kdemo_out *o)
{
    if (!o->first)
        putc_unlocked(',', o->f);
    o->first = false;
}

/* The decimal digits of v, at least `width` of them (zero-padded), backwards into b[24];
 * returns their count. */
static int digits_rev(uint64_t v, int width, char b[24])
{
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < 24)
        b[n++] = '0';
    return n;
}

static void digits(FILE *f, uint64_t v, int width)
{
    char b[24];
    for (int n = digits_rev(v, width, b); n;)
        putc_unlocked(b[--n], f);
}

const char *kdemo_id(char *buf, size_t cap, const char *prefix, uint64_t n, int width)
{
    char b[24];
    int k = digits_rev(n, width, b);
    size_t i = 0;
    for (; *prefix && i + 1 < cap; prefix++)
        buf[i++] = *prefix;
    while (k && i + 1 < cap)
        buf[i++] = b[--k];
    buf[i] = '\0';
    return buf;
}

void kdemo_text(kdemo_out *o, const char *s)
{
    sep(o);
    if (!s)
        return;
    /* names in the demo never hold a quote, comma or newline; quote them anyway if they do */
    if (strpbrk(s, ",\"\n\r")) {
        putc_unlocked('"', o->f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                putc_unlocked('"', o->f);
            putc_unlocked(*p, o->f);
        }
        putc_unlocked('"', o->f);
        return;
    }
    fputs(s, o->f);
}

void kdemo_int(kdemo_out *o, int64_t v)
{
    sep(o);
    if (v < 0) {
        putc_unlocked('-', o->f);
        digits(o->f, (uint64_t)0 - (uint64_t)v, 1);
    } else {
        digits(o->f, (uint64_t)v, 1);
    }
}

void kdemo_cents(kdemo_out *o, int64_t cents)
{
    sep(o);
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    if (cents < 0)
        putc_unlocked('-', o->f);
    digits(o->f, a / 100, 1);
    putc_unlocked('.', o->f);
    digits(o->f, a % 100, 2);
}

void kdemo_num(kdemo_out *o, double v, int decimals)
{
    sep(o);
    if (!isfinite(v))
        return;
    fprintf(o->f, "%.*f", decimals, v);
}

/* Day number -> "YYYY-MM-DD" into b (10 bytes, no NUL). */
static void date10(int64_t day, char *b)
{
    int64_t y;
    int m, dd;
    kcivil_from_days(day, &y, &m, &dd);
    b[0] = (char)('0' + y / 1000 % 10);
    b[1] = (char)('0' + y / 100 % 10);
    b[2] = (char)('0' + y / 10 % 10);
    b[3] = (char)('0' + y % 10);
    b[4] = '-';
    b[5] = (char)('0' + m / 10);
    b[6] = (char)('0' + m % 10);
    b[7] = '-';
    b[8] = (char)('0' + dd / 10);
    b[9] = (char)('0' + dd % 10);
}

void kdemo_day_str(int64_t day, char b[11])
{
    date10(day, b);
    b[10] = '\0';
}

void kdemo_time(kdemo_out *o, int64_t utc_s)
{
    sep(o);
    int64_t day = utc_s >= 0 ? utc_s / 86400 : -((-utc_s + 86399) / 86400);
    int64_t sec = utc_s - day * 86400;
    char b[20];
    date10(day, b);
    b[10] = 'T';
    b[11] = (char)('0' + sec / 36000);
    b[12] = (char)('0' + sec / 3600 % 10);
    b[13] = ':';
    b[14] = (char)('0' + sec % 3600 / 600);
    b[15] = (char)('0' + sec % 3600 / 60 % 10);
    b[16] = ':';
    b[17] = (char)('0' + sec % 60 / 10);
    b[18] = (char)('0' + sec % 10);
    b[19] = 'Z';
    fwrite(b, 1, 20, o->f);
}

void kdemo_date(kdemo_out *o, int64_t day)
{
    sep(o);
    char b[10];
    date10(day, b);
    fwrite(b, 1, 10, o->f);
}

void kdemo_bool(kdemo_out *o, bool v)
{
    sep(o);
    fputs(v ? "true" : "false", o->f);
}

void kdemo_null(kdemo_out *o) { sep(o); }

void kdemo_end(kdemo_out *o)
{
    putc_unlocked('\n', o->f);
    o->first = true;
    o->rows++;
}
