/*
 * csv.c - the RFC 4180 reader (and field writer) at the front of every CSV import.
 *
 * It is built for throughput: a record is scanned in place in the input buffer with byte-class
 * tables (no per-byte calls), fields are (pointer, length) views into that buffer, and only the
 * rare field holding "" is rewritten (in place, after the record's raw bytes were saved for the
 * reject file). Positions are tracked as it goes: the physical line of every record and field
 * and the byte column of every field, so a message can point at the exact cell even after a
 * quoted field that spans lines.
 *
 * Dialect: CRLF, LF or a lone CR end a line (inside quotes they are data, counted as lines);
 * blank lines are skipped; a quote in the middle of an unquoted field is an ordinary character
 * (as Python's csv takes it); characters after a closing quote make the record malformed but
 * recoverable (rec->error); a quote still open at the end of input is fatal.
 */
#include "reader.h"
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte classes: what stops a scan. 0 is an ordinary byte. */
enum {
    C_PLAIN = 0,
    C_DELIM,
    C_CR,
    C_LF,
    C_NUL, /* the sentinel at the end of the buffer, or a NUL in the data */
    C_QUOTE,
    STOP_EOF /* not a class: the field ended at the end of input */
};

#define NO_ERROR ((size_t)-1)

/* A field while its record is being read: offsets from the record start survive refills. */
typedef struct csv_field {
    size_t off, n;
    unsigned long line, column;
    bool esc; /* quoted and holding "" pairs still to unescape */
} csv_field;

struct kcsv {
    kinput in;
    char delim;
    unsigned char cls_plain[256];  /* unquoted field: delimiter, CR, LF and NUL stop a scan */
    unsigned char cls_quoted[256]; /* quoted field: quote, CR, LF and NUL stop a scan */
    unsigned long line;            /* physical line of the next unread byte */
    bool skip_lf;                  /* the last record ended with CR: a LF next belongs to it */
    csv_field *f;
    kfield_val *out;
    size_t fcap;
    kbuf raw_copy;  /* the record's raw bytes when unescaping rewrites the buffer */
    size_t err_off; /* offset of the first character after a closing quote, or NO_ERROR */
    unsigned long err_column;
    char err_msg[96];
};

/* The scan position within the record being read. */
typedef struct cursor {
    const unsigned char *s; /* the record's first byte in the buffer */
    size_t avail;           /* bytes buffered from s on (s[avail] is the '\0' sentinel) */
    size_t i;               /* scan offset from s */
    size_t line_off;        /* offset of the start of the current physical line */
    unsigned long rec_line;
} cursor;

kpi_status kcsv_create(kpi_read_fn read, void *ctx, char delimiter, kencoding enc,
                       size_t max_record, kcsv **out, kpi_error *err)
{
    *out = NULL;
    unsigned char d = (unsigned char)delimiter;
    if (d == '"' || d == '\r' || d == '\n' || d == '\0' || d >= 0x80)
        return kerr_set(err, KPI_USAGE, "invalid csv delimiter '\\x%02x'", d);
    kcsv *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KPI_NOMEM, "out of memory for a csv reader");
    if (kinput_init(&r->in, read, ctx, enc, max_record, false, err) != KPI_OK) {
        kcsv_destroy(r);
        return KPI_NOMEM;
    }
    r->delim = delimiter;
    r->line = 1;
    r->cls_plain[d] = C_DELIM;
    r->cls_plain['\r'] = r->cls_quoted['\r'] = C_CR;
    r->cls_plain['\n'] = r->cls_quoted['\n'] = C_LF;
    r->cls_plain['\0'] = r->cls_quoted['\0'] = C_NUL;
    r->cls_quoted['"'] = C_QUOTE;
    kbuf_init(&r->raw_copy, 0);
    *out = r;
    return KPI_OK;
}

void kcsv_destroy(kcsv *r)
{
    if (!r)
        return;
    kinput_release(&r->in);
    kbuf_release(&r->raw_copy);
    free(r->f);
    free(r->out);
    free(r);
}

uint64_t kcsv_bytes_read(const kcsv *r)
{
    return r->in.bytes_read;
}

/* ---- scanning -------------------------------------------------------------------------- */

/* Reads more input, keeping the record; re-points the cursor. 1 more, 0 end, -1 error. */
static int more(kcsv *r, cursor *c, kpi_error *err)
{
    int rc = kinput_fill(&r->in, c->rec_line, err);
    c->s = (const unsigned char *)r->in.buf + r->in.start;
    c->avail = r->in.end - r->in.start;
    return rc;
}

/*
 * Skips the line ends before a record (blank lines and the LF of a CRLF split from its CR).
 * Returns 1 when a record starts at in.start, 0 at the end of input, -1 on error.
 */
static int skip_blank(kcsv *r, kpi_error *err)
{
    kinput *in = &r->in;
    for (;;) {
        if (in->start == in->end) {
            int rc = kinput_fill(in, r->line, err);
            if (rc <= 0)
                return rc;
        }
        char ch = in->buf[in->start];
        if (ch == '\n') {
            if (!r->skip_lf)
                r->line++;
        } else if (ch == '\r') {
            r->line++;
        } else {
            r->skip_lf = false;
            return 1;
        }
        r->skip_lf = ch == '\r';
        in->start++;
    }
}

