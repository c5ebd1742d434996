/*
 * csv.c - the RFC 4180 reader (and field writer) at the front of every CSV import.
 *
 * It is built for throughput: a record is scanned in place in the input buffer, fields are
 * (pointer, length) views into that buffer, and only the rare field holding "" is rewritten (in
 * place, after the record's raw bytes were saved for the reject file). The scan does not look at
 * every byte: the buffer is read 64 bytes at a time into a bit mask of the bytes that can end a
 * stretch (delimiter, quote, CR, LF, NUL; csv_stops.h: 16 bytes at a time with SSE2), and a
 * field's end is the next set bit, so the work goes by fields rather than by bytes. The mask of
 * one block serves the fields of several records; near the end of the buffer a block is copied
 * first, as input.c leaves no room after the sentinel for a load to run into. Fields are written
 * straight into the kfield_val array the caller gets (a refill in the middle of a record turns
 * them into offsets until the record is done). Positions are tracked as it goes: the physical
 * line of every record and field and the byte column of every field, so a message can point at
 * the exact cell even after a quoted field that spans lines.
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

#include "csv_stops.h"

/* Byte classes: what stops a scan. 0 is an ordinary byte. */
enum {
    C_PLAIN = 0,
    C_DELIM,
    C_CR,
    C_LF,  /* C_DELIM .. C_LF: the bytes that end an unquoted field */
    C_NUL, /* the sentinel at the end of the buffer, or a NUL in the data */
    C_QUOTE,
    STOP_EOF /* not a class: the field ended at the end of input */
};

#define NO_ERROR ((size_t)-1)
#define BLOCK KCSV_STOP_BLOCK

struct kcsv {
    kinput in;
    char delim;
    unsigned char cls[256]; /* delimiter, quote, CR, LF and NUL: the bytes a scan may stop at */
    unsigned long line;     /* physical line of the next unread byte */
    bool skip_lf;           /* the last record ended with CR: a LF next belongs to it */
    /* The fields of the record being read, p pointing into the buffer. A refill in the middle
     * of a record moves it: the fields before it are then kept as offsets from the record start
     * (off[k]) and pointed into the buffer again when the record is complete. */
    kfield_val *out;
    size_t *off;
    size_t *esc; /* indexes of the quoted fields holding "" pairs still to unescape */
    size_t fcap;
    /* The stop mask: bit j is set when in.buf[blk_at + j] is the delimiter, the quote or a byte
     * below 14 (CR, LF, NUL, and rare false stops the scans step over). blk_n is BLOCK, or 0
     * when no mask is valid: a refill moves and changes the buffer. */
    uint64_t blk_bits;
    size_t blk_at, blk_n;
    kbuf raw_copy;  /* the record's raw bytes when unescaping rewrites the buffer */
    size_t err_off; /* offset of the first character after a closing quote, or NO_ERROR */
    unsigned long err_column;
    char err_msg[96];
};

/* The scan position within the record being read. */
typedef struct cursor {
    const unsigned char *s; /* the record's first byte in the buffer */
    size_t at;              /* s - in.buf: where the record starts in the buffer */
    size_t avail;           /* bytes buffered from s on (s[avail] is the '\0' sentinel) */
    size_t i;               /* scan offset from s */
    size_t line_off;        /* offset of the start of the current physical line */
    size_t nf;              /* fields begun */
    size_t nconv;           /* fields 0 .. nconv-1 are kept in r->off (a refill moved them) */
    size_t nesc;            /* entries of r->esc */
    unsigned long rec_line;
} cursor;

/* Doubles the room for the fields of a record (8 at first). */
static bool grow_fields(kcsv *r)
{
    size_t cap = kgrow_cap(r->fcap, r->fcap + 1);
    if (!KRESIZE(r->out, cap) || !KRESIZE(r->off, cap) || !KRESIZE(r->esc, cap))
        return false;
    r->fcap = cap;
    return true;
}

