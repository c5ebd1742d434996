/*
 * out.c - writing the demo's CSV files. Values are formatted by hand (money from integer
 * cents, times from day numbers) into a buffer of each stream's own, written out with write(2),
 * because the generator writes millions of them and snprintf or stdio would dominate; every
 * value written is one the stream's schema reads back exactly.
 *
 * Rows leave in day order, as a real export is sorted by time: a part that writes an event of
 * a later day (an online order weeks after the lead, a survey after the ticket closed) has it
 * held back until the simulation reaches that day. The import then appends every stream at
 * the end of its table (docs/storage.md: rows are clustered by day), instead of inserting
 * into the middle of it.
 *
 * A stream's rows go to a sequence of files (STREAM-YYYY-MM.csv, named for the month the file
 * starts in) so that demo.c can import a finished file while later months are generated.
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OUT_BUF = 1 << 18,  /* per stream: many rows */
    VALUE_MAX = 1 << 12 /* the longest value written; the demo's are names, far shorter */
};

/* A row held back until the simulation reaches its day; `order` keeps the order of writing
 * among the rows of a day. */
typedef struct kdemo_later {
    int64_t day;
    uint64_t order;
    char *bytes;
    size_t len;
} kdemo_later;

void kdemo_nomem(kdemo *d)
{
    if (!d->failed)
        kdemo_fail(d->err, KPI_NOMEM, "out of memory");
    d->failed = true;
}

void *kdemo_calloc(kdemo *d, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        kdemo_nomem(d);
    return p;
}

/* Writes n bytes to the current file; the first error is kept in o->error (reported by
 * kdemo_close), and what follows it is dropped. */
static void write_all(kdemo_out *o, const char *p, size_t n)
{
    while (n && !o->error) {
        ssize_t k = write(o->fd, p, n);
        if (k < 0 && errno != EINTR)
            o->error = errno;
        else if (k > 0)
            p += k, n -= (size_t)k;
    }
}

/* Writes out the complete rows; the row being written moves to the front of the buffer. */
static void flush(kdemo_out *o)
{
    write_all(o, o->buf, o->row);
    memmove(o->buf, o->buf + o->row, o->n - o->row);
    o->n -= o->row;
    o->row = 0;
}

/* Room for `need` more bytes (at most one row: values are at most VALUE_MAX). A row longer
 * than the buffer fails the run rather than being cut. */
static inline char *room(kdemo_out *o, size_t need)
{
    if (o->n + need > OUT_BUF) {
        flush(o);
        if (o->n + need > OUT_BUF) {
            o->error = EOVERFLOW;
            o->n = 0;
        }
    }
    return o->buf + o->n;
}

static inline void put(kdemo_out *o, const char *s, size_t n)
{
    if (n > OUT_BUF) {
        o->error = EOVERFLOW;
        return;
    }
    memcpy(room(o, n), s, n);
    o->n += n;
}

static inline void putch(kdemo_out *o, char c)
{
    *room(o, 1) = c;
    o->n++;
}

/* ---- rows of later days ------------------------------------------------------------------- */

static bool later_before(const kdemo_later *a, const kdemo_later *b)
{
    return a->day != b->day ? a->day < b->day : a->order < b->order;
}

/* Moves the row just ended (o->row .. o->n) to the heap of held-back rows. */
static void hold(kdemo_out *o, int64_t day)
{
    size_t len = o->n - o->row;
    if (o->nlater == o->caplater) {
        size_t cap = o->caplater ? 2 * o->caplater : 256;
        kdemo_later *g = realloc(o->later, cap * sizeof *g);
        if (!g) {
            o->error = ENOMEM;
            return;
        }
        o->later = g, o->caplater = cap;
    }
    kdemo_later e = {day, o->held++, malloc(len), len};
    if (!e.bytes) {
        o->error = ENOMEM;
        return;
    }
    memcpy(e.bytes, o->buf + o->row, len);
    o->n = o->row;
    size_t i = o->nlater++;
    for (; i && later_before(&e, &o->later[(i - 1) / 2]); i = (i - 1) / 2)
        o->later[i] = o->later[(i - 1) / 2];
    o->later[i] = e;
}

/* Removes the first held-back row from the heap into *out. */
static void pop(kdemo_out *o, kdemo_later *out)
{
    *out = o->later[0];
    kdemo_later last = o->later[--o->nlater];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= o->nlater)
            break;
        if (c + 1 < o->nlater && later_before(&o->later[c + 1], &o->later[c]))
            c++;
        if (!later_before(&o->later[c], &last))
            break;
        o->later[i] = o->later[c];
        i = c;
    }
    if (o->nlater)
        o->later[i] = last;
}

/* Writes the held-back rows of days before `day`. */
void kdemo_release(kdemo_out *o, int64_t day)
{
    while (o->nlater && o->later[0].day < day) {
        kdemo_later e;
        pop(o, &e);
        put(o, e.bytes, e.len);
        free(e.bytes);
        o->row = o->n;
        o->rows++;
    }
}

/* Starts the stream's next file, for the rows generated from `day` on. */
bool kdemo_start(kdemo *d, kdemo_out *o, int64_t day)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
    size_t n = strlen(d->dir) + strlen(o->stream) + 32;
    if (!(o->path = malloc(n))) {
        kdemo_nomem(d);
        return false;
    }
    snprintf(o->path, n, "%s/%s-%04lld-%02d.csv", d->dir, o->stream, (long long)y, m);
    o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o->fd < 0) {
        kdemo_fail(d->err, KPI_IO, "%s: cannot create: %s", o->path, strerror(errno));
        free(o->path);
        o->path = NULL;
        d->failed = true;
        return false;
    }
    o->rows = 0;
    o->first = true;
    o->error = 0;
    put(o, o->header, strlen(o->header));
    putch(o, '\n');
    o->row = o->n;
    return true;
}