/*
 * Scans an unquoted stretch up to the delimiter or line end. Returns the class of the byte that
 * stopped it (C_DELIM, C_CR, C_LF; left at c->i), STOP_EOF, or -1 on error.
 */
static int scan_plain(kcsv *r, cursor *c, kpi_error *err)
{
    const unsigned char *cls = r->cls_plain;
    for (;;) {
        const unsigned char *s = c->s;
        size_t i = c->i;
        unsigned k;
        for (;;) { /* the sentinel stops this at the end of the buffer */
            if ((k = cls[s[i]]) != 0)
                break;
            if ((k = cls[s[i + 1]]) != 0) {
                i += 1;
                break;
            }
            if ((k = cls[s[i + 2]]) != 0) {
                i += 2;
                break;
            }
            if ((k = cls[s[i + 3]]) != 0) {
                i += 3;
                break;
            }
            i += 4;
        }
        c->i = i;
        if (k != C_NUL)
            return (int)k;
        if (i < c->avail) { /* a NUL byte in the data */
            c->i++;
            continue;
        }
        int rc = more(r, c, err);
        if (rc <= 0)
            return rc < 0 ? -1 : STOP_EOF;
    }
}

/* The fatal error for a quote still open at the end of input. */
static int unterminated(const csv_field *f, kpi_error *err)
{
    kerr_set_at(err, KPI_INPUT, NULL, f->line, f->column,
                "unterminated quoted field starting at line %lu", f->line);
    return -1;
}

/*
 * Scans a quoted field's content from c->i (just past the opening quote) to its closing quote,
 * counting the line ends inside. Leaves c->i just past the closing quote; sets f->esc when
 * the content holds "" pairs. Returns 0, or -1 on error (including end of input inside).
 */
static int scan_quoted(kcsv *r, cursor *c, csv_field *f, kpi_error *err)
{
    const unsigned char *cls = r->cls_quoted;
    for (;;) {
        const unsigned char *s = c->s;
        size_t i = c->i;
        unsigned k;
        while ((k = cls[s[i]]) == 0)
            i++;
        c->i = i + 1;
        if (k == C_QUOTE) {
            if (i + 1 < c->avail) {
                if (s[i + 1] != '"')
                    return 0;
                f->esc = true;
                c->i = i + 2;
                continue;
            }
            c->i = i; /* need the byte after the quote to tell "" from the closing quote */
            int rc = more(r, c, err);
            if (rc <= 0) {
                c->i = i + 1;
                return rc; /* 0: the closing quote is the last byte of the input */
            }
        } else if (k == C_CR) {
            r->line++;
            c->line_off = i + 1;
        } else if (k == C_LF) {
            if (s[i - 1] != '\r') /* i >= 1: the opening quote precedes */
                r->line++;
            c->line_off = i + 1;
        } else if (i == c->avail) { /* the sentinel, not a NUL in the data */
            c->i = i;
            int rc = more(r, c, err);
            if (rc <= 0)
                return rc < 0 ? -1 : unterminated(f, err);
        }
    }
}

/*
 * Reads a quoted field starting at c->i. Returns what ends it like scan_plain. Characters after
 * the closing quote mark the record malformed; the field then holds its raw text up to the next
 * delimiter or line end, quotes included, and reading goes on.
 */
static int quoted_field(kcsv *r, cursor *c, csv_field *f, kpi_error *err)
{
    size_t start = c->i;
    c->i++;
    if (scan_quoted(r, c, f, err) < 0)
        return -1;
    f->off = start + 1;
    f->n = c->i - 1 - f->off;
    if (c->i == c->avail && more(r, c, err) < 0)
        return -1;
    unsigned k = r->cls_plain[c->s[c->i]];
    if (k == C_DELIM || k == C_CR || k == C_LF)
        return (int)k;
    if (k == C_NUL && c->i == c->avail)
        return STOP_EOF;
    if (r->err_off == NO_ERROR) {
        r->err_off = c->i;
        r->err_column = c->i - c->line_off + 1;
    }
    int stop = scan_plain(r, c, err);
    f->off = start;
    f->n = c->i - start;
    f->esc = false;
    return stop;
}

/* ---- records --------------------------------------------------------------------------- */

static bool grow_fields(kcsv *r)
{
    size_t cap = r->fcap ? r->fcap * 2 : 16;
    csv_field *f = realloc(r->f, cap * sizeof *f);
    if (!f)
        return false;
    r->f = f;
    kfield_val *o = realloc(r->out, cap * sizeof *o);
    if (!o)
        return false;
    r->out = o;
    r->fcap = cap;
    return true;
}

/* Collapses each "" of a quoted field's content to one quote, in place; returns the length. */
static size_t unescape(char *p, size_t n)
{
    char *w = p, *end = p + n;
    for (const char *q = p; q < end;) {
        const char *quote = memchr(q, '"', (size_t)(end - q));
        size_t run = quote ? (size_t)(quote - q) + 1 : (size_t)(end - q);
        memmove(w, q, run);
        w += run;
        q += run + (quote != NULL); /* skip the second quote of the pair */
    }
    return (size_t)(w - p);
}