kpi_status kcsv_create(kpi_read_fn read, void *ctx, char delimiter, kencoding enc,
                       size_t max_record, kcsv **out, kpi_error *err)
{
    *out = NULL;
    unsigned char d = (unsigned char)delimiter;
    if (d == '"' || d == '\r' || d == '\n' || d == '\0' || d >= 0x80)
        return kerr_set(err, KPI_USAGE, "invalid csv delimiter '\\x%02x'", d);
    kcsv *r = calloc(1, sizeof *r);
    if (!r || !grow_fields(r)) { /* r->out is never NULL: fast_fields does arithmetic on it */
        kcsv_destroy(r);
        return kerr_set(err, KPI_NOMEM, "out of memory for a csv reader");
    }
    if (kinput_init(&r->in, read, ctx, enc, max_record, false, err) != KPI_OK) {
        kcsv_destroy(r);
        return KPI_NOMEM;
    }
    r->delim = delimiter;
    r->line = 1;
    r->cls[d] = C_DELIM;
    r->cls['\r'] = C_CR;
    r->cls['\n'] = C_LF;
    r->cls['\0'] = C_NUL;
    r->cls['"'] = C_QUOTE;
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
    free(r->out);
    free(r->off);
    free(r->esc);
    free(r);
}

uint64_t kcsv_bytes_read(const kcsv *r)
{
    return r->in.bytes_read;
}

/* ---- the stop mask --------------------------------------------------------------------- */

/*
 * Builds the mask of the block at buffer offset pos (<= in.end). Within BLOCK bytes of the end
 * of the buffer the block is copied first, so that no load reads past the buffer (input.c
 * allocates no padding after the sentinel); the zeros after the copy are stops like the
 * sentinel, and are never reached before it. Returns the offset of the first stop at pos on.
 */
static size_t next_block(kcsv *r, size_t pos)
{
    for (;;) {
        const unsigned char *p = (const unsigned char *)r->in.buf + pos;
        size_t left = r->in.end - pos;
        if (left >= BLOCK) {
            r->blk_bits = kcsv_stop_bits(p, (unsigned char)r->delim);
        } else {
            unsigned char tail[BLOCK] = {0};
            memcpy(tail, p, left);
            r->blk_bits = kcsv_stop_bits(tail, (unsigned char)r->delim);
        }
        r->blk_at = pos;
        r->blk_n = BLOCK;
        if (r->blk_bits)
            return pos + (size_t)__builtin_ctzll(r->blk_bits);
        pos += BLOCK; /* a whole block without a stop: still <= in.end */
    }
}

/*
 * The buffer offset of the first byte at or after buffer offset pos (<= in.end) whose stop bit
 * is set. There always is one: the sentinel at in.end. Scans only go forward between refills,
 * so the current block usually answers.
 */
static inline size_t next_stop(kcsv *r, size_t pos)
{
    size_t d = pos - r->blk_at; /* wraps to a huge value when pos is before the block */
    if (d < r->blk_n) {
        uint64_t bits = r->blk_bits >> d;
        if (bits)
            return pos + (size_t)__builtin_ctzll(bits);
        pos = r->blk_at + BLOCK;
    }
    return next_block(r, pos);
}

/*
 * Builds the mask of the block at p when it lies wholly in the buffer (before the sentinel);
 * returns false, building nothing, when fewer than BLOCK bytes are buffered from p on.
 */
static inline bool whole_block(kcsv *r, const unsigned char *p, uint64_t *bits)
{
    size_t at = (size_t)(p - (const unsigned char *)r->in.buf);
    if (r->in.end - at < BLOCK)
        return false;
    *bits = r->blk_bits = kcsv_stop_bits(p, (unsigned char)r->delim);
    r->blk_at = at;
    r->blk_n = BLOCK;
    return true;
}

/* kinput_fill, dropping the stop mask: the bytes move and new ones arrive. */
static int fill(kcsv *r, unsigned long line, kpi_error *err)
{
    r->blk_n = 0;
    return kinput_fill(&r->in, line, err);
}

/* ---- scanning -------------------------------------------------------------------------- */

