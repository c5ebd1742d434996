/*
 * input.c - the buffered, transcoding byte source shared by the CSV and NDJSON readers (see
 * input.h). Keeping it in one place means both formats agree on the BOM, on encodings, on how a
 * partial record survives a refill and on the memory cap a runaway record runs into.
 */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAP ((size_t)16 << 10)        /* small inputs stay small */
#define READ_CAP ((size_t)1 << 20)            /* big inputs get 1 MiB reads, few refills */
#define DEFAULT_MAX_RECORD ((size_t)64 << 20) /* 64 MiB */
#define CAP_SLACK ((size_t)64) /* room past max_record for a terminator and a 3x transcode */

static const char utf8_bom[3] = {'\xEF', '\xBB', '\xBF'};

kpi_status kinput_init(kinput *in, kpi_read_fn read, void *ctx, kencoding enc, size_t max_record,
                       bool lines, kpi_error *err)
{
    memset(in, 0, sizeof *in);
    in->read = read;
    in->ctx = ctx;
    in->enc = enc;
    in->lines = lines;
    in->at_start = true;
    in->max_record = max_record ? max_record : DEFAULT_MAX_RECORD;
    if (in->max_record > SIZE_MAX / 4)
        in->max_record = SIZE_MAX / 4;
    in->max_cap = in->max_record + CAP_SLACK;
    if (in->max_cap < READ_CAP)
        in->max_cap = READ_CAP;
    in->cap = INITIAL_CAP;
    in->buf = malloc(in->cap + 1);
    if (!in->buf)
        return kerr_set(err, KPI_NOMEM, "out of memory for the input buffer");
    in->buf[0] = '\0';
    return KPI_OK;
}

void kinput_release(kinput *in)
{
    free(in->buf);
    free(in->stage);
    in->buf = in->stage = NULL;
    in->cap = in->stage_cap = 0;
}

int kinput_limit_error(const kinput *in, unsigned long line, kpi_error *err)
{
    if (in->lines)
        kerr_set_at(err, KPI_LIMIT, NULL, line, 0, "line %lu is longer than %zu bytes", line,
                    in->max_record);
    else
        kerr_set_at(err, KPI_LIMIT, NULL, line, 0, "record at line %lu is longer than %zu bytes",
                    line, in->max_record);
    return -1;
}

/* One read() into p, retried on EINTR. Returns the count, 0 at the end, -1 with err set. */
static ptrdiff_t read_raw(kinput *in, char *p, size_t cap, kpi_error *err)
{
    for (;;) {
        errno = 0;
        ptrdiff_t got = in->read(in->ctx, p, cap);
        if (got >= 0 && (size_t)got <= cap) {
            in->bytes_read += (uint64_t)got;
            return got;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got > 0)
            kerr_set(err, KPI_IO, "read callback returned %td bytes for a %zu-byte buffer", got,
                     cap);
        else if (errno)
            kerr_set(err, KPI_IO, "cannot read input: %s", strerror(errno));
        else
            kerr_set(err, KPI_IO, "cannot read input");
        return -1;
    }
}

/* True when some byte of p[0..n) is >= 0x80 (8 bytes at a time). */
static bool has_high_bytes(const char *p, size_t n)
{
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            return true;
    }
    for (; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return true;
    return false;
}

/* Appends n raw bytes at in->end, converting them to UTF-8 when the encoding needs it (pure
 * ASCII is the same in all of them). The caller made sure there is room for 3 * n bytes. */
static void append_raw(kinput *in, const char *p, size_t n)
{
    char *dst = in->buf + in->end;
    if (in->enc == KENC_UTF8 || !has_high_bytes(p, n)) {
        if (n)
            memmove(dst, p, n);
        in->end += n;
    } else {
        in->end += ktranscode_to_utf8(in->enc, p, n, dst);
    }
    in->buf[in->end] = '\0';
}

/*
 * The first read: collects the first three bytes (or fewer at the end of input) so that a BOM
 * split over several tiny reads is still recognised, drops them when they are the BOM.
 */
static int read_start(kinput *in, kpi_error *err)
{
    char b[3];
    size_t n = 0;
    in->at_start = false;
    while (n < sizeof b) {
        ptrdiff_t got = read_raw(in, b + n, sizeof b - n, err);
        if (got < 0)
            return -1;
        if (got == 0) {
            in->eof = true;
            break;
        }
        n += (size_t)got;
    }
    if (n == sizeof b && memcmp(b, utf8_bom, sizeof b) == 0)
        n = 0;
    append_raw(in, b, n);
    return n > 0;
}

/* One read into the free space: straight into the buffer for UTF-8, through the staging
 * area when bytes may need transcoding. Returns bytes added (> 0), 0 at the end, -1. */
static int read_more(kinput *in, kpi_error *err)
{
    size_t room = in->cap - in->end;
    if (in->enc == KENC_UTF8) {
        ptrdiff_t got = read_raw(in, in->buf + in->end, room, err);
        if (got <= 0)
            return got < 0 ? -1 : 0;
        in->end += (size_t)got;
        in->buf[in->end] = '\0';
        in->filled = (size_t)got == room;
        return 1;
    }
    size_t want = room / 3; /* each byte may become three */
    if (in->stage_cap < want) {
        if (!KRESIZE(in->stage, want))
            return kerr_set(err, KPI_NOMEM, "out of memory for the input buffer"), -1;
        in->stage_cap = want;
    }
    ptrdiff_t got = read_raw(in, in->stage, want, err);
    if (got <= 0)
        return got < 0 ? -1 : 0;
    append_raw(in, in->stage, (size_t)got);
    in->filled = (size_t)got == want;
    return 1;
}

/* Moves the kept bytes to the front, then grows the buffer when they leave little room, or
 * while the source fills every read and the buffer is below the 1 MiB read size. */
static int make_room(kinput *in, kpi_error *err)
{
    size_t keep = in->end - in->start;
    if (in->start) {
        memmove(in->buf, in->buf + in->start, keep);
        in->start = 0;
        in->end = keep;
        in->buf[keep] = '\0';
    }
    bool cramped = in->cap - in->end < in->cap / 4;
    if (in->cap >= in->max_cap || !(cramped || (in->filled && in->cap < READ_CAP)))
        return 0;
    size_t cap = in->cap > in->max_cap / 2 ? in->max_cap : in->cap * 2;
    if (!KRESIZE(in->buf, cap + 1))
        return kerr_set(err, KPI_NOMEM, "out of memory for a %zu-byte record buffer", cap), -1;
    in->cap = cap;
    return 0;
}

int kinput_fill(kinput *in, unsigned long line, kpi_error *err)
{
    if (in->end - in->start > in->max_record + in->tail)
        return kinput_limit_error(in, line, err);
    if (in->eof)
        return 0;
    if (make_room(in, err) < 0)
        return -1;
    if (in->at_start) {
        int rc = read_start(in, err);
        if (rc != 0 || in->eof)
            return rc;
    }
    int rc = read_more(in, err);
    if (rc == 0)
        in->eof = true;
    return rc;
}