/* Describes the byte at p (a whole UTF-8 character when it starts one) for a message. */
static void describe_char(const char *p, size_t n, char *buf, size_t cap)
{
    unsigned char ch = (unsigned char)*p;
    size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
    if (ch >= 0x20 && ch < 0x7F)
        snprintf(buf, cap, "%c", ch);
    else if (len > 1 && len <= n && kutf8_valid_prefix(p, len) == len)
        snprintf(buf, cap, "%.*s", (int)len, p);
    else
        snprintf(buf, cap, "\\x%02x", ch);
}

/* Sets rec->error for a record with characters after a closing quote. */
static void set_quote_error(kcsv *r, const char *rec_start, size_t rec_len, krecord *rec)
{
    char what[16];
    describe_char(rec_start + r->err_off, rec_len - r->err_off, what, sizeof what);
    snprintf(r->err_msg, sizeof r->err_msg, "unexpected character '%s' after closing quote", what);
    rec->error = r->err_msg;
    rec->error_column = r->err_column;
}

/*
 * Completes a record whose fields are scanned: checks its size, consumes its line end, saves
 * the raw bytes when a field must be unescaped, and fills rec.
 */
static int finish_record(kcsv *r, cursor *c, size_t nf, int stop, krecord *rec, kpi_error *err)
{
    size_t len = c->i;
    if (len > r->in.max_record)
        return kinput_limit_error(&r->in, c->rec_line, err);
    char *base = r->in.buf + r->in.start;
    if (stop == C_CR || stop == C_LF) {
        r->line++;
        r->skip_lf = stop == C_CR;
        c->i++;
    }
    r->in.start += c->i;
    memset(rec, 0, sizeof *rec);
    rec->line = c->rec_line;
    rec->raw = base;
    rec->raw_n = len;
    if (r->err_off != NO_ERROR)
        set_quote_error(r, base, len, rec);
    bool saved = false;
    for (size_t k = 0; k < nf; k++) {
        const csv_field *f = &r->f[k];
        kfield_val *o = &r->out[k];
        o->p = base + f->off;
        o->n = f->n;
        o->line = f->line;
        o->column = f->column;
        if (!f->esc)
            continue;
        if (!saved) {
            kbuf_reset(&r->raw_copy);
            if (!kbuf_append(&r->raw_copy, base, len))
                return kerr_set(err, KPI_NOMEM, "out of memory copying a record"), -1;
            rec->raw = r->raw_copy.p;
            saved = true;
        }
        o->n = unescape(base + f->off, f->n);
    }
    rec->fields = r->out;
    rec->nfields = nf;
    return 1;
}

int kcsv_next(kcsv *r, krecord *rec, kpi_error *err)
{
    int rc = skip_blank(r, err);
    if (rc <= 0)
        return rc;
    cursor c = {(const unsigned char *)r->in.buf + r->in.start, r->in.end - r->in.start, 0, 0,
                r->line};
    size_t nf = 0;
    int stop;
    r->err_off = NO_ERROR;
    for (;;) {
        if (nf == r->fcap && !grow_fields(r))
            return kerr_set(err, KPI_NOMEM, "out of memory for the fields of a record"), -1;
        csv_field *f = &r->f[nf++];
        f->off = c.i;
        f->line = r->line;
        f->column = (unsigned long)(c.i - c.line_off + 1);
        f->esc = false;
        if (c.i == c.avail && more(r, &c, err) < 0)
            return -1;
        if (c.s[c.i] == '"' && c.i < c.avail) {
            stop = quoted_field(r, &c, f, err);
        } else {
            stop = scan_plain(r, &c, err);
            f->n = c.i - f->off;
        }
        if (stop < 0)
            return -1;
        if (stop != C_DELIM)
            break;
        c.i++;
    }
    return finish_record(r, &c, nf, stop, rec, err);
}

/* ---- writing --------------------------------------------------------------------------- */

/* True when a field must be quoted to read back as itself. */
static bool needs_quotes(const char *p, size_t n, char delimiter)
{
    if (n == 0)
        return false;
    if (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')
        return true;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == delimiter || ch == '"' || ch == '\r' || ch == '\n')
            return true;
    }
    return false;
}

bool kcsv_write_field(kbuf *buf, const char *p, size_t n, char delimiter)
{
    if (!needs_quotes(p, n, delimiter))
        return kbuf_append(buf, p, n);
    size_t mark = buf->n;
    bool ok = kbuf_appendc(buf, '"');
    for (const char *end = p + n; ok && p < end;) {
        const char *quote = memchr(p, '"', (size_t)(end - p));
        size_t run = quote ? (size_t)(quote - p) + 1 : (size_t)(end - p);
        ok = kbuf_append(buf, p, run) && (!quote || kbuf_appendc(buf, '"'));
        p += run;
    }
    ok = ok && kbuf_appendc(buf, '"');
    if (!ok) { /* leave buf as it was */
        buf->n = mark;
        if (buf->p)
            buf->p[mark] = '\0';
    }
    return ok;
}