char *kdemo_close(kdemo *d, kdemo_out *o)
{
    if (o->fd < 0)
        return NULL;
    o->n = o->row; /* a row left unended is not written */
    flush(o);
    if (close(o->fd) != 0 && !o->error)
        o->error = errno;
    o->fd = -1;
    char *path = o->path;
    o->path = NULL;
    if (o->error && !d->failed) {
        d->failed = true;
        kdemo_fail(d->err, KPI_IO, "%s: write failed: %s", path, strerror(o->error));
    }
    return path;
}

kdemo_out *kdemo_open(kdemo *d, const char *stream, const char *header)
{
    /* one allocation for every stream, so that the pointers handed out stay valid */
    if (!d->outs && !(d->outs = kdemo_calloc(d, KDEMO_OUTS_MAX, sizeof *d->outs)))
        return NULL;
    if (d->nouts == KDEMO_OUTS_MAX) {
        d->failed = true;
        kdemo_fail(d->err, KPI_LIMIT, "demo: more than %d streams", KDEMO_OUTS_MAX);
        return NULL;
    }
    kdemo_out *o = &d->outs[d->nouts];
    *o = (kdemo_out){.d = d, .fd = -1, .stream = stream, .header = header, .later_day = INT64_MIN};
    if (!(o->buf = malloc(OUT_BUF))) {
        kdemo_nomem(d);
        return NULL;
    }
    if (!kdemo_start(d, o, d->first_day)) {
        free(o->buf);
        o->buf = NULL;
        return NULL;
    }
    d->nouts++;
    return o;
}

/* Before each field; a row's first field also releases the held-back rows whose day has
 * come (the days before the one being simulated). */
static inline void sep(kdemo_out *o)
{
    if (!o->first) {
        putch(o, ',');
        return;
    }
    if (o->nlater && o->later[0].day < o->d->day)
        kdemo_release(o, o->d->day);
    o->first = false;
    o->dated = false;
    o->later_day = INT64_MIN;
}

void kdemo_free_held(kdemo_out *o)
{
    while (o->nlater)
        free(o->later[--o->nlater].bytes);
    free(o->later);
    o->later = NULL;
    o->caplater = 0;
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

static void digits(kdemo_out *o, uint64_t v, int width)
{
    char b[24];
    int n = digits_rev(v, width, b);
    char *p = room(o, (size_t)n);
    for (int i = 0; i < n; i++)
        p[i] = b[n - 1 - i];
    o->n += (size_t)n;
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
    size_t n = strcspn(s, ",\"\n\r");
    if (n > VALUE_MAX || (s[n] && strlen(s) > VALUE_MAX / 2)) {
        o->error = EOVERFLOW;
        return;
    }
    if (s[n]) {
        putch(o, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                putch(o, '"');
            putch(o, *p);
        }
        putch(o, '"');
        return;
    }
    put(o, s, n);
}

void kdemo_int(kdemo_out *o, int64_t v)
{
    sep(o);
    if (v < 0) {
        putch(o, '-');
        digits(o, (uint64_t)0 - (uint64_t)v, 1);
    } else {
        digits(o, (uint64_t)v, 1);
    }
}

void kdemo_cents(kdemo_out *o, int64_t cents)
{
    sep(o);
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    if (cents < 0)
        putch(o, '-');
    digits(o, a / 100, 1);
    putch(o, '.');
    digits(o, a % 100, 2);
}

void kdemo_num(kdemo_out *o, double v, int decimals)
{
    sep(o);
    if (!isfinite(v))
        return;
    /* a finite double's %f has at most 309 integer digits */
    int k = snprintf(room(o, 400), 400, "%.*f", decimals, v);
    if (k < 0 || k >= 400)
        o->error = EOVERFLOW;
    else
        o->n += (size_t)k;
}

/* Day number -> "YYYY-MM-DD" into b (10 bytes, no NUL). */
static void date10(int64_t day, char *b)
{
    int64_t y;
    int m, dd;
    kpi_date_from_days(day, &y, &m, &dd);
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
    if (!o->dated) { /* the row's first time or date places it */
        o->dated = true;
        if (utc_s >= o->d->day_end_s)
            o->later_day = kdemo_day_of(o->d, utc_s);
    }
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
    put(o, b, 20);
}

void kdemo_date(kdemo_out *o, int64_t day)
{
    sep(o);
    if (!o->dated) {
        o->dated = true;
        if (day > o->d->day)
            o->later_day = day;
    }
    char b[10];
    date10(day, b);
    put(o, b, 10);
}

void kdemo_bool(kdemo_out *o, bool v)
{
    sep(o);
    if (v)
        put(o, "true", 4);
    else
        put(o, "false", 5);
}

void kdemo_null(kdemo_out *o)
{
    sep(o);
}

void kdemo_end(kdemo_out *o)
{
    putch(o, '\n');
    o->first = true;
    if (o->later_day > o->d->day) {
        hold(o, o->later_day);
    } else {
        o->row = o->n;
        o->rows++;
    }
}