/*
 * Reads more input, keeping the record; re-points the cursor. 1 more, 0 end, -1 error. The
 * fields begun since the last refill are turned into offsets first (each field once, so a
 * record of many fields read in tiny pieces stays linear).
 */
static int more(kcsv *r, cursor *c, kpi_error *err)
{
    for (size_t k = c->nconv; k < c->nf; k++)
        r->off[k] = (size_t)(r->out[k].p - (const char *)c->s);
    c->nconv = c->nf;
    int rc = fill(r, c->rec_line, err);
    c->s = (const unsigned char *)r->in.buf + r->in.start;
    c->at = r->in.start;
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
            int rc = fill(r, r->line, err);
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
static inline int scan_plain(kcsv *r, cursor *c, kpi_error *err)
{
    for (;;) {
        size_t i = next_stop(r, c->at + c->i) - c->at;
        unsigned k = r->cls[c->s[i]];
        c->i = i;
        if (k >= C_DELIM && k <= C_LF)
            return (int)k;
        if (k != C_NUL || i < c->avail) { /* a quote, a NUL in the data, a false stop */
            c->i = i + 1;
            continue;
        }
        int rc = more(r, c, err);
        if (rc <= 0)
            return rc < 0 ? -1 : STOP_EOF;
    }
}

/* The fatal error for a quote still open at the end of input. */
static int unterminated(const kfield_val *f, kpi_error *err)
{
    kerr_set_at(err, KPI_INPUT, NULL, f->line, f->column,
                "unterminated quoted field starting at line %lu", f->line);
    return -1;
}

/*
 * Scans a quoted field's content from c->i (just past the opening quote) to its closing quote,
 * counting the line ends inside. Leaves c->i just past the closing quote; sets *esc when the
 * content holds "" pairs. Returns 0, or -1 on error (including end of input inside).
 */
static int scan_quoted(kcsv *r, cursor *c, const kfield_val *f, bool *esc, kpi_error *err)
{
    for (;;) {
        size_t i = next_stop(r, c->at + c->i) - c->at;
        const unsigned char *s = c->s;
        unsigned k = r->cls[s[i]];
        c->i = i + 1;
        if (k == C_QUOTE) {
            if (i + 1 < c->avail) {
                if (s[i + 1] != '"')
                    return 0;
                *esc = true;
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
        } else if (k == C_NUL && i == c->avail) { /* the sentinel, not a NUL in the data */
            c->i = i;
            int rc = more(r, c, err);
            if (rc <= 0)
                return rc < 0 ? -1 : unterminated(f, err);
        } /* else data: a delimiter, a NUL, a false stop */
    }
}

/*
 * Reads field fi, quoted, starting at c->i. Returns what ends it like scan_plain. Characters
 * after the closing quote mark the record malformed; the field then holds its raw text up to
 * the next delimiter or line end, quotes included, and reading goes on.
 */
static int quoted_field(kcsv *r, cursor *c, size_t fi, kpi_error *err)
{
    kfield_val *f = &r->out[fi];
    size_t start = c->i;
    bool esc = false;
    c->i++;
    if (scan_quoted(r, c, f, &esc, err) < 0)
        return -1;
    f->n = c->i - 2 - start;
    if (c->i == c->avail && more(r, c, err) < 0)
        return -1;
    r->off[fi] = start + 1; /* both: more() may have converted the field already */
    f->p = (const char *)c->s + start + 1;
    unsigned k = r->cls[c->s[c->i]];
    int stop = -1;
    if (k >= C_DELIM && k <= C_LF)
        stop = (int)k;
    else if (k == C_NUL && c->i == c->avail)
        stop = STOP_EOF;
    if (stop >= 0) {
        if (esc)
            r->esc[c->nesc++] = fi;
        return stop;
    }
    if (r->err_off == NO_ERROR) {
        r->err_off = c->i;
        r->err_column = c->i - c->line_off + 1;
    }
    stop = scan_plain(r, c, err);
    r->off[fi] = start;
    f->p = (const char *)c->s + start;
    f->n = c->i - start;
    return stop;
}

/* ---- the fast path --------------------------------------------------------------------- */

/* Sets a field read by the fast path: start .. end, in a field that begins at q on the line
 * that begins at line0. */
static inline void put_field(kfield_val *f, const unsigned char *start, const unsigned char *end,
                             const unsigned char *q, unsigned long line, const unsigned char *line0)
{
    f->p = (const char *)start;
    f->n = (size_t)(end - start);
    f->line = line;
    f->column = (unsigned long)(q - line0) + 1;
}

/* The walk of the fast path over the stop bits of whole blocks. */
typedef struct walk {
    const unsigned char *blk; /* the first byte of the block */
    uint64_t bits;            /* its stop bits not yet visited */
} walk;

/* The next stop of the walk, or NULL when the next block is not wholly in the buffer. */
static inline const unsigned char *walk_next(kcsv *r, walk *w)
{
    while (!w->bits) { /* only whole blocks run out of bits */
        w->blk += BLOCK;
        if (!whole_block(r, w->blk, &w->bits))
            return NULL;
    }
    const unsigned char *e = w->blk + __builtin_ctzll(w->bits);
    w->bits &= w->bits - 1;
    return e;
}

/*
 * Walks a quoted field from its opening quote to its closing quote, stepping over delimiters
 * and "" pairs (setting *esc). Returns the closing quote, followed by a buffered byte, or NULL
 * when the field is for the general path: a line end inside (lines to count), or the walk
 * reaches the end of whole blocks first.
 */
static inline const unsigned char *walk_quoted(kcsv *r, walk *w, bool *esc)
{
    const unsigned char *last = (const unsigned char *)r->in.buf + r->in.end;
    for (;;) {
        const unsigned char *e = walk_next(r, w);
        if (!e)
            return NULL;
        unsigned k = r->cls[*e];
        if (k == C_QUOTE) {
            if (e + 1 == last)
                return NULL; /* the byte after it is still to read */
            if (e[1] != '"')
                return e;
            *esc = true;
            if (w->bits) /* the second quote of the pair is the next stop */
                w->bits &= w->bits - 1;
            else if (!walk_next(r, w))
                return NULL;
        } else if (k == C_CR || k == C_LF || e == last) {
            return NULL;
        } /* else a delimiter, a NUL, a false stop: data */
    }
}

/*
 * The fast path of kcsv_next: reads fields from c->i on while each ends at a delimiter or line
 * end within whole blocks of the buffer, walking their stop bits: unquoted fields, and quoted
 * ones without a line end inside. Its state is in locals (pointers, so that a field costs few
 * instructions) because the stores into r->out could alias the cursor and the reader and would
 * force reloads on every field. Returns C_CR or C_LF when the record ended (c->i at the line
 * end), or 0 when the field at c->i is for any_field: it runs to the end of the buffered bytes
 * (or into the last, partial block), a quoted one holds a line end or is malformed, or r->out
 * is full.
 */
static int fast_fields(kcsv *r, cursor *c)
{
    const unsigned char *q = c->s + c->i;            /* the start of the field being read */
    const unsigned char *line0 = c->s + c->line_off; /* the start of its physical line */
    const unsigned char delim = (unsigned char)r->delim;
    kfield_val *f = r->out + c->nf, *fend = r->out + r->fcap;
    unsigned long line = r->line;
    int stop = 0;
    walk w;
    size_t d = (size_t)(q - (const unsigned char *)r->in.buf) - r->blk_at;
    if (d < r->blk_n) {
        w.blk = (const unsigned char *)r->in.buf + r->blk_at;
        w.bits = r->blk_bits >> d << d;
    } else {
        w.blk = q;
        if (!whole_block(r, w.blk, &w.bits))
            return 0;
    }
    for (;;) {
        const unsigned char *e = walk_next(r, &w);
        if (!e)
            break;
        if (*e == delim) {
            if (f == fend)
                break;
            put_field(f++, q, e, q, line, line0);
            q = e + 1;
            continue;
        }
        unsigned k = r->cls[*e];
        if (k == C_CR || k == C_LF) {
            if (f == fend)
                break;
            put_field(f++, q, e, q, line, line0);
            q = e;
            stop = (int)k;
            break;
        }
        if (k == C_QUOTE && e == q) { /* a quoted field: its content, then what ends it */
            bool esc = false;
            const unsigned char *close = walk_quoted(r, &w, &esc);
            if (!close || !(e = walk_next(r, &w)) || e != close + 1)
                break;
            k = *e == delim ? C_DELIM : r->cls[*e];
            if ((k != C_DELIM && k != C_CR && k != C_LF) || f == fend)
                break; /* characters after the closing quote, or no room */
            if (esc)
                r->esc[c->nesc++] = (size_t)(f - r->out);
            put_field(f++, q + 1, close, q, line, line0);
            if (k != C_DELIM) {
                q = e;
                stop = (int)k;
                break;
            }
            q = e + 1;
            continue;
        }
        if (k == C_NUL && (size_t)(e - (const unsigned char *)r->in.buf) == r->in.end)
            break; /* the sentinel */
        /* else a quote inside the field, a NUL in the data, a false stop: go on */
    }
    c->i = (size_t)(q - c->s);
    c->nf = (size_t)(f - r->out);
    return stop;
}

/* ---- records --------------------------------------------------------------------------- */

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
 * Completes a record whose fields are scanned: checks its size, consumes its line end, points
 * the fields a refill moved into the buffer again, saves the raw bytes when a field must be
 * unescaped, and fills rec.
 */
static int finish_record(kcsv *r, cursor *c, int stop, krecord *rec, kpi_error *err)
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
    kfield_val *out = r->out;
    for (size_t k = 0; k < c->nconv; k++)
        out[k].p = base + r->off[k];
    if (c->nesc) {
        kbuf_reset(&r->raw_copy);
        if (!kbuf_append(&r->raw_copy, base, len))
            return kerr_set(err, KPI_NOMEM, "out of memory copying a record"), -1;
        rec->raw = r->raw_copy.p;
        for (size_t k = 0; k < c->nesc; k++) {
            kfield_val *o = &out[r->esc[k]];
            o->n = unescape(base + (o->p - (const char *)base), o->n);
        }
    }
    rec->fields = out;
    rec->nfields = c->nf;
    return 1;
}

/*
 * Reads field c->nf, which starts at c->i, whatever it holds. Returns what ends it like
 * scan_plain.
 */
static int any_field(kcsv *r, cursor *c, kpi_error *err)
{
    if (c->nf == r->fcap && !grow_fields(r))
        return kerr_set(err, KPI_NOMEM, "out of memory for the fields of a record"), -1;
    size_t fi = c->nf++, start = c->i;
    kfield_val *f = &r->out[fi];
    f->p = (const char *)c->s + start;
    f->line = r->line;
    f->column = (unsigned long)(start - c->line_off + 1);
    if (start == c->avail && more(r, c, err) < 0)
        return -1;
    if (c->s[start] == '"' && start < c->avail)
        return quoted_field(r, c, fi, err);
    int stop = scan_plain(r, c, err);
    f->n = c->i - start;
    return stop;
}

int kcsv_next(kcsv *r, krecord *rec, kpi_error *err)
{
    int rc = skip_blank(r, err);
    if (rc <= 0)
        return rc;
    cursor c = {.s = (const unsigned char *)r->in.buf + r->in.start,
                .at = r->in.start,
                .avail = r->in.end - r->in.start,
                .rec_line = r->line};
    r->err_off = NO_ERROR;
    int stop;
    for (;;) {
        stop = fast_fields(r, &c);
        if (stop != 0)
            break;
        stop = any_field(r, &c, err);
        if (stop != C_DELIM)
            break;
        c.i++;
    }
    if (stop < 0)
        return -1;
    return finish_record(r, &c, stop, rec, err);
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
